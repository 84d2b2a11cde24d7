//! One security-group-only configuration, written in every supported form, gives the same
//! findings (rule, resource, line) within each frontend, and the same rules across frontends.

mod common;

use std::collections::BTreeSet;

type Key = (String, String, u64);

fn findings(name: &str, text: &str) -> BTreeSet<Key> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let doc = common::lint_json(dir.path());
    assert_eq!(
        doc["errors"].as_array().map(Vec::len),
        Some(0),
        "{name}: {}",
        doc["errors"]
    );
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

const TF_INLINE: &str = r#"resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = "vpc-0123456789abcdef0"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

const TF_RULE: &str = r#"resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = "vpc-0123456789abcdef0"
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  description       = "ssh"
  cidr_blocks       = ["0.0.0.0/0"]
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
}
"#;

const TF_VPC_RULE: &str = r#"resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = "vpc-0123456789abcdef0"
}
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.web.id
  description       = "ssh"
  ip_protocol       = "tcp"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 22
  to_port           = 22
}
"#;

const CFN_INLINE: &str = "Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web tier
      VpcId: vpc-0123456789abcdef0
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
          Description: ssh
";

const CFN_RULE: &str = "Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web tier
      VpcId: vpc-0123456789abcdef0
  Ssh:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref Web
      CidrIp: 0.0.0.0/0
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      Description: ssh
";

#[test]
fn terraform_forms_agree() {
    let inline = findings("main.tf", TF_INLINE);
    assert!(
        inline.contains(&("SG001".into(), "aws_security_group.web".into(), 10)),
        "{inline:?}"
    );
    assert_eq!(findings("main.tf", TF_RULE), inline);
    assert_eq!(findings("main.tf", TF_VPC_RULE), inline);
}

#[test]
fn cloudformation_forms_agree_with_each_other_and_terraform() {
    let inline = findings("sg.yaml", CFN_INLINE);
    let rule = findings("sg.yaml", CFN_RULE);
    assert!(
        inline.contains(&("SG001".into(), "Web".into(), 11)),
        "{inline:?}"
    );
    assert_eq!(rule, inline);
    // across frontends the same rules fire (CloudFormation adds allow-all egress: SG005)
    let rules = |s: &BTreeSet<Key>| {
        s.iter()
            .map(|k| k.0.clone())
            .filter(|r| r != "SG005")
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(rules(&inline), rules(&findings("main.tf", TF_INLINE)));
}
