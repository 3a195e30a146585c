#!/usr/bin/env bash
# Runs the adapter in the foreground on 127.0.0.1:PORT (origin http://localhost:PORT).
set -euo pipefail
cd "$(dirname "$0")"
if [[ $# -ne 1 ]]; then
    echo "usage: start.sh PORT" >&2
    exit 2
fi
exec .venv/bin/python -u server.py "$1"
