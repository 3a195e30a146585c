//! The seed corpus, produced deterministically: [`generate`] returns every file of `corpus/<target>/`, and
//! `cargo run -p webauthn-harness-fuzzing --bin make-corpus` writes them (the replay test checks that the
//! committed files are exactly these).
//!
//! Sources: the RFC 8949 Appendix A examples (for `cbor`), the W3C WebAuthn L3 §16 test vectors
//! (`vectors/w3c/webauthn-l3-section16.json`), and the generator (seeded, so byte for byte the same on every
//! run). The ceremony targets' seeds are descriptions written out here as Rust values and encoded with
//! [`Encode`], which writes the bytes `arbitrary` reads back into the same value.

use serde_json::Value as Json;
use wire::attestation_object::AttestationObject;
use wire::authdata::{AuthenticatorData, Flags};
use wire::cbor::{self, Value};
use wire::client_data;
use wire::cose::{CoseKey, EcCurve};

use crate::ceremony::*;

/// One corpus file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub target: &'static str,
    /// The file name: what the input is, readable.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every seed, in a fixed order.
pub fn generate() -> Vec<Seed> {
    let mut out = Vec::new();
    let mut add = |target: &'static str, name: &str, bytes: Vec<u8>| {
        out.push(Seed { target, name: name.to_owned(), bytes })
    };
    for (name, hex) in RFC8949_APPENDIX_A {
        add("cbor", &format!("rfc8949-a-{name}.bin"), unhex(hex));
    }
    for (name, hex) in CBOR_LIMITS {
        add("cbor", &format!("{name}.bin"), unhex(hex));
    }
    // A scalar inside 15 nested arrays sits at the depth limit (16); one more array is over it.
    for arrays in [15, 16] {
        let mut bytes = vec![0x81; arrays];
        bytes.push(0x00);
        add("cbor", &format!("limit-depth-{}.bin", arrays + 1), bytes);
    }
    let vectors = w3c_vectors();
    for v in &vectors {
        add("attestation_object", &format!("w3c-{}.bin", v.name), v.attestation_object.clone());
        add(
            "authenticator_data",
            &format!("w3c-{}-registration.bin", v.name),
            v.registration_auth_data.clone(),
        );
        add("authenticator_data", &format!("w3c-{}-assertion.bin", v.name), v.assertion_auth_data.clone());
        add("cose_key", &format!("w3c-{}.bin", v.name), v.credential_public_key.clone());
        add("client_data_json", &format!("w3c-{}-create.json", v.name), v.create_client_data.clone());
        add("client_data_json", &format!("w3c-{}-get.json", v.name), v.get_client_data.clone());
    }
    for (name, bytes) in generated_attestation_objects() {
        add("attestation_object", &format!("gen-{name}.bin"), bytes.clone());
        add("cbor", &format!("gen-attestation-object-{name}.bin"), bytes);
    }
    for (name, bytes) in generated_auth_data() {
        add("authenticator_data", &format!("gen-{name}.bin"), bytes);
    }
    for (name, bytes) in generated_cose_keys() {
        add("cose_key", &format!("gen-{name}.bin"), bytes.clone());
        if !name.contains('-') {
            add("cbor", &format!("gen-cose-key-{name}.bin"), bytes);
        }
    }
    for (name, bytes) in generated_client_data() {
        add("client_data_json", &format!("gen-{name}.json"), bytes);
    }
    for (name, case) in registration_cases() {
        add("registration", &format!("{name}.bin"), encode_case(&case));
    }
    for (name, case) in authentication_cases() {
        add("authentication", &format!("{name}.bin"), encode_case(&case));
    }
    for (name, bytes) in crate::tpm::seeds(VECTORS) {
        add("tpm", &name, bytes);
    }
    for (name, bytes) in crate::metadata::seeds() {
        add("metadata", &format!("{name}.bin"), bytes);
    }
    for (name, bytes) in crate::jws::seeds() {
        add("jws", &name, bytes);
    }
    for (name, bytes) in device_extension_seeds() {
        let target = if name.starts_with("apple") { "apple_nonce" } else { "key_description" };
        add(target, &format!("{name}.bin"), bytes);
    }
    for (name, bytes) in crate::compound::seeds() {
        add("compound", &name, bytes);
    }
    out
}

/// Seeds of the `key_description` and `apple_nonce` targets: the generator's valid extensions, the §16
/// examples' (android-key with empty authorization lists; apple), and near misses of each.
fn device_extension_seeds() -> Vec<(String, Vec<u8>)> {
    use generator::device_pki::{self, KeyDescription};
    let mut out = Vec::new();
    let valid = KeyDescription::valid(&[0x5a; 32]);
    out.push(("android-generator-valid".to_owned(), valid.to_der()));
    let mut all = valid.clone();
    all.software_enforced.all_applications = true;
    all.software_enforced.origin = Some(device_pki::KM_ORIGIN_IMPORTED);
    all.software_enforced.purpose = Some(vec![0, 1, 2, 3]);
    out.push(("android-generator-every-field".to_owned(), all.to_der()));
    // The §16 example's value; and with its security levels as INTEGER, as an earlier version had them.
    let w3c = unhex(
        "30350202012c0a01000201000a01000420b435028d7b6a8f83bb461d41c19b053a9d3cdb30351a4f374cd4cde8dbefb606040030003000",
    );
    let mut integer_levels = w3c.clone();
    for i in [6, 12] {
        integer_levels[i] = 0x02;
    }
    out.push(("android-w3c".to_owned(), w3c));
    out.push(("android-w3c-integer-security-levels".to_owned(), integer_levels));
    // An unknown tag ([705], skipped) between origin and purpose, out of order.
    let mut unordered = Vec::new();
    unordered.extend(device_pki::tlv(&device_pki::context_tag(702), &[0x02, 0x01, 0x00]));
    unordered.extend(device_pki::tlv(&device_pki::context_tag(705), &[0x02, 0x01, 0x05]));
    unordered.extend(device_pki::tlv(&device_pki::context_tag(1), &[0x31, 0x03, 0x02, 0x01, 0x02]));
    let mut body = unhex("0202012c0a01010202012c0a01010420");
    body.extend([0x11; 32]);
    body.extend([0x04, 0x00, 0x30, 0x00]);
    body.extend(device_pki::tlv(&[0x30], &unordered));
    out.push(("android-unordered-tags".to_owned(), device_pki::tlv(&[0x30], &body)));
    let nonce = device_pki::apple_nonce_extension(&[0xa5; 32]);
    out.push(("apple-generator-valid".to_owned(), nonce.clone()));
    out.push((
        "apple-w3c".to_owned(),
        unhex("3024a1220420d7a86e7233fb843eb0eeb407d8b76ff7e4f82d218cf5dbb461d752073f5cb29a"),
    ));
    out.push(("apple-bare-octet-string".to_owned(), device_pki::tlv(&[0x04], &[0xa5; 32])));
    out.push(("apple-truncated".to_owned(), nonce[..20].to_vec()));
    out.push(("apple-31-bytes".to_owned(), device_pki::apple_nonce_extension(&[0xa5; 31])));
    out
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("corpus hex {s:?}: {e}"))
}

/// RFC 8949 Appendix A, Table 6 (a selection: every major type, argument width, float width, special float,
/// simple value, tag, nesting, and the indefinite-length forms the strict decoder must refuse).
const RFC8949_APPENDIX_A: &[(&str, &str)] = &[
    ("uint-0", "00"),
    ("uint-23", "17"),
    ("uint-24", "1818"),
    ("uint-1000", "1903e8"),
    ("uint-1000000", "1a000f4240"),
    ("uint-1000000000000", "1b000000e8d4a51000"),
    ("uint-max", "1bffffffffffffffff"),
    ("bignum-2-64", "c249010000000000000000"),
    ("nint-min", "3bffffffffffffffff"),
    ("negative-bignum", "c349010000000000000000"),
    ("nint-1", "20"),
    ("nint-100", "3863"),
    ("nint-1000", "3903e7"),
    ("float-zero", "f90000"),
    ("float-negative-zero", "f98000"),
    ("float-1.1", "fb3ff199999999999a"),
    ("float-65504", "f97bff"),
    ("float-100000", "fa47c35000"),
    ("float-f32-max", "fa7f7fffff"),
    ("float-1e300", "fb7e37e43c8800759c"),
    ("float-subnormal-f16", "f90001"),
    ("float-minus-4.1", "fbc010666666666666"),
    ("float-infinity-f16", "f97c00"),
    ("float-nan-f16", "f97e00"),
    ("float-infinity-f32", "fa7f800000"),
    ("float-nan-f64", "fb7ff8000000000000"),
    ("false", "f4"),
    ("true", "f5"),
    ("null", "f6"),
    ("undefined", "f7"),
    ("simple-16", "f0"),
    ("simple-255", "f8ff"),
    ("tag-0-date", "c074323031332d30332d32315432303a30343a30305a"),
    ("tag-1-epoch-float", "c1fb41d452d9ec200000"),
    ("tag-24-embedded", "d818456449455446"),
    ("tag-32-uri", "d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
    ("bytes-empty", "40"),
    ("bytes-4", "4401020304"),
    ("text-empty", "60"),
    ("text-ietf", "6449455446"),
    ("text-escapes", "62225c"),
    ("text-u-umlaut", "62c3bc"),
    ("text-surrogate-pair", "64f0908591"),
    ("array-empty", "80"),
    ("array-nested", "8301820203820405"),
    ("array-25", "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ("map-empty", "a0"),
    ("map-int", "a201020304"),
    ("map", "a26161016162820203"),
    ("array-with-map", "826161a161626163"),
    ("map-5", "a56161614161626142616361436164614461656145"),
    ("indefinite-bytes", "5f42010243030405ff"),
    ("indefinite-text", "7f657374726561646d696e67ff"),
    ("indefinite-array-nested", "9f018202039f0405ffff"),
    ("indefinite-map", "bf61610161629f0203ffff"),
];

/// Inputs at the strict decoder's edges.
const CBOR_LIMITS: &[(&str, &str)] = &[
    ("limit-length-exceeds-input", "5affffffff00"),
    ("limit-map-count-exceeds-input", "bbffffffffffffffff"),
    ("strict-duplicate-key", "a201010102"),
    ("strict-duplicate-key-two-encodings", "a20101180102"),
    ("strict-trailing-byte", "0000"),
    ("strict-simple-two-byte", "f814"),
    ("strict-invalid-utf8", "62c328"),
    ("noncanonical-argument", "1805"),
    ("noncanonical-unsorted-map", "a203010102"),
    ("noncanonical-float", "fa3fc00000"),
];

// ---- the W3C §16 vectors -------------------------------------------------------------------------------

struct Vector {
    /// The anchor without `sctn-test-vectors-`.
    name: String,
    attestation_object: Vec<u8>,
    registration_auth_data: Vec<u8>,
    assertion_auth_data: Vec<u8>,
    credential_public_key: Vec<u8>,
    create_client_data: Vec<u8>,
    get_client_data: Vec<u8>,
}

const VECTORS: &str = include_str!("../../../vectors/w3c/webauthn-l3-section16.json");

fn w3c_vectors() -> Vec<Vector> {
    let json: Json = serde_json::from_str(VECTORS).expect("the §16 vectors are JSON");
    let hex_of = |v: &Json, path: &str| -> Vec<u8> {
        let s = v.pointer(path).and_then(Json::as_str).unwrap_or_else(|| panic!("§16 vector without {path}"));
        unhex(s)
    };
    let examples = json.get("examples").and_then(Json::as_array).expect("§16 examples");
    examples
        .iter()
        .map(|e| {
            let anchor = e.get("anchor").and_then(Json::as_str).expect("anchor");
            let attestation_object = hex_of(e, "/registration/attestationObject");
            let object =
                AttestationObject::parse(&attestation_object).expect("§16 attestation object").object;
            let auth = AuthenticatorData::parse(&object.auth_data).expect("§16 authenticator data").data;
            let key =
                auth.attested_credential_data.expect("§16 attested credential data").credential_public_key;
            Vector {
                name: anchor.trim_start_matches("sctn-test-vectors-").to_owned(),
                registration_auth_data: object.auth_data,
                attestation_object,
                assertion_auth_data: hex_of(e, "/authentication/authenticatorData"),
                credential_public_key: key,
                create_client_data: hex_of(e, "/registration/clientDataJSON"),
                get_client_data: hex_of(e, "/authentication/clientDataJSON"),
            }
        })
        .collect()
}

// ---- generated format seeds ----------------------------------------------------------------------------

fn authenticator(seed: u64, alg: Alg) -> Authenticator {
    Authenticator { seed, alg, uv: false, backup: Backup::NotEligible, credential_id_len: 31 }
}

fn registration(alg: Alg, attestation: Attestation) -> RegistrationCase {
    RegistrationCase {
        authenticator: authenticator(1, alg),
        attestation,
        require_uv: false,
        resign: false,
        mutations: vec![],
    }
}

fn generated_attestation_objects() -> Vec<(String, Vec<u8>)> {
    let cases = [
        ("es256-none", Alg::Es256, Attestation::None),
        ("es256-packed-self", Alg::Es256, Attestation::PackedSelf),
        ("es256-packed-x5c", Alg::Es256, Attestation::PackedX5c),
        ("es256-fido-u2f", Alg::Es256, Attestation::FidoU2f),
        ("rs256-packed-self", Alg::Rs256, Attestation::PackedSelf),
        ("eddsa-none", Alg::EdDsa, Attestation::None),
    ];
    cases
        .into_iter()
        .map(|(name, alg, att)| {
            (name.to_owned(), registration(alg, att).build().attestation_object.to_bytes())
        })
        .collect()
}

fn generated_auth_data() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for alg in [Alg::Es256, Alg::Es384, Alg::EdDsa, Alg::Rs256] {
        let built = registration(alg, Attestation::None).build();
        out.push((format!("{}-registration", slug(alg)), built.attestation_object.auth_data));
    }
    let mut case = assertion_case(Alg::Es256);
    case.authenticator.uv = true;
    case.authenticator.backup = Backup::BackedUp;
    out.push(("es256-assertion-uv-be-bs".to_owned(), case.build().authenticator_data));
    let mut with_extensions =
        AuthenticatorData::parse(&case.build().authenticator_data).expect("assertion").data;
    with_extensions.flags = Flags(with_extensions.flags.0 | Flags::ED);
    with_extensions.extensions = Some(Value::Map(vec![
        (Value::from("credProtect"), Value::from(2)),
        (Value::from("hmac-secret"), Value::Bool(true)),
    ]));
    out.push(("es256-assertion-extensions".to_owned(), with_extensions.to_bytes()));
    out
}

fn slug(alg: Alg) -> &'static str {
    alg.algorithm().slug()
}

fn generated_cose_keys() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for alg in [Alg::Es256, Alg::Es384, Alg::EdDsa, Alg::Rs256] {
        let (credential, _, _) = credential_of(alg);
        out.push((slug(alg).to_owned(), credential.key.cose_key().to_bytes()));
    }
    let (es256, _, _) = credential_of(Alg::Es256);
    let key = es256.key.cose_key();
    // With a `kid` (label 2), which the parser skips and reports.
    let mut with_kid = key.to_value();
    if let Value::Map(entries) = &mut with_kid {
        entries.push((Value::from(2), Value::Bytes(b"key-1".to_vec())));
    }
    out.push(("es256-with-kid".to_owned(), cbor::encode_canonical(&with_kid)));
    // Labels in the wrong order (not canonical).
    let mut unsorted = key.to_value();
    if let Value::Map(entries) = &mut unsorted {
        entries.reverse();
    }
    out.push(("es256-unsorted".to_owned(), cbor::encode(&unsorted)));
    // A compressed point: y is a sign bit.
    if let CoseKey::Ec2 { x, .. } = &key {
        let compressed = Value::Map(vec![
            (Value::from(1), Value::from(2)),
            (Value::from(3), Value::from(-7)),
            (Value::from(-1), Value::from(EcCurve::P256.crv())),
            (Value::from(-2), Value::Bytes(x.clone())),
            (Value::from(-3), Value::Bool(true)),
        ]);
        out.push(("es256-compressed".to_owned(), cbor::encode_canonical(&compressed)));
    }
    // An RSA modulus with a leading zero, as copied from a DER INTEGER.
    let (rs256, _, _) = credential_of(Alg::Rs256);
    if let CoseKey::Rsa { alg, n, e } = rs256.key.cose_key() {
        let mut padded = vec![0];
        padded.extend_from_slice(&n);
        out.push(("rs256-leading-zero".to_owned(), CoseKey::Rsa { alg, n: padded, e }.to_bytes()));
    }
    out
}

fn credential_of(alg: Alg) -> (generator::Credential, Vec<u8>, Vec<u8>) {
    let built = registration(alg, Attestation::None).build();
    (built.credential, built.ctx.challenge, built.ctx.other_challenge)
}

fn generated_client_data() -> Vec<(String, Vec<u8>)> {
    let create = registration(Alg::Es256, Attestation::None).build().client_data_json;
    let get = assertion_case(Alg::Es256).build().client_data_json;
    let challenge = "dGhlIGNoYWxsZW5nZQ";
    let extra = vec![
        (
            "other_keys_can_be_added_here".to_owned(),
            Json::from("do not compare clientDataJSON against a template"),
        ),
        ("n".to_owned(), Json::from(1e21)),
    ];
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&get);
    let mut invalid_utf8 = get.clone();
    invalid_utf8.insert(10, 0xff);
    vec![
        ("browser-create".to_owned(), create),
        ("browser-get".to_owned(), get),
        (
            "cross-origin-top-origin".to_owned(),
            client_data::serialize(
                "webauthn.get",
                challenge,
                "https://example.org",
                true,
                Some("https://example.com"),
                &[],
            ),
        ),
        (
            "extra-members".to_owned(),
            client_data::serialize("webauthn.create", challenge, "https://example.org", false, None, &extra),
        ),
        (
            "control-characters".to_owned(),
            client_data::serialize(
                "webauthn.get",
                challenge,
                "https://exa\nmple.org\u{1}\"\\",
                false,
                None,
                &[],
            ),
        ),
        ("duplicate-member".to_owned(), br#"{"type":"webauthn.get","type":"webauthn.create"}"#.to_vec()),
        ("byte-order-mark".to_owned(), bom),
        ("invalid-utf8".to_owned(), invalid_utf8),
    ]
}

// ---- ceremony seeds ------------------------------------------------------------------------------------

fn flip(at: u16, mask: u8) -> Edit {
    Edit::Flip { at, mask }
}

fn known(k: Known) -> Option<JsonValue> {
    Some(JsonValue::Leaf(JsonLeaf::Known(k)))
}

fn set_client_data(member: ClientDataMember, value: Option<JsonValue>) -> Mutation {
    Mutation::ClientData { member, value, serialization: Serialization::Spec }
}

/// A registration with `attestation` and ES256 (unless said otherwise), mutated by `mutations`.
fn reg(attestation: Attestation, resign: bool, mutations: Vec<Mutation>) -> RegistrationCase {
    RegistrationCase { resign, mutations, ..registration(Alg::Es256, attestation) }
}

/// The registration seeds: every algorithm and format valid, the description's own expected rejections,
/// and single mutations of each kind (signed ones re-signed, so that later checks answer).
pub fn registration_cases() -> Vec<(&'static str, RegistrationCase)> {
    use Attestation::*;
    let valid = |alg, att| registration(alg, att);
    let mut uv_backed_up = valid(Alg::EdDsa, None);
    uv_backed_up.authenticator.uv = true;
    uv_backed_up.authenticator.backup = Backup::BackedUp;
    let mut uv_required = valid(Alg::Es256, PackedSelf);
    uv_required.require_uv = true;
    let mut id_1023 = valid(Alg::Es256, PackedSelf);
    id_1023.authenticator.credential_id_len = 1022;
    let mut id_1024 = valid(Alg::Es256, PackedSelf);
    id_1024.authenticator.credential_id_len = 1023;
    let mut bs_without_be =
        reg(PackedSelf, true, vec![Mutation::AuthData(AuthDataEdit::Flags { xor: Flags::BS })]);
    bs_without_be.authenticator.backup = Backup::NotEligible;
    let sig = CborLeaf::Bytes(Piece::new(b"\x30\x06\x02\x01\x01\x02\x01\x01"));
    vec![
        ("es256-none-valid", valid(Alg::Es256, None)),
        ("es256-packed-self-valid", valid(Alg::Es256, PackedSelf)),
        ("es256-packed-x5c-valid", valid(Alg::Es256, PackedX5c)),
        ("es256-fido-u2f-valid", valid(Alg::Es256, FidoU2f)),
        ("es384-packed-self-valid", valid(Alg::Es384, PackedSelf)),
        ("eddsa-packed-x5c-valid", valid(Alg::EdDsa, PackedX5c)),
        ("rs256-packed-self-valid", valid(Alg::Rs256, PackedSelf)),
        ("eddsa-none-uv-backed-up-valid", uv_backed_up),
        ("uv-required-not-performed", uv_required),
        ("credential-id-1023-valid", id_1023),
        ("credential-id-1024", id_1024),
        (
            "flip-client-data",
            reg(
                PackedSelf,
                false,
                vec![Mutation::Bytes { member: Member::ClientDataJson, edit: flip(40, 1) }],
            ),
        ),
        (
            "flip-attestation-object",
            reg(
                PackedSelf,
                false,
                vec![Mutation::Bytes { member: Member::AttestationObject, edit: flip(100, 0x80) }],
            ),
        ),
        (
            "flip-flags-uv",
            reg(PackedSelf, false, vec![Mutation::AuthData(AuthDataEdit::Flags { xor: Flags::UV })]),
        ),
        (
            "flip-flags-uv-fido-u2f",
            reg(FidoU2f, false, vec![Mutation::AuthData(AuthDataEdit::Flags { xor: Flags::UV })]),
        ),
        ("flip-aaguid-none", reg(None, false, vec![Mutation::AuthData(AuthDataEdit::Raw(flip(40, 1)))])),
        (
            "signature-replaced",
            reg(
                PackedSelf,
                false,
                vec![Mutation::AttStmt { key: AttStmtKey::Sig, value: Some(CborValue::Leaf(sig)) }],
            ),
        ),
        ("fmt-none-with-statement", reg(PackedSelf, false, vec![Mutation::Fmt(Fmt::None)])),
        ("fmt-tpm", reg(PackedSelf, false, vec![Mutation::Fmt(Fmt::Tpm)])),
        (
            "x5c-root-as-leaf",
            reg(
                PackedX5c,
                true,
                vec![Mutation::AttStmt {
                    key: AttStmtKey::X5c,
                    value: Some(CborValue::Leaf(CborLeaf::Known(KnownCbor::RootChain))),
                }],
            ),
        ),
        (
            "x5c-leaf-and-root",
            reg(
                PackedX5c,
                false,
                vec![Mutation::AttStmt {
                    key: AttStmtKey::X5c,
                    value: Some(CborValue::Leaf(CborLeaf::Known(KnownCbor::LeafAndRoot))),
                }],
            ),
        ),
        (
            "x5c-other-aaguid",
            reg(
                PackedX5c,
                true,
                vec![Mutation::AttStmt {
                    key: AttStmtKey::X5c,
                    value: Some(CborValue::Leaf(CborLeaf::Known(KnownCbor::ZeroAaguidChain))),
                }],
            ),
        ),
        (
            "alg-mismatch",
            reg(
                PackedSelf,
                true,
                vec![Mutation::AttStmt {
                    key: AttStmtKey::Alg,
                    value: Some(CborValue::Leaf(CborLeaf::Known(KnownCbor::AlgRs256))),
                }],
            ),
        ),
        (
            "origin-subdomain-resigned",
            reg(
                PackedSelf,
                true,
                vec![set_client_data(ClientDataMember::Origin, known(Known::OriginSubdomain))],
            ),
        ),
        (
            "challenge-padded-resigned",
            reg(
                PackedSelf,
                true,
                vec![set_client_data(ClientDataMember::Challenge, known(Known::ChallengePadded))],
            ),
        ),
        (
            "type-get-resigned",
            reg(PackedX5c, true, vec![set_client_data(ClientDataMember::Type, known(Known::TypeGet))]),
        ),
        (
            "cross-origin-resigned",
            reg(
                FidoU2f,
                true,
                vec![set_client_data(
                    ClientDataMember::CrossOrigin,
                    Some(JsonValue::Leaf(JsonLeaf::Bool(true))),
                )],
            ),
        ),
        (
            "top-origin-resigned",
            reg(
                PackedSelf,
                true,
                vec![set_client_data(ClientDataMember::TopOrigin, known(Known::OtherOrigin))],
            ),
        ),
        (
            "rp-id-other-resigned",
            reg(PackedSelf, true, vec![Mutation::AuthData(AuthDataEdit::RpIdHash(RpId::Other))]),
        ),
        (
            "up-cleared-resigned",
            reg(PackedSelf, true, vec![Mutation::AuthData(AuthDataEdit::Flags { xor: Flags::UP })]),
        ),
        ("bs-without-be-resigned", bs_without_be),
        (
            "credential-id-edited-resigned",
            reg(PackedSelf, true, vec![Mutation::AuthData(AuthDataEdit::CredentialId(flip(0, 1)))]),
        ),
        (
            "credential-key-edited-resigned",
            reg(PackedX5c, true, vec![Mutation::AuthData(AuthDataEdit::CredentialPublicKey(flip(12, 1)))]),
        ),
        (
            "extensions-resigned",
            reg(
                PackedSelf,
                true,
                vec![
                    Mutation::AuthData(AuthDataEdit::Extensions(Some(CborValue::Map(
                        CborLeaf::Text(Piece::new(b"credProtect")),
                        CborLeaf::Unsigned(2),
                    )))),
                    Mutation::AuthData(AuthDataEdit::Flags { xor: Flags::ED }),
                ],
            ),
        ),
        (
            "raw-id-other",
            reg(
                None,
                false,
                vec![Mutation::Replace {
                    member: Member::RawId,
                    value: JsonValue::Leaf(JsonLeaf::Base64url(Piece::new(b"other id"))),
                }],
            ),
        ),
        (
            "id-padded",
            reg(
                None,
                false,
                vec![Mutation::Replace {
                    member: Member::Id,
                    value: JsonValue::Leaf(JsonLeaf::Known(Known::CredentialIdPadded)),
                }],
            ),
        ),
        (
            "transports-not-array",
            reg(
                None,
                false,
                vec![Mutation::Replace {
                    member: Member::Transports,
                    value: JsonValue::Leaf(JsonLeaf::Int(1)),
                }],
            ),
        ),
        (
            "client-data-removed",
            reg(PackedSelf, false, vec![Mutation::Remove { member: Member::ClientDataJson }]),
        ),
        ("text-truncated", reg(None, false, vec![Mutation::Text(Edit::Truncate { to: 100 })])),
    ]
}

fn assertion_case(alg: Alg) -> AuthenticationCase {
    AuthenticationCase {
        authenticator: authenticator(2, alg),
        stored_sign_count: 0,
        sign_count: 1,
        user_handle: true,
        identified: true,
        allow: Allow::Empty,
        require_uv: false,
        resign: false,
        mutations: vec![],
    }
}

fn auth(resign: bool, mutations: Vec<Mutation>) -> AuthenticationCase {
    AuthenticationCase { resign, mutations, ..assertion_case(Alg::Es256) }
}

/// The authentication seeds, in the same spirit as [`registration_cases`].
pub fn authentication_cases() -> Vec<(&'static str, AuthenticationCase)> {
    let valid = assertion_case;
    let with = |f: &dyn Fn(&mut AuthenticationCase)| {
        let mut c = valid(Alg::Es256);
        f(&mut c);
        c
    };
    let auth_data = |edit: AuthDataEdit| Mutation::AuthData(edit);
    vec![
        ("es256-valid", valid(Alg::Es256)),
        ("es384-valid", valid(Alg::Es384)),
        ("eddsa-valid", valid(Alg::EdDsa)),
        ("rs256-valid", valid(Alg::Rs256)),
        ("counter-zero-valid", with(&|c| c.sign_count = 0)),
        ("counter-not-increased", with(&|c| (c.stored_sign_count, c.sign_count) = (5, 5))),
        ("user-handle-missing", with(&|c| (c.identified, c.user_handle) = (false, false))),
        ("discoverable-valid", with(&|c| c.identified = false)),
        ("not-allowed", with(&|c| c.allow = Allow::Other)),
        ("listed-valid", with(&|c| c.allow = Allow::Listed)),
        ("uv-required-not-performed", with(&|c| c.require_uv = true)),
        ("uv-required-performed-valid", with(&|c| (c.require_uv, c.authenticator.uv) = (true, true))),
        (
            "flip-signature",
            auth(false, vec![Mutation::Bytes { member: Member::Signature, edit: flip(10, 1) }]),
        ),
        (
            "truncate-signature",
            auth(false, vec![Mutation::Bytes { member: Member::Signature, edit: Edit::Truncate { to: 8 } }]),
        ),
        (
            "flip-client-data",
            auth(false, vec![Mutation::Bytes { member: Member::ClientDataJson, edit: flip(30, 2) }]),
        ),
        (
            "flip-auth-data",
            auth(false, vec![Mutation::Bytes { member: Member::AuthenticatorData, edit: flip(5, 1) }]),
        ),
        (
            "counter-lowered-resigned",
            AuthenticationCase {
                stored_sign_count: 3,
                sign_count: 4,
                ..auth(true, vec![auth_data(AuthDataEdit::SignCount(2))])
            },
        ),
        (
            "origin-http-resigned",
            auth(true, vec![set_client_data(ClientDataMember::Origin, known(Known::OriginHttp))]),
        ),
        (
            "origin-trailing-slash-resigned",
            auth(true, vec![set_client_data(ClientDataMember::Origin, known(Known::OriginWithSlash))]),
        ),
        (
            "challenge-other-ceremony-resigned",
            auth(true, vec![set_client_data(ClientDataMember::Challenge, known(Known::OtherChallenge))]),
        ),
        (
            "type-create-resigned",
            auth(true, vec![set_client_data(ClientDataMember::Type, known(Known::TypeCreate))]),
        ),
        (
            "top-origin-resigned",
            auth(true, vec![set_client_data(ClientDataMember::TopOrigin, known(Known::OtherOrigin))]),
        ),
        ("be-flipped-resigned", auth(true, vec![auth_data(AuthDataEdit::Flags { xor: Flags::BE })])),
        ("at-set-resigned", auth(true, vec![auth_data(AuthDataEdit::Flags { xor: Flags::AT })])),
        ("rp-id-uppercase-resigned", auth(true, vec![auth_data(AuthDataEdit::RpIdHash(RpId::Uppercase))])),
        (
            "extensions-resigned",
            auth(
                true,
                vec![
                    auth_data(AuthDataEdit::Extensions(Some(CborValue::Map(
                        CborLeaf::Text(Piece::new(b"hmac-secret")),
                        CborLeaf::Bool(true),
                    )))),
                    auth_data(AuthDataEdit::Flags { xor: Flags::ED }),
                ],
            ),
        ),
        (
            "user-handle-other",
            auth(
                false,
                vec![Mutation::Replace {
                    member: Member::UserHandle,
                    value: JsonValue::Leaf(JsonLeaf::Known(Known::OtherUserHandle)),
                }],
            ),
        ),
        (
            "user-handle-empty",
            auth(
                false,
                vec![Mutation::Replace {
                    member: Member::UserHandle,
                    value: JsonValue::Leaf(JsonLeaf::Known(Known::Empty)),
                }],
            ),
        ),
        ("raw-id-flipped", auth(false, vec![Mutation::Bytes { member: Member::RawId, edit: flip(0, 1) }])),
        (
            "client-data-bom-resigned",
            auth(
                true,
                vec![Mutation::Bytes {
                    member: Member::ClientDataJson,
                    edit: Edit::Insert { at: 0, bytes: Piece::new(b"\xEF\xBB\xBF") },
                }],
            ),
        ),
        ("text-flipped", auth(false, vec![Mutation::Text(flip(3, 0x20))])),
    ]
}

// ---- writing descriptions as the bytes `arbitrary` reads -----------------------------------------------

/// Writes a value as the input bytes from which `arbitrary` (as derived on these types) reads that same
/// value back: integers little-endian, `bool` as one byte, `Option` as a `bool` then the value, an enum as
/// a `u32` whose `(x * variants) >> 32` is the variant index, then its fields, structs and arrays field by
/// field. The trailing list of a case (read with `arbitrary_take_rest`) is each element behind a `1` byte.
/// A unit test proves the round trip for every seed, so a change in `arbitrary`'s format is caught.
pub trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

fn variant(out: &mut Vec<u8>, index: usize, count: usize) {
    let (index, count) = (index as u64, count as u64);
    let x = (index << 32).div_ceil(count);
    out.extend_from_slice(&(x as u32).to_le_bytes());
}

/// An enum variant (`index` of `count`) and its fields.
macro_rules! enc {
    ($out:ident, $index:expr, $count:expr $(; $($field:expr),*)?) => {{
        variant($out, $index, $count);
        $($($field.encode($out);)*)?
    }};
}

macro_rules! encode_le {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
encode_le!(u8, u16, u32, u64, i64);

impl Encode for f64 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.to_bits().encode(out)
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(v) = self {
            v.encode(out);
        }
    }
}

impl<T: Encode, const N: usize> Encode for [T; N] {
    fn encode(&self, out: &mut Vec<u8>) {
        self.iter().for_each(|x| x.encode(out));
    }
}

/// Field-less enums: the variants in declaration order.
macro_rules! encode_fieldless {
    ($($t:ident: [$($v:ident),* $(,)?];)*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                const ALL: &[$t] = &[$($t::$v),*];
                let index = ALL.iter().position(|v| v == self).unwrap_or(0);
                variant(out, index, ALL.len());
            }
        }
    )*};
}

encode_fieldless! {
    Alg: [Es256, Es384, EdDsa, Rs256];
    Attestation: [None, PackedSelf, PackedX5c, FidoU2f];
    Backup: [NotEligible, Eligible, BackedUp];
    Allow: [Empty, Listed, Other];
    Member: [
        ClientDataJson, AttestationObject, AuthenticatorData, Signature, UserHandle, Transports, Id, RawId, Type,
        Response, ClientExtensionResults,
    ];
    Known: [
        Origin, OriginWithSlash, OriginHttp, OriginWithPort, OriginSubdomain, OriginUppercase, OtherOrigin,
        TypeCreate, TypeGet, PublicKey, Empty, Challenge, ChallengePadded, ChallengeStandardAlphabet,
        ChallengeTruncated, OtherChallenge, CredentialId, CredentialIdPadded, UserHandle, OtherUserHandle, Internal,
    ];
    ClientDataMember: [Type, Challenge, Origin, CrossOrigin, TopOrigin, TokenBinding, Other];
    Serialization: [Spec, Compact];
    RpId: [Other, Parent, Subdomain, Uppercase, Origin];
    AttStmtKey: [Alg, Sig, X5c, EcdaaKeyId, Other];
    KnownCbor: [AlgEs256, AlgEs384, AlgRs256, AlgEdDsa, BaselineSig, RootChain, LeafAndRoot, U2fChain, ZeroAaguidChain];
}

impl Encode for Piece {
    fn encode(&self, out: &mut Vec<u8>) {
        self.bytes.encode(out);
        self.len.encode(out);
    }
}

impl Encode for Edit {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Edit::Flip { at, mask } => enc!(out, 0, 5; at, mask),
            Edit::Set { at, byte } => enc!(out, 1, 5; at, byte),
            Edit::Truncate { to } => enc!(out, 2, 5; to),
            Edit::Insert { at, bytes } => enc!(out, 3, 5; at, bytes),
            Edit::Remove { at, len } => enc!(out, 4, 5; at, len),
        }
    }
}

impl Encode for JsonLeaf {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 7;
        match self {
            JsonLeaf::Null => variant(out, 0, N),
            JsonLeaf::Bool(b) => enc!(out, 1, N; b),
            JsonLeaf::Int(i) => enc!(out, 2, N; i),
            JsonLeaf::Float(f) => enc!(out, 3, N; f),
            JsonLeaf::Text(p) => enc!(out, 4, N; p),
            JsonLeaf::Base64url(p) => enc!(out, 5, N; p),
            JsonLeaf::Known(k) => enc!(out, 6, N; k),
        }
    }
}

impl Encode for JsonValue {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 5;
        match self {
            JsonValue::Leaf(l) => enc!(out, 0, N; l),
            JsonValue::EmptyArray => variant(out, 1, N),
            JsonValue::EmptyObject => variant(out, 2, N),
            JsonValue::Array(items) => enc!(out, 3, N; items),
            JsonValue::Object(name, value) => enc!(out, 4, N; name, value),
        }
    }
}

impl Encode for CborLeaf {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 8;
        match self {
            CborLeaf::Unsigned(n) => enc!(out, 0, N; n),
            CborLeaf::Negative(n) => enc!(out, 1, N; n),
            CborLeaf::Bytes(p) => enc!(out, 2, N; p),
            CborLeaf::Text(p) => enc!(out, 3, N; p),
            CborLeaf::Bool(b) => enc!(out, 4, N; b),
            CborLeaf::Null => variant(out, 5, N),
            CborLeaf::Float(f) => enc!(out, 6, N; f),
            CborLeaf::Known(k) => enc!(out, 7, N; k),
        }
    }
}

impl Encode for CborValue {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 5;
        match self {
            CborValue::Leaf(l) => enc!(out, 0, N; l),
            CborValue::EmptyArray => variant(out, 1, N),
            CborValue::EmptyMap => variant(out, 2, N),
            CborValue::Array(items) => enc!(out, 3, N; items),
            CborValue::Map(k, v) => enc!(out, 4, N; k, v),
        }
    }
}

impl Encode for AuthDataEdit {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 7;
        match self {
            AuthDataEdit::Flags { xor } => enc!(out, 0, N; xor),
            AuthDataEdit::SignCount(n) => enc!(out, 1, N; n),
            AuthDataEdit::RpIdHash(r) => enc!(out, 2, N; r),
            AuthDataEdit::Extensions(v) => enc!(out, 3, N; v),
            AuthDataEdit::CredentialId(e) => enc!(out, 4, N; e),
            AuthDataEdit::CredentialPublicKey(e) => enc!(out, 5, N; e),
            AuthDataEdit::Raw(e) => enc!(out, 6, N; e),
        }
    }
}

impl Encode for Fmt {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 8;
        match self {
            Fmt::None => variant(out, 0, N),
            Fmt::Packed => variant(out, 1, N),
            Fmt::FidoU2f => variant(out, 2, N),
            Fmt::Tpm => variant(out, 3, N),
            Fmt::AndroidKey => variant(out, 4, N),
            Fmt::Apple => variant(out, 5, N),
            Fmt::Compound => variant(out, 6, N),
            Fmt::Other(p) => enc!(out, 7, N; p),
        }
    }
}

impl Encode for Mutation {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: usize = 8;
        match self {
            Mutation::Bytes { member, edit } => enc!(out, 0, N; member, edit),
            Mutation::Replace { member, value } => {
                enc!(out, 1, N; member, value)
            }
            Mutation::Remove { member } => enc!(out, 2, N; member),
            Mutation::ClientData { member, value, serialization } => {
                enc!(out, 3, N; member, value, serialization)
            }
            Mutation::AuthData(edit) => enc!(out, 4, N; edit),
            Mutation::AttStmt { key, value } => enc!(out, 5, N; key, value),
            Mutation::Fmt(f) => enc!(out, 6, N; f),
            Mutation::Text(e) => enc!(out, 7, N; e),
        }
    }
}

impl Encode for Authenticator {
    fn encode(&self, out: &mut Vec<u8>) {
        self.seed.encode(out);
        self.alg.encode(out);
        self.uv.encode(out);
        self.backup.encode(out);
        self.credential_id_len.encode(out);
    }
}

/// The trailing mutation list, as `arbitrary_take_rest` reads it: each element behind a `1`.
fn encode_rest(mutations: &[Mutation], out: &mut Vec<u8>) {
    for m in mutations {
        true.encode(out);
        m.encode(out);
    }
}

impl Encode for RegistrationCase {
    fn encode(&self, out: &mut Vec<u8>) {
        self.authenticator.encode(out);
        self.attestation.encode(out);
        self.require_uv.encode(out);
        self.resign.encode(out);
        encode_rest(&self.mutations, out);
    }
}

impl Encode for AuthenticationCase {
    fn encode(&self, out: &mut Vec<u8>) {
        self.authenticator.encode(out);
        self.stored_sign_count.encode(out);
        self.sign_count.encode(out);
        self.user_handle.encode(out);
        self.identified.encode(out);
        self.allow.encode(out);
        self.require_uv.encode(out);
        self.resign.encode(out);
        encode_rest(&self.mutations, out);
    }
}

/// The input bytes for a description.
pub fn encode_case(case: &impl Encode) -> Vec<u8> {
    let mut out = Vec::new();
    case.encode(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use arbitrary::{Arbitrary, Unstructured};

    #[test]
    fn every_description_reads_back_as_written() {
        for (name, case) in registration_cases() {
            let bytes = encode_case(&case);
            let read = RegistrationCase::arbitrary_take_rest(Unstructured::new(&bytes)).expect(name);
            assert_eq!(read, case, "{name}");
        }
        for (name, case) in authentication_cases() {
            let bytes = encode_case(&case);
            let read = AuthenticationCase::arbitrary_take_rest(Unstructured::new(&bytes)).expect(name);
            assert_eq!(read, case, "{name}");
        }
    }

    #[test]
    fn every_variant_of_every_enum_reads_back() {
        fn check<T: for<'a> Arbitrary<'a> + Encode + PartialEq + std::fmt::Debug>(values: &[T]) {
            for v in values {
                let bytes = encode_case(v);
                let read = T::arbitrary(&mut Unstructured::new(&bytes)).expect("reads");
                assert_eq!(&read, v);
            }
        }
        let p = Piece::new(b"abc");
        check(&[Edit::Flip { at: 1, mask: 2 }, Edit::Set { at: 3, byte: 4 }, Edit::Truncate { to: 5 }]);
        check(&[Edit::Insert { at: 6, bytes: p }, Edit::Remove { at: 7, len: 8 }]);
        let leaves = [
            JsonLeaf::Null,
            JsonLeaf::Bool(true),
            JsonLeaf::Int(-3),
            JsonLeaf::Float(1.5),
            JsonLeaf::Text(p),
            JsonLeaf::Base64url(p),
            JsonLeaf::Known(Known::Internal),
        ];
        check(&leaves);
        check(&[
            JsonValue::Leaf(JsonLeaf::Null),
            JsonValue::EmptyArray,
            JsonValue::EmptyObject,
            JsonValue::Array([JsonLeaf::Int(1), JsonLeaf::Bool(false)]),
            JsonValue::Object(p, JsonLeaf::Null),
        ]);
        let cbor_leaves = [
            CborLeaf::Unsigned(1),
            CborLeaf::Negative(2),
            CborLeaf::Bytes(p),
            CborLeaf::Text(p),
            CborLeaf::Bool(true),
            CborLeaf::Null,
            CborLeaf::Float(-0.5),
            CborLeaf::Known(KnownCbor::ZeroAaguidChain),
        ];
        check(&cbor_leaves);
        check(&[
            CborValue::EmptyArray,
            CborValue::EmptyMap,
            CborValue::Array([CborLeaf::Null, CborLeaf::Unsigned(9)]),
            CborValue::Map(CborLeaf::Null, CborLeaf::Bool(false)),
        ]);
        check(&[
            Fmt::None,
            Fmt::Packed,
            Fmt::FidoU2f,
            Fmt::Tpm,
            Fmt::AndroidKey,
            Fmt::Apple,
            Fmt::Compound,
            Fmt::Other(p),
        ]);
        check(&[
            AuthDataEdit::Flags { xor: 1 },
            AuthDataEdit::SignCount(7),
            AuthDataEdit::RpIdHash(RpId::Origin),
            AuthDataEdit::Extensions(None),
            AuthDataEdit::CredentialId(Edit::Truncate { to: 1 }),
            AuthDataEdit::CredentialPublicKey(Edit::Truncate { to: 2 }),
            AuthDataEdit::Raw(Edit::Truncate { to: 3 }),
        ]);
        check(&[
            Mutation::Remove { member: Member::ClientExtensionResults },
            Mutation::Fmt(Fmt::Apple),
            Mutation::Text(Edit::Set { at: 1, byte: 2 }),
            Mutation::AttStmt { key: AttStmtKey::Other, value: None },
            Mutation::ClientData {
                member: ClientDataMember::Other,
                value: None,
                serialization: Serialization::Compact,
            },
        ]);
        check(&[Known::Origin, Known::Internal, Known::ChallengeTruncated]);
        check(&[Alg::Rs256, Alg::Es256]);
        check(&[Backup::BackedUp]);
        check(&[Allow::Other]);
    }

    #[test]
    fn the_seed_names_are_unique_per_target() {
        let seeds = generate();
        let mut names: Vec<(&str, &str)> = seeds.iter().map(|s| (s.target, s.name.as_str())).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate corpus file names");
    }
}
