//! Credential key pairs, generated deterministically from a seeded RNG.

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use rsa::traits::PublicKeyParts;
use signature::Signer;
use wire::cose::{alg, CoseKey, EcCurve, OkpCurve};

/// The algorithms the software authenticator can create credentials for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Algorithm {
    Es256,
    Es384,
    Rs256,
    EdDsa,
}

impl Algorithm {
    pub const ALL: [Algorithm; 4] = [Algorithm::Es256, Algorithm::Es384, Algorithm::Rs256, Algorithm::EdDsa];

    /// The COSE algorithm identifier (§5.8.5).
    pub fn cose(self) -> i64 {
        match self {
            Algorithm::Es256 => alg::ES256,
            Algorithm::Es384 => alg::ES384,
            Algorithm::Rs256 => alg::RS256,
            Algorithm::EdDsa => alg::EDDSA,
        }
    }

    pub fn from_cose(a: i64) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|x| x.cose() == a)
    }

    /// A lowercase slug for ids: `es256`, `es384`, `rs256`, `eddsa`.
    pub fn slug(self) -> &'static str {
        match self {
            Algorithm::Es256 => "es256",
            Algorithm::Es384 => "es384",
            Algorithm::Rs256 => "rs256",
            Algorithm::EdDsa => "eddsa",
        }
    }
}

/// A private key of one of the supported algorithms.
#[derive(Clone)]
pub enum KeyPair {
    Es256(p256::ecdsa::SigningKey),
    Es384(p384::ecdsa::SigningKey),
    Rs256(Box<rsa::pkcs1v15::SigningKey<sha2::Sha256>>),
    EdDsa(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair::{:?}", self.algorithm())
    }
}

impl KeyPair {
    /// A new key drawn from `rng`. RSA keys are 2048 bits.
    pub fn generate(algorithm: Algorithm, rng: &mut ChaCha20Rng) -> KeyPair {
        match algorithm {
            Algorithm::Es256 => KeyPair::Es256(p256::ecdsa::SigningKey::random(rng)),
            Algorithm::Es384 => KeyPair::Es384(p384::ecdsa::SigningKey::random(rng)),
            Algorithm::Rs256 => {
                // Generation from a seeded RNG is deterministic; a failure here would be a bug in the rsa crate.
                let key = rsa::RsaPrivateKey::new(rng, 2048).expect("RSA-2048 key generation");
                KeyPair::Rs256(Box::new(rsa::pkcs1v15::SigningKey::new(key)))
            }
            Algorithm::EdDsa => {
                let mut seed = [0u8; 32];
                rng.fill_bytes(&mut seed);
                KeyPair::EdDsa(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
        }
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            KeyPair::Es256(_) => Algorithm::Es256,
            KeyPair::Es384(_) => Algorithm::Es384,
            KeyPair::Rs256(_) => Algorithm::Rs256,
            KeyPair::EdDsa(_) => Algorithm::EdDsa,
        }
    }

    /// The public key as a COSE_Key (§6.5.1.1), with `alg` set.
    pub fn cose_key(&self) -> CoseKey {
        match self {
            KeyPair::Es256(k) => {
                let p = k.verifying_key().to_encoded_point(false);
                CoseKey::Ec2 {
                    alg: alg::ES256,
                    crv: EcCurve::P256,
                    x: p.x().map(|x| x.to_vec()).unwrap_or_default(),
                    y: p.y().map(|y| y.to_vec()).unwrap_or_default(),
                }
            }
            KeyPair::Es384(k) => {
                let p = k.verifying_key().to_encoded_point(false);
                CoseKey::Ec2 {
                    alg: alg::ES384,
                    crv: EcCurve::P384,
                    x: p.x().map(|x| x.to_vec()).unwrap_or_default(),
                    y: p.y().map(|y| y.to_vec()).unwrap_or_default(),
                }
            }
            KeyPair::Rs256(k) => {
                let public = k.as_ref().as_ref().to_public_key();
                CoseKey::Rsa { alg: alg::RS256, n: public.n().to_bytes_be(), e: public.e().to_bytes_be() }
            }
            KeyPair::EdDsa(k) => CoseKey::Okp {
                alg: alg::EDDSA,
                crv: OkpCurve::Ed25519,
                x: k.verifying_key().to_bytes().to_vec(),
            },
        }
    }

    /// Signs `message` as an authenticator does (§6.5.5): ECDSA as DER, RSASSA-PKCS1-v1_5 with SHA-256,
    /// Ed25519 raw. All deterministic (RFC 6979 nonces for ECDSA).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            KeyPair::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Es384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Rs256(k) => {
                let sig: rsa::pkcs1v15::Signature = k.sign(message);
                signature::SignatureEncoding::to_vec(&sig)
            }
            KeyPair::EdDsa(k) => k.sign(message).to_bytes().to_vec(),
        }
    }
}

impl KeyPair {
    /// The private key as a JWK-shaped JSON object (RFC 7517/7518/8037 member names, base64url values), so a
    /// vector pins every key it uses, as the spec's §16 vectors do.
    pub fn private_jwk(&self) -> serde_json::Value {
        use rsa::traits::PrivateKeyParts;
        use wire::base64url::encode as b64;
        match self {
            KeyPair::Es256(_) | KeyPair::Es384(_) => {
                let (crv, d) = match self {
                    KeyPair::Es256(k) => ("P-256", k.to_bytes().to_vec()),
                    KeyPair::Es384(k) => ("P-384", k.to_bytes().to_vec()),
                    _ => unreachable!("matched above"),
                };
                let (x, y) = match self.cose_key() {
                    CoseKey::Ec2 { x, y, .. } => (x, y),
                    _ => (vec![], vec![]),
                };
                serde_json::json!({"kty": "EC", "crv": crv, "x": b64(&x), "y": b64(&y), "d": b64(&d)})
            }
            KeyPair::Rs256(k) => {
                let key: &rsa::RsaPrivateKey = k.as_ref().as_ref();
                let primes = key.primes();
                serde_json::json!({"kty": "RSA", "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be()),
                    "d": b64(&key.d().to_bytes_be()),
                    "p": b64(&primes.first().map(|p| p.to_bytes_be()).unwrap_or_default()),
                    "q": b64(&primes.get(1).map(|q| q.to_bytes_be()).unwrap_or_default())})
            }
            KeyPair::EdDsa(k) => serde_json::json!({"kty": "OKP", "crv": "Ed25519",
                "x": b64(k.verifying_key().as_bytes()), "d": b64(k.as_bytes())}),
        }
    }
}
