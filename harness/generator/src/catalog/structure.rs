//! The request structure: members of the posted credential missing, of the wrong type, or not base64url
//! (§5.1; the FIDO server conformance tests Resp-1 of both ceremonies).

use serde_json::{json, Value};

use super::signature::resign_until;
use super::{auth_json, reg_json, std_alphabet, AuthHooks, Basis, Case, Ceremony, CheckId, Flag, Plan};

fn remove(v: &mut Value, path: &[&str]) {
    let (last, parents) = match path.split_last() {
        Some(x) => x,
        None => return,
    };
    let mut cur = v;
    for p in parents {
        cur = &mut cur[*p];
    }
    if let Some(obj) = cur.as_object_mut() {
        obj.remove(*last);
    }
}

fn set(v: &mut Value, path: &[&str], value: Value) {
    let mut cur = v;
    for p in path {
        cur = &mut cur[*p];
    }
    *cur = value;
}

/// Standard base64 (RFC 4648 §4: `+` and `/`, `=` padding) of the same bytes: what a careless client sends.
/// Where that happens to spell the same string as base64url (a length divisible by 3 and no `+` or `/`, as for
/// about one ES256 signature in a hundred), a MIME encoder's line ending is added, so the value is never valid
/// base64url.
pub(crate) fn standard_base64(v: &mut Value, path: &[&str]) {
    let mut cur = &mut *v;
    for p in path {
        cur = &mut cur[*p];
    }
    if let Some(s) = cur.as_str() {
        if let Ok(bytes) = wire::base64url::decode(s) {
            *cur = Value::String(standard_base64_of(&bytes));
        }
    }
}

pub(crate) fn standard_base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    let standard = base64::engine::general_purpose::STANDARD.encode(bytes);
    if standard == wire::base64url::encode(bytes) {
        standard + "\r\n"
    } else {
        standard
    }
}

/// Why a correct RP rejects every case of this file.
const RATIONALE: &str = "a response without every required member, well-typed and base64url, is not a PublicKeyCredential the procedure can run on";

/// What the rows of a malformed registration response share.
const REG_MALFORMED: Case = Case {
    spec: "§7.1 step 3, §5.1",
    rationale: RATIONALE,
    flags: &[Flag::ResponseStructureUnchecked],
    check: Some(CheckId::RegResponseMalformed),
    ..Case::must_reject(Ceremony::Registration)
};

/// What the rows of a malformed assertion response share.
const AUTH_MALFORMED: Case = Case {
    spec: "§7.2 step 3, §5.1",
    rationale: RATIONALE,
    flags: &[Flag::ResponseStructureUnchecked],
    check: Some(CheckId::AuthResponseMalformed),
    ..Case::must_reject(Ceremony::Authentication)
};

/// `id` is the base64url of rawId (§5.1): the FIDO tool's Resp-1 tests of `id`.
const ID_IS_BASE64URL: Basis = Basis::conformance(
    "§5.1",
    "This attribute is inherited from Credential, though PublicKeyCredential overrides Credential's getter, instead returning the base64url encoding of the data contained in the object's [[identifier internal slot.",
);

/// `type` is "public-key" (§5.1): the FIDO tool's Resp-1 tests of `type`.
const TYPE_IS_PUBLIC_KEY: Basis = Basis::conformance(
    "§5.1",
    "The PublicKeyCredential interface object's [[type internal slot's value is the string \"public-key\".",
);

/// A member in standard base64 (§5.1 serializes byte members as base64url): the FIDO tool's Resp-1 tests.
const MEMBER_IS_BASE64URL: Basis = Basis::conformance("§5.1", "");

/// What the rows share whose member no step of §7.1 reads: the FIDO conformance tool expects a rejection.
const REG_ENVELOPE: Case = Case {
    spec: "§5.1",
    rationale: "§5.1 serializes id as the base64url of rawId and type as \"public-key\"; no step of §7.1 verifies either (the credential ID is read from authData), but the FIDO conformance tool expects the RP to reject a response where they are missing, mistyped or not base64url",
    ..REG_MALFORMED
};

/// What the rows share whose member the RP can read leniently without failing a step of §7.2: the FIDO
/// conformance tool expects a rejection.
const AUTH_ENVELOPE: Case = Case {
    spec: "§5.1",
    rationale: "§5.1 serializes id and every byte member as base64url and type as \"public-key\"; an RP that finds the record by rawId (§7.2 step 6) and decodes leniently fails no step, but the FIDO conformance tool expects it to reject",
    ..AUTH_MALFORMED
};

pub(super) fn cases() -> Vec<Case> {
    // An empty string is valid base64url for zero bytes, so those cases fail at the first step that reads the
    // bytes, not at step 3.
    vec![
        Case {
            id: "reg.response.id.missing",
            ceremony: Ceremony::Registration,
            title: "id is missing",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-1"),
            basis: Some(ID_IS_BASE64URL),
            plan: reg_json(|j| {
                remove(j, &["id"]);
                remove(j, &["rawId"])
            }),
            ..REG_ENVELOPE
        },
        Case {
            id: "reg.response.id.not-string",
            ceremony: Ceremony::Registration,
            title: "id is a number",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-2"),
            basis: Some(ID_IS_BASE64URL),
            plan: reg_json(|j| set(j, &["id"], json!(42))),
            ..REG_ENVELOPE
        },
        Case {
            id: "reg.response.id.standard-base64",
            ceremony: Ceremony::Registration,
            title: "id is standard base64 with padding",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-3"),
            basis: Some(ID_IS_BASE64URL),
            plan: reg_json(|j| standard_base64(j, &["id"])),
            ..REG_ENVELOPE
        },
        Case {
            id: "reg.response.type.missing",
            ceremony: Ceremony::Registration,
            title: "type is missing",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-4"),
            basis: Some(TYPE_IS_PUBLIC_KEY),
            plan: reg_json(|j| remove(j, &["type"])),
            ..REG_ENVELOPE
        },
        Case {
            id: "reg.response.type.not-string",
            ceremony: Ceremony::Registration,
            title: "type is an object",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-5"),
            basis: Some(TYPE_IS_PUBLIC_KEY),
            plan: reg_json(|j| set(j, &["type"], json!({}))),
            ..REG_ENVELOPE
        },
        Case {
            id: "reg.response.type.not-public-key",
            ceremony: Ceremony::Registration,
            title: "type is \"avocado-toast\"",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-6"),
            basis: Some(TYPE_IS_PUBLIC_KEY),
            plan: reg_json(|j| set(j, &["type"], json!("avocado-toast"))),
            ..REG_ENVELOPE
        },
        Case {
            id: "reg.response.response.missing",
            ceremony: Ceremony::Registration,
            title: "response is missing",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-7"),
            plan: reg_json(|j| remove(j, &["response"])),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.response.not-object",
            ceremony: Ceremony::Registration,
            title: "response is an array",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-8"),
            plan: reg_json(|j| set(j, &["response"], json!([]))),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.client-data-json.missing",
            ceremony: Ceremony::Registration,
            title: "response.clientDataJSON is missing",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-9"),
            plan: reg_json(|j| remove(j, &["response", "clientDataJSON"])),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.client-data-json.not-string",
            ceremony: Ceremony::Registration,
            title: "response.clientDataJSON is a boolean",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-10"),
            plan: reg_json(|j| set(j, &["response", "clientDataJSON"], json!(true))),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.client-data-json.empty",
            ceremony: Ceremony::Registration,
            title: "response.clientDataJSON is the empty string",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-11"),
            check: Some(CheckId::RegClientDataNotJson),
            plan: reg_json(|j| set(j, &["response", "clientDataJSON"], json!(""))),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.attestation-object.missing",
            ceremony: Ceremony::Registration,
            title: "response.attestationObject is missing",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-12"),
            plan: reg_json(|j| remove(j, &["response", "attestationObject"])),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.attestation-object.not-string",
            ceremony: Ceremony::Registration,
            title: "response.attestationObject is a number",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-13"),
            plan: reg_json(|j| set(j, &["response", "attestationObject"], json!(7))),
            ..REG_MALFORMED
        },
        Case {
            id: "reg.response.attestation-object.empty",
            ceremony: Ceremony::Registration,
            title: "response.attestationObject is the empty string",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-14"),
            check: Some(CheckId::RegAttestationObjectMalformed),
            plan: reg_json(|j| set(j, &["response", "attestationObject"], json!(""))),
            ..REG_MALFORMED
        },
        Case {
            id: "auth.response.id.missing",
            ceremony: Ceremony::Authentication,
            title: "id is missing",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-1"),
            spec: "§7.2 step 6, §5.1",
            rationale: "without rawId (or id) no credential record can be found whose id equals credential.rawId",
            basis: Some(Basis::procedure(
                "§7.2 step 6",
                "verify that the identified user account contains a credential record whose id equals credential.rawId.",
            )),
            plan: auth_json(|j| {
                remove(j, &["id"]);
                remove(j, &["rawId"])
            }),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.id.not-string",
            ceremony: Ceremony::Authentication,
            title: "id is a number",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-2"),
            basis: Some(ID_IS_BASE64URL),
            plan: auth_json(|j| set(j, &["id"], json!(42))),
            ..AUTH_ENVELOPE
        },
        Case {
            id: "auth.response.id.standard-base64",
            ceremony: Ceremony::Authentication,
            title: "id is standard base64 with padding",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-3"),
            basis: Some(ID_IS_BASE64URL),
            plan: auth_json(|j| standard_base64(j, &["id"])),
            ..AUTH_ENVELOPE
        },
        Case {
            id: "auth.response.type.missing",
            ceremony: Ceremony::Authentication,
            title: "type is missing",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-4"),
            basis: Some(TYPE_IS_PUBLIC_KEY),
            plan: auth_json(|j| remove(j, &["type"])),
            ..AUTH_ENVELOPE
        },
        Case {
            id: "auth.response.type.not-string",
            ceremony: Ceremony::Authentication,
            title: "type is an array",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-5"),
            basis: Some(TYPE_IS_PUBLIC_KEY),
            plan: auth_json(|j| set(j, &["type"], json!([]))),
            ..AUTH_ENVELOPE
        },
        Case {
            id: "auth.response.type.not-public-key",
            ceremony: Ceremony::Authentication,
            title: "type is \"avocado-toast\"",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-6"),
            basis: Some(TYPE_IS_PUBLIC_KEY),
            plan: auth_json(|j| set(j, &["type"], json!("avocado-toast"))),
            ..AUTH_ENVELOPE
        },
        Case {
            id: "auth.response.response.missing",
            ceremony: Ceremony::Authentication,
            title: "response is missing",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-7"),
            plan: auth_json(|j| remove(j, &["response"])),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.response.not-object",
            ceremony: Ceremony::Authentication,
            title: "response is a string",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-8"),
            plan: auth_json(|j| set(j, &["response"], json!("response"))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.client-data-json.missing",
            ceremony: Ceremony::Authentication,
            title: "response.clientDataJSON is missing",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-9"),
            plan: auth_json(|j| remove(j, &["response", "clientDataJSON"])),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.client-data-json.not-string",
            ceremony: Ceremony::Authentication,
            title: "response.clientDataJSON is a number",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-10"),
            plan: auth_json(|j| set(j, &["response", "clientDataJSON"], json!(1))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.client-data-json.empty",
            ceremony: Ceremony::Authentication,
            title: "response.clientDataJSON is the empty string",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-11"),
            check: Some(CheckId::AuthClientDataNotJson),
            plan: auth_json(|j| set(j, &["response", "clientDataJSON"], json!(""))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.authenticator-data.missing",
            ceremony: Ceremony::Authentication,
            title: "response.authenticatorData is missing",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-12"),
            plan: auth_json(|j| remove(j, &["response", "authenticatorData"])),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.authenticator-data.not-string",
            ceremony: Ceremony::Authentication,
            title: "response.authenticatorData is an object",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-13"),
            plan: auth_json(|j| set(j, &["response", "authenticatorData"], json!({}))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.authenticator-data.standard-base64",
            ceremony: Ceremony::Authentication,
            title: "response.authenticatorData is standard base64 with padding",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-14"),
            basis: Some(MEMBER_IS_BASE64URL),
            plan: auth_json(|j| standard_base64(j, &["response", "authenticatorData"])),
            ..AUTH_ENVELOPE
        },
        Case {
            id: "auth.response.authenticator-data.empty",
            ceremony: Ceremony::Authentication,
            title: "response.authenticatorData is the empty string",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-15"),
            check: Some(CheckId::AuthAuthDataMalformed),
            plan: auth_json(|j| set(j, &["response", "authenticatorData"], json!(""))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.signature.missing",
            ceremony: Ceremony::Authentication,
            title: "response.signature is missing",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-16"),
            plan: auth_json(|j| remove(j, &["response", "signature"])),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.signature.not-string",
            ceremony: Ceremony::Authentication,
            title: "response.signature is a boolean",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-17"),
            plan: auth_json(|j| set(j, &["response", "signature"], json!(false))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.signature.standard-base64",
            ceremony: Ceremony::Authentication,
            title: "response.signature is standard base64 with padding",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-18"),
            // The signature's standard base64 must differ from its base64url by more than padding (a '+' or '/'),
            // or a decoder that only strips '=' would pass or fail by the luck of the RP's challenge: re-signed
            // until it does.
            basis: Some(MEMBER_IS_BASE64URL),
            plan: Plan::Authenticate(AuthHooks {
                post: Some(|p| resign_until(p, std_alphabet)),
                json: Some(|j| standard_base64(j, &["response", "signature"])),
                ..AuthHooks::NONE
            }),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.signature.empty",
            ceremony: Ceremony::Authentication,
            title: "response.signature is the empty string",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-19"),
            check: Some(CheckId::AuthSignatureMalformed),
            spec: "§7.2 step 21",
            rationale: "zero bytes are not a valid signature over authenticatorData and the client data hash",
            basis: Some(Basis::procedure(
                "§7.2 step 21",
                "Using credentialRecord.publicKey, verify that sig is a valid signature over the binary concatenation of authData and hash.",
            )),
            plan: auth_json(|j| set(j, &["response", "signature"], json!(""))),
            ..AUTH_MALFORMED
        },
        Case {
            id: "auth.response.user-handle.not-string",
            ceremony: Ceremony::Authentication,
            title: "response.userHandle is a number",
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-1 F-21"),
            spec: "§7.2 step 6, §5.1",
            rationale: "a present userHandle must equal the account's user handle, and a number equals no byte sequence",
            basis: Some(Basis::procedure(
                "§7.2 step 6",
                "If response.userHandle is present, verify that it equals the user handle of the user account.",
            )),
            plan: auth_json(|j| set(j, &["response", "userHandle"], json!(5))),
            ..AUTH_MALFORMED
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_base64_is_never_valid_base64url() {
        assert_eq!(standard_base64_of(&[0xfb, 0xff]), "+/8=");
        // Three zero bytes spell "AAAA" in both alphabets: a line ending makes the difference.
        assert_eq!(standard_base64_of(&[0, 0, 0]), "AAAA\r\n");
        for len in 0..80usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
            let s = standard_base64_of(&bytes);
            assert!(wire::base64url::decode(&s).is_err(), "{len} bytes: {s:?} decodes as base64url");
        }
    }
}
