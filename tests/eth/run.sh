#!/usr/bin/env bash
# Runs the Ethereum-tooling end-to-end tests against the hechain binary:
#   - Node.js: ethers v6, viem, solc-js (*.test.mjs, node --test; npm packages from package-lock.json);
#   - Python: web3.py (py/test_*.py, pytest), in a virtual environment .venv with the packages pinned in
#     py/requirements.txt (where `python3 -m venv` is unavailable, they go to .pydeps with pip --target).
# Both suites run; the script fails if either fails. pytest's "no tests collected" (exit 5) is a failure.
# Usage: tests/eth/run.sh [FILE.test.mjs | py/test_FILE.py ...]     (default: all of both)
# Env:   HECHAIN_BIN  path of the hechain binary (default: <repo>/target/debug/hechain)
#        PYTHON       Python 3.10+ interpreter for the web3.py tests (default: python3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REPO="$(cd ../.. && pwd)"
export HECHAIN_BIN="${HECHAIN_BIN:-$REPO/target/debug/hechain}"
if [[ ! -x "$HECHAIN_BIN" ]]; then
  echo "hechain binary not found at $HECHAIN_BIN (cargo build -p hechain, or set HECHAIN_BIN)" >&2
  exit 1
fi

node_files=()
py_files=()
if [[ $# -gt 0 ]]; then
  for f in "$@"; do
    case "$f" in
      *.py) py_files+=("$f") ;;
      *) node_files+=("$f") ;;
    esac
  done
else
  node_files=(*.test.mjs)
  py_files=(py)
fi

failed=()

if [[ ${#node_files[@]} -gt 0 ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  # One file at a time: each starts its own chain(s). --test-force-exit guards against a stray
  # open handle keeping a finished file alive.
  node --test --test-concurrency=1 --test-force-exit --test-timeout=90000 --test-reporter=spec "${node_files[@]}" ||
    failed+=("node (exit $?)")
fi

# Installs py/requirements.txt once per change of the file; sets PYTEST to the command that runs pytest.
# (Called as an `if` condition, where `set -e` does not apply: every step checks its own status.)
python_env() {
  local py="${PYTHON:-python3}" req="py/requirements.txt"
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "the web3.py tests need Python 3.10+ as \$PYTHON or python3 (found: $("$py" --version 2>&1 || echo none))" >&2
    return 1
  fi
  if [[ -x .venv/bin/python ]] && cmp -s "$req" .venv/requirements.txt; then
    PYTEST=(.venv/bin/python -m pytest)
    return 0
  fi
  if [[ -d .pydeps ]] && cmp -s "$req" .pydeps/requirements.txt; then
    PYTEST=(env PYTHONPATH="$PWD/.pydeps" "$py" -m pytest)
    return 0
  fi
  rm -rf .venv .pydeps
  if "$py" -m venv .venv >/dev/null 2>&1 && .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python -m pip install --disable-pip-version-check --no-input -q -r "$req" || return 1
    cp "$req" .venv/requirements.txt
    PYTEST=(.venv/bin/python -m pytest)
  else
    # No venv module (Debian without python3-venv): a private directory, which pip also allows
    # for an "externally managed" system Python.
    rm -rf .venv
    echo "python3 -m venv is unavailable; installing the web3.py test packages into tests/eth/.pydeps"
    "$py" -m pip install --disable-pip-version-check --no-input -q --target .pydeps -r "$req" || return 1
    cp "$req" .pydeps/requirements.txt
    PYTEST=(env PYTHONPATH="$PWD/.pydeps" "$py" -m pytest)
  fi
}

if [[ ${#py_files[@]} -gt 0 ]]; then
  PYTEST=()
  if python_env; then
    rc=0
    "${PYTEST[@]}" -p no:cacheprovider -v -rfE "${py_files[@]}" || rc=$?
    if [[ $rc -eq 5 ]]; then
      failed+=("pytest (exit 5: no tests collected)")
    elif [[ $rc -ne 0 ]]; then
      failed+=("pytest (exit $rc)")
    fi
  else
    failed+=("pytest (no Python environment)")
  fi
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "tests/eth/run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "tests/eth/run.sh: all passed"
