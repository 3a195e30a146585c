//! §8.3 TPM Attestation Statement Format, with the AIK certificate requirements of §8.3.1.
//!
//! ```text
//! tpmStmtFormat = { ver: "2.0", ( alg: COSEAlgorithmIdentifier, x5c: [ aikCert: bytes, * (caCert: bytes) ] ),
//!                   sig: bytes, certInfo: bytes, pubArea: bytes }
//! ```
//!
//! `certInfo` is a TPMS_ATTEST and `pubArea` a TPMT_PUBLIC (parsed by [`wire::tpm`]). The AIK signs
//! `certInfo`; `certInfo` binds the credential by carrying the Name of `pubArea` and, in `extraData`, the hash
//! of `authenticatorData || clientDataHash`. The attestation type is AttCA with `x5c` as the trust path.

use der::asn1::ObjectIdentifier;
use der::Decode;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use wire::cose::{alg, CoseKey, EcCurve};
use wire::tpm::{self, Attest, Attested, Public, PublicKeyArea};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};

use super::packed::alg_fits_key;
use super::stmt::StmtEntries;
use super::x509::{CertError, Certificate};
use super::{AttestationType, Statement};
use crate::check::{CheckId, Rejection};
use crate::crypto::{CredentialKey, KeyError, SignatureError};

/// `id-ce-subjectAltName` (RFC 5280 §4.2.1.6).
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// `id-ce-extKeyUsage` (RFC 5280 §4.2.1.12).
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// `tcg-kp-AIKCertificate` (§8.3.1: "2.23.133.8.3").
pub const TCG_KP_AIK_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.8.3");
/// `tcg-at-tpmManufacturer`, `tcg-at-tpmModel`, `tcg-at-tpmVersion`: the directoryName attributes of the
/// TCG EK credential profile's Subject Alternative Name (its section 3.2.9, which §8.3.1 cites).
pub const TCG_AT_TPM_MANUFACTURER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.1");
pub const TCG_AT_TPM_MODEL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.2");
pub const TCG_AT_TPM_VERSION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.3");

/// The decoded statement (step 1).
struct Tpm<'a> {
    alg: i64,
    sig: &'a [u8],
    cert_info: &'a [u8],
    pub_area_raw: &'a [u8],
    pub_area: Public,
    x5c: super::stmt::X5c,
}

fn malformed(why: impl std::fmt::Display) -> Rejection {
    Rejection::new(CheckId::RegAttestationStatementMalformed, format!("attStmt of fmt \"tpm\": {why}"))
}

/// §8.3 "Verification procedure", in order.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    let stmt = step_1_decode(s)?;
    step_2_pub_area_is_credential_key(&stmt.pub_area, s.credential_cose)?;
    // Step 3: "Concatenate authenticatorData and clientDataHash to form attToBeSigned."
    let mut att_to_be_signed = Vec::with_capacity(s.auth_data_raw.len() + s.client_data_hash.len());
    att_to_be_signed.extend_from_slice(s.auth_data_raw);
    att_to_be_signed.extend_from_slice(s.client_data_hash);
    // Step 4, "Verify integrity of certInfo". "Verify that x5c is present." was checked in step 1 (the
    // syntax requires it).
    let aik = stmt.x5c.leaf().ok_or_else(|| malformed("x5c has no AIK certificate"))?;
    step_4b_aik_certificate_requirements(aik)?;
    step_4c_aaguid_extension(aik, s)?;
    step_4d_signature_by_aik(s, aik, stmt.alg, stmt.sig, stmt.cert_info)?;
    // Step 5, "Validate that certInfo is valid".
    let cert_info = Attest::parse(stmt.cert_info).map_err(|e| malformed(format!("certInfo: {e}")))?;
    step_5a_magic(&cert_info)?;
    step_5b_type(&cert_info)?;
    step_5c_extra_data(&cert_info, stmt.alg, &att_to_be_signed)?;
    step_5d_name(&cert_info, &stmt.pub_area, stmt.pub_area_raw)?;
    // qualifiedSigner, clockInfo and firmwareVersion "are ignored".
    Ok(AttestationType::Basic { trust_path: stmt.x5c.der })
}

/// Step 1: "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR
/// decoding on it to extract the contained fields." `ver` is the text "2.0"; `alg`, `x5c`, `sig`,
/// `certInfo` and `pubArea` are required (the alg/x5c group is not optional in this syntax); no other
/// member is allowed. `pubArea` must be a TPMT_PUBLIC of type RSA or ECC, which step 2 needs.
fn step_1_decode<'a>(s: &Statement<'a>) -> Result<Tpm<'a>, Rejection> {
    let members = StmtEntries::of(s.fmt, s.att_stmt, &["ver", "alg", "x5c", "sig", "certInfo", "pubArea"])?;
    match members.get("ver") {
        None => return Err(malformed("member \"ver\" is missing")),
        Some(v) => match v.as_text() {
            Some("2.0") => {}
            Some(other) => return Err(malformed(format!("ver is {other:?}, not \"2.0\""))),
            None => return Err(malformed(format!("ver is a {}, not text", v.kind()))),
        },
    }
    let alg = members.alg("alg")?;
    let x5c = members.x5c()?.ok_or_else(|| malformed("x5c is missing (\"Verify that x5c is present.\")"))?;
    let sig = members.bytes("sig")?;
    let cert_info = members.bytes("certInfo")?;
    let pub_area_raw = members.bytes("pubArea")?;
    let pub_area = Public::parse(pub_area_raw).map_err(|e| malformed(format!("pubArea: {e}")))?;
    Ok(Tpm { alg, sig, cert_info, pub_area_raw, pub_area, x5c })
}

/// A big-endian unsigned integer without its leading zero bytes, for comparing values, not encodings.
fn magnitude(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[first..]
}

/// Step 2: "Verify that the public key specified by the parameters and unique fields of pubArea is identical
/// to the credentialPublicKey in the attestedCredentialData in authenticatorData."
///
/// RSA: the modulus (`unique`) and the exponent (`parameters.exponent`, where 0 means 2^16 + 1) equal the
/// COSE key's `n` and `e` as integers. ECC: `parameters.curveID` is the COSE key's curve and `unique`'s x and
/// y its coordinates, as integers. A credential key of another type cannot be identical.
fn step_2_pub_area_is_credential_key(pub_area: &Public, cose: &CoseKey) -> Result<(), Rejection> {
    let differs = |why: String| Rejection::new(CheckId::RegAttestationTpmPubAreaKey, why);
    match (&pub_area.key, cose) {
        (PublicKeyArea::Rsa { exponent, modulus, .. }, CoseKey::Rsa { n, e, .. }) => {
            if magnitude(modulus) != magnitude(n) {
                return Err(differs("pubArea.unique is not the credential key's RSA modulus".into()));
            }
            let exponent = if *exponent == 0 { 65_537 } else { *exponent };
            let exponent_bytes = exponent.to_be_bytes();
            if magnitude(&exponent_bytes) != magnitude(e) {
                return Err(differs(format!(
                    "pubArea.parameters.exponent {exponent} is not the credential key's e"
                )));
            }
            Ok(())
        }
        (PublicKeyArea::Ecc { curve_id, x, y, .. }, CoseKey::Ec2 { crv, x: cx, y: cy, .. }) => {
            let expected = match crv {
                EcCurve::P256 => tpm::curve::NIST_P256,
                EcCurve::P384 => tpm::curve::NIST_P384,
                EcCurve::P521 => tpm::curve::NIST_P521,
            };
            if *curve_id != expected {
                return Err(differs(format!(
                    "pubArea.parameters.curveID 0x{curve_id:04x} is not the credential key's curve {crv:?}"
                )));
            }
            if magnitude(x) != magnitude(cx) || magnitude(y) != magnitude(cy) {
                return Err(differs("pubArea.unique is not the credential key's EC point".into()));
            }
            Ok(())
        }
        (area, _) => Err(differs(format!(
            "pubArea holds a {} key, the credential key is a {}",
            if matches!(area, PublicKeyArea::Rsa { .. }) { "RSA" } else { "ECC" },
            match cose {
                CoseKey::Ec2 { .. } => "EC2 key",
                CoseKey::Okp { .. } => "OKP key",
                CoseKey::Rsa { .. } => "RSA key",
            }
        ))),
    }
}

/// Step 4, second item: "Verify that aikCert meets the requirements in §8.3.1":
/// "Version MUST be set to 3."; "Subject field MUST be set to empty."; "The Subject Alternative Name extension
/// MUST be set as defined in section 3.2.9." (of the TCG EK credential profile: a directoryName carrying
/// tcg-at-tpmManufacturer, tcg-at-tpmModel and tcg-at-tpmVersion); "The Extended Key Usage extension MUST
/// contain the OID 2.23.133.8.3"; "The Basic Constraints extension MUST have the CA component set to false."
///
/// Leniencies, recorded here: the SAN's criticality and the attribute values (e.g. the manufacturer against
/// the TCG vendor list) are not checked; an absent Basic Constraints extension fails, as for packed, since it
/// is one of the extensions the certificate "MUST have".
fn step_4b_aik_certificate_requirements(aik: &Certificate) -> Result<(), Rejection> {
    let bad =
        |why: String| Rejection::new(CheckId::RegAttestationCertificate, format!("AIK certificate: {why}"));
    if aik.version() != 3 {
        return Err(bad(format!("version {}, not 3", aik.version())));
    }
    if !aik.subject().0.is_empty() {
        return Err(bad(format!("subject {:?} is not empty", aik.subject().to_string())));
    }
    let san =
        aik.extension(SUBJECT_ALT_NAME).ok_or_else(|| bad("no Subject Alternative Name extension".into()))?;
    let san = SubjectAltName::from_der(san.extn_value.as_bytes())
        .map_err(|e| bad(format!("Subject Alternative Name: {e}")))?;
    let has = |attr: ObjectIdentifier| {
        san.0.iter().any(|g| match g {
            GeneralName::DirectoryName(name) => {
                name.0.iter().any(|rdn| rdn.0.iter().any(|atv| atv.oid == attr))
            }
            _ => false,
        })
    };
    for (attr, what) in [
        (TCG_AT_TPM_MANUFACTURER, "tcg-at-tpmManufacturer"),
        (TCG_AT_TPM_MODEL, "tcg-at-tpmModel"),
        (TCG_AT_TPM_VERSION, "tcg-at-tpmVersion"),
    ] {
        if !has(attr) {
            return Err(bad(format!("the Subject Alternative Name has no directoryName with {what}")));
        }
    }
    let eku = aik.extension(EXT_KEY_USAGE).ok_or_else(|| bad("no Extended Key Usage extension".into()))?;
    let eku = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
        .map_err(|e| bad(format!("Extended Key Usage: {e}")))?;
    if !eku.0.contains(&TCG_KP_AIK_CERTIFICATE) {
        return Err(bad("the Extended Key Usage lacks tcg-kp-AIKCertificate (2.23.133.8.3)".into()));
    }
    match aik.basic_constraints_ca() {
        Ok(Some(true)) => Err(bad("basic constraints say cA TRUE; an AIK certificate is not a CA".into())),
        Ok(None) => Err(bad("no Basic Constraints extension; §8.3.1 requires one with cA false".into())),
        Ok(Some(false)) => Ok(()),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// Step 4, third item: "If aikCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4
/// (id-fido-gen-ce-aaguid) verify that the value of this extension matches the aaguid in authenticatorData."
fn step_4c_aaguid_extension(aik: &Certificate, s: &Statement<'_>) -> Result<(), Rejection> {
    let mismatch = |why: String| Rejection::new(CheckId::RegAttestationAaguidMismatch, why);
    let Some((aaguid, _critical)) = aik.fido_aaguid().map_err(|e| mismatch(e.to_string()))? else {
        return Ok(());
    };
    super::aaguid_is_auth_data_s(&aaguid, s, "the AIK certificate's")
}

/// Step 4, fourth item: "Verify the sig is a valid signature over certInfo using the attestation public key
/// in aikCert with the algorithm specified in alg." `sig` is read as the signature the same algorithm gives
/// in the other formats (DER ECDSA, PKCS#1 v1.5 / PSS bytes), as the §16 tpm example and shipping TPMs'
/// statements carry it.
fn step_4d_signature_by_aik(
    s: &Statement<'_>,
    aik: &Certificate,
    a: i64,
    sig: &[u8],
    cert_info: &[u8],
) -> Result<(), Rejection> {
    let key = aik.public_key().map_err(|e| match e {
        CertError::UnsupportedCurve { .. } | CertError::UnsupportedKeyAlgorithm { .. } => Rejection::new(
            CheckId::RegAttestationSignature,
            format!("the AIK certificate's key cannot be used by this verifier: {e}"),
        ),
        _ => malformed(format!("AIK certificate: {e}")),
    })?;
    if !alg_fits_key(a, &key) {
        return Err(Rejection::new(
            CheckId::RegAttestationAlgMismatch,
            format!("alg {a} ({}) does not fit the AIK certificate's {} key", alg_name(a), key.describe()),
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
            other => malformed(format!("AIK certificate key: {other}")),
        })?;
    verifier.verify(cert_info, sig).map_err(|e| {
        let why = match e {
            SignatureError::Malformed(m) => format!("sig is malformed: {m}"),
            SignatureError::Invalid => {
                "sig does not verify with the AIK certificate's key over certInfo".into()
            }
        };
        Rejection::new(CheckId::RegAttestationSignature, why)
    })
}

/// Step 5, first item: "Verify that magic is set to TPM_GENERATED_VALUE."
fn step_5a_magic(c: &Attest) -> Result<(), Rejection> {
    if c.magic != tpm::TPM_GENERATED_VALUE {
        return Err(Rejection::new(
            CheckId::RegAttestationTpmMagic,
            format!("certInfo.magic is 0x{:08x}, not TPM_GENERATED_VALUE (0xff544347)", c.magic),
        ));
    }
    Ok(())
}

/// Step 5, second item: "Verify that type is set to TPM_ST_ATTEST_CERTIFY."
fn step_5b_type(c: &Attest) -> Result<(), Rejection> {
    if c.type_ != tpm::TPM_ST_ATTEST_CERTIFY {
        return Err(Rejection::new(
            CheckId::RegAttestationTpmType,
            format!("certInfo.type is 0x{:04x}, not TPM_ST_ATTEST_CERTIFY (0x8017)", c.type_),
        ));
    }
    Ok(())
}

/// The hash a COSE signature algorithm employs, as a TPM_ALG_ID, for extraData.
fn hash_of_alg(a: i64) -> Option<u16> {
    match a {
        alg::ES256 | alg::ESP256 | alg::RS256 | alg::PS256 => Some(tpm::alg::SHA256),
        alg::ES384 | alg::ESP384 | alg::RS384 | alg::PS384 => Some(tpm::alg::SHA384),
        alg::ES512 | alg::ESP512 | alg::RS512 | alg::PS512 => Some(tpm::alg::SHA512),
        alg::RS1 => Some(tpm::alg::SHA1),
        _ => None,
    }
}

/// The digest of `data` with the TPM hash algorithm `h`, if this verifier knows it.
fn digest(h: u16, data: &[u8]) -> Option<Vec<u8>> {
    Some(match h {
        tpm::alg::SHA1 => Sha1::digest(data).to_vec(),
        tpm::alg::SHA256 => Sha256::digest(data).to_vec(),
        tpm::alg::SHA384 => Sha384::digest(data).to_vec(),
        tpm::alg::SHA512 => Sha512::digest(data).to_vec(),
        _ => return None,
    })
}

/// Step 5, third item: "Verify that extraData is set to the hash of attToBeSigned using the hash algorithm
/// employed in "alg"."
fn step_5c_extra_data(c: &Attest, a: i64, att_to_be_signed: &[u8]) -> Result<(), Rejection> {
    let expected = hash_of_alg(a).and_then(|h| digest(h, att_to_be_signed)).ok_or_else(|| {
        Rejection::new(
            CheckId::RegAttestationAlgMismatch,
            format!("alg {a} ({}) employs no hash algorithm a TPM signs with", alg_name(a)),
        )
    })?;
    if c.extra_data != expected {
        return Err(Rejection::new(
            CheckId::RegAttestationTpmExtraData,
            format!(
                "certInfo.extraData ({} bytes) is not the {} hash of authenticatorData || clientDataHash",
                c.extra_data.len(),
                alg_name(a)
            ),
        ));
    }
    Ok(())
}

/// Step 5, fourth item: "Verify that attested contains a TPMS_CERTIFY_INFO structure as specified in section
/// 10.12.3, whose name field contains a valid Name for pubArea, as computed using the procedure specified in
/// section 16 using the nameAlg in the pubArea." The Name of an object (TPM Part 1 §16) is its nameAlg (two
/// bytes, big-endian) followed by the nameAlg digest of its TPMT_PUBLIC.
fn step_5d_name(c: &Attest, pub_area: &Public, pub_area_raw: &[u8]) -> Result<(), Rejection> {
    let wrong = |why: String| Rejection::new(CheckId::RegAttestationTpmName, why);
    let Attested::Certify { name, .. } = &c.attested else {
        return Err(wrong("certInfo.attested is not a TPMS_CERTIFY_INFO".into()));
    };
    let digest = digest(pub_area.name_alg, pub_area_raw).ok_or_else(|| {
        wrong(format!(
            "pubArea.nameAlg 0x{:04x} is not a hash algorithm this verifier knows",
            pub_area.name_alg
        ))
    })?;
    let mut expected = pub_area.name_alg.to_be_bytes().to_vec();
    expected.extend_from_slice(&digest);
    if *name != expected {
        let name_alg = name.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        return Err(wrong(match name_alg {
            Some(n) if n != pub_area.name_alg => format!(
                "certInfo.attested.name uses hash 0x{n:04x}, pubArea.nameAlg is 0x{:04x}",
                pub_area.name_alg
            ),
            _ => "certInfo.attested.name is not the nameAlg hash of pubArea".into(),
        }));
    }
    Ok(())
}

fn alg_name(a: i64) -> &'static str {
    wire::cose::alg_name(a).unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_of_algorithms() {
        assert_eq!(hash_of_alg(alg::RS1), Some(tpm::alg::SHA1));
        assert_eq!(hash_of_alg(alg::ES256), Some(tpm::alg::SHA256));
        assert_eq!(hash_of_alg(alg::PS384), Some(tpm::alg::SHA384));
        assert_eq!(hash_of_alg(alg::RS512), Some(tpm::alg::SHA512));
        assert_eq!(hash_of_alg(alg::EDDSA), None);
        assert_eq!(digest(tpm::alg::SHA1, b"").map(|d| d.len()), Some(20));
        assert_eq!(digest(0x0012, b""), None);
    }

    #[test]
    fn magnitudes_ignore_leading_zeros() {
        assert_eq!(magnitude(&[0, 0, 1, 0]), &[1, 0]);
        assert_eq!(magnitude(&[0, 0]), &[] as &[u8]);
        assert_eq!(magnitude(&[]), &[] as &[u8]);
    }
}
