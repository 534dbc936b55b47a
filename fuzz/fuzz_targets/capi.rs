//! See `src/capi.rs`: the C ABI driven as a C caller drives it.
#![no_main]

use clicksift_fuzz as fuzz;

#[path = "../src/capi.rs"]
mod capi;

libfuzzer_sys::fuzz_target!(|session: capi::Session| capi::session(&session));
