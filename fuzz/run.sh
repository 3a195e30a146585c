#!/usr/bin/env bash
# Fuzzes one target (or all of them in turn) for a bounded time, the way the nightly workflow does, then
# minimises the grown corpus.
#
#   fuzz/run.sh TARGET [SECONDS]     one target, SECONDS of fuzzing (default 600)
#   fuzz/run.sh all [SECONDS]        every target in turn, SECONDS each
#   fuzz/run.sh list                 the target names
#
# Inputs the fuzzer finds go to a working corpus, FUZZ_CORPUS/TARGET (default fuzz/corpus/TARGET, which git
# ignores). The committed seeds (corpus/TARGET), the committed finds (corpus/found/TARGET) and the saved
# crash inputs (fuzz/regressions/TARGET) are read as seeds and never written. One libFuzzer process runs at a time.
#
# Environment:
#   FUZZ_CORPUS=DIR     where the working corpora live
#   FUZZ_MINIMIZE=0     skip the corpus minimisation after fuzzing
#   FUZZ_SANITIZER=S    cargo fuzz --sanitizer (address, none, leak, memory, thread); the default is none for
#                       the ceremony targets (registration, authentication), address for the others
#   FUZZ_ARGS="..."     more libFuzzer flags (they come last, so they win), e.g. "-max_len=8192"
#
# The RSS limit is raised to 4 GiB: AddressSanitizer's allocator bookkeeping (quarantine, allocation stack
# traces) grows a process to about 1 GiB within minutes without any leak, which under libFuzzer's default
# 2 GiB would end a long run as a false out-of-memory. A single allocation over 1 GiB still fails the run.
#
# Exit status: 0 no crash; 1 a target crashed (its input is under fuzz/artifacts/TARGET/, with REPRODUCE.md
# saying how to reproduce it and keep it as a regression); 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
targets=(cbor authenticator_data cose_key attestation_object client_data_json registration authentication key_description apple_nonce tpm metadata jws compound)

usage() {
    echo "usage: fuzz/run.sh TARGET|all|list [SECONDS]" >&2
    echo "targets: ${targets[*]}" >&2
    exit 2
}

target=${1:-}
seconds=${2:-600}
[[ -n $target ]] || usage
[[ $seconds =~ ^[0-9]+$ ]] || usage

case $target in
list)
    printf '%s\n' "${targets[@]}"
    exit 0
    ;;
all)
    status=0
    for t in "${targets[@]}"; do
        "$0" "$t" "$seconds" || status=1
    done
    exit $status
    ;;
esac
[[ " ${targets[*]} " == *" $target "* ]] || usage

# The ceremony targets run without AddressSanitizer by default. The crates they run (wire, verifier, generator,
# fuzzing) forbid unsafe code, so what ASan could catch lies in the unsafe code of dependencies (serde_json,
# base64, ciborium), which the format targets run under ASan through the same parsers and with far more
# executions. For the ceremony targets ASan made a run about three times as costly (its bookkeeping of every
# allocation of the JSON and CBOR a ceremony builds and parses; fuzz/README.md has the figures), and what they
# exist to find, a wrong verdict, is an assertion, not a memory error. FUZZ_SANITIZER=address puts it back.
case $target in
registration | authentication) default_sanitizer=none ;;
*) default_sanitizer=address ;;
esac
sanitizer=${FUZZ_SANITIZER:-$default_sanitizer}
# Each sanitizer builds into a target directory of its own: the flags differ, and sharing fuzz/target would
# rebuild every dependency whenever the next target asks for the other sanitizer.
target_dir=()
if [[ $sanitizer != address ]]; then
    target_dir=(--target-dir "$here/target/sanitizer-$sanitizer")
fi
work=${FUZZ_CORPUS:-$here/corpus}/$target
artifacts=$here/artifacts/$target
mkdir -p "$work" "$artifacts"
seeds=("$root/corpus/$target")
for d in "$root/corpus/found/$target" "$root/fuzz/regressions/$target"; do
    if [[ -d $d ]]; then
        seeds+=("$d")
    fi
done

# A ceremony description reads at most 4 mutations, about 200 bytes: let inputs be that long from the start
# rather than growing the length limit slowly from the short seeds.
target_args=()
case $target in
registration | authentication) target_args=(-max_len=256 -len_control=0) ;;
esac

cd "$here"
echo "==> fuzz $target for ${seconds}s (sanitizer $sanitizer, working corpus $work)"
started=$(date +%s)
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
status=0
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags.
cargo +nightly fuzz run --sanitizer "$sanitizer" "${target_dir[@]}" "$target" "$work" "${seeds[@]}" -- \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    -rss_limit_mb=4096 -malloc_limit_mb=1024 "${target_args[@]}" ${FUZZ_ARGS:-} ||
    status=$?
echo "==> $target: fuzzed for $(($(date +%s) - started))s, exit $status"

# The inputs this run wrote (older ones may be lying there from earlier runs).
crashes=()
while IFS= read -r f; do
    crashes+=("$f")
done < <(find "$artifacts" -maxdepth 1 -type f -newer "$stamp" \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | sort)
if ((status != 0)) || ((${#crashes[@]} > 0)); then
    {
        echo "# $target: crash"
        echo
        echo "Inputs: ${crashes[*]:-none written (exit $status)}"
        echo
        echo "Reproduce (nightly), from the repository root:"
        echo
        for f in "${crashes[@]}"; do
            echo "    (cd fuzz && cargo +nightly fuzz run $target artifacts/$target/$(basename "$f"))"
        done
        echo
        echo "Once fixed, keep the input as a regression, named for what it is, and replay it on stable:"
        echo
        echo "    cp fuzz/artifacts/$target/crash-... fuzz/regressions/$target/<what-it-is>.bin"
        echo "    cargo test -p webauthn-harness-fuzzing --test replay"
    } | tee "$artifacts/REPRODUCE.md"
    exit 1
fi

if [[ ${FUZZ_MINIMIZE:-1} != 0 ]]; then
    before=$(find "$work" -type f | wc -l)
    cargo +nightly fuzz cmin --sanitizer "$sanitizer" "${target_dir[@]}" "$target" "$work" >"$artifacts/cmin.log" 2>&1 ||
        { echo "minimisation failed, see $artifacts/cmin.log" >&2; exit 1; }
    echo "==> $target: working corpus minimised from $before to $(find "$work" -type f | wc -l) files" \
        "($(du -sh "$work" | cut -f1))"
fi
