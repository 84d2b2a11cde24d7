//! Set functions: `setintersection setproduct setsubtract setunion`, and Terraform's set
//! normalisation (distinct elements in Terraform's order) used by `toset`.

use std::cmp::Ordering;

use super::args::{arg, list, list_of, pending};
use super::collections::{dedup, member};
use super::{Builtin, Fail, Res};
use crate::budget::{self, Budget, NODE};
use crate::ir::{Val, Value};
use crate::source::Span;

/// Most elements `setproduct` may build.
const MAX_ELEMENTS: usize = 10_000;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "setunion" => Builtin::variadic(1, setunion),
        "setintersection" => Builtin::variadic(1, setintersection),
        "setsubtract" => Builtin::fixed(2, setsubtract),
        "setproduct" => Builtin::sized(1, None, setproduct),
        _ => return None,
    })
}

/// Distinct elements ordered as Terraform orders a set: numbers ascending, `false` before
/// `true`, otherwise strings lexically (numbers and bools convert to strings); collections keep
/// their order; unknown and reference elements come last in their original order.
pub(in crate::frontend::terraform) fn set_of(items: &[Val]) -> Vec<Val> {
    let (mut known, pending_items): (Vec<Val>, Vec<Val>) =
        dedup(items).into_iter().partition(|v| pending(v).is_none());
    let all = |f: fn(&Value) -> bool| known.iter().all(|v| f(&v.value));
    if all(|v| matches!(v, Value::Number(_))) {
        known.sort_by(|a, b| order_numbers(&a.value, &b.value));
    } else if all(|v| matches!(v, Value::Bool(_))) {
        known.sort_by_key(|v| matches!(v.value, Value::Bool(true)));
    } else if all(|v| matches!(v, Value::Number(_) | Value::Bool(_) | Value::String(_))) {
        for v in &mut known {
            if let Some(s) = v.as_str().map(|s| s.into_owned()) {
                v.value = Value::String(s);
            }
        }
        known.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    known.extend(pending_items);
    known
}

fn order_numbers(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        _ => Ordering::Equal,
    }
}

fn setunion(args: &[Val], span: Span) -> Res {
    let mut all = Vec::new();
    for v in args {
        all.extend(list(v)?.iter().cloned());
    }
    Ok(list_of(set_of(&all), span))
}

/// Elements of `first` whose presence in each of `others` is `keep`.
fn filter(first: &Val, others: &[Val], keep: bool, span: Span) -> Res {
    let mut out = Vec::new();
    'items: for item in list(first)? {
        for other in others {
            let found = member(list(other)?, item)?;
            if found != keep {
                continue 'items;
            }
        }
        out.push(item.clone());
    }
    Ok(list_of(set_of(&out), span))
}

fn setintersection(args: &[Val], span: Span) -> Res {
    filter(arg(args, 0)?, args.get(1..).unwrap_or_default(), true, span)
}

fn setsubtract(args: &[Val], span: Span) -> Res {
    filter(
        arg(args, 0)?,
        args.get(1..).unwrap_or_default(),
        false,
        span,
    )
}

/// Every combination of one element from each argument, in argument order; the count and
/// size of the combinations are checked before they are built.
fn setproduct(args: &[Val], span: Span, budget: &Budget) -> Res {
    let inputs = args.iter().map(list).collect::<Res<Vec<&[Val]>>>()?;
    let rows = inputs
        .iter()
        .try_fold(1usize, |n, l| n.checked_mul(l.len()))
        .filter(|n| *n <= MAX_ELEMENTS);
    let Some(rows) = rows else {
        return Err(Fail::Error(format!(
            "the product has more than {MAX_ELEMENTS} elements"
        )));
    };
    // every row holds a copy of one element of each argument
    let mut size = NODE * (rows as u64 + 1);
    for (arg, items) in args.iter().zip(&inputs) {
        let per_element = budget::size(arg, budget.bytes_left()) / items.len().max(1) as u64;
        size += rows as u64 * per_element;
    }
    budget.check(size)?;
    let mut rows: Vec<Vec<Val>> = vec![Vec::new()];
    for input in &inputs {
        rows = rows
            .iter()
            .flat_map(|row| {
                input.iter().map(move |item| {
                    let mut next = row.clone();
                    next.push(item.clone());
                    next
                })
            })
            .collect();
    }
    Ok(list_of(
        rows.into_iter().map(|r| list_of(r, span)).collect(),
        span,
    ))
}
