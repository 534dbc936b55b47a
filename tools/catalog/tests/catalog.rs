//! The shipped catalogues: well formed, equal to what the generator writes
//! from the pinned inputs, and right about real browsers and known bots.
//!
//! Tests that need the pinned inputs read them from the directory named by
//! `CLICKSIFT_CATALOG_INPUTS`, else from `tools/inputs` when it exists
//! (`tools/fetch-inputs.sh` fills it); without either they print why they
//! skipped and pass.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clicksift_catalog::csvout::parse_line;
use clicksift_catalog::{Inputs, OUTPUTS, Paths, agents, generate};
use ipnet::IpNet;
use regex::{Regex, RegexSet};

const GRADES: [&str; 4] = ["certain", "probable", "context", "human"];
const KINDS: [&str; 7] = [
    "mail_gateway",
    "security_vendor",
    "cloud",
    "hosting",
    "web_proxy",
    "mail_service",
    "crawler",
];

/// networks.csv must stay small enough to ship inside the crate.
const MAX_NETWORKS_BYTES: usize = 3_000_000;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(name: &str) -> String {
    let path = repo().join("data").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The data rows of a catalogue, after checking its header row.
fn rows(name: &str, header: &str) -> Vec<Vec<String>> {
    let text = data(name);
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(lines.next(), Some(header), "{name}: header row");
    let columns = header.split(',').count();
    lines
        .enumerate()
        .map(|(i, line)| {
            let fields = parse_line(line).unwrap_or_else(|| panic!("{name} row {}: {line}", i + 1));
            assert_eq!(fields.len(), columns, "{name} row {}: {line}", i + 1);
            fields
        })
        .collect()
}

fn pinned_inputs(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CLICKSIFT_CATALOG_INPUTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tools/inputs"));
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "{test}: SKIPPED, pinned inputs not found at {} (run tools/fetch-inputs.sh or set \
         CLICKSIFT_CATALOG_INPUTS)",
        dir.display()
    );
    None
}

#[test]
fn every_file_states_its_provenance() {
    for name in OUTPUTS {
        let text = data(name);
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        let words = [
            "Source",
            "Date: 20",
            "Licence: ",
            "Regenerate",
            "  tools/fetch-inputs.sh",
        ];
        for word in words
            .into_iter()
            .chain(["  cargo run -p clicksift-catalog -- --inputs"])
        {
            assert!(
                header.iter().any(|l| l.contains(word)),
                "{name} header lacks {word:?}"
            );
        }
    }
}

#[test]
fn network_rows_are_canonical_and_graded() {
    let rows = rows("networks.csv", "cidr,grade,kind,operator,origin");
    for row in &rows {
        let net: IpNet = row[0].parse().unwrap_or_else(|e| panic!("{row:?}: {e}"));
        assert_eq!(net.trunc(), net, "{row:?} has host bits");
        assert!(
            GRADES.contains(&row[1].as_str()) && KINDS.contains(&row[2].as_str()),
            "{row:?}"
        );
        assert!(!row[3].is_empty() && !row[4].is_empty(), "{row:?}");
    }
    assert!(data("networks.csv").len() < MAX_NETWORKS_BYTES);
}

#[test]
fn published_ranges_carry_their_grades() {
    let rows = rows("networks.csv", "cidr,grade,kind,operator,origin");
    let find = |cidr: &str| {
        rows.iter()
            .find(|r| r[0] == cidr)
            .map(|r| (r[1].as_str(), r[2].as_str()))
    };
    assert_eq!(find("40.107.0.0/16"), Some(("certain", "mail_gateway")));
    assert_eq!(
        find("2a01:111:f403::/48"),
        Some(("certain", "mail_gateway"))
    );
    assert_eq!(find("209.222.82.0/24"), Some(("certain", "mail_gateway")));
    assert_eq!(find("40.94.89.21/32"), Some(("probable", "mail_gateway")));
    assert_eq!(find("40.96.0.0/13"), Some(("human", "mail_service")));

    // The most specific row holding an address decides; check a few.
    let most_specific = |ip: &str| {
        let ip: IpAddr = ip.parse().unwrap();
        let holding = rows.iter().filter_map(|r| {
            let net: IpNet = r[0].parse().ok()?;
            net.contains(&ip)
                .then_some((net.prefix_len(), r[1].as_str(), r[3].as_str()))
        });
        holding.max_by_key(|(len, _, _)| *len)
    };
    assert_eq!(most_specific("40.94.89.19").map(|r| r.1), Some("probable"));
    assert_eq!(
        most_specific("40.94.89.20").map(|r| r.2),
        Some("Microsoft (AS8075)")
    );
    assert!(most_specific("165.225.0.1").is_some_and(|r| r.2.starts_with("Zscaler")));
    assert_eq!(most_specific("192.0.2.1"), None);
}

#[test]
fn agent_rows_are_valid_and_every_regex_compiles() {
    let rows = rows("agents.csv", "pattern,match,class,name,origin");
    let mut seen = BTreeSet::new();
    for row in &rows {
        assert!(agents::CLASSES.contains(&row[2].as_str()), "{row:?}");
        assert!(seen.insert(row[0].clone()), "duplicate pattern {row:?}");
        match row[1].as_str() {
            "literal" => assert!(!row[0].is_empty(), "{row:?}"),
            "regex" => assert!(Regex::new(&row[0]).is_ok(), "{row:?} does not compile"),
            other => panic!("{row:?}: match {other:?}"),
        }
    }
}

#[test]
fn browser_rows_are_dated_majors() {
    let rows = rows("browsers.csv", "family,major,released");
    let mut seen = BTreeSet::new();
    for row in &rows {
        let major: u32 = row[1].parse().unwrap_or_else(|e| panic!("{row:?}: {e}"));
        assert!(
            chrono::NaiveDate::parse_from_str(&row[2], "%Y-%m-%d").is_ok(),
            "{row:?}"
        );
        assert!(seen.insert((row[0].clone(), major)), "duplicate {row:?}");
    }
    let date = |family: &str, major: &str| {
        rows.iter()
            .find(|r| r[0] == family && r[1] == major)
            .map(|r| r[2].clone())
    };
    assert_eq!(date("Chrome", "57"), Some("2017-03-09".to_string()));
    assert_eq!(date("Chrome Mobile", "57"), date("Chrome", "57"));
    assert_eq!(date("Safari", "17"), Some("2023-09-26".to_string()));
    assert_eq!(date("IE", "8"), Some("2009-03-19".to_string()));
    assert_eq!(date("Edge", "50"), None);
}

#[test]
fn shipped_files_equal_generator_output() {
    let Some(inputs) = pinned_inputs("shipped_files_equal_generator_output") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let paths = Paths {
        inputs,
        sources: repo().join("data/sources"),
        out: out.path().into(),
    };
    generate(&paths).unwrap();

    for name in OUTPUTS {
        let fresh = std::fs::read_to_string(out.path().join(name)).unwrap();
        let shipped = data(name);
        let first_difference = fresh.lines().zip(shipped.lines()).position(|(a, b)| a != b);
        assert!(
            fresh == shipped,
            "data/{name} is stale (first differing line {:?}, {} vs {} lines); regenerate it",
            first_difference.map(|i| i + 1),
            fresh.lines().count(),
            shipped.lines().count()
        );
    }
}

/// Matches a user agent against every agents.csv row at once.
struct AnyAgent {
    literals: Vec<String>,
    literal_set: Regex,
    regexes: RegexSet,
}

impl AnyAgent {
    fn load() -> Self {
        let rows = rows("agents.csv", "pattern,match,class,name,origin");
        let (literal_rows, regex_rows): (Vec<_>, Vec<_>) =
            rows.iter().partition(|r| r[1] == "literal");
        let literals: Vec<String> = literal_rows.iter().map(|r| r[0].clone()).collect();
        let escaped: Vec<String> = literals.iter().map(|l| regex::escape(l)).collect();
        AnyAgent {
            literal_set: Regex::new(&escaped.join("|")).unwrap(),
            regexes: RegexSet::new(regex_rows.iter().map(|r| &r[0])).unwrap(),
            literals,
        }
    }

    fn matches(&self, ua: &str) -> bool {
        self.literal_set.is_match(ua) || self.regexes.is_match(ua)
    }

    /// The patterns that match, for a readable failure.
    fn which(&self, ua: &str) -> Vec<String> {
        let literal = self
            .literals
            .iter()
            .filter(|l| ua.contains(l.as_str()))
            .cloned();
        let regexes = self
            .regexes
            .matches(ua)
            .into_iter()
            .map(|i| self.regexes.patterns()[i].clone());
        literal.chain(regexes).collect()
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RealBrowser {
    user_agent: String,
    weight: f64,
}

/// The user-agents package holds browser sessions seen on real sites, with
/// weights. None of them is a bot, so no catalogue row may match any of
/// them: every one of its 10,000 agents is checked, not only the top 200.
#[test]
fn no_pattern_matches_real_browsers() {
    let Some(root) = pinned_inputs("no_pattern_matches_real_browsers") else {
        return;
    };
    let pinned = Inputs::load(&repo().join("data/sources")).unwrap();
    let path = pinned.browsers.file(&root, "dist/user-agents.json");
    let mut browsers: Vec<RealBrowser> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    browsers.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    assert!(
        browsers.len() >= 200,
        "expected at least 200 browsers, got {}",
        browsers.len()
    );

    let any = AnyAgent::load();
    let flagged: Vec<(usize, &str, Vec<String>)> = browsers
        .iter()
        .enumerate()
        .filter(|(_, b)| any.matches(&b.user_agent))
        .map(|(rank, b)| (rank + 1, b.user_agent.as_str(), any.which(&b.user_agent)))
        .collect();
    assert!(
        flagged.is_empty(),
        "real browsers flagged (rank, agent, patterns): {flagged:#?}"
    );
}

#[test]
fn every_crawler_instance_is_matched() {
    let Some(root) = pinned_inputs("every_crawler_instance_is_matched") else {
        return;
    };
    let pinned = Inputs::load(&repo().join("data/sources")).unwrap();
    let crawlers = agents::load_crawlers(&root, &pinned.crawlers).unwrap();
    let any = AnyAgent::load();

    // Patterns marked as a person's own software are left out on purpose.
    let people = agents::person_patterns(&repo().join("data/sources")).unwrap();
    let instances: Vec<&String> = crawlers
        .iter()
        .filter(|c| !people.contains(&c.pattern))
        .flat_map(|c| &c.instances)
        .collect();
    assert!(instances.len() > 2000, "only {} instances", instances.len());
    let missed: Vec<&&String> = instances.iter().filter(|ua| !any.matches(ua)).collect();
    assert!(
        missed.is_empty(),
        "crawler instances no row matches: {missed:#?}"
    );
}

#[test]
fn curated_tokens_match_their_documented_agents() {
    let any = AnyAgent::load();
    let documented = [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0 A",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b",
        "Microsoft Office Existence Discovery",
        "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
        "curl/8.4.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    ];
    for ua in documented {
        assert!(any.matches(ua), "{ua}");
    }
}
