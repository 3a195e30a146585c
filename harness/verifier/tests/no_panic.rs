//! The verifier never panics: valid registration and authentication responses (ES256, EdDSA and RS256;
//! `none` and `packed` self attestation, and for ES256 also `packed` x5c and `fido-u2f`) are mutated at random, in their decoded members, inside the
//! attestation object, in their JSON structure and in the JSON text, and the verifier must return `Ok` or a
//! rejection naming one of [`CheckId::ALL`] of the ceremony it ran. Arbitrary key material goes through
//! registration and then authentication with arbitrary signatures.
//!
//! The property is only "no panic, well-formed verdict": a mutated ceremony may well still be valid.

mod checks_support;
mod common;

use std::sync::OnceLock;

use checks_support::*;
use common::*;
use generator::{AssertionDraft, AttestationKind, Credential, Generator, RegistrationDraft};
use proptest::prelude::*;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use verifier::policy::CounterPolicy;
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, Ceremony, CheckId, CredentialRecord, Policy,
    RegistrationExpectations, RegistrationResponse, Rejection,
};
use wire::attestation_object::AttestationObject;
use wire::base64url;
use wire::cbor::Value;
use wire::cose::{alg, CoseKey, EcCurve, OkpCurve};

// ---- baselines -------------------------------------------------------------------------------------------

struct RegBase {
    kind: AttestationKind,
    cred: Credential,
    json: Json,
    expectations: RegistrationExpectations,
}

struct AuthBase {
    cred: Credential,
    json: Json,
    expectations: AuthenticationExpectations,
    record: CredentialRecord,
}

struct Baselines {
    regs: Vec<RegBase>,
    auths: Vec<AuthBase>,
}

fn baselines() -> &'static Baselines {
    static B: OnceLock<Baselines> = OnceLock::new();
    B.get_or_init(|| {
        let mut regs = Vec::new();
        let mut auths = Vec::new();
        for alg in [Algorithm::Es256, Algorithm::EdDsa, Algorithm::Rs256] {
            let cred = credential(alg, 3, 16);
            let mut gen = Generator::new(4);
            let mut kinds = vec![AttestationKind::None, AttestationKind::PackedSelf];
            if alg == Algorithm::Es256 {
                kinds.extend([AttestationKind::PackedX5c, AttestationKind::FidoU2f]);
            }
            // apple and android-key certify the credential key itself, of every key type here.
            kinds.extend([AttestationKind::Apple, AttestationKind::AndroidKey]);
            for kind in kinds {
                let challenge = gen.challenge();
                let draft = RegistrationDraft::new(&rp(), &cred, &challenge, 0);
                regs.push(RegBase {
                    kind,
                    cred: cred.clone(),
                    json: draft.sign(&cred, kind).to_json(),
                    expectations: reg_expectations(&challenge, alg.cose()),
                });
            }
            let none = regs.iter().rev().find(|r| r.kind == AttestationKind::None).expect("a none baseline");
            let record = register(&none.json, &none.expectations, &policy(), &Store::default())
                .unwrap_or_else(|r| panic!("baseline registration {alg:?}: {r}"))
                .record;
            let challenge = gen.challenge();
            let json = AssertionDraft::new(&rp(), &cred, &challenge, 0, 7, Some(USER.to_vec()))
                .sign(&cred)
                .to_json();
            let expectations = auth_expectations(&challenge);
            authenticate(&json, &expectations, &policy(), &stored(USER, record.clone()))
                .unwrap_or_else(|r| panic!("baseline authentication {alg:?}: {r}"));
            auths.push(AuthBase { cred, json, expectations, record });
        }
        Baselines { regs, auths }
    })
}

/// The reference policy, or one that lets as much as possible through to later steps.
fn policy_for(relaxed: bool) -> Policy {
    let mut p = policy();
    if relaxed {
        p.enforce_should = false;
        p.counter = CounterPolicy::Warn;
        p.backup.require_stable_backup_eligibility = false;
        p.origins.allow_rp_id_subdomains = true;
        p.framing.allow_cross_origin = true;
    }
    p
}

// ---- mutations ------------------------------------------------------------------------------------------

/// One edit of a byte string. Positions are taken modulo the length.
#[derive(Debug, Clone)]
enum Edit {
    Flip { at: usize, bit: u8 },
    Set { at: usize, byte: u8 },
    Truncate { to: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
}

impl Edit {
    fn apply(&self, b: &mut Vec<u8>) {
        let len = b.len();
        match self {
            Edit::Flip { at, bit } if len > 0 => b[at % len] ^= 1 << (bit % 8),
            Edit::Set { at, byte } if len > 0 => b[at % len] = *byte,
            Edit::Truncate { to } => b.truncate(to % (len + 1)),
            Edit::Insert { at, bytes } => {
                let at = at % (len + 1);
                b.splice(at..at, bytes.iter().copied());
            }
            Edit::Remove { at, len: n } if len > 0 => {
                let at = at % len;
                let end = (at + n).min(len);
                b.drain(at..end);
            }
            _ => {}
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(at, bit)| Edit::Flip { at, bit }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Set { at, byte }),
        1 => any::<usize>().prop_map(|to| Edit::Truncate { to }),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        1 => (any::<usize>(), 1usize..8).prop_map(|(at, len)| Edit::Remove { at, len }),
    ]
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Json::String),
        prop::collection::vec(any::<u8>(), 0..48).prop_map(|b| Json::String(base64url::encode(&b))),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(("[a-zA-Z]{1,10}", inner), 0..4)
                .prop_map(|members| Json::Object(members.into_iter().collect())),
        ]
    })
}

fn cbor_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(Value::Unsigned),
        any::<u64>().prop_map(Value::Negative),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Value::Bytes),
        ".{0,8}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 10, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((inner.clone(), inner), 0..4).prop_map(Value::Map),
        ]
    })
}

/// Members of a response that can be replaced or deleted (dotted paths).
const REG_PATHS: &[&str] = &[
    "id",
    "rawId",
    "type",
    "response",
    "clientExtensionResults",
    "response.clientDataJSON",
    "response.attestationObject",
    "response.transports",
];
const AUTH_PATHS: &[&str] = &[
    "id",
    "rawId",
    "type",
    "response",
    "response.clientDataJSON",
    "response.authenticatorData",
    "response.signature",
    "response.userHandle",
];
/// The base64url members whose decoded bytes are edited.
/// (Listed more than once to be picked more often.)
const REG_BYTES: &[&str] = &[
    "clientDataJSON",
    "attestationObject",
    "clientDataJSON",
    "attestationObject",
    "attestationObject",
    "rawId",
];
const AUTH_BYTES: &[&str] = &[
    "clientDataJSON",
    "authenticatorData",
    "signature",
    "clientDataJSON",
    "authenticatorData",
    "signature",
    "authenticatorData",
    "userHandle",
    "rawId",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Edit the decoded bytes of a base64url member (index into the ceremony's list).
    Bytes { member: usize, edit: Edit },
    /// Registration: edit authData inside the attestation object, re-encoded canonically.
    AuthData { edit: Edit },
    /// Registration: set an attStmt member to an arbitrary CBOR value.
    AttStmt { key: usize, value: Value },
    /// Replace a member (index into the ceremony's paths) with an arbitrary JSON value.
    Replace { path: usize, value: Json },
    /// Delete a member.
    Delete { path: usize },
    /// Edit the serialized JSON text.
    Text { edit: Edit },
}

const ATT_STMT_KEYS: &[&str] = &["alg", "sig", "x5c", "ecdaaKeyId", "certInfo", "ver"];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        5 => (any::<usize>(), edit()).prop_map(|(member, edit)| Mutation::Bytes { member, edit }),
        3 => edit().prop_map(|edit| Mutation::AuthData { edit }),
        2 => (any::<usize>(), cbor_value()).prop_map(|(key, value)| Mutation::AttStmt { key, value }),
        2 => (any::<usize>(), json_value()).prop_map(|(path, value)| Mutation::Replace { path, value }),
        1 => any::<usize>().prop_map(|path| Mutation::Delete { path }),
        1 => edit().prop_map(|edit| Mutation::Text { edit }),
    ]
}

/// The parent object and member name of a dotted path, if the parent is an object.
fn slot<'a>(json: &'a mut Json, path: &'a str) -> Option<(&'a mut serde_json::Map<String, Json>, &'a str)> {
    match path.split_once('.') {
        Some((parent, name)) => json.get_mut(parent)?.as_object_mut().map(|m| (m, name)),
        None => json.as_object_mut().map(|m| (m, path)),
    }
}

fn edit_b64_member(json: &mut Json, name: &str, edit: &Edit) {
    let holder = if matches!(name, "rawId" | "id") { Some(&mut *json) } else { json.get_mut("response") };
    let Some(Json::String(s)) = holder.and_then(|h| h.get_mut(name)) else { return };
    let Ok(mut bytes) = base64url::decode(s) else { return };
    edit.apply(&mut bytes);
    *s = base64url::encode(&bytes);
}

/// Applies `m` (except a text edit, see [`to_text`]).
fn apply(mut json: Json, m: &Mutation, paths: &[&str], members: &[&str]) -> Json {
    match m {
        Mutation::Bytes { member, edit } => edit_b64_member(&mut json, members[member % members.len()], edit),
        Mutation::AuthData { edit } => {
            edit_in_attestation_object(&mut json, |o| edit.apply(&mut o.auth_data))
        }
        Mutation::AttStmt { key, value } => edit_in_attestation_object(&mut json, |o| {
            let key = Value::from(ATT_STMT_KEYS[key % ATT_STMT_KEYS.len()]);
            if let Value::Map(entries) = &mut o.att_stmt {
                entries.retain(|(k, _)| *k != key);
                entries.push((key, value.clone()));
            }
        }),
        Mutation::Replace { path, value } => {
            if let Some((obj, name)) = slot(&mut json, paths[path % paths.len()]) {
                obj.insert(name.to_owned(), value.clone());
            }
        }
        Mutation::Delete { path } => {
            if let Some((obj, name)) = slot(&mut json, paths[path % paths.len()]) {
                obj.remove(name);
            }
        }
        Mutation::Text { .. } => {}
    }
    json
}

/// The response as JSON text (the form the verifier reads from the wire), with `m` applied if it is a text edit.
fn to_text(json: &Json, m: &Mutation) -> Vec<u8> {
    let mut text = serde_json::to_vec(json).expect("JSON serializes");
    if let Mutation::Text { edit } = m {
        edit.apply(&mut text);
    }
    text
}

/// The decoded bytes of `response.<name>`, if present and base64url.
fn response_bytes(json: &Json, name: &str) -> Option<Vec<u8>> {
    base64url::decode(json.get("response")?.get(name)?.as_str()?).ok()
}

/// Signs `data || SHA-256(clientDataJSON)` with `cred`, as the authenticator would have over the mutated parts.
fn sign_over(cred: &Credential, data: &[u8], client_data_json: &[u8]) -> Vec<u8> {
    let mut message = data.to_vec();
    message.extend_from_slice(&Sha256::digest(client_data_json));
    cred.key.sign(&message)
}

/// Re-signs a mutated assertion, so that the checks after the signature are reached too.
fn resign_assertion(json: &mut Json, cred: &Credential) {
    let (Some(auth_data), Some(cdj)) =
        (response_bytes(json, "authenticatorData"), response_bytes(json, "clientDataJSON"))
    else {
        return;
    };
    if let Some(r) = json.get_mut("response").and_then(Json::as_object_mut) {
        r.insert("signature".to_owned(), json!(base64url::encode(&sign_over(cred, &auth_data, &cdj))));
    }
}

/// Re-signs a mutated `packed` self attestation statement (one with `sig`) over the mutated parts.
fn resign_packed(json: &mut Json, cred: &Credential) {
    let Some(cdj) = response_bytes(json, "clientDataJSON") else { return };
    edit_in_attestation_object(json, |o| {
        let sig = Value::Bytes(sign_over(cred, &o.auth_data, &cdj));
        if let Value::Map(entries) = &mut o.att_stmt {
            for (k, v) in entries.iter_mut() {
                if k.as_text() == Some("sig") {
                    *v = sig.clone();
                }
            }
        }
    });
}

fn edit_in_attestation_object(json: &mut Json, f: impl FnOnce(&mut AttestationObject)) {
    let Some(Json::String(s)) = json.get_mut("response").and_then(|r| r.get_mut("attestationObject")) else {
        return;
    };
    let Ok(bytes) = base64url::decode(s) else { return };
    let Ok(parsed) = AttestationObject::parse(&bytes) else { return };
    let mut object = parsed.object;
    f(&mut object);
    *s = base64url::encode(&object.to_bytes());
}

/// A rejection names a check of the ceremony that ran.
fn well_formed(r: &Rejection, ceremony: Ceremony) -> Result<(), TestCaseError> {
    prop_assert!(CheckId::ALL.contains(&r.check), "{r:?}");
    prop_assert_eq!(r.check.ceremony(), ceremony, "{:?}", r);
    prop_assert_eq!(CheckId::from_id(r.check.id()), Some(r.check));
    Ok(())
}

fn run_registration(text: &[u8], e: &RegistrationExpectations, p: &Policy) -> Result<(), TestCaseError> {
    let result = RegistrationResponse::from_json_bytes(text)
        .and_then(|r| verifier::verify_registration(&r, e, p, &Store::default(), NOW));
    match result {
        Ok(out) => {
            for w in &out.warnings {
                well_formed(w, Ceremony::Registration)?;
            }
            Ok(())
        }
        Err(r) => well_formed(&r, Ceremony::Registration),
    }
}

fn run_authentication(
    text: &[u8],
    e: &AuthenticationExpectations,
    p: &Policy,
    record: &CredentialRecord,
) -> Result<(), TestCaseError> {
    let store = stored(USER, record.clone());
    let result = AuthenticationResponse::from_json_bytes(text)
        .and_then(|r| verifier::verify_authentication(&r, e, p, &store));
    match result {
        Ok(out) => {
            for w in &out.warnings {
                well_formed(w, Ceremony::Authentication)?;
            }
            Ok(())
        }
        Err(r) => well_formed(&r, Ceremony::Authentication),
    }
}

// ---- arbitrary key material -----------------------------------------------------------------------------

fn alg_id() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => prop::sample::select(vec![alg::ES256, alg::ES384, alg::RS256, alg::EDDSA, alg::ED25519, alg::ES512, alg::PS256]),
        1 => any::<i64>(),
    ]
}

fn cose_key() -> impl Strategy<Value = CoseKey> {
    let ec = (alg_id(), prop::sample::select(vec![EcCurve::P256, EcCurve::P384, EcCurve::P521]))
        .prop_flat_map(|(alg, crv)| {
            let n = crv.coordinate_len();
            (
                Just(alg),
                Just(crv),
                prop::collection::vec(any::<u8>(), n),
                prop::collection::vec(any::<u8>(), n),
            )
        })
        .prop_map(|(alg, crv, x, y)| CoseKey::Ec2 { alg, crv, x, y });
    let okp = (alg_id(), prop::sample::select(vec![OkpCurve::Ed25519, OkpCurve::Ed448]))
        .prop_flat_map(|(alg, crv)| (Just(alg), Just(crv), prop::collection::vec(any::<u8>(), crv.key_len())))
        .prop_map(|(alg, crv, x)| CoseKey::Okp { alg, crv, x });
    let rsa = (
        alg_id(),
        prop::collection::vec(any::<u8>(), 1..600),
        prop_oneof![Just(vec![1, 0, 1]), Just(vec![3]), prop::collection::vec(any::<u8>(), 1..10),],
        any::<bool>(),
    )
        .prop_map(|(alg, mut n, e, odd)| {
            if odd {
                if let Some(last) = n.last_mut() {
                    *last |= 1;
                }
            }
            CoseKey::Rsa { alg, n, e }
        });
    prop_oneof![ec, okp, rsa]
}

// ---- properties ---------------------------------------------------------------------------------------

proptest! {
    // Failures print their seed and minimal input; nothing is written next to the sources.
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_registration_never_panics(
        base in any::<prop::sample::Index>(),
        m in mutation(),
        relaxed in any::<bool>(),
        resign in any::<bool>(),
    ) {
        let b = baselines();
        let base = &b.regs[base.index(b.regs.len())];
        let mut json = apply(base.json.clone(), &m, REG_PATHS, REG_BYTES);
        if resign {
            resign_packed(&mut json, &base.cred);
        }
        run_registration(&to_text(&json, &m), &base.expectations, &policy_for(relaxed))?;
    }

    #[test]
    fn mutated_authentication_never_panics(
        base in any::<prop::sample::Index>(),
        m in mutation(),
        relaxed in any::<bool>(),
        identified in any::<bool>(),
        resign in any::<bool>(),
    ) {
        let b = baselines();
        let base = &b.auths[base.index(b.auths.len())];
        // Registration-only mutations fall back to editing the decoded members.
        let m = match m {
            Mutation::AuthData { edit } => Mutation::Bytes { member: 1, edit },
            Mutation::AttStmt { key, .. } => Mutation::Delete { path: key },
            other => other,
        };
        let mut json = apply(base.json.clone(), &m, AUTH_PATHS, AUTH_BYTES);
        if resign {
            resign_assertion(&mut json, &base.cred);
        }
        let text = to_text(&json, &m);
        let mut e = base.expectations.clone();
        if !identified {
            e.identified_user = None;
        }
        run_authentication(&text, &e, &policy_for(relaxed), &base.record)?;
    }

    #[test]
    fn arbitrary_key_material_never_panics(
        key in cose_key(),
        sig in prop::collection::vec(any::<u8>(), 0..600),
        sig_len_of_key in any::<bool>(),
    ) {
        let mut case = RegCase::new();
        case.expectations.pub_key_cred_params = vec![key.alg()];
        let key_bytes = key.to_bytes();
        case.draft.auth_data.attested_credential_data.as_mut().expect("attested").credential_public_key =
            key_bytes;
        let outcome = match case.run() {
            Ok(out) => out,
            Err(r) => return well_formed(&r, Ceremony::Registration),
        };
        // The key was accepted: an assertion for it that is valid but for arbitrary signature bytes (sometimes
        // of the key's size) is rejected by a signature check.
        let mut auth = AuthCase::new();
        auth.record = outcome.record;
        auth.draft.raw_id = auth.record.id.clone();
        let mut signed = auth.sign();
        signed.signature = match (&key, sig_len_of_key) {
            (CoseKey::Rsa { n, .. }, true) => {
                let mut s = sig.clone();
                s.resize(n.iter().skip_while(|&&b| b == 0).count(), 0x01);
                s
            }
            (CoseKey::Okp { .. }, true) => { let mut s = sig.clone(); s.resize(64, 0); s }
            _ => sig,
        };
        let text = serde_json::to_vec(&signed.to_json()).expect("JSON");
        run_authentication(&text, &auth.expectations, &auth.policy, &auth.record)?;
        match auth.verify_signed(&signed) {
            Err(r) => prop_assert!(
                matches!(r.check, CheckId::AuthSignature | CheckId::AuthSignatureMalformed),
                "{key:?}: {r}"
            ),
            Ok(_) => prop_assert!(false, "{key:?}: an arbitrary signature verified"),
        }
    }
}

/// The property's own baselines are accepted as they are (so mutations start from valid ceremonies).
/// `packed` and `fido-u2f` are left out while their verification is being written.
#[test]
fn baselines_are_valid() {
    let b = baselines();
    assert_eq!(b.regs.len(), 14); // 8, and apple and android-key for each of the three algorithms
    for (i, base) in b.regs.iter().enumerate().filter(|(_, r)| r.kind == AttestationKind::None) {
        let text = serde_json::to_vec(&base.json).unwrap();
        run_registration(&text, &base.expectations, &policy()).unwrap();
        register(&base.json, &base.expectations, &policy(), &Store::default())
            .unwrap_or_else(|r| panic!("registration baseline {i}: {r}"));
    }
    for (i, base) in b.auths.iter().enumerate() {
        authenticate(&base.json, &base.expectations, &policy(), &stored(USER, base.record.clone()))
            .unwrap_or_else(|r| panic!("authentication baseline {i}: {r}"));
    }
}
