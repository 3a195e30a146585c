#!/usr/bin/env bash
# start.sh PORT: serves Better Auth (email and password, the passkey plugin) on 127.0.0.1:PORT for origin
# http://localhost:PORT and RP ID localhost; its API is described by profile.toml.
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -ne 1 ]; then echo "usage: start.sh PORT" >&2; exit 2; fi
# No telemetry, no rate limit: Better Auth enables its rate limiter only when NODE_ENV is "production", and a
# grade sends thousands of requests from one address. A fresh secret per start (the data is in memory anyway).
export BETTER_AUTH_TELEMETRY=0
unset NODE_ENV
export RP_ID=localhost RP_ORIGIN="http://localhost:$1"
exec node server.mjs "$1"
