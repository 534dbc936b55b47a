//! Classifies the comparison corpus with clicksift's agent analysis and
//! prints accuracy and single-thread throughput as one JSON object.
//!
//! A user agent counts as a bot when its class is anything but `browser`:
//! a crawler, library, headless browser, scanner, link preview, Office
//! probe, image proxy, or an empty agent. This is the decision the rules
//! build on (`agent.class`).
//!
//! Usage: clicksift-compare CORPUS.json [SECONDS]

use std::time::{Duration, Instant};

use clicksift::agent::{
    AgentAnalyzer, AgentCache, AgentClass, ReleaseCalendar, parse_agent_catalog,
};
use clicksift::engine::{DEFAULT_AGENTS, DEFAULT_BROWSERS};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    bots: Vec<String>,
    browsers: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: clicksift-compare CORPUS.json [SECONDS]")?;
    let seconds: f64 = args.next().map_or(Ok(2.0), |s| s.parse())?;
    let corpus: Corpus = serde_json::from_str(&std::fs::read_to_string(path)?)?;

    let started = Instant::now();
    let analyzer = build_analyzer()?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;

    // The decision is the catalogue's class; the parse of browser versions
    // that the engine also makes is not part of it.
    let bot = |ua: &str| analyzer.classify(ua) != AgentClass::Browser;
    let missed: Vec<&String> = corpus.bots.iter().filter(|ua| !bot(ua)).collect();
    let flagged: Vec<&String> = corpus.browsers.iter().filter(|ua| bot(ua)).collect();

    let all: Vec<&str> = corpus
        .bots
        .iter()
        .chain(&corpus.browsers)
        .map(String::as_str)
        .collect();
    let budget = Duration::from_secs_f64(seconds);
    let cold = rate(&all, budget, |ua| bot(ua));
    let bots: Vec<&str> = corpus.bots.iter().map(String::as_str).collect();
    let people: Vec<&str> = corpus.browsers.iter().map(String::as_str).collect();
    let cold_bots = rate(&bots, budget / 2, |ua| bot(ua));
    let cold_browsers = rate(&people, budget / 2, |ua| bot(ua));

    // The engine's own mode: a per-thread cache keyed by the agent text,
    // large enough here to hold the whole corpus after the warm-up pass.
    let mut cache = AgentCache::with_capacity(all.len() * 2);
    let warm = rate(&all, budget, |ua| {
        analyzer.analyze(ua, &mut cache).class() != AgentClass::Browser
    });

    let report = serde_json::json!({
        "name": "clicksift",
        "load_ms": load_ms,
        "bots_total": corpus.bots.len(),
        "bots_flagged": corpus.bots.len() - missed.len(),
        "browsers_total": corpus.browsers.len(),
        "browsers_flagged": flagged.len(),
        "missed_bots": missed,
        "flagged_browsers": flagged,
        "warm_per_s": warm,
        "cold_per_s": cold,
        "cold_bots_per_s": cold_bots,
        "cold_browsers_per_s": cold_browsers,
    });
    println!("{report}");
    Ok(())
}

fn build_analyzer() -> Result<AgentAnalyzer, String> {
    let patterns = parse_agent_catalog(DEFAULT_AGENTS).map_err(|e| e.join("; "))?;
    let calendar = ReleaseCalendar::parse(DEFAULT_BROWSERS).map_err(|e| e.join("; "))?;
    AgentAnalyzer::new(patterns, calendar)
}

/// Agents classified per second: one warm-up pass, then whole passes over
/// the corpus until `budget` has passed.
fn rate(all: &[&str], budget: Duration, mut classify: impl FnMut(&str) -> bool) -> f64 {
    let mut bots = 0usize;
    for ua in all {
        bots += usize::from(classify(ua));
    }
    let started = Instant::now();
    let mut done = 0usize;
    while started.elapsed() < budget {
        for ua in all {
            bots += usize::from(classify(std::hint::black_box(ua)));
        }
        done += all.len();
    }
    std::hint::black_box(bots);
    done as f64 / started.elapsed().as_secs_f64()
}
