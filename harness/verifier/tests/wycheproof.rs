//! Wycheproof's ECDSA P-256/SHA-256 and RSASSA-PKCS1-v1_5 2048/SHA-256 vectors through every compiled-in crypto
//! provider, the way the verifier uses them: a COSE credential key made ready once, then `CredentialKey::verify`.
//!
//! Every provider must accept each `valid` test and refuse each `invalid` one, and all providers must give the
//! same verdict on every test, `acceptable` ones included: a disagreement between backends is a bug (in one of
//! them, or in the provider-independent checks that are meant to make their verdicts the same).
//!
//! With the default features only the pure-Rust provider is compiled in; `--features aws-lc-rs` (or
//! `default-aws-lc-rs`, as `.ci/run` runs it) adds AWS-LC and with it the comparison.

use verifier::crypto::{self, CredentialKey, CryptoProvider, SignatureError};
use wire::cose::{alg, CoseKey, EcCurve};
use wycheproof::TestResult;

/// One test's outcome under one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Accepted,
    KeyRefused(String),
    Malformed,
    Invalid,
}

fn verify(provider: &'static dyn CryptoProvider, key: &CoseKey, msg: &[u8], sig: &[u8]) -> Outcome {
    match CredentialKey::from_cose_with(provider, key) {
        Err(e) => Outcome::KeyRefused(e.to_string()),
        Ok(k) => match k.verify(msg, sig) {
            Ok(()) => Outcome::Accepted,
            Err(SignatureError::Malformed(_)) => Outcome::Malformed,
            Err(SignatureError::Invalid) => Outcome::Invalid,
        },
    }
}

/// One Wycheproof test with its group's key.
struct Case {
    key: CoseKey,
    tc_id: usize,
    comment: String,
    result: TestResult,
    msg: Vec<u8>,
    sig: Vec<u8>,
}

/// A group's tests (any Wycheproof signature test type: they share these members) as [`Case`]s with its key.
macro_rules! push_cases {
    ($tests:ident, $key:ident, $group_tests:expr) => {
        for t in $group_tests {
            $tests.push(Case {
                key: $key.clone(),
                tc_id: t.tc_id,
                comment: t.comment,
                result: t.result,
                msg: t.msg.to_vec(),
                sig: t.sig.to_vec(),
            });
        }
    };
}

/// Runs `tests` (more than `min` of them) under every provider and checks the rules above.
fn run(set: &str, tests: Vec<Case>, min: usize) {
    let providers = crypto::providers();
    let mut problems = Vec::new();
    let mut accepted_acceptable = 0;
    for Case { key, tc_id, comment, result, msg, sig } in &tests {
        let outcomes: Vec<(&str, Outcome)> =
            providers.iter().map(|p| (p.name(), verify(*p, key, msg, sig))).collect();
        let first = &outcomes[0].1;
        if outcomes.iter().any(|(_, o)| o != first) {
            problems.push(format!("{set} tcId {tc_id} ({comment}): providers disagree: {outcomes:?}"));
            continue;
        }
        match result {
            TestResult::Valid if *first != Outcome::Accepted => {
                problems.push(format!("{set} tcId {tc_id} ({comment}): valid, but {first:?}"))
            }
            TestResult::Invalid if *first == Outcome::Accepted => {
                problems.push(format!("{set} tcId {tc_id} ({comment}): invalid, but accepted"))
            }
            TestResult::Acceptable if *first == Outcome::Accepted => accepted_acceptable += 1,
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert!(tests.len() > min, "only {} tests in {set}", tests.len());
    eprintln!(
        "{set}: {} tests, {accepted_acceptable} acceptable ones accepted, {} provider(s)",
        tests.len(),
        crypto::providers().len()
    );
}

#[test]
fn ecdsa_p256_sha256() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).expect("the embedded test set");
    let mut tests = Vec::new();
    for group in set.test_groups {
        // The uncompressed point: 0x04 || x || y.
        let point: &[u8] = &group.key.key;
        assert_eq!(point.len(), 65, "an uncompressed P-256 point");
        let key = CoseKey::Ec2 {
            alg: alg::ES256,
            crv: EcCurve::P256,
            x: point[1..33].to_vec(),
            y: point[33..].to_vec(),
        };
        push_cases!(tests, key, group.tests);
    }
    run("ecdsa_secp256r1_sha256", tests, 400);
}

#[test]
fn rsa_pkcs1_2048_sha256() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let set = TestSet::load(TestName::Rsa2048Sha256).expect("the embedded test set");
    let mut tests = Vec::new();
    for group in set.test_groups {
        let key = CoseKey::Rsa { alg: alg::RS256, n: group.key.n.to_vec(), e: group.key.e.to_vec() };
        push_cases!(tests, key, group.tests);
    }
    run("rsa_signature_2048_sha256", tests, 100);
}

/// Under `default-aws-lc-rs` the suite must really run on AWS-LC (not silently on the default).
#[test]
fn the_default_provider_is_the_one_the_features_say() {
    let expected = if cfg!(feature = "default-aws-lc-rs") { "aws-lc-rs" } else { "rustcrypto" };
    assert_eq!(crypto::default_provider().name(), expected);
    assert_eq!(crypto::providers()[0].name(), expected);
    assert_eq!(crypto::providers().len(), if cfg!(feature = "aws-lc-rs") { 2 } else { 1 });
}
