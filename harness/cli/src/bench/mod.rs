//! `webauthn-harness bench`: authentication ceremonies driven at one or more RPs over the conformance API, to
//! compare how fast they verify.
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

mod args;
mod render;
mod stats;
mod workers;

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

pub use args::{Args, Format};
use stats::{machine, percentiles, BenchReport, TargetResult};
use workers::{phase, Tally, TargetSpec, Worker};

use crate::procs::{free_port, Server};

pub fn run(args: Args) -> ExitCode {
    crate::exit_status(run_inner(args))
}

fn spec_for(url: &str, label: Option<&String>, args: &Args) -> Result<TargetSpec> {
    let (origin, host) = crate::rp_target::origin_and_host(url).map_err(|e| anyhow::anyhow!(e))?;
    Ok(TargetSpec {
        label: label.cloned().unwrap_or_else(|| url.to_owned()),
        url: url.to_owned(),
        origin: args.origin.clone().unwrap_or(origin),
        rp_id: args.rp_id.clone().unwrap_or(host),
        profile: None,
    })
}

/// A target described by an RP profile: its base URL, origin and RP ID from the file (`--origin` and `--rp-id`
/// override the latter two).
fn spec_for_profile(path: &std::path::Path, args: &Args) -> Result<TargetSpec, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let profile = grader::profile::RpProfile::parse(&name, &text).map_err(|e| e.to_string())?;
    let url = profile.rp.base_url.clone().ok_or_else(|| format!("{name} names no rp.base_url"))?;
    let (origin, host) = crate::rp_target::origin_and_host(&url).map_err(|e| e.to_string())?;
    Ok(TargetSpec {
        label: format!("{url} (RP profile {name})"),
        origin: args.origin.clone().or_else(|| profile.rp.origins.first().cloned()).unwrap_or(origin),
        rp_id: args.rp_id.clone().or_else(|| profile.rp.rp_id.clone()).unwrap_or(host),
        url,
        profile: Some(std::sync::Arc::new(profile)),
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
    if args.with_reference || (args.targets.is_empty() && args.profiles.is_empty() && args.peers.is_none()) {
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
                profile: None,
            });
        }
    }
    for path in &args.profiles {
        match spec_for_profile(path, &args) {
            Ok(s) => specs.push(s),
            Err(e) => {
                eprintln!("error: --profile {}: {e}", path.display());
                return Ok(ExitCode::from(2));
            }
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
            // A product is benched through its own API, as it is graded: its RP profile.
            let profile = match &info.rp_profile {
                Some(file) => {
                    let file = path.join(file);
                    let name = file.display().to_string();
                    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {name}"))?;
                    let p = grader::profile::RpProfile::parse(&name, &text)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    Some(std::sync::Arc::new(p))
                }
                None => None,
            };
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
                profile,
            });
        }
    }

    let timeout = Duration::from_secs(args.timeout.max(1));
    let mut pools: Vec<Vec<Worker>> = Vec::new();
    for (n, spec) in specs.iter().enumerate() {
        eprintln!("==> {}: registering {} credentials", spec.label, args.concurrency);
        // Each worker of each target has its own username and credential: two targets may be one RP (through
        // the conformance API and through a profile of it).
        let workers = (0..args.concurrency)
            .map(|i| Worker::register(spec, n * args.concurrency + i, args.seed, timeout))
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
        Format::Markdown => render::markdown(&report),
        Format::Text => render::text(&report),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => out!("{text}"),
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, render::svg(&report)).with_context(|| format!("writing {}", path.display()))?;
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
