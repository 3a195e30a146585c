//! §8.2 Packed Attestation Statement Format, with the certificate requirements of §8.2.1.
//!
//! ```text
//! packedStmtFormat = { alg: COSEAlgorithmIdentifier, sig: bytes, x5c: [ attestnCert: bytes, * (caCert: bytes) ] }
//!                 // { alg: COSEAlgorithmIdentifier, sig: bytes }
//! ```
//!
//! With `x5c` the statement is Basic (or AttCA) attestation by the key in the first certificate; without it,
//! self attestation by the credential key. Either way the signature covers `authenticatorData ||
//! clientDataHash`.

use der::asn1::ObjectIdentifier;
use der::Tag;
use wire::cose::alg;

use super::stmt::{StmtEntries, X5c};
use super::x509::{oid, CertError, Certificate, PublicKey};
use super::{AttestationType, Statement};
use crate::check::{CheckId, Rejection};
use crate::crypto::{CredentialKey, KeyError, SignatureError};

/// The decoded statement (§8.2 verification step 1).
struct Packed<'a> {
    alg: i64,
    sig: &'a [u8],
    x5c: Option<X5c>,
}

/// §8.2 "Verification procedure", in order.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    let stmt = step_1_decode(s)?;
    let signed = signed_data(s);
    match stmt.x5c {
        Some(x5c) => {
            let leaf = x5c.leaf().ok_or_else(|| {
                Rejection::new(
                    CheckId::RegAttestationStatementMalformed,
                    "x5c has no attestation certificate",
                )
            })?;
            if s.packed_x5c_alg_is_credential_alg {
                // Not a step of §8.2 with x5c: a shipped bug, put back for the harness's self-tests.
                step_3a_alg_matches_credential_key(s, stmt.alg)?;
            }
            step_2a_signature_by_attestation_certificate(s, leaf, stmt.alg, stmt.sig, &signed)?;
            step_2b_certificate_requirements(leaf)?;
            step_2c_aaguid_extension(leaf, s)?;
            // Step 2d (telling Basic from AttCA with outside knowledge) is not taken: both are reported as
            // Basic with the whole x5c as trust path.
            Ok(AttestationType::Basic { trust_path: x5c.der })
        }
        None => {
            step_3a_alg_matches_credential_key(s, stmt.alg)?;
            step_3b_self_signature(s, stmt.sig, &signed)?;
            Ok(AttestationType::SelfAttestation)
        }
    }
}

/// "the concatenation of authenticatorData and clientDataHash", the message every packed signature covers.
fn signed_data(s: &Statement<'_>) -> Vec<u8> {
    let mut m = Vec::with_capacity(s.auth_data_raw.len() + s.client_data_hash.len());
    m.extend_from_slice(s.auth_data_raw);
    m.extend_from_slice(s.client_data_hash);
    m
}

/// Step 1: "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR
/// decoding on it to extract the contained fields." `alg` and `sig` are required; `x5c`, when present, is a
/// non-empty array of DER certificates; no other member is allowed.
fn step_1_decode<'a>(s: &Statement<'a>) -> Result<Packed<'a>, Rejection> {
    let members = StmtEntries::of(s.fmt, s.att_stmt, &["alg", "sig", "x5c"])?;
    Ok(Packed { alg: members.alg("alg")?, sig: members.bytes("sig")?, x5c: members.x5c()? })
}

/// Does COSE algorithm `a` sign with a key of this kind? (Also the tpm format's check of alg against the AIK.)
pub(super) fn alg_fits_key(a: i64, key: &PublicKey) -> bool {
    match key {
        PublicKey::P256(_) => matches!(a, alg::ES256 | alg::ESP256),
        PublicKey::P384(_) => matches!(a, alg::ES384 | alg::ESP384),
        PublicKey::Rsa(_) => matches!(
            a,
            alg::RS256 | alg::RS384 | alg::RS512 | alg::PS256 | alg::PS384 | alg::PS512 | alg::RS1
        ),
        PublicKey::Ed25519(_) => matches!(a, alg::EDDSA | alg::ED25519),
        PublicKey::P521(_) => matches!(a, alg::ES512 | alg::ESP512),
    }
}

/// Step 2, first item: "Verify that sig is a valid signature over the concatenation of authenticatorData
/// and clientDataHash using the attestation public key in attestnCert with the algorithm specified in alg."
///
/// An `alg` that cannot be used with the certificate's key type is an alg mismatch; an `alg` that fits but
/// that this verifier cannot check (e.g. ESP256, -9) leaves the signature unverified.
fn step_2a_signature_by_attestation_certificate(
    s: &Statement<'_>,
    leaf: &Certificate,
    a: i64,
    sig: &[u8],
    signed: &[u8],
) -> Result<(), Rejection> {
    let key = leaf.public_key().map_err(|e| match e {
        CertError::UnsupportedCurve { .. } | CertError::UnsupportedKeyAlgorithm { .. } => Rejection::new(
            CheckId::RegAttestationSignature,
            format!("the attestation certificate's key cannot be used by this verifier: {e}"),
        ),
        _ => {
            Rejection::new(CheckId::RegAttestationStatementMalformed, format!("attestation certificate: {e}"))
        }
    })?;
    if !alg_fits_key(a, &key) {
        return Err(Rejection::new(
            CheckId::RegAttestationAlgMismatch,
            format!(
                "alg {a} ({}) does not fit the attestation certificate's {} key",
                alg_name(a),
                key.describe()
            ),
        ));
    }
    let verifier =
        CredentialKey::from_cose_with(s.credential_key.provider(), &key.to_cose(a)).map_err(|e| match e {
            KeyError::UnsupportedAlgorithm { .. } => Rejection::new(
                CheckId::RegAttestationSignature,
                format!(
                    "alg {a} ({}) is not supported by this verifier, so sig cannot be checked",
                    alg_name(a)
                ),
            ),
            other => Rejection::new(
                CheckId::RegAttestationStatementMalformed,
                format!("attestation certificate key: {other}"),
            ),
        })?;
    verifier.verify(signed, sig).map_err(|e| signature_failure(e, "the attestation certificate's key"))
}

/// Step 2, second item: "Verify that attestnCert meets the requirements in §8.2.1":
/// version 3; subject C (a two-letter ISO 3166 code, PrintableString), O (non-empty), OU (exactly
/// "Authenticator Attestation") and CN; basic constraints with cA false.
///
/// Deliberate leniencies, all recorded here: O, OU and CN are accepted as UTF8String or PrintableString
/// (the spec names UTF8String; the text is what a relying party compares); C is checked for shape (two
/// upper-case letters), not against the ISO list, so user-assigned codes such as the vectors' "AA" pass;
/// an absent basic constraints extension means cA false (RFC 5280 §4.2.1.9), as in the DER default.
fn step_2b_certificate_requirements(leaf: &Certificate) -> Result<(), Rejection> {
    let bad = |why: String| {
        Rejection::new(CheckId::RegAttestationCertificate, format!("attestation certificate: {why}"))
    };
    // "Version MUST be set to 3 (which is indicated by an ASN.1 INTEGER with value 2)."
    if leaf.version() != 3 {
        return Err(bad(format!("version {}, not 3", leaf.version())));
    }
    // "Subject-C: ISO 3166 code specifying the country where the Authenticator vendor is incorporated
    // (PrintableString)".
    let c = single_subject_value(leaf, oid::COUNTRY_NAME, "C").map_err(bad)?;
    if c.tag != Tag::PrintableString {
        return Err(bad(format!("subject C is a {}, not a PrintableString", c.tag)));
    }
    if !(c.text.len() == 2 && c.text.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(bad(format!("subject C {:?} is not a two-letter ISO 3166 code", c.text)));
    }
    // "Subject-O: Legal name of the Authenticator vendor (UTF8String)".
    let o = single_subject_value(leaf, oid::ORGANIZATION_NAME, "O").map_err(bad)?;
    if o.text.is_empty() {
        return Err(bad("subject O is empty".into()));
    }
    // "Subject-OU: Literal string “Authenticator Attestation” (UTF8String)".
    let ou = single_subject_value(leaf, oid::ORGANIZATIONAL_UNIT_NAME, "OU").map_err(bad)?;
    if ou.text != "Authenticator Attestation" {
        return Err(bad(format!("subject OU is {:?}, not \"Authenticator Attestation\"", ou.text)));
    }
    // "Subject-CN: A UTF8String of the vendor's choosing".
    single_subject_value(leaf, oid::COMMON_NAME, "CN").map_err(bad)?;
    // "The Basic Constraints extension MUST have the CA component set to false.": one of the fields and
    // extensions the certificate "MUST have", so an absent extension fails too.
    match leaf.basic_constraints_ca() {
        Ok(Some(true)) => {
            Err(bad("basic constraints say cA TRUE; an attestation certificate is not a CA".into()))
        }
        Ok(None) => Err(bad("no Basic Constraints extension; §8.2.1 requires one with cA false".into())),
        Ok(Some(false)) => Ok(()),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// The one value of a subject attribute that must occur exactly once, as UTF8String or PrintableString.
fn single_subject_value(
    cert: &Certificate,
    attr: ObjectIdentifier,
    name: &str,
) -> Result<super::x509::DirectoryText, String> {
    let mut values = cert.subject_values(attr).into_iter();
    let first = values.next().ok_or_else(|| format!("subject has no {name}"))?;
    if values.next().is_some() {
        return Err(format!("subject has more than one {name}"));
    }
    match first {
        Ok(v) if v.tag == Tag::Utf8String || v.tag == Tag::PrintableString => Ok(v),
        Ok(v) => Err(format!("subject {name} is a {}, not a UTF8String or PrintableString", v.tag)),
        Err(tag) => Err(format!("subject {name} is a {tag}, not a directory string")),
    }
}

/// Step 2, third item: "If attestnCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4
/// (id-fido-gen-ce-aaguid) verify that the value of this extension matches the aaguid in
/// authenticatorData." §8.2.1 adds: "The extension MUST NOT be marked as critical."
fn step_2c_aaguid_extension(leaf: &Certificate, s: &Statement<'_>) -> Result<(), Rejection> {
    let mismatch = |why: String| Rejection::new(CheckId::RegAttestationAaguidMismatch, why);
    let Some((aaguid, critical)) = leaf.fido_aaguid().map_err(|e| mismatch(e.to_string()))? else {
        return Ok(());
    };
    if critical {
        return Err(mismatch("the id-fido-gen-ce-aaguid extension is marked critical".into()));
    }
    super::aaguid_is_auth_data_s(&aaguid, s, "the certificate's")
}

/// Step 3, first item: "Validate that alg matches the algorithm of the credentialPublicKey in
/// authenticatorData."
fn step_3a_alg_matches_credential_key(s: &Statement<'_>, a: i64) -> Result<(), Rejection> {
    let expected = s.credential_key.alg();
    if a != expected {
        return Err(Rejection::new(
            CheckId::RegAttestationAlgMismatch,
            format!(
                "self attestation with alg {a} ({}) but the credential key's alg is {expected} ({})",
                alg_name(a),
                alg_name(expected)
            ),
        ));
    }
    Ok(())
}

/// Step 3, second item: "Verify that sig is a valid signature over the concatenation of authenticatorData
/// and clientDataHash using the credential public key with alg."
fn step_3b_self_signature(s: &Statement<'_>, sig: &[u8], signed: &[u8]) -> Result<(), Rejection> {
    s.credential_key.verify(signed, sig).map_err(|e| signature_failure(e, "the credential key"))
}

fn signature_failure(e: SignatureError, by: &str) -> Rejection {
    let why = match e {
        SignatureError::Malformed(m) => format!("sig is malformed: {m}"),
        SignatureError::Invalid => {
            format!("sig does not verify with {by} over authenticatorData || clientDataHash")
        }
    };
    Rejection::new(CheckId::RegAttestationSignature, why)
}

fn alg_name(a: i64) -> &'static str {
    wire::cose::alg_name(a).unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{Any, SetOfVec};
    use der::{Decode, Encode};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::certificate::TbsCertificate;
    use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

    const VECTORS: &str = include_str!("../../../../vectors/w3c/webauthn-l3-section16.json");

    /// The packed-es256 attestation certificate.
    fn leaf_der() -> Vec<u8> {
        let v: serde_json::Value = serde_json::from_str(VECTORS).expect("JSON");
        let ex = v["examples"]
            .as_array()
            .expect("examples")
            .iter()
            .find(|e| e["anchor"] == "sctn-test-vectors-packed-es256")
            .expect("example");
        let ao = hex::decode(ex["registration"]["attestationObject"].as_str().expect("hex")).expect("hex");
        let v = wire::cbor::decode(&ao, &wire::cbor::Limits::WEBAUTHN).expect("CBOR").value;
        let x5c =
            v.get_text("attStmt").and_then(|s| s.get_text("x5c")).and_then(|x| x.as_array()).expect("x5c");
        x5c.first().and_then(|c| c.as_bytes()).expect("bytes").to_vec()
    }

    /// The certificate with its tbsCertificate edited. §8.2.1 does not look at the signature, so the old one
    /// is kept.
    fn edited(edit: impl FnOnce(&mut TbsCertificate)) -> Certificate {
        let mut cert = x509_cert::Certificate::from_der(&leaf_der()).expect("cert");
        edit(&mut cert.tbs_certificate);
        Certificate::from_der(&cert.to_der().expect("DER")).expect("parses")
    }

    fn name(parts: &[(ObjectIdentifier, Tag, &str)]) -> Name {
        RdnSequence(
            parts
                .iter()
                .map(|(o, tag, v)| {
                    let atv =
                        AttributeTypeAndValue { oid: *o, value: Any::new(*tag, v.as_bytes()).expect("any") };
                    RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("set"))
                })
                .collect(),
        )
    }

    fn requirements(cert: &Certificate) -> Option<CheckId> {
        step_2b_certificate_requirements(cert).err().map(|r| r.check)
    }

    const CERT: Option<CheckId> = Some(CheckId::RegAttestationCertificate);

    #[test]
    fn the_vector_certificate_meets_the_requirements() {
        assert_eq!(requirements(&Certificate::from_der(&leaf_der()).expect("cert")), None);
    }

    #[test]
    fn subject_string_types() {
        let subject = |c: Tag, o: Tag, ou: Tag, cn: Tag| {
            edited(|t| {
                t.subject = name(&[
                    (oid::COUNTRY_NAME, c, "SE"),
                    (oid::ORGANIZATION_NAME, o, "Vendor"),
                    (oid::ORGANIZATIONAL_UNIT_NAME, ou, "Authenticator Attestation"),
                    (oid::COMMON_NAME, cn, "Model"),
                ])
            })
        };
        let (p, u) = (Tag::PrintableString, Tag::Utf8String);
        assert_eq!(requirements(&subject(p, u, u, u)), None);
        assert_eq!(requirements(&subject(p, p, p, p)), None, "PrintableString is accepted for O, OU, CN");
        assert_eq!(requirements(&subject(u, u, u, u)), CERT, "C must be a PrintableString");
        assert_eq!(requirements(&subject(p, Tag::Ia5String, u, u)), CERT);
        assert_eq!(requirements(&subject(p, u, Tag::BmpString, u)), CERT);
    }

    #[test]
    fn empty_organization_is_refused() {
        let cert = edited(|t| {
            t.subject = name(&[
                (oid::COUNTRY_NAME, Tag::PrintableString, "SE"),
                (oid::ORGANIZATION_NAME, Tag::Utf8String, ""),
                (oid::ORGANIZATIONAL_UNIT_NAME, Tag::Utf8String, "Authenticator Attestation"),
                (oid::COMMON_NAME, Tag::Utf8String, "Model"),
            ])
        });
        assert_eq!(requirements(&cert), CERT);
    }

    #[test]
    fn version_2_is_refused() {
        let cert = edited(|t| t.version = x509_cert::certificate::Version::V2);
        assert_eq!(requirements(&cert), CERT);
    }

    #[test]
    fn algorithms_fit_key_types() {
        let key = Certificate::from_der(&leaf_der()).expect("cert").public_key().expect("key");
        assert!(alg_fits_key(alg::ES256, &key));
        assert!(alg_fits_key(alg::ESP256, &key));
        for a in [alg::ES384, alg::ES512, alg::RS256, alg::PS256, alg::EDDSA, alg::ED25519, 0, i64::MIN] {
            assert!(!alg_fits_key(a, &key), "{a}");
        }
        let p521 = PublicKey::P521(crate::attestation::x509::P521Key(p521::ecdsa::VerifyingKey::from(
            &p521::ecdsa::SigningKey::from_slice(&[&[0u8][..], &[3; 65]].concat()).expect("scalar"),
        )));
        assert!(alg_fits_key(alg::ES512, &p521) && alg_fits_key(alg::ESP512, &p521));
        for a in [alg::ES256, alg::ES384, alg::ESP256, alg::EDDSA, alg::RS512] {
            assert!(!alg_fits_key(a, &p521), "{a}");
        }
        let ed = PublicKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key());
        assert!(
            alg_fits_key(alg::EDDSA, &ed)
                && alg_fits_key(alg::ED25519, &ed)
                && !alg_fits_key(alg::ES256, &ed)
        );
    }

    #[test]
    fn multiple_values_of_one_attribute_are_refused() {
        let cert = edited(|t| {
            t.subject = name(&[
                (oid::COUNTRY_NAME, Tag::PrintableString, "SE"),
                (oid::ORGANIZATION_NAME, Tag::Utf8String, "Vendor"),
                (oid::ORGANIZATIONAL_UNIT_NAME, Tag::Utf8String, "Authenticator Attestation"),
                (oid::COMMON_NAME, Tag::Utf8String, "Model"),
                (oid::COMMON_NAME, Tag::Utf8String, "Other"),
            ])
        });
        assert_eq!(requirements(&cert), CERT);
    }
}
