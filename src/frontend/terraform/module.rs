//! Modules: the declarations of one directory, and the loader that parses each once.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::FileType;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use foldhash::HashMap;

use super::ast::{Block, Body, Expr, ExprKind};
use super::{hcl, json};
use crate::input::root::Found;
use crate::input::{read_text, Admission, Confinement, ReadError};
use crate::ir::{Diagnostic, Lowered, Skip};
use crate::settings::Settings;
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

/// Why a module directory gives no module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotLoaded {
    /// It resolves outside the analysed tree, and is not read.
    Outside,
    /// It does not exist (or is not a directory).
    Missing,
    /// It holds no Terraform configuration files.
    Empty,
}

/// A module parsed once.
type Slot = Arc<OnceLock<Result<Arc<Module>, NotLoaded>>>;

/// Parses each module directory once, whether scanned or reached through a module call.
pub struct Loader<'a> {
    sources: &'a SourceMap,
    settings: &'a Settings,
    /// The analysed tree: module directories and files read for `file()` must lie in it.
    pub confinement: &'a Confinement,
    cache: Mutex<HashMap<PathBuf, Slot>>,
    /// [`dir_key`] by directory as written (canonicalising costs a system call per path
    /// component; module calls name the same directories over and over). Keyed by the bytes
    /// of the path, which hash far faster than its components.
    keys: Mutex<HashMap<OsString, PathBuf>>,
    /// Parse errors, unreadable and skipped files of modules read from disk.
    pub records: Mutex<Lowered>,
}

impl<'a> Loader<'a> {
    /// A loader that adds the files it reads to `sources`.
    pub fn new(
        sources: &'a SourceMap,
        settings: &'a Settings,
        confinement: &'a Confinement,
    ) -> Self {
        Loader {
            sources,
            settings,
            confinement,
            cache: Mutex::default(),
            keys: Mutex::default(),
            records: Mutex::default(),
        }
    }

    /// Registers a module built from scanned files.
    pub fn insert(&self, key: PathBuf, module: Arc<Module>) {
        let cell = OnceLock::new();
        let _ = cell.set(Ok(module));
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

    /// The module in `dir` (parsed on first use).
    pub fn load(&self, dir: &Path) -> Result<Arc<Module>, NotLoaded> {
        let key = self.key(dir);
        let cell = self.lock().entry(key.clone()).or_default().clone();
        cell.get_or_init(|| self.read(dir, &key)).clone()
    }

    /// Reads the module in `dir`, whose [`dir_key`] is `key`.
    fn read(&self, dir: &Path, key: &Path) -> Result<Arc<Module>, NotLoaded> {
        // the key is the canonical path whenever the directory exists
        if !self.confinement.contains(key) {
            return Err(match self.confinement.admit(dir) {
                Admission::Missing => NotLoaded::Missing,
                _ => NotLoaded::Outside,
            });
        }
        let mut entries: Vec<(PathBuf, FileType)> = std::fs::read_dir(dir)
            .map_err(|_| NotLoaded::Missing)?
            .filter_map(|e| {
                let e = e.ok()?;
                Some((e.path(), e.file_type().ok()?))
            })
            .filter(|(p, t)| {
                let n = p.to_string_lossy();
                (n.ends_with(".tf") || n.ends_with(".tf.json")) && !is_override(p) && !t.is_dir()
            })
            .collect();
        if entries.is_empty() {
            return Err(NotLoaded::Empty);
        }
        entries.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        let mut records = Lowered::default();
        let parsed = entries
            .into_iter()
            .filter_map(|(p, t)| self.read_file(&normalize(&p), t, &mut records))
            .collect();
        let module = Module::new(normalize(dir), parsed);
        records.errors.extend(module.errors.iter().cloned());
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(records);
        Ok(Arc::new(module))
    }

    /// One configuration file of a module read from disk, parsed; what cannot be read or is
    /// not followed goes to `records`.
    fn read_file(
        &self,
        path: &Path,
        t: FileType,
        records: &mut Lowered,
    ) -> Option<Result<Body, Diagnostic>> {
        let at = match self.confinement.entry(path, t) {
            Found::Read(at) => at,
            Found::Skip(reason) => {
                let file = self.sources.add(path.to_path_buf(), "");
                records.skipped.push(Skip {
                    span: file.body_span(0, 0),
                    reason,
                });
                return None;
            }
        };
        let (text, problem) = match read_text(&at, self.settings.max_file_size, false) {
            Ok(text) => (text, None),
            Err(ReadError::NotUtf8 { lossy, offset }) => (lossy, Some(offset)),
            Err(e) => {
                let file = self.sources.add(path.to_path_buf(), "");
                records.unread(file.body_span(0, 0), &e, self.settings.skip_unreadable);
                return None;
            }
        };
        let file = self.sources.add(path.to_path_buf(), text);
        match problem {
            Some(offset) => Some(Err(Diagnostic {
                span: Span::new(file.id, offset, offset),
                message: "file is not valid UTF-8".to_string(),
            })),
            None => Some(parse(&file)),
        }
    }
}
