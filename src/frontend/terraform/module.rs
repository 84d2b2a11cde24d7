//! Modules: the declarations of one directory, and the loader that parses each once.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use foldhash::HashMap;

use super::ast::{Block, Body, Expr, ExprKind};
use super::{hcl, json};
use crate::ir::Diagnostic;
use crate::source::{SourceFile, SourceMap, Span};

/// `variable "name" { … }`.
#[derive(Debug)]
pub struct VarDecl {
    pub label: Span,
    pub default: Option<Expr>,
    pub ty: Option<Expr>,
    /// `nullable = false`: a null value is replaced by the default.
    pub nullable: bool,
}

/// A `resource` or `data` block.
#[derive(Debug)]
pub struct ResDecl {
    pub data: bool,
    pub rtype: String,
    pub name: String,
    /// Covers the type and name labels.
    pub label: Span,
    pub body: Body,
}

/// A `module "name" { source = … }` block.
#[derive(Debug)]
pub struct CallDecl {
    pub name: String,
    pub block: Span,
    /// The `source` string and its span.
    pub source: Option<(String, Span)>,
    pub body: Body,
}

/// The declarations of one module directory.
#[derive(Debug, Default)]
pub struct Module {
    /// The directory as read (relative to the working directory when given so).
    pub dir: PathBuf,
    /// `dir` with forward slashes, for keys and `path.module`.
    pub display: String,
    pub variables: BTreeMap<String, VarDecl>,
    pub locals: BTreeMap<String, Expr>,
    pub resources: Vec<ResDecl>,
    /// (is data source, type, name) → index into `resources`.
    pub res_index: HashMap<(bool, String, String), usize>,
    pub calls: Vec<CallDecl>,
    pub call_index: HashMap<String, usize>,
    pub outputs: BTreeMap<String, Expr>,
    /// Parse errors and duplicate declarations.
    pub errors: Vec<Diagnostic>,
}

/// A source file parsed into a body (or its parse error).
pub fn parse(file: &SourceFile) -> Result<Body, Diagnostic> {
    let name = file.path.to_string_lossy();
    if name.ends_with(".tfvars.json") {
        json::parse_tfvars(file)
    } else if name.ends_with(".json") {
        json::parse_file(file)
    } else {
        hcl::parse_file(file)
    }
}

impl Module {
    /// Builds a module from its parsed files (in file name order).
    pub fn new(dir: PathBuf, parsed: Vec<Result<Body, Diagnostic>>) -> Module {
        let mut m = Module {
            display: display(&dir),
            dir,
            ..Module::default()
        };
        for body in parsed {
            match body {
                Ok(b) => b.blocks.into_iter().for_each(|blk| m.add_block(blk)),
                Err(d) => m.errors.push(d),
            }
        }
        m
    }

    fn duplicate(&mut self, what: String, span: Span) {
        self.errors.push(Diagnostic {
            span,
            message: format!("duplicate {what}"),
        });
    }

    fn add_block(&mut self, mut b: Block) {
        let label = |b: &Block, i: usize| b.labels.get(i).map(|l| (l.name.clone(), l.span));
        match b.kind.as_str() {
            "variable" => {
                let Some((name, span)) = label(&b, 0) else {
                    return;
                };
                if self.variables.contains_key(&name) {
                    return self.duplicate(format!("variable '{name}'"), span);
                }
                let take = |body: &mut Body, n: &str| {
                    let i = body.attrs.iter().position(|a| a.name == n)?;
                    Some(body.attrs.swap_remove(i).expr)
                };
                let default = take(&mut b.body, "default");
                let ty = take(&mut b.body, "type");
                let nullable = !matches!(
                    take(&mut b.body, "nullable").map(|e| e.kind),
                    Some(ExprKind::Bool(false))
                );
                let decl = VarDecl {
                    label: span,
                    default,
                    ty,
                    nullable,
                };
                self.variables.insert(name, decl);
            }
            "locals" => {
                for a in b.body.attrs {
                    match self.locals.entry(a.name) {
                        Entry::Occupied(o) => {
                            let what = format!("local '{}'", o.key());
                            self.duplicate(what, a.expr.span);
                        }
                        Entry::Vacant(v) => {
                            v.insert(a.expr);
                        }
                    }
                }
            }
            "output" => {
                let Some((name, _)) = label(&b, 0) else {
                    return;
                };
                if let Some(v) = b.body.attrs.into_iter().find(|a| a.name == "value") {
                    self.outputs.insert(name, v.expr);
                }
            }
            "resource" | "data" => {
                let (Some((rtype, t)), Some((name, n))) = (label(&b, 0), label(&b, 1)) else {
                    return;
                };
                let data = b.kind == "data";
                let key = (data, rtype.clone(), name.clone());
                let label = t.cover(n);
                if self.res_index.contains_key(&key) {
                    let prefix = if data { "data." } else { "" };
                    return self.duplicate(format!("resource {prefix}{rtype}.{name}"), label);
                }
                self.res_index.insert(key, self.resources.len());
                self.resources.push(ResDecl {
                    data,
                    rtype,
                    name,
                    label,
                    body: b.body,
                });
            }
            "module" => {
                let Some((name, span)) = label(&b, 0) else {
                    return;
                };
                if self.call_index.contains_key(&name) {
                    return self.duplicate(format!("module call '{name}'"), span);
                }
                let source = b
                    .body
                    .attr("source")
                    .and_then(|a| Some((a.expr.as_literal_str()?, a.expr.span)));
                self.call_index.insert(name.clone(), self.calls.len());
                self.calls.push(CallDecl {
                    name,
                    block: b.span,
                    source,
                    body: b.body,
                });
            }
            _ => {}
        }
    }

    /// Local module calls: (call index, resolved directory).
    pub fn local_calls(&self) -> impl Iterator<Item = (usize, PathBuf)> + '_ {
        self.calls.iter().enumerate().filter_map(|(i, c)| {
            let (src, _) = c.source.as_ref()?;
            is_local(src).then(|| (i, normalize(&self.dir.join(src))))
        })
    }
}

/// Override files (`override.tf`, `*_override.tf[.json]`) merge into other files'
/// blocks; they are not analysed.
pub fn is_override(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    let stem = stem.strip_suffix(".tf").unwrap_or(stem);
    stem == "override" || stem.ends_with("_override")
}

/// True for `./x` and `../x` module sources.
pub fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// Removes `.` and resolvable `..` components without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A directory for output: forward slashes, no leading `./`.
pub fn display(dir: &Path) -> String {
    let s = dir.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// Identity of a directory: its canonical path when it exists, else its normalised path.
pub fn dir_key(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| normalize(dir))
}

/// A module parsed once (None: the directory has no Terraform files).
type Slot = Arc<OnceLock<Option<Arc<Module>>>>;

/// Parses each module directory once, whether scanned or reached through a module call.
pub struct Loader<'a> {
    sources: &'a SourceMap,
    max_file_size: u64,
    cache: Mutex<HashMap<PathBuf, Slot>>,
    /// [`dir_key`] by directory as written (canonicalising costs a system call per path
    /// component; module calls name the same directories over and over). Keyed by the bytes
    /// of the path, which hash far faster than its components.
    keys: Mutex<HashMap<OsString, PathBuf>>,
    /// Parse errors of modules read from disk.
    pub errors: Mutex<Vec<Diagnostic>>,
}

impl<'a> Loader<'a> {
    /// A loader that adds the files it reads to `sources`.
    pub fn new(sources: &'a SourceMap, max_file_size: u64) -> Self {
        Loader {
            sources,
            max_file_size,
            cache: Mutex::default(),
            keys: Mutex::default(),
            errors: Mutex::default(),
        }
    }

    /// Registers a module built from scanned files.
    pub fn insert(&self, key: PathBuf, module: Arc<Module>) {
        let cell = OnceLock::new();
        let _ = cell.set(Some(module));
        self.lock().insert(key, Arc::new(cell));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Slot>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`dir_key`] of `dir`, computed once per directory.
    pub fn key(&self, dir: &Path) -> PathBuf {
        let lock = || self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = lock().get(dir.as_os_str()) {
            return k.clone();
        }
        let key = dir_key(dir);
        lock().insert(dir.as_os_str().to_owned(), key.clone());
        key
    }

    /// The modules read, by directory.
    pub fn into_cache(self) -> HashMap<PathBuf, Slot> {
        self.cache.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// The module in `dir` (parsed on first use); None when the directory has no Terraform files.
    pub fn load(&self, dir: &Path) -> Option<Arc<Module>> {
        let key = self.key(dir);
        let cell = self.lock().entry(key).or_default().clone();
        cell.get_or_init(|| self.read(dir)).clone()
    }

    fn read(&self, dir: &Path) -> Option<Arc<Module>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let n = p.to_string_lossy();
                (n.ends_with(".tf") || n.ends_with(".tf.json")) && !is_override(p) && p.is_file()
            })
            .collect();
        if paths.is_empty() {
            return None;
        }
        paths.sort();
        let parsed = paths
            .into_iter()
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= self.max_file_size))
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                let file = self.sources.add(normalize(&p), text);
                Some(parse(&file))
            })
            .collect();
        let module = Module::new(normalize(dir), parsed);
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(module.errors.iter().cloned());
        Some(Arc::new(module))
    }
}
