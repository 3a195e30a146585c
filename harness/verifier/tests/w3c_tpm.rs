//! The `tpm` attestation format (§8.3) end to end through `verify_registration`, on the W3C WebAuthn L3 §16
//! tpm-es256 example: the example as published verifies (AttCA, trust path x5c, chaining to the vectors'
//! root), and each tampered copy changes one thing and is refused by the check that names it. Where the
//! change is in certInfo, certInfo is signed again with the example's `attestation_private_key` (the AIK), so
//! only the intended property is wrong.

use std::sync::OnceLock;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use signature::Signer;
use verifier::attestation::AttestationType;
use verifier::{
    verify_registration, CheckId, EmptyStore, Policy, RegistrationExpectations, RegistrationOutcome,
    RegistrationResponse, Rejection,
};
use wire::cbor::{self, Limits, Value};
use wire::tpm::{Attest, Attested, Public, PublicKeyArea};

/// 2025-06-01T00:00:00Z, inside the vector certificates' validity.
const NOW: u64 = 1_748_736_000;

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

fn example() -> &'static Json {
    vectors()["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .find(|e| e["anchor"] == "sctn-test-vectors-tpm-es256")
        .map(|e| &e["registration"])
        .expect("the tpm-es256 example")
}

fn policy() -> Policy {
    let mut p = Policy::new("example.org", "https://example.org");
    p.attestation.trust_anchors = vec![hex_field(&vectors()["attestationRoot"], "attestation_ca_cert")];
    p
}

fn register(attestation_object: &[u8]) -> Result<RegistrationOutcome, Rejection> {
    let ex = example();
    let id = hex_field(ex, "credential_id");
    let response = RegistrationResponse {
        id: wire::base64url::encode(&id),
        raw_id: id,
        type_: "public-key".into(),
        client_data_json: hex_field(ex, "clientDataJSON"),
        attestation_object: attestation_object.to_vec(),
        transports: vec![],
    };
    let expectations = RegistrationExpectations {
        challenge: hex_field(ex, "challenge"),
        pub_key_cred_params: vec![-7, -257],
        user_verification_required: false,
        conditional_mediation: false,
    };
    verify_registration(&response, &expectations, &policy(), &EmptyStore, NOW)
}

#[track_caller]
fn assert_rejected(object: &[u8], check: CheckId) {
    match register(object) {
        Ok(_) => panic!("accepted; expected {}", check.id()),
        Err(r) => {
            assert_eq!(r.check, check, "rejected by {} ({}), expected {}", r.check.id(), r.detail, check.id())
        }
    }
}

fn object() -> Vec<(Value, Value)> {
    let v = cbor::decode(&hex_field(example(), "attestationObject"), &Limits::WEBAUTHN).expect("CBOR").value;
    let Value::Map(entries) = v else { panic!("a map") };
    entries
}

fn stmt_member(name: &str) -> Value {
    let o = Value::Map(object());
    o.get_text("attStmt").and_then(|s| s.get_text(name)).cloned().unwrap_or_else(|| panic!("no {name}"))
}

fn bytes_member(name: &str) -> Vec<u8> {
    stmt_member(name).as_bytes().expect("bytes").to_vec()
}

/// The example's attestation object with attStmt members set (`Some`) or removed (`None`).
fn with(members: &[(&str, Option<Value>)]) -> Vec<u8> {
    let mut entries = object();
    for (k, v) in entries.iter_mut() {
        if k.as_text() == Some("attStmt") {
            let Value::Map(stmt) = v else { panic!("attStmt is a map") };
            for (name, value) in members {
                stmt.retain(|(key, _)| key.as_text() != Some(name));
                if let Some(value) = value {
                    stmt.push((Value::Text((*name).into()), value.clone()));
                }
            }
        }
    }
    cbor::encode_canonical(&Value::Map(entries))
}

fn aik() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&hex_field(example(), "attestation_private_key")).expect("AIK")
}

/// The example with certInfo edited by `f` and signed again by the AIK.
fn with_cert_info(f: impl FnOnce(&mut Attest)) -> Vec<u8> {
    let mut info = Attest::parse(&bytes_member("certInfo")).expect("certInfo parses");
    f(&mut info);
    let bytes = info.to_bytes();
    let sig: p256::ecdsa::Signature = aik().sign(&bytes);
    with(&[
        ("certInfo", Some(Value::Bytes(bytes))),
        ("sig", Some(Value::Bytes(sig.to_der().as_bytes().to_vec()))),
    ])
}

#[test]
fn the_w3c_tpm_example_verifies_as_attca_with_its_trust_path() {
    let out = register(&hex_field(example(), "attestationObject")).expect("the §16 tpm example verifies");
    let AttestationType::Basic { trust_path } = out.attestation else { panic!("{:?}", out.attestation) };
    let x5c = stmt_member("x5c");
    assert_eq!(trust_path.len(), x5c.as_array().map(<[Value]>::len).unwrap_or_default());
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn the_example_structures_parse_and_rebuild_byte_for_byte() {
    let info = bytes_member("certInfo");
    let parsed = Attest::parse(&info).expect("certInfo");
    assert_eq!(parsed.to_bytes(), info);
    let area = bytes_member("pubArea");
    let public = Public::parse(&area).expect("pubArea");
    assert_eq!(public.to_bytes(), area);
    // The name is nameAlg || H(pubArea), as the verifier computes it.
    let Attested::Certify { name, .. } = parsed.attested else { panic!("certify") };
    assert_eq!(public.name_alg, wire::tpm::alg::SHA256);
    assert_eq!(name, [&[0x00, 0x0b][..], &Sha256::digest(&area)].concat());
}

#[test]
fn certinfo_changes_are_refused_by_the_named_check() {
    assert_rejected(&with_cert_info(|c| c.magic ^= 1), CheckId::RegAttestationTpmMagic);
    assert_rejected(&with_cert_info(|c| c.type_ = 0x8018), CheckId::RegAttestationTpmType);
    assert_rejected(&with_cert_info(|c| c.extra_data[0] ^= 1), CheckId::RegAttestationTpmExtraData);
    assert_rejected(
        &with_cert_info(|c| {
            if let Attested::Certify { name, .. } = &mut c.attested {
                name[5] ^= 1;
            }
        }),
        CheckId::RegAttestationTpmName,
    );
    // The qualified signer, clock and firmware version "are ignored".
    let ignored = with_cert_info(|c| {
        c.qualified_signer = vec![];
        c.clock_info.clock += 1;
        c.firmware_version = 0;
    });
    register(&ignored).expect("ignored fields may change");
}

#[test]
fn a_pub_area_of_another_key_is_refused() {
    let mut public = Public::parse(&bytes_member("pubArea")).expect("pubArea");
    if let PublicKeyArea::Ecc { x, .. } = &mut public.key {
        x[0] ^= 1;
    }
    let area = public.to_bytes();
    // certInfo names the changed pubArea and is signed again: only the key differs.
    let mut info = Attest::parse(&bytes_member("certInfo")).expect("certInfo");
    if let Attested::Certify { name, .. } = &mut info.attested {
        *name = [&[0x00, 0x0b][..], &Sha256::digest(&area)].concat();
    }
    let sig: p256::ecdsa::Signature = aik().sign(&info.to_bytes());
    let object = with(&[
        ("pubArea", Some(Value::Bytes(area))),
        ("certInfo", Some(Value::Bytes(info.to_bytes()))),
        ("sig", Some(Value::Bytes(sig.to_der().as_bytes().to_vec()))),
    ]);
    assert_rejected(&object, CheckId::RegAttestationTpmPubAreaKey);
}

#[test]
fn statement_changes_are_refused_by_the_named_check() {
    let mut sig = bytes_member("sig");
    let last = sig.len() - 1;
    sig[last] ^= 1;
    assert_rejected(&with(&[("sig", Some(Value::Bytes(sig)))]), CheckId::RegAttestationSignature);
    assert_rejected(
        &with(&[("ver", Some(Value::Text("1.0".into())))]),
        CheckId::RegAttestationStatementMalformed,
    );
    assert_rejected(&with(&[("ver", None)]), CheckId::RegAttestationStatementMalformed);
    assert_rejected(&with(&[("x5c", None)]), CheckId::RegAttestationStatementMalformed);
    assert_rejected(&with(&[("alg", Some(Value::integer(-257)))]), CheckId::RegAttestationAlgMismatch);
    let mut area = bytes_member("pubArea");
    area.pop();
    assert_rejected(
        &with(&[("pubArea", Some(Value::Bytes(area)))]),
        CheckId::RegAttestationStatementMalformed,
    );
    let mut info = bytes_member("certInfo");
    info.push(0);
    // Trailing bytes break the signature before certInfo is parsed.
    assert_rejected(&with(&[("certInfo", Some(Value::Bytes(info)))]), CheckId::RegAttestationSignature);
}
