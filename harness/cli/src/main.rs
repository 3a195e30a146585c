//! The `webauthn-harness` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that ends the program quietly when standard output is a closed pipe (`... | head`).
macro_rules! outln {
    ($($t:tt)*) => { $crate::write_out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!`, likewise.
macro_rules! out {
    ($($t:tt)*) => { $crate::write_out(format_args!($($t)*)) };
}

/// Writes to standard output. A reader that went away (EPIPE) ends the program with status 0, as `head`
/// expects; another write error is a harness error (status 3).
pub(crate) fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(3);
    }
}

/// A command's outcome as the exit status: an error that stopped the harness itself is printed, status 3.
pub(crate) fn exit_status(outcome: anyhow::Result<ExitCode>) -> ExitCode {
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(3)
    })
}

mod bench;
mod cases;
mod fuzz;
mod grade;
mod peers;
mod pki;
mod probe;
mod procs;
mod profile_cmd;
mod regressions;
mod rp_target;
mod serve;
mod vectors;
mod verify;

/// Tells a WebAuthn relying party whether it verifies ceremonies the way the W3C WebAuthn Level 3 spec says
/// it must.
#[derive(Parser)]
#[command(name = "webauthn-harness", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify one registration or authentication response with the reference verifier (§7.1 / §7.2).
    ///
    /// Prints a JSON verdict on standard output: `accepted` (with the credential record for a registration),
    /// or `rejected` with the id, spec step and level of the check that failed.
    /// Exit status: 0 accepted, 1 rejected, 2 unusable input (unreadable file, bad option value).
    Verify {
        #[command(subcommand)]
        ceremony: verify::Command,
    },
    /// List the case catalogue: every case with its id, spec step, level, expected outcome and the reference
    /// verifier's check that rejects it.
    Cases(cases::Args),
    /// Grade a relying party: drive it through every case over the FIDO2 server conformance API, or its own
    /// API as an RP profile file describes it (--profile FILE), and report.
    ///
    /// Without --target (or an RP profile with a base URL), the embedded reference RP is started on a loopback
    /// port and graded.
    /// Exit status: 0 every result as expected, 1 unexpected results (FAIL, WARN, ERROR, INCONCLUSIVE not listed in
    /// --expect, or stale expectations), 2 usage error or a --case that matches nothing, 3 target unreachable or
    /// harness error.
    Grade(grade::Args),
    /// Try an RP profile: one valid registration and one sign-in of a new virtual user through it, every
    /// exchange shown, and a diagnosis at the first step that goes wrong.
    ///
    /// Each exchange is shown as sent and as answered: the request line, the headers the profile sets, the
    /// cookies held, the body; the status, the headers that matter (Content-Type, Set-Cookie, CSRF-like), the
    /// body (long values abbreviated). At the first step that goes wrong the diagnosis names the profile field:
    /// the JSON pointer that found nothing and what the reply held, the HTTP status the accept predicate does
    /// not allow, the accept member that did not hold, the placeholder that was empty, the capture that matched
    /// nothing, the RP's own message where the error pointer finds one. Without --profile, the built-in
    /// profile of the FIDO2 server conformance API; without --target or a base URL in the profile, the
    /// embedded reference RP.
    /// Exit status: 0 both ceremonies succeeded; 1 a step went wrong (a reply that fails the profile, or no
    /// reply at all); 2 a bad profile or usage error; 3 harness error.
    Probe(probe::Args),
    /// RP profile tools: `draft` writes a profile from a browser's HAR recording.
    Profile {
        #[command(subcommand)]
        action: profile_cmd::Action,
    },
    /// Run the reference RP on the FIDO2 server conformance API (four POST endpoints) until Ctrl-C.
    Serve(serve::Args),
    /// Write or check the JSON test vectors (vectors/): `generate` rewrites them from the catalogue and the W3C
    /// §16 data; `check` validates them against vectors/schema.json, checks ids and counts, that they are what
    /// `generate` writes, and that the reference verifier reproduces every result.
    /// Exit status: 0 all good, 1 a check failed, 2 unusable files or options.
    Vectors {
        #[command(subcommand)]
        action: vectors::Action,
    },
    /// Grade the peer implementations under targets/: install, start, grade and stop each one, then write
    /// its published report and the matrix of all of them.
    ///
    /// Each target folder has target.toml, install.sh (pinned dependencies from the registries), start.sh PORT
    /// and expectations.toml (see targets/README.md). Exit status: 0 every result as expected; 1 unexpected
    /// results or stale expectations; 2 usage error (an unknown --only name); 3 a target could not be
    /// installed, started or graded (the message says which, with the end of its log).
    Peers(peers::Args),
    /// Drive authentication ceremonies at one or more RPs and compare how fast they verify.
    ///
    /// Each target gets --concurrency virtual users with one ES256 credential each; the ceremonies run in
    /// --rounds rounds, the targets taking turns (in rotating order) so machine drift falls on all alike.
    /// Reports throughput, latency p50/p90/p99 (whole ceremony, and the time spent waiting for the RP), and
    /// the driver's own CPU time per ceremony. Without --target, the embedded reference RP is benched once
    /// per crypto provider, each in its own process. Exit status: 0 done; 1 some ceremonies failed; 2 usage
    /// error; 3 a target could not be set up.
    Bench(bench::Args),
    /// Differential fuzzing of a live RP: structure-aware ceremonies (an authenticator, what the RP is asked for,
    /// up to four mutations, re-signed or not) sent to the RP, with the reference verifier as the oracle.
    ///
    /// Before the first ceremony of a kind (algorithm, attestation format, backup flags) a valid one must be
    /// accepted (the control); kinds the RP refuses are not sent. A finding is the RP accepting what the
    /// reference rejects at a MUST of the RP's own procedure, refusing what the reference accepts with no
    /// warning, or answering with a server error. Findings are minimised, deduplicated (class, the reference's
    /// check, the mutation kinds left) and written to --findings as replay files; `--replay FILE|DIR` sends
    /// them again. Inputs that draw a new kind of answer (status, error message shape) are kept and mutated
    /// further. Exit status: 0 no new finding (or, with --replay, none reproduces); 1 a new finding (one not in
    /// --known; with --replay, one reproduces); 2 usage error or an unreadable file; 3 target unreachable or
    /// harness error.
    Fuzz(fuzz::Args),
    /// The harness's test PKI: `export DIR` writes the attestation root, a signed FIDO MDS3 metadata BLOB with
    /// its root, and the metadata statements, for configuring an RP to trust the harness's attestations.
    Pki {
        #[command(subcommand)]
        action: pki::Action,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Verify { ceremony } => verify::run(ceremony),
        Command::Cases(args) => cases::run(args),
        Command::Grade(args) => grade::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Profile { action } => profile_cmd::run(action),
        Command::Vectors { action } => vectors::run(action),
        Command::Peers(args) => peers::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Pki { action } => pki::run(action),
    }
}
