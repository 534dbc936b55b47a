//! How judgements are written: JSON Lines for machines, text for people.

use std::io::{self, Write};

use clicksift::evidence::FIELDS;
use clicksift::{Assessment, Engine};
use serde::Serialize;

#[derive(Serialize)]
struct JsonReason<'a> {
    rule: &'a str,
    weight: i32,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonAssessment<'a> {
    id: &'a str,
    score: u8,
    verdict: &'static str,
    source: &'static str,
    reasons: Vec<JsonReason<'a>>,
}

/// Writes one judgement as a line of JSON.
pub fn write_json(out: &mut impl Write, id: &str, a: &Assessment) -> io::Result<()> {
    let record = JsonAssessment {
        id,
        score: a.score,
        verdict: a.verdict.as_str(),
        source: a.source.as_str(),
        reasons: a
            .reasons
            .iter()
            .map(|r| JsonReason {
                rule: &r.rule,
                weight: r.weight,
                detail: &r.detail,
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")
}

/// Writes one judgement as text for a person.
pub fn write_text(out: &mut impl Write, id: &str, a: &Assessment) -> io::Result<()> {
    writeln!(
        out,
        "{id}: {} (score {}, source {})",
        a.verdict, a.score, a.source
    )?;
    if a.reasons.is_empty() {
        writeln!(out, "    no rule fired")?;
    }
    for r in &a.reasons {
        writeln!(out, "    {:+4} {}: {}", r.weight, r.rule, r.detail)?;
    }
    Ok(())
}

/// Lists the fields rules can test.
pub fn print_fields() {
    let mut out = io::stdout().lock();
    for f in FIELDS {
        let _ = writeln!(out, "{:<36} {:<8} {}", f.name, f.ty.as_str(), f.doc);
    }
    let _ = writeln!(
        out,
        "{:<36} {:<8} the request header NAME",
        "header.NAME", "text"
    );
}

/// Lists the rules in force.
pub fn print_rules(engine: &Engine) {
    let mut out = io::stdout().lock();
    let t = engine.thresholds();
    let _ = writeln!(
        out,
        "thresholds: machine >= {}, human <= {}",
        t.machine, t.human
    );
    for r in engine.rules() {
        let _ = writeln!(
            out,
            "\n{} ({:+}, {})\n    {}\n    when {}",
            r.id, r.weight, r.source, r.description, r.when
        );
    }
}
