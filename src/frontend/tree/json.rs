//! JSON → [`Node`] through jsonc-parser in strict mode.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::{error_at, Key, KeySet, Node, NodeKind, MAX_DEPTH};
use crate::ir::Diagnostic;
use crate::source::SourceFile;

/// jsonc-parser with every lenient extension off: plain RFC 8259 JSON (CloudFormation and
/// Terraform accept nothing else).
pub const STRICT: ParseOptions = ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// Parses strict JSON (no comments, trailing commas, unquoted or single-quoted names, hex or
/// other JSON5 numbers); duplicate keys and nesting beyond [`MAX_DEPTH`] are errors.
pub fn parse_json(file: &SourceFile) -> Result<Node, Diagnostic> {
    if let Some(at) = too_deep(file.body()) {
        return Err(error_at(
            file,
            at,
            format!("JSON nesting deeper than {MAX_DEPTH} levels"),
        ));
    }
    let parsed = parse_to_ast(file.body(), &CollectOptions::default(), &STRICT)
        .map_err(|e| error_at(file, e.range().start, format!("invalid JSON: {}", e.kind())))?;
    match parsed.value {
        Some(value) => convert(file, &value, 0),
        None => Err(error_at(file, 0, "empty JSON document".to_string())),
    }
}

/// Offset of the first bracket nested deeper than [`MAX_DEPTH`], found by a scan before the
/// (recursive) parser runs, so deep input cannot exhaust the stack.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (_, b'"') => in_string = !in_string,
            (false, b'[' | b'{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Converts one value; recursion is bounded by [`MAX_DEPTH`].
fn convert(file: &SourceFile, value: &Value, depth: usize) -> Result<Node, Diagnostic> {
    let range = value_range(value);
    let span = file.body_span(range.start, range.end);
    if depth > MAX_DEPTH {
        return Err(error_at(
            file,
            range.start,
            format!("JSON nesting deeper than {MAX_DEPTH} levels"),
        ));
    }
    let kind = match value {
        Value::StringLit(s) => NodeKind::String(s.value.to_string()),
        Value::NumberLit(n) => match n.value.parse::<f64>() {
            Ok(x) if x.is_finite() => NodeKind::Number(x),
            _ => NodeKind::String(n.value.to_string()),
        },
        Value::BooleanLit(b) => NodeKind::Bool(b.value),
        Value::NullKeyword(_) => NodeKind::Null,
        Value::Array(a) => NodeKind::Seq(
            a.elements
                .iter()
                .map(|e| convert(file, e, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => {
            let mut keys = KeySet::default();
            let mut entries = Vec::with_capacity(o.properties.len());
            for prop in &o.properties {
                let (name, r) = match &prop.name {
                    ObjectPropName::String(s) => (s.value.to_string(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                let key = Key {
                    name,
                    span: file.body_span(r.start, r.end),
                };
                keys.check(file, &entries, &key)?;
                entries.push((key, convert(file, &prop.value, depth + 1)?));
            }
            NodeKind::Map(entries)
        }
    };
    Ok(Node {
        kind,
        span,
        tag: None,
    })
}

fn value_range(value: &Value) -> jsonc_parser::common::Range {
    match value {
        Value::StringLit(v) => v.range,
        Value::NumberLit(v) => v.range,
        Value::BooleanLit(v) => v.range,
        Value::Object(v) => v.range,
        Value::Array(v) => v.range,
        Value::NullKeyword(v) => v.range,
    }
}
