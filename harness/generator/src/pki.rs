//! Attestation certificates: a fixed attestation root (the trust anchor a reference RP configures) and leaf
//! certificates issued under it, every field settable, so the §8.2.1 / §8.6 requirements can each be broken
//! on purpose. Everything is deterministic: keys from fixed seeds, ECDSA with RFC 6979 nonces.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use der::asn1::{BitString, OctetString, UtcTime};
use der::{oid::ObjectIdentifier, Encode};
use p256::ecdsa::{DerSignature, SigningKey};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use signature::Signer;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

/// id-fido-gen-ce-aaguid (§8.2.1).
pub const AAGUID_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// 2024-01-01T00:00:00Z and 2049-12-31T23:59:59Z: the default validity (UTCTime covers it).
pub const NOT_BEFORE: u64 = 1_704_067_200;
pub const NOT_AFTER: u64 = 2_524_607_999;

/// What to put in a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSpec {
    /// RFC 4514 subject, e.g. `CN=…,OU=Authenticator Attestation,O=…,C=US`.
    pub subject: String,
    pub serial: u64,
    pub not_before: u64,
    pub not_after: u64,
    /// BasicConstraints cA; `None` leaves the extension out.
    pub ca: Option<bool>,
    /// The id-fido-gen-ce-aaguid extension and whether it is marked critical.
    pub aaguid: Option<([u8; 16], bool)>,
    /// X.509 version 3 (`false` writes a v1 certificate, which cannot carry extensions).
    pub v3: bool,
}

/// The subject of the attestation root ([`root`]).
pub const ROOT_NAME: &str = "CN=webauthn-harness attestation root,O=webauthn-harness,C=US";

impl CertSpec {
    /// A CA certificate (cA true, no AAGUID) for `subject`, with the default validity.
    pub fn ca(subject: &str, serial: u64) -> CertSpec {
        CertSpec { ca: Some(true), ..CertSpec::end_entity(subject, serial) }
    }

    /// An end-entity certificate (cA false, no AAGUID) for `subject`, with the default validity.
    pub fn end_entity(subject: &str, serial: u64) -> CertSpec {
        CertSpec {
            subject: subject.into(),
            serial,
            not_before: NOT_BEFORE,
            not_after: NOT_AFTER,
            ca: Some(false),
            aaguid: None,
            v3: true,
        }
    }

    /// A leaf that meets the packed requirements (§8.2.1) for `aaguid`.
    pub fn packed_leaf(aaguid: [u8; 16]) -> CertSpec {
        CertSpec {
            subject:
                "CN=webauthn-harness packed attestation,OU=Authenticator Attestation,O=webauthn-harness,C=US"
                    .into(),
            serial: 2,
            not_before: NOT_BEFORE,
            not_after: NOT_AFTER,
            ca: Some(false),
            aaguid: Some((aaguid, false)),
            v3: true,
        }
    }

    /// A FIDO U2F attestation certificate (§8.6): no particular subject requirements, no AAGUID extension.
    pub fn u2f_leaf() -> CertSpec {
        CertSpec::end_entity("CN=webauthn-harness U2F attestation,O=webauthn-harness,C=US", 3)
    }
}

/// A certificate and its private key.
#[derive(Clone)]
pub struct Issued {
    pub key: SigningKey,
    pub der: Vec<u8>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Issued({} bytes)", self.der.len())
    }
}

/// The attestation root: a self-signed ES256 CA, the same in every run.
pub fn root() -> &'static Issued {
    static ROOT: OnceLock<Issued> = OnceLock::new();
    ROOT.get_or_init(|| {
        let key = key_from_seed(0x0a77_e57a_7105_c0de);
        let spec = CertSpec::ca(ROOT_NAME, 1);
        let der = sign_certificate(&spec, &key, &key, &spec.subject);
        Issued { key, der }
    })
}

/// A P-256 key drawn from a seed.
pub fn key_from_seed(seed: u64) -> SigningKey {
    SigningKey::random(&mut ChaCha20Rng::seed_from_u64(seed))
}

/// Issues a certificate for `spec` under the attestation root, with a key drawn from `key_seed`.
pub fn issue(spec: &CertSpec, key_seed: u64) -> Issued {
    let key = key_from_seed(key_seed);
    let root = root();
    let der = sign_certificate(spec, &key, &root.key, ROOT_NAME);
    Issued { key, der }
}

/// Issues a certificate for `spec` under `issuer`, whose certificate's subject is `issuer_name` (another CA
/// than the attestation root), with a key drawn from `key_seed`.
pub fn issue_by(spec: &CertSpec, key_seed: u64, issuer: &Issued, issuer_name: &str) -> Issued {
    let key = key_from_seed(key_seed);
    let der = sign_certificate(spec, &key, &issuer.key, issuer_name);
    Issued { key, der }
}

/// Issues a certificate for `spec`, self-signed by its own key.
pub fn self_signed(spec: &CertSpec, key_seed: u64) -> Issued {
    let key = key_from_seed(key_seed);
    let der = sign_certificate(spec, &key, &key, &spec.subject);
    Issued { key, der }
}

fn time(unix: u64) -> Time {
    // Inside UTCTime's range by construction of the callers' values; fall back to the default bounds.
    UtcTime::from_unix_duration(Duration::from_secs(unix))
        .or_else(|_| UtcTime::from_unix_duration(Duration::from_secs(NOT_AFTER)))
        .map(Time::UtcTime)
        .expect("a time within UTCTime's range")
}

/// DER of a certificate for `spec` with `subject_key`'s public key, signed by `issuer_key` as `issuer`.
/// Only fixed, valid inputs reach the `expect`s: names and values the generator itself writes.
fn sign_certificate(
    spec: &CertSpec,
    subject_key: &SigningKey,
    issuer_key: &SigningKey,
    issuer: &str,
) -> Vec<u8> {
    let algorithm = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None };
    let mut extensions = Vec::new();
    if let Some(ca) = spec.ca {
        let value =
            BasicConstraints { ca, path_len_constraint: None }.to_der().expect("BasicConstraints DER");
        extensions.push(Extension {
            extn_id: BASIC_CONSTRAINTS,
            critical: true,
            extn_value: OctetString::new(value).expect("octet string"),
        });
    }
    if let Some((aaguid, critical)) = spec.aaguid {
        let value = OctetString::new(aaguid.to_vec()).expect("octet string").to_der().expect("AAGUID DER");
        extensions.push(Extension {
            extn_id: AAGUID_OID,
            critical,
            extn_value: OctetString::new(value).expect("octet string"),
        });
    }
    let tbs = TbsCertificate {
        version: if spec.v3 { Version::V3 } else { Version::V1 },
        serial_number: SerialNumber::from(spec.serial),
        signature: algorithm.clone(),
        issuer: Name::from_str(issuer).expect("issuer name"),
        validity: Validity { not_before: time(spec.not_before), not_after: time(spec.not_after) },
        subject: Name::from_str(&spec.subject).expect("subject name"),
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_key(*subject_key.verifying_key())
            .expect("SPKI"),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: if spec.v3 && !extensions.is_empty() { Some(extensions) } else { None },
    };
    let tbs_der = tbs.to_der().expect("TBS DER");
    let sig: DerSignature = issuer_key.sign(&tbs_der);
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(sig.as_bytes()).expect("bit string"),
    };
    cert.to_der().expect("certificate DER")
}

/// The packed attestation leaf the software authenticator uses for `aaguid` (a valid §8.2.1 certificate).
///
/// Issued once per AAGUID and remembered (the last [`LEAF_CACHE`] AAGUIDs): issuing draws a key and signs,
/// and the fuzz targets ask for the same leaf on every run. The result is the same either way.
pub fn packed_leaf(aaguid: [u8; 16]) -> Issued {
    use std::collections::HashMap;
    use std::sync::{Mutex, PoisonError};
    static LEAVES: OnceLock<Mutex<HashMap<[u8; 16], Issued>>> = OnceLock::new();
    let leaves = LEAVES.get_or_init(Default::default);
    if let Some(leaf) = leaves.lock().unwrap_or_else(PoisonError::into_inner).get(&aaguid) {
        return leaf.clone();
    }
    let leaf = issue(
        &CertSpec::packed_leaf(aaguid),
        0x9acc_ed00
            ^ u64::from_be_bytes([
                aaguid[0], aaguid[1], aaguid[2], aaguid[3], aaguid[4], aaguid[5], aaguid[6], aaguid[7],
            ]),
    );
    let mut map = leaves.lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= LEAF_CACHE {
        map.clear();
    }
    map.insert(aaguid, leaf.clone());
    leaf
}

/// How many packed leaves [`packed_leaf`] remembers.
pub const LEAF_CACHE: usize = 64;

/// The FIDO U2F attestation certificate the software authenticator uses (issued once).
pub fn u2f_leaf() -> Issued {
    static LEAF: OnceLock<Issued> = OnceLock::new();
    LEAF.get_or_init(|| issue(&CertSpec::u2f_leaf(), 0x0002_f000)).clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    /// The remembered leaves are the certificates issuing gives, before and after the cache is emptied.
    #[test]
    fn remembered_leaves_are_what_issuing_gives() {
        let fresh = |aaguid: [u8; 16]| {
            let mut seed = [0u8; 8];
            seed.copy_from_slice(&aaguid[..8]);
            issue(&CertSpec::packed_leaf(aaguid), 0x9acc_ed00 ^ u64::from_be_bytes(seed)).der
        };
        let first = [1u8; 16];
        assert_eq!(packed_leaf(first).der, fresh(first));
        for i in 0..=LEAF_CACHE as u8 {
            let aaguid = [i.wrapping_add(2); 16];
            assert_eq!(packed_leaf(aaguid).der, fresh(aaguid));
        }
        assert_eq!(packed_leaf(first).der, fresh(first));
        assert_eq!(u2f_leaf().der, issue(&CertSpec::u2f_leaf(), 0x0002_f000).der);
        assert_eq!(u2f_leaf().key, issue(&CertSpec::u2f_leaf(), 0x0002_f000).key);
    }

    #[test]
    fn root_and_leaf_parse_and_are_deterministic() {
        let leaf = issue(&CertSpec::packed_leaf([7; 16]), 5);
        let again = issue(&CertSpec::packed_leaf([7; 16]), 5);
        assert_eq!(leaf.der, again.der);
        let cert = Certificate::from_der(&leaf.der).unwrap();
        assert_eq!(cert.tbs_certificate.version, Version::V3);
        assert_eq!(
            cert.tbs_certificate.subject.to_string(),
            "CN=webauthn-harness packed attestation,OU=Authenticator Attestation,O=webauthn-harness,C=US"
        );
        assert_eq!(
            cert.tbs_certificate.issuer,
            Certificate::from_der(&root().der).unwrap().tbs_certificate.subject
        );
        let exts = cert.tbs_certificate.extensions.unwrap();
        assert!(exts.iter().any(|e| e.extn_id == AAGUID_OID && !e.critical));
    }
}
