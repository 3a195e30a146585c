#!/bin/bash -eu
# Builds every cargo-fuzz target of fuzz/ for ClusterFuzzLite / OSS-Fuzz and puts each binary in $OUT with
# its seed corpus ($OUT/<target>_seed_corpus.zip: the committed corpus/<target>/ and corpus/found/<target>/,
# and the saved crash inputs fuzz/regressions/<target>/). The base builder's environment supplies the sanitizer flags.
cd "$SRC/webauthn-harness"

# Release with debug assertions (overflow checks), as `cargo fuzz run` builds locally.
# From fuzz/, so that fuzz/.cargo/config.toml (the rustc wrapper sancov-rustc.sh) applies.
(cd fuzz && cargo fuzz build --release --debug-assertions)

release=fuzz/target/x86_64-unknown-linux-gnu/release
for target in $(cargo fuzz list); do
    cp "$release/$target" "$OUT/"
    seeds=$(mktemp -d)
    cp corpus/"$target"/* "$seeds"/
    if [ -d corpus/found/"$target" ]; then
        cp corpus/found/"$target"/* "$seeds"/
    fi
    if [ -d fuzz/regressions/"$target" ]; then
        cp fuzz/regressions/"$target"/* "$seeds"/
    fi
    (cd "$seeds" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    rm -rf "$seeds"
done

# A ceremony description reads at most 4 mutations (about 200 bytes): the same libFuzzer options fuzz/run.sh
# gives these targets.
for target in registration authentication; do
    printf '[libfuzzer]\nmax_len = 256\nlen_control = 0\n' >"$OUT/$target.options"
done
