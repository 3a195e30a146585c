//! `webauthn-harness verify`: the verdict JSON and the exit codes, on ceremonies from the generator.

use std::path::Path;
use std::process::Command;

use generator::{Algorithm, AssertionDraft, AttestationKind, Generator, RegistrationDraft, Rp};
use serde_json::Value;
use wire::base64url;

fn harness(args: &[&str]) -> (i32, Value, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_webauthn-harness")).args(args).output().expect("run the binary");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let verdict = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), verdict, String::from_utf8_lossy(&out.stderr).to_string())
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("webauthn-harness-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn registration_then_authentication_through_files() {
    let dir = tempdir("roundtrip");
    let rp = Rp::new("example.org", "https://example.org");
    let mut g = Generator::new(3);
    let cred = g.credential(Algorithm::Es256, 16);
    let challenge = g.challenge();
    let reg =
        RegistrationDraft::new(&rp, &cred, &challenge, 0).sign(&cred, AttestationKind::PackedSelf).to_json();
    let reg_file = write(&dir, "reg.json", &reg);
    let c = base64url::encode(&challenge);
    let common = ["--origin", "https://example.org", "--rp-id", "example.org"];

    let mut args = vec!["verify", "registration", "--response", &reg_file, "--challenge", &c];
    args.extend(common);
    let (code, verdict, stderr) = harness(&args);
    assert_eq!(code, 0, "{verdict} {stderr}");
    assert_eq!(verdict["result"], "accepted");
    assert_eq!(verdict["fmt"], "packed");
    assert_eq!(verdict["attestationType"], "self");
    assert_eq!(verdict["credential"]["id"], base64url::encode(&cred.id));

    // The printed record is what --credential takes back.
    let cred_file = write(&dir, "cred.json", &verdict["credential"]);
    let challenge = g.challenge();
    let auth = AssertionDraft::new(&rp, &cred, &challenge, 0, 1, Some(b"u".to_vec())).sign(&cred).to_json();
    let auth_file = write(&dir, "auth.json", &auth);
    let c = base64url::encode(&challenge);
    let mut args = vec![
        "verify",
        "authentication",
        "--response",
        &auth_file,
        "--challenge",
        &c,
        "--credential",
        &cred_file,
    ];
    args.extend(common);
    let (code, verdict, stderr) = harness(&args);
    assert_eq!(code, 0, "{verdict} {stderr}");
    assert_eq!(verdict["result"], "accepted");
    assert_eq!(verdict["credential"]["signCount"], 1);
    assert_eq!(verdict["userHandle"], base64url::encode(b"u"));

    // Another challenge: rejected (exit 1) by the challenge check, with its spec step.
    let other = base64url::encode(&[9u8; 32]);
    let mut args = vec![
        "verify",
        "authentication",
        "--response",
        &auth_file,
        "--challenge",
        &other,
        "--credential",
        &cred_file,
    ];
    args.extend(common);
    let (code, verdict, _) = harness(&args);
    assert_eq!(code, 1, "{verdict}");
    assert_eq!(verdict["result"], "rejected");
    assert_eq!(verdict["check"], "auth.client-data.challenge");
    assert_eq!(verdict["spec"], "§7.2 step 11");
    assert_eq!(verdict["level"], "MUST");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_malformed_response_is_a_rejection_not_a_usage_error() {
    let dir = tempdir("malformed");
    let file = write(&dir, "reg.json", &serde_json::json!({"id": "AA", "type": "public-key"}));
    let (code, verdict, _) = harness(&[
        "verify",
        "registration",
        "--response",
        &file,
        "--challenge",
        "AAAA",
        "--origin",
        "https://example.org",
        "--rp-id",
        "example.org",
    ]);
    assert_eq!(code, 1);
    assert_eq!(verdict["check"], "reg.response.malformed");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unusable_input_exits_2_with_a_message() {
    let (code, _, stderr) = harness(&[
        "verify",
        "registration",
        "--response",
        "/nonexistent/reg.json",
        "--challenge",
        "AAAA",
        "--origin",
        "https://example.org",
        "--rp-id",
        "example.org",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read the response file"), "{stderr}");

    let dir = tempdir("usage");
    let file = write(&dir, "reg.json", &serde_json::json!({}));
    let (code, _, stderr) = harness(&[
        "verify",
        "registration",
        "--response",
        &file,
        "--challenge",
        "not base64!",
        "--origin",
        "https://example.org",
        "--rp-id",
        "example.org",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--challenge"), "{stderr}");
    let cred = write(&dir, "cred.json", &serde_json::json!({"id": "AA", "publicKey": "AA"}));
    let (code, _, stderr) = harness(&[
        "verify",
        "authentication",
        "--response",
        &file,
        "--challenge",
        "AAAA",
        "--origin",
        "https://example.org",
        "--rp-id",
        "example.org",
        "--credential",
        &cred,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a usable credential record"), "{stderr}");
    // A missing required option is clap's usage error, also 2.
    let (code, _, _) = harness(&["verify", "registration"]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn cases_references_lists_exactly_the_cases_that_reproduce_a_public_bug() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness")).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let expected: Vec<(&str, Vec<&str>)> = generator::catalog::all()
        .into_iter()
        .filter(|c| !c.references.is_empty())
        .map(|c| (c.id, c.references.iter().map(|r| r.id).collect()))
        .collect();
    assert!(expected
        .iter()
        .any(|(id, refs)| *id == "auth.signature.es256.r-zero-s-zero" && refs.contains(&"CVE-2022-21449")));
    // Text: each case's line, then the ids of the records it reproduces.
    let text = run(&["cases", "--references"]);
    let mut listed: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(ids) = line.trim_start().strip_prefix("reproduces ") {
            let last = listed.last_mut().expect("a case line before its references");
            last.1 = ids.split(", ").map(str::to_owned).collect();
        } else if let Some(id) = line.split_whitespace().next().filter(|w| w.contains('.')) {
            listed.push((id.to_owned(), vec![]));
        }
    }
    let want: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|(id, refs)| (id.to_string(), refs.iter().map(|r| r.to_string()).collect()))
        .collect();
    assert_eq!(listed, want, "{text}");
    assert!(text.ends_with(&format!("\n{} cases that reproduce a public bug\n", expected.len())), "{text}");
    // JSON: the same cases, each with its references (id and summary).
    let doc: Value = serde_json::from_str(&run(&["cases", "--references", "--format", "json"])).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    for c in cases {
        for r in c["references"].as_array().unwrap() {
            assert!(r["id"].is_string() && !r["summary"].as_str().unwrap().is_empty(), "{r}");
        }
    }
    // With a case filter, only the matching cases that reproduce one; none is a usage error.
    let text = run(&["cases", "--references", "--case", "auth.signature.*"]);
    assert!(text.contains("auth.signature.es384.r-zero-s-zero"), "{text}");
    assert!(!text.contains("reg."), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["cases", "--references", "--case", "reg.client-data.type.*"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cases_lists_the_whole_catalogue_as_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["cases", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), generator::catalog::all().len());
    assert_eq!(doc["count"], cases.len());
    let origin = cases.iter().find(|c| c["id"] == "reg.client-data.origin.other-scheme").unwrap();
    assert_eq!(origin["spec"], "§7.1 step 9, §13.5.9");
    assert_eq!(origin["level"], "MUST");
    assert_eq!(origin["expect"], "reject");
    assert_eq!(origin["check"], "reg.client-data.origin");
    assert_eq!(origin["basis"]["kind"], "procedure");
    assert!(origin["basis"]["quote"]
        .as_str()
        .unwrap()
        .contains("MUST NOT accept unexpected values of origin"));
    // Every case states its basis: a kind, a section, and a quote from the spec (or, for what only the FIDO
    // tool expects, the FIDO test it mirrors); every quote is made of sentences of the spec.
    for c in cases {
        let basis = &c["basis"];
        let kind = basis["kind"].as_str().unwrap_or_else(|| panic!("{}: no basis", c["id"]));
        let quote = basis["quote"].as_str().unwrap();
        assert!(basis["section"].is_string(), "{}: no section", c["id"]);
        if kind == "conformance" {
            assert!(c["fido"].is_string(), "{}: a conformance basis names no FIDO test", c["id"]);
        } else {
            assert!(!quote.is_empty(), "{}: no quote", c["id"]);
        }
        assert_eq!(spec::text::quoted(quote), Ok(()), "{}", c["id"]);
    }
    // Every flag a case uses is documented once.
    for c in cases {
        for f in c["flags"].as_array().unwrap() {
            assert!(doc["flags"][f.as_str().unwrap()].is_string(), "{f} undocumented");
        }
    }
    // A filter that matches nothing is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["cases", "--case", "nope.*"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// issue 18: a compound registration (§8.9), with the harness root trusted for both formats, then with
/// `--format-anchor` trusting it for packed only (the tpm sub-statement's path then ends at no anchor).
#[test]
fn compound_registration_with_anchors_per_format() {
    let dir = tempdir("compound");
    let rp = Rp::new("example.org", "https://example.org");
    let mut g = Generator::new(4);
    let cred = g.credential(Algorithm::Es256, 16);
    let challenge = g.challenge();
    let reg =
        RegistrationDraft::new(&rp, &cred, &challenge, 0).sign(&cred, AttestationKind::Compound).to_json();
    let reg_file = write(&dir, "reg.json", &reg);
    let root = dir.join("root.der");
    std::fs::write(&root, &generator::pki::root().der).unwrap();
    let root = root.to_string_lossy().into_owned();
    let packed_only = format!("packed={root}");
    let c = base64url::encode(&challenge);
    let base = [
        "verify",
        "registration",
        "--response",
        &reg_file,
        "--challenge",
        &c,
        "--origin",
        "https://example.org",
        "--rp-id",
        "example.org",
    ];

    let mut args = base.to_vec();
    args.extend(["--trust-anchor", &root]);
    let (code, verdict, stderr) = harness(&args);
    assert_eq!(code, 0, "{verdict} {stderr}");
    assert_eq!(verdict["fmt"], "compound");
    assert_eq!(verdict["attestationType"], "compound");

    let mut args = base.to_vec();
    args.extend(["--format-anchor", &packed_only]);
    let (code, verdict, _) = harness(&args);
    assert_eq!(code, 1, "{verdict}");
    assert_eq!(verdict["check"], "reg.attestation.untrusted");

    let mut args = base.to_vec();
    args.extend(["--format-anchor", "packed"]);
    let (code, _, stderr) = harness(&args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("FMT=FILE"), "{stderr}");
    std::fs::remove_dir_all(dir).ok();
}

/// `pki export` writes what an RP needs to trust the harness's attestations, and `verify registration
/// --metadata` takes the exported BLOB: trust comes from the authenticator's entry, status reports refuse, and a
/// BLOB that does not verify is a usage error naming the reason.
#[test]
fn pki_export_and_verify_with_metadata() {
    let dir = tempdir("pki");
    let pki = dir.join("pki");
    let (code, _, stderr) = harness(&["pki", "export", pki.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    for f in ["attestation-root.pem", "metadata-root.pem", "metadata-blob.jwt", "README.md"] {
        assert!(pki.join(f).is_file(), "{f}");
    }
    let statement = pki.join("statements/77656261-7574-686e-2d68-61726e657373.json");
    let s: Value = serde_json::from_slice(&std::fs::read(statement).unwrap()).unwrap();
    assert_eq!(s["aaguid"], "77656261-7574-686e-2d68-61726e657373");

    let rp = Rp::new("example.org", "https://example.org");
    let register = |aaguid: [u8; 16], name: &str| {
        let mut g = Generator::new(4);
        let mut cred = g.credential(Algorithm::Es256, 16);
        cred.aaguid = aaguid;
        let challenge = g.challenge();
        let reg = RegistrationDraft::new(&rp, &cred, &challenge, 0)
            .sign(&cred, AttestationKind::PackedX5c)
            .to_json();
        (write(&dir, name, &reg), base64url::encode(&challenge))
    };
    let blob = pki.join("metadata-blob.jwt").to_string_lossy().into_owned();
    let mds_root = pki.join("metadata-root.pem").to_string_lossy().into_owned();
    let att_root = pki.join("attestation-root.pem").to_string_lossy().into_owned();
    let now = "2026-01-01T00:00:00Z";
    let verify = |file: &str, challenge: &str, extra: &[&str]| {
        let mut args = vec![
            "verify",
            "registration",
            "--response",
            file,
            "--challenge",
            challenge,
            "--origin",
            "https://example.org",
            "--rp-id",
            "example.org",
        ];
        if !extra.contains(&"--now") {
            args.extend(["--now", now]);
        }
        args.extend(extra);
        harness(&args)
    };

    let (file, c) = register(generator::metadata::HARNESS_AAGUID, "model.json");
    // No anchor at all: the attestation is not trusted (§7.1 step 24).
    let (code, verdict, _) = verify(&file, &c, &[]);
    assert_eq!((code, verdict["check"].as_str()), (1, Some("reg.attestation.untrusted")));
    // The exported root as an anchor, or the exported metadata: trusted.
    let (code, verdict, stderr) = verify(&file, &c, &["--trust-anchor", &att_root]);
    assert_eq!((code, verdict["attestationType"].as_str()), (0, Some("basic")), "{stderr}");
    let (code, verdict, stderr) = verify(&file, &c, &["--metadata", &blob, "--metadata-root", &mds_root]);
    assert_eq!((code, verdict["attestationType"].as_str()), (0, Some("basic")), "{verdict} {stderr}");

    // A model whose status report is REVOKED: refused by the metadata check, unless the policy refuses nothing
    // of the kind.
    let (file, c) = register(generator::metadata::REVOKED_AAGUID, "revoked.json");
    let (code, verdict, _) = verify(&file, &c, &["--metadata", &blob, "--metadata-root", &mds_root]);
    assert_eq!((code, verdict["check"].as_str()), (1, Some("reg.attestation.metadata-status")), "{verdict}");
    assert!(verdict["detail"].as_str().unwrap().contains("REVOKED"));
    let (code, _, _) = verify(
        &file,
        &c,
        &[
            "--metadata",
            &blob,
            "--metadata-root",
            &mds_root,
            "--metadata-refuse",
            "USER_KEY_REMOTE_COMPROMISE",
        ],
    );
    assert_eq!(code, 0);

    // An authenticator the metadata does not list: refused only with --metadata-require-entry.
    let (file, c) = register([0x42; 16], "unlisted.json");
    let (code, verdict, _) = verify(&file, &c, &["--metadata", &blob, "--metadata-root", &mds_root]);
    assert_eq!((code, verdict["check"].as_str()), (1, Some("reg.attestation.untrusted")));
    let (code, verdict, _) =
        verify(&file, &c, &["--metadata", &blob, "--metadata-root", &mds_root, "--metadata-require-entry"]);
    assert_eq!((code, verdict["check"].as_str()), (1, Some("reg.attestation.metadata-status")));

    // A BLOB that does not verify: exit 2, and the message says why.
    let (code, _, stderr) = verify(&file, &c, &["--metadata", &blob, "--metadata-root", &att_root]);
    assert_eq!(code, 2);
    assert!(stderr.contains("certificate chain is not trusted"), "{stderr}");
    let (code, _, stderr) = verify(
        &file,
        &c,
        &["--metadata", &blob, "--metadata-root", &mds_root, "--now", "2049-12-15T00:00:00Z"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("nextUpdate 2049-12-01") && stderr.contains("out of date"), "{stderr}");
    let (code, _, stderr) = verify(&file, &c, &["--metadata", &att_root, "--metadata-root", &mds_root]);
    assert_eq!(code, 2);
    assert!(stderr.contains("malformed"), "{stderr}");
    // --metadata without a root is refused by the parser.
    let (code, _, _) = verify(&file, &c, &["--metadata", &blob]);
    assert_eq!(code, 2);
}
