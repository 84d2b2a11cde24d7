//! One module instance: variables, locals, resources, data sources and module calls, each
//! evaluated lazily and once, with cycle detection.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::ast::{Block, Body, Expr, ExprKind, Op};
use super::eval::{invalid, key_text, num, quote, relocate, string, unknown_of, Scope};
use super::hcl::{self, Mapper};
use super::module::{dir_key, is_local, normalize, Loader, Module};
use crate::ir::{Diagnostic, Existence, Frontend, Origin, RefTo, Resource, Skip, Val, Value};
use crate::source::{SourceFile, SourceMap, Span};

/// Evaluation steps allowed per root module.
const BUDGET: u64 = 5_000_000;
/// Instances allowed per `count`/`for_each`.
pub const MAX_INSTANCES: usize = 10_000;
/// Module calls nested deeper than this are not followed.
const MAX_MODULE_DEPTH: usize = 16;
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

/// Shared state of one root module's evaluation (single-threaded).
pub struct Run<'a> {
    pub loader: &'a Loader<'a>,
    sources: &'a SourceMap,
    /// Root module directory, the prefix of every resource key.
    pub root: String,
    pub depth: Cell<usize>,
    steps: Cell<u64>,
    stack: RefCell<Vec<String>>,
    pub errors: RefCell<Vec<Diagnostic>>,
    pub not_analysed: RefCell<Vec<Skip>>,
    pub resources: RefCell<Vec<Resource>>,
    files: RefCell<HashMap<PathBuf, Option<Arc<SourceFile>>>>,
}

impl<'a> Run<'a> {
    /// A run for the root module displayed as `root`.
    pub fn new(loader: &'a Loader<'a>, sources: &'a SourceMap, root: String) -> Self {
        Run {
            loader,
            sources,
            root,
            depth: Cell::new(0),
            steps: Cell::new(0),
            stack: RefCell::default(),
            errors: RefCell::default(),
            not_analysed: RefCell::default(),
            resources: RefCell::default(),
            files: RefCell::default(),
        }
    }

    /// Counts one step; false once the budget is spent (reported once, at `span`).
    pub fn step(&self, span: Span) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n == BUDGET {
            self.error(
                span,
                "evaluation budget exceeded; the remaining values are unknown",
            );
        }
        n < BUDGET
    }

    /// Records a diagnostic.
    pub fn error(&self, span: Span, message: impl Into<String>) {
        self.errors.borrow_mut().push(Diagnostic {
            span,
            message: message.into(),
        });
    }

    /// A file read for `file`/`templatefile`, added to the source map once.
    pub fn read_file(&self, path: &Path, max: u64) -> Option<Arc<SourceFile>> {
        let path = normalize(path);
        self.files
            .borrow_mut()
            .entry(path.clone())
            .or_insert_with(|| {
                let meta = std::fs::metadata(&path).ok()?;
                if meta.len() > max {
                    return None;
                }
                let text = std::fs::read_to_string(&path).ok()?;
                Some(self.sources.add(path, text))
            })
            .clone()
    }
}

/// How a variable of a module instance gets its value.
pub enum Binding<'r> {
    /// An evaluated value (module input) and where it came from.
    Given(Val, Origin),
    /// An expression in a tfvars file.
    Expr(&'r Expr, Origin),
    /// A `--var` string, converted by the declared type.
    Cli(String),
    Default,
    Missing,
}

enum Memo<T> {
    Busy,
    Done(T),
}

/// `count`/`for_each` expansion of a resource or module call.
enum Mode {
    Single,
    Count,
    ForEach,
    /// `count`/`for_each` is unknown: one instance that may exist.
    Unknown(Val),
}

struct Item {
    /// Address suffix: ``, `[0]`, `["a"]`.
    suffix: String,
    /// `count.index` or `each.key`, to select the instance by index.
    key: Option<Val>,
    /// `count` / `each` and its object.
    bind: Vec<(&'static str, Val)>,
}

struct Instances {
    mode: Mode,
    items: Vec<Item>,
}

/// Outputs of a module call: the value of `module.<name>`.
struct CallOut {
    value: Val,
    /// `count`/`for_each` unknown: an index after the call name is ignored.
    unknown_mode: bool,
}

/// One instance of a module (the root, or one expansion of a module call).
pub struct Inst<'r> {
    pub run: &'r Run<'r>,
    pub module: Arc<Module>,
    vars: HashMap<String, Binding<'r>>,
    /// Address prefix: `` or `module.net.` or `module.net["a"].`.
    prefix: String,
    calls: Vec<Span>,
    /// Directory keys of the calling modules, for recursion detection.
    chain: Vec<PathBuf>,
    exists: Existence,
    locals: RefCell<HashMap<String, Memo<Val>>>,
    insts: RefCell<HashMap<usize, Memo<Rc<Instances>>>>,
    attrs: RefCell<HashMap<(usize, usize), Memo<Rc<BTreeMap<String, Val>>>>>,
    call_outs: RefCell<HashMap<usize, Memo<Rc<CallOut>>>>,
}

fn obj(pairs: Vec<(&str, Val)>, span: Span) -> Val {
    Val::new(
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        span,
    )
}

fn ref_val(key: String, attr: &str, span: Span) -> Val {
    Val::new(
        Value::Ref(Arc::new(RefTo {
            key,
            attr: attr.to_string(),
        })),
        span,
    )
}

impl<'r> Inst<'r> {
    /// The root module instance with its variable bindings.
    pub fn root(run: &'r Run<'r>, module: Arc<Module>, vars: HashMap<String, Binding<'r>>) -> Self {
        let chain = vec![dir_key(&module.dir)];
        Inst::new(
            run,
            module,
            vars,
            String::new(),
            Vec::new(),
            chain,
            Existence::Yes,
        )
    }

    fn new(
        run: &'r Run<'r>,
        module: Arc<Module>,
        vars: HashMap<String, Binding<'r>>,
        prefix: String,
        calls: Vec<Span>,
        chain: Vec<PathBuf>,
        exists: Existence,
    ) -> Self {
        Inst {
            run,
            module,
            vars,
            prefix,
            calls,
            chain,
            exists,
            locals: RefCell::default(),
            insts: RefCell::default(),
            attrs: RefCell::default(),
            call_outs: RefCell::default(),
        }
    }

    /// Evaluates the whole instance: resources go to the run; returns the outputs.
    pub fn run_module(&self) -> BTreeMap<String, Val> {
        let module = self.module.clone();
        for (idx, decl) in module.resources.iter().enumerate() {
            if decl.data && !DATA_OF_INTEREST.contains(&decl.rtype.as_str()) {
                continue;
            }
            let insts = self.instances(idx);
            for (i, item) in insts.items.iter().enumerate() {
                let attrs = self.attrs(idx, i);
                let exists = match &insts.mode {
                    Mode::Unknown(v) => Existence::Maybe(v.clone()),
                    _ => self.exists.clone(),
                };
                let address = self.address(idx, &item.suffix);
                let resource = Resource {
                    frontend: Frontend::Terraform,
                    kind: if decl.data {
                        format!("data.{}", decl.rtype)
                    } else {
                        decl.rtype.clone()
                    },
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
        for (name, expr) in &module.locals {
            self.local(name, expr.span);
        }
        for ci in 0..module.calls.len() {
            self.call_out(ci);
        }
        module
            .outputs
            .iter()
            .map(|(name, e)| (name.clone(), self.eval(e, None)))
            .collect()
    }

    fn address(&self, idx: usize, suffix: &str) -> String {
        match self.module.resources.get(idx) {
            Some(d) if d.data => format!("{}data.{}.{}{suffix}", self.prefix, d.rtype, d.name),
            Some(d) => format!("{}{}.{}{suffix}", self.prefix, d.rtype, d.name),
            None => String::new(),
        }
    }

    /// Memoised evaluation of `key`; a re-entry is a reference cycle.
    fn memo<K: Hash + Eq + Clone, T: Clone>(
        &self,
        map: &RefCell<HashMap<K, Memo<T>>>,
        key: K,
        label: String,
        at: Span,
        compute: impl FnOnce() -> T,
        cyclic: impl FnOnce(&str) -> T,
    ) -> T {
        let state = match map.borrow().get(&key) {
            Some(Memo::Done(v)) => Some(Ok(v.clone())),
            Some(Memo::Busy) => Some(Err(())),
            None => None,
        };
        match state {
            Some(Ok(v)) => return v,
            Some(Err(())) => {
                let stack = self.run.stack.borrow();
                let from = stack.iter().rposition(|s| *s == label).unwrap_or(0);
                let mut chain: Vec<&str> = stack
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .map(String::as_str)
                    .collect();
                chain.push(&label);
                let chain = format!("reference cycle: {}", chain.join(" → "));
                drop(stack);
                self.run.error(at, &chain);
                return cyclic(&chain);
            }
            None => {}
        }
        map.borrow_mut().insert(key.clone(), Memo::Busy);
        self.run.stack.borrow_mut().push(label);
        let v = compute();
        self.run.stack.borrow_mut().pop();
        map.borrow_mut().insert(key, Memo::Done(v.clone()));
        v
    }

    /// Resolves a root name and the steps it consumes: `var.x`, `aws_vpc.main.id`, ….
    pub fn resolve(&self, root: &str, ops: &[Op], span: Span, sc: Option<&Scope>) -> (Val, usize) {
        let attr = |i: usize| match ops.get(i) {
            Some(Op::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let rest = |i: usize| ops.get(i..).unwrap_or_default();
        let res = |data: bool, t: &str, n: &str| {
            self.module
                .res_index
                .get(&(data, t.to_string(), n.to_string()))
                .copied()
        };
        match (root, attr(0)) {
            ("var", Some(n)) => (self.var(n, span), 1),
            ("local", Some(n)) => (self.local(n, span), 1),
            ("module", Some(n)) => {
                let (v, used) = self.module_ref(n, rest(1), span);
                (v, used + 1)
            }
            ("data", Some(t)) => match attr(1).and_then(|n| res(true, t, n)) {
                Some(idx) => {
                    let (v, used) = self.resource_ref(idx, rest(2), span, sc);
                    (v, used + 2)
                }
                None => (
                    invalid(format!("undeclared data source data.{t}"), span),
                    ops.len(),
                ),
            },
            ("path", Some(p)) => {
                let v = match p {
                    "module" => string(self.module.display.clone(), span),
                    "root" => string(self.run.root.clone(), span),
                    "cwd" => string(".", span),
                    _ => invalid(format!("no path.{p}"), span),
                };
                (v, 1)
            }
            ("terraform", Some("workspace")) => (string("default", span), 1),
            ("self", _) => (Val::unknown("self is known at apply", span), ops.len()),
            (t, Some(n)) => match res(false, t, n) {
                Some(idx) => {
                    let (v, used) = self.resource_ref(idx, rest(1), span, sc);
                    (v, used + 1)
                }
                None => (
                    invalid(format!("undeclared reference {t}.{n}"), span),
                    ops.len(),
                ),
            },
            (t, None) => (invalid(format!("unknown reference '{t}'"), span), ops.len()),
        }
    }

    fn var(&self, name: &str, span: Span) -> Val {
        let Some(decl) = self.module.variables.get(name) else {
            return invalid(format!("undeclared variable '{name}'"), span);
        };
        let origin = |span: Span, message: String| Origin { span, message };
        match self.vars.get(name).unwrap_or(&Binding::Default) {
            Binding::Given(v, o) => relocate(v.clone(), span, o),
            Binding::Expr(e, o) => relocate(self.eval(e, None), span, o),
            Binding::Cli(raw) => {
                let o = origin(decl.label, format!("value comes from --var {name}"));
                relocate(self.cli_value(raw, decl.ty.as_ref(), decl.label), span, &o)
            }
            Binding::Default => match &decl.default {
                Some(d) => {
                    let o = origin(
                        d.span,
                        format!("value comes from variable '{name}' default"),
                    );
                    relocate(self.eval(d, None), span, &o)
                }
                None => self.missing(name, decl.label, span),
            },
            Binding::Missing => self.missing(name, decl.label, span),
        }
    }

    fn missing(&self, name: &str, label: Span, span: Span) -> Val {
        Val::unknown(format!("variable '{name}' has no value"), span).with_origin(
            label,
            format!("variable '{name}' is declared here without a default"),
        )
    }

    /// A `--var` string converted by the variable's type.
    fn cli_value(&self, raw: &str, ty: Option<&Expr>, at: Span) -> Val {
        let simple = ty.map(|t| match &t.kind {
            ExprKind::Var(n) => n.as_str(),
            _ => "complex",
        });
        match simple {
            None | Some("string") => string(raw, at),
            Some("number") => match raw.trim().parse() {
                Ok(n) => Val::new(Value::Number(n), at),
                Err(_) => invalid(format!("--var value '{raw}' is not a number"), at),
            },
            Some("bool") => match raw.trim() {
                "true" => Val::new(Value::Bool(true), at),
                "false" => Val::new(Value::Bool(false), at),
                _ => invalid(format!("--var value '{raw}' is not a bool"), at),
            },
            Some(_) => {
                let file = self.run.sources.get(at.file);
                let m = Mapper {
                    file: &file,
                    base: 0,
                    exact: false,
                    fallback: at,
                };
                match hcl::parse_expr(raw, &m) {
                    Some(e) => self.eval(&e, None),
                    None if simple == Some("any") => string(raw, at),
                    None => invalid(format!("--var value '{raw}' does not parse"), at),
                }
            }
        }
    }

    fn local(&self, name: &str, span: Span) -> Val {
        let module = self.module.clone();
        let Some(expr) = module.locals.get(name) else {
            return invalid(format!("undeclared local '{name}'"), span);
        };
        let v = self.memo(
            &self.locals,
            name.to_string(),
            format!("{}local.{name}", self.prefix),
            expr.span,
            || self.eval(expr, None),
            |chain| Val::unknown(chain, expr.span),
        );
        let o = Origin {
            span: expr.span,
            message: format!("value comes from local '{name}'"),
        };
        relocate(v, span, &o)
    }

    fn instances(&self, idx: usize) -> Rc<Instances> {
        let module = self.module.clone();
        let Some(decl) = module.resources.get(idx) else {
            return Rc::new(Instances {
                mode: Mode::Single,
                items: Vec::new(),
            });
        };
        self.memo(
            &self.insts,
            idx,
            self.address(idx, ""),
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
            (idx, i),
            self.address(idx, &item.suffix),
            decl.label,
            || {
                let sc = item_scope(item);
                Rc::new(self.eval_body(&decl.body, Some(&sc), true))
            },
            |_| Rc::default(),
        )
    }

    /// `count` / `for_each` of a resource or module block.
    fn expand(&self, body: &Body, sc: Option<&Scope>) -> Instances {
        if let Some(a) = body.attr("count") {
            let v = self.eval(&a.expr, sc);
            return match v.as_i64() {
                Some(n) if (0..=MAX_INSTANCES as i64).contains(&n) => Instances {
                    mode: Mode::Count,
                    items: (0..n as usize)
                        .map(|i| Item {
                            suffix: format!("[{i}]"),
                            key: Some(num(i, a.expr.span)),
                            bind: vec![(
                                "count",
                                obj(vec![("index", num(i, a.expr.span))], a.expr.span),
                            )],
                        })
                        .collect(),
                },
                Some(n) => self.too_many(n, a.expr.span, v),
                None => unknown_instances(v),
            };
        }
        let Some(a) = body.attr("for_each") else {
            return Instances {
                mode: Mode::Single,
                items: vec![Item {
                    suffix: String::new(),
                    key: None,
                    bind: Vec::new(),
                }],
            };
        };
        let v = self.eval(&a.expr, sc);
        let pairs: Option<Vec<(String, Val, Val)>> = match &v.value {
            Value::Map(m) => Some(
                m.iter()
                    .map(|(k, x)| (k.clone(), string(k.clone(), x.span), x.clone()))
                    .collect(),
            ),
            Value::List(l) => {
                let mut keys: BTreeMap<String, Val> = BTreeMap::new();
                l.iter()
                    .map(|x| Some(keys.insert(x.as_str()?.into_owned(), x.clone())))
                    .collect::<Option<Vec<_>>>()
                    .map(|_| keys.into_iter().map(|(k, x)| (k, x.clone(), x)).collect())
            }
            _ => None,
        };
        match pairs {
            Some(p) if p.len() > MAX_INSTANCES => self.too_many(p.len() as i64, a.expr.span, v),
            Some(p) => Instances {
                mode: Mode::ForEach,
                items: p
                    .into_iter()
                    .map(|(k, key, value)| Item {
                        suffix: format!("[{}]", quote(&k)),
                        key: Some(key.clone()),
                        bind: vec![(
                            "each",
                            obj(vec![("key", key), ("value", value)], a.expr.span),
                        )],
                    })
                    .collect(),
            },
            None => unknown_instances(v),
        }
    }

    fn too_many(&self, n: i64, span: Span, v: Val) -> Instances {
        self.run.error(
            span,
            format!("{n} instances exceed the limit of {MAX_INSTANCES}"),
        );
        unknown_instances(Val::unknown("too many instances", v.span))
    }

    /// A block body's arguments and nested blocks (lists of maps under the block name).
    fn eval_body(&self, body: &Body, sc: Option<&Scope>, top: bool) -> BTreeMap<String, Val> {
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
                    Val::new(Value::Map(self.eval_body(&b.body, sc, false)), b.span),
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
        let items = self
            .iterate(&coll, fe.expr.span)
            .unwrap_or_else(|u| vec![(u.clone(), u)]);
        items
            .into_iter()
            .map(|(k, v)| {
                let it = obj(vec![("key", k), ("value", v)], fe.expr.span);
                let inner = Scope::one(iter_name, it, sc);
                Val::new(
                    Value::Map(self.eval_body(&content.body, Some(&inner), false)),
                    content.span,
                )
            })
            .collect()
    }

    fn resource_key(&self, idx: usize, i: usize) -> String {
        let insts = self.instances(idx);
        let suffix = insts.items.get(i).map_or("", |it| it.suffix.as_str());
        format!("{}::{}", self.run.root, self.address(idx, suffix))
    }

    /// `aws_x.name…` / `data.aws_x.name…` after the name: instance selection, then attribute.
    fn resource_ref(&self, idx: usize, ops: &[Op], span: Span, sc: Option<&Scope>) -> (Val, usize) {
        let insts = self.instances(idx);
        let rest = ops.get(1..).unwrap_or_default();
        match (ops.first(), &insts.mode) {
            (Some(Op::Splat), _) => {
                let list = (0..insts.items.len())
                    .map(|i| {
                        let (v, used) = self.select(idx, i, rest, span);
                        self.apply_ops(v, rest.get(used..).unwrap_or_default(), span, sc)
                    })
                    .collect();
                (Val::new(Value::List(list), span), ops.len())
            }
            (Some(Op::Index(_)), Mode::Unknown(_)) => {
                let (v, used) = self.select(idx, 0, rest, span);
                (v, used + 1)
            }
            (Some(Op::Index(e)), Mode::Count | Mode::ForEach) => {
                let k = self.eval(e, sc);
                if let Some(u) = unknown_of(&k, span) {
                    return (u, ops.len());
                }
                let found = insts.items.iter().position(|it| match &it.key {
                    Some(key) => key_text(key) == key_text(&k),
                    None => false,
                });
                match found {
                    Some(i) => {
                        let (v, used) = self.select(idx, i, rest, span);
                        (v, used + 1)
                    }
                    None => (invalid("no such resource instance", span), ops.len()),
                }
            }
            (_, Mode::Count) => {
                let list = (0..insts.items.len())
                    .map(|i| self.whole(idx, i, span))
                    .collect();
                (Val::new(Value::List(list), span), 0)
            }
            (_, Mode::ForEach) => {
                let map = insts
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| {
                        let k = it
                            .key
                            .as_ref()
                            .and_then(|k| k.as_str().map(|s| s.into_owned()));
                        (k.unwrap_or_default(), self.whole(idx, i, span))
                    })
                    .collect();
                (Val::new(Value::Map(map), span), 0)
            }
            (_, Mode::Single | Mode::Unknown(_)) => self.select(idx, 0, ops, span),
        }
    }

    fn select(&self, idx: usize, i: usize, ops: &[Op], span: Span) -> (Val, usize) {
        match ops.first() {
            Some(Op::Attr(a)) => (self.attr_value(idx, i, a, span), 1),
            _ => (self.whole(idx, i, span), 0),
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
                ref_val(self.resource_key(idx, i), attr, span)
            } else {
                self.data_unknown(idx, span)
            };
        }
        if decl.body.sets(attr) && !META.contains(&attr) {
            if let Some(v) = self.attrs(idx, i).get(attr) {
                let key = self.resource_key(idx, i);
                let address = key.rsplit_once("::").map_or("", |(_, a)| a);
                let o = Origin {
                    span: v.span,
                    message: format!("value comes from {address}.{attr}"),
                };
                return relocate(v.clone(), span, &o);
            }
        }
        ref_val(self.resource_key(idx, i), attr, span)
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
        let mut map = (*self.attrs(idx, i)).clone();
        for a in ["id", "arn"] {
            map.entry(a.to_string())
                .or_insert_with(|| ref_val(self.resource_key(idx, i), a, span));
        }
        Val::new(Value::Map(map), span)
    }

    fn module_ref(&self, name: &str, ops: &[Op], span: Span) -> (Val, usize) {
        let Some(&ci) = self.module.call_index.get(name) else {
            return (
                invalid(format!("undeclared module '{name}'"), span),
                ops.len(),
            );
        };
        let out = self.call_out(ci);
        if let Some(u) = out.value.as_unknown() {
            let v = Val::unknown(u.reason.clone(), span);
            return (v, ops.len());
        }
        match ops.first() {
            Some(Op::Index(_)) if out.unknown_mode => (out.value.clone(), 1),
            _ => (out.value.clone(), 0),
        }
    }

    fn call_failed(&self, span: Span, message: String) -> Rc<CallOut> {
        self.run.error(span, message.clone());
        Rc::new(CallOut {
            value: Val::unknown(message, span),
            unknown_mode: false,
        })
    }

    /// Evaluates module call `ci` (all its instances), once.
    fn call_out(&self, ci: usize) -> Rc<CallOut> {
        let module = self.module.clone();
        let Some(decl) = module.calls.get(ci) else {
            return self.call_failed(Span::default(), "no such module call".into());
        };
        self.memo(
            &self.call_outs,
            ci,
            format!("{}module.{}", self.prefix, decl.name),
            decl.block,
            || self.call_uncached(ci),
            |chain| {
                Rc::new(CallOut {
                    value: Val::unknown(chain, decl.block),
                    unknown_mode: false,
                })
            },
        )
    }

    fn call_uncached(&self, ci: usize) -> Rc<CallOut> {
        let module = self.module.clone();
        let Some(decl) = module.calls.get(ci) else {
            return self.call_failed(Span::default(), "no such module call".into());
        };
        let name = &decl.name;
        let Some((src, src_span)) = &decl.source else {
            return self.call_failed(decl.block, format!("module '{name}' has no literal source"));
        };
        if !is_local(src) {
            let reason = format!("module '{name}' (source \"{src}\") is not analysed");
            self.run.not_analysed.borrow_mut().push(Skip {
                span: *src_span,
                reason: reason.clone(),
            });
            return Rc::new(CallOut {
                value: Val::unknown(reason, *src_span),
                unknown_mode: false,
            });
        }
        let dir = normalize(&module.dir.join(src));
        let key = dir_key(&dir);
        if self.chain.contains(&key) {
            return self.call_failed(
                decl.block,
                format!("module recursion: '{}' calls itself", dir.display()),
            );
        }
        if self.calls.len() >= MAX_MODULE_DEPTH {
            return self.call_failed(
                decl.block,
                format!("module nesting deeper than {MAX_MODULE_DEPTH}"),
            );
        }
        let Some(child) = self.run.loader.load(&dir) else {
            return self.call_failed(
                *src_span,
                format!(
                    "module directory '{}' has no Terraform files",
                    dir.display()
                ),
            );
        };
        let insts = self.expand(&decl.body, None);
        let mut calls = self.calls.clone();
        calls.push(decl.block);
        let mut chain = self.chain.clone();
        chain.push(key);
        let outs: Vec<Val> = insts
            .items
            .iter()
            .map(|item| {
                let sc = item_scope(item);
                let vars = child
                    .variables
                    .iter()
                    .map(|(v, d)| {
                        let b = match decl.body.attr(v) {
                            Some(a) => Binding::Given(
                                self.eval(&a.expr, Some(&sc)),
                                Origin {
                                    span: a.expr.span,
                                    message: format!(
                                        "value comes from module '{name}' input '{v}'"
                                    ),
                                },
                            ),
                            None if d.default.is_some() => Binding::Default,
                            None => Binding::Missing,
                        };
                        (v.clone(), b)
                    })
                    .collect();
                let exists = match &insts.mode {
                    Mode::Unknown(v) => Existence::Maybe(v.clone()),
                    _ => self.exists.clone(),
                };
                let prefix = format!("{}module.{name}{}.", self.prefix, item.suffix);
                let inst = Inst::new(
                    self.run,
                    child.clone(),
                    vars,
                    prefix,
                    calls.clone(),
                    chain.clone(),
                    exists,
                );
                let outputs = inst.run_module();
                Val::new(Value::Map(outputs), decl.block)
            })
            .collect();
        let value = match insts.mode {
            Mode::Count => Val::new(Value::List(outs), decl.block),
            Mode::ForEach => Val::new(
                Value::Map(
                    insts
                        .items
                        .iter()
                        .zip(outs)
                        .map(|(it, o)| {
                            let k = it
                                .key
                                .as_ref()
                                .and_then(|k| k.as_str().map(|s| s.into_owned()));
                            (k.unwrap_or_default(), o)
                        })
                        .collect(),
                ),
                decl.block,
            ),
            Mode::Single | Mode::Unknown(_) => outs
                .into_iter()
                .next()
                .unwrap_or_else(|| Val::new(Value::Null, decl.block)),
        };
        Rc::new(CallOut {
            value,
            unknown_mode: matches!(insts.mode, Mode::Unknown(_)),
        })
    }
}

fn unknown_instances(v: Val) -> Instances {
    let u = unknown_of(&v, v.span)
        .unwrap_or_else(|| invalid("count/for_each is not a number or collection", v.span));
    let bind = obj(
        vec![("index", u.clone()), ("key", u.clone()), ("value", u)],
        v.span,
    );
    Instances {
        mode: Mode::Unknown(v),
        items: vec![Item {
            suffix: String::new(),
            key: None,
            bind: vec![("count", bind.clone()), ("each", bind)],
        }],
    }
}

/// The scope of one instance (`count` / `each`).
fn item_scope(item: &Item) -> Scope<'static> {
    Scope {
        vars: item
            .bind
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
        parent: None,
    }
}
