//! android-safetynet (§8.5), switched off step by step: the reference RP with one of the format's checks
//! waived (`Policy::disabled_checks`), or with a lax SafetyNet policy, is caught by exactly the catalogue's
//! cases of that step, over the whole catalogue, and by nothing else.

use std::collections::BTreeSet;

use generator::catalog;
use grader::Verdict;
use rp::ReferenceRp;
use testkit::{not_good, rp_config, ORIGIN, RP_ID};
use verifier::CheckId;

fn graded(change: impl FnOnce(&mut verifier::Policy)) -> BTreeSet<(String, Verdict)> {
    let mut config = rp_config(RP_ID, ORIGIN, 1);
    change(&mut config.policy);
    not_good(&testkit::grade_in_process(&ReferenceRp::new(config), &catalog::all()))
}

fn failing(ids: &[&str], verdict: Verdict) -> BTreeSet<(String, Verdict)> {
    ids.iter().map(|id| (format!("reg.attestation.android-safetynet.{id}"), verdict)).collect()
}

#[test]
fn the_reference_rp_passes_every_case() {
    assert_eq!(graded(|_| {}), BTreeSet::new());
}

#[test]
fn each_waived_step_fails_exactly_its_cases() {
    let signature =
        ["signature-other-key", "signature-flipped", "alg-none", "alg-hs256", "es256-der-signature"];
    assert_eq!(
        graded(|p| p.disabled_checks = vec![CheckId::RegAttestationSafetynetSignature]),
        failing(&signature, Verdict::Fail)
    );
    let certificate = ["x5c-empty", "x5c-missing", "hostname", "hostname-suffix"];
    assert_eq!(
        graded(|p| p.disabled_checks = vec![CheckId::RegAttestationSafetynetCertificate]),
        failing(&certificate, Verdict::Fail)
    );
    let nonce = ["nonce-mismatch", "nonce-missing", "nonce-base64url", "nonce-is-client-data-hash"];
    assert_eq!(
        graded(|p| p.disabled_checks = vec![CheckId::RegAttestationSafetynetNonce]),
        failing(&nonce, Verdict::Fail)
    );
    // With the response step waived the statement is taken as self attestation (nothing later runs);
    // `reg.attestation.fmt.android-safetynet` still fails at the syntax step before it.
    let response = ["ver-empty", "response-empty", "two-segments", "payload-not-json"];
    assert_eq!(
        graded(|p| p.disabled_checks = vec![CheckId::RegAttestationSafetynetResponse]),
        failing(&response, Verdict::Fail)
    );
}

#[test]
fn a_lax_safetynet_policy_is_a_warning_on_exactly_the_policy_cases() {
    // Policy-level cases that go the other way WARN under the default grading profile.
    assert_eq!(
        graded(|p| p.attestation.safetynet_require_cts_profile_match = false),
        failing(&["cts-profile-false"], Verdict::Warn)
    );
    // No age limit: the stale response passes; one from the future is still refused.
    assert_eq!(
        graded(|p| p.attestation.safetynet_max_age_ms = None),
        failing(&["timestamp-stale"], Verdict::Warn)
    );
    assert_eq!(
        graded(|p| p.disabled_checks = vec![CheckId::RegAttestationSafetynetTimestamp]),
        failing(&["timestamp-future", "timestamp-stale"], Verdict::Warn)
    );
}
