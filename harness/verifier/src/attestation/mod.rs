//! Attestation statement formats (§8) and the trust assessment of §7.1 steps 22-24.
//!
//! [`verify_statement`] runs a format's verification procedure and says which attestation type it
//! established; [`chains_to_anchor`] decides whether an attestation trust path ends at an acceptable root.

use wire::authdata::AuthenticatorData;
use wire::cbor::Value;
use wire::cose::CoseKey;

use crate::check::{CheckId, Rejection};
use crate::crypto::CredentialKey;

mod fido_u2f;
mod none;
mod packed;
mod stmt;
mod tpm;
pub mod x509;
// issue 18: apple (§8.8) and android-key (§8.4).
mod android_key;
pub mod apple;

pub mod key_description;
// issue 18: android-safetynet (§8.5).
pub mod android_safetynet;

// issue 18: certificate paths through intermediates (§7.1 step 24) and compound (§8.9).
mod compound;
pub mod path;
pub use compound::MAX_SUB_STATEMENTS;

/// Formats this verifier implements.
pub const IMPLEMENTED_FORMATS: &[&str] =
    &["none", "packed", "fido-u2f", "apple", "android-key", "tpm", "android-safetynet", "compound"];

/// Every format in the IANA "WebAuthn Attestation Statement Format Identifiers" registry (RFC 8809), so an
/// unimplemented registered format is told apart from an unknown string.
pub const REGISTERED_FORMATS: &[&str] =
    &["packed", "tpm", "android-key", "android-safetynet", "fido-u2f", "apple", "none", "compound"];

/// What a verification procedure established (§6.5.3 attestation types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationType {
    /// `none`: no attestation.
    None,
    /// Self attestation: signed with the credential private key.
    SelfAttestation,
    /// Basic or AttCA attestation with an X.509 trust path, leaf first (DER certificates).
    Basic { trust_path: Vec<Vec<u8>> },
    /// `compound` (§8.9): each sub-statement's format and what its procedure established, in order.
    Compound(Vec<(String, AttestationType)>),
}

/// The inputs of a format's verification procedure ("given attStmt, authData and hash", §7.1 step 22).
pub struct Statement<'a> {
    pub fmt: &'a str,
    pub att_stmt: &'a Value,
    /// The authenticator data exactly as signed.
    pub auth_data_raw: &'a [u8],
    pub auth_data: &'a AuthenticatorData,
    /// The credential public key, already checked usable.
    pub credential_key: &'a CredentialKey,
    pub credential_cose: &'a CoseKey,
    /// SHA-256 of clientDataJSON.
    pub client_data_hash: &'a [u8; 32],
    /// Seconds since the Unix epoch, for certificate validity.
    pub now: u64,
    /// Compare a packed x5c statement's alg with the credential key's, as only self attestation must
    /// ([`crate::policy::AttestationPolicy::packed_x5c_alg_is_credential_alg`]: harness self-tests only).
    pub packed_x5c_alg_is_credential_alg: bool,
    /// android-key: read origin and purpose from teeEnforced only, not the union with softwareEnforced
    /// ([`crate::policy::AttestationPolicy::android_key_tee_only`]).
    pub android_key_tee_only: bool,
    /// android-safetynet: require `ctsProfileMatch` ([`crate::policy::AttestationPolicy::safetynet_require_cts_profile_match`]).
    pub safetynet_require_cts_profile_match: bool,
    /// android-safetynet: the oldest `timestampMs` accepted, in ms before `now`
    /// ([`crate::policy::AttestationPolicy::safetynet_max_age_ms`]).
    pub safetynet_max_age_ms: Option<u64>,
}

/// §7.1 step 22: "Verify that attStmt is a correct attestation statement, conveying a valid attestation
/// signature, by using the attestation statement format fmt's verification procedure."
pub fn verify_statement(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    match s.fmt {
        "none" => none::verify(s),
        "packed" => packed::verify(s),
        "fido-u2f" => fido_u2f::verify(s),
        "apple" => apple::verify(s),
        "android-key" => android_key::verify(s),
        "tpm" => tpm::verify(s),
        "android-safetynet" => android_safetynet::verify(s),
        "compound" => compound::verify(s),
        other => Err(Rejection::new(
            CheckId::RegAttestationFormatUnsupported,
            format!("fmt {other:?} has no verification procedure here"),
        )),
    }
}

/// §7.1 step 24: does the trust path (leaf first) chain up to one of `anchors`, or is one of its certificates
/// itself one? Every certificate used must be within its validity period at `now`. The error says which
/// certificate failed and why. See [`x509::chains_to_anchor`].
pub fn chains_to_anchor(trust_path: &[Vec<u8>], anchors: &[Vec<u8>], now: u64) -> Result<(), String> {
    x509::chains_to_anchor(trust_path, anchors, now)
}

/// The certificates of a trust path after its first that are self-signed (issuer = subject, and the signature
/// verifies with their own key): what an RP that trusts roots the statement brings takes as anchors
/// ([`crate::policy::AttestationPolicy::trust_self_signed_in_x5c`]: harness self-tests only).
pub fn self_signed_after_leaf(trust_path: &[Vec<u8>]) -> Vec<Vec<u8>> {
    trust_path
        .iter()
        .skip(1)
        .filter(|der| x509::Certificate::from_der(der).is_ok_and(|c| c.verify_issued_by(&c).is_ok()))
        .cloned()
        .collect()
}

/// The comparison of an attestation certificate's id-fido-gen-ce-aaguid extension value with the AAGUID in
/// authenticatorData (§8.2 step 2c, §8.3 step 4): `whose` names the certificate in the message.
fn aaguid_is_auth_data_s(aaguid: &[u8; 16], s: &Statement<'_>, whose: &str) -> Result<(), Rejection> {
    let attested = s.auth_data.attested_credential_data.as_ref().ok_or_else(|| {
        Rejection::new(
            CheckId::RegAttestedCredentialDataMissing,
            "no attested credential data to compare the AAGUID with",
        )
    })?;
    if *aaguid != attested.aaguid {
        return Err(Rejection::new(
            CheckId::RegAttestationAaguidMismatch,
            format!("{whose} AAGUID {} differs from authData's {}", hex(aaguid), hex(&attested.aaguid)),
        ));
    }
    Ok(())
}

/// Lower-case hex, for messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
