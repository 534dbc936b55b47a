//! Readers for the click exports that platforms and web servers write.
//!
//! Every format is read the same way: pick a [`Format`] (or let
//! [`detect`] pick it from the first bytes), call [`read`] on any
//! [`BufRead`], and iterate. Each item is an [`InputRecord`] (the record's
//! line number and its [`Click`]) or a [`RecordError`] naming the line and
//! field at fault; reading goes on after a bad record.
//!
//! | format | what it is |
//! |---|---|
//! | [`Format::JsonLines`] | one JSON object per line in clicksift's own schema |
//! | [`Format::Csv`] | CSV with a header row, columns chosen by a [`CsvMapping`] |
//! | [`Format::GoPhishEvents`] | GoPhish's "Export Raw Events" CSV |
//! | [`Format::GoPhishTimeline`] | GoPhish's `GET /api/campaigns/:id` JSON |
//! | [`Format::Combined`] | nginx or Apache access log, combined format |
//!
//! All formats build their clicks through [`ClickFields::validate`], so a
//! value that one format rejects is rejected by all of them.
//!
//! Events that are not clicks, opens or reports (a GoPhish "Email Sent", an
//! access-log request without a recipient) are skipped, never rejected, and
//! counted by reason in [`Records::skipped`] so that nothing vanishes
//! unseen.
//!
//! # Untrusted input
//!
//! Reading streams: memory is bounded by [`MAX_RECORD_BYTES`] for one
//! record and, for GoPhish, by [`MAX_TRACKED_SENDS`] remembered send
//! times. No input makes a reader panic. Text that is not UTF-8 is an error
//! for its record only.
//!
//! [`ClickFields::validate`]: crate::ClickFields::validate

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use crate::{Click, RecordError};

mod combined;
mod csv;
mod detect;
mod gophish;
mod jsonl;
mod lines;
mod timeline;

pub use combined::{BAD_REQUEST, CombinedOptions, NO_RECIPIENT};
pub use csv::CsvMapping;
pub use detect::{SNIFF_LEN, detect};
pub use gophish::MAX_TRACKED_SENDS;
pub use lines::read_line;

/// Longest record a reader holds in memory, in bytes. A longer line (or
/// CSV record, or GoPhish timeline event) is reported as an error; for
/// line formats reading goes on at the next line.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Most distinct skip reasons counted one by one; further reasons are
/// counted together under [`OTHER_REASON`].
pub const MAX_SKIP_REASONS: usize = 64;

/// The reason under which skips beyond [`MAX_SKIP_REASONS`] distinct
/// reasons are counted.
pub const OTHER_REASON: &str = "(other)";

/// A way of writing clicks down, and how to read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line, in the schema of [`Click::from_json`].
    /// Blank lines are skipped.
    JsonLines,
    /// CSV with a header row; see [`CsvMapping`].
    Csv(CsvMapping),
    /// The CSV that GoPhish's "Export Raw Events" button writes, with the
    /// columns `campaign_id,email,time,message,details`.
    ///
    /// | message | becomes |
    /// |---|---|
    /// | `Clicked Link` | a click |
    /// | `Email Opened` | an open |
    /// | `Email Reported` | a report |
    /// | `Submitted Data` | a click on the link `submit` with method `POST` (GoPhish records a form post to the landing page) |
    /// | `Email Sent` | no record; its time becomes `sent_at` of the later events of the same campaign and email |
    /// | anything else (`Campaign Created`, `Error Sending Email`, ...) | no record |
    ///
    /// Every event that gives no record is counted in
    /// [`Records::skipped`] under its message. The campaign is the
    /// `campaign_id`, the recipient the `email`; the address and
    /// user agent come from `details.browser`. Submitted form values
    /// (`details.payload`) are never read: they may hold passwords.
    GoPhishEvents,
    /// The JSON document GoPhish's API returns for one campaign
    /// (`GET /api/campaigns/:id`); its `timeline` events are read exactly
    /// as [`Format::GoPhishEvents`] reads rows.
    ///
    /// The document is one JSON value, often on one line, so the number
    /// of a record is its 1-based position in the `timeline` array rather
    /// than a line; an event that is not valid JSON is reported with its
    /// text line as well. The campaign is each
    /// event's `campaign_id`, else the document's `id`.
    GoPhishTimeline,
    /// An nginx or Apache access log in the combined format; see
    /// [`CombinedOptions`].
    Combined(CombinedOptions),
}

impl Format {
    /// The short name used on command lines and in messages.
    pub fn name(&self) -> &'static str {
        match self {
            Format::JsonLines => "jsonl",
            Format::Csv(_) => "csv",
            Format::GoPhishEvents => "gophish-events",
            Format::GoPhishTimeline => "gophish-timeline",
            Format::Combined(_) => "combined",
        }
    }
}

/// One record read from an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRecord {
    /// 1-based number of the record: the line it starts on, or for
    /// [`Format::GoPhishTimeline`] its position in the timeline. Use it in
    /// messages and as the default id ([`Click::id_or`]).
    pub line: u64,
    /// The event.
    pub click: Click,
}

/// Counts of events read but not turned into records, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    by_reason: BTreeMap<String, u64>,
}

impl Skipped {
    /// How many events were skipped for `reason`.
    pub fn count(&self, reason: &str) -> u64 {
        self.by_reason.get(reason).copied().unwrap_or(0)
    }

    /// How many events were skipped in all.
    pub fn total(&self) -> u64 {
        self.by_reason.values().sum()
    }

    /// Each reason with its count, in order of the reason.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.by_reason
            .iter()
            .map(|(reason, n)| (reason.as_str(), *n))
    }

    /// True when nothing was skipped.
    pub fn is_empty(&self) -> bool {
        self.by_reason.is_empty()
    }

    pub(crate) fn add(&mut self, reason: &str) {
        if let Some(n) = self.by_reason.get_mut(reason) {
            *n += 1;
            return;
        }

        // Reasons can come from the input (GoPhish messages), so both their
        // number and their length are bounded.
        let key = if self.by_reason.len() < MAX_SKIP_REASONS {
            crate::click::truncate(reason)
        } else {
            OTHER_REASON
        };
        *self.by_reason.entry(key.to_string()).or_insert(0) += 1;
    }
}

/// An input that cannot be read at all, such as a CSV whose header lacks a
/// column the mapping names.
#[derive(Debug)]
pub struct InputError {
    message: String,
    column: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl InputError {
    pub(crate) fn new(message: impl Into<String>) -> InputError {
        InputError {
            message: message.into(),
            column: None,
            source: None,
        }
    }

    pub(crate) fn missing_column(column: &str, message: impl Into<String>) -> InputError {
        InputError {
            message: message.into(),
            column: Some(column.to_string()),
            source: None,
        }
    }

    pub(crate) fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> InputError {
        InputError {
            message: message.into(),
            column: None,
            source: Some(Box::new(source)),
        }
    }

    /// The column at fault, when one is.
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Starts reading `reader` as `format`.
///
/// Nothing but a header (for the CSV formats) is read before the first
/// call to `next`.
///
/// # Errors
///
/// Returns an [`InputError`] when the input cannot be read at all: a CSV
/// header that cannot be read, or that lacks a column the mapping names or
/// GoPhish writes.
pub fn read<R: BufRead>(format: Format, reader: R) -> Result<Records<R>, InputError> {
    let inner = match format {
        Format::JsonLines => Inner::JsonLines(jsonl::JsonLines::new(reader)),
        Format::Csv(mapping) => Inner::Csv(csv::CsvRecords::new(mapping, reader)?),
        Format::GoPhishEvents => Inner::GoPhishEvents(gophish::EventRows::new(reader)?),
        Format::GoPhishTimeline => Inner::GoPhishTimeline(timeline::Timeline::new(reader)),
        Format::Combined(options) => Inner::Combined(combined::AccessLog::new(options, reader)),
    };
    Ok(Records { inner })
}

/// The records of one input, in input order; made by [`read`].
pub struct Records<R: BufRead> {
    inner: Inner<R>,
}

enum Inner<R: BufRead> {
    JsonLines(jsonl::JsonLines<R>),
    Csv(csv::CsvRecords<R>),
    GoPhishEvents(gophish::EventRows<R>),
    GoPhishTimeline(timeline::Timeline<R>),
    Combined(combined::AccessLog<R>),
}

impl<R: BufRead> Records<R> {
    /// Events read so far that were not turned into records, by reason.
    pub fn skipped(&self) -> &Skipped {
        match &self.inner {
            Inner::JsonLines(r) => r.skipped(),
            Inner::Csv(r) => r.skipped(),
            Inner::GoPhishEvents(r) => r.skipped(),
            Inner::GoPhishTimeline(r) => r.skipped(),
            Inner::Combined(r) => r.skipped(),
        }
    }

    /// GoPhish send times forgotten so far because more than
    /// [`MAX_TRACKED_SENDS`] were held; later events of those recipients
    /// carry no `sent_at`. Always 0 for the other formats.
    pub fn forgotten_sends(&self) -> u64 {
        match &self.inner {
            Inner::GoPhishEvents(r) => r.forgotten_sends(),
            Inner::GoPhishTimeline(r) => r.forgotten_sends(),
            _ => 0,
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<InputRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::JsonLines(r) => r.next(),
            Inner::Csv(r) => r.next(),
            Inner::GoPhishEvents(r) => r.next(),
            Inner::GoPhishTimeline(r) => r.next(),
            Inner::Combined(r) => r.next(),
        }
    }
}

impl<R: BufRead> fmt::Debug for Records<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Records")
            .field("skipped", self.skipped())
            .finish_non_exhaustive()
    }
}
