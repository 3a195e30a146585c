//! webauthn_rp on the FIDO2 server conformance API.
//!
//! Usage: webauthn-rp-adapter PORT   (listens on 127.0.0.1:PORT, origin http://localhost:PORT)

use std::collections::HashMap;
use std::fmt::Display;
use std::io::Read;

use serde_json::{Map, Value, json};
use tiny_http::{Header, Method, Request, Response, Server};
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

const SESSION_COOKIE: &str = "session";
const MAX_BODY: u64 = 1 << 20;

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
    sessions: HashMap<String, Session>,
}

type Reply = (u16, Value);

fn failed(message: impl Display) -> Reply {
    (400, json!({"status": "failed", "errorMessage": message.to_string()}))
}

fn ok_with(mut body: Map<String, Value>) -> Reply {
    body.insert("status".into(), json!("ok"));
    body.insert("errorMessage".into(), json!(""));
    (200, Value::Object(body))
}

/// Removes " at 41"-style offsets (e.g. data-encoding's "invalid symbol at 41"), which depend on the value.
fn strip_offsets(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(" at ") {
        let after = &rest[at + 4..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && !after[digits..].starts_with(char::is_alphanumeric) {
            out.push_str(&rest[..at]);
        } else {
            out.push_str(&rest[..at + 4 + digits]);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A JSON error without its position and without an echoed value (both depend on the random challenge, and
/// the messages must be the same from run to run).
fn json_error(what: &str, e: impl Display) -> String {
    let text = e.to_string();
    let text = match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    let mut text = strip_offsets(&text);
    if let Some(start) = text.find("string \"") {
        if let Some(len) = text[start + 8..].find('"') {
            text.replace_range(start + 6..start + 8 + len + 1, "");
        }
    }
    format!("malformed {what}: {text}")
}

fn uv_requirement(value: Option<&Value>) -> Result<UserVerificationRequirement, Reply> {
    match value.and_then(Value::as_str) {
        None | Some("preferred") => Ok(UserVerificationRequirement::Preferred),
        Some("required") => Ok(UserVerificationRequirement::Required),
        Some("discouraged") => Ok(UserVerificationRequirement::Discouraged),
        Some(_) => Err(failed("unknown userVerification value")),
    }
}

fn username_of(request: &Value) -> Result<String, Reply> {
    match request.get("username").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(failed("username is missing or not a non-empty string")),
    }
}

fn as_object(value: Value) -> Result<Map<String, Value>, Reply> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(failed("options did not serialise to an object")),
    }
}

impl Adapter {
    fn attestation_options(&mut self, session: &mut Session, request: &Value) -> Result<Reply, Reply> {
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

    fn attestation_result(&mut self, session: &mut Session, body: &[u8]) -> Result<Reply, Reply> {
        // The state is used once: taken out of the session whatever the outcome.
        let (username, state) =
            session.registration.take().ok_or_else(|| failed("no registration in progress in this session"))?;
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

    fn assertion_options(&mut self, session: &mut Session, request: &Value) -> Result<Reply, Reply> {
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

    fn assertion_result(&mut self, session: &mut Session, body: &[u8]) -> Result<Reply, Reply> {
        let state =
            session.authentication.take().ok_or_else(|| failed("no authentication in progress in this session"))?;
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

fn session_cookie(request: &Request) -> Option<String> {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Cookie"))
        .flat_map(|h| h.value.as_str().split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("/dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn handle(adapter: &mut Adapter, request: &mut Request) -> (Reply, Option<String>) {
    let path = request.url().split('?').next().unwrap_or("").to_string();
    if *request.method() != Method::Post {
        return ((405, json!({"status": "failed", "errorMessage": "use POST"})), None);
    }
    let mut body = Vec::new();
    if let Err(e) = request.as_reader().take(MAX_BODY).read_to_end(&mut body) {
        return (failed(format_args!("could not read the request body: {e}")), None);
    }
    let mut new_cookie = None;
    let sid = match session_cookie(request) {
        Some(sid) if adapter.sessions.contains_key(&sid) => sid,
        _ if path.ends_with("/options") => {
            let sid = new_session_id();
            new_cookie = Some(sid.clone());
            sid
        }
        _ => return (failed("no session"), None),
    };
    let mut session = adapter.sessions.remove(&sid).unwrap_or_default();
    let result = match path.as_str() {
        "/attestation/options" | "/assertion/options" => match serde_json::from_slice::<Value>(&body) {
            Ok(req) if req.is_object() => {
                if path == "/attestation/options" {
                    adapter.attestation_options(&mut session, &req)
                } else {
                    adapter.assertion_options(&mut session, &req)
                }
            }
            Ok(_) => Err(failed("request is not a JSON object")),
            Err(e) => Err(failed(json_error("request", e))),
        },
        "/attestation/result" => adapter.attestation_result(&mut session, &body),
        "/assertion/result" => adapter.assertion_result(&mut session, &body),
        _ => Err((404, json!({"status": "failed", "errorMessage": "not found"}))),
    };
    adapter.sessions.insert(sid, session);
    (result.unwrap_or_else(|reply| reply), new_cookie)
}

fn main() {
    let port: u16 = match std::env::args().nth(1).map(|p| p.parse()) {
        Some(Ok(port)) => port,
        _ => {
            eprintln!("usage: webauthn-rp-adapter PORT");
            std::process::exit(2);
        }
    };
    let rp_id = RpId::Domain(AsciiDomain::try_from("localhost".to_owned()).expect("RP ID"));
    let origin = format!("http://localhost:{port}");
    let mut adapter = Adapter {
        rp_id,
        origin,
        accounts: HashMap::new(),
        owners: HashMap::new(),
        sessions: HashMap::new(),
    };
    let server = Server::http(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    println!("webauthn_rp adapter listening on http://127.0.0.1:{port} (origin {})", adapter.origin);
    for mut request in server.incoming_requests() {
        let ((status, body), cookie) = handle(&mut adapter, &mut request);
        eprintln!("{} {} -> {}", request.method(), request.url(), status);
        let mut response = Response::from_data(body.to_string())
            .with_status_code(status)
            .with_header(Header::from_bytes("Content-Type", "application/json").expect("header"));
        if let Some(sid) = cookie {
            let value = format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Strict");
            response = response.with_header(Header::from_bytes("Set-Cookie", value).expect("header"));
        }
        let _ = request.respond(response);
    }
}
