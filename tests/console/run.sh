#!/usr/bin/env bash
# Runs the web console's tests in a real browser: Debian's chromium (apt-get install chromium)
# driven by playwright-core, against real hechain nodes (a dev chain, a gm dev chain and a
# 4-validator consortium). npm packages come from package-lock.json. Screenshots of every page
# go to tests/console/out (SCREENSHOT_DIR=docs/console refreshes the ones the docs show).
# Usage: tests/console/run.sh [FILE.test.mjs ...]     (default: all)
# Env:   HECHAIN_BIN  path of the hechain binary (default: <repo>/target/debug/hechain)
#        CHROMIUM     the browser (default: /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REPO="$(cd ../.. && pwd)"
export HECHAIN_BIN="${HECHAIN_BIN:-$REPO/target/debug/hechain}"
if [[ ! -x "$HECHAIN_BIN" ]]; then
  echo "hechain binary not found at $HECHAIN_BIN (cargo build -p hechain, or set HECHAIN_BIN)" >&2
  exit 1
fi
if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
  echo "chromium not found at ${CHROMIUM:-/usr/bin/chromium} (Debian: apt-get install chromium)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=(*.test.mjs)
node --test --test-concurrency=1 --test-force-exit --test-timeout=180000 --test-reporter=spec "${files[@]}"
echo "tests/console/run.sh: all passed"
