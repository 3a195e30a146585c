//! `profile draft`: an RP profile drafted from a browser's HAR recording (HAR 1.2) of a registration and a
//! sign-in on the user's site.
//!
//! The options are found in JSON replies by their members: an object with a string `challenge` and
//! `pubKeyCredParams` is registration options, one with a string `challenge` and `rpId` or
//! `allowCredentials` (and neither `user` nor `pubKeyCredParams`) is sign-in options; the JSON pointer to
//! the object is the profile's `options`. The request that got them is the ceremony's begin (its method, its
//! path with the user's name made `{username}`, its body with placeholders), the first later request whose
//! body carries the credential (`clientDataJSON` with `attestationObject`, or with `authenticatorData`) is its
//! finish (the credential made `{credential}`, or its members `{credential.MEMBER}`), and the finish's reply
//! gives the accept signal. Request headers named like a CSRF token become session headers, their value
//! captured from the earlier reply that held it (a prelude step) where there is one.
//!
//! The draft is TOML that [`RpProfile::parse`] accepts, with comments saying what was inferred and what to
//! check; it is a start, to be checked with `probe`.

use std::fmt::Write as _;

use serde_json::{Map, Value as Json};

use crate::profile::RpProfile;

/// One HAR entry, reduced to what a draft uses.
#[derive(Debug, Clone)]
pub struct Entry {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_mime: String,
    pub request_body: Option<String>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
}

impl Entry {
    /// scheme://host[:port] of the URL.
    fn origin(&self) -> &str {
        let after = self.url.find("://").map_or(0, |i| i + 3);
        let end = self.url[after..].find('/').map_or(self.url.len(), |i| after + i);
        &self.url[..end]
    }

    /// The path and query of the URL (`/` when it has none).
    fn path(&self) -> &str {
        let origin = self.origin().len();
        let rest = self.url[origin..].split('#').next().unwrap_or_default();
        if rest.is_empty() {
            "/"
        } else {
            rest
        }
    }

    fn is_form(&self) -> bool {
        self.request_mime.to_ascii_lowercase().contains("x-www-form-urlencoded")
    }

    /// The request body as JSON: JSON as it is; a form as an object of its fields, a field whose text is a
    /// JSON object or array parsed.
    fn request_json(&self) -> Option<Json> {
        let body = self.request_body.as_deref()?;
        if self.is_form() {
            let fields: Map<String, Json> = form_urlencoded::parse(body.as_bytes())
                .map(|(k, v)| {
                    let value = serde_json::from_str::<Json>(&v)
                        .ok()
                        .filter(|j| j.is_object() || j.is_array())
                        .unwrap_or_else(|| Json::String(v.into_owned()));
                    (k.into_owned(), value)
                })
                .collect();
            return Some(Json::Object(fields));
        }
        serde_json::from_str(body).ok()
    }

    fn response_json(&self) -> Option<Json> {
        serde_json::from_str(self.response_body.as_deref()?).ok()
    }
}

/// Reads the entries of a HAR file.
pub fn parse_har(text: &str) -> Result<Vec<Entry>, String> {
    let har: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let entries = har
        .pointer("/log/entries")
        .and_then(Json::as_array)
        .ok_or("no log.entries array: not a HAR file (HAR 1.2 keeps the exchanges in log.entries)")?;
    let headers = |v: Option<&Json>| -> Vec<(String, String)> {
        v.and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|h| Some((h.get("name")?.as_str()?.to_owned(), h.get("value")?.as_str()?.to_owned())))
            .collect()
    };
    let str_at = |v: &Json, p: &str| v.pointer(p).and_then(Json::as_str).map(str::to_owned);
    Ok(entries
        .iter()
        .filter_map(|e| {
            let method = str_at(e, "/request/method")?;
            let url = str_at(e, "/request/url")?;
            let status = e.pointer("/response/status").and_then(Json::as_u64).unwrap_or(0);
            let response_body = str_at(e, "/response/content/text").map(|t| {
                if e.pointer("/response/content/encoding").and_then(Json::as_str) == Some("base64") {
                    wire::base64url::decode_lenient(&t)
                        .map(|l| String::from_utf8_lossy(&l.bytes).into_owned())
                        .unwrap_or_default()
                } else {
                    t
                }
            });
            Some(Entry {
                method: method.to_ascii_uppercase(),
                url,
                request_headers: headers(e.pointer("/request/headers")),
                request_mime: str_at(e, "/request/postData/mimeType").unwrap_or_default(),
                request_body: str_at(e, "/request/postData/text"),
                status: u16::try_from(status).unwrap_or(0),
                response_headers: headers(e.pointer("/response/headers")),
                response_body,
            })
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Registration,
    Authentication,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Registration => "registration",
            Kind::Authentication => "authentication",
        }
    }
}

fn looks_like_options(o: &Map<String, Json>, kind: Kind) -> bool {
    if !o.get("challenge").is_some_and(Json::is_string) {
        return false;
    }
    match kind {
        Kind::Registration => o.contains_key("pubKeyCredParams"),
        Kind::Authentication => {
            (o.contains_key("rpId") || o.contains_key("allowCredentials"))
                && !o.contains_key("user")
                && !o.contains_key("pubKeyCredParams")
        }
    }
}

/// The JSON pointer of the first object (shallowest first) for which `test` holds.
fn find(v: &Json, test: &dyn Fn(&Map<String, Json>) -> bool) -> Option<String> {
    let mut level = vec![(String::new(), v)];
    for _ in 0..6 {
        let mut next = Vec::new();
        for (at, v) in level {
            match v {
                Json::Object(o) => {
                    if test(o) {
                        return Some(at);
                    }
                    for (k, child) in o {
                        next.push((format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), child));
                    }
                }
                Json::Array(a) => {
                    for (i, child) in a.iter().enumerate() {
                        next.push((format!("{at}/{i}"), child));
                    }
                }
                _ => {}
            }
        }
        level = next;
    }
    None
}

/// Where the credential is in a finish request's body.
#[derive(Debug, Clone)]
enum CredentialAt {
    /// The whole `PublicKeyCredential` JSON (with `response`) at this pointer.
    Whole(String),
    /// Its response members spread over the object at this pointer.
    Flat(String),
}

fn credential_in(body: &Json, kind: Kind) -> Option<CredentialAt> {
    let second = match kind {
        Kind::Registration => "attestationObject",
        Kind::Authentication => "authenticatorData",
    };
    let has = |o: &Map<String, Json>| o.contains_key("clientDataJSON") && o.contains_key(second);
    if let Some(p) = find(body, &|o| o.get("response").and_then(Json::as_object).is_some_and(has)) {
        return Some(CredentialAt::Whole(p));
    }
    find(body, &has).map(CredentialAt::Flat)
}

/// One ceremony found in the recording.
struct Found<'a> {
    begin: &'a Entry,
    options_at: String,
    options: Json,
    finish: &'a Entry,
    finish_body: Json,
    credential: CredentialAt,
    /// Index of the finish entry (the next ceremony is searched after it).
    finish_index: usize,
    begin_index: usize,
}

fn find_ceremony(entries: &[Entry], from: usize, kind: Kind) -> Result<Found<'_>, String> {
    let (begin_index, options_at, options) = entries
        .iter()
        .enumerate()
        .skip(from)
        .find_map(|(i, e)| {
            let json = e.response_json()?;
            let at = find(&json, &|o| looks_like_options(o, kind))?;
            let options = json.pointer(&at)?.clone();
            Some((i, at, options))
        })
        .ok_or_else(|| match kind {
            Kind::Registration => {
                "no registration options found: no JSON reply holds an object with a string \
                                   `challenge` and `pubKeyCredParams`"
                    .to_owned()
            }
            Kind::Authentication => {
                "no sign-in options found after the registration: no JSON reply holds an \
                                     object with a string `challenge` and `rpId` or `allowCredentials`"
                    .to_owned()
            }
        })?;
    let (finish_index, finish_body, credential) = entries
        .iter()
        .enumerate()
        .skip(begin_index + 1)
        .find_map(|(i, e)| {
            let body = e.request_json()?;
            let at = credential_in(&body, kind)?;
            Some((i, body, at))
        })
        .ok_or_else(|| {
            format!(
                "the {} options came from {} {}, and no later request carries the credential (clientDataJSON and {})",
                kind.name(),
                entries[begin_index].method,
                entries[begin_index].url,
                if kind == Kind::Registration { "attestationObject" } else { "authenticatorData" }
            )
        })?;
    Ok(Found {
        begin: &entries[begin_index],
        options_at,
        options,
        finish: &entries[finish_index],
        finish_body,
        credential,
        finish_index,
        begin_index,
    })
}

/// A TOML basic string (JSON's escapes are TOML's; DEL escaped too).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default().replace('\u{7f}', "\\u007F")
}

/// Literal text in a template: braces doubled.
fn literal(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

fn toml_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_owned()
    } else {
        toml_string(k)
    }
}

/// What the values in a recorded body stand for.
struct Names<'a> {
    username: Option<&'a str>,
    display_name: Option<&'a str>,
    /// Recorded values captured as variables: (value, variable name).
    vars: &'a [(String, String)],
}

/// A recorded JSON body as a TOML body template: the credential (at `credential`) as placeholders, the user's
/// name, UV and attestation of a begin, captured values; the rest literal. `None`: nothing to send (null).
fn template(
    v: &Json,
    at: &str,
    names: &Names<'_>,
    credential: Option<&CredentialAt>,
    begin: bool,
    notes: &mut Vec<String>,
) -> Option<String> {
    match credential {
        Some(CredentialAt::Whole(p)) if p == at => return Some(toml_string("{credential}")),
        Some(CredentialAt::Flat(p)) if p == at => {
            if let Json::Object(o) = v {
                let mut parts = Vec::new();
                for (k, child) in o {
                    let member = match k.as_str() {
                        "id" | "rawId" | "type" | "authenticatorAttachment" | "clientExtensionResults" => {
                            format!("{{credential.{k}}}")
                        }
                        "clientDataJSON" | "attestationObject" | "authenticatorData" | "signature"
                        | "userHandle" | "transports" | "publicKey" | "publicKeyAlgorithm" => {
                            format!("{{credential.response.{k}}}")
                        }
                        _ => match template(child, &format!("{at}/{k}"), names, None, begin, notes) {
                            Some(t) => {
                                parts.push(format!("{} = {t}", toml_key(k)));
                                continue;
                            }
                            None => continue,
                        },
                    };
                    parts.push(format!("{} = {}", toml_key(k), toml_string(&member)));
                }
                notes.push(format!(
                    "the credential's members are spread over {}: each mapped to {{credential.MEMBER}} or \
                     {{credential.response.MEMBER}} by its name",
                    if at.is_empty() { "the body".to_owned() } else { format!("{at:?}") }
                ));
                return Some(format!("{{ {} }}", parts.join(", ")));
            }
        }
        _ => {}
    }
    match v {
        Json::Null => None,
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => {
            let leaf = at.rsplit('/').next().unwrap_or_default();
            let t =
                if begin && (at == "/authenticatorSelection/userVerification" || at == "/userVerification") {
                    notes.push(format!(
                        "the begin request asks for userVerification ({at:?}): {{user_verification}}"
                    ));
                    "{user_verification}".to_owned()
                } else if begin && at == "/attestation" {
                    notes.push(
                        "the begin request asks for attestation (\"/attestation\"): {attestation}".to_owned(),
                    );
                    "{attestation}".to_owned()
                } else if let Some((_, var)) = names.vars.iter().find(|(value, _)| value == s) {
                    format!("{{var.{var}}}")
                } else if names.display_name == Some(s.as_str())
                    && (names.username != Some(s.as_str()) || leaf.to_ascii_lowercase().contains("display"))
                {
                    "{display_name}".to_owned()
                } else if names.username == Some(s.as_str()) {
                    "{username}".to_owned()
                } else {
                    literal(s)
                };
            Some(toml_string(&t))
        }
        Json::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .enumerate()
                .filter_map(|(i, x)| template(x, &format!("{at}/{i}"), names, credential, begin, notes))
                .collect();
            Some(format!("[{}]", items.join(", ")))
        }
        Json::Object(o) => {
            let members: Vec<String> = o
                .iter()
                .filter_map(|(k, x)| {
                    let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    template(x, &p, names, credential, begin, notes).map(|t| format!("{} = {t}", toml_key(k)))
                })
                .collect();
            if members.is_empty() {
                Some("{}".to_owned())
            } else {
                Some(format!("{{ {} }}", members.join(", ")))
            }
        }
    }
}

/// The path with the user's name (as it is, or percent-encoded) made `{username}`.
fn path_template(path: &str, username: Option<&str>) -> String {
    let mut out = literal(path);
    if let Some(u) = username.filter(|u| !u.is_empty()) {
        let encoded: String = form_urlencoded::byte_serialize(u.as_bytes()).collect();
        for form in [literal(u), literal(&encoded)] {
            out = out.replace(&form, "{username}");
        }
    }
    out
}

/// A header that looks like it carries a CSRF token.
fn csrf_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("csrf") || n.contains("xsrf")
}

/// Where a recorded value came from: the entry and the capture source (as profile TOML).
fn source_of(entries: &[Entry], before: usize, value: &str) -> Option<(usize, String)> {
    for (i, e) in entries.iter().enumerate().take(before).rev() {
        if let Some(json) = e.response_json() {
            if let Some(p) = find_value(&json, value) {
                return Some((i, format!("json = {}", toml_string(&p))));
            }
        }
        for (n, v) in &e.response_headers {
            if n.eq_ignore_ascii_case("set-cookie") {
                if let Some((name, rest)) = v.split_once('=') {
                    if rest.split(';').next() == Some(value) {
                        return Some((i, format!("cookie = {}", toml_string(name.trim()))));
                    }
                }
            } else if v == value {
                return Some((i, format!("header = {}", toml_string(n))));
            }
        }
        if let Some(text) = &e.response_body {
            if let Some(at) = text.find(value) {
                let mut start = at.saturating_sub(40);
                while !text.is_char_boundary(start) {
                    start += 1;
                }
                // The context starts at a word: after the last space or '<' that leaves at least 16 characters.
                let window = &text[start..at];
                let cut = window
                    .char_indices()
                    .filter(|(_, c)| c.is_whitespace() || *c == '<')
                    .map(|(i, c)| i + c.len_utf8())
                    .rfind(|i| window.len() - i >= 16)
                    .unwrap_or(0);
                let before = &window[cut..];
                let pattern = format!("{}([^\"'<>\\s]+)", regex::escape(before));
                let works = regex::Regex::new(&pattern)
                    .ok()
                    .and_then(|re| re.captures(text)?.get(1).map(|m| m.as_str() == value))
                    .unwrap_or(false);
                if works {
                    return Some((i, format!("regex = {}", toml_string(&pattern))));
                }
            }
        }
    }
    None
}

fn find_value(v: &Json, value: &str) -> Option<String> {
    match v {
        Json::String(s) if s == value => Some(String::new()),
        Json::Object(o) => o.iter().find_map(|(k, x)| {
            find_value(x, value).map(|p| format!("/{}{p}", k.replace('~', "~0").replace('/', "~1")))
        }),
        Json::Array(a) => {
            a.iter().enumerate().find_map(|(i, x)| find_value(x, value).map(|p| format!("/{i}{p}")))
        }
        _ => None,
    }
}

/// The accept predicate a finish (or begin) reply suggests: its status, and a member that says yes.
fn accept_of(e: &Entry) -> (String, Option<String>) {
    let json = e.response_json();
    let signals: [(&str, Json); 6] = [
        ("/verified", Json::Bool(true)),
        ("/status", Json::from("ok")),
        ("/status", Json::from("OK")),
        ("/status", Json::from("success")),
        ("/success", Json::Bool(true)),
        ("/ok", Json::Bool(true)),
    ];
    let member = json.as_ref().and_then(|j| {
        signals
            .iter()
            .find(|(p, v)| j.pointer(p) == Some(v))
            .map(|(p, v)| format!("{} = {v}", toml_string(p)))
    });
    let status = format!("status = [{}]", e.status);
    match &member {
        Some(m) => (format!("{{ {status}, json = {{ {m} }} }}"), member.clone()),
        None => (format!("{{ {status} }}"), None),
    }
}

/// Drafts a profile from the text of a HAR file; `file` names it in the draft's comments. Errors say what
/// could not be found.
pub fn draft(har: &str, file: &str) -> Result<String, String> {
    let entries = parse_har(har)?;
    let reg = find_ceremony(&entries, 0, Kind::Registration)?;
    let auth = find_ceremony(&entries, reg.finish_index + 1, Kind::Authentication)?;
    let username = reg.options.pointer("/user/name").and_then(Json::as_str);
    let display_name = reg.options.pointer("/user/displayName").and_then(Json::as_str);
    let rp_id = reg
        .options
        .pointer("/rp/id")
        .and_then(Json::as_str)
        .or_else(|| auth.options.get("rpId").and_then(Json::as_str));
    // The origin the browser reported: the registration's client data.
    let origin = client_data_origin(&reg.finish_body, &reg.credential)
        .or_else(|| header(reg.finish, "origin").map(str::to_owned));
    let base_url = reg.begin.origin().to_owned();

    // CSRF-like headers on the four requests, and where their values came from.
    let steps = [
        ("registration.begin", reg.begin, reg.begin_index),
        ("registration.finish", reg.finish, reg.finish_index),
        ("authentication.begin", auth.begin, auth.begin_index),
        ("authentication.finish", auth.finish, auth.finish_index),
    ];
    let mut session_headers: Vec<(String, String)> = Vec::new();
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut prelude: Vec<String> = Vec::new();
    let mut header_notes: Vec<String> = Vec::new();
    for (_, e, index) in steps {
        for (name, value) in &e.request_headers {
            if !csrf_like(name) || session_headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            let var = if vars.is_empty() { "csrf".to_owned() } else { format!("csrf{}", vars.len() + 1) };
            match source_of(&entries, index, value) {
                Some((source, capture)) => {
                    let from = &entries[source];
                    prelude.push(format!(
                        "# inferred: the {name} header's value was in the reply to {} {} (entry {source} of the \
                         recording); CHECK that this request hands out a fresh one for a new session.\n\
                         [[session.prelude]]\nmethod = {}\npath = {}\ncapture = [{{ name = {}, {capture} }}]\n",
                        from.method,
                        from.path(),
                        toml_string(&from.method),
                        toml_string(&literal(from.path())),
                        toml_string(&var),
                    ));
                    session_headers.push((name.clone(), format!("{{var.{var}}}")));
                    vars.push((value.clone(), var));
                }
                None => {
                    header_notes.push(format!(
                        "# CHECK: the {name} header looks like a CSRF token, and no earlier reply in the recording \
                         held its value: the recorded value is sent as it is. Capture it in a [[session.prelude]] \
                         step (json, regex, cookie or header) and write \"{{var.NAME}}\" here."
                    ));
                    session_headers.push((name.clone(), literal(value)));
                }
            }
        }
    }

    let names = Names { username, display_name, vars: &vars };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# An RP profile drafted by `webauthn-harness profile draft` from {file}.\n\
         # Everything below was inferred from one recorded registration and sign-in: CHECK each `# CHECK` line,\n\
         # then run `webauthn-harness probe --profile THIS-FILE` until both ceremonies succeed, then grade with it.\n\
         # Fields are described in the README's \"Grade your own RP\"."
    );
    if reg.begin.path().ends_with("/attestation/options") && auth.begin.path().ends_with("/assertion/options")
    {
        let _ = writeln!(
            out,
            "# The paths are the FIDO2 server conformance API's: `webauthn-harness grade --target {base_url}` speaks\n\
             # it directly, and through it every case can be expressed (this draft fixes what the recording asked)."
        );
    }
    out.push_str("\n[rp]\n");
    let _ = writeln!(out, "# inferred: the scheme, host and port of the registration's begin request.");
    let _ = writeln!(out, "base_url = {}", toml_string(&base_url));
    if let Some(o) = &origin {
        let _ = writeln!(out, "# inferred: the origin in the browser's client data.");
        let _ = writeln!(out, "origins = [{}]", toml_string(o));
    }
    if let Some(id) = rp_id {
        let _ = writeln!(out, "# inferred: the RP ID of the recorded options.");
        let _ = writeln!(out, "rp_id = {}", toml_string(id));
    }

    if !session_headers.is_empty() {
        out.push_str("\n[session]\n");
        for n in &header_notes {
            let _ = writeln!(out, "{n}");
        }
        let members: Vec<String> =
            session_headers.iter().map(|(n, v)| format!("{} = {}", toml_string(n), toml_string(v))).collect();
        let _ = writeln!(out, "headers = {{ {} }}", members.join(", "));
    }
    for p in &prelude {
        let _ = write!(out, "\n{p}");
    }

    // What the RP fixes: the options' values where the begin request did not ask for them.
    let mut caps = Vec::new();
    let reg_notes_probe = {
        let mut n = Vec::new();
        let body = reg.begin.request_json();
        let _ = body.as_ref().map(|b| template(b, "", &names, None, true, &mut n));
        n
    };
    let asks_uv = reg_notes_probe.iter().any(|n| n.contains("{user_verification}"));
    let asks_att = reg_notes_probe.iter().any(|n| n.contains("{attestation}"));
    if !asks_uv {
        if let Some(uv) =
            reg.options.pointer("/authenticatorSelection/userVerification").and_then(Json::as_str)
        {
            if ["required", "preferred", "discouraged"].contains(&uv) {
                caps.push(format!(
                    "# inferred: the begin request does not ask for userVerification and the options said {uv:?}.\n\
                     # CHECK that the RP always asks for this (cases that need otherwise become UNSUPPORTED).\n\
                     user_verification = {}",
                    toml_string(uv)
                ));
            }
        }
    }
    if !asks_att {
        if let Some(a) = reg.options.get("attestation").and_then(Json::as_str) {
            if ["none", "indirect", "direct", "enterprise"].contains(&a) {
                caps.push(format!(
                    "# inferred: the begin request does not ask for attestation and the options said {a:?}.\n\
                     # CHECK that the RP always asks for this.\nattestation = {}",
                    toml_string(a)
                ));
            }
        }
    }
    if !caps.is_empty() {
        let _ = writeln!(out, "\n[capabilities]\n{}", caps.join("\n"));
    }

    for (kind, found) in [(Kind::Registration, &reg), (Kind::Authentication, &auth)] {
        write_step(&mut out, kind, "begin", found.begin, &names, None, Some(&found.options_at), username);
        write_step(
            &mut out,
            kind,
            "finish",
            found.finish,
            &names,
            Some((&found.finish_body, &found.credential)),
            None,
            username,
        );
    }
    // The draft must be a profile: a failure here is this function's defect, said as such.
    RpProfile::parse(file, &out)
        .map_err(|e| format!("the draft does not parse (a defect of `profile draft`): {e}\n{out}"))?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn write_step(
    out: &mut String,
    kind: Kind,
    which: &str,
    e: &Entry,
    names: &Names<'_>,
    finish: Option<(&Json, &CredentialAt)>,
    options_at: Option<&str>,
    username: Option<&str>,
) {
    let _ = writeln!(out, "\n[{}.{which}]", kind.name());
    let _ = writeln!(out, "# recorded: {} {} -> HTTP {}", e.method, e.url, e.status);
    if e.method != "POST" {
        let _ = writeln!(out, "method = {}", toml_string(&e.method));
    }
    let path = path_template(e.path(), username);
    if path.contains("{username}") {
        let _ = writeln!(out, "# inferred: the user's name in the path is {{username}}.");
    }
    let _ = writeln!(out, "path = {}", toml_string(&path));
    let mut notes = Vec::new();
    let body = match finish {
        Some((json, at)) => template(json, "", names, Some(at), false, &mut notes),
        None => e.request_json().and_then(|b| template(&b, "", names, None, true, &mut notes)),
    };
    let body = body.filter(|_| !matches!(e.method.as_str(), "GET" | "DELETE"));
    if let Some(body) = body {
        if e.is_form() {
            let _ = writeln!(out, "encoding = \"form\"");
        }
        for n in &notes {
            let _ = writeln!(out, "# inferred: {n}");
        }
        if finish.is_some() && !notes.iter().any(|n| n.contains("spread over")) {
            let _ = writeln!(out, "# inferred: the credential the browser made is {{credential}}.");
        }
        let _ = writeln!(out, "body = {body}");
    } else if e.request_body.is_some() && !matches!(e.method.as_str(), "GET" | "DELETE") {
        let _ = writeln!(
            out,
            "# CHECK: the recorded body ({}) is neither JSON nor a form: write its template here.",
            if e.request_mime.is_empty() { "no type" } else { e.request_mime.as_str() }
        );
    }
    if let Some(at) = options_at {
        let _ = writeln!(out, "# inferred: where the {} options were in the reply.", kind.name());
        let _ = writeln!(out, "options = {}", toml_string(at));
    }
    let (accept, member) = accept_of(e);
    if finish.is_some() || member.is_some() {
        match &member {
            Some(m) => {
                let _ = writeln!(out, "# inferred: the reply said HTTP {} with {m}.", e.status);
            }
            None => {
                let _ = writeln!(
                    out,
                    "# CHECK: the reply had no member that says yes (verified, status, success, ok): only its status \
                     ({}) is taken as the accept signal. If a refusal also comes with it, add json = {{ \"/MEMBER\" = VALUE }}.",
                    e.status
                );
            }
        }
        let _ = writeln!(out, "accept = {accept}");
    }
    if e.response_json().is_some_and(|j| j.get("errorMessage").is_some()) {
        let _ = writeln!(out, "error = \"/errorMessage\"");
    } else if finish.is_some() {
        let _ = writeln!(
            out,
            "# CHECK: where the RP's error message is in a refusal (the recording has none), e.g.\n# error = \"/error/message\""
        );
    }
}

fn header<'a>(e: &'a Entry, name: &str) -> Option<&'a str> {
    e.request_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The origin in the client data of a registration's finish body.
fn client_data_origin(body: &Json, at: &CredentialAt) -> Option<String> {
    let cdj = match at {
        CredentialAt::Whole(p) => body.pointer(&format!("{p}/response/clientDataJSON")),
        CredentialAt::Flat(p) => body.pointer(&format!("{p}/clientDataJSON")),
    }?
    .as_str()?;
    let bytes = wire::base64url::decode_lenient(cdj).ok()?.bytes;
    let cd: Json = serde_json::from_slice(&bytes).ok()?;
    cd.get("origin").and_then(Json::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<Json>,
        status: u16,
        reply: Json,
    ) -> Json {
        let mut request = json!({
            "method": method, "url": url,
            "headers": headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
        });
        if let Some(b) = body {
            request["postData"] = json!({"mimeType": "application/json", "text": b.to_string()});
        }
        json!({"request": request, "response": {"status": status, "headers": [
            {"name": "Set-Cookie", "value": "csrftoken=CooKie123; Path=/"}
        ], "content": {"text": reply.to_string()}}})
    }

    /// A JSON-sourced token for one header and a cookie-sourced one for another; the credential's members
    /// spread over the finish body; options nested two deep.
    #[test]
    fn flat_credentials_nested_options_and_tokens_from_json_and_cookies() {
        let cdj = wire::base64url::encode(
            br#"{"type":"webauthn.create","challenge":"AA","origin":"https://app.example"}"#,
        );
        let reg = json!({"data": {"options": {"challenge": "AAAA", "rp": {"id": "app.example"}, "user": {"name": "ann@x", "displayName": "Ann", "id": "AQ"}, "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}}});
        let har = json!({"log": {"entries": [
            entry("GET", "https://app.example/api/session", &[], None, 200, json!({"token": "Jt0k"})),
            entry("POST", "https://app.example/webauthn/register/ann%40x?x=1", &[("X-XSRF-Token", "Jt0k"), ("X-CSRFToken", "CooKie123")], Some(json!({"remember": null})), 200, reg),
            entry("POST", "https://app.example/webauthn/register/finish", &[("X-XSRF-Token", "Jt0k")],
                Some(json!({"user": "ann@x", "id": "cid", "rawId": "cid", "type": "public-key", "clientDataJSON": cdj, "attestationObject": "o2M"})), 201, json!({})),
            entry("POST", "https://app.example/webauthn/login", &[], Some(json!({})), 200, json!({"challenge": "BBBB", "allowCredentials": []})),
            entry("POST", "https://app.example/webauthn/login/finish", &[],
                Some(json!({"credential": {"id": "cid", "response": {"clientDataJSON": "x", "authenticatorData": "y", "signature": "z"}}})), 200, json!({"success": true})),
        ]}});
        let text = draft(&har.to_string(), "t.har").unwrap();
        let p = RpProfile::parse("t.toml", &text).unwrap();
        assert_eq!(p.rp.origins, ["https://app.example"]);
        assert_eq!(p.rp.rp_id.as_deref(), Some("app.example"));
        assert_eq!(p.registration.begin.path.source, "/webauthn/register/{username}?x=1");
        assert_eq!(p.registration.begin.options.as_ref().unwrap().get_ref().as_str(), "/data/options");
        assert!(text.contains("body = { user = \"{username}\", id = \"{credential.id}\", rawId = \"{credential.rawId}\", type = \"{credential.type}\", clientDataJSON = \"{credential.response.clientDataJSON}\", attestationObject = \"{credential.response.attestationObject}\" }"), "{text}");
        assert!(text.contains("accept = { status = [201] }"), "{text}");
        assert!(text.contains("accept = { status = [200], json = { \"/success\" = true } }"), "{text}");
        assert!(
            text.contains("body = \"{credential}\"") || text.contains("credential = \"{credential}\""),
            "{text}"
        );
        // Two token headers: one from a JSON member, one from a cookie.
        assert!(
            text.contains(
                "headers = { \"X-XSRF-Token\" = \"{var.csrf}\", \"X-CSRFToken\" = \"{var.csrf2}\" }"
            ),
            "{text}"
        );
        assert!(text.contains("capture = [{ name = \"csrf\", json = \"/token\" }]"), "{text}");
        assert!(text.contains("capture = [{ name = \"csrf2\", cookie = \"csrftoken\" }]"), "{text}");
    }

    #[test]
    fn what_is_no_recording_of_a_ceremony_is_refused_with_the_reason() {
        assert!(draft("<html>", "x.har").unwrap_err().starts_with("not JSON"));
        assert!(draft("{}", "x.har").unwrap_err().contains("no log.entries array"));
        let only_reg = json!({"log": {"entries": [entry("POST", "https://a/b", &[], None, 200,
            json!({"challenge": "AA", "pubKeyCredParams": []}))]}});
        let e = draft(&only_reg.to_string(), "x.har").unwrap_err();
        assert!(
            e.contains("no later request carries the credential (clientDataJSON and attestationObject)"),
            "{e}"
        );
    }
}
