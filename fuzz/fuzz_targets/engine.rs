//! See [`clicksift_fuzz::engine_click`].
#![no_main]

use clicksift_fuzz::ArbitraryClick;

libfuzzer_sys::fuzz_target!(|click: ArbitraryClick| clicksift_fuzz::engine_click(&click.0));
