//! `grade --profile FILE`: an RP profile file next to a grading profile, its errors (exit 2), the base URL from
//! the file or from --target, and what the RP fixes turning cases UNSUPPORTED with a reason.

use std::process::Command;
use std::sync::Arc;

use serde_json::Value;

fn harness(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("webauthn-harness-rp-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The conformance API written as a user's profile, with user verification fixed at "preferred".
fn uv_preferred_profile(base_url: Option<&str>) -> String {
    let base = base_url.map(|u| format!("base_url = \"{u}\"\n")).unwrap_or_default();
    format!(
        r#"[rp]
{base}origins = ["https://rp.example"]
rp_id = "rp.example"

[capabilities]
user_verification = "preferred"

[registration.begin]
path = "/attestation/options"
body = "{{request}}"
accept = {{ json = {{ "/status" = "ok" }} }}
error = "/errorMessage"

[registration.finish]
path = "/attestation/result"
body = "{{credential}}"
accept = {{ status = "any", json = {{ "/status" = "ok" }} }}
error = "/errorMessage"

[authentication.begin]
path = "/assertion/options"
body = "{{request}}"
accept = {{ json = {{ "/status" = "ok" }} }}

[authentication.finish]
path = "/assertion/result"
body = "{{credential}}"
accept = {{ status = "any", json = {{ "/status" = "ok" }} }}
error = "/errorMessage"
"#
    )
}

fn embedded() -> rp::server::Running {
    let mut config = rp::Config::new("rp.example", "https://rp.example");
    config.seed = Some(1);
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    rp::server::Running::start("127.0.0.1:0".parse().unwrap(), Arc::new(rp::ReferenceRp::new(config)))
        .unwrap()
}

#[test]
fn a_bad_profile_names_file_line_and_field_and_exits_2() {
    let path = write(
        "bad.toml",
        &uv_preferred_profile(None).replacen("error = \"/errorMessage\"", "eror = \"/errorMessage\"", 1),
    );
    let (code, _, err) = harness(&["grade", "--profile", &path, "--target", "http://127.0.0.1:9"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{path}:12: eror: unknown field `eror`")), "{err}");
    let path = write("placeholder.toml", &uv_preferred_profile(None).replacen("{request}", "{requets}", 1));
    let (code, _, err) = harness(&["grade", "--profile", &path, "--target", "http://127.0.0.1:9"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{path}:10: body: unknown placeholder {{requets}}")), "{err}");
}

#[test]
fn profile_values_are_a_grading_profile_or_a_file_at_most_one_of_each() {
    let (code, _, err) = harness(&["grade", "--profile", "/no/such/rp.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"/no/such/rp.toml\" is neither a grading profile (webauthn-l3, fido-conformance) nor a readable RP profile file"), "{err}");
    let (code, _, err) = harness(&["grade", "--profile", "webauthn-l3", "--profile", "fido-conformance"]);
    assert_eq!(code, 2, "{err}");
    let path = write("twice.toml", &uv_preferred_profile(None));
    let (code, _, err) = harness(&["grade", "--profile", &path, "--profile", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most one RP profile file"), "{err}");
    // No base URL in the file and no --target.
    let (code, _, err) = harness(&["grade", "--profile", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("names no rp.base_url"), "{err}");
    let (_, help, _) = harness(&["grade", "--help"]);
    assert!(help.contains("RP profile"), "{help}");
}

#[test]
fn a_profile_file_grades_its_rp_and_what_it_fixes_is_unsupported() {
    let server = embedded();
    // The base URL from the file, the grading profile beside it.
    let path = write("uv-preferred.toml", &uv_preferred_profile(Some(&server.url())));
    let (code, out, err) = harness(&[
        "grade",
        "--profile",
        &path,
        "--profile",
        "webauthn-l3",
        "--strict",
        "--case",
        "auth.flags.uv-*",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["profile"], "webauthn-l3+strict");
    assert_eq!(report["target"], format!("{} (RP profile {path})", server.url()));
    assert_eq!(report["origin"], "https://rp.example");
    let cases = report["cases"].as_array().unwrap();
    let of = |v: &str| -> Vec<&str> {
        cases
            .iter()
            .filter(|c| c["verdict"] == v && c["ceremony"] == "authentication")
            .map(|c| c["id"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        of("UNSUPPORTED"),
        [
            "auth.flags.uv-required.up1-uv1",
            "auth.flags.uv-required.up1-uv0",
            "auth.flags.uv-required.up0-uv1",
            "auth.flags.uv-required.up0-uv0"
        ]
    );
    for c in cases.iter().filter(|c| c["verdict"] == "UNSUPPORTED" && c["ceremony"] == "authentication") {
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .contains("fixes it at \"preferred\" (capabilities.user_verification)"),
            "{c}"
        );
    }
    // Every other case of the selection passes, as through the conformance API.
    let auth = cases.iter().filter(|c| c["ceremony"] == "authentication").count();
    assert_eq!(of("PASS").len(), auth - 4, "{out}");
    assert!(auth > 12);
    // --target overrides the file's base URL.
    let (code, _, err) = harness(&[
        "grade",
        "--profile",
        &path,
        "--target",
        "http://127.0.0.1:9",
        "--timeout",
        "1",
        "--case",
        "auth.flags.uv-required.up1-uv1",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("http://127.0.0.1:9 is unreachable"), "{err}");
}

#[test]
fn probe_succeeds_on_the_embedded_rp_and_exits_1_with_a_diagnosis_for_a_wrong_profile() {
    // No profile, no target: the built-in conformance profile and the embedded reference RP.
    let (code, out, err) = harness(&["probe", "--username", "alice"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("── registration.begin ──\n> POST http://127.0.0.1:"), "{out}");
    assert!(out.contains("> {\"username\":\"alice\",\"displayName\":\"alice\""), "{out}");
    assert!(out.ends_with("probe: registration and sign-in both succeeded through the profile\n"), "{out}");

    let server = embedded();
    let good = write("probe-good.toml", &uv_preferred_profile(Some(&server.url())));
    let (code, out, err) = harness(&["probe", "--profile", &good]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("the client reports origin https://rp.example, RP ID rp.example"), "{out}");

    // A wrong options pointer: exit 1, the field named, what the reply held, where the options are.
    let wrong = uv_preferred_profile(Some(&server.url())).replacen(
        "error = \"/errorMessage\"",
        "error = \"/errorMessage\"\noptions = \"/publicKey\"",
        1,
    );
    let path = write("probe-options.toml", &wrong);
    let (code, out, err) = harness(&["probe", "--profile", &path]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("✗ registration.begin went wrong:\n  - registration.begin.options = \"/publicKey\" found nothing in the reply {\"rp\":"),
        "{out}"
    );
    assert!(out.contains("  - the options look to be at \"\": options = \"\"?"), "{out}");

    // A wrong accept status on the finish.
    let wrong = uv_preferred_profile(Some(&server.url())).replacen(
        "accept = { status = \"any\", json = { \"/status\" = \"ok\" } }",
        "accept = { status = [201] }",
        1,
    );
    let path = write("probe-status.toml", &wrong);
    let (code, out, err) = harness(&["probe", "--profile", &path]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("✓ registration accepted"), "{out}");
    assert!(
        out.contains("✗ registration.finish went wrong:\n  - HTTP 200 came back, and registration.finish.accept.status allows [201]; the reply: {"),
        "{out}"
    );

    // A capture that matches nothing, in a prelude.
    let wrong = uv_preferred_profile(Some(&server.url())).replacen(
        "[capabilities]",
        "[[session.prelude]]\nmethod = \"POST\"\npath = \"/assertion/options\"\nbody = {}\ncapture = [{ name = \"t\", header = \"x-token\" }]\n\n[capabilities]",
        1,
    );
    let path = write("probe-capture.toml", &wrong);
    let (code, out, err) = harness(&["probe", "--profile", &path]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("✗ session.prelude[0] went wrong:\n  - HTTP 400 came back"), "{out}");
    assert!(
        out.contains("  - session.prelude[0].capture \"t\" (header = \"x-token\") matched nothing, so {var.t} stays empty; the reply's headers are [content-type, "),
        "{out}"
    );

    // Nothing listening: exit 1, no reply.
    let path = write("probe-down.toml", &uv_preferred_profile(Some("http://127.0.0.1:9")));
    let (code, out, _) = harness(&["probe", "--profile", &path]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ registration.begin went wrong:\n  - no reply: "), "{out}");

    // A bad profile or usage: exit 2.
    let path = write(
        "probe-bad.toml",
        &uv_preferred_profile(None).replacen("options", "optoins", 0).replacen("path =", "pth =", 1),
    );
    let (code, _, err) = harness(&["probe", "--profile", &path, "--target", &server.url()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{path}:9: pth: unknown field `pth`")), "{err}");
    let path = write("probe-nobase.toml", &uv_preferred_profile(None));
    let (code, _, err) = harness(&["probe", "--profile", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("names no rp.base_url"), "{err}");
    let (_, help, _) = harness(&["probe", "--help"]);
    assert!(help.contains("diagnosis"), "{help}");
}
