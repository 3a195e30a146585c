//! The reference RP on a real HTTP server: the four POST endpoints of the conformance API, sessions by
//! cookie, bounded request bodies; and at `GET /` a minimal page ([`PAGE`]) that registers and signs in with a
//! passkey through `navigator.credentials.create/get` against those endpoints, for trying the RP with a real
//! browser. An [`Observer`] sees every exchange (for `webauthn-harness serve --capture`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value as Json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::ReferenceRp;

/// The cookie that carries the session.
pub const SESSION_COOKIE: &str = "webauthn_harness_session";
/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;

fn session_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty() && value.len() <= 64).then(|| value.to_owned())
        })
}

fn new_session() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    wire::base64url::encode(&b)
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// One exchange on the conformance API as the server saw it, after the RP answered.
#[derive(Debug)]
pub struct Exchange<'a> {
    /// The session (cookie value) it belongs to.
    pub session: &'a str,
    /// The endpoint: `/attestation/options`, `/attestation/result`, `/assertion/options` or `/assertion/result`.
    pub path: &'a str,
    /// The request body.
    pub request: &'a Json,
    /// The HTTP status and the body of the RP's answer.
    pub status: u16,
    pub reply: &'a Json,
    /// The client's `User-Agent`, if it sent a readable one.
    pub user_agent: Option<&'a str>,
    /// When it was answered (Unix seconds).
    pub now: u64,
}

/// Called with every exchange whose request body was JSON, on the thread that answered it.
pub type Observer = Arc<dyn Fn(&Exchange<'_>) + Send + Sync>;

#[derive(Clone)]
struct App {
    rp: Arc<ReferenceRp>,
    observer: Option<Observer>,
}

async fn endpoint(State(app): State<App>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let (session, fresh) = match session_of(&headers) {
        Some(s) => (s, false),
        None => (new_session(), true),
    };
    // The state a client-side session cookie would carry, answered in a copy (see the config's switch).
    let (session, fresh) = if app.rp.config().client_side_sessions {
        (app.rp.fork_session(&session), true)
    } else {
        (session, fresh)
    };
    let now = now();
    let (status, reply) = match app.rp.handle_bytes(&session, uri.path(), &body, now) {
        Ok((status, reply)) => {
            if let Some(observe) = &app.observer {
                // The body was JSON (it was handled); the exchange records it as such.
                if let Ok(request) = serde_json::from_slice::<Json>(&body) {
                    observe(&Exchange {
                        session: &session,
                        path: uri.path(),
                        request: &request,
                        status,
                        reply: &reply,
                        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
                        now,
                    });
                }
            }
            (status, reply)
        }
        Err(e) => {
            (400, json!({"status": "failed", "errorMessage": format!("the request body is not JSON: {e}")}))
        }
    };
    let mut response =
        (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), axum::Json(reply))
            .into_response();
    if fresh {
        if let Ok(v) =
            HeaderValue::from_str(&format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"))
        {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

async fn page() -> Response {
    let mut response = Html(PAGE).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The router: the page at `GET /` and the four endpoints, bodies up to [`MAX_BODY`].
pub fn router(rp: Arc<ReferenceRp>) -> Router {
    router_with(rp, None)
}

/// [`router`] with an observer of every exchange.
pub fn router_with(rp: Arc<ReferenceRp>, observer: Option<Observer>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/attestation/options", post(endpoint))
        .route("/attestation/result", post(endpoint))
        .route("/assertion/options", post(endpoint))
        .route("/assertion/result", post(endpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(App { rp, observer })
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    rp: Arc<ReferenceRp>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, router(rp), shutdown).await
}

/// Serves `router` (from [`router_with`]) until `shutdown` resolves.
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// A server running on its own thread (for `grade` with no target, and for tests).
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Binds `addr` (port 0 for any free port) and serves `rp` on a background thread.
    pub fn start(addr: SocketAddr, rp: Arc<ReferenceRp>) -> std::io::Result<Running> {
        Running::start_on(std::net::TcpListener::bind(addr)?, rp)
    }

    /// Serves `rp` on an already bound listener, on a background thread.
    pub fn start_on(listener: std::net::TcpListener, rp: Arc<ReferenceRp>) -> std::io::Result<Running> {
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("reference-rp".into()).spawn(move || {
            let _ = runtime.block_on(serve(listener, rp, async {
                let _ = stopped.await;
            }));
        })?;
        Ok(Running { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// The base URL to reach it at.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The page at `GET /`: register and sign in with a passkey against this RP. It asks the RP for options at
/// the conformance endpoints (same origin, so the session cookie goes along), turns their base64url members
/// into `ArrayBuffer`s for `navigator.credentials.create/get`, and posts the credential back in the WebAuthn
/// JSON serialization (`RegistrationResponseJSON` / `AuthenticationResponseJSON`, §5.1, with
/// `response.transports` from `getTransports()`). The outcome is shown in `#result`: `data-status` is
/// `pending`, then `ok` (the RP accepted), `failed` (the RP refused; the text is its answer) or `error` (the
/// browser refused: the text is the exception); `data-ceremony` says which ceremony, and `data-seq` counts
/// the attempts, so a script can wait for the answer to its own click.
pub const PAGE: &str = include_str!("page.html");
