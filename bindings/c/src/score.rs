//! Scoring one click, and reading the result.

use std::collections::BTreeMap;
use std::ffi::c_char;

use clicksift::{Assessment, Click, ClickFields};

use crate::boundary::{
    borrow, borrow_mut, check_out, clicksift_status, clicksift_str, free, hand_out, optional_text,
    run, text, write,
};
use crate::error::{Failure, clicksift_error};
use crate::handles::{clicksift_cache, clicksift_engine};
use crate::names::{clicksift_source, clicksift_verdict};

/// A string passed in by the caller: `len` bytes at `ptr`, UTF-8, not
/// necessarily NUL-terminated. `{NULL, 0}` means absent.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct clicksift_text {
    /// First byte, or NULL when absent.
    pub ptr: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

/// One request header.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct clicksift_header {
    /// Header name, any case.
    pub name: clicksift_text,
    /// Header value.
    pub value: clicksift_text,
}

/// A click record's fields, as in clicksift's JSON Lines schema. Leave a
/// field `{NULL, 0}` when it is absent; `campaign`, `recipient`, `at` and
/// (except for reports) `ip` are required. Times are RFC 3339.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct clicksift_click_fields {
    /// The caller's identifier.
    pub id: clicksift_text,
    /// `click` (when absent), `open` or `report`.
    pub kind: clicksift_text,
    /// Campaign identifier.
    pub campaign: clicksift_text,
    /// Who the message was sent to.
    pub recipient: clicksift_text,
    /// Which link of the message was requested.
    pub link: clicksift_text,
    /// True for a link people cannot see.
    pub honeypot: bool,
    /// When the request arrived.
    pub at: clicksift_text,
    /// When the message was sent.
    pub sent_at: clicksift_text,
    /// When the message reached the mailbox.
    pub delivered_at: clicksift_text,
    /// Client address, IPv4 or IPv6.
    pub ip: clicksift_text,
    /// The `User-Agent` header.
    pub user_agent: clicksift_text,
    /// HTTP method; `GET` when absent.
    pub method: clicksift_text,
    /// Path and query as requested.
    pub url: clicksift_text,
    /// The PTR name of `ip`, when the caller resolved it.
    pub reverse_dns: clicksift_text,
    /// Other request headers: `header_count` of them at `headers`, which
    /// may be NULL when the count is 0.
    pub headers: *const clicksift_header,
    /// Number of headers at `headers`.
    pub header_count: usize,
}

/// The engine's judgement of one event: score, verdict, source and the
/// rules that fired. Owned by the caller; free it with
/// `clicksift_result_free`. Views read from it are valid until then. Not
/// safe to use from two threads at once.
pub struct clicksift_result {
    pub(crate) assessment: Assessment,
}

/// One rule that fired. The views are valid while the result lives.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct clicksift_reason {
    /// The rule's id, such as `agent.headless`.
    pub rule: clicksift_str,
    /// Its weight: positive for machine evidence, negative for evidence of
    /// the recipient.
    pub weight: i32,
    /// The evidence it saw, as `field=value` pairs.
    pub detail: clicksift_str,
}

/// Scores one click given as a JSON object (`len` bytes at `json`) in
/// clicksift's JSON Lines schema. `line` is the record's 1-based line
/// number, used in errors and as the default id.
///
/// A malformed record gives `CLICKSIFT_STATUS_INVALID_INPUT` with the line
/// and field in the error. Thread safety: the engine may be shared by
/// threads; the cache must be used by one thread at a time.
///
/// # Safety
///
/// Handles must be NULL or live; `json` must be NULL or point to `len`
/// readable bytes; `result_out` and `error_out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_score_json(
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    json: *const c_char,
    len: usize,
    line: u64,
    result_out: *mut *mut clicksift_result,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        // SAFETY: the caller's promise.
        let json = unsafe { text(json, len, "json") }?;
        let click = Click::from_json(json, line)?;
        unsafe { score(engine, cache, &click, result_out) }
    })
}

/// Scores one click given as fields. `line` is used in errors and as the
/// default id.
///
/// A missing or malformed field gives `CLICKSIFT_STATUS_INVALID_INPUT`
/// with the field in the error. Thread safety: as for
/// `clicksift_score_json`.
///
/// # Safety
///
/// Handles must be NULL or live; every non-NULL text in `fields` must
/// point to its `len` readable bytes, and `headers` to `header_count`
/// headers; `result_out` and `error_out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_score_fields(
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    fields: *const clicksift_click_fields,
    line: u64,
    result_out: *mut *mut clicksift_result,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        // SAFETY: the caller's promise.
        let fields = unsafe { borrow(fields, "fields") }?;
        let click = unsafe { click_from_fields(fields, line) }?;
        unsafe { score(engine, cache, &click, result_out) }
    })
}

/// Scores a click that has been read.
///
/// # Safety
///
/// As for the exported functions that call it.
unsafe fn score(
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    click: &Click,
    result_out: *mut *mut clicksift_result,
) -> Result<(), Failure> {
    // SAFETY: forwarded from the caller.
    let engine = unsafe { borrow(engine, "engine") }?;
    let cache = unsafe { borrow_mut(cache, "cache") }?;
    check_out(result_out, "result_out")?;
    let assessment = engine.engine.assess(click, &mut cache.cache);
    unsafe { hand_out(result_out, clicksift_result { assessment }, "result_out") }
}

/// Reads the fields into a [`Click`], checking each text.
///
/// # Safety
///
/// As for `clicksift_score_fields`.
pub(crate) unsafe fn click_from_fields(
    f: &clicksift_click_fields,
    line: u64,
) -> Result<Click, Failure> {
    // SAFETY: forwarded from the caller, for every field.
    let get = |t: clicksift_text, name: &str| unsafe { optional_text(t.ptr, t.len, name) };
    let own = |t: clicksift_text, name: &str| get(t, name).map(|v| v.map(str::to_string));
    let fields = ClickFields {
        id: own(f.id, "id")?,
        kind: own(f.kind, "kind")?,
        campaign: own(f.campaign, "campaign")?,
        recipient: own(f.recipient, "recipient")?,
        link: own(f.link, "link")?,
        honeypot: f.honeypot,
        at: own(f.at, "at")?,
        sent_at: own(f.sent_at, "sent_at")?,
        delivered_at: own(f.delivered_at, "delivered_at")?,
        ip: own(f.ip, "ip")?,
        user_agent: own(f.user_agent, "user_agent")?,
        method: own(f.method, "method")?,
        url: own(f.url, "url")?,
        headers: unsafe { headers(f.headers, f.header_count, line) }?,
        reverse_dns: own(f.reverse_dns, "reverse_dns")?,
    };
    Ok(fields.validate(line)?)
}

/// Reads `count` headers at `ptr`.
///
/// # Safety
///
/// A non-NULL `ptr` must point to `count` headers whose texts are valid.
unsafe fn headers(
    ptr: *const clicksift_header,
    count: usize,
    line: u64,
) -> Result<BTreeMap<String, String>, Failure> {
    if count == 0 {
        return Ok(BTreeMap::new());
    }
    if ptr.is_null() {
        return Err(Failure::null("headers"));
    }
    // Over the library's limit: refuse before reading, whatever the count,
    // naming the line and field as the library's own check does.
    if count > clicksift::click::MAX_HEADERS {
        let message = format!(
            "{count} headers, more than {}",
            clicksift::click::MAX_HEADERS
        );
        return Err(clicksift::RecordError::new(line, Some("headers"), message).into());
    }
    // SAFETY: the caller's promise, with the count bounded above.
    let all = unsafe { std::slice::from_raw_parts(ptr, count) };
    let mut map = BTreeMap::new();
    for h in all {
        // SAFETY: the caller's promise.
        let name = unsafe { text(h.name.ptr, h.name.len, "header name") }?;
        let value = unsafe { text(h.value.ptr, h.value.len, "header value") }?;
        map.insert(name.to_string(), value.to_string());
    }
    Ok(map)
}

/// Frees a result. NULL is ignored.
///
/// Thread safety: no other thread may be using the result.
///
/// # Safety
///
/// `result` must be NULL or a result from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_result_free(result: *mut clicksift_result) {
    // SAFETY: the caller's promise.
    unsafe { free(result) }
}

/// The score, 0 to 100: how likely the request is not the recipient's
/// own.
///
/// Thread safety: reads only; any thread may read a result that no thread frees
/// meanwhile.
///
/// # Safety
///
/// `result` must be NULL or live; `score_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_result_score(
    result: *const clicksift_result,
    score_out: *mut u8,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let a = &unsafe { borrow(result, "result") }?.assessment;
        unsafe { write(score_out, a.score, "score_out") }
    })
}

/// The verdict: human, machine or uncertain.
///
/// Thread safety: as for `clicksift_result_score`.
///
/// # Safety
///
/// `result` must be NULL or live; `verdict_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_result_verdict(
    result: *const clicksift_result,
    verdict_out: *mut clicksift_verdict,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let a = &unsafe { borrow(result, "result") }?.assessment;
        unsafe { write(verdict_out, a.verdict.into(), "verdict_out") }
    })
}

/// Who made the request.
///
/// Thread safety: as for `clicksift_result_score`.
///
/// # Safety
///
/// `result` must be NULL or live; `source_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_result_source(
    result: *const clicksift_result,
    source_out: *mut clicksift_source,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let a = &unsafe { borrow(result, "result") }?.assessment;
        unsafe { write(source_out, a.source.into(), "source_out") }
    })
}

/// How many rules fired.
///
/// Thread safety: as for `clicksift_result_score`.
///
/// # Safety
///
/// `result` must be NULL or live; `count_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_result_reason_count(
    result: *const clicksift_result,
    count_out: *mut usize,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let a = &unsafe { borrow(result, "result") }?.assessment;
        unsafe { write(count_out, a.reasons.len(), "count_out") }
    })
}

/// The reason at `index`, strongest first; its views are valid while the
/// result lives. An index past the end gives
/// `CLICKSIFT_STATUS_OUT_OF_RANGE`.
///
/// Thread safety: as for `clicksift_result_score`.
///
/// # Safety
///
/// `result` must be NULL or live; `reason_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_result_reason(
    result: *const clicksift_result,
    index: usize,
    reason_out: *mut clicksift_reason,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let reasons = &unsafe { borrow(result, "result") }?.assessment.reasons;
        let r = reasons
            .get(index)
            .ok_or_else(|| Failure::out_of_range("reason", index, reasons.len()))?;
        let view = clicksift_reason {
            rule: clicksift_str::of(&r.rule),
            weight: r.weight,
            detail: clicksift_str::of(&r.detail),
        };
        unsafe { write(reason_out, view, "reason_out") }
    })
}
