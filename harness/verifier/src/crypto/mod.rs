//! Credential public keys made ready for verification, and signature checks (§5.8.5, §6.5.1.1, §6.5.5),
//! over a pluggable crypto backend.
//!
//! The work is split the way rustls splits it with its `CryptoProvider`: what a key or a signature *is* is
//! decided here, the same for every backend; whether a well-formed signature *verifies* is the backend's.
//!
//! * [`CredentialKey::from_cose_with`] checks a COSE key once, provider-independently (EC point on the curve,
//!   RSA modulus of 2048 to 4096 bits and a usable exponent, Ed25519 point decodable and not of small order),
//!   then asks the [`CryptoProvider`] for a ready [`SignatureVerifier`]: each credential key is parsed once,
//!   when a credential is registered or a record loaded, so an assertion pays only for the signature check.
//! * [`CredentialKey::verify`] sorts out malformed signatures first (ECDSA: strict DER with `r` and `s` in
//!   `[1, n-1]`; RSA: exactly the modulus length; Ed25519: 64 bytes), so `auth.signature.malformed` against
//!   `auth.signature.invalid` does not depend on the backend, then lets the provider verify.
//!
//! Algorithms: ES256, ES384, ES512 (ECDSA over P-256, P-384, P-521 with SHA-256, SHA-384, SHA-512; DER
//! signatures, §6.5.5), RS256, RS384, RS512 and RS1 (RSASSA-PKCS1-v1_5 with SHA-256, SHA-384, SHA-512 and
//! SHA-1, RFC 8812 §2), PS256, PS384 and PS512 (RSASSA-PSS with SHA-256, SHA-384, SHA-512, MGF1 with the same
//! hash and a salt as long as the hash, RFC 8230 §2), and EdDSA over Ed25519 (also as the fully specified
//! Ed25519, -19).
//!
//! Providers: [`RUST_CRYPTO`] (pure Rust: `p256`, `p384`, `p521`, `rsa`, `ed25519-dalek`; always there, and the
//! default) and, with the cargo feature `aws-lc-rs`, [`AWS_LC_RS`] (AWS-LC through `aws-lc-rs`). The feature
//! `default-aws-lc-rs` makes AWS-LC the default, which is how the whole test suite is run under it. Both
//! give the same verdicts on the Wycheproof vectors for every algorithm Wycheproof covers (ECDSA P-256, P-384
//! and P-521, RSASSA-PKCS1-v1_5 with SHA-256, SHA-384 and SHA-512, RSASSA-PSS with SHA-256, SHA-384 and
//! SHA-512; it has no PKCS#1 v1.5 SHA-1 set) in `tests/wycheproof.rs`.
//! Certificate signatures in attestation trust paths (X.509) are checked with the pure-Rust crates only.

use std::sync::Arc;

use p256::elliptic_curve::sec1::FromEncodedPoint as _;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384};
use wire::cose::{alg, CoseKey, EcCurve, OkpCurve};

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
mod rust_crypto;

#[cfg(feature = "aws-lc-rs")]
pub use aws_lc::{AwsLcRs, AWS_LC_RS};
pub use rust_crypto::{RustCrypto, RUST_CRYPTO};

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
    #[error("the Ed25519 public key is not a valid point encoding, or is of small order")]
    InvalidEd25519Key,
    #[error("the {provider} crypto provider refuses the key: {why}")]
    Provider { provider: &'static str, why: String },
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

/// A crypto backend: makes ready signature verifiers from checked public keys.
pub trait CryptoProvider: Send + Sync + std::fmt::Debug + 'static {
    /// A short stable name (`rustcrypto`, `aws-lc-rs`), used in reports and on the command line.
    fn name(&self) -> &'static str;

    /// A verifier for `key`, which the provider-independent checks have accepted. An error here means
    /// the backend refuses a key those checks accept: a disagreement to report as a bug.
    fn load(&self, key: &PublicKey) -> Result<Arc<dyn SignatureVerifier>, KeyError>;

    /// Whether an ECDSA signature whose r and s are both 0 ([`ECDSA_ZERO_SIGNATURE`]) reaches
    /// [`SignatureVerifier::verify`] instead of being refused as malformed (r and s lie in [1, n-1], SEC 1
    /// §4.1.4 step 1). Every real provider keeps the default, `false`. A provider that answers `true` exists
    /// only to test the harness against a verifier without that range check, as Java 15-18 shipped it
    /// (CVE-2022-21449: such a signature verified for any message and key).
    fn receives_zero_ecdsa_signatures(&self) -> bool {
        false
    }
}

/// The DER Ecdsa-Sig-Value of r = 0 and s = 0 (`30 06 02 01 00 02 01 00`): no signature at all, for any curve.
pub const ECDSA_ZERO_SIGNATURE: [u8; 8] = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];

/// A ready public key of one algorithm.
pub trait SignatureVerifier: Send + Sync + std::fmt::Debug {
    /// Whether `sig`, already known to be well-formed, is a signature over `message` (the message itself,
    /// not its hash: each algorithm hashes with its own hash function; Ed25519 is PureEdDSA).
    fn verify(&self, message: &[u8], sig: &[u8]) -> bool;
}

/// A public key that passed the provider-independent checks, in the encodings backends take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// ES256: the SEC1 uncompressed point (`04 || x || y`, 65 bytes).
    P256 { sec1: Vec<u8> },
    /// ES384: the SEC1 uncompressed point (97 bytes).
    P384 { sec1: Vec<u8> },
    /// ES512: the SEC1 uncompressed point (133 bytes).
    P521 { sec1: Vec<u8> },
    /// RS256, RS384, RS512, RS1, PS256, PS384, PS512: big-endian modulus and exponent without leading zeros,
    /// and the signature scheme the key's `alg` names.
    Rsa { n: Vec<u8>, e: Vec<u8>, scheme: RsaScheme },
    /// EdDSA over Ed25519: the 32-byte point encoding.
    Ed25519 { x: [u8; 32] },
}

/// The RSA signature scheme of a COSE algorithm: padding and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsaScheme {
    /// RS1 (-65535): RSASSA-PKCS1-v1_5 with SHA-1 (RFC 8812 §2; the IANA registry marks it deprecated).
    Pkcs1v15Sha1,
    /// RS256 (-257): RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812 §2).
    Pkcs1v15Sha256,
    /// RS384 (-258): RSASSA-PKCS1-v1_5 with SHA-384.
    Pkcs1v15Sha384,
    /// RS512 (-259): RSASSA-PKCS1-v1_5 with SHA-512.
    Pkcs1v15Sha512,
    /// PS256 (-37): RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 8230 §2).
    PssSha256,
    /// PS384 (-38): RSASSA-PSS with SHA-384, MGF1 with SHA-384 and a 48-byte salt.
    PssSha384,
    /// PS512 (-39): RSASSA-PSS with SHA-512, MGF1 with SHA-512 and a 64-byte salt.
    PssSha512,
}

impl RsaScheme {
    /// The scheme of an RSA COSE algorithm, if `a` is one.
    pub fn of_alg(a: i64) -> Option<RsaScheme> {
        Some(match a {
            alg::RS1 => RsaScheme::Pkcs1v15Sha1,
            alg::RS256 => RsaScheme::Pkcs1v15Sha256,
            alg::RS384 => RsaScheme::Pkcs1v15Sha384,
            alg::RS512 => RsaScheme::Pkcs1v15Sha512,
            alg::PS256 => RsaScheme::PssSha256,
            alg::PS384 => RsaScheme::PssSha384,
            alg::PS512 => RsaScheme::PssSha512,
            _ => return None,
        })
    }
}

/// The providers compiled in, the default first.
pub fn providers() -> Vec<&'static dyn CryptoProvider> {
    let mut all: Vec<&'static dyn CryptoProvider> = vec![&RUST_CRYPTO];
    #[cfg(feature = "aws-lc-rs")]
    all.push(&AWS_LC_RS);
    let default = default_provider().name();
    all.sort_by_key(|p| p.name() != default);
    all
}

/// The provider by name (see [`CryptoProvider::name`]), if compiled in.
pub fn provider(name: &str) -> Option<&'static dyn CryptoProvider> {
    providers().into_iter().find(|p| p.name() == name)
}

/// The default provider: [`RUST_CRYPTO`], or [`AWS_LC_RS`] with the feature `default-aws-lc-rs`.
pub fn default_provider() -> &'static dyn CryptoProvider {
    #[cfg(feature = "default-aws-lc-rs")]
    return &AWS_LC_RS;
    #[cfg(not(feature = "default-aws-lc-rs"))]
    &RUST_CRYPTO
}

/// A provider as a [`crate::Policy`] member: compared and printed by name.
#[derive(Clone, Copy)]
pub struct Provider(pub &'static dyn CryptoProvider);

impl Default for Provider {
    fn default() -> Provider {
        Provider(default_provider())
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Provider) -> bool {
        self.0.name() == other.0.name()
    }
}

impl Eq for Provider {}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Provider({})", self.0.name())
    }
}

/// The shape a signature must have for a key, checked before the provider sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    /// The modulus length in bytes.
    Rsa(usize),
    Ed25519,
}

/// A credential public key, parsed and checked once, ready to verify signatures.
#[derive(Clone)]
pub struct CredentialKey {
    alg: i64,
    shape: Shape,
    provider: &'static dyn CryptoProvider,
    verifier: Arc<dyn SignatureVerifier>,
}

impl std::fmt::Debug for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialKey")
            .field("alg", &self.alg)
            .field("provider", &self.provider.name())
            .finish_non_exhaustive()
    }
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

/// The algorithms this verifier can check: ES256, ES384, RS256, EdDSA (Ed25519), the fully specified Ed25519,
/// ES512, PS256, PS384, PS512, RS384, RS512 and RS1; the first four in the order the reference RP has always
/// preferred them.
pub const SUPPORTED_ALGORITHMS: &[i64] = &[
    alg::ES256,
    alg::ES384,
    alg::RS256,
    alg::EDDSA,
    alg::ED25519,
    alg::ES512,
    alg::PS256,
    alg::PS384,
    alg::PS512,
    alg::RS384,
    alg::RS512,
    alg::RS1,
];

/// The provider-independent checks of a COSE key for its `alg`.
fn check(cose: &CoseKey) -> Result<PublicKey, KeyError> {
    let a = cose.alg();
    let mismatch = || KeyError::AlgorithmKeyMismatch { alg: a, name: name(a), key: kty_name(cose) };
    match (a, cose) {
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
                .ok_or_else(not_on_curve)?;
            // The identity has no affine coordinates, so this cannot fail for a decoded point; kept as a check.
            p256::ecdsa::VerifyingKey::from_affine(affine).map_err(|_| not_on_curve())?;
            Ok(PublicKey::P256 { sec1: point.as_bytes().to_vec() })
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
                .ok_or_else(not_on_curve)?;
            p384::ecdsa::VerifyingKey::from_affine(affine).map_err(|_| not_on_curve())?;
            Ok(PublicKey::P384 { sec1: point.as_bytes().to_vec() })
        }
        (alg::ES512, CoseKey::Ec2 { crv: EcCurve::P521, x, y, .. }) => {
            let not_on_curve = || KeyError::PointNotOnCurve { curve: "P-521" };
            if x.len() != 66 || y.len() != 66 {
                return Err(not_on_curve());
            }
            let sec1 = [&[0x04][..], x, y].concat();
            let point = p521::EncodedPoint::from_bytes(&sec1).map_err(|_| not_on_curve())?;
            let affine = Option::<p521::AffinePoint>::from(p521::AffinePoint::from_encoded_point(&point))
                .ok_or_else(not_on_curve)?;
            p521::ecdsa::VerifyingKey::from_affine(affine).map_err(|_| not_on_curve())?;
            Ok(PublicKey::P521 { sec1: point.as_bytes().to_vec() })
        }
        (_, CoseKey::Rsa { n, e, .. }) if RsaScheme::of_alg(a).is_some() => {
            let scheme = RsaScheme::of_alg(a).ok_or_else(mismatch)?;
            // The rsa crate's checks: an odd exponent from 3 to 2^33 - 1, a modulus of at most 4096 bits.
            let key = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                .map_err(|err| KeyError::InvalidRsaKey(err.to_string()))?;
            if key.n().bits() < MIN_RSA_MODULUS_BYTES * 8 {
                return Err(KeyError::InvalidRsaKey(format!(
                    "a modulus of {} bits is too small",
                    key.n().bits()
                )));
            }
            Ok(PublicKey::Rsa { n: key.n().to_bytes_be(), e: key.e().to_bytes_be(), scheme })
        }
        (alg::EDDSA | alg::ED25519, CoseKey::Okp { crv: OkpCurve::Ed25519, x, .. }) => {
            let bytes: [u8; 32] = x.as_slice().try_into().map_err(|_| KeyError::InvalidEd25519Key)?;
            let key =
                ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidEd25519Key)?;
            // A key of small order verifies signatures that prove nothing about a private key; backends differ
            // on whether they refuse one, so it is refused here.
            if key.is_weak() {
                return Err(KeyError::InvalidEd25519Key);
            }
            Ok(PublicKey::Ed25519 { x: bytes })
        }
        (
            alg::ES256
            | alg::ES384
            | alg::ES512
            | alg::EDDSA
            | alg::ED25519
            | alg::RS256
            | alg::RS384
            | alg::RS512
            | alg::RS1
            | alg::PS256
            | alg::PS384
            | alg::PS512,
            _,
        ) => Err(mismatch()),
        _ => Err(KeyError::UnsupportedAlgorithm { alg: a, name: name(a) }),
    }
}

impl CredentialKey {
    /// [`CredentialKey::from_cose_with`] the [`default_provider`].
    pub fn from_cose(cose: &CoseKey) -> Result<CredentialKey, KeyError> {
        CredentialKey::from_cose_with(default_provider(), cose)
    }

    /// Checks that the key's type fits its `alg` and that the key itself is sound (EC point on the curve,
    /// RSA modulus and exponent acceptable, Ed25519 point decodable and not weak), then has `provider` make
    /// it ready.
    pub fn from_cose_with(
        provider: &'static dyn CryptoProvider,
        cose: &CoseKey,
    ) -> Result<CredentialKey, KeyError> {
        let public = check(cose)?;
        let shape = match &public {
            PublicKey::P256 { .. } => Shape::EcdsaP256,
            PublicKey::P384 { .. } => Shape::EcdsaP384,
            PublicKey::P521 { .. } => Shape::EcdsaP521,
            PublicKey::Rsa { n, .. } => Shape::Rsa(n.len()),
            PublicKey::Ed25519 { .. } => Shape::Ed25519,
        };
        let verifier = provider.load(&public)?;
        Ok(CredentialKey { alg: cose.alg(), shape, provider, verifier })
    }

    /// The COSE algorithm this key verifies with.
    pub fn alg(&self) -> i64 {
        self.alg
    }

    /// The provider that verifies with this key.
    pub fn provider(&self) -> &'static dyn CryptoProvider {
        self.provider
    }

    /// Verifies `sig` over `message` with this key's algorithm.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let zero_ecdsa = matches!(self.shape, Shape::EcdsaP256 | Shape::EcdsaP384 | Shape::EcdsaP521)
            && sig == ECDSA_ZERO_SIGNATURE
            && self.provider.receives_zero_ecdsa_signatures();
        match self.shape {
            // Only a provider built to test the harness sees it (see `receives_zero_ecdsa_signatures`).
            _ if zero_ecdsa => {}
            Shape::EcdsaP256 => {
                p256::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SignatureError::Malformed("not a DER ECDSA P-256 signature".into()))?;
            }
            Shape::EcdsaP384 => {
                p384::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SignatureError::Malformed("not a DER ECDSA P-384 signature".into()))?;
            }
            Shape::EcdsaP521 => {
                p521::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SignatureError::Malformed("not a DER ECDSA P-521 signature".into()))?;
            }
            Shape::Rsa(size) => {
                if sig.len() != size {
                    return Err(SignatureError::Malformed(format!(
                        "RSA signature of {} bytes for a {}-byte modulus",
                        sig.len(),
                        size
                    )));
                }
            }
            Shape::Ed25519 => {
                if sig.len() != 64 {
                    return Err(SignatureError::Malformed(format!(
                        "Ed25519 signature of {} bytes, not 64",
                        sig.len()
                    )));
                }
            }
        }
        if self.verifier.verify(message, sig) {
            Ok(())
        } else {
            Err(SignatureError::Invalid)
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

/// SHA-512, for attestation certificates signed with ecdsa-with-SHA512.
pub fn sha512(data: &[u8]) -> [u8; 64] {
    sha2::Sha512::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(cose: &CoseKey) -> KeyError {
        CredentialKey::from_cose(cose).expect_err("refused")
    }

    fn rsa(n: Vec<u8>, e: Vec<u8>) -> CoseKey {
        CoseKey::Rsa { alg: alg::RS256, n, e }
    }

    /// A modulus of `bits` bits (odd, not a valid key, but the size checks come first).
    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0xffu8; bits.div_ceil(8)];
        n[0] = 0xff >> (n.len() * 8 - bits);
        n
    }

    #[test]
    fn rsa_moduli_below_2048_bits_are_refused_even_if_they_fill_256_bytes() {
        // 2041 bits is 256 bytes, but AWS-LC (rightly) counts bits: the check must too, for every provider.
        let e = KeyError::InvalidRsaKey("a modulus of 2041 bits is too small".into());
        assert_eq!(refused(&rsa(modulus(2041), vec![1, 0, 1])), e);
        assert!(
            matches!(refused(&rsa(modulus(2047), vec![1, 0, 1])), KeyError::InvalidRsaKey(m) if m.contains("2047 bits"))
        );
        assert!(CredentialKey::from_cose(&rsa(modulus(2048), vec![1, 0, 1])).is_ok());
    }

    #[test]
    fn even_rsa_exponents_are_refused() {
        // AWS-LC refuses them when parsing; the provider-independent check must refuse them first.
        assert_eq!(
            refused(&rsa(modulus(2048), vec![1, 0, 0])),
            KeyError::InvalidRsaKey("invalid exponent".into())
        );
        assert!(matches!(refused(&rsa(modulus(2048), vec![1])), KeyError::InvalidRsaKey(_)), "e = 1");
    }

    #[test]
    fn ed25519_keys_of_small_order_are_refused() {
        // The identity point (y = 1) has order 1; it decodes fine.
        let mut x = vec![0u8; 32];
        x[0] = 1;
        let cose = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x };
        assert_eq!(refused(&cose), KeyError::InvalidEd25519Key);
    }

    #[test]
    fn every_compiled_provider_is_listed_once_and_found_by_name() {
        let all = providers();
        assert_eq!(all[0].name(), default_provider().name());
        for p in &all {
            assert_eq!(provider(p.name()).map(|q| q.name()), Some(p.name()));
        }
        assert!(provider("openssl").is_none());
        assert_eq!(Provider::default(), Provider(default_provider()));
        assert_eq!(format!("{:?}", Provider(&RUST_CRYPTO)), "Provider(rustcrypto)");
    }
}
