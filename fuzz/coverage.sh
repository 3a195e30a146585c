#!/usr/bin/env bash
# Source-based coverage of the fuzz targets (cargo fuzz coverage, llvm-cov): which regions of `wire` and
# `verifier` the committed inputs (and a working corpus, if given) reach.
#
#   fuzz/coverage.sh                   every target, from corpus/<target>, corpus/found/<target> and
#                                      fuzz/regressions/<target>
#   fuzz/coverage.sh cbor cose_key     those targets only
#
# Environment:
#   COVERAGE_CORPUS=DIR    also replay DIR/<target> (e.g. a working corpus, FUZZ_CORPUS of run.sh)
#   COVERAGE_UNCOVERED=1   also list every region of harness/wire/src that no input reached, as file:line:col
#
# Needs the nightly toolchain, cargo-fuzz and llvm-tools for nightly
# (`rustup component add llvm-tools --toolchain nightly`; llvm-cov must match rustc's LLVM version).
# Each target is built once with -Cinstrument-coverage (fuzz/target/<host>/coverage/), every input is run
# once, and the profiles of all targets are merged, so the figure is what the targets reach together.
# Profiles and the merged report are left in fuzz/coverage/ (ignored by git).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# Every target run.sh fuzzes (its list is the one list of targets).
mapfile -t all < <("$here/run.sh" list)
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all[@]}")

host=$(rustc +nightly -vV | sed -n 's/^host: //p')
tools=$(rustc +nightly --print sysroot)/lib/rustlib/$host/bin
[[ -x $tools/llvm-cov && -x $tools/llvm-profdata ]] || {
    echo "no llvm-cov in $tools: rustup component add llvm-tools --toolchain nightly" >&2
    exit 2
}

cd "$here"
mkdir -p coverage
# A working corpus is copied first: a fuzzer still running there renames and deletes files.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
objects=()
profiles=()
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "unknown target $t (targets: ${all[*]})" >&2; exit 2; }
    inputs=()
    if [[ -n ${COVERAGE_CORPUS:-} && -d $COVERAGE_CORPUS/$t ]]; then
        mkdir -p "$scratch/$t"
        cp "$COVERAGE_CORPUS/$t"/* "$scratch/$t/" 2>/dev/null || true
    fi
    for d in "$root/corpus/$t" "$root/corpus/found/$t" "$root/fuzz/regressions/$t" "$scratch/$t"; do
        if [[ -d $d ]] && [[ -n $(ls -A "$d") ]]; then
            inputs+=("$d")
        fi
    done
    echo "==> coverage of $t from ${inputs[*]}"
    cargo +nightly fuzz coverage "$t" "${inputs[@]}" >"coverage/$t.log" 2>&1 ||
        { echo "cargo fuzz coverage $t failed, see fuzz/coverage/$t.log" >&2; exit 1; }
    objects+=("target/$host/coverage/$host/release/$t")
    profiles+=("coverage/$t/coverage.profdata")
done

"$tools/llvm-profdata" merge -sparse "${profiles[@]}" -o coverage/merged.profdata
object_args=("${objects[0]}")
for o in "${objects[@]:1}"; do
    object_args+=(-object "$o")
done

for crate in wire verifier; do
    echo
    echo "==> harness/$crate/src (regions, functions, lines), inputs of: ${targets[*]}"
    "$tools/llvm-cov" report "${object_args[@]}" -instr-profile=coverage/merged.profdata \
        "$root/harness/$crate/src" | sed "s|$root/||"
done

if [[ ${COVERAGE_UNCOVERED:-0} == 1 ]]; then
    echo
    echo "==> regions of harness/wire/src no input reached (file:line:col, count 0)"
    "$tools/llvm-cov" export "${object_args[@]}" -instr-profile=coverage/merged.profdata \
        "$root/harness/wire/src" -format=text >coverage/wire.json
    python3 - "$root" coverage/wire.json <<'PY'
import json, sys
root, path = sys.argv[1], sys.argv[2]
data = json.load(open(path))["data"][0]
seen = set()
for f in data["files"]:
    name = f["filename"].replace(root + "/", "")
    for s in f["segments"]:
        line, col, count, has_count, is_entry, is_gap = s[0], s[1], s[2], s[3], s[4], s[5]
        if has_count and is_entry and not is_gap and count == 0 and (name, line, col) not in seen:
            seen.add((name, line, col))
            print(f"{name}:{line}:{col}")
PY
fi
