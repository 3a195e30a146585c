//! One WebAuthn authentication ceremony, made by this project's generator, and the implementations that
//! verify it: this project's verifier (two crypto providers), webauthn-rs-core and webauthn_rp, plus the bare
//! signature check as the floor. `benches/peers.rs` times them; this file only sets them up.
//!
//! Every implementation registers the credential itself, from the same generated registration, and then
//! verifies the same `AuthenticationResponseJSON` bytes: JSON parsing, client data checks, authenticator data
//! checks and the signature. The assertion has signCount 0 (an authenticator without a counter), so it
//! verifies again and again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use generator::{Algorithm, AssertionDraft, AttestationKind, Generator, RegistrationDraft, Rp};

pub const RP_ID: &str = "localhost";
pub const ORIGIN: &str = "http://localhost:8080";
/// The generator's seed: the same seed gives the same keys, registration and assertion, byte for byte.
pub const SEED: u64 = 20_250_601;

/// The generated inputs for one credential algorithm.
pub struct Ceremony {
    pub alg: Algorithm,
    /// 64 random bytes, the size the spec recommends (and webauthn_rp's `UserHandle64`).
    pub user_handle: [u8; 64],
    pub credential_id: Vec<u8>,
    pub registration_challenge: Vec<u8>,
    /// `RegistrationResponseJSON`, attestation `none`.
    pub registration_json: Vec<u8>,
    pub assertion_challenge: Vec<u8>,
    /// `AuthenticationResponseJSON` with a userHandle, signCount 0, UP set: what every implementation verifies.
    pub assertion_json: Vec<u8>,
    /// The same assertion with the last byte of its signature flipped: a control every implementation must refuse.
    pub tampered_json: Vec<u8>,
    /// For the floors: the credential's key pair (the public half is used), the signed message
    /// (authenticatorData || SHA-256(clientDataJSON)) and the signature, all from the assertion above.
    pub key: generator::KeyPair,
    pub message: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Ceremony {
    pub fn new(alg: Algorithm) -> Ceremony {
        let rp = Rp::new(RP_ID, ORIGIN);
        let mut gen = Generator::new(SEED);
        let cred = gen.credential(alg, 32);
        let user_handle: [u8; 64] = gen.bytes(64).try_into().expect("64 bytes");
        // 16-byte challenges: the spec's minimum, and the only size webauthn_rp issues and accepts.
        let registration_challenge = gen.bytes(16);
        let registration =
            RegistrationDraft::new(&rp, &cred, &registration_challenge, 0).sign(&cred, AttestationKind::None);
        let assertion_challenge = gen.bytes(16);
        let assertion =
            AssertionDraft::new(&rp, &cred, &assertion_challenge, 0, 0, Some(user_handle.to_vec()))
                .sign(&cred);
        let mut tampered = assertion.clone();
        *tampered.signature.last_mut().expect("a signature") ^= 1;
        let mut message = assertion.authenticator_data.clone();
        message.extend_from_slice(&verifier::crypto::sha256(&assertion.client_data_json));
        Ceremony {
            alg,
            user_handle,
            credential_id: cred.id.clone(),
            registration_challenge,
            registration_json: serde_json::to_vec(&registration.to_json()).expect("JSON"),
            assertion_challenge,
            assertion_json: serde_json::to_vec(&assertion.to_json()).expect("JSON"),
            tampered_json: serde_json::to_vec(&tampered.to_json()).expect("JSON"),
            key: cred.key.clone(),
            message,
            signature: assertion.signature.clone(),
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

/// This project's verifier (`verifier::verify_authentication`), with one crypto provider.
pub mod ours {
    use super::*;
    use verifier::crypto::{CryptoProvider, Provider};
    use verifier::{
        AuthenticationExpectations, AuthenticationOutcome, AuthenticationResponse, CredentialRecord,
        CredentialStore, Policy, RegistrationExpectations, RegistrationResponse, Rejection,
    };

    /// A store holding one account with one credential record (its key made ready once, at registration).
    struct OneRecord {
        user: Vec<u8>,
        record: Option<CredentialRecord>,
    }

    impl CredentialStore for OneRecord {
        fn is_registered(&self, id: &[u8]) -> bool {
            self.record.as_ref().is_some_and(|r| r.id == id)
        }
        fn find(&self, user: &[u8], id: &[u8]) -> Option<CredentialRecord> {
            self.record.as_ref().filter(|r| user == self.user && r.id == id).cloned()
        }
    }

    pub struct Ours {
        policy: Policy,
        store: OneRecord,
        expectations: AuthenticationExpectations,
    }

    impl Ours {
        /// Registers the credential under `policy.crypto = Provider(provider)`.
        pub fn new(c: &Ceremony, provider: &'static dyn CryptoProvider) -> Result<Ours, String> {
            let mut policy = Policy::new(RP_ID, ORIGIN);
            policy.crypto = Provider(provider);
            let registration =
                RegistrationResponse::from_json_bytes(&c.registration_json).map_err(|r| r.to_string())?;
            let expectations = RegistrationExpectations {
                challenge: c.registration_challenge.clone(),
                pub_key_cred_params: vec![c.alg.cose()],
                user_verification_required: false,
                conditional_mediation: false,
            };
            let mut store = OneRecord { user: c.user_handle.to_vec(), record: None };
            let outcome =
                verifier::verify_registration(&registration, &expectations, &policy, &store, unix_now())
                    .map_err(|r| format!("registration refused: {r}"))?;
            if outcome.record.key().provider().name() != provider.name() {
                return Err("the record's key is not the requested provider's".into());
            }
            store.record = Some(outcome.record);
            let expectations = AuthenticationExpectations {
                challenge: c.assertion_challenge.clone(),
                allow_credentials: vec![c.credential_id.clone()],
                user_verification_required: false,
                identified_user: Some(c.user_handle.to_vec()),
            };
            Ok(Ours { policy, store, expectations })
        }

        /// The timed part: `AuthenticationResponseJSON` bytes to the outcome (§7.2 steps 3-24).
        pub fn verify(&self, json: &[u8]) -> Result<AuthenticationOutcome, Rejection> {
            let response = AuthenticationResponse::from_json_bytes(json)?;
            verifier::verify_authentication(&response, &self.expectations, &self.policy, &self.store)
        }
    }
}

/// webauthn-rs-core (`WebauthnCore::authenticate_credential`): the core of webauthn-rs, on OpenSSL.
pub mod rs_core {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde::{de::DeserializeOwned, Serialize};
    use webauthn_rs_core::error::WebauthnError;
    use webauthn_rs_core::proto::{
        AttestationConveyancePreference, AuthenticationResult, AuthenticationState, COSEAlgorithm,
        PublicKeyCredential, RegisterPublicKeyCredential,
    };
    use webauthn_rs_core::WebauthnCore;

    pub struct RsCore {
        core: WebauthnCore,
        state: AuthenticationState,
    }

    /// The library draws a random challenge for each ceremony. Its state is serde data meant to be persisted
    /// between the two halves of a ceremony; it is stored and reloaded here with the generated ceremony's
    /// challenge in place of the random one, so that every implementation verifies the same bytes.
    fn with_challenge<T: Serialize + DeserializeOwned>(state: T, challenge: &[u8]) -> Result<T, String> {
        let mut stored = serde_json::to_value(state).map_err(|e| e.to_string())?;
        let slot = stored.get_mut("challenge").ok_or("the state has no challenge member")?;
        *slot = serde_json::Value::String(URL_SAFE_NO_PAD.encode(challenge));
        serde_json::from_value(stored).map_err(|e| e.to_string())
    }

    fn cose(alg: Algorithm) -> COSEAlgorithm {
        match alg {
            Algorithm::Es256 => COSEAlgorithm::ES256,
            Algorithm::Es384 => COSEAlgorithm::ES384,
            Algorithm::Rs256 => COSEAlgorithm::RS256,
            Algorithm::EdDsa => COSEAlgorithm::EDDSA,
        }
    }

    impl RsCore {
        pub fn new(c: &Ceremony) -> Result<RsCore, String> {
            let origin = url::Url::parse(ORIGIN).map_err(|e| e.to_string())?;
            let core = WebauthnCore::new_unsafe_experts_only(
                "bench",
                RP_ID,
                vec![origin],
                Duration::from_secs(300),
                None,
                None,
            );
            let e = |e: WebauthnError| e.to_string();
            let builder = core
                .new_challenge_register_builder(&c.user_handle, "user", "User")
                .map_err(e)?
                .attestation(AttestationConveyancePreference::None)
                .credential_algorithms(vec![cose(c.alg)]);
            let (_options, state) = core.generate_challenge_register(builder).map_err(e)?;
            let state = with_challenge(state, &c.registration_challenge)?;
            let registration: RegisterPublicKeyCredential =
                serde_json::from_slice(&c.registration_json).map_err(|e| e.to_string())?;
            let credential = core
                .register_credential(&registration, &state, None)
                .map_err(|e| format!("registration refused: {e}"))?;
            // Non-discoverable, as the others: the credential is in allowCredentials; UV policy as registered.
            let builder = core.new_challenge_authenticate_builder(vec![credential], None).map_err(e)?;
            let (_options, state) = core.generate_challenge_authenticate(builder).map_err(e)?;
            let state = with_challenge(state, &c.assertion_challenge)?;
            Ok(RsCore { core, state })
        }

        /// The timed part: JSON bytes to the library's result (the state is borrowed, not consumed).
        pub fn verify(&self, json: &[u8]) -> Result<AuthenticationResult, String> {
            let response: PublicKeyCredential = serde_json::from_slice(json).map_err(|e| e.to_string())?;
            self.core.authenticate_credential(&response, &self.state).map_err(|e| e.to_string())
        }
    }
}

/// webauthn_rp 0.3.0 (`NonDiscoverableAuthenticationServerState::verify`), on RustCrypto.
pub mod rp {
    use super::*;
    use std::borrow::Borrow;
    use std::num::NonZeroU32;
    use webauthn_rp::bin::{Decode, Encode};
    use webauthn_rp::request::auth::{AllowedCredentials, AuthenticationVerificationOptions};
    use webauthn_rp::request::register::{
        PublicKeyCredentialUserEntity, RegistrationVerificationOptions, UserHandle64, Username,
    };
    use webauthn_rp::request::{AsciiDomain, Credentials, PublicKeyCredentialDescriptor, RpId};
    use webauthn_rp::response::register::{CompressedPubKey, DynamicState, StaticState};
    use webauthn_rp::response::{CredentialId, SentChallenge};
    use webauthn_rp::{
        AuthenticatedCredential, NonDiscoverableAuthentication64, NonDiscoverableAuthenticationServerState,
        NonDiscoverableCredentialRequestOptions, PublicKeyCredentialCreationOptions, Registration,
        RegistrationServerState,
    };

    /// A stored public key, in the form the library's docs load it (P-256 and P-384 points compressed).
    type Key = CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>;

    pub struct WebauthnRp {
        rp_id: RpId,
        user: UserHandle64,
        id: CredentialId<Vec<u8>>,
        /// `StaticState` as stored (`bin::Encode`).
        static_state: Vec<u8>,
        dynamic_state: DynamicState,
        /// The authentication server state as stored (`serializable_server_state`), with the ceremony's challenge.
        state: Vec<u8>,
    }

    /// The per-ceremony inputs `verify` consumes or mutates, made fresh for each timed run.
    pub struct Fresh<'a> {
        state: NonDiscoverableAuthenticationServerState,
        credential: AuthenticatedCredential<'a, 'a, 64, Key>,
    }

    /// The library draws a random challenge for each ceremony and keeps it in a server state that
    /// `serializable_server_state` stores as bytes. The stored state is reloaded here with the generated
    /// ceremony's challenge (as the library reads it from clientDataJSON) in place of the random one.
    fn with_challenge(
        stored: Vec<u8>,
        random: SentChallenge,
        wanted: SentChallenge,
    ) -> Result<Vec<u8>, String> {
        let (from, to) = (random.0.to_le_bytes(), wanted.0.to_le_bytes());
        let at = stored
            .windows(16)
            .position(|w| w == from)
            .ok_or("the random challenge is not in the stored state")?;
        let mut stored = stored;
        stored[at..at + 16].copy_from_slice(&to);
        Ok(stored)
    }

    fn check(loaded: &impl Borrow<SentChallenge>, wanted: SentChallenge) -> Result<(), String> {
        if *loaded.borrow() == wanted {
            Ok(())
        } else {
            Err("the reloaded state does not carry the ceremony's challenge".into())
        }
    }

    fn options() -> AuthenticationVerificationOptions<'static, 'static, &'static str, &'static str> {
        AuthenticationVerificationOptions {
            allowed_origins: &[ORIGIN],
            // The library's strict client data parsing (the WebAuthn "limited verification algorithm"), as
            // without the serde_relaxed feature, which is on here only to read the registration.
            client_data_json_relaxed: false,
            ..AuthenticationVerificationOptions::default()
        }
    }

    impl WebauthnRp {
        pub fn new(c: &Ceremony) -> Result<WebauthnRp, String> {
            let e = |e: &dyn std::fmt::Display| e.to_string();
            let rp_id = RpId::Domain(AsciiDomain::try_from(RP_ID.to_owned()).map_err(|x| e(&x))?);
            let user = match UserHandle64::decode(c.user_handle) {
                Ok(u) => u,
                Err(never) => match never {},
            };

            // Registration, through the library, from the generated registration.
            let registration = Registration::from_json_relaxed(&c.registration_json).map_err(|x| e(&x))?;
            let sent = registration.challenge().map_err(|x| e(&x))?;
            let entity = PublicKeyCredentialUserEntity {
                name: Username::try_from("user").map_err(|x| e(&x))?,
                id: &user,
                display_name: None,
            };
            let mut creation = PublicKeyCredentialCreationOptions::second_factor(&rp_id, entity, Vec::new());
            creation.timeout = NonZeroU32::new(3_600_000).expect("nonzero");
            let (server, _client) = creation.start_ceremony().map_err(|x| e(&x))?;
            let random = *Borrow::<SentChallenge>::borrow(&server);
            let stored = server.encode().map_err(|x| e(&x))?;
            let server =
                RegistrationServerState::<64>::decode(with_challenge(stored, random, sent)?.as_slice())
                    .map_err(|x| e(&x))?;
            check(&server, sent)?;
            let reg_options = RegistrationVerificationOptions::<&str, &str> {
                allowed_origins: &[ORIGIN],
                ..RegistrationVerificationOptions::default()
            };
            let registered = server
                .verify(&rp_id, &registration, &reg_options)
                .map_err(|x| format!("registration refused: {x}"))?;
            let id: CredentialId<Vec<u8>> = registered.id().into();
            let transports = registered.transports();
            let static_state = match registered.static_state().encode() {
                Ok(bytes) => bytes,
                Err(never) => match never {},
            };
            let dynamic_state = registered.dynamic_state();

            // The authentication ceremony's server state, stored with the generated assertion's challenge.
            let assertion =
                NonDiscoverableAuthentication64::from_json_relaxed(&c.assertion_json).map_err(|x| e(&x))?;
            let sent = assertion.challenge().map_err(|x| e(&x))?;
            let mut allowed = AllowedCredentials::with_capacity(1);
            allowed.push(PublicKeyCredentialDescriptor { id: id.clone(), transports }.into());
            let mut request =
                NonDiscoverableCredentialRequestOptions::second_factor(&rp_id, allowed).map_err(|x| e(&x))?;
            request.options().timeout = NonZeroU32::new(3_600_000).expect("nonzero");
            let (server, _client) = request.start_ceremony().map_err(|x| e(&x))?;
            let random = *Borrow::<SentChallenge>::borrow(&server);
            let state = with_challenge(server.encode().map_err(|x| e(&x))?, random, sent)?;
            let me = WebauthnRp { rp_id, user, id, static_state, dynamic_state, state };
            check(&me.fresh()?.state, sent)?;
            Ok(me)
        }

        /// The untimed setup of one run: the server state and the credential, loaded from storage.
        pub fn fresh(&self) -> Result<Fresh<'_>, String> {
            let state = NonDiscoverableAuthenticationServerState::decode(self.state.as_slice())
                .map_err(|e| e.to_string())?;
            let static_state =
                StaticState::<Key>::decode(self.static_state.as_slice()).map_err(|e| e.to_string())?;
            let credential =
                AuthenticatedCredential::new((&self.id).into(), &self.user, static_state, self.dynamic_state)
                    .map_err(|e| e.to_string())?;
            Ok(Fresh { state, credential })
        }

        /// The timed part: JSON bytes (the library's strict `Deserialize`, i.e. the Level 3
        /// `AuthenticationResponseJSON`) to the verdict. Returns whether the credential's dynamic state changed.
        pub fn verify(&self, fresh: Fresh<'_>, json: &[u8]) -> Result<bool, String> {
            let Fresh { state, mut credential } = fresh;
            let response: NonDiscoverableAuthentication64 =
                serde_json::from_slice(json).map_err(|e| e.to_string())?;
            state.verify(&self.rp_id, &response, &mut credential, &options()).map_err(|e| e.to_string())
        }
    }
}

/// The floors: the bare signature check over the assertion's signed bytes (authenticatorData ||
/// SHA-256(clientDataJSON)), with the public key made ready once. One pure-Rust crate and AWS-LC per algorithm.
pub mod floor {
    use super::*;
    use aws_lc_rs::signature::{self as aws, ParsedPublicKey};
    use generator::KeyPair;
    use rsa::pkcs1::EncodeRsaPublicKey as _;
    use rsa::signature::Verifier as _;

    /// A ready key and its check: `verify(message, signature)`.
    pub type Check = Box<dyn Fn(&[u8], &[u8]) -> bool>;

    /// ed25519-dalek's `verify_strict` (what our verifier's pure-Rust provider calls: it also refuses
    /// small-order keys and R, and non-canonical R), next to the plain `Verifier::verify` of [`rust`].
    pub fn ed25519_strict(c: &Ceremony) -> Option<(&'static str, Check)> {
        let KeyPair::EdDsa(sk) = &c.key else { return None };
        let key = sk.verifying_key();
        let check = move |m: &[u8], s: &[u8]| {
            ed25519_dalek::Signature::from_slice(s).is_ok_and(|sig| key.verify_strict(m, &sig).is_ok())
        };
        Some(("ed25519-dalek-strict", Box::new(check)))
    }

    /// The pure-Rust floor: (name, check).
    pub fn rust(c: &Ceremony) -> (&'static str, Check) {
        match &c.key {
            KeyPair::Es256(sk) => {
                let key = *sk.verifying_key();
                let check = move |m: &[u8], der: &[u8]| {
                    p256::ecdsa::Signature::from_der(der).is_ok_and(|sig| key.verify(m, &sig).is_ok())
                };
                ("p256", Box::new(check))
            }
            KeyPair::Rs256(sk) => {
                let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(rsa_public(sk));
                let check = move |m: &[u8], s: &[u8]| {
                    rsa::pkcs1v15::Signature::try_from(s).is_ok_and(|sig| key.verify(m, &sig).is_ok())
                };
                ("rsa", Box::new(check))
            }
            KeyPair::EdDsa(sk) => {
                let key = sk.verifying_key();
                let check = move |m: &[u8], s: &[u8]| {
                    ed25519_dalek::Signature::from_slice(s).is_ok_and(|sig| key.verify(m, &sig).is_ok())
                };
                ("ed25519-dalek", Box::new(check))
            }
            KeyPair::Es384(_) => unimplemented!("ES384 is not benched"),
        }
    }

    /// The AWS-LC floor: a `ParsedPublicKey` made once.
    pub fn aws_lc(c: &Ceremony) -> (&'static str, Check) {
        let key = match &c.key {
            KeyPair::Es256(sk) => ParsedPublicKey::new(
                &aws::ECDSA_P256_SHA256_ASN1,
                sk.verifying_key().to_encoded_point(false).as_bytes(),
            ),
            KeyPair::Rs256(sk) => ParsedPublicKey::new(
                &aws::RSA_PKCS1_2048_8192_SHA256,
                rsa_public(sk).to_pkcs1_der().expect("PKCS#1 DER").as_bytes(),
            ),
            KeyPair::EdDsa(sk) => ParsedPublicKey::new(&aws::ED25519, sk.verifying_key().as_bytes()),
            KeyPair::Es384(_) => unimplemented!("ES384 is not benched"),
        }
        .expect("AWS-LC takes the key");
        ("aws-lc-rs", Box::new(move |m: &[u8], s: &[u8]| key.verify_sig(m, s).is_ok()))
    }

    fn rsa_public(sk: &rsa::pkcs1v15::SigningKey<sha2::Sha256>) -> rsa::RsaPublicKey {
        let private: &rsa::RsaPrivateKey = sk.as_ref();
        private.to_public_key()
    }
}
