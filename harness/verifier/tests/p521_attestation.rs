//! A packed x5c statement whose attestation certificate holds a P-521 key (§8.2 with alg -36), end to end
//! through `verify_registration`: accepted with the harness root as anchor, and each broken statement
//! rejected by the check of the step it breaks.

mod common;

use common::*;
use generator::{p521_pki, AttestationKind, Generator, RegistrationDraft};
use verifier::attestation::AttestationType;
use verifier::CheckId;
use wire::cbor::Value;
use wire::cose::alg;

/// An ES256 credential whose packed statement is made by the P-521 attestation key with `a` as alg.
fn reg(a: i64) -> Reg {
    let mut g = Generator::new(521);
    let cred = g.credential(generator::Algorithm::Es256, 32);
    let challenge = g.challenge();
    let mut signed =
        RegistrationDraft::new(&rp(), &cred, &challenge, 0).sign(&cred, AttestationKind::PackedX5c);
    let mut message = signed.attestation_object.auth_data.clone();
    message.extend_from_slice(&<sha2::Sha256 as sha2::Digest>::digest(&signed.client_data_json));
    signed.attestation_object.att_stmt =
        p521_pki::packed_statement(&p521_pki::packed_leaf(cred.aaguid), a, &message);
    Reg { cred, challenge, signed }
}

#[test]
fn a_p521_attestation_key_with_es512_is_accepted_as_basic() {
    let r = reg(alg::ES512);
    let out = run(&r, &trusting()).expect("accepted");
    assert!(matches!(out.attestation, AttestationType::Basic { ref trust_path } if trust_path.len() == 1));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    // Verified but not trusted without the harness root.
    assert_rejected(run(&r, &policy()), CheckId::RegAttestationUntrusted);
}

#[test]
fn an_alg_that_does_not_fit_the_p521_key_is_an_alg_mismatch() {
    for a in [alg::ES256, alg::ES384, alg::RS512, alg::EDDSA] {
        let e = run(&reg(a), &trusting()).expect_err("refused");
        assert_eq!(e.check, CheckId::RegAttestationAlgMismatch, "{a}: {e}");
        assert!(e.to_string().contains("EC P-521"), "{e}");
    }
}

#[test]
fn a_flipped_es512_signature_is_refused_by_the_signature_check() {
    let mut r = reg(alg::ES512);
    if let Value::Map(m) = &mut r.signed.attestation_object.att_stmt {
        if let Some((_, Value::Bytes(sig))) = m.iter_mut().find(|(k, _)| k.as_text() == Some("sig")) {
            let last = sig.len() - 1;
            sig[last] ^= 1;
        }
    }
    assert_rejected(run(&r, &trusting()), CheckId::RegAttestationSignature);
}

/// Certificates made by OpenSSL 3.0 (an implementation independent of the verifier's), private keys not kept:
/// a self-signed P-521 CA (`openssl ecparam -name secp521r1 -genkey`, `openssl req -new -x509 -sha512`) and
/// one P-256 leaf signed by it with each of `-sha256`, `-sha384`, `-sha512` (`openssl x509 -req -CA`): the
/// verifier reads the CA's secp521r1 key and checks ecdsa-with-SHA256/384/512 signatures by it, which pins
/// the SHA-256 digest's handling on P-521 (shorter than the curve) to what OpenSSL computes.
#[test]
fn openssl_p521_signatures_verify_with_every_hash() {
    use verifier::attestation::x509::{CertError, Certificate};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/p521");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ca = Certificate::from_der(&read("ca.der")).expect("CA");
    let ca_key = ca.public_key().expect("P-521 key");
    assert_eq!(ca_key.describe(), "EC P-521");
    assert_eq!(ca.verify_signature(&ca_key), Ok(()), "self-signed with ecdsa-with-SHA512");
    let root_key =
        Certificate::from_der(&generator::pki::root().der).expect("root").public_key().expect("P-256 key");
    for hash in ["sha256", "sha384", "sha512"] {
        let leaf = Certificate::from_der(&read(&format!("leaf-{hash}.der"))).expect("leaf");
        assert_eq!(leaf.verify_signature(&ca_key), Ok(()), "{hash}");
        assert_eq!(leaf.verify_issued_by(&ca), Ok(()), "{hash}");
        // The leaf's own P-256 key did not sign it; the harness root's P-256 key did not either.
        let own = leaf.public_key().expect("P-256 key");
        assert_eq!(
            leaf.verify_signature(&own),
            Err(CertError::SignatureMalformed("not a DER ECDSA signature".into())),
            "{hash}"
        );
        assert!(leaf.verify_signature(&root_key).is_err(), "{hash}");
    }
}
