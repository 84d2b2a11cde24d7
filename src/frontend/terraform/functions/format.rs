//! `format` and `formatlist`: Terraform's printf-like specification (Go `fmt` semantics for
//! the verbs `%v %#v %t %b %d %o %x %X %e %E %f %g %G %s %q %%`, flags `space + - 0 #`, width,
//! precision and explicit argument indexes `%[n]d`).

use super::args::{arg, boolean, known_deep, list_of, number, string, text};
use super::encoding::{json, json_string};
use super::{Fail, Res};
use crate::budget::{Budget, NODE};
use crate::ir::{Val, Value};
use crate::source::Span;

/// Widest width or precision accepted (keeps the output bounded).
const MAX_WIDTH: usize = 10_000;

/// `format(spec, values...)`.
pub(super) fn format(args: &[Val], span: Span, budget: &Budget) -> Res {
    let spec = string(arg(args, 0)?)?;
    let values = args.get(1..).unwrap_or_default();
    values.iter().try_for_each(known_deep)?;
    Ok(text(render(&spec, values, budget, NODE)?, span))
}

/// `formatlist(spec, values...)`: list arguments are iterated together, others repeated.
pub(super) fn formatlist(args: &[Val], span: Span, budget: &Budget) -> Res {
    let spec = string(arg(args, 0)?)?;
    let values = args.get(1..).unwrap_or_default();
    let mut length: Option<(usize, usize)> = None;
    for (i, v) in values.iter().enumerate() {
        // An unknown may be a list; a reference is a string, unknown only in its rows.
        if let Value::Unknown(_) = v.value {
            return Err(Fail::Unknown(v.clone()));
        }
        if let Value::List(items) = &v.value {
            match length {
                None => length = Some((items.len(), i)),
                Some((n, first)) if n != items.len() => {
                    return Err(Fail::Error(format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {n}",
                        i + 1,
                        items.len(),
                        first + 1
                    )))
                }
                Some(_) => {}
            }
        }
    }
    let rounds = length.map_or(1, |(n, _)| n);
    budget.check(NODE * (rounds as u64 + 1))?;
    let mut out = Vec::with_capacity(rounds);
    // bytes of the lines made so far
    let mut made = NODE * (rounds as u64 + 1);
    for round in 0..rounds {
        let row: Vec<Val> = values
            .iter()
            .map(|v| match &v.value {
                Value::List(items) => items.get(round).cloned().unwrap_or_else(|| v.clone()),
                _ => v.clone(),
            })
            .collect();
        if let Err(Fail::Unknown(u)) = row.iter().try_for_each(known_deep) {
            let reason = format!("formatlist(): {}", super::describe(&u));
            out.push(Val {
                origins: u.origins.clone(),
                ..Val::unknown(reason, span)
            });
            continue;
        }
        let line = render(&spec, &row, budget, made).map_err(|e| match e {
            Fail::Error(m) => Fail::Error(format!("error on format iteration {round}: {m}")),
            other => other,
        })?;
        made += line.len() as u64;
        out.push(text(line, span));
    }
    Ok(list_of(out, span))
}

/// One `%` sequence.
#[derive(Default)]
struct Verb<'a> {
    raw: &'a str,
    offset: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Reads a decimal number at `*i`, bounded by [`MAX_WIDTH`].
fn decimal(bytes: &[u8], i: &mut usize) -> Res<usize> {
    let mut n: usize = 0;
    while let Some(d) = bytes.get(*i).filter(|b| b.is_ascii_digit()) {
        n = n * 10 + usize::from(d - b'0');
        if n > MAX_WIDTH {
            return Err("width, precision or index too large".into());
        }
        *i += 1;
    }
    Ok(n)
}

/// The text of `spec` applied to `args`; each piece is checked against the budget, beside
/// the `made` bytes of the call's result so far, before it is appended.
fn render(spec: &str, args: &[Val], budget: &Budget, made: u64) -> Res<String> {
    let bytes = spec.as_bytes();
    let mut out = String::new();
    let append = |out: &mut String, piece: &str| -> Res<()> {
        budget.check(made + (out.len() + piece.len()) as u64)?;
        out.push_str(piece);
        Ok(())
    };
    let mut next = 0usize;
    let mut used = 0usize;
    let mut literal = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            i += 1;
            continue;
        }
        append(&mut out, spec.get(literal..i).unwrap_or_default())?;
        let start = i;
        i += 1;
        if bytes.get(i) == Some(&b'%') {
            out.push('%');
            i += 1;
            literal = i;
            continue;
        }
        let mut verb = Verb {
            offset: start,
            ..Verb::default()
        };
        while let Some(&flag) = bytes.get(i) {
            match flag {
                b'0' => verb.zero = true,
                b'#' => verb.sharp = true,
                b'-' => verb.minus = true,
                b'+' => verb.plus = true,
                b' ' => verb.space = true,
                _ => break,
            }
            i += 1;
        }
        if bytes.get(i) == Some(&b'[') {
            i += 1;
            let n = decimal(bytes, &mut i)?;
            if n == 0 || bytes.get(i) != Some(&b']') {
                return Err(format!("invalid format string starting at offset {start}").into());
            }
            i += 1;
            next = n - 1;
        }
        if bytes.get(i).is_some_and(|b| (b'1'..=b'9').contains(b)) {
            verb.width = Some(decimal(bytes, &mut i)?);
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            verb.prec = Some(decimal(bytes, &mut i)?);
        }
        match bytes.get(i) {
            Some(m) if m.is_ascii_alphabetic() => verb.mode = char::from(*m),
            Some(_) => {
                let c = spec.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(format!("unrecognized format character '{c}' at offset {i}").into());
            }
            None => return Err(format!("invalid format string starting at offset {start}").into()),
        }
        i += 1;
        verb.raw = spec.get(start..i).unwrap_or_default();
        let value = args.get(next).ok_or_else(|| {
            Fail::Error(format!(
                "not enough arguments for \"{}\" at {start}: need index {} but have {} total",
                verb.raw,
                next + 1,
                args.len()
            ))
        })?;
        append(&mut out, &verb.apply(value, budget)?)?;
        next += 1;
        used = used.max(next);
        literal = i;
    }
    append(&mut out, spec.get(literal..).unwrap_or_default())?;
    if used < args.len() {
        return Err(if used == 0 {
            "too many arguments; no verbs in format string".into()
        } else {
            format!("too many arguments; only {used} used by format string").into()
        });
    }
    Ok(out)
}

impl Verb<'_> {
    fn unsupported(&self, why: &str) -> Fail {
        Fail::Error(format!(
            "unsupported value for \"{}\" at {}: {why}",
            self.raw, self.offset
        ))
    }

    fn apply(&self, v: &Val, budget: &Budget) -> Res<String> {
        if self.mode != 'v' && v.is_null() {
            return Err(self.unsupported("null value cannot be formatted"));
        }
        let convert = |e: Fail| match e {
            Fail::Error(m) => self.unsupported(&m),
            other => other,
        };
        match self.mode {
            'v' => self.as_is(v, budget),
            't' => Ok(boolean(v).map_err(convert)?.to_string()),
            'b' | 'd' | 'o' | 'x' | 'X' => self.integer(number(v).map_err(convert)?),
            'e' | 'E' | 'f' | 'g' | 'G' => Ok(self.float(number(v).map_err(convert)?)),
            's' | 'q' => {
                let s = string(v).map_err(convert)?;
                let s = match self.prec {
                    Some(p) if p > 0 => s.chars().take(p).collect(),
                    _ => s.into_owned(),
                };
                Ok(self.pad(if self.mode == 'q' { json_string(&s) } else { s }))
            }
            other => Err(Fail::Error(format!(
                "unsupported format verb '{other}' in \"{}\" at offset {}",
                self.raw, self.offset
            ))),
        }
    }

    /// `%v`: strings as they are, numbers as `%g`, everything else (and `%#v`) as JSON.
    fn as_is(&self, v: &Val, budget: &Budget) -> Res<String> {
        let formatted = match &v.value {
            Value::String(s) if !self.sharp => s.clone(),
            Value::Number(n) if !self.sharp => go_float(*n, 'g', None),
            _ => json(v, budget)?,
        };
        Ok(self.pad(formatted))
    }

    /// Pads to the width in characters (Terraform's own rule for `%v %s %q`).
    fn pad(&self, s: String) -> String {
        let len = s.chars().count();
        match self.width {
            Some(w) if w > len => {
                let fill = if self.zero { "0" } else { " " }.repeat(w - len);
                if self.minus {
                    s + &fill
                } else {
                    fill + &s
                }
            }
            _ => s,
        }
    }

    fn sign(&self, negative: bool) -> &'static str {
        match (negative, self.plus, self.space) {
            (true, _, _) => "-",
            (false, true, _) => "+",
            (false, false, true) => " ",
            _ => "",
        }
    }

    /// Go's `big.Int` formatting: `[left pad][sign][prefix][zeros][digits][right pad]`.
    fn integer(&self, n: f64) -> Res<String> {
        if n.fract() != 0.0 || !n.is_finite() {
            return Err(self.unsupported("an integer is required"));
        }
        if n.abs() >= 1e38 {
            return Err(self.unsupported("number is too large"));
        }
        let magnitude = n.abs() as u128;
        let mut digits = match self.mode {
            'b' => format!("{magnitude:b}"),
            'o' => format!("{magnitude:o}"),
            'x' => format!("{magnitude:x}"),
            'X' => format!("{magnitude:X}"),
            _ => magnitude.to_string(),
        };
        let sign = self.sign(n < 0.0);
        let prefix = match (self.sharp, self.mode) {
            (true, 'b') => "0b",
            (true, 'o') => "0",
            (true, 'x') => "0x",
            (true, 'X') => "0X",
            _ => "",
        };
        let mut zeros = 0;
        if let Some(p) = self.prec {
            if digits.len() < p {
                zeros = p - digits.len();
            } else if p == 0 && magnitude == 0 {
                digits.clear();
            }
        }
        let length = sign.len() + prefix.len() + zeros + digits.len();
        let (mut left, mut right) = (0, 0);
        if let Some(w) = self.width.filter(|w| *w > length) {
            let d = w - length;
            if self.minus {
                right = d;
            } else if self.zero && self.prec.is_none() {
                zeros = d;
            } else {
                left = d;
            }
        }
        Ok(format!(
            "{}{sign}{prefix}{}{digits}{}",
            " ".repeat(left),
            "0".repeat(zeros),
            " ".repeat(right)
        ))
    }

    /// Go's `big.Float` formatting for `%e %E %f %g %G`.
    fn float(&self, n: f64) -> String {
        let body = go_float(n.abs(), self.mode, self.prec);
        let sign = self.sign(n.is_sign_negative() && n != 0.0);
        let padding = self
            .width
            .map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
        if self.zero {
            format!("{sign}{}{body}", "0".repeat(padding))
        } else if self.minus {
            format!("{sign}{body}{}", " ".repeat(padding))
        } else {
            format!("{}{sign}{body}", " ".repeat(padding))
        }
    }
}

/// Decimal digits (no leading/trailing zeros) and the decimal point position of `x ≥ 0`,
/// rounded to `significant` digits (shortest round-trip when `None`).
fn decimal_digits(x: f64, significant: Option<usize>) -> (String, i32) {
    let sci = match significant {
        Some(p) => format!("{:.*e}", p.saturating_sub(1), x),
        None => format!("{x:e}"),
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        ("0".to_string(), 1)
    } else {
        (digits.to_string(), exp + 1)
    }
}

/// `d.ddde±XX` with `decimals` digits after the point.
fn exponent_form(digits: &str, point: i32, decimals: usize, upper: bool) -> String {
    let mut mantissa = digits.chars().take(1).collect::<String>();
    if decimals > 0 {
        let rest: String = digits.chars().skip(1).collect();
        mantissa.push('.');
        mantissa.push_str(&format!("{rest:0<decimals$}"));
    }
    let exp = if digits == "0" { 0 } else { point - 1 };
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}{e}{sign}{:02}", exp.unsigned_abs())
}

/// Fixed notation of `digits` with the point at `point`, no padding of decimals.
fn fixed_form(digits: &str, point: i32) -> String {
    let n = digits.len() as i32;
    if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point >= n {
        format!("{digits}{}", "0".repeat((point - n) as usize))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    }
}

/// Go's float formatting of `x` for verb `e E f g G` (precision `None` = default).
fn go_float(x: f64, verb: char, prec: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_sign_negative() && x != 0.0 {
        return format!("-{}", go_float(-x, verb, prec));
    }
    if x.is_infinite() {
        return "+Inf".into();
    }
    match verb {
        'f' => format!("{:.*}", prec.unwrap_or(6), x),
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let (digits, point) = decimal_digits(x, Some(p + 1));
            exponent_form(&digits, point, p, verb == 'E')
        }
        _ => {
            let significant = prec.map(|p| p.max(1));
            let (digits, point) = decimal_digits(x, significant);
            let nd = digits.len();
            let eprec = match significant {
                None => 6,
                Some(p) if p > nd && nd as i32 >= point => nd,
                Some(p) => p,
            };
            let exp = point - 1;
            if exp < -4 || exp >= eprec as i32 {
                exponent_form(&digits, point, nd - 1, verb == 'G')
            } else {
                fixed_form(&digits, point)
            }
        }
    }
}
