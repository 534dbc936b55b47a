//! The shared cases (`fixtures/cases/cases.jsonl`) through the library
//! itself and through the C ABI called from Rust: both must give each
//! case's verdict and source, and a score within its bounds.

use std::path::Path;

use clicksift::{Assessment, Cache, Click, Engine};
use clicksift_capi as capi;
use serde_json::Value;

struct Case {
    name: String,
    click: String,
    verdict: String,
    source: String,
    min_score: Option<u64>,
    max_score: Option<u64>,
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cases/cases.jsonl");
    let text = std::fs::read_to_string(&path).expect("the case file is readable");
    let mut cases = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("cases.jsonl line {}: {e}", i + 1));
        let text = |key: &str| match &v[key] {
            Value::String(s) => s.clone(),
            _ => panic!("cases.jsonl line {}: `{key}` is not a string", i + 1),
        };
        cases.push(Case {
            name: text("name"),
            click: v["click"].to_string(),
            verdict: text("verdict"),
            source: text("source"),
            min_score: v["min_score"].as_u64(),
            max_score: v["max_score"].as_u64(),
        });
    }
    cases
}

/// Every way the case's expectations are not met, or nothing.
fn mismatches(case: &Case, score: u8, verdict: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    if verdict != case.verdict {
        found.push(format!("verdict {verdict}, expected {}", case.verdict));
    }
    if source != case.source {
        found.push(format!("source {source}, expected {}", case.source));
    }
    if case.min_score.is_some_and(|min| u64::from(score) < min) {
        found.push(format!("score {score} below {:?}", case.min_score));
    }
    if case.max_score.is_some_and(|max| u64::from(score) > max) {
        found.push(format!("score {score} above {:?}", case.max_score));
    }
    found
}

fn report(failures: Vec<String>, total: usize) {
    assert!(total >= 20, "only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn library_gives_every_case_its_expected_verdict() {
    let engine = Engine::with_defaults().expect("the default engine builds");
    let mut cache = Cache::new();
    let all = cases();
    let mut failures = Vec::new();
    for (i, case) in all.iter().enumerate() {
        let click = Click::from_json(&case.click, i as u64 + 1).expect("case clicks are valid");
        let Assessment {
            score,
            verdict,
            source,
            ..
        } = engine.assess(&click, &mut cache);
        for m in mismatches(case, score, verdict.as_str(), source.as_str()) {
            failures.push(format!("{}: {m}", case.name));
        }
    }
    report(failures, all.len());
}

/// Scores one case through the C functions, as C would.
fn score_through_c(
    engine: *const capi::clicksift_engine,
    cache: *mut capi::clicksift_cache,
    json: &str,
) -> (u8, String, String) {
    let mut result = std::ptr::null_mut();
    // SAFETY: live handles, a valid text view and writable outputs.
    let status = unsafe {
        capi::clicksift_score_json(
            engine,
            cache,
            json.as_ptr().cast(),
            json.len(),
            1,
            &mut result,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(status, capi::clicksift_status::Ok);
    let (mut score, mut verdict, mut source) = (
        0u8,
        capi::clicksift_verdict::Uncertain,
        capi::clicksift_source::Unknown,
    );
    // SAFETY: a live result and writable outputs; the names are static.
    unsafe {
        capi::clicksift_result_score(result, &mut score);
        capi::clicksift_result_verdict(result, &mut verdict);
        capi::clicksift_result_source(result, &mut source);
        capi::clicksift_result_free(result);
        let name = |p| std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
        (
            score,
            name(capi::clicksift_verdict_name(verdict as u32)),
            name(capi::clicksift_source_name(source as u32)),
        )
    }
}

#[test]
fn c_abi_gives_every_case_its_expected_verdict() {
    let (mut engine, mut cache) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: writable outputs.
    unsafe {
        assert_eq!(
            capi::clicksift_engine_new_default(&mut engine, std::ptr::null_mut()),
            capi::clicksift_status::Ok
        );
        assert_eq!(
            capi::clicksift_cache_new(&mut cache),
            capi::clicksift_status::Ok
        );
    }
    let all = cases();
    let mut failures = Vec::new();
    for case in &all {
        let (score, verdict, source) = score_through_c(engine, cache, &case.click);
        for m in mismatches(case, score, &verdict, &source) {
            failures.push(format!("{}: {m}", case.name));
        }
    }
    // SAFETY: handles made above, freed once.
    unsafe {
        capi::clicksift_cache_free(cache);
        capi::clicksift_engine_free(engine);
    }
    report(failures, all.len());
}
