//! Certificates that certify the credential key itself, issued under the harness's attestation root
//! ([`crate::pki::root`]): the Apple credCert with its nonce extension (§8.8) and the Android key attestation
//! certificate with its KeyDescription extension (§8.4). Deterministic: the root signs with RFC 6979 nonces.
//!
//! Every part is a parameter, so a catalogue case can break one requirement and keep the rest.

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{Any, BitString, Null, ObjectIdentifier, OctetString, UtcTime};
use der::Encode;
use p256::ecdsa::DerSignature;
use signature::Signer;
use wire::cose::{CoseKey, EcCurve, OkpCurve};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

use crate::pki;

/// The Apple nonce extension (§8.8).
pub const APPLE_NONCE_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113635.100.8.2");
/// The Android key attestation extension (§8.4).
pub const ANDROID_KEY_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.1.17");

const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

/// The subject of the harness's Apple credCerts.
pub const APPLE_SUBJECT: &str = "CN=webauthn-harness apple credential,O=webauthn-harness,C=US";
/// The subject of the harness's Android key attestation certificates.
pub const ANDROID_SUBJECT: &str = "CN=webauthn-harness android keystore key,O=webauthn-harness,C=US";

/// The DER writers, shared with the verifier's KeyDescription builder through `wire`.
pub use wire::der::{context_tag, int_content, tlv, uint};

/// The SubjectPublicKeyInfo of a COSE public key (RFC 5480 EC points uncompressed, RFC 3279 RSA, RFC 8410
/// Ed25519/Ed448).
pub fn spki_of(key: &CoseKey) -> SubjectPublicKeyInfoOwned {
    let (oid, parameters, bits): (ObjectIdentifier, Option<Any>, Vec<u8>) = match key {
        CoseKey::Ec2 { crv, x, y, .. } => {
            let curve = match crv {
                EcCurve::P256 => SECP256R1,
                EcCurve::P384 => SECP384R1,
                _ => SECP521R1,
            };
            let point = [&[0x04][..], x, y].concat();
            (EC_PUBLIC_KEY, Any::encode_from(&curve).ok(), point)
        }
        CoseKey::Rsa { n, e, .. } => {
            let body = [uint(n), uint(e)].concat();
            (RSA_ENCRYPTION, Any::encode_from(&Null).ok(), tlv(&[0x30], &body))
        }
        CoseKey::Okp { crv, x, .. } => {
            (if *crv == OkpCurve::Ed25519 { ED25519 } else { ED448 }, None, x.clone())
        }
    };
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: BitString::from_bytes(&bits).expect("a bit string of whole bytes"),
    }
}

fn time(unix: u64) -> Time {
    UtcTime::from_unix_duration(Duration::from_secs(unix))
        .or_else(|_| UtcTime::from_unix_duration(Duration::from_secs(pki::NOT_AFTER)))
        .map(Time::UtcTime)
        .expect("a time within UTCTime's range")
}

/// A v3 end-entity certificate (cA false) for `spki`, with `extensions` (OID, critical, extnValue contents)
/// after basic constraints, issued by the harness's attestation root for the default validity. Only the
/// generator's own fixed names reach the `expect`s.
pub fn issue_for_key(
    subject: &str,
    serial: u64,
    spki: SubjectPublicKeyInfoOwned,
    extensions: &[(ObjectIdentifier, bool, Vec<u8>)],
) -> Vec<u8> {
    let root = pki::root();
    let algorithm = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None };
    let mut exts = vec![Extension {
        extn_id: BASIC_CONSTRAINTS,
        critical: true,
        extn_value: OctetString::new(
            BasicConstraints { ca: false, path_len_constraint: None }.to_der().expect("BasicConstraints DER"),
        )
        .expect("octet string"),
    }];
    for (oid, critical, value) in extensions {
        exts.push(Extension {
            extn_id: *oid,
            critical: *critical,
            extn_value: OctetString::new(value.clone()).expect("octet string"),
        });
    }
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::from(serial),
        signature: algorithm.clone(),
        issuer: Name::from_str(pki::ROOT_NAME).expect("issuer name"),
        validity: Validity { not_before: time(pki::NOT_BEFORE), not_after: time(pki::NOT_AFTER) },
        subject: Name::from_str(subject).expect("subject name"),
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    };
    let tbs_der = tbs.to_der().expect("TBS DER");
    let sig: DerSignature = root.key.sign(&tbs_der);
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(sig.as_bytes()).expect("bit string"),
    }
    .to_der()
    .expect("certificate DER")
}

// ---- apple (§8.8) ----

/// The nonce extension's value as Apple writes it: `SEQUENCE { [1] EXPLICIT OCTET STRING nonce }`.
pub fn apple_nonce_extension(nonce: &[u8]) -> Vec<u8> {
    tlv(&[0x30], &tlv(&context_tag(1), &tlv(&[0x04], nonce)))
}

/// §8.8 signing procedure steps 1-2: SHA-256(authenticatorData || clientDataHash).
pub fn apple_nonce(auth_data: &[u8], client_data_hash: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::new().chain_update(auth_data).chain_update(client_data_hash).finalize().into()
}

/// A credCert for `key` whose nonce extension holds `nonce_extension` (the extnValue contents), or none.
pub fn apple_cred_cert(key: &CoseKey, nonce_extension: Option<Vec<u8>>) -> Vec<u8> {
    let exts: Vec<_> = nonce_extension.into_iter().map(|v| (APPLE_NONCE_OID, false, v)).collect();
    issue_for_key(APPLE_SUBJECT, 0x000a_991e, spki_of(key), &exts)
}

// ---- android-key (§8.4) ----

/// `KM_ORIGIN_GENERATED`, `KM_ORIGIN_IMPORTED`.
pub const KM_ORIGIN_GENERATED: i64 = 0;
pub const KM_ORIGIN_IMPORTED: i64 = 2;
/// `KM_PURPOSE_ENCRYPT`, `KM_PURPOSE_SIGN`.
pub const KM_PURPOSE_ENCRYPT: i64 = 0;
pub const KM_PURPOSE_SIGN: i64 = 2;

/// The authorization list fields §8.4 reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationList {
    pub purpose: Option<Vec<i64>>,
    pub all_applications: bool,
    pub origin: Option<i64>,
}

/// What goes into a KeyDescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    pub attestation_challenge: Vec<u8>,
    pub software_enforced: AuthorizationList,
    pub tee_enforced: AuthorizationList,
}

impl KeyDescription {
    /// A key generated in the TEE for signing, attested for `client_data_hash`, as Android's FIDO2
    /// authenticator reports one (origin and purpose TEE-enforced, nothing software-enforced that §8.4 reads).
    pub fn valid(client_data_hash: &[u8]) -> KeyDescription {
        KeyDescription {
            attestation_challenge: client_data_hash.to_vec(),
            software_enforced: AuthorizationList::default(),
            tee_enforced: AuthorizationList {
                purpose: Some(vec![KM_PURPOSE_SIGN]),
                all_applications: false,
                origin: Some(KM_ORIGIN_GENERATED),
            },
        }
    }

    /// The DER (attestation and KeyMint version 200, security level TrustedEnvironment, no uniqueId).
    pub fn to_der(&self) -> Vec<u8> {
        let list = |l: &AuthorizationList| {
            let mut body = Vec::new();
            if let Some(purposes) = &l.purpose {
                let set: Vec<u8> = purposes.iter().flat_map(|&p| tlv(&[0x02], &int_content(p))).collect();
                body.extend(tlv(&context_tag(1), &tlv(&[0x31], &set)));
            }
            if l.all_applications {
                body.extend(tlv(&context_tag(600), &[0x05, 0x00]));
            }
            if let Some(origin) = l.origin {
                body.extend(tlv(&context_tag(702), &tlv(&[0x02], &int_content(origin))));
            }
            tlv(&[0x30], &body)
        };
        let mut body = Vec::new();
        body.extend(tlv(&[0x02], &int_content(200)));
        body.extend(tlv(&[0x0a], &[1]));
        body.extend(tlv(&[0x02], &int_content(200)));
        body.extend(tlv(&[0x0a], &[1]));
        body.extend(tlv(&[0x04], &self.attestation_challenge));
        body.extend(tlv(&[0x04], &[]));
        body.extend(list(&self.software_enforced));
        body.extend(list(&self.tee_enforced));
        tlv(&[0x30], &body)
    }
}

/// An Android key attestation certificate for `key` carrying `key_description` (the extension's value), or
/// no extension.
pub fn android_key_cert(key: &CoseKey, key_description: Option<Vec<u8>>) -> Vec<u8> {
    let exts: Vec<_> = key_description.into_iter().map(|v| (ANDROID_KEY_OID, false, v)).collect();
    issue_for_key(ANDROID_SUBJECT, 0x0a4d_401d, spki_of(key), &exts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    #[test]
    fn integers_and_tags() {
        assert_eq!(int_content(0), [0]);
        assert_eq!(int_content(300), [0x01, 0x2c]);
        assert_eq!(int_content(128), [0x00, 0x80]);
        assert_eq!(int_content(-1), [0xff]);
        assert_eq!(context_tag(1), [0xa1]);
        assert_eq!(context_tag(600), [0xbf, 0x84, 0x58]);
        assert_eq!(context_tag(702), [0xbf, 0x85, 0x3e]);
        assert_eq!(uint(&[0x00, 0x80]), [0x02, 0x02, 0x00, 0x80]);
    }

    #[test]
    fn certificates_parse_and_carry_the_key() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1);
        for alg in crate::keys::Algorithm::ALL {
            let key = crate::keys::KeyPair::generate(alg, &mut rng).cose_key();
            let der = apple_cred_cert(&key, Some(apple_nonce_extension(&[1; 32])));
            let cert = Certificate::from_der(&der).expect("parses");
            assert_eq!(cert.tbs_certificate.subject_public_key_info, spki_of(&key), "{alg:?}");
            let der = android_key_cert(&key, Some(KeyDescription::valid(&[2; 32]).to_der()));
            assert!(Certificate::from_der(&der).is_ok(), "{alg:?}");
        }
    }
}
