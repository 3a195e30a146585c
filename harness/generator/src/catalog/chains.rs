//! Attestation certificate paths through intermediate CAs (§7.1 step 24): the FIDO conformance tool's
//! `Resp-5` P-2 (a chain to the root) and F-12 (an expired intermediate), and the path requirements around
//! them: an intermediate that is no CA, one issued by another root, a pathLenConstraint exceeded, the leaf not
//! first, the root included, intermediates out of order, and android-key and apple leaves under the
//! intermediate. Registration only.
//!
//! Every case re-issues the attestation certificate under [`crate::chain_pki::intermediate`] (or a variant of
//! it) and, for packed, signs the statement again with the leaf's key, so exactly one link of the path breaks.

use wire::cbor::Value;
use wire::cose::alg;

use super::mutate::{aaguid, attestation_message, edit_att_stmt, set_text};
use super::{reg_post, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPost, Setup};
use crate::ceremony::{sign_p256, AttestationKind};
use crate::chain_pki::{self, INTERMEDIATE_NAME, ROOT_NAME, SUB_INTERMEDIATE_NAME};
use crate::pki::{self, CertSpec, Issued};

const X5C: Setup = Setup { attestation: AttestationKind::PackedX5c, ..Setup::DEFAULT };
const ANDROID: Setup = Setup { attestation: AttestationKind::AndroidKey, ..Setup::DEFAULT };
const APPLE: Setup = Setup { attestation: AttestationKind::Apple, ..Setup::DEFAULT };

const VALIDITY: Option<CheckId> = Some(CheckId::RegAttestationChainValidity);
const ISSUER: Option<CheckId> = Some(CheckId::RegAttestationChainIssuer);
const CA: Option<CheckId> = Some(CheckId::RegAttestationChainCa);
const UNTRUSTED: Option<CheckId> = Some(CheckId::RegAttestationUntrusted);

/// 2024-01-02T00:00:00Z: an intermediate's notAfter in the past.
const PAST: u64 = pki::NOT_BEFORE + 86_400;
/// Key seed of the other root of `reg.attestation.chain.intermediate-other-root`.
const OTHER_ROOT_KEY: u64 = 0x1a7e_0bad_0001;
/// Key seed of the CA that signs the leaf of `reg.attestation.chain.leaf-signed-by-other-key`.
const OTHER_CA_KEY: u64 = 0x1a7e_0bad_0002;

/// A valid path through an intermediate to the configured root: every step holds, so the RP registers.
const CHAIN_ACCEPTED: Case = Case {
    ceremony: Ceremony::Registration,
    spec: "§7.1 step 24, §8.2",
    level: Level::Must,
    expect: Expect::Accept,
    flags: &[Flag::Baseline],
    check: None,
    basis: Some(Basis::procedure(
        "§7.1 steps 24 and 29",
        "Otherwise, use the X.509 certificates returned as the attestation trust path from the verification \
         procedure to verify that the attestation public key either correctly chains up to an acceptable root \
         certificate, or is itself an acceptable certificate (i.e., it and the root certificate obtained in \
         [step 22](#reg-ceremony-attestation-trust-anchors) may be the same). If all the above steps are \
         successful, store credentialRecord in the user account that was denoted in pkOptions.user and continue \
         the registration ceremony as appropriate.",
    )),
    setup: X5C,
    ..Case::DEFAULTS
};

/// A path that does not correctly chain up: the attestation is not trustworthy and the RP SHOULD fail.
const CHAIN_REJECTED: Case = Case {
    ceremony: Ceremony::Registration,
    spec: "§7.1 step 24",
    level: Level::Should,
    expect: Expect::Reject,
    flags: &[Flag::AttestationTrustUnchecked],
    setup: X5C,
    ..Case::DEFAULTS
};

/// A packed x5c statement over the signed registration: `sig` (ES256) by `leaf`'s key, `x5c` = `chain`.
fn packed(p: &mut RegPost<'_>, leaf: &Issued, chain: Vec<Vec<u8>>) {
    let sig = sign_p256(&leaf.key, &attestation_message(&p.signed));
    p.signed.attestation_object.att_stmt = Value::Map(vec![
        (Value::from("alg"), Value::from(alg::ES256)),
        (Value::from("sig"), Value::Bytes(sig)),
        (Value::from("x5c"), Value::Array(chain.into_iter().map(Value::Bytes).collect())),
    ]);
}

/// The packed leaf for the registration's AAGUID under the CA `ca` named `ca_name`.
fn leaf_under(p: &RegPost<'_>, ca: &Issued, ca_name: &str) -> Issued {
    chain_pki::packed_leaf_under(aaguid(&p.signed), ca, ca_name)
}

/// x5c = [leaf under the intermediate, the intermediate as `f` changed it (re-certified by the root)].
fn packed_with_intermediate(p: &mut RegPost<'_>, f: impl FnOnce(&mut CertSpec)) {
    let mid = chain_pki::intermediate_with(f);
    let leaf = leaf_under(p, &mid, INTERMEDIATE_NAME);
    packed(p, &leaf, vec![leaf.der.clone(), mid.der]);
}

/// The first certificate of the statement's x5c re-issued by `mid` (named [`INTERMEDIATE_NAME`]), x5c =
/// [it, mid] (android-key and apple, whose certificate certifies the credential key and whose signature, if
/// any, is by the credential key, so nothing else changes).
fn device_cert_under(p: &mut RegPost<'_>, mid: &Issued) {
    edit_att_stmt(p, |m| {
        let first = m
            .iter()
            .find(|(k, _)| k.as_text() == Some("x5c"))
            .and_then(|(_, v)| v.as_array())
            .and_then(|a| a.first().and_then(Value::as_bytes).map(<[u8]>::to_vec));
        if let Some(cert) = first {
            let reissued = chain_pki::reissue(&cert, mid, INTERMEDIATE_NAME, |_| {});
            set_text(m, "x5c", Value::Array(vec![Value::Bytes(reissued), Value::Bytes(mid.der.clone())]));
        }
    })
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- accepted ----
        Case {
            id: "reg.attestation.chain.intermediate",
            title: "packed x5c attestation whose x5c is [attestation certificate, intermediate CA] under the configured root",
            rationale: "the leaf is issued by the intermediate, the intermediate (a CA) by the configured root, all within their validity: the key correctly chains up to an acceptable root",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 P-2"),
            plan: reg_post(|p| packed_with_intermediate(p, |_| {})),
            ..CHAIN_ACCEPTED
        },
        Case {
            id: "reg.attestation.chain.two-intermediates",
            title: "packed x5c attestation whose x5c is [attestation certificate, second-level CA, intermediate CA]",
            rationale: "two intermediates in issuing order, each a CA with no path length limit, up to the configured root",
            plan: reg_post(|p| {
                let (mid, sub) = (chain_pki::intermediate(), chain_pki::sub_intermediate());
                let leaf = leaf_under(p, &sub, SUB_INTERMEDIATE_NAME);
                packed(p, &leaf, vec![leaf.der.clone(), sub.der, mid.der.clone()])
            }),
            ..CHAIN_ACCEPTED
        },
        Case {
            id: "reg.attestation.chain.android-key-intermediate",
            spec: "§7.1 step 24, §8.4",
            title: "android-key attestation whose x5c is [credCert, intermediate CA] under the configured root",
            rationale: "the android-key procedure returns x5c as the trust path; through a valid intermediate it chains up to the configured root",
            setup: ANDROID,
            plan: reg_post(|p| device_cert_under(p, chain_pki::intermediate())),
            ..CHAIN_ACCEPTED
        },
        Case {
            id: "reg.attestation.chain.apple-intermediate",
            spec: "§7.1 step 24, §8.8",
            title: "apple attestation whose x5c is [credCert, intermediate CA] under the configured root",
            rationale: "the apple procedure returns x5c as the trust path; through a valid intermediate it chains up to the configured root",
            setup: APPLE,
            plan: reg_post(|p| device_cert_under(p, chain_pki::intermediate())),
            ..CHAIN_ACCEPTED
        },
        Case {
            id: "reg.attestation.chain.intermediate-and-root",
            level: Level::Policy,
            expect: Expect::Either,
            title: "packed x5c attestation whose x5c is [attestation certificate, intermediate CA, root]",
            rationale: "x5c holds attestnCert \"and its certificate chain\"; the spec does not forbid the root in it (the FIDO tool's Resp-5 F-10 does), and the path still ends at the configured anchor",
            flags: &[Flag::AttestationTrustUnchecked],
            fido_expect: Some(Expect::Reject),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-10"),
            basis: Some(Basis::procedure(
                "§8.2, §7.1 step 24",
                "The elements of this array contain attestnCert and its certificate chain (if any), each encoded \
                 in X.509 format. Otherwise, use the X.509 certificates returned as the attestation trust path \
                 from the verification procedure to verify that the attestation public key either correctly chains \
                 up to an acceptable root certificate, or is itself an acceptable certificate (i.e., it and the \
                 root certificate obtained in [step 22](#reg-ceremony-attestation-trust-anchors) may be the same).",
            )),
            plan: reg_post(|p| {
                let mid = chain_pki::intermediate();
                let leaf = leaf_under(p, mid, INTERMEDIATE_NAME);
                packed(p, &leaf, vec![leaf.der.clone(), mid.der.clone(), pki::root().der.clone()])
            }),
            ..CHAIN_ACCEPTED
        },
        Case {
            id: "reg.attestation.chain.intermediates-unordered",
            level: Level::Policy,
            expect: Expect::Either,
            title: "packed x5c attestation whose x5c is [attestation certificate, intermediate CA, second-level CA] (the CAs out of issuing order)",
            rationale: "only attestnCert's place is fixed; an RP may build the path from the certificates in any order or read the chain in issuing order (the reference does the latter and refuses it)",
            flags: &[Flag::AttestationTrustUnchecked],
            check: ISSUER,
            basis: Some(Basis::procedure(
                "§8.2, §7.1 step 24",
                "The elements of this array contain attestnCert and its certificate chain (if any), each encoded \
                 in X.509 format. The attestation certificate attestnCert MUST be the first element in the array.",
            )),
            plan: reg_post(|p| {
                let (mid, sub) = (chain_pki::intermediate(), chain_pki::sub_intermediate());
                let leaf = leaf_under(p, &sub, SUB_INTERMEDIATE_NAME);
                packed(p, &leaf, vec![leaf.der.clone(), mid.der.clone(), sub.der])
            }),
            ..CHAIN_ACCEPTED
        },
        // ---- rejected ----
        Case {
            id: "reg.attestation.chain.intermediate-expired",
            title: "packed x5c attestation through an intermediate CA that expired on 2024-01-02",
            rationale: "a certificate outside its validity period does not chain validly (RFC 5280 §6.1.3), so the attestation is not trustworthy",
            check: VALIDITY,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-12"),
            plan: reg_post(|p| packed_with_intermediate(p, |s| s.not_after = PAST)),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.intermediate-not-ca",
            title: "packed x5c attestation through an intermediate whose basic constraints say cA FALSE",
            rationale: "a certificate that is no CA cannot issue others (RFC 5280 §4.2.1.9, §6.1.4 (k)), so the leaf does not chain up",
            check: CA,
            plan: reg_post(|p| packed_with_intermediate(p, |s| s.ca = Some(false))),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.intermediate-no-basic-constraints",
            title: "packed x5c attestation through an intermediate without a basic constraints extension",
            rationale: "without basic constraints cA TRUE a certificate's key may not verify certificate signatures (RFC 5280 §4.2.1.9), so the leaf does not chain up",
            check: CA,
            plan: reg_post(|p| packed_with_intermediate(p, |s| s.ca = None)),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.path-len-exceeded",
            title: "packed x5c attestation whose intermediate has pathLenConstraint 0 but issued a second-level CA",
            rationale: "pathLenConstraint 0 allows no intermediate CA below it (RFC 5280 §4.2.1.9, §6.1.4 (l)-(m)); the second-level CA breaks the path",
            check: CA,
            plan: reg_post(|p| {
                let mid = chain_pki::intermediate();
                let limited = chain_pki::reissue(&mid.der, pki::root(), ROOT_NAME, |t| {
                    chain_pki::set_path_len(t, Some(0))
                });
                let sub = chain_pki::sub_intermediate();
                let leaf = leaf_under(p, &sub, SUB_INTERMEDIATE_NAME);
                packed(p, &leaf, vec![leaf.der.clone(), sub.der, limited])
            }),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.intermediate-other-root",
            title: "packed x5c attestation through an intermediate issued by another root of the same name as the configured one",
            rationale: "the intermediate's signature does not verify with the configured root's key, so the path ends at no acceptable root",
            check: UNTRUSTED,
            plan: reg_post(|p| {
                let other_root = pki::self_signed(
                    &CertSpec { subject: ROOT_NAME.into(), ..chain_pki::intermediate_spec() },
                    OTHER_ROOT_KEY,
                );
                let mid = pki::issue_by(&chain_pki::intermediate_spec(), chain_pki::INTERMEDIATE_KEY, &other_root, ROOT_NAME);
                let leaf = leaf_under(p, &mid, INTERMEDIATE_NAME);
                packed(p, &leaf, vec![leaf.der.clone(), mid.der])
            }),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.leaf-signed-by-other-key",
            title: "packed x5c attestation whose leaf names the intermediate as issuer but is signed by another key",
            rationale: "the leaf's signature does not verify with the intermediate's key, so the intermediate did not issue it",
            check: ISSUER,
            plan: reg_post(|p| {
                let other = pki::self_signed(&chain_pki::intermediate_spec(), OTHER_CA_KEY);
                let leaf = leaf_under(p, &other, INTERMEDIATE_NAME);
                packed(p, &leaf, vec![leaf.der.clone(), chain_pki::intermediate().der.clone()])
            }),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.intermediate-first",
            spec: "§8.2, §7.1 step 22",
            level: Level::Must,
            title: "packed x5c attestation whose x5c is [intermediate CA, attestation certificate]",
            rationale: "attestnCert MUST be the first element; with the intermediate first the signature does not verify with its key",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: Some(CheckId::RegAttestationSignature),
            basis: Some(Basis::procedure(
                "§8.2",
                "The attestation certificate attestnCert MUST be the first element in the array. Verify that sig \
                 is a valid signature over the concatenation of authenticatorData and clientDataHash using the \
                 attestation public key in attestnCert with the algorithm specified in alg.",
            )),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-11"),
            plan: reg_post(|p| {
                let mid = chain_pki::intermediate();
                let leaf = leaf_under(p, mid, INTERMEDIATE_NAME);
                packed(p, &leaf, vec![mid.der.clone(), leaf.der.clone()])
            }),
            ..CHAIN_REJECTED
        },
        Case {
            id: "reg.attestation.chain.android-key-intermediate-expired",
            spec: "§7.1 step 24, §8.4",
            title: "android-key attestation through an intermediate CA that expired on 2024-01-02",
            rationale: "a certificate outside its validity period does not chain validly (RFC 5280 §6.1.3), whatever the format",
            check: VALIDITY,
            setup: ANDROID,
            plan: reg_post(|p| device_cert_under(p, &chain_pki::intermediate_with(|s| s.not_after = PAST))),
            ..CHAIN_REJECTED
        },
    ]
}
