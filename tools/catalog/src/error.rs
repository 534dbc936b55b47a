//! The one error type of the generator: what failed, where, and why.

use std::fmt;

/// A generator failure, naming the file (and line or entry) it concerns.
#[derive(Debug)]
pub struct Error {
    context: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error with a message and no underlying cause.
    pub fn msg(context: impl Into<String>) -> Self {
        Error {
            context: context.into(),
            source: None,
        }
    }

    /// An error caused by `source`, with `context` saying where it happened.
    pub fn with(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {source}", self.context),
            None => f.write_str(&self.context),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Reads a whole text file, naming it on failure.
pub fn read_text(path: &std::path::Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::with(format!("reading {}", path.display()), e))
}

/// Reads and parses a TOML file, naming it on failure.
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, Error> {
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|e| Error::with(format!("parsing {}", path.display()), e))
}
