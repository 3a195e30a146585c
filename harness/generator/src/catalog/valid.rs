//! The valid baselines: each algorithm and attestation format, registered and used. An RP that rejects one of
//! these does not support it (the grader marks that algorithm's or format's cases UNSUPPORTED); the reference
//! RP accepts them all.

use super::{Case, Expect, Flag, Level, Setup, AUTH_VALID, REG_VALID};
use crate::ceremony::AttestationKind;
use crate::keys::Algorithm;

fn setup(alg: Algorithm, attestation: AttestationKind) -> Setup {
    Setup { alg, attestation, ..Setup::DEFAULT }
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (alg, reg_id, auth_id, fido) in [
        (
            Algorithm::Es256,
            "reg.valid.es256.none",
            "auth.valid.es256",
            Some("Server-ServerAuthenticatorAttestationResponse-Resp-7 P-1"),
        ),
        (Algorithm::Es384, "reg.valid.es384.none", "auth.valid.es384", None),
        (Algorithm::Rs256, "reg.valid.rs256.none", "auth.valid.rs256", None),
        (Algorithm::EdDsa, "reg.valid.eddsa.none", "auth.valid.eddsa", None),
    ] {
        v.push(Case {
            id: reg_id,
            spec: "§7.1",
            level: Level::Must,
            expect: Expect::Accept,
            title: "a valid registration with none attestation",
            rationale: "every step of §7.1 holds, so the RP must register the credential",
            flags: &[Flag::Baseline],
            check: None,
            fido,
            setup: setup(alg, AttestationKind::None),
            plan: REG_VALID,
        });
        v.push(Case {
            id: auth_id,
            spec: "§7.2",
            level: Level::Must,
            expect: Expect::Accept,
            title: "a valid assertion from a registered credential",
            rationale: "every step of §7.2 holds, so the RP must authenticate the user",
            flags: &[Flag::Baseline],
            check: None,
            fido: None,
            setup: setup(alg, AttestationKind::None),
            plan: AUTH_VALID,
        });
    }
    for (alg, id, fido) in [
        (
            Algorithm::Es256,
            "reg.valid.es256.packed-self",
            Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-9"),
        ),
        (
            Algorithm::Es384,
            "reg.valid.es384.packed-self",
            Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-10"),
        ),
        (
            Algorithm::Rs256,
            "reg.valid.rs256.packed-self",
            Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-5"),
        ),
        (
            Algorithm::EdDsa,
            "reg.valid.eddsa.packed-self",
            Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-12"),
        ),
    ] {
        v.push(Case {
            id,
            spec: "§7.1, §8.2",
            level: Level::Must,
            expect: Expect::Accept,
            title: "a valid registration with packed self attestation",
            rationale: "the self-attestation signature verifies with the credential key (§8.2), so the RP must register it",
            flags: &[Flag::Baseline],
            check: None,
            fido,
            setup: setup(alg, AttestationKind::PackedSelf),
            plan: REG_VALID,
        });
    }
    v.push(Case {
        id: "reg.valid.es256.packed-x5c",
        spec: "§7.1, §8.2",
        level: Level::Must,
        expect: Expect::Accept,
        title: "a valid registration with packed attestation and an x5c certificate",
        rationale: "the attestation signature verifies with a §8.2.1-conformant certificate that chains to a trusted root",
        flags: &[Flag::Baseline],
        check: None,
        fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 P-1"),
        setup: setup(Algorithm::Es256, AttestationKind::PackedX5c),
        plan: REG_VALID,
    });
    v.push(Case {
        id: "reg.valid.es256.fido-u2f",
        spec: "§7.1, §8.6",
        level: Level::Must,
        expect: Expect::Accept,
        title: "a valid registration with fido-u2f attestation",
        rationale:
            "the U2F signature verifies with the attestation certificate, which chains to a trusted root",
        flags: &[Flag::Baseline],
        check: None,
        fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-8 P-1"),
        setup: setup(Algorithm::Es256, AttestationKind::FidoU2f),
        plan: REG_VALID,
    });
    v
}
