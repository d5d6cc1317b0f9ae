#!/usr/bin/env bash
# Checks /metrics, /healthz and /readyz with the Prometheus Python client's parser
# (metrics_check.py), then fuzzes the REST API against its own OpenAPI document with schemathesis (pinned in
# requirements.txt): starts `hechain dev` on a free 127.0.0.1 port with a temporary data
# directory, then runs every operation of /api/v1/openapi.json with the checks
#   not_a_server_error, status_code_conformance, response_schema_conformance.
# Bounded: a few examples per operation, one worker, a time budget (well under 3 minutes here).
# The server-sent events route (/api/v1/events/blocks) streams forever and is left out.
# Packages go to a venv tests/api/.venv (where `python3 -m venv` is unavailable, to .pydeps
# with pip --target), reinstalled when requirements.txt changes.
# Env:   HECHAIN_BIN  path of the hechain binary (default: <repo>/target/debug/hechain)
#        PYTHON       Python 3.10+ interpreter (default: python3)
#        API_FUZZ_EXAMPLES  examples per operation (default 10)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REPO="$(cd ../.. && pwd)"
HECHAIN_BIN="${HECHAIN_BIN:-$REPO/target/debug/hechain}"
if [[ ! -x "$HECHAIN_BIN" ]]; then
  echo "hechain binary not found at $HECHAIN_BIN (cargo build -p hechain, or set HECHAIN_BIN)" >&2
  exit 1
fi
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "tests/api needs Python 3.10+ as \$PYTHON or python3" >&2
  exit 1
fi

req=requirements.txt
if [[ -x .venv/bin/python ]] && cmp -s "$req" .venv/requirements.txt; then
  PYRUN=(.venv/bin/python)
elif [[ -d .pydeps ]] && cmp -s "$req" .pydeps/requirements.txt; then
  PYRUN=(env PYTHONPATH="$PWD/.pydeps" "$PY")
else
  rm -rf .venv .pydeps
  if "$PY" -m venv .venv >/dev/null 2>&1 && .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python -m pip install --disable-pip-version-check --no-input -q -r "$req"
    cp "$req" .venv/requirements.txt
    PYRUN=(.venv/bin/python)
  else
    rm -rf .venv
    echo "python3 -m venv is unavailable; installing schemathesis into tests/api/.pydeps"
    "$PY" -m pip install --disable-pip-version-check --no-input -q --target .pydeps -r "$req"
    cp "$req" .pydeps/requirements.txt
    PYRUN=(env PYTHONPATH="$PWD/.pydeps" "$PY")
  fi
fi

ST=("${PYRUN[@]}" -m schemathesis.cli)

work="$(mktemp -d)"
node_pid=""
cleanup() {
  if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$HECHAIN_BIN" --json dev --data-dir "$work/data" --rpc-addr "127.0.0.1:$port" --block-time 200 \
  </dev/null >"$work/node.log" 2>"$work/node.err" &
node_pid=$!

ready=""
for _ in $(seq 300); do
  if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('$base/api/v1/status', timeout=1)" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  echo "hechain dev did not answer on $base:" >&2
  cat "$work/node.log" "$work/node.err" >&2
  exit 1
fi

# One record of each kind (ids 1), so that the fuzzer's boundary values (id 1, index 0, code
# ITEM-1) reach the 200 answers and their schemas, not only the 404s.
account() { # field of the Nth dev account
  "$PY" -c 'import json,sys; t=open(sys.argv[1]).read(); a=json.JSONDecoder().raw_decode(t[t.index("{"):])[0]["accounts"]; print(a[int(sys.argv[2])][sys.argv[3]])' "$work/node.log" "$1" "$2"
}
holder="$(account 1 address)"
holder_key="$(account 1 private_key)"
other=0x00000000000000000000000000000000000000aa
echo "fuzz data" >"$work/file"
cli() { "$HECHAIN_BIN" --rpc "$base" "$@" >>"$work/seed.log" 2>&1 || { echo "seeding failed: $*" >&2; cat "$work/seed.log" >&2; exit 1; }; }
cli evidence put "$work/file" --title "fuzz"
cli copyright register "$work/file" --title "fuzz" --type text --author "fuzz"
cli copyright license 1 "$other" --until 2099-01-01
cli voucher issue "$other" 1000 --maturity 2099-01-01 --reference "$work/file"
cli ecert issue "$holder" --type diploma --field name=fuzz --encrypted-ref 0x01 --not-after 2099-01-01 \
  --disclosure "$work/disclosure.json"
cli ecert dataset register "$work/file" --encrypted-ref 0x01 --description "fuzz"
cli --key "$holder_key" ecert grant --cert 1 --org fuzz --purpose fuzz --until 2099-01-01 "$other"
cli trace batch --product fuzz --producer-label fuzz --attributes "$work/file" ITEM-1 ITEM-2
# Privacy: a confidential asset and notes (id 1), a ring, a poll with a vote and a report (id 1).
dev0="$(account 0 address)"
cli confidential register
cli confidential create-asset --name fuzz --cap 1000
cli confidential issue --asset 1 --to "$dev0" --amount 10
cli anon register
cli anon create-ring --name fuzz --members "$dev0"
cli anon create-poll --ring 1 --title fuzz --options a,b
cli anon vote 1 --option a
cli anon report --ring 1 --topic fuzz --evidence "$work/file"

# Metrics and health, read with the Prometheus project's own text parser.
"${PYRUN[@]}" metrics_check.py "$base" "$HECHAIN_BIN"

rc=0
"${ST[@]}" run "$base/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance \
  --exclude-path /api/v1/events/blocks \
  --max-examples "${API_FUZZ_EXAMPLES:-10}" --phases examples,coverage,fuzzing \
  --workers 1 --max-time 60 --request-timeout 10 \
  --seed 1 --no-color --generation-database none \
  --report junit --report-junit-path "$work/junit.xml" || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "schemathesis found failures (exit $rc); node log: " >&2
  tail -n 40 "$work/node.err" >&2
fi
exit $rc
