#!/usr/bin/env bash
# Installs the adapter's npm dependencies, pinned by package-lock.json, into ./node_modules (the shared Node installer).
exec bash "$(dirname "$0")/../_shared/node/install-npm.sh" "$(dirname "$0")"
