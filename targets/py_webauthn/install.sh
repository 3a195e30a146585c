#!/usr/bin/env bash
# Installs the adapter's dependencies into ./.venv, pinned by requirements.txt (the shared Python installer).
exec bash "$(dirname "$0")/../_shared/python/install-venv.sh" "$(dirname "$0")"
