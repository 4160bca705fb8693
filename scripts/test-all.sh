#!/usr/bin/env bash
# Sets up a fresh machine (as root on Debian/Ubuntu) and runs every check and test suite:
# lint, format, typecheck, then the vitest suites (unit, integration with real rpm/dpkg/nft/chrony/faketime,
# e2e in Chromium). Ends with one line "N passed, N failed" totalling all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-deps || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
if [ -x .tools/node_modules/.bin/node ]; then export PATH="$PWD/.tools/node_modules/.bin:$PATH"; fi

passed=0
failed=0
check() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else echo "!! $name failed"; failed=$((failed + 1)); fi
}
check lint npx eslint .
check format npx prettier --check .
check typecheck npm run -s typecheck

echo "== tests"
rm -f test-results/vitest.json
npx vitest run
vitest_rc=$?
if [ -f test-results/vitest.json ]; then
  read -r vp vf < <(node scripts/vitest-count.mjs test-results/vitest.json)
  passed=$((passed + vp)); failed=$((failed + vf))
  if [ "$vitest_rc" -ne 0 ] && [ "$vf" -eq 0 ]; then failed=$((failed + 1)); fi
else
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
