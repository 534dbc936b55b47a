//! CSV with a header row, and the bounded CSV reading GoPhish shares.

use std::io::{self, BufRead, Read};
use std::str::Utf8Error;

use ::csv::{ByteRecord, Reader, ReaderBuilder};

use super::lines::{not_utf8, read_error, too_long};
use super::{InputError, InputRecord, MAX_RECORD_BYTES, Skipped};
use crate::click::Field;
use crate::{ClickFields, RecordError};

/// Which CSV column fills which field of a click.
///
/// Fields are named as in the JSON Lines schema: `id`, `kind`,
/// `campaign`, `recipient`, `link`, `honeypot`, `at`, `sent_at`,
/// `delivered_at`, `ip`, `user_agent`, `method`, `url`, `reverse_dns`, and
/// `header:NAME` for the request header `NAME`.
///
/// A field with no explicit column is read from the column named like it,
/// when the header has one; so is a column named `header:NAME`. Column
/// names are compared without surrounding spaces and without regard to
/// ASCII case. Columns that fill no field are ignored, and an empty cell
/// is an absent value.
///
/// `honeypot` accepts `true`, `false`, `1`, `0`, `yes`, `no` or an empty
/// cell.
///
/// ```
/// use clicksift::input::CsvMapping;
///
/// let mapping = CsvMapping::new()
///     .column("recipient", "Email")?
///     .column("at", "Timestamp")?
///     .campaign("2026-q1");
/// # Ok::<(), clicksift::input::InputError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvMapping {
    columns: Vec<(Target, String)>,
    campaign: Option<String>,
}

impl CsvMapping {
    /// The mapping that reads every field from the column named like it.
    pub fn new() -> CsvMapping {
        CsvMapping::default()
    }

    /// Reads `field` from the column `column`, which the header must have.
    ///
    /// # Errors
    ///
    /// Returns an [`InputError`] when `field` is not a field name.
    pub fn column(mut self, field: &str, column: &str) -> Result<CsvMapping, InputError> {
        let target = Target::parse(field)?;
        self.columns.retain(|(t, _)| *t != target);
        self.columns.push((target, column.trim().to_string()));
        Ok(self)
    }

    /// Gives every record the campaign `campaign` when its own campaign
    /// cell is absent or empty; for exports that have no campaign column.
    pub fn campaign(mut self, campaign: impl Into<String>) -> CsvMapping {
        self.campaign = Some(campaign.into());
        self
    }

    /// Parses a mapping written as `field=column` pairs separated by
    /// commas, such as `recipient=Email,at=Timestamp,header:referer=Ref`.
    ///
    /// # Errors
    ///
    /// Returns an [`InputError`] for a pair without `=` or an unknown field.
    pub fn parse(spec: &str) -> Result<CsvMapping, InputError> {
        let mut mapping = CsvMapping::new();
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let Some((field, column)) = pair.split_once('=') else {
                return Err(InputError::new(format!(
                    "CSV mapping: {:?} is not `field=column`",
                    crate::click::truncate(pair)
                )));
            };
            mapping = mapping.column(field, column)?;
        }
        Ok(mapping)
    }

    /// Resolves the mapping against a header: which column index fills
    /// which field.
    fn plan(&self, header: &[String]) -> Result<Vec<(Target, usize)>, InputError> {
        let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let mut plan = Vec::new();
        for (target, column) in &self.columns {
            let Some(index) = find(column) else {
                return Err(InputError::missing_column(
                    column,
                    format!(
                        "CSV header has no column {column:?} for the field `{}` (columns: {})",
                        target.name(),
                        header.join(", ")
                    ),
                ));
            };
            plan.push((target.clone(), index));
        }

        // Fields without an explicit column fall back to the column named
        // like them.
        let explicit = |t: &Target| self.columns.iter().any(|(e, _)| e == t);
        for (index, name) in header.iter().enumerate() {
            if let Ok(target) = Target::parse(name)
                && !explicit(&target)
                && !plan.iter().any(|(t, _)| *t == target)
            {
                plan.push((target, index));
            }
        }
        Ok(plan)
    }
}

/// A field of [`ClickFields`] that a column can fill.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Field(Field),
    Header(String),
}

impl Target {
    fn parse(field: &str) -> Result<Target, InputError> {
        let field = field.trim();
        if let Some((prefix, name)) = field.split_at_checked(7)
            && prefix.eq_ignore_ascii_case("header:")
            && !name.trim().is_empty()
        {
            return Ok(Target::Header(name.trim().to_ascii_lowercase()));
        }
        Field::NAMED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(field))
            .map(|&(_, f)| Target::Field(f))
            .ok_or_else(|| {
                InputError::new(format!(
                    "CSV mapping: unknown field {:?}; expected one of the JSON Lines \
                     field names or header:NAME",
                    crate::click::truncate(field)
                ))
            })
    }

    fn name(&self) -> String {
        match self {
            Target::Header(h) => format!("header:{h}"),
            Target::Field(f) => f.name().to_string(),
        }
    }

    /// Stores one non-empty cell.
    fn fill(&self, fields: &mut ClickFields, value: &str, line: u64) -> Result<(), RecordError> {
        let text = Some(value.to_string());
        match self {
            Target::Field(field) => match field {
                Field::Id => fields.id = text,
                Field::Kind => fields.kind = text,
                Field::Campaign => fields.campaign = text,
                Field::Recipient => fields.recipient = text,
                Field::Link => fields.link = text,
                Field::Honeypot => fields.honeypot = parse_bool(value, line)?,
                Field::At => fields.at = text,
                Field::SentAt => fields.sent_at = text,
                Field::DeliveredAt => fields.delivered_at = text,
                Field::Ip => fields.ip = text,
                Field::UserAgent => fields.user_agent = text,
                Field::Method => fields.method = text,
                Field::Url => fields.url = text,
                Field::ReverseDns => fields.reverse_dns = text,
            },
            Target::Header(name) => {
                fields.headers.insert(name.clone(), value.to_string());
            }
        }
        Ok(())
    }
}

fn parse_bool(value: &str, line: u64) -> Result<bool, RecordError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => Err(RecordError::new(
            line,
            Some("honeypot"),
            format!("{:?} is not true or false", crate::click::truncate(value)),
        )),
    }
}

/// Reads a CSV file through a [`CsvMapping`].
pub(crate) struct CsvRecords<R> {
    table: Table<R>,
    plan: Vec<(Target, usize)>,
    campaign: Option<String>,
    skipped: Skipped,
}

impl<R: BufRead> CsvRecords<R> {
    pub(crate) fn new(mapping: CsvMapping, reader: R) -> Result<CsvRecords<R>, InputError> {
        let mut table = Table::new(reader);
        let plan = mapping.plan(&table.header()?)?;
        Ok(CsvRecords {
            table,
            plan,
            campaign: mapping.campaign,
            skipped: Skipped::default(),
        })
    }

    pub(crate) fn skipped(&self) -> &Skipped {
        &self.skipped
    }

    fn record(&self, line: u64) -> Result<InputRecord, RecordError> {
        let mut fields = ClickFields::default();
        for (target, index) in &self.plan {
            let cell = self
                .table
                .cell(*index)
                .map_err(|e| not_utf8(line, Some(&target.name()), &e));
            let Some(value) = cell? else {
                continue;
            };
            if !value.is_empty() {
                target.fill(&mut fields, value, line)?;
            }
        }
        if fields.campaign.is_none() {
            fields.campaign.clone_from(&self.campaign);
        }
        fields
            .validate(line)
            .map(|click| InputRecord { line, click })
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = Result<InputRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = match self.table.next_row()? {
            Ok(line) => line,
            Err(e) => return Some(Err(e)),
        };
        Some(self.record(line))
    }
}

/// Slack over [`MAX_RECORD_BYTES`] for what the CSV parser reads ahead.
const READ_AHEAD: u64 = 64 * 1024;

/// CSV rows read through a bound on the bytes of one record.
pub(crate) struct Table<R> {
    reader: Reader<Bounded<R>>,
    record: ByteRecord,
    last_line: u64,
    done: bool,
}

impl<R: BufRead> Table<R> {
    pub(crate) fn new(reader: R) -> Table<R> {
        let bounded = Bounded {
            inner: reader,
            delivered: 0,
            allowed: first_allowance(),
        };
        // Rows end at `\n` only: the CSV parser's own CRLF handling numbers
        // the lines of a CRLF file one short. The `\r` left at the end of a
        // row's last cell goes with the trimming every cell gets.
        let reader = ReaderBuilder::new()
            .flexible(true)
            .terminator(::csv::Terminator::Any(b'\n'))
            .from_reader(bounded);
        Table {
            reader,
            record: ByteRecord::new(),
            last_line: 1,
            done: false,
        }
    }

    /// The header's column names, trimmed, without a byte-order mark.
    pub(crate) fn header(&mut self) -> Result<Vec<String>, InputError> {
        let header = self
            .reader
            .byte_headers()
            .map_err(|e| InputError::with_source("cannot read the CSV header", e))?;
        let names = header
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let cell = if i == 0 {
                    cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell)
                } else {
                    cell
                };
                String::from_utf8_lossy(cell).trim().to_string()
            })
            .collect();
        Ok(names)
    }

    /// Reads the next row; returns its first line.
    pub(crate) fn next_row(&mut self) -> Option<Result<u64, RecordError>> {
        while !self.done {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    let line = self.advance();
                    if !self.is_blank() {
                        return Some(Ok(line));
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.row_error(&e)));
                }
            }
        }
        None
    }

    /// Notes where the row just read starts, and lets the next one be as
    /// long as the bound; returns the row's line.
    fn advance(&mut self) -> u64 {
        let position = self.record.position();
        let line = position.map_or(self.last_line + 1, |p| p.line());
        let byte = position.map_or(0, |p| p.byte());
        self.last_line = line;
        self.reader.get_mut().allowed = byte + MAX_RECORD_BYTES as u64 + READ_AHEAD;
        line
    }

    /// A row holding nothing but a line end, as blank CRLF lines read.
    fn is_blank(&self) -> bool {
        self.record.len() == 1
            && self
                .record
                .get(0)
                .is_some_and(|c| c.trim_ascii().is_empty())
    }

    fn row_error(&self, e: &::csv::Error) -> RecordError {
        let line = self.last_line + 1;
        match e.kind() {
            ::csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|i| i.is::<TooLong>()) => {
                too_long(line)
            }
            ::csv::ErrorKind::Io(io) => read_error(line, io),
            _ => RecordError::new(line, None, format!("{e}; reading stopped")),
        }
    }

    /// The trimmed text of cell `index` of the current row, `None` when
    /// the row is shorter.
    pub(crate) fn cell(&self, index: usize) -> Result<Option<&str>, Utf8Error> {
        match self.record.get(index) {
            None => Ok(None),
            Some(bytes) => std::str::from_utf8(bytes).map(|t| Some(t.trim())),
        }
    }
}

fn first_allowance() -> u64 {
    MAX_RECORD_BYTES as u64 + READ_AHEAD
}

/// Marks the read error raised when a record outgrows the bound.
#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record longer than {MAX_RECORD_BYTES} bytes")
    }
}

impl std::error::Error for TooLong {}

/// A reader that refuses to deliver bytes past `allowed`, so that the CSV
/// parser cannot buffer an endless quoted field.
struct Bounded<R> {
    inner: R,
    delivered: u64,
    allowed: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.allowed.saturating_sub(self.delivered);
        if room == 0 {
            return Err(io::Error::other(TooLong));
        }
        let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..len])?;
        self.delivered += got as u64;
        Ok(got)
    }
}
