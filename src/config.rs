//! `.sgcheck.toml`: project configuration, merged into [`Settings`].
//!
//! ```toml
//! admin_ports = [22, "8000-8080"]     # replaces the SG001 port list
//! data_ports = [5432, "9200-9300"]    # replaces the SG003 port list
//! trusted_cidrs = ["203.0.113.0/24"]  # sources that never count as the internet
//! exclude = ["legacy/**"]             # globs, added to --exclude
//! ephemeral_ports = "1024-65535"
//! max_file_size = 10485760            # bytes
//! skip_unreadable = false             # true: files over the limit or unreadable are skipped
//!                                     # (listed) instead of failing the run
//!
//! [rules]
//! disable = ["SG007"]
//!
//! [rules.severity]
//! SG004 = "warning"
//! ```
//! Unknown keys and bad values are errors that name the file, line and column.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::input::read_text;
use crate::input::root::{root_of, OUTSIDE};
use crate::settings::Settings;
use crate::source::LineIndex;

/// The configuration file name looked up from the first linted path upwards.
pub const FILE_NAME: &str = ".sgcheck.toml";

/// A configuration file that could not be read or understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and character column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    rules: RulesConfig,
    admin_ports: Option<Vec<Spanned<PortSpec>>>,
    data_ports: Option<Vec<Spanned<PortSpec>>>,
    trusted_cidrs: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<String>>,
    ephemeral_ports: Option<Spanned<PortSpec>>,
    max_file_size: Option<u64>,
    skip_unreadable: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesConfig {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
}

/// A port (`22`) or an inclusive range (`"8000-8080"`, also `"22"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum PortSpec {
    Port(i64),
    Range(String),
}

/// Parses `"22"` or `"1024-65535"` into an inclusive port range.
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let port = |p: &str| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| format!("'{}' is not a port (0-65535)", p.trim()))
    };
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => {
            let p = port(s)?;
            (p, p)
        }
    };
    if lo > hi {
        return Err(format!("port range '{s}' runs backwards"));
    }
    Ok((lo, hi))
}

impl PortSpec {
    fn range(&self) -> Result<(u16, u16), String> {
        match self {
            PortSpec::Port(p) => u16::try_from(*p)
                .map(|p| (p, p))
                .map_err(|_| format!("{p} is not a port (0-65535)")),
            PortSpec::Range(s) => parse_port_range(s),
        }
    }
}

/// The largest configuration file read.
const MAX_CONFIG: u64 = 1024 * 1024;

/// Finds `.sgcheck.toml` in the directory of `start` (or `start` itself when it is a
/// directory) or the nearest ancestor, looking no higher than the analysed tree's root
/// (`root`, else the git work tree of `start`, else `start`): a file above the repository
/// must not change what a run reports. A configuration that is a link out of the tree is an
/// error.
pub fn find(start: &Path, root: Option<&Path>) -> Result<Option<PathBuf>, ConfigError> {
    let Ok(start) = std::fs::canonicalize(start) else {
        return Ok(None);
    };
    let top = match root {
        Some(r) => std::fs::canonicalize(r).ok(),
        None => root_of(&start).ok(),
    };
    let Some(top) = top else {
        return Ok(None);
    };
    let dir = if start.is_dir() {
        start.as_path()
    } else {
        start.parent().unwrap_or(&start)
    };
    let found = dir
        .ancestors()
        .take_while(|d| d.starts_with(&top))
        .map(|d| d.join(FILE_NAME))
        .find(|p| std::fs::symlink_metadata(p).is_ok());
    match found {
        Some(p) if std::fs::canonicalize(&p).is_ok_and(|c| !c.starts_with(&top)) => {
            Err(ConfigError {
                path: p,
                position: None,
                message: OUTSIDE.to_string(),
            })
        }
        found => Ok(found),
    }
}

/// Reads the configuration file at `path` into `settings`.
pub fn load(path: &Path, settings: &mut Settings) -> Result<(), ConfigError> {
    let text = read_text(path, MAX_CONFIG, true).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        position: None,
        message: format!("cannot read configuration: {e}"),
    })?;
    apply(&text, path, settings)
}

/// Parses configuration `text` (read from `path`, for messages) into `settings`.
pub fn apply(text: &str, path: &Path, settings: &mut Settings) -> Result<(), ConfigError> {
    let error = |span: Option<Range<usize>>, message: String| ConfigError {
        path: path.to_path_buf(),
        position: span.map(|s| {
            let lc = LineIndex::new(text).line_col(text, s.start);
            (lc.line, lc.column)
        }),
        message,
    };
    let config: FileConfig =
        toml::from_str(text).map_err(|e| error(e.span(), e.message().trim().to_string()))?;
    let ports = |list: &[Spanned<PortSpec>]| {
        list.iter()
            .map(|p| p.get_ref().range().map_err(|m| error(Some(p.span()), m)))
            .collect::<Result<Vec<_>, _>>()
    };
    if let Some(list) = &config.admin_ports {
        settings.admin_ports = ports(list)?;
    }
    if let Some(list) = &config.data_ports {
        settings.data_ports = ports(list)?;
    }
    if let Some(p) = &config.ephemeral_ports {
        settings.ephemeral_ports = ports(std::slice::from_ref(p))?
            .first()
            .copied()
            .unwrap_or(settings.ephemeral_ports);
    }
    if let Some(list) = &config.trusted_cidrs {
        for c in list {
            let net = parse_cidr(c.get_ref()).map_err(|m| error(Some(c.span()), m))?;
            settings.trusted_cidrs.push(net);
        }
    }
    if let Some(list) = config.exclude {
        settings.exclude.extend(list);
    }
    if let Some(n) = config.max_file_size {
        settings.max_file_size = n;
    }
    if let Some(skip) = config.skip_unreadable {
        settings.skip_unreadable = skip;
    }
    settings.disabled_rules.extend(config.rules.disable);
    for (rule, level) in &config.rules.severity {
        let severity = Severity::parse(level.get_ref()).ok_or_else(|| {
            error(
                Some(level.span()),
                format!(
                    "severity of {rule} must be \"error\", \"warning\" or \"note\", not \"{}\"",
                    level.get_ref()
                ),
            )
        })?;
        settings.severity_overrides.insert(rule.clone(), severity);
    }
    Ok(())
}

/// A CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address.
pub fn parse_cidr(s: &str) -> Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("'{s}' is not a CIDR block or IP address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        apply(text, Path::new(".sgcheck.toml"), &mut s).map(|()| s)
    }

    #[test]
    fn full_config_applies() {
        let s = parse(
            r#"
admin_ports = [22, "8000-8080"]
data_ports = ["5432"]
trusted_cidrs = ["203.0.113.0/24", "2001:db8::1"]
exclude = ["legacy/**"]
ephemeral_ports = "32768-60999"
max_file_size = 1000

[rules]
disable = ["SG007"]

[rules.severity]
SG004 = "warning"
"#,
        )
        .unwrap();
        assert_eq!(s.admin_ports, vec![(22, 22), (8000, 8080)]);
        assert_eq!(s.data_ports, vec![(5432, 5432)]);
        assert_eq!(s.trusted_cidrs.len(), 2);
        assert_eq!(s.trusted_cidrs[1].to_string(), "2001:db8::1/128");
        assert_eq!(s.exclude, vec!["legacy/**"]);
        assert_eq!(s.ephemeral_ports, (32768, 60999));
        assert_eq!(s.max_file_size, 1000);
        assert_eq!(s.disabled_rules, vec!["SG007"]);
        assert_eq!(s.severity_overrides["SG004"], Severity::Warning);
    }

    #[test]
    fn empty_config_keeps_defaults() {
        let s = parse("").unwrap();
        assert_eq!(s.admin_ports, crate::settings::ADMIN_PORTS);
    }

    #[test]
    fn unknown_key_names_key_and_position() {
        let e = parse("[rules]\ndisable = []\nseverty = {}\n").unwrap_err();
        assert_eq!(e.position, Some((3, 1)));
        assert!(e.message.contains("severty"), "{e}");
        let e = parse("admin_port = [22]\n").unwrap_err();
        assert_eq!(e.position, Some((1, 1)));
        assert!(e.to_string().starts_with(".sgcheck.toml:1:1: "), "{e}");
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let e = parse("admin_ports = [22, \"90-80\"]\n").unwrap_err();
        assert_eq!(e.position, Some((1, 20)));
        assert!(e.message.contains("backwards"));
        let e = parse("data_ports = [70000]\n").unwrap_err();
        assert_eq!(e.position, Some((1, 15)));
        let e = parse("trusted_cidrs = [\"10.0.0.0/33\"]\n").unwrap_err();
        assert_eq!(e.position, Some((1, 18)));
        let e = parse("[rules.severity]\nSG001 = \"fatal\"\n").unwrap_err();
        assert_eq!(e.position, Some((2, 9)));
    }

    #[test]
    fn port_ranges_parse() {
        assert_eq!(parse_port_range("22"), Ok((22, 22)));
        assert_eq!(parse_port_range(" 1024 - 65535 "), Ok((1024, 65535)));
        assert!(parse_port_range("x").is_err());
        assert!(parse_port_range("1-70000").is_err());
    }

    #[test]
    fn finds_config_upwards_within_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let sub = repo.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        std::fs::write(sub.join("main.tf"), "").unwrap();
        // without a repository the scanned path is the tree: nothing above it is read
        assert_eq!(find(&sub.join("main.tf"), None).unwrap(), None);
        assert_eq!(find(&sub, Some(&repo)).unwrap(), None);
        // a repository's own configuration is found from anywhere inside it
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(find(&sub, None).unwrap(), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        let found = find(&sub.join("main.tf"), None).unwrap().unwrap();
        assert_eq!(found, std::fs::canonicalize(repo.join(FILE_NAME)).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_config_linked_out_of_the_tree_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(dir.path().join("secret"), "token").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), repo.join(FILE_NAME)).unwrap();
        let e = find(&repo, None).unwrap_err();
        assert_eq!(e.message, OUTSIDE);
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).unwrap();
        let e = load(&dir.path().join("zero.toml"), &mut Settings::default()).unwrap_err();
        assert!(e.message.contains("not a regular file"), "{e}");
    }
}
