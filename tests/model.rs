//! Network-model semantics that no rule page shows on its own.

mod common;

const GROUP: &str = r#"resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = "vpc-0123456789abcdef0"
"#;

const INLINE_SSH: &str = r#"  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
"#;

const RULE_RDP: &str = r#"
resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  description       = "rdp"
  security_group_id = aws_security_group.web.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
"#;

/// SG001 findings of `text` as (line, confidence, related messages).
fn open_admin_ports(text: &str) -> Vec<(u64, String, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let doc = common::lint_json(dir.path());
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SG001")
        .map(|f| {
            let related = f["related"].as_array().unwrap().iter();
            (
                f["line"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap().to_string(),
                related
                    .filter_map(|r| r["message"].as_str().map(str::to_string))
                    .collect(),
            )
        })
        .collect()
}

fn overwrite_notes(related: &[String]) -> usize {
    related
        .iter()
        .filter(|m| m.contains("overwrite each other"))
        .count()
}

/// SEMANTICS §1.3: inline rules and rule resources on one Terraform group overwrite each
/// other, so both sides are only possible, and each says why.
#[test]
fn inline_and_standalone_rules_on_one_group_are_possible() {
    let mixed = format!("{GROUP}{INLINE_SSH}}}\n{RULE_RDP}");
    let found = open_admin_ports(&mixed);
    assert_eq!(found.len(), 2, "{found:?}");
    for (line, confidence, related) in &found {
        assert_eq!(confidence, "possible", "line {line}");
        assert_eq!(overwrite_notes(related), 1, "line {line}: {related:?}");
    }
}

#[test]
fn either_form_alone_is_definite() {
    for text in [
        format!("{GROUP}{INLINE_SSH}}}\n"),
        format!("{GROUP}}}\n{RULE_RDP}"),
    ] {
        let found = open_admin_ports(&text);
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(found[0].1, "definite", "{text}");
        assert_eq!(overwrite_notes(&found[0].2), 0, "{text}");
    }
}

/// Rule resources for a VPC's default group count whatever their order relative to the
/// `aws_default_security_group` that adopts it (adoption wipes only the AWS-made rules).
#[test]
fn rule_resources_survive_default_group_adoption_in_any_order() {
    let adopt = "resource \"aws_default_security_group\" \"d\" {\n  vpc_id = aws_vpc.v.id\n}\n";
    let vpc = "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n";
    let rule = RULE_RDP.replace(
        "aws_security_group.web.id",
        "aws_default_security_group.d.id",
    );
    for text in [format!("{vpc}{rule}{adopt}"), format!("{vpc}{adopt}{rule}")] {
        let found = open_admin_ports(&text);
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(found[0].1, "definite", "{text}");
    }
}

/// A rule whose source is unknown is possible, and names the unknown input.
#[test]
fn unknown_source_names_the_unknown_input() {
    let inline = INLINE_SSH.replace("[\"0.0.0.0/0\"]", "[var.admin_cidr]");
    let text = format!("variable \"admin_cidr\" {{}}\n{GROUP}{inline}}}\n");
    let found = open_admin_ports(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "possible");
    assert!(
        found[0]
            .2
            .contains(&"unknown: variable 'admin_cidr' has no value".to_string()),
        "{:?}",
        found[0].2
    );
}
