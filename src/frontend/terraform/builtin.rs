//! Function calls: the lazy `try`/`can`, the file functions, and the built-ins of
//! [`functions`](super::functions).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::ast::Expr;
use super::eval::{invalid, is_invalid, unknown_of, Scope};
use super::functions::{self, Failure};
use super::hcl::{self, Mapper};
use super::instance::Inst;
use super::run::Run;
use crate::input::root::OUTSIDE;
use crate::input::Admission;
use crate::ir::{Val, Value};
use crate::source::Span;

/// Files larger than this are not read by `file`/`templatefile`.
const MAX_READ: u64 = 1024 * 1024;

impl Inst<'_> {
    /// Calls function `name` on `args` (`expand`: the last argument is spread).
    pub fn call(
        &self,
        name: &str,
        args: &[Expr],
        expand: bool,
        span: Span,
        sc: Option<&Scope>,
    ) -> Val {
        match name {
            "try" => {
                let mut last = invalid("try() needs an argument", span);
                for a in args {
                    last = self.eval(a, sc);
                    if !is_invalid(&last) {
                        return last;
                    }
                }
                return last;
            }
            "can" => {
                let Some(a) = args.first() else {
                    return invalid("can() needs an argument", span);
                };
                let v = self.eval(a, sc);
                if is_invalid(&v) {
                    return Val::new(Value::Bool(false), span);
                }
                return match &v.value {
                    Value::Unknown(_) => unknown_of(&v, span).unwrap_or(v),
                    _ => Val::new(Value::Bool(true), span),
                };
            }
            _ => {}
        }
        let mut vals: Vec<Val> = args.iter().map(|a| self.eval(a, sc)).collect();
        if expand {
            match vals.pop() {
                Some(Val {
                    value: Value::List(l),
                    ..
                }) => vals.extend(l),
                Some(other) => match unknown_of(&other, span) {
                    Some(u) => return u,
                    None => return invalid("'...' needs a list", other.span),
                },
                None => {}
            }
        }
        let result = match name {
            "file" | "fileexists" | "templatefile" => self.file_function(name, &vals, span),
            _ => match functions::call(name, &vals, span, &self.run.budget) {
                Ok(v) => v,
                Err(Failure::Invalid(e)) => invalid(e, span),
                Err(Failure::Budget(e)) => {
                    self.run.granted(Err(e), span);
                    return Run::spent(span);
                }
            },
        };
        // the result is a new value, paid for by its size
        if self.run.granted(self.run.budget.take_size(&result), span) {
            result
        } else {
            Run::spent(span)
        }
    }

    /// The file `path` names, inside the analysed tree: as written (relative to the working
    /// directory, as `path.module` is) or relative to the module. None when it leaves the tree;
    /// `Some(None)` when there is no such file.
    fn locate(&self, path: &Path) -> Option<Option<PathBuf>> {
        if let Admission::Inside(at) = self.run.admit(path) {
            if at.is_file() {
                return Some(Some(at));
            }
        }
        match self.run.admit(&self.module.dir.join(path)) {
            Admission::Inside(at) => Some(at.is_file().then_some(at)),
            Admission::Outside => None,
            Admission::Missing => Some(None),
        }
    }

    /// `file`, `fileexists` and `templatefile`, relative to the working directory or the
    /// module. Only files inside the analysed tree are read; for a path that leaves it the
    /// value is unknown (even `fileexists`: existence outside is not revealed either).
    fn file_function(&self, name: &str, args: &[Val], span: Span) -> Val {
        let Some(first) = args.first() else {
            return invalid(format!("{name}() needs a path"), span);
        };
        if let Some(u) = unknown_of(first, span) {
            return u;
        }
        let Some(rel) = first.as_str() else {
            return invalid(format!("{name}() needs a string path"), span);
        };
        let rel = Path::new(rel.as_ref());
        let Some(found) = self.locate(rel) else {
            let why = format!("{name}(): path '{}' {OUTSIDE}", rel.display());
            return Val::unknown(why, span);
        };
        if name == "fileexists" {
            return Val::new(Value::Bool(found.is_some()), span);
        }
        let file = match found.map(|p| self.run.read_file(&p, MAX_READ)) {
            Some(Ok(file)) => file,
            Some(Err(why)) => return invalid(format!("{name}(): {why}"), span),
            None => return invalid(format!("{name}(): cannot read {}", rel.display()), span),
        };
        if name == "file" {
            return Val::new(Value::String(file.body().to_string()), span);
        }
        let vars = match args.get(1).map(|v| &v.value) {
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| (k.as_str(), Cow::Borrowed(v)))
                .collect(),
            None => Vec::new(),
            Some(_) => match args.get(1).and_then(|v| unknown_of(v, span)) {
                Some(u) => return u,
                None => return invalid("templatefile() needs a map of variables", span),
            },
        };
        match hcl::parse_template(file.body(), &Mapper::whole(&file)) {
            Ok(parts) => {
                let sc = Scope { vars, parent: None };
                self.template(&parts, span, Some(&sc))
            }
            Err(e) => invalid(format!("templatefile(): {e}"), span),
        }
    }
}
