//! The committed vectors are what `vectors generate` writes, validate against vectors/schema.json, and the
//! reference verifier reproduces every result; a tampered file is caught.

use std::path::Path;
use std::process::Command;

use generator::vectors::Outcome;

fn check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["vectors", "check", "--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_committed_vectors_are_current_valid_and_reproduced() {
    let (code, out) = check(&testkit::vectors_dir());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 problem(s)"), "{out}");
}

#[test]
fn a_tampered_vector_is_caught() {
    let dir = std::env::temp_dir().join(format!("webauthn-harness-vectors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    testkit::copy_vectors_tree(&dir);
    // Turn the first invalid registration vector into a valid one.
    let path = dir.join("registration.json");
    let mut file = testkit::read_vectors(&path);
    let first_invalid = file
        .test_groups
        .iter_mut()
        .flat_map(|g| g.tests.iter_mut())
        .find(|t| t.result == Outcome::Invalid)
        .unwrap();
    first_invalid.result = Outcome::Valid;
    std::fs::write(&path, generator::vectors::to_text(&file)).unwrap();
    let (code, out) = check(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("differs from what `vectors generate` writes"), "{out}");
    assert!(
        out.contains("(reg.response.id.missing): expected valid")
            && out.contains("the reference verifier says rejected by reg.response.malformed"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn every_committed_vector_file_reads_into_the_types_and_writes_back_byte_for_byte() {
    for f in [
        "registration.json",
        "authentication.json",
        "w3c/registration.json",
        "w3c/authentication.json",
        "captured/registration.json",
        "captured/authentication.json",
    ] {
        let path = testkit::vectors_dir().join(f);
        let text = std::fs::read_to_string(&path).unwrap();
        let file = testkit::read_vectors(&path);
        assert!(file.number_of_tests > 0, "{f}");
        assert_eq!(generator::vectors::to_text(&file), text, "{f}");
    }
}

#[test]
fn each_vector_names_the_public_bugs_it_reproduces_and_the_file_describes_them() {
    for f in ["registration.json", "authentication.json"] {
        let file = testkit::read_vectors(&testkit::vectors_dir().join(f));
        for t in file.test_groups.iter().flat_map(|g| &g.tests) {
            let case = generator::catalog::get(&t.case_id).unwrap_or_else(|| panic!("{}", t.case_id));
            let ids: Vec<&str> = case.references.iter().map(|r| r.id).collect();
            assert_eq!(t.references, ids, "{f}: {}", t.case_id);
            for r in case.references {
                assert_eq!(file.references.get(r.id), Some(r.summary), "{f}: {}", r.id);
            }
        }
    }
    let auth = testkit::read_vectors(&testkit::vectors_dir().join("authentication.json"));
    let psychic = auth
        .test_groups
        .iter()
        .flat_map(|g| &g.tests)
        .find(|t| t.case_id == "auth.signature.es256.r-zero-s-zero")
        .expect("the psychic signature vector");
    assert_eq!(psychic.references, ["CVE-2022-21449", "Yubico/java-webauthn-server#191"]);
    assert_eq!(psychic.check.map(|c| c.id()), Some("auth.signature.malformed"));
}

#[test]
fn a_reference_without_its_description_is_caught() {
    let dir = std::env::temp_dir().join(format!("webauthn-harness-vector-refs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    testkit::copy_vectors_tree(&dir);
    let path = dir.join("authentication.json");
    let mut file = testkit::read_vectors(&path);
    file.references.0.retain(|(id, _)| id != "CVE-2022-21449");
    file.references.0.push(("GHSA-aaaa-bbbb-cccc".into(), "cited by no test".into()));
    std::fs::write(&path, generator::vectors::to_text(&file)).unwrap();
    let (code, out) = check(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("reference CVE-2022-21449 is not described in the file's references"), "{out}");
    assert!(out.contains("reference GHSA-aaaa-bbbb-cccc is described but no test reproduces it"), "{out}");
    std::fs::remove_dir_all(dir).ok();
}

// issue 18: real-device registrations (vectors/devices/), checked as they are.

#[test]
fn the_device_vectors_read_back_byte_for_byte_and_cover_every_format() {
    let path = testkit::vectors_dir().join("devices/registration.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = testkit::read_vectors(&path);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(generator::vectors::to_text(&doc), text, "pretty JSON with a final newline, as written");
    let formats: std::collections::BTreeSet<_> =
        file.test_groups.iter().filter_map(|g| g.attestation.clone()).collect();
    for f in ["none", "packed", "fido-u2f", "tpm", "android-key", "android-safetynet", "apple"] {
        assert!(formats.contains(f), "no {f} device vector");
    }
}

#[test]
fn a_device_vector_without_provenance_time_or_root_sources_or_with_a_wrong_type_is_caught() {
    let dir = std::env::temp_dir().join(format!("webauthn-harness-devices-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    testkit::copy_vectors_tree(&dir);
    std::fs::create_dir_all(dir.join("devices")).unwrap();
    let text = std::fs::read_to_string(testkit::vectors_dir().join("devices/registration.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let groups = doc["testGroups"].as_array_mut().unwrap();
    let tpm = groups.iter().position(|g| g["attestation"] == "tpm").unwrap();
    let tpm_id = groups[tpm]["tests"][0]["caseId"].as_str().unwrap().to_owned();
    groups[tpm]["now"] = "2001-01-01T00:00:00Z".into();
    groups[tpm]["attestationType"] = "self".into();
    let none = groups.iter().position(|g| g["attestation"] == "none").unwrap();
    let none_id = groups[none]["tests"][0]["caseId"].as_str().unwrap().to_owned();
    groups[none].as_object_mut().unwrap().remove("provenance");
    let apple = groups.iter().position(|g| g["attestation"] == "apple").unwrap();
    let apple_id = groups[apple]["tests"][0]["caseId"].as_str().unwrap().to_owned();
    groups[apple].as_object_mut().unwrap().remove("attestationRootSources");
    std::fs::write(dir.join("devices/registration.json"), generator::vectors::to_text(&doc)).unwrap();
    let (code, out) = check(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("{tpm_id}: now is 978307200 s but validAt is")), "{out}");
    assert!(out.contains(&format!("{tpm_id}: states self attestation")), "{out}");
    assert!(out.contains(&format!("{none_id}: no provenance")), "{out}");
    assert!(out.contains(&format!("{apple_id}: 1 attestationRoots but 0 attestationRootSources")), "{out}");
    std::fs::remove_dir_all(dir).ok();
}
