//! `webauthn-harness serve` without a browser: the page at `/`, the extra members of accepted results
//! (`credential`, `flags`), and `--capture` writing accepted ceremonies (only those) as vectors that
//! `vectors check` reproduces. The generator plays the browser; `tests/browser.rs` does the same with Chromium.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use generator::ceremony::{AttestationKind, Generator};
use generator::client::{ClientConfig, CreationOptions, RequestOptions};
use generator::keys::Algorithm;
use generator::target::{Endpoint, Target};
use grader::transport::{HttpConfig, HttpTarget};
use serde_json::json;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("webauthn-harness-serve-capture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn start(capture: &Path) -> (Server, u16) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--capture"])
        .arg(capture)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

#[test]
fn serve_has_a_page_and_captures_accepted_ceremonies_as_vectors() {
    let dir = scratch();
    let capture = dir.join("captured");
    let (server, port) = start(&capture);
    let base = format!("http://127.0.0.1:{port}");

    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut page = agent.get(&base).call().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.body_mut().read_to_string().unwrap();
    for needle in [
        "id=\"register\"",
        "id=\"signin\"",
        "id=\"result\"",
        "navigator.credentials.create",
        "navigator.credentials.get",
    ] {
        assert!(html.contains(needle), "the page has no {needle}");
    }

    let origin = format!("http://localhost:{port}");
    let client = ClientConfig::new(origin.clone(), "localhost");
    let mut http = HttpTarget::new(HttpConfig::new(&base));
    let session = http.new_session();
    let reply = http
        .call(
            session,
            Endpoint::AttestationOptions,
            &json!({"username": "dana", "displayName": "Dana", "authenticatorSelection": {"userVerification": "required"}}),
        )
        .unwrap();
    let options = CreationOptions::from_json(&reply.body).unwrap();
    let user = options.user_id.clone();
    let credential = Generator::new(7).credential(Algorithm::Es256, 16);
    let body = options.draft(&client, &credential).sign(&credential, AttestationKind::None).to_json();
    let reply = http.call(session, Endpoint::AttestationResult, &body).unwrap();
    assert!(reply.accepted(), "{}", reply.body);
    assert_eq!(reply.body["credential"]["signCount"], 0);
    assert_eq!(reply.body["credential"]["uvInitialized"], true);
    assert_eq!(reply.body["flags"], json!({"up": true, "uv": true, "be": false, "bs": false}));

    // Two sign-ins (counters 3 and 9), and one the RP refuses (counter 9 again), which is not captured.
    for (count, accepted) in [(3, true), (9, true), (9, false)] {
        let reply = http
            .call(
                session,
                Endpoint::AssertionOptions,
                &json!({"username": "dana", "userVerification": "discouraged"}),
            )
            .unwrap();
        let options = RequestOptions::from_json(&reply.body).unwrap();
        let body = options.draft(&client, &credential, count, Some(user.clone())).sign(&credential).to_json();
        let reply = http.call(session, Endpoint::AssertionResult, &body).unwrap();
        assert_eq!(reply.accepted(), accepted, "{}", reply.body);
        if accepted {
            assert_eq!(reply.body["credential"]["signCount"], count);
            assert_eq!(reply.body["flags"]["uv"], false);
        }
    }
    // A result with no options before it in its session is not captured either.
    let other = http.new_session();
    let reply = http.call(other, Endpoint::AttestationResult, &body).unwrap();
    assert!(!reply.accepted());
    drop(server);

    let registration = testkit::read_vectors(&capture.join("registration.json"));
    let authentication = testkit::read_vectors(&capture.join("authentication.json"));
    assert_eq!(registration.number_of_tests, 1);
    assert_eq!(authentication.number_of_tests, 2);
    let group = &authentication.test_groups[0];
    assert_eq!(group.origin, origin);
    let stored = |t: usize| group.tests[t].input.stored_credential.as_ref().unwrap().sign_count;
    assert_eq!((stored(0), stored(1)), (0, 3));
    assert_eq!(group.tests[1].input.user_verification, "discouraged");
    assert_eq!(registration.test_groups[0].tests[0].input.user_verification, "required");
    assert!(group
        .source
        .as_deref()
        .unwrap()
        .starts_with("captured by `webauthn-harness serve --capture` from"));

    // The captures are vectors `vectors check` reproduces.
    let tree = dir.join("vectors");
    testkit::copy_vectors_tree(&tree);
    std::fs::rename(&capture, tree.join("captured")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["vectors", "check", "--dir"])
        .arg(&tree)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains(" 0 problem(s)"), "{text}");

    // A captured test whose result no longer holds is caught.
    let path = tree.join("captured/authentication.json");
    let tampered =
        std::fs::read_to_string(&path).unwrap().replacen("\"signCount\": 3", "\"signCount\": 10", 1);
    std::fs::write(&path, tampered).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["vectors", "check", "--dir"])
        .arg(&tree)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("captured/authentication.json tcId 2")
            && text.contains("rejected by auth.sign-count.not-increased"),
        "{text}"
    );
    std::fs::remove_dir_all(dir).ok();
}
