//! webauthn_rp 0.3.0 (`RegistrationServerState::verify`, `NonDiscoverableAuthenticationServerState::verify`,
//! `DiscoverableAuthenticationServerState::verify`), set up for one generated ceremony: RP ID `example.org`,
//! `allowed_origins: ["https://example.org"]`, every other verification option the library's default (as the live
//! adapter in targets/webauthn_rp), the ceremony's 16-byte challenge and the description's UV requirement.

use std::borrow::Borrow;
use std::num::NonZeroU32;

use fuzzing::ceremony::{
    Allow, AuthenticationCase, BuiltAuthentication, BuiltRegistration, ORIGIN, RP_ID, USER,
};
use webauthn_rp::bin::{Decode, Encode};
use webauthn_rp::request::auth::{AllowedCredentials, AuthenticationVerificationOptions};
use webauthn_rp::request::register::{
    PublicKeyCredentialUserEntity, RegistrationVerificationOptions, UserHandle, Username,
};
use webauthn_rp::request::{
    AsciiDomain, Credentials, PublicKeyCredentialDescriptor, RpId, UserVerificationRequirement,
};
use webauthn_rp::response::register::{CompressedPubKey, DynamicState, StaticState};
use webauthn_rp::response::{AuthTransports, CredentialId, SentChallenge};
use webauthn_rp::{
    AuthenticatedCredential, DiscoverableAuthentication, DiscoverableAuthenticationServerState,
    DiscoverableCredentialRequestOptions, NonDiscoverableAuthentication,
    NonDiscoverableAuthenticationServerState, NonDiscoverableCredentialRequestOptions,
    PublicKeyCredentialCreationOptions, RegistrationServerState,
};

use crate::{error_kind, PeerVerdict, Setup};

/// The user handle's length: the generator's `user-1`.
const USER_LEN: usize = USER.len();
type Key = CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>;

fn rp_id() -> Result<RpId, String> {
    Ok(RpId::Domain(AsciiDomain::try_from(RP_ID.to_owned()).map_err(|e| e.to_string())?))
}

fn user() -> UserHandle<USER_LEN> {
    let mut bytes = [0u8; USER_LEN];
    bytes.copy_from_slice(USER);
    match UserHandle::<USER_LEN>::decode(bytes) {
        Ok(u) => u,
        Err(never) => match never {},
    }
}

fn uv(required: bool) -> UserVerificationRequirement {
    if required {
        UserVerificationRequirement::Required
    } else {
        UserVerificationRequirement::Preferred
    }
}

/// The longest timeout the options take, so a cached state does not expire during a run.
fn timeout() -> NonZeroU32 {
    NonZeroU32::MAX
}

/// The library draws a random 16-byte challenge and keeps it in a server state that `serializable_server_state`
/// stores as bytes; the stored state is patched to carry the generated ceremony's challenge instead.
fn with_challenge(stored: Vec<u8>, random: SentChallenge, wanted: &[u8]) -> Result<Vec<u8>, String> {
    let wanted: [u8; 16] = wanted.try_into().map_err(|_| "the challenge is not 16 bytes".to_owned())?;
    let from = random.0.to_le_bytes();
    let to = SentChallenge(u128::from_le_bytes(wanted)).0.to_le_bytes();
    let at = stored
        .windows(16)
        .position(|w| w == from)
        .ok_or("the random challenge is not in the stored state")?;
    let mut stored = stored;
    stored[at..at + 16].copy_from_slice(&to);
    Ok(stored)
}

/// webauthn_rp reads the challenge from clientDataJSON as a little-endian u128; checks the patched state
/// carries the ceremony's challenge as the library will compare it.
fn check(loaded: &impl Borrow<SentChallenge>, wanted: &[u8]) -> Result<(), String> {
    let wanted: [u8; 16] = wanted.try_into().map_err(|_| "the challenge is not 16 bytes".to_owned())?;
    if loaded.borrow().0 == u128::from_le_bytes(wanted) {
        Ok(())
    } else {
        Err("the reloaded state does not carry the ceremony's challenge".into())
    }
}

/// The generated JSON has `id` and `type`, but not the Level 3 convenience members the strict parser requires
/// (`publicKey`, `publicKeyAlgorithm`, `authenticatorData`), so registrations are read with the relaxed parser,
/// which also lets `id` and `type` be absent; as the live adapter does, their presence is required first.
fn require_id_and_type(text: &[u8]) -> Result<(), PeerVerdict> {
    let json: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| PeerVerdict::rejected("json", e))?;
    for member in ["id", "type"] {
        if json.get(member).is_none() {
            return Err(PeerVerdict::rejected("app: missing id or type", format!("missing `{member}`")));
        }
    }
    Ok(())
}

pub struct Registration {
    rp_id: RpId,
    /// The `RegistrationServerState` as stored, carrying the ceremony's challenge (verify consumes it).
    state: Vec<u8>,
}

fn start_registration(rp_id: &RpId, required: bool, challenge: &[u8]) -> Result<Vec<u8>, String> {
    let user = user();
    let entity = PublicKeyCredentialUserEntity {
        name: Username::try_from("user").map_err(|e| e.to_string())?,
        id: &user,
        display_name: None,
    };
    let mut options = PublicKeyCredentialCreationOptions::second_factor(rp_id, entity, Vec::new());
    options.authenticator_selection.user_verification = uv(required);
    options.timeout = timeout();
    let (server, _client) = options.start_ceremony().map_err(|e| e.to_string())?;
    let random = *Borrow::<SentChallenge>::borrow(&server);
    let stored = with_challenge(server.encode().map_err(|e| e.to_string())?, random, challenge)?;
    let loaded = RegistrationServerState::<USER_LEN>::decode(stored.as_slice()).map_err(|e| e.to_string())?;
    check(&loaded, challenge)?;
    Ok(stored)
}

pub fn registration(built: &BuiltRegistration) -> Setup<Registration> {
    let rp_id = rp_id()?;
    let state = start_registration(
        &rp_id,
        built.expectations.user_verification_required,
        &built.expectations.challenge,
    )?;
    Ok(Registration { rp_id, state })
}

/// What an application stores of a registered credential.
struct Stored {
    id: CredentialId<Vec<u8>>,
    transports: AuthTransports,
    static_state: Vec<u8>,
    dynamic_state: DynamicState,
}

fn registered(rp_id: &RpId, stored: &[u8], text: &[u8]) -> Result<Stored, PeerVerdict> {
    require_id_and_type(text)?;
    let response =
        webauthn_rp::Registration::from_json_relaxed(text).map_err(|e| PeerVerdict::rejected("json", e))?;
    let state = RegistrationServerState::<USER_LEN>::decode(stored)
        .map_err(|e| PeerVerdict::rejected("harness: state", e))?;
    let options = RegistrationVerificationOptions::<&str, &str> {
        allowed_origins: &[ORIGIN],
        ..RegistrationVerificationOptions::default()
    };
    let credential = state
        .verify(rp_id, &response, &options)
        .map_err(|e| PeerVerdict::rejected(error_kind(&format!("{e:?}")), e))?;
    let static_state = match credential.static_state().encode() {
        Ok(bytes) => bytes,
        Err(never) => match never {},
    };
    Ok(Stored {
        id: credential.id().into(),
        transports: credential.transports(),
        static_state,
        dynamic_state: credential.dynamic_state(),
    })
}

pub fn register(r: &Registration, text: &[u8]) -> PeerVerdict {
    match registered(&r.rp_id, &r.state, text) {
        Ok(_) => PeerVerdict::Accepted,
        Err(v) => v,
    }
}

pub struct Authentication {
    rp_id: RpId,
    id: CredentialId<Vec<u8>>,
    static_state: Vec<u8>,
    dynamic_state: DynamicState,
    /// The server state as stored, with the ceremony's challenge; discoverable or not.
    state: Vec<u8>,
    discoverable: bool,
}

/// Registers the description's credential through the library (a `none` registration with the authenticator's
/// flags), sets the stored counter, and starts the assertion: a non-discoverable one (allowCredentials the
/// credential, or another one) for a user identified first; a discoverable one for allowCredentials empty.
/// A description listing credentials for a user not identified cannot be expressed (the library's
/// non-discoverable state takes the user's credential: the user is known).
pub fn authentication(case: &AuthenticationCase, built: &BuiltAuthentication) -> Setup<Authentication> {
    if case.allow != Allow::Empty && !case.identified {
        return Err(crate::UNSUPPORTED_ALLOW_UNIDENTIFIED.into());
    }
    let rp_id = rp_id()?;
    let reg = crate::none_registration(case, built);
    let reg_state = start_registration(&rp_id, false, &reg.challenge)?;
    let Stored { id, transports, static_state, mut dynamic_state } =
        registered(&rp_id, &reg_state, &reg.json)
            .map_err(|v| format!("{}: {v}", crate::UNSUPPORTED_REGISTER))?;
    dynamic_state.sign_count = case.stored_sign_count;
    let required = built.expectations.user_verification_required;
    let challenge = &built.expectations.challenge;
    let discoverable = case.allow == Allow::Empty;
    let state = if discoverable {
        let mut options = DiscoverableCredentialRequestOptions::passkey(&rp_id);
        options.0.user_verification = uv(required);
        options.0.timeout = timeout();
        let (server, _client) = options.start_ceremony().map_err(|e| e.to_string())?;
        let random = *Borrow::<SentChallenge>::borrow(&server);
        let stored = with_challenge(server.encode().map_err(|e| e.to_string())?, random, challenge)?;
        check(
            &DiscoverableAuthenticationServerState::decode(stored.as_slice()).map_err(|e| e.to_string())?,
            challenge,
        )?;
        stored
    } else {
        let listed: CredentialId<Vec<u8>> = if case.allow == Allow::Other {
            // Built through the library's serde form (its `TryFrom<Vec<u8>>` needs the `custom` feature).
            serde_json::from_value(serde_json::Value::String(wire::base64url::encode(b"another credential")))
                .map_err(|e| e.to_string())?
        } else {
            id.clone()
        };
        let mut allowed = AllowedCredentials::with_capacity(1);
        allowed.push(PublicKeyCredentialDescriptor { id: listed, transports }.into());
        let mut options = NonDiscoverableCredentialRequestOptions::second_factor(&rp_id, allowed)
            .map_err(|e| e.to_string())?;
        options.options().user_verification = uv(required);
        options.options().timeout = timeout();
        let (server, _client) = options.start_ceremony().map_err(|e| e.to_string())?;
        let random = *Borrow::<SentChallenge>::borrow(&server);
        let stored = with_challenge(server.encode().map_err(|e| e.to_string())?, random, challenge)?;
        check(
            &NonDiscoverableAuthenticationServerState::decode(stored.as_slice())
                .map_err(|e| e.to_string())?,
            challenge,
        )?;
        stored
    };
    Ok(Authentication { rp_id, id, static_state, dynamic_state, state, discoverable })
}

pub fn authenticate(a: &Authentication, text: &[u8]) -> PeerVerdict {
    let user = user();
    let static_state = match StaticState::<Key>::decode(a.static_state.as_slice()) {
        Ok(s) => s,
        Err(e) => return PeerVerdict::rejected("harness: stored key", e),
    };
    let mut credential =
        match AuthenticatedCredential::new((&a.id).into(), &user, static_state, a.dynamic_state) {
            Ok(c) => c,
            Err(e) => return PeerVerdict::rejected("harness: credential", e),
        };
    let options = AuthenticationVerificationOptions::<&str, &str> {
        allowed_origins: &[ORIGIN],
        ..AuthenticationVerificationOptions::default()
    };
    let result = if a.discoverable {
        let response: DiscoverableAuthentication<USER_LEN> = match serde_json::from_slice(text) {
            Ok(r) => r,
            Err(e) => return PeerVerdict::rejected("json", e),
        };
        match DiscoverableAuthenticationServerState::decode(a.state.as_slice()) {
            Ok(state) => state.verify(&a.rp_id, &response, &mut credential, &options),
            Err(e) => return PeerVerdict::rejected("harness: state", e),
        }
    } else {
        let response: NonDiscoverableAuthentication<USER_LEN> = match serde_json::from_slice(text) {
            Ok(r) => r,
            Err(e) => return PeerVerdict::rejected("json", e),
        };
        match NonDiscoverableAuthenticationServerState::decode(a.state.as_slice()) {
            Ok(state) => state.verify(&a.rp_id, &response, &mut credential, &options),
            Err(e) => return PeerVerdict::rejected("harness: state", e),
        }
    };
    match result {
        Ok(_) => PeerVerdict::Accepted,
        Err(e) => PeerVerdict::rejected(error_kind(&format!("{e:?}")), e),
    }
}
