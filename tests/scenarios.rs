//! The semantic fixtures (`fixtures/scenarios/*`, one per row of the reachability reference)
//! and, when present, the shared acceptance scenarios: each directory is linted and checked
//! against its `expect.json`.

mod common;

mod shared;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn resource_matches(want: &str, got: &str) -> bool {
    if want == got {
        return true;
    }
    if want.ends_with(']') {
        return false;
    }
    got.strip_prefix(want)
        .is_some_and(|rest| rest.starts_with('[') && rest.ends_with(']'))
}

/// Whether a finding matches every key of an expectation.
fn matches(exp: &Value, finding: &Value) -> bool {
    exp.as_object().is_some_and(|o| {
        o.iter().all(|(k, want)| {
            let got = &finding[k];
            match k.as_str() {
                "resource" => want
                    .as_str()
                    .zip(got.as_str())
                    .is_some_and(|(w, g)| resource_matches(w, g)),
                "file" => want.as_str().map(|w| w.trim_start_matches("./")) == got.as_str(),
                _ => want == got,
            }
        })
    })
}

/// Checks a linted document against an `expect.json`; returns the failures.
fn check_expectations(doc: &Value, expect: &Value) -> Vec<String> {
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let mut fails = Vec::new();
    if doc["errors"].as_array().is_some_and(|e| !e.is_empty()) {
        fails.push(format!("errors reported: {}", doc["errors"]));
    }
    for e in expect["must"].as_array().into_iter().flatten() {
        if !findings.iter().any(|f| matches(e, f)) {
            fails.push(format!("must {e}: no matching finding"));
        }
    }
    for e in expect["must_not"].as_array().into_iter().flatten() {
        for f in findings.iter().filter(|f| matches(e, f)) {
            fails.push(format!(
                "must_not {e}: matched {} {} {}",
                f["rule"], f["file"], f["resource"]
            ));
        }
    }
    fails
}

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
        for f in check_expectations(&doc, &expect) {
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
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn shared_acceptance_scenarios_hold() {
    let root = shared::dir("scenarios");
    let (n, fails) = run_all(&root);
    assert!(n > 0);
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}
