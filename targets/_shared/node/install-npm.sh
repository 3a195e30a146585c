#!/usr/bin/env bash
# install-npm.sh DIR: installs the npm dependencies pinned by DIR/package-lock.json into DIR/node_modules
# (npm ci); a no-op when every locked package is installed at its locked version. The Node targets' install.sh.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: install-npm.sh DIR" >&2; exit 2; }
cd "$1"
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
