//! The hot paths of `benches/engine.rs` again, with mimalloc as the global
//! allocator, as the `clicksift` command-line tool runs them. The library
//! leaves the allocator to its caller; judging allocates the reasons'
//! text, so the allocator shows in the figures.
//!
//! Run: `cargo bench --bench allocator`; results are in `benches/README.md`.

mod support;

use std::hint::black_box;

use clicksift::campaign::assess_log;
use clicksift::{Cache, Engine};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use support::dev_log;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn with_mimalloc(c: &mut Criterion) {
    let engine = Engine::with_defaults().unwrap();
    let clicks = dev_log();
    let mut group = c.benchmark_group("mimalloc");
    group.throughput(Throughput::Elements(clicks.len() as u64));
    group.bench_function("one_click_warm_cache", |b| {
        let mut cache = Cache::new();
        b.iter(|| {
            for click in &clicks {
                black_box(engine.assess(click, &mut cache));
            }
        })
    });
    group.sample_size(10);
    group.bench_function("campaign_assess_log", |b| {
        let mut cache = Cache::new();
        b.iter(|| black_box(assess_log(&engine, &clicks, &mut cache)))
    });
    group.finish();
}

criterion_group!(benches, with_mimalloc);
criterion_main!(benches);
