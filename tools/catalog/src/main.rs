//! `clicksift-catalog --inputs tools/inputs --out data [--sources data/sources]`
//!
//! Regenerates data/networks.csv, data/agents.csv and data/browsers.csv.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clicksift_catalog::{Paths, Summary, generate};

const USAGE: &str = "usage: clicksift-catalog --inputs DIR --out DIR [--sources DIR]

  --inputs DIR   the unpacked npm packages (tools/fetch-inputs.sh writes tools/inputs)
  --out DIR      where networks.csv, agents.csv and browsers.csv are written (data)
  --sources DIR  the hand-curated sources (default: data/sources)";

fn main() -> ExitCode {
    let paths = match parse_args(std::env::args().skip(1)) {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("clicksift-catalog: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    match generate(&paths) {
        Ok(summary) => {
            report(&summary, started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("clicksift-catalog: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Paths, String> {
    let (mut inputs, mut out, mut sources) = (None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--inputs" => &mut inputs,
            "--out" => &mut out,
            "--sources" => &mut sources,
            "-h" | "--help" => return Err("help requested".to_string()),
            other => return Err(format!("unknown argument {other:?}")),
        };
        let value = args.next().ok_or(format!("{flag} needs a directory"))?;
        *slot = Some(PathBuf::from(value));
    }
    Ok(Paths {
        inputs: inputs.ok_or("--inputs is required")?,
        out: out.ok_or("--out is required")?,
        sources: sources.unwrap_or_else(|| PathBuf::from("data/sources")),
    })
}

fn report(summary: &Summary, seconds: f64) {
    for (path, bytes) in &summary.files {
        println!("wrote {} ({bytes} bytes)", path.display());
    }
    let n = &summary.networks;
    println!(
        "networks: {} rows ({} IPv4, {} IPv6), by grade {:?}",
        n.rows, n.ipv4, n.ipv6, n.by_grade
    );
    if !n.empty_asns.is_empty() {
        println!(
            "networks: listed ASNs with no prefix in the input: {:?}",
            n.empty_asns
        );
    }
    let a = &summary.agents;
    println!(
        "agents: {} curated + {} crawler rows ({} duplicates and {} people's own software left \
         out), by match {:?}, by class {:?}",
        a.curated, a.crawlers, a.duplicates, a.people, a.by_match, a.by_class
    );
    let b = &summary.browsers;
    println!("browsers: {} rows, by family {:?}", b.rows, b.by_family);
    println!("done in {seconds:.2} s");
}
