//! The baselines both sides verify: the fuzzing crate's own (`case.build()`), and for webauthn_rp, whose server
//! state holds a challenge of exactly 16 bytes, the same ceremony with a 16-byte challenge.
//!
//! The 16-byte variant is made with the fuzzing crate's own machinery, so nothing of its build is copied: the
//! baseline's context gets the first 16 bytes of each challenge, and the description's mutation list is run with
//! one mutation (the client data `challenge` set to the context's challenge, §5.8.1.1 serialization) and a
//! re-signature (`resign`), which signs the changed client data as the description's attestation statement (or
//! the credential key, for an assertion) does. The result is the new baseline: its text, its JSON and its
//! context (with the new signature as `baseline_sig`) are what the description's own mutations are applied to.

use fuzzing::ceremony::{
    AuthenticationCase, BuiltAuthentication, BuiltRegistration, ClientDataMember, JsonLeaf, JsonValue, Known,
    Mutation, RegistrationCase, Serialization,
};
use serde_json::Value as Json;
use wire::attestation_object::AttestationObject;
use wire::base64url;
use wire::cbor::Value;

/// webauthn_rp's challenge size (`SentChallenge` is a `u128`).
pub const SHORT_CHALLENGE: usize = 16;

fn short(challenge: &[u8]) -> Vec<u8> {
    challenge.get(..SHORT_CHALLENGE).unwrap_or(challenge).to_vec()
}

fn set_challenge() -> Vec<Mutation> {
    vec![Mutation::ClientData {
        member: ClientDataMember::Challenge,
        value: Some(JsonValue::Leaf(JsonLeaf::Known(Known::Challenge))),
        serialization: Serialization::Spec,
    }]
}

fn response_bytes(json: &Json, name: &str) -> Option<Vec<u8>> {
    json.get("response")?.get(name)?.as_str().and_then(|s| base64url::decode(s).ok())
}

/// The registration baseline with 16-byte challenges.
pub fn short_registration(case: &RegistrationCase, built: BuiltRegistration) -> Option<BuiltRegistration> {
    let mut ctx = built.ctx.clone();
    ctx.challenge = short(&ctx.challenge);
    ctx.other_challenge = short(&ctx.other_challenge);
    let prep = RegistrationCase { resign: true, mutations: set_challenge(), ..case.clone() };
    let staged = BuiltRegistration { ctx: ctx.clone(), ..built };
    let text = prep.mutated(&staged);
    let json: Json = serde_json::from_slice(&text).ok()?;
    let client_data_json = response_bytes(&json, "clientDataJSON")?;
    let attestation_object =
        AttestationObject::parse(&response_bytes(&json, "attestationObject")?).ok()?.object;
    ctx.baseline_sig =
        attestation_object.att_stmt.get_text("sig").and_then(Value::as_bytes).unwrap_or_default().to_vec();
    // Updated field by field, so fields the fuzzing crate adds later are carried over as they are.
    let mut built = staged;
    built.expectations.challenge = ctx.challenge.clone();
    built.json = json;
    built.text = text;
    built.client_data_json = client_data_json;
    built.attestation_object = attestation_object;
    built.ctx = ctx;
    Some(built)
}

/// The authentication baseline with 16-byte challenges.
pub fn short_authentication(
    case: &AuthenticationCase,
    built: BuiltAuthentication,
) -> Option<BuiltAuthentication> {
    let mut ctx = built.ctx.clone();
    ctx.challenge = short(&ctx.challenge);
    ctx.other_challenge = short(&ctx.other_challenge);
    let prep = AuthenticationCase { resign: true, mutations: set_challenge(), ..case.clone() };
    let staged = BuiltAuthentication { ctx: ctx.clone(), ..built };
    let text = prep.mutated(&staged);
    let json: Json = serde_json::from_slice(&text).ok()?;
    let client_data_json = response_bytes(&json, "clientDataJSON")?;
    let authenticator_data = response_bytes(&json, "authenticatorData")?;
    let signature = response_bytes(&json, "signature")?;
    ctx.baseline_sig = signature.clone();
    let mut built = staged;
    built.expectations.challenge = ctx.challenge.clone();
    built.json = json;
    built.text = text;
    built.client_data_json = client_data_json;
    built.authenticator_data = authenticator_data;
    built.signature = signature;
    built.ctx = ctx;
    Some(built)
}
