//! The signature counter (§6.1.1, §7.2 step 22). Whether a counter that did not increase fails the ceremony is
//! the RP's decision, so these cases are POLICY level: a correct RP may accept with a clone signal.

use super::{auth_pre, Basis, Case, Ceremony, CheckId, Counter, Expect, Flag, Level, Setup};

const COUNTING: Setup = Setup { counter: Counter::Incrementing, ..Setup::DEFAULT };

/// A counter greater than the stored one is valid (§7.2 step 22), whatever the step between them (§6.1.1).
const GREATER_IS_VALID: Basis = Basis::procedure(
    "§7.2 step 22, §6.1.1",
    "The signature counter is incremented for each successful authenticatorGetAssertion operation by some positive value, and subsequent values are returned to the WebAuthn Relying Party within the authenticator data again. The signature counter is valid.",
);

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "auth.counter.rollback",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22",
            level: Level::Policy,
            expect: Expect::Reject,
            title: "signCount lower than the last accepted one",
            rationale: "a counter going backwards signals a cloned authenticator; failing is the RP's choice",
            flags: &[Flag::CounterUnchecked],
            check: Some(CheckId::AuthSignCount),
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 F-4"),
            // The tool fails an RP that accepts it; §7.2 step 22 leaves failing to the RP.
            fido_expect: Some(Expect::Reject),
            setup: COUNTING,
            plan: auth_pre(|p| p.draft.auth_data.sign_count = p.last_sign_count.saturating_sub(1)),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.counter.equal",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22",
            level: Level::Policy,
            expect: Expect::Reject,
            title: "signCount equal to the last accepted one",
            rationale: "less than or equal is the clone signal, not only less than",
            flags: &[Flag::CounterUnchecked],
            check: Some(CheckId::AuthSignCount),
            setup: COUNTING,
            plan: auth_pre(|p| p.draft.auth_data.sign_count = p.last_sign_count),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.counter.zero-after-nonzero",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22",
            level: Level::Policy,
            expect: Expect::Reject,
            title: "signCount 0 after a nonzero stored counter",
            rationale: "the stored counter is nonzero, so 0 is a counter going backwards, not a counterless authenticator",
            flags: &[Flag::CounterUnchecked],
            check: Some(CheckId::AuthSignCount),
            setup: COUNTING,
            plan: auth_pre(|p| p.draft.auth_data.sign_count = 0),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.counter.zero-always",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22",
            level: Level::Must,
            expect: Expect::Accept,
            title: "signCount 0 in every assertion (an authenticator without a counter)",
            rationale: "when both counters are zero the step does not apply",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(Basis::procedure(
                "§7.2 step 22, §6.1.1",
                "Authenticators that do not implement a signature counter leave the signCount in the authenticator data constant at zero. If authData.signCount is nonzero or credentialRecord.signCount is nonzero, then run the following sub-step:",
            )),
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-1"),
            plan: super::AUTH_VALID,
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.counter.increasing",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22",
            level: Level::Must,
            expect: Expect::Accept,
            title: "signCount greater than the last accepted one",
            rationale: "an increasing counter is valid",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(GREATER_IS_VALID),
            setup: COUNTING,
            plan: super::AUTH_VALID,
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.counter.jump",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22",
            level: Level::Must,
            expect: Expect::Accept,
            title: "signCount jumps by a large amount",
            rationale: "counters may increase by more than one (shared across credentials); greater is valid",
            flags: &[Flag::Baseline],
            check: None,
            basis: Some(GREATER_IS_VALID),
            setup: COUNTING,
            plan: auth_pre(|p| p.draft.auth_data.sign_count = p.last_sign_count + 1_000_000),
            ..Case::DEFAULTS
        },
    ]
}
