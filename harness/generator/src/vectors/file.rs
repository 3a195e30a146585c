//! The vector file format (`webauthn-harness/vectors/v1`, described by `vectors/schema.json`) as types: what
//! `vectors generate` and `serve --capture` write, and what `vectors check` and the tests read. Members are
//! declared in the order they are written, so a file serializes back byte for byte ([`super::to_text`]).
//!
//! Members whose content is the data under test stay JSON values: `response` (a test may carry a malformed
//! one on purpose) and the credential's `privateKey` (a JWK, or the spec's own key fields for the W3C vectors).

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;
use spec::{Ceremony, CheckId, Expect, Level};

/// One vector file: every test of one ceremony, in groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorFile {
    pub schema: String,
    pub generator_version: String,
    pub ceremony: Ceremony,
    pub number_of_tests: usize,
    pub header: Vec<String>,
    /// What each flag used in the file means, in the order of the flags.
    pub notes: Notes,
    /// The public records of bugs (advisories, CVEs, issues of RP libraries) that tests of the file reproduce,
    /// each id with what the library did wrong, in the order of the ids; absent when no test reproduces one.
    #[serde(default, skip_serializing_if = "Notes::is_empty")]
    pub references: Notes,
    pub test_groups: Vec<TestGroup>,
}

/// Tests that share an RP, an origin and a credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestGroup {
    pub ceremony: Ceremony,
    /// Where the tests come from, when not from the case catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub rp_id: String,
    pub origin: String,
    /// The time (Unix seconds) the tests are valid at: attestation certificates are checked at it.
    pub valid_at: u64,
    pub algorithm: String,
    /// The attestation statement format (registration groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// The RP's trusted attestation roots, DER in base64url.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestation_roots: Vec<String>,
    pub credential: GroupCredential,
    pub user_handle: String,
    pub tests: Vec<Test>,
    /// Whether the RP accepts ceremonies in a cross-origin frame.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_cross_origin: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_top_origins: Vec<String>,
}

/// The authenticator's credential a group's tests use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCredential {
    pub id: String,
    /// The COSE_Key, base64url.
    pub public_key: String,
    pub private_key: Json,
    pub aaguid: String,
}

/// One ceremony: the RP's inputs, the response, and the result a verifier must reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Test {
    pub tc_id: usize,
    pub case_id: String,
    pub comment: String,
    pub flags: Vec<String>,
    /// The ids of the public records the test reproduces (described in the file's `references`), as
    /// Wycheproof names the CVEs a test is for; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    pub spec: String,
    pub level: Level,
    pub input: Input,
    /// The response in the WebAuthn JSON serialization (§5.1), as the client sent it.
    pub response: Json,
    pub result: Outcome,
    /// For `invalid`: the reference verifier's failing check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckId>,
}

/// What the RP knows before the response arrives. `pubKeyCredParams` is a registration's; the others an
/// authentication's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    pub challenge: String,
    pub user_verification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_key_cred_params: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_credential: Option<StoredCredential>,
}

/// The credential record the RP holds before an authentication (the credential-record JSON form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCredential {
    pub id: String,
    pub public_key: String,
    pub sign_count: u32,
    pub uv_initialized: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
    pub backup_eligible: bool,
    pub backup_state: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
}

/// The result a verifier must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Accept.
    Valid,
    /// Reject (`check` names the reference verifier's failing check).
    Invalid,
    /// Either answer conforms.
    Acceptable,
}

impl From<Expect> for Outcome {
    fn from(e: Expect) -> Outcome {
        match e {
            Expect::Accept => Outcome::Valid,
            Expect::Reject => Outcome::Invalid,
            Expect::Either => Outcome::Acceptable,
            // Options cases judge what the RP sends and have no vector (`vectors::stateless`); a response that
            // meets its requirement is one to accept.
            Expect::Meet => Outcome::Valid,
        }
    }
}

/// `notes` (and `references`): a JSON object from a flag name (a record's id) to its meaning, its members kept in
/// their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes(pub Vec<(String, String)>);

impl Notes {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The meaning of `name`, if the object has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, m)| m.as_str())
    }
}

impl Serialize for Notes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (flag, meaning) in &self.0 {
            map.serialize_entry(flag, meaning)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Notes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Notes, D::Error> {
        struct NotesVisitor;
        impl<'de> Visitor<'de> for NotesVisitor {
            type Value = Notes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Notes, A::Error> {
                let mut notes = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    notes.push(entry);
                }
                Ok(Notes(notes))
            }
        }
        d.deserialize_map(NotesVisitor)
    }
}
