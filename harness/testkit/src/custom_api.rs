//! The reference RP behind an API of another shape than the conformance API, as RP profiles meet them: the
//! username in the path (`POST /api/users/{username}/passkeys/begin`), the options under `publicKey`, the
//! credential wrapped as `{credential: …}`, a form-encoded sign-in start (`POST /api/login/options`,
//! `username=…`), an always-200 finish answering `{"verified": true}` or `{"verified": false, "error":
//! {"message": …}}`, a session cookie `sid` and a CSRF token per session sent back as `X-CSRF-Token`, and user
//! verification and attestation conveyance fixed by the RP ([`Policy`]). A test adds the route that hands out
//! the session and its token ([`CustomApi::session_token`]): a JSON endpoint or a page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use rp::ReferenceRp;
use serde_json::{json, Value as Json};

/// What the RP fixes, whatever a client would ask.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `userVerification` in both ceremonies.
    pub user_verification: &'static str,
    /// `attestation` at registration.
    pub attestation: &'static str,
    /// `authenticatorSelection.residentKey` at registration, if any.
    pub resident_key: Option<&'static str>,
}

/// The reference RP behind the custom API, with its sessions and their CSRF tokens.
pub struct CustomApi {
    rp: ReferenceRp,
    policy: Policy,
    /// Session id -> its CSRF token.
    sessions: Mutex<HashMap<String, String>>,
}

/// The routes' state.
pub type App = State<Arc<CustomApi>>;

/// Seconds since the epoch: the RP's clock.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The `sid` cookie of a request.
pub fn sid(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == "sid").then(|| value.to_owned())
        })
}

/// A JSON reply.
pub fn reply(status: StatusCode, body: Json) -> Response {
    (status, axum::Json(body)).into_response()
}

fn forbidden(message: &str) -> Response {
    reply(StatusCode::FORBIDDEN, json!({"error": {"message": message}}))
}

impl CustomApi {
    pub fn new(rp: ReferenceRp, policy: Policy) -> Arc<CustomApi> {
        Arc::new(CustomApi { rp, policy, sessions: Mutex::new(HashMap::new()) })
    }

    /// The session of a request (a new one when it has none the API knows) and its CSRF token, made by `token`
    /// from the number of sessions so far; the `Set-Cookie` value to send when the session is new.
    pub fn session_token(
        &self,
        headers: &HeaderMap,
        token: impl FnOnce(usize) -> String,
    ) -> (String, Option<String>) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let n = sessions.len();
        let (sid, fresh) = match sid(headers) {
            Some(s) if sessions.contains_key(&s) => (s, false),
            _ => (format!("sid{n}x{}", now() % 100_000), true),
        };
        let token = sessions.entry(sid.clone()).or_insert_with(|| token(n)).clone();
        (token, fresh.then(|| format!("sid={sid}; Path=/; HttpOnly")))
    }

    /// The session of a request whose CSRF header matches its session's token (else why not).
    fn guarded(&self, headers: &HeaderMap) -> Result<String, &'static str> {
        let sid = sid(headers).ok_or("no session")?;
        let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        match self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(&sid) {
            Some(t) if Some(t.as_str()) == token => Ok(sid),
            _ => Err("CSRF token missing or wrong"),
        }
    }

    fn options(&self, sid: &str, path: &str, request: Json) -> Response {
        let (_, mut body) = self.rp.handle(sid, path, &request, now());
        if body["status"] != "ok" {
            return reply(StatusCode::BAD_REQUEST, json!({"error": {"message": body["errorMessage"]}}));
        }
        if let Some(o) = body.as_object_mut() {
            o.remove("status");
            o.remove("errorMessage");
        }
        reply(StatusCode::OK, json!({ "publicKey": body }))
    }

    fn finish(&self, sid: &str, path: &str, body: &Bytes) -> Response {
        let Ok(request) = serde_json::from_slice::<Json>(body) else {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"verified": false, "error": {"message": "not JSON"}}),
            );
        };
        let (_, answer) = self.rp.handle(sid, path, &request["credential"], now());
        if answer["status"] == "ok" {
            reply(StatusCode::OK, json!({"verified": true}))
        } else {
            // Always 200: the error member says what went wrong.
            reply(StatusCode::OK, json!({"verified": false, "error": {"message": answer["errorMessage"]}}))
        }
    }
}

async fn register_begin(
    State(app): App,
    Path(username): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sid = match app.guarded(&headers) {
        Ok(s) => s,
        Err(m) => return forbidden(m),
    };
    let body: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    // The RP fixes user verification and attestation conveyance: the request only names the user.
    let p = app.policy;
    let mut selection = json!({ "userVerification": p.user_verification });
    if let Some(rk) = p.resident_key {
        selection["residentKey"] = json!(rk);
    }
    let request = json!({
        "username": username,
        "displayName": body["displayName"],
        "authenticatorSelection": selection,
        "attestation": p.attestation,
    });
    app.options(&sid, "/attestation/options", request)
}

async fn register_finish(State(app): App, headers: HeaderMap, body: Bytes) -> Response {
    match app.guarded(&headers) {
        Ok(sid) => app.finish(&sid, "/attestation/result", &body),
        Err(m) => forbidden(m),
    }
}

async fn login_options(State(app): App, headers: HeaderMap, body: Bytes) -> Response {
    let sid = match app.guarded(&headers) {
        Ok(s) => s,
        Err(m) => return forbidden(m),
    };
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let Some(username) = form.get("username") else {
        return reply(StatusCode::BAD_REQUEST, json!({"error": {"message": "no username"}}));
    };
    let uv = app.policy.user_verification;
    app.options(&sid, "/assertion/options", json!({"username": username, "userVerification": uv}))
}

async fn login(State(app): App, headers: HeaderMap, body: Bytes) -> Response {
    match app.guarded(&headers) {
        Ok(sid) => app.finish(&sid, "/assertion/result", &body),
        Err(m) => forbidden(m),
    }
}

/// The ceremony routes; the test adds the one that hands out sessions and tokens.
pub fn routes() -> Router<Arc<CustomApi>> {
    Router::new()
        .route("/api/users/{username}/passkeys/begin", post(register_begin))
        .route("/api/passkeys/finish", post(register_finish))
        .route("/api/login/options", post(login_options))
        .route("/api/login", post(login))
}
