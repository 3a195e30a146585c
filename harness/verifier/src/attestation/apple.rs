//! §8.8 Apple Anonymous Attestation Statement Format.
//!
//! ```text
//! appleStmtFormat = { x5c: [ credCert: bytes, * (caCert: bytes) ] }
//! ```
//!
//! The anonymization CA certifies the credential public key itself in `credCert`, with the nonce
//! SHA-256(authenticatorData || clientDataHash) in the extension 1.2.840.113635.100.8.2: there is no `sig`.
//!
//! The spec says only "the value of the extension". Apple's certificates and the spec's §16 example carry it as
//! `SEQUENCE { [1] EXPLICIT OCTET STRING }`, the OCTET STRING holding the 32-byte nonce, which is what
//! [`parse_nonce_extension`] reads: exactly that, in DER, nothing before or after.

use der::asn1::ObjectIdentifier;
use sha2::{Digest, Sha256};
use wire::cose::CoseKey;

use super::stmt::StmtEntries;
use super::x509::{Certificate, PublicKey};
use super::{hex, AttestationType, Statement};
use crate::check::{CheckId, Rejection};
use wire::der::{self as der_tlv, Class, DerError};

/// The nonce extension's OID (§8.8).
pub const NONCE_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113635.100.8.2");

/// Why an extension value is not the nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonceError {
    /// Not DER, or bytes after the outer SEQUENCE.
    Der(DerError),
    /// An element of another type than the structure has there.
    Unexpected { at: &'static str, found: String },
    /// The SEQUENCE does not hold exactly one element.
    Members { count: usize },
    /// The nonce is not 32 bytes (a SHA-256 output).
    Length { len: usize },
}

impl std::fmt::Display for NonceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NonceError::Der(e) => write!(f, "not DER: {e}"),
            NonceError::Unexpected { at, found } => write!(f, "{at} is a {found}"),
            NonceError::Members { count } => {
                write!(f, "the SEQUENCE holds {count} elements, not the one [1] EXPLICIT OCTET STRING")
            }
            NonceError::Length { len } => write!(f, "the nonce is {len} bytes, not 32"),
        }
    }
}

impl From<DerError> for NonceError {
    fn from(e: DerError) -> NonceError {
        NonceError::Der(e)
    }
}

/// The nonce in an extension value `SEQUENCE { [1] EXPLICIT OCTET STRING (SIZE (32)) }`.
pub fn parse_nonce_extension(extn_value: &[u8]) -> Result<[u8; 32], NonceError> {
    let seq = der_tlv::read_one(extn_value)?;
    if !seq.is_universal(der_tlv::SEQUENCE, true) {
        return Err(NonceError::Unexpected { at: "the extension value", found: seq.describe() });
    }
    let members = der_tlv::children(seq.value, 2)?;
    let [tagged] = members.as_slice() else { return Err(NonceError::Members { count: members.len() }) };
    if !(tagged.class == Class::Context && tagged.number == 1 && tagged.constructed) {
        return Err(NonceError::Unexpected { at: "the SEQUENCE's element", found: tagged.describe() });
    }
    let octets = der_tlv::read_one(tagged.value)?;
    if !octets.is_universal(der_tlv::OCTET_STRING, false) {
        return Err(NonceError::Unexpected { at: "[1]'s content", found: octets.describe() });
    }
    octets.value.try_into().map_err(|_| NonceError::Length { len: octets.value.len() })
}

/// §8.8 "Verification procedure", in order.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    // Step 1: the syntax. x5c is required and its only member.
    let members = StmtEntries::of(s.fmt, s.att_stmt, &["x5c"])?;
    let x5c = members.x5c()?.ok_or_else(|| {
        Rejection::new(CheckId::RegAttestationStatementMalformed, "attStmt of fmt \"apple\": x5c is missing")
    })?;
    let cred_cert = x5c
        .leaf()
        .ok_or_else(|| Rejection::new(CheckId::RegAttestationStatementMalformed, "x5c has no credCert"))?;
    // Steps 2-3: "Concatenate authenticatorData and clientDataHash to form nonceToHash." "Perform SHA-256
    // hash of nonceToHash to produce nonce."
    let nonce: [u8; 32] =
        Sha256::new().chain_update(s.auth_data_raw).chain_update(s.client_data_hash).finalize().into();
    step_4_nonce(cred_cert, &nonce)?;
    step_5_key(cred_cert, s.credential_cose)?;
    // Anonymization CA: the trust path is x5c, assessed like any other (§7.1 step 24).
    Ok(AttestationType::Basic { trust_path: x5c.der })
}

/// Step 4: "Verify that nonce equals the value of the extension with OID 1.2.840.113635.100.8.2 in credCert."
fn step_4_nonce(cred_cert: &Certificate, nonce: &[u8; 32]) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationAppleNonce, why);
    let ext = cred_cert
        .extension(NONCE_OID)
        .ok_or_else(|| fail(format!("credCert has no extension {NONCE_OID}")))?;
    let value = parse_nonce_extension(ext.extn_value.as_bytes())
        .map_err(|e| fail(format!("credCert's extension {NONCE_OID}: {e}")))?;
    if &value != nonce {
        return Err(fail(format!(
            "credCert's nonce {} is not SHA-256(authenticatorData || clientDataHash) = {}",
            hex(&value),
            hex(nonce)
        )));
    }
    Ok(())
}

/// Step 5: "Verify that the credential public key equals the Subject Public Key of credCert."
fn step_5_key(cred_cert: &Certificate, credential: &CoseKey) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationAppleKeyMismatch, why);
    let key = cred_cert.public_key().map_err(|e| fail(format!("credCert's subject public key: {e}")))?;
    if !same_key(&key, credential) {
        return Err(fail(format!(
            "credCert's subject public key ({}) is not the credential public key",
            key.describe()
        )));
    }
    Ok(())
}

/// Is the certificate's subject public key the same key as the COSE credential key (curve and point, or
/// modulus and exponent, or the Ed25519 point)? The COSE `alg` is not compared: a certificate carries no
/// signature algorithm for its own key. RSA integers are compared without leading zero bytes.
pub(super) fn same_key(key: &PublicKey, credential: &CoseKey) -> bool {
    let strip = |b: &[u8]| -> Vec<u8> { b.iter().copied().skip_while(|&x| x == 0).collect() };
    match (key.to_cose(0), credential) {
        (CoseKey::Ec2 { crv, x, y, .. }, CoseKey::Ec2 { crv: c, x: cx, y: cy, .. }) => {
            crv == *c && x == *cx && y == *cy
        }
        (CoseKey::Okp { crv, x, .. }, CoseKey::Okp { crv: c, x: cx, .. }) => crv == *c && x == *cx,
        (CoseKey::Rsa { n, e, .. }, CoseKey::Rsa { n: cn, e: ce, .. }) => {
            strip(&n) == strip(cn) && strip(&e) == strip(ce)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(nonce: &[u8]) -> Vec<u8> {
        let mut v = vec![0x30, nonce.len() as u8 + 4, 0xa1, nonce.len() as u8 + 2, 0x04, nonce.len() as u8];
        v.extend_from_slice(nonce);
        v
    }

    #[test]
    fn the_structure_apple_uses_parses() {
        assert_eq!(parse_nonce_extension(&ext(&[7; 32])), Ok([7; 32]));
    }

    #[test]
    fn every_departure_is_a_typed_error() {
        assert_eq!(parse_nonce_extension(&ext(&[7; 31])), Err(NonceError::Length { len: 31 }));
        assert!(matches!(parse_nonce_extension(&[0x04, 0x20]), Err(NonceError::Der(_))));
        // The bare OCTET STRING, without the SEQUENCE and [1].
        let mut bare = vec![0x04, 0x20];
        bare.extend([7; 32]);
        assert!(matches!(parse_nonce_extension(&bare), Err(NonceError::Unexpected { .. })));
        // [2] instead of [1].
        let mut other = ext(&[7; 32]);
        other[2] = 0xa2;
        assert!(matches!(parse_nonce_extension(&other), Err(NonceError::Unexpected { .. })));
        // Trailing byte after the SEQUENCE.
        let mut trailing = ext(&[7; 32]);
        trailing.push(0);
        assert_eq!(parse_nonce_extension(&trailing), Err(NonceError::Der(DerError::Trailing { len: 1 })));
        // Two members.
        let two = [0x30, 0x04, 0xa1, 0x00, 0xa1, 0x00];
        assert_eq!(parse_nonce_extension(&two), Err(NonceError::Members { count: 2 }));
        assert_eq!(parse_nonce_extension(&[0x30, 0x00]), Err(NonceError::Members { count: 0 }));
    }
}
