#!/usr/bin/env bash
# Refreshes corpus/found/<target>/: the inputs of a working corpus that reach code edges the committed seeds
# (corpus/<target>/) and the saved regressions do not, chosen by libFuzzer's corpus merge.
#
#   fuzz/found.sh TARGET [WORKING_CORPUS]    default fuzz/corpus/TARGET (run.sh's working corpus)
#   fuzz/found.sh all                        every target, from $FUZZ_CORPUS/<target> (default fuzz/corpus)
#
# The current corpus/found/<target>/ counts as a candidate too, so a refresh keeps what still adds
# coverage. Files are named by the SHA-1 of their bytes (libFuzzer's naming). Commit the result; the
# stable replay test runs these files as it runs the seeds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# Every target run.sh fuzzes (its list is the one list of targets).
mapfile -t targets < <("$here/run.sh" list)

target=${1:-}
case $target in
all)
    for t in "${targets[@]}"; do
        "$0" "$t" "${FUZZ_CORPUS:-$here/corpus}/$t"
    done
    exit 0
    ;;
"" | -*)
    echo "usage: fuzz/found.sh TARGET|all [WORKING_CORPUS]" >&2
    exit 2
    ;;
esac
[[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target $target" >&2; exit 2; }
work=${2:-${FUZZ_CORPUS:-$here/corpus}/$target}
found=$root/corpus/found/$target

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/base" "$scratch/candidates" "$found"
cp "$root/corpus/$target"/* "$scratch/base/"
if [[ -d $root/fuzz/regressions/$target ]]; then
    cp "$root/fuzz/regressions/$target"/* "$scratch/base/"
fi
ls -A "$scratch/base" | sort >"$scratch/base.list"
if [[ -d $work ]]; then
    cp "$work"/* "$scratch/candidates/" 2>/dev/null || true
fi
cp "$found"/* "$scratch/candidates/" 2>/dev/null || true

# Build the target the way run.sh does (same flags, so the merge sees the same coverage), then merge: the
# candidates that add features to the base are copied into it.
max_len=()
case $target in
registration | authentication) max_len=(-max_len=256) ;;
esac
cd "$here"
# -use_counters=0: a new edge counts, a new hit count on a known edge does not, so the set stays small.
cargo +nightly fuzz run "$target" "$scratch/base" "$scratch/candidates" -- -merge=1 -use_counters=0 \
    "${max_len[@]}" -rss_limit_mb=4096 >"$scratch/merge.log" 2>&1 || { cat "$scratch/merge.log" >&2; exit 1; }

rm -f "$found"/*
added=0
while IFS= read -r name; do
    cp "$scratch/base/$name" "$found/$name"
    added=$((added + 1))
done < <(comm -13 "$scratch/base.list" <(ls -A "$scratch/base" | sort))
echo "$target: $added inputs in corpus/found/$target ($(du -sk "$found" | cut -f1) KB on disk," \
    "$(cat "$found"/* 2>/dev/null | wc -c) bytes), from $(ls -A "$scratch/candidates" | wc -l) candidates"
