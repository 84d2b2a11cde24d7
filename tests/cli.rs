//! End-to-end tests of the `sgcheck` binary: exit codes, output formats, config, rules/explain.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use sgcheck::finding::{Confidence, Finding, Related, Severity};
use sgcheck::ir::{Diagnostic, Skip};
use sgcheck::source::Span;
use sgcheck::Report;

fn sgcheck() -> Command {
    let mut cmd = Command::cargo_bin("sgcheck").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

/// Asserts the contract's top-level shape of `lint --format json`.
fn assert_contract_shape(v: &Value) {
    assert_eq!(v["version"], 1);
    for key in ["findings", "errors", "skipped"] {
        assert!(v[key].is_array(), "{key} is a list");
    }
    for key in ["files", "resources", "findings", "errors", "skipped"] {
        assert!(v["summary"][key].is_u64(), "summary.{key} is a count");
    }
    for f in v["findings"].as_array().unwrap() {
        for key in [
            "rule",
            "name",
            "severity",
            "confidence",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "resource",
            "related",
        ] {
            assert!(f.get(key).is_some(), "finding has {key}: {f}");
        }
    }
}

#[test]
fn empty_directory_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = sgcheck()
        .args(["lint", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(v["summary"]["findings"], 0);
    assert_eq!(v["summary"]["errors"], 0);
}

#[test]
fn default_path_is_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    sgcheck()
        .current_dir(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings in 0 files"));
}

#[test]
fn missing_path_exits_2_with_an_error_entry() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = sgcheck()
        .args(["lint", "--format", "json"])
        .arg(&missing)
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(v["summary"]["errors"], 1);
    assert!(v["errors"][0]["file"].as_str().unwrap().ends_with("nope"));
}

#[test]
fn unreadable_file_content_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        b"variable \"a\" {}\n  x = \"\xff\"\n",
    )
    .unwrap();
    let out = sgcheck()
        .current_dir(dir.path())
        .args(["lint", "--format", "json", "."])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_contract_shape(&v);
    let e = &v["errors"][0];
    assert_eq!(e["file"], "main.tf");
    assert_eq!(e["line"], 2);
    assert_eq!(e["column"], 8);
    assert!(e["message"].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn usage_errors_exit_2() {
    sgcheck().assert().code(2);
    sgcheck()
        .args(["lint", "--format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("xml"));
    sgcheck()
        .args(["lint", "--fail-on", "sometimes"])
        .assert()
        .code(2);
    sgcheck()
        .args(["lint", "--var", "novalue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NAME=VALUE"));
    sgcheck().args(["frobnicate"]).assert().code(2);
}

#[test]
fn help_and_version_exit_0() {
    sgcheck()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("lint"));
    sgcheck()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_parameters_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("params.json");
    std::fs::write(&params, "[{\"Key\": 1}]").unwrap();
    sgcheck()
        .args(["lint", "--parameters"])
        .arg(&params)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ParameterKey"));
    std::fs::write(
        &params,
        r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}]"#,
    )
    .unwrap();
    sgcheck()
        .args(["lint", "--parameters"])
        .arg(&params)
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn explicit_config_is_used_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("custom.toml");
    std::fs::write(
        &cfg,
        "admin_ports = [22, \"8000-8080\"]\nexclude = [\"legacy/**\"]\n",
    )
    .unwrap();
    sgcheck()
        .args(["lint", "--config"])
        .arg(&cfg)
        .arg(dir.path())
        .assert()
        .code(0);
    std::fs::write(&cfg, "[rules]\ndisable = [\"NOPE999\"]\n").unwrap();
    sgcheck()
        .args(["lint", "--config"])
        .arg(&cfg)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule 'NOPE999'"));
    sgcheck()
        .args(["lint", "--config"])
        .arg(dir.path().join("absent.toml"))
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    sgcheck()
        .args(["lint", "--format", "sarif", "--output"])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    validate_sarif(&std::fs::read_to_string(&out).unwrap());
}

#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("baseline.json");
    sgcheck()
        .args(["lint", "--write-baseline"])
        .arg(&file)
        .arg(dir.path())
        .assert()
        .code(0);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v, serde_json::json!({"version": 1, "findings": []}));
    sgcheck()
        .args(["lint", "--baseline"])
        .arg(&file)
        .arg(dir.path())
        .assert()
        .code(0);
    std::fs::write(&file, "[]").unwrap();
    sgcheck()
        .args(["lint", "--baseline"])
        .arg(&file)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid baseline"));
    sgcheck()
        .args(["lint", "--baseline", "a.json", "--write-baseline", "b.json"])
        .assert()
        .code(2);
}

#[test]
fn human_output_has_no_colour_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    sgcheck()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\u{1b}").not());
}

#[test]
fn github_format_is_empty_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    sgcheck()
        .args(["lint", "--format", "github"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn rules_lists_the_catalog() {
    let out = sgcheck()
        .args(["rules", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let rules = v["rules"].as_array().unwrap();
    let catalog = sgcheck::rules::catalog();
    assert_eq!(
        catalog.len(),
        sgcheck::rules::ALL.len() + sgcheck::rules::META.len()
    );
    assert_eq!(rules.len(), catalog.len());
    for (r, rule) in rules.iter().zip(&catalog) {
        assert_eq!(r["id"], rule.id);
        for key in ["name", "severity", "title", "summary"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
    }
    sgcheck()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ID"));
}

#[test]
fn explain_shows_every_rule_by_id_and_name() {
    for rule in sgcheck::rules::catalog() {
        let name = &rule.page().meta.name;
        for key in [rule.id, name.as_str()] {
            sgcheck()
                .args(["explain", key])
                .assert()
                .code(0)
                .stdout(predicate::str::starts_with(format!("{} {name}", rule.id)));
        }
    }
}

#[test]
fn explain_unknown_rule_exits_2_listing_valid_ids() {
    sgcheck()
        .args(["explain", "SG999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule 'SG999'"))
        .stderr(predicate::str::contains("valid rules:"));
}

#[test]
fn sarif_of_an_empty_run_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let out = sgcheck()
        .args(["lint", "--format", "sarif"])
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    validate_sarif(&String::from_utf8(out).unwrap());
}

/// SARIF of real findings: the acceptance scenarios and the example infrastructure, both
/// frontends, related locations across files, possible-confidence findings.
#[test]
fn sarif_of_real_findings_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = sgcheck()
        .args(["lint", "--format", "sarif", "--fail-on", "never"])
        .arg(root.join("fixtures/scenarios"))
        .arg(root.join("examples/infra"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    validate_sarif(&text);
    let v: Value = serde_json::from_str(&text).unwrap();
    let run = &v["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 50, "{} results", results.len());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"]
            .as_u64()
            .expect("every result has a rule index");
        assert_eq!(rules[index as usize]["id"], r["ruleId"]);
    }
    let uris: std::collections::BTreeSet<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    for ext in [".tf", ".yaml"] {
        assert!(uris.iter().any(|u| u.ends_with(ext)), "a {ext} result");
    }
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()));
}

#[test]
fn sarif_with_findings_errors_and_skips_is_valid() {
    let report = sample_report();
    let sarif = sgcheck::report::sarif::render(&report);
    validate_sarif(&sarif);
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 2);
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn json_of_a_full_report_has_every_contract_field() {
    let v: Value = serde_json::from_str(&sgcheck::report::json::render(&sample_report())).unwrap();
    assert_contract_shape(&v);
    let related = &v["findings"][0]["related"][1];
    for key in [
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
    ] {
        assert!(related.get(key).is_some(), "related has {key}");
    }
    for key in ["file", "line", "column", "message"] {
        assert!(v["errors"][0].get(key).is_some(), "error has {key}");
    }
    for key in ["file", "line", "column", "reason"] {
        assert!(v["skipped"][0].get(key).is_some(), "skip has {key}");
    }
}

/// A report with a finding whose related spans cross files, a parse error and a skip.
fn sample_report() -> Report {
    let report = Report::default();
    let sg = report.sources.add(
        "infra dir/sg.tf".into(),
        "resource \"aws_security_group\" \"web\" {\n  ingress { cidr_blocks = [\"0.0.0.0/0\"] }\n}\n",
    );
    let vars = report.sources.add(
        "infra dir/variables.tf".into(),
        "variable \"cidr\" { default = \"0.0.0.0/0\" }\n",
    );
    let cidr = sg.text.find("\"0.0.0.0/0\"").unwrap();
    let mut report = report;
    report.findings.push(Finding {
        rule: "SG001",
        name: "open-admin-port",
        severity: Severity::Error,
        confidence: Confidence::Possible,
        span: Span::new(sg.id, cidr, cidr + 11),
        label: "open to the internet".into(),
        message: "security group 'web' allows SSH (tcp/22) from 0.0.0.0/0".into(),
        resource: "aws_security_group.web".into(),
        resource_span: Span::new(sg.id, 9, 36),
        related: vec![
            Related {
                span: Span::new(sg.id, 0, 8),
                message: "the security group".into(),
            },
            Related {
                span: Span::new(vars.id, 29, 40),
                message: "value comes from variable 'cidr' default".into(),
            },
        ],
        notes: vec![],
    });
    report.errors.push(Diagnostic {
        span: Span::new(vars.id, 0, 8),
        message: "example error".into(),
    });
    report.skipped.push(Skip {
        span: Span::new(vars.id, 0, 0),
        reason: "example skip".into(),
    });
    report
}

/// Violations of the official SARIF 2.1.0 schema (formats checked too).
fn sarif_errors(instance: &Value) -> Vec<String> {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn validate_sarif(text: &str) {
    let instance: Value = serde_json::from_str(text).expect("SARIF output is JSON");
    let errors = sarif_errors(&instance);
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
}

#[test]
fn schema_check_catches_broken_sarif() {
    let mut v: Value =
        serde_json::from_str(&sgcheck::report::sarif::render(&sample_report())).unwrap();
    v["runs"][0]["results"][0]["level"] = "fatal".into();
    v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert_eq!(sarif_errors(&v).len(), 2, "{:#?}", sarif_errors(&v));
}

/// The README's rule index is generated from the rule pages; with `SGCHECK_UPDATE_README=1` the
/// test rewrites it instead of failing.
#[test]
fn readme_rule_index_matches_the_rule_pages() {
    const START: &str = "<!-- rule-index:start -->\n";
    const END: &str = "<!-- rule-index:end -->";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find(START).expect("README has the start marker") + START.len();
    let end = readme.find(END).expect("README has the end marker");
    let index = sgcheck::report::catalog::render_markdown(&sgcheck::rules::catalog());
    if readme[start..end] == index {
        return;
    }
    if std::env::var_os("SGCHECK_UPDATE_README").is_some() {
        let updated = format!("{}{index}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!("README rule index is out of date; run with SGCHECK_UPDATE_README=1 or paste:\n{index}");
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let commands: Vec<&str> = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("README has a sh block")
        .lines()
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- lint examples/infra",
            "cargo test --locked"
        ]
    );
}
