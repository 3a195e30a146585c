//! What the verifier answers when a check fails. The checks themselves are the shared vocabulary in the `spec`
//! crate ([`CheckId`]), re-exported here.

pub use spec::{Ceremony, CheckId, Level};

/// A failed check: which one, and what exactly was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{check} ({spec}, {level}): {detail}", spec = check.spec(), level = check.level().as_str())]
pub struct Rejection {
    pub check: CheckId,
    pub detail: String,
}

impl Rejection {
    pub fn new(check: CheckId, detail: impl Into<String>) -> Self {
        Rejection { check, detail: detail.into() }
    }
}

/// A SHOULD or POLICY check that did not hold but that the policy let pass (graded as a warning).
pub type Warning = Rejection;
