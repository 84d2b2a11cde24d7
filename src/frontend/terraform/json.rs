//! Terraform JSON syntax (`.tf.json`, `.tfvars.json`) converted to [`ast`](super::ast).
//!
//! Strings are templates (`"${var.x}"`) except in variable defaults and `.tfvars.json`.
//! Nested blocks are told from map-valued arguments by name (see [`NESTED_BLOCKS`]): a block
//! written as one object becomes a one-element block list, as in `.tf`.

use jsonc_parser::ast::{ObjectProp, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::CollectOptions;

use crate::frontend::tree::json::STRICT;

use super::ast::{Attr, Block, Body, Expr, ExprKind, Label};
use super::hcl::{self, Mapper};
use crate::ir::Diagnostic;
use crate::source::{SourceFile, Span};

/// Names that are nested blocks (not map arguments) inside resources, data sources and
/// their blocks; argument maps like `tags` are not listed.
const NESTED_BLOCKS: &[&str] = &[
    "ingress",
    "egress",
    "route",
    "metadata_options",
    "network_interface",
    "network_interfaces",
    "root_block_device",
    "ebs_block_device",
    "subnet_mapping",
    "access_logs",
    "default_action",
    "listener",
    "health_check",
    "launch_template",
    "mixed_instances_policy",
    "vpc_config",
    "filter",
    "lifecycle",
    "timeouts",
    "dynamic",
    "content",
    "private_ips_count",
    "cidr_block_association",
    "connection",
    "provisioner",
];

/// Labels per top-level block type.
fn label_count(kind: &str) -> usize {
    match kind {
        "resource" | "data" => 2,
        "variable" | "output" | "module" | "provider" => 1,
        _ => 0,
    }
}

const MAX_DEPTH: usize = 64;

/// Parses a `.tf.json` file body.
pub fn parse_file(file: &SourceFile) -> Result<Body, Diagnostic> {
    let root = parse_value(file)?;
    let mut body = Body::default();
    if let Some(Value::Object(o)) = &root {
        for p in &o.properties {
            let kind = p.name.as_str().to_string();
            let n = label_count(&kind);
            for_each_object(&p.value, &mut |obj_val| {
                collect_labelled(file, &kind, n, Vec::new(), obj_val, &mut body.blocks, 0)
            });
        }
    }
    Ok(body)
}

/// Parses a `.tfvars.json` file: every property is a literal value.
pub fn parse_tfvars(file: &SourceFile) -> Result<Body, Diagnostic> {
    let root = parse_value(file)?;
    let mut body = Body::default();
    if let Some(Value::Object(o)) = &root {
        for p in &o.properties {
            body.attrs.push(Attr {
                name: p.name.as_str().to_string(),
                expr: expr(file, &p.value, false, 0),
            });
        }
    }
    Ok(body)
}

fn parse_value(file: &SourceFile) -> Result<Option<Value<'_>>, Diagnostic> {
    jsonc_parser::parse_to_ast(file.body(), &CollectOptions::default(), &STRICT)
        .map(|r| r.value)
        .map_err(|e| Diagnostic {
            span: file.body_span(e.range().start, e.range().end),
            message: format!("JSON parse error: {}", e.kind()),
        })
}

fn span_of(file: &SourceFile, r: &jsonc_parser::common::Range) -> Span {
    file.body_span(r.start, r.end)
}

/// Calls `f` with the value, or with each element when it is an array.
fn for_each_object<'v, 'a>(v: &'v Value<'a>, f: &mut dyn FnMut(&'v Value<'a>)) {
    match v {
        Value::Array(a) => a.elements.iter().for_each(f),
        other => f(other),
    }
}

/// Descends `remaining` label levels of nested objects, then adds the block.
fn collect_labelled(
    file: &SourceFile,
    kind: &str,
    remaining: usize,
    labels: Vec<Label>,
    v: &Value,
    out: &mut Vec<Block>,
    depth: usize,
) {
    let Value::Object(o) = v else { return };
    if remaining == 0 {
        let body = if kind == "locals" || kind == "terraform" {
            attrs_only(file, o, true)
        } else {
            block_body(file, kind, o, depth + 1)
        };
        out.push(Block {
            kind: kind.to_string(),
            labels,
            body,
            span: span_of(file, &o.range),
        });
        return;
    }
    for p in &o.properties {
        let mut labels = labels.clone();
        labels.push(Label {
            name: p.name.as_str().to_string(),
            span: span_of(file, &prop_name_range(p)),
        });
        for_each_object(&p.value, &mut |inner| {
            collect_labelled(file, kind, remaining - 1, labels.clone(), inner, out, depth)
        });
    }
}

fn prop_name_range(p: &ObjectProp) -> jsonc_parser::common::Range {
    match &p.name {
        jsonc_parser::ast::ObjectPropName::String(s) => s.range,
        jsonc_parser::ast::ObjectPropName::Word(w) => w.range,
    }
}

fn attrs_only(file: &SourceFile, o: &jsonc_parser::ast::Object, templates: bool) -> Body {
    Body {
        attrs: o
            .properties
            .iter()
            .filter(|p| p.name.as_str() != "//")
            .map(|p| Attr {
                name: p.name.as_str().to_string(),
                expr: expr(file, &p.value, templates, 0),
            })
            .collect(),
        blocks: Vec::new(),
    }
}

/// A block body: arguments, and nested blocks by [`NESTED_BLOCKS`] name.
fn block_body(file: &SourceFile, kind: &str, o: &jsonc_parser::ast::Object, depth: usize) -> Body {
    let mut body = Body::default();
    for p in &o.properties {
        let name = p.name.as_str();
        if name == "//" {
            continue;
        }
        let is_block = depth < MAX_DEPTH
            && NESTED_BLOCKS.contains(&name)
            && match &p.value {
                Value::Object(_) => true,
                Value::Array(a) => a.elements.iter().all(|e| matches!(e, Value::Object(_))),
                _ => false,
            };
        if name == "dynamic" && is_block {
            for_each_object(&p.value, &mut |v| {
                collect_labelled(file, "dynamic", 1, Vec::new(), v, &mut body.blocks, depth)
            });
        } else if is_block {
            for_each_object(&p.value, &mut |v| {
                if let Value::Object(inner) = v {
                    body.blocks.push(Block {
                        kind: name.to_string(),
                        labels: Vec::new(),
                        body: block_body(file, name, inner, depth + 1),
                        span: span_of(file, &inner.range),
                    });
                }
            });
        } else {
            let expr = match (kind, name, &p.value) {
                ("variable", "default", v) => expr(file, v, false, 0),
                ("variable", "type", Value::StringLit(s)) => type_expr(file, s),
                (_, _, v) => expr(file, v, true, 0),
            };
            body.attrs.push(Attr {
                name: name.to_string(),
                expr,
            });
        }
    }
    body
}

/// A JSON value as an expression; strings are templates when `templates`.
fn expr(file: &SourceFile, v: &Value, templates: bool, depth: usize) -> Expr {
    let span = span_of(file, &v.range());
    if depth > MAX_DEPTH {
        return Expr::new(ExprKind::Invalid("JSON nested too deeply".into()), span);
    }
    let kind = match v {
        Value::NullKeyword(_) => ExprKind::Null,
        Value::BooleanLit(b) => ExprKind::Bool(b.value),
        Value::NumberLit(n) => ExprKind::Number(n.value.parse().unwrap_or(f64::NAN)),
        Value::StringLit(s) if templates => return template(file, &s.value, s.range, span),
        Value::StringLit(s) => ExprKind::Str(s.value.to_string()),
        Value::Array(a) => ExprKind::Tuple(
            a.elements
                .iter()
                .map(|e| expr(file, e, templates, depth + 1))
                .collect(),
        ),
        Value::Object(o) => ExprKind::Object(
            o.properties
                .iter()
                .map(|p| {
                    let r = prop_name_range(p);
                    let key = if templates {
                        template(file, p.name.as_str(), r, span_of(file, &r))
                    } else {
                        Expr::new(
                            ExprKind::Str(p.name.as_str().to_string()),
                            span_of(file, &r),
                        )
                    };
                    (key, expr(file, &p.value, templates, depth + 1))
                })
                .collect(),
        ),
    };
    Expr::new(kind, span)
}

/// Maps offsets in the decoded `text` of a JSON string at `r` into the file (exact when the
/// string has no escapes, else everything maps to `span`).
fn string_mapper<'a>(
    file: &'a SourceFile,
    text: &str,
    r: jsonc_parser::common::Range,
    span: Span,
) -> Mapper<'a> {
    let raw = file.body().get(r.start + 1..r.end.saturating_sub(1));
    Mapper {
        file,
        base: r.start + 1,
        exact: raw == Some(text),
        fallback: span,
    }
}

/// A variable's `"type"`: the string holds a type expression (`"list(string)"`).
fn type_expr(file: &SourceFile, s: &jsonc_parser::ast::StringLit) -> Expr {
    let span = span_of(file, &s.range);
    hcl::parse_expr(&s.value, &string_mapper(file, &s.value, s.range, span))
        .unwrap_or_else(|| Expr::new(ExprKind::Invalid(format!("bad type '{}'", s.value)), span))
}

/// A JSON string parsed as a template; spans are exact when the string has no escapes.
fn template(file: &SourceFile, text: &str, r: jsonc_parser::common::Range, span: Span) -> Expr {
    if !text.contains("${") && !text.contains("%{") {
        return Expr::new(ExprKind::Str(text.to_string()), span);
    }
    let m = string_mapper(file, text, r, span);
    match hcl::parse_template(text, &m) {
        Ok(parts) => Expr::new(ExprKind::Template(parts), span),
        Err(e) => Expr::new(ExprKind::Invalid(format!("bad template: {e}")), span),
    }
}
