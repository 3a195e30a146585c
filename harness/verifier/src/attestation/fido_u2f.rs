//! §8.6 FIDO U2F Attestation Statement Format.
//!
//! ```text
//! u2fStmtFormat = { x5c: [ attestnCert: bytes ], sig: bytes }
//! ```
//!
//! The signature is the raw U2F registration signature (FIDO U2F Raw Message Formats §4.3), made by the
//! attestation key over `0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F`.
//!
//! U2F authenticators have no AAGUID, so authData carries zeros there; the AAGUID is not checked, as the
//! procedure does not ask for it (and the §16 FIDO U2F vector has a non-zero one).

use wire::cose::{alg, CoseKey, EcCurve};

use super::stmt::{StmtEntries, X5c};
use super::x509::{CertError, PublicKey};
use super::{AttestationType, Statement};
use crate::check::{CheckId, Rejection};
use crate::crypto::{CredentialKey, SignatureError};

/// §8.6 "Verification procedure", in order.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    let (x5c, sig) = step_1_decode(s)?;
    let cert_key = step_2_single_p256_certificate(&x5c)?;
    let (rp_id_hash, credential_id, credential_key) = step_3_claimed_values(s)?;
    let public_key_u2f = step_4_public_key_u2f(credential_key)?;
    let verification_data =
        step_5_verification_data(rp_id_hash, s.client_data_hash, credential_id, &public_key_u2f);
    step_6_verify_signature(s, &cert_key, &verification_data, sig)?;
    // Step 7 (telling Basic from AttCA with outside knowledge) is not taken: the result is Basic.
    // Step 8: "return ... attestation type Basic, AttCA or uncertainty, and attestation trust path x5c."
    Ok(AttestationType::Basic { trust_path: x5c.der })
}

/// Step 1: "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR
/// decoding on it to extract the contained fields." Both `x5c` and `sig` are required; nothing else is
/// allowed.
fn step_1_decode<'a>(s: &Statement<'a>) -> Result<(X5c, &'a [u8]), Rejection> {
    let members = StmtEntries::of(s.fmt, s.att_stmt, &["x5c", "sig"])?;
    let x5c = members.x5c()?.ok_or_else(|| {
        Rejection::new(
            CheckId::RegAttestationStatementMalformed,
            "attStmt of fmt \"fido-u2f\": member \"x5c\" is missing",
        )
    })?;
    let sig = members.bytes("sig")?;
    Ok((x5c, sig))
}

/// Step 2: "Check that x5c has exactly one element and let attCert be that element. ... If certificate
/// public key is not an Elliptic Curve (EC) public key over the P-256 curve, terminate this algorithm and
/// return an appropriate error."
fn step_2_single_p256_certificate(x5c: &X5c) -> Result<PublicKey, Rejection> {
    let [cert] = x5c.certs.as_slice() else {
        return Err(Rejection::new(
            CheckId::RegAttestationStatementMalformed,
            format!("fido-u2f x5c must hold exactly one certificate, not {}", x5c.certs.len()),
        ));
    };
    let not_p256 = |what: String| {
        Rejection::new(
            CheckId::RegAttestationCertificate,
            format!("the fido-u2f attestation certificate's key must be EC P-256, not {what}"),
        )
    };
    match cert.public_key() {
        Ok(key @ PublicKey::P256(_)) => Ok(key),
        Ok(other) => Err(not_p256(other.describe().to_owned())),
        Err(e @ (CertError::UnsupportedCurve { .. } | CertError::UnsupportedKeyAlgorithm { .. })) => {
            Err(not_p256(e.to_string()))
        }
        Err(e) => Err(Rejection::new(
            CheckId::RegAttestationStatementMalformed,
            format!("fido-u2f attestation certificate: {e}"),
        )),
    }
}

/// Step 3: "Extract the claimed rpIdHash from authenticatorData, and the claimed credentialId and
/// credentialPublicKey from authenticatorData.attestedCredentialData."
fn step_3_claimed_values<'a>(s: &Statement<'a>) -> Result<(&'a [u8; 32], &'a [u8], &'a CoseKey), Rejection> {
    let attested = s.auth_data.attested_credential_data.as_ref().ok_or_else(|| {
        Rejection::new(CheckId::RegAttestedCredentialDataMissing, "no attested credential data")
    })?;
    Ok((&s.auth_data.rp_id_hash, &attested.credential_id, s.credential_cose))
}

/// Step 4: "Convert the COSE_KEY formatted credentialPublicKey to Raw ANSI X9.62 public key format":
/// x (label -2) and y (label -3) of 32 bytes each, "publicKeyU2F be the concatenation 0x04 || x || y".
/// U2F keys are P-256 only, so any other credential key ends the procedure.
fn step_4_public_key_u2f(key: &CoseKey) -> Result<[u8; 65], Rejection> {
    let not_p256 = |what: &str| {
        Rejection::new(
            CheckId::RegAttestationCertificate,
            format!("a fido-u2f credential key must be EC2 P-256 with 32-byte x and y, not {what}"),
        )
    };
    let CoseKey::Ec2 { crv: EcCurve::P256, x, y, .. } = key else {
        return Err(not_p256(match key {
            CoseKey::Ec2 { crv, .. } => crv.name(),
            CoseKey::Okp { crv, .. } => crv.name(),
            CoseKey::Rsa { .. } => "RSA",
        }));
    };
    let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x.as_slice()), <[u8; 32]>::try_from(y.as_slice())) else {
        return Err(not_p256("coordinates of other lengths"));
    };
    let mut out = [0u8; 65];
    out[0] = 0x04;
    out[1..33].copy_from_slice(&x);
    out[33..].copy_from_slice(&y);
    Ok(out)
}

/// Step 5: "Let verificationData be the concatenation of (0x00 || rpIdHash || clientDataHash ||
/// credentialId || publicKeyU2F)".
fn step_5_verification_data(
    rp_id_hash: &[u8; 32],
    client_data_hash: &[u8; 32],
    credential_id: &[u8],
    public_key_u2f: &[u8; 65],
) -> Vec<u8> {
    let mut data = Vec::with_capacity(1 + 32 + 32 + credential_id.len() + 65);
    data.push(0x00);
    data.extend_from_slice(rp_id_hash);
    data.extend_from_slice(client_data_hash);
    data.extend_from_slice(credential_id);
    data.extend_from_slice(public_key_u2f);
    data
}

/// Step 6: "Verify the sig using verificationData and the certificate public key per section 4.1.4 of
/// [SEC1] with SHA-256 as the hash function" (ECDSA P-256 with SHA-256, a DER signature).
fn step_6_verify_signature(
    s: &Statement<'_>,
    cert_key: &PublicKey,
    data: &[u8],
    sig: &[u8],
) -> Result<(), Rejection> {
    let key = CredentialKey::from_cose_with(s.credential_key.provider(), &cert_key.to_cose(alg::ES256))
        .map_err(|e| {
            Rejection::new(
                CheckId::RegAttestationStatementMalformed,
                format!("fido-u2f attestation certificate key: {e}"),
            )
        })?;
    key.verify(data, sig).map_err(|e| {
        Rejection::new(
            CheckId::RegAttestationSignature,
            match e {
                SignatureError::Malformed(m) => format!("sig is malformed: {m}"),
                SignatureError::Invalid => {
                    "sig does not verify with the attestation certificate's key over verificationData".into()
                }
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::cose::OkpCurve;

    #[test]
    fn public_key_u2f_is_0x04_x_y() {
        let key = CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, x: vec![1; 32], y: vec![2; 32] };
        let raw = step_4_public_key_u2f(&key).expect("P-256");
        assert_eq!(raw[0], 0x04);
        assert_eq!(&raw[1..33], &[1; 32]);
        assert_eq!(&raw[33..], &[2; 32]);
    }

    #[test]
    fn credential_keys_other_than_p256_are_refused() {
        let keys = [
            CoseKey::Ec2 { alg: alg::ES384, crv: EcCurve::P384, x: vec![1; 48], y: vec![2; 48] },
            CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, x: vec![1; 31], y: vec![2; 32] },
            CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![3; 32] },
            CoseKey::Rsa { alg: alg::RS256, n: vec![0xff; 256], e: vec![1, 0, 1] },
        ];
        for key in &keys {
            let err = step_4_public_key_u2f(key).expect_err("not P-256");
            assert_eq!(err.check, CheckId::RegAttestationCertificate, "{key:?}");
        }
    }

    #[test]
    fn verification_data_layout() {
        let data = step_5_verification_data(&[0xaa; 32], &[0xbb; 32], &[0xcc; 5], &[0x04; 65]);
        assert_eq!(data.len(), 1 + 32 + 32 + 5 + 65);
        assert_eq!(data[0], 0x00);
        assert_eq!(&data[1..33], &[0xaa; 32]);
        assert_eq!(&data[33..65], &[0xbb; 32]);
        assert_eq!(&data[65..70], &[0xcc; 5]);
        assert_eq!(&data[70..], &[0x04; 65]);
    }
}
