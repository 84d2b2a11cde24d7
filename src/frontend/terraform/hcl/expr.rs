//! Expressions: terms, traversals, operators, conditionals, collections, `for`, calls.
//!
//! `newlines` says whether line breaks may separate the parts of an expression: inside
//! parentheses, brackets, call arguments and interpolations they may; in an attribute value
//! or an object item they end it.

use super::{PResult, Parser};
use crate::frontend::terraform::ast::{BinaryOperator, Expr, ExprKind, ForExpr, Op, UnaryOperator};

impl<'a> Parser<'a> {
    /// A full expression: operators and a trailing conditional included.
    pub(super) fn expr(&mut self, newlines: bool) -> PResult<Expr> {
        self.nested(|p| p.operation(newlines))
    }

    fn operation(&mut self, newlines: bool) -> PResult<Expr> {
        let start = self.pos;
        let first = self.term(newlines)?;
        // most expressions are one term: no operand lists for them
        let save = self.pos;
        self.skip(newlines)?;
        let more = self.peek() == b'?' || self.peek_operator().is_some();
        self.pos = save;
        if !more {
            return Ok(first);
        }
        // each operand with where its text ends (a parenthesised operand's span leaves out
        // the parentheses; the operation's span keeps them)
        let mut operands = vec![(first, self.pos)];
        let mut ops: Vec<(BinaryOperator, usize)> = Vec::new();
        loop {
            let save = self.pos;
            self.skip(newlines)?;
            if let Some(op) = self.binary_operator() {
                if self.depth + ops.len() >= super::MAX_DEPTH {
                    return self.fail(format!(
                        "nesting depth: more than {} nested levels of operators",
                        super::MAX_DEPTH
                    ));
                }
                self.skip(newlines)?;
                let rhs_start = self.pos;
                let rhs = self.term(newlines)?;
                ops.push((op, rhs_start));
                operands.push((rhs, self.pos));
            } else if self.peek() == b'?' {
                let cond = self.fold(start, operands, ops);
                self.pos += 1;
                self.skip(newlines)?;
                let yes = self.expr(newlines)?;
                self.skip(newlines)?;
                self.expect(b':')?;
                self.skip(newlines)?;
                let no = self.expr(newlines)?;
                return Ok(Expr::new(
                    ExprKind::Cond(Box::new([cond, yes, no])),
                    self.span(start),
                ));
            } else {
                self.pos = save;
                return Ok(self.fold(start, operands, ops));
            }
        }
    }

    /// Applies operator precedence to `operand op operand op …` (operators of one level
    /// associate left). `ops` holds each operator with the offset of its right operand;
    /// operands come with their end offsets; the first operand starts at `start`.
    fn fold(
        &self,
        start: usize,
        operands: Vec<(Expr, usize)>,
        ops: Vec<(BinaryOperator, usize)>,
    ) -> Expr {
        // (expression, start, end) stack and pending operators, shunting-yard style
        let mut out: Vec<(Expr, usize, usize)> = Vec::with_capacity(operands.len());
        let mut pending: Vec<BinaryOperator> = Vec::new();
        let reduce = |out: &mut Vec<(Expr, usize, usize)>, op: BinaryOperator| {
            if let (Some((rhs, _, end)), Some((lhs, from, _))) = (out.pop(), out.pop()) {
                let span = self.m.span(from..end);
                out.push((
                    Expr::new(ExprKind::Binary(op, Box::new([lhs, rhs])), span),
                    from,
                    end,
                ));
            }
        };
        let starts = std::iter::once(start).chain(ops.iter().map(|o| o.1));
        for (i, ((e, end), from)) in operands.into_iter().zip(starts).enumerate() {
            if let Some(&(op, _)) = i.checked_sub(1).and_then(|j| ops.get(j)) {
                while let Some(&top) = pending.last() {
                    if top.precedence() < op.precedence() {
                        break;
                    }
                    pending.pop();
                    reduce(&mut out, top);
                }
                pending.push(op);
            }
            out.push((e, from, end));
        }
        while let Some(op) = pending.pop() {
            reduce(&mut out, op);
        }
        out.pop()
            .map_or_else(|| Expr::new(ExprKind::Null, self.span(start)), |t| t.0)
    }

    /// Consumes a binary operator at the position, if one is there.
    fn binary_operator(&mut self) -> Option<BinaryOperator> {
        let (op, len) = self.peek_operator()?;
        self.pos += len;
        Some(op)
    }

    /// The binary operator at the position and its length, if one is there.
    fn peek_operator(&self) -> Option<(BinaryOperator, usize)> {
        use BinaryOperator as B;
        let (op, len) = match (self.peek(), self.peek_at(1)) {
            (b'=', b'=') => (B::Eq, 2),
            (b'!', b'=') => (B::NotEq, 2),
            (b'<', b'=') => (B::LessEq, 2),
            (b'>', b'=') => (B::GreaterEq, 2),
            (b'&', b'&') => (B::And, 2),
            (b'|', b'|') => (B::Or, 2),
            (b'<', _) => (B::Less, 1),
            (b'>', _) => (B::Greater, 1),
            (b'+', _) => (B::Plus, 1),
            (b'-', _) => (B::Minus, 1),
            (b'*', _) => (B::Mul, 1),
            (b'/', b) if b != b'/' && b != b'*' => (B::Div, 1),
            (b'%', _) => (B::Mod, 1),
            _ => return None,
        };
        Some((op, len))
    }

    /// An expression term with the traversals that follow it.
    fn term(&mut self, newlines: bool) -> PResult<Expr> {
        let start = self.pos;
        let base = match self.peek() {
            b'"' => self.quoted()?,
            b'[' => self.nested(|p| p.tuple())?,
            b'{' => self.nested(|p| p.object())?,
            b'0'..=b'9' => self.number(start, false)?,
            b'<' if self.peek_at(1) == b'<' => self.heredoc()?,
            b'-' | b'!' => self.unary(newlines)?,
            b'(' => {
                self.pos += 1;
                self.ws()?;
                let inner = self.expr(true)?;
                self.ws()?;
                self.expect(b')')?;
                inner
            }
            _ if self.starts_ident() => self.identlike(start, newlines)?,
            _ => return self.fail(format!("expected an expression, {}", self.found())),
        };
        let mut ops = Vec::new();
        let mut end = self.pos;
        loop {
            self.skip(newlines)?;
            match (self.peek(), self.peek_at(1)) {
                (b'.', b) if b != b'.' => ops.push(self.get_attr()?),
                (b'[', _) => ops.push(self.index()?),
                _ => break,
            }
            end = self.pos;
        }
        self.pos = end;
        if ops.is_empty() {
            return Ok(base);
        }
        let span = self.span(start);
        Ok(Expr::new(ExprKind::Traverse(Box::new(base), ops), span))
    }

    /// `.name`, `.*` or the legacy `.0`.
    fn get_attr(&mut self) -> PResult<Op> {
        let start = self.pos;
        self.pos += 1;
        self.ws()?;
        if self.eat(b'*') {
            return Ok(Op::Splat);
        }
        if self.peek().is_ascii_digit() {
            let digits = self.rest().bytes().take_while(u8::is_ascii_digit).count();
            let n: f64 = self.rest()[..digits].parse().unwrap_or(f64::NAN);
            self.pos += digits;
            return Ok(Op::Index(Expr::new(ExprKind::Number(n), self.span(start))));
        }
        match self.ident() {
            Some(name) => Ok(Op::Attr(name.to_string())),
            None => self.fail(format!(
                "expected an attribute name, `*` or an index after `.`, {}",
                self.found()
            )),
        }
    }

    /// `[expr]` or `[*]`.
    fn index(&mut self) -> PResult<Op> {
        self.pos += 1;
        self.ws()?;
        let op = if self.eat(b'*') {
            Op::Splat
        } else {
            Op::Index(self.expr(true)?)
        };
        self.ws()?;
        self.expect(b']')?;
        Ok(op)
    }

    /// A number; `negative` when a `-` was read before it (`start` is where that began).
    fn number(&mut self, start: usize, negative: bool) -> PResult<Expr> {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let from = self.pos;
        self.pos += digits(self.rest());
        if self.peek() == b'.' && self.peek_at(1).is_ascii_digit() {
            self.pos += 1;
            self.pos += digits(self.rest());
        }
        if matches!(self.peek(), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek_at(1), b'+' | b'-'));
            let exp = digits(self.rest().get(1 + sign..).unwrap_or(""));
            if exp > 0 {
                self.pos += 1 + sign + exp;
            }
        }
        let n: f64 = self.text[from..self.pos].parse().unwrap_or(f64::NAN);
        let n = if negative { -n } else { n };
        Ok(Expr::new(ExprKind::Number(n), self.span(start)))
    }

    /// `-term` (a negative number when digits follow) or `!term`.
    fn unary(&mut self, newlines: bool) -> PResult<Expr> {
        let start = self.pos;
        let op = if self.peek() == b'-' {
            UnaryOperator::Neg
        } else {
            UnaryOperator::Not
        };
        self.pos += 1;
        self.sp()?;
        if op == UnaryOperator::Neg && self.peek().is_ascii_digit() {
            return self.number(start, true);
        }
        let operand = self.nested(|p| p.term(newlines))?;
        Ok(Expr::new(
            ExprKind::Unary(op, Box::new(operand)),
            self.span(start),
        ))
    }

    /// A keyword (`null`, `true`, `false`), a variable or a function call.
    fn identlike(&mut self, start: usize, newlines: bool) -> PResult<Expr> {
        let name = self.ident().unwrap_or_default();
        let save = self.pos;
        self.skip(newlines)?;
        if !(self.peek() == b'(' || self.rest().starts_with("::")) {
            self.pos = save;
            let kind = match name {
                "null" => ExprKind::Null,
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => ExprKind::Var(name.to_string()),
            };
            return Ok(Expr::new(kind, self.span(start)));
        }
        let mut full = name.to_string();
        while self.eat_str("::") {
            self.skip(newlines)?;
            let Some(part) = self.ident() else {
                return self.fail(format!(
                    "expected a function name after `::`, {}",
                    self.found()
                ));
            };
            full.push_str("::");
            full.push_str(part);
            self.skip(newlines)?;
        }
        self.expect(b'(')?;
        let (args, expand) = self.nested(|p| p.call_args())?;
        Ok(Expr::new(
            ExprKind::Call {
                name: full,
                args,
                expand,
            },
            self.span(start),
        ))
    }

    /// Call arguments after `(` up to and including `)`; whether the last one is spread.
    fn call_args(&mut self) -> PResult<(Vec<Expr>, bool)> {
        let mut args = Vec::new();
        loop {
            self.ws()?;
            if self.eat(b')') {
                return Ok((args, false));
            }
            args.push(self.expr(true)?);
            self.ws()?;
            if self.eat_str("...") {
                self.ws()?;
                self.expect(b')')?;
                return Ok((args, true));
            }
            if !self.eat(b',') && self.peek() != b')' {
                return self.fail(format!(
                    "expected `,` or `)` after a function argument, {}",
                    self.found()
                ));
            }
        }
    }

    /// True when `for` (a `for` expression) follows, after whitespace.
    fn for_follows(&mut self) -> PResult<bool> {
        let save = self.pos;
        self.ws()?;
        let hit = self.rest().starts_with("for")
            && matches!(self.peek_at(3), b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'/');
        self.pos = save;
        Ok(hit)
    }

    /// `[ … ]`: a tuple or a list `for` expression.
    fn tuple(&mut self) -> PResult<Expr> {
        let start = self.pos;
        self.pos += 1;
        if self.for_follows()? {
            let f = self.for_expr(false)?;
            return Ok(Expr::new(ExprKind::For(Box::new(f)), self.span(start)));
        }
        let mut items = Vec::new();
        loop {
            self.ws()?;
            if self.eat(b']') {
                break;
            }
            items.push(self.expr(true)?);
            self.ws()?;
            if !self.eat(b',') && self.peek() != b']' {
                return self.fail(format!(
                    "expected `,` or `]` after a list element, {}",
                    self.found()
                ));
            }
        }
        Ok(Expr::new(ExprKind::Tuple(items), self.span(start)))
    }

    /// `{ … }`: an object or an object `for` expression. A key may repeat (the later wins
    /// when evaluated, as in Terraform).
    fn object(&mut self) -> PResult<Expr> {
        let start = self.pos;
        self.pos += 1;
        if self.for_follows()? {
            let f = self.for_expr(true)?;
            return Ok(Expr::new(ExprKind::For(Box::new(f)), self.span(start)));
        }
        let mut items = Vec::new();
        loop {
            self.ws()?;
            if self.eat(b'}') {
                break;
            }
            let mut key = self.expr(false)?;
            if let ExprKind::Var(name) = &mut key.kind {
                key.kind = ExprKind::Str(std::mem::take(name));
            }
            self.sp()?;
            if !(self.eat(b'=') || self.eat(b':')) {
                return self.fail(format!(
                    "expected `=` or `:` after an object key, {}",
                    self.found()
                ));
            }
            self.sp()?;
            let value = self.expr(false)?;
            items.push((key, value));
            self.sp()?;
            match self.peek() {
                b'}' => {}
                b',' => self.pos += 1,
                _ if self.line_ending() => {}
                _ if self.line_comment() && (self.line_ending() || self.at_end()) => {}
                _ => {
                    return self.fail(format!(
                        "expected `,`, a line break or `}}` after an object item, {}",
                        self.found()
                    ))
                }
            }
        }
        Ok(Expr::new(ExprKind::Object(items), self.span(start)))
    }

    /// The inside of `[for …]` or `{for …}` (the opening bracket read), closing bracket
    /// included.
    fn for_expr(&mut self, object: bool) -> PResult<ForExpr> {
        self.ws()?;
        self.pos += 3;
        let (key_var, value_var) = self.for_vars()?;
        let coll = self.expr(true)?;
        self.ws()?;
        self.expect(b':')?;
        self.ws()?;
        let (key, value) = if object {
            let key = self.expr(true)?;
            self.ws()?;
            if !self.eat_str("=>") {
                return self.fail(format!(
                    "expected `=>` after the key of a `for` expression, {}",
                    self.found()
                ));
            }
            self.ws()?;
            (Some(key), self.expr(true)?)
        } else {
            (None, self.expr(true)?)
        };
        self.ws()?;
        let grouping = object && self.eat_str("...");
        self.ws()?;
        let cond = if self.eat_keyword("if") {
            self.ws()?;
            let c = self.expr(true)?;
            self.ws()?;
            Some(c)
        } else {
            None
        };
        self.expect(if object { b'}' } else { b']' })?;
        Ok(ForExpr {
            key_var,
            value_var,
            coll,
            key,
            value,
            cond,
            grouping,
        })
    }

    /// `k, v in` or `v in` after `for` (also in template directives): the variable names,
    /// with the whitespace after `in` skipped.
    pub(super) fn for_vars(&mut self) -> PResult<(Option<String>, String)> {
        self.ws()?;
        let first = self.var_name()?;
        self.ws()?;
        let vars = if self.eat(b',') {
            self.ws()?;
            let second = self.var_name()?;
            self.ws()?;
            (Some(first), second)
        } else {
            (None, first)
        };
        if !self.eat_keyword("in") {
            return self.fail(format!(
                "expected `in` after the variables of `for`, {}",
                self.found()
            ));
        }
        self.ws()?;
        Ok(vars)
    }

    fn var_name(&mut self) -> PResult<String> {
        match self.ident() {
            Some(name) => Ok(name.to_string()),
            None => self.fail(format!("expected a variable name, {}", self.found())),
        }
    }
}
