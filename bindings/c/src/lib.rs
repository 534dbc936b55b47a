//! The C ABI of clicksift.
//!
//! Every exported function checks its pointers for NULL, reads strings as
//! a pointer and a length and checks them for UTF-8, and runs inside a
//! panic boundary, so that no input can crash the caller. The conventions
//! are written once at the top of `include/clicksift.h` and each function
//! documents its thread safety: an engine may be shared by any number of
//! threads; a cache, a result, an error or a campaign belongs to one
//! thread at a time.
//!
//! The header is generated from this crate by cbindgen; the `header` test
//! fails when the committed header differs from what cbindgen generates.
#![deny(missing_docs)]
#![allow(non_camel_case_types)]

mod boundary;
mod campaign;
mod error;
mod handles;
mod names;
mod score;

pub use boundary::{clicksift_status, clicksift_str};
pub use campaign::*;
pub use error::*;
pub use handles::*;
pub use names::*;
pub use score::*;
