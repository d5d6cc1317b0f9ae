#!/usr/bin/env bash
# Refreshes the console's third-party browser libraries from the npm registry, at the pinned
# versions below. They are committed (plain ES modules, no bundler: the node serves them as they
# are), so building or running hechain never needs npm. After changing a version, run this and
# commit the result; SHA256SUMS records what was fetched.
set -euo pipefail
cd "$(dirname "$0")"
UPLOT=1.6.32            # charts (TPS and block-time sparklines)
QRCODE=2.0.4            # QR codes (一物一码 item pages)
ETHERS=6.17.0           # EIP-1193 wallets (loaded only when the user signs with one)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$UPLOT" "qrcode-generator@$QRCODE" "ethers@$ETHERS" >/dev/null)
mkdir -p "$tmp/u" "$tmp/q" "$tmp/e"
tar xzf "$tmp/uplot-$UPLOT.tgz" -C "$tmp/u"
tar xzf "$tmp/qrcode-generator-$QRCODE.tgz" -C "$tmp/q"
tar xzf "$tmp/ethers-$ETHERS.tgz" -C "$tmp/e"
cp "$tmp/u/package/dist/uPlot.esm.js" uPlot.esm.js
cp "$tmp/u/package/dist/uPlot.min.css" uPlot.min.css
cp "$tmp/u/package/LICENSE" LICENSE.uPlot
cp "$tmp/q/package/dist/qrcode.mjs" qrcode.mjs
# qrcode-generator ships no LICENSE file: its MIT licence is the header of qrcode.mjs.
cp "$tmp/e/package/dist/ethers.min.js" ethers.min.js
cp "$tmp/e/package/LICENSE.md" LICENSE.ethers.md
sha256sum uPlot.esm.js uPlot.min.css qrcode.mjs ethers.min.js > SHA256SUMS
echo "uPlot $UPLOT, qrcode-generator $QRCODE, ethers $ETHERS" > VERSIONS
cat VERSIONS
