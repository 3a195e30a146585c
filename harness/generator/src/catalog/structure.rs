//! The request structure: members of the posted credential missing, of the wrong type, or not base64url
//! (§5.1; the FIDO server conformance tests Resp-1 of both ceremonies).

use serde_json::{json, Value};

use super::{auth_json, reg_json, Case, CheckId, Expect, Flag, Level, Setup};

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

macro_rules! structure_case {
    ($v:ident, $cer:ident, $id:literal, $fido:literal, $title:literal, $f:expr) => {
        structure_case!($v, $cer, $id, $fido, $title, $f, structure_case!(@check $cer))
    };
    ($v:ident, $cer:ident, $id:literal, $fido:literal, $title:literal, $f:expr, $check:expr) => {
        $v.push(Case {
            id: $id,
            spec: structure_case!(@spec $cer),
            level: Level::Must,
            expect: Expect::Reject,
            title: $title,
            rationale: "a response without every required member, well-typed and base64url, is not a PublicKeyCredential the procedure can run on",
            flags: &[Flag::ResponseStructureUnchecked],
            check: Some($check),
            fido: Some($fido),
            setup: Setup::DEFAULT,
            plan: structure_case!(@plan $cer, $f),
        });
    };
    (@spec reg) => { "§7.1 step 3, §5.1" };
    (@spec auth) => { "§7.2 step 3, §5.1" };
    (@check reg) => { CheckId::RegResponseMalformed };
    (@check auth) => { CheckId::AuthResponseMalformed };
    (@plan reg, $f:expr) => { reg_json($f) };
    (@plan auth, $f:expr) => { auth_json($f) };
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    // An empty string is valid base64url for zero bytes, so those cases fail at the first step that reads the
    // bytes, not at step 3.
    structure_case!(
        v,
        reg,
        "reg.response.id.missing",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-1",
        "id is missing",
        |j| {
            remove(j, &["id"]);
            remove(j, &["rawId"])
        }
    );
    structure_case!(
        v,
        reg,
        "reg.response.id.not-string",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-2",
        "id is a number",
        |j| set(j, &["id"], json!(42))
    );
    structure_case!(
        v,
        reg,
        "reg.response.id.standard-base64",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-3",
        "id is standard base64 with padding",
        |j| standard_base64(j, &["id"])
    );
    structure_case!(
        v,
        reg,
        "reg.response.type.missing",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-4",
        "type is missing",
        |j| remove(j, &["type"])
    );
    structure_case!(
        v,
        reg,
        "reg.response.type.not-string",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-5",
        "type is an object",
        |j| set(j, &["type"], json!({}))
    );
    structure_case!(
        v,
        reg,
        "reg.response.type.not-public-key",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-6",
        "type is \"avocado-toast\"",
        |j| set(j, &["type"], json!("avocado-toast"))
    );
    structure_case!(
        v,
        reg,
        "reg.response.response.missing",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-7",
        "response is missing",
        |j| remove(j, &["response"])
    );
    structure_case!(
        v,
        reg,
        "reg.response.response.not-object",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-8",
        "response is an array",
        |j| set(j, &["response"], json!([]))
    );
    structure_case!(
        v,
        reg,
        "reg.response.client-data-json.missing",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-9",
        "response.clientDataJSON is missing",
        |j| remove(j, &["response", "clientDataJSON"])
    );
    structure_case!(
        v,
        reg,
        "reg.response.client-data-json.not-string",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-10",
        "response.clientDataJSON is a boolean",
        |j| set(j, &["response", "clientDataJSON"], json!(true))
    );
    structure_case!(
        v,
        reg,
        "reg.response.client-data-json.empty",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-11",
        "response.clientDataJSON is the empty string",
        |j| set(j, &["response", "clientDataJSON"], json!("")),
        CheckId::RegClientDataNotJson
    );
    structure_case!(
        v,
        reg,
        "reg.response.attestation-object.missing",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-12",
        "response.attestationObject is missing",
        |j| remove(j, &["response", "attestationObject"])
    );
    structure_case!(
        v,
        reg,
        "reg.response.attestation-object.not-string",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-13",
        "response.attestationObject is a number",
        |j| set(j, &["response", "attestationObject"], json!(7))
    );
    structure_case!(
        v,
        reg,
        "reg.response.attestation-object.empty",
        "Server-ServerAuthenticatorAttestationResponse-Resp-1 F-14",
        "response.attestationObject is the empty string",
        |j| set(j, &["response", "attestationObject"], json!("")),
        CheckId::RegAttestationObjectMalformed
    );

    structure_case!(
        v,
        auth,
        "auth.response.id.missing",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-1",
        "id is missing",
        |j| {
            remove(j, &["id"]);
            remove(j, &["rawId"])
        }
    );
    structure_case!(
        v,
        auth,
        "auth.response.id.not-string",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-2",
        "id is a number",
        |j| set(j, &["id"], json!(42))
    );
    structure_case!(
        v,
        auth,
        "auth.response.id.standard-base64",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-3",
        "id is standard base64 with padding",
        |j| standard_base64(j, &["id"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.type.missing",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-4",
        "type is missing",
        |j| remove(j, &["type"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.type.not-string",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-5",
        "type is an array",
        |j| set(j, &["type"], json!([]))
    );
    structure_case!(
        v,
        auth,
        "auth.response.type.not-public-key",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-6",
        "type is \"avocado-toast\"",
        |j| set(j, &["type"], json!("avocado-toast"))
    );
    structure_case!(
        v,
        auth,
        "auth.response.response.missing",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-7",
        "response is missing",
        |j| remove(j, &["response"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.response.not-object",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-8",
        "response is a string",
        |j| set(j, &["response"], json!("response"))
    );
    structure_case!(
        v,
        auth,
        "auth.response.client-data-json.missing",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-9",
        "response.clientDataJSON is missing",
        |j| remove(j, &["response", "clientDataJSON"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.client-data-json.not-string",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-10",
        "response.clientDataJSON is a number",
        |j| set(j, &["response", "clientDataJSON"], json!(1))
    );
    structure_case!(
        v,
        auth,
        "auth.response.client-data-json.empty",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-11",
        "response.clientDataJSON is the empty string",
        |j| set(j, &["response", "clientDataJSON"], json!("")),
        CheckId::AuthClientDataNotJson
    );
    structure_case!(
        v,
        auth,
        "auth.response.authenticator-data.missing",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-12",
        "response.authenticatorData is missing",
        |j| remove(j, &["response", "authenticatorData"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.authenticator-data.not-string",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-13",
        "response.authenticatorData is an object",
        |j| set(j, &["response", "authenticatorData"], json!({}))
    );
    structure_case!(
        v,
        auth,
        "auth.response.authenticator-data.standard-base64",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-14",
        "response.authenticatorData is standard base64 with padding",
        |j| standard_base64(j, &["response", "authenticatorData"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.authenticator-data.empty",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-15",
        "response.authenticatorData is the empty string",
        |j| set(j, &["response", "authenticatorData"], json!("")),
        CheckId::AuthAuthDataMalformed
    );
    structure_case!(
        v,
        auth,
        "auth.response.signature.missing",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-16",
        "response.signature is missing",
        |j| remove(j, &["response", "signature"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.signature.not-string",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-17",
        "response.signature is a boolean",
        |j| set(j, &["response", "signature"], json!(false))
    );
    structure_case!(
        v,
        auth,
        "auth.response.signature.standard-base64",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-18",
        "response.signature is standard base64 with padding",
        |j| standard_base64(j, &["response", "signature"])
    );
    structure_case!(
        v,
        auth,
        "auth.response.signature.empty",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-19",
        "response.signature is the empty string",
        |j| set(j, &["response", "signature"], json!("")),
        CheckId::AuthSignatureMalformed
    );
    structure_case!(
        v,
        auth,
        "auth.response.user-handle.not-string",
        "Server-ServerAuthenticatorAssertionResponse-Resp-1 F-21",
        "response.userHandle is a number",
        |j| set(j, &["response", "userHandle"], json!(5))
    );
    // The signature's standard base64 must differ from its base64url by more than padding (a '+' or '/'), or a
    // decoder that only strips '=' would pass or fail by the luck of the RP's challenge: re-sign until it does.
    for c in v.iter_mut().filter(|c| c.id == "auth.response.signature.standard-base64") {
        if let super::Plan::Authenticate(hooks) = &mut c.plan {
            hooks.post = Some(|p| super::signature::resign_until(p, crate::runner::std_alphabet));
        }
    }
    v
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
