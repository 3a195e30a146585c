//! The fuzz entry points of webauthn-harness, as plain functions.
//!
//! Each function takes arbitrary bytes and panics only when an invariant breaks; it is the whole body of
//! one cargo-fuzz target in `fuzz/fuzz_targets/` (nightly, libFuzzer) and is also called by the stable test
//! `tests/replay.rs`, which runs every file of the seed corpus (`corpus/<target>/`) and every saved crash
//! input (`fuzz/regressions/<target>/`) through it, so `cargo test` catches crash regressions without the
//! nightly toolchain.
//!
//! | target | what it checks |
//! |---|---|
//! | `cbor` | [`formats::cbor`]: strict decoding, and rebuilding a decoded value |
//! | `authenticator_data` | [`formats::authenticator_data`] |
//! | `cose_key` | [`formats::cose_key`], including the verifier's key import |
//! | `attestation_object` | [`formats::attestation_object`] |
//! | `client_data_json` | [`formats::client_data_json`], including §5.8.1.1 serialization and §5.8.1.2 |
//! | `registration` | [`ceremony::registration`]: a described, signed, mutated registration against the self-check invariant |
//! | `authentication` | [`ceremony::authentication`]: the same for an assertion |
//! | `key_description` | [`device_formats::key_description`]: the android-key KeyDescription parser |
//! | `apple_nonce` | [`device_formats::apple_nonce`]: the apple nonce extension parser |
//! | `tpm` | [`tpm::tpm`]: the TPMS_ATTEST and TPMT_PUBLIC parsers of the tpm format, exact round trip |
//! | `metadata` | [`metadata::metadata`]: FIDO MDS3 BLOB verification and payload reading, bounded counts |
//! | `jws` | [`jws::jws`]: the JWS Compact Serialization parser (exact round trip) and the android-safetynet procedure |
//! | `compound` | [`compound::compound`]: a compound attStmt (§8.9) through the whole registration verification |
//!
//! The seed corpus is written by [`corpus::generate`] (`cargo run -p webauthn-harness-fuzzing --bin
//! make-corpus`); see `corpus/README.md`.
#![forbid(unsafe_code)]

pub mod ceremony;
pub mod corpus;
pub mod device_formats;
pub mod formats;
pub mod live;
pub mod metadata;
pub mod tpm;
// issue 18: android-safetynet's JWS.
pub mod jws;
// issue 18: the compound attestation format.
pub mod compound;

pub use ceremony::{authentication, registration};
pub use formats::{attestation_object, authenticator_data, cbor, client_data_json, cose_key};

/// A fuzz entry point: arbitrary bytes in, a panic on a broken invariant.
pub type Entry = fn(&[u8]);

/// Every target: its name (the fuzz target's, and the corpus directory's) and its entry point.
pub const TARGETS: &[(&str, Entry)] = &[
    ("cbor", cbor),
    ("authenticator_data", authenticator_data),
    ("cose_key", cose_key),
    ("attestation_object", attestation_object),
    ("client_data_json", client_data_json),
    ("registration", registration),
    ("authentication", authentication),
    // issue 18: the android-key KeyDescription and the apple nonce extension.
    ("key_description", device_formats::key_description),
    ("apple_nonce", device_formats::apple_nonce),
    ("tpm", tpm::tpm),
    // issue 18: FIDO MDS3 metadata BLOBs and payloads.
    ("metadata", metadata::metadata),
    // issue 18: the JWS of android-safetynet (and the MDS3 BLOB).
    ("jws", jws::jws),
    // issue 18: compound (§8.9).
    ("compound", compound::compound),
];
