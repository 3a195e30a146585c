//! The case catalogue: every conformance case as data.
//!
//! A case is one valid baseline plus exactly one named mutation ([`Plan::Register`] / [`Plan::Authenticate`],
//! whose hooks change one thing at one stage), or a stateful scenario ([`Plan::Stateful`]). The entries live
//! in one file per area and read like a table; how a plan is executed lives in [`crate::runner`].
//!
//! Every row is a struct literal with named fields, and everything about the case is stated in it (nothing
//! is changed after it is built):
//! - [`Case`] for a case of one ceremony. Its full id is always in the row; the fields a row may leave out
//!   come from [`Case::DEFAULTS`] (no FIDO test, [`Setup::DEFAULT`], not a baseline), or from a named base
//!   row of the same file when a group shares most of its fields (`structure.rs`'s `REG_MALFORMED`,
//!   `signature.rs`'s `ENCODING`), itself built on [`Case::must_reject`] when the spec says MUST reject; the
//!   row states what makes it differ. The ceremony a case judges (in the row or its base) and whether it is a
//!   valid baseline are fields, never read from the id.
//! - [`Both`] for a case written once for both ceremonies: the fields that differ between them are given
//!   [`ByCeremony`] (`{ reg, auth }`), and its mutation changes what both responses share ([`Common`]) before
//!   signing; its shared parts likewise come from [`Both::DEFAULTS`], [`Both::MUST_REJECT`] or a named base
//!   row. [`Both::case`] gives the case of one ceremony.
//!
//! `tests::every_case_is_complete` checks what the compiler cannot: ids unique and prefixed by their ceremony,
//! the plan of the case's ceremony, no placeholder of [`Case::DEFAULTS`] left, baselines unmutated.

use serde::Serialize;

use wire::authdata::AuthenticatorData;

use crate::ceremony::{
    AssertionDraft, AttestationKind, Credential, RegistrationDraft, SignedAssertion, SignedRegistration,
};
use crate::client::{ClientConfig, CreationOptions, RequestOptions};
use crate::keys::Algorithm;

mod apple_android;
mod attestation;
mod authdata;
mod cbor;
mod client_data;
mod cose_key;
mod counter;
mod credential;
mod flags;
mod metadata;
mod mutate;
mod options;
mod signature;
mod stateful;
mod structure;
mod tpm;
mod valid;
// issue 18: android-safetynet (§8.5).
mod safetynet;
// issue 18: certificate paths through intermediates and the compound format.
mod chains;
mod compound;
// issue 18: P-521 keys in attestation certificates.
mod p521;

pub use spec::{Basis, BasisKind, Ceremony, CheckId, Expect, Level};

/// Whether the authenticator keeps a signature counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Counter {
    /// Always 0, as synced passkeys do: only single-use challenges stop a replay.
    Zero,
    /// 1, 2, 3, … per assertion.
    Incrementing,
}

/// What the valid baseline of a case is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Setup {
    pub alg: Algorithm,
    pub attestation: AttestationKind,
    /// `authenticatorSelection.userVerification` requested at registration.
    pub reg_uv: &'static str,
    /// `userVerification` requested at authentication.
    pub auth_uv: &'static str,
    pub counter: Counter,
    /// Length of the credential ID.
    pub credential_id_len: usize,
    /// The case sends UV clear and needs the RP not to require user verification in the case's ceremony:
    /// an RP whose options answer `userVerification: "required"` whatever was asked does not offer such a
    /// ceremony (§7.1 step 16 / §7.2 step 17 leave "required" to the RP), so the case is UNSUPPORTED there.
    pub uv_optional: bool,
    /// The case needs a challenge whose standard base64 (RFC 4648 §4) is not just its base64url plus padding,
    /// i.e. spells a `+` or `/`: the runner asks the RP for options again (up to 16 times) until it issues one,
    /// so the case's verdict does not depend on the luck of the RP's random challenge.
    pub std_alphabet_challenge: bool,
    /// Client extension inputs (a JSON object) the case's options request asks for (`extensions`), in the
    /// case's ceremony only. The RP's options must carry them back (the conformance API echoes what it is
    /// asked), or the RP did not solicit them and the case is UNSUPPORTED there.
    pub request_extensions: Option<&'static str>,
    /// In the ceremony the case judges, the client reports the origin on a subdomain of the RP ID that the RP
    /// is declared to accept ([`ClientConfig::subdomain_origin`]); without one the case is UNSUPPORTED.
    pub subdomain_origin: bool,
    /// The case judges what the RP makes of the harness's test metadata (`pki export`): its subject is of a model
    /// that metadata lists, with status reports an RP refuses. It needs an RP that loaded that metadata
    /// ([`crate::target::Need::HarnessMetadata`]); the control is the software authenticator's own model.
    pub needs_metadata: bool,
}

impl Setup {
    pub const DEFAULT: Setup = Setup {
        alg: Algorithm::Es256,
        attestation: AttestationKind::None,
        reg_uv: "preferred",
        auth_uv: "preferred",
        counter: Counter::Zero,
        credential_id_len: 32,
        uv_optional: false,
        std_alphabet_challenge: false,
        request_extensions: None,
        subdomain_origin: false,
        needs_metadata: false,
    };
}

/// A registration before signing: change anything a valid signature must still cover.
pub struct RegPre<'a> {
    pub cfg: &'a ClientConfig,
    pub options: &'a CreationOptions,
    pub credential: Credential,
    pub attestation: AttestationKind,
    pub draft: RegistrationDraft,
}

/// A registration after signing: change bytes the signature or structure covers, to break them.
pub struct RegPost<'a> {
    pub options: &'a CreationOptions,
    pub signed: SignedRegistration,
    /// The attestation object as sent; `None` means the canonical encoding of `signed.attestation_object`.
    pub attestation_object: Option<Vec<u8>>,
}

/// An assertion before signing.
pub struct AuthPre<'a> {
    pub cfg: &'a ClientConfig,
    pub options: &'a RequestOptions,
    pub credential: &'a Credential,
    /// The counter value of the last accepted assertion (0 after registration).
    pub last_sign_count: u32,
    pub draft: AssertionDraft,
}

/// An assertion after signing.
pub struct AuthPost<'a> {
    pub options: &'a RequestOptions,
    pub credential: &'a Credential,
    pub signed: SignedAssertion,
}

/// The members of a clientDataJSON, in order (as [`wire::client_data::CollectedClientData`] holds them).
pub type ClientDataMembers = Vec<(String, serde_json::Value)>;

/// What the client data of a valid response holds: what a mutation of it may need to know.
pub struct Expected<'a> {
    pub origin: &'a str,
    pub rp_id: &'a str,
    pub challenge: &'a [u8],
    /// The ceremony's type: `webauthn.create` or `webauthn.get`.
    pub type_: &'static str,
}

/// The parts of a response both ceremonies share, before signing: what a [`Both`] mutation changes.
pub struct Common<'a> {
    pub client_data_json: &'a mut Vec<u8>,
    pub auth_data: &'a mut AuthenticatorData,
    pub expected: Expected<'a>,
}

impl Common<'_> {
    /// Edits the client data's members in place (see [`edit_client_data`]).
    pub fn edit_members(&mut self, f: fn(&mut ClientDataMembers, &Expected<'_>)) {
        let expected = &self.expected;
        edit_client_data(self.client_data_json, |m| f(m, expected));
    }
}

/// A registration case's one mutation, at the stage it belongs to.
#[derive(Clone, Copy, Default)]
pub struct RegHooks {
    /// Before signing, on what both ceremonies share (the mutation of a [`Both`] case); runs before `pre`.
    pub common: Option<fn(&mut Common<'_>)>,
    pub pre: Option<fn(&mut RegPre<'_>)>,
    pub post: Option<fn(&mut RegPost<'_>)>,
    pub json: Option<fn(&mut serde_json::Value)>,
}

/// An authentication case's one mutation, at the stage it belongs to.
#[derive(Clone, Copy, Default)]
pub struct AuthHooks {
    /// Before signing, on what both ceremonies share (the mutation of a [`Both`] case); runs before `pre`.
    pub common: Option<fn(&mut Common<'_>)>,
    pub pre: Option<fn(&mut AuthPre<'_>)>,
    pub post: Option<fn(&mut AuthPost<'_>)>,
    pub json: Option<fn(&mut serde_json::Value)>,
}

impl RegHooks {
    /// No mutation: the valid registration.
    pub const NONE: RegHooks = RegHooks { common: None, pre: None, post: None, json: None };

    pub fn is_none(&self) -> bool {
        self.common.is_none() && self.pre.is_none() && self.post.is_none() && self.json.is_none()
    }
}

impl AuthHooks {
    /// No mutation: the valid assertion.
    pub const NONE: AuthHooks = AuthHooks { common: None, pre: None, post: None, json: None };

    pub fn is_none(&self) -> bool {
        self.common.is_none() && self.pre.is_none() && self.post.is_none() && self.json.is_none()
    }
}

/// Scenarios whose point is the RP's state across calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Stateful {
    /// The accepted registration response is posted again.
    RegistrationReplay,
    /// The accepted assertion response is posted again.
    AssertionReplay,
    /// Registration options fetched in one session, the response posted in another.
    RegistrationChallengeOtherSession,
    /// Assertion options fetched in one session, the response posted in another (same user).
    AssertionChallengeOtherSession,
    /// A second user registers the first user's credential ID (and key).
    CredentialRegisteredTwice,
    /// A user signs in with a credential registered to another user, the assertion carrying the signing-in
    /// user's userHandle.
    CredentialOfAnotherUser,
    /// The assertion's userHandle names another account.
    UserHandleOfAnotherAccount,
    /// As [`Stateful::CredentialOfAnotherUser`], without a userHandle (as an authenticator sends for a
    /// credential that is not discoverable).
    CredentialOfAnotherUserWithoutUserHandle,
    /// As [`Stateful::CredentialOfAnotherUser`], with the userHandle of the account that owns the credential
    /// (as its authenticator sends for a discoverable credential).
    CredentialOfAnotherUserWithOwnersUserHandle,
    /// Assertion options for an account whose registration was started (its options fetched) and never
    /// finished, answered with another account's credential and that account's userHandle.
    AssertionForAccountWithUnfinishedRegistration,
    /// Assertion options for a username that never registered, answered with another account's credential and
    /// that account's userHandle.
    AssertionForUnregisteredAccount,
    /// The accepted registration response is posted again by a client holding the cookies its session had
    /// right after the options call.
    RegistrationReplayWithSavedSession,
    /// The accepted assertion is posted again by a client holding the cookies its session had right after the
    /// options call.
    AssertionReplayWithSavedSession,
    /// The accepted assertion is posted again after the same session fetched new assertion options.
    AssertionReplayAfterNewOptions,
    /// Registration options fetched twice in one session; the response to the first is posted.
    RegistrationAnsweringSupersededOptions,
    /// Assertion options fetched twice in one session; the assertion for the first is posted.
    AssertionAnsweringSupersededOptions,
}

impl Stateful {
    /// The ceremony whose last call the scenario judges.
    pub fn ceremony(self) -> Ceremony {
        match self {
            Stateful::RegistrationReplay
            | Stateful::RegistrationChallengeOtherSession
            | Stateful::CredentialRegisteredTwice
            | Stateful::RegistrationReplayWithSavedSession
            | Stateful::RegistrationAnsweringSupersededOptions => Ceremony::Registration,
            Stateful::AssertionReplay
            | Stateful::AssertionChallengeOtherSession
            | Stateful::CredentialOfAnotherUser
            | Stateful::UserHandleOfAnotherAccount
            | Stateful::CredentialOfAnotherUserWithoutUserHandle
            | Stateful::CredentialOfAnotherUserWithOwnersUserHandle
            | Stateful::AssertionForAccountWithUnfinishedRegistration
            | Stateful::AssertionForUnregisteredAccount
            | Stateful::AssertionReplayWithSavedSession
            | Stateful::AssertionReplayAfterNewOptions
            | Stateful::AssertionAnsweringSupersededOptions => Ceremony::Authentication,
        }
    }
}

/// What an options case inspects of the options the RP issues (`options.rs`; run by the runner, which reports
/// whether the options meet the case's requirement and what it found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Probe {
    /// The creation options' challenge is at least 16 bytes.
    CreationChallengeLength,
    /// The request options' challenge is at least 16 bytes.
    RequestChallengeLength,
    /// Creation options fetched twice in one session, in another session and for another user carry
    /// challenges that are all distinct and not counter- or clock-like.
    CreationChallengesFresh,
    /// As [`Probe::CreationChallengesFresh`], for request options.
    RequestChallengesFresh,
    /// `user.id` is 1 to 64 bytes.
    UserHandleSize,
    /// `user.id` holds neither the username nor the display name, nor an unsalted SHA-256 of either.
    UserHandleWithoutPii,
    /// A second registration of an account is issued the account's user handle again.
    UserHandleStable,
    /// Two accounts are issued different user handles.
    UserHandlesDistinct,
    /// The creation options' `rp.id`, when present, is the origin's host or a registrable suffix of it.
    CreationRpIdInScope,
    /// The request options' `rpId`, when present, is the origin's host or a registrable suffix of it.
    RequestRpIdInScope,
    /// The request options name the RP ID the creation options named (both defaulting to the origin's host).
    RpIdConsistent,
    /// `pubKeyCredParams` lists -8, -7 and -257.
    RecommendedAlgorithms,
    /// `pubKeyCredParams` lists none of the fully-specified identifiers the spec does not recommend there.
    NoFullySpecifiedAlgorithms,
    /// What `pubKeyCredParams` holds besides: duplicates, unknown algorithms, other types (recorded).
    AlgorithmList,
    /// A second registration's options list the account's credential in `excludeCredentials`.
    ExcludeCredentials,
    /// Request options for an identified account list its credential in `allowCredentials`.
    AllowCredentials,
    /// The creation options carry `timeout` within the recommended range.
    CreationTimeout,
    /// The request options carry `timeout` within the recommended range.
    RequestTimeout,
    /// The creation options echo the requested `attestation` ("direct", then "none").
    AttestationEchoed,
    /// The creation options echo the requested `authenticatorSelection`.
    AuthenticatorSelectionEchoed,
    /// The creation options echo the requested `extensions`.
    CreationExtensionsEchoed,
    /// The creation options' `user.name` and `user.displayName` are the requested ones.
    UserEchoed,
    /// The request options echo the requested `userVerification` ("required").
    UserVerificationEchoed,
    /// The request options echo the requested `extensions`.
    RequestExtensionsEchoed,
    /// A creation options request carrying the L3 members `hints` and `attestationFormats` (recorded).
    L3MembersInRequest,
}

impl Probe {
    /// The ceremony whose options the probe inspects.
    pub fn ceremony(self) -> Ceremony {
        match self {
            Probe::RequestChallengeLength
            | Probe::RequestChallengesFresh
            | Probe::RequestRpIdInScope
            | Probe::RpIdConsistent
            | Probe::AllowCredentials
            | Probe::RequestTimeout
            | Probe::UserVerificationEchoed
            | Probe::RequestExtensionsEchoed => Ceremony::Authentication,
            _ => Ceremony::Registration,
        }
    }
}

/// How a case is run.
#[derive(Clone, Copy)]
pub enum Plan {
    Register(RegHooks),
    Authenticate(AuthHooks),
    Stateful(Stateful),
    /// An options case: no response is judged, the options the RP issues are ([`Expect::Meet`]).
    Options(Probe),
}

impl Plan {
    /// The ceremony the plan runs as its subject.
    pub fn ceremony(&self) -> Ceremony {
        match self {
            Plan::Register(_) => Ceremony::Registration,
            Plan::Authenticate(_) => Ceremony::Authentication,
            Plan::Stateful(s) => s.ceremony(),
            Plan::Options(p) => p.ceremony(),
        }
    }
}

/// One case of the catalogue, as a row states it (see the module documentation).
#[derive(Clone, Copy)]
pub struct Case {
    /// Stable, append-only slug: `reg.client-data.origin.other-scheme`.
    pub id: &'static str,
    /// The ceremony whose result the case judges; the id starts with its [`Ceremony::id_prefix`].
    pub ceremony: Ceremony,
    /// The clause and step exercised: `§7.1 step 9`.
    pub spec: &'static str,
    pub level: Level,
    pub expect: Expect,
    /// One line: what is sent.
    pub title: &'static str,
    /// One line: why a correct RP answers as expected.
    pub rationale: &'static str,
    /// Bug classes a wrong answer reveals.
    pub flags: &'static [Flag],
    /// Public records of bugs that RP libraries shipped and this case reproduces (advisories, CVEs, issues).
    pub references: &'static [Reference],
    /// The reference verifier's check that rejects the case. `None` for accept cases.
    pub check: Option<CheckId>,
    /// The FIDO server conformance test this case corresponds to, where there is one.
    pub fido: Option<&'static str>,
    /// What the FIDO conformance tool expects where it differs from `expect` (e.g. it requires an assertion
    /// without UP to be accepted when UV is not required, where §7.2 step 16 rejects it); `None` where the
    /// tool agrees with the spec or has no such test.
    pub fido_expect: Option<Expect>,
    /// The requirement the case rests on, where it is not its check's ([`CheckId::basis`]); every case
    /// without a check states one. [`Case::basis`] gives the one that applies.
    pub basis: Option<Basis>,
    pub setup: Setup,
    pub plan: Plan,
    /// A valid registration baseline (unmutated): grading runs these first to learn which algorithms and
    /// attestation formats the RP supports.
    pub baseline: bool,
}

impl Case {
    /// The base of a row that the RP MUST reject in `ceremony` (the rest as [`Case::DEFAULTS`]).
    pub const fn must_reject(ceremony: Ceremony) -> Case {
        Case { ceremony, level: Level::Must, expect: Expect::Reject, ..Case::DEFAULTS }
    }

    /// The base of a row: `..Case::DEFAULTS` supplies the fields a row may leave out (`fido: None`,
    /// `setup: Setup::DEFAULT`, `baseline: false`). Its other fields are placeholders every row states (an
    /// empty id, spec, title or rationale fails `tests::every_case_is_complete`).
    pub const DEFAULTS: Case = Case {
        id: "",
        ceremony: Ceremony::Registration,
        spec: "",
        level: Level::Must,
        expect: Expect::Reject,
        title: "",
        rationale: "",
        flags: &[],
        references: &[],
        check: None,
        fido: None,
        fido_expect: None,
        basis: None,
        setup: Setup::DEFAULT,
        plan: REG_VALID,
        baseline: false,
    };

    /// A valid registration baseline (see [`Case::baseline`]).
    pub fn is_baseline(&self) -> bool {
        self.baseline
    }

    /// The ceremony whose result the case judges.
    pub fn ceremony(&self) -> Ceremony {
        self.ceremony
    }

    /// The requirement the case rests on: its own [`Case::basis`], else its check's. `tests::
    /// every_case_states_its_basis` makes sure every case has one.
    pub fn basis(&self) -> Option<Basis> {
        self.basis.or(self.check.map(CheckId::basis))
    }

    /// What the FIDO conformance tool expects of the case, where it has a test for it.
    pub fn fido_expects(&self) -> Option<Expect> {
        self.fido.map(|_| self.fido_expect.unwrap_or(self.expect))
    }
}

/// A value for each ceremony: the fields of a [`Both`] row that differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByCeremony<T> {
    pub reg: T,
    pub auth: T,
}

impl<T: Copy> ByCeremony<T> {
    /// The same value for both ceremonies.
    pub const fn same(value: T) -> ByCeremony<T> {
        ByCeremony { reg: value, auth: value }
    }

    pub fn get(&self, ceremony: Ceremony) -> T {
        match ceremony {
            Ceremony::Registration => self.reg,
            Ceremony::Authentication => self.auth,
        }
    }
}

/// A case written once for both ceremonies (see the module documentation). Its mutation runs before
/// signing on what both responses share, with what a valid response of that ceremony holds.
#[derive(Clone, Copy)]
pub struct Both {
    pub id: ByCeremony<&'static str>,
    pub spec: ByCeremony<&'static str>,
    pub level: Level,
    pub expect: Expect,
    pub title: &'static str,
    pub rationale: &'static str,
    pub flags: &'static [Flag],
    pub references: &'static [Reference],
    pub check: ByCeremony<Option<CheckId>>,
    pub fido: ByCeremony<Option<&'static str>>,
    /// What the FIDO conformance tool expects where it differs from `expect`, in the ceremonies that name a
    /// FIDO test (a ceremony without one has no FIDO expectation).
    pub fido_expect: Option<Expect>,
    pub basis: ByCeremony<Option<Basis>>,
    pub setup: ByCeremony<Setup>,
    pub mutation: fn(&mut Common<'_>),
}

impl Both {
    /// The base of a row, as [`Case::DEFAULTS`]: no FIDO test and [`Setup::DEFAULT`] in both ceremonies.
    pub const DEFAULTS: Both = Both {
        id: ByCeremony::same(""),
        spec: ByCeremony::same(""),
        level: Level::Must,
        expect: Expect::Reject,
        title: "",
        rationale: "",
        flags: &[],
        references: &[],
        check: ByCeremony::same(None),
        fido: ByCeremony::same(None),
        fido_expect: None,
        basis: ByCeremony::same(None),
        setup: ByCeremony::same(Setup::DEFAULT),
        mutation: |_| {},
    };

    /// The base of a row that the RP MUST reject in both ceremonies (the rest as [`Both::DEFAULTS`]).
    pub const MUST_REJECT: Both = Both { level: Level::Must, expect: Expect::Reject, ..Both::DEFAULTS };

    /// The case of one ceremony.
    pub fn case(&self, ceremony: Ceremony) -> Case {
        let common = Some(self.mutation);
        Case {
            id: self.id.get(ceremony),
            ceremony,
            spec: self.spec.get(ceremony),
            level: self.level,
            expect: self.expect,
            title: self.title,
            rationale: self.rationale,
            flags: self.flags,
            references: self.references,
            check: self.check.get(ceremony),
            fido: self.fido.get(ceremony),
            fido_expect: self.fido.get(ceremony).and(self.fido_expect),
            basis: self.basis.get(ceremony),
            setup: self.setup.get(ceremony),
            plan: match ceremony {
                Ceremony::Registration => Plan::Register(RegHooks { common, ..RegHooks::NONE }),
                Ceremony::Authentication => Plan::Authenticate(AuthHooks { common, ..AuthHooks::NONE }),
            },
            baseline: false,
        }
    }

    /// The cases of both ceremonies, the registration first.
    pub fn cases(&self) -> [Case; 2] {
        [self.case(Ceremony::Registration), self.case(Ceremony::Authentication)]
    }
}

/// A public record of a bug that an RP library shipped, which a case reproduces: what it is, in this project's
/// words, and where it is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Reference {
    /// The record's id: a CVE (`CVE-2022-21449`), a GitHub advisory (`GHSA-xxxx-xxxx-xxxx`), or an issue or
    /// pull request as `owner/repo#number`.
    pub id: &'static str,
    /// The affected library and, in one line, what it did wrong (facts, not the record's text).
    pub summary: &'static str,
}

impl Reference {
    /// Whether the id is one of the three forms [`Reference::id`] allows.
    pub fn is_well_formed(&self) -> bool {
        let id = self.id;
        if let Some(rest) = id.strip_prefix("CVE-") {
            let (year, num) = rest.split_once('-').unwrap_or(("", ""));
            return year.len() == 4
                && num.len() >= 4
                && (year.to_owned() + num).bytes().all(|b| b.is_ascii_digit());
        }
        if let Some(rest) = id.strip_prefix("GHSA-") {
            let parts: Vec<&str> = rest.split('-').collect();
            return parts.len() == 3
                && parts.iter().all(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        match id.split_once('#') {
            Some((repo, num)) => {
                let slug = |s: &str| {
                    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                };
                matches!(repo.split_once('/'), Some((o, r)) if slug(o) && slug(r))
                    && !num.is_empty()
                    && num.bytes().all(|b| b.is_ascii_digit())
            }
            None => false,
        }
    }
}

macro_rules! flags {
    ($( $(#[$doc:meta])* $variant:ident => $text:literal, )*) => {
        /// Bug classes: what an RP that gets a case wrong fails to do. Documented once, here.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Flag { $( $(#[$doc])* $variant, )* }

        impl Flag {
            pub const ALL: &'static [Flag] = &[ $( Flag::$variant, )* ];
            /// What the bug class is.
            pub fn description(self) -> &'static str {
                match self { $( Flag::$variant => $text, )* }
            }
        }
    };
}

flags! {
    Baseline => "a valid ceremony is refused: the RP rejects what the spec requires it to accept",
    ResponseStructureUnchecked => "the RP does not validate the response's JSON members before using them",
    ClientDataTypeUnchecked => "the RP does not check clientData.type, so an assertion can stand in for a registration or the reverse",
    ChallengeNotBound => "the RP does not compare clientData.challenge with the challenge it issued, or compares it loosely",
    ChallengeReusable => "the RP accepts a challenge more than once or outside the session it was issued to",
    OriginUnchecked => "the RP does not compare clientData.origin exactly with the origins it expects",
    FramingUnchecked => "the RP ignores crossOrigin/topOrigin, so a page that frames it can run ceremonies",
    RpIdHashUnchecked => "the RP does not check rpIdHash against SHA-256 of its RP ID",
    UserPresenceUnchecked => "the RP accepts authenticator data without the UP flag",
    UserVerificationUnchecked => "the RP accepts UV=0 where it required user verification",
    BackupFlagsUnchecked => "the RP accepts inconsistent backup flags (BS without BE, BE changed)",
    AuthDataLeniency => "the RP accepts malformed authenticator data (leftover bytes, wrong AT/ED)",
    CborLeniency => "the RP accepts malformed or non-canonical CBOR",
    KeyUnchecked => "the RP accepts a credential public key it cannot or should not use",
    AlgorithmUnchecked => "the RP accepts a key algorithm it did not offer",
    AttestationUnchecked => "the RP accepts an attestation statement that does not verify",
    SignatureUnchecked => "the RP accepts an assertion whose signature does not verify",
    CounterUnchecked => "the RP ignores a signature counter that did not increase",
    CredentialIdUnchecked => "the RP accepts an over-long or already registered credential ID",
    CredentialOwnershipUnchecked => "the RP accepts a credential for an account it does not belong to",
    CborDuplicateKeys => "the RP accepts CBOR maps with a duplicate key, so two readers of the same bytes can see different values",
    SignatureEncodingLeniency => "the RP accepts a signature not encoded as its algorithm requires (BER or raw r||s for ECDSA, out-of-range integers, wrong length)",
    AttestationFormatUnchecked => "the RP matches fmt loosely (ignoring case) or accepts a statement in a format it cannot verify",
    AttestationCertificateUnchecked => "the RP accepts an attestation certificate that breaks its format's requirements (version, subject, CA flag, AAGUID extension)",
    AttestationTrustUnchecked => "the RP accepts an attestation whose certificate does not chain to a trusted root or is outside its validity period",
    RawIdUnchecked => "the RP does not check that the credential ID it is sent is the one the authenticator attested",
    WeakChallenges => "the RP issues challenges that are short, repeated, or predictable (a counter or a clock), so a response can be made or replayed without the user",
    UserHandlePii => "the RP puts the username or display name (or an unsalted hash of one) in the user handle, which authenticators may reveal without user verification",
    UserHandleUnstable => "the RP issues one account several user handles, or several accounts one",
    OptionsIncomplete => "the RP's options leave out what a client needs to do the ceremony well (its credentials to exclude or allow, the recommended algorithms, a usable timeout)",
    OptionsInconsistent => "the RP's options name an RP ID outside the origin's scope, or different RP IDs in its two ceremonies",
    OptionsNotEchoed => "the RP does not issue the options the conformance API asked for (attestation, authenticatorSelection, userVerification, extensions, user names)",
    SolicitedExtensionsRejected => "the RP rejects a ceremony carrying the output of an extension its own options asked for",
    UnsolicitedExtensionsRejected => "the RP rejects a ceremony whose authenticator data carries an extension output it did not ask for (allowed by §7.1 step 28 and §7.2 step 23; some clients will fail there)",
    AttestationRequirementUnenforced => "the RP accepts a none or self attestation statement although it requires attestation (graded where the user declares it)",
    RpIdHashFromOrigin => "the RP expects rpIdHash to be the hash of the origin's host instead of its RP ID, so it refuses valid ceremonies from a subdomain of the RP ID (shown where the user declares such an origin)",
}

/// Every case, in catalogue order.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    for area in [
        valid::cases as fn() -> Vec<Case>,
        structure::cases,
        client_data::cases,
        authdata::cases,
        flags::cases,
        counter::cases,
        stateful::cases,
        cose_key::cases,
        cbor::cases,
        signature::cases,
        credential::cases,
        attestation::cases,
        apple_android::cases,
        tpm::cases,
        metadata::cases,
        options::cases,
        safetynet::cases,
        chains::cases,
        compound::cases,
        p521::cases,
    ] {
        cases.extend(area());
    }
    cases
}

/// Edits the members of a clientDataJSON in place (order kept; unparseable input is left alone).
pub fn edit_client_data(bytes: &mut Vec<u8>, f: impl FnOnce(&mut ClientDataMembers)) {
    if let Ok(mut cd) = wire::client_data::CollectedClientData::parse(bytes) {
        f(&mut cd.members);
        *bytes = cd.to_json_bytes();
    }
}

/// Sets member `name` (replacing it where it stands, or appending it).
pub fn set_member(members: &mut ClientDataMembers, name: &str, value: serde_json::Value) {
    match members.iter_mut().find(|(n, _)| n == name) {
        Some(m) => m.1 = value,
        None => members.push((name.to_owned(), value)),
    }
}

pub fn remove_member(members: &mut ClientDataMembers, name: &str) {
    members.retain(|(n, _)| n != name);
}

/// The case with this id.
pub fn get(id: &str) -> Option<Case> {
    all().into_iter().find(|c| c.id == id)
}

/// A registration case's hooks with only a pre-signing mutation.
pub const fn reg_pre(f: fn(&mut RegPre<'_>)) -> Plan {
    Plan::Register(RegHooks { pre: Some(f), ..RegHooks::NONE })
}

pub const fn reg_post(f: fn(&mut RegPost<'_>)) -> Plan {
    Plan::Register(RegHooks { post: Some(f), ..RegHooks::NONE })
}

pub const fn reg_json(f: fn(&mut serde_json::Value)) -> Plan {
    Plan::Register(RegHooks { json: Some(f), ..RegHooks::NONE })
}

pub const fn auth_pre(f: fn(&mut AuthPre<'_>)) -> Plan {
    Plan::Authenticate(AuthHooks { pre: Some(f), ..AuthHooks::NONE })
}

pub const fn auth_post(f: fn(&mut AuthPost<'_>)) -> Plan {
    Plan::Authenticate(AuthHooks { post: Some(f), ..AuthHooks::NONE })
}

pub const fn auth_json(f: fn(&mut serde_json::Value)) -> Plan {
    Plan::Authenticate(AuthHooks { json: Some(f), ..AuthHooks::NONE })
}

/// The unmutated registration.
pub const REG_VALID: Plan = Plan::Register(RegHooks::NONE);
/// The unmutated assertion.
pub const AUTH_VALID: Plan = Plan::Authenticate(AuthHooks::NONE);

/// Whether the standard base64 (RFC 4648 §4) of `bytes` spells a `+` or `/`, i.e. is not just its base64url
/// plus padding (see [`Setup::std_alphabet_challenge`]).
pub fn std_alphabet(bytes: &[u8]) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes).contains(['+', '/'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_complete() {
        let cases = all();
        let mut ids = std::collections::HashSet::new();
        for c in &cases {
            assert!(ids.insert(c.id), "{}: id used twice", c.id);
            assert!(c.id.starts_with(c.ceremony.id_prefix()), "{}: not a {:?} id", c.id, c.ceremony);
            assert_eq!(c.plan.ceremony(), c.ceremony, "{}: the plan runs the other ceremony", c.id);
            assert!(
                !c.spec.is_empty() && !c.title.is_empty() && !c.rationale.is_empty(),
                "{}: a placeholder",
                c.id
            );
            if let Some(check) = c.check {
                assert_eq!(check.ceremony(), c.ceremony, "{}: a check of the other ceremony", c.id);
            }
            if c.baseline {
                assert!(matches!(c.plan, Plan::Register(h) if h.is_none()), "{}: a mutated baseline", c.id);
                assert_eq!(c.expect, Expect::Accept, "{}: a baseline must be accepted", c.id);
            }
        }
        let baselines: Vec<&str> = cases.iter().filter(|c| c.is_baseline()).map(|c| c.id).collect();
        assert_eq!(baselines.len(), 30, "{baselines:?}"); // 24 + apple + android-key + tpm (2) + android-safetynet + compound
        assert!(baselines.iter().all(|id| id.starts_with("reg.valid.")), "{baselines:?}");
    }

    /// Every case states the requirement it rests on (its own or its check's), quoted from the spec; a
    /// conformance case names the FIDO test it mirrors.
    #[test]
    fn every_case_states_its_basis() {
        let mut problems = Vec::new();
        for c in all() {
            let Some(b) = c.basis() else {
                problems.push(format!("{}: no basis (no check and no basis of its own)", c.id));
                continue;
            };
            if b.kind == BasisKind::Conformance {
                if c.fido.is_none() {
                    problems.push(format!("{}: a conformance basis names no FIDO test", c.id));
                }
            } else if b.quote.is_empty() || !b.section.starts_with('§') {
                problems.push(format!("{}: a {} basis needs a section and a quote", c.id, b.kind.as_str()));
            }
            if !b.quote.is_empty() {
                if let Err(missing) = spec::text::quoted(b.quote) {
                    problems.push(format!("{}: not in the spec: {missing:?}", c.id));
                }
            }
            for r in c.references {
                if !r.is_well_formed() || r.summary.is_empty() {
                    problems.push(format!(
                        "{}: reference {:?} is not CVE-, GHSA- or owner/repo#N with a summary",
                        c.id, r.id
                    ));
                }
            }
            if c.fido_expect.is_some() && c.fido.is_none() {
                problems.push(format!("{}: a FIDO expectation without a FIDO test", c.id));
            }
        }
        assert!(problems.is_empty(), "{} cases:\n{}", problems.len(), problems.join("\n"));
    }

    #[test]
    fn a_both_row_gives_one_case_per_ceremony() {
        let row = Both {
            id: ByCeremony { reg: "reg.x", auth: "auth.x" },
            spec: ByCeremony { reg: "§7.1", auth: "§7.2" },
            title: "t",
            rationale: "r",
            check: ByCeremony { reg: Some(CheckId::RegOrigin), auth: Some(CheckId::AuthOrigin) },
            ..Both::DEFAULTS
        };
        let [reg, auth] = row.cases();
        assert_eq!(
            (reg.id, reg.ceremony, reg.check),
            ("reg.x", Ceremony::Registration, Some(CheckId::RegOrigin))
        );
        assert_eq!(
            (auth.id, auth.ceremony, auth.check),
            ("auth.x", Ceremony::Authentication, Some(CheckId::AuthOrigin))
        );
        assert!(matches!(reg.plan, Plan::Register(h) if h.common.is_some() && h.pre.is_none()));
        assert!(matches!(auth.plan, Plan::Authenticate(h) if h.common.is_some() && h.pre.is_none()));
    }

    #[test]
    fn reference_ids_have_one_of_three_forms() {
        let ok = |id| Reference { id, summary: "s" }.is_well_formed();
        assert!(ok("CVE-2022-21449"));
        assert!(ok("GHSA-abcd-1234-ef56"));
        assert!(ok("duo-labs/py_webauthn#93"));
        for bad in ["CVE-22-1", "GHSA-abc", "py_webauthn#93", "duo-labs/py_webauthn#", "a/b#1x", "https://x"]
        {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn std_alphabet_tells_a_plus_or_slash() {
        assert!(std_alphabet(&[0xfb, 0xff]));
        assert!(!std_alphabet(&[0, 0, 0]));
    }
}
