//! Valid ceremonies from the generator are accepted, for every algorithm and attestation kind.

mod common;

use common::*;
use generator::{Algorithm, AssertionDraft, AttestationKind, Generator, RegistrationDraft};
use verifier::attestation::AttestationType;

#[test]
fn register_then_authenticate_every_algorithm_and_attestation() {
    for alg in Algorithm::ALL {
        for kind in [AttestationKind::None, AttestationKind::PackedSelf] {
            let mut gen = Generator::new(1);
            let cred = gen.credential(alg, 16);
            let challenge = gen.challenge();
            let json = RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, kind).to_json();
            let out =
                register(&json, &reg_expectations(&challenge, alg.cose()), &policy(), &Store::default())
                    .unwrap_or_else(|r| panic!("{alg:?} {kind:?}: {r}"));
            assert_eq!(out.record.id, cred.id);
            assert_eq!(out.record.sign_count, 0);
            assert!(out.warnings.is_empty());
            let expected = match kind {
                AttestationKind::None => AttestationType::None,
                AttestationKind::PackedSelf => AttestationType::SelfAttestation,
                AttestationKind::PackedX5c | AttestationKind::FidoU2f => unreachable!("not in this loop"),
            };
            assert_eq!(out.attestation, expected);

            let store = stored(USER, out.record);
            let challenge = gen.challenge();
            let json = AssertionDraft::new(&rp(), &cred, &challenge, 0, 5, Some(USER.to_vec()))
                .sign(&cred)
                .to_json();
            let out = authenticate(&json, &auth_expectations(&challenge), &policy(), &store)
                .unwrap_or_else(|r| panic!("{alg:?} {kind:?}: {r}"));
            assert_eq!(out.record.sign_count, 5);
            assert_eq!(out.user_handle, USER);
            assert!(!out.clone_warning);
        }
    }
}
