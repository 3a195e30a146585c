//! webauthn-rs-core 0.5.5 (`WebauthnCore::register_credential`, `WebauthnCore::authenticate_credential`), set up
//! for one generated ceremony: RP ID `example.org`, allowed origin `https://example.org` (no subdomains, no other
//! port), the ceremony's challenge, and the description's user-verification requirement.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use fuzzing::ceremony::{
    Allow, AuthenticationCase, BuiltAuthentication, BuiltRegistration, ORIGIN, RP_ID, USER,
};
use serde::{de::DeserializeOwned, Serialize};
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AuthenticationState, COSEAlgorithm, Credential, PublicKeyCredential,
    RegisterPublicKeyCredential, RegistrationState, UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;

use crate::{error_kind, PeerVerdict, Setup};

fn core() -> WebauthnCore {
    let origin = url::Url::parse(ORIGIN).expect("the origin is a URL");
    WebauthnCore::new_unsafe_experts_only(
        "peerdiff",
        RP_ID,
        vec![origin],
        Duration::from_secs(300),
        None,
        None,
    )
}

/// The library draws a random challenge for each ceremony; its state is serde data meant to be persisted between
/// the two halves of a ceremony. It is stored and reloaded here with the generated ceremony's challenge.
fn with_challenge<T: Serialize + DeserializeOwned>(state: T, challenge: &[u8]) -> Result<T, String> {
    let mut stored = serde_json::to_value(state).map_err(|e| e.to_string())?;
    let slot = stored.get_mut("challenge").ok_or("the state has no challenge member")?;
    *slot = serde_json::Value::String(URL_SAFE_NO_PAD.encode(challenge));
    serde_json::from_value(stored).map_err(|e| e.to_string())
}

/// "Required" when the RP requires UV; otherwise the library's default, "preferred".
fn uv_policy(required: bool) -> UserVerificationPolicy {
    if required {
        UserVerificationPolicy::Required
    } else {
        UserVerificationPolicy::Preferred
    }
}

/// Every algorithm the reference offers (`pubKeyCredParams`: -7, -35, -257, -8).
fn algorithms() -> Vec<COSEAlgorithm> {
    vec![COSEAlgorithm::ES256, COSEAlgorithm::ES384, COSEAlgorithm::RS256, COSEAlgorithm::EDDSA]
}

pub struct Registration {
    core: WebauthnCore,
    state: RegistrationState,
}

/// The registration state for the ceremony. No attestation CA list is given: with one, the library refuses
/// `none` and self attestation (`AttestationNotVerifiable`), and without one it does not assess trust (the
/// reference's §7.1 step 24 is a SHOULD; such disagreements are policy).
pub fn registration(built: &BuiltRegistration) -> Setup<Registration> {
    let core = core();
    let required = built.expectations.user_verification_required;
    let builder = core
        .new_challenge_register_builder(USER, "user", "User")
        .map_err(|e| format!("register builder: {e}"))?
        .attestation(AttestationConveyancePreference::Direct)
        .user_verification_policy(uv_policy(required))
        .credential_algorithms(algorithms());
    let (_options, state) =
        core.generate_challenge_register(builder).map_err(|e| format!("register challenge: {e}"))?;
    let state = with_challenge(state, &built.expectations.challenge)?;
    Ok(Registration { core, state })
}

pub fn register(r: &Registration, text: &[u8]) -> PeerVerdict {
    let response: RegisterPublicKeyCredential = match serde_json::from_slice(text) {
        Ok(r) => r,
        Err(e) => return PeerVerdict::rejected("json", e),
    };
    match r.core.register_credential(&response, &r.state, None) {
        Ok(_) => PeerVerdict::Accepted,
        Err(e) => PeerVerdict::rejected(error_kind(&format!("{e:?}")), e),
    }
}

pub struct Authentication {
    core: WebauthnCore,
    state: AuthenticationState,
    /// allowCredentials was empty and the user not identified: the application takes the user from
    /// `response.userHandle` (§7.2 step 6) before it hands the user's credentials to the library.
    discoverable: bool,
}

/// Registers the description's credential through the library (a `none` registration made by the generator with
/// the authenticator's flags), sets its counter to the stored one, and starts the assertion with it.
///
/// The library always sends allowCredentials from the credentials it is given: the user is known first. A
/// discoverable ceremony (allowCredentials empty) is run as the application would: with the user identified
/// beforehand, their credentials; otherwise the user named by `userHandle`. A description listing credentials
/// for a user not identified cannot be expressed.
pub fn authentication(case: &AuthenticationCase, built: &BuiltAuthentication) -> Setup<Authentication> {
    if case.allow != Allow::Empty && !case.identified {
        return Err(crate::UNSUPPORTED_ALLOW_UNIDENTIFIED.into());
    }
    let core = core();
    let registration = crate::none_registration(case, built);
    let builder = core
        .new_challenge_register_builder(USER, "user", "User")
        .map_err(|e| format!("register builder: {e}"))?
        .credential_algorithms(algorithms());
    let (_options, state) =
        core.generate_challenge_register(builder).map_err(|e| format!("register challenge: {e}"))?;
    let state = with_challenge(state, &registration.challenge)?;
    let response: RegisterPublicKeyCredential =
        serde_json::from_slice(&registration.json).map_err(|e| format!("registration JSON: {e}"))?;
    let mut credential: Credential = core
        .register_credential(&response, &state, None)
        .map_err(|e| format!("{}: {e}", crate::UNSUPPORTED_REGISTER))?;
    credential.counter = case.stored_sign_count;
    if case.allow == Allow::Other {
        credential.cred_id = b"another credential".to_vec().into();
    }
    let required = built.expectations.user_verification_required;
    let builder = core
        .new_challenge_authenticate_builder(vec![credential], Some(uv_policy(required)))
        .map_err(|e| format!("authenticate builder: {e}"))?;
    let (_options, state) =
        core.generate_challenge_authenticate(builder).map_err(|e| format!("authenticate challenge: {e}"))?;
    let state = with_challenge(state, &built.expectations.challenge)?;
    Ok(Authentication { core, state, discoverable: case.allow == Allow::Empty && !case.identified })
}

pub fn authenticate(a: &Authentication, text: &[u8]) -> PeerVerdict {
    let response: PublicKeyCredential = match serde_json::from_slice(text) {
        Ok(r) => r,
        Err(e) => return PeerVerdict::rejected("json", e),
    };
    if a.discoverable {
        // The application's part (as webauthn-rs's discoverable flow): the user comes from userHandle.
        let handle = response.response.user_handle.as_ref().map(|h| h.as_ref().to_vec());
        if handle.as_deref() != Some(USER) {
            return PeerVerdict::rejected("app: no user for userHandle", "userHandle absent or unknown");
        }
    }
    match a.core.authenticate_credential(&response, &a.state) {
        Ok(_) => PeerVerdict::Accepted,
        Err(e) => PeerVerdict::rejected(error_kind(&format!("{e:?}")), e),
    }
}
