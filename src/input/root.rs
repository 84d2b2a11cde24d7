//! The analysed tree: the directories that scanned content may make sgcheck read from.
//!
//! The root of a scanned path is the git work tree that contains it, else the path itself
//! (a file's own directory); `--root DIR` replaces them all. A path named by scanned content
//! (`file("…")`, a module `source`, a symbolic link) is resolved through every link and must
//! land inside a root: `../modules/x` inside a monorepo is fine, `/etc/passwd` or a link to it
//! is not, and is never opened.

use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};

use super::read::{kind, read_text, ReadError};

/// The canonical roots of one run.
#[derive(Clone, Debug, Default)]
pub struct Confinement {
    roots: Vec<PathBuf>,
}

/// Where a path named by scanned content leads.
#[derive(Clone, Debug)]
pub enum Admission {
    /// Inside the analysed tree, at this canonical path.
    Inside(PathBuf),
    /// Outside it (the resolved path is deliberately not kept: it is not for output).
    Outside,
    /// Nowhere: it does not exist or cannot be resolved.
    Missing,
}

/// What a directory listing's entry gives.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A file to read, at this path (a followed link's canonical target).
    Read(PathBuf),
    /// An entry that is not read (a link not followed, a special file), and why.
    Skip(String),
}

/// The message for a path that resolves outside every root.
pub const OUTSIDE: &str = "path leaves the analysed tree";

impl Confinement {
    /// The roots of `paths` (or `explicit`, `--root`); a path outside `explicit` is an error
    /// for that path, returned beside the confinement.
    pub fn new(paths: &[PathBuf], explicit: Option<&Path>) -> (Self, Vec<(PathBuf, String)>) {
        let mut errors = Vec::new();
        let mut roots = Vec::new();
        match explicit {
            Some(dir) => match std::fs::canonicalize(dir) {
                Ok(root) if root.is_dir() => {
                    for p in paths {
                        let inside = std::fs::canonicalize(p).map(|c| c.starts_with(&root));
                        if let Ok(false) = inside {
                            errors
                                .push((p.clone(), format!("is outside --root {}", dir.display())));
                        }
                    }
                    roots.push(root);
                }
                Ok(_) => errors.push((dir.to_path_buf(), "--root is not a directory".into())),
                Err(e) => errors.push((dir.to_path_buf(), format!("cannot read --root: {e}"))),
            },
            None => roots.extend(paths.iter().filter_map(|p| root_of(p).ok())),
        }
        roots.sort();
        roots.dedup();
        (Confinement { roots }, errors)
    }

    /// The root that holds the canonical path (the innermost, when roots nest).
    pub fn root_of(&self, canonical: &Path) -> Option<&Path> {
        self.roots
            .iter()
            .filter(|r| canonical.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .map(PathBuf::as_path)
    }

    /// True when the canonical path lies in a root.
    pub fn contains(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
    }

    /// Resolves `path` through every link and checks it lands inside a root. A path that
    /// does not exist is `Missing` only when its nearest existing ancestor is inside: whether
    /// something exists outside the tree is not revealed either.
    pub fn admit(&self, path: &Path) -> Admission {
        match std::fs::canonicalize(path) {
            Ok(c) if self.contains(&c) => return Admission::Inside(c),
            Ok(_) => return Admission::Outside,
            Err(_) => {}
        }
        let Ok(abs) = std::path::absolute(path) else {
            return Admission::Missing;
        };
        let ancestor = abs
            .ancestors()
            .skip(1)
            .find_map(|a| std::fs::canonicalize(a).ok());
        match ancestor {
            Some(a) if self.contains(&a) => Admission::Missing,
            _ => Admission::Outside,
        }
    }

    /// The text of a file named by scanned content, at most `limit` bytes; a path outside the
    /// tree is refused unopened.
    pub fn read(&self, path: &Path, limit: u64) -> Result<String, ReadError> {
        match self.admit(path) {
            Admission::Inside(c) => read_text(&c, limit, false),
            Admission::Outside => Err(ReadError::Io(io::Error::other(OUTSIDE))),
            Admission::Missing => Err(ReadError::Io(io::ErrorKind::NotFound.into())),
        }
    }

    /// What to do with the directory entry `path` of type `t`, found by listing a directory of
    /// the tree: a regular file is read where it is; a symbolic link is followed only to a
    /// regular file inside the tree, and skipped with a reason otherwise.
    pub fn entry(&self, path: &Path, t: FileType) -> Found {
        if !t.is_symlink() {
            return if t.is_file() {
                Found::Read(path.to_path_buf())
            } else {
                Found::Skip(format!("{}, not a regular file", kind(&t)))
            };
        }
        match self.admit(path) {
            Admission::Inside(target) => match std::fs::metadata(&target) {
                Ok(m) if m.is_file() => Found::Read(target),
                Ok(m) if m.is_dir() => {
                    Found::Skip("symbolic link to a directory, not followed".into())
                }
                Ok(m) => Found::Skip(format!(
                    "symbolic link to {}, not a regular file",
                    kind(&m.file_type())
                )),
                Err(e) => Found::Skip(format!("symbolic link cannot be followed: {e}")),
            },
            Admission::Outside => Found::Skip(format!("symbolic link: {OUTSIDE}")),
            Admission::Missing => Found::Skip("symbolic link to nothing".into()),
        }
    }
}

/// The root of one scanned path: the git work tree containing it (a directory holding `.git`,
/// a directory or a worktree's file), else the path itself, or a file's directory (also for a
/// file given in memory, which is not on disk).
pub fn root_of(path: &Path) -> io::Result<PathBuf> {
    let dir = match std::fs::canonicalize(path) {
        Ok(c) if c.is_dir() => c,
        Ok(c) => c.parent().map(Path::to_path_buf).unwrap_or(c),
        Err(e) => match path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => std::fs::canonicalize(parent)?,
            None => return Err(e),
        },
    };
    let repo = dir
        .ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok());
    Ok(repo.map(Path::to_path_buf).unwrap_or(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        std::fs::create_dir_all(dir.path().join("repo/infra/modules/x")).unwrap();
        std::fs::write(dir.path().join("repo/infra/modules/x/main.tf"), "").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        dir
    }

    #[test]
    fn the_root_is_the_git_work_tree() {
        let t = tree();
        let infra = t.path().join("repo/infra");
        let repo = std::fs::canonicalize(t.path().join("repo")).unwrap();
        assert_eq!(root_of(&infra).unwrap(), repo);
        assert_eq!(root_of(&infra.join("modules/x/main.tf")).unwrap(), repo);
        // outside a repository: the path itself
        let plain = tempfile::tempdir().unwrap();
        let canonical = std::fs::canonicalize(plain.path()).unwrap();
        assert_eq!(root_of(plain.path()).unwrap(), canonical);
    }

    #[test]
    fn paths_resolve_inside_or_are_refused() {
        let t = tree();
        let (c, errors) = Confinement::new(&[t.path().join("repo/infra")], None);
        assert!(errors.is_empty());
        let sibling = t.path().join("repo/infra/../infra/modules/x/main.tf");
        assert!(matches!(c.admit(&sibling), Admission::Inside(_)));
        assert!(matches!(
            c.admit(&t.path().join("repo/../secret.txt")),
            Admission::Outside
        ));
        assert!(matches!(
            c.admit(Path::new("/etc/passwd")),
            Admission::Outside
        ));
        // existence outside the tree is not revealed
        assert!(matches!(
            c.admit(Path::new("/etc/no/such/file")),
            Admission::Outside
        ));
        let missing = t.path().join("repo/infra/modules/none");
        assert!(matches!(c.admit(&missing), Admission::Missing));
        let err = c.read(&t.path().join("secret.txt"), 100).unwrap_err();
        assert_eq!(err.to_string(), format!("cannot read: {OUTSIDE}"));
    }

    #[test]
    fn an_explicit_root_holds_every_path() {
        let t = tree();
        let infra = t.path().join("repo/infra");
        let (c, errors) = Confinement::new(std::slice::from_ref(&infra), Some(&infra));
        assert!(errors.is_empty());
        assert!(matches!(
            c.admit(&t.path().join("repo/.git")),
            Admission::Outside
        ));
        let (_, errors) = Confinement::new(&[t.path().join("repo")], Some(&infra));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].1.contains("outside --root"), "{errors:?}");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_to_regular_files_inside() {
        use std::os::unix::fs::symlink;
        let t = tree();
        let infra = t.path().join("repo/infra");
        let (c, _) = Confinement::new(std::slice::from_ref(&infra), None);
        let link = |name: &str, to: &Path| {
            let p = infra.join(name);
            symlink(to, &p).unwrap();
            (
                p.clone(),
                std::fs::symlink_metadata(&p).unwrap().file_type(),
            )
        };
        let (p, ty) = link("shared.tf", &infra.join("modules/x/main.tf"));
        let target = std::fs::canonicalize(infra.join("modules/x/main.tf")).unwrap();
        assert_eq!(c.entry(&p, ty), Found::Read(target));
        let (p, ty) = link("leak.tf", &t.path().join("secret.txt"));
        assert_eq!(
            c.entry(&p, ty),
            Found::Skip("symbolic link: path leaves the analysed tree".into())
        );
        let (p, ty) = link("dir.tf", &infra.join("modules"));
        assert_eq!(
            c.entry(&p, ty),
            Found::Skip("symbolic link to a directory, not followed".into())
        );
        let (p, ty) = link("gone.tf", &infra.join("nothing"));
        assert_eq!(
            c.entry(&p, ty),
            Found::Skip("symbolic link to nothing".into())
        );
    }
}
