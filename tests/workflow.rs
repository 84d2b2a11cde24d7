//! Workflow features end to end through the binary, on real files in temporary directories:
//! suppressions in both frontends (sgcheck's own forms and other tools'), baselines on the
//! public corpus, and the configuration file.

mod shared;

use std::collections::BTreeSet;
use std::ffi::OsStr;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// Runs `sgcheck lint --format json ARGS` and returns the exit code and the report.
fn lint<I, S>(args: I) -> (i32, Value)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::cargo_bin("sgcheck")
        .unwrap()
        .args(["lint", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    (out.status.code().unwrap_or(-1), doc)
}

/// (rule, resource) of every finding of `rules`.
fn found(doc: &Value, rules: &[&str]) -> BTreeSet<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.iter().any(|r| f["rule"] == *r))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("resource"))
        })
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The 1-based line of the first line of `text` that contains `needle`.
/// Only `twin` keeps its SG001, and only `reasonless` gets a SUP001 note (no SUP002).
fn only_twin_open_and_reasonless_noted(doc: &Value, twin: &str, reasonless: &str) {
    assert_eq!(found(doc, &["SG001"]), set(&[("SG001", twin)]));
    assert_eq!(
        found(doc, &["SUP001", "SUP002"]),
        set(&[("SUP001", reasonless)])
    );
}

fn line_of(text: &str, needle: &str) -> u64 {
    let index = text.lines().position(|l| l.contains(needle)).unwrap();
    index as u64 + 1
}

/// The lines of the findings of `rule`, sorted.
fn lines(doc: &Value, rule: &str) -> Vec<u64> {
    let mut out: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    out.sort();
    out
}

/// A Terraform security group `name` in a named VPC that opens SSH to the internet (SG001 and
/// nothing else); `above` goes on the line above the resource, `inline` after the offending CIDR.
fn open_ssh_tf(name: &str, above: &str, inline: &str) -> String {
    format!(
        r#"{above}
resource "aws_security_group" "{name}" {{
  name        = "{name}"
  description = "SSH to a host"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {{
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] {inline}
  }}
}}
"#
    )
}

/// A CloudFormation security group `name` that opens SSH to the internet, with `metadata`
/// (YAML at the resource's indentation plus two) and `inline` after the offending CIDR.
fn open_ssh_cfn(name: &str, metadata: &str, inline: &str) -> String {
    let metadata = if metadata.is_empty() {
        String::new()
    } else {
        format!("    Metadata:\n{metadata}")
    };
    format!(
        r#"  {name}:
    Type: AWS::EC2::SecurityGroup
{metadata}    Properties:
      GroupDescription: SSH to a host
      VpcId: vpc-0123456789abcdef0
      SecurityGroupIngress:
        - Description: SSH from anywhere
          IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0 {inline}
"#
    )
}

fn template(resources: &[String]) -> String {
    format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n{}",
        resources.concat()
    )
}

/// Writes `files` into a new temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn terraform_own_suppressions() {
    let text = [
        open_ssh_tf("twin", "", ""),
        open_ssh_tf(
            "reasoned",
            "",
            "# sgcheck:ignore SG001 bastion host, audited",
        ),
        open_ssh_tf("listed", "// sgcheck:ignore[SG001,SG004] bastion host", ""),
        open_ssh_tf("reasonless", "# sgcheck:ignore open-admin-port", ""),
    ]
    .concat();
    let dir = tree(&[("main.tf", &text)]);
    let (code, doc) = lint([dir.path()]);
    assert_eq!(code, 1, "{doc}");
    only_twin_open_and_reasonless_noted(
        &doc,
        "aws_security_group.twin",
        "aws_security_group.reasonless",
    );
    assert_eq!(
        lines(&doc, "SUP001"),
        [line_of(&text, "sgcheck:ignore open-admin-port")]
    );
}

#[test]
fn terraform_foreign_suppressions() {
    let text = [
        open_ssh_tf("twin", "", ""),
        open_ssh_tf(
            "checkov",
            "",
            "#checkov:skip=CKV_AWS_24:bastion host, audited",
        ),
        open_ssh_tf("tfsec", "# tfsec:ignore:aws-ec2-no-public-ingress-sgr", ""),
        open_ssh_tf("trivy", "", "# trivy:ignore:AVD-AWS-0107"),
        open_ssh_tf("reasonless", "# checkov:skip=CKV_AWS_24", ""),
    ]
    .concat();
    let dir = tree(&[("main.tf", &text)]);
    let (_, doc) = lint([dir.path()]);
    // tfsec and trivy have no place for a reason; checkov has one
    only_twin_open_and_reasonless_noted(
        &doc,
        "aws_security_group.twin",
        "aws_security_group.reasonless",
    );
    assert_eq!(
        lines(&doc, "SUP001"),
        [line_of(&text, "# checkov:skip=CKV_AWS_24")]
    );
}

#[test]
fn cloudformation_own_suppressions() {
    let text = template(&[
        open_ssh_cfn("Twin", "", ""),
        open_ssh_cfn(
            "Reasoned",
            "      sgcheck:\n        ignore:\n          - rule: SG001\n            reason: bastion host, audited\n",
            "",
        ),
        open_ssh_cfn("Commented", "", "# sgcheck:ignore SG001 bastion host"),
        open_ssh_cfn(
            "Reasonless",
            "      sgcheck:\n        ignore:\n          - rule: SG001\n",
            "",
        ),
    ]);
    let dir = tree(&[("template.yaml", &text)]);
    let (code, doc) = lint([dir.path()]);
    assert_eq!(code, 1, "{doc}");
    only_twin_open_and_reasonless_noted(&doc, "Twin", "Reasonless");
}

#[test]
fn cloudformation_foreign_suppressions() {
    let text = template(&[
        open_ssh_cfn("Twin", "", ""),
        open_ssh_cfn(
            "CfnNag",
            "      cfn_nag:\n        rules_to_suppress:\n          - id: W2\n            reason: bastion host, audited\n",
            "",
        ),
        open_ssh_cfn(
            "Checkov",
            "      checkov:\n        skip:\n          - id: CKV_AWS_24\n            comment: bastion host, audited\n",
            "",
        ),
        open_ssh_cfn(
            "Reasonless",
            "      cfn_nag:\n        rules_to_suppress:\n          - id: W9\n",
            "",
        ),
    ]);
    let dir = tree(&[("template.yaml", &text)]);
    let (_, doc) = lint([dir.path()]);
    only_twin_open_and_reasonless_noted(&doc, "Twin", "Reasonless");
}

#[test]
fn unused_suppression_is_reported_where_it_stands() {
    let text = open_ssh_tf("open", "", "").replace("0.0.0.0/0", "203.0.113.10/32")
        + &open_ssh_tf("stale", "", "").replace(
            "0.0.0.0/0\"]",
            "203.0.113.0/24\"] # sgcheck:ignore SG001 was open once",
        );
    let dir = tree(&[("main.tf", &text)]);
    let (code, doc) = lint([dir.path()]);
    assert_eq!(code, 0, "a note does not fail the run: {doc}");
    assert_eq!(found(&doc, &["SUP002"]).len(), 1);
    assert_eq!(lines(&doc, "SUP002"), [line_of(&text, "was open once")]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn corpus_baseline_hides_everything_but_the_new_finding() {
    let corpus = shared::dir("corpus");
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let (_, today) = lint([
        "--write-baseline".as_ref(),
        baseline.as_os_str(),
        corpus.as_os_str(),
    ]);
    let recorded = today["findings"].as_array().unwrap().len();
    assert!(recorded > 100, "the corpus has findings: {recorded}");

    let (_, again) = lint([
        "--baseline".as_ref(),
        baseline.as_os_str(),
        corpus.as_os_str(),
    ]);
    assert_eq!(again["findings"], serde_json::json!([]));
    assert_eq!(again["summary"]["findings"], 0);

    let added = dir.path().join("added");
    std::fs::create_dir(&added).unwrap();
    std::fs::write(added.join("main.tf"), open_ssh_tf("added", "", "")).unwrap();
    let (_, new) = lint([
        "--baseline".as_ref(),
        baseline.as_os_str(),
        corpus.as_os_str(),
        added.as_os_str(),
    ]);
    let findings = new["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "SG001");
    assert_eq!(findings[0]["resource"], "aws_security_group.added");
}

#[test]
fn baseline_survives_edits_above_the_finding() {
    let dir = tree(&[("main.tf", &open_ssh_tf("web", "", ""))]);
    let baseline = dir.path().join("baseline.json");
    let (code, _) = lint([
        "--write-baseline".as_ref(),
        baseline.as_os_str(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, 0, "writing a baseline does not fail on findings");
    let moved = format!(
        "# a comment\n\nvariable \"unused\" {{}}\n{}",
        open_ssh_tf("web", "", "")
    );
    std::fs::write(dir.path().join("main.tf"), moved).unwrap();
    let (code, doc) = lint([
        "--baseline".as_ref(),
        baseline.as_os_str(),
        dir.path().as_os_str(),
    ]);
    assert_eq!((code, doc["summary"]["findings"].as_u64()), (0, Some(0)));
}

#[test]
fn config_unknown_key_is_an_error_with_its_position() {
    let dir = tree(&[
        (
            ".sgcheck.toml",
            "[rules]\ndisable = []\n\nadmin_prots = [22]\n",
        ),
        ("main.tf", &open_ssh_tf("web", "", "")),
    ]);
    // found upward from the linted path, up to the repository's root
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let sub = dir.path().join("infra");
    std::fs::create_dir(&sub).unwrap();
    Command::cargo_bin("sgcheck")
        .unwrap()
        .arg("lint")
        .arg(&sub)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".sgcheck.toml:4:1"))
        .stderr(predicate::str::contains("admin_prots"));
}

#[test]
fn config_overrides_severities_and_disables_rules() {
    // without vpc_id the group lands in the default VPC: NET004 as well as SG001
    let text = open_ssh_tf("web", "", "")
        .replace("  vpc_id      = \"vpc-0123456789abcdef0\"\n", "")
        + &open_ssh_tf("quiet", "# sgcheck:ignore SG001", "");
    let dir = tree(&[("main.tf", &text)]);
    let (code, doc) = lint([dir.path()]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&doc, &["SG001", "NET004", "SUP001"]),
        set(&[
            ("NET004", "aws_security_group.web"),
            ("SG001", "aws_security_group.web"),
            ("SUP001", "aws_security_group.quiet"),
        ])
    );

    std::fs::write(
        dir.path().join(".sgcheck.toml"),
        "[rules]\ndisable = [\"default-vpc\", \"SUP001\"]\n\n[rules.severity]\nSG001 = \"note\"\n",
    )
    .unwrap();
    let (code, doc) = lint([dir.path()]);
    assert_eq!(code, 0, "SG001 is a note now: {doc}");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "SG001");
    assert_eq!(findings[0]["severity"], "note");
    let (code, _) = lint([
        "--fail-on".as_ref(),
        "note".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, 1);
}
