//! Ceremonies in three stages, so that a case can change any part of any stage:
//!
//! 1. a **draft**: the client data and the authenticator data as plain values, nothing signed yet;
//! 2. **signed**: the attestation statement or assertion signature made over the draft's bytes, every part
//!    still plain data (a mutation here breaks the signature on purpose);
//! 3. the **JSON** the client posts (`RegistrationResponseJSON` / `AuthenticationResponseJSON`, §5.1).

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use wire::attestation_object::AttestationObject;
use wire::authdata::{AttestedCredentialData, AuthenticatorData, Flags};
use wire::base64url;
use wire::cbor::Value;
use wire::client_data;

use crate::keys::{Algorithm, KeyPair};

/// The seeded source of every random value the generator uses. The same seed gives the same bytes.
pub struct Generator {
    rng: ChaCha20Rng,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { rng: ChaCha20Rng::seed_from_u64(seed) }
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        self.rng.fill_bytes(&mut b);
        b
    }

    /// A new credential: a key of `algorithm`, a random credential ID of `id_len` bytes, a random AAGUID.
    pub fn credential(&mut self, algorithm: Algorithm, id_len: usize) -> Credential {
        let key = KeyPair::generate(algorithm, &mut self.rng);
        let id = self.bytes(id_len);
        let mut aaguid = [0u8; 16];
        self.rng.fill_bytes(&mut aaguid);
        Credential { id, key, aaguid }
    }

    /// A fresh challenge of 32 bytes.
    pub fn challenge(&mut self) -> Vec<u8> {
        self.bytes(32)
    }

    pub fn rng(&mut self) -> &mut ChaCha20Rng {
        &mut self.rng
    }
}

/// A credential the software authenticator holds.
#[derive(Debug, Clone)]
pub struct Credential {
    pub id: Vec<u8>,
    pub key: KeyPair,
    pub aaguid: [u8; 16],
}

impl Credential {
    /// The attested credential data for this credential (§6.5.1).
    pub fn attested_data(&self) -> AttestedCredentialData {
        AttestedCredentialData {
            aaguid: self.aaguid,
            credential_id: self.id.clone(),
            credential_public_key: self.key.cose_key().to_bytes(),
        }
    }
}

/// The relying party as the client and authenticator see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rp {
    pub id: String,
    pub origin: String,
}

impl Rp {
    pub fn new(id: &str, origin: &str) -> Rp {
        Rp { id: id.to_owned(), origin: origin.to_owned() }
    }

    pub fn id_hash(&self) -> [u8; 32] {
        Sha256::digest(self.id.as_bytes()).into()
    }
}

/// Client data in browser order (§5.8.1.1) for a ceremony of `type_` ("webauthn.create"/"webauthn.get").
pub fn browser_client_data(type_: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
    client_data::serialize(type_, &base64url::encode(challenge), origin, false, None, &[])
}

/// The attestation statement format the authenticator produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AttestationKind {
    /// `none` (§8.7): an empty attStmt.
    None,
    /// `packed` self attestation (§8.2): signed by the credential key, no x5c.
    PackedSelf,
    /// `packed` with an x5c chain (§8.2): signed by an attestation key certified under [`crate::pki::root`].
    PackedX5c,
    /// `fido-u2f` (§8.6): the U2F signature over the registration data, one attestation certificate.
    FidoU2f,
    /// `apple` (§8.8): a credCert for the credential key with the nonce extension, under [`crate::pki::root`].
    Apple,
    /// `android-key` (§8.4): signed by the credential key, whose certificate under [`crate::pki::root`]
    /// carries a KeyDescription (a TEE-generated signing key attested for this clientDataHash).
    AndroidKey,
    /// `tpm` (§8.3): pubArea and certInfo of a software TPM, ES256 by an AIK certified under
    /// [`crate::pki::root`] ([`crate::tpm`]).
    Tpm,
    /// `android-safetynet` (§8.5): a SafetyNet JWS (RS256) whose nonce is SHA-256(authenticatorData ||
    /// clientDataHash), signed by an attest.android.com certificate under [`crate::pki::root`], stamped
    /// with the draft's time ([`crate::safetynet`]).
    AndroidSafetynet,
    /// `compound` (§8.9): the statements of [`COMPOUND_PARTS`] (packed x5c and tpm) over the same
    /// authenticator data and client data hash, each as `{fmt, attStmt}`.
    Compound,
}

/// The sub-statements of [`AttestationKind::Compound`], in order.
pub const COMPOUND_PARTS: [AttestationKind; 2] = [AttestationKind::PackedX5c, AttestationKind::Tpm];

impl AttestationKind {
    /// Whether the statement's trust path chains to the harness's attestation root ([`crate::pki::root`]), so
    /// only an RP that trusts it accepts it ([`crate::target::Need::HarnessPki`]).
    pub fn chains_to_harness_root(self) -> bool {
        match self {
            AttestationKind::None | AttestationKind::PackedSelf => false,
            AttestationKind::PackedX5c
            | AttestationKind::FidoU2f
            | AttestationKind::Apple
            | AttestationKind::AndroidKey
            | AttestationKind::Tpm
            | AttestationKind::AndroidSafetynet
            | AttestationKind::Compound => true,
        }
    }

    pub fn fmt(self) -> &'static str {
        match self {
            AttestationKind::None => "none",
            AttestationKind::PackedSelf | AttestationKind::PackedX5c => "packed",
            AttestationKind::FidoU2f => "fido-u2f",
            AttestationKind::Apple => "apple",
            AttestationKind::AndroidKey => "android-key",
            AttestationKind::Tpm => "tpm",
            AttestationKind::AndroidSafetynet => "android-safetynet",
            AttestationKind::Compound => "compound",
        }
    }
}

/// Stage 1 of a registration: what will be attested, not yet signed.
#[derive(Debug, Clone)]
pub struct RegistrationDraft {
    pub client_data_json: Vec<u8>,
    pub auth_data: AuthenticatorData,
    pub raw_id: Vec<u8>,
    pub transports: Vec<String>,
    /// The authenticator's clock when it makes the attestation, Unix seconds (the SafetyNet `timestampMs`):
    /// [`FIXED_TIME`] unless the client's clock says otherwise ([`crate::client::ClientConfig::clock`]).
    pub time: u64,
}

/// The ceremonies' fixed time (2025-06-01T00:00:00Z), at which the vectors are checked.
pub const FIXED_TIME: u64 = 1_748_736_000;

impl RegistrationDraft {
    /// A valid draft: browser-order client data, UP set (plus `extra_flags`), AT with the credential, counter 0.
    pub fn new(rp: &Rp, credential: &Credential, challenge: &[u8], extra_flags: u8) -> RegistrationDraft {
        RegistrationDraft {
            client_data_json: browser_client_data("webauthn.create", challenge, &rp.origin),
            auth_data: AuthenticatorData {
                rp_id_hash: rp.id_hash(),
                flags: Flags(Flags::UP | Flags::AT | extra_flags),
                sign_count: 0,
                attested_credential_data: Some(credential.attested_data()),
                extensions: None,
            },
            raw_id: credential.id.clone(),
            transports: vec!["internal".to_owned()],
            time: FIXED_TIME,
        }
    }

    /// Stage 2: make the attestation statement over these bytes.
    pub fn sign(&self, credential: &Credential, kind: AttestationKind) -> SignedRegistration {
        let auth_data = self.auth_data.to_bytes();
        let client_data_hash: [u8; 32] = Sha256::digest(&self.client_data_json).into();
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&client_data_hash);
        let att_stmt = match kind {
            AttestationKind::None => Value::Map(vec![]),
            AttestationKind::PackedSelf => Value::Map(vec![
                (Value::from("alg"), Value::from(credential.key.algorithm().cose())),
                (Value::from("sig"), Value::Bytes(credential.key.sign(&signed))),
            ]),
            AttestationKind::PackedX5c => {
                let aaguid =
                    self.auth_data.attested_credential_data.as_ref().map_or(credential.aaguid, |a| a.aaguid);
                let leaf = crate::pki::packed_leaf(aaguid);
                Value::Map(vec![
                    (Value::from("alg"), Value::from(wire::cose::alg::ES256)),
                    (Value::from("sig"), Value::Bytes(sign_p256(&leaf.key, &signed))),
                    (Value::from("x5c"), Value::Array(vec![Value::Bytes(leaf.der)])),
                ])
            }
            AttestationKind::FidoU2f => {
                let leaf = crate::pki::u2f_leaf();
                let data = u2f_registration_data(&self.auth_data, &client_data_hash);
                Value::Map(vec![
                    (Value::from("sig"), Value::Bytes(sign_p256(&leaf.key, &data))),
                    (Value::from("x5c"), Value::Array(vec![Value::Bytes(leaf.der)])),
                ])
            }
            AttestationKind::Apple => {
                let nonce = crate::device_pki::apple_nonce(&auth_data, &client_data_hash);
                let cert = crate::device_pki::apple_cred_cert(
                    &credential.key.cose_key(),
                    Some(crate::device_pki::apple_nonce_extension(&nonce)),
                );
                Value::Map(vec![(Value::from("x5c"), Value::Array(vec![Value::Bytes(cert)]))])
            }
            AttestationKind::AndroidKey => {
                let kd = crate::device_pki::KeyDescription::valid(&client_data_hash).to_der();
                let cert = crate::device_pki::android_key_cert(&credential.key.cose_key(), Some(kd));
                Value::Map(vec![
                    (Value::from("alg"), Value::from(credential.key.algorithm().cose())),
                    (Value::from("sig"), Value::Bytes(credential.key.sign(&signed))),
                    (Value::from("x5c"), Value::Array(vec![Value::Bytes(cert)])),
                ])
            }
            AttestationKind::Tpm => {
                // The key the authenticator data attests (a case may have changed it before signing).
                let key = self
                    .auth_data
                    .attested_credential_data
                    .as_ref()
                    .and_then(|a| wire::cose::CoseKey::parse(&a.credential_public_key).ok())
                    .map_or_else(|| credential.key.cose_key(), |parsed| parsed.key);
                crate::tpm::statement(&key, &signed)
            }
            AttestationKind::AndroidSafetynet => crate::safetynet::Parts::valid(
                &auth_data,
                &client_data_hash,
                self.time,
                crate::safetynet::Signer::Rs256,
            )
            .statement(),
            AttestationKind::Compound => Value::Array(
                COMPOUND_PARTS
                    .iter()
                    .map(|&part| {
                        let sub = self.sign(credential, part).attestation_object.att_stmt;
                        Value::Map(vec![
                            (Value::from("fmt"), Value::from(part.fmt())),
                            (Value::from("attStmt"), sub),
                        ])
                    })
                    .collect(),
            ),
        };
        SignedRegistration {
            id: base64url::encode(&self.raw_id),
            raw_id: self.raw_id.clone(),
            type_: "public-key".to_owned(),
            client_data_json: self.client_data_json.clone(),
            attestation_object: AttestationObject {
                fmt: kind.fmt().to_owned(),
                att_stmt,
                auth_data,
                extra: vec![],
            },
            transports: self.transports.clone(),
        }
    }
}

/// An ES256 signature (DER) by an attestation key.
pub fn sign_p256(key: &p256::ecdsa::SigningKey, message: &[u8]) -> Vec<u8> {
    use signature::Signer;
    let sig: p256::ecdsa::Signature = key.sign(message);
    sig.to_der().as_bytes().to_vec()
}

/// §8.6 verificationData: `0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F`, where
/// publicKeyU2F is `0x04 || x || y` of the credential's EC2 key.
pub fn u2f_registration_data(auth_data: &AuthenticatorData, client_data_hash: &[u8; 32]) -> Vec<u8> {
    let mut data = vec![0x00];
    data.extend_from_slice(&auth_data.rp_id_hash);
    data.extend_from_slice(client_data_hash);
    if let Some(a) = &auth_data.attested_credential_data {
        data.extend_from_slice(&a.credential_id);
        data.push(0x04);
        if let Ok(parsed) = wire::cose::CoseKey::parse(&a.credential_public_key) {
            if let wire::cose::CoseKey::Ec2 { x, y, .. } = parsed.key {
                data.extend_from_slice(&x);
                data.extend_from_slice(&y);
            }
        }
    }
    data
}

/// Stage 2 of a registration: everything the client sends, as plain values.
#[derive(Debug, Clone)]
pub struct SignedRegistration {
    pub id: String,
    pub raw_id: Vec<u8>,
    pub type_: String,
    pub client_data_json: Vec<u8>,
    pub attestation_object: AttestationObject,
    pub transports: Vec<String>,
}

impl SignedRegistration {
    /// Stage 3: `RegistrationResponseJSON` (§5.1), attestation object in canonical CBOR.
    pub fn to_json(&self) -> Json {
        self.to_json_with(&self.attestation_object.to_bytes())
    }

    /// Stage 3 with the attestation object bytes given (for encodings the struct cannot express).
    pub fn to_json_with(&self, attestation_object: &[u8]) -> Json {
        json!({
            "id": self.id,
            "rawId": base64url::encode(&self.raw_id),
            "type": self.type_,
            "response": {
                "clientDataJSON": base64url::encode(&self.client_data_json),
                "attestationObject": base64url::encode(attestation_object),
                "transports": self.transports,
            },
            "clientExtensionResults": {},
        })
    }
}

/// Stage 1 of an authentication: what will be signed.
#[derive(Debug, Clone)]
pub struct AssertionDraft {
    pub client_data_json: Vec<u8>,
    pub auth_data: AuthenticatorData,
    pub raw_id: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

impl AssertionDraft {
    /// A valid draft: browser-order client data, UP set (plus `extra_flags`), the given counter.
    pub fn new(
        rp: &Rp,
        credential: &Credential,
        challenge: &[u8],
        extra_flags: u8,
        sign_count: u32,
        user_handle: Option<Vec<u8>>,
    ) -> AssertionDraft {
        AssertionDraft {
            client_data_json: browser_client_data("webauthn.get", challenge, &rp.origin),
            auth_data: AuthenticatorData {
                rp_id_hash: rp.id_hash(),
                flags: Flags(Flags::UP | extra_flags),
                sign_count,
                attested_credential_data: None,
                extensions: None,
            },
            raw_id: credential.id.clone(),
            user_handle,
        }
    }

    /// Stage 2: sign `authenticatorData || SHA-256(clientDataJSON)` (§6.3.3 step 11, §7.2 step 21).
    pub fn sign(&self, credential: &Credential) -> SignedAssertion {
        self.sign_with(|message| credential.key.sign(message))
    }

    /// Stage 2 with another signer: `sign` gets `authenticatorData || SHA-256(clientDataJSON)` and returns
    /// the signature (for a driver that signs with a faster library than the credential's own key).
    pub fn sign_with(&self, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> SignedAssertion {
        let authenticator_data = self.auth_data.to_bytes();
        let mut signed = Vec::with_capacity(authenticator_data.len() + 32);
        signed.extend_from_slice(&authenticator_data);
        signed.extend_from_slice(&Sha256::digest(&self.client_data_json));
        SignedAssertion {
            id: base64url::encode(&self.raw_id),
            raw_id: self.raw_id.clone(),
            type_: "public-key".to_owned(),
            client_data_json: self.client_data_json.clone(),
            authenticator_data,
            signature: sign(&signed),
            user_handle: self.user_handle.clone(),
        }
    }
}

/// Stage 2 of an authentication: everything the client sends, as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAssertion {
    pub id: String,
    pub raw_id: Vec<u8>,
    pub type_: String,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

impl SignedAssertion {
    /// Stage 3: `AuthenticationResponseJSON` (§5.1).
    pub fn to_json(&self) -> Json {
        let mut response = json!({
            "clientDataJSON": base64url::encode(&self.client_data_json),
            "authenticatorData": base64url::encode(&self.authenticator_data),
            "signature": base64url::encode(&self.signature),
        });
        if let (Some(h), Some(obj)) = (&self.user_handle, response.as_object_mut()) {
            obj.insert("userHandle".to_owned(), Json::String(base64url::encode(h)));
        }
        json!({
            "id": self.id,
            "rawId": base64url::encode(&self.raw_id),
            "type": self.type_,
            "response": response,
            "clientExtensionResults": {},
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_for_every_algorithm() {
        for alg in Algorithm::ALL {
            let make = || {
                let mut g = Generator::new(7);
                let rp = Rp::new("example.org", "https://example.org");
                let cred = g.credential(alg, 16);
                let challenge = g.challenge();
                let reg = RegistrationDraft::new(&rp, &cred, &challenge, 0)
                    .sign(&cred, AttestationKind::PackedSelf);
                let auth = AssertionDraft::new(&rp, &cred, &challenge, 0, 1, None).sign(&cred);
                (reg.to_json(), auth.to_json())
            };
            assert_eq!(make(), make(), "{alg:?}");
        }
        let a = Generator::new(1).bytes(32);
        let b = Generator::new(2).bytes(32);
        assert_ne!(a, b);
    }

    #[test]
    fn client_data_is_in_browser_order() {
        let cd = browser_client_data("webauthn.get", &[1, 2, 3], "https://example.org");
        assert_eq!(
            String::from_utf8(cd).unwrap(),
            r#"{"type":"webauthn.get","challenge":"AQID","origin":"https://example.org","crossOrigin":false}"#
        );
    }
}
