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

/// Bytes between two character-count checkpoints of a [`LineIndex`].
const CHECKPOINT: usize = 1024;

/// Line starts of one text, for byte offset → (line, character column).
///
/// A column counts the characters between the line start and the offset. Counting them one by
/// one made every lookup on a minified file cost the length of its single line, so a lookup
/// farther than [`CHECKPOINT`] bytes from its line start uses the number of characters before
/// every [`CHECKPOINT`]-th byte (counted once, on the first such lookup): a column then costs at
/// most two counts of fewer than [`CHECKPOINT`] bytes, however long the line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// `chars_before[k]`: characters starting in the first `k * CHECKPOINT` bytes.
    chars_before: OnceLock<Vec<u32>>,
}

/// Characters starting in `bytes` (UTF-8 lead bytes; the slice may cut characters).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    /// Indexes `text` (`\n` line ends; `\r\n` counts as one).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
        LineIndex {
            starts,
            chars_before: OnceLock::new(),
        }
    }

    /// The 0-based line holding byte `offset` (a line holds its own `\n`).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s as usize <= offset) - 1
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line] as usize
    }

    /// Index of the last line (the number of `\n` in the text).
    pub fn last_line(&self) -> usize {
        self.starts.len() - 1
    }

    /// Line and column (both 1-based, column in characters) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        LineCol {
            line: line + 1,
            column: self.chars_between(text, start, offset) + 1,
        }
    }

    /// Characters in `text[start..end]` (both on character boundaries).
    fn chars_between(&self, text: &str, start: usize, end: usize) -> usize {
        if end - start <= CHECKPOINT {
            return char_starts(&text.as_bytes()[start..end]);
        }
        self.chars_before_offset(text, end) - self.chars_before_offset(text, start)
    }

    /// Characters in `text[..offset]`, from the checkpoint below `offset`.
    fn chars_before_offset(&self, text: &str, offset: usize) -> usize {
        let checkpoints = self.chars_before.get_or_init(|| {
            let mut count = 0;
            let counts = text.as_bytes().chunks(CHECKPOINT).map(|chunk| {
                count += char_starts(chunk) as u32;
                count
            });
            std::iter::once(0).chain(counts).collect()
        });
        let k = offset / CHECKPOINT;
        checkpoints[k] as usize + char_starts(&text.as_bytes()[k * CHECKPOINT..offset])
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

    /// The file's line index, built on first use.
    pub fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Line/column of a byte offset of this file (a BOM is not a column).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut lc = self.line_index().line_col(&self.text, offset);
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

    /// Every offset of a long line mixing ASCII and multi-byte characters, the positions of
    /// a minified file, gets the column a character-by-character count gives.
    #[test]
    fn long_line_columns_match_a_naive_count() {
        let unit = "{\"Name\":\"sg-é\",\"Cidr\":\"0.0.0.0/0\",\"Note\":\"日本語🦀\"},";
        let text = format!("\u{feff}first\n{}\nlast", unit.repeat(CHECKPOINT / 4));
        let idx = LineIndex::new(&text);
        let second = text.find('\n').unwrap() + 1;
        for offset in 0..=text.len() + 2 {
            let clamped = offset.min(text.len());
            let before = &text[..(0..=clamped)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap()];
            let line = before.matches('\n').count();
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let expected = LineCol {
                line: line + 1,
                column: before[line_start..].chars().count() + 1,
            };
            assert_eq!(idx.line_col(&text, offset), expected, "offset {offset}");
        }
        assert!(
            text.len() - second > 8 * CHECKPOINT,
            "the line spans many checkpoints"
        );
        let map = SourceMap::default();
        let f = map.add("t.json".into(), text.as_str());
        assert_eq!(f.line_col(3), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(second).column, 1);
    }

    #[test]
    fn line_of_counts_a_newline_in_its_line() {
        let idx = LineIndex::new("a\nb\n");
        assert_eq!((idx.line_of(1), idx.line_of(2), idx.line_of(4)), (0, 1, 2));
        assert_eq!((idx.line_start(1), idx.last_line()), (2, 2));
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
