//! Line reading with a bound on memory, shared by the line formats.

use std::io::{self, BufRead, Read};

use super::MAX_RECORD_BYTES;
use crate::RecordError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads lines of at most [`MAX_RECORD_BYTES`], numbering them from 1.
pub(crate) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    line: u64,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::with_capacity(1024),
            line: 0,
            done: false,
        }
    }

    /// The next line without its end (`\n` or `\r\n`), or an error for
    /// that line: too long, not UTF-8, or unreadable (after which there
    /// are no more lines).
    pub(crate) fn next_line(&mut self) -> Option<(u64, Result<&str, RecordError>)> {
        if self.done {
            return None;
        }
        self.buf.clear();
        let limit = MAX_RECORD_BYTES as u64 + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf);
        self.line += 1;
        let line = self.line;
        match read {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) if self.buf.len() > MAX_RECORD_BYTES && self.buf.last() != Some(&b'\n') => {
                Some((line, self.skip_long_line()))
            }
            Ok(_) => Some((line, self.text())),
            Err(e) => {
                self.done = true;
                Some((line, Err(read_error(line, &e))))
            }
        }
    }

    fn text(&self) -> Result<&str, RecordError> {
        let mut bytes = self.buf.as_slice();
        if self.line == 1 {
            bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        }
        let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        std::str::from_utf8(bytes).map_err(|e| not_utf8(self.line, None, &e))
    }

    /// Discards the rest of a line that is over the limit.
    fn skip_long_line(&mut self) -> Result<&str, RecordError> {
        let line = self.line;
        loop {
            let (found, used) = match self.reader.fill_buf() {
                Ok([]) => break,
                Ok(chunk) => match chunk.iter().position(|&b| b == b'\n') {
                    Some(i) => (true, i + 1),
                    None => (false, chunk.len()),
                },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(read_error(line, &e));
                }
            };
            self.reader.consume(used);
            if found {
                break;
            }
        }
        Err(too_long(line))
    }
}

pub(crate) fn too_long(line: u64) -> RecordError {
    RecordError::new(
        line,
        None,
        format!("record longer than {MAX_RECORD_BYTES} bytes"),
    )
}

pub(crate) fn read_error(line: u64, e: &io::Error) -> RecordError {
    RecordError::new(
        line,
        None,
        format!("cannot read the input: {e}; reading stopped"),
    )
}

pub(crate) fn not_utf8(line: u64, field: Option<&str>, e: &std::str::Utf8Error) -> RecordError {
    RecordError::new(
        line,
        field,
        format!("not UTF-8 text (bad byte at {})", e.valid_up_to()),
    )
}
