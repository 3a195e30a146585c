//! Authenticator data: rpIdHash, structure, leftover bytes, AT/ED consistency (§6.1; §7.1 steps 13-14,
//! §7.2 steps 7 and 15).

use wire::authdata::{AuthenticatorData, Flags};

use super::{auth_post, auth_pre, reg_post, reg_pre, Basis, Case, Ceremony, CheckId, Expect, Flag, Level};

/// Sets ED and gives `auth_data` the one extension output `key`: `value`.
fn with_extension(auth_data: &mut AuthenticatorData, key: &str, value: wire::cbor::Value) {
    auth_data.flags = auth_data.flags.with(Flags::ED, true);
    auth_data.extensions = Some(wire::cbor::Value::Map(vec![(wire::cbor::Value::from(key), value)]));
}

/// ED set with an extension output the RP did not ask for: conformant to accept or to reject.
const UNSOLICITED_EXTENSION: Case = Case {
    level: Level::Policy,
    expect: Expect::Either,
    title: "ED set with an unsolicited authenticator extension output",
    rationale: "the RP MUST be prepared for unsolicited extension outputs, \"whether by ignoring the unsolicited extensions or by rejecting the\" ceremony: both are conformant (the FIDO tool expects acceptance)",
    flags: &[Flag::UnsolicitedExtensionsRejected],
    check: None,
    fido_expect: Some(Expect::Accept),
    ..Case::DEFAULTS
};

/// §6.1 on the authenticator: the data describes its own length, and ED says whether extensions follow. No RP
/// step reads past what the flags announce, so bytes after it break a rule on the authenticator.
const SELF_DESCRIBING: Basis = Basis::data(
    "§6.1",
    "Note: The authenticator data describes its own length: If the AT and ED flags are not set, it is always 37 bytes long. The attested credential data (which is only present if the AT flag is set) describes its own length. If the ED flag is set, then the total length is 37 bytes plus the length of the attested credential data (if the AT flag is set), plus the length of the extensions output (a CBOR map) that follows. If the authenticator does not include any extension data, it MUST set the ED flag to zero, and to one if extension data is included.",
);

/// §6.1 on the authenticator: ED set exactly when extensions follow.
const ED_MATCHES_EXTENSIONS: Basis = Basis::data(
    "§6.1",
    "If the authenticator does not include any extension data, it MUST set the ED flag to zero, and to one if extension data is included.",
);

/// §7.1 step 20 reads the credential public key from the attested credential data that AT announces.
const KEY_IN_AUTH_DATA: Basis = Basis::procedure(
    "§7.1 step 20",
    "Verify that the \"alg\" parameter in the credential public key in authData matches the alg attribute of one of the items in pkOptions.pubKeyCredParams.",
);

/// Registration authenticator data the RP must refuse as malformed.
const REG_AUTH_DATA_MALFORMED: Case = Case {
    spec: "§6.1, §7.1 step 13",
    flags: &[Flag::AuthDataLeniency],
    check: Some(CheckId::RegAuthDataMalformed),
    ..Case::must_reject(Ceremony::Registration)
};

/// Assertion authenticator data the RP must refuse as malformed.
const AUTH_AUTH_DATA_MALFORMED: Case = Case {
    spec: "§6.1, §7.2 step 7",
    flags: &[Flag::AuthDataLeniency],
    check: Some(CheckId::AuthAuthDataMalformed),
    ..Case::must_reject(Ceremony::Authentication)
};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.auth-data.rp-id-hash.other-rp",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 14",
            level: Level::Must,
            expect: Expect::Reject,
            title: "rpIdHash is SHA-256 of another RP ID",
            rationale: "the credential must be scoped to this RP: rpIdHash must be SHA-256 of its RP ID",
            flags: &[Flag::RpIdHashUnchecked],
            check: Some(CheckId::RegRpIdHash),
            plan: reg_pre(|p| {
                p.draft.auth_data.rp_id_hash = crate::Rp::new("evil.example.com", "").id_hash()
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.auth-data.rp-id-hash.other-rp",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 15",
            level: Level::Must,
            expect: Expect::Reject,
            title: "rpIdHash is SHA-256 of another RP ID",
            rationale: "an assertion scoped to another RP must not sign in here",
            flags: &[Flag::RpIdHashUnchecked],
            check: Some(CheckId::AuthRpIdHash),
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 F-2"),
            plan: auth_pre(|p| {
                p.draft.auth_data.rp_id_hash = crate::Rp::new("evil.example.com", "").id_hash()
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.auth-data.rp-id-hash.of-origin",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 15",
            level: Level::Must,
            expect: Expect::Reject,
            title: "rpIdHash is SHA-256 of the origin string instead of the RP ID",
            rationale: "rpIdHash hashes the RP ID, not the origin",
            flags: &[Flag::RpIdHashUnchecked],
            check: Some(CheckId::AuthRpIdHash),
            plan: auth_pre(|p| p.draft.auth_data.rp_id_hash = crate::Rp::new(&p.cfg.origin, "").id_hash()),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.auth-data.leftover-bytes",
            title: "authData has two bytes after the attested credential data",
            rationale: "authenticator data describes its own length; extra bytes mean it is malformed",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-12"),
            basis: Some(SELF_DESCRIBING),
            plan: reg_post(|p| p.signed.attestation_object.auth_data.extend_from_slice(&[0x00, 0x01])),
            ..REG_AUTH_DATA_MALFORMED
        },
        Case {
            id: "auth.auth-data.leftover-bytes",
            title: "authenticatorData has two bytes after the 37-byte header, signed",
            rationale: "authenticator data describes its own length; extra bytes mean it is malformed",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 F-1"),
            basis: Some(SELF_DESCRIBING),
            plan: auth_post(|p| {
                // Re-sign over the longer data so that only the structure is wrong.
                p.signed.authenticator_data.extend_from_slice(&[0x00, 0x01]);
                p.signed.signature =
                    resign(p.credential, &p.signed.authenticator_data, &p.signed.client_data_json);
            }),
            ..AUTH_AUTH_DATA_MALFORMED
        },
        Case {
            id: "reg.auth-data.at-clear",
            ceremony: Ceremony::Registration,
            spec: "§6.1, §7.1 step 20",
            level: Level::Must,
            expect: Expect::Reject,
            title: "AT flag clear and no attested credential data",
            rationale: "a registration needs the attested credential data that AT announces",
            flags: &[Flag::AuthDataLeniency],
            check: Some(CheckId::RegAttestedCredentialDataMissing),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-10"),
            plan: reg_pre(|p| {
                p.draft.auth_data.flags = p.draft.auth_data.flags.with(Flags::AT, false);
                p.draft.auth_data.attested_credential_data = None;
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.auth-data.at-clear-data-present",
            title: "AT flag clear but attested credential data present",
            rationale: "without AT the data after the header is leftover bytes",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-9"),
            basis: Some(Basis::data(
                "§6.1",
                "For attestation signatures, the authenticator MUST set the AT flag and include the attestedCredentialData.",
            )),
            plan: reg_pre(|p| p.draft.auth_data.flags = p.draft.auth_data.flags.with(Flags::AT, false)),
            ..REG_AUTH_DATA_MALFORMED
        },
        Case {
            id: "reg.auth-data.at-set-data-absent",
            title: "AT flag set but no attested credential data",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-11"),
            spec: "§6.1, §7.1 step 20",
            rationale: "AT announces attested credential data; without it there is no credential public key for step 20 to read",
            basis: Some(KEY_IN_AUTH_DATA),
            plan: reg_pre(|p| p.draft.auth_data.attested_credential_data = None),
            ..REG_AUTH_DATA_MALFORMED
        },
        Case {
            id: "reg.auth-data.ed-set-no-extensions",
            title: "ED flag set but no extensions follow",
            rationale: "ED announces an extensions map; its absence is truncated authenticator data",
            basis: Some(ED_MATCHES_EXTENSIONS),
            plan: reg_pre(|p| p.draft.auth_data.flags = p.draft.auth_data.flags.with(Flags::ED, true)),
            ..REG_AUTH_DATA_MALFORMED
        },
        Case {
            id: "reg.auth-data.extensions-without-ed",
            title: "an extensions map follows the attested data but ED is clear",
            rationale: "without ED the map is leftover bytes, not extensions",
            basis: Some(ED_MATCHES_EXTENSIONS),
            plan: reg_pre(|p| p.draft.auth_data.extensions = Some(wire::cbor::Value::Map(vec![]))),
            ..REG_AUTH_DATA_MALFORMED
        },
        Case {
            id: "reg.auth-data.extensions-present",
            ceremony: Ceremony::Registration,
            spec: "§6.1, §7.1 step 28",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 P-1"),
            basis: Some(Basis::procedure(
                "§7.1 step 28",
                "The Relying Party MUST be prepared to handle such situations, whether by ignoring the unsolicited extensions or by rejecting the attestation. The Relying Party can make this decision based on local policy and the extensions in use.",
            )),
            plan: reg_pre(|p| {
                with_extension(&mut p.draft.auth_data, "credProtect", wire::cbor::Value::from(1))
            }),
            ..UNSOLICITED_EXTENSION
        },
        Case {
            id: "auth.auth-data.extensions-present",
            ceremony: Ceremony::Authentication,
            spec: "§6.1, §7.2 step 23",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-8"),
            basis: Some(Basis::procedure(
                "§7.2 step 23",
                "The Relying Party MUST be prepared to handle such situations, whether by ignoring the unsolicited extensions or by rejecting the assertion. The Relying Party can make this decision based on local policy and the extensions in use.",
            )),
            plan: auth_pre(|p| {
                with_extension(&mut p.draft.auth_data, "example", wire::cbor::Value::Bool(true))
            }),
            ..UNSOLICITED_EXTENSION
        },
        Case {
            id: "auth.auth-data.leftover-after-extensions",
            title: "one byte after the extensions map, signed",
            rationale:
                "the extensions map is the last part of authenticator data; a byte after it is leftover",
            basis: Some(SELF_DESCRIBING),
            plan: super::Plan::Authenticate(super::AuthHooks {
                pre: Some(|p| {
                    p.draft.auth_data.flags = p.draft.auth_data.flags.with(Flags::ED, true);
                    p.draft.auth_data.extensions = Some(wire::cbor::Value::Map(vec![(
                        wire::cbor::Value::from("example"),
                        wire::cbor::Value::Bool(true),
                    )]));
                }),
                post: Some(|p| {
                    p.signed.authenticator_data.push(0x00);
                    p.signed.signature =
                        resign(p.credential, &p.signed.authenticator_data, &p.signed.client_data_json);
                }),
                ..super::AuthHooks::NONE
            }),
            ..AUTH_AUTH_DATA_MALFORMED
        },
        Case {
            id: "auth.auth-data.at-set",
            ceremony: Ceremony::Authentication,
            spec: "§6.1",
            level: Level::Must,
            expect: Expect::Reject,
            title: "an assertion whose authenticator data has AT set and attested credential data",
            rationale: "for assertion signatures the AT flag MUST NOT be set",
            flags: &[Flag::AuthDataLeniency],
            check: Some(CheckId::AuthAttestedCredentialDataPresent),
            plan: auth_pre(|p| {
                p.draft.auth_data.flags = p.draft.auth_data.flags.with(Flags::AT, true);
                p.draft.auth_data.attested_credential_data = Some(p.credential.attested_data());
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.auth-data.truncated",
            title: "authenticatorData is 36 bytes",
            spec: "§6.1, §7.2 step 22",
            rationale: "authenticator data is at least 37 bytes; in 36 there is no signCount for step 22 to compare",
            basis: Some(Basis::procedure(
                "§7.2 step 22",
                "If authData.signCount is nonzero or credentialRecord.signCount is nonzero, then run the following sub-step:",
            )),
            plan: auth_post(|p| {
                p.signed.authenticator_data.truncate(36);
                p.signed.signature =
                    resign(p.credential, &p.signed.authenticator_data, &p.signed.client_data_json);
            }),
            ..AUTH_AUTH_DATA_MALFORMED
        },
    ]
}

/// A signature over `authenticator_data || SHA-256(client_data_json)` with the credential key.
pub(super) fn resign(
    credential: &crate::Credential,
    authenticator_data: &[u8],
    client_data_json: &[u8],
) -> Vec<u8> {
    use sha2::Digest;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&sha2::Sha256::digest(client_data_json));
    credential.key.sign(&signed)
}
