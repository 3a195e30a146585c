//! RP profiles: how to reach a relying party through its own API. A profile (TOML) says, for each ceremony,
//! which request starts it and which finishes it (method, path and body templates), where the options sit in
//! the begin reply, what counts as acceptance and where the error message is; how sessions work (cookies
//! always, extra headers, a prelude run once per virtual user that captures values such as a CSRF token, an
//! account step for RPs that register only signed-in users); and what the RP fixes instead of taking per
//! request (user verification, attestation conveyance, algorithms, one account or many).
//!
//! [`RpProfile::parse`] reads one strictly: an unknown field, a value of the wrong type, an unknown placeholder
//! or a malformed JSON pointer is a [`ProfileError`] naming the file, the line and the field.
//! [`crate::profile_target::ProfileTarget`] speaks it. The conformance API itself is the built-in profile
//! [`CONFORMANCE_API`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::Value as Json;

/// The FIDO2 server conformance API as an RP profile: what `grade --target URL` speaks.
pub const CONFORMANCE_API: &str = include_str!("profiles/conformance-api.toml");

/// A profile that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    /// The file it came from (as the user named it).
    pub file: String,
    /// The 1-based line of the offending value, where known.
    pub line: Option<usize>,
    /// The field (its key, or a dotted path to it), where known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ProfileError {}

/// An RP profile (see the module documentation and the README's "Grade your own RP").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpProfile {
    pub rp: Rp,
    #[serde(default)]
    pub session: Session,
    #[serde(default)]
    pub capabilities: Capabilities,
    pub registration: CeremonyApi,
    pub authentication: CeremonyApi,
}

/// Where the RP is and who it is.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Rp {
    /// Its base URL: every path is appended to it (it may carry a path prefix). `--target` overrides it.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The origins it accepts; the first is the one the virtual client reports (default: the base URL's).
    #[serde(default)]
    pub origins: Vec<String>,
    /// Its RP ID, used when its options name none (default: the base URL's host).
    #[serde(default)]
    pub rp_id: Option<String>,
}

/// How sessions work: cookies always (one jar per virtual user); these headers on every request; the prelude
/// before a virtual user's first call; the account steps before its first registration.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Session {
    #[serde(default)]
    pub headers: BTreeMap<String, Template>,
    #[serde(default)]
    pub prelude: Vec<Request>,
    #[serde(default)]
    pub account: Vec<Request>,
}

/// What the RP fixes instead of taking it per request. A case that needs otherwise is UNSUPPORTED.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// The userVerification it always asks for.
    #[serde(default)]
    pub user_verification: Option<UserVerification>,
    /// The attestation conveyance it always asks for.
    #[serde(default)]
    pub attestation: Option<Conveyance>,
    /// The COSE algorithms it always offers (used when its options list no pubKeyCredParams).
    #[serde(default)]
    pub algorithms: Option<Vec<i64>>,
    /// Whether it has accounts at all (`many`, the default) or one account every ceremony is for (`one`).
    #[serde(default)]
    pub users: Users,
    /// Whether it trusts the harness's attestation root or test metadata (`webauthn-harness pki export`);
    /// default `false`: cases whose attestation chains to the harness root are UNSUPPORTED.
    #[serde(default)]
    pub trusts_harness_pki: bool,
    /// Whether it loaded the harness's test metadata (the MDS3 BLOB or statements of `pki export`) and applies
    /// its status reports; default `false`: the cases of models the metadata reports revoked or compromised are
    /// UNSUPPORTED.
    #[serde(default)]
    pub loads_harness_metadata: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    Required,
    Preferred,
    Discouraged,
}

impl UserVerification {
    pub fn as_str(self) -> &'static str {
        match self {
            UserVerification::Required => "required",
            UserVerification::Preferred => "preferred",
            UserVerification::Discouraged => "discouraged",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Conveyance {
    None,
    Indirect,
    Direct,
    Enterprise,
}

impl Conveyance {
    pub fn as_str(self) -> &'static str {
        match self {
            Conveyance::None => "none",
            Conveyance::Indirect => "indirect",
            Conveyance::Direct => "direct",
            Conveyance::Enterprise => "enterprise",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Users {
    One,
    #[default]
    Many,
}

/// A ceremony's two requests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyApi {
    pub begin: Request,
    pub finish: Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[default]
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "PATCH")]
    Patch,
    #[serde(rename = "DELETE")]
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// How a body is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// `application/json`: the body template as JSON.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`: each member of the body table a field (a value that is not a
    /// string is sent as its JSON text).
    Form,
}

/// One HTTP request the profile makes: a prelude or account step, or a ceremony's begin or finish.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default)]
    pub method: Method,
    /// Appended to the base URL; placeholders are percent-encoded.
    pub path: Template,
    #[serde(default)]
    pub encoding: Encoding,
    /// The body: a TOML value whose strings are templates (none: no body).
    #[serde(default)]
    pub body: Option<Body>,
    /// Headers of this request besides the session's.
    #[serde(default)]
    pub headers: BTreeMap<String, Template>,
    /// Values to keep for later requests of the same virtual user (`{var.NAME}`).
    #[serde(default)]
    pub capture: Vec<Capture>,
    /// What counts as acceptance (default: a 2xx status; for a begin, also options found at `options`).
    #[serde(default)]
    pub accept: Option<Accept>,
    /// A begin or finish only: what a refusal the RP means looks like when its status says otherwise. A reply
    /// that is not accepted and matches is a clean refusal even with a server-error status (an RP that
    /// answers every response it cannot verify with a 500 and a JSON error code), not a crash.
    #[serde(default)]
    pub refusal: Option<Accept>,
    /// A set-up step only (prelude or account): when its reply matches this predicate, the remaining steps
    /// of that set-up are skipped (a sign-up that signs the new user in needs no sign-in after it).
    #[serde(default)]
    pub stop_if: Option<Accept>,
    /// Where the RP's error message is in its reply.
    #[serde(default)]
    pub error: Option<Pointer>,
    /// A begin only: where the options are in the reply (default: the whole reply).
    #[serde(default)]
    pub options: Option<toml::Spanned<Pointer>>,
}

/// The accept predicate: every condition given must hold.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// The HTTP statuses that may accept: a list, or `"any"` (absent: any 2xx).
    #[serde(default)]
    pub status: Statuses,
    /// Members of the JSON reply and the value each must have.
    #[serde(default, deserialize_with = "pointer_values")]
    pub json: Vec<(Pointer, Json)>,
    /// Members the JSON reply must not have (an error member of an always-200 API).
    #[serde(default)]
    pub absent: Vec<Pointer>,
}

impl Accept {
    /// Whether the reply must be JSON for the predicate to hold.
    pub fn wants_json(&self) -> bool {
        !self.json.is_empty() || !self.absent.is_empty()
    }

    /// Whether a reply of `status` with `body` (`None`: not JSON) is an acceptance.
    pub fn holds(&self, status: u16, body: Option<&Json>) -> bool {
        if !self.status.allows(status) {
            return false;
        }
        if !self.wants_json() {
            return true;
        }
        let Some(body) = body else { return false };
        self.json.iter().all(|(p, v)| body.pointer(p.as_str()) == Some(v))
            && self.absent.iter().all(|p| body.pointer(p.as_str()).is_none())
    }
}

/// The HTTP statuses an accept predicate allows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Statuses {
    /// Any 2xx.
    #[default]
    Success,
    /// Any status at all (the conformance API: only the body's `status` member counts).
    Any,
    /// These.
    List(Vec<u16>),
}

impl Statuses {
    pub fn allows(&self, status: u16) -> bool {
        match self {
            Statuses::Success => (200..300).contains(&status),
            Statuses::Any => true,
            Statuses::List(l) => l.contains(&status),
        }
    }
}

impl<'de> Deserialize<'de> for Statuses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Statuses, D::Error> {
        let wanted = "a list of HTTP statuses or \"any\"";
        match toml::Value::deserialize(d)? {
            toml::Value::String(s) if s == "any" => Ok(Statuses::Any),
            toml::Value::Array(a) => a
                .iter()
                .map(|v| {
                    v.as_integer()
                        .and_then(|i| u16::try_from(i).ok())
                        .filter(|s| (100..600).contains(s))
                        .ok_or_else(|| {
                            de::Error::custom(format!("{v} is not an HTTP status; expected {wanted}"))
                        })
                })
                .collect::<Result<_, _>>()
                .map(Statuses::List),
            other => Err(de::Error::custom(format!(
                "invalid type: {} {other}, expected {wanted}",
                other.type_str()
            ))),
        }
    }
}

fn pointer_values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Pointer, Json)>, D::Error> {
    let table = BTreeMap::<String, toml::Value>::deserialize(d)?;
    table
        .into_iter()
        .map(|(k, v)| {
            let p = Pointer::new(&k).map_err(de::Error::custom)?;
            let v = serde_json::to_value(v).map_err(de::Error::custom)?;
            Ok((p, v))
        })
        .collect()
}

/// Where a captured value comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A member of the JSON reply (a string, or any value as its JSON text).
    Json(Pointer),
    /// The first group (or the whole match) of a regular expression over the reply's body.
    Regex(regex::Regex),
    /// A cookie the client holds after the reply.
    Cookie(String),
    /// A header of the reply.
    Header(String),
}

impl fmt::Display for Source {
    /// The source as a profile writes it: `json = "/token"`, `cookie = "sid"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Json(p) => write!(f, "json = {:?}", p.as_str()),
            Source::Regex(r) => write!(f, "regex = {:?}", r.as_str()),
            Source::Cookie(c) => write!(f, "cookie = {c:?}"),
            Source::Header(h) => write!(f, "header = {h:?}"),
        }
    }
}

/// `{ name = "csrf", json = "/token" }` (or `regex`, `cookie`, `header`): a value kept as `{var.NAME}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawCapture")]
pub struct Capture {
    pub name: String,
    pub source: Source,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapture {
    name: String,
    json: Option<String>,
    regex: Option<String>,
    cookie: Option<String>,
    header: Option<String>,
}

impl TryFrom<RawCapture> for Capture {
    type Error = String;
    fn try_from(r: RawCapture) -> Result<Capture, String> {
        if !valid_name(&r.name) {
            return Err(format!("capture name {:?}: letters, digits, '_' and '-' only", r.name));
        }
        let mut sources = Vec::new();
        if let Some(p) = r.json {
            sources.push(Source::Json(Pointer::new(&p)?));
        }
        if let Some(x) = r.regex {
            let re = regex::Regex::new(&x).map_err(|e| format!("capture {:?}: bad regex: {e}", r.name))?;
            sources.push(Source::Regex(re));
        }
        if let Some(c) = r.cookie {
            sources.push(Source::Cookie(c));
        }
        if let Some(h) = r.header {
            sources.push(Source::Header(h));
        }
        if sources.len() != 1 {
            return Err(format!(
                "capture {:?} needs exactly one of json, regex, cookie, header (it has {})",
                r.name,
                sources.len()
            ));
        }
        Ok(Capture { name: r.name, source: sources.remove(0) })
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A JSON pointer (RFC 6901): empty (the whole document) or `/`-separated tokens with `~0` and `~1` escapes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pointer(String);

impl Pointer {
    pub fn new(s: &str) -> Result<Pointer, String> {
        if !s.is_empty() && !s.starts_with('/') {
            return Err(format!("JSON pointer {s:?} must be empty or start with '/' (RFC 6901)"));
        }
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
                return Err(format!("JSON pointer {s:?}: '~' must be followed by 0 or 1 (RFC 6901)"));
            }
        }
        Ok(Pointer(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Pointer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pointer, D::Error> {
        Pointer::new(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// What a placeholder stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// The virtual user's name (`{username}`).
    Username,
    /// Its display name (`{display_name}`).
    DisplayName,
    /// A password derived from the username, for account steps (`{password}`).
    Password,
    /// The userVerification the case asks for (`{user_verification}`).
    UserVerification,
    /// The attestation conveyance the case asks for (`{attestation}`).
    Attestation,
    /// The conformance API request the case makes, or a member of it (`{request}`, `{request.username}`).
    Request(Vec<String>),
    /// The credential (finish only), or a member (`{credential}`, `{credential.response.clientDataJSON}`).
    Credential(Vec<String>),
    /// A value captured earlier (`{var.NAME}`).
    Var(String),
    /// The origin the virtual client reports (`{origin}`: the first of `rp.origins` or `--origin`), as a
    /// browser sends it in an `Origin` header.
    Origin,
}

impl fmt::Display for Slot {
    /// The placeholder as a template writes it: `{username}`, `{credential.response.clientDataJSON}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with = |f: &mut fmt::Formatter<'_>, name: &str, path: &[String]| {
            write!(f, "{{{name}")?;
            for m in path {
                write!(f, ".{m}")?;
            }
            write!(f, "}}")
        };
        match self {
            Slot::Username => write!(f, "{{username}}"),
            Slot::DisplayName => write!(f, "{{display_name}}"),
            Slot::Password => write!(f, "{{password}}"),
            Slot::UserVerification => write!(f, "{{user_verification}}"),
            Slot::Attestation => write!(f, "{{attestation}}"),
            Slot::Origin => write!(f, "{{origin}}"),
            Slot::Request(path) => with(f, "request", path),
            Slot::Credential(path) => with(f, "credential", path),
            Slot::Var(name) => write!(f, "{{var.{name}}}"),
        }
    }
}

/// The placeholders a template may use, for messages.
pub const PLACEHOLDERS: &str = "{username}, {display_name}, {password}, {user_verification}, {attestation}, \
     {origin}, {request}, {request.MEMBER...}, {credential}, {credential.MEMBER...} (finish only), {var.NAME}";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Slot(Slot),
}

/// A string with placeholders (`{username}`; `{{` and `}}` are literal braces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub source: String,
    pub parts: Vec<Part>,
}

impl Template {
    pub fn parse(s: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(['{', '}']) {
            text.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                text.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('}') {
                return Err(format!("{s:?}: a lone '}}' (write '}}}}' for a brace)"));
            }
            let Some(end) = tail.find('}') else {
                return Err(format!("{s:?}: '{{' without its '}}' (write '{{{{' for a brace)"));
            };
            let name = &tail[1..end];
            let slot =
                slot(name).ok_or_else(|| format!("unknown placeholder {{{name}}}; known: {PLACEHOLDERS}"))?;
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Slot(slot));
            rest = &tail[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { source: s.to_owned(), parts })
    }

    /// The slot when the template is exactly one placeholder (its value is then used as it is, not as text).
    pub fn whole(&self) -> Option<&Slot> {
        match self.parts.as_slice() {
            [Part::Slot(s)] => Some(s),
            _ => None,
        }
    }

    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.parts.iter().filter_map(|p| match p {
            Part::Slot(s) => Some(s),
            Part::Text(_) => None,
        })
    }
}

fn slot(name: &str) -> Option<Slot> {
    let path = |rest: &str| -> Option<Vec<String>> {
        let members: Vec<String> = rest.split('.').map(str::to_owned).collect();
        members.iter().all(|m| !m.is_empty()).then_some(members)
    };
    Some(match name {
        "username" => Slot::Username,
        "display_name" => Slot::DisplayName,
        "password" => Slot::Password,
        "user_verification" => Slot::UserVerification,
        "attestation" => Slot::Attestation,
        "origin" => Slot::Origin,
        "request" => Slot::Request(vec![]),
        "credential" => Slot::Credential(vec![]),
        _ => {
            if let Some(rest) = name.strip_prefix("request.") {
                Slot::Request(path(rest)?)
            } else if let Some(rest) = name.strip_prefix("credential.") {
                Slot::Credential(path(rest)?)
            } else if let Some(rest) = name.strip_prefix("var.") {
                valid_name(rest).then(|| Slot::Var(rest.to_owned()))?
            } else {
                return None;
            }
        }
    })
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Template, D::Error> {
        Template::parse(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// A body template: a JSON-like tree whose strings are templates.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(Template),
    Array(Vec<Body>),
    Table(Vec<(String, Body)>),
}

impl Body {
    fn from_toml(v: toml::Value) -> Result<Body, String> {
        Ok(match v {
            toml::Value::String(s) => Body::String(Template::parse(&s)?),
            toml::Value::Integer(i) => Body::Integer(i),
            toml::Value::Float(f) => Body::Float(f),
            toml::Value::Boolean(b) => Body::Bool(b),
            toml::Value::Datetime(d) => Body::String(Template::parse(&d.to_string())?),
            toml::Value::Array(a) => {
                Body::Array(a.into_iter().map(Body::from_toml).collect::<Result<_, _>>()?)
            }
            toml::Value::Table(t) => Body::Table(
                t.into_iter().map(|(k, v)| Ok((k, Body::from_toml(v)?))).collect::<Result<_, String>>()?,
            ),
        })
    }

    /// Every template in the body.
    pub fn templates(&self) -> Vec<&Template> {
        let mut out = Vec::new();
        fn walk<'a>(b: &'a Body, out: &mut Vec<&'a Template>) {
            match b {
                Body::String(t) => out.push(t),
                Body::Array(a) => a.iter().for_each(|x| walk(x, out)),
                Body::Table(t) => t.iter().for_each(|(_, x)| walk(x, out)),
                _ => {}
            }
        }
        walk(self, &mut out);
        out
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Body, D::Error> {
        Body::from_toml(toml::Value::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// Which request of the profile a template is in, for what it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Session,
    Begin,
    Finish,
}

impl RpProfile {
    /// Reads a profile from `text`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<RpProfile, ProfileError> {
        let profile: RpProfile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let field = line.and_then(|l| key_on_line(text, l));
            ProfileError { file: file.to_owned(), line, field, message: e.message().trim().to_owned() }
        })?;
        profile.validate(file, text)?;
        Ok(profile)
    }

    /// The built-in profile of the FIDO2 server conformance API.
    pub fn conformance_api() -> RpProfile {
        // The built-in text is tested to parse (tests below); a failure here is a build defect.
        RpProfile::parse("conformance-api.toml", CONFORMANCE_API)
            .unwrap_or_else(|e| panic!("the built-in conformance API profile does not parse: {e}"))
    }

    /// The checks a field-by-field parse cannot make: which placeholders each request may use, that every
    /// `{var.NAME}` is captured somewhere, that only a begin names `options`, that paths start with '/'.
    fn validate(&self, file: &str, text: &str) -> Result<(), ProfileError> {
        let err = |needle: &str, field: &str, message: String| ProfileError {
            file: file.to_owned(),
            line: text.find(needle).map(|i| line_of(text, i)),
            field: Some(field.to_owned()),
            message,
        };
        let captured: Vec<&str> = self
            .session
            .prelude
            .iter()
            .chain(&self.session.account)
            .chain([&self.registration.begin, &self.registration.finish])
            .chain([&self.authentication.begin, &self.authentication.finish])
            .flat_map(|r| r.capture.iter().map(|c| c.name.as_str()))
            .collect();
        let check_template = |t: &Template, place: Place, field: &str| -> Result<(), ProfileError> {
            for s in t.slots() {
                match s {
                    Slot::Credential(_) if place != Place::Finish => {
                        return Err(err(
                            &t.source,
                            field,
                            format!("{:?}: {{credential...}} is only known in a finish request", t.source),
                        ))
                    }
                    Slot::Var(name) if !captured.contains(&name.as_str()) => {
                        return Err(err(
                            &t.source,
                            field,
                            format!("{:?}: no request captures {{var.{name}}}", t.source),
                        ))
                    }
                    _ => {}
                }
            }
            Ok(())
        };
        for (name, t) in &self.session.headers {
            check_template(t, Place::Session, &format!("session.headers.{name}"))?;
        }
        let requests = self
            .session
            .prelude
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("session.prelude[{i}]"), r, Place::Session))
            .chain(
                self.session
                    .account
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("session.account[{i}]"), r, Place::Session)),
            )
            .chain([
                ("registration.begin".to_owned(), &self.registration.begin, Place::Begin),
                ("registration.finish".to_owned(), &self.registration.finish, Place::Finish),
                ("authentication.begin".to_owned(), &self.authentication.begin, Place::Begin),
                ("authentication.finish".to_owned(), &self.authentication.finish, Place::Finish),
            ]);
        for (name, r, place) in requests {
            if !r.path.source.starts_with('/') {
                return Err(err(
                    &r.path.source,
                    &format!("{name}.path"),
                    format!("{:?} must start with '/' (it is appended to the base URL)", r.path.source),
                ));
            }
            check_template(&r.path, place, &format!("{name}.path"))?;
            for (h, t) in &r.headers {
                check_template(t, place, &format!("{name}.headers.{h}"))?;
            }
            if let Some(body) = &r.body {
                if matches!(r.method, Method::Get | Method::Delete) {
                    return Err(err(
                        &r.path.source,
                        &format!("{name}.body"),
                        format!("a {} request has no body", r.method.as_str()),
                    ));
                }
                for t in body.templates() {
                    check_template(t, place, &format!("{name}.body"))?;
                }
                if r.encoding == Encoding::Form && !matches!(body, Body::Table(_)) {
                    return Err(err(
                        "encoding",
                        &format!("{name}.body"),
                        "a form-encoded body must be a table of fields".to_owned(),
                    ));
                }
            }
            if r.refusal.is_some() && place == Place::Session {
                return Err(err(
                    "refusal",
                    &format!("{name}.refusal"),
                    "only a begin or finish request has a refusal (a set-up step must be accepted)"
                        .to_owned(),
                ));
            }
            if r.stop_if.is_some() && place != Place::Session {
                return Err(err(
                    "stop_if",
                    &format!("{name}.stop_if"),
                    "only a prelude or account step has a stop_if".to_owned(),
                ));
            }
            if let Some(options) = &r.options {
                if place != Place::Begin {
                    return Err(ProfileError {
                        file: file.to_owned(),
                        line: Some(line_of(text, options.span().start)),
                        field: Some(format!("{name}.options")),
                        message: "only a begin request has options".to_owned(),
                    });
                }
            }
        }
        if let Some(url) = &self.rp.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(err(url, "rp.base_url", format!("{url:?} is not an http(s) URL")));
            }
        }
        Ok(())
    }
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).map_or(1, |t| t.matches('\n').count() + 1)
}

/// The key assigned on a line (`key = ...`) or the table a header line names (`[a.b]`).
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?.trim();
    if let Some(h) = l.strip_prefix('[') {
        return Some(h.trim_start_matches('[').split(']').next()?.trim().to_owned());
    }
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[rp]
base_url = "http://localhost:8000"

[registration.begin]
path = "/register/{username}/begin"
options = "/publicKey"

[registration.finish]
path = "/register/finish"
body = { credential = "{credential}" }
accept = { json = { "/verified" = true } }
error = "/error/message"

[authentication.begin]
path = "/login/begin"
encoding = "form"
body = { username = "{username}" }

[authentication.finish]
path = "/login/finish"
body = { credential = "{credential}", csrf = "{var.csrf}" }

[[session.prelude]]
method = "GET"
path = "/csrf"
capture = [{ name = "csrf", json = "/token" }]
"#;

    fn parse(text: &str) -> Result<RpProfile, ProfileError> {
        RpProfile::parse("rp.toml", text)
    }

    fn error(text: &str) -> ProfileError {
        parse(text).expect_err("the profile must be refused")
    }

    #[test]
    fn the_built_in_and_a_custom_profile_parse() {
        let p = RpProfile::conformance_api();
        assert_eq!(p.registration.begin.path.source, "/attestation/options");
        let p = parse(MINIMAL).unwrap();
        assert_eq!(p.registration.begin.options.as_ref().unwrap().get_ref().as_str(), "/publicKey");
        assert_eq!(p.authentication.begin.encoding, Encoding::Form);
        assert_eq!(
            p.registration.finish.body.as_ref().unwrap().templates()[0].whole(),
            Some(&Slot::Credential(vec![]))
        );
        assert!(matches!(p.session.prelude[0].capture[0].source, Source::Json(_)));
        let accept = p.registration.finish.accept.as_ref().unwrap();
        assert!(accept.holds(200, Some(&serde_json::json!({"verified": true}))));
        assert!(!accept.holds(200, Some(&serde_json::json!({"verified": "true"}))));
        assert!(!accept.holds(400, Some(&serde_json::json!({"verified": true}))));
        assert!(!accept.holds(200, None));
    }

    #[test]
    fn an_unknown_field_names_file_line_and_field() {
        let e = error(&MINIMAL.replace("options = \"/publicKey\"", "optoins = \"/publicKey\""));
        assert_eq!(e.file, "rp.toml");
        assert_eq!(e.line, Some(7));
        assert_eq!(e.field.as_deref(), Some("optoins"));
        assert!(e.message.contains("unknown field `optoins`"), "{e}");
        assert!(e.to_string().starts_with("rp.toml:7: optoins: unknown field"), "{e}");
    }

    #[test]
    fn a_wrong_type_names_its_line_and_field() {
        let e = error(&MINIMAL.replace("accept = { json", "accept = { status = \"200\", json"));
        assert_eq!(e.line, Some(12));
        assert_eq!(e.field.as_deref(), Some("accept"));
        assert!(e.message.contains("invalid type: string \"200\""), "{e}");
    }

    #[test]
    fn an_unknown_placeholder_is_refused_where_it_is() {
        let e = error(&MINIMAL.replace("{credential}\" }", "{credentail}\" }"));
        assert_eq!(e.line, Some(11));
        assert!(e.message.contains("unknown placeholder {credentail}"), "{e}");
        // In a path, and a credential where there is none yet.
        let e = error(&MINIMAL.replace("/register/{username}/begin", "/register/{user}/begin"));
        assert_eq!((e.line, e.field.as_deref()), (Some(6), Some("path")));
        let e = error(
            &MINIMAL.replace("body = { username = \"{username}\" }", "body = { c = \"{credential.id}\" }"),
        );
        assert_eq!(e.field.as_deref(), Some("authentication.begin.body"));
        assert_eq!(e.line, Some(18));
        assert!(e.message.contains("only known in a finish request"), "{e}");
    }

    #[test]
    fn a_variable_nothing_captures_is_refused() {
        let e = error(&MINIMAL.replace("{var.csrf}", "{var.token}"));
        assert_eq!(e.field.as_deref(), Some("authentication.finish.body"));
        assert_eq!(e.line, Some(22));
        assert!(e.message.contains("no request captures {var.token}"), "{e}");
    }

    #[test]
    fn a_bad_json_pointer_is_refused() {
        let e = error(&MINIMAL.replace("error = \"/error/message\"", "error = \"error/message\""));
        assert_eq!((e.line, e.field.as_deref()), (Some(13), Some("error")));
        assert!(e.message.contains("must be empty or start with '/'"), "{e}");
        let e = error(&MINIMAL.replace("\"/verified\" = true", "\"/ver~2ified\" = true"));
        assert_eq!(e.line, Some(12));
        assert!(e.message.contains("'~' must be followed by 0 or 1"), "{e}");
        let e = error(&MINIMAL.replace("json = \"/token\"", "json = \"token\""));
        assert_eq!(e.line, Some(27));
    }

    #[test]
    fn options_outside_a_begin_and_captures_without_one_source_are_refused() {
        let e = error(&MINIMAL.replace("error = \"/error/message\"", "options = \"/x\""));
        assert_eq!((e.line, e.field.as_deref()), (Some(13), Some("registration.finish.options")));
        let e = error(&MINIMAL.replace("json = \"/token\"", "json = \"/token\", cookie = \"c\""));
        assert!(e.message.contains("exactly one of json, regex, cookie, header"), "{e}");
        let e = error(&MINIMAL.replace("method = \"GET\"", "method = \"FETCH\""));
        assert!(e.message.contains("unknown variant `FETCH`"), "{e}");
    }

    #[test]
    fn a_refusal_belongs_to_a_begin_or_a_finish() {
        let refusal = "refusal = { status = [500], json = { \"/code\" = \"FAILED\" } }";
        let p = parse(
            &MINIMAL.replace("error = \"/error/message\"", &format!("error = \"/error/message\"\n{refusal}")),
        )
        .unwrap();
        let r = p.registration.finish.refusal.as_ref().unwrap();
        assert!(r.holds(500, Some(&serde_json::json!({"code": "FAILED"}))));
        assert!(!r.holds(500, Some(&serde_json::json!({"code": "OTHER"}))));
        let e = error(&MINIMAL.replace("capture = [", &format!("{refusal}\ncapture = [")));
        assert_eq!(e.field.as_deref(), Some("session.prelude[0].refusal"));
        assert_eq!(e.line, Some(27));
        assert!(e.message.contains("only a begin or finish request has a refusal"), "{e}");
        // And the other way round: stop_if belongs to a set-up step.
        let p = parse(&MINIMAL.replace("capture = [", "stop_if = { status = [200] }\ncapture = [")).unwrap();
        assert!(p.session.prelude[0].stop_if.as_ref().unwrap().holds(200, None));
        let e = error(&MINIMAL.replace("error = \"/error/message\"", "stop_if = { status = [200] }"));
        assert_eq!((e.line, e.field.as_deref()), (Some(13), Some("registration.finish.stop_if")));
        assert!(e.message.contains("only a prelude or account step has a stop_if"), "{e}");
    }

    #[test]
    fn templates_keep_text_and_slots_apart() {
        let t =
            Template::parse("/u/{username}/{{x}}/{request.authenticatorSelection.userVerification}").unwrap();
        assert_eq!(
            t.parts,
            vec![
                Part::Text("/u/".into()),
                Part::Slot(Slot::Username),
                Part::Text("/{x}/".into()),
                Part::Slot(Slot::Request(vec!["authenticatorSelection".into(), "userVerification".into()])),
            ]
        );
        assert_eq!(Template::parse("{origin}").unwrap().whole(), Some(&Slot::Origin));
        assert!(Template::parse("{var.}").is_err());
        assert!(Template::parse("{request..x}").is_err());
        assert!(Template::parse("a}b").is_err());
        assert!(Template::parse("{username").is_err());
    }
}
