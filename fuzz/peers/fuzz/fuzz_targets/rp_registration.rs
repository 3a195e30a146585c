//! `rp_registration`: see `peerdiff::rp_registration` (fuzz/peers/src/lib.rs); the replay test runs the same function.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerdiff::rp_registration(data));
