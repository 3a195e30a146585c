#!/usr/bin/env bash
# Builds the webauthn-rs adapter into ./target (crates pinned by Cargo.lock). Needs cargo, pkg-config
# and the OpenSSL development files (Debian: libssl-dev pkg-config), as webauthn-rs links OpenSSL.
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "install.sh: cargo is not installed" >&2; exit 1; }
command -v pkg-config >/dev/null || { echo "install.sh: pkg-config is not installed (apt-get install pkg-config)" >&2; exit 1; }
pkg-config --exists openssl || { echo "install.sh: OpenSSL development files not found by pkg-config (apt-get install libssl-dev)" >&2; exit 1; }
cargo build --release --locked --quiet || { echo "install.sh: cargo build --release --locked failed" >&2; exit 1; }
