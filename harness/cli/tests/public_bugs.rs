//! Bugs from the public record, reproduced: the reference RP with exactly one shipped bug put back must be caught
//! by the catalogue on the cases that reproduce it, and on nothing else.
//!
//! - CVE-2022-21449 ("psychic signatures"): a verifier without the range check of ECDSA's r and s accepts r = 0,
//!   s = 0 as a signature of anything. The RP here verifies through a crypto provider that does so (it sees the
//!   zero signature through `CryptoProvider::receives_zero_ecdsa_signatures` and calls it valid), exactly as
//!   Java 15 to 18 did, and still refuses r = 0 or s = 0 alone (with the other a real value, the point the
//!   verification computes is not at infinity, so Java refused those too).
//! - Duplicate CBOR map keys: a decoder that keeps the first, or the last, of two entries with the same key
//!   (`Policy::cbor_duplicate_keys`), everything else strict (canonical form included, so a key written in a
//!   longer encoding is still refused as non-canonical).
//! - Certificate paths: an RP that trusts the self-signed CA a statement appends to x5c
//!   (`AttestationPolicy::trust_self_signed_in_x5c`), and one that requires a packed x5c statement's alg to be
//!   the credential key's (`AttestationPolicy::packed_x5c_alg_is_credential_alg`), as Firehed/webauthn-php#114
//!   and linuxchata/fido2#558 did.

use std::collections::BTreeSet;
use std::sync::Arc;

use generator::catalog::{self, Case, Flag};
use grader::{Report, Verdict};
use rp::ReferenceRp;
use testkit::not_good;
use testkit::{ORIGIN, RP_ID};
use verifier::crypto::{
    CryptoProvider, KeyError, PublicKey, SignatureVerifier, ECDSA_ZERO_SIGNATURE, RUST_CRYPTO,
};
use wire::cbor::DuplicateKeys;

fn grade(rp: ReferenceRp, cases: &[Case]) -> Report {
    testkit::grade_in_process(&rp, cases)
}

fn set(entries: &[(&str, Verdict)]) -> BTreeSet<(String, Verdict)> {
    entries.iter().map(|(id, v)| (id.to_string(), *v)).collect()
}

// ---- CVE-2022-21449 ----

/// The pure-Rust provider, except that r = 0, s = 0 verifies under any ECDSA key.
#[derive(Debug)]
struct Psychic;

static PSYCHIC: Psychic = Psychic;

#[derive(Debug)]
struct PsychicVerifier(Arc<dyn SignatureVerifier>);

impl SignatureVerifier for PsychicVerifier {
    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        sig == ECDSA_ZERO_SIGNATURE || self.0.verify(message, sig)
    }
}

impl CryptoProvider for Psychic {
    fn name(&self) -> &'static str {
        "psychic"
    }

    fn load(&self, key: &PublicKey) -> Result<Arc<dyn SignatureVerifier>, KeyError> {
        let real = RUST_CRYPTO.load(key)?;
        Ok(match key {
            PublicKey::P256 { .. } | PublicKey::P384 { .. } | PublicKey::P521 { .. } => {
                Arc::new(PsychicVerifier(real))
            }
            PublicKey::Rsa { .. } | PublicKey::Ed25519 { .. } => real,
        })
    }

    fn receives_zero_ecdsa_signatures(&self) -> bool {
        true
    }
}

const PSYCHIC_CASES: [&str; 5] = [
    "auth.signature.es256.r-zero-s-zero",
    "auth.signature.es384.r-zero-s-zero",
    "auth.signature.es512.r-zero-s-zero",
    "reg.attestation.packed-self.sig-r-zero-s-zero",
    "reg.attestation.packed-x5c.sig-r-zero-s-zero",
];

fn psychic_rp() -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.policy.crypto = verifier::crypto::Provider(&PSYCHIC);
    ReferenceRp::new(config)
}

#[test]
fn an_rp_that_accepts_psychic_signatures_fails_exactly_the_cases_that_reproduce_cve_2022_21449() {
    let report = grade(psychic_rp(), &catalog::all());
    let expected: Vec<(&str, Verdict)> = PSYCHIC_CASES.iter().map(|id| (*id, Verdict::Fail)).collect();
    assert_eq!(not_good(&report), set(&expected));
    // They are the cases that cite the CVE, and each says so in the report.
    let citing: BTreeSet<&str> = catalog::all()
        .into_iter()
        .filter(|c| c.references.iter().any(|r| r.id == "CVE-2022-21449"))
        .map(|c| c.id)
        .collect();
    assert_eq!(citing, PSYCHIC_CASES.into_iter().collect());
    for id in PSYCHIC_CASES {
        let c = report.cases.iter().find(|c| c.id == id).unwrap();
        assert!(c.references.iter().any(|r| r.id == "CVE-2022-21449"), "{id}");
    }
    // r = 0 or s = 0 alone is no psychic signature: this RP still refuses them, as Java 15 to 18 did.
    for id in ["auth.signature.es256.r-zero", "auth.signature.es256.s-zero"] {
        let c = report.cases.iter().find(|c| c.id == id).unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{id}");
    }
}

#[test]
fn the_reference_rp_refuses_psychic_signatures_as_malformed_or_by_the_statement_signature_check() {
    let cases: Vec<Case> = PSYCHIC_CASES.iter().map(|id| catalog::get(id).unwrap()).collect();
    let report = grade(testkit::reference_rp(), &cases);
    for c in &report.cases {
        let check = c.observed.as_ref().and_then(|o| o.check.clone());
        let want =
            if c.id.starts_with("auth.") { "auth.signature.malformed" } else { "reg.attestation.signature" };
        assert_eq!((c.verdict, check.as_deref()), (Verdict::Pass, Some(want)), "{}", c.id);
    }
}

// ---- duplicate CBOR map keys ----

fn lenient_rp(duplicate_keys: DuplicateKeys) -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.policy.cbor_duplicate_keys = duplicate_keys;
    ReferenceRp::new(config)
}

/// Both readers: the entry they keep is a valid value either way (the same extension output, authData whose
/// flags differ only in UV, which this registration does not require).
const EITHER_READER: [&str; 5] = [
    "reg.cbor.duplicate-key.auth-data",
    "reg.cbor.extensions.duplicate-key",
    "reg.cbor.extensions.output-duplicate-key",
    "auth.cbor.extensions.duplicate-key",
    "auth.cbor.extensions.output-duplicate-key",
];

#[test]
fn an_rp_whose_decoder_keeps_the_last_duplicate_key_fails_exactly_the_cases_whose_last_entry_is_valid() {
    let report = grade(lenient_rp(DuplicateKeys::KeepLast), &catalog::all());
    let mut expected: Vec<(&str, Verdict)> = EITHER_READER.iter().map(|id| (*id, Verdict::Warn)).collect();
    expected.extend([
        // The RSA key a last-entry reader loads is valid: py_webauthn's bug.
        ("reg.cbor.cose-key.duplicate-kty-ec2-then-rsa", Verdict::Warn),
        // The packed procedure's own step (valid CBOR) fails: a MUST of the RP's procedure.
        ("reg.cbor.att-stmt.duplicate-alg-valid-last", Verdict::Fail),
    ]);
    assert_eq!(not_good(&report), set(&expected));
}

#[test]
fn an_rp_whose_decoder_keeps_the_first_duplicate_key_fails_exactly_the_cases_whose_first_entry_is_valid() {
    let report = grade(lenient_rp(DuplicateKeys::KeepFirst), &catalog::all());
    let mut expected: Vec<(&str, Verdict)> = EITHER_READER.iter().map(|id| (*id, Verdict::Warn)).collect();
    expected.extend([
        ("reg.cbor.duplicate-key.fmt", Verdict::Warn),
        ("reg.cbor.cose-key.duplicate-label", Verdict::Warn),
        ("reg.cbor.att-stmt.duplicate-alg", Verdict::Fail),
    ]);
    assert_eq!(not_good(&report), set(&expected));
}

#[test]
fn every_case_a_lenient_decoder_gets_wrong_reveals_duplicate_keys_and_the_rest_are_caught_otherwise() {
    let duplicate_key_cases: BTreeSet<&str> = catalog::all()
        .into_iter()
        .filter(|c| c.flags.contains(&Flag::CborDuplicateKeys))
        .map(|c| c.id)
        .collect();
    let mut missed_by_both: BTreeSet<&str> = duplicate_key_cases.clone();
    for mode in [DuplicateKeys::KeepFirst, DuplicateKeys::KeepLast] {
        let report = grade(lenient_rp(mode), &catalog::all());
        for (id, _) in not_good(&report) {
            assert!(
                duplicate_key_cases.contains(id.as_str()),
                "{mode:?}: {id} does not reveal duplicate keys"
            );
            missed_by_both.remove(id.as_str());
        }
    }
    // What neither lenient reader accepts: a key in two encodings, which this otherwise strict RP refuses as
    // non-canonical (a reader that also takes non-minimal encodings, as ASP.NET Core's does, would not).
    let expected: BTreeSet<&str> = [
        "reg.cbor.duplicate-key.two-encodings",
        "reg.cbor.duplicate-key.auth-data-two-encodings",
        "reg.cbor.cose-key.duplicate-label-two-encodings",
        "auth.cbor.extensions.duplicate-key-two-encodings",
    ]
    .into();
    assert_eq!(missed_by_both, expected);
}

// ---- certificate paths (issue 20 class 5) ----

fn attestation_rp(f: fn(&mut verifier::policy::AttestationPolicy)) -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    f(&mut config.policy.attestation);
    ReferenceRp::new(config)
}

/// An RP that takes the self-signed certificates a statement's x5c brings after the attestation certificate
/// as trust anchors (as the peers do whose adapters configure no anchors) trusts the rogue CA of exactly one
/// case; a self-signed attestation certificate alone (fido-u2f.self-signed) is still refused.
#[test]
fn an_rp_that_trusts_a_self_signed_root_appended_to_x5c_fails_exactly_the_rogue_root_case() {
    let report = grade(attestation_rp(|a| a.trust_self_signed_in_x5c = true), &catalog::all());
    // A SHOULD of §7.1 step 24: a warning, not a failure.
    assert_eq!(not_good(&report), set(&[("reg.attestation.packed-x5c.rogue-root-appended", Verdict::Warn)]));
    assert_eq!(testkit::outcome(&report, "reg.attestation.fido-u2f.self-signed").0, Verdict::Pass);
}

/// An RP that compares a packed x5c statement's alg with the credential key's (a step of self attestation
/// only) refuses exactly the valid statements by an ES256 certificate of a credential of another algorithm, and
/// the one by a P-521 certificate (alg -36) of an ES256 credential.
#[test]
fn an_rp_that_requires_the_x5c_alg_to_be_the_credentials_fails_exactly_the_credential_alg_cases() {
    let report = grade(attestation_rp(|a| a.packed_x5c_alg_is_credential_alg = true), &catalog::all());
    assert_eq!(
        not_good(&report),
        set(&[
            ("reg.attestation.packed-x5c.credential-es384", Verdict::Fail),
            ("reg.attestation.packed-x5c.credential-rs256", Verdict::Fail),
            ("reg.attestation.packed-x5c.credential-eddsa", Verdict::Fail),
            // An ES256 credential attested by a P-521 key (alg -36): the same mismatch the other way round.
            ("reg.valid.packed-x5c.p521-attestation-key", Verdict::Fail),
        ])
    );
    let (_, check) = testkit::outcome(&report, "reg.attestation.packed-x5c.credential-rs256");
    assert_eq!(check.as_deref(), Some("reg.attestation.alg-mismatch"));
}
