//! Properties over generated ceremonies: every valid ceremony the strategies describe is accepted by the
//! reference verifier, and every single mutation of one is answered without a panic, either accepted or
//! rejected by a check of the right ceremony.

use generator::strategies::{self, ValidAssertion, ASSERTION_MEMBERS, REGISTRATION_MEMBERS};
use proptest::prelude::*;
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, Ceremony, CredentialRecord, OneRecordStore, Policy,
    RegistrationExpectations, RegistrationResponse,
};

const NOW: u64 = 1_748_736_000;

fn policy() -> Policy {
    let mut p = Policy::new(strategies::RP_ID, strategies::ORIGIN);
    p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    p
}

fn reg_expectations(challenge: &[u8]) -> RegistrationExpectations {
    RegistrationExpectations {
        challenge: challenge.to_vec(),
        pub_key_cred_params: vec![-7, -35, -257, -8],
        user_verification_required: false,
        conditional_mediation: false,
    }
}

fn register(
    json: &serde_json::Value,
    challenge: &[u8],
) -> Result<verifier::RegistrationOutcome, verifier::Rejection> {
    let r = RegistrationResponse::from_json(json)?;
    verifier::verify_registration(&r, &reg_expectations(challenge), &policy(), &verifier::EmptyStore, NOW)
}

fn registered_record(a: &ValidAssertion) -> CredentialRecord {
    let built = a.registration.build();
    let mut record = register(&built.json, &built.challenge).expect("valid registration").record;
    record.sign_count = 0;
    record
}

fn authenticate(
    a: &ValidAssertion,
    json: &serde_json::Value,
    challenge: &[u8],
) -> Result<(), verifier::Rejection> {
    let store = OneRecordStore::any_account(registered_record(a));
    let e = AuthenticationExpectations {
        challenge: challenge.to_vec(),
        allow_credentials: vec![],
        user_verification_required: false,
        identified_user: Some(b"user".to_vec()),
    };
    let r = AuthenticationResponse::from_json(json)?;
    verifier::verify_authentication(&r, &e, &policy(), &store).map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_valid_registration_is_accepted(reg in strategies::valid_registration()) {
        let built = reg.build();
        let out = register(&built.json, &built.challenge);
        prop_assert!(out.is_ok(), "{:?}: {:?}", reg, out.err());
    }

    #[test]
    fn every_valid_assertion_is_accepted(a in strategies::valid_assertion()) {
        let built = a.build();
        // The stored counter is 0, so any counter is valid.
        let out = authenticate(&a, &built.json, &built.challenge);
        prop_assert!(out.is_ok(), "{:?}: {:?}", a, out.err());
    }

    #[test]
    fn a_mutated_registration_never_panics(reg in strategies::valid_registration(), m in strategies::mutation(REGISTRATION_MEMBERS)) {
        let built = reg.build();
        let mut json = built.json.clone();
        m.apply(&mut json);
        if let Err(r) = register(&json, &built.challenge) {
            prop_assert_eq!(r.check.ceremony(), Ceremony::Registration);
        }
    }

    #[test]
    fn a_mutated_assertion_never_panics(a in strategies::valid_assertion(), m in strategies::mutation(ASSERTION_MEMBERS)) {
        let built = a.build();
        let mut json = built.json.clone();
        m.apply(&mut json);
        if let Err(r) = authenticate(&a, &json, &built.challenge) {
            prop_assert_eq!(r.check.ceremony(), Ceremony::Authentication);
        }
    }
}
