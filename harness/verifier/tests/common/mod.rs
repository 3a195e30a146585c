//! Fixtures shared by the verifier's integration tests: ceremonies come from the generator.
#![allow(dead_code)]

use generator::{
    AssertionDraft, AttestationKind, Credential, Generator, RegistrationDraft, Rp, SignedRegistration,
};
use verifier::{
    AuthenticationExpectations, CheckId, CredentialRecord, CredentialStore, OneRecordStore, Policy,
    RegistrationExpectations,
};

pub const RP_ID: &str = "example.org";
pub const ORIGIN: &str = "https://example.org";
pub const USER: &[u8] = b"user-1";
/// 2025-06-01T00:00:00Z.
pub const NOW: u64 = 1_748_736_000;

pub fn rp() -> Rp {
    Rp::new(RP_ID, ORIGIN)
}

pub fn policy() -> Policy {
    Policy::new(RP_ID, ORIGIN)
}

/// The store the tests verify against: empty (`Store::default()`, `None`) or one record in one account
/// ([`stored`]).
pub type Store = Option<OneRecordStore>;

/// A store holding `record` in the account `user`.
pub fn stored(user: &[u8], record: CredentialRecord) -> Store {
    Some(OneRecordStore::new(user, record))
}

pub fn reg_expectations(challenge: &[u8], alg: i64) -> RegistrationExpectations {
    RegistrationExpectations {
        challenge: challenge.to_vec(),
        pub_key_cred_params: vec![alg],
        user_verification_required: false,
        conditional_mediation: false,
    }
}

pub fn auth_expectations(challenge: &[u8]) -> AuthenticationExpectations {
    AuthenticationExpectations {
        challenge: challenge.to_vec(),
        allow_credentials: vec![],
        user_verification_required: false,
        identified_user: Some(USER.to_vec()),
    }
}

/// Runs a registration response JSON through the verifier.
pub fn register(
    json: &serde_json::Value,
    e: &RegistrationExpectations,
    p: &Policy,
    store: &dyn CredentialStore,
) -> Result<verifier::RegistrationOutcome, verifier::Rejection> {
    let r = verifier::RegistrationResponse::from_json(json)?;
    verifier::verify_registration(&r, e, p, store, NOW)
}

pub fn authenticate(
    json: &serde_json::Value,
    e: &AuthenticationExpectations,
    p: &Policy,
    store: &dyn CredentialStore,
) -> Result<verifier::AuthenticationOutcome, verifier::Rejection> {
    let r = verifier::AuthenticationResponse::from_json(json)?;
    verifier::verify_authentication(&r, e, p, store)
}

/// Asserts that `result` is a rejection by exactly `check`.
#[track_caller]
pub fn assert_rejected<T: std::fmt::Debug>(result: Result<T, verifier::Rejection>, check: CheckId) {
    match result {
        Err(r) => assert_eq!(r.check, check, "rejected by {} ({}), expected {}", r.check, r.detail, check),
        Ok(v) => panic!("accepted ({v:?}), expected rejection by {check}"),
    }
}

/// A registered credential ready for authentication tests.
pub struct Registered {
    pub gen: Generator,
    pub cred: Credential,
    pub record: CredentialRecord,
}

pub fn registered(alg: generator::Algorithm) -> Registered {
    let mut gen = Generator::new(42);
    let cred = gen.credential(alg, 32);
    let challenge = gen.challenge();
    let json =
        RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, AttestationKind::None).to_json();
    let out = register(&json, &reg_expectations(&challenge, alg.cose()), &policy(), &Store::default())
        .expect("baseline registration");
    Registered { gen, cred, record: out.record }
}

pub fn assertion(reg: &mut Registered, sign_count: u32) -> (Vec<u8>, AssertionDraft) {
    let challenge = reg.gen.challenge();
    let draft = AssertionDraft::new(&rp(), &reg.cred, &challenge, 0, sign_count, Some(USER.to_vec()));
    (challenge, draft)
}

/// A registration the generator signed, with the credential and the challenge it answers.
pub struct Reg {
    pub cred: Credential,
    pub challenge: Vec<u8>,
    pub signed: SignedRegistration,
}

/// [`policy`] with the harness's attestation root as the trust anchor.
pub fn trusting() -> Policy {
    let mut p = policy();
    p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    p
}

/// Verifies `r` against its own challenge and its credential's algorithm, under `p`.
pub fn run(r: &Reg, p: &Policy) -> Result<verifier::RegistrationOutcome, verifier::Rejection> {
    register(
        &r.signed.to_json(),
        &reg_expectations(&r.challenge, r.cred.key.algorithm().cose()),
        p,
        &Store::default(),
    )
}
