//! Helpers for the per-check tests (`checks_registration.rs`, `checks_authentication.rs`) and the no-panic
//! properties (`no_panic.rs`): a valid ceremony as mutable parts, run through the verifier with its own
//! expectations, policy and store. Builds on the shared fixtures in `common`.
#![allow(dead_code)]

use std::sync::OnceLock;

use generator::{
    AssertionDraft, AttestationKind, Credential, Generator, RegistrationDraft, SignedAssertion,
    SignedRegistration,
};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use verifier::{
    AuthenticationExpectations, AuthenticationOutcome, CheckId, CredentialRecord, Policy,
    RegistrationExpectations, RegistrationOutcome, Rejection,
};
use wire::base64url;
use wire::client_data;

pub use generator::Algorithm;

use crate::common::{
    auth_expectations, authenticate, policy, reg_expectations, register, rp, stored, Store, USER,
};

/// Checks owned by the attestation-formats work (`packed`, `fido-u2f`); their tests live with that work.
pub const SKIPPED: &[CheckId] = &[
    CheckId::RegAttestationStatementMalformed,
    CheckId::RegAttestationAlgMismatch,
    CheckId::RegAttestationSignature,
    CheckId::RegAttestationCertificate,
    CheckId::RegAttestationAaguidMismatch,
    CheckId::RegAttestationUntrusted,
    // certificate paths and compound (issue 18): tests/chains.rs and the catalogue's self-check.
    CheckId::RegAttestationChainValidity,
    CheckId::RegAttestationChainIssuer,
    CheckId::RegAttestationChainCa,
    CheckId::RegAttestationCompoundSyntax,
    CheckId::RegAttestationCompoundNested,
    CheckId::RegAttestationCompoundSubFormat,
    // apple and android-key: tests/apple_android_key.rs.
    CheckId::RegAttestationAppleNonce,
    CheckId::RegAttestationAppleKeyMismatch,
    CheckId::RegAttestationAndroidKeyMismatch,
    CheckId::RegAttestationAndroidKeyChallenge,
    CheckId::RegAttestationAndroidKeyAllApplications,
    CheckId::RegAttestationAndroidKeyOrigin,
    CheckId::RegAttestationAndroidKeyPurpose,
    // tpm (§8.3): tests/w3c_tpm.rs and the catalogue's reg.attestation.tpm.* cases.
    CheckId::RegAttestationTpmPubAreaKey,
    CheckId::RegAttestationTpmMagic,
    CheckId::RegAttestationTpmType,
    CheckId::RegAttestationTpmExtraData,
    CheckId::RegAttestationTpmName,
    // metadata (§7.1 step 23): tests/metadata.rs.
    CheckId::RegAttestationMetadataStatus,
    // android-safetynet (§8.5): tests/android_safetynet.rs, harness/cli/tests/safetynet.rs and the catalogue's
    // reg.attestation.android-safetynet.* cases.
    CheckId::RegAttestationSafetynetResponse,
    CheckId::RegAttestationSafetynetNonce,
    CheckId::RegAttestationSafetynetCertificate,
    CheckId::RegAttestationSafetynetSignature,
    CheckId::RegAttestationSafetynetCtsProfile,
    CheckId::RegAttestationSafetynetTimestamp,
];

/// `RegChallenge` -> `reg_challenge`: the module name the tests of a check live in.
pub fn snake(id: CheckId) -> String {
    let mut out = String::new();
    for (i, ch) in format!("{id:?}").chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Whether `source` (a test file) has a `mod <snake(id)> {` holding at least one `#[test]`.
pub fn has_test_module(source: &str, id: CheckId) -> bool {
    let header = format!("\nmod {} {{", snake(id));
    let Some(start) = source.find(&header) else { return false };
    let body = &source[start + header.len()..];
    let end = body.find("\nmod ").unwrap_or(body.len());
    body[..end].contains("#[test]")
}

/// Asserts the meta property of one test file: every check of `ceremony` (minus [`SKIPPED`]) is in
/// `covered`, and every check in `covered` has a test module named after it in `source`.
#[track_caller]
pub fn assert_covered(source: &str, ceremony: verifier::Ceremony, covered: &[CheckId]) {
    let missing: Vec<CheckId> = CheckId::ALL
        .iter()
        .copied()
        .filter(|c| c.ceremony() == ceremony && !SKIPPED.contains(c) && !covered.contains(c))
        .collect();
    assert!(missing.is_empty(), "checks without a test: {missing:?}");
    let untested: Vec<CheckId> = covered.iter().copied().filter(|&c| !has_test_module(source, c)).collect();
    assert!(untested.is_empty(), "listed as covered but no `mod <name> {{ #[test] .. }}`: {untested:?}");
    for c in covered {
        assert_eq!(c.ceremony(), ceremony, "{c} is listed in the wrong file");
        assert!(!SKIPPED.contains(c), "{c} is owned by the attestation-formats tests");
    }
}

/// Asserts acceptance with exactly the given warnings (in order).
#[track_caller]
pub fn assert_accepted_with(warnings: &[Rejection], expected: &[CheckId]) {
    let got: Vec<CheckId> = warnings.iter().map(|w| w.check).collect();
    assert_eq!(got, expected, "warnings: {warnings:?}");
}

/// Client data as a browser writes it (§5.8.1.1), with every member chosen.
pub fn client_data(
    type_: &str,
    challenge: &str,
    origin: &str,
    cross_origin: bool,
    top_origin: Option<&str>,
) -> Vec<u8> {
    client_data::serialize(type_, challenge, origin, cross_origin, top_origin, &[])
}

/// A credential that is RSA: generated once per test binary (RSA-2048 generation is slow).
pub fn rsa_credential() -> Credential {
    static RSA: OnceLock<Credential> = OnceLock::new();
    RSA.get_or_init(|| Generator::new(2048).credential(Algorithm::Rs256, 32)).clone()
}

/// A credential of `alg` (RSA from the per-binary cache), ID of `id_len` bytes (RSA: 32).
pub fn credential(alg: Algorithm, seed: u64, id_len: usize) -> Credential {
    match alg {
        Algorithm::Rs256 => rsa_credential(),
        _ => Generator::new(seed).credential(alg, id_len),
    }
}

/// A valid registration (`none` attestation), every part open to change before [`RegCase::run`].
pub struct RegCase {
    pub cred: Credential,
    pub challenge: Vec<u8>,
    pub draft: RegistrationDraft,
    pub kind: AttestationKind,
    pub expectations: RegistrationExpectations,
    pub policy: Policy,
    pub store: Store,
}

impl RegCase {
    /// ES256, 32-byte credential ID.
    pub fn new() -> RegCase {
        RegCase::with(Algorithm::Es256, 32)
    }

    pub fn with(alg: Algorithm, id_len: usize) -> RegCase {
        let cred = credential(alg, 11, id_len);
        let challenge = Generator::new(12).challenge();
        let draft = RegistrationDraft::new(&rp(), &cred, &challenge, 0);
        RegCase {
            expectations: reg_expectations(&challenge, alg.cose()),
            cred,
            challenge,
            draft,
            kind: AttestationKind::None,
            policy: policy(),
            store: Store::default(),
        }
    }

    /// The challenge as the client data carries it.
    pub fn challenge_b64(&self) -> String {
        base64url::encode(&self.challenge)
    }

    /// Replaces the client data with browser-serialized members (type `webauthn.create`, this challenge).
    pub fn set_origin(&mut self, origin: &str, cross_origin: bool, top_origin: Option<&str>) {
        self.draft.client_data_json =
            client_data("webauthn.create", &self.challenge_b64(), origin, cross_origin, top_origin);
    }

    pub fn sign(&self) -> SignedRegistration {
        self.draft.sign(&self.cred, self.kind)
    }

    pub fn json(&self) -> Json {
        self.sign().to_json()
    }

    pub fn verify(&self, json: &Json) -> Result<RegistrationOutcome, Rejection> {
        register(json, &self.expectations, &self.policy, &self.store)
    }

    pub fn verify_signed(&self, signed: &SignedRegistration) -> Result<RegistrationOutcome, Rejection> {
        self.verify(&signed.to_json())
    }

    /// Signs the draft and verifies the JSON.
    pub fn run(&self) -> Result<RegistrationOutcome, Rejection> {
        self.verify(&self.json())
    }
}

impl Default for RegCase {
    fn default() -> Self {
        RegCase::new()
    }
}

/// A registered credential and a valid assertion for it (counter 1 over a record at 0, userHandle
/// present, user identified beforehand), every part open to change before [`AuthCase::run`].
pub struct AuthCase {
    pub cred: Credential,
    pub record: CredentialRecord,
    /// The account the record is stored under.
    pub owner: Vec<u8>,
    pub challenge: Vec<u8>,
    pub draft: AssertionDraft,
    pub expectations: AuthenticationExpectations,
    pub policy: Policy,
}

impl AuthCase {
    /// ES256.
    pub fn new() -> AuthCase {
        AuthCase::with(Algorithm::Es256)
    }

    pub fn with(alg: Algorithm) -> AuthCase {
        let cred = credential(alg, 21, 32);
        let mut gen = Generator::new(22);
        let reg_challenge = gen.challenge();
        let json = RegistrationDraft::new(&rp(), &cred, &reg_challenge, 0)
            .sign(&cred, AttestationKind::None)
            .to_json();
        let record =
            register(&json, &reg_expectations(&reg_challenge, alg.cose()), &policy(), &Store::default())
                .unwrap_or_else(|r| panic!("baseline registration of {alg:?}: {r}"))
                .record;
        let challenge = gen.challenge();
        let draft = AssertionDraft::new(&rp(), &cred, &challenge, 0, 1, Some(USER.to_vec()));
        AuthCase {
            expectations: auth_expectations(&challenge),
            cred,
            record,
            owner: USER.to_vec(),
            challenge,
            draft,
            policy: policy(),
        }
    }

    pub fn challenge_b64(&self) -> String {
        base64url::encode(&self.challenge)
    }

    /// Replaces the client data with browser-serialized members (type `webauthn.get`, this challenge).
    pub fn set_origin(&mut self, origin: &str, cross_origin: bool, top_origin: Option<&str>) {
        self.draft.client_data_json =
            client_data("webauthn.get", &self.challenge_b64(), origin, cross_origin, top_origin);
    }

    pub fn store(&self) -> Store {
        stored(&self.owner, self.record.clone())
    }

    pub fn sign(&self) -> SignedAssertion {
        self.draft.sign(&self.cred)
    }

    /// Signs authenticator data given as bytes (for encodings the struct cannot express), with the draft's
    /// client data, raw ID and user handle: `sig = sign(authData || SHA-256(clientDataJSON))`.
    pub fn sign_raw(&self, authenticator_data: Vec<u8>) -> SignedAssertion {
        let mut signed = authenticator_data.clone();
        signed.extend_from_slice(&Sha256::digest(&self.draft.client_data_json));
        SignedAssertion {
            id: base64url::encode(&self.draft.raw_id),
            raw_id: self.draft.raw_id.clone(),
            type_: "public-key".to_owned(),
            client_data_json: self.draft.client_data_json.clone(),
            authenticator_data,
            signature: self.cred.key.sign(&signed),
            user_handle: self.draft.user_handle.clone(),
        }
    }

    pub fn json(&self) -> Json {
        self.sign().to_json()
    }

    pub fn verify(&self, json: &Json) -> Result<AuthenticationOutcome, Rejection> {
        authenticate(json, &self.expectations, &self.policy, &self.store())
    }

    pub fn verify_signed(&self, signed: &SignedAssertion) -> Result<AuthenticationOutcome, Rejection> {
        self.verify(&signed.to_json())
    }

    /// Signs the draft and verifies the JSON.
    pub fn run(&self) -> Result<AuthenticationOutcome, Rejection> {
        self.verify(&self.json())
    }
}

impl Default for AuthCase {
    fn default() -> Self {
        AuthCase::new()
    }
}

/// A CBOR head with the argument in the given number of bytes (1, 2, 4 or 8), minimal or not.
pub fn cbor_head(major: u8, argument: u64, width: usize) -> Vec<u8> {
    let (ai, bytes): (u8, Vec<u8>) = match width {
        1 => (24, vec![argument as u8]),
        2 => (25, (argument as u16).to_be_bytes().to_vec()),
        4 => (26, (argument as u32).to_be_bytes().to_vec()),
        _ => (27, argument.to_be_bytes().to_vec()),
    };
    let mut out = vec![(major << 5) | ai];
    out.extend(bytes);
    out
}

/// The JSON object at `path` (`""` for the root, `"response"` for the response member).
pub fn object_mut<'a>(json: &'a mut Json, path: &str) -> &'a mut serde_json::Map<String, Json> {
    let target = if path.is_empty() { json } else { &mut json[path] };
    target.as_object_mut().expect("an object")
}
