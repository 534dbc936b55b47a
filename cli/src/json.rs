//! JSON for the records the tool writes by the million: judgements and
//! the annotations of removed records. serde_json escapes strings one byte
//! at a time, which was the largest single cost of writing them; these
//! writers find the bytes to escape eight at a time and copy the runs
//! between them whole. The bytes are the same as serde_json's, as the
//! tests check.

use clicksift::json::{needs_escape, next_special};

/// Appends `text` as a JSON string, escaped exactly as serde_json does:
/// quotes, backslashes and control characters, and nothing else.
pub fn string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Copy the runs between the bytes that need escaping whole; evidence
    // text quotes the values it shows, so most strings have a few.
    let mut run = 0;
    while let Some(at) = next_special(bytes, run) {
        out.extend_from_slice(bytes.get(run..at).unwrap_or_default());
        escape(out, bytes.get(at).copied().unwrap_or_default());
        run = at + 1;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or_default());
    out.push(b'"');
}

/// Appends the escape of one byte that needs it.
fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short: &[u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        _ => {
            let code = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&code);
            return;
        }
    };
    out.extend_from_slice(short);
}

/// Appends a whole number.
pub fn number(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends `text`, which needs no escaping (the tool's own identifiers,
/// rule ids), as a JSON string.
pub fn plain(out: &mut Vec<u8>, text: &str) {
    debug_assert!(!text.bytes().any(needs_escape), "{text:?} needs escaping");
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::string;

    /// Every byte that needs escaping, at every offset of a word and next
    /// to every other, and multi-byte characters around them.
    #[test]
    fn every_escape_at_every_offset_matches_serde_json() {
        let specials: Vec<char> = (0u8..0x20).map(char::from).chain(['"', '\\']).collect();
        for pad in 0..17 {
            for &c in &specials {
                for &d in &['a', '"', '\u{7f}', 'é', '\u{1f}'] {
                    let s = format!("{}{c}{d}{}", "x".repeat(pad), "ü".repeat(pad % 5));
                    let mut ours = Vec::new();
                    string(&mut ours, &s);
                    assert_eq!(ours, serde_json::to_vec(&s).unwrap(), "{s:?}");
                }
            }
        }
    }

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
