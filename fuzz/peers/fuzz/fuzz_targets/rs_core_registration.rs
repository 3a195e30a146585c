//! `rs_core_registration`: see `peerdiff::rs_core_registration` (fuzz/peers/src/lib.rs); the replay test runs the same function.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerdiff::rs_core_registration(data));
