//! Flags: UP and UV by `userVerification`, BE/BS, RFU bits (§6.1; §7.1 steps 15-19, §7.2 steps 16-19).

use wire::authdata::Flags;

use super::{auth_pre, reg_pre, Case, CheckId, Expect, Flag, Level, Setup};

const fn uv(reg: &'static str, auth: &'static str) -> Setup {
    Setup { reg_uv: reg, auth_uv: auth, ..Setup::DEFAULT }
}

fn clear(f: &mut Flags, bit: u8) {
    *f = f.with(bit, false)
}

fn set(f: &mut Flags, bit: u8) {
    *f = f.with(bit, true)
}

/// The matrix of `userVerification` × UP × UV, for one ceremony.
macro_rules! uv_matrix {
    ($v:ident, $cer:ident) => {
        uv_matrix!(@one $v, $cer, "required", 1, 1);
        uv_matrix!(@one $v, $cer, "required", 1, 0);
        uv_matrix!(@one $v, $cer, "required", 0, 1);
        uv_matrix!(@one $v, $cer, "required", 0, 0);
        uv_matrix!(@one $v, $cer, "preferred", 1, 1);
        uv_matrix!(@one $v, $cer, "preferred", 1, 0);
        uv_matrix!(@one $v, $cer, "preferred", 0, 1);
        uv_matrix!(@one $v, $cer, "preferred", 0, 0);
        uv_matrix!(@one $v, $cer, "discouraged", 1, 1);
        uv_matrix!(@one $v, $cer, "discouraged", 1, 0);
        uv_matrix!(@one $v, $cer, "discouraged", 0, 1);
        uv_matrix!(@one $v, $cer, "discouraged", 0, 0);
    };
    (@one $v:ident, reg, $uv:literal, $up_on:literal, $uv_on:literal) => {
        $v.push(matrix_case(
            concat!("reg.flags.uv-", $uv, ".up", $up_on, "-uv", $uv_on),
            true, $uv, $up_on == 1, $uv_on == 1,
            Setup { reg_uv: $uv, uv_optional: $uv != "required" && $up_on == 1 && $uv_on == 0, ..Setup::DEFAULT },
            reg_pre(|p| {
                set_to(&mut p.draft.auth_data.flags, Flags::UP, $up_on == 1);
                set_to(&mut p.draft.auth_data.flags, Flags::UV, $uv_on == 1);
            }),
        ));
    };
    (@one $v:ident, auth, $uv:literal, $up_on:literal, $uv_on:literal) => {
        $v.push(matrix_case(
            concat!("auth.flags.uv-", $uv, ".up", $up_on, "-uv", $uv_on),
            false, $uv, $up_on == 1, $uv_on == 1,
            Setup { auth_uv: $uv, uv_optional: $uv != "required" && $up_on == 1 && $uv_on == 0, ..Setup::DEFAULT },
            auth_pre(|p| {
                set_to(&mut p.draft.auth_data.flags, Flags::UP, $up_on == 1);
                set_to(&mut p.draft.auth_data.flags, Flags::UV, $uv_on == 1);
            }),
        ));
    };
}

fn set_to(f: &mut Flags, bit: u8, on: bool) {
    *f = f.with(bit, on)
}

/// One cell of the matrix: UP is required in both ceremonies (§7.1 step 15 without conditional mediation,
/// §7.2 step 16); UV only when `userVerification` is `required` (§7.1 step 16, §7.2 step 17).
fn matrix_case(
    id: &'static str,
    reg: bool,
    uv: &str,
    up_on: bool,
    uv_on: bool,
    setup: Setup,
    plan: super::Plan,
) -> Case {
    let (expect, check, spec, flags, rationale): (_, _, _, &'static [Flag], _) = if !up_on {
        (
            Expect::Reject,
            Some(if reg { CheckId::RegUserPresent } else { CheckId::AuthUserPresent }),
            if reg { "§7.1 step 15" } else { "§7.2 step 16" },
            &[Flag::UserPresenceUnchecked],
            "the UP flag must be set whatever userVerification says",
        )
    } else if uv == "required" && !uv_on {
        (
            Expect::Reject,
            Some(if reg { CheckId::RegUserVerified } else { CheckId::AuthUserVerified }),
            if reg { "§7.1 step 16" } else { "§7.2 step 17" },
            &[Flag::UserVerificationUnchecked],
            "userVerification was required, so UV must be set",
        )
    } else {
        (
            Expect::Accept,
            None,
            if reg { "§7.1 steps 15-16" } else { "§7.2 steps 16-17" },
            &[Flag::Baseline],
            "UP is set and UV is only required when userVerification is required",
        )
    };
    let title = match (up_on, uv_on) {
        (true, true) => "UP and UV set",
        (true, false) => "UP set, UV clear",
        (false, true) => "UP clear, UV set",
        (false, false) => "UP and UV clear",
    };
    Case { id, spec, level: Level::Must, expect, title, rationale, flags, check, fido: None, setup, plan }
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    uv_matrix!(v, reg);
    uv_matrix!(v, auth);
    v.extend([
        Case {
            id: "auth.flags.uv-flipped-after-signing",
            spec: "§7.2 step 21",
            level: Level::Must,
            expect: Expect::Reject,
            title: "UV set in authenticatorData after it was signed with UV clear",
            rationale: "changing a signed byte must break the signature",
            flags: &[Flag::SignatureUnchecked],
            check: Some(CheckId::AuthSignature),
            fido: None,
            setup: uv("preferred", "preferred"),
            plan: super::Plan::Authenticate(super::AuthHooks {
                pre: Some(|p| clear(&mut p.draft.auth_data.flags, Flags::UV)),
                post: Some(|p| {
                    if let Some(b) = p.signed.authenticator_data.get_mut(32) {
                        *b |= Flags::UV
                    }
                }),
                json: None,
            }),
        },
        Case {
            id: "reg.flags.bs-without-be",
            spec: "§7.1 step 17",
            level: Level::Must,
            expect: Expect::Reject,
            title: "BS set while BE is clear",
            rationale: "a credential that is not backup eligible cannot be backed up",
            flags: &[Flag::BackupFlagsUnchecked],
            check: Some(CheckId::RegBackupStateWithoutEligibility),
            fido: None,
            setup: Setup::DEFAULT,
            plan: reg_pre(|p| {
                clear(&mut p.draft.auth_data.flags, Flags::BE);
                set(&mut p.draft.auth_data.flags, Flags::BS)
            }),
        },
        Case {
            id: "reg.flags.be-only",
            spec: "§7.1 steps 17-19",
            level: Level::Policy,
            expect: Expect::Either,
            title: "BE set, BS clear: a multi-device credential not yet backed up",
            rationale: "backup eligibility is RP policy; most RPs accept it",
            flags: &[],
            check: None,
            fido: None,
            setup: Setup::DEFAULT,
            plan: reg_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BE)),
        },
        Case {
            id: "reg.flags.be-bs-set",
            spec: "§7.1 steps 17-19",
            level: Level::Policy,
            expect: Expect::Either,
            title: "BE and BS set: a synced passkey",
            rationale: "backup eligibility and state are RP policy; most RPs accept them",
            flags: &[],
            check: None,
            fido: None,
            setup: Setup::DEFAULT,
            plan: reg_pre(|p| {
                set(&mut p.draft.auth_data.flags, Flags::BE);
                set(&mut p.draft.auth_data.flags, Flags::BS)
            }),
        },
        Case {
            id: "reg.flags.rfu-bits-set",
            spec: "§6.1",
            level: Level::Policy,
            expect: Expect::Either,
            title: "both RFU flag bits set",
            rationale: "authenticators set RFU bits to zero, but no RP step checks them",
            flags: &[],
            check: None,
            fido: None,
            setup: Setup::DEFAULT,
            plan: reg_pre(|p| {
                set(&mut p.draft.auth_data.flags, Flags::RFU1);
                set(&mut p.draft.auth_data.flags, Flags::RFU2)
            }),
        },
        Case {
            id: "auth.flags.rfu-bits-set",
            spec: "§6.1",
            level: Level::Policy,
            expect: Expect::Either,
            title: "both RFU flag bits set in an assertion",
            rationale: "authenticators set RFU bits to zero, but no RP step checks them",
            flags: &[],
            check: None,
            fido: None,
            setup: Setup::DEFAULT,
            plan: auth_pre(|p| {
                set(&mut p.draft.auth_data.flags, Flags::RFU1);
                set(&mut p.draft.auth_data.flags, Flags::RFU2)
            }),
        },
        Case {
            id: "auth.flags.bs-without-be",
            spec: "§7.2 step 18",
            level: Level::Must,
            expect: Expect::Reject,
            title: "BS set while BE is clear",
            rationale: "a credential that is not backup eligible cannot be backed up",
            flags: &[Flag::BackupFlagsUnchecked],
            check: Some(CheckId::AuthBackupStateWithoutEligibility),
            fido: None,
            setup: Setup::DEFAULT,
            plan: auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BS)),
        },
        Case {
            id: "auth.flags.be-appears",
            spec: "§7.2 step 19",
            level: Level::Policy,
            expect: Expect::Reject,
            title: "BE set in an assertion for a credential registered with BE clear",
            rationale: "backup eligibility must not change after registration (§6.1); an RP using backup state verifies it",
            flags: &[Flag::BackupFlagsUnchecked],
            check: Some(CheckId::AuthBackupEligibilityChanged),
            fido: None,
            setup: Setup::DEFAULT,
            plan: auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BE)),
        },
    ]);
    v
}
