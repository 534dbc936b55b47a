//! clicksift tells a recipient's own click on a phishing-simulation link
//! from a click made by something else.
#![deny(missing_docs)]

pub mod agent;
pub mod campaign;
pub mod click;
mod csvline;
pub mod engine;
pub mod evidence;
pub mod input;
pub mod mmdb;
pub mod network;
pub mod rules;
pub mod verdict;

pub use campaign::{CampaignFacts, CampaignSettings};
pub use click::{Click, ClickFields, EventKind, RecordError};
pub use engine::{BuildError, Cache, Engine, EngineBuilder, RuleInfo};
pub use mmdb::{DatabaseError, DatabaseErrorKind, DatabaseKind, Databases, LookupCache, NetFacts};
pub use rules::{Diagnostic, Thresholds};
pub use verdict::{Assessment, Reason, Source, Verdict};
