//! The condition language of rules.
//!
//! ```text
//! expr     := and ("or" and)*
//! and      := unary ("and" unary)*
//! unary    := "not" unary | "(" expr ")" | test
//! test     := field [op operand]        a field alone tests a boolean
//! op       := == != < <= > >= in contains starts_with ends_with matches
//! operand  := literal | "[" literal ("," literal)* [","] "]"
//! literal  := "text" | 'text' | number | true | false | @constant
//! field    := name ("." name)*          names: letters, digits, _ and -
//! ```
//!
//! Every node keeps the byte offsets of its text so that an error can
//! point at it.

use std::ops::Range;

/// Deepest nesting of parentheses and `not` accepted, so that a hostile
/// rule file cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// Longest condition accepted, in bytes.
pub const MAX_CONDITION_LEN: usize = 64 * 1024;

/// A parsed condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Test(Test),
}

/// A field, and optionally what it is compared with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Test {
    pub field: String,
    pub field_span: Range<usize>,
    pub op: Option<(Op, Range<usize>)>,
    pub operand: Vec<(Literal, Range<usize>)>,
    /// True when the operand was written as a list.
    pub list: bool,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Matches => "matches",
        }
    }
}

/// A value written in a condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Const(String),
}

/// A parse error at a byte range of the condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExprError {
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Num(f64),
    Const(String),
    Op(Op),
    And,
    Or,
    Not,
    True,
    False,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

/// Parses a condition.
pub(crate) fn parse(text: &str) -> Result<Expr, ExprError> {
    if text.len() > MAX_CONDITION_LEN {
        return Err(ExprError {
            span: 0..0,
            message: format!("condition longer than {MAX_CONDITION_LEN} bytes"),
        });
    }
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: text.len(),
        depth: 0,
    };
    let expr = parser.expr()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(expr),
        Some((_, span)) => Err(ExprError {
            span: span.clone(),
            message: "expected `and`, `or` or the end of the condition".into(),
        }),
    }
}

fn lex(text: &str) -> Result<Vec<(Token, Range<usize>)>, ExprError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let token = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => single(&mut i, Token::LParen),
            b')' => single(&mut i, Token::RParen),
            b'[' => single(&mut i, Token::LBracket),
            b']' => single(&mut i, Token::RBracket),
            b',' => single(&mut i, Token::Comma),
            b'"' | b'\'' => lex_string(text, &mut i)?,
            b'=' | b'!' | b'<' | b'>' => lex_symbol(bytes, &mut i)?,
            b'@' => {
                i += 1;
                let name = take_name(text, &mut i);
                if name.is_empty() {
                    return Err(error(start..i, "expected a constant's name after `@`"));
                }
                Token::Const(name.to_string())
            }
            b'-' | b'0'..=b'9' => lex_number(text, &mut i)?,
            c if c.is_ascii_alphabetic() || c == b'_' => word(take_name(text, &mut i)),
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(error(
                    i..i + ch.len_utf8(),
                    &format!("unexpected character {ch:?}"),
                ));
            }
        };
        tokens.push((token, start..i));
    }
    Ok(tokens)
}

fn single(i: &mut usize, token: Token) -> Token {
    *i += 1;
    token
}

fn error(span: Range<usize>, message: &str) -> ExprError {
    ExprError {
        span,
        message: message.to_string(),
    }
}

fn take_name<'t>(text: &'t str, i: &mut usize) -> &'t str {
    let start = *i;
    let rest = &text.as_bytes()[start..];
    let len = rest
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
        .count();
    *i += len;
    &text[start..start + len]
}

fn word(name: &str) -> Token {
    match name {
        "and" => Token::And,
        "or" => Token::Or,
        "not" => Token::Not,
        "true" => Token::True,
        "false" => Token::False,
        "in" => Token::Op(Op::In),
        "contains" => Token::Op(Op::Contains),
        "starts_with" => Token::Op(Op::StartsWith),
        "ends_with" => Token::Op(Op::EndsWith),
        "matches" => Token::Op(Op::Matches),
        _ => Token::Name(name.to_string()),
    }
}

fn lex_symbol(bytes: &[u8], i: &mut usize) -> Result<Token, ExprError> {
    let start = *i;
    let two = (bytes.get(start).copied(), bytes.get(start + 1).copied());
    let (op, len) = match two {
        (Some(b'='), Some(b'=')) => (Op::Eq, 2),
        (Some(b'!'), Some(b'=')) => (Op::Ne, 2),
        (Some(b'<'), Some(b'=')) => (Op::Le, 2),
        (Some(b'>'), Some(b'=')) => (Op::Ge, 2),
        (Some(b'<'), _) => (Op::Lt, 1),
        (Some(b'>'), _) => (Op::Gt, 1),
        (Some(b'='), _) => return Err(error(start..start + 1, "use `==` to compare")),
        _ => {
            return Err(error(
                start..start + 1,
                "use `not` to negate, `!=` to compare",
            ));
        }
    };
    *i += len;
    Ok(Token::Op(op))
}

fn lex_string(text: &str, i: &mut usize) -> Result<Token, ExprError> {
    let start = *i;
    let quote = text.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            c if c == quote => {
                *i = start + 1 + k + 1;
                return Ok(Token::Str(out));
            }
            '\\' if quote == '"' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                _ => {
                    let at = start + 1 + k;
                    return Err(error(
                        at..at + 2,
                        "unknown escape; use \\\" \\\\ \\n or \\t",
                    ));
                }
            },
            c => out.push(c),
        }
    }
    Err(error(start..text.len(), "unterminated string"))
}

fn lex_number(text: &str, i: &mut usize) -> Result<Token, ExprError> {
    let start = *i;
    let bytes = text.as_bytes();
    let mut end = start + 1;
    while bytes
        .get(end)
        .is_some_and(|c| c.is_ascii_digit() || *c == b'.' || *c == b'_')
    {
        end += 1;
    }
    *i = end;
    let digits: String = text[start..end].chars().filter(|&c| c != '_').collect();
    match digits.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Token::Num(n)),
        _ => Err(error(
            start..end,
            &format!("{:?} is not a number", &text[start..end]),
        )),
    }
}

struct Parser {
    tokens: Vec<(Token, Range<usize>)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn span(&self) -> Range<usize> {
        match self.tokens.get(self.pos) {
            Some((_, s)) => s.clone(),
            None => self.end..self.end,
        }
    }

    fn bump(&mut self) -> Option<(Token, Range<usize>)> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.unary()?];
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(
                self.span(),
                &format!("nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let result = match self.peek() {
            Some(Token::Not) => {
                self.pos += 1;
                self.unary().map(|e| Expr::Not(Box::new(e)))
            }
            Some(Token::LParen) => self.group(),
            _ => self.test().map(Expr::Test),
        };
        self.depth -= 1;
        result
    }

    fn group(&mut self) -> Result<Expr, ExprError> {
        let open = self.span();
        self.pos += 1;
        let inner = self.expr()?;
        match self.bump() {
            Some((Token::RParen, _)) => Ok(inner),
            _ => Err(error(open, "this parenthesis is never closed")),
        }
    }

    fn test(&mut self) -> Result<Test, ExprError> {
        let (field, field_span) = match self.bump() {
            Some((Token::Name(n), s)) => (n, s),
            Some((_, s)) => return Err(error(s, "expected a field name")),
            None => return Err(error(self.end..self.end, "expected a field name")),
        };
        let mut test = Test {
            field,
            field_span,
            op: None,
            operand: Vec::new(),
            list: false,
        };
        let Some(Token::Op(op)) = self.peek().cloned() else {
            return Ok(test);
        };
        test.op = Some((op, self.span()));
        self.pos += 1;
        if self.peek() == Some(&Token::LBracket) {
            test.list = true;
            test.operand = self.list()?;
        } else {
            test.operand.push(self.literal()?);
        }
        Ok(test)
    }

    fn list(&mut self) -> Result<Vec<(Literal, Range<usize>)>, ExprError> {
        let open = self.span();
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(&Token::RBracket) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.literal()?);
            match self.bump() {
                Some((Token::Comma, _)) => {}
                Some((Token::RBracket, _)) => return Ok(items),
                _ => return Err(error(open, "this list is never closed")),
            }
        }
    }

    fn literal(&mut self) -> Result<(Literal, Range<usize>), ExprError> {
        let span = self.span();
        let literal = match self.bump().map(|(t, _)| t) {
            Some(Token::Str(s)) => Literal::Str(s),
            Some(Token::Num(n)) => Literal::Num(n),
            Some(Token::True) => Literal::Bool(true),
            Some(Token::False) => Literal::Bool(false),
            Some(Token::Const(c)) => Literal::Const(c),
            _ => {
                return Err(error(
                    span,
                    "expected a value: text, number, true, false or @constant",
                ));
            }
        };
        Ok((literal, span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_of(e: &Expr) -> &Test {
        match e {
            Expr::Test(t) => t,
            other => panic!("not a test: {other:?}"),
        }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let e = parse("a or not b and c == 1").unwrap();
        let Expr::Or(items) = e else {
            panic!("expected or")
        };
        assert_eq!(test_of(&items[0]).field, "a");
        let Expr::And(parts) = &items[1] else {
            panic!("expected and")
        };
        assert!(matches!(parts[0], Expr::Not(_)));
        assert_eq!(test_of(&parts[1]).operand[0].0, Literal::Num(1.0));
    }

    #[test]
    fn lists_strings_and_constants() {
        let e = parse(r#"agent.family in ["Chrome", 'Edge',] and delay < @instant"#).unwrap();
        let Expr::And(parts) = e else {
            panic!("expected and")
        };
        let t = test_of(&parts[0]);
        assert!(t.list);
        assert_eq!(t.operand.len(), 2);
        assert_eq!(t.operand[1].0, Literal::Str("Edge".into()));
        assert_eq!(
            test_of(&parts[1]).operand[0].0,
            Literal::Const("instant".into())
        );
    }

    #[test]
    fn errors_point_at_the_fault() {
        let err = parse("delay < 10 and (agent == \"x\"").unwrap_err();
        assert_eq!(err.span, 15..16);
        let err = parse("delay = 10").unwrap_err();
        assert_eq!(err.span, 6..7);
        let err = parse("agent contains").unwrap_err();
        assert_eq!(err.span, 14..14);
        let err = parse("a b").unwrap_err();
        assert_eq!(err.span, 2..3);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&text).unwrap_err().message.contains("nested"));
        let text = format!("{}a", "not ".repeat(10_000));
        assert!(parse(&text).is_err());
    }

    #[test]
    fn negative_and_fractional_numbers() {
        let e = parse("delay >= -1.5").unwrap();
        assert_eq!(test_of(&e).operand[0].0, Literal::Num(-1.5));
    }
}
