//! `ReferenceRp::handle_bytes`, what the HTTP server calls with a request's bytes, answers as
//! `ReferenceRp::handle` does on the parsed body: over every request the catalogue sends, and on a body that is
//! not JSON (refused before anything is handled). Assertion results take the verifier's fast path.

use generator::catalog;
use generator::ceremony::{AttestationKind, Generator};
use generator::client::{ClientConfig, CreationOptions};
use generator::keys::Algorithm;
use generator::runner::run_case;
use generator::target::{Endpoint, Reply, SessionId, Target, TransportError};
use rp::{Config, ReferenceRp};
use serde_json::{json, Value};
use verifier::AuthenticationResponse;

const RP_ID: &str = "example.org";
const ORIGIN: &str = "https://example.org";
/// 2025-06-01T00:00:00Z.
const NOW: u64 = 1_748_736_000;

fn reference_rp() -> ReferenceRp {
    let mut config = Config::new(RP_ID, ORIGIN);
    config.seed = Some(1);
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    ReferenceRp::new(config)
}

fn client() -> ClientConfig {
    ClientConfig { origin: ORIGIN.into(), rp_id: RP_ID.into() }
}

/// Two reference RPs in the same state, one called with the parsed body, one with its bytes.
struct Twins {
    by_value: ReferenceRp,
    by_bytes: ReferenceRp,
    next: u64,
    differences: Vec<String>,
    /// Accepted assertion results, and how many of them the fast path reads.
    accepted_assertions: usize,
    fast_assertions: usize,
}

impl Target for Twins {
    fn new_session(&mut self) -> SessionId {
        self.next += 1;
        SessionId(self.next)
    }
    fn call(
        &mut self,
        session: SessionId,
        endpoint: Endpoint,
        body: &Value,
    ) -> Result<Reply, TransportError> {
        let session = format!("s{}", session.0);
        let bytes = serde_json::to_vec(body).expect("a JSON value serializes");
        let by_value = self.by_value.handle(&session, endpoint.path(), body, NOW);
        match self.by_bytes.handle_bytes(&session, endpoint.path(), &bytes, NOW) {
            Ok(by_bytes) if by_bytes == by_value => {}
            other => self.differences.push(format!("{} {body}: {by_value:?} / {other:?}", endpoint.path())),
        }
        if endpoint.path() == "/assertion/result" && by_value.1["status"] == "ok" {
            self.accepted_assertions += 1;
            self.fast_assertions +=
                usize::from(AuthenticationResponse::from_json_bytes_fast(&bytes).is_some());
        }
        Ok(Reply { status: by_value.0, body: by_value.1 })
    }
}

#[test]
fn bytes_and_parsed_bodies_get_the_same_answers_over_the_catalogue() {
    let mut twins = Twins {
        by_value: reference_rp(),
        by_bytes: reference_rp(),
        next: 0,
        differences: Vec::new(),
        accepted_assertions: 0,
        fast_assertions: 0,
    };
    for case in catalog::all() {
        run_case(&case, &mut twins, &client(), 7);
    }
    assert!(twins.differences.is_empty(), "{}", twins.differences.join("\n"));
    assert!(twins.accepted_assertions > 50, "only {} accepted assertions", twins.accepted_assertions);
    assert_eq!(
        twins.fast_assertions, twins.accepted_assertions,
        "an accepted assertion missed the fast path"
    );
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
