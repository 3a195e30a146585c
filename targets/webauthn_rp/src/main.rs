//! webauthn_rp on the FIDO2 server conformance API.
//!
//! Usage: webauthn-rp-adapter PORT   (listens on 127.0.0.1:PORT, origin http://localhost:PORT)

use std::collections::HashMap;

use conformance_server::{Outcome, Reply, failed, json_error, ok_with, username_of};
use serde_json::{Map, Value};
use webauthn_rp::{
    AuthenticatedCredential, NonDiscoverableAuthentication64,
    NonDiscoverableAuthenticationServerState, NonDiscoverableCredentialRequestOptions,
    PublicKeyCredentialCreationOptions, Registration, RegistrationServerState,
    bin::{Decode, Encode},
    request::{
        AsciiDomain, Credentials, PublicKeyCredentialDescriptor, RpId, UserVerificationRequirement,
        auth::{AllowedCredentials, AuthenticationVerificationOptions},
        register::{
            Nickname, PublicKeyCredentialUserEntity, RegistrationVerificationOptions,
            ResidentKeyRequirement, USER_HANDLE_MAX_LEN, UserHandle64, Username,
        },
    },
    response::{
        AuthTransports, CredentialId,
        register::{CompressedPubKey, DynamicState, StaticState},
    },
};

/// The stored form of a credential, as the docs suggest: the id, the transports, `StaticState` encoded with
/// `bin::Encode`, and the `DynamicState` that authentication ceremonies update.
struct StoredCredential {
    id: CredentialId<Vec<u8>>,
    transports: AuthTransports,
    static_state: Vec<u8>,
    dynamic_state: DynamicState,
}

struct Account {
    user_id: UserHandle64,
    credentials: Vec<StoredCredential>,
}

/// Ceremony state, kept server-side and keyed by the session cookie.
#[derive(Default)]
struct Session {
    registration: Option<(String, RegistrationServerState<USER_HANDLE_MAX_LEN>)>,
    authentication: Option<NonDiscoverableAuthenticationServerState>,
}

struct Adapter {
    rp_id: RpId,
    origin: String,
    accounts: HashMap<String, Account>,
    /// Credential id → the account that owns it (the "look the credential up by rawId" index).
    owners: HashMap<Vec<u8>, String>,
}

fn uv_requirement(value: Option<&Value>) -> Result<UserVerificationRequirement, Reply> {
    match value.and_then(Value::as_str) {
        None | Some("preferred") => Ok(UserVerificationRequirement::Preferred),
        Some("required") => Ok(UserVerificationRequirement::Required),
        Some("discouraged") => Ok(UserVerificationRequirement::Discouraged),
        Some(_) => Err(failed("unknown userVerification value")),
    }
}

fn as_object(value: Value) -> Result<Map<String, Value>, Reply> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(failed("options did not serialise to an object")),
    }
}

impl conformance_server::Adapter for Adapter {
    type Session = Session;

    fn attestation_options(&mut self, session: &mut Session, request: &Value) -> Outcome {
        let username = username_of(request)?;
        let display_name = request.get("displayName").and_then(Value::as_str).unwrap_or(&username).to_string();
        let selection = request.get("authenticatorSelection");
        let uv = uv_requirement(selection.and_then(|s| s.get("userVerification")))?;
        let resident_key = match selection.and_then(|s| s.get("residentKey")).and_then(Value::as_str) {
            Some("required") => ResidentKeyRequirement::Required,
            Some("preferred") => ResidentKeyRequirement::Preferred,
            Some(_) => ResidentKeyRequirement::Discouraged,
            None => match selection.and_then(|s| s.get("requireResidentKey")).and_then(Value::as_bool) {
                Some(true) => ResidentKeyRequirement::Required,
                _ => ResidentKeyRequirement::Discouraged,
            },
        };
        let name = Username::try_from(username.as_str()).map_err(|e| failed(format_args!("username: {e}")))?;
        let nickname = Nickname::try_from(display_name.as_str()).ok();
        let account = self
            .accounts
            .entry(username.clone())
            .or_insert_with(|| Account { user_id: UserHandle64::new(), credentials: Vec::new() });
        let exclude: Vec<PublicKeyCredentialDescriptor<Vec<u8>>> = account
            .credentials
            .iter()
            .map(|c| PublicKeyCredentialDescriptor { id: c.id.clone(), transports: c.transports })
            .collect();
        let user = PublicKeyCredentialUserEntity { name, id: &account.user_id, display_name: nickname };
        // The library's two presets: `passkey` (UV required, credProtect) and `second_factor` (UV not required);
        // then the requested UV and resident-key requirements.
        let mut options = if matches!(uv, UserVerificationRequirement::Required) {
            PublicKeyCredentialCreationOptions::passkey(&self.rp_id, user, exclude)
        } else {
            PublicKeyCredentialCreationOptions::second_factor(&self.rp_id, user, exclude)
        };
        options.authenticator_selection.user_verification = uv;
        options.authenticator_selection.resident_key = resident_key;
        let (server, client) = options.start_ceremony().map_err(failed)?;
        let body = serde_json::to_value(&client).map_err(failed)?;
        session.registration = Some((username, server));
        Ok(ok_with(as_object(body)?))
    }

    fn attestation_result(&mut self, session: &mut Session, body: &[u8]) -> Outcome {
        // The state is used once: taken out of the session whatever the outcome.
        let (username, state) =
            session.registration.take().ok_or_else(|| failed("no registration in progress in this session"))?;
        require_id_and_type(body)?;
        let registration = Registration::from_json_relaxed(body).map_err(|e| failed(json_error("credential", e)))?;
        let origins = [self.origin.as_str()];
        let options = RegistrationVerificationOptions::<&str, &str> {
            allowed_origins: &origins,
            ..RegistrationVerificationOptions::default()
        };
        let credential = state.verify(&self.rp_id, &registration, &options).map_err(failed)?;
        let id: CredentialId<Vec<u8>> = credential.id().into();
        if self.owners.contains_key(id.as_ref()) {
            return Err(failed("credential id is already registered"));
        }
        let static_state = match credential.static_state().encode() {
            Ok(bytes) => bytes,
            Err(e) => match e {},
        };
        let account = self.accounts.get_mut(&username).ok_or_else(|| failed("unknown user"))?;
        self.owners.insert(id.as_ref().to_vec(), username);
        account.credentials.push(StoredCredential {
            id,
            transports: credential.transports(),
            static_state,
            dynamic_state: credential.dynamic_state(),
        });
        Ok(ok_with(Map::new()))
    }

    fn assertion_options(&mut self, session: &mut Session, request: &Value) -> Outcome {
        let username = username_of(request)?;
        let uv = uv_requirement(request.get("userVerification"))?;
        let account = match self.accounts.get(&username) {
            Some(a) if !a.credentials.is_empty() => a,
            _ => return Err(failed("unknown user or user has no credentials")),
        };
        let mut allowed = AllowedCredentials::with_capacity(account.credentials.len());
        for c in &account.credentials {
            allowed.push(PublicKeyCredentialDescriptor { id: c.id.clone(), transports: c.transports }.into());
        }
        let mut options =
            NonDiscoverableCredentialRequestOptions::second_factor(&self.rp_id, allowed).map_err(failed)?;
        options.options().user_verification = uv;
        let (server, client) = options.start_ceremony().map_err(failed)?;
        let body = serde_json::to_value(&client).map_err(failed)?;
        session.authentication = Some(server);
        Ok(ok_with(as_object(body)?))
    }

    fn assertion_result(&mut self, session: &mut Session, body: &[u8]) -> Outcome {
        let state =
            session.authentication.take().ok_or_else(|| failed("no authentication in progress in this session"))?;
        require_id_and_type(body)?;
        let authentication =
            NonDiscoverableAuthentication64::from_json_relaxed(body).map_err(|e| failed(json_error("credential", e)))?;
        // Look the credential up by rawId, as the docs do; the library then checks it against the ceremony's
        // allowCredentials and the user handle.
        let raw_id = authentication.raw_id();
        let owner = self.owners.get(raw_id.as_ref()).ok_or_else(|| failed("unknown credential"))?.clone();
        let account = self.accounts.get(&owner).ok_or_else(|| failed("unknown credential"))?;
        let index = account
            .credentials
            .iter()
            .position(|c| c.id.as_ref() == raw_id.as_ref())
            .ok_or_else(|| failed("unknown credential"))?;
        let stored = &account.credentials[index];
        let static_state = StaticState::<CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>>::decode(
            stored.static_state.as_slice(),
        )
        .map_err(failed)?;
        let mut credential =
            AuthenticatedCredential::new(raw_id, &account.user_id, static_state, stored.dynamic_state)
                .map_err(failed)?;
        let origins = [self.origin.as_str()];
        let options = AuthenticationVerificationOptions::<&str, &str> {
            allowed_origins: &origins,
            ..AuthenticationVerificationOptions::default()
        };
        let updated = state.verify(&self.rp_id, &authentication, &mut credential, &options).map_err(failed)?;
        let dynamic_state = credential.dynamic_state();
        if updated {
            if let Some(account) = self.accounts.get_mut(&owner) {
                account.credentials[index].dynamic_state = dynamic_state;
            }
        }
        Ok(ok_with(Map::new()))
    }
}

fn main() {
    let port = conformance_server::port_from_args("webauthn-rp-adapter");
    let rp_id = RpId::Domain(AsciiDomain::try_from("localhost".to_owned()).expect("RP ID"));
    let origin = format!("http://localhost:{port}");
    let note = format!("origin {origin}");
    let adapter = Adapter { rp_id, origin, accounts: HashMap::new(), owners: HashMap::new() };
    conformance_server::serve(port, "webauthn_rp", &note, adapter);
}

/// `id` and `type` are required members of a credential's JSON (`RegistrationResponseJSON`,
/// `AuthenticationResponseJSON`). The library's strict deserialisers require them, but also Level 3 members the
/// conformance API's JSON does not carry, so the adapter uses the relaxed ones, which let `id` and `type` be
/// absent: it requires them to be present here, as the strict ones would, and leaves checking their values to the
/// library.
fn require_id_and_type(body: &[u8]) -> Result<(), Reply> {
    let json: Value = serde_json::from_slice(body).map_err(|e| failed(json_error("credential", e)))?;
    for member in ["id", "type"] {
        if json.get(member).is_none() {
            return Err(failed(format!("credential: missing field `{member}`")));
        }
    }
    Ok(())
}
