//! clicksift tells a recipient's own click on a phishing-simulation link
//! from a click made by something else.
#![deny(missing_docs)]

pub mod click;
pub mod input;
pub mod mmdb;
pub mod verdict;

pub use click::{Click, ClickFields, EventKind, RecordError};
pub use verdict::{Assessment, Reason, Source, Verdict};
