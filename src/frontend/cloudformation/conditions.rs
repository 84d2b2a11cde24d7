//! `Conditions`, `Fn::Equals/And/Or/Not/Condition` and `Fn::If`, in three-valued logic.
//!
//! A condition over a parameter without a value is unknown, unless every value the parameter
//! may take (its `AllowedValues`) gives the same answer.

use std::sync::Arc;

use super::eval::{intrinsic_parts, text, Arg, Eval};
use crate::frontend::tree::{Node, NodeKind};
use crate::ir::{Unknown, Val, Value};
use crate::source::Span;

/// A condition's value: known, or unknown with the reason of the unknown input.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Cond {
    Known(bool),
    Unknown(String),
}

impl Eval<'_> {
    /// The named condition of the `Conditions` section (cached; cycles are unknown).
    pub fn condition(&mut self, name: &str) -> Cond {
        if let Some(c) = self.conditions.get(name) {
            return c.clone();
        }
        if self.condition_stack.iter().any(|c| c == name) {
            return Cond::Unknown(format!("condition '{name}' refers to itself"));
        }
        let Some(node) = self.t.conditions.and_then(|c| c.get(name)) else {
            return Cond::Unknown(format!("condition '{name}' is not defined"));
        };
        self.condition_stack.push(name.to_string());
        let c = self.cond_expr(node);
        self.condition_stack.pop();
        self.conditions.insert(name.to_string(), c.clone());
        c
    }

    /// Evaluates a condition expression.
    fn cond_expr(&mut self, node: &Node) -> Cond {
        self.guarded(node.span, |ev| Some(ev.cond_expr_inner(node)))
            .unwrap_or(Cond::Known(false))
    }

    fn cond_expr_inner(&mut self, node: &Node) -> Cond {
        let Some((name, arg)) = intrinsic_parts(node, true) else {
            return match node.kind {
                NodeKind::Bool(b) => Cond::Known(b),
                _ => self.cond_of_value(node),
            };
        };
        let args = arg.node.as_seq().unwrap_or_default();
        match (name, args) {
            ("Condition", _) => match arg.node.as_str() {
                Some(c) => self.condition(c),
                None => Cond::Unknown("Condition expects a condition name".to_string()),
            },
            ("Equals", [a, b]) => self.equals(a, b),
            ("Not", [a]) => match self.cond_expr(a) {
                Cond::Known(b) => Cond::Known(!b),
                u => u,
            },
            ("And" | "Or", items) if !items.is_empty() => {
                let decisive = name == "Or";
                let mut unknown = None;
                for item in items {
                    match self.cond_expr(item) {
                        Cond::Known(b) if b == decisive => return Cond::Known(decisive),
                        Cond::Known(_) => {}
                        Cond::Unknown(r) => {
                            unknown.get_or_insert(r);
                        }
                    }
                }
                unknown.map_or(Cond::Known(!decisive), Cond::Unknown)
            }
            ("Equals" | "Not" | "And" | "Or", _) => {
                Cond::Unknown(format!("Fn::{name} has malformed arguments"))
            }
            _ => self.cond_of_value(node),
        }
    }

    /// A value used as a condition (`true`, `"false"`, or an intrinsic giving one).
    fn cond_of_value(&mut self, node: &Node) -> Cond {
        match self.eval(node) {
            Some(v) => match (&v.value, v.as_bool()) {
                (_, Some(b)) => Cond::Known(b),
                (Value::Unknown(u), _) => Cond::Unknown(u.reason.clone()),
                _ => Cond::Unknown("condition is not a boolean".to_string()),
            },
            None => Cond::Unknown("condition is AWS::NoValue".to_string()),
        }
    }

    /// `Fn::Equals`, deciding over `AllowedValues` candidates when they all agree.
    fn equals(&mut self, a: &Node, b: &Node) -> Cond {
        let a = self.eval(a).map_or_else(Options::empty, |v| options(&v));
        let b = self.eval(b).map_or_else(Options::empty, |v| options(&v));
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) | (_, Err(r)) => return Cond::Unknown(r),
        };
        let mut results = a
            .values
            .iter()
            .flat_map(|x| b.values.iter().map(move |y| x == y));
        let first = results.next().unwrap_or(false);
        if results.all(|r| r == first) {
            Cond::Known(first)
        } else {
            Cond::Unknown(
                [&a, &b]
                    .iter()
                    .find_map(|o| o.reason.clone())
                    .unwrap_or_default(),
            )
        }
    }

    /// A condition used as a value (`Fn::Equals` … in a property): a boolean or an unknown.
    pub fn condition_value(&mut self, call: &Node, span: Span) -> Val {
        match self.cond_expr(call) {
            Cond::Known(b) => Val::new(Value::Bool(b), span),
            Cond::Unknown(r) => Val::unknown(r, span),
        }
    }

    /// `Fn::If [condition, then, else]`; an unknown condition gives both branches as candidates.
    pub fn fn_if(&mut self, arg: Arg) -> Option<Val> {
        let span = arg.call.span;
        let Some([cond, then, other]) = arg
            .node
            .as_seq()
            .and_then(|s| <&[Node; 3]>::try_from(s).ok())
        else {
            return Some(Val::unknown("Fn::If expects [condition, then, else]", span));
        };
        let Some(name) = cond.as_str() else {
            return Some(Val::unknown("Fn::If expects a condition name", span));
        };
        match self.condition(name) {
            Cond::Known(true) => self.eval(then),
            Cond::Known(false) => self.eval(other),
            Cond::Unknown(reason) => {
                let branches = [then, other].map(|n| {
                    // AWS::NoValue in a branch is the property left unset.
                    self.eval(n)
                        .unwrap_or_else(|| Val::new(Value::Null, n.span))
                });
                if branches[0].value == branches[1].value
                    && !matches!(branches[0].value, Value::Null)
                {
                    let [same, _] = branches;
                    return Some(same);
                }
                Some(Val::new(
                    Value::Unknown(Arc::new(Unknown {
                        reason: format!("condition '{name}' is unknown because {reason}"),
                        candidates: candidates(branches),
                    })),
                    span,
                ))
            }
        }
    }
}

/// The values `v` may take as strings, each with the reason it is not known for sure.
struct Options {
    values: Vec<String>,
    reason: Option<String>,
}

impl Options {
    /// `AWS::NoValue` compares as the empty string.
    fn empty() -> Result<Options, String> {
        Ok(Options {
            values: vec![String::new()],
            reason: None,
        })
    }
}

/// The strings `v` may be: itself, or its candidates; `Err` when anything is possible.
fn options(v: &Val) -> Result<Options, String> {
    match &v.value {
        Value::Unknown(u) if !u.candidates.is_empty() => {
            let values = u
                .candidates
                .iter()
                .map(text)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Options {
                values,
                reason: Some(u.reason.clone()),
            })
        }
        _ => text(v).map(|s| Options {
            values: vec![s],
            reason: None,
        }),
    }
}

/// Candidates of an unknown choice: the branches, flattened one level; empty when a branch
/// may be anything.
fn candidates(branches: [Val; 2]) -> Vec<Val> {
    let mut out = Vec::new();
    for b in branches {
        match &b.value {
            Value::Unknown(u) if u.candidates.is_empty() => return Vec::new(),
            Value::Unknown(u) => out.extend(u.candidates.iter().cloned()),
            _ => out.push(b),
        }
    }
    out
}
