//! `bench`'s command-line arguments.

use std::path::PathBuf;

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
    pub(super) targets: Vec<String>,
    /// A name for each --target, in the same order (default: the URL)
    #[arg(long = "label")]
    pub(super) labels: Vec<String>,
    /// An RP to bench through its own API, described by an RP profile (TOML; see `grade --profile` and the
    /// README's "Grade your own RP"), repeatable: its base URL, origin and RP ID come from the file. Benching the
    /// same RP through the conformance API (--target) and through a profile in one run shows what the profile
    /// costs the harness (the driver CPU per ceremony)
    #[arg(long = "profile", value_name = "FILE")]
    pub(super) profiles: Vec<PathBuf>,
    /// Also bench the peer implementations in this folder (see targets/README.md): each is installed,
    /// started on a free port, benched with the others and stopped
    #[arg(long, value_name = "DIR")]
    pub(super) peers: Option<PathBuf>,
    /// With --peers: only this one (repeatable)
    #[arg(long = "only", value_name = "NAME")]
    pub(super) only: Vec<String>,
    /// With --peers: do not run their install.sh
    #[arg(long)]
    pub(super) skip_install: bool,
    /// Also bench the embedded reference RP under each crypto provider (the default when no --target or
    /// --peers is given)
    #[arg(long)]
    pub(super) with_reference: bool,
    /// The origin the client reports (default: each target URL's scheme://host[:port])
    #[arg(long)]
    pub(super) origin: Option<String>,
    /// The RP ID (default: each target URL's host)
    #[arg(long)]
    pub(super) rp_id: Option<String>,
    /// Measured ceremonies per target
    #[arg(long, default_value_t = 2000)]
    pub(super) ceremonies: usize,
    /// Workers (virtual users) per target, each doing ceremonies back to back
    #[arg(long, default_value_t = 2)]
    pub(super) concurrency: usize,
    /// Rounds the ceremonies are split into, targets taking turns in each
    #[arg(long, default_value_t = 10)]
    pub(super) rounds: usize,
    /// Unmeasured ceremonies per target first (connections, caches, JIT)
    #[arg(long, default_value_t = 100)]
    pub(super) warmup: usize,
    /// Seed for the credentials
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
    #[arg(long, value_enum, default_value = "text")]
    pub(super) format: Format,
    /// Write the report here instead of standard output
    #[arg(long)]
    pub(super) output: Option<PathBuf>,
    /// Also write an SVG chart of the latencies and throughputs here
    #[arg(long)]
    pub(super) svg: Option<PathBuf>,
    /// Seconds one request may take
    #[arg(long, default_value_t = 10)]
    pub(super) timeout: u64,
}
