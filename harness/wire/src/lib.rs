//! The WebAuthn wire formats, parsed strictly and built exactly.
//!
//! Formats only: no policy, no I/O. Every parser returns a typed error that says what was wrong and where,
//! and every parser has a builder, so tests and the generator construct the same structures they parse.
//!
//! | module | format | spec |
//! |---|---|---|
//! | [`cbor`] | CBOR with limits and canonical-form reporting | RFC 8949, WebAuthn §2.4, CTAP2 §8 |
//! | [`attestation_object`] | the attestation object map (`fmt`, `attStmt`, `authData`) | §6.5.4 |
//! | [`client_data`] | `CollectedClientData` / clientDataJSON: parse, serialize, limited verification | §5.8.1 |
//! | [`authdata`] | authenticator data and attested credential data | §6.1, §6.5.1 |
//! | [`base64url`] | unpadded base64url, strict and lenient | RFC 4648 §5 |
//! | [`conformance`] | the FIDO2 server conformance API messages | FIDO conformance test API |
//! | [`json`] | the WebAuthn JSON serialization (responses, options) | §5.1, §5.4, §5.5 |
//! | [`cose`] | COSE_Key credential public keys (EC2, OKP, RSA) | §6.5.1, §5.8.5, RFC 9052 §7, RFC 9053, RFC 8230 |
//! | [`der`] | DER tag-length-values: a bounded reader and the writers (certificate extensions of apple and android-key) | X.690 §8, §10 |
//! | [`tpm`] | TPMS_ATTEST (`certInfo`) and TPMT_PUBLIC (`pubArea`) of the tpm format | §8.3, TPM 2.0 Part 2 |
//! | [`jws`] | JWS Compact Serialization (the android-safetynet `response`, the MDS3 BLOB) | RFC 7515, RFC 7518 §3 |
#![forbid(unsafe_code)]

pub mod attestation_object;
pub mod authdata;
pub mod base64url;
pub mod cbor;
pub mod client_data;
pub mod conformance;
pub mod cose;
pub mod der;
pub mod json;
pub mod jws;
pub mod tpm;
