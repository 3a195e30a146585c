//! The valid baselines: each algorithm and attestation format, registered and used. An RP that rejects one of
//! these does not support it (the grader marks that algorithm's or format's cases UNSUPPORTED); the reference
//! RP accepts them all. The registrations are the catalogue's baselines ([`Case::baseline`]).

use super::{Basis, Case, Ceremony, Expect, Flag, Level, Setup, AUTH_VALID, REG_VALID};
use crate::ceremony::AttestationKind;
use crate::keys::Algorithm;

const fn setup(alg: Algorithm, attestation: AttestationKind) -> Setup {
    Setup { alg, attestation, ..Setup::DEFAULT }
}

/// Every step of §7.1 holds, so the RP registers the credential.
const REGISTERED: Basis = Basis::procedure(
    "§7.1 step 29",
    "If all the above steps are successful, store credentialRecord in the user account that was denoted in pkOptions.user and continue the registration ceremony as appropriate.",
);

/// Every step of §7.2 holds, so the RP authenticates the user.
const AUTHENTICATED: Basis = Basis::procedure(
    "§7.2 step 25",
    "If all the above steps are successful, continue the authentication ceremony as appropriate.",
);

/// What every valid registration shares.
const REGISTRATION: Case = Case {
    level: Level::Must,
    expect: Expect::Accept,
    flags: &[Flag::Baseline],
    basis: Some(REGISTERED),
    plan: REG_VALID,
    baseline: true,
    ..Case::DEFAULTS
};

/// A valid registration with none attestation.
const REG_NONE: Case = Case {
    spec: "§7.1",
    title: "a valid registration with none attestation",
    rationale: "every step of §7.1 holds, so the RP must register the credential",
    ..REGISTRATION
};

/// A valid registration with packed self attestation.
const REG_PACKED_SELF: Case = Case {
    spec: "§7.1, §8.2",
    title: "a valid registration with packed self attestation",
    rationale:
        "the self-attestation signature verifies with the credential key (§8.2), so the RP must register it",
    ..REGISTRATION
};

/// A valid assertion.
const ASSERTION: Case = Case {
    spec: "§7.2",
    level: Level::Must,
    expect: Expect::Accept,
    title: "a valid assertion from a registered credential",
    rationale: "every step of §7.2 holds, so the RP must authenticate the user",
    flags: &[Flag::Baseline],
    basis: Some(AUTHENTICATED),
    plan: AUTH_VALID,
    ..Case::DEFAULTS
};

/// The algorithms the FIDO conformance tool's Resp-4 tests beyond ES256, ES384, RS256 and EdDSA, with their
/// ids: a valid registration with `none` attestation, a valid assertion, and (the FIDO test) a valid registration
/// with packed self attestation, whose `alg` is the credential's.
const MORE_ALGORITHMS: [(Algorithm, [&str; 3], &str); 7] = [
    (
        Algorithm::Es512,
        ["reg.valid.es512.none", "auth.valid.es512", "reg.valid.es512.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-11",
    ),
    (
        Algorithm::Ps256,
        ["reg.valid.ps256.none", "auth.valid.ps256", "reg.valid.ps256.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-2",
    ),
    (
        Algorithm::Ps384,
        ["reg.valid.ps384.none", "auth.valid.ps384", "reg.valid.ps384.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-3",
    ),
    (
        Algorithm::Ps512,
        ["reg.valid.ps512.none", "auth.valid.ps512", "reg.valid.ps512.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-4",
    ),
    (
        Algorithm::Rs384,
        ["reg.valid.rs384.none", "auth.valid.rs384", "reg.valid.rs384.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-6",
    ),
    (
        Algorithm::Rs512,
        ["reg.valid.rs512.none", "auth.valid.rs512", "reg.valid.rs512.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-7",
    ),
    (
        Algorithm::Rs1,
        ["reg.valid.rs1.none", "auth.valid.rs1", "reg.valid.rs1.packed-self"],
        "Server-ServerAuthenticatorAttestationResponse-Resp-4 P-8",
    ),
];

pub(super) fn cases() -> Vec<Case> {
    let mut cases = base_cases();
    for (alg, [reg_none, auth, reg_self], fido) in MORE_ALGORITHMS {
        cases.push(Case {
            id: reg_none,
            ceremony: Ceremony::Registration,
            setup: setup(alg, AttestationKind::None),
            ..REG_NONE
        });
        cases.push(Case {
            id: auth,
            ceremony: Ceremony::Authentication,
            setup: setup(alg, AttestationKind::None),
            ..ASSERTION
        });
        cases.push(Case {
            id: reg_self,
            ceremony: Ceremony::Registration,
            fido: Some(fido),
            setup: setup(alg, AttestationKind::PackedSelf),
            ..REG_PACKED_SELF
        });
    }
    cases
}

fn base_cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.valid.es256.none",
            ceremony: Ceremony::Registration,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-7 P-1"),
            setup: setup(Algorithm::Es256, AttestationKind::None),
            ..REG_NONE
        },
        Case {
            id: "auth.valid.es256",
            ceremony: Ceremony::Authentication,
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 P-1"),
            setup: setup(Algorithm::Es256, AttestationKind::None),
            ..ASSERTION
        },
        Case {
            id: "reg.valid.es384.none",
            ceremony: Ceremony::Registration,
            setup: setup(Algorithm::Es384, AttestationKind::None),
            ..REG_NONE
        },
        Case {
            id: "auth.valid.es384",
            ceremony: Ceremony::Authentication,
            setup: setup(Algorithm::Es384, AttestationKind::None),
            ..ASSERTION
        },
        Case {
            id: "reg.valid.rs256.none",
            ceremony: Ceremony::Registration,
            setup: setup(Algorithm::Rs256, AttestationKind::None),
            ..REG_NONE
        },
        Case {
            id: "auth.valid.rs256",
            ceremony: Ceremony::Authentication,
            setup: setup(Algorithm::Rs256, AttestationKind::None),
            ..ASSERTION
        },
        Case {
            id: "reg.valid.eddsa.none",
            ceremony: Ceremony::Registration,
            setup: setup(Algorithm::EdDsa, AttestationKind::None),
            ..REG_NONE
        },
        Case {
            id: "auth.valid.eddsa",
            ceremony: Ceremony::Authentication,
            setup: setup(Algorithm::EdDsa, AttestationKind::None),
            ..ASSERTION
        },
        Case {
            id: "reg.valid.es256.packed-self",
            ceremony: Ceremony::Registration,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-9"),
            setup: setup(Algorithm::Es256, AttestationKind::PackedSelf),
            ..REG_PACKED_SELF
        },
        Case {
            id: "reg.valid.es384.packed-self",
            ceremony: Ceremony::Registration,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-10"),
            setup: setup(Algorithm::Es384, AttestationKind::PackedSelf),
            ..REG_PACKED_SELF
        },
        Case {
            id: "reg.valid.rs256.packed-self",
            ceremony: Ceremony::Registration,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-5"),
            setup: setup(Algorithm::Rs256, AttestationKind::PackedSelf),
            ..REG_PACKED_SELF
        },
        Case {
            id: "reg.valid.eddsa.packed-self",
            ceremony: Ceremony::Registration,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-4 P-12"),
            setup: setup(Algorithm::EdDsa, AttestationKind::PackedSelf),
            ..REG_PACKED_SELF
        },
        Case {
            id: "reg.valid.es256.packed-x5c",
            ceremony: Ceremony::Registration,
            spec: "§7.1, §8.2",
            title: "a valid registration with packed attestation and an x5c certificate",
            rationale: "the attestation signature verifies with a §8.2.1-conformant certificate that chains to a trusted root",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 P-1"),
            setup: setup(Algorithm::Es256, AttestationKind::PackedX5c),
            ..REGISTRATION
        },
        Case {
            id: "reg.valid.es256.fido-u2f",
            ceremony: Ceremony::Registration,
            spec: "§7.1, §8.6",
            title: "a valid registration with fido-u2f attestation",
            rationale:
                "the U2F signature verifies with the attestation certificate, which chains to a trusted root",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-8 P-1"),
            setup: setup(Algorithm::Es256, AttestationKind::FidoU2f),
            ..REGISTRATION
        },
        // ---- tpm (§8.3) ----
        Case {
            id: "reg.valid.es256.tpm",
            ceremony: Ceremony::Registration,
            spec: "§7.1, §8.3",
            title: "a valid registration with tpm attestation of an ES256 (ECC P-256) credential key",
            rationale: "pubArea is the credential key, certInfo names it and carries the SHA-256 of authenticatorData || clientDataHash, and the AIK's ES256 signature over certInfo verifies with a §8.3.1 certificate that chains to a trusted root",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 P-1"),
            setup: setup(Algorithm::Es256, AttestationKind::Tpm),
            ..REGISTRATION
        },
        Case {
            id: "reg.valid.rs256.tpm",
            ceremony: Ceremony::Registration,
            spec: "§7.1, §8.3",
            title: "a valid registration with tpm attestation of an RS256 (RSA-2048) credential key",
            rationale: "pubArea is the credential's RSA key (exponent 0, the TPM's default 65537), certInfo names it and carries the SHA-256 of authenticatorData || clientDataHash, and the AIK's signature verifies",
            setup: setup(Algorithm::Rs256, AttestationKind::Tpm),
            ..REGISTRATION
        },
    ]
}
