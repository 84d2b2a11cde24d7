//! Argument conversions as Terraform applies them to function parameters, and value equality.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Fail, Res};
use crate::ir::{fmt_number, Val, Value};
use crate::source::Span;

/// Deepest nesting walked by the recursive functions (JSON, equality, flatten).
pub(super) const MAX_DEPTH: usize = 64;

/// `Fail::Unknown` when `v` has no value before apply.
pub(super) fn pending(v: &Val) -> Option<Fail> {
    match v.value {
        Value::Unknown(_) | Value::Ref(_) => Some(Fail::Unknown(v.clone())),
        _ => None,
    }
}

/// Argument `i` (arity is checked before a function runs; this never fails in practice).
pub(super) fn arg(args: &[Val], i: usize) -> Res<&Val> {
    args.get(i)
        .ok_or_else(|| Fail::Error(format!("missing argument {}", i + 1)))
}

/// Terraform's name for the type of `v`, for error messages.
pub(super) fn type_name(v: &Val) -> &'static str {
    match v.value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) | Value::Ref(_) => "string",
        Value::List(_) => "list",
        Value::Map(_) => "map",
        Value::Unknown(_) => "unknown",
    }
}

fn required(v: &Val, what: &str) -> Fail {
    if v.is_null() {
        Fail::Error("argument must not be null".to_string())
    } else {
        Fail::Error(format!("{what} required, got {}", type_name(v)))
    }
}

/// A string; numbers and bools convert as in Terraform.
pub(super) fn string(v: &Val) -> Res<Cow<'_, str>> {
    if let Some(fail) = pending(v) {
        return Err(fail);
    }
    v.as_str().ok_or_else(|| required(v, "string"))
}

/// A number; numeric strings convert as in Terraform.
pub(super) fn number(v: &Val) -> Res<f64> {
    match &v.value {
        Value::Number(n) => Ok(*n),
        Value::String(s) => parse_number(s)
            .ok_or_else(|| Fail::Error(format!("cannot convert \"{s}\" to a number"))),
        _ => Err(pending(v).unwrap_or_else(|| required(v, "number"))),
    }
}

/// Terraform's string to number conversion: decimal with optional sign, fraction, exponent.
pub(super) fn parse_number(s: &str) -> Option<f64> {
    let valid = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && s.bytes().any(|b| b.is_ascii_digit());
    if !valid {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A whole number that fits an `i64`.
pub(super) fn integer(v: &Val) -> Res<i64> {
    let n = number(v)?;
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(Fail::Error(format!(
            "a whole number is required, got {}",
            fmt_number(n)
        )));
    }
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        return Err(Fail::Error(format!(
            "number {} is too large",
            fmt_number(n)
        )));
    }
    Ok(n as i64)
}

/// A bool; "true"/"false" (and "1"/"0") strings convert as in Terraform.
pub(super) fn boolean(v: &Val) -> Res<bool> {
    match &v.value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(Fail::Error(format!("cannot convert \"{s}\" to bool"))),
        },
        _ => Err(pending(v).unwrap_or_else(|| required(v, "bool"))),
    }
}

/// The elements of a list, set or tuple.
pub(super) fn list(v: &Val) -> Res<&[Val]> {
    match &v.value {
        Value::List(items) => Ok(items),
        _ => Err(pending(v).unwrap_or_else(|| required(v, "list"))),
    }
}

/// The entries of a map or object.
pub(super) fn map(v: &Val) -> Res<&BTreeMap<String, Val>> {
    match &v.value {
        Value::Map(entries) => Ok(entries),
        _ => Err(pending(v).unwrap_or_else(|| required(v, "map"))),
    }
}

/// Fails with the first unknown found anywhere inside `v`.
pub(super) fn known_deep(v: &Val) -> Res<()> {
    known_within(v, MAX_DEPTH)
}

fn known_within(v: &Val, depth: usize) -> Res<()> {
    let depth = depth
        .checked_sub(1)
        .ok_or_else(|| Fail::Error("value is nested too deeply".to_string()))?;
    match &v.value {
        Value::List(items) => items.iter().try_for_each(|i| known_within(i, depth)),
        Value::Map(entries) => entries.values().try_for_each(|i| known_within(i, depth)),
        _ => pending(v).map_or(Ok(()), Err),
    }
}

/// Whether two values are equal, ignoring spans; `None` when that depends on unknowns.
/// Scalars compare after Terraform's conversion to string (`1 == "1"` in collections).
pub(super) fn same(a: &Val, b: &Val) -> Option<bool> {
    same_within(a, b, MAX_DEPTH)
}

fn same_within(a: &Val, b: &Val, depth: usize) -> Option<bool> {
    let depth = depth.checked_sub(1)?;
    match (&a.value, &b.value) {
        (Value::Ref(x), Value::Ref(y)) if x == y => Some(true),
        (Value::Unknown(_) | Value::Ref(_), _) | (_, Value::Unknown(_) | Value::Ref(_)) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_same(x.iter().zip(y), depth)
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all_same(x.values().zip(y.values()), depth)
        }
        (Value::List(_) | Value::Map(_), _) | (_, Value::List(_) | Value::Map(_)) => Some(false),
        _ => Some(a.as_str() == b.as_str()),
    }
}

fn all_same<'a>(pairs: impl Iterator<Item = (&'a Val, &'a Val)>, depth: usize) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match same_within(x, y, depth) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

/// A computed string at `span`.
pub(super) fn text(s: impl Into<String>, span: Span) -> Val {
    Val::new(Value::String(s.into()), span)
}

/// A computed number at `span`.
pub(super) fn num(n: f64, span: Span) -> Val {
    Val::new(Value::Number(n), span)
}

/// A computed list at `span`.
pub(super) fn list_of(items: Vec<Val>, span: Span) -> Val {
    Val::new(Value::List(items), span)
}
