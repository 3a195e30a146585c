//! §8.4 Android Key Attestation Statement Format.
//!
//! ```text
//! androidStmtFormat = { alg: COSEAlgorithmIdentifier, sig: bytes, x5c: [ credCert: bytes, * (caCert: bytes) ] }
//! ```
//!
//! The credential key itself is certified (the first certificate's key is the credential key) and signs
//! `authenticatorData || clientDataHash`; the certificate's key attestation extension ([`KeyDescription`])
//! says what the keystore knew about the key.
//!
//! Which authorization list the origin and purpose steps read is the RP's choice (§8.4: "use only the
//! teeEnforced authorization list if the RP wants to accept only keys from a trusted execution environment,
//! otherwise use the union of teeEnforced and softwareEnforced"): [`Statement::android_key_tee_only`], from
//! [`crate::policy::AttestationPolicy::android_key_tee_only`], default the union (an RP that says nothing
//! does not "want to accept only keys from a trusted execution environment"). Under the union each property is
//! read from either list, as w3c/webauthn#1980 settled: `origin` must be present on a list read and every
//! value found be `KM_ORIGIN_GENERATED`; `purpose` must be present and include `KM_PURPOSE_SIGN` (real keys
//! may list more purposes, e.g. verify, beside it).

use super::key_description::{
    AuthorizationList, KeyDescription, KEY_DESCRIPTION_OID, KM_ORIGIN_GENERATED, KM_PURPOSE_SIGN,
};
use super::stmt::StmtEntries;
use super::x509::{CertError, Certificate};
use super::{AttestationType, Statement};
use crate::check::{CheckId, Rejection};
use crate::crypto::{CredentialKey, KeyError, SignatureError};

/// §8.4 "Verification procedure", in order.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    // Step 1: the syntax. alg, sig and x5c are all required.
    let members = StmtEntries::of(s.fmt, s.att_stmt, &["alg", "sig", "x5c"])?;
    let a = members.alg("alg")?;
    let sig = members.bytes("sig")?;
    let x5c = members.x5c()?.ok_or_else(|| {
        Rejection::new(
            CheckId::RegAttestationStatementMalformed,
            "attStmt of fmt \"android-key\": x5c is missing",
        )
    })?;
    let leaf = x5c
        .leaf()
        .ok_or_else(|| Rejection::new(CheckId::RegAttestationStatementMalformed, "x5c has no certificate"))?;
    let mut signed = Vec::with_capacity(s.auth_data_raw.len() + 32);
    signed.extend_from_slice(s.auth_data_raw);
    signed.extend_from_slice(s.client_data_hash);
    step_2_signature(s, leaf, a, sig, &signed)?;
    step_3_key_matches(leaf, s)?;
    let kd = step_4_challenge(leaf, s.client_data_hash)?;
    step_5_all_applications(&kd)?;
    let lists: Vec<&AuthorizationList> = if s.android_key_tee_only {
        vec![&kd.tee_enforced]
    } else {
        vec![&kd.tee_enforced, &kd.software_enforced]
    };
    let read = if s.android_key_tee_only { "teeEnforced" } else { "teeEnforced or softwareEnforced" };
    step_5_origin(&lists, read)?;
    step_5_purpose(&lists, read)?;
    Ok(AttestationType::Basic { trust_path: x5c.der })
}

/// Step 2: "Verify that sig is a valid signature over the concatenation of authenticatorData and
/// clientDataHash using the public key in the first certificate in x5c with the algorithm specified in alg."
fn step_2_signature(
    s: &Statement<'_>,
    leaf: &Certificate,
    a: i64,
    sig: &[u8],
    signed: &[u8],
) -> Result<(), Rejection> {
    let key = leaf.public_key().map_err(|e| match e {
        CertError::UnsupportedCurve { .. } | CertError::UnsupportedKeyAlgorithm { .. } => Rejection::new(
            CheckId::RegAttestationSignature,
            format!("the first certificate's key cannot be used by this verifier: {e}"),
        ),
        _ => Rejection::new(CheckId::RegAttestationStatementMalformed, format!("x5c[0]: {e}")),
    })?;
    // An alg that does not fit the key type cannot make a valid signature with it.
    let verifier =
        CredentialKey::from_cose_with(s.credential_key.provider(), &key.to_cose(a)).map_err(|e| {
            let why = match e {
                KeyError::UnsupportedAlgorithm { .. } => {
                    format!("alg {a} cannot be checked with the first certificate's {} key", key.describe())
                }
                other => format!("alg {a} with the first certificate's {} key: {other}", key.describe()),
            };
            Rejection::new(CheckId::RegAttestationSignature, why)
        })?;
    verifier.verify(signed, sig).map_err(|e| {
        let why = match e {
            SignatureError::Malformed(m) => format!("sig is malformed: {m}"),
            SignatureError::Invalid => "sig does not verify with the first certificate's key over \
                                       authenticatorData || clientDataHash"
                .to_owned(),
        };
        Rejection::new(CheckId::RegAttestationSignature, why)
    })
}

/// Step 3: "Verify that the public key in the first certificate in x5c matches the credentialPublicKey in the
/// attestedCredentialData in authenticatorData."
fn step_3_key_matches(leaf: &Certificate, s: &Statement<'_>) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationAndroidKeyMismatch, why);
    let key = leaf.public_key().map_err(|e| fail(format!("the first certificate's key: {e}")))?;
    if !super::apple::same_key(&key, s.credential_cose) {
        return Err(fail(format!(
            "the first certificate's public key ({}) is not the credential public key",
            key.describe()
        )));
    }
    Ok(())
}

/// Step 4: "Verify that the attestationChallenge field in the attestation certificate extension data is
/// identical to clientDataHash." The extension must be there and be a KeyDescription for the step to run.
fn step_4_challenge(leaf: &Certificate, client_data_hash: &[u8; 32]) -> Result<KeyDescription, Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationAndroidKeyChallenge, why);
    let ext = leaf.extension(KEY_DESCRIPTION_OID).ok_or_else(|| {
        fail(format!("the first certificate has no key attestation extension {KEY_DESCRIPTION_OID}"))
    })?;
    let kd = KeyDescription::parse(ext.extn_value.as_bytes())
        .map_err(|e| fail(format!("the key attestation extension is no KeyDescription: {e}")))?;
    if kd.attestation_challenge != client_data_hash {
        return Err(fail(format!(
            "attestationChallenge ({} bytes) is not clientDataHash",
            kd.attestation_challenge.len()
        )));
    }
    Ok(kd)
}

/// Step 5, first item: "The AuthorizationList.allApplications field is not present on either authorization
/// list (softwareEnforced nor teeEnforced), since PublicKeyCredential MUST be scoped to the RP ID."
fn step_5_all_applications(kd: &KeyDescription) -> Result<(), Rejection> {
    let on = match (kd.software_enforced.all_applications, kd.tee_enforced.all_applications) {
        (false, false) => return Ok(()),
        (true, false) => "softwareEnforced",
        (false, true) => "teeEnforced",
        (true, true) => "both softwareEnforced and teeEnforced",
    };
    Err(Rejection::new(
        CheckId::RegAttestationAndroidKeyAllApplications,
        format!("allApplications [600] is present on {on}: the key is not scoped to this RP ID"),
    ))
}

/// Step 5: "The value in the AuthorizationList.origin field is equal to KM_ORIGIN_GENERATED."
fn step_5_origin(lists: &[&AuthorizationList], read: &str) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationAndroidKeyOrigin, why);
    let origins: Vec<i64> = lists.iter().filter_map(|l| l.origin).collect();
    if origins.is_empty() {
        return Err(fail(format!("no origin [702] on {read}")));
    }
    if let Some(other) = origins.iter().find(|&&o| o != KM_ORIGIN_GENERATED) {
        return Err(fail(format!("origin {other} on {read} is not KM_ORIGIN_GENERATED (0)")));
    }
    Ok(())
}

/// Step 5: "The value in the AuthorizationList.purpose field is equal to KM_PURPOSE_SIGN."
fn step_5_purpose(lists: &[&AuthorizationList], read: &str) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationAndroidKeyPurpose, why);
    let purposes: Vec<i64> = lists.iter().filter_map(|l| l.purpose.as_ref()).flatten().copied().collect();
    if lists.iter().all(|l| l.purpose.is_none()) {
        return Err(fail(format!("no purpose [1] on {read}")));
    }
    if !purposes.contains(&KM_PURPOSE_SIGN) {
        return Err(fail(format!("purpose {purposes:?} on {read} does not include KM_PURPOSE_SIGN (2)")));
    }
    Ok(())
}
