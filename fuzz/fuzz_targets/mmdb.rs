//! See [`clicksift_fuzz::mmdb`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clicksift_fuzz::mmdb(data));
