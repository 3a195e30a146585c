#!/usr/bin/env bash
# Installs the adapter's dependencies into ./.venv, pinned by requirements.txt.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
STAMP=.venv/.installed
if [[ -f "$STAMP" ]] && cmp -s requirements.txt "$STAMP"; then
    exit 0
fi
if [[ ! -x .venv/bin/python ]]; then
    "$PY" -m venv .venv >/dev/null || { echo "install.sh: could not create .venv with $PY -m venv" >&2; exit 1; }
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.txt \
    || { echo "install.sh: pip install -r requirements.txt failed" >&2; exit 1; }
cp requirements.txt "$STAMP"
