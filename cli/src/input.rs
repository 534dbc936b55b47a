//! Input handling shared by every command that reads a click log: which
//! format it is, how it is opened, and how skipped events are reported.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use clicksift::input::{self, CombinedOptions, CsvMapping, Format, Records, SNIFF_LEN, Skipped};

/// Size of the read buffer put in front of every input.
const READ_BUFFER: usize = 1 << 16;

/// How often the progress line is redrawn, in records.
pub const PROGRESS_EVERY: u64 = 100_000;

/// The formats a user can name on the command line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum FormatName {
    /// Guess from the first bytes.
    #[default]
    Auto,
    /// One JSON object a line, in clicksift's schema.
    Jsonl,
    /// CSV with a header row; see --map.
    Csv,
    /// GoPhish "Export Raw Events" CSV.
    GophishEvents,
    /// GoPhish API campaign document (GET /api/campaigns/:id).
    GophishTimeline,
    /// nginx or Apache combined access log; see --recipient-param.
    #[value(alias = "combined")]
    AccessLog,
}

/// Where clicks come from and how to read them: shared by score, clean,
/// clickers and report.
#[derive(Args, Clone, Debug)]
pub struct InputArgs {
    /// The click log; `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Format of the input; `auto` guesses it from the first 8 KiB.
    #[arg(long, value_enum, default_value_t = FormatName::Auto)]
    pub format: FormatName,
    /// CSV: read FIELD from COLUMN, such as recipient=Email or
    /// header:referer=Ref (repeatable). Fields without a mapping are read
    /// from the column named like them.
    #[arg(long = "map", value_name = "FIELD=COLUMN", value_parser = crate::parse_assignment)]
    pub map: Vec<(String, String)>,
    /// The campaign of records that name none: every line of an access
    /// log, or CSV rows without a campaign column or cell.
    #[arg(long, value_name = "NAME")]
    pub campaign: Option<String>,
    /// Access logs: the query parameter that holds the recipient.
    #[arg(long, value_name = "NAME", default_value = "rid")]
    pub recipient_param: String,
}

impl InputArgs {
    /// The name to print in messages: the path, or `-`.
    pub fn name(&self) -> String {
        self.input.display().to_string()
    }

    /// Opens the input and settles its format.
    ///
    /// # Errors
    ///
    /// A message for the user when the input cannot be opened, its format
    /// cannot be guessed, or a flag does not fit the format.
    pub fn open(&self) -> Result<(Format, Box<dyn BufRead>), String> {
        let mut reader = open_path(&self.input).map_err(|e| format!("{}: {e}", self.name()))?;
        let head = sniff(&mut reader).map_err(|e| format!("{}: {e}", self.name()))?;
        let format = self.format_for(&head)?;
        let reader = BufReader::with_capacity(READ_BUFFER, Cursor::new(head).chain(reader));
        Ok((format, Box::new(reader)))
    }

    /// Opens the input and starts reading its records.
    ///
    /// # Errors
    ///
    /// As [`InputArgs::open`], and when the input cannot be read at all
    /// (such as a CSV header without a mapped column).
    pub fn records(&self) -> Result<(Format, Records<Box<dyn BufRead>>), String> {
        let (format, reader) = self.open()?;
        let records = input::read(format.clone(), reader)
            .map_err(|e| format!("{}: {}", self.name(), error_chain(&e)))?;
        Ok((format, records))
    }

    /// The format named, or guessed from `head`, with the flags applied.
    fn format_for(&self, head: &[u8]) -> Result<Format, String> {
        let format = match self.format {
            FormatName::Auto => match input::detect(head) {
                Some(format) => format,
                None => {
                    let format = format_by_extension(&self.input).ok_or_else(|| {
                        format!(
                            "{}: cannot tell the format from the first bytes; name it with \
                             --format (jsonl, csv, gophish-events, gophish-timeline or \
                             access-log)",
                            self.name()
                        )
                    })?;
                    eprintln!(
                        "clicksift: {}: the first bytes do not show the format; reading it as \
                         {}, as its name says (name another with --format)",
                        self.name(),
                        display_name(&format)
                    );
                    format
                }
            },
            FormatName::Jsonl => Format::JsonLines,
            FormatName::Csv => Format::Csv(CsvMapping::new()),
            FormatName::GophishEvents => Format::GoPhishEvents,
            FormatName::GophishTimeline => Format::GoPhishTimeline,
            FormatName::AccessLog => Format::Combined(CombinedOptions::default()),
        };
        self.apply_flags(format)
    }

    fn apply_flags(&self, format: Format) -> Result<Format, String> {
        match format {
            Format::Csv(_) => {
                let mut mapping = CsvMapping::new();
                for (field, column) in &self.map {
                    mapping = mapping.column(field, column).map_err(|e| e.to_string())?;
                }
                if let Some(campaign) = &self.campaign {
                    mapping = mapping.campaign(campaign.clone());
                }
                Ok(Format::Csv(mapping))
            }
            Format::Combined(_) => Ok(Format::Combined(CombinedOptions {
                recipient_param: self.recipient_param.clone(),
                campaign: self.campaign.clone().unwrap_or_else(|| "default".into()),
            })),
            other if !self.map.is_empty() => Err(format!(
                "--map applies to CSV input only; {} is {}",
                self.name(),
                display_name(&other)
            )),
            other => Ok(other),
        }
    }
}

/// The format a file's extension names, for input whose first bytes do
/// not show it (such as a JSON-lines export whose first records are
/// broken): `.jsonl` and `.ndjson`, `.csv`, and `.log` for an access log.
fn format_by_extension(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "jsonl" | "ndjson" => Some(Format::JsonLines),
        "csv" => Some(Format::Csv(CsvMapping::new())),
        "log" => Some(Format::Combined(CombinedOptions::default())),
        _ => None,
    }
}

/// The command-line name of a format.
pub fn display_name(format: &Format) -> &'static str {
    match format {
        Format::Combined(_) => "access-log",
        other => other.name(),
    }
}

/// Opens a file, or standard input for `-`.
pub fn open_path(path: &Path) -> io::Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin()));
    }
    Ok(Box::new(File::open(path)?))
}

/// Reads the whole input named by `path` into memory.
pub fn read_all(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_path(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads up to [`SNIFF_LEN`] bytes, fewer only at the end of the input.
fn sniff(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// An error with its causes, `: `-separated.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Prints the skipped events, by reason, on stderr: they are not clicks,
/// but the user should see that they were there.
pub fn report_skipped(name: &str, skipped: &Skipped) {
    let list: Vec<(String, u64)> = skipped.iter().map(|(r, n)| (r.to_string(), n)).collect();
    report_skipped_list(name, &list);
}

/// As [`report_skipped`], for counts by reason already listed.
pub fn report_skipped_list(name: &str, skipped: &[(String, u64)]) {
    if skipped.is_empty() {
        return;
    }
    let total: u64 = skipped.iter().map(|(_, n)| n).sum();
    let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
    eprintln!(
        "clicksift: {name}: skipped {total} event(s) that are not clicks, opens or reports: {}",
        reasons.join(", ")
    );
}

/// A progress line on stderr, drawn only when stderr is a terminal.
pub struct Progress {
    shown: bool,
    count: u64,
}

impl Progress {
    /// Progress for a run; silent when stderr is not a terminal.
    pub fn new() -> Progress {
        Progress {
            shown: io::stderr().is_terminal(),
            count: 0,
        }
    }

    /// Counts one record, redrawing every [`PROGRESS_EVERY`].
    pub fn tick(&mut self) {
        self.count += 1;
        if self.shown && self.count % PROGRESS_EVERY == 0 {
            eprint!("\r{} records read", self.count);
        }
    }

    /// Clears the line, if one was drawn.
    pub fn done(&self) {
        if self.shown && self.count >= PROGRESS_EVERY {
            eprint!("\r{:40}\r", "");
        }
    }
}

/// Every record of an input, judged with the campaign heuristics.
pub struct JudgedLog {
    /// The records, in input order.
    pub clicks: Vec<clicksift::Click>,
    /// The judgement of each record, in the same order.
    pub assessments: Vec<clicksift::Assessment>,
    /// How many records were rejected (each listed on stderr).
    pub rejected: u64,
}

/// Reads and judges a whole input, listing rejected records and skipped
/// events on stderr.
///
/// # Errors
///
/// A message when the input cannot be opened or read at all.
pub fn judge_all(args: &InputArgs, engine: &clicksift::Engine) -> Result<JudgedLog, String> {
    let (_, mut records) = args.records()?;
    let name = args.name();
    let mut clicks = Vec::new();
    let mut rejected = 0;
    let mut progress = Progress::new();
    for item in &mut records {
        progress.tick();
        match item {
            Ok(record) => clicks.push(record.click),
            Err(e) => {
                rejected += 1;
                eprintln!("{name}:{}: {}", e.line(), e.reason());
            }
        }
    }
    progress.done();
    report_skipped(&name, records.skipped());
    let mut cache = clicksift::Cache::new();
    let assessments = clicksift::campaign::assess_log(engine, &clicks, &mut cache);
    Ok(JudgedLog {
        clicks,
        assessments,
        rejected,
    })
}

/// A time as RFC 3339 in UTC, with as many fraction digits as it has.
pub fn show_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
