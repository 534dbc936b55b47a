//! The fuzz targets' bodies under plain `cargo test`, fed by proptest: a
//! few hundred inputs per entry point, so that a broken invariant shows up
//! without cargo-fuzz. The bodies and their invariants are in
//! `fuzz/src/lib.rs`; `fuzz/` runs them for millions of inputs.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use proptest::prelude::*;

/// A record that is valid JSON Lines, to mutate.
const RECORD: &str = r#"{"id":"a","campaign":"c1","recipient":"ann@example.com","link":"main","at":"2026-03-02T09:00:05Z","delivered_at":"2026-03-02T09:00:00Z","ip":"40.92.17.33","user_agent":"curl/8.5.0","method":"HEAD","headers":{"Purpose":"prefetch"}}"#;

/// An access log line, to mutate.
const LOG_LINE: &str = "40.107.208.45 - - [02/Mar/2026:09:00:05 +0000] \"GET /?rid=Xk3mP9q \
                        HTTP/1.1\" 200 1843 \"-\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/101.0\"\n";

/// Bytes of `base` with up to eight bytes overwritten and a tail cut.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len().max(1);
    (
        prop::collection::vec((0..len, any::<u8>()), 0..8),
        0..=base.len(),
    )
        .prop_map(move |(edits, keep)| {
            let mut bytes = base.clone();
            for (at, b) in edits {
                if let Some(slot) = bytes.get_mut(at) {
                    *slot = b;
                }
            }
            bytes.truncate(keep.max(bytes.len() / 2));
            bytes
        })
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_json_record(data in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        mutated(RECORD.as_bytes().to_vec()),
    ]) {
        fuzz::click_json(&data);
    }

    #[test]
    fn any_user_agent(agent in prop_oneof![
        ".{0,300}",
        prop::sample::select(fuzz::AGENTS).prop_flat_map(|a| mutated(a.as_bytes().to_vec()))
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]) {
        fuzz::agent(agent.as_bytes());
    }

    #[test]
    fn any_structured_click(data in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Some(click) = fuzz::decode::<fuzz::ArbitraryClick>(&data) {
            fuzz::engine_click(&click.0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn any_input_in_any_format(
        selector in 0u8..8,
        capacity in any::<u8>(),
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            mutated(format!("{RECORD}\n{RECORD}\n").into_bytes()),
            mutated(LOG_LINE.repeat(3).into_bytes()),
            mutated(fixture("fixtures/input/gophish-raw-events.csv")),
        ],
    ) {
        let mut data = vec![selector, capacity];
        data.extend(body);
        fuzz::input(&data);
    }

    #[test]
    fn any_corruption_of_a_database(
        base in prop::sample::select(vec![
            "fixtures/mmdb/GeoLite2-ASN-Test.mmdb",
            "fixtures/mmdb/GeoIP2-Anonymous-IP-Test.mmdb",
            "fixtures/mmdb/GeoIP2-Connection-Type-Test.mmdb",
        ]).prop_flat_map(|p| mutated(fixture(p))),
    ) {
        fuzz::mmdb(&base);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_campaign(data in prop::collection::vec(any::<u8>(), 64..1500)) {
        if let Some(campaign) = fuzz::decode::<fuzz::Campaign>(&data) {
            fuzz::campaign(&campaign);
        }
    }
}

proptest! {
    // Each case builds an engine, which compiles the agent parsers.
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn any_rule_file(data in mutated(br#"#set instant_window=5
[thresholds]
machine = 80
human = 20

[campaign]
burst_window = 4.0

[[rule]]
id = "local.words"
description = "Scanner words in the path"
when = 'url contains ["scan", "probe"] or delay < 2'
weight = 40
source = "sandbox"
"#.to_vec())) {
        fuzz::rules(&data);
    }
}
