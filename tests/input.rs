//! The input readers, format by format, on the fixtures in fixtures/input.

use std::io::Cursor;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use clicksift::input::{
    self, BAD_REQUEST, CombinedOptions, CsvMapping, Format, InputRecord, MAX_RECORD_BYTES,
    NO_RECIPIENT, Skipped,
};
use clicksift::{EventKind, RecordError};
use proptest::prelude::*;

type Item = Result<InputRecord, RecordError>;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/input/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_all(format: Format, bytes: &[u8]) -> (Vec<Item>, Skipped) {
    let mut records = input::read(format, Cursor::new(bytes.to_vec())).expect("readable input");
    let items: Vec<Item> = records.by_ref().collect();
    (items, records.skipped().clone())
}

fn records(items: &[Item]) -> Vec<&InputRecord> {
    items.iter().filter_map(|i| i.as_ref().ok()).collect()
}

fn errors(items: &[Item]) -> Vec<&RecordError> {
    items.iter().filter_map(|i| i.as_ref().err()).collect()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test time")
        .with_timezone(&Utc)
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("test address"))
}

const CHROME_101: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/101.0.4951.54 Safari/537.36";
const CHROME_145: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36";

// ---- JSON Lines ----

/// Fields read into other types (kind, times, address, method) are taken
/// from the line itself when they hold no escape; escaped, null and
/// numeric values must still read as they always have.
#[test]
fn json_records_read_escaped_null_and_numeric_values() {
    use clicksift::Click;

    let escaped = r#"{"id":7,"kind":"op\u0065n","campaign":"c1","recipient":"a@x","at":"2026-03-02T09:00:05\u005a","sent_at":null,"delivered_at":"2026-03-02T09:00:01Z","ip":"192.0.2.\u0031","method":" p\u006fst "}"#;
    let click = Click::from_json(escaped, 3).expect("an escaped record reads");
    assert_eq!(click.id.as_deref(), Some("7"));
    assert_eq!(click.kind, EventKind::Open);
    assert_eq!(click.at, at("2026-03-02T09:00:05Z"));
    assert_eq!(click.sent_at, None);
    assert_eq!(click.delivered_at, Some(at("2026-03-02T09:00:01Z")));
    assert_eq!(click.ip, ip("192.0.2.1"));
    assert_eq!(click.method, "POST");

    let ids = [
        ("-7", "-7"),
        ("7.5", "7.5"),
        ("\"k\\\"9\"", "k\"9"),
        ("null", "4"),
    ];
    for (id, shown) in ids {
        let line = format!(
            r#"{{"id":{id},"campaign":"c1","recipient":"a@x","at":"2026-03-02T09:00:05Z","ip":"192.0.2.1"}}"#
        );
        let click = Click::from_json(&line, 4).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(click.id_or(4), shown, "{line}");
        assert_eq!(click.method, "GET");
    }

    // serde_json words these; the field is found again in the record.
    let wrong = [
        (
            r#""id":true,"at":"2026-03-02T09:00:05Z""#,
            "id",
            "invalid type: boolean",
        ),
        (r#""at":5"#, "at", "invalid type: integer"),
        (
            r#""at":"2026-03-02T09:00:05Z","honeypot":"yes""#,
            "honeypot",
            "invalid type: string",
        ),
        (
            r#""at":"2026-03-02T09:00:05Z","headers":{"dnt":1}"#,
            "headers",
            "invalid type: integer",
        ),
        (
            r#""sent_at":["x"],"at":7"#,
            "sent_at",
            "invalid type: sequence",
        ),
        (
            r#""at":"2026-03-02T09:00:05Z","ip":"192.0.2.2""#,
            "ip",
            "duplicate field",
        ),
    ];
    for (members, field, message) in wrong {
        let line = format!(r#"{{"campaign":"c1","recipient":"a@x","ip":"192.0.2.1",{members}}}"#);
        let e = Click::from_json(&line, 9).expect_err(members);
        assert_eq!((e.line(), e.field()), (9, Some(field)), "{members}: {e}");
        assert!(e.message().starts_with(message), "{members}: {e}");
    }
    let not_an_object = Click::from_json("[1, 2]", 5).expect_err("an array");
    assert_eq!(not_an_object.field(), None);
    let missing = r#"{"campaign":"c1","recipient":"a@x","ip":"192.0.2.1"}"#;
    let e = Click::from_json(missing, 2).expect_err("no time");
    assert_eq!((e.field(), e.message()), (Some("at"), "missing field"));
}

#[test]
fn json_lines_skip_blank_lines_and_report_bad_ones_by_line() {
    let text = b"{\"campaign\":\"c1\",\"recipient\":\"a@x\",\"at\":\"2026-03-02T09:00:05Z\",\"ip\":\"192.0.2.1\"}\n\
\n   \n\
{\"campaign\":\"c1\",\"recipient\":\"b@x\",\"at\":\"2026-03-02T09:00:06Z\",\"ip\":\"300.1.1.1\"}\n\
{\"campaign\":\"c1\",\"recipient\":\"\xff\",\"at\":\"2026-03-02T09:00:06Z\"}\n\
{\"id\":\"k9\",\"kind\":\"open\",\"campaign\":\"c1\",\"recipient\":\"c@x\",\"at\":\"2026-03-02T09:00:07Z\",\"ip\":\"192.0.2.3\"}\r\n";
    let (items, skipped) = read_all(Format::JsonLines, text);

    assert_eq!(items.len(), 4, "{items:?}");
    let ok = records(&items);
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].line, 1);
    assert_eq!(ok[0].click.recipient, "a@x");
    assert_eq!(ok[0].click.at, at("2026-03-02T09:00:05Z"));
    assert_eq!(ok[1].line, 6, "CRLF line read after the bad ones");
    assert_eq!(ok[1].click.id.as_deref(), Some("k9"));
    assert_eq!(ok[1].click.kind, EventKind::Open);

    let bad = errors(&items);
    assert_eq!((bad[0].line(), bad[0].field()), (4, Some("ip")));
    assert_eq!(bad[1].line(), 5);
    assert!(bad[1].message().contains("UTF-8"), "{}", bad[1]);
    assert!(skipped.is_empty(), "blank lines are not events");
}

#[test]
fn json_lines_over_the_record_limit_is_an_error_and_reading_goes_on() {
    let mut text = vec![b'{'];
    text.resize(MAX_RECORD_BYTES + 10, b' ');
    text.extend_from_slice(b"}\n");
    text.extend_from_slice(
        b"{\"campaign\":\"c\",\"recipient\":\"r\",\"at\":\"2026-01-01T00:00:00Z\",\"ip\":\"::1\"}\n",
    );
    let (items, _) = read_all(Format::JsonLines, &text);

    assert_eq!(items.len(), 2);
    let err = items[0].as_ref().expect_err("too long");
    assert_eq!(err.line(), 1);
    assert!(err.message().contains("longer than"), "{err}");
    assert_eq!(items[1].as_ref().expect("second line").line, 2);
}

// ---- CSV ----

#[test]
fn csv_default_mapping_reads_columns_named_like_fields() {
    let text = "\u{feff}id,Campaign,recipient,at,ip,user_agent,honeypot,header:Referer,notes\r\n\
                7,c1,a@example.com,2026-03-02T09:00:05Z,192.0.2.1,\"Mozilla/5.0 (X11; Linux x86_64), \"\"quoted\"\"\",yes,https://mail.example.com/,ignored\r\n\
                ,c1,b@example.com,2026-03-02T09:00:06+01:00,2001:db8::5,,,,\r\n";
    let (items, _) = read_all(Format::Csv(CsvMapping::new()), text.as_bytes());
    let ok = records(&items);

    assert_eq!(ok.len(), 2, "{items:?}");
    let first = &ok[0].click;
    assert_eq!(ok[0].line, 2);
    assert_eq!(first.id.as_deref(), Some("7"));
    assert_eq!(first.campaign, "c1");
    assert_eq!(
        first.user_agent.as_deref(),
        Some("Mozilla/5.0 (X11; Linux x86_64), \"quoted\"")
    );
    assert!(first.honeypot);
    assert_eq!(first.header("referer"), Some("https://mail.example.com/"));
    assert_eq!(ok[1].line, 3);
    assert_eq!(ok[1].click.id, None);
    assert_eq!(ok[1].click.at, at("2026-03-02T08:00:06Z"));
    assert_eq!(ok[1].click.ip, ip("2001:db8::5"));
    assert_eq!(ok[1].click.user_agent, None, "an empty cell is absent");
}

#[test]
fn csv_mapping_renames_columns_and_gives_a_campaign() {
    let text = "Timestamp,Email,Client IP,Browser,Method\n\
                2026-03-02T09:00:05Z,a@example.com,192.0.2.1,curl/8.5.0,head\n";
    let mapping =
        CsvMapping::parse("at=Timestamp, recipient=Email,ip=client ip,user_agent=Browser")
            .expect("mapping")
            .campaign("q1");
    let (items, _) = read_all(Format::Csv(mapping), text.as_bytes());
    let click = &items[0].as_ref().expect("record").click;

    assert_eq!(click.campaign, "q1");
    assert_eq!(click.recipient, "a@example.com");
    assert_eq!(click.ip, ip("192.0.2.1"));
    assert_eq!(click.user_agent.as_deref(), Some("curl/8.5.0"));
    assert_eq!(
        click.method, "HEAD",
        "an unmapped field still comes from its own column"
    );
}

#[test]
fn csv_mapping_naming_a_missing_column_fails_the_whole_input() {
    let mapping = CsvMapping::new()
        .column("recipient", "Email")
        .expect("known field");
    let text = "recipient,at,ip\nr,2026-03-02T09:00:05Z,192.0.2.1\n";
    let err = input::read(Format::Csv(mapping), Cursor::new(text)).expect_err("no Email column");

    assert_eq!(err.column(), Some("Email"));
    assert!(err.message().contains("recipient"), "{err}");
    assert!(
        CsvMapping::new().column("recipent", "x").is_err(),
        "misspelt field"
    );
    assert!(CsvMapping::parse("recipient").is_err(), "pair without =");
}

#[test]
fn csv_bad_rows_name_line_and_field_and_later_rows_come_through() {
    let mut text = b"campaign,recipient,at,ip,honeypot\n".to_vec();
    text.extend_from_slice(b"c,\xffbad,2026-03-02T09:00:05Z,192.0.2.1,\n");
    text.extend_from_slice(b"c,r2,2026-03-02T09:00:05Z,192.0.2.1,maybe\n");
    text.extend_from_slice(b"c,r3\n");
    text.extend_from_slice(b"c,\"multi\nline\",yesterday,192.0.2.1,\n");
    text.extend_from_slice(b"c,r5,2026-03-02T09:00:09Z,192.0.2.9,0\n");
    let (items, _) = read_all(Format::Csv(CsvMapping::new()), &text);

    let found: Vec<_> = errors(&items)
        .iter()
        .map(|e| (e.line(), e.field()))
        .collect();
    assert_eq!(
        found,
        [
            (2, Some("recipient")),
            (3, Some("honeypot")),
            (4, Some("at")),
            (5, Some("at"))
        ]
    );
    let last = records(&items);
    assert_eq!(last.len(), 1);
    assert_eq!((last[0].line, last[0].click.recipient.as_str()), (7, "r5"));
}

// ---- GoPhish raw events ----

fn gophish_skips(skipped: &Skipped) {
    assert_eq!(skipped.count("Campaign Created"), 1);
    assert_eq!(skipped.count("Email Sent"), 3);
    assert_eq!(skipped.count("Error Sending Email"), 1);
    assert_eq!(skipped.total(), 5);
}

#[test]
fn gophish_raw_events_fixture() {
    let (items, skipped) = read_all(Format::GoPhishEvents, &fixture("gophish-raw-events.csv"));
    assert!(errors(&items).is_empty(), "{items:?}");
    let ok = records(&items);

    let lines: Vec<u64> = ok.iter().map(|r| r.line).collect();
    assert_eq!(lines, [7, 8, 9, 10, 11, 12, 13, 14]);

    // The gateway's click, seconds after sending.
    let scan = &ok[1].click;
    assert_eq!(scan.kind, EventKind::Click);
    assert_eq!(scan.campaign, "7");
    assert_eq!(scan.recipient, "alice@example.com");
    assert_eq!(scan.at, at("2026-03-02T09:00:05.312Z"));
    assert_eq!(scan.sent_at, Some(at("2026-03-02T09:00:01.204519Z")));
    assert_eq!(scan.ip, ip("40.107.208.45"));
    assert_eq!(scan.user_agent.as_deref(), Some(CHROME_101));
    assert_eq!((scan.method.as_str(), scan.link.as_deref()), ("GET", None));
    assert_eq!(scan.delay_secs(), Some(4.107));

    assert_eq!(ok[0].click.kind, EventKind::Open);
    let submit = &ok[4].click;
    assert_eq!(
        (submit.kind, submit.link.as_deref(), submit.method.as_str()),
        (EventKind::Click, Some("submit"), "POST")
    );
    assert_eq!(submit.user_agent.as_deref(), Some(CHROME_145));
    let report = &ok[5].click;
    assert_eq!(
        (report.kind, report.recipient.as_str()),
        (EventKind::Report, "carol@example.org")
    );
    assert_eq!(report.sent_at, Some(at("2026-03-02T09:00:02.4402Z")));
    assert_eq!(ok[7].click.ip, ip("40.94.89.21"));
    gophish_skips(&skipped);
}

#[test]
fn gophish_raw_events_bad_rows_are_named_and_reading_goes_on() {
    let mut text = b"campaign_id,email,time,message,details\r\n".to_vec();
    text.extend_from_slice(b"3,a@x,March 2,Email Sent,\r\n");
    text.extend_from_slice(b"3,a@x,2026-03-02T09:00:05Z,Clicked Link,\"{\"\"browser\"\":\"\r\n");
    text.extend_from_slice(b"3,\xe9@x,2026-03-02T09:00:05Z,Clicked Link,\r\n");
    text.extend_from_slice(b"3,b@x,2026-03-02T09:00:05Z,Clicked Link,\"{\"\"browser\"\":{}}\"\r\n");
    text.extend_from_slice(b"3,'-c@x,2026-03-02T09:00:06Z,Email Reported,\r\n");
    text.extend_from_slice(b"3,c@x,2026-03-02T09:00:07Z,Proxied request,\r\n");
    let (items, skipped) = read_all(Format::GoPhishEvents, &text);

    let found: Vec<_> = errors(&items)
        .iter()
        .map(|e| (e.line(), e.field()))
        .collect();
    assert_eq!(
        found,
        [
            (2, Some("time")),
            (3, Some("details")),
            (4, Some("email")),
            (5, Some("ip"))
        ]
    );
    let ok = records(&items);
    assert_eq!(ok.len(), 1);
    assert_eq!(
        ok[0].click.recipient, "-c@x",
        "spreadsheet formula quote undone"
    );
    assert_eq!(
        (ok[0].click.kind, ok[0].click.ip),
        (EventKind::Report, None)
    );
    assert_eq!(skipped.count("Proxied request"), 1);
    assert_eq!(
        skipped.count("Email Sent"),
        1,
        "a bad send is still a skipped event"
    );
}

#[test]
fn gophish_raw_events_need_their_columns() {
    let err = input::read(
        Format::GoPhishEvents,
        Cursor::new("campaign_id,email,time,message\n"),
    )
    .expect_err("no details column");
    assert_eq!(err.column(), Some("details"));
}

// ---- GoPhish campaign timeline ----

#[test]
fn gophish_timeline_gives_the_same_clicks_as_the_raw_export() {
    let (events, _) = read_all(Format::GoPhishEvents, &fixture("gophish-raw-events.csv"));
    let (timeline, skipped) = read_all(Format::GoPhishTimeline, &fixture("gophish-campaign.json"));
    assert!(errors(&timeline).is_empty(), "{timeline:?}");

    let from_csv = records(&events);
    let from_json = records(&timeline);
    assert_eq!(from_json.len(), from_csv.len());
    for (json, csv) in from_json.iter().zip(&from_csv) {
        assert_eq!(json.click, csv.click);
        assert_eq!(
            json.line + 1,
            csv.line,
            "position in the timeline, header not counted"
        );
    }
    gophish_skips(&skipped);
}

#[test]
fn gophish_timeline_uses_the_document_id_and_reads_compact_documents() {
    let doc = r#"{"id":12,"name":"x","template":{"html":"<a href=\"{{.URL}}\">]}</a>"},"results":[{"id":"r"}],"timeline":[{"email":"a@x","time":"2026-03-02T09:00:00Z","message":"Email Sent","details":""},{"email":"a@x","time":"2026-03-02T09:00:03Z","message":"Email Opened","details":"{\"payload\":{\"rid\":[\"r\"]},\"browser\":{\"address\":\"192.0.2.8\",\"user-agent\":\"\"}}"}],"url":"u"}"#;
    let (items, _) = read_all(Format::GoPhishTimeline, doc.as_bytes());

    assert_eq!(items.len(), 1, "{items:?}");
    let record = items[0].as_ref().expect("open");
    assert_eq!(record.line, 2);
    assert_eq!(record.click.campaign, "12");
    assert_eq!(record.click.sent_at, Some(at("2026-03-02T09:00:00Z")));
    assert_eq!(
        record.click.user_agent, None,
        "an empty user agent is absent"
    );
}

#[test]
fn gophish_timeline_structure_errors_stop_reading_with_a_clear_error() {
    let (items, _) = read_all(Format::GoPhishTimeline, br#"{"id":1,"name":"no events"}"#);
    assert_eq!(items.len(), 1);
    assert!(
        errors(&items)[0].message().contains("no `timeline`"),
        "{items:?}"
    );

    let truncated = br#"{"id":1,"timeline":[{"email":"a@x","time":"2026-03-02T09:00:03Z","message":"Email Reported"},{"email":"b@x","#;
    let (items, _) = read_all(Format::GoPhishTimeline, truncated);
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[0].as_ref().expect("first event").click.recipient,
        "a@x"
    );
    let err = items[1].as_ref().expect_err("truncated");
    assert_eq!(err.line(), 2);
    assert!(err.message().contains("not closed"), "{err}");

    let bad_event = br#"{"timeline":[17,{"campaign_id":"9","email":"c@x","time":"2026-03-02T09:00:03Z","message":"Email Reported"}]}"#;
    let (items, _) = read_all(Format::GoPhishTimeline, bad_event);
    assert_eq!(
        items[0].as_ref().expect_err("a number is no event").line(),
        1
    );
    assert_eq!(items[1].as_ref().expect("second").click.campaign, "9");

    // A member of the wrong type is named, as in the other formats.
    let mistyped = br#"{"timeline":[{"email":"c@x","time":20260302,"message":"Email Reported"},{"email":["d@x"],"time":"x"}]}"#;
    let (items, _) = read_all(Format::GoPhishTimeline, mistyped);
    let fields: Vec<_> = errors(&items)
        .iter()
        .map(|e| (e.line(), e.field()))
        .collect();
    assert_eq!(fields, [(1, Some("time")), (2, Some("email"))], "{items:?}");
}

// ---- Access logs ----

#[test]
fn access_log_fixture() {
    let options = CombinedOptions {
        campaign: "q1".into(),
        ..CombinedOptions::default()
    };
    let (items, skipped) = read_all(Format::Combined(options), &fixture("access.log"));
    assert!(errors(&items).is_empty(), "{items:?}");
    let ok = records(&items);

    let lines: Vec<u64> = ok.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 3, 4, 5, 7, 9]);
    let scan = &ok[0].click;
    assert_eq!(scan.campaign, "q1");
    assert_eq!(scan.recipient, "Xk3mP9q");
    assert_eq!(scan.at, at("2026-03-02T09:00:05Z"));
    assert_eq!(scan.ip, ip("40.107.208.45"));
    assert_eq!(scan.link.as_deref(), Some("/"));
    assert_eq!(scan.url.as_deref(), Some("/?rid=Xk3mP9q"));
    assert_eq!(scan.user_agent.as_deref(), Some(CHROME_101));
    assert!(scan.headers.is_empty(), "a `-` referer is absent");

    let head = &ok[1].click;
    assert_eq!(head.method, "HEAD");
    assert_eq!(head.at, at("2026-03-02T09:12:40Z"), "+0100 zone applied");
    assert_eq!(
        head.user_agent.as_deref(),
        Some("Microsoft Office Existence Discovery")
    );
    let post = &ok[3].click;
    assert_eq!(post.method, "POST");
    assert_eq!(
        post.header("referer"),
        Some("https://phish.example.com/?rid=Qw7nT2a")
    );
    let slack = &ok[4].click;
    assert_eq!(
        (slack.recipient.as_str(), slack.ip),
        ("Lm4sV8c", ip("2001:db8:4::1a"))
    );
    assert_eq!(
        ok[5].click.ip,
        ip("40.94.89.21"),
        "extra trailing fields ignored"
    );

    assert_eq!(skipped.count(NO_RECIPIENT), 2);
    assert_eq!(skipped.count(BAD_REQUEST), 1);
}

#[test]
fn access_log_options_escapes_and_bad_lines() {
    let mut text = Vec::new();
    text.extend_from_slice(b"192.0.2.1 - - [02/Mar/2026:09:00:05 +0000] \"GET /go/x?u=a%40b+c&rid=no HTTP/1.1\" 200 5 \"-\" \"say \\\"hi\\\" \\x22ok\\x22\"\n");
    text.extend_from_slice(
        b"192.0.2.1 - - [32/Mar/2026:09:00:05 +0000] \"GET /?u=a HTTP/1.1\" 200 5 \"-\" \"x\"\n",
    );
    text.extend_from_slice(
        b"192.0.2.1 - - [02/Mar/2026:09:00:05 +0000] \"GET /?u=a HTTP/1.1\" 200 5\n",
    );
    text.extend_from_slice(
        b"192.0.2.1 - - [02/Mar/2026:09:00:05 +0000] \"GET /?u=\xff HTTP/1.1\" 200 5 \"-\" \"x\"\n",
    );
    text.extend_from_slice(
        b"host.example - - [02/Mar/2026:09:00:05 +0000] \"GET /?u=a HTTP/1.1\" 200 5 \"-\" \"x\"\n",
    );
    text.extend_from_slice(b"192.0.2.2 - - [02/Mar/2026:09:00:09 -0500] \"GET http://phish.example.com/p?u=z HTTP/1.1\" 200 5 \"-\" \"-\"\n");
    let options = CombinedOptions {
        recipient_param: "u".into(),
        campaign: "c".into(),
    };
    let (items, _) = read_all(Format::Combined(options), &text);

    let found: Vec<_> = errors(&items)
        .iter()
        .map(|e| (e.line(), e.field()))
        .collect();
    assert_eq!(
        found,
        [(2, Some("at")), (3, None), (4, None), (5, Some("ip"))]
    );
    let ok = records(&items);
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].click.recipient, "a@b c");
    assert_eq!(ok[0].click.link.as_deref(), Some("/go/x"));
    assert_eq!(ok[0].click.user_agent.as_deref(), Some("say \"hi\" \"ok\""));
    let proxied = &ok[1].click;
    assert_eq!(
        (proxied.url.as_deref(), proxied.user_agent.as_deref()),
        (Some("/p?u=z"), None)
    );
    assert_eq!(proxied.at, at("2026-03-02T14:00:09Z"));
}

// ---- Detection ----

#[test]
fn detect_names_each_fixture_format() {
    let sniff = |bytes: &[u8]| input::detect(&bytes[..bytes.len().min(input::SNIFF_LEN)]);
    assert_eq!(
        sniff(&fixture("gophish-raw-events.csv")),
        Some(Format::GoPhishEvents)
    );
    assert_eq!(
        sniff(&fixture("gophish-campaign.json")),
        Some(Format::GoPhishTimeline)
    );
    assert_eq!(
        sniff(&fixture("access.log")),
        Some(Format::Combined(CombinedOptions::default()))
    );
}

#[test]
fn detect_rules_for_json_csv_and_unknown_input() {
    let jsonl = b"\xEF\xBB\xBF\n{\"campaign\":\"c\",\"recipient\":\"r\",\"at\":\"2026-01-01T00:00:00Z\"}\n{";
    assert_eq!(input::detect(jsonl), Some(Format::JsonLines));
    assert_eq!(
        input::detect(br#"{"id":4,"name":"n","created_date":"2026-01-01T00:00:00Z","#),
        Some(Format::GoPhishTimeline)
    );
    assert_eq!(
        input::detect(b"{\n  \"name\": \"x\"\n}\n"),
        None,
        "pretty JSON of another kind"
    );
    assert_eq!(
        input::detect(b"Recipient,campaign,AT,ip\r\nr,c,2026-01-01T00:00:00Z,192.0.2.1\r\n"),
        Some(Format::Csv(CsvMapping::new()))
    );
    assert_eq!(
        input::detect(b"Email,Timestamp\nr,2026\n"),
        None,
        "needs a mapping"
    );
    assert_eq!(
        input::detect(b"{not json\n{\"campaign\":\"c\",\"at\":\"x\"}\n"),
        Some(Format::JsonLines),
        "a broken first record before a whole one"
    );
    assert_eq!(
        input::detect(b"{not json\n{\"campaign\":\"c\",\"at\":\"x\"}"),
        Some(Format::JsonLines),
        "the whole input was seen, so its last line is whole"
    );
    let mut cut = b"{not json\n{\"campaign\":\"c\"}".to_vec();
    cut.resize(input::SNIFF_LEN, b' ');
    assert_eq!(input::detect(&cut), None, "the last line seen may go on");
    assert_eq!(input::detect(b"{not json\n{nor this\n"), None);
    assert_eq!(input::detect(b""), None);
    assert_eq!(input::detect(b"\xff\xfe\x00"), None);
}

// ---- No input makes a reader panic ----

fn all_formats() -> Vec<Format> {
    vec![
        Format::JsonLines,
        Format::Csv(CsvMapping::new().campaign("c")),
        Format::GoPhishEvents,
        Format::GoPhishTimeline,
        Format::Combined(CombinedOptions::default()),
    ]
}

fn drain(format: Format, bytes: &[u8]) {
    let _ = input::detect(bytes);
    if let Ok(records) = input::read(format, Cursor::new(bytes)) {
        for item in records {
            if let Err(e) = item {
                assert!(e.line() >= 1, "{e}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in all_formats() {
            drain(format, &bytes);
        }
    }

    #[test]
    fn damaged_fixtures_are_read_without_panic(
        name in prop::sample::select(vec!["gophish-raw-events.csv", "gophish-campaign.json", "access.log"]),
        cut in 0usize..8000,
        flips in proptest::collection::vec((0usize..8000, any::<u8>()), 0..8),
    ) {
        let mut bytes = fixture(name);
        for (at, byte) in flips {
            let len = bytes.len();
            if let Some(b) = bytes.get_mut(at % len) {
                *b = byte;
            }
        }
        bytes.truncate(cut.min(bytes.len()));
        for format in all_formats() {
            drain(format, &bytes);
        }
    }
}

// ---- Memory stays bounded ----

#[test]
fn an_endless_csv_field_is_cut_off_at_the_record_limit() {
    let mut text = b"campaign,recipient,at,ip\nc,\"".to_vec();
    text.resize(text.len() + 2 * MAX_RECORD_BYTES, b'a');
    let (items, _) = read_all(Format::Csv(CsvMapping::new()), &text);

    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().expect_err("too long");
    assert_eq!(err.line(), 2);
    assert!(err.message().contains("longer than"), "{err}");
}

#[test]
fn a_large_campaign_member_is_skipped_without_being_kept() {
    let mut doc = b"{\"id\":5,\"template\":{\"html\":\"".to_vec();
    doc.resize(doc.len() + 3 * MAX_RECORD_BYTES, b'x');
    doc.extend_from_slice(br#""},"timeline":[{"email":"a@x","time":"2026-03-02T09:00:03Z","message":"Email Reported","details":""}]}"#);
    let (items, _) = read_all(Format::GoPhishTimeline, &doc);

    assert_eq!(items.len(), 1, "{:?}", errors(&items));
    let click = &items[0].as_ref().expect("report").click;
    assert_eq!(
        (click.campaign.as_str(), click.kind),
        ("5", EventKind::Report)
    );
}
