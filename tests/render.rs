//! Output on hostile layouts and hostile text, end to end through the binary: lines far past
//! what a terminal shows, and scanned values, file names and source carrying terminal controls.
//! Every input is generated here.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

fn sgcheck() -> Command {
    let mut cmd = Command::cargo_bin("sgcheck").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `sgcheck lint <path> --format <format>` in `dir`; returns the exit code and stdout,
/// after checking that nothing went to stderr (a panic would).
fn lint(dir: &Path, path: &str, format: &str) -> (i32, String) {
    let out = sgcheck()
        .current_dir(dir)
        .args(["lint", path, "--format", format])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().expect("exited");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    assert!(!stdout.contains("Failed to read contents"), "{stdout}");
    (code, stdout)
}

/// Characters no output may carry raw: C0 controls other than the line feed, DEL, C1
/// controls and the bidirectional formatting characters.
fn is_raw_control(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ['\u{61c}', '\u{200e}', '\u{200f}'].contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn assert_no_raw_control(format: &str, out: &str) {
    if let Some(c) = out.chars().find(|&c| is_raw_control(c)) {
        panic!("{format} output carries {c:?} raw:\n{out:?}");
    }
}

/// The human output's lines are all of a width a terminal can show.
fn assert_bounded_lines(out: &str) {
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 200, "a {widest}-character line in:\n{out}");
}

/// The character column where the underline below the shown source line holding `token`
/// starts, and where `token` starts on it.
fn underline_and_token(out: &str, token: &str) -> (usize, usize) {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines.iter().position(|l| l.contains(token)).unwrap();
    let token_at = lines[i][..lines[i].find(token).unwrap()].chars().count();
    let underline_at = lines[i + 1].chars().position(|c| c == '─').unwrap();
    (underline_at, token_at)
}

/// Checks that the shown source line holding `token` is windowed (`...`), that every line is
/// of a width a terminal shows, and that the first underline below it starts at `underlined`.
fn assert_windowed(out: &str, token: &str, underlined: &str) {
    let shown = out.lines().find(|l| l.contains(token)).unwrap();
    assert!(shown.contains("...") && !shown.contains('\t'), "{out}");
    assert_bounded_lines(out);
    let (underline, at) = underline_and_token(out, underlined);
    assert_eq!(underline, at, "{out}");
}

/// The SG001 finding of `sgcheck lint <path> --format json` run in `dir`.
fn sg001_json(dir: &Path, path: &str) -> Value {
    let (_, json) = lint(dir, path, "json");
    let v: Value = serde_json::from_str(&json).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let f = findings.iter().find(|f| f["rule"] == "SG001");
    f.expect("SG001 in JSON").clone()
}

#[test]
fn a_finding_after_sixteen_kilobytes_of_tabs_renders_in_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let tabs = "\t".repeat(16 * 1024 + 100);
    let tf = format!(
        "resource \"aws_security_group\" \"web\" {{\n  description = \"web\"\n  ingress {{\n    \
         description = \"ssh\"\n    from_port   = 22\n    to_port     = 22\n    protocol    = \
         \"tcp\"\n{tabs}cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n}}\n"
    );
    std::fs::write(dir.path().join("main.tf"), &tf).unwrap();

    let (code, out) = lint(dir.path(), ".", "human");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SG001 open-admin-port"), "{out}");
    let column = tabs.len() + "cidr_blocks = [".len() + 1;
    assert!(out.contains(&format!("[main.tf:8:{column}]")), "{out}");
    assert_windowed(&out, "cidr_blocks", "\"0.0.0.0/0\"");
    let f = sg001_json(dir.path(), ".");
    assert_eq!((&f["line"], &f["column"]), (&json!(8), &json!(column)));
}

/// A minified template of many security groups, one of them open to SSH, on one line.
fn minified_template() -> String {
    let mut resources = serde_json::Map::new();
    let group = |cidr: &str, port: u16| {
        json!({
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "groupe réseau 日本",
                "VpcId": "vpc-0123",
                "SecurityGroupIngress": [{
                    "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                    "CidrIp": cidr, "Description": "accès"
                }],
                "SecurityGroupEgress": [{
                    "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                    "CidrIp": "10.0.0.0/8", "Description": "sortie"
                }]
            }
        })
    };
    // keys are sorted: the open group lands mid-line
    for i in 0..500 {
        resources.insert(format!("Closed{i:04}"), group("10.0.0.0/8", 443));
        resources.insert(format!("Shut{i:04}"), group("10.0.0.0/8", 443));
    }
    resources.insert("Open".into(), group("0.0.0.0/0", 22));
    let template = json!({ "AWSTemplateFormatVersion": "2010-09-09", "Resources": resources });
    serde_json::to_string(&template).unwrap()
}

#[test]
fn a_minified_template_renders_in_a_window_with_exact_positions() {
    let dir = tempfile::tempdir().unwrap();
    let text = minified_template();
    assert!(text.len() > 100 * 1024 && !text.contains('\n'));
    std::fs::write(dir.path().join("template.json"), &text).unwrap();
    let cidr = text.find("\"0.0.0.0/0\"").unwrap();
    assert!((text.len() / 4..text.len() * 3 / 4).contains(&cidr));
    let column = text[..cidr].chars().count() + 1;

    let (code, out) = lint(dir.path(), "template.json", "human");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SG001 open-admin-port"), "{out}");
    assert!(
        out.contains(&format!("[template.json:1:{}]", cidr + 1)),
        "{out}"
    );
    // the first underline is the related "this ingress rule", from the rule's `{`
    assert_windowed(&out, "\"0.0.0.0/0\"", "{\"CidrIp\":\"0.0.0.0/0\"");
    let f = sg001_json(dir.path(), "template.json");
    assert_eq!((&f["line"], &f["column"]), (&json!(1), &json!(column)));
    assert_eq!(
        (&f["end_line"], &f["end_column"]),
        (&json!(1), &json!(column + 11))
    );
    assert!(column < cidr + 1, "multi-byte characters precede the CIDR");
}

/// Scanned text that would drive a terminal: OSC-8 hyperlinks, screen clearing, BEL, CR, C1
/// CSI, DEL, bidi overrides and isolates; in a group name, source lines, a parse error, skip
/// reasons, a CloudFormation logical id and a file name.
fn hostile_tree(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        "main.tf",
        "resource \"aws_security_group\" \"web\" {\n  name = \"evil\\u001b]8;;http://x\\u0007\
         click\\u001b]8;;\\u0007\\r\\u009b\\u202e\\u2066\"\n  ingress {\n    # \u{1b}[2J\u{7}\u{9b}\
         \u{202e} raw in a comment\n    from_port   = 22\n    to_port     = 22\n    protocol    = \
         \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    );
    w(
        "evil\u{1b}[2J\u{202e}\u{7}.tf",
        "resource \"aws_security_group\" \"db\" {\n  ingress {\n    from_port   = 22\n    \
         to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    );
    w(
        "broken.tf",
        "resource \"x\" \"y\" {\n  a = \u{1b}[31m\u{7}\n}\n",
    );
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Sg\u{202e}\u{85}": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "x\u{1b}]8;;http://evil\u{7}link",
                    "GroupName": "n\u{9b}\u{2066}\u{7f}\u{200f}",
                    "SecurityGroupIngress": [{
                        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "CidrIp": "0.0.0.0/0", "Description": "e\u{1b}[31m"
                    }]
                }
            },
            "NoType\u{1b}[2J\u{61c}": { "Properties": {} }
        }
    });
    w("t.json", &serde_json::to_string(&template).unwrap());
    let transformed = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "Evil\u{9b}\u{202a}Macro",
        "Resources": {}
    });
    w(
        "transformed.json",
        &serde_json::to_string(&transformed).unwrap(),
    );
}

#[test]
fn no_output_format_carries_a_raw_control_character() {
    let dir = tempfile::tempdir().unwrap();
    hostile_tree(dir.path());
    let osc8 = "evil\\u{1b}]8;;http://x\\u{7}click\\u{1b}]8;;\\u{7}";
    let mut outputs = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        let (code, out) = lint(dir.path(), ".", format);
        assert_eq!(code, 2, "{format}: the broken file fails the run\n{out}");
        assert_no_raw_control(format, &out);
        outputs.push(out);
    }
    let [human, json, sarif, github] = &outputs[..] else {
        unreachable!()
    };

    for (format, out) in [("human", human), ("github", github)] {
        for escaped in [
            osc8,
            "\\u{9b}\\u{202e}\\u{2066}",
            "evil\\u{1b}[2J\\u{202e}\\u{7}.tf",
            "found `\\u{1b}`",
            "n\\u{9b}\\u{2066}\\u{7f}\\u{200f}",
            "resource 'NoType\\u{1b}[2J\\u{61c}' has no Type string",
            "Transform Evil\\u{9b}\\u{202a}Macro is not evaluated",
        ] {
            assert!(out.contains(escaped), "{format} lacks {escaped}:\n{out}");
        }
    }
    assert!(human.contains("\\u{7}\\u{d}\\u{9b}"), "{human}");
    assert!(human.contains("# \\u{1b}[2J\\u{7}\\u{9b}\\u{202e} raw in a comment"));
    assert!(github.contains("\\u{7}%0D\\u{9b}"), "{github}");

    for (format, out) in [("json", json), ("sarif", sarif)] {
        for escaped in [
            "evil\\u001b]8;;http://x\\u0007click\\u001b]8;;\\u0007\\r\\u009b\\u202e\\u2066",
            "n\\u009b\\u2066\\u007f\\u200f",
            "Evil\\u009b\\u202aMacro",
        ] {
            assert!(out.contains(escaped), "{format} lacks {escaped}:\n{out}");
        }
    }
    assert!(json.contains("\"file\": \"evil\\u001b[2J\\u202e\\u0007.tf\""));
    assert!(sarif.contains("\"uri\": \"evil%1B%5B2J%E2%80%AE%07.tf\""));
    // escaping is only the encoding: the parsed values are the scanned ones
    let v: Value = serde_json::from_str(json).unwrap();
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(messages
        .iter()
        .any(|m| m.contains("n\u{9b}\u{2066}\u{7f}\u{200f}")));
}

#[test]
fn a_configuration_error_quoting_scanned_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[rules]\ndisable = [\"\\u001b[2J\\u202e\"]\n";
    std::fs::write(dir.path().join(".sgcheck.toml"), config).unwrap();
    let out = sgcheck()
        .current_dir(dir.path())
        .args(["lint", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_no_raw_control("stderr", &stderr);
    assert!(
        stderr.contains("unknown rule '\\u{1b}[2J\\u{202e}'"),
        "{stderr}"
    );
}
