//! Reads the JavaScript object literals caniuse-lite ships as data
//! (`module.exports={A:{...},...}`) by rewriting them into JSON.
//!
//! # Limitations
//! Handles what caniuse-lite's data files use: bare identifier or number
//! keys, double-quoted strings, numbers, `null`, arrays and objects. A
//! single-quoted string, a comment or an expression is rejected.

use serde_json::Value;

/// Parses `module.exports=<literal>;` into a JSON value.
pub fn parse_module(text: &str) -> Result<Value, String> {
    let body = text
        .trim()
        .strip_prefix("module.exports=")
        .ok_or("no `module.exports=`")?;
    let json = to_json(body.trim_end().trim_end_matches(';'))?;
    serde_json::from_str(&json).map_err(|e| format!("after rewriting to JSON: {e}"))
}

/// Quotes bare object keys; everything else is copied.
fn to_json(literal: &str) -> Result<String, String> {
    let mut out = String::with_capacity(literal.len() + literal.len() / 4);
    let mut stack = Vec::new();
    let mut expect_key = false;
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => {
                stack.push(c);
                expect_key = c == '{';
                out.push(c);
            }
            '}' | ']' => {
                stack.pop();
                expect_key = false;
                out.push(c);
            }
            ',' => {
                expect_key = stack.last() == Some(&'{');
                out.push(c);
            }
            ':' => {
                expect_key = false;
                out.push(c);
            }
            '"' => copy_string(&mut chars, &mut out)?,
            '\'' => return Err("single-quoted strings are not supported".to_string()),
            c if c.is_whitespace() => {}
            c if expect_key => {
                let mut key = String::from(c);
                while let Some(&next) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                    key.push(next);
                    chars.next();
                }
                out.push('"');
                out.push_str(&key);
                out.push('"');
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Copies a double-quoted string (opening quote already read) verbatim.
fn copy_string(chars: &mut impl Iterator<Item = char>, out: &mut String) -> Result<(), String> {
    out.push('"');
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\\' => out.push(chars.next().ok_or("unterminated escape")?),
            '"' => return Ok(()),
            _ => {}
        }
    }
    Err("unterminated string".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_bare_keys_and_keeps_values() {
        let value =
            parse_module(r#"module.exports={A:{B:"ms",C:[155,"5.5 6",3],"12":null},b:-1.5};"#)
                .unwrap();
        assert_eq!(value["A"]["B"], "ms");
        assert_eq!(value["A"]["C"][1], "5.5 6");
        assert!(value["A"]["12"].is_null());
        assert_eq!(value["b"], -1.5);
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert!(parse_module("exports={}").is_err());
        assert!(parse_module("module.exports={A:'x'}").is_err());
        assert!(parse_module(r#"module.exports={A:"x}"#).is_err());
    }
}
