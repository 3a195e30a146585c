//! What the relying party expects: explicit data, passed in, never discovered (DESIGN §2).
//!
//! [`Policy`] is the RP's standing configuration; [`RegistrationExpectations`] and
//! [`AuthenticationExpectations`] carry what the RP decided for one ceremony (the challenge it issued, whether it
//! asked for user verification, which algorithms or credentials it offered).

use crate::check::{CheckId, Level, Rejection, Warning};

/// How origins in client data are accepted (§13.4.9 "Validating the origin of a credential").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OriginPolicy {
    /// Origins accepted by exact string comparison, e.g. `https://example.org`.
    pub allowed: Vec<String>,
    /// Also accept `https://` origins whose host is the RP ID or a subdomain of it (no port, no path).
    /// The spec names this as an option with a code-injection caveat; it is off by default.
    pub allow_rp_id_subdomains: bool,
}

/// Whether the RP expects to run inside cross-origin iframes (§7.1 steps 10-11, §7.2 steps 13-14).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FramingPolicy {
    /// Accept `crossOrigin: true`.
    pub allow_cross_origin: bool,
    /// Top-level origins the RP expects to be framed by; `topOrigin` is accepted only if listed (and only
    /// when `allow_cross_origin` is set).
    pub allowed_top_origins: Vec<String>,
}

/// What to do with a signature counter that did not increase (§7.2 step 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CounterPolicy {
    /// Fail the ceremony.
    #[default]
    Reject,
    /// Accept, with a clone warning in the outcome.
    Warn,
}

/// How backup eligibility and state are used (§7.1 steps 17-19, §7.2 steps 18-19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupPolicy {
    /// Accept credentials that are backup eligible (multi-device).
    pub allow_backup_eligible: bool,
    /// Accept credentials that are currently backed up.
    pub allow_backed_up: bool,
    /// Compare BE in an assertion with the record (§7.2 step 19.1-19.2), rejecting a change.
    pub require_stable_backup_eligibility: bool,
}

impl Default for BackupPolicy {
    fn default() -> Self {
        BackupPolicy {
            allow_backup_eligible: true,
            allow_backed_up: true,
            require_stable_backup_eligibility: true,
        }
    }
}

/// Attestation formats, trust anchors, and which attestation types are acceptable (§7.1 steps 21-24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationPolicy {
    /// Format identifiers accepted (a subset of those this verifier implements).
    pub formats: Vec<String>,
    /// DER X.509 root certificates an attestation trust path may chain to.
    pub trust_anchors: Vec<Vec<u8>>,
    /// Accept `none` attestation (§7.1 step 24, policy).
    pub accept_none: bool,
    /// Accept self attestation (§7.1 step 24, policy).
    pub accept_self: bool,
}

impl Default for AttestationPolicy {
    fn default() -> Self {
        AttestationPolicy {
            formats: crate::attestation::IMPLEMENTED_FORMATS.iter().map(|s| s.to_string()).collect(),
            trust_anchors: Vec::new(),
            accept_none: true,
            accept_self: true,
        }
    }
}

/// The relying party's standing configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The RP ID whose SHA-256 authenticator data must carry (§7.1 step 14, §7.2 step 15).
    pub rp_id: String,
    pub origins: OriginPolicy,
    pub framing: FramingPolicy,
    pub counter: CounterPolicy,
    pub backup: BackupPolicy,
    pub attestation: AttestationPolicy,
    /// Reject when a SHOULD-level check fails (the reference behaviour). When false, such failures are
    /// returned as warnings in the outcome instead.
    pub enforce_should: bool,
    /// Checks not enforced at all. This exists to test the harness itself (a reference RP with one check
    /// switched off must be caught by the grader); a real RP never sets it.
    pub disabled_checks: Vec<CheckId>,
    /// The crypto backend that checks credential signatures (default: [`crate::crypto::default_provider`]).
    pub crypto: crate::crypto::Provider,
    /// SHA-256 of `rp_id`, computed once (see [`Policy::rp_id_hash`]).
    rp_id_hash: RpIdHash,
}

/// A cache of SHA-256(rp_id), kept with the RP ID it was computed for (so a changed `rp_id` is never matched
/// against a stale hash). Not part of a policy's identity: two policies compare equal whatever their caches hold.
#[derive(Debug, Clone, Default)]
struct RpIdHash(std::sync::OnceLock<(String, [u8; 32])>);

impl PartialEq for RpIdHash {
    fn eq(&self, _: &RpIdHash) -> bool {
        true
    }
}

impl Eq for RpIdHash {}

impl Policy {
    /// A policy for one RP ID served at one origin, with every default: exact origin match, no framing,
    /// counters that must increase, SHOULD checks enforced, `none`/`packed`/`fido-u2f` accepted.
    pub fn new(rp_id: impl Into<String>, origin: impl Into<String>) -> Policy {
        Policy {
            rp_id: rp_id.into(),
            origins: OriginPolicy { allowed: vec![origin.into()], allow_rp_id_subdomains: false },
            framing: FramingPolicy::default(),
            counter: CounterPolicy::default(),
            backup: BackupPolicy::default(),
            attestation: AttestationPolicy::default(),
            enforce_should: true,
            disabled_checks: Vec::new(),
            crypto: crate::crypto::Provider::default(),
            rp_id_hash: RpIdHash::default(),
        }
    }

    /// SHA-256 of the RP ID, as authenticator data must carry it (§7.1 step 14, §7.2 step 15).
    pub fn rp_id_hash(&self) -> [u8; 32] {
        match self.rp_id_hash.0.get() {
            Some((id, hash)) if *id == self.rp_id => *hash,
            Some(_) => crate::crypto::sha256(self.rp_id.as_bytes()),
            None => {
                self.rp_id_hash
                    .0
                    .get_or_init(|| (self.rp_id.clone(), crate::crypto::sha256(self.rp_id.as_bytes())))
                    .1
            }
        }
    }

    /// Whether `origin` is expected (§13.4.9).
    pub fn origin_allowed(&self, origin: &str) -> bool {
        if self.origins.allowed.iter().any(|o| o == origin) {
            return true;
        }
        self.origins.allow_rp_id_subdomains && is_https_subdomain_origin(origin, &self.rp_id)
    }

    /// Drops the rejection of a disabled check (see `disabled_checks`).
    pub(crate) fn enforce(&self, r: Result<(), Rejection>) -> Result<(), Rejection> {
        match r {
            Err(e) if self.disabled_checks.contains(&e.check) => Ok(()),
            other => other,
        }
    }

    /// Settles a failed non-MUST check: a rejection where policy enforces it, a warning otherwise.
    /// `enforced` is the policy switch for POLICY-level checks; SHOULD-level checks follow `enforce_should`.
    pub(crate) fn settle(
        &self,
        r: Rejection,
        enforced: bool,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), Rejection> {
        if self.disabled_checks.contains(&r.check) {
            return Ok(());
        }
        let reject = match r.check.level() {
            Level::Must => true,
            Level::Should => self.enforce_should,
            Level::Policy => enforced,
        };
        if reject {
            Err(r)
        } else {
            warnings.push(r);
            Ok(())
        }
    }
}

/// `https://` + a host equal to `rp_id` or ending in `.` + `rp_id`, and nothing else (no port, no path).
fn is_https_subdomain_origin(origin: &str, rp_id: &str) -> bool {
    let Some(host) = origin.strip_prefix("https://") else { return false };
    if host.is_empty()
        || host.contains(['/', ':', '?', '#', '@'])
        || host.bytes().any(|b| b.is_ascii_uppercase())
    {
        return false;
    }
    host == rp_id
        || host.strip_suffix(rp_id).and_then(|prefix| prefix.strip_suffix('.')).is_some_and(|labels| {
            labels
                .split('.')
                .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        })
}

/// What the RP decided for one registration ceremony (its `PublicKeyCredentialCreationOptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationExpectations {
    /// The challenge the RP issued, as bytes.
    pub challenge: Vec<u8>,
    /// The `alg` of each item of `pubKeyCredParams`, in order.
    pub pub_key_cred_params: Vec<i64>,
    /// The RP requires user verification for this registration (§7.1 step 16).
    pub user_verification_required: bool,
    /// `mediation` was `conditional`, so UP may be clear (§7.1 step 15).
    pub conditional_mediation: bool,
}

/// What the RP decided for one authentication ceremony (its `PublicKeyCredentialRequestOptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationExpectations {
    /// The challenge the RP issued, as bytes.
    pub challenge: Vec<u8>,
    /// Credential IDs of `allowCredentials`; empty for a discoverable-credential ceremony (§7.2 step 5).
    pub allow_credentials: Vec<Vec<u8>>,
    /// User verification is required: `userVerification` was `required` (§7.2 step 17).
    pub user_verification_required: bool,
    /// The user handle of the account identified before the ceremony (by username or cookie), if any (§7.2 step 6).
    pub identified_user: Option<Vec<u8>>,
}

/// A failed check on its way to becoming a rejection or a warning.
pub(crate) fn fail(check: CheckId, detail: impl Into<String>) -> Rejection {
    Rejection::new(check, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_origin_match_only_by_default() {
        let p = Policy::new("example.org", "https://example.org");
        assert!(p.origin_allowed("https://example.org"));
        for o in [
            "https://example.org/",
            "https://EXAMPLE.org",
            "http://example.org",
            "https://example.org:443",
            "https://login.example.org",
            "null",
            "",
        ] {
            assert!(!p.origin_allowed(o), "{o}");
        }
    }

    #[test]
    fn subdomain_rule_is_structural_and_https_only() {
        let mut p = Policy::new("example.org", "https://example.org");
        p.origins.allow_rp_id_subdomains = true;
        assert!(p.origin_allowed("https://login.example.org"));
        assert!(p.origin_allowed("https://a.b.example.org"));
        for o in [
            "http://login.example.org",
            "https://evilexample.org",
            "https://login.example.org:8443",
            "https://login.example.org/",
            "https://.example.org",
            "https://example.org.evil.com",
            "https://user@example.org",
        ] {
            assert!(!p.origin_allowed(o), "{o}");
        }
    }

    #[test]
    fn settle_follows_level_and_policy() {
        let mut w = Vec::new();
        let mut p = Policy::new("example.org", "https://example.org");
        // MUST always rejects.
        assert!(p.settle(fail(CheckId::RegRpIdHash, ""), false, &mut w).is_err());
        // SHOULD follows enforce_should.
        assert!(p.settle(fail(CheckId::RegCredentialIdTooLong, ""), false, &mut w).is_err());
        p.enforce_should = false;
        assert!(p.settle(fail(CheckId::RegCredentialIdTooLong, ""), false, &mut w).is_ok());
        // POLICY follows its own switch.
        assert!(p.settle(fail(CheckId::AuthSignCount, ""), true, &mut w).is_err());
        assert!(p.settle(fail(CheckId::AuthSignCount, ""), false, &mut w).is_ok());
        assert_eq!(
            w.iter().map(|r| r.check).collect::<Vec<_>>(),
            vec![CheckId::RegCredentialIdTooLong, CheckId::AuthSignCount]
        );
    }
}

#[cfg(test)]
mod rp_id_hash_tests {
    use super::*;

    #[test]
    fn the_cached_hash_follows_the_rp_id() {
        let mut p = Policy::new("a.example", "https://a.example");
        assert_eq!(p.rp_id_hash(), crate::crypto::sha256(b"a.example"));
        assert_eq!(p.rp_id_hash(), crate::crypto::sha256(b"a.example"));
        p.rp_id = "b.example".into();
        assert_eq!(p.rp_id_hash(), crate::crypto::sha256(b"b.example"));
        assert_eq!(p, {
            let mut q = Policy::new("b.example", "https://a.example");
            q.rp_id = "b.example".into();
            q
        });
    }
}
