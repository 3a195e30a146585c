//! The conformance API over HTTP: one cookie jar per virtual user (which a case may save and put back, as an
//! attacker who copied it would), a timeout per request, a cap on response sizes. A broken or hostile RP yields
//! [`TransportError`]s, never a hang or a crash.

use std::collections::HashMap;
use std::io::Read;
use std::time::Duration;

use generator::target::{Endpoint, Reply, SavedSession, SessionId, Target, TransportError};
use serde_json::Value as Json;

/// How the HTTP transport behaves.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The RP's base URL; the endpoint paths are appended to it (it may carry a path prefix).
    pub base_url: String,
    /// The longest one request may take, connect to last byte.
    pub timeout: Duration,
    /// The largest response body read; a longer one is an error.
    pub max_response: usize,
}

impl HttpConfig {
    pub fn new(base_url: &str) -> HttpConfig {
        HttpConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            timeout: Duration::from_secs(10),
            max_response: 1 << 20,
        }
    }
}

/// A [`Target`] reached over HTTP.
pub struct HttpTarget {
    config: HttpConfig,
    agents: HashMap<SessionId, ureq::Agent>,
    next: u64,
}

impl HttpTarget {
    pub fn new(config: HttpConfig) -> HttpTarget {
        HttpTarget { config, agents: HashMap::new(), next: 0 }
    }

    fn agent(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(self.config.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("webauthn-harness/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    }

    /// Forgets the cookie jars of finished virtual users.
    pub fn end_sessions(&mut self) {
        self.agents.clear();
    }

    /// The agent (cookie jar) of `session`, made when the session has none yet.
    fn agent_of(&mut self, session: SessionId) -> ureq::Agent {
        if let Some(a) = self.agents.get(&session) {
            return a.clone();
        }
        let a = self.agent();
        self.agents.insert(session, a.clone());
        a
    }
}

impl Target for HttpTarget {
    fn end_session(&mut self, session: SessionId) {
        self.agents.remove(&session);
    }

    fn new_session(&mut self) -> SessionId {
        self.next += 1;
        let id = SessionId(self.next);
        let agent = self.agent();
        self.agents.insert(id, agent);
        id
    }

    fn call(&mut self, session: SessionId, endpoint: Endpoint, body: &Json) -> Result<Reply, TransportError> {
        let err = |message: String| TransportError { endpoint, message };
        let agent = self.agent_of(session);
        let url = format!("{}{}", self.config.base_url, endpoint.path());
        let payload = serde_json::to_vec(body).map_err(|e| err(e.to_string()))?;
        let response = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(&payload[..])
            .map_err(|e| err(describe(&e)))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        let limit = self.config.max_response as u64;
        response
            .into_body()
            .into_reader()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("reading the response: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(err(format!("the response is longer than {limit} bytes")));
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(Json::Null);
        Ok(Reply::new(status, body))
    }

    /// The unexpired cookies of the session's jar, each as its `Set-Cookie` value.
    fn save_session(&mut self, session: SessionId) -> SavedSession {
        let agent = self.agent_of(session);
        let jar = agent.cookie_jar_lock();
        let cookies = jar.iter().map(|c| c.to_string()).collect();
        jar.release();
        SavedSession { cookies, values: vec![] }
    }

    /// Replaces the session's jar with the saved cookies, each stored again as received from the base URL (a
    /// cookie saved without a `Path` attribute takes the base URL's path as its own).
    fn restore_session(&mut self, session: SessionId, saved: &SavedSession) {
        let agent = self.agent_of(session);
        restore_jar(&agent, &self.config.base_url, &saved.cookies);
    }
}

/// Replaces `agent`'s cookie jar with `cookies` (each a `Set-Cookie` value), each stored again as received
/// from `base_url`.
pub(crate) fn restore_jar(agent: &ureq::Agent, base_url: &str, cookies: &[String]) {
    let mut jar = agent.cookie_jar_lock();
    jar.clear();
    if let Ok(uri) = format!("{base_url}/").parse::<ureq::http::Uri>() {
        for c in cookies {
            // Every saved cookie came out of a jar; one that no longer parses is left out.
            if let Ok(cookie) = ureq::Cookie::parse(c.clone(), &uri) {
                let _ = jar.insert(cookie, &uri);
            }
        }
    }
    jar.release();
}

pub(crate) fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Io(io) => format!("I/O error: {io}"),
        other => other.to_string(),
    }
}

/// A [`Target`] that is a function: `(session key, endpoint path, body) -> (HTTP status, body)`. For in-process
/// RPs (the reference RP's core, stand-ins in tests). The session key is all a session's client holds (its one
/// cookie): `s1`, `s2`, … unless a saved one was put back ([`Target::restore_session`]).
pub struct FnTarget<F> {
    handler: F,
    next: u64,
    /// Sessions whose key is not their own (a saved key was put back).
    keys: HashMap<SessionId, String>,
}

impl<F: FnMut(&str, &str, &Json) -> (u16, Json)> FnTarget<F> {
    pub fn new(handler: F) -> FnTarget<F> {
        FnTarget { handler, next: 0, keys: HashMap::new() }
    }

    fn key(&self, session: SessionId) -> String {
        self.keys.get(&session).cloned().unwrap_or_else(|| format!("s{}", session.0))
    }
}

impl<F: FnMut(&str, &str, &Json) -> (u16, Json)> Target for FnTarget<F> {
    fn new_session(&mut self) -> SessionId {
        self.next += 1;
        SessionId(self.next)
    }

    fn call(&mut self, session: SessionId, endpoint: Endpoint, body: &Json) -> Result<Reply, TransportError> {
        let key = self.key(session);
        let (status, body) = (self.handler)(&key, endpoint.path(), body);
        Ok(Reply::new(status, body))
    }

    fn save_session(&mut self, session: SessionId) -> SavedSession {
        SavedSession { cookies: vec![self.key(session)], values: vec![] }
    }

    /// The session takes the saved key (nothing saved: its own key again).
    fn restore_session(&mut self, session: SessionId, saved: &SavedSession) {
        match saved.cookies.first() {
            Some(key) => self.keys.insert(session, key.clone()),
            None => self.keys.remove(&session),
        };
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_saved_session_key_put_back_in_another_session_is_the_key_it_calls_with() {
        let mut target =
            FnTarget::new(|session: &str, _: &str, _: &Json| (200, json!({ "session": session })));
        let key = |t: &mut FnTarget<_>, s| {
            t.call(s, Endpoint::AssertionResult, &Json::Null).map(|r| r.body["session"].clone()).ok()
        };
        let (victim, attacker) = (target.new_session(), target.new_session());
        let saved = target.save_session(victim);
        assert_eq!(saved, SavedSession { cookies: vec!["s1".into()], values: vec![] });
        assert_eq!(key(&mut target, attacker), Some(json!("s2")));
        target.restore_session(attacker, &saved);
        assert_eq!(key(&mut target, attacker), Some(json!("s1")));
        assert_eq!(key(&mut target, victim), Some(json!("s1")));
        target.restore_session(attacker, &SavedSession::default());
        assert_eq!(key(&mut target, attacker), Some(json!("s2")));
    }
}
