//! `compound`: see `fuzzing::compound` (harness/fuzzing) for the invariants; the replay test runs the same function.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::compound::compound(data));
