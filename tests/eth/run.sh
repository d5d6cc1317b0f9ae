#!/usr/bin/env bash
# Runs the Ethereum-tooling end-to-end tests (ethers v6, viem, solc-js) against the hechain binary.
# Usage: tests/eth/run.sh [FILE.test.mjs ...]     (default: all *.test.mjs)
# Env:   HECHAIN_BIN  path of the hechain binary (default: <repo>/target/debug/hechain)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REPO="$(cd ../.. && pwd)"
export HECHAIN_BIN="${HECHAIN_BIN:-$REPO/target/debug/hechain}"
if [[ ! -x "$HECHAIN_BIN" ]]; then
  echo "hechain binary not found at $HECHAIN_BIN (cargo build -p hechain, or set HECHAIN_BIN)" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error

if [[ $# -gt 0 ]]; then files=("$@"); else files=(*.test.mjs); fi
# One file at a time: each starts its own chain(s). --test-force-exit guards against a stray
# open handle keeping a finished file alive.
exec node --test --test-concurrency=1 --test-force-exit --test-timeout=90000 --test-reporter=spec "${files[@]}"
