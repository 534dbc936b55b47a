//! The administrator's commands run as a user runs them: `score` on every
//! input format, `clean` and `merge`, `clickers` and `report`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

const DEMO: &str = "../fixtures/demo.jsonl";
const ACCESS_LOG: &str = "../fixtures/input/access.log";
const GOPHISH_CSV: &str = "../fixtures/input/gophish-raw-events.csv";
const GOPHISH_JSON: &str = "../fixtures/input/gophish-campaign.json";
const TWO_CAMPAIGNS: &str = "../fixtures/admin/two-campaigns.jsonl";
const WITH_REJECTS: &str = "../fixtures/admin/with-rejects.jsonl";
const ALLOW_OFFICE: &str = "../fixtures/admin/allow-office.toml";
const ASN_DB: &str = "../fixtures/mmdb/GeoLite2-ASN-Test.mmdb";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn clicksift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clicksift"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the clicksift binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("clicksift-admin-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn lines(p: &Path) -> usize {
    read(p)
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count()
}

/// The counts of clean's summary line: kept, removed, rejected, skipped.
fn summary(o: &Output) -> [u64; 5] {
    let text = stderr(o);
    let line = text
        .lines()
        .find(|l| l.contains(" records: "))
        .unwrap_or_else(|| panic!("no summary in {text}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let n = numbers.len();
    [
        numbers[n - 5],
        numbers[n - 4],
        numbers[n - 3],
        numbers[n - 2],
        numbers[n - 1],
    ]
}

struct Cleaned {
    dir: PathBuf,
    kept: PathBuf,
    removed: PathBuf,
    rejects: PathBuf,
    out: Output,
}

fn clean(name: &str, input: &str, extra: &[&str]) -> Cleaned {
    let dir = scratch(name);
    let kept = dir.join("kept");
    let removed = dir.join("removed");
    let rejects = dir.join("rejects.jsonl");
    let mut args = vec![
        "clean",
        input,
        "--kept",
        s(&kept),
        "--removed",
        s(&removed),
        "--rejects",
        s(&rejects),
    ];
    args.extend_from_slice(extra);
    let out = clicksift(&args);
    Cleaned {
        dir,
        kept,
        removed,
        rejects,
        out,
    }
}

fn merge(c: &Cleaned) -> Vec<u8> {
    let merged = c.dir.join("merged");
    let out = clicksift(&[
        "merge",
        s(&c.kept),
        s(&c.removed),
        "--rejects",
        s(&c.rejects),
        "--out",
        s(&merged),
    ]);
    assert!(out.status.success(), "merge failed: {}", stderr(&out));
    read(&merged)
}

#[test]
fn score_keeps_its_json_lines_output() {
    let out = clicksift(&["score", DEMO]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "mia-before");
    assert_eq!(first["verdict"], "machine");
    assert_eq!(
        text.lines().count(),
        21,
        "every click and open; the report is not judged"
    );
    assert!(
        !stderr(&out).contains("skipped"),
        "nothing is skipped in JSON Lines"
    );
}

#[test]
fn score_reads_every_format_and_reports_skipped_events() {
    let cases = [
        (ACCESS_LOG, "access-log", 6, "2 no recipient parameter"),
        (GOPHISH_CSV, "gophish-events", 7, "3 Email Sent"),
        (GOPHISH_JSON, "gophish-timeline", 7, "3 Email Sent"),
    ];
    for (input, format, records, skipped) in cases {
        for named in ["auto", format] {
            let out = clicksift(&["score", input, "--format", named]);
            assert!(out.status.success(), "{input} as {named}: {}", stderr(&out));
            assert_eq!(stdout(&out).lines().count(), records, "{input} as {named}");
            assert!(stderr(&out).contains(skipped), "{input}: {}", stderr(&out));
        }
    }
}

#[test]
fn score_names_the_format_it_cannot_guess() {
    let dir = scratch("guess");
    let odd = dir.join("odd.txt");
    std::fs::write(&odd, "who,when\nann,today\n").unwrap();
    let out = clicksift(&["score", s(&odd)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format"), "{}", stderr(&out));
}

#[test]
fn score_falls_back_on_the_extension_when_the_first_bytes_are_broken() {
    let dir = scratch("extension");
    let broken = "{not json\n{not json either\n";
    let named = dir.join("export.jsonl");
    std::fs::write(&named, broken).unwrap();
    let out = clicksift(&["score", s(&named)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("reading it as jsonl, as its name says"),
        "{err}"
    );
    assert!(
        err.contains("export.jsonl:1: ") && err.contains("export.jsonl:2: "),
        "{err}"
    );

    let unnamed = dir.join("export.txt");
    std::fs::write(&unnamed, broken).unwrap();
    let out = clicksift(&["score", s(&unnamed)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("name it with --format"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn score_reads_a_mapped_csv_with_a_campaign_flag() {
    let dir = scratch("mapped");
    let csv = dir.join("clicks.csv");
    std::fs::write(
        &csv,
        "Email,Time,Address,Agent\n\
         ann@example.com,2026-03-02T09:41:13Z,86.12.44.9,curl/8.5.0\n",
    )
    .unwrap();
    let out = clicksift(&[
        "score",
        s(&csv),
        "--format",
        "csv",
        "--map",
        "recipient=Email",
        "--map",
        "at=Time",
        "--map",
        "ip=Address",
        "--map",
        "user_agent=Agent",
        "--campaign",
        "q1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let judged: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(judged["verdict"], "machine", "curl is a script");

    let unmapped = clicksift(&["score", s(&csv), "--format", "csv"]);
    assert_eq!(
        unmapped.status.code(),
        Some(1),
        "rows without fields are rejected"
    );
}

#[test]
fn clean_accounts_for_every_record_and_merge_restores_the_input() {
    // Input records counted independently of clean: non-blank lines, or
    // CSV rows after the header.
    let cases = [
        (DEMO, 22),
        (ACCESS_LOG, 9),
        (GOPHISH_CSV, 13),
        (WITH_REJECTS, 5),
    ];
    for (input, records) in cases {
        let c = clean("roundtrip", input, &[]);
        let [total, kept, removed, rejected, skipped] = summary(&c.out);
        assert_eq!(total, records, "{input}: {}", stderr(&c.out));
        assert_eq!(kept + removed + rejected + skipped, total, "{input}");
        assert!(removed > 0, "{input}: something is removed");
        assert_eq!(lines(&c.rejects) as u64, rejected, "{input}");
        let header = u64::from(input == GOPHISH_CSV);
        assert_eq!(lines(&c.removed) as u64, removed + header, "{input}");
        if input != GOPHISH_CSV && input != ACCESS_LOG {
            assert_eq!(lines(&c.kept) as u64, kept + skipped, "{input}");
        }
        assert_eq!(
            merge(&c),
            read(&fixture(input)),
            "{input}: clean then merge"
        );
    }
}

#[test]
fn removed_records_say_why_in_their_own_format() {
    let c = clean("why-json", DEMO, &[]);
    let text = String::from_utf8(read(&c.removed)).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "mia-before", "the original members stay");
    assert_eq!(first["clicksift"]["line"], 1);
    assert_eq!(first["clicksift"]["verdict"], "machine");
    assert_eq!(first["clicksift"]["removed_by"][0], "verdict=machine");
    assert!(
        first["clicksift"]["reasons"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );

    let c = clean("why-csv", GOPHISH_CSV, &[]);
    let bytes = read(&c.removed);
    let mut rows = csv::Reader::from_reader(bytes.as_slice());
    let header = rows.headers().unwrap().clone();
    assert_eq!(header.get(5), Some("clicksift_line"));
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(row.get(3), Some("Email Opened"));
    assert_eq!(row.get(7), Some("machine"));

    let c = clean("why-log", ACCESS_LOG, &[]);
    let sidecar = c.dir.join("removed.reasons.jsonl");
    assert_eq!(
        lines(&sidecar),
        lines(&c.removed),
        "one reason line per removed line"
    );
}

#[test]
fn rejected_records_go_to_the_rejects_file_with_line_and_reason() {
    let c = clean("rejects", WITH_REJECTS, &[]);
    assert_eq!(c.out.status.code(), Some(1));
    let text = String::from_utf8(read(&c.rejects)).unwrap();
    let rejects: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects.len(), 2);
    assert_eq!(rejects[0]["line"], 2);
    assert!(rejects[0]["reason"].as_str().unwrap().contains("`at`"));
    assert_eq!(rejects[1]["line"], 5);
    assert!(stderr(&c.out).contains("with-rejects.jsonl:5:"));
}

/// The lines (1-based, of the input) that clean removes with `filters`.
fn removed_lines(input: &str, filters: &[&str]) -> Vec<u64> {
    let mut args = vec!["clean", input, "--dry-run"];
    args.extend_from_slice(filters);
    let out = clicksift(&args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{filters:?}: {}",
        stderr(&out)
    );
    stdout(&out)
        .lines()
        .filter_map(|l| l.split(':').nth(1)?.parse().ok())
        .collect()
}

#[test]
fn each_filter_removes_what_it_names() {
    assert_eq!(
        removed_lines(DEMO, &["--ip", "104.47.1.0/24"]),
        [5, 6, 7, 8]
    );
    assert_eq!(removed_lines(DEMO, &["--ip", "86.12.44.9"]), [3, 4]);
    assert_eq!(removed_lines(DEMO, &["--agent", "(?i)headless"]).len(), 1);
    assert_eq!(
        removed_lines(
            DEMO,
            &[
                "--since",
                "2026-03-02T09:00:00Z",
                "--until",
                "2026-03-02T09:00:06Z"
            ]
        ),
        [1, 2]
    );
    let gateways = removed_lines(DEMO, &["--source", "mail_gateway"]);
    let machines = removed_lines(DEMO, &[]);
    assert!(!gateways.is_empty() && gateways != machines);
    let score = clicksift(&["score", DEMO]);
    let sources: Vec<serde_json::Value> = stdout(&score)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let gateway_count = sources
        .iter()
        .filter(|j| j["source"] == "mail_gateway")
        .count();
    assert_eq!(
        gateways.len(),
        gateway_count,
        "as many as score attributes to gateways"
    );
    assert_eq!(removed_lines(DEMO, &["--verdict", "machine"]), machines);
    let strict = removed_lines(DEMO, &["--min-score", "99"]);
    assert!(!strict.is_empty() && strict.iter().all(|l| machines.contains(l)));
    let both = removed_lines(
        DEMO,
        &["--verdict", "human,uncertain", "--verdict", "machine"],
    );
    assert_eq!(
        both.len(),
        21,
        "every record but the report (never removed)"
    );
}

#[test]
fn filters_combine_with_or_unless_told_all() {
    let ip = ["--ip", "104.47.1.0/24"];
    let agent = ["--agent", "curl"];
    let any = removed_lines(DEMO, &[&ip[..], &agent[..]].concat());
    let alone = removed_lines(DEMO, &ip).len() + removed_lines(DEMO, &agent).len();
    assert_eq!(any.len(), alone, "the two filters match different records");
    let all = removed_lines(DEMO, &[&ip[..], &agent[..], &["--match", "all"]].concat());
    assert!(all.is_empty(), "no record matches both");
    let narrowed = removed_lines(
        DEMO,
        &[&ip[..], &["--verdict", "machine", "--match", "all"]].concat(),
    );
    assert!(narrowed.iter().all(|l| any.contains(l)));
}

#[test]
fn network_filters_need_their_database() {
    for filter in [
        ["--asn", "AS8075"],
        ["--org", "microsoft"],
        ["--country", "DE"],
    ] {
        let out = clicksift(&["clean", DEMO, "--dry-run", filter[0], filter[1]]);
        assert_eq!(out.status.code(), Some(2), "{filter:?}");
        assert!(stderr(&out).contains("--mmdb"), "{}", stderr(&out));
    }
    let out = clicksift(&[
        "clean",
        DEMO,
        "--dry-run",
        "--asn",
        "8075",
        "--mmdb",
        ASN_DB,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn rescoring_with_an_allow_rule_changes_what_is_removed() {
    let before = removed_lines(DEMO, &[]);
    let after = removed_lines(DEMO, &["--rules", ALLOW_OFFICE]);
    assert!(
        before.contains(&9),
        "the Barracuda click is a machine's by default"
    );
    assert!(!after.contains(&9), "the office egress is allowed");
    assert_eq!(after.len(), before.len() - 1);
}

#[test]
fn dry_run_writes_no_file() {
    let dir = scratch("dry");
    let kept = dir.join("kept");
    let out = clicksift(&[
        "clean",
        DEMO,
        "--dry-run",
        "--kept",
        s(&kept),
        "--removed",
        s(&kept),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!kept.exists());
    assert_eq!(summary(&out)[2] as usize, stdout(&out).lines().count());
    assert!(stdout(&out).contains("would remove (verdict=machine"));
}

#[test]
fn clean_is_deterministic_and_streams_like_batch() {
    let a = clean("det-a", TWO_CAMPAIGNS, &[]);
    let b = clean("det-b", TWO_CAMPAIGNS, &[]);
    assert_eq!(read(&a.kept), read(&b.kept));
    assert_eq!(read(&a.removed), read(&b.removed));
    let streamed = clean("det-stream", TWO_CAMPAIGNS, &["--stream"]);
    assert!(streamed.out.status.success(), "{}", stderr(&streamed.out));
    assert_eq!(read(&a.kept), read(&streamed.kept));
    assert_eq!(read(&a.removed), read(&streamed.removed));
    assert_eq!(merge(&streamed), read(&fixture(TWO_CAMPAIGNS)));
}

#[test]
fn stream_rejects_records_out_of_time_order() {
    let c = clean("stream-order", DEMO, &["--stream"]);
    assert_eq!(c.out.status.code(), Some(1));
    let [total, kept, removed, rejected, _] = summary(&c.out);
    assert!(rejected >= 1);
    assert_eq!(kept + removed + rejected, total);
    assert_eq!(merge(&c), read(&fixture(DEMO)), "rejects merge back too");
}

#[test]
fn clickers_lists_genuine_clickers_per_campaign_and_across() {
    let out = clicksift(&["clickers", TWO_CAMPAIGNS]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "campaign,recipient,first_click,clicks\n\
         2026-q1,ann@example.com,2026-03-02T09:41:13Z,2\n\
         2026-q1,bob@example.com,2026-03-02T10:12:40Z,1\n\
         2026-q2,ann@example.com,2026-06-01T09:41:13Z,2\n"
    );
    let out = clicksift(&[
        "clickers",
        TWO_CAMPAIGNS,
        "--across-campaigns",
        "--output-format",
        "json",
    ]);
    let repeat: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        repeat.as_array().map(Vec::len),
        Some(1),
        "only ann clicked twice"
    );
    assert_eq!(repeat[0]["recipient"], "ann@example.com");
    assert_eq!(repeat[0]["campaigns"], 2);
    assert_eq!(repeat[0]["clicks"], 4);
    assert_eq!(repeat[0]["first_click"], "2026-03-02T09:41:13Z");
    assert_eq!(repeat[0]["last_click"], "2026-06-01T11:02:00Z");
}

/// A metric of the text report: the first number after `label` in the
/// campaign's block.
fn text_metric(text: &str, campaign: &str, label: &str) -> String {
    let block = text
        .split("Campaign ")
        .find(|b| b.starts_with(campaign))
        .unwrap_or_else(|| panic!("no campaign {campaign}"));
    let line = block
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no {label} in {block}"));
    line[line.find(label).unwrap() + label.len()..]
        .trim()
        .to_string()
}

#[test]
fn report_counts_rates_and_delays() {
    let out = clicksift(&["report", TWO_CAMPAIGNS]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text_metric(&text, "2026-q1", "recipients seen"), "4");
    assert_eq!(
        text_metric(&text, "2026-q1", "recipients with any click"),
        "3 (75.0%)"
    );
    assert_eq!(
        text_metric(&text, "2026-q1", "recipients with a genuine click"),
        "2 (50.0%)"
    );
    assert_eq!(
        text_metric(&text, "2026-q2", "recipients with a genuine click"),
        "1 (33.3%)"
    );
    assert!(text.contains("Microsoft Exchange Online Protection"));
    assert_eq!(
        clicksift(&["report", TWO_CAMPAIGNS]).stdout,
        out.stdout,
        "deterministic"
    );
}

/// Every `data-key="KEY">VALUE<` of a page.
fn page_values(html: &str) -> Vec<(String, String)> {
    html.split("data-key=\"")
        .skip(1)
        .filter_map(|rest| {
            let (key, rest) = rest.split_once('"')?;
            let value = rest.split_once('>')?.1.split('<').next()?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

#[test]
fn report_page_renders_in_a_browser_with_the_text_numbers() {
    let dir = scratch("page");
    let page = dir.join("report.html");
    let out = clicksift(&["report", TWO_CAMPAIGNS, "--html", s(&page)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = String::from_utf8(read(&page)).unwrap();
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));

    let Some(dom) = dump_dom(&page, &dir) else {
        return;
    };
    assert!(dom.contains("<svg"), "charts render");
    let values = page_values(&dom);
    let text = stdout(&out);
    let value = |key: &str| {
        values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {key} in the page"))
    };
    for campaign in ["2026-q1", "2026-q2"] {
        let recipients = text_metric(&text, campaign, "recipients seen");
        assert_eq!(value(&format!("{campaign}|recipients")), recipients);
        for (label, count, rate) in [
            ("recipients with any click", "any_clickers", "any_rate"),
            (
                "recipients with a genuine click",
                "genuine_clickers",
                "genuine_rate",
            ),
        ] {
            let shown = format!(
                "{} ({})",
                value(&format!("{campaign}|{count}")),
                value(&format!("{campaign}|{rate}"))
            );
            assert_eq!(
                shown,
                text_metric(&text, campaign, label),
                "{campaign} {label}"
            );
        }
        let machine = value(&format!("{campaign}|source:mail_gateway"));
        let block = text
            .split("Campaign ")
            .find(|b| b.starts_with(campaign))
            .unwrap();
        assert!(
            block.contains(&format!("{machine:>6}  mail_gateway")),
            "{campaign}"
        );
    }
}

/// The page as headless Chromium renders it, or `None` (after saying so)
/// when no browser is installed and none is required.
fn dump_dom(page: &Path, dir: &Path) -> Option<String> {
    let required = std::env::var("CLICKSIFT_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let profile = dir.join("profile");
    let run = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output();
    match run {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) if required => panic!("chromium failed: {}", stderr(&o)),
        Err(e) if required => panic!(
            "CLICKSIFT_REQUIRE_BROWSER=1 but chromium cannot run ({e}); install the \
             Debian package chromium"
        ),
        _ => {
            eprintln!("skipped the browser check: chromium is not installed");
            None
        }
    }
}
