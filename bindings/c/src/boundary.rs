//! What every exported function shares: status codes, string views, the
//! panic boundary and the checks on pointers and text.

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Failure, clicksift_error};

/// The outcome of a call. The numbers are fixed: new codes are only ever
/// added at the end.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum clicksift_status {
    /// The call succeeded and wrote its outputs.
    Ok = 0,
    /// A pointer that must not be NULL was NULL.
    NullArgument = 1,
    /// A string was not valid UTF-8.
    InvalidUtf8 = 2,
    /// A click record was malformed: not JSON, a missing required field, a
    /// bad time or address, a value over a length limit.
    InvalidInput = 3,
    /// Rules or catalogues did not build; the error lists every problem.
    BuildFailed = 4,
    /// clicksift panicked; the panic was caught at the boundary. The
    /// handles passed in are still valid but their contents are unspecified.
    Panic = 5,
    /// An index was past the end of a list.
    OutOfRange = 6,
    /// A handle was used in a way its state does not allow, such as a
    /// campaign stream used with a different engine than it was made for.
    InvalidState = 7,
}

/// A view of UTF-8 text owned by clicksift: `len` bytes at `ptr`, not
/// NUL-terminated. It stays valid as long as the handle it came from.
/// An absent value is `{NULL, 0}`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct clicksift_str {
    /// First byte, or NULL for an absent value.
    pub ptr: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

impl clicksift_str {
    pub(crate) fn of(text: &str) -> clicksift_str {
        clicksift_str {
            ptr: text.as_ptr().cast(),
            len: text.len(),
        }
    }

    pub(crate) fn absent() -> clicksift_str {
        clicksift_str {
            ptr: std::ptr::null(),
            len: 0,
        }
    }

    pub(crate) fn of_option(text: Option<&str>) -> clicksift_str {
        text.map_or_else(clicksift_str::absent, clicksift_str::of)
    }
}

/// Runs `body` inside the panic boundary. On failure the status is
/// returned and, when `error_out` is not NULL, a detailed error is stored
/// there; on success `*error_out` is set to NULL.
pub(crate) fn run(
    error_out: *mut *mut clicksift_error,
    body: impl FnOnce() -> Result<(), Failure>,
) -> clicksift_status {
    if !error_out.is_null() {
        // SAFETY: the caller promises that a non-NULL error_out points to
        // writable storage for one pointer.
        unsafe { *error_out = std::ptr::null_mut() };
    }
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return clicksift_status::Ok,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(
            clicksift_status::Panic,
            "clicksift panicked; please report it",
        ),
    };
    let status = failure.status();
    if !error_out.is_null() {
        // SAFETY: as above.
        unsafe { *error_out = Box::into_raw(Box::new(clicksift_error::from(failure))) };
    }
    status
}

/// Longest string accepted from C: Rust slices cannot be longer.
const MAX_TEXT_LEN: usize = isize::MAX as usize;

/// Reads `len` bytes at `ptr` as UTF-8; NULL is `None` when `len` is 0.
///
/// # Safety
///
/// A non-NULL `ptr` must point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return match len {
            0 => Ok(None),
            _ => Err(Failure::null(what)),
        };
    }
    if len > MAX_TEXT_LEN {
        return Err(Failure::new(
            clicksift_status::InvalidInput,
            format!("{what}: length {len} is too large"),
        ));
    }
    // SAFETY: checked non-NULL; length and lifetime are the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map(Some).map_err(|e| {
        Failure::new(
            clicksift_status::InvalidUtf8,
            format!("{what}: not UTF-8: {e}"),
        )
    })
}

/// Reads required text: NULL is an error even with a length of 0.
///
/// # Safety
///
/// As for [`optional_text`].
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: forwarded from the caller.
    unsafe { optional_text(ptr, len, what) }.map(Option::unwrap_or_default)
}

/// Borrows a handle, or fails naming the argument.
///
/// # Safety
///
/// A non-NULL `ptr` must point to a live `T` that is not mutated for `'a`.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller's promise.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(what))
}

/// Borrows a handle mutably, or fails naming the argument.
///
/// # Safety
///
/// A non-NULL `ptr` must point to a live `T` not otherwise used for `'a`.
pub(crate) unsafe fn borrow_mut<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: the caller's promise.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(what))
}

/// Writes an output, or fails naming the argument.
///
/// # Safety
///
/// A non-NULL `out` must point to writable storage for a `T`.
pub(crate) unsafe fn write<T>(out: *mut T, value: T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: checked non-NULL; writability is the caller's promise.
    unsafe { out.write(value) };
    Ok(())
}

/// Checks that an output pointer is not NULL before any work is done.
pub(crate) fn check_out<T>(out: *mut T, what: &str) -> Result<(), Failure> {
    match out.is_null() {
        true => Err(Failure::null(what)),
        false => Ok(()),
    }
}

/// Moves a value into a new handle and stores it in `out`.
///
/// # Safety
///
/// As for [`write`].
pub(crate) unsafe fn hand_out<T>(out: *mut *mut T, value: T, what: &str) -> Result<(), Failure> {
    check_out(out, what)?;
    // SAFETY: forwarded from the caller.
    unsafe { write(out, Box::into_raw(Box::new(value)), what) }
}

/// Frees a handle made by [`hand_out`]; NULL is ignored. A panic in a
/// destructor is caught and the handle is leaked rather than unwinding
/// into C.
///
/// # Safety
///
/// A non-NULL `ptr` must come from [`hand_out`] and not have been freed.
pub(crate) unsafe fn free<T>(ptr: *mut T) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: the caller's promise.
    let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(ptr) })));
}
