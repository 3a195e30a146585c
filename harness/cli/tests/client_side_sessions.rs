//! Challenges kept on the client: an RP that keeps a session's state in the cookie it hands out (a signed
//! cookie, a client-side session) and never records a challenge as used "deletes" it by handing out a new
//! cookie, while the old one still carries it. The replays that post with the session's cookies as they are
//! (`reg.stateful.replay`, `auth.stateful.replay`) cannot tell it from a correct RP; posted with the cookies as
//! they were right after the options call, as an attacker who kept them would, a replayed assertion of a
//! counterless credential is accepted. Over HTTP, with the reference server's test-only
//! `Config::client_side_sessions` (each request answered in a copy of the state its cookie named, under a new
//! cookie).

use std::collections::BTreeSet;
use std::sync::Arc;

use generator::catalog;
use grader::transport::{HttpConfig, HttpTarget};
use grader::{GradeConfig, Report, Verdict};
use rp::server::Running;
use rp::ReferenceRp;
use testkit::{http_client, ORIGIN, RP_ID};
use testkit::{not_good, outcome};
use verifier::CheckId;

const REG_SAVED: &str = "reg.stateful.replay.saved-session";
const AUTH_SAVED: &str = "auth.stateful.replay.saved-session";

/// Grades the whole catalogue against the reference server configured by `configure`, over HTTP.
fn grade_over_http(configure: impl FnOnce(&mut rp::Config)) -> Report {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 4);
    configure(&mut config);
    let server =
        Running::start("127.0.0.1:0".parse().expect("an address"), Arc::new(ReferenceRp::new(config)))
            .expect("the server starts");
    let mut target = HttpTarget::new(HttpConfig::new(&server.url()));
    let cfg = GradeConfig::new("test", http_client(), 5);
    let all = catalog::all();
    grader::grade(&mut target, &cfg, &all, &all, &mut |_, _, _| {}).report
}

fn pass_by(check: CheckId) -> (Verdict, Option<String>) {
    (Verdict::Pass, Some(check.id().to_owned()))
}

#[test]
fn an_rp_that_keeps_challenges_in_the_cookie_fails_the_assertion_replayed_with_the_saved_cookies() {
    let report = grade_over_http(|c| c.client_side_sessions = true);
    assert_eq!(not_good(&report), [(AUTH_SAVED.to_owned(), Verdict::Fail)].into());
    // The replays with the cookies as they are find no challenge: the new cookie carries none.
    assert_eq!(outcome(&report, "reg.stateful.replay"), pass_by(CheckId::RegChallenge));
    assert_eq!(outcome(&report, "auth.stateful.replay"), pass_by(CheckId::AuthChallenge));
    // A registration replayed with the saved cookies finds its challenge pending, and is refused only because
    // its credential ID is registered by then (§7.1 step 26, a SHOULD).
    assert_eq!(outcome(&report, REG_SAVED), pass_by(CheckId::RegCredentialIdAlreadyRegistered));
}

#[test]
fn without_the_duplicate_credential_check_the_registration_replayed_with_the_saved_cookies_fails_too() {
    let report = grade_over_http(|c| {
        c.client_side_sessions = true;
        c.policy.disabled_checks = vec![CheckId::RegCredentialIdAlreadyRegistered];
    });
    let expected: BTreeSet<(String, Verdict)> = [
        (REG_SAVED.to_owned(), Verdict::Fail),
        (AUTH_SAVED.to_owned(), Verdict::Fail),
        // The check's own case: a SHOULD, so a warning.
        ("reg.stateful.credential-registered-twice".to_owned(), Verdict::Warn),
    ]
    .into();
    assert_eq!(not_good(&report), expected);
    assert_eq!(outcome(&report, "reg.stateful.replay"), pass_by(CheckId::RegChallenge));
}

#[test]
fn over_http_the_reference_rp_refuses_both_replays_with_the_saved_cookies_by_their_challenge() {
    let report = grade_over_http(|_| {});
    assert_eq!(not_good(&report), BTreeSet::new());
    assert_eq!(outcome(&report, REG_SAVED), pass_by(CheckId::RegChallenge));
    assert_eq!(outcome(&report, AUTH_SAVED), pass_by(CheckId::AuthChallenge));
}
