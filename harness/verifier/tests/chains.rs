//! Certificate paths through intermediate CAs (§7.1 step 24), anchors configured per format, and the
//! compound format (§8.9) end to end through `verify_registration`. The catalogue's rows (chains.rs,
//! compound.rs) run the same requirements against the reference RP; these pin the verifier's own API:
//! which [`PathFailure`] a path breaks at, that `format_anchors` replaces the general anchors for its format
//! only (also inside a compound statement), and the compound outcome.

mod common;

use common::*;
use generator::chain_pki::{self, INTERMEDIATE_NAME, ROOT_NAME, SUB_INTERMEDIATE_NAME};
use generator::{AttestationKind, Credential, Generator, RegistrationDraft, SignedRegistration};
use verifier::attestation::path::{self, PathFailure};
use verifier::attestation::AttestationType;
use verifier::{CheckId, Policy};

fn root() -> Vec<u8> {
    generator::pki::root().der.clone()
}

fn leaf(ca: &generator::pki::Issued, name: &str) -> Vec<u8> {
    chain_pki::packed_leaf_under([7; 16], ca, name).der
}

fn failure(chain: &[Vec<u8>], anchors: &[Vec<u8>]) -> Option<PathFailure> {
    path::verify(chain, anchors, NOW).err().map(|e| e.failure)
}

#[test]
fn paths_through_intermediates() {
    let mid = chain_pki::intermediate();
    let sub = chain_pki::sub_intermediate();
    let anchors = [root()];
    assert_eq!(failure(&[leaf(mid, INTERMEDIATE_NAME), mid.der.clone()], &anchors), None);
    assert_eq!(
        failure(&[leaf(&sub, SUB_INTERMEDIATE_NAME), sub.der.clone(), mid.der.clone()], &anchors),
        None
    );
    // The intermediate as the configured anchor: the path ends there.
    assert_eq!(
        failure(&[leaf(mid, INTERMEDIATE_NAME), mid.der.clone()], std::slice::from_ref(&mid.der)),
        None
    );
    // Out of issuing order.
    assert_eq!(
        failure(&[leaf(&sub, SUB_INTERMEDIATE_NAME), mid.der.clone(), sub.der.clone()], &anchors),
        Some(PathFailure::Issuer)
    );
    // Without its intermediate the leaf's issuer is no anchor.
    assert_eq!(failure(&[leaf(mid, INTERMEDIATE_NAME)], &anchors), Some(PathFailure::Untrusted));
    // An expired intermediate; one that is no CA; one with no basic constraints.
    for (edit, want) in [
        (
            Box::new(|s: &mut generator::pki::CertSpec| s.not_after = NOW - 1) as Box<dyn Fn(&mut _)>,
            PathFailure::Validity,
        ),
        (Box::new(|s: &mut generator::pki::CertSpec| s.ca = Some(false)), PathFailure::NotCa),
        (Box::new(|s: &mut generator::pki::CertSpec| s.ca = None), PathFailure::NotCa),
    ] {
        let variant = chain_pki::intermediate_with(|s| edit(s));
        assert_eq!(failure(&[leaf(&variant, INTERMEDIATE_NAME), variant.der.clone()], &anchors), Some(want));
    }
}

#[test]
fn path_length_constraints() {
    let mid = chain_pki::intermediate();
    let sub = chain_pki::sub_intermediate();
    let with_limit = |n: u8| {
        chain_pki::reissue(&mid.der, generator::pki::root(), ROOT_NAME, |t| {
            chain_pki::set_path_len(t, Some(n))
        })
    };
    let chain = |top: Vec<u8>| vec![leaf(&sub, SUB_INTERMEDIATE_NAME), sub.der.clone(), top];
    let err = path::verify(&chain(with_limit(0)), &[root()], NOW).expect_err("pathLen 0");
    assert_eq!(err.failure, PathFailure::NotCa);
    assert!(err.detail.contains("pathLenConstraint 0") && err.detail.contains("x5c[2]"), "{}", err.detail);
    assert_eq!(failure(&chain(with_limit(1)), &[root()]), None);
    // pathLen 0 still lets the CA issue end-entity certificates.
    let limited = with_limit(0);
    assert_eq!(failure(&[leaf(mid, INTERMEDIATE_NAME), limited], &[root()]), None);
}

fn registration(kind: AttestationKind) -> (Credential, Vec<u8>, SignedRegistration) {
    let mut g = Generator::new(0xc4a1);
    let cred = g.credential(generator::Algorithm::Es256, 16);
    let challenge = g.challenge();
    let signed = RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, kind);
    (cred, challenge, signed)
}

fn run(kind: AttestationKind, p: &Policy) -> Result<verifier::RegistrationOutcome, verifier::Rejection> {
    let (cred, challenge, signed) = registration(kind);
    register(
        &signed.to_json(),
        &reg_expectations(&challenge, cred.key.algorithm().cose()),
        p,
        &Store::default(),
    )
}

/// An anchor no harness certificate chains to.
fn other_root() -> Vec<u8> {
    let spec = generator::pki::CertSpec {
        subject: "CN=other root,O=elsewhere,C=US".into(),
        ..chain_pki::intermediate_spec()
    };
    generator::pki::self_signed(&spec, 0x0e15e).der
}

#[test]
fn format_anchors_replace_the_general_ones_for_their_format_only() {
    let mut p = policy();
    p.attestation.trust_anchors = vec![root()];
    assert!(run(AttestationKind::PackedX5c, &p).is_ok());
    p.attestation.format_anchors = vec![("packed".into(), vec![other_root()])];
    let r = run(AttestationKind::PackedX5c, &p).expect_err("packed trusts only the other root");
    assert_eq!(r.check, CheckId::RegAttestationUntrusted, "{r}");
    assert!(run(AttestationKind::Tpm, &p).is_ok(), "tpm still uses the general anchors");
    // No general anchors, the root for packed only.
    let mut p = policy();
    p.attestation.format_anchors = vec![("packed".into(), vec![root()])];
    assert!(run(AttestationKind::PackedX5c, &p).is_ok());
    assert_eq!(
        run(AttestationKind::Tpm, &p).expect_err("no anchors").check,
        CheckId::RegAttestationUntrusted
    );
    assert_eq!(p.attestation.anchors_for("packed"), &[root()][..]);
    assert!(p.attestation.anchors_for("tpm").is_empty());
}

#[test]
fn a_compound_statement_is_verified_and_assessed_per_sub_statement() {
    let mut p = policy();
    p.attestation.trust_anchors = vec![root()];
    let out = run(AttestationKind::Compound, &p).expect("accepted");
    let AttestationType::Compound(subs) = out.attestation else { panic!("{:?}", out.attestation) };
    let formats: Vec<&str> = subs.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(formats, ["packed", "tpm"]);
    assert!(subs.iter().all(|(_, a)| matches!(a, AttestationType::Basic { .. })));
    // The tpm sub-statement is assessed with tpm's anchors.
    p.attestation.format_anchors = vec![("tpm".into(), vec![other_root()])];
    let r = run(AttestationKind::Compound, &p).expect_err("tpm untrusted");
    assert_eq!(r.check, CheckId::RegAttestationUntrusted);
    assert!(r.detail.starts_with("compound attStmt[1] (fmt \"tpm\")"), "{}", r.detail);
    // Without compound in the accepted formats, step 21 refuses it.
    let mut p = policy();
    p.attestation.formats.retain(|f| f != "compound");
    assert_eq!(
        run(AttestationKind::Compound, &p).expect_err("refused").check,
        CheckId::RegAttestationFormatUnsupported
    );
}

#[test]
fn too_many_sub_statements_are_refused_before_any_is_verified() {
    let (cred, challenge, mut signed) = registration(AttestationKind::Compound);
    let wire::cbor::Value::Array(items) = &mut signed.attestation_object.att_stmt else { panic!("an array") };
    let first = items[0].clone();
    items.resize(verifier::attestation::MAX_SUB_STATEMENTS + 1, first);
    let mut p = policy();
    p.attestation.trust_anchors = vec![root()];
    let r = register(
        &signed.to_json(),
        &reg_expectations(&challenge, cred.key.algorithm().cose()),
        &p,
        &Store::default(),
    )
    .expect_err("too many");
    assert_eq!(r.check, CheckId::RegAttestationCompoundSyntax);
    assert!(r.detail.contains("limit"), "{}", r.detail);
}
