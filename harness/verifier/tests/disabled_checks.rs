//! `Policy::disabled_checks` for the checks no catalogue case targets (the reference RP's
//! `tests/disabled_checks.rs` covers the others): a ceremony that fails only such a check is accepted, with
//! no warning, once that check is disabled; the checks of `ALWAYS_ENFORCED` among them still reject.

mod checks_support;
mod common;

use checks_support::*;
use common::*;
use verifier::policy::ALWAYS_ENFORCED;
use verifier::CheckId;
use wire::authdata::Flags;

/// A registration refused by `check` alone under `refuse`, then accepted with `check` disabled.
fn registration_waived(check: CheckId, refuse: impl Fn(&mut RegCase)) {
    let mut case = RegCase::new();
    refuse(&mut case);
    assert_rejected(case.run(), check);
    case.policy.disabled_checks = vec![check];
    let out = case.run().unwrap_or_else(|r| panic!("{check} disabled, still rejected: {r}"));
    assert_accepted_with(&out.warnings, &[]);
}

#[test]
fn reg_backup_eligibility_policy_can_be_disabled() {
    registration_waived(CheckId::RegBackupEligibilityPolicy, |case| {
        case.policy.backup.allow_backup_eligible = false;
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BE);
    });
}

#[test]
fn reg_backup_state_policy_can_be_disabled() {
    registration_waived(CheckId::RegBackupStatePolicy, |case| {
        case.policy.backup.allow_backed_up = false;
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BE | Flags::BS);
    });
}

#[test]
fn reg_attestation_not_acceptable_can_be_disabled() {
    registration_waived(CheckId::RegAttestationNotAcceptable, |case| {
        case.policy.attestation.accept_none = false
    });
}

#[test]
fn auth_backup_state_policy_can_be_disabled() {
    let mut case = AuthCase::new();
    case.record.backup_eligible = true;
    case.draft.auth_data.flags = Flags(Flags::UP | Flags::BE | Flags::BS);
    case.policy.backup.allow_backed_up = false;
    assert_rejected(case.run(), CheckId::AuthBackupStatePolicy);
    case.policy.disabled_checks = vec![CheckId::AuthBackupStatePolicy];
    let out = case.run().expect("accepted with the check disabled");
    assert_accepted_with(&out.warnings, &[]);
    assert!(out.record.backup_state);
}

#[test]
fn a_disabled_counter_check_still_raises_the_clone_signal_but_no_warning() {
    let mut case = AuthCase::new();
    case.record.sign_count = 5;
    case.draft.auth_data.sign_count = 5;
    assert_rejected(case.run(), CheckId::AuthSignCount);
    case.policy.disabled_checks = vec![CheckId::AuthSignCount];
    let out = case.run().expect("accepted with the check disabled");
    assert_accepted_with(&out.warnings, &[]);
    assert!(out.clone_warning);
}

/// Without the credential record (whose key checks the signature) there is nothing to verify.
#[test]
fn the_step_6_lookups_reject_even_when_disabled() {
    assert!(ALWAYS_ENFORCED.contains(&CheckId::AuthCredentialNotOwned));
    assert!(ALWAYS_ENFORCED.contains(&CheckId::AuthUserHandleMissing));
    let mut case = AuthCase::new();
    case.draft.raw_id = vec![0x33; 32];
    case.policy.disabled_checks = vec![CheckId::AuthCredentialNotOwned];
    assert_rejected(case.run(), CheckId::AuthCredentialNotOwned);

    let mut case = AuthCase::new();
    case.expectations.identified_user = None;
    case.draft.user_handle = None;
    case.policy.disabled_checks = vec![CheckId::AuthUserHandleMissing];
    assert_rejected(case.run(), CheckId::AuthUserHandleMissing);
}

/// A check that is not always enforced stops rejecting when disabled, even where its failure would come
/// before a check that is: here the user handle comparison of step 6, ahead of everything after it.
#[test]
fn a_disabled_user_handle_comparison_lets_the_rest_run() {
    let mut case = AuthCase::new();
    case.draft.user_handle = Some(b"someone-else".to_vec());
    assert_rejected(case.run(), CheckId::AuthUserHandleMismatch);
    case.policy.disabled_checks = vec![CheckId::AuthUserHandleMismatch];
    let out = case.run().expect("accepted with the check disabled");
    assert_eq!(out.user_handle, USER, "the identified account, not the userHandle sent");
    // The checks after it still run: a bad signature is still refused.
    let mut signed = case.sign();
    if let Some(last) = signed.signature.last_mut() {
        *last ^= 1;
    }
    assert_rejected(case.verify_signed(&signed), CheckId::AuthSignature);
}
