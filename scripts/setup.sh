#!/usr/bin/env bash
# Sets up a fresh checkout: Node.js 22 (from the npm registry into .tools/ when the machine's node is older)
# and the project's packages (npm ci, which also builds the app and the CLI).
# With --test-deps (as root on Debian/Ubuntu) it also installs the real tools the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test-deps" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    rpm dpkg-dev faketime chrony nftables iproute2 util-linux openssl curl ca-certificates \
    chromium fonts-noto-cjk ansible-core ansible-lint attr acl e2fsprogs tar gzip python3 >/dev/null
fi

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt 22 ] && [ "$(node_major .tools/node_modules/.bin/node)" -lt 22 ]; then
  echo "setup: installing Node.js 22 into .tools/ (the machine has $(node --version 2>/dev/null || echo none))" >&2
  npm install --prefix .tools --no-audit --no-fund --loglevel=error node@22 >/dev/null
fi
if [ -x .tools/node_modules/.bin/node ]; then export PATH="$PWD/.tools/node_modules/.bin:$PATH"; fi
echo "setup: node $(node --version)" >&2
npm ci --no-audit --no-fund --loglevel=error
