//! Flags: UP and UV by `userVerification`, BE/BS, RFU bits (§6.1; §7.1 steps 15-19, §7.2 steps 16-19).

use wire::authdata::Flags;

use super::{
    auth_pre, reg_pre, Basis, Both, ByCeremony, Case, Ceremony, CheckId, Common, Expect, Flag, Level, Setup,
};

const fn uv(reg: &'static str, auth: &'static str) -> Setup {
    Setup { reg_uv: reg, auth_uv: auth, ..Setup::DEFAULT }
}

fn clear(f: &mut Flags, bit: u8) {
    *f = f.with(bit, false)
}

fn set(f: &mut Flags, bit: u8) {
    *f = f.with(bit, true)
}

/// The cells of the matrix set UP and UV as their id says, before signing.
fn up1_uv1(c: &mut Common<'_>) {
    set_up_uv(c, true, true)
}
fn up1_uv0(c: &mut Common<'_>) {
    set_up_uv(c, true, false)
}
fn up0_uv1(c: &mut Common<'_>) {
    set_up_uv(c, false, true)
}
fn up0_uv0(c: &mut Common<'_>) {
    set_up_uv(c, false, false)
}

fn set_up_uv(c: &mut Common<'_>, up: bool, uv: bool) {
    let f = &mut c.auth_data.flags;
    *f = f.with(Flags::UP, up).with(Flags::UV, uv);
}

/// `userVerification` set to `value` in the ceremony's options.
const fn uv_asked(value: &'static str) -> ByCeremony<Setup> {
    ByCeremony {
        reg: Setup { reg_uv: value, ..Setup::DEFAULT },
        auth: Setup { auth_uv: value, ..Setup::DEFAULT },
    }
}

/// `userVerification` set to `value`, against an RP that does not require UV whatever is asked
/// ([`Setup::uv_optional`]).
const fn uv_asked_not_required(value: &'static str) -> ByCeremony<Setup> {
    ByCeremony {
        reg: Setup { reg_uv: value, uv_optional: true, ..Setup::DEFAULT },
        auth: Setup { auth_uv: value, uv_optional: true, ..Setup::DEFAULT },
    }
}

/// UP is verified; UV only where user verification is required.
const UP_AND_UV_STEPS: ByCeremony<Option<Basis>> = ByCeremony {
    reg: Some(Basis::procedure(
        "§7.1 steps 15-16",
        "If options.mediation is not set to conditional, verify that the UP bit of the flags in authData is set. If the Relying Party requires user verification for this registration, verify that the UV bit of the flags in authData is set.",
    )),
    auth: Some(Basis::procedure(
        "§7.2 steps 16-17",
        "Verify that the UP bit of the flags in authData is set. If user verification was determined to be required, verify that the UV bit of the flags in authData is set. Otherwise, ignore the value of the UV flag.",
    )),
};

/// A cell of the matrix the RP must accept: UP and UV set.
const UV_ACCEPTED: Both = Both {
    spec: ByCeremony { reg: "§7.1 steps 15-16", auth: "§7.2 steps 16-17" },
    expect: Expect::Accept,
    rationale: "UP is set and UV is only required when userVerification is required",
    flags: &[Flag::Baseline],
    basis: UP_AND_UV_STEPS,
    ..Both::DEFAULTS
};

/// UP set and UV clear where `userVerification` is "preferred": the RP said it will not fail the ceremony.
const UV_PREFERRED_NOT_SET: Both = Both {
    spec: ByCeremony { reg: "§5.8.6, §7.1 step 16", auth: "§5.8.6, §7.2 step 17" },
    rationale: "\"preferred\" means the RP will not fail the ceremony for a UV flag that is not set",
    basis: ByCeremony::same(Some(Basis::procedure(
        "§5.8.6",
        "The Relying Party prefers user verification for the operation if possible, but will not fail the operation if the response does not have the UV flag set.",
    ))),
    ..UV_ACCEPTED
};

/// UP set and UV clear where `userVerification` is "discouraged": user verification SHOULD be required only
/// where it was asked as "required".
const UV_DISCOURAGED_NOT_SET: Both = Both {
    spec: ByCeremony { reg: "§5.8.6, §7.1 step 16", auth: "§7.2 step 17" },
    level: Level::Should,
    rationale: "an RP that discourages user verification should not require it, and ignores the UV flag where it is not required",
    basis: ByCeremony {
        reg: Some(Basis::procedure(
            "§5.8.6, §7.1 step 16",
            "The Relying Party does not want user verification employed during the operation (e.g., in the interest of minimizing disruption to the user interaction flow). If the Relying Party requires user verification for this registration, verify that the UV bit of the flags in authData is set.",
        )),
        auth: Some(Basis::procedure(
            "§7.2 step 17",
            "Determine whether user verification is required for this assertion. User verification SHOULD be required if, and only if, pkOptions.userVerification is set to required. If user verification was determined to be required, verify that the UV bit of the flags in authData is set. Otherwise, ignore the value of the UV flag.",
        )),
    },
    ..UV_ACCEPTED
};

/// A cell without UP: rejected whatever `userVerification` asks.
const UP_MISSING: Both = Both {
    spec: ByCeremony { reg: "§7.1 step 15", auth: "§7.2 step 16" },
    rationale: "the UP flag must be set whatever userVerification says",
    flags: &[Flag::UserPresenceUnchecked],
    check: ByCeremony { reg: Some(CheckId::RegUserPresent), auth: Some(CheckId::AuthUserPresent) },
    ..Both::MUST_REJECT
};

/// A cell with UP but without the UV that `userVerification` required.
const UV_MISSING: Both = Both {
    spec: ByCeremony { reg: "§7.1 step 16", auth: "§7.2 step 17" },
    rationale: "userVerification was required, so UV must be set",
    flags: &[Flag::UserVerificationUnchecked],
    check: ByCeremony { reg: Some(CheckId::RegUserVerified), auth: Some(CheckId::AuthUserVerified) },
    ..Both::MUST_REJECT
};

/// The RFU bits are the authenticator's to keep zero; no RP step reads them, and a later version may define
/// them (Level 3 made BE and BS of two bits that were RFU in Level 2).
const RFU_BITS: Basis = Basis::data("§6.1", "The RFU bits SHALL be set to zero.");

/// The matrix of `userVerification` × UP × UV, each cell for both ceremonies: UP is required in both
/// (§7.1 step 15 without conditional mediation, §7.2 step 16); UV only when `userVerification` is `required`
/// (§7.1 step 16, §7.2 step 17). A cell with UP and without UV, where UV is not required, needs an RP that does
/// not require UV whatever is asked ([`Setup::uv_optional`]).
const UV_MATRIX: [Both; 12] = [
    Both {
        id: ByCeremony { reg: "reg.flags.uv-required.up1-uv1", auth: "auth.flags.uv-required.up1-uv1" },
        title: "UP and UV set",
        setup: uv_asked("required"),
        fido: ByCeremony { reg: None, auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-3") },
        mutation: up1_uv1,
        ..UV_ACCEPTED
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-required.up1-uv0", auth: "auth.flags.uv-required.up1-uv0" },
        title: "UP set, UV clear",
        setup: uv_asked("required"),
        fido: ByCeremony { reg: None, auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 F-5") },
        mutation: up1_uv0,
        ..UV_MISSING
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-required.up0-uv1", auth: "auth.flags.uv-required.up0-uv1" },
        title: "UP clear, UV set",
        setup: uv_asked("required"),
        mutation: up0_uv1,
        ..UP_MISSING
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-required.up0-uv0", auth: "auth.flags.uv-required.up0-uv0" },
        title: "UP and UV clear",
        setup: uv_asked("required"),
        mutation: up0_uv0,
        ..UP_MISSING
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-preferred.up1-uv1", auth: "auth.flags.uv-preferred.up1-uv1" },
        title: "UP and UV set",
        setup: uv_asked("preferred"),
        mutation: up1_uv1,
        ..UV_ACCEPTED
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-preferred.up1-uv0", auth: "auth.flags.uv-preferred.up1-uv0" },
        title: "UP set, UV clear",
        setup: uv_asked_not_required("preferred"),
        mutation: up1_uv0,
        ..UV_PREFERRED_NOT_SET
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-preferred.up0-uv1", auth: "auth.flags.uv-preferred.up0-uv1" },
        title: "UP clear, UV set",
        setup: uv_asked("preferred"),
        mutation: up0_uv1,
        ..UP_MISSING
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-preferred.up0-uv0", auth: "auth.flags.uv-preferred.up0-uv0" },
        title: "UP and UV clear",
        setup: uv_asked("preferred"),
        fido: ByCeremony { reg: None, auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-4") },
        fido_expect: Some(Expect::Accept),
        mutation: up0_uv0,
        ..UP_MISSING
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-discouraged.up1-uv1", auth: "auth.flags.uv-discouraged.up1-uv1" },
        title: "UP and UV set",
        setup: uv_asked("discouraged"),
        mutation: up1_uv1,
        ..UV_ACCEPTED
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-discouraged.up1-uv0", auth: "auth.flags.uv-discouraged.up1-uv0" },
        title: "UP set, UV clear",
        setup: uv_asked_not_required("discouraged"),
        fido: ByCeremony { reg: None, auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-5") },
        mutation: up1_uv0,
        ..UV_DISCOURAGED_NOT_SET
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-discouraged.up0-uv1", auth: "auth.flags.uv-discouraged.up0-uv1" },
        title: "UP clear, UV set",
        setup: uv_asked("discouraged"),
        fido: ByCeremony { reg: None, auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-6") },
        fido_expect: Some(Expect::Accept),
        mutation: up0_uv1,
        ..UP_MISSING
    },
    Both {
        id: ByCeremony { reg: "reg.flags.uv-discouraged.up0-uv0", auth: "auth.flags.uv-discouraged.up0-uv0" },
        title: "UP and UV clear",
        setup: uv_asked("discouraged"),
        fido: ByCeremony { reg: None, auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-7") },
        fido_expect: Some(Expect::Accept),
        mutation: up0_uv0,
        ..UP_MISSING
    },
];

pub(super) fn cases() -> Vec<Case> {
    let mut v: Vec<Case> = UV_MATRIX.iter().map(|b| b.case(Ceremony::Registration)).collect();
    v.extend(UV_MATRIX.iter().map(|b| b.case(Ceremony::Authentication)));
    v.extend([
        Case {
            id: "auth.flags.uv-flipped-after-signing",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "UV set in authenticatorData after it was signed with UV clear",
            rationale: "changing a signed byte must break the signature",
            flags: &[Flag::SignatureUnchecked],
            check: Some(CheckId::AuthSignature),
            setup: uv("preferred", "preferred"),
            plan: super::Plan::Authenticate(super::AuthHooks {
                pre: Some(|p| clear(&mut p.draft.auth_data.flags, Flags::UV)),
                post: Some(|p| {
                    if let Some(b) = p.signed.authenticator_data.get_mut(32) {
                        *b |= Flags::UV
                    }
                }),
                ..super::AuthHooks::NONE
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.flags.bs-without-be",
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 17",
            level: Level::Must,
            expect: Expect::Reject,
            title: "BS set while BE is clear",
            rationale: "a credential that is not backup eligible cannot be backed up",
            flags: &[Flag::BackupFlagsUnchecked],
            check: Some(CheckId::RegBackupStateWithoutEligibility),
            plan: reg_pre(|p| {
                clear(&mut p.draft.auth_data.flags, Flags::BE);
                set(&mut p.draft.auth_data.flags, Flags::BS)
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.flags.be-only",
            ceremony: Ceremony::Registration,
            spec: "§7.1 steps 17-19",
            level: Level::Policy,
            expect: Expect::Either,
            title: "BE set, BS clear: a multi-device credential not yet backed up",
            rationale: "backup eligibility is RP policy; most RPs accept it",
            flags: &[],
            check: None,
            basis: Some(Basis::procedure(
                "§7.1 step 18",
                "If the Relying Party uses the credential's backup eligibility to inform its user experience flows and/or policies, evaluate the BE bit of the flags in authData.",
            )),
            plan: reg_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BE)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.flags.be-bs-set",
            ceremony: Ceremony::Registration,
            spec: "§7.1 steps 17-19",
            level: Level::Policy,
            expect: Expect::Either,
            title: "BE and BS set: a synced passkey",
            rationale: "backup eligibility and state are RP policy; most RPs accept them",
            flags: &[],
            check: None,
            basis: Some(Basis::procedure(
                "§7.1 steps 18-19",
                "If the Relying Party uses the credential's backup eligibility to inform its user experience flows and/or policies, evaluate the BE bit of the flags in authData. If the Relying Party uses the credential's backup state to inform its user experience flows and/or policies, evaluate the BS bit of the flags in authData.",
            )),
            plan: reg_pre(|p| {
                set(&mut p.draft.auth_data.flags, Flags::BE);
                set(&mut p.draft.auth_data.flags, Flags::BS)
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.flags.rfu-bits-set",
            ceremony: Ceremony::Registration,
            spec: "§6.1",
            level: Level::Policy,
            expect: Expect::Either,
            title: "both RFU flag bits set",
            rationale: "authenticators set RFU bits to zero, but no RP step checks them",
            flags: &[],
            check: None,
            basis: Some(RFU_BITS),
            plan: reg_pre(|p| {
                set(&mut p.draft.auth_data.flags, Flags::RFU1);
                set(&mut p.draft.auth_data.flags, Flags::RFU2)
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.flags.rfu-bits-set",
            ceremony: Ceremony::Authentication,
            spec: "§6.1",
            level: Level::Policy,
            expect: Expect::Either,
            title: "both RFU flag bits set in an assertion",
            rationale: "authenticators set RFU bits to zero, but no RP step checks them",
            flags: &[],
            check: None,
            basis: Some(RFU_BITS),
            plan: auth_pre(|p| {
                set(&mut p.draft.auth_data.flags, Flags::RFU1);
                set(&mut p.draft.auth_data.flags, Flags::RFU2)
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.flags.bs-without-be",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 18",
            level: Level::Must,
            expect: Expect::Reject,
            title: "BS set while BE is clear",
            rationale: "a credential that is not backup eligible cannot be backed up",
            flags: &[Flag::BackupFlagsUnchecked],
            check: Some(CheckId::AuthBackupStateWithoutEligibility),
            plan: auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BS)),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.flags.be-appears",
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 19",
            level: Level::Policy,
            expect: Expect::Reject,
            title: "BE set in an assertion for a credential registered with BE clear",
            rationale: "backup eligibility must not change after registration (§6.1); an RP using backup state verifies it",
            flags: &[Flag::BackupFlagsUnchecked],
            check: Some(CheckId::AuthBackupEligibilityChanged),
            basis: Some(Basis::procedure(
                "§7.2 step 19",
                "If the credential backup state is used as part of Relying Party business logic or policy, let currentBe and currentBs be the values of the BE and BS bits, respectively, of the flags in authData. If credentialRecord.backupEligible is not set, verify that currentBe is not set.",
            )),
            plan: auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BE)),
            ..Case::DEFAULTS
        },
    ]);
    v
}
