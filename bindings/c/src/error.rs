//! The detailed error object: what failed, where, and every problem found.

use clicksift::{BuildError, RecordError};

use crate::boundary::{borrow, clicksift_status, clicksift_str, free, run, write};

/// A failure inside the crate, before it is handed to C.
#[derive(Debug)]
pub(crate) struct Failure {
    status: clicksift_status,
    message: String,
    diagnostics: Vec<Diagnostic>,
    line: u64,
    field: Option<String>,
}

#[derive(Debug)]
struct Diagnostic {
    file: String,
    line: usize,
    column: usize,
    message: String,
}

impl Failure {
    pub(crate) fn new(status: clicksift_status, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
            diagnostics: Vec::new(),
            line: 0,
            field: None,
        }
    }

    pub(crate) fn null(what: &str) -> Failure {
        Failure::new(clicksift_status::NullArgument, format!("{what} is NULL"))
    }

    pub(crate) fn out_of_range(what: &str, index: usize, count: usize) -> Failure {
        let message = format!("{what} {index} is out of range; there are {count}");
        Failure::new(clicksift_status::OutOfRange, message)
    }

    pub(crate) fn status(&self) -> clicksift_status {
        self.status
    }
}

impl From<BuildError> for Failure {
    fn from(e: BuildError) -> Failure {
        let mut failure = Failure::new(clicksift_status::BuildFailed, e.to_string());
        failure.diagnostics = e
            .diagnostics()
            .iter()
            .map(|d| Diagnostic {
                file: d.file().to_string(),
                line: d.line(),
                column: d.column(),
                message: d.message().to_string(),
            })
            .collect();
        failure
    }
}

impl From<RecordError> for Failure {
    fn from(e: RecordError) -> Failure {
        let mut failure = Failure::new(clicksift_status::InvalidInput, e.to_string());
        failure.line = e.line();
        failure.field = e.field().map(str::to_string);
        failure
    }
}

/// A detailed error: its status, a message, and for rules that did not
/// build every problem with its file, line and column; for a malformed
/// click the line and field at fault. Owned by the caller; free it with
/// `clicksift_error_free`. Not safe to use from two threads at once.
#[derive(Debug)]
pub struct clicksift_error {
    failure: Failure,
}

impl From<Failure> for clicksift_error {
    fn from(failure: Failure) -> clicksift_error {
        clicksift_error { failure }
    }
}

/// One problem in rules or catalogues.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct clicksift_diagnostic {
    /// The file (or the name given with the rule text) the problem is in.
    pub file: clicksift_str,
    /// 1-based line, or 0 when the problem is with the file as a whole.
    pub line: usize,
    /// 1-based column in characters, or 0 with line 0.
    pub column: usize,
    /// What is wrong.
    pub message: clicksift_str,
}

/// Frees an error. NULL is ignored.
///
/// Thread safety: no other thread may be using the error.
///
/// # Safety
///
/// `error` must be NULL or an error from this library not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_error_free(error: *mut clicksift_error) {
    // SAFETY: the caller's promise.
    unsafe { free(error) }
}

/// The status the failed call returned.
///
/// Thread safety: reads only; any thread may read an error that no thread frees
/// meanwhile.
///
/// # Safety
///
/// `error` must be NULL or a live error; `status_out` must be NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_error_status(
    error: *const clicksift_error,
    status_out: *mut clicksift_status,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let error = unsafe { borrow(error, "error") }?;
        unsafe { write(status_out, error.failure.status, "status_out") }
    })
}

/// The whole message: for rules, every diagnostic on its own line as
/// `file:line:column: message`; for a click, `line N: field `f`: why`.
/// The view is valid while the error lives.
///
/// Thread safety: as for `clicksift_error_status`.
///
/// # Safety
///
/// `error` must be NULL or a live error; `message_out` must be NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_error_message(
    error: *const clicksift_error,
    message_out: *mut clicksift_str,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let error = unsafe { borrow(error, "error") }?;
        let message = clicksift_str::of(&error.failure.message);
        unsafe { write(message_out, message, "message_out") }
    })
}

/// How many diagnostics the error carries (0 unless the status is
/// `CLICKSIFT_STATUS_BUILD_FAILED`).
///
/// Thread safety: as for `clicksift_error_status`.
///
/// # Safety
///
/// `error` must be NULL or a live error; `count_out` must be NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_error_diagnostic_count(
    error: *const clicksift_error,
    count_out: *mut usize,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let error = unsafe { borrow(error, "error") }?;
        unsafe { write(count_out, error.failure.diagnostics.len(), "count_out") }
    })
}

/// The diagnostic at `index`; its views are valid while the error lives.
///
/// Thread safety: as for `clicksift_error_status`.
///
/// # Safety
///
/// `error` must be NULL or a live error; `diagnostic_out` must be NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_error_diagnostic(
    error: *const clicksift_error,
    index: usize,
    diagnostic_out: *mut clicksift_diagnostic,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let error = unsafe { borrow(error, "error") }?;
        let all = &error.failure.diagnostics;
        let d = all
            .get(index)
            .ok_or_else(|| Failure::out_of_range("diagnostic", index, all.len()))?;
        let view = clicksift_diagnostic {
            file: clicksift_str::of(&d.file),
            line: d.line,
            column: d.column,
            message: clicksift_str::of(&d.message),
        };
        unsafe { write(diagnostic_out, view, "diagnostic_out") }
    })
}

/// For a malformed click: the line number given with it (0 for other
/// errors), and the field at fault (`{NULL, 0}` when none is).
///
/// Thread safety: as for `clicksift_error_status`.
///
/// # Safety
///
/// `error` must be NULL or a live error; `line_out` and `field_out` must
/// be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clicksift_error_record(
    error: *const clicksift_error,
    line_out: *mut u64,
    field_out: *mut clicksift_str,
) -> clicksift_status {
    run(std::ptr::null_mut(), || {
        // SAFETY: the caller's promise.
        let error = unsafe { borrow(error, "error") }?;
        crate::boundary::check_out(field_out, "field_out")?;
        unsafe { write(line_out, error.failure.line, "line_out") }?;
        let field = clicksift_str::of_option(error.failure.field.as_deref());
        unsafe { write(field_out, field, "field_out") }
    })
}
