//! Output formats for a [`crate::Report`]: human (miette), JSON, SARIF and GitHub workflow
//! commands, plus what every format shares (locations, severity overrides, exit codes).

pub mod baseline;
pub mod catalog;
pub mod escape;
mod excerpt;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::source::{SourceFile, Span};
use crate::Report;

/// An output format of `sgcheck lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Renders `report` in `format`; `color` only matters for human output.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// A span resolved for output: display path and 1-based line/character-column bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    /// Resolves `span` against the run's files (an unknown file id yields an empty path at 1:1).
    pub fn of(files: &[Arc<SourceFile>], span: Span) -> Location {
        let Some(file) = files.get(span.file.0 as usize) else {
            return Location {
                file: String::new(),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            };
        };
        let start = file.line_col(span.start as usize);
        let end = file.line_col(span.end as usize);
        Location {
            file: file.display_path(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// Applies configured severity overrides (keyed by rule id or name) to `findings`.
pub fn apply_severity_overrides(findings: &mut [Finding], overrides: &BTreeMap<String, Severity>) {
    if overrides.is_empty() {
        return;
    }
    for f in findings {
        if let Some(s) = overrides.get(f.rule).or_else(|| overrides.get(f.name)) {
            f.severity = *s;
        }
    }
}

/// A finding's stable identity, independent of line numbers: FNV-1a 64 over the rule id, the
/// resource and the whitespace-normalized message (NUL-separated), as 16 hex digits.
pub fn fingerprint(f: &Finding) -> String {
    let message = f.message.split_whitespace().collect::<Vec<_>>().join(" ");
    let bytes = [f.rule, &f.resource, &message]
        .into_iter()
        .flat_map(|part| part.bytes().chain(std::iter::once(0)));
    format!("{:016x}", fnv1a(bytes))
}

/// FNV-1a, 64 bit.
fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The contract's exit code: 2 when a path or file could not be read or parsed, else 1 when
/// a finding reaches `fail_on` (`None` = never fail on findings), else 0.
pub fn exit_code(report: &Report, fail_on: Option<Severity>) -> i32 {
    if !report.errors.is_empty() || !report.path_errors.is_empty() {
        2
    } else if fail_on.is_some_and(|level| report.findings.iter().any(|f| f.severity >= level)) {
        1
    } else {
        0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::{Confidence, Related};
    use crate::ir::{Diagnostic, Skip};
    use crate::source::FileId;

    /// A report with two files, a finding with related spans in both, an error and a skip.
    pub(crate) fn sample_report() -> Report {
        let report = Report::default();
        let sg = report.sources.add(
            "./infra/sg.tf".into(),
            "resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
        );
        let vars = report.sources.add(
            "infra/variables.tf".into(),
            "variable \"admin_cidr\" {\n  default = \"0.0.0.0/0\"\n}\n",
        );
        let broken = report
            .sources
            .add("infra/broken.tf".into(), "resource \"x\" {\n  a b\n}\n");
        let text = &sg.text;
        let cidr = text.find("\"0.0.0.0/0\"").unwrap();
        let port = text.find("22").unwrap();
        let def = vars.text.find("\"0.0.0.0/0\"").unwrap();
        let mut report = report;
        report.findings.push(Finding {
            rule: "SG001",
            name: "open-admin-port",
            severity: Severity::Error,
            confidence: Confidence::Definite,
            span: Span::new(sg.id, cidr, cidr + 11),
            label: "open to the internet".into(),
            message: "security group 'web' allows SSH (tcp/22) from 0.0.0.0/0".into(),
            resource: "aws_security_group.web".into(),
            resource_span: Span::new(sg.id, 9, 36),
            related: vec![
                Related {
                    span: Span::new(sg.id, port, port + 2),
                    message: "port 22".into(),
                },
                Related {
                    span: Span::new(vars.id, def, def + 11),
                    message: "value comes from variable 'admin_cidr' default".into(),
                },
            ],
            notes: vec!["restrict the source to a trusted range".into()],
        });
        report.errors.push(Diagnostic {
            span: Span::new(broken.id, 19, 20),
            message: "expected '=' after attribute name".into(),
        });
        report.skipped.push(Skip {
            span: Span::new(FileId(1), 0, 0),
            reason: "example skip".into(),
        });
        report.files = 3;
        report.resources = 1;
        report
    }

    #[test]
    fn locations_are_one_based_character_columns() {
        let report = sample_report();
        let files = report.sources.files();
        let loc = Location::of(&files, report.findings[0].span);
        assert_eq!(loc.file, "infra/sg.tf");
        assert_eq!((loc.line, loc.column), (4, 20));
        assert_eq!((loc.end_line, loc.end_column), (4, 31));
        let missing = Location::of(&files, Span::new(FileId(99), 0, 0));
        assert_eq!(missing.file, "");
    }

    #[test]
    fn overrides_apply_by_id_or_name() {
        let mut report = sample_report();
        let mut o = BTreeMap::new();
        o.insert("open-admin-port".to_string(), Severity::Note);
        apply_severity_overrides(&mut report.findings, &o);
        assert_eq!(report.findings[0].severity, Severity::Note);
        o.insert("SG001".to_string(), Severity::Warning);
        apply_severity_overrides(&mut report.findings, &o);
        assert_eq!(report.findings[0].severity, Severity::Warning);
    }

    #[test]
    fn fingerprint_ignores_position_and_spacing() {
        let report = sample_report();
        let a = &report.findings[0];
        let mut b = a.clone();
        b.span = Span::new(a.span.file, 0, 1);
        b.message = format!("  {}  ", a.message.replace(' ', "   "));
        assert_eq!(fingerprint(a), fingerprint(&b));
        assert_eq!(fingerprint(a).len(), 16);
        b.resource = "aws_security_group.db".into();
        assert_ne!(fingerprint(a), fingerprint(&b));
    }

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a("".bytes()), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a".bytes()), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("foobar".bytes()), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let mut report = sample_report();
        assert_eq!(exit_code(&report, Some(Severity::Warning)), 2);
        report.errors.clear();
        assert_eq!(exit_code(&report, Some(Severity::Error)), 1);
        assert_eq!(exit_code(&report, None), 0);
        report.findings[0].severity = Severity::Note;
        assert_eq!(exit_code(&report, Some(Severity::Warning)), 0);
        assert_eq!(exit_code(&report, Some(Severity::Note)), 1);
    }
}
