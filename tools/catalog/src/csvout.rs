//! The small CSV dialect of the catalogue files.
//!
//! Lines starting with `#` are comments. Fields are separated by commas and
//! double-quoted (RFC 4180 style, `""` for a quote inside) only when they
//! contain a comma or a quote, start with `#`, or have spaces at either end.
//! No field contains a line break.

use std::borrow::Cow;

/// Renders one field, quoting it only when the dialect needs it.
pub fn field(value: &str) -> Cow<'_, str> {
    let needs_quotes = value.contains([',', '"'])
        || value.starts_with('#')
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs_quotes {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(value)
    }
}

/// Width comment lines are wrapped to, `# ` included.
const COMMENT_WIDTH: usize = 90;

/// Renders a whole file: comment lines (wrapped), the header row, then the
/// rows.
pub fn render(comments: &[String], header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for comment in comments {
        for line in wrap(comment) {
            out.push_str(if line.is_empty() { "#" } else { "# " });
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(&header.join(","));
    out.push('\n');

    for row in rows {
        let fields: Vec<Cow<'_, str>> = row.iter().map(|f| field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Wraps a comment at spaces; continuation lines are indented two spaces
/// deeper than the first.
fn wrap(comment: &str) -> Vec<String> {
    let indent = comment.len() - comment.trim_start().len();
    let continuation = " ".repeat(indent + 2);
    let mut lines = vec![comment[..indent].to_string()];
    for word in comment.split_whitespace() {
        let Some(line) = lines.last_mut() else { break };
        let fits = line.trim().is_empty() || line.len() + 1 + word.len() + 2 <= COMMENT_WIDTH;
        if fits {
            if !line.trim().is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(format!("{continuation}{word}"));
        }
    }
    lines
}

/// Splits one data line of the dialect into its fields.
///
/// Returns `None` for a malformed line (an unclosed quote, or text after a
/// closing quote).
pub fn parse_line(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let (value, after) = match rest.strip_prefix('"') {
            Some(quoted) => take_quoted(quoted)?,
            None => rest
                .split_once(',')
                .map_or((rest.to_string(), None), |(v, a)| (v.to_string(), Some(a))),
        };
        fields.push(value);
        match after {
            Some(next) => rest = next,
            None => return Some(fields),
        }
    }
}

/// Reads a quoted field (after its opening quote); returns the value and
/// the text after the following comma, if any.
fn take_quoted(text: &str) -> Option<(String, Option<&str>)> {
    let mut value = String::new();
    let mut rest = text;
    loop {
        let end = rest.find('"')?;
        value.push_str(&rest[..end]);
        rest = &rest[end + 1..];

        // A doubled quote is a quote inside the value; a single one ends it.
        if let Some(after) = rest.strip_prefix('"') {
            value.push('"');
            rest = after;
            continue;
        }
        return match rest {
            "" => Some((value, None)),
            _ => rest.strip_prefix(',').map(|next| (value, Some(next))),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed_and_round_trips() {
        let row = vec![
            "plain".to_string(),
            "a,b".to_string(),
            "say \"hi\"".to_string(),
            " lead".to_string(),
            "#hash".to_string(),
            String::new(),
        ];
        let text = render(
            &[],
            &["a", "b", "c", "d", "e", "f"],
            std::slice::from_ref(&row),
        );
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",\"#hash\","
        );
        assert_eq!(parse_line(line).unwrap(), row);
    }

    #[test]
    fn wraps_long_comments_with_indented_continuations() {
        let long = format!("  {}", "word ".repeat(40));
        let text = render(&[long, String::new()], &["a"], &[]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.iter().all(|l| l.len() <= COMMENT_WIDTH), "{text}");
        assert!(lines[0].starts_with("#   word") && lines[1].starts_with("#     word"));
        assert_eq!(lines.iter().filter(|l| l.contains("word")).count(), 3);
        assert_eq!(lines[3], "#");
    }

    #[test]
    fn rejects_unclosed_quote_and_trailing_text() {
        assert_eq!(parse_line("\"open,b"), None);
        assert_eq!(parse_line("\"x\"y,b"), None);
    }
}
