//! `webauthn-harness fuzz`: differential fuzzing of a live RP with the reference verifier as the oracle
//! (`fuzzing::live`), and `--replay` of the findings it wrote.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use fuzzing::live::replay::{self, FindingFile, Replayed};
use fuzzing::live::{self, Ceremony, Client, LiveConfig};
use generator::client::ClientConfig;
use generator::target::{Endpoint, Target};
use grader::profile::RpProfile;
use grader::profile_target::ProfileTarget;
use grader::transport::HttpConfig;
use serde_json::json;

use crate::regressions::replay_files;

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum CeremonyArg {
    Registration,
    Authentication,
    Both,
}

#[derive(clap::Args)]
pub struct Args {
    /// The RP's base URL (the conformance API, or an RP profile's paths, appended). Without it (and without a
    /// profile with a base URL), the embedded reference RP is fuzzed (it should yield no finding).
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// An RP profile file (TOML, see the README's "Grade your own RP"): the RP is reached through its own API.
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// An origin the RP accepts (repeatable): the first is the one the virtual client reports (default: the
    /// target URL's scheme://host[:port]); the oracle accepts all of them.
    #[arg(long = "origin", value_name = "ORIGIN")]
    origins: Vec<String>,
    /// The RP ID used when options name none (default: the target URL's host).
    #[arg(long, value_name = "ID")]
    rp_id: Option<String>,
    /// Which ceremonies to fuzz.
    #[arg(long, value_enum, default_value = "both")]
    ceremony: CeremonyArg,
    /// Stop after this long: seconds, or a number with s, m or h (`90s`, `10m`, `1h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    time: Option<Duration>,
    /// Stop after about this many calls to the RP (the ceremony under way finishes). Default: 10000 when no
    /// --time is given, no limit otherwise.
    #[arg(long, value_name = "N")]
    max_requests: Option<u64>,
    /// Stop once this many distinct findings are recorded.
    #[arg(long, value_name = "N")]
    max_findings: Option<usize>,
    /// Workers, each a virtual client with its own sessions, sending at once.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// Seed of the generated ceremonies: with --jobs 1 against a deterministic RP, the same seed sends the same
    /// descriptions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where each finding is written as a replay file (<id>.json).
    #[arg(long, value_name = "DIR", default_value = "fuzz-findings")]
    findings: PathBuf,
    /// Replay files of findings already known (a directory of them, e.g. last night's artefacts): a finding with
    /// the same id is not new, so it does not make the exit status 1.
    #[arg(long, value_name = "DIR")]
    known: Option<PathBuf>,
    /// Do not minimise findings (each minimisation sends a few more ceremonies).
    #[arg(long)]
    no_minimise: bool,
    /// Skip the pairwise phase. By default a run first sends every near miss of a fixed dictionary (a wrong
    /// challenge, origin, type, rpIdHash, each flag bit, large counters, unknown members, other serializations,
    /// ...) alone and then with every other, in both orders, re-signed and not (about 5,400 ceremonies of each
    /// kind), so a check skipped only under a second, unrelated condition is reached; random descriptions follow.
    #[arg(long)]
    no_pairwise: bool,
    /// Ceremonies sent in one session (each with options of its own): registrations, and the assertions of one
    /// account. Default: 1 on the conformance API; 64 when the RP profile sets a session up (`session.prelude` or
    /// `session.account` steps: a sign-up or sign-in, which otherwise every ceremony would pay). 1 is the exact
    /// mode: no ceremony sees the session state another left.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    session_reuse: Option<u16>,
    /// Send the ceremony of a replay file (or of every replay file in a directory) again and say whether the RP
    /// still disagrees. Exit status 1 if any finding reproduces, 0 if none does.
    #[arg(long, value_name = "FILE|DIR")]
    replay: Option<PathBuf>,
    /// The report's form.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Print progress (requests/s, findings) to standard error every second even when it is not a terminal.
    #[arg(long)]
    progress: bool,
}

/// `90`, `90s`, `10m`, `1h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: u64 =
        n.parse().map_err(|_| format!("{s:?}: expected a number of seconds, or a number with s, m or h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (s, m or h)")),
    };
    Ok(Duration::from_secs(secs))
}

pub fn run(args: Args) -> ExitCode {
    crate::exit_status(run_inner(args))
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The RP to fuzz (see [`crate::rp_target`]) and the profile it is reached through.
struct Resolved {
    rp: crate::rp_target::Resolved,
    profile: Arc<RpProfile>,
}

fn resolve(args: &Args) -> Result<std::result::Result<Resolved, String>> {
    let profile = match &args.profile {
        Some(path) => {
            let name = path.display().to_string();
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return Ok(Err(format!("--profile {name}: {e}"))),
            };
            match RpProfile::parse(&name, &text) {
                Ok(p) => Some((name, p)),
                Err(e) => return Ok(Err(e.to_string())),
            }
        }
        None => None,
    };
    let given = crate::rp_target::Given {
        target: args.target.as_ref(),
        rp_profile: profile.as_ref(),
        origins: &args.origins,
        rp_id: args.rp_id.as_ref(),
        seed: args.seed,
    };
    let rp = match crate::rp_target::resolve(&given)? {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let profile = Arc::new(profile.map_or_else(RpProfile::conformance_api, |(_, p)| p));
    Ok(Ok(Resolved { rp, profile }))
}

fn run_inner(args: Args) -> Result<ExitCode> {
    let Resolved { rp: r, profile } = match resolve(&args)? {
        Ok(r) => r,
        Err(e) => return Ok(usage(e)),
    };
    let mut http = HttpConfig::new(&r.base_url);
    http.timeout = Duration::from_secs(args.timeout.max(1));
    let new_target = {
        let (profile, http, origin) = (profile.clone(), http.clone(), r.origin.clone());
        move || -> Box<dyn Target + Send> {
            Box::new(ProfileTarget::new(profile.clone(), http.clone()).with_origin(origin.clone()))
        }
    };
    // Reachability: one options call must get an HTTP answer.
    {
        let mut t = new_target();
        let s = t.new_session();
        if let Err(e) = t.call(
            s,
            Endpoint::AttestationOptions,
            &json!({"username": "webauthn-harness-probe", "displayName": "probe"}),
        ) {
            eprintln!("error: the target {} is unreachable: {e}", r.base_url);
            return Ok(ExitCode::from(3));
        }
    }
    let client = ClientConfig::new(r.origin.clone(), r.rp_id.clone());
    if let Some(path) = &args.replay {
        return replay_all(path, &new_target, client, &r.declared, args.seed);
    }

    let mut cfg = LiveConfig::new(client, args.seed);
    cfg.origins = r.declared.clone();
    cfg.ceremonies = match args.ceremony {
        CeremonyArg::Registration => vec![Ceremony::Registration],
        CeremonyArg::Authentication => vec![Ceremony::Authentication],
        CeremonyArg::Both => vec![Ceremony::Registration, Ceremony::Authentication],
    };
    cfg.time = args.time;
    cfg.max_requests = args.max_requests.or(if args.time.is_some() { None } else { Some(10_000) });
    cfg.jobs = usize::from(args.jobs);
    cfg.minimise = !args.no_minimise;
    cfg.pairwise = !args.no_pairwise;
    let sets_up = !profile.session.account.is_empty() || !profile.session.prelude.is_empty();
    cfg.session_reuse = args.session_reuse.map_or(if sets_up { 64 } else { 1 }, usize::from);
    cfg.max_findings = args.max_findings;
    // A run tag from the clock, so runs against a persistent RP do not reuse its accounts.
    let tag =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    cfg.user_prefix = format!("fuzz-{:x}", tag ^ args.seed);

    let known = match &args.known {
        Some(dir) => match known_ids(dir) {
            Ok(k) => k,
            Err(e) => return Ok(usage(e)),
        },
        None => BTreeSet::new(),
    };
    let show_progress = args.progress || std::io::stderr().is_terminal();
    let progress = |p: &live::Progress| {
        if show_progress {
            eprintln!("{}", p.line());
        }
    };
    let written: Mutex<Vec<(String, PathBuf)>> = Mutex::new(vec![]);
    let write_error: Mutex<Option<String>> = Mutex::new(None);
    let found = |f: &live::Found| {
        let file = FindingFile::of(f, &r.origin, &r.rp_id, args.seed);
        match file.write(&args.findings) {
            Ok(path) => {
                if show_progress {
                    eprintln!("finding {} ({}) -> {}", f.id, f.disagreement.class(), path.display());
                }
                written.lock().unwrap_or_else(|e| e.into_inner()).push((f.id.clone(), path));
            }
            Err(e) => {
                *write_error.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(format!("writing a finding to {}: {e}", args.findings.display()));
            }
        }
    };
    let mut report = live::run(&cfg, &new_target, &progress, &found);
    report.target = r.label.clone();
    let written = written.into_inner().unwrap_or_else(|e| e.into_inner());
    for f in &mut report.findings {
        f.replay = written.iter().find(|(id, _)| *id == f.id).map(|(_, p)| p.display().to_string());
    }
    let text = match args.format {
        Format::Text => report.text(),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Markdown => report.markdown(),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => out!("{text}"),
    }
    if let Some(e) = write_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        anyhow::bail!(e);
    }
    let new: Vec<&str> =
        report.findings.iter().map(|f| f.id.as_str()).filter(|id| !known.contains(*id)).collect();
    if !new.is_empty() {
        eprintln!("{} new finding(s): {}", new.len(), new.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The ids of the replay files in `dir` (a missing directory holds none).
fn known_ids(dir: &Path) -> std::result::Result<BTreeSet<String>, String> {
    if !dir.exists() {
        return Ok(BTreeSet::new());
    }
    replay_files(dir)?.iter().map(|p| FindingFile::read(p).map(|f| f.id)).collect()
}

fn replay_all(
    path: &Path,
    new_target: &dyn Fn() -> Box<dyn Target + Send>,
    client: ClientConfig,
    origins: &[String],
    seed: u64,
) -> Result<ExitCode> {
    let files = match replay_files(path) {
        Ok(f) => f,
        Err(e) => return Ok(usage(e)),
    };
    let mut parsed = Vec::new();
    for f in &files {
        match FindingFile::read(f) {
            Ok(file) => parsed.push((f, file)),
            Err(e) => return Ok(usage(e)),
        }
    }
    let mut target = new_target();
    let policy = live::trial::oracle_policy(&client, origins);
    let tag =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut c = Client::new(target.as_mut(), client, policy, format!("replay-{tag:x}"), seed);
    let (mut reproduced, mut not_run) = (0, 0);
    for (path, file) in &parsed {
        match replay::replay(&mut c, file) {
            Replayed::Reproduced(t) => {
                reproduced += 1;
                outln!(
                    "REPRODUCED {} ({}): {}; the RP answered HTTP {}{}",
                    file.id,
                    path.display(),
                    file.meaning,
                    t.reply.status,
                    t.reply.error_message().map(|m| format!(": {m}")).unwrap_or_default()
                );
            }
            Replayed::Fixed(t, j) => outln!(
                "fixed      {} ({}): the RP answered HTTP {} ({}), the reference {:?}; now {:?}",
                file.id,
                path.display(),
                t.reply.status,
                if t.reply.accepted() { "accepted" } else { "refused" },
                t.reference,
                j
            ),
            Replayed::NotRun(e) => {
                not_run += 1;
                outln!("not run    {} ({}): {e:?}", file.id, path.display());
            }
        }
    }
    outln!("{} replayed: {reproduced} reproduced, {not_run} not run", parsed.len());
    Ok(if reproduced > 0 {
        ExitCode::from(1)
    } else if not_run > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
