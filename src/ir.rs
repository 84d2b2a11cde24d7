//! The frontend-neutral IR: resources whose attributes are spanned, evaluated values.
//!
//! Terraform and CloudFormation both lower to [`Resource`]s. Nested Terraform blocks
//! (`ingress { … }`) become a [`Value::List`] of [`Value::Map`]s under the block name, as in
//! Terraform's JSON form; CloudFormation `Properties` keep their own shape. A reference to
//! another resource declared in source is a [`Value::Ref`]; anything that cannot be known
//! before deploy is a [`Value::Unknown`] carrying its reason.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::source::Span;

/// Where a value came from, when that is not where it is used (a variable default, a
/// tfvars line, a parameter default, a module input).
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub span: Span,
    /// Sentence for the report, e.g. "value comes from variable 'admin_cidr' default"
    /// (shared: a value's provenance is copied into every element it holds).
    pub message: Arc<str>,
}

/// A value, where it is written, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Val {
    pub value: Value,
    /// The most specific source of the value at its use site (a list element, a scalar).
    pub span: Span,
    /// Provenance chain, nearest first.
    pub origins: Vec<Origin>,
}

/// An evaluated value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    /// An attribute of a resource declared in the scanned source, by its [`Resource::key`].
    Ref(Arc<RefTo>),
    /// Not knowable before deploy (or not evaluated): why, and the values it may take if known.
    Unknown(Arc<Unknown>),
}

/// Target of a [`Value::Ref`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefTo {
    /// [`Resource::key`] of the referenced resource.
    pub key: String,
    /// Attribute (`id`, `arn`, `default_security_group_id`, CFN `GroupId`, …); `Ref` for a CFN `Ref`.
    pub attr: String,
}

/// Why a value is unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// Names the unknown input: "variable 'admin_cidr' has no value", "condition 'IsDev' depends on parameter 'Env'".
    pub reason: String,
    /// Values it can take when those are enumerable (both branches of an unknown condition,
    /// a parameter's AllowedValues); empty when anything is possible.
    pub candidates: Vec<Val>,
}

impl Val {
    /// A value with no provenance beyond its span.
    pub fn new(value: Value, span: Span) -> Self {
        Val {
            value,
            span,
            origins: Vec::new(),
        }
    }

    /// An unknown value with a reason.
    pub fn unknown(reason: impl Into<String>, span: Span) -> Self {
        Val::new(
            Value::Unknown(Arc::new(Unknown {
                reason: reason.into(),
                candidates: Vec::new(),
            })),
            span,
        )
    }

    /// Adds a provenance step.
    pub fn with_origin(mut self, span: Span, message: impl Into<Arc<str>>) -> Self {
        self.origins.push(Origin {
            span,
            message: message.into(),
        });
        self
    }

    /// Map lookup (None when absent or not a map).
    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.value {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// The string, also for numbers and bools (Terraform converts freely).
    pub fn as_str(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.value {
            Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::Number(n) => Some(std::borrow::Cow::Owned(fmt_number(*n))),
            Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
            _ => None,
        }
    }

    /// A boolean, also from "true"/"false" strings (both frontends convert them).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An integer, also from numeric strings ("22", "-1").
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) if n.fract() == 0.0 => Some(*n as i64),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// List elements (a single non-list value is not a list).
    pub fn as_list(&self) -> Option<&[Val]> {
        match &self.value {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The reference, when this value is one.
    pub fn as_ref_to(&self) -> Option<&RefTo> {
        match &self.value {
            Value::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// The unknown, when this value is one.
    pub fn as_unknown(&self) -> Option<&Unknown> {
        match &self.value {
            Value::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
}

/// Formats a number as Terraform prints it (integers without a fraction).
pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Which frontend a resource came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frontend {
    Terraform,
    CloudFormation,
}

/// Whether a declared resource is created.
#[derive(Clone, Debug, PartialEq)]
pub enum Existence {
    /// Always created.
    Yes,
    /// Created only under an unknown condition (`count` from an unknown, CFN `Condition`).
    Maybe(Val),
}

/// One declared resource (one instance of a Terraform `count`/`for_each` expansion).
#[derive(Clone, Debug)]
pub struct Resource {
    pub frontend: Frontend,
    /// `aws_security_group`, `AWS::EC2::SecurityGroup`; data sources as `data.aws_vpc`.
    pub kind: String,
    /// Terraform address (`module.net.aws_subnet.public[0]`) or CloudFormation logical id.
    pub address: String,
    /// Unique across the run: `<root module dir>::<address>` or `<template path>::<logical id>`.
    /// [`RefTo::key`] points here.
    pub key: String,
    /// The resource's name: the block labels (`resource "aws_x" "web"`) or the logical id key.
    pub span: Span,
    /// Evaluated attributes (Terraform arguments and blocks; CloudFormation `Properties`).
    pub attrs: BTreeMap<String, Val>,
    pub exists: Existence,
    /// For resources inside a child module: the module call(s) that created it, outermost first.
    pub module_calls: Vec<Span>,
    /// Raw CloudFormation `Metadata`, Terraform has none.
    pub metadata: Option<Val>,
}

impl Resource {
    /// An attribute by name.
    pub fn attr(&self, name: &str) -> Option<&Val> {
        self.attrs.get(name)
    }
}

/// A problem that stops a file (or part of it) from being analysed.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
}

/// A file (or module) deliberately not analysed, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Skip {
    pub span: Span,
    pub reason: String,
}

/// What a frontend hands on for a set of files.
#[derive(Debug, Default)]
pub struct Lowered {
    pub resources: Vec<Resource>,
    /// Parse or evaluation errors (exit code 2).
    pub errors: Vec<Diagnostic>,
    /// Files or constructs skipped with a reason.
    pub skipped: Vec<Skip>,
    /// Module calls not followed (registry/git sources), once each.
    pub modules_not_analysed: Vec<Skip>,
    /// Attribute values that stayed unknown, by reason, for the summary.
    pub unknowns: BTreeMap<String, usize>,
    /// The same counts per module: for Terraform the root module directory, or
    /// `<root dir>::<module address>` for a child module instance
    /// (`examples/complete::module.sg["a"]`); inner keys are the reason classes of `unknowns`.
    pub unknowns_by_module: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Lowered {
    /// Records a file that could not be read (at `span`, its empty start): skipped when
    /// `skip_unreadable` allows it, else an error.
    pub fn unread(&mut self, span: Span, why: &impl std::fmt::Display, skip_unreadable: bool) {
        if skip_unreadable {
            self.skipped.push(Skip {
                span,
                reason: format!("{why}; not analysed"),
            });
        } else {
            self.errors.push(Diagnostic {
                span,
                message: format!("{why}; not analysed"),
            });
        }
    }

    /// Appends another frontend's output.
    pub fn extend(&mut self, other: Lowered) {
        self.resources.extend(other.resources);
        self.errors.extend(other.errors);
        self.skipped.extend(other.skipped);
        self.modules_not_analysed.extend(other.modules_not_analysed);
        for (k, n) in other.unknowns {
            *self.unknowns.entry(k).or_default() += n;
        }
        for (m, counts) in other.unknowns_by_module {
            let slot = self.unknowns_by_module.entry(m).or_default();
            for (k, n) in counts {
                *slot.entry(k).or_default() += n;
            }
        }
    }
}
