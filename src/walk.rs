//! Finding input files: a walk of the scanned paths that honours the repository's own ignore
//! files and exclude globs, and classification by name.
//!
//! The walk is written here rather than taken from `ignore::WalkBuilder` because that walker
//! opens every `.gitignore` it meets with a plain unbounded read (a FIFO stalls it, a link to
//! `/dev/zero` exhausts memory) and also honours ignore files from outside the repository
//! (the user's global excludes, parent directories up to `/`), so results would differ between
//! machines. Here ignore files go through the safe reader, only those of the analysed tree
//! count, and `ignore::gitignore` still does the pattern matching.
//!
//! Content-based decisions (is this YAML a CloudFormation template?) belong to the frontends.

use std::ffi::OsString;
use std::fs::FileType;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use crate::input::root::Found;
use crate::input::{read, Confinement};

/// What a file's name says it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `*.tf`
    Terraform,
    /// `*.tf.json`
    TerraformJson,
    /// `*.tfvars`, `*.tfvars.json`
    TfVars,
    /// `*.yaml`, `*.yml`, `*.json`, `*.template`: CloudFormation if the content says so.
    MaybeTemplate,
}

/// One file found by the walk.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Walked {
    /// The path as shown: under the scanned path as the user typed it.
    pub path: PathBuf,
    pub kind: FileKind,
    /// Where to read it: the path itself, or the target inside the tree of a followed link.
    pub read_from: PathBuf,
}

/// Files found, entries not read (with the reason), and paths that could not be walked.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<Walked>,
    pub skipped: Vec<(PathBuf, String)>,
    pub errors: Vec<(PathBuf, String)>,
}

impl WalkResult {
    fn extend(&mut self, other: WalkResult) {
        self.files.extend(other.files);
        self.skipped.extend(other.skipped);
        self.errors.extend(other.errors);
    }
}

/// How to walk.
pub struct WalkOptions<'a> {
    pub exclude: &'a GlobSet,
    pub confinement: &'a Confinement,
    /// Honour `.gitignore` files and `.git/info/exclude` of the analysed tree.
    pub ignore_files: bool,
}

/// Classifies a path by its name, or `None` when sgcheck never reads such a file.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".tf") {
        Some(FileKind::Terraform)
    } else if name.ends_with(".tf.json") {
        Some(FileKind::TerraformJson)
    } else if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
        Some(FileKind::TfVars)
    } else if [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        Some(FileKind::MaybeTemplate)
    } else {
        None
    }
}

/// Directory names never descended into: tool caches and vendored packages.
const SKIP_DIRS: &[&str] = &[".terraform", "node_modules", ".git"];

/// Ignore files larger than this are not applied (and say so).
const MAX_IGNORE_FILE: u64 = 1024 * 1024;

/// Builds the exclude matcher; a bad pattern is a usage error.
pub fn exclude_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| format!("invalid --exclude pattern '{p}': {e}"))?;
        b.add(glob);
        // `dir` or `dir/` also excludes everything under it
        let under = format!("{}/**", p.trim_end_matches('/'));
        if let Ok(g) = Glob::new(&under) {
            b.add(g);
        }
    }
    b.build().map_err(|e| e.to_string())
}

/// The scanned paths without repeats: a path that names the same file or directory as an
/// earlier one, or lies inside another scanned directory, is walked as part of that one
/// (`lint . infra` reads what `lint .` reads, once).
pub fn distinct(paths: &[PathBuf]) -> Vec<PathBuf> {
    let canonical: Vec<Option<PathBuf>> = paths
        .iter()
        .map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let covered = |i: usize, c: &Path| {
        canonical.iter().enumerate().any(|(j, other)| {
            other.as_deref().is_some_and(|o| {
                j != i && (o == c && j < i || c != o && c.starts_with(o) && o.is_dir())
            })
        })
    };
    paths
        .iter()
        .zip(&canonical)
        .enumerate()
        .filter(|(i, (_, c))| c.as_deref().is_none_or(|c| !covered(*i, c)))
        .map(|(_, (p, _))| p.clone())
        .collect()
}

/// Walks `paths` (files or directories). Directories are read in parallel; the result is
/// sorted by path (errors and skips too).
pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> WalkResult {
    let mut out = WalkResult::default();
    for root in distinct(paths) {
        let meta = match std::fs::metadata(&root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push((root, format!("cannot read path: {e}")));
                continue;
            }
        };
        if meta.is_file() {
            // a file named explicitly is read whatever the exclude set says
            match (classify(&root), std::fs::canonicalize(&root)) {
                (Some(kind), Ok(read_from)) => out.files.push(Walked {
                    path: root,
                    kind,
                    read_from,
                }),
                (Some(_), Err(e)) => out.errors.push((root, format!("cannot read path: {e}"))),
                (None, _) => out
                    .errors
                    .push((root, "not a Terraform or CloudFormation file".to_string())),
            }
        } else if meta.is_dir() {
            let walker = Walker { opts, root: &root };
            out.extend(walker.start());
        } else {
            let kind = read::kind(&meta.file_type());
            out.errors
                .push((root, format!("{kind}, not a regular file or directory")));
        }
    }
    // by the bytes of the path: the same total order on every run, and far cheaper than
    // `Path`'s component-wise comparison
    out.files.sort_unstable_by(|a, b| {
        (a.path.as_os_str().as_encoded_bytes(), a.kind)
            .cmp(&(b.path.as_os_str().as_encoded_bytes(), b.kind))
    });
    out.files.dedup();
    out.skipped.sort();
    out.errors.sort();
    out
}

/// The ignore files in force in a directory, outermost first.
type Ignores = Vec<Arc<Gitignore>>;

/// One scanned directory's walk.
struct Walker<'a> {
    opts: &'a WalkOptions<'a>,
    /// The scanned directory as typed: excludes match paths relative to it.
    root: &'a Path,
}

impl Walker<'_> {
    fn start(&self) -> WalkResult {
        let mut out = WalkResult::default();
        let abs = match std::fs::canonicalize(self.root) {
            Ok(abs) => abs,
            Err(e) => {
                out.errors
                    .push((self.root.to_path_buf(), format!("cannot read path: {e}")));
                return out;
            }
        };
        let ignores = if self.opts.ignore_files {
            self.outer_ignores(&abs, &mut out)
        } else {
            Vec::new()
        };
        out.extend(self.dir(self.root, &abs, ignores));
        out
    }

    /// The ignore files above the scanned directory and inside the analysed tree: the
    /// repository's `.git/info/exclude` and the `.gitignore` of every directory from the
    /// tree's root down to the scanned directory's parent.
    fn outer_ignores(&self, abs: &Path, out: &mut WalkResult) -> Ignores {
        let Some(top) = self.opts.confinement.root_of(abs) else {
            return Vec::new();
        };
        let mut ignores = Vec::new();
        let mut add = |dir: &Path, file: PathBuf| {
            let Ok(meta) = std::fs::symlink_metadata(&file) else {
                return;
            };
            if let Some(ig) = self.ignore_file(dir, &file, meta.file_type(), out) {
                ignores.push(Arc::new(ig));
            }
        };
        add(top, top.join(".git/info/exclude"));
        let above: Vec<&Path> = abs
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(top))
            .collect();
        for dir in above.into_iter().rev() {
            add(dir, dir.join(".gitignore"));
        }
        ignores
    }

    /// The matcher of ignore file `file` (of type `t`), whose patterns are relative to `dir`;
    /// None when it cannot be read safely (recorded).
    fn ignore_file(
        &self,
        dir: &Path,
        file: &Path,
        t: FileType,
        out: &mut WalkResult,
    ) -> Option<Gitignore> {
        let skip = |why: String| {
            (
                file.to_path_buf(),
                format!("{why}; ignore file not applied"),
            )
        };
        let text = match self.opts.confinement.entry(file, t) {
            Found::Read(at) => match read::read_text(&at, MAX_IGNORE_FILE, false) {
                Ok(text) => text,
                Err(e) => {
                    out.skipped.push(skip(e.to_string()));
                    return None;
                }
            },
            Found::Skip(why) => {
                out.skipped.push(skip(why));
                return None;
            }
        };
        let mut b = GitignoreBuilder::new(dir);
        for line in text.lines() {
            // a pattern that is not a valid glob is ignored, as git does
            let _ = b.add_line(Some(file.to_path_buf()), line);
        }
        b.build().ok()
    }

    /// Walks directory `dir` (as shown; `abs` is its canonical path) under `ignores`.
    fn dir(&self, dir: &Path, abs: &Path, mut ignores: Ignores) -> WalkResult {
        let mut out = WalkResult::default();
        let listing = match std::fs::read_dir(dir) {
            Ok(l) => l,
            Err(e) => {
                out.errors
                    .push((dir.to_path_buf(), format!("cannot read directory: {e}")));
                return out;
            }
        };
        let mut entries: Vec<(OsString, FileType)> = listing
            .filter_map(|e| {
                let e = e.ok()?;
                Some((e.file_name(), e.file_type().ok()?))
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
        let own = entries.iter().find(|(n, _)| n == ".gitignore");
        if let Some((name, t)) = own.filter(|_| self.opts.ignore_files) {
            if let Some(ig) = self.ignore_file(abs, &dir.join(name), *t, &mut out) {
                ignores.push(Arc::new(ig));
            }
        }
        let mut subdirs = Vec::new();
        for (name, t) in entries {
            let path = dir.join(&name);
            let is_dir = t.is_dir();
            if is_dir && name.to_str().is_some_and(|n| SKIP_DIRS.contains(&n)) {
                continue;
            }
            let rel = path.strip_prefix(self.root).unwrap_or(&path);
            if self.opts.exclude.is_match(rel)
                || self.opts.exclude.is_match(&path)
                || ignored(&ignores, abs, &name, is_dir)
            {
                continue;
            }
            if is_dir {
                subdirs.push((path, abs.join(&name)));
                continue;
            }
            let Some(kind) = classify(&path) else {
                if t.is_symlink() && path.is_dir() {
                    out.skipped.push((
                        path,
                        "symbolic link to a directory, not followed".to_string(),
                    ));
                }
                continue;
            };
            match self.opts.confinement.entry(&path, t) {
                Found::Read(read_from) => out.files.push(Walked {
                    path,
                    kind,
                    read_from,
                }),
                Found::Skip(why) => out.skipped.push((path, why)),
            }
        }
        let nested: Vec<WalkResult> = subdirs
            .par_iter()
            .map(|(path, abs)| self.dir(path, abs, ignores.clone()))
            .collect();
        for n in nested {
            out.extend(n);
        }
        out
    }
}

/// Whether entry `name` of directory `abs` is ignored: the innermost ignore file with a
/// matching pattern decides (a `!pattern` re-includes).
fn ignored(ignores: &Ignores, abs: &Path, name: &std::ffi::OsStr, is_dir: bool) -> bool {
    let path = abs.join(name);
    for ig in ignores.iter().rev() {
        let Ok(rel) = path.strip_prefix(ig.path()) else {
            continue;
        };
        let m = ig.matched(rel, is_dir);
        if m.is_ignore() {
            return true;
        }
        if m.is_whitelist() {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk_dir(d: &Path, exclude: &[&str]) -> WalkResult {
        let ex = exclude_set(&exclude.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        let (confinement, _) = Confinement::new(&[d.to_path_buf()], None);
        let opts = WalkOptions {
            exclude: &ex,
            confinement: &confinement,
            ignore_files: true,
        };
        walk(&[d.to_path_buf()], &opts)
    }

    fn names(r: &WalkResult, d: &Path) -> Vec<String> {
        r.files
            .iter()
            .map(|w| {
                w.path
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn classifies_by_name() {
        assert_eq!(classify(Path::new("a/main.tf")), Some(FileKind::Terraform));
        assert_eq!(
            classify(Path::new("x.tf.json")),
            Some(FileKind::TerraformJson)
        );
        assert_eq!(classify(Path::new("prod.tfvars")), Some(FileKind::TfVars));
        assert_eq!(
            classify(Path::new("t.auto.tfvars.json")),
            Some(FileKind::TfVars)
        );
        assert_eq!(
            classify(Path::new("s.Template")),
            Some(FileKind::MaybeTemplate)
        );
        assert_eq!(classify(Path::new("README.md")), None);
    }

    #[test]
    fn walk_skips_excluded_and_vendored() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join(".terraform/modules")).unwrap();
        std::fs::create_dir_all(d.join("legacy")).unwrap();
        std::fs::write(d.join("main.tf"), "").unwrap();
        std::fs::write(d.join(".terraform/modules/x.tf"), "").unwrap();
        std::fs::write(d.join("legacy/old.tf"), "").unwrap();
        std::fs::write(d.join("notes.txt"), "").unwrap();
        let r = walk_dir(d, &["legacy"]);
        assert_eq!(names(&r, d), vec!["main.tf"]);
    }

    #[test]
    fn gitignore_files_of_the_tree_apply_from_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("repo/.git/info")).unwrap();
        std::fs::create_dir_all(d.join("repo/infra/gen")).unwrap();
        // outside the repository: not honoured
        std::fs::write(d.join(".gitignore"), "*.tf\n").unwrap();
        std::fs::write(d.join("repo/.gitignore"), "gen/\nkeep*.tf\n!keep_me.tf\n").unwrap();
        std::fs::write(d.join("repo/.git/info/exclude"), "local.tf\n").unwrap();
        for f in [
            "main.tf",
            "gen/x.tf",
            "keep_out.tf",
            "keep_me.tf",
            "local.tf",
        ] {
            std::fs::write(d.join("repo/infra").join(f), "").unwrap();
        }
        let infra = d.join("repo/infra");
        let r = walk_dir(&infra, &[]);
        assert_eq!(names(&r, &infra), vec!["keep_me.tf", "main.tf"]);
    }

    #[test]
    fn repeated_and_nested_paths_are_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("infra")).unwrap();
        std::fs::write(d.join("infra/main.tf"), "").unwrap();
        let paths = [
            d.join("infra"),
            d.to_path_buf(),
            d.join("infra/main.tf"),
            d.join("./infra/../infra"),
            d.join("missing"),
        ];
        assert_eq!(distinct(&paths), vec![d.to_path_buf(), d.join("missing")]);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_and_links_are_recorded() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("main.tf"), "").unwrap();
        symlink(d.join("main.tf"), d.join("alias.tf")).unwrap();
        symlink("/etc/passwd", d.join("leak.tf")).unwrap();
        symlink("/dev/zero", d.join(".gitignore")).unwrap();
        let r = walk_dir(d, &[]);
        assert_eq!(names(&r, d), vec!["alias.tf", "main.tf"]);
        let skipped: Vec<String> = r
            .skipped
            .iter()
            .map(|(p, why)| format!("{}: {why}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        assert_eq!(
            skipped,
            vec![
                ".gitignore: symbolic link: path leaves the analysed tree; ignore file not applied",
                "leak.tf: symbolic link: path leaves the analysed tree",
            ]
        );
        let r = walk(
            &[PathBuf::from("/dev/zero")],
            &WalkOptions {
                exclude: &exclude_set(&[]).unwrap(),
                confinement: &Confinement::default(),
                ignore_files: true,
            },
        );
        assert_eq!(
            r.errors,
            vec![(
                PathBuf::from("/dev/zero"),
                "a character device, not a regular file or directory".to_string()
            )]
        );
    }
}
