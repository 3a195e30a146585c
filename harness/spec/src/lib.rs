//! The vocabulary of webauthn-harness, shared by the verifier (which enforces checks) and the generator (whose
//! cases target them), neither of which depends on the other.
//!
//! | item | what |
//! |---|---|
//! | [`CheckId`] | every check of the reference verifier: stable id, ceremony, spec step, level, summary |
//! | [`Level`] | how strongly the spec demands something: MUST, SHOULD, or left to the RP's policy |
//! | [`Ceremony`] | registration (§7.1) or authentication (§7.2) |
//! | [`Expect`] | what a correct relying party does with a case: accept, reject, or either |
#![forbid(unsafe_code)]

pub mod basis;
pub mod check;
pub mod text;

pub use basis::{Basis, BasisKind};
pub use check::CheckId;

/// How strongly the spec demands a check or a case's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// The spec says MUST (or "verify that" in a relying-party procedure step).
    Must,
    /// The spec says SHOULD: a relying party that does otherwise is not wrong, only weaker.
    Should,
    /// The spec leaves the decision to the relying party's policy.
    Policy,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::Policy => "POLICY",
        }
    }
}

/// Which ceremony a check belongs to, or whose result a case judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ceremony {
    Registration,
    Authentication,
}

impl Ceremony {
    pub fn as_str(self) -> &'static str {
        match self {
            Ceremony::Registration => "registration",
            Ceremony::Authentication => "authentication",
        }
    }

    /// The prefix of the ids of this ceremony's checks and cases: `reg.` or `auth.`.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Ceremony::Registration => "reg.",
            Ceremony::Authentication => "auth.",
        }
    }
}

/// What a correct relying party does with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Accept,
    Reject,
    /// The spec allows both; the behaviour is recorded (verdict INFO).
    Either,
    /// Not a response to accept or reject: what the RP sends (its options) meets the requirement the case
    /// quotes (an options case: `reg.options.*`, `auth.options.*`).
    Meet,
}

impl Expect {
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Accept => "accept",
            Expect::Reject => "reject",
            Expect::Either => "either",
            Expect::Meet => "meet",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_their_serde_form() {
        for l in [Level::Must, Level::Should, Level::Policy] {
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
        for c in [Ceremony::Registration, Ceremony::Authentication] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for e in [Expect::Accept, Expect::Reject, Expect::Either, Expect::Meet] {
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
        }
    }
}
