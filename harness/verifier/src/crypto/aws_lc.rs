//! The AWS-LC provider, through `aws-lc-rs` (cargo feature `aws-lc-rs`).

use std::sync::Arc;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use rsa::pkcs1::EncodeRsaPublicKey;

use super::{CryptoProvider, KeyError, PublicKey, RsaScheme, SignatureVerifier};

/// The AWS-LC provider.
#[derive(Debug)]
pub struct AwsLcRs;

/// The AWS-LC provider (`aws-lc-rs`).
pub static AWS_LC_RS: AwsLcRs = AwsLcRs;

/// A key parsed once by AWS-LC.
struct Key(ParsedPublicKey);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("aws-lc-rs ParsedPublicKey")
    }
}

fn refused(why: impl std::fmt::Display) -> KeyError {
    KeyError::Provider { provider: AWS_LC_RS.name(), why: why.to_string() }
}

fn parse(
    algorithm: &'static dyn VerificationAlgorithm,
    bytes: &[u8],
) -> Result<Arc<dyn SignatureVerifier>, KeyError> {
    Ok(Arc::new(Key(ParsedPublicKey::new(algorithm, bytes).map_err(refused)?)))
}

impl CryptoProvider for AwsLcRs {
    fn name(&self) -> &'static str {
        "aws-lc-rs"
    }

    fn load(&self, key: &PublicKey) -> Result<Arc<dyn SignatureVerifier>, KeyError> {
        match key {
            PublicKey::P256 { sec1 } => parse(&signature::ECDSA_P256_SHA256_ASN1, sec1),
            PublicKey::P384 { sec1 } => parse(&signature::ECDSA_P384_SHA384_ASN1, sec1),
            PublicKey::P521 { sec1 } => parse(&signature::ECDSA_P521_SHA512_ASN1, sec1),
            PublicKey::Rsa { n, e, scheme } => {
                // AWS-LC takes an RSA public key as PKCS#1 RSAPublicKey DER.
                let key =
                    rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                        .map_err(refused)?;
                let der = key.to_pkcs1_der().map_err(refused)?;
                // The PSS parameters verify with a salt as long as the digest (RSA_PSS_SALTLEN_DIGEST), as
                // RFC 8230 §2 fixes it.
                let algorithm: &'static dyn VerificationAlgorithm = match scheme {
                    RsaScheme::Pkcs1v15Sha1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    RsaScheme::Pkcs1v15Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                    RsaScheme::Pkcs1v15Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    RsaScheme::Pkcs1v15Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                    RsaScheme::PssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
                    RsaScheme::PssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
                    RsaScheme::PssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
                };
                parse(algorithm, der.as_bytes())
            }
            PublicKey::Ed25519 { x } => parse(&signature::ED25519, x),
        }
    }
}

impl SignatureVerifier for Key {
    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        self.0.verify_sig(message, sig).is_ok()
    }
}
