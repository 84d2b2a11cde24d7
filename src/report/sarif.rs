//! `--format sarif`: SARIF 2.1.0, one run, rules from the catalog, for GitHub code scanning.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::{fingerprint, Location};
use crate::finding::Severity;
use crate::rules::{self, Rule};
use crate::source::{SourceFile, Span};
use crate::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The project's address from Cargo.toml (`repository`, else `homepage`), when one is set.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    /// Columns count characters, as everywhere in sgcheck.
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    confidence: &'static str,
    resource: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// SARIF level of a severity.
fn level(s: Severity) -> &'static str {
    s.as_str()
}

/// GitHub's `security-severity` score for a default severity (high, medium, low).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// A display path as a URI reference: percent-encoded, `file://` when absolute.
fn uri(path: &str) -> String {
    let drive = path.get(..2).filter(|d| {
        let d = d.as_bytes();
        d[0].is_ascii_alphabetic() && d[1] == b':'
    });
    let (mut out, rest) = match drive {
        Some(d) => (format!("file:///{d}"), &path[2..]),
        None if path.starts_with('/') => ("file://".to_string(), path),
        None => (String::new(), path),
    };
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(files: &[Arc<SourceFile>], span: Span, message: Option<&str>) -> SarifLocation {
    let l = Location::of(files, span);
    SarifLocation {
        id: None,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(&l.file) },
            region: Region {
                start_line: l.line,
                start_column: l.column,
                end_line: l.end_line,
                end_column: l.end_column,
            },
        },
        message: message.map(|m| Text {
            text: m.to_string(),
        }),
    }
}

fn descriptor(rule: &Rule) -> RuleDescriptor {
    let page = rule.page();
    let severity = page.meta.default_severity();
    RuleDescriptor {
        id: rule.id,
        name: page.meta.name.clone(),
        short_description: Text {
            text: page.meta.summary.clone(),
        },
        full_description: Text {
            text: page.meta.title.clone(),
        },
        help: Help {
            text: page.body.clone(),
            markdown: page.body.clone(),
        },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(severity),
            tags: vec!["security", "aws", "infrastructure-as-code"],
        },
    }
}

fn notifications(report: &Report, files: &[Arc<SourceFile>]) -> Vec<Notification> {
    let errors = report.errors.iter().map(|e| Notification {
        level: "error",
        message: Text {
            text: e.message.clone(),
        },
        locations: vec![location(files, e.span, None)],
    });
    let paths = report.path_errors.iter().map(|(p, m)| Notification {
        level: "error",
        message: Text {
            text: format!("cannot read {}: {m}", p.display()),
        },
        locations: Vec::new(),
    });
    let skipped = report.skipped.iter().map(|s| Notification {
        level: "note",
        message: Text {
            text: format!("skipped: {}", s.reason),
        },
        locations: vec![location(files, s.span, None)],
    });
    errors.chain(paths).chain(skipped).collect()
}

/// Renders the SARIF log (pretty-printed, newline-terminated).
pub fn render(report: &Report) -> String {
    let files = report.sources.files();
    let catalog = rules::catalog();
    let results = report
        .findings
        .iter()
        .map(|f| SarifResult {
            rule_id: f.rule,
            rule_index: catalog.iter().position(|r| r.id == f.rule),
            level: level(f.severity),
            message: Text {
                text: f.message.clone(),
            },
            locations: vec![location(&files, f.span, None)],
            related_locations: f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| SarifLocation {
                    id: Some(i),
                    ..location(&files, r.span, Some(&r.message))
                })
                .collect(),
            partial_fingerprints: BTreeMap::from([("sgcheck/v1", fingerprint(f))]),
            properties: ResultProperties {
                confidence: f.confidence.as_str(),
                resource: f.resource.clone(),
            },
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "sgcheck",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules: catalog.iter().map(|r| descriptor(r)).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: report.errors.is_empty() && report.path_errors.is_empty(),
                tool_execution_notifications: notifications(report, &files),
            }],
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut out = super::escape::to_json_pretty(&log);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn results_carry_regions_related_locations_and_fingerprints() {
        let report = sample_report();
        let v: serde_json::Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "sgcheck");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "SG001");
        assert_eq!(r["level"], "error");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "infra/sg.tf");
        assert_eq!(loc["region"]["startLine"], 4);
        assert_eq!(loc["region"]["startColumn"], 20);
        assert_eq!(loc["region"]["endColumn"], 31);
        let rel = &r["relatedLocations"][1];
        assert_eq!(
            rel["physicalLocation"]["artifactLocation"]["uri"],
            "infra/variables.tf"
        );
        assert_eq!(
            rel["message"]["text"],
            "value comes from variable 'admin_cidr' default"
        );
        assert_eq!(
            r["partialFingerprints"]["sgcheck/v1"],
            fingerprint(&report.findings[0])
        );
        assert_eq!(r["properties"]["confidence"], "definite");
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("infra/my sg.tf"), "infra/my%20sg.tf");
        assert_eq!(uri("/abs/a:b.tf"), "file:///abs/a%3Ab.tf");
        assert_eq!(uri("C:/x/y.tf"), "file:///C:/x/y.tf");
        assert_eq!(uri("a#b%.tf"), "a%23b%25.tf");
    }

    #[test]
    fn security_severity_by_level() {
        assert_eq!(security_severity(Severity::Error), "8.0");
        assert_eq!(security_severity(Severity::Warning), "5.0");
        assert_eq!(security_severity(Severity::Note), "2.0");
    }
}
