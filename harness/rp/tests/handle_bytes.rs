//! `ReferenceRp::handle_bytes`, what the HTTP server calls with a request's bytes, answers as
//! `ReferenceRp::handle` does on the parsed body: over every request the catalogue sends, and on a body that is
//! not JSON (refused before anything is handled). Assertion results take the verifier's fast path.

use generator::catalog;
use generator::ceremony::{AttestationKind, Generator};
use generator::client::CreationOptions;
use generator::keys::Algorithm;
use generator::runner::run_case;
use rp::ReferenceRp;
use serde_json::{json, Value};

use testkit::{client, reference_rp, FnTarget, NOW};
use verifier::AuthenticationResponse;

/// What calling two reference RPs in the same state, one with the parsed body and one with its bytes, found.
#[derive(Default)]
struct Comparison {
    differences: Vec<String>,
    /// Accepted assertion results, and how many of them the fast path reads.
    accepted_assertions: usize,
    fast_assertions: usize,
}

impl Comparison {
    /// Answers as `by_value` does on `body`, noting where `by_bytes` answers its bytes otherwise.
    fn call(
        &mut self,
        (by_value, by_bytes): (&ReferenceRp, &ReferenceRp),
        session: &str,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let bytes = serde_json::to_vec(body).expect("a JSON value serializes");
        let answer = by_value.handle(session, path, body, NOW);
        match by_bytes.handle_bytes(session, path, &bytes, NOW) {
            Ok(other) if other == answer => {}
            other => self.differences.push(format!("{path} {body}: {answer:?} / {other:?}")),
        }
        if path == "/assertion/result" && answer.1["status"] == "ok" {
            self.accepted_assertions += 1;
            self.fast_assertions +=
                usize::from(AuthenticationResponse::from_json_bytes_fast(&bytes).is_some());
        }
        answer
    }
}

#[test]
fn bytes_and_parsed_bodies_get_the_same_answers_over_the_catalogue() {
    let (by_value, by_bytes) = (reference_rp(), reference_rp());
    let mut seen = Comparison::default();
    let mut twins = FnTarget::new(|session: &str, path: &str, body: &Value| {
        seen.call((&by_value, &by_bytes), session, path, body)
    });
    for case in catalog::all() {
        run_case(&case, &mut twins, &client(), 7);
    }
    assert!(seen.differences.is_empty(), "{}", seen.differences.join("\n"));
    assert!(seen.accepted_assertions > 50, "only {} accepted assertions", seen.accepted_assertions);
    assert_eq!(seen.fast_assertions, seen.accepted_assertions, "an accepted assertion missed the fast path");
}

#[test]
fn a_body_that_is_not_json_is_refused_before_the_challenge_is_taken() {
    let rp = reference_rp();
    let (_, options) =
        rp.handle("s", "/attestation/options", &json!({"username": "alice", "displayName": "Alice"}), NOW);
    let options = CreationOptions::from_json(&options).expect("creation options");
    let cred = Generator::new(5).credential(Algorithm::Es256, 16);
    let body = options.draft(&client(), &cred).sign(&cred, AttestationKind::None).to_json();
    let (status, reply) = rp.handle("s", "/attestation/result", &body, NOW);
    assert_eq!((status, &reply["status"]), (200, &json!("ok")), "{reply}");

    let (_, options) = rp.handle("s", "/assertion/options", &json!({"username": "alice"}), NOW);
    assert_eq!(options["status"], "ok", "{options}");
    assert!(rp.handle_bytes("s", "/assertion/result", b"{\"id\":", NOW).is_err());
    // The challenge is still pending: the next result is judged on its content, not refused for want of one.
    let (status, reply) = rp.handle_bytes("s", "/assertion/result", b"{}", NOW).expect("JSON");
    assert_eq!((status, &reply["check"]), (400, &json!("auth.response.malformed")), "{reply}");
}
