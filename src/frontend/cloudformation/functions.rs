//! String, list and mapping intrinsics: `Fn::Sub`, `Join`, `Select`, `Split`, `FindInMap`,
//! `Cidr`, `ImportValue`, `Length`, `ToJsonString`.

use std::borrow::Cow;
use std::sync::Arc;

use foldhash::HashMap;

use ipnet::IpNet;

use super::eval::{text, Arg, Eval};
use crate::budget::{self, NODE, SPENT};
use crate::frontend::tree::Node;
use crate::ir::{Unknown, Val, Value};
use crate::source::Span;

/// Most subnets `Fn::Cidr` may produce (CloudFormation's own limit).
const MAX_CIDR_COUNT: i64 = 256;

impl Eval<'_> {
    /// Evaluates `node` to text, or the reason it has none.
    fn text_of(&mut self, node: &Node) -> Result<String, String> {
        self.eval(node).map_or(Ok(String::new()), |v| text(&v))
    }

    /// True when `n` more bytes of the result of `function` fit in the budget.
    fn fits(&mut self, n: u64, function: &str, span: Span) -> bool {
        let charge = self.budget.check(n);
        self.granted(charge, Some(function), span)
    }

    /// `Fn::Sub`: `"…${Name}…"` or `["…", {Name: value}]`; each piece is checked against the
    /// budget before it is appended.
    pub fn sub(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        let (template, vars) = match (arg.node.as_str(), arg.node.as_seq()) {
            (Some(s), _) => (s, None),
            (None, Some([s, vars])) if s.as_str().is_some() => {
                (s.as_str().unwrap_or_default(), Some(vars))
            }
            _ => return Val::unknown("Fn::Sub expects a string or [string, variables]", span),
        };
        let mut bound = HashMap::default();
        for (k, v) in vars.and_then(Node::as_map).unwrap_or_default() {
            bound.insert(k.name.as_str(), self.eval(v));
        }
        let mut out = String::new();
        let mut rest = template;
        while let Some(i) = rest.find("${") {
            if !self.fits((out.len() + i) as u64, "Sub", span) {
                return Val::unknown(SPENT, span);
            }
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = after[..j].trim();
            rest = &after[j + 1..];
            let value = match bound.get(name) {
                Some(v) => Cow::Borrowed(v),
                None => Cow::Owned(self.sub_variable(name, span)),
            };
            let piece = match value.as_ref() {
                Some(v) => borrowed_text(v),
                None => Ok(Cow::Borrowed("")),
            };
            match piece {
                Ok(s) if self.fits((out.len() + s.len()) as u64, "Sub", span) => out.push_str(&s),
                Ok(_) => return Val::unknown(SPENT, span),
                Err(reason) => return Val::unknown(reason, span),
            }
        }
        if !self.fits((out.len() + rest.len()) as u64, "Sub", span) {
            return Val::unknown(SPENT, span);
        }
        out.push_str(rest);
        Val::new(Value::String(out), span)
    }

    /// `${Name}` or `${Resource.Attribute}` outside the variable map.
    fn sub_variable(&mut self, name: &str, span: Span) -> Option<Val> {
        match name.split_once('.') {
            Some((res, attr)) if !name.starts_with("AWS::") => {
                Some(self.attribute(res, attr, span))
            }
            _ => self.reference(name, span),
        }
    }

    /// `Fn::Join [delimiter, list]`.
    pub fn join(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        let Some([delim, list]) = arg.node.as_seq() else {
            return Val::unknown("Fn::Join expects [delimiter, list]", span);
        };
        let Some(delim) = delim.as_str() else {
            return Val::unknown("Fn::Join expects a string delimiter", span);
        };
        let items = match items(self.eval(list), "Join") {
            Ok(items) => items,
            Err(reason) => return Val::unknown(reason, span),
        };
        let parts = match items
            .iter()
            .map(borrowed_text)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(parts) => parts,
            Err(reason) => return Val::unknown(reason, span),
        };
        let length = parts.iter().map(|p| p.len()).sum::<usize>()
            + parts.len().saturating_sub(1) * delim.len();
        if !self.fits(length as u64, "Join", span) {
            return Val::unknown(SPENT, span);
        }
        Val::new(Value::String(parts.join(delim)), span)
    }

    /// `Fn::Select [index, list]`: the element itself, with its own span.
    pub fn select(&mut self, arg: Arg) -> Option<Val> {
        let span = arg.call.span;
        let Some([index, list]) = arg.node.as_seq() else {
            return Some(Val::unknown("Fn::Select expects [index, list]", span));
        };
        let index = match self.eval(index) {
            Some(v) => match v.as_i64() {
                Some(i) => i,
                None => {
                    return Some(Val::unknown(
                        text(&v)
                            .err()
                            .unwrap_or_else(|| "Fn::Select index is not a number".to_string()),
                        span,
                    ))
                }
            },
            None => return Some(Val::unknown("Fn::Select index is AWS::NoValue", span)),
        };
        Some(match items(self.eval(list), "Select") {
            Ok(items) => usize::try_from(index)
                .ok()
                .and_then(|i| items.into_iter().nth(i))
                .unwrap_or_else(|| {
                    Val::unknown(format!("Fn::Select index {index} is out of range"), span)
                }),
            Err(reason) => Val::unknown(reason, span),
        })
    }

    /// `Fn::Split [delimiter, string]`.
    pub fn split(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        let Some([delim, source]) = arg.node.as_seq() else {
            return Val::unknown("Fn::Split expects [delimiter, string]", span);
        };
        let (Some(delim), source) = (delim.as_str(), self.text_of(source)) else {
            return Val::unknown("Fn::Split expects a string delimiter", span);
        };
        let parts = match &source {
            Ok(s) if !delim.is_empty() => s.matches(delim).count() as u64 + 1,
            _ => 0,
        };
        let size = source.as_ref().map_or(0, |s| s.len() as u64) + parts * NODE;
        if !self.fits(size, "Split", span) {
            return Val::unknown(SPENT, span);
        }
        match source {
            Ok(s) if !delim.is_empty() => Val::new(
                Value::List(
                    s.split(delim)
                        .map(|p| Val::new(Value::String(p.to_string()), span))
                        .collect(),
                ),
                span,
            ),
            Ok(_) => Val::unknown("Fn::Split has an empty delimiter", span),
            Err(reason) => Val::unknown(reason, span),
        }
    }

    /// `Fn::FindInMap [map, top key, second key, {DefaultValue: v}]`. An unknown key is tried
    /// with every key of the mapping: one common value is known, several are candidates.
    pub fn find_in_map(&mut self, arg: Arg) -> Option<Val> {
        let span = arg.call.span;
        let (map_name, top, second, default) = match arg.node.as_seq() {
            Some([m, a, b]) => (m, a, b, None),
            Some([m, a, b, d]) => (m, a, b, d.get("DefaultValue")),
            _ => {
                return Some(Val::unknown(
                    "Fn::FindInMap expects [map, top key, second key]",
                    span,
                ))
            }
        };
        let keys = [map_name, top, second].map(|n| self.text_of(n));
        let reason = keys.iter().find_map(|k| k.clone().err());
        let [map_name, top, second] = keys;
        let Some(map) = map_name
            .ok()
            .and_then(|m| self.t.mappings?.get(&m).map(|n| (m, n)))
        else {
            return Some(self.map_default(default, reason, "no such mapping", span));
        };
        let (map_name, map) = map;
        let mut found: Vec<&Node> = Vec::new();
        for (k1, level) in map.as_map().unwrap_or_default() {
            if top.as_ref().is_ok_and(|t| *t != k1.name) {
                continue;
            }
            for (k2, value) in level.as_map().unwrap_or_default() {
                if second.as_ref().map_or(true, |s| *s == k2.name) {
                    found.push(value);
                }
            }
        }
        let mut values: Vec<Val> = Vec::new();
        for node in found {
            if let Some(v) = self.eval(node) {
                if !values.iter().any(|x| x.value == v.value) {
                    values.push(v);
                }
            }
        }
        let origin = format!("value comes from mapping '{map_name}'");
        Some(match values.len() {
            0 => self.map_default(default, reason, "no such entry", span),
            1 => {
                let v = values.remove(0);
                let from = v.span;
                Val { span, ..v }.with_origin(from, origin)
            }
            _ => Val::new(
                Value::Unknown(Arc::new(Unknown {
                    reason: reason.unwrap_or_default(),
                    candidates: values,
                })),
                span,
            ),
        })
    }

    /// `DefaultValue` of a `Fn::FindInMap` that found nothing.
    fn map_default(
        &mut self,
        default: Option<&Node>,
        reason: Option<String>,
        missing: &str,
        span: Span,
    ) -> Val {
        match (default, reason) {
            (Some(d), _) => self.eval(d).unwrap_or_else(|| Val::new(Value::Null, span)),
            (None, Some(reason)) => Val::unknown(reason, span),
            (None, None) => Val::unknown(format!("Fn::FindInMap: {missing}"), span),
        }
    }

    /// `Fn::Cidr [block, count, bits]`: the first `count` subnets with `bits` host bits.
    pub fn cidr(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        let Some([block, count, bits]) = arg.node.as_seq() else {
            return Val::unknown("Fn::Cidr expects [block, count, bits]", span);
        };
        let args = [block, count, bits].map(|n| self.text_of(n));
        let [block, count, bits] = match args {
            [Ok(a), Ok(b), Ok(c)] => [a, b, c],
            [a, b, c] => {
                let reason = [a, b, c].into_iter().find_map(Result::err);
                return Val::unknown(reason.unwrap_or_default(), span);
            }
        };
        match cidr_subnets(&block, &count, &bits) {
            Ok(nets) => Val::new(
                Value::List(
                    nets.into_iter()
                        .map(|n| Val::new(Value::String(n.to_string()), span))
                        .collect(),
                ),
                span,
            ),
            Err(reason) => Val::unknown(format!("Fn::Cidr: {reason}"), span),
        }
    }

    /// `Fn::ImportValue`: known only at deploy time.
    pub fn import_value(&mut self, arg: Arg) -> Val {
        let name = self
            .eval_arg(arg)
            .map_or(Ok(String::new()), |v| text(&v))
            .unwrap_or_else(|_| "?".to_string());
        Val::unknown(
            format!("Fn::ImportValue '{name}' is resolved at deploy time"),
            arg.call.span,
        )
    }

    /// `Fn::Length` of a list.
    pub fn length(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        match items(self.eval_arg(arg), "Length") {
            Ok(items) => Val::new(Value::Number(items.len() as f64), span),
            Err(reason) => Val::unknown(reason, span),
        }
    }

    /// `Fn::ToJsonString` of a fully known value (its JSON tree and text each take about
    /// the value's size).
    pub fn json_string(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        let value = self.eval_arg(arg);
        let size = value
            .as_ref()
            .map_or(0, |v| budget::size(v, self.budget.bytes_left()));
        if !self.fits(2 * size, "ToJsonString", span) {
            return Val::unknown(SPENT, span);
        }
        let json = value.map_or(Ok(serde_json::Value::Null), |v| to_json(&v));
        match json {
            Ok(j) => Val::new(Value::String(j.to_string()), span),
            Err(reason) => Val::unknown(reason, span),
        }
    }
}

/// The text of a scalar value, borrowed when it is a string; or why it has none.
fn borrowed_text(v: &Val) -> Result<Cow<'_, str>, String> {
    match &v.value {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        _ => text(v).map(Cow::Owned),
    }
}

/// The elements of a list value, or why it has none (unknown, a resource attribute).
fn items(v: Option<Val>, function: &str) -> Result<Vec<Val>, String> {
    match v {
        Some(Val {
            value: Value::List(items),
            ..
        }) => Ok(items),
        Some(v) if matches!(v.value, Value::Unknown(_) | Value::Ref(_)) => {
            Err(text(&v).err().unwrap_or_default())
        }
        _ => Err(format!("Fn::{function} expects a list")),
    }
}

/// JSON of a known value (bounded by the value's depth, itself bounded by the parser).
fn to_json(v: &Val) -> Result<serde_json::Value, String> {
    Ok(match &v.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => (*n as i64).into(),
        Value::Number(n) => (*n).into(),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Ref(_) | Value::Unknown(_) => return Err(text(v).err().unwrap_or_default()),
    })
}

/// The subnets of `Fn::Cidr`, IPv4 or IPv6.
fn cidr_subnets(block: &str, count: &str, bits: &str) -> Result<Vec<IpNet>, String> {
    let net: IpNet = block
        .trim()
        .parse()
        .map_err(|_| format!("'{block}' is not a CIDR block"))?;
    let count: i64 = count
        .trim()
        .parse()
        .map_err(|_| format!("count '{count}' is not a number"))?;
    let bits: u8 = bits
        .trim()
        .parse()
        .map_err(|_| format!("cidrBits '{bits}' is not a number"))?;
    if !(1..=MAX_CIDR_COUNT).contains(&count) {
        return Err(format!(
            "count {count} is not between 1 and {MAX_CIDR_COUNT}"
        ));
    }
    let prefix = net
        .max_prefix_len()
        .checked_sub(bits)
        .filter(|p| *p >= net.prefix_len())
        .ok_or_else(|| format!("{bits} bits do not fit in {net}"))?;
    let nets: Vec<IpNet> = net
        .trunc()
        .subnets(prefix)
        .map_err(|e| e.to_string())?
        .take(count as usize)
        .collect();
    if nets.len() < count as usize {
        return Err(format!(
            "{net} holds fewer than {count} subnets of /{prefix}"
        ));
    }
    Ok(nets)
}
