//! Flags: UP and UV by `userVerification`, BE/BS, RFU bits (§6.1; §7.1 steps 15-19, §7.2 steps 16-19).

use wire::authdata::Flags;

use super::{auth_pre, reg_pre, Case, Expect, Flag, Level, Setup};

const fn uv(reg: &'static str, auth: &'static str) -> Setup {
    Setup { reg_uv: reg, auth_uv: auth, ..Setup::DEFAULT }
}

fn clear(f: &mut Flags, bit: u8) {
    *f = f.with(bit, false)
}

fn set(f: &mut Flags, bit: u8) {
    *f = f.with(bit, true)
}

pub(super) fn cases() -> Vec<Case> {
    let c = |id, spec, level, expect, title, rationale, flags, check, fido, setup, plan| Case {
        id,
        spec,
        level,
        expect,
        title,
        rationale,
        flags,
        check,
        fido,
        setup,
        plan,
    };
    vec![
        c("reg.flags.up-clear", "§7.1 step 15", Level::Must, Expect::Reject, "UP clear in a registration (mediation not conditional)",
          "the RP must verify the user was present", &[Flag::UserPresenceUnchecked] as &[Flag], Some("reg.auth-data.user-present"), None,
          Setup::DEFAULT, reg_pre(|p| clear(&mut p.draft.auth_data.flags, Flags::UP))),
        c("reg.flags.uv-clear.required", "§7.1 step 16", Level::Must, Expect::Reject, "UV clear when userVerification is required",
          "the RP required user verification, so UV must be set", &[Flag::UserVerificationUnchecked], Some("reg.auth-data.user-verified"), None,
          uv("required", "preferred"), reg_pre(|p| clear(&mut p.draft.auth_data.flags, Flags::UV))),
        c("reg.flags.uv-clear.preferred", "§7.1 step 16", Level::Must, Expect::Accept, "UV clear when userVerification is preferred",
          "preferred does not require verification; UV may be clear", &[Flag::Baseline], None, None,
          uv("preferred", "preferred"), reg_pre(|p| clear(&mut p.draft.auth_data.flags, Flags::UV))),
        c("reg.flags.uv-set.discouraged", "§7.1 step 16", Level::Must, Expect::Accept, "UV set when userVerification is discouraged",
          "verification beyond what was asked is not an error", &[Flag::Baseline], None, None,
          uv("discouraged", "preferred"), reg_pre(|p| set(&mut p.draft.auth_data.flags, Flags::UV))),
        c("reg.flags.bs-without-be", "§7.1 step 17", Level::Must, Expect::Reject, "BS set while BE is clear",
          "a credential that is not backup eligible cannot be backed up", &[Flag::BackupFlagsUnchecked], Some("reg.auth-data.bs-without-be"), None,
          Setup::DEFAULT, reg_pre(|p| { clear(&mut p.draft.auth_data.flags, Flags::BE); set(&mut p.draft.auth_data.flags, Flags::BS) })),
        c("reg.flags.be-bs-set", "§7.1 steps 17-19", Level::Policy, Expect::Either, "BE and BS set: a synced passkey",
          "backup eligibility and state are RP policy; most RPs accept them", &[], None, None,
          Setup::DEFAULT, reg_pre(|p| { set(&mut p.draft.auth_data.flags, Flags::BE); set(&mut p.draft.auth_data.flags, Flags::BS) })),
        c("reg.flags.rfu-bits-set", "§6.1", Level::Policy, Expect::Either, "both RFU flag bits set",
          "authenticators set RFU bits to zero, but no RP step checks them", &[], None, None,
          Setup::DEFAULT, reg_pre(|p| { set(&mut p.draft.auth_data.flags, Flags::RFU1); set(&mut p.draft.auth_data.flags, Flags::RFU2) })),
        c("auth.flags.up-clear", "§7.2 step 16", Level::Must, Expect::Reject, "UP clear in an assertion",
          "§7.2 step 16 requires UP unconditionally (the FIDO tool's Resp-3 P-4/P-7 disagree)", &[Flag::UserPresenceUnchecked], Some("auth.auth-data.user-present"), None,
          Setup::DEFAULT, auth_pre(|p| clear(&mut p.draft.auth_data.flags, Flags::UP))),
        c("auth.flags.up-uv-clear.discouraged", "§7.2 step 16", Level::Must, Expect::Reject, "UP and UV clear with userVerification discouraged",
          "UP is required whatever userVerification says", &[Flag::UserPresenceUnchecked], Some("auth.auth-data.user-present"),
          Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-7"),
          uv("preferred", "discouraged"), auth_pre(|p| { clear(&mut p.draft.auth_data.flags, Flags::UP); clear(&mut p.draft.auth_data.flags, Flags::UV) })),
        c("auth.flags.uv-clear.required", "§7.2 step 17", Level::Must, Expect::Reject, "UV clear (UP set) when userVerification is required",
          "the RP required user verification, so UV must be set", &[Flag::UserVerificationUnchecked], Some("auth.auth-data.user-verified"),
          Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 F-5"),
          uv("preferred", "required"), auth_pre(|p| clear(&mut p.draft.auth_data.flags, Flags::UV))),
        c("auth.flags.uv-flipped-after-signing", "§7.2 step 21", Level::Must, Expect::Reject, "UV set in authenticatorData after it was signed with UV clear",
          "changing a signed byte must break the signature", &[Flag::SignatureUnchecked], Some("auth.signature.invalid"), None,
          uv("preferred", "preferred"), super::Plan::Authenticate(super::AuthHooks {
              pre: Some(|p| clear(&mut p.draft.auth_data.flags, Flags::UV)),
              post: Some(|p| { if let Some(b) = p.signed.authenticator_data.get_mut(32) { *b |= Flags::UV } }),
              json: None,
          })),
        c("auth.flags.uv-set.required", "§7.2 step 17", Level::Must, Expect::Accept, "UV and UP set when userVerification is required",
          "the required verification happened", &[Flag::Baseline], None,
          Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-3"), uv("preferred", "required"), super::AUTH_VALID),
        c("auth.flags.uv-clear.preferred", "§7.2 step 17", Level::Must, Expect::Accept, "UV clear when userVerification is preferred",
          "preferred does not require verification; UV is ignored", &[Flag::Baseline], None, None,
          uv("preferred", "preferred"), auth_pre(|p| clear(&mut p.draft.auth_data.flags, Flags::UV))),
        c("auth.flags.uv-set.discouraged", "§7.2 step 17", Level::Must, Expect::Accept, "UV set when userVerification is discouraged",
          "UV is ignored unless required", &[Flag::Baseline], None, Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-6"),
          uv("preferred", "discouraged"), auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::UV))),
        c("auth.flags.bs-without-be", "§7.2 step 18", Level::Must, Expect::Reject, "BS set while BE is clear",
          "a credential that is not backup eligible cannot be backed up", &[Flag::BackupFlagsUnchecked], Some("auth.auth-data.bs-without-be"), None,
          Setup::DEFAULT, auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BS))),
        c("auth.flags.be-appears", "§7.2 step 19", Level::Policy, Expect::Reject, "BE set in an assertion for a credential registered with BE clear",
          "backup eligibility must not change after registration (§6.1); an RP using backup state verifies it", &[Flag::BackupFlagsUnchecked],
          Some("auth.auth-data.be-changed"), None,
          Setup::DEFAULT, auth_pre(|p| set(&mut p.draft.auth_data.flags, Flags::BE))),
    ]
}
