//! The `apple` (§8.8) and `android-key` (§8.4) verification procedures end to end through
//! `verify_registration`: the generator's valid statements are accepted for every algorithm whose key a
//! certificate can carry here, and each changed in exactly one way is rejected by exactly the check of the
//! step it breaks. The §16 apple example, tampered, is rejected at the nonce step.

mod common;

use common::*;
use generator::device_pki::{self, AuthorizationList, KeyDescription, KM_ORIGIN_GENERATED, KM_PURPOSE_SIGN};
use generator::{AttestationKind, Generator, RegistrationDraft};
use sha2::{Digest, Sha256};
use verifier::attestation::AttestationType;
use verifier::{CheckId, Policy};
use wire::cbor::Value;

fn reg(alg: generator::Algorithm, kind: AttestationKind) -> Reg {
    let mut g = Generator::new(18);
    let cred = g.credential(alg, 32);
    let challenge = g.challenge();
    let signed = RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, kind);
    Reg { cred, challenge, signed }
}

fn hash(r: &Reg) -> [u8; 32] {
    Sha256::digest(&r.signed.client_data_json).into()
}

fn set(r: &mut Reg, name: &str, value: Value) {
    if let Value::Map(m) = &mut r.signed.attestation_object.att_stmt {
        match m.iter_mut().find(|(k, _)| k.as_text() == Some(name)) {
            Some(e) => e.1 = value,
            None => m.push((Value::from(name), value)),
        }
    }
}

fn x5c(cert: Vec<u8>) -> Value {
    Value::Array(vec![Value::Bytes(cert)])
}

const CERTIFIABLE: [generator::Algorithm; 5] = [
    generator::Algorithm::Es256,
    generator::Algorithm::Es384,
    generator::Algorithm::Es512,
    generator::Algorithm::Rs256,
    generator::Algorithm::EdDsa,
];

#[test]
fn valid_statements_are_accepted_as_basic_with_the_trust_path() {
    for kind in [AttestationKind::Apple, AttestationKind::AndroidKey] {
        for alg in CERTIFIABLE {
            let r = reg(alg, kind);
            let out = run(&r, &trusting()).unwrap_or_else(|e| panic!("{kind:?} {alg:?}: {e}"));
            assert!(
                matches!(out.attestation, AttestationType::Basic { ref trust_path } if trust_path.len() == 1)
            );
            assert!(out.warnings.is_empty(), "{kind:?} {alg:?}: {:?}", out.warnings);
            // Without the harness root as an anchor the statement verifies but is not trusted.
            assert_rejected(run(&r, &policy()), CheckId::RegAttestationUntrusted);
        }
    }
}

// ---- apple ----

fn apple_with(nonce_extension: Option<Vec<u8>>, key_of_other: bool) -> Reg {
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::Apple);
    let key = if key_of_other {
        generator::Generator::new(99).credential(generator::Algorithm::Es256, 16).key.cose_key()
    } else {
        r.cred.key.cose_key()
    };
    let cert = device_pki::apple_cred_cert(&key, nonce_extension);
    set(&mut r, "x5c", x5c(cert));
    r
}

fn right_nonce() -> [u8; 32] {
    let r = reg(generator::Algorithm::Es256, AttestationKind::Apple);
    device_pki::apple_nonce(&r.signed.attestation_object.auth_data, &hash(&r))
}

#[test]
fn apple_nonce_step() {
    let ok = apple_with(Some(device_pki::apple_nonce_extension(&right_nonce())), false);
    assert!(run(&ok, &trusting()).is_ok());
    let mut wrong = right_nonce();
    wrong[31] ^= 1;
    for ext in [
        Some(device_pki::apple_nonce_extension(&wrong)),
        None,
        Some(device_pki::apple_nonce_extension(&right_nonce()[..31])),
        Some(device_pki::tlv(&[0x04], &right_nonce())),
        Some(vec![0x30, 0x22, 0xa1]),
    ] {
        assert_rejected(run(&apple_with(ext.clone(), false), &trusting()), CheckId::RegAttestationAppleNonce);
    }
}

#[test]
fn apple_key_step() {
    let r = apple_with(Some(device_pki::apple_nonce_extension(&right_nonce())), true);
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationAppleKeyMismatch);
}

#[test]
fn apple_syntax() {
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::Apple);
    r.signed.attestation_object.att_stmt = Value::Map(vec![]);
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationStatementMalformed);
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::Apple);
    set(&mut r, "sig", Value::Bytes(vec![1]));
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationStatementMalformed);
}

// ---- android-key ----

fn android_with(f: impl FnOnce(&mut KeyDescription)) -> Reg {
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::AndroidKey);
    let mut kd = KeyDescription::valid(&hash(&r));
    f(&mut kd);
    let cert = device_pki::android_key_cert(&r.cred.key.cose_key(), Some(kd.to_der()));
    set(&mut r, "x5c", x5c(cert));
    r
}

#[test]
fn android_key_signature_and_key_steps() {
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::AndroidKey);
    set(&mut r, "sig", Value::Bytes(vec![0x30, 0x00]));
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationSignature);
    // alg of another key type than the certificate's.
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::AndroidKey);
    set(&mut r, "alg", Value::from(wire::cose::alg::RS256));
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationSignature);
    // Another key, certified and signing: the key step.
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::AndroidKey);
    let other = Generator::new(99).credential(generator::Algorithm::Es256, 16).key;
    let cert =
        device_pki::android_key_cert(&other.cose_key(), Some(KeyDescription::valid(&hash(&r)).to_der()));
    let mut message = r.signed.attestation_object.auth_data.clone();
    message.extend_from_slice(&hash(&r));
    set(&mut r, "sig", Value::Bytes(other.sign(&message)));
    set(&mut r, "x5c", x5c(cert));
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationAndroidKeyMismatch);
}

#[test]
fn android_key_extension_steps() {
    let p = trusting();
    assert_rejected(
        run(&android_with(|kd| kd.attestation_challenge[0] ^= 1), &p),
        CheckId::RegAttestationAndroidKeyChallenge,
    );
    assert_rejected(
        run(&android_with(|kd| kd.attestation_challenge.truncate(31)), &p),
        CheckId::RegAttestationAndroidKeyChallenge,
    );
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::AndroidKey);
    let cert = device_pki::android_key_cert(&r.cred.key.cose_key(), None);
    set(&mut r, "x5c", x5c(cert));
    assert_rejected(run(&r, &p), CheckId::RegAttestationAndroidKeyChallenge);
    let mut r = reg(generator::Algorithm::Es256, AttestationKind::AndroidKey);
    let cert = device_pki::android_key_cert(&r.cred.key.cose_key(), Some(vec![0x30, 0x00]));
    set(&mut r, "x5c", x5c(cert));
    assert_rejected(run(&r, &p), CheckId::RegAttestationAndroidKeyChallenge);
    assert_rejected(
        run(&android_with(|kd| kd.tee_enforced.all_applications = true), &p),
        CheckId::RegAttestationAndroidKeyAllApplications,
    );
    assert_rejected(
        run(&android_with(|kd| kd.software_enforced.all_applications = true), &p),
        CheckId::RegAttestationAndroidKeyAllApplications,
    );
    assert_rejected(
        run(&android_with(|kd| kd.tee_enforced.origin = Some(2)), &p),
        CheckId::RegAttestationAndroidKeyOrigin,
    );
    assert_rejected(
        run(&android_with(|kd| kd.tee_enforced.origin = None), &p),
        CheckId::RegAttestationAndroidKeyOrigin,
    );
    // Under the union an imported origin on either list fails.
    assert_rejected(
        run(&android_with(|kd| kd.software_enforced.origin = Some(2)), &p),
        CheckId::RegAttestationAndroidKeyOrigin,
    );
    assert_rejected(
        run(&android_with(|kd| kd.tee_enforced.purpose = Some(vec![0])), &p),
        CheckId::RegAttestationAndroidKeyPurpose,
    );
    assert_rejected(
        run(&android_with(|kd| kd.tee_enforced.purpose = None), &p),
        CheckId::RegAttestationAndroidKeyPurpose,
    );
    assert_rejected(
        run(&android_with(|kd| kd.tee_enforced.purpose = Some(vec![])), &p),
        CheckId::RegAttestationAndroidKeyPurpose,
    );
    // Sign among other purposes is enough.
    assert!(run(&android_with(|kd| kd.tee_enforced.purpose = Some(vec![3, 2])), &p).is_ok());
}

#[test]
fn android_key_tee_only_policy_reads_only_tee_enforced() {
    let software_only = || {
        android_with(|kd| {
            kd.software_enforced = AuthorizationList {
                purpose: Some(vec![KM_PURPOSE_SIGN]),
                all_applications: false,
                origin: Some(KM_ORIGIN_GENERATED),
            };
            kd.tee_enforced = AuthorizationList::default();
        })
    };
    assert!(run(&software_only(), &trusting()).is_ok(), "the union (default) accepts it");
    let mut tee_only = trusting();
    tee_only.attestation.android_key_tee_only = true;
    assert_rejected(run(&software_only(), &tee_only), CheckId::RegAttestationAndroidKeyOrigin);
    // Purpose in software only, origin in the TEE.
    let split = || {
        android_with(|kd| {
            kd.software_enforced.purpose = Some(vec![KM_PURPOSE_SIGN]);
            kd.tee_enforced.purpose = None;
        })
    };
    assert!(run(&split(), &trusting()).is_ok());
    assert_rejected(run(&split(), &tee_only), CheckId::RegAttestationAndroidKeyPurpose);
    // The valid statement passes both.
    assert!(run(&reg(generator::Algorithm::Es256, AttestationKind::AndroidKey), &tee_only).is_ok());
}

// ---- the §16 apple example, tampered ----

#[test]
fn the_w3c_apple_example_with_its_nonce_changed_fails_the_nonce_step() {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../../vectors/w3c/webauthn-l3-section16.json")).unwrap();
    let ex = v["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["anchor"] == "sctn-test-vectors-apple-es256")
        .unwrap();
    let hex = |s: &serde_json::Value| hex::decode(s.as_str().unwrap()).unwrap();
    let reg = &ex["registration"];
    let mut object = hex(&reg["attestationObject"]);
    // The nonce's first bytes as the credCert carries them (after `04 20`).
    let nonce_at = object.windows(4).position(|w| w == [0xa1, 0x22, 0x04, 0x20]).unwrap() + 4;
    let p = {
        let mut p = Policy::new(v["rpId"].as_str().unwrap(), v["origin"].as_str().unwrap());
        p.attestation.trust_anchors = vec![hex(&v["attestationRoot"]["attestation_ca_cert"])];
        p
    };
    let challenge = hex(&reg["challenge"]);
    let json = |object: &[u8]| {
        serde_json::json!({
            "id": wire::base64url::encode(&hex(&reg["credential_id"])),
            "rawId": wire::base64url::encode(&hex(&reg["credential_id"])),
            "type": "public-key",
            "response": {
                "clientDataJSON": wire::base64url::encode(&hex(&reg["clientDataJSON"])),
                "attestationObject": wire::base64url::encode(object),
            },
            "clientExtensionResults": {},
        })
    };
    let e = reg_expectations(&challenge, wire::cose::alg::ES256);
    assert!(register(&json(&object), &e, &p, &Store::default()).is_ok());
    object[nonce_at] ^= 1;
    assert_rejected(register(&json(&object), &e, &p, &Store::default()), CheckId::RegAttestationAppleNonce);
}
