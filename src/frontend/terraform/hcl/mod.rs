//! HCL native syntax (`.tf`, `.tfvars`, templates) parsed straight into [`ast`](super::ast),
//! with spans mapped into the file.
//!
//! Written by hand rather than on `hcl-edit`: hcl-edit keeps every byte of whitespace and
//! comments as decor and parses through backtracking combinators, and on a real repository
//! it alone used more CPU than the whole lint is allowed. This recursive-descent parser builds
//! only what the evaluator reads, in one forward pass, and accepts what Terraform accepts
//! where hcl-edit does not (an object constructor that repeats a key: the later one wins).
//! The `oracle` tests compare its trees with hcl-edit's on every fixture and corpus file.

use std::ops::Range;

use foldhash::HashSet;

use super::ast::{Attr, Block, Body, Expr, Label, Part};
use crate::ir::Diagnostic;
use crate::source::{SourceFile, Span};

mod expr;
#[cfg(test)]
mod oracle;
mod template;

/// Nesting (blocks, expressions, templates, operator chains) deeper than this is a parse error.
const MAX_DEPTH: usize = 128;

/// Maps offsets of the parsed text to file spans.
pub struct Mapper<'a> {
    pub file: &'a SourceFile,
    /// Body offset of the parsed text's first byte.
    pub base: usize,
    /// When false (a JSON string with escapes), every span is `fallback`.
    pub exact: bool,
    pub fallback: Span,
}

impl<'a> Mapper<'a> {
    /// A mapper for text that is the whole file body.
    pub fn whole(file: &'a SourceFile) -> Self {
        Mapper {
            file,
            base: 0,
            exact: true,
            fallback: file.body_span(0, 0),
        }
    }

    /// The file span of a parsed range.
    pub fn span(&self, r: Range<usize>) -> Span {
        if self.exact {
            self.file.body_span(self.base + r.start, self.base + r.end)
        } else {
            self.fallback
        }
    }
}

/// Parses a `.tf` or `.tfvars` file body.
pub fn parse_file(file: &SourceFile) -> Result<Body, Diagnostic> {
    let m = Mapper::whole(file);
    let mut p = Parser::new(file.body(), &m);
    p.body(true).map_err(|e| {
        let at = e.at.min(file.body().len());
        Diagnostic {
            span: file.body_span(at, at),
            message: format!("HCL parse error: {}", e.message),
        }
    })
}

/// Parses one expression (a `--var` value of a complex type, a type in `.tf.json`).
pub fn parse_expr(text: &str, m: &Mapper) -> Option<Expr> {
    let mut p = Parser::new(text, m);
    let parse = |p: &mut Parser| -> PResult<Expr> {
        p.ws()?;
        let e = p.expr(true)?;
        p.ws()?;
        if p.at_end() {
            Ok(e)
        } else {
            p.fail("unexpected text after the expression")
        }
    };
    parse(&mut p).ok()
}

/// Parses a template string (JSON string values, `templatefile` contents).
pub fn parse_template(text: &str, m: &Mapper) -> Result<Vec<Part>, String> {
    Parser::new(text, m).whole_template().map_err(|e| e.message)
}

/// The attribute names of a body, to refuse a repeated one: most bodies are short and are
/// scanned; a long one (a large tfvars file) is hashed once it has [`NAMES_SCANNED`] names.
#[derive(Default)]
struct Names<'a> {
    scanned: Vec<&'a str>,
    hashed: HashSet<&'a str>,
}

/// Names a body may have before they are hashed.
const NAMES_SCANNED: usize = 16;

impl<'a> Names<'a> {
    /// Adds `name`; false when it is already there.
    fn insert(&mut self, name: &'a str) -> bool {
        if self.hashed.is_empty() {
            if self.scanned.contains(&name) {
                return false;
            }
            if self.scanned.len() < NAMES_SCANNED {
                self.scanned.push(name);
                return true;
            }
            self.hashed.extend(self.scanned.drain(..));
        }
        self.hashed.insert(name)
    }
}

/// A syntax error at a byte offset of the parsed text.
struct Error {
    at: usize,
    message: String,
}

type PResult<T> = Result<T, Error>;

/// The parser state: the text, the position in it and the current nesting depth.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    m: &'a Mapper<'a>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, m: &'a Mapper<'a>) -> Self {
        Parser {
            text,
            pos: 0,
            depth: 0,
            m,
        }
    }

    fn fail<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(Error {
            at: self.pos,
            message: message.into(),
        })
    }

    fn span(&self, start: usize) -> Span {
        self.m.span(start..self.pos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// The byte at the position (0 at the end).
    fn peek(&self) -> u8 {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> u8 {
        self.text.as_bytes().get(self.pos + n).copied().unwrap_or(0)
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == b && b != 0;
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let hit = self.rest().starts_with(s);
        if hit {
            self.pos += s.len();
        }
        hit
    }

    /// Consumes keyword `kw` when it is not the start of a longer identifier.
    fn eat_keyword(&mut self, kw: &str) -> bool {
        let rest = self.rest();
        let hit =
            rest.starts_with(kw) && !rest[kw.len()..].chars().next().is_some_and(is_id_continue);
        if hit {
            self.pos += kw.len();
        }
        hit
    }

    fn expect(&mut self, b: u8) -> PResult<()> {
        if self.eat(b) {
            Ok(())
        } else {
            self.fail(format!("expected `{}`, {}", b as char, self.found()))
        }
    }

    /// What is at the position, for error messages.
    fn found(&self) -> String {
        match self.rest().chars().next() {
            None => "found the end of the text".into(),
            Some('\n' | '\r') => "found a line break".into(),
            Some(c) => format!("found `{c}`"),
        }
    }

    /// Runs `f` one nesting level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            return self.fail(format!(
                "nesting depth: more than {MAX_DEPTH} nested levels"
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Skips spaces, tabs and `/* */` comments (not line breaks).
    fn sp(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' => self.pos += 1,
                b'/' if self.peek_at(1) == b'*' => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// Skips whitespace, line breaks and comments of every kind.
    fn ws(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if self.peek_at(1) == b'*' => self.block_comment()?,
                b'#' | b'/' if self.line_comment() => {}
                _ => return Ok(()),
            }
        }
    }

    /// [`ws`](Self::ws) where line breaks may appear, else [`sp`](Self::sp).
    fn skip(&mut self, newlines: bool) -> PResult<()> {
        if newlines {
            self.ws()
        } else {
            self.sp()
        }
    }

    fn block_comment(&mut self) -> PResult<()> {
        match self.text.get(self.pos + 2..).and_then(|r| r.find("*/")) {
            Some(i) => {
                self.pos += 2 + i + 2;
                Ok(())
            }
            None => self.fail("unterminated `/*` comment"),
        }
    }

    /// Skips a `#` or `//` comment up to (not including) the line break.
    fn line_comment(&mut self) -> bool {
        let rest = self.rest();
        if !(rest.starts_with('#') || rest.starts_with("//")) {
            return false;
        }
        let len = rest.find('\n').unwrap_or(rest.len());
        let len = if rest[..len].ends_with('\r') {
            len - 1
        } else {
            len
        };
        self.pos += len;
        true
    }

    fn line_ending(&mut self) -> bool {
        self.eat(b'\n') || self.eat_str("\r\n")
    }

    /// An identifier at the position: its text (the position moves past it).
    fn ident(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        if !rest.chars().next().is_some_and(is_id_start) {
            return None;
        }
        // ASCII bytes first; characters only from the first non-ASCII one
        let ascii = rest
            .bytes()
            .position(|b| !ASCII_ID_CONTINUE[usize::from(b)])
            .unwrap_or(rest.len());
        let len = match rest.as_bytes().get(ascii) {
            Some(b) if !b.is_ascii() => rest[ascii..]
                .char_indices()
                .find(|&(_, c)| !is_id_continue(c))
                .map_or(rest.len(), |(i, _)| ascii + i),
            _ => ascii,
        };
        self.pos += len;
        Some(&rest[..len])
    }

    fn starts_ident(&self) -> bool {
        self.rest().chars().next().is_some_and(is_id_start)
    }

    /// A body: attributes and blocks, each ending with a line break. `top`: the file's body
    /// (ends at the end of the text); else a block's (ends before `}`).
    fn body(&mut self, top: bool) -> PResult<Body> {
        let mut body = Body::default();
        let mut names = Names::default();
        loop {
            self.ws()?;
            if self.at_end() {
                return if top {
                    Ok(body)
                } else {
                    self.fail("expected `}` to close the block, found the end of the text")
                };
            }
            if !top && self.peek() == b'}' {
                return Ok(body);
            }
            let what = self.structure(&mut body, &mut names)?;
            self.sp()?;
            self.line_comment();
            if !(self.line_ending() || self.at_end()) {
                return self.fail(format!(
                    "expected a line break after the {what}, {}",
                    self.found()
                ));
            }
        }
    }

    /// One attribute or block, added to `body`; says which it was.
    fn structure(&mut self, body: &mut Body, names: &mut Names<'a>) -> PResult<&'static str> {
        let start = self.pos;
        let Some(name) = self.ident() else {
            return self.fail(format!(
                "expected an attribute name or a block type, {}",
                self.found()
            ));
        };
        self.sp()?;
        match self.peek() {
            b'=' => {
                if !names.insert(name) {
                    self.pos = start;
                    return self.fail(format!("attribute `{name}` is set twice in this body"));
                }
                self.pos += 1;
                self.sp()?;
                let expr = self.expr(false)?;
                body.attrs.push(Attr {
                    name: name.to_string(),
                    expr,
                });
                Ok("attribute")
            }
            b'{' | b'"' => self.block(start, name, body).map(|_| "block"),
            _ if self.starts_ident() => self.block(start, name, body).map(|_| "block"),
            _ => self.fail(format!(
                "expected `=`, a block label or `{{` after `{name}`, {}",
                self.found()
            )),
        }
    }

    /// A block from its labels on; `start` is the offset of its type `kind`.
    fn block(&mut self, start: usize, kind: &str, body: &mut Body) -> PResult<()> {
        let mut labels = Vec::new();
        loop {
            let at = self.pos;
            let name = if self.peek() == b'"' {
                match self.quoted()?.kind {
                    super::ast::ExprKind::Str(s) => s,
                    _ => {
                        self.pos = at;
                        return self.fail("a block label cannot hold a template");
                    }
                }
            } else if let Some(id) = self.ident() {
                id.to_string()
            } else {
                break;
            };
            labels.push(Label {
                name,
                span: self.span(at),
            });
            self.sp()?;
        }
        if self.peek() != b'{' {
            return self.fail(format!(
                "expected `{{` to open the `{kind}` block, {}",
                self.found()
            ));
        }
        let inner = self.nested(|p| p.block_body())?;
        body.blocks.push(Block {
            kind: kind.to_string(),
            labels,
            body: inner,
            span: self.span(start),
        });
        Ok(())
    }

    /// `{ … }`: a body over several lines, or one attribute (or none) on one line.
    fn block_body(&mut self) -> PResult<Body> {
        self.pos += 1;
        self.sp()?;
        self.line_comment();
        let body = if self.line_ending() {
            self.body(false)?
        } else {
            let mut body = Body::default();
            if self.peek() != b'}' {
                let Some(name) = self.ident() else {
                    return self.fail(format!(
                        "expected an attribute, a line break or `}}`, {}",
                        self.found()
                    ));
                };
                self.sp()?;
                self.expect(b'=')?;
                self.sp()?;
                let expr = self.expr(false)?;
                body.attrs.push(Attr {
                    name: name.to_string(),
                    expr,
                });
                self.sp()?;
            }
            body
        };
        self.expect(b'}')?;
        Ok(body)
    }
}

/// ASCII bytes that continue an identifier (letters, digits, `_`, `-`), by value: the ASCII
/// half of [`is_id_continue`], as a table for the byte scan of [`Parser::ident`].
static ASCII_ID_CONTINUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

/// HCL identifier characters: Unicode identifiers plus `_` (start) and `-` (continue).
fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (!c.is_ascii() && unicode_ident::is_xid_start(c))
}

fn is_id_continue(c: char) -> bool {
    if c.is_ascii() {
        ASCII_ID_CONTINUE[c as usize]
    } else {
        unicode_ident::is_xid_continue(c)
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceMap;

    /// The parse error of `text`: message and 1-based (line, column).
    fn error(text: &str) -> (String, usize, usize) {
        let sources = SourceMap::default();
        let file = sources.add("main.tf".into(), text);
        let e = super::parse_file(&file).expect_err("a parse error");
        let lc = file.line_col(e.span.start as usize);
        (e.message, lc.line, lc.column)
    }

    #[test]
    fn errors_say_what_was_expected_where() {
        for (text, message, line, column) in [
            ("a = 1 b = 2\n", "expected a line break after the attribute, found `b`", 1, 7),
            ("b {\n  a = 1\n", "expected `}` to close the block, found the end of the text", 3, 1),
            ("a = \"x\\q\"\n", "invalid escape sequence `\\q`", 1, 7),
            ("a = \"x\n", "unterminated string: no closing `\"`", 1, 5),
            ("x = 1\na = <<EOT\nx\n", "unterminated heredoc: no line with only `EOT`", 2, 5),
            ("a = 1\na = 2\n", "attribute `a` is set twice in this body", 2, 1),
            ("a = f(1 2)\n", "expected `,` or `)` after a function argument, found `2`", 1, 9),
            ("resource \"x\" \"y\" z\n", "expected `{` to open the `resource` block, found a line break", 1, 19),
            ("a = \"%{ endif }\"\n", "`%{ else }`, `%{ endif }` or `%{ endfor }` without a matching `%{ if }` or `%{ for }`", 1, 5),
            ("a = ?\n", "expected an expression, found `?`", 1, 5),
        ] {
            let (m, l, c) = error(text);
            assert_eq!(m, format!("HCL parse error: {message}"), "{text:?}");
            assert_eq!((l, c), (line, column), "{text:?}");
        }
    }

    /// Repeats are found in long bodies too, where names are hashed rather than scanned,
    /// whether the first occurrence was scanned or hashed.
    #[test]
    fn repeated_attribute_in_a_long_body() {
        let names = |n: usize| (0..n).map(|i| format!("a{i} = {i}\n")).collect::<String>();
        for (first, count) in [(3, 40), (30, 40), (15, 17)] {
            let text = format!("{}a{first} = 0\n", names(count));
            let (m, l, c) = error(&text);
            let message =
                format!("HCL parse error: attribute `a{first}` is set twice in this body");
            assert_eq!((m, l, c), (message, count + 1, 1));
        }
        let sources = SourceMap::default();
        let file = sources.add("main.tf".into(), names(100));
        assert_eq!(
            super::parse_file(&file).map(|b| b.attrs.len()).ok(),
            Some(100)
        );
    }
}
