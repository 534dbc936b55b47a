//! User-agent analysis: who a request says it is, and how believable that
//! is on the day of the click.
//!
//! Parsing an agent is the expensive part of judging a click, and click
//! streams repeat a few thousand agents, so the analysis of each distinct
//! agent is kept in an [`AgentCache`] the caller owns. Only what does not
//! depend on the click (the catalogue match and the parse) is cached; the
//! age of the browser on the click's date is worked out per click from
//! the release calendar, which costs a binary search.

use std::fmt;
use std::str::FromStr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use chrono::NaiveDate;
use hashbrown::HashMap;
use hashbrown::hash_map::EntryRef;
use regex::{Regex, RegexSet, RegexSetBuilder};

use crate::csvline;

/// Longest agent analysed; the rest of a longer agent is ignored by the
/// parse, though catalogue patterns still see the first
/// [`MAX_AGENT_LEN`] bytes.
pub const MAX_AGENT_LEN: usize = 2048;

/// Distinct agents kept per cache generation. A cache holds at most twice
/// this many: when the current generation fills, it becomes the old one
/// and the previous old one is dropped; agents found in the old generation
/// move back to the current one.
pub const AGENT_CACHE_CAPACITY: usize = 16 * 1024;

/// What kind of client an agent string names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentClass {
    /// An ordinary browser, or nothing the catalogue knows.
    Browser,
    /// No agent, or only white space.
    Empty,
    /// A chat or search link preview.
    LinkPreview,
    /// A crawler or monitoring robot.
    Crawler,
    /// An HTTP library or command-line client.
    Library,
    /// A headless or automated browser.
    Headless,
    /// A security scanner or sandbox that names itself.
    Scanner,
    /// Office link discovery and prefetch.
    Office,
    /// A webmail image proxy fetching for a person.
    ImageProxy,
}

impl AgentClass {
    /// The name used in catalogue files and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentClass::Browser => "browser",
            AgentClass::Empty => "empty",
            AgentClass::LinkPreview => "link_preview",
            AgentClass::Crawler => "crawler",
            AgentClass::Library => "library",
            AgentClass::Headless => "headless",
            AgentClass::Scanner => "scanner",
            AgentClass::Office => "office",
            AgentClass::ImageProxy => "image_proxy",
        }
    }
}

impl FromStr for AgentClass {
    type Err = String;

    fn from_str(s: &str) -> Result<AgentClass, String> {
        let all = [
            AgentClass::Browser,
            AgentClass::Empty,
            AgentClass::LinkPreview,
            AgentClass::Crawler,
            AgentClass::Library,
            AgentClass::Headless,
            AgentClass::Scanner,
            AgentClass::Office,
            AgentClass::ImageProxy,
        ];
        all.into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown agent class {s:?}"))
    }
}

impl fmt::Display for AgentClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pattern of the agent catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentPattern {
    /// A case-sensitive substring, or a regular expression.
    pub pattern: String,
    /// True when `pattern` is a plain substring.
    pub literal: bool,
    /// What a match means.
    pub class: AgentClass,
    /// A name for people to read.
    pub name: String,
    /// Where the pattern comes from.
    pub origin: String,
}

/// The columns of an agent catalogue file.
pub const AGENT_COLUMNS: [&str; 5] = ["pattern", "match", "class", "name", "origin"];

/// Parses an agent catalogue file (see `data/README.md`).
///
/// # Errors
///
/// Returns every bad row, each as `line N: reason`, including regular
/// expressions that do not compile.
pub fn parse_agent_catalog(text: &str) -> Result<Vec<AgentPattern>, Vec<String>> {
    csvline::parse_rows(text, &AGENT_COLUMNS, parse_agent_row)
}

fn parse_agent_row(line: &str) -> Result<AgentPattern, String> {
    let fields = csvline::split(line)?;
    let [pattern, kind, class, name, origin] =
        <[String; 5]>::try_from(fields).map_err(|f| format!("{} fields, expected 5", f.len()))?;
    let literal = match kind.as_str() {
        "literal" => true,
        "regex" => false,
        other => return Err(format!("match is {other:?}; expected literal or regex")),
    };
    if pattern.is_empty() {
        return Err("empty pattern".into());
    }
    if !literal {
        Regex::new(&pattern).map_err(|e| format!("pattern {pattern:?}: {e}"))?;
    }
    Ok(AgentPattern {
        pattern,
        literal,
        class: class.parse()?,
        name,
        origin,
    })
}

/// Release dates of browser major versions, by ua-parser family.
#[derive(Clone, Debug, Default)]
pub struct ReleaseCalendar {
    families: HashMap<String, u32>,
    /// Per family, `(major, days since 1970-01-01)` sorted by major.
    releases: Vec<Vec<(u32, i32)>>,
}

/// The columns of a browser release calendar file.
pub const CALENDAR_COLUMNS: [&str; 3] = ["family", "major", "released"];

impl ReleaseCalendar {
    /// Parses a calendar file (see `data/README.md`).
    ///
    /// # Errors
    ///
    /// Returns every bad row, each as `line N: reason`.
    pub fn parse(text: &str) -> Result<ReleaseCalendar, Vec<String>> {
        let rows = csvline::rows(text, &CALENDAR_COLUMNS).map_err(|e| vec![e])?;
        let mut calendar = ReleaseCalendar::default();
        let mut errors = Vec::new();
        for (n, line) in rows {
            if let Err(e) = calendar.add_row(line) {
                errors.push(format!("line {n}: {e}"));
            }
        }
        for list in &mut calendar.releases {
            list.sort_unstable();
            list.dedup_by_key(|r| r.0);
        }
        if errors.is_empty() {
            Ok(calendar)
        } else {
            Err(errors)
        }
    }

    fn add_row(&mut self, line: &str) -> Result<(), String> {
        let fields = csvline::split(line)?;
        let [family, major, released] = <[String; 3]>::try_from(fields)
            .map_err(|f| format!("{} fields, expected 3", f.len()))?;
        let major: u32 = major
            .parse()
            .map_err(|_| format!("major {major:?} is not a number"))?;
        let day = NaiveDate::parse_from_str(&released, "%Y-%m-%d")
            .map_err(|_| format!("released {released:?} is not YYYY-MM-DD"))?;
        let next = self.releases.len() as u32;
        let index = *self.families.entry(family).or_insert(next);
        if index == next {
            self.releases.push(Vec::new());
        }
        if let Some(list) = self.releases.get_mut(index as usize) {
            list.push((major, days_since_epoch(day)));
        }
        Ok(())
    }

    fn family(&self, name: &str) -> Option<u32> {
        self.families.get(name).copied()
    }

    /// How a version stands on a given day: days since its release, and
    /// how many later majors were out by then. `None` when the family or
    /// version is not in the calendar, or the version is newer than the
    /// calendar.
    fn standing(&self, family: u32, major: u32, day: i32) -> Option<Standing> {
        let list = self.releases.get(family as usize)?;
        let at = list.partition_point(|r| r.0 < major);
        let &(found, released) = list.get(at)?;
        if found != major {
            return None;
        }
        let later = list.get(at + 1..)?;
        let behind = later.iter().filter(|r| r.1 <= day).count() as u32;
        Some(Standing {
            age_days: day - released,
            versions_behind: behind,
        })
    }
}

/// How old a browser version is on the day of a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Days from the version's release to the click; negative if the
    /// click claims a version released after it.
    pub age_days: i32,
    /// Majors of the same browser released after it and before the click.
    pub versions_behind: u32,
}

/// Days since 1970-01-01.
pub(crate) fn days_since_epoch(day: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (day - epoch).num_days() as i32
}

/// The parts of an agent that do not depend on the click.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentInfo {
    /// What kind of client it is.
    pub class: Option<AgentClass>,
    /// The catalogue pattern that matched, by index.
    pub pattern: Option<u32>,
    /// Browser family as ua-parser names it (`Chrome`, `IE`, ...).
    pub family: Option<Box<str>>,
    /// Browser major version.
    pub major: Option<u32>,
    /// Operating system family (`Windows`, `Mac OS X`, ...).
    pub os: Option<Box<str>>,
    /// Operating system version's first part (`XP`, `10`, `14`, ...).
    pub os_version: Option<Box<str>>,
    /// The browser's family in the release calendar.
    calendar: Option<u32>,
}

impl AgentInfo {
    /// The class, `Browser` when nothing else matched.
    pub fn class(&self) -> AgentClass {
        self.class.unwrap_or(AgentClass::Browser)
    }
}

/// The agent catalogue, the agent parser and the release calendar, built
/// once and shared.
pub struct AgentAnalyzer {
    patterns: Vec<AgentPattern>,
    literals: AhoCorasick,
    literal_index: Vec<u32>,
    regexes: RegexSet,
    regex_index: Vec<u32>,
    browsers: ua_parser::user_agent::Extractor<'static>,
    systems: ua_parser::os::Extractor<'static>,
    calendar: ReleaseCalendar,
}

impl fmt::Debug for AgentAnalyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentAnalyzer")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

/// The user-agent and OS parsers of uap-core (Apache-2.0), converted from
/// its `regexes.yaml` to JSON; see `data/README.md`.
const UAP_REGEXES: &str = include_str!("../data/uap/regexes.json");

#[derive(serde::Deserialize)]
struct UapRegexes {
    user_agent_parsers: Vec<ua_parser::user_agent::Parser<'static>>,
    os_parsers: Vec<ua_parser::os::Parser<'static>>,
}

impl AgentAnalyzer {
    /// Builds the analyzer from catalogue patterns and a calendar.
    ///
    /// # Errors
    ///
    /// Returns a message when a pattern does not compile or the bundled
    /// parser definitions cannot be loaded.
    pub fn new(
        patterns: Vec<AgentPattern>,
        calendar: ReleaseCalendar,
    ) -> Result<AgentAnalyzer, String> {
        let (literals, literal_index) = build_literals(&patterns)?;
        let (regexes, regex_index) = build_regexes(&patterns)?;
        let uap: UapRegexes =
            serde_json::from_str(UAP_REGEXES).map_err(|e| format!("bundled agent parsers: {e}"))?;
        let browsers = ua_parser::user_agent::Builder::new()
            .push_all(uap.user_agent_parsers)
            .and_then(|b| b.build().map_err(ua_parser::Error::from))
            .map_err(|e| format!("bundled agent parsers: {e}"))?;
        let systems = ua_parser::os::Builder::new()
            .push_all(uap.os_parsers)
            .map_err(|e| format!("bundled OS parsers: {e}"))?
            .build()
            .map_err(|e| format!("bundled OS parsers: {e}"))?;
        Ok(AgentAnalyzer {
            patterns,
            literals,
            literal_index,
            regexes,
            regex_index,
            browsers,
            systems,
            calendar,
        })
    }

    /// The catalogue patterns.
    pub fn patterns(&self) -> &[AgentPattern] {
        &self.patterns
    }

    /// The pattern behind an [`AgentInfo::pattern`] index.
    pub fn pattern(&self, index: u32) -> Option<&AgentPattern> {
        self.patterns.get(index as usize)
    }

    /// Analyses an agent, through the cache.
    pub fn analyze<'c>(&self, agent: &str, cache: &'c mut AgentCache) -> &'c AgentInfo {
        cache.get_or_insert_with(agent, || self.analyze_uncached(agent))
    }

    /// What kind of client an agent names, from the catalogue alone: the
    /// class of [`AgentAnalyzer::analyze`] without the parse of browser and
    /// platform versions, which the class does not depend on.
    pub fn classify(&self, agent: &str) -> AgentClass {
        let agent = clip(agent.trim(), MAX_AGENT_LEN);
        if agent.is_empty() || agent == "-" {
            return AgentClass::Empty;
        }
        self.first_pattern(agent)
            .and_then(|p| self.pattern(p))
            .map_or(AgentClass::Browser, |p| p.class)
    }

    /// Analyses an agent without a cache.
    pub fn analyze_uncached(&self, agent: &str) -> AgentInfo {
        let agent = clip(agent.trim(), MAX_AGENT_LEN);
        if agent.is_empty() || agent == "-" {
            return AgentInfo {
                class: Some(AgentClass::Empty),
                ..AgentInfo::default()
            };
        }
        let pattern = self.first_pattern(agent);
        let mut info = AgentInfo {
            class: pattern.and_then(|p| self.pattern(p)).map(|p| p.class),
            pattern,
            ..AgentInfo::default()
        };
        if let Some(ua) = self.browsers.extract(agent) {
            info.major = ua.major.and_then(|m| m.parse().ok());
            info.calendar = self.calendar.family(&ua.family);
            info.family = Some(ua.family.into());
        }
        if let Some(os) = self.systems.extract(agent) {
            info.os_version = os.major.map(|m| m.into());
            info.os = Some(os.os.into());
        }
        info
    }

    /// The first catalogue pattern (in catalogue order) found in `agent`.
    fn first_pattern(&self, agent: &str) -> Option<u32> {
        let literal = self
            .literals
            .find_overlapping_iter(agent)
            .filter_map(|m| self.literal_index.get(m.pattern().as_usize()).copied())
            .min();
        // Most agents match no regex, and asking whether any does is a
        // cheaper search than listing the ones that do.
        let regex = Some(&self.regexes)
            .filter(|set| set.is_match(agent))
            .into_iter()
            .flat_map(|set| set.matches(agent).into_iter())
            .filter_map(|i| self.regex_index.get(i).copied())
            .min();
        match (literal, regex) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// How old the agent's browser is on `day` (days since 1970-01-01).
    pub fn standing(&self, info: &AgentInfo, day: i32) -> Option<Standing> {
        self.calendar.standing(info.calendar?, info.major?, day)
    }
}

fn build_literals(patterns: &[AgentPattern]) -> Result<(AhoCorasick, Vec<u32>), String> {
    let (index, needles): (Vec<u32>, Vec<&str>) = patterns
        .iter()
        .enumerate()
        .filter(|(_, p)| p.literal)
        .map(|(i, p)| (i as u32, p.pattern.as_str()))
        .unzip();
    let matcher = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        // A full DFA: about 20 ms more to build once per process, and the
        // catalogue match of a new agent runs about 15% faster.
        .kind(Some(AhoCorasickKind::DFA))
        .build(needles)
        .map_err(|e| format!("agent literals: {e}"))?;
    Ok((matcher, index))
}

fn build_regexes(patterns: &[AgentPattern]) -> Result<(RegexSet, Vec<u32>), String> {
    let (index, sources): (Vec<u32>, Vec<&str>) = patterns
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.literal)
        .map(|(i, p)| (i as u32, p.pattern.as_str()))
        .unzip();
    let set = RegexSetBuilder::new(sources)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| format!("agent patterns: {e}"))?;
    Ok((set, index))
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
pub(crate) fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A bounded memo of agent analyses, owned by the caller.
///
/// Two generations of at most [`AGENT_CACHE_CAPACITY`] agents each; see
/// that constant for the eviction.
#[derive(Clone, Debug)]
pub struct AgentCache {
    current: HashMap<Box<str>, (AgentInfo, RuleMemo)>,
    old: HashMap<Box<str>, (AgentInfo, RuleMemo)>,
    capacity: usize,
}

/// Which of an engine's agent-only rules fire for a cached agent: those
/// rules read nothing but the agent, so they are evaluated once per
/// distinct agent. `engine` is the id of the engine that filled it in, as
/// one cache may serve several engines; 0 means not yet.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RuleMemo {
    pub engine: u64,
    pub fired: u64,
}

impl Default for AgentCache {
    fn default() -> AgentCache {
        AgentCache::new()
    }
}

impl AgentCache {
    /// An empty cache of the default capacity.
    pub fn new() -> AgentCache {
        AgentCache::with_capacity(AGENT_CACHE_CAPACITY)
    }

    /// An empty cache holding at most `2 * capacity` agents.
    pub fn with_capacity(capacity: usize) -> AgentCache {
        AgentCache {
            current: HashMap::new(),
            old: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// Distinct agents held now.
    pub fn len(&self) -> usize {
        self.current.len() + self.old.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> AgentInfo) -> &AgentInfo {
        &self.entry(key, make).0
    }

    /// The cached analysis of `key` with its rule memo, made and inserted
    /// when missing.
    pub(crate) fn entry(
        &mut self,
        key: &str,
        make: impl FnOnce() -> AgentInfo,
    ) -> &mut (AgentInfo, RuleMemo) {
        if self.current.len() >= self.capacity && !self.current.contains_key(key) {
            self.old = std::mem::take(&mut self.current);
        }
        match self.current.entry_ref(key) {
            EntryRef::Occupied(entry) => entry.into_mut(),
            EntryRef::Vacant(entry) => {
                let found = self.old.remove(key);
                entry.insert(found.unwrap_or_else(|| (make(), RuleMemo::default())))
            }
        }
    }
}

#[cfg(test)]
mod cache_tests {
    #[test]
    fn classify_agrees_with_the_full_analysis() {
        let engine = crate::Engine::with_defaults().unwrap();
        let agents = [
            "",
            "-",
            "curl/8.5.0",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/145.0.0.0 Safari/537.36",
        ];
        let analyzer = engine.agents();
        for agent in agents {
            assert_eq!(
                analyzer.classify(agent),
                analyzer.analyze_uncached(agent).class(),
                "{agent}"
            );
        }
    }

    use super::{AGENT_CACHE_CAPACITY, AgentCache, AgentInfo};

    #[test]
    fn default_cache_has_the_documented_capacity_and_evicts_by_generation() {
        let mut cache = AgentCache::default();
        let made = std::cell::Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            AgentInfo::default()
        };
        cache.get_or_insert_with("a", make);
        cache.get_or_insert_with("a", make);
        assert_eq!(made.get(), 1, "a hit does not analyse again");
        for i in 0..AGENT_CACHE_CAPACITY * 3 {
            cache.get_or_insert_with(&i.to_string(), AgentInfo::default);
        }
        assert!(cache.len() <= 2 * AGENT_CACHE_CAPACITY);
    }
}
