//! In-process differential fuzzing of two peer Rust WebAuthn libraries, webauthn-rs-core 0.5.5 and webauthn_rp
//! 0.3.0, against this project's reference verifier.
//!
//! Fuzz input is read with `arbitrary` as the ceremony description the reference's own ceremony targets use
//! (`fuzzing::ceremony::RegistrationCase` / `AuthenticationCase`, harness/fuzzing). The description's baseline is
//! built (`case.build()`), its mutations applied (`case.mutated(&built)`), and the same response bytes go to the
//! reference verifier (as `RegistrationCase::run` calls it, but returning the verdict) and to the peer, whose
//! ceremony state carries the same challenge, RP ID `example.org`, origin `https://example.org`, UV requirement
//! and, for an assertion, the same stored credential and counter. webauthn_rp holds 16-byte challenges only, so
//! its ceremonies (both sides) are the same descriptions built with 16-byte challenges ([`prepare`]).
//!
//! A **disagreement** ([`Outcome::Disagree`]) is one of:
//! - the peer accepts what the reference rejects (named by the reference's check, with its basis kind and level);
//! - the peer rejects what the reference accepts without warnings, while the peer accepted the unmutated baseline
//!   of the same description (named by the peer's error); when the peer rejects the baseline too, the description
//!   is one the peer does not support (an algorithm, an attestation format...), counted apart
//!   ([`Outcome::Unsupported`]), never a disagreement;
//! - the peer panics (caught; [`Direction::PeerPanicked`]).
//!
//! The fuzz entry points ([`rs_core_registration`] etc.) never abort on a disagreement: it is minimised (mutations
//! dropped, and the re-signature, while the same disagreement stays), classified by (peer, ceremony, direction,
//! check, sorted mutation kinds), and the first input of each class is saved to the findings directory as
//! `<peer>/<class>.bin` (the input) and `.txt` (what was seen). Only a panic of this crate, the fuzzing crate or
//! the reference verifier aborts the run.
#![forbid(unsafe_code)]

pub mod prepare;
pub mod rp;
pub mod rs_core;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use arbitrary::{Arbitrary, Unstructured};
use fuzzing::ceremony::{
    cached, AuthDataEdit, AuthenticationCase, BuiltAuthentication, BuiltRegistration, Cache, Mutation,
    RegistrationCase, MAX_MUTATIONS, ORIGIN, RP_ID, USER,
};
use generator::{AttestationKind, RegistrationDraft, Rp};
use verifier::{AuthenticationResponse, CheckId, OneRecordStore, Policy, RegistrationResponse, Rejection};
use wire::authdata::Flags;

/// Setup of a peer's ceremony state; `Err` is why the description cannot be run through the peer.
pub type Setup<T> = Result<T, String>;

pub const UNSUPPORTED_ALLOW_UNIDENTIFIED: &str =
    "allowCredentials listed for a user not identified first (the peer's API takes the user's credentials)";
pub const UNSUPPORTED_REGISTER: &str = "the peer refused to register the credential";
pub const UNSUPPORTED_BASELINE: &str = "the peer rejects the unmutated baseline";

// ---- the two sides -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Peer {
    RsCore,
    Rp,
}

impl Peer {
    /// The directory name under the findings directory.
    pub fn dir(self) -> &'static str {
        match self {
            Peer::RsCore => "webauthn-rs-core",
            Peer::Rp => "webauthn_rp",
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            Peer::RsCore => "webauthn-rs-core 0.5.5",
            Peer::Rp => "webauthn_rp 0.3.0",
        }
    }

    pub fn from_dir(dir: &str) -> Option<Peer> {
        [Peer::RsCore, Peer::Rp].into_iter().find(|p| p.dir() == dir)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ceremony {
    Registration,
    Authentication,
}

impl Ceremony {
    pub fn name(self) -> &'static str {
        match self {
            Ceremony::Registration => "registration",
            Ceremony::Authentication => "authentication",
        }
    }

    pub fn from_name(name: &str) -> Option<Ceremony> {
        [Ceremony::Registration, Ceremony::Authentication].into_iter().find(|c| c.name() == name)
    }
}

/// What the peer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerVerdict {
    Accepted,
    /// `kind`: the error's variant (its `Debug` up to the first non-identifier, nested variants kept), `json`
    /// for the response's deserialisation, `app: ...` for what this crate does as the application would.
    Rejected {
        kind: String,
        message: String,
    },
    Panicked(String),
}

impl PeerVerdict {
    pub fn rejected(kind: impl Into<String>, message: impl fmt::Display) -> PeerVerdict {
        PeerVerdict::Rejected { kind: kind.into(), message: message.to_string() }
    }
}

impl fmt::Display for PeerVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerVerdict::Accepted => f.write_str("accepted"),
            PeerVerdict::Rejected { kind, message } => write!(f, "rejected: {kind}: {message}"),
            PeerVerdict::Panicked(m) => write!(f, "panicked: {m}"),
        }
    }
}

/// An error's variant path from its `Debug`: `AuthData(RpIdHashMismatch)` from
/// `AuthData(RpIdHashMismatch)`, `Json(Error)` from `Json(Error("...", line: 1))`.
pub fn error_kind(debug: &str) -> String {
    let mut kind: String =
        debug.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '(').collect();
    while kind.ends_with('(') {
        kind.pop();
    }
    let open = kind.matches('(').count();
    kind.extend(std::iter::repeat_n(')', open));
    kind
}

/// The reference's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefVerdict {
    Accepted { warnings: Vec<CheckId> },
    Rejected { check: CheckId, detail: String },
}

impl fmt::Display for RefVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefVerdict::Accepted { warnings } if warnings.is_empty() => f.write_str("accepted"),
            RefVerdict::Accepted { warnings } => {
                let ids: Vec<&str> = warnings.iter().map(|c| c.id()).collect();
                write!(f, "accepted with warnings {}", ids.join(", "))
            }
            RefVerdict::Rejected { check, detail } => write!(f, "rejected by {}: {detail}", check.id()),
        }
    }
}

fn ref_verdict<T>(r: Result<T, Rejection>, warnings: impl FnOnce(&T) -> Vec<CheckId>) -> RefVerdict {
    match r {
        Ok(out) => RefVerdict::Accepted { warnings: warnings(&out) },
        Err(e) => RefVerdict::Rejected { check: e.check, detail: e.detail },
    }
}

/// The reference's policy, as the ceremony targets set it: the generator's root is the one trust anchor.
pub fn policy() -> Policy {
    let mut p = Policy::new(RP_ID, ORIGIN);
    p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    p
}

pub fn reference_registration(built: &BuiltRegistration, text: &[u8]) -> RefVerdict {
    let r = RegistrationResponse::from_json_bytes(text).and_then(|r| {
        verifier::verify_registration(
            &r,
            &built.expectations,
            &policy(),
            &verifier::EmptyStore,
            fuzzing::ceremony::NOW,
        )
    });
    ref_verdict(r, |o| o.warnings.iter().map(|w| w.check).collect())
}

pub fn reference_authentication(built: &BuiltAuthentication, text: &[u8]) -> RefVerdict {
    let r = AuthenticationResponse::from_json_bytes(text).and_then(|r| {
        verifier::verify_authentication(
            &r,
            &built.expectations,
            &policy(),
            &OneRecordStore::new(USER, built.record.clone()),
        )
    });
    ref_verdict(r, |o| o.warnings.iter().map(|w| w.check).collect())
}

/// A `none` registration of the description's credential with the authenticator's flags, and its 16-byte
/// challenge: how an assertion's stored credential is put into a peer.
pub struct NoneRegistration {
    pub challenge: Vec<u8>,
    pub json: Vec<u8>,
}

pub fn none_registration(case: &AuthenticationCase, built: &BuiltAuthentication) -> NoneRegistration {
    let a = &case.authenticator;
    let backup = match a.backup {
        fuzzing::ceremony::Backup::NotEligible => 0,
        fuzzing::ceremony::Backup::Eligible => Flags::BE,
        fuzzing::ceremony::Backup::BackedUp => Flags::BE | Flags::BS,
    };
    let flags = backup | if a.uv { Flags::UV } else { 0 };
    let challenge = built.ctx.other_challenge.get(..16).unwrap_or(&built.ctx.other_challenge).to_vec();
    let signed = RegistrationDraft::new(&Rp::new(RP_ID, ORIGIN), &built.credential, &challenge, flags)
        .sign(&built.credential, AttestationKind::None);
    NoneRegistration { challenge, json: serde_json::to_vec(&signed.to_json()).unwrap_or_default() }
}

// ---- panics in a peer ----------------------------------------------------------------------------------

thread_local! {
    static IN_PEER: Cell<bool> = const { Cell::new(false) };
    static PEER_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs peer code, turning its panic into [`PeerVerdict::Panicked`]. libFuzzer's panic hook aborts the process
/// on any panic, before `catch_unwind` could see it; so a hook is installed once that, while peer code runs,
/// only records the message, and otherwise hands over to the hook that was there.
pub fn guarded(f: impl FnOnce() -> PeerVerdict) -> PeerVerdict {
    static HOOK: OnceLock<()> = OnceLock::new();
    HOOK.get_or_init(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_PEER.with(Cell::get) {
                let at =
                    info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                PEER_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{at}")));
            } else {
                previous(info);
            }
        }));
    });
    IN_PEER.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_PEER.with(|c| c.set(false));
    result.unwrap_or_else(|_| {
        PeerVerdict::Panicked(
            PEER_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "(no message)".into()),
        )
    })
}

// ---- prepared baselines --------------------------------------------------------------------------------

enum PeerRegistration {
    RsCore(rs_core::Registration),
    Rp(rp::Registration),
}

enum PeerAuthentication {
    RsCore(rs_core::Authentication),
    Rp(rp::Authentication),
}

/// A description's baseline as both sides verify it, the peer's state, and the peer's verdict on the baseline.
struct Prepared<B, S> {
    built: B,
    peer: Result<S, String>,
    baseline: PeerVerdict,
}

type PreparedRegistration = Prepared<BuiltRegistration, PeerRegistration>;
type PreparedAuthentication = Prepared<BuiltAuthentication, PeerAuthentication>;

fn register(peer: &PeerRegistration, text: &[u8]) -> PeerVerdict {
    guarded(|| match peer {
        PeerRegistration::RsCore(s) => rs_core::register(s, text),
        PeerRegistration::Rp(s) => rp::register(s, text),
    })
}

fn authenticate(peer: &PeerAuthentication, text: &[u8]) -> PeerVerdict {
    guarded(|| match peer {
        PeerAuthentication::RsCore(s) => rs_core::authenticate(s, text),
        PeerAuthentication::Rp(s) => rp::authenticate(s, text),
    })
}

fn prepare_registration(peer: Peer, case: &RegistrationCase) -> PreparedRegistration {
    let built = case.build();
    let built = match peer {
        Peer::RsCore => built,
        Peer::Rp => match prepare::short_registration(case, built) {
            Some(b) => b,
            None => {
                return Prepared {
                    built: case.build(),
                    peer: Err("no 16-byte-challenge variant of the baseline".into()),
                    baseline: PeerVerdict::rejected("harness", "no state"),
                }
            }
        },
    };
    let state = guarded_setup(|| match peer {
        Peer::RsCore => rs_core::registration(&built).map(PeerRegistration::RsCore),
        Peer::Rp => rp::registration(&built).map(PeerRegistration::Rp),
    });
    let baseline = match &state {
        Ok(s) => register(s, &built.text),
        Err(_) => PeerVerdict::rejected("harness", "no state"),
    };
    Prepared { built, peer: state, baseline }
}

fn prepare_authentication(peer: Peer, case: &AuthenticationCase) -> PreparedAuthentication {
    let built = case.build();
    let built = match peer {
        Peer::RsCore => built,
        Peer::Rp => match prepare::short_authentication(case, built) {
            Some(b) => b,
            None => {
                return Prepared {
                    built: case.build(),
                    peer: Err("no 16-byte-challenge variant of the baseline".into()),
                    baseline: PeerVerdict::rejected("harness", "no state"),
                }
            }
        },
    };
    let state = guarded_setup(|| match peer {
        Peer::RsCore => rs_core::authentication(case, &built).map(PeerAuthentication::RsCore),
        Peer::Rp => rp::authentication(case, &built).map(PeerAuthentication::Rp),
    });
    let baseline = match &state {
        Ok(s) => authenticate(s, &built.text),
        Err(_) => PeerVerdict::rejected("harness", "no state"),
    };
    Prepared { built, peer: state, baseline }
}

/// Peer setup (registering the credential through the peer) is peer code too.
fn guarded_setup<S>(f: impl FnOnce() -> Setup<S>) -> Setup<S> {
    let mut out = None;
    let verdict = guarded(|| {
        out = Some(f());
        PeerVerdict::Accepted
    });
    match (verdict, out) {
        (PeerVerdict::Panicked(m), _) => Err(format!("the peer panicked during setup: {m}")),
        (_, Some(r)) => r,
        (_, None) => Err("setup did not run".into()),
    }
}

type RegKey = (Peer, fuzzing::ceremony::Authenticator, fuzzing::ceremony::Attestation, bool);
type AuthKey =
    (Peer, fuzzing::ceremony::Authenticator, (u32, u32), (bool, bool, fuzzing::ceremony::Allow, bool));
static REGISTRATIONS: Cache<RegKey, PreparedRegistration> = OnceLock::new();
static AUTHENTICATIONS: Cache<AuthKey, PreparedAuthentication> = OnceLock::new();

// ---- evaluation ----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// The peer accepts what the reference rejects.
    PeerAccepts,
    /// The peer rejects what the reference accepts without warnings (and accepted the baseline).
    PeerRejects,
    PeerPanicked,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::PeerAccepts => "peer-accepts",
            Direction::PeerRejects => "peer-rejects",
            Direction::PeerPanicked => "peer-panicked",
        }
    }

    pub fn from_name(name: &str) -> Option<Direction> {
        [Direction::PeerAccepts, Direction::PeerRejects, Direction::PeerPanicked]
            .into_iter()
            .find(|d| d.name() == name)
    }
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub direction: Direction,
    /// The reference's check id (peer accepts), the peer's error kind (peer rejects), or `panic`.
    pub check: String,
    pub reference: RefVerdict,
    pub peer: PeerVerdict,
    pub peer_baseline: PeerVerdict,
}

impl Disagreement {
    /// For a peer accepting what the reference rejects: the reference check's basis kind and level.
    pub fn basis(&self) -> Option<String> {
        match &self.reference {
            RefVerdict::Rejected { check, .. } => {
                let b = check.basis();
                Some(format!("{:?} {:?} ({})", b.kind, check.level(), b.section))
            }
            RefVerdict::Accepted { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Agree,
    Unsupported(String),
    Disagree(Disagreement),
}

fn classify(reference: RefVerdict, peer: PeerVerdict, baseline: &PeerVerdict) -> Outcome {
    let d = |direction, check: String| {
        Outcome::Disagree(Disagreement {
            direction,
            check,
            reference: reference.clone(),
            peer: peer.clone(),
            peer_baseline: baseline.clone(),
        })
    };
    match (&reference, &peer) {
        (_, PeerVerdict::Panicked(_)) => d(Direction::PeerPanicked, "panic".into()),
        (RefVerdict::Rejected { check, .. }, PeerVerdict::Accepted) => {
            d(Direction::PeerAccepts, check.id().into())
        }
        (RefVerdict::Accepted { warnings }, PeerVerdict::Rejected { kind, .. }) if warnings.is_empty() => {
            match baseline {
                PeerVerdict::Accepted => d(Direction::PeerRejects, kind.clone()),
                PeerVerdict::Rejected { kind, message } => {
                    Outcome::Unsupported(format!("{UNSUPPORTED_BASELINE} ({kind}): {message}"))
                }
                PeerVerdict::Panicked(m) => {
                    Outcome::Unsupported(format!("{UNSUPPORTED_BASELINE} (panic): {m}"))
                }
            }
        }
        _ => Outcome::Agree,
    }
}

/// The response bytes both sides verified, with the verdicts.
pub struct Run {
    pub text: Vec<u8>,
    pub outcome: Outcome,
}

pub fn evaluate_registration(peer: Peer, case: &RegistrationCase) -> Run {
    let key = (peer, case.authenticator.clone(), case.attestation, case.require_uv);
    let prepared = cached(&REGISTRATIONS, key, || prepare_registration(peer, case));
    let text = case.mutated(&prepared.built);
    let state = match &prepared.peer {
        Ok(s) => s,
        Err(why) => return Run { text, outcome: Outcome::Unsupported(why.clone()) },
    };
    let reference = reference_registration(&prepared.built, &text);
    let verdict = register(state, &text);
    Run { outcome: classify(reference, verdict, &prepared.baseline), text }
}

pub fn evaluate_authentication(peer: Peer, case: &AuthenticationCase) -> Run {
    let key = (
        peer,
        case.authenticator.clone(),
        (case.stored_sign_count, case.sign_count),
        (case.user_handle, case.identified, case.allow, case.require_uv),
    );
    let prepared = cached(&AUTHENTICATIONS, key, || prepare_authentication(peer, case));
    let text = case.mutated(&prepared.built);
    let state = match &prepared.peer {
        Ok(s) => s,
        Err(why) => return Run { text, outcome: Outcome::Unsupported(why.clone()) },
    };
    let reference = reference_authentication(&prepared.built, &text);
    let verdict = authenticate(state, &text);
    Run { outcome: classify(reference, verdict, &prepared.baseline), text }
}

// ---- descriptions: mutation kinds, minimisation, encoding ----------------------------------------------

/// What the fuzz entry points need of a description.
pub trait Description:
    Clone + fmt::Debug + for<'a> Arbitrary<'a> + fuzzing::corpus::Encode + PartialEq
{
    const CEREMONY: Ceremony;
    fn mutations(&mut self) -> &mut Vec<Mutation>;
    fn resign(&mut self) -> &mut bool;
    fn evaluate(&self, peer: Peer) -> Run;
}

impl Description for RegistrationCase {
    const CEREMONY: Ceremony = Ceremony::Registration;
    fn mutations(&mut self) -> &mut Vec<Mutation> {
        &mut self.mutations
    }
    fn resign(&mut self) -> &mut bool {
        &mut self.resign
    }
    fn evaluate(&self, peer: Peer) -> Run {
        evaluate_registration(peer, self)
    }
}

impl Description for AuthenticationCase {
    const CEREMONY: Ceremony = Ceremony::Authentication;
    fn mutations(&mut self) -> &mut Vec<Mutation> {
        &mut self.mutations
    }
    fn resign(&mut self) -> &mut bool {
        &mut self.resign
    }
    fn evaluate(&self, peer: Peer) -> Run {
        evaluate_authentication(peer, self)
    }
}

/// A mutation's kind: its variant and what it targets (the member, the client data member, the authenticator
/// data field, the attestation statement key), not its values.
pub fn mutation_kind(m: &Mutation) -> String {
    match m {
        Mutation::Bytes { member, .. } => format!("Bytes({member:?})"),
        Mutation::Replace { member, .. } => format!("Replace({member:?})"),
        Mutation::Remove { member } => format!("Remove({member:?})"),
        Mutation::ClientData { member, value, .. } => {
            format!("ClientData({member:?}{})", if value.is_none() { ",removed" } else { "" })
        }
        Mutation::AuthData(edit) => format!(
            "AuthData({})",
            match edit {
                AuthDataEdit::Flags { .. } => "Flags",
                AuthDataEdit::SignCount(_) => "SignCount",
                AuthDataEdit::RpIdHash(_) => "RpIdHash",
                AuthDataEdit::Extensions(_) => "Extensions",
                AuthDataEdit::CredentialId(_) => "CredentialId",
                AuthDataEdit::CredentialPublicKey(_) => "CredentialPublicKey",
                AuthDataEdit::Raw(_) => "Raw",
            }
        ),
        Mutation::AttStmt { key, value } => {
            format!("AttStmt({key:?}{})", if value.is_none() { ",removed" } else { "" })
        }
        Mutation::Fmt(_) => "Fmt".into(),
        Mutation::Text(_) => "Text".into(),
    }
}

/// The sorted set of the mutation kinds a description applies, and `resign` when it re-signs.
pub fn kinds<D: Description>(case: &D) -> Vec<String> {
    let mut case = case.clone();
    let resign = *case.resign();
    let mut set: BTreeSet<String> = case.mutations().iter().take(MAX_MUTATIONS).map(mutation_kind).collect();
    if resign {
        set.insert("resign".into());
    }
    set.into_iter().collect()
}

fn same(a: &Outcome, b: &Disagreement) -> bool {
    matches!(a, Outcome::Disagree(d) if d.direction == b.direction && d.check == b.check)
}

/// Drops mutations (and the re-signature) one at a time while the same disagreement stays.
pub fn minimise<D: Description>(peer: Peer, case: &D, found: &Disagreement) -> D {
    let mut best = case.clone();
    best.mutations().truncate(MAX_MUTATIONS);
    if *best.resign() {
        let mut c = best.clone();
        *c.resign() = false;
        if same(&c.evaluate(peer).outcome, found) {
            best = c;
        }
    }
    let mut i = 0;
    while i < best.mutations().len() {
        let mut c = best.clone();
        c.mutations().remove(i);
        if same(&c.evaluate(peer).outcome, found) {
            best = c;
        } else {
            i += 1;
        }
    }
    best
}

/// The class of a disagreement: `<ceremony>.<direction>.<check>.<kinds>`, made safe as a file name.
pub fn class_name<D: Description>(case: &D, d: &Disagreement) -> String {
    let kinds = kinds(case);
    let kinds = if kinds.is_empty() { "baseline".to_owned() } else { kinds.join("+") };
    let raw = format!("{}.{}.{}.{}", D::CEREMONY.name(), d.direction.name(), d.check, kinds);
    raw.chars().map(|c| if c.is_ascii_alphanumeric() || "._+-".contains(c) { c } else { '_' }).collect()
}

/// A description's fuzz input bytes (the seed encoding of harness/fuzzing's corpus), if they read back as it.
pub fn encode<D: Description>(case: &D) -> Option<Vec<u8>> {
    let bytes = fuzzing::corpus::encode_case(case);
    let back = D::arbitrary_take_rest(Unstructured::new(&bytes)).ok()?;
    (back == *case).then_some(bytes)
}

// ---- findings ------------------------------------------------------------------------------------------

/// Where findings go: `PEERDIFF_FINDINGS`, else `fuzz/peers/findings`.
pub fn findings_dir() -> PathBuf {
    std::env::var_os("PEERDIFF_FINDINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("findings"))
}

#[derive(Default)]
struct Stats {
    runs: u64,
    agree: u64,
    disagreements: u64,
    unsupported: BTreeMap<String, u64>,
    /// Classes known (saved before this run, or found in it), and unminimised keys already minimised.
    known: HashSet<String>,
    seen_raw: HashSet<String>,
    new_classes: u64,
}

fn stats() -> &'static Mutex<Stats> {
    static STATS: OnceLock<Mutex<Stats>> = OnceLock::new();
    STATS.get_or_init(|| {
        let mut s = Stats::default();
        for peer in [Peer::RsCore, Peer::Rp] {
            if let Ok(entries) = std::fs::read_dir(findings_dir().join(peer.dir())) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if let Some(class) = name.strip_suffix(".bin") {
                        s.known.insert(format!("{}/{class}", peer.dir()));
                    }
                }
            }
        }
        Mutex::new(s)
    })
}

/// Runs between two progress lines on stderr: `PEERDIFF_REPORT_EVERY`, else 5000.
fn report_every() -> u64 {
    static EVERY: OnceLock<u64> = OnceLock::new();
    *EVERY.get_or_init(|| {
        std::env::var("PEERDIFF_REPORT_EVERY")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(5000)
    })
}

fn unsupported_key(why: &str) -> String {
    why.split(':').next().unwrap_or(why).to_owned()
}

/// The readable explanation saved next to a finding's input. The header lines (`key: value`, up to the first
/// blank line) are what the replay test reads.
pub fn explanation<D: Description>(peer: Peer, case: &D, d: &Disagreement, text: &[u8]) -> String {
    let mut out = String::new();
    out.push_str(&format!("peer: {}\n", peer.dir()));
    out.push_str(&format!("version: {}\n", peer.version()));
    out.push_str(&format!("ceremony: {}\n", D::CEREMONY.name()));
    out.push_str(&format!("direction: {}\n", d.direction.name()));
    out.push_str(&format!("check: {}\n", d.check));
    if let Some(b) = d.basis() {
        out.push_str(&format!("basis: {b}\n"));
    }
    out.push_str(&format!("mutations: {}\n", kinds(case).join(", ")));
    out.push('\n');
    out.push_str(&format!("reference: {}\n", d.reference));
    out.push_str(&format!("peer: {}\n", d.peer));
    out.push_str(&format!("peer on the unmutated baseline: {}\n", d.peer_baseline));
    out.push_str(&format!("\ndescription (minimised):\n{case:#?}\n"));
    out.push_str(&format!("\nresponse both sides verified:\n{}\n", String::from_utf8_lossy(text)));
    out
}

/// Records one evaluation: counts it, and saves a new disagreement class (minimised) with its input.
fn record<D: Description>(peer: Peer, case: &D, run: Run) {
    let d = {
        let mut s = stats().lock().unwrap_or_else(PoisonError::into_inner);
        s.runs += 1;
        if s.runs.is_multiple_of(report_every()) {
            eprintln!(
                "peerdiff {} {}: {} runs, {} agree, {} disagreements, {} new classes, unsupported {:?}",
                peer.dir(),
                D::CEREMONY.name(),
                s.runs,
                s.agree,
                s.disagreements,
                s.new_classes,
                s.unsupported
            );
        }
        match run.outcome {
            Outcome::Agree => {
                s.agree += 1;
                return;
            }
            Outcome::Unsupported(why) => {
                *s.unsupported.entry(unsupported_key(&why)).or_default() += 1;
                return;
            }
            Outcome::Disagree(d) => {
                s.disagreements += 1;
                let raw = format!("{}/{}", peer.dir(), class_name(case, &d));
                if !s.seen_raw.insert(raw) {
                    return;
                }
                d
            }
        }
    };
    let small = minimise(peer, case, &d);
    let run = small.evaluate(peer);
    let (small, d, text) = match run.outcome {
        Outcome::Disagree(d2) if d2.direction == d.direction && d2.check == d.check => (small, d2, run.text),
        _ => (case.clone(), d, case.evaluate(peer).text),
    };
    let class = class_name(&small, &d);
    {
        let mut s = stats().lock().unwrap_or_else(PoisonError::into_inner);
        if !s.known.insert(format!("{}/{class}", peer.dir())) {
            return;
        }
        s.new_classes += 1;
    }
    let bytes = encode(&small).or_else(|| encode(case)).unwrap_or_default();
    let dir = findings_dir().join(peer.dir());
    let saved = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{class}.bin")), &bytes))
        .and_then(|()| {
            std::fs::write(dir.join(format!("{class}.txt")), explanation(peer, &small, &d, &text))
        });
    match saved {
        Ok(()) => eprintln!("peerdiff: new class {}/{class}: {}", peer.dir(), d.peer),
        Err(e) => eprintln!("peerdiff: cannot save {}/{class}: {e}", peer.dir()),
    }
}

fn entry<D: Description>(peer: Peer, data: &[u8]) {
    if let Ok(case) = D::arbitrary_take_rest(Unstructured::new(data)) {
        let run = case.evaluate(peer);
        record(peer, &case, run);
    }
}

/// Reads a description from fuzz input and evaluates it, without recording: what the replay test calls.
pub fn replay(peer: Peer, ceremony: Ceremony, data: &[u8]) -> Option<Run> {
    match ceremony {
        Ceremony::Registration => {
            RegistrationCase::arbitrary_take_rest(Unstructured::new(data)).ok().map(|c| c.evaluate(peer))
        }
        Ceremony::Authentication => {
            AuthenticationCase::arbitrary_take_rest(Unstructured::new(data)).ok().map(|c| c.evaluate(peer))
        }
    }
}

/// Fuzz target `rs_core_registration`.
pub fn rs_core_registration(data: &[u8]) {
    entry::<RegistrationCase>(Peer::RsCore, data)
}

/// Fuzz target `rs_core_authentication`.
pub fn rs_core_authentication(data: &[u8]) {
    entry::<AuthenticationCase>(Peer::RsCore, data)
}

/// Fuzz target `rp_registration`.
pub fn rp_registration(data: &[u8]) {
    entry::<RegistrationCase>(Peer::Rp, data)
}

/// Fuzz target `rp_authentication`.
pub fn rp_authentication(data: &[u8]) {
    entry::<AuthenticationCase>(Peer::Rp, data)
}

/// A fuzz target: its name, peer and ceremony, and entry point.
pub type Target = (&'static str, Peer, Ceremony, fn(&[u8]));

/// Every target.
pub const TARGETS: &[Target] = &[
    ("rs_core_registration", Peer::RsCore, Ceremony::Registration, rs_core_registration),
    ("rs_core_authentication", Peer::RsCore, Ceremony::Authentication, rs_core_authentication),
    ("rp_registration", Peer::Rp, Ceremony::Registration, rp_registration),
    ("rp_authentication", Peer::Rp, Ceremony::Authentication, rp_authentication),
];
