//! Real-device registrations (vectors/devices/registration.json): responses that Windows Hello TPMs, Android
//! phones, iPhones, YubiKeys and browsers produced, taken (values only) from the tests of py_webauthn,
//! SimpleWebAuthn and go-webauthn, each with the RP inputs its test uses, a fixed verification time and the
//! public roots its chain ends at.
//!
//! Every `valid` entry registers with the attestation type and format the entry states, and a tampered copy of
//! each is rejected at the check that covers what was changed: clientDataJSON with one more member (so the
//! clientDataHash the statement signs differs), and one byte of the statement's signature flipped. An
//! `acceptable` entry is one whose format this verifier does not implement (rejected by the check that says
//! so) or whose response the entry's comment explains.

use serde_json::Value;
use verifier::attestation::{AttestationType, IMPLEMENTED_FORMATS};
use verifier::policy::Policy;
use verifier::{CheckId, RegistrationExpectations, RegistrationResponse};
use wire::attestation_object::AttestationObject;
use wire::base64url;

const VECTORS: &str = include_str!("../../../vectors/devices/registration.json");

struct Entry {
    case_id: String,
    fmt: String,
    attestation_type: String,
    result: String,
    comment: String,
    rp_id: String,
    origin: String,
    now: u64,
    roots: Vec<Vec<u8>>,
    challenge: Vec<u8>,
    algs: Vec<i64>,
    response: Value,
}

fn b64(v: &Value) -> Vec<u8> {
    base64url::decode(v.as_str().expect("base64url string")).expect("base64url")
}

fn entries() -> Vec<Entry> {
    let doc: Value = serde_json::from_str(VECTORS).expect("vectors/devices/registration.json is JSON");
    let mut out = Vec::new();
    for g in doc["testGroups"].as_array().expect("testGroups") {
        for t in g["tests"].as_array().expect("tests") {
            out.push(Entry {
                case_id: t["caseId"].as_str().unwrap().to_owned(),
                fmt: g["attestation"].as_str().unwrap().to_owned(),
                attestation_type: g["attestationType"].as_str().unwrap().to_owned(),
                result: t["result"].as_str().unwrap().to_owned(),
                comment: t["comment"].as_str().unwrap().to_owned(),
                rp_id: g["rpId"].as_str().unwrap().to_owned(),
                origin: g["origin"].as_str().unwrap().to_owned(),
                now: g["validAt"].as_u64().unwrap(),
                roots: g["attestationRoots"]
                    .as_array()
                    .map(|a| a.iter().map(b64).collect())
                    .unwrap_or_default(),
                challenge: b64(&t["input"]["challenge"]),
                algs: t["input"]["pubKeyCredParams"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_i64().unwrap())
                    .collect(),
                response: t["response"].clone(),
            });
        }
    }
    out
}

fn policy(e: &Entry) -> Policy {
    let mut p = Policy::new(&e.rp_id, &e.origin);
    p.attestation.trust_anchors = e.roots.clone();
    p
}

fn expectations(e: &Entry) -> RegistrationExpectations {
    RegistrationExpectations {
        challenge: e.challenge.clone(),
        pub_key_cred_params: e.algs.clone(),
        user_verification_required: false,
        conditional_mediation: false,
    }
}

fn verify(e: &Entry, response: &Value, x: &RegistrationExpectations) -> Result<AttestationType, CheckId> {
    RegistrationResponse::from_json(response)
        .and_then(|r| verifier::verify_registration(&r, x, &policy(e), &verifier::EmptyStore, e.now))
        .map(|o| o.attestation)
        .map_err(|r| r.check)
}

fn type_name(t: &AttestationType) -> &'static str {
    match t {
        AttestationType::None => "none",
        AttestationType::SelfAttestation => "self",
        AttestationType::Basic { .. } => "basic",
        AttestationType::Compound(_) => "compound",
    }
}

/// The response with `f` applied to one of its base64url members (`clientDataJSON`, `attestationObject`).
fn with_member(response: &Value, member: &str, f: impl FnOnce(&mut Vec<u8>)) -> Value {
    let mut r = response.clone();
    let mut bytes = b64(&r["response"][member]);
    f(&mut bytes);
    r["response"][member] = Value::String(base64url::encode(&bytes));
    r
}

/// clientDataJSON with one more member before its closing brace: still valid client data with the same
/// challenge, origin and type (§5.8.1: members a verifier does not know are ignored), so only the
/// clientDataHash the attestation statement covers changes.
fn extra_member(bytes: &mut Vec<u8>) {
    let end = bytes.iter().rposition(|&b| b == b'}').expect("clientDataJSON is an object");
    bytes.splice(end..end, br#","tampered":true"#.iter().copied());
}

/// The attestation object with the last byte of `attStmt.sig` flipped (found by its bytes: a signature is
/// long enough to occur once).
fn flip_sig(object: &mut [u8]) -> bool {
    let parsed = AttestationObject::parse(object).expect("attestation object").object;
    let Some(sig) = parsed.att_stmt.get_text("sig").and_then(|v| v.as_bytes()).map(<[u8]>::to_vec) else {
        return false;
    };
    let at = object.windows(sig.len()).position(|w| w == sig.as_slice()).expect("sig bytes in the object");
    object[at + sig.len() - 1] ^= 0x01;
    true
}

/// The check that covers the clientDataHash in each format's procedure: the signature over
/// authenticatorData || clientDataHash, tpm's certInfo.extraData (§8.3: "Verify that extraData is set to the
/// hash of attToBeSigned"), apple's nonce certificate extension (§8.8).
fn client_data_hash_check(fmt: &str) -> CheckId {
    match fmt {
        "tpm" => CheckId::RegAttestationTpmExtraData,
        "apple" => CheckId::RegAttestationAppleNonce,
        // The JWS payload's nonce is the hash of authenticatorData and clientDataHash (§8.5).
        "android-safetynet" => CheckId::RegAttestationSafetynetNonce,
        _ => CheckId::RegAttestationSignature,
    }
}

#[test]
fn every_valid_device_registration_verifies_with_its_stated_attestation_type() {
    let mut valid = 0;
    for e in entries().iter().filter(|e| e.result == "valid") {
        let got = verify(e, &e.response, &expectations(e))
            .unwrap_or_else(|c| panic!("{}: rejected by {c:?}", e.case_id));
        assert_eq!(type_name(&got), e.attestation_type, "{}", e.case_id);
        if let AttestationType::Basic { trust_path } = &got {
            assert!(!trust_path.is_empty(), "{}", e.case_id);
        }
        valid += 1;
    }
    // none, packed (x5c and self), fido-u2f, tpm, android-key, apple.
    let formats: std::collections::BTreeSet<_> =
        entries().into_iter().filter(|e| e.result == "valid").map(|e| (e.fmt, e.attestation_type)).collect();
    for want in
        [("none", "none"), ("packed", "basic"), ("packed", "self"), ("fido-u2f", "basic"), ("tpm", "basic")]
            .into_iter()
            .chain([("android-key", "basic"), ("apple", "basic")])
    {
        assert!(formats.contains(&(want.0.to_owned(), want.1.to_owned())), "no valid {want:?} device vector");
    }
    assert!(valid >= 15, "{valid} valid device vectors");
}

#[test]
fn acceptable_entries_say_why_and_unimplemented_formats_are_refused_by_the_check_that_says_so() {
    for e in entries().iter().filter(|e| e.result == "acceptable") {
        assert!(e.comment.contains("acceptable: "), "{}: an acceptable entry states its reason", e.case_id);
        if e.comment.contains("format not implemented") {
            assert!(
                !IMPLEMENTED_FORMATS.contains(&e.fmt.as_str()),
                "{}: {} is implemented now: make the entry valid",
                e.case_id,
                e.fmt
            );
            assert_eq!(
                verify(e, &e.response, &expectations(e)).map(|t| type_name(&t)),
                Err(CheckId::RegAttestationFormatUnsupported),
                "{}",
                e.case_id
            );
        }
    }
}

#[test]
fn a_changed_client_data_hash_is_rejected_by_the_check_that_covers_it() {
    for e in entries().iter().filter(|e| e.result == "valid") {
        let x = expectations(e);
        if e.fmt == "none" {
            // `none` signs nothing: the clientDataHash binds no statement, so the challenge check is what
            // rejects a response to another ceremony.
            let mut other = x.clone();
            other.challenge[0] ^= 1;
            assert_eq!(
                verify(e, &e.response, &other).map(|_| ()),
                Err(CheckId::RegChallenge),
                "{}",
                e.case_id
            );
            continue;
        }
        let tampered = with_member(&e.response, "clientDataJSON", extra_member);
        assert_eq!(
            verify(e, &tampered, &x).map(|_| ()),
            Err(client_data_hash_check(&e.fmt)),
            "{}",
            e.case_id
        );
    }
}

#[test]
fn a_flipped_signature_byte_is_rejected_by_the_signature_check() {
    let mut flipped = 0;
    for e in entries().iter().filter(|e| e.result == "valid") {
        let mut has_sig = false;
        let tampered = with_member(&e.response, "attestationObject", |o| has_sig = flip_sig(o));
        if !has_sig {
            // android-safetynet signs inside its JWS (`response`); a changed nonce is what the test above breaks.
            assert!(
                ["none", "apple", "android-safetynet"].contains(&e.fmt.as_str()),
                "{}: no attStmt.sig",
                e.case_id
            );
            continue;
        }
        assert_eq!(
            verify(e, &tampered, &expectations(e)).map(|_| ()),
            Err(CheckId::RegAttestationSignature),
            "{}",
            e.case_id
        );
        flipped += 1;
    }
    assert!(flipped >= 10, "{flipped} signatures flipped");
}

#[test]
fn without_the_root_a_device_chain_is_untrusted() {
    for e in entries().iter().filter(|e| e.result == "valid" && !e.roots.is_empty()) {
        let mut p = policy(e);
        p.attestation.trust_anchors.clear();
        let got = RegistrationResponse::from_json(&e.response)
            .and_then(|r| {
                verifier::verify_registration(&r, &expectations(e), &p, &verifier::EmptyStore, e.now)
            })
            .map(|_| ())
            .map_err(|r| r.check);
        assert_eq!(got, Err(CheckId::RegAttestationUntrusted), "{}", e.case_id);
    }
}
