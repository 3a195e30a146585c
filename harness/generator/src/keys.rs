//! Credential key pairs, generated deterministically from a seeded RNG.

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use signature::Signer;
use wire::cose::{alg, CoseKey, EcCurve, OkpCurve};

/// The algorithms the software authenticator can create credentials for.
///
/// New variants go at the end: the order is the one of [`Algorithm::ALL`], and of sorted reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Algorithm {
    Es256,
    Es384,
    Rs256,
    EdDsa,
    /// ECDSA over P-521 with SHA-512 (-36).
    Es512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, a 32-byte salt (-37, RFC 8230 §2).
    Ps256,
    /// RSASSA-PSS with SHA-384 (-38).
    Ps384,
    /// RSASSA-PSS with SHA-512 (-39).
    Ps512,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (-258, RFC 8812 §2).
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (-259).
    Rs512,
    /// RSASSA-PKCS1-v1_5 with SHA-1 (-65535, RFC 8812 §2; deprecated, but mandatory in the FIDO conformance tool).
    Rs1,
}

impl Algorithm {
    pub const ALL: [Algorithm; 11] = [
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Rs256,
        Algorithm::EdDsa,
        Algorithm::Es512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Rs1,
    ];

    /// The COSE algorithm identifier (§5.8.5).
    pub fn cose(self) -> i64 {
        match self {
            Algorithm::Es256 => alg::ES256,
            Algorithm::Es384 => alg::ES384,
            Algorithm::Rs256 => alg::RS256,
            Algorithm::EdDsa => alg::EDDSA,
            Algorithm::Es512 => alg::ES512,
            Algorithm::Ps256 => alg::PS256,
            Algorithm::Ps384 => alg::PS384,
            Algorithm::Ps512 => alg::PS512,
            Algorithm::Rs384 => alg::RS384,
            Algorithm::Rs512 => alg::RS512,
            Algorithm::Rs1 => alg::RS1,
        }
    }

    pub fn from_cose(a: i64) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|x| x.cose() == a)
    }

    /// A lowercase slug for ids: `es256`, `es384`, `rs256`, `eddsa`, `es512`, `ps256`, ..., `rs1`.
    pub fn slug(self) -> &'static str {
        match self {
            Algorithm::Es256 => "es256",
            Algorithm::Es384 => "es384",
            Algorithm::Rs256 => "rs256",
            Algorithm::EdDsa => "eddsa",
            Algorithm::Es512 => "es512",
            Algorithm::Ps256 => "ps256",
            Algorithm::Ps384 => "ps384",
            Algorithm::Ps512 => "ps512",
            Algorithm::Rs384 => "rs384",
            Algorithm::Rs512 => "rs512",
            Algorithm::Rs1 => "rs1",
        }
    }

    /// Whether keys of this algorithm are RSA keys (drawn from [`rsa_pool`]).
    pub fn is_rsa(self) -> bool {
        matches!(
            self,
            Algorithm::Rs256
                | Algorithm::Ps256
                | Algorithm::Ps384
                | Algorithm::Ps512
                | Algorithm::Rs384
                | Algorithm::Rs512
                | Algorithm::Rs1
        )
    }
}

/// A private key of one of the supported algorithms.
#[derive(Clone)]
pub enum KeyPair {
    Es256(p256::ecdsa::SigningKey),
    Es384(p384::ecdsa::SigningKey),
    Es512(Box<p521::ecdsa::SigningKey>),
    /// An RSA key and the algorithm it signs with (one of the RSA [`Algorithm`]s).
    Rsa(Algorithm, Box<rsa::RsaPrivateKey>),
    EdDsa(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair::{:?}", self.algorithm())
    }
}

/// `message` hashed with `H`.
fn hash<H: sha2::Digest>(message: &[u8]) -> Vec<u8> {
    H::digest(message).to_vec()
}

impl KeyPair {
    /// A new key drawn from `rng`. RSA keys are 2048 bits, drawn from a fixed pool (see [`rsa_pool`]).
    pub fn generate(algorithm: Algorithm, rng: &mut ChaCha20Rng) -> KeyPair {
        match algorithm {
            Algorithm::Es256 => KeyPair::Es256(p256::ecdsa::SigningKey::random(rng)),
            Algorithm::Es384 => KeyPair::Es384(p384::ecdsa::SigningKey::random(rng)),
            Algorithm::Es512 => KeyPair::Es512(Box::new(p521::ecdsa::SigningKey::random(rng))),
            Algorithm::EdDsa => {
                let mut seed = [0u8; 32];
                rng.fill_bytes(&mut seed);
                KeyPair::EdDsa(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            rsa_alg => KeyPair::Rsa(rsa_alg, Box::new(rsa_pool::draw(rng))),
        }
    }

    /// The same key pair used with another algorithm of its key type (an RSA key with another RSA
    /// algorithm); `None` if `algorithm` does not fit the key.
    pub fn with_algorithm(&self, algorithm: Algorithm) -> Option<KeyPair> {
        match self {
            KeyPair::Rsa(_, key) if algorithm.is_rsa() => Some(KeyPair::Rsa(algorithm, key.clone())),
            _ if self.algorithm() == algorithm => Some(self.clone()),
            _ => None,
        }
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            KeyPair::Es256(_) => Algorithm::Es256,
            KeyPair::Es384(_) => Algorithm::Es384,
            KeyPair::Es512(_) => Algorithm::Es512,
            KeyPair::Rsa(a, _) => *a,
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
            KeyPair::Es512(k) => {
                let p = p521::ecdsa::VerifyingKey::from(k.as_ref()).to_encoded_point(false);
                CoseKey::Ec2 {
                    alg: alg::ES512,
                    crv: EcCurve::P521,
                    x: p.x().map(|x| x.to_vec()).unwrap_or_default(),
                    y: p.y().map(|y| y.to_vec()).unwrap_or_default(),
                }
            }
            KeyPair::Rsa(a, k) => {
                CoseKey::Rsa { alg: a.cose(), n: k.n().to_bytes_be(), e: k.e().to_bytes_be() }
            }
            KeyPair::EdDsa(k) => CoseKey::Okp {
                alg: alg::EDDSA,
                crv: OkpCurve::Ed25519,
                x: k.verifying_key().to_bytes().to_vec(),
            },
        }
    }

    /// Signs `message` as an authenticator does (§6.5.5): ECDSA as DER, RSASSA-PKCS1-v1_5 and RSASSA-PSS
    /// as the bare signature, Ed25519 raw. All deterministic: RFC 6979 nonces for ES256 and ES384, for ES512 a
    /// nonce drawn from an RNG seeded with the key and the message's hash, and a PSS salt drawn
    /// from an RNG seeded with the hash of the modulus and the message (a real signer draws it at random; a
    /// verifier cannot tell).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use sha2::{Sha256, Sha384, Sha512};
        match self {
            KeyPair::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Es384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Es512(k) => {
                use signature::hazmat::RandomizedPrehashSigner;
                // `p521` 0.13 has no RFC 6979 nonces (it draws k from an RNG), so the nonce comes from an RNG
                // seeded with the hash of the private key and the message's hash: deterministic, and secret as
                // long as the key is.
                let digest = hash::<Sha512>(message);
                let mut seed = Sha256::new_with_prefix(k.to_bytes());
                sha2::Digest::update(&mut seed, &digest);
                let mut rng = <ChaCha20Rng as rand_core::SeedableRng>::from_seed(seed.finalize().into());
                let sig: Result<p521::ecdsa::Signature, _> = k.sign_prehash_with_rng(&mut rng, &digest);
                sig.map(|s| s.to_der().as_bytes().to_vec()).unwrap_or_default()
            }
            KeyPair::Rsa(a, k) => {
                let pkcs1 = |padding: rsa::Pkcs1v15Sign, hashed: Vec<u8>| k.sign(padding, &hashed);
                let pss = |padding: rsa::Pss, hashed: Vec<u8>| {
                    let mut seed = Sha256::new_with_prefix(k.n().to_bytes_be());
                    sha2::Digest::update(&mut seed, message);
                    let mut rng = <ChaCha20Rng as rand_core::SeedableRng>::from_seed(seed.finalize().into());
                    k.sign_with_rng(&mut rng, padding, &hashed)
                };
                let sig = match a {
                    Algorithm::Rs1 => {
                        pkcs1(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), hash::<sha1::Sha1>(message))
                    }
                    Algorithm::Rs384 => pkcs1(rsa::Pkcs1v15Sign::new::<Sha384>(), hash::<Sha384>(message)),
                    Algorithm::Rs512 => pkcs1(rsa::Pkcs1v15Sign::new::<Sha512>(), hash::<Sha512>(message)),
                    Algorithm::Ps256 => pss(rsa::Pss::new::<Sha256>(), hash::<Sha256>(message)),
                    Algorithm::Ps384 => pss(rsa::Pss::new::<Sha384>(), hash::<Sha384>(message)),
                    Algorithm::Ps512 => pss(rsa::Pss::new::<Sha512>(), hash::<Sha512>(message)),
                    _ => pkcs1(rsa::Pkcs1v15Sign::new::<Sha256>(), hash::<Sha256>(message)),
                };
                sig.unwrap_or_default()
            }
            KeyPair::EdDsa(k) => k.sign(message).to_bytes().to_vec(),
        }
    }
}

impl KeyPair {
    /// An ECDSA signature with a hedged nonce (RFC 6979 with `rng`'s bytes mixed in), so one message has many
    /// valid signatures; for mutations that need a signature of some shape (for example an `r` with its top bit
    /// set), whatever the message. Other algorithms sign as [`KeyPair::sign`] does.
    pub fn sign_hedged(&self, message: &[u8], rng: &mut ChaCha20Rng) -> Vec<u8> {
        use signature::RandomizedSigner;
        match self {
            KeyPair::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_with_rng(rng, message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Es384(k) => {
                let sig: p384::ecdsa::Signature = k.sign_with_rng(rng, message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Es512(k) => {
                let sig: p521::ecdsa::Signature = k.sign_with_rng(rng, message);
                sig.to_der().as_bytes().to_vec()
            }
            _ => self.sign(message),
        }
    }

    /// The private key as a JWK-shaped JSON object (RFC 7517/7518/8037 member names, base64url values), so a
    /// vector pins every key it uses, as the spec's §16 vectors do.
    pub fn private_jwk(&self) -> serde_json::Value {
        use rsa::traits::PrivateKeyParts;
        use wire::base64url::encode as b64;
        match self {
            KeyPair::Es256(_) | KeyPair::Es384(_) | KeyPair::Es512(_) => {
                let (crv, d) = match self {
                    KeyPair::Es256(k) => ("P-256", k.to_bytes().to_vec()),
                    KeyPair::Es384(k) => ("P-384", k.to_bytes().to_vec()),
                    KeyPair::Es512(k) => ("P-521", k.to_bytes().to_vec()),
                    _ => unreachable!("matched above"),
                };
                let (x, y) = match self.cose_key() {
                    CoseKey::Ec2 { x, y, .. } => (x, y),
                    _ => (vec![], vec![]),
                };
                serde_json::json!({"kty": "EC", "crv": crv, "x": b64(&x), "y": b64(&y), "d": b64(&d)})
            }
            KeyPair::Rsa(_, key) => {
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

/// RSA-2048 keys from a fixed pool of primes.
///
/// Searching for two 1024-bit primes costs about 100 ms in a release build and seconds in a debug build, and a
/// full grade creates two dozen RSA credentials. So an RSA key is the product of two primes drawn by index from
/// 32 primes fixed in `rsa_pool.txt`: 496 distinct keys, each built in well under a millisecond, still chosen by
/// the seeded RNG, so a seed reproduces the same keys. The primes are those of 16 keys the `rsa` crate generated
/// from the seeds `RSA_POOL_SEED + k` (the test `the_pool_is_reproducible` regenerates them); every
/// prime has its top two bits set, so every product is exactly 2048 bits, and each is coprime to 65537 - 1
/// (a test checks both).
pub mod rsa_pool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};

    use rand_chacha::ChaCha20Rng;
    use rand_core::RngCore;
    use rsa::BigUint;

    /// The seed of the keys whose primes the pool holds (ASCII "rsa_pool").
    pub const RSA_POOL_SEED: u64 = 0x7273_615f_706f_6f6c;

    /// The public exponent of every key.
    pub const E: u32 = 65_537;

    /// The primes, in the file's order.
    pub fn primes() -> &'static [BigUint] {
        static PRIMES: OnceLock<Vec<BigUint>> = OnceLock::new();
        PRIMES.get_or_init(|| read_primes(include_str!("rsa_pool.txt")))
    }

    /// Primes written one per line in hex, `#` comments and blank lines skipped: the form of `rsa_pool.txt`
    /// (and of the fuzz targets' `rsa_slots.txt`). For files compiled into the source, which their tests
    /// check: a line that is not hex panics.
    pub fn read_primes(text: &str) -> Vec<BigUint> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| BigUint::parse_bytes(l.trim().as_bytes(), 16).expect("a hex prime in a prime file"))
            .collect()
    }

    /// The primes of the `count` keys of `bits` bits the `rsa` crate generates from the seeds `seed + k`,
    /// `k = 0..count`, in order: how a prime file is made, and what its test regenerates.
    pub fn primes_of_keys(seed: u64, count: u64, bits: usize) -> Vec<BigUint> {
        use rand_core::SeedableRng;
        let mut primes = Vec::new();
        for k in 0..count {
            let mut rng = ChaCha20Rng::seed_from_u64(seed + k);
            let key = rsa::RsaPrivateKey::new(&mut rng, bits).expect("an RSA key");
            primes.extend(rsa::traits::PrivateKeyParts::primes(&key).iter().cloned());
        }
        primes
    }

    /// The key made of primes `i` and `j` (`i != j`; the order does not matter).
    pub fn key(i: usize, j: usize) -> rsa::RsaPrivateKey {
        static KEYS: OnceLock<Mutex<HashMap<(usize, usize), rsa::RsaPrivateKey>>> = OnceLock::new();
        let (i, j) = (i.min(j), i.max(j));
        let mut keys = KEYS.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
        keys.entry((i, j))
            .or_insert_with(|| {
                let p = primes();
                // Distinct primes coprime to e - 1 (tested) always make a valid key.
                rsa::RsaPrivateKey::from_p_q(p[i].clone(), p[j].clone(), BigUint::from(E))
                    .expect("a key from two pool primes")
            })
            .clone()
    }

    /// A key drawn from `rng`: two distinct prime indices, from two 32-bit draws.
    pub fn draw(rng: &mut ChaCha20Rng) -> rsa::RsaPrivateKey {
        let n = primes().len() as u32;
        let i = rng.next_u32() % n;
        let mut j = rng.next_u32() % (n - 1);
        if j >= i {
            j += 1;
        }
        key(i as usize, j as usize)
    }

    #[cfg(test)]
    mod tests {
        use rand_core::SeedableRng;
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};

        use super::*;

        #[test]
        fn every_pair_is_a_2048_bit_key_for_e_65537() {
            let p = primes();
            assert_eq!(p.len(), 32);
            for (a, x) in p.iter().enumerate() {
                assert_eq!(x.bits(), 1024, "prime {a}");
                assert!(x >> 1022usize == BigUint::from(3u32), "prime {a}: top two bits set");
                assert_ne!(x % BigUint::from(E), BigUint::from(1u32), "prime {a}: e divides p - 1");
                for y in &p[a + 1..] {
                    assert_ne!(x, y);
                    assert_eq!((x * y).bits(), 2048);
                }
            }
        }

        #[test]
        fn keys_sign_and_verify_and_draws_are_deterministic() {
            let private = key(3, 17);
            private.validate().expect("a consistent RSA key");
            assert_eq!(private.n().bits(), 2048);
            let key = crate::keys::KeyPair::Rsa(crate::keys::Algorithm::Rs256, Box::new(private.clone()));
            let sig = key.sign(b"message");
            let public = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(private.to_public_key());
            let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).expect("a signature");
            signature::Verifier::verify(&public, b"message", &sig).expect("verifies");
            assert_eq!(private.primes().len(), 2);

            let draw_n = |seed| draw(&mut ChaCha20Rng::seed_from_u64(seed)).n().to_bytes_be();
            assert_eq!(draw_n(7), draw_n(7));
            let distinct: std::collections::HashSet<_> = (0..40).map(draw_n).collect();
            assert!(distinct.len() > 30, "40 draws gave {} distinct keys", distinct.len());
        }

        /// About 3 s in the test profile (16 RSA key generations).
        #[test]
        fn the_pool_is_reproducible() {
            assert_eq!(primes(), primes_of_keys(RSA_POOL_SEED, 16, 2048).as_slice());
        }
    }
}
