//! The client side of a ceremony: reads the options an RP sent and builds the drafts a browser and an
//! authenticator would produce for them.
//!
//! Options are read the way the conformance tool reads them: only the members a client needs, each checked,
//! so an RP that sends something unusable gets a [`ClientError`] naming the member, not a panic.

use serde_json::Value as Json;
use wire::authdata::Flags;
use wire::base64url;

use crate::ceremony::{AssertionDraft, Credential, RegistrationDraft, Rp};

/// Why an RP's options cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("options member {0} is missing")]
    Missing(&'static str),
    #[error("options member {member} is malformed: {why}")]
    Malformed { member: &'static str, why: String },
}

/// Where the client runs: the origin it reports, and the RP ID used when the options name none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub origin: String,
    pub rp_id: String,
    /// An origin on a subdomain of the RP ID that the RP is declared to accept (`https://login.` + the RP ID,
    /// say), for the cases that report one ([`crate::catalog::Setup::subdomain_origin`]); `None` where no such
    /// origin is declared. The grader fills it from the declared origins.
    pub subdomain_origin: Option<String>,
    /// The authenticator's clock, for what an attestation stamps with the time (SafetyNet's `timestampMs`).
    pub clock: Clock,
}

/// The clock of the client's authenticator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// [`crate::ceremony::FIXED_TIME`], so ceremonies stay reproducible (tests, vectors, in-process grading).
    #[default]
    Fixed,
    /// The wall clock when each draft is made: what a grader of a live RP uses, since the RP compares the
    /// time with its own.
    Wall,
    /// A given time, Unix seconds.
    At(u64),
}

impl Clock {
    /// The time now by this clock, Unix seconds.
    pub fn now(self) -> u64 {
        match self {
            Clock::Fixed => crate::ceremony::FIXED_TIME,
            Clock::At(t) => t,
            Clock::Wall => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(crate::ceremony::FIXED_TIME, |d| d.as_secs()),
        }
    }
}

impl ClientConfig {
    /// A client at `origin` for `rp_id`, with no subdomain origin and the fixed clock.
    pub fn new(origin: impl Into<String>, rp_id: impl Into<String>) -> ClientConfig {
        ClientConfig {
            origin: origin.into(),
            rp_id: rp_id.into(),
            subdomain_origin: None,
            clock: Clock::Fixed,
        }
    }
}

fn b64_member(v: &Json, member: &'static str) -> Result<Vec<u8>, ClientError> {
    let s = v.get(member).ok_or(ClientError::Missing(member))?;
    let s = s.as_str().ok_or_else(|| ClientError::Malformed { member, why: "not a string".into() })?;
    base64url::decode(s).map_err(|e| ClientError::Malformed { member, why: e.to_string() })
}

fn descriptor_ids(v: &Json, member: &'static str) -> Result<Vec<Vec<u8>>, ClientError> {
    match v.get(member) {
        None | Some(Json::Null) => Ok(vec![]),
        Some(Json::Array(items)) => items.iter().map(|d| b64_member(d, "id")).collect(),
        Some(_) => Err(ClientError::Malformed { member, why: "not an array".into() }),
    }
}

/// What a client uses of `PublicKeyCredentialCreationOptions` (§5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationOptions {
    pub challenge: Vec<u8>,
    pub rp_id: Option<String>,
    pub user_id: Vec<u8>,
    /// `pubKeyCredParams[*].alg`, in order.
    pub algorithms: Vec<i64>,
    /// `authenticatorSelection.userVerification`, default "preferred".
    pub user_verification: String,
    pub exclude_credentials: Vec<Vec<u8>>,
}

impl CreationOptions {
    pub fn from_json(v: &Json) -> Result<CreationOptions, ClientError> {
        let challenge = b64_member(v, "challenge")?;
        let rp_id = match v.get("rp").and_then(|rp| rp.get("id")) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => return Err(ClientError::Malformed { member: "rp.id", why: "not a string".into() }),
        };
        let user = v.get("user").ok_or(ClientError::Missing("user"))?;
        let user_id = b64_member(user, "id").map_err(|e| match e {
            ClientError::Missing(_) => ClientError::Missing("user.id"),
            ClientError::Malformed { why, .. } => ClientError::Malformed { member: "user.id", why },
        })?;
        let params = v
            .get("pubKeyCredParams")
            .and_then(Json::as_array)
            .ok_or(ClientError::Missing("pubKeyCredParams"))?;
        let algorithms =
            params.iter().filter_map(|p| p.get("alg").and_then(Json::as_i64)).collect::<Vec<_>>();
        if algorithms.is_empty() {
            return Err(ClientError::Malformed {
                member: "pubKeyCredParams",
                why: "no item with a numeric alg".into(),
            });
        }
        let user_verification = v
            .get("authenticatorSelection")
            .and_then(|s| s.get("userVerification"))
            .and_then(Json::as_str)
            .unwrap_or("preferred")
            .to_owned();
        Ok(CreationOptions {
            challenge,
            rp_id,
            user_id,
            algorithms,
            user_verification,
            exclude_credentials: descriptor_ids(v, "excludeCredentials")?,
        })
    }

    /// The RP as the client sees it: the options' rp.id, or the configured one.
    pub fn rp(&self, cfg: &ClientConfig) -> Rp {
        Rp::new(self.rp_id.as_deref().unwrap_or(&cfg.rp_id), &cfg.origin)
    }

    /// A valid draft for these options: UP, and UV unless verification is discouraged.
    pub fn draft(&self, cfg: &ClientConfig, credential: &Credential) -> RegistrationDraft {
        let mut draft = RegistrationDraft::new(
            &self.rp(cfg),
            credential,
            &self.challenge,
            uv_flag(&self.user_verification),
        );
        draft.time = cfg.clock.now();
        draft
    }
}

/// What a client uses of `PublicKeyCredentialRequestOptions` (§5.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOptions {
    pub challenge: Vec<u8>,
    pub rp_id: Option<String>,
    pub allow_credentials: Vec<Vec<u8>>,
    /// `userVerification`, default "preferred".
    pub user_verification: String,
}

impl RequestOptions {
    pub fn from_json(v: &Json) -> Result<RequestOptions, ClientError> {
        let rp_id = match v.get("rpId") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => return Err(ClientError::Malformed { member: "rpId", why: "not a string".into() }),
        };
        Ok(RequestOptions {
            challenge: b64_member(v, "challenge")?,
            rp_id,
            allow_credentials: descriptor_ids(v, "allowCredentials")?,
            user_verification: v
                .get("userVerification")
                .and_then(Json::as_str)
                .unwrap_or("preferred")
                .to_owned(),
        })
    }

    pub fn rp(&self, cfg: &ClientConfig) -> Rp {
        Rp::new(self.rp_id.as_deref().unwrap_or(&cfg.rp_id), &cfg.origin)
    }

    /// A valid draft for these options with the given counter and user handle.
    pub fn draft(
        &self,
        cfg: &ClientConfig,
        credential: &Credential,
        sign_count: u32,
        user_handle: Option<Vec<u8>>,
    ) -> AssertionDraft {
        AssertionDraft::new(
            &self.rp(cfg),
            credential,
            &self.challenge,
            uv_flag(&self.user_verification),
            sign_count,
            user_handle,
        )
    }
}

/// The UV flag a verifying authenticator sets for a `userVerification` value: set unless discouraged.
pub fn uv_flag(user_verification: &str) -> u8 {
    if user_verification == "discouraged" {
        0
    } else {
        Flags::UV
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_conformance_example_options() {
        let v = json!({"status":"ok","errorMessage":"","rp":{"name":"Example Corporation"},
            "user":{"id":"S3932ee31vKEC0JtJMIQ","name":"johndoe@example.com","displayName":"John Doe"},
            "challenge":"uhUjPNlZfvn7onwuhNdsLPkkE5Fv-lUN","pubKeyCredParams":[{"type":"public-key","alg":-7}],
            "timeout":10000,"excludeCredentials":[{"type":"public-key","id":"opQf1WmYAa5aupUKJIQp"}],
            "authenticatorSelection":{"requireResidentKey":false,"userVerification":"preferred"},"attestation":"direct"});
        let o = CreationOptions::from_json(&v).unwrap();
        assert_eq!(o.algorithms, vec![-7]);
        assert_eq!(o.rp_id, None);
        assert_eq!(o.exclude_credentials.len(), 1);
        assert_eq!(o.user_verification, "preferred");
        let r = RequestOptions::from_json(&json!({"challenge":"6283u0svT-YIF3pSolzkQHStwkJCaLKx","rpId":"example.com",
            "allowCredentials":[{"id":"m7xl_TkTcCe0WcXI2M-4ro9vJAuwcj4m","type":"public-key"}],"userVerification":"required"}))
        .unwrap();
        assert_eq!(r.rp_id.as_deref(), Some("example.com"));
        assert_eq!(r.user_verification, "required");
    }

    /// The L3 members a client may meet in options (`hints`, `attestationFormats`) and members it does not know
    /// are read past, as a browser reads past them.
    #[test]
    fn l3_and_unknown_members_are_tolerated() {
        let v = json!({"challenge":"uhUjPNlZfvn7onwuhNdsLPkkE5Fv-lUN","user":{"id":"S3932ee31vKEC0JtJMIQ"},
            "pubKeyCredParams":[{"type":"public-key","alg":-8},{"type":"public-key","alg":-7}],
            "hints":["security-key","hybrid"],"attestationFormats":["packed","tpm"],"vendorThing":{"x":1}});
        let o = CreationOptions::from_json(&v).unwrap();
        assert_eq!(o.algorithms, vec![-8, -7]);
        let r = RequestOptions::from_json(
            &json!({"challenge":"6283u0svT-YIF3pSolzkQHStwkJCaLKx","hints":["client-device"]}),
        )
        .unwrap();
        assert_eq!(r.challenge.len(), 24);
    }

    #[test]
    fn unusable_options_name_the_member() {
        assert_eq!(CreationOptions::from_json(&json!({})), Err(ClientError::Missing("challenge")));
        assert!(matches!(
            CreationOptions::from_json(&json!({"challenge": "a+b=", "user": {"id": "AA"}})),
            Err(ClientError::Malformed { member: "challenge", .. })
        ));
        assert_eq!(
            CreationOptions::from_json(
                &json!({"challenge": "AAAA", "user": {"id": "AA"}, "pubKeyCredParams": []})
            ),
            Err(ClientError::Malformed {
                member: "pubKeyCredParams",
                why: "no item with a numeric alg".into()
            })
        );
        assert_eq!(
            RequestOptions::from_json(&json!({"challenge": 5})),
            Err(ClientError::Malformed { member: "challenge", why: "not a string".into() })
        );
    }
}
