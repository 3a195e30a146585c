//! The result model every renderer reads: one [`Report`] per run, one [`CaseResult`] per case. Its JSON form is
//! the schema [`SCHEMA`]; the published peer reports under `reports/` are that JSON, so a field's name, order
//! or spelling here is part of the schema.
//!
//! A case's ceremony, level, expected outcome and check are the typed vocabulary of the `spec` crate; only what
//! the RP itself answered (its HTTP status, its message, the check it names) is kept as it came.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use spec::{BasisKind, Ceremony, CheckId, Expect, Level};

use crate::grading::Grading;
use crate::origins::OriginPolicy;

/// The versioned schema name of the JSON report.
pub const SCHEMA: &str = "webauthn-harness/report/v1";

/// What a case's run says about the RP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// The RP answered as the spec requires.
    Pass,
    /// A case went the other way where the grading does not make it a failure: under `webauthn-l3`, a SHOULD
    /// or POLICY case, or a case whose basis is not the RP's own procedure (see `grading`).
    Warn,
    /// A case went the other way where the grading makes it a failure: under `webauthn-l3`, a MUST of the RP's
    /// own procedure (see `grading`).
    Fail,
    /// An `either` case: the behaviour is recorded.
    Info,
    /// The RP does not offer what the case needs (an algorithm, an attestation format).
    Unsupported,
    /// Left out by the expectations file.
    Skipped,
    /// The control (the unmutated ceremony in the same state) was not accepted, so the case says nothing.
    Inconclusive,
    /// Timeout, connection failure, unusable reply, or a server error where acceptance was required.
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 8] = [
        Verdict::Pass,
        Verdict::Warn,
        Verdict::Fail,
        Verdict::Info,
        Verdict::Unsupported,
        Verdict::Skipped,
        Verdict::Inconclusive,
        Verdict::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
            Verdict::Info => "INFO",
            Verdict::Unsupported => "UNSUPPORTED",
            Verdict::Skipped => "SKIPPED",
            Verdict::Inconclusive => "INCONCLUSIVE",
            Verdict::Error => "ERROR",
        }
    }

    /// Whether this verdict is fine without an expectation entry.
    pub fn is_good(self) -> bool {
        matches!(self, Verdict::Pass | Verdict::Info | Verdict::Unsupported | Verdict::Skipped)
    }
}

impl std::str::FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown verdict {s:?}"))
    }
}

/// Whose a known result is, as an expectations file says: for the notes of a published report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The implementation departs from the spec.
    Deviation,
    /// A choice the spec leaves to the RP, or a SHOULD not followed.
    Policy,
    /// A limitation of the adapter that puts the implementation on the conformance API, not of the
    /// implementation.
    Adapter,
    /// A feature the implementation does not offer.
    Unsupported,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Deviation, Kind::Policy, Kind::Adapter, Kind::Unsupported];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deviation => "deviation",
            Kind::Policy => "policy",
            Kind::Adapter => "adapter",
            Kind::Unsupported => "unsupported",
        }
    }

    /// What the kind means, for a report's legend.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Deviation => "the implementation departs from the spec",
            Kind::Policy => "a choice the spec leaves to the RP, or a SHOULD not followed",
            Kind::Adapter => "a limitation of the adapter, not of the implementation",
            Kind::Unsupported => "a feature the implementation does not offer",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown kind {s:?} (one of {})", all.join(", "))
        })
    }
}

/// The requirement a case rests on, as a report carries it (see `spec::Basis`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseBasis {
    /// Whose rule it is: procedure, data, conformance or hardening.
    pub kind: BasisKind,
    /// Where the quote stands: `§7.1 step 9`.
    pub section: String,
    /// The requirement verbatim from the spec (markup dropped); empty for a conformance basis without one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quote: String,
}

impl From<spec::Basis> for CaseBasis {
    fn from(b: spec::Basis) -> CaseBasis {
        CaseBasis { kind: b.kind, section: b.section.to_owned(), quote: b.quote.to_owned() }
    }
}

/// A public record of a bug that an RP library shipped, which a case reproduces, as a report carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReference {
    /// `CVE-YYYY-NNNN`, `GHSA-xxxx-xxxx-xxxx` or `owner/repo#N`.
    pub id: String,
    /// The affected library and what it did wrong, in one line.
    pub summary: String,
}

impl CaseReference {
    /// `id (summary)`, as the text and Markdown reports print it.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.id, self.summary)
    }
}

/// What one call came back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub accepted: bool,
    /// The HTTP status (absent for a transport failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The rejecting check, where the RP names one (the reference RP does), as the RP spelled it: another RP
    /// may name checks this harness does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The body was not JSON.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_json: bool,
    /// The RP profile declared the answer a refusal the RP meant (its `refusal` predicate matched), so its
    /// server-error status is not a crash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declared_refusal: bool,
}

/// What an options case found in the RP's options: whether they meet its requirement, and what it found (in
/// the harness's words: sizes, counts, members, never the RP's random values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspected {
    pub met: bool,
    pub finding: String,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub ceremony: Ceremony,
    /// The clause and step exercised: `§7.1 step 9`.
    pub spec: String,
    pub level: Level,
    pub expect: Expect,
    pub verdict: Verdict,
    /// Why this verdict, in one line.
    pub detail: String,
    pub title: String,
    /// The bug classes a wrong answer reveals (the names of the generator's `Flag`s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// The public records of bugs that RP libraries shipped and this case reproduces (see the generator's
    /// `catalog::Reference`); absent when there are none, and in reports written before the field existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<CaseReference>,
    /// The reference verifier's check for this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fido: Option<String>,
    /// What the FIDO conformance tool expects where it differs from `expect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fido_expect: Option<Expect>,
    /// The requirement the case rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<CaseBasis>,
    /// An origin case whose origin (the one the harness sent in the subject's clientDataJSON) is among the
    /// declared origins ([`Report::origins`] under [`Report::origin_policy`]): either answer conforms.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub origin_declared: bool,
    /// What the subject call came back with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    /// What an options case found in the RP's options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspected: Option<Inspected>,
    /// The reason given in the expectations file, when this result was expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_because: Option<String>,
    /// Whose the expected result is, where the expectations file says (deviation, policy, adapter, unsupported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_kind: Option<Kind>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub harness_version: String,
    pub target: String,
    /// How the verdicts were decided: the profile, then `+strict` when every MUST FAILs
    /// (`webauthn-l3`, `webauthn-l3+strict`, `fido-conformance`, `fido-conformance+strict`; see `grading`).
    #[serde(default)]
    pub profile: Grading,
    /// The origin the virtual client reported.
    pub origin: String,
    /// Every origin declared as the RP's, the first being `origin`.
    #[serde(default)]
    pub origins: Vec<String>,
    /// How other origins may be declared: `exact` or `subdomains` (see `origins`).
    #[serde(default)]
    pub origin_policy: OriginPolicy,
    /// The user declared that the RP requires attestation where it asks for it (`grade --require-attestation`):
    /// the cases that answer direct attestation with a none or self statement were judged as rejections it
    /// owes. Absent when not declared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attestation_required: bool,
    pub rp_id: String,
    pub seed: u64,
    /// Count per verdict, every verdict listed.
    pub summary: BTreeMap<Verdict, usize>,
    pub cases: Vec<CaseResult>,
    /// Expectation entries that matched no result as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_expectations: Vec<String>,
}

impl Report {
    /// The report as published for a peer implementation: without the RP's own words (`detail` and the error
    /// message it answered), which may quote values that change from run to run (a library's message about
    /// the length of a signature over a random challenge, say); verdicts, checks, HTTP statuses and the
    /// expectation notes remain. Two runs with the same seed give the same published report.
    pub fn published(&self) -> Report {
        let mut r = self.clone();
        for c in &mut r.cases {
            c.detail = String::new();
            if let Some(o) = &mut c.observed {
                o.error_message = None;
            }
        }
        r
    }

    pub fn summarize(cases: &[CaseResult]) -> BTreeMap<Verdict, usize> {
        let mut summary: BTreeMap<Verdict, usize> = Verdict::ALL.iter().map(|v| (*v, 0)).collect();
        for c in cases {
            *summary.entry(c.verdict).or_default() += 1;
        }
        summary
    }

    /// Results that are neither good verdicts nor expected by the expectations file.
    pub fn unexpected(&self) -> impl Iterator<Item = &CaseResult> {
        self.cases.iter().filter(|c| !c.verdict.is_good() && c.expected_because.is_none())
    }
}
