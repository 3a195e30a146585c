//! A fuzz run's report: what was sent, what came back, the findings; as text, JSON and Markdown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::judge::{Disagreement, Judgement};
use super::trial::{Controls, Reference, Trial};
use super::{Ceremony, Found, LiveConfig};

/// Where a run is, for live progress.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub seconds: f64,
    pub requests: u64,
    pub ceremonies: u64,
    pub findings: usize,
    pub reply_kinds: usize,
    /// Descriptions of the pairwise phase taken, and in all.
    pub pairs: (u64, u64),
}

impl Progress {
    pub fn line(&self) -> String {
        let rate = if self.seconds > 0.0 { self.requests as f64 / self.seconds } else { 0.0 };
        let phase = if self.pairs.0 < self.pairs.1 {
            format!("  pairwise {}/{}", self.pairs.0, self.pairs.1)
        } else {
            String::new()
        };
        format!(
            "{:>6.0} s  {:>8} requests ({rate:.0}/s)  {:>7} ceremonies  {} kinds of answer  {} findings{phase}",
            self.seconds, self.requests, self.ceremonies, self.reply_kinds, self.findings
        )
    }
}

/// Counts per ceremony.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CeremonyCounts {
    /// Ceremonies sent and answered.
    pub sent: u64,
    /// Accepted by the RP.
    pub accepted: u64,
    /// Accepted by the reference.
    pub reference_accepted: u64,
    /// The RP accepted what the reference rejects by a rule that is not a MUST of its procedure.
    pub notes: u64,
    /// The RP refused what the reference accepts only with warnings (a policy of the RP).
    pub policy_refusals: u64,
    /// Disagreements (before deduplication).
    pub disagreements: u64,
}

/// What the workers counted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub by_ceremony: BTreeMap<Ceremony, CeremonyCounts>,
    /// Descriptions not sent, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Calls that failed (unreachable, timed out, options unusable), by reason.
    pub failed: BTreeMap<String, u64>,
    /// Notes by the reference's check.
    pub notes: BTreeMap<String, u64>,
    /// Policy refusals by the warnings the reference had.
    pub policy: BTreeMap<String, u64>,
}

impl Counts {
    pub fn trial(&mut self, ceremony: Ceremony, t: &Trial, j: &Judgement) {
        let c = self.by_ceremony.entry(ceremony).or_default();
        c.sent += 1;
        c.accepted += u64::from(t.reply.accepted());
        c.reference_accepted += u64::from(matches!(t.reference, Reference::Accepted { .. }));
        match j {
            Judgement::Note(check) => {
                c.notes += 1;
                *self.notes.entry(check.id().to_owned()).or_default() += 1;
            }
            Judgement::Policy => {
                c.policy_refusals += 1;
                if let Reference::Accepted { warnings } = &t.reference {
                    let mut key = warnings.iter().map(|w| w.id()).collect::<Vec<_>>().join(" ");
                    if key.is_empty() {
                        key = super::judge::refusal_explained(&t.sent)
                            .unwrap_or("a response without every member of the JSON serialization")
                            .into();
                    }
                    *self.policy.entry(key).or_default() += 1;
                }
            }
            Judgement::Finding(_) => c.disagreements += 1,
            Judgement::Agree => {}
        }
    }

    pub fn skipped(&mut self, why: &str) {
        *self.skipped.entry(why.to_owned()).or_default() += 1;
    }

    pub fn failed(&mut self, why: &str) {
        *self.failed.entry(super::judge::message_shape(why)).or_default() += 1;
    }

    pub fn sent(&self) -> u64 {
        self.by_ceremony.values().map(|c| c.sent).sum()
    }
}

/// A finding as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingSummary {
    pub id: String,
    pub ceremony: Ceremony,
    #[serde(flatten)]
    pub disagreement: Disagreement,
    pub meaning: String,
    /// The reference's check: its section, whose rule it is, and the requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    /// What the minimised description changes (mutation kinds; `re-signed` when it signs again after them).
    pub mutations: Vec<String>,
    /// The minimised description.
    pub description: String,
    pub reply_status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_message: Option<String>,
    pub occurrences: u64,
    pub after_requests: u64,
    pub after_seconds: f64,
    /// The replay file, once written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
}

/// A check's requirement, for a finding.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub check: String,
    pub section: String,
    pub basis: String,
    pub quote: String,
}

impl FindingSummary {
    pub fn of(f: &Found) -> FindingSummary {
        FindingSummary {
            id: f.id.clone(),
            ceremony: f.description.ceremony(),
            disagreement: f.disagreement.clone(),
            meaning: f.disagreement.meaning(),
            requirement: f.disagreement.check().map(|c| {
                let b = c.basis();
                Requirement {
                    check: c.id().to_owned(),
                    section: b.section.to_owned(),
                    basis: b.kind.as_str().to_owned(),
                    quote: b.quote.to_owned(),
                }
            }),
            mutations: f.mutation_kinds.clone(),
            description: format!("{:?}", f.description),
            reply_status: f.trial.reply.status,
            reply_message: f.trial.reply.error_message().map(str::to_owned),
            occurrences: f.occurrences,
            after_requests: f.after_requests,
            after_seconds: (f.after_seconds * 10.0).round() / 10.0,
            replay: None,
        }
    }
}

/// The report of a run.
#[derive(Debug, Clone, Serialize)]
pub struct LiveReport {
    pub tool: &'static str,
    pub target: String,
    pub origin: String,
    pub rp_id: String,
    pub seed: u64,
    pub jobs: usize,
    pub seconds: f64,
    pub requests: u64,
    pub requests_per_second: f64,
    pub ceremonies: u64,
    /// Why the run ended.
    pub stopped: String,
    /// Kinds of answer seen (the feedback's measure of progress).
    pub reply_kinds: usize,
    /// The kinds of ceremony whose control was refused, with the RP's answer: descriptions of these kinds were
    /// not sent.
    pub refused_kinds: BTreeMap<String, String>,
    /// The pairwise phase ([`super::pairs`]): descriptions sent of it, and in all (0 of 0 when off).
    pub pairwise: Pairwise,
    #[serde(flatten)]
    pub counts: Counts,
    pub findings: Vec<FindingSummary>,
}

/// How much of the pairwise phase a run sent.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Pairwise {
    pub sent: u64,
    pub planned: u64,
}

impl LiveReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cfg: &LiveConfig,
        seconds: f64,
        requests: u64,
        stopped: String,
        counts: Counts,
        reply_kinds: usize,
        controls: Controls,
        mut found: Vec<Found>,
    ) -> LiveReport {
        found.sort_by(|a, b| a.after_requests.cmp(&b.after_requests).then(a.id.cmp(&b.id)));
        LiveReport {
            tool: "webauthn-harness fuzz",
            target: String::new(),
            origin: cfg.client.origin.clone(),
            rp_id: cfg.client.rp_id.clone(),
            seed: cfg.seed,
            jobs: cfg.jobs,
            seconds: (seconds * 10.0).round() / 10.0,
            requests,
            requests_per_second: if seconds > 0.0 { (requests as f64 / seconds).round() } else { 0.0 },
            ceremonies: counts.sent(),
            stopped,
            reply_kinds,
            pairwise: Pairwise::default(),
            refused_kinds: controls.kinds.into_iter().filter_map(|(k, r)| r.err().map(|e| (k, e))).collect(),
            counts,
            findings: found.iter().map(FindingSummary::of).collect(),
        }
    }

    /// Findings that a MUST of the RP's own procedure backs.
    pub fn accepts_invalid(&self) -> usize {
        self.findings.iter().filter(|f| matches!(f.disagreement, Disagreement::AcceptsInvalid { .. })).count()
    }

    pub fn text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "webauthn-harness fuzz: {} (origin {}, RP ID {})",
            self.target, self.origin, self.rp_id
        );
        let _ = writeln!(
            o,
            "{} requests in {:.1} s ({:.0}/s), {} ceremonies, {} worker(s), seed {}; stopped: {}",
            self.requests,
            self.seconds,
            self.requests_per_second,
            self.ceremonies,
            self.jobs,
            self.seed,
            self.stopped
        );
        for (c, n) in &self.counts.by_ceremony {
            let _ = writeln!(
                o,
                "  {:<14} {} sent, {} accepted by the RP, {} by the reference; {} notes, {} policy refusals, {} disagreements",
                c.as_str(),
                n.sent,
                n.accepted,
                n.reference_accepted,
                n.notes,
                n.policy_refusals,
                n.disagreements
            );
        }
        let _ = writeln!(o, "  {} kinds of answer seen", self.reply_kinds);
        if self.pairwise.planned > 0 {
            let _ = writeln!(
                o,
                "  pairwise phase: {} of {} descriptions sent",
                self.pairwise.sent, self.pairwise.planned
            );
        }
        for (k, why) in &self.refused_kinds {
            let _ = writeln!(o, "  not sent: {k} ({why})");
        }
        for (why, n) in &self.counts.failed {
            let _ = writeln!(o, "  failed calls: {n} x {why}");
        }
        if !self.counts.notes.is_empty() {
            let _ = writeln!(
                o,
                "Notes (accepted where the reference rejects by a rule that is not a MUST of the RP's procedure):"
            );
            for (check, n) in &self.counts.notes {
                let _ = writeln!(o, "  {n} x {check}");
            }
        }
        if !self.counts.policy.is_empty() {
            let _ = writeln!(o, "Policy refusals (refused where the reference accepts with these warnings):");
            for (checks, n) in &self.counts.policy {
                let _ = writeln!(o, "  {n} x {checks}");
            }
        }
        if self.findings.is_empty() {
            let _ = writeln!(o, "No findings.");
        } else {
            let _ = writeln!(o, "{} findings:", self.findings.len());
        }
        for f in &self.findings {
            let _ = writeln!(o, "\n{} [{}] x{}", f.id, f.disagreement.class(), f.occurrences);
            let _ = writeln!(o, "  {}", f.meaning);
            if let Some(r) = &f.requirement {
                let _ = writeln!(o, "  {} ({}): {}", r.section, r.basis, r.quote);
            }
            let _ = writeln!(
                o,
                "  changes: {}",
                if f.mutations.is_empty() {
                    "none (the description's own fields)".into()
                } else {
                    f.mutations.join(", ")
                }
            );
            let _ = writeln!(o, "  description: {}", f.description);
            let _ = writeln!(
                o,
                "  RP answered HTTP {}{}; found after {} requests ({:.1} s)",
                f.reply_status,
                f.reply_message.as_ref().map(|m| format!(": {m}")).unwrap_or_default(),
                f.after_requests,
                f.after_seconds
            );
            if let Some(r) = &f.replay {
                let _ = writeln!(o, "  replay: webauthn-harness fuzz --replay {r} --target {}", self.target);
            }
        }
        o
    }

    pub fn markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut o = String::new();
        let _ = writeln!(o, "# Fuzzing {}\n", esc(&self.target));
        let _ = writeln!(
            o,
            "{} requests in {:.1} s ({:.0}/s), {} ceremonies, {} worker(s), seed {}; stopped: {}. Origin `{}`, RP ID `{}`.\n",
            self.requests,
            self.seconds,
            self.requests_per_second,
            self.ceremonies,
            self.jobs,
            self.seed,
            esc(&self.stopped),
            self.origin,
            self.rp_id
        );
        if self.pairwise.planned > 0 {
            let _ = writeln!(
                o,
                "Pairwise phase (every near miss of the dictionary alone and with each other): {} of {} descriptions sent.\n",
                self.pairwise.sent, self.pairwise.planned
            );
        }
        let _ = writeln!(o, "| ceremony | sent | RP accepted | reference accepted | notes | policy refusals | disagreements |");
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|");
        for (c, n) in &self.counts.by_ceremony {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                c.as_str(),
                n.sent,
                n.accepted,
                n.reference_accepted,
                n.notes,
                n.policy_refusals,
                n.disagreements
            );
        }
        if !self.refused_kinds.is_empty() {
            let _ = writeln!(o, "\nKinds of ceremony not sent (their control was refused):\n");
            for (k, why) in &self.refused_kinds {
                let _ = writeln!(o, "- {}: {}", esc(k), esc(why));
            }
        }
        if !self.counts.notes.is_empty() {
            let _ = writeln!(o, "\nNotes (accepted where the reference rejects by a rule that is not a MUST of the RP's procedure):\n");
            for (check, n) in &self.counts.notes {
                let _ = writeln!(o, "- `{check}`: {n}");
            }
        }
        let _ = writeln!(o, "\n## Findings\n");
        if self.findings.is_empty() {
            let _ = writeln!(o, "None.");
        }
        for f in &self.findings {
            let _ = writeln!(o, "### `{}` ({}, x{})\n", f.id, f.disagreement.class(), f.occurrences);
            let _ = writeln!(o, "{}.\n", esc(&f.meaning));
            if let Some(r) = &f.requirement {
                let _ = writeln!(o, "> {} ({}): {}\n", r.section, r.basis, esc(&r.quote));
            }
            let _ = writeln!(
                o,
                "- changes: {}",
                if f.mutations.is_empty() { "none".into() } else { esc(&f.mutations.join(", ")) }
            );
            let _ = writeln!(o, "- description: `{}`", f.description.replace('`', "'"));
            let _ = writeln!(
                o,
                "- RP answered HTTP {}{}",
                f.reply_status,
                f.reply_message.as_ref().map(|m| format!(": {}", esc(m))).unwrap_or_default()
            );
            if let Some(r) = &f.replay {
                let _ = writeln!(o, "- replay: `webauthn-harness fuzz --replay {r} --target URL`");
            }
            let _ = writeln!(o);
        }
        o
    }
}
