//! Switch-off tests for the certificate-path checks through intermediates (§7.1 step 24) and the compound
//! format (§8.9): the reference RP with exactly one check switched off (`Policy::disabled_checks`) must be
//! caught by the catalogue on the cases of that check's class, and on nothing else.

use std::collections::BTreeSet;

use generator::catalog;
use grader::{Report, Verdict};
use rp::ReferenceRp;
use testkit::not_good;
use testkit::{ORIGIN, RP_ID};
use verifier::CheckId;

fn without(check: CheckId) -> Report {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.policy.disabled_checks = vec![check];
    testkit::grade_in_process(&ReferenceRp::new(config), &catalog::all())
}

fn set(ids: &[&str], v: Verdict) -> BTreeSet<(String, Verdict)> {
    ids.iter().map(|id| (id.to_string(), v)).collect()
}

/// Validity of every certificate of the path (a SHOULD of step 24: WARN where the RP accepts).
#[test]
fn an_rp_that_ignores_certificate_validity_fails_exactly_the_validity_cases() {
    let report = without(CheckId::RegAttestationChainValidity);
    assert_eq!(
        not_good(&report),
        set(
            &[
                "reg.attestation.packed-x5c.expired",
                "reg.attestation.packed-x5c.not-yet-valid",
                "reg.attestation.chain.intermediate-expired",
                "reg.attestation.chain.android-key-intermediate-expired",
            ],
            Verdict::Warn
        )
    );
}

/// An intermediate that is no CA, or whose pathLenConstraint is exceeded.
#[test]
fn an_rp_that_lets_any_certificate_issue_fails_exactly_the_ca_cases() {
    let report = without(CheckId::RegAttestationChainCa);
    assert_eq!(
        not_good(&report),
        set(
            &[
                "reg.attestation.chain.intermediate-not-ca",
                "reg.attestation.chain.intermediate-no-basic-constraints",
                "reg.attestation.chain.path-len-exceeded",
            ],
            Verdict::Warn
        )
    );
}

/// A leaf that names the intermediate but is not signed by it (the unordered row is POLICY, INFO either way).
#[test]
fn an_rp_that_does_not_check_issuing_signatures_fails_exactly_the_issuer_case() {
    let report = without(CheckId::RegAttestationChainIssuer);
    assert_eq!(not_good(&report), set(&["reg.attestation.chain.leaf-signed-by-other-key"], Verdict::Warn));
}

/// compound's syntax: at least two sub-statements in an array.
#[test]
fn an_rp_that_takes_any_compound_attstmt_fails_exactly_the_syntax_cases() {
    let report = without(CheckId::RegAttestationCompoundSyntax);
    assert_eq!(
        not_good(&report),
        set(
            &[
                "reg.attestation.fmt.compound",
                "reg.attestation.compound.one-sub-statement",
                "reg.attestation.compound.not-an-array",
            ],
            Verdict::Fail
        )
    );
}

/// A compound statement inside a compound one.
#[test]
fn an_rp_that_allows_nested_compound_fails_exactly_the_nested_case() {
    let report = without(CheckId::RegAttestationCompoundNested);
    assert_eq!(not_good(&report), set(&["reg.attestation.compound.nested"], Verdict::Fail));
}
