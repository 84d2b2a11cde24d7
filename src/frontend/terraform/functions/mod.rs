//! Terraform built-in functions over evaluated values.
//!
//! Each family lives in its own module with a `lookup` table of [`Builtin`]s. [`call`] checks
//! the arity, runs the function and, when the function needed the value of an argument (or
//! element) that is unknown before apply, returns an unknown whose reason names the function
//! and carries that input's reason and origins. When that input is a top-level argument with
//! enumerable candidates, the function is applied to each candidate so the result keeps them.

mod args;
mod collections;
mod convert;
mod encoding;
mod format;
mod network;
mod numeric;
mod opaque;
mod sets;
mod strings;

pub(in crate::frontend::terraform) use sets::set_of;

use std::sync::Arc;

use super::eval::INVALID;
use crate::budget::{self, Budget, Exceeded};
use crate::ir::{Unknown, Val, Value};
use crate::source::Span;

/// Why a function produced no value.
#[derive(Debug)]
enum Fail {
    /// The function needed this input's value, which is unknown (or an apply-time reference).
    Unknown(Val),
    /// A Terraform error.
    Error(String),
    /// The result would not fit in the evaluation budget.
    Budget(Exceeded),
}

impl From<Exceeded> for Fail {
    fn from(e: Exceeded) -> Self {
        Fail::Budget(e)
    }
}

/// Why a call produced no value.
#[derive(Debug)]
pub enum Failure {
    /// A Terraform error (bad arity, bad argument type, unknown function).
    Invalid(String),
    /// The result would not fit in the evaluation budget.
    Budget(Exceeded),
}

impl From<String> for Fail {
    fn from(message: String) -> Self {
        Fail::Error(message)
    }
}

impl From<&str> for Fail {
    fn from(message: &str) -> Self {
        Fail::Error(message.to_string())
    }
}

/// What a function implementation returns.
type Res<T = Val> = Result<T, Fail>;

/// One built-in: its arity and implementation (`span` is the call expression).
struct Builtin {
    min: usize,
    /// `None` for variadic functions.
    max: Option<usize>,
    run: Body,
}

/// How a built-in is bounded by the evaluation budget.
#[derive(Clone, Copy)]
enum Body {
    /// Selects, reorders or reduces its arguments: the result is no larger than they are,
    /// which is checked against the budget before the call.
    Plain(fn(&[Val], Span) -> Res),
    /// May build a result larger than its arguments: computes that size and checks it
    /// against the budget before building it.
    Sized(fn(&[Val], Span, &Budget) -> Res),
}

impl Builtin {
    const fn fixed(n: usize, run: fn(&[Val], Span) -> Res) -> Self {
        Builtin {
            min: n,
            max: Some(n),
            run: Body::Plain(run),
        }
    }

    const fn between(min: usize, max: usize, run: fn(&[Val], Span) -> Res) -> Self {
        Builtin {
            min,
            max: Some(max),
            run: Body::Plain(run),
        }
    }

    const fn variadic(min: usize, run: fn(&[Val], Span) -> Res) -> Self {
        Builtin {
            min,
            max: None,
            run: Body::Plain(run),
        }
    }

    /// A built-in of `min..=max` arguments (`None`: variadic) whose result can outgrow them.
    const fn sized(min: usize, max: Option<usize>, run: fn(&[Val], Span, &Budget) -> Res) -> Self {
        Builtin {
            min,
            max,
            run: Body::Sized(run),
        }
    }
}

/// How many times candidates of unknown arguments are substituted in one call.
const CANDIDATE_DEPTH: usize = 3;
/// Most candidates an unknown result carries; beyond, anything is possible.
const MAX_CANDIDATES: usize = 64;

/// Calls the built-in `name` with evaluated `args`; `span` is the call expression. Nothing
/// is built past what `budget` has left (the caller pays for the result).
/// An unknown argument makes the result unknown; `Err` is a Terraform error (bad arity, bad
/// argument type, unknown function) or a result too large for the budget.
pub fn call(name: &str, args: &[Val], span: Span, budget: &Budget) -> Result<Val, Failure> {
    call_bounded(name, args, span, budget, CANDIDATE_DEPTH)
}

fn call_bounded(
    name: &str,
    args: &[Val],
    span: Span,
    budget: &Budget,
    depth: usize,
) -> Result<Val, Failure> {
    if let Some(reason) = opaque::reason(name) {
        return Ok(Val::unknown(reason, span));
    }
    let builtin = lookup(name)
        .ok_or_else(|| Failure::Invalid(format!("there is no function named \"{name}\"")))?;
    check_arity(&builtin, args.len()).map_err(|m| Failure::Invalid(format!("{name}(): {m}")))?;
    let result = match builtin.run {
        Body::Plain(run) => {
            let mut size = 0;
            for a in args {
                size += budget::size(a, budget.bytes_left().saturating_sub(size));
            }
            budget.check(size).map_err(Failure::Budget)?;
            run(args, span)
        }
        Body::Sized(run) => run(args, span, budget),
    };
    match result {
        Ok(value) => Ok(value),
        Err(Fail::Error(message)) => Err(Failure::Invalid(format!("{name}(): {message}"))),
        Err(Fail::Budget(e)) => Err(Failure::Budget(e)),
        Err(Fail::Unknown(input)) => unknown_result(name, args, span, &input, budget, depth),
    }
}

fn lookup(name: &str) -> Option<Builtin> {
    numeric::lookup(name)
        .or_else(|| strings::lookup(name))
        .or_else(|| collections::lookup(name))
        .or_else(|| sets::lookup(name))
        .or_else(|| encoding::lookup(name))
        .or_else(|| network::lookup(name))
        .or_else(|| convert::lookup(name))
}

fn check_arity(builtin: &Builtin, given: usize) -> Result<(), String> {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    match builtin.max {
        Some(max) if max == builtin.min && given != max => {
            Err(format!("expects {max} {}, got {given}", plural(max)))
        }
        Some(max) if given > max => Err(format!(
            "expects at most {max} {}, got {given}",
            plural(max)
        )),
        _ if given < builtin.min => Err(format!(
            "expects at least {} {}, got {given}",
            builtin.min,
            plural(builtin.min)
        )),
        _ => Ok(()),
    }
}

/// Why `input` (an unknown or a reference) has no value yet.
fn describe(input: &Val) -> String {
    match &input.value {
        Value::Unknown(u) => u.reason.clone(),
        Value::Ref(r) => {
            let address = r.key.rsplit_once("::").map_or(r.key.as_str(), |(_, a)| a);
            format!("{address}.{} is known only after apply", r.attr)
        }
        _ => "value is not known".to_string(),
    }
}

/// The unknown result of `name(args)` that needed `input`; candidates are computed by
/// substituting the candidates of `input` when it is one of `args`.
fn unknown_result(
    name: &str,
    args: &[Val],
    span: Span,
    input: &Val,
    budget: &Budget,
    depth: usize,
) -> Result<Val, Failure> {
    let candidates = match (depth, input.as_unknown()) {
        (1.., Some(u)) if !u.candidates.is_empty() => match args.iter().position(|a| a == input) {
            Some(i) => substitute(name, args, i, &u.candidates, span, budget, depth - 1)?,
            None => None,
        },
        _ => None,
    };
    // A Terraform error in an argument stays an error (for `try` and `can`).
    let why = describe(input);
    let reason = match why.strip_prefix(INVALID) {
        Some(error) => format!("{INVALID}{name}(): {error}"),
        None => format!("{name}(): {why}"),
    };
    Ok(Val {
        value: Value::Unknown(Arc::new(Unknown {
            reason,
            candidates: candidates.unwrap_or_default(),
        })),
        span,
        origins: input.origins.clone(),
    })
}

/// Results of `name` with `args[index]` replaced by each candidate, each paid for; `None`
/// when some result can be anything (or there are too many).
fn substitute(
    name: &str,
    args: &[Val],
    index: usize,
    candidates: &[Val],
    span: Span,
    budget: &Budget,
    depth: usize,
) -> Result<Option<Vec<Val>>, Failure> {
    let mut results = Vec::new();
    let mut with = args.to_vec();
    for candidate in candidates {
        let Some(slot) = with.get_mut(index) else {
            return Ok(None);
        };
        *slot = candidate.clone();
        // A candidate the function rejects is a branch Terraform would refuse: not a value.
        let result = match call_bounded(name, &with, span, budget, depth) {
            Ok(result) => result,
            Err(Failure::Invalid(_)) => continue,
            Err(e) => return Err(e),
        };
        budget.take_size(&result).map_err(Failure::Budget)?;
        match result.as_unknown() {
            Some(u) if u.candidates.is_empty() => return Ok(None),
            Some(u) => results.extend(u.candidates.iter().cloned()),
            None => results.push(result),
        }
        if results.len() > MAX_CANDIDATES {
            return Ok(None);
        }
    }
    Ok(Some(results))
}

#[cfg(test)]
mod tests;
