//! Line reading with a bound on memory, shared by the line formats.

use std::io::{self, BufRead};

use super::MAX_RECORD_BYTES;
use crate::RecordError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Appends the next line of `reader` to `buf`, its `\n` included, but no
/// more than `limit` bytes of it, and returns how many bytes it appended
/// (0 at the end of the input).
///
/// This is `reader.take(limit).read_until(b'\n', buf)`, with the line end
/// found by `memchr`, which scans a buffer several times faster than the
/// standard library's search; every record read from a line format goes
/// through here. As there, an error leaves what was read in `buf`, and an
/// interrupted read is tried again.
///
/// # Errors
///
/// The reader's error, other than [`io::ErrorKind::Interrupted`].
pub fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, limit: usize) -> io::Result<usize> {
    let mut read = 0;
    while read < limit {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let available = available.get(..limit - read).unwrap_or(available);
        let (used, ended) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        buf.extend_from_slice(available.get(..used).unwrap_or(available));
        reader.consume(used);
        read += used;
        if ended {
            break;
        }
    }
    Ok(read)
}

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
        let read = read_line(&mut self.reader, &mut self.buf, MAX_RECORD_BYTES + 1);
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

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Read};

    use proptest::prelude::*;

    use super::*;

    /// A reader that hands out at most a few bytes a call and is
    /// interrupted before every other read.
    struct Choppy<'a> {
        bytes: &'a [u8],
        step: usize,
        interrupt: bool,
    }

    impl Read for Choppy<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = self.step.min(out.len()).min(self.bytes.len());
            let (head, rest) = self.bytes.split_at(n);
            out[..n].copy_from_slice(head);
            self.bytes = rest;
            Ok(n)
        }
    }

    /// Every call of `read` until it returns 0, with what each appended.
    fn calls(mut read: impl FnMut(&mut Vec<u8>) -> io::Result<usize>) -> Vec<(usize, Vec<u8>)> {
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            let n = read(&mut buf).unwrap();
            out.push((n, buf));
            if n == 0 {
                return out;
            }
        }
    }

    proptest! {
        /// Lines come out as `take(limit).read_until(b'\n')` gives them,
        /// however the reader cuts its bytes.
        #[test]
        fn lines_match_the_standard_read_until(
            text in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..300),
            capacity in 1usize..64,
            step in 1usize..40,
            limit in 1usize..80,
        ) {
            let mut ours = BufReader::with_capacity(capacity, Choppy { bytes: &text, step, interrupt: false });
            let mut theirs = BufReader::with_capacity(capacity, &text[..]);
            let got = calls(|buf| read_line(&mut ours, buf, limit));
            let expected = calls(|buf| (&mut theirs).take(limit as u64).read_until(b'\n', buf));
            prop_assert_eq!(got, expected);
        }
    }
}
