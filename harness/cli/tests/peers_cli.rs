//! `peers` and `bench --peers` against a stand-in target folder whose server is this harness's own `serve`
//! (so the test needs no registry): install, start on a free port, grade or bench, stop.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_webauthn-harness");

/// targets/<name>/ with a start.sh that serves the reference RP, and an install.sh that `fails` or not.
fn stand_in(root: &Path, name: &str, install_fails: bool) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("target.toml"),
        format!(
            "name = \"{name}\"\nlibrary = \"stand-in\"\nregistry = \"none\"\nversion = \"1.0\"\nlanguage = \"Rust\"\ndocs = \"https://example.org\"\n"
        ),
    )
    .unwrap();
    let install = if install_fails { "echo 'no registry here' >&2\nexit 1\n" } else { "exit 0\n" };
    std::fs::write(dir.join("install.sh"), format!("#!/usr/bin/env bash\n{install}")).unwrap();
    std::fs::write(
        dir.join("start.sh"),
        format!("#!/usr/bin/env bash\nexec {BIN} serve --listen 127.0.0.1:$1\n"),
    )
    .unwrap();
    std::fs::write(dir.join("expectations.toml"), "").unwrap();
    dir
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("peers-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn peers_grades_a_target_folder_and_writes_its_report_and_the_matrix() {
    let root = temp("grade");
    stand_in(&root.join("targets"), "stand-in", false);
    let out = root.join("out");
    let o = Command::new(BIN)
        .args(["peers", "--reference", "false", "--targets"])
        .arg(root.join("targets"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stand-in/report.json")).unwrap()).unwrap();
    assert_eq!(report["target"], "stand-in 1.0 (none, Rust)");
    // The published form carries no RP messages.
    assert!(report["cases"].as_array().unwrap().iter().all(|c| c["detail"] == ""));
    let matrix = std::fs::read_to_string(out.join("README.md")).unwrap();
    let row = format!(
        "| stand-in | [stand-in 1.0 (none, Rust)](https://example.org) | 1 | {} |",
        generator::catalog::all().len()
    );
    assert!(matrix.contains(&row), "{matrix}");
    assert!(std::fs::read_to_string(out.join("matrix.html"))
        .unwrap()
        .contains("<th title=\"stand-in 1.0 (none, Rust)\">stand-in</th>"));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_target_that_cannot_be_installed_stops_with_its_log() {
    let root = temp("broken");
    stand_in(&root.join("targets"), "broken", true);
    let o = Command::new(BIN)
        .args(["peers", "--reference", "false", "--targets"])
        .arg(root.join("targets"))
        .arg("--out")
        .arg(root.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("broken: install.sh failed") && stderr.contains("no registry here"), "{stderr}");
    let o = Command::new(BIN)
        .args(["peers", "--only", "nothing", "--targets"])
        .arg(root.join("targets"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn bench_starts_benches_and_stops_peer_targets() {
    let root = temp("bench");
    stand_in(&root.join("targets"), "stand-in", false);
    let o = Command::new(BIN)
        .args([
            "bench",
            "--ceremonies",
            "20",
            "--rounds",
            "2",
            "--warmup",
            "0",
            "--format",
            "json",
            "--peers",
        ])
        .arg(root.join("targets"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let targets = report["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1, "only the peer: no --with-reference");
    assert_eq!(targets[0]["label"], "stand-in 1.0");
    assert_eq!(targets[0]["ceremonies"], 20);
    assert_eq!(targets[0]["errors"], 0);
    let _ = std::fs::remove_dir_all(&root);
}

/// A target whose target.toml names an RP profile is graded through it (`grade --profile`): here the reference
/// RP's conformance API described as a profile that fixes userVerification at "preferred", so the cases that ask
/// for "required" come out UNSUPPORTED, which they never are through the plain conformance API. `bench --peers`
/// leaves such a target out (it speaks the conformance API only).
#[test]
fn a_target_that_names_an_rp_profile_is_graded_through_it() {
    let root = temp("profile");
    let dir = stand_in(&root.join("targets"), "own-api", false);
    let mut manifest = std::fs::read_to_string(dir.join("target.toml")).unwrap();
    manifest.push_str("rp_profile = \"profile.toml\"\n");
    std::fs::write(dir.join("target.toml"), manifest).unwrap();
    let conformance = grader::profile::CONFORMANCE_API;
    let profile =
        conformance.replacen("[capabilities]\n", "[capabilities]\nuser_verification = \"preferred\"\n", 1);
    assert_ne!(profile, conformance);
    std::fs::write(dir.join("profile.toml"), profile).unwrap();
    let expectations = "[[case]]\nid = \"*\"\nverdict = \"UNSUPPORTED\"\nreason = \"x\"\n";
    std::fs::write(dir.join("expectations.toml"), expectations).unwrap();
    let out = root.join("out");
    let o = Command::new(BIN)
        .args(["peers", "--reference", "false", "--targets"])
        .arg(root.join("targets"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("own-api/report.json")).unwrap()).unwrap();
    let verdict = |id: &str| {
        report["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["verdict"].clone())
    };
    assert_eq!(verdict("reg.flags.uv-required.up1-uv0"), Some(Value::from("UNSUPPORTED")));
    assert_eq!(verdict("auth.flags.uv-required.up1-uv0"), Some(Value::from("UNSUPPORTED")));
    assert_eq!(verdict("reg.valid.es256.none"), Some(Value::from("PASS")));

    let o = Command::new(BIN)
        .args(["bench", "--ceremonies", "4", "--rounds", "1", "--warmup", "0", "--format", "json", "--peers"])
        .arg(root.join("targets"))
        .output()
        .unwrap();
    // bench reaches it through its profile too.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let bench: Value = serde_json::from_slice(&o.stdout).expect("a JSON bench report");
    let targets = bench["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!((targets[0]["ceremonies"].as_u64(), targets[0]["errors"].as_u64()), (Some(4), Some(0)));
    let _ = std::fs::remove_dir_all(&root);
}
