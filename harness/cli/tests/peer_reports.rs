//! The published reports of the peer implementations under targets/ (issue: grade real RP libraries).
//!
//! Ignored by default: it installs every target from the registries and runs it. `bash targets/grade-all`
//! runs it and rewrites the reports; `bash targets/grade-all --check` (as `.ci/run` does) fails on any
//! difference. Each implementation's report is kept as insta snapshots in reports/<name>/ (`report.snap`, the
//! JSON; `report-markdown.snap`, with a note for every known result), so a change in a library or in the harness
//! shows up as a snapshot diff to review; reports/README.md and reports/matrix.html are the matrix of them all.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn settings(name: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("reports").join(name));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// Compares a generated file with the committed one, or writes it when updating.
fn check_file(committed: &Path, fresh: &str, problems: &mut Vec<String>) {
    if std::env::var_os("WEBAUTHN_HARNESS_UPDATE_REPORTS").is_some() {
        std::fs::write(committed, fresh).expect("write the report");
        return;
    }
    let old = std::fs::read_to_string(committed).unwrap_or_default();
    if old != fresh {
        problems.push(format!(
            "{} differs from a fresh run ({} vs {} bytes): run `bash targets/grade-all` and review `git diff reports/`",
            committed.display(),
            old.len(),
            fresh.len()
        ));
    }
}

#[test]
#[ignore = "installs and runs every peer implementation (needs the registries): bash targets/grade-all"]
fn peer_reports_are_as_committed() {
    let out = std::env::temp_dir().join(format!("webauthn-harness-peers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"));
    cmd.arg("peers")
        .arg("--targets")
        .arg(root().join("targets"))
        .arg("--out")
        .arg(&out)
        .args(["--seed", "1"]);
    if std::env::var_os("WEBAUTHN_HARNESS_SKIP_INSTALL").is_some() {
        cmd.arg("--skip-install");
    }
    let status = cmd.status().expect("run webauthn-harness peers");
    assert_eq!(
        status.code(),
        Some(0),
        "webauthn-harness peers failed (its messages are above; logs in {})",
        out.join("logs").display()
    );

    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the output folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("report.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "only {} implementations graded: {names:?}", names.len());
    for name in &names {
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(name).join("report.json")).expect("read"))
                .expect("a JSON report");
        let markdown = std::fs::read_to_string(out.join(name).join("report.md")).expect("read");
        settings(name).bind(|| {
            insta::assert_json_snapshot!("report", json, { ".harness_version" => "[version]" });
            insta::assert_snapshot!(
                "report-markdown",
                markdown.replace(
                    &format!("- harness version: {}", env!("CARGO_PKG_VERSION")),
                    "- harness version: [version]"
                )
            );
        });
    }
    let mut problems = Vec::new();
    for file in ["README.md", "matrix.html"] {
        let fresh = std::fs::read_to_string(out.join(file)).expect("the matrix");
        check_file(&root().join("reports").join(file), &fresh, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(&out);
}
