//! How judgements are written: JSON Lines for machines, text for people.

use std::io::{self, Write};

use clicksift::evidence::FIELDS;
use clicksift::{Assessment, Engine};

use crate::json;

/// Writes one judgement as a line of JSON: `id`, `score`, `verdict`,
/// `source` and `reasons`, each reason with `rule`, `weight` and `detail`.
/// `buffer` is scratch space, reused from line to line.
pub fn write_json(
    out: &mut impl Write,
    buffer: &mut Vec<u8>,
    id: &str,
    a: &Assessment,
) -> io::Result<()> {
    buffer.clear();
    buffer.extend_from_slice(b"{\"id\":");
    json::string(buffer, id);
    buffer.extend_from_slice(b",\"score\":");
    json::number(buffer, a.score);
    buffer.extend_from_slice(b",\"verdict\":");
    json::plain(buffer, a.verdict.as_str());
    buffer.extend_from_slice(b",\"source\":");
    json::plain(buffer, a.source.as_str());
    buffer.extend_from_slice(b",\"reasons\":");
    reasons(
        buffer,
        a.reasons
            .iter()
            .map(|r| (&*r.rule, r.weight, r.detail.as_str())),
    );
    buffer.extend_from_slice(b"}\n");
    out.write_all(buffer)
}

/// Appends a JSON list of reasons. Rule ids need no escaping: the rules
/// parser takes only letters, digits, `.`, `_` and `-` in them.
pub fn reasons<'r>(buffer: &mut Vec<u8>, list: impl Iterator<Item = (&'r str, i32, &'r str)>) {
    buffer.push(b'[');
    for (i, (rule, weight, detail)) in list.enumerate() {
        buffer.extend_from_slice(if i > 0 { b",{\"rule\":" } else { b"{\"rule\":" });
        json::plain(buffer, rule);
        buffer.extend_from_slice(b",\"weight\":");
        json::number(buffer, weight);
        buffer.extend_from_slice(b",\"detail\":");
        json::string(buffer, detail);
        buffer.push(b'}');
    }
    buffer.push(b']');
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

#[cfg(test)]
mod tests {
    use clicksift::{Assessment, Reason, Source, Verdict};
    use serde::Serialize;

    #[derive(Serialize)]
    struct Reference<'a> {
        id: &'a str,
        score: u8,
        verdict: &'a str,
        source: &'a str,
        reasons: Vec<ReferenceReason<'a>>,
    }

    #[derive(Serialize)]
    struct ReferenceReason<'a> {
        rule: &'a str,
        weight: i32,
        detail: &'a str,
    }

    #[test]
    fn a_judgement_is_written_as_serde_would_write_it() {
        let reason = |rule: &str, weight, detail: &str| Reason {
            rule: rule.into(),
            weight,
            detail: detail.into(),
        };
        let a = Assessment {
            score: 94,
            verdict: Verdict::Machine,
            source: Source::MailGateway,
            reasons: vec![
                reason("campaign.sweep", 80, "campaign.links_swept=3"),
                reason("agent.library", 70, "agent=\"curl/8\\x\"; tab\there"),
                reason("network.web-proxy", -40, "network: 2001:db8::1 in café"),
            ],
        };
        for (id, a) in [
            ("s1-00001", &a),
            (
                "id \"quoted\"",
                &Assessment {
                    reasons: Vec::new(),
                    ..a.clone()
                },
            ),
        ] {
            let mut out = Vec::new();
            super::write_json(&mut out, &mut Vec::new(), id, a).unwrap();
            let reference = Reference {
                id,
                score: a.score,
                verdict: a.verdict.as_str(),
                source: a.source.as_str(),
                reasons: a
                    .reasons
                    .iter()
                    .map(|r| ReferenceReason {
                        rule: &r.rule,
                        weight: r.weight,
                        detail: &r.detail,
                    })
                    .collect(),
            };
            let mut expected = serde_json::to_vec(&reference).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
