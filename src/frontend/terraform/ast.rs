//! The spanned syntax tree both `.tf` (HCL) and `.tf.json` files lower into before evaluation.

use crate::source::Span;

/// A block body: attributes and nested blocks, each in source order.
#[derive(Debug, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

/// `name = expr`.
#[derive(Debug)]
pub struct Attr {
    pub name: String,
    pub expr: Expr,
}

/// `kind "label" … { body }`.
#[derive(Debug)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<Label>,
    pub body: Body,
    pub span: Span,
}

/// A block label with its span.
#[derive(Clone, Debug)]
pub struct Label {
    pub name: String,
    pub span: Span,
}

/// An expression with the span of its source text.
#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// Expression forms (parentheses are dropped).
#[derive(Debug)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A literal string (no interpolation).
    Str(String),
    Template(Vec<Part>),
    Tuple(Vec<Expr>),
    /// Key/value pairs; identifier keys are [`ExprKind::Str`].
    Object(Vec<(Expr, Expr)>),
    /// A root name: `var`, `local`, `aws_instance`, an iterator variable.
    Var(String),
    Traverse(Box<Expr>, Vec<Op>),
    Call {
        name: String,
        args: Vec<Expr>,
        /// `f(xs...)`: the last argument is spread.
        expand: bool,
    },
    Cond(Box<[Expr; 3]>),
    Unary(UnaryOperator, Box<Expr>),
    Binary(BinaryOperator, Box<[Expr; 2]>),
    For(Box<ForExpr>),
    /// Could not be converted (nesting too deep, bad template in JSON): the reason.
    Invalid(String),
}

/// `-x`, `!x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOperator {
    Neg,
    Not,
}

/// Binary operators, tightest-binding first in [`BinaryOperator::precedence`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOperator {
    Mul,
    Div,
    Mod,
    Plus,
    Minus,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Eq,
    NotEq,
    And,
    Or,
}

impl BinaryOperator {
    /// Binding strength: higher binds tighter; operators of one level associate left.
    pub fn precedence(self) -> u8 {
        use BinaryOperator as B;
        match self {
            B::Mul | B::Div | B::Mod => 6,
            B::Plus | B::Minus => 5,
            B::Less | B::LessEq | B::Greater | B::GreaterEq => 4,
            B::Eq | B::NotEq => 3,
            B::And => 2,
            B::Or => 1,
        }
    }
}

/// One traversal step.
#[derive(Debug)]
pub enum Op {
    Attr(String),
    Index(Expr),
    /// `[*]` or `.*`: the following steps apply to each element.
    Splat,
}

/// A template part.
#[derive(Debug)]
pub enum Part {
    Lit(String),
    Interp(Expr),
    If(Expr, Vec<Part>, Vec<Part>),
    For {
        key: Option<String>,
        value: String,
        coll: Expr,
        body: Vec<Part>,
    },
}

/// `[for k, v in coll : key => value if cond]`.
#[derive(Debug)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub coll: Expr,
    /// Present for the object form.
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    /// `...` after the value (object form): values with the same key are grouped.
    pub grouping: bool,
}

impl Body {
    /// The attribute named `name`.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// True when an attribute or block named `name` is set.
    pub fn sets(&self, name: &str) -> bool {
        self.attr(name).is_some()
            || self.blocks.iter().any(|b| {
                b.kind == name
                    || (b.kind == "dynamic" && b.labels.first().is_some_and(|l| l.name == name))
            })
    }
}

impl Expr {
    /// An expression of `kind` at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// The literal string this expression is, if it is one (plain or a literal-only template).
    pub fn as_literal_str(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Str(s) => Some(s.clone()),
            ExprKind::Template(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect::<Option<String>>(),
            _ => None,
        }
    }
}
