//! RP profiles end to end: the built-in conformance API profile grades exactly as the conformance transport
//! does; and the reference RP behind a custom API of this test's own (other paths, a path parameter, options
//! under a wrapper member, the credential wrapped as `{credential: …}`, a form-encoded sign-in start, a CSRF
//! token fetched in a prelude and sent as a header, `{"verified": true}` as the accept signal, user
//! verification fixed at "required"), graded through a profile of it, gives the conformance API's verdict on
//! every case the profile can express and UNSUPPORTED with a reason on the rest. And the set-up an app that
//! registers only signed-in users needs: account steps (sign up, or sign in where the account exists:
//! `stop_if`), the `{origin}` header, and a 500 the profile declares a refusal (`refusal`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use generator::catalog;
use generator::target::Target;
use grader::profile::RpProfile;
use grader::profile_target::ProfileTarget;
use grader::transport::{HttpConfig, HttpTarget};
use grader::{GradeConfig, Report, Verdict};
use rp::ReferenceRp;
use serde_json::{json, Value as Json};
use testkit::custom_api::{self, reply, sid, CustomApi, Policy};

fn reference_rp() -> ReferenceRp {
    ReferenceRp::new(testkit::rp_config(testkit::RP_ID, testkit::ORIGIN, 1))
}

fn serve(router: Router) -> (String, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, router).await });
    (url, runtime)
}

fn grade(target: &mut dyn Target) -> grader::Graded {
    let cfg = GradeConfig::new("test", testkit::client(), 3);
    let all = catalog::all();
    grader::grade(target, &cfg, &all, &all, &mut |_, _, _| {})
}

fn conformance_report() -> Report {
    let server =
        rp::server::Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(reference_rp())).unwrap();
    grade(&mut HttpTarget::new(HttpConfig::new(&server.url()))).report
}

#[test]
fn the_built_in_conformance_profile_grades_exactly_as_the_conformance_transport() {
    let expected = {
        let server =
            rp::server::Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(reference_rp())).unwrap();
        grade(&mut HttpTarget::new(HttpConfig::new(&server.url())))
    };
    let server =
        rp::server::Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(reference_rp())).unwrap();
    // The reference RP loads the harness's metadata, as `grade` declares of the embedded one.
    let mut profile = RpProfile::conformance_api();
    profile.capabilities.loads_harness_metadata = true;
    let got = grade(&mut ProfileTarget::new(Arc::new(profile), HttpConfig::new(&server.url())));
    let (got_json, expected_json) =
        (grader::render::json(&got.report), grader::render::json(&expected.report));
    if let Some((i, (g, e))) =
        got_json.lines().zip(expected_json.lines()).enumerate().find(|(_, (g, e))| g != e)
    {
        panic!("the reports differ first at line {}: {g:?} / conformance transport: {e:?}", i + 1);
    }
    assert_eq!(got_json.len(), expected_json.len());
    // Every request and every reply, as the runner saw them.
    assert_eq!(got.transcripts.len(), expected.transcripts.len());
    for (g, e) in got.transcripts.iter().zip(&expected.transcripts) {
        assert_eq!(g.case, e.case);
        let requests = |t: &grader::transcript::Transcript| {
            t.exchanges.iter().map(|x| (x.endpoint, x.request.clone())).collect::<Vec<_>>()
        };
        assert_eq!(requests(g), requests(e), "{}", g.case);
        let replies = |t: &grader::transcript::Transcript| {
            t.exchanges
                .iter()
                .map(|x| {
                    x.reply
                        .as_ref()
                        .map(|r| (r.status, r.accepted(), r.error_message().map(str::to_owned)))
                        .map_err(|e| e.to_string())
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(replies(g), replies(e), "{}", g.case);
    }
}

/// The custom API (`testkit::custom_api`) with user verification "required" and attestation "direct" fixed, its
/// session and CSRF token handed out by `GET /api/csrf` as `{"csrfToken": …}`.
fn custom_api() -> Router {
    let policy = Policy { user_verification: "required", attestation: "direct", resident_key: None };
    custom_api::routes().route("/api/csrf", get(csrf)).with_state(CustomApi::new(reference_rp(), policy))
}

async fn csrf(State(app): custom_api::App, headers: HeaderMap) -> Response {
    let (token, cookie) = app.session_token(&headers, |n| format!("token-{n}-{}", n * 7919 % 1000));
    let mut r = reply(StatusCode::OK, json!({"csrfToken": token}));
    if let Some(c) = cookie {
        r.headers_mut().insert(header::SET_COOKIE, c.parse().expect("a header value"));
    }
    r
}

/// The profile of the custom API, as a user would write it.
const CUSTOM_PROFILE: &str = r#"
[rp]
origins = ["https://example.org"]
rp_id = "example.org"

[session]
headers = { "X-CSRF-Token" = "{var.csrf}" }

[[session.prelude]]
method = "GET"
path = "/api/csrf"
capture = [{ name = "csrf", json = "/csrfToken" }]

[capabilities]
user_verification = "required"
attestation = "direct"

[registration.begin]
path = "/api/users/{username}/passkeys/begin"
body = { displayName = "{display_name}" }
options = "/publicKey"
error = "/error/message"

[registration.finish]
path = "/api/passkeys/finish"
body = { credential = "{credential}" }
accept = { status = [200], json = { "/verified" = true } }
error = "/error/message"

[authentication.begin]
path = "/api/login/options"
encoding = "form"
body = { username = "{username}" }
options = "/publicKey"
error = "/error/message"

[authentication.finish]
path = "/api/login"
body = { credential = "{credential}" }
accept = { status = [200], json = { "/verified" = true } }
error = "/error/message"
"#;

#[test]
fn a_custom_api_graded_through_its_profile_agrees_with_the_conformance_api_where_it_can_be_expressed() {
    let expected = conformance_report();
    let (url, _runtime) = serve(custom_api());
    // The custom API's RP trusts the harness root (testkit's reference RP does), and its profile says so.
    let text = CUSTOM_PROFILE.replace(
        "[capabilities]\n",
        "[capabilities]\ntrusts_harness_pki = true\nloads_harness_metadata = true\n",
    );
    let profile = Arc::new(RpProfile::parse("custom.toml", &text).unwrap());
    let got = grade(&mut ProfileTarget::new(profile, HttpConfig::new(&url))).report;
    assert_eq!(got.cases.len(), expected.cases.len());
    let by_id: HashMap<&str, &grader::CaseResult> =
        expected.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut unsupported = Vec::new();
    for c in &got.cases {
        let e = by_id[c.id.as_str()];
        if c.verdict == Verdict::Unsupported && e.verdict != Verdict::Unsupported {
            let why =
                ["userVerification", "question for the conformance API only", "extension inputs asked for"];
            assert!(why.iter().any(|w| c.detail.contains(w)), "{}: {}", c.id, c.detail);
            unsupported.push(c.id.clone());
        } else {
            assert_eq!(c.verdict, e.verdict, "{}: {} / conformance API: {}", c.id, c.detail, e.detail);
        }
    }
    // Exactly the cases that need an RP that does not require user verification, the options cases that ask
    // whether the options echo the request (this API does not take it whole), and the cases that ask for
    // extension inputs (this API passes none).
    let expressible = |c: &catalog::Case| {
        !c.setup.uv_optional && !c.id.contains(".options.echo.") && c.setup.request_extensions.is_none()
    };
    let inexpressible: Vec<String> =
        catalog::all().iter().filter(|c| !expressible(c)).map(|c| c.id.to_owned()).collect();
    let mut sorted = unsupported.clone();
    sorted.sort();
    let mut want = inexpressible;
    want.sort();
    assert_eq!(sorted, want);
    assert!(unsupported.iter().any(|id| id.contains(".options.echo.")));
    assert!(catalog::all()
        .iter()
        .filter(|c| c.setup.uv_optional)
        .all(|c| unsupported.contains(&c.id.to_owned())));
}

/// A profile that does not declare trust in the harness PKI makes exactly the cases whose attestation chains
/// to the harness root UNSUPPORTED, with a reason that names `pki export`; everything else grades as before.
#[test]
fn cases_that_need_the_harness_pki_are_unsupported_where_the_profile_does_not_trust_it() {
    // Two servers: usernames depend on the case id only, so a second grading of one server would find them taken.
    let (url, _runtime) = serve(custom_api());
    let (url2, _runtime2) = serve(custom_api());
    let trusted = CUSTOM_PROFILE.replace("[capabilities]\n", "[capabilities]\ntrusts_harness_pki = true\n");
    let with = grade(&mut ProfileTarget::new(
        Arc::new(RpProfile::parse("custom.toml", &trusted).unwrap()),
        HttpConfig::new(&url),
    ))
    .report;
    let without = grade(&mut ProfileTarget::new(
        Arc::new(RpProfile::parse("custom.toml", CUSTOM_PROFILE).unwrap()),
        HttpConfig::new(&url2),
    ))
    .report;
    let all = catalog::all();
    let chained: Vec<&str> =
        all.iter().filter(|c| c.setup.attestation.chains_to_harness_root()).map(|c| c.id).collect();
    assert!(chained.contains(&"reg.valid.es256.packed-x5c"));
    let mut newly_unsupported = Vec::new();
    for (w, wo) in with.cases.iter().zip(&without.cases) {
        assert_eq!(w.id, wo.id);
        if wo.verdict == Verdict::Unsupported && w.verdict != Verdict::Unsupported {
            assert!(wo.detail.contains("webauthn-harness pki export"), "{}: {}", wo.id, wo.detail);
            newly_unsupported.push(wo.id.as_str());
        } else {
            assert_eq!(w.verdict, wo.verdict, "{}", w.id);
        }
    }
    // Every chained case the trusting profile could express becomes UNSUPPORTED, and nothing else.
    let expressible_chained: Vec<&str> = with
        .cases
        .iter()
        .filter(|c| chained.contains(&c.id.as_str()) && c.verdict != Verdict::Unsupported)
        .map(|c| c.id.as_str())
        .collect();
    assert!(!expressible_chained.is_empty());
    assert_eq!(newly_unsupported, expressible_chained);
}

// ---------------------------------------------------------------------------------------------------------
// probe: one registration and one sign-in through a profile, the first wrong step diagnosed
// ---------------------------------------------------------------------------------------------------------

fn probe(profile_text: &str, url: &str) -> grader::probe::Probe {
    let profile = Arc::new(RpProfile::parse("custom.toml", profile_text).unwrap());
    let cfg = grader::probe::ProbeConfig {
        client: generator::client::ClientConfig::new("https://example.org", "example.org"),
        username: "probe-user".into(),
        seed: 1,
    };
    grader::probe::probe(profile, HttpConfig::new(url), &cfg)
}

/// The steps whose exchanges a probe showed, in order.
fn steps(p: &grader::probe::Probe) -> Vec<String> {
    p.events
        .iter()
        .filter_map(|e| match e {
            grader::probe::Event::Exchange { exchange, .. } => Some(exchange.step.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn probe_shows_every_exchange_of_a_good_profile_and_succeeds() {
    let (url, _runtime) = serve(custom_api());
    let p = probe(CUSTOM_PROFILE, &url);
    let text = p.render();
    assert!(p.succeeded(), "{text}");
    assert!(p.failure().is_none());
    assert_eq!(
        steps(&p),
        [
            "session.prelude[0]",
            "registration.begin",
            "registration.finish",
            "authentication.begin",
            "authentication.finish"
        ]
    );
    // The request line, the CSRF header the profile sets, the cookie the prelude got, the bodies both ways.
    assert!(text.contains(&format!("> POST {url}/api/users/probe-user/passkeys/begin")), "{text}");
    assert!(text.contains("> X-CSRF-Token: token-0-0"), "{text}");
    assert!(text.contains("> (cookies held: sid)"), "{text}");
    assert!(text.contains("> username=probe-user"), "{text}");
    assert!(text.contains("captured {var.csrf} = token-0-0 (json = \"/csrfToken\")"), "{text}");
    assert!(text.contains("< {\"verified\":true}"), "{text}");
    // Long members are abbreviated: the attestation object is hundreds of characters.
    assert!(text.contains("\"attestationObject\":\"o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YViU…("), "{text}");
    assert!(text.ends_with("probe: registration and sign-in both succeeded through the profile\n"), "{text}");
}

#[test]
fn probe_names_an_options_pointer_that_found_nothing_and_where_the_options_are() {
    let (url, _runtime) = serve(custom_api());
    let wrong = CUSTOM_PROFILE.replacen("options = \"/publicKey\"", "options = \"/options\"", 1);
    let p = probe(&wrong, &url);
    assert!(!p.succeeded());
    let (step, diagnosis) = p.failure().expect("a failure");
    assert_eq!(step, "registration.begin");
    assert!(
        diagnosis[0].starts_with(
            "registration.begin.options = \"/options\" found nothing in the reply {\"publicKey\":{"
        ),
        "{diagnosis:?}"
    );
    assert_eq!(diagnosis[1], "the options look to be at \"/publicKey\": options = \"/publicKey\"?");
    // It stopped there.
    assert_eq!(steps(&p), ["session.prelude[0]", "registration.begin"]);
}

#[test]
fn probe_names_the_status_the_accept_predicate_does_not_allow() {
    let (url, _runtime) = serve(custom_api());
    let wrong = CUSTOM_PROFILE.replacen("accept = { status = [200]", "accept = { status = [201]", 1);
    let p = probe(&wrong, &url);
    let (step, diagnosis) = p.failure().expect("a failure");
    assert_eq!(step, "registration.finish");
    assert_eq!(
        diagnosis[0],
        "HTTP 200 came back, and registration.finish.accept.status allows [201]; the reply: {\"verified\":true}"
    );
    // And a refusal names the predicate member that did not hold and the RP's message.
    let refused = CUSTOM_PROFILE.replacen(
        "body = { credential = \"{credential}\" }",
        "body = { cred = \"{credential}\" }",
        1,
    );
    let p = probe(&refused, &url);
    let (step, diagnosis) = p.failure().expect("a failure");
    assert_eq!(step, "registration.finish");
    assert!(
        diagnosis[0]
            .starts_with("registration.finish.accept.json \"/verified\" = true: the reply has false there"),
        "{diagnosis:?}"
    );
    assert!(
        diagnosis
            .last()
            .unwrap()
            .starts_with("the RP's message (registration.finish.error = \"/error/message\"): "),
        "{diagnosis:?}"
    );
}

#[test]
fn probe_names_a_capture_that_matched_nothing() {
    let (url, _runtime) = serve(custom_api());
    let wrong = CUSTOM_PROFILE.replacen("json = \"/csrfToken\"", "json = \"/csrf\"", 1);
    let p = probe(&wrong, &url);
    let (step, diagnosis) = p.failure().expect("a failure");
    assert_eq!(step, "session.prelude[0]");
    assert_eq!(
        diagnosis,
        [
            "session.prelude[0].capture \"csrf\" (json = \"/csrf\") matched nothing, so {var.csrf} stays empty; the reply: {\"csrfToken\":\"token-0-0\"}"
        ]
    );
    // A cookie capture lists the cookies there are.
    let wrong = CUSTOM_PROFILE.replacen(
        "json = \"/csrfToken\" }]",
        "json = \"/csrfToken\" }, { name = \"s\", cookie = \"session\" }]",
        1,
    );
    let (_, diagnosis) = probe(&wrong, &url).failure().map(|(s, d)| (s.to_owned(), d.to_vec())).unwrap();
    assert_eq!(
        diagnosis,
        ["session.prelude[0].capture \"s\" (cookie = \"session\") matched nothing, so {var.s} stays empty; the client holds the cookies [sid]"]
    );
}

#[test]
fn probe_names_an_empty_placeholder_first() {
    let (url, _runtime) = serve(custom_api());
    // The token is captured only after the sign-in starts: registration sends the header empty.
    let wrong = CUSTOM_PROFILE
        .replacen("[[session.prelude]]\nmethod = \"GET\"\npath = \"/api/csrf\"\ncapture = [{ name = \"csrf\", json = \"/csrfToken\" }]\n", "", 1)
        .replacen("options = \"/publicKey\"\nerror = \"/error/message\"\n\n[authentication.finish]", "options = \"/publicKey\"\nerror = \"/error/message\"\ncapture = [{ name = \"csrf\", json = \"/csrfToken\" }]\n\n[authentication.finish]", 1);
    let p = probe(&wrong, &url);
    let (step, diagnosis) = p.failure().expect("a failure");
    assert_eq!(step, "registration.begin");
    assert_eq!(
        diagnosis[0],
        "the placeholder {var.csrf} in session.headers.X-CSRF-Token was empty (no earlier step captured \"csrf\")"
    );
    assert!(
        diagnosis[1].starts_with(
            "HTTP 403 came back, and registration.begin.accept (absent).status allows any 2xx (the default)"
        ),
        "{diagnosis:?}"
    );
    assert_eq!(
        diagnosis.last().unwrap(),
        "the RP's message (registration.begin.error = \"/error/message\"): \"no session\""
    );
}

#[test]
fn probe_through_the_conformance_profile_succeeds_on_the_reference_rp() {
    let server =
        rp::server::Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(reference_rp())).unwrap();
    let cfg = grader::probe::ProbeConfig { client: testkit::client(), username: "alice".into(), seed: 7 };
    let p =
        grader::probe::probe(Arc::new(RpProfile::conformance_api()), HttpConfig::new(&server.url()), &cfg);
    assert!(p.succeeded(), "{}", p.render());
    assert_eq!(steps(&p).len(), 4);
}

fn forbidden(message: &str) -> Response {
    reply(StatusCode::FORBIDDEN, json!({"error": {"message": message}}))
}

/// An app that registers only signed-in users: sign-up signs the new user in (and refuses a known email with
/// 422), sign-in signs a known one in, every POST must carry the app's Origin, and a registration it cannot
/// verify is answered 500 with an error code.
#[derive(Default)]
struct Accounts {
    users: Mutex<Vec<String>>,
    sign_ins: Mutex<usize>,
    origins: Mutex<Vec<String>>,
}

type AccountsApp = State<Arc<Accounts>>;

fn signed_in(email: &str) -> Response {
    let mut r = reply(StatusCode::OK, json!({"user": {"email": email}}));
    r.headers_mut().insert(header::SET_COOKIE, format!("sid={email}; Path=/").parse().unwrap());
    r
}

fn seen_origin(app: &Accounts, headers: &HeaderMap) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    app.origins.lock().unwrap().push(origin.clone());
    origin == "https://app.example"
}

async fn sign_up(State(app): AccountsApp, headers: HeaderMap, body: Bytes) -> Response {
    if !seen_origin(&app, &headers) {
        return forbidden("bad origin");
    }
    let body: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    let email = body["email"].as_str().unwrap_or_default().to_owned();
    let mut users = app.users.lock().unwrap();
    if users.contains(&email) {
        return reply(StatusCode::UNPROCESSABLE_ENTITY, json!({"code": "USER_EXISTS"}));
    }
    users.push(email.clone());
    signed_in(&email)
}

async fn sign_in(State(app): AccountsApp, headers: HeaderMap, body: Bytes) -> Response {
    if !seen_origin(&app, &headers) {
        return forbidden("bad origin");
    }
    *app.sign_ins.lock().unwrap() += 1;
    let body: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    signed_in(body["email"].as_str().unwrap_or_default())
}

async fn signed_in_options(headers: HeaderMap) -> Response {
    match sid(&headers) {
        Some(_) => reply(StatusCode::OK, json!({"challenge": "AAAA", "user": {"id": "AQ"}})),
        None => reply(StatusCode::UNAUTHORIZED, json!({"code": "SESSION_REQUIRED"})),
    }
}

async fn cannot_verify(body: Bytes) -> Response {
    let body: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    if body["response"]["id"] == "crash" {
        return (StatusCode::INTERNAL_SERVER_ERROR, "TypeError").into_response();
    }
    reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"code": "FAILED_TO_VERIFY", "message": "Failed to verify"}),
    )
}

const ACCOUNTS_PROFILE: &str = r#"
[rp]
[session]
headers = { Origin = "{origin}" }

[[session.account]]
path = "/sign-up"
body = { email = "{username}@example.com", password = "{password}" }
accept = { status = [200, 422] }
stop_if = { status = [200] }

[[session.account]]
path = "/sign-in"
body = { email = "{username}@example.com", password = "{password}" }

[registration.begin]
method = "GET"
path = "/register/options"

[registration.finish]
path = "/register/verify"
body = { response = "{credential}" }
refusal = { status = [500], json = { "/code" = "FAILED_TO_VERIFY" } }
error = "/message"

[authentication.begin]
method = "GET"
path = "/login/options"

[authentication.finish]
path = "/login/verify"
body = { response = "{credential}" }
"#;

#[test]
fn account_steps_sign_up_once_and_sign_in_where_the_account_exists_with_the_origin_and_declared_refusals() {
    use generator::target::Endpoint;
    let app = Arc::new(Accounts::default());
    let router = Router::new()
        .route("/sign-up", post(sign_up))
        .route("/sign-in", post(sign_in))
        .route("/register/options", get(signed_in_options))
        .route("/register/verify", post(cannot_verify))
        .with_state(app.clone());
    let (url, _runtime) = serve(router);
    let profile = Arc::new(RpProfile::parse("accounts.toml", ACCOUNTS_PROFILE).unwrap());
    let mut target = ProfileTarget::new(profile, HttpConfig::new(&url)).with_origin("https://app.example");
    let begin = json!({"username": "alice", "displayName": "Alice"});

    // The first session signs up, which signs in: the sign-in step is skipped.
    let first = target.new_session();
    let r = target.call(first, Endpoint::AttestationOptions, &begin).unwrap();
    assert!(r.accepted(), "{r:?}");
    assert_eq!(*app.sign_ins.lock().unwrap(), 0);
    // A second session of the same user: sign-up is refused (422, accepted by the step), so it signs in.
    let second = target.new_session();
    let r = target.call(second, Endpoint::AttestationOptions, &begin).unwrap();
    assert!(r.accepted(), "{r:?}");
    assert_eq!(*app.sign_ins.lock().unwrap(), 1);
    assert_eq!(*app.users.lock().unwrap(), ["alice@example.com"]);
    // Every set-up request carried the virtual client's origin.
    assert_eq!(app.origins.lock().unwrap().len(), 3);
    assert!(app.origins.lock().unwrap().iter().all(|o| o == "https://app.example"));

    // The 500 the profile declares a refusal is one; any other 500 is a crash.
    let refused = target.call(first, Endpoint::AttestationResult, &json!({"id": "x"})).unwrap();
    assert_eq!((refused.status, refused.accepted()), (500, false));
    assert!(refused.declared_refusal && !refused.unusable());
    assert_eq!(refused.error_message(), Some("Failed to verify"));
    let crash = target.call(first, Endpoint::AttestationResult, &json!({"id": "crash"})).unwrap();
    assert!(!crash.declared_refusal && crash.unusable());
}
