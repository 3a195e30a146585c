//! X.509 attestation certificates (RFC 5280) as the attestation formats and the trust assessment need them.
//!
//! Parsing is strict DER through `x509-cert` (trailing bytes, BER forms and duplicate extensions are
//! rejected); signatures over certificates are checked with ECDSA P-256/P-384/P-521 (SHA-256, SHA-384 or
//! SHA-512, any pairing: RFC 5758 §3.2 binds no hash to a curve), RSA PKCS#1 v1.5 (SHA-256, SHA-384,
//! SHA-512) and Ed25519. [`chains_to_anchor`] is the path check of
//! §7.1 step 24: leaf first, each certificate issued by the next, the last by a trust anchor, every
//! certificate within its validity period. Revocation, name constraints, policies and unknown critical
//! extensions are not evaluated: the verifier holds no CRLs and no policy tree.

use der::asn1::{Ia5StringRef, ObjectIdentifier, OctetStringRef, PrintableStringRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use signature::Verifier;
use wire::cose::{CoseKey, EcCurve, OkpCurve};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::Name;

use crate::crypto::{sha256, sha384, sha512};

/// The longest trust path (leaf first, anchor excluded) this verifier walks, and the most certificates an
/// `x5c` may carry. Real attestation chains have one to three.
pub const MAX_CHAIN_LEN: usize = 8;

/// The most bytes one certificate may have: attestation certificates are well under 4 KiB.
pub const MAX_CERT_LEN: usize = 16 * 1024;

/// Object identifiers used here.
pub mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    /// `id-ecPublicKey` (RFC 5480).
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// `secp256r1` / `prime256v1` (RFC 5480).
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// `secp384r1` (RFC 5480).
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// `secp521r1` (RFC 5480).
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// `rsaEncryption` (RFC 8017).
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// `id-Ed25519` (RFC 8410), both a key and a signature algorithm.
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    /// `ecdsa-with-SHA256` (RFC 5758).
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// `ecdsa-with-SHA384` (RFC 5758).
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// `ecdsa-with-SHA512` (RFC 5758).
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    /// `sha256WithRSAEncryption` (RFC 8017).
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// `sha384WithRSAEncryption` (RFC 8017).
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    /// `sha512WithRSAEncryption` (RFC 8017).
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    /// `id-ce-basicConstraints` (RFC 5280 §4.2.1.9).
    pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
    /// `id-fido-gen-ce-aaguid` (WebAuthn §8.2.1): the authenticator model's AAGUID.
    pub const FIDO_GEN_CE_AAGUID: Oid = Oid::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
    /// `id-at-commonName` (X.520).
    pub const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
    /// `id-at-countryName` (X.520).
    pub const COUNTRY_NAME: Oid = Oid::new_unwrap("2.5.4.6");
    /// `id-at-organizationName` (X.520).
    pub const ORGANIZATION_NAME: Oid = Oid::new_unwrap("2.5.4.10");
    /// `id-at-organizationalUnitName` (X.520).
    pub const ORGANIZATIONAL_UNIT_NAME: Oid = Oid::new_unwrap("2.5.4.11");
}

/// What is wrong with a certificate, or with one certificate's signature over another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("certificate of {len} bytes exceeds the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("not a DER X.509 certificate: {0}")]
    Der(String),
    #[error("extension {oid} appears more than once (RFC 5280 §4.2)")]
    DuplicateExtension { oid: ObjectIdentifier },
    #[error("extension {oid} is malformed: {reason}")]
    MalformedExtension { oid: ObjectIdentifier, reason: String },
    #[error("subject public key algorithm {oid} is not supported")]
    UnsupportedKeyAlgorithm { oid: ObjectIdentifier },
    #[error("EC public key on curve {curve} is not supported")]
    UnsupportedCurve { curve: String },
    #[error("the subject public key is unusable: {0}")]
    InvalidKey(String),
    #[error("signature algorithm {oid} is not supported")]
    UnsupportedSignatureAlgorithm { oid: ObjectIdentifier },
    #[error(
        "signatureAlgorithm ({outer}) differs from tbsCertificate.signature ({inner}) (RFC 5280 §4.1.1.2)"
    )]
    SignatureAlgorithmMismatch { outer: ObjectIdentifier, inner: ObjectIdentifier },
    #[error("signature algorithm {alg} cannot be verified with a {key} key")]
    SignatureKeyMismatch { alg: &'static str, key: &'static str },
    #[error("the certificate signature is malformed: {0}")]
    SignatureMalformed(String),
    #[error("the certificate signature does not verify with the issuer's key")]
    SignatureInvalid,
}

/// A subject public key this verifier can use.
#[derive(Debug, Clone)]
pub enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    P521(P521Key),
}

/// A P-521 public key (`p521`'s verifying key has no `Debug`).
#[derive(Clone)]
pub struct P521Key(pub p521::ecdsa::VerifyingKey);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key")
    }
}

impl PublicKey {
    /// A short name of the key type, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            PublicKey::P256(_) => "EC P-256",
            PublicKey::P384(_) => "EC P-384",
            PublicKey::Rsa(_) => "RSA",
            PublicKey::Ed25519(_) => "Ed25519",
            PublicKey::P521(_) => "EC P-521",
        }
    }

    /// The same key as a COSE_Key with the given `alg`, so the credential-key code can verify an
    /// attestation signature made with it. Whether `alg` fits the key is for
    /// [`CredentialKey::from_cose`](crate::crypto::CredentialKey::from_cose) to decide.
    pub fn to_cose(&self, alg: i64) -> CoseKey {
        match self {
            PublicKey::P256(k) => {
                let point = k.to_encoded_point(false);
                CoseKey::Ec2 {
                    alg,
                    crv: EcCurve::P256,
                    x: point.x().map(|x| x.to_vec()).unwrap_or_default(),
                    y: point.y().map(|y| y.to_vec()).unwrap_or_default(),
                }
            }
            PublicKey::P384(k) => {
                let point = k.to_encoded_point(false);
                CoseKey::Ec2 {
                    alg,
                    crv: EcCurve::P384,
                    x: point.x().map(|x| x.to_vec()).unwrap_or_default(),
                    y: point.y().map(|y| y.to_vec()).unwrap_or_default(),
                }
            }
            PublicKey::Rsa(k) => CoseKey::Rsa { alg, n: k.n().to_bytes_be(), e: k.e().to_bytes_be() },
            PublicKey::Ed25519(k) => CoseKey::Okp { alg, crv: OkpCurve::Ed25519, x: k.to_bytes().to_vec() },
            PublicKey::P521(k) => {
                let point = k.0.to_encoded_point(false);
                CoseKey::Ec2 {
                    alg,
                    crv: EcCurve::P521,
                    x: point.x().map(|x| x.to_vec()).unwrap_or_default(),
                    y: point.y().map(|y| y.to_vec()).unwrap_or_default(),
                }
            }
        }
    }
}

/// A parsed certificate together with the exact bytes its signature covers.
#[derive(Debug, Clone)]
pub struct Certificate {
    cert: x509_cert::Certificate,
    /// The DER of `tbsCertificate` exactly as received.
    tbs: Vec<u8>,
    /// The whole certificate as received.
    der: Vec<u8>,
}

impl Certificate {
    /// Parses one DER certificate. Rejects trailing bytes, non-DER encodings (as `der` does), inputs over
    /// [`MAX_CERT_LEN`] and repeated extensions.
    pub fn from_der(der: &[u8]) -> Result<Certificate, CertError> {
        if der.len() > MAX_CERT_LEN {
            return Err(CertError::TooLarge { len: der.len(), max: MAX_CERT_LEN });
        }
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| CertError::Der(e.to_string()))?;
        let tbs = raw_tbs(der).map_err(|e| CertError::Der(e.to_string()))?.to_vec();
        let exts = cert.tbs_certificate.extensions.as_deref().unwrap_or(&[]);
        for (i, e) in exts.iter().enumerate() {
            if exts.iter().skip(i + 1).any(|other| other.extn_id == e.extn_id) {
                return Err(CertError::DuplicateExtension { oid: e.extn_id });
            }
        }
        Ok(Certificate { cert, tbs, der: der.to_vec() })
    }

    /// The parsed structure.
    pub fn inner(&self) -> &x509_cert::Certificate {
        &self.cert
    }

    /// The certificate as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The X.509 version number as people write it: 1, 2 or 3 (the ASN.1 INTEGER plus one).
    pub fn version(&self) -> u8 {
        match self.cert.tbs_certificate.version {
            Version::V1 => 1,
            Version::V2 => 2,
            Version::V3 => 3,
        }
    }

    pub fn subject(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    pub fn issuer(&self) -> &Name {
        &self.cert.tbs_certificate.issuer
    }

    /// notBefore, in seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.cert.tbs_certificate.validity.not_before.to_unix_duration().as_secs()
    }

    /// notAfter, in seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.cert.tbs_certificate.validity.not_after.to_unix_duration().as_secs()
    }

    /// RFC 5280 §4.1.2.5: the certificate is valid from notBefore to notAfter, both inclusive.
    pub fn check_validity(&self, now: u64) -> Result<(), String> {
        let validity = &self.cert.tbs_certificate.validity;
        if now < self.not_before() {
            return Err(format!("not valid before {}", validity.not_before));
        }
        if now > self.not_after() {
            return Err(format!("expired at {}", validity.not_after));
        }
        Ok(())
    }

    /// The extension with this OID, if present (at most one: duplicates were rejected when parsing).
    pub fn extension(&self, oid: ObjectIdentifier) -> Option<&Extension> {
        self.cert.tbs_certificate.extensions.as_deref().unwrap_or(&[]).iter().find(|e| e.extn_id == oid)
    }

    /// The cA flag of the basic constraints extension, or `None` when the extension is absent.
    pub fn basic_constraints_ca(&self) -> Result<Option<bool>, CertError> {
        let Some(ext) = self.extension(oid::BASIC_CONSTRAINTS) else { return Ok(None) };
        let bc = BasicConstraints::from_der(ext.extn_value.as_bytes()).map_err(|e| {
            CertError::MalformedExtension { oid: oid::BASIC_CONSTRAINTS, reason: e.to_string() }
        })?;
        Ok(Some(bc.ca))
    }

    /// The value of the `id-fido-gen-ce-aaguid` extension, with its criticality, if present. Its extnValue
    /// must hold a DER OCTET STRING of exactly 16 bytes (§8.2.1: "wrapped in two OCTET STRINGS").
    pub fn fido_aaguid(&self) -> Result<Option<([u8; 16], bool)>, CertError> {
        let Some(ext) = self.extension(oid::FIDO_GEN_CE_AAGUID) else { return Ok(None) };
        let malformed =
            |reason: String| CertError::MalformedExtension { oid: oid::FIDO_GEN_CE_AAGUID, reason };
        let inner = OctetStringRef::from_der(ext.extn_value.as_bytes())
            .map_err(|e| malformed(format!("not a DER OCTET STRING: {e}")))?;
        let aaguid: [u8; 16] = inner
            .as_bytes()
            .try_into()
            .map_err(|_| malformed(format!("{} bytes, not a 16-byte AAGUID", inner.as_bytes().len())))?;
        Ok(Some((aaguid, ext.critical)))
    }

    /// Every value of one subject attribute type, in order, as text. Values that are not a valid UTF8String,
    /// PrintableString or IA5String come back as `Err` with the ASN.1 tag they have.
    pub fn subject_values(&self, attr: ObjectIdentifier) -> Vec<Result<DirectoryText, Tag>> {
        self.subject()
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .filter(|atv| atv.oid == attr)
            .map(|atv| {
                let tag = atv.value.tag();
                let bytes = atv.value.value();
                let text = match tag {
                    Tag::Utf8String => std::str::from_utf8(bytes).ok(),
                    Tag::PrintableString => PrintableStringRef::new(bytes).ok().map(|t| t.as_str()),
                    Tag::Ia5String => Ia5StringRef::new(bytes).ok().map(|t| t.as_str()),
                    _ => None,
                }
                .ok_or(tag)?;
                Ok(DirectoryText { tag, text: text.to_owned() })
            })
            .collect()
    }

    /// The subject public key, if of a kind this verifier supports.
    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        let spki = &self.cert.tbs_certificate.subject_public_key_info;
        let key_oid = spki.algorithm.oid;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| CertError::InvalidKey("subjectPublicKey has unused bits".into()))?;
        if key_oid == oid::EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .ok_or_else(|| CertError::InvalidKey("id-ecPublicKey without curve parameters".into()))?
                .decode_as::<ObjectIdentifier>()
                .map_err(|e| CertError::InvalidKey(format!("EC parameters are not a named curve: {e}")))?;
            if curve == oid::SECP256R1 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::P256)
                    .map_err(|_| CertError::InvalidKey("not a point on P-256".into()))
            } else if curve == oid::SECP384R1 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::P384)
                    .map_err(|_| CertError::InvalidKey("not a point on P-384".into()))
            } else if curve == oid::SECP521R1 {
                // RFC 5480 §2.2: an uncompressed point (compressed ones decode too, as for P-256/P-384).
                p521::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(|k| PublicKey::P521(P521Key(k)))
                    .map_err(|_| CertError::InvalidKey("not a point on P-521".into()))
            } else {
                Err(CertError::UnsupportedCurve { curve: curve.to_string() })
            }
        } else if key_oid == oid::RSA_ENCRYPTION {
            // RFC 3279 §2.3.1: the parameters are NULL; tolerate their absence.
            if let Some(p) = &spki.algorithm.parameters {
                if p.tag() != Tag::Null || !p.value().is_empty() {
                    return Err(CertError::InvalidKey("rsaEncryption parameters are not NULL".into()));
                }
            }
            rsa::RsaPublicKey::from_pkcs1_der(bits)
                .map(PublicKey::Rsa)
                .map_err(|e| CertError::InvalidKey(format!("RSA key: {e}")))
        } else if key_oid == oid::ED25519 {
            if spki.algorithm.parameters.is_some() {
                return Err(CertError::InvalidKey("Ed25519 key with parameters (RFC 8410 §3)".into()));
            }
            let bytes: [u8; 32] = bits
                .try_into()
                .map_err(|_| CertError::InvalidKey(format!("Ed25519 key of {} bytes", bits.len())))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(PublicKey::Ed25519)
                .map_err(|_| CertError::InvalidKey("not a valid Ed25519 point".into()))
        } else {
            Err(CertError::UnsupportedKeyAlgorithm { oid: key_oid })
        }
    }

    /// Verifies this certificate's signature with `issuer_key`. The outer signatureAlgorithm must equal the
    /// one inside tbsCertificate (RFC 5280 §4.1.1.2).
    pub fn verify_signature(&self, issuer_key: &PublicKey) -> Result<(), CertError> {
        let outer = &self.cert.signature_algorithm;
        let inner = &self.cert.tbs_certificate.signature;
        if outer != inner {
            return Err(CertError::SignatureAlgorithmMismatch { outer: outer.oid, inner: inner.oid });
        }
        let sig =
            self.cert.signature.as_bytes().ok_or_else(|| {
                CertError::SignatureMalformed("signature BIT STRING has unused bits".into())
            })?;
        let alg = outer.oid;
        let params_absent = outer.parameters.is_none();
        let params_null_or_absent =
            outer.parameters.as_ref().is_none_or(|p| p.tag() == Tag::Null && p.value().is_empty());
        let mismatch =
            |alg: &'static str| CertError::SignatureKeyMismatch { alg, key: issuer_key.describe() };
        let bad_params = || CertError::SignatureMalformed(format!("unexpected parameters for {alg}"));
        let ecdsa = |hash: &[u8]| -> Result<(), CertError> {
            let malformed = || CertError::SignatureMalformed("not a DER ECDSA signature".into());
            match issuer_key {
                PublicKey::P256(k) => {
                    let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| malformed())?;
                    k.verify_prehash(hash, &s).map_err(|_| CertError::SignatureInvalid)
                }
                PublicKey::P384(k) => {
                    let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| malformed())?;
                    k.verify_prehash(hash, &s).map_err(|_| CertError::SignatureInvalid)
                }
                PublicKey::P521(k) => {
                    let s = p521::ecdsa::Signature::from_der(sig).map_err(|_| malformed())?;
                    k.0.verify_prehash(&p521_prehash(hash), &s).map_err(|_| CertError::SignatureInvalid)
                }
                _ => Err(mismatch("ECDSA")),
            }
        };
        if alg == oid::ECDSA_WITH_SHA256 || alg == oid::ECDSA_WITH_SHA384 || alg == oid::ECDSA_WITH_SHA512 {
            // RFC 5758 §3.2: the parameters field is absent for ECDSA.
            if !params_absent {
                return Err(bad_params());
            }
            if alg == oid::ECDSA_WITH_SHA256 {
                ecdsa(&sha256(&self.tbs))
            } else if alg == oid::ECDSA_WITH_SHA384 {
                ecdsa(&sha384(&self.tbs))
            } else {
                ecdsa(&sha512(&self.tbs))
            }
        } else if alg == oid::SHA256_WITH_RSA || alg == oid::SHA384_WITH_RSA || alg == oid::SHA512_WITH_RSA {
            if !params_null_or_absent {
                return Err(bad_params());
            }
            let PublicKey::Rsa(k) = issuer_key else { return Err(mismatch("RSA PKCS#1 v1.5")) };
            if sig.len() != k.size() {
                return Err(CertError::SignatureMalformed(format!(
                    "RSA signature of {} bytes for a {}-byte modulus",
                    sig.len(),
                    k.size()
                )));
            }
            let s = rsa::pkcs1v15::Signature::try_from(sig)
                .map_err(|_| CertError::SignatureMalformed("not an RSA signature".into()))?;
            let k = k.clone();
            let checked = if alg == oid::SHA256_WITH_RSA {
                rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k).verify(&self.tbs, &s)
            } else if alg == oid::SHA384_WITH_RSA {
                rsa::pkcs1v15::VerifyingKey::<Sha384>::new(k).verify(&self.tbs, &s)
            } else {
                rsa::pkcs1v15::VerifyingKey::<Sha512>::new(k).verify(&self.tbs, &s)
            };
            checked.map_err(|_| CertError::SignatureInvalid)
        } else if alg == oid::ED25519 {
            if !params_absent {
                return Err(bad_params());
            }
            let PublicKey::Ed25519(k) = issuer_key else { return Err(mismatch("Ed25519")) };
            let bytes: [u8; 64] = sig.try_into().map_err(|_| {
                CertError::SignatureMalformed(format!("Ed25519 signature of {} bytes, not 64", sig.len()))
            })?;
            k.verify_strict(&self.tbs, &ed25519_dalek::Signature::from_bytes(&bytes))
                .map_err(|_| CertError::SignatureInvalid)
        } else {
            Err(CertError::UnsupportedSignatureAlgorithm { oid: alg })
        }
    }

    /// Was this certificate issued by `issuer`: issuer name equals the issuer's subject, and the signature
    /// verifies with the issuer's key?
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<(), String> {
        if self.issuer() != issuer.subject() {
            return Err(format!("its issuer \"{}\" is not \"{}\"", self.issuer(), issuer.subject()));
        }
        let key = issuer.public_key().map_err(|e| format!("the issuer's key is unusable: {e}"))?;
        self.verify_signature(&key).map_err(|e| e.to_string())
    }
}

/// A directory string value with the ASN.1 string type it was encoded as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryText {
    pub tag: Tag,
    pub text: String,
}

/// The raw `tbsCertificate` TLV inside a DER certificate.
fn raw_tbs(der: &[u8]) -> der::Result<&[u8]> {
    let mut reader = SliceReader::new(der)?;
    let tbs = reader.sequence(|r| {
        let tbs = r.tlv_bytes()?;
        let rest = r.remaining_len();
        r.read_slice(rest)?;
        Ok(tbs)
    })?;
    reader.finish(tbs)
}

/// The digest as the P-521 verifier takes it. ECDSA (SEC 1 §4.1.4 step 5) uses a digest shorter than the
/// group order as the integer it spells; the `ecdsa` crate refuses digests shorter than half the field
/// (33 bytes for P-521), so a SHA-256 digest is left-padded with zeros, which is the same integer.
fn p521_prehash(hash: &[u8]) -> Vec<u8> {
    const HALF_FIELD: usize = 33;
    let mut padded = vec![0u8; HALF_FIELD.saturating_sub(hash.len())];
    padded.extend_from_slice(hash);
    padded
}

/// §7.1 step 24: does the trust path (leaf first, DER) chain to one of `anchors` (DER), or is one of its
/// certificates itself an anchor? The error names the certificate that failed and why; see
/// [`super::path::verify`] for the walk and for which requirement failed.
pub fn chains_to_anchor(trust_path: &[Vec<u8>], anchors: &[Vec<u8>], now: u64) -> Result<(), String> {
    super::path::verify(trust_path, anchors, now).map_err(|e| e.detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{BitString, OctetString};
    use der::Encode;
    use proptest::prelude::*;
    use rsa::pkcs8::EncodePublicKey as _;
    use sha2::Digest as _;
    use signature::{SignatureEncoding as _, Signer};
    use x509_cert::certificate::TbsCertificate;
    use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

    const NOW: u64 = 1_748_736_000; // 2025-06-01
    const NOT_BEFORE: u64 = 1_704_067_200; // 2024-01-01
    const NOT_AFTER: u64 = 33_260_976_000; // 3024-01-01

    const VECTORS: &str = include_str!("../../../../vectors/w3c/webauthn-l3-section16.json");

    fn vectors() -> serde_json::Value {
        serde_json::from_str(VECTORS).expect("JSON")
    }

    fn root() -> Vec<u8> {
        hex::decode(vectors()["attestationRoot"]["attestation_ca_cert"].as_str().expect("cert")).expect("hex")
    }

    fn root_key() -> p256::ecdsa::SigningKey {
        let k = hex::decode(vectors()["attestationRoot"]["attestation_ca_key"].as_str().expect("key"))
            .expect("hex");
        p256::ecdsa::SigningKey::from_slice(&k).expect("scalar")
    }

    fn registration(name: &str) -> serde_json::Value {
        let anchor = format!("sctn-test-vectors-{name}");
        vectors()["examples"]
            .as_array()
            .expect("examples")
            .iter()
            .find(|e| e["anchor"] == anchor.as_str())
            .expect("example")["registration"]
            .clone()
    }

    /// The attestation certificate of packed-es256 (x5c[0]), dug out of its attestation object.
    fn leaf() -> Vec<u8> {
        let ao = hex::decode(registration("packed-es256")["attestationObject"].as_str().expect("ao"))
            .expect("hex");
        let v = wire::cbor::decode(&ao, &wire::cbor::Limits::WEBAUTHN).expect("CBOR").value;
        let x5c =
            v.get_text("attStmt").and_then(|s| s.get_text("x5c")).and_then(|x| x.as_array()).expect("x5c");
        x5c.first().and_then(|c| c.as_bytes()).expect("cert").to_vec()
    }

    fn tbs_of(der: &[u8]) -> TbsCertificate {
        x509_cert::Certificate::from_der(der).expect("cert").tbs_certificate
    }

    /// Encodes a certificate with the given algorithm and signature bytes, without checking anything.
    fn assemble(tbs: TbsCertificate, alg: AlgorithmIdentifierOwned, sig: &[u8]) -> Vec<u8> {
        x509_cert::Certificate {
            tbs_certificate: tbs,
            signature_algorithm: alg,
            signature: BitString::from_bytes(sig).expect("bits"),
        }
        .to_der()
        .expect("DER")
    }

    fn alg_id(oid: ObjectIdentifier, null_params: bool) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned { oid, parameters: null_params.then(der::Any::null) }
    }

    fn sign_p256(mut tbs: TbsCertificate, key: &p256::ecdsa::SigningKey) -> Vec<u8> {
        tbs.signature = alg_id(oid::ECDSA_WITH_SHA256, false);
        let sig: p256::ecdsa::Signature = key.sign(&tbs.to_der().expect("DER"));
        assemble(tbs, alg_id(oid::ECDSA_WITH_SHA256, false), sig.to_der().as_bytes())
    }

    fn spki(der: &[u8]) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned::from_der(der).expect("SPKI")
    }

    /// SHA-256 in counter mode: a deterministic byte stream for generating test keys.
    struct TestRng(u64);

    impl rsa::rand_core::RngCore for TestRng {
        fn next_u32(&mut self) -> u32 {
            let mut b = [0u8; 4];
            self.fill_bytes(&mut b);
            u32::from_le_bytes(b)
        }
        fn next_u64(&mut self) -> u64 {
            let mut b = [0u8; 8];
            self.fill_bytes(&mut b);
            u64::from_le_bytes(b)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for chunk in dest.chunks_mut(32) {
                self.0 += 1;
                let block = sha256(&self.0.to_be_bytes());
                chunk.copy_from_slice(&block[..chunk.len()]);
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl rsa::rand_core::CryptoRng for TestRng {}

    /// A 1024-bit RSA key from a fixed seed (small, so the test runs in little time; size is not what is tested).
    fn rsa_key() -> rsa::RsaPrivateKey {
        rsa::RsaPrivateKey::new(&mut TestRng(1), 1024).expect("RSA key")
    }

    /// An issuer certificate with `key_spki`, named like the root, self-issued (signature not checked here).
    fn issuer_with_key(key_spki: SubjectPublicKeyInfoOwned) -> Certificate {
        let mut tbs = tbs_of(&root());
        tbs.subject_public_key_info = key_spki;
        Certificate::from_der(&sign_p256(tbs, &root_key())).expect("issuer")
    }

    #[test]
    fn vector_certificates_parse_with_their_fields() {
        let leaf = Certificate::from_der(&leaf()).expect("leaf");
        assert_eq!(leaf.version(), 3);
        assert_eq!(leaf.not_before(), NOT_BEFORE);
        assert_eq!(leaf.not_after(), NOT_AFTER);
        assert_eq!(leaf.basic_constraints_ca(), Ok(Some(false)));
        assert_eq!(leaf.fido_aaguid(), Ok(None));
        assert!(matches!(leaf.public_key(), Ok(PublicKey::P256(_))));
        let ou = leaf.subject_values(oid::ORGANIZATIONAL_UNIT_NAME);
        assert_eq!(
            ou,
            vec![Ok(DirectoryText { tag: Tag::Utf8String, text: "Authenticator Attestation".into() })]
        );
        let c = leaf.subject_values(oid::COUNTRY_NAME);
        assert_eq!(c, vec![Ok(DirectoryText { tag: Tag::PrintableString, text: "AA".into() })]);
        let root = Certificate::from_der(&root()).expect("root");
        assert_eq!(root.basic_constraints_ca(), Ok(Some(true)));
        assert_eq!(leaf.verify_issued_by(&root), Ok(()));
        assert_eq!(root.verify_issued_by(&root), Ok(()), "the root is self-signed");
        assert_eq!(leaf.der(), self::leaf().as_slice());
    }

    #[test]
    fn subject_values_decode_directory_strings() {
        use der::asn1::{Any, SetOfVec};
        use x509_cert::attr::AttributeTypeAndValue;
        use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
        let mut tbs = tbs_of(&leaf());
        let values: [(Tag, &[u8]); 5] = [
            (Tag::PrintableString, b"Good"),
            (Tag::PrintableString, b"a@b"),
            (Tag::Ia5String, b"mail@x"),
            (Tag::Utf8String, b"\xff"),
            (Tag::BmpString, b"\0A"),
        ];
        tbs.subject = RdnSequence(
            values
                .iter()
                .map(|(tag, v)| {
                    let atv = AttributeTypeAndValue {
                        oid: oid::COMMON_NAME,
                        value: Any::new(*tag, *v).expect("any"),
                    };
                    RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("set"))
                })
                .collect(),
        );
        let cert = Certificate::from_der(&sign_p256(tbs, &root_key())).expect("cert");
        assert_eq!(
            cert.subject_values(oid::COMMON_NAME),
            vec![
                Ok(DirectoryText { tag: Tag::PrintableString, text: "Good".into() }),
                Err(Tag::PrintableString),
                Ok(DirectoryText { tag: Tag::Ia5String, text: "mail@x".into() }),
                Err(Tag::Utf8String),
                Err(Tag::BmpString),
            ]
        );
        assert!(cert.subject_values(oid::COUNTRY_NAME).is_empty());
    }

    #[test]
    fn trailing_truncated_empty_and_oversized_inputs_are_rejected() {
        let der = leaf();
        assert!(matches!(Certificate::from_der(&[der.clone(), vec![0]].concat()), Err(CertError::Der(_))));
        assert!(matches!(Certificate::from_der(&der[..der.len() - 1]), Err(CertError::Der(_))));
        assert!(matches!(Certificate::from_der(&[]), Err(CertError::Der(_))));
        assert!(matches!(Certificate::from_der(b"garbage"), Err(CertError::Der(_))));
        assert!(matches!(
            Certificate::from_der(&vec![0x30; MAX_CERT_LEN + 1]),
            Err(CertError::TooLarge { len, max: MAX_CERT_LEN }) if len == MAX_CERT_LEN + 1
        ));
        // A BER long-form length where DER needs the short form.
        let mut ber = vec![0x30, 0x81, 0x03];
        ber.extend_from_slice(&[0x02, 0x01, 0x00]);
        assert!(matches!(Certificate::from_der(&ber), Err(CertError::Der(_))));
    }

    #[test]
    fn duplicate_extensions_are_rejected() {
        let mut tbs = tbs_of(&leaf());
        let exts = tbs.extensions.as_mut().expect("extensions");
        let first = exts[0].clone();
        exts.push(first);
        let der = sign_p256(tbs, &root_key());
        assert_eq!(
            Certificate::from_der(&der).err(),
            Some(CertError::DuplicateExtension { oid: oid::BASIC_CONSTRAINTS })
        );
    }

    #[test]
    fn malformed_extensions_are_reported() {
        let mut tbs = tbs_of(&leaf());
        let exts = tbs.extensions.as_mut().expect("extensions");
        exts[0].extn_value = OctetString::new(vec![0x01, 0x01]).expect("octets");
        exts.push(x509_cert::ext::Extension {
            extn_id: oid::FIDO_GEN_CE_AAGUID,
            critical: false,
            extn_value: OctetString::new(vec![0x04, 0x02, 0xaa]).expect("octets"),
        });
        let cert = Certificate::from_der(&sign_p256(tbs, &root_key())).expect("cert");
        assert!(matches!(
            cert.basic_constraints_ca(),
            Err(CertError::MalformedExtension { oid, .. }) if oid == oid::BASIC_CONSTRAINTS
        ));
        assert!(matches!(
            cert.fido_aaguid(),
            Err(CertError::MalformedExtension { oid, .. }) if oid == oid::FIDO_GEN_CE_AAGUID
        ));
    }

    #[test]
    fn aaguid_extension_is_read_with_its_criticality() {
        let mut tbs = tbs_of(&leaf());
        let inner = OctetString::new(vec![7u8; 16]).expect("octets").to_der().expect("DER");
        tbs.extensions.as_mut().expect("extensions").push(x509_cert::ext::Extension {
            extn_id: oid::FIDO_GEN_CE_AAGUID,
            critical: true,
            extn_value: OctetString::new(inner).expect("octets"),
        });
        let cert = Certificate::from_der(&sign_p256(tbs, &root_key())).expect("cert");
        assert_eq!(cert.fido_aaguid(), Ok(Some(([7u8; 16], true))));
    }

    #[test]
    fn validity_bounds_are_inclusive() {
        let leaf = Certificate::from_der(&leaf()).expect("leaf");
        assert_eq!(leaf.check_validity(NOT_BEFORE), Ok(()));
        assert_eq!(leaf.check_validity(NOT_AFTER), Ok(()));
        assert!(leaf.check_validity(NOT_BEFORE - 1).expect_err("early").contains("not valid before"));
        assert!(leaf.check_validity(NOT_AFTER + 1).expect_err("late").contains("expired"));
        assert!(leaf.check_validity(u64::MAX).is_err());
    }

    #[test]
    fn unsupported_and_invalid_subject_keys_are_told_apart() {
        let base = tbs_of(&leaf());
        let with_spki = |f: &dyn Fn(&mut SubjectPublicKeyInfoOwned)| {
            let mut tbs = base.clone();
            f(&mut tbs.subject_public_key_info);
            Certificate::from_der(&sign_p256(tbs, &root_key())).expect("cert").public_key()
        };
        assert!(matches!(
            with_spki(&|s| s.algorithm.oid = ObjectIdentifier::new_unwrap("1.2.3.4")),
            Err(CertError::UnsupportedKeyAlgorithm { .. })
        ));
        // A P-256 point labelled secp521r1 is no P-521 key.
        assert!(matches!(
            with_spki(&|s| s.algorithm.parameters = Some(der::Any::from(oid::SECP521R1))),
            Err(CertError::InvalidKey(why)) if why == "not a point on P-521"
        ));
        let r = with_spki(&|s| {
            s.algorithm.parameters = Some(der::Any::from(ObjectIdentifier::new_unwrap("1.3.132.0.10")))
        });
        assert!(matches!(r, Err(CertError::UnsupportedCurve { .. })), "{r:?}");
        assert!(matches!(with_spki(&|s| s.algorithm.parameters = None), Err(CertError::InvalidKey(_))));
        assert!(matches!(
            with_spki(&|s| s.algorithm.parameters = Some(der::Any::null())),
            Err(CertError::InvalidKey(_))
        ));
        assert!(matches!(
            with_spki(&|s| {
                let mut point = s.subject_public_key.raw_bytes().to_vec();
                point[10] ^= 0x01;
                s.subject_public_key = BitString::from_bytes(&point).expect("bits");
            }),
            Err(CertError::InvalidKey(_))
        ));
        assert!(matches!(
            with_spki(&|s| s.subject_public_key =
                BitString::new(1, s.subject_public_key.raw_bytes()).expect("bits")),
            Err(CertError::InvalidKey(_))
        ));
        assert!(matches!(
            with_spki(&|s| {
                s.algorithm = alg_id(oid::RSA_ENCRYPTION, true);
                s.subject_public_key = BitString::from_bytes(&[0x30, 0x00]).expect("bits");
            }),
            Err(CertError::InvalidKey(_))
        ));
        assert!(matches!(
            with_spki(&|s| {
                s.algorithm = alg_id(oid::ED25519, false);
                s.subject_public_key = BitString::from_bytes(&[1; 31]).expect("bits");
            }),
            Err(CertError::InvalidKey(_))
        ));
    }

    #[test]
    fn to_cose_keeps_the_key() {
        let key = Certificate::from_der(&leaf()).expect("leaf").public_key().expect("key");
        let PublicKey::P256(vk) = &key else { panic!("P-256") };
        let point = vk.to_encoded_point(false);
        assert_eq!(
            key.to_cose(-7),
            CoseKey::Ec2 {
                alg: -7,
                crv: EcCurve::P256,
                x: point.x().expect("x").to_vec(),
                y: point.y().expect("y").to_vec()
            }
        );
    }

    #[test]
    fn signature_checks_name_what_is_wrong() {
        let root_cert = Certificate::from_der(&root()).expect("root");
        let root_pk = root_cert.public_key().expect("key");
        let der = leaf();
        let tbs = tbs_of(&der);
        let parsed = x509_cert::Certificate::from_der(&der).expect("cert");
        let sig = parsed.signature.raw_bytes().to_vec();

        // A changed tbsCertificate: the signature no longer verifies.
        let mut changed = tbs.clone();
        changed.serial_number = x509_cert::serial_number::SerialNumber::new(&[1, 2, 3]).expect("serial");
        let c = Certificate::from_der(&assemble(changed, alg_id(oid::ECDSA_WITH_SHA256, false), &sig))
            .expect("c");
        assert_eq!(c.verify_signature(&root_pk), Err(CertError::SignatureInvalid));

        // Not a DER ECDSA signature.
        let c = Certificate::from_der(&assemble(
            tbs.clone(),
            alg_id(oid::ECDSA_WITH_SHA256, false),
            &[0x30, 0x00],
        ))
        .expect("c");
        assert!(matches!(c.verify_signature(&root_pk), Err(CertError::SignatureMalformed(_))));

        // The outer algorithm differs from the inner one.
        let c = Certificate::from_der(&assemble(tbs.clone(), alg_id(oid::ECDSA_WITH_SHA384, false), &sig))
            .expect("c");
        assert_eq!(
            c.verify_signature(&root_pk),
            Err(CertError::SignatureAlgorithmMismatch {
                outer: oid::ECDSA_WITH_SHA384,
                inner: oid::ECDSA_WITH_SHA256
            })
        );

        // ECDSA with parameters.
        let mut t = tbs.clone();
        t.signature = alg_id(oid::ECDSA_WITH_SHA256, true);
        let c = Certificate::from_der(&assemble(t, alg_id(oid::ECDSA_WITH_SHA256, true), &sig)).expect("c");
        assert!(matches!(c.verify_signature(&root_pk), Err(CertError::SignatureMalformed(_))));

        // An algorithm this verifier does not know (ecdsa-with-SHA224).
        let sha512 = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.1");
        let mut t = tbs.clone();
        t.signature = alg_id(sha512, false);
        let c = Certificate::from_der(&assemble(t, alg_id(sha512, false), &sig)).expect("c");
        assert_eq!(
            c.verify_signature(&root_pk),
            Err(CertError::UnsupportedSignatureAlgorithm { oid: sha512 })
        );

        // An ECDSA signature checked with an Ed25519 key.
        let ed = ed25519_dalek::SigningKey::from_bytes(&[5; 32]).verifying_key();
        let c = Certificate::from_der(&der).expect("leaf");
        assert_eq!(
            c.verify_signature(&PublicKey::Ed25519(ed)),
            Err(CertError::SignatureKeyMismatch { alg: "ECDSA", key: "Ed25519" })
        );
        // Issuer names must match as well.
        let mut other = tbs_of(&root());
        other.subject = tbs_of(&der).subject;
        let not_issuer = Certificate::from_der(&sign_p256(other, &root_key())).expect("c");
        assert!(c.verify_issued_by(&not_issuer).expect_err("name").contains("issuer"));
    }

    #[test]
    fn rsa_signed_certificates_verify() {
        let private = rsa_key();
        let public_spki = spki(private.to_public_key().to_public_key_der().expect("SPKI").as_bytes());
        let issuer = issuer_with_key(public_spki);
        let issuer_key = issuer.public_key().expect("RSA key");
        assert_eq!(issuer_key.describe(), "RSA");
        let mut tbs = tbs_of(&leaf());
        for (alg, ok) in
            [(oid::SHA256_WITH_RSA, true), (oid::SHA384_WITH_RSA, true), (oid::SHA512_WITH_RSA, true)]
        {
            tbs.signature = alg_id(alg, true);
            let msg = tbs.to_der().expect("DER");
            let sig: Vec<u8> = if alg == oid::SHA256_WITH_RSA {
                rsa::pkcs1v15::SigningKey::<Sha256>::new(private.clone()).sign(&msg).to_vec()
            } else if alg == oid::SHA384_WITH_RSA {
                rsa::pkcs1v15::SigningKey::<Sha384>::new(private.clone()).sign(&msg).to_vec()
            } else {
                rsa::pkcs1v15::SigningKey::<Sha512>::new(private.clone()).sign(&msg).to_vec()
            };
            let cert = Certificate::from_der(&assemble(tbs.clone(), alg_id(alg, true), &sig)).expect("cert");
            assert_eq!(cert.verify_signature(&issuer_key).is_ok(), ok, "{alg}");
            // A flipped bit fails; a short signature is malformed; the P-256 root's key does not fit.
            let mut bad = sig.clone();
            bad[5] ^= 1;
            let cert_bad =
                Certificate::from_der(&assemble(tbs.clone(), alg_id(alg, true), &bad)).expect("cert");
            assert_eq!(cert_bad.verify_signature(&issuer_key), Err(CertError::SignatureInvalid));
            let cert_short =
                Certificate::from_der(&assemble(tbs.clone(), alg_id(alg, true), &sig[1..])).expect("cert");
            assert!(matches!(
                cert_short.verify_signature(&issuer_key),
                Err(CertError::SignatureMalformed(_))
            ));
            let p256_root = Certificate::from_der(&root()).expect("root").public_key().expect("key");
            assert!(matches!(cert.verify_signature(&p256_root), Err(CertError::SignatureKeyMismatch { .. })));
        }
        // Parameters other than NULL are refused.
        tbs.signature = AlgorithmIdentifierOwned {
            oid: oid::SHA256_WITH_RSA,
            parameters: Some(der::Any::from(oid::ED25519)),
        };
        let cert =
            Certificate::from_der(&assemble(tbs.clone(), tbs.signature.clone(), &[0; 128])).expect("cert");
        assert!(matches!(cert.verify_signature(&issuer_key), Err(CertError::SignatureMalformed(_))));
    }

    #[test]
    fn ed25519_signed_certificates_verify() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let ed_spki = SubjectPublicKeyInfoOwned {
            algorithm: alg_id(oid::ED25519, false),
            subject_public_key: BitString::from_bytes(sk.verifying_key().as_bytes()).expect("bits"),
        };
        let issuer = issuer_with_key(ed_spki);
        let issuer_key = issuer.public_key().expect("Ed25519 key");
        let mut tbs = tbs_of(&leaf());
        tbs.signature = alg_id(oid::ED25519, false);
        let sig = sk.sign(&tbs.to_der().expect("DER")).to_bytes();
        let cert =
            Certificate::from_der(&assemble(tbs.clone(), alg_id(oid::ED25519, false), &sig)).expect("cert");
        assert_eq!(cert.verify_signature(&issuer_key), Ok(()));
        let cert =
            Certificate::from_der(&assemble(tbs, alg_id(oid::ED25519, false), &sig[1..])).expect("cert");
        assert!(matches!(cert.verify_signature(&issuer_key), Err(CertError::SignatureMalformed(_))));
    }

    #[test]
    fn p384_issuer_verifies_sha256_and_sha384_signatures() {
        let key = p384::ecdsa::SigningKey::from_slice(&[0x21; 48]).expect("scalar");
        use p256::pkcs8::EncodePublicKey as _;
        let issuer = issuer_with_key(spki(key.verifying_key().to_public_key_der().expect("SPKI").as_bytes()));
        let issuer_key = issuer.public_key().expect("P-384");
        assert_eq!(issuer_key.describe(), "EC P-384");
        let mut tbs = tbs_of(&leaf());
        for alg in [oid::ECDSA_WITH_SHA256, oid::ECDSA_WITH_SHA384] {
            tbs.signature = alg_id(alg, false);
            let msg = tbs.to_der().expect("DER");
            let prehash =
                if alg == oid::ECDSA_WITH_SHA256 { sha256(&msg).to_vec() } else { sha384(&msg).to_vec() };
            let sig: p384::ecdsa::Signature =
                signature::hazmat::PrehashSigner::sign_prehash(&key, &prehash).expect("sig");
            let cert =
                Certificate::from_der(&assemble(tbs.clone(), alg_id(alg, false), sig.to_der().as_bytes()))
                    .expect("cert");
            assert_eq!(cert.verify_signature(&issuer_key), Ok(()), "{alg}");
        }
    }

    fn p521_key() -> p521::ecdsa::SigningKey {
        p521::ecdsa::SigningKey::from_slice(&[&[0u8][..], &[0x52; 65]].concat()).expect("scalar")
    }

    /// The SubjectPublicKeyInfo of a P-521 key: id-ecPublicKey, secp521r1, the uncompressed point.
    fn p521_spki(key: &p521::ecdsa::VerifyingKey) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oid::EC_PUBLIC_KEY,
                parameters: Some(der::Any::from(oid::SECP521R1)),
            },
            subject_public_key: BitString::from_bytes(key.to_encoded_point(false).as_bytes()).expect("bits"),
        }
    }

    #[test]
    fn p521_subject_keys_are_read() {
        let key = p521_key();
        let cert = issuer_with_key(p521_spki(&p521::ecdsa::VerifyingKey::from(&key)));
        let pk = cert.public_key().expect("P-521");
        assert_eq!(pk.describe(), "EC P-521");
        let point = p521::ecdsa::VerifyingKey::from(&key).to_encoded_point(false);
        assert_eq!(
            pk.to_cose(-36),
            CoseKey::Ec2 {
                alg: -36,
                crv: EcCurve::P521,
                x: point.x().expect("x").to_vec(),
                y: point.y().expect("y").to_vec()
            }
        );
        // A point off the curve (last byte of y changed), a truncated point, and the P-521 point labelled
        // secp384r1 are not keys.
        let with_bits = |bits: &[u8], curve: ObjectIdentifier| {
            let mut spki = p521_spki(&p521::ecdsa::VerifyingKey::from(&key));
            spki.subject_public_key = BitString::from_bytes(bits).expect("bits");
            spki.algorithm.parameters = Some(der::Any::from(curve));
            issuer_with_key(spki).public_key()
        };
        let mut off = point.as_bytes().to_vec();
        let last = off.len() - 1;
        off[last] ^= 1;
        assert_eq!(
            with_bits(&off, oid::SECP521R1).err(),
            Some(CertError::InvalidKey("not a point on P-521".into()))
        );
        assert_eq!(
            with_bits(&point.as_bytes()[..100], oid::SECP521R1).err(),
            Some(CertError::InvalidKey("not a point on P-521".into()))
        );
        assert_eq!(
            with_bits(point.as_bytes(), oid::SECP384R1).err(),
            Some(CertError::InvalidKey("not a point on P-384".into()))
        );
    }

    /// Signs `tbs` with `alg` as ecdsa-with-SHA`n` by a P-521 key, the digest handed to the signer as the
    /// verifier hands it ([`p521_prehash`]).
    fn p521_signed(mut tbs: TbsCertificate, alg: ObjectIdentifier, key: &p521::ecdsa::SigningKey) -> Vec<u8> {
        tbs.signature = alg_id(alg, false);
        let msg = tbs.to_der().expect("DER");
        let digest = if alg == oid::ECDSA_WITH_SHA256 {
            sha256(&msg).to_vec()
        } else if alg == oid::ECDSA_WITH_SHA384 {
            sha384(&msg).to_vec()
        } else {
            Sha512::digest(&msg).to_vec()
        };
        let sig: p521::ecdsa::Signature =
            signature::hazmat::PrehashSigner::sign_prehash(key, &p521_prehash(&digest)).expect("sig");
        assemble(tbs, alg_id(alg, false), sig.to_der().as_bytes())
    }

    #[test]
    fn p521_issuer_verifies_every_ecdsa_hash() {
        let key = p521_key();
        let issuer_key =
            issuer_with_key(p521_spki(&p521::ecdsa::VerifyingKey::from(&key))).public_key().expect("P-521");
        for alg in [oid::ECDSA_WITH_SHA256, oid::ECDSA_WITH_SHA384, oid::ECDSA_WITH_SHA512] {
            let der = p521_signed(tbs_of(&leaf()), alg, &key);
            let cert = Certificate::from_der(&der).expect("cert");
            assert_eq!(cert.verify_signature(&issuer_key), Ok(()), "{alg}");
            // The same signature under another hash does not verify.
            let parsed = x509_cert::Certificate::from_der(&der).expect("cert");
            let other =
                if alg == oid::ECDSA_WITH_SHA512 { oid::ECDSA_WITH_SHA384 } else { oid::ECDSA_WITH_SHA512 };
            let mut tbs = parsed.tbs_certificate.clone();
            tbs.signature = alg_id(other, false);
            let swapped =
                Certificate::from_der(&assemble(tbs, alg_id(other, false), parsed.signature.raw_bytes()))
                    .expect("cert");
            assert_eq!(swapped.verify_signature(&issuer_key), Err(CertError::SignatureInvalid), "{alg}");
            // A flipped bit in the tbsCertificate.
            let mut tbs = parsed.tbs_certificate.clone();
            tbs.serial_number = x509_cert::serial_number::SerialNumber::new(&[9]).expect("serial");
            let changed =
                Certificate::from_der(&assemble(tbs, alg_id(alg, false), parsed.signature.raw_bytes()))
                    .expect("cert");
            assert_eq!(changed.verify_signature(&issuer_key), Err(CertError::SignatureInvalid), "{alg}");
            // A P-521 signature checked with the P-256 root's key is no P-256 signature; with an Ed25519 key,
            // the key does not fit ECDSA.
            let p256_root = Certificate::from_der(&root()).expect("root").public_key().expect("key");
            assert!(matches!(cert.verify_signature(&p256_root), Err(CertError::SignatureMalformed(_))));
            let ed = ed25519_dalek::SigningKey::from_bytes(&[5; 32]).verifying_key();
            assert_eq!(
                cert.verify_signature(&PublicKey::Ed25519(ed)),
                Err(CertError::SignatureKeyMismatch { alg: "ECDSA", key: "Ed25519" })
            );
        }
        // ecdsa-with-SHA512 with parameters is malformed (RFC 5758 §3.2: absent).
        let der = p521_signed(tbs_of(&leaf()), oid::ECDSA_WITH_SHA512, &key);
        let parsed = x509_cert::Certificate::from_der(&der).expect("cert");
        let mut tbs = parsed.tbs_certificate.clone();
        tbs.signature = alg_id(oid::ECDSA_WITH_SHA512, true);
        let c = Certificate::from_der(&assemble(
            tbs,
            alg_id(oid::ECDSA_WITH_SHA512, true),
            parsed.signature.raw_bytes(),
        ))
        .expect("cert");
        assert!(matches!(c.verify_signature(&issuer_key), Err(CertError::SignatureMalformed(_))));
        // An ECDSA P-256 signature is not checked as a P-521 one.
        let c = Certificate::from_der(&leaf()).expect("leaf");
        assert_eq!(c.verify_signature(&issuer_key), Err(CertError::SignatureInvalid));
    }

    #[test]
    fn p256_and_p384_issuers_verify_sha512_signatures() {
        let mut tbs = tbs_of(&leaf());
        tbs.signature = alg_id(oid::ECDSA_WITH_SHA512, false);
        let msg = tbs.to_der().expect("DER");
        let digest = Sha512::digest(&msg);
        let p256_sig: p256::ecdsa::Signature =
            signature::hazmat::PrehashSigner::sign_prehash(&root_key(), &digest).expect("sig");
        let cert = Certificate::from_der(&assemble(
            tbs.clone(),
            alg_id(oid::ECDSA_WITH_SHA512, false),
            p256_sig.to_der().as_bytes(),
        ))
        .expect("cert");
        let root_pk = Certificate::from_der(&root()).expect("root").public_key().expect("key");
        assert_eq!(cert.verify_signature(&root_pk), Ok(()));
        let p384 = p384::ecdsa::SigningKey::from_slice(&[0x21; 48]).expect("scalar");
        use p256::pkcs8::EncodePublicKey as _;
        let issuer =
            issuer_with_key(spki(p384.verifying_key().to_public_key_der().expect("SPKI").as_bytes()));
        let p384_sig: p384::ecdsa::Signature =
            signature::hazmat::PrehashSigner::sign_prehash(&p384, &digest).expect("sig");
        let cert = Certificate::from_der(&assemble(
            tbs,
            alg_id(oid::ECDSA_WITH_SHA512, false),
            p384_sig.to_der().as_bytes(),
        ))
        .expect("cert");
        assert_eq!(cert.verify_signature(&issuer.public_key().expect("P-384")), Ok(()));
    }

    #[test]
    fn chains_to_anchor_basics() {
        let (leaf, root) = (leaf(), root());
        assert_eq!(chains_to_anchor(std::slice::from_ref(&leaf), std::slice::from_ref(&root), NOW), Ok(()));
        // The leaf itself as the anchor.
        assert_eq!(chains_to_anchor(std::slice::from_ref(&leaf), std::slice::from_ref(&leaf), NOW), Ok(()));
        // The root included in the path and configured as the anchor.
        assert_eq!(chains_to_anchor(&[leaf.clone(), root.clone()], std::slice::from_ref(&root), NOW), Ok(()));
        assert_eq!(chains_to_anchor(&[], std::slice::from_ref(&root), NOW), Err("empty trust path".into()));
        let e = chains_to_anchor(&vec![leaf.clone(); MAX_CHAIN_LEN + 1], std::slice::from_ref(&root), NOW)
            .expect_err("too long");
        assert!(e.contains("exceeds the limit"), "{e}");
        let e = chains_to_anchor(std::slice::from_ref(&leaf), &[], NOW).expect_err("no anchors");
        assert!(e.contains("no trust anchors"), "{e}");
        let e = chains_to_anchor(&[leaf.clone(), b"junk".to_vec()], std::slice::from_ref(&root), NOW)
            .expect_err("junk");
        assert!(e.contains("x5c[1] does not parse"), "{e}");
        let e =
            chains_to_anchor(std::slice::from_ref(&leaf), &[b"junk".to_vec()], NOW).expect_err("junk anchor");
        assert!(e.contains("1 configured anchor(s) could not be parsed"), "{e}");
        // A leaf repeated: x5c[1] (the leaf again) is not its issuer.
        let e = chains_to_anchor(&[leaf.clone(), leaf.clone()], std::slice::from_ref(&root), NOW)
            .expect_err("repeated");
        assert!(e.contains("x5c[0]") && e.contains("not issued by x5c[1]"), "{e}");
        // Expired.
        let e = chains_to_anchor(std::slice::from_ref(&leaf), std::slice::from_ref(&root), NOT_AFTER + 1)
            .expect_err("expired");
        assert!(e.starts_with("x5c[0] (leaf certificate"), "{e}");
    }

    fn arbitrary_bytes_never_panic(bytes: &[u8]) {
        if let Ok(cert) = Certificate::from_der(bytes) {
            let _ = cert.public_key().map(|k| k.to_cose(-7));
            let _ = cert.basic_constraints_ca();
            let _ = cert.fido_aaguid();
            let _ = cert.subject_values(oid::COMMON_NAME);
            let _ = cert.check_validity(NOW);
            if let Ok(root) = Certificate::from_der(&root()) {
                let _ = cert.verify_issued_by(&root);
                let _ = root.verify_issued_by(&cert);
            }
        }
        let _ = chains_to_anchor(&[bytes.to_vec()], &[root()], NOW);
        let _ = chains_to_anchor(&[leaf()], &[bytes.to_vec()], NOW);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            arbitrary_bytes_never_panic(&bytes);
        }

        #[test]
        fn flipped_byte(at in any::<proptest::sample::Index>(), mask in 1u8..=255) {
            let mut der = leaf();
            let i = at.index(der.len());
            der[i] ^= mask;
            arbitrary_bytes_never_panic(&der);
        }

        #[test]
        fn truncated(at in any::<proptest::sample::Index>()) {
            let der = leaf();
            arbitrary_bytes_never_panic(&der[..at.index(der.len())]);
        }
    }

    #[test]
    fn hostile_sizes_fail_fast() {
        let start = std::time::Instant::now();
        let huge = vec![0x30u8; 10 * 1024 * 1024];
        assert!(matches!(Certificate::from_der(&huge), Err(CertError::TooLarge { .. })));
        // A SEQUENCE declaring 2^32 bytes.
        assert!(matches!(
            Certificate::from_der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]),
            Err(CertError::Der(_))
        ));
        // Deep nesting inside the size limit.
        let mut nested = Vec::new();
        for _ in 0..4000 {
            nested.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(matches!(Certificate::from_der(&nested), Err(CertError::Der(_))));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
