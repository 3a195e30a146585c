//! The `jws` fuzz target: arbitrary bytes as a JWS Compact Serialization ([`wire::jws`]) and as the
//! `response` of an android-safetynet attestation statement (WebAuthn §8.5), run through the verifier's
//! procedure for that format.
//!
//! Invariants: neither panics, and work is bounded by the parser's limits (the input is refused over
//! [`wire::jws::Limits::ATTESTATION`] before any segment is decoded). A parse that succeeds is exact: the
//! signing input is the input up to the last `.`, and rebuilding from the decoded header, payload and
//! signature reproduces the input byte for byte (strict base64url has one encoding per byte string). A
//! statement the verifier accepts establishes Basic attestation with the JWS's `x5c` as its trust path.

use std::sync::OnceLock;

use generator::ceremony::{AttestationKind, Generator, RegistrationDraft, Rp};
use generator::keys::Algorithm;
use sha2::{Digest, Sha256};
use verifier::attestation::{verify_statement, AttestationType, Statement};
use verifier::crypto::CredentialKey;
use wire::authdata::AuthenticatorData;
use wire::cbor::Value;
use wire::cose::CoseKey;

/// The fixed ceremony the statements are verified against.
struct Fixed {
    auth_data_raw: Vec<u8>,
    auth_data: AuthenticatorData,
    cose: CoseKey,
    key: CredentialKey,
    client_data_hash: [u8; 32],
}

/// The time the fixed ceremony is verified at: the generator's fixed time.
const NOW: u64 = generator::ceremony::FIXED_TIME;

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let signed = signed_registration();
        let auth_data_raw = signed.attestation_object.auth_data.clone();
        let auth_data =
            AuthenticatorData::parse(&auth_data_raw).expect("the generator's authenticator data").data;
        let attested = auth_data.attested_credential_data.clone().expect("attested credential data");
        let cose = CoseKey::parse(&attested.credential_public_key).expect("the generator's key").key;
        let key = CredentialKey::from_cose(&cose).expect("a usable key");
        let client_data_hash = Sha256::digest(&signed.client_data_json).into();
        Fixed { auth_data_raw, auth_data, cose, key, client_data_hash }
    })
}

/// The generator's valid android-safetynet registration of the fixed ceremony (seeds are made from it).
pub(crate) fn signed_registration() -> generator::ceremony::SignedRegistration {
    let rp = Rp::new("example.org", "https://example.org");
    let mut g = Generator::new(0x5afe);
    let cred = g.credential(Algorithm::Es256, 16);
    let challenge = g.challenge();
    RegistrationDraft::new(&rp, &cred, &challenge, 0).sign(&cred, AttestationKind::AndroidSafetynet)
}

pub fn jws(data: &[u8]) {
    if let Ok(parsed) = wire::jws::parse_bytes(data) {
        let last_dot = data.iter().rposition(|&b| b == b'.').expect("a parsed JWS has dots");
        assert_eq!(parsed.signing_input(), &data[..last_dot], "the signing input is not the input's prefix");
        let rebuilt =
            wire::jws::build_raw(&parsed.header_bytes, &parsed.payload, |_| parsed.signature.clone());
        assert_eq!(rebuilt.as_bytes(), data, "a parsed JWS does not rebuild to its input");
        let _ = parsed.payload_json();
    }
    let f = fixed();
    let att_stmt = Value::Map(vec![
        (Value::from("ver"), Value::from("1")),
        (Value::from("response"), Value::Bytes(data.to_vec())),
    ]);
    let statement = Statement {
        fmt: "android-safetynet",
        att_stmt: &att_stmt,
        auth_data_raw: &f.auth_data_raw,
        auth_data: &f.auth_data,
        credential_key: &f.key,
        credential_cose: &f.cose,
        client_data_hash: &f.client_data_hash,
        now: NOW,
        packed_x5c_alg_is_credential_alg: false,
        android_key_tee_only: false,
        safetynet_require_cts_profile_match: true,
        safetynet_max_age_ms: Some(60_000),
    };
    match verify_statement(&statement) {
        Ok(AttestationType::Basic { trust_path }) => {
            let header = wire::jws::parse_bytes(data).expect("an accepted response is a JWS").header;
            assert_eq!(Some(trust_path), header.x5c, "the trust path is not the JWS's x5c");
        }
        Ok(other) => panic!("android-safetynet established {other:?}, not Basic"),
        Err(r) => assert!(r.check.id().starts_with("reg.attestation."), "rejected by {}", r.check.id()),
    }
}

/// Seeds: the generator's valid responses (RS256 and ES256) of the fixed ceremony, and near misses of them.
pub(crate) fn seeds() -> Vec<(String, Vec<u8>)> {
    use generator::safetynet::{Parts, Signer};
    let f = fixed();
    let mut out = Vec::new();
    for signer in [Signer::Rs256, Signer::Es256] {
        let parts = Parts::valid(&f.auth_data_raw, &f.client_data_hash, NOW, signer);
        let response = parts.response();
        let name = signer.alg().to_ascii_lowercase();
        let (input, _) = response.rsplit_once('.').unwrap_or((&response, ""));
        out.push((format!("gen-{name}-two-segments.txt"), input.as_bytes().to_vec()));
        out.push((format!("gen-{name}.txt"), response.into_bytes()));
    }
    let mut no_x5c = Parts::valid(&f.auth_data_raw, &f.client_data_hash, NOW, Signer::Rs256);
    no_x5c.x5c = None;
    out.push(("gen-rs256-no-x5c.txt".to_owned(), no_x5c.response().into_bytes()));
    out.push((
        "alg-none.txt".to_owned(),
        wire::jws::build_raw(br#"{"alg":"none"}"#, br#"{"nonce":""}"#, |_| vec![]).into_bytes(),
    ));
    out
}
