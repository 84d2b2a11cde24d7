//! Helpers shared by integration tests: lint into JSON, match `expect.json` entries.

use std::path::Path;

use serde_json::Value;

/// Lints `dir` (as the current-directory-relative path `.` would be shown) and returns the
/// contract JSON document.
pub fn lint_json(dir: &Path) -> Value {
    let report = sgcheck::lint(
        &[dir.to_path_buf()],
        &sgcheck::settings::Settings::default(),
    );
    let text = sgcheck::report::render(&report, sgcheck::report::Format::Json, false);
    let mut doc: Value = serde_json::from_str(&text).expect("JSON output");
    // make file paths relative to the linted directory, as the scorer does
    let prefix = format!("{}/", dir.display());
    for list in ["findings", "errors", "skipped"] {
        if let Some(items) = doc[list].as_array_mut() {
            for f in items {
                if let Some(file) = f["file"].as_str() {
                    let rel = file.strip_prefix(&prefix).unwrap_or(file).to_string();
                    f["file"] = Value::String(rel);
                }
            }
        }
    }
    doc
}

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
pub fn matches(exp: &Value, finding: &Value) -> bool {
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
pub fn check_expectations(doc: &Value, expect: &Value) -> Vec<String> {
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
