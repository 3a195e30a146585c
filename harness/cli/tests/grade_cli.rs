//! `webauthn-harness grade`: exit codes, expectations, transcripts and the JUnit and HTML renderings, against the
//! embedded reference RP (a few cases each, to stay quick).

use std::process::Command;

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

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("webauthn-harness-grade-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_filter_matching_nothing_is_a_usage_error() {
    let (code, _, err) = harness(&["grade", "--case", "no.such.case"]);
    assert_eq!(code, 2);
    assert!(err.contains("matches no case"), "{err}");
}

#[test]
fn an_unreachable_target_exits_3() {
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, _, err) =
        harness(&["grade", "--target", &format!("http://127.0.0.1:{port}"), "--timeout", "2"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn a_bad_target_url_is_a_usage_error() {
    let (code, _, err) = harness(&["grade", "--target", "localhost:8080"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn expectations_skip_cases_and_stale_entries_fail_the_run() {
    let dir = tempdir("expect");
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        "[[case]]\nid = \"auth.counter.rollback\"\nverdict = \"SKIPPED\"\nreason = \"counters are not stored by this RP\"\n",
    )
    .unwrap();
    let (code, out, err) = harness(&[
        "grade",
        "--case",
        "auth.counter.",
        "--expect",
        good.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let rollback =
        report["cases"].as_array().unwrap().iter().find(|c| c["id"] == "auth.counter.rollback").unwrap();
    assert_eq!(rollback["verdict"], "SKIPPED");
    assert!(rollback["detail"].as_str().unwrap().contains("counters are not stored"));
    assert_eq!(report["summary"]["SKIPPED"], 1);

    // The reference RP passes the counter cases, so an entry expecting a WARN is stale.
    let stale = dir.join("stale.toml");
    std::fs::write(&stale, "[[case]]\nid = \"auth.counter.equal\"\nverdict = \"WARN\"\nreason = \"known\"\n")
        .unwrap();
    let (code, out, _) = harness(&["grade", "--case", "auth.counter.", "--expect", stale.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("Stale expectation: auth.counter.equal (expected WARN): auth.counter.equal is PASS"),
        "{out}"
    );

    // An entry without a reason is refused before anything runs.
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[case]]\nid = \"auth.counter.equal\"\nverdict = \"WARN\"\nreason = \"\"\n")
        .unwrap();
    let (code, _, err) = harness(&["grade", "--expect", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("a reason is required"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn transcripts_hold_every_exchange_of_a_case() {
    let dir = tempdir("transcripts");
    let (code, _, err) =
        harness(&["grade", "--case", "auth.stateful.replay", "--transcripts", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let t: Value =
        serde_json::from_slice(&std::fs::read(dir.join("auth.stateful.replay.json")).unwrap()).unwrap();
    let exchanges = t["exchanges"].as_array().unwrap();
    let endpoints: Vec<&str> = exchanges.iter().map(|e| e["endpoint"].as_str().unwrap()).collect();
    assert_eq!(
        endpoints,
        [
            "/attestation/options",
            "/attestation/result",
            "/assertion/options",
            "/assertion/result",
            "/assertion/result"
        ]
    );
    // The replayed request is byte-identical to the first, and was refused.
    assert_eq!(exchanges[3]["request"], exchanges[4]["request"]);
    assert_eq!(exchanges[3]["reply"]["body"]["status"], "ok");
    assert_eq!(exchanges[4]["reply"]["body"]["status"], "failed");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn junit_is_well_formed_and_counts_every_case() {
    let (code, out, _) = harness(&["grade", "--case", "reg.client-data.origin.", "--format", "junit"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    let cases = out.matches("<testcase ").count();
    assert_eq!(out.matches("</testcase>").count(), cases);
    assert!(out.contains(&format!("tests=\"{cases}\" failures=\"0\" errors=\"0\"")), "{out}");
    assert!(out.trim_end().ends_with("</testsuites>"));
    // Every attribute value is quoted and escaped: no raw '<' or '&' inside tags.
    for tag in out.split('<').skip(1) {
        let inside = tag.split('>').next().unwrap_or_default();
        assert!(
            !inside.contains('&')
                || inside.contains("&amp;")
                || inside.contains("&quot;")
                || inside.contains("&lt;"),
            "{inside}"
        );
    }
}

fn case<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn origin_cases_are_graded_against_the_declared_origins() {
    // The embedded RP accepts only https://rp.example and https://login.rp.example (declared whenever it is
    // graded); declaring their subdomains makes the subdomain cases INFO (either answer conforms), and nothing
    // else.
    let (code, out, err) = harness(&[
        "grade",
        "--case",
        "reg.client-data.origin.",
        "--case",
        "auth.client-data.origin.",
        "--origin-policy",
        "subdomains",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["profile"], "webauthn-l3");
    assert_eq!(report["origins"], serde_json::json!(["https://rp.example", "https://login.rp.example"]));
    assert_eq!(report["origin_policy"], "subdomains");
    // The valid ceremonies from the declared subdomain origin ran, and the embedded RP took them.
    for ceremony in ["reg", "auth"] {
        assert_eq!(
            case(&report, &format!("{ceremony}.client-data.origin.declared-subdomain"))["verdict"],
            "PASS"
        );
    }
    for ceremony in ["reg", "auth"] {
        let sub = case(&report, &format!("{ceremony}.client-data.origin.subdomain"));
        assert_eq!(sub["verdict"], "INFO", "{sub}");
        assert_eq!(sub["origin_declared"], true);
        let detail = sub["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("origin https://evil.rp.example is within the declared origins: rejected"),
            "{detail}"
        );
        let lookalike = case(&report, &format!("{ceremony}.client-data.origin.suffix-lookalike"));
        assert_eq!(lookalike["verdict"], "PASS", "{lookalike}");
        assert_eq!(lookalike.get("origin_declared"), None);
        assert_eq!(case(&report, &format!("{ceremony}.client-data.origin.other-port"))["verdict"], "PASS");
    }
    let info = report["cases"].as_array().unwrap().iter().filter(|c| c["verdict"] == "INFO").count();
    assert_eq!(info, 2);

    // By default (exact), the same cases are rejections the RP owes, and it makes them.
    let (code, out, _) =
        harness(&["grade", "--case", "reg.client-data.origin.subdomain", "--format", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["origin_policy"], "exact");
    assert_eq!(case(&report, "reg.client-data.origin.subdomain")["verdict"], "PASS");

    // Another declared origin, byte for byte.
    let (code, out, err) = harness(&[
        "grade",
        "--case",
        "reg.client-data.origin.other-site",
        "--origin",
        "https://rp.example",
        "--origin",
        "https://evil.example.com",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["origins"],
        serde_json::json!(["https://rp.example", "https://evil.example.com", "https://login.rp.example"])
    );
    assert_eq!(case(&report, "reg.client-data.origin.other-site")["verdict"], "INFO");
}

#[test]
fn declared_origins_are_checked_before_anything_runs() {
    // The embedded RP's origin is fixed: the client cannot report another.
    let (code, _, err) = harness(&["grade", "--origin", "https://other.example"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the first --origin must be it"), "{err}");
    let (code, _, err) =
        harness(&["grade", "--origin", "https://rp.example", "--origin", "rp.example/login"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"rp.example/login\" is not an origin"), "{err}");
    let (code, _, err) = harness(&["grade", "--origin-policy", "prefix"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_report_names_its_grading() {
    let (code, out, err) = harness(&[
        "grade",
        "--case",
        "auth.counter.rollback",
        "--profile",
        "fido-conformance",
        "--strict",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["profile"], "fido-conformance+strict");
    let (_, out, _) = harness(&["grade", "--case", "auth.counter.rollback", "--strict", "--format", "junit"]);
    assert!(out.contains("<property name=\"profile\" value=\"webauthn-l3+strict\"/>"), "{out}");
    let (_, out, _) = harness(&["grade", "--case", "auth.counter.rollback", "--format", "markdown"]);
    assert!(out.contains("- profile: `webauthn-l3` (a MUST of the relying party's own procedure"), "{out}");
    let (_, out, _) = harness(&["grade", "--case", "auth.counter.rollback", "--profile", "fido-conformance"]);
    assert!(out.contains("\nProfile fido-conformance: a case with a FIDO conformance test FAILs"), "{out}");
    assert!(
        out.contains("\nDeclared origins (exact): https://rp.example, https://login.rp.example\n"),
        "{out}"
    );
    let (code, _, err) = harness(&["grade", "--profile", "webauthn-l2"]);
    assert_eq!(code, 2, "{err}");
    // The help says what FAILs under each profile.
    let (_, help, _) = harness(&["grade", "--help"]);
    for words in ["webauthn-l3", "fido-conformance", "--strict", "--origin-policy", "subdomains"] {
        assert!(help.contains(words), "{words}: {help}");
    }
}

#[test]
fn html_goes_to_the_output_file_with_a_card_per_case() {
    let dir = tempdir("html");
    let page = dir.join("report.html");
    let (code, out, _) = harness(&[
        "grade",
        "--case",
        "reg.client-data.origin.",
        "--format",
        "html",
        "--output",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "the page went to the file, not to standard output: {out}");
    let html = std::fs::read_to_string(&page).unwrap();
    let (_, json, _) = harness(&["grade", "--case", "reg.client-data.origin.", "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let cases = report["cases"].as_array().unwrap();
    assert!(cases.len() > 3);
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<details class=\"case ").count(), cases.len());
    for c in cases {
        let id = c["id"].as_str().unwrap();
        assert_eq!(html.matches(&format!("data-id=\"{id}\"")).count(), 1, "{id}");
        // The embedded RP: the reproduce line has no --target.
        assert!(html.contains(&format!("webauthn-harness grade --case {id} --seed 1</code>")), "{id}");
    }
    let passes = report["summary"]["PASS"].as_u64().unwrap();
    assert!(html.contains(&format!("<td class=\"total\" data-verdict=\"PASS\">{passes}</td>")));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_closed_pipe_ends_the_listing_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        // About 250 KB: more than a pipe holds, so the writer meets the closed pipe.
        .args(["cases", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    let mut first = [0u8; 16];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("some output");
    // The reader is gone (as `| head` leaves it): the rest of the listing hits EPIPE.
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn declaring_attestation_required_fails_the_embedded_rp_that_accepts_none_and_self_attestation() {
    // The embedded RP accepts none and self attestation whatever its options asked for: its policy's choice,
    // INFO; declared required, the two cases FAIL and the report says what was declared.
    let (code, out, err) = harness(&["grade", "--case", "reg.attestation.required.", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report.get("attestation_required"), None);
    for id in ["reg.attestation.required.none", "reg.attestation.required.self"] {
        assert_eq!(case(&report, id)["verdict"], "INFO", "{id}");
    }
    let (code, out, _) = harness(&[
        "grade",
        "--case",
        "reg.attestation.required.",
        "--require-attestation",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["attestation_required"], true);
    for id in ["reg.attestation.required.none", "reg.attestation.required.self"] {
        let c = case(&report, id);
        assert_eq!(
            (&c["verdict"], &c["expect"], &c["level"]),
            (&"FAIL".into(), &"reject".into(), &"MUST".into()),
            "{c}"
        );
    }
    let (_, text, _) =
        harness(&["grade", "--case", "reg.attestation.required.none", "--require-attestation"]);
    assert!(text.contains("Declared: the RP requires attestation where it asks for it"), "{text}");
    assert!(
        text.contains("--case reg.attestation.required.none --seed 1 --require-attestation")
            || text.contains("--require-attestation --case reg.attestation.required.none"),
        "{text}"
    );
}
