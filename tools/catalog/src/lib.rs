//! Regenerates clicksift's built-in catalogues from pinned public inputs.
//!
//! Three files come out, each a small CSV dialect (see [`csvout`]) whose
//! header comments state source, date, licence and how to regenerate:
//!
//! - `networks.csv`: address ranges with a grade and a kind of operator,
//!   from curated published ranges and from the prefixes of chosen ASNs;
//! - `agents.csv`: user-agent tokens that name a machine client;
//! - `browsers.csv`: the release date of each browser major version.
//!
//! The hand-curated facts live in `data/sources/`; the public inputs are
//! the npm packages named in `data/sources/inputs.toml`, fetched by
//! `tools/fetch-inputs.sh`. The output depends on nothing else (no clock,
//! no environment), so the same inputs give the same bytes.

#![deny(missing_docs)]

pub mod agents;
pub mod browsers;
pub mod csvout;
pub mod error;
pub mod inputs;
mod jslit;
pub mod networks;

use std::path::{Path, PathBuf};

pub use error::Error;
pub use inputs::Inputs;

/// Where the generator reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Root of the unpacked npm packages (tools/inputs).
    pub inputs: PathBuf,
    /// The hand-curated sources (data/sources).
    pub sources: PathBuf,
    /// Where the catalogues are written (data).
    pub out: PathBuf,
}

/// What was written, for the command's report.
#[derive(Debug)]
pub struct Summary {
    /// networks.csv counts.
    pub networks: networks::NetworkCounts,
    /// agents.csv counts.
    pub agents: agents::AgentCounts,
    /// browsers.csv counts.
    pub browsers: browsers::BrowserCounts,
    /// Each written file and its size in bytes.
    pub files: Vec<(PathBuf, usize)>,
}

/// The names of the files [`generate`] writes, relative to the output dir.
pub const OUTPUTS: [&str; 3] = ["networks.csv", "agents.csv", "browsers.csv"];

/// Builds all three catalogues and writes them into `paths.out`.
///
/// # Errors
/// When an input or source file is missing or malformed (the error names
/// the file and the line or entry), or an output cannot be written.
pub fn generate(paths: &Paths) -> Result<Summary, Error> {
    let pinned = Inputs::load(&paths.sources)?;
    let root = &paths.inputs;
    let (networks_csv, networks) = networks::build(&paths.sources, root, &pinned.asn)?;
    let (agents_csv, agents) = agents::build(&paths.sources, root, &pinned.crawlers)?;
    let (browsers_csv, browsers) = browsers::build(&paths.sources, root, &pinned.caniuse)?;

    let mut files = Vec::new();
    for (name, text) in OUTPUTS.iter().zip([networks_csv, agents_csv, browsers_csv]) {
        let path = paths.out.join(name);
        write(&path, &text)?;
        files.push((path, text.len()));
    }
    Ok(Summary {
        networks,
        agents,
        browsers,
        files,
    })
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|e| Error::with(format!("writing {}", path.display()), e))
}
