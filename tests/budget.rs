//! The evaluation budget: values that grow past it (strings doubled through locals and
//! functions, instances multiplied across modules and dynamic blocks, YAML aliases and
//! CloudFormation intrinsics over a large parameter) end their root module or template with a
//! spanned error naming what was being evaluated, and every other file is still linted.

use sgcheck::budget::BYTES;
use sgcheck::settings::Settings;
use sgcheck::Report;

/// A Terraform file with one rule opening RDP to the internet (SG001), linted alongside each
/// hostile input.
const GOOD_TF: &str = r#"resource "aws_security_group" "admin" {}
resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  security_group_id = aws_security_group.admin.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
"#;

/// Lints `files` (path, content) in a directory beside the good file.
fn lint_beside_good(files: &[(&str, String)]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let good = ("good/main.tf", GOOD_TF.to_string());
    for (name, content) in std::iter::once(&good).chain(files) {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
    }
    sgcheck::lint(&[dir.path().to_path_buf()], &Settings::default())
}

/// The good file was linted: its SG001 finding is there, and it is the only finding.
fn assert_only_good_linted(report: &Report) {
    let paths: Vec<String> = report
        .findings
        .iter()
        .map(|f| report.sources.get(f.span.file).display_path())
        .collect();
    assert!(
        report.findings.iter().any(|f| f.rule == "SG001"),
        "{:?}",
        report.findings
    );
    assert!(
        paths.iter().all(|p| p.ends_with("good/main.tf")),
        "{paths:?}"
    );
}

/// The one error of the run: its message, the file it is in, and the text it points at.
fn only_error(report: &Report) -> (String, String, String) {
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    let file = report.sources.get(e.span.file);
    let text = file.text[e.span.start as usize..e.span.end as usize].to_string();
    (e.message.clone(), file.display_path(), text)
}

/// The bytes of the budget, as its message names them.
fn bytes() -> String {
    format!("{} MB of values", BYTES >> 20)
}

/// The budget message of a Terraform root module: what ran out, and what was being evaluated.
fn terraform_message(spent: &str, what: &str) -> String {
    format!(
        "evaluation budget exceeded ({spent}) while evaluating `{what}`; the root module is not analysed"
    )
}

/// Locals `a0 = first`, `aN = step` with `P` standing for `local.a(N-1)`, and a resource
/// reading the last one.
fn chain(first: &str, step: &str, lines: usize) -> String {
    let mut text = format!("locals {{\n  a0 = {first}\n");
    for i in 1..=lines {
        let previous = format!("local.a{}", i - 1);
        text.push_str(&format!("  a{i} = {}\n", step.replace('P', &previous)));
    }
    text.push_str(&format!(
        "}}\nresource \"aws_security_group\" \"x\" {{\n  description = jsonencode(local.a{lines})\n}}\n"
    ));
    text
}

/// Lints a root module of `text` beside the good file: the one error says `spent` ran out,
/// names local `aN` and points into that local's definition; no finding comes from the
/// hostile module.
fn assert_local_exhausts(name: &str, text: &str, spent: &str) {
    let report = lint_beside_good(&[(&format!("{name}/main.tf"), text.to_string())]);
    let (message, path, at) = only_error(&report);
    assert!(path.ends_with(&format!("{name}/main.tf")), "{name}: {path}");
    let local = message
        .split('`')
        .nth(1)
        .and_then(|w| w.strip_prefix("local."))
        .unwrap_or_else(|| panic!("{name}: {message}"));
    assert_eq!(
        message,
        terraform_message(spent, &format!("local.{local}")),
        "{name}"
    );
    // the error points into the definition of that local
    let start = text.find(&format!("  {local} =")).expect("definition");
    let definition = &text[start..];
    let end = start
        + definition[1..]
            .find("\n  a")
            .map_or(definition.len(), |e| e + 1);
    let offset = report.errors[0].span.start as usize;
    assert!(
        (start..end).contains(&offset),
        "{name}: error at `{at}` ({offset}) outside {local} ({start}..{end})"
    );
    assert_only_good_linted(&report);
}

#[test]
fn strings_doubled_through_templates_and_functions_are_charged() {
    let x = "\"xxxxxxxxxx\"";
    for (name, first, step, lines) in [
        ("template", x, "\"${P}${P}\"", 30),
        ("join", x, "join(\"\", [P, P])", 30),
        ("format", x, "format(\"%s%s\", P, P)", 30),
        ("replace", x, "replace(P, \"x\", \"xx\")", 30),
        ("base64encode", x, "base64encode(P)", 90),
        ("jsonencode", x, "jsonencode([P, P])", 30),
        ("strrev_upper", x, "upper(strrev(\"${P}${P}\"))", 30),
        ("template_for", x, "\"%{for i in [1, 2]}${P}%{endfor}\"", 30),
    ] {
        assert_local_exhausts(name, &chain(first, step, lines), &bytes());
    }
    let mut heredoc = String::from("locals {\n  a0 = \"xxxxxxxxxx\"\n");
    for i in 1..=30 {
        let p = format!("${{local.a{}}}", i - 1);
        heredoc.push_str(&format!("  a{i} = <<EOT\n{p}{p}\nEOT\n"));
    }
    heredoc.push_str("}\nresource \"aws_security_group\" \"x\" {\n  description = local.a30\n}\n");
    assert_local_exhausts("heredoc", &heredoc, &bytes());
}

#[test]
fn collections_doubled_through_functions_and_for_expressions_are_charged() {
    let x = "[\"xxxxxxxxxx\"]";
    // a thousand copies a line cost steps (copies are paid by their nodes) before bytes
    let steps = "5000000 steps";
    for (name, step, lines, spent) in [
        ("formatlist", "formatlist(\"%s%s\", P, P)", 30, bytes()),
        ("concat", "concat(P, P)", 30, bytes()),
        ("flatten", "flatten([P, P])", 30, bytes()),
        (
            "setproduct",
            "[for r in setproduct(P, P) : join(\"\", r)]",
            30,
            bytes(),
        ),
        ("range", "[for i in range(1024) : P]", 4, steps.to_string()),
        ("for", "[for i in [1, 2] : P]", 40, bytes()),
    ] {
        assert_local_exhausts(name, &chain(x, step, lines), &spent);
    }
}

#[test]
fn count_multiplied_across_nested_modules_is_bounded() {
    let call =
        |source: &str| format!("module \"m\" {{\n  source = \"{source}\"\n  count  = 100\n}}\n");
    let report = lint_beside_good(&[
        ("modules/main.tf", call("./m1")),
        ("modules/m1/main.tf", call("../m2")),
        ("modules/m2/main.tf", call("../m3")),
        (
            "modules/m3/main.tf",
            "resource \"aws_security_group\" \"x\" {\n  description = \"x\"\n}\n".to_string(),
        ),
    ]);
    let (message, path, at) = only_error(&report);
    // an instance of the inner levels: a module call, or a security group, being made
    let prefix = format!(
        "evaluation budget exceeded ({}) while evaluating `module.m[",
        bytes()
    );
    assert!(message.starts_with(&prefix), "{message}");
    assert!(
        message.ends_with("`; the root module is not analysed"),
        "{message}"
    );
    assert!(path.contains("modules/m"), "{path}");
    let made = ["100", "\"aws_security_group\" \"x\""];
    assert!(
        at.starts_with("module \"m\"") || made.contains(&at.as_str()),
        "{at}"
    );
    // none of the security groups made before the budget ran out is reported
    assert_only_good_linted(&report);
}

#[test]
fn names_that_hold_long_keys_are_charged_and_shown_short() {
    // every name in the module instance holds its key (with a control character)
    let key = format!("\\u001b{}", "k".repeat(1 << 20));
    let root = format!(
        "locals {{\n  key = \"{key}\"\n}}\nmodule \"m\" {{\n  source   = \"./m\"\n  for_each = {{ (local.key) = 1 }}\n}}\n"
    );
    let chain: String = (1..190)
        .map(|i| format!("  a{i} = local.a{} + 1\n", i - 1))
        .collect();
    let module = format!("locals {{\n  a0 = 1\n{chain}}}\nresource \"aws_security_group\" \"x\" {{\n  description = local.a189\n}}\n");
    let report = lint_beside_good(&[("keyed/main.tf", root), ("keyed/m/main.tf", module)]);
    let (message, path, _) = only_error(&report);
    let prefix = format!(
        "evaluation budget exceeded ({}) while evaluating `module.m[\"\\u{{1b}}kkk",
        bytes()
    );
    assert!(message.starts_with(&prefix), "{}", &message[..100]);
    assert!(
        message.ends_with("k…`; the root module is not analysed"),
        "{}",
        &message[message.len() - 80..]
    );
    assert!(
        message.len() < 400,
        "the name is cut: {} bytes",
        message.len()
    );
    assert!(path.ends_with("keyed/m/main.tf"), "{path}");
    assert_only_good_linted(&report);
}

#[test]
fn nested_dynamic_blocks_are_bounded() {
    fn dynamic(depth: usize) -> String {
        match depth {
            0 => "description = \"x\"".to_string(),
            _ => format!(
                "dynamic \"b{depth}\" {{\n for_each = range(100)\n content {{\n {}\n }}\n}}",
                dynamic(depth - 1)
            ),
        }
    }
    let text = format!(
        "resource \"aws_security_group\" \"x\" {{\n{}\n}}\n",
        dynamic(4)
    );
    let report = lint_beside_good(&[("dynamic/main.tf", text)]);
    let (message, path, _) = only_error(&report);
    assert_eq!(message, terraform_message(&bytes(), "aws_security_group.x"));
    assert!(path.ends_with("dynamic/main.tf"), "{path}");
    assert_only_good_linted(&report);
}

/// One mebibyte of text.
fn large() -> String {
    "x".repeat(1 << 20)
}

/// Lints, beside the good file, a template `name` whose parameter `P` has a large default
/// and whose one security group's `GroupDescription` is `description`.
fn lint_over_a_large_parameter(name: &str, description: &str) -> Report {
    let template = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  P:\n    Type: String\n    Default: \"{}\"\nResources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: {description}\n",
        large()
    );
    lint_beside_good(&[(name, template)])
}

/// The budget message of a template, naming the intrinsic and where it is.
fn template_message(function: &str) -> String {
    format!(
        "evaluation budget exceeded ({}) while evaluating `{function}` in resource 'G'; the template is not analysed",
        bytes()
    )
}

#[test]
fn yaml_aliases_are_charged_by_the_bytes_they_expand_to() {
    // a few large copies, far fewer nodes than the alias node limit
    let copies = (BYTES >> 20) as usize + 10;
    let text = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nBig: &a \"{}\"\nCopies:\n{}Resources: {{}}\n",
        large(),
        "  - *a\n".repeat(copies)
    );
    let report = lint_beside_good(&[("alias.yaml", text)]);
    let (message, path, at) = only_error(&report);
    assert_eq!(
        message,
        format!(
            "YAML aliases expand to more than {} MB (the template's evaluation budget)",
            BYTES >> 20
        )
    );
    assert!(path.ends_with("alias.yaml"), "{path}");
    assert!(at.starts_with('*'), "the error points at an alias: {at}");
    let span = report.errors[0].span;
    let line = report
        .sources
        .get(span.file)
        .line_col(span.start as usize)
        .line;
    assert!(line > 100, "the alias that crosses the budget, line {line}");
    assert_only_good_linted(&report);
}

#[test]
fn sub_and_join_over_a_large_parameter_are_charged() {
    let sub = format!("!Sub \"{}\"", "${P}".repeat(1000));
    let report = lint_over_a_large_parameter("sub.yaml", &sub);
    let (message, path, at) = only_error(&report);
    assert_eq!(message, template_message("Fn::Sub"));
    assert!(path.ends_with("sub.yaml"), "{path}");
    assert!(at.starts_with("!Sub"), "{}", &at[..20]);
    assert_only_good_linted(&report);

    // each `Ref` is a copy of the default: the copy past the budget is refused
    let join = format!("!Join ['', [{}]]", vec!["!Ref P"; 1000].join(", "));
    let report = lint_over_a_large_parameter("join.yaml", &join);
    let (message, _, at) = only_error(&report);
    assert_eq!(message, template_message("Ref"));
    assert_eq!(at, "!Ref P");
    assert_only_good_linted(&report);
}

#[test]
fn split_select_and_cidr_over_a_large_substitution_are_charged() {
    let mut tags = String::from("!Select [0, !Cidr [!Sub '${P}', 256, 8]]\n      Tags:\n");
    for i in 0..200 {
        tags.push_str(&format!(
            "        - !Select [{i}, !Split ['x', !Sub '${{P}}${{P}}']]\n"
        ));
    }
    let report = lint_over_a_large_parameter("split.yaml", &tags);
    let (message, path, _) = only_error(&report);
    let prefix = format!(
        "evaluation budget exceeded ({}) while evaluating `",
        bytes()
    );
    assert!(
        message.starts_with(&prefix)
            && message.ends_with("` in resource 'G'; the template is not analysed"),
        "{message}"
    );
    assert!(path.ends_with("split.yaml"), "{path}");
    assert_only_good_linted(&report);
}
