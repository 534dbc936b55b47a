//! Web server access logs in the combined format of nginx and Apache.

use std::borrow::Cow;
use std::io::BufRead;

use super::lines::Lines;
use super::{InputRecord, Skipped};
use crate::{ClickFields, RecordError};

/// How to read an access log in the combined format:
///
/// ```text
/// 203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET /l/offer?rid=a1b2c3 HTTP/1.1" 200 2326 "-" "Mozilla/5.0 ..."
/// ```
///
/// Each request carrying the recipient parameter (`rid` by default, as
/// GoPhish writes its links) becomes a click: the recipient is that
/// parameter's form-decoded value, `link` the path, `url` the request
/// target, `method` the request's, the referer the `referer` header. The
/// campaign is the one given here, as a log does not name it. Fields after
/// the user agent (nginx setups often add some) are ignored.
///
/// Skipped and counted in [`Records::skipped`]: requests without the
/// parameter ([`NO_RECIPIENT`]) and request lines that are not `METHOD
/// TARGET PROTOCOL`, such as the TLS handshakes scanners send to plain
/// HTTP ports ([`BAD_REQUEST`]). A line that is not in the combined format
/// at all is a [`RecordError`].
///
/// # Limitations
///
/// A log shows no form body, so a recipient posted in one is not seen;
/// every request is a click (a tracking pixel path is not told apart); the
/// response status is not used; a referer or user agent logged as `-` is
/// taken as absent, since that is how servers write a missing header.
///
/// [`Records::skipped`]: super::Records::skipped
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CombinedOptions {
    /// The query parameter that holds the recipient.
    pub recipient_param: String,
    /// The campaign of every click of the log.
    pub campaign: String,
}

impl Default for CombinedOptions {
    fn default() -> CombinedOptions {
        CombinedOptions {
            recipient_param: "rid".into(),
            campaign: "default".into(),
        }
    }
}

/// Skip reason of a request without the recipient parameter.
pub const NO_RECIPIENT: &str = "no recipient parameter";

/// Skip reason of a request line that is not `METHOD TARGET PROTOCOL`.
pub const BAD_REQUEST: &str = "unparsable request line";

/// The parts of one log line, borrowed from it.
pub(crate) struct LogLine<'a> {
    pub(crate) ip: &'a str,
    pub(crate) time: String,
    pub(crate) request: Cow<'a, str>,
    pub(crate) referer: Cow<'a, str>,
    pub(crate) user_agent: Cow<'a, str>,
}

/// A line's failure: which field, and what is wrong.
type LineFault = (Option<&'static str>, String);

/// Splits a combined-format line into its parts.
pub(crate) fn parse_line(text: &str) -> Result<LogLine<'_>, LineFault> {
    let mut rest = text;
    let ip = token(&mut rest).ok_or((Some("ip"), "empty line".to_string()))?;
    let _ident = token(&mut rest);
    let _user = token(&mut rest);
    let time = bracketed(&mut rest).ok_or(shape("a [time] after the user"))?;
    let time = rfc3339(time).ok_or_else(|| (Some("at"), format!("{time:?} is not a log time")))?;
    let request = quoted(&mut rest).ok_or(shape("a quoted request after the time"))?;
    let _status = token(&mut rest).ok_or(shape("a status after the request"))?;
    let _bytes = token(&mut rest).ok_or(shape("a size after the status"))?;
    let referer = quoted(&mut rest).ok_or(shape("a quoted referer after the size"))?;
    let user_agent = quoted(&mut rest).ok_or(shape("a quoted user agent after the referer"))?;
    Ok(LogLine {
        ip,
        time,
        request,
        referer,
        user_agent,
    })
}

fn shape(what: &str) -> LineFault {
    (None, format!("not a combined log line: expected {what}"))
}

/// The next space-separated word.
fn token<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let text = rest.trim_start_matches(' ');
    let end = text.find(' ').unwrap_or(text.len());
    let (word, tail) = text.split_at(end);
    *rest = tail;
    (!word.is_empty()).then_some(word)
}

fn bracketed<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let text = rest.trim_start_matches(' ').strip_prefix('[')?;
    let (inside, tail) = text.split_once(']')?;
    *rest = tail;
    Some(inside)
}

/// A quoted field; `\"`, `\\` and `\xHH` escapes (Apache's and nginx's)
/// are decoded when the result is UTF-8, else left as written.
fn quoted<'a>(rest: &mut &'a str) -> Option<Cow<'a, str>> {
    let text = rest.trim_start_matches(' ').strip_prefix('"')?;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut escaped = false;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\\') => {
                escaped = true;
                i += 2;
            }
            Some(b'"') => break,
            _ => i += 1,
        }
    }
    let inside = text.get(..i)?;
    *rest = text.get(i + 1..)?;
    Some(if escaped {
        unescape(inside)
    } else {
        Cow::Borrowed(inside)
    })
}

fn unescape(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 2..i + 4).and_then(hex_byte);
        match (b, bytes.get(i + 1)) {
            (b'\\', Some(b'x')) if hex.is_some() => {
                out.extend(hex);
                i += 4;
            }
            (b'\\', Some(&next @ (b'"' | b'\\'))) => {
                out.push(next);
                i += 2;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_or(Cow::Borrowed(text), Cow::Owned)
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(pair).ok()?;
    u8::from_str_radix(text, 16).ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `10/Oct/2026:13:55:36 +0000` as `2026-10-10T13:55:36+00:00`; the
/// values themselves are checked when the click is validated.
fn rfc3339(time: &str) -> Option<String> {
    let (date, zone) = time.split_once(' ')?;
    let mut parts = date.splitn(3, '/');
    let (day, month, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let (year, clock) = rest.split_once(':')?;
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let (sign, digits) = zone.split_at_checked(1)?;
    let (zh, zm) = digits.split_at_checked(2)?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !matches!(sign, "+" | "-") || ![day, year, zh, zm].into_iter().all(all_digits) {
        return None;
    }
    Some(format!(
        "{year}-{month:02}-{day:0>2}T{clock}{sign}{zh}:{zm}"
    ))
}

/// The value of query parameter `name` in `target`, form-decoded.
fn query_param<'a>(target: &'a str, name: &str) -> Option<Cow<'a, str>> {
    let (_, query) = target.split_once('?')?;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(key) == name).then(|| form_decode(value))
    })
}

/// Decodes `+` and `%XX`; a malformed escape is kept as written.
fn form_decode(text: &str) -> Cow<'_, str> {
    if !text.contains(['%', '+']) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(hex_byte);
        match (b, hex) {
            (b'%', Some(h)) => {
                out.push(h);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Reads an access log.
pub(crate) struct AccessLog<R> {
    lines: Lines<R>,
    options: CombinedOptions,
    skipped: Skipped,
}

impl<R: BufRead> AccessLog<R> {
    pub(crate) fn new(options: CombinedOptions, reader: R) -> AccessLog<R> {
        AccessLog {
            lines: Lines::new(reader),
            options,
            skipped: Skipped::default(),
        }
    }

    pub(crate) fn skipped(&self) -> &Skipped {
        &self.skipped
    }
}

/// What one line gives: a record or an error, or the reason it is
/// skipped.
type Outcome = Result<Result<InputRecord, RecordError>, &'static str>;

fn line_outcome(text: &str, line: u64, options: &CombinedOptions) -> Outcome {
    let parts = match parse_line(text) {
        Ok(parts) => parts,
        Err((field, message)) => return Ok(Err(RecordError::new(line, field, message))),
    };
    let mut words = parts.request.split(' ');
    let (Some(method), Some(target), Some(_protocol), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(BAD_REQUEST);
    };

    // Proxies log absolute targets; the path starts after the authority.
    let target = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| rest.get(i..).unwrap_or("/")),
        None => target,
    };
    let Some(recipient) = query_param(target, &options.recipient_param) else {
        return Err(NO_RECIPIENT);
    };
    let path = target.split(['?', '#']).next().unwrap_or(target);
    let present = |v: &Cow<'_, str>| (v.as_ref() != "-" && !v.is_empty()).then(|| v.to_string());
    let mut fields = ClickFields {
        campaign: Some(options.campaign.clone()),
        recipient: Some(recipient.trim().to_string()),
        link: Some(path.to_string()),
        at: Some(parts.time),
        ip: Some(parts.ip.to_string()),
        user_agent: present(&parts.user_agent),
        method: Some(method.to_string()),
        url: Some(target.to_string()),
        ..ClickFields::default()
    };
    if let Some(referer) = present(&parts.referer) {
        fields.headers.insert("referer".into(), referer);
    }
    Ok(fields
        .validate(line)
        .map(|click| InputRecord { line, click }))
}

impl<R: BufRead> Iterator for AccessLog<R> {
    type Item = Result<InputRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, text) = self.lines.next_line()?;
            let text = match text {
                Ok(t) if t.trim().is_empty() => continue,
                Ok(t) => t,
                Err(e) => return Some(Err(e)),
            };
            match line_outcome(text, line, &self.options) {
                Ok(outcome) => return Some(outcome),
                Err(reason) => self.skipped.add(reason),
            }
        }
    }
}
