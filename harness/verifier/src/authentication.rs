//! §7.2 Verifying an Authentication Assertion, step by step.
//!
//! Steps 1-2 and 4 happen in the browser and the RP's own code; step 3 is the conversion into
//! [`AuthenticationResponse`] plus the `id`/`rawId`/`type` check below; steps 5-25 follow in order. Each function
//! quotes the requirement it enforces.

use wire::authdata::{AuthenticatorData, ParsedAuthenticatorData};
use wire::base64url;

use crate::check::{CheckId, Rejection, Warning};
use crate::client_data;
use crate::crypto::{sha256, SignatureError};
use crate::policy::{AuthenticationExpectations, Checks, Policy};
use crate::record::CredentialRecord;
use crate::registration::backup_state_needs_eligibility;
use crate::response::AuthenticationResponse;
use crate::CredentialStore;

/// What a successful authentication yields.
#[derive(Debug, Clone)]
pub struct AuthenticationOutcome {
    /// The credential record with the state updates of step 24 applied; the caller stores it.
    pub record: CredentialRecord,
    /// The user handle of the account that was authenticated.
    pub user_handle: Vec<u8>,
    /// The signature counter did not increase (§7.2 step 22): a signal that the authenticator may be cloned.
    pub clone_warning: bool,
    /// SHOULD/POLICY checks that failed but were let pass by the policy.
    pub warnings: Vec<Warning>,
}

/// Runs §7.2 on one response.
pub fn verify_authentication(
    response: &AuthenticationResponse,
    expectations: &AuthenticationExpectations,
    policy: &Policy,
    store: &dyn CredentialStore,
) -> Result<AuthenticationOutcome, Rejection> {
    let mut checks = Checks::new(policy);
    checks.require(step_3_response_is_assertion_response(response))?;
    checks.apply(step_5_credential_allowed(response, expectations))?;
    let (user_handle, record) = checks.require(step_6_identify_user(response, expectations, store))?;
    checks.apply(step_6_user_handle_is_the_accounts(response, &user_handle))?;
    let parsed = checks.require(step_7_authenticator_data(&response.authenticator_data, policy))?;
    checks.apply(step_7_no_attested_credential_data(&parsed.data))?;
    checks.apply(step_7_canonical_cbor(&parsed))?;
    let auth = parsed.data;
    // Steps 8-14.
    client_data::verify(
        &client_data::AUTHENTICATION,
        &response.client_data_json,
        "webauthn.get",
        &expectations.challenge,
        &mut checks,
    )?;
    checks.apply(step_15_rp_id_hash(&auth, policy, &response.client_data_json))?;
    checks.apply(step_16_user_present(&auth))?;
    checks.apply(step_17_user_verified(&auth, expectations))?;
    checks.apply(backup_state_needs_eligibility(auth.flags, CheckId::AuthBackupStateWithoutEligibility))?; // step 18
    checks.apply(step_19_backup_eligibility_unchanged(&auth, &record))?;
    checks.apply(step_19_backup_state_policy(&auth, policy))?;
    let hash = step_20_hash_client_data(&response.client_data_json);
    checks.apply(step_21_signature(response, &record, &hash))?;
    // A counter that did not increase and was let pass is the clone signal of the outcome.
    let clone_warning = checks.apply_or(step_22_sign_count(&auth, &record).map(|()| false), || true)?;
    // Step 23: extension outputs are the RP's to process; unsolicited or missing ones never fail here.
    let record = step_24_update_record(record, &auth);
    // Step 25: continuing the ceremony is the caller's.
    Ok(AuthenticationOutcome { record, user_handle, clone_warning, warnings: checks.into_warnings() })
}

/// Step 3: "If response is not an instance of AuthenticatorAssertionResponse, abort the ceremony."
/// Also §5.1: `type` is "public-key" and `id` is the base64url encoding of `rawId`.
fn step_3_response_is_assertion_response(r: &AuthenticationResponse) -> Result<(), Rejection> {
    if r.type_ != "public-key" {
        return Err(Rejection::new(
            CheckId::AuthResponseMalformed,
            format!("type is {:?}, not \"public-key\"", r.type_),
        ));
    }
    if r.id != base64url::encode(&r.raw_id) {
        return Err(Rejection::new(
            CheckId::AuthResponseMalformed,
            "id is not the base64url encoding of rawId",
        ));
    }
    Ok(())
}

/// Step 5: "If pkOptions.allowCredentials is not empty, verify that credential.id identifies one of the
/// public key credentials listed in pkOptions.allowCredentials."
fn step_5_credential_allowed(
    r: &AuthenticationResponse,
    e: &AuthenticationExpectations,
) -> Result<(), Rejection> {
    if !e.allow_credentials.is_empty() && !e.allow_credentials.contains(&r.raw_id) {
        return Err(Rejection::new(
            CheckId::AuthCredentialNotAllowed,
            "the credential is not in allowCredentials",
        ));
    }
    Ok(())
}

/// Step 6: "Identify the user being authenticated and let credentialRecord be the credential record for the
/// credential: If the user was identified before the authentication ceremony was initiated, ... verify that the
/// identified user account contains a credential record whose id equals credential.rawId ... If
/// response.userHandle is present, verify that it equals the user handle of the user account. If the user was
/// not identified before the authentication ceremony was initiated, verify that response.userHandle is present.
/// Verify that the user account identified by response.userHandle contains a credential record whose id equals
/// credential.rawId."
///
/// The lookups are required (without the record there is no key to check the signature with); the comparison
/// of a present userHandle with the identified account's is [`step_6_user_handle_is_the_accounts`].
fn step_6_identify_user(
    r: &AuthenticationResponse,
    e: &AuthenticationExpectations,
    store: &dyn CredentialStore,
) -> Result<(Vec<u8>, CredentialRecord), Rejection> {
    match &e.identified_user {
        Some(user) => {
            let record = store.find(user, &r.raw_id).ok_or_else(|| {
                Rejection::new(
                    CheckId::AuthCredentialNotOwned,
                    "the identified account has no such credential",
                )
            })?;
            Ok((user.clone(), record))
        }
        None => {
            let handle = r.user_handle.as_ref().ok_or_else(|| {
                Rejection::new(
                    CheckId::AuthUserHandleMissing,
                    "no userHandle and no user identified beforehand",
                )
            })?;
            let record = store.find(handle, &r.raw_id).ok_or_else(|| {
                Rejection::new(
                    CheckId::AuthCredentialNotOwned,
                    "the account of userHandle has no such credential",
                )
            })?;
            Ok((handle.clone(), record))
        }
    }
}

/// Step 6: "If response.userHandle is present, verify that it equals the user handle of the user account."
/// (Where no user was identified beforehand, the account is the one userHandle names, so this holds.)
fn step_6_user_handle_is_the_accounts(r: &AuthenticationResponse, account: &[u8]) -> Result<(), Rejection> {
    match &r.user_handle {
        Some(handle) if handle != account => {
            Err(Rejection::new(CheckId::AuthUserHandleMismatch, "userHandle is not the identified account's"))
        }
        _ => Ok(()),
    }
}

/// Step 7: "Let cData, authData and sig denote the value of response's clientDataJSON, authenticatorData, and
/// signature respectively." authData is parsed strictly (§6.1): "For assertion signatures, the AT flag MUST NOT
/// be set and the attestedCredentialData MUST NOT be included." §2.4: CBOR (the extensions) SHOULD be canonical.
fn step_7_authenticator_data(bytes: &[u8], policy: &Policy) -> Result<ParsedAuthenticatorData, Rejection> {
    AuthenticatorData::parse_with_limits(bytes, &policy.cbor_limits())
        .map_err(|e| Rejection::new(CheckId::AuthAuthDataMalformed, e.to_string()))
}

/// Step 7, §6.1: the AT flag is clear and there is no attested credential data.
fn step_7_no_attested_credential_data(auth: &AuthenticatorData) -> Result<(), Rejection> {
    if auth.flags.at() || auth.attested_credential_data.is_some() {
        return Err(Rejection::new(
            CheckId::AuthAttestedCredentialDataPresent,
            "the AT flag is set in an assertion",
        ));
    }
    Ok(())
}

/// Step 7, §2.4: the extensions are CTAP2 canonical CBOR (a SHOULD).
fn step_7_canonical_cbor(parsed: &ParsedAuthenticatorData) -> Result<(), Rejection> {
    match parsed.non_canonical.first() {
        Some(nc) => {
            Err(Rejection::new(CheckId::AuthNonCanonicalCbor, format!("{:?} at byte {}", nc.kind, nc.offset)))
        }
        None => Ok(()),
    }
}

/// Step 15: "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the Relying Party."
fn step_15_rp_id_hash(
    auth: &AuthenticatorData,
    policy: &Policy,
    client_data_json: &[u8],
) -> Result<(), Rejection> {
    if auth.rp_id_hash != policy.expected_rp_id_hash(client_data_json) {
        return Err(Rejection::new(
            CheckId::AuthRpIdHash,
            format!("rpIdHash is not SHA-256({:?})", policy.rp_id),
        ));
    }
    Ok(())
}

/// Step 16: "Verify that the UP bit of the flags in authData is set."
fn step_16_user_present(auth: &AuthenticatorData) -> Result<(), Rejection> {
    if !auth.flags.up() {
        return Err(Rejection::new(CheckId::AuthUserPresent, "the UP flag is not set"));
    }
    Ok(())
}

/// Step 17: "If user verification was determined to be required, verify that the UV bit of the flags in
/// authData is set. Otherwise, ignore the value of the UV flag."
fn step_17_user_verified(auth: &AuthenticatorData, e: &AuthenticationExpectations) -> Result<(), Rejection> {
    if e.user_verification_required && !auth.flags.uv() {
        return Err(Rejection::new(
            CheckId::AuthUserVerified,
            "user verification is required but the UV flag is not set",
        ));
    }
    Ok(())
}

/// Step 19: "If the credential backup state is used as part of Relying Party business logic or policy, ...
/// If credentialRecord.backupEligible is set, verify that currentBe is set. If credentialRecord.backupEligible
/// is not set, verify that currentBe is not set. Apply Relying Party policy, if any."
fn step_19_backup_eligibility_unchanged(
    auth: &AuthenticatorData,
    record: &CredentialRecord,
) -> Result<(), Rejection> {
    if auth.flags.be() != record.backup_eligible {
        return Err(Rejection::new(
            CheckId::AuthBackupEligibilityChanged,
            format!(
                "BE is {} but the record says backupEligible {}",
                auth.flags.be(),
                record.backup_eligible
            ),
        ));
    }
    Ok(())
}

/// Step 19, "Apply Relying Party policy, if any": backed-up credentials may be refused.
fn step_19_backup_state_policy(auth: &AuthenticatorData, policy: &Policy) -> Result<(), Rejection> {
    if auth.flags.bs() && !policy.backup.allow_backed_up {
        return Err(Rejection::new(CheckId::AuthBackupStatePolicy, "backed-up credentials are not accepted"));
    }
    Ok(())
}

/// Step 20: "Let hash be the result of computing a hash over the cData using SHA-256."
fn step_20_hash_client_data(c_data: &[u8]) -> [u8; 32] {
    sha256(c_data)
}

/// Step 21: "Using credentialRecord.publicKey, verify that sig is a valid signature over the binary
/// concatenation of authData and hash."
fn step_21_signature(
    r: &AuthenticationResponse,
    record: &CredentialRecord,
    hash: &[u8; 32],
) -> Result<(), Rejection> {
    let mut signed = Vec::with_capacity(r.authenticator_data.len() + 32);
    signed.extend_from_slice(&r.authenticator_data);
    signed.extend_from_slice(hash);
    record.key().verify(&signed, &r.signature).map_err(|e| match e {
        SignatureError::Malformed(why) => Rejection::new(CheckId::AuthSignatureMalformed, why),
        SignatureError::Invalid => {
            Rejection::new(CheckId::AuthSignature, "the signature does not verify with the stored key")
        }
    })
}

/// Step 22: "If authData.signCount is nonzero or credentialRecord.signCount is nonzero, then ... If
/// authData.signCount is greater than credentialRecord.signCount: the signature counter is valid. less than or
/// equal to credentialRecord.signCount: This is a signal, but not proof, that the authenticator may be cloned.
/// ... Whether the Relying Party ... fails the authentication ceremony or not, is Relying Party-specific."
/// The failure is the clone signal; where the policy lets it pass, the outcome says so (`clone_warning`).
fn step_22_sign_count(auth: &AuthenticatorData, record: &CredentialRecord) -> Result<(), Rejection> {
    if (auth.sign_count != 0 || record.sign_count != 0) && auth.sign_count <= record.sign_count {
        return Err(Rejection::new(
            CheckId::AuthSignCount,
            format!("signCount {} is not greater than the stored {}", auth.sign_count, record.sign_count),
        ));
    }
    Ok(())
}

/// Step 24: "Update credentialRecord with new state values: signCount to authData.signCount; backupState to
/// currentBs; if credentialRecord.uvInitialized is false, update it to the value of the UV bit."
fn step_24_update_record(mut record: CredentialRecord, auth: &AuthenticatorData) -> CredentialRecord {
    record.sign_count = auth.sign_count;
    record.backup_state = auth.flags.bs();
    record.uv_initialized |= auth.flags.uv();
    record
}
