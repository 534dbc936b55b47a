//! See [`clicksift_fuzz::campaign`].
#![no_main]

use clicksift_fuzz::Campaign;

libfuzzer_sys::fuzz_target!(|campaign: Campaign| clicksift_fuzz::campaign(&campaign));
