//! Every enrichment field, tested by a rule, end to end through the
//! command line with MaxMind's official test databases (fixtures/mmdb).
//! Addresses and values come from the databases' published source data.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn mmdb(name: &str) -> String {
    root()
        .join("fixtures/mmdb")
        .join(name)
        .display()
        .to_string()
}

/// One rule per enrichment field, each firing on one known value.
const RULES: &str = r#"
[[rule]]
id = "t.asn"
when = 'asn == 15169'
weight = 10
[[rule]]
id = "t.as-org"
when = 'as_org == "Telstra Pty Ltd"'
weight = 10
[[rule]]
id = "t.isp"
when = 'isp == "Verizon Wireless"'
weight = 10
[[rule]]
id = "t.org"
when = 'org == "AT&T Wireless"'
weight = 10
[[rule]]
id = "t.connection"
when = 'connection_type == "Cellular"'
weight = 10
[[rule]]
id = "t.vpn"
when = 'anonymous and anonymous.vpn and not anonymous.tor'
weight = 10
[[rule]]
id = "t.tor"
when = 'anonymous.tor and not anonymous.hosting'
weight = 10
[[rule]]
id = "t.everything-anonymous"
when = 'anonymous.hosting and anonymous.public_proxy and anonymous.residential_proxy'
weight = 10
[[rule]]
id = "t.country"
when = 'country == "SE"'
weight = 10
"#;

fn click(id: &str, ip: &str) -> String {
    format!(
        r#"{{"id":"{id}","campaign":"c","recipient":"r@x","at":"2026-03-02T10:00:00Z","ip":"{ip}","user_agent":"Mozilla/5.0"}}"#
    )
}

/// Scores `clicks` and returns, per click, the rules that fired.
fn fired(args: &[&str], clicks: &[String]) -> Vec<(String, Vec<String>)> {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("clicksift-enrich-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.jsonl");
    std::fs::write(&log, clicks.join("\n")).unwrap();
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, RULES).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clicksift"));
    cmd.arg("score").arg("--per-click").args(args);
    cmd.arg("--rules").arg(&rules).arg(&log);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let rules = v["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["rule"].as_str().unwrap().to_string())
                .collect();
            (v["id"].as_str().unwrap().to_string(), rules)
        })
        .collect()
}

#[test]
fn a_rule_on_each_enrichment_field_fires_through_the_cli() {
    let databases = [
        "GeoLite2-ASN-Test.mmdb",
        "GeoIP2-ISP-Test.mmdb",
        "GeoIP2-Connection-Type-Test.mmdb",
        "GeoIP2-Anonymous-IP-Test.mmdb",
        "GeoIP2-Country-Test.mmdb",
    ]
    .map(mmdb);
    let mut args = vec!["--no-default-rules"];
    for d in &databases {
        args.extend(["--mmdb", d]);
    }
    let clicks = [
        click("google", "1.0.0.1"),
        click("telstra", "1.128.0.1"),
        click("verizon", "149.101.100.5"),
        click("att", "32.64.35.9"),
        click("cellular", "1.0.1.1"),
        click("vpn", "1.2.0.1"),
        click("tor", "1.124.213.1"),
        click("anything", "81.2.69.1"),
        click("sweden", "89.160.20.128"),
    ];
    let expected = [
        ("google", "t.asn"),
        ("telstra", "t.as-org"),
        ("verizon", "t.isp"),
        ("att", "t.org"),
        ("cellular", "t.connection"),
        ("vpn", "t.vpn"),
        ("tor", "t.tor"),
        ("anything", "t.everything-anonymous"),
        ("sweden", "t.country"),
    ];
    let got = fired(&args, &clicks);
    assert_eq!(got.len(), expected.len());
    for ((id, rules), (want_id, want_rule)) in got.iter().zip(expected) {
        assert_eq!(id, want_id);
        assert!(
            rules.iter().any(|r| r == want_rule),
            "{id}: fired {rules:?}, expected {want_rule}"
        );
    }
}

#[test]
fn without_databases_no_enrichment_rule_fires() {
    let got = fired(
        &["--no-default-rules"],
        &[click("google", "1.0.0.1"), click("tor", "1.124.213.1")],
    );
    assert!(got.iter().all(|(_, rules)| rules.is_empty()), "{got:?}");
}

#[test]
fn built_in_rules_use_the_asn_and_connection_type() {
    let asn = mmdb("GeoLite2-ASN-Test.mmdb");
    let connection = mmdb("GeoIP2-Connection-Type-Test.mmdb");
    let args = ["--mmdb", asn.as_str(), "--mmdb", connection.as_str()];
    let got = fired(
        &args,
        &[click("google", "1.0.0.1"), click("home", "1.0.0.2")],
    );
    // 1.0.0.0/24 is Google's AS15169 in the test data, and Cable/DSL in the
    // Connection-Type test data.
    assert!(got[0].1.iter().any(|r| r == "asn.cloud"), "{got:?}");
    assert!(
        got[1].1.iter().any(|r| r == "mmdb.consumer-network"),
        "{got:?}"
    );
}

#[test]
fn a_missing_or_malformed_database_is_named_in_the_error() {
    let bad = root().join("fixtures/demo.jsonl");
    for path in [
        "/nonexistent/asn.mmdb".to_string(),
        bad.display().to_string(),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_clicksift"))
            .args(["score", "--mmdb", &path])
            .arg(root().join("fixtures/demo.jsonl"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&path), "{stderr}");
    }
}
