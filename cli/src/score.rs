//! `clicksift score`: judge every click and open of a log.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use clicksift::campaign::{Stream, assess_log};
use clicksift::{Assessment, Cache, Click, Engine, EventKind, RecordError};

use crate::{EngineArgs, exit, output};

/// Arguments of `clicksift score`.
#[derive(Args)]
pub struct ScoreArgs {
    /// The click log, one JSON object per line; `-` for standard input.
    #[arg(value_name = "FILE")]
    input: PathBuf,
    /// Print readable text instead of JSON Lines.
    #[arg(long)]
    explain: bool,
    /// Stream a log already in time order with bounded memory, instead of
    /// reading it whole; an event older than the one before it is rejected.
    #[arg(long, conflicts_with = "per_click")]
    stream: bool,
    /// Judge each event on its own evidence only, without the campaign heuristics.
    #[arg(long)]
    per_click: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

/// Opens a file, or standard input for `-`.
pub fn open_input(path: &PathBuf) -> io::Result<Box<dyn BufRead>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufReader::with_capacity(1 << 16, io::stdin())));
    }
    let file = File::open(path)?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

/// Reads JSON Lines records one at a time, with their line numbers; a line
/// that is not UTF-8 is a record error like any other.
pub struct JsonLines<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(reader: R) -> JsonLines<R> {
        JsonLines {
            reader,
            line: 0,
            buf: Vec::with_capacity(1024),
        }
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = io::Result<(u64, Result<Click, RecordError>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.line += 1;
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t.trim(),
                Err(e) => {
                    let err = RecordError::new(self.line, None, format!("not UTF-8: {e}"));
                    return Some(Ok((self.line, Err(err))));
                }
            };
            if !text.is_empty() {
                return Some(Ok((self.line, Click::from_json(text, self.line))));
            }
        }
    }
}

pub fn run(args: &ScoreArgs) -> ExitCode {
    let engine = match args.engine.build() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let input = match open_input(&args.input) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("clicksift: {}: {e}", args.input.display());
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut run = Run {
        name: args.input.display().to_string(),
        explain: args.explain,
        out: BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        rejected: 0,
        cache: Cache::new(),
    };
    let result = if args.stream {
        run.stream(&engine, input)
    } else {
        run.batch(&engine, input, args.per_click)
    };
    match result.and_then(|()| run.out.flush().map_err(|e| ("standard output", e))) {
        Ok(()) => finish(run.rejected),
        Err((what, e)) => io_failure(what, &e),
    }
}

type Failure = (&'static str, io::Error);

/// The state of one `score` run: where judgements go and what was rejected.
struct Run<W: Write> {
    name: String,
    explain: bool,
    out: W,
    rejected: u64,
    cache: Cache,
}

impl<W: Write> Run<W> {
    fn reject(&mut self, e: &impl std::fmt::Display, line: u64) {
        self.rejected += 1;
        eprintln!("{}:{line}: {e}", self.name);
    }

    /// The valid records with their lines; the rest reported.
    fn read(&mut self, input: Box<dyn BufRead>) -> Result<Vec<Click>, Failure> {
        let mut clicks = Vec::new();
        for item in JsonLines::new(input) {
            let (line, record) = item.map_err(|e| ("input", e))?;
            match record {
                Ok(mut click) => {
                    click.id = Some(click.id_or(line));
                    clicks.push(click);
                }
                Err(e) => self.reject(&e.reason(), line),
            }
        }
        Ok(clicks)
    }

    fn batch(
        &mut self,
        engine: &Engine,
        input: Box<dyn BufRead>,
        per_click: bool,
    ) -> Result<(), Failure> {
        let clicks = self.read(input)?;
        let assessments = if per_click {
            clicks
                .iter()
                .map(|c| engine.assess(c, &mut self.cache))
                .collect()
        } else {
            assess_log(engine, &clicks, &mut self.cache)
        };
        for (click, a) in clicks.iter().zip(&assessments) {
            self.write(click, a)?;
        }
        Ok(())
    }

    fn stream(&mut self, engine: &Engine, input: Box<dyn BufRead>) -> Result<(), Failure> {
        let mut stream = Stream::new(engine);
        for item in JsonLines::new(input) {
            let (line, record) = item.map_err(|e| ("input", e))?;
            let mut click = match record {
                Ok(c) => c,
                Err(e) => {
                    self.reject(&e.reason(), line);
                    continue;
                }
            };
            click.id = Some(click.id_or(line));
            if let Err(e) = stream.push(click) {
                self.reject(&e, line);
                continue;
            }
            for judged in stream.ready(engine, &mut self.cache) {
                self.write(&judged.click, &judged.assessment)?;
            }
        }
        for judged in stream.finish(engine, &mut self.cache) {
            self.write(&judged.click, &judged.assessment)?;
        }
        Ok(())
    }

    fn write(&mut self, click: &Click, a: &Assessment) -> Result<(), Failure> {
        if click.kind == EventKind::Report {
            return Ok(());
        }
        let id = click.id.as_deref().unwrap_or("");
        let written = if self.explain {
            output::write_text(&mut self.out, id, a)
        } else {
            output::write_json(&mut self.out, id, a)
        };
        written.map_err(|e| ("standard output", e))
    }
}

fn io_failure(what: &str, e: &io::Error) -> ExitCode {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return ExitCode::from(exit::OK);
    }
    eprintln!("clicksift: {what}: {e}");
    ExitCode::from(exit::IO)
}

fn finish(rejected: u64) -> ExitCode {
    if rejected > 0 {
        eprintln!("clicksift: {rejected} record(s) rejected");
        return ExitCode::from(exit::REJECTED);
    }
    ExitCode::from(exit::OK)
}
