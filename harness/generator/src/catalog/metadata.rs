//! What an RP that loaded FIDO metadata makes of it (§7.1 step 23): the harness's test metadata (`pki export`,
//! [`crate::metadata`]) lists the software authenticator's model and three models whose status reports an RP
//! refuses. Each case registers a packed attestation (x5c under the harness root) of one listed model; the
//! control is the software authenticator's own model. The cases run only where the RP is declared to have
//! loaded that metadata ([`Setup::needs_metadata`]); the FIDO conformance tool's metadata tests that are about
//! loading the BLOB itself (a bad hash, signature or chain, revoked signing certificates) are not ceremonies an
//! RP can be asked through its API, and `verify --metadata` covers them for the reference verifier.

use super::{reg_pre, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPre, Setup};
use crate::ceremony::AttestationKind;
use crate::metadata::{HARNESS_AAGUID, KEY_COMPROMISE_AAGUID, REVOKED_AAGUID, UV_BYPASS_AAGUID};

const METADATA: Setup =
    Setup { attestation: AttestationKind::PackedX5c, needs_metadata: true, ..Setup::DEFAULT };

/// §7.1 step 23: where trust anchors (and what is known of an authenticator) come from.
const STEP_23: Option<Basis> = Some(Basis::procedure(
    "§7.1 step 23",
    "If validation is successful, obtain a list of acceptable trust anchors (i.e. attestation root certificates) \
     for that attestation type and attestation statement format fmt, from a trusted source or from policy.",
));

/// Makes the subject's credential one of `model`.
fn model(p: &mut RegPre<'_>, model: [u8; 16]) {
    p.credential.aaguid = model;
    if let Some(a) = p.draft.auth_data.attested_credential_data.as_mut() {
        a.aaguid = model;
    }
}

/// A model whose status report the RP's metadata policy refuses.
const REFUSED: Case = Case {
    ceremony: Ceremony::Registration,
    spec: "§7.1 step 23",
    level: Level::Policy,
    expect: Expect::Reject,
    flags: &[Flag::AttestationTrustUnchecked],
    check: Some(CheckId::RegAttestationMetadataStatus),
    fido: Some("Metadata Service Tests (mds-1) F-2"),
    setup: METADATA,
    ..Case::DEFAULTS
};

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.metadata.listed-model",
            spec: "§7.1 step 23",
            level: Level::Policy,
            expect: Expect::Accept,
            title: "packed attestation of the model the harness metadata lists as the software authenticator (no status report to refuse)",
            rationale: "the metadata entry names the root the attestation chains to, and no status report refuses the model",
            flags: &[Flag::Baseline],
            fido: Some("Metadata Service Tests (mds-1) P-1"),
            basis: STEP_23,
            setup: METADATA,
            plan: reg_pre(|p| model(p, HARNESS_AAGUID)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.metadata.status.revoked",
            title: "packed attestation of a model whose metadata status report is REVOKED",
            rationale: "the RP's metadata says the model was revoked: its attestation is no longer trustworthy",
            plan: reg_pre(|p| model(p, REVOKED_AAGUID)),
            ..REFUSED
        },
        Case {
            id: "reg.metadata.status.attestation-key-compromise",
            title: "packed attestation of a model whose metadata reports ATTESTATION_KEY_COMPROMISE",
            rationale: "the attestation key is known to be compromised, so its signature proves nothing about the authenticator",
            plan: reg_pre(|p| model(p, KEY_COMPROMISE_AAGUID)),
            ..REFUSED
        },
        Case {
            id: "reg.metadata.status.user-verification-bypass",
            title: "packed attestation of a model whose metadata reports USER_VERIFICATION_BYPASS",
            rationale: "the model's UV flag cannot be relied on, which a metadata policy refuses",
            plan: reg_pre(|p| model(p, UV_BYPASS_AAGUID)),
            ..REFUSED
        },
    ]
}
