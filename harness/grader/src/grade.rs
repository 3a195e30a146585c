//! Running the catalogue against a target and grading it: discovery (every valid baseline, to learn which
//! algorithms and attestation formats the RP accepts), then each selected case, each judged once by [`judge`],
//! the expectations applied, the summary counted. [`grade`] returns the finished report and the transcripts.

use std::collections::HashSet;

use generator::catalog::{Case, Expect, Level};
use generator::ceremony::AttestationKind;
use generator::client::ClientConfig;
use generator::keys::Algorithm;
use generator::runner::{run_case, Observation};
use generator::target::{Reply, Target};

use crate::expectations::Expectations;
use crate::report::{CaseResult, Observed, Report, Verdict, SCHEMA};
use crate::transcript::Transcript;

/// What a grading run needs besides the target.
#[derive(Debug, Clone)]
pub struct GradeConfig {
    /// How the target is named in the report.
    pub target: String,
    pub client: ClientConfig,
    pub seed: u64,
    /// Attestation formats the user declares the RP must support (their rejected baselines FAIL instead of
    /// making the format UNSUPPORTED). `none` is always required.
    pub required_formats: Vec<String>,
    /// The RP's known results: matching results are marked expected, entries no result matches are stale, and
    /// `SKIPPED` entries leave their cases out of the run.
    pub expectations: Expectations,
}

/// What discovery learned the RP supports.
#[derive(Debug, Clone, Default)]
pub struct Support {
    pub algorithms: HashSet<Algorithm>,
    pub attestations: HashSet<AttestationKind>,
}

fn fmt_name(a: AttestationKind) -> &'static str {
    match a {
        AttestationKind::None => "none",
        AttestationKind::PackedSelf => "packed-self",
        AttestationKind::PackedX5c => "packed-x5c",
        AttestationKind::FidoU2f => "fido-u2f",
    }
}

/// A baseline whose rejection is a failure, not a sign of missing support: ES256 with `none`, or with a
/// format the user declared required.
fn mandatory(case: &Case, cfg: &GradeConfig) -> bool {
    let s = case.setup;
    s.alg == Algorithm::Es256 && format_required(s.attestation, cfg)
}

fn format_required(a: AttestationKind, cfg: &GradeConfig) -> bool {
    a == AttestationKind::None || cfg.required_formats.iter().any(|f| f == fmt_name(a))
}

fn observed(r: &Reply) -> Observed {
    Observed {
        accepted: r.accepted(),
        http_status: Some(r.status),
        error_message: r.error_message().map(str::to_owned),
        check: r.check().map(str::to_owned),
    }
}

fn describe(r: &Reply) -> String {
    if r.accepted() {
        format!("accepted (HTTP {})", r.status)
    } else if r.body.is_null() {
        format!("HTTP {} with a body that is not JSON", r.status)
    } else {
        match r.error_message() {
            Some(m) => format!("rejected (HTTP {}): {m}", r.status),
            None => format!(
                "rejected (HTTP {}, status {})",
                r.status,
                r.body.get("status").unwrap_or(&serde_json::Value::Null)
            ),
        }
    }
}

/// How a selected case came out, before it is judged.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The case ran. `baseline_mandatory`: the case is a baseline whose rejection is a failure (ES256 with a
    /// required format), not a sign that the RP does not offer its algorithm or format.
    Ran { observation: &'a Observation, baseline_mandatory: bool },
    /// Not run: discovery found the RP rejects the valid baseline for the case's algorithm or attestation format.
    NotOffered,
    /// Not run: an expectations entry skips it, for this reason.
    Skipped { reason: &'a str },
}

/// The verdict for one case, with why in one line. Every verdict of a report is decided here.
pub fn judge(case: &Case, outcome: Outcome<'_>) -> (Verdict, String) {
    let (observation, baseline_mandatory) = match outcome {
        Outcome::Ran { observation, baseline_mandatory } => (observation, baseline_mandatory),
        Outcome::NotOffered => {
            let s = case.setup;
            return (
                Verdict::Unsupported,
                format!(
                    "the RP rejected the valid baseline for {:?} with {} attestation",
                    s.alg,
                    fmt_name(s.attestation)
                ),
            );
        }
        Outcome::Skipped { reason } => {
            return (Verdict::Skipped, format!("skipped by the expectations file: {reason}"));
        }
    };
    match observation {
        Observation::Error { why } => (Verdict::Error, why.clone()),
        Observation::Unsupported { why } => (Verdict::Unsupported, why.clone()),
        Observation::ControlRejected { step, reply } => {
            if case.is_baseline() && !baseline_mandatory {
                (Verdict::Unsupported, format!("{step} failed: {}", describe(reply)))
            } else {
                (Verdict::Inconclusive, format!("the {step} was not accepted: {}", describe(reply)))
            }
        }
        Observation::Completed { subject, .. } => {
            let accepted = subject.accepted();
            match case.expect {
                Expect::Either => (Verdict::Info, describe(subject)),
                Expect::Accept if accepted => (Verdict::Pass, describe(subject)),
                Expect::Accept => {
                    if subject.status >= 500 || subject.body.is_null() {
                        (Verdict::Error, describe(subject))
                    } else if case.is_baseline() && !baseline_mandatory {
                        (Verdict::Unsupported, format!("the valid baseline was {}", describe(subject)))
                    } else if case.level == Level::Must {
                        (Verdict::Fail, format!("expected acceptance, got {}", describe(subject)))
                    } else {
                        (Verdict::Warn, format!("expected acceptance, got {}", describe(subject)))
                    }
                }
                Expect::Reject if !accepted => (Verdict::Pass, describe(subject)),
                Expect::Reject if case.level == Level::Must => {
                    (Verdict::Fail, "expected rejection, but the RP accepted".to_owned())
                }
                Expect::Reject => (Verdict::Warn, "expected rejection, but the RP accepted".to_owned()),
            }
        }
    }
}

/// One case's result: its verdict (from [`judge`]), what the subject call came back with, and the expectation
/// entry that makes the verdict a known result, if any. A known PASS, INFO or UNSUPPORTED needs no note and
/// gets none (its entry still counts as used).
fn result(case: &Case, outcome: Outcome<'_>, expectations: &Expectations) -> CaseResult {
    let (verdict, detail) = judge(case, outcome);
    let subject = match outcome {
        Outcome::Ran { observation: Observation::Completed { subject, .. }, .. } => Some(observed(subject)),
        _ => None,
    };
    let known =
        expectations.known(case.id, verdict).filter(|_| !verdict.is_good() || verdict == Verdict::Skipped);
    CaseResult {
        id: case.id.to_owned(),
        ceremony: case.ceremony(),
        spec: case.spec.to_owned(),
        level: case.level,
        expect: case.expect,
        verdict,
        detail,
        title: case.title.to_owned(),
        flags: case.flags.iter().map(|f| format!("{f:?}")).collect(),
        check: case.check,
        fido: case.fido.map(str::to_owned),
        fido_expect: case.fido_expect,
        basis: case.basis().map(Into::into),
        observed: subject,
        expected_because: known.map(|e| e.reason.clone()),
        expected_kind: known.and_then(|e| e.kind),
    }
}

/// Everything a run produced: the finished report and the exchanges of each case that ran.
#[derive(Debug, Clone)]
pub struct Graded {
    pub report: Report,
    /// One per case that ran and is in the report, in the report's order.
    pub transcripts: Vec<Transcript>,
}

/// Runs discovery (every valid baseline of `all_cases`), then the `selected` cases that the expectations do not
/// skip, against `target`, and returns the finished report: the selected baselines first, then the other
/// cases that ran or that the RP does not offer, then the skipped ones, each in catalogue order. `progress` is
/// told (done, total, case id) before each case that runs.
pub fn grade(
    target: &mut dyn Target,
    cfg: &GradeConfig,
    all_cases: &[Case],
    selected: &[Case],
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Graded {
    let (to_run, skipped): (Vec<&Case>, Vec<&Case>) =
        selected.iter().partition(|c| cfg.expectations.skipped(c.id).is_none());
    let baselines: Vec<&Case> = all_cases.iter().filter(|c| c.is_baseline()).collect();
    let total = baselines.len() + to_run.iter().filter(|c| !c.is_baseline()).count();
    let mut done = 0;
    let mut support = Support::default();
    let mut results = Vec::new();
    let mut transcripts = Vec::new();
    let to_run_ids: HashSet<&str> = to_run.iter().map(|c| c.id).collect();
    for case in &baselines {
        progress(done, total, case.id);
        let run = run_case(case, target, &cfg.client, cfg.seed);
        if let Observation::Completed { subject, .. } = &run.observation {
            if subject.accepted() {
                support.algorithms.insert(case.setup.alg);
                support.attestations.insert(case.setup.attestation);
            }
        }
        if to_run_ids.contains(case.id) {
            let outcome =
                Outcome::Ran { observation: &run.observation, baseline_mandatory: mandatory(case, cfg) };
            results.push(result(case, outcome, &cfg.expectations));
            transcripts.push(Transcript { case: case.id, seed: cfg.seed, exchanges: run.exchanges });
        }
        done += 1;
    }
    for case in to_run.iter().filter(|c| !c.is_baseline()) {
        progress(done, total, case.id);
        let s = case.setup;
        let offered = (support.algorithms.contains(&s.alg) || s.alg == Algorithm::Es256)
            && (support.attestations.contains(&s.attestation) || format_required(s.attestation, cfg));
        if offered {
            let run = run_case(case, target, &cfg.client, cfg.seed);
            let outcome = Outcome::Ran { observation: &run.observation, baseline_mandatory: true };
            results.push(result(case, outcome, &cfg.expectations));
            transcripts.push(Transcript { case: case.id, seed: cfg.seed, exchanges: run.exchanges });
        } else {
            results.push(result(case, Outcome::NotOffered, &cfg.expectations));
        }
        done += 1;
    }
    progress(total, total, "");
    for case in skipped {
        let reason = cfg.expectations.skipped(case.id).map(|e| e.reason.as_str()).unwrap_or_default();
        results.push(result(case, Outcome::Skipped { reason }, &cfg.expectations));
    }
    let report = Report {
        schema: SCHEMA.to_owned(),
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: cfg.target.clone(),
        origin: cfg.client.origin.clone(),
        rp_id: cfg.client.rp_id.clone(),
        seed: cfg.seed,
        summary: Report::summarize(&results),
        stale_expectations: cfg.expectations.stale(&results),
        cases: results,
    };
    Graded { report, transcripts }
}
