//! The engine: built once from rules and catalogues, then shared by any
//! number of threads, each with its own [`Cache`].

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::agent::{AgentAnalyzer, AgentCache, ReleaseCalendar, RuleMemo, parse_agent_catalog};
use crate::campaign::{CampaignFacts, CampaignSettings};
use crate::click::Click;
use crate::evidence::Evidence;
use crate::mmdb::{Databases, LookupCache, NetFacts};
use crate::network::{CidrTable, NetworkEntry, parse_catalog};
use crate::rules::compile::Cond;
use crate::rules::{self, DEFAULT_RULES, DEFAULT_RULES_NAME, Diagnostic, Rule, Thresholds};
use crate::verdict::{Assessment, Reason, Source, Verdict};

/// The built-in network catalogue; see `data/README.md`.
pub const DEFAULT_NETWORKS: &str = include_str!("../data/networks.csv");
/// The built-in agent catalogue; see `data/README.md`.
pub const DEFAULT_AGENTS: &str = include_str!("../data/agents.csv");
/// The built-in browser release calendar; see `data/README.md`.
pub const DEFAULT_BROWSERS: &str = include_str!("../data/browsers.csv");

/// Why an engine could not be built: every problem found, each with its
/// file, line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    diagnostics: Vec<Diagnostic>,
}

impl BuildError {
    fn one(file: &str, message: String) -> BuildError {
        BuildError {
            diagnostics: vec![Diagnostic::whole(file, message)],
        }
    }

    /// Every problem, in the order of the files.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// Sets up an [`Engine`]: which rules, catalogues and databases it uses.
pub struct EngineBuilder {
    default_rules: bool,
    rule_files: Vec<(String, String)>,
    constants: Vec<(String, String)>,
    networks: Vec<Catalog>,
    databases: Databases,
}

/// A network catalogue an engine is built with, most preferred first.
enum Catalog {
    /// `data/networks.csv`, compiled in: held by reference, and parsed
    /// once per process.
    BuiltIn,
    /// A caller's catalogue: its name in diagnostics and its text.
    Given(String, String),
}

impl Default for EngineBuilder {
    fn default() -> EngineBuilder {
        EngineBuilder {
            default_rules: true,
            rule_files: Vec::new(),
            constants: Vec::new(),
            networks: vec![Catalog::BuiltIn],
            databases: Databases::new(),
        }
    }
}

impl EngineBuilder {
    /// Leaves the built-in rules out (`false`) or keeps them (the default).
    pub fn default_rules(mut self, yes: bool) -> EngineBuilder {
        self.default_rules = yes;
        self
    }

    /// Adds a rule file's text; `name` is used in diagnostics. Later files
    /// add rules and override earlier rules with the same id.
    pub fn rules(mut self, name: impl Into<String>, text: impl Into<String>) -> EngineBuilder {
        self.rule_files.push((name.into(), text.into()));
        self
    }

    /// Reads and adds a rule file.
    ///
    /// # Errors
    ///
    /// Returns a [`BuildError`] naming the file when it cannot be read.
    pub fn rules_file(self, path: impl AsRef<Path>) -> Result<EngineBuilder, BuildError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(contents) => Ok(self.rules(name, contents)),
            Err(e) => Err(BuildError::one(
                &name,
                format!("cannot read rule file: {e}"),
            )),
        }
    }

    /// Sets a rule constant, overriding every rule file (`--set`).
    pub fn constant(mut self, name: impl Into<String>, value: impl Into<String>) -> EngineBuilder {
        self.constants.push((name.into(), value.into()));
        self
    }

    /// Adds a network catalogue in the format of `data/networks.csv`; its
    /// ranges take precedence over the built-in ones of equal size.
    pub fn networks(mut self, name: impl Into<String>, text: impl Into<String>) -> EngineBuilder {
        self.networks
            .insert(0, Catalog::Given(name.into(), text.into()));
        self
    }

    /// Uses these MaxMind databases for enrichment.
    pub fn databases(mut self, databases: Databases) -> EngineBuilder {
        self.databases = databases;
        self
    }

    /// Validates everything and builds the engine.
    ///
    /// # Errors
    ///
    /// Returns every problem found in the rule files and catalogues, each
    /// with its file, line and column.
    pub fn build(self) -> Result<Engine, BuildError> {
        let mut files = Vec::new();
        if self.default_rules {
            files.push((DEFAULT_RULES_NAME.to_string(), DEFAULT_RULES.to_string()));
        }
        files.extend(self.rule_files);
        let mut diagnostics = Vec::new();
        let networks = load_networks(&self.networks, &mut diagnostics);
        let agents = load_agents(&mut diagnostics);
        let rules = rules::build(&files, &self.constants);
        let rules = match rules {
            Ok(set) if diagnostics.is_empty() => set,
            Ok(_) => return Err(BuildError { diagnostics }),
            Err(mut found) => {
                found.append(&mut diagnostics);
                return Err(BuildError { diagnostics: found });
            }
        };
        let agents = agents.ok_or_else(|| BuildError {
            diagnostics: Vec::new(),
        })?;
        let mut rules = rules;
        mark_agent_rules(&mut rules.rules);
        Ok(Engine {
            id: NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed),
            rules: rules.rules,
            thresholds: rules.thresholds,
            campaign: rules.campaign,
            networks,
            agents,
            databases: self.databases,
        })
    }
}

/// Engine ids start at 1: a cache's per-agent memo with id 0 is empty.
static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// Gives the part of each rule that reads only the agent a bit in the
/// per-agent memo, so that it is decided once per distinct agent rather
/// than once per click: a rule that reads only the agent is decided
/// entirely there, and a rule whose top-level `and` has agent-only tests
/// is tested per click only for the agents that pass them. Past 64 such
/// rules, the rest are tested whole per click.
fn mark_agent_rules(rules: &mut [Rule]) {
    let mut next_bit = 0u8;
    for rule in rules {
        if u32::from(next_bit) == u64::BITS {
            return;
        }
        let Some((agent, rest)) = split_agent_part(&mut rule.cond) else {
            continue;
        };
        rule.agent_cond = Some(agent);
        rule.agent_bit = Some(next_bit);
        rule.cond = Cond::All(rest);
        next_bit += 1;
    }
}

/// Takes the agent-only part out of a condition: all of it, or the
/// agent-only tests of a top-level `and`. Returns that part and the tests
/// left, or `None` (and the condition untouched) when there is none.
fn split_agent_part(cond: &mut Cond) -> Option<(Cond, Vec<Cond>)> {
    if cond.reads_only_agent() {
        return Some((std::mem::replace(cond, Cond::All(Vec::new())), Vec::new()));
    }
    let Cond::All(items) = cond else {
        return None;
    };
    if !items.iter().any(Cond::reads_only_agent) {
        return None;
    }
    let (agent, rest): (Vec<Cond>, Vec<Cond>) = std::mem::take(items)
        .into_iter()
        .partition(Cond::reads_only_agent);
    Some((Cond::All(agent), rest))
}

/// Name the built-in network catalogue has in diagnostics.
const DEFAULT_NETWORKS_NAME: &str = "data/networks.csv";

fn load_networks(
    catalogs: &[Catalog],
    diagnostics: &mut Vec<Diagnostic>,
) -> Arc<CidrTable<NetworkEntry>> {
    match catalogs {
        [Catalog::BuiltIn] => default_networks(diagnostics),
        _ => Arc::new(network_table(catalogs, diagnostics)),
    }
}

/// The table of the built-in catalogue alone, built once per process.
/// With the agent analyzer shared, parsing these ranges was most of the
/// cost of building an engine with the built-in catalogue.
fn default_networks(diagnostics: &mut Vec<Diagnostic>) -> Arc<CidrTable<NetworkEntry>> {
    static SHARED: OnceLock<(Arc<CidrTable<NetworkEntry>>, Vec<Diagnostic>)> = OnceLock::new();
    let (table, found) = SHARED.get_or_init(|| {
        let mut found = Vec::new();
        let table = network_table(&[Catalog::BuiltIn], &mut found);
        (Arc::new(table), found)
    });
    diagnostics.extend(found.iter().cloned());
    Arc::clone(table)
}

fn network_table(
    catalogs: &[Catalog],
    diagnostics: &mut Vec<Diagnostic>,
) -> CidrTable<NetworkEntry> {
    let mut entries = Vec::new();
    for catalog in catalogs {
        let (name, parsed) = match catalog {
            Catalog::BuiltIn => (DEFAULT_NETWORKS_NAME, default_entries().clone()),
            Catalog::Given(name, text) => (name.as_str(), parse_catalog(text)),
        };
        match parsed {
            Ok(found) => entries.extend(found),
            Err(errors) => report(name, errors, diagnostics),
        }
    }
    CidrTable::new(entries.into_iter().map(|e| (e.net, e)))
}

/// The built-in catalogue's ranges, parsed once per process: an engine
/// with a catalogue of its own still holds the built-in ranges under it,
/// and copying them costs a fraction of parsing them again.
fn default_entries() -> &'static Result<Vec<NetworkEntry>, Vec<String>> {
    static PARSED: OnceLock<Result<Vec<NetworkEntry>, Vec<String>>> = OnceLock::new();
    PARSED.get_or_init(|| parse_catalog(DEFAULT_NETWORKS))
}

/// The agent analyzer over the built-in catalogue. Compiling uap-core's
/// parsers is most of the cost of building an engine, and the analyzer
/// depends on nothing the builder sets, so one analyzer is built per
/// process and shared by every engine.
fn load_agents(diagnostics: &mut Vec<Diagnostic>) -> Option<Arc<AgentAnalyzer>> {
    static SHARED: OnceLock<Result<Arc<AgentAnalyzer>, Vec<Diagnostic>>> = OnceLock::new();
    let built = SHARED.get_or_init(|| {
        let mut found = Vec::new();
        let patterns = parse_agent_catalog(DEFAULT_AGENTS)
            .map_err(|e| report("data/agents.csv", e, &mut found))
            .ok();
        let calendar = ReleaseCalendar::parse(DEFAULT_BROWSERS)
            .map_err(|e| report("data/browsers.csv", e, &mut found))
            .ok();
        let (Some(patterns), Some(calendar)) = (patterns, calendar) else {
            return Err(found);
        };
        AgentAnalyzer::new(patterns, calendar)
            .map(Arc::new)
            .map_err(|e| vec![Diagnostic::whole("data/agents.csv", e)])
    });
    match built {
        Ok(analyzer) => Some(Arc::clone(analyzer)),
        Err(found) => {
            diagnostics.extend(found.iter().cloned());
            None
        }
    }
}

/// Turns `line N: message` errors of a catalogue into diagnostics.
fn report(file: &str, errors: Vec<String>, diagnostics: &mut Vec<Diagnostic>) {
    for e in errors {
        diagnostics.push(Diagnostic::whole(file, e));
    }
}

/// The immutable scoring engine. It is `Send + Sync`: share one engine
/// between threads and give each thread its own [`Cache`].
pub struct Engine {
    /// Tells this engine's memos in a shared [`Cache`] from another's.
    id: u64,
    rules: Vec<Rule>,
    thresholds: Thresholds,
    campaign: CampaignSettings,
    networks: Arc<CidrTable<NetworkEntry>>,
    agents: Arc<AgentAnalyzer>,
    databases: Databases,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .field("networks", &self.networks.len())
            .field("thresholds", &self.thresholds)
            .finish()
    }
}

/// Scratch space for one thread: the agent and address lookups already
/// made. Bounded; see [`crate::agent::AGENT_CACHE_CAPACITY`].
///
/// A clone carries the same answers: warm one cache on the agents a
/// stream is known to repeat, then give each thread a clone.
#[derive(Clone, Debug, Default)]
pub struct Cache {
    agents: AgentCache,
    lookups: LookupCache,
    /// The rules that fired for the event being judged, reused.
    fired: Vec<u32>,
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Cache {
        Cache::default()
    }

    pub(crate) fn agents_mut(&mut self) -> &mut AgentCache {
        &mut self.agents
    }
}

/// A rule of the engine, for listing.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo<'e> {
    /// The rule's id.
    pub id: &'e str,
    /// What it detects.
    pub description: &'e str,
    /// Its condition as written.
    pub when: &'e str,
    /// Its weight.
    pub weight: i32,
    /// The source it points to.
    pub source: Source,
}

impl Engine {
    /// A builder with the built-in rules and catalogues.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The engine with the built-in rules and catalogues only.
    ///
    /// # Errors
    ///
    /// Fails only if the bundled data is broken, which the test suite
    /// checks.
    pub fn with_defaults() -> Result<Engine, BuildError> {
        Engine::builder().build()
    }

    /// The verdict thresholds in force.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// The campaign heuristics' settings in force.
    pub fn campaign_settings(&self) -> &CampaignSettings {
        &self.campaign
    }

    /// The rules in force, in evaluation order.
    pub fn rules(&self) -> impl Iterator<Item = RuleInfo<'_>> {
        self.rules.iter().map(|r| RuleInfo {
            id: &r.id,
            description: &r.description,
            when: &r.when,
            weight: r.weight,
            source: r.source,
        })
    }

    /// The class of a user agent as the engine sees it (`browser` for an
    /// ordinary browser, else what the catalogue says or `empty`), through
    /// the cache.
    pub fn classify_agent(&self, agent: &str, cache: &mut Cache) -> crate::agent::AgentClass {
        self.agents.analyze(agent, &mut cache.agents).class()
    }

    /// Judges one event on its own evidence.
    pub fn assess(&self, click: &Click, cache: &mut Cache) -> Assessment {
        self.assess_with(click, None, cache)
    }

    /// Judges one event with the facts the campaign heuristics found.
    pub fn assess_with(
        &self,
        click: &Click,
        campaign: Option<&CampaignFacts>,
        cache: &mut Cache,
    ) -> Assessment {
        let mut fired = std::mem::take(&mut cache.fired);
        let evidence = self.evidence(click, campaign, cache);
        let summary = self.fire(&evidence, &mut fired);
        let reasons = self.explain(&fired, &evidence);
        cache.fired = fired;
        let Summary {
            score,
            verdict,
            source,
        } = summary;
        Assessment {
            score,
            verdict,
            source,
            reasons,
        }
    }

    /// Judges one event on its own evidence without writing out the
    /// reasons: the score, verdict and source of [`Engine::assess`], for
    /// callers that only filter.
    pub fn score(&self, click: &Click, cache: &mut Cache) -> Summary {
        let mut fired = std::mem::take(&mut cache.fired);
        let evidence = self.evidence(click, None, cache);
        let summary = self.fire(&evidence, &mut fired);
        cache.fired = fired;
        summary
    }

    /// Evaluates every rule, leaving the indexes of those that fired in
    /// `fired`, and combines their weights with [`combine`].
    fn fire(&self, evidence: &Evidence<'_>, fired: &mut Vec<u32>) -> Summary {
        fired.clear();
        let mut strongest: Option<&Rule> = None;
        let present = evidence.present();
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.needs & !present != 0 {
                continue;
            }
            if let Some(bit) = rule.agent_bit {
                if evidence.agent_fired >> bit & 1 == 0 {
                    continue;
                }
            }
            if !rule.cond.holds(evidence) {
                continue;
            }
            fired.push(index as u32);
            let stronger = strongest.is_none_or(|b| rule.weight > b.weight);
            if rule.weight > 0 && rule.source != Source::Unknown && stronger {
                strongest = Some(rule);
            }
        }
        let weights = fired.iter().filter_map(|&i| self.rules.get(i as usize));
        let score = combine(weights.map(|r| r.weight));
        let verdict = self.verdict(score);
        let source = match (verdict, strongest) {
            (Verdict::Human, _) => Source::Recipient,
            (_, Some(rule)) => rule.source,
            (_, None) => Source::Unknown,
        };
        Summary {
            score,
            verdict,
            source,
        }
    }

    /// The reasons for the rules that fired, strongest first.
    fn explain(&self, fired: &[u32], evidence: &Evidence<'_>) -> Vec<Reason> {
        let mut reasons = Vec::with_capacity(fired.len());
        for rule in fired.iter().filter_map(|&i| self.rules.get(i as usize)) {
            let mut detail = String::with_capacity(DETAIL_CAPACITY);
            for (name, field) in &rule.fields {
                evidence.describe(name, field, &mut detail);
            }
            reasons.push(Reason {
                rule: rule.id.clone(),
                weight: rule.weight,
                detail,
            });
        }
        // The sort is stable, so equal weights keep rule order.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.weight.abs()));
        reasons
    }

    fn evidence<'a>(
        &'a self,
        click: &'a Click,
        campaign: Option<&'a CampaignFacts>,
        cache: &'a mut Cache,
    ) -> Evidence<'a> {
        let network = click.ip.and_then(|ip| self.networks.lookup(ip));
        let facts: Option<&NetFacts> = match click.ip {
            Some(ip) if !self.databases.is_empty() => {
                Some(self.databases.lookup_cached(ip, &mut cache.lookups))
            }
            _ => None,
        };
        let text = click.user_agent.as_deref().unwrap_or("");
        let (agent, memo) = cache
            .agents
            .entry(text, || self.agents.analyze_uncached(text));
        if memo.engine != self.id {
            *memo = RuleMemo {
                engine: self.id,
                fired: self.agent_rules_fired(click, agent),
            };
        }
        let agent_fired = memo.fired;
        let agent = &*agent;
        let day = crate::agent::days_since_epoch(click.at.date_naive());
        Evidence {
            click,
            network,
            facts,
            pattern: agent.pattern.and_then(|p| self.agents.pattern(p)),
            standing: self.agents.standing(agent, day),
            agent: Some(agent),
            campaign,
            delay: click.delay_secs(),
            url_mutated: click
                .url
                .as_deref()
                .is_some_and(crate::evidence::url_mutated),
            agent_fired,
        }
    }

    /// Evaluates the agent-only rules for the click's agent, with nothing
    /// but the agent in evidence, which is all they read.
    fn agent_rules_fired(&self, click: &Click, agent: &crate::agent::AgentInfo) -> u64 {
        let evidence = Evidence {
            click,
            network: None,
            facts: None,
            pattern: agent.pattern.and_then(|p| self.agents.pattern(p)),
            standing: None,
            agent: Some(agent),
            campaign: None,
            delay: None,
            url_mutated: false,
            agent_fired: 0,
        };
        let mut fired = 0u64;
        for rule in &self.rules {
            if let (Some(bit), Some(cond)) = (rule.agent_bit, &rule.agent_cond) {
                if cond.holds(&evidence) {
                    fired |= 1 << bit;
                }
            }
        }
        fired
    }

    pub(crate) fn agents(&self) -> &AgentAnalyzer {
        &self.agents
    }

    fn verdict(&self, score: u8) -> Verdict {
        if score >= self.thresholds.machine {
            Verdict::Machine
        } else if score <= self.thresholds.human {
            Verdict::Human
        } else {
            Verdict::Uncertain
        }
    }
}

/// Room for a typical reason's evidence (a catalogue entry with its
/// origin runs to about 150 bytes), so that writing it rarely reallocates.
const DETAIL_CAPACITY: usize = 160;

/// The score, verdict and source of an event, without the reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// See [`Assessment::score`].
    pub score: u8,
    /// See [`Assessment::verdict`].
    pub verdict: Verdict,
    /// See [`Assessment::source`].
    pub source: Source,
}

/// Combines the weights of the rules that fired into a score.
///
/// Machine evidence combines as independent chances: weights 60 and 50
/// give 1 - 0.4 * 0.5 = 80. Evidence of the recipient (negative weights)
/// then scales the result down the same way: -50 halves it. So more
/// machine evidence never lowers the score, a weight of 100 alone gives
/// 100, and a weight of -100 (an allow list) gives 0 whatever else fired.
pub fn combine(weights: impl IntoIterator<Item = i32>) -> u8 {
    let mut machine_absent = 1.0f64;
    let mut human_keep = 1.0f64;
    for w in weights {
        let p = f64::from(w.clamp(-100, 100).abs()) / 100.0;
        if w > 0 {
            machine_absent *= 1.0 - p;
        } else {
            human_keep *= 1.0 - p;
        }
    }
    ((1.0 - machine_absent) * human_keep * 100.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::combine;

    #[test]
    fn weights_combine_as_documented() {
        assert_eq!(combine([]), 0);
        assert_eq!(combine([60, 50]), 80);
        assert_eq!(combine([100]), 100);
        assert_eq!(combine([90, -50]), 45);
        assert_eq!(combine([100, 95, -100]), 0);
    }

    #[test]
    fn agent_rules_are_remembered_per_engine_in_a_shared_cache() {
        use crate::{Cache, Click, Engine};
        let strict = Engine::builder()
            .rules(
                "strict.toml",
                r#"
                [[rule]]
                id = "local.curl"
                description = "curl"
                when = 'agent contains "curl"'
                weight = 100
                source = "automation"
                "#,
            )
            .build()
            .unwrap();
        let plain = Engine::with_defaults().unwrap();
        assert!(
            strict
                .rules
                .iter()
                .any(|r| r.id.as_ref() == "local.curl" && r.agent_bit.is_some())
        );
        let click = |agent: &str| {
            let line = format!(
                r#"{{"campaign":"c","recipient":"r","at":"2026-03-02T09:20:00Z","ip":"81.2.69.142","user_agent":"{agent}"}}"#
            );
            Click::from_json(&line, 1).unwrap()
        };
        let curl = click("curl/8.5.0");
        let browser = click(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36",
        );
        // One cache, both engines, alternating: each must see its own rules.
        let mut shared = Cache::new();
        for _ in 0..2 {
            for c in [&curl, &browser] {
                let a = strict.assess(c, &mut shared);
                let b = plain.assess(c, &mut shared);
                assert_eq!(a, strict.assess(c, &mut Cache::new()));
                assert_eq!(b, plain.assess(c, &mut Cache::new()));
            }
        }
        let fired = strict.assess(&curl, &mut shared);
        assert!(fired.reasons.iter().any(|r| &*r.rule == "local.curl"));
        let quiet = strict.assess(&browser, &mut shared);
        assert!(quiet.reasons.iter().all(|r| &*r.rule != "local.curl"));
    }

    #[test]
    fn the_agent_tests_of_a_mixed_rule_are_decided_per_agent() {
        use crate::{Cache, Click, Engine};
        let engine = Engine::builder()
            .default_rules(false)
            .rules(
                "mixed.toml",
                r#"
                [[rule]]
                id = "local.fast-curl"
                description = "curl soon after delivery"
                when = 'delay < 5 and agent contains "curl" and method == "GET"'
                weight = 90
                source = "automation"
                "#,
            )
            .build()
            .unwrap();
        let rule = &engine.rules[0];
        assert!(rule.agent_bit.is_some() && rule.agent_cond.is_some());
        assert!(matches!(&rule.cond, super::Cond::All(rest) if rest.len() == 2));
        let click = |agent: &str, delay: u32| {
            let line = format!(
                r#"{{"campaign":"c","recipient":"r","at":"2026-03-02T09:20:{delay:02}Z","delivered_at":"2026-03-02T09:20:00Z","ip":"81.2.69.142","user_agent":"{agent}"}}"#
            );
            Click::from_json(&line, 1).unwrap()
        };
        let mut cache = Cache::new();
        let fires = |c: &Click, cache: &mut Cache| {
            let a = engine.assess(c, cache);
            assert_eq!(a, engine.assess(c, &mut Cache::new()));
            a.reasons.iter().any(|r| &*r.rule == "local.fast-curl")
        };
        assert!(fires(&click("curl/8.5.0", 2), &mut cache));
        assert!(!fires(&click("curl/8.5.0", 30), &mut cache));
        assert!(!fires(&click("Wget/1.21", 2), &mut cache));
        assert!(fires(&click("curl/8.5.0", 3), &mut cache));
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::Engine>();
    }
}
