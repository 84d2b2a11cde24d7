//! `--format json`: the contract's JSON document (version 1).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::Location;
use crate::source::{SourceFile, Span};
use crate::Report;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError>,
    skipped: Vec<JsonSkip<'a>>,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    confidence: &'a str,
    message: &'a str,
    #[serde(flatten)]
    location: Loc,
    resource: &'a str,
    related: Vec<JsonRelated<'a>>,
}

/// [`Location`] with the contract's field names.
#[derive(Serialize)]
struct Loc {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    location: Loc,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonError {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    message: String,
}

#[derive(Serialize)]
struct JsonSkip<'a> {
    file: String,
    line: usize,
    column: usize,
    reason: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    resources: usize,
    findings: usize,
    errors: usize,
    skipped: usize,
    /// Module calls whose source was not followed (registry, git).
    modules_not_analysed: Vec<JsonSkip<'a>>,
    /// Attribute values that stayed unknown, counted by reason.
    unknowns: &'a BTreeMap<String, usize>,
    unknowns_by_module: &'a BTreeMap<String, BTreeMap<String, usize>>,
}

fn loc(files: &[Arc<SourceFile>], span: Span) -> Loc {
    let l = Location::of(files, span);
    Loc {
        file: l.file,
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
    }
}

fn skip<'a>(files: &[Arc<SourceFile>], span: Span, reason: &'a str) -> JsonSkip<'a> {
    let l = Location::of(files, span);
    JsonSkip {
        file: l.file,
        line: l.line,
        column: l.column,
        reason,
    }
}

/// An error for a path that could not be walked or read: 1:1 when it names a file.
fn path_error(path: &Path, message: &str) -> JsonError {
    let at_file = path.is_file().then_some(1);
    let file = path.to_string_lossy().replace('\\', "/");
    JsonError {
        file: file.strip_prefix("./").map(str::to_string).unwrap_or(file),
        line: at_file,
        column: at_file,
        message: message.to_string(),
    }
}

/// Renders the contract's JSON document (pretty-printed, newline-terminated).
pub fn render(report: &Report) -> String {
    let files = report.sources.files();
    // positions are resolved in parallel (each needs its file's line index)
    let findings = report
        .findings
        .par_iter()
        .map(|f| JsonFinding {
            rule: f.rule,
            name: f.name,
            severity: f.severity.as_str(),
            confidence: f.confidence.as_str(),
            message: &f.message,
            location: loc(&files, f.span),
            resource: &f.resource,
            related: f
                .related
                .iter()
                .map(|r| JsonRelated {
                    location: loc(&files, r.span),
                    message: &r.message,
                })
                .collect(),
        })
        .collect();
    let mut errors: Vec<JsonError> = report
        .errors
        .iter()
        .map(|d| {
            let l = Location::of(&files, d.span);
            JsonError {
                file: l.file,
                line: Some(l.line),
                column: Some(l.column),
                message: d.message.clone(),
            }
        })
        .collect();
    errors.extend(report.path_errors.iter().map(|(p, m)| path_error(p, m)));
    let skipped: Vec<_> = report
        .skipped
        .iter()
        .map(|s| skip(&files, s.span, &s.reason))
        .collect();
    let doc = Document {
        version: 1,
        summary: Summary {
            files: report.files,
            resources: report.resources,
            findings: report.findings.len(),
            errors: errors.len(),
            skipped: skipped.len(),
            modules_not_analysed: report
                .modules_not_analysed
                .iter()
                .map(|s| skip(&files, s.span, &s.reason))
                .collect(),
            unknowns: &report.unknowns,
            unknowns_by_module: &report.unknowns_by_module,
        },
        findings,
        errors,
        skipped,
    };
    let mut out = super::escape::to_json_pretty(&doc);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn document_has_every_contract_field() {
        let mut report = sample_report();
        report
            .path_errors
            .push(("./missing".into(), "No such file or directory".into()));
        let v: serde_json::Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(v["version"], 1);
        let f = &v["findings"][0];
        assert_eq!(f["rule"], "SG001");
        assert_eq!(f["name"], "open-admin-port");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["confidence"], "definite");
        assert_eq!(f["file"], "infra/sg.tf");
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(4), Some(20))
        );
        assert_eq!(f["end_line"], 4);
        assert_eq!(f["end_column"], 31);
        assert_eq!(f["resource"], "aws_security_group.web");
        let r = &f["related"][1];
        assert_eq!(r["file"], "infra/variables.tf");
        assert_eq!(
            (r["line"].as_u64(), r["column"].as_u64()),
            (Some(2), Some(13))
        );
        assert_eq!(r["end_column"], 24);
        assert_eq!(
            r["message"],
            "value comes from variable 'admin_cidr' default"
        );
        let e = &v["errors"][0];
        assert_eq!(e["file"], "infra/broken.tf");
        assert_eq!(
            (e["line"].as_u64(), e["column"].as_u64()),
            (Some(2), Some(5))
        );
        assert_eq!(v["errors"][1]["file"], "missing");
        assert!(v["errors"][1].get("line").is_none());
        assert_eq!(v["skipped"][0]["reason"], "example skip");
        assert_eq!(v["skipped"][0]["line"], 1);
        let s = &v["summary"];
        assert_eq!(s["files"], 3);
        assert_eq!(s["resources"], 1);
        assert_eq!(s["findings"], 1);
        assert_eq!(s["errors"], 2);
        assert_eq!(s["skipped"], 1);
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(render(&sample_report()), render(&sample_report()));
    }
}
