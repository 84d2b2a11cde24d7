//! Finding input files: a gitignore-aware walk with exclude globs, and classification by name.
//!
//! Content-based decisions (is this YAML a CloudFormation template?) belong to the frontends.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{DirEntry, WalkBuilder, WalkState};

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
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Files found, and paths that could not be walked.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<Walked>,
    pub errors: Vec<(PathBuf, String)>,
}

/// Classifies a path by its name, or `None` when sgcheck never reads such a file.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
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

/// What one walk entry gives: a file to read, an error, or nothing (not ours, excluded).
fn visit(
    entry: Result<DirEntry, ignore::Error>,
    root: &Path,
    exclude: &GlobSet,
) -> Option<Result<Walked, (PathBuf, String)>> {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => return Some(Err((root.to_path_buf(), e.to_string()))),
    };
    if !entry.file_type().is_some_and(|t| t.is_file()) {
        return None;
    }
    let path = entry.path();
    let rel = path.strip_prefix(root).unwrap_or(path);
    if exclude.is_match(rel) || exclude.is_match(path) {
        return None;
    }
    let kind = classify(path)?;
    Some(Ok(Walked {
        path: path.to_path_buf(),
        kind,
    }))
}

/// Walks `paths` (files or directories), honouring .gitignore and the exclude set.
/// Symbolic links are not followed. Directories are read in parallel; the result is sorted
/// by path (errors too).
pub fn walk(paths: &[PathBuf], exclude: &GlobSet) -> WalkResult {
    let mut out = WalkResult::default();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors
                    .push((root.clone(), format!("cannot read path: {e}")));
                continue;
            }
        };
        if meta.is_file() {
            // a file named explicitly is read whatever the exclude set says
            match classify(root) {
                Some(kind) => out.files.push(Walked {
                    path: root.clone(),
                    kind,
                }),
                None => out.errors.push((
                    root.clone(),
                    "not a Terraform or CloudFormation file".to_string(),
                )),
            }
            continue;
        }
        let found = Mutex::new(WalkResult::default());
        WalkBuilder::new(root)
            .follow_links(false)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n)))
            })
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    if let Some(found_one) = visit(entry, root, exclude) {
                        let mut all = found.lock().unwrap_or_else(|e| e.into_inner());
                        match found_one {
                            Ok(file) => all.files.push(file),
                            Err(e) => all.errors.push(e),
                        }
                    }
                    WalkState::Continue
                })
            });
        let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        out.files.extend(found.files);
        out.errors.extend(found.errors);
    }
    // by the bytes of the path: the same total order on every run, and far cheaper than
    // `Path`'s component-wise comparison
    out.files.sort_unstable_by(|a, b| {
        (a.path.as_os_str().as_encoded_bytes(), a.kind)
            .cmp(&(b.path.as_os_str().as_encoded_bytes(), b.kind))
    });
    out.files.dedup();
    out.errors.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let ex = exclude_set(&["legacy".to_string()]).unwrap();
        let r = walk(&[d.to_path_buf()], &ex);
        let names: Vec<_> = r
            .files
            .iter()
            .map(|w| w.path.strip_prefix(d).unwrap().to_path_buf())
            .collect();
        assert_eq!(names, vec![PathBuf::from("main.tf")]);
    }
}
