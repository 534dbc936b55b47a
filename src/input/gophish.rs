//! GoPhish's events: the "Export Raw Events" CSV, and the mapping from a
//! GoPhish event to a click that the API timeline reader shares.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::io::BufRead;

use serde::Deserialize;

use super::csv::Table;
use super::lines::not_utf8;
use super::{InputError, InputRecord, Skipped};
use crate::{ClickFields, RecordError};

/// Most `(campaign, email)` send times remembered at once for filling
/// `sent_at`. Past it the oldest is forgotten (and counted in
/// [`Records::forgotten_sends`]); about 40 MB at the limit.
///
/// [`Records::forgotten_sends`]: super::Records::forgotten_sends
pub const MAX_TRACKED_SENDS: usize = 1 << 18;

/// The columns GoPhish writes, in its order.
const COLUMNS: [&str; 5] = ["campaign_id", "email", "time", "message", "details"];

/// The skip reason of an event without a message.
pub(crate) const NO_MESSAGE: &str = "(no message)";

/// The link given to a "Submitted Data" event.
pub(crate) const SUBMIT_LINK: &str = "submit";

/// One GoPhish event, borrowed from its row or JSON object.
pub(crate) struct Event<'a> {
    pub(crate) campaign: Option<Cow<'a, str>>,
    pub(crate) email: Option<Cow<'a, str>>,
    pub(crate) time: Option<Cow<'a, str>>,
    pub(crate) message: &'a str,
    pub(crate) details: Option<Cow<'a, str>>,
}

/// What an event turns into: a record, an error, or `None` when it is
/// skipped (and counted).
pub(crate) type Outcome = Option<Result<InputRecord, RecordError>>;

/// `details` as GoPhish writes it; the form `payload` is not read.
#[derive(Deserialize)]
struct Details<'a> {
    #[serde(default, borrow)]
    browser: Option<Browser<'a>>,
}

#[derive(Deserialize)]
struct Browser<'a> {
    #[serde(default, borrow)]
    address: Option<Cow<'a, str>>,
    #[serde(default, borrow, rename = "user-agent")]
    user_agent: Option<Cow<'a, str>>,
}

/// Send times by `(campaign, email)`, oldest forgotten first.
#[derive(Default)]
pub(crate) struct SendTimes {
    times: HashMap<(String, String), String>,
    order: VecDeque<(String, String)>,
    forgotten: u64,
}

impl SendTimes {
    fn remember(&mut self, campaign: &str, email: &str, time: &str) {
        let key = (campaign.to_string(), email.to_string());
        if let Some(old) = self.times.get_mut(&key) {
            // A re-send: keep the latest time, in the old place in line.
            time.clone_into(old);
            return;
        }
        if self.times.len() >= MAX_TRACKED_SENDS
            && let Some(oldest) = self.order.pop_front()
        {
            self.times.remove(&oldest);
            self.forgotten += 1;
        }
        self.order.push_back(key.clone());
        self.times.insert(key, time.to_string());
    }

    fn sent_at(&self, campaign: &str, email: &str) -> Option<String> {
        // The tuple key needs owned strings; a lookup costs two small
        // copies, cheap next to validation.
        self.times
            .get(&(campaign.to_string(), email.to_string()))
            .cloned()
    }

    pub(crate) fn forgotten(&self) -> u64 {
        self.forgotten
    }
}

impl Event<'_> {
    /// Turns the event into a record, a skip (counted) or an error.
    pub(crate) fn outcome(
        &self,
        line: u64,
        sends: &mut SendTimes,
        skipped: &mut Skipped,
    ) -> Outcome {
        let (kind, link, method) = match self.message {
            "Clicked Link" => ("click", None, None),
            "Email Opened" => ("open", None, None),
            "Email Reported" => ("report", None, None),
            "Submitted Data" => ("click", Some(SUBMIT_LINK), Some("POST")),
            "Email Sent" => return self.remember_send(line, sends, skipped),
            other => {
                skipped.add(other);
                return None;
            }
        };
        let record = self
            .fields(kind, link, method, line, sends)
            .and_then(|fields| fields.validate(line))
            .map(|click| InputRecord { line, click });
        Some(record)
    }

    fn remember_send(&self, line: u64, sends: &mut SendTimes, skipped: &mut Skipped) -> Outcome {
        skipped.add(self.message);
        let (Some(campaign), Some(email), Some(time)) = (&self.campaign, &self.email, &self.time)
        else {
            return None;
        };

        // A bad send time is reported here, where it is, rather than on
        // every later event of the recipient.
        if let Err(m) = crate::click::parse_time(time) {
            return Some(Err(RecordError::new(line, Some("time"), m)));
        }
        sends.remember(campaign, email, time);
        None
    }

    fn fields(
        &self,
        kind: &str,
        link: Option<&str>,
        method: Option<&str>,
        line: u64,
        sends: &SendTimes,
    ) -> Result<ClickFields, RecordError> {
        let browser = self.browser(line)?;
        let sent_at = match (&self.campaign, &self.email) {
            (Some(c), Some(e)) => sends.sent_at(c, e),
            _ => None,
        };
        Ok(ClickFields {
            kind: Some(kind.to_string()),
            campaign: self.campaign.as_deref().map(str::to_string),
            recipient: self.email.as_deref().map(str::to_string),
            link: link.map(str::to_string),
            at: self.time.as_deref().map(str::to_string),
            sent_at,
            ip: browser
                .as_ref()
                .and_then(|b| non_empty(b.address.as_deref())),
            user_agent: browser
                .as_ref()
                .and_then(|b| non_empty(b.user_agent.as_deref())),
            method: method.map(str::to_string),
            ..ClickFields::default()
        })
    }

    fn browser(&self, line: u64) -> Result<Option<Browser<'_>>, RecordError> {
        let Some(text) = self.details.as_deref().filter(|d| !d.trim().is_empty()) else {
            return Ok(None);
        };
        let details: Details<'_> = serde_json::from_str(text).map_err(|e| {
            RecordError::new(
                line,
                Some("details"),
                format!("not GoPhish event details: {e}"),
            )
        })?;
        Ok(details.browser)
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

/// Undoes the quote that GoPhish's CSV export puts before a cell starting
/// with `=`, `+`, `-`, `@`, tab or carriage return, which spreadsheets
/// would otherwise run as a formula.
pub(crate) fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Reads GoPhish's raw events CSV.
pub(crate) struct EventRows<R> {
    table: Table<R>,
    columns: [usize; 5],
    sends: SendTimes,
    skipped: Skipped,
}

impl<R: BufRead> EventRows<R> {
    pub(crate) fn new(reader: R) -> Result<EventRows<R>, InputError> {
        let mut table = Table::new(reader);
        let header = table.header()?;
        let mut columns = [0; 5];
        for (slot, name) in columns.iter_mut().zip(COLUMNS) {
            *slot = header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    InputError::missing_column(
                        name,
                        format!(
                            "not a GoPhish raw events export: no column {name:?} \
                         (expected {}; found {})",
                            COLUMNS.join(","),
                            header.join(",")
                        ),
                    )
                })?;
        }
        Ok(EventRows {
            table,
            columns,
            sends: SendTimes::default(),
            skipped: Skipped::default(),
        })
    }

    pub(crate) fn skipped(&self) -> &Skipped {
        &self.skipped
    }

    pub(crate) fn forgotten_sends(&self) -> u64 {
        self.sends.forgotten()
    }

    fn row(&mut self, line: u64) -> Outcome {
        let cells = match cells(&self.table, self.columns, line) {
            Ok(cells) => cells,
            Err(e) => return Some(Err(e)),
        };
        let [campaign, email, time, message, details] = cells;
        let event = Event {
            campaign: campaign.map(|c| Cow::Borrowed(unescape_formula(c))),
            email: email.map(|e| Cow::Borrowed(unescape_formula(e))),
            time: time.map(Cow::Borrowed),
            message: message.unwrap_or(NO_MESSAGE),
            details: details.map(Cow::Borrowed),
        };
        event.outcome(line, &mut self.sends, &mut self.skipped)
    }
}

/// The five GoPhish cells of the current row; empty cells are absent.
fn cells<R: BufRead>(
    table: &Table<R>,
    columns: [usize; 5],
    line: u64,
) -> Result<[Option<&str>; 5], RecordError> {
    let mut cells = [None; 5];
    for ((cell, index), name) in cells.iter_mut().zip(columns).zip(COLUMNS) {
        let text = table
            .cell(index)
            .map_err(|e| not_utf8(line, Some(name), &e))?;
        *cell = text.filter(|c| !c.is_empty());
    }
    Ok(cells)
}

impl<R: BufRead> Iterator for EventRows<R> {
    type Item = Result<InputRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = match self.table.next_row()? {
                Ok(line) => line,
                Err(e) => return Some(Err(e)),
            };
            if let Some(outcome) = self.row(line) {
                return Some(outcome);
            }
        }
    }
}
