//! Collection functions. Elements taken from arguments keep their own span and origins, and
//! unknown or reference elements pass through unless the function needs their value.

use std::collections::BTreeMap;

use super::args::{
    arg, boolean, integer, known_deep, list, list_of, map, num, number, pending, same, string,
    text, MAX_DEPTH,
};
use super::{Builtin, Fail, Res};
use crate::budget::{Budget, ENTRY, NODE};
use crate::frontend::terraform::eval::INVALID;
use crate::ir::{Val, Value};
use crate::source::Span;

/// Most elements `range` generates (Terraform's limit).
const MAX_RANGE: usize = 1024;
/// Most unknown elements a slice of an unknown list is given.
const MAX_UNKNOWN_ELEMENTS: usize = 1024;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "alltrue" => Builtin::fixed(1, alltrue),
        "anytrue" => Builtin::fixed(1, anytrue),
        "chunklist" => Builtin::fixed(2, chunklist),
        "coalesce" => Builtin::variadic(1, coalesce),
        "coalescelist" => Builtin::variadic(1, coalescelist),
        "compact" => Builtin::fixed(1, compact),
        "concat" => Builtin::variadic(1, concat),
        "contains" => Builtin::fixed(2, contains),
        "distinct" => Builtin::fixed(1, distinct),
        "element" => Builtin::fixed(2, element),
        "flatten" => Builtin::fixed(1, flatten),
        "index" => Builtin::fixed(2, index),
        "keys" => Builtin::fixed(1, keys),
        "length" => Builtin::fixed(1, length),
        "list" => Builtin::variadic(0, |a, s| Ok(list_of(a.to_vec(), s))),
        "lookup" => Builtin::between(2, 3, lookup_key),
        "map" => Builtin::variadic(0, map_of_pairs),
        "matchkeys" => Builtin::fixed(3, matchkeys),
        "merge" => Builtin::variadic(0, merge),
        "one" => Builtin::fixed(1, one),
        "range" => Builtin::sized(1, Some(3), range),
        "reverse" => Builtin::fixed(1, |a, s| {
            Ok(list_of(
                list(arg(a, 0)?)?.iter().rev().cloned().collect(),
                s,
            ))
        }),
        "slice" => Builtin::fixed(3, slice),
        "sort" => Builtin::fixed(1, sort),
        "transpose" => Builtin::sized(1, Some(1), transpose),
        "values" => Builtin::fixed(1, |a, s| {
            Ok(list_of(map(arg(a, 0)?)?.values().cloned().collect(), s))
        }),
        "zipmap" => Builtin::fixed(2, zipmap),
        _ => return None,
    })
}

fn bool_val(b: bool, span: Span) -> Val {
    Val::new(Value::Bool(b), span)
}

/// True unless an element is false or null; an unknown before that makes it unknown.
fn alltrue(args: &[Val], span: Span) -> Res {
    for item in list(arg(args, 0)?)? {
        if item.is_null() || !boolean(item)? {
            return Ok(bool_val(false, span));
        }
    }
    Ok(bool_val(true, span))
}

/// True when an element is true; otherwise unknown if an element is unknown.
fn anytrue(args: &[Val], span: Span) -> Res {
    let mut unknown = None;
    for item in list(arg(args, 0)?)? {
        if item.is_null() {
            continue;
        }
        match boolean(item) {
            Ok(true) => return Ok(bool_val(true, span)),
            Ok(false) => {}
            Err(Fail::Unknown(u)) => unknown = unknown.or(Some(u)),
            Err(e) => return Err(e),
        }
    }
    unknown.map_or_else(|| Ok(bool_val(false, span)), |u| Err(Fail::Unknown(u)))
}

fn chunklist(args: &[Val], span: Span) -> Res {
    let items = list(arg(args, 0)?)?;
    let size = integer(arg(args, 1)?)?;
    if size < 0 {
        return Err("the size argument must be positive".into());
    }
    if items.is_empty() {
        return Ok(list_of(Vec::new(), span));
    }
    if size == 0 {
        return Ok(list_of(vec![arg(args, 0)?.clone()], span));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let chunks = items
        .chunks(size)
        .map(|c| list_of(c.to_vec(), span))
        .collect();
    Ok(list_of(chunks, span))
}

/// The first argument that is neither null nor an empty string, as it is (a reference is an
/// identifier, never empty).
fn coalesce(args: &[Val], _span: Span) -> Res {
    for v in args {
        match &v.value {
            Value::Unknown(_) => return Err(Fail::Unknown(v.clone())),
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            _ => return Ok(v.clone()),
        }
    }
    Err("no non-null, non-empty-string arguments".into())
}

/// The first non-empty list argument, as it is.
fn coalescelist(args: &[Val], _span: Span) -> Res {
    for v in args {
        if v.is_null() {
            continue;
        }
        if !list(v)?.is_empty() {
            return Ok(v.clone());
        }
    }
    Err("no non-null arguments".into())
}

/// Drops null and empty-string elements; unknown elements are kept.
fn compact(args: &[Val], span: Span) -> Res {
    let mut out = Vec::new();
    for item in list(arg(args, 0)?)? {
        match &item.value {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::List(_) | Value::Map(_) => {
                return Err("compact requires a list of strings".into())
            }
            _ => out.push(item.clone()),
        }
    }
    Ok(list_of(out, span))
}

fn concat(args: &[Val], span: Span) -> Res {
    let mut out = Vec::new();
    for l in args {
        out.extend(list(l)?.iter().cloned());
    }
    Ok(list_of(out, span))
}

/// Compares `needle` with each element up to the first definite match: its index, and the
/// first comparison met before it that depends on unknowns.
fn scan(items: &[Val], needle: &Val) -> (Option<usize>, Option<Fail>) {
    let mut unknown = None;
    for (i, item) in items.iter().enumerate() {
        match same(item, needle) {
            Some(true) => return (Some(i), unknown),
            Some(false) => {}
            None => unknown = unknown.or_else(|| known_deep(needle).and(known_deep(item)).err()),
        }
    }
    (None, unknown)
}

/// Whether `needle` is among `items`: true on any match, unknown when an unknown element (or
/// needle) could match, false otherwise.
pub(super) fn member(items: &[Val], needle: &Val) -> Res<bool> {
    match scan(items, needle) {
        (Some(_), _) => Ok(true),
        (None, Some(fail)) => Err(fail),
        (None, None) => Ok(false),
    }
}

fn contains(args: &[Val], span: Span) -> Res {
    let found = member(list(arg(args, 0)?)?, arg(args, 1)?)?;
    Ok(bool_val(found, span))
}

/// The first matching index; unknown when an unknown element before it could match.
fn index(args: &[Val], span: Span) -> Res {
    match scan(list(arg(args, 0)?)?, arg(args, 1)?) {
        (_, Some(fail)) => Err(fail),
        (Some(i), None) => Ok(num(i as f64, span)),
        (None, None) => Err("item not found".into()),
    }
}

/// Removes repeated elements, keeping the first; elements that cannot be compared stay.
pub(super) fn dedup(items: &[Val]) -> Vec<Val> {
    let mut out: Vec<Val> = Vec::with_capacity(items.len());
    for item in items {
        if !out.iter().any(|kept| same(kept, item) == Some(true)) {
            out.push(item.clone());
        }
    }
    out
}

fn distinct(args: &[Val], span: Span) -> Res {
    Ok(list_of(dedup(list(arg(args, 0)?)?), span))
}

fn element(args: &[Val], _span: Span) -> Res {
    let items = list(arg(args, 0)?)?;
    let i = integer(arg(args, 1)?)?;
    if i < 0 {
        return Err("cannot use element function with a negative index".into());
    }
    if items.is_empty() {
        return Err("cannot use element function with an empty list".into());
    }
    let i = usize::try_from(i).unwrap_or(usize::MAX) % items.len();
    items
        .get(i)
        .cloned()
        .ok_or_else(|| "index out of range".into())
}

fn flatten_into(out: &mut Vec<Val>, items: &[Val], depth: usize) -> Res<()> {
    let depth = depth
        .checked_sub(1)
        .ok_or_else(|| Fail::from("list is nested too deeply"))?;
    for item in items {
        match &item.value {
            Value::List(inner) => flatten_into(out, inner, depth)?,
            _ => out.push(item.clone()),
        }
    }
    Ok(())
}

fn flatten(args: &[Val], span: Span) -> Res {
    let mut out = Vec::new();
    flatten_into(&mut out, list(arg(args, 0)?)?, MAX_DEPTH)?;
    Ok(list_of(out, span))
}

fn keys(args: &[Val], span: Span) -> Res {
    let entries = map(arg(args, 0)?)?;
    Ok(list_of(
        entries.keys().map(|k| text(k, span)).collect(),
        span,
    ))
}

fn length(args: &[Val], span: Span) -> Res {
    let v = arg(args, 0)?;
    let n = match &v.value {
        Value::List(items) => items.len(),
        Value::Map(entries) => entries.len(),
        Value::String(s) => s.chars().count(),
        _ => {
            return Err(
                pending(v).unwrap_or_else(|| "argument must be a list, map, or string".into())
            )
        }
    };
    Ok(num(n as f64, span))
}

/// `lookup(map, key, default)`: the entry as it is, else the default as it is.
fn lookup_key(args: &[Val], _span: Span) -> Res {
    let entries = map(arg(args, 0)?)?;
    let key = string(arg(args, 1)?)?;
    match (entries.get(key.as_ref()), args.get(2)) {
        (Some(found), _) => Ok(found.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(Fail::Error(format!("lookup failed to find key \"{key}\""))),
    }
}

/// The pre-0.12 `map(key, value, ...)`.
fn map_of_pairs(args: &[Val], span: Span) -> Res {
    if args.len() % 2 != 0 {
        return Err("requires an even number of arguments".into());
    }
    let mut entries = BTreeMap::new();
    for pair in args.chunks(2) {
        if let [k, v] = pair {
            entries.insert(string(k)?.into_owned(), v.clone());
        }
    }
    Ok(Val::new(Value::Map(entries), span))
}

fn matchkeys(args: &[Val], span: Span) -> Res {
    let values = list(arg(args, 0)?)?;
    let keys = list(arg(args, 1)?)?;
    let search = list(arg(args, 2)?)?;
    if values.len() != keys.len() {
        return Err("length of keys and values should be equal".into());
    }
    let mut out = Vec::new();
    for (value, key) in values.iter().zip(keys) {
        if member(search, key)? {
            out.push(value.clone());
        }
    }
    Ok(list_of(out, span))
}

/// Later maps win; null arguments are skipped.
fn merge(args: &[Val], span: Span) -> Res {
    let mut out = BTreeMap::new();
    for v in args.iter().filter(|v| !v.is_null()) {
        for (k, item) in map(v)? {
            out.insert(k.clone(), item.clone());
        }
    }
    Ok(Val::new(Value::Map(out), span))
}

fn one(args: &[Val], span: Span) -> Res {
    match list(arg(args, 0)?)? {
        [] => Ok(Val::new(Value::Null, span)),
        [only] => Ok(only.clone()),
        _ => Err("must be a list, set, or tuple value with either zero or one elements".into()),
    }
}

fn range(args: &[Val], span: Span, budget: &Budget) -> Res {
    let numbers = args.iter().map(number).collect::<Res<Vec<f64>>>()?;
    let (start, limit, step) = match numbers.as_slice() {
        [limit] => (0.0, *limit, 1.0),
        [start, limit] => (*start, *limit, if limit < start { -1.0 } else { 1.0 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => return Err("expects 1 to 3 arguments".into()),
    };
    if step == 0.0 {
        return Err("step must not be zero".into());
    }
    if step < 0.0 && limit > start {
        return Err("step must be positive for an increasing range".into());
    }
    if step > 0.0 && limit < start {
        return Err("step must be negative for a decreasing range".into());
    }
    // the element count, known before the list is built
    let count = ((limit - start) / step).ceil();
    if count > MAX_RANGE as f64 {
        return Err(format!("more than {MAX_RANGE} values were generated; either decrease the difference between start and end or use a smaller step").into());
    }
    budget.check(NODE * (count as u64 + 1))?;
    let mut out = Vec::new();
    let mut n = start;
    while (step > 0.0 && n < limit) || (step < 0.0 && n > limit) {
        if out.len() >= MAX_RANGE {
            return Err(format!("more than {MAX_RANGE} values were generated; either decrease the difference between start and end or use a smaller step").into());
        }
        out.push(num(n, span));
        n += step;
    }
    Ok(list_of(out, span))
}

/// `slice(list, start, end)`; a slice of an unknown list with known bounds is a list of
/// `end - start` unknown elements (`slice(data.aws_availability_zones.x.names, 0, 3)`): the
/// list is either that long or Terraform stops with an error.
fn slice(args: &[Val], span: Span) -> Res {
    let start = integer(arg(args, 1)?)?;
    let end = integer(arg(args, 2)?)?;
    let input = arg(args, 0)?;
    if let (Some(Fail::Unknown(u)), Ok(n)) = (pending(input), usize::try_from(end - start)) {
        let why = super::describe(&u);
        if start >= 0 && (1..=MAX_UNKNOWN_ELEMENTS).contains(&n) && !why.starts_with(INVALID) {
            let element = Val::unknown(format!("slice(): {why}"), span);
            return Ok(list_of(vec![element; n], span));
        }
    }
    let items = list(input)?;
    if start < 0 {
        return Err("the start index must be greater than or equal to 0".into());
    }
    if end > items.len() as i64 {
        return Err("the end index must be less than or equal to the length of the list".into());
    }
    if start > end {
        return Err("the start index must be less than or equal to the end index".into());
    }
    let part = items
        .get(start as usize..end as usize)
        .ok_or_else(|| Fail::from("index out of range"))?;
    Ok(list_of(part.to_vec(), span))
}

/// Sorts strings lexically (numbers convert to strings, as Terraform does).
fn sort(args: &[Val], span: Span) -> Res {
    let mut keyed = list(arg(args, 0)?)?
        .iter()
        .map(|item| {
            let s = string(item)?.into_owned();
            Ok((
                s.clone(),
                Val {
                    value: Value::String(s),
                    ..item.clone()
                },
            ))
        })
        .collect::<Res<Vec<(String, Val)>>>()?;
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(list_of(keyed.into_iter().map(|(_, v)| v).collect(), span))
}

/// Swaps keys and values; each key is copied once per value it lists, which is checked
/// against the budget first.
fn transpose(args: &[Val], span: Span, budget: &Budget) -> Res {
    let input = map(arg(args, 0)?)?;
    let mut size = NODE;
    for (key, items) in input {
        for item in list(items)? {
            size += ENTRY + 2 * NODE + key.len() as u64 + string(item)?.len() as u64;
        }
    }
    budget.check(size)?;
    let mut out: BTreeMap<String, Vec<Val>> = BTreeMap::new();
    for (key, items) in input {
        for item in list(items)? {
            let k = string(item)?.into_owned();
            out.entry(k).or_default().push(text(key, item.span));
        }
    }
    let entries = out
        .into_iter()
        .map(|(k, v)| (k, list_of(v, span)))
        .collect();
    Ok(Val::new(Value::Map(entries), span))
}

fn zipmap(args: &[Val], span: Span) -> Res {
    let keys = list(arg(args, 0)?)?;
    let values = list(arg(args, 1)?)?;
    if keys.len() != values.len() {
        return Err(Fail::Error(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut entries = BTreeMap::new();
    for (k, v) in keys.iter().zip(values) {
        entries.insert(string(k)?.into_owned(), v.clone());
    }
    Ok(Val::new(Value::Map(entries), span))
}
