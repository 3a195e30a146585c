//! The W3C WebAuthn L3 §16 test vectors (vectors/w3c/): every supported example registers and authenticates
//! with the spec's inputs, and is rejected by the right check when the challenge, origin or RP ID differ.
//! Examples of formats and algorithms this verifier does not implement are rejected by the check that says so.

use serde_json::Value;
use verifier::policy::Policy;
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, CheckId, CredentialRecord, OneRecordStore,
    RegistrationExpectations, RegistrationResponse,
};
use wire::attestation_object::AttestationObject;
use wire::authdata::AuthenticatorData;
use wire::base64url;

const VECTORS: &str = include_str!("../../../vectors/w3c/webauthn-l3-section16.json");
/// 2025-06-01T00:00:00Z, inside the validity of every §16 certificate.
const NOW: u64 = 1_748_736_000;

/// The examples within this verifier's scope (issue: none/self/packed ES256, ES384, RS256, Ed25519, fido-u2f,
/// crossOrigin, topOrigin, 1023-byte credential ID).
const SUPPORTED: &[&str] = &[
    "sctn-test-vectors-none-es256",
    "sctn-test-vectors-packed-self-es256",
    "sctn-test-vectors-none-es256-crossOrigin",
    "sctn-test-vectors-none-es256-topOrigin",
    "sctn-test-vectors-none-es256-long-credential-id",
    "sctn-test-vectors-packed-es256",
    "sctn-test-vectors-packed-es384",
    "sctn-test-vectors-packed-es512",
    "sctn-test-vectors-packed-rs256",
    "sctn-test-vectors-packed-eddsa",
    "sctn-test-vectors-fido-u2f-es256",
    "sctn-test-vectors-apple-es256",
    "sctn-test-vectors-tpm-es256",
];

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vectors JSON")
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("hex")
}

struct Example {
    anchor: String,
    reg: Value,
    auth: Value,
}

fn examples() -> Vec<Example> {
    let v = vectors();
    v["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| Example {
            anchor: e["anchor"].as_str().unwrap_or_default().to_owned(),
            reg: e["registration"].clone(),
            auth: e["authentication"].clone(),
        })
        .collect()
}

fn policy(anchor: &str) -> Policy {
    let v = vectors();
    let mut p = Policy::new(v["rpId"].as_str().unwrap(), v["origin"].as_str().unwrap());
    if anchor.ends_with("crossOrigin") || anchor.ends_with("topOrigin") {
        p.framing.allow_cross_origin = true;
        p.framing.allowed_top_origins = vec![v["topOrigin"].as_str().unwrap().to_owned()];
    }
    p.attestation.trust_anchors = vec![hex(&v["attestationRoot"]["attestation_ca_cert"])];
    p
}

fn credential_id(reg: &Value) -> Vec<u8> {
    hex(&reg["credential_id"])
}

fn registration_response(reg: &Value) -> RegistrationResponse {
    let raw_id = credential_id(reg);
    RegistrationResponse {
        id: base64url::encode(&raw_id),
        raw_id,
        type_: "public-key".into(),
        client_data_json: hex(&reg["clientDataJSON"]),
        attestation_object: hex(&reg["attestationObject"]),
        transports: vec![],
    }
}

fn reg_expectations(reg: &Value) -> RegistrationExpectations {
    RegistrationExpectations {
        challenge: hex(&reg["challenge"]),
        pub_key_cred_params: vec![-7, -8, -19, -35, -36, -53, -257],
        user_verification_required: false,
        conditional_mediation: false,
    }
}

/// The record of the example's credential, taken from its attestation object (independent of whether the
/// registration verifies).
fn record(reg: &Value) -> CredentialRecord {
    let object = AttestationObject::parse(&hex(&reg["attestationObject"])).unwrap().object;
    let auth = AuthenticatorData::parse(&object.auth_data).unwrap().data;
    let attested = auth.attested_credential_data.unwrap();
    CredentialRecord::new(
        attested.credential_id,
        attested.credential_public_key,
        auth.sign_count,
        auth.flags.uv(),
        vec![],
        auth.flags.be(),
        auth.flags.bs(),
        None,
    )
    .expect("usable credential key")
}

fn authentication_response(ex: &Example) -> AuthenticationResponse {
    let raw_id = credential_id(&ex.reg);
    AuthenticationResponse {
        id: base64url::encode(&raw_id),
        raw_id,
        type_: "public-key".into(),
        client_data_json: hex(&ex.auth["clientDataJSON"]),
        authenticator_data: hex(&ex.auth["authenticatorData"]),
        signature: hex(&ex.auth["signature"]),
        user_handle: None,
    }
}

fn auth_expectations(ex: &Example) -> AuthenticationExpectations {
    AuthenticationExpectations {
        challenge: hex(&ex.auth["challenge"]),
        allow_credentials: vec![credential_id(&ex.reg)],
        user_verification_required: false,
        identified_user: Some(b"user".to_vec()),
    }
}

#[test]
fn every_supported_registration_verifies() {
    let mut seen = 0;
    for ex in examples().iter().filter(|e| SUPPORTED.contains(&e.anchor.as_str())) {
        let out = verifier::verify_registration(
            &registration_response(&ex.reg),
            &reg_expectations(&ex.reg),
            &policy(&ex.anchor),
            &verifier::EmptyStore,
            NOW,
        )
        .unwrap_or_else(|r| panic!("{}: {r}", ex.anchor));
        assert_eq!(out.record.id, credential_id(&ex.reg), "{}", ex.anchor);
        assert!(out.warnings.is_empty(), "{}: {:?}", ex.anchor, out.warnings);
        seen += 1;
    }
    assert_eq!(seen, SUPPORTED.len());
}

#[test]
fn every_supported_authentication_verifies() {
    for ex in examples().iter().filter(|e| SUPPORTED.contains(&e.anchor.as_str())) {
        let out = verifier::verify_authentication(
            &authentication_response(ex),
            &auth_expectations(ex),
            &policy(&ex.anchor),
            &OneRecordStore::any_account(record(&ex.reg)),
        )
        .unwrap_or_else(|r| panic!("{}: {r}", ex.anchor));
        assert!(out.warnings.is_empty(), "{}: {:?}", ex.anchor, out.warnings);
    }
}

#[test]
fn changed_challenge_origin_or_rp_id_is_rejected_by_its_check() {
    for ex in examples().iter().filter(|e| SUPPORTED.contains(&e.anchor.as_str())) {
        let reg = registration_response(&ex.reg);
        let auth = authentication_response(ex);
        let store = OneRecordStore::any_account(record(&ex.reg));
        let verify_reg = |e: &RegistrationExpectations, p: &Policy| {
            verifier::verify_registration(&reg, e, p, &verifier::EmptyStore, NOW)
                .map(|_| ())
                .map_err(|r| r.check)
        };
        let verify_auth = |e: &AuthenticationExpectations, p: &Policy| {
            verifier::verify_authentication(&auth, e, p, &store).map(|_| ()).map_err(|r| r.check)
        };

        let mut e = reg_expectations(&ex.reg);
        e.challenge[0] ^= 1;
        assert_eq!(verify_reg(&e, &policy(&ex.anchor)), Err(CheckId::RegChallenge), "{}", ex.anchor);
        let mut e = auth_expectations(ex);
        e.challenge[0] ^= 1;
        assert_eq!(verify_auth(&e, &policy(&ex.anchor)), Err(CheckId::AuthChallenge), "{}", ex.anchor);

        let mut p = policy(&ex.anchor);
        p.origins.allowed = vec!["https://example.net".into()];
        assert_eq!(verify_reg(&reg_expectations(&ex.reg), &p), Err(CheckId::RegOrigin), "{}", ex.anchor);
        assert_eq!(verify_auth(&auth_expectations(ex), &p), Err(CheckId::AuthOrigin), "{}", ex.anchor);

        let mut p = policy(&ex.anchor);
        p.rp_id = "example.net".into();
        assert_eq!(verify_reg(&reg_expectations(&ex.reg), &p), Err(CheckId::RegRpIdHash), "{}", ex.anchor);
        assert_eq!(verify_auth(&auth_expectations(ex), &p), Err(CheckId::AuthRpIdHash), "{}", ex.anchor);
    }
}

#[test]
fn framing_examples_need_the_framing_policy() {
    for ex in
        examples().iter().filter(|e| e.anchor.ends_with("crossOrigin") || e.anchor.ends_with("topOrigin"))
    {
        let v = vectors();
        let p = Policy::new(v["rpId"].as_str().unwrap(), v["origin"].as_str().unwrap());
        let r = verifier::verify_registration(
            &registration_response(&ex.reg),
            &reg_expectations(&ex.reg),
            &p,
            &verifier::EmptyStore,
            NOW,
        );
        // Both examples set crossOrigin: true, which the default (unframed) policy refuses first.
        assert_eq!(r.map(|_| ()).map_err(|r| r.check), Err(CheckId::RegCrossOrigin), "{}", ex.anchor);
    }
}

#[test]
fn unsupported_examples_are_rejected_by_the_check_that_says_so() {
    let expected: &[(&str, CheckId)] = &[
        ("sctn-test-vectors-packed-ed448", CheckId::RegCredentialPublicKeyInvalid),
        // This copy predates w3c/webauthn#2379: softwareEnforced and teeEnforced are empty, so the statement
        // verifies up to §8.4's origin step (signature, key, attestationChallenge, allApplications) and no
        // further.
        ("sctn-test-vectors-android-key-es256", CheckId::RegAttestationAndroidKeyOrigin),
    ];
    let all = examples();
    for (anchor, check) in expected {
        let ex = all.iter().find(|e| e.anchor == *anchor).unwrap_or_else(|| panic!("{anchor} missing"));
        let r = verifier::verify_registration(
            &registration_response(&ex.reg),
            &reg_expectations(&ex.reg),
            &policy(anchor),
            &verifier::EmptyStore,
            NOW,
        );
        match r {
            Err(r) => {
                assert_eq!(r.check, *check, "{anchor}: {}", r.detail);
                if *check == CheckId::RegAttestationFormatUnsupported {
                    assert!(r.detail.contains("does not implement"), "{anchor}: {}", r.detail);
                }
            }
            Ok(_) => panic!("{anchor} accepted"),
        }
    }
    // Every example is either supported or listed here.
    assert_eq!(SUPPORTED.len() + expected.len(), all.len());
}
