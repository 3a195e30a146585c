//! `webauthn-harness fuzz` (`fuzzing::live`): the reference RP yields no finding; reference RPs with a blind spot
//! (a check skipped only under an unrelated second condition, which no catalogue case catches) are found within a
//! bounded number of requests, each finding names the skipped check, and its replay file reproduces against the
//! broken RP and not against the correct one. Short, bounded versions of what the README's figures measure over
//! HTTP for five minutes.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};

use fuzzing::live::replay::{self, FindingFile, Replayed};
use fuzzing::live::{self, Ceremony, Client, Disagreement, Found, LiveConfig, LiveReport};
use generator::catalog;
use generator::target::Target;
use rp::{BlindSpot, ReferenceRp};
use serde_json::Value as Json;
use testkit::{FnTarget, ORIGIN, RP_ID, SUBDOMAIN_ORIGIN};

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn reference(blind_spots: &[BlindSpot]) -> Arc<ReferenceRp> {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 1);
    config.blind_spots = blind_spots.to_vec();
    Arc::new(ReferenceRp::new(config))
}

fn target(rp: &Arc<ReferenceRp>) -> Box<dyn Target + Send> {
    let rp = rp.clone();
    Box::new(FnTarget::new(move |session: &str, path: &str, body: &Json| {
        rp.handle(session, path, body, now())
    }))
}

fn config(seed: u64, max_requests: u64) -> LiveConfig {
    let mut cfg = LiveConfig::new(testkit::client(), seed);
    cfg.origins = vec![ORIGIN.into(), SUBDOMAIN_ORIGIN.into()];
    cfg.max_requests = Some(max_requests);
    cfg
}

fn fuzz(rp: &Arc<ReferenceRp>, cfg: &LiveConfig) -> (LiveReport, Vec<Found>) {
    let found = Mutex::new(vec![]);
    let report = live::run(cfg, &|| target(rp), &|_| {}, &|f: &Found| found.lock().unwrap().push(f.clone()));
    (report, found.into_inner().unwrap())
}

/// The correct reference RP: the whole pairwise phase and thousands of random ceremonies of both kinds, controls
/// accepted, and not one finding.
#[test]
fn the_reference_rp_yields_no_finding() {
    let rp = reference(&[]);
    let (report, found) = fuzz(&rp, &config(7, 40_000));
    assert!(found.is_empty(), "{}", report.text());
    assert!(report.pairwise.planned > 10_000, "{}", report.text());
    assert_eq!(report.pairwise.sent, report.pairwise.planned, "{}", report.text());
    for c in [Ceremony::Registration, Ceremony::Authentication] {
        let n = &report.counts.by_ceremony[&c];
        assert!(n.sent > 300, "{c:?}: {}", report.text());
        assert!(n.accepted > 20, "{c:?}: some ceremonies are accepted: {}", report.text());
        assert_eq!(n.disagreements, 0);
    }
    assert!(report.reply_kinds > 20, "feedback sees many kinds of answer: {}", report.text());
}

/// Each blind spot is invisible to the catalogue: the broken RP grades exactly like the correct one.
#[test]
fn no_catalogue_case_catches_a_blind_spot() {
    let cases = catalog::all();
    let good = testkit::not_good(&testkit::grade_in_process(
        &ReferenceRp::new(testkit::rp_config(RP_ID, ORIGIN, 1)),
        &cases,
    ));
    for b in BlindSpot::ALL {
        let mut config = testkit::rp_config(RP_ID, ORIGIN, 1);
        config.blind_spots = vec![b];
        let report = testkit::grade_in_process(&ReferenceRp::new(config), &cases);
        let caught: Vec<_> = testkit::not_good(&report).difference(&good).cloned().collect();
        assert!(caught.is_empty(), "{b:?} is caught by catalogue cases: {caught:?}");
    }
}

/// Fuzzing finds each blind spot within a bounded number of requests, and the finding names the skipped check:
/// two of them need one near miss besides the kind of ceremony (a flag condition, a counter range), two need two
/// near misses at once (an unknown client data member and a cleared UP flag, re-signed; a client data that is not
/// the §5.8.1.1 serialization and a wrong challenge), which the pairwise phase reaches.
#[test]
fn fuzzing_finds_the_blind_spots() {
    finds(&[
        (BlindSpot::OriginWhenBackupEligible, 30_000),
        (BlindSpot::RpIdHashWhenLargeCounter, 30_000),
        (BlindSpot::ChallengeWhenNotSpecSerialized, 30_000),
        (BlindSpot::UserPresenceWhenUnknownClientDataMember, 30_000),
    ]);
}

fn finds(spots: &[(BlindSpot, u64)]) {
    for &(b, budget) in spots {
        let rp = reference(&[b]);
        let mut cfg = config(1, budget);
        cfg.max_findings = Some(1);
        let (report, found) = fuzz(&rp, &cfg);
        let skipped: Vec<&str> = b.checks().iter().map(|c| c.id()).collect();
        let hit = found.iter().find(|f| matches!(&f.disagreement, Disagreement::AcceptsInvalid { check } if skipped.contains(&check.as_str())));
        let hit =
            hit.unwrap_or_else(|| panic!("{b:?} not found within {budget} requests:\n{}", report.text()));
        // Every finding is the blind spot's: nothing else disagrees.
        for f in &found {
            assert!(
                matches!(&f.disagreement, Disagreement::AcceptsInvalid { check } if skipped.contains(&check.as_str())),
                "{b:?}: another finding {f:?}"
            );
        }
        eprintln!(
            "{b:?}: found after {} requests ({:.1} s): {}",
            hit.after_requests, hit.after_seconds, hit.id
        );

        // Its replay file reproduces against the broken RP, and not against the correct one.
        let file = FindingFile::of(hit, ORIGIN, RP_ID, 1);
        let dir = scratch(&format!("{b:?}"));
        let path = file.write(&dir).unwrap();
        let read = FindingFile::read(&path).unwrap();
        let replayed = |rp: &Arc<ReferenceRp>| {
            let mut t = target(rp);
            let policy =
                live::trial::oracle_policy(&testkit::client(), &[ORIGIN.into(), SUBDOMAIN_ORIGIN.into()]);
            let mut c = Client::new(t.as_mut(), testkit::client(), policy, "replay".into(), 3);
            replay::replay(&mut c, &read)
        };
        let r = replayed(&rp);
        assert!(
            matches!(r, Replayed::Reproduced(_)),
            "{b:?}: the replay does not reproduce: {r:?}\n{}",
            read.description
        );
        assert!(
            matches!(replayed(&reference(&[])), Replayed::Fixed(..)),
            "{b:?}: the correct RP reproduces it"
        );
    }
}

/// A broken RP (server errors, bodies that are not JSON) ends in a report, with the crash as a finding; an RP
/// that stops answering ends the run with the reason.
#[test]
fn a_crashing_or_silent_rp_ends_in_a_report() {
    let rp = reference(&[]);
    let crashing = {
        let rp = rp.clone();
        move || -> Box<dyn Target + Send> {
            let rp = rp.clone();
            Box::new(FnTarget::new(move |session: &str, path: &str, body: &Json| {
                let (status, reply) = rp.handle(session, path, body, now());
                // Any result whose options were answered but which the RP refused: a crash instead.
                if path.ends_with("/result") && status != 200 {
                    (500, Json::Null)
                } else {
                    (status, reply)
                }
            }))
        }
    };
    let found = Mutex::new(vec![]);
    let report =
        live::run(&config(2, 1500), &crashing, &|_| {}, &|f: &Found| found.lock().unwrap().push(f.clone()));
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f.disagreement, Disagreement::ServerError { status: 500, .. })),
        "{}",
        report.text()
    );

    let silent = || -> Box<dyn Target + Send> {
        Box::new(FnTarget::new(|_: &str, _: &str, _: &Json| (503, Json::Null)))
    };
    let report = live::run(&config(2, 100_000), &silent, &|_| {}, &|_| {});
    assert!(report.stopped.contains("stopped answering"), "{}", report.stopped);
    assert!(report.requests < 100, "{}", report.requests);
}

/// A scratch directory of this test process.
fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("webauthn-harness-fuzz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
}

/// The CLI against the embedded reference RP: a bounded run, its JSON report, exit status 0; a replay file that
/// is not one is a usage error naming the file.
#[test]
fn the_cli_fuzzes_the_embedded_rp_and_reports() {
    let dir = scratch("cli");
    let out = harness()
        .args(["fuzz", "--max-requests", "400", "--format", "json", "--findings"])
        .arg(dir.join("findings"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tool"], "webauthn-harness fuzz");
    assert_eq!(report["findings"], Json::Array(vec![]));
    assert!(report["requests"].as_u64().unwrap() >= 400);
    assert!(report["stopped"].as_str().unwrap().starts_with("request limit"));

    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"format\": \"something else\"}").unwrap();
    let out = harness().args(["fuzz", "--replay"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&bad.display().to_string()));
    let out = harness().args(["fuzz", "--time", "5x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A replay file is a regression case: `grade --regressions DIR` runs it as `fuzz.<id>` (PASS against the correct
/// embedded RP, FAIL against a served RP with the blind spot), and `fuzz --replay` exits 1 while it reproduces.
#[test]
fn replay_files_are_regression_cases_for_grade_and_fuzz() {
    let rp = reference(&[BlindSpot::OriginWhenBackupEligible]);
    let mut cfg = config(1, 20_000);
    cfg.max_findings = Some(1);
    let (report, found) = fuzz(&rp, &cfg);
    let hit = found.first().unwrap_or_else(|| panic!("no finding:\n{}", report.text()));
    let dir = scratch("regressions");
    let path = FindingFile::of(hit, ORIGIN, RP_ID, 1).write(&dir).unwrap();
    let case_id = format!("fuzz.{}", hit.id);

    let graded = |extra: &[&str]| {
        let out = harness()
            .args(["grade", "--case", "reg.valid.es256.none", "--format", "json", "--regressions"])
            .arg(&dir)
            .args(extra)
            .output()
            .unwrap();
        let report: Json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let case = report["cases"].as_array().unwrap().iter().find(|c| c["id"] == case_id.as_str()).cloned();
        (out.status.code(), case.unwrap_or_else(|| panic!("no {case_id} in {report}")))
    };
    let (status, case) = graded(&[]);
    assert_eq!(status, Some(0), "{case}");
    assert_eq!(case["verdict"], "PASS", "{case}");
    assert_eq!(case["check"], hit.disagreement.check().unwrap().id());

    // The same finding against a served reference RP with the blind spot.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = harness()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--origin", "https://rp.example"])
        .args(["--rp-id", "rp.example", "--blind-spot", "origin-when-backup-eligible"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let at = ["--target", url.as_str(), "--origin", "https://rp.example", "--rp-id", "rp.example"];
    let (status, case) = graded(&at);
    let replay = harness().args(["fuzz", "--replay"]).arg(&path).args(at).output().unwrap();
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(status, Some(1), "{case}");
    assert_eq!(case["verdict"], "FAIL", "{case}");
    assert_eq!(replay.status.code(), Some(1), "{}", String::from_utf8_lossy(&replay.stdout));
    assert!(String::from_utf8_lossy(&replay.stdout).contains("REPRODUCED"));
}

/// The flags the CI recipe (`examples/ci/webauthn-fuzz-nightly.yml`) passes are flags of `fuzz`.
#[test]
fn the_ci_recipe_uses_flags_fuzz_has() {
    let recipe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/ci/webauthn-fuzz-nightly.yml"
    ))
    .unwrap();
    let help = harness().args(["fuzz", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let mut flags: Vec<&str> = recipe
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| w.starts_with("--") && w.len() > 2 && !w.contains('='))
        .collect();
    flags.sort();
    flags.dedup();
    assert!(flags.len() >= 10, "{flags:?}");
    for f in flags {
        if f == "--locked" || f == "--git" {
            continue; // cargo install's
        }
        assert!(help.contains(f), "the recipe passes {f}, which `fuzz --help` does not list");
    }
}

/// `session_reuse`: registrations share sessions, and so do the assertions of one account (an RP that signs a
/// user up or in per session pays it once per N ceremonies), and the run is as clean as with a session each.
#[test]
fn ceremonies_share_sessions_when_asked() {
    let rp = reference(&[]);
    let run = |ceremony: Ceremony, reuse: usize| {
        let path =
            if ceremony == Ceremony::Registration { "/attestation/options" } else { "/assertion/options" };
        // Each session and the usernames its options requests named.
        let sessions = Arc::new(Mutex::new(HashMap::<String, std::collections::HashSet<String>>::new()));
        let counted = sessions.clone();
        let rp = rp.clone();
        let new_target = move || -> Box<dyn Target + Send> {
            let (rp, counted) = (rp.clone(), counted.clone());
            Box::new(FnTarget::new(move |session: &str, p: &str, body: &Json| {
                if p == path {
                    let name = body["username"].as_str().unwrap_or_default().to_owned();
                    counted.lock().unwrap().entry(session.to_owned()).or_default().insert(name);
                }
                rp.handle(session, p, body, now())
            }))
        };
        let mut cfg = config(5, 3_000);
        cfg.ceremonies = vec![ceremony];
        cfg.session_reuse = reuse;
        let found = Mutex::new(vec![]);
        let report =
            live::run(&cfg, &new_target, &|_| {}, &|f: &Found| found.lock().unwrap().push(f.clone()));
        let sent = report.counts.by_ceremony[&ceremony].sent;
        let sessions = sessions.lock().unwrap();
        // A shared session names one user throughout: an RP that signs the session's user in (a profile's
        // prelude) registers every credential of the session to that user, so the account recorded must be it.
        for (session, names) in sessions.iter() {
            assert_eq!(names.len(), 1, "{ceremony:?}: session {session} named {names:?}");
        }
        let n = sessions.len() as u64;
        (report, found.into_inner().unwrap(), sent, n)
    };
    for ceremony in [Ceremony::Registration, Ceremony::Authentication] {
        let (report, found, sent, one_each) = run(ceremony, 1);
        assert!(found.is_empty(), "{}", report.text());
        assert!(one_each >= sent, "{ceremony:?}: {one_each} sessions for {sent} ceremonies");
        let (report, found, sent, shared) = run(ceremony, 16);
        assert!(found.is_empty(), "{}", report.text());
        assert!(sent > 500, "{}", report.text());
        // An account is replaced (its session with it) whenever its state at the RP is no longer known (a counter
        // grown high, an accepted mutation), which the pairwise phase's counter and flag near misses do often.
        let factor = if ceremony == Ceremony::Registration { 8 } else { 2 };
        assert!(shared * factor < sent, "{ceremony:?}: {shared} sessions for {sent} ceremonies");
    }
}
