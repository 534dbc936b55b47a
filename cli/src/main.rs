//! The `clicksift` command-line tool: score and clean phishing-simulation
//! click logs.

mod alloc;
mod asn_db;
mod clean;
mod clickers;
mod filters;
mod input;
mod json;
mod output;
mod report;
mod score;
mod units;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use clicksift::mmdb::Databases;
use clicksift::{Engine, EngineBuilder};

/// The tool allocates a few small strings per record (reasons, evidence,
/// output fields); mimalloc serves them markedly faster than the system
/// allocator (see `benches/README.md`).
#[global_allocator]
static ALLOCATOR: alloc::Allocator = alloc::Allocator;

/// Exit codes, as documented in `--help`.
pub mod exit {
    /// Every record was read and judged.
    pub const OK: u8 = 0;
    /// The run finished, but some records were rejected (listed on stderr).
    pub const REJECTED: u8 = 1;
    /// Bad usage, rules or databases: nothing was judged.
    pub const USAGE: u8 = 2;
    /// Reading input or writing output failed part way.
    pub const IO: u8 = 3;
}

const EXIT_CODES: &str = "\
Exit codes:
  0  every record was read and judged
  1  the run finished, but some records were rejected (each is listed on stderr)
  2  bad usage, rule file or database: nothing was judged
  3  reading the input or writing the output failed part way";

#[derive(Parser)]
#[command(
    name = "clicksift",
    version,
    about = "Tell recipients' own clicks on phishing-simulation links from gateways, \
             sandboxes, previews and investigators",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score a click log: one JSON object out per click and open, in input order.
    #[command(after_help = EXIT_CODES)]
    Score(score::ScoreArgs),
    /// Split a click log into kept and removed records, in its own format.
    #[command(after_help = clean::CLEAN_HELP)]
    Clean(Box<clean::CleanArgs>),
    /// Undo a clean: merge kept and removed records back into input order.
    Merge(clean::MergeArgs),
    /// List recipients with genuine clicks, per campaign or across campaigns.
    #[command(after_help = EXIT_CODES)]
    Clickers(clickers::ClickersArgs),
    /// Summarise each campaign: click rates, machine clicks, networks, agents, delays.
    #[command(after_help = EXIT_CODES)]
    Report(report::ReportArgs),
    /// List the rules in force, with their conditions and weights.
    Rules(EngineArgs),
    /// List the fields rules can test.
    Fields,
    /// Check rule files and report every problem with file, line and column.
    #[command(after_help = EXIT_CODES)]
    Check(EngineArgs),
    /// Build an ASN database (.mmdb) from the public ip-location-db CSV
    /// (start,end,asn,org), for use with --mmdb without a MaxMind licence.
    #[command(name = "asn-db", after_help = EXIT_CODES)]
    AsnDb(AsnDbArgs),
}

#[derive(Args)]
struct AsnDbArgs {
    /// An input CSV, such as asn-ipv4.csv and asn-ipv6.csv of @ip-location-db/asn.
    #[arg(long = "from", value_name = "CSV", required = true)]
    from: Vec<PathBuf>,
    /// Where to write the database.
    #[arg(long = "out", value_name = "MMDB")]
    out: PathBuf,
}

/// How the engine is built: shared by every command that scores.
#[derive(Args, Clone, Debug, Default)]
pub struct EngineArgs {
    /// A rule file to add; later files override earlier rules with the same id.
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Leave the built-in rules out.
    #[arg(long)]
    no_default_rules: bool,
    /// Set a rule constant, such as instant_window=5.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, String)>,
    /// A MaxMind database (ASN, ISP, Connection-Type, Anonymous-IP, Country, City).
    #[arg(long = "mmdb", value_name = "PATH")]
    mmdb: Vec<PathBuf>,
    /// A network catalogue of your own, in the format of data/networks.csv.
    #[arg(long = "networks", value_name = "FILE")]
    networks: Vec<PathBuf>,
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().into(), v.trim().into())),
        _ => Err(format!("expected NAME=VALUE, found {text:?}")),
    }
}

impl EngineArgs {
    /// Builds the engine, printing every problem to stderr on failure.
    pub fn build(&self) -> Result<Engine, ExitCode> {
        self.builder().and_then(|b| {
            b.build().map_err(|e| {
                eprintln!("{e}");
                ExitCode::from(exit::USAGE)
            })
        })
    }

    fn builder(&self) -> Result<EngineBuilder, ExitCode> {
        let fail = |message: String| {
            eprintln!("clicksift: {message}");
            ExitCode::from(exit::USAGE)
        };
        let mut builder = Engine::builder().default_rules(!self.no_default_rules);
        for path in &self.rules {
            builder = builder.rules_file(path).map_err(|e| fail(e.to_string()))?;
        }
        for (name, value) in &self.set {
            builder = builder.constant(name, value);
        }
        for path in &self.networks {
            let text = std::fs::read_to_string(path)
                .map_err(|e| fail(format!("{}: {e}", path.display())))?;
            builder = builder.networks(path.display().to_string(), text);
        }
        let mut databases = Databases::new();
        for path in &self.mmdb {
            databases.open(path).map_err(|e| fail(e.to_string()))?;
        }
        Ok(builder.databases(databases))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Score(args) => score::run(&args),
        Command::Clean(args) => clean::run(&args),
        Command::Merge(args) => clean::run_merge(&args),
        Command::Clickers(args) => clickers::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Fields => {
            output::print_fields();
            ExitCode::from(exit::OK)
        }
        Command::AsnDb(args) => build_asn_db(&args),
        Command::Check(args) => match args.build() {
            Ok(engine) => {
                println!("ok: {} rules", engine.rules().count());
                ExitCode::from(exit::OK)
            }
            Err(code) => code,
        },
    }
}

fn list_rules(args: &EngineArgs) -> ExitCode {
    match args.build() {
        Ok(engine) => {
            output::print_rules(&engine);
            ExitCode::from(exit::OK)
        }
        Err(code) => code,
    }
}

fn build_asn_db(args: &AsnDbArgs) -> ExitCode {
    match asn_db::build_asn_db(&args.from, &args.out) {
        Ok(summary) => {
            for problem in &summary.problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "{}: {} networks from {} rows ({} rejected, {} in address space a database \
                 cannot hold), {} bytes",
                args.out.display(),
                summary.networks,
                summary.rows,
                summary.bad_rows,
                summary.aliased_rows,
                summary.bytes
            );
            let code = if summary.bad_rows > 0 {
                exit::REJECTED
            } else {
                exit::OK
            };
            ExitCode::from(code)
        }
        Err(e) => {
            eprintln!("clicksift: {e}");
            ExitCode::from(exit::USAGE)
        }
    }
}
