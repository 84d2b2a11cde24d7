//! Type conversions: `tobool tolist tomap tonumber toset tostring`, `type`, and the identity
//! functions `sensitive nonsensitive ephemeralasnull` (sensitivity and ephemerality are not
//! modelled). A converted value keeps its span and origins: it is
//! the same value, written where it was written.

use super::args::{arg, boolean, list, list_of, number, pending, type_name};
use super::sets::set_of;
use super::{Builtin, Fail, Res};
use crate::ir::{Val, Value};
use crate::source::Span;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "tostring" => Builtin::fixed(1, tostring),
        "tonumber" => Builtin::fixed(1, tonumber),
        "tobool" => Builtin::fixed(1, tobool),
        "tolist" => Builtin::fixed(1, |a, _| same_kind(arg(a, 0)?, "list")),
        "tomap" => Builtin::fixed(1, |a, _| same_kind(arg(a, 0)?, "map")),
        "toset" => Builtin::fixed(1, toset),
        "sensitive" | "nonsensitive" | "ephemeralasnull" => {
            Builtin::fixed(1, |a, _| Ok(arg(a, 0)?.clone()))
        }
        "type" => Builtin::fixed(1, |_, s| {
            Ok(Val::unknown(
                "type() is available only in the Terraform console",
                s,
            ))
        }),
        _ => return None,
    })
}

/// `v` with a new value, keeping where it was written.
fn converted(v: &Val, value: Value) -> Val {
    Val { value, ..v.clone() }
}

fn cannot(v: &Val, to: &str) -> Fail {
    Fail::Error(format!("cannot convert {} to {to}", type_name(v)))
}

/// Null and unknown inputs pass through as null or fail as unknown.
fn scalar_input(v: &Val) -> Res<Option<Val>> {
    if let Some(fail) = pending(v) {
        return Err(fail);
    }
    Ok(v.is_null().then(|| v.clone()))
}

fn tostring(args: &[Val], _span: Span) -> Res {
    let v = arg(args, 0)?;
    if let Value::Ref(_) = v.value {
        return Ok(v.clone());
    }
    if let Some(null) = scalar_input(v)? {
        return Ok(null);
    }
    let s = v.as_str().ok_or_else(|| cannot(v, "string"))?.into_owned();
    Ok(converted(v, Value::String(s)))
}

fn tonumber(args: &[Val], _span: Span) -> Res {
    let v = arg(args, 0)?;
    if let Some(null) = scalar_input(v)? {
        return Ok(null);
    }
    if let Value::Bool(_) = v.value {
        return Err(cannot(v, "number"));
    }
    Ok(converted(v, Value::Number(number(v)?)))
}

fn tobool(args: &[Val], _span: Span) -> Res {
    let v = arg(args, 0)?;
    if let Some(null) = scalar_input(v)? {
        return Ok(null);
    }
    if let Value::Number(_) = v.value {
        return Err(cannot(v, "bool"));
    }
    Ok(converted(v, Value::Bool(boolean(v)?)))
}

/// `tolist`/`tomap`: the argument itself when it already is one.
fn same_kind(v: &Val, kind: &str) -> Res {
    if let Some(fail) = pending(v) {
        return Err(fail);
    }
    match (&v.value, kind) {
        (Value::Null, _) | (Value::List(_), "list") | (Value::Map(_), "map") => Ok(v.clone()),
        _ => Err(cannot(v, kind)),
    }
}

fn toset(args: &[Val], span: Span) -> Res {
    let v = arg(args, 0)?;
    if v.is_null() {
        return Ok(v.clone());
    }
    Ok(list_of(set_of(list(v)?), span))
}
