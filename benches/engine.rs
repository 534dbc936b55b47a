//! Benchmarks of the engine: building it, judging one click with cold and
//! warm caches, agent analysis alone, and the campaign heuristics.
//!
//! The stream is the labelled dev log of `fixtures/eval` (13k events over
//! 20 campaigns, a few hundred distinct agents), repeated: click streams
//! repeat a few thousand agents, which is what the caches are for.
//!
//! Run: `cargo bench --bench engine`; results are in `benches/README.md`.

mod support;

use std::hint::black_box;

use clicksift::campaign::assess_log;
use clicksift::{Cache, Engine};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use support::dev_log;

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("default_engine", |b| {
        b.iter(|| Engine::with_defaults().unwrap())
    });
    group.finish();
}

fn one_click(c: &mut Criterion) {
    let engine = Engine::with_defaults().unwrap();
    let clicks = dev_log();
    let mut group = c.benchmark_group("one_click");
    group.throughput(Throughput::Elements(clicks.len() as u64));
    group.bench_function("warm_cache", |b| {
        let mut cache = Cache::new();
        b.iter(|| {
            for click in &clicks {
                black_box(engine.assess(click, &mut cache));
            }
        })
    });
    group.bench_function("score_only_warm_cache", |b| {
        let mut cache = Cache::new();
        b.iter(|| {
            for click in &clicks {
                black_box(engine.score(click, &mut cache));
            }
        })
    });
    // The ASN database built from public routing data for the eval logs
    // (see fixtures/eval/README.md), as a user without MaxMind has it.
    let mut databases = clicksift::mmdb::Databases::new();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/eval/asn-routing.mmdb"
    );
    databases.open(path).unwrap();
    let with_asn = Engine::builder().databases(databases).build().unwrap();
    group.bench_function("score_only_warm_cache_asn_db", |b| {
        let mut cache = Cache::new();
        b.iter(|| {
            for click in &clicks {
                black_box(with_asn.score(click, &mut cache));
            }
        })
    });
    group.sample_size(10);
    group.bench_function("cold_cache", |b| {
        b.iter(|| {
            let mut cache = Cache::new();
            for click in &clicks {
                black_box(engine.assess(click, &mut cache));
            }
        })
    });
    group.finish();
}

fn agents_only(c: &mut Criterion) {
    let engine = Engine::with_defaults().unwrap();
    let clicks = dev_log();
    let agents: Vec<&str> = clicks
        .iter()
        .filter_map(|c| c.user_agent.as_deref())
        .collect();
    let mut group = c.benchmark_group("agents_only");
    group.throughput(Throughput::Elements(agents.len() as u64));
    group.bench_function("warm_cache", |b| {
        let mut cache = Cache::new();
        b.iter(|| {
            for agent in &agents {
                black_box(engine.classify_agent(agent, &mut cache));
            }
        })
    });
    group.sample_size(10);
    group.throughput(Throughput::Elements(1000));
    group.bench_function("uncached_parse", |b| {
        b.iter(|| {
            for agent in agents.iter().take(1000) {
                black_box(engine.classify_agent(agent, &mut Cache::new()));
            }
        })
    });
    group.finish();
}

fn campaign(c: &mut Criterion) {
    let engine = Engine::with_defaults().unwrap();
    let clicks = dev_log();
    let mut group = c.benchmark_group("campaign_heuristics");
    group.sample_size(10);
    group.throughput(Throughput::Elements(clicks.len() as u64));
    group.bench_function("assess_log", |b| {
        let mut cache = Cache::new();
        b.iter(|| black_box(assess_log(&engine, &clicks, &mut cache)))
    });
    group.finish();
}

criterion_group!(benches, build, one_click, agents_only, campaign);
criterion_main!(benches);
