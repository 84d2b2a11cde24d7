//! Unit tests of the Terraform frontend over in-memory modules.

use std::path::PathBuf;

use super::lower;
use crate::ir::{Existence, Lowered, Resource, Val, Value};
use crate::settings::Settings;
use crate::source::SourceMap;

fn run_with(files: &[(&str, &str)], settings: &Settings) -> (SourceMap, Lowered) {
    let sources = SourceMap::default();
    let files: Vec<_> = files
        .iter()
        .map(|(p, t)| sources.add(PathBuf::from(p), *t))
        .collect();
    let out = lower(&files, &sources, settings);
    (sources, out)
}

fn run(files: &[(&str, &str)]) -> (SourceMap, Lowered) {
    run_with(files, &Settings::default())
}

fn res<'a>(out: &'a Lowered, address: &str) -> &'a Resource {
    out.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<_> = out.resources.iter().map(|r| &r.address).collect();
            panic!("no {address} in {all:?}")
        })
}

fn text(sources: &SourceMap, v: &Val) -> String {
    sources.get(v.span.file).text[v.span.range()].to_string()
}

fn string(v: &Val) -> String {
    v.as_str()
        .map(|s| s.into_owned())
        .unwrap_or_else(|| format!("{:?}", v.value))
}

/// A value without spans, for comparing two sources of the same configuration.
fn shape(v: &Val) -> String {
    match &v.value {
        Value::List(l) => format!("[{}]", l.iter().map(shape).collect::<Vec<_>>().join(", ")),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", shape(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Ref(r) => format!(
            "ref({}.{})",
            r.key.rsplit("::").next().unwrap_or(""),
            r.attr
        ),
        Value::Unknown(u) => format!("unknown({})", u.reason),
        other => format!("{other:?}"),
    }
}

#[test]
fn tfvars_precedence() {
    let main = r#"variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "n" { type = number }
resource "aws_x" "r" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
  e = var.e
  n = var.n
}"#;
    let dir = tempfile::tempdir().expect("tempdir");
    let var_file = dir.path().join("prod.tfvars");
    std::fs::write(&var_file, "d = \"var-file\"\ne = \"var-file\"\n").expect("write");
    let settings = Settings {
        var_files: vec![var_file],
        vars: vec![("e".into(), "cli".into()), ("n".into(), "22".into())],
        ..Settings::default()
    };
    let (sources, out) = run_with(
        &[
            ("m/main.tf", main),
            (
                "m/terraform.tfvars",
                "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
            ),
            (
                "m/terraform.tfvars.json",
                r#"{"c": "tfvars.json", "d": "tfvars.json"}"#,
            ),
            ("m/b.auto.tfvars", "d = \"b.auto\"\n"),
            ("m/a.auto.tfvars", "d = \"a.auto\"\nc = \"a.auto\"\n"),
            ("m/other.tfvars", "a = \"not loaded\"\n"),
        ],
        &settings,
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = res(&out, "aws_x.r");
    let got = |k: &str| r.attr(k).map(string).unwrap_or_default();
    assert_eq!(got("a"), "default");
    assert_eq!(got("b"), "tfvars");
    assert_eq!(got("c"), "a.auto");
    assert_eq!(got("d"), "var-file");
    assert_eq!(got("e"), "cli");
    assert_eq!(
        r.attr("n").map(|v| v.value.clone()),
        Some(Value::Number(22.0))
    );
    let b = r.attr("b").expect("b");
    assert_eq!(
        &*b.origins[0].message,
        "value comes from variable 'b' in terraform.tfvars"
    );
    assert_eq!(
        text(&sources, &Val::new(Value::Null, b.origins[0].span)),
        "\"tfvars\""
    );
    assert_eq!(text(&sources, b), "var.b");
    let e = r.attr("e").expect("e");
    assert_eq!(&*e.origins[0].message, "value comes from --var e");
}

#[test]
fn count_and_for_each_addresses() {
    let (_, out) = run(&[(
        "m/main.tf",
        r#"resource "aws_instance" "web" {
  count = 2
  tags  = { Name = "web-${count.index}" }
}
resource "aws_subnet" "s" {
  for_each   = { a = "10.0.1.0/24", "b\"q" = "10.0.2.0/24" }
  cidr_block = each.value
  tags       = { Name = each.key }
}
resource "aws_eip" "none" {
  count = 0
}"#,
    )]);
    let addrs: Vec<_> = out.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "aws_instance.web[0]",
            "aws_instance.web[1]",
            "aws_subnet.s[\"a\"]",
            "aws_subnet.s[\"b\\\"q\"]"
        ]
    );
    let w1 = res(&out, "aws_instance.web[1]");
    assert_eq!(w1.key, "m::aws_instance.web[1]");
    let tag = w1.attr("tags").and_then(|t| t.get("Name")).map(string);
    assert_eq!(tag.as_deref(), Some("web-1"));
    let s = res(&out, "aws_subnet.s[\"a\"]");
    assert_eq!(
        s.attr("cidr_block").map(string).as_deref(),
        Some("10.0.1.0/24")
    );
}

#[test]
fn unknown_count_gives_one_maybe_instance() {
    let (_, out) = run(&[(
        "m/main.tf",
        r#"variable "on" { type = bool }
resource "aws_instance" "web" {
  count = var.on ? 1 : 0
  ami   = "ami-${count.index}"
}"#,
    )]);
    let r = res(&out, "aws_instance.web");
    assert!(matches!(r.exists, Existence::Maybe(_)));
    let ami = r
        .attr("ami")
        .and_then(|v| v.as_unknown())
        .expect("unknown ami");
    assert_eq!(ami.reason, "variable 'on' has no value");
}

const NET_MODULE: &str = r#"variable "cidr" { type = string }
variable "name" { default = "net" }
resource "aws_subnet" "public" {
  count      = 1
  cidr_block = var.cidr
  tags       = { Name = var.name }
}
output "subnet_id" { value = aws_subnet.public[0].id }
"#;

#[test]
fn module_resources_carry_address_prefix_calls_and_input_origins() {
    let root = r#"variable "cidr" { default = "10.0.0.0/24" }
module "net" {
  source = "./modules/net"
  cidr   = var.cidr
}
module "multi" {
  source   = "./modules/net"
  for_each = { x = "10.1.0.0/24" }
  cidr     = each.value
}
resource "aws_instance" "web" {
  subnet_id = module.net.subnet_id
}"#;
    let (sources, out) = run(&[("r/main.tf", root), ("r/modules/net/main.tf", NET_MODULE)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let s = res(&out, "module.net.aws_subnet.public[0]");
    assert_eq!(s.key, "r::module.net.aws_subnet.public[0]");
    assert_eq!(s.module_calls.len(), 1);
    let call_text = &sources.get(s.module_calls[0].file).text[s.module_calls[0].range()];
    assert!(call_text.starts_with("module \"net\""), "{call_text}");
    let cidr = s.attr("cidr_block").expect("cidr");
    assert_eq!(string(cidr), "10.0.0.0/24");
    assert_eq!(text(&sources, cidr), "var.cidr");
    let msgs: Vec<_> = cidr.origins.iter().map(|o| &*o.message).collect();
    assert_eq!(
        msgs,
        [
            "value comes from module 'net' input 'cidr'",
            "value comes from variable 'cidr' default"
        ]
    );
    let m = res(&out, "module.multi[\"x\"].aws_subnet.public[0]");
    assert_eq!(
        m.attr("cidr_block").map(string).as_deref(),
        Some("10.1.0.0/24")
    );
    let web = res(&out, "aws_instance.web");
    let id = web
        .attr("subnet_id")
        .and_then(|v| v.as_ref_to())
        .expect("ref");
    assert_eq!(id.key, "r::module.net.aws_subnet.public[0]");
    assert_eq!(id.attr, "id");
}

#[test]
fn module_input_may_use_an_output_of_the_same_module() {
    let child = r#"variable "a" { default = "x" }
variable "b" { default = "y" }
output "a" { value = var.a }
resource "aws_x" "r" { b = var.b }"#;
    let root = r#"module "m" {
  source = "./c"
  b      = module.m.a
}"#;
    let (_, out) = run(&[("r/main.tf", root), ("r/c/main.tf", child)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = res(&out, "module.m.aws_x.r");
    assert_eq!(r.attr("b").map(string).as_deref(), Some("x"));
}

#[test]
fn remote_modules_are_listed_and_unknown() {
    let (_, out) = run(&[(
        "m/main.tf",
        r#"module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
resource "aws_instance" "web" {
  subnet_id = module.vpc.public_subnets[0]
}"#,
    )]);
    assert_eq!(out.modules_not_analysed.len(), 1);
    let web = res(&out, "aws_instance.web");
    let u = web
        .attr("subnet_id")
        .and_then(|v| v.as_unknown())
        .expect("unknown");
    assert!(u.reason.contains("is not analysed"), "{}", u.reason);
    assert_eq!(out.unknowns.get("module not analysed"), Some(&1));
}

#[test]
fn module_recursion_is_a_diagnostic() {
    let (_, out) = run(&[(
        "m/main.tf",
        "module \"again\" {\n  source = \"./\"\n}\nresource \"aws_x\" \"r\" {}\n",
    )]);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(out.errors[0].message.starts_with("module recursion"));
    assert_eq!(out.resources.len(), 1);
}

#[test]
fn locals_and_a_reference_cycle() {
    let (sources, out) = run(&[(
        "m/main.tf",
        r#"locals {
  open = ["0.0.0.0/0", "10.0.0.0/8"]
  a    = local.b
  b    = local.a
}
resource "aws_x" "r" {
  cidrs = local.open
  loop  = local.a
}"#,
    )]);
    let r = res(&out, "aws_x.r");
    let cidrs = r.attr("cidrs").expect("cidrs");
    assert_eq!(text(&sources, cidrs), "local.open");
    assert_eq!(&*cidrs.origins[0].message, "value comes from local 'open'");
    let first = &cidrs.as_list().expect("list")[0];
    assert_eq!(text(&sources, first), "\"0.0.0.0/0\"");
    assert!(r.attr("loop").and_then(|v| v.as_unknown()).is_some());
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(
        out.errors[0].message,
        "reference cycle: local.a → local.b → local.a"
    );
}

#[test]
fn variable_origin_spans() {
    let (sources, out) = run(&[
        (
            "m/variables.tf",
            "variable \"cidrs\" {\n  default = [\"0.0.0.0/0\"]\n}\nvariable \"one\" {\n  default = \"1.2.3.4/32\"\n}\n",
        ),
        (
            "m/main.tf",
            "resource \"aws_x\" \"r\" {\n  a = var.cidrs\n  b = [var.one, \"5.6.7.8/32\"]\n}\n",
        ),
    ]);
    let r = res(&out, "aws_x.r");
    assert_eq!(
        text(&sources, &Val::new(Value::Null, r.span)),
        "\"aws_x\" \"r\""
    );
    let a = r.attr("a").expect("a");
    assert_eq!(text(&sources, a), "var.cidrs");
    assert_eq!(
        text(&sources, &Val::new(Value::Null, a.origins[0].span)),
        "[\"0.0.0.0/0\"]"
    );
    assert_eq!(
        text(&sources, &a.as_list().expect("list")[0]),
        "\"0.0.0.0/0\""
    );
    let b = r.attr("b").and_then(|v| v.as_list()).expect("b");
    assert_eq!(text(&sources, &b[0]), "var.one");
    assert_eq!(
        text(&sources, &Val::new(Value::Null, b[0].origins[0].span)),
        "\"1.2.3.4/32\""
    );
    assert_eq!(text(&sources, &b[1]), "\"5.6.7.8/32\"");
    assert!(b[1].origins.is_empty());
}

#[test]
fn dynamic_blocks_and_nested_block_shape() {
    let (_, out) = run(&[(
        "m/main.tf",
        r#"variable "extra" { type = list(number) }
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = [22, 443]
    iterator = port
    content {
      from_port = port.value
      protocol  = "tcp"
    }
  }
  ingress {
    from_port = 80
  }
  dynamic "egress" {
    for_each = var.extra
    content {
      from_port = egress.value
      protocol  = "tcp"
    }
  }
  metadata_options {
    http_tokens = "required"
  }
}"#,
    )]);
    let sg = res(&out, "aws_security_group.sg");
    let ingress = sg
        .attr("ingress")
        .and_then(|v| v.as_list())
        .expect("ingress");
    let ports: Vec<_> = ingress
        .iter()
        .map(|b| b.get("from_port").map(string).unwrap_or_default())
        .collect();
    assert_eq!(ports, ["22", "443", "80"]);
    let egress = sg.attr("egress").and_then(|v| v.as_list()).expect("egress");
    assert_eq!(egress.len(), 1);
    assert!(egress[0]
        .get("from_port")
        .and_then(|v| v.as_unknown())
        .is_some());
    assert_eq!(
        egress[0].get("protocol").map(string).as_deref(),
        Some("tcp")
    );
    let md = sg
        .attr("metadata_options")
        .and_then(|v| v.as_list())
        .expect("md");
    assert_eq!(md.len(), 1);
    assert_eq!(
        md[0].get("http_tokens").map(string).as_deref(),
        Some("required")
    );
}

#[test]
fn for_expressions_conditionals_and_templates() {
    let (_, out) = run(&[(
        "m/main.tf",
        r#"variable "env" { type = string }
locals {
  nums = [1, 2, 3, 4]
  m    = { a = 1, b = 2 }
}
resource "aws_x" "r" {
  evens   = [for n in local.nums : n * 10 if n % 2 == 0]
  inv     = { for k, v in local.m : "${k}x" => v + 1 }
  grouped = { for n in local.nums : (n > 2 ? "big" : "small") => n... }
  cond    = var.env == "prod" ? "10.0.0.0/8" : "0.0.0.0/0"
  known   = 1 < 2 && !false ? "yes" : "no"
  tpl     = "%{ for n in local.nums }${n}%{ if n < 4 },%{ endif }%{ endfor }"
  heredoc = <<-EOT
    a=${local.m.a}
    EOT
  part    = "env-${var.env}"
  strip   = "a %{~ if true ~} b %{~ endif ~} c [ %{~ for n in local.nums ~} ${n} %{~ endfor ~} ]"
}"#,
    )]);
    let r = res(&out, "aws_x.r");
    let s = |k: &str| r.attr(k).map(shape).unwrap_or_default();
    assert_eq!(s("evens"), "[Number(20.0), Number(40.0)]");
    assert_eq!(s("inv"), "{ax: Number(2.0), bx: Number(3.0)}");
    assert_eq!(
        s("grouped"),
        "{big: [Number(3.0), Number(4.0)], small: [Number(1.0), Number(2.0)]}"
    );
    let cond = r
        .attr("cond")
        .and_then(|v| v.as_unknown())
        .expect("unknown");
    assert_eq!(cond.reason, "variable 'env' has no value");
    let cands: Vec<_> = cond.candidates.iter().map(string).collect();
    assert_eq!(cands, ["10.0.0.0/8", "0.0.0.0/0"]);
    assert_eq!(s("known"), "String(\"yes\")");
    assert_eq!(s("tpl"), "String(\"1,2,3,4\")");
    assert_eq!(s("heredoc"), "String(\"a=1\\n\")");
    assert_eq!(s("part"), "unknown(variable 'env' has no value)");
    assert_eq!(s("strip"), "String(\"abc [1234]\")");
}

#[test]
fn resource_references_splats_and_data_sources() {
    let (_, out) = run(&[(
        "m/main.tf",
        r#"data "aws_vpc" "default" { default = true }
data "aws_ami" "ubuntu" { most_recent = true }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "s" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = aws_vpc.main.cidr_block
}
resource "aws_x" "r" {
  subnets = aws_subnet.s[*].id
  second  = aws_subnet.s[1].vpc_id
  default = data.aws_vpc.default.id
  ami     = data.aws_ami.ubuntu.id
  whole   = aws_vpc.main
  name    = "sg-${aws_vpc.main.id}"
}"#,
    )]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let d = res(&out, "data.aws_vpc.default");
    assert_eq!(d.kind, "data.aws_vpc");
    assert_eq!(d.attr("default").and_then(|v| v.as_bool()), Some(true));
    assert!(out.resources.iter().all(|r| r.kind != "data.aws_ami"));
    let s0 = res(&out, "aws_subnet.s[0]");
    assert_eq!(
        s0.attr("cidr_block").map(string).as_deref(),
        Some("10.0.0.0/16")
    );
    let r = res(&out, "aws_x.r");
    let s = |k: &str| r.attr(k).map(shape).unwrap_or_default();
    assert_eq!(
        s("subnets"),
        "[ref(aws_subnet.s[0].id), ref(aws_subnet.s[1].id)]"
    );
    assert_eq!(s("second"), "ref(aws_vpc.main.id)");
    assert_eq!(s("default"), "ref(data.aws_vpc.default.id)");
    assert_eq!(
        s("ami"),
        "unknown(data source data.aws_ami.ubuntu is read at plan time)"
    );
    assert_eq!(
        s("whole"),
        "{arn: ref(aws_vpc.main.arn), cidr_block: String(\"10.0.0.0/16\"), id: ref(aws_vpc.main.id)}"
    );
    assert_eq!(
        s("name"),
        "unknown(resource attribute computed at apply (aws_vpc.main.id))"
    );
}

#[test]
fn parse_error_has_its_position() {
    let (sources, out) = run(&[
        ("m/bad.tf", "resource \"aws_x\" \"a\" {\n  b = \n}\n"),
        ("m/good.tf", "resource \"aws_x\" \"ok\" {}\n"),
    ]);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let e = &out.errors[0];
    let f = sources.get(e.span.file);
    assert_eq!(f.display_path(), "m/bad.tf");
    let lc = f.line_col(e.span.start as usize);
    // Where the missing expression should start.
    assert_eq!((lc.line, lc.column), (2, 7));
    assert_eq!(out.resources.len(), 1);
}

#[test]
fn json_syntax_lowers_like_hcl() {
    let hcl = include_str!("../../../fixtures/frontend/terraform/equiv/hcl/main.tf");
    let json = include_str!("../../../fixtures/frontend/terraform/equiv/json/main.tf.json");
    let (_, a) = run(&[("h/main.tf", hcl)]);
    let (_, b) = run(&[("j/main.tf.json", json)]);
    assert!(
        a.errors.is_empty() && b.errors.is_empty(),
        "{:?} {:?}",
        a.errors,
        b.errors
    );
    let flat = |l: &Lowered| -> Vec<String> {
        l.resources
            .iter()
            .map(|r| {
                let attrs: Vec<_> = r
                    .attrs
                    .iter()
                    .map(|(k, v)| format!("{k}={}", shape(v)))
                    .collect();
                format!("{} {}", r.address, attrs.join(" "))
            })
            .collect()
    };
    assert_eq!(flat(&a), flat(&b));
    assert_eq!(a.resources.len(), 4);
}

#[test]
fn exponentially_growing_values_stop_at_the_budget() {
    let mut text = String::from("locals {\n  a0 = [1, 2]\n");
    for i in 1..40 {
        text.push_str(&format!("  a{i} = [local.a{}, local.a{}]\n", i - 1, i - 1));
    }
    text.push_str("}\nresource \"aws_x\" \"r\" {\n  v = local.a39\n}\n");
    let (_, out) = run(&[("m/main.tf", &text)]);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let message = &out.errors[0].message;
    assert!(
        message.starts_with("evaluation budget exceeded") && message.contains("`local.a"),
        "{message}"
    );
    // the root module's evaluation ended: its resource is not emitted half-evaluated
    assert!(out.resources.is_empty());
}

#[test]
fn instance_limit_is_a_diagnostic() {
    let (_, out) = run(&[(
        "m/main.tf",
        "resource \"aws_x\" \"r\" {\n  count = 1000000000\n}\n",
    )]);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let r = res(&out, "aws_x.r");
    assert!(matches!(r.exists, Existence::Maybe(_)));
}

#[test]
fn file_and_templatefile_read_relative_to_the_module() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("motd.txt"), "hello").expect("write");
    std::fs::write(
        dir.path().join("init.tpl"),
        "%{ for p in ports }open ${p}\n%{ endfor }by ${name}",
    )
    .expect("write");
    let main = r#"resource "aws_instance" "web" {
  motd      = file("motd.txt")
  user_data = templatefile("${path.module}/init.tpl", { ports = [22, 80], name = "ops" })
  present   = fileexists("motd.txt")
  absent    = fileexists("nope.txt")
  fallback  = try(file("nope.txt"), "none")
  ok        = can(file("nope.txt"))
}"#;
    let path = dir.path().join("main.tf");
    let name = path.to_string_lossy().into_owned();
    let (_, out) = run(&[(name.as_str(), main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = res(&out, "aws_instance.web");
    let s = |k: &str| r.attr(k).map(shape).unwrap_or_default();
    assert_eq!(s("motd"), "String(\"hello\")");
    assert_eq!(s("user_data"), "String(\"open 22\\nopen 80\\nby ops\")");
    assert_eq!(s("present"), "Bool(true)");
    assert_eq!(s("absent"), "Bool(false)");
    assert_eq!(s("fallback"), "String(\"none\")");
    assert_eq!(s("ok"), "Bool(false)");
}

#[test]
fn plan_json_gives_resources_and_references() {
    let sources = SourceMap::default();
    let file = sources.add(
        PathBuf::from("p/plan.json"),
        include_str!("../../../fixtures/frontend/terraform/plan/plan.json"),
    );
    let out = super::lower_plan(&file).expect("a plan");
    let addrs: Vec<_> = out.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "aws_security_group.ssh",
            "aws_instance.web",
            "module.net.aws_subnet.public[0]"
        ]
    );
    let sg = res(&out, "aws_security_group.ssh");
    assert_eq!(sg.key, "p/plan.json::aws_security_group.ssh");
    let ingress = sg
        .attr("ingress")
        .and_then(|v| v.as_list())
        .expect("ingress");
    assert_eq!(
        ingress[0].get("from_port").and_then(|v| v.as_i64()),
        Some(22)
    );
    let web = res(&out, "aws_instance.web");
    let s = |k: &str| web.attr(k).map(shape).unwrap_or_default();
    assert_eq!(
        s("vpc_security_group_ids"),
        "[ref(aws_security_group.ssh.id)]"
    );
    assert_eq!(
        s("subnet_id"),
        "unknown(resource attribute computed at apply (aws_instance.web.subnet_id))"
    );
    let subnet = res(&out, "module.net.aws_subnet.public[0]");
    let vpc = subnet
        .attr("vpc_id")
        .and_then(|v| v.as_ref_to())
        .expect("ref");
    assert_eq!(vpc.key, "p/plan.json::module.net.aws_vpc.main");
    assert_eq!(
        out.unknowns.get("resource attribute computed at apply"),
        Some(&2)
    );
    let per_module: usize = out
        .unknowns_by_module
        .values()
        .flat_map(|c| c.values())
        .sum();
    assert_eq!(per_module, 2);
    assert!(out
        .unknowns_by_module
        .keys()
        .all(|m| m == "p/plan.json" || m == "p/plan.json::module.net"));
    let not_plan = sources.add(PathBuf::from("x.json"), "{\"a\": 1}");
    assert!(super::lower_plan(&not_plan).is_none());
}

#[test]
fn cli_vars_convert_by_declared_type() {
    let settings = Settings {
        vars: vec![
            ("port".into(), "22".into()),
            ("open".into(), "true".into()),
            ("cidrs".into(), "[\"0.0.0.0/0\", \"10.0.0.0/8\"]".into()),
            ("name".into(), "web".into()),
        ],
        ..Settings::default()
    };
    let (_, out) = run_with(
        &[(
            "m/main.tf",
            r#"variable "port" { type = number }
variable "open" { type = bool }
variable "cidrs" { type = list(string) }
variable "name" {}
variable "rules" {
  type    = map(object({ port = number, proto = optional(string, "tcp"), note = optional(string) }))
  default = { ssh = { port = "22" } }
}
resource "aws_x" "r" {
  port  = var.port + 1
  open  = var.open
  cidrs = var.cidrs
  name  = var.name
  rules = var.rules
}"#,
        )],
        &settings,
    );
    let r = res(&out, "aws_x.r");
    let s = |k: &str| r.attr(k).map(shape).unwrap_or_default();
    assert_eq!(s("port"), "Number(23.0)");
    assert_eq!(s("open"), "Bool(true)");
    assert_eq!(
        s("cidrs"),
        "[String(\"0.0.0.0/0\"), String(\"10.0.0.0/8\")]"
    );
    assert_eq!(s("name"), "String(\"web\")");
    assert_eq!(
        s("rules"),
        "{ssh: {note: Null, port: Number(22.0), proto: String(\"tcp\")}}"
    );
}

#[test]
fn module_nesting_and_mutual_recursion_are_bounded() {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut dir = String::from("deep");
    for _ in 0..20 {
        let text = "module \"next\" {\n  source = \"./n\"\n}\nresource \"aws_x\" \"r\" {}\n";
        files.push((format!("{dir}/main.tf"), text.to_string()));
        dir.push_str("/n");
    }
    files.push((
        "a/main.tf".into(),
        "module \"b\" {\n  source = \"../b\"\n}\n".into(),
    ));
    files.push((
        "b/main.tf".into(),
        "module \"a\" {\n  source = \"../a\"\n}\n".into(),
    ));
    files.push((
        "c/main.tf".into(),
        "module \"a\" {\n  source = \"../a\"\n}\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_, out) = run(&refs);
    let messages: Vec<_> = out.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages.contains(&"module nesting deeper than 16"),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("module recursion")),
        "{messages:?}"
    );
    assert_eq!(out.resources.len(), 17);
}

#[test]
fn override_files_are_skipped() {
    let (_, out) = run(&[
        ("m/main.tf", "resource \"aws_x\" \"r\" { a = 1 }\n"),
        ("m/override.tf", "resource \"aws_x\" \"r\" { a = 2 }\n"),
        ("m/dev_override.tf.json", "{}"),
    ]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.skipped.len(), 2);
    let r = res(&out, "aws_x.r");
    assert_eq!(r.attr("a").and_then(|v| v.as_i64()), Some(1));
}

#[test]
fn child_modules_outside_the_scanned_files_are_read_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    // a repository: its whole work tree is the analysed tree
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let child = dir.path().join("mods/net");
    std::fs::create_dir_all(&child).expect("mkdir");
    std::fs::write(child.join("main.tf"), NET_MODULE).expect("write");
    std::fs::create_dir(dir.path().join("root")).expect("mkdir");
    let root = dir.path().join("root/main.tf");
    let root_text = "module \"net\" {\n  source = \"../mods/net\"\n  cidr   = \"10.9.0.0/24\"\n}\n";
    let name = root.to_string_lossy().into_owned();
    let (sources, out) = run(&[(name.as_str(), root_text)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let s = res(&out, "module.net.aws_subnet.public[0]");
    let file = sources.get(s.span.file);
    assert!(
        file.display_path().ends_with("mods/net/main.tf"),
        "{}",
        file.display_path()
    );
    assert_eq!(&file.text[s.span.range()], "\"aws_subnet\" \"public\"");
    assert_eq!(
        s.attr("cidr_block").map(string).as_deref(),
        Some("10.9.0.0/24")
    );
}

#[test]
fn repeated_object_keys_keep_the_last_value() {
    let main = r#"locals {
  o = {
    a     = 1
    "b"   = 2
    a     = 3
    ___   = 4
    "b"   = 5
    a     = 6
  }
}
resource "aws_x" "r" {
  a = local.o.a
  b = local.o.b
  u = local.o.___
  n = length(keys(local.o))
}"#;
    let (_, out) = run(&[("m/main.tf", main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = res(&out, "aws_x.r");
    assert_eq!(string(&r.attrs["a"]), "6");
    assert_eq!(string(&r.attrs["b"]), "5");
    assert_eq!(string(&r.attrs["u"]), "4");
    assert_eq!(string(&r.attrs["n"]), "3");
}

#[test]
fn a_repeated_template_key_keeps_the_last_value() {
    let main = "locals {\n  o = {\n    \"a${1}\" = 1\n    \"a${1}\" = 2\n  }\n}\n\
                resource \"aws_x\" \"r\" {\n  a = local.o.a1\n}\n";
    let (_, out) = run(&[("m/main.tf", main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(string(&res(&out, "aws_x.r").attrs["a"]), "2");
}

#[test]
fn unknowns_are_counted_per_module_instance() {
    let root = r#"variable "open" {}
data "aws_vpc" "v" { id = "vpc-1" }
module "net" {
  source = "./modules/net"
  cidr   = var.open
}
module "multi" {
  source   = "./modules/net"
  for_each = { "a.b]" = data.aws_vpc.v.cidr_block }
  cidr     = each.value
}
resource "aws_x" "r" {
  a = var.open
  b = "known"
}"#;
    let (_, out) = run(&[("r/main.tf", root), ("r/modules/net/main.tf", NET_MODULE)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let counts = |m: &str| {
        out.unknowns_by_module.get(m).map(|c| {
            c.iter()
                .map(|(k, n)| format!("{k}={n}"))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        counts("r").as_deref(),
        Some(&["variable without value=1".to_string()][..])
    );
    assert_eq!(
        counts("r::module.net").as_deref(),
        Some(&["variable without value=1".to_string()][..])
    );
    assert_eq!(
        counts("r::module.multi[\"a.b]\"]").as_deref(),
        Some(&["data source=1".to_string()][..])
    );
    assert_eq!(out.unknowns_by_module.len(), 3);
    let total: usize = out.unknowns.values().sum();
    assert_eq!(total, 3);
}

#[test]
fn provider_computed_attributes_short_circuits_and_errors_through_functions() {
    let main = r#"variable "u" {}
resource "aws_launch_template" "lt" {
  default_version = null
}
resource "aws_eks_cluster" "c" {
  tags = { Name = "c" }
  vpc_config {
    subnet_ids = ["s"]
  }
}
resource "aws_x" "r" {
  version = try(aws_launch_template.lt.default_version, "$Default")
  sg      = aws_eks_cluster.c.vpc_config[0].cluster_security_group_id
  subnets = aws_eks_cluster.c.vpc_config[0].subnet_ids
  and     = var.u && false
  or      = var.u || true
  still   = var.u && true
  fell    = try(element(coalescelist([], []), 0), "fallback")
  wrapped = upper(lower(var.u))
  long    = resource.aws_eks_cluster.c.vpc_config[0].subnet_ids
  splat   = aws_eks_cluster.c.vpc_config[*].endpoint
  tag     = try(aws_eks_cluster.c.tags.Missing, "none")
}"#;
    let (_, out) = run(&[("m/main.tf", main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = res(&out, "aws_x.r");
    let version = r.attrs["version"].as_ref_to().expect("computed version");
    assert_eq!(version.attr, "default_version");
    let sg = r.attrs["sg"].as_unknown().expect("computed sg");
    assert_eq!(
        sg.reason,
        "resource attribute computed at apply (aws_eks_cluster.c.vpc_config: cluster_security_group_id)"
    );
    assert_eq!(shape(&r.attrs["subnets"]), "[String(\"s\")]");
    assert_eq!(shape(&r.attrs["long"]), "[String(\"s\")]");
    assert_eq!(
        shape(&r.attrs["splat"]),
        "[unknown(resource attribute computed at apply (aws_eks_cluster.c.vpc_config: endpoint))]"
    );
    assert_eq!(string(&r.attrs["tag"]), "none");
    assert_eq!(r.attrs["and"].as_bool(), Some(false));
    assert_eq!(r.attrs["or"].as_bool(), Some(true));
    assert!(r.attrs["still"].as_unknown().is_some());
    assert_eq!(string(&r.attrs["fell"]), "fallback");
    assert_eq!(
        r.attrs["wrapped"].as_unknown().map(|u| u.reason.as_str()),
        Some("upper(): lower(): variable 'u' has no value")
    );
    assert_eq!(out.unknowns.get("variable without value"), Some(&2));
    assert_eq!(
        out.unknowns.get("resource attribute computed at apply"),
        Some(&2)
    );
}

#[test]
fn a_slice_of_a_data_source_list_has_its_length() {
    let main = r#"data "aws_availability_zones" "available" {}
locals {
  azs     = slice(data.aws_availability_zones.available.names, 0, 3)
  subnets = [for k, v in local.azs : cidrsubnet("10.0.0.0/16", 8, k + 4)]
}
resource "aws_subnet" "public" {
  count             = length(local.azs)
  cidr_block        = local.subnets[count.index]
  availability_zone = local.azs[count.index]
}"#;
    let (_, out) = run(&[("m/main.tf", main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let s = res(&out, "aws_subnet.public[2]");
    assert!(matches!(s.exists, Existence::Yes));
    assert_eq!(string(&s.attrs["cidr_block"]), "10.0.6.0/24");
    let az = s.attrs["availability_zone"]
        .as_unknown()
        .expect("unknown az");
    assert_eq!(
        az.reason,
        "slice(): data source data.aws_availability_zones.available is read at plan time"
    );
}

#[test]
fn dynamic_blocks_over_sets_key_by_value() {
    let main = r#"variable "ports" {
  type    = set(number)
  default = [443, 22]
}
locals {
  names = local.set
  set   = toset(["b", "a"])
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.ports
    content { from_port = ingress.key }
  }
  dynamic "egress" {
    for_each = local.names
    iterator = rule
    content { description = rule.key }
  }
  dynamic "tags" {
    for_each = ["x", "y"]
    content { index = tags.key }
  }
}"#;
    let (_, out) = run(&[("m/main.tf", main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let sg = res(&out, "aws_security_group.sg");
    let field = |block: &str, name: &str| {
        sg.attrs[block]
            .as_list()
            .unwrap_or_default()
            .iter()
            .map(|b| b.get(name).map(string).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(field("ingress", "from_port"), ["22", "443"]);
    assert_eq!(field("egress", "description"), ["a", "b"]);
    assert_eq!(field("tags", "index"), ["0", "1"]);
}

#[test]
fn an_unreadable_var_file_is_an_error_at_its_path() {
    let mut settings = Settings::default();
    settings
        .var_files
        .push(PathBuf::from("/nonexistent/prod.tfvars"));
    let (sources, out) = run_with(&[("m/main.tf", "resource \"aws_x\" \"r\" {}\n")], &settings);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let e = &out.errors[0];
    assert_eq!(
        sources.get(e.span.file).display_path(),
        "/nonexistent/prod.tfvars"
    );
    assert_eq!((e.span.start, e.span.end), (0, 0));
    assert!(
        e.message.starts_with("cannot read --var-file: "),
        "{}",
        e.message
    );
    assert_eq!(out.resources.len(), 1);
}

#[test]
fn the_default_vpc_data_source_has_the_default_cidr() {
    let main = r#"data "aws_vpc" "default" { default = true }
data "aws_vpc" "other" { id = "vpc-1" }
resource "aws_security_group_rule" "r" {
  cidr_blocks = [data.aws_vpc.default.cidr_block, data.aws_vpc.other.cidr_block]
}"#;
    let (sources, out) = run(&[("m/main.tf", main)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = res(&out, "aws_security_group_rule.r");
    let cidrs = r.attrs["cidr_blocks"].as_list().unwrap_or_default();
    assert_eq!(string(&cidrs[0]), "172.31.0.0/16");
    assert_eq!(text(&sources, &cidrs[0]), "data.aws_vpc.default.cidr_block");
    let origin = cidrs[0].origins[0].span;
    assert_eq!(
        &sources.get(origin.file).text[origin.range()],
        "\"aws_vpc\" \"default\""
    );
    assert_eq!(
        cidrs[1].as_unknown().map(|u| u.reason.as_str()),
        Some("data source data.aws_vpc.other is read at plan time")
    );
}
