//! The grader against the reference RP with single checks switched off, against servers that reject
//! everything, and against servers that are broken.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use generator::catalog::{self, BasisKind, Case, Expect, Level};
use generator::client::ClientConfig;
use grader::expectations::{Expectations, Kind};
use grader::transport::{FnTarget, HttpConfig, HttpTarget};
use grader::{GradeConfig, Grading, OriginPolicy, Profile, Report, Verdict};
use rp::{Config, ReferenceRp};
use serde_json::{json, Value};
use verifier::CheckId;

const RP_ID: &str = "rp.example";
const ORIGIN: &str = "https://rp.example";
const NOW: u64 = 1_748_736_000;

fn config() -> Config {
    testkit::rp_config(RP_ID, ORIGIN, 3)
}

/// The client at [`ORIGIN`], with `https://login.rp.example` (which `testkit::rp_config` makes the RP accept)
/// as the origin the cases on a subdomain of the RP ID report.
fn grade_cfg() -> GradeConfig {
    let client = ClientConfig {
        subdomain_origin: Some("https://login.rp.example".into()),
        ..ClientConfig::new(ORIGIN, RP_ID)
    };
    GradeConfig::new("test", client, 5)
}

fn grade_in_process(rp: ReferenceRp, cases: &[Case]) -> Report {
    let mut target = testkit::in_process(&rp, NOW);
    grader::grade(&mut target, &grade_cfg(), &catalog::all(), cases, &mut |_, _, _| {}).report
}

/// Cases whose verdict is neither PASS nor INFO, with their verdicts.
fn not_good(r: &Report) -> BTreeSet<(String, Verdict)> {
    r.cases
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::Info))
        .map(|c| (c.id.clone(), c.verdict))
        .collect()
}

/// What a case that goes the other way gets under the default grading (webauthn-l3): FAIL for a MUST of the
/// RP's own procedure, WARN otherwise.
fn weak_verdict(c: &Case) -> Verdict {
    match (c.level, c.basis().map(|b| b.kind)) {
        (Level::Must, Some(BasisKind::Procedure)) => Verdict::Fail,
        _ => Verdict::Warn,
    }
}

#[test]
fn the_reference_rp_passes_everything_in_process() {
    let report = grade_in_process(ReferenceRp::new(config()), &catalog::all());
    assert_eq!(not_good(&report), BTreeSet::new());
}

#[test]
fn each_switched_off_check_fails_exactly_its_cases() {
    let switches: &[(&str, &[CheckId])] = &[
        ("origin", &[CheckId::RegOrigin, CheckId::AuthOrigin]),
        ("rpIdHash", &[CheckId::RegRpIdHash, CheckId::AuthRpIdHash]),
        ("user verification", &[CheckId::RegUserVerified, CheckId::AuthUserVerified]),
        ("counter", &[CheckId::AuthSignCount]),
        ("signature", &[CheckId::AuthSignature, CheckId::RegAttestationSignature]),
    ];
    let cases = catalog::all();
    for (name, checks) in switches {
        let mut c = config();
        c.policy.disabled_checks = checks.to_vec();
        let report = grade_in_process(ReferenceRp::new(c), &cases);
        let expected: BTreeSet<(String, Verdict)> = cases
            .iter()
            .filter(|case| case.check.is_some_and(|id| checks.contains(&id)))
            // A case either answer passes (POLICY, e.g. compound with one invalid sub-statement) is INFO when
            // the RP accepts it: its check names only where the reference RP rejects.
            .filter(|case| case.expect != Expect::Either)
            .map(|case| (case.id.to_owned(), weak_verdict(case)))
            .collect();
        assert!(!expected.is_empty(), "{name}: no case targets {checks:?}");
        if not_good(&report) != expected {
            for c in report.cases.iter().filter(|c| expected.iter().any(|(id, _)| id == &c.id)) {
                eprintln!("{name}: {} {:?} {}", c.id, c.verdict, c.detail);
            }
        }
        assert_eq!(not_good(&report), expected, "switching off {name}");
    }
}

#[test]
fn reusable_challenges_fail_exactly_the_replay_cases() {
    let mut c = config();
    c.single_use_challenges = false;
    let cases = catalog::all();
    let report = grade_in_process(ReferenceRp::new(c), &cases);
    // A replayed registration is still refused, by §7.1 step 26 (its credential ID is registered by then);
    // a replayed assertion of a counterless credential has nothing else to stop it, whether it is posted with
    // the session's cookies as they are or as they were after the options call (in process the session is its
    // key either way).
    let expected: BTreeSet<(String, Verdict)> = [
        ("auth.stateful.replay".to_string(), Verdict::Fail),
        ("auth.stateful.replay.saved-session".to_string(), Verdict::Fail),
    ]
    .into();
    assert_eq!(not_good(&report), expected);
    for id in ["reg.stateful.replay", "reg.stateful.replay.saved-session"] {
        let reg = report.cases.iter().find(|c| c.id == id).unwrap();
        assert_eq!(
            reg.observed.as_ref().and_then(|o| o.check.as_deref()),
            Some("reg.credential-id.already-registered"),
            "{id}"
        );
    }
}

#[test]
fn a_server_that_rejects_every_result_scores_no_pass() {
    // Options are served properly, so the cases run; every result is refused.
    let rp = ReferenceRp::new(config());
    let mut target = FnTarget::new(|session: &str, path: &str, body: &Value| {
        if path.ends_with("/options") {
            rp.handle(session, path, body, NOW)
        } else {
            (400, json!({"status": "failed", "errorMessage": "no"}))
        }
    });
    let report =
        grader::grade(&mut target, &grade_cfg(), &catalog::all(), &catalog::all(), &mut |_, _, _| {}).report;
    // No case that judges a response passes. The options cases judge the options, which this server serves
    // properly: those that need no registered account pass, the others (a registration first) are inconclusive.
    let passed: Vec<&str> =
        report.cases.iter().filter(|c| c.verdict == Verdict::Pass).map(|c| c.id.as_str()).collect();
    assert!(
        passed.iter().all(|id| report.cases.iter().any(|c| c.id == *id && c.expect == spec::Expect::Meet)),
        "{passed:?}"
    );
    assert_eq!(
        report.cases.iter().find(|c| c.id == "reg.options.exclude-credentials").map(|c| c.verdict),
        Some(Verdict::Inconclusive)
    );
    assert!(report.summary[&Verdict::Inconclusive] > 50, "{:?}", report.summary);
    // The mandatory baseline fails; negative cases are inconclusive, never passed.
    let baseline = report.cases.iter().find(|c| c.id == "reg.valid.es256.none").unwrap();
    assert_eq!(baseline.verdict, Verdict::Fail);
    let negative = report.cases.iter().find(|c| c.id == "reg.client-data.origin.null").unwrap();
    assert_eq!(negative.verdict, Verdict::Inconclusive);
}

#[test]
fn cases_whose_baseline_was_rejected_are_unsupported_and_not_run() {
    // Every registration result is refused: no algorithm but the mandatory ES256 is offered, so a case with
    // another algorithm is not run at all.
    let rp = ReferenceRp::new(config());
    let mut target = FnTarget::new(|session: &str, path: &str, body: &Value| {
        if path == "/attestation/result" {
            (400, json!({"status": "failed", "errorMessage": "no"}))
        } else {
            rp.handle(session, path, body, NOW)
        }
    });
    let cases: Vec<Case> = catalog::all()
        .into_iter()
        .filter(|c| !c.is_baseline() && c.setup.alg != generator::keys::Algorithm::Es256)
        .take(3)
        .collect();
    assert_eq!(cases.len(), 3);
    let g = grader::grade(&mut target, &grade_cfg(), &catalog::all(), &cases, &mut |_, _, _| {});
    for c in &g.report.cases {
        assert_eq!(c.verdict, Verdict::Unsupported, "{}: {}", c.id, c.detail);
        assert!(c.detail.starts_with("the RP rejected the valid baseline for "), "{}", c.detail);
        assert_eq!(c.observed, None);
    }
    assert_eq!(g.report.summary[&Verdict::Unsupported], 3);
    assert!(g.transcripts.is_empty(), "{:?}", g.transcripts.iter().map(|t| t.case).collect::<Vec<_>>());
}

#[test]
fn a_required_algorithm_whose_baseline_is_rejected_fails_instead_of_being_unsupported() {
    // Every registration result is refused. EdDSA's baseline is UNSUPPORTED, and so is a case of EdDSA; once
    // the user declares EdDSA required (`--require-alg eddsa`), the rejected baseline is a FAIL and the
    // algorithm's cases are run.
    let rp = ReferenceRp::new(config());
    let refuse = |session: &str, path: &str, body: &Value| {
        if path == "/attestation/result" {
            (400, json!({"status": "failed", "errorMessage": "no"}))
        } else {
            rp.handle(session, path, body, NOW)
        }
    };
    let cases: Vec<Case> = catalog::all()
        .into_iter()
        .filter(|c| c.id == "reg.valid.eddsa.none" || c.id == "auth.valid.eddsa")
        .collect();
    assert_eq!(cases.len(), 2);
    let verdicts = |cfg: &GradeConfig| {
        let mut target = FnTarget::new(refuse);
        let g = grader::grade(&mut target, cfg, &catalog::all(), &cases, &mut |_, _, _| {});
        g.report.cases.iter().map(|c| (c.id.clone(), c.verdict)).collect::<BTreeSet<_>>()
    };
    let pair = |reg: Verdict, auth: Verdict| {
        BTreeSet::from([("auth.valid.eddsa".to_owned(), auth), ("reg.valid.eddsa.none".to_owned(), reg)])
    };
    assert_eq!(verdicts(&grade_cfg()), pair(Verdict::Unsupported, Verdict::Unsupported));
    let mut cfg = grade_cfg();
    cfg.required_algs = vec!["EdDSA".into()];
    let required = verdicts(&cfg);
    assert_eq!(
        required.iter().find(|(id, _)| id == "reg.valid.eddsa.none").map(|x| x.1),
        Some(Verdict::Fail)
    );
    // The assertion case ran: its registration step was refused, which is no UNSUPPORTED any more.
    assert!(required.iter().all(|(_, v)| *v != Verdict::Unsupported), "{required:?}");
}

#[test]
fn an_rp_that_accepts_a_no_dot_lookalike_host_fails_exactly_the_lookalike_cases() {
    // What suffix matching without a dot boundary does for RP ID rp.example: it also takes evilrp.example.
    let mut config = config();
    config.policy.origins.allowed.push("https://evilrp.example".into());
    let report = grade_in_process(ReferenceRp::new(config), &catalog::all());
    let expected: BTreeSet<(String, Verdict)> =
        ["reg.client-data.origin.no-dot-lookalike", "auth.client-data.origin.no-dot-lookalike"]
            .into_iter()
            .map(|id| (id.to_owned(), Verdict::Fail))
            .collect();
    assert_eq!(not_good(&report), expected);
}

#[test]
fn the_grader_applies_the_expectations_skips_and_counts() {
    // Counters unchecked: the counter cases aimed at that check WARN, and the expectations know it.
    let mut c = config();
    c.policy.disabled_checks = vec![CheckId::AuthSignCount];
    let rp = ReferenceRp::new(c);
    let mut target =
        FnTarget::new(|session: &str, path: &str, body: &Value| rp.handle(session, path, body, NOW));
    let cases: Vec<Case> = catalog::all().into_iter().filter(|c| c.id.starts_with("auth.counter.")).collect();
    let skipped = cases.first().expect("counter cases").id;
    let mut cfg = grade_cfg();
    cfg.expectations = Expectations::parse(&format!(
        "[[case]]\nid = \"{skipped}\"\nverdict = \"SKIPPED\"\nreason = \"not stored\"\n\
         [[case]]\nid = \"auth.counter.*\"\nverdict = \"WARN\"\nreason = \"counters unchecked\"\nkind = \"policy\"\n\
         [[case]]\nid = \"reg.gone\"\nverdict = \"FAIL\"\nreason = \"renamed\"\n"
    ))
    .unwrap();
    let g = grader::grade(&mut target, &cfg, &catalog::all(), &cases, &mut |_, _, _| {});
    let r = &g.report;
    assert_eq!(r.cases.len(), cases.len());
    // The skipped case is not run, and comes last.
    let last = r.cases.last().unwrap();
    assert_eq!((last.id.as_str(), last.verdict), (skipped, Verdict::Skipped));
    assert_eq!(last.detail, "skipped by the expectations file: not stored");
    assert_eq!(last.expected_because.as_deref(), Some("not stored"));
    assert!(g.transcripts.iter().all(|t| t.case != skipped));
    assert_eq!(g.transcripts.len(), cases.len() - 1);
    // Each WARN is a known result, with its kind; a PASS gets no note.
    let warned: Vec<&grader::CaseResult> = r.cases.iter().filter(|c| c.verdict == Verdict::Warn).collect();
    assert!(!warned.is_empty());
    for c in &warned {
        assert_eq!(c.expected_because.as_deref(), Some("counters unchecked"), "{}", c.id);
        assert_eq!(c.expected_kind, Some(Kind::Policy), "{}", c.id);
    }
    assert!(r.cases.iter().filter(|c| c.verdict == Verdict::Pass).all(|c| c.expected_because.is_none()));
    assert_eq!(r.unexpected().count(), 0);
    assert_eq!(r.stale_expectations, vec!["reg.gone (expected FAIL): matches no case that ran".to_string()]);
    // The summary counts the finished verdicts, skipped included.
    assert_eq!(r.summary, Report::summarize(&r.cases));
    assert_eq!(r.summary[&Verdict::Skipped], 1);
    assert_eq!(r.summary[&Verdict::Warn], warned.len());
}

/// A TCP server that treats every connection with `behave`, on its own thread.
fn broken_server(behave: fn(std::net::TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || behave(stream));
        }
    });
    format!("http://{addr}")
}

fn read_request(stream: &mut std::net::TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = stream.read(&mut buf);
}

fn grade_broken(url: &str) -> (Report, Duration) {
    let mut http = HttpConfig::new(url);
    http.timeout = Duration::from_millis(300);
    let mut target = HttpTarget::new(http);
    let cases: Vec<Case> = catalog::all().into_iter().filter(|c| c.id.starts_with("auth.counter.")).collect();
    let start = Instant::now();
    let report = grader::grade(&mut target, &grade_cfg(), &catalog::all(), &cases, &mut |_, _, _| {}).report;
    (report, start.elapsed())
}

#[test]
fn broken_servers_give_errors_within_the_timeout() {
    let garbage = broken_server(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n<html>hi</>");
    });
    let hang = broken_server(|mut s| {
        read_request(&mut s);
        std::thread::sleep(Duration::from_secs(30));
    });
    let close = broken_server(drop);
    // Every baseline and the 6 cases, each stopped at its first call: at most one timeout (300 ms) per call,
    // plus slack for a loaded machine.
    let calls = catalog::all().iter().filter(|c| c.is_baseline()).count() as u32 + 6;
    let bound = Duration::from_millis(300) * calls + Duration::from_secs(2);
    for (name, url) in [("garbage", garbage), ("hang", hang), ("close", close)] {
        let (report, took) = grade_broken(&url);
        assert!(!report.cases.is_empty());
        for c in &report.cases {
            assert_eq!(c.verdict, Verdict::Error, "{name}: {} is {:?}: {}", c.id, c.verdict, c.detail);
        }
        assert!(took < bound, "{name} took {took:?}, more than {bound:?} for {calls} calls");
    }
}

#[test]
fn origin_cases_hold_for_an_rp_at_an_http_origin_over_http() {
    // An RP served at http://localhost:PORT: every origin mutation must still differ from its origin.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let origin = format!("http://localhost:{port}");
    let mut c = Config::new("localhost", &origin);
    c.seed = Some(4);
    let server = rp::server::Running::start_on(listener, std::sync::Arc::new(ReferenceRp::new(c))).unwrap();
    let mut target = HttpTarget::new(HttpConfig::new(&server.url()));
    let cfg = GradeConfig::new("http origin", ClientConfig::new(origin, "localhost"), 5);
    // (Those on a subdomain of the RP ID need one declared, which this RP does not accept.)
    let cases: Vec<Case> = catalog::all()
        .into_iter()
        .filter(|c| c.id.contains(".client-data.origin.") && !c.setup.subdomain_origin)
        .collect();
    assert!(cases.len() > 20);
    let report = grader::grade(&mut target, &cfg, &catalog::all(), &cases, &mut |_, _, _| {}).report;
    assert_eq!(not_good(&report), BTreeSet::new());
}

#[test]
fn origin_cases_are_graded_against_the_declared_origins() {
    // An RP that also accepts the RP ID's https subdomains (§13.4.9 allows it).
    let mut c = config();
    c.policy.origins.allow_rp_id_subdomains = true;
    let cases: Vec<Case> =
        catalog::all().into_iter().filter(|c| c.id.contains(".client-data.origin.")).collect();
    let subdomain: BTreeSet<&str> =
        ["reg.client-data.origin.subdomain", "auth.client-data.origin.subdomain"].into();
    assert!(cases.iter().filter(|c| subdomain.contains(c.id)).count() == 2);

    // Declared: the one origin. Accepting its subdomain is a FAIL.
    let rp = ReferenceRp::new(c.clone());
    let mut target = testkit::in_process(&rp, NOW);
    let report = grader::grade(&mut target, &grade_cfg(), &catalog::all(), &cases, &mut |_, _, _| {}).report;
    let expected: BTreeSet<(String, Verdict)> =
        subdomain.iter().map(|id| (id.to_string(), Verdict::Fail)).collect();
    assert_eq!(not_good(&report), expected);
    assert_eq!(report.origins, [ORIGIN]);
    assert_eq!(report.origin_policy, OriginPolicy::Exact);

    // Declared: the origin and its subdomains. The subdomain cases are INFO (the RP chose), saying which origin
    // was sent; every other origin case is still a MUST the RP keeps.
    let rp = ReferenceRp::new(c);
    let mut target = testkit::in_process(&rp, NOW);
    let mut cfg = grade_cfg();
    cfg.origins.policy = OriginPolicy::Subdomains;
    let report = grader::grade(&mut target, &cfg, &catalog::all(), &cases, &mut |_, _, _| {}).report;
    assert_eq!(not_good(&report), BTreeSet::new());
    assert_eq!(report.origin_policy, OriginPolicy::Subdomains);
    for c in &report.cases {
        if subdomain.contains(c.id.as_str()) {
            assert_eq!(c.verdict, Verdict::Info, "{}", c.id);
            assert!(c.origin_declared, "{}", c.id);
            assert_eq!(
                c.detail,
                "origin https://evil.rp.example is within the declared origins: accepted (HTTP 200)",
                "{}",
                c.id
            );
        } else {
            assert!(!c.origin_declared, "{}", c.id);
        }
    }
    // The lookalike is no subdomain.
    let lookalike = report.cases.iter().find(|c| c.id == "reg.client-data.origin.suffix-lookalike").unwrap();
    assert_eq!(lookalike.verdict, Verdict::Pass);

    // An extra declared origin (exact) makes the case that sends it INFO too.
    let rp = ReferenceRp::new(config());
    let mut target = testkit::in_process(&rp, NOW);
    let mut cfg = grade_cfg();
    cfg.origins.declared.push("https://evil.example.com".into());
    let other_site: Vec<Case> =
        cases.iter().filter(|c| c.id.ends_with(".client-data.origin.other-site")).copied().collect();
    let report = grader::grade(&mut target, &cfg, &catalog::all(), &other_site, &mut |_, _, _| {}).report;
    assert_eq!(report.cases.len(), 2);
    for c in &report.cases {
        assert_eq!((c.verdict, c.origin_declared), (Verdict::Info, true), "{}: {}", c.id, c.detail);
    }
}

#[test]
fn one_run_is_judged_under_every_grading() {
    // An RP with checks of different bases switched off: the origin (procedure), the DER shape of assertion
    // signatures and attested credential data in an assertion (data).
    let rp = || {
        let mut c = config();
        c.policy.disabled_checks = vec![
            CheckId::RegOrigin,
            CheckId::AuthOrigin,
            CheckId::AuthSignatureMalformed,
            CheckId::AuthAttestedCredentialDataPresent,
        ];
        ReferenceRp::new(c)
    };
    let cases = catalog::all();
    let graded = |grading: Grading| {
        let rp = rp();
        let mut target = testkit::in_process(&rp, NOW);
        let mut cfg = grade_cfg();
        cfg.grading = grading;
        grader::grade(&mut target, &cfg, &cases, &cases, &mut |_, _, _| {}).report
    };
    let report = graded(Grading::default());
    assert_eq!(report.profile, Grading::default());
    let warned = report.summary[&Verdict::Warn];
    assert!(warned > 0 && report.summary[&Verdict::Fail] > 0, "{:?}", report.summary);
    let verdicts = |r: &Report| r.cases.iter().map(|c| (c.id.clone(), c.verdict)).collect::<Vec<_>>();
    for grading in [
        Grading { profile: Profile::WebauthnL3, strict: true },
        Grading { profile: Profile::FidoConformance, strict: false },
        Grading { profile: Profile::FidoConformance, strict: true },
    ] {
        // Judged again from the report, and graded afresh under that grading: the same verdicts.
        let again = grader::regrade(&report, grading);
        let fresh = graded(grading);
        assert_eq!(again.profile, grading);
        assert_eq!(verdicts(&again), verdicts(&fresh), "{grading}");
        assert_eq!(again.summary, fresh.summary, "{grading}");
    }
    // Strict turns the data MUSTs' WARNs into FAILs.
    let strict = grader::regrade(&report, Grading { profile: Profile::WebauthnL3, strict: true });
    assert!(strict.summary[&Verdict::Warn] < warned, "{:?}", strict.summary);
    assert_eq!(grader::regrade(&report, Grading::default()), report);
}

#[test]
fn an_rp_that_always_requires_uv_does_not_offer_the_ceremonies_without_it() {
    // The RP requires user verification whatever is asked (as webauthn-rs's passkey API does) and says so in
    // its options; the client follows the options. Only the cases that need UV not to be required, and send
    // UV clear, are affected: UNSUPPORTED, not FAIL.
    let rp = ReferenceRp::new(config());
    let mut target = FnTarget::new(|session: &str, path: &str, body: &Value| {
        let mut body = body.clone();
        if path.ends_with("attestation/options") {
            body["authenticatorSelection"]["userVerification"] = json!("required");
        } else if path.ends_with("assertion/options") {
            body["userVerification"] = json!("required");
        }
        rp.handle(session, path, &body, NOW)
    });
    let cases: Vec<Case> = catalog::all().into_iter().filter(|c| c.id.contains(".flags.uv-")).collect();
    let report = grader::grade(&mut target, &grade_cfg(), &catalog::all(), &cases, &mut |_, _, _| {}).report;
    let expected: BTreeSet<(String, Verdict)> = [
        "reg.flags.uv-preferred.up1-uv0",
        "reg.flags.uv-discouraged.up1-uv0",
        "auth.flags.uv-preferred.up1-uv0",
        "auth.flags.uv-discouraged.up1-uv0",
    ]
    .into_iter()
    .map(|id| (id.to_string(), Verdict::Unsupported))
    .collect();
    assert_eq!(not_good(&report), expected);
    let detail = &report.cases.iter().find(|c| c.id == "auth.flags.uv-preferred.up1-uv0").unwrap().detail;
    assert!(detail.contains("requires user verification in every ceremony"), "{detail}");
}

/// The request body of the last call to `endpoint` in a case's run (the subject).
fn last_request<'a>(g: &'a grader::Graded, id: &str, endpoint: &str) -> &'a Value {
    let t = g.transcripts.iter().find(|t| t.case == id).expect("the case ran");
    &t.exchanges.iter().rev().find(|e| e.endpoint.path() == endpoint).expect("the subject call").request
}

fn b64(s: &Value) -> Vec<u8> {
    wire::base64url::decode(s.as_str().expect("a string")).expect("base64url")
}

#[test]
fn signature_and_challenge_mutations_have_their_shape_whatever_the_rps_challenges() {
    // The subject's bytes depend on the RP's random challenge; the mutations must not. Twelve RPs with other
    // challenge sequences, each graded on the cases whose point is the shape of those bytes.
    let ids = [
        "auth.signature.es256.r-negative",
        "auth.signature.es256.r-leading-zero",
        "auth.response.signature.standard-base64",
        "auth.client-data.challenge.standard-base64",
        "reg.client-data.challenge.standard-base64",
    ];
    let cases: Vec<Case> = catalog::all().into_iter().filter(|c| ids.contains(&c.id)).collect();
    assert_eq!(cases.len(), ids.len());
    for rp_seed in 0..12 {
        let mut cfg = config();
        cfg.seed = Some(100 + rp_seed);
        let rp = ReferenceRp::new(cfg);
        let mut target = testkit::in_process(&rp, NOW);
        let g = grader::grade(&mut target, &grade_cfg(), &catalog::all(), &cases, &mut |_, _, _| {});
        assert!(not_good(&g.report).is_empty(), "RP seed {rp_seed}: {:?}", not_good(&g.report));

        // r-negative: r's INTEGER content starts with a set top bit (a negative number in DER).
        let sig = b64(&last_request(&g, ids[0], "/assertion/result")["response"]["signature"]);
        let r_len = usize::from(sig[3]);
        assert_eq!(sig[2], 0x02);
        assert!(
            r_len == 32 && sig[4] & 0x80 != 0,
            "RP seed {rp_seed}: r-negative sent {}",
            hex::encode(&sig)
        );
        // r-leading-zero: a zero byte that DER forbids (the next byte has its top bit clear) before 32 bytes of r.
        let sig = b64(&last_request(&g, ids[1], "/assertion/result")["response"]["signature"]);
        assert!(sig[3] >= 33 && sig[4] == 0 && (sig[5] & 0x80 == 0 || sig[3] == 34), "{}", hex::encode(&sig));
        // Standard base64 that is not just base64url with padding.
        let sig = last_request(&g, ids[2], "/assertion/result")["response"]["signature"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(sig.contains(['+', '/']), "RP seed {rp_seed}: signature {sig}");
        for (id, endpoint) in [(ids[3], "/assertion/result"), (ids[4], "/attestation/result")] {
            let cdj = b64(&last_request(&g, id, endpoint)["response"]["clientDataJSON"]);
            let cd: Value = serde_json::from_slice(&cdj).expect("client data JSON");
            let challenge = cd["challenge"].as_str().expect("a challenge");
            assert!(challenge.contains(['+', '/']), "RP seed {rp_seed}: {id} sent challenge {challenge}");
        }
    }
}
