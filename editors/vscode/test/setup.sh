#!/usr/bin/env bash
# Installs the real TextMate tokenizer VS Code uses (vscode-textmate with
# the vscode-oniguruma regex engine) for editors/vscode/test/tokenize.js.
# Needs node and npm; CI calls it before the tests.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null)
  else
    echo "npm is missing: the grammar test will be skipped" >&2
    exit 1
  fi
fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
node -e 'require("vscode-textmate"); require("vscode-oniguruma"); console.log("vscode-textmate and vscode-oniguruma installed")'
