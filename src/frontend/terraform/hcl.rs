//! `hcl-edit` syntax trees converted to [`ast`](super::ast), with spans mapped into the file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{self, Structure};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span as _;

use super::ast::{Attr, Block, Body, Expr, ExprKind, ForExpr, Label, Op, Part};
use crate::ir::Diagnostic;
use crate::source::{SourceFile, Span};

/// Nesting deeper than this is not converted (an [`ExprKind::Invalid`] takes its place).
const MAX_DEPTH: usize = 128;
/// Repeated object keys renamed per file before the parse error is reported.
const MAX_RENAMES: usize = 64;
/// Characters of the identifiers that stand in for repeated object keys (all valid first
/// characters of an identifier).
const STAND_IN: &[u8] = b"_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Maps offsets of the parsed text to file spans.
pub struct Mapper<'a> {
    pub file: &'a SourceFile,
    /// Body offset of the parsed text's first byte.
    pub base: usize,
    /// When false (a JSON string with escapes), every span is `fallback`.
    pub exact: bool,
    pub fallback: Span,
    /// Object keys renamed for the parser: offset in the parsed text → the key as written.
    pub renamed: BTreeMap<usize, String>,
}

impl<'a> Mapper<'a> {
    /// A mapper for text that is the whole file body.
    pub fn whole(file: &'a SourceFile) -> Self {
        Mapper {
            file,
            base: 0,
            exact: true,
            fallback: file.body_span(0, 0),
            renamed: BTreeMap::new(),
        }
    }

    /// The file span of a parsed range.
    pub fn span(&self, r: Option<Range<usize>>) -> Span {
        match r {
            Some(r) if self.exact => self.file.body_span(self.base + r.start, self.base + r.end),
            _ => self.fallback,
        }
    }
}

/// Parses a `.tf` or `.tfvars` file body.
pub fn parse_file(file: &SourceFile) -> Result<Body, Diagnostic> {
    let (body, renamed) = parse_body(file.body()).map_err(|e| parse_error(file, &e, 0))?;
    let m = Mapper {
        renamed,
        ..Mapper::whole(file)
    };
    Ok(convert_body(&body, &m, 0))
}

/// Parses a body. Terraform accepts an object constructor that repeats a key (the later one
/// wins) where `hcl-edit` stops: each repeated key is replaced in a copy of the text by an
/// identifier of the same byte length (so spans stay valid) and remembered by its offset.
fn parse_body(
    text: &str,
) -> Result<(structure::Body, BTreeMap<usize, String>), hcl_edit::parser::Error> {
    let mut text = Cow::Borrowed(text);
    let mut renamed: BTreeMap<usize, String> = BTreeMap::new();
    let mut tries: BTreeMap<usize, usize> = BTreeMap::new();
    let mut left = MAX_RENAMES;
    loop {
        let e = match hcl_edit::parser::parse_body(&text) {
            Ok(body) => return Ok((body, renamed)),
            Err(e) => e,
        };
        let at = e.location().offset();
        let repeated = left > 0 && e.message().contains("redefined object key");
        let Some((len, key)) = text.get(at..).filter(|_| repeated).and_then(key_token) else {
            return Err(e);
        };
        let n = tries.entry(at).or_default();
        let Some(stand_in) = stand_in(*n, len) else {
            return Err(e);
        };
        *n += 1;
        left -= 1;
        renamed.entry(at).or_insert(key);
        text.to_mut().replace_range(at..at + len, &stand_in);
    }
}

/// The object key at the start of `s`: (byte length, key). Identifiers and quoted strings
/// without escapes or interpolation; None for other keys.
fn key_token(s: &str) -> Option<(usize, String)> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    let (len, key) = if first == '"' {
        let end = s.get(1..)?.find(['"', '\\', '$', '%', '\n'])? + 1;
        if s.get(end..)?.starts_with('"') {
            (end + 1, s.get(1..end)?)
        } else {
            return None;
        }
    } else if first.is_alphabetic() || first == '_' {
        let end = chars
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
            .map_or(s.len(), |(i, _)| i);
        if s.get(end..).is_some_and(|r| r.starts_with(['.', '['])) {
            return None;
        }
        (end, s.get(..end)?)
    } else {
        return None;
    };
    Some((len, key.to_string()))
}

/// The `n`th identifier of `len` bytes made of [`STAND_IN`] characters; None when `n` is
/// out of range.
fn stand_in(mut n: usize, len: usize) -> Option<String> {
    let mut out = vec![b'_'; len];
    for b in out.iter_mut().rev() {
        *b = *STAND_IN.get(n % STAND_IN.len())?;
        n /= STAND_IN.len();
    }
    (n == 0 && len > 0).then(|| String::from_utf8_lossy(&out).into_owned())
}

/// Parses one expression (a `--var` value of a complex type).
pub fn parse_expr(text: &str, m: &Mapper) -> Option<Expr> {
    let e = hcl_edit::parser::parse_expr(text).ok()?;
    Some(convert_expr(&e, m, 0))
}

/// Parses a template string (JSON string values, `templatefile` contents).
pub fn parse_template(text: &str, m: &Mapper) -> Result<Vec<Part>, String> {
    let t = hcl_edit::parser::parse_template(text).map_err(|e| e.message().to_string())?;
    Ok(convert_template(&t, m, 0))
}

/// A parse error as a diagnostic at its byte position (`base` = body offset of the text).
pub fn parse_error(file: &SourceFile, e: &hcl_edit::parser::Error, base: usize) -> Diagnostic {
    let at = (base + e.location().offset()).min(file.body().len());
    Diagnostic {
        span: file.body_span(at, at),
        message: format!("HCL parse error: {}", e.message()),
    }
}

fn convert_body(body: &structure::Body, m: &Mapper, depth: usize) -> Body {
    let mut out = Body::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.attrs.push(Attr {
                name: a.key.as_str().to_string(),
                expr: convert_expr(&a.value, m, depth + 1),
            }),
            Structure::Block(b) if depth < MAX_DEPTH => out.blocks.push(Block {
                kind: b.ident.as_str().to_string(),
                labels: b
                    .labels
                    .iter()
                    .map(|l| Label {
                        name: l.as_str().to_string(),
                        span: m.span(l.span()),
                    })
                    .collect(),
                body: convert_body(&b.body, m, depth + 1),
                span: m.span(b.span()),
            }),
            Structure::Block(_) => {}
        }
    }
    out
}

fn convert_expr(e: &Expression, m: &Mapper, depth: usize) -> Expr {
    let span = m.span(e.span());
    if depth > MAX_DEPTH {
        return Expr::new(
            ExprKind::Invalid("expression nested too deeply".into()),
            span,
        );
    }
    let d = depth + 1;
    let kind = match e {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(*b.value()),
        Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => ExprKind::Str(s.value().clone()),
        Expression::Array(a) => ExprKind::Tuple(a.iter().map(|x| convert_expr(x, m, d)).collect()),
        Expression::Object(o) => ExprKind::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => {
                            let written = i.span().and_then(|r| m.renamed.get(&r.start));
                            let name = written.map_or(i.as_str(), String::as_str);
                            Expr::new(ExprKind::Str(name.to_string()), m.span(i.span()))
                        }
                        ObjectKey::Expression(x) => convert_expr(x, m, d),
                    };
                    (key, convert_expr(v.expr(), m, d))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => ExprKind::Template(convert_template(t, m, d)),
        Expression::HeredocTemplate(h) => ExprKind::Template(convert_template(&h.template, m, d)),
        Expression::Parenthesis(p) => return convert_expr(p.inner(), m, d),
        Expression::Variable(v) => ExprKind::Var(v.as_str().to_string()),
        Expression::Conditional(c) => ExprKind::Cond(Box::new([
            convert_expr(&c.cond_expr, m, d),
            convert_expr(&c.true_expr, m, d),
            convert_expr(&c.false_expr, m, d),
        ])),
        Expression::FuncCall(f) => ExprKind::Call {
            name: f
                .name
                .namespace
                .iter()
                .map(|n| format!("{}::", n.as_str()))
                .chain(std::iter::once(f.name.name.as_str().to_string()))
                .collect(),
            args: f.args.iter().map(|x| convert_expr(x, m, d)).collect(),
            expand: f.args.expand_final(),
        },
        Expression::Traversal(t) => ExprKind::Traverse(
            Box::new(convert_expr(&t.expr, m, d)),
            t.operators
                .iter()
                .map(|op| match op.value() {
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Op::Splat,
                    TraversalOperator::GetAttr(i) => Op::Attr(i.as_str().to_string()),
                    TraversalOperator::Index(x) => Op::Index(convert_expr(x, m, d)),
                    TraversalOperator::LegacyIndex(i) => Op::Index(Expr::new(
                        ExprKind::Number(*i.value() as f64),
                        m.span(op.span()),
                    )),
                })
                .collect(),
        ),
        Expression::UnaryOp(u) => {
            ExprKind::Unary(*u.operator.value(), Box::new(convert_expr(&u.expr, m, d)))
        }
        Expression::BinaryOp(b) => ExprKind::Binary(
            *b.operator.value(),
            Box::new([
                convert_expr(&b.lhs_expr, m, d),
                convert_expr(&b.rhs_expr, m, d),
            ]),
        ),
        Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
            key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
            value_var: f.intro.value_var.as_str().to_string(),
            coll: convert_expr(&f.intro.collection_expr, m, d),
            key: f.key_expr.as_ref().map(|k| convert_expr(k, m, d)),
            value: convert_expr(&f.value_expr, m, d),
            cond: f.cond.as_ref().map(|c| convert_expr(&c.expr, m, d)),
            grouping: f.grouping,
        })),
    };
    Expr::new(kind, span)
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

fn convert_template(t: &Template, m: &Mapper, depth: usize) -> Vec<Part> {
    if depth > MAX_DEPTH {
        return Vec::new();
    }
    let d = depth + 1;
    // Each part with whether it strips the preceding / following literal.
    let mut parts: Vec<(Part, bool, bool)> = t
        .iter()
        .map(|el| match el {
            Element::Literal(s) => (Part::Lit(s.value().clone()), false, false),
            Element::Interpolation(i) => (
                Part::Interp(convert_expr(&i.expr, m, d)),
                i.strip.strip_start(),
                i.strip.strip_end(),
            ),
            Element::Directive(dir) => match dir.as_ref() {
                Directive::If(i) => {
                    let (open, close) = (i.if_expr.strip, i.endif_expr.strip);
                    let mut then = convert_template(&i.if_expr.template, m, d);
                    let mut other = Vec::new();
                    match &i.else_expr {
                        Some(e) => {
                            trim_edges(&mut then, open.strip_end(), e.strip.strip_start());
                            other = convert_template(&e.template, m, d);
                            trim_edges(&mut other, e.strip.strip_end(), close.strip_start());
                        }
                        None => trim_edges(&mut then, open.strip_end(), close.strip_start()),
                    }
                    let cond = convert_expr(&i.if_expr.cond_expr, m, d);
                    (
                        Part::If(cond, then, other),
                        open.strip_start(),
                        close.strip_end(),
                    )
                }
                Directive::For(f) => {
                    let (open, close) = (f.for_expr.strip, f.endfor_expr.strip);
                    let mut body = convert_template(&f.for_expr.template, m, d);
                    trim_edges(&mut body, open.strip_end(), close.strip_start());
                    let part = Part::For {
                        key: f.for_expr.key_var.as_ref().map(|k| k.as_str().to_string()),
                        value: f.for_expr.value_var.as_str().to_string(),
                        coll: convert_expr(&f.for_expr.collection_expr, m, d),
                        body,
                    };
                    (part, open.strip_start(), close.strip_end())
                }
            },
        })
        .collect();
    for i in 0..parts.len() {
        let before = i > 0 && parts.get(i - 1).is_some_and(|p| p.2);
        let after = parts.get(i + 1).is_some_and(|p| p.1);
        if let Some((part, _, _)) = parts.get_mut(i) {
            trim_edges(std::slice::from_mut(part), before, after);
        }
    }
    parts.into_iter().map(|(p, _, _)| p).collect()
}
