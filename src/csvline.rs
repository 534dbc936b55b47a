//! The small CSV dialect of the bundled catalogue files: `#` comments, a
//! header row, comma-separated fields, double quotes around a field that
//! holds a comma or a quote (doubled inside).

/// Splits one line into fields, or says why it cannot.
pub(crate) fn split(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => return Err("unterminated quoted field".into()),
                }
            }
            if !matches!(chars.peek(), None | Some(',')) {
                return Err("text after a closing quote".into());
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                field.push(c);
                chars.next();
            }
        }
        fields.push(field);
        if chars.next().is_none() {
            return Ok(fields);
        }
    }
}

/// The data rows of a catalogue file with their 1-based line numbers,
/// after checking that the header names the expected columns.
pub(crate) fn rows<'a>(
    text: &'a str,
    columns: &[&str],
) -> Result<impl Iterator<Item = (usize, &'a str)> + 'a, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((n, header)) = lines.next() else {
        return Err("no header row".into());
    };
    let found = split(header).map_err(|e| format!("line {n}: {e}"))?;
    if found != columns {
        return Err(format!(
            "line {n}: header is {:?}, expected {:?}",
            found.join(","),
            columns.join(",")
        ));
    }
    Ok(lines)
}

/// Parses every data row of a catalogue file with `parse`, collecting
/// every bad row as `line N: reason` rather than stopping at the first.
pub(crate) fn parse_rows<T>(
    text: &str,
    columns: &[&str],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, Vec<String>> {
    let rows = rows(text, columns).map_err(|e| vec![e])?;
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in rows {
        match parse(line) {
            Ok(value) => parsed.push(value),
            Err(e) => errors.push(format!("line {n}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn quoted_fields_keep_commas_and_quotes() {
        let got = split(r#"a,"b, c","say ""hi""",,d"#).unwrap();
        assert_eq!(got, ["a", "b, c", "say \"hi\"", "", "d"]);
    }

    #[test]
    fn broken_quotes_are_errors() {
        assert!(split(r#"a,"b"#).is_err());
        assert!(split(r#""a"b,c"#).is_err());
    }
}
