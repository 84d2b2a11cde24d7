//! String functions: `chomp endswith indent join lower regex regexall replace split startswith
//! strcontains strrev substr title trim trimprefix trimsuffix trimspace upper`, plus the path
//! functions that are plain string operations (`abspath basename dirname pathexpand`).

use std::collections::BTreeMap;

use regex::Regex;

use super::args::{arg, integer, list, list_of, string, text};
use super::{format, Builtin, Fail, Res};
use crate::budget::{map_bytes, Budget, NODE};
use crate::ir::{Val, Value};
use crate::source::Span;

/// Widest indentation `indent` accepts (keeps the output bounded).
const MAX_INDENT: i64 = 1024;
/// Most bytes case mapping makes of one byte (`ΐ`, two bytes, upper-cases to six).
const CASE_GROWTH: u64 = 3;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "chomp" => Builtin::fixed(1, |a, s| {
            map_str(a, s, |x| x.trim_end_matches(['\r', '\n']).into())
        }),
        "lower" => Builtin::sized(1, Some(1), |a, s, b| {
            map_case(a, s, b, |x| x.to_lowercase())
        }),
        "upper" => Builtin::sized(1, Some(1), |a, s, b| {
            map_case(a, s, b, |x| x.to_uppercase())
        }),
        "strrev" => Builtin::fixed(1, |a, s| map_str(a, s, |x| x.chars().rev().collect())),
        "title" => Builtin::sized(1, Some(1), |a, s, b| map_case(a, s, b, title)),
        "trimspace" => Builtin::fixed(1, |a, s| map_str(a, s, |x| x.trim().into())),
        "trim" => Builtin::fixed(2, |a, s| {
            map_str2(a, s, |x, cut| x.trim_matches(|c| cut.contains(c)).into())
        }),
        "trimprefix" => Builtin::fixed(2, |a, s| {
            map_str2(a, s, |x, p| x.strip_prefix(p).unwrap_or(x).into())
        }),
        "trimsuffix" => Builtin::fixed(2, |a, s| {
            map_str2(a, s, |x, p| x.strip_suffix(p).unwrap_or(x).into())
        }),
        "startswith" => Builtin::fixed(2, |a, s| test_str2(a, s, |x, y| x.starts_with(y))),
        "endswith" => Builtin::fixed(2, |a, s| test_str2(a, s, |x, y| x.ends_with(y))),
        "strcontains" => Builtin::fixed(2, |a, s| test_str2(a, s, |x, y| x.contains(y))),
        "indent" => Builtin::sized(2, Some(2), indent),
        "join" => Builtin::sized(2, None, join),
        "split" => Builtin::sized(2, Some(2), split),
        "substr" => Builtin::fixed(3, substr),
        "replace" => Builtin::sized(3, Some(3), replace),
        "regex" => Builtin::fixed(2, regex_first),
        "regexall" => Builtin::sized(2, Some(2), regex_all),
        "format" => Builtin::sized(1, None, format::format),
        "formatlist" => Builtin::sized(1, None, format::formatlist),
        "basename" => Builtin::fixed(1, |a, s| map_str(a, s, basename)),
        "dirname" => Builtin::fixed(1, |a, s| map_str(a, s, dirname)),
        "abspath" => Builtin::fixed(1, abspath),
        "pathexpand" => Builtin::fixed(1, pathexpand),
        _ => return None,
    })
}

fn map_str(args: &[Val], span: Span, f: fn(&str) -> String) -> Res {
    Ok(text(f(&string(arg(args, 0)?)?), span))
}

/// A case mapping of the string argument, checked against the budget first.
fn map_case(args: &[Val], span: Span, budget: &Budget, f: fn(&str) -> String) -> Res {
    let x = string(arg(args, 0)?)?;
    budget.check(NODE + CASE_GROWTH * x.len() as u64)?;
    Ok(text(f(&x), span))
}

fn map_str2(args: &[Val], span: Span, f: fn(&str, &str) -> String) -> Res {
    let x = string(arg(args, 0)?)?;
    let y = string(arg(args, 1)?)?;
    Ok(text(f(&x, &y), span))
}

fn test_str2(args: &[Val], span: Span, f: fn(&str, &str) -> bool) -> Res {
    let x = string(arg(args, 0)?)?;
    let y = string(arg(args, 1)?)?;
    Ok(Val::new(Value::Bool(f(&x, &y)), span))
}

/// Go's `strings.Title`: upper-cases the first letter of each word.
fn title(s: &str) -> String {
    let mut previous_separates = true;
    s.chars()
        .map(|c| {
            let out = if previous_separates {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_string()
            };
            previous_separates = !(c.is_alphanumeric() || c == '_');
            out
        })
        .collect()
}

fn indent(args: &[Val], span: Span, budget: &Budget) -> Res {
    let spaces = integer(arg(args, 0)?)?;
    let s = string(arg(args, 1)?)?;
    if !(0..=MAX_INDENT).contains(&spaces) {
        return Err(format!("spaces must be between 0 and {MAX_INDENT}").into());
    }
    let lines = s.bytes().filter(|b| *b == b'\n').count() as u64;
    budget.check(NODE + s.len() as u64 + lines * spaces.unsigned_abs())?;
    let pad = format!("\n{}", " ".repeat(spaces.unsigned_abs() as usize));
    Ok(text(s.replace('\n', &pad), span))
}

/// Joins the elements of the lists with `sep`, once the result's length is known to fit.
fn join(args: &[Val], span: Span, budget: &Budget) -> Res {
    let sep = string(arg(args, 0)?)?;
    let lists = args.get(1..).unwrap_or_default();
    let mut length = 0u64;
    let mut count = 0u64;
    for l in lists {
        for item in list(l)? {
            if item.is_null() {
                return Err("cannot join a null element".into());
            }
            length += string(item)?.len() as u64;
            count += 1;
        }
    }
    budget.check(NODE + length + count.saturating_sub(1) * sep.len() as u64)?;
    let mut out = String::with_capacity(usize::try_from(length).unwrap_or(0));
    for (i, item) in lists
        .iter()
        .flat_map(|l| list(l).unwrap_or_default())
        .enumerate()
    {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&string(item)?);
    }
    Ok(text(out, span))
}

fn split(args: &[Val], span: Span, budget: &Budget) -> Res {
    let sep = string(arg(args, 0)?)?;
    let s = string(arg(args, 1)?)?;
    let parts = if sep.is_empty() {
        s.chars().count()
    } else {
        s.matches(sep.as_ref()).count() + 1
    };
    budget.check(parts as u64 * NODE + s.len() as u64)?;
    let parts: Vec<Val> = if sep.is_empty() {
        s.chars().map(|c| text(c, span)).collect()
    } else {
        s.split(sep.as_ref()).map(|p| text(p, span)).collect()
    };
    Ok(list_of(parts, span))
}

/// `substr(string, offset, length)` in characters; a negative offset counts from the end, a
/// negative length means "to the end".
fn substr(args: &[Val], span: Span) -> Res {
    let s = string(arg(args, 0)?)?;
    let offset = integer(arg(args, 1)?)?;
    let length = integer(arg(args, 2)?)?;
    let chars: Vec<char> = s.chars().collect();
    let total = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        total.saturating_add(offset).max(0)
    } else {
        offset.min(total)
    };
    let end = if length < 0 {
        total
    } else {
        start.saturating_add(length).min(total)
    };
    let slice = chars
        .get(start as usize..end as usize)
        .ok_or_else(|| Fail::from("offset out of range"))?;
    Ok(text(slice.iter().collect::<String>(), span))
}

/// Compiles a Terraform (RE2) pattern.
fn compile(pattern: &str) -> Res<Regex> {
    Regex::new(pattern).map_err(|e| Fail::Error(format!("invalid regular expression: {e}")))
}

/// `replace(string, search, replacement)`: `search` is a literal, or a regular expression
/// between slashes. The result's length is checked against the budget before it is built
/// (for a pattern, before each replacement is appended).
fn replace(args: &[Val], span: Span, budget: &Budget) -> Res {
    let s = string(arg(args, 0)?)?;
    let search = string(arg(args, 1)?)?;
    let with = string(arg(args, 2)?)?;
    let out = match search.strip_prefix('/').and_then(|r| r.strip_suffix('/')) {
        Some(pattern) if search.len() > 1 => replace_all(&compile(pattern)?, &s, &with, budget)?,
        _ => {
            // an empty search matches before every character and at the end
            let matches = if search.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(search.as_ref()).count()
            } as u64;
            let removed = matches * search.len() as u64;
            budget.check(NODE + s.len() as u64 - removed + matches * with.len() as u64)?;
            s.replace(search.as_ref(), &with)
        }
    };
    Ok(text(out, span))
}

/// `Regex::replace_all` with `$n` expansion, each replacement checked against the budget
/// before it is appended (a `$n` expands to at most the whole match).
fn replace_all(re: &Regex, s: &str, with: &str, budget: &Budget) -> Res<String> {
    let references = with.bytes().filter(|b| *b == b'$').count();
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.get(0) else { continue };
        let gap = m.start() - last;
        let expansion = with.len() + references * m.len();
        budget.check(NODE + (out.len() + gap + expansion) as u64)?;
        out.push_str(s.get(last..m.start()).unwrap_or_default());
        caps.expand(with, &mut out);
        last = m.end();
    }
    let rest = s.get(last..).unwrap_or_default();
    budget.check(NODE + (out.len() + rest.len()) as u64)?;
    out.push_str(rest);
    Ok(out)
}

/// How a match is returned: the whole match, a list of groups, or a map of named groups.
enum Shape {
    Whole,
    Groups(usize),
    Named(Vec<String>),
}

fn shape(re: &Regex) -> Res<Shape> {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return Ok(Shape::Whole);
    }
    let named: Vec<String> = names.iter().flatten().map(|n| n.to_string()).collect();
    match named.len() {
        0 => Ok(Shape::Groups(names.len())),
        n if n == names.len() => Ok(Shape::Named(named)),
        _ => Err(
            "invalid regular expression: cannot mix both named and unnamed capture groups".into(),
        ),
    }
}

fn captured(caps: &regex::Captures<'_>, shape: &Shape, span: Span) -> Val {
    let group = |m: Option<regex::Match<'_>>| {
        m.map_or_else(|| Val::new(Value::Null, span), |m| text(m.as_str(), span))
    };
    match shape {
        Shape::Whole => group(caps.get(0)),
        Shape::Groups(n) => list_of((1..=*n).map(|i| group(caps.get(i))).collect(), span),
        Shape::Named(names) => {
            let entries: BTreeMap<String, Val> = names
                .iter()
                .map(|n| (n.clone(), group(caps.name(n))))
                .collect();
            Val::new(Value::Map(entries), span)
        }
    }
}

fn regex_first(args: &[Val], span: Span) -> Res {
    let re = compile(&string(arg(args, 0)?)?)?;
    let s = string(arg(args, 1)?)?;
    let shape = shape(&re)?;
    let caps = re
        .captures(&s)
        .ok_or_else(|| Fail::from("pattern did not match any part of the given string"))?;
    Ok(captured(&caps, &shape, span))
}

/// Every match, each checked against the budget before it is kept (a match holds at most
/// its text and one node per group).
fn regex_all(args: &[Val], span: Span, budget: &Budget) -> Res {
    let re = compile(&string(arg(args, 0)?)?)?;
    let s = string(arg(args, 1)?)?;
    let shape = shape(&re)?;
    // a group's text is at most the whole match
    let per_match = |matched: u64| match &shape {
        Shape::Whole => NODE + matched,
        Shape::Groups(n) => NODE + *n as u64 * (NODE + matched),
        Shape::Named(names) => {
            let entries: u64 = names.iter().map(|k| k.len() as u64 + NODE + matched).sum();
            NODE + map_bytes(names.len()) + entries
        }
    };
    let mut size = NODE;
    let mut all = Vec::new();
    for caps in re.captures_iter(&s) {
        size += per_match(caps.get(0).map_or(0, |m| m.len()) as u64);
        budget.check(size)?;
        all.push(captured(&caps, &shape, span));
    }
    Ok(list_of(all, span))
}

/// Go's `path.Clean` (slash-separated; Terraform on Unix).
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Base`.
fn basename(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match (path.is_empty(), trimmed.is_empty()) {
        (true, _) => ".".into(),
        (false, true) => "/".into(),
        _ => trimmed.rsplit('/').next().unwrap_or(trimmed).into(),
    }
}

/// Go's `filepath.Dir`.
fn dirname(path: &str) -> String {
    let dir = path.rfind('/').map_or("", |i| &path[..=i]);
    clean(dir)
}

fn abspath(args: &[Val], span: Span) -> Res {
    let path = string(arg(args, 0)?)?;
    if path.starts_with('/') {
        Ok(text(clean(&path), span))
    } else {
        Ok(Val::unknown(
            "abspath() depends on the working directory of the run",
            span,
        ))
    }
}

fn pathexpand(args: &[Val], span: Span) -> Res {
    let v = arg(args, 0)?;
    let path = string(v)?;
    if path == "~" || path.starts_with("~/") {
        Ok(Val::unknown(
            "pathexpand() depends on the home directory",
            span,
        ))
    } else {
        Ok(v.clone())
    }
}
