//! Replays, on the stable toolchain, the seeds of the reference's ceremony targets (`corpus/registration/`,
//! `corpus/authentication/`) through every peer target, and every saved finding (`findings/<peer>/*.bin`),
//! asserting that each finding still disagrees the way its `.txt` says: same direction and same check. A peer
//! version that fixes a finding (or the reference changing its mind) fails here, naming the finding.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use peerdiff::{Ceremony, Direction, Outcome, Peer};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, ext: Option<&str>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| ext.is_none_or(|x| p.extension().is_some_and(|e| e == x)))
        .collect();
    out.sort();
    out
}

/// Every seed of the reference's ceremony targets goes through each peer target without a panic of ours
/// (a peer's panic is caught and is an outcome); and most baselines are runs the peer supports.
#[test]
fn every_seed_runs_through_every_peer_target() {
    let mut summary = Vec::new();
    for (name, peer, ceremony, _) in peerdiff::TARGETS {
        let seeds = files(&repo().join("corpus").join(ceremony.name()), None);
        assert!(!seeds.is_empty(), "no seeds for {}", ceremony.name());
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for path in &seeds {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let run = peerdiff::replay(*peer, *ceremony, &bytes);
            let what = match run.map(|r| r.outcome) {
                None => "too short",
                Some(Outcome::Agree) => "agree",
                Some(Outcome::Unsupported(_)) => "unsupported",
                Some(Outcome::Disagree(_)) => "disagree",
            };
            *counts.entry(what).or_default() += 1;
        }
        assert!(
            counts.get("agree").copied().unwrap_or(0) * 2 >= seeds.len(),
            "{name}: fewer than half the seeds run and agree: {counts:?}"
        );
        summary.push(format!("{name}: {counts:?}"));
    }
    println!("{}", summary.join("\n"));
}

/// The header of a finding's `.txt`: `key: value` lines up to the first blank line.
fn header(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn every_saved_finding_still_disagrees_as_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("findings");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for peer in [Peer::RsCore, Peer::Rp] {
        for bin in files(&root.join(peer.dir()), Some("bin")) {
            let txt = bin.with_extension("txt");
            let text = std::fs::read_to_string(&txt).unwrap_or_else(|e| panic!("{}: {e}", txt.display()));
            let h = header(&text);
            assert_eq!(h.get("peer").map(String::as_str), Some(peer.dir()), "{}", txt.display());
            let ceremony = h.get("ceremony").and_then(|c| Ceremony::from_name(c)).expect("a ceremony line");
            let direction =
                h.get("direction").and_then(|d| Direction::from_name(d)).expect("a direction line");
            let check = h.get("check").expect("a check line");
            let bytes = std::fs::read(&bin).unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
            replayed += 1;
            match peerdiff::replay(peer, ceremony, &bytes).map(|r| r.outcome) {
                Some(Outcome::Disagree(d)) if d.direction == direction && &d.check == check => {}
                other => failures.push(format!(
                    "{}: recorded {} {check}, now {other:?}",
                    bin.display(),
                    direction.name()
                )),
            }
        }
    }
    println!("replayed {replayed} saved findings");
    assert!(failures.is_empty(), "findings that no longer disagree as recorded:\n{}", failures.join("\n"));
}

/// A panic inside peer code is an outcome, with its message; one outside it still panics.
#[test]
fn a_peer_panic_is_caught_and_named() {
    let v = peerdiff::guarded(|| panic!("inside the peer"));
    match v {
        peerdiff::PeerVerdict::Panicked(m) => assert!(m.starts_with("inside the peer at "), "{m}"),
        other => panic!("not caught: {other:?}"),
    }
    assert_eq!(peerdiff::guarded(|| peerdiff::PeerVerdict::Accepted), peerdiff::PeerVerdict::Accepted);
    assert!(std::panic::catch_unwind(|| panic!("outside")).is_err());
}

/// The error kind keeps nested variants and drops values.
#[test]
fn error_kinds_keep_variants_only() {
    assert_eq!(peerdiff::error_kind("AuthData(RpIdHashMismatch)"), "AuthData(RpIdHashMismatch)");
    assert_eq!(peerdiff::error_kind("Json(Error(\"x\", line: 1))"), "Json(Error)");
    assert_eq!(peerdiff::error_kind("MismatchedChallenge"), "MismatchedChallenge");
}
