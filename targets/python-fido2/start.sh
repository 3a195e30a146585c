#!/usr/bin/env bash
# start.sh PORT: runs the adapter in the foreground on 127.0.0.1:PORT (origin http://localhost:PORT).
set -euo pipefail
cd "$(dirname "$0")"
[[ $# -eq 1 ]] || { echo "usage: start.sh PORT" >&2; exit 2; }
exec .venv/bin/python -u server.py "$1"
