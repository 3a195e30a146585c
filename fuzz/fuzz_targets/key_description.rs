//! `key_description`: see `fuzzing::device_formats::key_description` (harness/fuzzing) for the invariants; the replay test runs the same function.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::device_formats::key_description(data));
