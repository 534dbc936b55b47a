//! The campaign heuristics, one by one, with the traps a careless
//! heuristic falls into.

mod common;

use clicksift::campaign::{Stream, assess_log};
use clicksift::{Assessment, Cache, Click, Source, Verdict};
use common::*;

fn judge(clicks: &[Click]) -> Vec<Assessment> {
    assess_log(engine(), clicks, &mut Cache::new())
}

fn fired(a: &Assessment, rule: &str) -> bool {
    a.reasons.iter().any(|r| &*r.rule == rule)
}

#[test]
fn corporate_nat_spread_over_hours_stays_human() {
    let clicks: Vec<Click> = (0..6)
        .map(|i| {
            click(
                &format!("p{i}@corp.example"),
                1800.0 + 2400.0 * i as f64,
                "192.0.2.10",
                CHROME,
            )
        })
        .collect();
    for a in judge(&clicks) {
        assert_eq!(a.verdict, Verdict::Human, "{a:?}");
        assert_eq!(a.source, Source::Recipient);
    }
}

#[test]
fn one_unlisted_address_fanning_out_soon_after_delivery_is_a_gateway() {
    // A current browser from an address in no catalogue: only the fan-out
    // across recipients within seconds gives it away.
    let clicks: Vec<Click> = (0..5)
        .map(|i| {
            click(
                &format!("p{i}@corp.example"),
                40.0 + i as f64,
                "198.51.100.77",
                CHROME,
            )
        })
        .collect();
    for a in judge(&clicks) {
        assert!(fired(&a, "campaign.fanout"), "{a:?}");
        assert_eq!(a.verdict, Verdict::Machine, "{a:?}");
        assert_eq!(a.source, Source::MailGateway);
    }
}

#[test]
fn a_fast_human_and_a_double_click_are_not_machines() {
    let clicks = [
        click("eve@example.com", 7.0, "198.51.100.9", IPHONE),
        click("eve@example.com", 7.8, "198.51.100.9", IPHONE),
    ];
    for a in judge(&clicks) {
        assert_ne!(a.verdict, Verdict::Machine, "{a:?}");
        assert!(!fired(&a, "campaign.burst"));
    }
}

#[test]
fn a_burst_of_requests_for_one_recipient_is_a_machine() {
    let clicks: Vec<Click> = (0..5)
        .map(|i| {
            click(
                "bob@example.com",
                300.0 + 0.4 * i as f64,
                "198.51.100.8",
                CHROME,
            )
        })
        .collect();
    let all = judge(&clicks);
    assert!(all.iter().all(|a| fired(a, "campaign.burst")), "{all:?}");
    assert!(all.iter().all(|a| a.verdict == Verdict::Machine));
}

#[test]
fn office_probe_is_machine_and_the_persons_request_after_it_is_human() {
    let mut probe = click(
        "dee@example.com",
        900.0,
        "198.51.100.23",
        "Microsoft Office Existence Discovery",
    );
    probe.method = "HEAD".into();
    let own = click("dee@example.com", 900.6, "198.51.100.23", CHROME);
    let result = judge(&[own, probe]);
    assert_eq!(result[1].verdict, Verdict::Machine);
    assert_eq!(result[1].source, Source::Prefetch);
    assert!(fired(&result[1], "campaign.probe"));
    assert_eq!(result[0].verdict, Verdict::Human, "{:?}", result[0]);
    assert!(fired(&result[0], "campaign.follows-probe"));
}

#[test]
fn a_single_link_scanned_once_from_a_published_range_is_caught_per_click() {
    let a = &judge(&[click("ann@example.com", 45.0, "209.222.82.40", CHROME)])[0];
    assert_eq!(a.verdict, Verdict::Machine);
    assert_eq!(a.source, Source::MailGateway);
    assert!(a.reasons.iter().all(|r| !r.rule.starts_with("campaign.")));
}

#[test]
fn report_then_an_analysts_visit_hours_later_is_an_investigator() {
    let clicks = [
        report("eve@example.com", 120.0),
        click(
            "eve@example.com",
            120.0 + 3.0 * 3600.0,
            "203.0.113.50",
            CHROME,
        ),
    ];
    let a = &judge(&clicks)[1];
    assert_eq!(a.source, Source::Investigator, "{a:?}");
    assert_eq!(a.verdict, Verdict::Machine);
}

#[test]
fn after_a_report_the_recipients_own_device_is_still_the_recipient() {
    let clicks = [
        click("eve@example.com", 60.0 * 30.0, "86.12.44.9", IPHONE),
        report("eve@example.com", 60.0 * 31.0),
        click("eve@example.com", 60.0 * 45.0, "86.12.44.9", IPHONE),
    ];
    let result = judge(&clicks);
    assert_eq!(result[2].verdict, Verdict::Human, "{:?}", result[2]);
    assert_eq!(result[2].source, Source::Recipient);
}

#[test]
fn a_sandbox_after_a_report_is_a_sandbox_not_an_investigator() {
    let headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    HeadlessChrome/144.0.0.0 Safari/537.36";
    let clicks = [
        report("kim@example.com", 100.0),
        click("kim@example.com", 700.0, "34.120.4.2", headless),
    ];
    let a = &judge(&clicks)[1];
    assert_eq!(a.source, Source::Sandbox, "{a:?}");
}

#[test]
fn honeypot_hit_marks_requests_around_it() {
    let clicks = [
        on_link(
            click("cy@example.com", 33.0, "198.51.100.60", CHROME),
            "hidden",
        ),
        click("cy@example.com", 34.0, "198.51.100.61", CHROME),
        click("zed@example.com", 36.0, "198.51.100.60", CHROME),
        click("cy@example.com", 4000.0, "86.12.44.10", CHROME),
    ];
    let mut clicks = clicks.to_vec();
    clicks[0].honeypot = true;
    let result = judge(&clicks);
    assert!(fired(&result[0], "campaign.honeypot"));
    assert!(
        fired(&result[1], "campaign.honeypot-near"),
        "same recipient: {:?}",
        result[1]
    );
    assert!(
        fired(&result[2], "campaign.honeypot-near"),
        "same address: {:?}",
        result[2]
    );
    assert!(result[..3].iter().all(|a| a.verdict == Verdict::Machine));
    assert_eq!(
        result[3].verdict,
        Verdict::Human,
        "an hour later is the person: {:?}",
        result[3]
    );
}

#[test]
fn a_sweep_of_every_link_and_the_open_with_it_are_the_scanner() {
    let mut clicks: Vec<Click> = ["main", "unsubscribe", "privacy"]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            on_link(
                click(
                    "gus@example.com",
                    50.0 + 0.3 * i as f64,
                    "198.51.100.90",
                    CHROME,
                ),
                l,
            )
        })
        .collect();
    let mut open = click("gus@example.com", 50.2, "198.51.100.90", CHROME);
    open.kind = clicksift::EventKind::Open;
    open.link = None;
    clicks.push(open);
    let result = judge(&clicks);
    assert!(
        result[..3]
            .iter()
            .all(|a| fired(a, "campaign.sweep") && a.verdict == Verdict::Machine)
    );
    assert!(fired(&result[3], "campaign.open-with-sweep"));
    assert_eq!(result[3].verdict, Verdict::Machine);
}

#[test]
fn rotating_addresses_within_one_detonation() {
    let clicks: Vec<Click> = (0..3)
        .map(|i| {
            click(
                "hal@example.com",
                70.0 + i as f64 * 5.0,
                &format!("198.51.100.{}", 120 + i),
                CHROME,
            )
        })
        .collect();
    let result = judge(&clicks);
    assert!(
        result
            .iter()
            .all(|a| fired(a, "campaign.rotating-addresses")),
        "{result:?}"
    );
}

#[test]
fn outdated_against_the_campaigns_own_browsers() {
    // Chrome 140 is recent by the calendar on the click's date, but the
    // campaign's people all run 149 or later: behind by nine majors.
    let newest = CHROME.replace("Chrome/145", "Chrome/149");
    let older = CHROME.replace("Chrome/145", "Chrome/140");
    let mut clicks: Vec<Click> = (0..4)
        .map(|i| {
            click(
                &format!("p{i}@x.example"),
                3000.0 * (i + 1) as f64,
                &format!("198.51.100.{i}"),
                &newest,
            )
        })
        .collect();
    clicks.push(click("old@x.example", 5000.0, "198.51.100.200", &older));
    let result = judge(&clicks);
    assert!(
        fired(&result[4], "campaign.outdated-browser"),
        "{:?}",
        result[4]
    );
    assert!(
        result[..4]
            .iter()
            .all(|a| !fired(a, "campaign.outdated-browser"))
    );
}

#[test]
fn streaming_rejects_events_out_of_time_order_and_keeps_going() {
    let engine = engine();
    let mut cache = Cache::new();
    let mut stream = Stream::new(engine);
    assert!(
        stream
            .push(click("a@x", 100.0, "198.51.100.1", CHROME))
            .is_ok()
    );
    let err = stream
        .push(click("b@x", 50.0, "198.51.100.2", CHROME))
        .unwrap_err();
    assert!(err.to_string().contains("50.000 s older"), "{err}");
    assert!(
        stream
            .push(click("c@x", 200.0, "198.51.100.3", CHROME))
            .is_ok()
    );
    let judged = stream.finish(engine, &mut cache);
    let recipients: Vec<&str> = judged.iter().map(|j| j.click.recipient.as_str()).collect();
    assert_eq!(recipients, ["a@x", "c@x"]);
}

#[test]
fn streaming_holds_an_event_only_until_its_horizon_has_passed() {
    let engine = engine();
    let horizon = engine.campaign_settings().horizon();
    let mut cache = Cache::new();
    let mut stream = Stream::new(engine);
    stream
        .push(click("a@x", 100.0, "198.51.100.1", CHROME))
        .unwrap();
    stream
        .push(click("b@x", 100.0 + horizon, "198.51.100.2", CHROME))
        .unwrap();
    assert!(
        stream.ready(engine, &mut cache).is_empty(),
        "at the horizon it can still change"
    );
    stream
        .push(click(
            "c@x",
            100.0 + horizon + 0.001,
            "198.51.100.3",
            CHROME,
        ))
        .unwrap();
    let ready = stream.ready(engine, &mut cache);
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].click.recipient, "a@x");
}

#[test]
fn visiting_judgements_gives_what_the_lists_give() {
    let engine = engine();
    let mut clicks: Vec<Click> = ["main", "unsubscribe", "privacy"]
        .iter()
        .enumerate()
        .map(|(i, link)| {
            on_link(
                click("dee@x", 20.0 + i as f64, "198.51.100.9", CHROME),
                link,
            )
        })
        .collect();
    clicks.push(report("dee@x", 600.0));
    clicks.push(click("dee@x", 7200.0, "86.12.44.10", CHROME));
    let horizon = engine.campaign_settings().horizon();
    clicks.push(click(
        "eve@x",
        7200.0 + 2.0 * horizon,
        "86.12.44.11",
        CHROME,
    ));

    let (mut listed, mut visited) = (Vec::new(), Vec::new());
    let (mut by_list, mut by_visit) = (Stream::new(engine), Stream::new(engine));
    let mut cache = Cache::new();
    for c in &clicks {
        by_list.push(c.clone()).unwrap();
        by_visit.push(c.clone()).unwrap();
        for j in by_list.ready(engine, &mut cache) {
            listed.push((j.seq, j.click.recipient, j.assessment));
        }
        by_visit.ready_with(engine, &mut cache, |seq, c, a| {
            visited.push((seq, c.recipient.clone(), a));
        });
        assert_eq!(listed, visited, "as the stream goes");
    }
    for j in by_list.finish(engine, &mut cache) {
        listed.push((j.seq, j.click.recipient, j.assessment));
    }
    by_visit.finish_with(engine, &mut cache, |seq, c, a| {
        visited.push((seq, c.recipient.clone(), a));
    });
    // Every event but the report, each once, and the sweep caught.
    assert_eq!(listed, visited);
    assert_eq!(visited.len(), clicks.len() - 1);
    assert!(
        visited[..3]
            .iter()
            .all(|(_, _, a)| fired(a, "campaign.sweep"))
    );
}
