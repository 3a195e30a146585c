//! Whose rule a case or check rests on, and the sentence that states it.
//!
//! A FAIL is only worth what its basis is worth. The [`BasisKind`] says whose requirement it is: the relying party's
//! own procedure (§7.1, §7.2, a format's verification procedure in §8, the origin section's rule on unexpected
//! origins), a MUST on what the client or authenticator produces that no RP step checks, an expectation of the
//! FIDO conformance tool beyond the spec, or no MUST at all (a defence against a named attack). The quote is the
//! requirement verbatim from the WebAuthn Level 3 source with markup dropped; `spec::text::quoted` checks it.

use serde::Serialize;

/// Whose requirement a case or check rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BasisKind {
    /// The relying party's own steps say it: §7.1, §7.2, a format's verification procedure in §8, or the
    /// origin section's "MUST NOT accept unexpected values" relative to the origins the user declared.
    Procedure,
    /// A MUST on what the client or authenticator produces that no relying-party step checks.
    Data,
    /// What the FIDO server conformance tool expects beyond the spec (the case names the tool's test).
    Conformance,
    /// No MUST: a defence against a named attack class.
    Hardening,
}

impl BasisKind {
    pub const ALL: [BasisKind; 4] =
        [BasisKind::Procedure, BasisKind::Data, BasisKind::Conformance, BasisKind::Hardening];

    pub fn as_str(self) -> &'static str {
        match self {
            BasisKind::Procedure => "procedure",
            BasisKind::Data => "data",
            BasisKind::Conformance => "conformance",
            BasisKind::Hardening => "hardening",
        }
    }

    /// Whose rule it is, in a few words, for a report.
    pub fn whose(self) -> &'static str {
        match self {
            BasisKind::Procedure => "the relying party's own procedure",
            BasisKind::Data => {
                "a rule on what the client or authenticator produces, which no relying-party step checks"
            }
            BasisKind::Conformance => "an expectation of the FIDO conformance tool beyond the spec",
            BasisKind::Hardening => "no MUST: a defence against an attack",
        }
    }
}

/// The requirement a case or check rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Basis {
    pub kind: BasisKind,
    /// Where the quote stands: `§7.1 step 9`, `§6.1`, `§13.5.9`.
    pub section: &'static str,
    /// The requirement verbatim from the spec, markup dropped: one or more whole sentences. Empty only for a
    /// `conformance` basis, whose case names the FIDO test instead.
    pub quote: &'static str,
}

impl Basis {
    pub const fn procedure(section: &'static str, quote: &'static str) -> Basis {
        Basis { kind: BasisKind::Procedure, section, quote }
    }

    pub const fn data(section: &'static str, quote: &'static str) -> Basis {
        Basis { kind: BasisKind::Data, section, quote }
    }

    pub const fn hardening(section: &'static str, quote: &'static str) -> Basis {
        Basis { kind: BasisKind::Hardening, section, quote }
    }

    /// What the FIDO conformance tool expects beyond the spec; `section` names the closest spec text, if any,
    /// and `quote` may be empty (the case's FIDO test id is its basis).
    pub const fn conformance(section: &'static str, quote: &'static str) -> Basis {
        Basis { kind: BasisKind::Conformance, section, quote }
    }
}
