//! The `packed` (§8.2) and `fido-u2f` (§8.6) attestation formats and the trust assessment (§7.1 step 24),
//! end to end through `verify_registration`, on the W3C WebAuthn L3 §16 test vectors.
//!
//! The positive cases are the vectors as published. Every negative case changes exactly one thing in a
//! vector and asserts the check that must fail. Where the change is in the attestation certificate, the
//! certificate is re-signed with the vectors' CA key (`attestation_ca_key`) and the statement re-signed with
//! the vector's `attestation_private_key`, so nothing but the intended property is wrong.

use std::sync::OnceLock;

use der::asn1::{Any, BitString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use p256::pkcs8::EncodePublicKey;
use serde_json::Value as Json;
use signature::Signer;
use verifier::attestation::{chains_to_anchor, AttestationType};
use verifier::crypto::sha256;
use verifier::{
    verify_registration, CheckId, EmptyStore, Policy, RegistrationExpectations, RegistrationOutcome,
    RegistrationResponse, Rejection,
};
use wire::cbor::{self, Limits, Value};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

/// 2025-06-01T00:00:00Z, inside every vector certificate's validity (2024-01-01 .. 3024-01-01).
const NOW: u64 = 1_748_736_000;
/// 3024-01-01T00:00:00Z, the vector certificates' notAfter.
const NOT_AFTER: u64 = 33_260_976_000;
/// 2024-01-01T00:00:00Z, the vector certificates' notBefore.
const NOT_BEFORE: u64 = 1_704_067_200;

const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const AAGUID_EXT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const C: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");

// ---- the vectors ----

fn vectors() -> &'static Json {
    static V: OnceLock<Json> = OnceLock::new();
    V.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/w3c/webauthn-l3-section16.json"
        )))
        .expect("the vectors file is JSON")
    })
}

fn hex_field(obj: &Json, name: &str) -> Vec<u8> {
    hex::decode(obj[name].as_str().unwrap_or_else(|| panic!("no {name}"))).expect("hex")
}

/// One §16 example's registration.
#[derive(Clone)]
struct Example {
    challenge: Vec<u8>,
    client_data_json: Vec<u8>,
    attestation_object: Vec<u8>,
    credential_id: Vec<u8>,
    attestation_private_key: Option<Vec<u8>>,
}

fn example(name: &str) -> Example {
    let anchor = format!("sctn-test-vectors-{name}");
    let ex = vectors()["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .find(|e| e["anchor"] == anchor.as_str())
        .unwrap_or_else(|| panic!("no example {anchor}"));
    let r = &ex["registration"];
    Example {
        challenge: hex_field(r, "challenge"),
        client_data_json: hex_field(r, "clientDataJSON"),
        attestation_object: hex_field(r, "attestationObject"),
        credential_id: hex_field(r, "credential_id"),
        attestation_private_key: r
            .get("attestation_private_key")
            .map(|_| hex_field(r, "attestation_private_key")),
    }
}

fn root_der() -> Vec<u8> {
    hex_field(&vectors()["attestationRoot"], "attestation_ca_cert")
}

fn root_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&hex_field(&vectors()["attestationRoot"], "attestation_ca_key"))
        .expect("CA key")
}

fn attestation_key(ex: &Example) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(ex.attestation_private_key.as_deref().expect("attestation key"))
        .expect("P-256 attestation key")
}

fn policy() -> Policy {
    let mut p = Policy::new("example.org", "https://example.org");
    p.attestation.trust_anchors = vec![root_der()];
    p
}

fn register(
    ex: &Example,
    attestation_object: &[u8],
    policy: &Policy,
    now: u64,
) -> Result<RegistrationOutcome, Rejection> {
    let response = RegistrationResponse {
        id: wire::base64url::encode(&ex.credential_id),
        raw_id: ex.credential_id.clone(),
        type_: "public-key".into(),
        client_data_json: ex.client_data_json.clone(),
        attestation_object: attestation_object.to_vec(),
        transports: vec![],
    };
    let expectations = RegistrationExpectations {
        challenge: ex.challenge.clone(),
        pub_key_cred_params: vec![-7, -8, -19, -35, -36, -53, -257],
        user_verification_required: false,
        conditional_mediation: false,
    };
    verify_registration(&response, &expectations, policy, &EmptyStore, now)
}

#[track_caller]
fn assert_rejected(result: Result<RegistrationOutcome, Rejection>, check: CheckId) -> Rejection {
    match result {
        Ok(_) => panic!("accepted; expected {}", check.id()),
        Err(r) => {
            assert_eq!(
                r.check,
                check,
                "rejected by {} ({}), expected {}",
                r.check.id(),
                r.detail,
                check.id()
            );
            r
        }
    }
}

// ---- taking attestation objects apart and putting them together ----

fn decode(bytes: &[u8]) -> Value {
    cbor::decode(bytes, &Limits::WEBAUTHN).expect("CBOR").value
}

fn member<'a>(map: &'a Value, name: &str) -> &'a Value {
    map.get_text(name).unwrap_or_else(|| panic!("no member {name}"))
}

fn auth_data(ex: &Example) -> Vec<u8> {
    member(&decode(&ex.attestation_object), "authData").as_bytes().expect("bytes").to_vec()
}

fn att_stmt(ex: &Example) -> Value {
    member(&decode(&ex.attestation_object), "attStmt").clone()
}

fn x5c(ex: &Example) -> Vec<Vec<u8>> {
    member(&att_stmt(ex), "x5c")
        .as_array()
        .expect("x5c array")
        .iter()
        .map(|c| c.as_bytes().expect("bytes").to_vec())
        .collect()
}

/// The example's attestation object with `fmt` and `attStmt` replaced (canonical CBOR, as the original).
fn with_statement(ex: &Example, fmt: &str, stmt: Value) -> Vec<u8> {
    let object = Value::Map(vec![
        (text("fmt"), text(fmt)),
        (text("attStmt"), stmt),
        (text("authData"), Value::Bytes(auth_data(ex))),
    ]);
    cbor::encode_canonical(&object)
}

/// The example's attStmt with one member set (or removed, for `None`).
fn with_member(ex: &Example, name: &str, value: Option<Value>) -> Vec<u8> {
    let Value::Map(mut entries) = att_stmt(ex) else { panic!("attStmt is a map") };
    entries.retain(|(k, _)| k.as_text() != Some(name));
    if let Some(v) = value {
        entries.push((text(name), v));
    }
    let fmt = member(&decode(&ex.attestation_object), "fmt").as_text().expect("fmt").to_owned();
    with_statement(ex, &fmt, Value::Map(entries))
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn cert_array(certs: &[Vec<u8>]) -> Value {
    Value::Array(certs.iter().map(|c| Value::Bytes(c.clone())).collect())
}

/// authData || clientDataHash, what a packed attestation signs.
fn packed_message(ex: &Example) -> Vec<u8> {
    [auth_data(ex), sha256(&ex.client_data_json).to_vec()].concat()
}

/// A packed statement signed by `key` with alg ES256 and the given x5c.
fn packed_es256(ex: &Example, key: &p256::ecdsa::SigningKey, x5c: &[Vec<u8>]) -> Vec<u8> {
    let sig: p256::ecdsa::Signature = key.sign(&packed_message(ex));
    let stmt = Value::Map(vec![
        (text("alg"), Value::integer(-7)),
        (text("sig"), Value::Bytes(sig.to_der().as_bytes().to_vec())),
        (text("x5c"), cert_array(x5c)),
    ]);
    with_statement(ex, "packed", stmt)
}

// ---- making certificates ----

fn parse_cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("certificate")
}

/// Signs `tbs` with a P-256 key (ecdsa-with-SHA256), setting both signature algorithm fields.
fn sign_p256(mut tbs: TbsCertificate, key: &p256::ecdsa::SigningKey) -> Vec<u8> {
    let alg = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None };
    tbs.signature = alg.clone();
    let sig: p256::ecdsa::Signature = key.sign(&tbs.to_der().expect("tbs DER"));
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(sig.to_der().as_bytes()).expect("bit string"),
    };
    cert.to_der().expect("certificate DER")
}

/// The example's attestation certificate with `edit` applied, re-signed by the vectors' CA.
fn edited_leaf(ex: &Example, edit: impl FnOnce(&mut TbsCertificate)) -> Vec<u8> {
    let mut tbs = parse_cert(&x5c(ex)[0]).tbs_certificate;
    edit(&mut tbs);
    sign_p256(tbs, &root_key())
}

/// packed-es256 with its attestation certificate edited, re-signed by the CA, and the statement re-signed.
fn packed_with_edited_leaf(edit: impl FnOnce(&mut TbsCertificate)) -> (Example, Vec<u8>) {
    let ex = example("packed-es256");
    let leaf = edited_leaf(&ex, edit);
    let object = packed_es256(&ex, &attestation_key(&ex), &[leaf]);
    (ex, object)
}

fn name(parts: &[(ObjectIdentifier, Tag, &str)]) -> Name {
    RdnSequence(
        parts
            .iter()
            .map(|(oid, tag, value)| {
                let atv = AttributeTypeAndValue {
                    oid: *oid,
                    value: Any::new(*tag, value.as_bytes()).expect("any"),
                };
                RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("set"))
            })
            .collect(),
    )
}

fn subject(c: &str, o: &str, ou: &str, cn: &str) -> Name {
    name(&[
        (CN, Tag::Utf8String, cn),
        (O, Tag::Utf8String, o),
        (OU, Tag::Utf8String, ou),
        (C, Tag::PrintableString, c),
    ])
}

fn set_extension(tbs: &mut TbsCertificate, oid: ObjectIdentifier, critical: bool, value: Vec<u8>) {
    let exts = tbs.extensions.get_or_insert_with(Vec::new);
    exts.retain(|e| e.extn_id != oid);
    exts.push(Extension { extn_id: oid, critical, extn_value: OctetString::new(value).expect("octets") });
}

fn aaguid_extension_value(aaguid: &[u8]) -> Vec<u8> {
    OctetString::new(aaguid.to_vec()).expect("octets").to_der().expect("DER")
}

/// The AAGUID in the example's attested credential data (after rpIdHash 32, flags 1, signCount 4).
fn authdata_aaguid(ex: &Example) -> Vec<u8> {
    auth_data(ex)[37..53].to_vec()
}

fn spki_p256(key: &p256::ecdsa::SigningKey) -> SubjectPublicKeyInfoOwned {
    let der = key.verifying_key().to_public_key_der().expect("SPKI");
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).expect("SPKI")
}

fn spki_p384(key: &p384::ecdsa::SigningKey) -> SubjectPublicKeyInfoOwned {
    let der = key.verifying_key().to_public_key_der().expect("SPKI");
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).expect("SPKI")
}

fn key_from_byte(b: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[b; 32]).expect("scalar")
}

// ---- the published vectors verify ----

#[test]
fn w3c_packed_and_fido_u2f_vectors_verify() {
    for name in ["packed-es256", "packed-es384", "packed-rs256", "packed-eddsa", "fido-u2f-es256"] {
        let ex = example(name);
        let outcome = register(&ex, &ex.attestation_object, &policy(), NOW)
            .unwrap_or_else(|r| panic!("{name}: rejected by {}: {}", r.check.id(), r.detail));
        assert_eq!(outcome.attestation, AttestationType::Basic { trust_path: x5c(&ex) }, "{name}");
        assert!(outcome.warnings.is_empty(), "{name}: {:?}", outcome.warnings);
    }
}

#[test]
fn w3c_packed_self_vector_verifies_as_self_attestation() {
    let ex = example("packed-self-es256");
    let outcome = register(&ex, &ex.attestation_object, &policy(), NOW).expect("accepted");
    assert_eq!(outcome.attestation, AttestationType::SelfAttestation);
    assert!(outcome.warnings.is_empty());
}

#[test]
fn fido_u2f_vector_has_a_non_zero_aaguid_and_is_still_accepted() {
    let ex = example("fido-u2f-es256");
    assert_ne!(authdata_aaguid(&ex), vec![0u8; 16], "the vector's AAGUID, which U2F would leave zero");
    assert!(register(&ex, &ex.attestation_object, &policy(), NOW).is_ok());
}

// ---- signatures ----

fn flip_sig_byte(ex: &Example) -> Vec<u8> {
    let mut sig = member(&att_stmt(ex), "sig").as_bytes().expect("sig").to_vec();
    let last = sig.len() - 1;
    sig[last] ^= 0x01;
    with_member(ex, "sig", Some(Value::Bytes(sig)))
}

#[test]
fn tampered_signature_is_rejected() {
    for name in [
        "packed-es256",
        "packed-es384",
        "packed-rs256",
        "packed-eddsa",
        "packed-self-es256",
        "fido-u2f-es256",
    ] {
        let ex = example(name);
        assert_rejected(register(&ex, &flip_sig_byte(&ex), &policy(), NOW), CheckId::RegAttestationSignature);
    }
}

#[test]
fn signature_that_is_not_der_is_rejected_as_signature() {
    for name in ["packed-es256", "packed-self-es256", "fido-u2f-es256"] {
        let ex = example(name);
        let object = with_member(&ex, "sig", Some(Value::Bytes(vec![0x30, 0x02, 0x01])));
        assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationSignature);
    }
}

#[test]
fn self_attestation_signed_by_another_key_is_rejected() {
    let ex = example("packed-self-es256");
    let sig: p256::ecdsa::Signature = key_from_byte(7).sign(&packed_message(&ex));
    let object = with_member(&ex, "sig", Some(Value::Bytes(sig.to_der().as_bytes().to_vec())));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationSignature);
}

#[test]
fn packed_signature_over_the_wrong_message_is_rejected() {
    // Signed by the right key, but over authData alone.
    let ex = example("packed-es256");
    let sig: p256::ecdsa::Signature = attestation_key(&ex).sign(&auth_data(&ex));
    let object = with_member(&ex, "sig", Some(Value::Bytes(sig.to_der().as_bytes().to_vec())));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationSignature);
}

// ---- alg ----

#[test]
fn packed_alg_that_does_not_fit_the_certificate_key_is_rejected() {
    let ex = example("packed-es256");
    for alg in [-35, -257, -8, -36, 12345] {
        let object = with_member(&ex, "alg", Some(Value::integer(alg)));
        let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationAlgMismatch);
        assert!(r.detail.contains("EC P-256"), "{}", r.detail);
    }
}

#[test]
fn packed_self_alg_other_than_the_credential_keys_is_rejected() {
    let ex = example("packed-self-es256");
    for alg in [-35, -257, -8, -9] {
        let object = with_member(&ex, "alg", Some(Value::integer(alg)));
        assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationAlgMismatch);
    }
}

#[test]
fn packed_alg_that_fits_but_is_not_verifiable_here_fails_the_signature() {
    // ESP256 (-9) is ECDSA P-256 with SHA-256 under a fully specified name; this verifier does not take it.
    let ex = example("packed-es256");
    let object = with_member(&ex, "alg", Some(Value::integer(-9)));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationSignature);
}

// ---- statement syntax ----

#[test]
fn malformed_packed_statements_are_rejected() {
    let ex = example("packed-es256");
    let cert = x5c(&ex)[0].clone();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("x5c garbage", with_member(&ex, "x5c", Some(cert_array(&[b"garbage".to_vec()])))),
        ("x5c empty", with_member(&ex, "x5c", Some(Value::Array(vec![])))),
        ("x5c of text", with_member(&ex, "x5c", Some(Value::Array(vec![text("MIIB")])))),
        ("x5c not an array", with_member(&ex, "x5c", Some(Value::Bytes(cert.clone())))),
        ("x5c of 9", with_member(&ex, "x5c", Some(cert_array(&vec![cert.clone(); 9])))),
        (
            "x5c cert with trailing byte",
            with_member(&ex, "x5c", Some(cert_array(&[[cert.clone(), vec![0]].concat()]))),
        ),
        ("x5c truncated cert", with_member(&ex, "x5c", Some(cert_array(&[cert[..cert.len() - 1].to_vec()])))),
        ("x5c garbage CA cert", with_member(&ex, "x5c", Some(cert_array(&[cert.clone(), vec![0x30, 0x00]])))),
        ("alg missing", with_member(&ex, "alg", None)),
        ("alg text", with_member(&ex, "alg", Some(text("ES256")))),
        ("alg beyond i64", with_member(&ex, "alg", Some(Value::Negative(u64::MAX)))),
        ("sig missing", with_member(&ex, "sig", None)),
        ("sig text", with_member(&ex, "sig", Some(text("sig")))),
        ("unknown member", with_member(&ex, "ecdaaKeyId", Some(Value::Bytes(vec![1])))),
        ("attStmt an array", with_statement(&ex, "packed", Value::Array(vec![]))),
        ("attStmt empty", with_statement(&ex, "packed", Value::Map(vec![]))),
        (
            "integer key",
            with_statement(&ex, "packed", Value::Map(vec![(Value::integer(1), Value::integer(-7))])),
        ),
    ];
    for (what, object) in cases {
        let r = register(&ex, &object, &policy(), NOW);
        assert!(
            matches!(&r, Err(Rejection { check: CheckId::RegAttestationStatementMalformed, .. })),
            "{what}: {:?}",
            r.err()
        );
    }
}

#[test]
fn malformed_fido_u2f_statements_are_rejected() {
    let ex = example("fido-u2f-es256");
    let cert = x5c(&ex)[0].clone();
    let root = root_der();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("x5c garbage", with_member(&ex, "x5c", Some(cert_array(&[vec![0xde, 0xad, 0xbe, 0xef]])))),
        ("x5c of two", with_member(&ex, "x5c", Some(cert_array(&[cert.clone(), root])))),
        ("x5c empty", with_member(&ex, "x5c", Some(Value::Array(vec![])))),
        ("x5c missing", with_member(&ex, "x5c", None)),
        ("sig missing", with_member(&ex, "sig", None)),
        ("alg present", with_member(&ex, "alg", Some(Value::integer(-7)))),
        ("attStmt an array", with_statement(&ex, "fido-u2f", Value::Array(vec![text("x")]))),
    ];
    for (what, object) in cases {
        let r = register(&ex, &object, &policy(), NOW);
        assert!(
            matches!(&r, Err(Rejection { check: CheckId::RegAttestationStatementMalformed, .. })),
            "{what}: {:?}",
            r.err()
        );
    }
}

// ---- trust (§7.1 step 24) ----

#[test]
fn without_the_trust_anchor_attestation_is_untrusted() {
    for name in ["packed-es256", "fido-u2f-es256"] {
        let ex = example(name);
        let mut p = policy();
        p.attestation.trust_anchors.clear();
        assert_rejected(register(&ex, &ex.attestation_object, &p, NOW), CheckId::RegAttestationUntrusted);
        // A SHOULD: with enforce_should off the registration goes through, with the warning.
        p.enforce_should = false;
        let outcome = register(&ex, &ex.attestation_object, &p, NOW).expect("accepted with a warning");
        assert_eq!(
            outcome.warnings.iter().map(|w| w.check).collect::<Vec<_>>(),
            vec![CheckId::RegAttestationUntrusted]
        );
    }
}

#[test]
fn with_an_unrelated_anchor_attestation_is_untrusted() {
    let ex = example("packed-es256");
    let mut p = policy();
    // The same subject as the real root, but a different key.
    let mut tbs = parse_cert(&root_der()).tbs_certificate;
    let other = key_from_byte(3);
    tbs.subject_public_key_info = spki_p256(&other);
    p.attestation.trust_anchors = vec![sign_p256(tbs, &other)];
    let r = assert_rejected(register(&ex, &ex.attestation_object, &p, NOW), CheckId::RegAttestationUntrusted);
    assert!(r.detail.contains("does not verify"), "{}", r.detail);
}

#[test]
fn certificates_outside_their_validity_are_untrusted() {
    let ex = example("packed-es256");
    assert!(register(&ex, &ex.attestation_object, &policy(), NOT_AFTER).is_ok(), "notAfter is inclusive");
    assert!(register(&ex, &ex.attestation_object, &policy(), NOT_BEFORE).is_ok(), "notBefore is inclusive");
    let r = assert_rejected(
        register(&ex, &ex.attestation_object, &policy(), NOT_AFTER + 1),
        CheckId::RegAttestationChainValidity,
    );
    assert!(r.detail.contains("x5c[0]") && r.detail.contains("expired"), "{}", r.detail);
    let r = assert_rejected(
        register(&ex, &ex.attestation_object, &policy(), NOT_BEFORE - 1),
        CheckId::RegAttestationChainValidity,
    );
    assert!(r.detail.contains("not valid before"), "{}", r.detail);
}

#[test]
fn an_expired_anchor_is_not_trusted() {
    // A leaf valid until 3024 under a root whose validity ended in 2025.
    let ex = example("packed-es256");
    let mut tbs = parse_cert(&root_der()).tbs_certificate;
    tbs.validity.not_after = x509_cert::time::Time::UtcTime(
        der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(NOW - 1)).expect("time"),
    );
    let expired_root = sign_p256(tbs, &root_key());
    let mut p = policy();
    p.attestation.trust_anchors = vec![expired_root];
    let r =
        assert_rejected(register(&ex, &ex.attestation_object, &p, NOW), CheckId::RegAttestationChainValidity);
    assert!(r.detail.contains("trust anchor") && r.detail.contains("expired"), "{}", r.detail);
}

#[test]
fn the_attestation_certificate_itself_may_be_the_anchor() {
    let ex = example("packed-es256");
    let mut p = policy();
    p.attestation.trust_anchors = vec![x5c(&ex)[0].clone()];
    assert!(register(&ex, &ex.attestation_object, &p, NOW).is_ok());
}

/// A P-256 intermediate CA under the vectors' root, and the example's leaf re-issued under it.
fn chain_through_intermediate(intermediate_is_ca: bool) -> (Example, Vec<u8>, Vec<Vec<u8>>) {
    let ex = example("packed-es256");
    let intermediate_key = key_from_byte(0x11);
    let mut tbs = parse_cert(&root_der()).tbs_certificate;
    let intermediate_name = subject("AA", "W3C", "Authenticator Attestation CA", "Intermediate");
    tbs.subject = intermediate_name.clone();
    tbs.issuer = parse_cert(&root_der()).tbs_certificate.subject;
    tbs.subject_public_key_info = spki_p256(&intermediate_key);
    let bc = BasicConstraints { ca: intermediate_is_ca, path_len_constraint: None };
    set_extension(&mut tbs, BASIC_CONSTRAINTS, true, bc.to_der().expect("DER"));
    let intermediate = sign_p256(tbs, &root_key());

    let mut leaf_tbs = parse_cert(&x5c(&ex)[0]).tbs_certificate;
    leaf_tbs.issuer = intermediate_name;
    let leaf = sign_p256(leaf_tbs, &intermediate_key);
    let chain = vec![leaf, intermediate];
    let object = packed_es256(&ex, &attestation_key(&ex), &chain);
    (ex, object, chain)
}

#[test]
fn a_chain_through_an_intermediate_ca_is_trusted() {
    let (ex, object, chain) = chain_through_intermediate(true);
    let outcome = register(&ex, &object, &policy(), NOW).expect("accepted");
    assert_eq!(outcome.attestation, AttestationType::Basic { trust_path: chain.clone() });
    // The intermediate may itself be the configured anchor.
    assert_eq!(chains_to_anchor(&chain, &[chain[1].clone()], NOW), Ok(()));
    // Without the intermediate the leaf's issuer is no anchor.
    assert!(chains_to_anchor(&chain[..1], &[root_der()], NOW).is_err());
}

#[test]
fn an_intermediate_that_is_not_a_ca_breaks_the_chain() {
    let (ex, object, _) = chain_through_intermediate(false);
    let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationChainCa);
    assert!(r.detail.contains("x5c[1]") && r.detail.contains("not a CA"), "{}", r.detail);
}

#[test]
fn a_chain_in_the_wrong_order_is_untrusted() {
    let (ex, _, chain) = chain_through_intermediate(true);
    let reversed = vec![chain[1].clone(), chain[0].clone()];
    let r = chains_to_anchor(&reversed, &[root_der()], NOW).expect_err("reversed");
    assert!(r.contains("x5c[0]"), "{r}");
    let _ = ex;
}

// ---- §8.2.1 certificate requirements ----

#[test]
fn resigned_but_unchanged_certificate_is_accepted() {
    // The control for the cases below: re-signing alone changes nothing.
    let (ex, object) = packed_with_edited_leaf(|_| {});
    assert!(register(&ex, &object, &policy(), NOW).is_ok());
}

#[test]
fn subject_ou_other_than_authenticator_attestation_is_rejected() {
    for ou in ["Authenticator Attestation CA", "authenticator attestation", "Authenticator Attestation ", ""]
    {
        let (ex, object) = packed_with_edited_leaf(|tbs| tbs.subject = subject("AA", "W3C", ou, "Test"));
        let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
        assert!(r.detail.contains("OU"), "{}", r.detail);
    }
}

#[test]
fn subject_without_required_attributes_is_rejected() {
    let without = |skip: ObjectIdentifier| {
        let parts: Vec<_> = [
            (CN, Tag::Utf8String, "Test"),
            (O, Tag::Utf8String, "W3C"),
            (OU, Tag::Utf8String, "Authenticator Attestation"),
            (C, Tag::PrintableString, "AA"),
        ]
        .into_iter()
        .filter(|(oid, _, _)| *oid != skip)
        .collect();
        name(&parts)
    };
    for skip in [C, O, OU, CN] {
        let (ex, object) = packed_with_edited_leaf(|tbs| tbs.subject = without(skip));
        assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    }
}

#[test]
fn subject_country_must_be_a_two_letter_code_in_a_printable_string() {
    for bad in ["aa", "AAA", "A", "", "1A"] {
        let (ex, object) = packed_with_edited_leaf(|tbs| {
            tbs.subject = subject(bad, "W3C", "Authenticator Attestation", "T")
        });
        assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    }
    let utf8_country = name(&[
        (CN, Tag::Utf8String, "T"),
        (O, Tag::Utf8String, "W3C"),
        (OU, Tag::Utf8String, "Authenticator Attestation"),
        (C, Tag::Utf8String, "SE"),
    ]);
    let (ex, object) = packed_with_edited_leaf(|tbs| tbs.subject = utf8_country);
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    // A real country code is fine, of course.
    let (ex, object) = packed_with_edited_leaf(|tbs| {
        tbs.subject = subject("SE", "Vendor AB", "Authenticator Attestation", "X")
    });
    assert!(register(&ex, &object, &policy(), NOW).is_ok());
}

#[test]
fn subject_with_two_ous_is_rejected() {
    let two = name(&[
        (CN, Tag::Utf8String, "T"),
        (O, Tag::Utf8String, "W3C"),
        (OU, Tag::Utf8String, "Authenticator Attestation"),
        (OU, Tag::Utf8String, "Something else"),
        (C, Tag::PrintableString, "AA"),
    ]);
    let (ex, object) = packed_with_edited_leaf(|tbs| tbs.subject = two);
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
}

#[test]
fn attestation_certificate_that_is_a_ca_is_rejected() {
    let bc = BasicConstraints { ca: true, path_len_constraint: None }.to_der().expect("DER");
    let (ex, object) = packed_with_edited_leaf(|tbs| set_extension(tbs, BASIC_CONSTRAINTS, true, bc));
    let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    assert!(r.detail.contains("cA"), "{}", r.detail);
}

#[test]
fn absent_basic_constraints_are_rejected() {
    // §8.2.1: the certificate "MUST have" the Basic Constraints extension with the CA component false.
    let (ex, object) = packed_with_edited_leaf(|tbs| {
        if let Some(exts) = tbs.extensions.as_mut() {
            exts.retain(|e| e.extn_id != BASIC_CONSTRAINTS);
        }
    });
    let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    assert!(r.detail.contains("Basic Constraints"), "{}", r.detail);
}

#[test]
fn version_1_attestation_certificate_is_rejected() {
    let (ex, object) = packed_with_edited_leaf(|tbs| {
        tbs.version = Version::V1;
        tbs.extensions = None;
    });
    let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    assert!(r.detail.contains("version 1"), "{}", r.detail);
}

#[test]
fn aaguid_extension_that_matches_is_accepted() {
    let ex = example("packed-es256");
    let aaguid = authdata_aaguid(&ex);
    let (ex, object) =
        packed_with_edited_leaf(|tbs| set_extension(tbs, AAGUID_EXT, false, aaguid_extension_value(&aaguid)));
    assert!(register(&ex, &object, &policy(), NOW).is_ok());
}

#[test]
fn aaguid_extension_that_differs_is_rejected() {
    let mut other = authdata_aaguid(&example("packed-es256"));
    other[15] ^= 0xff;
    let (ex, object) =
        packed_with_edited_leaf(|tbs| set_extension(tbs, AAGUID_EXT, false, aaguid_extension_value(&other)));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationAaguidMismatch);
}

#[test]
fn aaguid_extension_marked_critical_is_rejected() {
    let aaguid = authdata_aaguid(&example("packed-es256"));
    let (ex, object) =
        packed_with_edited_leaf(|tbs| set_extension(tbs, AAGUID_EXT, true, aaguid_extension_value(&aaguid)));
    let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationAaguidMismatch);
    assert!(r.detail.contains("critical"), "{}", r.detail);
}

#[test]
fn aaguid_extension_not_wrapped_twice_is_rejected() {
    // §8.2.1: the AAGUID is an OCTET STRING inside extnValue's OCTET STRING; the bare 16 bytes are not it.
    let aaguid = authdata_aaguid(&example("packed-es256"));
    let (ex, object) = packed_with_edited_leaf(|tbs| set_extension(tbs, AAGUID_EXT, false, aaguid.clone()));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationAaguidMismatch);
    let short = aaguid_extension_value(&aaguid[..15]);
    let (ex, object) = packed_with_edited_leaf(|tbs| set_extension(tbs, AAGUID_EXT, false, short));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationAaguidMismatch);
}

#[test]
fn duplicate_extension_makes_the_certificate_malformed() {
    let (ex, object) = packed_with_edited_leaf(|tbs| {
        let bc = BasicConstraints { ca: false, path_len_constraint: None }.to_der().expect("DER");
        if let Some(exts) = tbs.extensions.as_mut() {
            exts.push(Extension {
                extn_id: BASIC_CONSTRAINTS,
                critical: true,
                extn_value: OctetString::new(bc).expect("octets"),
            });
        }
    });
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationStatementMalformed);
}

// ---- other attestation keys ----

#[test]
fn packed_with_a_p384_attestation_key_and_es384_verifies() {
    let ex = example("packed-es256");
    let key = p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).expect("scalar");
    let mut tbs = parse_cert(&x5c(&ex)[0]).tbs_certificate;
    tbs.subject_public_key_info = spki_p384(&key);
    let leaf = sign_p256(tbs, &root_key());
    let sig: p384::ecdsa::Signature = key.sign(&packed_message(&ex));
    let stmt = |alg: i64| {
        Value::Map(vec![
            (text("alg"), Value::integer(alg.into())),
            (text("sig"), Value::Bytes(sig.to_der().as_bytes().to_vec())),
            (text("x5c"), cert_array(std::slice::from_ref(&leaf))),
        ])
    };
    assert!(register(&ex, &with_statement(&ex, "packed", stmt(-35)), &policy(), NOW).is_ok());
    assert_rejected(
        register(&ex, &with_statement(&ex, "packed", stmt(-7)), &policy(), NOW),
        CheckId::RegAttestationAlgMismatch,
    );
}

#[test]
fn certificate_signed_with_ecdsa_sha384_chains() {
    // The leaf's signature by the P-256 root made with SHA-384 instead of SHA-256.
    let ex = example("packed-es256");
    let mut tbs = parse_cert(&x5c(&ex)[0]).tbs_certificate;
    let alg = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA384, parameters: None };
    tbs.signature = alg.clone();
    let digest = verifier::crypto::sha384(&tbs.to_der().expect("DER"));
    let sig: p256::ecdsa::Signature =
        signature::hazmat::PrehashSigner::sign_prehash(&root_key(), &digest).expect("signature");
    let leaf = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(sig.to_der().as_bytes()).expect("bits"),
    }
    .to_der()
    .expect("DER");
    assert_eq!(chains_to_anchor(std::slice::from_ref(&leaf), &[root_der()], NOW), Ok(()));
    let object = packed_es256(&ex, &attestation_key(&ex), &[leaf]);
    assert!(register(&ex, &object, &policy(), NOW).is_ok());
}

#[test]
fn fido_u2f_certificate_key_must_be_p256() {
    let ex = example("fido-u2f-es256");
    let key = p384::ecdsa::SigningKey::from_slice(&[0x33; 48]).expect("scalar");
    let leaf = edited_leaf(&ex, |tbs| tbs.subject_public_key_info = spki_p384(&key));
    let object = with_member(&ex, "x5c", Some(cert_array(&[leaf])));
    let r = assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationCertificate);
    assert!(r.detail.contains("P-384"), "{}", r.detail);
}

#[test]
fn fido_u2f_credential_key_must_be_p256() {
    // The Ed25519 credential of packed-eddsa, presented as a U2F registration.
    let ex = example("packed-eddsa");
    let u2f = example("fido-u2f-es256");
    let stmt = Value::Map(vec![
        (text("sig"), member(&att_stmt(&u2f), "sig").clone()),
        (text("x5c"), cert_array(&x5c(&u2f))),
    ]);
    let r = assert_rejected(
        register(&ex, &with_statement(&ex, "fido-u2f", stmt), &policy(), NOW),
        CheckId::RegAttestationCertificate,
    );
    assert!(r.detail.contains("Ed25519"), "{}", r.detail);
}

#[test]
fn fido_u2f_signature_by_the_attestation_key_over_verification_data_verifies() {
    // Rebuild the U2F signature from its definition: 0x00 || rpIdHash || clientDataHash || credentialId ||
    // 0x04 || x || y, signed by the attestation key. A signature over anything else fails.
    let ex = example("fido-u2f-es256");
    let ad = auth_data(&ex);
    let cred_id_len = usize::from(u16::from_be_bytes([ad[53], ad[54]]));
    let cred_id = &ad[55..55 + cred_id_len];
    let cose = decode(&ad[55 + cred_id_len..]);
    let (x, y) = (
        cose.get_int(-2).and_then(Value::as_bytes).expect("x"),
        cose.get_int(-3).and_then(Value::as_bytes).expect("y"),
    );
    let data = [&[0u8][..], &ad[..32], &sha256(&ex.client_data_json), cred_id, &[0x04], x, y].concat();
    let key = attestation_key(&ex);
    let good: p256::ecdsa::Signature = key.sign(&data);
    let object = with_member(&ex, "sig", Some(Value::Bytes(good.to_der().as_bytes().to_vec())));
    assert!(register(&ex, &object, &policy(), NOW).is_ok());
    let bad: p256::ecdsa::Signature = key.sign(&data[1..]);
    let object = with_member(&ex, "sig", Some(Value::Bytes(bad.to_der().as_bytes().to_vec())));
    assert_rejected(register(&ex, &object, &policy(), NOW), CheckId::RegAttestationSignature);
}
