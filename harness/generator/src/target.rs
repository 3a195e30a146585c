//! The relying party a case runs against, as the FIDO2 server conformance API sees it: four POST endpoints,
//! sessions (a cookie jar each), and replies judged by their `status` member.
//!
//! The generator only defines [`Target`]; it never implements it, so it never consults the verifier. The
//! grader implements it over HTTP (`grader::transport::HttpTarget`) and over a function for in-process RPs
//! (`grader::transport::FnTarget`); the catalogue's self-check (`rp/tests/self_check.rs`) wraps the reference
//! RP's request handler in one.

use serde_json::Value as Json;

/// The four POST endpoints of the conformance API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Endpoint {
    AttestationOptions,
    AttestationResult,
    AssertionOptions,
    AssertionResult,
}

impl Endpoint {
    /// The path relative to the RP's base URL.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::AttestationOptions => "/attestation/options",
            Endpoint::AttestationResult => "/attestation/result",
            Endpoint::AssertionOptions => "/assertion/options",
            Endpoint::AssertionResult => "/assertion/result",
        }
    }
}

/// One virtual user's session: the RP correlates options and results by it (a cookie jar over HTTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

/// What the RP answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status (200 for an in-process target that accepted).
    pub status: u16,
    /// The body, parsed as JSON (`Json::Null` when it was not JSON).
    pub body: Json,
    /// The RP profile declares this reply a refusal the RP meant (its `refusal` predicate matched), so a
    /// server-error status is not a crash: an RP that answers what it cannot verify with a 500 and a JSON
    /// error code. Never set on the conformance API.
    pub declared_refusal: bool,
}

impl Reply {
    /// A reply as the RP sent it (no declared refusal).
    pub fn new(status: u16, body: Json) -> Reply {
        Reply { status, body, declared_refusal: false }
    }

    /// The RP could not give a usable answer: a body that is not JSON, or a server error it did not declare a
    /// refusal (it crashed on the input).
    pub fn unusable(&self) -> bool {
        self.body.is_null() || (self.status >= 500 && !self.declared_refusal)
    }

    /// A call is accepted iff the body is JSON with `status == "ok"` (the conformance tool's rule; the HTTP
    /// status is recorded but not consulted).
    pub fn accepted(&self) -> bool {
        self.body.get("status").and_then(Json::as_str) == Some("ok")
    }

    /// `errorMessage`, when the RP gave one.
    pub fn error_message(&self) -> Option<&str> {
        self.body.get("errorMessage").and_then(Json::as_str).filter(|m| !m.is_empty())
    }

    /// The id of the check that rejected, where the RP reports one (the reference RP does, in `check`).
    pub fn check(&self) -> Option<&str> {
        self.body.get("check").and_then(Json::as_str)
    }
}

/// Why a call did not produce a reply: the RP could not be reached, timed out, or sent something unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{endpoint}: {message}", endpoint = endpoint.path())]
pub struct TransportError {
    pub endpoint: Endpoint,
    pub message: String,
}

/// What the client of one session holds between calls, as it was when [`Target::save_session`] saved it: its
/// cookies over HTTP (each as a `Set-Cookie` value: `name=value` and its attributes), the session key in
/// process. An attacker who copied a victim's cookie jar holds this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedSession {
    pub cookies: Vec<String>,
    /// What else the client holds with its cookies, by name: values an RP profile captured (a CSRF token, a
    /// request id) and the virtual user it signs in as. Empty on the conformance API.
    pub values: Vec<(String, String)>,
}

/// What a case needs of a target beyond a call it can make: asked before every call and before a plan that
/// needs several accounts ([`Target::unsupported`]).
#[derive(Debug, Clone, Copy)]
pub enum Need<'a> {
    /// This request, as the conformance API would carry it (what it asks for, such as `userVerification`).
    Request(Endpoint, &'a Json),
    /// Two or more distinct accounts (a credential of another user, an account without credentials).
    SeveralAccounts,
    /// Options that can echo what this options endpoint's request asks for (attestation, authenticatorSelection,
    /// userVerification, extensions, user names): only an API that takes the whole request expresses it.
    Echo(Endpoint),
    /// Assertion options for an account named by its username alone, in a session that never signed in as it
    /// (an account without credentials): only an API whose sign-in options request names the user expresses
    /// it. One that never does answers a username-less (discoverable) sign-in instead.
    NamedAccountOptions,
    /// An RP that trusts the harness's attestation root (`webauthn-harness pki export`): a registration whose
    /// attestation chains to it ([`crate::ceremony::AttestationKind::chains_to_harness_root`]) is refused by an
    /// RP that does not, rightly, so no case that sends one can be graded there.
    HarnessPki,
    /// An RP that loaded the harness's test metadata (`webauthn-harness pki export`: the MDS3 BLOB or its
    /// statements) and applies its status reports: the cases whose credentials carry a model the metadata
    /// reports revoked or compromised ([`crate::catalog::Setup::needs_metadata`]).
    HarnessMetadata,
}

/// A relying party on the conformance API.
pub trait Target {
    /// Starts a new virtual user's session (a fresh cookie jar).
    fn new_session(&mut self) -> SessionId;
    /// POSTs `body` to `endpoint` in `session`.
    fn call(&mut self, session: SessionId, endpoint: Endpoint, body: &Json) -> Result<Reply, TransportError>;
    /// What the client of `session` holds now (its cookie jar).
    fn save_session(&mut self, session: SessionId) -> SavedSession;
    /// Makes the client of `session` hold `saved` instead of what it holds (its cookie jar replaced by the
    /// saved one), as an attacker who kept a copy of another client's cookies would.
    fn restore_session(&mut self, session: SessionId, saved: &SavedSession);
    /// Why the RP behind this target cannot be asked what `need` asks, when it cannot: an RP profile whose RP
    /// fixes user verification cannot carry a case that asks for another. The case is then UNSUPPORTED with
    /// this reason. The conformance API expresses everything (the default).
    fn unsupported(&self, need: Need<'_>) -> Option<String> {
        let _ = need;
        None
    }
    /// Forgets `session`: its client (cookie jar, connections) is dropped. A long run that makes a session per
    /// ceremony (the fuzzer) calls it so it does not hold a connection per finished session. The default keeps
    /// everything (nothing to free).
    fn end_session(&mut self, session: SessionId) {
        let _ = session;
    }
}
