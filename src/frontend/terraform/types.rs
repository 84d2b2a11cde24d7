//! Variable type constraints applied to values: `optional()` attributes of object types.

use super::ast::{Expr, ExprKind};
use super::functions::set_of;
use super::instance::Inst;
use crate::ir::{Val, Value};

/// Converts between strings, numbers and bools as Terraform does for primitive types.
fn primitive(v: Val, ty: &str) -> Val {
    let value = match (ty, &v.value) {
        ("number", Value::String(s)) => match s.trim().parse() {
            Ok(n) => Value::Number(n),
            Err(_) => return v,
        },
        ("bool", Value::String(_)) => match v.as_bool() {
            Some(b) => Value::Bool(b),
            None => return v,
        },
        ("string", Value::Number(_) | Value::Bool(_)) => match v.as_str() {
            Some(s) => Value::String(s.into_owned()),
            None => return v,
        },
        _ => return v,
    };
    Val { value, ..v }
}

/// Type constraints nested deeper than this are not applied.
const MAX_DEPTH: usize = 16;

impl Inst<'_> {
    /// `v` converted to the type constraint `ty` as far as it changes the value: primitive
    /// conversions (`"22"` to a number), missing `optional(T, default)` attributes of objects
    /// (null without a default), recursively through `list`, `set`, `map` and `object`.
    pub fn conform(&self, v: Val, ty: &Expr, depth: usize) -> Val {
        let (name, args) = match &ty.kind {
            ExprKind::Call { name, args, .. } => (name, args),
            ExprKind::Var(prim) => return primitive(v, prim),
            _ => return v,
        };
        if depth > MAX_DEPTH {
            return v;
        }
        let Val {
            value,
            span,
            origins,
        } = v;
        let value = match (name.as_str(), args.first(), value) {
            ("optional", Some(t), value) => {
                return self.conform(
                    Val {
                        value,
                        span,
                        origins,
                    },
                    t,
                    depth + 1,
                );
            }
            (
                "object",
                Some(Expr {
                    kind: ExprKind::Object(fields),
                    ..
                }),
                Value::Map(mut m),
            ) => {
                for (k, t) in fields {
                    let Some(key) = k.as_literal_str() else {
                        continue;
                    };
                    let default = match &t.kind {
                        ExprKind::Call { name, args, .. } if name == "optional" => Some(
                            args.get(1)
                                .map(|d| self.eval(d, None))
                                .unwrap_or_else(|| Val::new(Value::Null, t.span)),
                        ),
                        _ => None,
                    };
                    let value = match (m.remove(&key), default) {
                        (Some(x), Some(d)) if x.is_null() => d,
                        (Some(x), _) => x,
                        (None, Some(d)) => d,
                        (None, None) => continue,
                    };
                    m.insert(key, self.conform(value, t, depth + 1));
                }
                Value::Map(m)
            }
            ("map", Some(t), Value::Map(m)) => Value::Map(
                m.into_iter()
                    .map(|(k, x)| (k, self.conform(x, t, depth + 1)))
                    .collect(),
            ),
            ("list" | "set", Some(t), Value::List(l)) => {
                let items: Vec<Val> = l
                    .into_iter()
                    .map(|x| self.conform(x, t, depth + 1))
                    .collect();
                match name.as_str() {
                    "set" => Value::List(set_of(&items)),
                    _ => Value::List(items),
                }
            }
            (_, _, value) => value,
        };
        Val {
            value,
            span,
            origins,
        }
    }
}
