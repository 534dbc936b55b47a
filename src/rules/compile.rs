//! Turns a parsed condition into a matcher: names are resolved to fields,
//! values are checked against the field's type, and each test gets the
//! matcher that suits it (a CIDR table for address lists, one
//! Aho-Corasick automaton for a list of substrings, a compiled regex).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use regex::{Regex, RegexBuilder};

use super::Origin;
use super::expr::{self, Expr, Literal, Op, Test};
use crate::evidence::{Evidence, Field, FieldType, Value, lookup_field};
use crate::network::{CidrTable, parse_net};

/// Compiled size limit of one `matches` regex, so that a rule file cannot
/// make the engine allocate without bound.
pub const MAX_REGEX_SIZE: usize = 4 << 20;

/// A compiled condition.
pub(crate) enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    IsTrue(Field),
    BoolEq(Field, bool),
    Text(Field, TextOp, Vec<Box<str>>),
    Contains(Field, AhoCorasick),
    Matches(Field, Regex),
    Number(Field, NumOp, f64),
    NumberIn(Field, Vec<f64>),
    AddressIn(Field, CidrTable<()>, bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextOp {
    Eq,
    Ne,
    StartsWith,
    EndsWith,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl fmt::Debug for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::All(c) => f.debug_tuple("All").field(c).finish(),
            Cond::Any(c) => f.debug_tuple("Any").field(c).finish(),
            Cond::Not(c) => f.debug_tuple("Not").field(c).finish(),
            Cond::IsTrue(x) => f.debug_tuple("IsTrue").field(x).finish(),
            Cond::BoolEq(x, b) => f.debug_tuple("BoolEq").field(x).field(b).finish(),
            Cond::Text(x, op, v) => f.debug_tuple("Text").field(x).field(op).field(v).finish(),
            Cond::Contains(x, m) => f
                .debug_tuple("Contains")
                .field(x)
                .field(&m.patterns_len())
                .finish(),
            Cond::Matches(x, r) => f
                .debug_tuple("Matches")
                .field(x)
                .field(&r.as_str())
                .finish(),
            Cond::Number(x, op, n) => f.debug_tuple("Number").field(x).field(op).field(n).finish(),
            Cond::NumberIn(x, v) => f.debug_tuple("NumberIn").field(x).field(v).finish(),
            Cond::AddressIn(x, t, neg) => f
                .debug_tuple("AddressIn")
                .field(x)
                .field(&t.len())
                .field(neg)
                .finish(),
        }
    }
}

type Errors = Vec<(Range<usize>, String)>;

/// The constants a condition can use, by name.
pub(crate) type Constants = BTreeMap<String, (Vec<Literal>, Option<Origin>)>;

/// Compiles a condition, returning the matcher and the fields it reads.
pub(crate) fn compile_condition(
    text: &str,
    constants: &Constants,
) -> Result<(Cond, Vec<(String, Field)>), Errors> {
    let tree = expr::parse(text).map_err(|e| vec![(e.span, e.message)])?;
    let mut compiler = Compiler {
        constants,
        errors: Vec::new(),
        fields: Vec::new(),
    };
    let cond = compiler.node(tree);
    if compiler.errors.is_empty() {
        Ok((cond, compiler.fields))
    } else {
        Err(compiler.errors)
    }
}

struct Compiler<'c> {
    constants: &'c Constants,
    errors: Errors,
    fields: Vec<(String, Field)>,
}

impl Compiler<'_> {
    fn node(&mut self, e: Expr) -> Cond {
        match e {
            Expr::And(items) => Cond::All(items.into_iter().map(|i| self.node(i)).collect()),
            Expr::Or(items) => Cond::Any(items.into_iter().map(|i| self.node(i)).collect()),
            Expr::Not(inner) => Cond::Not(Box::new(self.node(*inner))),
            Expr::Test(t) => self.test(t).unwrap_or(Cond::All(Vec::new())),
        }
    }

    fn fail(&mut self, span: Range<usize>, message: String) -> Option<Cond> {
        self.errors.push((span, message));
        None
    }

    fn test(&mut self, t: Test) -> Option<Cond> {
        let Some((field, ty)) = lookup_field(&t.field) else {
            let message = format!("unknown field `{}`; `clicksift fields` lists them", t.field);
            return self.fail(t.field_span, message);
        };
        let shown = shown_as(&t.field, &field);
        if !self.fields.iter().any(|(_, f)| *f == shown.1) {
            self.fields.push(shown);
        }
        let Some((op, op_span)) = t.op.clone() else {
            if ty == FieldType::Bool {
                return Some(Cond::IsTrue(field));
            }
            let message = format!(
                "`{}` is {}; compare it with something",
                t.field,
                ty.as_str()
            );
            return self.fail(t.field_span, message);
        };
        let values = self.resolve(&t)?;
        match ty {
            FieldType::Bool => self.boolean(field, op, op_span, &values),
            FieldType::Number => self.number(field, op, op_span, &values),
            FieldType::Text => self.text(field, op, op_span, values),
            FieldType::Address => self.address(field, op, op_span, &values),
        }
    }

    /// The operand's values with constants replaced by what they hold.
    fn resolve(&mut self, t: &Test) -> Option<Vec<(Literal, Range<usize>)>> {
        let mut out = Vec::new();
        for (literal, span) in &t.operand {
            match literal {
                Literal::Const(name) => match self.constants.get(name) {
                    Some((values, _)) => {
                        out.extend(values.iter().map(|v| (v.clone(), span.clone())));
                    }
                    None => {
                        let message = format!("no constant `@{name}` in [constants]");
                        self.fail(span.clone(), message);
                        return None;
                    }
                },
                other => out.push((other.clone(), span.clone())),
            }
        }
        let single = matches!(
            t.op,
            Some((Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge, _))
        );
        if single && out.len() != 1 {
            let span = t.op.clone().map_or(t.field_span.clone(), |(_, s)| s);
            self.fail(
                span,
                "this comparison takes one value; use `in` for a list".into(),
            );
            return None;
        }
        if out.is_empty() {
            self.fail(t.field_span.clone(), "the list is empty".into());
            return None;
        }
        Some(out)
    }

    fn boolean(
        &mut self,
        field: Field,
        op: Op,
        span: Range<usize>,
        values: &[(Literal, Range<usize>)],
    ) -> Option<Cond> {
        let (Literal::Bool(b), _) = &values[0] else {
            return self.fail(values[0].1.clone(), "expected true or false".into());
        };
        match op {
            Op::Eq => Some(Cond::BoolEq(field, *b)),
            Op::Ne => Some(Cond::BoolEq(field, !*b)),
            _ => self.fail(
                span,
                format!("`{}` does not apply to a boolean", op.as_str()),
            ),
        }
    }

    fn number(
        &mut self,
        field: Field,
        op: Op,
        span: Range<usize>,
        values: &[(Literal, Range<usize>)],
    ) -> Option<Cond> {
        let mut numbers = Vec::new();
        for (v, s) in values {
            match v {
                Literal::Num(n) => numbers.push(*n),
                _ => return self.fail(s.clone(), "expected a number".into()),
            }
        }
        let op = match op {
            Op::In => {
                // Sorted, so that a long list (of ASNs, say) is searched by
                // bisection; -0 is stored as 0 and NaN, equal to nothing,
                // is dropped, so that the search agrees with `==`.
                numbers.retain(|n| !n.is_nan());
                numbers.iter_mut().for_each(|n| *n += 0.0);
                numbers.sort_by(f64::total_cmp);
                numbers.dedup();
                return Some(Cond::NumberIn(field, numbers));
            }
            Op::Eq => NumOp::Eq,
            Op::Ne => NumOp::Ne,
            Op::Lt => NumOp::Lt,
            Op::Le => NumOp::Le,
            Op::Gt => NumOp::Gt,
            Op::Ge => NumOp::Ge,
            _ => {
                return self.fail(
                    span,
                    format!("`{}` does not apply to a number", op.as_str()),
                );
            }
        };
        Some(Cond::Number(field, op, numbers[0]))
    }

    fn text(
        &mut self,
        field: Field,
        op: Op,
        span: Range<usize>,
        values: Vec<(Literal, Range<usize>)>,
    ) -> Option<Cond> {
        let mut texts = Vec::new();
        for (v, s) in values {
            match v {
                Literal::Str(t) => texts.push((t, s)),
                _ => return self.fail(s, "expected text in quotes".into()),
            }
        }
        let op = match op {
            Op::Eq | Op::In => TextOp::Eq,
            Op::Ne => TextOp::Ne,
            Op::StartsWith => TextOp::StartsWith,
            Op::EndsWith => TextOp::EndsWith,
            Op::Contains => return self.contains(field, texts),
            Op::Matches => return self.matches(field, texts),
            _ => return self.fail(span, format!("`{}` does not apply to text", op.as_str())),
        };
        Some(Cond::Text(
            field,
            op,
            texts.into_iter().map(|(t, _)| t.into()).collect(),
        ))
    }

    fn contains(&mut self, field: Field, texts: Vec<(String, Range<usize>)>) -> Option<Cond> {
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(texts.iter().map(|(t, _)| t));
        match matcher {
            Ok(m) => Some(Cond::Contains(field, m)),
            Err(e) => self.fail(texts[0].1.clone(), format!("cannot build matcher: {e}")),
        }
    }

    fn matches(&mut self, field: Field, texts: Vec<(String, Range<usize>)>) -> Option<Cond> {
        // A list of patterns matches when any does: one alternation.
        for (t, span) in &texts {
            if let Err(e) = Regex::new(t) {
                return self.fail(span.clone(), format!("bad regular expression: {e}"));
            }
        }
        let joined: Vec<String> = texts.iter().map(|(t, _)| format!("(?:{t})")).collect();
        let built = RegexBuilder::new(&joined.join("|"))
            .size_limit(MAX_REGEX_SIZE)
            .build();
        match built {
            Ok(r) => Some(Cond::Matches(field, r)),
            Err(e) => self.fail(
                texts[0].1.clone(),
                format!("regular expression too big: {e}"),
            ),
        }
    }

    fn address(
        &mut self,
        field: Field,
        op: Op,
        span: Range<usize>,
        values: &[(Literal, Range<usize>)],
    ) -> Option<Cond> {
        let negate = match op {
            Op::Eq | Op::In => false,
            Op::Ne => true,
            _ => {
                return self.fail(
                    span,
                    format!("`{}` does not apply to an address", op.as_str()),
                );
            }
        };
        let mut nets = Vec::new();
        for (v, s) in values {
            let parsed = match v {
                Literal::Str(t) => parse_net(t),
                _ => Err("expected an address or CIDR range in quotes".to_string()),
            };
            match parsed {
                Ok(net) => nets.push((net, ())),
                Err(m) => {
                    self.errors.push((s.clone(), m));
                }
            }
        }
        Some(Cond::AddressIn(field, CidrTable::new(nets), negate))
    }
}

/// The field under which a test's evidence is shown: the network fields
/// all show the catalogue entry, and the agent class and name the pattern,
/// so each is shown once.
fn shown_as(name: &str, field: &Field) -> (String, Field) {
    match field {
        Field::NetworkGrade | Field::NetworkKind | Field::NetworkOperator => {
            ("network".into(), Field::NetworkKind)
        }
        Field::AgentClass | Field::AgentName => ("agent.class".into(), Field::AgentClass),
        other => (name.to_string(), other.clone()),
    }
}

impl Cond {
    /// Calls `visit` with every field the condition reads.
    pub(crate) fn visit_fields(&self, visit: &mut impl FnMut(&Field)) {
        match self {
            Cond::All(items) | Cond::Any(items) => {
                items.iter().for_each(|c| c.visit_fields(visit));
            }
            Cond::Not(inner) => inner.visit_fields(visit),
            Cond::IsTrue(f)
            | Cond::BoolEq(f, _)
            | Cond::Text(f, _, _)
            | Cond::Contains(f, _)
            | Cond::Matches(f, _)
            | Cond::Number(f, _, _)
            | Cond::NumberIn(f, _)
            | Cond::AddressIn(f, _, _) => visit(f),
        }
    }

    /// The field groups (see [`crate::evidence::group`]) that must all be
    /// present for the condition to hold: a test on a missing field is
    /// false, `and` needs what any part needs, `or` what every part needs,
    /// and `not` nothing.
    pub(crate) fn needs(&self) -> u32 {
        match self {
            Cond::All(items) => items.iter().fold(0, |n, c| n | c.needs()),
            Cond::Any(items) => items
                .iter()
                .map(Cond::needs)
                .reduce(|a, b| a & b)
                .unwrap_or(0),
            Cond::Not(_) => 0,
            Cond::IsTrue(f)
            | Cond::BoolEq(f, _)
            | Cond::Text(f, _, _)
            | Cond::Contains(f, _)
            | Cond::Matches(f, _)
            | Cond::Number(f, _, _)
            | Cond::NumberIn(f, _)
            | Cond::AddressIn(f, _, _) => f.group(),
        }
    }

    /// True when the condition reads only what the user agent alone
    /// decides, so that its result can be kept per distinct agent.
    pub(crate) fn reads_only_agent(&self) -> bool {
        let mut only = true;
        self.visit_fields(&mut |f| only &= f.is_agent_only());
        only
    }

    /// As [`Cond::eval`], with a top-level `and` unrolled here: most rules
    /// are one, and this saves a call per rule and event.
    #[inline]
    pub(crate) fn holds<'a>(&'a self, ev: &Evidence<'a>) -> bool {
        match self {
            Cond::All(items) => items.iter().all(|c| c.eval(ev)),
            other => other.eval(ev),
        }
    }

    /// True when the condition holds. A test on a field that has no value
    /// is false, whatever its operator; `not` of it is true.
    pub(crate) fn eval<'a>(&'a self, ev: &Evidence<'a>) -> bool {
        match self {
            Cond::All(items) => items.iter().all(|c| c.eval(ev)),
            Cond::Any(items) => items.iter().any(|c| c.eval(ev)),
            Cond::Not(inner) => !inner.eval(ev),
            Cond::IsTrue(f) => ev.value(f) == Value::Bool(true),
            Cond::BoolEq(f, b) => ev.value(f) == Value::Bool(*b),
            Cond::Text(f, op, values) => match ev.value(f) {
                Value::Text(t) => text_test(t, *op, values),
                _ => false,
            },
            Cond::Contains(f, m) => matches!(ev.value(f), Value::Text(t) if m.is_match(t)),
            Cond::Matches(f, r) => matches!(ev.value(f), Value::Text(t) if r.is_match(t)),
            Cond::Number(f, op, n) => match ev.value(f) {
                Value::Number(v) => number_test(v, *op, *n),
                _ => false,
            },
            Cond::NumberIn(f, ns) => match ev.value(f) {
                Value::Number(v) if !v.is_nan() => {
                    let v = v + 0.0;
                    ns.binary_search_by(|n| n.total_cmp(&v)).is_ok()
                }
                _ => false,
            },
            Cond::AddressIn(f, table, negate) => match ev.value(f) {
                Value::Address(a) => table.lookup(a).is_some() != *negate,
                _ => false,
            },
        }
    }
}

fn text_test(t: &str, op: TextOp, values: &[Box<str>]) -> bool {
    let tb = t.as_bytes();
    match op {
        TextOp::Eq => values.iter().any(|v| t.eq_ignore_ascii_case(v)),
        TextOp::Ne => values.iter().all(|v| !t.eq_ignore_ascii_case(v)),
        TextOp::StartsWith => values
            .iter()
            .any(|v| tb.len() >= v.len() && tb[..v.len()].eq_ignore_ascii_case(v.as_bytes())),
        TextOp::EndsWith => values.iter().any(|v| {
            tb.len() >= v.len() && tb[tb.len() - v.len()..].eq_ignore_ascii_case(v.as_bytes())
        }),
    }
}

fn number_test(v: f64, op: NumOp, n: f64) -> bool {
    match op {
        NumOp::Eq => v == n,
        NumOp::Ne => v != n,
        NumOp::Lt => v < n,
        NumOp::Le => v <= n,
        NumOp::Gt => v > n,
        NumOp::Ge => v >= n,
    }
}

#[cfg(test)]
mod tests {
    use super::{Constants, compile_condition};
    use crate::evidence::group::{CAMPAIGN, DELAY, NETWORK, REVERSE_DNS};

    fn needs(text: &str) -> u32 {
        compile_condition(text, &Constants::new())
            .unwrap()
            .0
            .needs()
    }

    #[test]
    fn a_condition_needs_only_what_it_cannot_hold_without() {
        assert_eq!(
            needs(r#"network.kind == "cloud" and delay < 5"#),
            NETWORK | DELAY
        );
        assert_eq!(needs(r#"network.kind == "cloud" or delay < 5"#), 0);
        assert_eq!(
            needs(
                r#"(delay < 5 and reverse_dns ends_with ".x") or (delay > 9 and campaign.burst > 3)"#
            ),
            DELAY
        );
        assert_eq!(needs(r#"not network.kind == "cloud""#), 0);
        assert_eq!(
            needs(r#"agent.class == "crawler" and campaign.probe"#),
            CAMPAIGN
        );
        assert_eq!(needs(r#"reverse_dns ends_with ".x""#), REVERSE_DNS);
        assert_eq!(needs(r#"method == "HEAD""#), 0);
    }
}
