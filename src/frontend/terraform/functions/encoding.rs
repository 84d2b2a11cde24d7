//! Encoding functions: `base64decode base64encode csvdecode jsondecode jsonencode urlencode`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;

use super::args::{arg, known_deep, list_of, string, text, MAX_DEPTH};
use super::{Builtin, Fail, Res};
use crate::budget::{map_bytes, Budget, ENTRY, NODE};
use crate::ir::{Val, Value};
use crate::source::Span;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "base64encode" => Builtin::sized(1, Some(1), |a, s, b| {
            let input = string(arg(a, 0)?)?;
            b.check(NODE + 4 * input.len().div_ceil(3) as u64)?;
            Ok(text(
                base64::engine::general_purpose::STANDARD.encode(input.as_bytes()),
                s,
            ))
        }),
        "base64decode" => Builtin::fixed(1, base64decode),
        "jsonencode" => Builtin::sized(1, Some(1), |a, s, b| Ok(text(json(arg(a, 0)?, b)?, s))),
        "jsondecode" => Builtin::sized(1, Some(1), jsondecode),
        "csvdecode" => Builtin::sized(1, Some(1), csvdecode),
        "urlencode" => Builtin::sized(1, Some(1), |a, s, b| {
            let input = string(arg(a, 0)?)?;
            let escaped = input.bytes().filter(|c| !unreserved(*c)).count() as u64;
            b.check(NODE + input.len() as u64 + 2 * escaped)?;
            Ok(text(urlencode(&input), s))
        }),
        _ => return None,
    })
}

fn base64decode(args: &[Val], span: Span) -> Res {
    let input = string(arg(args, 0)?)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(input.as_bytes())
        .map_err(|e| Fail::Error(format!("failed to decode base64 data: {e}")))?;
    let decoded = String::from_utf8(bytes)
        .map_err(|_| Fail::from("the result of decoding the provided string is not valid UTF-8"))?;
    Ok(text(decoded, span))
}

/// Terraform's (Go's) JSON encoding: compact, sorted keys, HTML-safe string escapes. Each
/// value is checked against the budget before it is written.
pub(super) fn json(v: &Val, budget: &Budget) -> Res<String> {
    known_deep(v)?;
    let mut out = String::new();
    write_json(&mut out, v, budget, MAX_DEPTH)?;
    Ok(out)
}

/// Longest JSON text of a number, `null`, a bool, or a key's quotes and separators.
const JSON_TOKEN: u64 = 32;

fn write_json(out: &mut String, v: &Val, budget: &Budget, depth: usize) -> Res<()> {
    let depth = depth
        .checked_sub(1)
        .ok_or_else(|| Fail::from("value is nested too deeply"))?;
    let text = match &v.value {
        Value::String(s) => json_len(s),
        _ => 0,
    };
    budget.check(NODE + out.len() as u64 + text + JSON_TOKEN)?;
    match &v.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_finite() => {
            let _ = write!(out, "{n}");
        }
        Value::Number(_) => return Err("cannot encode a non-finite number".into()),
        Value::String(s) => out.push_str(&json_string(s)),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item, budget, depth)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                budget.check(NODE + out.len() as u64 + json_len(key) + JSON_TOKEN)?;
                out.push_str(&json_string(key));
                out.push(':');
                write_json(out, item, budget, depth)?;
            }
            out.push('}');
        }
        Value::Ref(_) | Value::Unknown(_) => return Err(Fail::Unknown(v.clone())),
    }
    Ok(())
}

/// The length of [`json_string`] of `s`.
fn json_len(s: &str) -> u64 {
    let escaped: u64 = s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => 6,
            c => c.len_utf8() as u64,
        })
        .sum();
    escaped + 2
}

/// A JSON string literal with Go's escapes (`<`, `>`, `&`, U+2028 and U+2029 as `\u…`).
pub(super) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Decodes JSON, once an upper bound of the result's size fits in the budget: every value
/// but the first follows a `,`, `[`, `{` or `:`, and costs at most a map entry.
fn jsondecode(args: &[Val], span: Span, budget: &Budget) -> Res {
    let input = string(arg(args, 0)?)?;
    let values = 1 + input
        .bytes()
        .filter(|b| matches!(b, b',' | b'[' | b'{' | b':'))
        .count() as u64;
    budget.check(input.len() as u64 + values * (ENTRY + NODE))?;
    let parsed: serde_json::Value =
        serde_json::from_str(&input).map_err(|e| Fail::Error(format!("invalid JSON: {e}")))?;
    Ok(from_json(&parsed, span))
}

/// Converts decoded JSON (serde_json bounds its nesting) to a value at `span`.
fn from_json(v: &serde_json::Value, span: Span) -> Val {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(|i| from_json(i, span)).collect())
        }
        serde_json::Value::Object(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, i)| (k.clone(), from_json(i, span)))
                .collect(),
        ),
    };
    Val::new(value, span)
}

/// Bytes `url.QueryEscape` keeps as they are.
fn unreserved(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b' ')
}

/// Go's `url.QueryEscape`.
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            _ if unreserved(b) => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Parses RFC 4180 CSV as Go's `encoding/csv` does (blank lines skipped, `""` escapes).
fn csv_records(input: &str) -> Res<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut chars = input.chars().peekable();
    let mut line = 1usize;
    while chars.peek().is_some() {
        if matches!(chars.peek(), Some('\n' | '\r')) {
            if chars.next() == Some('\n') {
                line += 1;
            }
            continue;
        }
        let mut record = Vec::new();
        let mut field = String::new();
        loop {
            match chars.next() {
                None => {
                    record.push(std::mem::take(&mut field));
                    break;
                }
                Some(',') => record.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    record.push(std::mem::take(&mut field));
                    break;
                }
                Some('"') if field.is_empty() => loop {
                    match chars.next() {
                        None => return Err(format!("parse error on line {line}: extraneous or missing \" in quoted-field").into()),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => match chars.peek() {
                            None | Some(',' | '\n' | '\r') => break,
                            Some(_) => return Err(format!("parse error on line {line}: extraneous or missing \" in quoted-field").into()),
                        },
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                },
                Some('"') => {
                    return Err(
                        format!("parse error on line {line}: bare \" in non-quoted-field").into(),
                    )
                }
                Some(c) => field.push(c),
            }
        }
        records.push(record);
    }
    Ok(records)
}

/// Decodes CSV, checked against the budget before it is parsed (its fields) and before the
/// rows are built (each row holds a copy of the header's names).
fn csvdecode(args: &[Val], span: Span, budget: &Budget) -> Res {
    let input = string(arg(args, 0)?)?;
    let fields = 1 + input.bytes().filter(|b| matches!(b, b',' | b'\n')).count() as u64;
    let field = std::mem::size_of::<String>() as u64;
    budget.check(input.len() as u64 + fields * field)?;
    let records = csv_records(&input)?;
    let rows = records.len().saturating_sub(1) as u64;
    let header_bytes = records.first().map_or(0, |h| {
        map_bytes(h.len()) + h.iter().map(|k| k.len() as u64).sum::<u64>()
    });
    budget.check(input.len() as u64 + fields * NODE + rows * (NODE + header_bytes))?;
    let mut records = records.into_iter();
    let header = records
        .next()
        .ok_or_else(|| Fail::from("missing header line"))?;
    let rows = records
        .enumerate()
        .map(|(i, record)| {
            if record.len() != header.len() {
                return Err(Fail::Error(format!(
                    "record on line {} has {} fields, but the header has {}",
                    i + 2,
                    record.len(),
                    header.len()
                )));
            }
            let row: BTreeMap<String, Val> = header
                .iter()
                .cloned()
                .zip(record.into_iter().map(|f| text(f, span)))
                .collect();
            Ok(Val::new(Value::Map(row), span))
        })
        .collect::<Res<Vec<Val>>>()?;
    Ok(list_of(rows, span))
}
