//! `webauthn-harness verify registration|authentication`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use base64::Engine;
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use verifier::attestation::AttestationType;
use verifier::crypto::SUPPORTED_ALGORITHMS;
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, Ceremony, CredentialRecord, OneRecordStore, Policy,
    RegistrationExpectations, RegistrationResponse, Rejection,
};
use wire::base64url;

/// `verify`'s subcommands: one per ceremony, with what verifying it needs.
#[derive(Subcommand)]
pub enum Command {
    /// Verify a registration response (RegistrationResponseJSON) as §7.1 says.
    Registration(RegistrationArgs),
    /// Verify an authentication response (AuthenticationResponseJSON) as §7.2 says.
    Authentication(AuthenticationArgs),
}

/// What both ceremonies need.
#[derive(Args)]
pub struct Common {
    /// The response, in the WebAuthn JSON serialization (or the FIDO conformance API's ServerPublicKeyCredential).
    #[arg(long, value_name = "FILE")]
    response: PathBuf,
    /// The challenge the RP issued, base64url without padding.
    #[arg(long, value_name = "B64URL")]
    challenge: String,
    /// An origin the RP expects, e.g. https://example.org (repeat for several).
    #[arg(long = "origin", value_name = "ORIGIN", required = true)]
    origins: Vec<String>,
    /// The RP ID, e.g. example.org.
    #[arg(long, value_name = "ID")]
    rp_id: String,
    /// The RP requires user verification (the UV flag must be set).
    #[arg(long)]
    require_uv: bool,
    /// Accept `crossOrigin: true` (the RP expects to be used in cross-origin iframes).
    #[arg(long)]
    allow_cross_origin: bool,
    /// A top-level origin the RP expects to be framed by (implies --allow-cross-origin; repeatable).
    #[arg(long = "top-origin", value_name = "ORIGIN")]
    top_origins: Vec<String>,
    /// Report SHOULD-level failures as warnings instead of rejecting.
    #[arg(long)]
    lenient: bool,
}

#[derive(Args)]
pub struct RegistrationArgs {
    #[command(flatten)]
    common: Common,
    /// The time to check certificates against, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// A trusted attestation root certificate, PEM or DER (repeatable).
    #[arg(long = "trust-anchor", value_name = "FILE")]
    trust_anchors: Vec<PathBuf>,
    /// Trusted roots for one attestation format only, as FMT=FILE (PEM or DER; repeatable): a statement of that
    /// format (also inside a compound one) must chain to these instead of the --trust-anchor roots.
    #[arg(long = "format-anchor", value_name = "FMT=FILE")]
    format_anchors: Vec<String>,
    /// A COSE algorithm the RP offered in pubKeyCredParams (repeatable; default: every supported one: -7 -35 -257 -8 -19).
    #[arg(long = "alg", value_name = "COSE_ALG", allow_hyphen_values = true)]
    algs: Vec<i64>,
    /// mediation was "conditional", so the UP flag may be clear.
    #[arg(long)]
    conditional: bool,
    /// A FIDO Metadata Service (MDS3) BLOB, the JWS file as downloaded (never fetched): the authenticator's
    /// entry (by AAGUID, or by the attestation certificate's key identifier for fido-u2f) supplies trust
    /// anchors, and its status reports can refuse it. Needs --metadata-root.
    #[arg(long, value_name = "FILE", requires = "metadata_roots")]
    metadata: Option<PathBuf>,
    /// The root certificate the BLOB's x5c chain must lead to, PEM or DER (repeatable); for the FIDO MDS that is
    /// the root its download page names, for `pki export`'s test BLOB `metadata-root.pem`.
    #[arg(long = "metadata-root", value_name = "FILE")]
    metadata_roots: Vec<PathBuf>,
    /// Refuse an attested registration whose authenticator has no entry in the metadata.
    #[arg(long, requires = "metadata")]
    metadata_require_entry: bool,
    /// The status reports that refuse an authenticator (repeatable; default: REVOKED, ATTESTATION_KEY_COMPROMISE,
    /// USER_VERIFICATION_BYPASS, USER_KEY_REMOTE_COMPROMISE, USER_KEY_PHYSICAL_COMPROMISE).
    #[arg(long = "metadata-refuse", value_name = "STATUS", requires = "metadata")]
    metadata_refuse: Vec<String>,
}

#[derive(Args)]
pub struct AuthenticationArgs {
    #[command(flatten)]
    common: Common,
    /// The stored credential record, JSON: `id`, `publicKey` (COSE_Key), base64url; `signCount`; optional
    /// `backupEligible`, `backupState`, `uvInitialized`, `transports`, `userHandle` — as `verify registration` prints it.
    #[arg(long, value_name = "FILE")]
    credential: PathBuf,
    /// The user handle of the account identified before the ceremony, base64url (default: the record's userHandle;
    /// with neither, the response must carry a userHandle).
    #[arg(long, value_name = "B64URL")]
    user_handle: Option<String>,
    /// Credential IDs of allowCredentials, base64url (repeatable; default: empty list).
    #[arg(long = "allow-credential", value_name = "B64URL")]
    allow_credentials: Vec<String>,
    /// Accept a signature counter that did not increase (report it as a warning).
    #[arg(long)]
    allow_counter_rollback: bool,
}

pub fn run(c: Command) -> ExitCode {
    let result = match c {
        Command::Registration(a) => registration(a),
        Command::Authentication(a) => authentication(a),
    };
    match result {
        Ok((verdict, accepted)) => {
            outln!("{}", serde_json::to_string_pretty(&verdict).unwrap_or_default());
            if accepted {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read the {what} file {}", path.display()))
}

fn b64(value: &str, option: &str) -> Result<Vec<u8>> {
    base64url::decode(value).with_context(|| format!("--{option} {value:?} is not unpadded base64url"))
}

fn policy(c: &Common) -> Policy {
    let mut p = Policy::new(&c.rp_id, "");
    p.origins.allowed = c.origins.clone();
    p.framing.allow_cross_origin = c.allow_cross_origin || !c.top_origins.is_empty();
    p.framing.allowed_top_origins = c.top_origins.clone();
    p.enforce_should = !c.lenient;
    p
}

fn rejected(r: &Rejection, ceremony: Ceremony) -> Value {
    json!({
        "result": "rejected",
        "ceremony": ceremony.as_str(),
        "check": r.check.id(),
        "spec": r.check.spec(),
        "level": r.check.level().as_str(),
        "detail": r.detail,
    })
}

fn warnings(w: &[Rejection]) -> Value {
    w.iter()
        .map(|r| json!({"check": r.check.id(), "spec": r.check.spec(), "level": r.check.level().as_str(), "detail": r.detail}))
        .collect()
}

/// PEM (one or more CERTIFICATE blocks) or DER.
fn certificates(path: &Path) -> Result<Vec<Vec<u8>>> {
    let bytes = read(path, "trust anchor")?;
    let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(vec![bytes]) };
    if !text.contains("-----BEGIN") {
        return Ok(vec![bytes]);
    }
    let mut certs = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line == "-----BEGIN CERTIFICATE-----" {
            body = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            let b = body.take().with_context(|| format!("{}: END without BEGIN", path.display()))?;
            certs.push(
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .with_context(|| format!("{}: bad base64 in a PEM block", path.display()))?,
            );
        } else if let Some(b) = body.as_mut() {
            b.push_str(line);
        }
    }
    if certs.is_empty() {
        bail!("{}: no CERTIFICATE block", path.display());
    }
    Ok(certs)
}

fn registration(a: RegistrationArgs) -> Result<(Value, bool)> {
    let body = read(&a.common.response, "response")?;
    let challenge = b64(&a.common.challenge, "challenge")?;
    let now = match &a.now {
        Some(t) => {
            humantime::parse_rfc3339(t).with_context(|| format!("--now {t:?} is not an RFC 3339 time"))?
        }
        None => std::time::SystemTime::now(),
    };
    let now = now.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut policy = policy(&a.common);
    for path in &a.trust_anchors {
        policy.attestation.trust_anchors.extend(certificates(path)?);
    }
    for spec in &a.format_anchors {
        let (fmt, path) =
            spec.split_once('=').with_context(|| format!("--format-anchor {spec:?} is not FMT=FILE"))?;
        let certs = certificates(Path::new(path))?;
        match policy.attestation.format_anchors.iter_mut().find(|(f, _)| f == fmt) {
            Some((_, anchors)) => anchors.extend(certs),
            None => policy.attestation.format_anchors.push((fmt.to_owned(), certs)),
        }
    }
    if let Some(blob_path) = &a.metadata {
        let mut roots = Vec::new();
        for path in &a.metadata_roots {
            roots.extend(certificates(path)?);
        }
        let blob = read(blob_path, "metadata")?;
        let metadata = verifier::metadata::verify_blob(&blob, &roots, now)
            .with_context(|| format!("--metadata {}", blob_path.display()))?;
        policy.attestation.metadata = Some(std::sync::Arc::new(metadata));
        policy.attestation.metadata_status.require_entry = a.metadata_require_entry;
        if !a.metadata_refuse.is_empty() {
            policy.attestation.metadata_status.refused = a.metadata_refuse.clone();
        }
    }
    let expectations = RegistrationExpectations {
        challenge,
        pub_key_cred_params: if a.algs.is_empty() { SUPPORTED_ALGORITHMS.to_vec() } else { a.algs.clone() },
        user_verification_required: a.common.require_uv,
        conditional_mediation: a.conditional,
    };
    let outcome = RegistrationResponse::from_json_bytes(&body)
        .and_then(|r| verifier::verify_registration(&r, &expectations, &policy, &verifier::EmptyStore, now));
    Ok(match outcome {
        Ok(o) => {
            let attestation = match &o.attestation {
                AttestationType::None => "none",
                AttestationType::SelfAttestation => "self",
                AttestationType::Basic { .. } => "basic",
                AttestationType::Compound(_) => "compound",
            };
            (
                json!({
                    "result": "accepted",
                    "ceremony": Ceremony::Registration.as_str(),
                    "fmt": o.fmt,
                    "attestationType": attestation,
                    "aaguid": base64url::encode(&o.aaguid),
                    "credential": o.record.to_json(),
                    "warnings": warnings(&o.warnings),
                }),
                true,
            )
        }
        Err(r) => (rejected(&r, Ceremony::Registration), false),
    })
}

fn authentication(a: AuthenticationArgs) -> Result<(Value, bool)> {
    let body = read(&a.common.response, "response")?;
    let challenge = b64(&a.common.challenge, "challenge")?;
    let record_bytes = read(&a.credential, "credential")?;
    let record = CredentialRecord::from_json_bytes(&record_bytes).with_context(|| {
        format!("the credential file {} is not a usable credential record", a.credential.display())
    })?;
    let identified_user = match &a.user_handle {
        Some(h) => Some(b64(h, "user-handle")?),
        None => record.user_handle.clone(),
    };
    let allow_credentials =
        a.allow_credentials.iter().map(|c| b64(c, "allow-credential")).collect::<Result<Vec<_>>>()?;
    let mut policy = policy(&a.common);
    if a.allow_counter_rollback {
        policy.counter = verifier::policy::CounterPolicy::Warn;
    }
    let expectations = AuthenticationExpectations {
        challenge,
        allow_credentials,
        user_verification_required: a.common.require_uv,
        identified_user,
    };
    // The record's own account when it names one, else any account.
    let store = match record.user_handle.clone() {
        Some(owner) => OneRecordStore::new(&owner, record),
        None => OneRecordStore::any_account(record),
    };
    let outcome = AuthenticationResponse::from_json_bytes(&body)
        .and_then(|r| verifier::verify_authentication(&r, &expectations, &policy, &store));
    Ok(match outcome {
        Ok(o) => (
            json!({
                "result": "accepted",
                "ceremony": Ceremony::Authentication.as_str(),
                "userHandle": base64url::encode(&o.user_handle),
                "cloneWarning": o.clone_warning,
                "credential": o.record.to_json(),
                "warnings": warnings(&o.warnings),
            }),
            true,
        ),
        Err(r) => (rejected(&r, Ceremony::Authentication), false),
    })
}
