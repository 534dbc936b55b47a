//! Lookups in MaxMind databases, with and without the caller's cache, on a
//! stream shaped like a campaign's clicks: 100,000 clicks from 5,000
//! addresses, a few of them (gateways, scanners) far more frequent.
//!
//! The ASN database is synthetic (written here with mmdb-writer, about the
//! size of a real one: 300,000 networks); the Connection-Type,
//! Anonymous-IP and Country databases are MaxMind's small test files.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use clicksift::{Databases, LookupCache};
use criterion::{Criterion, criterion_group, criterion_main};
use ipnet::{IpNet, Ipv4Net};
use mmdb_writer::{Value, Writer};

const NETWORKS: u32 = 300_000;
const CLICKS: usize = 100_000;
const DISTINCT_ADDRESSES: u64 = 5_000;

/// A small deterministic generator, so every run sees the same stream.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn synthetic_asn_database() -> Vec<u8> {
    let mut writer = Writer::builder("GeoLite2-ASN")
        .description(&[("en", "synthetic ASN database for benchmarks")])
        .build();
    let mut rng = Lcg(7);
    for i in 0..NETWORKS {
        let address = Ipv4Addr::from((rng.next() as u32) & 0xffff_ff00);
        let network = IpNet::V4(Ipv4Net::new(address, 24).unwrap());
        let org = format!("Example Network {}", i % 20_000);
        let record = Value::map([
            ("autonomous_system_number", Value::from(64_512 + i % 20_000)),
            ("autonomous_system_organization", Value::from(org)),
        ]);
        writer.insert_value(network, record).unwrap();
    }
    writer.to_bytes().unwrap()
}

/// Clicks skewed towards few addresses: squaring a uniform draw puts
/// most clicks on the lowest indexes.
fn click_stream() -> Vec<IpAddr> {
    let mut rng = Lcg(11);
    let addresses: Vec<IpAddr> = (0..DISTINCT_ADDRESSES)
        .map(|_| IpAddr::V4(Ipv4Addr::from(rng.next() as u32)))
        .collect();
    (0..CLICKS)
        .map(|_| {
            let uniform = rng.next() % DISTINCT_ADDRESSES;
            addresses[(uniform * uniform / DISTINCT_ADDRESSES) as usize]
        })
        .collect()
}

fn load(asn: &[u8]) -> Databases {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mmdb");
    let mut databases = Databases::new();
    databases
        .add_bytes("synthetic-asn.mmdb", asn.to_vec())
        .unwrap();
    for file in [
        "GeoIP2-Connection-Type-Test.mmdb",
        "GeoIP2-Anonymous-IP-Test.mmdb",
        "GeoIP2-Country-Test.mmdb",
    ] {
        databases.open(fixtures.join(file)).unwrap();
    }
    databases
}

fn lookups(c: &mut Criterion) {
    let asn = synthetic_asn_database();
    let databases = load(&asn);
    let clicks = click_stream();

    let mut group = c.benchmark_group("mmdb");
    group.sample_size(20);
    group.bench_function("load_asn", |b| {
        b.iter(|| {
            Databases::new()
                .add_bytes("asn", black_box(asn.clone()))
                .unwrap()
        })
    });
    group.bench_function("verify_all", |b| b.iter(|| databases.verify().unwrap()));
    group.bench_function("stream_uncached", |b| {
        b.iter(|| {
            clicks
                .iter()
                .map(|ip| databases.lookup(*ip).asn.unwrap_or(0) as u64)
                .sum::<u64>()
        })
    });
    group.bench_function("stream_cached", |b| {
        b.iter(|| {
            let mut cache = LookupCache::new();
            let lookup = |ip: &IpAddr| databases.lookup_cached(*ip, &mut cache).asn.unwrap_or(0);
            clicks.iter().map(lookup).map(u64::from).sum::<u64>()
        })
    });
    group.bench_function("stream_cached_small", |b| {
        b.iter(|| {
            let mut cache = LookupCache::with_capacity(1024);
            let lookup = |ip: &IpAddr| databases.lookup_cached(*ip, &mut cache).asn.unwrap_or(0);
            clicks.iter().map(lookup).map(u64::from).sum::<u64>()
        })
    });
    group.finish();
}

criterion_group!(benches, lookups);
criterion_main!(benches);
