//! sgcheck: a security linter for AWS infrastructure-as-code that proves which resources the
//! internet can reach.
//!
//! Flow (one direction, no layer reaches back up):
//! [`walk`] → [`source`] → [`frontend`] (Terraform, CloudFormation) → [`ir`] resources →
//! [`model`] (typed network model) → [`net`] (reachability) → [`rules`] → [`finding`]s → [`report`].

pub mod budget;
pub mod cli;
pub mod config;
pub mod finding;
pub mod frontend;
pub mod input;
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
use input::{read_text, Confinement, ReadError};
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
    /// The run's IR, kept so that [`Report::forget`] can skip freeing it.
    ir: Vec<ir::Resource>,
}

impl Report {
    /// Ends a one-shot run without freeing the report: freeing walks every resource and
    /// value of the run, piece by piece, which the operating system does at once when the
    /// process exits.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

/// Stack size of the worker threads: recursion is bounded by depth limits, but nesting at
/// those limits needs more than a default thread stack.
const STACK: usize = 64 * 1024 * 1024;

/// Runs `f` on a thread pool whose threads have deep stacks.
pub fn with_deep_stacks<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().stack_size(STACK).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// Lints `paths` (files or directories).
pub fn lint(paths: &[PathBuf], settings: &Settings) -> Report {
    with_deep_stacks(|| lint_here(paths, settings))
}

/// [`lint`] on the current thread pool.
fn lint_here(paths: &[PathBuf], settings: &Settings) -> Report {
    let mut report = Report::default();
    let exclude = match walk::exclude_set(&settings.exclude) {
        Ok(set) => set,
        Err(e) => {
            report.path_errors.push((PathBuf::from("--exclude"), e));
            return report;
        }
    };
    let (confinement, outside) = Confinement::new(paths, settings.root.as_deref());
    let paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !outside.iter().any(|(o, _)| o == *p))
        .cloned()
        .collect();
    report.path_errors = outside;
    let walked = walk::walk(
        &paths,
        &walk::WalkOptions {
            exclude: &exclude,
            confinement: &confinement,
            ignore_files: settings.ignore_files,
        },
    );
    report.path_errors.extend(walked.errors);

    let read: Vec<_> = walked
        .files
        .par_iter()
        .map(|w| read_text(&w.read_from, settings.max_file_size, false))
        .collect();
    // files get ids in walk order; line indexes are built in parallel
    let mut lowered = Lowered::default();
    let mut texts = Vec::with_capacity(read.len());
    let mut outcomes = Vec::with_capacity(read.len());
    for (w, content) in walked.files.into_iter().zip(read) {
        let (text, outcome): (Arc<str>, _) = match content {
            Ok(text) => (text.into(), Outcome::Lint(w.kind)),
            Err(ReadError::NotUtf8 { lossy, offset }) => (lossy.into(), Outcome::NotUtf8(offset)),
            Err(e) => ("".into(), Outcome::Unread(e)),
        };
        texts.push((w.path, text));
        outcomes.push(outcome);
    }
    let mut templates = Vec::new();
    let mut terraform = Vec::new();
    for (file, outcome) in report.sources.add_all(texts).into_iter().zip(outcomes) {
        match outcome {
            Outcome::Lint(FileKind::MaybeTemplate) => templates.push(file),
            Outcome::Lint(_) => terraform.push(file),
            Outcome::Unread(e) => {
                lowered.unread(file.body_span(0, 0), &e, settings.skip_unreadable)
            }
            Outcome::NotUtf8(offset) => lowered.errors.push(Diagnostic {
                span: Span::new(file.id, offset, offset),
                message: "file is not valid UTF-8".to_string(),
            }),
        }
    }
    for (path, reason) in walked.skipped {
        let file = report.sources.add(path, "");
        lowered.skipped.push(Skip {
            span: file.body_span(0, 0),
            reason,
        });
    }

    // CloudFormation and Terraform are lowered concurrently: neither waits for the other's
    // slowest file. Only Terraform adds files to the source map, so file ids stay stable.
    let (cfn, tf) = rayon::join(
        || {
            // a YAML/JSON file is a CloudFormation template, a Terraform plan, or not ours
            templates
                .par_iter()
                .filter_map(|f| {
                    frontend::cloudformation::lower_file(f, settings)
                        .or_else(|| frontend::terraform::lower_plan(f))
                })
                .collect::<Vec<Lowered>>()
        },
        || frontend::terraform::lower_here(&terraform, &report.sources, settings, &confinement),
    );
    report.files += cfn.len() + terraform.len();
    for l in cfn {
        lowered.extend(l);
    }
    lowered.extend(tf);

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
    drop(model);
    report.ir = std::mem::take(&mut lowered.resources);
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

/// What becomes of a file that was read.
enum Outcome {
    Lint(FileKind),
    Unread(ReadError),
    NotUtf8(usize),
}
