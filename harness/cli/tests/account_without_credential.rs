//! §7.2 step 6 for an account without credentials (one whose registration never finished, or a username that
//! never registered), answered with another account's credential and that account's userHandle: the bug of
//! java-webauthn-server 2.8.0-2.8.1 (CVE-2026-46419, Yubico's YSA-2026-02), which, finding no user handle for
//! the requested username, took the response's and reported success.
//!
//! Three reference RPs: the default one refuses assertion options for such an account (a correct defence: the
//! cases PASS and say so); one that issues them (`Config::options_without_credentials`, as §7.2's privacy
//! section suggests against username enumeration) rejects the assertion by the record look-up of step 6; and
//! one that issues them and looks the credential up among all accounts (`credential_ownership_checked` off:
//! with allowCredentials empty nothing else stops it) signs the attacker in. The catalogue must FAIL that one
//! on exactly the two cases of this class.

use std::collections::BTreeSet;

use generator::catalog::{self, Case};
use grader::{Report, Verdict};
use rp::ReferenceRp;
use testkit::not_good;
use testkit::{ORIGIN, RP_ID};
use verifier::CheckId;

const UNFINISHED: &str = "auth.stateful.account-without-credential.registration-unfinished";
const NEVER_REGISTERED: &str = "auth.stateful.account-without-credential.never-registered";

fn grade(rp: ReferenceRp, cases: &[Case]) -> Report {
    testkit::grade_in_process(&rp, cases)
}

/// The reference RP, issuing assertion options for accounts without credentials or not, and checking whom a
/// credential belongs to or not.
fn rp(options_without_credentials: bool, ownership_checked: bool) -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.options_without_credentials = options_without_credentials;
    config.credential_ownership_checked = ownership_checked;
    ReferenceRp::new(config)
}

fn result<'r>(r: &'r Report, id: &str) -> &'r grader::CaseResult {
    r.cases.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("{id} was not graded"))
}

fn the_cases() -> Vec<Case> {
    [UNFINISHED, NEVER_REGISTERED]
        .iter()
        .map(|id| catalog::get(id).unwrap_or_else(|| panic!("{id} is not in the catalogue")))
        .collect()
}

#[test]
fn an_rp_that_takes_the_credentials_account_for_an_account_without_credentials_fails_exactly_these_cases() {
    let report = grade(rp(true, false), &catalog::all());
    let expected: BTreeSet<(String, Verdict)> =
        [(UNFINISHED.to_owned(), Verdict::Fail), (NEVER_REGISTERED.to_owned(), Verdict::Fail)].into();
    assert_eq!(not_good(&report), expected);
    for id in [UNFINISHED, NEVER_REGISTERED] {
        let c = result(&report, id);
        assert_eq!(c.observed.as_ref().map(|o| o.accepted), Some(true), "{id}: {}", c.detail);
        assert_eq!(c.detail, "expected rejection, but the RP accepted", "{id}");
    }
}

#[test]
fn refusing_the_options_passes_and_says_so() {
    let report = grade(testkit::reference_rp(), &the_cases());
    for id in [UNFINISHED, NEVER_REGISTERED] {
        let c = result(&report, id);
        assert_eq!(c.verdict, Verdict::Pass, "{id}: {}", c.detail);
        // No subject call was answered: the assertion was never sent.
        assert!(c.observed.is_none(), "{id}");
        assert!(
            c.detail.starts_with(
                "the RP refused assertion options for an account without credentials, so the response was \
                 never sent: rejected (HTTP 400): "
            ),
            "{id}: {}",
            c.detail
        );
    }
    // What it refused with: no such user, and a user without credentials.
    assert!(result(&report, NEVER_REGISTERED).detail.ends_with("User does not exists!"));
    assert!(result(&report, UNFINISHED).detail.ends_with("the user has no credentials"));
}

#[test]
fn options_for_an_account_without_credentials_meet_the_record_look_up_of_step_6() {
    let report = grade(rp(true, true), &catalog::all());
    assert_eq!(not_good(&report), BTreeSet::new());
    for id in [UNFINISHED, NEVER_REGISTERED] {
        let c = result(&report, id);
        assert_eq!(
            (c.verdict, c.observed.as_ref().and_then(|o| o.check.as_deref())),
            (Verdict::Pass, Some(CheckId::AuthCredentialNotOwned.id())),
            "{id}: {}",
            c.detail
        );
    }
    // The switch alone changes nothing while the RP refuses those options.
    let report = grade(rp(false, false), &catalog::all());
    assert_eq!(not_good(&report), BTreeSet::new());
}
