//! State shared by every module instance of one root module's evaluation.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::HashMap;

use super::module::{normalize, Loader};
use crate::budget::{display_name, Budget, Exceeded, NODE, SPENT};
use crate::input::{read_text, Admission};
use crate::ir::{Diagnostic, Resource, Skip, Val};
use crate::source::{SourceFile, SourceMap, Span};

/// Evaluation steps allowed per root module.
const STEPS: u64 = 5_000_000;

/// Shared state of one root module's evaluation (single-threaded).
pub struct Run<'a> {
    pub loader: &'a Loader<'a>,
    pub sources: &'a SourceMap,
    /// Root module directory, the prefix of every resource key.
    pub root: String,
    /// Current evaluation nesting, bounded by [`super::eval::MAX_DEPTH`].
    pub depth: Cell<usize>,
    /// Steps and bytes of values, shared by every module instance of the root.
    pub budget: Budget,
    /// Names being evaluated, innermost last, for cycle and budget messages.
    pub stack: RefCell<Vec<String>>,
    pub errors: RefCell<Vec<Diagnostic>>,
    pub not_analysed: RefCell<Vec<Skip>>,
    pub resources: RefCell<Vec<Resource>>,
    files: RefCell<HashMap<PathBuf, Result<Arc<SourceFile>, String>>>,
    /// Where paths named by `file()` and friends lead (module instances repeat them).
    admitted: RefCell<HashMap<PathBuf, Admission>>,
}

impl<'a> Run<'a> {
    /// A run for the root module displayed as `root`.
    pub fn new(loader: &'a Loader<'a>, sources: &'a SourceMap, root: String) -> Self {
        Run {
            loader,
            sources,
            root,
            depth: Cell::new(0),
            budget: Budget::new(STEPS),
            stack: RefCell::default(),
            errors: RefCell::default(),
            not_analysed: RefCell::default(),
            resources: RefCell::default(),
            files: RefCell::default(),
            admitted: RefCell::default(),
        }
    }

    /// Counts one step and the node it creates; false once the budget is spent (reported
    /// once, at `span`).
    pub fn step(&self, span: Span) -> bool {
        self.charge(1, span) && self.take(NODE, span)
    }

    /// Counts `n` steps (copying a value costs its size); false once the budget is spent.
    pub fn charge(&self, n: u64, span: Span) -> bool {
        self.granted(self.budget.steps(n), span)
    }

    /// Charges `n` bytes of created values; false once the budget is spent.
    pub fn take(&self, n: u64, span: Span) -> bool {
        self.granted(self.budget.take(n), span)
    }

    /// Steps left in the budget.
    pub fn remaining(&self) -> u64 {
        self.budget.steps_left()
    }

    /// The value standing for what the spent budget did not evaluate.
    pub fn spent(span: Span) -> Val {
        Val::unknown(SPENT, span)
    }

    /// Charges `n` bytes for `what` (named when the budget runs out there); false once the
    /// budget is spent.
    pub fn take_for(&self, n: u64, span: Span, what: &str) -> bool {
        self.granted_for(self.budget.take(n), span, Some(what))
    }

    /// True when `charge` was granted; the first refusal is reported at `span`, naming what
    /// was being evaluated.
    pub fn granted(&self, charge: Result<(), Exceeded>, span: Span) -> bool {
        self.granted_for(charge, span, None)
    }

    /// [`Run::granted`] naming `what`, else the innermost name being evaluated.
    fn granted_for(&self, charge: Result<(), Exceeded>, span: Span, what: Option<&str>) -> bool {
        match charge {
            Ok(()) => true,
            Err(e) => {
                if e.first {
                    let what = match what.or(self.stack.borrow().last().map(String::as_str)) {
                        Some(name) => display_name(name),
                        None => "the configuration".to_string(),
                    };
                    self.error(
                        span,
                        format!(
                            "{} while evaluating `{what}`; the root module is not analysed",
                            e.spent
                        ),
                    );
                }
                false
            }
        }
    }

    /// The resources of the root module; none when its budget ran out (its error says so,
    /// and its resources, some of them missing, would mislead the analysis).
    pub fn take_resources(&self) -> Vec<Resource> {
        match self.budget.is_spent() {
            true => Vec::new(),
            false => self.resources.take(),
        }
    }

    /// Records a diagnostic.
    pub fn error(&self, span: Span, message: impl Into<String>) {
        self.errors.borrow_mut().push(Diagnostic {
            span,
            message: message.into(),
        });
    }

    /// Where `path` leads in the analysed tree, looked up once per run.
    pub fn admit(&self, path: &Path) -> Admission {
        if let Some(a) = self.admitted.borrow().get(path) {
            return a.clone();
        }
        let a = self.loader.confinement.admit(path);
        self.admitted
            .borrow_mut()
            .insert(path.to_path_buf(), a.clone());
        a
    }

    /// A file read for `file`/`templatefile` at its canonical path inside the analysed tree,
    /// added to the source map once; the error says why it could not be read.
    pub fn read_file(&self, path: &Path, max: u64) -> Result<Arc<SourceFile>, String> {
        self.files
            .borrow_mut()
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let text = read_text(path, max, false).map_err(|e| e.to_string())?;
                Ok(self.sources.add(normalize(path), text))
            })
            .clone()
    }
}
