#!/usr/bin/env bash
# Installs the adapter's npm dependencies, pinned by package-lock.json, into ./node_modules.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null 2>&1 || { echo "install.sh: node is not installed" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "install.sh: npm is not installed" >&2; exit 1; }
# Fast path: every locked package is already installed at its locked version.
if node -e '
  const fs = require("fs");
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
  for (const [p, meta] of Object.entries(lock.packages)) {
    if (p === "") continue;
    // optional packages for other platforms are legitimately absent
    if (meta.optional && !fs.existsSync(p)) continue;
    const v = JSON.parse(fs.readFileSync(p + "/package.json", "utf8")).version;
    if (v !== meta.version) process.exit(1);
  }' 2>/dev/null; then
  exit 0
fi
if ! npm ci --no-audit --no-fund --loglevel=error >npm-install.log 2>&1; then
  echo "install.sh: 'npm ci' failed in $(pwd) (see npm-install.log)" >&2
  exit 1
fi
rm -f npm-install.log
