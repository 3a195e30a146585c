//! Executes a case against a [`Target`]: fetch options as a virtual user, build the (mutated) response, post
//! it, record what came back. Before every negative case the unmutated ceremony runs in the same state as a
//! control (a valid registration, or a valid assertion of the same account), so an RP that rejects everything
//! cannot look correct: a case whose control is refused says nothing about the RP
//! ([`Observation::ControlRejected`]).
//!
//! The runner observes; it does not grade. Verdicts are the grader's.

use serde_json::{json, Value as Json};
use wire::base64url;

use crate::catalog::{
    std_alphabet, AuthHooks, AuthPost, AuthPre, Case, Ceremony, Common, Counter, Expect, Expected, Plan,
    Probe, RegHooks, RegPost, RegPre, Setup, Stateful,
};
use crate::ceremony::{AssertionDraft, Credential, Generator, RegistrationDraft, SignedRegistration};
use crate::client::{ClientConfig, CreationOptions, RequestOptions};
use crate::inspect::{self, Finding};
use crate::target::{Endpoint, Need, Reply, SessionId, Target, TransportError};

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub session: SessionId,
    pub endpoint: Endpoint,
    pub request: Json,
    pub reply: Result<Reply, TransportError>,
}

/// What running a case observed.
#[derive(Debug, Clone)]
pub enum Observation {
    /// The subject ceremony got a reply (`control` is the control's reply, for negative cases).
    Completed { control: Option<Reply>, subject: Reply },
    /// The control (or a setup step such as the baseline registration) was not accepted: the case says
    /// nothing about the RP.
    ControlRejected { step: &'static str, reply: Reply },
    /// The RP refused to start the subject ceremony (it answered its options call with a well-formed refusal)
    /// where that refusal is itself a defence against what the case sends: assertion options for an account
    /// without credentials, which the case would answer with another account's credential. `step` names the
    /// refused call; the control was accepted.
    OptionsRefused { step: &'static str, reply: Reply },
    /// An options case inspected the options the RP issued: whether they meet the case's requirement, and
    /// what was found (sizes, counts, members; never the RP's random values).
    Inspected { met: bool, finding: String },
    /// The RP does not offer what the case needs (e.g. the algorithm).
    Unsupported { why: String },
    /// A call failed at the transport level, or the RP's options were unusable.
    Error { why: String },
}

/// A case's observation with the exchanges that led to it.
#[derive(Debug, Clone)]
pub struct CaseRun {
    pub id: &'static str,
    pub observation: Observation,
    pub exchanges: Vec<Exchange>,
}

/// A reply to a step that had to be accepted and was not: an unusable reply (not JSON, a server error) is an
/// error; a well-formed refusal means the control failed.
fn refused(step: &'static str, reply: Reply) -> Abort {
    if reply.unusable() {
        Abort::Error(format!(
            "{step}: HTTP {} with {}",
            reply.status,
            if reply.body.is_null() { "a body that is not JSON" } else { "a server error" }
        ))
    } else {
        Abort::Control(step, reply)
    }
}

/// Why a run stopped before its subject.
enum Abort {
    Control(&'static str, Reply),
    Unsupported(String),
    Error(String),
}

/// A stable 64-bit hash of a case id (FNV-1a), so each case's randomness depends only on the seed and its id.
pub fn case_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

struct Run<'t> {
    target: &'t mut dyn Target,
    cfg: ClientConfig,
    /// The client of the ceremony the case judges: `cfg`, or `cfg` at its subdomain origin for a case that
    /// reports one ([`Setup::subdomain_origin`]).
    subject_cfg: ClientConfig,
    gen: Generator,
    case: Case,
    users: u32,
    exchanges: Vec<Exchange>,
}

/// The userHandle an assertion made with another account's credential carries.
#[derive(Clone, Copy)]
enum SentUserHandle {
    /// The signing-in account's: what no authenticator of that credential sends.
    SigningIn,
    /// None, as for a credential that is not discoverable.
    None,
    /// The owner's, as for a discoverable credential.
    Owners,
}

/// A registered credential and the account it belongs to.
struct Account {
    session: SessionId,
    username: String,
    user_handle: Vec<u8>,
    credential: Credential,
    sign_count: u32,
}

impl Run<'_> {
    fn call(&mut self, session: SessionId, endpoint: Endpoint, body: Json) -> Result<Reply, Abort> {
        if let Some(why) = self.target.unsupported(Need::Request(endpoint, &body)) {
            return Err(Abort::Unsupported(why));
        }
        if endpoint == Endpoint::AttestationResult && self.setup().attestation.chains_to_harness_root() {
            if let Some(why) = self.target.unsupported(Need::HarnessPki) {
                return Err(Abort::Unsupported(why));
            }
        }
        if endpoint == Endpoint::AttestationResult && self.setup().needs_metadata {
            if let Some(why) = self.target.unsupported(Need::HarnessMetadata) {
                return Err(Abort::Unsupported(why));
            }
        }
        let reply = self.target.call(session, endpoint, &body);
        self.exchanges.push(Exchange { session, endpoint, request: body, reply: reply.clone() });
        reply.map_err(|e| Abort::Error(e.to_string()))
    }

    /// A plan that needs two distinct accounts is UNSUPPORTED by a target whose RP has one.
    fn several_accounts(&self) -> Result<(), Abort> {
        self.target.unsupported(Need::SeveralAccounts).map_or(Ok(()), |why| Err(Abort::Unsupported(why)))
    }

    fn username(&mut self) -> String {
        self.users += 1;
        format!("{}.{:08x}.{}", self.case.id, case_seed(0, self.case.id) as u32, self.users)
    }

    fn setup(&self) -> Setup {
        self.case.setup
    }

    /// Whether the case judges `ceremony`: what the case's setup asks of a ceremony's options (a challenge
    /// spelling '+' or '/', user verification not required) applies to that ceremony only.
    fn judges(&self, ceremony: Ceremony) -> bool {
        self.case.ceremony() == ceremony
    }

    fn creation_options(&mut self, session: SessionId, username: &str) -> Result<CreationOptions, Abort> {
        let s = self.setup();
        let wanted = s.std_alphabet_challenge && self.judges(Ceremony::Registration);
        for _ in 0..CHALLENGE_TRIES {
            let options = self.creation_options_once(session, username)?;
            if !wanted || std_alphabet(&options.challenge) {
                return Ok(options);
            }
        }
        Err(no_std_alphabet_challenge())
    }

    fn creation_options_once(
        &mut self,
        session: SessionId,
        username: &str,
    ) -> Result<CreationOptions, Abort> {
        let s = self.setup();
        let mut body = self.creation_request(username);
        let asked = self.extensions_asked(Ceremony::Registration)?;
        if let Some(asked) = &asked {
            body["extensions"] = asked.clone();
        }
        let reply = self.call(session, Endpoint::AttestationOptions, body)?;
        if !reply.accepted() {
            return Err(refused("attestation/options", reply));
        }
        let options = CreationOptions::from_json(&reply.body).map_err(|e| Abort::Error(e.to_string()))?;
        if self.judges(Ceremony::Registration) {
            uv_offered(&s, s.reg_uv, &options.user_verification)?;
        }
        if let Some(asked) = &asked {
            extensions_solicited(&reply.body, asked)?;
        }
        if !options.algorithms.contains(&s.alg.cose()) {
            return Err(Abort::Unsupported(format!(
                "the RP does not offer {:?} (alg {}) in pubKeyCredParams {:?}",
                s.alg,
                s.alg.cose(),
                options.algorithms
            )));
        }
        Ok(options)
    }

    /// The conformance API's registration options request for the case's setup.
    fn creation_request(&self, username: &str) -> Json {
        let s = self.setup();
        let attestation =
            if s.attestation == crate::ceremony::AttestationKind::None { "none" } else { "direct" };
        json!({
            "username": username,
            "displayName": username,
            "authenticatorSelection": { "userVerification": s.reg_uv, "requireResidentKey": false },
            "attestation": attestation,
        })
    }

    /// The extension inputs the case asks for in `ceremony`'s options ([`Setup::request_extensions`]).
    fn extensions_asked(&self, ceremony: Ceremony) -> Result<Option<Json>, Abort> {
        match self.setup().request_extensions {
            Some(text) if self.judges(ceremony) => serde_json::from_str(text)
                .map(Some)
                .map_err(|e| Abort::Error(format!("the case's extension inputs are not JSON: {e}"))),
            _ => Ok(None),
        }
    }

    fn registration_response(
        &mut self,
        options: &CreationOptions,
        credential: Credential,
        hooks: RegHooks,
    ) -> (Json, SignedRegistration) {
        build_registration(self.client(Ceremony::Registration), &self.case.setup, options, credential, hooks)
    }

    /// The client a ceremony runs as: the subject's for the ceremony the case judges.
    fn client(&self, ceremony: Ceremony) -> &ClientConfig {
        if self.judges(ceremony) {
            &self.subject_cfg
        } else {
            &self.cfg
        }
    }

    /// A new account: options in a new session, then the registration with `hooks`. Returns the reply and the
    /// account (whose credential is the one sent).
    fn register(&mut self, hooks: RegHooks) -> Result<(Reply, Account, Json), Abort> {
        let session = self.target.new_session();
        let username = self.username();
        let options = self.creation_options(session, &username)?;
        let credential = self.credential();
        let (body, _) = self.registration_response(&options, credential.clone(), hooks);
        let reply = self.call(session, Endpoint::AttestationResult, body.clone())?;
        let account =
            Account { session, username, user_handle: options.user_id.clone(), credential, sign_count: 0 };
        Ok((reply, account, body))
    }

    /// A new credential of the case's algorithm and credential ID length. It carries the software
    /// authenticator's model AAGUID ([`crate::metadata::HARNESS_AAGUID`]), which the harness's test metadata
    /// lists (`pki export`), so an RP that finds its attestation roots by AAGUID can be graded.
    fn credential(&mut self) -> Credential {
        let s = self.setup();
        let mut credential = self.gen.credential(s.alg, s.credential_id_len);
        credential.aaguid = crate::metadata::HARNESS_AAGUID;
        credential
    }

    /// A registration that must be accepted (setup or control).
    fn register_ok(&mut self, step: &'static str) -> Result<Account, Abort> {
        let (reply, account, _) = self.register(RegHooks::default())?;
        if !reply.accepted() {
            return Err(refused(step, reply));
        }
        Ok(account)
    }

    fn request_options(&mut self, session: SessionId, username: &str) -> Result<RequestOptions, Abort> {
        let wanted = self.setup().std_alphabet_challenge && self.judges(Ceremony::Authentication);
        for _ in 0..CHALLENGE_TRIES {
            let options = self.request_options_once(session, username)?;
            if !wanted || std_alphabet(&options.challenge) {
                return Ok(options);
            }
        }
        Err(no_std_alphabet_challenge())
    }

    fn request_options_once(&mut self, session: SessionId, username: &str) -> Result<RequestOptions, Abort> {
        let uv = self.setup().auth_uv;
        let mut body = json!({ "username": username, "userVerification": uv });
        let asked = self.extensions_asked(Ceremony::Authentication)?;
        if let Some(asked) = &asked {
            body["extensions"] = asked.clone();
        }
        let reply = self.call(session, Endpoint::AssertionOptions, body)?;
        if !reply.accepted() {
            return Err(refused("assertion/options", reply));
        }
        let options = RequestOptions::from_json(&reply.body).map_err(|e| Abort::Error(e.to_string()))?;
        if self.judges(Ceremony::Authentication) {
            uv_offered(&self.setup(), uv, &options.user_verification)?;
        }
        if let Some(asked) = &asked {
            extensions_solicited(&reply.body, asked)?;
        }
        Ok(options)
    }

    /// Builds an assertion for `options` with `hooks` applied.
    fn assertion_response(
        &self,
        options: &RequestOptions,
        account: &Account,
        hooks: AuthHooks,
    ) -> (Json, u32) {
        build_assertion(
            self.client(Ceremony::Authentication),
            &self.case.setup,
            options,
            &account.credential,
            &account.user_handle,
            account.sign_count,
            hooks,
        )
    }

    /// Options in the account's session, then the assertion with `hooks`.
    fn authenticate(&mut self, account: &mut Account, hooks: AuthHooks) -> Result<(Reply, Json), Abort> {
        let options = self.request_options(account.session, &account.username.clone())?;
        let (body, count) = self.assertion_response(&options, account, hooks);
        let reply = self.call(account.session, Endpoint::AssertionResult, body.clone())?;
        if reply.accepted() {
            account.sign_count = count;
        }
        Ok((reply, body))
    }

    fn authenticate_ok(&mut self, account: &mut Account, step: &'static str) -> Result<Json, Abort> {
        let (reply, body) = self.authenticate(account, AuthHooks::default())?;
        if !reply.accepted() {
            return Err(refused(step, reply));
        }
        Ok(body)
    }

    fn negative(&self) -> bool {
        self.case.expect != Expect::Accept
    }

    fn run(&mut self) -> Result<Observation, Abort> {
        match self.case.plan {
            Plan::Register(hooks) => {
                let control = if self.negative() {
                    let (reply, _, _) = self.register(RegHooks::default())?;
                    if !reply.accepted() {
                        return Err(refused("control registration", reply));
                    }
                    Some(reply)
                } else {
                    None
                };
                let (subject, _, _) = self.register(hooks)?;
                Ok(Observation::Completed { control, subject })
            }
            Plan::Authenticate(hooks) => {
                let mut account = self.register_ok("baseline registration")?;
                let control = if self.negative() {
                    let (reply, _) = self.authenticate(&mut account, AuthHooks::default())?;
                    if !reply.accepted() {
                        return Err(refused("control assertion", reply));
                    }
                    Some(reply)
                } else {
                    None
                };
                let (subject, _) = self.authenticate(&mut account, hooks)?;
                Ok(Observation::Completed { control, subject })
            }
            Plan::Stateful(s) => self.stateful(s),
            Plan::Options(p) => {
                let f = self.probe(p)?;
                Ok(Observation::Inspected { met: f.met, finding: f.text })
            }
        }
    }

    fn stateful(&mut self, scenario: Stateful) -> Result<Observation, Abort> {
        let completed =
            |control: Reply, subject: Reply| Observation::Completed { control: Some(control), subject };
        match scenario {
            Stateful::RegistrationReplay => {
                let (control, account, body) = self.register(RegHooks::default())?;
                if !control.accepted() {
                    return Err(refused("control registration", control));
                }
                let subject = self.call(account.session, Endpoint::AttestationResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::AssertionReplay => {
                let mut account = self.register_ok("baseline registration")?;
                let (control, body) = self.authenticate(&mut account, AuthHooks::default())?;
                if !control.accepted() {
                    return Err(refused("control assertion", control));
                }
                let subject = self.call(account.session, Endpoint::AssertionResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::RegistrationChallengeOtherSession => {
                let (control, _, _) = self.register(RegHooks::default())?;
                if !control.accepted() {
                    return Err(refused("control registration", control));
                }
                // Options in session A; session B fetches its own options, then posts A's response.
                let a = self.target.new_session();
                let username = self.username();
                let options = self.creation_options(a, &username)?;
                let b = self.target.new_session();
                let other = self.username();
                self.creation_options(b, &other)?;
                let credential = self.credential();
                let (body, _) = self.registration_response(&options, credential, RegHooks::default());
                let subject = self.call(b, Endpoint::AttestationResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::AssertionChallengeOtherSession => {
                let mut account = self.register_ok("baseline registration")?;
                let control_body = self.authenticate_ok(&mut account, "control assertion")?;
                let _ = control_body;
                let control = self.exchanges.last().and_then(|e| e.reply.clone().ok());
                // Options in the account's session; a second session for the same user fetches its own
                // options and receives the assertion made for the first session's challenge.
                let options = self.request_options(account.session, &account.username.clone())?;
                let other = self.target.new_session();
                self.request_options(other, &account.username.clone())?;
                let (body, _) = self.assertion_response(&options, &account, AuthHooks::default());
                let subject = self.call(other, Endpoint::AssertionResult, body)?;
                Ok(Observation::Completed { control, subject })
            }
            Stateful::CredentialRegisteredTwice => {
                let (control, first, _) = self.register(RegHooks::default())?;
                if !control.accepted() {
                    return Err(refused("control registration", control));
                }
                let session = self.target.new_session();
                let username = self.username();
                let options = self.creation_options(session, &username)?;
                let (body, _) =
                    self.registration_response(&options, first.credential.clone(), RegHooks::default());
                let subject = self.call(session, Endpoint::AttestationResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::CredentialOfAnotherUser => self.credential_of_another_user(SentUserHandle::SigningIn),
            Stateful::CredentialOfAnotherUserWithoutUserHandle => {
                self.credential_of_another_user(SentUserHandle::None)
            }
            Stateful::CredentialOfAnotherUserWithOwnersUserHandle => {
                self.credential_of_another_user(SentUserHandle::Owners)
            }
            Stateful::AssertionForAccountWithUnfinishedRegistration => self.account_without_credential(true),
            Stateful::AssertionForUnregisteredAccount => self.account_without_credential(false),
            Stateful::RegistrationReplayWithSavedSession => {
                // The victim's options; their session's cookies as they are now are what the attacker keeps.
                let session = self.target.new_session();
                let username = self.username();
                let options = self.creation_options(session, &username)?;
                let saved = self.target.save_session(session);
                let credential = self.credential();
                let (body, _) = self.registration_response(&options, credential, RegHooks::default());
                let control = self.call(session, Endpoint::AttestationResult, body.clone())?;
                if !control.accepted() {
                    return Err(refused("control registration", control));
                }
                let attacker = self.target.new_session();
                self.target.restore_session(attacker, &saved);
                let subject = self.call(attacker, Endpoint::AttestationResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::AssertionReplayWithSavedSession => {
                let mut account = self.register_ok("baseline registration")?;
                let options = self.request_options(account.session, &account.username.clone())?;
                let saved = self.target.save_session(account.session);
                let (body, count) = self.assertion_response(&options, &account, AuthHooks::default());
                let control = self.call(account.session, Endpoint::AssertionResult, body.clone())?;
                if !control.accepted() {
                    return Err(refused("control assertion", control));
                }
                account.sign_count = count;
                let attacker = self.target.new_session();
                self.target.restore_session(attacker, &saved);
                let subject = self.call(attacker, Endpoint::AssertionResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::AssertionReplayAfterNewOptions => {
                let mut account = self.register_ok("baseline registration")?;
                let (control, body) = self.authenticate(&mut account, AuthHooks::default())?;
                if !control.accepted() {
                    return Err(refused("control assertion", control));
                }
                // New options in the same session: a new challenge is pending; the spent one must not be.
                self.request_options(account.session, &account.username.clone())?;
                let subject = self.call(account.session, Endpoint::AssertionResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::RegistrationAnsweringSupersededOptions => {
                let (control, _, _) = self.register(RegHooks::default())?;
                if !control.accepted() {
                    return Err(refused("control registration", control));
                }
                let session = self.target.new_session();
                let username = self.username();
                let first = self.creation_options(session, &username)?;
                self.creation_options(session, &username)?;
                let credential = self.credential();
                let (body, _) = self.registration_response(&first, credential, RegHooks::default());
                let subject = self.call(session, Endpoint::AttestationResult, body)?;
                Ok(completed(control, subject))
            }
            Stateful::AssertionAnsweringSupersededOptions => {
                let mut account = self.register_ok("baseline registration")?;
                self.authenticate_ok(&mut account, "control assertion")?;
                let control = self.exchanges.last().and_then(|e| e.reply.clone().ok());
                let first = self.request_options(account.session, &account.username.clone())?;
                self.request_options(account.session, &account.username.clone())?;
                let (body, _) = self.assertion_response(&first, &account, AuthHooks::default());
                let subject = self.call(account.session, Endpoint::AssertionResult, body)?;
                Ok(Observation::Completed { control, subject })
            }
            Stateful::UserHandleOfAnotherAccount => {
                self.several_accounts()?;
                let other = self.register_ok("first account's registration")?;
                let mut account = self.register_ok("second account's registration")?;
                self.authenticate_ok(&mut account, "control assertion")?;
                let control = self.exchanges.last().and_then(|e| e.reply.clone().ok());
                let options = self.request_options(account.session, &account.username.clone())?;
                let mut body = self.assertion_response(&options, &account, AuthHooks::default()).0;
                body["response"]["userHandle"] = Json::String(base64url::encode(&other.user_handle));
                let subject = self.call(account.session, Endpoint::AssertionResult, body)?;
                Ok(Observation::Completed { control, subject })
            }
        }
    }

    /// POSTs an options request that must be answered with options, and returns them as sent.
    fn options_json(&mut self, session: SessionId, endpoint: Endpoint, body: Json) -> Result<Json, Abort> {
        let reply = self.call(session, endpoint, body)?;
        if !reply.accepted() {
            return Err(refused(endpoint.path().trim_start_matches('/'), reply));
        }
        Ok(reply.body)
    }

    /// Registration options for `username` in `session` from `body` (the case's default request when `None`),
    /// as sent and as a client reads them.
    fn creation_json(
        &mut self,
        session: SessionId,
        username: &str,
        body: Option<Json>,
    ) -> Result<(Json, CreationOptions), Abort> {
        let body = body.unwrap_or_else(|| self.creation_request(username));
        let json = self.options_json(session, Endpoint::AttestationOptions, body)?;
        let options = CreationOptions::from_json(&json).map_err(|e| Abort::Error(e.to_string()))?;
        Ok((json, options))
    }

    /// Assertion options for `username` in `session` from `body` (`{username, userVerification}` when `None`).
    fn request_json(
        &mut self,
        session: SessionId,
        username: &str,
        body: Option<Json>,
    ) -> Result<(Json, RequestOptions), Abort> {
        let uv = self.setup().auth_uv;
        let body = body.unwrap_or_else(|| json!({ "username": username, "userVerification": uv }));
        let json = self.options_json(session, Endpoint::AssertionOptions, body)?;
        let options = RequestOptions::from_json(&json).map_err(|e| Abort::Error(e.to_string()))?;
        Ok((json, options))
    }

    /// Registration options for a new user in a new session.
    fn fresh_creation(&mut self, body: Option<Json>) -> Result<(Json, CreationOptions, String), Abort> {
        let session = self.target.new_session();
        let username = self.username();
        let body = body.map(|mut b| {
            b["username"] = json!(username);
            b
        });
        let (json, options) = self.creation_json(session, &username, body)?;
        Ok((json, options, username))
    }

    /// Runs an options case's probe: fetches options as it says, and inspects them.
    fn probe(&mut self, probe: Probe) -> Result<Finding, Abort> {
        // The request the FIDO tool's options tests send.
        let fido_creation = |username: &str| {
            json!({
                "username": username,
                "displayName": username,
                "authenticatorSelection": { "requireResidentKey": false, "userVerification": "preferred" },
                "attestation": "direct",
                "extensions": { "example.extension": true },
            })
        };
        let fido_request = |username: &str| {
            json!({
                "username": username,
                "userVerification": "required",
                "extensions": { "example.extension": true },
            })
        };
        let origin = self.cfg.origin.clone();
        let echo = match probe {
            Probe::AttestationEchoed
            | Probe::AuthenticatorSelectionEchoed
            | Probe::CreationExtensionsEchoed
            | Probe::UserEchoed => Some(Endpoint::AttestationOptions),
            Probe::UserVerificationEchoed | Probe::RequestExtensionsEchoed => {
                Some(Endpoint::AssertionOptions)
            }
            _ => None,
        };
        if let Some(why) = echo.and_then(|e| self.target.unsupported(Need::Echo(e))) {
            return Err(Abort::Unsupported(why));
        }
        Ok(match probe {
            Probe::CreationChallengeLength => {
                inspect::challenge_length(&self.fresh_creation(None)?.1.challenge)
            }
            Probe::RequestChallengeLength => {
                let account = self.register_ok("baseline registration")?;
                let (_, options) = self.request_json(account.session, &account.username, None)?;
                inspect::challenge_length(&options.challenge)
            }
            Probe::CreationChallengesFresh => {
                let one = self.username();
                let other = self.username();
                let (a, b, c) =
                    (self.target.new_session(), self.target.new_session(), self.target.new_session());
                let mut challenges = Vec::new();
                for (session, username) in [(a, &one), (a, &one), (b, &one), (c, &other)] {
                    challenges.push(self.creation_json(session, username, None)?.1.challenge);
                }
                inspect::challenges_fresh(
                    &challenges,
                    "two calls in one session, one in another session, one for another user",
                )
            }
            Probe::RequestChallengesFresh => {
                let one = self.register_ok("first account's registration")?;
                let other = self.register_ok("second account's registration")?;
                let elsewhere = self.target.new_session();
                let mut challenges = Vec::new();
                for (session, username) in [
                    (one.session, &one.username),
                    (one.session, &one.username),
                    (elsewhere, &one.username),
                    (other.session, &other.username),
                ] {
                    challenges.push(self.request_json(session, username, None)?.1.challenge);
                }
                inspect::challenges_fresh(
                    &challenges,
                    "two calls in one session, one in another session, one for another account",
                )
            }
            Probe::UserHandleSize => inspect::user_handle_size(&self.fresh_creation(None)?.1.user_id),
            Probe::UserHandleWithoutPii => {
                let session = self.target.new_session();
                let username = self.username();
                let display_name = format!("Display {username}");
                let mut body = self.creation_request(&username);
                body["displayName"] = json!(display_name);
                let (_, options) = self.creation_json(session, &username, Some(body))?;
                inspect::user_handle_without_pii(&options.user_id, &username, &display_name)
            }
            Probe::UserHandleStable => {
                let account = self.register_ok("first registration")?;
                let (_, options) = self.creation_json(account.session, &account.username, None)?;
                if options.user_id == account.user_handle {
                    Finding::met("the account's second registration options carry its user handle again")
                } else {
                    Finding::unmet("the account's second registration options carry another user handle")
                }
            }
            Probe::UserHandlesDistinct => {
                let (_, one, _) = self.fresh_creation(None)?;
                let (_, other, _) = self.fresh_creation(None)?;
                if one.user_id == other.user_id {
                    Finding::unmet("two accounts are issued the same user handle")
                } else {
                    Finding::met("two accounts are issued different user handles")
                }
            }
            Probe::CreationRpIdInScope => {
                let (_, options, _) = self.fresh_creation(None)?;
                inspect::rp_id_in_scope(options.rp_id.as_deref(), &origin)
            }
            Probe::RequestRpIdInScope => {
                let account = self.register_ok("baseline registration")?;
                let (_, options) = self.request_json(account.session, &account.username, None)?;
                inspect::rp_id_in_scope(options.rp_id.as_deref(), &origin)
            }
            Probe::RpIdConsistent => {
                let (_, creation, _) = self.fresh_creation(None)?;
                let account = self.register_ok("baseline registration")?;
                let (_, request) = self.request_json(account.session, &account.username, None)?;
                inspect::rp_id_consistent(creation.rp_id.as_deref(), request.rp_id.as_deref(), &origin)
            }
            Probe::RecommendedAlgorithms => {
                inspect::recommended_algorithms(&inspect::algorithms(&self.fresh_creation(None)?.0))
            }
            Probe::NoFullySpecifiedAlgorithms => {
                inspect::no_fully_specified(&inspect::algorithms(&self.fresh_creation(None)?.0))
            }
            Probe::AlgorithmList => inspect::algorithm_list(&self.fresh_creation(None)?.0),
            Probe::ExcludeCredentials => {
                let account = self.register_ok("first registration")?;
                let (json, _) = self.creation_json(account.session, &account.username, None)?;
                inspect::lists_credential(&json, "excludeCredentials", &account.credential.id)
            }
            Probe::AllowCredentials => {
                let account = self.register_ok("baseline registration")?;
                let (json, _) = self.request_json(account.session, &account.username, None)?;
                inspect::lists_credential(&json, "allowCredentials", &account.credential.id)
            }
            Probe::CreationTimeout => inspect::timeout(&self.fresh_creation(None)?.0),
            Probe::RequestTimeout => {
                let account = self.register_ok("baseline registration")?;
                inspect::timeout(&self.request_json(account.session, &account.username, None)?.0)
            }
            Probe::AttestationEchoed => {
                let username = self.username();
                let direct = fido_creation(&username);
                let (json, _) = self.creation_in_new_session(&username, direct)?;
                let first = inspect::echoed(&json, "/attestation", &json!("direct"));
                if !first.met {
                    return Ok(first);
                }
                let username = self.username();
                let mut none = fido_creation(&username);
                none["attestation"] = json!("none");
                let (json, _) = self.creation_in_new_session(&username, none)?;
                let second = inspect::echoed(&json, "/attestation", &json!("none"));
                Finding { met: second.met, text: format!("{}; {}", first.text, second.text) }
            }
            Probe::AuthenticatorSelectionEchoed => {
                let username = self.username();
                let body = fido_creation(&username);
                let asked = body["authenticatorSelection"].clone();
                let (json, _) = self.creation_in_new_session(&username, body)?;
                inspect::echoed(&json, "/authenticatorSelection", &asked)
            }
            Probe::CreationExtensionsEchoed => {
                let username = self.username();
                let body = fido_creation(&username);
                let asked = body["extensions"].clone();
                let (json, _) = self.creation_in_new_session(&username, body)?;
                inspect::echoed(&json, "/extensions", &asked)
            }
            Probe::UserEchoed => {
                let username = self.username();
                let mut body = fido_creation(&username);
                let display_name = format!("Display {username}");
                body["displayName"] = json!(display_name);
                let (json, _) = self.creation_in_new_session(&username, body)?;
                let name = inspect::echoed(&json, "/user/name", &json!(username));
                let shown = inspect::echoed(&json, "/user/displayName", &json!(display_name));
                Finding { met: name.met && shown.met, text: format!("{}; {}", name.text, shown.text) }
            }
            Probe::UserVerificationEchoed | Probe::RequestExtensionsEchoed => {
                let account = self.register_ok("baseline registration")?;
                let body = fido_request(&account.username);
                let (pointer, asked) = match probe {
                    Probe::UserVerificationEchoed => ("/userVerification", body["userVerification"].clone()),
                    _ => ("/extensions", body["extensions"].clone()),
                };
                let (json, _) = self.request_json(account.session, &account.username, Some(body))?;
                inspect::echoed(&json, pointer, &asked)
            }
            Probe::L3MembersInRequest => {
                let session = self.target.new_session();
                let username = self.username();
                let mut body = self.creation_request(&username);
                body["hints"] = json!(["security-key"]);
                body["attestationFormats"] = json!(["packed"]);
                let reply = self.call(session, Endpoint::AttestationOptions, body)?;
                if reply.accepted() {
                    let carried: Vec<String> = ["hints", "attestationFormats"]
                        .iter()
                        .map(|m| match reply.body.get(*m) {
                            Some(v) => format!("{m} {v}"),
                            None => format!("no {m}"),
                        })
                        .collect();
                    Finding::met(format!("the RP issued options ({})", carried.join(", ")))
                } else {
                    Finding::met(format!("the RP refused the request: HTTP {}", reply.status))
                }
            }
        })
    }

    /// Registration options from `body` for `username` in a new session.
    fn creation_in_new_session(
        &mut self,
        username: &str,
        body: Json,
    ) -> Result<(Json, CreationOptions), Abort> {
        let session = self.target.new_session();
        self.creation_json(session, username, Some(body))
    }

    /// An account with a credential signs in (the control: its own valid assertion); then a new session asks
    /// for assertion options for a username without credentials, one whose registration options were fetched
    /// and never answered (`registration_started`) or one the RP never saw, and answers them with that
    /// account's credential and userHandle (what its authenticator sends), signed over the new challenge. An
    /// RP that refuses those options has stopped the attack before it starts ([`Observation::OptionsRefused`]).
    fn account_without_credential(&mut self, registration_started: bool) -> Result<Observation, Abort> {
        self.several_accounts()?;
        if let Some(why) = self.target.unsupported(Need::NamedAccountOptions) {
            return Err(Abort::Unsupported(why));
        }
        let mut owner = self.register_ok("first account's registration")?;
        self.authenticate_ok(&mut owner, "control assertion")?;
        let control = self.exchanges.last().and_then(|e| e.reply.clone().ok());
        let username = self.username();
        if registration_started {
            let session = self.target.new_session();
            self.creation_options(session, &username)?;
        }
        let session = self.target.new_session();
        let options = match self.request_options(session, &username) {
            Err(Abort::Control(_, reply)) => {
                return Ok(Observation::OptionsRefused {
                    step: "assertion options for an account without credentials",
                    reply,
                })
            }
            other => other?,
        };
        let borrowed = Account { session, username, ..owner };
        let (body, _) = self.assertion_response(&options, &borrowed, AuthHooks::default());
        let subject = self.call(session, Endpoint::AssertionResult, body)?;
        Ok(Observation::Completed { control, subject })
    }

    /// A second account's session asks for options and answers with the first account's credential, after a
    /// control: the second account's own valid assertion. `user_handle` says which userHandle the assertion
    /// carries.
    fn credential_of_another_user(&mut self, user_handle: SentUserHandle) -> Result<Observation, Abort> {
        self.several_accounts()?;
        let victim = self.register_ok("first account's registration")?;
        let mut attacker = self.register_ok("second account's registration")?;
        self.authenticate_ok(&mut attacker, "control assertion")?;
        let control = self.exchanges.last().and_then(|e| e.reply.clone().ok());
        let options = self.request_options(attacker.session, &attacker.username.clone())?;
        let borrowed = Account {
            session: attacker.session,
            username: attacker.username.clone(),
            user_handle: attacker.user_handle.clone(),
            credential: victim.credential.clone(),
            sign_count: victim.sign_count,
        };
        let mut body = self.assertion_response(&options, &borrowed, AuthHooks::default()).0;
        // userHandle is not signed: setting it after signing is what an authenticator could send.
        match user_handle {
            SentUserHandle::SigningIn => {}
            SentUserHandle::None => {
                if let Some(response) = body["response"].as_object_mut() {
                    response.remove("userHandle");
                }
            }
            SentUserHandle::Owners => {
                body["response"]["userHandle"] = Json::String(base64url::encode(&victim.user_handle));
            }
        }
        let subject = self.call(attacker.session, Endpoint::AssertionResult, body)?;
        Ok(Observation::Completed { control, subject })
    }
}

/// Builds the registration response a case sends for `options`: the valid draft for the case's setup, then
/// its hooks at their stages.
pub fn build_registration(
    cfg: &ClientConfig,
    setup: &Setup,
    options: &CreationOptions,
    credential: Credential,
    hooks: RegHooks,
) -> (Json, SignedRegistration) {
    let mut draft = options.draft(cfg, &credential);
    if setup.attestation == crate::ceremony::AttestationKind::FidoU2f {
        // U2F authenticators have no AAGUID: attested credential data carries zeros.
        if let Some(a) = draft.auth_data.attested_credential_data.as_mut() {
            a.aaguid = [0; 16];
        }
    }
    if let Some(f) = hooks.common {
        let rp = options.rp(cfg);
        let RegistrationDraft { client_data_json, auth_data, .. } = &mut draft;
        f(&mut Common {
            client_data_json,
            auth_data,
            expected: Expected {
                origin: &cfg.origin,
                rp_id: &rp.id,
                challenge: &options.challenge,
                type_: "webauthn.create",
            },
        });
    }
    let mut pre = RegPre { cfg, options, credential, attestation: setup.attestation, draft };
    if let Some(f) = hooks.pre {
        f(&mut pre);
    }
    let signed = pre.draft.sign(&pre.credential, pre.attestation);
    let mut post = RegPost { options, signed, attestation_object: None };
    if let Some(f) = hooks.post {
        f(&mut post);
    }
    let mut body = match &post.attestation_object {
        Some(bytes) => post.signed.to_json_with(bytes),
        None => post.signed.to_json(),
    };
    if let Some(f) = hooks.json {
        f(&mut body);
    }
    (body, post.signed)
}

/// The counter a valid assertion carries after `last` for this setup.
pub fn next_sign_count(setup: &Setup, last: u32) -> u32 {
    match setup.counter {
        Counter::Zero => 0,
        Counter::Incrementing => last + 1,
    }
}

/// Builds the assertion a case sends for `options`, the credential's last accepted counter being
/// `last_sign_count`. Returns the body and the counter it carries.
pub fn build_assertion(
    cfg: &ClientConfig,
    setup: &Setup,
    options: &RequestOptions,
    credential: &Credential,
    user_handle: &[u8],
    last_sign_count: u32,
    hooks: AuthHooks,
) -> (Json, u32) {
    let count = next_sign_count(setup, last_sign_count);
    let mut draft = options.draft(cfg, credential, count, Some(user_handle.to_vec()));
    if let Some(f) = hooks.common {
        let rp = options.rp(cfg);
        let AssertionDraft { client_data_json, auth_data, .. } = &mut draft;
        f(&mut Common {
            client_data_json,
            auth_data,
            expected: Expected {
                origin: &cfg.origin,
                rp_id: &rp.id,
                challenge: &options.challenge,
                type_: "webauthn.get",
            },
        });
    }
    let mut pre = AuthPre { cfg, options, credential, last_sign_count, draft };
    if let Some(f) = hooks.pre {
        f(&mut pre);
    }
    let sent_count = pre.draft.auth_data.sign_count;
    let signed = pre.draft.sign(credential);
    let mut post = AuthPost { options, credential, signed };
    if let Some(f) = hooks.post {
        f(&mut post);
    }
    let mut body = post.signed.to_json();
    if let Some(f) = hooks.json {
        f(&mut body);
    }
    (body, sent_count)
}

/// A case that asked for extension inputs needs options that carry them (the conformance API passes them
/// through): without them the RP did not solicit the outputs the case sends, so it is UNSUPPORTED there.
fn extensions_solicited(options: &Json, asked: &Json) -> Result<(), Abort> {
    if inspect::extensions_carried(options, asked) {
        Ok(())
    } else {
        Err(Abort::Unsupported(format!(
            "the RP's options do not carry the extension inputs asked for ({asked}): their outputs would be \
             unsolicited"
        )))
    }
}

/// How many times the options are asked for a challenge of the shape a case needs.
const CHALLENGE_TRIES: usize = 16;

fn no_std_alphabet_challenge() -> Abort {
    Abort::Unsupported(format!(
        "none of {CHALLENGE_TRIES} challenges the RP issued spells a '+' or '/' in standard base64, so none can \
         show whether it tells standard base64 from base64url"
    ))
}

/// A case that needs user verification not to be required (see [`Setup::uv_optional`]) is UNSUPPORTED by an RP
/// whose options require it although `asked` was requested.
fn uv_offered(s: &Setup, asked: &str, answered: &str) -> Result<(), Abort> {
    if s.uv_optional && answered == "required" && asked != "required" {
        return Err(Abort::Unsupported(format!(
            "the RP answers userVerification \"required\" when \"{asked}\" is asked: it requires user \
             verification in every ceremony, so one without UV is not a ceremony it offers"
        )));
    }
    Ok(())
}

/// Runs `case` against `target` as a client at `cfg`, with randomness from `seed` and the case id.
pub fn run_case(case: &Case, target: &mut dyn Target, cfg: &ClientConfig, seed: u64) -> CaseRun {
    let mut subject_cfg = cfg.clone();
    if case.setup.subdomain_origin {
        match &cfg.subdomain_origin {
            Some(origin) => subject_cfg.origin = origin.clone(),
            None => {
                let why = format!(
                    "the case reports an origin on a subdomain of the RP ID {:?}, and none is declared: declare an \
                     origin on a subdomain of the RP ID with --origin (besides the RP's own, e.g. --origin \
                     https://login.{}) to run it",
                    cfg.rp_id, cfg.rp_id
                );
                return CaseRun {
                    id: case.id,
                    observation: Observation::Unsupported { why },
                    exchanges: vec![],
                };
            }
        }
    }
    let mut run = Run {
        target,
        cfg: cfg.clone(),
        subject_cfg,
        gen: Generator::new(case_seed(seed, case.id)),
        case: *case,
        users: 0,
        exchanges: Vec::new(),
    };
    let observation = match run.run() {
        Ok(o) => o,
        Err(Abort::Control(step, reply)) => Observation::ControlRejected { step, reply },
        Err(Abort::Unsupported(why)) => Observation::Unsupported { why },
        Err(Abort::Error(why)) => Observation::Error { why },
    };
    CaseRun { id: case.id, observation, exchanges: run.exchanges }
}
