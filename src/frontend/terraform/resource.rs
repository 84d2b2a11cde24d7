//! Resources and data sources of a module instance: expansion, attributes, references.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use super::ast::{Block, Body, Expr, ExprKind, Op};
use super::eval::{invalid, Scope};
use super::instance::{item_scope, obj, unknown_instances, Inst, Instances, Mode};
use super::run::Run;
use crate::budget::{self, map_bytes, NODE};
use crate::ir::{Existence, Frontend, Origin, RefTo, Resource, Val, Value};
use crate::source::Span;

/// Data sources emitted as resources (kind `data.<type>`); others are only unknowns.
const DATA_OF_INTEREST: &[&str] = &[
    "aws_vpc",
    "aws_subnet",
    "aws_subnets",
    "aws_security_group",
    "aws_security_groups",
    "aws_prefix_list",
    "aws_ec2_managed_prefix_list",
    "aws_internet_gateway",
    "aws_route_table",
    "aws_nat_gateway",
    "aws_network_interface",
    "aws_instance",
];

/// The IPv4 CIDR block AWS gives every default VPC.
const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";

/// Locals followed to find whether a `dynamic` block iterates over a set.
const MAX_LOCAL_HOPS: usize = 8;

/// Functions whose result is a set.
const SET_FUNCTIONS: &[&str] = &["toset", "setunion", "setintersection", "setsubtract"];

/// Resource arguments that are Terraform meta-arguments, not provider configuration.
const META: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

impl Inst<'_> {
    /// Pushes every instance of every resource (and data source of interest) to the run,
    /// until the evaluation budget is spent (the root module's evaluation then ends).
    pub fn emit_resources(&self) {
        let module = self.module.clone();
        for (idx, decl) in module.resources.iter().enumerate() {
            if decl.data && !DATA_OF_INTEREST.contains(&decl.rtype.as_str()) {
                continue;
            }
            let insts = self.instances(idx);
            for (i, item) in insts.items.iter().enumerate() {
                let attrs = self.attrs(idx, i);
                // the resource keeps a copy of its attributes, its names and module calls
                let address = self.address(idx, &item.suffix);
                let cost = std::mem::size_of::<Resource>()
                    + self.run.root.len()
                    + 2 * address.len()
                    + decl.rtype.len()
                    + self.calls.len() * std::mem::size_of::<Span>();
                let cost = cost as u64 + self.size_of_attrs(&attrs);
                if !self.run.take_for(cost, decl.label, &address) {
                    return;
                }
                let exists = match &insts.mode {
                    Mode::Unknown(v) => Existence::Maybe(v.clone()),
                    _ => self.exists.clone(),
                };
                let kind = match decl.data {
                    true => format!("data.{}", decl.rtype),
                    false => decl.rtype.clone(),
                };
                let resource = Resource {
                    frontend: Frontend::Terraform,
                    kind,
                    key: format!("{}::{address}", self.run.root),
                    address,
                    span: decl.label,
                    attrs: (*attrs).clone(),
                    exists,
                    module_calls: self.calls.clone(),
                    metadata: None,
                };
                self.run.resources.borrow_mut().push(resource);
            }
        }
    }

    /// The heap cost of a copy of `attrs`, measured up to the bytes left.
    fn size_of_attrs(&self, attrs: &BTreeMap<String, Val>) -> u64 {
        let mut total = map_bytes(attrs.len());
        for (k, v) in attrs {
            let left = self.run.budget.bytes_left().saturating_sub(total);
            total += k.len() as u64 + budget::size(v, left);
        }
        total
    }

    /// A reference to attribute `attr` of instance `i` of resource `idx`, paid for.
    fn ref_val(&self, idx: usize, i: usize, attr: &str, span: Span) -> Val {
        let key = self.resource_key(idx, i);
        if !self.run.take((key.len() + attr.len()) as u64, span) {
            return Run::spent(span);
        }
        Val::new(
            Value::Ref(Arc::new(RefTo {
                key,
                attr: attr.to_string(),
            })),
            span,
        )
    }

    /// Terraform address of resource `idx` with an instance suffix.
    fn address(&self, idx: usize, suffix: &str) -> String {
        match self.module.resources.get(idx) {
            Some(d) if d.data => format!("{}data.{}.{}{suffix}", self.prefix, d.rtype, d.name),
            Some(d) => format!("{}{}.{}{suffix}", self.prefix, d.rtype, d.name),
            None => String::new(),
        }
    }

    fn instances(&self, idx: usize) -> Rc<Instances> {
        let module = self.module.clone();
        let Some(decl) = module.resources.get(idx) else {
            return Rc::new(Instances::new(Mode::Single, Vec::new()));
        };
        self.memo(
            &self.insts,
            &idx,
            || self.address(idx, ""),
            decl.label,
            || Rc::new(self.expand(&decl.body, None)),
            |chain| Rc::new(unknown_instances(Val::unknown(chain, decl.label))),
        )
    }

    fn attrs(&self, idx: usize, i: usize) -> Rc<BTreeMap<String, Val>> {
        let module = self.module.clone();
        let insts = self.instances(idx);
        let (Some(decl), Some(item)) = (module.resources.get(idx), insts.items.get(i)) else {
            return Rc::default();
        };
        self.memo(
            &self.attrs,
            &(idx, i),
            || self.address(idx, &item.suffix),
            decl.label,
            || {
                let sc = item_scope(&item.bind);
                Rc::new(self.eval_body(&decl.body, decl.label, Some(&sc), true))
            },
            |_| Rc::default(),
        )
    }

    /// A block body's arguments and nested blocks (lists of maps under the block name).
    /// `span` is where the body is written.
    fn eval_body(
        &self,
        body: &Body,
        span: Span,
        sc: Option<&Scope>,
        top: bool,
    ) -> BTreeMap<String, Val> {
        let names: usize = body.attrs.iter().map(|a| a.name.len()).sum::<usize>()
            + body.blocks.iter().map(|b| b.kind.len()).sum::<usize>();
        let entries = body.attrs.len() + body.blocks.len();
        if !self.run.take(map_bytes(entries) + names as u64, span) {
            return BTreeMap::new();
        }
        let meta = |n: &str| top && META.contains(&n);
        let mut out: BTreeMap<String, Val> = body
            .attrs
            .iter()
            .filter(|a| !meta(&a.name))
            .map(|a| (a.name.clone(), self.eval(&a.expr, sc)))
            .collect();
        let mut blocks: BTreeMap<String, (Vec<Val>, Span)> = BTreeMap::new();
        let mut push = |name: &str, v: Val| {
            let slot = blocks
                .entry(name.to_string())
                .or_insert_with(|| (Vec::new(), v.span));
            slot.1 = slot.1.cover(v.span);
            slot.0.push(v);
        };
        for b in body.blocks.iter().filter(|b| !meta(&b.kind)) {
            if b.kind == "dynamic" {
                if let Some(label) = b.labels.first() {
                    for v in self.dynamic(b, &label.name, sc) {
                        push(&label.name, v);
                    }
                }
            } else {
                push(
                    &b.kind,
                    Val::new(
                        Value::Map(self.eval_body(&b.body, b.span, sc, false)),
                        b.span,
                    ),
                );
            }
        }
        for (name, (list, span)) in blocks {
            out.insert(name, Val::new(Value::List(list), span));
        }
        out
    }

    /// `dynamic "name" { for_each, iterator, content }`: one map per element; an unknown
    /// collection gives one block whose iterator is unknown.
    fn dynamic(&self, b: &Block, label: &str, sc: Option<&Scope>) -> Vec<Val> {
        let Some(content) = b.body.blocks.iter().find(|c| c.kind == "content") else {
            return Vec::new();
        };
        let Some(fe) = b.body.attr("for_each") else {
            return Vec::new();
        };
        let iter_name = match b.body.attr("iterator").map(|a| &a.expr.kind) {
            Some(ExprKind::Var(n)) => n.as_str(),
            _ => label,
        };
        let coll = self.eval(&fe.expr, sc);
        let is_list = matches!(coll.value, Value::List(_));
        let mut items = self
            .iterate(coll, fe.expr.span)
            .unwrap_or_else(|u| vec![(u.clone(), u)]);
        if is_list && self.is_set(&fe.expr, MAX_LOCAL_HOPS) {
            // The key of a set element is the element itself.
            items
                .iter_mut()
                .for_each(|(k, v)| *k = self.copy(v, fe.expr.span));
        }
        // each element is an iterator object in a scope
        let per_item = map_bytes(2) + 2 * NODE;
        if !self.run.take(items.len() as u64 * per_item, fe.expr.span) {
            return Vec::new();
        }
        items
            .into_iter()
            .map(|(k, v)| {
                let it = obj(vec![("key", k), ("value", v)], fe.expr.span);
                let inner = Scope::one(iter_name, it, sc);
                Val::new(
                    Value::Map(self.eval_body(&content.body, content.span, Some(&inner), false)),
                    content.span,
                )
            })
            .collect()
    }

    /// True for `data "aws_vpc"` with `default = true`: the region's default VPC.
    fn is_default_vpc(&self, idx: usize, i: usize) -> bool {
        let is_vpc = self
            .module
            .resources
            .get(idx)
            .is_some_and(|d| d.rtype == "aws_vpc");
        is_vpc
            && self
                .attrs(idx, i)
                .get("default")
                .and_then(Val::as_bool)
                .unwrap_or(false)
    }

    /// True when `e` is a set: a set function's result, a variable of a set type, or a local
    /// that is one of these (followed `depth` more times).
    fn is_set(&self, e: &Expr, depth: usize) -> bool {
        let is_set_type =
            |t: &Expr| matches!(&t.kind, ExprKind::Call { name, .. } if name == "set");
        match &e.kind {
            ExprKind::Call { name, .. } => SET_FUNCTIONS.contains(&name.as_str()),
            ExprKind::Traverse(base, ops) => match (&base.kind, ops.as_slice()) {
                (ExprKind::Var(root), [Op::Attr(name)]) if root == "var" => self
                    .module
                    .variables
                    .get(name)
                    .and_then(|d| d.ty.as_ref())
                    .is_some_and(is_set_type),
                (ExprKind::Var(root), [Op::Attr(name)]) if root == "local" && depth > 0 => self
                    .module
                    .locals
                    .get(name)
                    .is_some_and(|l| self.is_set(l, depth - 1)),
                _ => false,
            },
            _ => false,
        }
    }

    fn resource_key(&self, idx: usize, i: usize) -> String {
        let insts = self.instances(idx);
        let suffix = insts.items.get(i).map_or("", |it| it.suffix.as_str());
        format!("{}::{}", self.run.root, self.address(idx, suffix))
    }

    /// `aws_x.name…` / `data.aws_x.name…` after the name: instance selection, then attribute.
    pub fn resource_ref(
        &self,
        idx: usize,
        ops: &[Op],
        span: Span,
        sc: Option<&Scope>,
    ) -> (Val, usize) {
        let insts = self.instances(idx);
        self.select_instance(
            &insts,
            ops,
            span,
            sc,
            &|i, ops| self.select(idx, i, ops, span, sc),
            &|i| self.whole(idx, i, span),
        )
    }

    /// An attribute of instance `i` and the steps after it; an attribute missing from a
    /// configured nested block (`vpc_config[0].cluster_security_group_id`) is computed.
    fn select(
        &self,
        idx: usize,
        i: usize,
        ops: &[Op],
        span: Span,
        sc: Option<&Scope>,
    ) -> (Val, usize) {
        let Some(Op::Attr(a)) = ops.first() else {
            return (self.whole(idx, i, span), 0);
        };
        let v = self.attr_value(idx, i, a, span);
        match ops.get(1..) {
            Some(rest) if !rest.is_empty() => {
                let key = self.resource_key(idx, i);
                let address = key.rsplit_once("::").map_or("", |(_, a)| a);
                let within = format!("{address}.{a}");
                let v = self.apply_ops(&v, rest, span, sc, Some(&within), false);
                (v, ops.len())
            }
            _ => (v, 1),
        }
    }

    fn data_unknown(&self, idx: usize, span: Span) -> Val {
        let addr = self.address(idx, "");
        Val::unknown(format!("data source {addr} is read at plan time"), span)
    }

    fn attr_value(&self, idx: usize, i: usize, attr: &str, span: Span) -> Val {
        let module = self.module.clone();
        let Some(decl) = module.resources.get(idx) else {
            return invalid("no such resource", span);
        };
        if decl.data {
            return if attr == "id" && DATA_OF_INTEREST.contains(&decl.rtype.as_str()) {
                self.ref_val(idx, i, attr, span)
            } else if attr == "cidr_block" && self.is_default_vpc(idx, i) {
                Val::new(Value::String(DEFAULT_VPC_CIDR.into()), span).with_origin(
                    decl.label,
                    format!("the default VPC's CIDR block is {DEFAULT_VPC_CIDR}"),
                )
            } else {
                self.data_unknown(idx, span)
            };
        }
        if decl.body.sets(attr) && !META.contains(&attr) {
            // A null argument leaves the attribute to the provider.
            if let Some(v) = self.attrs(idx, i).get(attr).filter(|v| !v.is_null()) {
                let key = self.resource_key(idx, i);
                let address = key.rsplit_once("::").map_or("", |(_, a)| a);
                let o = Origin {
                    span: v.span,
                    message: format!("value comes from {address}.{attr}").into(),
                };
                return self.relocate(self.copy(v, span), span, &o);
            }
        }
        self.ref_val(idx, i, attr, span)
    }

    /// A whole resource instance: its arguments plus `id` and `arn` references.
    fn whole(&self, idx: usize, i: usize, span: Span) -> Val {
        if self.module.resources.get(idx).is_some_and(|d| d.data) {
            return match self.attr_value(idx, i, "id", span) {
                v @ Val {
                    value: Value::Ref(_),
                    ..
                } => obj(vec![("id", v)], span),
                other => other,
            };
        }
        let attrs = self.attrs(idx, i);
        if !self.run.take(map_bytes(attrs.len() + 2), span) {
            return Run::spent(span);
        }
        let mut map: BTreeMap<String, Val> = attrs
            .iter()
            .map(|(k, v)| (k.clone(), self.copy(v, span)))
            .collect();
        for a in ["id", "arn"] {
            map.entry(a.to_string())
                .or_insert_with(|| self.ref_val(idx, i, a, span));
        }
        Val::new(Value::Map(map), span)
    }
}
