//! The virtual users: each registers a credential, then runs whole authentication ceremonies back to back on
//! its own connection; a phase runs every worker of one target at once and tallies what they measured.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use generator::ceremony::{AssertionDraft, AttestationKind, Generator, Rp};
use generator::client::{ClientConfig, CreationOptions};
use generator::keys::{Algorithm, KeyPair};
use generator::target::{Endpoint, Target};
use grader::profile::RpProfile;
use grader::profile_target::ProfileTarget;
use grader::transport::{HttpConfig, HttpTarget};
use serde_json::{json, Value};
use wire::authdata::Flags;
use wire::client_data;

/// One RP to bench.
pub(super) struct TargetSpec {
    pub(super) label: String,
    pub(super) url: String,
    pub(super) origin: String,
    pub(super) rp_id: String,
    /// The RP's own API, where it is not the conformance API.
    pub(super) profile: Option<std::sync::Arc<RpProfile>>,
}

/// Signs assertions for one credential.
enum Signer {
    #[cfg(feature = "aws-lc-rs")]
    AwsLc(aws_lc_rs::signature::EcdsaKeyPair, aws_lc_rs::rand::SystemRandom),
    #[cfg_attr(feature = "aws-lc-rs", allow(dead_code))]
    RustCrypto(KeyPair),
}

impl Signer {
    fn new(key: &KeyPair) -> Signer {
        #[cfg(feature = "aws-lc-rs")]
        if let KeyPair::Es256(k) = key {
            use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
            let public = k.verifying_key().to_encoded_point(false);
            if let Ok(pair) = EcdsaKeyPair::from_private_key_and_public_key(
                &ECDSA_P256_SHA256_ASN1_SIGNING,
                &k.to_bytes(),
                public.as_bytes(),
            ) {
                return Signer::AwsLc(pair, aws_lc_rs::rand::SystemRandom::new());
            }
        }
        Signer::RustCrypto(key.clone())
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            #[cfg(feature = "aws-lc-rs")]
            Signer::AwsLc(pair, rng) => match pair.sign(rng, message) {
                Ok(sig) => sig.as_ref().to_vec(),
                Err(_) => Vec::new(),
            },
            Signer::RustCrypto(key) => key.sign(message),
        }
    }
}

/// A virtual user with a registered credential, on its own connection and cookie jar.
pub(super) struct Worker {
    http: Box<dyn Target + Send>,
    session: generator::target::SessionId,
    username: String,
    origin: String,
    /// The assertion every ceremony signs, but for its client data: the credential's ID and user handle, and
    /// authenticator data with UP and UV set and signCount 0.
    draft: AssertionDraft,
    signer: Signer,
}

/// What one ceremony took.
#[derive(Clone, Copy)]
pub(super) struct Sample {
    pub(super) total: Duration,
    pub(super) rp: Duration,
}

impl Worker {
    pub(super) fn register(spec: &TargetSpec, index: usize, seed: u64, timeout: Duration) -> Result<Worker> {
        let mut config = HttpConfig::new(&spec.url);
        config.timeout = timeout;
        let mut http: Box<dyn Target + Send> = match &spec.profile {
            // The virtual client's origin is what the profile's `{origin}` stands for.
            Some(profile) => {
                Box::new(ProfileTarget::new(profile.clone(), config).with_origin(spec.origin.clone()))
            }
            None => Box::new(HttpTarget::new(config)),
        };
        let session = http.new_session();
        let username = format!("bench.{seed}.{index}");
        let reply = http
            .call(
                session,
                Endpoint::AttestationOptions,
                &json!({"username": username, "displayName": username, "attestation": "none",
                        "authenticatorSelection": {"userVerification": "preferred", "requireResidentKey": false}}),
            )
            .map_err(|e| anyhow::anyhow!("{}: /attestation/options: {}", spec.label, e.message))?;
        if !reply.accepted() {
            bail!("{}: /attestation/options refused: {}", spec.label, reply.body);
        }
        let options =
            CreationOptions::from_json(&reply.body).map_err(|e| anyhow::anyhow!("{}: {e}", spec.label))?;
        if !options.algorithms.contains(&Algorithm::Es256.cose()) {
            bail!("{}: the RP does not offer ES256 (pubKeyCredParams {:?})", spec.label, options.algorithms);
        }
        let credential = Generator::new(seed ^ (index as u64) << 32).credential(Algorithm::Es256, 16);
        let client = ClientConfig::new(spec.origin.clone(), spec.rp_id.clone());
        let body = options.draft(&client, &credential).sign(&credential, AttestationKind::None).to_json();
        let reply = http
            .call(session, Endpoint::AttestationResult, &body)
            .map_err(|e| anyhow::anyhow!("{}: /attestation/result: {}", spec.label, e.message))?;
        if !reply.accepted() {
            bail!("{}: the registration was refused: {}", spec.label, reply.body);
        }
        let rp = Rp::new(&spec.rp_id, &spec.origin);
        let draft = AssertionDraft::new(&rp, &credential, &[], Flags::UV, 0, Some(options.user_id.clone()));
        Ok(Worker {
            http,
            session,
            username,
            origin: spec.origin.clone(),
            signer: Signer::new(&credential.key),
            draft,
        })
    }

    /// One whole authentication ceremony.
    fn ceremony(&mut self) -> Result<Sample, String> {
        let started = Instant::now();
        let options = self
            .http
            .call(
                self.session,
                Endpoint::AssertionOptions,
                &json!({"username": self.username, "userVerification": "preferred"}),
            )
            .map_err(|e| format!("/assertion/options: {}", e.message))?;
        let rp_options = started.elapsed();
        let challenge = match (options.accepted(), options.body.get("challenge").and_then(Value::as_str)) {
            (true, Some(c)) => c,
            _ => return Err(format!("/assertion/options refused: {}", options.body)),
        };
        // The challenge goes into the client data as the RP sent it.
        self.draft.client_data_json =
            client_data::serialize("webauthn.get", challenge, &self.origin, false, None, &[]);
        let body = self.draft.sign_with(|message| self.signer.sign(message)).to_json();
        let before_result = Instant::now();
        let result = self
            .http
            .call(self.session, Endpoint::AssertionResult, &body)
            .map_err(|e| format!("/assertion/result: {}", e.message))?;
        let rp_result = before_result.elapsed();
        if !result.accepted() {
            return Err(format!("the assertion was refused: {}", result.body));
        }
        Ok(Sample { total: started.elapsed(), rp: rp_options + rp_result })
    }
}

/// CPU time this thread has run, from the scheduler's statistics (nanoseconds; Linux).
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// Results of one target.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) samples: Vec<Sample>,
    pub(super) wall: Duration,
    pub(super) driver_cpu: Duration,
    pub(super) cpu_measured: bool,
    pub(super) errors: usize,
    pub(super) first_error: Option<String>,
}

/// Runs `per_worker` ceremonies on each worker at once; returns the workers with their samples.
pub(super) fn phase(workers: Vec<Worker>, per_worker: usize, tally: Option<&mut Tally>) -> Vec<Worker> {
    let started = Instant::now();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|mut w| {
            std::thread::spawn(move || {
                let cpu0 = thread_cpu();
                let mut samples = Vec::with_capacity(per_worker);
                let mut errors = Vec::new();
                for _ in 0..per_worker {
                    match w.ceremony() {
                        Ok(s) => samples.push(s),
                        Err(e) => errors.push(e),
                    }
                }
                let cpu = match (cpu0, thread_cpu()) {
                    (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                    _ => None,
                };
                (w, samples, errors, cpu)
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut results = Vec::new();
    for h in handles {
        if let Ok(r) = h.join() {
            results.push(r);
        }
    }
    let wall = started.elapsed();
    if let Some(t) = tally {
        t.wall += wall;
        for (_, samples, errors, cpu) in &results {
            t.samples.extend_from_slice(samples);
            t.errors += errors.len();
            if t.first_error.is_none() {
                t.first_error = errors.first().cloned();
            }
            if let Some(c) = cpu {
                t.driver_cpu += *c;
                t.cpu_measured = true;
            }
        }
    }
    for (w, ..) in results {
        out.push(w);
    }
    out
}
