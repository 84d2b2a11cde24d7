//! Helpers shared by integration tests.

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
