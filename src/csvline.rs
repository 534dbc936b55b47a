//! The small CSV dialect of the bundled catalogue files: `#` comments, a
//! header row, comma-separated fields, double quotes around a field that
//! holds a comma or a quote (doubled inside).

/// Splits one line into fields, or says why it cannot.
pub(crate) fn split(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let after = if let Some(quoted) = rest.strip_prefix('"') {
            // A quoted field ends at the first quote that is not doubled.
            let mut field = String::new();
            let mut inside = quoted;
            loop {
                let Some(at) = inside.find('"') else {
                    return Err("unterminated quoted field".into());
                };
                field.push_str(&inside[..at]);
                inside = &inside[at + 1..];
                match inside.strip_prefix('"') {
                    Some(more) => {
                        field.push('"');
                        inside = more;
                    }
                    None => break,
                }
            }
            if !(inside.is_empty() || inside.starts_with(',')) {
                return Err("text after a closing quote".into());
            }
            fields.push(field);
            inside
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            fields.push(rest[..end].to_string());
            &rest[end..]
        };
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => return Ok(fields),
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
    fn empty_fields_and_bare_quotes_are_kept() {
        assert_eq!(split("").unwrap(), [""]);
        assert_eq!(split("a,").unwrap(), ["a", ""]);
        assert_eq!(split(",").unwrap(), ["", ""]);
        assert_eq!(split(r#""""#).unwrap(), [""]);
        assert_eq!(split(r#"x"y,"é,ü""#).unwrap(), ["x\"y", "é,ü"]);
    }

    #[test]
    fn broken_quotes_are_errors() {
        assert!(split(r#"a,"b"#).is_err());
        assert!(split(r#""a"b,c"#).is_err());
    }
}
