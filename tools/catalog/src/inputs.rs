//! The pinned inputs, as described by data/sources/inputs.toml.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, read_toml};

/// One pinned npm package and what the output headers say about it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The npm package name.
    pub package: String,
    /// The exact version fetched.
    pub version: String,
    /// Directory under the inputs root the package is unpacked into.
    pub dir: String,
    /// Date of the data the package carries (YYYY-MM-DD).
    pub date: String,
    /// Registry publish date of the version (YYYY-MM-DD).
    pub published: String,
    /// SPDX licence identifier.
    pub licence: String,
    /// Who the data must be attributed to.
    pub attribution: String,
}

impl Input {
    /// Path of a file inside the unpacked package.
    pub fn file(&self, root: &Path, name: &str) -> PathBuf {
        root.join(&self.dir).join("package").join(name)
    }

    /// `package version`, as the headers cite it.
    pub fn cite(&self) -> String {
        format!("{} {}", self.package, self.version)
    }
}

/// All pinned inputs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// IP range to ASN and organisation.
    pub asn: Input,
    /// Crawler user-agent patterns.
    pub crawlers: Input,
    /// Browser release dates.
    pub caniuse: Input,
    /// Real browser user agents (tests only).
    pub browsers: Input,
}

impl Inputs {
    /// Loads `inputs.toml` from the sources directory.
    ///
    /// # Errors
    /// When the file is missing or malformed.
    pub fn load(sources: &Path) -> Result<Self, Error> {
        read_toml(&sources.join("inputs.toml"))
    }
}

/// The commands that regenerate every catalogue, quoted in each header.
pub const REGENERATE: [&str; 3] = [
    "Regenerate, from the repository root:",
    "  tools/fetch-inputs.sh",
    "  cargo run -p clicksift-catalog -- --inputs tools/inputs --out data",
];
