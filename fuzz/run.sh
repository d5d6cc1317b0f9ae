#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder of untrusted input (libFuzzer through cargo fuzz):
#   native_tx     native transactions of every payload kind (canonical re-encoding, signatures)
#   eth_tx        Ethereum raw transactions (RLP, EIP-2718)
#   p2p_frame     frames from peers (consensus messages, blocks, sync)
#   jsonrpc_body  JSON-RPC request bodies against a real node's API
#   rest_body     REST transaction bodies (single, JSON batch, binary batch)
# Each target runs SECONDS (default 60) from the committed corpus in fuzz/corpus/<target> (new
# inputs go to a scratch copy, not into the repository); two run at once on two cores. A crash
# fails the run and leaves its input in fuzz/artifacts/<target>/: add it to the corpus and fix.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
# cargo fuzz needs unstable compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(native_tx eth_tx p2p_frame jsonrpc_body rest_body)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O --fuzz-dir fuzz

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
run() {
  local t="$1"
  mkdir -p "$scratch/$t" "fuzz/artifacts/$t"
  if cargo fuzz run -O --fuzz-dir fuzz "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$secs" -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
      >"$scratch/$t.log" 2>&1; then
    echo "fuzz $t: ${secs}s, no crash ($(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$scratch/$t.log" | grep -o '[0-9]*$' || echo '?') runs)"
  else
    echo "fuzz $t: FAILED"; tail -40 "$scratch/$t.log"; return 1
  fi
}
failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do run "$t" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
exit "$failed"
