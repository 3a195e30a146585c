//! Test vectors: every case a stateless verifier can decide, as Wycheproof-style JSON that other
//! implementations can run in their own unit tests.
//!
//! Vectors are not recorded from a live RP: for each registration or authentication case the RP's inputs
//! (challenge, requested user verification, offered algorithms, allowed credentials, the stored credential)
//! are made deterministically here, and the case's own hooks build the response. Cases are grouped by
//! ceremony, algorithm, attestation and credential-ID length; a group pins its RP, origin and credential
//! (private key included).

use serde_json::{json, Map, Value as Json};
use wire::base64url::encode as b64;

use crate::catalog::{self, Case, Ceremony, Counter, Expect, Flag, Plan};
use crate::ceremony::{AttestationKind, Credential, Generator};
use crate::client::{ClientConfig, CreationOptions, RequestOptions};
use crate::keys::Algorithm;
use crate::runner::{build_assertion, build_registration, case_seed};

pub const SCHEMA: &str = "webauthn-harness/vectors/v1";
pub const RP_ID: &str = "vectors.example";
pub const ORIGIN: &str = "https://vectors.example";
/// The time every vector is valid at: 2025-06-01T00:00:00Z.
pub const VALID_AT: u64 = 1_748_736_000;
/// Algorithms the RP "offered" in every registration vector.
pub const OFFERED: [i64; 4] = [-7, -35, -257, -8];
const SEED: u64 = 0x7665_6374_6f72_7300;
/// The counter a stored credential has before an assertion of a counting authenticator.
const STORED_COUNT: u32 = 5;

fn result(e: Expect) -> &'static str {
    match e {
        Expect::Accept => "valid",
        Expect::Reject => "invalid",
        Expect::Either => "acceptable",
    }
}

fn alg_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Es256 => "ES256",
        Algorithm::Es384 => "ES384",
        Algorithm::Rs256 => "RS256",
        Algorithm::EdDsa => "EdDSA",
    }
}

fn attestation_name(a: AttestationKind) -> &'static str {
    match a {
        AttestationKind::None => "none",
        AttestationKind::PackedSelf => "packed-self",
        AttestationKind::PackedX5c => "packed-x5c",
        AttestationKind::FidoU2f => "fido-u2f",
    }
}

/// Whether a stateless verifier can decide the case (no RP state across calls).
pub fn stateless(case: &Case) -> bool {
    !matches!(case.plan, Plan::Stateful(_))
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey {
    alg: Algorithm,
    attestation: Option<&'static str>,
    id_len: usize,
}

struct Group {
    key: GroupKey,
    credential: Credential,
    user_handle: Vec<u8>,
    tests: Vec<Json>,
}

impl Group {
    fn new(ceremony: &str, key: GroupKey) -> Group {
        let label = format!("{ceremony}/{:?}/{:?}/{}", key.alg, key.attestation, key.id_len);
        let mut g = Generator::new(case_seed(SEED, &label));
        let credential = g.credential(key.alg, key.id_len);
        let user_handle = g.bytes(16);
        Group { key, credential, user_handle, tests: Vec::new() }
    }

    fn to_json(&self, ceremony: &str) -> Json {
        let mut group = Map::new();
        group.insert("ceremony".into(), json!(ceremony));
        group.insert("rpId".into(), json!(RP_ID));
        group.insert("origin".into(), json!(ORIGIN));
        group.insert("validAt".into(), json!(VALID_AT));
        group.insert("algorithm".into(), json!(alg_name(self.key.alg)));
        if let Some(a) = self.key.attestation {
            group.insert("attestation".into(), json!(a));
            group.insert("attestationRoots".into(), json!([b64(&crate::pki::root().der)]));
        }
        group.insert(
            "credential".into(),
            json!({
                "id": b64(&self.credential.id),
                "publicKey": b64(&self.credential.key.cose_key().to_bytes()),
                "privateKey": self.credential.key.private_jwk(),
                "aaguid": b64(&self.credential.aaguid),
            }),
        );
        group.insert("userHandle".into(), json!(b64(&self.user_handle)));
        group.insert("tests".into(), Json::Array(self.tests.clone()));
        Json::Object(group)
    }
}

fn cfg() -> ClientConfig {
    ClientConfig { origin: ORIGIN.into(), rp_id: RP_ID.into() }
}

fn test_json(tc_id: usize, case: &Case, input: Json, response: Json) -> Json {
    let mut t = Map::new();
    t.insert("tcId".into(), json!(tc_id));
    t.insert("caseId".into(), json!(case.id));
    t.insert("comment".into(), json!(case.title));
    t.insert("flags".into(), json!(case.flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>()));
    t.insert("spec".into(), json!(case.spec));
    t.insert("level".into(), json!(case.level.as_str()));
    t.insert("input".into(), input);
    t.insert("response".into(), response);
    t.insert("result".into(), json!(result(case.expect)));
    if let Some(check) = case.check {
        t.insert("check".into(), json!(check));
    }
    Json::Object(t)
}

fn registration_test(tc_id: usize, case: &Case, group: &Group) -> Json {
    let Plan::Register(hooks) = case.plan else { unreachable!("registration cases only") };
    let challenge = Generator::new(case_seed(SEED, case.id)).challenge();
    let options = CreationOptions {
        challenge: challenge.clone(),
        rp_id: Some(RP_ID.into()),
        user_id: group.user_handle.clone(),
        algorithms: OFFERED.to_vec(),
        user_verification: case.setup.reg_uv.into(),
        exclude_credentials: vec![],
    };
    let (response, _) = build_registration(&cfg(), &case.setup, &options, group.credential.clone(), hooks);
    let input = json!({
        "challenge": b64(&challenge),
        "userVerification": case.setup.reg_uv,
        "pubKeyCredParams": OFFERED,
    });
    test_json(tc_id, case, input, response)
}

fn authentication_test(tc_id: usize, case: &Case, group: &Group) -> Json {
    let Plan::Authenticate(hooks) = case.plan else { unreachable!("authentication cases only") };
    let challenge = Generator::new(case_seed(SEED, case.id)).challenge();
    let stored = match case.setup.counter {
        Counter::Zero => 0,
        Counter::Incrementing => STORED_COUNT,
    };
    let options = RequestOptions {
        challenge: challenge.clone(),
        rp_id: Some(RP_ID.into()),
        allow_credentials: vec![group.credential.id.clone()],
        user_verification: case.setup.auth_uv.into(),
    };
    let (response, _) =
        build_assertion(&cfg(), &case.setup, &options, &group.credential, &group.user_handle, stored, hooks);
    let input = json!({
        "challenge": b64(&challenge),
        "userVerification": case.setup.auth_uv,
        "allowCredentials": [b64(&group.credential.id)],
        "identifiedUser": b64(&group.user_handle),
        "storedCredential": {
            "id": b64(&group.credential.id),
            "publicKey": b64(&group.credential.key.cose_key().to_bytes()),
            "signCount": stored,
            "uvInitialized": true,
            "backupEligible": false,
            "backupState": false,
            "userHandle": b64(&group.user_handle),
        },
    });
    test_json(tc_id, case, input, response)
}

fn file(ceremony: Ceremony, cases: &[Case]) -> Json {
    let name = match ceremony {
        Ceremony::Registration => "registration",
        Ceremony::Authentication => "authentication",
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut used_flags: Vec<Flag> = Vec::new();
    let mut count = 0;
    for case in cases.iter().filter(|c| c.ceremony() == ceremony && stateless(c)) {
        let key = GroupKey {
            alg: case.setup.alg,
            attestation: (ceremony == Ceremony::Registration)
                .then(|| attestation_name(case.setup.attestation)),
            id_len: case.setup.credential_id_len,
        };
        let index = match groups.iter().position(|g| g.key == key) {
            Some(i) => i,
            None => {
                groups.push(Group::new(name, key));
                groups.len() - 1
            }
        };
        count += 1;
        let test = match ceremony {
            Ceremony::Registration => registration_test(count, case, &groups[index]),
            Ceremony::Authentication => authentication_test(count, case, &groups[index]),
        };
        groups[index].tests.push(test);
        for f in case.flags {
            if !used_flags.contains(f) {
                used_flags.push(*f);
            }
        }
    }
    used_flags.sort();
    let notes: Map<String, Json> =
        used_flags.iter().map(|f| (format!("{f:?}"), json!(f.description()))).collect();
    let mut doc = Map::new();
    doc.insert("schema".into(), json!(SCHEMA));
    doc.insert("generatorVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    doc.insert("ceremony".into(), json!(name));
    doc.insert("numberOfTests".into(), json!(count));
    doc.insert(
        "header".into(),
        json!([
            "Generated by `webauthn-harness vectors generate` from the case catalogue; do not edit.",
            "Each test is one ceremony: the RP's inputs, the response in the WebAuthn JSON serialization (§5.1), and the result a verifier must reach.",
            "valid: accept. invalid: reject (check names the reference verifier's failing check). acceptable: either answer conforms.",
        ]),
    );
    doc.insert("notes".into(), Json::Object(notes));
    doc.insert("testGroups".into(), Json::Array(groups.iter().map(|g| g.to_json(name)).collect()));
    Json::Object(doc)
}

/// The registration and authentication vector files, as JSON values.
pub fn generate() -> (Json, Json) {
    let cases = catalog::all();
    (file(Ceremony::Registration, &cases), file(Ceremony::Authentication, &cases))
}

/// A vector file's text: pretty JSON with a final newline, byte-identical for the same harness version.
pub fn to_text(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// The W3C WebAuthn L3 §16 examples (as extracted into `vectors/w3c/webauthn-l3-section16.json`) in the
/// same schema. Per example and ceremony: a group with the spec's RP ID and origin holding the valid test and
/// one with another challenge, a group with another origin, and a group with another RP ID. Examples of
/// formats or algorithms the reference verifier does not implement are `acceptable`: a verifier may support
/// any subset.
pub fn w3c(source: &Json) -> Result<(Json, Json), String> {
    const SUPPORTED: &[&str] = &[
        "sctn-test-vectors-none-es256",
        "sctn-test-vectors-packed-self-es256",
        "sctn-test-vectors-none-es256-crossOrigin",
        "sctn-test-vectors-none-es256-topOrigin",
        "sctn-test-vectors-none-es256-long-credential-id",
        "sctn-test-vectors-packed-es256",
        "sctn-test-vectors-packed-es384",
        "sctn-test-vectors-packed-rs256",
        "sctn-test-vectors-packed-eddsa",
        "sctn-test-vectors-fido-u2f-es256",
    ];
    let hex = |v: &Json, what: &str| -> Result<Vec<u8>, String> {
        let s = v.as_str().ok_or_else(|| format!("{what} is not a string"))?;
        (0..s.len())
            .step_by(2)
            .map(|i| {
                s.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
                    .ok_or_else(|| format!("{what} is not hex"))
            })
            .collect()
    };
    let rp_id = source["rpId"].as_str().ok_or("rpId missing")?;
    let origin = source["origin"].as_str().ok_or("origin missing")?;
    let top_origin = source["topOrigin"].as_str().unwrap_or_default();
    let root = hex(&source["attestationRoot"]["attestation_ca_cert"], "attestation_ca_cert")?;
    let user = b"w3c-vector-user".to_vec();
    let mut files = [Vec::new(), Vec::new()];
    let mut counts = [0usize, 0usize];
    for example in source["examples"].as_array().ok_or("examples missing")? {
        let anchor = example["anchor"].as_str().ok_or("anchor missing")?;
        let slug = anchor.trim_start_matches("sctn-test-vectors-").to_ascii_lowercase();
        let reg = &example["registration"];
        let auth = &example["authentication"];
        let object_bytes = hex(&reg["attestationObject"], "attestationObject")?;
        let object = wire::attestation_object::AttestationObject::parse(&object_bytes)
            .map_err(|e| e.to_string())?
            .object;
        let auth_data =
            wire::authdata::AuthenticatorData::parse(&object.auth_data).map_err(|e| e.to_string())?.data;
        let attested = auth_data.attested_credential_data.clone().ok_or("no attested credential data")?;
        let alg =
            wire::cose::CoseKey::parse(&attested.credential_public_key).map_err(|e| e.to_string())?.key.alg();
        let private: Map<String, Json> = reg
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.contains("private_key"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let supported = SUPPORTED.contains(&anchor);
        let supported_key = [-7, -8, -19, -35, -257].contains(&alg);
        let framed = anchor.ends_with("crossOrigin") || anchor.ends_with("topOrigin");
        for (ceremony, data) in [(0usize, reg), (1usize, auth)] {
            let name = if ceremony == 0 { "registration" } else { "authentication" };
            let prefix = if ceremony == 0 { "reg" } else { "auth" };
            let step = |reg_step: &str, auth_step: &str| {
                if ceremony == 0 {
                    reg_step.to_owned()
                } else {
                    auth_step.to_owned()
                }
            };
            let response = if ceremony == 0 {
                json!({
                    "id": b64(&attested.credential_id), "rawId": b64(&attested.credential_id), "type": "public-key",
                    "response": {"clientDataJSON": b64(&hex(&reg["clientDataJSON"], "clientDataJSON")?),
                                 "attestationObject": b64(&object_bytes)},
                    "clientExtensionResults": {},
                })
            } else {
                json!({
                    "id": b64(&attested.credential_id), "rawId": b64(&attested.credential_id), "type": "public-key",
                    "response": {"clientDataJSON": b64(&hex(&auth["clientDataJSON"], "clientDataJSON")?),
                                 "authenticatorData": b64(&hex(&auth["authenticatorData"], "authenticatorData")?),
                                 "signature": b64(&hex(&auth["signature"], "signature")?)},
                    "clientExtensionResults": {},
                })
            };
            let challenge = hex(&data["challenge"], "challenge")?;
            let mut input = json!({"challenge": b64(&challenge), "userVerification": "discouraged"});
            if ceremony == 0 {
                input["pubKeyCredParams"] = json!([alg]);
            } else {
                input["allowCredentials"] = json!([b64(&attested.credential_id)]);
                input["identifiedUser"] = json!(b64(&user));
                input["storedCredential"] = json!({
                    "id": b64(&attested.credential_id),
                    "publicKey": b64(&attested.credential_public_key),
                    "signCount": auth_data.sign_count,
                    "uvInitialized": auth_data.flags.uv(),
                    "backupEligible": auth_data.flags.be(),
                    "backupState": auth_data.flags.bs(),
                    "userHandle": b64(&user),
                });
            }
            let mut other_challenge = challenge.clone();
            if let Some(b) = other_challenge.first_mut() {
                *b ^= 1;
            }
            let mut changed = input.clone();
            changed["challenge"] = json!(b64(&other_challenge));
            let test = |tc: usize,
                        id: String,
                        comment: &str,
                        spec: String,
                        input: &Json,
                        result: &str,
                        check: Option<String>| {
                let mut t = json!({"tcId": tc, "caseId": id, "comment": comment, "flags": [], "spec": spec, "level": "MUST",
                    "input": input, "response": response.clone(), "result": result});
                if let Some(c) = check {
                    t["check"] = json!(c);
                }
                t
            };
            let group = |rp: &str, org: &str, tests: Vec<Json>| {
                let mut g = json!({
                    "ceremony": name, "source": format!("W3C WebAuthn L3 §16, #{anchor}: {}", example["title"].as_str().unwrap_or_default()),
                    "rpId": rp, "origin": org,
                    "validAt": VALID_AT, "algorithm": wire::cose::alg_name(alg).unwrap_or("unknown"),
                    "attestation": object.fmt, "attestationRoots": [b64(&root)],
                    "credential": {"id": b64(&attested.credential_id), "publicKey": b64(&attested.credential_public_key),
                                   "privateKey": private, "aaguid": b64(&attested.aaguid)},
                    "userHandle": b64(&user), "tests": tests,
                });
                if framed {
                    g["allowCrossOrigin"] = json!(true);
                    g["allowedTopOrigins"] = json!([top_origin]);
                }
                g
            };
            let c = &mut counts[ceremony];
            let base = format!("{prefix}.w3c.{slug}");
            let valid = if supported { "valid" } else { "acceptable" };
            *c += 1;
            let t1 = test(
                *c,
                base.clone(),
                "the spec's example with the spec's inputs",
                "§16".into(),
                &input,
                valid,
                None,
            );
            *c += 1;
            let t2 = test(
                *c,
                format!("{base}.other-challenge"),
                "the RP issued another challenge",
                step("§7.1 step 8", "§7.2 step 11"),
                &changed,
                "invalid",
                Some(format!("{prefix}.client-data.challenge")),
            );
            // An assertion by a key the reference cannot load (ES512, Ed448) cannot reach the steps the
            // negative tests target: those examples keep only their acceptable test.
            if ceremony == 1 && !supported_key {
                files[ceremony].push(group(rp_id, origin, vec![t1]));
                *c -= 1;
                continue;
            }
            files[ceremony].push(group(rp_id, origin, vec![t1, t2]));
            *c += 1;
            let t3 = test(
                *c,
                format!("{base}.other-origin"),
                "the RP expects another origin",
                step("§7.1 step 9", "§7.2 step 12"),
                &input,
                "invalid",
                Some(format!("{prefix}.client-data.origin")),
            );
            files[ceremony].push(group(rp_id, "https://example.net", vec![t3]));
            *c += 1;
            let t4 = test(
                *c,
                format!("{base}.other-rp-id"),
                "the RP has another RP ID",
                step("§7.1 step 14", "§7.2 step 15"),
                &input,
                "invalid",
                Some(format!("{prefix}.auth-data.rp-id-hash")),
            );
            files[ceremony].push(group("example.net", origin, vec![t4]));
        }
    }
    let doc = |ceremony: usize| {
        json!({
            "schema": SCHEMA,
            "generatorVersion": env!("CARGO_PKG_VERSION"),
            "ceremony": if ceremony == 0 { "registration" } else { "authentication" },
            "numberOfTests": counts[ceremony],
            "header": ["The W3C WebAuthn Level 3 §16 test vectors in the webauthn-harness vector schema, generated by `webauthn-harness vectors generate` from webauthn-l3-section16.json; do not edit."],
            "notes": {},
            "testGroups": files[ceremony],
        })
    };
    Ok((doc(0), doc(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stateless_case_has_a_vector_and_ids_are_unique() {
        let (reg, auth) = generate();
        let mut ids = Vec::new();
        for doc in [&reg, &auth] {
            let mut tc = std::collections::HashSet::new();
            for g in doc["testGroups"].as_array().unwrap() {
                for t in g["tests"].as_array().unwrap() {
                    assert!(tc.insert(t["tcId"].as_u64().unwrap()));
                    ids.push(t["caseId"].as_str().unwrap().to_owned());
                }
            }
            assert_eq!(doc["numberOfTests"].as_u64().unwrap() as usize, tc.len());
        }
        for case in catalog::all().iter().filter(|c| stateless(c)) {
            assert!(ids.iter().any(|id| id == case.id), "{} has no vector", case.id);
        }
        assert_eq!(generate(), generate(), "generation is deterministic");
    }
}
