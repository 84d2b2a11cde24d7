//! Bounded excerpts of a source file: the [`SourceCode`] human output hands miette.
//!
//! Given a whole file, miette scans it from the start for every label and lays each line out
//! in full; a label past visual column 65,535 (a minified template, a line of tabs) makes its
//! layout panic. So a diagnostic hands miette only an [`Excerpt`]: the lines it will show,
//! with
//! - lines wider than [`MAX_LINE_CELLS`] cut to windows around the label ends, `...` marking
//!   the cut text and tabs expanded to [`TAB_CELLS`] spaces;
//! - unsafe characters in their visible form ([`super::escape`]);
//! - a label covering more than [`MAX_LABEL_LINES`] lines drawn on its first line only, and
//!   no snippet longer than [`MAX_SNIPPET_LINES`];
//! - the file's line numbers and byte columns, which miette prints; lines end at `\n` (or
//!   `\r\n`) as in every other format, a lone `\r` being an escaped character.
//!
//! Everything else is as miette would read it from the whole file (its grouping of labels into
//! snippets included), so output for ordinary files does not change.

use std::ops::{Range, RangeInclusive};

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::escape;
use crate::source::{LineIndex, SourceFile};

/// Lines of context miette shows around a label (its default, kept by human output).
pub const CONTEXT_LINES: usize = 1;
/// A label covering more lines is drawn on its first line only.
const MAX_LABEL_LINES: usize = 64;
/// Labels miette would draw in one snippet stay in separate snippets when that one would have
/// more lines.
const MAX_SNIPPET_LINES: usize = 400;
/// A line wider than this many cells is windowed around its labels.
const MAX_LINE_CELLS: usize = 160;
/// Cells kept on each side of a label's start and end in a windowed line.
const WINDOW_CELLS: usize = 40;
/// Cells of a tab: to the next multiple in whole lines (as miette draws them), always this
/// many in windowed lines.
const TAB_CELLS: usize = 4;
/// Marks text cut from a windowed line.
const CUT: &str = "...";

/// A label to draw: a byte range of the file, its text, whether it is the primary label.
pub struct Label {
    pub range: Range<usize>,
    pub text: Option<String>,
    pub primary: bool,
}

/// The lines of one file a diagnostic shows, in the form miette reads them.
#[derive(Debug)]
pub struct Excerpt {
    /// The file's display path, escaped.
    name: String,
    /// The shown lines, snippet after snippet, each snippet followed by a space of no line
    /// (never read, and no line break, so a span's end is always found on its own snippet).
    text: String,
    lines: Vec<Line>,
    /// Excerpt offset and file byte column of every label end, by offset: headers cite the
    /// file's column.
    columns: Vec<(usize, usize)>,
}

/// One file line in the excerpt.
#[derive(Debug)]
struct Line {
    /// Range in the excerpt text, line break included.
    range: Range<usize>,
    /// 0-based line number in the file.
    number: usize,
    /// Whether the line ends with a line break (the last line of a file does not).
    broken: bool,
    /// Index of the snippet it belongs to.
    snippet: usize,
}

/// Labels miette draws together, and the file lines that shows.
struct Snippet {
    lines: RangeInclusive<usize>,
    /// Byte range covering the labels.
    covered: Range<usize>,
    labels: Vec<usize>,
}

impl Excerpt {
    /// The excerpt of `file` showing `labels`, and the labels placed in it.
    pub fn new(file: &SourceFile, labels: &[Label]) -> (Excerpt, Vec<LabeledSpan>) {
        let text = &*file.text;
        let index = file.line_index();
        let ranges: Vec<Range<usize>> = labels
            .iter()
            .map(|l| clamp(text, index, l.range.clone()))
            .collect();
        let mut excerpt = Excerpt {
            name: escape::visible(&file.display_path()).into_owned(),
            text: String::new(),
            lines: Vec::new(),
            columns: Vec::new(),
        };
        let mut placed = vec![0..0; labels.len()];
        for (k, snippet) in snippets(text, index, &ranges).into_iter().enumerate() {
            let mut points: Vec<usize> = snippet
                .labels
                .iter()
                .flat_map(|&i| [ranges[i].start, ranges[i].end])
                .collect();
            points.sort_unstable();
            points.dedup();
            let at = excerpt.push_snippet(text, index, k, snippet.lines, &points);
            let place = |p: usize| at[points.partition_point(|&q| q < p)];
            for &i in &snippet.labels {
                placed[i] = place(ranges[i].start)..place(ranges[i].end);
            }
            excerpt.text.push(' ');
        }
        let spans = labels
            .iter()
            .zip(placed)
            .map(|(label, range)| {
                let span = SourceSpan::new(range.start.into(), range.len());
                let text = label.text.clone();
                if label.primary {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        (excerpt, spans)
    }

    /// Appends file lines `lines` as snippet `k` and returns where each of `points` (sorted
    /// file offsets on those lines) lands in the excerpt.
    fn push_snippet(
        &mut self,
        text: &str,
        index: &LineIndex,
        k: usize,
        lines: RangeInclusive<usize>,
        points: &[usize],
    ) -> Vec<usize> {
        let mut at = Vec::with_capacity(points.len());
        let mut rest = points;
        for number in lines {
            let start = index.line_start(number);
            let end = line_end(text, index, number);
            let line = &text[start..end];
            let content = line
                .strip_suffix('\n')
                .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
            let last = number == index.last_line();
            let (here, later) = rest.split_at(rest.partition_point(|&p| p < end || last));
            rest = later;
            let relative: Vec<usize> = here.iter().map(|p| p - start).collect();
            let begin = self.text.len();
            let first_placed = at.len();
            self.push_content(content, &relative, &mut at);
            let content_end = self.text.len();
            for &p in &relative[at.len() - first_placed..] {
                at.push(content_end + p.saturating_sub(content.len()));
            }
            let columns = relative.iter().map(|&p| byte_column(line, p));
            self.columns
                .extend(at[first_placed..].iter().copied().zip(columns));
            self.text.push_str(&line[content.len()..]);
            self.lines.push(Line {
                range: begin..self.text.len(),
                number,
                broken: line.ends_with('\n'),
                snippet: k,
            });
        }
        // every point lies on the snippet's lines; should one not, it still gets a place
        at.resize(points.len(), self.text.len());
        at
    }

    /// Appends a line's text without its line break: whole when it fits, else windowed
    /// around `points` (sorted byte offsets in the line); records where the points within
    /// `content` land.
    fn push_content(&mut self, content: &str, points: &[usize], at: &mut Vec<usize>) {
        if fits(content) {
            self.push_window(content, 0..content.len(), false, points, at);
            return;
        }
        let windows = windows(content, points);
        for (i, window) in windows.iter().enumerate() {
            if i > 0 || window.start > 0 {
                self.text.push_str(CUT);
            }
            self.push_window(content, window.clone(), true, points, at);
        }
        if windows.last().is_some_and(|w| w.end < content.len()) {
            self.text.push_str(CUT);
        }
    }

    /// Appends `content[window]` in display form (tabs expanded when `expand_tabs`) and
    /// records where the points in the window land.
    fn push_window(
        &mut self,
        content: &str,
        window: Range<usize>,
        expand_tabs: bool,
        points: &[usize],
        at: &mut Vec<usize>,
    ) {
        let mut next = points.partition_point(|&p| p < window.start);
        let mut place = |text: &String, offset: usize, at: &mut Vec<usize>| {
            while points.get(next).is_some_and(|&p| p <= offset) {
                at.push(text.len());
                next += 1;
            }
        };
        for (i, c) in content[window.clone()].char_indices() {
            place(&self.text, window.start + i, at);
            match c {
                '\t' if expand_tabs => self.text.extend([' '; TAB_CELLS]),
                '\t' => self.text.push('\t'),
                c if escape::is_unsafe(c) => escape::push_visible(&mut self.text, c),
                c => self.text.push(c),
            }
        }
        place(&self.text, window.end, at);
    }

    /// Index of the line holding excerpt offset `offset` (a line's end offset counts for the
    /// next line of its snippet).
    fn line_at(&self, offset: usize) -> Result<usize, MietteError> {
        let i = self.lines.partition_point(|l| l.range.start <= offset);
        match i.checked_sub(1) {
            Some(i) if offset <= self.lines[i].range.end => Ok(i),
            _ => Err(MietteError::OutOfBounds),
        }
    }

    /// File byte column of a label end placed at `offset`.
    fn column(&self, offset: usize, line: &Line) -> usize {
        match self.columns.binary_search_by_key(&offset, |&(o, _)| o) {
            Ok(i) => self.columns[i].1,
            Err(_) => offset - line.range.start,
        }
    }
}

impl SourceCode for Excerpt {
    /// Reads as miette's reader does from the whole file: whole lines with `before` and
    /// `after` lines of context, or from/to the span's own ends when those are 0; file line
    /// numbers and byte column; and as `line_count` the line breaks from the file's start to
    /// the end of what is read (miette compares it with line numbers to join snippets). A span
    /// over two snippets cannot be read, so miette draws them apart.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        let first = self.line_at(start)?;
        let file_start = self.lines[first].number == 0 && self.lines[first].range.start == start;
        let (byte, next) = span_end(self.text.as_bytes(), start..end, file_start);
        let last = self.line_at(byte)? + usize::from(next);
        if last >= self.lines.len() {
            return Err(MietteError::OutOfBounds);
        }
        let snippet = self.lines[first].snippet;
        if self.lines[last].snippet != snippet {
            return Err(MietteError::OutOfBounds);
        }
        let in_snippet = |i: &usize| self.lines[*i].snippet == snippet;
        let from = (first.saturating_sub(before)..=first)
            .find(in_snippet)
            .unwrap_or(first);
        let to = (last..=last.saturating_add(after))
            .take_while(|i| *i < self.lines.len() && in_snippet(i))
            .last()
            .unwrap_or(last);
        let (line, to_line) = (&self.lines[from], &self.lines[to]);
        let data = match (before, after) {
            (0, 0) => start..end,
            (0, _) => start..to_line.range.end,
            (_, 0) => line.range.start..end,
            _ => line.range.start..to_line.range.end,
        };
        let column = if before == 0 {
            self.column(start, line)
        } else {
            0
        };
        let line_count = if after == 0 {
            self.lines[last].number
        } else {
            to_line.number + usize::from(to_line.broken)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[data.clone()],
            SourceSpan::new(data.start.into(), data.len()),
            line.number,
            column,
            line_count,
        )))
    }
}

/// `range` within `text` and on character boundaries, cut to its first line when it covers
/// more than [`MAX_LABEL_LINES`] lines.
fn clamp(text: &str, index: &LineIndex, range: Range<usize>) -> Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(range.start);
    let mut end = floor(range.end).max(start);
    let line = index.line_of(start);
    if end_line(text, index, &(start..end)) - line >= MAX_LABEL_LINES {
        let line_text = &text[index.line_start(line)..line_end(text, index, line)];
        let content = line_text.trim_end_matches(['\n', '\r']);
        end = (index.line_start(line) + content.len()).max(start);
    }
    start..end
}

/// The line miette ends `range` of the file on (see [`span_end`]).
fn end_line(text: &str, index: &LineIndex, range: &Range<usize>) -> usize {
    let (byte, next) = span_end(text.as_bytes(), range.clone(), range.start == 0);
    index.line_of(byte) + usize::from(next)
}

/// How miette's reader finds the line a span ends on: from the span's last byte (for an empty
/// span the byte before it, or its first byte at the start of a file), on the line after that
/// byte's when the byte is part of a line break. Returns the byte and whether it is.
fn span_end(text: &[u8], span: Range<usize>, file_start: bool) -> (usize, bool) {
    let byte = match (span.is_empty(), file_start) {
        (false, _) => span.end - 1,
        (true, true) => span.start,
        (true, false) => span.start.saturating_sub(1),
    };
    let next = match text.get(byte) {
        Some(b'\n') => true,
        Some(b'\r') => text.get(byte + 1) == Some(&b'\n'),
        _ => false,
    };
    (byte, next)
}

/// The column miette's reader gives byte `offset` of `line`: bytes before it, the `\r` of a
/// `\r\n` not counted when the offset is on its `\n`.
fn byte_column(line: &str, offset: usize) -> usize {
    if offset > 0 && line.as_bytes().get(offset - 1..=offset) == Some(b"\r\n") {
        offset - 1
    } else {
        offset
    }
}

/// Byte offset after line `number` and its line break.
fn line_end(text: &str, index: &LineIndex, number: usize) -> usize {
    if number < index.last_line() {
        index.line_start(number + 1)
    } else {
        text.len()
    }
}

/// Groups labels (byte ranges, by index) into snippets the way miette does: by start, each
/// joining the previous snippet when that snippet's first line plus its `line_count` reaches
/// the label's first context line, unless the joined snippet would exceed
/// [`MAX_SNIPPET_LINES`].
fn snippets(text: &str, index: &LineIndex, ranges: &[Range<usize>]) -> Vec<Snippet> {
    let context = |r: &Range<usize>| {
        let first = index.line_of(r.start).saturating_sub(CONTEXT_LINES);
        let last = (end_line(text, index, r) + CONTEXT_LINES).min(index.last_line());
        first..=last
    };
    // line breaks from the file's start to the end of line `last`
    let line_count = |last: usize| (last + 1).min(index.last_line());
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i].start);
    let mut snippets: Vec<Snippet> = Vec::new();
    for i in order {
        let r = &ranges[i];
        let lines = context(r);
        if let Some(left) = snippets.last_mut() {
            if left.lines.start() + line_count(*left.lines.end()) >= *lines.start() {
                let covered = left.covered.start..left.covered.end.max(r.end);
                let joined = context(&covered);
                if joined.end() - joined.start() < MAX_SNIPPET_LINES {
                    left.lines = joined;
                    left.covered = covered;
                    left.labels.push(i);
                    continue;
                }
            }
        }
        snippets.push(Snippet {
            lines,
            covered: r.clone(),
            labels: vec![i],
        });
    }
    snippets
}

/// Cells `c` takes at `column`: tabs to the next tab stop (or [`TAB_CELLS`] in a window),
/// escaped characters their visible form, everything else one.
fn cells(c: char, column: usize, window: bool) -> usize {
    match c {
        '\t' if window => TAB_CELLS,
        '\t' => TAB_CELLS - column % TAB_CELLS,
        // `\u{` + hex digits + `}`
        c if escape::is_unsafe(c) => 4 + format!("{:x}", u32::from(c)).len(),
        _ => 1,
    }
}

/// Whether `content` is at most [`MAX_LINE_CELLS`] wide (counting stops there).
fn fits(content: &str) -> bool {
    let mut column = 0;
    content.chars().all(|c| {
        column += cells(c, column, false);
        column <= MAX_LINE_CELLS
    })
}

/// The byte ranges of a too-wide line to show: [`WINDOW_CELLS`] on each side of every point
/// within it, joined where they meet; the line's start when no point is in it.
fn windows(content: &str, points: &[usize]) -> Vec<Range<usize>> {
    let inside: Vec<usize> = points
        .iter()
        .copied()
        .filter(|&p| p <= content.len())
        .collect();
    if inside.is_empty() {
        let head = 0..forward(content, 0, 2 * WINDOW_CELLS);
        return vec![head];
    }
    let mut windows: Vec<Range<usize>> = Vec::new();
    for p in inside {
        let window = backward(content, p, WINDOW_CELLS)..forward(content, p, WINDOW_CELLS);
        match windows.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => windows.push(window),
        }
    }
    windows
}

/// The offset `budget` cells after `from` (or the end).
fn forward(content: &str, from: usize, budget: usize) -> usize {
    let mut used = 0;
    for (i, c) in content[from..].char_indices() {
        used += cells(c, 0, true);
        if used > budget {
            return from + i;
        }
    }
    content.len()
}

/// The offset `budget` cells before `to` (or the start).
fn backward(content: &str, to: usize, budget: usize) -> usize {
    let mut used = 0;
    for (i, c) in content[..to].char_indices().rev() {
        used += cells(c, 0, true);
        if used > budget {
            return i + c.len_utf8();
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use std::fmt;
    use std::sync::Arc;

    use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource};

    use super::*;
    use crate::source::{FileId, SourceFile};

    /// A diagnostic showing `labels` on `source`, to render with miette.
    #[derive(Debug)]
    struct Probe<S> {
        source: S,
        labels: Vec<LabeledSpan>,
    }

    impl<S> fmt::Display for Probe<S> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("probe")
        }
    }

    impl<S: fmt::Debug> std::error::Error for Probe<S> {}

    impl<S: SourceCode + fmt::Debug> Diagnostic for Probe<S> {
        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&self.source)
        }

        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn render(d: &dyn Diagnostic) -> String {
        let mut out = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_context_lines(CONTEXT_LINES)
            .render_report(&mut out, d)
            .unwrap();
        out
    }

    fn file(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), "f.tf".into(), text)
    }

    fn label(range: Range<usize>, text: &str, primary: bool) -> Label {
        Label {
            range,
            text: Some(text.to_string()),
            primary,
        }
    }

    /// Renders `labels` on the excerpt of `text`.
    fn excerpt_render(text: &str, labels: &[Label]) -> String {
        let (excerpt, spans) = Excerpt::new(&file(text), labels);
        render(&Probe {
            source: excerpt,
            labels: spans,
        })
    }

    /// Renders `labels` on the whole of `text`, as miette draws them without an excerpt.
    fn whole_render(text: &str, labels: &[Label]) -> String {
        let spans = labels
            .iter()
            .map(|l| {
                let span = SourceSpan::new(l.range.start.into(), l.range.len());
                if l.primary {
                    LabeledSpan::new_primary_with_span(l.text.clone(), span)
                } else {
                    LabeledSpan::new_with_span(l.text.clone(), span)
                }
            })
            .collect();
        render(&Probe {
            source: NamedSource::new("f.tf", Arc::<str>::from(text)),
            labels: spans,
        })
    }

    /// The source lines of a rendering (after the line number gutter) and their underlines.
    fn shown(out: &str) -> Vec<&str> {
        out.lines()
            .filter_map(|l| l.split_once(" │ ").or_else(|| l.split_once(" · ")))
            .map(|(_, rest)| rest)
            .collect()
    }

    /// The column (in characters) where `needle` starts in the shown line holding it, and
    /// where that line's underline starts.
    fn token_and_underline(out: &str, needle: &str) -> (usize, usize) {
        let lines = shown(out);
        let i = lines.iter().position(|l| l.contains(needle)).unwrap();
        let token = lines[i][..lines[i].find(needle).unwrap()].chars().count();
        let underline = lines[i + 1].chars().position(|c| c == '─').unwrap();
        (token, underline)
    }

    #[test]
    fn long_lines_are_windowed_around_labels() {
        let filler = "{\"k\":\"vé\"},".repeat(10_000);
        let text = format!("{{\"a\":[{filler}\"0.0.0.0/0\",{filler}1]}}\n");
        let start = text.find("\"0.0.0.0/0\"").unwrap();
        let out = excerpt_render(&text, &[label(start..start + 11, "open", true)]);
        assert!(out.contains(&format!("[f.tf:1:{}]", start + 1)), "{out}");
        assert!(
            out.lines().all(|l| l.chars().count() < 2 * MAX_LINE_CELLS),
            "{out}"
        );
        let line = shown(&out)[0];
        assert!(line.starts_with(CUT) && line.ends_with(CUT), "{out}");
        let (token, underline) = token_and_underline(&out, "\"0.0.0.0/0\"");
        assert_eq!(token, underline, "{out}");
        assert!(out.contains("╰── open"), "{out}");
    }

    #[test]
    fn a_label_over_a_long_stretch_of_one_line_shows_both_ends() {
        let text = format!("x = [\"{}\"]\n", "a".repeat(50_000));
        let out = excerpt_render(&text, &[label(4..text.len() - 1, "list", true)]);
        let line = shown(&out)[0];
        assert!(line.starts_with("x = [\"aaa"), "{out}");
        assert_eq!(line.matches(CUT).count(), 1, "{out}");
        assert!(line.ends_with("aaa\"]"), "{out}");
    }

    #[test]
    fn tabs_in_windows_are_expanded_and_do_not_reach_miette() {
        let text = format!("a {{\n{}b = 1\n}}\n", "\t".repeat(16_500));
        let at = text.find('b').unwrap();
        let out = excerpt_render(&text, &[label(at..at + 5, "here", true)]);
        assert!(!out.contains('\t'), "{out}");
        let b = shown(&out)
            .into_iter()
            .find(|l| l.contains("b = 1"))
            .unwrap();
        assert_eq!(b, format!("{CUT}{}b = 1", " ".repeat(WINDOW_CELLS)));
        let (token, underline) = token_and_underline(&out, "b = 1");
        assert_eq!(token, underline, "{out}");
    }

    #[test]
    fn unsafe_characters_in_source_are_escaped() {
        let text = "name = \"\u{1b}]8;;http://x\u{7}\u{1b}[2J\r\u{9b}\u{202e}\u{7f}\"\ncidr = 1\n";
        let at = text.find("cidr").unwrap();
        let out = excerpt_render(text, &[label(at..at + 4, "here", true)]);
        assert!(
            !out.chars().any(|c| escape::is_unsafe(c) && c != '\n'),
            "{out:?}"
        );
        assert!(out.contains("\\u{1b}]8;;http://x\\u{7}\\u{1b}[2J\\u{d}\\u{9b}\\u{202e}\\u{7f}"));
        let (token, underline) = token_and_underline(&out, "cidr");
        assert_eq!(token, underline, "{out}");
    }

    #[test]
    fn a_label_over_many_lines_is_drawn_on_its_first() {
        let body = "  x = 1\n".repeat(10 * MAX_LABEL_LINES);
        let text = format!("block {{\n{body}}}\n");
        let out = excerpt_render(&text, &[label(0..text.len() - 1, "this block", true)]);
        assert!(shown(&out).len() <= 4, "{out}");
        assert!(out.contains("this block"), "{out}");
    }

    #[test]
    fn snippets_miette_would_join_stay_apart_beyond_the_limit() {
        let text = "x\n".repeat(4 * MAX_SNIPPET_LINES);
        let line = |n: usize| 2 * n..2 * n + 1;
        let near = [label(line(10), "a", true), label(line(15), "b", false)];
        let out = excerpt_render(&text, &near);
        assert_eq!(
            out.matches("╭─[").count(),
            1,
            "miette joins close labels: {out}"
        );
        let n = 2 * MAX_SNIPPET_LINES;
        let far = [
            label(line(n), "a", true),
            label(line(2 * n - 10), "b", false),
        ];
        let whole = whole_render(&text, &far);
        assert_eq!(whole.matches("╭─[").count(), 1);
        assert!(shown(&whole).len() > MAX_SNIPPET_LINES);
        let out = excerpt_render(&text, &far);
        assert_eq!(out.matches("╭─[").count(), 2, "{out}");
        assert!(shown(&out).len() <= 12, "{out}");
    }

    #[test]
    fn spans_inside_characters_and_past_the_end_are_clamped() {
        let text = "é = 1\n";
        assert_eq!(clamp(text, &LineIndex::new(text), 1..99), 0..7);
        let out = excerpt_render(text, &[label(99..99, "end", true)]);
        assert!(out.contains("[f.tf:2:1]"), "{out}");
    }

    /// A small deterministic generator (xorshift), so the cases are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// On files of short lines the excerpt renders exactly as miette renders the whole file:
    /// same lines, gutters, underlines, headers and grouping of labels into snippets.
    #[test]
    fn short_lines_render_as_miette_renders_the_whole_file() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let pieces = ["a", "bc", " ", "é", "日", "\t", "{", "\"x\""];
        for case in 0..400 {
            let mut text = String::from(["", "\u{feff}"][rng.below(2)]);
            for _ in 0..rng.below(40) {
                for _ in 0..rng.below(12) {
                    text.push_str(pieces[rng.below(pieces.len())]);
                }
                text.push_str(["\n", "\r\n"][rng.below(2)]);
            }
            if rng.below(3) == 0 {
                text.push_str("tail");
            }
            let labels: Vec<Label> = (0..1 + rng.below(4))
                .map(|i| {
                    let (a, b) = (rng.below(text.len() + 1), rng.below(text.len() + 1));
                    let range = clamp(&text, &LineIndex::new(&text), a.min(b)..a.max(b));
                    let text = ["x", "label", ""][rng.below(3)];
                    label(range, text, i == 0)
                })
                .collect();
            let whole = whole_render(&text, &labels);
            let excerpt = excerpt_render(&text, &labels);
            assert_eq!(excerpt, whole, "case {case}: {text:?}");
        }
    }
}
