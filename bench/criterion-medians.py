#!/usr/bin/env python3
"""Prints the medians of the last criterion run under a target/criterion folder as a Markdown table.

    python3 bench/criterion-medians.py [target/criterion]

For the verifier's benches (`floor/<alg>/<provider>`, `assertion/<alg>/<provider>`, ...) it adds each
assertion's ratio to the floor of the same algorithm and provider.
"""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
medians = {}
for dirpath, dirnames, filenames in os.walk(root):
    if os.path.basename(dirpath) == "new" and "estimates.json" in filenames and "benchmark.json" in filenames:
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        medians[bench["full_id"]] = est["median"]["point_estimate"] / 1000.0  # ns -> us

if not medians:
    sys.exit(f"no criterion results under {root} (run the benches first)")

print("| benchmark | median (µs) | ratio to the floor |")
print("|---|---:|---:|")
for name in sorted(medians):
    parts = name.split("/")
    ratio = ""
    if parts[0] == "assertion" and len(parts) == 3:
        floor = medians.get(f"floor/{parts[1]}/{parts[2]}")
        if floor:
            ratio = f"{medians[name] / floor:.3f}"
    print(f"| `{name}` | {medians[name]:.2f} | {ratio} |")
