//! JSON text at speed: the bytes a JSON string must escape, found eight
//! at a time, and the reading of the plain objects most records are.
//!
//! A record of the JSON Lines schema is nearly always one object of
//! strings without escapes, a boolean or two, perhaps `null` and an object
//! of header strings. [`Click::from_json`] reads such a record directly
//! and leaves every other text (an escape, a number, an array, deeper
//! nesting, a syntax error) to serde_json, which reads any JSON and words
//! the errors; what it reads directly, it reads as serde_json would.
//!
//! [`Click::from_json`]: crate::Click::from_json

/// True for a byte that JSON strings must escape: a quote, a backslash or
/// a control character.
pub fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Where the first byte at or after `from` that [`needs_escape`] is, if
/// any.
///
/// Eight bytes are tested at a time: a flag per byte that is below 0x20, a
/// quote or a backslash. A borrow can flag a byte above a true match,
/// never one below it, so the lowest flag is exact.
#[inline]
pub fn next_special(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let flags = |w: [u8; 8]| {
        let w = u64::from_le_bytes(w);
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let low = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        low | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))
    };
    let mut at = from;
    while let Some(word) = bytes.get(at..at + 8) {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        let found = flags(w);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    // The last few bytes, padded with spaces (which need no escape) to a
    // whole word.
    let tail = bytes.get(at..)?;
    let mut w = [b' '; 8];
    w.get_mut(..tail.len())?.copy_from_slice(tail);
    let found = flags(w);
    (found != 0).then(|| at + found.trailing_zeros() as usize / 8)
}

/// A member's value, as [`members`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// A string without escapes, borrowed from the text.
    Str(&'a str),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An object whose members are all strings without escapes, as its
    /// text (read its members with [`members`]).
    Object(&'a str),
}

/// Reads `text` as one JSON object whose members are all strings without
/// escapes, booleans, `null` or objects of such strings, calling `each`
/// with every member's name and value in order.
///
/// Returns `None` as soon as the text is anything else, or `each` returns
/// `None`; the caller then reads the text with a full parser. The names
/// given to `each` may be a prefix of an object that turns out not to be
/// plain.
pub(crate) fn members<'a>(
    text: &'a str,
    each: impl FnMut(&'a str, Value<'a>) -> Option<()>,
) -> Option<()> {
    let bytes = text.as_bytes();
    let end = object(text, skip_space(bytes, 0), true, each)?;
    // Only white space may follow the object.
    (skip_space(bytes, end) == bytes.len()).then_some(())
}

/// Reads the object that starts at `at` as [`members`] describes, with
/// objects among its values only when `outer`, and returns where the
/// text after it starts.
fn object<'a>(
    text: &'a str,
    mut at: usize,
    outer: bool,
    mut each: impl FnMut(&'a str, Value<'a>) -> Option<()>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Some(at + 1);
    }
    loop {
        let (name, after) = string(text, at)?;
        at = skip_space(bytes, after);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        let value = match bytes.get(at)? {
            b'"' => {
                let (value, after) = string(text, at)?;
                at = after;
                Value::Str(value)
            }
            b't' if bytes.get(at..at + 4) == Some(b"true") => {
                at += 4;
                Value::Bool(true)
            }
            b'f' if bytes.get(at..at + 5) == Some(b"false") => {
                at += 5;
                Value::Bool(false)
            }
            b'n' if bytes.get(at..at + 4) == Some(b"null") => {
                at += 4;
                Value::Null
            }
            b'{' if outer => {
                let start = at;
                at = object(text, at, false, only_strings)?;
                Value::Object(text.get(start..at)?)
            }
            _ => return None,
        };
        each(name, value)?;
        at = skip_space(bytes, at);
        match bytes.get(at)? {
            b',' => at = skip_space(bytes, at + 1),
            b'}' => return Some(at + 1),
            _ => return None,
        }
    }
}

/// Accepts the members of an inner object that are strings.
fn only_strings(_: &str, value: Value<'_>) -> Option<()> {
    matches!(value, Value::Str(_)).then_some(())
}

/// Where the first byte at or after `at` that is not JSON white space is.
#[inline(always)]
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// The string without escapes or control characters that starts at `at`
/// (its opening quote), and where the text after it starts.
#[inline(always)]
fn string(text: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let end = next_special(bytes, at + 1)?;
    if bytes.get(end) != Some(&b'"') {
        return None;
    }
    // Both ends are next to an ASCII quote, so on character boundaries.
    Some((text.get(at + 1..end)?, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Vec<(&str, Value<'_>)>> {
        let mut got = Vec::new();
        members(text, |name, value| {
            got.push((name, value));
            Some(())
        })?;
        Some(got)
    }

    #[test]
    fn plain_objects_are_read_member_by_member() {
        use Value::{Bool, Null, Object, Str};
        assert_eq!(read("{}"), Some(vec![]));
        assert_eq!(read(" \t{ }\r\n"), Some(vec![]));
        assert_eq!(
            read(r#"{"a":"b", "honeypot" : true,"c":"","é":"ü 東京","d":false,"e":null}"#),
            Some(vec![
                ("a", Str("b")),
                ("honeypot", Bool(true)),
                ("c", Str("")),
                ("é", Str("ü 東京")),
                ("d", Bool(false)),
                ("e", Null),
            ])
        );
        assert_eq!(
            read(r#"{"h": { "x-a" : "1","x-b":"" }, "i":{}}"#),
            Some(vec![
                ("h", Object(r#"{ "x-a" : "1","x-b":"" }"#)),
                ("i", Object("{}"))
            ])
        );
        assert_eq!(
            read(r#"{"a":{"b":"c","b":"d"}}"#),
            Some(vec![("a", Object(r#"{"b":"c","b":"d"}"#))])
        );
    }

    #[test]
    fn anything_else_is_left_to_the_full_parser() {
        for text in [
            "",
            "[]",
            "{",
            r#"{"a":"b""#,
            r#"{"a":"b",}"#,
            r#"{"a":"b"} x"#,
            r#"{"a":"b"}{}"#,
            r#"{"a" "b"}"#,
            r#"{"a":"b" "c":"d"}"#,
            r#"{"a":1}"#,
            r#"{"a":{"b":{}}}"#,
            r#"{"a":{"b":true}}"#,
            r#"{"a":{"b":null}}"#,
            r#"{"a":{"b":"c",}}"#,
            r#"{"a":{"b":"c"}"#,
            r#"{"a":[]}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":"b\"c"}"#,
            r#"{"a\u0062":"c"}"#,
            "{\"a\":\"tab\there\"}",
            "\u{feff}{}",
            "{\u{a0}}",
            r#"{a:"b"}"#,
        ] {
            assert_eq!(read(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_caller_can_stop_the_reading() {
        assert_eq!(
            members(r#"{"a":"b","c":"d"}"#, |name, _| (name == "a")
                .then_some(())),
            None
        );
    }

    #[test]
    fn every_special_byte_is_found_at_every_offset() {
        for len in 0..20 {
            for at in 0..len {
                for special in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(next_special(&bytes, 0), Some(at), "{bytes:?}");
                    assert_eq!(
                        next_special(&bytes, at + 1),
                        (at + 1 < len).then_some(at + 1)
                    );
                }
            }
            assert_eq!(next_special(&vec![0xc3; len], 0), None);
        }
    }
}
