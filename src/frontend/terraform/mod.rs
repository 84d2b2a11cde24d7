//! Terraform (`.tf`, `.tf.json`, `.tfvars`) lowered to IR resources.
//!
//! Conventions of the output:
//! - Nested blocks (`ingress { … }`, `metadata_options { … }`, expanded `dynamic` blocks) are
//!   a [`Value::List`](crate::ir::Value::List) of [`Value::Map`](crate::ir::Value::Map)s under
//!   the block name, in source order, even when there is one block.
//! - An attribute of another resource that is not set in its configuration (`.id`, `.arn`)
//!   is a [`Value::Ref`](crate::ir::Value::Ref) to that resource's key; an attribute set in
//!   configuration is its value, with an origin pointing at it.
//! - Data sources of network interest are resources of kind `data.<type>`; their `id` is a
//!   reference, every other attribute is unknown (except the `cidr_block` of the default VPC,
//!   `data "aws_vpc"` with `default = true`).
//! - An object constructor that repeats a key keeps the last value, as Terraform does.
//! - A value read through `var.`, `local.` or a module input has the use site as its span
//!   and its provenance (default, tfvars, `--var`, module argument) as origins.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::{HashMap, HashSet};

use rayon::prelude::*;

use crate::input::{read_text, Confinement};
use crate::ir::{Diagnostic, Lowered, Resource, Skip, Val, Value};
use crate::settings::Settings;
use crate::source::{SourceFile, SourceMap};

mod ast;
mod builtin;
mod call;
mod eval;
pub mod functions;
mod hcl;
mod instance;
mod json;
mod module;
mod plan;
mod resource;
mod run;
mod tfvars;
mod types;

use instance::Inst;
use module::{dir_key, Loader, Module};
use run::Run;
use tfvars::VarFile;

/// Lowers every Terraform file of the run. Files are grouped into modules by directory;
/// each directory not called as a local child module by another scanned directory is
/// evaluated as a root module, following its local child modules (whose files are added to
/// `sources` when they lie outside the scanned paths).
pub fn lower(files: &[Arc<SourceFile>], sources: &SourceMap, settings: &Settings) -> Lowered {
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let (confinement, _) = Confinement::new(&paths, settings.root.as_deref());
    crate::with_deep_stacks(|| lower_here(files, sources, settings, &confinement))
}

/// One directory's files, read: its module (when it has configuration files), its
/// auto-loaded variable files in load order, and what could not be read.
struct ReadDir {
    module: Option<Arc<Module>>,
    vars: Vec<VarFile>,
    errors: Vec<Diagnostic>,
    skipped: Vec<Skip>,
}

/// Parses the files of directory `path` and builds its module.
fn read_dir(path: &Path, files: Vec<&Arc<SourceFile>>) -> ReadDir {
    let mut config = Vec::new();
    let mut vars = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        let name = file_name(file);
        if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
            if let Some(rank) = tfvars::auto_load_rank(&name) {
                match module::parse(file) {
                    Ok(body) => vars.push((rank, VarFile { body, label: name })),
                    Err(e) => errors.push(e),
                }
            }
        } else if module::is_override(&file.path) {
            skipped.push(Skip {
                span: file.body_span(0, 0),
                reason: "Terraform override files are not merged".into(),
            });
        } else {
            config.push((name, module::parse(file)));
        }
    }
    config.sort_by(|a, b| a.0.cmp(&b.0));
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let module = (!config.is_empty()).then(|| {
        Arc::new(Module::new(
            module::normalize(path),
            config.into_iter().map(|(_, b)| b).collect(),
        ))
    });
    ReadDir {
        module,
        vars: vars.into_iter().map(|(_, v)| v).collect(),
        errors,
        skipped,
    }
}

fn file_name(f: &SourceFile) -> String {
    f.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// [`lower`] on the current thread pool (whose threads need deep stacks), reading only
/// inside `confinement`.
pub(crate) fn lower_here(
    files: &[Arc<SourceFile>],
    sources: &SourceMap,
    settings: &Settings,
    confinement: &Confinement,
) -> Lowered {
    let mut out = Lowered::default();
    // files by the directory they lie in, and each directory's identity (canonicalising costs
    // a few system calls: once per directory, in parallel)
    let mut by_path: HashMap<&Path, Vec<&Arc<SourceFile>>> = HashMap::default();
    for f in files {
        let dir = match f.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        by_path.entry(dir).or_default().push(f);
    }
    let loader = Loader::new(sources, settings, confinement);
    let keyed: Vec<_> = by_path
        .into_par_iter()
        .map(|(path, files)| (loader.key(path), path, files))
        .collect();
    let mut dirs: BTreeMap<PathBuf, (&Path, Vec<&Arc<SourceFile>>)> = BTreeMap::new();
    for (key, path, files) in keyed {
        let dir = dirs.entry(key).or_insert((path, Vec::new()));
        dir.0 = dir.0.min(path);
        dir.1.extend(files);
    }
    // each directory parsed and built as one task
    let built: Vec<_> = dirs
        .into_par_iter()
        .map(|(key, (path, files))| (key, read_dir(path, files)))
        .collect();
    let mut modules: Vec<(PathBuf, Arc<Module>, Vec<VarFile>)> = Vec::with_capacity(built.len());
    for (key, dir) in built {
        out.errors.extend(dir.errors);
        out.skipped.extend(dir.skipped);
        if let Some(m) = dir.module {
            out.errors.extend(m.errors.iter().cloned());
            loader.insert(key.clone(), m.clone());
            modules.push((key, m, dir.vars));
        }
    }
    preload_children(&modules, &loader);
    let is_root = roots(&modules, &loader);
    let var_files = read_var_files(files, sources, settings, &mut out);
    let results: Vec<Lowered> = modules
        .par_iter()
        .zip(is_root)
        .filter(|(_, root)| *root)
        .map(|((_, m, vars), _)| {
            let layers: Vec<&VarFile> = vars.iter().chain(&var_files).collect();
            lower_root(m, &layers, &loader, sources, settings)
        })
        .collect();
    for r in results {
        out.extend(r);
    }
    out.extend(std::mem::take(
        &mut *loader.records.lock().unwrap_or_else(|e| e.into_inner()),
    ));
    let mut seen = HashSet::default();
    out.errors
        .retain(|d| seen.insert((d.span, d.message.clone())));
    let mut seen = HashSet::default();
    out.modules_not_analysed.retain(|s| seen.insert(s.span));
    // the parse trees are the largest structure of a run: freed now, beside the analysis,
    // rather than held to the end
    let cache = loader.into_cache();
    rayon::spawn(move || drop((modules, cache)));
    out
}

/// Reads every local child module reachable from the scanned ones, in a fixed order, so that
/// the files added to the source map get the same ids on every run.
fn preload_children(modules: &[(PathBuf, Arc<Module>, Vec<VarFile>)], loader: &Loader) {
    let mut seen: HashSet<PathBuf> = modules.iter().map(|(k, _, _)| k.clone()).collect();
    let mut queue: VecDeque<Arc<Module>> = modules.iter().map(|(_, m, _)| m.clone()).collect();
    while let Some(m) = queue.pop_front() {
        for (_, dir) in m.local_calls() {
            if seen.insert(loader.key(&dir)) {
                queue.extend(loader.load(&dir).ok());
            }
        }
    }
}

/// Which scanned modules are evaluated as root modules: each one no other scanned module
/// calls, then, while some scanned module is not reached from a root (it is only called from
/// within a cycle of calls), the first such one by path: no scanned module goes unanalysed,
/// and the recursion is reported where the cycle closes.
fn roots(modules: &[(PathBuf, Arc<Module>, Vec<VarFile>)], loader: &Loader) -> Vec<bool> {
    let called: HashSet<PathBuf> = modules
        .iter()
        .flat_map(|(key, m, _)| {
            m.local_calls()
                .map(|(_, d)| loader.key(&d))
                .filter(move |d| d != key)
        })
        .collect();
    let mut is_root: Vec<bool> = modules
        .iter()
        .map(|(k, _, _)| !called.contains(k))
        .collect();
    let mut reached: HashSet<PathBuf> = HashSet::default();
    let reach = |key: &PathBuf, m: &Arc<Module>, reached: &mut HashSet<PathBuf>| {
        let mut queue = VecDeque::from([m.clone()]);
        reached.insert(key.clone());
        while let Some(m) = queue.pop_front() {
            for (_, dir) in m.local_calls() {
                if reached.insert(loader.key(&dir)) {
                    queue.extend(loader.load(&dir).ok());
                }
            }
        }
    };
    for ((key, m, _), root) in modules.iter().zip(&is_root) {
        if *root {
            reach(key, m, &mut reached);
        }
    }
    for ((key, m, _), root) in modules.iter().zip(is_root.iter_mut()) {
        if !reached.contains(key) {
            *root = true;
            reach(key, m, &mut reached);
        }
    }
    is_root
}

/// `--var-file`s: taken from the scanned files when present, else read (and added). A file
/// that cannot be read is an error at its (empty) start.
fn read_var_files(
    files: &[Arc<SourceFile>],
    sources: &SourceMap,
    settings: &Settings,
    out: &mut Lowered,
) -> Vec<VarFile> {
    settings
        .var_files
        .iter()
        .filter_map(|path| {
            let key = dir_key(path);
            let found = files.iter().find(|f| dir_key(&f.path) == key).cloned();
            let file = match found {
                Some(file) => file,
                None => match read_text(path, settings.max_file_size, true) {
                    Ok(text) => sources.add(path.to_path_buf(), text),
                    Err(why) => {
                        let file = sources.add(path.to_path_buf(), "");
                        out.errors.push(Diagnostic {
                            span: file.body_span(0, 0),
                            message: format!("cannot read --var-file: {why}"),
                        });
                        return None;
                    }
                },
            };
            match module::parse(&file) {
                Ok(body) => Some(VarFile {
                    label: file.display_path(),
                    body,
                }),
                Err(e) => {
                    out.errors.push(e);
                    None
                }
            }
        })
        .collect()
}

fn lower_root(
    m: &Arc<Module>,
    layers: &[&VarFile],
    loader: &Loader,
    sources: &SourceMap,
    settings: &Settings,
) -> Lowered {
    let run = Run::new(loader, sources, m.display.clone());
    let vars = tfvars::root_bindings(m, layers, &settings.vars);
    Inst::root(&run, m.clone(), vars).run_module();
    let mut out = Lowered {
        resources: run.take_resources(),
        errors: run.errors.take(),
        modules_not_analysed: run.not_analysed.take(),
        ..Lowered::default()
    };
    count_all_unknowns(&mut out);
    out
}

/// Lowers `terraform show -json` output; None when the file is not a plan.
pub fn lower_plan(file: &SourceFile) -> Option<Lowered> {
    let mut out = plan::read(file)?;
    count_all_unknowns(&mut out);
    Some(out)
}

/// Counts the unknown attribute values, in total and per module instance.
fn count_all_unknowns(out: &mut Lowered) {
    for r in &out.resources {
        let module = module_of(r);
        let per_module = out.unknowns_by_module.entry(module).or_default();
        for v in r.attrs.values() {
            count_unknowns(
                v,
                &mut |class| {
                    *out.unknowns.entry(class.to_string()).or_default() += 1;
                    *per_module.entry(class.to_string()).or_default() += 1;
                },
                0,
            );
        }
    }
    out.unknowns_by_module
        .retain(|_, counts| !counts.is_empty());
}

/// The module instance a resource belongs to: its root directory (the key before the
/// address), followed by `::` and the module address for a resource of a child module.
fn module_of(r: &Resource) -> String {
    let root = r
        .key
        .strip_suffix(r.address.as_str())
        .and_then(|k| k.strip_suffix("::"))
        .unwrap_or(&r.key);
    match module_address(&r.address) {
        "" => root.to_string(),
        m => format!("{root}::{m}"),
    }
}

/// The leading `module.a.module.b["k"]` steps of a resource address.
fn module_address(address: &str) -> &str {
    let mut end = 0;
    while let Some(rest) = address.get(end..).and_then(|a| a.strip_prefix("module.")) {
        let name = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let mut step = "module.".len() + name;
        if let Some(key) = rest.get(name..).and_then(|k| k.strip_prefix('[')) {
            match index_len(key) {
                Some(n) => step += n + 1,
                None => break,
            }
        }
        if !address
            .get(end + step..)
            .is_some_and(|a| a.starts_with('.'))
        {
            break;
        }
        end += step + 1;
    }
    address.get(..end.saturating_sub(1)).unwrap_or_default()
}

/// Length of an instance key after its `[`, through the closing `]` (quoted keys may hold
/// escaped quotes and brackets).
fn index_len(key: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in key.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn count_unknowns(v: &Val, count: &mut impl FnMut(&str), depth: usize) {
    match &v.value {
        Value::Unknown(u) => count(eval::class(&u.reason)),
        Value::List(l) if depth < 32 => l.iter().for_each(|x| count_unknowns(x, count, depth + 1)),
        Value::Map(m) if depth < 32 => m.values().for_each(|x| count_unknowns(x, count, depth + 1)),
        _ => {}
    }
}
#[cfg(test)]
mod tests;
