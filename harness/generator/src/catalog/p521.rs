//! P-521 keys in attestation certificates (issue 18): an ES512 credential certified by an `apple` credCert
//! (§8.8) or an `android-key` attestation certificate (§8.4), and a `packed` x5c statement (§8.2) whose
//! attestation key is on P-521 (alg -36). The certificates carry a secp521r1 SubjectPublicKeyInfo and are
//! issued by the harness's P-256 attestation root, so the RP must trust that root for the valid ones.

use wire::cose::alg;

use super::mutate::{aaguid, attestation_message, edit_att_stmt, flip_last_byte};
use super::{reg_post, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPost, Setup, REG_VALID};
use crate::ceremony::AttestationKind;
use crate::keys::Algorithm;
use crate::p521_pki;

const X5C: Setup = Setup { attestation: AttestationKind::PackedX5c, ..Setup::DEFAULT };
const APPLE_ES512: Setup =
    Setup { alg: Algorithm::Es512, attestation: AttestationKind::Apple, ..Setup::DEFAULT };
const ANDROID_ES512: Setup =
    Setup { alg: Algorithm::Es512, attestation: AttestationKind::AndroidKey, ..Setup::DEFAULT };

/// Every step of §7.1 holds, so the RP registers the credential.
const REGISTERED: Basis = Basis::procedure(
    "§7.1 step 29",
    "If all the above steps are successful, store credentialRecord in the user account that was denoted in \
     pkOptions.user and continue the registration ceremony as appropriate.",
);

/// §8.2, x5c present: the signature by the attestation certificate's key, with `alg`.
const PACKED_X5C_SIG: Option<Basis> = Some(Basis::procedure(
    "§8.2 verification procedure",
    "Verify that sig is a valid signature over the concatenation of authenticatorData and clientDataHash using \
     the attestation public key in attestnCert with the algorithm specified in alg.",
));

/// A valid registration whose attestation certificate holds a P-521 key.
const VALID: Case = Case {
    ceremony: Ceremony::Registration,
    level: Level::Must,
    expect: Expect::Accept,
    flags: &[Flag::Baseline],
    basis: Some(REGISTERED),
    plan: REG_VALID,
    ..Case::DEFAULTS
};

/// A packed statement with a P-521 attestation key the RP must refuse.
const PACKED_REJECTED: Case = Case {
    spec: "§8.2, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    setup: X5C,
    basis: PACKED_X5C_SIG,
    ..Case::must_reject(Ceremony::Registration)
};

/// Replaces the packed statement with one by the P-521 attestation key, `alg` = `a`, over the signed
/// registration.
fn p521_statement(p: &mut RegPost<'_>, a: i64) {
    let leaf = p521_pki::packed_leaf(aaguid(&p.signed));
    p.signed.attestation_object.att_stmt =
        p521_pki::packed_statement(&leaf, a, &attestation_message(&p.signed));
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.valid.apple.es512",
            spec: "§7.1, §8.8",
            title: "a valid registration with apple anonymous attestation of an ES512 credential (P-521 key in credCert)",
            rationale: "§8.8 certifies whatever the credential public key is; credCert's secp521r1 key is the \
                        credential's P-521 key and the nonce is right, so the RP must register it",
            setup: APPLE_ES512,
            ..VALID
        },
        Case {
            id: "reg.valid.android-key.es512",
            spec: "§7.1, §8.4",
            title: "a valid registration with android-key attestation of an ES512 credential (P-521 key in the certificate)",
            rationale: "§8.4 certifies whatever the credential public key is and alg (-36) is the credential's; the \
                        certificate's secp521r1 key is the credential key and sig verifies with it, so the RP \
                        must register it",
            setup: ANDROID_ES512,
            ..VALID
        },
        Case {
            id: "reg.valid.packed-x5c.p521-attestation-key",
            spec: "§7.1, §8.2",
            title: "a valid registration with packed x5c attestation by a P-521 attestation key (alg -36, ES512)",
            rationale: "sig verifies over authenticatorData || clientDataHash with the certificate's P-521 key \
                        using alg -36, the certificate meets §8.2.1 and chains to a trusted root, so the RP must \
                        register it",
            setup: X5C,
            plan: reg_post(|p| p521_statement(p, alg::ES512)),
            ..VALID
        },
        Case {
            id: "reg.attestation.packed-x5c.p521.alg-mismatch",
            title: "packed x5c attestation by a P-521 certificate key whose alg says -7 (ES256)",
            rationale: "sig is verified with the certificate's key using alg; ES256 is ECDSA on P-256, which a \
                        P-521 key cannot verify",
            check: Some(CheckId::RegAttestationAlgMismatch),
            plan: reg_post(|p| p521_statement(p, alg::ES256)),
            ..PACKED_REJECTED
        },
        Case {
            id: "reg.attestation.packed-x5c.p521.sig-flipped",
            title: "packed x5c attestation by a P-521 attestation key (alg -36) whose sig has its last bit flipped",
            rationale: "sig must verify with the certificate's P-521 key using ES512 (SHA-512)",
            check: Some(CheckId::RegAttestationSignature),
            plan: reg_post(|p| {
                p521_statement(p, alg::ES512);
                edit_att_stmt(p, |m| flip_last_byte(m, "sig"));
            }),
            ..PACKED_REJECTED
        },
    ]
}
