//! The pure-Rust provider: `p256`, `p384`, `rsa` and `ed25519-dalek`.

use std::sync::Arc;

use sha2::Sha256;
use signature::Verifier;

use super::{CryptoProvider, KeyError, PublicKey, SignatureVerifier};

/// The pure-Rust provider.
#[derive(Debug)]
pub struct RustCrypto;

/// The pure-Rust provider (RustCrypto's `p256`, `p384`, `rsa`; `ed25519-dalek`), the default.
pub static RUST_CRYPTO: RustCrypto = RustCrypto;

#[derive(Debug)]
enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(rsa::pkcs1v15::VerifyingKey<Sha256>),
    Ed25519(ed25519_dalek::VerifyingKey),
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
            PublicKey::Rsa { n, e } => {
                let key =
                    rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                        .map_err(refused)?;
                Key::Rsa(rsa::pkcs1v15::VerifyingKey::new(key))
            }
            PublicKey::Ed25519 { x } => {
                Key::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(x).map_err(refused)?)
            }
        };
        Ok(Arc::new(key))
    }
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
            Key::Rsa(k) => {
                rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
            Key::Ed25519(k) => <[u8; 64]>::try_from(sig)
                .is_ok_and(|b| k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&b)).is_ok()),
        }
    }
}
