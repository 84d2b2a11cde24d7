//! Rule pages: metadata is consistent with the registry, every page's examples run (bad fires
//! the rule, good does not), and the rendered diagnostics of each bad example are snapshotted.

mod common;

use std::path::Path;

use sgcheck::rules::{page, ALL, META};

#[test]
fn registry_and_pages_agree() {
    for list in [ALL, META] {
        let ids: Vec<&str> = list.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "rule ids are unique and sorted");
    }
    let ids: Vec<&str> = ALL.iter().chain(META).map(|r| r.id).collect();
    assert!(
        !ALL.iter().any(|r| META.iter().any(|m| m.id == r.id)),
        "ALL and META are disjoint"
    );
    for r in ALL.iter().chain(META) {
        let p = page::parse(r.page_text).unwrap_or_else(|e| panic!("{}: {e}", r.id));
        assert_eq!(p.meta.id, r.id);
        assert!(
            sgcheck::finding::Severity::parse(&p.meta.severity).is_some(),
            "{}: severity",
            r.id
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let id = name.trim_end_matches(".md");
        assert!(ids.contains(&id), "page {name} has no registered rule");
    }
}

fn write_example(dir: &Path, ex: &page::Example) {
    let name = if ex.frontend == "terraform" {
        "main.tf"
    } else {
        "template.yaml"
    };
    std::fs::write(dir.join(name), &ex.code).unwrap();
}

#[test]
fn page_examples_behave() {
    let mut fails = Vec::new();
    for r in ALL.iter().chain(META) {
        let p = r.page();
        let examples = page::examples(&p.body);
        for fe in ["terraform", "cloudformation"] {
            for verdict in ["bad", "good"] {
                if !examples
                    .iter()
                    .any(|e| e.frontend == fe && e.verdict == verdict)
                {
                    fails.push(format!("{}: no `{fe} {verdict}` example", r.id));
                }
            }
        }
        for ex in &examples {
            let dir = tempfile::tempdir().unwrap();
            write_example(dir.path(), ex);
            let doc = common::lint_json(dir.path());
            if doc["errors"].as_array().is_some_and(|e| !e.is_empty()) {
                fails.push(format!(
                    "{} {} {}: errors {}",
                    r.id, ex.frontend, ex.verdict, doc["errors"]
                ));
            }
            let fired = doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == r.id);
            if fired != (ex.verdict == "bad") {
                fails.push(format!(
                    "{} {} {}: rule fired = {fired}",
                    r.id, ex.frontend, ex.verdict
                ));
            }
        }
    }
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

#[test]
fn rendered_diagnostics_snapshot() {
    for r in ALL {
        let examples = page::examples(&r.page().body);
        let Some(ex) = examples
            .iter()
            .find(|e| e.frontend == "terraform" && e.verdict == "bad")
        else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        write_example(dir.path(), ex);
        let mut report = sgcheck::lint(&[dir.path().to_path_buf()], &Default::default());
        report.findings.retain(|f| f.rule == r.id);
        let text = sgcheck::report::render(&report, sgcheck::report::Format::Human, false);
        let text = text.replace(&format!("{}/", dir.path().display()), "");
        insta::assert_snapshot!(r.id, text);
    }
}
