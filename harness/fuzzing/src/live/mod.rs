//! Differential fuzzing of a live relying party: the structure-aware ceremony descriptions of the in-process
//! targets, sent to an RP through [`generator::target::Target`] (the conformance API, or any API through an RP
//! profile), with the reference verifier as the oracle.
//!
//! Each iteration reads a description (a registration or an assertion, an authenticator, what the RP is asked
//! for, whether to re-sign, up to four mutations) from bytes: random bytes, or a kept input with its bytes
//! mutated. The RP's options are fetched as a virtual user, the described ceremony is built for them and sent,
//! and the reference verifier judges the same bytes against the same options ([`trial`]). Before the first
//! description of a kind (algorithm, attestation format, backup flags) a valid ceremony of that kind must be
//! accepted: the control, as the grader's runner does; kinds the RP refuses are skipped and counted.
//!
//! A **finding** ([`judge::Disagreement`]) is the RP accepting what the reference rejects at a MUST of the RP's own
//! procedure, refusing what the reference accepts with no warning, or answering with a server error. Findings
//! are minimised (mutations dropped and fields simplified while the same disagreement stays), deduplicated by
//! the class, the reference's check and the mutation kinds left, and written as replayable files
//! ([`replay::FindingFile`]).
//!
//! Feedback without coverage: the RP's code is invisible over HTTP, so an input is kept when it draws a kind of
//! answer not seen before (status, acceptance, the shape of the error message, the reference's verdict:
//! [`judge::reply_kind`]), and kept inputs are mutated further. What this can find: disagreements reachable by
//! the description's mutations whose answers differ in kind; what it cannot: a bug whose answers look like
//! every other refusal until it is hit, or one outside what the descriptions express (other endpoints, state
//! across many ceremonies, timing).

pub mod description;
pub mod judge;
pub mod pairs;
pub mod replay;
pub mod report;
pub mod trial;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use generator::client::ClientConfig;
use generator::target::Target;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

pub use description::{mutation_kind, Ceremony, Description};
pub use judge::{judge, Disagreement, Judgement};
pub use report::{FindingSummary, LiveReport, Progress};
pub use trial::{Client, Controls, NoTrial, Reference, Trial};

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The client: its origin and the RP ID used when options name none.
    pub client: ClientConfig,
    /// More origins the RP is declared to accept (the oracle accepts them too).
    pub origins: Vec<String>,
    pub seed: u64,
    /// The ceremonies fuzzed (both, by default, taking turns).
    pub ceremonies: Vec<Ceremony>,
    /// Stop after about this many calls (the ceremony under way finishes).
    pub max_requests: Option<u64>,
    /// Stop after this long.
    pub time: Option<Duration>,
    /// Workers, each with its own target (its own sessions).
    pub jobs: usize,
    /// Minimise findings before writing them (on by default).
    pub minimise: bool,
    /// Prefix of the usernames (a run tag: runs against a persistent RP do not collide).
    pub user_prefix: String,
    /// Consecutive failed calls (unreachable, timed out, options unusable) after which the run stops.
    pub max_consecutive_failures: u32,
    /// Stop once this many distinct findings are recorded.
    pub max_findings: Option<usize>,
    /// Send the pairwise phase ([`pairs`]) before random descriptions (on by default).
    pub pairwise: bool,
    /// Registrations per session ([`Client::session_reuse`]; default 1).
    pub session_reuse: usize,
}

impl LiveConfig {
    pub fn new(client: ClientConfig, seed: u64) -> LiveConfig {
        LiveConfig {
            client,
            origins: vec![],
            seed,
            ceremonies: vec![Ceremony::Registration, Ceremony::Authentication],
            max_requests: Some(10_000),
            time: None,
            jobs: 1,
            minimise: true,
            user_prefix: format!("fuzz-{seed:x}"),
            max_consecutive_failures: 20,
            max_findings: None,
            pairwise: true,
            session_reuse: 1,
        }
    }
}

/// A finding as found: the description (minimised), the trial that showed it, and when.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    pub disagreement: Disagreement,
    pub description: Description,
    pub mutation_kinds: Vec<String>,
    pub trial: Trial,
    pub occurrences: u64,
    pub after_requests: u64,
    pub after_seconds: f64,
}

/// The id of a finding: its ceremony, class, check and mutation kinds, with a short hash of the kinds so ids
/// stay file names.
pub fn finding_id(ceremony: Ceremony, d: &Disagreement, kinds: &[String]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kinds.join("|").bytes().chain(d.check().map(|c| c.id()).unwrap_or("").bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let check = d.check().map(|c| c.id().to_owned()).unwrap_or_else(|| "none".into());
    let short = match ceremony {
        Ceremony::Registration => "reg",
        Ceremony::Authentication => "auth",
    };
    format!("{short}-{}-{}-{:08x}", d.class(), check.replace('.', "_"), h as u32)
}

/// Kept inputs by ceremony, and every kind of answer seen.
type Kept = (HashMap<Ceremony, Vec<Vec<u8>>>, BTreeSet<String>);

/// Everything the workers share.
struct Shared {
    started: Instant,
    requests: AtomicU64,
    stop: AtomicBool,
    stopped_because: Mutex<Option<String>>,
    controls: Mutex<Controls>,
    /// Kept inputs by ceremony, and every kind of answer seen.
    corpus: Mutex<Kept>,
    findings: Mutex<BTreeMap<String, Found>>,
    /// Minimisations done per (ceremony, class, check): bounded, so a frequent disagreement does not eat the run.
    minimised: Mutex<HashMap<String, u32>>,
    stats: Mutex<report::Counts>,
    registered: std::sync::Arc<Mutex<std::collections::HashSet<Vec<u8>>>>,
    /// The pairwise phase of each ceremony and the next plan of it to send.
    pairs: Vec<(Ceremony, pairs::Schedule, AtomicU64)>,
}

impl Shared {
    fn stop(&self, why: String) {
        let mut s = self.stopped_because.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            *s = Some(why);
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    fn budget_left(&self, cfg: &LiveConfig) -> bool {
        if self.stop.load(Ordering::SeqCst) {
            return false;
        }
        if let Some(max) = cfg.max_requests {
            if self.requests.load(Ordering::SeqCst) >= max {
                self.stop(format!("request limit ({max})"));
                return false;
            }
        }
        if let Some(t) = cfg.time {
            if self.started.elapsed() >= t {
                self.stop(format!("time limit ({} s)", t.as_secs()));
                return false;
            }
        }
        true
    }
}

/// Minimisations per (ceremony, class, check) at most.
const MINIMISE_PER_CLASS: u32 = 8;
/// Inputs kept per ceremony at most.
const CORPUS_LIMIT: usize = 4096;

/// Fuzzes the RP the targets `new_target` makes reach, with `cfg.jobs` workers; `progress` is called about once
/// a second, and `found` with each new finding as it is recorded.
pub fn run(
    cfg: &LiveConfig,
    new_target: &(dyn Fn() -> Box<dyn Target + Send> + Sync),
    progress: &(dyn Fn(&Progress) + Sync),
    found: &(dyn Fn(&Found) + Sync),
) -> LiveReport {
    let shared = Shared {
        started: Instant::now(),
        requests: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        stopped_because: Mutex::new(None),
        controls: Mutex::new(Controls::default()),
        corpus: Mutex::new((HashMap::new(), BTreeSet::new())),
        findings: Mutex::new(BTreeMap::new()),
        minimised: Mutex::new(HashMap::new()),
        stats: Mutex::new(report::Counts::default()),
        registered: Default::default(),
        pairs: if cfg.pairwise {
            cfg.ceremonies.iter().map(|c| (*c, pairs::Schedule::new(*c), AtomicU64::new(0))).collect()
        } else {
            vec![]
        },
    };
    let jobs = cfg.jobs.max(1);
    std::thread::scope(|scope| {
        for w in 0..jobs {
            let shared = &shared;
            scope.spawn(move || {
                let mut target = new_target();
                worker(cfg, w, target.as_mut(), shared, if w == 0 { Some(progress) } else { None }, found);
            });
        }
    });
    let elapsed = shared.started.elapsed().as_secs_f64();
    let (sent, planned) = pairs_progress(&shared);
    let requests = shared.requests.load(Ordering::SeqCst);
    let stopped = shared.stopped_because.into_inner().unwrap_or_else(|e| e.into_inner());
    let findings = shared.findings.into_inner().unwrap_or_else(|e| e.into_inner());
    let (_, kinds) = shared.corpus.into_inner().unwrap_or_else(|e| e.into_inner());
    let controls = shared.controls.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut report = report::LiveReport::new(
        cfg,
        elapsed,
        requests,
        stopped.unwrap_or_else(|| "finished".into()),
        shared.stats.into_inner().unwrap_or_else(|e| e.into_inner()),
        kinds.len(),
        controls,
        findings.into_values().collect(),
    );
    report.pairwise = report::Pairwise { sent, planned };
    report
}

fn worker(
    cfg: &LiveConfig,
    index: usize,
    target: &mut (dyn Target + Send),
    shared: &Shared,
    progress: Option<&(dyn Fn(&Progress) + Sync)>,
    found: &(dyn Fn(&Found) + Sync),
) {
    let worker_seed = cfg.seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut rng = ChaCha20Rng::seed_from_u64(worker_seed);
    let policy = trial::oracle_policy(&cfg.client, &cfg.origins);
    let mut client =
        Client::new(target, cfg.client.clone(), policy, format!("{}-w{index}", cfg.user_prefix), worker_seed);
    client.registered = shared.registered.clone();
    client.session_reuse = cfg.session_reuse.max(1);
    let mut failures = 0u32;
    let mut turn = 0usize;
    let mut last_progress = Instant::now();
    let mut counted = 0u64;
    while shared.budget_left(cfg) {
        let ceremony = cfg.ceremonies[turn % cfg.ceremonies.len().max(1)];
        turn += 1;
        let (input, description) = match next_plan(cfg, shared, ceremony) {
            Some(d) => (d.to_bytes(), d),
            None => {
                let input = next_input(&mut rng, shared, ceremony);
                let Some(d) = Description::from_bytes(ceremony, &input) else { continue };
                (input, d)
            }
        };
        let result = client.trial(&description, &shared.controls);
        shared.requests.fetch_add(client.requests - counted, Ordering::SeqCst);
        counted = client.requests;
        match result {
            Err(NoTrial::Failed(why)) => {
                failures += 1;
                shared.stats.lock().unwrap_or_else(|e| e.into_inner()).failed(&why);
                if failures >= cfg.max_consecutive_failures {
                    shared.stop(format!(
                        "the RP stopped answering usably ({failures} failures in a row; last: {why})"
                    ));
                }
            }
            Err(NoTrial::Skipped(why)) => {
                failures = 0;
                shared.stats.lock().unwrap_or_else(|e| e.into_inner()).skipped(&why);
            }
            Ok(t) => {
                failures = 0;
                let judgement = judge(&t);
                shared.stats.lock().unwrap_or_else(|e| e.into_inner()).trial(ceremony, &t, &judgement);
                keep_if_new(shared, ceremony, &input, &t);
                if let Judgement::Finding(d) = judgement {
                    if matches!(d, Disagreement::AcceptsInvalid { .. }) {
                        client.retire(&description);
                    }
                    record(cfg, shared, &mut client, description, d, t, found);
                    shared.requests.fetch_add(client.requests - counted, Ordering::SeqCst);
                    counted = client.requests;
                }
            }
        }
        if let Some(p) = progress {
            if last_progress.elapsed() >= Duration::from_secs(1) {
                last_progress = Instant::now();
                p(&snapshot(shared));
            }
        }
    }
    if let Some(p) = progress {
        p(&snapshot(shared));
    }
}

fn snapshot(shared: &Shared) -> Progress {
    let seconds = shared.started.elapsed().as_secs_f64();
    let requests = shared.requests.load(Ordering::SeqCst);
    let findings = shared.findings.lock().unwrap_or_else(|e| e.into_inner()).len();
    let kinds = shared.corpus.lock().unwrap_or_else(|e| e.into_inner()).1.len();
    let ceremonies = shared.stats.lock().unwrap_or_else(|e| e.into_inner()).sent();
    Progress { seconds, requests, ceremonies, findings, reply_kinds: kinds, pairs: pairs_progress(shared) }
}

/// The next description of the pairwise phase of `ceremony`, while it lasts.
fn next_plan(cfg: &LiveConfig, shared: &Shared, ceremony: Ceremony) -> Option<Description> {
    let (_, schedule, next) = shared.pairs.iter().find(|(c, _, _)| *c == ceremony)?;
    let i = next.fetch_add(1, Ordering::SeqCst);
    schedule.plan(i, cfg.seed)
}

/// How far the pairwise phases are: plans taken and plans in all.
fn pairs_progress(shared: &Shared) -> (u64, u64) {
    shared.pairs.iter().fold((0, 0), |(taken, all), (_, s, next)| {
        (taken + next.load(Ordering::SeqCst).min(s.len()), all + s.len())
    })
}

/// The next input: half the time a kept input with its bytes mutated (once there are kept inputs), otherwise
/// random bytes.
fn next_input(rng: &mut ChaCha20Rng, shared: &Shared, ceremony: Ceremony) -> Vec<u8> {
    let kept = {
        let corpus = shared.corpus.lock().unwrap_or_else(|e| e.into_inner());
        corpus.0.get(&ceremony).and_then(|inputs| {
            if inputs.is_empty() || rng.next_u32() % 2 == 0 {
                None
            } else {
                let a = inputs[rng.next_u32() as usize % inputs.len()].clone();
                let b = inputs[rng.next_u32() as usize % inputs.len()].clone();
                Some((a, b))
            }
        })
    };
    match kept {
        Some((a, b)) if rng.next_u32() % 2 == 0 => mutate_bytes(rng, a, &b),
        Some((a, b)) => mutate_description(rng, ceremony, &a, &b).unwrap_or_else(|| mutate_bytes(rng, a, &b)),
        None => {
            // Short enough that a description often has fewer than four mutations, so stacking more on a kept
            // one changes it.
            let len = 24 + rng.next_u32() as usize % 120;
            let mut b = vec![0u8; len];
            rng.fill_bytes(&mut b);
            b
        }
    }
}

/// A structural change of the description `input` reads as: a random mutation added (or put in place of one,
/// when it has the most that take effect), one of `other`'s mutations added, one removed, or the re-signature
/// switched. `None` when `input` is not a description.
pub fn mutate_description(
    rng: &mut ChaCha20Rng,
    ceremony: Ceremony,
    input: &[u8],
    other: &[u8],
) -> Option<Vec<u8>> {
    use arbitrary::{Arbitrary, Unstructured};
    let d = Description::from_bytes(ceremony, input)?;
    let mut ms = d.mutations().to_vec();
    let random = |rng: &mut ChaCha20Rng| {
        let mut bytes = [0u8; 64];
        rng.fill_bytes(&mut bytes);
        crate::ceremony::Mutation::arbitrary(&mut Unstructured::new(&bytes)).ok()
    };
    let d = match rng.next_u32() % 5 {
        0 | 1 => {
            let m = random(rng)?;
            if ms.len() >= crate::ceremony::MAX_MUTATIONS {
                let i = rng.next_u32() as usize % ms.len();
                ms[i] = m;
            } else {
                let i = rng.next_u32() as usize % (ms.len() + 1);
                ms.insert(i, m);
            }
            d.with_mutation_list(ms)
        }
        2 => {
            let theirs = Description::from_bytes(ceremony, other)?;
            let pick =
                theirs.mutations().get(rng.next_u32() as usize % theirs.mutations().len().max(1))?.clone();
            if ms.len() >= crate::ceremony::MAX_MUTATIONS {
                ms.remove(0);
            }
            ms.push(pick);
            d.with_mutation_list(ms)
        }
        3 if !ms.is_empty() => {
            ms.remove(rng.next_u32() as usize % ms.len());
            d.with_mutation_list(ms)
        }
        _ => d.with_resign(!d.resign()),
    };
    Some(d.to_bytes())
}

/// One to four byte-level edits of `input` (flip, set, insert, remove, duplicate, splice with `other`): the
/// description read from the result is the input's with some fields and mutations changed.
pub fn mutate_bytes(rng: &mut ChaCha20Rng, mut input: Vec<u8>, other: &[u8]) -> Vec<u8> {
    let edits = 1 + rng.next_u32() % 4;
    for _ in 0..edits {
        let len = input.len().max(1);
        let at = rng.next_u32() as usize % len;
        match rng.next_u32() % 8 {
            0 => {
                if let Some(b) = input.get_mut(at) {
                    *b ^= 1 << (rng.next_u32() % 8);
                }
            }
            1 => {
                if let Some(b) = input.get_mut(at) {
                    *b = rng.next_u32() as u8;
                }
            }
            2 => {
                let n = 1 + rng.next_u32() as usize % 8;
                let mut bytes = vec![0u8; n];
                rng.fill_bytes(&mut bytes);
                let at = at.min(input.len());
                input.splice(at..at, bytes);
            }
            3 => {
                let n = 1 + rng.next_u32() as usize % 8;
                let end = (at + n).min(input.len());
                if at < end {
                    input.drain(at..end);
                }
            }
            4 => {
                let n = 1 + rng.next_u32() as usize % 16;
                let end = (at + n).min(input.len());
                let chunk = input.get(at..end).unwrap_or_default().to_vec();
                input.splice(at..at, chunk);
            }
            // Mutations are read from the end of the input: bytes appended are one more mutation.
            5 => {
                let n = 8 + rng.next_u32() as usize % 40;
                let mut bytes = vec![0u8; n];
                rng.fill_bytes(&mut bytes);
                input.extend(bytes);
            }
            6 => {
                let from = if other.is_empty() { 0 } else { rng.next_u32() as usize % other.len() };
                input.extend_from_slice(other.get(from..).unwrap_or_default());
            }
            _ => {
                let from = if other.is_empty() { 0 } else { rng.next_u32() as usize % other.len() };
                input.truncate(at);
                input.extend_from_slice(other.get(from..).unwrap_or_default());
            }
        }
        input.truncate(1024);
    }
    input
}

fn keep_if_new(shared: &Shared, ceremony: Ceremony, input: &[u8], t: &Trial) {
    let kind = format!("{} {}", ceremony.as_str(), judge::reply_kind(t));
    let mut corpus = shared.corpus.lock().unwrap_or_else(|e| e.into_inner());
    if corpus.1.insert(kind) {
        let inputs = corpus.0.entry(ceremony).or_default();
        if inputs.len() < CORPUS_LIMIT {
            inputs.push(input.to_vec());
        }
    }
}

/// Whether `t` shows the same disagreement as `d`.
fn same(d: &Disagreement, t: &Trial) -> bool {
    match (judge(t), d) {
        (
            Judgement::Finding(Disagreement::ServerError { status, .. }),
            Disagreement::ServerError { status: s, .. },
        ) => status == *s,
        (Judgement::Finding(e), _) => e == *d,
        _ => false,
    }
}

/// Drops mutations, then simplifies fields, while `d` stays: the description that is left names what the
/// disagreement needs. Each attempt is a new ceremony against the RP.
pub fn minimise(
    client: &mut Client<'_>,
    controls: &Mutex<Controls>,
    description: Description,
    d: &Disagreement,
    mut trial: Trial,
    budget_left: &dyn Fn() -> bool,
) -> (Description, Trial) {
    let mut best = description;
    // Drop mutations one at a time, last first.
    let mut i = best.mutations().len();
    while i > 0 && budget_left() {
        i -= 1;
        let candidate = best.with_mutations(|j| j != i);
        if let Ok(t) = client.trial(&candidate, controls) {
            if same(d, &t) {
                best = candidate;
                trial = t;
            }
        }
    }
    for field in description::Simplify::ALL {
        if !budget_left() {
            break;
        }
        let Some(candidate) = best.simplified(field) else { continue };
        if let Ok(t) = client.trial(&candidate, controls) {
            if same(d, &t) {
                best = candidate;
                trial = t;
            }
        }
    }
    (best, trial)
}

/// The kinds of change a description makes, sorted: its mutations' kinds, and "re-signed".
fn kinds_of(description: &Description) -> Vec<String> {
    let mut kinds: Vec<String> = description.mutations().iter().map(mutation_kind).collect();
    if description.resign() && !kinds.is_empty() {
        kinds.push("re-signed".into());
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

fn record(
    cfg: &LiveConfig,
    shared: &Shared,
    client: &mut Client<'_>,
    description: Description,
    d: Disagreement,
    t: Trial,
    found: &(dyn Fn(&Found) + Sync),
) {
    let ceremony = description.ceremony();
    let after_requests = shared.requests.load(Ordering::SeqCst);
    let after_seconds = shared.started.elapsed().as_secs_f64();
    let class_key = format!("{} {}", ceremony.as_str(), finding_id(ceremony, &d, &[]));
    let prefix = finding_id(ceremony, &d, &[]);
    let prefix = prefix.rsplit_once('-').map_or(prefix.as_str(), |(p, _)| p).to_owned();
    {
        // A finding of the same class and check whose mutation kinds are all among this one's already explains
        // it: the rest is noise on top of the same bug (counted there, not minimised again).
        let raw = kinds_of(&description);
        let mut findings = shared.findings.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = findings
            .values_mut()
            .filter(|f| f.id.starts_with(&prefix) && f.mutation_kinds.iter().all(|k| raw.contains(k)))
            .min_by_key(|f| f.after_requests)
        {
            f.occurrences += 1;
            return;
        }
    }
    let minimising = cfg.minimise && {
        let mut m = shared.minimised.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(class_key).or_insert(0);
        *n += 1;
        *n <= MINIMISE_PER_CLASS
    };
    let (description, t) = if minimising {
        let budget = || shared.budget_left(cfg);
        minimise(client, &shared.controls, description, &d, t, &budget)
    } else {
        (description, t)
    };
    let kinds = kinds_of(&description);
    let id = finding_id(ceremony, &d, &kinds);
    let mut findings = shared.findings.lock().unwrap_or_else(|e| e.into_inner());
    if !minimising {
        // Past the minimisation budget of its class, a disagreement counts on the first finding of the class
        // (unminimised, its mutation kinds would name noise, not a new bug).
        if let Some(f) =
            findings.values_mut().filter(|f| f.id.starts_with(&prefix)).min_by_key(|f| f.after_requests)
        {
            f.occurrences += 1;
            return;
        }
    }
    match findings.get_mut(&id) {
        Some(f) => f.occurrences += 1,
        None => {
            let f = Found {
                id: id.clone(),
                disagreement: d,
                description,
                mutation_kinds: kinds,
                trial: t,
                occurrences: 1,
                after_requests,
                after_seconds,
            };
            found(&f);
            findings.insert(id, f);
            if cfg.max_findings.is_some_and(|n| findings.len() >= n) {
                shared.stop(format!("{} finding(s)", findings.len()));
            }
        }
    }
}
