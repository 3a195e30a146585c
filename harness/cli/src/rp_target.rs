//! Which RP a command talks to, shared by `grade` and `fuzz`: a URL (`--target`, or the RP profile's
//! `rp.base_url`), reached over the conformance API or the RP profile's own API, or else the embedded reference RP
//! on a loopback port; the client's origin and RP ID; and every declared origin.

use std::sync::Arc;

use anyhow::{Context, Result};
use grader::profile::RpProfile;

/// scheme://host[:port] and host of a URL (`grader::origins::origin_and_host`).
pub(crate) fn origin_and_host(url: &str) -> Result<(String, String)> {
    grader::origins::origin_and_host(url).map_err(anyhow::Error::msg)
}

/// The embedded reference RP's identity: fixed, so reports do not depend on the port it got.
pub const EMBEDDED_ORIGIN: &str = "https://rp.example";
pub const EMBEDDED_RP_ID: &str = "rp.example";
/// The embedded RP's second origin, on a subdomain of its RP ID: always declared when it is graded, so the cases
/// that report such an origin run.
pub const EMBEDDED_SUBDOMAIN_ORIGIN: &str = "https://login.rp.example";

pub fn embedded_rp(seed: u64) -> rp::ReferenceRp {
    let mut config = rp::Config::new(EMBEDDED_RP_ID, EMBEDDED_ORIGIN);
    config.policy.origins.allowed.push(EMBEDDED_SUBDOMAIN_ORIGIN.into());
    config.seed = Some(seed);
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    config.policy.attestation.metadata = Some(harness_metadata());
    rp::ReferenceRp::new(config)
}

/// The harness's test metadata (`pki export`'s BLOB), verified against its root at a fixed time inside its
/// certificates' validity, as the embedded RP loads it.
pub fn harness_metadata() -> Arc<verifier::metadata::Metadata> {
    let roots = [generator::metadata::metadata_root().der.clone()];
    let at = generator::pki::NOT_BEFORE + 86_400;
    match verifier::metadata::verify_blob(generator::metadata::blob().as_bytes(), &roots, at) {
        Ok(m) => Arc::new(m),
        // The BLOB is fixed data the harness writes and tests (generator::metadata, tests/metadata.rs).
        Err(e) => unreachable!("the harness's own metadata BLOB does not verify: {e}"),
    }
}

/// What the command line says about the RP.
pub struct Given<'a> {
    pub target: Option<&'a String>,
    /// The RP profile (file name, parsed), if one was given.
    pub rp_profile: Option<&'a (String, RpProfile)>,
    pub origins: &'a [String],
    pub rp_id: Option<&'a String>,
    /// Seeds the embedded RP.
    pub seed: u64,
}

/// The RP resolved.
pub struct Resolved {
    pub base_url: String,
    /// How reports name it.
    pub label: String,
    /// The client's origin: the first declared one.
    pub origin: String,
    pub rp_id: String,
    /// Every origin the RP is declared to accept, the client's first (the embedded RP's subdomain origin too).
    pub declared: Vec<String>,
    /// The flags that reach this RP again (`--profile FILE --target URL `), for reproduce commands.
    pub target_args: String,
    /// Keeps the embedded RP served while the command runs.
    pub server: Option<rp::server::Running>,
}

/// Resolves the RP; `Ok(Err(message))` is a usage error.
pub fn resolve(g: &Given<'_>) -> Result<std::result::Result<Resolved, String>> {
    let base = g.target.cloned().or_else(|| g.rp_profile.and_then(|(_, p)| p.rp.base_url.clone()));
    let profile_origins = g.rp_profile.map(|(_, p)| p.rp.origins.clone()).unwrap_or_default();
    let given = if g.origins.is_empty() { profile_origins } else { g.origins.to_vec() };
    if let Err(e) = grader::Origins::check(&given) {
        return Ok(Err(format!("--origin: {e}")));
    }
    let resolved = match &base {
        Some(url) => {
            let (origin, host) = match origin_and_host(url) {
                Ok(x) => x,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let rp_id = g
                .rp_id
                .cloned()
                .or_else(|| g.rp_profile.and_then(|(_, p)| p.rp.rp_id.clone()))
                .unwrap_or(host);
            let (label, target_args) = match (g.rp_profile, g.target) {
                (Some((file, _)), Some(_)) => {
                    (format!("{url} (RP profile {file})"), format!("--profile {file} --target {url} "))
                }
                (Some((file, _)), None) => {
                    (format!("{url} (RP profile {file})"), format!("--profile {file} "))
                }
                (None, _) => (url.clone(), format!("--target {url} ")),
            };
            let origin = given.first().cloned().unwrap_or(origin);
            Resolved {
                base_url: url.clone(),
                label,
                declared: std::iter::once(origin.clone()).chain(given.iter().skip(1).cloned()).collect(),
                origin,
                rp_id,
                target_args,
                server: None,
            }
        }
        None => {
            if let Some((file, _)) = g.rp_profile {
                return Ok(Err(format!("{file} names no rp.base_url: give the RP's URL with --target")));
            }
            if g.origins.first().is_some_and(|o| o != EMBEDDED_ORIGIN) {
                return Ok(Err(format!(
                    "the embedded RP is served at {EMBEDDED_ORIGIN}: without --target, the first --origin must be it"
                )));
            }
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .context("binding a loopback port for the embedded RP")?;
            let server = rp::server::Running::start_on(listener, Arc::new(embedded_rp(g.seed)))
                .context("starting the embedded reference RP")?;
            let mut declared: Vec<String> =
                std::iter::once(EMBEDDED_ORIGIN.to_owned()).chain(given.iter().skip(1).cloned()).collect();
            // The embedded RP also accepts its subdomain origin (see `embedded_rp`): declared, grading runs the
            // subdomain-origin cases and the fuzzing oracle accepts it as the RP does.
            if !declared.iter().any(|o| o == EMBEDDED_SUBDOMAIN_ORIGIN) {
                declared.push(EMBEDDED_SUBDOMAIN_ORIGIN.to_owned());
            }
            Resolved {
                base_url: server.url(),
                label: "embedded reference RP".to_owned(),
                origin: EMBEDDED_ORIGIN.to_owned(),
                rp_id: EMBEDDED_RP_ID.to_owned(),
                declared,
                target_args: String::new(),
                server: Some(server),
            }
        }
    };
    Ok(Ok(resolved))
}
