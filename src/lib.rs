//! sgcheck: a security linter for AWS infrastructure-as-code that proves which resources the
//! internet can reach.
//!
//! Flow (one direction, no layer reaches back up):
//! [`walk`] → [`source`] → [`frontend`] (Terraform, CloudFormation) → [`ir`] resources →
//! [`model`] (typed network model) → [`net`] (reachability) → [`rules`] → [`finding`]s → [`report`].

pub mod cli;
pub mod config;
pub mod finding;
pub mod frontend;
pub mod ir;
pub mod model;
pub mod net;
pub mod report;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use finding::Finding;
use ir::{Diagnostic, Lowered, Skip};
use settings::Settings;
use source::{SourceFile, SourceMap, Span};
use walk::FileKind;

/// Everything one run found, ready for any output format.
#[derive(Debug, Default)]
pub struct Report {
    pub sources: SourceMap,
    /// Sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    pub errors: Vec<Diagnostic>,
    pub skipped: Vec<Skip>,
    pub modules_not_analysed: Vec<Skip>,
    /// Paths that could not be walked or read at all (no file to point into).
    pub path_errors: Vec<(PathBuf, String)>,
    /// Files read as Terraform or CloudFormation.
    pub files: usize,
    pub resources: usize,
    /// Attribute values that stayed unknown, counted by reason.
    pub unknowns: BTreeMap<String, usize>,
    /// The same counts per Terraform module (root directory or module instance address).
    pub unknowns_by_module: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Lints `paths` (files or directories).
pub fn lint(paths: &[PathBuf], settings: &Settings) -> Report {
    let mut report = Report::default();
    let exclude = match walk::exclude_set(&settings.exclude) {
        Ok(set) => set,
        Err(e) => {
            report.path_errors.push((PathBuf::from("--exclude"), e));
            return report;
        }
    };
    let walked = walk::walk(paths, &exclude);
    report.path_errors = walked.errors;

    let read: Vec<_> = walked
        .files
        .par_iter()
        .map(|w| {
            (
                w.kind,
                w.path.clone(),
                read_file(&w.path, settings.max_file_size),
            )
        })
        .collect();
    let mut templates = Vec::new();
    let mut terraform = Vec::new();
    for (kind, path, content) in read {
        match content {
            Ok(text) => {
                let file = report.sources.add(path, text);
                match kind {
                    FileKind::MaybeTemplate => templates.push(file),
                    _ => terraform.push(file),
                }
            }
            Err(ReadProblem::Io(e)) => report.path_errors.push((path, e)),
            Err(ReadProblem::TooLarge(size)) => {
                let file = report.sources.add(path, "");
                report.skipped.push(Skip {
                    span: Span::new(file.id, 0, 0),
                    reason: format!(
                        "file is {size} bytes, over the {} byte limit",
                        settings.max_file_size
                    ),
                });
            }
            Err(ReadProblem::NotUtf8 { lossy, offset }) => {
                let file = report.sources.add(path, lossy);
                report.errors.push(Diagnostic {
                    span: Span::new(file.id, offset, offset),
                    message: "file is not valid UTF-8".to_string(),
                });
            }
        }
    }

    let mut lowered = Lowered::default();
    // a YAML/JSON file is a CloudFormation template, a Terraform plan, or not ours
    let cfn: Vec<Lowered> = templates
        .par_iter()
        .filter_map(|f| {
            frontend::cloudformation::lower_file(f, settings)
                .or_else(|| frontend::terraform::lower_plan(f))
        })
        .collect();
    report.files += cfn.len();
    for l in cfn {
        lowered.extend(l);
    }
    report.files += terraform.len();
    lowered.extend(frontend::terraform::lower(
        &terraform,
        &report.sources,
        settings,
    ));

    let model = model::build(&lowered.resources, &report.sources, settings);
    let mut findings = rules::run(&model, settings);
    let notes = suppress::apply(
        &mut findings,
        &lowered.resources,
        &report.sources,
        &suppress::Aliases::from_rules(rules::ALL),
        &settings.disabled_rules,
    );
    findings.extend(notes);
    sort_findings(&mut findings, &report.sources);

    report.resources = lowered.resources.len();
    report.findings = findings;
    report.errors.extend(lowered.errors);
    report.skipped.extend(lowered.skipped);
    report.modules_not_analysed = lowered.modules_not_analysed;
    report.unknowns = lowered.unknowns;
    report.unknowns_by_module = lowered.unknowns_by_module;
    // by path, not file id: ids of files read while evaluating depend on thread timing
    let files = report.sources.files();
    let path = |s: Span| files[s.file.0 as usize].display_path();
    report
        .errors
        .sort_by_cached_key(|d| (path(d.span), d.span.start, d.message.clone()));
    report
        .skipped
        .sort_by_cached_key(|d| (path(d.span), d.span.start, d.reason.clone()));
    report
}

fn sort_findings(findings: &mut [Finding], sources: &SourceMap) {
    let files = sources.files();
    findings.sort_by_cached_key(|f| {
        let file: &SourceFile = &files[f.span.file.0 as usize];
        (
            file.display_path(),
            f.span.start,
            f.span.end,
            f.rule,
            f.resource.clone(),
            f.message.clone(),
        )
    });
}

enum ReadProblem {
    Io(String),
    TooLarge(u64),
    NotUtf8 { lossy: String, offset: usize },
}

fn read_file(path: &std::path::Path, limit: u64) -> Result<Arc<str>, ReadProblem> {
    let size = std::fs::metadata(path)
        .map_err(|e| ReadProblem::Io(e.to_string()))?
        .len();
    if size > limit {
        return Err(ReadProblem::TooLarge(size));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadProblem::Io(e.to_string()))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s.into()),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            Err(ReadProblem::NotUtf8 {
                lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                offset,
            })
        }
    }
}
