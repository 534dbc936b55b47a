//! See [`clicksift_fuzz::rules`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clicksift_fuzz::rules(data));
