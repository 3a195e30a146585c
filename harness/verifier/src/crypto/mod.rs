//! Credential public keys made ready for verification, and signature checks (§5.8.5, §6.5.1.1, §6.5.5).
//!
//! A [`CredentialKey`] is built once from a COSE key (when a credential is registered or a record loaded),
//! so an assertion pays only for the signature check itself.

use p256::elliptic_curve::sec1::FromEncodedPoint as _;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384};
use signature::Verifier;
use wire::cose::{alg, CoseKey, EcCurve, OkpCurve};

/// Why a COSE key cannot be used to verify signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("algorithm {alg} ({name}) is not supported by this verifier")]
    UnsupportedAlgorithm { alg: i64, name: &'static str },
    #[error("algorithm {alg} ({name}) does not fit a key of type {key}")]
    AlgorithmKeyMismatch { alg: i64, name: &'static str, key: &'static str },
    #[error("the EC2 point is not on curve {curve}")]
    PointNotOnCurve { curve: &'static str },
    #[error("the RSA key is unusable: {0}")]
    InvalidRsaKey(String),
    #[error("the Ed25519 public key is not a valid point encoding")]
    InvalidEd25519Key,
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Not even a signature of the right shape: bad DER for ECDSA (including BER forms, extra zeros, r or
    /// s zero or not below the group order), the wrong length for RSA or EdDSA.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// Well-formed, but not a signature by this key over this message.
    #[error("the signature does not verify")]
    Invalid,
}

/// The key inside a [`CredentialKey`].
#[derive(Debug, Clone)]
enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(rsa::pkcs1v15::VerifyingKey<Sha256>, usize),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A credential public key, parsed and checked once, ready to verify signatures.
#[derive(Debug, Clone)]
pub struct CredentialKey {
    alg: i64,
    key: Key,
}

fn name(a: i64) -> &'static str {
    wire::cose::alg_name(a).unwrap_or("unknown")
}

fn kty_name(key: &CoseKey) -> &'static str {
    match key {
        CoseKey::Ec2 { crv: EcCurve::P256, .. } => "EC2 P-256",
        CoseKey::Ec2 { crv: EcCurve::P384, .. } => "EC2 P-384",
        CoseKey::Ec2 { crv: EcCurve::P521, .. } => "EC2 P-521",
        CoseKey::Okp { crv: OkpCurve::Ed25519, .. } => "OKP Ed25519",
        CoseKey::Okp { crv: OkpCurve::Ed448, .. } => "OKP Ed448",
        CoseKey::Rsa { .. } => "RSA",
    }
}

/// The smallest RSA modulus accepted for a credential key: 2048 bits.
pub const MIN_RSA_MODULUS_BYTES: usize = 256;

/// The algorithms this verifier can check: ES256, ES384, RS256, EdDSA (Ed25519) and the fully specified Ed25519.
pub const SUPPORTED_ALGORITHMS: &[i64] = &[alg::ES256, alg::ES384, alg::RS256, alg::EDDSA, alg::ED25519];

impl CredentialKey {
    /// Checks that the key's type fits its `alg` and that the key itself is sound (EC point on the curve,
    /// RSA modulus and exponent acceptable, Ed25519 point decodable).
    pub fn from_cose(cose: &CoseKey) -> Result<CredentialKey, KeyError> {
        let a = cose.alg();
        let mismatch = || KeyError::AlgorithmKeyMismatch { alg: a, name: name(a), key: kty_name(cose) };
        let key = match (a, cose) {
            (alg::ES256, CoseKey::Ec2 { crv: EcCurve::P256, x, y, .. }) => {
                let not_on_curve = || KeyError::PointNotOnCurve { curve: "P-256" };
                let x: [u8; 32] = x.as_slice().try_into().map_err(|_| not_on_curve())?;
                let y: [u8; 32] = y.as_slice().try_into().map_err(|_| not_on_curve())?;
                let point = p256::EncodedPoint::from_affine_coordinates(
                    &p256::FieldBytes::from(x),
                    &p256::FieldBytes::from(y),
                    false,
                );
                let affine = Option::<p256::AffinePoint>::from(p256::AffinePoint::from_encoded_point(&point))
                    .ok_or(KeyError::PointNotOnCurve { curve: "P-256" })?;
                Key::P256(
                    p256::ecdsa::VerifyingKey::from_affine(affine)
                        .map_err(|_| KeyError::PointNotOnCurve { curve: "P-256" })?,
                )
            }
            (alg::ES384, CoseKey::Ec2 { crv: EcCurve::P384, x, y, .. }) => {
                let not_on_curve = || KeyError::PointNotOnCurve { curve: "P-384" };
                let x: [u8; 48] = x.as_slice().try_into().map_err(|_| not_on_curve())?;
                let y: [u8; 48] = y.as_slice().try_into().map_err(|_| not_on_curve())?;
                let point = p384::EncodedPoint::from_affine_coordinates(
                    &p384::FieldBytes::from(x),
                    &p384::FieldBytes::from(y),
                    false,
                );
                let affine = Option::<p384::AffinePoint>::from(p384::AffinePoint::from_encoded_point(&point))
                    .ok_or(KeyError::PointNotOnCurve { curve: "P-384" })?;
                Key::P384(
                    p384::ecdsa::VerifyingKey::from_affine(affine)
                        .map_err(|_| KeyError::PointNotOnCurve { curve: "P-384" })?,
                )
            }
            (alg::RS256, CoseKey::Rsa { n, e, .. }) => {
                let key =
                    rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                        .map_err(|err| KeyError::InvalidRsaKey(err.to_string()))?;
                let size = key.size();
                if size < MIN_RSA_MODULUS_BYTES {
                    return Err(KeyError::InvalidRsaKey(format!(
                        "a modulus of {} bits is too small",
                        key.n().bits()
                    )));
                }
                Key::Rsa(rsa::pkcs1v15::VerifyingKey::new(key), size)
            }
            (alg::EDDSA | alg::ED25519, CoseKey::Okp { crv: OkpCurve::Ed25519, x, .. }) => {
                let bytes: [u8; 32] = x.as_slice().try_into().map_err(|_| KeyError::InvalidEd25519Key)?;
                Key::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                        .map_err(|_| KeyError::InvalidEd25519Key)?,
                )
            }
            (alg::ES256 | alg::ES384 | alg::RS256 | alg::EDDSA | alg::ED25519, _) => return Err(mismatch()),
            _ => return Err(KeyError::UnsupportedAlgorithm { alg: a, name: name(a) }),
        };
        Ok(CredentialKey { alg: a, key })
    }

    /// The COSE algorithm this key verifies with.
    pub fn alg(&self) -> i64 {
        self.alg
    }

    /// Verifies `sig` over `message` with this key's algorithm.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        match &self.key {
            Key::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SignatureError::Malformed("not a DER ECDSA P-256 signature".into()))?;
                k.verify(message, &sig).map_err(|_| SignatureError::Invalid)
            }
            Key::P384(k) => {
                let sig = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SignatureError::Malformed("not a DER ECDSA P-384 signature".into()))?;
                k.verify(message, &sig).map_err(|_| SignatureError::Invalid)
            }
            Key::Rsa(k, size) => {
                if sig.len() != *size {
                    return Err(SignatureError::Malformed(format!(
                        "RSA signature of {} bytes for a {}-byte modulus",
                        sig.len(),
                        size
                    )));
                }
                let sig = rsa::pkcs1v15::Signature::try_from(sig)
                    .map_err(|_| SignatureError::Malformed("not an RSA signature".into()))?;
                k.verify(message, &sig).map_err(|_| SignatureError::Invalid)
            }
            Key::Ed25519(k) => {
                let bytes: [u8; 64] = sig.try_into().map_err(|_| {
                    SignatureError::Malformed(format!("Ed25519 signature of {} bytes, not 64", sig.len()))
                })?;
                let sig = ed25519_dalek::Signature::from_bytes(&bytes);
                k.verify_strict(message, &sig).map_err(|_| SignatureError::Invalid)
            }
        }
    }
}

/// SHA-256, as WebAuthn uses it for rpIdHash and clientDataHash.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-384, for attestation certificates signed with ECDSA P-384.
pub fn sha384(data: &[u8]) -> [u8; 48] {
    Sha384::digest(data).into()
}
