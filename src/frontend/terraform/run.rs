//! State shared by every module instance of one root module's evaluation.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::HashMap;

use super::module::{normalize, Loader};
use crate::input::{read_text, Admission};
use crate::ir::{Diagnostic, Resource, Skip};
use crate::source::{SourceFile, SourceMap, Span};

/// Evaluation steps allowed per root module.
const BUDGET: u64 = 5_000_000;

/// Shared state of one root module's evaluation (single-threaded).
pub struct Run<'a> {
    pub loader: &'a Loader<'a>,
    pub sources: &'a SourceMap,
    /// Root module directory, the prefix of every resource key.
    pub root: String,
    /// Current evaluation nesting, bounded by [`super::eval::MAX_DEPTH`].
    pub depth: Cell<usize>,
    steps: Cell<u64>,
    /// Names being evaluated, innermost last, for cycle messages.
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
            steps: Cell::new(0),
            stack: RefCell::default(),
            errors: RefCell::default(),
            not_analysed: RefCell::default(),
            resources: RefCell::default(),
            files: RefCell::default(),
            admitted: RefCell::default(),
        }
    }

    /// Counts one step; false once the budget is spent (reported once, at `span`).
    pub fn step(&self, span: Span) -> bool {
        self.charge(1, span)
    }

    /// Counts `n` steps (copying a value costs its size); false once the budget is spent.
    pub fn charge(&self, n: u64, span: Span) -> bool {
        let before = self.steps.get();
        let after = before.saturating_add(n);
        self.steps.set(after);
        if before < BUDGET && after >= BUDGET {
            self.error(
                span,
                "evaluation budget exceeded; the remaining values are unknown",
            );
        }
        after < BUDGET
    }

    /// Steps left in the budget.
    pub fn remaining(&self) -> u64 {
        BUDGET.saturating_sub(self.steps.get())
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
