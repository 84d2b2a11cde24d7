//! The semantic fixtures (`fixtures/scenarios/*`, one per row of the reachability reference)
//! and, when present, the shared acceptance scenarios: each directory is linted and checked
//! against its `expect.json`.

mod common;

use std::path::{Path, PathBuf};

fn scenario_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.join("expect.json").is_file());
    dirs.sort();
    dirs
}

fn run_all(root: &Path) -> (usize, Vec<String>) {
    let dirs = scenario_dirs(root);
    let mut fails = Vec::new();
    for d in &dirs {
        let expect: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("expect.json")).unwrap()).unwrap();
        let doc = common::lint_json(d);
        for f in common::check_expectations(&doc, &expect) {
            fails.push(format!("{}: {f}", d.file_name().unwrap().to_string_lossy()));
        }
    }
    (dirs.len(), fails)
}

#[test]
fn semantic_fixtures_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let (n, fails) = run_all(&root);
    assert!(n >= 39, "expected a fixture per reference row, found {n}");
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

#[test]
fn shared_acceptance_scenarios_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/scenarios");
    if !root.is_dir() {
        eprintln!("shared scenarios not present; skipped");
        return;
    }
    let (n, fails) = run_all(&root);
    assert!(n > 0);
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}
