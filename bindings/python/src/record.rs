//! Clicks from Python dicts, and record errors as Python exceptions.

use std::collections::BTreeMap;

use clicksift::{Click, ClickFields};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::RecordError as PyRecordError;

/// A record error as a Python `clicksift.RecordError` carrying its line,
/// field and message.
pub fn record_error(py: Python<'_>, e: &clicksift::RecordError) -> PyErr {
    let err = PyRecordError::new_err(e.to_string());
    let value = err.value(py);
    let attrs = [
        value.setattr("line", e.line()),
        value.setattr("field", e.field()),
        value.setattr("message", e.message()),
    ];
    match attrs.into_iter().find_map(Result::err) {
        Some(failed) => failed,
        None => err,
    }
}

/// Reads a dict with the keys of clicksift's JSON Lines schema. Unknown
/// keys are ignored, as they are in JSON; `None` is an absent value.
/// Times may be RFC 3339 strings or aware `datetime` objects; `id` may be
/// a string or an integer.
pub fn click_from_dict(
    record: &Bound<'_, PyAny>,
    line: u64,
) -> Result<Click, clicksift::RecordError> {
    let dict = record.cast::<PyDict>().map_err(|_| {
        bad(
            line,
            None,
            format!("expected a dict, got {}", type_name(record)),
        )
    })?;
    let mut fields = ClickFields::default();
    for (key, value) in dict.iter() {
        let key = key
            .cast::<PyString>()
            .map_err(|_| bad(line, None, "keys must be strings".to_string()))?;
        let key = key
            .to_str()
            .map_err(|_| bad(line, None, "key is not UTF-8".into()))?;
        set_field(&mut fields, key, &value, line)?;
    }
    fields.validate(line)
}

fn set_field(
    fields: &mut ClickFields,
    key: &str,
    value: &Bound<'_, PyAny>,
    line: u64,
) -> Result<(), clicksift::RecordError> {
    let slot = match key {
        "id" => return id(value, line).map(|v| fields.id = v),
        "honeypot" => return flag(value, line).map(|v| fields.honeypot = v),
        "headers" => return headers(value, line).map(|v| fields.headers = v),
        "at" | "sent_at" | "delivered_at" => {
            let v = time(value, key, line)?;
            match key {
                "at" => fields.at = v,
                "sent_at" => fields.sent_at = v,
                _ => fields.delivered_at = v,
            }
            return Ok(());
        }
        "kind" => &mut fields.kind,
        "campaign" => &mut fields.campaign,
        "recipient" => &mut fields.recipient,
        "link" => &mut fields.link,
        "ip" => &mut fields.ip,
        "user_agent" => &mut fields.user_agent,
        "method" => &mut fields.method,
        "url" => &mut fields.url,
        "reverse_dns" => &mut fields.reverse_dns,
        _ => return Ok(()),
    };
    *slot = text(value, key, line)?;
    Ok(())
}

fn bad(line: u64, field: Option<&str>, message: String) -> clicksift::RecordError {
    clicksift::RecordError::new(line, field, message)
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "an unknown type".into(), |n| n.to_string())
}

fn text(
    value: &Bound<'_, PyAny>,
    field: &str,
    line: u64,
) -> Result<Option<String>, clicksift::RecordError> {
    if value.is_none() {
        return Ok(None);
    }
    let s = value.cast::<PyString>().map_err(|_| {
        bad(
            line,
            Some(field),
            format!("expected a string, got {}", type_name(value)),
        )
    })?;
    s.to_str()
        .map(|s| Some(s.to_string()))
        .map_err(|_| bad(line, Some(field), "not valid UTF-8".into()))
}

fn id(value: &Bound<'_, PyAny>, line: u64) -> Result<Option<String>, clicksift::RecordError> {
    if let Ok(n) = value.extract::<i64>() {
        return Ok(Some(n.to_string()));
    }
    text(value, "id", line)
}

fn flag(value: &Bound<'_, PyAny>, line: u64) -> Result<bool, clicksift::RecordError> {
    if value.is_none() {
        return Ok(false);
    }
    value.extract::<bool>().map_err(|_| {
        bad(
            line,
            Some("honeypot"),
            format!("expected a bool, got {}", type_name(value)),
        )
    })
}

/// A time as RFC 3339 text, from a string or anything with `isoformat()`.
fn time(
    value: &Bound<'_, PyAny>,
    field: &str,
    line: u64,
) -> Result<Option<String>, clicksift::RecordError> {
    if value.is_none() || value.is_instance_of::<PyString>() {
        return text(value, field, line);
    }
    let iso = value.call_method0("isoformat").map_err(|_| {
        bad(
            line,
            Some(field),
            format!("expected a string or a datetime, got {}", type_name(value)),
        )
    })?;
    text(&iso, field, line)
}

fn headers(
    value: &Bound<'_, PyAny>,
    line: u64,
) -> Result<BTreeMap<String, String>, clicksift::RecordError> {
    if value.is_none() {
        return Ok(BTreeMap::new());
    }
    let dict = value.cast::<PyDict>().map_err(|_| {
        bad(
            line,
            Some("headers"),
            format!("expected a dict, got {}", type_name(value)),
        )
    })?;
    let mut map = BTreeMap::new();
    for (name, v) in dict.iter() {
        let name = text(&name, "headers", line)?.unwrap_or_default();
        if let Some(v) = text(&v, "headers", line)? {
            map.insert(name, v);
        }
    }
    Ok(map)
}
