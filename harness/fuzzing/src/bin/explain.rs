//! Shows what a fuzz input is and runs it through its target's entry point, for reading a crash:
//! for `registration` and `authentication`, the description `arbitrary` reads from it, the expected verdict
//! of its baseline, and the response the verifier gets after the mutations.
//!
//! ```sh
//! cargo run -p webauthn-harness-fuzzing --bin explain -- TARGET FILE
//! ```
#![forbid(unsafe_code)]

use std::process::ExitCode;

use arbitrary::{Arbitrary, Unstructured};
use fuzzing::ceremony::{AuthenticationCase, RegistrationCase};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, file] = args.as_slice() else {
        eprintln!("usage: explain TARGET FILE");
        return ExitCode::from(2);
    };
    let Some(&(_, entry)) = fuzzing::TARGETS.iter().find(|(name, _)| name == target) else {
        eprintln!("explain: unknown target {target:?}");
        return ExitCode::from(2);
    };
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("explain: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    match target.as_str() {
        "registration" => match RegistrationCase::arbitrary_take_rest(Unstructured::new(&data)) {
            Ok(case) => {
                let built = case.build();
                println!("description: {case:#?}\nexpected without mutations: {:?}", built.expected);
                println!("response: {}", String::from_utf8_lossy(&case.mutated(&built)));
            }
            Err(e) => println!("not a description ({e}): ignored by the target"),
        },
        "authentication" => match AuthenticationCase::arbitrary_take_rest(Unstructured::new(&data)) {
            Ok(case) => {
                let built = case.build();
                println!("description: {case:#?}\nexpected without mutations: {:?}", built.expected);
                println!("response: {}", String::from_utf8_lossy(&case.mutated(&built)));
            }
            Err(e) => println!("not a description ({e}): ignored by the target"),
        },
        _ => println!("{} bytes: {}", data.len(), String::from_utf8_lossy(&data).escape_debug()),
    }
    entry(&data);
    println!("no invariant broken");
    ExitCode::SUCCESS
}
