//! Scenarios about the RP's state: replay, challenges across sessions, credentials across accounts.
//! Replays use credentials whose signCount stays 0 (as synced passkeys do), so only a single-use challenge
//! can stop them.

use super::{Case, Ceremony, CheckId, Expect, Flag, Level, Plan, Stateful};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.stateful.replay",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 8, §13.4.3",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the accepted registration response is posted again",
            rationale: "a challenge is valid for one ceremony; a replayed response carries a spent challenge",
            flags: &[Flag::ChallengeReusable],
            check: Some(CheckId::RegChallenge),
            plan: Plan::Stateful(Stateful::RegistrationReplay),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.stateful.replay",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 11, §13.4.3",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the accepted assertion is posted again (signCount 0)",
            rationale: "with a counterless credential only the single-use challenge stops a replay",
            flags: &[Flag::ChallengeReusable],
            check: Some(CheckId::AuthChallenge),
            plan: Plan::Stateful(Stateful::AssertionReplay),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.stateful.challenge-other-session",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 8",
            level: Level::Must,
            expect: Expect::Reject,
            title: "a registration made for one session's challenge is posted in another session",
            rationale: "the challenge must be the one this session was issued",
            flags: &[Flag::ChallengeReusable],
            check: Some(CheckId::RegChallenge),
            plan: Plan::Stateful(Stateful::RegistrationChallengeOtherSession),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.stateful.challenge-other-session",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 11",
            level: Level::Must,
            expect: Expect::Reject,
            title:
                "an assertion made for one session's challenge is posted in another session of the same user",
            rationale: "the challenge must be the one this session was issued",
            flags: &[Flag::ChallengeReusable],
            check: Some(CheckId::AuthChallenge),
            plan: Plan::Stateful(Stateful::AssertionChallengeOtherSession),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.stateful.credential-registered-twice",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 26",
            level: Level::Should,
            expect: Expect::Reject,
            title: "a second account registers a credential ID that is already registered",
            rationale: "accepting it would let an attacker bind a victim's credential to their account",
            flags: &[Flag::CredentialIdUnchecked],
            check: Some(CheckId::RegCredentialIdAlreadyRegistered),
            plan: Plan::Stateful(Stateful::CredentialRegisteredTwice),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.stateful.credential-of-another-user",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 steps 5-6",
            level: Level::Must,
            expect: Expect::Reject,
            title: "a user signs in with a credential registered to another account",
            rationale: "the credential must be one of this account's (it is not in allowCredentials)",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthCredentialNotAllowed),
            plan: Plan::Stateful(Stateful::CredentialOfAnotherUser),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.stateful.user-handle-of-another-account",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 6",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the assertion's userHandle is another account's",
            rationale: "userHandle, when present, must be the identified account's",
            flags: &[Flag::CredentialOwnershipUnchecked],
            check: Some(CheckId::AuthUserHandleMismatch),
            plan: Plan::Stateful(Stateful::UserHandleOfAnotherAccount),
            ..Case::DEFAULTS
        },
    ]
}
