//! The fuzz targets' bodies, one public function per untrusted entry point
//! of clicksift, with the invariants each checks. The targets in
//! `fuzz_targets/` only hand libFuzzer's input to these functions, and the
//! root crate's tests include this file (`#[path]`) to replay saved crashes
//! and to run the same checks under proptest: one body, three runners.
//!
//! Every function panics when an invariant breaks, and on nothing else.
//!
//! The structured click draws most of its values from small pools of real
//! values (published gateway ranges, real agents, the header names rules
//! test), so that the fuzzer reaches the rules rather than spending its
//! time on strings no rule looks at; every pool also has an "anything"
//! branch so the rest of the input space stays reachable.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use chrono::Duration;
use chrono::{DateTime, TimeZone, Utc};
use clicksift::campaign::assess_log;
use clicksift::campaign::{Judged, Stream};
use clicksift::click::{MAX_FIELD_LEN, MAX_HEADERS};
use clicksift::input::{self, CombinedOptions, CsvMapping, Format, SNIFF_LEN, Skipped};
use clicksift::{
    Assessment, BuildError, Cache, Click, DatabaseKind, Databases, Engine, EventKind, LookupCache,
    RecordError, Source, Verdict,
};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};

/// Longest free text the structured targets generate for one field.
pub const MAX_TEXT: usize = 96;

/// Longest free user agent the structured targets generate.
pub const MAX_AGENT: usize = 600;

/// Most events in one generated campaign log.
pub const MAX_EVENTS: usize = 48;

/// Most headers on one generated click.
pub const MAX_GENERATED_HEADERS: usize = 6;

/// The engine with the built-in rules and catalogues, built once.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_defaults().expect("the built-in engine builds"))
}

/// Checks what every assessment promises: a score of at most 100, the
/// verdict the thresholds give, and reasons strongest first.
pub fn check_assessment(engine: &Engine, a: &Assessment) {
    assert!(a.score <= 100, "score {} above 100", a.score);
    let t = engine.thresholds();
    let expected = if a.score >= t.machine {
        Verdict::Machine
    } else if a.score <= t.human {
        Verdict::Human
    } else {
        Verdict::Uncertain
    };
    assert_eq!(a.verdict, expected, "verdict against score {}", a.score);
    let strengths: Vec<u32> = a.reasons.iter().map(|r| r.weight.unsigned_abs()).collect();
    assert!(
        strengths.windows(2).all(|w| w[0] >= w[1]),
        "reasons not strongest first: {strengths:?}"
    );
}

/// A cache holding the built-in engine's answers for every agent of
/// [`AGENTS`], each checked against a fresh cache once. Under coverage
/// instrumentation a new agent costs about a hundred times what it costs
/// in a release build, so the structured targets start each input from a
/// clone of this one: the pool agents are parsed once per process, and
/// only the agents an input makes up go through the parser.
pub fn warm_cache() -> Cache {
    static WARM: OnceLock<Cache> = OnceLock::new();
    let warm = WARM.get_or_init(|| {
        let engine = engine();
        let mut cache = Cache::new();
        for agent in AGENTS {
            let click = Click {
                campaign: "c1".into(),
                recipient: "ann@example.com".into(),
                at: campaign_start(),
                ip: "86.12.44.9".parse().ok(),
                user_agent: Some((*agent).to_string()),
                method: "GET".into(),
                ..Click::default()
            };
            let fresh = engine.assess(&click, &mut Cache::new());
            engine.assess(&click, &mut cache);
            let cached = engine.assess(&click, &mut cache);
            assert_eq!(
                fresh, cached,
                "the cache changed the judgement of {agent:?}"
            );
        }
        cache
    });
    warm.clone()
}

/// Assesses a click twice, through a cache that knows only the pool agents
/// ([`warm_cache`]) and through `warm`, checks the invariants and that the
/// cache changes nothing.
pub fn assess_checked(engine: &Engine, click: &Click, warm: &mut Cache) -> Assessment {
    let cold = engine.assess(click, &mut warm_cache());
    check_assessment(engine, &cold);
    let again = engine.assess(click, warm);
    assert_eq!(cold, again, "a cached assessment differs from a fresh one");
    cold
}

/// Runs the campaign heuristics over `clicks` and checks one assessment per
/// click, each within the invariants, whatever the input order. `cache` may
/// be warm: the assessments must not depend on it.
pub fn check_log(engine: &Engine, clicks: &[Click], cache: &mut Cache) -> Vec<Assessment> {
    let forward = assess_log(engine, clicks, cache);
    assert_eq!(forward.len(), clicks.len(), "one assessment per event");
    for a in &forward {
        check_assessment(engine, a);
    }

    // Equal events may trade judgements, so compare the pairs as a
    // multiset: each forward pair takes one equal backward pair.
    let reversed: Vec<Click> = clicks.iter().rev().cloned().collect();
    let backward = assess_log(engine, &reversed, cache);
    assert_eq!(backward.len(), clicks.len(), "one assessment per event");
    let mut unmatched: Vec<(&Click, &Assessment)> = reversed.iter().zip(&backward).collect();
    for pair in clicks.iter().zip(&forward) {
        let Some(at) = unmatched.iter().position(|other| *other == pair) else {
            panic!("judgements depend on the input order: {pair:?} has no equal when reversed");
        };
        unmatched.swap_remove(at);
    }
    forward
}

/// The moment the pools' campaigns were sent: 2026-03-02 09:00:00 UTC.
pub fn campaign_start() -> DateTime<Utc> {
    Utc.timestamp_opt(1_772_442_000, 0)
        .single()
        .unwrap_or_default()
}

/// Earliest and latest instants RFC 3339 can write (years 0000 to 9999),
/// in milliseconds since 1970: the range input formats can produce.
const EARLIEST_MS: i64 = -62_167_219_200_000;
const LATEST_MS: i64 = 253_402_300_799_999;

/// An instant: usually near the campaign start, sometimes anywhere RFC 3339
/// reaches.
pub fn moment(u: &mut Unstructured<'_>, near: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let ms = if u.ratio(1, 8)? {
        u.int_in_range(EARLIEST_MS..=LATEST_MS)?
    } else {
        near.timestamp_millis() + i64::from(u.int_in_range(-600_000..=7_200_000)?)
    };
    Ok(DateTime::from_timestamp_millis(ms).unwrap_or(near))
}

/// Text from `pool`, or free text of at most `max` bytes.
pub fn text(u: &mut Unstructured<'_>, pool: &[&str], max: usize) -> Result<String> {
    if !pool.is_empty() && u.ratio(3, 4)? {
        return Ok((*u.choose(pool)?).to_string());
    }
    let s = <&str>::arbitrary(u)?;
    Ok(clip(s, max).to_string())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a
/// character boundary.
pub fn clip(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Real agents: browsers current and old, Office, libraries, previews,
/// crawlers, and the empty and dash values logs write.
pub const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:136.0) Gecko/20100101 Firefox/136.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36 Edg/145.0.0.0",
    "Microsoft Office Existence Discovery",
    "Microsoft Office Protocol Discovery",
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
    "",
    "-",
];

/// A user agent: a real one, a real one with free text around it, or
/// free text.
pub fn agent_text(u: &mut Unstructured<'_>) -> Result<String> {
    match u.int_in_range(0..=3u8)? {
        0 | 1 => Ok((*u.choose(AGENTS)?).to_string()),
        2 => {
            let base = *u.choose(AGENTS)?;
            let extra = clip(<&str>::arbitrary(u)?, 64);
            let at = u.int_in_range(0..=base.len())?;
            let at = clip(base, at).len();
            Ok(format!("{}{extra}{}", &base[..at], &base[at..]))
        }
        _ => Ok(clip(<&str>::arbitrary(u)?, MAX_AGENT).to_string()),
    }
}

/// Addresses from the built-in catalogue's ranges, consumer and private
/// networks, and both loopbacks.
pub const ADDRESSES: &[&str] = &[
    "40.92.17.33",
    "40.94.29.84",
    "40.107.208.45",
    "52.100.0.1",
    "86.12.44.9",
    "198.51.100.23",
    "203.0.113.9",
    "10.0.0.1",
    "127.0.0.1",
    "::1",
    "2001:db8::1",
    "2a01:111:f400::1",
    "::ffff:40.92.17.33",
];

/// An address from the pool or any address.
pub fn address(u: &mut Unstructured<'_>) -> Result<IpAddr> {
    match u.int_in_range(0..=3u8)? {
        0 => Ok(IpAddr::V4(Ipv4Addr::from(u32::arbitrary(u)?))),
        1 => Ok(IpAddr::V6(Ipv6Addr::from(u128::arbitrary(u)?))),
        _ => Ok(u
            .choose(ADDRESSES)?
            .parse()
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))),
    }
}

const METHODS: &[&str] = &["GET", "HEAD", "OPTIONS", "POST", "PROPFIND", "get", ""];
const HEADER_NAMES: &[&str] = &[
    "referer",
    "purpose",
    "sec-purpose",
    "x-moz",
    "accept",
    "accept-language",
    "sec-fetch-mode",
    "sec-ch-ua",
    "x-forwarded-for",
];
const HEADER_VALUES: &[&str] = &[
    "prefetch",
    "prefetch;prerender",
    "https://nam12.safelinks.protection.outlook.com/?url=x",
    "https://urldefense.com/v3/__x",
    "navigate",
    "text/html,application/xhtml+xml",
    "en-GB,en;q=0.9",
    "",
];
const URLS: &[&str] = &[
    "/?rid=Xk3mP9q",
    "/?rid=Xk3mP9q'",
    "/track?rid=a%27",
    "/",
    "?",
];
const NAMES: &[&str] = &[
    "mail-a.pphosted.com",
    "x.ess.barracudanetworks.com",
    "google-proxy-66-249-93-1.google.com",
    "ec2-1-2-3-4.compute-1.amazonaws.com",
    "host.example.net",
    "",
];

/// Fields of a [`Click`] that `arbitrary` fills, with lengths capped.
#[derive(Debug)]
pub struct ArbitraryClick(pub Click);

impl<'a> Arbitrary<'a> for ArbitraryClick {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let at = moment(u, campaign_start())?;
        let kind = *u.choose(&[EventKind::Click, EventKind::Open, EventKind::Report])?;
        let mut headers = BTreeMap::new();
        for _ in 0..u.int_in_range(0..=MAX_GENERATED_HEADERS)? {
            headers.insert(
                text(u, HEADER_NAMES, 24)?.to_ascii_lowercase(),
                text(u, HEADER_VALUES, MAX_TEXT)?,
            );
        }
        let click = Click {
            id: optional(u, |u| text(u, &["id-1"], MAX_TEXT))?,
            kind,
            campaign: text(u, &["c1", "c2"], MAX_TEXT)?,
            recipient: text(u, &["ann@example.com", "bob@example.com"], MAX_TEXT)?,
            link: optional(u, |u| text(u, &["main", "unsubscribe", "submit"], MAX_TEXT))?,
            honeypot: bool::arbitrary(u)?,
            at,
            sent_at: optional(u, |u| moment(u, at))?,
            delivered_at: optional(u, |u| moment(u, at))?,
            ip: optional(u, address)?,
            user_agent: optional(u, agent_text)?,
            method: text(u, METHODS, 16)?,
            url: optional(u, |u| text(u, URLS, MAX_TEXT))?,
            headers,
            reverse_dns: optional(u, |u| text(u, NAMES, MAX_TEXT))?,
        };
        Ok(ArbitraryClick(click))
    }
}

fn optional<'a, T>(
    u: &mut Unstructured<'a>,
    f: impl FnOnce(&mut Unstructured<'a>) -> Result<T>,
) -> Result<Option<T>> {
    if bool::arbitrary(u)? {
        Ok(Some(f(u)?))
    } else {
        Ok(None)
    }
}

// ---------------------------------------------------------------------
// rules: rule files, constants (`--set`) and network catalogues.

/// Builds an engine from one rule file: it either reports diagnostics that
/// point into the text or judges a short campaign within the invariants.
///
/// Three comment lines steer the build: a first line `#defaults` keeps the
/// built-in rules under the file, `#set NAME=VALUE` sets a constant, and
/// the text after a line `#networks` is a network catalogue instead.
pub fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rules, networks) = match text.split_once("\n#networks\n") {
        Some((r, n)) => (r, Some(n)),
        None => (text, None),
    };
    let mut builder = Engine::builder()
        .default_rules(rules.starts_with("#defaults"))
        .rules("fuzz.toml", rules);
    for line in rules.lines() {
        if let Some((name, value)) = line.strip_prefix("#set ").and_then(|s| s.split_once('=')) {
            builder = builder.constant(name, value);
        }
    }
    if let Some(n) = networks {
        builder = builder.networks("fuzz.csv", n);
    }
    match builder.build() {
        Ok(engine) => judge_samples(&engine),
        Err(e) => check_diagnostics(&e, rules),
    }
}

/// Every diagnostic in the fuzzed file points at a line of it.
fn check_diagnostics(e: &BuildError, rules: &str) {
    let lines = rules.lines().count().max(1);
    for d in e.diagnostics() {
        assert!(!d.message().is_empty(), "a diagnostic without a message");
        if d.file() == "fuzz.toml" {
            assert!(
                d.line() <= lines + 1,
                "line {} past the end ({lines})",
                d.line()
            );
            assert_eq!(d.line() == 0, d.column() == 0, "{d}");
        }
    }
}

/// A short campaign over the pools' agents and addresses.
fn judge_samples(engine: &Engine) {
    let start = campaign_start();
    let clicks: Vec<Click> = AGENTS
        .iter()
        .zip(ADDRESSES.iter().cycle())
        .enumerate()
        .map(|(i, (agent, ip))| Click {
            campaign: "c1".into(),
            recipient: format!("r{}", i % 5),
            link: Some("main".into()),
            at: start + Duration::seconds(i as i64 * 3),
            sent_at: Some(start),
            delivered_at: Some(start),
            ip: ip.parse().ok(),
            user_agent: Some((*agent).to_string()),
            method: "GET".into(),
            ..Click::default()
        })
        .collect();
    let mut cache = Cache::new();
    for c in &clicks {
        assess_checked(engine, c, &mut cache);
    }
    check_log(engine, &clicks, &mut cache);
}

// ---------------------------------------------------------------------
// click_json: one JSON Lines record.

const JSON_LINE: u64 = 7;

/// Parses one record: within the documented limits, or refused with an
/// error naming the line; a parsed record is judged within the invariants.
pub fn click_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Click::from_json(text, JSON_LINE) {
        Ok(click) => {
            check_limits(&click);
            check_against_serde_json(text, &click);
            assess_checked(engine(), &click, &mut Cache::new());
        }
        Err(e) => check_record_error(&e, JSON_LINE),
    }
}

/// A record that was read is JSON, and the fields kept as they are hold
/// what serde_json reads in it: plain records are read without
/// serde_json, and this holds that reader to it.
fn check_against_serde_json(text: &str, click: &Click) {
    let value: serde_json::Value = serde_json::from_str(text).expect("a record read is JSON");
    let object = value.as_object().expect("a record read is an object");
    let text_of = |name: &str| object.get(name).and_then(serde_json::Value::as_str);
    assert_eq!(Some(click.campaign.as_str()), text_of("campaign"));
    assert_eq!(Some(click.recipient.as_str()), text_of("recipient"));
    for (name, kept) in [
        ("link", &click.link),
        ("user_agent", &click.user_agent),
        ("url", &click.url),
    ] {
        assert_eq!(kept.as_deref(), text_of(name), "{name}");
    }
    let honeypot = object.get("honeypot").and_then(serde_json::Value::as_bool);
    assert_eq!(click.honeypot, honeypot.unwrap_or(false));
}

fn check_limits(click: &Click) {
    assert!(click.headers.len() <= MAX_HEADERS);
    let texts = [
        Some(&click.campaign),
        Some(&click.recipient),
        click.id.as_ref(),
        click.link.as_ref(),
        click.user_agent.as_ref(),
        click.url.as_ref(),
        click.reverse_dns.as_ref(),
    ];
    for t in texts.into_iter().flatten() {
        assert!(t.len() <= MAX_FIELD_LEN, "a field of {} bytes", t.len());
    }
    for (name, value) in &click.headers {
        assert_eq!(
            name,
            &name.to_ascii_lowercase(),
            "header name not lower case"
        );
        assert!(value.len() <= MAX_FIELD_LEN);
    }
}

fn check_record_error(e: &RecordError, line: u64) {
    assert_eq!(e.line(), line, "error names another line");
    assert!(!e.message().is_empty());
    assert!(!e.to_string().is_empty());
}

// ---------------------------------------------------------------------
// input: every format, and format detection.

/// Records read from one input at most; fuzz inputs are far smaller.
const MAX_RECORDS: usize = 4096;

/// Records of one input that are judged, to keep runs fast. They are judged
/// once, in the read of the whole slice, and only within the invariants:
/// the engine and campaign targets check the cache and the orders.
const JUDGED: usize = 4;

/// Reads any bytes in a format: the first byte picks the format (see
/// [`format`]), the second the capacity of a buffered reader, the rest is
/// the input.
///
/// Each input is read twice, from the whole slice and through the small
/// buffer, and both reads must give the same records, errors and skip
/// counts: where a buffer boundary falls must not change what is read.
/// Record numbers never go backwards.
pub fn input(data: &[u8]) {
    let [selector, capacity, rest @ ..] = data else {
        return;
    };
    let sniffed = input::detect(&rest[..rest.len().min(SNIFF_LEN)]);
    let Some((format, body)) = format(*selector, rest, sniffed) else {
        return;
    };
    let whole = read_all(format.clone(), body, JUDGED);
    let capacity = 1 + usize::from(*capacity % 64);
    let chunked = read_all(format, BufReader::with_capacity(capacity, body), 0);
    assert_eq!(whole, chunked, "the buffer size changed what was read");
}

/// The format a selector byte picks, and the bytes that hold the records.
/// 0 JSON Lines, 1 CSV, 2 CSV with a `--map` spec on the first line,
/// 3 GoPhish events, 4 GoPhish timeline, 5 and 6 access logs, 7 whatever
/// [`input::detect`] says.
pub fn format(selector: u8, rest: &[u8], sniffed: Option<Format>) -> Option<(Format, &[u8])> {
    let format = match selector % 8 {
        0 => Format::JsonLines,
        1 => Format::Csv(CsvMapping::new()),
        2 => {
            let end = rest.iter().position(|&b| b == b'\n')?;
            let spec = std::str::from_utf8(&rest[..end]).ok()?;
            let mapping = CsvMapping::parse(spec).ok()?.campaign("fuzz");
            return Some((Format::Csv(mapping), &rest[end + 1..]));
        }
        3 => Format::GoPhishEvents,
        4 => Format::GoPhishTimeline,
        5 => Format::Combined(CombinedOptions::default()),
        6 => Format::Combined(CombinedOptions {
            recipient_param: "u".into(),
            campaign: "fuzz".into(),
        }),
        _ => sniffed?,
    };
    Some((format, rest))
}

/// What one read gives: every item, or the error that stops the read
/// before the first; and the skip counts.
#[derive(Debug, PartialEq)]
enum Outcome {
    Refused(String),
    Read(Vec<String>, Skipped, u64),
}

fn read_all<R: BufRead>(format: Format, reader: R, judged: usize) -> Outcome {
    let mut records = match input::read(format, reader) {
        Ok(r) => r,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    let mut items = Vec::new();
    let mut last_line = 0;
    let mut cache = Cache::new();
    for item in records.by_ref().take(MAX_RECORDS) {
        let line = match &item {
            Ok(record) => {
                if items.len() < judged {
                    check_assessment(engine(), &engine().assess(&record.click, &mut cache));
                }
                record.line
            }
            Err(e) => e.line(),
        };
        assert!(line >= 1, "record numbers start at 1");
        assert!(line >= last_line, "line {line} after line {last_line}");
        last_line = line;
        items.push(format!("{item:?}"));
    }
    let skipped = records.skipped().clone();
    Outcome::Read(items, skipped, records.forgotten_sends())
}

// ---------------------------------------------------------------------
// mmdb: MaxMind database bytes.

/// Addresses the official test databases hold, and the edges of both
/// address families.
const PROBES: &[IpAddr] = &[
    IpAddr::V4(Ipv4Addr::new(1, 128, 0, 0)),
    IpAddr::V4(Ipv4Addr::new(2, 125, 160, 216)),
    IpAddr::V4(Ipv4Addr::new(81, 2, 69, 160)),
    IpAddr::V4(Ipv4Addr::new(89, 160, 20, 112)),
    IpAddr::V4(Ipv4Addr::new(216, 160, 83, 56)),
    IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    IpAddr::V4(Ipv4Addr::BROADCAST),
    IpAddr::V6(Ipv6Addr::new(0x2001, 0x218, 0, 0, 0, 0, 0, 1)),
    IpAddr::V6(Ipv6Addr::new(0x2c0f, 0xff40, 0, 0, 0, 0, 0, 1)),
    IpAddr::V6(Ipv6Addr::new(
        0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
    )),
    IpAddr::V6(Ipv6Addr::UNSPECIFIED),
];

/// Every kind, so that the bytes are decoded as each kind's records
/// whatever their metadata says.
const KINDS: [DatabaseKind; 7] = [
    DatabaseKind::Asn,
    DatabaseKind::Isp,
    DatabaseKind::ConnectionType,
    DatabaseKind::AnonymousIp,
    DatabaseKind::AnonymousPlus,
    DatabaseKind::Country,
    DatabaseKind::City,
];

/// Opens database bytes as their metadata says and as every kind; a
/// refused database is not kept, and an accepted one is verified and
/// looked up without a panic, the cache agreeing with a plain lookup.
pub fn mmdb(data: &[u8]) {
    let mut by_type = Databases::new();
    if by_type.add_bytes("fuzz.mmdb", data.to_vec()).is_ok() {
        probe(&by_type);
    } else {
        assert!(by_type.is_empty(), "a refused database was kept");
    }

    let mut as_every_kind = Databases::new();
    for kind in KINDS {
        if as_every_kind
            .add_bytes_as("fuzz.mmdb", data.to_vec(), kind)
            .is_err()
        {
            return;
        }
    }
    probe(&as_every_kind);
}

fn probe(databases: &Databases) {
    let _ = databases.verify();
    let mut cache = LookupCache::new();
    for &ip in PROBES {
        let plain = databases.lookup(ip);
        let cached = databases.lookup_cached(ip, &mut cache).clone();
        assert_eq!(plain, cached, "cached lookup of {ip} differs");
    }
}

// ---------------------------------------------------------------------
// agent: any user agent.

/// Judges a click with any user agent: no panic, the same read back from
/// the cache as analysed, and the same decision with whitespace around it.
///
/// Each agent text is analysed once (the cache is keyed by the raw text, so
/// the padded agent is a second, fresh analysis): under coverage
/// instrumentation the analysis is nearly all of a run.
pub fn agent(data: &[u8]) {
    let agent = String::from_utf8_lossy(data);
    let start = campaign_start();
    let click = Click {
        campaign: "c1".into(),
        recipient: "ann@example.com".into(),
        at: start + Duration::seconds(90),
        delivered_at: Some(start),
        ip: "86.12.44.9".parse().ok(),
        user_agent: Some(agent.clone().into_owned()),
        method: "GET".into(),
        ..Click::default()
    };
    let engine = engine();
    let mut cache = warm_cache();
    let plain = engine.assess(&click, &mut cache);
    check_assessment(engine, &plain);
    let cached = engine.assess(&click, &mut cache);
    assert_eq!(
        plain, cached,
        "a cached assessment differs from a fresh one"
    );

    // The analysis trims the agent and no built-in rule reads the raw
    // header, so padding changes no decision (only the quoted evidence).
    let padded = Click {
        user_agent: Some(format!("  {agent} ")),
        ..click
    };
    let again = engine.assess(&padded, &mut cache);
    check_assessment(engine, &again);
    assert_eq!(
        decision(&plain),
        decision(&again),
        "padding changed the judgement"
    );
}

fn decision(a: &Assessment) -> (u8, Verdict, Source, Vec<&str>) {
    let rules = a.reasons.iter().map(|r| &*r.rule).collect();
    (a.score, a.verdict, a.source, rules)
}

// ---------------------------------------------------------------------
// engine: structured clicks.

/// Judges one generated click alone and as a log of one event.
pub fn engine_click(click: &Click) {
    let engine = engine();
    // The log fills the cache, so that the assessment alone is checked
    // against a warm cache as well as a fresh one.
    let mut cache = warm_cache();
    let logged = check_log(engine, std::slice::from_ref(click), &mut cache);
    let alone = assess_checked(engine, click, &mut cache);
    if click.kind == EventKind::Report {
        assert_eq!(
            logged.first(),
            Some(&alone),
            "a report is judged on its own"
        );
    }
}

// ---------------------------------------------------------------------
// campaign: generated campaigns, batch and stream.

/// Keys one event can add to a stream: its recipient, address and network
/// in the window, its recipient's report state, its campaign and its
/// browser.
pub const KEYS_PER_EVENT: usize = 6;

/// A generated campaign: small pools of recipients, addresses, agents and
/// links, so that events collide the way real campaigns make them collide;
/// times mostly forward, sometimes back; and now and then a small cap on
/// the stream's keys.
#[derive(Debug)]
pub struct Campaign {
    /// The events, in stream order.
    pub events: Vec<Click>,
    /// The stream's cap on tracked keys; the engine's when `None`.
    pub cap: Option<usize>,
}

impl<'a> Arbitrary<'a> for Campaign {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let cap = if u.ratio(1, 3)? {
            Some(u.int_in_range(1..=40)?)
        } else {
            None
        };
        let start = campaign_start();
        let mut at = start;
        let mut events = Vec::new();
        for _ in 0..u.int_in_range(0..=MAX_EVENTS)? {
            let step = u.int_in_range(-2_000..=40_000i64)?;
            at += Duration::milliseconds(if u.ratio(1, 10)? { step * 100 } else { step });
            events.push(campaign_event(u, start, at)?);
        }
        Ok(Campaign { events, cap })
    }
}

fn campaign_event(
    u: &mut Unstructured<'_>,
    start: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Click> {
    let kind = *u.choose(&[
        EventKind::Click,
        EventKind::Click,
        EventKind::Open,
        EventKind::Report,
    ])?;
    let ip = match kind {
        EventKind::Report => None,
        _ if u.ratio(1, 4)? => Some(address(u)?),
        _ => u.choose(&ADDRESSES[..6])?.parse().ok(),
    };
    let user_agent = if u.ratio(1, 4)? {
        Some(agent_text(u)?)
    } else {
        Some(u.choose(&AGENTS[..8])?.to_string())
    };
    let delivered = start + Duration::seconds(u.int_in_range(0..=30)?);
    Ok(Click {
        kind,
        campaign: u.choose(&["c1", "c1", "c2"])?.to_string(),
        recipient: format!("r{}@example.com", u.int_in_range(0..=5u8)?),
        link: Some(
            u.choose(&["main", "main", "unsubscribe", "submit", "trap"])?
                .to_string(),
        ),
        honeypot: u.ratio(1, 8)?,
        at,
        sent_at: Some(start),
        delivered_at: if u.ratio(3, 4)? {
            Some(delivered)
        } else {
            None
        },
        ip,
        user_agent,
        method: u
            .choose(&["GET", "GET", "HEAD", "OPTIONS", "POST"])?
            .to_string(),
        url: Some("/?rid=r".to_string()),
        ..Click::default()
    })
}

/// Batch: one assessment per event, the same whatever the input order.
/// Stream: see [`stream_checked`]. With the engine's cap and distinct
/// times in order, the stream judges as the batch does.
pub fn campaign(campaign: &Campaign) {
    let engine = engine();
    // One cache for both: each agent is analysed once, and the stream is
    // judged through a warm cache.
    let mut cache = warm_cache();
    let batch = check_log(engine, &campaign.events, &mut cache);
    let judged = stream_checked(engine, &campaign.events, campaign.cap, &mut cache);

    let times: BTreeSet<i64> = campaign
        .events
        .iter()
        .map(|c| c.at.timestamp_millis())
        .collect();
    let ordered = campaign.events.windows(2).all(|w| w[0].at < w[1].at);
    if campaign.cap.is_none() && ordered && times.len() == campaign.events.len() {
        for j in judged {
            let index = j.seq as usize;
            assert_eq!(
                Some(&j.assessment),
                batch.get(index),
                "stream and batch differ at {index}"
            );
        }
    }
}

/// Streams `events` in their order and checks the stream's promises: an
/// event older than the newest is refused and not taken; every other event
/// except reports is judged exactly once; the tracked keys stay within the
/// cap plus one event's keys. Returns the judgements.
pub fn stream_checked(
    engine: &Engine,
    events: &[Click],
    cap: Option<usize>,
    cache: &mut Cache,
) -> Vec<Judged> {
    let mut stream = Stream::new(engine);
    if let Some(cap) = cap {
        stream.set_max_tracked_keys(cap);
    }
    let cap = cap
        .unwrap_or(engine.campaign_settings().max_tracked_keys)
        .max(1);
    let mut expected = BTreeSet::new();
    let mut judged = Vec::new();
    for click in events {
        let held = stream.held_events();
        match stream.push(click.clone()) {
            Ok(seq) if click.kind != EventKind::Report => {
                expected.insert(seq);
            }
            Ok(_) => {}
            Err(_) => assert_eq!(held, stream.held_events(), "a refused event was taken"),
        }
        judged.extend(stream.ready(engine, cache));
        let keys = stream.tracked_keys();
        assert!(
            keys <= cap + KEYS_PER_EVENT,
            "{keys} keys tracked under a cap of {cap}"
        );
    }
    judged.extend(stream.finish(engine, cache));
    assert_eq!(stream.held_events(), 0, "events held after finish");

    let seqs: Vec<u64> = judged.iter().map(|j| j.seq).collect();
    let unique: BTreeSet<u64> = seqs.iter().copied().collect();
    assert_eq!(unique.len(), seqs.len(), "an event judged twice");
    assert_eq!(
        unique, expected,
        "judged events differ from the events taken"
    );
    for j in &judged {
        check_assessment(engine, &j.assessment);
    }
    judged
}

/// Runs a structured target on raw bytes exactly as libFuzzer's
/// `fuzz_target!` decodes them, for replaying saved inputs.
pub fn decode<T: for<'a> Arbitrary<'a>>(data: &[u8]) -> Option<T> {
    T::arbitrary_take_rest(Unstructured::new(data)).ok()
}
