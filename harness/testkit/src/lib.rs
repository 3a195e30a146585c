//! Helpers the workspace's tests share, so that each is written once. A dev-dependency only: nothing in a
//! shipped crate depends on it.
//!
//! A crate's own unit tests cannot use it when it depends back on that crate (the unit tests would see two
//! copies of its types); integration tests under `tests/` can.
#![forbid(unsafe_code)]

use grader::transport::FnTarget;
use rp::{Config, ReferenceRp};
use serde_json::Value as Json;

/// The reference RP's configuration for a test: `rp_id`, `origin`, a fixed `seed` (so its challenges and
/// ids repeat), and the generator's attestation root as its only trust anchor.
pub fn rp_config(rp_id: &str, origin: &str, seed: u64) -> Config {
    let mut config = Config::new(rp_id, origin);
    config.seed = Some(seed);
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    config
}

/// `rp` as a [`generator::target::Target`], called in process (no HTTP) at the time `now` (Unix seconds):
/// each session of the target is a session of the RP.
pub fn in_process(rp: &ReferenceRp, now: u64) -> FnTarget<impl FnMut(&str, &str, &Json) -> (u16, Json) + '_> {
    FnTarget::new(move |session: &str, path: &str, body: &Json| rp.handle(session, path, body, now))
}
