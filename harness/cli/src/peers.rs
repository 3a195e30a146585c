//! `webauthn-harness peers`: install, start, grade and stop every peer implementation under `targets/`, then
//! write each one's report and the matrix of all of them (issue: grade real relying-party libraries).
//!
//! A target is a folder with `target.toml` (name, library, registry, version, language, docs, and optionally
//! the origins its adapter accepts: `origins`, `origin_policy`, and the RP profile it is graded through:
//! `rp_profile`; see [`TargetInfo`]), `install.sh` (installs its pinned dependencies from the registries into
//! the folder), `start.sh PORT` (serves the conformance API, or the product's own API its RP profile
//! describes, on 127.0.0.1:PORT for the origin `http://localhost:PORT` and RP ID `localhost`) and
//! `expectations.toml` (every known non-passing result, with its reason and kind).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use grader::matrix::{self, Column};
use grader::{OriginPolicy, Origins, Report};
use serde::Deserialize;

use crate::procs::{free_port, tail, Server};

#[derive(clap::Args)]
pub struct Args {
    /// The folder holding one folder per target
    #[arg(long, default_value = "targets")]
    targets: PathBuf,
    /// Grade only this target (repeatable; default: every folder with a target.toml)
    #[arg(long = "only", value_name = "NAME")]
    only: Vec<String>,
    /// Where to write OUT/<name>/report.json and report.md (the published form: verdicts, checks and the
    /// expectation notes, without the RP's own messages), OUT/README.md and OUT/matrix.html, and the logs
    /// of each install, server and grade under OUT/logs/
    #[arg(long, default_value = "target/peers")]
    out: PathBuf,
    /// Seed for every generated key, credential and ceremony
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Do not run install.sh (the targets are installed already)
    #[arg(long)]
    skip_install: bool,
    /// Seconds a started target may take to accept connections
    #[arg(long, default_value_t = 120)]
    start_timeout: u64,
    /// Also put the embedded reference RP in the matrix, as its first column
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    reference: bool,
}

/// `target.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    pub name: String,
    pub library: String,
    pub registry: String,
    pub version: String,
    pub language: String,
    pub docs: String,
    /// Origins the adapter accepts besides `http://localhost:PORT` (the one the client reports), `PORT`
    /// standing for the port it is started on: declared to `grade` with `--origin`.
    pub origins: Vec<String>,
    /// How the adapter matches origins (`origin_policy = "exact"` or `"subdomains"`; default exact): declared
    /// to `grade` with `--origin-policy`, so that an origin case the adapter is configured to accept is INFO.
    pub origin_policy: OriginPolicy,
    /// The RP profile (a TOML file in the target's folder, `rp_profile = "profile.toml"`) describing the
    /// target's own API, for a product graded as it ships through its own endpoints rather than an adapter
    /// on the conformance API: passed to `grade` as `--profile`. Absent: the conformance API.
    pub rp_profile: Option<String>,
}

/// `target.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    library: String,
    registry: String,
    version: String,
    language: String,
    docs: String,
    #[serde(default)]
    origins: Vec<String>,
    #[serde(default)]
    origin_policy: Option<String>,
    #[serde(default)]
    rp_profile: Option<String>,
}

/// The origin the client reports to a target started on `port`, or the origins of `target.toml` there.
fn at_port(origin: &str, port: u16) -> String {
    origin.replace("PORT", &port.to_string())
}

/// The origin every adapter serves (`start.sh PORT`), as published: `PORT` for the port.
pub const PEER_ORIGIN: &str = "http://localhost:PORT";

impl TargetInfo {
    /// Reads `target.toml` (`path` names it in errors, with the field at fault).
    pub fn parse(text: &str, path: &Path) -> Result<TargetInfo> {
        let m: Manifest = toml::from_str(text).with_context(|| format!("{}", path.display()))?;
        let origin_policy = match &m.origin_policy {
            None => OriginPolicy::default(),
            Some(p) => p.parse().map_err(|e| anyhow::anyhow!("{}: origin_policy: {e}", path.display()))?,
        };
        // PORT is a number when the target runs; check the origins as they will be.
        let sample: Vec<String> = m.origins.iter().map(|o| at_port(o, 8080)).collect();
        Origins::check(&sample).map_err(|e| anyhow::anyhow!("{}: origins: {e}", path.display()))?;
        if let Some(file) = &m.rp_profile {
            let plain = Path::new(file).components().all(|c| matches!(c, std::path::Component::Normal(_)));
            if file.is_empty() || !plain {
                bail!("{}: rp_profile: {file:?} must name a file in the target's folder", path.display());
            }
        }
        Ok(TargetInfo {
            name: m.name,
            library: m.library,
            registry: m.registry,
            version: m.version,
            language: m.language,
            docs: m.docs,
            origins: m.origins,
            origin_policy,
            rp_profile: m.rp_profile,
        })
    }

    /// Every origin declared for the target as published (`PORT` for the port): the one the client reports,
    /// then the others the adapter accepts.
    pub fn declared_origins(&self) -> Vec<String> {
        std::iter::once(PEER_ORIGIN.to_owned()).chain(self.origins.iter().cloned()).collect()
    }

    fn implementation(&self) -> String {
        format!("{} {} ({}, {})", self.library, self.version, self.registry, self.language)
    }
}

pub fn run(args: Args) -> ExitCode {
    crate::exit_status(run_inner(args))
}

/// The target folders, sorted by name, each with its parsed `target.toml`.
pub fn discover(dir: &Path) -> Result<Vec<(PathBuf, TargetInfo)>> {
    let mut found = Vec::new();
    // Absolute, since the scripts run in their own folders.
    let dir = &dir.canonicalize().with_context(|| format!("reading {}", dir.display()))?;
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let manifest = path.join("target.toml");
        if !manifest.is_file() {
            continue;
        }
        let text =
            std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
        let info = TargetInfo::parse(&text, &manifest)?;
        let folder = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if info.name != folder {
            bail!("{}: name {:?} is not the folder's name {folder:?}", manifest.display(), info.name);
        }
        for script in ["install.sh", "start.sh", "expectations.toml"] {
            if !path.join(script).is_file() {
                bail!("{}: {script} is missing", path.display());
            }
        }
        if let Some(file) = &info.rp_profile {
            // Read now, so that a bad profile stops the run before anything is installed.
            let profile = path.join(file);
            let text = std::fs::read_to_string(&profile).with_context(|| {
                format!("{}: rp_profile: reading {}", manifest.display(), profile.display())
            })?;
            grader::profile::RpProfile::parse(&profile.display().to_string(), &text)?;
        }
        found.push((path, info));
    }
    found.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    Ok(found)
}

/// Runs a target's `install.sh` in its folder, its output in `log`.
pub fn install(dir: &Path, log: &Path) -> Result<()> {
    let out = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let status = Command::new("bash")
        .arg(dir.join("install.sh"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .status()
        .with_context(|| format!("running {}/install.sh", dir.display()))?;
    if !status.success() {
        bail!("install.sh failed ({status}); its log ({}) ends:\n{}", log.display(), tail(log, 15));
    }
    Ok(())
}

/// Starts a target's `start.sh PORT` in its folder. Adapters that trust the harness's attestation root read it
/// from the committed `pki export` in `targets/_shared/harness-pki/`.
pub fn start_target(dir: &Path, port: u16, log: &Path) -> Result<Server> {
    let mut cmd = Command::new("bash");
    cmd.arg(dir.join("start.sh")).arg(port.to_string()).current_dir(dir);
    Server::spawn(cmd, log)
}

/// Runs `grade` (this same binary) with `grade_args`; the full JSON report lands in `report`.
fn grade(grade_args: &[String], report: &Path, log: &Path) -> Result<Report> {
    let exe = std::env::current_exe().context("finding this program")?;
    let out = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let status = Command::new(exe)
        .arg("grade")
        .args(grade_args)
        .args(["--format", "json", "--output"])
        .arg(report)
        .stdout(out.try_clone()?)
        .stderr(out)
        .env("NO_COLOR", "1")
        .status()
        .context("running grade")?;
    // 0: as expected; 1: unexpected results (still a report). Anything else is no report.
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("grade exited with {status}; its log ({}) ends:\n{}", log.display(), tail(log, 15));
    }
    let mut text = String::new();
    std::fs::File::open(report)
        .and_then(|mut f| f.read_to_string(&mut text))
        .with_context(|| format!("reading {}", report.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a report", report.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Installs, starts, grades and stops one target.
fn one(dir: &Path, info: &TargetInfo, args: &Args, logs: &Path) -> Result<Report> {
    let name = &info.name;
    if !args.skip_install {
        let log = logs.join(format!("{name}-install.log"));
        eprintln!("==> {name}: installing {} (log: {})", info.implementation(), log.display());
        install(dir, &log)?;
    }
    let port = free_port()?;
    let server_log = logs.join(format!("{name}-server.log"));
    eprintln!("==> {name}: starting on 127.0.0.1:{port}");
    let mut server = start_target(dir, port, &server_log)?;
    server.wait_listening(port, Duration::from_secs(args.start_timeout))?;
    eprintln!("==> {name}: grading");
    let grade_args = grade_args(dir, info, port, args.seed);
    let full = logs.join(format!("{name}-full-report.json"));
    let mut report = grade(&grade_args, &full, &logs.join(format!("{name}-grade.log")))?;
    drop(server);
    // The port is chosen per run; the published report names the target by what it is.
    report.target = info.implementation();
    report.origin = PEER_ORIGIN.into();
    report.origins = info.declared_origins();
    Ok(report)
}

/// The `grade` arguments for a target in `dir` started on `port`: its URL, declared origins, RP ID, seed and
/// expectations, and its RP profile where `target.toml` names one.
fn grade_args(dir: &Path, info: &TargetInfo, port: u16, seed: u64) -> Vec<String> {
    let mut grade_args: Vec<String> = vec!["--target".into(), format!("http://127.0.0.1:{port}")];
    if let Some(file) = &info.rp_profile {
        grade_args.extend(["--profile".into(), dir.join(file).display().to_string()]);
    }
    for origin in info.declared_origins() {
        grade_args.extend(["--origin".into(), at_port(&origin, port)]);
    }
    grade_args.extend([
        "--origin-policy".into(),
        info.origin_policy.to_string(),
        "--rp-id".into(),
        "localhost".into(),
        "--seed".into(),
        seed.to_string(),
        "--expect".into(),
        dir.join("expectations.toml").display().to_string(),
    ]);
    grade_args
}

fn run_inner(args: Args) -> Result<ExitCode> {
    let all = discover(&args.targets)?;
    for wanted in &args.only {
        if !all.iter().any(|(_, i)| &i.name == wanted) {
            let names: Vec<&str> = all.iter().map(|(_, i)| i.name.as_str()).collect();
            eprintln!(
                "error: no target named {wanted:?} in {} (there are: {})",
                args.targets.display(),
                names.join(", ")
            );
            return Ok(ExitCode::from(2));
        }
    }
    let chosen: Vec<&(PathBuf, TargetInfo)> =
        all.iter().filter(|(_, i)| args.only.is_empty() || args.only.contains(&i.name)).collect();
    if chosen.is_empty() {
        eprintln!("error: no target (a folder with a target.toml) in {}", args.targets.display());
        return Ok(ExitCode::from(2));
    }
    let logs = args.out.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;

    let started = Instant::now();
    let mut columns = Vec::new();
    let mut failed = Vec::new();
    let mut unexpected = 0usize;
    if args.reference {
        let t = Instant::now();
        eprintln!("==> reference: grading the embedded reference RP");
        let full = logs.join("reference-full-report.json");
        let grade_args = vec!["--seed".to_string(), args.seed.to_string()];
        let report = grade(&grade_args, &full, &logs.join("reference-grade.log"))?;
        let column = reference_column(report);
        eprintln!(
            "==> reference: {} ({:.1} s)",
            grader::render::summary_line(&column.report),
            t.elapsed().as_secs_f64()
        );
        unexpected += column.report.unexpected().count();
        columns.push(column);
    }
    for (dir, info) in chosen {
        let t = Instant::now();
        match one(dir, info, &args, &logs) {
            Ok(report) => {
                let published = report.published();
                write(&args.out.join(&info.name).join("report.json"), &grader::render::json(&published))?;
                write(&args.out.join(&info.name).join("report.md"), &grader::render::markdown(&published))?;
                let surprises = report.unexpected().count() + report.stale_expectations.len();
                eprintln!(
                    "==> {}: {} ({} unexpected, {} stale; {:.1} s)",
                    info.name,
                    grader::render::summary_line(&report),
                    report.unexpected().count(),
                    report.stale_expectations.len(),
                    t.elapsed().as_secs_f64()
                );
                unexpected += surprises;
                columns.push(peer_column(info, published));
            }
            Err(e) => {
                eprintln!("error: {}: {e:#}", info.name);
                failed.push(info.name.clone());
            }
        }
    }
    let (readme, html) = matrix_pages(args.seed, &columns);
    write(&args.out.join("README.md"), &readme)?;
    write(&args.out.join("matrix.html"), &html)?;
    eprintln!(
        "==> {} graded in {:.0} s; wrote {}",
        columns.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    if !failed.is_empty() {
        eprintln!("error: could not grade: {}", failed.join(", "));
        return Ok(ExitCode::from(3));
    }
    Ok(if unexpected > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The embedded reference RP's column of the matrix: its full report (the matrix shows no RP message).
fn reference_column(mut report: Report) -> Column {
    report.target = "webauthn-harness reference RP (embedded)".into();
    Column { name: "reference".into(), implementation: report.target.clone(), docs: None, report }
}

/// A peer's column of the matrix, from its published report.
fn peer_column(info: &TargetInfo, published: Report) -> Column {
    Column {
        name: info.name.clone(),
        implementation: info.implementation(),
        docs: Some(info.docs.clone()),
        report: published,
    }
}

/// The matrix of `columns` as `README.md` (Markdown) and `matrix.html`.
fn matrix_pages(seed: u64, columns: &[Column]) -> (String, String) {
    let title = "WebAuthn relying-party libraries graded by webauthn-harness";
    (matrix::markdown(title, &preamble(seed), columns), matrix::html(title, columns))
}

/// What the matrix page says before the tables.
pub fn preamble(seed: u64) -> String {
    format!(
        "Each column is one implementation put on the FIDO2 server conformance API by a thin adapter in \
         [`targets/<name>/`](../targets/README.md) that uses the library as its documentation tells an integrator \
         to, or a product graded as it ships through its own API, which an RP profile in its folder describes \
         (`better-auth`, `django-otp-webauthn`), graded with seed {seed} at origin `http://localhost:PORT`, RP ID `localhost` (origin cases against the origins \
         each `target.toml` declares its adapter accepts) under the `webauthn-l3` profile; the first column is the \
         harness's own reference RP. Open [`matrix.html`](matrix.html) for a coloured version with the notes as \
         tooltips.\n\n\
         Each report is kept as [insta](https://insta.rs) snapshots, so that a change in an implementation or in the \
         harness shows up as a reviewed diff: `<name>/report.snap` (JSON) and `<name>/report-markdown.snap` (with a \
         note for every known result: the spec step, what the library does, and whether it is a `deviation`, a \
         `policy` choice, a limitation of the `adapter` or `unsupported`). The published form leaves out the RP's own \
         error messages, which can quote values that differ from run to run; everything else is deterministic for a \
         seed. `reference/` is written by `harness/cli/tests/reference_report.rs` (`INSTA_UPDATE=always cargo test -p \
         webauthn-harness --test reference_report`); the peers, this page and `matrix.html` by `bash \
         targets/grade-all` (CI runs `bash targets/grade-all --check`, which fails on any difference)."
    )
}

#[cfg(test)]
mod tests;
