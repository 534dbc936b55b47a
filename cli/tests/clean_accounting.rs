//! The property `clean` promises on any input: every record is kept,
//! removed or rejected (or skipped), each exactly once, and `merge` of its
//! three files gives back the input byte for byte. Logs are generated from
//! pieces a real export has (gateway and person clicks, opens, reports)
//! and pieces a broken one has (bad JSON, missing fields, records out of
//! time order, CRLF endings, blank lines, no final newline); both the
//! batch and the streaming reader are run on each.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;

/// One line of a generated log, before its line end.
fn piece() -> impl Strategy<Value = String> {
    let click = (
        prop::sample::select(vec!["40.92.17.33", "86.12.44.9", "2a01:111:f400::5", "203.0.113.7"]),
        prop::sample::select(vec![
            "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36",
            "curl/8.5.0",
        ]),
        prop::sample::select(vec!["click", "open", "report"]),
        0u32..3,
        0u32..600,
    )
        .prop_map(|(ip, agent, kind, who, secs)| {
            format!(
                r#"{{"kind":"{kind}","campaign":"c1","recipient":"r{who}@example.com","link":"main","at":"2026-03-02T09:{:02}:{:02}Z","delivered_at":"2026-03-02T09:00:00Z","ip":"{ip}","user_agent":"{agent}"}}"#,
                secs / 60,
                secs % 60
            )
        });
    let broken = prop::sample::select(vec![
        "{not json".to_string(),
        r#"{"campaign":"c1","at":"2026-03-02T09:00:01Z","ip":"86.12.44.9"}"#.to_string(),
        r#"{"campaign":"c1","recipient":"r","at":"yesterday","ip":"86.12.44.9"}"#.to_string(),
        r#"{"campaign":"c1","recipient":"r","at":"2026-03-02T09:00:01Z","ip":"999.1.1.1"}"#
            .to_string(),
        "   ".to_string(),
        String::new(),
    ]);
    prop_oneof![4 => click, 1 => broken]
}

/// A log: its lines, each ended by `\n` or `\r\n`, the last maybe by
/// nothing.
fn log() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((piece(), any::<bool>()), 1..24),
        any::<bool>(),
    )
        .prop_map(|(lines, final_newline)| {
            let mut bytes = Vec::new();
            let n = lines.len();
            for (i, (line, crlf)) in lines.into_iter().enumerate() {
                bytes.extend_from_slice(line.as_bytes());
                if i + 1 < n || final_newline {
                    bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                }
            }
            bytes
        })
}

fn clicksift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clicksift"))
        .args(args)
        .output()
        .expect("the clicksift binary runs")
}

fn scratch() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("clicksift-accounting-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The five counts of clean's summary line: total, kept, removed,
/// rejected, skipped.
fn summary(stderr: &str) -> Option<[u64; 5]> {
    let line = stderr.lines().find(|l| l.contains(" records: "))?;
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    numbers
        .get(numbers.len().checked_sub(5)?..)?
        .try_into()
        .ok()
}

/// Records as the input holds them: its non-blank lines.
fn records(input: &[u8]) -> u64 {
    input
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count() as u64
}

/// Cleans `input`, checks the accounting and the undo, and returns why not
/// when either fails.
fn cleans_and_merges_back(input: &[u8], stream: bool) -> Result<(), String> {
    let dir = scratch();
    let log = dir.join("log.jsonl");
    std::fs::write(&log, input).map_err(|e| e.to_string())?;
    let (kept, removed, rejects, merged) = (
        dir.join("kept"),
        dir.join("removed"),
        dir.join("rejects"),
        dir.join("merged"),
    );
    let mut args = vec![
        "clean",
        s(&log),
        "--kept",
        s(&kept),
        "--removed",
        s(&removed),
        "--rejects",
        s(&rejects),
    ];
    if stream {
        args.push("--stream");
    }
    let out = clicksift(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let [total, k, r, x, skipped] = summary(&err).ok_or(format!("no summary: {err}"))?;
    let expected_code = if x > 0 { 1 } else { 0 };
    if out.status.code() != Some(expected_code) {
        return Err(format!("exit {:?} with {x} rejected: {err}", out.status));
    }
    if total != records(input) || k + r + x + skipped != total {
        return Err(format!(
            "{total} counted, {} in the input: {k} kept + {r} removed + {x} rejected + {skipped} skipped",
            records(input)
        ));
    }
    let rejected_lines = std::fs::read_to_string(&rejects).map_err(|e| e.to_string())?;
    if rejected_lines.lines().count() as u64 != x {
        return Err(format!("{x} rejected, rejects file: {rejected_lines}"));
    }
    let undo = clicksift(&[
        "merge",
        s(&kept),
        s(&removed),
        "--rejects",
        s(&rejects),
        "--format",
        "jsonl",
        "--out",
        s(&merged),
    ]);
    if !undo.status.success() {
        return Err(format!("merge: {}", String::from_utf8_lossy(&undo.stderr)));
    }
    let back = std::fs::read(&merged).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if back != input {
        return Err(format!(
            "merge gave back\n{}\nfor\n{}",
            String::from_utf8_lossy(&back),
            String::from_utf8_lossy(input)
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn clean_accounts_for_every_record_and_merge_undoes_it(input in log()) {
        for stream in [false, true] {
            if let Err(why) = cleans_and_merges_back(&input, stream) {
                prop_assert!(false, "stream {}: {}", stream, why);
            }
        }
    }
}
