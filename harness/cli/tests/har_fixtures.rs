//! `profile draft` on HAR files recorded from real browser sessions, and the recorder that made them.
//!
//! `record_har_fixtures` (ignored by default: it needs Debian's `chromium` and `chromium-driver`) drives
//! headless Chromium over WebDriver with a virtual authenticator (WebAuthn L3 §11) through one registration and
//! one sign-in on two sites, and writes what the browser sent and received as HAR 1.2:
//! - `reference-rp.har`: the page `webauthn-harness serve` serves at `/` (the FIDO2 server conformance API);
//! - `custom-api.har`: [`custom_api`], the reference RP behind an API of another shape with a page of its own
//!   (a CSRF token in a `<meta>` of the page sent back as an `X-CSRF-Token` header, the user's name in the
//!   path, options under `publicKey`, the credential wrapped as `{"credential": …}`, a form-encoded sign-in
//!   start, `{"verified": true}` as the accept signal).
//!
//! The traffic comes from Chrome's performance log (`goog:loggingPrefs` `{"performance": "ALL"}`: the DevTools
//! `Network.requestWillBeSent`, `…ExtraInfo`, `Network.responseReceived` events), each response body from
//! `Network.getResponseBody` over chromedriver's CDP endpoint; [`har`] writes them as HAR 1.2. Re-record with
//! `WEBAUTHN_HARNESS_HAR=harness/cli/tests/fixtures/har cargo test -p webauthn-harness --test har_fixtures --
//! --ignored` (the folder is relative to the repository's root; without it, a scratch folder).
//!
//! The other tests draft a profile from each committed recording: it parses, names what was recorded, and
//! drives the site again: the reference RP's draft grades the reference RP with the conformance API's verdict
//! on every case it can express; the custom API's draft probes the custom API successfully.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use generator::catalog;
use grader::profile::RpProfile;
use grader::profile_target::ProfileTarget;
use grader::transport::{HttpConfig, HttpTarget};
use grader::{GradeConfig, Verdict};
use serde_json::{json, Value as Json};
use testkit::custom_api::{self, CustomApi, Policy};

#[path = "support/webdriver.rs"]
mod webdriver;
use webdriver::{free_port, wait_for_port, Process, Session};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/har")
}

// ---------------------------------------------------------------------------------------------------------
// The custom API: the reference RP behind another shape, with its own page
// ---------------------------------------------------------------------------------------------------------

/// The page: a session cookie and a CSRF token in a `<meta>` (a new session for a request without one).
async fn page(State(app): custom_api::App, headers: HeaderMap) -> Response {
    let (token, cookie) =
        app.session_token(&headers, |n| format!("t{:x}", custom_api::now() ^ (n as u64 * 7919)));
    let mut r = Html(CUSTOM_PAGE.replace("CSRF_TOKEN", &token)).into_response();
    if let Some(c) = cookie {
        r.headers_mut().insert(header::SET_COOKIE, c.parse().expect("a header value"));
    }
    r
}

/// The reference RP (RP ID `localhost`, at `origin`) behind the custom API (`testkit::custom_api`, with user
/// verification "preferred", resident keys "preferred" and attestation "none" fixed), with its page at `/`.
fn custom_api(origin: &str) -> Router {
    let mut config = rp::Config::new("localhost", origin);
    config.seed = Some(1);
    let policy =
        Policy { user_verification: "preferred", attestation: "none", resident_key: Some("preferred") };
    custom_api::routes()
        .route("/", get(page))
        .with_state(CustomApi::new(rp::ReferenceRp::new(config), policy))
}

/// The custom API's page: the same controls as the reference RP's page (so `Session::ceremony` drives it).
const CUSTOM_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="csrf-token" content="CSRF_TOKEN">
<title>custom API</title></head><body>
<label>Username <input id="username" value="user"></label>
<select id="userVerification"><option>preferred</option><option>required</option><option>discouraged</option></select>
<select id="residentKey"><option>preferred</option><option>required</option><option>discouraged</option></select>
<button type="button" id="register">Register</button>
<button type="button" id="signin">Sign in</button>
<pre id="result" data-status="idle" data-ceremony="" data-seq="0"></pre>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const b64 = (t) => Uint8Array.from(atob(t.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(t.length / 4) * 4, "=")), (c) => c.charCodeAt(0)).buffer;
const u64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
async function call(path, body, form) {
  const r = await fetch(path, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json", "X-CSRF-Token": csrf },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body) });
  return r.json();
}
function show(ceremony, status, detail) {
  const o = $("result"); o.dataset.ceremony = ceremony; o.dataset.status = status;
  o.textContent = typeof detail === "string" ? detail : JSON.stringify(detail);
}
function begin(ceremony) { const o = $("result"); o.dataset.seq = String(Number(o.dataset.seq) + 1); show(ceremony, "pending", "…"); }
$("register").onclick = async () => {
  begin("registration");
  try {
    const name = $("username").value;
    const { publicKey: o } = await call(`/api/users/${encodeURIComponent(name)}/passkeys/begin`, { displayName: name });
    const c = await navigator.credentials.create({ publicKey: { ...o, challenge: b64(o.challenge),
      user: { ...o.user, id: b64(o.user.id) }, excludeCredentials: (o.excludeCredentials || []).map((d) => ({ ...d, id: b64(d.id) })) } });
    const reply = await call("/api/passkeys/finish", { credential: { id: c.id, rawId: u64(c.rawId), type: c.type,
      response: { clientDataJSON: u64(c.response.clientDataJSON), attestationObject: u64(c.response.attestationObject),
        transports: c.response.getTransports() }, clientExtensionResults: c.getClientExtensionResults() } });
    show("registration", reply.verified ? "ok" : "failed", reply);
  } catch (e) { show("registration", "error", `${e.name}: ${e.message}`); }
};
$("signin").onclick = async () => {
  begin("authentication");
  try {
    const { publicKey: o } = await call("/api/login/options", { username: $("username").value }, true);
    const c = await navigator.credentials.get({ publicKey: { ...o, challenge: b64(o.challenge),
      allowCredentials: (o.allowCredentials || []).map((d) => ({ ...d, id: b64(d.id) })) } });
    const r = c.response;
    const reply = await call("/api/login", { credential: { id: c.id, rawId: u64(c.rawId), type: c.type,
      response: { clientDataJSON: u64(r.clientDataJSON), authenticatorData: u64(r.authenticatorData),
        signature: u64(r.signature), userHandle: r.userHandle ? u64(r.userHandle) : null },
      clientExtensionResults: c.getClientExtensionResults() } });
    show("authentication", reply.verified ? "ok" : "failed", reply);
  } catch (e) { show("authentication", "error", `${e.name}: ${e.message}`); }
};
</script></body></html>
"#;

fn serve(router: Router, port: u16) -> tokio::runtime::Runtime {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))).unwrap();
    runtime.spawn(async move { axum::serve(listener, router).await });
    runtime
}

// ---------------------------------------------------------------------------------------------------------
// HAR 1.2 from Chrome's performance log
// ---------------------------------------------------------------------------------------------------------

/// DevTools headers (an object; repeated headers joined by newlines) as HAR's name/value list.
fn har_headers(h: &Json) -> Vec<Json> {
    h.as_object()
        .into_iter()
        .flatten()
        .flat_map(|(name, v)| {
            let v = v.as_str().unwrap_or_default().to_owned();
            v.split('\n').map(|x| json!({"name": name, "value": x})).collect::<Vec<_>>()
        })
        .collect()
}

/// The exchanges of the DevTools Network events whose URL starts with `site`, as a HAR 1.2 log, each
/// response body fetched with `Network.getResponseBody` (and a request body not in the event with
/// `Network.getRequestPostData`).
fn har(events: &[Json], session: &Session, site: &str, browser_version: &str) -> Json {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, HashMap<&str, Json>> = HashMap::new();
    for e in events {
        let method = e["method"].as_str().unwrap_or_default();
        let kind = match method {
            "Network.requestWillBeSent" => "request",
            "Network.requestWillBeSentExtraInfo" => "request_extra",
            "Network.responseReceived" => "response",
            "Network.responseReceivedExtraInfo" => "response_extra",
            _ => continue,
        };
        let Some(id) = e["params"]["requestId"].as_str() else { continue };
        if kind == "request" && !order.iter().any(|x| x == id) {
            order.push(id.to_owned());
        }
        by_id.entry(id.to_owned()).or_default().insert(kind, e["params"].clone());
    }
    let mut entries = Vec::new();
    for id in order {
        let parts = &by_id[&id];
        let request = &parts["request"]["request"];
        let url = request["url"].as_str().unwrap_or_default();
        if !url.starts_with(site) {
            continue;
        }
        let Some(response) = parts.get("response").map(|r| &r["response"]) else { continue };
        // The extra-info events carry what the network stack sent and got (cookies included).
        let request_headers = parts
            .get("request_extra")
            .map_or_else(|| har_headers(&request["headers"]), |x| har_headers(&x["headers"]));
        let response_headers = parts
            .get("response_extra")
            .map_or_else(|| har_headers(&response["headers"]), |x| har_headers(&x["headers"]));
        let post = match request["postData"].as_str() {
            Some(p) => Some(p.to_owned()),
            None if request["hasPostData"] == true => session
                .cdp("Network.getRequestPostData", json!({"requestId": id}))
                .ok()
                .and_then(|r| r["postData"].as_str().map(str::to_owned)),
            None => None,
        };
        let body = session.cdp("Network.getResponseBody", json!({"requestId": id})).unwrap_or(Json::Null);
        let text = body["body"].as_str().unwrap_or_default();
        let started = parts["request"]["wallTime"].as_f64().unwrap_or_default();
        let started = UNIX_EPOCH + Duration::from_millis((started * 1000.0) as u64);
        let header_value = |list: &[Json], name: &str| {
            list.iter()
                .find(|h| h["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
                .and_then(|h| h["value"].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let mut request_json = json!({
            "method": request["method"],
            "url": url,
            "httpVersion": response["protocol"].as_str().unwrap_or("http/1.1"),
            "cookies": [],
            "headers": request_headers,
            "queryString": [],
            "headersSize": -1,
            "bodySize": post.as_ref().map_or(0, |p| p.len()),
        });
        if let Some(p) = &post {
            let mime = header_value(&har_headers(&request["headers"]), "content-type");
            request_json["postData"] = json!({"mimeType": mime, "text": p});
        }
        let mut content = json!({"size": text.len(), "mimeType": response["mimeType"], "text": text});
        if body["base64Encoded"] == true {
            content["encoding"] = json!("base64");
        }
        entries.push(json!({
            "startedDateTime": humantime::format_rfc3339_millis(started).to_string(),
            "time": 0,
            "request": request_json,
            "response": {
                "status": response["status"],
                "statusText": response["statusText"],
                "httpVersion": response["protocol"].as_str().unwrap_or("http/1.1"),
                "cookies": [],
                "headers": response_headers,
                "content": content,
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": text.len(),
            },
            "cache": {},
            "timings": {"send": 0, "wait": 0, "receive": 0},
        }));
    }
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "webauthn-harness HAR recorder (harness/cli/tests/har_fixtures.rs)", "version": env!("CARGO_PKG_VERSION")},
        "browser": {"name": "Chromium", "version": browser_version},
        "pages": [],
        "entries": entries,
    }})
}

/// One registration and one sign-in of `alice` on the page at `url` with a platform authenticator (user
/// verification, resident key), recorded as HAR.
fn record(scratch: &Path, url: &str, site: &str) -> Json {
    let session = Session::start_logging(scratch, json!({"browser": "ALL", "performance": "ALL"}));
    let version = session.script("return navigator.userAgent;", json!([]));
    let version =
        version.as_str().and_then(|ua| ua.split("Chrome/").nth(1)).and_then(|v| v.split(' ').next());
    let version = version.unwrap_or("?").to_owned();
    session.call("POST", "/url", Some(&json!({"url": url})));
    session.add_authenticator(&json!({
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": true, "hasUserVerification": true,
        "isUserConsenting": true, "isUserVerified": true,
    }));
    for button in ["register", "signin"] {
        let (status, text) = session.ceremony(button, "alice", "preferred", "preferred");
        assert_eq!(status, "ok", "{url}: {button}: {text}");
    }
    let events = session.performance_log();
    har(&events, &session, site, &version)
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then -- --ignored"]
fn record_har_fixtures() {
    let scratch = std::env::temp_dir().join(format!("webauthn-harness-har-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let out = match std::env::var_os("WEBAUTHN_HARNESS_HAR") {
        Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir),
        None => scratch.join("har"),
    };
    std::fs::create_dir_all(&out).unwrap();

    // The reference RP's page, as `webauthn-harness serve` serves it.
    let port = free_port();
    let server = Process::start(
        env!("CARGO_BIN_EXE_webauthn-harness"),
        &["serve".into(), "--listen".into(), format!("127.0.0.1:{port}")],
        scratch.join("serve.log"),
    );
    wait_for_port(port, "webauthn-harness serve", &server.log);
    let site = format!("http://localhost:{port}");
    let recorded = record(&scratch, &format!("{site}/"), &site);
    drop(server);
    write_har(&out.join("reference-rp.har"), &recorded);

    // The custom API's page.
    let port = free_port();
    let site = format!("http://localhost:{port}");
    let _runtime = serve(custom_api(&site), port);
    let recorded = record(&scratch, &format!("{site}/"), &site);
    write_har(&out.join("custom-api.har"), &recorded);
    eprintln!("HAR files in {}", out.display());
    let _ = std::fs::remove_dir_all(&scratch);
}

fn write_har(path: &Path, har: &Json) {
    let entries = har["log"]["entries"].as_array().map_or(0, Vec::len);
    assert!(entries >= 5, "{}: only {entries} exchanges recorded", path.display());
    std::fs::write(path, serde_json::to_string_pretty(har).unwrap() + "\n").unwrap();
}

// ---------------------------------------------------------------------------------------------------------
// Drafting from the committed recordings
// ---------------------------------------------------------------------------------------------------------

fn draft(name: &str) -> (String, RpProfile) {
    let path = fixtures().join(name);
    let har = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = grader::draft::draft(&har, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let profile = RpProfile::parse(name, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (text, profile)
}

fn grade(
    target: &mut dyn generator::target::Target,
    client: generator::client::ClientConfig,
) -> grader::Report {
    let cfg = GradeConfig::new("test", client, 3);
    let all = catalog::all();
    grader::grade(target, &cfg, &all, &all, &mut |_, _, _| {}).report
}

#[test]
fn the_reference_rp_recording_drafts_a_profile_that_grades_the_reference_rp() {
    let (text, profile) = draft("reference-rp.har");
    // What was recorded: the conformance API's paths, the options at the top of the reply, the user's name,
    // user verification and attestation taken per request, the credential as it is.
    assert_eq!(profile.registration.begin.path.source, "/attestation/options");
    assert_eq!(profile.authentication.finish.path.source, "/assertion/result");
    assert_eq!(profile.registration.begin.options.as_ref().unwrap().get_ref().as_str(), "");
    assert!(text.contains("username = \"{username}\""), "{text}");
    assert!(text.contains("userVerification = \"{user_verification}\""), "{text}");
    assert!(text.contains("attestation = \"{attestation}\""), "{text}");
    assert!(text.contains("body = \"{credential}\""), "{text}");
    assert!(text.contains("accept = { status = [200], json = { \"/status\" = \"ok\" } }"), "{text}");
    assert!(text.contains("speaks\n# it directly"), "{text}");
    assert_eq!(profile.rp.rp_id.as_deref(), Some("localhost"));
    let origin = profile.rp.origins[0].clone();
    assert!(origin.starts_with("http://localhost:"), "{origin}");

    // The reference RP as the recording met it (RP ID localhost, the recorded origin), graded through the
    // conformance API and through the draft.
    let rp = || {
        let mut config = rp::Config::new("localhost", &origin);
        config.seed = Some(1);
        config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
        Arc::new(rp::ReferenceRp::new(config))
    };
    let client = generator::client::ClientConfig::new(origin.clone(), "localhost");
    let server = rp::server::Running::start("127.0.0.1:0".parse().unwrap(), rp()).unwrap();
    let expected = grade(&mut HttpTarget::new(HttpConfig::new(&server.url())), client.clone());
    let server = rp::server::Running::start("127.0.0.1:0".parse().unwrap(), rp()).unwrap();
    // The reference RP trusts the harness root and loads its metadata; a drafted profile cannot know that.
    let mut profile = profile;
    profile.capabilities.trusts_harness_pki = true;
    profile.capabilities.loads_harness_metadata = true;
    let profile = Arc::new(profile);
    let probe = grader::probe::probe(
        profile.clone(),
        HttpConfig::new(&server.url()),
        &grader::probe::ProbeConfig { client: client.clone(), username: "bob".into(), seed: 1 },
    );
    assert!(probe.succeeded(), "{}", probe.render());
    let got = grade(&mut ProfileTarget::new(profile, HttpConfig::new(&server.url())), client);
    let by_id: HashMap<&str, &grader::CaseResult> =
        expected.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut unsupported = 0;
    for c in &got.cases {
        let e = by_id[c.id.as_str()];
        if c.verdict == Verdict::Unsupported && e.verdict != Verdict::Unsupported {
            // The page sends its own request, not the case's: echo cases are the conformance API's only.
            assert!(
                c.detail.contains("question for the conformance API only")
                    || c.detail.contains("extension inputs"),
                "{}: {}",
                c.id,
                c.detail
            );
            unsupported += 1;
        } else {
            assert_eq!(c.verdict, e.verdict, "{}: {} / conformance API: {}", c.id, c.detail, e.detail);
        }
    }
    assert!(unsupported > 0 && unsupported < got.cases.len() / 10, "{unsupported} UNSUPPORTED");
}

#[test]
fn the_custom_api_recording_drafts_a_profile_that_probes_the_custom_api() {
    let (text, profile) = draft("custom-api.har");
    // The CSRF token from the page's <meta>, sent as a header on every request.
    assert_eq!(profile.session.prelude.len(), 1, "{text}");
    assert_eq!(profile.session.prelude[0].path.source, "/");
    assert!(matches!(profile.session.prelude[0].method, grader::profile::Method::Get));
    assert!(text.contains("capture = [{ name = \"csrf\", regex = "), "{text}");
    assert!(text.contains("headers = { \"X-CSRF-Token\" = \"{var.csrf}\" }"), "{text}");
    assert_eq!(profile.registration.begin.path.source, "/api/users/{username}/passkeys/begin");
    assert_eq!(profile.registration.begin.options.as_ref().unwrap().get_ref().as_str(), "/publicKey");
    assert!(text.contains("body = { displayName = \"{display_name}\" }"), "{text}");
    assert!(text.contains("body = { credential = \"{credential}\" }"), "{text}");
    assert!(text.contains("accept = { status = [200], json = { \"/verified\" = true } }"), "{text}");
    assert_eq!(profile.authentication.begin.encoding, grader::profile::Encoding::Form);
    assert!(text.contains("body = { username = \"{username}\" }"), "{text}");
    // The API fixes user verification and attestation: the draft says so.
    assert_eq!(profile.capabilities.user_verification, Some(grader::profile::UserVerification::Preferred));
    assert_eq!(profile.capabilities.attestation, Some(grader::profile::Conveyance::None));

    let origin = profile.rp.origins[0].clone();
    let port = free_port();
    let _runtime = serve(custom_api(&origin), port);
    let probe = grader::probe::probe(
        Arc::new(profile),
        HttpConfig::new(&format!("http://127.0.0.1:{port}")),
        &grader::probe::ProbeConfig {
            client: generator::client::ClientConfig::new(origin, "localhost"),
            username: "bob".into(),
            seed: 1,
        },
    );
    assert!(probe.succeeded(), "{}", probe.render());
}

fn harness(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn profile_draft_writes_the_draft_and_refuses_what_is_no_recording_of_a_ceremony() {
    let dir = std::env::temp_dir().join(format!("webauthn-harness-draft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let har = fixtures().join("custom-api.har");
    let out = dir.join("custom.toml");
    let (code, _, err) =
        harness(&["profile", "draft", "--har", har.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(RpProfile::parse("custom.toml", &text).is_ok());
    assert!(text.contains("# CHECK"), "{text}");
    // To standard output without --out.
    let (code, stdout, _) = harness(&["profile", "draft", "--har", har.to_str().unwrap()]);
    assert_eq!((code, stdout), (0, text));

    let not_json = dir.join("not.har");
    std::fs::write(&not_json, "<html>").unwrap();
    let (code, _, err) = harness(&["profile", "draft", "--har", not_json.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not.har: not JSON"), "{err}");
    let no_options = dir.join("empty.har");
    std::fs::write(&no_options, r#"{"log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": "http://x/"}, "response": {"status": 200, "content": {"text": "{\"challenge\": \"abc\"}"}}}]}}"#).unwrap();
    let (code, _, err) = harness(&["profile", "draft", "--har", no_options.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no registration options found"), "{err}");
    let (code, _, err) = harness(&["profile", "draft", "--har", "/no/such.har"]);
    assert_eq!(code, 2, "{err}");
    let (_, help, _) = harness(&["profile", "draft", "--help"]);
    assert!(help.contains("HAR"), "{help}");
    let _ = std::fs::remove_dir_all(&dir);
}
