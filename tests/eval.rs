//! Measures the engine on labelled, simulated campaign logs.
//!
//! `fixtures/eval/` holds two logs written by `tools/simulate/simulate.py`
//! from the published facts about machine clicks: `dev.jsonl.gz` for tuning
//! rules and `heldout.jsonl.gz` for measuring them. Every record carries
//! `truth` (who really made the request) and `case` (the situation that
//! produced it); the engine ignores both.
//!
//! Run `cargo test --test eval -- --nocapture` to see the figures, and
//! `cargo test --test eval -- --ignored --nocapture` for the dev log.
//!
//! Three ways of judging are measured, each against the targets it must
//! meet: each event on its own evidence; each event on its own evidence
//! with an ASN database built from public routing data; and the whole log
//! with the campaign heuristics.
//!
//! # Limitations
//!
//! The simulated logs are only as realistic as the facts they are built
//! on; no public labelled set of real clicks exists to check them against.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use clicksift::campaign::assess_log;
use clicksift::mmdb::Databases;
use clicksift::{Assessment, Cache, Click, Engine, EventKind, Source, Verdict};
use flate2::read::GzDecoder;

/// How a log is judged, and what it must achieve that way.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Each event on its own evidence, built-in catalogues only.
    PerClick,
    /// Each event on its own evidence, with an ASN database.
    PerClickAsn,
    /// The whole log, with the campaign heuristics.
    Campaign,
}

/// The figures a mode must reach.
struct Targets {
    /// Least share of machine clicks that must get the verdict machine.
    machine_recall: f64,
    /// Greatest share of the recipients' own clicks that may get verdict
    /// machine (or, where `investigator_recall` is set, source
    /// investigator).
    recipient_false: f64,
    /// Least share of investigators' clicks attributed to them.
    investigator_recall: Option<f64>,
    /// Greatest share of all clicks judged uncertain.
    uncertain: Option<f64>,
}

impl Mode {
    fn targets(self) -> Targets {
        match self {
            Mode::PerClick => Targets {
                machine_recall: 0.85,
                recipient_false: 0.03,
                investigator_recall: None,
                uncertain: None,
            },
            // On these logs the ASN database says nothing the built-in
            // catalogue does not: the catalogue holds every prefix of the
            // same autonomous systems from the same routing data, and the
            // simulator draws the addresses of the machines it places outside
            // the catalogue from the same ISP space as the recipients' homes
            // and offices. So this mode measures the same as the one above;
            // the test below checks that the database never makes it worse.
            Mode::PerClickAsn => Targets {
                machine_recall: 0.92,
                recipient_false: 0.02,
                investigator_recall: None,
                uncertain: None,
            },
            Mode::Campaign => Targets {
                machine_recall: 0.97,
                recipient_false: 0.01,
                investigator_recall: Some(0.90),
                uncertain: Some(0.05),
            },
        }
    }
}
/// Cases shown in the breakdown of misses.
const CASES_SHOWN: usize = 20;

/// One event of a labelled log.
struct Labelled {
    click: Click,
    truth: Source,
    case: String,
}

/// An event with its truth and the engine's judgement.
struct Scored {
    kind: EventKind,
    truth: Source,
    case: String,
    assessment: Assessment,
}

/// Counts for one group of events.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    count: usize,
    machine: usize,
    human: usize,
    uncertain: usize,
    right_source: usize,
}

impl Tally {
    fn add(&mut self, row: &Scored) {
        self.count += 1;
        match row.assessment.verdict {
            Verdict::Machine => self.machine += 1,
            Verdict::Human => self.human += 1,
            Verdict::Uncertain => self.uncertain += 1,
        }
        if row.assessment.source == row.truth {
            self.right_source += 1;
        }
    }

    fn share(&self, n: usize) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        n as f64 / self.count as f64
    }

    fn machine_share(&self) -> f64 {
        self.share(self.machine)
    }
}

/// The figures of one log.
#[derive(Debug, Default)]
struct Metrics {
    /// Per event kind and truth.
    by_truth: BTreeMap<(EventKind, Source), Tally>,
    /// Clicks by anything other than the recipient or an investigator.
    machine_clicks: Tally,
    /// The recipients' own clicks.
    recipient_clicks: Tally,
    /// The recipients' own clicks attributed to an investigator.
    recipient_as_investigator: usize,
    /// Investigators' clicks.
    investigator_clicks: Tally,
    /// Every click.
    all_clicks: Tally,
}

fn is_machine(truth: Source) -> bool {
    !matches!(truth, Source::Recipient | Source::Investigator)
}

/// Tallies judged events per truth, and the two groups the targets are
/// about.
fn measure(rows: &[Scored]) -> Metrics {
    let mut m = Metrics::default();
    for row in rows {
        m.by_truth
            .entry((row.kind, row.truth))
            .or_default()
            .add(row);
        if row.kind != EventKind::Click {
            continue;
        }
        m.all_clicks.add(row);
        if is_machine(row.truth) {
            m.machine_clicks.add(row);
        } else if row.truth == Source::Recipient {
            m.recipient_clicks.add(row);
            if row.assessment.source == Source::Investigator {
                m.recipient_as_investigator += 1;
            }
        } else {
            m.investigator_clicks.add(row);
        }
    }
    m
}

fn pct(x: f64) -> String {
    format!("{:5.1}", x * 100.0)
}

fn table_row(out: &mut String, kind: &str, label: &str, t: &Tally) {
    let _ = writeln!(
        out,
        "{kind:6} {label:16} {:6} {} {} {} {}",
        t.count,
        pct(t.share(t.machine)),
        pct(t.share(t.human)),
        pct(t.share(t.uncertain)),
        pct(t.share(t.right_source)),
    );
}

/// The figures as a compact table.
fn table(name: &str, m: &Metrics) -> String {
    let mut out = format!("{name}\nkind   truth             count  %mach %human %uncer %src\n");
    for ((kind, truth), t) in &m.by_truth {
        table_row(&mut out, kind.as_str(), truth.as_str(), t);
    }
    table_row(&mut out, "click", "ALL machine", &m.machine_clicks);
    table_row(&mut out, "click", "ALL recipient", &m.recipient_clicks);
    table_row(&mut out, "click", "ALL", &m.all_clicks);
    out
}

/// Whether the engine got an event wrong with respect to the targets: a
/// machine's click not judged machine, or the recipient's judged machine.
fn missed(row: &Scored) -> bool {
    let machine = row.assessment.verdict == Verdict::Machine;
    match row.truth {
        Source::Investigator => false,
        Source::Recipient => machine,
        _ => !machine,
    }
}

/// The clicks' cases with misses, each with the rules that fired
/// on its first miss, for tuning the rules.
fn misses(rows: &[Scored]) -> String {
    let mut by_case: BTreeMap<(Source, &str), (Tally, usize, Option<&Scored>)> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.kind == EventKind::Click) {
        let entry = by_case.entry((row.truth, row.case.as_str())).or_default();
        entry.0.add(row);
        if missed(row) {
            entry.1 += 1;
            entry.2.get_or_insert(row);
        }
    }
    let mut worst: Vec<_> = by_case
        .iter()
        .filter_map(|(key, (tally, n, example))| example.map(|e| (key, tally, *n, e)))
        .collect();
    // The recipients' clicks judged machine first (they are few and weigh
    // most), then the machines' clicks missed, most misses first.
    worst.sort_by_key(|((truth, _), _, n, _)| (*truth != Source::Recipient, std::cmp::Reverse(*n)));
    let mut out = String::from("clicks missed, by case: count, missed, %machine, first miss\n");
    for ((truth, case), t, n, e) in worst.into_iter().take(CASES_SHOWN) {
        let rules: Vec<String> = e
            .assessment
            .reasons
            .iter()
            .map(|r| format!("{}({})", r.rule, r.weight))
            .collect();
        let _ = writeln!(
            out,
            "  {:12} {case:56} {:5} {n:5} {} score {:3} [{}]",
            truth.as_str(),
            t.count,
            pct(t.machine_share()),
            e.assessment.score,
            rules.join(" ")
        );
    }
    out
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/eval")
        .join(name)
}

/// Reads a gzipped labelled log; panics naming the line of a bad record,
/// since the fixtures are generated and must be valid throughout.
fn load(name: &str) -> Vec<Labelled> {
    let path = fixture(name);
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        let n = i as u64 + 1;
        let line = line.unwrap_or_else(|e| panic!("{name}:{n}: {e}"));
        let click = Click::from_json(&line, n).unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw: serde_json::Value = serde_json::from_str(&line).expect("parsed above");
        let label = |field: &str| raw[field].as_str().unwrap_or_default().to_string();
        let truth = label("truth")
            .parse()
            .unwrap_or_else(|e| panic!("{name}:{n}: truth: {e}"));
        let case = label("case");
        assert!(!case.is_empty(), "{name}:{n}: no case");
        out.push(Labelled { click, truth, case });
    }
    out
}

/// Judges every click and open, on its own or with the whole log;
/// reports are left out of the results.
fn score(engine: &Engine, events: Vec<Labelled>, mode: Mode) -> Vec<Scored> {
    let mut cache = Cache::new();
    let assessments: Vec<Assessment> = match mode {
        Mode::Campaign => {
            let clicks: Vec<Click> = events.iter().map(|e| e.click.clone()).collect();
            assess_log(engine, &clicks, &mut cache)
        }
        Mode::PerClick | Mode::PerClickAsn => events
            .iter()
            .map(|e| engine.assess(&e.click, &mut cache))
            .collect(),
    };
    events
        .into_iter()
        .zip(assessments)
        .filter(|(e, _)| e.click.kind != EventKind::Report)
        .map(|(e, assessment)| Scored {
            kind: e.click.kind,
            assessment,
            truth: e.truth,
            case: e.case,
        })
        .collect()
}

/// The engine of a mode: built-in rules, with the ASN database built from
/// public routing data where the mode asks for it.
fn engine(mode: Mode) -> Engine {
    let mut builder = Engine::builder();
    if let Mode::PerClickAsn = mode {
        let mut databases = Databases::new();
        databases
            .open(fixture("asn-routing.mmdb"))
            .expect("ASN database of the eval logs");
        builder = builder.databases(databases);
    }
    builder.build().expect("built-in engine")
}

/// Scores a log, prints its figures and checks the mode's targets.
fn check_targets(name: &str, mode: Mode) {
    let rows = score(&engine(mode), load(name), mode);
    let m = measure(&rows);
    eprintln!(
        "{} ({mode:?})\n{}\n{}",
        name,
        table(name, &m),
        misses(&rows)
    );
    let t = mode.targets();
    let recall = m.machine_clicks.machine_share();
    let mut false_recipient = m.recipient_clicks.machine;
    if t.investigator_recall.is_some() {
        false_recipient += m.recipient_as_investigator;
    }
    let false_share = m.recipient_clicks.share(false_recipient);
    let mut failures = Vec::new();
    if recall < t.machine_recall {
        failures.push(format!(
            "machine clicks judged machine {}% < {}%",
            pct(recall),
            pct(t.machine_recall)
        ));
    }
    if false_share > t.recipient_false {
        failures.push(format!(
            "recipients' clicks misjudged {}% > {}%",
            pct(false_share),
            pct(t.recipient_false)
        ));
    }
    if let Some(target) = t.investigator_recall {
        let got = m
            .investigator_clicks
            .share(m.investigator_clicks.right_source);
        if got < target {
            failures.push(format!(
                "investigators found {}% < {}%",
                pct(got),
                pct(target)
            ));
        }
    }
    if let Some(limit) = t.uncertain {
        let got = m.all_clicks.share(m.all_clicks.uncertain);
        if got > limit {
            failures.push(format!("uncertain clicks {}% > {}%", pct(got), pct(limit)));
        }
    }
    assert!(
        failures.is_empty(),
        "{name} ({mode:?}): {}",
        failures.join("; ")
    );
}

#[test]
fn heldout_per_click_meets_targets() {
    check_targets("heldout.jsonl.gz", Mode::PerClick);
}

#[test]
fn heldout_per_click_with_asn_database_meets_targets() {
    check_targets("heldout.jsonl.gz", Mode::PerClickAsn);
}

#[test]
fn asn_database_never_judges_worse_than_the_catalogue_alone() {
    let events = load("heldout.jsonl.gz");
    let plain = measure(&score(
        &engine(Mode::PerClick),
        load("heldout.jsonl.gz"),
        Mode::PerClick,
    ));
    let asn = measure(&score(
        &engine(Mode::PerClickAsn),
        events,
        Mode::PerClickAsn,
    ));
    assert!(asn.machine_clicks.machine >= plain.machine_clicks.machine);
    assert!(asn.recipient_clicks.machine <= plain.recipient_clicks.machine);
}

#[test]
fn heldout_with_campaign_heuristics_meets_targets() {
    check_targets("heldout.jsonl.gz", Mode::Campaign);
}

// The dev log is for tuning the rules: run it on demand with
// `cargo test --test eval -- --ignored --nocapture`.

#[test]
#[ignore = "for tuning"]
fn dev_per_click() {
    check_targets("dev.jsonl.gz", Mode::PerClick);
}

#[test]
#[ignore = "for tuning"]
fn dev_per_click_with_asn_database() {
    check_targets("dev.jsonl.gz", Mode::PerClickAsn);
}

#[test]
#[ignore = "for tuning"]
fn dev_with_campaign_heuristics() {
    check_targets("dev.jsonl.gz", Mode::Campaign);
}

#[test]
fn fixtures_cover_every_source_and_hard_case() {
    for name in ["dev.jsonl.gz", "heldout.jsonl.gz"] {
        let events = load(name);
        let seen = |pred: &dyn Fn(&Labelled) -> bool| events.iter().any(pred);
        for source in Source::ALL.into_iter().filter(|s| *s != Source::Unknown) {
            let clicked = |e: &Labelled| e.truth == source && e.click.kind == EventKind::Click;
            assert!(seen(&clicked), "{name}: no click by {source}");
        }
        let must = [
            "microsoft-eop/",
            "microsoft-detonation/",
            "microsoft-cloud/",
            "microsoft-unlisted/",
            "/held",
            "/mutated",
            "gateway-ie8",
            "gateway-ancient-chrome",
            "gateway-current-browser",
            "barracuda-published",
            "office-head",
            "office-options",
            "-after-office",
            "fast-reader",
            "-double",
            "zscaler",
            "vdi",
            "open-gmail",
            "open-yahoo",
            "investigator-click",
            "soar-",
            "/forwarded",
            "-stuck-",
            "-isolation-",
        ];
        for part in must {
            assert!(seen(&|e| e.case.contains(part)), "{name}: no case {part}");
        }
        let honeypot = |e: &Labelled| e.click.honeypot && is_machine(e.truth);
        assert!(seen(&honeypot), "{name}: no honeypot hit");
    }
}
