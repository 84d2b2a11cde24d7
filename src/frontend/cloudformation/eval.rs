//! Evaluation of template values: literals, `Ref`, `Fn::GetAtt` and the intrinsic dispatch.
//!
//! Short tags (`!Sub x`) and long forms (`{"Fn::Sub": x}`) meet in [`Eval::intrinsic`] as an
//! [`Arg`]. Evaluation is bounded by a depth limit and the template's [`Budget`] (steps, and
//! bytes of the values it creates); anything that cannot be known before deploy becomes
//! [`Value::Unknown`] with a reason, never an error. A spent budget is an error: the template
//! is then not analysed.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::HashMap;

use super::conditions::Cond;
use crate::budget::{display_name, map_bytes, Budget, Exceeded, NODE, SPENT};
use crate::frontend::tree::{Node, NodeKind};
use crate::ir::{Diagnostic, RefTo, Val, Value};
use crate::settings::Settings;
use crate::source::{SourceFile, Span};

/// [`RefTo::attr`] of a CloudFormation `Ref` to a resource.
pub const REF_ATTR: &str = "Ref";

/// Deepest chain of nested evaluations (node nesting plus `Fn::GetAtt`/condition hops).
const MAX_EVAL_DEPTH: usize = 256;
/// Evaluation steps allowed per template.
pub(super) const STEPS: u64 = 2_000_000;

/// `Fn::GetAtt` attributes that mirror a property of the resource: (type, attribute, property).
const MIRRORED_ATTRS: &[(&str, &str, &str)] = &[
    ("AWS::EC2::VPC", "CidrBlock", "CidrBlock"),
    ("AWS::EC2::Subnet", "CidrBlock", "CidrBlock"),
    ("AWS::EC2::Subnet", "VpcId", "VpcId"),
    ("AWS::EC2::Subnet", "AvailabilityZone", "AvailabilityZone"),
    ("AWS::EC2::SecurityGroup", "VpcId", "VpcId"),
];

/// The sections of one template that evaluation reads.
pub(super) struct Template<'a> {
    pub file: &'a SourceFile,
    pub settings: &'a Settings,
    pub parameters: Option<&'a Node>,
    pub conditions: Option<&'a Node>,
    pub mappings: Option<&'a Node>,
    pub resources: Option<&'a Node>,
}

/// The argument of an intrinsic function.
#[derive(Clone, Copy)]
pub(super) struct Arg<'n> {
    /// The argument node; for a short form the tagged node itself.
    pub node: &'n Node,
    /// True for `!Short` forms: the tag on `node` must not be evaluated again.
    pub short: bool,
    /// The whole call (`!Sub …` or `{"Fn::Sub": …}`), the use site of the result.
    pub call: &'n Node,
}

/// Evaluator for one template.
pub(super) struct Eval<'a> {
    pub t: Template<'a>,
    pub(super) conditions: HashMap<String, Cond>,
    pub(super) condition_stack: Vec<String>,
    getatt_stack: Vec<String>,
    depth: usize,
    /// Steps and bytes of values, shared with the parser's alias expansion.
    pub budget: &'a Budget,
    /// The logical id of the resource being evaluated, for error messages.
    pub resource_id: String,
    /// The spent budget, reported once.
    pub errors: Vec<Diagnostic>,
    /// The template's display path, the prefix of resource keys.
    path: String,
}

impl<'a> Eval<'a> {
    /// An evaluator over `t` within `budget`.
    pub fn new(t: Template<'a>, budget: &'a Budget) -> Self {
        Eval {
            path: t.file.display_path(),
            t,
            conditions: HashMap::default(),
            condition_stack: Vec::new(),
            getatt_stack: Vec::new(),
            depth: 0,
            budget,
            resource_id: String::new(),
            errors: Vec::new(),
        }
    }

    /// Evaluates a node; `None` when it is `AWS::NoValue` (the property or element is removed).
    pub fn eval(&mut self, node: &Node) -> Option<Val> {
        self.guarded(node.span, |ev| match intrinsic_parts(node, false) {
            Some((name, arg)) => ev.intrinsic(name, arg),
            None => ev.eval_plain(node),
        })
    }

    /// Evaluates an intrinsic's argument.
    pub fn eval_arg(&mut self, arg: Arg) -> Option<Val> {
        if arg.short {
            self.guarded(arg.node.span, |ev| ev.eval_plain(arg.node))
        } else {
            self.eval(arg.node)
        }
    }

    /// Runs `f` one level deeper, paid for by a step and a node, or returns an unknown when
    /// the depth limit or the budget is reached.
    pub(super) fn guarded<T: From<Val>>(
        &mut self,
        span: Span,
        f: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Some(T::from(Val::unknown(
                "template evaluation exceeds its depth or step limit",
                span,
            )));
        }
        let step = self.budget.steps(1).and_then(|()| self.budget.take(NODE));
        if !self.granted(step, None, span) {
            return Some(T::from(Val::unknown(SPENT, span)));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// True when `charge` was granted; the first refusal is reported at `span`, naming the
    /// intrinsic function being evaluated (when known) and the resource or condition.
    pub(super) fn granted(
        &mut self,
        charge: Result<(), Exceeded>,
        function: Option<&str>,
        span: Span,
    ) -> bool {
        let Err(e) = charge else {
            return true;
        };
        if e.first {
            let place = match self.condition_stack.last() {
                Some(c) => format!("condition '{}'", display_name(c)),
                None => format!("resource '{}'", display_name(&self.resource_id)),
            };
            let what = match function {
                Some("Ref") => format!("`Ref` in {place}"),
                Some(f) => format!("`Fn::{f}` in {place}"),
                None => place,
            };
            self.errors.push(Diagnostic {
                span,
                message: format!(
                    "{} while evaluating {what}; the template is not analysed",
                    e.spent
                ),
            });
        }
        false
    }

    /// `v`, the result of intrinsic `function`, paid for by its size.
    fn paid(&mut self, v: Val, function: &str, span: Span) -> Val {
        let charge = self.budget.take_size(&v);
        match self.granted(charge, Some(function), span) {
            true => v,
            false => Val::unknown(SPENT, span),
        }
    }

    /// A node without looking at its own tag.
    fn eval_plain(&mut self, node: &Node) -> Option<Val> {
        let bytes = match &node.kind {
            NodeKind::String(s) => s.len() as u64,
            NodeKind::Map(entries) => {
                map_bytes(entries.len())
                    + entries
                        .iter()
                        .map(|(k, _)| k.name.len() as u64)
                        .sum::<u64>()
            }
            _ => 0,
        };
        let charge = self.budget.take(bytes);
        if !self.granted(charge, None, node.span) {
            return Some(Val::unknown(SPENT, node.span));
        }
        let value = match &node.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => Value::Number(*n),
            NodeKind::String(s) => Value::String(s.clone()),
            NodeKind::Seq(items) => {
                Value::List(items.iter().filter_map(|n| self.eval(n)).collect())
            }
            NodeKind::Map(entries) => {
                if let Some((name, arg)) = long_form(node, false) {
                    return self.intrinsic(name, arg);
                }
                Value::Map(
                    entries
                        .iter()
                        .filter_map(|(k, v)| Some((k.name.clone(), self.eval(v)?)))
                        .collect(),
                )
            }
        };
        Some(Val::new(value, node.span))
    }

    /// Dispatches an intrinsic by its name without `Fn::`; its result is paid for by its size.
    fn intrinsic(&mut self, name: &str, arg: Arg) -> Option<Val> {
        let span = arg.call.span;
        let v = self.intrinsic_unpaid(name, arg)?;
        Some(self.paid(v, name, span))
    }

    fn intrinsic_unpaid(&mut self, name: &str, arg: Arg) -> Option<Val> {
        let span = arg.call.span;
        match name {
            "Ref" => match arg.node.as_str() {
                Some(target) => self.reference(target, span),
                None => Some(Val::unknown("Ref expects a name", span)),
            },
            "GetAtt" => Some(self.get_att(arg)),
            "If" => self.fn_if(arg),
            "Equals" | "And" | "Or" | "Not" | "Condition" => {
                Some(self.condition_value(arg.call, span))
            }
            "Sub" => Some(self.sub(arg)),
            "Join" => Some(self.join(arg)),
            "Select" => self.select(arg),
            "Split" => Some(self.split(arg)),
            "FindInMap" => self.find_in_map(arg),
            "Cidr" => Some(self.cidr(arg)),
            // The model reads UserData as text, so Base64 keeps its plain input string.
            "Base64" => self.eval_arg(arg),
            "GetAZs" => Some(Val::unknown("Fn::GetAZs is resolved at deploy time", span)),
            "ImportValue" => Some(self.import_value(arg)),
            "Length" => Some(self.length(arg)),
            "ToJsonString" => Some(self.json_string(arg)),
            "Transform" => Some(Val::unknown("Fn::Transform is not evaluated", span)),
            _ => Some(Val::unknown(
                format!("intrinsic function '{name}' is not evaluated"),
                span,
            )),
        }
    }

    /// `Ref`: a pseudo parameter, a parameter or a resource; `None` for `AWS::NoValue`.
    pub fn reference(&mut self, name: &str, span: Span) -> Option<Val> {
        if let Some(v) = pseudo(name, span) {
            return v;
        }
        if let Some((key, decl)) = self.t.parameters.and_then(|p| p.entry(name)) {
            return Some(self.parameter(name, key.span, decl, span));
        }
        if self.resource(name).is_some() {
            return Some(self.resource_ref(name, REF_ATTR, span));
        }
        Some(Val::unknown(
            format!("Ref to '{name}', which is neither a parameter nor a resource"),
            span,
        ))
    }

    /// The value of parameter `name` used at `span`.
    fn parameter(&mut self, name: &str, decl_span: Span, decl: &Node, span: Span) -> Val {
        let ty = decl.get("Type").and_then(Node::as_str).unwrap_or("String");
        if ty.starts_with("AWS::SSM::Parameter::Value") {
            return Val::unknown(
                format!("parameter '{name}' is read from SSM Parameter Store at deploy time"),
                span,
            )
            .with_origin(decl_span, format!("parameter '{name}' is declared here"));
        }
        if let Some(v) = self.t.settings.parameters.get(name) {
            return typed(ty, &NodeKind::String(v.clone()), span)
                .with_origin(decl_span, format!("value comes from --parameter {name}"));
        }
        if let Some(default) = decl.get("Default") {
            // a list parameter is one value per comma
            if let NodeKind::String(s) = &default.kind {
                let items = 1 + s.bytes().filter(|b| *b == b',').count() as u64;
                let charge = self.budget.check(s.len() as u64 + items * NODE);
                if !self.granted(charge, Some("Ref"), span) {
                    return Val::unknown(SPENT, span);
                }
            }
            return typed(ty, &default.kind, span).with_origin(
                default.span,
                format!("value comes from parameter '{name}' default"),
            );
        }
        let candidates = decl
            .get("AllowedValues")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|n| typed(ty, &n.kind, n.span))
            .collect();
        Val::new(
            Value::Unknown(Arc::new(crate::ir::Unknown {
                reason: format!("parameter '{name}' has no value"),
                candidates,
            })),
            span,
        )
        .with_origin(
            decl_span,
            format!("parameter '{name}' is declared without a Default"),
        )
    }

    /// The `Resources` entry for a logical id.
    pub fn resource(&self, name: &str) -> Option<&'a Node> {
        self.t.resources.and_then(|r| r.get(name))
    }

    /// The [`crate::ir::Resource::key`] of logical id `id`.
    pub fn key(&self, id: &str) -> String {
        format!("{}::{id}", self.path)
    }

    /// A reference to an attribute of a resource of this template.
    pub fn resource_ref(&self, name: &str, attr: &str, span: Span) -> Val {
        Val::new(
            Value::Ref(Arc::new(RefTo {
                key: self.key(name),
                attr: attr.to_string(),
            })),
            span,
        )
    }

    /// `Fn::GetAtt`: `A.B` or `[A, B]`.
    fn get_att(&mut self, arg: Arg) -> Val {
        let span = arg.call.span;
        let parts = match &arg.node.kind {
            NodeKind::String(s) => s
                .split_once('.')
                .map(|(a, b)| (a.to_string(), Ok(b.to_string()))),
            NodeKind::Seq(items) => match items.as_slice() {
                [a, b] => a.as_str().map(|a| {
                    let attr = self.eval(b).map_or(Err(String::new()), |v| text(&v));
                    (a.to_string(), attr)
                }),
                _ => None,
            },
            _ => None,
        };
        match parts {
            Some((res, Ok(attr))) => self.attribute(&res, &attr, span),
            Some((res, Err(reason))) => Val::unknown(
                format!("Fn::GetAtt on '{res}' has an unknown attribute name: {reason}"),
                span,
            ),
            None => Val::unknown("Fn::GetAtt expects 'Resource.Attribute'", span),
        }
    }

    /// Attribute `attr` of resource `res`, as a property value when the attribute mirrors one.
    pub fn attribute(&mut self, res: &str, attr: &str, span: Span) -> Val {
        let Some(node) = self.resource(res) else {
            return Val::unknown(
                format!("Fn::GetAtt on '{res}', which is not a resource of this template"),
                span,
            );
        };
        let kind = node.get("Type").and_then(Node::as_str).unwrap_or_default();
        let prop = MIRRORED_ATTRS
            .iter()
            .find(|(t, a, _)| *t == kind && *a == attr)
            .and_then(|(_, _, p)| node.get("Properties")?.get(p));
        match prop {
            Some(prop) if !self.getatt_stack.iter().any(|r| r == res) => {
                self.getatt_stack.push(res.to_string());
                let value = self.eval(prop);
                self.getatt_stack.pop();
                match value {
                    Some(v) => Val {
                        span,
                        ..v.with_origin(
                            prop.span,
                            format!("value comes from property '{attr}' of '{res}'"),
                        )
                    },
                    None => self.resource_ref(res, attr, span),
                }
            }
            _ => self.resource_ref(res, attr, span),
        }
    }
}

impl From<Val> for Cond {
    fn from(v: Val) -> Self {
        Cond::Unknown(
            v.as_unknown()
                .map_or_else(String::new, |u| u.reason.clone()),
        )
    }
}

/// `Fn::X` or `Ref` written either way: the name without `Fn::` and its argument.
/// `Condition` is an intrinsic only inside `Conditions` (`allow_condition`).
pub(super) fn intrinsic_parts(node: &Node, allow_condition: bool) -> Option<(&str, Arg<'_>)> {
    match node.tag_name() {
        Some(tag) => Some((
            tag,
            Arg {
                node,
                short: true,
                call: node,
            },
        )),
        None => long_form(node, allow_condition),
    }
}

/// `{"Fn::X": arg}` / `{"Ref": arg}` (a mapping with exactly that one key).
fn long_form(node: &Node, allow_condition: bool) -> Option<(&str, Arg<'_>)> {
    let [(key, arg)] = node.as_map()? else {
        return None;
    };
    let name = match key.name.as_str() {
        "Ref" => "Ref",
        "Condition" if allow_condition => "Condition",
        n => n.strip_prefix("Fn::")?,
    };
    Some((
        name,
        Arg {
            node: arg,
            short: false,
            call: node,
        },
    ))
}

/// Pseudo parameters: `Some(None)` for `AWS::NoValue`, `None` when `name` is not one.
fn pseudo(name: &str, span: Span) -> Option<Option<Val>> {
    match name {
        "AWS::NoValue" => Some(None),
        "AWS::URLSuffix" => Some(Some(Val::new(
            Value::String("amazonaws.com".to_string()),
            span,
        ))),
        _ if name.starts_with("AWS::") => Some(Some(Val::unknown(
            format!("pseudo parameter {name} is known only at deploy time"),
            span,
        ))),
        _ => None,
    }
}

/// A parameter value converted to its declared type (lists split on commas, numbers parsed).
fn typed(ty: &str, kind: &NodeKind, span: Span) -> Val {
    let scalar = match kind {
        NodeKind::String(s) => Some(s.clone()),
        NodeKind::Number(n) => Some(crate::ir::fmt_number(*n)),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let value = match scalar {
        Some(s) if ty == "CommaDelimitedList" || ty.starts_with("List<") => Value::List(
            s.split(',')
                .map(|p| Val::new(Value::String(p.trim().to_string()), span))
                .collect(),
        ),
        Some(s) if ty == "Number" => s
            .trim()
            .parse::<f64>()
            .map_or(Value::String(s), Value::Number),
        Some(s) => Value::String(s),
        None => literal(kind, span).value,
    };
    Val::new(value, span)
}

/// A node's value without evaluating intrinsics (tags are dropped).
fn literal(kind: &NodeKind, span: Span) -> Val {
    let value = match kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Number(n) => Value::Number(*n),
        NodeKind::String(s) => Value::String(s.clone()),
        NodeKind::Seq(items) => {
            Value::List(items.iter().map(|n| literal(&n.kind, n.span)).collect())
        }
        NodeKind::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), literal(&v.kind, v.span)))
                .collect::<BTreeMap<_, _>>(),
        ),
    };
    Val::new(value, span)
}

/// The text of a scalar value, or why it has none (unknown, a resource attribute, a list).
pub(super) fn text(v: &Val) -> Result<String, String> {
    match &v.value {
        Value::Unknown(u) => Err(u.reason.clone()),
        Value::Ref(r) => Err(format!("'{}' is known only after deploy", ref_display(r))),
        Value::Null => Ok(String::new()),
        Value::List(_) | Value::Map(_) => Err("a list or map is used as a string".to_string()),
        _ => Ok(v.as_str().unwrap_or_default().into_owned()),
    }
}

/// `Res` for a `Ref`, `Res.Attr` for an attribute.
fn ref_display(r: &RefTo) -> String {
    let id = r.key.rsplit("::").next().unwrap_or(&r.key);
    if r.attr == REF_ATTR {
        id.to_string()
    } else {
        format!("{id}.{}", r.attr)
    }
}
