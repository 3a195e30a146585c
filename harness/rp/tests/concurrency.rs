//! The reference RP over HTTP under concurrent use: many virtual users at once, and one valid response raced
//! on several connections. Every challenge is accepted at most once and no credential is lost.

use std::sync::{Arc, Barrier};

use generator::ceremony::{AttestationKind, Generator};
use generator::client::{ClientConfig, CreationOptions, RequestOptions};
use generator::keys::Algorithm;
use rp::server::{Running, SESSION_COOKIE};
use rp::{Config, ReferenceRp};
use serde_json::{json, Value};

const RP_ID: &str = "rp.example";
const ORIGIN: &str = "https://rp.example";

fn server() -> Running {
    let mut c = Config::new(RP_ID, ORIGIN);
    c.seed = Some(9);
    Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(ReferenceRp::new(c))).unwrap()
}

fn client() -> ClientConfig {
    ClientConfig::new(ORIGIN, RP_ID)
}

/// One POST with an explicit session cookie on a fresh connection; (status, body).
fn post(base: &str, session: &str, path: &str, body: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut resp = agent
        .post(format!("{base}{path}"))
        .header("Cookie", format!("{SESSION_COOKIE}={session}"))
        .header("Content-Type", "application/json")
        .send(serde_json::to_vec(body).unwrap().as_slice())
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap_or_default()).unwrap_or(Value::Null),
    )
}

fn ok(v: &Value) -> bool {
    v["status"] == "ok"
}

/// Registers a fresh user in `session`; returns the credential.
fn register(base: &str, session: &str, user: &str, gen: &mut Generator) -> generator::Credential {
    let (_, options) =
        post(base, session, "/attestation/options", &json!({"username": user, "displayName": user}));
    assert!(ok(&options), "{options}");
    let options = CreationOptions::from_json(&options).unwrap();
    let cred = gen.credential(Algorithm::Es256, 16);
    let body = options.draft(&client(), &cred).sign(&cred, AttestationKind::None).to_json();
    let (_, result) = post(base, session, "/attestation/result", &body);
    assert!(ok(&result), "{user}: {result}");
    cred
}

fn assertion(base: &str, session: &str, user: &str, cred: &generator::Credential) -> Value {
    let (_, options) = post(base, session, "/assertion/options", &json!({"username": user}));
    assert!(ok(&options), "{options}");
    let options = RequestOptions::from_json(&options).unwrap();
    options.draft(&client(), cred, 0, None).sign(cred).to_json()
}

#[test]
fn many_users_at_once_lose_no_credential() {
    let srv = server();
    let base = srv.url();
    let users = 24;
    let barrier = Arc::new(Barrier::new(users));
    let handles: Vec<_> = (0..users)
        .map(|i| {
            let base = base.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut gen = Generator::new(100 + i as u64);
                let user = format!("user-{i}");
                let session = format!("session-{i}");
                barrier.wait();
                let cred = register(&base, &session, &user, &mut gen);
                // Sign in twice: the credential was stored and stays usable.
                for _ in 0..2 {
                    let body = assertion(&base, &session, &user, &cred);
                    let (_, r) = post(&base, &session, "/assertion/result", &body);
                    assert!(ok(&r), "{user}: {r}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a virtual user failed");
    }
}

#[test]
fn a_response_raced_on_several_connections_is_accepted_once() {
    let srv = server();
    let base = srv.url();
    let mut gen = Generator::new(7);
    let session = "racer";
    let cred = register(&base, session, "racer", &mut gen);
    for round in 0..5 {
        let body = Arc::new(assertion(&base, session, "racer", &cred));
        let racers = 8;
        let barrier = Arc::new(Barrier::new(racers));
        let handles: Vec<_> = (0..racers)
            .map(|_| {
                let (base, body, barrier) = (base.clone(), body.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    ok(&post(&base, session, "/assertion/result", &body).1)
                })
            })
            .collect();
        let accepted = handles.into_iter().map(|h| h.join().unwrap()).filter(|a| *a).count();
        assert_eq!(accepted, 1, "round {round}: the same challenge was accepted {accepted} times");
    }
    // The same for a registration response: one challenge, one credential.
    let (_, options) = post(
        &base,
        "reg-racer",
        "/attestation/options",
        &json!({"username": "reg-racer", "displayName": "r"}),
    );
    let options = CreationOptions::from_json(&options).unwrap();
    let new = gen.credential(Algorithm::Es256, 16);
    let body = Arc::new(options.draft(&client(), &new).sign(&new, AttestationKind::None).to_json());
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (base, body, barrier) = (base.clone(), body.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                ok(&post(&base, "reg-racer", "/attestation/result", &body).1)
            })
        })
        .collect();
    assert_eq!(handles.into_iter().map(|h| h.join().unwrap()).filter(|a| *a).count(), 1);
}

#[test]
fn oversized_and_non_json_requests_get_a_clear_failure() {
    let srv = server();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let big = vec![b' '; rp::server::MAX_BODY + 1];
    let resp = agent.post(format!("{}/attestation/options", srv.url())).send(&big[..]).unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let mut resp = agent.post(format!("{}/attestation/options", srv.url())).send(&b"not json"[..]).unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(v["status"], "failed");
    assert!(v["errorMessage"].as_str().unwrap().contains("not JSON"));
}

#[test]
fn sessions_are_bounded() {
    let mut c = Config::new(RP_ID, ORIGIN);
    c.max_sessions = 10;
    let rp = ReferenceRp::new(c);
    for i in 0..50 {
        let (status, _) = rp.handle(
            &format!("s{i}"),
            "/attestation/options",
            &json!({"username": format!("u{i}"), "displayName": "d"}),
            0,
        );
        assert_eq!(status, 200);
    }
    assert_eq!(rp.session_count(), 10);
}

#[test]
fn an_expired_challenge_is_refused() {
    let mut c = Config::new(RP_ID, ORIGIN);
    c.seed = Some(2);
    let rp = ReferenceRp::new(c);
    let t0 = 1_000_000;
    let (_, options) =
        rp.handle("s", "/attestation/options", &json!({"username": "late", "displayName": "late"}), t0);
    let options = CreationOptions::from_json(&options).unwrap();
    let cred = Generator::new(1).credential(Algorithm::Es256, 16);
    let body = options.draft(&client(), &cred).sign(&cred, AttestationKind::None).to_json();
    let ttl = rp.config().challenge_ttl;
    let (status, reply) = rp.handle("s", "/attestation/result", &body, t0 + ttl + 1);
    assert_eq!(status, 400);
    assert_eq!(reply["check"], "reg.client-data.challenge");
    assert!(reply["errorMessage"].as_str().unwrap().contains("expired"), "{reply}");
    // Just inside the window it is accepted.
    let (_, options) =
        rp.handle("s", "/attestation/options", &json!({"username": "late", "displayName": "late"}), t0);
    let options = CreationOptions::from_json(&options).unwrap();
    let body = options.draft(&client(), &cred).sign(&cred, AttestationKind::None).to_json();
    let (_, reply) = rp.handle("s", "/attestation/result", &body, t0 + ttl);
    assert_eq!(reply["status"], "ok", "{reply}");
}

#[test]
fn concurrent_assertions_with_one_counter_value_are_accepted_once() {
    // Assertions are verified outside the RP's lock; two of the same credential carrying the same signCount,
    // each on its own challenge, must still not both be accepted (the second's counter did not increase).
    let srv = server();
    let base = srv.url();
    let mut gen = Generator::new(8);
    let cred = register(&base, "counter-0", "counter", &mut gen);
    for round in 1..=4u32 {
        let racers = 6;
        let bodies: Vec<(String, Value)> = (0..racers)
            .map(|i| {
                let session = format!("counter-{round}-{i}");
                let (_, options) =
                    post(&base, &session, "/assertion/options", &json!({"username": "counter"}));
                let options = RequestOptions::from_json(&options).unwrap();
                (session, options.draft(&client(), &cred, round * 10, None).sign(&cred).to_json())
            })
            .collect();
        let barrier = Arc::new(Barrier::new(racers));
        let handles: Vec<_> = bodies
            .into_iter()
            .map(|(session, body)| {
                let (base, barrier) = (base.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    ok(&post(&base, &session, "/assertion/result", &body).1)
                })
            })
            .collect();
        let accepted = handles.into_iter().map(|h| h.join().unwrap()).filter(|a| *a).count();
        assert_eq!(accepted, 1, "round {round}: signCount {} was accepted {accepted} times", round * 10);
    }
}
