//! `clicksift score`: judge every click and open of a log.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use clicksift::{Cache, Click, EventKind, RecordError};

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
    let name = args.input.display().to_string();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut cache = Cache::new();
    let mut rejected = 0u64;
    for item in JsonLines::new(input) {
        let (line, record) = match item {
            Ok(x) => x,
            Err(e) => return io_failure(&name, &e),
        };
        let click = match record {
            Ok(c) => c,
            Err(e) => {
                rejected += 1;
                eprintln!("{name}:{}: {}", e.line(), e.reason());
                continue;
            }
        };
        if click.kind == EventKind::Report {
            continue;
        }
        let assessment = engine.assess(&click, &mut cache);
        let id = click.id_or(line);
        let written = if args.explain {
            output::write_text(&mut out, &id, &assessment)
        } else {
            output::write_json(&mut out, &id, &assessment)
        };
        if let Err(e) = written {
            return io_failure("standard output", &e);
        }
    }
    if let Err(e) = out.flush() {
        return io_failure("standard output", &e);
    }
    finish(rejected)
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
