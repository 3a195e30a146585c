//! Switch-off tests of the options cases (`reg.options.*`, `auth.options.*`): the reference RP with one test-only
//! defect in the options it issues — short, constant or counting challenges, its usernames as user handles, an
//! empty `excludeCredentials` — is graded on the whole catalogue, and exactly the cases of that defect go FAIL or
//! WARN. The reference RP as it is passes every options case (its self-check and `reports/reference`).

use std::collections::BTreeSet;

use generator::catalog;
use grader::Verdict;
use rp::{Challenges, ReferenceRp};
use testkit::{grade_in_process, not_good, ORIGIN, RP_ID};

/// The non-passing results of the whole catalogue against the reference RP configured by `configure`.
fn graded(configure: impl FnOnce(&mut rp::Config)) -> (BTreeSet<(String, Verdict)>, grader::Report) {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 1);
    configure(&mut config);
    let report = grade_in_process(&ReferenceRp::new(config), &catalog::all());
    (not_good(&report), report)
}

fn set(items: &[(&str, Verdict)]) -> BTreeSet<(String, Verdict)> {
    items.iter().map(|(id, v)| ((*id).to_owned(), *v)).collect()
}

fn detail<'r>(report: &'r grader::Report, id: &str) -> &'r str {
    &report.cases.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("{id} not graded")).detail
}

#[test]
fn the_reference_rp_meets_every_options_case() {
    let (bad, report) = graded(|_| {});
    assert_eq!(bad, BTreeSet::new());
    let options: Vec<_> = report.cases.iter().filter(|c| c.id.contains(".options.")).collect();
    assert_eq!(options.len(), 25);
    for c in options {
        let inspected = c.inspected.as_ref().unwrap_or_else(|| panic!("{}: no finding recorded", c.id));
        assert!(inspected.met, "{}: {}", c.id, inspected.finding);
        assert!(c.observed.is_none(), "{}: an options case has no subject call", c.id);
    }
}

#[test]
fn short_challenges_warn_in_both_ceremonies() {
    let (bad, report) = graded(|c| c.challenges = Challenges::Short);
    assert_eq!(
        bad,
        set(&[
            ("auth.options.challenge.length", Verdict::Warn),
            ("reg.options.challenge.length", Verdict::Warn)
        ])
    );
    assert!(
        detail(&report, "reg.options.challenge.length")
            .starts_with("the challenge is 8 bytes, fewer than 16"),
        "{}",
        detail(&report, "reg.options.challenge.length")
    );
}

#[test]
fn counting_challenges_fail_the_freshness_cases() {
    let (bad, report) = graded(|c| c.challenges = Challenges::Counter);
    // The standard-base64 cases need a challenge that spells '+' or '/' in standard base64, which a counter of
    // zero bytes never does: they cannot run (UNSUPPORTED, not a verdict on the RP).
    assert_eq!(
        bad,
        set(&[
            ("auth.client-data.challenge.standard-base64", Verdict::Unsupported),
            ("auth.options.challenge.fresh", Verdict::Fail),
            ("reg.client-data.challenge.standard-base64", Verdict::Unsupported),
            ("reg.options.challenge.fresh", Verdict::Fail),
        ])
    );
    assert!(detail(&report, "reg.options.challenge.fresh").contains("agree in 31 of their 32 bytes"));
}

#[test]
fn a_constant_challenge_fails_the_freshness_cases_and_lets_a_response_cross_sessions() {
    let (bad, report) = graded(|c| c.challenges = Challenges::Constant);
    // With one challenge for every ceremony, a response made for one session's options is one for another's
    // too, and a spent assertion is one for the session's next options: the cross-session cases and the replay
    // after new options fail with the freshness cases. The standard-base64 cases cannot run (that challenge
    // spells no '+' or '/'); nothing else changes.
    assert_eq!(
        bad,
        set(&[
            ("auth.client-data.challenge.standard-base64", Verdict::Unsupported),
            ("auth.options.challenge.fresh", Verdict::Fail),
            ("auth.stateful.challenge-other-session", Verdict::Fail),
            ("auth.stateful.replay.after-new-options", Verdict::Fail),
            ("reg.client-data.challenge.standard-base64", Verdict::Unsupported),
            ("reg.options.challenge.fresh", Verdict::Fail),
            ("reg.stateful.challenge-other-session", Verdict::Fail),
        ])
    );
    assert!(detail(&report, "auth.options.challenge.fresh").contains("are equal"));
}

#[test]
fn a_username_as_user_handle_fails_the_personal_data_case() {
    let (bad, report) = graded(|c| c.user_handle_from_username = true);
    assert_eq!(bad, set(&[("reg.options.user-handle.no-personal-data", Verdict::Fail)]));
    assert!(detail(&report, "reg.options.user-handle.no-personal-data")
        .starts_with("user.id contains the username"));
}

#[test]
fn an_empty_exclude_list_warns_and_fails_the_fido_profile() {
    let (bad, report) = graded(|c| c.exclude_credentials = false);
    assert_eq!(bad, set(&[("reg.options.exclude-credentials", Verdict::Warn)]));
    // The FIDO tool's attestation Resp-1 P-1 requires the list: under its profile the same answer FAILs.
    let fido = grader::regrade(
        &report,
        grader::Grading { profile: grader::grading::Profile::FidoConformance, strict: false },
    );
    let c = fido.cases.iter().find(|c| c.id == "reg.options.exclude-credentials").expect("graded");
    assert_eq!(c.verdict, Verdict::Fail, "{}", c.detail);
    assert!(c.detail.contains("Resp-1 P-1"), "{}", c.detail);
}

#[test]
fn an_rp_that_rejects_extension_outputs_fails_exactly_the_solicited_ones() {
    let (bad, report) = graded(|c| c.extension_outputs_rejected = true);
    // The unsolicited outputs (`*.auth-data.extensions-present`) may be rejected (INFO); the cases whose
    // malformed extensions must be rejected still are.
    assert_eq!(
        bad,
        set(&[
            ("auth.extensions.solicited-output", Verdict::Fail),
            ("reg.extensions.cred-props", Verdict::Fail)
        ])
    );
    let unsolicited =
        report.cases.iter().find(|c| c.id == "auth.auth-data.extensions-present").expect("graded");
    assert_eq!(unsolicited.verdict, Verdict::Info);
}
