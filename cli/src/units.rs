//! An input cut into its original pieces of bytes, each with what it
//! holds: a record, a rejected record, or bytes that are no record (a CSV
//! header, a blank line, a skipped event).
//!
//! `clean` writes these pieces back unchanged, so that its kept file is the
//! input minus the removed records, byte for byte.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead};

use clicksift::Click;
use clicksift::input::{self, CombinedOptions, Format};

/// Skipped events by reason.
pub type SkipCounts = Vec<(String, u64)>;

/// The pieces of an input, and its skipped events.
pub type Pieces = (Vec<Unit>, SkipCounts);

/// One piece of the input, in input order.
pub struct Unit {
    /// The 1-based line the piece starts on.
    pub line: u64,
    /// The original bytes, line end included.
    pub raw: Vec<u8>,
    /// What the bytes hold.
    pub outcome: Outcome,
}

/// What a piece of input holds.
pub enum Outcome {
    /// A click, open or report (boxed: most pieces hold one, and the
    /// other outcomes are small).
    Record(Box<Click>),
    /// A record that could not be read, and why.
    Reject(String),
    /// Bytes that are no record: written back as they are.
    Pass,
}

impl Unit {
    /// The bytes without their line end, and the line end.
    pub fn split_end(&self) -> (&[u8], &[u8]) {
        split_end(&self.raw)
    }
}

/// `raw` without the line ends (and blank lines) at its end, and those.
pub fn split_end(raw: &[u8]) -> (&[u8], &[u8]) {
    let end = raw
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    raw.split_at(end)
}

/// The lines of a line format (JSON Lines, access log), each read on its
/// own so that the input can stream.
pub struct LineUnits<R> {
    reader: R,
    format: Format,
    line: u64,
    skipped: BTreeMap<String, u64>,
    /// The capacity to give the next line's vector.
    size_hint: usize,
}

/// The largest capacity a line's vector starts with; longer lines grow it.
const MAX_SIZE_HINT: usize = 64 * 1024;

impl<R: BufRead> LineUnits<R> {
    /// Cuts `reader`, which holds `format` (a line format), into lines.
    pub fn new(format: Format, reader: R) -> LineUnits<R> {
        LineUnits {
            reader,
            format,
            line: 0,
            skipped: BTreeMap::new(),
            size_hint: 256,
        }
    }

    /// Events skipped so far, by reason.
    pub fn skipped(&self) -> &BTreeMap<String, u64> {
        &self.skipped
    }

    fn outcome(&mut self, raw: &[u8]) -> Outcome {
        let bytes = if self.line == 1 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        if bytes.trim_ascii().is_empty() {
            return Outcome::Pass;
        }
        match &self.format {
            Format::JsonLines => json_outcome(bytes, self.line),
            Format::Combined(options) => {
                let options = options.clone();
                self.access_outcome(bytes, options)
            }
            other => Outcome::Reject(format!("{} is not a line format", other.name())),
        }
    }

    /// Reads one access-log line through the library's reader, so that
    /// both accept and skip exactly the same lines.
    fn access_outcome(&mut self, bytes: &[u8], options: CombinedOptions) -> Outcome {
        let Ok(mut records) = input::read(Format::Combined(options), bytes) else {
            return Outcome::Reject("cannot read the line".into());
        };
        let outcome = match records.next() {
            Some(Ok(record)) => Outcome::Record(Box::new(record.click)),
            Some(Err(e)) => Outcome::Reject(e.reason()),
            None => Outcome::Pass,
        };
        for (reason, n) in records.skipped().iter() {
            *self.skipped.entry(reason.to_string()).or_insert(0) += n;
        }
        outcome
    }
}

fn json_outcome(bytes: &[u8], line: u64) -> Outcome {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            return Outcome::Reject(format!("not UTF-8 text (bad byte at {at})"));
        }
    };
    match Click::from_json(text.trim(), line) {
        Ok(click) => Outcome::Record(Box::new(click)),
        Err(e) => Outcome::Reject(e.reason()),
    }
}

impl<R: BufRead> Iterator for LineUnits<R> {
    type Item = io::Result<Unit>;

    fn next(&mut self) -> Option<io::Result<Unit>> {
        // Read straight into the piece's own vector, sized from the line
        // before: lines of one export are of a size, so this is one
        // allocation and one copy, where growing a fresh vector to a
        // 500-byte line would take seven. The line is read whole even
        // past the record limit: a rejected line goes to the rejected
        // file as it was, so that nothing of the input is lost.
        let mut raw = Vec::with_capacity(self.size_hint);
        match input::read_line(&mut self.reader, &mut raw, usize::MAX) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return Some(Err(e)),
        }
        self.size_hint = (raw.len() + raw.len() / 8 + 64).min(MAX_SIZE_HINT);
        self.line += 1;
        let outcome = if raw.len() > input::MAX_RECORD_BYTES {
            Outcome::Reject(format!(
                "record longer than {} bytes",
                input::MAX_RECORD_BYTES
            ))
        } else {
            self.outcome(&raw)
        };
        Some(Ok(Unit {
            line: self.line,
            raw,
            outcome,
        }))
    }
}

/// A CSV input (mapped CSV or GoPhish raw events) held whole, read by the
/// library and cut into rows, each row given its outcome by its line.
///
/// GoPhish rows depend on earlier rows (an "Email Sent" time becomes the
/// `sent_at` of later events), so rows are not read one by one.
///
/// # Errors
///
/// A message when the library cannot read the input at all.
pub fn csv_units(format: Format, bytes: &[u8]) -> Result<Pieces, String> {
    let mut records = input::read(format, bytes).map_err(|e| crate::input::error_chain(&e))?;
    let mut outcomes: HashMap<u64, Outcome> = HashMap::new();
    for item in &mut records {
        match item {
            Ok(record) => outcomes.insert(record.line, Outcome::Record(Box::new(record.click))),
            Err(e) => outcomes.insert(e.line(), Outcome::Reject(e.reason())),
        };
    }
    let skipped = records
        .skipped()
        .iter()
        .map(|(r, n)| (r.to_string(), n))
        .collect();
    let units = csv_rows(bytes)
        .into_iter()
        .map(|(line, range)| Unit {
            line,
            raw: bytes[range].to_vec(),
            outcome: outcomes.remove(&line).unwrap_or(Outcome::Pass),
        })
        .collect();
    Ok((units, skipped))
}

/// Where each CSV row starts (line) and which bytes it spans, up to the
/// start of the next row; the header is the first row.
pub fn csv_rows(bytes: &[u8]) -> Vec<(u64, std::ops::Range<usize>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(bytes);
    let mut starts: Vec<(u64, usize)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    // What follows a row the parser gives up on stays with that row.
    while let Ok(true) = reader.read_byte_record(&mut record) {
        if let Some(p) = record.position() {
            starts.push((p.line(), p.byte() as usize));
        }
    }
    let mut rows = Vec::with_capacity(starts.len());
    for (i, &(line, start)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(bytes.len(), |&(_, s)| s);
        rows.push((line, start..end));
    }
    if let Some(first) = rows.first_mut() {
        first.1.start = 0;
    }
    rows
}
