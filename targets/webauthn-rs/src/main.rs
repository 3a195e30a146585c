//! webauthn-rs (high-level `Webauthn` passkey API) on the FIDO2 server conformance API.
//!
//! Usage: webauthn-rs-adapter PORT   (listens on 127.0.0.1:PORT, origin http://localhost:PORT)

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde_json::{json, Map, Value};
use tiny_http::{Header, Method, Request, Response, Server};
use webauthn_rs::prelude::*;

const SESSION_COOKIE: &str = "session";
const MAX_BODY: u64 = 1 << 20;

/// What the docs tell an integrator to keep per account: the user's unique id and its passkeys.
struct Account {
    id: Uuid,
    passkeys: Vec<Passkey>,
}

/// Ceremony state, kept server-side and keyed by the session cookie (never sent to the client).
#[derive(Default)]
struct Session {
    registration: Option<(String, PasskeyRegistration)>,
    authentication: Option<(String, PasskeyAuthentication)>,
}

struct Adapter {
    webauthn: Webauthn,
    accounts: HashMap<String, Account>,
    /// Every registered credential id, across accounts ("You MUST assert that the registered
    /// CredentialID has not previously been registered to any other account").
    credential_ids: HashSet<Vec<u8>>,
    sessions: HashMap<String, Session>,
}

type Reply = (u16, Value);

fn failed(message: impl std::fmt::Display) -> Reply {
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

/// A serde_json error without its position and without the offending value, which depend on the
/// request (and so on the random challenge): the messages must be the same from run to run.
fn json_error(e: &serde_json::Error) -> String {
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
    format!("malformed credential: {text}")
}

fn username_of(request: &Value) -> Result<String, Reply> {
    match request.get("username").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(failed("username is missing or not a non-empty string")),
    }
}

/// The `publicKey` member of the library's options, as a JSON object.
fn public_key_options(options: &impl serde::Serialize) -> Result<Map<String, Value>, Reply> {
    match serde_json::to_value(options) {
        Ok(Value::Object(mut outer)) => match outer.remove("publicKey") {
            Some(Value::Object(inner)) => Ok(inner),
            _ => Err(failed("options have no publicKey member")),
        },
        _ => Err(failed("options did not serialise to an object")),
    }
}

impl Adapter {
    fn attestation_options(&mut self, session: &mut Session, request: &Value) -> Reply {
        let username = match username_of(request) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let display_name = request
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(&username)
            .to_string();
        // The passkey API has no parameter for authenticatorSelection.userVerification or for
        // attestation conveyance: it always asks for UV "required" and attestation "none".
        let account = self
            .accounts
            .entry(username.clone())
            .or_insert_with(|| Account { id: Uuid::new_v4(), passkeys: Vec::new() });
        let exclude: Vec<CredentialID> =
            account.passkeys.iter().map(|pk| pk.cred_id().clone()).collect();
        let exclude = if exclude.is_empty() { None } else { Some(exclude) };
        match self
            .webauthn
            .start_passkey_registration(account.id, &username, &display_name, exclude)
        {
            Ok((ccr, state)) => {
                session.registration = Some((username, state));
                match public_key_options(&ccr) {
                    Ok(mut body) => {
                        body.entry("excludeCredentials").or_insert_with(|| json!([]));
                        ok_with(body)
                    }
                    Err(reply) => reply,
                }
            }
            Err(e) => failed(e),
        }
    }

    fn attestation_result(&mut self, session: &mut Session, body: &[u8]) -> Reply {
        // The state is used once: taken out of the session whatever the outcome.
        let Some((username, state)) = session.registration.take() else {
            return failed("no registration in progress in this session");
        };
        let credential: RegisterPublicKeyCredential = match serde_json::from_slice(body) {
            Ok(c) => c,
            Err(e) => return failed(json_error(&e)),
        };
        let passkey = match self.webauthn.finish_passkey_registration(&credential, &state) {
            Ok(pk) => pk,
            Err(e) => return failed(e),
        };
        let id = passkey.cred_id().as_ref().to_vec();
        if self.credential_ids.contains(&id) {
            return failed("credential id is already registered");
        }
        let Some(account) = self.accounts.get_mut(&username) else {
            return failed("unknown user");
        };
        self.credential_ids.insert(id);
        account.passkeys.push(passkey);
        ok_with(Map::new())
    }

    fn assertion_options(&mut self, session: &mut Session, request: &Value) -> Reply {
        let username = match username_of(request) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let account = match self.accounts.get(&username) {
            Some(a) if !a.passkeys.is_empty() => a,
            _ => return failed("unknown user or user has no credentials"),
        };
        // The passkey API always requests (and enforces) userVerification "required".
        match self.webauthn.start_passkey_authentication(&account.passkeys) {
            Ok((rcr, state)) => {
                session.authentication = Some((username, state));
                match public_key_options(&rcr) {
                    Ok(body) => ok_with(body),
                    Err(reply) => reply,
                }
            }
            Err(e) => failed(e),
        }
    }

    fn assertion_result(&mut self, session: &mut Session, body: &[u8]) -> Reply {
        let Some((username, state)) = session.authentication.take() else {
            return failed("no authentication in progress in this session");
        };
        let credential: PublicKeyCredential = match serde_json::from_slice(body) {
            Ok(c) => c,
            Err(e) => return failed(json_error(&e)),
        };
        let result = match self.webauthn.finish_passkey_authentication(&credential, &state) {
            Ok(r) => r,
            Err(e) => return failed(e),
        };
        if let Some(account) = self.accounts.get_mut(&username) {
            for passkey in account.passkeys.iter_mut() {
                passkey.update_credential(&result);
            }
        }
        ok_with(Map::new())
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

fn handle(adapter: &mut Adapter, request: &mut Request) -> (Reply, Option<String>) {
    let path = request.url().split('?').next().unwrap_or("").to_string();
    if *request.method() != Method::Post {
        return ((405, json!({"status": "failed", "errorMessage": "use POST"})), None);
    }
    let mut body = Vec::new();
    if let Err(e) = request.as_reader().take(MAX_BODY).read_to_end(&mut body) {
        return (failed(format_args!("could not read the request body: {e}")), None);
    }
    let is_options = path.ends_with("/options");
    let mut new_cookie = None;
    let sid = match session_cookie(request) {
        Some(sid) if adapter.sessions.contains_key(&sid) => sid,
        _ if is_options => {
            let sid = Uuid::new_v4().simple().to_string();
            new_cookie = Some(sid.clone());
            sid
        }
        _ => return (failed("no session"), None),
    };
    let mut session = adapter.sessions.remove(&sid).unwrap_or_default();
    let reply = match path.as_str() {
        "/attestation/options" | "/assertion/options" => match serde_json::from_slice::<Value>(&body)
        {
            Ok(req) if req.is_object() => {
                if path == "/attestation/options" {
                    adapter.attestation_options(&mut session, &req)
                } else {
                    adapter.assertion_options(&mut session, &req)
                }
            }
            Ok(_) => failed("request is not a JSON object"),
            Err(e) => failed(json_error(&e).replacen("credential", "request", 1)),
        },
        "/attestation/result" => adapter.attestation_result(&mut session, &body),
        "/assertion/result" => adapter.assertion_result(&mut session, &body),
        _ => (404, json!({"status": "failed", "errorMessage": "not found"})),
    };
    adapter.sessions.insert(sid, session);
    (reply, new_cookie)
}

fn main() {
    let port: u16 = match std::env::args().nth(1).map(|p| p.parse()) {
        Some(Ok(port)) => port,
        _ => {
            eprintln!("usage: webauthn-rs-adapter PORT");
            std::process::exit(2);
        }
    };
    let origin = Url::parse(&format!("http://localhost:{port}")).expect("origin URL");
    let webauthn = WebauthnBuilder::new("localhost", &origin)
        .and_then(|b| b.rp_name("webauthn-rs adapter").build())
        .expect("webauthn-rs configuration");
    let mut adapter = Adapter {
        webauthn,
        accounts: HashMap::new(),
        credential_ids: HashSet::new(),
        sessions: HashMap::new(),
    };
    let server = Server::http(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    println!("webauthn-rs adapter listening on http://127.0.0.1:{port} (origin {origin})");
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
