//! Enrichment from MaxMind databases, against MaxMind's official test
//! databases (fixtures/mmdb) and small databases written here.

mod common;

use std::error::Error as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clicksift::mmdb::CACHE_GENERATION_CAPACITY;
use clicksift::{
    Assessment, Cache, DatabaseErrorKind, DatabaseKind, Databases, Engine, LookupCache, NetFacts,
    Source, Verdict,
};
use ipnet::IpNet;
use mmdb_writer::{IpVersion, Value, Writer};
use serde_json::Value as Json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/mmdb")
        .join(name)
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

fn open_one(file: &str) -> (Databases, DatabaseKind) {
    let mut databases = Databases::new();
    let kind = databases
        .open(fixture(file))
        .expect("official test database loads");
    (databases, kind)
}

/// The entries of an official source-data file as (network, record).
fn source_entries(file: &str) -> Vec<(IpNet, serde_json::Map<String, Json>)> {
    let text = std::fs::read_to_string(fixture(file)).expect("source data");
    let entries: Vec<serde_json::Map<String, Json>> =
        serde_json::from_str(&text).expect("source data is JSON");
    let pairs = entries.into_iter().flat_map(|entry| entry.into_iter());
    pairs
        .map(|(network, record)| {
            let network: IpNet = network.parse().expect("network in source data");
            (
                network,
                record.as_object().cloned().expect("record is a map"),
            )
        })
        .collect()
}

/// The addresses to look up for a source-data network: its first and
/// last address, and their IPv4 forms for an IPv4-compatible network.
fn probes(network: IpNet) -> Vec<IpAddr> {
    let mut probes = vec![network.network(), network.broadcast()];
    if let IpNet::V6(v6) = network
        && v6.prefix_len() >= 96
        && v6.network().segments()[..6] == [0; 6]
    {
        probes.extend(probes.clone().into_iter().filter_map(|probe| match probe {
            IpAddr::V6(addr) => addr.to_ipv4().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        }));
    }
    probes
}

fn text(record: &serde_json::Map<String, Json>, key: &str) -> Option<String> {
    record.get(key).and_then(Json::as_str).map(str::to_owned)
}

fn flag(record: &serde_json::Map<String, Json>, key: &str) -> Option<bool> {
    record.get(key).and_then(Json::as_bool)
}

/// Checks every network of a source-data file against the database built
/// from it, given how a record maps to facts.
fn check_every_entry(
    database: &str,
    source: &str,
    expect: impl Fn(&serde_json::Map<String, Json>) -> NetFacts,
) {
    let (databases, _) = open_one(database);
    let entries = source_entries(source);
    assert!(entries.len() > 5, "{source} has entries");
    for (network, record) in entries {
        let expected = expect(&record);
        for probe in probes(network) {
            assert_eq!(
                databases.lookup(probe),
                expected,
                "{probe} in {network} of {database}"
            );
        }
    }
}

#[test]
fn asn_test_database_answers_every_source_entry() {
    check_every_entry(
        "GeoLite2-ASN-Test.mmdb",
        "GeoLite2-ASN-Test.json",
        |record| NetFacts {
            asn: record
                .get("autonomous_system_number")
                .and_then(Json::as_u64)
                .map(|n| n as u32),
            as_org: text(record, "autonomous_system_organization"),
            ..NetFacts::default()
        },
    );
}

#[test]
fn connection_type_test_database_answers_every_source_entry() {
    check_every_entry(
        "GeoIP2-Connection-Type-Test.mmdb",
        "GeoIP2-Connection-Type-Test.json",
        |record| NetFacts {
            connection_type: text(record, "connection_type"),
            ..NetFacts::default()
        },
    );
}

fn anonymous_facts(record: &serde_json::Map<String, Json>) -> NetFacts {
    NetFacts {
        anonymous: flag(record, "is_anonymous"),
        anonymous_vpn: flag(record, "is_anonymous_vpn"),
        hosting: flag(record, "is_hosting_provider"),
        public_proxy: flag(record, "is_public_proxy"),
        residential_proxy: flag(record, "is_residential_proxy"),
        tor_exit: flag(record, "is_tor_exit_node"),
        anonymizer_confidence: record
            .get("anonymizer_confidence")
            .and_then(Json::as_u64)
            .map(|n| n as u16),
        anonymizer_provider: text(record, "provider_name"),
        ..NetFacts::default()
    }
}

#[test]
fn anonymous_ip_test_database_answers_every_source_entry() {
    check_every_entry(
        "GeoIP2-Anonymous-IP-Test.mmdb",
        "GeoIP2-Anonymous-IP-Test.json",
        anonymous_facts,
    );
}

#[test]
fn anonymous_plus_test_database_answers_every_source_entry() {
    check_every_entry(
        "GeoIP-Anonymous-Plus-Test.mmdb",
        "GeoIP-Anonymous-Plus-Test.json",
        anonymous_facts,
    );
}

#[test]
fn kinds_come_from_metadata() {
    let cases = [
        ("GeoLite2-ASN-Test.mmdb", DatabaseKind::Asn, "GeoLite2-ASN"),
        ("GeoIP2-ISP-Test.mmdb", DatabaseKind::Isp, "GeoIP2-ISP"),
        (
            "GeoIP2-Connection-Type-Test.mmdb",
            DatabaseKind::ConnectionType,
            "GeoIP2-Connection-Type",
        ),
        (
            "GeoIP2-Anonymous-IP-Test.mmdb",
            DatabaseKind::AnonymousIp,
            "GeoIP2-Anonymous-IP",
        ),
        (
            "GeoIP-Anonymous-Plus-Test.mmdb",
            DatabaseKind::AnonymousPlus,
            "GeoIP-Anonymous-Plus",
        ),
        (
            "GeoIP2-Country-Test.mmdb",
            DatabaseKind::Country,
            "GeoIP2-Country",
        ),
        ("GeoIP2-City-Test.mmdb", DatabaseKind::City, "GeoIP2-City"),
    ];
    for (file, kind, database_type) in cases {
        let (databases, found) = open_one(file);
        assert_eq!(found, kind, "{file}");
        assert_eq!(databases.database_type(kind), Some(database_type), "{file}");
    }

    // A renamed file is still recognised by what it holds.
    let bytes = std::fs::read(fixture("GeoIP2-ISP-Test.mmdb")).unwrap();
    let mut databases = Databases::new();
    assert_eq!(
        databases.add_bytes("asn.mmdb", bytes).unwrap(),
        DatabaseKind::Isp
    );
}

#[test]
fn isp_test_database_answers_source_entries() {
    // Addresses and values from source-data/GeoIP2-ISP-Test.json.
    let (databases, _) = open_one("GeoIP2-ISP-Test.mmdb");
    let telstra = databases.lookup(ip("1.128.0.1"));
    assert_eq!(telstra.asn, Some(1221));
    assert_eq!(telstra.as_org.as_deref(), Some("Telstra Pty Ltd"));
    assert_eq!(telstra.isp.as_deref(), Some("Telstra Internet"));
    assert_eq!(telstra.org.as_deref(), Some("Telstra Internet"));

    let verizon = databases.lookup(ip("149.101.100.5"));
    assert_eq!(verizon.asn, Some(6167));
    assert_eq!(verizon.as_org.as_deref(), Some("CELLCO-PART"));
    assert_eq!(verizon.isp.as_deref(), Some("Verizon Wireless"));

    let att = databases.lookup(ip("32.64.35.9"));
    assert_eq!(att.org.as_deref(), Some("AT&T Wireless"));
    assert_eq!((att.asn, att.isp), (None, None));

    let sunrise = databases.lookup(ip("2001:1700::1"));
    assert_eq!(sunrise.asn, Some(6730));
    assert_eq!(sunrise.as_org.as_deref(), Some("Sunrise Communications AG"));
}

#[test]
fn country_and_city_give_the_country_not_the_registered_one() {
    // Values from source-data/GeoIP2-Country-Test.json and
    // GeoIP2-City-Test.json; 2.125.160.216 is registered in FR.
    let (country, _) = open_one("GeoIP2-Country-Test.mmdb");
    let (city, _) = open_one("GeoIP2-City-Test.mmdb");
    let cases = [
        ("2.125.160.216", "GB"),
        ("89.160.20.128", "SE"),
        ("67.43.156.1", "BT"),
        ("81.2.69.142", "GB"),
    ];
    for (address, iso_code) in cases {
        assert_eq!(
            country.lookup(ip(address)).country.as_deref(),
            Some(iso_code),
            "{address}"
        );
        assert_eq!(
            city.lookup(ip(address)).country.as_deref(),
            Some(iso_code),
            "{address}"
        );
    }
    assert_eq!(
        country.lookup(ip("2001:218::1")).country.as_deref(),
        Some("JP")
    );
    assert_eq!(
        city.lookup(ip("216.160.83.57")).country.as_deref(),
        Some("US")
    );

    // 2.3.3.0/24 has a City record without a country.
    assert_eq!(city.lookup(ip("2.3.3.1")).country, None);
    assert_eq!(city.lookup(ip("2.3.3.1")), NetFacts::default());
}

#[test]
fn all_databases_together_fill_every_field_they_know() {
    let mut databases = Databases::new();
    for file in [
        "GeoLite2-ASN-Test.mmdb",
        "GeoIP2-ISP-Test.mmdb",
        "GeoIP2-Connection-Type-Test.mmdb",
        "GeoIP2-Anonymous-IP-Test.mmdb",
        "GeoIP2-Country-Test.mmdb",
    ] {
        databases.open(fixture(file)).unwrap();
    }
    databases
        .verify()
        .expect("official test databases are sound");

    // 149.101.100.0/124: ISP (Verizon), Connection-Type (Cellular),
    // Country (US) in their source data.
    let facts = databases.lookup(ip("149.101.100.1"));
    assert_eq!(facts.asn, Some(6167));
    assert_eq!(facts.isp.as_deref(), Some("Verizon Wireless"));
    assert_eq!(facts.connection_type.as_deref(), Some("Cellular"));
    assert_eq!(facts.country.as_deref(), Some("US"));
    assert_eq!(facts.anonymous, None);

    // 81.2.69.0/24 is flagged on every anonymous flag and is in GB.
    let facts = databases.lookup(ip("81.2.69.142"));
    assert_eq!(facts.tor_exit, Some(true));
    assert_eq!(facts.residential_proxy, Some(true));
    assert_eq!(facts.country.as_deref(), Some("GB"));
}

#[test]
fn missing_file_names_the_path_and_keeps_the_io_error() {
    let path = fixture("no-such-database.mmdb");
    let err = Databases::new().open(&path).unwrap_err();
    assert_eq!(err.kind(), DatabaseErrorKind::Unreadable);
    assert_eq!(err.name(), path.display().to_string());
    assert!(err.to_string().contains("no-such-database.mmdb"), "{err}");
    let source = err.source().expect("io error behind");
    let io = source
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn garbage_is_malformed_with_the_reader_error_behind() {
    let err = Databases::new()
        .add_bytes("junk.mmdb", b"not a database".to_vec())
        .unwrap_err();
    assert_eq!(err.kind(), DatabaseErrorKind::Malformed);
    assert_eq!(err.name(), "junk.mmdb");
    assert!(
        err.source()
            .unwrap()
            .downcast_ref::<maxminddb::MaxMindDbError>()
            .is_some()
    );
}

/// A small database written here: `records` are (network, map entries).
fn write_database(database_type: &str, version: IpVersion, records: &[(&str, Value)]) -> Vec<u8> {
    let mut writer = Writer::builder(database_type)
        .ip_version(version)
        .description(&[("en", "clicksift test database")])
        .build();
    for (network, value) in records {
        writer
            .insert_value(network.parse::<IpNet>().unwrap(), value.clone())
            .unwrap();
    }
    writer.to_bytes().unwrap()
}

fn asn_record(number: u32, org: &str) -> Value {
    Value::map([
        ("autonomous_system_number", Value::from(number)),
        ("autonomous_system_organization", Value::from(org)),
    ])
}

#[test]
fn compat_type_is_read_as_the_kind_it_names() {
    let bytes = write_database(
        "Example-ASN (compat=GeoLite2-ASN)",
        IpVersion::V6,
        &[
            ("192.0.2.0/24", asn_record(64500, "Example Net")),
            ("2001:db8::/32", asn_record(64501, "Six")),
        ],
    );
    let mut databases = Databases::new();
    assert_eq!(
        databases.add_bytes("example.mmdb", bytes).unwrap(),
        DatabaseKind::Asn
    );
    let facts = databases.lookup(ip("192.0.2.77"));
    assert_eq!(
        (facts.asn, facts.as_org.as_deref()),
        (Some(64500), Some("Example Net"))
    );
    assert_eq!(databases.lookup(ip("2001:db8::9")).asn, Some(64501));

    // IPv4-mapped addresses are looked up as the IPv4 they carry.
    assert_eq!(databases.lookup(ip("::ffff:192.0.2.1")).asn, Some(64500));
    assert_eq!(databases.lookup(ip("198.51.100.1")), NetFacts::default());
}

#[test]
fn unknown_type_is_refused_unless_a_kind_is_given() {
    let bytes = write_database(
        "Example-Weather",
        IpVersion::V4,
        &[("192.0.2.0/24", asn_record(1, "x"))],
    );
    let mut databases = Databases::new();
    let err = databases
        .add_bytes("weather.mmdb", bytes.clone())
        .unwrap_err();
    assert_eq!(err.kind(), DatabaseErrorKind::UnknownType);
    assert_eq!(err.database_type(), Some("Example-Weather"));
    assert!(err.to_string().contains("weather.mmdb"), "{err}");
    assert!(databases.is_empty());

    let kind = databases
        .add_bytes_as("weather.mmdb", bytes, DatabaseKind::Asn)
        .unwrap();
    assert_eq!(kind, DatabaseKind::Asn);
    assert_eq!(databases.lookup(ip("192.0.2.1")).asn, Some(1));
}

#[test]
fn second_database_of_a_kind_is_rejected_and_the_first_kept() {
    let first = write_database(
        "GeoLite2-ASN",
        IpVersion::V4,
        &[("192.0.2.0/24", asn_record(1, "first"))],
    );
    let second = write_database(
        "GeoLite2-ASN",
        IpVersion::V4,
        &[("192.0.2.0/24", asn_record(2, "second"))],
    );
    let mut databases = Databases::new();
    databases.add_bytes("first.mmdb", first).unwrap();
    let err = databases.add_bytes("second.mmdb", second).unwrap_err();
    assert_eq!(err.kind(), DatabaseErrorKind::Duplicate);
    assert_eq!(err.database_kind(), Some(DatabaseKind::Asn));
    assert!(err.to_string().contains("first.mmdb"), "{err}");
    assert_eq!(databases.lookup(ip("192.0.2.1")).asn, Some(1));
    assert_eq!(databases.kinds().collect::<Vec<_>>(), [DatabaseKind::Asn]);
}

#[test]
fn isp_answers_before_asn_and_asn_fills_the_gaps() {
    let isp = Value::map([
        ("isp", Value::from("Example ISP")),
        ("autonomous_system_number", Value::from(64510u32)),
    ]);
    let isp = write_database("GeoIP2-ISP", IpVersion::V6, &[("192.0.2.0/24", isp)]);
    let asn = write_database(
        "GeoLite2-ASN",
        IpVersion::V6,
        &[("192.0.2.0/24", asn_record(64999, "ASN org"))],
    );
    let mut databases = Databases::new();
    databases.add_bytes("asn.mmdb", asn).unwrap();
    databases.add_bytes("isp.mmdb", isp).unwrap();
    let facts = databases.lookup(ip("192.0.2.1"));
    assert_eq!(facts.asn, Some(64510));
    assert_eq!(facts.isp.as_deref(), Some("Example ISP"));
    assert_eq!(facts.as_org.as_deref(), Some("ASN org"));
}

#[test]
fn ipv6_address_in_an_ipv4_database_answers_nothing() {
    let bytes = write_database(
        "GeoIP2-Connection-Type",
        IpVersion::V4,
        &[(
            "0.0.0.0/0",
            Value::map([("connection_type", Value::from("Corporate"))]),
        )],
    );
    let mut databases = Databases::new();
    databases.add_bytes("ct.mmdb", bytes).unwrap();
    assert_eq!(databases.lookup(ip("2001:db8::1")), NetFacts::default());
    assert_eq!(
        databases
            .lookup(ip("203.0.113.9"))
            .connection_type
            .as_deref(),
        Some("Corporate")
    );
}

#[test]
fn a_record_of_the_wrong_shape_leaves_the_other_databases_answering() {
    // A number where the country code belongs cannot be decoded.
    let country = Value::map([("country", Value::map([("iso_code", Value::from(7u32))]))]);
    let country = write_database(
        "GeoIP2-Country",
        IpVersion::V6,
        &[("192.0.2.0/24", country)],
    );
    let asn = write_database(
        "GeoLite2-ASN",
        IpVersion::V6,
        &[("192.0.2.0/24", asn_record(64500, "ok"))],
    );
    let mut databases = Databases::new();
    databases.add_bytes("country.mmdb", country).unwrap();
    databases.add_bytes("asn.mmdb", asn).unwrap();
    let facts = databases.lookup(ip("192.0.2.1"));
    assert_eq!(facts.country, None);
    assert_eq!(facts.asn, Some(64500));
}

#[test]
fn cached_lookups_equal_plain_ones_and_stay_bounded() {
    let (databases, _) = open_one("GeoLite2-ASN-Test.mmdb");
    let mut cache = LookupCache::with_capacity(16);
    let addresses: Vec<IpAddr> = (0..200u32)
        .map(|i| IpAddr::from([1, 128, (i % 50) as u8, (i % 7) as u8]))
        .collect();
    for address in &addresses {
        let plain = databases.lookup(*address);
        assert_eq!(
            databases.lookup_cached(*address, &mut cache),
            &plain,
            "{address}"
        );
        assert!(
            cache.len() <= 32,
            "two generations of 16 at most, got {}",
            cache.len()
        );
    }
    assert_eq!(
        databases.lookup_cached(ip("1.128.0.1"), &mut cache).asn,
        Some(1221)
    );
}

#[test]
fn default_cache_retires_a_generation_when_it_is_full() {
    let databases = Databases::new();
    let mut cache = LookupCache::new();
    let addresses = (0..).map(|i: u32| IpAddr::from(i.to_be_bytes()));
    for address in addresses.clone().take(CACHE_GENERATION_CAPACITY) {
        databases.lookup_cached(address, &mut cache);
    }
    assert_eq!(cache.len(), CACHE_GENERATION_CAPACITY);

    // The next new address starts a generation; the full one is kept.
    let mut later = addresses.skip(CACHE_GENERATION_CAPACITY);
    databases.lookup_cached(later.next().unwrap(), &mut cache);
    assert_eq!(cache.len(), CACHE_GENERATION_CAPACITY + 1);
    for address in later.by_ref().take(CACHE_GENERATION_CAPACITY) {
        databases.lookup_cached(address, &mut cache);
    }
    assert_eq!(cache.len(), CACHE_GENERATION_CAPACITY + 1);
    cache.clear();
    assert!(cache.is_empty());
}

#[test]
fn a_cache_used_with_other_databases_forgets_its_answers() {
    let (asn, _) = open_one("GeoLite2-ASN-Test.mmdb");
    let (isp, _) = open_one("GeoIP2-ISP-Test.mmdb");
    let mut cache = LookupCache::new();
    assert_eq!(asn.lookup_cached(ip("149.101.100.1"), &mut cache).isp, None);
    let answer = isp.lookup_cached(ip("149.101.100.1"), &mut cache);
    assert_eq!(answer.isp.as_deref(), Some("Verizon Wireless"));
    assert_eq!(cache.len(), 1);
}

/// The malformed databases of MaxMind's test suites, kept as fuzz seeds.
fn malformed_databases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/mmdb");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fuzz seeds")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "mmdb"))
        .collect();
    files.sort();
    files
}

#[test]
fn malformed_databases_give_errors_or_lookups_that_do_not_panic() {
    let files = malformed_databases();
    assert!(
        files.len() >= 20,
        "found {} malformed databases",
        files.len()
    );
    let probes = [
        "1.1.1.1",
        "1.2.0.1",
        "81.2.69.142",
        "::1.1.1.1",
        "2001:db8::1",
        "ffff::1",
        "0.0.0.0",
    ];
    let kinds = [
        DatabaseKind::Asn,
        DatabaseKind::AnonymousPlus,
        DatabaseKind::City,
    ];
    let (mut refused, mut looked_up) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let mut as_typed = Databases::new();
        if let Err(err) = as_typed.add_bytes(&path.display().to_string(), bytes.clone()) {
            assert!(!err.to_string().is_empty());
            refused += 1;
        }

        // Read each file as several kinds so lookups decode its records.
        for kind in kinds {
            let mut databases = Databases::new();
            if databases
                .add_bytes_as("bad.mmdb", bytes.clone(), kind)
                .is_ok()
            {
                looked_up += 1;
                for probe in probes {
                    let _ = databases.lookup(ip(probe));
                }
                let _ = databases.verify();
            }
        }
    }
    assert!(
        refused >= files.len() / 2,
        "{refused} of {} refused",
        files.len()
    );
    assert!(looked_up >= 30, "lookups ran on {looked_up} loaded files");
}

#[test]
fn verify_reports_damage_as_corrupt() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/mmdb/MaxMind-DB-test-broken-pointers-24.mmdb");
    let mut databases = Databases::new();
    let bytes = std::fs::read(&path).unwrap();
    databases
        .add_bytes_as("broken.mmdb", bytes, DatabaseKind::City)
        .unwrap();
    let err = databases.verify().unwrap_err();
    assert_eq!(err.kind(), DatabaseErrorKind::Corrupt);
    assert_eq!(err.name(), "broken.mmdb");
    assert!(err.source().is_some());
}

/// The built-in engine with an ASN database written from `records`.
fn engine_with_asn(records: &[(&str, Value)]) -> Engine {
    let bytes = write_database("GeoLite2-ASN", IpVersion::V6, records);
    let mut databases = Databases::new();
    databases.add_bytes("asn.mmdb", bytes).unwrap();
    Engine::builder().databases(databases).build().unwrap()
}

/// A current desktop Chrome's click an hour after delivery, so that no
/// timing rule takes part, judged by `engine`.
fn judge_browser(engine: &Engine, address: &str) -> Assessment {
    let click = common::click("r@example.org", 3600.0, address, common::CHROME);
    engine.assess(&click, &mut Cache::new())
}

fn fired(assessment: &Assessment, rule: &str) -> bool {
    assessment.reasons.iter().any(|r| &*r.rule == rule)
}

#[test]
fn a_browser_in_a_cloud_without_desktops_is_a_sandbox() {
    // 1.44.96.0/24 is AWS and 1.186.0.0/16 Microsoft in the built-in
    // catalogue; the documentation ranges are in no catalogue row, so only
    // the ASN database speaks for them.
    let engine = engine_with_asn(&[
        ("192.0.2.0/25", asn_record(16509, "Amazon.com, Inc.")),
        ("192.0.2.128/25", asn_record(8075, "Microsoft Corporation")),
    ]);
    for (address, rule) in [
        ("1.44.96.7", "network.sandbox-cloud"),
        ("192.0.2.7", "asn.sandbox-cloud"),
    ] {
        let judged = judge_browser(&engine, address);
        assert_eq!(judged.verdict, Verdict::Machine, "{address}: {judged:?}");
        assert_eq!(judged.source, Source::Sandbox, "{address}: {judged:?}");
        assert!(fired(&judged, rule), "{address}: {judged:?}");
    }

    // People browse from Azure's virtual desktops: a cloud, not a verdict.
    for address in ["1.186.0.7", "192.0.2.200"] {
        let judged = judge_browser(&engine, address);
        assert_ne!(judged.verdict, Verdict::Machine, "{address}: {judged:?}");
        assert!(!fired(&judged, "network.sandbox-cloud"), "{judged:?}");
        assert!(!fired(&judged, "asn.sandbox-cloud"), "{judged:?}");
    }
}

#[test]
fn asn_lists_know_the_catalogues_vendor_and_proxy_systems() {
    // Mimecast's AS33538 and Forcepoint's AS13448 are in the catalogue by
    // organisation name; an address of theirs outside it is still known.
    let engine = engine_with_asn(&[
        (
            "192.0.2.0/25",
            asn_record(33538, "Mimecast North America Inc"),
        ),
        ("192.0.2.128/25", asn_record(13448, "Forcepoint LLC")),
    ]);
    let vendor = judge_browser(&engine, "192.0.2.7");
    assert!(fired(&vendor, "asn.security-vendor"), "{vendor:?}");
    let proxy = judge_browser(&engine, "192.0.2.200");
    assert!(fired(&proxy, "asn.web-proxy"), "{proxy:?}");
}
