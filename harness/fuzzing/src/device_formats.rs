//! Fuzz entry points for the certificate extensions of the `android-key` (§8.4) and `apple` (§8.8) formats.

use generator::device_pki;
use verifier::attestation::apple::parse_nonce_extension;
use verifier::attestation::key_description::{build, AuthorizationList, KeyDescription};

/// `key_description`: [`KeyDescription::parse`] never panics, and what it reads re-encodes (with
/// [`build::key_description`]: the fields §8.4 reads, tags in order, nothing skipped) to DER that parses back
/// to the same fields.
pub fn key_description(data: &[u8]) {
    let Ok(kd) = KeyDescription::parse(data) else { return };
    let unskipped = |l: &AuthorizationList| AuthorizationList { skipped: 0, ..l.clone() };
    let expected = KeyDescription {
        software_enforced: unskipped(&kd.software_enforced),
        tee_enforced: unskipped(&kd.tee_enforced),
        ..kd.clone()
    };
    let der = build::key_description(&kd);
    match KeyDescription::parse(&der) {
        Ok(again) => assert_eq!(again, expected, "re-encoded KeyDescription reads differently"),
        Err(e) => panic!("re-encoded KeyDescription does not parse: {e}"),
    }
}

/// `apple_nonce`: [`parse_nonce_extension`] never panics, and accepts exactly the one DER encoding of
/// `SEQUENCE { [1] EXPLICIT OCTET STRING }` with 32 bytes: what it accepts is what the generator writes for
/// that nonce, byte for byte.
pub fn apple_nonce(data: &[u8]) {
    if let Ok(nonce) = parse_nonce_extension(data) {
        assert_eq!(
            device_pki::apple_nonce_extension(&nonce),
            data,
            "a second encoding of the nonce was accepted"
        );
    }
}
