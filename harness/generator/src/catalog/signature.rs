//! Assertion signatures (§6.5.5; §7.2 step 21), by the bug classes Wycheproof names for ECDSA and EdDSA:
//! encodings that are not DER (BER lengths, padded or negative integers, raw r||s, trailing bytes),
//! integers out of range (0, n, s + n), signatures by the wrong key or over the wrong message, and the
//! malleable high-S form. Every mutation replaces the signature after signing; the rest of the assertion is
//! the valid baseline.
//!
//! The reference verifier tells an unparseable signature (`auth.signature.malformed`: not DER, r or s outside
//! [1, n-1], wrong length for RSA and EdDSA) from one that parses and does not verify (`auth.signature.invalid`).

use sha2::{Digest, Sha256};

use super::mutate::{assertion_message, other_key};
use super::{auth_post, AuthPost, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, Reference, Setup};
use crate::keys::Algorithm;

const ES256: Setup = Setup::DEFAULT;
const ES384: Setup = Setup { alg: Algorithm::Es384, ..Setup::DEFAULT };
const RS256: Setup = Setup { alg: Algorithm::Rs256, ..Setup::DEFAULT };
const ES512: Setup = Setup { alg: Algorithm::Es512, ..Setup::DEFAULT };
const PS256: Setup = Setup { alg: Algorithm::Ps256, ..Setup::DEFAULT };
const PS384: Setup = Setup { alg: Algorithm::Ps384, ..Setup::DEFAULT };
const PS512: Setup = Setup { alg: Algorithm::Ps512, ..Setup::DEFAULT };
const RS384: Setup = Setup { alg: Algorithm::Rs384, ..Setup::DEFAULT };
const RS512: Setup = Setup { alg: Algorithm::Rs512, ..Setup::DEFAULT };
const RS1: Setup = Setup { alg: Algorithm::Rs1, ..Setup::DEFAULT };
const EDDSA: Setup = Setup { alg: Algorithm::EdDsa, ..Setup::DEFAULT };

const MALFORMED: Option<CheckId> = Some(CheckId::AuthSignatureMalformed);
const INVALID: Option<CheckId> = Some(CheckId::AuthSignature);
const SPEC: &str = "§6.5.5, §7.2 step 21";

/// The order n of the P-256 group (SEC 2 §2.4.2), big-endian.
pub(super) const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The order n of the P-384 group (SEC 2 §2.5.1), big-endian.
const P384_N: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a,
    0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

/// The order n of the P-521 group (SEC 2 §2.6.1), big-endian without leading zeros (521 bits, 66 bytes).
fn p521_n() -> Vec<u8> {
    use p521::elliptic_curve::bigint::Encoding;
    use p521::elliptic_curve::Curve;
    strip(&p521::NistP521::ORDER.to_be_bytes())
}

/// The order L of the Ed25519 group (RFC 8032 §5.1), little-endian as signatures carry S.
const ED25519_L_LE: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

// ---- DER (X.690) for Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } ----

/// A DER TLV: a short-form length below 128 bytes, else the one-byte long form (`81 len`), which an ES512
/// signature of 128 to 139 bytes needs; nothing here is 256 bytes or longer.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = match u8::try_from(content.len()) {
        Ok(len) if len < 0x80 => vec![tag, len],
        Ok(len) => vec![tag, 0x81, len],
        Err(_) => vec![tag, 0x82, (content.len() >> 8) as u8, content.len() as u8],
    };
    out.extend_from_slice(content);
    out
}

/// Reads one DER TLV (a short-form length, or the minimal one-byte long form): (content, rest).
fn read_tlv(tag: u8, b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = b.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let (len, rest) = match len {
        0x81 => {
            let (&long, rest) = rest.split_first()?;
            (long >= 0x80).then_some((long, rest))?
        }
        short if short < 0x80 => (short, rest),
        _ => return None,
    };
    if t != tag {
        return None;
    }
    rest.split_at_checked(usize::from(len))
}

/// A big-endian unsigned number without leading zero bytes (empty for zero).
fn strip(x: &[u8]) -> Vec<u8> {
    x.iter().skip_while(|b| **b == 0).copied().collect()
}

/// The DER INTEGER content of an unsigned number: minimal, with a 0x00 sign byte if the top bit is set.
fn int_content(x: &[u8]) -> Vec<u8> {
    let x = strip(x);
    match x.first() {
        None => vec![0],
        Some(b) if b & 0x80 != 0 => [&[0u8][..], &x].concat(),
        Some(_) => x,
    }
}

fn der_int(x: &[u8]) -> Vec<u8> {
    tlv(0x02, &int_content(x))
}

/// A DER Ecdsa-Sig-Value of `r` and `s`.
pub(super) fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
    tlv(0x30, &[der_int(r), der_int(s)].concat())
}

/// r and s of a DER Ecdsa-Sig-Value, as unsigned big-endian numbers without leading zeros.
pub(super) fn der_parts(sig: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (body, rest) = read_tlv(0x30, sig)?;
    let (r, body) = read_tlv(0x02, body)?;
    let (s, body) = read_tlv(0x02, body)?;
    (rest.is_empty() && body.is_empty()).then(|| (strip(r), strip(s)))
}

/// `x` left-padded with zeros to `len` bytes (x must fit).
pub(super) fn pad(x: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0; len.saturating_sub(x.len())];
    out.extend_from_slice(x);
    out
}

/// a + b, big-endian.
fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let len = a.len().max(b.len()) + 1;
    let (a, b) = (pad(a, len), pad(b, len));
    let mut out = vec![0u8; len];
    let mut carry = 0u16;
    for i in (0..len).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    strip(&out)
}

/// a - b, big-endian, for a ≥ b.
pub(super) fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let len = a.len().max(b.len());
    let (a, b) = (pad(a, len), pad(b, len));
    let mut out = vec![0u8; len];
    let mut borrow = 0i16;
    for i in (0..len).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    strip(&out)
}

// ---- mutations ----

/// Replaces the signature with `f(signature)`.
fn resign_with(p: &mut AuthPost<'_>, f: impl FnOnce(&[u8]) -> Vec<u8>) {
    p.signed.signature = f(&p.signed.signature);
}

/// Replaces an ECDSA signature with `f(r, s)` (left alone if it does not parse, which a baseline always does).
fn ecdsa(p: &mut AuthPost<'_>, f: impl FnOnce(Vec<u8>, Vec<u8>) -> Vec<u8>) {
    if let Some((r, s)) = der_parts(&p.signed.signature) {
        p.signed.signature = f(r, s);
    }
}

/// Re-signs with hedged nonces (from fixed seeds) until `r` (minimal, without a sign byte) satisfies `want`,
/// so a mutation of `r` does what it says whatever message the RP's challenge made: the baseline's own
/// RFC 6979 signature is kept if it qualifies.
fn with_r(p: &mut AuthPost<'_>, want: impl Fn(&[u8]) -> bool) {
    resign_until(p, |sig| der_parts(sig).is_some_and(|(r, _)| want(&r)))
}

/// Re-signs an ECDSA assertion with hedged nonces (from fixed seeds) until the signature satisfies `want`
/// (kept as it is if it does; other algorithms sign deterministically and are left alone).
pub(super) fn resign_until(p: &mut AuthPost<'_>, want: impl Fn(&[u8]) -> bool) {
    use rand_core::SeedableRng;
    let message = assertion_message(&p.signed);
    for seed in 0..256u64 {
        if want(&p.signed.signature) {
            return;
        }
        p.signed.signature =
            p.credential.key.sign_hedged(&message, &mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
    }
}

/// The signature by another key of `alg` over the right message. RSA keys come from a pool (see
/// `keys::rsa_pool`), so the other key could be the credential's own: the next seed is taken then.
fn sign_by_other(p: &mut AuthPost<'_>, alg: Algorithm, seed: u64) {
    let own = p.credential.key.cose_key();
    let key = (seed..)
        .map(|s| other_key(alg, s))
        .find(|k| k.cose_key() != own)
        .unwrap_or_else(|| other_key(alg, seed));
    p.signed.signature = key.sign(&assertion_message(&p.signed));
}

/// The credential key's signature over `message`.
fn sign_over(p: &mut AuthPost<'_>, message: Vec<u8>) {
    p.signed.signature = p.credential.key.sign(&message);
}

/// The credential's RSA key signing with another RSA algorithm `alg` over the right message: the same key and
/// message, another padding or hash.
fn sign_as(p: &mut AuthPost<'_>, alg: Algorithm) {
    if let Some(key) = p.credential.key.with_algorithm(alg) {
        p.signed.signature = key.sign(&assertion_message(&p.signed));
    }
}

/// Adds one to the last byte (wrapping): a signature one unit off.
fn bump_last(sig: &[u8]) -> Vec<u8> {
    let mut s = sig.to_vec();
    if let Some(b) = s.last_mut() {
        *b = b.wrapping_add(1);
    }
    s
}

/// Flips the lowest bit of the first byte.
fn flip_first(sig: &[u8]) -> Vec<u8> {
    let mut s = sig.to_vec();
    if let Some(b) = s.first_mut() {
        *b ^= 0x01;
    }
    s
}

/// What the rows of a signature that is not encoded as its algorithm requires share.
const ENCODING: Case = Case {
    spec: SPEC,
    flags: &[Flag::SignatureEncodingLeniency],
    check: MALFORMED,
    ..Case::must_reject(Ceremony::Authentication)
};

/// Step 21, the RP's own verification of the signature.
const STEP_21: &str =
    "Using credentialRecord.publicKey, verify that sig is a valid signature over the binary concatenation of authData and hash.";

/// What the rows of a signature that no reading makes valid share: ECDSA r or s outside [1, n-1] (SEC 1
/// §4.1.4 step 1; a negative INTEGER included), a DER signature cut short, an RSA signature not k octets long
/// (RFC 8017 §8.2.2 step 1), an Ed25519 signature not 64 bytes (RFC 8032 §5.1.7). Step 21 fails, the RP's own
/// procedure; an encoding that is merely not DER, which a lenient parser reads as the valid signature it
/// stands for, breaks a rule on what the authenticator produces (`ENCODING`, the check's `data` basis). The
/// reference verifier reports both as `auth.signature.malformed`.
const NOT_A_SIGNATURE: Case =
    Case { spec: "§7.2 step 21", basis: Some(Basis::procedure("§7.2 step 21", STEP_21)), ..ENCODING };

/// What the rows of a well-encoded signature that does not verify share.
const WRONG: Case = Case {
    spec: "§7.2 step 21",
    flags: &[Flag::SignatureUnchecked],
    check: INVALID,
    ..Case::must_reject(Ceremony::Authentication)
};

/// The high-S twin (r, n - s) of a valid ECDSA signature: valid too, so step 21 passes; an RP may add checks of
/// its own (§7.2 step 24 speaks of them), so rejecting it is policy.
const HIGH_S: Case = Case {
    ceremony: Ceremony::Authentication,
    spec: "§7.2 steps 21, 24",
    level: Level::Policy,
    expect: Expect::Either,
    flags: &[Flag::SignatureEncodingLeniency],
    check: None,
    basis: Some(Basis::procedure(
        "§7.2 steps 21, 24",
        "Using credentialRecord.publicKey, verify that sig is a valid signature over the binary concatenation of \
         authData and hash. If the Relying Party performs additional security checks beyond these WebAuthn \
         authentication ceremony steps, the above state updates SHOULD be deferred to after those additional \
         checks are completed successfully.",
    )),
    ..Case::DEFAULTS
};

/// The public record of r = 0 and s = 0 accepted as an ECDSA signature of anything ("psychic signatures"),
/// which the assertion and attestation cases of that signature reproduce.
pub(super) const PSYCHIC_SIGNATURES: &[Reference] = &[
    Reference {
        id: "CVE-2022-21449",
        summary: "Java SE 15 to 18 (the SunEC provider's ECDSA) did not check that r and s are at least 1, so \
                  the signature r = 0, s = 0 verified for any message under any key; RPs that verify WebAuthn \
                  signatures through it accepted forged assertions and attestation statements",
    },
    Reference {
        id: "Yubico/java-webauthn-server#191",
        summary: "java-webauthn-server verifies signatures through the Java platform's provider (1.8.0 and \
                  later state no preference for BouncyCastle), so an RP on an unpatched Java 15 to 18 could \
                  accept r = s = 0; the maintainers' remedy was to patch the JRE",
    },
];

/// What the rows of r = 0 and s = 0 share: no signature at all, which a verifier without the range check of
/// SEC 1 §4.1.4 step 1 takes for a valid one of any message.
const PSYCHIC: Case = Case {
    flags: &[Flag::SignatureUnchecked, Flag::SignatureEncodingLeniency],
    references: PSYCHIC_SIGNATURES,
    ..NOT_A_SIGNATURE
};

/// Why r = 0 and s = 0 must be rejected.
pub(super) const BOTH_ZERO: &str =
    "r and s lie in [1, n-1] (SEC 1 §4.1.4); with both 0 a verifier that skips \
                                    that check computes the point at infinity and matches r = 0, so the pair \
                                    \"verifies\" for every message and key";

const DER: &str = "ECDSA signatures MUST be ASN.1 DER (§6.5.5); this is not a DER Ecdsa-Sig-Value";
const RANGE: &str =
    "r and s of an ECDSA signature lie in [1, n-1]; a value outside is no signature (SEC 1 §4.1.4)";

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- ES256: not DER ----
        Case {
            id: "auth.signature.es256.ber-long-length",
            setup: ES256,
            title: "the SEQUENCE length in long form (0x30 0x81 len) where the short form is required",
            rationale: DER,
            plan: auth_post(|p| {
                resign_with(p, |s| {
                    let (body, _) = read_tlv(0x30, s).unwrap_or((&[], &[]));
                    [&[0x30, 0x81, body.len() as u8][..], body].concat()
                })
            }),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es256.r-leading-zero",
            setup: ES256,
            title: "r with an extra leading zero byte (a non-minimal INTEGER)",
            rationale: DER,
            plan: auth_post(|p| {
                // A full-length r, so the padded INTEGER is longer than any DER form of an r below n.
                with_r(p, |r| r.len() == 32);
                ecdsa(p, |r, s| {
                    let padded = [&[0u8][..], &int_content(&r)].concat();
                    tlv(0x30, &[tlv(0x02, &padded), der_int(&s)].concat())
                })
            }),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es256.r-negative",
            setup: ES256,
            title: "r encoded as a negative INTEGER (top bit set, no sign byte)",
            rationale: "r and s are positive; a negative INTEGER is not a valid ECDSA signature component",
            plan: auth_post(|p| {
                // An r whose top bit is set: without its sign byte the same bytes read as a negative number.
                with_r(p, |r| r.len() == 32 && r[0] & 0x80 != 0);
                ecdsa(p, |r, s| {
                    let neg = strip(&r);
                    tlv(0x30, &[tlv(0x02, &neg), der_int(&s)].concat())
                })
            }),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es256.truncated",
            setup: ES256,
            title: "the DER signature without its last byte",
            rationale: "a DER signature cut short decodes to no Ecdsa-Sig-Value at all, so it is no valid signature",
            plan: auth_post(|p| resign_with(p, |s| s.get(..s.len().saturating_sub(1)).unwrap_or_default().to_vec())),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es256.trailing-byte",
            setup: ES256,
            title: "the DER signature followed by one 0x00 byte",
            rationale: "the signature is exactly one DER Ecdsa-Sig-Value; bytes after it make it malformed",
            plan: auth_post(|p| resign_with(p, |s| [s, &[0u8][..]].concat())),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es256.raw-r-s",
            setup: ES256,
            title: "the signature as raw r||s (64 bytes, IEEE P1363 / COSE form) instead of DER",
            rationale: "WebAuthn ECDSA signatures are DER, unlike COSE's fixed-length form (§6.5.5)",
            plan: auth_post(|p| ecdsa(p, |r, s| [pad(&r, 32), pad(&s, 32)].concat())),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es256.set-tag",
            setup: ES256,
            title: "the outer tag is 0x31 (SET) instead of 0x30 (SEQUENCE)",
            rationale: DER,
            plan: auth_post(|p| resign_with(p, |s| [&[0x31u8][..], s.get(1..).unwrap_or_default()].concat())),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es256.extra-integer",
            setup: ES256,
            title: "a third INTEGER after r and s inside the SEQUENCE",
            rationale: DER,
            plan: auth_post(|p| ecdsa(p, |r, s| tlv(0x30, &[der_int(&r), der_int(&s), der_int(&[1])].concat()))),
            ..ENCODING
        },
        // ---- ES256: r or s out of range ----
        Case {
            id: "auth.signature.es256.r-zero",
            setup: ES256,
            title: "r = 0",
            rationale: RANGE,
            plan: auth_post(|p| ecdsa(p, |_, s| der(&[], &s))),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es256.s-zero",
            setup: ES256,
            title: "s = 0",
            rationale: RANGE,
            plan: auth_post(|p| ecdsa(p, |r, _| der(&r, &[]))),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es256.r-zero-s-zero",
            setup: ES256,
            title: "r = 0 and s = 0 (the \"psychic signature\", 30 06 02 01 00 02 01 00)",
            rationale: BOTH_ZERO,
            plan: auth_post(|p| ecdsa(p, |_, _| der(&[], &[]))),
            ..PSYCHIC
        },
        Case {
            id: "auth.signature.es256.s-equals-n",
            setup: ES256,
            title: "s = n, the group order",
            rationale: RANGE,
            plan: auth_post(|p| ecdsa(p, |r, _| der(&r, &P256_N))),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es256.s-plus-n",
            setup: ES256,
            title: "s replaced by s + n (the same value mod n, out of range)",
            rationale: "s + n ≡ s (mod n), but s must be below n; accepting it makes signatures malleable",
            plan: auth_post(|p| ecdsa(p, |r, s| der(&r, &add(&s, &P256_N)))),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es256.p384-signature",
            setup: ES256,
            title: "a P-384 signature (48-byte r and s) against the P-256 credential key",
            rationale: "r and s of a P-256 signature are below the P-256 order; 384-bit integers are out of range",
            plan: auth_post(|p| sign_by_other(p, Algorithm::Es384, 0x0384_5160)),
            ..NOT_A_SIGNATURE
        },
        // ---- ES256: well-formed, wrong ----
        Case {
            id: "auth.signature.es256.last-byte-incremented",
            setup: ES256,
            title: "the last byte of the DER signature incremented",
            rationale: "a signature one unit off does not verify",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-20"),
            plan: auth_post(|p| resign_with(p, bump_last)),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.r-s-swapped",
            setup: ES256,
            title: "r and s swapped",
            rationale: "both stay in range, so the encoding is fine, but the pair is no signature",
            plan: auth_post(|p| ecdsa(p, |r, s| der(&s, &r))),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.r-one-s-one",
            setup: ES256,
            title: "r = 1 and s = 1",
            rationale: "in range, well-formed, and no signature of this message",
            plan: auth_post(|p| ecdsa(p, |_, _| der(&[1], &[1]))),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.other-key",
            setup: ES256,
            title: "a valid ES256 signature over the right message by another key",
            rationale: "the signature must verify with the credential's public key, not any key",
            plan: auth_post(|p| sign_by_other(p, Algorithm::Es256, 0x0256_5160)),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.other-client-data-hash",
            setup: ES256,
            title: "signed over authenticatorData || SHA-256 of other client data",
            rationale: "the signature covers the hash of the clientDataJSON that was sent",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 F-3"),
            plan: auth_post(|p| {
                let mut other = p.signed.client_data_json.clone();
                other.push(b' ');
                let mut m = p.signed.authenticator_data.clone();
                m.extend_from_slice(&Sha256::digest(&other));
                sign_over(p, m)
            }),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.over-auth-data-only",
            setup: ES256,
            title: "signed over authenticatorData alone",
            rationale: "the signature covers authenticatorData || SHA-256(clientDataJSON); without the hash the challenge is unbound",
            plan: auth_post(|p| {
                let m = p.signed.authenticator_data.clone();
                sign_over(p, m)
            }),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.over-unhashed-client-data",
            setup: ES256,
            title: "signed over authenticatorData || clientDataJSON (not its hash)",
            rationale: "the signed message ends with SHA-256(clientDataJSON), not the JSON itself",
            plan: auth_post(|p| {
                let m = [p.signed.authenticator_data.clone(), p.signed.client_data_json.clone()].concat();
                sign_over(p, m)
            }),
            ..WRONG
        },
        Case {
            id: "auth.signature.es256.high-s",
            title: "s replaced by n - s (the high-S twin of the same signature)",
            rationale: "(r, n - s) is a valid ECDSA signature too; WebAuthn does not require low-S, so rejecting it is policy",
            setup: ES256,
            plan: auth_post(|p| ecdsa(p, |r, s| der(&r, &sub(&P256_N, &s)))),
            ..HIGH_S
        },
        // ---- ES384 ----
        Case {
            id: "auth.signature.es384.raw-r-s",
            setup: ES384,
            title: "an ES384 signature as raw r||s (96 bytes) instead of DER",
            rationale: "WebAuthn ECDSA signatures are DER (§6.5.5)",
            plan: auth_post(|p| ecdsa(p, |r, s| [pad(&r, 48), pad(&s, 48)].concat())),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es384.s-plus-n",
            setup: ES384,
            title: "an ES384 signature with s replaced by s + n",
            rationale: RANGE,
            plan: auth_post(|p| ecdsa(p, |r, s| der(&r, &add(&s, &P384_N)))),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es384.r-zero-s-zero",
            setup: ES384,
            title: "an ES384 signature of r = 0 and s = 0 (the \"psychic signature\")",
            rationale: BOTH_ZERO,
            plan: auth_post(|p| ecdsa(p, |_, _| der(&[], &[]))),
            ..PSYCHIC
        },
        Case {
            id: "auth.signature.es384.last-byte-incremented",
            setup: ES384,
            title: "the last byte of an ES384 signature incremented",
            rationale: "a signature one unit off does not verify",
            plan: auth_post(|p| resign_with(p, bump_last)),
            ..WRONG
        },
        Case {
            id: "auth.signature.es384.high-s",
            title: "an ES384 signature with s replaced by n - s",
            rationale: "(r, n - s) is a valid ECDSA signature too; WebAuthn does not require low-S",
            setup: ES384,
            plan: auth_post(|p| ecdsa(p, |r, s| der(&r, &sub(&P384_N, &s)))),
            ..HIGH_S
        },
        // ---- RS256 ----
        Case {
            id: "auth.signature.rs256.short",
            setup: RS256,
            title: "an RS256 signature without its first byte (255 bytes for a 2048-bit key)",
            rationale: "an RSASSA-PKCS1-v1_5 signature is exactly as long as the modulus (RFC 8017 §8.2.2)",
            plan: auth_post(|p| resign_with(p, |s| s.get(1..).unwrap_or_default().to_vec())),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.rs256.leading-zero",
            setup: RS256,
            title: "an RS256 signature with a zero byte prepended (257 bytes)",
            rationale: "an RSASSA-PKCS1-v1_5 signature is exactly as long as the modulus (RFC 8017 §8.2.2)",
            plan: auth_post(|p| resign_with(p, |s| [&[0u8][..], s].concat())),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.rs256.byte-flipped",
            setup: RS256,
            title: "an RS256 signature with one bit of its first byte flipped",
            rationale: "a changed signature does not verify",
            plan: auth_post(|p| resign_with(p, flip_first)),
            ..WRONG
        },
        Case {
            id: "auth.signature.rs256.zero",
            setup: RS256,
            title: "an RS256 signature of 256 zero bytes",
            rationale: "0 is in range but is no signature of anything",
            plan: auth_post(|p| resign_with(p, |s| vec![0; s.len()])),
            ..WRONG
        },
        Case {
            id: "auth.signature.rs256.modulus",
            setup: RS256,
            title: "an RS256 signature equal to the modulus n",
            rationale: "a signature representative must be below n (RFC 8017 §5.2.2)",
            plan: auth_post(|p| {
                if let wire::cose::CoseKey::Rsa { n, .. } = p.credential.key.cose_key() {
                    p.signed.signature = n;
                }
            }),
            ..WRONG
        },
        Case {
            id: "auth.signature.rs256.pss-signature",
            setup: RS256,
            title: "an RSASSA-PSS signature (PS256) by the credential's RS256 key over the right message",
            rationale: "an RS256 key verifies RSASSA-PKCS1-v1_5 signatures only; a PSS signature of the same key \
                        and message is no RS256 signature (RFC 8812 §2)",
            plan: auth_post(|p| sign_as(p, Algorithm::Ps256)),
            ..WRONG
        },
        // ---- ES512 (P-521, SHA-512) ----
        Case {
            id: "auth.signature.es512.raw-r-s",
            setup: ES512,
            title: "an ES512 signature as raw r||s (132 bytes) instead of DER",
            rationale: "WebAuthn ECDSA signatures are DER (§6.5.5)",
            plan: auth_post(|p| ecdsa(p, |r, s| [pad(&r, 66), pad(&s, 66)].concat())),
            ..ENCODING
        },
        Case {
            id: "auth.signature.es512.r-zero-s-zero",
            setup: ES512,
            title: "an ES512 signature of r = 0 and s = 0 (the \"psychic signature\")",
            rationale: BOTH_ZERO,
            plan: auth_post(|p| ecdsa(p, |_, _| der(&[], &[]))),
            ..PSYCHIC
        },
        Case {
            id: "auth.signature.es512.s-plus-n",
            setup: ES512,
            title: "an ES512 signature with s replaced by s + n",
            rationale: RANGE,
            plan: auth_post(|p| ecdsa(p, |r, s| der(&r, &add(&s, &p521_n())))),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.es512.last-byte-incremented",
            setup: ES512,
            title: "the last byte of an ES512 signature incremented",
            rationale: "a signature one unit off does not verify",
            plan: auth_post(|p| resign_with(p, bump_last)),
            ..WRONG
        },
        Case {
            id: "auth.signature.es512.high-s",
            title: "an ES512 signature with s replaced by n - s",
            rationale: "(r, n - s) is a valid ECDSA signature too; WebAuthn does not require low-S",
            setup: ES512,
            plan: auth_post(|p| ecdsa(p, |r, s| der(&r, &sub(&p521_n(), &s)))),
            ..HIGH_S
        },
        // ---- PS256, PS384, PS512 (RSASSA-PSS) ----
        Case {
            id: "auth.signature.ps256.byte-flipped",
            setup: PS256,
            title: "a PS256 signature with one bit of its first byte flipped",
            rationale: "a changed signature does not verify",
            plan: auth_post(|p| resign_with(p, flip_first)),
            ..WRONG
        },
        Case {
            id: "auth.signature.ps256.pkcs1-signature",
            setup: PS256,
            title: "an RSASSA-PKCS1-v1_5 signature (RS256) by the credential's PS256 key over the right message",
            rationale: "a PS256 key verifies RSASSA-PSS signatures with SHA-256 only (§6.5.5); the same key's \
                        PKCS#1 v1.5 signature is no PS256 signature",
            plan: auth_post(|p| sign_as(p, Algorithm::Rs256)),
            ..WRONG
        },
        Case {
            id: "auth.signature.ps256.short",
            setup: PS256,
            title: "a PS256 signature without its first byte (255 bytes for a 2048-bit key)",
            rationale: "an RSASSA-PSS signature is exactly as long as the modulus (RFC 8017 §8.1.2)",
            plan: auth_post(|p| resign_with(p, |s| s.get(1..).unwrap_or_default().to_vec())),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.ps384.sha256-signature",
            setup: PS384,
            title: "a PS256 signature (SHA-256, 32-byte salt) by the credential's PS384 key over the right message",
            rationale: "PS384 hashes with SHA-384 (RFC 8230 §2); a signature with another hash does not verify",
            plan: auth_post(|p| sign_as(p, Algorithm::Ps256)),
            ..WRONG
        },
        Case {
            id: "auth.signature.ps512.byte-flipped",
            setup: PS512,
            title: "a PS512 signature with one bit of its first byte flipped",
            rationale: "a changed signature does not verify",
            plan: auth_post(|p| resign_with(p, flip_first)),
            ..WRONG
        },
        // ---- RS384, RS512, RS1 (RSASSA-PKCS1-v1_5) ----
        Case {
            id: "auth.signature.rs384.sha256-signature",
            setup: RS384,
            title: "an RS256 signature (SHA-256) by the credential's RS384 key over the right message",
            rationale: "RS384 hashes with SHA-384 (RFC 8812 §2); a signature with another hash does not verify",
            plan: auth_post(|p| sign_as(p, Algorithm::Rs256)),
            ..WRONG
        },
        Case {
            id: "auth.signature.rs512.byte-flipped",
            setup: RS512,
            title: "an RS512 signature with one bit of its first byte flipped",
            rationale: "a changed signature does not verify",
            plan: auth_post(|p| resign_with(p, flip_first)),
            ..WRONG
        },
        Case {
            id: "auth.signature.rs1.byte-flipped",
            setup: RS1,
            title: "an RS1 signature with one bit of its first byte flipped",
            rationale: "a changed signature does not verify",
            plan: auth_post(|p| resign_with(p, flip_first)),
            ..WRONG
        },
        Case {
            id: "auth.signature.rs1.sha256-signature",
            setup: RS1,
            title: "an RS256 signature (SHA-256) by the credential's RS1 key over the right message",
            rationale: "RS1 hashes with SHA-1 (RFC 8812 §2); a signature with another hash does not verify",
            plan: auth_post(|p| sign_as(p, Algorithm::Rs256)),
            ..WRONG
        },
        // ---- EdDSA (Ed25519) ----
        Case {
            id: "auth.signature.eddsa.63-bytes",
            setup: EDDSA,
            title: "an Ed25519 signature without its last byte (63 bytes)",
            rationale: "an Ed25519 signature is exactly 64 bytes (RFC 8032 §5.1.6)",
            plan: auth_post(|p| resign_with(p, |s| s.get(..63).unwrap_or_default().to_vec())),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.eddsa.65-bytes",
            setup: EDDSA,
            title: "an Ed25519 signature followed by one 0x00 byte (65 bytes)",
            rationale: "an Ed25519 signature is exactly 64 bytes (RFC 8032 §5.1.6)",
            plan: auth_post(|p| resign_with(p, |s| [s, &[0u8][..]].concat())),
            ..NOT_A_SIGNATURE
        },
        Case {
            id: "auth.signature.eddsa.byte-flipped",
            setup: EDDSA,
            title: "an Ed25519 signature with one bit of R flipped",
            rationale: "a changed signature does not verify",
            plan: auth_post(|p| resign_with(p, flip_first)),
            ..WRONG
        },
        Case {
            id: "auth.signature.eddsa.s-plus-l",
            setup: EDDSA,
            title: "an Ed25519 signature with S replaced by S + L (the same value mod L)",
            rationale: "RFC 8032 §5.1.7 rejects S ≥ L; accepting it makes signatures malleable",
            plan: auth_post(|p| {
                resign_with(p, |s| {
                    let (r, s_le) = s.split_at(32.min(s.len()));
                    let mut s_be: Vec<u8> = s_le.iter().rev().copied().collect();
                    let l_be: Vec<u8> = ED25519_L_LE.iter().rev().copied().collect();
                    s_be = pad(&add(&s_be, &l_be), 32);
                    [r.to_vec(), s_be.into_iter().rev().collect()].concat()
                })
            }),
            ..WRONG
        },
        Case {
            id: "auth.signature.eddsa.zero",
            setup: EDDSA,
            title: "an Ed25519 signature of 64 zero bytes",
            rationale: "well-formed length, no signature of this message",
            plan: auth_post(|p| resign_with(p, |_| vec![0; 64])),
            ..WRONG
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_round_trip_and_arithmetic() {
        let r = vec![0x80, 1, 2];
        let s = vec![0x01, 2];
        let sig = der(&r, &s);
        assert_eq!(sig, vec![0x30, 0x0a, 0x02, 0x04, 0x00, 0x80, 1, 2, 0x02, 0x02, 0x01, 0x02]);
        assert_eq!(der_parts(&sig), Some((r, s)));
        assert_eq!(add(&[0xff], &[0x01]), vec![0x01, 0x00]);
        assert_eq!(sub(&[0x01, 0x00], &[0x01]), vec![0xff]);
        assert_eq!(sub(&add(&P256_N, &[5]), &P256_N), vec![5]);
        assert_eq!(der(&[], &[1]), vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]);
        // The psychic signature, as CVE-2022-21449's demonstrations send it.
        assert_eq!(der(&[], &[]), vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);
    }

    #[test]
    fn the_orders_are_the_curves() {
        use p256::elliptic_curve::bigint::ArrayEncoding;
        use p256::elliptic_curve::Curve;
        assert_eq!(p256::NistP256::ORDER.to_be_byte_array()[..], P256_N[..]);
        assert_eq!(p384::NistP384::ORDER.to_be_byte_array()[..], P384_N[..]);
        let n = p521_n();
        assert_eq!((n.len(), n[0]), (66, 0x01), "521 bits");
    }

    #[test]
    fn der_long_form_for_p521_sized_parts() {
        let r = vec![0x80; 66];
        let s = vec![0x01; 66];
        let sig = der(&r, &s);
        // 2 + 67 and 2 + 66 bytes of INTEGERs: 137 bytes of content, so the long form 81 89.
        assert_eq!(&sig[..3], &[0x30, 0x81, 137]);
        assert_eq!(der_parts(&sig), Some((r, s)));
        // A long form for a short length is not DER.
        assert_eq!(der_parts(&[0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), None);
    }
}
