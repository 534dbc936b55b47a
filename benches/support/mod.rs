//! What the benchmarks share: the labelled dev log of `fixtures/eval`.

use std::io::{BufRead, BufReader};

use clicksift::Click;

/// The dev log (13k events over 20 campaigns, a few hundred distinct
/// agents): click streams repeat a few thousand agents, which is what the
/// caches are for.
pub fn dev_log() -> Vec<Click> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/eval/dev.jsonl.gz");
    let file = std::fs::File::open(path).expect("fixtures/eval/dev.jsonl.gz");
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .enumerate()
        .map(|(i, line)| Click::from_json(&line.expect("text"), i as u64 + 1).expect("valid"))
        .collect()
}
