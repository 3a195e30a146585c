//! `webauthn-harness vectors generate|check`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use generator::vectors::{Outcome, Test, TestGroup, VectorFile};
use serde_json::Value;
use verifier::record::CredentialRecordJson;
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, Ceremony, CheckId, CredentialRecord, OneRecordStore,
    Policy, RegistrationExpectations, RegistrationResponse,
};
use wire::base64url;

#[derive(Subcommand)]
pub enum Action {
    /// Rewrite the vector files (byte-identical for the same harness version).
    Generate {
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
    },
    /// Validate the vector files and reproduce every result with the reference verifier (the generated ones
    /// must also be what `generate` writes; the captured ones, under captured/, and the real-device ones, under
    /// devices/, are checked as they are).
    Check {
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
    },
}

/// The files and what generates them.
fn expected(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let (reg, auth) = generator::vectors::generate();
    let source = dir.join("w3c/webauthn-l3-section16.json");
    let w3c_source: Value = serde_json::from_slice(
        &std::fs::read(&source).with_context(|| format!("reading {}", source.display()))?,
    )
    .with_context(|| format!("{} is not JSON", source.display()))?;
    let (w3c_reg, w3c_auth) = generator::vectors::w3c(&w3c_source).map_err(anyhow::Error::msg)?;
    Ok(vec![
        (dir.join("registration.json"), generator::vectors::to_text(&reg)),
        (dir.join("authentication.json"), generator::vectors::to_text(&auth)),
        (dir.join("w3c/registration.json"), generator::vectors::to_text(&w3c_reg)),
        (dir.join("w3c/authentication.json"), generator::vectors::to_text(&w3c_auth)),
    ])
}

pub fn run(action: Action) -> ExitCode {
    let result = match action {
        Action::Generate { dir } => generate(&dir).map(|()| true),
        Action::Check { dir } => check(&dir),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn generate(dir: &Path) -> Result<()> {
    for (path, text) in expected(dir)? {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn b64(s: &str, what: &str) -> Result<Vec<u8>> {
    base64url::decode(s).with_context(|| format!("{what} is not base64url"))
}

fn policy(group: &TestGroup) -> Result<Policy> {
    let mut p = Policy::new(&group.rp_id, &group.origin);
    p.framing.allow_cross_origin = group.allow_cross_origin;
    p.framing.allowed_top_origins = group.allowed_top_origins.clone();
    p.attestation.trust_anchors =
        group.attestation_roots.iter().map(|r| b64(r, "attestationRoots[]")).collect::<Result<Vec<_>>>()?;
    Ok(p)
}

/// What the reference verifier says of one test: Ok(()) accepted, Err(check id) rejected.
fn verify(group: &TestGroup, test: &Test) -> Result<Result<(), String>> {
    let p = policy(group)?;
    let input = &test.input;
    let challenge = b64(&input.challenge, "input.challenge")?;
    let uv = input.user_verification == "required";
    let now = group.valid_at;
    Ok(match group.ceremony {
        Ceremony::Registration => {
            let e = RegistrationExpectations {
                challenge,
                pub_key_cred_params: input.pub_key_cred_params.clone().context("input.pubKeyCredParams")?,
                user_verification_required: uv,
                conditional_mediation: false,
            };
            RegistrationResponse::from_json(&test.response)
                .and_then(|r| verifier::verify_registration(&r, &e, &p, &verifier::EmptyStore, now))
                .map(|_| ())
                .map_err(|r| r.check.id().to_owned())
        }
        Ceremony::Authentication => {
            let stored = input.stored_credential.as_ref().context("input.storedCredential")?;
            let user = b64(
                input.identified_user.as_deref().context("input.identifiedUser")?,
                "input.identifiedUser",
            )?;
            let record = match CredentialRecord::from_json(&CredentialRecordJson {
                id: stored.id.clone(),
                public_key: stored.public_key.clone(),
                sign_count: stored.sign_count,
                uv_initialized: stored.uv_initialized,
                transports: stored.transports.clone().unwrap_or_default(),
                backup_eligible: stored.backup_eligible,
                backup_state: stored.backup_state,
                user_handle: stored.user_handle.clone(),
            }) {
                Ok(r) => r,
                // A stored key the reference cannot use (ES512, Ed448): nothing can verify against it.
                Err(e) => return Ok(Err(format!("unusable stored credential: {e}"))),
            };
            let e = AuthenticationExpectations {
                challenge,
                allow_credentials: input
                    .allow_credentials
                    .iter()
                    .flatten()
                    .map(|c| b64(c, "input.allowCredentials[]"))
                    .collect::<Result<Vec<_>>>()?,
                user_verification_required: uv,
                identified_user: Some(user.clone()),
            };
            AuthenticationResponse::from_json(&test.response)
                .and_then(|r| {
                    verifier::verify_authentication(&r, &e, &p, &OneRecordStore::new(&user, record))
                })
                .map(|_| ())
                .map_err(|r| r.check.id().to_owned())
        }
    })
}

/// The vector files that cannot be regenerated, `<name>/*.json` under `dir` (none if there is no such folder),
/// by name: `captured` (browser ceremonies) and `devices` (real-device registrations from RP libraries' tests).
fn captured(dir: &Path, name: &str) -> Result<Vec<PathBuf>> {
    let folder = dir.join(name);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", folder.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("reading {}", folder.display()))?.path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Validates one vector file against the schema, checks its ids and count, and that the reference verifier
/// reproduces every result; returns how many tests it has.
fn check_file(
    name: &str,
    text: &str,
    validator: &jsonschema::Validator,
    problems: &mut Vec<String>,
) -> Result<u64> {
    let doc: Value = serde_json::from_str(text).with_context(|| format!("{name} is not JSON"))?;
    for error in validator.iter_errors(&doc).take(10) {
        problems.push(format!("{name}: schema: {error} at {}", error.instance_path()));
    }
    let file: VectorFile = match serde_json::from_value(doc) {
        Ok(f) => f,
        Err(e) => {
            problems.push(format!("{name}: not a vector file: {e}"));
            return Ok(0);
        }
    };
    let mut ids = HashSet::new();
    let mut count = 0;
    for group in &file.test_groups {
        for test in &group.tests {
            count += 1;
            let tc = test.tc_id;
            if !ids.insert(tc) {
                problems.push(format!("{name}: tcId {tc} is used twice"));
            }
            for r in &test.references {
                if file.references.get(r).is_none() {
                    problems.push(format!(
                        "{name} tcId {tc}: reference {r} is not described in the file's references"
                    ));
                }
            }
            let outcome = verify(group, test).with_context(|| format!("{name} tcId {tc}"))?;
            let expected_check = test.check.map(CheckId::id);
            match (test.result, &outcome) {
                (Outcome::Valid, Ok(())) | (Outcome::Acceptable, _) => {}
                (Outcome::Invalid, Err(got)) if Some(got.as_str()) == expected_check => {}
                _ => problems.push(format!(
                    "{name} tcId {tc} ({}): expected {}{}, the reference verifier says {}",
                    test.case_id,
                    outcome_name(test.result),
                    expected_check.map(|c| format!(" by {c}")).unwrap_or_default(),
                    match &outcome {
                        Ok(()) => "accepted".to_owned(),
                        Err(c) => format!("rejected by {c}"),
                    }
                )),
            }
        }
    }
    for (id, _) in &file.references.0 {
        let cited = file.test_groups.iter().flat_map(|g| &g.tests).any(|t| t.references.contains(id));
        if !cited {
            problems.push(format!("{name}: reference {id} is described but no test reproduces it"));
        }
    }
    if file.number_of_tests != count {
        problems
            .push(format!("{name}: numberOfTests is {} but there are {count} tests", file.number_of_tests));
    }
    Ok(count as u64)
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Valid => "valid",
        Outcome::Invalid => "invalid",
        Outcome::Acceptable => "acceptable",
    }
}

fn check(dir: &Path) -> Result<bool> {
    let schema_path = dir.join("schema.json");
    let schema: Value = serde_json::from_slice(
        &std::fs::read(&schema_path).with_context(|| format!("reading {}", schema_path.display()))?,
    )
    .context("schema.json is not JSON")?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| anyhow::anyhow!("schema.json is not a valid JSON Schema: {e}"))?;
    let mut problems = Vec::new();
    let mut total = 0;
    for (path, fresh) in expected(dir)? {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        if text != fresh {
            problems.push(format!("{name}: differs from what `vectors generate` writes (regenerate it)"));
        }
        total += check_file(&name, &text, &validator, &mut problems)?;
    }
    // Captured ceremonies cannot be regenerated: they are checked as they are, in the form `serve --capture`
    // writes them. Real-device vectors likewise, plus what each must state (see `device_problems`).
    for path in captured(dir, "captured")?.into_iter().chain(captured(dir, "devices")?) {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {name}"))?;
        let doc: Value = serde_json::from_str(&text).with_context(|| format!("{name} is not JSON"))?;
        if text != generator::vectors::to_text(&doc) {
            problems.push(format!(
                "{name}: not in the form `serve --capture` writes (pretty JSON, final newline)"
            ));
        }
        total += check_file(&name, &text, &validator, &mut problems)?;
        if path.parent().and_then(Path::file_name).is_some_and(|f| f == "devices") {
            device_problems(&name, &doc, &mut problems)?;
        }
    }
    for p in &problems {
        outln!("{p}");
    }
    outln!("{total} vectors checked, {} problem(s)", problems.len());
    Ok(problems.is_empty())
}

// issue 18: real-device registrations (vectors/devices/). Beyond the schema, a group must say where its test
// comes from (repository, path, test, commit), when it is verified (`now`, RFC 3339, the same instant as
// `validAt`), where each trust anchor comes from, and which attestation type the reference verifier establishes
// for its valid test.

/// The attestation type a registration established, as device vectors name it.
fn attestation_type_name(t: &verifier::attestation::AttestationType) -> &'static str {
    match t {
        verifier::attestation::AttestationType::None => "none",
        verifier::attestation::AttestationType::SelfAttestation => "self",
        verifier::attestation::AttestationType::Basic { .. } => "basic",
        verifier::attestation::AttestationType::Compound(_) => "compound",
    }
}

fn device_problems(name: &str, doc: &Value, problems: &mut Vec<String>) -> Result<()> {
    let file: VectorFile = match serde_json::from_value(doc.clone()) {
        Ok(f) => f,
        Err(_) => return Ok(()), // check_file said so
    };
    let raw_groups = doc["testGroups"].as_array().cloned().unwrap_or_default();
    for (group, raw) in file.test_groups.iter().zip(&raw_groups) {
        let at = group.tests.first().map(|t| t.case_id.clone()).unwrap_or_default();
        let mut problem = |p: String| problems.push(format!("{name} {at}: {p}"));
        let provenance = raw["provenance"].as_array().cloned().unwrap_or_default();
        if provenance.is_empty() {
            problem("no provenance".into());
        }
        for p in &provenance {
            let repo_ok = p["repository"].as_str().is_some_and(|r| r.split('/').count() == 2);
            let commit_ok = p["commit"]
                .as_str()
                .is_some_and(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()));
            let named = ["path", "test"].iter().all(|k| p[k].as_str().is_some_and(|s| !s.is_empty()));
            if !(repo_ok && commit_ok && named) {
                problem(format!("provenance {p} needs repository (owner/name), path, test and a commit id"));
            }
        }
        match raw["now"].as_str().map(humantime::parse_rfc3339) {
            Some(Ok(t)) => {
                let secs = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
                if secs != group.valid_at {
                    problem(format!("now is {secs} s but validAt is {}", group.valid_at));
                }
            }
            _ => problem("now is not an RFC 3339 time".into()),
        }
        let sources = raw["attestationRootSources"].as_array().map(Vec::len).unwrap_or_default();
        if sources != group.attestation_roots.len() {
            problem(format!(
                "{} attestationRoots but {sources} attestationRootSources",
                group.attestation_roots.len()
            ));
        }
        let stated = raw["attestationType"].as_str().unwrap_or_default();
        for test in group.tests.iter().filter(|t| t.result == Outcome::Valid) {
            let p = policy(group)?;
            let e = RegistrationExpectations {
                challenge: b64(&test.input.challenge, "input.challenge")?,
                pub_key_cred_params: test
                    .input
                    .pub_key_cred_params
                    .clone()
                    .context("input.pubKeyCredParams")?,
                user_verification_required: test.input.user_verification == "required",
                conditional_mediation: false,
            };
            let outcome = RegistrationResponse::from_json(&test.response).and_then(|r| {
                verifier::verify_registration(&r, &e, &p, &verifier::EmptyStore, group.valid_at)
            });
            if let Ok(o) = outcome {
                let got = attestation_type_name(&o.attestation);
                if got != stated || Some(&o.fmt) != group.attestation.as_ref() {
                    problems.push(format!(
                        "{name} {}: states {stated} attestation in {:?}, the reference verifier establishes {got} in {}",
                        test.case_id, group.attestation, o.fmt
                    ));
                }
            }
        }
    }
    Ok(())
}
