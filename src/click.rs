//! The events clicksift judges: clicks, pixel opens and reports.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::json;

/// Longest text accepted in any one field of a record. Longer values are
/// rejected rather than truncated, so that nothing is judged on a part.
pub const MAX_FIELD_LEN: usize = 16 * 1024;

/// Most headers kept from one record.
pub const MAX_HEADERS: usize = 64;

/// What a recorded event is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A request to a tracked link of the message.
    #[default]
    Click,
    /// A load of the tracking pixel.
    Open,
    /// The recipient reported the message as suspicious.
    Report,
}

impl EventKind {
    /// The name used in records and output.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Click => "click",
            EventKind::Open => "open",
            EventKind::Report => "report",
        }
    }
}

/// One event of a campaign, as a phishing-simulation platform records it.
///
/// Only `campaign`, `recipient`, `at` and (for clicks and opens) `ip` are
/// required; everything else sharpens the judgement when present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Click {
    /// The caller's identifier, echoed in the output.
    pub id: Option<String>,
    /// Click, open or report.
    pub kind: EventKind,
    /// Campaign identifier.
    pub campaign: String,
    /// Who the message was sent to.
    pub recipient: String,
    /// Which link of the message was requested.
    pub link: Option<String>,
    /// True for a link that people cannot see.
    pub honeypot: bool,
    /// When the request arrived.
    pub at: DateTime<Utc>,
    /// When the message was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the message reached the mailbox.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Client address; `None` only for reports.
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header, if any was sent.
    pub user_agent: Option<String>,
    /// HTTP method, upper case.
    pub method: String,
    /// Path and query as requested.
    pub url: Option<String>,
    /// Other request headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The PTR name of `ip`, when the caller resolved it.
    pub reverse_dns: Option<String>,
}

impl Click {
    /// Parses one record of the JSON Lines schema.
    ///
    /// `line` is the 1-based line number used in errors and as the default
    /// `id`.
    ///
    /// # Errors
    ///
    /// Returns a [`RecordError`] naming the line and, where one is at fault,
    /// the field: for text that is not JSON, a missing, repeated or
    /// mistyped field, a malformed time or address, or a field longer than
    /// [`MAX_FIELD_LEN`].
    pub fn from_json(text: &str, line: u64) -> Result<Click, RecordError> {
        let raw = match RawClick::plain(text) {
            Some(raw) => raw,
            None => serde_json::from_str(text).map_err(|e| RecordError::json(line, text, &e))?,
        };
        raw.into_click(line)
    }

    /// The `id` to report: the caller's, else the line number.
    pub fn id_or(&self, line: u64) -> String {
        self.id.clone().unwrap_or_else(|| line.to_string())
    }

    /// The moment the delay of this event is measured from, and which one
    /// it is: delivery when known, else sending.
    pub fn anchor(&self) -> Option<(DateTime<Utc>, Anchor)> {
        match (self.delivered_at, self.sent_at) {
            (Some(d), _) => Some((d, Anchor::Delivery)),
            (None, Some(s)) => Some((s, Anchor::Send)),
            (None, None) => None,
        }
    }

    /// Seconds from the anchor to the request; negative when the request
    /// came first.
    pub fn delay_secs(&self) -> Option<f64> {
        let (anchor, _) = self.anchor()?;
        Some((self.at - anchor).num_milliseconds() as f64 / 1000.0)
    }

    /// A header's value by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Which moment a delay is measured from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The message reached the mailbox.
    Delivery,
    /// The message was sent; delivery time unknown.
    Send,
}

impl Anchor {
    /// The name used in reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Delivery => "delivery",
            Anchor::Send => "send",
        }
    }
}

/// A record that could not be read, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    line: u64,
    field: Option<String>,
    message: String,
}

impl RecordError {
    /// An error about `field` (or the record as a whole) on `line`.
    pub fn new(line: u64, field: Option<&str>, message: impl Into<String>) -> RecordError {
        RecordError {
            line,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// The error for a record that `text` holds, which serde_json refused.
    fn json(line: u64, text: &str, e: &serde_json::Error) -> RecordError {
        // serde_json names a missing or repeated field in its message, but
        // not a field of the wrong type: that one is found again in the
        // record, which is parsed a second time only on this path.
        let message = format!("{e}");
        let field = json_field(&message, text.as_bytes(), fits);
        RecordError {
            line,
            field,
            message,
        }
    }

    /// 1-based line number of the record in its input.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The field at fault in a JSON object that serde_json refused with
/// `message`: the one the message names (missing or repeated), else the
/// first member, in the order written, whose value `fits` refuses. None
/// when neither finds one, as for text that is not a JSON object.
pub(crate) fn json_field(
    message: &str,
    text: &[u8],
    fits: fn(&str, &serde_json::Value) -> bool,
) -> Option<String> {
    if let Some(rest) = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("duplicate field `"))
    {
        return rest.split('`').next().map(str::to_string);
    }
    let serde_json::Value::Object(members) = serde_json::from_slice(text).ok()? else {
        return None;
    };
    let written_at = |name: &str| {
        let quoted = format!("\"{name}\"");
        text.windows(quoted.len())
            .position(|w| w == quoted.as_bytes())
    };
    members
        .iter()
        .filter(|(name, value)| !fits(name, value))
        .min_by_key(|(name, _)| written_at(name))
        .map(|(name, _)| name.clone())
}

/// Whether a member of a JSON Lines record has a type its field takes.
/// Unknown members are ignored by the reader, so any value fits them.
fn fits(name: &str, value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (name, value) {
        (_, Value::Null) => true,
        ("id", v) => v.is_string() || v.is_number(),
        ("honeypot", v) => v.is_boolean(),
        ("headers", Value::Object(headers)) => headers.values().all(Value::is_string),
        ("headers", _) => false,
        (name, v) if TEXT_FIELDS.contains(&name) => v.is_string(),
        _ => true,
    }
}

/// The members of a JSON Lines record whose value is text.
const TEXT_FIELDS: [&str; 12] = [
    "kind",
    "campaign",
    "recipient",
    "link",
    "at",
    "sent_at",
    "delivered_at",
    "ip",
    "user_agent",
    "method",
    "url",
    "reverse_dns",
];

impl RecordError {
    /// The problem without the line number: the field and the message,
    /// for callers that print the place their own way (`file:line: ...`).
    pub fn reason(&self) -> String {
        match &self.field {
            Some(field) => format!("field `{field}`: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason())
    }
}

impl std::error::Error for RecordError {}

/// A field of the record schema that holds one value, by its JSON Lines
/// name; the readers map their input's names onto these (the headers,
/// a map, each reader takes in its own way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Kind,
    Campaign,
    Recipient,
    Link,
    Honeypot,
    At,
    SentAt,
    DeliveredAt,
    Ip,
    UserAgent,
    Method,
    Url,
    ReverseDns,
}

impl Field {
    /// Every field with its name.
    pub(crate) const NAMED: [(&'static str, Field); 14] = [
        ("id", Field::Id),
        ("kind", Field::Kind),
        ("campaign", Field::Campaign),
        ("recipient", Field::Recipient),
        ("link", Field::Link),
        ("honeypot", Field::Honeypot),
        ("at", Field::At),
        ("sent_at", Field::SentAt),
        ("delivered_at", Field::DeliveredAt),
        ("ip", Field::Ip),
        ("user_agent", Field::UserAgent),
        ("method", Field::Method),
        ("url", Field::Url),
        ("reverse_dns", Field::ReverseDns),
    ];

    /// The field of exactly this name.
    pub(crate) fn named(name: &str) -> Option<Field> {
        Field::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, f)| f)
    }

    /// The field's name.
    pub(crate) fn name(self) -> &'static str {
        Field::NAMED
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }
}

/// The JSON Lines schema as it arrives: text everywhere, checked later so
/// that each error can name its field. The fields that become other types
/// (kind, times, address, method) borrow from the line when it holds them
/// without escapes, since they are read once and dropped.
#[derive(Default, Deserialize)]
struct RawClick<'a> {
    #[serde(default, deserialize_with = "lenient_id")]
    id: Option<String>,
    #[serde(default, borrow, deserialize_with = "text")]
    kind: Option<Cow<'a, str>>,
    campaign: Option<String>,
    recipient: Option<String>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    honeypot: Option<bool>,
    #[serde(default, borrow, deserialize_with = "text")]
    at: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text")]
    sent_at: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text")]
    delivered_at: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text")]
    ip: Option<Cow<'a, str>>,
    #[serde(default)]
    user_agent: Option<String>,
    #[serde(default, borrow, deserialize_with = "text")]
    method: Option<Cow<'a, str>>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    headers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    reverse_dns: Option<String>,
}

/// Accepts a string or a number as an identifier, a number as it is
/// written (`7`, `-7`, `7.5`).
fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Id;
    impl<'de> Visitor<'de> for Id {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(
                serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
            ))
        }
    }
    d.deserialize_option(Id)
}

/// A text field, or `null`, borrowed from the input when it can be.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = Option<Cow<'de, str>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
    }
    d.deserialize_option(Text)
}

impl<'a> RawClick<'a> {
    /// Reads a record that is a plain object (see [`json::members`]) as
    /// the derived deserializer would, in a fraction of its time: a
    /// member of another name is ignored, `null` leaves a field empty, and
    /// a field given twice, or a value of a type the field does not take
    /// as it stands, leaves the record to serde_json, which reads it or
    /// words the error.
    fn plain(text: &'a str) -> Option<Self> {
        use json::Value::{Bool, Null, Object, Str};

        /// The bit of `field` in the set of the fields seen; the headers
        /// take the one after them all.
        fn bit(field: Field) -> u16 {
            1 << field as u16
        }
        const HEADERS: u16 = 1 << Field::NAMED.len();

        /// Fills `slot` with the value of `field`, and gives its bit.
        fn put<T>(slot: &mut Option<T>, value: T, field: Field) -> u16 {
            *slot = Some(value);
            bit(field)
        }

        let mut raw = RawClick::default();
        let mut seen = 0u16;
        json::members(text, |name, value| {
            // The common members are matched with their values at once;
            // a field given twice is refused after the fact.
            let bit = match (name, value) {
                ("id", Str(s)) => put(&mut raw.id, s.to_owned(), Field::Id),
                ("kind", Str(s)) => put(&mut raw.kind, Cow::Borrowed(s), Field::Kind),
                ("campaign", Str(s)) => put(&mut raw.campaign, s.to_owned(), Field::Campaign),
                ("recipient", Str(s)) => put(&mut raw.recipient, s.to_owned(), Field::Recipient),
                ("link", Str(s)) => put(&mut raw.link, s.to_owned(), Field::Link),
                ("honeypot", Bool(b)) => put(&mut raw.honeypot, b, Field::Honeypot),
                ("at", Str(s)) => put(&mut raw.at, Cow::Borrowed(s), Field::At),
                ("sent_at", Str(s)) => put(&mut raw.sent_at, Cow::Borrowed(s), Field::SentAt),
                ("delivered_at", Str(s)) => {
                    put(&mut raw.delivered_at, Cow::Borrowed(s), Field::DeliveredAt)
                }
                ("ip", Str(s)) => put(&mut raw.ip, Cow::Borrowed(s), Field::Ip),
                ("user_agent", Str(s)) => put(&mut raw.user_agent, s.to_owned(), Field::UserAgent),
                ("method", Str(s)) => put(&mut raw.method, Cow::Borrowed(s), Field::Method),
                ("url", Str(s)) => put(&mut raw.url, s.to_owned(), Field::Url),
                ("reverse_dns", Str(s)) => {
                    put(&mut raw.reverse_dns, s.to_owned(), Field::ReverseDns)
                }
                ("headers", Object(members)) => {
                    let mut headers = BTreeMap::new();
                    json::members(members, |name, value| match value {
                        Str(v) => {
                            // A name given twice keeps its last value, as
                            // serde_json fills a map.
                            headers.insert(name.to_owned(), v.to_owned());
                            Some(())
                        }
                        _ => None,
                    })?;
                    raw.headers = Some(headers);
                    HEADERS
                }
                ("headers", Null) => HEADERS,
                ("headers", _) => return None,
                // `null` leaves a field empty; a value of another type is
                // for serde_json to read or refuse; other names are not
                // the schema's.
                (name, value) => match (Field::named(name), value) {
                    (Some(field), Null) => bit(field),
                    (Some(_), _) => return None,
                    (None, _) => return Some(()),
                },
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            Some(())
        })?;
        Some(raw)
    }

    fn into_click(self, line: u64) -> Result<Click, RecordError> {
        let texts = Texts {
            kind: self.kind.as_deref(),
            at: self.at.as_deref(),
            sent_at: self.sent_at.as_deref(),
            delivered_at: self.delivered_at.as_deref(),
            ip: self.ip.as_deref(),
            method: self.method,
        };
        let fields = ClickFields {
            id: self.id,
            campaign: self.campaign,
            recipient: self.recipient,
            link: self.link,
            honeypot: self.honeypot.unwrap_or(false),
            user_agent: self.user_agent,
            url: self.url,
            headers: self.headers.unwrap_or_default(),
            reverse_dns: self.reverse_dns,
            ..ClickFields::default()
        };
        fields.validate_with(texts, line)
    }
}

/// The fields that are read into other types, as text wherever the
/// reader holds it. The method becomes the click's own when it is upper
/// case already, so a reader that owns it hands it over uncopied.
struct Texts<'a> {
    kind: Option<&'a str>,
    at: Option<&'a str>,
    sent_at: Option<&'a str>,
    delivered_at: Option<&'a str>,
    ip: Option<&'a str>,
    method: Option<Cow<'a, str>>,
}

/// A record's fields as text, before validation. Every input format fills
/// this and calls [`ClickFields::validate`], so all of them accept and
/// reject exactly the same values.
#[derive(Clone, Debug, Default)]
pub struct ClickFields {
    /// See [`Click::id`].
    pub id: Option<String>,
    /// `click` (the default), `open` or `report`.
    pub kind: Option<String>,
    /// See [`Click::campaign`].
    pub campaign: Option<String>,
    /// See [`Click::recipient`].
    pub recipient: Option<String>,
    /// See [`Click::link`].
    pub link: Option<String>,
    /// See [`Click::honeypot`].
    pub honeypot: bool,
    /// RFC 3339 time of the request.
    pub at: Option<String>,
    /// RFC 3339 time the message was sent.
    pub sent_at: Option<String>,
    /// RFC 3339 time the message was delivered.
    pub delivered_at: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// See [`Click::user_agent`].
    pub user_agent: Option<String>,
    /// HTTP method; `GET` when absent.
    pub method: Option<String>,
    /// See [`Click::url`].
    pub url: Option<String>,
    /// Header names are lower-cased on validation.
    pub headers: BTreeMap<String, String>,
    /// See [`Click::reverse_dns`].
    pub reverse_dns: Option<String>,
}

impl ClickFields {
    /// Checks every field and builds the [`Click`].
    ///
    /// # Errors
    ///
    /// Returns the first field at fault: a missing `campaign`, `recipient`,
    /// `at` or (except for reports) `ip`; an unknown `kind`; a time that is
    /// not RFC 3339; an address that is not IPv4 or IPv6; a value longer
    /// than [`MAX_FIELD_LEN`]; more than [`MAX_HEADERS`] headers.
    pub fn validate(mut self, line: u64) -> Result<Click, RecordError> {
        let (kind, at, sent_at) = (self.kind.take(), self.at.take(), self.sent_at.take());
        let (delivered_at, ip) = (self.delivered_at.take(), self.ip.take());
        let texts = Texts {
            kind: kind.as_deref(),
            at: at.as_deref(),
            sent_at: sent_at.as_deref(),
            delivered_at: delivered_at.as_deref(),
            ip: ip.as_deref(),
            method: self.method.take().map(Cow::Owned),
        };
        self.validate_with(texts, line)
    }

    /// [`ClickFields::validate`] with the fields that are read into other
    /// types given as `texts`; those of `self` are ignored.
    fn validate_with(self, texts: Texts<'_>, line: u64) -> Result<Click, RecordError> {
        let err = |field: &str, msg: String| RecordError::new(line, Some(field), msg);
        let kind = parse_kind(texts.kind).map_err(|m| err("kind", m))?;
        let campaign = required(self.campaign, "campaign", line)?;
        let recipient = required(self.recipient, "recipient", line)?;
        let at_text = required_text(texts.at, "at", line)?;
        let at = parse_time(at_text).map_err(|m| err("at", m))?;
        let sent_at = optional_time(texts.sent_at, "sent_at", line)?;
        let delivered_at = optional_time(texts.delivered_at, "delivered_at", line)?;
        let ip = match (texts.ip, kind) {
            (Some(text), _) => Some(parse_ip(text).map_err(|m| err("ip", m))?),
            (None, EventKind::Report) => None,
            (None, _) => return Err(err("ip", "missing field".into())),
        };
        if self.headers.len() > MAX_HEADERS {
            return Err(err("headers", format!("more than {MAX_HEADERS} headers")));
        }
        let mut headers = BTreeMap::new();
        for (name, value) in self.headers {
            check_len(&value, "headers", line)?;
            headers.insert(name.to_ascii_lowercase(), value);
        }
        let method = match texts.method {
            // Most methods come trimmed and in upper case already.
            Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) => m.into_owned(),
            Some(m) if !trim(&m).is_empty() => trim(&m).to_ascii_uppercase(),
            _ => "GET".to_string(),
        };
        for (name, value) in [
            ("id", &self.id),
            ("link", &self.link),
            ("user_agent", &self.user_agent),
            ("url", &self.url),
            ("reverse_dns", &self.reverse_dns),
        ] {
            if let Some(v) = value {
                check_len(v, name, line)?;
            }
        }
        check_len(&method, "method", line)?;
        Ok(Click {
            id: self.id,
            kind,
            campaign,
            recipient,
            link: self.link,
            honeypot: self.honeypot,
            at,
            sent_at,
            delivered_at,
            ip,
            user_agent: self.user_agent,
            method,
            url: self.url,
            headers,
            reverse_dns: self
                .reverse_dns
                .map(|n| n.trim_end_matches('.').to_ascii_lowercase()),
        })
    }
}

fn parse_kind(kind: Option<&str>) -> Result<EventKind, String> {
    match kind.map(trim) {
        None | Some("") | Some("click") => Ok(EventKind::Click),
        Some("open") => Ok(EventKind::Open),
        Some("report") => Ok(EventKind::Report),
        Some(other) => Err(format!(
            "unknown kind {:?}; expected click, open or report",
            truncate(other)
        )),
    }
}

fn required(value: Option<String>, field: &str, line: u64) -> Result<String, RecordError> {
    required_text(value.as_deref(), field, line)?;
    Ok(value.unwrap_or_default())
}

/// `value` when it is present, not blank and not too long.
fn required_text<'a>(
    value: Option<&'a str>,
    field: &str,
    line: u64,
) -> Result<&'a str, RecordError> {
    match value {
        Some(v) if !trim(v).is_empty() => {
            check_len(v, field, line)?;
            Ok(v)
        }
        Some(_) => Err(RecordError::new(line, Some(field), "empty value")),
        None => Err(RecordError::new(line, Some(field), "missing field")),
    }
}

fn optional_time(
    value: Option<&str>,
    field: &str,
    line: u64,
) -> Result<Option<DateTime<Utc>>, RecordError> {
    match value {
        Some(text) if !trim(text).is_empty() => parse_time(text)
            .map(Some)
            .map_err(|m| RecordError::new(line, Some(field), m)),
        _ => Ok(None),
    }
}

/// `text` without leading and trailing whitespace, as [`str::trim`]
/// gives it. Most values have none, which the bytes at either end show at
/// once: every whitespace character is an ASCII byte up to a space or ends
/// in a byte of 0x80 or more, so a value whose end bytes are neither
/// needs no trimming.
pub(crate) fn trim(text: &str) -> &str {
    let plain = |b: &u8| (b'!'..0x80).contains(b);
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if plain(first) && plain(last) => text,
        _ => text.trim(),
    }
}

fn check_len(value: &str, field: &str, line: u64) -> Result<(), RecordError> {
    if value.len() > MAX_FIELD_LEN {
        return Err(RecordError::new(
            line,
            Some(field),
            format!(
                "{} bytes, longer than the limit of {MAX_FIELD_LEN}",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// Parses an RFC 3339 time, such as `2026-03-02T09:15:04Z` or
/// `2026-03-02T10:15:04.250+01:00`.
///
/// # Errors
///
/// Returns a message quoting the text when it is not RFC 3339.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = trim(text);
    if let Some(t) = parse_utc_time(text.as_bytes()) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{:?} is not an RFC 3339 time: {e}", truncate(text)))
}

/// The common form of a log's times, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`,
/// read directly: chrono's general RFC 3339 parser costs several times
/// more, and every record has up to three times. Anything else (offsets,
/// lower-case separators, leap seconds, out-of-range values) is left to
/// chrono, which also words the errors.
fn parse_utc_time(b: &[u8]) -> Option<DateTime<Utc>> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 20 || separators.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let (rest, nanos) = match b.get(19)? {
        b'Z' => (b.get(20..)?, 0),
        b'.' => {
            let frac = b.get(20..b.len() - 1)?;
            if frac.is_empty() || frac.len() > 9 || b.last() != Some(&b'Z') {
                return None;
            }
            let n = digits(20..b.len() - 1)?;
            (&[][..], n * 10u32.pow(9 - frac.len() as u32))
        }
        _ => return None,
    };
    if !rest.is_empty() {
        return None;
    }
    let date =
        chrono::NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    let (h, m, sec) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if sec > 59 {
        return None;
    }
    Some(date.and_hms_nano_opt(h, m, sec, nanos)?.and_utc())
}

/// Parses an IPv4 or IPv6 address, accepting the IPv4-mapped IPv6 form
/// as the IPv4 address it carries.
///
/// # Errors
///
/// Returns a message quoting the text when it is not an address.
pub fn parse_ip(text: &str) -> Result<IpAddr, String> {
    let trimmed = trim(text).trim_start_matches('[').trim_end_matches(']');
    if let Some(v4) = parse_dotted_quad(trimmed.as_bytes()) {
        return Ok(IpAddr::V4(v4));
    }
    match trimmed.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => Ok(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        Ok(ip) => Ok(ip),
        Err(_) => Err(format!(
            "{:?} is not an IPv4 or IPv6 address",
            truncate(text)
        )),
    }
}

/// The common form of an IPv4 address, four decimal parts of 0 to 255
/// without leading zeros, read directly: the standard library's parser,
/// which also reads IPv6, costs several times more. Anything else is left
/// to it, and every address read here is one it reads the same.
fn parse_dotted_quad(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut part = 0;
    let mut value: u32 = 0;
    let mut digits = 0;
    for &c in text {
        if c.is_ascii_digit() {
            if digits == 1 && value == 0 {
                return None;
            }
            value = value * 10 + u32::from(c - b'0');
            digits += 1;
            if value > 255 {
                return None;
            }
        } else if c == b'.' && digits > 0 && part < 3 {
            *octets.get_mut(part)? = value as u8;
            part += 1;
            value = 0;
            digits = 0;
        } else {
            return None;
        }
    }
    if part != 3 || digits == 0 {
        return None;
    }
    octets[3] = value as u8;
    Some(Ipv4Addr::from(octets))
}

/// At most 80 characters of a value, for quoting it in an error.
pub(crate) fn truncate(text: &str) -> &str {
    match text.char_indices().nth(80) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trim_agrees_with_the_standard_trim() {
        let samples = [
            "",
            " ",
            "a",
            "1.2.3.4",
            " 1.2.3.4",
            "1.2.3.4\t",
            "\u{a0}x",
            "x\u{3000}",
            "\u{85}x\u{2029}",
            "é",
            "ü ",
            "\u{feff}x",
            "!~",
        ];
        for s in samples {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn dotted_quads_are_read_as_the_standard_parser_reads_them() {
        for (text, expected) in [
            ("80.157.45.37", Some([80, 157, 45, 37])),
            ("0.0.0.0", Some([0, 0, 0, 0])),
            ("255.255.255.255", Some([255, 255, 255, 255])),
            ("256.1.1.1", None),
            ("01.2.3.4", None),
            ("1.2.3", None),
            ("1.2.3.4.5", None),
            ("1..2.3", None),
            ("1.2.3.", None),
            (".1.2.3", None),
            ("1.2.3.4 ", None),
            ("::ffff:1.2.3.4", None),
        ] {
            assert_eq!(
                parse_dotted_quad(text.as_bytes()),
                expected.map(Ipv4Addr::from),
                "{text:?}"
            );
        }
    }

    /// What `Click::from_json` returned before plain records had their
    /// own reader: serde_json for every record.
    fn through_serde(text: &str, line: u64) -> Result<Click, RecordError> {
        let raw: RawClick =
            serde_json::from_str(text).map_err(|e| RecordError::json(line, text, &e))?;
        raw.into_click(line)
    }

    /// The schema's names and an unknown one, each with values it takes.
    const FIELDS: &[(&str, &[&str])] = &[
        ("id", &[r#""r-1""#, "7", "-7.5", "null"]),
        ("kind", &[r#""click""#, r#""open""#, r#"" report ""#]),
        ("campaign", &[r#""c2""#, r#""caf\u00e9 ü""#]),
        ("recipient", &[r#""b@firm.example""#, r#""x\ny""#]),
        ("link", &[r#""offer""#, r#""""#]),
        ("honeypot", &["true", "false", "null"]),
        (
            "at",
            &[
                r#""2026-02-05T07:28:29.804Z""#,
                r#""2026-02-05 07:28:29+01:00""#,
            ],
        ),
        ("sent_at", &[r#""2026-02-05T07:28:02Z""#, "null"]),
        ("delivered_at", &[r#""2026-02-05T07:28:16.850Z""#]),
        (
            "ip",
            &[r#""10.0.0.1""#, r#""[2001:db8::1]""#, r#"" 10.0.0.2 ""#],
        ),
        (
            "user_agent",
            &[r#""curl/8.5.0""#, r#""Mozilla/5.0 \"quoted\"""#],
        ),
        ("method", &[r#""get""#, r#""POST""#, r#""HEAD""#]),
        (
            "url",
            &[r#""https://lure.example/l/c1?rid=e1f5&x=%20""#, r#""/l""#],
        ),
        (
            "headers",
            &[
                r#"{"X-Seen":"1"}"#,
                "{}",
                r#"{ "a":"1", "A":"2","a":"3" }"#,
                r#"{"a":null}"#,
                "null",
            ],
        ),
        ("reverse_dns", &[r#""mail.firm.example""#, "null"]),
        ("truth", &[r#""mail_gateway""#, "3", "[1]", r#"{"a":null}"#]),
        ("é", &[r#""ü""#, "true"]),
    ];

    /// Values of every kind, for any name.
    const VALUES: &[&str] = &[
        r#""80.157.45.37""#,
        r#""""#,
        r#""report""#,
        r#""x\ny""#,
        "\"tab\tinside\"",
        "true",
        "false",
        "null",
        "7",
        "{}",
        "[]",
    ];

    /// A record's text: the required members, valid, and others drawn
    /// from the schema's names and an unknown one with every kind of
    /// value, in any order and with uneven white space; sometimes cut
    /// short or followed by more text.
    fn record() -> impl Strategy<Value = String> {
        let required = [
            ("campaign", r#""c1""#),
            ("recipient", r#""a@firm.example""#),
            ("at", r#""2026-02-05T07:30:00Z""#),
            ("ip", r#""80.157.45.37""#),
        ];
        let extra = (
            prop::sample::select(FIELDS),
            prop::bool::weighted(0.85),
            any::<prop::sample::Index>(),
            prop::sample::select(VALUES),
        )
            .prop_map(
                |((name, takes), fits, pick, any): (
                    (&str, &[&str]),
                    bool,
                    prop::sample::Index,
                    &str,
                )| { (name, if fits { *pick.get(takes) } else { any }) },
            );
        let members = prop::collection::vec(extra, 0..6)
            .prop_map(move |extra| required.iter().copied().chain(extra).collect::<Vec<_>>())
            .prop_shuffle();
        let spaces = prop::collection::vec(prop::sample::select(&["", " ", "\n\t"][..]), 24);
        (members, spaces, 0..12usize, any::<prop::sample::Index>()).prop_map(
            |(members, spaces, ending, cut)| {
                let body: Vec<String> = members
                    .iter()
                    .zip(spaces.iter().cycle())
                    .map(|((name, value), ws)| format!("{ws}\"{name}\"{ws}:{ws}{value}"))
                    .collect();
                let mut text = format!("{{{}}}", body.join(","));
                match ending {
                    1 => text.push_str(" x"),
                    2 => {
                        let mut at = cut.index(text.len() + 1);
                        while !text.is_char_boundary(at) {
                            at -= 1;
                        }
                        text.truncate(at);
                    }
                    3 => text.insert(text.len() - 1, ','),
                    _ => {}
                }
                text
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Reading plain records directly changes no outcome: every text
        /// gives the click, or the error, that serde_json alone gives.
        #[test]
        fn records_read_as_through_serde_json(text in record()) {
            prop_assert_eq!(Click::from_json(&text, 3), through_serde(&text, 3));
        }
    }

    proptest! {
        /// Whatever the shortcut reads, the standard parser reads the same;
        /// and it reads every address the standard parser reads as IPv4
        /// from text of digits and dots.
        #[test]
        fn the_dotted_quad_shortcut_matches_the_standard_parser(
            text in "[0-9.]{0,18}|([12]?[0-9]{1,2}\\.){3}[12]?[0-9]{1,2}"
        ) {
            let standard = text.parse::<Ipv4Addr>().ok();
            prop_assert_eq!(parse_dotted_quad(text.as_bytes()), standard);
        }

        #[test]
        fn trim_matches_the_standard_trim(text in "\\PC{0,6}|[ \t\u{a0}\u{3000}a-z]{0,6}") {
            prop_assert_eq!(trim(&text), text.trim());
        }
    }
}
