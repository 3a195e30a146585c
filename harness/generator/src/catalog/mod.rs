//! The case catalogue: every conformance case as data (DESIGN §3).
//!
//! A case is one valid baseline plus exactly one named mutation ([`Plan::Register`] / [`Plan::Authenticate`],
//! whose hooks change one thing at one stage), or a stateful scenario ([`Plan::Stateful`]). The entries live
//! in one file per area and read like a table; how a plan is executed lives in [`crate::runner`].

use serde::Serialize;

use crate::ceremony::{
    AssertionDraft, AttestationKind, Credential, RegistrationDraft, SignedAssertion, SignedRegistration,
};
use crate::client::{ClientConfig, CreationOptions, RequestOptions};
use crate::keys::Algorithm;

mod attestation;
mod authdata;
mod cbor;
mod client_data;
mod cose_key;
mod counter;
mod credential;
mod flags;
mod mutate;
mod signature;
mod stateful;
mod structure;
mod valid;

pub use spec::{Ceremony, CheckId, Expect, Level};

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

/// A registration case's one mutation, at the stage it belongs to.
#[derive(Clone, Copy, Default)]
pub struct RegHooks {
    pub pre: Option<fn(&mut RegPre<'_>)>,
    pub post: Option<fn(&mut RegPost<'_>)>,
    pub json: Option<fn(&mut serde_json::Value)>,
}

/// An authentication case's one mutation, at the stage it belongs to.
#[derive(Clone, Copy, Default)]
pub struct AuthHooks {
    pub pre: Option<fn(&mut AuthPre<'_>)>,
    pub post: Option<fn(&mut AuthPost<'_>)>,
    pub json: Option<fn(&mut serde_json::Value)>,
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
    /// A user signs in with a credential registered to another user.
    CredentialOfAnotherUser,
    /// The assertion's userHandle names another account.
    UserHandleOfAnotherAccount,
}

/// How a case is run.
#[derive(Clone, Copy)]
pub enum Plan {
    Register(RegHooks),
    Authenticate(AuthHooks),
    Stateful(Stateful),
}

/// One case of the catalogue (DESIGN §3).
#[derive(Clone, Copy)]
pub struct Case {
    /// Stable, append-only slug: `reg.client-data.origin.other-scheme`.
    pub id: &'static str,
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
    /// The reference verifier's check that rejects the case. `None` for accept cases.
    pub check: Option<CheckId>,
    /// The FIDO server conformance test this case corresponds to, where there is one.
    pub fido: Option<&'static str>,
    pub setup: Setup,
    pub plan: Plan,
}

impl Case {
    /// A valid registration baseline (`reg.valid.*`, no mutation): grading runs these first to learn which
    /// algorithms and attestation formats the RP supports.
    pub fn is_baseline(&self) -> bool {
        self.id.starts_with("reg.valid.")
            && matches!(self.plan, Plan::Register(RegHooks { pre: None, post: None, json: None }))
    }

    pub fn ceremony(&self) -> Ceremony {
        match self.plan {
            Plan::Register(_) => Ceremony::Registration,
            Plan::Authenticate(_) => Ceremony::Authentication,
            Plan::Stateful(
                Stateful::RegistrationReplay
                | Stateful::RegistrationChallengeOtherSession
                | Stateful::CredentialRegisteredTwice,
            ) => Ceremony::Registration,
            Plan::Stateful(_) => Ceremony::Authentication,
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
    UnsolicitedExtensionsRejected => "the RP rejects a ceremony whose authenticator data carries an extension output it did not ask for (allowed by §7.1 step 28 and §7.2 step 23; some clients will fail there)",
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
    ] {
        cases.extend(area());
    }
    cases
}

/// Edits the members of a clientDataJSON in place (order kept; unparseable input is left alone).
pub fn edit_client_data(bytes: &mut Vec<u8>, f: impl FnOnce(&mut Vec<(String, serde_json::Value)>)) {
    if let Ok(mut cd) = wire::client_data::CollectedClientData::parse(bytes) {
        f(&mut cd.members);
        *bytes = cd.to_json_bytes();
    }
}

/// Sets member `name` (replacing it where it stands, or appending it).
pub fn set_member(members: &mut Vec<(String, serde_json::Value)>, name: &str, value: serde_json::Value) {
    match members.iter_mut().find(|(n, _)| n == name) {
        Some(m) => m.1 = value,
        None => members.push((name.to_owned(), value)),
    }
}

pub fn remove_member(members: &mut Vec<(String, serde_json::Value)>, name: &str) {
    members.retain(|(n, _)| n != name);
}

/// The case with this id.
pub fn get(id: &str) -> Option<Case> {
    all().into_iter().find(|c| c.id == id)
}

/// A registration case's hooks with only a pre-signing mutation.
pub const fn reg_pre(f: fn(&mut RegPre<'_>)) -> Plan {
    Plan::Register(RegHooks { pre: Some(f), post: None, json: None })
}

pub const fn reg_post(f: fn(&mut RegPost<'_>)) -> Plan {
    Plan::Register(RegHooks { pre: None, post: Some(f), json: None })
}

pub const fn reg_json(f: fn(&mut serde_json::Value)) -> Plan {
    Plan::Register(RegHooks { pre: None, post: None, json: Some(f) })
}

pub const fn auth_pre(f: fn(&mut AuthPre<'_>)) -> Plan {
    Plan::Authenticate(AuthHooks { pre: Some(f), post: None, json: None })
}

pub const fn auth_post(f: fn(&mut AuthPost<'_>)) -> Plan {
    Plan::Authenticate(AuthHooks { pre: None, post: Some(f), json: None })
}

pub const fn auth_json(f: fn(&mut serde_json::Value)) -> Plan {
    Plan::Authenticate(AuthHooks { pre: None, post: None, json: Some(f) })
}

/// The unmutated registration.
pub const REG_VALID: Plan = Plan::Register(RegHooks { pre: None, post: None, json: None });
/// The unmutated assertion.
pub const AUTH_VALID: Plan = Plan::Authenticate(AuthHooks { pre: None, post: None, json: None });
