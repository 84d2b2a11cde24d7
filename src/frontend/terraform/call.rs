//! Module calls: local child modules instantiated lazily, remote ones left unknown.

use std::rc::Rc;

use foldhash::HashMap;

use super::ast::Op;
use super::eval::{invalid, Scope};
use super::instance::{Binding, Inst, Instances, Mode};
use super::module::{is_local, normalize, NotLoaded};
use super::run::Run;
use crate::budget::{map_bytes, SPENT};
use crate::input::root::OUTSIDE;
use crate::ir::{Existence, Origin, Skip, Val, Value};
use crate::source::Span;

/// Module calls nested deeper than this are not followed.
const MAX_MODULE_DEPTH: usize = 16;

/// The instances of one module call, or why it was not followed.
pub struct CallOut<'r> {
    insts: Instances,
    pub children: Vec<Rc<Inst<'r>>>,
    /// Unknown standing for every output when the call is not followed.
    failed: Option<Val>,
}

impl<'r> Inst<'r> {
    /// `module.<name>…` after the name.
    pub fn module_ref(
        &self,
        name: &str,
        ops: &[Op],
        span: Span,
        sc: Option<&Scope>,
    ) -> (Val, usize) {
        let Some(&ci) = self.module.call_index.get(name) else {
            return (
                invalid(format!("undeclared module '{name}'"), span),
                ops.len(),
            );
        };
        let out = self.call_out(ci);
        if let Some(u) = out.failed.as_ref().and_then(|f| f.as_unknown()) {
            return (Val::unknown(u.reason.clone(), span), ops.len());
        }
        let one = |i: usize, ops: &[Op]| match (out.children.get(i), ops.first()) {
            (Some(child), Some(Op::Attr(o))) => (self.output_at(name, child, o, span), 1),
            (Some(child), _) => (child.outputs_object(span), 0),
            (None, _) => (invalid("no module instance", span), ops.len()),
        };
        let whole = |i: usize| match out.children.get(i) {
            Some(child) => child.outputs_object(span),
            None => invalid("no module instance", span),
        };
        self.select_instance(&out.insts, ops, span, sc, &one, &whole)
    }

    fn output_at(&self, call: &str, child: &Inst, name: &str, span: Span) -> Val {
        let v = child.output(name);
        let o = Origin {
            span: v.span,
            message: format!("value comes from module '{call}' output '{name}'").into(),
        };
        self.relocate(self.copy(&v, span), span, &o)
    }

    /// Output `name` of this instance, evaluated once.
    pub fn output(&self, name: &str) -> Rc<Val> {
        let module = self.module.clone();
        let Some(expr) = module.outputs.get(name) else {
            return Rc::new(invalid(format!("no output '{name}'"), Span::default()));
        };
        self.memo(
            &self.output_memo,
            name,
            || format!("{}output.{name}", self.prefix),
            expr.span,
            || Rc::new(self.eval(expr, None)),
            |chain| Rc::new(Val::unknown(chain, expr.span)),
        )
    }

    fn outputs_object(&self, span: Span) -> Val {
        let outputs = &self.module.outputs;
        let keys: usize = outputs.keys().map(String::len).sum();
        if !self.run.take(map_bytes(outputs.len()) + keys as u64, span) {
            return Run::spent(span);
        }
        let map = self
            .module
            .outputs
            .keys()
            .map(|k| (k.clone(), self.copy(&self.output(k), span)))
            .collect();
        Val::new(Value::Map(map), span)
    }

    /// The instances of module call `ci`, created once.
    pub fn call_out(&self, ci: usize) -> Rc<CallOut<'r>> {
        let module = self.module.clone();
        let Some(decl) = module.calls.get(ci) else {
            return self.call_failed(Span::default(), "no such module call".into(), false);
        };
        self.memo(
            &self.call_outs,
            &ci,
            || format!("{}module.{}", self.prefix, decl.name),
            decl.block,
            || self.call_uncached(ci),
            |chain| self.call_failed(decl.block, chain.to_string(), false),
        )
    }

    fn call_failed(&self, span: Span, message: String, report: bool) -> Rc<CallOut<'r>> {
        if report {
            self.run.error(span, message.clone());
        }
        Rc::new(CallOut {
            insts: Instances::new(Mode::Single, Vec::new()),
            children: Vec::new(),
            failed: Some(Val::unknown(message, span)),
        })
    }

    fn call_uncached(&self, ci: usize) -> Rc<CallOut<'r>> {
        let module = self.module.clone();
        let Some(decl) = module.calls.get(ci) else {
            return self.call_failed(Span::default(), "no such module call".into(), false);
        };
        let name = &decl.name;
        let Some((src, src_span)) = &decl.source else {
            let msg = format!("module '{name}' has no literal source");
            return self.call_failed(decl.block, msg, true);
        };
        if !is_local(src) {
            let reason = format!("module '{name}' (source \"{src}\") is not analysed");
            self.run.not_analysed.borrow_mut().push(Skip {
                span: *src_span,
                reason: reason.clone(),
            });
            return self.call_failed(*src_span, reason, false);
        }
        let dir = normalize(&module.dir.join(src));
        let key = self.run.loader.key(&dir);
        if self.chain.contains(&key) {
            let msg = format!("module recursion: '{}' calls itself", dir.display());
            return self.call_failed(decl.block, msg, true);
        }
        if self.calls.len() >= MAX_MODULE_DEPTH {
            let msg = format!("module nesting deeper than {MAX_MODULE_DEPTH}");
            return self.call_failed(decl.block, msg, true);
        }
        let child = match self.run.loader.load(&dir) {
            Ok(child) => child,
            Err(NotLoaded::Outside) => {
                let reason =
                    format!("module '{name}' (source \"{src}\") is not analysed: {OUTSIDE}");
                self.run.not_analysed.borrow_mut().push(Skip {
                    span: *src_span,
                    reason: reason.clone(),
                });
                return self.call_failed(*src_span, reason, false);
            }
            Err(NotLoaded::Missing) => {
                let msg = format!("module directory '{}' does not exist", dir.display());
                return self.call_failed(*src_span, msg, true);
            }
            Err(NotLoaded::Empty) => {
                let msg = format!(
                    "module directory '{}' has no Terraform files",
                    dir.display()
                );
                return self.call_failed(*src_span, msg, true);
            }
        };
        let insts = self.expand(&decl.body, None);
        let mut calls = self.calls.clone();
        calls.push(decl.block);
        let mut chain = self.chain.clone();
        chain.push(key);
        // every child instance holds its own address prefix, call and module chains and
        // variable bindings
        let per_child = std::mem::size_of::<Inst>()
            + self.prefix.len()
            + name.len()
            + 32
            + calls.len() * std::mem::size_of::<Span>()
            + chain.iter().map(|p| p.as_os_str().len()).sum::<usize>()
            + child
                .variables
                .keys()
                .map(|v| v.len() + std::mem::size_of::<(String, Binding)>())
                .sum::<usize>();
        if !self
            .run
            .take((per_child * insts.items.len()) as u64, decl.block)
        {
            return self.call_failed(decl.block, SPENT.into(), false);
        }
        let exists = match &insts.mode {
            Mode::Unknown(v) => Existence::Maybe(v.clone()),
            _ => self.exists.clone(),
        };
        let children = insts
            .items
            .iter()
            .map(|item| {
                let bind = Rc::new(item.bind.clone());
                let vars: HashMap<String, Binding<'r>> = child
                    .variables
                    .iter()
                    .map(|(v, d)| {
                        let b = if decl.body.attr(v).is_some() {
                            Binding::Input {
                                parent: self.me.clone(),
                                call: ci,
                                bind: bind.clone(),
                            }
                        } else if d.default.is_some() {
                            Binding::Default
                        } else {
                            Binding::Missing
                        };
                        (v.clone(), b)
                    })
                    .collect();
                let prefix = format!("{}module.{name}{}.", self.prefix, item.suffix);
                Inst::new(
                    self.run,
                    child.clone(),
                    vars,
                    prefix,
                    calls.clone(),
                    chain.clone(),
                    exists.clone(),
                )
            })
            .collect();
        Rc::new(CallOut {
            insts,
            children,
            failed: None,
        })
    }
}
