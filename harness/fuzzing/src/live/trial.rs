//! One described ceremony against a live RP: ask for options as a virtual user, build the ceremony the
//! description says for them, apply its mutations, judge what is sent with the reference verifier, post it,
//! and record what the RP answered. Also the controls: before a description is fuzzed, a valid ceremony of the
//! same kind (algorithm, attestation format, backup flags) must be accepted, so a refusal says something about
//! the mutation and not about a ceremony the RP does not offer.

use std::collections::HashMap;

use generator::ceremony::{AssertionDraft, Credential, Generator, RegistrationDraft};
use generator::client::{ClientConfig, CreationOptions, RequestOptions};
use generator::target::{Endpoint, Need, Reply, SessionId, Target};
use serde_json::{json, Value as Json};
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, CheckId, CredentialRecord, OneRecordStore, Policy,
    RegistrationExpectations, RegistrationResponse, Rejection,
};
use wire::authdata::{AuthenticatorData, Flags};
use wire::base64url;

use crate::ceremony::{
    mutate, resign_assertion, resign_registration, Alg, Attestation, AuthenticationCase, Authenticator,
    Backup, Context, RegistrationCase,
};

use super::description::Description;

/// The reference verifier's verdict on what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// Accepted; the SHOULD and policy checks that failed (the oracle's policy lets them pass as warnings).
    Accepted {
        warnings: Vec<CheckId>,
    },
    Rejected {
        check: CheckId,
        detail: String,
    },
}

impl Reference {
    fn of<T>(r: &Result<T, Rejection>, warnings: impl FnOnce(&T) -> Vec<CheckId>) -> Reference {
        match r {
            Ok(o) => Reference::Accepted { warnings: warnings(o) },
            Err(e) => Reference::Rejected { check: e.check, detail: e.detail.clone() },
        }
    }
}

/// A ceremony sent and judged.
#[derive(Debug, Clone)]
pub struct Trial {
    pub reference: Reference,
    /// The response as sent (the JSON body of the result call).
    pub sent: Json,
    pub reply: Reply,
    /// The origins the RP is declared to accept (the oracle's), by which the judge tells an origin that is
    /// only not serialized from another origin.
    pub origins: Vec<String>,
}

/// Why a trial did not produce one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoTrial {
    /// The description is of a ceremony this RP does not offer (an algorithm it does not list, a control it
    /// refused), or its mutations left no JSON to send: counted by reason, not a finding.
    Skipped(String),
    /// The RP could not be reached, timed out, or answered a call that has to work (options, a control's setup)
    /// with something unusable.
    Failed(String),
}

/// A registered credential the authentication descriptions of its kind are sent with.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub user_handle: Vec<u8>,
    pub credential: Credential,
    pub record: CredentialRecord,
}

/// What the fuzzer learnt about the RP that every worker shares: which kinds of ceremony it accepts.
#[derive(Debug, Default)]
pub struct Controls {
    /// By (ceremony kind key): `Ok` once a valid ceremony of the kind was accepted, `Err(why)` when refused.
    pub kinds: HashMap<String, Result<(), String>>,
}

/// A live RP and what a worker holds for it: the client, the oracle's policy, the accounts registered so far.
pub struct Client<'t> {
    pub target: &'t mut dyn Target,
    pub cfg: ClientConfig,
    /// The oracle's policy (its RP ID is replaced by the one each options call names).
    pub policy: Policy,
    /// Prefix of the usernames this worker uses (a run tag and the worker's number).
    pub user_prefix: String,
    users: u64,
    accounts: HashMap<(Alg, Backup), Account>,
    /// Calls made so far.
    pub requests: u64,
    gen: Generator,
    /// Credential IDs the RP accepted in registrations (shared by the workers of a run).
    pub registered: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<Vec<u8>>>>,
    /// How many ceremonies share one session (default 1: each its own): registrations, and the assertions of
    /// one account. An RP whose profile sets a session up (a prelude or account steps that sign a user up or in)
    /// pays that per session; sharing it makes those ceremonies cheap.
    pub session_reuse: usize,
    /// The session registrations are sent in while it is shared, how many it has carried, and the username they
    /// all name: an RP whose profile signs the session's user in before registering registers every credential
    /// of the session to that user, so the account the fuzzer records must be it.
    reg_session: Option<(SessionId, usize, String)>,
    /// The sessions each account's assertions are sent in while they are shared (by username).
    auth_sessions: HashMap<String, (SessionId, usize)>,
}

/// The oracle's policy for an RP at `cfg` that also accepts `origins`: every MUST of the procedure is enforced;
/// SHOULD checks, the counter and backup policies warn, so a refusal they explain is a policy of the RP, never a
/// finding; attestation by the harness's own root is trusted (the control shows whether the RP trusts it too).
pub fn oracle_policy(cfg: &ClientConfig, origins: &[String]) -> Policy {
    let mut p = Policy::new(cfg.rp_id.clone(), cfg.origin.clone());
    p.origins.allowed.extend(origins.iter().filter(|o| **o != cfg.origin).cloned());
    p.enforce_should = false;
    p.counter = verifier::policy::CounterPolicy::Warn;
    p.backup.require_stable_backup_eligibility = false;
    p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    p
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The key of a ceremony kind whose control covers a description.
fn kind_key(ceremony: &str, alg: Alg, attestation: Option<Attestation>, backup: Backup) -> String {
    match attestation {
        Some(a) => format!("{ceremony} {alg:?} {a:?} {backup:?}"),
        None => format!("{ceremony} {alg:?} {backup:?}"),
    }
}

impl<'t> Client<'t> {
    pub fn new(
        target: &'t mut dyn Target,
        cfg: ClientConfig,
        policy: Policy,
        user_prefix: String,
        seed: u64,
    ) -> Client<'t> {
        // Credential IDs and near misses from the seed and the username prefix: two clients of one RP (a run and
        // a later replay) never send the same credential ID.
        let gen = Generator::new(seed ^ fnv(user_prefix.as_bytes()));
        Client {
            target,
            cfg,
            policy,
            user_prefix,
            users: 0,
            accounts: HashMap::new(),
            requests: 0,
            gen,
            registered: Default::default(),
            session_reuse: 1,
            reg_session: None,
            auth_sessions: HashMap::new(),
        }
    }

    fn call(&mut self, session: SessionId, endpoint: Endpoint, body: &Json) -> Result<Reply, NoTrial> {
        self.requests += 1;
        self.target
            .call(session, endpoint, body)
            .map_err(|e| NoTrial::Failed(format!("{}: {}", endpoint.path(), e.message)))
    }

    /// A username for a new registration: a pool of 4096 per worker, so a long run does not create an account
    /// per ceremony.
    fn next_username(&mut self) -> String {
        self.users += 1;
        format!("{}-{}", self.user_prefix, self.users % 4096)
    }

    /// Options from `endpoint` that must be usable: a refusal or an unusable answer ends the trial.
    fn options(&mut self, session: SessionId, endpoint: Endpoint, body: &Json) -> Result<Json, NoTrial> {
        let body = match self.target.unsupported(Need::Request(endpoint, body)) {
            // The RP cannot be asked this (an RP profile that fixes user verification): ask it plainly.
            Some(_) => {
                let mut plain = body.clone();
                if let Some(o) = plain.as_object_mut() {
                    o.remove("authenticatorSelection");
                    o.remove("userVerification");
                    o.remove("attestation");
                }
                plain
            }
            None => body.clone(),
        };
        let reply = self.call(session, endpoint, &body)?;
        if reply.unusable() {
            return Err(NoTrial::Failed(format!(
                "{}: HTTP {} with {}",
                endpoint.path(),
                reply.status,
                if reply.body.is_null() { "a body that is not JSON" } else { "a server error" }
            )));
        }
        if !reply.accepted() {
            return Err(NoTrial::Failed(format!(
                "{}: options refused (HTTP {}{})",
                endpoint.path(),
                reply.status,
                reply.error_message().map(|m| format!(": {m}")).unwrap_or_default()
            )));
        }
        Ok(reply.body)
    }

    fn policy_for(&self, rp_id: &str) -> Policy {
        let mut p = self.policy.clone();
        p.rp_id = rp_id.to_owned();
        p
    }

    /// What the mutations read: the RP's values for this ceremony, and a fresh other challenge and other user
    /// handle (near misses of the real ones).
    fn context(
        &mut self,
        challenge: &[u8],
        credential: &Credential,
        baseline_sig: Vec<u8>,
        rp_id: &str,
        user_handle: &[u8],
    ) -> Context {
        Context {
            challenge: challenge.to_vec(),
            other_challenge: self.gen.bytes(32),
            credential_id: credential.id.clone(),
            aaguid: credential.aaguid,
            baseline_sig,
            origin: self.cfg.origin.clone(),
            rp_id: rp_id.to_owned(),
            user_handle: user_handle.to_vec(),
            other_user_handle: self.gen.bytes(16),
        }
    }

    /// Runs a description: its control first (once per kind, shared through `controls`), then the described
    /// ceremony.
    pub fn trial(
        &mut self,
        d: &Description,
        controls: &std::sync::Mutex<Controls>,
    ) -> Result<Trial, NoTrial> {
        match d {
            Description::Registration(c) => {
                let key = kind_key("registration", c.alg(), Some(c.attestation), c.authenticator.backup);
                self.control(&key, controls, |me| me.registration_control(c))?;
                self.registration(c)
            }
            Description::Authentication(c) => {
                let key = kind_key("authentication", c.authenticator.alg, None, c.authenticator.backup);
                self.control(&key, controls, |me| me.authentication_control(c))?;
                self.authentication(c)
            }
        }
    }

    fn control(
        &mut self,
        key: &str,
        controls: &std::sync::Mutex<Controls>,
        run: impl FnOnce(&mut Self) -> Result<(), NoTrial>,
    ) -> Result<(), NoTrial> {
        let known = controls.lock().unwrap_or_else(|e| e.into_inner()).kinds.get(key).cloned();
        let result = match known {
            Some(r) => r,
            None => {
                let r = match run(self) {
                    Ok(()) => Ok(()),
                    Err(NoTrial::Skipped(why)) => Err(why),
                    Err(failed) => return Err(failed),
                };
                controls.lock().unwrap_or_else(|e| e.into_inner()).kinds.insert(key.to_owned(), r.clone());
                r
            }
        };
        result.map_err(|why| NoTrial::Skipped(format!("{key}: {why}")))
    }

    /// A valid registration of the description's kind must be accepted.
    fn registration_control(&mut self, c: &RegistrationCase) -> Result<(), NoTrial> {
        let control = RegistrationCase {
            authenticator: Authenticator { uv: true, credential_id_len: 15, ..c.authenticator.clone() },
            require_uv: false,
            resign: false,
            mutations: vec![],
            ..c.clone()
        };
        let t = self.registration(&control)?;
        self.control_verdict(&t)
    }

    fn control_verdict(&self, t: &Trial) -> Result<(), NoTrial> {
        if !matches!(t.reference, Reference::Accepted { .. }) {
            return Err(NoTrial::Failed(format!("the reference rejects the control: {:?}", t.reference)));
        }
        if t.reply.unusable() {
            return Err(NoTrial::Failed(format!("the control got HTTP {} (unusable)", t.reply.status)));
        }
        if !t.reply.accepted() {
            return Err(NoTrial::Skipped(format!(
                "a valid ceremony of this kind is refused (HTTP {}{})",
                t.reply.status,
                t.reply.error_message().map(|m| format!(": {m}")).unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// A registration as described, for a new session's options (the session is ended after), or, with
    /// [`Client::session_reuse`] above 1, in a session shared with the registrations before it (each asks for
    /// options of its own; a session whose call failed is not used again).
    pub fn registration(&mut self, c: &RegistrationCase) -> Result<Trial, NoTrial> {
        let (session, used, username) = match self.reg_session.take() {
            Some(s) => s,
            None => (self.target.new_session(), 0, self.next_username()),
        };
        let r = self.registration_in(session, &username, c);
        let used = used + 1;
        if used < self.session_reuse && !matches!(r, Err(NoTrial::Failed(_))) {
            self.reg_session = Some((session, used, username));
        } else {
            self.target.end_session(session);
        }
        r
    }

    fn registration_in(
        &mut self,
        session: SessionId,
        username: &str,
        c: &RegistrationCase,
    ) -> Result<Trial, NoTrial> {
        let request = json!({
            "username": username,
            "displayName": username,
            "authenticatorSelection": {
                "userVerification": if c.require_uv { "required" } else { "preferred" },
                "requireResidentKey": false,
            },
            "attestation": if c.attestation == Attestation::None { "none" } else { "direct" },
        });
        let options_json = self.options(session, Endpoint::AttestationOptions, &request)?;
        let options = CreationOptions::from_json(&options_json)
            .map_err(|e| NoTrial::Failed(format!("registration options: {e}")))?;
        let alg = c.alg();
        if !options.algorithms.contains(&alg.algorithm().cose()) {
            return Err(NoTrial::Skipped(format!("{alg:?} is not offered")));
        }
        let (mut credential, _, _) = c.authenticator.credential(alg);
        // A fresh credential ID of the described length: the RP remembers every ID it registered (§7.1 step 26).
        credential.id = self.gen.bytes(c.authenticator.id_len());
        for _ in 0..16 {
            if !self.registered.lock().unwrap_or_else(|e| e.into_inner()).contains(&credential.id) {
                break;
            }
            credential.id = self.gen.bytes(c.authenticator.id_len());
        }
        if self.registered.lock().unwrap_or_else(|e| e.into_inner()).contains(&credential.id) {
            return Err(NoTrial::Skipped("every credential ID of this length was registered already".into()));
        }
        let rp = options.rp(&self.cfg);
        let mut draft = RegistrationDraft::new(&rp, &credential, &options.challenge, c.authenticator.flags());
        if c.attestation == Attestation::FidoU2f {
            // U2F authenticators have no AAGUID: attested credential data carries zeros.
            if let Some(a) = draft.auth_data.attested_credential_data.as_mut() {
                a.aaguid = [0; 16];
            }
        }
        let signed = draft.sign(&credential, c.attestation.kind());
        let baseline = signed.to_json();
        let baseline_sig = signed
            .attestation_object
            .att_stmt
            .get_text("sig")
            .and_then(wire::cbor::Value::as_bytes)
            .unwrap_or_default()
            .to_vec();
        let ctx = self.context(&options.challenge, &credential, baseline_sig, &rp.id, &options.user_id);
        let text = mutate(&baseline, &c.mutations, &ctx, |j| resign_registration(j, &credential), c.resign);
        let sent: Json = serde_json::from_slice(&text)
            .map_err(|_| NoTrial::Skipped("the mutated response is not JSON".into()))?;
        let bytes = serde_json::to_vec(&sent).unwrap_or_default();
        let expectations = RegistrationExpectations {
            challenge: options.challenge.clone(),
            pub_key_cred_params: options.algorithms.clone(),
            user_verification_required: options.user_verification == "required",
            conditional_mediation: false,
        };
        let policy = self.policy_for(&rp.id);
        let result = RegistrationResponse::from_json_bytes(&bytes).and_then(|r| {
            verifier::verify_registration(&r, &expectations, &policy, &verifier::EmptyStore, now())
        });
        let reference = Reference::of(&result, |o| o.warnings.iter().map(|w| w.check).collect());
        let reply = self.call(session, Endpoint::AttestationResult, &sent)?;
        if reply.accepted() {
            if let Some(id) = sent
                .get("rawId")
                .or_else(|| sent.get("id"))
                .and_then(Json::as_str)
                .and_then(|s| base64url::decode(s).ok())
            {
                self.registered.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
            }
            // The RP stores the ID the authenticator data attests, which a mutation may have made differ from
            // rawId: remember it too, or a later fresh ID could collide with it unseen.
            if let Some(id) = sent
                .get("response")
                .and_then(|r| r.get("attestationObject"))
                .and_then(Json::as_str)
                .and_then(|s| base64url::decode(s).ok())
                .and_then(|b| wire::attestation_object::AttestationObject::parse(&b).ok())
                .and_then(|o| AuthenticatorData::parse(&o.object.auth_data).ok())
                .and_then(|a| a.data.attested_credential_data)
            {
                self.registered.lock().unwrap_or_else(|e| e.into_inner()).insert(id.credential_id);
            }
            if let (Ok(outcome), Some(handle)) = (&result, Some(options.user_id.clone())) {
                // Keep the first account of each kind for the authentication descriptions.
                let key = (alg, c.authenticator.backup);
                if c.attestation == Attestation::None
                    && !self.accounts.contains_key(&key)
                    && c.mutations.is_empty()
                {
                    let mut record = outcome.record.clone();
                    record.user_handle = Some(handle.clone());
                    self.accounts.insert(
                        key,
                        Account { username: username.to_owned(), user_handle: handle, credential, record },
                    );
                }
            }
        }
        Ok(Trial { reference, sent, reply, origins: self.policy.origins.allowed.clone() })
    }

    /// The account the description's kind is sent with, registered (as a valid `none` registration) when there is
    /// none yet.
    fn account(&mut self, c: &AuthenticationCase) -> Result<Account, NoTrial> {
        let key = (c.authenticator.alg, c.authenticator.backup);
        if let Some(a) = self.accounts.get(&key) {
            return Ok(a.clone());
        }
        let registration = RegistrationCase {
            authenticator: Authenticator {
                uv: true,
                credential_id_len: c.authenticator.credential_id_len % 1000,
                ..c.authenticator.clone()
            },
            attestation: Attestation::None,
            require_uv: false,
            resign: false,
            mutations: vec![],
        };
        let t = self.registration(&registration)?;
        self.control_verdict(&t)?;
        self.accounts
            .get(&key)
            .cloned()
            .ok_or_else(|| NoTrial::Failed("the registration was accepted but left no account".into()))
    }

    /// Forgets the account of a kind (its state at the RP is no longer known: the RP accepted something the
    /// reference did not).
    pub fn retire(&mut self, d: &Description) {
        if let Description::Authentication(c) = d {
            if let Some(a) = self.accounts.remove(&(c.authenticator.alg, c.authenticator.backup)) {
                if let Some((session, _)) = self.auth_sessions.remove(&a.username) {
                    self.target.end_session(session);
                }
            }
        }
    }

    /// A valid assertion of the description's kind must be accepted.
    fn authentication_control(&mut self, c: &AuthenticationCase) -> Result<(), NoTrial> {
        let control = AuthenticationCase {
            authenticator: Authenticator { uv: true, ..c.authenticator.clone() },
            sign_count: 0,
            user_handle: true,
            require_uv: false,
            resign: false,
            mutations: vec![],
            ..c.clone()
        };
        let t = self.authentication(&control)?;
        self.control_verdict(&t)
    }

    /// An assertion as described, with the kind's account, for a new session's options (the session is ended
    /// after).
    pub fn authentication(&mut self, c: &AuthenticationCase) -> Result<Trial, NoTrial> {
        let account = self.account(c)?;
        let username = account.username.clone();
        let (session, used) = match self.auth_sessions.remove(&username) {
            Some(s) => s,
            None => (self.target.new_session(), 0),
        };
        let r = self.authentication_in(session, c, account);
        let used = used + 1;
        // The account may have been replaced by the trial (its state no longer known): its session goes with it.
        let current = self.accounts.values().any(|a| a.username == username);
        if used < self.session_reuse && current && !matches!(r, Err(NoTrial::Failed(_))) {
            self.auth_sessions.insert(username, (session, used));
        } else {
            self.target.end_session(session);
        }
        r
    }

    fn authentication_in(
        &mut self,
        session: SessionId,
        c: &AuthenticationCase,
        account: Account,
    ) -> Result<Trial, NoTrial> {
        let request = json!({
            "username": account.username,
            "userVerification": if c.require_uv { "required" } else { "preferred" },
        });
        let options_json = self.options(session, Endpoint::AssertionOptions, &request)?;
        let options = RequestOptions::from_json(&options_json)
            .map_err(|e| NoTrial::Failed(format!("authentication options: {e}")))?;
        let rp = options.rp(&self.cfg);
        let credential = &account.credential;
        let mut flags = c.authenticator.flags();
        if !account.record.backup_eligible {
            flags &= !(Flags::BE | Flags::BS);
        }
        // The counter is the description's, whatever the account's history, so a replay against a new account
        // sends what the finding sent; accounts whose counter grew high are replaced (below), so most described
        // counters stay above the stored one.
        let sign_count = c.sign_count;
        let handle = c.user_handle.then(|| account.user_handle.clone());
        let signed = AssertionDraft::new(&rp, credential, &options.challenge, flags, sign_count, handle)
            .sign(credential);
        let baseline = signed.to_json();
        let ctx = self.context(
            &options.challenge,
            credential,
            signed.signature.clone(),
            &rp.id,
            &account.user_handle,
        );
        let text = mutate(&baseline, &c.mutations, &ctx, |j| resign_assertion(j, credential), c.resign);
        let sent: Json = serde_json::from_slice(&text)
            .map_err(|_| NoTrial::Skipped("the mutated response is not JSON".into()))?;
        let bytes = serde_json::to_vec(&sent).unwrap_or_default();
        let expectations = AuthenticationExpectations {
            challenge: options.challenge.clone(),
            allow_credentials: options.allow_credentials.clone(),
            user_verification_required: options.user_verification == "required",
            identified_user: Some(account.user_handle.clone()),
        };
        let policy = self.policy_for(&rp.id);
        let store = OneRecordStore::new(&account.user_handle, account.record.clone());
        let result = AuthenticationResponse::from_json_bytes(&bytes)
            .and_then(|r| verifier::verify_authentication(&r, &expectations, &policy, &store));
        let reference = Reference::of(&result, |o| o.warnings.iter().map(|w| w.check).collect());
        let reply = self.call(session, Endpoint::AssertionResult, &sent)?;
        if reply.accepted() {
            // The RP keeps the counter it accepted: so does the oracle's record.
            let sent_count = sent
                .get("response")
                .and_then(|r| r.get("authenticatorData"))
                .and_then(Json::as_str)
                .and_then(|s| base64url::decode(s).ok())
                .and_then(|b| AuthenticatorData::parse(&b).ok())
                .map(|p| p.data.sign_count);
            let key = (c.authenticator.alg, c.authenticator.backup);
            match (sent_count, self.accounts.get_mut(&key)) {
                (Some(n), Some(a)) if matches!(&reference, Reference::Accepted { warnings } if warnings.is_empty()) =>
                {
                    a.record.sign_count = a.record.sign_count.max(n);
                    if a.record.sign_count > 1 << 16 {
                        // A new account once the counter is high: most described counters would be below it.
                        self.accounts.remove(&key);
                    }
                }
                // Accepted where the reference rejects or warns (a backup flag that changed, say: an RP may store
                // the new state), or with authenticator data it cannot read: what the RP stored is not known, so
                // the account is not used again.
                _ => {
                    self.accounts.remove(&key);
                }
            }
        }
        Ok(Trial { reference, sent, reply, origins: self.policy.origins.allowed.clone() })
    }
}
