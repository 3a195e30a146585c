//! Writes the seed corpus: `corpus/<target>/<name>` for every seed of `fuzzing::corpus::generate`, and removes
//! any other file in those directories, so the corpus is exactly what the generator, the §16 vectors and
//! RFC 8949 Appendix A give. `--check` compares instead of writing (exit 1 on a difference).
//!
//! ```sh
//! cargo run -p webauthn-harness-fuzzing --bin make-corpus [-- --check] [-- --dir PATH]
//! ```
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--dir" => match args.next() {
                Some(d) => dir = PathBuf::from(d),
                None => return usage("--dir needs a path"),
            },
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    match run(&dir, check) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(differences) => {
            eprintln!("{differences} corpus file(s) differ from the generator; run make-corpus to refresh");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("make-corpus: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("make-corpus: {why}\nusage: make-corpus [--check] [--dir PATH]");
    ExitCode::from(2)
}

/// Writes (or with `check`, compares) the corpus under `dir`; returns the number of differing files.
fn run(dir: &Path, check: bool) -> std::io::Result<usize> {
    let mut by_target: BTreeMap<&str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for seed in fuzzing::corpus::generate() {
        by_target.entry(seed.target).or_default().insert(seed.name, seed.bytes);
    }
    let mut differences = 0;
    for (target, seeds) in &by_target {
        let target_dir = dir.join(target);
        if !check {
            std::fs::create_dir_all(&target_dir)?;
        }
        // Files that are not seeds any more.
        if let Ok(entries) = std::fs::read_dir(&target_dir) {
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !seeds.contains_key(&name) {
                    differences += 1;
                    if check {
                        eprintln!("extra: {target}/{name}");
                    } else {
                        std::fs::remove_file(entry.path())?;
                    }
                }
            }
        }
        for (name, bytes) in seeds {
            let path = target_dir.join(name);
            if std::fs::read(&path).ok().as_deref() == Some(bytes.as_slice()) {
                continue;
            }
            differences += 1;
            if check {
                eprintln!("differs or missing: {target}/{name}");
            } else {
                std::fs::write(&path, bytes)?;
            }
        }
        println!("{target}: {} files, {} bytes", seeds.len(), seeds.values().map(Vec::len).sum::<usize>());
    }
    Ok(if check { differences } else { 0 })
}
