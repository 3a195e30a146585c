//! What an attested registration costs: a whole §7.1 registration from JSON bytes with `packed` x5c (§8.2)
//! and with `tpm` (§8.3) attestation, trust path checked against the harness attestation root, under the
//! default crypto provider. Issue 18 asks that a tpm registration cost at most 2× a packed-x5c one.
//!
//! `cargo bench -p webauthn-harness-verifier --bench attestation`. One run (2026-12-07, bench
//! profile, pure-Rust provider, on the shared 2-core machine under load ~7): medians packed-x5c ES256 2.11 ms,
//! tpm ES256 2.32 ms (1.10×), tpm RS256 credential 2.22 ms (1.05×), none 73 µs.
//! android-safetynet (an RS256 JWS by an attest.android.com certificate under the root; 2026-12-07, load ~7):
//! medians packed-x5c ES256 0.96 ms, android-safetynet 0.80 ms (0.83×: one RSA-2048 verification with e = 65537
//! and the certificate's ECDSA, where packed-x5c verifies two ECDSA signatures), none 31 µs.
//! Compound (packed x5c + tpm, issue 18), run 2026-12-07 21:58 UTC under load ~7.5: packed-x5c ES256
//! 0.90 ms, compound ES256 1.81 ms (2.0×: it verifies both sub-statements and assesses both trust paths).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use generator::{Algorithm, AttestationKind, Generator, RegistrationDraft, Rp};
use verifier::{Policy, RegistrationExpectations, RegistrationResponse};

const RP_ID: &str = "bench.example";
const ORIGIN: &str = "https://bench.example";
const NOW: u64 = 1_748_736_000;

fn fixture(alg: Algorithm, kind: AttestationKind) -> (Vec<u8>, RegistrationExpectations) {
    let rp = Rp::new(RP_ID, ORIGIN);
    let mut gen = Generator::new(7);
    let cred = gen.credential(alg, 32);
    let challenge = gen.challenge();
    let registration = RegistrationDraft::new(&rp, &cred, &challenge, 0).sign(&cred, kind);
    let e = RegistrationExpectations {
        challenge,
        pub_key_cred_params: vec![alg.cose()],
        user_verification_required: false,
        conditional_mediation: false,
    };
    (serde_json::to_vec(&registration.to_json()).expect("JSON"), e)
}

fn benches(c: &mut Criterion) {
    let mut p = Policy::new(RP_ID, ORIGIN);
    p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    for (name, alg, kind) in [
        ("es256/packed-x5c", Algorithm::Es256, AttestationKind::PackedX5c),
        ("es256/tpm", Algorithm::Es256, AttestationKind::Tpm),
        ("rs256/tpm", Algorithm::Rs256, AttestationKind::Tpm),
        ("es256/none", Algorithm::Es256, AttestationKind::None),
        // issue 18: android-safetynet (§8.5): an RS256 JWS by an attest.android.com certificate.
        ("es256/android-safetynet", Algorithm::Es256, AttestationKind::AndroidSafetynet),
        // issue 18: compound (§8.9) of packed x5c and tpm.
        ("es256/compound", Algorithm::Es256, AttestationKind::Compound),
    ] {
        let (json, e) = fixture(alg, kind);
        let register = || {
            let r = RegistrationResponse::from_json_bytes(&json).expect("a registration");
            verifier::verify_registration(&r, &e, &p, &verifier::EmptyStore, NOW).expect("accepted")
        };
        register();
        c.bench_function(&format!("attested-registration/{name}"), |b| b.iter(|| black_box(register())));
    }
}

criterion_group! {
    name = attestation;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(4)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches
}
criterion_main!(attestation);
