//! Engines and caches.

use std::ffi::c_char;

use clicksift::{Cache, Engine};

use crate::boundary::{clicksift_status, free, hand_out, optional_text, run};
use crate::error::clicksift_error;

/// The name rule text passed to `clicksift_engine_new` has in diagnostics.
const RULES_NAME: &str = "rules";

/// A built scoring engine: rules, thresholds and catalogues. Immutable
/// once built; one engine may be used by any number of threads at once,
/// each with its own `clicksift_cache`.
pub struct clicksift_engine {
    pub(crate) engine: Engine,
}

/// Per-thread scratch space that remembers user-agent and address lookups
/// across calls. Use a cache from one thread at a time; it may move
/// between threads between calls, and may be used with any engine.
pub struct clicksift_cache {
    pub(crate) cache: Cache,
}

/// Builds an engine with the built-in rules and catalogues.
///
/// Returns `CLICKSIFT_STATUS_BUILD_FAILED` only if the bundled data is
/// broken. Thread safety: may be called from any thread.
///
/// # Safety
///
/// `engine_out` must be NULL or writable; `error_out` must be NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_engine_new_default(
    engine_out: *mut *mut clicksift_engine,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        crate::boundary::check_out(engine_out, "engine_out")?;
        let engine = Engine::with_defaults()?;
        // SAFETY: the caller's promise.
        unsafe { hand_out(engine_out, clicksift_engine { engine }, "engine_out") }
    })
}

/// Builds an engine from rule text in clicksift's TOML rule format
/// (`len` bytes at `rules`, named `rules` in diagnostics), added after the
/// built-in rules when `default_rules` is true or used alone otherwise.
///
/// `rules` may be NULL with `len` 0 for no extra rules. On
/// `CLICKSIFT_STATUS_BUILD_FAILED` the error lists every problem with its
/// line and column. Thread safety: may be called from any thread.
///
/// # Safety
///
/// `rules` must be NULL or point to `len` readable bytes; `engine_out`
/// and `error_out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_engine_new(
    rules: *const c_char,
    len: usize,
    default_rules: bool,
    engine_out: *mut *mut clicksift_engine,
    error_out: *mut *mut clicksift_error,
) -> clicksift_status {
    run(error_out, || {
        crate::boundary::check_out(engine_out, "engine_out")?;
        // SAFETY: the caller's promise.
        let text = unsafe { optional_text(rules, len, "rules") }?;
        let mut builder = Engine::builder().default_rules(default_rules);
        if let Some(text) = text {
            builder = builder.rules(RULES_NAME, text);
        }
        let engine = builder.build()?;
        unsafe { hand_out(engine_out, clicksift_engine { engine }, "engine_out") }
    })
}

/// Frees an engine. NULL is ignored. No other thread may be using it.
///
/// # Safety
///
/// `engine` must be NULL or an engine from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_engine_free(engine: *mut clicksift_engine) {
    // SAFETY: the caller's promise.
    unsafe { free(engine) }
}

/// Makes an empty cache. Thread safety: may be called from any thread.
///
/// # Safety
///
/// `cache_out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_cache_new(
    cache_out: *mut *mut clicksift_cache,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        let cache = clicksift_cache {
            cache: Cache::new(),
        };
        // SAFETY: the caller's promise.
        unsafe { hand_out(cache_out, cache, "cache_out") }
    })
}

/// Frees a cache. NULL is ignored.
///
/// Thread safety: no other thread may be using the cache.
///
/// # Safety
///
/// `cache` must be NULL or a cache from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_cache_free(cache: *mut clicksift_cache) {
    // SAFETY: the caller's promise.
    unsafe { free(cache) }
}
