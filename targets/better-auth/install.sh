#!/usr/bin/env bash
# Installs better-auth and @better-auth/passkey with their dependencies, pinned by package-lock.json, into
# ./node_modules (the shared Node installer: npm ci).
exec bash "$(dirname "$0")/../_shared/node/install-npm.sh" "$(dirname "$0")"
