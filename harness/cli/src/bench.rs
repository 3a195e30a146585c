//! `webauthn-harness bench`: authentication ceremonies driven at one or more RPs over the conformance API, to
//! compare how fast they verify (DESIGN §7).
//!
//! Each target gets `--concurrency` virtual users, each registering one ES256 credential (`none` attestation)
//! first. Then the ceremonies run in `--rounds` rounds; in every round each target in turn (the order rotating
//! from round to round, so that drift of the machine falls on every target alike) runs its share with
//! `--concurrency` workers, each doing whole ceremonies back to back: `/assertion/options`, sign, `/assertion/result`.
//!
//! Measured per target: throughput (ceremonies per second of that target's phases), the latency of a whole
//! ceremony as a client sees it and the part of it spent waiting for the RP's two answers (`rp time`), as p50,
//! p90, p99; and the driver's own CPU time per ceremony (building and signing the assertion, JSON, HTTP client),
//! read from each worker thread's scheduler statistics: the instrument's overhead, reported, not hidden.
//! Assertions carry signCount 0 (an authenticator without a counter), so a credential can be used again and again.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use generator::ceremony::{AttestationKind, Generator};
use generator::client::{ClientConfig, CreationOptions};
use generator::keys::{Algorithm, KeyPair};
use generator::target::{Endpoint, Target};
use grader::transport::{HttpConfig, HttpTarget};
use serde::Serialize;
use serde_json::{json, Value};
use wire::base64url;

use crate::procs::{free_port, Server};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(clap::Args)]
pub struct Args {
    /// An RP's base URL (repeatable). Without any, the embedded reference RP is started once per crypto provider
    /// compiled in (each in its own process, like any other target) and those are benched
    #[arg(long = "target", value_name = "URL")]
    targets: Vec<String>,
    /// A name for each --target, in the same order (default: the URL)
    #[arg(long = "label")]
    labels: Vec<String>,
    /// Also bench the peer implementations in this folder (see targets/README.md): each is installed,
    /// started on a free port, benched with the others and stopped
    #[arg(long, value_name = "DIR")]
    peers: Option<PathBuf>,
    /// With --peers: only this one (repeatable)
    #[arg(long = "only", value_name = "NAME")]
    only: Vec<String>,
    /// With --peers: do not run their install.sh
    #[arg(long)]
    skip_install: bool,
    /// Also bench the embedded reference RP under each crypto provider (the default when no --target or
    /// --peers is given)
    #[arg(long)]
    with_reference: bool,
    /// The origin the client reports (default: each target URL's scheme://host[:port])
    #[arg(long)]
    origin: Option<String>,
    /// The RP ID (default: each target URL's host)
    #[arg(long)]
    rp_id: Option<String>,
    /// Measured ceremonies per target
    #[arg(long, default_value_t = 2000)]
    ceremonies: usize,
    /// Workers (virtual users) per target, each doing ceremonies back to back
    #[arg(long, default_value_t = 2)]
    concurrency: usize,
    /// Rounds the ceremonies are split into, targets taking turns in each
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Unmeasured ceremonies per target first (connections, caches, JIT)
    #[arg(long, default_value_t = 100)]
    warmup: usize,
    /// Seed for the credentials
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report here instead of standard output
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also write an SVG chart of the latencies and throughputs here
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Seconds one request may take
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

pub fn run(args: Args) -> ExitCode {
    crate::exit_status(run_inner(args))
}

/// One RP to bench.
struct TargetSpec {
    label: String,
    url: String,
    origin: String,
    rp_id: String,
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
struct Worker {
    http: HttpTarget,
    session: generator::target::SessionId,
    username: String,
    origin: String,
    rp_id_hash: [u8; 32],
    credential_id: String,
    user_handle: String,
    signer: Signer,
}

/// What one ceremony took.
#[derive(Clone, Copy)]
struct Sample {
    total: Duration,
    rp: Duration,
}

impl Worker {
    fn register(spec: &TargetSpec, index: usize, seed: u64, timeout: Duration) -> Result<Worker> {
        let mut config = HttpConfig::new(&spec.url);
        config.timeout = timeout;
        let mut http = HttpTarget::new(config);
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
        let client = ClientConfig { origin: spec.origin.clone(), rp_id: spec.rp_id.clone() };
        let body = options.draft(&client, &credential).sign(&credential, AttestationKind::None).to_json();
        let reply = http
            .call(session, Endpoint::AttestationResult, &body)
            .map_err(|e| anyhow::anyhow!("{}: /attestation/result: {}", spec.label, e.message))?;
        if !reply.accepted() {
            bail!("{}: the registration was refused: {}", spec.label, reply.body);
        }
        Ok(Worker {
            http,
            session,
            username,
            origin: spec.origin.clone(),
            rp_id_hash: verifier::crypto::sha256(spec.rp_id.as_bytes()),
            credential_id: base64url::encode(&credential.id),
            user_handle: base64url::encode(&options.user_id),
            signer: Signer::new(&credential.key),
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
            (true, Some(c)) => c.to_owned(),
            _ => return Err(format!("/assertion/options refused: {}", options.body)),
        };
        let client_data = format!(
            "{{\"type\":\"webauthn.get\",\"challenge\":{},\"origin\":{},\"crossOrigin\":false}}",
            Value::String(challenge),
            Value::String(self.origin.clone())
        );
        // rpIdHash, flags UP|UV, signCount 0.
        let mut auth_data = Vec::with_capacity(37);
        auth_data.extend_from_slice(&self.rp_id_hash);
        auth_data.extend_from_slice(&[0x05, 0, 0, 0, 0]);
        let mut message = auth_data.clone();
        message.extend_from_slice(&verifier::crypto::sha256(client_data.as_bytes()));
        let signature = self.signer.sign(&message);
        let body = json!({
            "id": self.credential_id,
            "rawId": self.credential_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": base64url::encode(client_data.as_bytes()),
                "authenticatorData": base64url::encode(&auth_data),
                "signature": base64url::encode(&signature),
                "userHandle": self.user_handle,
            },
            "clientExtensionResults": {},
        });
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
struct Tally {
    samples: Vec<Sample>,
    wall: Duration,
    driver_cpu: Duration,
    cpu_measured: bool,
    errors: usize,
    first_error: Option<String>,
}

/// Runs `per_worker` ceremonies on each worker at once; returns the workers with their samples.
fn phase(workers: Vec<Worker>, per_worker: usize, tally: Option<&mut Tally>) -> Vec<Worker> {
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

#[derive(Serialize)]
struct Percentiles {
    p50: f64,
    p90: f64,
    p99: f64,
    mean: f64,
}

fn percentiles(mut us: Vec<f64>) -> Percentiles {
    if us.is_empty() {
        return Percentiles { p50: 0.0, p90: 0.0, p99: 0.0, mean: 0.0 };
    }
    us.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| us[((us.len() as f64 - 1.0) * q).round() as usize];
    Percentiles { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: us.iter().sum::<f64>() / us.len() as f64 }
}

#[derive(Serialize)]
struct TargetResult {
    label: String,
    url: String,
    ceremonies: usize,
    errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_error: Option<String>,
    /// Ceremonies per second over this target's phases.
    throughput: f64,
    /// Whole ceremony as the client sees it, µs.
    latency_us: Percentiles,
    /// Waiting for the RP's two answers, µs.
    rp_time_us: Percentiles,
    /// The driver's CPU time per ceremony, µs (None where the platform does not tell).
    driver_cpu_us: Option<f64>,
}

#[derive(Serialize)]
struct BenchReport {
    schema: &'static str,
    harness_version: &'static str,
    machine: Machine,
    ceremonies_per_target: usize,
    concurrency: usize,
    rounds: usize,
    warmup: usize,
    targets: Vec<TargetResult>,
}

#[derive(Serialize)]
struct Machine {
    cpus: usize,
    cpu_model: String,
    os: &'static str,
}

fn machine() -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        cpu_model,
        os: std::env::consts::OS,
    }
}

fn spec_for(url: &str, label: Option<&String>, args: &Args) -> Result<TargetSpec> {
    let (origin, host) = crate::grade::origin_and_host(url).map_err(|e| anyhow::anyhow!(e))?;
    Ok(TargetSpec {
        label: label.cloned().unwrap_or_else(|| url.to_owned()),
        url: url.to_owned(),
        origin: args.origin.clone().unwrap_or(origin),
        rp_id: args.rp_id.clone().unwrap_or(host),
    })
}

fn run_inner(args: Args) -> Result<ExitCode> {
    if args.concurrency == 0 || args.rounds == 0 || args.ceremonies < args.rounds * args.concurrency {
        eprintln!(
            "error: --ceremonies ({}) must be at least --rounds x --concurrency ({} x {}), both at least 1",
            args.ceremonies, args.rounds, args.concurrency
        );
        return Ok(ExitCode::from(2));
    }
    if args.labels.len() > args.targets.len() {
        eprintln!("error: {} --label for {} --target", args.labels.len(), args.targets.len());
        return Ok(ExitCode::from(2));
    }
    // The targets; without any, the embedded RP once per provider, each a child process.
    let mut servers = Vec::new();
    let mut specs = Vec::new();
    if args.with_reference || (args.targets.is_empty() && args.peers.is_none()) {
        let exe = std::env::current_exe().context("finding this program")?;
        let logs = std::env::temp_dir();
        for provider in verifier::crypto::providers() {
            let port = free_port()?;
            let mut cmd = Command::new(&exe);
            cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--crypto", provider.name()]);
            let log = logs.join(format!("webauthn-harness-bench-{}-{port}.log", provider.name()));
            let mut server = Server::spawn(cmd, &log)?;
            server.wait_listening(port, Duration::from_secs(30))?;
            servers.push(server);
            specs.push(TargetSpec {
                label: format!("reference RP ({})", provider.name()),
                url: format!("http://127.0.0.1:{port}"),
                origin: format!("http://localhost:{port}"),
                rp_id: "localhost".into(),
            });
        }
    }
    for (i, url) in args.targets.iter().enumerate() {
        match spec_for(url, args.labels.get(i), &args) {
            Ok(s) => specs.push(s),
            Err(e) => {
                eprintln!("error: --target {url}: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    if let Some(dir) = &args.peers {
        let found = crate::peers::discover(dir)?;
        if let Some(missing) = args.only.iter().find(|n| !found.iter().any(|(_, i)| &i.name == *n)) {
            eprintln!("error: no target named {missing:?} in {}", dir.display());
            return Ok(ExitCode::from(2));
        }
        let logs = std::env::temp_dir();
        for (path, info) in found.iter().filter(|(_, i)| args.only.is_empty() || args.only.contains(&i.name))
        {
            if !args.skip_install {
                eprintln!("==> {}: installing", info.name);
                crate::peers::install(
                    path,
                    &logs.join(format!("webauthn-harness-bench-{}-install.log", info.name)),
                )?;
            }
            let port = free_port()?;
            let log = logs.join(format!("webauthn-harness-bench-{}-{port}.log", info.name));
            let mut server = crate::peers::start_target(path, port, &log)?;
            server.wait_listening(port, Duration::from_secs(120))?;
            servers.push(server);
            specs.push(TargetSpec {
                label: format!("{} {}", info.library, info.version),
                url: format!("http://127.0.0.1:{port}"),
                origin: format!("http://localhost:{port}"),
                rp_id: "localhost".into(),
            });
        }
    }

    let timeout = Duration::from_secs(args.timeout.max(1));
    let mut pools: Vec<Vec<Worker>> = Vec::new();
    for spec in &specs {
        eprintln!("==> {}: registering {} credentials", spec.label, args.concurrency);
        let workers = (0..args.concurrency)
            .map(|i| Worker::register(spec, i, args.seed, timeout))
            .collect::<Result<Vec<_>>>()?;
        pools.push(workers);
    }
    let warm_each = args.warmup.div_ceil(args.concurrency);
    if warm_each > 0 {
        eprintln!("==> warming up: {} ceremonies per target", warm_each * args.concurrency);
        for pool in &mut pools {
            *pool = phase(std::mem::take(pool), warm_each, None);
        }
    }
    let per_round = args.ceremonies / args.rounds;
    let per_worker = per_round.div_ceil(args.concurrency);
    let mut tallies: Vec<Tally> = specs.iter().map(|_| Tally::default()).collect();
    let total = args.rounds * specs.len();
    let mut done = 0;
    let started = Instant::now();
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    for round in 0..args.rounds {
        for k in 0..specs.len() {
            let t = (k + round) % specs.len();
            pools[t] = phase(std::mem::take(&mut pools[t]), per_worker, Some(&mut tallies[t]));
            done += 1;
            if progress {
                eprint!(
                    "\r==> round {}/{}: {done}/{total} phases, {:.0} s",
                    round + 1,
                    args.rounds,
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    if progress {
        eprintln!();
    }
    eprintln!("==> {total} phases in {:.1} s", started.elapsed().as_secs_f64());
    drop(servers);

    let results: Vec<TargetResult> = specs
        .iter()
        .zip(tallies)
        .map(|(spec, t)| {
            let n = t.samples.len();
            TargetResult {
                label: spec.label.clone(),
                url: spec.url.clone(),
                ceremonies: n,
                errors: t.errors,
                first_error: t.first_error,
                throughput: if t.wall.is_zero() { 0.0 } else { n as f64 / t.wall.as_secs_f64() },
                latency_us: percentiles(t.samples.iter().map(|s| s.total.as_secs_f64() * 1e6).collect()),
                rp_time_us: percentiles(t.samples.iter().map(|s| s.rp.as_secs_f64() * 1e6).collect()),
                driver_cpu_us: (t.cpu_measured && n > 0).then(|| t.driver_cpu.as_secs_f64() * 1e6 / n as f64),
            }
        })
        .collect();
    let report = BenchReport {
        schema: "webauthn-harness/bench/v1",
        harness_version: env!("CARGO_PKG_VERSION"),
        machine: machine(),
        ceremonies_per_target: per_worker * args.concurrency * args.rounds,
        concurrency: args.concurrency,
        rounds: args.rounds,
        warmup: warm_each * args.concurrency,
        targets: results,
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Markdown => markdown(&report),
        Format::Text => text(&report),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => out!("{text}"),
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, svg(&report)).with_context(|| format!("writing {}", path.display()))?;
    }
    let errors: usize = report.targets.iter().map(|t| t.errors).sum();
    if errors > 0 {
        for t in report.targets.iter().filter(|t| t.errors > 0) {
            eprintln!(
                "error: {}: {} ceremonies failed; the first: {}",
                t.label,
                t.errors,
                t.first_error.as_deref().unwrap_or("?")
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn fmt_cpu(v: Option<f64>) -> String {
    v.map(|c| format!("{c:.0}")).unwrap_or_else(|| "n/a".into())
}

fn text(r: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ceremonies per target, {} workers, {} rounds ({} warm-up); {} CPUs, {}",
        r.ceremonies_per_target, r.concurrency, r.rounds, r.warmup, r.machine.cpus, r.machine.cpu_model
    );
    let _ = writeln!(
        out,
        "{:<34} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>11} {:>6}",
        "target", "cer/s", "p50 µs", "p90 µs", "p99 µs", "rp p50", "rp p99", "driver µs", "errors"
    );
    for t in &r.targets {
        let _ = writeln!(
            out,
            "{:<34} {:>9.0} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>9.0} {:>11} {:>6}",
            t.label,
            t.throughput,
            t.latency_us.p50,
            t.latency_us.p90,
            t.latency_us.p99,
            t.rp_time_us.p50,
            t.rp_time_us.p99,
            fmt_cpu(t.driver_cpu_us),
            t.errors
        );
    }
    let _ = writeln!(out, "{}", overhead_line(r));
    out
}

/// The instrument's overhead against the fastest target.
fn overhead_line(r: &BenchReport) -> String {
    let fastest = r
        .targets
        .iter()
        .filter(|t| t.ceremonies > 0)
        .min_by(|a, b| a.rp_time_us.p50.total_cmp(&b.rp_time_us.p50));
    let cpu = r
        .targets
        .iter()
        .filter_map(|t| t.driver_cpu_us)
        .fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.max(c))));
    match (fastest, cpu) {
        (Some(f), Some(c)) => format!(
            "driver CPU per ceremony: at most {c:.0} µs; fastest target's RP time (p50): {:.0} µs ({}): the driver costs {:.2}x of it",
            f.rp_time_us.p50,
            f.label,
            c / f.rp_time_us.p50
        ),
        _ => "driver CPU per ceremony: not measurable here".into(),
    }
}

fn markdown(r: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# webauthn-harness bench\n");
    let _ = writeln!(
        out,
        "- {} measured ceremonies per target ({} warm-up), {} workers each, {} rounds with the targets taking turns\n- machine: {} CPUs, {} ({})\n- harness version: {}\n",
        r.ceremonies_per_target, r.warmup, r.concurrency, r.rounds, r.machine.cpus, r.machine.cpu_model, r.machine.os, r.harness_version
    );
    let _ = writeln!(out, "| target | ceremonies/s | latency p50 µs | p90 | p99 | RP time p50 µs | p90 | p99 | driver CPU µs/ceremony | errors |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for t in &r.targets {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} |",
            t.label.replace('|', "\\|"),
            t.throughput,
            t.latency_us.p50,
            t.latency_us.p90,
            t.latency_us.p99,
            t.rp_time_us.p50,
            t.rp_time_us.p90,
            t.rp_time_us.p99,
            fmt_cpu(t.driver_cpu_us),
            t.errors
        );
    }
    let _ = writeln!(out, "\n{}", overhead_line(r));
    out
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A bar chart: per target, p50/p90/p99 latency bars (µs, left) and the throughput as text.
fn svg(r: &BenchReport) -> String {
    let rows = r.targets.len().max(1);
    let (width, row_h, left, top) = (820.0, 54.0, 230.0, 40.0);
    let height = top + rows as f64 * row_h + 40.0;
    let max = r.targets.iter().map(|t| t.latency_us.p99).fold(1.0_f64, f64::max);
    let scale = (width - left - 120.0) / max;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">Authentication ceremony latency (µs; bars p50, p90, p99) and throughput, {} workers</text>\n",
        r.concurrency
    );
    for (i, t) in r.targets.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = writeln!(out, "<text x=\"10\" y=\"{:.0}\">{}</text>", y + 20.0, xml(&t.label));
        let _ = writeln!(
            out,
            "<text x=\"10\" y=\"{:.0}\" fill=\"#555\">{:.0} ceremonies/s</text>",
            y + 36.0,
            t.throughput
        );
        for (j, (v, colour)) in
            [(t.latency_us.p50, "#3b7dd8"), (t.latency_us.p90, "#7fa9e8"), (t.latency_us.p99, "#c3d5f2")]
                .iter()
                .enumerate()
        {
            let _ = writeln!(
                out,
                "<rect x=\"{left}\" y=\"{:.0}\" width=\"{:.1}\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.0}\">{:.0}</text>",
                y + 6.0 + j as f64 * 14.0,
                v * scale,
                left + v * scale + 4.0,
                y + 16.0 + j as f64 * 14.0,
                v
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
