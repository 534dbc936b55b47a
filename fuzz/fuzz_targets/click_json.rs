//! See [`clicksift_fuzz::click_json`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clicksift_fuzz::click_json(data));
