//! `Policy::disabled_checks` switches a check off wherever the verifier applies it: for every check a catalogue
//! case targets, the reference RP with that one check disabled no longer rejects those cases with it, except
//! for the checks of `ALWAYS_ENFORCED`, which still reject them (after their failure there is nothing left to
//! verify), and the replay cases, which the RP itself rejects (see `REJECTED_BY_THE_RP`). Checks no case
//! targets are covered by the verifier's own tests (`tests/disabled_checks.rs` there).

use generator::catalog::{self, Case, CheckId};
use generator::runner::{run_case, Observation};
use rp::ReferenceRp;
use testkit::{client, NOW, ORIGIN, RP_ID};
use verifier::policy::ALWAYS_ENFORCED;

/// Cases the RP rejects before the verifier runs: a replayed response finds no challenge pending in its session
/// (its first use consumed it), so there are no expectations to verify it against, and the RP answers with the
/// challenge check whatever the policy says (`Config::single_use_challenges` is what lets a challenge be
/// reused). They must still be rejected with their check.
const REJECTED_BY_THE_RP: &[&str] = &[
    "reg.stateful.replay",
    "auth.stateful.replay",
    "reg.stateful.replay.saved-session",
    "auth.stateful.replay.saved-session",
];

/// The checks that can be disabled but that no case targets (the outcome is the RP's policy); the verifier's
/// `tests/disabled_checks.rs` tests their disabling.
const TESTED_IN_THE_VERIFIER: &[CheckId] =
    &[CheckId::RegBackupEligibilityPolicy, CheckId::RegBackupStatePolicy, CheckId::AuthBackupStatePolicy];

/// The check the RP rejected `case`'s subject with (`None`: accepted), with `disabled` switched off.
fn rejected_by(case: &Case, disabled: CheckId) -> Result<Option<String>, String> {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 1);
    config.policy.disabled_checks = vec![disabled];
    // The cases about an account without credentials reach the verifier only when their options are issued.
    config.options_without_credentials = true;
    let rp = ReferenceRp::new(config);
    let mut target = testkit::in_process(&rp, NOW);
    let client = client();
    match run_case(case, &mut target, &client, 7).observation {
        Observation::Completed { subject, .. } if subject.accepted() => Ok(None),
        Observation::Completed { subject, .. } => Ok(Some(subject.check().unwrap_or("(none)").to_owned())),
        other => Err(format!("{}: did not complete: {other:?}", case.id)),
    }
}

#[test]
fn a_disabled_check_no_longer_rejects_the_cases_that_target_it() {
    let cases = catalog::all();
    let mut problems = Vec::new();
    let mut tried = 0;
    for &check in CheckId::ALL {
        let targeting: Vec<&Case> = cases.iter().filter(|c| c.check == Some(check)).collect();
        for case in targeting {
            let always = ALWAYS_ENFORCED.contains(&check) || REJECTED_BY_THE_RP.contains(&case.id);
            tried += 1;
            match rejected_by(case, check) {
                Err(why) => problems.push(why),
                Ok(by) if always && by.as_deref() != Some(check.id()) => problems
                    .push(format!("{}: {check} is enforced here, but the RP answered {by:?}", case.id)),
                Ok(Some(by)) if !always && by == check.id() => {
                    problems.push(format!("{}: still rejected by {check} with it disabled", case.id))
                }
                Ok(_) => {}
            }
        }
    }
    assert!(tried > 100, "only {tried} cases target a check");
    let untargeted: Vec<CheckId> = CheckId::ALL
        .iter()
        .copied()
        .filter(|c| !ALWAYS_ENFORCED.contains(c) && !cases.iter().any(|case| case.check == Some(*c)))
        .collect();
    assert_eq!(untargeted, TESTED_IN_THE_VERIFIER, "a check no case targets needs a test of its disabling");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
