//! JSON for the records the tool writes by the million: judgements and
//! the annotations of removed records. serde_json escapes strings one byte
//! at a time, which was the largest single cost of writing them; these
//! writers check a whole string first and copy it when nothing in it
//! needs escaping, and otherwise copy the runs between escapes. The bytes
//! are the same as serde_json's, as the tests check.

/// Appends `text` as a JSON string, escaped exactly as serde_json does:
/// quotes, backslashes and control characters, and nothing else.
pub fn string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.push(b'"');
    // A fold without an early exit, so the compiler checks many bytes at
    // once; most strings have nothing to escape and are copied whole.
    let plain = bytes
        .iter()
        .fold(true, |ok, &b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    if plain {
        out.extend_from_slice(bytes);
    } else {
        escaped(out, bytes);
    }
    out.push(b'"');
}

/// Appends the bytes of a string with its escapes, copying the runs
/// between them whole.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
        if short.is_empty() {
            let code = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&code);
        } else {
            out.extend_from_slice(short);
        }
        run = i + 1;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or_default());
}

/// Appends a whole number.
pub fn number(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends `"name":` after the comma that separates it from the field
/// before, unless it is the first.
pub fn key(out: &mut Vec<u8>, name: &str, first: bool) {
    if !first {
        out.push(b',');
    }
    string(out, name);
    out.push(b':');
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let samples = [
            "",
            "curl/8.5.0",
            "agent matches \"Slackbot\" (Slack, link_preview)",
            "back\\slash",
            "tab\there, newline\n, bell\u{7}, delete\u{7f}",
            "café, 東京, emoji 🙂, C1 control \u{85}",
        ];
        let controls: String = (0u8..0x20).map(char::from).collect();
        for s in samples.iter().copied().chain([controls.as_str()]) {
            let mut ours = Vec::new();
            string(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}
