//! Expectations files (DESIGN §4): the known results of one implementation, each with a reason, so that
//! "as expected" can be told apart from "something changed".
//!
//! ```toml
//! [[case]]
//! id = "auth.counter.rollback"        # a case id, or a glob with '*'
//! verdict = "WARN"                    # the verdict this implementation gets
//! reason = "counters are not checked (documented behaviour)"
//! kind = "policy"                     # optional: deviation, policy, adapter or unsupported
//! ```
//!
//! `kind` says whose the result is, for the notes of a published report: `deviation` (the implementation departs
//! from the spec), `policy` (a choice the spec leaves to the RP, or a SHOULD not followed), `adapter` (a limitation
//! of the adapter that puts the implementation on the conformance API, not of the implementation) or `unsupported`
//! (a feature the implementation does not offer).
//!
//! `verdict = "SKIPPED"` leaves matching cases out of the run. An entry that matches no case, or whose cases
//! all got another verdict, is stale and reported.

use serde::Deserialize;

use crate::report::{Report, Verdict};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    verdict: String,
    reason: String,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    case: Vec<Entry>,
}

/// Whose a known result is (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Deviation,
    Policy,
    Adapter,
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

/// One expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub pattern: String,
    pub verdict: Verdict,
    pub reason: String,
    pub kind: Option<Kind>,
}

/// A parsed expectations file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expectations {
    pub entries: Vec<Expectation>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpectationsError {
    #[error("expectations file: {0}")]
    Toml(String),
    #[error("expectations file, entry {index} ({id}): {why}")]
    Entry { index: usize, id: String, why: String },
}

/// Whether `id` matches `pattern`: exactly, as a prefix ending in '.', or as a glob with `*`.
pub fn matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains('*') {
        return id == pattern || (pattern.ends_with('.') && id.starts_with(pattern));
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

impl Expectations {
    pub fn parse(text: &str) -> Result<Expectations, ExpectationsError> {
        let file: File = toml::from_str(text).map_err(|e| ExpectationsError::Toml(e.to_string()))?;
        let mut entries = Vec::new();
        for (index, e) in file.case.into_iter().enumerate() {
            let bad = |why: String| ExpectationsError::Entry { index: index + 1, id: e.id.clone(), why };
            let verdict: Verdict = e.verdict.parse().map_err(bad)?;
            if e.reason.trim().is_empty() {
                return Err(bad("a reason is required".into()));
            }
            if e.id.trim().is_empty() {
                return Err(bad("the id is empty".into()));
            }
            let kind = e.kind.as_deref().map(str::parse::<Kind>).transpose().map_err(bad)?;
            entries.push(Expectation { pattern: e.id, verdict, reason: e.reason, kind });
        }
        Ok(Expectations { entries })
    }

    /// Whether the case should be left out of the run.
    pub fn skipped(&self, id: &str) -> Option<&Expectation> {
        self.entries.iter().find(|e| e.verdict == Verdict::Skipped && matches(&e.pattern, id))
    }

    /// Marks expected results and lists stale entries in the report.
    pub fn apply(&self, report: &mut Report) {
        let mut used = vec![false; self.entries.len()];
        for case in &mut report.cases {
            for (i, e) in self.entries.iter().enumerate() {
                if matches(&e.pattern, &case.id) && e.verdict == case.verdict {
                    used[i] = true;
                    if !case.verdict.is_good() || case.verdict == Verdict::Skipped {
                        case.expected_because = Some(e.reason.clone());
                        case.expected_kind = e.kind;
                    }
                    break;
                }
            }
        }
        report.stale_expectations = self
            .entries
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(e, _)| {
                let matched: Vec<String> = report
                    .cases
                    .iter()
                    .filter(|c| matches(&e.pattern, &c.id))
                    .map(|c| format!("{} is {}", c.id, c.verdict.as_str()))
                    .collect();
                if matched.is_empty() {
                    format!("{} (expected {}): matches no case that ran", e.pattern, e.verdict.as_str())
                } else {
                    format!("{} (expected {}): {}", e.pattern, e.verdict.as_str(), matched.join(", "))
                }
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("a.b", "a.b"));
        assert!(!matches("a.b", "a.bc"));
        assert!(matches("a.", "a.bc"));
        assert!(matches("a.*.c", "a.x.y.c"));
        assert!(matches("*.origin.*", "reg.client-data.origin.null"));
        assert!(!matches("a*b", "ab.c"));
        assert!(matches("a*b", "ab"));
    }

    #[test]
    fn a_reason_is_required_and_verdicts_must_exist() {
        let e =
            Expectations::parse("[[case]]\nid = \"x\"\nverdict = \"WARN\"\nreason = \" \"\n").unwrap_err();
        assert!(matches!(e, ExpectationsError::Entry { index: 1, .. }), "{e}");
        let e =
            Expectations::parse("[[case]]\nid = \"x\"\nverdict = \"MAYBE\"\nreason = \"r\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown verdict"), "{e}");
        let e = Expectations::parse("[[case]]\nid = \"x\"\nverdict = \"WARN\"\n").unwrap_err();
        assert!(matches!(e, ExpectationsError::Toml(_)), "{e}");
        let ok = Expectations::parse("[[case]]\nid = \"x\"\nverdict = \"warn\"\nreason = \"r\"\n").unwrap();
        assert_eq!(ok.entries[0].verdict, Verdict::Warn);
        assert_eq!(ok.entries[0].kind, None);
        let ok = Expectations::parse(
            "[[case]]\nid = \"x\"\nverdict = \"FAIL\"\nreason = \"r\"\nkind = \"deviation\"\n",
        )
        .unwrap();
        assert_eq!(ok.entries[0].kind, Some(Kind::Deviation));
        let e =
            Expectations::parse("[[case]]\nid = \"x\"\nverdict = \"FAIL\"\nreason = \"r\"\nkind = \"bug\"\n")
                .unwrap_err();
        assert!(e.to_string().contains("unknown kind \"bug\""), "{e}");
    }
}

#[cfg(test)]
mod apply_tests {
    use super::*;
    use crate::report::{CaseResult, Report};

    fn result(id: &str, verdict: Verdict) -> CaseResult {
        CaseResult {
            id: id.into(),
            ceremony: "authentication".into(),
            spec: "§7.2 step 22".into(),
            level: "POLICY".into(),
            expect: "reject".into(),
            verdict,
            detail: String::new(),
            title: String::new(),
            flags: vec![],
            check: None,
            fido: None,
            observed: None,
            expected_because: None,
            expected_kind: None,
        }
    }

    #[test]
    fn expected_results_are_marked_and_the_rest_are_unexpected_or_stale() {
        let cases = vec![
            result("auth.counter.rollback", Verdict::Warn),
            result("auth.counter.equal", Verdict::Warn),
            result("auth.flags.up-clear", Verdict::Fail),
        ];
        let mut report = Report {
            schema: String::new(),
            harness_version: String::new(),
            target: String::new(),
            origin: String::new(),
            rp_id: String::new(),
            seed: 0,
            summary: Report::summarize(&cases),
            cases,
            stale_expectations: vec![],
        };
        let e = Expectations::parse(
            "[[case]]\nid = \"auth.counter.*\"\nverdict = \"WARN\"\nreason = \"counters unchecked\"\n\
             [[case]]\nid = \"auth.flags.up-clear\"\nverdict = \"WARN\"\nreason = \"wrong guess\"\n\
             [[case]]\nid = \"reg.gone\"\nverdict = \"FAIL\"\nreason = \"renamed\"\n",
        )
        .unwrap();
        e.apply(&mut report);
        assert_eq!(report.cases[0].expected_because.as_deref(), Some("counters unchecked"));
        assert_eq!(report.cases[1].expected_because.as_deref(), Some("counters unchecked"));
        assert_eq!(report.cases[2].expected_because, None);
        assert_eq!(
            report.unexpected().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            vec!["auth.flags.up-clear"]
        );
        assert_eq!(
            report.stale_expectations,
            vec![
                "auth.flags.up-clear (expected WARN): auth.flags.up-clear is FAIL".to_string(),
                "reg.gone (expected FAIL): matches no case that ran".to_string(),
            ]
        );
    }
}
