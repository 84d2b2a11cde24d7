//! Source files, byte spans and line/column lookup.
//!
//! Spans are byte ranges into a file's full text (a UTF-8 BOM, when present, stays in the
//! text; frontends parse [`SourceFile::body`] and add [`SourceFile::body_offset`]).
//! Line and column are computed only for output, through [`LineIndex`].

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The smallest span covering both (same file assumed; `self` wins otherwise).
    pub fn cover(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Byte range for slicing the file text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// 1-based line and character column of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Line starts of one text, for byte offset → (line, character column).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text` (`\n` line ends; `\r\n` counts as one).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
        LineIndex { starts }
    }

    /// Line and column (both 1-based, column in characters) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line] as usize;
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text[start..end].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

/// One input file, read once.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Path as shown to the user (relative to the current directory when given so).
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Built on first use: most files of a run never have a position reported.
    lines: OnceLock<LineIndex>,
}

const BOM: &str = "\u{feff}";

impl SourceFile {
    /// A file with its text.
    pub fn new(id: FileId, path: PathBuf, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            id,
            path,
            text: text.into(),
            lines: OnceLock::new(),
        }
    }

    /// Byte offset where the content starts (3 after a UTF-8 BOM, else 0).
    pub fn body_offset(&self) -> usize {
        if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    }

    /// The text to parse: everything after a BOM.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset()..]
    }

    /// A span in this file for a range of [`Self::body`] offsets.
    pub fn body_span(&self, start: usize, end: usize) -> Span {
        let o = self.body_offset();
        Span::new(self.id, start + o, end + o)
    }

    /// Line/column of a byte offset of this file (a BOM is not a column).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let lines = self.lines.get_or_init(|| LineIndex::new(&self.text));
        let mut lc = lines.line_col(&self.text, offset);
        if lc.line == 1 && self.body_offset() > 0 && offset >= self.body_offset() {
            lc.column -= 1;
        }
        lc
    }

    /// The path with forward slashes, for output.
    pub fn display_path(&self) -> String {
        let s = self.path.to_string_lossy().replace('\\', "/");
        s.strip_prefix("./").map(str::to_string).unwrap_or(s)
    }
}

/// All files of one run, indexed by [`FileId`]. Shared across threads: frontends add the
/// files they discover themselves (child modules outside the scanned paths, tfvars).
#[derive(Debug, Default)]
pub struct SourceMap {
    files: std::sync::RwLock<Vec<Arc<SourceFile>>>,
}

impl SourceMap {
    /// Adds a file and returns it with its new id.
    pub fn add(&self, path: PathBuf, text: impl Into<Arc<str>>) -> Arc<SourceFile> {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let id = FileId(files.len() as u32);
        let file = Arc::new(SourceFile::new(id, path, text));
        files.push(file.clone());
        file
    }

    /// Adds files in order, with consecutive ids.
    pub fn add_all(&self, files: Vec<(PathBuf, Arc<str>)>) -> Vec<Arc<SourceFile>> {
        let mut all = self.files.write().unwrap_or_else(|e| e.into_inner());
        let base = all.len();
        let added: Vec<Arc<SourceFile>> = files
            .into_iter()
            .enumerate()
            .map(|(i, (path, text))| {
                Arc::new(SourceFile::new(FileId((base + i) as u32), path, text))
            })
            .collect();
        all.extend(added.iter().cloned());
        added
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        self.files.read().unwrap_or_else(|e| e.into_inner())[id.0 as usize].clone()
    }

    /// Every file, in id order.
    pub fn files(&self) -> Vec<Arc<SourceFile>> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nçd\r\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'd' follows the two-byte 'ç'
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 2 });
        assert_eq!(idx.line_col(text, 8), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn bom_shifts_body_spans() {
        let map = SourceMap::default();
        let f = map.add("a.yaml".into(), "\u{feff}key: 1");
        assert_eq!(f.body(), "key: 1");
        let s = f.body_span(0, 3);
        assert_eq!(&f.text[s.range()], "key");
        assert_eq!(f.line_col(s.start as usize).column, 1);
    }
}
