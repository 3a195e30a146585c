//! Prints the medians of the last `cargo bench` run as a Markdown table, with each one's ratio to the
//! fastest floor (`signature_<alg>/*`) and to this project's verifier under AWS-LC (`assertion_<alg>/verifier-aws-lc-rs`).
//!
//! Reads `target/criterion/<group>/<function>/new/{benchmark,estimates}.json`.
//! Usage: `cargo run --release --bin table [CRITERION_DIR]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// (algorithm, kind: "signature"/"assertion", name) → median in nanoseconds.
type Medians = BTreeMap<(String, String, String), f64>;

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn medians(root: &Path) -> Medians {
    let mut out = Medians::new();
    let groups = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo bench` first)", root.display()));
    for group in groups.flatten() {
        let Ok(functions) = std::fs::read_dir(group.path()) else { continue };
        for function in functions.flatten() {
            let new = function.path().join("new");
            if !new.join("estimates.json").is_file() {
                continue;
            }
            let id = read(&new.join("benchmark.json"));
            let (Some(group_id), Some(function_id)) = (id["group_id"].as_str(), id["function_id"].as_str())
            else {
                continue;
            };
            let Some((kind, alg)) = group_id.split_once('_') else { continue };
            let median =
                read(&new.join("estimates.json"))["median"]["point_estimate"].as_f64().expect("a median");
            out.insert((alg.to_owned(), kind.to_owned(), function_id.to_owned()), median);
        }
    }
    out
}

fn main() {
    let root = std::env::args_os().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
        target.join("criterion")
    });
    let all = medians(&root);
    let algs: Vec<&String> = {
        let mut v: Vec<&String> = all.keys().map(|(a, _, _)| a).collect();
        v.dedup();
        v
    };
    println!("| benchmark | median (µs) | × fastest floor | × verifier-aws-lc-rs |");
    println!("|---|---:|---:|---:|");
    for alg in algs {
        let of = |kind: &str| {
            let mut rows: Vec<(&str, f64)> = all
                .iter()
                .filter(|((a, k, _), _)| a == alg && k == kind)
                .map(|((_, _, n), m)| (n.as_str(), *m))
                .collect();
            rows.sort_by(|x, y| x.1.total_cmp(&y.1));
            rows
        };
        let (floors, assertions) = (of("signature"), of("assertion"));
        let floor = floors.first().map(|f| f.1);
        let ours = all.get(&(alg.clone(), "assertion".into(), "verifier-aws-lc-rs".into())).copied();
        let ratio = |m: f64, base: Option<f64>| base.map_or("–".to_owned(), |b| format!("{:.2}", m / b));
        for (kind, rows) in [("signature", &floors), ("assertion", &assertions)] {
            for (name, m) in rows {
                println!(
                    "| `{kind}_{alg}/{name}` | {:.2} | {} | {} |",
                    m / 1000.0,
                    ratio(*m, floor),
                    ratio(*m, ours)
                );
            }
        }
    }
}
