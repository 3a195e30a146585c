//! The catalogue's self-check: run every case against the reference RP, in process. The RP must
//! accept every `accept` case, and reject every `reject` case with the check that case names, after a
//! control it accepted. The RP refuses assertion options for an account without credentials, which stops the
//! cases that would answer them with another account's credential; set to issue those options, it rejects
//! them with the check they name. Its options meet every options case.

use generator::catalog::{self, Expect, Plan, Stateful};
use generator::runner::{run_case, Observation};
use rp::ReferenceRp;
use testkit::{client, reference_rp, NOW, ORIGIN, RP_ID};

#[test]
fn the_reference_rp_answers_every_case_as_the_catalogue_expects() {
    let rp = reference_rp();
    let mut target = testkit::in_process(&rp, NOW);
    let mut failures = Vec::new();
    let cases = catalog::all();
    for case in &cases {
        let run = run_case(case, &mut target, &client(), 7);
        let problem = match (&run.observation, case.expect) {
            (Observation::Completed { subject, .. }, Expect::Accept) if subject.accepted() => None,
            (Observation::Completed { subject, .. }, Expect::Accept) => {
                Some(format!("rejected: {}", subject.body))
            }
            (Observation::Completed { control, subject }, Expect::Reject) => {
                if control.as_ref().is_none_or(|c| !c.accepted()) {
                    Some("no accepted control".to_string())
                } else if subject.accepted() {
                    Some("accepted".to_string())
                } else if subject.check() != case.check.map(|c| c.id()) {
                    Some(format!(
                        "rejected by {:?}, expected {:?}: {}",
                        subject.check(),
                        case.check,
                        subject.body
                    ))
                } else {
                    None
                }
            }
            (Observation::OptionsRefused { .. }, Expect::Reject) if refuses_options(case) => None,
            (Observation::Inspected { met: true, .. }, Expect::Meet | Expect::Either) => None,
            (Observation::Inspected { met: false, finding }, _) => Some(format!("options: {finding}")),
            (Observation::Completed { subject, .. }, Expect::Either) => {
                match (subject.accepted(), case.check) {
                    (false, Some(check)) if subject.check() != Some(check.id()) => {
                        Some(format!("rejected by {:?}, expected {check}", subject.check()))
                    }
                    _ => None,
                }
            }
            (other, _) => Some(format!("{other:?}")),
        };
        if let Some(p) = problem {
            failures.push(format!("{}: {p}", case.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The cases whose subject ceremony starts with assertion options for an account without credentials.
fn refuses_options(case: &catalog::Case) -> bool {
    matches!(
        case.plan,
        Plan::Stateful(
            Stateful::AssertionForAccountWithUnfinishedRegistration
                | Stateful::AssertionForUnregisteredAccount
        )
    )
}

#[test]
fn an_account_without_credentials_given_options_holds_no_record_of_another_accounts_credential() {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 1);
    config.options_without_credentials = true;
    let rp = ReferenceRp::new(config);
    let mut target = testkit::in_process(&rp, NOW);
    let cases: Vec<catalog::Case> = catalog::all().into_iter().filter(refuses_options).collect();
    assert_eq!(cases.len(), 2);
    for case in &cases {
        match run_case(case, &mut target, &client(), 7).observation {
            Observation::Completed { control: Some(control), subject } => {
                assert!(control.accepted(), "{}: control {}", case.id, control.body);
                assert!(!subject.accepted(), "{}: accepted", case.id);
                assert_eq!(subject.check(), case.check.map(|c| c.id()), "{}: {}", case.id, subject.body);
            }
            other => panic!("{}: {other:?}", case.id),
        }
    }
}

#[test]
fn case_ids_are_unique_and_well_formed() {
    let cases = catalog::all();
    let mut seen = std::collections::HashSet::new();
    for c in &cases {
        assert!(seen.insert(c.id), "duplicate case id {}", c.id);
        let prefix = c.ceremony().id_prefix();
        assert!(c.id.starts_with(prefix), "{} does not start with {prefix}", c.id);
        assert!(
            c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ".-".contains(ch)),
            "{}",
            c.id
        );
        assert!(c.spec.starts_with('§'), "{} cites no spec clause", c.id);
        assert!(!c.title.is_empty() && !c.rationale.is_empty(), "{}", c.id);
        match c.expect {
            Expect::Reject => {
                let check = c.check.unwrap_or_else(|| panic!("{} rejects but names no check", c.id));
                assert_eq!(check.ceremony(), c.ceremony(), "{}: a check of the other ceremony", c.id);
                assert!(!c.flags.is_empty(), "{} rejects but names no bug class", c.id);
            }
            Expect::Accept => assert!(c.check.is_none(), "{} accepts but names a check", c.id),
            Expect::Either => {}
            Expect::Meet => assert!(
                c.check.is_none() && matches!(c.plan, Plan::Options(_)),
                "{}: only an options case meets a requirement, and names no check",
                c.id
            ),
        }
        assert!(
            !matches!(c.plan, Plan::Options(_)) || matches!(c.expect, Expect::Meet | Expect::Either),
            "{}: an options case is met or recorded",
            c.id
        );
    }
}

#[test]
fn a_seed_reproduces_every_request_byte_for_byte() {
    let requests = |seed: u64| {
        let rp = reference_rp();
        let mut target = testkit::in_process(&rp, NOW);
        let mut all = Vec::new();
        for case in catalog::all() {
            let run = run_case(&case, &mut target, &client(), seed);
            all.extend(run.exchanges.into_iter().map(|e| serde_json::to_vec(&e.request).unwrap()));
        }
        all
    };
    let a = requests(11);
    assert!(a.len() > catalog::all().len(), "every case sends requests");
    assert_eq!(a, requests(11));
    assert_ne!(a, requests(12));
}

/// Checks no reject case names, and why: the catalogue must cover every other failing step.
const NOT_TARGETED: &[(&str, &str)] = &[
    ("reg.auth-data.be-policy", "POLICY: the outcome is the RP's choice; `either` cases (reg.flags.be-only, reg.flags.be-bs-set) record it"),
    ("reg.auth-data.bs-policy", "POLICY: as above (reg.flags.be-bs-set)"),
    ("auth.auth-data.bs-policy", "POLICY: the outcome is the RP's choice"),
    ("auth.user-handle.missing", "only reachable when no user was identified beforehand, which the conformance API cannot drive"),
];

#[test]
fn every_check_is_targeted_by_a_case_or_explained() {
    let named: std::collections::HashSet<&str> =
        catalog::all().iter().filter_map(|c| c.check.map(|k| k.id())).collect();
    for check in verifier::CheckId::ALL {
        let explained = NOT_TARGETED.iter().any(|(id, _)| *id == check.id());
        assert!(
            named.contains(check.id()) != explained,
            "{}: {}",
            check.id(),
            if explained { "targeted now; drop it from NOT_TARGETED" } else { "no case targets it" }
        );
    }
}
