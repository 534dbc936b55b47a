//! `clicksift clean`: split a click log into the records to keep and the
//! records to remove, both in the input's own format and bytes, and
//! `clicksift merge`, which puts them back together.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use clicksift::campaign::{Stream, assess_log};
use clicksift::input::{Format, detect};
use clicksift::{Assessment, Cache, Click, Engine, EventKind};
use serde::{Deserialize, Serialize};

use crate::filters::{FilterArgs, Filters, Label};
use crate::input::{FormatName, InputArgs, Progress, display_name, read_all};
use crate::units::{LineUnits, Outcome, Pieces, Unit, csv_rows, csv_units, split_end};
use crate::{EngineArgs, exit};
use crate::{json, output};

/// What `clean --help` says after the flags.
pub const CLEAN_HELP: &str = "\
Filters: a record is removed when ANY filter matches it (--match all: when
EVERY filter does). With no filter at all, --verdict machine is used.
Reports (a recipient reporting the message) are never removed.

Outputs, in the input's format:
  --kept     the input minus the removed and rejected records, byte for byte
             (headers, blank lines and skipped events such as GoPhish
             \"Email Sent\" rows stay), ready to load back into the platform.
  --removed  the removed records, each saying why:
               JSON Lines: the original object with a \"clicksift\" member
                 {line, score, verdict, source, removed_by, reasons} added last;
               CSV: the original row with the columns clicksift_line,
                 clicksift_score, clicksift_verdict, clicksift_source,
                 clicksift_removed_by and clicksift_reasons appended;
               access logs: the original line; the reasons go, line for
                 line, to FILE.reasons.jsonl beside it.
  --rejects  records that could not be read, as JSON Lines
             {line, reason, text}; without it they are only listed on stderr.
Every input record is counted once: kept + removed + rejected + skipped.

Undo: `clicksift merge KEPT REMOVED [--rejects FILE] --out FILE` strips the
annotations and restores the original order. To re-judge with other rules
or thresholds, run clean again on the original export.

Memory: the input is read whole (memory grows with its size), because the
campaign heuristics look at neighbouring clicks. With --stream, JSON Lines
and access logs in time order are read with bounded memory instead.";

/// Arguments of `clicksift clean`.
#[derive(Args)]
pub struct CleanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Where to write the kept records.
    #[arg(long, value_name = "FILE", required_unless_present = "dry_run")]
    kept: Option<PathBuf>,
    /// Where to write the removed records, each with why.
    #[arg(long, value_name = "FILE", required_unless_present = "dry_run")]
    removed: Option<PathBuf>,
    /// Where to write records that could not be read.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Print what would be removed, and why, without writing any file.
    #[arg(long)]
    dry_run: bool,
    /// Stream a time-ordered JSON Lines or access log with bounded memory;
    /// a record older than the one before it is rejected.
    #[arg(long)]
    stream: bool,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

/// How the pieces of a format are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    JsonLines,
    Csv,
    AccessLog,
}

impl Family {
    fn of(format: &Format) -> Result<Family, String> {
        match format {
            Format::JsonLines => Ok(Family::JsonLines),
            Format::Csv(_) | Format::GoPhishEvents => Ok(Family::Csv),
            Format::Combined(_) => Ok(Family::AccessLog),
            Format::GoPhishTimeline => Err("clean and merge do not write GoPhish campaign \
                 documents; export the campaign's raw events CSV from GoPhish and use that"
                .into()),
        }
    }
}

/// Why a record was removed, as written next to it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Annotation {
    /// The line the record starts on in the original input.
    pub line: u64,
    /// The engine's score.
    pub score: u8,
    /// The engine's verdict.
    pub verdict: Cow<'static, str>,
    /// The source the engine attributes the record to.
    pub source: Cow<'static, str>,
    /// The filters that matched.
    pub removed_by: Vec<Label>,
    /// The rules that fired.
    pub reasons: Vec<AnnotatedReason>,
}

/// One rule that fired.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnnotatedReason {
    rule: Arc<str>,
    weight: i32,
    detail: String,
}

impl Annotation {
    fn new(line: u64, a: &Assessment, removed_by: Vec<Label>) -> Annotation {
        Annotation::of(line, a.clone(), removed_by)
    }

    /// The annotation of an assessment the caller gives up, whose reasons
    /// move into it.
    fn of(line: u64, a: Assessment, removed_by: Vec<Label>) -> Annotation {
        Annotation {
            line,
            score: a.score,
            verdict: a.verdict.as_str().into(),
            source: a.source.as_str().into(),
            removed_by,
            reasons: a
                .reasons
                .into_iter()
                .map(|r| AnnotatedReason {
                    rule: r.rule,
                    weight: r.weight,
                    detail: r.detail,
                })
                .collect(),
        }
    }

    /// Appends the annotation as JSON, the same bytes serde writes for it
    /// (see `crate::json`).
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"line\":");
        json::number(out, self.line);
        out.extend_from_slice(b",\"score\":");
        json::number(out, self.score);
        out.extend_from_slice(b",\"verdict\":");
        json::plain(out, &self.verdict);
        out.extend_from_slice(b",\"source\":");
        json::plain(out, &self.source);
        out.extend_from_slice(b",\"removed_by\":[");
        for (i, filter) in self.removed_by.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::string(out, filter);
        }
        out.extend_from_slice(b"],\"reasons\":");
        let reasons = self.reasons.iter();
        output::reasons(
            out,
            reasons.map(|r| (&*r.rule, r.weight, r.detail.as_str())),
        );
        out.push(b'}');
    }

    fn reasons_text(&self) -> String {
        let parts: Vec<String> = self
            .reasons
            .iter()
            .map(|r| format!("{} ({:+}): {}", r.rule, r.weight, r.detail))
            .collect();
        parts.join(" | ")
    }
}

/// The columns CSV output appends to removed rows.
const CSV_COLUMNS: [&str; 6] = [
    "clicksift_line",
    "clicksift_score",
    "clicksift_verdict",
    "clicksift_source",
    "clicksift_removed_by",
    "clicksift_reasons",
];

/// Where the JSON annotation starts in a removed JSON Lines record.
const JSON_MARK: &[u8] = b",\"clicksift\":{";

/// Counts of one run; they add up to the input's records.
#[derive(Debug, Default)]
struct Counts {
    kept: u64,
    removed: u64,
    rejected: u64,
    skipped: u64,
}

/// The files a run writes, and what it counted.
struct Sink {
    name: String,
    family: Family,
    kept: Option<Out>,
    removed: Option<Out>,
    sidecar: Option<Out>,
    rejects: Option<Out>,
    dry_run: Option<BufWriter<io::Stdout>>,
    header_done: bool,
    counts: Counts,
}

fn create(path: &Path) -> Result<Out, String> {
    File::create(path)
        .map(Out::new)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// How many bytes an output gathers before it writes them.
const OUT_CHUNK: usize = 1 << 17;

/// A file written in chunks, whose buffer records are built in directly:
/// a removed record and its annotation are written once, into the chunk,
/// instead of into a buffer of their own first and then copied.
struct Out {
    file: File,
    buf: Vec<u8>,
}

impl Out {
    fn new(file: File) -> Out {
        Out {
            file,
            buf: Vec::with_capacity(OUT_CHUNK + (OUT_CHUNK >> 2)),
        }
    }

    /// Writes the chunk once it is full.
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= OUT_CHUNK {
            self.file.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn put(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        for part in parts {
            self.buf.extend_from_slice(part);
        }
        self.spill()
    }
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.put(&[bytes])?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.write_all(&self.buf)?;
        self.buf.clear();
        self.file.flush()
    }
}

impl Drop for Out {
    /// Writes what is left, as `BufWriter` does; a run that ends well has
    /// flushed already and reported any error.
    fn drop(&mut self) {
        let _ = self.file.write_all(&self.buf);
    }
}

/// The file beside an access log's removed lines that holds their
/// reasons.
pub fn sidecar_path(removed: &Path) -> PathBuf {
    let mut name = removed.as_os_str().to_owned();
    name.push(".reasons.jsonl");
    PathBuf::from(name)
}

impl Sink {
    fn open(args: &CleanArgs, family: Family) -> Result<Sink, String> {
        let mut sink = Sink {
            name: args.input.name(),
            family,
            kept: None,
            removed: None,
            sidecar: None,
            rejects: None,
            dry_run: None,
            header_done: family != Family::Csv,
            counts: Counts::default(),
        };
        if args.dry_run {
            sink.dry_run = Some(BufWriter::new(io::stdout()));
            return Ok(sink);
        }
        if let (Some(kept), Some(removed)) = (&args.kept, &args.removed) {
            sink.kept = Some(create(kept)?);
            sink.removed = Some(create(removed)?);
            if family == Family::AccessLog {
                sink.sidecar = Some(create(&sidecar_path(removed))?);
            }
        }
        if let Some(rejects) = &args.rejects {
            sink.rejects = Some(create(rejects)?);
        }
        Ok(sink)
    }

    /// Bytes that are no record: the CSV header goes to both files (with
    /// the annotation columns in the removed file), the rest to kept.
    fn pass(&mut self, unit: &Unit) -> io::Result<()> {
        if !self.header_done {
            self.header_done = true;
            let (content, end) = unit.split_end();
            let columns = encode_csv(&CSV_COLUMNS.map(str::as_bytes));
            if let Some(w) = &mut self.removed {
                w.put(&[content, b",", &columns, end])?;
            }
        }
        if let Some(w) = &mut self.kept {
            w.put(&[&unit.raw])?;
        }
        Ok(())
    }

    fn keep(&mut self, unit: &Unit) -> io::Result<()> {
        self.counts.kept += 1;
        if let Some(w) = &mut self.kept {
            w.put(&[&unit.raw])?;
        }
        Ok(())
    }

    fn remove(&mut self, unit: &Unit, note: &Annotation) -> io::Result<()> {
        self.counts.removed += 1;
        if let Some(out) = &mut self.dry_run {
            return writeln!(
                out,
                "{}:{}: would remove ({}; score {}, {}, {}): {}",
                self.name,
                note.line,
                note.removed_by.join(", "),
                note.score,
                note.verdict,
                note.source,
                note.reasons_text()
            );
        }
        let Some(w) = &mut self.removed else {
            return Ok(());
        };
        let (content, end) = unit.split_end();
        match self.family {
            Family::JsonLines => {
                let brace = content
                    .iter()
                    .rposition(|&b| b == b'}')
                    .unwrap_or(content.len());
                let (head, tail) = content.split_at(brace);
                w.buf.extend_from_slice(head);
                w.buf.extend_from_slice(b",\"clicksift\":");
                note.write_json(&mut w.buf);
                w.put(&[tail, end])
            }
            Family::Csv => {
                let fields = csv_note(note);
                let refs: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
                w.put(&[content, b",", &encode_csv(&refs), end])
            }
            Family::AccessLog => {
                w.put(&[&unit.raw])?;
                if let Some(side) = &mut self.sidecar {
                    note.write_json(&mut side.buf);
                    side.put(&[b"\n"])?;
                }
                Ok(())
            }
        }
    }

    fn reject(&mut self, unit: &Unit, reason: &str) -> io::Result<()> {
        self.counts.rejected += 1;
        eprintln!("{}:{}: {reason}", self.name, unit.line);
        let Some(w) = &mut self.rejects else {
            return Ok(());
        };
        let record = Rejected {
            line: unit.line,
            reason: reason.to_string(),
            text: String::from_utf8_lossy(&unit.raw).into_owned(),
        };
        serde_json::to_writer(&mut *w, &record).map_err(io::Error::other)?;
        w.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        for w in [
            &mut self.kept,
            &mut self.removed,
            &mut self.sidecar,
            &mut self.rejects,
        ]
        .into_iter()
        .flatten()
        {
            w.flush()?;
        }
        if let Some(out) = &mut self.dry_run {
            out.flush()?;
        }
        Ok(())
    }

    fn summary(&self) {
        let c = &self.counts;
        let total = c.kept + c.removed + c.rejected + c.skipped;
        let verb = if self.dry_run.is_some() {
            "would be removed"
        } else {
            "removed"
        };
        eprintln!(
            "clicksift: {}: {total} records: {} kept, {} {verb}, {} rejected, {} skipped",
            self.name, c.kept, c.removed, c.rejected, c.skipped
        );
    }
}

/// A line of the rejects file.
#[derive(Serialize, Deserialize)]
struct Rejected {
    line: u64,
    reason: String,
    text: String,
}

fn csv_note(note: &Annotation) -> [String; 6] {
    [
        note.line.to_string(),
        note.score.to_string(),
        note.verdict.to_string(),
        note.source.to_string(),
        note.removed_by.join("; "),
        note.reasons_text(),
    ]
}

/// Cells written as one CSV row without its line end.
fn encode_csv(fields: &[&[u8]]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(fields);
    let mut bytes = writer.into_inner().unwrap_or_default();
    bytes.pop();
    bytes
}

pub fn run(args: &CleanArgs) -> ExitCode {
    let engine = match args.engine.build() {
        Ok(e) => e,
        Err(code) => return code,
    };
    match clean(args, &engine) {
        Ok(sink) => {
            sink.summary();
            let code = if sink.counts.rejected > 0 {
                exit::REJECTED
            } else {
                exit::OK
            };
            ExitCode::from(code)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("clicksift: {message}");
            ExitCode::from(exit::USAGE)
        }
        Err(Failure::Io(message)) => {
            eprintln!("clicksift: {message}");
            ExitCode::from(exit::IO)
        }
    }
}

enum Failure {
    Usage(String),
    Io(String),
}

fn clean(args: &CleanArgs, engine: &Engine) -> Result<Sink, Failure> {
    let filters = Filters::build(&args.filters, &args.engine.mmdb).map_err(Failure::Usage)?;
    let (format, reader) = args.input.open().map_err(Failure::Usage)?;
    let family = Family::of(&format).map_err(Failure::Usage)?;
    if args.stream && family == Family::Csv {
        return Err(Failure::Usage(
            "--stream reads JSON Lines and access logs; CSV input is read whole".into(),
        ));
    }
    let mut sink = Sink::open(args, family).map_err(Failure::Usage)?;
    let mut run = CleanRun {
        engine,
        filters,
        cache: Cache::new(),
    };
    let io_failure = |e: io::Error| Failure::Io(format!("{}: {e}", args.input.name()));
    if args.stream {
        run.stream(format, reader, &mut sink).map_err(io_failure)?;
    } else {
        run.batch(format, reader, &mut sink).map_err(io_failure)?;
    }
    sink.flush()
        .map_err(|e| Failure::Io(format!("writing: {e}")))?;
    Ok(sink)
}

struct CleanRun<'e> {
    engine: &'e Engine,
    filters: Filters,
    cache: Cache,
}

impl CleanRun<'_> {
    /// Reads everything, judges it with the campaign heuristics, then
    /// writes each piece in input order.
    fn batch(
        &mut self,
        format: Format,
        reader: Box<dyn BufRead>,
        sink: &mut Sink,
    ) -> io::Result<()> {
        let (mut units, skipped) = read_units(format, reader)?;
        sink.counts.skipped = skipped.iter().map(|(_, n)| n).sum();
        crate::input::report_skipped_list(&sink.name, &skipped);

        // The clicks move out of their pieces into one slice for the engine.
        let mut clicks = Vec::new();
        let mut owner = Vec::with_capacity(units.len());
        for unit in &mut units {
            if let Outcome::Record(_) = unit.outcome {
                let Outcome::Record(click) = std::mem::replace(&mut unit.outcome, Outcome::Pass)
                else {
                    continue;
                };
                owner.push(Some(clicks.len()));
                clicks.push(*click);
            } else {
                owner.push(None);
            }
        }
        let assessments = assess_log(self.engine, &clicks, &mut self.cache);
        for (unit, index) in units.iter().zip(owner) {
            match (index, &unit.outcome) {
                (Some(i), _) => self.decide(unit, &clicks[i], &assessments[i], sink)?,
                (None, Outcome::Reject(reason)) => sink.reject(unit, reason)?,
                (None, _) => sink.pass(unit)?,
            }
        }
        Ok(())
    }

    fn decide(
        &mut self,
        unit: &Unit,
        click: &Click,
        a: &Assessment,
        sink: &mut Sink,
    ) -> io::Result<()> {
        let removed_by = self.filters.removed_by(click, a);
        if removed_by.is_empty() {
            sink.keep(unit)
        } else {
            sink.remove(unit, &Annotation::new(unit.line, a, removed_by))
        }
    }

    /// Judges a time-ordered line log as it goes; pieces wait in input
    /// order until the engine has judged them, so memory stays bounded by
    /// the campaign heuristics' window.
    fn stream(
        &mut self,
        format: Format,
        reader: Box<dyn BufRead>,
        sink: &mut Sink,
    ) -> io::Result<()> {
        let mut units = LineUnits::new(format, reader);
        let mut stream = Stream::new(self.engine);
        let mut queue: VecDeque<(Unit, Option<u64>)> = VecDeque::new();
        let mut judged = Judged::default();
        let mut progress = Progress::new();
        for unit in &mut units {
            let mut unit = unit?;
            progress.tick();
            let seq = match std::mem::replace(&mut unit.outcome, Outcome::Pass) {
                Outcome::Record(click) => match (click.kind, stream.push(*click)) {
                    // The engine judges no report; clean keeps them all.
                    (EventKind::Report, Ok(seq)) => {
                        judged.set(seq, None);
                        Some(seq)
                    }
                    (_, Ok(seq)) => Some(seq),
                    (_, Err(e)) => {
                        unit.outcome = Outcome::Reject(e.to_string());
                        None
                    }
                },
                other => {
                    unit.outcome = other;
                    None
                }
            };
            queue.push_back((unit, seq));
            stream.ready_with(self.engine, &mut self.cache, |seq, click, a| {
                judged.set(seq, note(&mut self.filters, click, a));
            });
            drain(&mut queue, &mut judged, sink, false)?;
        }
        progress.done();
        stream.finish_with(self.engine, &mut self.cache, |seq, click, a| {
            judged.set(seq, note(&mut self.filters, click, a));
        });
        drain(&mut queue, &mut judged, sink, true)?;
        let skipped: Vec<(String, u64)> = units
            .skipped()
            .iter()
            .map(|(r, n)| (r.clone(), *n))
            .collect();
        sink.counts.skipped = skipped.iter().map(|(_, n)| n).sum();
        crate::input::report_skipped_list(&sink.name, &skipped);
        Ok(())
    }
}

/// The decision on a judged click: why it goes, or None when it stays.
/// Its line is filled in when its piece is written.
fn note(filters: &mut Filters, click: &Click, a: Assessment) -> Option<Annotation> {
    let removed_by = filters.removed_by(click, &a);
    (!removed_by.is_empty()).then(|| Annotation::of(0, a, removed_by))
}

/// The decisions on the streamed clicks that are not written yet, by
/// sequence number. The stream numbers its clicks 0, 1, 2, ... in input
/// order and the queue writes them in that order, so the decisions wait
/// in a ring from the oldest unwritten number on.
#[derive(Default)]
struct Judged {
    /// The sequence number of the ring's first slot.
    base: u64,
    /// A slot per click from `base` on: `None` until it is judged, then
    /// its annotation, or `None` inside when it stays.
    slots: VecDeque<Option<Option<Annotation>>>,
}

impl Judged {
    fn set(&mut self, seq: u64, decision: Option<Annotation>) {
        let Some(at) = seq
            .checked_sub(self.base)
            .and_then(|d| usize::try_from(d).ok())
        else {
            return;
        };
        if self.slots.len() <= at {
            self.slots.resize_with(at + 1, || None);
        }
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = Some(decision);
        }
    }

    /// The decision on `seq`, the oldest unwritten click, once it is made.
    fn take(&mut self, seq: u64) -> Option<Option<Annotation>> {
        debug_assert_eq!(seq, self.base, "clicks are written in sequence");
        if seq != self.base || !matches!(self.slots.front(), Some(Some(_))) {
            return None;
        }
        self.base += 1;
        self.slots.pop_front().flatten()
    }

    /// Passes over `seq`, the oldest unwritten click, undecided.
    fn skip(&mut self, seq: u64) {
        if seq == self.base {
            self.base += 1;
            self.slots.pop_front();
        }
    }
}

/// Writes the pieces at the front of the queue that are decided.
fn drain(
    queue: &mut VecDeque<(Unit, Option<u64>)>,
    judged: &mut Judged,
    sink: &mut Sink,
    all: bool,
) -> io::Result<()> {
    while let Some((unit, seq)) = queue.front() {
        match seq {
            None => match &unit.outcome {
                Outcome::Reject(reason) => sink.reject(unit, &reason.clone())?,
                _ => sink.pass(unit)?,
            },
            Some(seq) => match judged.take(*seq) {
                Some(Some(mut note)) => {
                    note.line = unit.line;
                    sink.remove(unit, &note)?
                }
                Some(None) => sink.keep(unit)?,
                None if all => {
                    judged.skip(*seq);
                    sink.keep(unit)?
                }
                None => return Ok(()),
            },
        }
        queue.pop_front();
    }
    Ok(())
}

/// The pieces of an input read whole, and its skipped events by reason.
fn read_units(format: Format, mut reader: Box<dyn BufRead>) -> io::Result<Pieces> {
    if Family::of(&format) == Ok(Family::Csv) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        return csv_units(format, &bytes).map_err(io::Error::other);
    }
    let mut lines = LineUnits::new(format, reader);
    let mut progress = Progress::new();
    let mut units = Vec::new();
    for unit in &mut lines {
        progress.tick();
        units.push(unit?);
    }
    progress.done();
    let skipped = lines
        .skipped()
        .iter()
        .map(|(r, n)| (r.clone(), *n))
        .collect();
    Ok((units, skipped))
}

/// Arguments of `clicksift merge`.
#[derive(Args)]
pub struct MergeArgs {
    /// The kept file written by clean.
    #[arg(value_name = "KEPT")]
    kept: PathBuf,
    /// The removed file written by clean (for access logs, its
    /// .reasons.jsonl must be beside it).
    #[arg(value_name = "REMOVED")]
    removed: PathBuf,
    /// The rejects file written by clean, to put rejected records back too.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Where to write the merged log.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Format of the files; `auto` guesses it from the kept file, else the
    /// removed one.
    #[arg(long, value_enum, default_value_t = FormatName::Auto)]
    format: FormatName,
}

pub fn run_merge(args: &MergeArgs) -> ExitCode {
    match merge(args) {
        Ok(n) => {
            eprintln!("clicksift: {}: {n} pieces merged", args.out.display());
            ExitCode::from(exit::OK)
        }
        Err(message) => {
            eprintln!("clicksift: {message}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn merge(args: &MergeArgs) -> Result<u64, String> {
    let read = |p: &Path| read_all(p).map_err(|e| format!("{}: {e}", p.display()));
    let kept = read(&args.kept)?;
    let removed = read(&args.removed)?;
    let family = merge_family(args.format, &kept, &removed)?;
    let mut known = match family {
        Family::JsonLines => strip_json(&removed, &args.removed)?,
        Family::Csv => strip_csv(&removed, &args.removed)?,
        Family::AccessLog => {
            let side = sidecar_path(&args.removed);
            strip_access(&removed, &read(&side)?, &side)?
        }
    };
    if let Some(path) = &args.rejects {
        known.extend(rejected_records(&read(path)?, path)?);
    }
    known.sort_by_key(|(line, _)| *line);
    let kept_pieces: Vec<&[u8]> = match family {
        Family::Csv => csv_rows(&kept).into_iter().map(|(_, r)| &kept[r]).collect(),
        _ => kept.split_inclusive(|&b| b == b'\n').collect(),
    };
    let mut out = create(&args.out)?;
    let n = interleave(kept_pieces, known, &mut out)
        .map_err(|e| format!("{}: {e}", args.out.display()))?;
    out.flush()
        .map_err(|e| format!("{}: {e}", args.out.display()))?;
    Ok(n)
}

fn merge_family(name: FormatName, kept: &[u8], removed: &[u8]) -> Result<Family, String> {
    let format = match name {
        FormatName::Jsonl => Format::JsonLines,
        FormatName::Csv | FormatName::GophishEvents => Format::GoPhishEvents,
        FormatName::AccessLog => Format::Combined(Default::default()),
        FormatName::GophishTimeline => Format::GoPhishTimeline,
        FormatName::Auto => {
            let head = |b: &[u8]| {
                b.get(..b.len().min(clicksift::input::SNIFF_LEN))
                    .and_then(detect)
            };
            head(kept)
                .or_else(|| head(removed))
                .ok_or("cannot tell the format of the files; name it with --format".to_string())?
        }
    };
    Family::of(&format).map_err(|e| format!("{} input: {e}", display_name(&format)))
}

/// Puts the known pieces (removed, rejected) back at their lines and the
/// kept pieces, in their order, into the gaps.
fn interleave(
    kept: Vec<&[u8]>,
    known: Vec<(u64, Vec<u8>)>,
    out: &mut impl Write,
) -> io::Result<u64> {
    let mut kept = kept.into_iter().peekable();
    let mut known = known.into_iter().peekable();
    let mut line = 1u64;
    let mut written = 0u64;
    loop {
        let bytes: Vec<u8> = match (known.peek(), kept.peek()) {
            (Some((at, _)), Some(_)) if *at > line => kept.next().unwrap_or_default().to_vec(),
            (Some(_), _) => known.next().map(|(_, b)| b).unwrap_or_default(),
            (None, Some(_)) => kept.next().unwrap_or_default().to_vec(),
            (None, None) => return Ok(written),
        };
        line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        written += 1;
        out.write_all(&bytes)?;
    }
}

fn strip_json(removed: &[u8], path: &Path) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let mut known = Vec::new();
    for (i, raw) in removed.split_inclusive(|&b| b == b'\n').enumerate() {
        let (content, end) = split_end(raw);
        if content.trim_ascii().is_empty() {
            continue;
        }
        let fail = |what: &str| format!("{}:{}: {what}", path.display(), i + 1);
        let mark = find_last(content, JSON_MARK).ok_or_else(|| fail("no \"clicksift\" member"))?;
        let start = mark + JSON_MARK.len() - 1;
        let mut items =
            serde_json::Deserializer::from_slice(&content[start..]).into_iter::<Annotation>();
        let note = match items.next() {
            Some(Ok(note)) => note,
            _ => return Err(fail("the \"clicksift\" member is not clean's annotation")),
        };
        let after = start + items.byte_offset();
        let mut original = content[..mark].to_vec();
        original.extend_from_slice(&content[after..]);
        original.extend_from_slice(end);
        known.push((note.line, original));
    }
    Ok(known)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn strip_csv(removed: &[u8], path: &Path) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let mut known = Vec::new();
    for (n, range) in csv_rows(removed).into_iter().skip(1) {
        let (content, end) = split_end(&removed[range]);
        let fail = || {
            format!(
                "{}:{n}: not a row with clean's {} columns",
                path.display(),
                CSV_COLUMNS.len()
            )
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(content);
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).unwrap_or(false)
            || record.len() <= CSV_COLUMNS.len()
        {
            return Err(fail());
        }
        let first = record.len() - CSV_COLUMNS.len();
        let cells: Vec<&[u8]> = (first..record.len())
            .filter_map(|i| record.get(i))
            .collect();
        let suffix = encode_csv(&cells);
        let keep = content
            .len()
            .checked_sub(suffix.len() + 1)
            .ok_or_else(fail)?;
        if !content.ends_with(&suffix) || content.get(keep) != Some(&b',') {
            return Err(fail());
        }
        let line = std::str::from_utf8(cells[0])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(fail)?;
        let mut original = content[..keep].to_vec();
        original.extend_from_slice(end);
        known.push((line, original));
    }
    Ok(known)
}

fn strip_access(removed: &[u8], side: &[u8], path: &Path) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let lines: Vec<&[u8]> = removed.split_inclusive(|&b| b == b'\n').collect();
    let notes: Vec<&[u8]> = side.split_inclusive(|&b| b == b'\n').collect();
    if lines.len() != notes.len() {
        return Err(format!(
            "{}: {} reasons for {} removed lines",
            path.display(),
            notes.len(),
            lines.len()
        ));
    }
    let mut known = Vec::new();
    for (i, (line, note)) in lines.into_iter().zip(notes).enumerate() {
        let note: Annotation = serde_json::from_slice(note)
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        known.push((note.line, line.to_vec()));
    }
    Ok(known)
}

fn rejected_records(bytes: &[u8], path: &Path) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let mut known = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let r: Rejected = serde_json::from_slice(line)
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        known.push((r.line, r.text.into_bytes()));
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::{AnnotatedReason, Annotation, Judged};

    /// Decisions arrive in any order and leave in sequence, each once.
    #[test]
    fn judged_clicks_leave_in_sequence() {
        let note = |line| Annotation {
            line,
            score: 90,
            verdict: "machine".into(),
            source: "mail_gateway".into(),
            removed_by: vec!["verdict=machine".into()],
            reasons: Vec::new(),
        };
        let mut judged = Judged::default();
        judged.set(2, Some(note(3)));
        judged.set(0, None);
        assert!(matches!(judged.take(0), Some(None)));
        assert!(judged.take(1).is_none(), "1 is not decided yet");
        judged.set(1, Some(note(2)));
        assert!(matches!(judged.take(1), Some(Some(n)) if n.line == 2));
        assert!(matches!(judged.take(2), Some(Some(n)) if n.line == 3));
        assert!(judged.take(3).is_none());
        judged.skip(3);
        judged.set(4, None);
        assert!(matches!(judged.take(4), Some(None)));
        assert!(judged.slots.is_empty());
    }

    #[test]
    fn an_annotation_is_written_as_serde_would_write_it() {
        let note = Annotation {
            line: 17,
            score: 94,
            verdict: "machine".into(),
            source: "mail_gateway".into(),
            removed_by: vec!["verdict=machine".into(), "agent~\"curl\"".into()],
            reasons: vec![
                AnnotatedReason {
                    rule: "campaign.sweep".into(),
                    weight: 80,
                    detail: "campaign.links_swept=3".into(),
                },
                AnnotatedReason {
                    rule: "agent.library".into(),
                    weight: -5,
                    detail: "agent=\"a\\b\"\tcafé".into(),
                },
            ],
        };
        for note in [
            note.clone(),
            Annotation {
                removed_by: Vec::new(),
                reasons: Vec::new(),
                ..note
            },
        ] {
            let mut ours = Vec::new();
            note.write_json(&mut ours);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&note).unwrap()
            );
        }
    }
}
