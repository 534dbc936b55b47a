//! Rule files: the TOML model, the build step that validates everything
//! and compiles conditions into matchers, and the diagnostics it reports.
//!
//! # The format
//!
//! ```toml
//! [thresholds]          # optional: verdicts from the score
//! machine = 70          # score >= machine: machine
//! human = 30            # score <= human: the recipient; between: uncertain
//!
//! [constants]           # optional: values conditions use as @name
//! instant_window = 10
//!
//! [campaign]            # optional: windows of the campaign heuristics
//! sweep_window = 30
//!
//! [[rule]]
//! id = "timing.instant"                     # letters, digits, . _ -
//! description = "Requested within seconds of delivery"
//! when = 'delay >= 0 and delay < @instant_window'
//! weight = 50                               # -100..=100, not 0
//! source = "mail_gateway"                   # who a match points to
//! ```
//!
//! Files are read in order, the built-in `rules/default.toml` first. A rule
//! whose id is already known overrides only the fields it gives, so
//! `id = "timing.instant"` with `weight = 20` reweighs the built-in rule
//! and `enabled = false` turns it off. Later `[thresholds]`, `[constants]`
//! and `[campaign]` values override earlier ones; `--set NAME=VALUE` on
//! the command line ([`crate::EngineBuilder::constant`]) overrides them
//! all.
//!
//! # Conditions
//!
//! ```text
//! expr     := and ("or" and)*
//! and      := unary ("and" unary)*
//! unary    := "not" unary | "(" expr ")" | test
//! test     := field [op operand]        a field alone tests a boolean
//! op       := == != < <= > >= in contains starts_with ends_with matches
//! operand  := literal | "[" literal ("," literal)* [","] "]"
//! literal  := "text" | 'text' | number | true | false | @constant
//! ```
//!
//! Fields are listed in [`crate::evidence::FIELDS`] (and by `clicksift
//! fields`); `header.NAME` reads a request header. Text comparisons ignore
//! ASCII case; `contains`, `starts_with` and `ends_with` with a list match
//! any of its items, and `matches` takes regular expressions (size-limited
//! to [`MAX_REGEX_SIZE`]). Addresses compare with `==`, `!=` and `in`
//! against addresses and CIDR ranges. A test on a field that has no value
//! (no reverse DNS name, no ASN database, a single click with no campaign)
//! is false whatever its operator, so `not` of it is true.
//!
//! # Errors
//!
//! Building reports every problem at once, each a [`Diagnostic`] with its
//! file, line and column: TOML syntax, unknown keys, unknown fields and
//! operators, values of the wrong type, bad CIDR ranges and regular
//! expressions, weights out of range, unknown sources, duplicate ids,
//! unknown constants, thresholds out of order.

pub(crate) mod compile;
pub(crate) mod expr;

pub use compile::MAX_REGEX_SIZE;
pub use expr::{MAX_CONDITION_LEN, MAX_DEPTH};

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::campaign::CampaignSettings;
use crate::verdict::Source;

pub(crate) use compile::{Cond, compile_condition};
pub(crate) use expr::Literal;

/// Largest weight a rule may have, in either direction.
pub const MAX_WEIGHT: i64 = 100;

/// The built-in rules, an ordinary rule file.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.toml");

/// The name the built-in rules go by in diagnostics.
pub const DEFAULT_RULES_NAME: &str = "rules/default.toml";

/// A problem found while building an engine, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    file: String,
    line: usize,
    column: usize,
    message: String,
}

impl Diagnostic {
    pub(crate) fn at(file: &str, text: &str, offset: usize, message: String) -> Diagnostic {
        let (line, column) = line_column(text, offset);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message,
        }
    }

    pub(crate) fn whole(file: &str, message: String) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            message,
        }
    }

    /// The file the problem is in.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// 1-based line, or 0 when the problem is with the file as a whole.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column in characters, or 0 with line 0.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The TOML model of one rule file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    #[serde(default)]
    thresholds: Option<ThresholdsModel>,
    #[serde(default)]
    constants: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    campaign: Option<Spanned<toml::Table>>,
    #[serde(default)]
    rule: Vec<RuleModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsModel {
    machine: Option<Spanned<i64>>,
    human: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleModel {
    id: Spanned<String>,
    description: Option<String>,
    when: Option<Spanned<String>>,
    weight: Option<Spanned<i64>>,
    source: Option<Spanned<String>>,
    enabled: Option<bool>,
}

/// Where a piece of text came from: which file, and its byte range there.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub file: usize,
    pub span: Range<usize>,
}

/// A rule as merged from every file, before compilation.
#[derive(Clone, Debug)]
struct RuleDraft {
    id: String,
    id_origin: Origin,
    description: String,
    when: Option<(String, Origin)>,
    weight: Option<(i64, Origin)>,
    source: Option<(String, Origin)>,
    enabled: bool,
}

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: std::sync::Arc<str>,
    pub description: String,
    pub when: String,
    pub weight: i32,
    pub source: Source,
    /// What is tested per event: the whole condition, or what is left of
    /// it once `agent_cond` is taken out.
    pub cond: Cond,
    /// The fields the condition reads, with the names it used, for
    /// showing the evidence.
    pub fields: Vec<(String, crate::evidence::Field)>,
    /// The part of the condition that reads only the agent (all of it, or
    /// the agent-only tests of a top-level `and`), decided once per
    /// distinct agent; the rule holds when it and `cond` both do.
    pub agent_cond: Option<Cond>,
    /// The bit of `agent_cond` in the per-agent memo of the engine's cache
    /// (the first 64 rules with an agent part get one).
    pub agent_bit: Option<u8>,
    /// The field groups the condition needs present (`Cond::needs`).
    pub needs: u32,
}

/// The verdict thresholds on the score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// A score at or above this is a machine.
    pub machine: u8,
    /// A score at or below this is the recipient.
    pub human: u8,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            machine: 70,
            human: 30,
        }
    }
}

/// Everything the rule files say, compiled.
#[derive(Debug)]
pub(crate) struct RuleSet {
    pub rules: Vec<Rule>,
    pub thresholds: Thresholds,
    pub campaign: CampaignSettings,
}

/// Merges rule files in order (a later rule with the same id overrides
/// the fields it gives) and compiles them, collecting every problem.
pub(crate) fn build(
    files: &[(String, String)],
    overrides: &[(String, String)],
) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut merger = Merger::default();
    for (index, (name, text)) in files.iter().enumerate() {
        match toml::from_str::<FileModel>(text) {
            Ok(model) => merger.add(index, name, text, model),
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                let message = e.message().trim().to_string();
                merger
                    .diagnostics
                    .push(Diagnostic::at(name, text, offset, message));
            }
        }
    }
    merger.set_overrides(overrides);
    merger.finish(files)
}

#[derive(Default)]
struct Merger {
    drafts: Vec<RuleDraft>,
    constants: BTreeMap<String, (Vec<Literal>, Option<Origin>)>,
    thresholds: Thresholds,
    threshold_origin: Option<Origin>,
    campaign: toml::Table,
    campaign_origin: Vec<(usize, Range<usize>)>,
    diagnostics: Vec<Diagnostic>,
}

impl Merger {
    fn add(&mut self, file: usize, name: &str, text: &str, model: FileModel) {
        if let Some(t) = model.thresholds {
            self.add_thresholds(file, t);
        }
        for (key, value) in model.constants {
            let origin = Origin {
                file,
                span: value.span(),
            };
            match constant_value(value.get_ref()) {
                Ok(v) => {
                    self.constants.insert(key, (v, Some(origin)));
                }
                Err(m) => self
                    .diagnostics
                    .push(Diagnostic::at(name, text, origin.span.start, m)),
            }
        }
        if let Some(table) = model.campaign {
            self.campaign_origin.push((file, table.span()));
            for (k, v) in table.into_inner() {
                self.campaign.insert(k, v);
            }
        }
        for rule in model.rule {
            self.add_rule(file, name, text, rule);
        }
    }

    fn add_thresholds(&mut self, file: usize, t: ThresholdsModel) {
        let mut origin = None;
        if let Some(m) = t.machine {
            origin = Some(Origin {
                file,
                span: m.span(),
            });
            self.thresholds.machine = clamp_u8(*m.get_ref());
        }
        if let Some(h) = t.human {
            origin = origin.or(Some(Origin {
                file,
                span: h.span(),
            }));
            self.thresholds.human = clamp_u8(*h.get_ref());
        }
        if origin.is_some() {
            self.threshold_origin = origin;
        }
    }

    fn add_rule(&mut self, file: usize, name: &str, text: &str, rule: RuleModel) {
        let id_origin = Origin {
            file,
            span: rule.id.span(),
        };
        let id = rule.id.into_inner();
        if !valid_id(&id) {
            let message = format!(
                "rule id {id:?} must be letters, digits, `.`, `_` or `-`, starting with a letter"
            );
            self.diagnostics
                .push(Diagnostic::at(name, text, id_origin.span.start, message));
            return;
        }
        let spanned = |s: Option<Spanned<String>>| {
            s.map(|v| {
                (
                    v.get_ref().clone(),
                    Origin {
                        file,
                        span: v.span(),
                    },
                )
            })
        };
        let when = spanned(rule.when);
        let source = spanned(rule.source);
        let weight = rule.weight.map(|w| {
            (
                *w.get_ref(),
                Origin {
                    file,
                    span: w.span(),
                },
            )
        });
        match self.drafts.iter_mut().find(|d| d.id == id) {
            Some(draft) if draft.id_origin.file == file => {
                let message = format!("rule {id:?} is defined twice in this file");
                self.diagnostics
                    .push(Diagnostic::at(name, text, id_origin.span.start, message));
            }
            Some(draft) => {
                draft.id_origin = id_origin;
                draft.when = when.or(draft.when.take());
                draft.weight = weight.or(draft.weight.take());
                draft.source = source.or(draft.source.take());
                if let Some(d) = rule.description {
                    draft.description = d;
                }
                if let Some(e) = rule.enabled {
                    draft.enabled = e;
                }
            }
            None => self.drafts.push(RuleDraft {
                id,
                id_origin,
                description: rule.description.unwrap_or_default(),
                when,
                weight,
                source,
                enabled: rule.enabled.unwrap_or(true),
            }),
        }
    }

    fn set_overrides(&mut self, overrides: &[(String, String)]) {
        for (key, value) in overrides {
            let literal = match value.parse::<f64>() {
                Ok(n) if n.is_finite() => Literal::Num(n),
                _ => match value.as_str() {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    _ => Literal::Str(value.clone()),
                },
            };
            if !self.constants.contains_key(key) {
                let message = format!("--set {key}: no constant of that name in the rules");
                self.diagnostics
                    .push(Diagnostic::whole("command line", message));
                continue;
            }
            self.constants.insert(key.clone(), (vec![literal], None));
        }
    }

    fn finish(mut self, files: &[(String, String)]) -> Result<RuleSet, Vec<Diagnostic>> {
        self.check_thresholds(files);
        let campaign = self.campaign_settings(files);
        let mut rules = Vec::new();
        for draft in std::mem::take(&mut self.drafts) {
            if let Some(rule) = self.compile_rule(draft, files) {
                rules.push(rule);
            }
        }
        if !self.diagnostics.is_empty() {
            return Err(self.diagnostics);
        }
        Ok(RuleSet {
            rules,
            thresholds: self.thresholds,
            campaign: campaign.unwrap_or_default(),
        })
    }

    fn campaign_settings(&mut self, files: &[(String, String)]) -> Option<CampaignSettings> {
        match CampaignSettings::from_table(self.campaign.clone()) {
            Ok(settings) => Some(settings),
            Err(message) => {
                let (file, span) = self.campaign_origin.last().cloned().unwrap_or((0, 0..0));
                let (name, text) = files.get(file).map_or(("", ""), |(n, t)| (n, t));
                let message = format!("[campaign]: {message}");
                self.diagnostics
                    .push(Diagnostic::at(name, text, span.start, message));
                None
            }
        }
    }

    fn check_thresholds(&mut self, files: &[(String, String)]) {
        let Thresholds { machine, human } = self.thresholds;
        if human < machine && machine <= 100 {
            return;
        }
        let message = format!(
            "thresholds must satisfy 0 <= human < machine <= 100; found human = {human}, \
             machine = {machine}"
        );
        let diagnostic = match &self.threshold_origin {
            Some(o) => {
                let (name, text) = &files[o.file];
                Diagnostic::at(name, text, o.span.start, message)
            }
            None => Diagnostic::whole("thresholds", message),
        };
        self.diagnostics.push(diagnostic);
    }

    fn compile_rule(&mut self, draft: RuleDraft, files: &[(String, String)]) -> Option<Rule> {
        let at = |o: &Origin, message: String| {
            let (name, text) = &files[o.file];
            Diagnostic::at(name, text, o.span.start, message)
        };
        let Some((when, when_origin)) = draft.when.clone() else {
            if draft.enabled {
                let message = format!("rule {:?} has no `when` condition", draft.id);
                self.diagnostics.push(at(&draft.id_origin, message));
            }
            return None;
        };
        let weight = self.rule_weight(&draft, &at);
        let source = self.rule_source(&draft, &at);
        let (name, text) = &files[when_origin.file];
        let compiled = compile_condition(&when, &self.constants);
        let (cond, fields) = match compiled {
            Ok(c) => c,
            Err(errors) => {
                for (span, message) in errors {
                    let offset = map_offset(text, &when_origin.span, span.start);
                    self.diagnostics
                        .push(Diagnostic::at(name, text, offset, message));
                }
                return None;
            }
        };
        if !draft.enabled {
            return None;
        }
        Some(Rule {
            id: draft.id.into(),
            description: draft.description,
            when,
            weight: weight?,
            source: source?,
            agent_cond: None,
            agent_bit: None,
            needs: cond.needs(),
            cond,
            fields,
        })
    }

    fn rule_weight(
        &mut self,
        draft: &RuleDraft,
        at: &dyn Fn(&Origin, String) -> Diagnostic,
    ) -> Option<i32> {
        let Some((weight, origin)) = &draft.weight else {
            let message = format!("rule {:?} has no `weight`", draft.id);
            self.diagnostics.push(at(&draft.id_origin, message));
            return None;
        };
        if *weight == 0 || weight.abs() > MAX_WEIGHT {
            let message = format!(
                "weight {weight} is out of range: from -{MAX_WEIGHT} to {MAX_WEIGHT}, not 0"
            );
            self.diagnostics.push(at(origin, message));
            return None;
        }
        Some(*weight as i32)
    }

    fn rule_source(
        &mut self,
        draft: &RuleDraft,
        at: &dyn Fn(&Origin, String) -> Diagnostic,
    ) -> Option<Source> {
        match &draft.source {
            None => Some(Source::Unknown),
            Some((name, origin)) => match name.parse() {
                Ok(source) => Some(source),
                Err(message) => {
                    self.diagnostics.push(at(origin, message));
                    None
                }
            },
        }
    }
}

fn clamp_u8(n: i64) -> u8 {
    n.clamp(0, 255) as u8
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn constant_value(value: &toml::Value) -> Result<Vec<Literal>, String> {
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Ok(Literal::Str(s.clone())),
        toml::Value::Integer(i) => Ok(Literal::Num(*i as f64)),
        toml::Value::Float(f) if f.is_finite() => Ok(Literal::Num(*f)),
        toml::Value::Boolean(b) => Ok(Literal::Bool(*b)),
        _ => Err("a constant is text, a number, true, false, or a list of those".to_string()),
    };
    match value {
        toml::Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|l| vec![l]),
    }
}

/// Maps a byte offset inside a TOML string's content to the file: exact
/// for literal strings and for basic strings without escapes, the start of
/// the string otherwise.
fn map_offset(text: &str, span: &Range<usize>, inner: usize) -> usize {
    let Some(raw) = text.get(span.clone()) else {
        return span.start;
    };
    let (delimiter, literal) = if raw.starts_with("'''") {
        (3, true)
    } else if raw.starts_with("\"\"\"") {
        (3, false)
    } else {
        (1, raw.starts_with('\''))
    };
    let mut start = span.start + delimiter;
    if delimiter == 3 {
        let after = &text[start.min(text.len())..];
        start += if after.starts_with("\r\n") {
            2
        } else {
            usize::from(after.starts_with('\n'))
        };
    }
    if !literal && raw.contains('\\') {
        return span.start;
    }
    start + inner
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_one(text: &str) -> Result<RuleSet, Vec<Diagnostic>> {
        build(&[("test.toml".to_string(), text.to_string())], &[])
    }

    #[test]
    fn every_problem_is_reported_with_line_and_column() {
        let text = r#"
[[rule]]
id = "a"
when = 'delay < 10 and nosuch == 1'
weight = 50
source = "mail_gateway"

[[rule]]
id = "b"
when = 'ip in ["1.2.3.0/24", "bogus"]'
weight = 500

[[rule]]
id = "c"
when = 'agent contains "x"'
weight = 10
source = "robot"
"#;
        let errors = build_one(text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
        assert_eq!(errors.len(), 4, "{shown:#?}");
        assert!(
            shown[0].starts_with("test.toml:4:24:") && shown[0].contains("nosuch"),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("test.toml:11:10:") && s.contains("500"))
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("test.toml:10:30:") && s.contains("bogus"))
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("test.toml:17:10:") && s.contains("robot"))
        );
    }

    #[test]
    fn later_files_override_fields_of_a_rule_by_id() {
        let base = "[[rule]]\nid = \"t\"\nwhen = 'delay < @w'\nweight = 40\n\
                    [constants]\nw = 10\n";
        let user = "[[rule]]\nid = \"t\"\nweight = 20\n[constants]\nw = 30\n";
        let files = [
            ("a".to_string(), base.to_string()),
            ("b".to_string(), user.to_string()),
        ];
        let set = build(&files, &[]).unwrap();
        assert_eq!(set.rules.len(), 1);
        assert_eq!(set.rules[0].weight, 20);
        assert!(format!("{:?}", set.rules[0].cond).contains("30.0"));
        let set = build(&files, &[("w".into(), "5".into())]).unwrap();
        assert!(format!("{:?}", set.rules[0].cond).contains("5.0"));
    }

    #[test]
    fn disabled_rules_are_dropped_but_still_checked() {
        let text = "[[rule]]\nid = \"t\"\nwhen = 'delay < 10'\nweight = 40\nenabled = false\n";
        assert!(build_one(text).unwrap().rules.is_empty());
        let text = "[[rule]]\nid = \"t\"\nwhen = 'delay <'\nweight = 40\nenabled = false\n";
        assert!(build_one(text).is_err());
    }

    #[test]
    fn syntax_errors_carry_position() {
        let errors = build_one("[[rule]\nid = 1").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line(), 1);
        let errors =
            build_one("[[rule]]\nid = \"x\"\nwhen = 'a'\nweight = 1\ncolour = 2\n").unwrap_err();
        assert!(errors[0].message().contains("colour"), "{}", errors[0]);
    }

    #[test]
    fn thresholds_must_be_ordered() {
        let errors = build_one("[thresholds]\nmachine = 20\nhuman = 40\n").unwrap_err();
        assert!(
            errors[0].to_string().starts_with("test.toml:2:11:"),
            "{}",
            errors[0]
        );
    }
}
