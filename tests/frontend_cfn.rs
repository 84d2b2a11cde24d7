//! The CloudFormation frontend over real templates: the shared corpus (no panic, every
//! diagnostic inside its file, fast) and the acceptance scenarios (no errors).

mod shared;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use sgcheck::frontend::cloudformation::lower_file;
use sgcheck::ir::Lowered;
use sgcheck::settings::Settings;
use sgcheck::source::{SourceFile, SourceMap};

/// The shared directory `name` beside the checkout (`../shared`), also from a worktree
/// one level deeper (`../../shared`).
/// Every file under `dir` with a YAML/JSON/template extension, sorted.
fn candidates(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ["yaml", "yml", "json", "template"].contains(&x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Lowers `path`, checking every span lies inside the file.
fn lower(map: &SourceMap, path: &Path) -> Option<(Arc<SourceFile>, Lowered)> {
    let text = std::fs::read_to_string(path).ok()?;
    let file = map.add(path.to_path_buf(), text);
    let lowered = lower_file(&file, &Settings::default())?;
    let len = file.text.len() as u32;
    for d in &lowered.errors {
        assert_eq!(d.span.file, file.id);
        assert!(
            d.span.start <= d.span.end && d.span.end <= len,
            "{}: {d:?}",
            path.display()
        );
    }
    for s in &lowered.skipped {
        assert!(s.span.end <= len, "{}: {s:?}", path.display());
    }
    for r in &lowered.resources {
        assert!(
            r.span.end <= len && r.span.start < r.span.end,
            "{}: {}",
            path.display(),
            r.key
        );
    }
    Some((file, lowered))
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn corpus_templates_lower_without_panic() {
    let dir = shared::dir("corpus");
    let dir = dir.as_path();
    let map = SourceMap::default();
    let files = candidates(dir);
    let start = Instant::now();
    let (mut templates, mut resources, mut errors, mut skipped) = (0, 0, Vec::new(), Vec::new());
    let mut unknowns: BTreeMap<String, usize> = BTreeMap::new();
    // Lowered on all cores, as the pipeline does; results stay in file order.
    let lowered: Vec<_> = files
        .par_iter()
        .filter_map(|path| Some((path, lower(&map, path)?)))
        .collect();
    let elapsed = start.elapsed();
    for (path, (file, l)) in lowered {
        templates += 1;
        resources += l.resources.len();
        let rel = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        let at = |span: sgcheck::source::Span| file.line_col(span.start as usize).line;
        errors.extend(
            l.errors
                .iter()
                .map(|d| format!("{rel}:{}: {}", at(d.span), d.message)),
        );
        skipped.extend(
            l.skipped
                .iter()
                .map(|s| format!("{rel}:{}: {}", at(s.span), s.reason)),
        );
        for (class, n) in l.unknowns {
            *unknowns.entry(class).or_default() += n;
        }
    }
    eprintln!(
        "{} files, {templates} templates, {resources} resources, {} errors, {} skipped in {elapsed:?}",
        files.len(),
        errors.len(),
        skipped.len()
    );
    eprintln!("unknown values by class: {unknowns:?}");
    for e in &errors {
        eprintln!("error: {e}");
    }
    for s in &skipped {
        eprintln!("skipped: {s}");
    }
    assert!(templates > 100, "too few templates detected: {templates}");
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn scenario_templates_lower_without_errors() {
    let dir = shared::dir("scenarios");
    let dir = dir.as_path();
    let map = SourceMap::default();
    for scenario in ["01", "08", "10", "14", "20", "28", "31"] {
        let Some(sdir) = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(scenario))
            })
        else {
            panic!("scenario {scenario} not found");
        };
        let lowered: Vec<Lowered> = candidates(&sdir)
            .iter()
            .filter_map(|p| lower(&map, p))
            .map(|(_, l)| l)
            .collect();
        assert_eq!(
            lowered.len(),
            1,
            "scenario {scenario}: one template expected"
        );
        let l = &lowered[0];
        assert!(l.errors.is_empty(), "scenario {scenario}: {:?}", l.errors);
        assert!(l.skipped.is_empty(), "scenario {scenario}: {:?}", l.skipped);
        assert!(!l.resources.is_empty(), "scenario {scenario}: no resources");
    }
}
