//! `webauthn-harness probe`: one valid registration and one sign-in through an RP profile, every exchange
//! shown, the first step that goes wrong diagnosed (see `grader::probe`).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use generator::client::ClientConfig;
use grader::probe::ProbeConfig;
use grader::profile::RpProfile;
use grader::transport::HttpConfig;

use crate::rp_target::{embedded_rp, origin_and_host, EMBEDDED_ORIGIN, EMBEDDED_RP_ID};

#[derive(clap::Args)]
pub struct Args {
    /// The RP profile file (TOML, see the README's "Grade your own RP"). Without it, the built-in profile of the
    /// FIDO2 server conformance API.
    #[arg(long, value_name = "FILE")]
    profile: Option<String>,
    /// The RP's base URL (overrides the profile's rp.base_url). Without it and without a base URL in the
    /// profile, the embedded reference RP is started on a loopback port and probed (with the built-in profile
    /// only).
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// The origin the virtual client reports (default: the profile's first rp.origins, else the base URL's
    /// scheme://host[:port]).
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,
    /// The RP ID used when the RP's options name none (default: the profile's rp.rp_id, else the base URL's host).
    #[arg(long, value_name = "ID")]
    rp_id: Option<String>,
    /// The virtual user's name (default: webauthn-harness-probe- and the current time, so a probe never meets
    /// an account an earlier one made).
    #[arg(long, value_name = "NAME")]
    username: Option<String>,
    /// Seeds the credential's key.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

pub fn run(args: Args) -> ExitCode {
    crate::exit_status(run_inner(args))
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn run_inner(args: Args) -> Result<ExitCode> {
    let (file, profile) = match &args.profile {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return Ok(usage(format!("--profile {path:?}: cannot read it: {e}"))),
            };
            match RpProfile::parse(path, &text) {
                Ok(p) => (path.clone(), p),
                Err(e) => return Ok(usage(e)),
            }
        }
        None => ("the built-in conformance API profile".to_owned(), RpProfile::conformance_api()),
    };
    let _server;
    let base = args.target.clone().or_else(|| profile.rp.base_url.clone());
    let (base_url, origin, rp_id) = match base {
        Some(url) => {
            let (origin, host) = match origin_and_host(&url) {
                Ok(x) => x,
                Err(e) => return Ok(usage(e)),
            };
            let origin =
                args.origin.clone().or_else(|| profile.rp.origins.first().cloned()).unwrap_or(origin);
            let rp_id = args.rp_id.clone().or_else(|| profile.rp.rp_id.clone()).unwrap_or(host);
            (url, origin, rp_id)
        }
        None => {
            if args.profile.is_some() {
                return Ok(usage(format!("{file} names no rp.base_url: give the RP's URL with --target")));
            }
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .context("binding a loopback port for the embedded RP")?;
            let server = rp::server::Running::start_on(listener, Arc::new(embedded_rp(args.seed)))
                .context("starting the embedded reference RP")?;
            let url = server.url();
            _server = server;
            let origin = args.origin.clone().unwrap_or_else(|| EMBEDDED_ORIGIN.to_owned());
            (url, origin, args.rp_id.clone().unwrap_or_else(|| EMBEDDED_RP_ID.to_owned()))
        }
    };
    let username = args.username.clone().unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        format!("webauthn-harness-probe-{now}")
    });
    let mut http = HttpConfig::new(&base_url);
    http.timeout = Duration::from_secs(args.timeout.max(1));
    outln!("probe: {base_url} through {file}; the client reports origin {origin}, RP ID {rp_id}; user {username}\n");
    let cfg = ProbeConfig { client: ClientConfig::new(origin, rp_id), username, seed: args.seed };
    let probe = grader::probe::probe(Arc::new(profile), http, &cfg);
    out!("{}", probe.render());
    Ok(if probe.succeeded() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
