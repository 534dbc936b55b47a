//! Helpers shared by the integration tests: building events tersely.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use clicksift::{Click, EventKind};

/// A current desktop Chrome on the test campaign's date.
pub const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36";
/// A current iPhone Safari.
pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) \
                          AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 \
                          Safari/604.1";
/// Chrome 96 on Windows 7, as gateways present themselves.
pub const OLD_CHROME: &str = "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36";

/// Delivery time of the test campaign: 2026-03-02 09:00:00 UTC.
pub fn delivered() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// A click `secs` after delivery.
pub fn click(recipient: &str, secs: f64, ip: &str, agent: &str) -> Click {
    Click {
        id: None,
        kind: EventKind::Click,
        campaign: "c1".into(),
        recipient: recipient.into(),
        link: Some("main".into()),
        at: delivered() + Duration::milliseconds((secs * 1000.0) as i64),
        sent_at: Some(delivered() - Duration::seconds(2)),
        delivered_at: Some(delivered()),
        ip: Some(ip.parse().unwrap()),
        user_agent: Some(agent.into()),
        method: "GET".into(),
        ..Click::default()
    }
}

/// The same click with another link.
pub fn on_link(mut c: Click, link: &str) -> Click {
    c.link = Some(link.into());
    c
}

/// A report by the recipient `secs` after delivery.
pub fn report(recipient: &str, secs: f64) -> Click {
    let mut c = click(recipient, secs, "127.0.0.1", "");
    c.kind = EventKind::Report;
    c.ip = None;
    c.user_agent = None;
    c
}

/// The default engine, built once per test binary.
pub fn engine() -> &'static clicksift::Engine {
    static ENGINE: std::sync::OnceLock<clicksift::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| clicksift::Engine::with_defaults().expect("default engine"))
}
