//! Inputs the fuzz targets once failed on, replayed under `cargo test`.
//!
//! Each target's saved inputs live in `tests/fuzz_regressions/<target>/`
//! as the raw bytes libFuzzer wrote (`*.fuzz`), and run through the same
//! body the target runs (`fuzz/src/lib.rs`, included below), so a saved
//! input here fails exactly when `cargo fuzz run <target> <file>` would.
//! The causes are noted at the tests that name them.
//!
//! The `capi` target's inputs (`tests/fuzz_regressions/capi/`) need the C
//! binding, which this crate cannot depend on, so the binding's
//! `tests/fuzz_capi.rs` replays them. Their causes:
//!
//! - `capi/headers-over-limit.fuzz`: fields with 65 headers, one more than
//!   the library takes, were refused with line 0 and no field. The binding
//!   counted the headers itself, before reading them, and built its own
//!   error without the record's line or the `headers` field that every
//!   other malformed click names.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::fs;
use std::path::{Path, PathBuf};

use clicksift::Click;
use clicksift::campaign::Stream;

/// The saved inputs of one target, sorted by name.
fn saved(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "fuzz"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    for path in saved(target) {
        let data = fs::read(&path).unwrap();
        eprintln!("replaying {}", path.display());
        run(&data);
    }
}

#[test]
fn byte_targets_pass_their_saved_inputs() {
    replay("rules", fuzz::rules);
    replay("click_json", fuzz::click_json);
    replay("input", fuzz::input);
    replay("mmdb", fuzz::mmdb);
    replay("agent", fuzz::agent);
}

#[test]
fn engine_passes_its_saved_inputs() {
    replay("engine", |data| {
        if let Some(click) = fuzz::decode::<fuzz::ArbitraryClick>(data) {
            fuzz::engine_click(&click.0);
        }
    });
}

/// `campaign/keys-over-cap.fuzz`: a stream with a cap of 3 keys held 10.
///
/// Cause: the cap evicted recipients' report state and window events, but
/// never the campaign names or each campaign's newest browser major, so
/// those two maps grew with every new campaign and browser family whatever
/// the cap.
#[test]
fn campaign_passes_its_saved_inputs() {
    let files = saved("campaign");
    assert!(!files.is_empty(), "the saved campaign inputs are missing");
    replay("campaign", |data| {
        if let Some(campaign) = fuzz::decode::<fuzz::Campaign>(data) {
            fuzz::campaign(&campaign);
        }
    });
}

/// The same cause as above, written out: ten campaigns with one click each,
/// half from Chrome and half from Firefox, under small caps.
#[test]
fn campaigns_and_browsers_stay_within_the_key_cap() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions/campaign/keys-over-cap.jsonl");
    let text = fs::read_to_string(path).unwrap();
    let events: Vec<Click> = text
        .lines()
        .enumerate()
        .map(|(i, line)| Click::from_json(line, i as u64 + 1).unwrap())
        .collect();
    assert_eq!(events.len(), 10);
    let engine = fuzz::engine();
    for cap in [1, 3, 5] {
        let judged = fuzz::stream_checked(engine, &events, Some(cap), &mut clicksift::Cache::new());
        assert_eq!(judged.len(), events.len(), "cap {cap}");
    }

    // And the stream forgets them for good, not only between checks.
    let mut stream = Stream::new(engine);
    stream.set_max_tracked_keys(3);
    let mut cache = clicksift::Cache::new();
    for e in events {
        stream.push(e).unwrap();
        stream.ready(engine, &mut cache);
    }
    assert!(stream.tracked_keys() <= 3 + fuzz::KEYS_PER_EVENT);
}
