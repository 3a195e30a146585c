//! `grade --jobs N`: cases run concurrently, each on a target of its own (its own cookie jars), after discovery.
//! Cases are independent and the embedded reference RP, seeded, answers each user the same whatever other users
//! do in between, so the report of a concurrent run is the sequential one, byte for byte, details and the RP's
//! messages included.

use std::process::Command;

fn grade(args: &[&str]) -> (Vec<u8>, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .arg("grade")
        .args(args)
        .output()
        .expect("run the binary");
    (out.stdout, out.status.code().unwrap_or(-1))
}

#[test]
fn a_concurrent_grade_reports_exactly_what_a_sequential_one_does() {
    let (sequential, code) = grade(&["--jobs", "1", "--format", "json", "--seed", "11"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_slice(&sequential).expect("a JSON report");
    assert!(report["cases"].as_array().is_some_and(|c| c.len() > 400));
    for jobs in ["2", "8"] {
        let (concurrent, code) = grade(&["--jobs", jobs, "--format", "json", "--seed", "11"]);
        assert_eq!(code, 0);
        assert!(concurrent == sequential, "--jobs {jobs} differs from --jobs 1");
    }
    // The text report too, with a selection of cases and a strict grading.
    let args = ["--format", "text", "--case", "auth.*", "--strict", "--seed", "3"];
    let (one, _) = grade(&[&["--jobs", "1"], &args[..]].concat());
    let (many, _) = grade(&[&["--jobs", "6"], &args[..]].concat());
    assert_eq!(String::from_utf8_lossy(&one), String::from_utf8_lossy(&many));
}

#[test]
fn jobs_must_be_between_1_and_64() {
    for bad in ["0", "65", "x"] {
        let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
            .args(["grade", "--jobs", bad])
            .output()
            .expect("run the binary");
        assert_eq!(out.status.code(), Some(2), "--jobs {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--jobs"), "--jobs {bad}");
    }
}
