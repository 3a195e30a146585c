//! Replays the seed corpus (`corpus/<target>/`), the committed fuzzer finds (`corpus/found/<target>/`) and
//! every saved crash input (`fuzz/regressions/<target>/`) through the fuzz entry points on the stable
//! toolchain, so `cargo test` catches a crash regression, and checks that the seed corpus is exactly what
//! `make-corpus` writes (the finds are fuzzer output, not generated, so that check leaves them out).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files of a directory, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut out: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    out.sort();
    out
}

#[test]
fn every_corpus_file_and_regression_replays() {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for &(target, entry) in fuzzing::TARGETS {
        let corpus = files(&repo().join("corpus").join(target));
        let found = files(&repo().join("corpus/found").join(target));
        let regressions = files(&repo().join("fuzz/regressions").join(target));
        assert!(!corpus.is_empty(), "corpus/{target}/ has no seeds");
        counts.push(format!("{target}: {} + {} + {}", corpus.len(), found.len(), regressions.len()));
        for path in corpus.iter().chain(&found).chain(&regressions) {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if std::panic::catch_unwind(|| entry(&bytes)).is_err() {
                failures.push(format!("{target}: {}", path.display()));
            }
        }
    }
    println!("replayed (corpus + found + regressions): {}", counts.join(", "));
    assert!(failures.is_empty(), "inputs that break an invariant:\n{}", failures.join("\n"));
}

#[test]
fn the_corpus_is_what_make_corpus_writes() {
    let mut stale = Vec::new();
    let seeds = fuzzing::corpus::generate();
    for &(target, _) in fuzzing::TARGETS {
        let on_disk: Vec<PathBuf> = files(&repo().join("corpus").join(target));
        let expected: Vec<&fuzzing::corpus::Seed> = seeds.iter().filter(|s| s.target == target).collect();
        for seed in &expected {
            let path = repo().join("corpus").join(target).join(&seed.name);
            if std::fs::read(&path).ok().as_deref() != Some(seed.bytes.as_slice()) {
                stale.push(format!("differs or missing: {target}/{}", seed.name));
            }
        }
        for path in on_disk {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !expected.iter().any(|s| s.name == name) {
                stale.push(format!("not a seed: {target}/{name}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the corpus is stale; run `cargo run -p webauthn-harness-fuzzing --bin make-corpus`:\n{}",
        stale.join("\n")
    );
}
