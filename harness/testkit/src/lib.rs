//! Helpers the workspace's tests share, so that each is written once: the reference RP in process, and the
//! committed vector files. A dev-dependency only: nothing in a
//! shipped crate depends on it.
//!
//! A crate's own unit tests cannot use it when it depends back on that crate (the unit tests would see two
//! copies of its types); integration tests under `tests/` can.
#![forbid(unsafe_code)]

pub mod custom_api;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use generator::catalog::{self, Case};
use generator::client::ClientConfig;
use generator::vectors::VectorFile;
/// The target [`in_process`] returns; a test that calls the RP otherwise (say, with a body's bytes) builds one.
pub use grader::transport::FnTarget;
use rp::{Config, ReferenceRp};
use serde_json::Value as Json;

/// The RP id the in-process tests of the catalogue use.
pub const RP_ID: &str = "example.org";
/// The origin the in-process tests of the catalogue use.
pub const ORIGIN: &str = "https://example.org";
/// The origin on a subdomain of [`RP_ID`] that [`client`] declares and [`rp_config`] accepts, for the cases
/// that report one.
pub const SUBDOMAIN_ORIGIN: &str = "https://login.example.org";
/// The time the in-process tests run at: 2025-06-01T00:00:00Z.
pub const NOW: u64 = 1_748_736_000;

/// The client of [`ORIGIN`] for [`RP_ID`], with [`SUBDOMAIN_ORIGIN`] as its declared subdomain origin.
pub fn client() -> ClientConfig {
    ClientConfig { subdomain_origin: Some(SUBDOMAIN_ORIGIN.into()), ..ClientConfig::new(ORIGIN, RP_ID) }
}

/// The reference RP of [`RP_ID`] at [`ORIGIN`], configured by [`rp_config`] with seed 1.
pub fn reference_rp() -> ReferenceRp {
    ReferenceRp::new(rp_config(RP_ID, ORIGIN, 1))
}

/// The reference RP's configuration for a test: `rp_id`, `origin` and `https://login.` + `rp_id` (the
/// subdomain origin [`client`] declares) as its origins, a fixed `seed` (so its challenges and ids repeat), and
/// the generator's attestation root as its only trust anchor, and the harness's test metadata loaded ([`harness_metadata`]).
pub fn rp_config(rp_id: &str, origin: &str, seed: u64) -> Config {
    let mut config = Config::new(rp_id, origin);
    config.policy.origins.allowed.push(format!("https://login.{rp_id}"));
    config.seed = Some(seed);
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    config.policy.attestation.metadata = Some(harness_metadata());
    config
}

/// The harness's test metadata (`pki export`'s BLOB), verified against its root, as the embedded RP loads it.
pub fn harness_metadata() -> std::sync::Arc<verifier::metadata::Metadata> {
    let roots = [generator::metadata::metadata_root().der.clone()];
    let blob = generator::metadata::blob();
    std::sync::Arc::new(
        verifier::metadata::verify_blob(blob.as_bytes(), &roots, generator::pki::NOT_BEFORE + 86_400)
            .expect("the harness's metadata BLOB verifies"),
    )
}

/// `rp` as a [`generator::target::Target`], called in process (no HTTP) at the time `now` (Unix seconds):
/// each session of the target is a session of the RP.
pub fn in_process(rp: &ReferenceRp, now: u64) -> FnTarget<impl FnMut(&str, &str, &Json) -> (u16, Json) + '_> {
    FnTarget::new(move |session: &str, path: &str, body: &Json| rp.handle(session, path, body, now))
}

/// Grades `cases` of the catalogue against `rp` in process at [`NOW`], with [`client`] and seed 5: how a
/// switch-off test runs a reference RP with one bug.
pub fn grade_in_process(rp: &ReferenceRp, cases: &[Case]) -> grader::Report {
    grade_in_process_with(rp, cases, |_| {})
}

/// [`grade_in_process`] with what the user declares changed by `declare` (declared origins, attestation
/// required, …).
pub fn grade_in_process_with(
    rp: &ReferenceRp,
    cases: &[Case],
    declare: impl FnOnce(&mut grader::GradeConfig),
) -> grader::Report {
    let mut cfg = grader::GradeConfig::new("test", client(), 5);
    declare(&mut cfg);
    let mut target = in_process(rp, NOW);
    grader::grade(&mut target, &cfg, &catalog::all(), cases, &mut |_, _, _| {}).report
}

/// The results whose verdict is neither PASS nor INFO, with their verdicts: what a switch-off test compares with
/// the exact set it expects.
pub fn not_good(report: &grader::Report) -> BTreeSet<(String, grader::Verdict)> {
    report
        .cases
        .iter()
        .filter(|c| !matches!(c.verdict, grader::Verdict::Pass | grader::Verdict::Info))
        .map(|c| (c.id.clone(), c.verdict))
        .collect()
}

/// A case's verdict and the check the RP named when it rejected the case's subject call.
pub fn outcome(report: &grader::Report, id: &str) -> (grader::Verdict, Option<String>) {
    let c = report.cases.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("{id} was not graded"));
    (c.verdict, c.observed.as_ref().and_then(|o| o.check.clone()))
}

/// The repository's `vectors/` folder.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

/// A vector file, read into the vector types (panics, naming the file, when it cannot be).
pub fn read_vectors(path: &Path) -> VectorFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not a vector file: {e}", path.display()))
}

/// The files `vectors check` regenerates and checks, relative to `vectors/`.
pub const GENERATED_VECTOR_FILES: [&str; 6] = [
    "schema.json",
    "registration.json",
    "authentication.json",
    "w3c/registration.json",
    "w3c/authentication.json",
    "w3c/webauthn-l3-section16.json",
];

/// Copies the committed [`GENERATED_VECTOR_FILES`] into a new vectors tree at `to` (without `captured/`), for
/// a test that runs `vectors check` on a changed copy.
pub fn copy_vectors_tree(to: &Path) {
    std::fs::create_dir_all(to.join("w3c")).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    for f in GENERATED_VECTOR_FILES {
        std::fs::copy(vectors_dir().join(f), to.join(f)).unwrap_or_else(|e| panic!("copying {f}: {e}"));
    }
}
