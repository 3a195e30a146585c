//! §7.1 Registering a New Credential, step by step.
//!
//! Steps 1-2 and 4 happen in the browser and the RP's own code; step 3 is the conversion into
//! [`RegistrationResponse`] plus the `id`/`rawId`/`type` check below; steps 5-29 follow in order. Each function
//! quotes the requirement it enforces.

use wire::attestation_object::AttestationObject;
use wire::authdata::{AttestedCredentialData, AuthenticatorData, Flags};
use wire::base64url;
use wire::cose::CoseKey;

use crate::attestation::{self, AttestationType, Statement};
use crate::check::{CheckId, Rejection, Warning};
use crate::client_data;
use crate::crypto::{sha256, CredentialKey};
use crate::policy::{Checks, Policy, RegistrationExpectations};
use crate::record::CredentialRecord;
use crate::response::RegistrationResponse;
use crate::CredentialStore;
use wire::cbor::NonCanonical;

/// What a successful registration yields.
#[derive(Debug, Clone)]
pub struct RegistrationOutcome {
    /// The record to store (§7.1 step 27).
    pub record: CredentialRecord,
    pub attestation: AttestationType,
    /// The attestation statement format identifier.
    pub fmt: String,
    pub aaguid: [u8; 16],
    /// SHOULD/POLICY checks that failed but were let pass by the policy.
    pub warnings: Vec<Warning>,
}

/// Runs §7.1 on one response. `now` (seconds since the Unix epoch) is used for certificate validity.
pub fn verify_registration(
    response: &RegistrationResponse,
    expectations: &RegistrationExpectations,
    policy: &Policy,
    store: &dyn CredentialStore,
    now: u64,
) -> Result<RegistrationOutcome, Rejection> {
    let mut checks = Checks::new(policy);
    checks.require(step_3_response_is_attestation_response(response))?;
    // Steps 5-11.
    client_data::verify(
        &client_data::REGISTRATION,
        &response.client_data_json,
        "webauthn.create",
        &expectations.challenge,
        &mut checks,
    )?;
    let hash = step_12_hash_client_data(&response.client_data_json);
    let (object, auth_data, non_canonical) =
        checks.require(step_13_decode_attestation_object(&response.attestation_object, policy))?;
    checks.apply(step_13_canonical_cbor(non_canonical))?;
    checks.apply(step_14_rp_id_hash(&auth_data, policy, &response.client_data_json))?;
    checks.apply(step_15_user_present(&auth_data, expectations))?;
    checks.apply(step_16_user_verified(&auth_data, expectations))?;
    checks.apply(step_17_backup_state_needs_eligibility(&auth_data))?;
    checks.apply(step_18_backup_eligibility_policy(&auth_data, policy))?;
    checks.apply(step_19_backup_state_policy(&auth_data, policy))?;
    let (attested, cose) = checks.require(step_20_credential_public_key(&auth_data, policy))?;
    checks.apply(step_20_alg_offered(&cose, expectations))?;
    let key = checks.require(step_20_key_usable(&cose, policy))?;
    checks.apply(step_21_attestation_format_supported(&object.fmt, policy))?;
    // Step 22. A format's verification procedure stops at its first failure, and a failed one establishes no
    // attestation type. Where that failure is let pass (a disabled check: harness self-tests only), the
    // statement is taken as self attestation, so the procedure's later checks are not run.
    let statement = attestation::verify_statement(&Statement {
        fmt: &object.fmt,
        att_stmt: &object.att_stmt,
        auth_data_raw: &object.auth_data,
        auth_data: &auth_data,
        credential_key: &key,
        credential_cose: &cose,
        client_data_hash: &hash,
        now,
        packed_x5c_alg_is_credential_alg: policy.attestation.packed_x5c_alg_is_credential_alg,
        android_key_tee_only: policy.attestation.android_key_tee_only,
        safetynet_require_cts_profile_match: policy.attestation.safetynet_require_cts_profile_match,
        safetynet_max_age_ms: policy.attestation.safetynet_max_age_ms,
    });
    let attestation = checks.apply_or(statement, || AttestationType::SelfAttestation)?;
    checks.apply(step_24_assess_trust(&object.fmt, &attestation, attested.aaguid, policy, now))?; // steps 23-24
    checks.apply(step_25_credential_id_length(attested))?;
    checks.apply(step_26_credential_id_unused(attested, store))?;
    checks.apply(step_27_credential_id_is_raw_id(response, attested))?;
    let record = step_27_credential_record(response, &auth_data, attested, key);
    // Step 28: extension outputs are the RP's to process; unsolicited or missing ones never fail here.
    // Step 29: storing the record is the caller's.
    Ok(RegistrationOutcome {
        record,
        attestation,
        fmt: object.fmt.clone(),
        aaguid: attested.aaguid,
        warnings: checks.into_warnings(),
    })
}

/// Step 3: "If response is not an instance of AuthenticatorAttestationResponse, abort the ceremony."
/// Also §5.1: `type` is "public-key" and `id` is the base64url encoding of `rawId`.
fn step_3_response_is_attestation_response(r: &RegistrationResponse) -> Result<(), Rejection> {
    if r.type_ != "public-key" {
        return Err(Rejection::new(
            CheckId::RegResponseMalformed,
            format!("type is {:?}, not \"public-key\"", r.type_),
        ));
    }
    if r.id != base64url::encode(&r.raw_id) {
        return Err(Rejection::new(
            CheckId::RegResponseMalformed,
            "id is not the base64url encoding of rawId",
        ));
    }
    Ok(())
}

/// Step 12: "Let hash be the result of computing a hash over response.clientDataJSON using SHA-256."
fn step_12_hash_client_data(client_data_json: &[u8]) -> [u8; 32] {
    sha256(client_data_json)
}

/// Step 13: "Perform CBOR decoding on the attestationObject field ... to obtain the attestation statement
/// format fmt, the authenticator data authData, and the attestation statement attStmt."
/// §2.4: all CBOR must be CTAP2 canonical; decoders SHOULD reject non-canonical CBOR.
fn step_13_decode_attestation_object(
    bytes: &[u8],
    policy: &Policy,
) -> Result<(AttestationObject, AuthenticatorData, Option<NonCanonical>), Rejection> {
    let limits = policy.cbor_limits();
    let parsed = AttestationObject::parse_with_limits(bytes, &limits)
        .map_err(|e| Rejection::new(CheckId::RegAttestationObjectMalformed, e.to_string()))?;
    if let Some((k, _)) = parsed.object.extra.first() {
        return Err(Rejection::new(
            CheckId::RegAttestationObjectMalformed,
            format!("unexpected member {k:?} besides fmt, attStmt and authData"),
        ));
    }
    let auth = AuthenticatorData::parse_with_limits(&parsed.object.auth_data, &limits)
        .map_err(|e| Rejection::new(CheckId::RegAuthDataMalformed, e.to_string()))?;
    let first_non_canonical = parsed.non_canonical.first().or(auth.non_canonical.first()).copied();
    Ok((parsed.object, auth.data, first_non_canonical))
}

/// Step 13, §2.4: "decoders SHOULD reject CBOR that is not CTAP2 canonical" (here, the first departure from
/// it in the attestation object or, after it, in authData).
fn step_13_canonical_cbor(first: Option<NonCanonical>) -> Result<(), Rejection> {
    match first {
        Some(nc) => {
            Err(Rejection::new(CheckId::RegNonCanonicalCbor, format!("{:?} at byte {}", nc.kind, nc.offset)))
        }
        None => Ok(()),
    }
}

/// Step 14: "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the Relying Party."
fn step_14_rp_id_hash(
    auth: &AuthenticatorData,
    policy: &Policy,
    client_data_json: &[u8],
) -> Result<(), Rejection> {
    if auth.rp_id_hash != policy.expected_rp_id_hash(client_data_json) {
        return Err(Rejection::new(
            CheckId::RegRpIdHash,
            format!("rpIdHash is not SHA-256({:?})", policy.rp_id),
        ));
    }
    Ok(())
}

/// Step 15: "If options.mediation is not set to conditional, verify that the UP bit of the flags in authData is set."
fn step_15_user_present(auth: &AuthenticatorData, e: &RegistrationExpectations) -> Result<(), Rejection> {
    if !e.conditional_mediation && !auth.flags.up() {
        return Err(Rejection::new(CheckId::RegUserPresent, "the UP flag is not set"));
    }
    Ok(())
}

/// Step 16: "If the Relying Party requires user verification for this registration, verify that the UV bit
/// of the flags in authData is set."
fn step_16_user_verified(auth: &AuthenticatorData, e: &RegistrationExpectations) -> Result<(), Rejection> {
    if e.user_verification_required && !auth.flags.uv() {
        return Err(Rejection::new(
            CheckId::RegUserVerified,
            "user verification is required but the UV flag is not set",
        ));
    }
    Ok(())
}

/// Step 17: "If the BE bit of the flags in authData is not set, verify that the BS bit is not set."
fn step_17_backup_state_needs_eligibility(auth: &AuthenticatorData) -> Result<(), Rejection> {
    backup_state_needs_eligibility(auth.flags, CheckId::RegBackupStateWithoutEligibility)
}

pub(crate) fn backup_state_needs_eligibility(flags: Flags, check: CheckId) -> Result<(), Rejection> {
    if !flags.be() && flags.bs() {
        return Err(Rejection::new(check, "BS is set but BE is not"));
    }
    Ok(())
}

/// Step 18: "If the Relying Party uses the credential's backup eligibility to inform its user experience
/// flows and/or policies, evaluate the BE bit of the flags in authData."
fn step_18_backup_eligibility_policy(auth: &AuthenticatorData, policy: &Policy) -> Result<(), Rejection> {
    if auth.flags.be() && !policy.backup.allow_backup_eligible {
        return Err(Rejection::new(
            CheckId::RegBackupEligibilityPolicy,
            "backup-eligible credentials are not accepted",
        ));
    }
    Ok(())
}

/// Step 19: "If the Relying Party uses the credential's backup state to inform its user experience flows
/// and/or policies, evaluate the BS bit of the flags in authData."
fn step_19_backup_state_policy(auth: &AuthenticatorData, policy: &Policy) -> Result<(), Rejection> {
    if auth.flags.bs() && !policy.backup.allow_backed_up {
        return Err(Rejection::new(CheckId::RegBackupStatePolicy, "backed-up credentials are not accepted"));
    }
    Ok(())
}

/// Step 20: "Verify that the "alg" parameter in the credential public key in authData matches the alg
/// attribute of one of the items in pkOptions.pubKeyCredParams."
///
/// Before the comparison, the key must be there (§6.1: AT set and attested credential data present) and be
/// a well-formed COSE_Key with `alg` (§6.5.1.1), which this function reads; [`step_20_alg_offered`] compares;
/// after it, the key must be usable with that alg ([`step_20_key_usable`]).
fn step_20_credential_public_key<'a>(
    auth: &'a AuthenticatorData,
    policy: &Policy,
) -> Result<(&'a AttestedCredentialData, CoseKey), Rejection> {
    let attested = match (&auth.attested_credential_data, auth.flags.at()) {
        (Some(a), true) => a,
        (_, false) => {
            return Err(Rejection::new(CheckId::RegAttestedCredentialDataMissing, "the AT flag is not set"))
        }
        (None, true) => {
            return Err(Rejection::new(
                CheckId::RegAttestedCredentialDataMissing,
                "no attested credential data",
            ))
        }
    };
    // Its CBOR form was checked with the rest of authData in step 13 (§2.4), so it is not reported again here.
    let parsed = CoseKey::parse_with_limits(&attested.credential_public_key, &policy.cbor_limits())
        .map_err(|err| Rejection::new(CheckId::RegCredentialPublicKeyMalformed, err.to_string()))?;
    Ok((attested, parsed.key))
}

/// Step 20 itself: the key's `alg` is one the RP offered.
fn step_20_alg_offered(key: &CoseKey, e: &RegistrationExpectations) -> Result<(), Rejection> {
    let alg = key.alg();
    if !e.pub_key_cred_params.contains(&alg) {
        return Err(Rejection::new(
            CheckId::RegAlgorithmNotAllowed,
            format!("alg {alg} is not in pubKeyCredParams {:?}", e.pub_key_cred_params),
        ));
    }
    Ok(())
}

/// Step 20, after the comparison: the key is usable with its `alg` (§6.5.1.1).
fn step_20_key_usable(key: &CoseKey, policy: &Policy) -> Result<CredentialKey, Rejection> {
    CredentialKey::from_cose_with(policy.crypto.0, key)
        .map_err(|err| Rejection::new(CheckId::RegCredentialPublicKeyInvalid, err.to_string()))
}

/// Step 21: "Determine the attestation statement format by performing a USASCII case-sensitive match on fmt
/// against the set of supported WebAuthn Attestation Statement Format Identifier values."
fn step_21_attestation_format_supported(fmt: &str, policy: &Policy) -> Result<(), Rejection> {
    let implemented = attestation::IMPLEMENTED_FORMATS.contains(&fmt);
    if !implemented {
        let why = if attestation::REGISTERED_FORMATS.contains(&fmt) {
            "is a registered format this verifier does not implement"
        } else {
            "is not a registered attestation statement format"
        };
        return Err(Rejection::new(CheckId::RegAttestationFormatUnsupported, format!("fmt {fmt:?} {why}")));
    }
    if !policy.attestation.formats.iter().any(|f| f == fmt) {
        return Err(Rejection::new(
            CheckId::RegAttestationFormatUnsupported,
            format!("fmt {fmt:?} is not accepted by policy"),
        ));
    }
    Ok(())
}

/// Steps 23-24: "Assess the attestation trustworthiness ...: If no attestation was provided, verify that None
/// attestation is acceptable under Relying Party policy. If self attestation was used, verify that self
/// attestation is acceptable under Relying Party policy. Otherwise, ... verify that the attestation public
/// key either correctly chains up to an acceptable root certificate, or is itself an acceptable certificate."
/// "If the attestation statement is not deemed trustworthy, the Relying Party SHOULD fail the registration ceremony."
fn step_24_assess_trust(
    fmt: &str,
    att: &AttestationType,
    aaguid: [u8; 16],
    policy: &Policy,
    now: u64,
) -> Result<(), Rejection> {
    match att {
        AttestationType::None if !policy.attestation.accept_none => {
            Err(Rejection::new(CheckId::RegAttestationNotAcceptable, "none attestation is not acceptable"))
        }
        AttestationType::SelfAttestation if !policy.attestation.accept_self => {
            Err(Rejection::new(CheckId::RegAttestationNotAcceptable, "self attestation is not acceptable"))
        }
        AttestationType::None | AttestationType::SelfAttestation => Ok(()),
        AttestationType::Basic { trust_path } => {
            let mut anchors = std::borrow::Cow::Borrowed(policy.attestation.anchors_for(fmt));
            if policy.attestation.trust_self_signed_in_x5c {
                anchors.to_mut().extend(attestation::self_signed_after_leaf(trust_path));
            }
            if let Some(metadata) = &policy.attestation.metadata {
                step_23_metadata_anchors(metadata, aaguid, trust_path, policy, anchors.to_mut())?;
            }
            attestation::path::verify(trust_path, &anchors, now)
                .map_err(|e| Rejection::new(e.failure.check(), e.detail))
        }
        // §8.9 returns "any combination of outputs from successful verification procedures": each
        // sub-statement's result is assessed with its own format's anchors, and all must be trustworthy.
        AttestationType::Compound(subs) => subs.iter().enumerate().try_for_each(|(i, (sub_fmt, sub))| {
            step_24_assess_trust(sub_fmt, sub, aaguid, policy, now).map_err(|r| {
                Rejection::new(r.check, format!("compound attStmt[{i}] (fmt {sub_fmt:?}): {}", r.detail))
            })
        }),
    }
}

/// Step 23 from metadata: "obtain a list of acceptable trust anchors (i.e. attestation root certificates) for
/// that attestation type and attestation statement format fmt, from a trusted source or from policy. For
/// example, the FIDO Metadata Service provides one way to obtain such information, using the aaguid in the
/// attestedCredentialData in authData." The entry of the authenticator (by AAGUID, else by the attestation
/// certificate's key identifier) adds its attestation roots to `anchors`; a status report the policy refuses,
/// or no entry where the policy requires one, fails [`CheckId::RegAttestationMetadataStatus`].
fn step_23_metadata_anchors(
    metadata: &crate::metadata::Metadata,
    aaguid: [u8; 16],
    trust_path: &[Vec<u8>],
    policy: &Policy,
    anchors: &mut Vec<Vec<u8>>,
) -> Result<(), Rejection> {
    let status = &policy.attestation.metadata_status;
    match metadata.find(Some(aaguid), trust_path.first().map(Vec::as_slice)) {
        Some(entry) => {
            if let Some(why) = status.refusal(entry, trust_path) {
                return Err(Rejection::new(CheckId::RegAttestationMetadataStatus, why));
            }
            for root in &entry.attestation_roots {
                if !anchors.contains(root) {
                    anchors.push(root.clone());
                }
            }
            Ok(())
        }
        None if status.require_entry => Err(Rejection::new(
            CheckId::RegAttestationMetadataStatus,
            format!(
                "the metadata has no entry for AAGUID {} or the attestation certificate's key identifier",
                crate::metadata::uuid_text(&aaguid)
            ),
        )),
        None => Ok(()),
    }
}

/// Step 25: "Verify that the credentialId is ≤ 1023 bytes. Credential IDs larger than this many bytes
/// SHOULD cause the RP to fail this registration ceremony."
fn step_25_credential_id_length(a: &AttestedCredentialData) -> Result<(), Rejection> {
    if a.credential_id.len() > 1023 {
        return Err(Rejection::new(
            CheckId::RegCredentialIdTooLong,
            format!("credentialId is {} bytes", a.credential_id.len()),
        ));
    }
    Ok(())
}

/// Step 26: "Verify that the credentialId is not yet registered for any user. If the credentialId is already
/// known then the Relying Party SHOULD fail this registration ceremony."
fn step_26_credential_id_unused(
    a: &AttestedCredentialData,
    store: &dyn CredentialStore,
) -> Result<(), Rejection> {
    if store.is_registered(&a.credential_id) {
        return Err(Rejection::new(
            CheckId::RegCredentialIdAlreadyRegistered,
            "credentialId is already registered",
        ));
    }
    Ok(())
}

/// Step 27: "Let credentialRecord be a new credential record with the following contents: type, id
/// (credential.id or credential.rawId), publicKey (the credential public key in authData), signCount,
/// uvInitialized (UV), transports, backupEligible (BE), backupState (BS)."
/// The record's id is the credentialId the authenticator attested, so it must be the rawId the client sent.
fn step_27_credential_id_is_raw_id(
    r: &RegistrationResponse,
    a: &AttestedCredentialData,
) -> Result<(), Rejection> {
    if r.raw_id != a.credential_id {
        return Err(Rejection::new(
            CheckId::RegCredentialIdMismatch,
            "rawId differs from the attested credentialId",
        ));
    }
    Ok(())
}

/// Step 27, the record itself.
fn step_27_credential_record(
    r: &RegistrationResponse,
    auth: &AuthenticatorData,
    a: &AttestedCredentialData,
    key: CredentialKey,
) -> CredentialRecord {
    CredentialRecord::from_parts(
        a.credential_id.clone(),
        a.credential_public_key.clone(),
        auth.sign_count,
        auth.flags.uv(),
        r.transports.clone(),
        auth.flags.be(),
        auth.flags.bs(),
        key,
    )
}
