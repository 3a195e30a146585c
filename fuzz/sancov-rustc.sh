#!/bin/sh
# The rustc wrapper of the fuzz crate (.cargo/config.toml): compiles the cryptography crates without
# libFuzzer's coverage instrumentation (SanitizerCoverage), everything else as cargo-fuzz asks.
#
# Their constant-time arithmetic is where a ceremony target spent most of its time: every comparison traced
# (-sanitizer-coverage-trace-compares) and thousands of edge counters collected per run, feedback that says
# nothing about the harness (the fuzzer cannot steer field arithmetic). AddressSanitizer, debug assertions
# and overflow checks stay on for them. The flags are appended, so they override cargo-fuzz's RUSTFLAGS.
rustc=$1
shift
name=
prev=
for arg in "$@"; do
    if [ "$prev" = "--crate-name" ]; then
        name=$arg
    fi
    prev=$arg
done
case $name in
p256 | p384 | ecdsa | elliptic_curve | primeorder | crypto_bigint | num_bigint_dig | rsa | sha2 | curve25519_dalek | \
    ed25519_dalek | ff | group | subtle | digest | hmac | rfc6979 | num_integer | num_traits | block_buffer | crypto_common)
    exec "$rustc" "$@" -Cllvm-args=-sanitizer-coverage-level=0 \
        -Cllvm-args=-sanitizer-coverage-trace-compares=false \
        -Cllvm-args=-sanitizer-coverage-inline-8bit-counters=false \
        -Cllvm-args=-sanitizer-coverage-pc-table=false \
        -Cllvm-args=-sanitizer-coverage-stack-depth=false
    ;;
*) exec "$rustc" "$@" ;;
esac
