//! One module instance: variables, locals and the lazily evaluated, memoised objects of a
//! module, with reference-cycle detection. Resources are in `resource.rs`, module calls in
//! `call.rs`.

use std::borrow::{Borrow, Cow};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hash::Hash;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use foldhash::HashMap;

use super::ast::{Body, Expr, ExprKind, Op};
use super::call::CallOut;
use super::eval::{invalid, key_text, num, quote, string, unknown_of, Scope};
use super::hcl::{self, Mapper};
use super::module::{dir_key, Module};
use super::run::Run;
use crate::budget::{self, map_bytes, NODE, SPENT};
use crate::ir::{Existence, Origin, Val, Value};
use crate::source::Span;

/// Instances allowed per `count`/`for_each`.
pub const MAX_INSTANCES: usize = 10_000;
/// Heap cost of one instance of a `count`/`for_each` expansion: its item, address suffix,
/// key and `count`/`each` object (the `each` values apart).
const ITEM_BYTES: u64 = std::mem::size_of::<Item>() as u64 + 4 * NODE + map_bytes(2) + 16;

/// How a variable of a module instance gets its value.
pub enum Binding<'r> {
    /// The argument of the module block that created the instance, evaluated by the caller.
    Input {
        parent: Weak<Inst<'r>>,
        call: usize,
        /// `count`/`each` of the calling instance.
        bind: Rc<Vec<(&'static str, Val)>>,
    },
    /// An expression in a tfvars file.
    Expr(&'r Expr, Origin),
    /// A `--var` string, converted by the declared type.
    Cli(String),
    Default,
    Missing,
}

pub enum Memo<T> {
    Busy,
    Done(T),
}

/// Reads instance `i` through the steps after the instance selection: (value, steps used).
pub type ReadInstance<'a> = dyn Fn(usize, &[Op]) -> (Val, usize) + 'a;

/// A memo table.
pub type Table<K, T> = RefCell<HashMap<K, Memo<T>>>;

/// `count`/`for_each` expansion of a resource or module call.
pub enum Mode {
    Single,
    Count,
    ForEach,
    /// `count`/`for_each` is unknown: one instance that may exist.
    Unknown(Val),
}

pub struct Item {
    /// Address suffix: ``, `[0]`, `["a"]`.
    pub suffix: String,
    /// `count.index` or `each.key`, to select the instance by index.
    pub key: Option<Val>,
    /// `count` / `each` and its object.
    pub bind: Vec<(&'static str, Val)>,
}

pub struct Instances {
    pub mode: Mode,
    pub items: Vec<Item>,
    /// Item position by key text (`0`, `a`).
    by_key: HashMap<String, usize>,
}

impl Instances {
    /// Instances with their key index.
    pub fn new(mode: Mode, items: Vec<Item>) -> Self {
        let by_key = items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| Some((key_text(it.key.as_ref()?), i)))
            .collect();
        Instances {
            mode,
            items,
            by_key,
        }
    }
}

/// One instance of a module (the root, or one expansion of a module call).
pub struct Inst<'r> {
    pub run: &'r Run<'r>,
    pub module: Arc<Module>,
    vars: HashMap<String, Binding<'r>>,
    /// Address prefix: `` or `module.net.` or `module.net["a"].`.
    pub prefix: String,
    /// Module blocks from the root down to this instance.
    pub calls: Vec<Span>,
    /// Directory keys of this module and its callers, for recursion detection.
    pub chain: Vec<PathBuf>,
    pub exists: Existence,
    pub me: Weak<Inst<'r>>,
    var_memo: Table<String, Rc<(Val, Option<Origin>)>>,
    /// A local's value and the provenance step its readers add.
    local_memo: Table<String, Rc<(Val, Origin)>>,
    pub insts: Table<usize, Rc<Instances>>,
    pub attrs: Table<(usize, usize), Rc<BTreeMap<String, Val>>>,
    pub call_outs: Table<usize, Rc<CallOut<'r>>>,
    pub output_memo: Table<String, Rc<Val>>,
}

/// An object value from pairs.
pub fn obj(pairs: Vec<(&str, Val)>, span: Span) -> Val {
    Val::new(
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        span,
    )
}

/// The scope of one instance (`count` / `each`).
pub fn item_scope<'a>(bind: &'a [(&'static str, Val)]) -> Scope<'a> {
    Scope {
        vars: bind.iter().map(|(n, v)| (*n, Cow::Borrowed(v))).collect(),
        parent: None,
    }
}

impl<'r> Inst<'r> {
    /// The root module instance with its variable bindings.
    pub fn root(
        run: &'r Run<'r>,
        module: Arc<Module>,
        vars: HashMap<String, Binding<'r>>,
    ) -> Rc<Self> {
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

    /// An instance; `prefix` is its address prefix, `calls` the module blocks above it.
    pub fn new(
        run: &'r Run<'r>,
        module: Arc<Module>,
        vars: HashMap<String, Binding<'r>>,
        prefix: String,
        calls: Vec<Span>,
        chain: Vec<PathBuf>,
        exists: Existence,
    ) -> Rc<Self> {
        Rc::new_cyclic(|me| Inst {
            run,
            module,
            vars,
            prefix,
            calls,
            chain,
            exists,
            me: me.clone(),
            var_memo: RefCell::default(),
            local_memo: RefCell::default(),
            insts: RefCell::default(),
            attrs: RefCell::default(),
            call_outs: RefCell::default(),
            output_memo: RefCell::default(),
        })
    }

    /// Evaluates the whole instance and the module instances it calls; resources go to the run.
    pub fn run_module(&self) {
        let module = self.module.clone();
        self.emit_resources();
        for (name, expr) in &module.locals {
            self.local(name, &[], expr.span, None);
        }
        for ci in 0..module.calls.len() {
            for child in &self.call_out(ci).children {
                child.run_module();
            }
        }
        for name in module.outputs.keys() {
            self.output(name);
        }
    }

    /// Memoised evaluation of `key`; a re-entry is a reference cycle (reported at `at`), and
    /// so is, without a report, a spent budget (`cyclic` then gets the budget's reason).
    pub fn memo<K, Q, T: Clone>(
        &self,
        table: &Table<K, T>,
        key: &Q,
        label: impl FnOnce() -> String,
        at: Span,
        compute: impl FnOnce() -> T,
        cyclic: impl FnOnce(&str) -> T,
    ) -> T
    where
        K: Hash + Eq + Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let state = match table.borrow().get(key) {
            Some(Memo::Done(v)) => Some(Ok(v.clone())),
            Some(Memo::Busy) => Some(Err(())),
            None => None,
        };
        match state {
            Some(Ok(v)) => return v,
            Some(Err(())) => {
                let label = label();
                let chain = {
                    let stack = self.run.stack.borrow();
                    let from = stack.iter().rposition(|s| *s == label).unwrap_or(0);
                    let mut chain: Vec<&str> = stack
                        .get(from..)
                        .unwrap_or_default()
                        .iter()
                        .map(String::as_str)
                        .collect();
                    chain.push(&label);
                    format!("reference cycle: {}", chain.join(" → "))
                };
                self.run.error(at, &chain);
                return cyclic(&chain);
            }
            None => {}
        }
        // the label holds the instance's address prefix, which may hold long keys
        let label = label();
        let cost = label.len() as u64;
        self.run.stack.borrow_mut().push(label);
        if !self.run.take(cost, at) {
            self.run.stack.borrow_mut().pop();
            return cyclic(SPENT);
        }
        table.borrow_mut().insert(key.to_owned(), Memo::Busy);
        let v = compute();
        self.run.stack.borrow_mut().pop();
        if let Some(slot) = table.borrow_mut().get_mut(key) {
            *slot = Memo::Done(v.clone());
        }
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
        let used = |(v, n): (Val, usize), before: usize| (v, n + before);
        match (root, attr(0)) {
            ("var", Some(n)) => (self.var(n, rest(1), span, sc), ops.len()),
            ("local", Some(n)) => (self.local(n, rest(1), span, sc), ops.len()),
            ("module", Some(n)) => used(self.module_ref(n, rest(1), span, sc), 1),
            ("data", Some(t)) => match attr(1).and_then(|n| res(true, t, n)) {
                Some(idx) => used(self.resource_ref(idx, rest(2), span, sc), 2),
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
            // `resource.aws_x.name`: the explicit form of `aws_x.name`.
            ("resource", Some(t)) => match attr(1).and_then(|n| res(false, t, n)) {
                Some(idx) => used(self.resource_ref(idx, rest(2), span, sc), 2),
                None => (
                    invalid(format!("undeclared reference resource.{t}"), span),
                    ops.len(),
                ),
            },
            ("terraform", Some("workspace")) => (string("default", span), 1),
            ("self", _) => (Val::unknown("self is known at apply", span), ops.len()),
            (t, Some(n)) => match res(false, t, n) {
                Some(idx) => used(self.resource_ref(idx, rest(1), span, sc), 1),
                None => (
                    invalid(format!("undeclared reference {t}.{n}"), span),
                    ops.len(),
                ),
            },
            (t, None) => (invalid(format!("unknown reference '{t}'"), span), ops.len()),
        }
    }

    /// A stored value read at `span` through `ops`, with its provenance.
    fn read(
        &self,
        v: &Val,
        origin: Option<&Origin>,
        ops: &[Op],
        span: Span,
        sc: Option<&Scope>,
    ) -> Val {
        let v = self.apply_ref(v, ops, span, sc);
        match origin {
            Some(o) => self.relocate(v, span, o),
            None => Val { span, ..v },
        }
    }

    fn var(&self, name: &str, ops: &[Op], span: Span, sc: Option<&Scope>) -> Val {
        let Some(decl) = self.module.variables.get(name) else {
            return invalid(format!("undeclared variable '{name}'"), span);
        };
        let raw = self.memo(
            &self.var_memo,
            name,
            || format!("{}var.{name}", self.prefix),
            decl.label,
            || {
                let (v, origin) = match self.var_value(name) {
                    (v, _) if v.is_null() && !decl.nullable => self.default_value(name),
                    given => given,
                };
                let v = match &decl.ty {
                    Some(ty) => self.conform(v, ty, 0),
                    None => v,
                };
                Rc::new((v, origin))
            },
            |chain| Rc::new((Val::unknown(chain, decl.label), None)),
        );
        self.read(&raw.0, raw.1.as_ref(), ops, span, sc)
    }

    /// A variable's value where it is defined, and the origin to add at each use.
    fn var_value(&self, name: &str) -> (Val, Option<Origin>) {
        let Some(decl) = self.module.variables.get(name) else {
            return (
                invalid(format!("undeclared variable '{name}'"), Span::default()),
                None,
            );
        };
        let origin = |span: Span, message: String| {
            Some(Origin {
                span,
                message: message.into(),
            })
        };
        let missing = || no_value(name, decl.label);
        match self.vars.get(name).unwrap_or(&Binding::Default) {
            Binding::Input { parent, call, bind } => {
                let arg = parent.upgrade().and_then(|p| {
                    let decl = p.module.calls.get(*call)?;
                    let a = decl.body.attr(name)?;
                    let sc = item_scope(bind);
                    let msg = format!("value comes from module '{}' input '{name}'", decl.name);
                    Some((p.eval(&a.expr, Some(&sc)), origin(a.expr.span, msg)))
                });
                arg.unwrap_or_else(missing)
            }
            Binding::Expr(e, o) => (self.eval(e, None), Some(o.clone())),
            Binding::Cli(raw) => (
                self.cli_value(raw, decl.ty.as_ref(), decl.label),
                origin(decl.label, format!("value comes from --var {name}")),
            ),
            Binding::Default => self.default_value(name),
            Binding::Missing => missing(),
        }
    }

    /// A variable's default and its origin (no value without one).
    fn default_value(&self, name: &str) -> (Val, Option<Origin>) {
        let decl = self.module.variables.get(name);
        match decl.and_then(|d| d.default.as_ref()) {
            Some(d) => (
                self.eval(d, None),
                Some(Origin {
                    span: d.span,
                    message: format!("value comes from variable '{name}' default").into(),
                }),
            ),
            None => no_value(name, decl.map(|d| d.label).unwrap_or_default()),
        }
    }

    /// A `--var` string: parsed as an expression for collection types (`["a", "b"]`), else
    /// kept as a string for [`Inst::conform`] to convert.
    fn cli_value(&self, raw: &str, ty: Option<&Expr>, at: Span) -> Val {
        if !matches!(ty.map(|t| &t.kind), Some(ExprKind::Call { .. })) {
            return string(raw, at);
        }
        let file = self.run.sources.get(at.file);
        let m = Mapper {
            file: &file,
            base: 0,
            exact: false,
            fallback: at,
        };
        match hcl::parse_expr(raw, &m) {
            Some(e) => self.eval(&e, None),
            None => invalid(format!("--var value '{raw}' does not parse"), at),
        }
    }

    fn local(&self, name: &str, ops: &[Op], span: Span, sc: Option<&Scope>) -> Val {
        let module = self.module.clone();
        let Some(expr) = module.locals.get(name) else {
            return invalid(format!("undeclared local '{name}'"), span);
        };
        let origin = || Origin {
            span: expr.span,
            message: format!("value comes from local '{name}'").into(),
        };
        let v = self.memo(
            &self.local_memo,
            name,
            || format!("{}local.{name}", self.prefix),
            expr.span,
            || Rc::new((self.eval(expr, None), origin())),
            |chain| Rc::new((Val::unknown(chain, expr.span), origin())),
        );
        self.read(&v.0, Some(&v.1), ops, span, sc)
    }

    /// Picks instances of a `count`/`for_each` object by the first step (`[i]`, `["k"]`,
    /// `[*]`); `one(i, ops)` reads instance `i` through the following steps, `whole(i)` is
    /// instance `i` as an object.
    pub fn select_instance(
        &self,
        insts: &Instances,
        ops: &[Op],
        span: Span,
        sc: Option<&Scope>,
        one: &ReadInstance,
        whole: &dyn Fn(usize) -> Val,
    ) -> (Val, usize) {
        let rest = ops.get(1..).unwrap_or_default();
        let then = |(v, used): (Val, usize)| (v, used + 1);
        match (ops.first(), &insts.mode) {
            (Some(Op::Splat), _) => {
                let list = (0..insts.items.len())
                    .map(|i| {
                        let (v, used) = one(i, rest);
                        self.apply_ref(&v, rest.get(used..).unwrap_or_default(), span, sc)
                    })
                    .collect();
                (Val::new(Value::List(list), span), ops.len())
            }
            (Some(Op::Index(_)), Mode::Unknown(_)) => then(one(0, rest)),
            (Some(Op::Index(e)), Mode::Count | Mode::ForEach) => {
                let k = self.eval(e, sc);
                if let Some(u) = unknown_of(&k, span) {
                    return (u, ops.len());
                }
                let wanted = key_text(&k);
                let found = insts.by_key.get(&wanted).copied();
                match found {
                    Some(i) => then(one(i, rest)),
                    None => (invalid(format!("no instance [{wanted}]"), span), ops.len()),
                }
            }
            (_, Mode::Count) => {
                let list = (0..insts.items.len()).map(whole).collect();
                (Val::new(Value::List(list), span), 0)
            }
            (_, Mode::ForEach) => {
                let map = insts
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| (it.key.as_ref().map(key_text).unwrap_or_default(), whole(i)))
                    .collect();
                (Val::new(Value::Map(map), span), 0)
            }
            (None, Mode::Unknown(v)) => (unknown_of(v, span).unwrap_or_else(|| v.clone()), 0),
            (_, Mode::Single | Mode::Unknown(_)) => one(0, ops),
        }
    }
    /// `count` / `for_each` of a resource or module block, its instances paid for before
    /// they are made.
    pub fn expand(&self, body: &Body, sc: Option<&Scope>) -> Instances {
        if let Some(a) = body.attr("count") {
            let v = self.eval(&a.expr, sc);
            return match v.as_i64() {
                Some(n)
                    if (0..=MAX_INSTANCES as i64).contains(&n)
                        && !self.run.take(n as u64 * ITEM_BYTES, a.expr.span) =>
                {
                    unknown_instances(Run::spent(a.expr.span))
                }
                Some(n) if (0..=MAX_INSTANCES as i64).contains(&n) => Instances::new(
                    Mode::Count,
                    (0..n as usize)
                        .map(|i| Item {
                            suffix: format!("[{i}]"),
                            key: Some(num(i, a.expr.span)),
                            bind: vec![(
                                "count",
                                obj(vec![("index", num(i, a.expr.span))], a.expr.span),
                            )],
                        })
                        .collect(),
                ),
                Some(n) => self.too_many(n, a.expr.span),
                None => unknown_instances(v),
            };
        }
        let Some(a) = body.attr("for_each") else {
            return Instances::new(
                Mode::Single,
                vec![Item {
                    suffix: String::new(),
                    key: None,
                    bind: Vec::new(),
                }],
            );
        };
        let v = self.eval(&a.expr, sc);
        // each instance holds its key (twice) and a copy of its value
        let n = match &v.value {
            Value::Map(m) => m.len(),
            Value::List(l) => l.len(),
            _ => 0,
        };
        let cost = 3 * budget::size(&v, self.run.budget.bytes_left());
        if n <= MAX_INSTANCES && !self.run.take(cost + n as u64 * ITEM_BYTES, a.expr.span) {
            return unknown_instances(Run::spent(a.expr.span));
        }
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
            Some(p) if p.len() > MAX_INSTANCES => self.too_many(p.len() as i64, a.expr.span),
            Some(p) => Instances::new(
                Mode::ForEach,
                p.into_iter()
                    .map(|(k, key, value)| Item {
                        suffix: format!("[{}]", quote(&k)),
                        key: Some(key.clone()),
                        bind: vec![(
                            "each",
                            obj(vec![("key", key), ("value", value)], a.expr.span),
                        )],
                    })
                    .collect(),
            ),
            None => unknown_instances(v),
        }
    }

    fn too_many(&self, n: i64, span: Span) -> Instances {
        self.run.error(
            span,
            format!("{n} instances exceed the limit of {MAX_INSTANCES}"),
        );
        unknown_instances(Val::unknown("too many instances", span))
    }
}

/// The value of a variable that has none: unknown, pointing at the declaration.
fn no_value(name: &str, label: Span) -> (Val, Option<Origin>) {
    let v = Val::unknown(format!("variable '{name}' has no value"), label).with_origin(
        label,
        format!("variable '{name}' is declared here without a default"),
    );
    (v, None)
}

/// One instance that may or may not exist; `count`/`each` are unknown in it.
pub fn unknown_instances(v: Val) -> Instances {
    let u = unknown_of(&v, v.span)
        .unwrap_or_else(|| invalid("count/for_each is not a number or collection", v.span));
    let bind = obj(
        vec![("index", u.clone()), ("key", u.clone()), ("value", u)],
        v.span,
    );
    Instances::new(
        Mode::Unknown(v),
        vec![Item {
            suffix: String::new(),
            key: None,
            bind: vec![("count", bind.clone()), ("each", bind)],
        }],
    )
}
