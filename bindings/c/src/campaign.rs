//! Campaign heuristics from C: a batch judged as a whole log, and a stream
//! judged as events arrive in time order.

use std::ffi::c_char;

use clicksift::Click;
use clicksift::campaign::{Judged, Stream, assess_log};

use crate::boundary::{
    borrow, borrow_mut, check_out, clicksift_status, clicksift_str, free, hand_out, run, text,
    write,
};
use crate::error::{Failure, clicksift_error};
use crate::handles::{clicksift_cache, clicksift_engine};
use crate::score::{click_from_fields, clicksift_click_fields, clicksift_result};

/// A whole click log, judged at once with the campaign heuristics: add
/// clicks, call `clicksift_batch_assess`, then read one result per click
/// in the order they were added. Not safe to use from two threads at once.
pub struct clicksift_batch {
    clicks: Vec<Click>,
    results: Vec<clicksift_result>,
}

/// The campaign heuristics over events that arrive in time order. Push
/// events, then collect the judgements that are ready. Use it with the
/// engine it was made with; not safe to use from two threads at once.
pub struct clicksift_stream {
    stream: Stream,
    engine: usize,
}

/// Judgements a stream returned, in time order. Free with
/// `clicksift_judged_free`. Not safe to use from two threads at once.
pub struct clicksift_judged {
    judged: Vec<(u64, Option<String>, clicksift_result)>,
}

/// Makes an empty batch. Thread safety: may be called from any thread.
///
/// # Safety
///
/// `batch_out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_new(
    batch_out: *mut *mut clicksift_batch,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        let batch = clicksift_batch {
            clicks: Vec::new(),
            results: Vec::new(),
        };
        // SAFETY: the caller's promise.
        unsafe { hand_out(batch_out, batch, "batch_out") }
    })
}

/// Frees a batch and every result in it. NULL is ignored. Thread safety:
/// no other thread may be using it.
///
/// # Safety
///
/// `batch` must be NULL or a batch from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_free(batch: *mut clicksift_batch) {
    // SAFETY: the caller's promise.
    unsafe { free(batch) }
}

/// Adds a click given as JSON (`len` bytes at `json`); `line` is used in
/// errors and as the default id. A malformed click gives
/// `CLICKSIFT_STATUS_INVALID_INPUT` and is not added; the batch stays
/// usable. Adding a click discards the results of an earlier assessment.
///
/// Thread safety: no other thread may be using the batch meanwhile.
///
/// # Safety
///
/// `batch` must be NULL or live; `json` NULL or `len` readable bytes;
/// `error_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_add_json(
    batch: *mut clicksift_batch,
    json: *const c_char,
    len: usize,
    line: u64,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        // SAFETY: the caller's promise.
        let batch = unsafe { borrow_mut(batch, "batch") }?;
        let json = unsafe { text(json, len, "json") }?;
        batch.add(Click::from_json(json, line)?);
        Ok(())
    })
}

/// Adds a click given as fields, as `clicksift_batch_add_json` does.
///
/// Thread safety: as for `clicksift_batch_add_json`.
///
/// # Safety
///
/// As for `clicksift_score_fields`, with `batch` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_add_fields(
    batch: *mut clicksift_batch,
    fields: *const clicksift_click_fields,
    line: u64,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        // SAFETY: the caller's promise.
        let batch = unsafe { borrow_mut(batch, "batch") }?;
        let fields = unsafe { borrow(fields, "fields") }?;
        batch.add(unsafe { click_from_fields(fields, line) }?);
        Ok(())
    })
}

impl clicksift_batch {
    fn add(&mut self, click: Click) {
        self.results.clear();
        self.clicks.push(click);
    }
}

/// Judges every click of the batch with the campaign heuristics. The
/// judgements do not depend on the order the clicks were added in.
/// Thread safety: the engine may be shared; the batch and the cache must
/// not be used by another thread meanwhile.
///
/// # Safety
///
/// Handles must be NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_assess(
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    batch: *mut clicksift_batch,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let engine = unsafe { borrow(engine, "engine") }?;
        let cache = unsafe { borrow_mut(cache, "cache") }?;
        let batch = unsafe { borrow_mut(batch, "batch") }?;
        let assessments = assess_log(&engine.engine, &batch.clicks, &mut cache.cache);
        batch.results = assessments
            .into_iter()
            .map(|assessment| clicksift_result { assessment })
            .collect();
        Ok(())
    })
}

/// How many clicks the batch holds.
///
/// Thread safety: reads only; no thread may change the batch meanwhile.
///
/// # Safety
///
/// `batch` must be NULL or live; `count_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_count(
    batch: *const clicksift_batch,
    count_out: *mut usize,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let batch = unsafe { borrow(batch, "batch") }?;
        unsafe { write(count_out, batch.clicks.len(), "count_out") }
    })
}

/// The result of the click added at `index` (from 0), owned by the batch:
/// read it with the `clicksift_result_` functions, do not free it. It
/// stays valid until the batch is freed or a click is added. Before
/// `clicksift_batch_assess` every index gives
/// `CLICKSIFT_STATUS_INVALID_STATE`.
///
/// Thread safety: as for `clicksift_batch_count`.
///
/// # Safety
///
/// `batch` must be NULL or live; `result_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_batch_result(
    batch: *const clicksift_batch,
    index: usize,
    result_out: *mut *const clicksift_result,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let batch = unsafe { borrow(batch, "batch") }?;
        if batch.results.len() != batch.clicks.len() {
            let message = "the batch has not been assessed since its last click was added";
            return Err(Failure::new(clicksift_status::InvalidState, message));
        }
        let result = batch
            .results
            .get(index)
            .ok_or_else(|| Failure::out_of_range("click", index, batch.results.len()))?;
        unsafe { write(result_out, std::ptr::from_ref(result), "result_out") }
    })
}

/// Makes a stream with the engine's campaign settings. The stream must be
/// used with this same engine. Thread safety: may be called from any
/// thread.
///
/// # Safety
///
/// `engine` must be NULL or live; `stream_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_stream_new(
    engine: *const clicksift_engine,
    stream_out: *mut *mut clicksift_stream,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let handle = unsafe { borrow(engine, "engine") }?;
        check_out(stream_out, "stream_out")?;
        let stream = clicksift_stream {
            stream: Stream::new(&handle.engine),
            engine: engine as usize,
        };
        unsafe { hand_out(stream_out, stream, "stream_out") }
    })
}

/// Frees a stream and the events it still holds. NULL is ignored. Thread
/// safety: no other thread may be using it.
///
/// # Safety
///
/// `stream` must be NULL or a stream from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_stream_free(stream: *mut clicksift_stream) {
    // SAFETY: the caller's promise.
    unsafe { free(stream) }
}

/// Pushes the next event, given as JSON, and writes its sequence number
/// (from 0) to `seq_out`, which may be NULL. Events must come in time
/// order: an older one gives `CLICKSIFT_STATUS_INVALID_INPUT` naming the
/// `at` field, as does a malformed record; neither is taken.
///
/// Thread safety: no other thread may be using the stream meanwhile.
///
/// # Safety
///
/// `stream` must be NULL or live; `json` NULL or `len` readable bytes;
/// `seq_out` and `error_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_stream_push_json(
    stream: *mut clicksift_stream,
    json: *const c_char,
    len: usize,
    line: u64,
    seq_out: *mut u64,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        // SAFETY: the caller's promise.
        let stream = unsafe { borrow_mut(stream, "stream") }?;
        let json = unsafe { text(json, len, "json") }?;
        let seq = push(stream, Click::from_json(json, line)?, line)?;
        unsafe { write_if(seq_out, seq) };
        Ok(())
    })
}

/// Pushes the next event, given as fields, as
/// `clicksift_stream_push_json` does.
///
/// Thread safety: as for `clicksift_stream_push_json`.
///
/// # Safety
///
/// As for `clicksift_score_fields`, with `stream` NULL or live and
/// `seq_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_stream_push_fields(
    stream: *mut clicksift_stream,
    fields: *const clicksift_click_fields,
    line: u64,
    seq_out: *mut u64,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        // SAFETY: the caller's promise.
        let stream = unsafe { borrow_mut(stream, "stream") }?;
        let fields = unsafe { borrow(fields, "fields") }?;
        let seq = push(stream, unsafe { click_from_fields(fields, line) }?, line)?;
        unsafe { write_if(seq_out, seq) };
        Ok(())
    })
}

fn push(stream: &mut clicksift_stream, click: Click, line: u64) -> Result<u64, Failure> {
    stream
        .stream
        .push(click)
        .map_err(|e| clicksift::RecordError::new(line, Some("at"), e.to_string()).into())
}

/// Writes an optional output.
///
/// # Safety
///
/// `out` must be NULL or writable.
unsafe fn write_if<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: the caller's promise.
        unsafe { out.write(value) };
    }
}

/// Collects the judgements no later event can change into a new list
/// (possibly empty). Reports are not judged. Thread safety: the engine
/// may be shared; the stream and the cache must not be used by another
/// thread meanwhile.
///
/// Using an engine other than the stream's gives
/// `CLICKSIFT_STATUS_INVALID_STATE`.
///
/// # Safety
///
/// Handles must be NULL or live; `judged_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_stream_ready(
    stream: *mut clicksift_stream,
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    judged_out: *mut *mut clicksift_judged,
) -> clicksift_status {
    // SAFETY: forwarded from the caller.
    run(std::ptr::null_mut(), || unsafe {
        drain(stream, engine, cache, judged_out, Stream::ready)
    })
}

/// Collects every remaining judgement, at the end of the stream, as
/// `clicksift_stream_ready` does.
///
/// # Safety
///
/// As for `clicksift_stream_ready`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_stream_finish(
    stream: *mut clicksift_stream,
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    judged_out: *mut *mut clicksift_judged,
) -> clicksift_status {
    // SAFETY: forwarded from the caller.
    run(std::ptr::null_mut(), || unsafe {
        drain(stream, engine, cache, judged_out, Stream::finish)
    })
}

type Step = fn(&mut Stream, &clicksift::Engine, &mut clicksift::Cache) -> Vec<Judged>;

/// Runs `step` and hands out its judgements.
///
/// # Safety
///
/// As for `clicksift_stream_ready`.
unsafe fn drain(
    stream: *mut clicksift_stream,
    engine: *const clicksift_engine,
    cache: *mut clicksift_cache,
    judged_out: *mut *mut clicksift_judged,
    step: Step,
) -> Result<(), Failure> {
    // SAFETY: forwarded from the caller.
    let stream = unsafe { borrow_mut(stream, "stream") }?;
    let handle = unsafe { borrow(engine, "engine") }?;
    let cache = unsafe { borrow_mut(cache, "cache") }?;
    check_out(judged_out, "judged_out")?;
    if stream.engine != engine as usize {
        let message = "the stream was made with a different engine";
        return Err(Failure::new(clicksift_status::InvalidState, message));
    }
    let judged = step(&mut stream.stream, &handle.engine, &mut cache.cache)
        .into_iter()
        .map(|j| {
            (
                j.seq,
                j.click.id,
                clicksift_result {
                    assessment: j.assessment,
                },
            )
        })
        .collect();
    unsafe { hand_out(judged_out, clicksift_judged { judged }, "judged_out") }
}

/// Frees a list of judgements. NULL is ignored. Thread safety: no other
/// thread may be using it.
///
/// # Safety
///
/// `judged` must be NULL or a list from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_judged_free(judged: *mut clicksift_judged) {
    // SAFETY: the caller's promise.
    unsafe { free(judged) }
}

/// How many judgements the list holds.
///
/// Thread safety: reads only; no thread may free the list meanwhile.
///
/// # Safety
///
/// `judged` must be NULL or live; `count_out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_judged_count(
    judged: *const clicksift_judged,
    count_out: *mut usize,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let judged = unsafe { borrow(judged, "judged") }?;
        unsafe { write(count_out, judged.judged.len(), "count_out") }
    })
}

/// The judgement at `index`: the event's sequence number from the push,
/// its `id` (`{NULL, 0}` when it had none), and its result, owned by the
/// list (read it, do not free it). Valid while the list lives. Any output
/// may be NULL to skip it.
///
/// Thread safety: as for `clicksift_judged_count`.
///
/// # Safety
///
/// `judged` must be NULL or live; each output NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_judged_at(
    judged: *const clicksift_judged,
    index: usize,
    seq_out: *mut u64,
    id_out: *mut clicksift_str,
    result_out: *mut *const clicksift_result,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let all = &unsafe { borrow(judged, "judged") }?.judged;
        let (seq, id, result) = all
            .get(index)
            .ok_or_else(|| Failure::out_of_range("judgement", index, all.len()))?;
        unsafe { write_if(seq_out, *seq) };
        unsafe { write_if(id_out, clicksift_str::of_option(id.as_deref())) };
        unsafe { write_if(result_out, std::ptr::from_ref(result)) };
        Ok(())
    })
}
