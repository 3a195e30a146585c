#!/usr/bin/env bash
# Differential fuzzing of the peer libraries against the reference verifier, one target (or all of them in turn)
# for a bounded time.
#
#   fuzz/peers/run.sh TARGET [SECONDS]     one target, SECONDS of fuzzing (default 600)
#   fuzz/peers/run.sh all [SECONDS]        every target in turn, SECONDS each
#   fuzz/peers/run.sh list                 the target names
#
# The seeds are the reference ceremony targets' (corpus/registration, corpus/authentication) and the saved
# findings of that peer; they are read, never written. Inputs the fuzzer keeps go to a working corpus,
# FUZZ_CORPUS/TARGET (default fuzz/peers/corpus/TARGET, which git ignores). A disagreement does not stop the run:
# the first input of each new class is written to PEERDIFF_FINDINGS/<peer>/<class>.bin + .txt (default
# fuzz/peers/findings, committed after a hand check). Only a panic of our own code stops it (a crash).
#
# Environment:
#   FUZZ_CORPUS=DIR        where the working corpora live
#   PEERDIFF_FINDINGS=DIR  where new finding classes are written
#   FUZZ_SANITIZER=S       cargo fuzz --sanitizer (none, the default: the peers' logic is what is tested; address...)
#   FUZZ_ARGS="..."        more libFuzzer flags (they come last, so they win)
#
# Exit status: 0 no crash; 1 a target crashed (its input is under fuzz/peers/artifacts/TARGET/); 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
targets=(rs_core_registration rs_core_authentication rp_registration rp_authentication)

usage() {
    echo "usage: fuzz/peers/run.sh TARGET|all|list [SECONDS]" >&2
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

case $target in
*_registration) ceremony=registration ;;
*) ceremony=authentication ;;
esac
case $target in
rs_core_*) peer=webauthn-rs-core ;;
*) peer=webauthn_rp ;;
esac

sanitizer=${FUZZ_SANITIZER:-none}
work=${FUZZ_CORPUS:-$here/corpus}/$target
artifacts=$here/artifacts/$target
mkdir -p "$work" "$artifacts"
seeds=("$root/corpus/$ceremony")
findings=${PEERDIFF_FINDINGS:-$here/findings}
# The saved findings of this peer and ceremony, as seeds (libFuzzer reads directories only).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for f in "$findings/$peer/$ceremony".*.bin; do
    [[ -e $f ]] && cp "$f" "$scratch/"
done
seeds+=("$scratch")

cd "$here"
echo "==> fuzz $target for ${seconds}s (sanitizer $sanitizer, working corpus $work, findings $findings)"
started=$(date +%s)
status=0
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags.
PEERDIFF_FINDINGS=$findings cargo +nightly fuzz run --sanitizer "$sanitizer" "$target" "$work" "${seeds[@]}" -- \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    -max_len=256 -len_control=0 -rss_limit_mb=4096 ${FUZZ_ARGS:-} ||
    status=$?
echo "==> $target: fuzzed for $(($(date +%s) - started))s, exit $status"
if ((status != 0)); then
    echo "crash: the input is under $artifacts/; reproduce with" >&2
    echo "    (cd fuzz/peers && cargo +nightly fuzz run $target artifacts/$target/<file>)" >&2
    exit 1
fi
