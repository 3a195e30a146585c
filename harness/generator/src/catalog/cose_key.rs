//! The credential public key: COSE_Key structure, key type against alg, points on the curve, alg among those
//! offered (§5.8.5, §6.5.1; §7.1 step 20). Registration only: §7.2 uses the key stored at registration, so an
//! assertion never carries one.
//!
//! Every case registers with `none` attestation, so nothing signs the key: what the RP does with it is its
//! own checking alone.

use wire::cbor::{self, Value};
use wire::cose::{alg, kty, label};

use super::mutate::{
    cose_value, edit_cose, first_not_offered, fixed_bytes, other_key, p521_cose, remove_label, rsa_cose,
    rsa_cose_of_size, set_credential_key, set_label,
};
use super::{reg_pre, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, Setup};
use crate::keys::Algorithm;

const ES256: Setup = Setup::DEFAULT;
const ES384: Setup = Setup { alg: Algorithm::Es384, ..Setup::DEFAULT };
const RS256: Setup = Setup { alg: Algorithm::Rs256, ..Setup::DEFAULT };
const EDDSA: Setup = Setup { alg: Algorithm::EdDsa, ..Setup::DEFAULT };
const ES512: Setup = Setup { alg: Algorithm::Es512, ..Setup::DEFAULT };
const PS256: Setup = Setup { alg: Algorithm::Ps256, ..Setup::DEFAULT };

/// RSAES-OAEP with SHA-512 (IANA COSE Algorithms, RFC 8230 §3): an RSA algorithm that does not sign, which
/// no RP offers in pubKeyCredParams.
const RSAES_OAEP_SHA512: i64 = -42;

const MALFORMED: Option<CheckId> = Some(CheckId::RegCredentialPublicKeyMalformed);
const INVALID: Option<CheckId> = Some(CheckId::RegCredentialPublicKeyInvalid);
const NOT_OFFERED: Option<CheckId> = Some(CheckId::RegAlgorithmNotAllowed);

// ---- what the credential public key must be (§6.5.1, §5.8.5): rules on what the authenticator produces ----
//
// Step 20 reads only the key's alg, and with `none` attestation nothing else in §7.1 looks at the key, so a key
// whose alg was offered but which breaks one of these rules passes every step of the RP's procedure: these
// are `data` rules (a key without a usable alg fails step 20 itself, the check's own basis).

/// §6.5.1: the key is a COSE_Key (RFC 9052 §7: a map with kty), with the parameters its kty and alg require.
const COSE_KEY_PARAMETERS: Option<Basis> = Some(Basis::data(
    "§6.5.1",
    "The credential public key encoded in COSE_Key format, as defined in Section 7 of , using the CTAP2 \
     canonical CBOR encoding form. The encoded credential public key MUST also contain any additional REQUIRED \
     parameters stipulated by the relevant key type specification, i.e., REQUIRED for the key type \"kty\" and \
     algorithm \"alg\" (see Section 2 of ).",
));

/// §6.5.1: alg and no other optional parameter.
const NO_OPTIONAL_PARAMETERS: Option<Basis> = Some(Basis::data(
    "§6.5.1",
    "The COSE_Key-encoded credential public key MUST contain the \"alg\" parameter and MUST NOT contain any \
     other OPTIONAL parameters.",
));

/// §5.8.5: an ES256 key is an uncompressed P-256 point.
const ES256_KEY: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -7 (ES256) MUST specify 1 (P-256) as the crv parameter and MUST NOT use the \
     compressed point form.",
));

/// §5.8.5: an ES384 key is an uncompressed P-384 point.
const ES384_KEY: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -35 (ES384) MUST specify 2 (P-384) as the crv parameter and MUST NOT use the \
     compressed point form.",
));

/// §5.8.5: an EdDSA key is on Ed25519.
const EDDSA_KEY: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -8 (EdDSA) MUST specify 6 (Ed25519) as the crv parameter.",
));

/// §5.8.5 and its note: an ES256 key is a P-256 point, which an implementation checks is on the curve (the
/// note's "should" is no requirement keyword; the MUST is the key's).
const ES256_ON_CURVE: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -7 (ES256) MUST specify 1 (P-256) as the crv parameter and MUST NOT use the \
     compressed point form. Note: There are many checks neccessary to correctly implement signature \
     verification using these algorithms. One of these is that, when processing uncompressed elliptic-curve \
     points, implementations should check that the point is actually on the curve.",
));

/// As [`ES256_ON_CURVE`], for P-384.
const ES384_ON_CURVE: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -35 (ES384) MUST specify 2 (P-384) as the crv parameter and MUST NOT use the \
     compressed point form. Note: There are many checks neccessary to correctly implement signature \
     verification using these algorithms. One of these is that, when processing uncompressed elliptic-curve \
     points, implementations should check that the point is actually on the curve.",
));

/// §5.8.5: an ES512 key is an uncompressed P-521 point.
const ES512_KEY: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -36 (ES512) MUST specify 3 (P-521) as the crv parameter and MUST NOT use the \
     compressed point form.",
));

/// As [`ES256_ON_CURVE`], for P-521.
const ES512_ON_CURVE: Option<Basis> = Some(Basis::data(
    "§5.8.5",
    "Keys with algorithm -36 (ES512) MUST specify 3 (P-521) as the crv parameter and MUST NOT use the \
     compressed point form. Note: There are many checks neccessary to correctly implement signature \
     verification using these algorithms. One of these is that, when processing uncompressed elliptic-curve \
     points, implementations should check that the point is actually on the curve.",
));

/// A key whose alg is none of those the RP offered in pubKeyCredParams (step 20).
const ALG_NOT_OFFERED: Case = Case {
    spec: "§7.1 step 20",
    flags: &[Flag::AlgorithmUnchecked],
    check: NOT_OFFERED,
    ..Case::must_reject(Ceremony::Registration)
};

/// A well-formed ES256 key (unless a row says otherwise) the RP must refuse as invalid.
const KEY_INVALID: Case = Case {
    spec: "§6.5.1, §7.1 step 20",
    flags: &[Flag::KeyUnchecked],
    check: INVALID,
    ..Case::must_reject(Ceremony::Registration)
};

/// An ES256 key (unless a row says otherwise) the RP must refuse as malformed: not the COSE_Key its alg calls for.
const KEY_MALFORMED: Case = Case {
    spec: "§6.5.1, §7.1 step 20",
    flags: &[Flag::KeyUnchecked],
    check: MALFORMED,
    ..Case::must_reject(Ceremony::Registration)
};

/// Adds one to a big-endian number (wrapping), e.g. to move a coordinate off the curve.
fn increment(b: &mut [u8]) {
    for byte in b.iter_mut().rev() {
        let (v, carry) = byte.overflowing_add(1);
        *byte = v;
        if !carry {
            break;
        }
    }
}

/// Drops the first byte of the x coordinate (EC2) or public key (OKP) of a COSE map.
fn drop_first_byte_of_x(v: &mut Value) {
    if let Some(Value::Bytes(x)) = v.get_int(i128::from(label::X)).cloned() {
        set_label(v, label::X, Value::Bytes(x.get(1..).unwrap_or_default().to_vec()))
    }
}

/// Increments the byte string under `l` in a COSE map.
fn increment_label(v: &mut Value, l: i64) {
    if let Value::Map(entries) = v {
        if let Some((_, Value::Bytes(b))) = entries.iter_mut().find(|(k, _)| *k == Value::from(l)) {
            increment(b);
        }
    }
}

/// An Ed25519 public key encoding that is not a curve point: the first y (from a fixed start) for which no x
/// exists. About half of all encodings are such.
fn ed25519_non_point() -> Vec<u8> {
    let mut candidate = fixed_bytes(0x0ed2_5519, 32);
    for _ in 0..256 {
        if let Ok(bytes) = <[u8; 32]>::try_from(candidate.as_slice()) {
            if ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_err() {
                break;
            }
        }
        if let Some(head) = candidate.get_mut(..31) {
            increment(head);
        }
    }
    candidate
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- structure (§6.5.1): a COSE_Key with alg and the parameters its kty requires ----
        Case {
            id: "reg.credential-key.alg-missing",
            ceremony: Ceremony::Registration,
            spec: "§6.5.1, §7.1 step 20",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the credential public key has no alg (label 3)",
            rationale: "a credential public key MUST contain alg, and step 20 compares it with pubKeyCredParams",
            flags: &[Flag::KeyUnchecked, Flag::AlgorithmUnchecked],
            check: MALFORMED,
            setup: ES256,
            plan: reg_pre(|p| edit_cose(p, |v| remove_label(v, label::ALG))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-key.alg-not-integer",
            title: "the credential public key's alg is the text \"ES256\"",
            rationale: "alg MUST contain a COSEAlgorithmIdentifier, an integer; a text alg matches none of pubKeyCredParams (step 20)",
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from("ES256")))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.kty-missing",
            spec: "§6.5.1",
            title: "the credential public key has no kty (label 1)",
            rationale: "kty is required by RFC 9052 §7, which §6.5.1 makes the key's format",
            basis: COSE_KEY_PARAMETERS,
            plan: reg_pre(|p| edit_cose(p, |v| remove_label(v, label::KTY))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.kty-symmetric",
            spec: "§6.5.1",
            title: "the credential public key's kty is 4 (Symmetric)",
            rationale: "a symmetric key is no public key: no signature can be verified with it",
            basis: COSE_KEY_PARAMETERS,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::KTY, Value::from(kty::SYMMETRIC)))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.not-a-map",
            title: "the credential public key is a CBOR array of the key's values",
            rationale: "a COSE_Key is a CBOR map (RFC 9052 §7)",
            plan: reg_pre(|p| {
                let v = cose_value(p);
                let values = v.as_map().unwrap_or_default().iter().map(|(_, v)| v.clone()).collect();
                set_credential_key(p, cbor::encode_canonical(&Value::Array(values)))
            }),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.text-labels",
            title: "the credential public key uses text labels (\"kty\", \"alg\", …) instead of integers",
            rationale: "COSE_Key parameters are identified by their integer labels; a map of text labels has no kty or alg",
            plan: reg_pre(|p| {
                let v = cose_value(p);
                let name = |k: &Value| match k.as_integer() {
                    Some(1) => "kty",
                    Some(3) => "alg",
                    Some(-1) => "crv",
                    Some(-2) => "x",
                    _ => "y",
                };
                let entries =
                    v.as_map().unwrap_or_default().iter().map(|(k, v)| (Value::from(name(k)), v.clone())).collect();
                set_credential_key(p, cbor::encode_canonical(&Value::Map(entries)))
            }),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.ec2.crv-unknown",
            spec: "§5.8.5",
            title: "an ES256 key whose crv is 8 (secp256k1)",
            rationale: "keys with alg -7 MUST specify crv 1 (P-256)",
            basis: ES256_KEY,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::CRV, Value::from(8)))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.ec2.x-short",
            spec: "§6.5.1",
            title: "an ES256 key whose x coordinate is 31 bytes",
            rationale: "a P-256 coordinate is 32 bytes (RFC 9053 §7.1.1); a shorter one is no point encoding",
            basis: COSE_KEY_PARAMETERS,
            plan: reg_pre(|p| edit_cose(p, drop_first_byte_of_x)),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.ec2.y-missing",
            spec: "§6.5.1",
            title: "an ES256 key without its y coordinate",
            rationale: "an uncompressed EC2 key needs y; without it there is no point",
            basis: COSE_KEY_PARAMETERS,
            plan: reg_pre(|p| edit_cose(p, |v| remove_label(v, label::Y))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.ec2.compressed-point",
            spec: "§5.8.5",
            title: "an ES256 key in compressed form (y is the sign bit true)",
            rationale: "keys with alg -7 MUST NOT use the compressed point form",
            basis: ES256_KEY,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::Y, Value::Bool(true)))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.ec2.private-key",
            spec: "§6.5.1",
            title: "an ES256 key that also carries a private key d (label -4)",
            rationale: "the credential public key MUST NOT carry other optional parameters; a private key leaked into it is no public key",
            basis: NO_OPTIONAL_PARAMETERS,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::D, Value::Bytes(fixed_bytes(0xd, 32))))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.kid-present",
            ceremony: Ceremony::Registration,
            spec: "§6.5.1",
            level: Level::Must,
            expect: Expect::Either,
            title: "an ES256 key that also carries a kid (label 2)",
            rationale: "authenticators MUST NOT add optional parameters besides alg, but no step of §7.1 checks for them",
            flags: &[Flag::KeyUnchecked],
            check: None,
            basis: NO_OPTIONAL_PARAMETERS,
            setup: ES256,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::KID, Value::Bytes(b"key-1".to_vec())))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-key.okp.x25519",
            spec: "§5.8.5",
            title: "an EdDSA key on crv 4 (X25519, a key-agreement curve)",
            rationale: "keys with alg -8 MUST specify crv 6 (Ed25519); X25519 cannot sign",
            basis: EDDSA_KEY,
            setup: EDDSA,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::CRV, Value::from(4)))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.okp.x-short",
            spec: "§6.5.1",
            title: "an EdDSA key of 31 bytes",
            rationale: "an Ed25519 public key is 32 bytes (RFC 8032 §5.1.5)",
            basis: COSE_KEY_PARAMETERS,
            setup: EDDSA,
            plan: reg_pre(|p| edit_cose(p, drop_first_byte_of_x)),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.rsa.exponent-empty",
            spec: "§6.5.1",
            title: "an RS256 key whose public exponent e is an empty byte string",
            rationale: "e is a required RSA parameter (RFC 8230 §4); an empty one is no exponent",
            basis: COSE_KEY_PARAMETERS,
            setup: RS256,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::E, Value::Bytes(vec![])))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.rsa.private-key",
            spec: "§6.5.1",
            title: "an RS256 key that also carries a private exponent d (label -3)",
            rationale: "the credential public key MUST NOT carry other optional parameters; a private exponent is no public key",
            basis: NO_OPTIONAL_PARAMETERS,
            setup: RS256,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, -3, Value::Bytes(fixed_bytes(0xd, 256))))),
            ..KEY_MALFORMED
        },
        Case {
            id: "reg.credential-key.rsa.modulus-leading-zero",
            ceremony: Ceremony::Registration,
            spec: "§6.5.1",
            level: Level::Policy,
            expect: Expect::Either,
            title: "an RS256 key whose modulus n has a leading zero byte (as copied from DER)",
            rationale: "RFC 8230 §4 asks for the minimal encoding, but the value is the same key and no step of §7.1 checks it",
            flags: &[Flag::KeyUnchecked],
            check: None,
            // WebAuthn asks for a COSE_Key and says nothing of how its numbers are padded: the RP's choice.
            basis: Some(Basis::data(
                "§6.5.1",
                "The credential public key encoded in COSE_Key format, as defined in Section 7 of , using the \
                 CTAP2 canonical CBOR encoding form.",
            )),
            setup: RS256,
            plan: reg_pre(|p| {
                edit_cose(p, |v| {
                    if let Some(Value::Bytes(n)) = v.get_int(i128::from(label::N)).cloned() {
                        let mut padded = vec![0];
                        padded.extend_from_slice(&n);
                        set_label(v, label::N, Value::Bytes(padded))
                    }
                })
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-key.rsa.exponent-one",
            title: "an RS256 key whose public exponent e is 1",
            rationale: "with e = 1 every message is its own signature; RFC 8017 §3.1 requires 3 ≤ e ≤ n - 1",
            plan: reg_pre(|p| {
                let mut v = rsa_cose(alg::RS256);
                set_label(&mut v, label::E, Value::Bytes(vec![0x01]));
                set_credential_key(p, cbor::encode_canonical(&v))
            }),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.rsa.1024-bit",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 20",
            level: Level::Policy,
            expect: Expect::Either,
            title: "an RS256 key with a 1024-bit modulus",
            rationale: "WebAuthn sets no minimum RSA key size: the key passes step 20, its only check, and refusing weak keys is the RP's policy",
            flags: &[Flag::KeyUnchecked],
            check: INVALID,
            basis: Some(Basis::procedure(
                "§7.1 step 20",
                "Verify that the \"alg\" parameter in the credential public key in authData matches the alg \
                 attribute of one of the items in pkOptions.pubKeyCredParams.",
            )),
            setup: ES256,
            plan: reg_pre(|p| set_credential_key(p, cbor::encode_canonical(&rsa_cose_of_size(alg::RS256, 128)))),
            ..Case::DEFAULTS
        },
        // ---- a usable key: on the curve, its type what its alg says (§5.8.5) ----
        Case {
            id: "reg.credential-key.ec2.off-curve",
            spec: "§5.8.5",
            title: "an ES256 key whose y coordinate is one more than the real one (a point off P-256)",
            rationale: "a point off the curve is no P-256 public key; accepting one invites invalid-curve attacks",
            basis: ES256_ON_CURVE,
            plan: reg_pre(|p| edit_cose(p, |v| increment_label(v, label::Y))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.ec2.zero-point",
            spec: "§5.8.5",
            title: "an ES256 key with x = y = 0",
            basis: ES256_ON_CURVE,
            rationale: "(0, 0) is not on P-256 (and stands for the point at infinity in some encodings)",
            plan: reg_pre(|p| {
                edit_cose(p, |v| {
                    set_label(v, label::X, Value::Bytes(vec![0; 32]));
                    set_label(v, label::Y, Value::Bytes(vec![0; 32]))
                })
            }),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.es384.off-curve",
            spec: "§5.8.5",
            title: "an ES384 key whose y coordinate is one more than the real one (a point off P-384)",
            basis: ES384_ON_CURVE,
            rationale: "a point off the curve is no P-384 public key",
            setup: ES384,
            plan: reg_pre(|p| edit_cose(p, |v| increment_label(v, label::Y))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.es512.off-curve",
            spec: "§5.8.5",
            title: "an ES512 key whose y coordinate is one more than the real one (a point off P-521)",
            basis: ES512_ON_CURVE,
            rationale: "a point off the curve is no P-521 public key",
            setup: ES512,
            plan: reg_pre(|p| edit_cose(p, |v| increment_label(v, label::Y))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.okp.not-a-point",
            title: "an EdDSA key whose 32 bytes decode to no Ed25519 point",
            rationale: "an encoding with no point behind it is no Ed25519 public key (RFC 8032 §5.1.3)",
            setup: EDDSA,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::X, Value::Bytes(ed25519_non_point())))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.p256-as-rs256",
            title: "a P-256 EC2 key labelled alg -257 (RS256)",
            rationale: "an EC2 key cannot verify RSA signatures; the key type must fit its alg",
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::RS256)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.p256-as-es384",
            spec: "§5.8.5",
            title: "a P-256 EC2 key (crv 1) labelled alg -35 (ES384)",
            rationale: "keys with alg -35 MUST specify crv 2 (P-384)",
            basis: ES384_KEY,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::ES384)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.p256-as-es512",
            spec: "§5.8.5",
            title: "a P-256 EC2 key (crv 1) labelled alg -36 (ES512)",
            rationale: "keys with alg -36 MUST specify crv 3 (P-521)",
            basis: ES512_KEY,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::ES512)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.p521-as-es256",
            spec: "§5.8.5",
            title: "a P-521 EC2 key (crv 3) labelled alg -7 (ES256)",
            rationale: "keys with alg -7 MUST specify crv 1 (P-256), not P-521",
            basis: ES256_KEY,
            setup: ES512,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::ES256)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.p256-as-ps256",
            title: "a P-256 EC2 key labelled alg -37 (PS256)",
            rationale: "an EC2 key cannot verify RSASSA-PSS signatures; the key type must fit its alg (RFC 8230 \
                        §2 uses RSA keys, kty 3)",
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::PS256)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.rsa-as-es512",
            spec: "§5.8.5",
            title: "an RSA key (the credential's PS256 key) labelled alg -36 (ES512)",
            rationale: "keys with alg -36 MUST specify crv 3 (P-521); an RSA key has no curve",
            basis: ES512_KEY,
            setup: PS256,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::ES512)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.p256-as-eddsa",
            spec: "§5.8.5",
            title: "a P-256 EC2 key labelled alg -8 (EdDSA)",
            rationale: "keys with alg -8 MUST specify crv 6 (Ed25519): they are OKP keys, not EC2 keys",
            basis: EDDSA_KEY,
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(alg::EDDSA)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.rsa-as-es256",
            spec: "§5.8.5",
            title: "an RSA key labelled alg -7 (ES256)",
            rationale: "keys with alg -7 MUST specify crv 1 (P-256); an RSA key has no curve and cannot verify ECDSA signatures",
            basis: ES256_KEY,
            plan: reg_pre(|p| set_credential_key(p, cbor::encode_canonical(&rsa_cose(alg::ES256)))),
            ..KEY_INVALID
        },
        Case {
            id: "reg.credential-key.alg-mismatch.ed25519-as-es256",
            spec: "§5.8.5",
            title: "an Ed25519 OKP key labelled alg -7 (ES256)",
            rationale: "keys with alg -7 MUST specify crv 1 (P-256), not Ed25519",
            basis: ES256_KEY,
            plan: reg_pre(|p| {
                let mut v = other_key(Algorithm::EdDsa, 0x0ed0_0001).cose_key().to_value();
                set_label(&mut v, label::ALG, Value::from(alg::ES256));
                set_credential_key(p, cbor::encode_canonical(&v))
            }),
            ..KEY_INVALID
        },
        // ---- step 20: alg among pubKeyCredParams ----
        Case {
            id: "reg.credential-key.alg-not-offered.ec-or-okp",
            title: "a usable key whose alg the RP did not offer (the first of EdDSA, Ed25519 -19, ES384, ES256, ES512 missing from pubKeyCredParams)",
            rationale: "step 20: the key's alg must match one of pubKeyCredParams, even when the RP could verify it",
            plan: reg_pre(|p| {
                let chosen = first_not_offered(
                    &p.options.algorithms,
                    &[alg::EDDSA, alg::ED25519, alg::ES384, alg::ES256, alg::ES512],
                );
                let v = match chosen {
                    alg::EDDSA | alg::ED25519 => {
                        let mut v = other_key(Algorithm::EdDsa, 0x0ed0_0002).cose_key().to_value();
                        set_label(&mut v, label::ALG, Value::from(chosen));
                        v
                    }
                    alg::ES384 => other_key(Algorithm::Es384, 0x0384_0002).cose_key().to_value(),
                    alg::ES256 => other_key(Algorithm::Es256, 0x0256_0002).cose_key().to_value(),
                    _ => p521_cose(alg::ES512),
                };
                set_credential_key(p, cbor::encode_canonical(&v))
            }),
            ..ALG_NOT_OFFERED
        },
        Case {
            id: "reg.credential-key.alg-not-offered.rsa",
            title: "an RSA key whose alg the RP did not offer (the first of PS256, RS256, RS384, RS512, PS384, PS512, RS1 missing from pubKeyCredParams; -42, RSAES-OAEP with SHA-512, if it offers all seven)",
            rationale: "step 20: the key's alg must match one of pubKeyCredParams",
            plan: reg_pre(|p| {
                let chosen = first_not_offered(
                    &p.options.algorithms,
                    &[alg::PS256, alg::RS256, alg::RS384, alg::RS512, alg::PS384, alg::PS512, alg::RS1, RSAES_OAEP_SHA512],
                );
                set_credential_key(p, cbor::encode_canonical(&rsa_cose(chosen)))
            }),
            ..ALG_NOT_OFFERED
        },
        Case {
            id: "reg.credential-key.alg-not-offered.private-use",
            title: "a P-256 key labelled with alg -65537, a private-use COSE algorithm",
            rationale: "step 20: the key's alg must match one of pubKeyCredParams",
            plan: reg_pre(|p| edit_cose(p, |v| set_label(v, label::ALG, Value::from(-65537)))),
            ..ALG_NOT_OFFERED
        },
    ]
}
