//! The embedded reference relying party: the reference verifier behind the FIDO2 server conformance API.
//! Sessions correlate options with results; a challenge is single-use (consumed on success and
//! on failure), expires, and belongs to the session it was issued in. Memory is bounded: sessions beyond the
//! cap evict the oldest.
//!
//! This module is the transport-free core: [`ReferenceRp::handle`] takes a session key, an endpoint path and a
//! JSON body and returns an HTTP status and a JSON body; [`ReferenceRp::handle_bytes`] does the same from the
//! body's bytes as received, reading an assertion result with the verifier's fast path
//! (`AuthenticationResponse::from_json_bytes_fast`) before any JSON tree is built. A rejected result carries,
//! besides the conformance API's `status: "failed"` and `errorMessage`, the id of the check that failed in
//! `check`. An accepted result carries, besides `status: "ok"` (the conformance API allows extra members), the
//! credential record as stored after the ceremony in `credential` (the JSON form `verify authentication
//! --credential` reads: `signCount`, `uvInitialized`, `backupEligible`, `backupState`, `transports`,
//! `userHandle`, …) and the authenticator data flags the verifier saw in `flags` (`up`, `uv`, `be`, `bs`).
#![forbid(unsafe_code)]

pub mod server;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::{json, Value as Json};
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, CheckId, CredentialRecord, CredentialStore, Policy,
    RegistrationExpectations, RegistrationResponse, Rejection,
};
use wire::base64url;
use wire::cose::alg;

/// The algorithms the reference RP offers in `pubKeyCredParams`, most preferred first: every algorithm its
/// verifier checks except the fully specified Ed25519 (-19), which §5.4 does NOT RECOMMEND there (EdDSA, -8,
/// stands for it). ES256, ES384, RS256 and EdDSA come first, as the RP has always listed them (they include the
/// three §5.4 says an RP "SHOULD include at least"), then ES512 and the RSA algorithms of RFC 8230 (PS*) and
/// RFC 8812 (RS*), RS1 last. The RP offers them all because it is the harness's model of an RP that passes
/// every case: its self-check runs each algorithm's cases (valid ceremonies, wrong signatures, wrong curves)
/// instead of finding them UNSUPPORTED, and the FIDO conformance tool requires RS1 (Resp-4 P-8). RS1 (SHA-1)
/// is the least preferred: the IANA COSE Algorithms registry marks it deprecated, so an authenticator should
/// pick it only when it can do nothing else.
pub const OFFERED_ALGORITHMS: [i64; 11] = [
    alg::ES256,
    alg::ES384,
    alg::RS256,
    alg::EDDSA,
    alg::ES512,
    alg::PS256,
    alg::PS384,
    alg::PS512,
    alg::RS384,
    alg::RS512,
    alg::RS1,
];

/// How the reference RP is set up.
#[derive(Debug, Clone)]
pub struct Config {
    pub rp_name: String,
    /// The verifier's policy; its `rp_id` and origins are the RP's.
    pub policy: Policy,
    /// Seconds a challenge stays valid.
    pub challenge_ttl: u64,
    /// Most sessions kept; the oldest is evicted beyond this.
    pub max_sessions: usize,
    /// Most users kept; registration options for a new user fail beyond this.
    pub max_users: usize,
    /// Seed for challenges and user handles (`None`: from the operating system, as a real RP must).
    pub seed: Option<u64>,
    /// Consume a challenge when a result uses it (the correct behaviour). `false` exists only to test that
    /// the grader catches an RP that lets challenges be reused.
    pub single_use_challenges: bool,
    /// Check that an assertion's credential is one of the account its options were issued for (§7.2 step 6:
    /// the record is looked up in that account; the correct behaviour). `false` exists only to test that the
    /// grader catches an RP that does not: it looks the credential up among all accounts and signs in its
    /// owner, whose user handle a present userHandle is then compared with. Step 5 (allowCredentials) still
    /// stops another account's credential unless `policy.disabled_checks` switches it off too.
    pub credential_ownership_checked: bool,
    /// Issue assertion options for a username without credentials (one that never registered, or whose
    /// registration never finished) instead of refusing them: an empty allowCredentials, with the user
    /// identified all the same (an unknown username by a user handle no account has), as §14.6.2 suggests
    /// against username enumeration. Correct either way: the assertion that follows finds no credential record
    /// in that account (§7.2 step 6). `false` (refusing) is the default.
    pub options_without_credentials: bool,
    /// Keep each session's state as an RP that stores it in the client does (a signed cookie, a client-side
    /// session) and never records a challenge as used. `true` exists only to test that the grader catches such
    /// an RP (`false`, server-side sessions, is the correct behaviour): every request over HTTP is answered in a new session holding a copy of the state the client's
    /// cookie named, and the new session's key is set as the cookie, while every key handed out keeps naming
    /// the state as it was. A client that kept an earlier cookie finds an earlier challenge still pending. It
    /// needs the server's cookies ([`ReferenceRp::fork_session`]); [`ReferenceRp::handle`] alone is unchanged.
    pub client_side_sessions: bool,
    /// How challenges are made: [`Challenges::Random`] (32 random bytes) is the correct behaviour; the others
    /// exist only to test that the grader's options cases catch an RP that issues weak challenges.
    pub challenges: Challenges,
    /// Make a new account's user handle of its username's bytes. `true` exists only to test that the grader
    /// catches an RP that puts personal data in the user handle (§14.6.1); `false` (16 random bytes) is correct.
    pub user_handle_from_username: bool,
    /// List an account's credentials in `excludeCredentials` (the correct behaviour, §5.4's SHOULD). `false`
    /// exists only to test that the grader notices an RP that leaves the list empty.
    pub exclude_credentials: bool,
    /// Fail every registration that carries client extension outputs and every assertion whose authenticator
    /// data has ED set, asked for or not. `true` exists only to test that the grader catches an RP that rejects
    /// the outputs of extensions it asked for; `false` (outputs processed or ignored, §7.1 step 28, §7.2 step 23)
    /// is correct.
    pub extension_outputs_rejected: bool,
    /// Require attestation where the registration options asked for it (`attestation` "direct" or
    /// "enterprise"): a none or self statement in answer is refused by §7.1 step 24, whose policy then finds
    /// neither acceptable (check `reg.attestation.type-not-acceptable`). Options that ask for "none" or
    /// "indirect" keep `policy.attestation`'s own acceptance. A policy an RP may choose (`grade
    /// --require-attestation` declares it); `false`, the default, leaves it to `policy.attestation` alone.
    pub require_attestation_when_asked: bool,
    /// Checks skipped when an unrelated condition holds ([`BlindSpot`]). Empty (the correct behaviour) by
    /// default; a blind spot exists only to test that `webauthn-harness fuzz` finds a bug no catalogue case
    /// names, since each case changes one thing.
    pub blind_spots: Vec<BlindSpot>,
}

/// A check the reference RP skips, in both ceremonies, when a second condition that has nothing to do with it
/// holds: the shape of bug a library ships when one code path forgets a step. Only for testing the harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlindSpot {
    /// The origin (§7.1 step 9, §7.2 step 12) is not checked when the authenticator data has BE set: a flag
    /// condition.
    OriginWhenBackupEligible,
    /// UP (§7.1 step 15, §7.2 step 16) is not checked when the client data carries a member beyond `type`,
    /// `challenge`, `origin`, `crossOrigin` and `topOrigin`: a member condition.
    UserPresenceWhenUnknownClientDataMember,
    /// rpIdHash (§7.1 step 14, §7.2 step 15) is not checked when signCount is 2^24 or more: a range condition.
    RpIdHashWhenLargeCounter,
    /// The challenge (§7.1 step 8, §7.2 step 11) is not checked when the client data has a challenge string but
    /// is not written in the §5.8.1.1 serialization (another member order, other spacing, members it cannot
    /// hold): an error path (the fast reader of the serialized form fails and hands the client data to a lenient
    /// reader that forgets the challenge).
    ChallengeWhenNotSpecSerialized,
}

impl BlindSpot {
    pub const ALL: [BlindSpot; 4] = [
        BlindSpot::OriginWhenBackupEligible,
        BlindSpot::UserPresenceWhenUnknownClientDataMember,
        BlindSpot::RpIdHashWhenLargeCounter,
        BlindSpot::ChallengeWhenNotSpecSerialized,
    ];

    /// The check skipped in each ceremony (registration, authentication).
    pub fn checks(self) -> [CheckId; 2] {
        match self {
            BlindSpot::OriginWhenBackupEligible => [CheckId::RegOrigin, CheckId::AuthOrigin],
            BlindSpot::UserPresenceWhenUnknownClientDataMember => {
                [CheckId::RegUserPresent, CheckId::AuthUserPresent]
            }
            BlindSpot::RpIdHashWhenLargeCounter => [CheckId::RegRpIdHash, CheckId::AuthRpIdHash],
            BlindSpot::ChallengeWhenNotSpecSerialized => [CheckId::RegChallenge, CheckId::AuthChallenge],
        }
    }

    /// Whether the condition holds for a response with this client data and authenticator data.
    pub fn holds(self, client_data_json: &[u8], auth_data: &[u8]) -> bool {
        const KNOWN: [&str; 5] = ["type", "challenge", "origin", "crossOrigin", "topOrigin"];
        match self {
            BlindSpot::OriginWhenBackupEligible => {
                auth_data.get(32).is_some_and(|f| f & wire::authdata::Flags::BE != 0)
            }
            BlindSpot::UserPresenceWhenUnknownClientDataMember => {
                wire::client_data::CollectedClientData::parse(client_data_json)
                    .is_ok_and(|c| c.members.iter().any(|(k, _)| !KNOWN.contains(&k.as_str())))
            }
            BlindSpot::RpIdHashWhenLargeCounter => {
                auth_data.get(33..37).is_some_and(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) >= 1 << 24)
            }
            BlindSpot::ChallengeWhenNotSpecSerialized => {
                wire::client_data::CollectedClientData::parse(client_data_json).is_ok_and(|c| {
                    c.challenge().is_ok() && c.to_spec_bytes().ok().as_deref() != Some(client_data_json)
                })
            }
        }
    }
}

/// How the reference RP makes challenges (see [`Config::challenges`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Challenges {
    /// 32 random bytes: the correct behaviour.
    #[default]
    Random,
    /// 8 random bytes: shorter than §13.5.3's 16.
    Short,
    /// The same 32 bytes every time.
    Constant,
    /// 32 bytes counting up: 24 zero bytes, then the number of challenges issued so far (big-endian).
    Counter,
}

impl Config {
    pub fn new(rp_id: &str, origin: &str) -> Config {
        Config {
            rp_name: "webauthn-harness reference RP".into(),
            policy: Policy::new(rp_id, origin),
            challenge_ttl: 300,
            max_sessions: 10_000,
            max_users: 100_000,
            seed: None,
            single_use_challenges: true,
            credential_ownership_checked: true,
            options_without_credentials: false,
            client_side_sessions: false,
            challenges: Challenges::Random,
            user_handle_from_username: false,
            exclude_credentials: true,
            extension_outputs_rejected: false,
            require_attestation_when_asked: false,
            blind_spots: Vec::new(),
        }
    }
}

/// A challenge issued for one ceremony.
#[derive(Debug, Clone)]
struct Pending<E> {
    expectations: E,
    username: String,
    expires: u64,
    /// Registration options that asked for attestation ("direct" or "enterprise"); false for an assertion.
    attestation_asked: bool,
}

#[derive(Debug, Default, Clone)]
struct Session {
    registration: Option<Pending<RegistrationExpectations>>,
    authentication: Option<Pending<AuthenticationExpectations>>,
}

#[derive(Debug, Clone)]
struct User {
    handle: Vec<u8>,
    display_name: String,
    credentials: Vec<CredentialRecord>,
}

struct State {
    rng: ChaCha20Rng,
    sessions: HashMap<String, Session>,
    session_order: VecDeque<String>,
    users: HashMap<String, User>,
    /// Credential id → username, for §7.1 step 26.
    credential_owner: HashMap<Vec<u8>, String>,
    /// Challenges issued so far (for [`Challenges::Counter`]).
    challenges_issued: u64,
    /// With a seed: how many random values each username's calls have drawn, so each draw depends on the seed,
    /// the username and its count only, never on other users' calls in between (see [`ReferenceRp::random_for`]).
    draws: HashMap<String, u64>,
}

/// One account's records, copied out of the state so that an assertion can be verified without the lock.
/// (An unknown account has no records: every lookup fails, as over the state.)
struct Snapshot {
    handle: Option<Vec<u8>>,
    records: Vec<CredentialRecord>,
}

impl Snapshot {
    fn of(state: &State, username: &str) -> Snapshot {
        let user = state.users.get(username);
        Snapshot {
            handle: user.map(|u| u.handle.clone()),
            records: user.map(|u| u.credentials.clone()).unwrap_or_default(),
        }
    }
}

impl CredentialStore for Snapshot {
    fn is_registered(&self, credential_id: &[u8]) -> bool {
        self.records.iter().any(|c| c.id == credential_id)
    }
    fn find(&self, user_handle: &[u8], credential_id: &[u8]) -> Option<CredentialRecord> {
        if self.handle.as_deref() != Some(user_handle) {
            return None;
        }
        self.records.iter().find(|c| c.id == credential_id).cloned()
    }
}

/// The credential store as the verifier sees it, over the RP's state.
struct Store<'a>(&'a State);

impl CredentialStore for Store<'_> {
    fn is_registered(&self, credential_id: &[u8]) -> bool {
        self.0.credential_owner.contains_key(credential_id)
    }
    fn find(&self, user_handle: &[u8], credential_id: &[u8]) -> Option<CredentialRecord> {
        let owner = self.0.credential_owner.get(credential_id)?;
        let user = self.0.users.get(owner)?;
        if user.handle != user_handle {
            return None;
        }
        user.credentials.iter().find(|c| c.id == credential_id).cloned()
    }
}

/// The reference RP. Safe to share between threads: all state is behind one lock. Options and registration
/// results hold it for the whole request, so a challenge is consumed exactly once and a credential ID is
/// registered at most once. An assertion result holds it twice, briefly: to take its challenge (consumed
/// exactly once) and copy the account's records, then, after a verification that runs without the lock
/// (the signature check is an assertion's whole cost), to store the updated record. If another assertion of
/// the same credential was accepted in between (its counter moved), the assertion is verified again under the
/// lock against the record as it now is, so concurrent assertions see the counters in order.
pub struct ReferenceRp {
    config: Config,
    state: Mutex<State>,
}

fn ok(mut body: Json) -> (u16, Json) {
    if let Some(obj) = body.as_object_mut() {
        obj.insert("status".into(), json!("ok"));
        obj.insert("errorMessage".into(), json!(""));
    }
    (200, body)
}

fn failed(status: u16, message: impl Into<String>) -> (u16, Json) {
    (status, json!({"status": "failed", "errorMessage": message.into()}))
}

fn rejected(r: &Rejection) -> (u16, Json) {
    (
        400,
        json!({
            "status": "failed",
            "errorMessage": format!("{} ({}): {}", r.check.id(), r.check.spec(), r.detail),
            "check": r.check.id(),
        }),
    )
}

/// The flags byte of authenticator data (§6.1) as `{up, uv, be, bs}`; `null` when there is none.
fn flags_json(auth_data: Option<&[u8]>) -> Json {
    match auth_data.and_then(|d| d.get(32)) {
        Some(&b) => {
            let f = wire::authdata::Flags(b);
            json!({"up": f.up(), "uv": f.uv(), "be": f.be(), "bs": f.bs()})
        }
        None => Json::Null,
    }
}

/// Whether a result carries extension outputs: client ones in a registration, ED set in an assertion's
/// authenticator data (for [`Config::extension_outputs_rejected`]).
fn carries_extension_outputs(path: &str, body: &Json) -> bool {
    match path {
        "/attestation/result" => {
            body.get("clientExtensionResults").and_then(Json::as_object).is_some_and(|o| !o.is_empty())
        }
        "/assertion/result" => body
            .pointer("/response/authenticatorData")
            .and_then(Json::as_str)
            .and_then(|s| base64url::decode(s).ok())
            .and_then(|d| d.get(32).copied())
            .is_some_and(|flags| wire::authdata::Flags(flags).ed()),
        _ => false,
    }
}

fn required_string<'a>(body: &'a Json, member: &str) -> Result<&'a str, (u16, Json)> {
    match body.get(member) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s),
        Some(Json::String(_)) => Err(failed(400, format!("{member} is empty"))),
        Some(_) => Err(failed(400, format!("{member} is not a string"))),
        None => Err(failed(400, format!("Missing {member} field!"))),
    }
}

impl ReferenceRp {
    pub fn new(config: Config) -> ReferenceRp {
        let rng = match config.seed {
            Some(seed) => ChaCha20Rng::seed_from_u64(seed),
            None => ChaCha20Rng::from_entropy(),
        };
        ReferenceRp {
            config,
            state: Mutex::new(State {
                rng,
                sessions: HashMap::new(),
                session_order: VecDeque::new(),
                users: HashMap::new(),
                credential_owner: HashMap::new(),
                challenges_issued: 0,
                draws: HashMap::new(),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Handles one POST to `path` (`/attestation/options`, …) in `session`, at `now` (Unix seconds).
    pub fn handle(&self, session: &str, path: &str, body: &Json, now: u64) -> (u16, Json) {
        if self.config.extension_outputs_rejected && carries_extension_outputs(path, body) {
            return failed(400, "extension outputs are not accepted");
        }
        if path == "/assertion/result" {
            return self
                .assertion_result(session, || AuthenticationResponse::from_json(body), now)
                .unwrap_or_else(|e| e);
        }
        let mut state = self.lock();
        let result = match path {
            "/attestation/options" => self.attestation_options(&mut state, session, body, now),
            "/attestation/result" => self.attestation_result(&mut state, session, body, now),
            "/assertion/options" => self.assertion_options(&mut state, session, body, now),
            other => Err(failed(404, format!("no endpoint {other}"))),
        };
        result.unwrap_or_else(|e| e)
    }

    /// [`ReferenceRp::handle`] on a request body as received; `Err` (and nothing handled, no challenge
    /// consumed) when the body is not JSON. An assertion result that the verifier's fast path reads
    /// (`AuthenticationResponse::from_json_bytes_fast`: a well-formed response, read straight from the bytes) is
    /// verified without building a JSON tree; every other body is parsed and handled by [`ReferenceRp::handle`].
    /// The fast path reads only JSON, and reads it as the general path does, so the answers are the same.
    pub fn handle_bytes(
        &self,
        session: &str,
        path: &str,
        body: &[u8],
        now: u64,
    ) -> Result<(u16, Json), serde_json::Error> {
        if path == "/assertion/result" && !self.config.extension_outputs_rejected {
            if let Some(response) = AuthenticationResponse::from_json_bytes_fast(body) {
                return Ok(self.assertion_result(session, || Ok(response), now).unwrap_or_else(|e| e));
            }
        }
        let json = serde_json::from_slice::<Json>(body)?;
        Ok(self.handle(session, path, &json, now))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock means a panic mid-request; the state is still consistent (every mutation is a
        // single insert or take), so carry on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn session<'s>(&self, state: &'s mut State, key: &str) -> &'s mut Session {
        if !state.sessions.contains_key(key) {
            while state.sessions.len() >= self.config.max_sessions {
                match state.session_order.pop_front() {
                    Some(old) => {
                        state.sessions.remove(&old);
                    }
                    None => break,
                }
            }
            state.session_order.push_back(key.to_owned());
        }
        state.sessions.entry(key.to_owned()).or_default()
    }

    /// The challenge pending in `session` for one ceremony: taken (single use, whatever the outcome) and
    /// checked for expiry. Its absence or expiry is a rejection by the ceremony's challenge check.
    fn pending<E: Clone>(
        &self,
        state: &mut State,
        session: &str,
        now: u64,
        check: CheckId,
        slot: impl FnOnce(&mut Session) -> &mut Option<Pending<E>>,
    ) -> Result<Pending<E>, (u16, Json)> {
        let single_use = self.config.single_use_challenges;
        let pending = state.sessions.get_mut(session).and_then(|s| {
            let slot = slot(s);
            if single_use {
                slot.take()
            } else {
                slot.clone()
            }
        });
        match pending {
            Some(p) if p.expires >= now => Ok(p),
            Some(_) => Err(rejected(&Rejection::new(check, "the challenge expired"))),
            None => Err(rejected(&Rejection::new(
                check,
                "no challenge is pending in this session for this ceremony",
            ))),
        }
    }

    fn random(state: &mut State, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        state.rng.fill_bytes(&mut b);
        b
    }

    /// `n` random bytes for a call about `username`: from the operating system's entropy (through the state's
    /// generator), or, with a seed, from a generator seeded by the seed, the username and how many draws that
    /// username's calls made before. A seeded RP then answers each user the same whatever other users do in
    /// between, so a grade whose cases run concurrently gets the answers a sequential one gets. (The count map is
    /// cleared when it holds `max_sessions` usernames: beyond that a seeded run is no longer reproducible.)
    fn random_for(&self, state: &mut State, username: &str, n: usize) -> Vec<u8> {
        let Some(seed) = self.config.seed else { return Self::random(state, n) };
        if state.draws.len() >= self.config.max_sessions && !state.draws.contains_key(username) {
            state.draws.clear();
        }
        let count = state.draws.entry(username.to_owned()).or_insert(0);
        *count += 1;
        // FNV-1a over the seed, the username and the count: a seed for this one draw.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in username.bytes().chain([0xff]).chain(count.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut b = vec![0u8; n];
        ChaCha20Rng::seed_from_u64(h).fill_bytes(&mut b);
        b
    }

    /// A new challenge for a ceremony of `username`, made as [`Config::challenges`] says.
    fn challenge(&self, state: &mut State, username: &str) -> Vec<u8> {
        state.challenges_issued += 1;
        match self.config.challenges {
            Challenges::Random => self.random_for(state, username, 32),
            Challenges::Short => self.random_for(state, username, 8),
            Challenges::Constant => vec![0x5a; 32],
            Challenges::Counter => {
                let mut c = vec![0u8; 24];
                c.extend(state.challenges_issued.to_be_bytes());
                c
            }
        }
    }

    fn attestation_options(
        &self,
        state: &mut State,
        session: &str,
        body: &Json,
        now: u64,
    ) -> Result<(u16, Json), (u16, Json)> {
        let username = required_string(body, "username")?.to_owned();
        let display_name = required_string(body, "displayName")?.to_owned();
        let selection = body.get("authenticatorSelection").cloned().unwrap_or(json!({}));
        let uv = selection.get("userVerification").and_then(Json::as_str).unwrap_or("preferred");
        let attestation = body.get("attestation").and_then(Json::as_str).unwrap_or("none").to_owned();
        if !state.users.contains_key(&username) && state.users.len() >= self.config.max_users {
            return Err(failed(503, "user limit reached"));
        }
        let handle = if self.config.user_handle_from_username {
            username.as_bytes().to_vec()
        } else {
            self.random_for(state, &username, 16)
        };
        let user = state.users.entry(username.clone()).or_insert_with(|| User {
            handle,
            display_name: display_name.clone(),
            credentials: vec![],
        });
        let user_id = user.handle.clone();
        let exclude: Vec<Json> = user
            .credentials
            .iter()
            .filter(|_| self.config.exclude_credentials)
            .map(|c| json!({"type": "public-key", "id": base64url::encode(&c.id)}))
            .collect();
        let challenge = self.challenge(state, &username);
        let expectations = RegistrationExpectations {
            challenge: challenge.clone(),
            pub_key_cred_params: OFFERED_ALGORITHMS.to_vec(),
            user_verification_required: uv == "required",
            conditional_mediation: false,
        };
        let params: Vec<Json> = expectations
            .pub_key_cred_params
            .iter()
            .map(|a| json!({"type": "public-key", "alg": a}))
            .collect();
        let expires = now + self.config.challenge_ttl;
        let attestation_asked = matches!(attestation.as_str(), "direct" | "enterprise");
        self.session(state, session).registration =
            Some(Pending { expectations, username: username.clone(), expires, attestation_asked });
        let mut response = json!({
            "rp": {"name": self.config.rp_name, "id": self.config.policy.rp_id},
            "user": {"id": base64url::encode(&user_id), "name": username, "displayName": display_name},
            "challenge": base64url::encode(&challenge),
            "pubKeyCredParams": params,
            "timeout": self.config.challenge_ttl * 1000,
            "excludeCredentials": exclude,
            "authenticatorSelection": selection,
            "attestation": attestation,
        });
        if let Some(ext) = body.get("extensions") {
            response["extensions"] = ext.clone();
        }
        Ok(ok(response))
    }

    fn attestation_result(
        &self,
        state: &mut State,
        session: &str,
        body: &Json,
        now: u64,
    ) -> Result<(u16, Json), (u16, Json)> {
        let pending = self.pending(state, session, now, CheckId::RegChallenge, |s| &mut s.registration)?;
        let response = RegistrationResponse::from_json(body).map_err(|r| rejected(&r))?;
        let mut policy = if pending.attestation_asked && self.config.require_attestation_when_asked {
            let mut p = self.config.policy.clone();
            p.attestation.accept_none = false;
            p.attestation.accept_self = false;
            std::borrow::Cow::Owned(p)
        } else {
            std::borrow::Cow::Borrowed(&self.config.policy)
        };
        if !self.config.blind_spots.is_empty() {
            let auth_data = wire::attestation_object::AttestationObject::parse_with_limits(
                &response.attestation_object,
                &self.config.policy.cbor_limits(),
            )
            .map(|o| o.object.auth_data)
            .unwrap_or_default();
            let skipped = self.skipped_checks(&response.client_data_json, &auth_data, 0);
            policy.to_mut().disabled_checks.extend(skipped);
        }
        let outcome =
            verifier::verify_registration(&response, &pending.expectations, &policy, &Store(state), now)
                .map_err(|r| rejected(&r))?;
        let mut record = outcome.record;
        let user = state.users.get_mut(&pending.username).ok_or_else(|| failed(500, "the user vanished"))?;
        record.user_handle = Some(user.handle.clone());
        let stored = record.to_json();
        state.credential_owner.insert(record.id.clone(), pending.username.clone());
        user.credentials.push(record);
        let warnings: Vec<&str> = outcome.warnings.iter().map(|w| w.check.id()).collect();
        let limits = self.config.policy.cbor_limits();
        let object = wire::attestation_object::AttestationObject::parse_with_limits(
            &response.attestation_object,
            &limits,
        )
        .ok();
        let flags = flags_json(object.as_ref().map(|o| o.object.auth_data.as_slice()));
        Ok(ok(json!({"warnings": warnings, "credential": stored, "flags": flags})))
    }

    fn assertion_options(
        &self,
        state: &mut State,
        session: &str,
        body: &Json,
        now: u64,
    ) -> Result<(u16, Json), (u16, Json)> {
        let username = required_string(body, "username")?.to_owned();
        let uv = body.get("userVerification").and_then(Json::as_str).unwrap_or("preferred").to_owned();
        let user = state.users.get(&username).map(|u| {
            let allow: Vec<Vec<u8>> = u.credentials.iter().map(|c| c.id.clone()).collect();
            (allow, u.handle.clone())
        });
        let without_credentials = self.config.options_without_credentials;
        let (allow, handle) = match user {
            Some((allow, handle)) if !allow.is_empty() || without_credentials => (allow, handle),
            Some(_) => return Err(failed(400, "the user has no credentials")),
            // A user handle no account has: the user stays identified, and holds no credential record.
            None if without_credentials => (vec![], self.random_for(state, &username, 16)),
            None => return Err(failed(400, "User does not exists!")),
        };
        let challenge = self.challenge(state, &username);
        let expectations = AuthenticationExpectations {
            challenge: challenge.clone(),
            allow_credentials: allow.clone(),
            user_verification_required: uv == "required",
            identified_user: Some(handle),
        };
        let expires = now + self.config.challenge_ttl;
        self.session(state, session).authentication =
            Some(Pending { expectations, username, expires, attestation_asked: false });
        let mut response = json!({
            "challenge": base64url::encode(&challenge),
            "timeout": self.config.challenge_ttl * 1000,
            "rpId": self.config.policy.rp_id,
            "allowCredentials": allow.iter().map(|id| json!({"type": "public-key", "id": base64url::encode(id)})).collect::<Vec<_>>(),
            "userVerification": uv,
        });
        if let Some(ext) = body.get("extensions") {
            response["extensions"] = ext.clone();
        }
        Ok(ok(response))
    }

    /// Takes the pending challenge and a copy of the account's records under the lock, reads the response
    /// (`read`) and verifies it without the lock, then stores the updated record under the lock again. If
    /// another assertion of the same credential was accepted meanwhile (its counter moved), the verification is
    /// run again under the lock against the record as it now is, so concurrent assertions see the counters in
    /// order.
    fn assertion_result(
        &self,
        session: &str,
        read: impl FnOnce() -> Result<AuthenticationResponse, Rejection>,
        now: u64,
    ) -> Result<(u16, Json), (u16, Json)> {
        let (pending, snapshot) = {
            let mut state = self.lock();
            let pending =
                self.pending(&mut state, session, now, CheckId::AuthChallenge, |s| &mut s.authentication)?;
            let snapshot = Snapshot::of(&state, &pending.username);
            (pending, snapshot)
        };
        let response = read().map_err(|r| rejected(&r))?;
        let (pending, snapshot) = if self.config.credential_ownership_checked {
            (pending, snapshot)
        } else {
            self.credential_owners_account(pending, snapshot, &response.raw_id)
        };
        let mut policy = std::borrow::Cow::Borrowed(&self.config.policy);
        if !self.config.blind_spots.is_empty() {
            let skipped = self.skipped_checks(&response.client_data_json, &response.authenticator_data, 1);
            policy.to_mut().disabled_checks.extend(skipped);
        }
        let verify = |store: &dyn CredentialStore| {
            verifier::verify_authentication(&response, &pending.expectations, &policy, store)
                .map_err(|r| rejected(&r))
        };
        let mut outcome = verify(&snapshot)?;
        let mut state = self.lock();
        let current = state
            .users
            .get(&pending.username)
            .and_then(|u| u.credentials.iter().find(|c| c.id == outcome.record.id))
            .map(|c| c.sign_count);
        let seen = snapshot.records.iter().find(|c| c.id == outcome.record.id).map(|c| c.sign_count);
        if current != seen {
            outcome = verify(&Store(&state))?;
        }
        let user = state.users.get_mut(&pending.username).ok_or_else(|| failed(500, "the user vanished"))?;
        let record = outcome.record.to_json();
        if let Some(stored) = user.credentials.iter_mut().find(|c| c.id == outcome.record.id) {
            *stored = outcome.record;
        }
        let warnings: Vec<&str> = outcome.warnings.iter().map(|w| w.check.id()).collect();
        Ok(ok(json!({
            "warnings": warnings,
            "cloneWarning": outcome.clone_warning,
            "credential": record,
            "flags": flags_json(Some(&response.authenticator_data)),
        })))
    }

    /// The checks [`Config::blind_spots`] skip for this response (`ceremony`: 0 registration, 1 authentication).
    fn skipped_checks(&self, client_data_json: &[u8], auth_data: &[u8], ceremony: usize) -> Vec<CheckId> {
        self.config
            .blind_spots
            .iter()
            .filter(|b| b.holds(client_data_json, auth_data))
            .filter_map(|b| b.checks().get(ceremony).copied())
            .collect()
    }

    /// Only with [`Config::credential_ownership_checked`] off (a deliberately broken RP, for testing the
    /// grader): the pending assertion made over to the account that owns `credential_id`, found among all
    /// accounts, and that account's records; unchanged when no account holds the credential.
    fn credential_owners_account(
        &self,
        mut pending: Pending<AuthenticationExpectations>,
        snapshot: Snapshot,
        credential_id: &[u8],
    ) -> (Pending<AuthenticationExpectations>, Snapshot) {
        let state = self.lock();
        let Some(owner) = state.credential_owner.get(credential_id) else {
            return (pending, snapshot);
        };
        let snapshot = Snapshot::of(&state, owner);
        pending.expectations.identified_user = snapshot.handle.clone();
        pending.username = owner.clone();
        (pending, snapshot)
    }

    /// Only with [`Config::client_side_sessions`] (a deliberately broken RP, for testing the grader): a new
    /// session whose state is a copy of `session`'s (empty when there is none), and its key, for the server to
    /// answer the request in and to set as the client's cookie. `session` keeps its state.
    pub fn fork_session(&self, session: &str) -> String {
        let mut state = self.lock();
        let copy = state.sessions.get(session).cloned().unwrap_or_default();
        let key = base64url::encode(&Self::random(&mut state, 16));
        *self.session(&mut state, &key) = copy;
        key
    }

    /// How many sessions are held (for tests of the memory bound).
    pub fn session_count(&self) -> usize {
        self.state.lock().map(|s| s.sessions.len()).unwrap_or(0)
    }

    /// The display name a user registered with (for tests).
    pub fn user_display_name(&self, username: &str) -> Option<String> {
        self.state.lock().ok()?.users.get(username).map(|u| u.display_name.clone())
    }
}
