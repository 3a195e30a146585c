//! webauthn-rs (high-level `Webauthn` passkey API) on the FIDO2 server conformance API.
//!
//! Usage: webauthn-rs-adapter PORT   (listens on 127.0.0.1:PORT, origin http://localhost:PORT)

use std::collections::{HashMap, HashSet};

use conformance_server::{failed, json_error, ok_with, username_of, Outcome, Reply};
use serde_json::{json, Map, Value};
use webauthn_rs::prelude::*;

/// What the docs tell an integrator to keep per account: the user's unique id and its passkeys.
struct Account {
    id: Uuid,
    passkeys: Vec<Passkey>,
}

/// Ceremony state, kept server-side and keyed by the session cookie (never sent to the client).
#[derive(Default)]
struct Session {
    registration: Option<(String, PasskeyRegistration)>,
    authentication: Option<(String, PasskeyAuthentication)>,
}

struct Adapter {
    webauthn: Webauthn,
    accounts: HashMap<String, Account>,
    /// Every registered credential id, across accounts ("You MUST assert that the registered
    /// CredentialID has not previously been registered to any other account").
    credential_ids: HashSet<Vec<u8>>,
}

/// The `publicKey` member of the library's options, as a JSON object.
fn public_key_options(options: &impl serde::Serialize) -> Result<Map<String, Value>, Reply> {
    match serde_json::to_value(options) {
        Ok(Value::Object(mut outer)) => match outer.remove("publicKey") {
            Some(Value::Object(inner)) => Ok(inner),
            _ => Err(failed("options have no publicKey member")),
        },
        _ => Err(failed("options did not serialise to an object")),
    }
}

impl conformance_server::Adapter for Adapter {
    type Session = Session;

    fn attestation_options(&mut self, session: &mut Session, request: &Value) -> Outcome {
        let username = username_of(request)?;
        let display_name = request
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(&username)
            .to_string();
        // The passkey API has no parameter for authenticatorSelection.userVerification or for
        // attestation conveyance: it always asks for UV "required" and attestation "none".
        let account = self
            .accounts
            .entry(username.clone())
            .or_insert_with(|| Account { id: Uuid::new_v4(), passkeys: Vec::new() });
        let exclude: Vec<CredentialID> =
            account.passkeys.iter().map(|pk| pk.cred_id().clone()).collect();
        let exclude = if exclude.is_empty() { None } else { Some(exclude) };
        let (ccr, state) = self
            .webauthn
            .start_passkey_registration(account.id, &username, &display_name, exclude)
            .map_err(failed)?;
        session.registration = Some((username, state));
        let mut body = public_key_options(&ccr)?;
        body.entry("excludeCredentials").or_insert_with(|| json!([]));
        Ok(ok_with(body))
    }

    fn attestation_result(&mut self, session: &mut Session, body: &[u8]) -> Outcome {
        // The state is used once: taken out of the session whatever the outcome.
        let (username, state) = session
            .registration
            .take()
            .ok_or_else(|| failed("no registration in progress in this session"))?;
        let credential: RegisterPublicKeyCredential =
            serde_json::from_slice(body).map_err(|e| failed(json_error("credential", e)))?;
        let passkey =
            self.webauthn.finish_passkey_registration(&credential, &state).map_err(failed)?;
        let id = passkey.cred_id().as_ref().to_vec();
        if self.credential_ids.contains(&id) {
            return Err(failed("credential id is already registered"));
        }
        let account = self.accounts.get_mut(&username).ok_or_else(|| failed("unknown user"))?;
        self.credential_ids.insert(id);
        account.passkeys.push(passkey);
        Ok(ok_with(Map::new()))
    }

    fn assertion_options(&mut self, session: &mut Session, request: &Value) -> Outcome {
        let username = username_of(request)?;
        let account = match self.accounts.get(&username) {
            Some(a) if !a.passkeys.is_empty() => a,
            _ => return Err(failed("unknown user or user has no credentials")),
        };
        // The passkey API always requests (and enforces) userVerification "required".
        let (rcr, state) =
            self.webauthn.start_passkey_authentication(&account.passkeys).map_err(failed)?;
        session.authentication = Some((username, state));
        Ok(ok_with(public_key_options(&rcr)?))
    }

    fn assertion_result(&mut self, session: &mut Session, body: &[u8]) -> Outcome {
        let (username, state) = session
            .authentication
            .take()
            .ok_or_else(|| failed("no authentication in progress in this session"))?;
        let credential: PublicKeyCredential =
            serde_json::from_slice(body).map_err(|e| failed(json_error("credential", e)))?;
        let result =
            self.webauthn.finish_passkey_authentication(&credential, &state).map_err(failed)?;
        if let Some(account) = self.accounts.get_mut(&username) {
            for passkey in account.passkeys.iter_mut() {
                passkey.update_credential(&result);
            }
        }
        Ok(ok_with(Map::new()))
    }
}

fn main() {
    let port = conformance_server::port_from_args("webauthn-rs-adapter");
    let origin = Url::parse(&format!("http://localhost:{port}")).expect("origin URL");
    let webauthn = WebauthnBuilder::new("localhost", &origin)
        .and_then(|b| b.rp_name("webauthn-rs adapter").build())
        .expect("webauthn-rs configuration");
    let adapter = Adapter { webauthn, accounts: HashMap::new(), credential_ids: HashSet::new() };
    conformance_server::serve(port, "webauthn-rs", &format!("origin {origin}"), adapter);
}
