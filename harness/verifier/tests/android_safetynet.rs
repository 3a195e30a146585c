//! The `android-safetynet` verification procedure (§8.5) end to end through `verify_registration`: the
//! generator's RS256 and ES256 JWS are accepted as Basic attestation with x5c as the trust path; the freshness
//! of `timestampMs` is judged at the `now` the caller passes (never the wall clock) under the policy's window;
//! `ctsProfileMatch` only where the policy requires it; and a rejection names the step's check.

mod common;

use common::*;
use generator::safetynet::{Parts, Signer};
use generator::{AttestationKind, Credential, Generator, RegistrationDraft, SignedRegistration};
use sha2::{Digest, Sha256};
use verifier::attestation::AttestationType;
use verifier::{CheckId, Policy};

struct Reg {
    cred: Credential,
    challenge: Vec<u8>,
    signed: SignedRegistration,
}

fn reg(alg: generator::Algorithm) -> Reg {
    let mut g = Generator::new(85);
    let cred = g.credential(alg, 32);
    let challenge = g.challenge();
    let signed =
        RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, AttestationKind::AndroidSafetynet);
    Reg { cred, challenge, signed }
}

fn trusting() -> Policy {
    let mut p = policy();
    p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    p
}

fn run_at(r: &Reg, p: &Policy, now: u64) -> Result<verifier::RegistrationOutcome, verifier::Rejection> {
    let response = verifier::RegistrationResponse::from_json(&r.signed.to_json())?;
    verifier::verify_registration(
        &response,
        &reg_expectations(&r.challenge, r.cred.key.algorithm().cose()),
        p,
        &Store::default(),
        now,
    )
}

/// The statement rebuilt from the valid parts changed by `f`.
fn with(r: &mut Reg, signer: Signer, f: impl FnOnce(&mut Parts)) {
    let hash: [u8; 32] = Sha256::digest(&r.signed.client_data_json).into();
    let mut parts = Parts::valid(&r.signed.attestation_object.auth_data, &hash, NOW, signer);
    f(&mut parts);
    r.signed.attestation_object.att_stmt = parts.statement();
}

#[test]
fn valid_rs256_and_es256_responses_are_basic_with_x5c_as_trust_path() {
    for alg in [generator::Algorithm::Es256, generator::Algorithm::Rs256, generator::Algorithm::EdDsa] {
        for signer in [Signer::Rs256, Signer::Es256] {
            let mut r = reg(alg);
            with(&mut r, signer, |_| {});
            let out = run_at(&r, &trusting(), NOW).unwrap_or_else(|e| panic!("{alg:?} {signer:?}: {e}"));
            assert!(
                matches!(out.attestation, AttestationType::Basic { ref trust_path } if trust_path.len() == 1)
            );
            assert!(out.warnings.is_empty(), "{:?}", out.warnings);
            // Without the harness root the response verifies but is not trusted (§7.1 step 24).
            assert_rejected(run_at(&r, &policy(), NOW), CheckId::RegAttestationUntrusted);
        }
    }
}

#[test]
fn timestamp_is_judged_at_the_given_now_under_the_policy_window() {
    let r = reg(generator::Algorithm::Es256);
    // The generator stamps the draft's time (the fixed time): fresh at NOW and up to a minute later.
    assert!(run_at(&r, &trusting(), NOW).is_ok());
    assert!(run_at(&r, &trusting(), NOW + 60).is_ok());
    assert_rejected(run_at(&r, &trusting(), NOW + 61), CheckId::RegAttestationSafetynetTimestamp);
    // Verified before it was made: in the future, whatever the window.
    assert_rejected(run_at(&r, &trusting(), NOW - 1), CheckId::RegAttestationSafetynetTimestamp);
    let mut no_window = trusting();
    no_window.attestation.safetynet_max_age_ms = None;
    assert!(run_at(&r, &no_window, NOW + 86_400).is_ok());
    assert_rejected(run_at(&r, &no_window, NOW - 1), CheckId::RegAttestationSafetynetTimestamp);
    let mut wide = trusting();
    wide.attestation.safetynet_max_age_ms = Some(3_600_000);
    assert!(run_at(&r, &wide, NOW + 3_600).is_ok());
    assert_rejected(run_at(&r, &wide, NOW + 3_601), CheckId::RegAttestationSafetynetTimestamp);
}

#[test]
fn a_draft_stamped_at_another_time_is_fresh_then() {
    let mut g = Generator::new(86);
    let cred = g.credential(generator::Algorithm::Es256, 16);
    let challenge = g.challenge();
    let mut draft = RegistrationDraft::new(&rp(), &cred, &challenge, 0);
    draft.time = NOW + 1_000_000;
    let r = Reg { signed: draft.sign(&cred, AttestationKind::AndroidSafetynet), cred, challenge };
    assert!(run_at(&r, &trusting(), NOW + 1_000_000).is_ok());
    assert_rejected(run_at(&r, &trusting(), NOW), CheckId::RegAttestationSafetynetTimestamp);
}

#[test]
fn cts_profile_match_is_required_only_by_policy() {
    let mut r = reg(generator::Algorithm::Es256);
    with(&mut r, Signer::Rs256, |p| {
        p.payload.insert("ctsProfileMatch".into(), serde_json::Value::Bool(false));
    });
    assert_rejected(run_at(&r, &trusting(), NOW), CheckId::RegAttestationSafetynetCtsProfile);
    let mut lenient = trusting();
    lenient.attestation.safetynet_require_cts_profile_match = false;
    assert!(run_at(&r, &lenient, NOW).is_ok());
    // Missing counts as not true.
    let mut r = reg(generator::Algorithm::Es256);
    with(&mut r, Signer::Rs256, |p| {
        p.payload.remove("ctsProfileMatch");
    });
    assert_rejected(run_at(&r, &trusting(), NOW), CheckId::RegAttestationSafetynetCtsProfile);
}

/// A change to the valid parts.
type Edit = Box<dyn Fn(&mut Parts)>;

#[test]
fn each_broken_part_is_rejected_at_its_step() {
    let cases: Vec<(&str, CheckId, Edit)> = vec![
        ("empty ver", CheckId::RegAttestationSafetynetResponse, Box::new(|p| p.ver.clear())),
        ("alg none", CheckId::RegAttestationSafetynetSignature, Box::new(|p| p.alg = "none".into())),
        (
            "alg ES256 over an RSA key",
            CheckId::RegAttestationSafetynetSignature,
            Box::new(|p| p.alg = "ES256".into()),
        ),
        ("another key", CheckId::RegAttestationSafetynetSignature, Box::new(|p| p.key_seed += 1)),
        ("no x5c", CheckId::RegAttestationSafetynetCertificate, Box::new(|p| p.x5c = None)),
        ("empty x5c", CheckId::RegAttestationSafetynetCertificate, Box::new(|p| p.x5c = Some(vec![]))),
        (
            "x5c[0] not DER",
            CheckId::RegAttestationSafetynetCertificate,
            Box::new(|p| p.x5c = Some(vec![vec![0x30, 0x00]])),
        ),
        (
            "nonce of other data",
            CheckId::RegAttestationSafetynetNonce,
            Box::new(|p| {
                p.payload.insert("nonce".into(), "AAAA".into());
            }),
        ),
        (
            "nonce a number",
            CheckId::RegAttestationSafetynetNonce,
            Box::new(|p| {
                p.payload.insert("nonce".into(), 5.into());
            }),
        ),
        (
            "timestampMs a string",
            CheckId::RegAttestationSafetynetTimestamp,
            Box::new(|p| {
                p.payload.insert("timestampMs".into(), "now".into());
            }),
        ),
    ];
    for (what, check, f) in cases {
        let mut r = reg(generator::Algorithm::Es256);
        with(&mut r, Signer::Rs256, |p| f(p));
        let got = run_at(&r, &trusting(), NOW);
        assert!(
            matches!(&got, Err(e) if e.check == check),
            "{what}: expected {check:?}, got {:?}",
            got.map(|_| ())
        );
    }
    // The hostname: CN attest.android.com is what the harness's certificate carries; another name fails.
    let mut r = reg(generator::Algorithm::Es256);
    with(&mut r, Signer::Rs256, |p| {
        let key = p.signer.key(p.key_seed);
        p.x5c = Some(vec![generator::safetynet::leaf_cert(&key, "CN=ATTEST.android.com,O=x,C=US")]);
    });
    assert!(run_at(&r, &trusting(), NOW).is_ok(), "hostnames compare case-insensitively");
    with(&mut r, Signer::Rs256, |p| {
        let key = p.signer.key(p.key_seed);
        p.x5c = Some(vec![generator::safetynet::leaf_cert(&key, "CN=android.com,O=x,C=US")]);
    });
    assert_rejected(run_at(&r, &trusting(), NOW), CheckId::RegAttestationSafetynetCertificate);
}
