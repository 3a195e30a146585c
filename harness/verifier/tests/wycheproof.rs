//! Wycheproof's signature vectors for every COSE algorithm the verifier supports and Wycheproof covers, through
//! every compiled-in crypto provider, the way the verifier uses them: a COSE credential key made ready once,
//! then `CredentialKey::verify`. ES256, ES384, ES512: ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512 (DER
//! signatures). RS256, RS384, RS512: RSASSA-PKCS1-v1_5 with SHA-256, SHA-384, SHA-512 (2048, 3072 and 4096-bit
//! keys). PS256, PS384, PS512: RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash (RFC 8230
//! §2), the sets `rsa_pss_{2048,3072,4096}_sha256_mgf1_32`, `rsa_pss_{2048,4096}_sha384_mgf1_48` and
//! `rsa_pss_4096_sha512_mgf1_64`. Wycheproof has no RSASSA-PKCS1-v1_5 SHA-1 set, so RS1 has none; EdDSA is
//! covered by the Ed25519 tests of `ed25519-dalek`'s strict verification elsewhere. The vectors come embedded
//! in the `wycheproof` crate (C2SP/wycheproof's `testvectors_v1`); nothing is downloaded.
//!
//! Every provider must accept each `valid` test and refuse each `invalid` one, and all providers must give the
//! same verdict on every test, `acceptable` ones included: a disagreement between backends is a bug (in one of
//! them, or in the provider-independent checks that are meant to make their verdicts the same).
//!
//! With the default features only the pure-Rust provider is compiled in; `--features aws-lc-rs` (or
//! `default-aws-lc-rs`, as `.ci/run` runs it) adds AWS-LC and with it the comparison.

use verifier::crypto::{self, CredentialKey, CryptoProvider, SignatureError};
use wire::cose::{alg, CoseKey, EcCurve};
use wycheproof::HashFunction;
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

/// The ECDSA tests of `name` with keys of `curve` and COSE `alg`.
fn ecdsa(name: wycheproof::ecdsa::TestName, curve: EcCurve, cose_alg: i64, set: &str, min: usize) {
    let set_data = wycheproof::ecdsa::TestSet::load(name).expect("the embedded test set");
    let len = curve.coordinate_len();
    let mut tests = Vec::new();
    for group in set_data.test_groups {
        // The uncompressed point: 0x04 || x || y.
        let point: &[u8] = &group.key.key;
        assert_eq!(point.len(), 1 + 2 * len, "an uncompressed {} point", curve.name());
        let key = CoseKey::Ec2 {
            alg: cose_alg,
            crv: curve,
            x: point[1..1 + len].to_vec(),
            y: point[1 + len..].to_vec(),
        };
        push_cases!(tests, key, group.tests);
    }
    run(set, tests, min);
}

#[test]
fn ecdsa_p256_sha256() {
    use wycheproof::ecdsa::TestName;
    ecdsa(TestName::EcdsaSecp256r1Sha256, EcCurve::P256, alg::ES256, "ecdsa_secp256r1_sha256", 400);
}

#[test]
fn ecdsa_p384_sha384() {
    use wycheproof::ecdsa::TestName;
    ecdsa(TestName::EcdsaSecp384r1Sha384, EcCurve::P384, alg::ES384, "ecdsa_secp384r1_sha384", 400);
}

#[test]
fn ecdsa_p521_sha512() {
    use wycheproof::ecdsa::TestName;
    ecdsa(TestName::EcdsaSecp521r1Sha512, EcCurve::P521, alg::ES512, "ecdsa_secp521r1_sha512", 400);
}

/// The RSASSA-PKCS1-v1_5 tests of `name`, whose keys are used with COSE `alg`.
fn rsa_pkcs1(name: wycheproof::rsa_pkcs1_verify::TestName, cose_alg: i64, set: &str, min: usize) {
    let set_data = wycheproof::rsa_pkcs1_verify::TestSet::load(name).expect("the embedded test set");
    let mut tests = Vec::new();
    for group in set_data.test_groups {
        let key = CoseKey::Rsa { alg: cose_alg, n: group.key.n.to_vec(), e: group.key.e.to_vec() };
        push_cases!(tests, key, group.tests);
    }
    run(set, tests, min);
}

#[test]
fn rsa_pkcs1_2048_sha256() {
    use wycheproof::rsa_pkcs1_verify::TestName;
    rsa_pkcs1(TestName::Rsa2048Sha256, alg::RS256, "rsa_signature_2048_sha256", 100);
}

#[test]
fn rsa_pkcs1_sha384() {
    use wycheproof::rsa_pkcs1_verify::TestName;
    rsa_pkcs1(TestName::Rsa2048Sha384, alg::RS384, "rsa_signature_2048_sha384", 100);
    rsa_pkcs1(TestName::Rsa3072Sha384, alg::RS384, "rsa_signature_3072_sha384", 100);
    rsa_pkcs1(TestName::Rsa4096Sha384, alg::RS384, "rsa_signature_4096_sha384", 100);
}

#[test]
fn rsa_pkcs1_sha512() {
    use wycheproof::rsa_pkcs1_verify::TestName;
    rsa_pkcs1(TestName::Rsa2048Sha512, alg::RS512, "rsa_signature_2048_sha512", 100);
    rsa_pkcs1(TestName::Rsa3072Sha512, alg::RS512, "rsa_signature_3072_sha512", 100);
    rsa_pkcs1(TestName::Rsa4096Sha512, alg::RS512, "rsa_signature_4096_sha512", 100);
}

/// The RSASSA-PSS tests of `name`, whose keys are used with COSE `alg`; every group must have the parameters
/// the COSE algorithm fixes (RFC 8230 §2: MGF1 with the message hash, a salt as long as the hash).
fn rsa_pss(name: wycheproof::rsa_pss_verify::TestName, cose_alg: i64, set: &str, min: usize) {
    let (hash, salt) = match cose_alg {
        alg::PS256 => (HashFunction::Sha2_256, 32),
        alg::PS384 => (HashFunction::Sha2_384, 48),
        _ => (HashFunction::Sha2_512, 64),
    };
    let set_data = wycheproof::rsa_pss_verify::TestSet::load(name).expect("the embedded test set");
    let mut tests = Vec::new();
    for group in set_data.test_groups {
        assert_eq!((group.hash, group.mgf_hash, group.salt_size), (hash, Some(hash), salt), "{set}");
        let key = CoseKey::Rsa { alg: cose_alg, n: group.key.n.to_vec(), e: group.key.e.to_vec() };
        push_cases!(tests, key, group.tests);
    }
    run(set, tests, min);
}

#[test]
fn rsa_pss_sha256() {
    use wycheproof::rsa_pss_verify::TestName;
    rsa_pss(TestName::RsaPss2048Sha256Mgf1SaltLen32, alg::PS256, "rsa_pss_2048_sha256_mgf1_32", 50);
    rsa_pss(TestName::RsaPss3072Sha256Mgf1SaltLen32, alg::PS256, "rsa_pss_3072_sha256_mgf1_32", 50);
    rsa_pss(TestName::RsaPss4096Sha256Mgf1SaltLen32, alg::PS256, "rsa_pss_4096_sha256_mgf1_32", 50);
}

#[test]
fn rsa_pss_sha384() {
    use wycheproof::rsa_pss_verify::TestName;
    rsa_pss(TestName::RsaPss2048Sha384Mgf1SaltLen48, alg::PS384, "rsa_pss_2048_sha384_mgf1_48", 50);
    rsa_pss(TestName::RsaPss4096Sha384Mgf1SaltLen48, alg::PS384, "rsa_pss_4096_sha384_mgf1_48", 50);
}

#[test]
fn rsa_pss_sha512() {
    use wycheproof::rsa_pss_verify::TestName;
    rsa_pss(TestName::RsaPss4096Sha512Mgf1SaltLen64, alg::PS512, "rsa_pss_4096_sha512_mgf1_64", 50);
}

/// One RSA key signing under each RSA algorithm (the generator's keys): every provider accepts each signature
/// under its own algorithm and refuses it, as well-formed but invalid, under each other one; the padding (PKCS#1
/// v1.5 or PSS) and the hash are the algorithm's, never guessed from the signature. RS1 has no Wycheproof set,
/// so this is where its verification is compared across providers.
#[test]
fn rsa_schemes_do_not_verify_each_others_signatures() {
    use generator::Algorithm;
    let rsa: Vec<Algorithm> = Algorithm::ALL.into_iter().filter(|a| a.is_rsa()).collect();
    assert_eq!(rsa.len(), 7);
    let key = generator::Generator::new(7).credential(Algorithm::Rs256, 16).key;
    let msg = b"authenticatorData || clientDataHash";
    for signer in &rsa {
        let sig = key.with_algorithm(*signer).expect("an RSA algorithm").sign(msg);
        for verifier_alg in &rsa {
            let cose = key.with_algorithm(*verifier_alg).expect("an RSA algorithm").cose_key();
            for p in crypto::providers() {
                let got = verify(p, &cose, msg, &sig);
                let want = if signer == verifier_alg { Outcome::Accepted } else { Outcome::Invalid };
                assert_eq!(got, want, "{signer:?} signature under {verifier_alg:?}, {}", p.name());
            }
        }
    }
}

/// ES512 signatures from the generator verify under every provider; under ES256 or ES384 keys of other curves
/// they are refused (the curve is the key's, §5.8.5).
#[test]
fn es512_signatures_from_the_generator() {
    use generator::Algorithm;
    let key = generator::Generator::new(7).credential(Algorithm::Es512, 16).key;
    let msg = b"authenticatorData || clientDataHash";
    let sig = key.sign(msg);
    assert!(sig.len() > 128, "a DER P-521 signature needs the long length form");
    for p in crypto::providers() {
        assert_eq!(verify(p, &key.cose_key(), msg, &sig), Outcome::Accepted, "{}", p.name());
        assert_eq!(verify(p, &key.cose_key(), b"another message", &sig), Outcome::Invalid, "{}", p.name());
    }
}

/// Under `default-aws-lc-rs` the suite must really run on AWS-LC (not silently on the default).
#[test]
fn the_default_provider_is_the_one_the_features_say() {
    let expected = if cfg!(feature = "default-aws-lc-rs") { "aws-lc-rs" } else { "rustcrypto" };
    assert_eq!(crypto::default_provider().name(), expected);
    assert_eq!(crypto::providers()[0].name(), expected);
    assert_eq!(crypto::providers().len(), if cfg!(feature = "aws-lc-rs") { 2 } else { 1 });
}
