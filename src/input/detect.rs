//! Guessing the format from the start of an input.

use super::combined::parse_line;
use super::{CombinedOptions, CsvMapping, Format};

/// How many bytes [`detect`] wants to see: the start of the input up to
/// this length, or all of it when it is shorter.
pub const SNIFF_LEN: usize = 8 * 1024;

/// Keys that only a GoPhish campaign document has near its start.
const CAMPAIGN_KEYS: [&[u8]; 3] = [b"\"timeline\"", b"\"created_date\"", b"\"launch_date\""];

/// Guesses the format of an input from its first bytes (see [`SNIFF_LEN`]).
///
/// A UTF-8 byte-order mark and leading blank space are passed over; then,
/// looking at the first line:
///
/// 1. A line starting with `{` is JSON. It is a GoPhish campaign
///    ([`Format::GoPhishTimeline`]) when it names `timeline`,
///    `created_date` or `launch_date`, or when it is a lone `{` (a
///    pretty-printed document) and the bytes seen name one of them. Else a
///    complete line ending in `}`, or a longer one naming `recipient`, is
///    [`Format::JsonLines`]; so is a first line that is neither (a broken
///    first record) when a later whole line seen is a `{...}` record.
/// 2. A line in the combined log format (address, identity, user,
///    `[time]`, quoted request, status, size, quoted referer and user
///    agent) is [`Format::Combined`] with default options.
/// 3. A complete line read as a CSV header is [`Format::GoPhishEvents`] when
///    it has the columns `campaign_id`, `email`, `time`, `message` and
///    `details`, and [`Format::Csv`] with the default mapping when it has
///    `recipient` and `at` columns.
///
/// Anything else is `None`: the caller has to name the format (a CSV with
/// other column names needs its [`CsvMapping`] anyway).
pub fn detect(first_bytes: &[u8]) -> Option<Format> {
    let text = first_bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(first_bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = text.get(start..)?;
    let ended = first_bytes.len() < SNIFF_LEN;
    let (line, complete) = match text.iter().position(|&b| b == b'\n') {
        Some(end) => (text.get(..end)?, true),
        None => (text, ended),
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.starts_with(b"{") {
        return detect_json(text, line, complete, ended);
    }
    if let Ok(line) = std::str::from_utf8(line)
        && parse_line(line).is_ok()
    {
        return Some(Format::Combined(CombinedOptions::default()));
    }
    if complete { detect_csv(line) } else { None }
}

fn detect_json(text: &[u8], line: &[u8], complete: bool, ended: bool) -> Option<Format> {
    if names_any(line, &CAMPAIGN_KEYS) {
        return Some(Format::GoPhishTimeline);
    }
    if line.trim_ascii() == b"{" {
        return names_any(text, &CAMPAIGN_KEYS).then_some(Format::GoPhishTimeline);
    }
    let whole_record = complete && is_record_line(line);
    let later_record = || {
        let mut lines = text.split(|&b| b == b'\n').skip(1).peekable();
        // The last piece is cut off by the sniff window unless the input
        // ended there.
        std::iter::from_fn(|| {
            let line = lines.next()?;
            Some((line, lines.peek().is_some() || ended))
        })
        .any(|(line, whole)| whole && is_record_line(line.trim_ascii()))
    };
    (whole_record || names_any(line, &[b"\"recipient\""]) || later_record())
        .then_some(Format::JsonLines)
}

/// A line that opens and closes like one JSON object.
fn is_record_line(line: &[u8]) -> bool {
    line.starts_with(b"{") && line.trim_ascii_end().ends_with(b"}")
}

fn detect_csv(line: &[u8]) -> Option<Format> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line);
    let header = reader.byte_records().next()?.ok()?;
    let has = |name: &str| {
        header.iter().any(|cell| {
            String::from_utf8_lossy(cell)
                .trim()
                .eq_ignore_ascii_case(name)
        })
    };
    if ["campaign_id", "email", "time", "message", "details"]
        .into_iter()
        .all(has)
    {
        return Some(Format::GoPhishEvents);
    }
    (has("recipient") && has("at")).then(|| Format::Csv(CsvMapping::default()))
}

fn names_any(haystack: &[u8], needles: &[&[u8]]) -> bool {
    needles
        .iter()
        .any(|n| haystack.windows(n.len()).any(|w| w == *n))
}
