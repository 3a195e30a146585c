//! The main job on a fresh machine: `grade` with no target grades the embedded reference RP. Every case must
//! be PASS or INFO, and the report must match the reviewed snapshots in reports/reference/ (a change to the
//! catalogue, a verdict or a message shows up as a snapshot diff to review: `cargo insta review`). `grade` speaks
//! the conformance API through its built-in RP profile (`grader::profile::CONFORMANCE_API`), so this also holds
//! that profile to the committed report.

use std::process::Command;

use serde_json::Value;

fn grade(format: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["grade", "--seed", "1", "--format", format])
        .env("NO_COLOR", "1")
        .output()
        .expect("run the binary");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).expect("UTF-8 report"))
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reports/reference"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn is_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[test]
fn the_embedded_reference_rp_passes_and_its_report_is_reviewed() {
    let (code, json) = grade("json");
    assert_eq!(code, 0, "grade exited {code}");
    let report: Value = serde_json::from_str(&json).expect("JSON report");
    assert_eq!(report["schema"], "webauthn-harness/report/v1");
    let cases = report["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), generator::catalog::all().len());
    for c in cases {
        assert!(
            c["verdict"] == "PASS" || c["verdict"] == "INFO",
            "{} is {}: {}",
            c["id"],
            c["verdict"],
            c["detail"]
        );
    }
    settings().bind(|| {
        insta::assert_json_snapshot!("report", report, {
            ".harness_version" => insta::dynamic_redaction(|value, _path| {
                assert!(is_version(value.as_str().unwrap_or_default()), "harness_version {value:?} is not x.y.z");
                "[version]"
            }),
        });
    });

    let (code, markdown) = grade("markdown");
    assert_eq!(code, 0);
    let version_line = format!("- harness version: {}", env!("CARGO_PKG_VERSION"));
    assert!(markdown.contains(&version_line), "the Markdown report names the harness version");
    let markdown = markdown.replace(&version_line, "- harness version: [version]");
    settings().bind(|| insta::assert_snapshot!("report-markdown", markdown));
}
