#!/usr/bin/env bash
# install-venv.sh DIR: installs DIR/requirements.txt (every transitive pin ==, installed with --no-deps) into
# DIR/.venv; a no-op when .venv/.installed is a copy of requirements.txt. The Python targets' install.sh.
# Environment: PYTHON, the interpreter that creates the venv (default python3).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: install-venv.sh DIR" >&2; exit 2; }
cd "$1"
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
