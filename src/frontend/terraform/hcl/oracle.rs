//! Differential tests: the trees of this parser against those of `hcl-edit` (converted the
//! way the project first read them) on every fixture, example and corpus file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{self, Structure};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span as _;

use super::Mapper;
use crate::frontend::terraform::ast::{
    Attr, BinaryOperator, Block, Body, Expr, ExprKind, ForExpr, Label, Op, Part, UnaryOperator,
};
use crate::source::{SourceMap, Span};

const MAX_DEPTH: usize = 128;

fn at(m: &Mapper, r: Option<Range<usize>>) -> Span {
    r.map_or(m.fallback, |r| m.span(r))
}

fn binary(op: hcl_edit::expr::BinaryOperator) -> BinaryOperator {
    use hcl_edit::expr::BinaryOperator as H;
    use BinaryOperator as B;
    match op {
        H::Mul => B::Mul,
        H::Div => B::Div,
        H::Mod => B::Mod,
        H::Plus => B::Plus,
        H::Minus => B::Minus,
        H::Less => B::Less,
        H::LessEq => B::LessEq,
        H::Greater => B::Greater,
        H::GreaterEq => B::GreaterEq,
        H::Eq => B::Eq,
        H::NotEq => B::NotEq,
        H::And => B::And,
        H::Or => B::Or,
    }
}

fn unary(op: hcl_edit::expr::UnaryOperator) -> UnaryOperator {
    match op {
        hcl_edit::expr::UnaryOperator::Neg => UnaryOperator::Neg,
        hcl_edit::expr::UnaryOperator::Not => UnaryOperator::Not,
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
                        span: at(m, l.span()),
                    })
                    .collect(),
                body: convert_body(&b.body, m, depth + 1),
                span: at(m, b.span()),
            }),
            Structure::Block(_) => {}
        }
    }
    out
}

fn convert_expr(e: &Expression, m: &Mapper, depth: usize) -> Expr {
    let span = at(m, e.span());
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
                            Expr::new(ExprKind::Str(i.as_str().to_string()), at(m, i.span()))
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
                        at(m, op.span()),
                    )),
                })
                .collect(),
        ),
        Expression::UnaryOp(u) => ExprKind::Unary(
            unary(*u.operator.value()),
            Box::new(convert_expr(&u.expr, m, d)),
        ),
        Expression::BinaryOp(b) => ExprKind::Binary(
            binary(*b.operator.value()),
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

/// Clears what the two parsers legitimately span differently: hcl-edit gives identifier
/// object keys no span.
fn normalise(body: &mut Body) {
    for a in &mut body.attrs {
        normalise_expr(&mut a.expr);
    }
    for b in &mut body.blocks {
        normalise(&mut b.body);
    }
}

fn normalise_expr(e: &mut Expr) {
    let parts = |ps: &mut Vec<Part>| {
        for p in ps {
            normalise_part(p);
        }
    };
    match &mut e.kind {
        ExprKind::Object(items) => {
            for (k, v) in items {
                if matches!(k.kind, ExprKind::Str(_)) {
                    k.span = Span::default();
                }
                normalise_expr(k);
                normalise_expr(v);
            }
        }
        ExprKind::Tuple(xs) | ExprKind::Call { args: xs, .. } => {
            xs.iter_mut().for_each(normalise_expr)
        }
        ExprKind::Template(ps) => parts(ps),
        ExprKind::Traverse(base, ops) => {
            normalise_expr(base);
            for op in ops {
                if let Op::Index(i) = op {
                    normalise_expr(i);
                }
            }
        }
        ExprKind::Cond(xs) => xs.iter_mut().for_each(normalise_expr),
        ExprKind::Binary(_, xs) => xs.iter_mut().for_each(normalise_expr),
        ExprKind::Unary(_, x) => normalise_expr(x),
        ExprKind::For(f) => {
            for x in [
                Some(&mut f.coll),
                f.key.as_mut(),
                Some(&mut f.value),
                f.cond.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                normalise_expr(x);
            }
        }
        _ => {}
    }
}

fn normalise_part(p: &mut Part) {
    match p {
        Part::Lit(_) => {}
        Part::Interp(e) => normalise_expr(e),
        Part::If(c, a, b) => {
            normalise_expr(c);
            a.iter_mut().chain(b.iter_mut()).for_each(normalise_part);
        }
        Part::For { coll, body, .. } => {
            normalise_expr(coll);
            body.iter_mut().for_each(normalise_part);
        }
    }
}

/// `.tf` and `.tfvars` files under `dir`, sorted.
fn hcl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            hcl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
            out.push(path);
        }
    }
}

#[test]
fn trees_match_hcl_edit_on_every_fixture_and_corpus_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["fixtures", "examples", "rules", "../shared/corpus"] {
        hcl_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "too few files found: {}", files.len());
    let sources = SourceMap::default();
    let mut mismatches = Vec::new();
    let mut parsed = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file = sources.add(path.clone(), text);
        let ours = super::parse_file(&file);
        let theirs = hcl_edit::parser::parse_body(file.body());
        match (ours, theirs) {
            (Ok(mut ours), Ok(theirs)) => {
                let mut theirs = convert_body(&theirs, &Mapper::whole(&file), 0);
                normalise(&mut ours);
                normalise(&mut theirs);
                let (a, b) = (format!("{ours:#?}"), format!("{theirs:#?}"));
                if a != b {
                    let line = a
                        .lines()
                        .zip(b.lines())
                        .position(|(x, y)| x != y)
                        .unwrap_or(0);
                    let at = |s: &str| {
                        s.lines()
                            .skip(line.saturating_sub(3))
                            .take(8)
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    mismatches.push(format!(
                        "{}: trees differ\n--- ours\n{}\n--- hcl-edit\n{}",
                        path.display(),
                        at(&a),
                        at(&b)
                    ));
                }
                parsed += 1;
            }
            (Err(e), Ok(_)) => mismatches.push(format!(
                "{}: only hcl-edit parses it; ours: {} at {}",
                path.display(),
                e.message,
                e.span.start
            )),
            // Terraform keeps the later of repeated object keys; hcl-edit rejects them
            (Ok(_), Err(e)) if e.message().contains("redefined object key") => {}
            (Ok(_), Err(e)) => mismatches.push(format!(
                "{}: only ours parses it; hcl-edit: {}",
                path.display(),
                e.message()
            )),
            (Err(_), Err(_)) => {}
        }
    }
    assert!(parsed > 50, "too few files parsed: {parsed}");
    assert!(
        mismatches.is_empty(),
        "{} of {} files differ:\n{}",
        mismatches.len(),
        files.len(),
        mismatches.join("\n\n")
    );
}

/// The tree of `text` by both parsers (normalised), or their errors.
fn both(text: &str) -> (Result<String, String>, Result<String, String>) {
    let sources = SourceMap::default();
    let file = sources.add("snippet.tf".into(), text);
    let ours = super::parse_file(&file).map(|mut b| {
        normalise(&mut b);
        format!("{b:#?}")
    });
    let theirs = hcl_edit::parser::parse_body(file.body()).map(|b| {
        let mut b = convert_body(&b, &Mapper::whole(&file), 0);
        normalise(&mut b);
        format!("{b:#?}")
    });
    (
        ours.map_err(|e| e.message),
        theirs.map_err(|e| e.message().to_string()),
    )
}

#[test]
fn trees_match_hcl_edit_on_tricky_syntax() {
    let snippets = [
        "a = <<-EOT\n    x\n      y ${z}\n    EOT\n",
        "a = <<EOT\nx\n  EOT\n",
        "a = <<EOT\nEOT\n",
        "a = <<EOT\r\nx\r\n${y}\r\nEOT\r\n",
        "a = <<-EOT\n  %{ for x in xs ~}\n  ${x}\n  %{ endfor ~}\n  EOT\n",
        "a = \"${x}\\n\\u00e9\\U0001F600 $${y} %%{z} $ % \\\\ \\\" \\t\\r\"\n",
        "a = \"%{ if x ~}\n yes \n%{~ else }no%{ endif }\"\n",
        "a = \"  ${~ x ~}  ${y}  \"\n",
        "a = \"%{for k, v in m}${k}=${v},%{endfor}\"\n",
        "a = [for k, v in m : k if v]\nb = {for k, v in m : k => v... if v != null}\n",
        "a = {\n  for i, x in xs :\n  x.k => x\n}\n",
        "a = 1\r\nb {\r\n  c = 2\r\n}\r\n",
        "b { a = 1 }\nc {}\nd \"l\" m {\n}\n",
        "# c\n// d\n/* e\n f */ a = 1 /* g */ # h\nb = 2 // i\n",
        "a = 1.5e3\nb = -2\nc = - 3.25\nd = 007\ne = 1.5E-2\n",
        "a = 1 + 2 * 3 - 4 / 5 % 6 == 7 && !x || y != z\n",
        "a = x > 1 ? (y) : z[0].w[*].v.*.u.0\nb = (a + b) * c\nc = -x.y\n",
        "a = provider::aws::arn_parse(x)\nb = f(xs...)\nc = f(\n  1,\n  2,\n)\nd = f()\n",
        "a = {\n  \"k\" = 1, k2: 2\n  (var.x) = 3 # c\n  k.l = 4\n}\n",
        "a = [\n  1, # one\n  2,\n]\nb = []\n",
        "ünï = \"ü\"\nx-y_z = 1\n",
        "a = cond ? [\n  1\n] : []\n",
        "a = (\n  x\n  ? 1\n  : 2\n)\n",
        "a = {}\nb = { a = 1 }\nc = { a = 1, }\n",
    ];
    for text in snippets {
        let (ours, theirs) = both(text);
        assert!(theirs.is_ok(), "hcl-edit rejects {text:?}: {theirs:?}");
        assert_eq!(ours, theirs, "{text:?}");
    }
}

#[test]
fn what_hcl_edit_rejects_this_parser_rejects() {
    for text in [
        "a = {\n",
        "b {\n  a = 1\n",
        "a\n",
        "a = \"x\\q\"\n",
        "a = \"x\n",
        "a = <<EOT\nx\n",
        "a = 1 b = 2\n",
        "a = 1\na = 2\n",
        "b { a = 1 } c = 2\n",
        "a = \"%{ if x }y\"\n",
        "a = \"%{ endif }\"\n",
        "a = f(1 2)\n",
        "a = [1 2]\n",
        "a = x ? 1\n",
        "a = /* open\n",
        "a = .5\n",
    ] {
        let (ours, theirs) = both(text);
        assert!(theirs.is_err(), "hcl-edit accepts {text:?}");
        assert!(ours.is_err(), "{text:?} parses: {ours:?}");
    }
}
