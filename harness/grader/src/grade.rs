//! Running the catalogue against a target and grading it: discovery (every valid baseline, to learn which
//! algorithms and attestation formats the RP accepts), then each selected case, each judged once by [`judge`],
//! the expectations applied, the summary counted. [`grade`] returns the finished report and the transcripts.

use std::collections::HashSet;

use generator::catalog::{BasisKind, Case, CheckId, Expect, Level};
use generator::ceremony::AttestationKind;
use generator::client::ClientConfig;
use generator::keys::Algorithm;
use generator::runner::{run_case, Exchange, Observation};
use generator::target::{Endpoint, Reply, Target};
use wire::base64url;

use crate::expectations::Expectations;
use crate::grading::{Grading, Profile};
use crate::origins::Origins;
use crate::report::{CaseReference, CaseResult, Inspected, Observed, Report, Verdict, SCHEMA};
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
    /// Credential algorithms the user declares the RP must support, by slug (`es256`, `es384`, `rs256`,
    /// `eddsa`): their rejected baselines FAIL instead of making the algorithm UNSUPPORTED. ES256 is always
    /// required.
    pub required_algs: Vec<String>,
    /// The RP's known results: matching results are marked expected, entries no result matches are stale, and
    /// `SKIPPED` entries leave their cases out of the run.
    pub expectations: Expectations,
    /// How verdicts are decided (profile and strictness).
    pub grading: Grading,
    /// The origins the RP is declared to accept (the first is `client.origin`): an origin case whose origin
    /// they allow is INFO, not a rejection the RP owes.
    pub origins: Origins,
    /// The user declares that the RP requires attestation where it asks for it (`--require-attestation`): a
    /// none or self statement sent where its options asked for direct attestation (the cases of check
    /// `reg.attestation.type-not-acceptable`) is then a rejection the RP owes, not a choice of its policy.
    pub attestation_required: bool,
}

impl GradeConfig {
    /// A run of `target` as `client` with `seed` and every default: no required format besides `none`, no
    /// expectations, the `webauthn-l3` grading, and the client's origin as the one declared origin (exact).
    pub fn new(target: impl Into<String>, client: ClientConfig, seed: u64) -> GradeConfig {
        let origins = Origins { declared: vec![client.origin.clone()], policy: Default::default() };
        GradeConfig {
            target: target.into(),
            client,
            seed,
            required_formats: vec![],
            required_algs: vec![],
            expectations: Expectations::default(),
            grading: Grading::default(),
            origins,
            attestation_required: false,
        }
    }
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
        AttestationKind::Apple => "apple",
        AttestationKind::AndroidKey => "android-key",
        AttestationKind::Tpm => "tpm",
        AttestationKind::AndroidSafetynet => "android-safetynet",
        AttestationKind::Compound => "compound",
    }
}

/// A baseline whose rejection is a failure, not a sign of missing support: ES256 (or an algorithm the user
/// declared required) with `none` (or a format the user declared required).
fn mandatory(case: &Case, cfg: &GradeConfig) -> bool {
    let s = case.setup;
    alg_required(s.alg, cfg) && format_required(s.attestation, cfg)
}

fn alg_required(a: Algorithm, cfg: &GradeConfig) -> bool {
    a == Algorithm::Es256 || cfg.required_algs.iter().any(|x| x.eq_ignore_ascii_case(a.slug()))
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
        not_json: r.body.is_null(),
        declared_refusal: r.declared_refusal,
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

/// What a report recorded of an answer, described as [`describe`] describes a reply (less what the report
/// did not keep).
fn describe_observed(o: &Observed) -> String {
    let status = o.http_status.map_or_else(|| "no HTTP status".to_owned(), |s| format!("HTTP {s}"));
    if o.accepted {
        format!("accepted ({status})")
    } else if o.not_json {
        format!("{status} with a body that is not JSON")
    } else {
        match &o.error_message {
            Some(m) => format!("rejected ({status}): {m}"),
            None => format!("rejected ({status})"),
        }
    }
}

/// What a verdict depends on of a case: from the catalogue ([`Rule::of`]) or from a report's result
/// ([`Rule::of_result`]), so that a graded report can be judged again under another grading ([`regrade`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule<'a> {
    pub level: Level,
    /// What a correct RP does.
    pub expect: Expect,
    /// The FIDO conformance test the case corresponds to.
    pub fido: Option<&'a str>,
    /// What that test expects where it differs from `expect`.
    pub fido_expect: Option<Expect>,
    /// The kind and section of the requirement the case rests on.
    pub basis: Option<(BasisKind, &'a str)>,
    /// A valid registration baseline, whose rejection may mean the RP does not offer its algorithm or format.
    pub baseline: bool,
}

impl<'a> Rule<'a> {
    pub fn of(case: &Case) -> Rule<'static> {
        Rule {
            level: case.level,
            expect: case.expect,
            fido: case.fido,
            fido_expect: case.fido_expect,
            basis: case.basis().map(|b| (b.kind, b.section)),
            baseline: case.is_baseline(),
        }
    }

    /// The rule of a result in a report. Whether it was a baseline is not recorded; it only matters for a
    /// rejected baseline that made its algorithm or format UNSUPPORTED, and [`regrade`] keeps those.
    pub fn of_result(c: &'a CaseResult) -> Rule<'a> {
        Rule {
            level: c.level,
            expect: c.expect,
            fido: c.fido.as_deref(),
            fido_expect: c.fido_expect,
            basis: c.basis.as_ref().map(|b| (b.kind, b.section.as_str())),
            baseline: false,
        }
    }

    /// What the FIDO conformance tool expects, where it has a test for the case.
    fn fido_expects(&self) -> Option<Expect> {
        self.fido.map(|_| self.fido_expect.unwrap_or(self.expect))
    }

    /// The requirement, when it is not a MUST of the RP's own procedure: "(data: §6.1, ...)".
    fn basis_note(&self) -> Option<String> {
        let (kind, section) = self.basis?;
        let whose = match (kind, self.level) {
            (BasisKind::Procedure, Level::Must) => return None,
            (BasisKind::Procedure, Level::Should) => "a SHOULD of the relying party's own procedure",
            (BasisKind::Procedure, Level::Policy) => "a choice the spec leaves to the relying party",
            (kind, _) => kind.whose(),
        };
        Some(format!("{}: {section}, {whose}", kind.as_str()))
    }
}

/// How a selected case came out, before it is judged.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The case ran. `baseline_mandatory`: the case is a baseline whose rejection is a failure (ES256 with a
    /// required format), not a sign that the RP does not offer its algorithm or format. `declared_origin`: for
    /// an origin case, the origin the harness sent, when the declared origins allow it.
    Ran { observation: &'a Observation, baseline_mandatory: bool, declared_origin: Option<&'a str> },
    /// The subject call was answered, as a report recorded it (how [`regrade`] judges a report again).
    Recorded { observed: &'a Observed, origin_declared: bool },
    /// An options case's finding, as a report recorded it.
    Inspected { inspected: &'a Inspected },
    /// Not run: discovery found the RP rejects the valid baseline for the case's algorithm or attestation format,
    /// or (`why`) the target could not express that baseline (an RP profile's fixed policy), for this reason.
    NotOffered { alg: Algorithm, attestation: AttestationKind, why: Option<&'a str> },
    /// Not run: an expectations entry skips it, for this reason.
    Skipped { reason: &'a str },
}

/// The subject call's answer, as far as a verdict depends on it.
struct Answer {
    accepted: bool,
    /// A server error, or a body that is not JSON: no answer at all where acceptance was required.
    unusable: bool,
    described: String,
}

/// An expected outcome in words: "acceptance", "rejection", "either outcome".
pub fn outcome_name(e: Expect) -> &'static str {
    match e {
        Expect::Accept => "acceptance",
        Expect::Reject => "rejection",
        Expect::Either => "either outcome",
        Expect::Meet => "options that meet the requirement",
    }
}

/// What the verdict is judged on: the subject call's answer, or an options case's finding.
enum Got {
    Answer(Answer),
    Inspected { met: bool, finding: String },
}

/// The verdict for one case under `grading`, with why in one line. Every verdict of a report is decided here
/// (see `grading` for the profiles).
pub fn judge(rule: &Rule<'_>, outcome: Outcome<'_>, grading: Grading) -> (Verdict, String) {
    let (got, baseline_mandatory, declared_origin) = match outcome {
        Outcome::NotOffered { alg, attestation, why } => {
            let baseline =
                format!("the valid baseline for {alg:?} with {} attestation", fmt_name(attestation));
            return (
                Verdict::Unsupported,
                match why {
                    Some(why) => format!("{baseline} could not be run: {why}"),
                    None => format!("the RP rejected {baseline}"),
                },
            );
        }
        Outcome::Skipped { reason } => {
            return (Verdict::Skipped, format!("skipped by the expectations file: {reason}"));
        }
        Outcome::Recorded { observed, origin_declared } => {
            let answer = Answer {
                accepted: observed.accepted,
                unusable: observed.not_json
                    || (observed.http_status.is_some_and(|s| s >= 500) && !observed.declared_refusal),
                described: describe_observed(observed),
            };
            (Got::Answer(answer), true, origin_declared.then_some("the origin sent"))
        }
        Outcome::Inspected { inspected } => {
            (Got::Inspected { met: inspected.met, finding: inspected.finding.clone() }, true, None)
        }
        Outcome::Ran { observation, baseline_mandatory, declared_origin } => match observation {
            Observation::Error { why } => return (Verdict::Error, why.clone()),
            Observation::Unsupported { why } => return (Verdict::Unsupported, why.clone()),
            // Refusing to start the ceremony the case would abuse is a correct defence against it: the attack
            // never gets to the RP's verification. (Only reject cases refuse; anything else says nothing.)
            Observation::OptionsRefused { step, reply } => {
                return if rule.expect == Expect::Reject {
                    (
                        Verdict::Pass,
                        format!("the RP refused {step}, so the response was never sent: {}", describe(reply)),
                    )
                } else {
                    (Verdict::Inconclusive, format!("the {step} was not accepted: {}", describe(reply)))
                };
            }
            Observation::ControlRejected { step, reply } => {
                return if rule.baseline && !baseline_mandatory {
                    (Verdict::Unsupported, format!("{step} failed: {}", describe(reply)))
                } else {
                    (Verdict::Inconclusive, format!("the {step} was not accepted: {}", describe(reply)))
                };
            }
            Observation::Inspected { met, finding } => {
                (Got::Inspected { met: *met, finding: finding.clone() }, true, None)
            }
            Observation::Completed { subject, .. } => {
                let answer = Answer {
                    accepted: subject.accepted(),
                    unusable: subject.unusable(),
                    described: describe(subject),
                };
                (Got::Answer(answer), baseline_mandatory, declared_origin)
            }
        },
    };
    // What a correct RP does under this grading, and who says so.
    let by_fido = grading.profile == Profile::FidoConformance && rule.fido_expects().is_some();
    let expect = match (declared_origin, rule.fido_expects()) {
        (Some(_), _) => Expect::Either,
        (None, Some(fido)) if by_fido => fido,
        _ => rule.expect,
    };
    let (verdict_if_other_way, note) = if by_fido {
        let differs = match rule.expect {
            _ if expect == rule.expect => "",
            Expect::Accept => ", where WebAuthn L3 expects acceptance",
            Expect::Reject => ", where WebAuthn L3 expects rejection",
            Expect::Either => ", where WebAuthn L3 allows either outcome",
            Expect::Meet => ", where WebAuthn L3 requires it too",
        };
        let test = rule.fido.unwrap_or_default();
        (
            Verdict::Fail,
            Some(format!("the FIDO conformance test {test} expects {}{differs}", outcome_name(expect))),
        )
    } else {
        let procedure = rule.basis.is_none_or(|(kind, _)| kind == BasisKind::Procedure);
        let fails = rule.level == Level::Must && (procedure || grading.strict);
        (if fails { Verdict::Fail } else { Verdict::Warn }, rule.basis_note())
    };
    let with_note = |s: String| match &note {
        Some(n) => format!("{s} ({n})"),
        None => s,
    };
    let answer = match got {
        Got::Inspected { met, finding } => {
            return match expect {
                Expect::Meet if met => (Verdict::Pass, finding),
                Expect::Meet => (verdict_if_other_way, with_note(finding)),
                // An options case that records what it found.
                _ => (Verdict::Info, finding),
            };
        }
        Got::Answer(answer) => answer,
    };
    let accepted = answer.accepted;
    // A server error or a body that is not JSON is no answer: the RP crashed on the input, whatever the case
    // expects (a clean rejection is a JSON refusal).
    if answer.unusable && !accepted {
        return (
            Verdict::Error,
            format!("no usable answer (the RP crashed on the input?): {}", answer.described),
        );
    }
    match expect {
        Expect::Either => match declared_origin {
            Some(o) => {
                (Verdict::Info, format!("origin {o} is within the declared origins: {}", answer.described))
            }
            None => (Verdict::Info, answer.described),
        },
        Expect::Accept if accepted => (Verdict::Pass, answer.described),
        Expect::Reject if !accepted => (Verdict::Pass, answer.described),
        Expect::Accept if rule.baseline && !baseline_mandatory => {
            (Verdict::Unsupported, format!("the valid baseline was {}", answer.described))
        }
        Expect::Accept => {
            (verdict_if_other_way, with_note(format!("expected acceptance, got {}", answer.described)))
        }
        Expect::Reject => {
            (verdict_if_other_way, with_note("expected rejection, but the RP accepted".to_owned()))
        }
        // An options case always ends in a finding (or an error before it), never in an answer.
        Expect::Meet => (Verdict::Error, format!("an options case got an answer: {}", answer.described)),
    }
}

/// Whether a case is graded against a declared attestation policy: it sends a none or self statement where the
/// options asked for direct attestation, which §7.1 step 24 leaves to the RP's policy.
fn is_attestation_policy_case(check: Option<CheckId>) -> bool {
    check == Some(CheckId::RegAttestationNotAcceptable)
}

/// The rule a case is judged by under the user's declarations: with attestation declared required, an
/// attestation-policy case is a MUST reject (step 24's "verify that None attestation is acceptable under
/// Relying Party policy" fails against the declared policy); every other rule as it is. Idempotent, so a
/// result that records the declared rule is judged again by the same one.
pub fn declared_rule<'a>(rule: Rule<'a>, check: Option<CheckId>, attestation_required: bool) -> Rule<'a> {
    if attestation_required && is_attestation_policy_case(check) {
        Rule { level: Level::Must, expect: Expect::Reject, ..rule }
    } else {
        rule
    }
}

/// [`judge`] under the declared rule, saying so where the declaration made the case a rejection the RP owes
/// and it did not refuse.
fn judge_declared<'a>(
    rule: Rule<'a>,
    check: Option<CheckId>,
    attestation_required: bool,
    outcome: Outcome<'_>,
    grading: Grading,
) -> (Rule<'a>, Verdict, String) {
    let declared = declared_rule(rule, check, attestation_required);
    let (verdict, mut detail) = judge(&declared, outcome, grading);
    let applies = attestation_required && is_attestation_policy_case(check);
    if applies && matches!(verdict, Verdict::Fail | Verdict::Warn) {
        detail.push_str(" (attestation is declared required: --require-attestation)");
    }
    (declared, verdict, detail)
}

/// One case's result: its verdict (from [`judge`], under the declared rule), what the subject call came back
/// with, and the expectation entry that makes the verdict a known result, if any. A known PASS, INFO or
/// UNSUPPORTED needs no note and gets none (its entry still counts as used). The result records the rule it
/// was judged by (level and expected outcome as declared), so [`regrade`] judges it the same way.
fn result(case: &Case, outcome: Outcome<'_>, cfg: &GradeConfig) -> CaseResult {
    let (rule, verdict, detail) =
        judge_declared(Rule::of(case), case.check, cfg.attestation_required, outcome, cfg.grading);
    let (subject, origin_declared) = match outcome {
        Outcome::Ran { observation: Observation::Completed { subject, .. }, declared_origin, .. } => {
            (Some(observed(subject)), declared_origin.is_some())
        }
        _ => (None, false),
    };
    let inspected = match outcome {
        Outcome::Ran { observation: Observation::Inspected { met, finding }, .. } => {
            Some(Inspected { met: *met, finding: finding.clone() })
        }
        _ => None,
    };
    let known = cfg
        .expectations
        .known(case.id, verdict)
        .filter(|_| !verdict.is_good() || verdict == Verdict::Skipped);
    CaseResult {
        id: case.id.to_owned(),
        ceremony: case.ceremony(),
        spec: case.spec.to_owned(),
        level: rule.level,
        expect: rule.expect,
        verdict,
        detail,
        title: case.title.to_owned(),
        flags: case.flags.iter().map(|f| format!("{f:?}")).collect(),
        references: case
            .references
            .iter()
            .map(|r| CaseReference { id: r.id.to_owned(), summary: r.summary.to_owned() })
            .collect(),
        check: case.check,
        fido: case.fido.map(str::to_owned),
        fido_expect: case.fido_expect,
        basis: case.basis().map(Into::into),
        origin_declared,
        observed: subject,
        inspected,
        expected_because: known.map(|e| e.reason.clone()),
        expected_kind: known.and_then(|e| e.kind),
    }
}

/// For an origin case that completed, the origin it sent when the declared origins allow it.
fn declared_origin(case: &Case, exchanges: &[Exchange], cfg: &GradeConfig) -> Option<String> {
    if !is_origin_case(case) {
        return None;
    }
    origin_sent(exchanges).filter(|o| cfg.origins.allowing(o).is_some())
}

/// Whether a case judges the RP's origin check (§7.1 step 9, §7.2 step 12): such a case is graded against the
/// declared origins.
fn is_origin_case(case: &Case) -> bool {
    matches!(case.check, Some(CheckId::RegOrigin | CheckId::AuthOrigin))
}

/// The origin the harness sent in the subject call's clientDataJSON: the last result call of the run (every
/// plan sends its subject last), read from the request as sent, never from the RP's answer.
fn origin_sent(exchanges: &[Exchange]) -> Option<String> {
    let subject = exchanges
        .iter()
        .rev()
        .find(|e| matches!(e.endpoint, Endpoint::AttestationResult | Endpoint::AssertionResult))?;
    let encoded = subject.request.get("response")?.get("clientDataJSON")?.as_str()?;
    let bytes = base64url::decode(encoded)
        .ok()
        .or_else(|| base64url::decode_lenient(encoded).ok().map(|l| l.bytes))?;
    let client_data: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    client_data.get("origin")?.as_str().map(str::to_owned)
}

/// Judges a graded report again under `grading`, from what the RP answered as the report recorded it: nothing
/// is sent again. Each result whose subject call was answered gets its verdict and detail from [`judge`] (a
/// published report's empty details stay empty); the others (UNSUPPORTED, SKIPPED, INCONCLUSIVE, an ERROR
/// without an answer) keep theirs, since no grading changes them. A known result's note stays only where the
/// verdict did not change; the summary is counted again.
pub fn regrade(report: &Report, grading: Grading) -> Report {
    let mut regraded = report.clone();
    regraded.profile = grading;
    for c in &mut regraded.cases {
        if c.verdict == Verdict::Unsupported {
            continue;
        }
        let outcome = match (&c.observed, &c.inspected) {
            (Some(observed), _) => Outcome::Recorded { observed, origin_declared: c.origin_declared },
            (None, Some(inspected)) => Outcome::Inspected { inspected },
            (None, None) => continue,
        };
        let (_, verdict, detail) =
            judge_declared(Rule::of_result(c), c.check, report.attestation_required, outcome, grading);
        if verdict != c.verdict {
            c.expected_because = None;
            c.expected_kind = None;
        }
        c.verdict = verdict;
        if !c.detail.is_empty() {
            c.detail = detail;
        }
    }
    regraded.summary = Report::summarize(&regraded.cases);
    regraded
}

/// Everything a run produced: the finished report and the exchanges of each case that ran.
#[derive(Debug, Clone)]
pub struct Graded {
    pub report: Report,
    /// One per case that ran and is in the report, in the report's order.
    pub transcripts: Vec<Transcript>,
}

/// A new target for one worker of a concurrent grade ([`grade_concurrently`]): its own sessions (cookie jars),
/// talking to the same RP.
pub type NewTarget<'a> = dyn Fn() -> Box<dyn Target + Send> + Sync + 'a;

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
    grade_with(target, None, cfg, all_cases, selected, progress)
}

/// As [`grade`], with the cases after discovery run by `jobs` workers at once, each on a target of its own
/// from `new_target`. Cases are independent (each has its own virtual users, and its randomness comes from the
/// seed and its id), so the report is the one a sequential run gives, byte for byte, against an RP whose
/// answers do not depend on the order of other users' calls; `progress` is told (done, total, case id) as each
/// case finishes. Discovery runs first, alone, on one target.
pub fn grade_concurrently(
    jobs: usize,
    new_target: &NewTarget<'_>,
    cfg: &GradeConfig,
    all_cases: &[Case],
    selected: &[Case],
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Graded {
    let mut first = new_target();
    let workers = (jobs > 1).then_some((jobs, new_target));
    grade_with(&mut *first, workers, cfg, all_cases, selected, progress)
}

/// One case after discovery: run (if the RP offers what it needs) and judged.
fn grade_case(
    case: &Case,
    target: &mut dyn Target,
    offered: bool,
    not_offered_why: Option<&str>,
    client: &ClientConfig,
    cfg: &GradeConfig,
) -> (CaseResult, Option<Transcript>) {
    let s = case.setup;
    if !offered {
        let outcome = Outcome::NotOffered { alg: s.alg, attestation: s.attestation, why: not_offered_why };
        return (result(case, outcome, cfg), None);
    }
    let run = run_case(case, target, client, cfg.seed);
    let declared = declared_origin(case, &run.exchanges, cfg);
    let outcome = Outcome::Ran {
        observation: &run.observation,
        baseline_mandatory: true,
        declared_origin: declared.as_deref(),
    };
    let r = result(case, outcome, cfg);
    (r, Some(Transcript { case: case.id, seed: cfg.seed, exchanges: run.exchanges }))
}

fn grade_with(
    target: &mut dyn Target,
    workers: Option<(usize, &NewTarget<'_>)>,
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
    // The origin the cases on a subdomain of the RP ID report: the client's own, else the first declared one.
    let mut client = cfg.client.clone();
    if client.subdomain_origin.is_none() {
        client.subdomain_origin = cfg.origins.subdomain_of(&client.rp_id);
    }
    // Why a baseline could not be run at all (the target cannot express it), by its algorithm and format.
    let mut inexpressible: Vec<(Algorithm, AttestationKind, String)> = Vec::new();
    for case in &baselines {
        progress(done, total, case.id);
        let run = run_case(case, target, &client, cfg.seed);
        if let Observation::Unsupported { why } = &run.observation {
            inexpressible.push((case.setup.alg, case.setup.attestation, why.clone()));
        }
        if let Observation::Completed { subject, .. } = &run.observation {
            if subject.accepted() {
                support.algorithms.insert(case.setup.alg);
                support.attestations.insert(case.setup.attestation);
            }
        }
        if to_run_ids.contains(case.id) {
            let declared = declared_origin(case, &run.exchanges, cfg);
            let outcome = Outcome::Ran {
                observation: &run.observation,
                baseline_mandatory: mandatory(case, cfg),
                declared_origin: declared.as_deref(),
            };
            results.push(result(case, outcome, cfg));
            transcripts.push(Transcript { case: case.id, seed: cfg.seed, exchanges: run.exchanges });
        }
        done += 1;
    }
    // Each case with whether the RP offers what it needs, and if not, the reason where its algorithm's or
    // format's baselines could not be run at all (the target cannot express them).
    let work: Vec<(&Case, bool, Option<String>)> = to_run
        .iter()
        .filter(|c| !c.is_baseline())
        .map(|c| {
            let s = c.setup;
            let alg_ok = support.algorithms.contains(&s.alg) || alg_required(s.alg, cfg);
            let offered = alg_ok
                && (support.attestations.contains(&s.attestation) || format_required(s.attestation, cfg));
            let why = (!offered)
                .then(|| {
                    inexpressible
                        .iter()
                        .find(|(a, f, _)| if alg_ok { *f == s.attestation } else { *a == s.alg })
                        .map(|(_, _, why)| why.clone())
                })
                .flatten();
            (*c, offered, why)
        })
        .collect();
    let graded: Vec<(CaseResult, Option<Transcript>)> = match workers {
        Some((jobs, new_target)) if work.len() > 1 => {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let mut slots: Vec<Option<(CaseResult, Option<Transcript>)>> = vec![None; work.len()];
            std::thread::scope(|scope| {
                let (tx, rx) = std::sync::mpsc::channel();
                for _ in 0..jobs.min(work.len()) {
                    let tx = tx.clone();
                    let (work, next, client) = (&work, &next, &client);
                    scope.spawn(move || {
                        let mut target = new_target();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some((case, offered, why)) = work.get(i) else { break };
                            let graded =
                                grade_case(case, &mut *target, *offered, why.as_deref(), client, cfg);
                            if tx.send((i, graded)).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(tx);
                for (i, graded) in rx {
                    done += 1;
                    progress(done, total, work[i].0.id);
                    slots[i] = Some(graded);
                }
            });
            slots.into_iter().flatten().collect()
        }
        _ => work
            .iter()
            .map(|(case, offered, why)| {
                progress(done, total, case.id);
                done += 1;
                grade_case(case, target, *offered, why.as_deref(), &client, cfg)
            })
            .collect(),
    };
    for (r, t) in graded {
        results.push(r);
        transcripts.extend(t);
    }
    progress(total, total, "");
    for case in skipped {
        let reason = cfg.expectations.skipped(case.id).map(|e| e.reason.as_str()).unwrap_or_default();
        results.push(result(case, Outcome::Skipped { reason }, cfg));
    }
    let report = Report {
        schema: SCHEMA.to_owned(),
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: cfg.target.clone(),
        profile: cfg.grading,
        origin: cfg.client.origin.clone(),
        origins: cfg.origins.declared.clone(),
        origin_policy: cfg.origins.policy,
        attestation_required: cfg.attestation_required,
        rp_id: cfg.client.rp_id.clone(),
        seed: cfg.seed,
        summary: Report::summarize(&results),
        stale_expectations: cfg.expectations.stale(&results),
        cases: results,
    };
    Graded { report, transcripts }
}

#[cfg(test)]
mod tests {
    use generator::catalog::Basis;
    use generator::target::SessionId;
    use serde_json::json;

    use super::*;
    use crate::report::CaseBasis;

    const L3: Grading = Grading { profile: Profile::WebauthnL3, strict: false };
    const STRICT: Grading = Grading { profile: Profile::WebauthnL3, strict: true };
    const FIDO: Grading = Grading { profile: Profile::FidoConformance, strict: false };
    const FIDO_STRICT: Grading = Grading { profile: Profile::FidoConformance, strict: true };
    const ALL: [Grading; 4] = [L3, STRICT, FIDO, FIDO_STRICT];

    fn case(level: Level, expect: Expect, basis: Basis) -> Case {
        Case { id: "reg.test.case", level, expect, basis: Some(basis), ..Case::DEFAULTS }
    }

    fn procedure() -> Basis {
        Basis::procedure(
            "§7.1 step 9",
            "Verify that the value of C.origin is an origin expected by the Relying Party.",
        )
    }

    fn data() -> Basis {
        Basis::data("§6.1", "a rule on authenticator data")
    }

    fn reply(accepted: bool) -> Reply {
        let body = if accepted {
            json!({"status": "ok"})
        } else {
            json!({"status": "failed", "errorMessage": "no"})
        };
        Reply::new(if accepted { 200 } else { 400 }, body)
    }

    fn completed(accepted: bool) -> Observation {
        Observation::Completed { control: Some(reply(true)), subject: reply(accepted) }
    }

    /// The verdict of `case` whose subject was answered (`accepted` or not) under `grading`, judged from the
    /// observation and, again, from the result a report records of it: both must agree.
    fn verdict(case: &Case, accepted: bool, grading: Grading) -> (Verdict, String) {
        let observation = completed(accepted);
        let outcome =
            Outcome::Ran { observation: &observation, baseline_mandatory: true, declared_origin: None };
        let ran = judge(&Rule::of(case), outcome, grading);
        let Observation::Completed { subject, .. } = &observation else { unreachable!() };
        let recorded = judge(
            &Rule::of(case),
            Outcome::Recorded { observed: &observed(subject), origin_declared: false },
            grading,
        );
        assert_eq!(ran.0, recorded.0, "judged from the report: {}", recorded.1);
        ran
    }

    #[test]
    fn a_procedure_must_that_goes_the_other_way_fails_under_every_grading() {
        let c = case(Level::Must, Expect::Reject, procedure());
        for g in ALL {
            let (v, detail) = verdict(&c, true, g);
            assert_eq!(v, Verdict::Fail, "{g}");
            assert_eq!(detail, "expected rejection, but the RP accepted", "{g}");
            assert_eq!(verdict(&c, false, g).0, Verdict::Pass, "{g}");
        }
        let accept = case(Level::Must, Expect::Accept, procedure());
        let (v, detail) = verdict(&accept, false, L3);
        assert_eq!(v, Verdict::Fail);
        assert_eq!(detail, "expected acceptance, got rejected (HTTP 400): no");
    }

    #[test]
    fn a_data_must_warns_under_l3_naming_its_basis_and_fails_when_strict() {
        let c = case(Level::Must, Expect::Reject, data());
        let (v, detail) = verdict(&c, true, L3);
        assert_eq!(v, Verdict::Warn);
        assert_eq!(
            detail,
            "expected rejection, but the RP accepted (data: §6.1, a rule on what the client or authenticator \
             produces, which no relying-party step checks)"
        );
        assert_eq!(verdict(&c, true, FIDO).0, Verdict::Warn, "no FIDO test: judged as under webauthn-l3");
        for g in [STRICT, FIDO_STRICT] {
            let (v, detail) = verdict(&c, true, g);
            assert_eq!(v, Verdict::Fail, "{g}");
            assert!(detail.contains("(data: §6.1,"), "{detail}");
        }
        assert_eq!(verdict(&c, false, L3).0, Verdict::Pass);
    }

    #[test]
    fn conformance_and_hardening_cases_warn_under_l3() {
        let conformance = case(Level::Must, Expect::Reject, Basis::conformance("§5.1", ""));
        let (v, detail) = verdict(&conformance, true, L3);
        assert_eq!(v, Verdict::Warn);
        assert!(
            detail.ends_with(
                "(conformance: §5.1, an expectation of the FIDO conformance tool beyond the spec)"
            ),
            "{detail}"
        );
        assert_eq!(verdict(&conformance, true, STRICT).0, Verdict::Fail);
        let hardening = case(Level::Should, Expect::Reject, Basis::hardening("§13.4.1", "a defence"));
        let (v, detail) = verdict(&hardening, true, STRICT);
        assert_eq!(v, Verdict::Warn, "strict makes MUSTs fail, not SHOULDs");
        assert!(detail.contains("(hardening: §13.4.1, no MUST: a defence against an attack)"), "{detail}");
    }

    #[test]
    fn should_and_policy_cases_warn_even_when_strict() {
        let should = case(Level::Should, Expect::Reject, procedure());
        for g in ALL {
            let (v, detail) = verdict(&should, true, g);
            assert_eq!(v, Verdict::Warn, "{g}");
            assert!(
                detail.ends_with("(procedure: §7.1 step 9, a SHOULD of the relying party's own procedure)"),
                "{detail}"
            );
        }
        let policy = case(Level::Policy, Expect::Reject, procedure());
        let (v, detail) = verdict(&policy, true, STRICT);
        assert_eq!(v, Verdict::Warn);
        assert!(detail.contains("a choice the spec leaves to the relying party"), "{detail}");
    }

    #[test]
    fn a_fido_case_is_judged_against_the_tool_under_fido_conformance_only() {
        // The tool expects acceptance where L3 expects rejection.
        let c = Case {
            fido: Some("Server-ServerAuthenticatorAssertionResponse-Resp-3 P-1"),
            fido_expect: Some(Expect::Accept),
            ..case(Level::Must, Expect::Reject, procedure())
        };
        let (v, detail) = verdict(&c, false, FIDO);
        assert_eq!(v, Verdict::Fail);
        assert!(
            detail.starts_with("expected acceptance, got rejected (HTTP 400): no (the FIDO conformance test Server-ServerAuthenticatorAssertionResponse-Resp-3 P-1 expects acceptance, where WebAuthn L3 expects rejection)"),
            "{detail}"
        );
        assert_eq!(verdict(&c, false, FIDO_STRICT).0, Verdict::Fail);
        assert_eq!(verdict(&c, false, L3).0, Verdict::Pass);
        assert_eq!(verdict(&c, false, STRICT).0, Verdict::Pass);
        assert_eq!(verdict(&c, true, FIDO).0, Verdict::Pass);
        assert_eq!(verdict(&c, true, L3).0, Verdict::Fail);

        // A data case with a FIDO test and no differing expectation: the tool fails what L3 only warns about.
        let d = Case { fido: Some("Server-X F-1"), ..case(Level::Must, Expect::Reject, data()) };
        assert_eq!(verdict(&d, true, L3).0, Verdict::Warn);
        let (v, detail) = verdict(&d, true, FIDO);
        assert_eq!(v, Verdict::Fail);
        assert!(detail.ends_with("(the FIDO conformance test Server-X F-1 expects rejection)"), "{detail}");
        // And a SHOULD case the tool tests fails under its profile too.
        let s = Case { fido: Some("Server-X F-2"), ..case(Level::Should, Expect::Reject, procedure()) };
        assert_eq!(verdict(&s, true, FIDO).0, Verdict::Fail);
        assert_eq!(verdict(&s, true, L3).0, Verdict::Warn);
    }

    #[test]
    fn either_cases_stay_info() {
        let c = case(Level::Policy, Expect::Either, procedure());
        for g in ALL {
            for accepted in [true, false] {
                assert_eq!(verdict(&c, accepted, g).0, Verdict::Info, "{g}");
            }
        }
        // Unless the FIDO tool expects one answer.
        let f = Case { fido: Some("Server-X F-3"), fido_expect: Some(Expect::Reject), ..c };
        assert_eq!(verdict(&f, true, FIDO).0, Verdict::Fail);
        assert_eq!(verdict(&f, true, L3).0, Verdict::Info);
    }

    #[test]
    fn a_declared_origin_makes_an_origin_case_info_under_every_grading() {
        let c = Case {
            fido: Some("Server-X F-4"),
            check: Some(CheckId::RegOrigin),
            ..case(Level::Must, Expect::Reject, procedure())
        };
        let observation = completed(true);
        for g in ALL {
            let outcome = Outcome::Ran {
                observation: &observation,
                baseline_mandatory: true,
                declared_origin: Some("https://evil.rp.example"),
            };
            let (v, detail) = judge(&Rule::of(&c), outcome, g);
            assert_eq!(v, Verdict::Info, "{g}");
            assert_eq!(
                detail,
                "origin https://evil.rp.example is within the declared origins: accepted (HTTP 200)"
            );
            let recorded = Outcome::Recorded { observed: &observed(&reply(true)), origin_declared: true };
            assert_eq!(judge(&Rule::of(&c), recorded, g).0, Verdict::Info);
        }
    }

    #[test]
    fn unusable_answers_and_rejected_baselines() {
        let accept = case(Level::Must, Expect::Accept, procedure());
        let server_error = Observation::Completed { control: None, subject: Reply::new(500, json!({})) };
        let ran = |o: &Observation, mandatory: bool, c: &Case| {
            judge(
                &Rule::of(c),
                Outcome::Ran { observation: o, baseline_mandatory: mandatory, declared_origin: None },
                L3,
            )
            .0
        };
        assert_eq!(ran(&server_error, true, &accept), Verdict::Error);
        // A crash answering a malformed ceremony is not a rejection, under every grading.
        let reject = case(Level::Must, Expect::Reject, procedure());
        let not_json = Observation::Completed { control: None, subject: Reply::new(400, json!(null)) };
        for g in ALL {
            for o in [&server_error, &not_json] {
                let out = Outcome::Ran { observation: o, baseline_mandatory: true, declared_origin: None };
                let (v, detail) = judge(&Rule::of(&reject), out, g);
                assert_eq!(v, Verdict::Error, "{g}");
                assert!(
                    detail.starts_with("no usable answer (the RP crashed on the input?): ")
                        && detail.contains("HTTP"),
                    "{detail}"
                );
            }
        }
        assert_eq!(ran(&completed(false), true, &reject), Verdict::Pass);
        // A 500 the RP profile declares a refusal the RP meant is a rejection, run or recorded.
        let meant = Reply { declared_refusal: true, ..Reply::new(500, json!({"status": "failed"})) };
        let meant_run = Observation::Completed { control: None, subject: meant.clone() };
        assert_eq!(ran(&meant_run, true, &reject), Verdict::Pass);
        assert_eq!(ran(&meant_run, true, &accept), Verdict::Fail);
        let recorded = Outcome::Recorded { observed: &observed(&meant), origin_declared: false };
        assert_eq!(judge(&Rule::of(&reject), recorded, L3).0, Verdict::Pass);
        let crash =
            Outcome::Recorded { observed: &observed(&Reply::new(500, json!({}))), origin_declared: false };
        assert_eq!(judge(&Rule::of(&reject), crash, L3).0, Verdict::Error);
        let baseline = Case { baseline: true, ..accept };
        assert_eq!(ran(&completed(false), false, &baseline), Verdict::Unsupported);
        assert_eq!(ran(&completed(false), true, &baseline), Verdict::Fail);
        let control = Observation::ControlRejected { step: "control registration", reply: reply(false) };
        assert_eq!(ran(&control, true, &accept), Verdict::Inconclusive);
        let skipped = judge(&Rule::of(&accept), Outcome::Skipped { reason: "r" }, STRICT);
        assert_eq!(skipped.0, Verdict::Skipped);
        // A baseline the RP rejected, and one the target could not express, say which.
        let (alg, attestation) = (Algorithm::Es256, AttestationKind::PackedSelf);
        let rejected = judge(&Rule::of(&accept), Outcome::NotOffered { alg, attestation, why: None }, L3);
        assert_eq!(
            rejected,
            (
                Verdict::Unsupported,
                "the RP rejected the valid baseline for Es256 with packed-self attestation".into()
            )
        );
        let fixed = Outcome::NotOffered { alg, attestation, why: Some("the RP profile fixes attestation") };
        assert_eq!(
            judge(&Rule::of(&accept), fixed, L3).1,
            "the valid baseline for Es256 with packed-self attestation could not be run: the RP profile fixes attestation"
        );
    }

    #[test]
    fn refused_options_pass_a_reject_case_under_every_grading_and_say_so() {
        let refused = Observation::OptionsRefused {
            step: "assertion options for an account without credentials",
            reply: reply(false),
        };
        let outcome = Outcome::Ran { observation: &refused, baseline_mandatory: true, declared_origin: None };
        for g in ALL {
            let (v, detail) = judge(&Rule::of(&case(Level::Must, Expect::Reject, procedure())), outcome, g);
            assert_eq!(v, Verdict::Pass, "{g}");
            assert_eq!(
                detail,
                "the RP refused assertion options for an account without credentials, so the response was never \
                 sent: rejected (HTTP 400): no"
            );
        }
        // A case that needs the ceremony to go through learns nothing from a refusal.
        let accept = case(Level::Must, Expect::Accept, procedure());
        assert_eq!(judge(&Rule::of(&accept), outcome, L3).0, Verdict::Inconclusive);
        // The result records no answer to a subject call, so a regrade keeps the verdict.
        let cfg = GradeConfig::new("t", ClientConfig::new("https://a", "a"), 1);
        let r = result(&case(Level::Must, Expect::Reject, procedure()), outcome, &cfg);
        assert_eq!((r.verdict, r.observed.is_none()), (Verdict::Pass, true));
    }

    fn result_of(c: &Case, accepted: bool, grading: Grading) -> CaseResult {
        let (verdict, detail) = verdict(c, accepted, grading);
        CaseResult {
            id: c.id.to_owned(),
            ceremony: c.ceremony(),
            spec: "§6.1".into(),
            level: c.level,
            expect: c.expect,
            verdict,
            detail,
            title: String::new(),
            flags: vec![],
            references: vec![],
            check: c.check,
            fido: c.fido.map(str::to_owned),
            fido_expect: c.fido_expect,
            basis: c.basis().map(CaseBasis::from),
            origin_declared: false,
            inspected: None,
            observed: Some(observed(&reply(accepted))),
            expected_because: Some("known".into()),
            expected_kind: None,
        }
    }

    #[test]
    fn a_report_is_judged_again_without_sending_anything() {
        let data_case = case(Level::Must, Expect::Reject, data());
        let fido_case = Case {
            id: "auth.test.fido",
            fido: Some("Server-X P-1"),
            fido_expect: Some(Expect::Accept),
            ..case(Level::Must, Expect::Reject, procedure())
        };
        let mut unsupported = result_of(&data_case, false, L3);
        unsupported.id = "reg.test.unsupported".into();
        unsupported.verdict = Verdict::Unsupported;
        let cases = vec![result_of(&data_case, true, L3), result_of(&fido_case, false, L3), unsupported];
        let report = Report {
            schema: SCHEMA.into(),
            harness_version: "0".into(),
            target: "t".into(),
            profile: L3,
            origin: "https://rp.example".into(),
            origins: vec!["https://rp.example".into()],
            origin_policy: Default::default(),
            attestation_required: false,
            rp_id: "rp.example".into(),
            seed: 1,
            summary: Report::summarize(&cases),
            cases,
            stale_expectations: vec![],
        };
        assert_eq!(regrade(&report, L3), report, "the same grading gives the same report");

        let strict = regrade(&report, STRICT);
        assert_eq!(strict.profile, STRICT);
        let verdicts: Vec<Verdict> = strict.cases.iter().map(|c| c.verdict).collect();
        assert_eq!(verdicts, [Verdict::Fail, Verdict::Pass, Verdict::Unsupported]);
        assert_eq!(strict.cases[0].expected_because, None, "a changed verdict loses its note");
        assert_eq!(strict.cases[1].expected_because.as_deref(), Some("known"));
        assert_eq!(strict.summary[&Verdict::Fail], 1);
        assert_eq!(strict.summary[&Verdict::Warn], 0);

        let fido = regrade(&report, FIDO);
        let verdicts: Vec<Verdict> = fido.cases.iter().map(|c| c.verdict).collect();
        assert_eq!(verdicts, [Verdict::Warn, Verdict::Fail, Verdict::Unsupported]);

        // A published report's empty details stay empty.
        let published = regrade(&report.published(), FIDO);
        assert!(published.cases.iter().all(|c| c.detail.is_empty()));
        assert_eq!(published.cases[1].verdict, Verdict::Fail);
    }

    fn exchange(endpoint: Endpoint, client_data: &[u8]) -> Exchange {
        Exchange {
            session: SessionId(1),
            endpoint,
            request: json!({"response": {"clientDataJSON": base64url::encode(client_data)}}),
            reply: Ok(reply(false)),
        }
    }

    #[test]
    fn the_origin_sent_is_read_from_the_subject_request() {
        let control = exchange(
            Endpoint::AttestationResult,
            br#"{"type":"webauthn.create","origin":"https://rp.example"}"#,
        );
        let subject = exchange(
            Endpoint::AttestationResult,
            br#"{"type":"webauthn.create","origin":"https://evil.rp.example"}"#,
        );
        let options =
            Exchange { endpoint: Endpoint::AssertionOptions, request: json!({}), ..control.clone() };
        assert_eq!(
            origin_sent(&[control.clone(), subject.clone(), options]).as_deref(),
            Some("https://evil.rp.example")
        );
        assert_eq!(origin_sent(&[subject, control.clone()]).as_deref(), Some("https://rp.example"));
        // No origin member, not a string, not JSON: nothing was sent that a declared origin could allow.
        for bad in
            [&br#"{"type":"webauthn.create"}"#[..], br#"{"origin":{"origin":"https://rp.example"}}"#, b"\xff"]
        {
            assert_eq!(origin_sent(&[exchange(Endpoint::AssertionResult, bad)]), None);
        }
        assert_eq!(origin_sent(&[]), None);
    }
}
