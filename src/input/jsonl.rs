//! JSON Lines in clicksift's own schema.

use std::io::BufRead;

use super::lines::Lines;
use super::{InputRecord, Skipped};
use crate::{Click, RecordError};

/// Reads one [`Click::from_json`] record a line; blank lines are skipped
/// and not counted, as they hold no event.
pub(crate) struct JsonLines<R> {
    lines: Lines<R>,
    skipped: Skipped,
}

impl<R: BufRead> JsonLines<R> {
    pub(crate) fn new(reader: R) -> JsonLines<R> {
        JsonLines {
            lines: Lines::new(reader),
            skipped: Skipped::default(),
        }
    }

    pub(crate) fn skipped(&self) -> &Skipped {
        &self.skipped
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<InputRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, text) = self.lines.next_line()?;
            match text {
                Ok(t) if t.trim().is_empty() => continue,
                Ok(t) => {
                    return Some(
                        Click::from_json(t, line).map(|click| InputRecord { line, click }),
                    );
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
