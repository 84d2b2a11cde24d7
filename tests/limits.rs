//! Bounded inputs: hostile or oversized files are refused with a spanned reason, never a
//! crash, and every other file of the run is still linted.

use std::path::{Path, PathBuf};

use sgcheck::settings::Settings;
use sgcheck::Report;

/// A Terraform file with one open SSH ingress (SG001), linted alongside each bad input.
const GOOD_TF: &str = r#"resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path
}

/// A directory with the good file in it.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good/main.tf", GOOD_TF);
    dir
}

fn lint(dir: &Path, settings: &Settings) -> Report {
    sgcheck::lint(&[dir.to_path_buf()], settings)
}

fn path_of(report: &Report, span: sgcheck::source::Span) -> String {
    report.sources.get(span.file).display_path()
}

/// The good file was linted: its SG001 finding is there.
fn assert_good_linted(report: &Report) {
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "SG001" && path_of(report, f.span).ends_with("good/main.tf")),
        "SG001 in good/main.tf: {:?}",
        report.findings
    );
}

/// The one error of the run: in a file named `name`, with its message and 1-based line/column.
fn only_error(report: &Report, name: &str) -> (String, usize, usize) {
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    let file = report.sources.get(e.span.file);
    assert!(
        file.display_path().ends_with(name),
        "{}",
        file.display_path()
    );
    let lc = file.line_col(e.span.start as usize);
    (e.message.clone(), lc.line, lc.column)
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let dir = repo();
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\na: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    bomb.push_str("Resources: {}\n");
    write(dir.path(), "bomb.yaml", bomb);
    let report = lint(dir.path(), &Settings::default());
    let (message, line, _) = only_error(&report, "bomb.yaml");
    assert!(message.contains("aliases expand"), "{message}");
    assert!(line >= 3, "the error points at an alias, line {line}");
    assert_good_linted(&report);
}

#[test]
fn deep_yaml_nesting_is_a_spanned_error() {
    // block mappings, one level per line
    let dir = repo();
    let block: String = (0..300)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i + 1)))
        .collect();
    let deep = format!("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{block}");
    write(dir.path(), "deep.yaml", deep);
    let report = lint(dir.path(), &Settings::default());
    let (message, line, _) = only_error(&report, "deep.yaml");
    assert!(message.contains("YAML nesting deeper than"), "{message}");
    assert!(line > 100, "line {line} is where the limit is crossed");
    assert_good_linted(&report);

    // flow sequences, all on one line: refused by the parser's own limit
    let dir = repo();
    let deep = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(dir.path(), "deep.yaml", deep);
    let report = lint(dir.path(), &Settings::default());
    let (message, line, column) = only_error(&report, "deep.yaml");
    assert!(message.contains("YAML"), "{message}");
    assert_eq!(line, 3);
    assert!(column > 5, "column {column}");
    assert_good_linted(&report);
}

#[test]
fn deep_json_nesting_is_a_spanned_error() {
    let dir = repo();
    let deep = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\",\n\"Resources\": {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(dir.path(), "deep.json", deep);
    let report = lint(dir.path(), &Settings::default());
    let (message, line, column) = only_error(&report, "deep.json");
    assert!(message.contains("JSON nesting deeper than"), "{message}");
    assert_eq!(line, 2);
    assert!(column > 200, "column {column}");
    assert_good_linted(&report);
}

#[test]
fn deep_hcl_nesting_is_a_spanned_error() {
    let dir = repo();
    for (name, text) in [
        (
            "lists",
            format!(
                "locals {{\n  a = {}{}\n}}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "blocks",
            format!("{}{}", "b {\n".repeat(10_000), "}\n".repeat(10_000)),
        ),
        (
            "calls",
            format!(
                "locals {{\n  a = {}1{}\n}}\n",
                "max(".repeat(10_000),
                ")".repeat(10_000)
            ),
        ),
        (
            "templates",
            format!(
                "locals {{\n  a = {}1{}\n}}\n",
                "\"${".repeat(10_000),
                "}\"".repeat(10_000)
            ),
        ),
    ] {
        let sub = tempfile::tempdir_in(dir.path()).unwrap();
        write(sub.path(), "deep.tf", text);
        let report = lint(sub.path(), &Settings::default());
        let (message, line, _) = only_error(&report, "deep.tf");
        assert!(message.contains("nesting depth"), "{name}: {message}");
        assert!(line >= 1, "{name}");
        let report = lint(dir.path(), &Settings::default());
        assert_good_linted(&report);
        drop(sub);
    }
}

#[test]
fn files_over_the_size_limit_fail_the_run_unread_unless_skipping_is_allowed() {
    let dir = repo();
    let big = format!("{GOOD_TF}# {}\n", "x".repeat(4096)).replace("\"ssh\"", "\"big\"");
    let expected = format!(
        "file is {} bytes, over the 1024 byte limit; not analysed",
        big.len()
    );
    write(dir.path(), "big/main.tf", big);
    let mut settings = Settings {
        max_file_size: 1024,
        ..Settings::default()
    };
    // padding a file past the limit must not slip it past CI
    let report = lint(dir.path(), &settings);
    let (message, line, column) = only_error(&report, "big/main.tf");
    assert_eq!(message, expected);
    assert_eq!((line, column), (1, 1));
    assert_eq!(sgcheck::report::exit_code(&report, None), 2);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.findings.iter().all(|f| !f.resource.contains("big")));
    assert_good_linted(&report);
    // with `skip_unreadable` it is listed as skipped and the run goes on
    settings.skip_unreadable = true;
    let report = lint(dir.path(), &settings);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    let skip = &report.skipped[0];
    let file = report.sources.get(skip.span.file);
    assert!(file.display_path().ends_with("big/main.tf"));
    assert_eq!(skip.reason, expected);
    assert!(file.text.is_empty(), "the file's content was not kept");
    assert_good_linted(&report);
    // the default limit is 10 MB
    assert_eq!(Settings::default().max_file_size, 10 * 1024 * 1024);
}

#[test]
fn non_utf8_content_is_an_error_with_line_and_column() {
    let dir = repo();
    let mut bytes = b"locals {\n  a = \"caf".to_vec();
    bytes.extend([0xff, 0xfe]);
    bytes.extend(b"\"\n}\n");
    write(dir.path(), "latin/main.tf", bytes);
    let report = lint(dir.path(), &Settings::default());
    let (message, line, column) = only_error(&report, "latin/main.tf");
    assert!(message.contains("not valid UTF-8"), "{message}");
    assert_eq!((line, column), (2, 11));
    assert_good_linted(&report);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_out_of_the_root() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "main.tf",
        GOOD_TF.replace("\"ssh\"", "\"outside\""),
    );
    let dir = repo();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked_dir")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("main.tf"), dir.path().join("linked.tf"))
        .unwrap();
    let report = lint(dir.path(), &Settings::default());
    assert!(report
        .sources
        .files()
        .iter()
        .all(|f| !f.text.contains("outside")));
    assert!(report
        .findings
        .iter()
        .all(|f| !f.resource.contains("outside")));
    assert_eq!(report.files, 1);
    // neither link is dropped without a word
    let skipped: Vec<(String, &str)> = report
        .skipped
        .iter()
        .map(|s| (path_of(&report, s.span), s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].0.ends_with("linked.tf"), "{skipped:?}");
    assert_eq!(skipped[0].1, "symbolic link: path leaves the analysed tree");
    assert!(skipped[1].0.ends_with("linked_dir"), "{skipped:?}");
    assert_eq!(skipped[1].1, "symbolic link to a directory, not followed");
    assert_good_linted(&report);
}

#[test]
fn vendored_and_cache_directories_are_skipped() {
    let dir = repo();
    let open = GOOD_TF.replace("\"ssh\"", "\"vendored\"");
    write(dir.path(), ".terraform/modules/m/main.tf", &open);
    write(dir.path(), "node_modules/pkg/main.tf", &open);
    write(
        dir.path(),
        "node_modules/pkg/template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\n",
    );
    let report = lint(dir.path(), &Settings::default());
    assert_eq!(report.files, 1, "only good/main.tf is read");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_good_linted(&report);
}
