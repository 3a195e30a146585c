//! Attestation statements: the format identifier (§8.1; §7.1 step 21), each format's verification procedure
//! (`none` §8.7, `packed` §8.2 with its certificate requirements §8.2.1, `fido-u2f` §8.6; §7.1 step 22) and
//! the trust assessment (§7.1 steps 23-24). Registration only: §7.2 has no attestation.
//!
//! Packed x5c and fido-u2f cases re-sign the statement after the mutation, with a certificate issued for the
//! case under the harness's attestation root ([`crate::pki`]), so each case breaks exactly one requirement.

use sha2::{Digest, Sha256};
use wire::cbor::Value;
use wire::cose::alg;

use super::mutate::{
    aaguid, attestation_message, attested, edit_att_stmt, flip_last_byte, other_key, remove_text,
    set_credential_key, set_text,
};
use super::signature::{der, der_parts, pad, sub, BOTH_ZERO, P256_N, PSYCHIC_SIGNATURES};
use super::{
    reg_post, reg_pre, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, Plan, Reference, RegHooks,
    RegPost, Setup, REG_VALID,
};
use crate::ceremony::{sign_p256, u2f_registration_data, AttestationKind};
use crate::keys::Algorithm;
use crate::pki::{self, CertSpec, Issued};

const NONE: Setup = Setup::DEFAULT;
const SELF: Setup = Setup { attestation: AttestationKind::PackedSelf, ..Setup::DEFAULT };
const X5C: Setup = Setup { attestation: AttestationKind::PackedX5c, ..Setup::DEFAULT };
const U2F: Setup = Setup { attestation: AttestationKind::FidoU2f, ..Setup::DEFAULT };

const UNSUPPORTED: Option<CheckId> = Some(CheckId::RegAttestationFormatUnsupported);
const STATEMENT: Option<CheckId> = Some(CheckId::RegAttestationStatementMalformed);
const SIGNATURE: Option<CheckId> = Some(CheckId::RegAttestationSignature);
const CERTIFICATE: Option<CheckId> = Some(CheckId::RegAttestationCertificate);
const UNTRUSTED: Option<CheckId> = Some(CheckId::RegAttestationUntrusted);
const ALG_MISMATCH: Option<CheckId> = Some(CheckId::RegAttestationAlgMismatch);

// ---- the verification procedures' own steps (§8.2, §8.6): the RP's procedure, through §7.1 step 22 ----

/// §8.2, self attestation: the signature by the credential key.
const PACKED_SELF_SIG: Option<Basis> = Some(Basis::procedure(
    "§8.2 verification procedure",
    "Verify that sig is a valid signature over the concatenation of authenticatorData and clientDataHash using \
     the credential public key with alg.",
));

/// §8.2, x5c present: the signature by the attestation certificate's key.
const PACKED_X5C_SIG: Option<Basis> = Some(Basis::procedure(
    "§8.2 verification procedure",
    "Verify that sig is a valid signature over the concatenation of authenticatorData and clientDataHash using \
     the attestation public key in attestnCert with the algorithm specified in alg.",
));

/// §8.2's certificate step and the §8.2.1 requirement it names, an item of the list the last sentence heads
/// (quoted last: a sentence ending in a colon would run into the next one): the certificate has a Basic
/// Constraints extension, with cA false.
const PACKED_BASIC_CONSTRAINTS: Option<Basis> = Some(Basis::procedure(
    "§8.2, §8.2.1",
    "Verify that attestnCert meets the requirements in . The Basic Constraints extension MUST have the CA \
     component set to false. The attestation certificate MUST have the following fields/extensions:",
));

/// §8.6: the signature over verificationData.
const U2F_SIG: Option<Basis> = Some(Basis::procedure(
    "§8.6 verification procedure",
    "Verify the sig using verificationData and the certificate public key per section 4.1.4 of with SHA-256 as \
     the hash function used in step two.",
));

/// §8.6: exactly one certificate.
const U2F_ONE_CERTIFICATE: Option<Basis> = Some(Basis::procedure(
    "§8.6 verification procedure",
    "Check that x5c has exactly one element and let attCert be that element.",
));

/// A fido-u2f attestation the RP must refuse (§8.6).
const U2F_REJECTED: Case = Case {
    spec: "§8.6, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    ..Case::must_reject(Ceremony::Registration)
};

/// A packed attestation the RP must refuse (§8.2).
const PACKED_REJECTED: Case = Case {
    spec: "§8.2, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    ..Case::must_reject(Ceremony::Registration)
};

/// Key seed of the certificates issued for individual cases (one key; the certificates differ).
const CASE_KEY: u64 = 0x0a77_ca5e;

/// 2040-01-01T00:00:00Z: a notBefore still in the future when the harness runs.
const FUTURE: u64 = 2_208_988_800;
/// 2024-01-02T00:00:00Z: a notAfter long past.
const PAST: u64 = pki::NOT_BEFORE + 86_400;

// ---- statements rebuilt after the mutation ----

/// A packed x5c statement over the signed registration: `sig` by `leaf`'s key, `x5c` = `chain`.
fn packed_x5c(p: &mut RegPost<'_>, leaf: &Issued, chain: Vec<Vec<u8>>) {
    let sig = sign_p256(&leaf.key, &attestation_message(&p.signed));
    p.signed.attestation_object.att_stmt = Value::Map(vec![
        (Value::from("alg"), Value::from(alg::ES256)),
        (Value::from("sig"), Value::Bytes(sig)),
        (Value::from("x5c"), Value::Array(chain.into_iter().map(Value::Bytes).collect())),
    ]);
}

/// A packed x5c statement with a leaf issued under the root for the baseline's spec changed by `f`.
fn packed_leaf_with(p: &mut RegPost<'_>, f: impl FnOnce(&mut CertSpec)) {
    let mut spec = CertSpec::packed_leaf(aaguid(&p.signed));
    f(&mut spec);
    let leaf = pki::issue(&spec, CASE_KEY);
    packed_x5c(p, &leaf, vec![leaf.der.clone()]);
}

/// The §8.6 verificationData of the signed registration.
fn u2f_message(p: &RegPost<'_>) -> Vec<u8> {
    let hash: [u8; 32] = Sha256::digest(&p.signed.client_data_json).into();
    match wire::authdata::AuthenticatorData::parse(&p.signed.attestation_object.auth_data) {
        Ok(parsed) => u2f_registration_data(&parsed.data, &hash),
        Err(_) => Vec::new(),
    }
}

/// A fido-u2f statement: `sig` by `leaf` over `message`, `x5c` = `chain`.
fn u2f(p: &mut RegPost<'_>, leaf: &Issued, message: &[u8], chain: Vec<Vec<u8>>) {
    p.signed.attestation_object.att_stmt = Value::Map(vec![
        (Value::from("sig"), Value::Bytes(sign_p256(&leaf.key, message))),
        (Value::from("x5c"), Value::Array(chain.into_iter().map(Value::Bytes).collect())),
    ]);
}

/// Replaces the DER ECDSA `sig` of a statement with `f(r, s)`.
fn reencode_sig(entries: &mut [(Value, Value)], f: impl FnOnce(Vec<u8>, Vec<u8>) -> Vec<u8>) {
    if let Some((_, Value::Bytes(sig))) = entries.iter_mut().find(|(k, _)| k.as_text() == Some("sig")) {
        if let Some((r, s)) = der_parts(sig) {
            *sig = f(r, s);
        }
    }
}

fn set_fmt(p: &mut RegPost<'_>, fmt: &str) {
    p.signed.attestation_object.fmt = fmt.to_owned();
}

/// §8.7: the none statement is the fixed empty map, which the authenticator's signing procedure returns
/// (§6.5.4: "the authenticator MUST: Let attStmt be ..."); the none verification procedure reads nothing of it.
const NONE_STATEMENT: Option<Basis> = Some(Basis::data(
    "§6.5.4, §8.7",
    "Let attStmt be the result of running attestationFormat's signing procedure given authData and hash. Return \
     the fixed attestation statement defined above.",
));

/// What the rows of a registered format the harness does not produce (sent with an empty statement) share.
const REGISTERED_FORMAT: Case = Case {
    spec: "§7.1 steps 21-22",
    rationale:
        "whether or not the RP implements the format, an empty statement conveys no valid attestation of it",
    flags: &[Flag::AttestationFormatUnchecked],
    check: UNSUPPORTED,
    // Step 21 fails where the RP does not support the format, step 22 where it does.
    basis: Some(Basis::procedure(
        "§7.1 steps 21-22",
        "Determine the attestation statement format by performing a USASCII case-sensitive match on fmt against \
         the set of supported WebAuthn Attestation Statement Format Identifier values. Verify that attStmt is a \
         correct attestation statement, conveying a valid attestation signature, by using the attestation \
         statement format fmt's verification procedure given attStmt, authData and hash.",
    )),
    setup: NONE,
    ..Case::must_reject(Ceremony::Registration)
};

pub(super) fn cases() -> Vec<Case> {
    let mut v = vec![
        // ---- fmt (§8.1: case-sensitive identifiers; step 21) ----
        Case {
            id: "reg.attestation.fmt.unknown",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt is \"foo\", which no registry lists, with an empty attStmt",
            rationale: "the RP can only verify a statement of a format it supports; an unknown one cannot pass step 22",
            flags: &[Flag::AttestationFormatUnchecked],
            check: UNSUPPORTED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-1"),
            setup: NONE,
            plan: reg_post(|p| set_fmt(p, "foo")),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.fmt.uppercase-none",
            ceremony: Ceremony::Registration,
            spec: "§8.1, §7.1 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt is \"NONE\" with an empty attStmt",
            rationale: "format identifiers are matched case-sensitively; \"NONE\" is not \"none\"",
            flags: &[Flag::AttestationFormatUnchecked],
            check: UNSUPPORTED,
            setup: NONE,
            plan: reg_post(|p| set_fmt(p, "NONE")),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.fmt.capitalised-packed",
            ceremony: Ceremony::Registration,
            spec: "§8.1, §7.1 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt is \"Packed\" with a valid packed self-attestation statement",
            rationale: "format identifiers are matched case-sensitively; \"Packed\" is not \"packed\"",
            flags: &[Flag::AttestationFormatUnchecked],
            check: UNSUPPORTED,
            setup: SELF,
            plan: reg_post(|p| set_fmt(p, "Packed")),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.fmt.trailing-space",
            ceremony: Ceremony::Registration,
            spec: "§8.1, §7.1 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt is \"none \" (with a trailing space) and an empty attStmt",
            rationale: "identifiers are matched exactly; trimming before matching accepts formats that do not exist",
            flags: &[Flag::AttestationFormatUnchecked],
            check: UNSUPPORTED,
            setup: NONE,
            plan: reg_post(|p| set_fmt(p, "none ")),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.fmt.empty",
            ceremony: Ceremony::Registration,
            spec: "§8.1, §7.1 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt is the empty string, with an empty attStmt",
            rationale: "the empty string is no attestation statement format identifier",
            flags: &[Flag::AttestationFormatUnchecked],
            check: UNSUPPORTED,
            setup: NONE,
            plan: reg_post(|p| set_fmt(p, "")),
            ..Case::DEFAULTS
        },
        // ---- none (§8.7) ----
        Case {
            id: "reg.attestation.none.full-statement",
            ceremony: Ceremony::Registration,
            spec: "§8.7, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt \"none\" with a full packed statement (alg, sig, x5c) as attStmt",
            rationale: "a none statement is the empty map; anything else does not conform to the format's syntax",
            flags: &[Flag::AttestationUnchecked],
            check: Some(CheckId::RegAttestationNoneNotEmpty),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-7 F-1"),
            basis: NONE_STATEMENT,
            setup: NONE,
            plan: reg_post(|p| {
                let leaf = pki::packed_leaf(aaguid(&p.signed));
                packed_x5c(p, &leaf, vec![leaf.der.clone()]);
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.none.array",
            ceremony: Ceremony::Registration,
            spec: "§8.7, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt \"none\" with an empty array as attStmt",
            rationale: "a none statement is the empty map, not an empty array",
            flags: &[Flag::AttestationUnchecked],
            check: Some(CheckId::RegAttestationNoneNotEmpty),
            basis: NONE_STATEMENT,
            setup: NONE,
            plan: reg_post(|p| p.signed.attestation_object.att_stmt = Value::Array(vec![])),
            ..Case::DEFAULTS
        },
        // ---- packed, self attestation (§8.2 verification procedure, step 3) ----
        Case {
            id: "reg.attestation.packed-self.alg-mismatch",
            title: "packed self attestation whose alg says -257 (RS256) for an ES256 credential key",
            rationale: "for self attestation alg must match the credential public key's algorithm",
            check: ALG_MISMATCH,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-16"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "alg", Value::from(alg::RS256)))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-flipped",
            title: "packed self attestation whose sig has its last bit flipped",
            rationale: "sig must verify over authData || clientDataHash with the credential public key",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-6 F-1"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.es512.sig-flipped",
            title: "packed self attestation of an ES512 credential whose sig has its last bit flipped",
            rationale: "sig must verify over authData || clientDataHash with the credential public key (P-521, SHA-512)",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            setup: Setup { alg: Algorithm::Es512, ..SELF },
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.ps256.sig-flipped",
            title: "packed self attestation of a PS256 credential whose sig has its last bit flipped",
            rationale: "sig must verify over authData || clientDataHash with the credential public key (RSASSA-PSS)",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            setup: Setup { alg: Algorithm::Ps256, ..SELF },
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.rs1.sig-flipped",
            title: "packed self attestation of an RS1 credential whose sig has its last bit flipped",
            rationale: "sig must verify over authData || clientDataHash with the credential public key \
                        (RSASSA-PKCS1-v1_5, SHA-1)",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            setup: Setup { alg: Algorithm::Rs1, ..SELF },
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-by-other-key",
            title: "packed self attestation signed by another ES256 key than the credential's",
            rationale: "self attestation proves possession of the credential private key; another key's signature proves nothing",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            setup: SELF,
            plan: reg_post(|p| {
                let sig = other_key(Algorithm::Es256, 0x05e1_f000).sign(&attestation_message(&p.signed));
                edit_att_stmt(p, |m| set_text(m, "sig", Value::Bytes(sig)))
            }),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-over-other-client-data",
            title: "packed self attestation whose sig covers another clientDataJSON than the one sent",
            rationale: "the signature binds the authenticator data to this ceremony's client data (and challenge)",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            setup: SELF,
            // Signed over the client data with a space appended; the client data is sent without it.
            plan: Plan::Register(RegHooks {
                pre: Some(|p| p.draft.client_data_json.push(b' ')),
                post: Some(|p| {
                    p.signed.client_data_json.pop();
                }),
                ..RegHooks::NONE
            }),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.empty-statement",
            title: "fmt \"packed\" with an empty attStmt",
            rationale: "a packed statement has alg and sig; without them there is nothing to verify",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-13"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| m.clear())),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.alg-missing",
            title: "packed self attestation without alg",
            rationale: "alg is a required member of a packed statement",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-14"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| remove_text(m, "alg"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.alg-not-number",
            title: "packed self attestation whose alg is the text \"ES256\"",
            rationale: "alg is a COSEAlgorithmIdentifier, an integer",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-15"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "alg", Value::from("ES256")))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-missing",
            title: "packed self attestation without sig",
            rationale: "sig is a required member of a packed statement",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-17"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| remove_text(m, "sig"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-not-bytes",
            title: "packed self attestation whose sig is a text string",
            rationale: "sig is a byte string",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-18"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "sig", Value::from("signature")))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-empty",
            title: "packed self attestation whose sig is an empty byte string",
            rationale: "an empty byte string is no signature",
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-19"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "sig", Value::Bytes(vec![])))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.x5c-empty",
            title: "packed self attestation with an empty x5c array added",
            rationale: "x5c, when present, holds at least the attestation certificate; an empty one fits neither syntax",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-5"),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![])))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-raw-r-s",
            ceremony: Ceremony::Registration,
            spec: "§6.5.5",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed self attestation whose ES256 sig is raw r||s (64 bytes) instead of DER",
            rationale: "packed ECDSA signatures MUST be ASN.1 DER Ecdsa-Sig-Value (§6.5.5)",
            flags: &[Flag::SignatureEncodingLeniency],
            check: SIGNATURE,
            // A lenient parser reads the pair and the signature verifies: the DER form is the authenticator's rule.
            basis: Some(Basis::data(
                "§6.5.5",
                "For COSEAlgorithmIdentifier -7 (ES256), and other ECDSA-based algorithms, the sig value MUST be \
                 encoded as an ASN.1 DER Ecdsa-Sig-Value, as defined in section 2.2.3.",
            )),
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| reencode_sig(m, |r, s| [pad(&r, 32), pad(&s, 32)].concat()))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-self.sig-r-zero-s-zero",
            title: "packed self attestation whose ES256 sig is r = 0 and s = 0 (the \"psychic signature\")",
            rationale: BOTH_ZERO,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureUnchecked],
            references: PSYCHIC_SIGNATURES,
            check: SIGNATURE,
            basis: PACKED_SELF_SIG,
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "sig", Value::Bytes(der(&[], &[]))))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-self.sig-high-s",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §7.1 step 22",
            level: Level::Policy,
            expect: Expect::Either,
            title: "packed self attestation whose ES256 sig has s replaced by n - s",
            rationale: "(r, n - s) is a valid ECDSA signature too; WebAuthn does not require low-S",
            flags: &[Flag::SignatureEncodingLeniency],
            check: None,
            basis: PACKED_SELF_SIG,
            setup: SELF,
            plan: reg_post(|p| edit_att_stmt(p, |m| reencode_sig(m, |r, s| der(&r, &sub(&P256_N, &s))))),
            ..Case::DEFAULTS
        },
        // ---- packed with x5c (§8.2 verification procedure, step 2; §8.2.1) ----
        Case {
            id: "reg.attestation.packed-x5c.sig-flipped",
            title: "packed x5c attestation whose sig has its last bit flipped",
            rationale: "sig must verify with the attestation certificate's public key",
            check: SIGNATURE,
            basis: PACKED_X5C_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-2"),
            setup: X5C,
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.sig-r-zero-s-zero",
            title: "packed x5c attestation whose ES256 sig is r = 0 and s = 0 (the \"psychic signature\")",
            rationale: BOTH_ZERO,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureUnchecked],
            references: PSYCHIC_SIGNATURES,
            check: SIGNATURE,
            basis: PACKED_X5C_SIG,
            setup: X5C,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "sig", Value::Bytes(der(&[], &[]))))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.signed-by-credential-key",
            title: "packed attestation with x5c, but sig made with the credential key instead of the certificate's",
            rationale: "with x5c the signature must verify with the attestation certificate's key",
            check: SIGNATURE,
            basis: PACKED_X5C_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-14"),
            setup: X5C,
            plan: Plan::Register(RegHooks {
                pre: Some(|p| p.attestation = AttestationKind::PackedSelf),
                post: Some(|p| {
                    let leaf = pki::packed_leaf(aaguid(&p.signed));
                    edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![Value::Bytes(leaf.der)])))
                }),
                ..RegHooks::NONE
            }),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.x5c-missing",
            title: "packed attestation signed by the attestation key, with x5c removed",
            rationale: "without x5c the statement is self attestation, and sig must then verify with the credential key",
            check: SIGNATURE,
            // Without x5c the procedure takes the self attestation branch: the credential key must verify sig.
            basis: PACKED_SELF_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-3"),
            setup: X5C,
            plan: reg_post(|p| edit_att_stmt(p, |m| remove_text(m, "x5c"))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.alg-mismatch",
            title: "packed x5c attestation by a P-256 certificate whose alg says -257 (RS256)",
            rationale: "sig is verified with the certificate's key using alg; RS256 does not fit a P-256 key",
            check: ALG_MISMATCH,
            // The check's sentence is the self attestation branch's; with x5c, alg is what sig is verified with.
            basis: PACKED_X5C_SIG,
            setup: X5C,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "alg", Value::from(alg::RS256)))),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.x5c-not-array",
            title: "packed x5c attestation whose x5c is the certificate's bytes, not an array of them",
            rationale: "x5c is an array of certificates",
            check: STATEMENT,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-4"),
            setup: X5C,
            plan: reg_post(|p| {
                let leaf = pki::packed_leaf(aaguid(&p.signed));
                edit_att_stmt(p, |m| set_text(m, "x5c", Value::Bytes(leaf.der)))
            }),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.x5c-item-not-bytes",
            title: "packed x5c attestation whose x5c holds a text string",
            rationale: "each x5c element is a DER certificate in a byte string",
            check: STATEMENT,
            setup: X5C,
            plan: reg_post(|p| {
                edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![Value::from("certificate")])))
            }),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.garbage-certificate",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed x5c attestation whose only certificate is 64 bytes that are not DER",
            rationale: "the attestation public key comes from attestnCert; bytes that are no certificate hold none",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: STATEMENT,
            basis: PACKED_X5C_SIG,
            setup: X5C,
            plan: reg_post(|p| {
                edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![Value::Bytes(vec![0x42; 64])])))
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.chain-reversed",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed x5c attestation whose x5c is [root, attestation certificate]",
            rationale: "attestnCert MUST be the first element; with the root first the signature does not verify with its key",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: SIGNATURE,
            basis: Some(Basis::procedure(
                "§8.2",
                "The attestation certificate attestnCert MUST be the first element in the array. Verify that sig \
                 is a valid signature over the concatenation of authenticatorData and clientDataHash using the \
                 attestation public key in attestnCert with the algorithm specified in alg.",
            )),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-11"),
            setup: X5C,
            plan: reg_post(|p| {
                let leaf = pki::packed_leaf(aaguid(&p.signed));
                let root = pki::root().der.clone();
                edit_att_stmt(p, |m| {
                    set_text(m, "x5c", Value::Array(vec![Value::Bytes(root), Value::Bytes(leaf.der)]))
                })
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.full-chain",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §7.1 step 24",
            level: Level::Policy,
            expect: Expect::Either,
            title: "packed x5c attestation whose x5c is [attestation certificate, root]",
            rationale: "x5c holds attestnCert \"and its certificate chain\"; the spec does not forbid the root in it (the FIDO tool's Resp-5 F-10 does), and it still chains to the configured anchor",
            flags: &[Flag::AttestationTrustUnchecked],
            check: None,
            fido_expect: Some(Expect::Reject),
            basis: Some(Basis::procedure(
                "§8.2, §7.1 step 24",
                "The elements of this array contain attestnCert and its certificate chain (if any), each encoded in \
                 X.509 format. Otherwise, use the X.509 certificates returned as the attestation trust path from the \
                 verification procedure to verify that the attestation public key either correctly chains up to an \
                 acceptable root certificate, or is itself an acceptable certificate (i.e., it and the root \
                 certificate obtained in [step 22](#reg-ceremony-attestation-trust-anchors) may be the same).",
            )),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-10"),
            setup: X5C,
            plan: reg_post(|p| {
                let leaf = pki::packed_leaf(aaguid(&p.signed));
                packed_x5c(p, &leaf, vec![leaf.der.clone(), pki::root().der.clone()])
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.self-signed",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 24",
            level: Level::Should,
            expect: Expect::Reject,
            title: "packed x5c attestation by a self-signed certificate (valid for §8.2.1) under no trusted root",
            rationale: "an attestation that does not chain to an acceptable root is not trustworthy, and the RP SHOULD fail the registration",
            flags: &[Flag::AttestationTrustUnchecked],
            check: UNTRUSTED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-9"),
            setup: X5C,
            plan: reg_post(|p| {
                let leaf = pki::self_signed(&CertSpec::packed_leaf(aaguid(&p.signed)), CASE_KEY);
                packed_x5c(p, &leaf, vec![leaf.der.clone()])
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.expired",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 24",
            level: Level::Should,
            expect: Expect::Reject,
            title: "packed x5c attestation by a certificate that expired on 2024-01-02",
            rationale: "a certificate outside its validity period does not chain validly (RFC 5280 §6.1.3), so the attestation is not trustworthy",
            flags: &[Flag::AttestationTrustUnchecked],
            check: Some(CheckId::RegAttestationChainValidity),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-6"),
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.not_after = PAST)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.not-yet-valid",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 24",
            level: Level::Should,
            expect: Expect::Reject,
            title: "packed x5c attestation by a certificate valid only from 2040",
            rationale: "a certificate outside its validity period does not chain validly (RFC 5280 §6.1.3), so the attestation is not trustworthy",
            flags: &[Flag::AttestationTrustUnchecked],
            check: Some(CheckId::RegAttestationChainValidity),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-7"),
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.not_before = FUTURE)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.ou-wrong",
            ceremony: Ceremony::Registration,
            spec: "§8.2.1, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate whose subject OU is \"Authenticator\"",
            rationale: "Subject-OU MUST be the literal \"Authenticator Attestation\"",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: CERTIFICATE,
            setup: X5C,
            plan: reg_post(|p| {
                packed_leaf_with(p, |s| s.subject = "CN=harness,OU=Authenticator,O=webauthn-harness,C=US".into())
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.country-missing",
            ceremony: Ceremony::Registration,
            spec: "§8.2.1, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate whose subject has no C (country)",
            rationale: "Subject-C is one of the subject fields a packed attestation certificate MUST have",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: CERTIFICATE,
            setup: X5C,
            plan: reg_post(|p| {
                packed_leaf_with(p, |s| {
                    s.subject = "CN=harness,OU=Authenticator Attestation,O=webauthn-harness".into()
                })
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.ca-true",
            ceremony: Ceremony::Registration,
            spec: "§8.2.1, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate with Basic Constraints cA = true",
            rationale: "the Basic Constraints extension MUST have the CA component set to false",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: CERTIFICATE,
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.ca = Some(true))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.basic-constraints-absent",
            ceremony: Ceremony::Registration,
            spec: "§8.2.1, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate without a Basic Constraints extension",
            rationale: "§8.2.1 lists the extension, with cA false, among those the certificate MUST have; that RFC 5280 reads its absence as cA false does not put it there",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: CERTIFICATE,
            basis: PACKED_BASIC_CONSTRAINTS,
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.ca = None)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.version-1",
            ceremony: Ceremony::Registration,
            spec: "§8.2.1, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate of X.509 version 1",
            rationale: "Version MUST be set to 3",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: CERTIFICATE,
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.v3 = false)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.aaguid-mismatch",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §7.1 step 22",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate whose id-fido-gen-ce-aaguid names another AAGUID than authData",
            rationale: "if the certificate has the AAGUID extension, its value must match the AAGUID in authData",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: Some(CheckId::RegAttestationAaguidMismatch),
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.aaguid = Some(([0x42; 16], false)))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.aaguid-critical",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §8.2.1",
            level: Level::Must,
            expect: Expect::Reject,
            title: "packed attestation certificate whose (matching) AAGUID extension is marked critical",
            rationale: "the id-fido-gen-ce-aaguid extension MUST NOT be marked as critical",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: Some(CheckId::RegAttestationAaguidMismatch),
            // The AAGUID matches; the certificate breaks §8.2.1, which the procedure's certificate step checks.
            basis: Some(Basis::procedure(
                "§8.2, §8.2.1",
                "Verify that attestnCert meets the requirements in . The extension MUST NOT be marked as critical.",
            )),
            setup: X5C,
            plan: reg_post(|p| {
                packed_leaf_with(p, |s| {
                    if let Some((_, critical)) = s.aaguid.as_mut() {
                        *critical = true;
                    }
                })
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.aaguid-absent",
            ceremony: Ceremony::Registration,
            spec: "§8.2, §8.2.1",
            level: Level::Policy,
            expect: Expect::Accept,
            title: "packed attestation certificate without the AAGUID extension",
            rationale: "the extension is required only of roots serving several models, which the RP may not know; the procedure checks it only when present",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(Basis::procedure(
                "§8.2, §8.2.1",
                "If attestnCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid) verify \
                 that the value of this extension matches the aaguid in authenticatorData. As Relying Parties may \
                 not know if the attestation root certificate is used for multiple authenticator models, it is \
                 suggested that Relying Parties check if the extension is present, and if it is, then validate that \
                 it contains that same AAGUID as presented in the attestation object.",
            )),
            setup: X5C,
            plan: reg_post(|p| packed_leaf_with(p, |s| s.aaguid = None)),
            ..Case::DEFAULTS
        },
        // ---- fido-u2f (§8.6) ----
        Case {
            id: "reg.attestation.fido-u2f.aaguid-nonzero",
            ceremony: Ceremony::Registration,
            spec: "§8.6, §7.1 step 22",
            level: Level::Policy,
            expect: Expect::Either,
            title: "fido-u2f attestation with a nonzero AAGUID in authData",
            rationale: "§8.6's procedure never reads the AAGUID (the §16 fido-u2f vector has a nonzero one); the FIDO tool's Resp-8 F-1 expects a rejection",
            flags: &[Flag::AttestationUnchecked],
            check: None,
            fido_expect: Some(Expect::Reject),
            // The procedure takes rpIdHash, credentialId and credentialPublicKey from authData, not the AAGUID.
            basis: Some(Basis::procedure(
                "§8.6 verification procedure",
                "Extract the claimed rpIdHash from authenticatorData, and the claimed credentialId and \
                 credentialPublicKey from authenticatorData.attestedCredentialData.",
            )),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-8 F-1"),
            setup: U2F,
            plan: reg_pre(|p| {
                if let Some(a) = attested(p) {
                    a.aaguid = [0x42; 16];
                }
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.fido-u2f.sig-flipped",
            title: "fido-u2f attestation whose sig has its last bit flipped",
            rationale: "sig must verify over verificationData with the certificate's public key",
            check: SIGNATURE,
            basis: U2F_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-8 F-2"),
            setup: U2F,
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..U2F_REJECTED
        },
        Case {
            id: "reg.attestation.fido-u2f.signed-like-packed",
            title: "fido-u2f attestation whose sig covers authData || clientDataHash (the packed message)",
            rationale: "a U2F signature covers 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F",
            check: SIGNATURE,
            basis: U2F_SIG,
            setup: U2F,
            plan: reg_post(|p| {
                let message = attestation_message(&p.signed);
                let leaf = pki::u2f_leaf();
                u2f(p, &leaf, &message, vec![leaf.der.clone()])
            }),
            ..U2F_REJECTED
        },
        Case {
            id: "reg.attestation.fido-u2f.two-certificates",
            title: "fido-u2f attestation whose x5c is [attestation certificate, root]",
            rationale: "the procedure checks that x5c has exactly one element",
            check: STATEMENT,
            basis: U2F_ONE_CERTIFICATE,
            setup: U2F,
            plan: reg_post(|p| {
                let message = u2f_message(p);
                let leaf = pki::u2f_leaf();
                u2f(p, &leaf, &message, vec![leaf.der.clone(), pki::root().der.clone()])
            }),
            ..U2F_REJECTED
        },
        Case {
            id: "reg.attestation.fido-u2f.x5c-empty",
            title: "fido-u2f attestation with an empty x5c",
            rationale: "the procedure checks that x5c has exactly one element",
            check: STATEMENT,
            basis: U2F_ONE_CERTIFICATE,
            setup: U2F,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![])))),
            ..U2F_REJECTED
        },
        Case {
            id: "reg.attestation.fido-u2f.sig-missing",
            title: "fido-u2f attestation without sig",
            rationale: "sig is a required member of a fido-u2f statement",
            check: STATEMENT,
            setup: U2F,
            plan: reg_post(|p| edit_att_stmt(p, |m| remove_text(m, "sig"))),
            ..U2F_REJECTED
        },
        Case {
            id: "reg.attestation.fido-u2f.credential-key-p384",
            title: "fido-u2f attestation (validly signed) of a P-384 credential key",
            rationale: "U2F credential keys are P-256: the procedure requires 32-byte x and y",
            check: CERTIFICATE,
            basis: Some(Basis::procedure(
                "§8.6 verification procedure",
                "Let x be the value corresponding to the \"-2\" key (representing x coordinate) in \
                 credentialPublicKey, and confirm its size to be of 32 bytes. If size differs or \"-2\" key is not \
                 found, terminate this algorithm and return an appropriate error.",
            )),
            setup: U2F,
            plan: reg_pre(|p| {
                let key = other_key(Algorithm::Es384, 0x0384_0f2f).cose_key().to_bytes();
                set_credential_key(p, key)
            }),
            ..U2F_REJECTED
        },
        Case {
            id: "reg.attestation.fido-u2f.self-signed",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 24",
            level: Level::Should,
            expect: Expect::Reject,
            title: "fido-u2f attestation by a self-signed certificate under no trusted root",
            rationale: "an attestation that does not chain to an acceptable root is not trustworthy, and the RP SHOULD fail the registration",
            flags: &[Flag::AttestationTrustUnchecked],
            check: UNTRUSTED,
            setup: U2F,
            plan: reg_post(|p| {
                let message = u2f_message(p);
                let leaf = pki::self_signed(&CertSpec::u2f_leaf(), CASE_KEY);
                u2f(p, &leaf, &message, vec![leaf.der.clone()])
            }),
            ..Case::DEFAULTS
        },
    ];
    v.extend([
        Case {
            id: "reg.attestation.fmt.tpm",
            ceremony: Ceremony::Registration,
            title: "fmt \"tpm\" with an empty attStmt",
            // The reference implements tpm (§8.3): the empty statement fails its step 1.
            check: STATEMENT,
            plan: reg_post(|p| set_fmt(p, "tpm")),
            ..REGISTERED_FORMAT
        },
        Case {
            id: "reg.attestation.fmt.android-key",
            ceremony: Ceremony::Registration,
            title: "fmt \"android-key\" with an empty attStmt",
            plan: reg_post(|p| set_fmt(p, "android-key")),
            // The reference implements android-key (§8.4): step 22 fails on the missing members.
            check: STATEMENT,
            ..REGISTERED_FORMAT
        },
        Case {
            id: "reg.attestation.fmt.android-safetynet",
            ceremony: Ceremony::Registration,
            title: "fmt \"android-safetynet\" with an empty attStmt",
            plan: reg_post(|p| set_fmt(p, "android-safetynet")),
            // The reference implements android-safetynet (§8.5): step 22 fails on the missing members.
            check: STATEMENT,
            ..REGISTERED_FORMAT
        },
        Case {
            id: "reg.attestation.fmt.apple",
            ceremony: Ceremony::Registration,
            title: "fmt \"apple\" with an empty attStmt",
            plan: reg_post(|p| set_fmt(p, "apple")),
            // The reference implements apple (§8.8): step 22 fails on the missing x5c.
            check: STATEMENT,
            ..REGISTERED_FORMAT
        },
        Case {
            id: "reg.attestation.fmt.compound",
            ceremony: Ceremony::Registration,
            title: "fmt \"compound\" with an empty attStmt",
            plan: reg_post(|p| set_fmt(p, "compound")),
            // The reference implements compound (§8.9): an empty map is no array of sub-statements.
            check: Some(CheckId::RegAttestationCompoundSyntax),
            ..REGISTERED_FORMAT
        },
    ]);
    // ---- issue 20: certificate paths (a root the statement brings along; a certificate algorithm other than
    // the credential's) ----
    v.extend([
        Case {
            id: "reg.attestation.packed-x5c.rogue-root-appended",
            ceremony: Ceremony::Registration,
            spec: "§7.1 steps 22-24",
            level: Level::Should,
            expect: Expect::Reject,
            title: "packed x5c attestation whose x5c is [attestation certificate, the self-signed CA that issued it], a CA that is no trust anchor",
            rationale: "acceptable roots come from a trusted source or policy, not from the statement: the chain ends at a root the RP does not trust, so the attestation is not trustworthy and the RP SHOULD fail the registration",
            flags: &[Flag::AttestationTrustUnchecked],
            check: UNTRUSTED,
            basis: Some(Basis::procedure(
                "§7.1 steps 22-24",
                "If validation is successful, obtain a list of acceptable trust anchors (i.e. attestation root \
                 certificates) for that attestation type and attestation statement format fmt, from a trusted \
                 source or from policy. Otherwise, use the X.509 certificates returned as the attestation trust \
                 path from the verification procedure to verify that the attestation public key either correctly \
                 chains up to an acceptable root certificate, or is itself an acceptable certificate (i.e., it and \
                 the root certificate obtained in [step 22](#reg-ceremony-attestation-trust-anchors) may be the \
                 same). If the attestation statement is not deemed trustworthy, the Relying Party SHOULD fail the \
                 registration ceremony.",
            )),
            setup: X5C,
            plan: reg_post(|p| {
                let name = "CN=webauthn-harness rogue root,O=webauthn-harness,C=US";
                let rogue_spec = CertSpec {
                    subject: name.into(),
                    serial: 9,
                    ca: Some(true),
                    aaguid: None,
                    ..CertSpec::packed_leaf([0; 16])
                };
                let rogue = pki::self_signed(&rogue_spec, ROGUE_KEY);
                let leaf = pki::issue_by(&CertSpec::packed_leaf(aaguid(&p.signed)), CASE_KEY, &rogue, name);
                packed_x5c(p, &leaf, vec![leaf.der.clone(), rogue.der])
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.packed-x5c.credential-es384",
            setup: Setup { alg: Algorithm::Es384, ..X5C },
            title: "a valid packed x5c attestation by an ES256 certificate (alg -7) of an ES384 credential",
            ..CERTIFICATE_ALG_OTHER_THAN_CREDENTIAL
        },
        Case {
            id: "reg.attestation.packed-x5c.credential-rs256",
            setup: Setup { alg: Algorithm::Rs256, ..X5C },
            title: "a valid packed x5c attestation by an ES256 certificate (alg -7) of an RS256 credential",
            ..CERTIFICATE_ALG_OTHER_THAN_CREDENTIAL
        },
        Case {
            id: "reg.attestation.packed-x5c.credential-eddsa",
            setup: Setup { alg: Algorithm::EdDsa, ..X5C },
            title: "a valid packed x5c attestation by an ES256 certificate (alg -7) of an EdDSA credential",
            ..CERTIFICATE_ALG_OTHER_THAN_CREDENTIAL
        },
    ]);
    // ---- issue 20: attestation the RP asked for (direct), answered with none or self attestation ----
    v.extend([
        Case {
            id: "reg.attestation.required.none",
            title: "a valid registration with a none statement, where the options asked for direct attestation",
            basis: Some(Basis::procedure(
                "§7.1 step 24",
                "If no attestation was provided, verify that None attestation is acceptable under Relying Party \
                 policy.",
            )),
            references: &[
                Reference {
                    id: "Yubico/java-webauthn-server#100",
                    summary: "java-webauthn-server 1.7.0's finishRegistration accepted a none statement for a registration whose options asked for DIRECT attestation (reported after a security review)",
                },
                Reference {
                    id: "passwordless-lib/fido2-net-lib#335",
                    summary: "fido2-net-lib's VerifyAsync picked the verifier by fmt alone and accepted fmt none although the options asked for direct attestation",
                },
            ],
            plan: reg_pre(|p| p.attestation = AttestationKind::None),
            ..ATTESTATION_ASKED
        },
        Case {
            id: "reg.attestation.required.self",
            title: "a valid registration with a packed self statement, where the options asked for direct attestation",
            basis: Some(Basis::procedure(
                "§7.1 step 24",
                "If self attestation was used, verify that self attestation is acceptable under Relying Party \
                 policy.",
            )),
            plan: reg_pre(|p| p.attestation = AttestationKind::PackedSelf),
            ..ATTESTATION_ASKED
        },
    ]);
    v
}

/// A valid registration whose options asked for direct attestation (the case's control: a packed x5c statement
/// under the harness's root), answered with no attestation or self attestation. §7.1 step 24 leaves whether
/// these are acceptable to the RP's policy, and asking for `direct` says only that the RP "wants to receive the
/// attestation statement as generated by the authenticator" (§5.4.7), which may be none or self: either answer
/// conforms (INFO). Where the user declares that the RP requires attestation (`grade --require-attestation`),
/// the step's "verify that ... is acceptable under Relying Party policy" fails against that policy, and the
/// grader judges the case as a MUST reject (check `reg.attestation.type-not-acceptable`).
const ATTESTATION_ASKED: Case = Case {
    ceremony: Ceremony::Registration,
    spec: "§7.1 step 24, §5.4.7",
    level: Level::Policy,
    expect: Expect::Either,
    rationale: "whether none or self attestation is acceptable is the RP's policy, even where it asked for direct attestation; an RP declared to require attestation must refuse it",
    flags: &[Flag::AttestationRequirementUnenforced],
    check: Some(CheckId::RegAttestationNotAcceptable),
    setup: X5C,
    ..Case::DEFAULTS
};

/// Key seed of the rogue CA of `reg.attestation.packed-x5c.rogue-root-appended`.
const ROGUE_KEY: u64 = 0x0bad_ca00;

/// A valid packed x5c registration whose attestation key (ES256) is not of the credential's algorithm: with
/// x5c, alg is the attestation key's (§8.2 signing procedure); only self attestation compares alg with the
/// credential key.
const CERTIFICATE_ALG_OTHER_THAN_CREDENTIAL: Case = Case {
    ceremony: Ceremony::Registration,
    spec: "§8.2, §7.1 step 22",
    level: Level::Must,
    expect: Expect::Accept,
    rationale: "with x5c, alg is the attestation key's algorithm and sig verifies with attestnCert's key; only self attestation must match alg to the credential key, so the statement verifies and the RP must register the credential",
    flags: &[Flag::Baseline],
    references: &[
        Reference {
            id: "Firehed/webauthn-php#114",
            summary: "webauthn-php compares packed alg with the credential key's algorithm before branching on x5c, so it refuses the spec's own packed vector of an RS256 credential under an ES256 certificate",
        },
        Reference {
            id: "linuxchata/fido2#558",
            summary: "linuxchata/fido2 applied the packed alg-equals-credential-algorithm check to the x5c branch as well, refusing a valid attestation by a key of another algorithm than the credential's",
        },
    ],
    check: None,
    basis: Some(Basis::procedure(
        "§8.2 verification procedure",
        "Verify that sig is a valid signature over the concatenation of authenticatorData and clientDataHash using \
         the attestation public key in attestnCert with the algorithm specified in alg. If x5c is not present, self \
         attestation is in use. Validate that alg matches the algorithm of the credentialPublicKey in \
         authenticatorData.",
    )),
    plan: REG_VALID,
    ..Case::DEFAULTS
};
