//! The pure-Rust provider: `p256`, `p384`, `p521`, `rsa` (with `sha1` and `sha2`) and `ed25519-dalek`.

use std::sync::Arc;

use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use signature::Verifier;

use super::{CryptoProvider, KeyError, PublicKey, RsaScheme, SignatureVerifier};

/// The pure-Rust provider.
#[derive(Debug)]
pub struct RustCrypto;

/// The pure-Rust provider (RustCrypto's `p256`, `p384`, `p521`, `rsa`; `ed25519-dalek`), the default.
pub static RUST_CRYPTO: RustCrypto = RustCrypto;

#[derive(Debug)]
enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(Box<P521Key>),
    Rsa(Box<RsaKey>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A P-521 public key (`p521`'s key type has no `Debug`).
struct P521Key(p521::ecdsa::VerifyingKey);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P-521 VerifyingKey")
    }
}

/// An RSA public key with its scheme.
#[derive(Debug)]
enum RsaKey {
    Pkcs1v15Sha1(rsa::pkcs1v15::VerifyingKey<Sha1>),
    Pkcs1v15Sha256(rsa::pkcs1v15::VerifyingKey<Sha256>),
    Pkcs1v15Sha384(rsa::pkcs1v15::VerifyingKey<Sha384>),
    Pkcs1v15Sha512(rsa::pkcs1v15::VerifyingKey<Sha512>),
    // `pss::VerifyingKey::new` expects a salt as long as the hash (RFC 8230 §2).
    PssSha256(rsa::pss::VerifyingKey<Sha256>),
    PssSha384(rsa::pss::VerifyingKey<Sha384>),
    PssSha512(rsa::pss::VerifyingKey<Sha512>),
}

fn refused(why: impl std::fmt::Display) -> KeyError {
    KeyError::Provider { provider: RUST_CRYPTO.name(), why: why.to_string() }
}

impl CryptoProvider for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn load(&self, key: &PublicKey) -> Result<Arc<dyn SignatureVerifier>, KeyError> {
        let key = match key {
            PublicKey::P256 { sec1 } => {
                Key::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(refused)?)
            }
            PublicKey::P384 { sec1 } => {
                Key::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(refused)?)
            }
            PublicKey::P521 { sec1 } => Key::P521(Box::new(P521Key(
                p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(refused)?,
            ))),
            PublicKey::Rsa { n, e, scheme } => {
                let key =
                    rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                        .map_err(refused)?;
                Key::Rsa(Box::new(match scheme {
                    RsaScheme::Pkcs1v15Sha1 => RsaKey::Pkcs1v15Sha1(rsa::pkcs1v15::VerifyingKey::new(key)),
                    RsaScheme::Pkcs1v15Sha256 => {
                        RsaKey::Pkcs1v15Sha256(rsa::pkcs1v15::VerifyingKey::new(key))
                    }
                    RsaScheme::Pkcs1v15Sha384 => {
                        RsaKey::Pkcs1v15Sha384(rsa::pkcs1v15::VerifyingKey::new(key))
                    }
                    RsaScheme::Pkcs1v15Sha512 => {
                        RsaKey::Pkcs1v15Sha512(rsa::pkcs1v15::VerifyingKey::new(key))
                    }
                    RsaScheme::PssSha256 => RsaKey::PssSha256(rsa::pss::VerifyingKey::new(key)),
                    RsaScheme::PssSha384 => RsaKey::PssSha384(rsa::pss::VerifyingKey::new(key)),
                    RsaScheme::PssSha512 => RsaKey::PssSha512(rsa::pss::VerifyingKey::new(key)),
                }))
            }
            PublicKey::Ed25519 { x } => {
                Key::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(x).map_err(refused)?)
            }
        };
        Ok(Arc::new(key))
    }
}

/// Whether `sig` verifies under `k`, with a signature type made from the bytes.
fn check<S, K>(k: &K, message: &[u8], sig: &[u8]) -> bool
where
    K: Verifier<S>,
    S: for<'a> TryFrom<&'a [u8]>,
{
    S::try_from(sig).is_ok_and(|s| k.verify(message, &s).is_ok())
}

impl SignatureVerifier for Key {
    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Key::P256(k) => {
                p256::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
            Key::P384(k) => {
                p384::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
            Key::P521(k) => {
                p521::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.0.verify(message, &s).is_ok())
            }
            Key::Rsa(k) => match k.as_ref() {
                RsaKey::Pkcs1v15Sha1(k) => check::<rsa::pkcs1v15::Signature, _>(k, message, sig),
                RsaKey::Pkcs1v15Sha256(k) => check::<rsa::pkcs1v15::Signature, _>(k, message, sig),
                RsaKey::Pkcs1v15Sha384(k) => check::<rsa::pkcs1v15::Signature, _>(k, message, sig),
                RsaKey::Pkcs1v15Sha512(k) => check::<rsa::pkcs1v15::Signature, _>(k, message, sig),
                RsaKey::PssSha256(k) => check::<rsa::pss::Signature, _>(k, message, sig),
                RsaKey::PssSha384(k) => check::<rsa::pss::Signature, _>(k, message, sig),
                RsaKey::PssSha512(k) => check::<rsa::pss::Signature, _>(k, message, sig),
            },
            Key::Ed25519(k) => <[u8; 64]>::try_from(sig)
                .is_ok_and(|b| k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&b)).is_ok()),
        }
    }
}
