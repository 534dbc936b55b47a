//! What the engine says about one event.

use std::fmt;
use std::str::FromStr;

/// The decision for one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// The recipient's own request.
    Human,
    /// Not the recipient's own request: a machine, or another person
    /// (see [`Source::Investigator`]).
    Machine,
    /// The evidence is not strong enough either way.
    Uncertain,
}

impl Verdict {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Human => "human",
            Verdict::Machine => "machine",
            Verdict::Uncertain => "uncertain",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verdict {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "human" => Ok(Verdict::Human),
            "machine" => Ok(Verdict::Machine),
            "uncertain" => Ok(Verdict::Uncertain),
            _ => Err(format!(
                "unknown verdict {s:?}; expected human, machine or uncertain"
            )),
        }
    }
}

/// Who the engine attributes a request to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The person the message was sent to.
    Recipient,
    /// A person other than the recipient, such as IT staff opening a
    /// reported message.
    Investigator,
    /// A secure email gateway or URL-rewriting service.
    MailGateway,
    /// A sandbox or detonation service.
    Sandbox,
    /// A chat or search link preview.
    LinkPreview,
    /// Office or browser prefetch and discovery requests.
    Prefetch,
    /// A web crawler or monitoring robot.
    Crawler,
    /// A script or HTTP library.
    Automation,
    /// Not the recipient, but no more is known.
    Unknown,
}

impl Source {
    /// Every source, in the order of the output's documentation.
    pub const ALL: [Source; 9] = [
        Source::Recipient,
        Source::Investigator,
        Source::MailGateway,
        Source::Sandbox,
        Source::LinkPreview,
        Source::Prefetch,
        Source::Crawler,
        Source::Automation,
        Source::Unknown,
    ];

    /// The name used in rules and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Recipient => "recipient",
            Source::Investigator => "investigator",
            Source::MailGateway => "mail_gateway",
            Source::Sandbox => "sandbox",
            Source::LinkPreview => "link_preview",
            Source::Prefetch => "prefetch",
            Source::Crawler => "crawler",
            Source::Automation => "automation",
            Source::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Source::ALL
            .into_iter()
            .find(|src| src.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown source {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// One rule that fired, with the evidence it saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The rule's id, shared with the engine's rule.
    pub rule: std::sync::Arc<str>,
    /// The rule's weight: positive for machine evidence, negative for
    /// evidence of the recipient.
    pub weight: i32,
    /// The evidence, as `field=value` pairs and catalogue entries.
    pub detail: String,
}

/// The engine's judgement of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// 0 to 100: how likely the request is not the recipient's own.
    pub score: u8,
    /// The decision that follows from the score and the thresholds.
    pub verdict: Verdict,
    /// Who made the request.
    pub source: Source,
    /// Every rule that fired, strongest first.
    pub reasons: Vec<Reason>,
}
