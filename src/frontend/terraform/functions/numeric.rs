//! Numeric functions: `abs ceil floor log max min parseint pow signum sum`.

use super::args::{arg, integer, list, num, number, string};
use super::{Builtin, Fail, Res};
use crate::ir::Val;
use crate::source::Span;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "abs" => Builtin::fixed(1, |a, s| unary(a, s, f64::abs)),
        "ceil" => Builtin::fixed(1, |a, s| unary(a, s, f64::ceil)),
        "floor" => Builtin::fixed(1, |a, s| unary(a, s, f64::floor)),
        "signum" => Builtin::fixed(1, |a, s| unary(a, s, signum)),
        "log" => Builtin::fixed(2, |a, s| binary(a, s, |x, base| x.ln() / base.ln())),
        "pow" => Builtin::fixed(2, |a, s| binary(a, s, f64::powf)),
        "max" => Builtin::variadic(1, |a, s| extreme(a, s, f64::max)),
        "min" => Builtin::variadic(1, |a, s| extreme(a, s, f64::min)),
        "sum" => Builtin::fixed(1, sum),
        "parseint" => Builtin::fixed(2, parseint),
        _ => return None,
    })
}

fn signum(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x.signum()
    }
}

fn unary(args: &[Val], span: Span, f: fn(f64) -> f64) -> Res {
    Ok(num(f(number(arg(args, 0)?)?), span))
}

fn binary(args: &[Val], span: Span, f: fn(f64, f64) -> f64) -> Res {
    let x = number(arg(args, 0)?)?;
    let y = number(arg(args, 1)?)?;
    Ok(num(f(x, y), span))
}

fn extreme(args: &[Val], span: Span, pick: fn(f64, f64) -> f64) -> Res {
    let mut best = number(arg(args, 0)?)?;
    for v in args.iter().skip(1) {
        best = pick(best, number(v)?);
    }
    Ok(num(best, span))
}

fn sum(args: &[Val], span: Span) -> Res {
    let items = list(arg(args, 0)?)?;
    if items.is_empty() {
        return Err("cannot sum an empty list".into());
    }
    let mut total = 0.0;
    for v in items {
        total += number(v)?;
    }
    Ok(num(total, span))
}

/// `parseint(string, base)`: base 2 to 62, digits `0-9a-zA-Z` (case-insensitive up to base 36,
/// then lowercase before uppercase as in Go's `big.Int`).
fn parseint(args: &[Val], span: Span) -> Res {
    let text = string(arg(args, 0)?)?;
    let base = integer(arg(args, 1)?)?;
    if !(2..=62).contains(&base) {
        return Err("base must be a whole number between 2 and 62 inclusive".into());
    }
    let invalid = || Fail::Error(format!("cannot parse \"{text}\" as a base {base} integer"));
    let (negative, digits) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => (false, text.as_ref()),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut value = 0.0_f64;
    for c in digits.chars() {
        let digit = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'a'..='z' => u32::from(c) - u32::from('a') + 10,
            'A'..='Z' if base <= 36 => u32::from(c) - u32::from('A') + 10,
            'A'..='Z' => u32::from(c) - u32::from('A') + 36,
            _ => return Err(invalid()),
        };
        if i64::from(digit) >= base {
            return Err(invalid());
        }
        value = value * base as f64 + f64::from(digit);
    }
    Ok(num(if negative { -value } else { value }, span))
}
