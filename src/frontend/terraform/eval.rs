//! Expression evaluation: operators, templates, `for`, conditionals, traversals and calls.
//!
//! References to module objects (`var.`, `local.`, resources, `module.`) are resolved by
//! [`Inst`](super::instance::Inst) in `instance.rs`; this file holds what does not depend on them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::ast::{BinaryOperator, Expr, ExprKind, ForExpr, Op, Part, UnaryOperator};
use super::instance::Inst;
use super::run::Run;
use crate::budget::{self, map_bytes, ENTRY, NODE, ORIGIN, SPENT};
use crate::input::root::OUTSIDE;
use crate::ir::{fmt_number, Origin, Unknown, Val, Value};
use crate::source::Span;

/// Prefix of the reason of values that are Terraform errors (not merely unknown); `try` and
/// `can` treat these as failures.
pub const INVALID: &str = "invalid expression: ";
/// Reason prefix of values computed by the provider at apply time.
pub const COMPUTED: &str = "resource attribute computed at apply";
/// Budget steps charged per copied value node.
const COPY_COST: u64 = 8;
/// Longest error message kept in an unknown's reason, in bytes.
const MAX_REASON: usize = 1024;
/// Nested evaluation (expressions, locals, resources, modules) deeper than this stops.
pub const MAX_DEPTH: usize = 200;

/// Bindings introduced by `count`, `for_each`, `for`, `dynamic` and templates; a binding
/// borrows its value when the value outlives the scope (an instance's `each`).
pub struct Scope<'p> {
    pub vars: Vec<(&'p str, Cow<'p, Val>)>,
    pub parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    /// A scope with one binding.
    pub fn one(name: &'p str, val: Val, parent: Option<&'p Scope<'p>>) -> Self {
        Scope {
            vars: vec![(name, Cow::Owned(val))],
            parent,
        }
    }

    /// The innermost binding of `name`.
    pub fn get(&self, name: &str) -> Option<&Val> {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => Some(v),
            None => self.parent.and_then(|p| p.get(name)),
        }
    }
}

/// A Terraform error as a value; its message is cut to [`MAX_REASON`] bytes (it may quote
/// values of any size).
pub fn invalid(msg: impl std::fmt::Display, span: Span) -> Val {
    let mut reason = format!("{INVALID}{msg}");
    if reason.len() > MAX_REASON {
        let mut end = MAX_REASON;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
        reason.push('…');
    }
    Val::unknown(reason, span)
}

/// True for values made by [`invalid`].
pub fn is_invalid(v: &Val) -> bool {
    v.as_unknown()
        .is_some_and(|u| u.reason.starts_with(INVALID))
}

/// The unknown (or error) a value is, re-spanned; None when the value is known.
pub fn unknown_of(v: &Val, span: Span) -> Option<Val> {
    match &v.value {
        Value::Unknown(u) => Some(Val {
            value: Value::Unknown(Arc::new(Unknown {
                reason: u.reason.clone(),
                candidates: Vec::new(),
            })),
            span,
            origins: v.origins.clone(),
        }),
        Value::Ref(r) => {
            let addr = r.key.rsplit_once("::").map_or(r.key.as_str(), |(_, a)| a);
            Some(Val::unknown(
                format!("{COMPUTED} ({addr}.{})", r.attr),
                span,
            ))
        }
        _ => None,
    }
}

/// The summary class of an unknown's reason (the innermost cause, past the `name(): `
/// prefixes of the functions it went through).
pub fn class(reason: &str) -> &'static str {
    let reason = cause(reason);
    if reason.starts_with(INVALID) {
        "invalid expression"
    } else if reason.contains("has no value") {
        "variable without value"
    } else if reason.starts_with("data source") {
        "data source"
    } else if reason.contains("is not analysed") || reason.starts_with("module directory") {
        "module not analysed"
    } else if reason.starts_with(COMPUTED)
        || reason.ends_with("is known only after apply")
        || reason.starts_with("self ")
    {
        COMPUTED
    } else if reason.contains("() is known only at") {
        "function known at apply"
    } else if reason.contains("() is") || reason.contains("() reads files") {
        "function not evaluated"
    } else if reason.starts_with("reference cycle") {
        "reference cycle"
    } else if reason.starts_with(SPENT) {
        SPENT
    } else if reason.ends_with(OUTSIDE) {
        "path outside the analysed tree"
    } else {
        "other"
    }
}

/// A reason without the `name(): ` prefixes of the functions it went through.
fn cause(mut reason: &str) -> &str {
    while let Some((name, rest)) = reason.split_once("(): ") {
        let is_name = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if !is_name || name.is_empty() {
            break;
        }
        reason = rest;
    }
    reason
}

/// Nodes whose provenance [`Inst::relocate`] extends: the value and its elements this deep.
const RELOCATE_DEPTH: usize = 4;

/// Structural equality of known values; None when an unknown decides it.
fn same(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Ref(x), Value::Ref(y)) if x == y => Some(true),
        (Value::Ref(_), _) | (_, Value::Ref(_)) => None,
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            x.iter()
                .zip(y)
                .try_fold(true, |acc, (p, q)| Some(acc && same(&p.value, &q.value)?))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            x.values()
                .zip(y.values())
                .try_fold(true, |acc, (p, q)| Some(acc && same(&p.value, &q.value)?))
        }
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (x, y) => Some(x == y),
    }
}

fn number(v: &Val) -> Option<f64> {
    match &v.value {
        Value::Number(n) => Some(*n),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A value as template text, or the unknown/error that prevents it.
fn text(v: &Val, span: Span) -> Result<Cow<'_, str>, Val> {
    if let Some(u) = unknown_of(v, span) {
        return Err(u);
    }
    v.as_str().ok_or_else(|| {
        invalid(
            "template interpolation needs a string, number or bool",
            v.span,
        )
    })
}

/// `coll[key]`: the element, or the unknown/error.
fn index<'v>(coll: &'v Val, key: &Val, span: Span) -> Result<&'v Val, Val> {
    if let Some(u) = unknown_of(coll, span).or_else(|| unknown_of(key, span)) {
        return Err(u);
    }
    let found = match &coll.value {
        Value::List(l) => key
            .as_i64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| l.get(i)),
        Value::Map(m) => key.as_str().and_then(|k| m.get(k.as_ref())),
        _ => None,
    };
    found.ok_or_else(|| invalid("index not found in the collection", span))
}

/// Escapes a `for_each` key as Terraform prints it in an address.
pub fn quote(key: &str) -> String {
    format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Inst<'_> {
    /// A copy of `v`, made for its use at `at`, paid for from the evaluation budget by its
    /// size: steps by its nodes, bytes by its heap cost (copies of copies of large values could
    /// otherwise grow exponentially). The size is measured before anything is copied.
    pub fn copy(&self, v: &Val, at: Span) -> Val {
        let run = self.run;
        let size = budget::measure(v, run.remaining() / COPY_COST + 1, run.budget.bytes_left());
        if run.charge(COPY_COST * size.nodes, at) && run.take(size.bytes, at) {
            v.clone()
        } else {
            Run::spent(at)
        }
    }

    /// `value` moved to its use site `span`, with `origin` prepended to its provenance (and
    /// to that of its elements, whose spans stay where they are written), paid for by the
    /// provenance steps it adds.
    pub fn relocate(&self, mut v: Val, span: Span, origin: &Origin) -> Val {
        fn deep(v: &mut Value, origin: &Origin, depth: usize, added: &mut u64) {
            if depth == 0 {
                return;
            }
            let children: Box<dyn Iterator<Item = &mut Val>> = match v {
                Value::List(l) => Box::new(l.iter_mut()),
                Value::Map(m) => Box::new(m.values_mut()),
                _ => return,
            };
            for c in children {
                c.origins.insert(0, origin.clone());
                *added += 1;
                deep(&mut c.value, origin, depth - 1, added);
            }
        }
        v.span = span;
        v.origins.insert(0, origin.clone());
        let mut added = 1;
        deep(&mut v.value, origin, RELOCATE_DEPTH, &mut added);
        if self.run.take(added * ORIGIN, span) {
            v
        } else {
            Run::spent(span)
        }
    }

    /// Evaluates an expression.
    pub fn eval(&self, e: &Expr, sc: Option<&Scope>) -> Val {
        let run = self.run;
        if !run.step(e.span) {
            return Run::spent(e.span);
        }
        if run.depth.get() >= MAX_DEPTH {
            return invalid("expression nested too deeply", e.span);
        }
        run.depth.set(run.depth.get() + 1);
        let v = self.eval_inner(e, sc);
        run.depth.set(run.depth.get() - 1);
        // the reason of an unknown is text of its own (often a copy)
        match &v.value {
            Value::Unknown(u) if !run.take(u.reason.len() as u64, e.span) => Run::spent(e.span),
            _ => v,
        }
    }

    fn eval_inner(&self, e: &Expr, sc: Option<&Scope>) -> Val {
        let span = e.span;
        let value = match &e.kind {
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Number(n) => Value::Number(*n),
            ExprKind::Str(s) if !self.run.take(s.len() as u64, span) => return Run::spent(span),
            ExprKind::Str(s) => Value::String(s.clone()),
            ExprKind::Invalid(msg) => return invalid(msg, span),
            ExprKind::Template(parts) => return self.template(parts, span, sc),
            ExprKind::Tuple(items) => Value::List(items.iter().map(|x| self.eval(x, sc)).collect()),
            ExprKind::Object(pairs) => {
                if !self.run.take(map_bytes(pairs.len()), span) {
                    return Run::spent(span);
                }
                let mut map = BTreeMap::new();
                for (k, v) in pairs {
                    let key = self.eval(k, sc);
                    match self.key(&key, k.span) {
                        Ok(key) => {
                            map.insert(key, self.eval(v, sc));
                        }
                        Err(u) => return u,
                    }
                }
                Value::Map(map)
            }
            ExprKind::Var(name) => match sc.and_then(|s| s.get(name)) {
                Some(v) => return self.copy(v, span),
                None => return self.traverse(e, &[], span, sc),
            },
            ExprKind::Traverse(base, ops) => return self.traverse(base, ops, span, sc),
            ExprKind::Call { name, args, expand } => {
                return self.call(name, args, *expand, span, sc)
            }
            ExprKind::Cond(c) => return self.conditional(c, span, sc),
            ExprKind::Unary(op, x) => return self.unary(*op, self.eval(x, sc), span),
            ExprKind::Binary(op, xs) => return self.binary(*op, &xs[0], &xs[1], span, sc),
            ExprKind::For(f) => return self.for_expr(f, span, sc),
        };
        Val::new(value, span)
    }

    /// `base.op.op…`: references are resolved first, then the remaining steps apply.
    fn traverse(&self, base: &Expr, ops: &[Op], span: Span, sc: Option<&Scope>) -> Val {
        let (v, used) = match &base.kind {
            ExprKind::Var(name) => match sc.and_then(|s| s.get(name)) {
                // a bound name is read in place, copying only what the steps select
                Some(v) if self.run.depth.get() < MAX_DEPTH && self.run.step(base.span) => {
                    return self.apply_ref(v, ops, span, sc)
                }
                Some(_) => (self.eval(base, sc), 0),
                None => self.resolve(name, ops, span, sc),
            },
            _ => (self.eval(base, sc), 0),
        };
        self.apply_ref(&v, ops.get(used..).unwrap_or_default(), span, sc)
    }

    /// Applies attribute, index and splat steps to a value (cloning only what is selected).
    pub fn apply_ref(&self, v: &Val, ops: &[Op], span: Span, sc: Option<&Scope>) -> Val {
        self.apply_ops(v, ops, span, sc, None, false)
    }

    /// [`Inst::apply_ref`] on a value read from a resource's configuration (`within` names
    /// it): an attribute that a nested block (an object in a list) does not set is computed
    /// by the provider, not an error. `in_list`: `v` is an element of a list.
    pub fn apply_ops(
        &self,
        v: &Val,
        ops: &[Op],
        span: Span,
        sc: Option<&Scope>,
        within: Option<&str>,
        mut in_list: bool,
    ) -> Val {
        let mut cur = v;
        for (i, op) in ops.iter().enumerate() {
            if let Some(u) = unknown_of(cur, span) {
                return u;
            }
            let from_list = matches!(cur.value, Value::List(_));
            cur = match op {
                Op::Attr(name) => match &cur.value {
                    Value::Map(m) => match (m.get(name), within) {
                        (Some(x), _) => x,
                        (None, Some(w)) if in_list => {
                            return Val::unknown(format!("{COMPUTED} ({w}: {name})"), span)
                        }
                        (None, _) => return invalid(format!("no attribute '{name}'"), span),
                    },
                    _ => return invalid(format!("attribute '{name}' of a non-object"), span),
                },
                Op::Index(x) => {
                    let key = self.eval(x, sc);
                    match index(cur, &key, span) {
                        Ok(x) => x,
                        Err(u) => return u,
                    }
                }
                Op::Splat => {
                    let rest = ops.get(i + 1..).unwrap_or_default();
                    let out = match &cur.value {
                        Value::List(l) => l
                            .iter()
                            .map(|x| self.apply_ops(x, rest, span, sc, within, true))
                            .collect(),
                        Value::Null => Vec::new(),
                        _ => vec![self.apply_ops(cur, rest, span, sc, within, false)],
                    };
                    return Val::new(Value::List(out), span);
                }
            };
            in_list = from_list;
        }
        self.copy(cur, span)
    }

    /// Evaluates template parts (a single interpolation keeps its value's type).
    pub fn template(&self, parts: &[Part], span: Span, sc: Option<&Scope>) -> Val {
        if let [Part::Interp(e)] = parts {
            return self.eval(e, sc);
        }
        let mut out = String::new();
        match self.render(parts, &mut out, sc, span) {
            Ok(()) => Val::new(Value::String(out), span),
            Err(u) => u,
        }
    }

    /// Appends `piece` to `out` once it is paid for (`span` is charged for it).
    fn append(&self, out: &mut String, piece: &str, span: Span) -> Result<(), Val> {
        if self.run.take(piece.len() as u64, span) {
            out.push_str(piece);
            Ok(())
        } else {
            Err(Run::spent(span))
        }
    }

    /// Appends the text of template `parts` (written at `span`) to `out`.
    fn render(
        &self,
        parts: &[Part],
        out: &mut String,
        sc: Option<&Scope>,
        span: Span,
    ) -> Result<(), Val> {
        for p in parts {
            match p {
                Part::Lit(s) => self.append(out, s, span)?,
                Part::Interp(e) => self.append(out, &text(&self.eval(e, sc), e.span)?, e.span)?,
                Part::If(c, then, other) => {
                    let cond = self.eval(c, sc);
                    if let Some(u) = unknown_of(&cond, c.span) {
                        return Err(u);
                    }
                    match cond.as_bool() {
                        Some(true) => self.render(then, out, sc, span)?,
                        Some(false) => self.render(other, out, sc, span)?,
                        None => return Err(invalid("template condition is not a bool", c.span)),
                    }
                }
                Part::For {
                    key,
                    value,
                    coll,
                    body,
                } => {
                    for (k, v) in self.iterate(self.eval(coll, sc), coll.span)? {
                        let mut vars = vec![(value.as_str(), Cow::Owned(v))];
                        if let Some(key) = key {
                            vars.push((key.as_str(), Cow::Owned(k)));
                        }
                        let inner = Scope { vars, parent: sc };
                        self.render(body, out, Some(&inner), span)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A map key: the text of `key`, paid for; the unknown/error that prevents it otherwise.
    fn key(&self, key: &Val, span: Span) -> Result<String, Val> {
        let text = text(key, span)?;
        if self.run.take(text.len() as u64, span) {
            Ok(text.into_owned())
        } else {
            Err(Run::spent(span))
        }
    }

    /// (key, value) pairs of a list (index keys) or map; the unknown/error otherwise.
    pub fn iterate(&self, coll: Val, span: Span) -> Result<Vec<(Val, Val)>, Val> {
        if let Some(u) = unknown_of(&coll, span) {
            return Err(u);
        }
        let n = match &coll.value {
            Value::List(l) => l.len(),
            Value::Map(m) => m.len(),
            _ => 0,
        };
        if !self.run.take(2 * NODE * n as u64, span) {
            return Err(Run::spent(span));
        }
        match coll.value {
            Value::List(l) => Ok(l
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Val::new(Value::Number(i as f64), v.span), v))
                .collect()),
            Value::Map(m) => Ok(m
                .into_iter()
                .map(|(k, v)| (Val::new(Value::String(k), v.span), v))
                .collect()),
            _ => Err(invalid("cannot iterate over a non-collection", span)),
        }
    }

    fn for_expr(&self, f: &ForExpr, span: Span, sc: Option<&Scope>) -> Val {
        let items = match self.iterate(self.eval(&f.coll, sc), f.coll.span) {
            Ok(items) => items,
            Err(u) => return u,
        };
        if f.key.is_some() && !self.run.take(map_bytes(0), span) {
            return Run::spent(span);
        }
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Val> = BTreeMap::new();
        for (k, v) in items {
            let mut vars = vec![(f.value_var.as_str(), Cow::Owned(v))];
            if let Some(kv) = &f.key_var {
                vars.push((kv.as_str(), Cow::Owned(k)));
            }
            let inner = Scope { vars, parent: sc };
            let inner = Some(&inner);
            if let Some(c) = &f.cond {
                let cv = self.eval(c, inner);
                if let Some(u) = unknown_of(&cv, span) {
                    return u;
                }
                if !cv.as_bool().unwrap_or(false) {
                    continue;
                }
            }
            let value = self.eval(&f.value, inner);
            match &f.key {
                None => list.push(value),
                Some(ke) => {
                    let key = match self.key(&self.eval(ke, inner), ke.span) {
                        Ok(k) if self.run.take(ENTRY, ke.span) => k,
                        Ok(_) => return Run::spent(ke.span),
                        Err(u) => return u,
                    };
                    if f.grouping {
                        let slot = map
                            .entry(key)
                            .or_insert_with(|| Val::new(Value::List(Vec::new()), value.span));
                        if let Value::List(l) = &mut slot.value {
                            l.push(value);
                        }
                    } else {
                        map.insert(key, value);
                    }
                }
            }
        }
        let value = if f.key.is_some() {
            Value::Map(map)
        } else {
            Value::List(list)
        };
        Val::new(value, span)
    }

    fn conditional(&self, c: &[Expr; 3], span: Span, sc: Option<&Scope>) -> Val {
        let cond = self.eval(&c[0], sc);
        match cond.as_bool() {
            Some(true) => return self.eval(&c[1], sc),
            Some(false) => return self.eval(&c[2], sc),
            None => {}
        }
        let Some(u) = unknown_of(&cond, c[0].span) else {
            return invalid("condition is not a bool", c[0].span);
        };
        if is_invalid(&u) {
            return u;
        }
        let (t, f) = (self.eval(&c[1], sc), self.eval(&c[2], sc));
        if same(&t.value, &f.value) == Some(true) {
            return t;
        }
        let reason = u.as_unknown().map(|u| u.reason.clone()).unwrap_or_default();
        Val {
            value: Value::Unknown(Arc::new(Unknown {
                reason,
                candidates: vec![t, f],
            })),
            span,
            origins: u.origins,
        }
    }

    fn unary(&self, op: UnaryOperator, v: Val, span: Span) -> Val {
        if let Some(u) = unknown_of(&v, span) {
            return u;
        }
        match op {
            UnaryOperator::Neg => match number(&v) {
                Some(n) => Val::new(Value::Number(-n), span),
                None => invalid("'-' needs a number", span),
            },
            UnaryOperator::Not => match v.as_bool() {
                Some(b) => Val::new(Value::Bool(!b), span),
                None => invalid("'!' needs a bool", span),
            },
        }
    }

    fn binary(
        &self,
        op: BinaryOperator,
        l: &Expr,
        r: &Expr,
        span: Span,
        sc: Option<&Scope>,
    ) -> Val {
        use BinaryOperator as B;
        let lv = self.eval(l, sc);
        // `false && x` and `true || x` do not depend on x.
        match (op, lv.as_bool()) {
            (B::And, Some(false)) => return Val::new(Value::Bool(false), span),
            (B::Or, Some(true)) => return Val::new(Value::Bool(true), span),
            _ => {}
        }
        let rv = self.eval(r, sc);
        // `x && false` and `x || true` do not depend on an unknown x either.
        match (op, rv.as_bool()) {
            (B::And, Some(false)) if !is_invalid(&lv) => return Val::new(Value::Bool(false), span),
            (B::Or, Some(true)) if !is_invalid(&lv) => return Val::new(Value::Bool(true), span),
            _ => {}
        }
        let value = match op {
            B::Eq | B::NotEq => match same(&lv.value, &rv.value) {
                Some(eq) => Value::Bool(eq == (op == B::Eq)),
                None => {
                    return unknown_of(&lv, span)
                        .or_else(|| unknown_of(&rv, span))
                        .unwrap_or_else(|| invalid("comparison", span))
                }
            },
            B::And | B::Or => {
                if let Some(u) = unknown_of(&lv, span).or_else(|| unknown_of(&rv, span)) {
                    return u;
                }
                match (lv.as_bool(), rv.as_bool()) {
                    (Some(a), Some(b)) => Value::Bool(if op == B::And { a && b } else { a || b }),
                    _ => return invalid("logical operator needs bools", span),
                }
            }
            _ => {
                if let Some(u) = unknown_of(&lv, span).or_else(|| unknown_of(&rv, span)) {
                    return u;
                }
                let (Some(a), Some(b)) = (number(&lv), number(&rv)) else {
                    return invalid("arithmetic needs numbers", span);
                };
                match op {
                    B::Plus => Value::Number(a + b),
                    B::Minus => Value::Number(a - b),
                    B::Mul => Value::Number(a * b),
                    B::Div if b != 0.0 => Value::Number(a / b),
                    B::Mod if b != 0.0 => Value::Number(a % b),
                    B::Div | B::Mod => return invalid("division by zero", span),
                    B::Less => Value::Bool(a < b),
                    B::LessEq => Value::Bool(a <= b),
                    B::Greater => Value::Bool(a > b),
                    B::GreaterEq => Value::Bool(a >= b),
                    B::Eq | B::NotEq | B::And | B::Or => return invalid("operator", span),
                }
            }
        };
        Val::new(value, span)
    }
}

/// A number as a value (for `count.index`).
pub fn num(n: usize, span: Span) -> Val {
    Val::new(Value::Number(n as f64), span)
}

/// A string as a value.
pub fn string(s: impl Into<String>, span: Span) -> Val {
    Val::new(Value::String(s.into()), span)
}

/// Text of a known scalar (instance keys compare by it).
pub fn key_text(v: &Val) -> String {
    match &v.value {
        Value::Number(n) => fmt_number(*n),
        _ => v
            .as_str()
            .map(|s| s.into_owned())
            .unwrap_or_else(|| "…".into()),
    }
}
