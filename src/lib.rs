//! clicksift tells a recipient's own click on a phishing-simulation link
//! from a click made by something else.
//!
//! A simulation platform records every request to a recipient's unique
//! link as that recipient's click. Many of those requests are not theirs:
//! secure email gateways and URL rewriters detonate links before or after
//! delivery, sandboxes open them, chat apps fetch previews, Office probes
//! links before the browser opens them, and IT staff open messages that a
//! recipient reported. clicksift judges each request and says why.
//!
//! # What it decides
//!
//! For every click and pixel open, the [`Engine`] returns an
//! [`Assessment`]: a score from 0 to 100 (how likely the request is not the
//! recipient's own), a [`Verdict`] (`human`, `machine` or `uncertain`), the
//! [`Source`] it attributes the request to, and every [`Reason`] with the
//! evidence it saw.
//!
//! Evidence comes from the request itself (address, agent, method, URL,
//! headers, reverse DNS name, timing after delivery), from built-in
//! catalogues (published gateway ranges, the networks of security vendors,
//! clouds and web proxies, crawler agents, browser release dates), from
//! MaxMind databases when given ([`mmdb`]), and from the rest of the
//! campaign ([`campaign`]): honeypot hits, sweeps of every link, bursts,
//! one address fanning out over many recipients, probes before a browser
//! request, and requests after the recipient reported the message.
//!
//! Rules turn evidence into weights. They are plain TOML with conditions
//! in a small language (see [`rules`] and `rules/default.toml`, the
//! built-in rules), so every decision can be read, changed and re-run.
//! Positive weights combine as independent chances; negative weights
//! (evidence of the recipient) scale the score down; see
//! [`engine::combine`].
//!
//! # Example
//!
//! ```
//! use clicksift::{Cache, Click, Engine, Source, Verdict};
//!
//! let engine = Engine::with_defaults()?;
//! let mut cache = Cache::new();
//! let click = Click::from_json(
//!     r#"{"campaign": "q1", "recipient": "ann@example.com",
//!         "at": "2026-03-02T09:00:05Z", "delivered_at": "2026-03-02T09:00:00Z",
//!         "ip": "40.92.17.33",
//!         "user_agent": "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36"}"#,
//!     1,
//! )?;
//! let judged = engine.assess(&click, &mut cache);
//! assert_eq!(judged.verdict, Verdict::Machine);
//! assert_eq!(judged.source, Source::MailGateway);
//! // The strongest reason: a range Microsoft publishes for Exchange
//! // Online Protection.
//! assert_eq!(&*judged.reasons[0].rule, "network.published-gateway");
//! assert!(judged.reasons[0].detail.contains("40.92.0.0/15"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A whole log is judged with [`campaign::assess_log`], which adds the
//! campaign heuristics; a log larger than memory streams through
//! [`campaign::Stream`] with the same results.
//!
//! # Building and sharing an engine
//!
//! [`Engine::builder`] takes rule files (later files override earlier
//! rules by id), constants, network catalogues and databases; `build`
//! validates everything and reports every problem with its file, line
//! and column ([`BuildError`]). The engine is immutable and `Send + Sync`;
//! each thread keeps its own [`Cache`] of agent analyses and address
//! lookups. A cache warmed on the agents a stream repeats can be cloned
//! for each thread.
//!
//! # Untrusted input
//!
//! Requests are made by whoever clicks, so every field is untrusted.
//! Nothing here panics on any input: records are validated field by field
//! ([`RecordError`] names the line and field), text fields are bounded
//! ([`click::MAX_FIELD_LEN`]), agents are analysed up to
//! [`agent::MAX_AGENT_LEN`] bytes, caches and campaign state are capped
//! ([`agent::AGENT_CACHE_CAPACITY`],
//! [`CampaignSettings::max_tracked_keys`]), and rule files are bounded in
//! nesting ([`rules::MAX_DEPTH`]) and regex size. MaxMind files are
//! read with their decoding errors contained. The fuzz targets in `fuzz/`
//! and the property tests back this up.
//!
//! The library never prints, never logs and never reads the clock: time
//! comes from the events.
//!
//! # Limitations
//!
//! - Judgements are only as good as the evidence: a sandbox presenting a
//!   current browser from Microsoft's cloud looks like a person on a
//!   virtual desktop there, and is left uncertain unless the campaign gives
//!   it away. The other clouds and hosting networks are taken to carry no
//!   desktops (rule `network.sandbox-cloud`), so a person whose company
//!   runs its desktops or VPN there is judged a machine until a rule file
//!   allows that network.
//! - The catalogues are dated snapshots (see `data/README.md`); networks
//!   change, so regenerate them and re-judge past campaigns.
//! - No public labelled set of real clicks exists. The accuracy figures
//!   come from logs simulated from published facts (`fixtures/eval`).
#![deny(missing_docs)]

pub mod agent;
pub mod campaign;
pub mod click;
mod csvline;
pub mod engine;
pub mod evidence;
pub mod input;
pub mod json;
pub mod mmdb;
pub mod network;
pub mod rules;
pub mod verdict;

pub use campaign::{CampaignFacts, CampaignSettings};
pub use click::{Click, ClickFields, EventKind, RecordError};
pub use engine::{BuildError, Cache, Engine, EngineBuilder, RuleInfo, Summary};
pub use mmdb::{DatabaseError, DatabaseErrorKind, DatabaseKind, Databases, LookupCache, NetFacts};
pub use rules::{Diagnostic, Thresholds};
pub use verdict::{Assessment, Reason, Source, Verdict};
