//! What verification costs, stage by stage, under each compiled-in crypto provider (the figures of
//! `reports/perf/`).
//!
//! For ES256, RS256, EdDSA (Ed25519), ES512, PS256, PS384, PS512, RS384, RS512 and RS1:
//! * `floor/<alg>/<provider>`: the provider's bare signature check, key made ready beforehand: the floor;
//! * `assertion/<alg>/<provider>`: a whole §7.2 authentication, from the response's JSON bytes (as an RP
//!   receives them) to the outcome, against a stored record whose key is ready;
//! * `registration/<alg>/<provider>`: a whole §7.1 registration (`none` attestation) from JSON bytes;
//! * `stage/...`: the provider-independent parts of an assertion: JSON parsing into the response (the fast path
//!   of `AuthenticationResponse::from_json_bytes`, as the reference RP reads `/assertion/result`), the
//!   client data checks with SHA-256, and loading the credential key (done once per credential, not per assertion).
//!
//! `cargo bench -p webauthn-harness-verifier --features aws-lc-rs --bench verify` (both providers; without the
//! feature, only the pure-Rust one). `reports/perf/README.md` has the medians and the ratios to the floor.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use generator::{Algorithm, AssertionDraft, AttestationKind, Generator, RegistrationDraft, Rp};
use verifier::crypto::{self, CredentialKey, CryptoProvider, PublicKey};
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, CredentialRecord, OneRecordStore, Policy,
    RegistrationExpectations, RegistrationResponse,
};
use wire::cose::{CoseKey, EcCurve};

const RP_ID: &str = "bench.example";
const ORIGIN: &str = "https://bench.example";
const USER: &[u8] = b"user-1";
const NOW: u64 = 1_748_736_000;

/// One credential's ceremonies: the registration and an assertion (signCount 0, so it can be verified again).
struct Fixture {
    alg: Algorithm,
    registration_json: Vec<u8>,
    registration_challenge: Vec<u8>,
    assertion_json: Vec<u8>,
    assertion_challenge: Vec<u8>,
    /// The COSE key bytes, the signed message (authenticatorData || SHA-256(clientDataJSON)) and the signature.
    cose: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn fixture(alg: Algorithm) -> Fixture {
    let rp = Rp::new(RP_ID, ORIGIN);
    let mut gen = Generator::new(7);
    let cred = gen.credential(alg, 32);
    let registration_challenge = gen.challenge();
    let registration =
        RegistrationDraft::new(&rp, &cred, &registration_challenge, 0).sign(&cred, AttestationKind::None);
    let assertion_challenge = gen.challenge();
    let assertion =
        AssertionDraft::new(&rp, &cred, &assertion_challenge, 0, 0, Some(USER.to_vec())).sign(&cred);
    let mut message = assertion.authenticator_data.clone();
    message.extend_from_slice(&crypto::sha256(&assertion.client_data_json));
    Fixture {
        alg,
        registration_json: serde_json::to_vec(&registration.to_json()).expect("JSON"),
        registration_challenge,
        assertion_json: serde_json::to_vec(&assertion.to_json()).expect("JSON"),
        assertion_challenge,
        cose: cred.key.cose_key().to_bytes(),
        message,
        signature: assertion.signature.clone(),
    }
}

fn policy(provider: &'static dyn CryptoProvider) -> Policy {
    let mut p = Policy::new(RP_ID, ORIGIN);
    p.crypto = crypto::Provider(provider);
    p
}

fn register(f: &Fixture, p: &Policy) -> CredentialRecord {
    let e = RegistrationExpectations {
        challenge: f.registration_challenge.clone(),
        pub_key_cred_params: vec![f.alg.cose()],
        user_verification_required: false,
        conditional_mediation: false,
    };
    let r = RegistrationResponse::from_json_bytes(&f.registration_json).expect("a registration");
    verifier::verify_registration(&r, &e, p, &verifier::EmptyStore, NOW).expect("accepted").record
}

fn auth_expectations(f: &Fixture) -> AuthenticationExpectations {
    AuthenticationExpectations {
        challenge: f.assertion_challenge.clone(),
        allow_credentials: vec![],
        user_verification_required: false,
        identified_user: Some(USER.to_vec()),
    }
}

/// The provider's verifier for the fixture's key, the way `CredentialKey` makes it.
fn bare(provider: &'static dyn CryptoProvider, f: &Fixture) -> std::sync::Arc<dyn crypto::SignatureVerifier> {
    let cose = CoseKey::parse(&f.cose).expect("a COSE key").key;
    let public = match &cose {
        CoseKey::Ec2 { crv: EcCurve::P256, x, y, .. } => {
            PublicKey::P256 { sec1: [&[4u8][..], x, y].concat() }
        }
        CoseKey::Ec2 { crv: EcCurve::P521, x, y, .. } => {
            PublicKey::P521 { sec1: [&[4u8][..], x, y].concat() }
        }
        CoseKey::Rsa { alg, n, e } => PublicKey::Rsa {
            n: n.clone(),
            e: e.clone(),
            scheme: crypto::RsaScheme::of_alg(*alg).expect("an RSA algorithm"),
        },
        CoseKey::Okp { x, .. } => PublicKey::Ed25519 { x: x.as_slice().try_into().expect("32 bytes") },
        other => panic!("no floor for {other:?}"),
    };
    provider.load(&public).expect("a ready key")
}

fn benches(c: &mut Criterion) {
    for alg in [
        Algorithm::Es256,
        Algorithm::Rs256,
        Algorithm::EdDsa,
        Algorithm::Es512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Rs1,
    ] {
        let f = fixture(alg);
        let name = alg.slug();
        for provider in crypto::providers() {
            let p = policy(provider);
            let floor = bare(provider, &f);
            assert!(
                floor.verify(&f.message, &f.signature),
                "{name}/{}: the floor must verify",
                provider.name()
            );
            c.bench_function(&format!("floor/{name}/{}", provider.name()), |b| {
                b.iter(|| black_box(floor.verify(black_box(&f.message), black_box(&f.signature))))
            });

            let store = OneRecordStore::new(USER, register(&f, &p));
            let e = auth_expectations(&f);
            let assertion = |bytes: &[u8]| {
                let r = AuthenticationResponse::from_json_bytes(bytes).expect("an assertion");
                verifier::verify_authentication(&r, &e, &p, &store).expect("accepted")
            };
            assertion(&f.assertion_json);
            c.bench_function(&format!("assertion/{name}/{}", provider.name()), |b| {
                b.iter(|| black_box(assertion(black_box(&f.assertion_json))))
            });
            let parsed = AuthenticationResponse::from_json_bytes(&f.assertion_json).expect("an assertion");
            c.bench_function(&format!("stage/checks-and-signature/{name}/{}", provider.name()), |b| {
                b.iter(|| {
                    black_box(
                        verifier::verify_authentication(black_box(&parsed), &e, &p, &store)
                            .expect("accepted"),
                    )
                })
            });
            c.bench_function(&format!("registration/{name}/{}", provider.name()), |b| {
                b.iter(|| black_box(register(black_box(&f), &p)))
            });
            let cose = CoseKey::parse(&f.cose).expect("a COSE key").key;
            c.bench_function(&format!("stage/load-key/{name}/{}", provider.name()), |b| {
                b.iter(|| {
                    black_box(CredentialKey::from_cose_with(provider, black_box(&cose)).expect("a key"))
                })
            });
        }
        c.bench_function(&format!("stage/parse-assertion-json/{name}"), |b| {
            b.iter(|| {
                black_box(
                    AuthenticationResponse::from_json_bytes(black_box(&f.assertion_json)).expect("parsed"),
                )
            })
        });
    }
    let f = fixture(Algorithm::Es256);
    let r = AuthenticationResponse::from_json_bytes(&f.assertion_json).expect("parsed");
    c.bench_function("stage/parse-client-data", |b| {
        b.iter(|| {
            black_box(
                wire::client_data::CollectedClientData::parse(black_box(&r.client_data_json))
                    .expect("parsed"),
            )
        })
    });
    c.bench_function("stage/sha256-client-data", |b| {
        b.iter(|| black_box(crypto::sha256(black_box(&r.client_data_json))))
    });
}

/// `attestation/<format>/<provider>`: a whole §7.1 registration of an ES256 credential from JSON bytes with
/// an attestation statement under the harness root (trusted), per format: what a format costs over packed x5c.
fn attestation_benches(c: &mut Criterion) {
    for kind in [AttestationKind::PackedX5c, AttestationKind::Apple, AttestationKind::AndroidKey] {
        let rp = Rp::new(RP_ID, ORIGIN);
        let mut gen = Generator::new(7);
        let cred = gen.credential(Algorithm::Es256, 32);
        let challenge = gen.challenge();
        let json = serde_json::to_vec(
            &RegistrationDraft::new(&rp, &cred, &challenge, 0).sign(&cred, kind).to_json(),
        )
        .expect("JSON");
        let e = RegistrationExpectations {
            challenge,
            pub_key_cred_params: vec![Algorithm::Es256.cose()],
            user_verification_required: false,
            conditional_mediation: false,
        };
        for provider in crypto::providers() {
            let mut p = policy(provider);
            p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
            let run = || {
                let r = RegistrationResponse::from_json_bytes(&json).expect("a registration");
                verifier::verify_registration(&r, &e, &p, &verifier::EmptyStore, NOW).expect("accepted")
            };
            run();
            c.bench_function(
                &format!(
                    "attestation/{}/{}",
                    match kind {
                        AttestationKind::PackedX5c => "packed-x5c",
                        other => other.fmt(),
                    },
                    provider.name()
                ),
                |b| b.iter(|| black_box(run())),
            );
        }
    }
}

criterion_group! {
    name = verify;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(4)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches, attestation_benches
}
criterion_main!(verify);
