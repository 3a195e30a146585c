//! The HTTP side of the Rust adapters under `targets/`: the FIDO2 server conformance API on tiny_http.
//!
//! An adapter implements [`Adapter`] (its four calls, on its own per-session state) and hands it to
//! [`serve`], which owns the rest: one request at a time, the session map keyed by the `session` cookie
//! (an options call without a known session creates one and sets the cookie; any other call without one
//! fails with 400 "no session"), the body read (at most [`MAX_BODY`] bytes), the options calls' JSON
//! object, and the JSON reply with its status.

use std::collections::HashMap;
use std::fmt::Display;
use std::io::Read;

use serde_json::{json, Map, Value};
use tiny_http::{Header, Method, Request, Response, Server};

pub const SESSION_COOKIE: &str = "session";
pub const MAX_BODY: u64 = 1 << 20;

/// An HTTP status and the JSON body to send with it.
pub type Reply = (u16, Value);

/// What an adapter call returns: the reply to send, success or rejection alike (`Err` lets it use `?`).
pub type Outcome = Result<Reply, Reply>;

/// The library's four calls on the conformance API, each with the session's state.
pub trait Adapter {
    /// The ceremony state kept server-side per session (never sent to the client).
    type Session: Default;
    /// `/attestation/options`, with the request's JSON object.
    fn attestation_options(&mut self, session: &mut Self::Session, request: &Value) -> Outcome;
    /// `/attestation/result`, with the raw body (the credential JSON, for the library to parse).
    fn attestation_result(&mut self, session: &mut Self::Session, body: &[u8]) -> Outcome;
    /// `/assertion/options`, with the request's JSON object.
    fn assertion_options(&mut self, session: &mut Self::Session, request: &Value) -> Outcome;
    /// `/assertion/result`, with the raw body.
    fn assertion_result(&mut self, session: &mut Self::Session, body: &[u8]) -> Outcome;
}

/// A 400 `{"status": "failed", "errorMessage": message}`.
pub fn failed(message: impl Display) -> Reply {
    (400, json!({"status": "failed", "errorMessage": message.to_string()}))
}

/// A 200 with `body` and `"status": "ok", "errorMessage": ""`.
pub fn ok_with(mut body: Map<String, Value>) -> Reply {
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

/// "malformed {what}: " and a JSON error without its position and without an echoed value (both depend on
/// the request, and so on the random challenge: the messages must be the same from run to run).
pub fn json_error(what: &str, e: impl Display) -> String {
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

/// The request's `username`, a non-empty string.
pub fn username_of(request: &Value) -> Result<String, Reply> {
    match request.get("username").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(failed("username is missing or not a non-empty string")),
    }
}

/// The PORT argument; exits with status 2 and `usage: {program} PORT` when it is missing or not a port.
pub fn port_from_args(program: &str) -> u16 {
    match std::env::args().nth(1).map(|p| p.parse()) {
        Some(Ok(port)) => port,
        _ => {
            eprintln!("usage: {program} PORT");
            std::process::exit(2);
        }
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

/// 128 random bits, in hex.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).expect("/dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The reply to one request, and the session id to set as a cookie when the request created the session.
fn handle<A: Adapter>(
    adapter: &mut A,
    sessions: &mut HashMap<String, A::Session>,
    request: &mut Request,
) -> (Reply, Option<String>) {
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
        Some(sid) if sessions.contains_key(&sid) => sid,
        _ if path.ends_with("/options") => {
            let sid = new_session_id();
            new_cookie = Some(sid.clone());
            sid
        }
        _ => return (failed("no session"), None),
    };
    let mut session = sessions.remove(&sid).unwrap_or_default();
    let outcome = match path.as_str() {
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
    sessions.insert(sid, session);
    (outcome.unwrap_or_else(|reply| reply), new_cookie)
}

/// Serves the conformance API on 127.0.0.1:`port` with `adapter`, one request at a time, for ever; `name`
/// and `note` make the start-up line. Exits with status 1 when it cannot listen.
pub fn serve<A: Adapter>(port: u16, name: &str, note: &str, mut adapter: A) {
    let server = Server::http(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    println!("{name} adapter listening on http://127.0.0.1:{port} ({note})");
    let mut sessions = HashMap::new();
    for mut request in server.incoming_requests() {
        let ((status, body), cookie) = handle(&mut adapter, &mut sessions, &mut request);
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
