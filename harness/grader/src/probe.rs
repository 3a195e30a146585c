//! `probe`: one valid registration and one sign-in through an RP profile, every exchange shown, and at the first
//! step that goes wrong a diagnosis that names the profile field: the pointer that found nothing (and what the
//! reply held), the status the accept predicate does not allow, the placeholder that was empty, the capture
//! that matched nothing. How a user debugs a profile before grading with it.
//!
//! [`probe`] runs the ceremonies through a traced [`ProfileTarget`] (so exactly what `grade` sends is what is
//! shown) with the generator's software authenticator; [`Probe::render`] writes the transcript.

use std::fmt::Write as _;
use std::sync::Arc;

use generator::catalog::Ceremony;
use generator::ceremony::{AttestationKind, Generator};
use generator::client::{ClientConfig, CreationOptions, RequestOptions};
use generator::keys::Algorithm;
use generator::target::{Endpoint, Reply, Target};
use serde_json::{json, Value as Json};

use crate::profile::RpProfile;
use crate::profile_target::{Exchange, ProfileTarget, Step};
use crate::transport::HttpConfig;

/// What a probe did.
#[derive(Debug, Clone)]
pub struct Probe {
    pub events: Vec<Event>,
}

/// One line of a probe's story.
#[derive(Debug, Clone)]
pub enum Event {
    /// An HTTP exchange, with what was noticed about it (captures kept, placeholders left empty).
    Exchange { exchange: Box<Exchange>, notes: Vec<String> },
    /// A ceremony the RP accepted.
    Accepted(Ceremony),
    /// The first step that went wrong, and why (each line names the profile field it is about).
    Failed { step: String, diagnosis: Vec<String> },
}

impl Probe {
    /// Whether both ceremonies succeeded.
    pub fn succeeded(&self) -> bool {
        self.events.iter().filter(|e| matches!(e, Event::Accepted(_))).count() == 2
    }

    /// The diagnosis of the step that went wrong, if one did.
    pub fn failure(&self) -> Option<(&str, &[String])> {
        self.events.iter().find_map(|e| match e {
            Event::Failed { step, diagnosis } => Some((step.as_str(), diagnosis.as_slice())),
            _ => None,
        })
    }
}

/// Who the probe's virtual user is and where its client runs.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    pub client: ClientConfig,
    pub username: String,
    /// Seeds the credential's key.
    pub seed: u64,
}

/// Runs one registration and one sign-in of a new virtual user through `profile` at `http.base_url`.
pub fn probe(profile: Arc<RpProfile>, http: HttpConfig, cfg: &ProbeConfig) -> Probe {
    let mut run = Run { target: ProfileTarget::new(profile.clone(), http), profile, events: Vec::new() };
    run.target.trace();
    // Ignoring the result: a failure is recorded as an event.
    let _ = run.ceremonies(cfg);
    Probe { events: run.events }
}

struct Run {
    target: ProfileTarget,
    profile: Arc<RpProfile>,
    events: Vec<Event>,
}

/// A step went wrong (the event says how).
struct Stop;

impl Run {
    fn ceremonies(&mut self, cfg: &ProbeConfig) -> Result<(), Stop> {
        let caps = &self.profile.capabilities;
        let uv = caps.user_verification.map_or("preferred", |u| u.as_str());
        let attestation = caps.attestation.map_or("none", |a| a.as_str());
        let session = self.target.new_session();
        let request = json!({
            "username": cfg.username,
            "displayName": cfg.username,
            "authenticatorSelection": { "userVerification": uv, "requireResidentKey": false },
            "attestation": attestation,
        });
        let reply = self.call(session, Endpoint::AttestationOptions, &request)?;
        let options = CreationOptions::from_json(&reply.body)
            .map_err(|e| self.unusable(Step::Begin(Ceremony::Registration), &reply.body, &e.to_string()))?;
        let user_handle = options.user_id.clone();
        let mut gen = Generator::new(generator::runner::case_seed(cfg.seed, &cfg.username));
        let credential = gen.credential(Algorithm::Es256, 16);
        if !options.algorithms.contains(&Algorithm::Es256.cose()) {
            let step = Step::Begin(Ceremony::Registration);
            return Err(self.fail(
                step,
                vec![format!(
                    "the options offer no ES256 (alg -7) in pubKeyCredParams {:?}: the probe's authenticator \
                     makes ES256 keys (every WebAuthn client supports it)",
                    options.algorithms
                )],
            ));
        }
        let response =
            options.draft(&cfg.client, &credential).sign(&credential, AttestationKind::None).to_json();
        self.call(session, Endpoint::AttestationResult, &response)?;
        self.events.push(Event::Accepted(Ceremony::Registration));

        let request = json!({ "username": cfg.username, "userVerification": uv });
        let reply = self.call(session, Endpoint::AssertionOptions, &request)?;
        let options = RequestOptions::from_json(&reply.body)
            .map_err(|e| self.unusable(Step::Begin(Ceremony::Authentication), &reply.body, &e.to_string()))?;
        let assertion = options.draft(&cfg.client, &credential, 1, Some(user_handle));
        let response = assertion.sign(&credential).to_json();
        self.call(session, Endpoint::AssertionResult, &response)?;
        self.events.push(Event::Accepted(Ceremony::Authentication));
        Ok(())
    }

    /// One conformance call through the profile: its exchanges shown and checked, the first that goes wrong
    /// diagnosed.
    fn call(
        &mut self,
        session: generator::target::SessionId,
        endpoint: Endpoint,
        body: &Json,
    ) -> Result<Reply, Stop> {
        let result = self.target.call(session, endpoint, body);
        for exchange in self.target.take_trace() {
            let (notes, problems) = check(&self.profile, &exchange);
            let step = exchange.step;
            self.events.push(Event::Exchange { exchange: Box::new(exchange), notes });
            if !problems.is_empty() {
                return Err(self.fail(step, problems));
            }
        }
        match result {
            Ok(reply) if reply.accepted() => Ok(reply),
            // The checks above explain every refusal; these are a fallback.
            Ok(reply) => Err(self.fail(
                Step::of(endpoint),
                vec![format!("not accepted: {}", reply.error_message().unwrap_or("no message"))],
            )),
            Err(e) => Err(self.fail(Step::of(endpoint), vec![e.message])),
        }
    }

    fn fail(&mut self, step: Step, diagnosis: Vec<String>) -> Stop {
        self.events.push(Event::Failed { step: step.to_string(), diagnosis });
        Stop
    }

    /// Options the profile found that a client cannot use.
    fn unusable(&mut self, step: Step, options: &Json, why: &str) -> Stop {
        let pointer = options_pointer(&self.profile, step);
        let mut shown = options.clone();
        if let Some(o) = shown.as_object_mut() {
            o.remove("status");
        }
        self.fail(
            step,
            vec![format!(
                "{step}.options = {pointer:?} found options a client cannot use: {why}; they are {}",
                abbreviate_json(&shown, 600)
            )],
        )
    }
}

fn options_pointer(profile: &RpProfile, step: Step) -> String {
    step.request(profile)
        .and_then(|r| r.options.as_ref())
        .map_or_else(String::new, |p| p.get_ref().as_str().to_owned())
}

/// What is worth saying about one exchange: notes, and the problems that make its step go wrong (empty: it
/// went right).
fn check(profile: &RpProfile, x: &Exchange) -> (Vec<String>, Vec<String>) {
    let step = x.step;
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let Some(req) = step.request(profile) else {
        return (notes, vec![format!("{step} is not in the profile")]);
    };
    let replied = match &x.reply {
        Ok(r) => r,
        Err(e) => {
            let mut p = vec![format!("no reply: {e}")];
            if matches!(step, Step::Prelude(0)) || profile.session.prelude.is_empty() {
                p.push(format!("is the RP running at the base URL? ({} was requested)", x.url));
            }
            return (notes, p);
        }
    };
    let accept = req.accept.clone().unwrap_or_default();
    let accept_field =
        if req.accept.is_some() { format!("{step}.accept") } else { format!("{step}.accept (absent)") };
    let json = replied.json();
    let shown = || abbreviate_body(&replied.body, 600);
    if !accept.status.allows(replied.status) {
        let allowed = match &accept.status {
            crate::profile::Statuses::Success => "any 2xx (the default)".to_owned(),
            crate::profile::Statuses::Any => "any".to_owned(),
            crate::profile::Statuses::List(l) => format!("{l:?}"),
        };
        problems.push(format!(
            "HTTP {} came back, and {accept_field}.status allows {allowed}; the reply: {}",
            replied.status,
            shown()
        ));
    }
    let begin = matches!(step, Step::Begin(_));
    match &json {
        None if accept.wants_json() || begin => problems.push(format!(
            "the reply is not JSON, and {} reads it as JSON; the reply: {}",
            if begin { format!("{step}.options") } else { format!("{accept_field}.json/absent") },
            shown()
        )),
        None => {}
        Some(body) => {
            for (p, want) in &accept.json {
                match body.pointer(p.as_str()) {
                    None => problems.push(format!(
                        "{accept_field}.json {:?} = {want} found nothing in the reply {}",
                        p.as_str(),
                        shown()
                    )),
                    Some(got) if got != want => problems.push(format!(
                        "{accept_field}.json {:?} = {want}: the reply has {} there; the reply: {}",
                        p.as_str(),
                        abbreviate_json(got, 200),
                        shown()
                    )),
                    Some(_) => {}
                }
            }
            for p in &accept.absent {
                if let Some(got) = body.pointer(p.as_str()) {
                    problems.push(format!(
                        "{accept_field}.absent {:?}: the reply has {} there",
                        p.as_str(),
                        abbreviate_json(got, 200)
                    ));
                }
            }
            if begin && problems.is_empty() {
                let pointer = options_pointer(profile, step);
                let field = if req.options.is_some() {
                    format!("{step}.options = {pointer:?}")
                } else {
                    format!("{step}.options (absent: the whole reply)")
                };
                match body.pointer(&pointer) {
                    None => problems.push(format!("{field} found nothing in the reply {}", shown())),
                    Some(v) if !v.is_object() => problems.push(format!(
                        "{field} found {}, not an object, in the reply {}",
                        abbreviate_json(v, 200),
                        shown()
                    )),
                    Some(_) => {}
                }
                if !problems.is_empty() {
                    let ceremony = if matches!(step, Step::Begin(Ceremony::Registration)) {
                        Ceremony::Registration
                    } else {
                        Ceremony::Authentication
                    };
                    if let Some(found) = find_options(body, ceremony) {
                        problems.push(format!("the options look to be at {found:?}: options = {found:?}?"));
                    }
                }
            }
        }
    }
    for c in &x.captures {
        match &c.value {
            Some(v) => {
                notes.push(format!("captured {{var.{}}} = {} ({})", c.name, abbreviate_str(v, 60), c.source))
            }
            None => {
                let held = if c.source.starts_with("cookie") {
                    format!("the client holds the cookies [{}]", cookie_names(replied, x))
                } else if c.source.starts_with("header") {
                    let names: Vec<&str> = replied.headers.iter().map(|(n, _)| n.as_str()).collect();
                    format!("the reply's headers are [{}]", names.join(", "))
                } else {
                    format!("the reply: {}", shown())
                };
                problems.push(format!(
                    "{step}.capture {:?} ({}) matched nothing, so {{var.{}}} stays empty; {held}",
                    c.name, c.source, c.name
                ));
            }
        }
    }
    // The session's headers go on every request, the set-up steps that fetch their values too: empty there is
    // expected.
    let set_up = matches!(step, Step::Prelude(_) | Step::Account(_));
    let empty: Vec<String> = x
        .empty
        .iter()
        .filter(|(field, _)| !(set_up && field.starts_with("session.headers.")))
        .map(|(field, placeholder)| {
            let field = if field.starts_with("session.") { field.clone() } else { format!("{step}.{field}") };
            let why = match placeholder.strip_prefix("{var.").and_then(|v| v.strip_suffix('}')) {
                Some(name) => format!(" (no earlier step captured {name:?})"),
                None if placeholder.starts_with("{credential") => {
                    " (the credential has no such member; see the request body below the credential's JSON)"
                        .to_owned()
                }
                None => String::new(),
            };
            format!("the placeholder {placeholder} in {field} was empty{why}")
        })
        .collect();
    if problems.is_empty() {
        notes.extend(empty.into_iter().map(|e| format!("warning: {e}")));
    } else {
        // An empty placeholder is the likeliest cause: first.
        problems.splice(0..0, empty);
        if let (Some(p), Some(body)) = (&req.error, &json) {
            match body.pointer(p.as_str()) {
                Some(m) => problems.push(format!(
                    "the RP's message ({step}.error = {:?}): {}",
                    p.as_str(),
                    abbreviate_json(m, 300)
                )),
                None => {
                    problems.push(format!("{step}.error = {:?} found no message in the reply", p.as_str()))
                }
            }
        }
    }
    (notes, problems)
}

fn cookie_names(replied: &crate::profile_target::Replied, x: &Exchange) -> String {
    let mut names: Vec<String> = x.cookies.clone();
    for (n, v) in &replied.headers {
        if n.eq_ignore_ascii_case("set-cookie") {
            if let Some((name, _)) = v.split_once('=') {
                if !names.iter().any(|x| x == name.trim()) {
                    names.push(name.trim().to_owned());
                }
            }
        }
    }
    names.join(", ")
}

/// Where in `body` an object that looks like `ceremony`'s options sits (a JSON pointer), if anywhere:
/// `challenge` with `pubKeyCredParams` or `user` (registration), `challenge` with `rpId`,
/// `allowCredentials` or `userVerification`, or just `challenge` and no `user` (authentication).
pub fn find_options(body: &Json, ceremony: Ceremony) -> Option<String> {
    fn walk(v: &Json, at: &str, ceremony: Ceremony, depth: usize) -> Option<String> {
        let o = v.as_object()?;
        let looks = o.get("challenge").is_some_and(Json::is_string)
            && match ceremony {
                Ceremony::Registration => o.contains_key("pubKeyCredParams") || o.contains_key("user"),
                Ceremony::Authentication => !o.contains_key("user") && !o.contains_key("pubKeyCredParams"),
            };
        if looks {
            return Some(at.to_owned());
        }
        if depth == 0 {
            return None;
        }
        o.iter().find_map(|(k, child)| {
            let token = k.replace('~', "~0").replace('/', "~1");
            walk(child, &format!("{at}/{token}"), ceremony, depth - 1)
        })
    }
    walk(body, "", ceremony, 4)
}

/// A JSON value shortened for a reader: long strings cut, long arrays cut, the whole at most `max` chars.
pub fn abbreviate_json(v: &Json, max: usize) -> String {
    fn shorten(v: &Json) -> Json {
        match v {
            Json::String(s) if s.chars().count() > 48 => Json::String(format!(
                "{}…({} chars)",
                s.chars().take(40).collect::<String>(),
                s.chars().count()
            )),
            Json::Array(a) if a.len() > 8 => {
                let mut out: Vec<Json> = a.iter().take(8).map(shorten).collect();
                out.push(Json::String(format!("…({} items)", a.len())));
                Json::Array(out)
            }
            Json::Array(a) => Json::Array(a.iter().map(shorten).collect()),
            Json::Object(o) => Json::Object(o.iter().map(|(k, v)| (k.clone(), shorten(v))).collect()),
            other => other.clone(),
        }
    }
    abbreviate_str(&shorten(v).to_string(), max)
}

fn abbreviate_str(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        s.to_owned()
    } else {
        format!("{}…({n} chars)", s.chars().take(max).collect::<String>())
    }
}

/// A body for a reader: JSON abbreviated, other text cut and on one line, an empty body said so.
pub fn abbreviate_body(bytes: &[u8], max: usize) -> String {
    if bytes.is_empty() {
        return "(empty)".to_owned();
    }
    if let Ok(v) = serde_json::from_slice::<Json>(bytes) {
        return abbreviate_json(&v, max);
    }
    let text = String::from_utf8_lossy(bytes);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    abbreviate_str(&one_line, max.min(400))
}

/// Reply headers worth showing: what carries state or type, and anything CSRF-like.
fn interesting(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["content-type", "set-cookie", "location", "www-authenticate"].contains(&n.as_str())
        || n.contains("csrf")
        || n.contains("xsrf")
}

impl Probe {
    /// The transcript as text: each exchange (request line, the headers the profile set, cookies sent, body;
    /// status, the headers that matter, body), notes, and the diagnosis.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            match e {
                Event::Exchange { exchange: x, notes } => {
                    let _ = writeln!(out, "── {} ──", x.step);
                    let _ = writeln!(out, "> {} {}", x.method, x.url);
                    for (n, v) in &x.headers {
                        let _ = writeln!(out, "> {n}: {}", abbreviate_str(v, 120));
                    }
                    if !x.cookies.is_empty() {
                        let _ = writeln!(out, "> (cookies held: {})", x.cookies.join(", "));
                    }
                    if let Some(b) = &x.body {
                        let _ = writeln!(out, "> {}", abbreviate_body(b, 1200));
                    }
                    match &x.reply {
                        Ok(r) => {
                            let _ = writeln!(out, "< HTTP {}", r.status);
                            for (n, v) in r.headers.iter().filter(|(n, _)| interesting(n)) {
                                let _ = writeln!(out, "< {n}: {}", abbreviate_str(v, 120));
                            }
                            let _ = writeln!(out, "< {}", abbreviate_body(&r.body, 1200));
                        }
                        Err(e) => {
                            let _ = writeln!(out, "< no reply: {e}");
                        }
                    }
                    for n in notes {
                        let _ = writeln!(out, "  {n}");
                    }
                }
                Event::Accepted(c) => {
                    let _ = writeln!(out, "✓ {} accepted\n", ceremony_name(*c));
                }
                Event::Failed { step, diagnosis } => {
                    let _ = writeln!(out, "✗ {step} went wrong:");
                    for d in diagnosis {
                        let _ = writeln!(out, "  - {d}");
                    }
                }
            }
        }
        if self.succeeded() {
            out.push_str("probe: registration and sign-in both succeeded through the profile\n");
        }
        out
    }
}

fn ceremony_name(c: Ceremony) -> &'static str {
    match c {
        Ceremony::Registration => "registration",
        Ceremony::Authentication => "authentication (sign-in)",
    }
}
