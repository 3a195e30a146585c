//! `webauthn-harness profile draft`: an RP profile drafted from a HAR recording (see `grader::draft`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

#[derive(clap::Subcommand)]
pub enum Action {
    /// Draft an RP profile from a browser's HAR recording of one registration and one sign-in on your site.
    ///
    /// Record it in the browser's developer tools (Network tab: register a passkey, sign in with it, then "Save
    /// all as HAR with content"). The draft finds the options in the JSON replies (an object with `challenge`
    /// and `pubKeyCredParams` for registration; `challenge` and `rpId` or `allowCredentials` for sign-in) and
    /// the JSON pointer to them, the request that got them (method, path with the user's name as
    /// {username}, body with placeholders), the request that followed with the credential (clientDataJSON
    /// with attestationObject or authenticatorData) and the accept signal of its reply, and headers that look
    /// like CSRF tokens (captured in a prelude from the earlier reply that held them). Comments in the draft
    /// say what was inferred and what to check; then run `webauthn-harness probe --profile FILE`.
    /// Exit status: 0 drafted; 2 the file is not a HAR recording or holds no registration and sign-in;
    /// 3 the draft could not be written.
    Draft(DraftArgs),
}

#[derive(clap::Args)]
pub struct DraftArgs {
    /// The HAR file (HAR 1.2 JSON, with response bodies).
    #[arg(long, value_name = "FILE")]
    har: PathBuf,
    /// Write the draft here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(action: Action) -> ExitCode {
    match action {
        Action::Draft(args) => crate::exit_status(draft(args)),
    }
}

fn draft(args: DraftArgs) -> Result<ExitCode> {
    let text = match std::fs::read_to_string(&args.har) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.har.display());
            return Ok(ExitCode::from(2));
        }
    };
    let name = args.har.display().to_string();
    let profile = match grader::draft::draft(&text, &name) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &profile).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "drafted {}: check its `# CHECK` lines, then `webauthn-harness probe --profile {}`",
                path.display(),
                path.display()
            );
        }
        None => out!("{profile}"),
    }
    Ok(ExitCode::SUCCESS)
}
