//! data/agents.csv: curated user-agent tokens, then crawler-user-agents.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use crate::error::{Error, read_text, read_toml};
use crate::inputs::{Input, REGENERATE};

/// The classes a row may carry.
pub const CLASSES: [&str; 7] = [
    "link_preview",
    "crawler",
    "library",
    "headless",
    "scanner",
    "office",
    "image_proxy",
];

/// Words in a crawler pattern that mark a proxy fetching images for a
/// person reading mail or chat, which is never a click.
const IMAGE_PROXY_WORDS: [&str; 4] = ["ImageProxy", "ImgProxy", "github-camo", "Image Fetcher"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedAgent {
    pattern: String,
    #[serde(rename = "match")]
    match_kind: String,
    class: String,
    name: String,
    origin: String,
    #[allow(dead_code, reason = "a citation for readers of the source file")]
    source: String,
}

/// A crawler-user-agents pattern that names a person's own software or
/// device, left out of the catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonAgent {
    pattern: String,
    #[allow(dead_code, reason = "the explanation for readers of the source file")]
    reason: String,
}

#[derive(Debug, Deserialize)]
struct Curated {
    agent: Vec<CuratedAgent>,
    #[serde(default)]
    person: Vec<PersonAgent>,
}

/// The crawler-user-agents patterns that data/sources/agents.toml marks as
/// a person's own software, as the list writes them.
///
/// # Errors
/// When the source file is missing or malformed.
pub fn person_patterns(sources: &Path) -> Result<Vec<String>, Error> {
    let curated: Curated = read_toml(&sources.join("agents.toml"))?;
    Ok(curated.person.into_iter().map(|p| p.pattern).collect())
}

/// One entry of crawler-user-agents.json; other fields are ignored.
#[derive(Debug, Deserialize)]
pub struct CrawlerEntry {
    /// A regular expression matched anywhere in the user agent.
    pub pattern: String,
    /// Example user agents the pattern must match.
    #[serde(default)]
    pub instances: Vec<String>,
    /// The list's own labels (seo, http-library, social-preview...).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What [`build`] produced, for the summary.
#[derive(Debug, Default)]
pub struct AgentCounts {
    /// Rows from data/sources/agents.toml.
    pub curated: usize,
    /// Rows from crawler-user-agents.
    pub crawlers: usize,
    /// crawler-user-agents patterns left out because a curated row has the
    /// same text.
    pub duplicates: usize,
    /// crawler-user-agents patterns left out as a person's own software.
    pub people: usize,
    /// Rows per match kind.
    pub by_match: BTreeMap<&'static str, usize>,
    /// Rows per class.
    pub by_class: BTreeMap<String, usize>,
}

/// Reads crawler-user-agents.json from the pinned input.
///
/// # Errors
/// When the file is missing or is not the expected JSON array.
pub fn load_crawlers(root: &Path, input: &Input) -> Result<Vec<CrawlerEntry>, Error> {
    let path = input.file(root, "crawler-user-agents.json");
    serde_json::from_str(&read_text(&path)?)
        .map_err(|e| Error::with(format!("parsing {}", path.display()), e))
}

/// Builds the text of data/agents.csv.
///
/// # Errors
/// When a source is missing or malformed, a curated row has an unknown
/// match kind or class, or any regex fails to compile (named by file and
/// entry).
pub fn build(sources: &Path, root: &Path, input: &Input) -> Result<(String, AgentCounts), Error> {
    let curated: Curated = read_toml(&sources.join("agents.toml"))?;
    let mut rows = Vec::new();
    for (index, agent) in curated.agent.iter().enumerate() {
        let at = format!(
            "agents.toml, agent entry {} ({:?})",
            index + 1,
            agent.pattern
        );
        check(&agent.pattern, &agent.match_kind, &agent.class)
            .map_err(|m| Error::msg(format!("{at}: {m}")))?;
        let fields = [
            &agent.pattern,
            &agent.match_kind,
            &agent.class,
            &agent.name,
            &agent.origin,
        ];
        rows.push(fields.map(|f| f.to_string()).to_vec());
    }

    let mut counts = AgentCounts {
        curated: rows.len(),
        ..AgentCounts::default()
    };
    let origin = format!("crawler-user-agents {}", input.version);
    let crawlers = load_crawlers(root, input)?;
    for person in &curated.person {
        if !crawlers.iter().any(|c| c.pattern == person.pattern) {
            let message = format!(
                "agents.toml: person pattern {:?} is not in crawler-user-agents",
                person.pattern
            );
            return Err(Error::msg(message));
        }
    }
    for (index, entry) in crawlers.iter().enumerate() {
        if curated.person.iter().any(|p| p.pattern == entry.pattern) {
            counts.people += 1;
            continue;
        }
        let row = crawler_row(entry, &origin);
        if rows.iter().any(|r| r[0] == row[0]) {
            counts.duplicates += 1;
            continue;
        }
        check(&row[0], &row[1], &row[2]).map_err(|m| {
            Error::msg(format!("crawler-user-agents.json entry {}: {m}", index + 1))
        })?;
        rows.push(row);
    }

    counts.crawlers = rows.len() - counts.curated;
    for row in &rows {
        let kind = if row[1] == "literal" {
            "literal"
        } else {
            "regex"
        };
        *counts.by_match.entry(kind).or_default() += 1;
        *counts.by_class.entry(row[2].clone()).or_default() += 1;
    }
    Ok((render(&rows, input, &counts), counts))
}

/// Checks that a row's match kind and class are known and its regex builds.
fn check(pattern: &str, match_kind: &str, class: &str) -> Result<(), String> {
    if !CLASSES.contains(&class) {
        return Err(format!("unknown class {class:?}"));
    }
    match match_kind {
        "literal" if !pattern.is_empty() => Ok(()),
        "literal" => Err("empty literal pattern".to_string()),
        "regex" => Regex::new(pattern)
            .map(drop)
            .map_err(|e| format!("regex: {e}")),
        other => Err(format!(
            "unknown match kind {other:?}; expected literal or regex"
        )),
    }
}

/// Turns one crawler-user-agents entry into an output row.
fn crawler_row(entry: &CrawlerEntry, origin: &str) -> Vec<String> {
    let (pattern, match_kind) = match literal_of(&entry.pattern) {
        Some(literal) => (literal, "literal"),
        None => (entry.pattern.clone(), "regex"),
    };
    let class = classify(entry);
    let name = readable_name(&entry.pattern);
    vec![
        pattern,
        match_kind.to_string(),
        class.to_string(),
        name,
        origin.to_string(),
    ]
}

/// The class of a crawler entry, from the list's own tags.
fn classify(entry: &CrawlerEntry) -> &'static str {
    let tagged = |tag: &str| entry.tags.iter().any(|t| t == tag);
    if IMAGE_PROXY_WORDS.iter().any(|w| entry.pattern.contains(w)) {
        "image_proxy"
    } else if tagged("browser-automation") {
        "headless"
    } else if tagged("http-library") {
        "library"
    } else if tagged("scanner") {
        "scanner"
    } else if tagged("social-preview") {
        "link_preview"
    } else {
        "crawler"
    }
}

/// The plain text a pattern matches when it holds no regex operator once
/// its escaped punctuation is unescaped; `None` when it is a real regex.
pub fn literal_of(pattern: &str) -> Option<String> {
    let mut literal = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) if escaped.is_ascii_punctuation() || escaped == ' ' => {
                    literal.push(escaped)
                }
                _ => return None,
            },
            '.' | '^' | '$' | '|' | '?' | '*' | '+' | '(' | ')' | '[' | ']' | '{' | '}' => {
                return None;
            }
            _ => literal.push(c),
        }
    }
    Some(literal).filter(|l| !l.is_empty())
}

/// A short human-readable name: the pattern's leading plain text, with a
/// one-letter case class such as `[wW]` read as its first letter.
fn readable_name(pattern: &str) -> String {
    let body = pattern.trim_start_matches("(^| )").trim_start_matches('^');
    let mut name = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) if escaped.is_ascii_punctuation() || escaped == ' ' => {
                    name.push(escaped)
                }
                _ => break,
            },
            '[' => {
                let class: String = chars.by_ref().take_while(|&c| c != ']').collect();
                match class.chars().next() {
                    Some(first) if first.is_alphanumeric() => name.push(first),
                    _ => break,
                }
            }
            '.' | '$' | '|' | '?' | '*' | '+' | '(' | ')' | '{' | '}' => break,
            _ => name.push(c),
        }
    }
    let name = name.trim_end_matches(['/', ' ', '.', ';']).trim();
    if name.len() >= 3 {
        name.to_string()
    } else {
        pattern.to_string()
    }
}

fn render(rows: &[Vec<String>], input: &Input, counts: &AgentCounts) -> String {
    let comments = vec![
        "clicksift user-agent catalogue: tokens that name a machine client.".to_string(),
        "Columns: pattern,match,class,name,origin".to_string(),
        "  match: literal = case-sensitive substring of the user agent;".to_string(),
        "         regex = Rust `regex` crate syntax, unanchored, case-sensitive.".to_string(),
        format!("  class: {}", CLASSES.join(" | ")),
        "Rows are in priority order: the first matching row names the client.".to_string(),
        format!(
            "Sources: hand-curated rows first (data/sources/agents.toml, citing vendor docs and \
             public issue logs); then every pattern of npm {} ({}), classified by its tags.",
            input.cite(),
            input.date
        ),
        "A crawler pattern that is plain text once its escapes are removed is written as a \
         literal; one with the same text as a curated row is left out."
            .to_string(),
        String::new(),
        format!(
            "Date: {} (crawler list); curated rows as cited in their source file.",
            input.date
        ),
        format!(
            "Licence: crawler-user-agents rows {}, {}. See data/README.md and data/licenses/.",
            input.licence, input.attribution
        ),
        format!(
            "Rows: {} ({} curated, {} from crawler-user-agents).",
            counts.curated + counts.crawlers,
            counts.curated,
            counts.crawlers
        ),
        format!(
            "Left out: {} crawler-user-agents patterns that name a person's own software or \
             device (the [[person]] entries of data/sources/agents.toml, with reasons).",
            counts.people
        ),
    ];
    let comments: Vec<String> = comments
        .into_iter()
        .chain(REGENERATE.map(String::from))
        .collect();
    crate::csvout::render(
        &comments,
        &["pattern", "match", "class", "name", "origin"],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescaped_punctuation_makes_a_literal() {
        assert_eq!(literal_of(r"Googlebot\/"), Some("Googlebot/".to_string()));
        assert_eq!(
            literal_of(r"ip-web-crawler\.com"),
            Some("ip-web-crawler.com".to_string())
        );
        assert_eq!(
            literal_of("Yahoo Link Preview"),
            Some("Yahoo Link Preview".to_string())
        );
    }

    #[test]
    fn operators_and_classes_make_a_regex() {
        for pattern in [
            "^curl",
            "[wW]get",
            r"BlogTraffic\/\d\.\d+",
            "a.b",
            "SSL Labs$",
            "A|B",
        ] {
            assert_eq!(literal_of(pattern), None, "{pattern}");
        }
    }

    #[test]
    fn names_come_from_the_leading_text() {
        assert_eq!(readable_name(r"AdsBot-Google([^-]|$)"), "AdsBot-Google");
        assert_eq!(readable_name(r"Googlebot\/"), "Googlebot");
        assert_eq!(readable_name("^Apache-HttpClient"), "Apache-HttpClient");
        assert_eq!(readable_name("[wW]get"), "wget");
        assert_eq!(readable_name(r"(^| )sentry\/"), "sentry");
        assert_eq!(
            readable_name(r"BlogTraffic\/\d\.\d+ Feed-Fetcher"),
            "BlogTraffic"
        );
        assert_eq!(readable_name("^BW"), "^BW");
    }

    #[test]
    fn tags_decide_the_class() {
        let entry = |pattern: &str, tags: &[&str]| CrawlerEntry {
            pattern: pattern.to_string(),
            instances: Vec::new(),
            tags: tags.iter().map(ToString::to_string).collect(),
        };
        assert_eq!(classify(&entry("x", &["http-library"])), "library");
        assert_eq!(
            classify(&entry("x", &["ai-crawler", "browser-automation"])),
            "headless"
        );
        assert_eq!(
            classify(&entry("Slack-ImgProxy", &["social-preview"])),
            "image_proxy"
        );
        assert_eq!(classify(&entry("x", &["seo"])), "crawler");
    }
}
