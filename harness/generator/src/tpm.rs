//! The `tpm` attestation statement (WebAuthn §8.3) as a software TPM would make it: a TPMT_PUBLIC `pubArea`
//! for the credential key, a TPMS_ATTEST `certInfo` from TPM2_Certify (its `extraData` the hash of
//! `authenticatorData || clientDataHash`, its `attested.name` the Name of `pubArea`), signed by an AIK whose
//! certificate (§8.3.1: version 3, empty subject, TCG Subject Alternative Name, EKU tcg-kp-AIKCertificate,
//! cA false) is issued under the harness attestation root ([`crate::pki::root`]). Deterministic: fixed keys,
//! RFC 6979 ECDSA, PKCS#1 v1.5 RSA. Every part is plain data, so a case can break one requirement and sign
//! again.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use der::asn1::{Any, BitString, OctetString, SetOfVec, UtcTime};
use der::{oid::ObjectIdentifier, Decode, Encode, Tag};
use p256::ecdsa::{DerSignature, SigningKey};
use rsa::pkcs8::EncodePublicKey;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::Signer;
use wire::cbor::Value;
use wire::cose::{alg, CoseKey, EcCurve};
use wire::tpm::{self, Attest, Attested, ClockInfo, Public, PublicKeyArea, Scheme, SymDef};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectAltName};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

use crate::keys::{Algorithm, KeyPair};
use crate::pki;
use crate::pki::ROOT_NAME;

const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// `tcg-kp-AIKCertificate` (§8.3.1).
pub const TCG_KP_AIK_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.8.3");
/// `id-kp-serverAuth` (RFC 5280): an EKU that is not the AIK's.
pub const ID_KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const TCG_AT_TPM_MANUFACTURER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.1");
const TCG_AT_TPM_MODEL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.2");
const TCG_AT_TPM_VERSION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.3");

/// The objectAttributes of a signing key a TPM generated (fixedTPM, fixedParent, sensitiveDataOrigin,
/// userWithAuth, noDA, sign), as Windows Hello keys carry them.
pub const OBJECT_ATTRIBUTES: u32 = 0x0006_0472;

/// What to put in an AIK certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AikSpec {
    /// RFC 4514 subject; empty (the §8.3.1 requirement) by default.
    pub subject: String,
    pub serial: u64,
    /// The TCG Subject Alternative Name (directoryName with tpmManufacturer, tpmModel, tpmVersion).
    pub san: bool,
    /// The Extended Key Usage extension's purposes; `None` leaves it out.
    pub eku: Option<Vec<ObjectIdentifier>>,
    /// BasicConstraints cA; `None` leaves the extension out.
    pub ca: Option<bool>,
    /// The id-fido-gen-ce-aaguid extension and whether it is critical.
    pub aaguid: Option<([u8; 16], bool)>,
}

impl Default for AikSpec {
    /// A certificate that meets §8.3.1, without the AAGUID extension.
    fn default() -> AikSpec {
        AikSpec {
            subject: String::new(),
            serial: 0x7e57_0001,
            san: true,
            eku: Some(vec![TCG_KP_AIK_CERTIFICATE]),
            ca: Some(false),
            aaguid: None,
        }
    }
}

/// The key of an AIK.
#[derive(Clone)]
pub enum AikKey {
    P256(SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl std::fmt::Debug for AikKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AikKey::P256(_) => "AikKey::P256",
            AikKey::Rsa(_) => "AikKey::Rsa",
        })
    }
}

impl AikKey {
    /// The P-256 AIK every ES256 tpm statement is signed with.
    pub fn p256() -> AikKey {
        AikKey::P256(pki::key_from_seed(0x7e57_a1c0))
    }

    /// The RSA-2048 AIK (two fixed primes of the pool), for RS256 and RS1 statements.
    pub fn rsa() -> AikKey {
        AikKey::Rsa(Box::new(crate::keys::rsa_pool::key(30, 31)))
    }

    /// Signs `message` with COSE algorithm `a` (ES256 for a P-256 key; RS1/RS256/… or PS… for RSA).
    pub fn sign(&self, a: i64, message: &[u8]) -> Vec<u8> {
        match self {
            AikKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            AikKey::Rsa(k) => {
                let algorithm = Algorithm::from_cose(a).filter(|x| x.is_rsa()).unwrap_or(Algorithm::Rs256);
                KeyPair::Rsa(algorithm, k.clone()).sign(message)
            }
        }
    }

    fn spki(&self) -> SubjectPublicKeyInfoOwned {
        match self {
            AikKey::P256(k) => SubjectPublicKeyInfoOwned::from_key(*k.verifying_key()).expect("P-256 SPKI"),
            AikKey::Rsa(k) => {
                let der = k.to_public_key().to_public_key_der().expect("RSA SPKI");
                SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).expect("RSA SPKI parses")
            }
        }
    }
}

/// An AIK certificate and its key.
#[derive(Debug, Clone)]
pub struct Aik {
    pub key: AikKey,
    pub der: Vec<u8>,
}

fn time(unix: u64) -> Time {
    UtcTime::from_unix_duration(Duration::from_secs(unix))
        .or_else(|_| UtcTime::from_unix_duration(Duration::from_secs(pki::NOT_AFTER)))
        .map(Time::UtcTime)
        .expect("a time within UTCTime's range")
}

fn extension(oid: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Extension {
    Extension { extn_id: oid, critical, extn_value: OctetString::new(value).expect("octet string") }
}

/// The TCG directoryName: tpmManufacturer "id:FFFFF1D0" (the TCG vendor id reserved for FIDO testing),
/// tpmModel and tpmVersion, in one multi-valued RDN.
fn tcg_directory_name() -> Name {
    let atv = |oid, value: &str| AttributeTypeAndValue {
        oid,
        value: Any::new(Tag::Utf8String, value.as_bytes()).expect("UTF8String"),
    };
    let rdn = SetOfVec::try_from(vec![
        atv(TCG_AT_TPM_MANUFACTURER, "id:FFFFF1D0"),
        atv(TCG_AT_TPM_MODEL, "webauthn-harness"),
        atv(TCG_AT_TPM_VERSION, "id:00020000"),
    ])
    .expect("distinct attributes");
    RdnSequence(vec![RelativeDistinguishedName(rdn)])
}

/// Issues an AIK certificate for `spec` and `key` under the harness attestation root. Only fixed, valid
/// inputs reach the `expect`s: names and values the generator itself writes.
pub fn issue_aik(spec: &AikSpec, key: AikKey) -> Aik {
    let algorithm = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None };
    let subject = if spec.subject.is_empty() {
        Name::default()
    } else {
        Name::from_str(&spec.subject).expect("subject name")
    };
    let mut extensions = Vec::new();
    if let Some(ca) = spec.ca {
        let value = BasicConstraints { ca, path_len_constraint: None }.to_der().expect("BasicConstraints");
        extensions.push(extension(BASIC_CONSTRAINTS, true, value));
    }
    if spec.san {
        let value =
            SubjectAltName(vec![GeneralName::DirectoryName(tcg_directory_name())]).to_der().expect("SAN");
        // RFC 5280 §4.2.1.6: critical when the subject is empty.
        extensions.push(extension(SUBJECT_ALT_NAME, spec.subject.is_empty(), value));
    }
    if let Some(purposes) = &spec.eku {
        let value = ExtendedKeyUsage(purposes.clone()).to_der().expect("EKU");
        extensions.push(extension(EXT_KEY_USAGE, false, value));
    }
    if let Some((aaguid, critical)) = spec.aaguid {
        let value = OctetString::new(aaguid.to_vec()).expect("octet string").to_der().expect("AAGUID");
        extensions.push(extension(pki::AAGUID_OID, critical, value));
    }
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::from(spec.serial),
        signature: algorithm.clone(),
        issuer: Name::from_str(ROOT_NAME).expect("issuer name"),
        validity: Validity { not_before: time(pki::NOT_BEFORE), not_after: time(pki::NOT_AFTER) },
        subject,
        subject_public_key_info: key.spki(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: if extensions.is_empty() { None } else { Some(extensions) },
    };
    let sig: DerSignature = pki::root().key.sign(&tbs.to_der().expect("TBS DER"));
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(sig.as_bytes()).expect("bit string"),
    };
    Aik { key, der: cert.to_der().expect("certificate DER") }
}

/// The default AIK certificates (issued once): P-256 and RSA.
pub fn default_aik(rsa: bool) -> Aik {
    static P256: OnceLock<Aik> = OnceLock::new();
    static RSA: OnceLock<Aik> = OnceLock::new();
    if rsa {
        RSA.get_or_init(|| issue_aik(&AikSpec::default(), AikKey::rsa())).clone()
    } else {
        P256.get_or_init(|| issue_aik(&AikSpec::default(), AikKey::p256())).clone()
    }
}

/// The digest of `data` with TPM hash algorithm `h` (SHA-1, SHA-256, SHA-384, SHA-512; others give SHA-256).
pub fn digest(h: u16, data: &[u8]) -> Vec<u8> {
    match h {
        tpm::alg::SHA1 => sha1::Sha1::digest(data).to_vec(),
        tpm::alg::SHA384 => Sha384::digest(data).to_vec(),
        tpm::alg::SHA512 => Sha512::digest(data).to_vec(),
        _ => Sha256::digest(data).to_vec(),
    }
}

/// The TPM hash algorithm a COSE signature algorithm employs.
pub fn hash_of_alg(a: i64) -> u16 {
    match a {
        alg::RS1 => tpm::alg::SHA1,
        alg::ES384 | alg::RS384 | alg::PS384 => tpm::alg::SHA384,
        alg::ES512 | alg::RS512 | alg::PS512 => tpm::alg::SHA512,
        _ => tpm::alg::SHA256,
    }
}

/// The Name of an object (TPM 2.0 Part 1 §16): `nameAlg || H_nameAlg(TPMT_PUBLIC)`.
pub fn name(name_alg: u16, pub_area: &[u8]) -> Vec<u8> {
    let mut n = name_alg.to_be_bytes().to_vec();
    n.extend_from_slice(&digest(name_alg, pub_area));
    n
}

/// The TPMT_PUBLIC of a credential key: ECC for EC2 keys, RSA for RSA keys (the exponent written as 0, the
/// TPM's way of saying 2^16 + 1, when it is that). A key a TPM cannot hold (OKP) gives an ECC area with an
/// empty point, which no verifier matches to the credential key.
pub fn pub_area_for(key: &CoseKey, name_alg: u16) -> Public {
    let area = match key {
        CoseKey::Rsa { n, e, .. } => {
            let e_value = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            let exponent = match e_value {
                65_537 => 0,
                v => u32::try_from(v).unwrap_or(u32::MAX),
            };
            PublicKeyArea::Rsa {
                symmetric: SymDef::NULL,
                scheme: Scheme::null(),
                key_bits: u16::try_from(n.len() * 8).unwrap_or(u16::MAX),
                exponent,
                modulus: n.clone(),
            }
        }
        CoseKey::Ec2 { crv, x, y, .. } => PublicKeyArea::Ecc {
            symmetric: SymDef::NULL,
            scheme: Scheme::null(),
            curve_id: match crv {
                EcCurve::P256 => tpm::curve::NIST_P256,
                EcCurve::P384 => tpm::curve::NIST_P384,
                EcCurve::P521 => tpm::curve::NIST_P521,
            },
            kdf: Scheme::null(),
            x: x.clone(),
            y: y.clone(),
        },
        CoseKey::Okp { .. } => PublicKeyArea::Ecc {
            symmetric: SymDef::NULL,
            scheme: Scheme::null(),
            curve_id: tpm::curve::NIST_P256,
            kdf: Scheme::null(),
            x: vec![],
            y: vec![],
        },
    };
    Public { name_alg, object_attributes: OBJECT_ATTRIBUTES, auth_policy: vec![], key: area }
}

/// A TPM2_Certify result for an object of Name `name`, with `extra_data` as the caller's qualifying data.
pub fn certify(name: Vec<u8>, extra_data: Vec<u8>) -> Attest {
    Attest {
        magic: tpm::TPM_GENERATED_VALUE,
        type_: tpm::TPM_ST_ATTEST_CERTIFY,
        qualified_signer: {
            let mut q = tpm::alg::SHA256.to_be_bytes().to_vec();
            q.extend_from_slice(&[0x5a; 32]);
            q
        },
        extra_data,
        clock_info: ClockInfo { clock: 0x0000_0001_2345_6789, reset_count: 7, restart_count: 1, safe: 1 },
        firmware_version: 0x0002_0000_0000_0001,
        attested: Attested::Certify { name, qualified_name: vec![] },
    }
}

/// The parts of a tpm statement before signing.
#[derive(Debug, Clone)]
pub struct TpmDraft {
    pub ver: String,
    pub alg: i64,
    pub pub_area: Public,
    pub cert_info: Attest,
}

impl TpmDraft {
    /// A valid draft for `credential_key` over `att_to_be_signed` (`authenticatorData || clientDataHash`),
    /// signed with `alg`, pubArea's Name computed with `name_alg`.
    pub fn new(credential_key: &CoseKey, att_to_be_signed: &[u8], alg: i64, name_alg: u16) -> TpmDraft {
        let pub_area = pub_area_for(credential_key, name_alg);
        let cert_info =
            certify(name(name_alg, &pub_area.to_bytes()), digest(hash_of_alg(alg), att_to_be_signed));
        TpmDraft { ver: "2.0".into(), alg, pub_area, cert_info }
    }

    /// Recomputes `attested.name` from the current pubArea (after a case edited it).
    pub fn rename(&mut self) {
        let n = name(self.pub_area.name_alg, &self.pub_area.to_bytes());
        if let Attested::Certify { name, .. } = &mut self.cert_info.attested {
            *name = n;
        }
    }

    /// The attStmt map: `sig` by `aik` over certInfo, `x5c` = `chain`.
    pub fn sign(&self, aik: &AikKey, chain: Vec<Vec<u8>>) -> Value {
        self.sign_bytes(aik, &self.pub_area.to_bytes(), chain)
    }

    /// [`TpmDraft::sign`] with the pubArea bytes given (for encodings the struct cannot express).
    pub fn sign_bytes(&self, aik: &AikKey, pub_area: &[u8], chain: Vec<Vec<u8>>) -> Value {
        let cert_info = self.cert_info.to_bytes();
        Value::Map(vec![
            (Value::from("ver"), Value::Text(self.ver.clone())),
            (Value::from("alg"), Value::from(self.alg)),
            (Value::from("x5c"), Value::Array(chain.into_iter().map(Value::Bytes).collect())),
            (Value::from("sig"), Value::Bytes(aik.sign(self.alg, &cert_info))),
            (Value::from("certInfo"), Value::Bytes(cert_info)),
            (Value::from("pubArea"), Value::Bytes(pub_area.to_vec())),
        ])
    }
}

/// The statement `AttestationKind::Tpm` (in `ceremony`) produces: ES256 by the default P-256 AIK, pubArea
/// Named with SHA-256.
pub fn statement(credential_key: &CoseKey, att_to_be_signed: &[u8]) -> Value {
    let aik = default_aik(false);
    TpmDraft::new(credential_key, att_to_be_signed, alg::ES256, tpm::alg::SHA256)
        .sign(&aik.key, vec![aik.der])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aik_certificates_parse_and_are_deterministic() {
        let a = issue_aik(&AikSpec::default(), AikKey::p256());
        let b = issue_aik(&AikSpec::default(), AikKey::p256());
        assert_eq!(a.der, b.der);
        let cert = Certificate::from_der(&a.der).expect("parses");
        assert!(cert.tbs_certificate.subject.0.is_empty());
        let exts = cert.tbs_certificate.extensions.expect("extensions");
        assert!(exts.iter().any(|e| e.extn_id == SUBJECT_ALT_NAME && e.critical));
        assert!(exts.iter().any(|e| e.extn_id == EXT_KEY_USAGE));
        let rsa = issue_aik(&AikSpec::default(), AikKey::rsa());
        assert!(Certificate::from_der(&rsa.der).is_ok());
    }

    #[test]
    fn drafts_carry_the_name_and_extra_data() {
        let key = KeyPair::generate(
            Algorithm::Es256,
            &mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1),
        );
        let d = TpmDraft::new(&key.cose_key(), b"message", alg::ES256, tpm::alg::SHA1);
        let Attested::Certify { name: n, .. } = &d.cert_info.attested else { panic!("certify") };
        assert_eq!(n.len(), 2 + 20);
        assert_eq!(d.cert_info.extra_data, Sha256::digest(b"message").to_vec());
        assert_eq!(Public::parse(&d.pub_area.to_bytes()), Ok(d.pub_area.clone()));
    }
}
