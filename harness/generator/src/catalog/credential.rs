//! Credential IDs and user handles: the ID's length and its agreement with rawId at registration (§6.5.1;
//! §7.1 steps 25 and 27), and whose credential an assertion is (§7.2 steps 5-6).
//!
//! Lengths other than the default are set in a pre-signing hook, not in the setup, so that a negative case's
//! control (the unmutated ceremony) keeps an ordinary 32-byte ID.

use serde_json::json;
use wire::base64url;

use super::mutate::{attested, fixed_bytes};
use super::{
    auth_json, auth_pre, reg_json, reg_pre, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPre,
    Setup, REG_VALID,
};

const DEFAULT: Setup = Setup::DEFAULT;
const LONG_ID: Setup = Setup { credential_id_len: 1023, ..Setup::DEFAULT };

/// rawId is the credential ID the authenticator attested (§5.1.3 sets `[[identifier]]` from it; §5.1 rawId
/// returns it).
const RAW_ID_IS_ATTESTED: Basis = Basis::data(
    "§5.1.3, §5.1",
    "Let id be attestationObject.authData.attestedCredentialData.credentialId. This attribute returns the ArrayBuffer contained in the [[identifier internal slot.",
);

/// id is the base64url of the same `[[identifier]]` that rawId returns (§5.1).
const ID_IS_RAW_ID: Basis = Basis::data(
    "§5.1",
    "This attribute is inherited from Credential, though PublicKeyCredential overrides Credential's getter, instead returning the base64url encoding of the data contained in the object's [[identifier internal slot.",
);

/// Gives the credential a new ID of `len` bytes, in the attested data and as rawId.
fn credential_id(p: &mut RegPre<'_>, len: usize) {
    let id = fixed_bytes(0x1d00 + len as u64, len);
    if let Some(a) = attested(p) {
        a.credential_id = id.clone();
    }
    p.draft.raw_id = id;
}

/// Replaces `id` and `rawId` in the posted JSON by the base64url of `f(rawId)`; `id` alone if `only_id`.
fn edit_ids(j: &mut serde_json::Value, only_id: bool, f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let raw = j["rawId"].as_str().and_then(|s| base64url::decode(s).ok()).unwrap_or_default();
    let new = base64url::encode(&f(raw));
    j["id"] = json!(new);
    if !only_id {
        j["rawId"] = json!(new);
    }
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- registration: the credential ID ----
        Case {
            id: "reg.credential-id.1023-bytes",
            ceremony: Ceremony::Registration,
            spec: "§6.5.1, §7.1 step 25",
            level: Level::Must,
            expect: Expect::Accept,
            title: "a credential ID of 1023 bytes, the largest allowed",
            rationale: "credential IDs are at most 1023 bytes, so one of exactly 1023 is valid (§16 has such a vector)",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(Basis::procedure("§7.1 step 25", "Verify that the credentialId is ≤ 1023 bytes.")),
            setup: LONG_ID,
            plan: REG_VALID,
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-id.1024-bytes",
            ceremony: Ceremony::Registration,
            spec: "§6.5.1, §7.1 step 25",
            level: Level::Should,
            expect: Expect::Reject,
            title: "a credential ID of 1024 bytes",
            rationale: "credential IDs larger than 1023 bytes SHOULD cause the RP to fail the registration",
            flags: &[Flag::CredentialIdUnchecked],
            check: Some(CheckId::RegCredentialIdTooLong),
            setup: DEFAULT,
            plan: reg_pre(|p| credential_id(p, 1024)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-id.empty",
            ceremony: Ceremony::Registration,
            spec: "§4 Credential ID, §5.1, §7.1 step 25",
            level: Level::Policy,
            expect: Expect::Either,
            title: "a credential ID of 0 bytes (credentialIdLength 0, id \"\")",
            rationale: "authenticators make IDs of at least 16 bytes (§4), but no step of §7.1 sets a minimum; an empty ID is structurally valid",
            flags: &[Flag::CredentialIdUnchecked],
            check: None,
            basis: Some(Basis::data(
                "§4 Credential ID, §5.1",
                "A probabilistically-unique byte sequence identifying a public key credential source and its authentication assertions. This API does not constrain the format of this identifier, except that it MUST NOT be longer than 1023 bytes and MUST be sufficient for the authenticator to uniquely select a key.",
            )),
            setup: DEFAULT,
            plan: reg_pre(|p| credential_id(p, 0)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-id.raw-id-mismatch",
            ceremony: Ceremony::Registration,
            spec: "§5.1.3, §5.1, §7.1 step 27",
            level: Level::Must,
            expect: Expect::Reject,
            title: "id and rawId name another credential than the attested credentialId",
            rationale: "the record's id is the credential's; it must be the one the authenticator attested, or assertions will name a key nobody holds",
            flags: &[Flag::RawIdUnchecked],
            check: Some(CheckId::RegCredentialIdMismatch),
            basis: Some(RAW_ID_IS_ATTESTED),
            setup: DEFAULT,
            plan: reg_pre(|p| p.draft.raw_id = fixed_bytes(0x0007_1d00, 32)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-id.raw-id-prefix",
            ceremony: Ceremony::Registration,
            spec: "§5.1.3, §5.1, §7.1 step 27",
            level: Level::Must,
            expect: Expect::Reject,
            title: "id and rawId are the attested credentialId without its last byte",
            rationale: "the IDs must be equal, not one a prefix of the other",
            flags: &[Flag::RawIdUnchecked],
            check: Some(CheckId::RegCredentialIdMismatch),
            basis: Some(RAW_ID_IS_ATTESTED),
            setup: DEFAULT,
            plan: reg_pre(|p| {
                p.draft.raw_id.pop();
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.credential-id.id-not-raw-id",
            ceremony: Ceremony::Registration,
            spec: "§5.1",
            level: Level::Must,
            expect: Expect::Reject,
            title: "id is the base64url of other bytes than rawId",
            rationale: "id is the base64url encoding of rawId (§5.1), so no client sends them different; no step of §7.1 compares them, but an RP that keeps id as the record's id keeps the wrong one",
            flags: &[Flag::ResponseStructureUnchecked],
            check: Some(CheckId::RegResponseMalformed),
            basis: Some(ID_IS_RAW_ID),
            setup: DEFAULT,
            plan: reg_json(|j| edit_ids(j, true, |mut id| {
                id.reverse();
                id
            })),
            ..Case::DEFAULTS
        },
        // ---- authentication: which credential (step 5) ----
        Case {
            id: "auth.credential.1023-byte-id",
            ceremony: Ceremony::Authentication,
            spec: "§6.5.1, §7.2 steps 5-6",
            level: Level::Must,
            expect: Expect::Accept,
            title: "an assertion from a credential whose ID is 1023 bytes",
            rationale: "a registered 1023-byte ID must also work in allowCredentials and the lookup of step 6",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(Basis::procedure(
                "§7.2 steps 5-6",
                "If pkOptions.allowCredentials is not empty, verify that credential.id identifies one of the public key credentials listed in pkOptions.allowCredentials. verify that the identified user account contains a credential record whose id equals credential.rawId.",
            )),
            setup: LONG_ID,
            plan: super::AUTH_VALID,
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.credential.not-allowed",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 5",
            level: Level::Must,
            expect: Expect::Reject,
            title: "an assertion (signed by the registered key) whose id and rawId are random bytes",
            rationale: "credential.id must be one of allowCredentials",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthCredentialNotAllowed),
            setup: DEFAULT,
            plan: auth_pre(|p| p.draft.raw_id = fixed_bytes(0x0007_1d01, 32)),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.credential.bit-flipped",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 5",
            level: Level::Must,
            expect: Expect::Reject,
            title: "an assertion whose id and rawId differ from the registered ID in one bit",
            rationale: "credential IDs are compared exactly",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthCredentialNotAllowed),
            setup: DEFAULT,
            plan: auth_pre(|p| {
                if let Some(b) = p.draft.raw_id.last_mut() {
                    *b ^= 0x01;
                }
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.credential.prefix",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 5",
            level: Level::Must,
            expect: Expect::Reject,
            title: "an assertion whose id and rawId are the registered ID without its last byte",
            rationale: "credential IDs are compared exactly, not by prefix",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthCredentialNotAllowed),
            setup: DEFAULT,
            plan: auth_pre(|p| {
                p.draft.raw_id.pop();
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.credential.id-not-raw-id",
            ceremony: Ceremony::Authentication,
            spec: "§5.1, §7.2 step 5",
            level: Level::Must,
            expect: Expect::Reject,
            title: "id is the base64url of other bytes than rawId (rawId is the registered ID)",
            rationale: "id is the base64url encoding of rawId (§5.1), so no client sends them different; step 5 matches id against allowCredentials while step 6 finds the record by rawId, so they must name one credential",
            flags: &[Flag::ResponseStructureUnchecked],
            check: Some(CheckId::AuthResponseMalformed),
            basis: Some(ID_IS_RAW_ID),
            setup: DEFAULT,
            plan: auth_json(|j| edit_ids(j, true, |mut id| {
                id.reverse();
                id
            })),
            ..Case::DEFAULTS
        },
        // ---- authentication: whose account (step 6) ----
        Case {
            id: "auth.user-handle.absent",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 6",
            level: Level::Must,
            expect: Expect::Accept,
            title: "no userHandle, for a user identified by username before the ceremony",
            rationale: "when the user was identified beforehand, userHandle is checked only if present",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(Basis::procedure(
                "§7.2 step 6",
                "verify that the identified user account contains a credential record whose id equals credential.rawId. Let credentialRecord be that credential record. If response.userHandle is present, verify that it equals the user handle of the user account.",
            )),
            setup: DEFAULT,
            plan: auth_pre(|p| p.draft.user_handle = None),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.user-handle.empty",
            ceremony: Ceremony::Authentication,
            spec: "§5.4.3, §7.2 step 6",
            level: Level::Policy,
            expect: Expect::Either,
            title: "userHandle is the empty string, for a user identified by username",
            rationale: "a user handle is never empty (§5.4.3): \"\" is a present handle that cannot match (step 6 rejects), or none, as the FIDO conformance API used it while userHandle was a required member",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: None,
            basis: Some(Basis::procedure(
                "§7.2 step 6, §5.4.3",
                "If response.userHandle is present, verify that it equals the user handle of the user account. The user handle MUST NOT be empty.",
            )),
            setup: DEFAULT,
            plan: auth_json(|j| j["response"]["userHandle"] = json!("")),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.user-handle.random",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 6",
            level: Level::Must,
            expect: Expect::Reject,
            title: "userHandle is 32 random bytes",
            rationale: "a present userHandle must equal the user handle of the identified account",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthUserHandleMismatch),
            setup: DEFAULT,
            plan: auth_pre(|p| p.draft.user_handle = Some(fixed_bytes(0x0005_e400, 32))),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.user-handle.extended",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 6",
            level: Level::Must,
            expect: Expect::Reject,
            title: "userHandle is the account's user handle followed by one more byte",
            rationale: "user handles are compared exactly, not by prefix",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthUserHandleMismatch),
            setup: DEFAULT,
            plan: auth_pre(|p| {
                if let Some(h) = p.draft.user_handle.as_mut() {
                    h.push(0x00);
                }
            }),
            ..Case::DEFAULTS
        },
    ]
}
