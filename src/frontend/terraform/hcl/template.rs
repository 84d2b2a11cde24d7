//! Strings and templates: quoted strings (escapes), heredocs (`<<EOF`, indented `<<-EOF`),
//! bare templates (`templatefile`, JSON strings); interpolations `${…}` and the directives
//! `%{if}`/`%{for}`, with `~` strip markers applied.

use super::{is_id_continue, PResult, Parser};
use crate::frontend::terraform::ast::{Expr, ExprKind, Part};

const STRAY_DIRECTIVE: &str =
    "`%{ else }`, `%{ endif }` or `%{ endfor }` without a matching `%{ if }` or `%{ for }`";

/// Where a template's text ends.
#[derive(Clone, Copy)]
enum End<'d> {
    /// At an unescaped `"`; backslash escapes apply.
    Quote,
    /// At a line holding only the delimiter (after optional spaces).
    Heredoc(&'d str),
    /// At the end of the text.
    Text,
}

/// A template part with its strip markers: whether it strips the whitespace before it
/// (`${~`, `%{~`) and after it (`~}`).
struct Elem {
    part: Part,
    strip_before: bool,
    strip_after: bool,
}

impl<'a> Parser<'a> {
    /// A quoted string: [`ExprKind::Str`] without interpolations or directives, else a
    /// [`ExprKind::Template`].
    pub(super) fn quoted(&mut self) -> PResult<Expr> {
        let start = self.pos;
        self.pos += 1;
        let elems = self.elements(End::Quote)?;
        if !self.eat(b'"') {
            let at_end = self.at_end();
            self.pos = start;
            return self.fail(if at_end {
                "unterminated string: no closing `\"`"
            } else {
                STRAY_DIRECTIVE
            });
        }
        let kind = match elems.as_slice() {
            [] => ExprKind::Str(String::new()),
            [Elem {
                part: Part::Lit(_), ..
            }] => match elems.into_iter().next().map(|e| e.part) {
                Some(Part::Lit(s)) => ExprKind::Str(s),
                _ => ExprKind::Str(String::new()),
            },
            _ => ExprKind::Template(strip(elems)),
        };
        Ok(Expr::new(kind, self.span(start)))
    }

    /// A heredoc, from `<<` to its closing delimiter.
    pub(super) fn heredoc(&mut self) -> PResult<Expr> {
        let start = self.pos;
        self.pos += 2;
        let indented = self.eat(b'-');
        let Some(delim) = self.ident() else {
            return self.fail(format!(
                "expected a heredoc delimiter after `<<`, {}",
                self.found()
            ));
        };
        if !self.line_ending() {
            return self.fail(format!(
                "expected a line break after the heredoc delimiter, {}",
                self.found()
            ));
        }
        let mut elems = if self.closes_heredoc(delim) {
            Vec::new()
        } else {
            let mut elems = self.elements(End::Heredoc(delim))?;
            if !self.closes_heredoc(delim) {
                self.pos = start;
                return self.fail(format!("unterminated heredoc: no line with only `{delim}`"));
            }
            // the line break before the delimiter belongs to the text (a `\r` before it is
            // already in the last literal)
            match elems.last_mut() {
                Some(Elem {
                    part: Part::Lit(s), ..
                }) => s.push('\n'),
                _ => elems.push(literal("\n".to_string())),
            }
            elems
        };
        self.pos += self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.pos += delim.len();
        if indented {
            dedent(&mut elems);
        }
        Ok(Expr::new(
            ExprKind::Template(strip(elems)),
            self.span(start),
        ))
    }

    /// A whole text as a template.
    pub(super) fn whole_template(&mut self) -> PResult<Vec<Part>> {
        let elems = self.elements(End::Text)?;
        if !self.at_end() {
            return self.fail(STRAY_DIRECTIVE);
        }
        Ok(strip(elems))
    }

    /// True when the position starts a line that closes heredoc `delim`.
    fn closes_heredoc(&self, delim: &str) -> bool {
        let line = self.rest().trim_start_matches([' ', '\t']);
        line.starts_with(delim)
            && !line[delim.len()..]
                .chars()
                .next()
                .is_some_and(is_id_continue)
    }

    /// Template elements up to `end`, or up to a `%{ else }`, `%{ endif }` or `%{ endfor }`
    /// (left for the enclosing directive to read). For a heredoc the position is left after
    /// the `\n` before the closing delimiter, which the caller adds to the text.
    fn elements(&mut self, end: End) -> PResult<Vec<Elem>> {
        let mut out = Vec::new();
        let mut lit = String::new();
        loop {
            let rest = self.rest().as_bytes();
            let run = rest
                .iter()
                .position(|&b| match b {
                    b'$' | b'%' => true,
                    b'"' | b'\\' => matches!(end, End::Quote),
                    b'\n' => matches!(end, End::Heredoc(_)),
                    _ => false,
                })
                .unwrap_or(rest.len());
            lit.push_str(&self.rest()[..run]);
            self.pos += run;
            match (self.peek(), self.peek_at(1), self.peek_at(2)) {
                (0, _, _) if self.at_end() => break,
                (b'"', _, _) => break,
                (b'\\', _, _) => lit.push(self.escape()?),
                (b'\n', _, _) => {
                    self.pos += 1;
                    if let End::Heredoc(delim) = end {
                        if self.closes_heredoc(delim) {
                            // the caller appends the line break
                            break;
                        }
                    }
                    lit.push('\n');
                }
                (b'$', b'$', b'{') | (b'%', b'%', b'{') => {
                    lit.push(self.peek() as char);
                    lit.push('{');
                    self.pos += 3;
                }
                (b'$', b'{', _) => {
                    flush(&mut out, &mut lit);
                    out.push(self.interpolation()?);
                }
                (b'%', b'{', _) => {
                    if self.directive_keyword()?.is_some_and(closes_directive) {
                        break;
                    }
                    flush(&mut out, &mut lit);
                    out.push(self.nested(|p| p.directive(end))?);
                }
                (b, _, _) => {
                    lit.push(b as char);
                    self.pos += 1;
                }
            }
        }
        flush(&mut out, &mut lit);
        Ok(out)
    }

    /// A backslash escape in a quoted string.
    fn escape(&mut self) -> PResult<char> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'u' | b'U' => {
                let len = if self.peek() == b'u' { 4 } else { 8 };
                let hex = self.text.get(self.pos + 1..self.pos + 1 + len);
                let c = hex
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32);
                match c {
                    Some(c) => {
                        self.pos += len;
                        c
                    }
                    None => {
                        self.pos = start;
                        return self.fail(format!(
                            "invalid unicode escape: `\\{}` needs {len} hex digits of a character",
                            self.peek_at(1) as char
                        ));
                    }
                }
            }
            _ => {
                self.pos = start;
                return self.fail(format!(
                    "invalid escape sequence `\\{}`",
                    self.rest().chars().nth(1).unwrap_or(' ')
                ));
            }
        };
        self.pos += 1;
        Ok(c)
    }

    /// `${ expr }` with its strip markers.
    fn interpolation(&mut self) -> PResult<Elem> {
        self.pos += 2;
        let strip_before = self.eat(b'~');
        self.ws()?;
        let e = self.expr(true)?;
        self.ws()?;
        let strip_after = self.control_end()?;
        Ok(Elem {
            part: Part::Interp(e),
            strip_before,
            strip_after,
        })
    }

    /// The keyword after the `%{` at the position (`if`, `for`, `else`, `endif`, `endfor`).
    fn directive_keyword(&mut self) -> PResult<Option<&'a str>> {
        let save = self.pos;
        self.pos += 2;
        self.eat(b'~');
        self.ws()?;
        let kw = self.ident();
        self.pos = save;
        Ok(kw)
    }

    /// Reads `%{~ keyword` (whitespace after it skipped); whether `~` was there.
    fn control_start(&mut self, keyword: &str) -> PResult<bool> {
        self.pos += 2;
        let strip = self.eat(b'~');
        self.ws()?;
        if !self.eat_keyword(keyword) {
            return self.fail(format!("expected `%{{ {keyword} }}`, {}", self.found()));
        }
        self.ws()?;
        Ok(strip)
    }

    /// Reads `~}` or `}`; whether `~` was there.
    fn control_end(&mut self) -> PResult<bool> {
        let strip = self.eat(b'~');
        self.expect(b'}')?;
        Ok(strip)
    }

    /// `%{ if … }…%{ else }…%{ endif }` or `%{ for … }…%{ endfor }`.
    fn directive(&mut self, end: End) -> PResult<Elem> {
        match self.directive_keyword()? {
            Some("if") => {
                let strip_before = self.control_start("if")?;
                let cond = self.expr(false)?;
                self.ws()?;
                let open_after = self.control_end()?;
                let mut then = strip(self.elements(end)?);
                let mut other = Vec::new();
                let (then_end, close) = if self.directive_keyword()? == Some("else") {
                    let else_before = self.control_start("else")?;
                    let else_after = self.control_end()?;
                    other = strip(self.elements(end)?);
                    let close = self.directive_close("endif")?;
                    trim_edges(&mut other, else_after, close.0);
                    (else_before, close)
                } else {
                    let close = self.directive_close("endif")?;
                    (close.0, close)
                };
                trim_edges(&mut then, open_after, then_end);
                Ok(Elem {
                    part: Part::If(cond, then, other),
                    strip_before,
                    strip_after: close.1,
                })
            }
            Some("for") => {
                let strip_before = self.control_start("for")?;
                let (key, value) = self.for_vars()?;
                let coll = self.expr(false)?;
                self.ws()?;
                let open_after = self.control_end()?;
                let mut body = strip(self.elements(end)?);
                let close = self.directive_close("endfor")?;
                trim_edges(&mut body, open_after, close.0);
                Ok(Elem {
                    part: Part::For {
                        key,
                        value,
                        coll,
                        body,
                    },
                    strip_before,
                    strip_after: close.1,
                })
            }
            _ => self.fail(format!(
                "expected `if` or `for` after `%{{`, {}",
                self.found()
            )),
        }
    }

    /// `%{ endif }` / `%{ endfor }`: its (before, after) strip markers.
    fn directive_close(&mut self, keyword: &str) -> PResult<(bool, bool)> {
        if self.peek() != b'%' {
            return self.fail(format!("expected `%{{ {keyword} }}`, {}", self.found()));
        }
        let before = self.control_start(keyword)?;
        let after = self.control_end()?;
        Ok((before, after))
    }
}

fn closes_directive(kw: &str) -> bool {
    matches!(kw, "else" | "endif" | "endfor")
}

fn literal(s: String) -> Elem {
    Elem {
        part: Part::Lit(s),
        strip_before: false,
        strip_after: false,
    }
}

fn flush(out: &mut Vec<Elem>, lit: &mut String) {
    if !lit.is_empty() {
        out.push(literal(std::mem::take(lit)));
    }
}

/// Trims the whitespace of a leading / trailing literal (`~` strip markers).
fn trim_edges(parts: &mut [Part], start: bool, end: bool) {
    if let (true, Some(Part::Lit(s))) = (start, parts.first_mut()) {
        *s = s.trim_start().to_string();
    }
    if let (true, Some(Part::Lit(s))) = (end, parts.last_mut()) {
        *s = s.trim_end().to_string();
    }
}

/// The parts of `elems`, with each element's strip markers applied to the literals beside it.
fn strip(elems: Vec<Elem>) -> Vec<Part> {
    let marks: Vec<(bool, bool)> = elems
        .iter()
        .map(|e| (e.strip_before, e.strip_after))
        .collect();
    let mut parts: Vec<Part> = elems.into_iter().map(|e| e.part).collect();
    for (i, part) in parts.iter_mut().enumerate() {
        let before = i > 0 && marks.get(i - 1).is_some_and(|m| m.1);
        let after = marks.get(i + 1).is_some_and(|m| m.0);
        trim_edges(std::slice::from_mut(part), before, after);
    }
    parts
}

/// `<<-` heredocs: removes the indentation common to every non-empty line of the top-level
/// literals (none when an interpolation or directive starts a line).
fn dedent(elems: &mut [Elem]) {
    let mut indent: Option<usize> = None;
    let mut mid_line = false;
    for e in elems.iter() {
        match &e.part {
            Part::Lit(s) => {
                for (i, line) in s.lines().enumerate() {
                    if (i == 0 && mid_line) || line.is_empty() {
                        continue;
                    }
                    let n = line.chars().take_while(|c| c.is_whitespace()).count();
                    indent = Some(indent.map_or(n, |m| m.min(n)));
                }
                mid_line = !s.ends_with('\n');
            }
            _ if !mid_line => return,
            _ => {}
        }
    }
    let Some(n) = indent.filter(|&n| n > 0) else {
        return;
    };
    let mut mid_line = false;
    for e in elems.iter_mut() {
        match &mut e.part {
            Part::Lit(s) => {
                let mut out = String::with_capacity(s.len());
                for (i, line) in s.lines().enumerate() {
                    if i == 0 && mid_line {
                        out.push_str(line);
                    } else {
                        let cut = line.char_indices().nth(n).map_or(line.len(), |(i, _)| i);
                        out.push_str(&line[cut..]);
                    }
                    out.push('\n');
                }
                if !s.ends_with('\n') {
                    out.pop();
                }
                mid_line = !out.ends_with('\n');
                *s = out;
            }
            _ => mid_line = true,
        }
    }
}
