//! Runs fuzz inputs (seeds, saved findings, libFuzzer's corpus files) through one peer target and prints what
//! each side said: `cargo run --example explain -- TARGET FILE...` (TARGET as in `peerdiff::TARGETS`).

use peerdiff::Outcome;

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_default();
    let Some((_, peer, ceremony, _)) = peerdiff::TARGETS.iter().find(|t| t.0 == target) else {
        let names: Vec<&str> = peerdiff::TARGETS.iter().map(|t| t.0).collect();
        eprintln!("usage: explain TARGET FILE...   (targets: {})", names.join(", "));
        std::process::exit(2);
    };
    for path in args {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match peerdiff::replay(*peer, *ceremony, &bytes).map(|r| r.outcome) {
            None => println!("{path}: too short for a description"),
            Some(Outcome::Agree) => println!("{path}: agree"),
            Some(Outcome::Unsupported(why)) => println!("{path}: unsupported: {why}"),
            Some(Outcome::Disagree(d)) => println!(
                "{path}: {} {} {}\n    reference: {}\n    peer: {}\n    peer on the baseline: {}",
                d.direction.name(),
                d.check,
                d.basis().unwrap_or_default(),
                d.reference,
                d.peer,
                d.peer_baseline
            ),
        }
    }
}
