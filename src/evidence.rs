//! The evidence about one event that rules can test, and the schema of
//! field names that rules use to refer to it.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::agent::{AgentInfo, AgentPattern, Standing, clip};
use crate::campaign::CampaignFacts;
use crate::click::Click;
use crate::mmdb::NetFacts;
use crate::network::NetworkEntry;

/// The type of a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Text; comparisons ignore ASCII case.
    Text,
    /// A number.
    Number,
    /// True or false.
    Bool,
    /// An IPv4 or IPv6 address.
    Address,
}

impl FieldType {
    /// The name used in documentation and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Bool => "boolean",
            FieldType::Address => "address",
        }
    }
}

/// A field rules can test.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Kind,
    Campaign,
    Recipient,
    Link,
    Honeypot,
    Method,
    Url,
    UrlMutated,
    Referer,
    Header(Box<str>),
    Ip,
    ReverseDns,
    NetworkGrade,
    NetworkKind,
    NetworkOperator,
    Asn,
    AsOrg,
    Isp,
    Org,
    ConnectionType,
    Anonymous,
    AnonymousVpn,
    Hosting,
    PublicProxy,
    ResidentialProxy,
    TorExit,
    Country,
    Agent,
    AgentClass,
    AgentName,
    AgentFamily,
    AgentMajor,
    AgentOs,
    AgentOsVersion,
    AgentAgeDays,
    AgentVersionsBehind,
    Delay,
    DelayAnchor,
    Campaign_(CampaignField),
}

/// Groups of fields that are missing together: when an event has no
/// catalogue entry, no database facts, no PTR name, no browser standing,
/// no delay or no campaign facts, every field of that group is missing,
/// and any test on it is false. Rules are skipped on that alone.
pub(crate) mod group {
    pub const NETWORK: u32 = 1;
    pub const FACTS: u32 = 1 << 1;
    pub const REVERSE_DNS: u32 = 1 << 2;
    pub const STANDING: u32 = 1 << 3;
    pub const DELAY: u32 = 1 << 4;
    pub const CAMPAIGN: u32 = 1 << 5;
}

impl Field {
    /// The group a field is missing with (see [`group`]), or 0.
    pub(crate) fn group(&self) -> u32 {
        match self {
            Field::NetworkGrade | Field::NetworkKind | Field::NetworkOperator => group::NETWORK,
            Field::Asn
            | Field::AsOrg
            | Field::Isp
            | Field::Org
            | Field::ConnectionType
            | Field::Anonymous
            | Field::AnonymousVpn
            | Field::Hosting
            | Field::PublicProxy
            | Field::ResidentialProxy
            | Field::TorExit
            | Field::Country => group::FACTS,
            Field::ReverseDns => group::REVERSE_DNS,
            Field::AgentAgeDays | Field::AgentVersionsBehind => group::STANDING,
            Field::Delay => group::DELAY,
            Field::Campaign_(_) => group::CAMPAIGN,
            _ => 0,
        }
    }

    /// True for fields whose value depends on the user agent alone (not
    /// on the click's date, as the agent's age does).
    pub(crate) fn is_agent_only(&self) -> bool {
        matches!(
            self,
            Field::Agent
                | Field::AgentClass
                | Field::AgentName
                | Field::AgentFamily
                | Field::AgentMajor
                | Field::AgentOs
                | Field::AgentOsVersion
        )
    }
}

/// The facts of the campaign heuristics rules can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CampaignField {
    HoneypotNear,
    LinksSwept,
    Burst,
    AddressesForRecipient,
    RecipientsFromAddress,
    RecipientsFromNetwork,
    AfterReport,
    SecondsAfterReport,
    UnfamiliarAfterReport,
    ProbeBeforeRequest,
    FollowsProbe,
    DoubleClick,
    WithSweep,
    VersionsBehindCampaign,
}

/// One row of the schema: a name, its type and what it means.
pub struct FieldDoc {
    /// The name rules use.
    pub name: &'static str,
    /// The type of its value.
    pub ty: FieldType,
    /// What it holds.
    pub doc: &'static str,
}

macro_rules! schema {
    ($( $name:literal => $field:expr, $ty:ident, $doc:literal; )*) => {
        /// Every field rules can test, with its type and meaning. Besides
        /// these, `header.NAME` is the text of the request header NAME.
        pub const FIELDS: &[FieldDoc] = &[
            $( FieldDoc { name: $name, ty: FieldType::$ty, doc: $doc }, )*
        ];

        fn field_by_name(name: &str) -> Option<(Field, FieldType)> {
            match name {
                $( $name => Some(($field, FieldType::$ty)), )*
                _ => None,
            }
        }
    };
}

use CampaignField as C;

schema! {
    "kind" => Field::Kind, Text, "click or open";
    "campaign" => Field::Campaign, Text, "the campaign identifier";
    "recipient" => Field::Recipient, Text, "who the message was sent to";
    "link" => Field::Link, Text, "which link of the message was requested";
    "honeypot" => Field::Honeypot, Bool, "the link is one people cannot see";
    "method" => Field::Method, Text, "HTTP method, upper case";
    "url" => Field::Url, Text, "path and query as requested";
    "url.mutated" => Field::UrlMutated, Bool,
        "the URL carries a quote appended to it, raw or percent-encoded, as scanners add";
    "referer" => Field::Referer, Text, "the Referer header";
    "ip" => Field::Ip, Address, "the client address";
    "reverse_dns" => Field::ReverseDns, Text, "the PTR name of the address, lower case";
    "network.grade" => Field::NetworkGrade, Text,
        "grade of the catalogue range holding the address: certain, probable, context, human";
    "network.kind" => Field::NetworkKind, Text,
        "kind of that range: mail_gateway, security_vendor, cloud, hosting, web_proxy, ...";
    "network.operator" => Field::NetworkOperator, Text, "who runs that range";
    "asn" => Field::Asn, Number, "autonomous system number (MaxMind ASN or ISP database)";
    "as_org" => Field::AsOrg, Text, "autonomous system organisation (ASN or ISP database)";
    "isp" => Field::Isp, Text, "ISP name (ISP database)";
    "org" => Field::Org, Text, "organisation name (ISP database)";
    "connection_type" => Field::ConnectionType, Text,
        "Cable/DSL, Cellular, Corporate or Satellite (Connection-Type database)";
    "anonymous" => Field::Anonymous, Bool, "any anonymous flag (Anonymous-IP database)";
    "anonymous.vpn" => Field::AnonymousVpn, Bool, "a VPN provider's address";
    "anonymous.hosting" => Field::Hosting, Bool, "a hosting provider's address";
    "anonymous.public_proxy" => Field::PublicProxy, Bool, "a public proxy";
    "anonymous.residential_proxy" => Field::ResidentialProxy, Bool, "a residential proxy";
    "anonymous.tor" => Field::TorExit, Bool, "a Tor exit node";
    "country" => Field::Country, Text, "ISO country code (Country or City database)";
    "agent" => Field::Agent, Text, "the User-Agent header; empty when none was sent";
    "agent.class" => Field::AgentClass, Text,
        "browser, empty, link_preview, crawler, library, headless, scanner, office, image_proxy";
    "agent.name" => Field::AgentName, Text, "name of the agent catalogue entry that matched";
    "agent.family" => Field::AgentFamily, Text, "browser family as uap-core names it";
    "agent.major" => Field::AgentMajor, Number, "browser major version";
    "agent.os" => Field::AgentOs, Text, "operating system family as uap-core names it";
    "agent.os_version" => Field::AgentOsVersion, Text,
        "first part of the OS version: XP, Vista, 7, 10, 17, ...";
    "agent.age_days" => Field::AgentAgeDays, Number,
        "days from the browser version's release to the click";
    "agent.versions_behind" => Field::AgentVersionsBehind, Number,
        "majors of the same browser released after this one and before the click";
    "delay" => Field::Delay, Number,
        "seconds from delivery (or sending, when delivery is unknown) to the request";
    "delay.anchor" => Field::DelayAnchor, Text, "delivery or send: what delay counts from";
    "campaign.honeypot_near" => Field::Campaign_(C::HoneypotNear), Bool,
        "a honeypot link was hit within the honeypot window from the same address, or for the \
         same recipient with the same agent";
    "campaign.links_swept" => Field::Campaign_(C::LinksSwept), Number,
        "distinct links of the message requested with the event's agent within the sweep window";
    "campaign.burst" => Field::Campaign_(C::Burst), Number,
        "requests for the recipient with the event's agent within the burst window";
    "campaign.addresses_for_recipient" => Field::Campaign_(C::AddressesForRecipient), Number,
        "distinct addresses requesting the recipient's links with the event's agent within the \
         sweep window";
    "campaign.recipients_from_address" => Field::Campaign_(C::RecipientsFromAddress), Number,
        "recipients whose links the address requested within the fan-out window of delivery";
    "campaign.recipients_from_network" => Field::Campaign_(C::RecipientsFromNetwork), Number,
        "recipients whose links the address's /24 (IPv6 /48) requested in the fan-out window";
    "campaign.after_report" => Field::Campaign_(C::AfterReport), Bool,
        "the recipient reported the message before this request";
    "campaign.seconds_after_report" => Field::Campaign_(C::SecondsAfterReport), Number,
        "seconds from the recipient's report to this request";
    "campaign.unfamiliar_after_report" => Field::Campaign_(C::UnfamiliarAfterReport), Bool,
        "after the recipient's report, from an address and agent the recipient did not use \
         before it";
    "campaign.probe" => Field::Campaign_(C::ProbeBeforeRequest), Bool,
        "a probe (HEAD, discovery or prefetch agent) followed by a browser request from the \
         same address";
    "campaign.follows_probe" => Field::Campaign_(C::FollowsProbe), Bool,
        "a browser request that follows a probe by Office or browser prefetch from the same \
         address";
    "campaign.double_click" => Field::Campaign_(C::DoubleClick), Bool,
        "a repeat of the same request from the same address and agent within the double-click \
         window";
    "campaign.with_sweep" => Field::Campaign_(C::WithSweep), Bool,
        "an open at the same moment as a sweep of the message's links";
    "campaign.versions_behind" => Field::Campaign_(C::VersionsBehindCampaign), Number,
        "majors between the browser and the newest major of the same browser seen in the \
         campaign";
}

/// Looks a field up by name.
pub(crate) fn lookup_field(name: &str) -> Option<(Field, FieldType)> {
    if let Some(header) = name.strip_prefix("header.") {
        if !header.is_empty() {
            return Some((
                Field::Header(header.to_ascii_lowercase().into()),
                FieldType::Text,
            ));
        }
    }
    field_by_name(name)
}

/// The value of a field for one event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Address(IpAddr),
    Missing,
}

/// Everything known about one event.
pub(crate) struct Evidence<'a> {
    pub click: &'a Click,
    pub network: Option<&'a NetworkEntry>,
    pub facts: Option<&'a NetFacts>,
    pub agent: Option<&'a AgentInfo>,
    pub pattern: Option<&'a AgentPattern>,
    pub standing: Option<Standing>,
    pub campaign: Option<&'a CampaignFacts>,
    /// Worked out once: several rules read them.
    pub delay: Option<f64>,
    pub url_mutated: bool,
    /// Which agent-only rules fire, by their bit (see `Rule::agent_bit`).
    pub agent_fired: u64,
}

fn text(v: Option<&str>) -> Value<'_> {
    v.map_or(Value::Missing, Value::Text)
}

fn flag(v: Option<bool>) -> Value<'static> {
    v.map_or(Value::Missing, Value::Bool)
}

fn number<N: Into<f64>>(v: Option<N>) -> Value<'static> {
    v.map_or(Value::Missing, |n| Value::Number(n.into()))
}

impl<'a> Evidence<'a> {
    /// The groups of fields this event has values for (see [`group`]).
    pub fn present(&self) -> u32 {
        let mut groups = 0;
        let mut add = |has: bool, g: u32| {
            if has {
                groups |= g;
            }
        };
        add(self.network.is_some(), group::NETWORK);
        add(self.facts.is_some(), group::FACTS);
        add(self.click.reverse_dns.is_some(), group::REVERSE_DNS);
        add(self.standing.is_some(), group::STANDING);
        add(self.delay.is_some(), group::DELAY);
        add(self.campaign.is_some(), group::CAMPAIGN);
        groups
    }

    #[inline(always)]
    pub fn value(&self, field: &'a Field) -> Value<'a> {
        let c = self.click;
        match field {
            Field::Kind => Value::Text(c.kind.as_str()),
            Field::Campaign => Value::Text(&c.campaign),
            Field::Recipient => Value::Text(&c.recipient),
            Field::Link => text(c.link.as_deref()),
            Field::Honeypot => Value::Bool(c.honeypot),
            Field::Method => Value::Text(&c.method),
            Field::Url => text(c.url.as_deref()),
            Field::UrlMutated => Value::Bool(self.url_mutated),
            Field::Referer => text(c.header("referer")),
            Field::Header(name) => text(c.header(name)),
            Field::Ip => c.ip.map_or(Value::Missing, Value::Address),
            Field::ReverseDns => text(c.reverse_dns.as_deref()),
            Field::DelayAnchor => text(c.anchor().map(|(_, a)| a.as_str())),
            Field::Delay => number(self.delay),
            Field::Campaign_(f) => self.campaign_value(*f),
            _ => self.enrichment_value(field),
        }
    }

    fn enrichment_value(&self, field: &'a Field) -> Value<'a> {
        let net = self.network;
        let facts = self.facts;
        let agent = self.agent;
        match field {
            Field::NetworkGrade => text(net.map(|n| n.grade.as_str())),
            Field::NetworkKind => text(net.map(|n| n.kind.as_str())),
            Field::NetworkOperator => text(net.map(|n| n.operator.as_str())),
            Field::Asn => number(facts.and_then(|f| f.asn)),
            Field::AsOrg => text(facts.and_then(|f| f.as_org.as_deref())),
            Field::Isp => text(facts.and_then(|f| f.isp.as_deref())),
            Field::Org => text(facts.and_then(|f| f.org.as_deref())),
            Field::ConnectionType => text(facts.and_then(|f| f.connection_type.as_deref())),
            Field::Anonymous => flag(facts.and_then(|f| f.anonymous)),
            Field::AnonymousVpn => flag(facts.and_then(|f| f.anonymous_vpn)),
            Field::Hosting => flag(facts.and_then(|f| f.hosting)),
            Field::PublicProxy => flag(facts.and_then(|f| f.public_proxy)),
            Field::ResidentialProxy => flag(facts.and_then(|f| f.residential_proxy)),
            Field::TorExit => flag(facts.and_then(|f| f.tor_exit)),
            Field::Country => text(facts.and_then(|f| f.country.as_deref())),
            Field::Agent => Value::Text(self.click.user_agent.as_deref().unwrap_or("")),
            Field::AgentClass => text(agent.map(|a| a.class().as_str())),
            Field::AgentName => text(self.pattern.map(|p| p.name.as_str())),
            Field::AgentFamily => text(agent.and_then(|a| a.family.as_deref())),
            Field::AgentMajor => number(agent.and_then(|a| a.major)),
            Field::AgentOs => text(agent.and_then(|a| a.os.as_deref())),
            Field::AgentOsVersion => text(agent.and_then(|a| a.os_version.as_deref())),
            Field::AgentAgeDays => number(self.standing.map(|s| s.age_days)),
            Field::AgentVersionsBehind => number(self.standing.map(|s| s.versions_behind)),
            _ => Value::Missing,
        }
    }

    fn campaign_value(&self, field: CampaignField) -> Value<'a> {
        match self.campaign {
            Some(facts) => facts.value(field),
            None => Value::Missing,
        }
    }

    /// Writes `name=value` for a field, with the catalogue entry behind
    /// network and agent fields, to show a rule's evidence.
    pub fn describe(&self, name: &str, field: &'a Field, out: &mut String) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        match field {
            Field::NetworkGrade | Field::NetworkKind | Field::NetworkOperator => {
                out.push_str("network: ");
                match self.network {
                    Some(entry) => {
                        if let Some(ip) = self.click.ip {
                            address_text(ip, out);
                            out.push_str(" in ");
                        }
                        entry.describe(out);
                    }
                    None => out.push_str("none"),
                }
                return;
            }
            Field::AgentClass | Field::AgentName => {
                if let Some(p) = self.pattern {
                    out.push_str("agent matches ");
                    quote(&p.pattern, out);
                    for part in [" (", &p.name, ", ", p.class.as_str(), ")"] {
                        out.push_str(part);
                    }
                    return;
                }
            }
            Field::Delay => {
                if let (Some(d), Some((_, anchor))) = (self.delay, self.click.anchor()) {
                    let when = if d < 0.0 { " s before " } else { " s after " };
                    out.push_str("delay: ");
                    tenths(d.abs(), out);
                    out.push_str(when);
                    out.push_str(anchor.as_str());
                    return;
                }
            }
            _ => {}
        }
        out.push_str(name);
        out.push('=');
        match self.value(field) {
            Value::Text(t) => quote(clip(t, 160), out),
            Value::Number(n) => number_text(n, out),
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Address(a) => address_text(a, out),
            Value::Missing => out.push_str("(none)"),
        }
    }
}

/// Largest whole number written without float formatting: beyond it an
/// `f64` no longer holds every integer.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// Writes a number as `{n}` would, taking the cheap integer path for
/// whole numbers, which most evidence is (counts, versions, ASNs).
fn number_text(n: f64, out: &mut String) {
    if n.fract() == 0.0 && n.abs() < EXACT_INTEGER {
        out.push_str(itoa::Buffer::new().format(n as i64));
    } else {
        let _ = write!(out, "{n}");
    }
}

/// Writes an address as `Display` does; IPv4, nearly every address in a
/// click log, without the formatting machinery.
pub(crate) fn address_text(ip: IpAddr, out: &mut String) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(itoa::Buffer::new().format(octet));
            }
        }
        IpAddr::V6(_) => {
            let _ = write!(out, "{ip}");
        }
    }
}

/// Writes a non-negative number with one decimal, rounded half up.
fn tenths(n: f64, out: &mut String) {
    if n < EXACT_INTEGER / 10.0 {
        let t = (n * 10.0).round() as u64;
        out.push_str(itoa::Buffer::new().format(t / 10));
        out.push('.');
        out.push_str(itoa::Buffer::new().format(t % 10));
    } else {
        let _ = write!(out, "{n:.1}");
    }
}

/// Writes text in double quotes, with quotes, backslashes and control
/// characters escaped so that evidence from a request cannot break the
/// line it is shown on.
fn quote(text: &str, out: &mut String) {
    out.push('"');
    // Most evidence is printable ASCII with nothing to escape.
    let plain = text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    if plain {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// True when a URL carries a quote appended to a value, raw or
/// percent-encoded, as some scanners add when they probe a link: the URL
/// ends in `'`, `"` or `%27` (trailing slashes aside), or a part of it
/// before `?` or `&` ends in `'` or `%27`.
pub(crate) fn url_mutated(url: &str) -> bool {
    let bytes = url.as_bytes();
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == b'/' {
        end -= 1;
    }
    let bytes = &bytes[..end];
    let quoted = |at: usize| {
        let part = &bytes[..at];
        part.ends_with(b"'")
            || (part.len() >= 3 && part[part.len() - 3..].eq_ignore_ascii_case(b"%27"))
    };
    if quoted(bytes.len()) || bytes.ends_with(b"\"") {
        return true;
    }
    bytes
        .iter()
        .enumerate()
        .any(|(i, &c)| (c == b'?' || c == b'&') && quoted(i))
}

#[cfg(test)]
mod tests {
    use super::{address_text, number_text, quote, tenths, url_mutated};

    fn written(f: impl Fn(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for n in [0.0, 7.0, -3.0, 133.0, 8075.0, 0.5, -2.25, 1e300, f64::NAN] {
            assert_eq!(written(|o| number_text(n, o)), format!("{n}"));
        }
        assert_eq!(written(|o| tenths(4.04, o)), "4.0");
        assert_eq!(written(|o| tenths(59.96, o)), "60.0");
        assert_eq!(written(|o| tenths(1e300, o)), format!("{:.1}", 1e300));
    }

    #[test]
    fn addresses_are_written_as_display_writes_them() {
        for text in [
            "0.0.0.0",
            "81.2.69.142",
            "255.255.255.255",
            "2001:db8::1",
            "::ffff:1.2.3.4",
        ] {
            let ip: std::net::IpAddr = text.parse().unwrap();
            assert_eq!(written(|o| address_text(ip, o)), ip.to_string());
        }
    }

    #[test]
    fn quoting_escapes_what_could_break_a_line() {
        assert_eq!(written(|o| quote("curl/8.5", o)), "\"curl/8.5\"");
        assert_eq!(written(|o| quote("a\"b\\c", o)), "\"a\\\"b\\\\c\"");
        assert_eq!(written(|o| quote("x\ny\u{85}", o)), "\"x\\u{a}y\\u{85}\"");
        assert_eq!(written(|o| quote("café", o)), "\"café\"");
    }

    #[test]
    fn mutated_urls() {
        assert!(url_mutated("/l/abc?rid=x%27"));
        assert!(url_mutated("/l/abc?rid=x'&utm=1"));
        assert!(url_mutated("/l/abc%27"));
        assert!(!url_mutated("/l/abc?rid=x&utm_source=mail"));
        assert!(!url_mutated("/"));
    }
}
