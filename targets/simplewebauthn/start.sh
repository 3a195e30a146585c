#!/usr/bin/env bash
# start.sh PORT: serves the FIDO2 conformance API for @simplewebauthn/server on 127.0.0.1:PORT.
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -ne 1 ]; then echo "usage: start.sh PORT" >&2; exit 2; fi
exec node server.mjs "$1"
