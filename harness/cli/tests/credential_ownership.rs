//! §7.2 steps 5-6 against an RP that does not check whom a credential belongs to: it looks the credential up
//! among all accounts and signs in its owner, comparing a present userHandle with the owner's (the reference RP
//! with `Config::credential_ownership_checked` off and step 5, allowCredentials, disabled). Such an RP lets
//! anyone holding another account's credential in as that account. The catalogue must FAIL it, and only on the
//! cases that show it: another account's credential sent without userHandle or with its owner's userHandle.
//! Sent with the signing-in user's own userHandle (what no authenticator of that credential sends), the same
//! RP rejects it by the userHandle comparison: that case alone cannot tell the two RPs apart.

use std::collections::BTreeSet;

use generator::catalog::{self, Case};
use grader::{Report, Verdict};
use rp::ReferenceRp;
use testkit::{not_good, outcome};
use testkit::{ORIGIN, RP_ID};
use verifier::CheckId;

const OLD_CASE: &str = "auth.stateful.credential-of-another-user";
const NO_USER_HANDLE: &str = "auth.stateful.credential-of-another-user.no-user-handle";
const OWNER_USER_HANDLE: &str = "auth.stateful.credential-of-another-user.owner-user-handle";

fn grade(rp: ReferenceRp, cases: &[Case]) -> Report {
    testkit::grade_in_process(&rp, cases)
}

/// The RP that skips the ownership check.
fn unchecked_ownership(disabled: Vec<CheckId>) -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.credential_ownership_checked = false;
    config.policy.disabled_checks = disabled;
    ReferenceRp::new(config)
}

fn the_ownership_cases() -> Vec<Case> {
    [OLD_CASE, NO_USER_HANDLE, OWNER_USER_HANDLE]
        .iter()
        .map(|id| catalog::get(id).unwrap_or_else(|| panic!("{id} is not in the catalogue")))
        .collect()
}

#[test]
fn an_rp_that_skips_the_ownership_check_fails_exactly_the_two_cases_that_show_it() {
    let report = grade(unchecked_ownership(vec![CheckId::AuthCredentialNotAllowed]), &catalog::all());
    let expected: BTreeSet<(String, Verdict)> =
        [(NO_USER_HANDLE.to_owned(), Verdict::Fail), (OWNER_USER_HANDLE.to_owned(), Verdict::Fail)].into();
    assert_eq!(not_good(&report), expected);
    // The blind spot the two cases close: the old case passes against this RP, rejected by the userHandle
    // comparison rather than by the ownership of the credential.
    assert_eq!(
        outcome(&report, OLD_CASE),
        (Verdict::Pass, Some(CheckId::AuthUserHandleMismatch.id().to_owned()))
    );
    for id in [NO_USER_HANDLE, OWNER_USER_HANDLE] {
        assert_eq!(outcome(&report, id), (Verdict::Fail, None), "{id}: accepted");
    }
}

#[test]
fn the_reference_rp_rejects_another_accounts_credential_at_step_5_and_then_at_step_6() {
    let cases = the_ownership_cases();
    // As configured: allowCredentials lists only the signing-in account's credentials.
    let report = grade(testkit::reference_rp(), &cases);
    every_case_passes_rejected_by(&report, &cases, CheckId::AuthCredentialNotAllowed);
    // With step 5 disabled, the record look-up in the identified account stops all three.
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.policy.disabled_checks = vec![CheckId::AuthCredentialNotAllowed];
    let report = grade(ReferenceRp::new(config), &cases);
    every_case_passes_rejected_by(&report, &cases, CheckId::AuthCredentialNotOwned);
    // The switch alone changes nothing while step 5 holds.
    let report = grade(unchecked_ownership(vec![]), &cases);
    every_case_passes_rejected_by(&report, &cases, CheckId::AuthCredentialNotAllowed);
}

/// Every case PASSes, its subject rejected by the RP with `check`.
fn every_case_passes_rejected_by(report: &Report, cases: &[Case], check: CheckId) {
    for c in cases {
        assert_eq!(outcome(report, c.id), (Verdict::Pass, Some(check.id().to_owned())), "{}", c.id);
    }
}
