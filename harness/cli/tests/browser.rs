//! Real browser ceremonies against the reference RP, and the HTML report in a real browser.
//!
//! `chromium_ceremonies_with_virtual_authenticators` (ignored by default: it needs Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them and runs it with `-- --ignored`) starts `webauthn-harness serve
//! --capture` on localhost and chromedriver, and drives headless Chromium over the W3C WebDriver protocol
//! (JSON over HTTP) through the page `serve` serves at `/`, with virtual authenticators from the WebAuthn
//! WebDriver extension (WebAuthn L3 §11). For every ceremony it asserts that the reference RP accepted it, and
//! that the counter and flags the RP stored are the virtual authenticator's: the RP's `signCount` equals the
//! authenticator's, UV is what the authenticator's configuration and the request call for, BE and BS are the
//! authenticator's backup flags. Then the captured vectors pass `vectors check`, and the generator's client
//! data matches the browser's (below). With `WEBAUTHN_HARNESS_CAPTURE=DIR` it captures into DIR (relative to the
//! repository's root; how vectors/captured/ is made: see its README); otherwise into a scratch folder.
//!
//! `chromium_renders_the_html_report` (ignored likewise; the same `.ci/run` step runs it) opens `grade --format
//! html` pages from `file://` in headless Chromium: the embedded reference RP's report, and a crafted one whose
//! FAILs carry an RP message that is a `<script>`. Through the DOM it asserts that the summary's counts are the
//! report's, that the FAIL filter shows exactly the FAIL results and the counts follow it, that the id search
//! narrows, that the public-bug filter shows exactly the results that reproduce one, that the injected markup shows as text and never ran (no alert, no global set), and that the page
//! logged no console error; it saves a screenshot of each page (PNG; `WEBAUTHN_HARNESS_SCREENSHOTS=DIR` keeps
//! them).
//!
//! `generator_client_data_matches_the_browsers` (always runs, no browser) holds the generator's clientDataJSON
//! to the committed captures, byte for byte; see [`compare_client_data`] for exactly what is compared.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use generator::catalog::Ceremony;
use generator::vectors::{Test, TestGroup};
use serde_json::{json, Value as Json};
use wire::base64url;
use wire::client_data::{self, CollectedClientData};

// ---------------------------------------------------------------------------------------------------------
// clientDataJSON: generator against browser
// ---------------------------------------------------------------------------------------------------------

/// How one browser clientDataJSON compared with the generator's.
#[derive(Debug, PartialEq, Eq)]
enum Match {
    /// Byte for byte the same.
    Exact,
    /// The browser appended members after the ones §5.8.1.1 orders (Chrome sometimes adds
    /// `other_keys_can_be_added_here`); the generator's bytes are the browser's up to them.
    Prefix,
}

/// Compares the clientDataJSON the browser produced in one captured test with the generator's for the same
/// inputs: `generator::ceremony::browser_client_data(type, challenge, origin)`, where `type` is
/// `webauthn.create` or `webauthn.get` by the file's ceremony, `challenge` is the RP's challenge (`input`), and
/// `origin` the group's; the page runs top-level, so `crossOrigin` is false and there is no `topOrigin`, as the
/// generator writes. Either the two are equal, or (`Match::Prefix`) the browser's bytes are the generator's
/// without the closing `}`, then `,` and members the generator does not write, then `}` — where those members
/// must be exactly Chrome's `other_keys_can_be_added_here`, and the browser's whole bytes must be what
/// `wire::client_data::serialize` (§5.8.1.1) writes for the same inputs with those members after the defined
/// ones.
fn compare_client_data(group: &TestGroup, test: &Test) -> Result<Match, String> {
    let type_ = match group.ceremony {
        Ceremony::Registration => "webauthn.create",
        Ceremony::Authentication => "webauthn.get",
    };
    let browser = test.response["response"]["clientDataJSON"]
        .as_str()
        .and_then(|s| base64url::decode(s).ok())
        .ok_or("response.clientDataJSON is not base64url")?;
    let challenge =
        base64url::decode(&test.input.challenge).map_err(|_| "input.challenge is not base64url")?;
    let origin = group.origin.as_str();
    let generated = generator::ceremony::browser_client_data(type_, &challenge, origin);
    let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if browser == generated {
        return Ok(Match::Exact);
    }
    let open = &generated[..generated.len().saturating_sub(1)];
    if !browser.starts_with(open) || browser.get(open.len()) != Some(&b',') {
        return Err(format!(
            "the browser's clientDataJSON differs from the generator's:\n browser:   {}\n generator: {}",
            show(&browser),
            show(&generated)
        ));
    }
    let parsed =
        CollectedClientData::parse(&browser).map_err(|e| format!("the browser's client data: {e}"))?;
    let defined = ["type", "challenge", "origin", "crossOrigin", "topOrigin"];
    let extra: Vec<(String, Json)> =
        parsed.members.iter().filter(|(k, _)| !defined.contains(&k.as_str())).cloned().collect();
    let names: Vec<&str> = extra.iter().map(|(k, _)| k.as_str()).collect();
    if names != ["other_keys_can_be_added_here"] {
        return Err(format!("the browser appended members {names:?}: {}", show(&browser)));
    }
    let expected = client_data::serialize(type_, &base64url::encode(&challenge), origin, false, None, &extra);
    if expected != browser {
        return Err(format!(
            "the browser's appended member is not serialized as §5.8.1.1 says:\n browser:  {}\n expected: {}",
            show(&browser),
            show(&expected)
        ));
    }
    Ok(Match::Prefix)
}

/// Compares every test of the captured files in `dir`; returns (exact, prefix) counts.
fn compare_all(dir: &Path) -> (usize, usize) {
    let (mut exact, mut prefix) = (0, 0);
    let mut failures = Vec::new();
    for ceremony in ["registration", "authentication"] {
        let doc = testkit::read_vectors(&dir.join(format!("{ceremony}.json")));
        for group in &doc.test_groups {
            for test in &group.tests {
                match compare_client_data(group, test) {
                    Ok(Match::Exact) => exact += 1,
                    Ok(Match::Prefix) => prefix += 1,
                    Err(e) => failures.push(format!("{ceremony} tcId {}: {e}", test.tc_id)),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    (exact, prefix)
}

#[test]
fn generator_client_data_matches_the_browsers() {
    let dir = testkit::vectors_dir().join("captured");
    let (exact, prefix) = compare_all(&dir);
    assert!(exact + prefix >= 10, "too few captured ceremonies in {}: {exact} + {prefix}", dir.display());
    // The committed set holds both shapes Chrome writes, so both comparisons are exercised.
    assert!(exact > 0 && prefix > 0, "exact {exact}, with Chrome's extra member {prefix}");
}

#[test]
fn a_different_client_data_is_caught() {
    let doc = testkit::read_vectors(&testkit::vectors_dir().join("captured/registration.json"));
    let group = &doc.test_groups[0];
    let mut test = group.tests[0].clone();
    let challenge = test.input.challenge.clone();
    // The same members in another order (origin before challenge): equal as JSON, not as bytes.
    let reordered = format!(
        r#"{{"type":"webauthn.create","origin":{},"challenge":"{challenge}","crossOrigin":false}}"#,
        serde_json::to_string(&group.origin).unwrap()
    );
    test.response["response"]["clientDataJSON"] = json!(base64url::encode(reordered.as_bytes()));
    let err = compare_client_data(group, &test).unwrap_err();
    assert!(err.contains("differs from the generator's"), "{err}");
    // Another appended member than Chrome's.
    let appended = format!(
        r#"{{"type":"webauthn.create","challenge":"{challenge}","origin":{},"crossOrigin":false,"extra":1}}"#,
        serde_json::to_string(&group.origin).unwrap()
    );
    test.response["response"]["clientDataJSON"] = json!(base64url::encode(appended.as_bytes()));
    let err = compare_client_data(group, &test).unwrap_err();
    assert!(err.contains("appended members [\"extra\"]"), "{err}");
}

// Processes and WebDriver: tests/support/webdriver.rs (shared with tests/har_fixtures.rs).
#[path = "support/webdriver.rs"]
mod webdriver;
use webdriver::{free_port, wait_for_port, webdriver, Process, Session};

// ---------------------------------------------------------------------------------------------------------
// The ceremonies
// ---------------------------------------------------------------------------------------------------------

/// One virtual authenticator and what is done with it.
struct Scenario {
    name: &'static str,
    /// The Authenticator Configuration (WebAuthn L3 §11.3).
    authenticator: Json,
    username: &'static str,
    /// userVerification and residentKey of the registration.
    register: (&'static str, &'static str),
    /// userVerification of each sign-in.
    sign_ins: &'static [&'static str],
}

fn scenarios() -> Vec<Scenario> {
    let config = |transport: &str, rk: bool, uv: bool, backup: bool| {
        json!({
            "protocol": "ctap2", "transport": transport, "hasResidentKey": rk,
            "hasUserVerification": uv, "isUserConsenting": true, "isUserVerified": uv,
            "defaultBackupEligibility": backup, "defaultBackupState": backup,
        })
    };
    vec![
        Scenario {
            name: "platform authenticator (internal), user verification, resident key",
            authenticator: config("internal", true, true, false),
            username: "alice",
            register: ("required", "required"),
            sign_ins: &["required", "required", "preferred", "discouraged"],
        },
        Scenario {
            name: "security key (usb) without user verification, no resident key",
            authenticator: config("usb", false, false, false),
            username: "bob",
            register: ("discouraged", "discouraged"),
            sign_ins: &["preferred", "discouraged", "preferred"],
        },
        Scenario {
            name: "a second security key (usb) for the same account, with user verification",
            authenticator: config("usb", false, true, false),
            username: "bob",
            register: ("preferred", "discouraged"),
            sign_ins: &["preferred", "required"],
        },
        Scenario {
            name: "synced passkey (internal, backup eligible and backed up), resident key preferred",
            authenticator: config("internal", true, true, true),
            username: "carol",
            register: ("preferred", "preferred"),
            sign_ins: &["required", "preferred"],
        },
    ]
}

fn reply_json(status: &str, text: &str, what: &str) -> Json {
    assert_eq!(status, "ok", "{what}: the page says {status}: {text}");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: the RP's answer is not JSON ({e}): {text}"))
}

/// Checks one accepted ceremony's stored state against the virtual authenticator's; returns the credential ID
/// and the stored counter.
fn check_state(
    what: &str,
    reply: &Json,
    credentials: &HashMap<String, Json>,
    config: &Json,
    uv_requested: &str,
) -> (String, u64) {
    let stored = &reply["credential"];
    let flags = &reply["flags"];
    let id =
        stored["id"].as_str().unwrap_or_else(|| panic!("{what}: no credential in the RP's answer: {reply}"));
    let held = credentials
        .get(id)
        .unwrap_or_else(|| panic!("{what}: the authenticator does not hold credential {id}"));
    let count = stored["signCount"].as_u64().expect("signCount");
    assert_eq!(Some(count), held["signCount"].as_u64(), "{what}: the RP stored the authenticator's counter");
    assert_eq!(flags["up"], true, "{what}: UP");
    // The virtual authenticator verifies the user when it can and the request does not discourage it.
    let uv_expected = config["hasUserVerification"] == true
        && config["isUserVerified"] == true
        && uv_requested != "discouraged";
    assert_eq!(
        flags["uv"], uv_expected,
        "{what}: UV (authenticator {config}, userVerification {uv_requested})"
    );
    assert_eq!(flags["be"], held["backupEligibility"], "{what}: BE");
    assert_eq!(flags["bs"], held["backupState"], "{what}: BS");
    assert_eq!(stored["backupEligible"], held["backupEligibility"], "{what}: stored backupEligible");
    assert_eq!(stored["backupState"], held["backupState"], "{what}: stored backupState");
    assert_eq!(stored["userHandle"], held["userHandle"], "{what}: the user handle");
    (id.to_owned(), count)
}

/// The virtual authenticator's P-256 key (PKCS#8, base64url) as a JWK like the generator's vectors carry;
/// checked against the public key the RP stored.
fn private_jwk(pkcs8: &str, cose_public_key: &str) -> Json {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::DecodePrivateKey;
    let der = base64url::decode(pkcs8).expect("privateKey is base64url");
    let secret = p256::SecretKey::from_pkcs8_der(&der).expect("a P-256 PKCS#8 key");
    let point = secret.public_key().to_encoded_point(false);
    let (x, y) = (point.x().expect("x").to_vec(), point.y().expect("y").to_vec());
    let cose = wire::cose::CoseKey::parse(&base64url::decode(cose_public_key).expect("publicKey"))
        .expect("a COSE key");
    match cose.key {
        wire::cose::CoseKey::Ec2 { x: cx, y: cy, .. } => {
            assert_eq!((&cx, &cy), (&x, &y), "the RP stored the authenticator's public key")
        }
        other => panic!("not an EC2 key: {other:?}"),
    }
    json!({"kty": "EC", "crv": "P-256", "x": base64url::encode(&x), "y": base64url::encode(&y),
           "d": base64url::encode(&secret.to_bytes())})
}

/// Puts the authenticators' keys into the captured files (the RP cannot know them).
fn add_private_keys(dir: &Path, keys: &HashMap<String, String>) {
    for ceremony in ["registration", "authentication"] {
        let path = dir.join(format!("{ceremony}.json"));
        let mut doc = testkit::read_vectors(&path);
        for group in &mut doc.test_groups {
            let credential = &mut group.credential;
            let key = keys
                .get(&credential.id)
                .unwrap_or_else(|| panic!("no key for captured credential {}", credential.id));
            credential.private_key = private_jwk(key, &credential.public_key);
        }
        std::fs::write(&path, generator::vectors::to_text(&doc)).expect("rewriting a captured file");
    }
}

/// Runs `vectors check` over the committed vectors with `captured/` replaced by the fresh captures.
fn vectors_check(captured: &Path, scratch: &Path) {
    let tree = scratch.join("vectors");
    testkit::copy_vectors_tree(&tree);
    std::fs::create_dir_all(tree.join("captured")).expect("a vectors tree");
    for f in ["registration.json", "authentication.json"] {
        std::fs::copy(captured.join(f), tree.join("captured").join(f)).expect("copying a captured file");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["vectors", "check", "--dir"])
        .arg(&tree)
        .output()
        .expect("running vectors check");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains(" 0 problem(s)"),
        "vectors check:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver (.ci/run does), then -- --ignored"]
fn chromium_ceremonies_with_virtual_authenticators() {
    let started = Instant::now();
    let scratch = std::env::temp_dir().join(format!("webauthn-harness-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let capture = match std::env::var_os("WEBAUTHN_HARNESS_CAPTURE") {
        // A relative folder is taken from the repository's root (cargo runs tests in the package's folder).
        Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir),
        None => scratch.join("captured"),
    };
    for f in ["registration.json", "authentication.json"] {
        let _ = std::fs::remove_file(capture.join(f));
    }

    let port = free_port();
    let server = Process::start(
        env!("CARGO_BIN_EXE_webauthn-harness"),
        &[
            "serve".into(),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--capture".into(),
            capture.display().to_string(),
        ],
        scratch.join("serve.log"),
    );
    wait_for_port(port, "webauthn-harness serve", &server.log);
    let session = Session::start(&scratch);
    session.call("POST", "/url", Some(&json!({"url": format!("http://localhost:{port}/")})));

    let mut keys: HashMap<String, String> = HashMap::new();
    let (mut registrations, mut assertions) = (0, 0);
    for scenario in scenarios() {
        let authenticator = session.add_authenticator(&scenario.authenticator);
        let (uv, rk) = scenario.register;
        let what = format!("{}: registration of {}", scenario.name, scenario.username);
        let (status, text) = session.ceremony("register", scenario.username, uv, rk);
        let reply = reply_json(&status, &text, &what);
        let held = session.credentials(&authenticator);
        let (id, mut count) = check_state(&what, &reply, &held, &scenario.authenticator, uv);
        let stored = &reply["credential"];
        let transport = scenario.authenticator["transport"].clone();
        assert_eq!(stored["transports"], json!([transport]), "{what}: transports");
        assert_eq!(stored["uvInitialized"], reply["flags"]["uv"], "{what}: uvInitialized");
        let resident = match rk {
            "required" => true,
            "discouraged" => false,
            _ => scenario.authenticator["hasResidentKey"] == true,
        };
        assert_eq!(held[&id]["isResidentCredential"], resident, "{what}: resident key");
        registrations += 1;
        for (i, uv) in scenario.sign_ins.iter().enumerate() {
            let what = format!(
                "{}: sign-in {} of {} (userVerification {uv})",
                scenario.name,
                i + 1,
                scenario.username
            );
            let (status, text) = session.ceremony("signin", scenario.username, uv, rk);
            let reply = reply_json(&status, &text, &what);
            let held = session.credentials(&authenticator);
            let (used, now) = check_state(&what, &reply, &held, &scenario.authenticator, uv);
            assert_eq!(used, id, "{what}: the authenticator's credential was used");
            assert!(now > count, "{what}: the counter went from {count} to {now}");
            assert_eq!(reply["cloneWarning"], false, "{what}");
            count = now;
            assertions += 1;
        }
        for (credential, c) in &session.credentials(&authenticator) {
            keys.insert(credential.clone(), c["privateKey"].as_str().expect("a private key").to_owned());
        }
        session.remove_authenticator(&authenticator);
    }
    drop(session);
    drop(server);

    // Every accepted ceremony was captured, the captures are valid vectors, and the generator writes the
    // browser's client data.
    let registration = testkit::read_vectors(&capture.join("registration.json"));
    let authentication = testkit::read_vectors(&capture.join("authentication.json"));
    assert_eq!(registration.number_of_tests, registrations);
    assert_eq!(authentication.number_of_tests, assertions);
    add_private_keys(&capture, &keys);
    vectors_check(&capture, &scratch);
    let (exact, prefix) = compare_all(&capture);
    eprintln!(
        "{registrations} registrations and {assertions} sign-ins accepted and captured to {}; client data: {exact} exact, \
         {prefix} with Chrome's extra member; {:.1} s",
        capture.display(),
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

// ---------------------------------------------------------------------------------------------------------
// The HTML report (`grade --format html`) in the browser
// ---------------------------------------------------------------------------------------------------------

/// The global that the markup injected into `crafted`'s report would set, had it run.
const INJECTED: &str = "__webauthnHarnessInjected";

/// A report as a faulty RP would give it: the reference RP's, with a valid ceremony rejected with a script for
/// its message (a FAIL), two procedure cases accepted (FAILs), and a known WARN whose note is an image with an
/// `onerror` handler. Returns it, the id of the FAIL with the script, and the script.
fn crafted(mut r: grader::Report) -> (grader::Report, String, String) {
    let message = format!("<script>window.{INJECTED} = 1; alert(1)</script>");
    let valid = r.cases.iter_mut().find(|c| c.expect.as_str() == "accept").expect("an accept case");
    valid.verdict = grader::Verdict::Fail;
    valid.detail = format!("expected acceptance, got rejected (HTTP 400): {message}");
    valid.observed = Some(grader::report::Observed {
        accepted: false,
        http_status: Some(400),
        error_message: Some(message.clone()),
        check: Some("<b>named</b>".into()),
        not_json: false,
        declared_refusal: false,
    });
    let scripted = valid.id.clone();
    let procedure = |c: &grader::CaseResult| {
        c.expect.as_str() == "reject" && c.basis.as_ref().is_some_and(|b| b.kind.as_str() == "procedure")
    };
    for c in r.cases.iter_mut().filter(|c| procedure(c)).step_by(60).take(2) {
        c.verdict = grader::Verdict::Fail;
        c.detail = "expected rejection, but the RP accepted".into();
        c.observed = Some(grader::report::Observed {
            accepted: true,
            http_status: Some(200),
            error_message: None,
            check: None,
            not_json: false,
            declared_refusal: false,
        });
    }
    let warn = r.cases.iter_mut().rfind(|c| c.verdict == grader::Verdict::Pass).expect("a PASS");
    warn.verdict = grader::Verdict::Warn;
    warn.expected_because = Some(format!("lax <img src=x onerror=\"window.{INJECTED} = 2\"> parser"));
    warn.expected_kind = Some(grader::report::Kind::Deviation);
    r.target = "crafted <i>report</i>".into();
    r.stale_expectations = vec![format!("<script>window.{INJECTED} = 3</script>")];
    r.summary = grader::Report::summarize(&r.cases);
    (r, scripted, message)
}

/// What the page shows, read from its DOM: per verdict the report's count and the shown count, the ids of
/// the result cards that are rendered (not hidden), the shown-count line, the option labels of each filter,
/// and whether the injected global exists.
fn page_state(session: &Session) -> Json {
    session.script(
        "const q = s => Array.from(document.querySelectorAll(s));\
         const cells = c => Object.fromEntries(q('#summary td.' + c)\
             .map(td => [td.dataset.verdict, Number(td.textContent)]));\
         const options = id => Object.fromEntries(q('#' + id + ' option').map(o => [o.value, o.textContent]));\
         return {\
           total: cells('total'), shown: cells('shown'),\
           cards: q('#cases > .case').length,\
           visible: q('#cases > .case').filter(c => c.getClientRects().length > 0).map(c => c.dataset.id),\
           shownCount: Number(document.getElementById('shown-count').textContent),\
           totalCount: Number(document.getElementById('total-count').textContent),\
           verdict: options('f-verdict'), kind: options('f-kind'),\
           injected: typeof window[arguments[0]],\
         };",
        json!([INJECTED]),
    )
}

/// A screenshot of the viewport, checked to be a PNG, saved as `path`.
fn screenshot(session: &Session, path: &Path) {
    use base64::Engine;
    let encoded = session.call("GET", "/screenshot", None);
    let png = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_str().expect("a base64 screenshot"))
        .expect("the screenshot is base64");
    assert!(png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {} bytes", png.len());
    std::fs::write(path, &png).expect("saving the screenshot");
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver (.ci/run does), then -- --ignored"]
fn chromium_renders_the_html_report() {
    let scratch = std::env::temp_dir().join(format!("webauthn-harness-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");

    // The reference RP graded twice with the same seed: as the JSON report, and as the page under test.
    let grade = |format: &str, file: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
            .args(["grade", "--seed", "3", "--format", format, "--output"])
            .arg(scratch.join(file))
            .output()
            .expect("running grade");
        assert!(out.status.success(), "grade --format {format}: {}", String::from_utf8_lossy(&out.stderr));
        scratch.join(file)
    };
    let report: grader::Report = serde_json::from_str(
        &std::fs::read_to_string(grade("json", "report.json")).expect("the JSON report"),
    )
    .expect("a report");
    let reference = grade("html", "reference.html");
    let (crafted, scripted, message) = crafted(report.clone());
    let crafted_page = scratch.join("crafted.html");
    let reproduce = grader::render::Reproduce { target_args: "--target http://127.0.0.1:9/ " };
    std::fs::write(&crafted_page, grader::render::html(&crafted, &reproduce)).expect("writing the page");
    let counts = |r: &grader::Report| -> Json {
        r.summary
            .iter()
            .map(|(v, n)| (v.as_str().to_owned(), json!(n)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };

    let session = Session::start(&scratch);
    session.call("POST", "/window/rect", Some(&json!({"width": 1280, "height": 1000})));

    // The reference RP's page: the summary is the report's, every result has its card and is shown.
    session.call("POST", "/url", Some(&json!({"url": format!("file://{}", reference.display())})));
    let state = page_state(&session);
    assert_eq!(state["total"], counts(&report), "the summary's counts are the report's");
    assert_eq!(state["shown"], counts(&report), "unfiltered, every result is shown");
    assert_eq!(state["cards"], report.cases.len());
    assert_eq!(state["totalCount"], report.cases.len());
    assert_eq!(state["shownCount"], report.cases.len());
    assert_eq!(state["visible"].as_array().map(Vec::len), Some(report.cases.len()));
    // The script ran: it wrote the counts into the filter options.
    assert_eq!(state["verdict"][""], format!("all ({})", report.cases.len()), "{state}");
    assert_eq!(state["verdict"]["PASS"], format!("PASS ({})", report.summary[&grader::Verdict::Pass]));
    let errors = session.console_errors();
    assert!(errors.is_empty(), "console errors on the reference page: {errors:?}");
    screenshot(&session, &scratch.join("reference.png"));

    // The crafted page: the FAIL filter shows exactly the FAILs, and the counts follow.
    session.call("POST", "/url", Some(&json!({"url": format!("file://{}", crafted_page.display())})));
    // No injected script ran (an open alert would also block every script below).
    let alert = webdriver(
        &session.agent,
        "GET",
        &format!("{}/session/{}/alert/text", session.base, session.id),
        None,
    );
    assert!(alert.as_ref().is_err_and(|e| e.contains("no such alert")), "an alert is open: {alert:?}");
    let state = page_state(&session);
    assert_eq!(state["injected"], "undefined", "injected markup ran");
    assert_eq!(state["total"], counts(&crafted));
    let fails: Vec<&str> =
        crafted.cases.iter().filter(|c| c.verdict == grader::Verdict::Fail).map(|c| c.id.as_str()).collect();
    assert_eq!(fails.len(), 3);
    assert_eq!(state["verdict"]["FAIL"], "FAIL (3)", "{state}");
    session.click("#f-verdict option[value=\"FAIL\"]");
    let state = page_state(&session);
    assert_eq!(state["visible"], json!(fails), "the FAIL filter shows exactly the FAIL results");
    assert_eq!(state["shownCount"], 3);
    let shown: serde_json::Map<String, Json> = grader::Verdict::ALL
        .iter()
        .map(|v| (v.as_str().to_owned(), json!(if *v == grader::Verdict::Fail { 3 } else { 0 })))
        .collect();
    assert_eq!(state["shown"], Json::from(shown), "the summary's shown column follows the filter");
    // The other filters count what they would leave among the FAILs.
    let fail_kinds = |kind: &str| {
        crafted
            .cases
            .iter()
            .filter(|c| c.verdict == grader::Verdict::Fail)
            .filter(|c| c.basis.as_ref().map_or("none", |b| b.kind.as_str()) == kind)
            .count()
    };
    assert_eq!(state["kind"]["procedure"], format!("procedure ({})", fail_kinds("procedure")), "{state}");
    // "no basis" is offered only when some result has none (every catalogue case states one).
    if crafted.cases.iter().any(|c| c.basis.is_none()) {
        assert_eq!(state["kind"]["none"], format!("no basis ({})", fail_kinds("none")), "{state}");
    } else {
        assert!(state["kind"]["none"].is_null(), "{state}");
    }
    assert_eq!(state["kind"][""], "all (3)", "{state}");

    // The RP's message is text: it shows literally.
    let first = format!("#cases > .case[data-id=\"{scripted}\"]");
    assert_eq!(session.text(&format!("{first} .rp-message")), message);
    assert!(session.text(&first).contains("the check the RP names: <b>named</b>"));
    screenshot(&session, &scratch.join("crafted-fail.png"));

    // The summary's FAIL button toggles the filter back off; the id search shows the ids containing it.
    session.click("#summary button[data-verdict=\"FAIL\"]");
    assert_eq!(page_state(&session)["shownCount"], crafted.cases.len());
    let search = session.element("#f-search");
    session.call("POST", &format!("/element/{search}/value"), Some(&json!({"text": fails[1]})));
    let state = page_state(&session);
    let matching: Vec<&str> =
        crafted.cases.iter().map(|c| c.id.as_str()).filter(|id| id.contains(fails[1])).collect();
    assert!(matching.contains(&fails[1]), "{matching:?}");
    assert_eq!(state["visible"], json!(matching), "the id search");
    // The public-bug filter shows exactly the results that reproduce one.
    session.click("#f-reset");
    session.click("#f-references");
    let reproducing: Vec<&str> =
        crafted.cases.iter().filter(|c| !c.references.is_empty()).map(|c| c.id.as_str()).collect();
    assert!(!reproducing.is_empty(), "the catalogue cites public bugs");
    assert_eq!(page_state(&session)["visible"], json!(reproducing), "the public-bug filter");
    let errors = session.console_errors();
    assert!(errors.is_empty(), "console errors on the crafted page: {errors:?}");
    drop(session);

    // WEBAUTHN_HARNESS_SCREENSHOTS=DIR keeps the screenshots (for a look at the page).
    if let Some(dir) = std::env::var_os("WEBAUTHN_HARNESS_SCREENSHOTS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the screenshot folder");
        for png in ["reference.png", "crafted-fail.png"] {
            std::fs::copy(scratch.join(png), dir.join(png)).expect("copying a screenshot");
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
