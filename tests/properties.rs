//! Properties that must hold for any input.

mod common;

use clicksift::campaign::{Stream, assess_log};
use clicksift::engine::combine;
use clicksift::network::CidrTable;
use clicksift::{Cache, Click, EventKind};
use common::*;
use ipnet::IpNet;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn score_stays_in_range_and_machine_evidence_never_lowers_it(
        weights in prop::collection::vec(-100i32..=100, 0..12),
        extra in 1i32..=100,
    ) {
        let weights: Vec<i32> = weights.into_iter().filter(|&w| w != 0).collect();
        let before = combine(weights.iter().copied());
        prop_assert!(before <= 100);
        let after = combine(weights.iter().copied().chain([extra]));
        prop_assert!(after >= before, "{weights:?} + {extra}: {before} -> {after}");
    }

    #[test]
    fn cidr_table_answers_as_a_linear_scan(
        nets in prop::collection::vec((any::<u32>(), 0u8..=32), 1..40),
        probes in prop::collection::vec(any::<u32>(), 1..60),
    ) {
        let nets: Vec<IpNet> = nets
            .into_iter()
            .map(|(a, len)| IpNet::new(std::net::Ipv4Addr::from(a).into(), len).unwrap().trunc())
            .collect();
        // Probe near the edges of every range as well as at random.
        let mut addrs = probes;
        for n in &nets {
            if let IpNet::V4(v4) = n {
                let (lo, hi) = (u32::from(v4.network()), u32::from(v4.broadcast()));
                addrs.extend([lo, hi, lo.wrapping_sub(1), hi.wrapping_add(1)]);
            }
        }
        let table = CidrTable::new(nets.iter().copied().zip(0usize..));
        for a in addrs {
            let ip = std::net::IpAddr::V4(a.into());
            // Most specific wins; among equal prefixes the first given.
            let expected = nets
                .iter()
                .enumerate()
                .filter(|(_, n)| n.contains(&ip))
                .max_by_key(|(i, n)| (n.prefix_len(), std::cmp::Reverse(*i)))
                .map(|(i, _)| i);
            prop_assert_eq!(table.lookup(ip).copied(), expected, "address {}", ip);
        }
    }
}

/// Small pools, so that generated events collide on recipients,
/// addresses, links and times the way real campaigns do.
fn event() -> impl Strategy<Value = Click> {
    let agents = prop::sample::select(vec![
        CHROME,
        IPHONE,
        OLD_CHROME,
        "Microsoft Office Existence Discovery",
        "curl/8.5.0",
        "",
    ]);
    (
        0usize..6,
        0u32..400,
        prop::sample::select(vec![
            "198.51.100.1",
            "198.51.100.2",
            "40.92.1.1",
            "203.0.113.9",
        ]),
        agents,
        prop::sample::select(vec!["main", "unsubscribe", "hidden"]),
        0u8..10,
        prop::sample::select(vec!["GET", "HEAD"]),
        0u8..2,
    )
        .prop_map(|(r, tenths, ip, agent, link, kind, method, campaign)| {
            let mut c = on_link(
                click(&format!("r{r}"), f64::from(tenths) * 2.5, ip, agent),
                link,
            );
            c.honeypot = link == "hidden";
            c.method = method.into();
            c.campaign = format!("c{campaign}");
            match kind {
                0 => {
                    c.kind = EventKind::Report;
                    c.ip = None;
                }
                1 => c.kind = EventKind::Open,
                _ => {}
            }
            c
        })
}

fn stream_all(clicks: &[Click], settings_cap: Option<usize>) -> (Vec<(u8, String)>, usize) {
    let engine = engine();
    let mut cache = Cache::new();
    let mut stream = Stream::new(engine);
    if let Some(cap) = settings_cap {
        stream.set_max_tracked_keys(cap);
    }
    let mut sorted = clicks.to_vec();
    sorted.sort_by_key(|c| c.at);
    let mut judged = Vec::new();
    let mut most_keys = 0;
    for c in sorted {
        stream.push(c).unwrap();
        judged.extend(stream.ready(engine, &mut cache));
        most_keys = most_keys.max(stream.tracked_keys());
    }
    judged.extend(stream.finish(engine, &mut cache));
    let mut out: Vec<(u8, String)> = judged
        .into_iter()
        .map(|j| (j.assessment.score, format!("{:?}", j.click)))
        .collect();
    out.sort();
    (out, most_keys)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn verdicts_do_not_depend_on_input_order(
        clicks in prop::collection::vec(event(), 1..40),
        seed in any::<u64>(),
    ) {
        let engine = engine();
        let first = assess_log(engine, &clicks, &mut Cache::new());
        let mut order: Vec<usize> = (0..clicks.len()).collect();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..order.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            order.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let shuffled: Vec<Click> = order.iter().map(|&i| clicks[i].clone()).collect();
        let second = assess_log(engine, &shuffled, &mut Cache::new());
        for (k, &i) in order.iter().enumerate() {
            prop_assert_eq!(&second[k], &first[i]);
        }
    }

    #[test]
    fn batch_equals_streaming(clicks in prop::collection::vec(event(), 1..40)) {
        let engine = engine();
        let batch = assess_log(engine, &clicks, &mut Cache::new());
        let mut from_batch: Vec<(u8, String)> = clicks
            .iter()
            .zip(&batch)
            .filter(|(c, _)| c.kind != EventKind::Report)
            .map(|(c, a)| (a.score, format!("{c:?}")))
            .collect();
        from_batch.sort();
        let (streamed, _) = stream_all(&clicks, None);
        prop_assert_eq!(from_batch, streamed);
    }
}

#[test]
fn state_stays_within_its_cap_under_a_flood_of_unique_keys() {
    let cap = 500;
    let clicks: Vec<Click> = (0..20_000u32)
        .map(|i| {
            let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i * 7).to_string();
            click(&format!("flood{i}@x"), f64::from(i) * 0.01, &ip, CHROME)
        })
        .collect();
    let (judged, most_keys) = stream_all(&clicks, Some(cap));
    assert_eq!(judged.len(), clicks.len(), "every event is still judged");
    // One event adds at most a handful of keys before the cap is enforced.
    assert!(
        most_keys <= cap + 8,
        "held {most_keys} keys with a cap of {cap}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// `in` over a list of numbers, which the engine searches by bisection,
    /// answers as a linear scan would, whatever the list's order and
    /// repeats. The list is tested on the time after delivery, which is
    /// read per click.
    #[test]
    fn number_lists_answer_as_a_linear_scan(
        list in prop::collection::vec(-5i32..40, 1..12),
        probes in prop::collection::vec(-5i32..40, 1..8),
    ) {
        let written: Vec<String> = list.iter().map(|n| n.to_string()).collect();
        let rule = format!(
            "[[rule]]\nid = \"local.listed-delay\"\ndescription = \"d\"\n\
             when = 'delay in [{}]'\nweight = 50\nsource = \"unknown\"\n",
            written.join(", ")
        );
        let engine = clicksift::Engine::builder()
            .default_rules(false)
            .rules("listed.toml", rule)
            .build()
            .unwrap();
        let mut cache = Cache::new();
        for secs in probes {
            let c = click("p@x", f64::from(secs), "198.51.100.7", CHROME);
            let fired = !engine.assess(&c, &mut cache).reasons.is_empty();
            prop_assert_eq!(fired, list.contains(&secs), "delay {} in {:?}", secs, list);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The fast path for UTC times answers exactly as chrono's RFC 3339
    /// parser: the same instant, or an error for the same texts.
    #[test]
    fn times_parse_as_chrono_parses_them(
        (year, month, day) in (0u32..10000, 0u32..14, 0u32..33),
        (hour, minute, second) in (0u32..26, 0u32..62, 0u32..62),
        fraction in prop::option::of("[0-9]{1,11}"),
        separator in prop::sample::select(vec!["T", "T", "T", "t", " ", "x"]),
        zone in prop::sample::select(vec!["Z", "Z", "Z", "z", "+01:30", "-00:00", "", "ZZ"]),
    ) {
        let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
        let text = format!(
            "{year:04}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{fraction}{zone}"
        );
        let ours = clicksift::click::parse_time(&text).ok();
        let theirs = chrono::DateTime::parse_from_rfc3339(&text)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc));
        prop_assert_eq!(ours, theirs, "{}", text);
    }
}
