//! See [`clicksift_fuzz::input`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clicksift_fuzz::input(data));
