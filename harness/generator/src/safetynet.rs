//! A synthetic `android-safetynet` attestation (§8.5): the JWS a SafetyNet attestation returns, signed by a
//! certificate for `attest.android.com` issued under the harness's attestation root ([`crate::pki::root`]).
//!
//! Deterministic: the RS256 signer is a fixed key of the RSA pool (RSASSA-PKCS1-v1_5 is deterministic), the
//! ES256 one a seeded P-256 key (RFC 6979), and `timestampMs` is the ceremony's time
//! ([`crate::ceremony::RegistrationDraft::time`]). Every part is a parameter ([`Parts`]), so a catalogue case
//! can break exactly one.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};
use wire::cbor::Value;

use crate::keys::{rsa_pool, Algorithm, KeyPair};

/// The hostname SafetyNet's signing certificate is issued to.
pub const HOSTNAME: &str = "attest.android.com";
/// The subject of the harness's SafetyNet signing certificate.
pub const SUBJECT: &str = "CN=attest.android.com,O=webauthn-harness,C=US";
/// The `ver` the harness sends (a Google Play Services version number, as real devices send).
pub const VER: &str = "233013044";
/// The package name the payload names.
pub const APK_PACKAGE: &str = "com.google.android.gms";

/// Which key signs the JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// RS256 with a 2048-bit RSA key (what the SafetyNet service uses).
    Rs256,
    /// ES256 with a P-256 key (raw `R || S` in the JWS, RFC 7518 §3.4).
    Es256,
}

impl Signer {
    /// The JWS `alg` name.
    pub fn alg(self) -> &'static str {
        match self {
            Signer::Rs256 => "RS256",
            Signer::Es256 => "ES256",
        }
    }

    /// The signing key: `seed` selects it, so a case can sign with another key of the same kind.
    pub fn key(self, seed: u64) -> KeyPair {
        match self {
            Signer::Rs256 => {
                let i = (seed % 16) as usize;
                KeyPair::Rsa(Algorithm::Rs256, Box::new(rsa_pool::key(i, i + 16)))
            }
            Signer::Es256 => KeyPair::Es256(crate::pki::key_from_seed(0x5afe_0000 ^ seed)),
        }
    }
}

/// The seed of the harness's own SafetyNet signing key.
pub const KEY_SEED: u64 = 3;

/// A certificate for `key` with subject `subject`, issued by the harness's attestation root.
pub fn leaf_cert(key: &KeyPair, subject: &str) -> Vec<u8> {
    crate::device_pki::issue_for_key(subject, 0x05af_e7e7, crate::device_pki::spki_of(&key.cose_key()), &[])
}

/// §8.5 signing procedure: attToBeSigned = SHA-256(authenticatorData || clientDataHash); SafetyNet returns
/// its standard padded Base64 as the payload's `nonce`.
pub fn nonce(auth_data: &[u8], client_data_hash: &[u8]) -> String {
    STANDARD.encode(Sha256::new().chain_update(auth_data).chain_update(client_data_hash).finalize())
}

/// The payload of a passing compatibility check made at `timestamp_ms` for `nonce`.
pub fn payload(nonce: &str, timestamp_ms: u64) -> Map<String, Json> {
    let v = json!({
        "nonce": nonce,
        "timestampMs": timestamp_ms,
        "apkPackageName": APK_PACKAGE,
        "apkDigestSha256": STANDARD.encode(Sha256::digest(b"webauthn-harness apk")),
        "ctsProfileMatch": true,
        "apkCertificateDigestSha256": [STANDARD.encode(Sha256::digest(b"webauthn-harness apk certificate"))],
        "basicIntegrity": true,
        "evaluationType": "BASIC,HARDWARE_BACKED",
    });
    match v {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

/// Every part of a SafetyNet statement.
#[derive(Debug, Clone)]
pub struct Parts {
    pub ver: String,
    /// The header's `alg` as written (normally `signer.alg()`).
    pub alg: String,
    /// The key kind that signs, and its seed.
    pub signer: Signer,
    pub key_seed: u64,
    /// The header's `x5c` (DER, standard Base64 in the header); `None` leaves the member out.
    pub x5c: Option<Vec<Vec<u8>>>,
    pub payload: Map<String, Json>,
}

impl Parts {
    /// The valid parts for this authenticator data and clientDataHash at `time` (Unix seconds), signed by
    /// `signer`.
    pub fn valid(auth_data: &[u8], client_data_hash: &[u8], time: u64, signer: Signer) -> Parts {
        let key = signer.key(KEY_SEED);
        Parts {
            ver: VER.to_owned(),
            alg: signer.alg().to_owned(),
            signer,
            key_seed: KEY_SEED,
            x5c: Some(vec![leaf_cert(&key, SUBJECT)]),
            payload: payload(&nonce(auth_data, client_data_hash), time.saturating_mul(1000)),
        }
    }

    /// The JWS compact serialization.
    pub fn response(&self) -> String {
        let mut header = Map::new();
        header.insert("alg".into(), Json::String(self.alg.clone()));
        if let Some(x5c) = &self.x5c {
            header.insert("x5c".into(), wire::jws::x5c_value(x5c));
        }
        let payload = serde_json::to_vec(&self.payload).unwrap_or_default();
        let key = self.signer.key(self.key_seed);
        wire::jws::build(&header, &payload, |input| jws_sign(&key, input))
    }

    /// The attStmt map.
    pub fn statement(&self) -> Value {
        statement(&self.ver, self.response().as_bytes())
    }
}

/// A JWS signature by `key`: RSASSA-PKCS1-v1_5 as is, ECDSA as raw `R || S` (RFC 7518 §3.4).
pub fn jws_sign(key: &KeyPair, input: &[u8]) -> Vec<u8> {
    let sig = key.sign(input);
    match key {
        KeyPair::Es256(_) => wire::jws::ecdsa_der_to_raw(&sig, 32).unwrap_or_default(),
        _ => sig,
    }
}

/// `{ ver, response }`.
pub fn statement(ver: &str, response: &[u8]) -> Value {
    Value::Map(vec![
        (Value::from("ver"), Value::from(ver)),
        (Value::from("response"), Value::Bytes(response.to_vec())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_valid_response_parses_and_carries_the_nonce() {
        for signer in [Signer::Rs256, Signer::Es256] {
            let parts = Parts::valid(b"auth", &[7; 32], 1_748_736_000, signer);
            let jws = wire::jws::parse(&parts.response()).unwrap();
            assert_eq!(jws.header.alg, signer.alg());
            assert_eq!(jws.header.x5c.as_ref().map(Vec::len), Some(1));
            let p = jws.payload_json().unwrap();
            assert_eq!(p["nonce"], nonce(b"auth", &[7; 32]));
            assert_eq!(p["timestampMs"], 1_748_736_000_000u64);
            if signer == Signer::Es256 {
                assert_eq!(jws.signature.len(), 64);
            }
        }
        // Deterministic.
        let a = Parts::valid(b"auth", &[7; 32], 5, Signer::Es256).response();
        assert_eq!(a, Parts::valid(b"auth", &[7; 32], 5, Signer::Es256).response());
    }
}
