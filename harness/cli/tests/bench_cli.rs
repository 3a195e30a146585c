//! `webauthn-harness bench`: the embedded reference RP under each provider, a target that refuses, usage errors.

use std::process::Command;

use serde_json::Value;

fn bench(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .arg("bench")
        .args(args)
        .output()
        .expect("run the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_embedded_rp_is_benched_under_every_provider() {
    let dir = std::env::temp_dir().join(format!("bench-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("chart.svg");
    let (code, stdout, stderr) = bench(&[
        "--ceremonies",
        "40",
        "--rounds",
        "2",
        "--concurrency",
        "2",
        "--warmup",
        "4",
        "--format",
        "json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(report["schema"], "webauthn-harness/bench/v1");
    let targets = report["targets"].as_array().expect("targets");
    let labels: Vec<&str> = targets.iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"reference RP (rustcrypto)"), "{labels:?}");
    assert_eq!(labels.contains(&"reference RP (aws-lc-rs)"), cfg!(feature = "aws-lc-rs"), "{labels:?}");
    for t in targets {
        assert_eq!(t["ceremonies"], 40, "{t}");
        assert_eq!(t["errors"], 0, "{t}");
        assert!(t["throughput"].as_f64().unwrap() > 0.0, "{t}");
        let l = &t["latency_us"];
        assert!(l["p50"].as_f64().unwrap() <= l["p90"].as_f64().unwrap(), "{t}");
        assert!(l["p90"].as_f64().unwrap() <= l["p99"].as_f64().unwrap(), "{t}");
        // The RP's part of a ceremony is part of the whole.
        assert!(t["rp_time_us"]["p50"].as_f64().unwrap() <= l["p99"].as_f64().unwrap(), "{t}");
        assert!(t["driver_cpu_us"].as_f64().is_some_and(|c| c > 0.0), "{t}");
    }
    let chart = std::fs::read_to_string(&svg).expect("the chart");
    assert!(chart.starts_with("<svg") && chart.contains("reference RP (rustcrypto)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_target_that_refuses_the_registration_is_a_setup_error() {
    // Serve expects origin http://localhost:PORT; the bench reports the URL's own origin (127.0.0.1), so the
    // registration is refused before anything is measured.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (code, _, stderr) =
        bench(&["--target", &url, "--ceremonies", "10", "--rounds", "1", "--warmup", "0"]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("the registration was refused") && stderr.contains("reg.client-data.origin"),
        "{stderr}"
    );
}

#[test]
fn impossible_splits_are_usage_errors() {
    let (code, _, stderr) = bench(&["--ceremonies", "3", "--rounds", "2", "--concurrency", "2"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--ceremonies (3) must be at least --rounds x --concurrency"), "{stderr}");
    let (code, _, stderr) = bench(&["--target", "ftp://x", "--ceremonies", "10"]);
    assert_eq!(code, 2, "{stderr}");
}

/// One RP benched through the conformance API (`--target`) and through an RP profile of the same API
/// (`--profile`) in one run: both complete every ceremony, and each reports the harness's own CPU per ceremony
/// (what the profile's translation costs is the difference, measured, not asserted).
#[test]
fn an_rp_profile_is_benched_beside_the_conformance_api() {
    use std::sync::Arc;
    let rp = rp::ReferenceRp::new(testkit::rp_config(testkit::RP_ID, testkit::ORIGIN, 3));
    let server = rp::server::Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(rp)).expect("a server");
    let dir = std::env::temp_dir().join(format!("bench-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("conformance.toml");
    let built_in = include_str!("../../grader/src/profiles/conformance-api.toml");
    let text = built_in.replacen("[rp]\n", &format!("[rp]\nbase_url = \"{}\"\n", server.url()), 1);
    std::fs::write(&profile, text).unwrap();
    let url = server.url();
    let (code, stdout, stderr) = bench(&[
        "--target",
        &url,
        "--label",
        "conformance API",
        "--profile",
        profile.to_str().unwrap(),
        "--origin",
        testkit::ORIGIN,
        "--rp-id",
        testkit::RP_ID,
        "--ceremonies",
        "40",
        "--rounds",
        "2",
        "--concurrency",
        "2",
        "--warmup",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 2, "{targets:?}");
    assert!(
        targets.iter().any(|t| t["label"].as_str().is_some_and(|l| l.contains("(RP profile"))),
        "{targets:?}"
    );
    for t in targets {
        assert_eq!(t["ceremonies"], 40, "{t}");
        assert_eq!(t["errors"], 0, "{t}");
        assert!(t["driver_cpu_us"].as_f64().is_some_and(|c| c > 0.0), "{t}");
    }
    let (code, _, stderr) = bench(&["--profile", dir.join("missing.toml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.toml"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
