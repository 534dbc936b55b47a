//! The shared data-driven cases of fixtures/cases, through the command
//! line: the same truth the library and every binding are held to.

use std::path::Path;
use std::process::Command;

#[test]
fn every_shared_case_through_clicksift_score() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("fixtures/cases/cases.jsonl")).unwrap();
    let cases: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let log: String = cases.iter().map(|c| format!("{}\n", c["click"])).collect();
    let path = std::env::temp_dir().join(format!("clicksift-cases-{}.jsonl", std::process::id()));
    std::fs::write(&path, log).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_clicksift"))
        .args(["score", "--per-click"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let judged: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(judged.len(), cases.len());
    for (case, got) in cases.iter().zip(&judged) {
        let name = &case["name"];
        assert_eq!(got["verdict"], case["verdict"], "{name}: {got}");
        assert_eq!(got["source"], case["source"], "{name}: {got}");
        let score = got["score"].as_u64().unwrap();
        if let Some(min) = case["min_score"].as_u64() {
            assert!(score >= min, "{name}: score {score} < {min}");
        }
        if let Some(max) = case["max_score"].as_u64() {
            assert!(score <= max, "{name}: score {score} > {max}");
        }
    }
}
