//! `webauthn-harness grade`: drive an RP (or the embedded reference RP) through the catalogue and report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use generator::catalog::{self, Case};
use generator::client::ClientConfig;
use generator::target::{Endpoint, Target};
use grader::expectations::{self, Expectations};
use grader::profile::RpProfile;
use grader::profile_target::ProfileTarget;
use grader::render::{self, Reproduce};
use grader::transport::HttpConfig;
use grader::{GradeConfig, Grading, OriginPolicy, Origins, Profile, Report};
use serde_json::json;

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Junit,
    Html,
}

/// `--origin-policy`: which origins besides the declared ones count as declared.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum OriginPolicyArg {
    /// Only the --origin values, byte for byte.
    Exact,
    /// Also their subdomains: the same scheme and port, a host that is a subdomain of a declared origin's host.
    Subdomains,
}

impl From<OriginPolicyArg> for OriginPolicy {
    fn from(p: OriginPolicyArg) -> OriginPolicy {
        match p {
            OriginPolicyArg::Exact => OriginPolicy::Exact,
            OriginPolicyArg::Subdomains => OriginPolicy::Subdomains,
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// The RP's base URL (the conformance API endpoints, or an RP profile's paths, are appended to it; it may
    /// carry a path prefix). Without it (and without an RP profile), the embedded reference RP is started on a
    /// loopback port and graded.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// An origin the RP accepts (repeatable). The first is the one the virtual client reports (default: the
    /// target URL's scheme://host[:port]; with the embedded RP, https://rp.example); the others are declared
    /// too. An origin case whose origin is declared (see --origin-policy) is INFO: either answer conforms.
    #[arg(long = "origin", value_name = "ORIGIN")]
    origins: Vec<String>,
    /// Which origins count as declared: `exact` (the --origin values, byte for byte) or `subdomains` (also any
    /// origin with the scheme and port of a declared one whose host is a subdomain of its host).
    #[arg(long, value_enum, default_value = "exact", value_name = "POLICY")]
    origin_policy: OriginPolicyArg,
    /// A grading profile, or an RP profile file (repeatable: at most one of each). Grading profiles say whose
    /// expectations a case that goes the other way is judged against: webauthn-l3 (the default) FAILs only a
    /// MUST of the RP's own procedure and WARNs the rest (data, conformance, hardening, SHOULD, POLICY);
    /// fido-conformance FAILs a case with a FIDO test id where the FIDO conformance tool would, the others as
    /// under webauthn-l3. Any other value is read as an RP profile (TOML, see the README's "Grade your own
    /// RP"): the RP is reached through its own API as the file describes, at the file's base URL unless
    /// --target is given.
    #[arg(long = "profile", value_name = "PROFILE|FILE")]
    profiles: Vec<String>,
    /// With either profile: every MUST case that goes the other way FAILs, whatever its basis.
    #[arg(long)]
    strict: bool,
    /// How many cases run at once, after discovery (which runs alone). Cases are independent (each has its own
    /// virtual users, and its randomness comes from the seed and its id), so verdicts and the report are those of
    /// a sequential run; `--jobs 1` runs one case at a time, for an RP that cannot serve several users at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// The RP ID used when the RP's options name none (default: the target URL's host).
    #[arg(long, value_name = "ID")]
    rp_id: Option<String>,
    /// Run only cases whose id matches: an exact id, a prefix ending in '.', or a glob with '*' (repeatable).
    #[arg(long = "case", value_name = "PATTERN")]
    patterns: Vec<String>,
    /// Seed for every generated key, credential and ceremony; the same seed reproduces the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The report's form: text (grouped, with the details of what needs a look), json (schema
    /// webauthn-harness/report/v1), markdown, junit (JUnit XML), or html (one self-contained page with filters).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Expectations file (TOML): known results with reasons; matching results count as expected.
    #[arg(long = "expect", value_name = "FILE")]
    expect: Option<PathBuf>,
    /// Save each case's HTTP exchanges as DIR/<case-id>.json.
    #[arg(long, value_name = "DIR")]
    transcripts: Option<PathBuf>,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// An attestation format the RP must support (none, packed-self, packed-x5c, fido-u2f): its rejected baseline
    /// is a FAIL instead of making its cases UNSUPPORTED (repeatable).
    #[arg(long = "require-format", value_name = "FORMAT")]
    required_formats: Vec<String>,
    /// A credential algorithm the RP must support (es256, es384, es512, rs256, rs384, rs512, rs1, ps256, ps384,
    /// ps512, eddsa; case-insensitive): its rejected
    /// baseline is a FAIL instead of making its cases UNSUPPORTED (repeatable). ES256 is always required.
    #[arg(long = "require-alg", value_name = "ALG")]
    required_algs: Vec<String>,
    /// Declare that the RP requires attestation where it asks for it: a registration whose options asked for
    /// direct attestation, answered with a none or a packed self statement, must be refused (§7.1 step 24
    /// against this policy; without the declaration either answer is the RP's choice, INFO). The report
    /// records the declaration.
    #[arg(long)]
    require_attestation: bool,
    /// Whether the RP trusts the harness's attestation root or test metadata (see `webauthn-harness pki export`):
    /// cases whose attestation chains to it are UNSUPPORTED where it does not. Default: the RP profile's
    /// capabilities.trusts_harness_pki (true for the conformance API, whose servers are configured with the
    /// test tool's metadata; false for an RP profile that does not say).
    /// `metadata`: it also loaded the harness's test metadata and applies its status reports, so the cases of
    /// models reported revoked or compromised run (default: the profile's capabilities.loads_harness_metadata;
    /// the embedded reference RP loads it).
    #[arg(long, value_name = "TRUST", value_parser = ["trusted", "untrusted", "metadata"])]
    harness_pki: Option<String>,
    /// Replay files written by `webauthn-harness fuzz` (a directory of them): each finding is run again as a
    /// regression case `fuzz.<id>`, PASS when the RP no longer disagrees, FAIL when it still accepts what its
    /// procedure must reject (WARN for a valid ceremony still refused, ERROR for a server error).
    #[arg(long, value_name = "DIR")]
    regressions: Option<PathBuf>,
}

fn select(patterns: &[String]) -> Result<Vec<Case>, String> {
    let all = catalog::all();
    if patterns.is_empty() {
        return Ok(all);
    }
    for p in patterns {
        if !all.iter().any(|c| expectations::matches(p, c.id)) {
            return Err(format!("--case {p:?} matches no case (see `webauthn-harness cases`)"));
        }
    }
    Ok(all.into_iter().filter(|c| patterns.iter().any(|p| expectations::matches(p, c.id))).collect())
}

fn render(report: &Report, format: Format, colours: bool, target_args: &str) -> String {
    match format {
        Format::Text => render::text(report, colours, &Reproduce { target_args }),
        Format::Json => render::json(report),
        Format::Markdown => render::markdown(report),
        Format::Junit => render::junit(report),
        Format::Html => render::html(report, &Reproduce { target_args }),
    }
}

/// `--profile` values: the grading profile, and the RP profile file with its parsed contents.
struct Profiles {
    grading: Profile,
    rp: Option<(String, RpProfile)>,
}

fn profiles(values: &[String]) -> Result<Profiles, String> {
    let mut grading = None;
    let mut rp = None;
    for v in values {
        let named = match v.as_str() {
            "webauthn-l3" => Some(Profile::WebauthnL3),
            "fido-conformance" => Some(Profile::FidoConformance),
            _ => None,
        };
        match named {
            Some(p) => {
                if grading.replace(p).is_some() {
                    return Err(
                        "--profile: at most one grading profile (webauthn-l3, fido-conformance)".into()
                    );
                }
            }
            None => {
                if rp.is_some() {
                    return Err(format!("--profile {v:?}: at most one RP profile file"));
                }
                let text = std::fs::read_to_string(v).map_err(|e| {
                    format!("--profile {v:?} is neither a grading profile (webauthn-l3, fido-conformance) nor a readable RP profile file: {e}")
                })?;
                rp = Some((v.clone(), RpProfile::parse(v, &text).map_err(|e| e.to_string())?));
            }
        }
    }
    Ok(Profiles { grading: grading.unwrap_or_default(), rp })
}

pub fn run(args: Args) -> ExitCode {
    crate::exit_status(run_inner(args))
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn run_inner(args: Args) -> Result<ExitCode> {
    let selected = match select(&args.patterns) {
        Ok(s) => s,
        Err(e) => return Ok(usage(e)),
    };
    if let Some(a) = args
        .required_algs
        .iter()
        .find(|a| !generator::keys::Algorithm::ALL.iter().any(|x| x.slug().eq_ignore_ascii_case(a)))
    {
        let slugs: Vec<&str> = generator::keys::Algorithm::ALL.iter().map(|x| x.slug()).collect();
        return Ok(usage(format!("--require-alg {a:?}: not one of {}", slugs.join(", "))));
    }
    let expectations = match &args.expect {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return Ok(usage(format!("cannot read {}: {e}", path.display()))),
            };
            match Expectations::parse(&text) {
                Ok(e) => e,
                Err(e) => return Ok(usage(format!("{}: {e}", path.display()))),
            }
        }
        None => Expectations::default(),
    };

    let profiles = match profiles(&args.profiles) {
        Ok(p) => p,
        Err(e) => return Ok(usage(e)),
    };

    // The target: a URL (the conformance API, or the RP profile's API), or the embedded reference RP on a
    // loopback port.
    let given = crate::rp_target::Given {
        target: args.target.as_ref(),
        rp_profile: profiles.rp.as_ref(),
        origins: &args.origins,
        rp_id: args.rp_id.as_ref(),
        seed: args.seed,
    };
    let crate::rp_target::Resolved { base_url, label, origin, rp_id, declared, target_args, server } =
        match crate::rp_target::resolve(&given)? {
            Ok(r) => r,
            Err(e) => return Ok(usage(e)),
        };
    let origins = Origins { declared, policy: args.origin_policy.into() };
    let grading = Grading { profile: profiles.grading, strict: args.strict };
    // What the re-run of one case needs besides --case and --seed.
    let mut target_args = target_args;
    for o in &args.origins {
        target_args.push_str(&format!("--origin {o} "));
    }
    if origins.policy != OriginPolicy::Exact {
        target_args.push_str(&format!("--origin-policy {} ", origins.policy));
    }
    if grading.profile != Profile::default() {
        target_args.push_str(&format!("--profile {} ", grading.profile));
    }
    if grading.strict {
        target_args.push_str("--strict ");
    }
    for a in &args.required_algs {
        target_args.push_str(&format!("--require-alg {a} "));
    }
    if args.require_attestation {
        target_args.push_str("--require-attestation ");
    }

    let mut http = HttpConfig::new(&base_url);
    http.timeout = Duration::from_secs(args.timeout.max(1));
    // The conformance API is the built-in RP profile.
    let mut rp_profile = profiles.rp.map_or_else(RpProfile::conformance_api, |(_, p)| p);
    if server.is_some() {
        // The embedded RP loads the harness's metadata (rp_target::embedded_rp).
        rp_profile.capabilities.loads_harness_metadata = true;
    }
    if let Some(trust) = &args.harness_pki {
        rp_profile.capabilities.trusts_harness_pki = trust != "untrusted";
        rp_profile.capabilities.loads_harness_metadata = trust == "metadata";
        target_args.push_str(&format!("--harness-pki {trust} "));
    }
    let rp_profile = Arc::new(rp_profile);
    let client_origin = origin.clone();
    let mut target = ProfileTarget::new(rp_profile.clone(), http.clone()).with_origin(origin.clone());

    // Reachability: one options call must get an HTTP answer.
    let probe = target.new_session();
    if let Err(e) = target.call(
        probe,
        Endpoint::AttestationOptions,
        &json!({"username": "webauthn-harness-probe", "displayName": "probe"}),
    ) {
        eprintln!("error: the target {base_url} is unreachable: {e}");
        return Ok(ExitCode::from(3));
    }

    let cfg = GradeConfig {
        target: label,
        client: ClientConfig::new(origin, rp_id),
        seed: args.seed,
        required_formats: args.required_formats.clone(),
        required_algs: args.required_algs.clone(),
        expectations,
        grading,
        origins,
        attestation_required: args.require_attestation,
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let all = catalog::all();
    let mut progress = |done: usize, total: usize, id: &str| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(id.to_owned());
    };
    let graded = if args.jobs > 1 {
        let new_target = || -> Box<dyn Target + Send> {
            Box::new(ProfileTarget::new(rp_profile.clone(), http.clone()).with_origin(client_origin.clone()))
        };
        grader::grade_concurrently(usize::from(args.jobs), &new_target, &cfg, &all, &selected, &mut progress)
    } else {
        grader::grade(&mut target, &cfg, &all, &selected, &mut progress)
    };
    bar.finish_and_clear();
    let mut graded = graded;
    if let Some(dir) = &args.regressions {
        let declared = graded.report.origins.clone();
        match crate::regressions::regression_results(dir, &mut target, &cfg.client, &declared, args.seed) {
            Ok(results) => {
                graded.report.cases.extend(results);
                graded.report.summary = Report::summarize(&graded.report.cases);
            }
            Err(e) => return Ok(usage(format!("--regressions: {e}"))),
        }
    }

    if let Some(dir) = &args.transcripts {
        grader::transcript::write_all(dir, &graded.transcripts)?;
    }

    let colours =
        args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = render(&graded.report, args.format, colours, &target_args);
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => out!("{text}"),
    }
    let unexpected = graded.report.unexpected().count();
    if unexpected > 0 || !graded.report.stale_expectations.is_empty() {
        if args.output.is_some() || args.format != Format::Text {
            eprintln!(
                "{unexpected} unexpected result(s), {} stale expectation(s)",
                graded.report.stale_expectations.len()
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
