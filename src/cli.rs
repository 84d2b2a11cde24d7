//! Command line: `lint`, `rules`, `explain`.
//!
//! Exit codes: 0 = nothing at or above `--fail-on`, 1 = a finding at or above it, 2 = usage
//! error, unreadable path or a file that failed to parse.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::finding::Severity;
use crate::input::{read_text, ReadError};
use crate::report::{self, baseline, catalog, Format};
use crate::rules;
use crate::settings::Settings;

/// Exit code for usage errors and unreadable input.
const USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "sgcheck",
    version,
    about = "Security linter for AWS infrastructure-as-code: proves which resources the internet can reach",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Terraform and CloudFormation files or directories.
    Lint(Box<LintArgs>),
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value_t = CatalogFormat::Human)]
        format: CatalogFormat,
    },
    /// Show a rule's documentation.
    Explain {
        /// Rule id (SG001) or name (open-admin-port).
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CatalogFormat {
    Human,
    Json,
}

/// The lowest severity that fails the run.
#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

#[derive(Args)]
struct LintArgs {
    /// Files or directories to lint.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Configuration file (default: .sgcheck.toml found upward from the first path).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Terraform variable value.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Terraform variable file.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// CloudFormation parameter value.
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    parameters: Vec<String>,
    /// CloudFormation parameters file: `[{"ParameterKey": .., "ParameterValue": ..}]` or `{name: value}`.
    #[arg(long = "parameters", value_name = "FILE")]
    parameters_file: Option<PathBuf>,
    /// Glob of paths to leave out (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// The analysed tree: files outside it are never read (default: the git work tree of each
    /// path, else the path itself).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Do not honour .gitignore files and .git/info/exclude.
    #[arg(long)]
    no_ignore: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Report only findings that FILE (from --write-baseline) does not record.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record today's findings in FILE; the run then fails only on unreadable input.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // help and version go to stdout with 0; usage errors to stderr with 2
            let _ = e.print();
            return e.exit_code();
        }
    };
    match cli.command {
        Command::Lint(args) => lint(*args),
        Command::Rules { format } => {
            let out = match format {
                CatalogFormat::Human => catalog::render_table(&rules::catalog()),
                CatalogFormat::Json => catalog::render_json(&rules::catalog()),
            };
            print(&out)
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => print(&catalog::render_page(r.page())),
            None => {
                let ids: Vec<_> = rules::catalog().iter().map(|r| r.id).collect();
                usage_error(&format!(
                    "unknown rule '{rule}'; valid rules: {}",
                    if ids.is_empty() {
                        "(none)".to_string()
                    } else {
                        ids.join(", ")
                    }
                ))
            }
        },
    }
}

/// Prints to stdout; a failed write (a closed pipe, a full disk) is exit code 2 with a
/// message, never a panic or a silently lost report.
fn print(text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => usage_error(&format!("cannot write the report to standard output: {e}")),
    }
}

/// Reports a usage error; the message can quote a scanned configuration, so it is escaped.
fn usage_error(message: &str) -> i32 {
    eprintln!("sgcheck: {}", report::escape::visible(message));
    USAGE
}

fn lint(args: LintArgs) -> i32 {
    let (settings, known) = match settings(&args).and_then(|s| Ok((s, baseline_of(&args)?))) {
        Ok(prepared) => prepared,
        Err(message) => return usage_error(&message),
    };
    let mut report = crate::lint(&args.paths, &settings);
    report::apply_severity_overrides(&mut report.findings, &settings.severity_overrides);
    if let Some(known) = &known {
        known.filter(&mut report.findings);
    }
    let mut fail_on = args.fail_on.severity();
    if let Some(path) = &args.write_baseline {
        if let Err(e) = write(path, &baseline::write(&report.findings)) {
            return usage_error(&e);
        }
        fail_on = None;
    }
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && !matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty());
    let text = report::render(&report, args.format, color);
    match &args.output {
        Some(path) => {
            if let Err(e) = write(path, &text) {
                return usage_error(&e);
            }
        }
        None => {
            if print(&text) != 0 {
                return USAGE;
            }
        }
    }
    let code = report::exit_code(&report, fail_on);
    report.forget();
    code
}

/// The baseline given with `--baseline`, read and parsed.
fn baseline_of(args: &LintArgs) -> Result<Option<baseline::Baseline>, String> {
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    read(path)
        .and_then(|text| baseline::parse(&text))
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Baselines and parameter files larger than this are refused.
const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// A file named on the command line, through the safe reader.
fn read(path: &Path) -> Result<String, String> {
    read_text(path, MAX_INPUT, true).map_err(|e| match e {
        ReadError::Io(_) => e.to_string(),
        _ => format!("cannot read: {e}"),
    })
}

/// Merges `.sgcheck.toml` and the command line into run settings.
fn settings(args: &LintArgs) -> Result<Settings, String> {
    let mut s = Settings::default();
    let config_path = match &args.config {
        Some(p) => Some(p.clone()),
        None => match args.paths.first() {
            Some(first) => config::find(first, args.root.as_deref()).map_err(|e| e.to_string())?,
            None => None,
        },
    };
    if let Some(path) = config_path {
        config::load(&path, &mut s).map_err(|e| e.to_string())?;
    }
    check_rule_ids(&s)?;
    s.exclude.extend(args.exclude.iter().cloned());
    s.root.clone_from(&args.root);
    s.ignore_files = !args.no_ignore;
    for v in &args.vars {
        s.vars.push(name_value(v, "--var")?);
    }
    s.var_files.extend(args.var_files.iter().cloned());
    if let Some(path) = &args.parameters_file {
        s.parameters.extend(parameters_file(path)?);
    }
    for p in &args.parameters {
        let (k, v) = name_value(p, "--parameter")?;
        s.parameters.insert(k, v);
    }
    Ok(s)
}

/// Rule ids and names in the configuration must name catalog rules.
fn check_rule_ids(s: &Settings) -> Result<(), String> {
    let named = s.disabled_rules.iter().chain(s.severity_overrides.keys());
    for id in named {
        if rules::find(id).is_none() {
            return Err(format!("configuration names unknown rule '{id}'"));
        }
    }
    Ok(())
}

fn name_value(arg: &str, option: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("{option} expects NAME=VALUE, got '{arg}'")),
    }
}

/// Reads a CloudFormation parameters file: the `aws cloudformation` list form or a plain map.
fn parameters_file(path: &Path) -> Result<Vec<(String, String)>, String> {
    read(path)
        .and_then(|text| parse_parameters(&text))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_parameters(text: &str) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| match i {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|l| l.join(",")),
        _ => None,
    };
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| {
                let key = item.get("ParameterKey").and_then(|k| k.as_str());
                let value = item.get("ParameterValue").and_then(scalar);
                match (key, value) {
                    (Some(k), Some(v)) => Ok((k.to_string(), v)),
                    _ => Err(
                        "each entry needs a string ParameterKey and a ParameterValue".to_string(),
                    ),
                }
            })
            .collect(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                scalar(v)
                    .map(|v| (k.clone(), v))
                    .ok_or_else(|| format!("parameter '{k}' must be a string, number or list"))
            })
            .collect(),
        _ => Err("expected a list of {ParameterKey, ParameterValue} or an object".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_in_both_forms() {
        let list = r#"[{"ParameterKey": "Env", "ParameterValue": "prod"},
                       {"ParameterKey": "Port", "ParameterValue": 22}]"#;
        assert_eq!(
            parse_parameters(list).unwrap(),
            vec![("Env".into(), "prod".into()), ("Port".into(), "22".into())]
        );
        let map = r#"{"Cidrs": ["10.0.0.0/8", "192.168.0.0/16"], "Public": true}"#;
        assert_eq!(
            parse_parameters(map).unwrap(),
            vec![
                ("Cidrs".into(), "10.0.0.0/8,192.168.0.0/16".into()),
                ("Public".into(), "true".into())
            ]
        );
        assert!(parse_parameters(r#"[{"Key": "x"}]"#).is_err());
        assert!(parse_parameters("3").is_err());
        assert!(parse_parameters("{").is_err());
    }

    #[test]
    fn name_value_needs_a_name() {
        assert_eq!(
            name_value("cidr=0.0.0.0/0", "--var"),
            Ok(("cidr".into(), "0.0.0.0/0".into()))
        );
        assert_eq!(name_value("a=b=c", "--var"), Ok(("a".into(), "b=c".into())));
        assert!(name_value("novalue", "--var").is_err());
        assert!(name_value("=x", "--var").is_err());
    }
}
