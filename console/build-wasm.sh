#!/usr/bin/env bash
# Builds console/verify.wasm: hechain's offline certificate verifier and suite hash
# (crates/hechain-verify-wasm) for the browser. The result is committed, so that building
# hechain needs no WebAssembly toolchain; rerun this after changing the certificate formats,
# hechain-cert, hechain-types or hechain-crypto (`console/build-wasm.sh --check` tells whether
# the committed file is current; CI runs it).
#
# Needs the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown) and clang
# (Debian: apt-get install clang), which compiles libsecp256k1's C for WebAssembly.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# No randomness is needed to verify; getrandom answers "unsupported" if anything asks.
# Paths are remapped so that the file is the same whichever directory it is built in.
export RUSTFLAGS="--cfg getrandom_backend=\"unsupported\" --remap-path-prefix=$root=/hechain --remap-path-prefix=$cargo_home=/cargo"
export CC_wasm32_unknown_unknown=${CC_wasm32_unknown_unknown:-clang}
export CARGO_TARGET_DIR=${WASM_TARGET_DIR:-$root/target/wasm}
cargo build --locked -q -p hechain-verify-wasm --target wasm32-unknown-unknown --profile wasm
built="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/hechain_verify_wasm.wasm"
if [[ "${1:-}" == "--check" ]]; then
  if cmp -s "$built" console/verify.wasm; then
    echo "console/verify.wasm is current"
  else
    echo "console/verify.wasm is out of date: run console/build-wasm.sh and commit it" >&2
    exit 1
  fi
else
  cp "$built" console/verify.wasm
  echo "wrote console/verify.wasm ($(stat -c %s console/verify.wasm) bytes)"
fi
