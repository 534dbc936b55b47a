//! Judges the dev log of `fixtures/eval` with the campaign heuristics,
//! once from an empty cache and then PASSES times warm, and prints the
//! warm rate. It exists to count instructions, which, unlike wall time,
//! do not change with the machine's load:
//!
//! ```sh
//! cargo build --release --example assess_log
//! valgrind --tool=callgrind --toggle-collect='assess_log::warm_passes' \
//!     target/release/examples/assess_log 2
//! ```
//!
//! The count callgrind reports, divided by 2 x 13,451 events, is the
//! figure `benches/README.md` quotes per event. With `--score` it runs
//! `Engine::score` per click instead (toggle on `assess_log::score_passes`).

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

use clicksift::campaign::assess_log;
use clicksift::{Cache, Click, Engine};
use support::dev_log;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut passes = 3;
    let mut score_only = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--score" => score_only = true,
            n => {
                passes = n
                    .parse()
                    .map_err(|_| format!("not a number of passes: {n}"))?
            }
        }
    }
    let clicks = dev_log();
    let engine = Engine::with_defaults()?;
    let mut cache = Cache::new();
    // The first pass fills the cache, as the start of any long log does.
    cold_pass(&engine, &clicks, &mut cache);
    let started = Instant::now();
    let checksum = if score_only {
        score_passes(&engine, &clicks, &mut cache, passes)
    } else {
        warm_passes(&engine, &clicks, &mut cache, passes)
    };
    let seconds = started.elapsed().as_secs_f64();
    let events = clicks.len() * passes;
    println!(
        "{events} events in {seconds:.3} s: {:.0} events/s (score sum {checksum})",
        events as f64 / seconds
    );
    Ok(())
}

fn scores(judged: &[clicksift::Assessment]) -> usize {
    judged.iter().map(|a| usize::from(a.score)).sum()
}

#[inline(never)]
fn cold_pass(engine: &Engine, clicks: &[Click], cache: &mut Cache) -> usize {
    scores(&assess_log(engine, clicks, cache))
}

#[inline(never)]
fn warm_passes(engine: &Engine, clicks: &[Click], cache: &mut Cache, passes: usize) -> usize {
    (0..passes)
        .map(|_| scores(&assess_log(engine, clicks, cache)))
        .sum()
}

#[inline(never)]
fn score_passes(engine: &Engine, clicks: &[Click], cache: &mut Cache, passes: usize) -> usize {
    let mut sum = 0;
    for _ in 0..passes {
        for click in clicks {
            sum += usize::from(engine.score(click, cache).score);
        }
    }
    sum
}
