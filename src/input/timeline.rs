//! GoPhish's campaign JSON (`GET /api/campaigns/:id`), read as a stream.
//!
//! The document is one JSON object that also carries the template, the
//! landing page and every result, so it is not parsed whole: a small
//! scanner walks its top level, keeps the campaign `id`, skips the other
//! members without storing them, and hands each element of `timeline` to
//! serde on its own. Memory stays within [`MAX_RECORD_BYTES`] for one
//! event whatever the size of the document.
//!
//! # Limitations
//!
//! Members after `timeline` are not read, so the document's `id` only
//! serves events when it comes first (as GoPhish writes it); events carry
//! their own `campaign_id` anyway. A key written with escapes
//! (`"time\u006cine"`) is not recognised.

use std::borrow::Cow;
use std::io::{self, BufRead};

use serde::Deserialize;

use super::gophish::{Event, NO_MESSAGE, Outcome, SendTimes};
use super::lines::read_error;
use super::{InputRecord, MAX_RECORD_BYTES, Skipped};
use crate::RecordError;
use crate::click::json_field;

/// Longest top-level key or `id` value kept, in bytes.
const MAX_KEY_BYTES: usize = 256;

/// Reads the `timeline` of a GoPhish campaign document.
pub(crate) struct Timeline<R> {
    src: Bytes<R>,
    state: State,
    campaign: Option<String>,
    index: u64,
    element: Vec<u8>,
    sends: SendTimes,
    skipped: Skipped,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Events,
    Done,
}

/// Why scanning stopped early.
enum Fault {
    Io(io::Error),
    Syntax(String),
}

impl From<io::Error> for Fault {
    fn from(e: io::Error) -> Fault {
        Fault::Io(e)
    }
}

/// One timeline event as GoPhish's API writes it.
#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(default, borrow)]
    campaign_id: Option<CampaignId<'a>>,
    #[serde(default, borrow)]
    email: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    message: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    details: Option<Cow<'a, str>>,
}

/// Whether a member of a timeline event has a type [`RawEvent`] takes;
/// other members are ignored.
fn event_member_fits(name: &str, value: &serde_json::Value) -> bool {
    match name {
        "campaign_id" => value.is_number() || value.is_string() || value.is_null(),
        "email" | "time" | "message" | "details" => value.is_string() || value.is_null(),
        _ => true,
    }
}

/// GoPhish writes ids as numbers; text is accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
enum CampaignId<'a> {
    Number(serde_json::Number),
    Text(#[serde(borrow)] Cow<'a, str>),
}

impl CampaignId<'_> {
    fn text(&self) -> String {
        match self {
            CampaignId::Number(n) => n.to_string(),
            CampaignId::Text(t) => t.to_string(),
        }
    }
}

impl<R: BufRead> Timeline<R> {
    pub(crate) fn new(reader: R) -> Timeline<R> {
        Timeline {
            src: Bytes { reader, line: 1 },
            state: State::Start,
            campaign: None,
            index: 0,
            element: Vec::new(),
            sends: SendTimes::default(),
            skipped: Skipped::default(),
        }
    }

    pub(crate) fn skipped(&self) -> &Skipped {
        &self.skipped
    }

    pub(crate) fn forgotten_sends(&self) -> u64 {
        self.sends.forgotten()
    }

    /// Walks the top level up to the opening `[` of `timeline`.
    fn find_timeline(&mut self) -> Result<(), Fault> {
        self.src.skip_bom()?;
        self.src.expect(b'{', "a JSON object")?;
        self.src.skip_ws()?;
        if self.src.peek()? == Some(b'}') {
            return Err(no_timeline());
        }
        loop {
            let mut key = Vec::new();
            self.src.skip_ws()?;
            if self.src.peek()? != Some(b'"') {
                return Err(Fault::Syntax("expected a member name".into()));
            }
            self.src.value(&mut Sink::new(&mut key, MAX_KEY_BYTES))?;
            self.src.expect(b':', "`:`")?;
            self.src.skip_ws()?;
            match key.as_slice() {
                b"\"timeline\"" if self.src.peek()? == Some(b'[') => {
                    self.src.next()?;
                    return Ok(());
                }
                b"\"id\"" => self.read_id()?,
                _ => self.src.value(&mut Sink::discard())?,
            }
            self.src.skip_ws()?;
            match self.src.next()? {
                Some(b',') => continue,
                Some(b'}') => return Err(no_timeline()),
                _ => return Err(Fault::Syntax("expected `,` or `}` after a member".into())),
            }
        }
    }

    fn read_id(&mut self) -> Result<(), Fault> {
        let mut raw = Vec::new();
        self.src.value(&mut Sink::new(&mut raw, MAX_KEY_BYTES))?;
        self.campaign = serde_json::from_slice::<CampaignId<'_>>(&raw)
            .ok()
            .map(|id| id.text());
        Ok(())
    }

    /// Captures the next element of `timeline`; `None` after the last.
    fn next_element(&mut self) -> Result<Option<(u64, bool)>, Fault> {
        self.src.skip_ws()?;
        match self.src.peek()? {
            Some(b']') => return Ok(None),
            None => return Err(Fault::Syntax("the timeline array is not closed".into())),
            Some(_) => {}
        }
        let text_line = self.src.line;
        self.element.clear();
        let mut sink = Sink::new(&mut self.element, MAX_RECORD_BYTES);
        self.src.value(&mut sink)?;
        let complete = !sink.over;

        self.src.skip_ws()?;
        match self.src.peek()? {
            Some(b',') => {
                self.src.next()?;
            }
            Some(b']') => {}
            _ => {
                return Err(Fault::Syntax(
                    "expected `,` or `]` after a timeline event".into(),
                ));
            }
        }
        Ok(Some((text_line, complete)))
    }

    fn event(&mut self, text_line: u64, complete: bool) -> Outcome {
        let line = self.index;
        let at = |field: Option<&str>, m: String| {
            RecordError::new(
                line,
                field,
                format!("timeline event {line} (text line {text_line}): {m}"),
            )
        };
        if !complete {
            return Some(Err(at(
                None,
                format!("longer than {MAX_RECORD_BYTES} bytes"),
            )));
        }
        let raw: RawEvent<'_> = match serde_json::from_slice(&self.element) {
            Ok(raw) => raw,
            Err(e) => {
                let message = e.to_string();
                let field = json_field(&message, &self.element, event_member_fits);
                return Some(Err(at(field.as_deref(), message)));
            }
        };
        let campaign = match &raw.campaign_id {
            Some(id) => Some(Cow::Owned(id.text())),
            None => self.campaign.as_deref().map(Cow::Borrowed),
        };
        let event = Event {
            campaign,
            email: raw.email.filter(|e| !e.is_empty()),
            time: raw.time.filter(|t| !t.is_empty()),
            message: raw.message.as_deref().unwrap_or(NO_MESSAGE),
            details: raw.details,
        };
        event.outcome(line, &mut self.sends, &mut self.skipped)
    }

    fn step(&mut self) -> Result<Option<Outcome>, Fault> {
        if self.state == State::Start {
            self.find_timeline()?;
            self.state = State::Events;
        }
        match self.next_element()? {
            None => Ok(None),
            Some((text_line, complete)) => {
                self.index += 1;
                Ok(Some(self.event(text_line, complete)))
            }
        }
    }
}

impl<R: BufRead> Iterator for Timeline<R> {
    type Item = Result<InputRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.state != State::Done {
            match self.step() {
                Ok(Some(Some(outcome))) => return Some(outcome),
                Ok(Some(None)) => continue,
                Ok(None) => self.state = State::Done,
                Err(fault) => {
                    self.state = State::Done;
                    return Some(Err(self.fault_error(fault)));
                }
            }
        }
        None
    }
}

impl<R> Timeline<R> {
    fn fault_error(&self, fault: Fault) -> RecordError {
        let line = self.index + 1;
        match fault {
            Fault::Io(e) => read_error(line, &e),
            Fault::Syntax(m) => RecordError::new(
                line,
                None,
                format!(
                    "not a GoPhish campaign document: {m} at text line {}; reading stopped",
                    self.src.line
                ),
            ),
        }
    }
}

fn no_timeline() -> Fault {
    Fault::Syntax("no `timeline` array in the campaign".into())
}

/// Where captured bytes go: a buffer up to a limit, or nowhere.
struct Sink<'a> {
    buf: Option<&'a mut Vec<u8>>,
    limit: usize,
    over: bool,
}

impl<'a> Sink<'a> {
    fn new(buf: &'a mut Vec<u8>, limit: usize) -> Sink<'a> {
        Sink {
            buf: Some(buf),
            limit,
            over: false,
        }
    }

    fn discard() -> Sink<'a> {
        Sink {
            buf: None,
            limit: 0,
            over: false,
        }
    }

    fn push(&mut self, byte: u8) {
        if let Some(buf) = &mut self.buf {
            if buf.len() < self.limit {
                buf.push(byte);
            } else {
                self.over = true;
            }
        }
    }
}

/// Bytes of the document with the current text line.
struct Bytes<R> {
    reader: R,
    line: u64,
}

impl<R: BufRead> Bytes<R> {
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.reader.fill_buf() {
                Ok(chunk) => return Ok(chunk.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn next(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.reader.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        if self.reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
            self.reader.consume(3);
        }
        Ok(())
    }

    fn skip_ws(&mut self) -> io::Result<()> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek()? {
            self.next()?;
        }
        Ok(())
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Fault> {
        self.skip_ws()?;
        if self.next()? == Some(byte) {
            return Ok(());
        }
        Err(Fault::Syntax(format!("expected {what}")))
    }

    /// Passes one JSON value to `sink`. Nesting and strings are followed;
    /// the rest of the grammar is left to serde on what is captured.
    fn value(&mut self, sink: &mut Sink<'_>) -> Result<(), Fault> {
        self.skip_ws()?;
        match self.peek()? {
            Some(b'"') => self.string(sink),
            Some(b'{' | b'[') => self.nested(sink),
            _ => self.scalar(sink),
        }
    }

    fn string(&mut self, sink: &mut Sink<'_>) -> Result<(), Fault> {
        let unterminated = || Fault::Syntax("a string is not closed".into());
        let quote = self.next()?.ok_or_else(unterminated)?;
        sink.push(quote);
        loop {
            let byte = self.next()?.ok_or_else(unterminated)?;
            sink.push(byte);
            match byte {
                b'\\' => sink.push(self.next()?.ok_or_else(unterminated)?),
                b'"' => return Ok(()),
                _ => {}
            }
        }
    }

    fn nested(&mut self, sink: &mut Sink<'_>) -> Result<(), Fault> {
        let mut depth = 0u64;
        loop {
            let Some(byte) = self.peek()? else {
                return Err(Fault::Syntax("an object or array is not closed".into()));
            };
            if byte == b'"' {
                self.string(sink)?;
                continue;
            }
            self.next()?;
            sink.push(byte);
            match byte {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    fn scalar(&mut self, sink: &mut Sink<'_>) -> Result<(), Fault> {
        let mut len = 0;
        while let Some(byte) = self.peek()? {
            if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.next()?;
            sink.push(byte);
            len += 1;
        }
        if len == 0 {
            return Err(Fault::Syntax("expected a value".into()));
        }
        Ok(())
    }
}
