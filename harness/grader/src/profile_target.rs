//! [`ProfileTarget`]: a relying party reached through its own API, as an [`RpProfile`] describes it, seen by
//! the runner as the conformance API. Each of the four conformance calls becomes the RP's own request (the
//! profile's begin or finish, its templates filled from the call's body), and the RP's reply becomes a
//! conformance-shaped one: the options found by the profile's pointer as `{"status": "ok", ...options}`; a
//! finish `{"status": "ok"}` iff the accept predicate holds, else `"failed"` with the message the error pointer
//! finds. The RP's own members stay in the reply (the reference RP's `check`).
//!
//! A server error, or a body that is not JSON where the profile reads JSON, stays what it is (HTTP status, no
//! JSON body), so the grader reports it as ERROR: the RP crashed on the input. A request the profile cannot
//! express (a userVerification or attestation its RP fixes otherwise, a second account of a one-account RP) is
//! refused through [`Target::unsupported`], and the case is UNSUPPORTED with the reason.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::Arc;

use generator::catalog::Ceremony;
use generator::target::{Endpoint, Need, Reply, SavedSession, SessionId, Target, TransportError};
use serde_json::{Map, Value as Json};

use crate::profile::{Body, Conveyance, Encoding, Method, Part, Request, RpProfile, Slot, Source, Template};
use crate::profile::{UserVerification, Users};
use crate::transport::HttpConfig;

/// The name under which a saved session carries the virtual user's name (not a valid capture name).
const USERNAME: &str = "@username";

/// One virtual user: its cookie jar, what it captured, and how far its set-up got.
struct UserSession {
    agent: ureq::Agent,
    values: BTreeMap<String, String>,
    prelude_done: bool,
    account_done: bool,
}

/// A [`Target`] that speaks an RP's own API through an [`RpProfile`].
pub struct ProfileTarget {
    profile: Arc<RpProfile>,
    config: HttpConfig,
    /// The origin the virtual client reports (`{origin}`).
    origin: String,
    sessions: HashMap<SessionId, UserSession>,
    next: u64,
    /// Every exchange since tracing began ([`ProfileTarget::trace`]); `None`: not traced (grading).
    trace: Option<Vec<Exchange>>,
}

/// Which request of the profile an exchange made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `session.prelude[i]`.
    Prelude(usize),
    /// `session.account[i]`.
    Account(usize),
    /// `registration.begin` or `authentication.begin`.
    Begin(Ceremony),
    /// `registration.finish` or `authentication.finish`.
    Finish(Ceremony),
}

impl Step {
    /// The step a conformance call makes.
    pub fn of(endpoint: Endpoint) -> Step {
        match endpoint {
            Endpoint::AttestationOptions => Step::Begin(Ceremony::Registration),
            Endpoint::AttestationResult => Step::Finish(Ceremony::Registration),
            Endpoint::AssertionOptions => Step::Begin(Ceremony::Authentication),
            Endpoint::AssertionResult => Step::Finish(Ceremony::Authentication),
        }
    }

    /// The profile's request this step makes (`None`: a set-up step the profile does not have).
    pub fn request(self, profile: &RpProfile) -> Option<&Request> {
        let api = |c: Ceremony| match c {
            Ceremony::Registration => &profile.registration,
            Ceremony::Authentication => &profile.authentication,
        };
        match self {
            Step::Prelude(i) => profile.session.prelude.get(i),
            Step::Account(i) => profile.session.account.get(i),
            Step::Begin(c) => Some(&api(c).begin),
            Step::Finish(c) => Some(&api(c).finish),
        }
    }
}

impl std::fmt::Display for Step {
    /// The step as the profile's field that describes it: `session.prelude[0]`, `registration.begin`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ceremony = |c: &Ceremony| match c {
            Ceremony::Registration => "registration",
            Ceremony::Authentication => "authentication",
        };
        match self {
            Step::Prelude(i) => write!(f, "session.prelude[{i}]"),
            Step::Account(i) => write!(f, "session.account[{i}]"),
            Step::Begin(c) => write!(f, "{}.begin", ceremony(c)),
            Step::Finish(c) => write!(f, "{}.finish", ceremony(c)),
        }
    }
}

/// One HTTP exchange a traced [`ProfileTarget`] made: the request as sent, the reply as it came, and what
/// the step's templates and captures made of them (for `probe`).
#[derive(Debug, Clone)]
pub struct Exchange {
    pub step: Step,
    pub method: &'static str,
    pub url: String,
    /// The headers the profile set (the session's, the request's, the body's Content-Type), in order.
    pub headers: Vec<(String, String)>,
    /// The names of the cookies the client held when it sent the request.
    pub cookies: Vec<String>,
    pub body: Option<Vec<u8>>,
    /// Placeholders that had no value when the templates were filled: (the field, the placeholder).
    pub empty: Vec<(String, String)>,
    /// The reply, or why there was none.
    pub reply: Result<Replied, String>,
    /// What each of the step's captures found (in the profile's order).
    pub captures: Vec<Captured>,
}

/// A reply as it came.
#[derive(Debug, Clone)]
pub struct Replied {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Replied {
    pub fn json(&self) -> Option<Json> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// What one capture found.
#[derive(Debug, Clone)]
pub struct Captured {
    pub name: String,
    /// Its source as the profile writes it (`json = "/token"`).
    pub source: String,
    /// The value kept (`None`: it found nothing, and `{var.NAME}` keeps what it held before).
    pub value: Option<String>,
}

/// What one HTTP exchange came back with.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Option<Json> {
        serde_json::from_slice(&self.bytes).ok()
    }
}

/// The values a request's templates are filled from.
struct Context<'a> {
    request: &'a Json,
    credential: Option<&'a Json>,
    values: &'a BTreeMap<String, String>,
    origin: &'a str,
}

impl Context<'_> {
    fn username(&self) -> Option<String> {
        self.request
            .get("username")
            .and_then(Json::as_str)
            .map(str::to_owned)
            .or_else(|| self.values.get(USERNAME).cloned())
    }

    fn value(&self, slot: &Slot) -> Option<Json> {
        let walk =
            |root: &Json, path: &[String]| path.iter().try_fold(root, |v, m| v.get(m.as_str())).cloned();
        match slot {
            Slot::Username => self.username().map(Json::String),
            Slot::DisplayName => self
                .request
                .get("displayName")
                .and_then(Json::as_str)
                .map(str::to_owned)
                .or_else(|| self.username())
                .map(Json::String),
            Slot::Password => self.username().map(|u| Json::String(password(&u))),
            Slot::UserVerification => asked_uv(self.request).map(|s| Json::String(s.to_owned())),
            Slot::Attestation => self.request.get("attestation").cloned(),
            Slot::Request(path) => walk(self.request, path),
            Slot::Credential(path) => self.credential.and_then(|c| walk(c, path)),
            Slot::Var(name) => self.values.get(name).cloned().map(Json::String),
            Slot::Origin => Some(Json::String(self.origin.to_owned())),
        }
    }

    fn text(&self, t: &Template, encode: fn(&str) -> String) -> String {
        let mut out = String::new();
        for p in &t.parts {
            match p {
                Part::Text(s) => out.push_str(s),
                Part::Slot(s) => match self.value(s) {
                    Some(Json::String(v)) => out.push_str(&encode(&v)),
                    Some(v) => out.push_str(&encode(&v.to_string())),
                    None => {}
                },
            }
        }
        out
    }

    /// A body template filled in: a whole-string placeholder gives its value as it is (an absent one leaves
    /// its member out), any other string is text.
    fn body(&self, b: &Body) -> Option<Json> {
        Some(match b {
            Body::Bool(x) => Json::Bool(*x),
            Body::Integer(i) => Json::from(*i),
            Body::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Body::String(t) => match t.whole() {
                Some(slot) => self.value(slot)?,
                None => Json::String(self.text(t, |s| s.to_owned())),
            },
            Body::Array(a) => Json::Array(a.iter().map(|x| self.body(x).unwrap_or(Json::Null)).collect()),
            Body::Table(t) => {
                Json::Object(t.iter().filter_map(|(k, v)| Some((k.clone(), self.body(v)?))).collect())
            }
        })
    }
}

/// The password an account step signs up and signs in with: derived from the username, so a run can be
/// repeated, with the character classes password rules ask for.
pub fn password(username: &str) -> String {
    format!("Wh-{:016x}!", generator::runner::case_seed(0x5eed, username))
}

/// The userVerification a conformance request asks for.
fn asked_uv(request: &Json) -> Option<&str> {
    request
        .pointer("/authenticatorSelection/userVerification")
        .or_else(|| request.get("userVerification"))
        .and_then(Json::as_str)
}

fn encode_path(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Whether a request carries the virtual user's name (in its path, headers or body).
fn names_user(req: &Request) -> bool {
    let templates = std::iter::once(&req.path)
        .chain(req.headers.values())
        .chain(req.body.iter().flat_map(Body::templates));
    templates
        .flat_map(Template::slots)
        .any(|s| matches!(s, Slot::Username | Slot::DisplayName | Slot::Request(_) | Slot::Password))
}

fn is_begin(endpoint: Endpoint) -> bool {
    matches!(endpoint, Endpoint::AttestationOptions | Endpoint::AssertionOptions)
}

impl ProfileTarget {
    /// A target for `profile` at `config.base_url` (the profile's own base URL is the caller's default). Its
    /// `{origin}` is the profile's first origin, else the base URL's origin ([`ProfileTarget::with_origin`]
    /// sets another).
    pub fn new(profile: Arc<RpProfile>, config: HttpConfig) -> ProfileTarget {
        let origin = profile.rp.origins.first().cloned().unwrap_or_else(|| {
            crate::origins::origin_and_host(&config.base_url)
                .map_or_else(|_| config.base_url.clone(), |(o, _)| o)
        });
        ProfileTarget { profile, config, origin, sessions: HashMap::new(), next: 0, trace: None }
    }

    /// The same target, its virtual client reporting `origin` (what `{origin}` stands for).
    pub fn with_origin(mut self, origin: impl Into<String>) -> ProfileTarget {
        self.origin = origin.into();
        self
    }

    /// From now on, records every exchange (see [`ProfileTarget::take_trace`]).
    pub fn trace(&mut self) {
        self.trace.get_or_insert_with(Vec::new);
    }

    /// The exchanges recorded since the last call (empty when not tracing).
    pub fn take_trace(&mut self) -> Vec<Exchange> {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }

    pub fn profile(&self) -> &RpProfile {
        &self.profile
    }

    fn agent(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(self.config.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("webauthn-harness/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    }

    fn session(&mut self, id: SessionId) -> &mut UserSession {
        if !self.sessions.contains_key(&id) {
            let agent = self.agent();
            self.sessions.insert(
                id,
                UserSession { agent, values: BTreeMap::new(), prelude_done: false, account_done: false },
            );
        }
        // Just inserted if it was missing.
        self.sessions.get_mut(&id).expect("the session exists")
    }

    fn request_of(&self, endpoint: Endpoint) -> &Request {
        let p = &self.profile;
        match endpoint {
            Endpoint::AttestationOptions => &p.registration.begin,
            Endpoint::AttestationResult => &p.registration.finish,
            Endpoint::AssertionOptions => &p.authentication.begin,
            Endpoint::AssertionResult => &p.authentication.finish,
        }
    }

    /// Sends `req` (the profile's request for `step`) in `session` with its templates filled from `body` (the
    /// conformance call's body; for a finish also the credential), then keeps what it captures. A traced
    /// target records the exchange.
    fn send(&mut self, session: SessionId, step: Step, req: &Request, body: &Json) -> Result<Answer, String> {
        let profile = self.profile.clone();
        let base = self.config.base_url.clone();
        let limit = self.config.max_response as u64;
        let tracing = self.trace.is_some();
        let finish = matches!(step, Step::Finish(_));
        let origin = self.origin.clone();
        let s = self.session(session);
        let ctx =
            Context { request: body, credential: finish.then_some(body), values: &s.values, origin: &origin };
        let url = format!("{base}{}", ctx.text(&req.path, encode_path));
        let mut headers: Vec<(String, String)> = profile
            .session
            .headers
            .iter()
            .chain(&req.headers)
            .map(|(name, t)| (name.clone(), ctx.text(t, |s| s.to_owned())))
            .collect();
        let payload = match (&req.body, req.encoding) {
            (None, _) => None,
            (Some(b), Encoding::Json) => {
                let json = ctx.body(b).unwrap_or(Json::Null);
                headers.push(("Content-Type".into(), "application/json".into()));
                Some(serde_json::to_vec(&json).map_err(|e| e.to_string())?)
            }
            (Some(b), Encoding::Form) => {
                let json = ctx.body(b).unwrap_or(Json::Null);
                let mut form = form_urlencoded::Serializer::new(String::new());
                if let Json::Object(m) = &json {
                    for (k, v) in m {
                        match v {
                            Json::String(s) => form.append_pair(k, s),
                            other => form.append_pair(k, &other.to_string()),
                        };
                    }
                }
                headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
                Some(form.finish().into_bytes())
            }
        };
        let payload = payload.filter(|_| req.method != Method::Get);
        let agent = s.agent.clone();
        let traced = tracing.then(|| {
            let jar = agent.cookie_jar_lock();
            let cookies = jar.iter().map(|c| c.name().to_owned()).collect();
            jar.release();
            Exchange {
                step,
                method: req.method.as_str(),
                url: url.clone(),
                headers: headers.clone(),
                cookies,
                body: payload.clone(),
                empty: empty_placeholders(&profile, req, &ctx),
                reply: Err(String::new()),
                captures: Vec::new(),
            }
        });
        let answer = self.exchange(&agent, req.method, &url, headers, payload, limit);
        let mut traced = traced;
        if let Some(t) = traced.as_mut() {
            t.reply = match &answer {
                Ok(a) => Ok(Replied { status: a.status, headers: a.headers.clone(), body: a.bytes.clone() }),
                Err(e) => Err(e.clone()),
            };
        }
        if let Ok(answer) = &answer {
            if !req.capture.is_empty() {
                let found = capture(req, answer, &agent);
                for (c, value) in req.capture.iter().zip(&found) {
                    if let Some(v) = value {
                        self.session(session).values.insert(c.name.clone(), v.clone());
                    }
                }
                if let Some(t) = traced.as_mut() {
                    t.captures = req
                        .capture
                        .iter()
                        .zip(found)
                        .map(|(c, value)| Captured {
                            name: c.name.clone(),
                            source: c.source.to_string(),
                            value,
                        })
                        .collect();
                }
            }
        }
        if let (Some(trace), Some(t)) = (self.trace.as_mut(), traced) {
            trace.push(t);
        }
        answer
    }

    /// One HTTP request and its reply, read up to `limit` bytes.
    fn exchange(
        &self,
        agent: &ureq::Agent,
        method: Method,
        url: &str,
        headers: Vec<(String, String)>,
        payload: Option<Vec<u8>>,
        limit: u64,
    ) -> Result<Answer, String> {
        let mut builder = ureq::http::Request::builder().method(method.as_str()).uri(url);
        for (name, value) in &headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let describe =
            |e: ureq::Error| format!("{} {url}: {}", method.as_str(), crate::transport::describe(&e));
        // A POST, PUT, PATCH or DELETE without a body template sends an empty body of length 0: given no body at
        // all, the client announces a chunked one and sends its last chunk, which a server without chunked
        // requests (Python's wsgiref, under Django's runserver) reads as the start of another request.
        let payload = payload.or_else(|| (method != Method::Get).then(Vec::new));
        let response = match payload {
            Some(bytes) => {
                let request = builder.body(bytes).map_err(|e| format!("{url}: {e}"))?;
                agent.run(request).map_err(describe)?
            }
            None => {
                let request = builder.body(()).map_err(|e| format!("{url}: {e}"))?;
                agent.run(request).map_err(describe)?
            }
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let mut bytes = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{url}: reading the response: {e}"))?;
        if bytes.len() as u64 > limit {
            return Err(format!("{url}: the response is longer than {limit} bytes"));
        }
        Ok(Answer { status, headers, bytes })
    }

    /// Runs set-up steps (the prelude, or the account steps) in order; each must be accepted.
    fn set_up(&mut self, session: SessionId, which: &str, body: &Json) -> Result<(), String> {
        let profile = self.profile.clone();
        let steps = if which == "prelude" { &profile.session.prelude } else { &profile.session.account };
        for (i, step) in steps.iter().enumerate() {
            let which_step = if which == "prelude" { Step::Prelude(i) } else { Step::Account(i) };
            let answer = self.send(session, which_step, step, body)?;
            let accept = step.accept.clone().unwrap_or_default();
            let json = answer.json();
            if !accept.holds(answer.status, json.as_ref()) {
                return Err(format!(
                    "session.{which}[{i}] ({} {}) was not accepted: HTTP {}",
                    step.method.as_str(),
                    step.path.source,
                    answer.status
                ));
            }
            if step.stop_if.as_ref().is_some_and(|p| p.holds(answer.status, json.as_ref())) {
                break;
            }
        }
        Ok(())
    }
}

/// What each of `req`'s captures finds in `answer` (and the cookies `agent` holds after it).
fn capture(req: &Request, answer: &Answer, agent: &ureq::Agent) -> Vec<Option<String>> {
    let json = answer.json();
    let jar: Vec<(String, String)> = {
        let jar = agent.cookie_jar_lock();
        let cookies = jar.iter().map(|c| (c.name().to_owned(), c.value().to_owned())).collect();
        jar.release();
        cookies
    };
    req.capture
        .iter()
        .map(|c| match &c.source {
            Source::Json(p) => json.as_ref().and_then(|j| j.pointer(p.as_str())).map(|v| match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            }),
            Source::Regex(re) => {
                let text = String::from_utf8_lossy(&answer.bytes);
                re.captures(&text).and_then(|m| m.get(1).or_else(|| m.get(0))).map(|m| m.as_str().to_owned())
            }
            Source::Cookie(name) => jar.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()),
            Source::Header(name) => {
                answer.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
            }
        })
        .collect()
}

/// The placeholders of `req` (and the session's headers) that have no value in `ctx`: (field, placeholder).
fn empty_placeholders(profile: &RpProfile, req: &Request, ctx: &Context<'_>) -> Vec<(String, String)> {
    let mut templates: Vec<(String, &Template)> = vec![("path".into(), &req.path)];
    templates.extend(profile.session.headers.iter().map(|(n, t)| (format!("session.headers.{n}"), t)));
    templates.extend(req.headers.iter().map(|(n, t)| (format!("headers.{n}"), t)));
    if let Some(b) = &req.body {
        templates.extend(b.templates().into_iter().map(|t| ("body".to_owned(), t)));
    }
    let mut out = Vec::new();
    for (field, t) in templates {
        for slot in t.slots() {
            if ctx.value(slot).is_none() {
                out.push((field.clone(), slot.to_string()));
            }
        }
    }
    out
}

/// The conformance reply for a begin: the options the profile's pointer finds, as `{"status": "ok",
/// ...options}` with what the RP fixes filled in where its options leave it out; else a refusal.
pub fn begin_reply(
    profile: &RpProfile,
    endpoint: Endpoint,
    req: &Request,
    status: u16,
    body: Option<Json>,
) -> Reply {
    let accept = req.accept.clone().unwrap_or_default();
    let Some(body) = body else {
        // Options are JSON: a body that is not is no answer at all.
        return Reply::new(status, Json::Null);
    };
    let pointer = req.options.as_ref().map_or("", |p| p.get_ref().as_str());
    let found = body.pointer(pointer).and_then(Json::as_object);
    match found {
        Some(options) if accept.holds(status, Some(&body)) => {
            let mut out = Map::new();
            out.insert("status".into(), Json::from("ok"));
            for (k, v) in options {
                out.insert(k.clone(), v.clone());
            }
            fill_fixed(profile, endpoint, &mut out);
            Reply::new(status, Json::Object(out))
        }
        _ => {
            let message = error_message(req, &body).or_else(|| {
                accept.holds(status, Some(&body)).then(|| {
                    format!("the options pointer {pointer:?} found no object in the reply (HTTP {status})")
                })
            });
            let declared_refusal = declared_refusal(req, status, &body);
            Reply { status, body: failed(body, message), declared_refusal }
        }
    }
}

/// What the RP fixes, where its options leave it out: userVerification, attestation, pubKeyCredParams.
fn fill_fixed(profile: &RpProfile, endpoint: Endpoint, options: &mut Map<String, Json>) {
    let caps = &profile.capabilities;
    if let Some(uv) = caps.user_verification {
        let uv = Json::from(uv.as_str());
        if endpoint == Endpoint::AttestationOptions {
            let sel = options.entry("authenticatorSelection").or_insert_with(|| Json::Object(Map::new()));
            if let Some(sel) = sel.as_object_mut() {
                sel.entry("userVerification").or_insert(uv);
            }
        } else {
            options.entry("userVerification").or_insert(uv);
        }
    }
    if endpoint == Endpoint::AttestationOptions {
        if let Some(a) = caps.attestation {
            options.entry("attestation").or_insert(Json::from(a.as_str()));
        }
        if let Some(algs) = &caps.algorithms {
            options.entry("pubKeyCredParams").or_insert_with(|| {
                algs.iter().map(|a| serde_json::json!({"type": "public-key", "alg": a})).collect()
            });
        }
    }
}

/// The conformance reply for a finish: `"ok"` iff the accept predicate holds, else `"failed"` with the
/// message the error pointer finds. A body that is not JSON where the profile reads JSON (or with a server
/// error) stays no body at all.
pub fn finish_reply(req: &Request, status: u16, body: Option<Json>, text: &[u8]) -> Reply {
    let accept = req.accept.clone().unwrap_or_default();
    if accept.holds(status, body.as_ref()) {
        let mut out = match body {
            Some(Json::Object(m)) => m,
            _ => Map::new(),
        };
        out.insert("status".into(), Json::from("ok"));
        return Reply::new(status, Json::Object(out));
    }
    match body {
        Some(body) => {
            let message = error_message(req, &body);
            let declared_refusal = declared_refusal(req, status, &body);
            Reply { status, body: failed(body, message), declared_refusal }
        }
        None if status >= 500 || accept.wants_json() || req.error.is_some() => Reply::new(status, Json::Null),
        None => {
            let snippet: String = String::from_utf8_lossy(text).chars().take(200).collect();
            let message = if snippet.trim().is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {}", snippet.trim())
            };
            Reply::new(status, failed(Json::Null, Some(message)))
        }
    }
}

/// Whether a JSON reply that was not accepted is one the profile declares a refusal the RP meant
/// (`refusal`), whatever its status.
fn declared_refusal(req: &Request, status: u16, body: &Json) -> bool {
    req.refusal.as_ref().is_some_and(|r| r.holds(status, Some(body)))
}

fn error_message(req: &Request, body: &Json) -> Option<String> {
    let v = body.pointer(req.error.as_ref()?.as_str())?;
    Some(match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// A refusal: the RP's own members kept, `status` "failed" and `errorMessage` set.
fn failed(body: Json, message: Option<String>) -> Json {
    let mut out = match body {
        Json::Object(m) => m,
        _ => Map::new(),
    };
    out.insert("status".into(), Json::from("failed"));
    match message {
        Some(m) => {
            out.insert("errorMessage".into(), Json::String(m));
        }
        None => {
            out.remove("errorMessage");
        }
    }
    Json::Object(out)
}

impl Target for ProfileTarget {
    fn end_session(&mut self, session: SessionId) {
        self.sessions.remove(&session);
    }

    fn new_session(&mut self) -> SessionId {
        self.next += 1;
        let id = SessionId(self.next);
        self.session(id);
        id
    }

    fn call(&mut self, session: SessionId, endpoint: Endpoint, body: &Json) -> Result<Reply, TransportError> {
        let err = |message: String| TransportError { endpoint, message };
        if !self.session(session).prelude_done {
            self.set_up(session, "prelude", body).map_err(err)?;
            self.session(session).prelude_done = true;
        }
        if endpoint == Endpoint::AttestationOptions && !self.session(session).account_done {
            self.set_up(session, "account", body).map_err(err)?;
            self.session(session).account_done = true;
        }
        if is_begin(endpoint) {
            if let Some(u) = body.get("username").and_then(Json::as_str) {
                self.session(session).values.insert(USERNAME.into(), u.to_owned());
            }
        }
        let profile = self.profile.clone();
        let req = self.request_of(endpoint).clone();
        let answer = self.send(session, Step::of(endpoint), &req, body).map_err(err)?;
        let json = answer.json();
        Ok(if is_begin(endpoint) {
            begin_reply(&profile, endpoint, &req, answer.status, json)
        } else {
            finish_reply(&req, answer.status, json, &answer.bytes)
        })
    }

    fn save_session(&mut self, session: SessionId) -> SavedSession {
        let s = self.session(session);
        let jar = s.agent.cookie_jar_lock();
        let cookies = jar.iter().map(|c| c.to_string()).collect();
        jar.release();
        SavedSession { cookies, values: s.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect() }
    }

    /// The saved cookies and values replace the session's; its set-up counts as done (the client it copies
    /// had done it).
    fn restore_session(&mut self, session: SessionId, saved: &SavedSession) {
        let base = self.config.base_url.clone();
        let s = self.session(session);
        crate::transport::restore_jar(&s.agent, &base, &saved.cookies);
        s.values = saved.values.iter().cloned().collect();
        s.prelude_done = true;
        s.account_done = true;
    }

    fn unsupported(&self, need: Need<'_>) -> Option<String> {
        let caps = &self.profile.capabilities;
        match need {
            Need::SeveralAccounts => (caps.users == Users::One).then(|| {
                "the RP profile declares one account (capabilities.users = \"one\"): a case that needs two \
                 distinct accounts cannot be expressed"
                    .to_owned()
            }),
            Need::Request(endpoint, body) if is_begin(endpoint) => {
                if let (Some(fixed), Some("required")) = (caps.user_verification, asked_uv(body)) {
                    if fixed != UserVerification::Required {
                        return Some(format!(
                            "the case needs userVerification \"required\", and the RP profile fixes it at \"{}\" \
                             (capabilities.user_verification)",
                            fixed.as_str()
                        ));
                    }
                }
                let asked = body.get("attestation").and_then(Json::as_str);
                if endpoint == Endpoint::AttestationOptions && caps.attestation == Some(Conveyance::None) {
                    if let Some(a) = asked.filter(|a| *a != "none") {
                        return Some(format!(
                            "the case needs attestation \"{a}\" (a statement the RP verifies), and the RP profile \
                             fixes attestation conveyance at \"none\" (capabilities.attestation)"
                        ));
                    }
                }
                None
            }
            Need::Request(..) => None,
            Need::HarnessMetadata => (!caps.loads_harness_metadata).then(|| {
                "the case's authenticator is of a model the harness's test metadata reports revoked or compromised, \
                 and this RP is not declared to have loaded that metadata: run `webauthn-harness pki export DIR`, \
                 load DIR/metadata-blob.jwt (verified with DIR/metadata-root.pem) or DIR/statements/ into the RP, \
                 then set loads_harness_metadata = true under [capabilities] in the RP profile (or pass \
                 --harness-pki metadata)"
                    .to_owned()
            }),
            Need::HarnessPki => (!caps.trusts_harness_pki).then(|| {
                "the case sends an attestation that chains to the harness's attestation root, which this RP is not \
                 declared to trust, and an RP rightly refuses an attestation it does not trust: run \
                 `webauthn-harness pki export DIR`, configure DIR/attestation-root.pem as an attestation trust \
                 anchor (or load DIR/metadata-blob.jwt with DIR/metadata-root.pem as FIDO metadata), then set \
                 trusts_harness_pki = true under [capabilities] in the RP profile (or pass --harness-pki trusted)"
                    .to_owned()
            }),
            Need::NamedAccountOptions => (!names_user(&self.profile.authentication.begin)).then(|| {
                "the RP profile's authentication.begin never names the user (no {username}, {display_name} or \
                 {request...} placeholder): assertion options for an account named by its username alone cannot \
                 be asked for, and the RP answers a session that is not signed in with a username-less \
                 (discoverable) sign-in"
                    .to_owned()
            }),
            Need::Echo(endpoint) => {
                let (ceremony, begin) = match endpoint {
                    Endpoint::AssertionOptions => ("authentication", &self.profile.authentication.begin),
                    _ => ("registration", &self.profile.registration.begin),
                };
                let passes_request = matches!(&begin.body, Some(Body::String(t))
                    if matches!(t.parts.as_slice(), [Part::Slot(Slot::Request(path))] if path.is_empty()));
                (!passes_request).then(|| {
                    format!(
                        "the RP profile's {ceremony}.begin does not send the whole request (body = \"{{request}}\"), \
                         so whether the options echo what it asks for is a question for the conformance API only"
                    )
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PROFILE: &str = r#"
[rp]
[capabilities]
user_verification = "preferred"
attestation = "none"
algorithms = [-7]
users = "one"
[registration.begin]
path = "/reg/{username}"
options = "/publicKey"
error = "/error"
[registration.finish]
path = "/reg/finish"
body = { credential = "{credential}" }
accept = { json = { "/verified" = true } }
error = "/error"
[authentication.begin]
path = "/auth"
[authentication.finish]
path = "/auth/finish"
body = "{credential}"
accept = { status = [204] }
"#;

    fn profile() -> RpProfile {
        RpProfile::parse("p.toml", PROFILE).unwrap()
    }

    #[test]
    fn options_are_found_by_the_pointer_and_what_the_rp_fixes_is_filled_in() {
        let p = profile();
        let req = &p.registration.begin;
        let body = json!({"publicKey": {"challenge": "AAAA", "user": {"id": "AQ"}}});
        let r = begin_reply(&p, Endpoint::AttestationOptions, req, 200, Some(body));
        assert!(r.accepted());
        assert_eq!(r.body["challenge"], "AAAA");
        assert_eq!(r.body["authenticatorSelection"]["userVerification"], "preferred");
        assert_eq!(r.body["attestation"], "none");
        assert_eq!(r.body["pubKeyCredParams"], json!([{"type": "public-key", "alg": -7}]));
        // Found nothing: a refusal that says which pointer.
        let r = begin_reply(&p, Endpoint::AttestationOptions, req, 200, Some(json!({"options": {}})));
        assert!(!r.accepted());
        assert_eq!(
            r.error_message(),
            Some("the options pointer \"/publicKey\" found no object in the reply (HTTP 200)")
        );
        let r =
            begin_reply(&p, Endpoint::AttestationOptions, req, 400, Some(json!({"error": "no such user"})));
        assert_eq!((r.accepted(), r.error_message()), (false, Some("no such user")));
        // Not JSON: no answer.
        let r = begin_reply(&p, Endpoint::AttestationOptions, req, 200, None);
        assert_eq!(r.body, Json::Null);
    }

    #[test]
    fn a_finish_is_accepted_by_the_predicate_and_a_crash_stays_a_crash() {
        let p = profile();
        let reg = &p.registration.finish;
        let ok = finish_reply(reg, 200, Some(json!({"verified": true, "check": "x"})), b"");
        assert!(ok.accepted());
        assert_eq!(ok.body["check"], "x");
        let no = finish_reply(reg, 200, Some(json!({"verified": false, "error": "bad signature"})), b"");
        assert_eq!((no.accepted(), no.error_message()), (false, Some("bad signature")));
        // The profile reads JSON: an HTML page is no answer, whatever its status.
        assert_eq!(finish_reply(reg, 400, None, b"<html>").body, Json::Null);
        let auth = &p.authentication.finish;
        assert!(finish_reply(auth, 204, None, b"").accepted());
        // Status only: a 4xx page is a clean rejection, a 5xx one a crash.
        let r = finish_reply(auth, 403, None, b"<h1>Forbidden</h1>");
        assert_eq!((r.accepted(), r.error_message()), (false, Some("HTTP 403: <h1>Forbidden</h1>")));
        let crash = finish_reply(auth, 500, None, b"Traceback");
        assert_eq!((crash.status, crash.body.clone()), (500, Json::Null));
    }

    #[test]
    fn a_declared_refusal_with_a_server_error_status_is_not_a_crash() {
        let text = PROFILE.replace(
            "accept = { json = { \"/verified\" = true } }",
            "accept = { json = { \"/verified\" = true } }\nrefusal = { status = [500], json = { \"/code\" = \"FAILED\" } }",
        );
        let p = RpProfile::parse("p.toml", &text).unwrap();
        let reg = &p.registration.finish;
        // The declared shape: a refusal the RP meant, with its message.
        let r = finish_reply(reg, 500, Some(json!({"code": "FAILED", "error": "Failed to verify"})), b"");
        assert!(!r.accepted() && r.declared_refusal && !r.unusable());
        assert_eq!(r.error_message(), Some("Failed to verify"));
        // Another 500 (another code, or not JSON) stays a crash; a 400 is a refusal anyway.
        let r = finish_reply(reg, 500, Some(json!({"code": "TypeError"})), b"");
        assert!(!r.declared_refusal && r.unusable());
        assert!(finish_reply(reg, 500, None, b"<html>").unusable());
        let r = finish_reply(reg, 400, Some(json!({"error": "bad"})), b"");
        assert!(!r.declared_refusal && !r.unusable());
        // Without a `refusal`, every 500 is a crash.
        let r = finish_reply(&profile().registration.finish, 500, Some(json!({"code": "FAILED"})), b"");
        assert!(r.unusable());
    }

    #[test]
    fn the_origin_is_the_profiles_the_base_urls_or_the_one_given() {
        let url = HttpConfig::new("http://127.0.0.1:9/api/auth");
        let t = ProfileTarget::new(Arc::new(profile()), url.clone());
        assert_eq!(t.origin, "http://127.0.0.1:9");
        assert_eq!(t.with_origin("http://localhost:9").origin, "http://localhost:9");
        let with_origins = PROFILE.replace("[rp]", "[rp]\norigins = [\"https://rp.example\"]");
        let p = RpProfile::parse("p.toml", &with_origins).unwrap();
        assert_eq!(ProfileTarget::new(Arc::new(p), url).origin, "https://rp.example");
    }

    #[test]
    fn what_the_rp_fixes_otherwise_is_unsupported_with_the_reason() {
        let t = ProfileTarget::new(Arc::new(profile()), HttpConfig::new("http://127.0.0.1:9"));
        let asks = |uv: &str, att: &str| json!({"username": "u", "authenticatorSelection": {"userVerification": uv}, "attestation": att});
        let reg = |b: &Json| t.unsupported(Need::Request(Endpoint::AttestationOptions, b));
        assert_eq!(reg(&asks("preferred", "none")), None);
        assert!(reg(&asks("required", "none")).unwrap().contains("fixes it at \"preferred\""));
        assert!(reg(&asks("preferred", "direct")).unwrap().contains("attestation conveyance at \"none\""));
        let auth = json!({"username": "u", "userVerification": "required"});
        assert!(t.unsupported(Need::Request(Endpoint::AssertionOptions, &auth)).is_some());
        assert_eq!(t.unsupported(Need::Request(Endpoint::AssertionResult, &auth)), None);
        assert!(t.unsupported(Need::SeveralAccounts).unwrap().contains("one account"));
        // Its authentication.begin ("/auth", no body) never names the user.
        assert!(t.unsupported(Need::NamedAccountOptions).unwrap().contains("never names the user"));
        let named = PROFILE.replace("path = \"/auth\"", "path = \"/auth/{username}\"");
        let named =
            ProfileTarget::new(Arc::new(RpProfile::parse("p.toml", &named).unwrap()), t.config.clone());
        assert_eq!(named.unsupported(Need::NamedAccountOptions), None);
        let conformance =
            ProfileTarget::new(Arc::new(RpProfile::conformance_api()), HttpConfig::new("http://x"));
        assert_eq!(
            conformance.unsupported(Need::Request(Endpoint::AttestationOptions, &asks("required", "direct"))),
            None
        );
        assert_eq!(conformance.unsupported(Need::SeveralAccounts), None);
        assert_eq!(conformance.unsupported(Need::NamedAccountOptions), None);
    }

    /// A bodiless POST goes with `Content-Length: 0`, not an empty chunked body (whose last chunk a server
    /// without chunked requests reads as a second request, and answers on the same connection).
    #[test]
    fn a_post_without_a_body_template_sends_an_empty_body_of_length_zero() {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                head.push(line.trim_end().to_ascii_lowercase());
            }
            let mut stream = stream;
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"challenge\":\"AA\"}").unwrap();
            head
        });
        let mut t = ProfileTarget::new(Arc::new(profile()), HttpConfig::new(&url));
        let s = t.new_session();
        let reply = t.call(s, Endpoint::AssertionOptions, &json!({"username": "u"})).unwrap();
        assert_eq!((reply.accepted(), reply.body["challenge"].clone()), (true, json!("AA")));
        let head = server.join().unwrap();
        assert_eq!(head[0], "post /auth http/1.1");
        assert!(head.iter().any(|h| h == "content-length: 0"), "{head:?}");
        assert!(!head.iter().any(|h| h.starts_with("transfer-encoding")), "{head:?}");
    }

    #[test]
    fn templates_are_filled_from_the_call() {
        let values = BTreeMap::from([("csrf".to_owned(), "t0k".to_owned())]);
        let request = json!({"username": "a b/c", "displayName": "A", "response": {"clientDataJSON": "x"}});
        let ctx = Context {
            request: &request,
            credential: Some(&request),
            values: &values,
            origin: "http://localhost:3000",
        };
        let t = Template::parse("/u/{username}?t={var.csrf}").unwrap();
        assert_eq!(ctx.text(&t, encode_path), "/u/a%20b%2Fc?t=t0k");
        let t = Template::parse("{origin}").unwrap();
        assert_eq!(ctx.text(&t, |s| s.to_owned()), "http://localhost:3000");
        let body = Body::Table(vec![
            ("credential".into(), Body::String(Template::parse("{credential}").unwrap())),
            ("cdj".into(), Body::String(Template::parse("{credential.response.clientDataJSON}").unwrap())),
            ("gone".into(), Body::String(Template::parse("{credential.response.userHandle}").unwrap())),
            ("who".into(), Body::String(Template::parse("{display_name} <{username}>").unwrap())),
        ]);
        assert_eq!(ctx.body(&body), Some(json!({"credential": request, "cdj": "x", "who": "A <a b/c>"})));
        assert!(password("alice").starts_with("Wh-") && password("alice") != password("bob"));
    }
}
