//! Expectations files: the known results of one implementation, each with a reason, so that
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

pub use crate::report::Kind;
use crate::report::{CaseResult, Verdict};

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

    /// The entry that leaves the case `id` out of the run, if any.
    pub fn skipped(&self, id: &str) -> Option<&Expectation> {
        self.known(id, Verdict::Skipped)
    }

    /// The entry that makes `verdict` a known result for the case `id`: the first entry matching the id that
    /// expects that verdict.
    pub fn known(&self, id: &str, verdict: Verdict) -> Option<&Expectation> {
        self.entries.iter().find(|e| e.verdict == verdict && matches(&e.pattern, id))
    }

    /// The stale entries among `results`: those that are the known result of none of them (they match no case
    /// that ran, or their cases all got another verdict), each with what its cases got instead.
    pub fn stale(&self, results: &[CaseResult]) -> Vec<String> {
        let used = |e: &Expectation| {
            results.iter().any(|c| self.known(&c.id, c.verdict).is_some_and(|k| std::ptr::eq(k, e)))
        };
        self.entries
            .iter()
            .filter(|e| !used(e))
            .map(|e| {
                let matched: Vec<String> = results
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
            .collect()
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
mod known_tests {
    use super::*;
    use spec::{Ceremony, Expect, Level};

    fn result(id: &str, verdict: Verdict) -> CaseResult {
        CaseResult {
            id: id.into(),
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 22".into(),
            level: Level::Policy,
            expect: Expect::Reject,
            verdict,
            detail: String::new(),
            title: String::new(),
            flags: vec![],
            references: vec![],
            check: None,
            fido: None,
            fido_expect: None,
            basis: None,
            origin_declared: false,
            inspected: None,
            observed: None,
            expected_because: None,
            expected_kind: None,
        }
    }

    #[test]
    fn known_results_are_found_and_the_unused_entries_are_stale() {
        let e = Expectations::parse(
            "[[case]]\nid = \"auth.counter.*\"\nverdict = \"WARN\"\nreason = \"counters unchecked\"\nkind = \"policy\"\n\
             [[case]]\nid = \"auth.counter.rollback\"\nverdict = \"WARN\"\nreason = \"shadowed\"\n\
             [[case]]\nid = \"auth.flags.up-clear\"\nverdict = \"WARN\"\nreason = \"wrong guess\"\n\
             [[case]]\nid = \"reg.gone\"\nverdict = \"FAIL\"\nreason = \"renamed\"\n\
             [[case]]\nid = \"auth.skip.*\"\nverdict = \"SKIPPED\"\nreason = \"not offered\"\n",
        )
        .unwrap();
        // The first matching entry with the verdict is the one.
        let k = e.known("auth.counter.rollback", Verdict::Warn).unwrap();
        assert_eq!((k.reason.as_str(), k.kind), ("counters unchecked", Some(Kind::Policy)));
        assert_eq!(e.known("auth.counter.rollback", Verdict::Fail), None);
        assert_eq!(e.known("auth.flags.up-clear", Verdict::Fail), None);
        assert_eq!(e.skipped("auth.skip.x").map(|k| k.reason.as_str()), Some("not offered"));
        assert_eq!(e.skipped("auth.counter.rollback"), None);

        let results = vec![
            result("auth.counter.rollback", Verdict::Warn),
            result("auth.counter.equal", Verdict::Warn),
            result("auth.flags.up-clear", Verdict::Fail),
            result("auth.skip.x", Verdict::Skipped),
        ];
        assert_eq!(
            e.stale(&results),
            vec![
                "auth.counter.rollback (expected WARN): auth.counter.rollback is WARN".to_string(),
                "auth.flags.up-clear (expected WARN): auth.flags.up-clear is FAIL".to_string(),
                "reg.gone (expected FAIL): matches no case that ran".to_string(),
            ]
        );
    }
}
