//! See [`clicksift_fuzz::agent`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clicksift_fuzz::agent(data));
