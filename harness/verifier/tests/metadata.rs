//! §7.1 step 23 from FIDO MDS3 metadata: the entry of the authenticator (by AAGUID, or by the attestation
//! certificate's key identifier for fido-u2f) supplies the trust anchors, and its status reports refuse it.

mod common;

use std::sync::Arc;

use common::*;
use generator::{pki, Algorithm, AttestationKind, Generator, RegistrationDraft};
use verifier::metadata::{key_identifier, Entry, Metadata, StatusPolicy, StatusReport};
use verifier::CheckId;

fn entry(aaguid: Option<[u8; 16]>, key_ids: Vec<[u8; 20]>, status: &[&str]) -> Entry {
    Entry {
        aaguid,
        key_identifiers: key_ids,
        description: Some("a harness authenticator".into()),
        attestation_types: vec!["basic_full".into()],
        attestation_roots: vec![pki::root().der.clone()],
        status_reports: status
            .iter()
            .map(|s| StatusReport { status: s.to_string(), effective_date: None, certificate: None })
            .collect(),
        time_of_last_status_change: "2024-01-01".into(),
    }
}

fn metadata(entries: Vec<Entry>) -> Arc<Metadata> {
    Arc::new(Metadata {
        legal_header: None,
        no: 1,
        next_update: "2030-01-01".into(),
        next_update_unix: 1_893_456_000,
        entries,
    })
}

/// A registration of `kind` and the AAGUID it attests.
fn registration(kind: AttestationKind) -> (serde_json::Value, Vec<u8>, [u8; 16]) {
    let mut gen = Generator::new(3);
    let cred = gen.credential(Algorithm::Es256, 16);
    let challenge = gen.challenge();
    let json = RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, kind).to_json();
    (json, challenge, cred.aaguid)
}

fn verify(
    kind: AttestationKind,
    metadata: Option<Arc<Metadata>>,
    status: StatusPolicy,
) -> Result<(), verifier::Rejection> {
    let (json, challenge, _) = registration(kind);
    let mut p = policy();
    p.attestation.trust_anchors.clear();
    p.attestation.metadata = metadata;
    p.attestation.metadata_status = status;
    register(&json, &reg_expectations(&challenge, -7), &p, &Store::default()).map(|_| ())
}

#[test]
fn the_entry_of_the_aaguid_supplies_the_anchor() {
    let (_, _, aaguid) = registration(AttestationKind::PackedX5c);
    assert_rejected(
        verify(AttestationKind::PackedX5c, None, StatusPolicy::default()),
        CheckId::RegAttestationUntrusted,
    );
    let found = metadata(vec![entry(Some(aaguid), vec![], &["FIDO_CERTIFIED_L1"])]);
    verify(AttestationKind::PackedX5c, Some(found), StatusPolicy::default()).unwrap();
    let other = metadata(vec![entry(Some([9; 16]), vec![], &[])]);
    assert_rejected(
        verify(AttestationKind::PackedX5c, Some(other.clone()), StatusPolicy::default()),
        CheckId::RegAttestationUntrusted,
    );
    assert_rejected(
        verify(
            AttestationKind::PackedX5c,
            Some(other),
            StatusPolicy { require_entry: true, ..Default::default() },
        ),
        CheckId::RegAttestationMetadataStatus,
    );
}

#[test]
fn fido_u2f_is_found_by_its_certificate_key_identifier() {
    let id = key_identifier(&pki::u2f_leaf().der).expect("a certificate");
    let found = metadata(vec![entry(None, vec![id], &[])]);
    verify(AttestationKind::FidoU2f, Some(found), StatusPolicy::default()).unwrap();
    let other = metadata(vec![entry(None, vec![[1; 20]], &[])]);
    assert_rejected(
        verify(AttestationKind::FidoU2f, Some(other), StatusPolicy::default()),
        CheckId::RegAttestationUntrusted,
    );
}

#[test]
fn a_refused_status_report_fails_the_metadata_check() {
    let (_, _, aaguid) = registration(AttestationKind::PackedX5c);
    for status in
        ["REVOKED", "ATTESTATION_KEY_COMPROMISE", "USER_VERIFICATION_BYPASS", "USER_KEY_REMOTE_COMPROMISE"]
    {
        let m = metadata(vec![entry(Some(aaguid), vec![], &["FIDO_CERTIFIED_L1", status])]);
        let r = verify(AttestationKind::PackedX5c, Some(m.clone()), StatusPolicy::default());
        assert_rejected(r, CheckId::RegAttestationMetadataStatus);
        // A policy that refuses nothing trusts it through the entry's roots.
        verify(AttestationKind::PackedX5c, Some(m), StatusPolicy { refused: vec![], require_entry: false })
            .unwrap();
    }
    // Self attestation is not assessed against metadata (nothing chains).
    let m = metadata(vec![entry(Some(aaguid), vec![], &["REVOKED"])]);
    verify(AttestationKind::PackedSelf, Some(m), StatusPolicy::default()).unwrap();
}

mod blob {
    use generator::metadata::{self as md, metadata_root, metadata_signer};
    use verifier::metadata::{verify_blob, MetadataError};

    const NOW: u64 = super::NOW;

    fn roots() -> Vec<Vec<u8>> {
        vec![metadata_root().der.clone()]
    }

    #[test]
    fn the_harness_blob_verifies_and_lists_its_models() {
        let m = verify_blob(md::blob().as_bytes(), &roots(), NOW).unwrap();
        assert_eq!((m.no, m.next_update.as_str()), (md::BLOB_NO, md::NEXT_UPDATE));
        let e = m.find(Some(md::HARNESS_AAGUID), None).expect("the harness model");
        assert_eq!(e.attestation_roots, vec![generator::pki::root().der.clone()]);
        let u2f = m.find(None, Some(&generator::pki::u2f_leaf().der)).expect("the U2F certificate");
        assert_eq!(u2f.aaguid, None);
        for (a, status) in [
            (md::REVOKED_AAGUID, "REVOKED"),
            (md::KEY_COMPROMISE_AAGUID, "ATTESTATION_KEY_COMPROMISE"),
            (md::UV_BYPASS_AAGUID, "USER_VERIFICATION_BYPASS"),
        ] {
            let e = m.find(Some(a), None).unwrap();
            assert!(verifier::metadata::StatusPolicy::default().refusal(e, &[]).unwrap().contains(status));
        }
        // Surrounding whitespace (a trailing newline in the file) is not part of the JWS.
        assert!(verify_blob(format!("{}\n", md::blob()).as_bytes(), &roots(), NOW).is_ok());
    }

    #[test]
    fn each_failure_says_which() {
        let signer = metadata_signer();
        let payload = md::payload(1, md::NEXT_UPDATE, md::entries());
        // Signed by a key that is not the certificate's.
        let other = generator::pki::packed_leaf([5; 16]);
        let forged = md::sign_blob(&payload, &other, std::slice::from_ref(&signer.der));
        assert!(matches!(verify_blob(forged.as_bytes(), &roots(), NOW), Err(MetadataError::Signature(_))));
        // A payload changed after signing.
        let good = md::blob();
        let mut parts: Vec<&str> = good.split('.').collect();
        let changed = wire::base64url::encode(
            &serde_json::to_vec(&md::payload(2, md::NEXT_UPDATE, md::entries())).unwrap(),
        );
        parts[1] = &changed;
        let swapped = parts.join(".");
        assert!(matches!(verify_blob(swapped.as_bytes(), &roots(), NOW), Err(MetadataError::Signature(_))));
        // A root that did not issue the signer; no root at all.
        let wrong_root = vec![generator::pki::root().der.clone()];
        assert!(matches!(verify_blob(good.as_bytes(), &wrong_root, NOW), Err(MetadataError::Chain(_))));
        assert!(matches!(verify_blob(good.as_bytes(), &[], NOW), Err(MetadataError::Chain(_))));
        // Out of date: the day after nextUpdate.
        let after = verifier::metadata::date_to_unix(md::NEXT_UPDATE).unwrap() + 86_400;
        assert_eq!(
            verify_blob(good.as_bytes(), &roots(), after),
            Err(MetadataError::Stale { next_update: md::NEXT_UPDATE.into() })
        );
        // Not a JWS; a JWS without x5c.
        assert!(matches!(verify_blob(b"a.b", &roots(), NOW), Err(MetadataError::Malformed(_))));
        let bare = md::sign_blob(&payload, signer, &[]);
        assert!(
            matches!(verify_blob(bare.as_bytes(), &roots(), NOW), Err(MetadataError::Malformed(m)) if m.contains("x5c"))
        );
        // A payload that is not a MetadataBLOBPayload.
        let no_entries = md::sign_blob(
            &serde_json::json!({"no": 1, "nextUpdate": "2049-01-01"}),
            signer,
            std::slice::from_ref(&signer.der),
        );
        assert!(matches!(verify_blob(no_entries.as_bytes(), &roots(), NOW),
            Err(MetadataError::Member { at, .. }) if at == "entries"));
    }
}
