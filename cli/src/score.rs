//! `clicksift score`: judge every click and open of a log.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use clap::Args;
use clicksift::campaign::{Stream, assess_log};
use clicksift::input::Records;
use clicksift::{Assessment, Cache, Click, Engine, EventKind};

use crate::input::{InputArgs, Progress, report_skipped};
use crate::{EngineArgs, exit, output};

/// Arguments of `clicksift score`.
#[derive(Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Print readable text instead of JSON Lines.
    #[arg(long)]
    explain: bool,
    /// Stream a log already in time order with bounded memory, instead of
    /// reading it whole; an event older than the one before it is rejected.
    #[arg(long, conflicts_with = "per_click")]
    stream: bool,
    /// Judge each event on its own evidence only, without the campaign heuristics;
    /// events are written as they are read, so memory stays flat.
    #[arg(long)]
    per_click: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

pub fn run(args: &ScoreArgs) -> ExitCode {
    let engine = match args.engine.build() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let mut input = match args.input.records() {
        Ok((_, records)) => records,
        Err(message) => {
            eprintln!("clicksift: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut run = Run {
        name: args.input.name(),
        explain: args.explain,
        out: BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        rejected: 0,
        cache: Cache::new(),
        line: Vec::new(),
    };
    let result = if args.stream {
        run.stream(&engine, &mut input)
    } else if args.per_click {
        run.per_click(&engine, &mut input)
    } else {
        run.batch(&engine, &mut input)
    };
    report_skipped(&run.name, input.skipped());
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
    /// The JSON line being written, reused.
    line: Vec<u8>,
}

impl<W: Write> Run<W> {
    fn reject(&mut self, e: &impl std::fmt::Display, line: u64) {
        self.rejected += 1;
        eprintln!("{}:{line}: {e}", self.name);
    }

    /// The valid records with their lines; the rest reported.
    fn read(&mut self, input: &mut Records<Box<dyn BufRead>>) -> Vec<Click> {
        let mut clicks = Vec::new();
        let mut progress = Progress::new();
        for item in input {
            progress.tick();
            match item {
                Ok(mut record) => {
                    record.click.id = Some(record.click.id_or(record.line));
                    clicks.push(record.click);
                }
                Err(e) => self.reject(&e.reason(), e.line()),
            }
        }
        progress.done();
        clicks
    }

    /// The whole log at once, with the campaign heuristics: any input
    /// order, memory in proportion to the log.
    fn batch(
        &mut self,
        engine: &Engine,
        input: &mut Records<Box<dyn BufRead>>,
    ) -> Result<(), Failure> {
        let clicks = self.read(input);
        let assessments = assess_log(engine, &clicks, &mut self.cache);
        for (click, a) in clicks.iter().zip(&assessments) {
            self.write(click, a)?;
        }
        Ok(())
    }

    /// Each event on its own evidence, written as soon as it is read:
    /// memory stays flat whatever the size of the log.
    fn per_click(
        &mut self,
        engine: &Engine,
        input: &mut Records<Box<dyn BufRead>>,
    ) -> Result<(), Failure> {
        let mut progress = Progress::new();
        for item in input {
            progress.tick();
            match item {
                Ok(mut record) => {
                    record.click.id = Some(record.click.id_or(record.line));
                    let assessment = engine.assess(&record.click, &mut self.cache);
                    self.write(&record.click, &assessment)?;
                }
                Err(e) => self.reject(&e.reason(), e.line()),
            }
        }
        progress.done();
        Ok(())
    }

    fn stream(
        &mut self,
        engine: &Engine,
        input: &mut Records<Box<dyn BufRead>>,
    ) -> Result<(), Failure> {
        let mut stream = Stream::new(engine);
        for item in input {
            let (line, mut click) = match item {
                Ok(record) => (record.line, record.click),
                Err(e) => {
                    self.reject(&e.reason(), e.line());
                    continue;
                }
            };
            click.id = Some(click.id_or(line));
            if let Err(e) = stream.push(click) {
                self.reject(&e, line);
                continue;
            }
            self.write_judged(&mut stream, engine, false)?;
        }
        self.write_judged(&mut stream, engine, true)
    }

    /// Writes the judgements the stream has ready, or at the end all that
    /// remain.
    fn write_judged(
        &mut self,
        stream: &mut Stream,
        engine: &Engine,
        end: bool,
    ) -> Result<(), Failure> {
        // The writer borrows `self`, so the cache is lent out meanwhile.
        let mut cache = std::mem::take(&mut self.cache);
        let mut written = Ok(());
        let mut write = |_, click: &Click, a: Assessment| {
            if written.is_ok() {
                written = self.write(click, &a);
            }
        };
        if end {
            stream.finish_with(engine, &mut cache, &mut write);
        } else {
            stream.ready_with(engine, &mut cache, &mut write);
        }
        self.cache = cache;
        written
    }

    fn write(&mut self, click: &Click, a: &Assessment) -> Result<(), Failure> {
        if click.kind == EventKind::Report {
            return Ok(());
        }
        let id = click.id.as_deref().unwrap_or("");
        let written = if self.explain {
            output::write_text(&mut self.out, id, a)
        } else {
            output::write_json(&mut self.out, &mut self.line, id, a)
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
