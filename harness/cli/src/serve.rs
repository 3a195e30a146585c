//! `webauthn-harness serve`: the reference RP on the conformance API until interrupted.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// The origin the RP expects in client data (default: http://localhost:<port>).
    #[arg(long)]
    origin: Option<String>,
    /// The RP ID (default: localhost).
    #[arg(long, default_value = "localhost")]
    rp_id: String,
    /// The crypto provider that checks signatures (see `webauthn-harness bench`): rustcrypto, or aws-lc-rs
    /// when built with the aws-lc-rs feature (the default build has it)
    #[arg(long, default_value = "rustcrypto")]
    crypto: String,
}

pub fn run(args: Args) -> ExitCode {
    match run_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn run_inner(args: Args) -> Result<()> {
    let origin = args.origin.unwrap_or_else(|| format!("http://localhost:{}", args.listen.port()));
    let mut config = rp::Config::new(&args.rp_id, &origin);
    let Some(provider) = verifier::crypto::provider(&args.crypto) else {
        let names: Vec<&str> = verifier::crypto::providers().iter().map(|p| p.name()).collect();
        anyhow::bail!(
            "--crypto {:?}: no such provider in this build (there are: {})",
            args.crypto,
            names.join(", ")
        );
    };
    config.policy.crypto = verifier::crypto::Provider(provider);
    // Trust the harness's own attestation root, so its packed x5c and fido-u2f ceremonies verify.
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    let reference = Arc::new(rp::ReferenceRp::new(config));
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
        eprintln!(
            "reference RP listening on http://{} (RP ID {}, origin {origin}, crypto {}); POST /attestation/options, /attestation/result, /assertion/options, /assertion/result; Ctrl-C stops it",
            listener.local_addr()?,
            args.rp_id,
            provider.name()
        );
        rp::server::serve(listener, reference, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
    })
}
