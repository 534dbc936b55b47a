//! data/browsers.csv: the release date of each browser major version.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::DateTime;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, read_text, read_toml};
use crate::inputs::{Input, REGENERATE};

const SECONDS_PER_DAY: i64 = 86_400;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyMap {
    agent: String,
    families: Vec<String>,
    #[serde(default)]
    majors: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct FamilyMaps {
    family: Vec<FamilyMap>,
}

/// What [`build`] produced, for the summary.
#[derive(Debug, Default)]
pub struct BrowserCounts {
    /// All rows written.
    pub rows: usize,
    /// Rows per family.
    pub by_family: BTreeMap<String, usize>,
}

/// Builds the text of data/browsers.csv.
///
/// # Errors
/// When a source is missing or malformed, or the caniuse data is not in the
/// packed form this reader knows (named by file and agent).
pub fn build(sources: &Path, root: &Path, input: &Input) -> Result<(String, BrowserCounts), Error> {
    let maps: FamilyMaps = read_toml(&sources.join("browser_families.toml"))?;
    let agents = load_agents(root, input)?;

    // (family, major) -> earliest release day.
    let mut releases: BTreeMap<(String, u32), i64> = BTreeMap::new();
    for (index, map) in maps.family.iter().enumerate() {
        let at = || format!("browser_families.toml, family entry {}", index + 1);
        let days = agents
            .get(&map.agent)
            .ok_or_else(|| Error::msg(format!("{}: caniuse has no agent {:?}", at(), map.agent)))?;
        let ranges = parse_ranges(&map.majors).map_err(|m| Error::msg(format!("{}: {m}", at())))?;
        for (&major, &day) in days.iter().filter(|(m, _)| in_ranges(&ranges, **m)) {
            for family in &map.families {
                let earliest = releases.entry((family.clone(), major)).or_insert(day);
                *earliest = (*earliest).min(day);
            }
        }
    }

    let mut counts = BrowserCounts {
        rows: releases.len(),
        ..BrowserCounts::default()
    };
    let mut rows = Vec::with_capacity(releases.len());
    for ((family, major), day) in releases {
        *counts.by_family.entry(family.clone()).or_default() += 1;
        rows.push(vec![family, major.to_string(), date_of(day)?]);
    }
    Ok((render(&rows, input, &counts), counts))
}

/// Reads every caniuse agent as major -> earliest release day since 1970.
fn load_agents(root: &Path, input: &Input) -> Result<BTreeMap<String, BTreeMap<u32, i64>>, Error> {
    let read = |name: &str| {
        let path = input.file(root, name);
        let text = read_text(&path)?;
        crate::jslit::parse_module(&text)
            .map_err(|m| Error::msg(format!("parsing {}: {m}", path.display())))
    };
    let ids = read("data/browsers.js")?;
    let packed = read("data/agents.js")?;
    let packed = packed
        .as_object()
        .ok_or_else(|| Error::msg("data/agents.js: not an object"))?;

    let mut agents = BTreeMap::new();
    for (key, agent) in packed {
        let id = ids.get(key).and_then(Value::as_str).ok_or_else(|| {
            Error::msg(format!(
                "data/agents.js: key {key:?} is not in data/browsers.js"
            ))
        })?;
        let days = unpack_release_days(agent)
            .map_err(|m| Error::msg(format!("data/agents.js, agent {id}: {m}")))?;
        agents.insert(id.to_string(), days);
    }
    Ok(agents)
}

/// Unpacks one agent's versions (`C`) and day offsets (`F`).
///
/// `C` lists version strings separated by spaces, with numbers standing for
/// runs of empty slots; `F` gives, per listed version, the days since the
/// previous dated release (the first counts from 1970), or null when the
/// version has no date yet.
fn unpack_release_days(agent: &Value) -> Result<BTreeMap<u32, i64>, String> {
    let slots = agent
        .get("C")
        .and_then(Value::as_array)
        .ok_or("no version list C")?;
    let versions: Vec<&str> = slots
        .iter()
        .filter_map(Value::as_str)
        .flat_map(|s| s.split(' '))
        .collect();
    let offsets = agent
        .get("F")
        .and_then(Value::as_array)
        .ok_or("F is not a list of day offsets")?;
    if offsets.len() != versions.len() {
        return Err(format!(
            "{} versions but {} dates",
            versions.len(),
            offsets.len()
        ));
    }

    let mut day = 0;
    let mut majors = BTreeMap::new();
    for (version, offset) in versions.iter().zip(offsets) {
        if offset.is_null() {
            continue;
        }
        day += offset
            .as_i64()
            .ok_or_else(|| format!("version {version}: offset {offset}"))?;
        if let Some(major) = major_of(version) {
            let earliest = majors.entry(major).or_insert(day);
            *earliest = (*earliest).min(day);
        }
    }
    Ok(majors)
}

/// The integer major of a caniuse version: "17.4" and "15.2-15.3" give 17
/// and 15; "TP" gives none.
fn major_of(version: &str) -> Option<u32> {
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Parses "low-high" and "low-" ranges of majors.
fn parse_ranges(ranges: &[String]) -> Result<Vec<(u32, u32)>, String> {
    let parse = |s: &str| s.parse::<u32>().map_err(|e| format!("majors {s:?}: {e}"));
    ranges
        .iter()
        .map(|range| {
            let (low, high) = range
                .split_once('-')
                .ok_or(format!("majors {range:?}: no '-'"))?;
            let high = if high.is_empty() {
                u32::MAX
            } else {
                parse(high)?
            };
            Ok((parse(low)?, high))
        })
        .collect()
}

fn in_ranges(ranges: &[(u32, u32)], major: u32) -> bool {
    ranges.is_empty()
        || ranges
            .iter()
            .any(|&(low, high)| (low..=high).contains(&major))
}

fn date_of(day: i64) -> Result<String, Error> {
    let time = DateTime::from_timestamp(day * SECONDS_PER_DAY, 0)
        .ok_or_else(|| Error::msg(format!("release day {day} is out of range")))?;
    Ok(time.format("%Y-%m-%d").to_string())
}

fn render(rows: &[Vec<String>], input: &Input, counts: &BrowserCounts) -> String {
    let comments = vec![
        "clicksift browser catalogue: when each major version was first released.".to_string(),
        "Columns: family,major,released".to_string(),
        "  family: the ua-parser (uap-core) family name".to_string(),
        "  major: integer major version".to_string(),
        "  released: YYYY-MM-DD (UTC), the earliest release of any minor of that major; \
         versions caniuse has not dated are left out"
            .to_string(),
        String::new(),
        format!(
            "Source: npm {} (data/agents.js, data of {}). The map from caniuse agents to \
             family names, and the families that borrow Chrome's or Firefox's dates, are in \
             data/sources/browser_families.toml.",
            input.cite(),
            input.date
        ),
        format!("Date: {}.", input.date),
        format!(
            "Licence: {}, {}. See data/README.md and data/licenses/.",
            input.licence, input.attribution
        ),
        format!(
            "Rows: {} ({} families).",
            counts.rows,
            counts.by_family.len()
        ),
    ];
    let comments: Vec<String> = comments
        .into_iter()
        .chain(REGENERATE.map(String::from))
        .collect();
    crate::csvout::render(&comments, &["family", "major", "released"], rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_cumulative_days_and_earliest_major() {
        let agent =
            serde_json::json!({"C": [2, "16.0 17.0 17.4 TP"], "F": [19000, 300, 100, null]});
        let majors = unpack_release_days(&agent).unwrap();
        assert_eq!(majors, BTreeMap::from([(16, 19000), (17, 19300)]));
        assert_eq!(date_of(19000).unwrap(), "2022-01-08");
    }

    #[test]
    fn rejects_mismatched_lengths() {
        let agent = serde_json::json!({"C": ["1 2"], "F": [5]});
        assert!(
            unpack_release_days(&agent)
                .unwrap_err()
                .contains("2 versions but 1 dates")
        );
    }

    #[test]
    fn filters_majors_by_range() {
        let ranges = parse_ranges(&["12-18".to_string(), "79-".to_string()]).unwrap();
        assert!(in_ranges(&ranges, 12) && in_ranges(&ranges, 18) && in_ranges(&ranges, 150));
        assert!(!in_ranges(&ranges, 19) && !in_ranges(&ranges, 78));
        assert!(parse_ranges(&["x-".to_string()]).is_err());
    }
}
