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
                AttestationKind::PackedX5c
                | AttestationKind::FidoU2f
                | AttestationKind::Apple
                | AttestationKind::AndroidKey
                | AttestationKind::Tpm
                | AttestationKind::AndroidSafetynet
                | AttestationKind::Compound => unreachable!("not in this loop"),
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

#[test]
fn a_one_record_store_finds_its_record_only_in_its_account() {
    use verifier::{CredentialStore, OneRecordStore};
    let mut gen = Generator::new(2);
    let cred = gen.credential(Algorithm::Es256, 16);
    let challenge = gen.challenge();
    let json =
        RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, AttestationKind::None).to_json();
    let record = register(&json, &reg_expectations(&challenge, -7), &policy(), &verifier::EmptyStore)
        .expect("registered")
        .record;

    let owned = OneRecordStore::new(USER, record.clone());
    assert!(owned.is_registered(&cred.id));
    assert!(!owned.is_registered(b"another id"));
    assert_eq!(owned.find(USER, &cred.id).map(|r| r.id), Some(cred.id.clone()));
    assert!(owned.find(b"another-user", &cred.id).is_none());
    assert!(owned.find(USER, b"another id").is_none());

    let anyone = OneRecordStore::any_account(record);
    assert!(anyone.find(b"another-user", &cred.id).is_some());

    let nothing: Option<OneRecordStore> = None;
    assert!(!nothing.is_registered(&cred.id));
    assert!(nothing.find(USER, &cred.id).is_none());
    assert!(Some(anyone).find(USER, &cred.id).is_some());
}
