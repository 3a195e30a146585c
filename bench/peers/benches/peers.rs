//! One WebAuthn assertion, verified whole by each implementation, next to the bare signature check.
//!
//! * `assertion_<alg>/<implementation>`: `AuthenticationResponseJSON` bytes to the verdict (see `src/lib.rs`);
//! * `signature_<alg>/<crate>`: the signature check alone over the same signed bytes: the floor.
//!
//! Every implementation must accept the assertion before it is timed: a refusal stops the run.
//! `cd bench/peers && cargo bench && cargo run --release --bin table`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion};
use generator::Algorithm;
use peers::{floor, ours::Ours, rp::WebauthnRp, rs_core::RsCore, Ceremony};
use std::hint::black_box;
use verifier::crypto::{AWS_LC_RS, RUST_CRYPTO};

/// Sets an implementation up; for ES256 a refusal is fatal, for the other algorithms a library may not
/// support the algorithm at all (said on stderr and skipped), but once registered it must accept.
fn setup<T>(c: &Ceremony, name: &str, made: Result<T, String>) -> Option<T> {
    match made {
        Ok(t) => Some(t),
        Err(why) if c.alg != Algorithm::Es256 && why.contains("registration refused") => {
            eprintln!(
                "assertion_{}/{name}: skipped, the library refuses the registration: {why}",
                c.alg.slug()
            );
            None
        }
        Err(why) => panic!("assertion_{}/{name}: setup failed: {why}", c.alg.slug()),
    }
}

/// Checks the verdicts on the assertion (must be accepted) and on the control with a broken signature
/// (must be refused, or the implementation is not checking what it is timed for).
fn accepted<T, E: std::fmt::Display>(c: &Ceremony, name: &str, verify: impl Fn(&[u8]) -> Result<T, E>) {
    if let Err(why) = verify(&c.assertion_json) {
        panic!("assertion_{}/{name} REFUSES the generated assertion: {why}", c.alg.slug());
    }
    if verify(&c.tampered_json).is_ok() {
        panic!("assertion_{}/{name} ACCEPTS the assertion with a broken signature", c.alg.slug());
    }
}

fn assertions(g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, c: &Ceremony) {
    let json = c.assertion_json.as_slice();
    for (name, provider) in
        [("verifier-rustcrypto", &RUST_CRYPTO as _), ("verifier-aws-lc-rs", &AWS_LC_RS as _)]
    {
        let ours = setup(c, name, Ours::new(c, provider)).expect("our verifier registers every algorithm");
        accepted(c, name, |j| ours.verify(j));
        g.bench_function(name, |b| b.iter(|| ours.verify(black_box(json)).is_ok()));
    }
    if let Some(core) = setup(c, "webauthn-rs-core", RsCore::new(c)) {
        accepted(c, "webauthn-rs-core", |j| core.verify(j));
        g.bench_function("webauthn-rs-core", |b| b.iter(|| core.verify(black_box(json)).is_ok()));
    }
    if let Some(rp) = setup(c, "webauthn_rp", WebauthnRp::new(c)) {
        accepted(c, "webauthn_rp", |j| rp.verify(rp.fresh().expect("state"), j));
        g.bench_function("webauthn_rp", |b| {
            b.iter_batched(
                || rp.fresh().expect("state"),
                |fresh| rp.verify(fresh, black_box(json)).is_ok(),
                BatchSize::SmallInput,
            )
        });
    }
}

fn signatures(g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, c: &Ceremony) {
    for (name, check) in
        [Some(floor::rust(c)), floor::ed25519_strict(c), Some(floor::aws_lc(c))].into_iter().flatten()
    {
        assert!(check(&c.message, &c.signature), "signature_{}/{name} REFUSES the signature", c.alg.slug());
        let mut broken = c.signature.clone();
        *broken.last_mut().expect("a signature") ^= 1;
        assert!(!check(&c.message, &broken), "signature_{}/{name} ACCEPTS a broken signature", c.alg.slug());
        g.bench_function(name, |b| b.iter(|| check(black_box(&c.message), black_box(&c.signature))));
    }
}

fn benches(crit: &mut Criterion) {
    for alg in [Algorithm::Es256, Algorithm::Rs256, Algorithm::EdDsa] {
        let c = Ceremony::new(alg);
        let mut g = crit.benchmark_group(format!("signature_{}", alg.slug()));
        signatures(&mut g, &c);
        g.finish();
        let mut g = crit.benchmark_group(format!("assertion_{}", alg.slug()));
        assertions(&mut g, &c);
        g.finish();
    }
}

criterion_group! {
    name = peers;
    config = Criterion::default()
        .sample_size(100)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(peers);
