#!/usr/bin/env bash
# Builds the webauthn_rp adapter into ./target (crates pinned by Cargo.lock). Needs cargo (Rust >= 1.86).
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "install.sh: cargo is not installed" >&2; exit 1; }
cargo build --release --locked --quiet || { echo "install.sh: cargo build --release --locked failed" >&2; exit 1; }
