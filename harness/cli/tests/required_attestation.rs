//! Attestation the RP requires (issue 20 class 4): a registration whose options asked for direct attestation,
//! answered with a none or a packed self statement. §7.1 step 24 leaves whether those are acceptable to the
//! RP's policy, so without a declaration either answer is INFO; where the user declares that the RP requires
//! attestation (`grade --require-attestation`, `GradeConfig::attestation_required`), accepting one is a FAIL.
//!
//! The reference RP as configured by default accepts none and self attestation, and so fails exactly the two
//! cases under the declaration; with `Config::require_attestation_when_asked` it refuses them (check
//! `reg.attestation.type-not-acceptable`) and passes, its only other results being the self-attestation cases
//! it now does not offer (its packed self baseline, asked for direct attestation, is refused: UNSUPPORTED).

use std::collections::BTreeSet;

use generator::catalog;
use generator::ceremony::AttestationKind;
use grader::{Report, Verdict};
use rp::ReferenceRp;
use testkit::{not_good, outcome, ORIGIN, RP_ID};

const NONE: &str = "reg.attestation.required.none";
const SELF: &str = "reg.attestation.required.self";

fn rp(require_attestation_when_asked: bool) -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.require_attestation_when_asked = require_attestation_when_asked;
    ReferenceRp::new(config)
}

fn grade(rp: &ReferenceRp, declared: bool) -> Report {
    testkit::grade_in_process_with(rp, &catalog::all(), |cfg| cfg.attestation_required = declared)
}

/// What the requiring RP does not offer: every case built on packed self attestation, which it refuses where
/// the options ask for direct attestation (as the harness asks for every attested registration).
fn self_attestation_cases() -> BTreeSet<(String, Verdict)> {
    catalog::all()
        .into_iter()
        .filter(|c| c.setup.attestation == AttestationKind::PackedSelf)
        .map(|c| (c.id.to_owned(), Verdict::Unsupported))
        .collect()
}

#[test]
fn an_rp_that_accepts_none_and_self_attestation_fails_exactly_the_two_cases_when_attestation_is_declared_required(
) {
    let report = grade(&rp(false), true);
    let expected: BTreeSet<(String, Verdict)> =
        [(NONE.to_owned(), Verdict::Fail), (SELF.to_owned(), Verdict::Fail)].into();
    assert_eq!(not_good(&report), expected);
    assert!(report.attestation_required, "the report records the declaration");
    for id in [NONE, SELF] {
        let c = report.cases.iter().find(|c| c.id == id).unwrap();
        assert_eq!(
            (c.level, c.expect),
            (catalog::Level::Must, catalog::Expect::Reject),
            "{id}: the declared rule"
        );
        assert!(c.detail.contains("--require-attestation"), "{id}: {}", c.detail);
    }
    // Judged again from the report (as the matrix does), the declaration still holds.
    let strict = grader::grade::regrade(&report, grader::Grading { strict: true, ..report.profile });
    assert_eq!(not_good(&strict), expected);
    let back: Report = serde_json::from_str(&grader::render::json(&report)).unwrap();
    assert!(back.attestation_required);
    assert_eq!(grader::grade::regrade(&back, back.profile), back);
}

#[test]
fn an_rp_that_requires_attestation_passes_both_cases_refusing_them_by_its_attestation_policy() {
    let report = grade(&rp(true), true);
    assert_eq!(not_good(&report), self_attestation_cases());
    for id in [NONE, SELF] {
        assert_eq!(
            outcome(&report, id),
            (Verdict::Pass, Some("reg.attestation.type-not-acceptable".to_owned())),
            "{id}"
        );
    }
    // The none baseline asks for no attestation, so the requiring RP still accepts it.
    assert_eq!(outcome(&report, "reg.valid.es256.none").0, Verdict::Pass);
}

#[test]
fn without_the_declaration_either_answer_is_info_and_neither_rp_fails() {
    for (requiring, accepted) in [(false, true), (true, false)] {
        let report = grade(&rp(requiring), false);
        assert!(!report.attestation_required);
        for id in [NONE, SELF] {
            let c = report.cases.iter().find(|c| c.id == id).unwrap();
            assert_eq!(c.verdict, Verdict::Info, "{id}");
            assert_eq!(c.observed.as_ref().map(|o| o.accepted), Some(accepted), "{id}");
        }
        let expected = if requiring { self_attestation_cases() } else { BTreeSet::new() };
        assert_eq!(not_good(&report), expected, "requiring: {requiring}");
    }
}
