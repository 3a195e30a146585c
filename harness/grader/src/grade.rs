//! Running the catalogue against a target and grading each case (DESIGN §4).

use std::collections::HashSet;

use generator::catalog::{Case, Ceremony, Expect, Level};
use generator::ceremony::AttestationKind;
use generator::client::ClientConfig;
use generator::keys::Algorithm;
use generator::runner::{run_case, CaseRun, Observation};
use generator::target::{Reply, Target};

use crate::report::{CaseResult, Observed, Report, Verdict, SCHEMA};

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

/// The verdict for one case's observation.
pub fn verdict(case: &Case, observation: &Observation, baseline_mandatory: bool) -> (Verdict, String) {
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

/// The result of one case.
pub fn result(case: &Case, run: &CaseRun, baseline_mandatory: bool) -> CaseResult {
    let (verdict, detail) = verdict(case, &run.observation, baseline_mandatory);
    let subject = match &run.observation {
        Observation::Completed { subject, .. } => Some(observed(subject)),
        _ => None,
    };
    CaseResult {
        id: case.id.to_owned(),
        ceremony: match case.ceremony() {
            Ceremony::Registration => "registration".into(),
            Ceremony::Authentication => "authentication".into(),
        },
        spec: case.spec.to_owned(),
        level: case.level.as_str().to_owned(),
        expect: case.expect.as_str().to_owned(),
        verdict,
        detail,
        title: case.title.to_owned(),
        flags: case.flags.iter().map(|f| format!("{f:?}")).collect(),
        check: case.check.map(|c| c.id().to_owned()),
        fido: case.fido.map(str::to_owned),
        observed: subject,
        expected_because: None,
        expected_kind: None,
    }
}

/// Everything a run produced: the report and each case's exchanges.
pub struct Graded {
    pub report: Report,
    pub runs: Vec<CaseRun>,
}

/// Runs discovery (every valid baseline), then `cases`, against `target`. `progress` is told
/// (done, total, case id) before each case.
pub fn grade(
    target: &mut dyn Target,
    cfg: &GradeConfig,
    all_cases: &[Case],
    selected: &[Case],
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Graded {
    let baselines: Vec<&Case> = all_cases.iter().filter(|c| c.is_baseline()).collect();
    let total = baselines.len() + selected.iter().filter(|c| !c.is_baseline()).count();
    let mut done = 0;
    let mut support = Support::default();
    let mut results = Vec::new();
    let mut runs = Vec::new();
    let selected_ids: HashSet<&str> = selected.iter().map(|c| c.id).collect();
    for case in &baselines {
        progress(done, total, case.id);
        let run = run_case(case, target, &cfg.client, cfg.seed);
        if let Observation::Completed { subject, .. } = &run.observation {
            if subject.accepted() {
                support.algorithms.insert(case.setup.alg);
                support.attestations.insert(case.setup.attestation);
            }
        }
        if selected_ids.contains(case.id) {
            results.push(result(case, &run, mandatory(case, cfg)));
            runs.push(run);
        }
        done += 1;
    }
    for case in selected.iter().filter(|c| !c.is_baseline()) {
        progress(done, total, case.id);
        let s = case.setup;
        let supported = (support.algorithms.contains(&s.alg) || s.alg == Algorithm::Es256)
            && (support.attestations.contains(&s.attestation) || format_required(s.attestation, cfg));
        if supported {
            let run = run_case(case, target, &cfg.client, cfg.seed);
            results.push(result(case, &run, true));
            runs.push(run);
        } else {
            let mut r = result(
                case,
                &CaseRun {
                    id: case.id,
                    observation: Observation::Unsupported {
                        why: format!(
                            "the RP rejected the valid baseline for {:?} with {} attestation",
                            s.alg,
                            fmt_name(s.attestation)
                        ),
                    },
                    exchanges: vec![],
                },
                true,
            );
            r.verdict = Verdict::Unsupported;
            results.push(r);
        }
        done += 1;
    }
    progress(total, total, "");
    let report = Report {
        schema: SCHEMA.to_owned(),
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: cfg.target.clone(),
        origin: cfg.client.origin.clone(),
        rp_id: cfg.client.rp_id.clone(),
        seed: cfg.seed,
        summary: Report::summarize(&results),
        cases: results,
        stale_expectations: vec![],
    };
    Graded { report, runs }
}
