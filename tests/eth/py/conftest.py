"""Fixtures of the web3.py tests: a fresh `hechain dev` chain per test session.

The chain is `$HECHAIN_BIN --json dev` on a free port of 127.0.0.1; its JSON output (RPC URL,
chain id, ten funded dev accounts) is read from stdout, and the process is stopped by its PID
(SIGTERM, then SIGKILL) when the session ends, which also deletes its temporary data directory.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HECHAIN_BIN = os.environ.get("HECHAIN_BIN") or str(REPO / "target" / "debug" / "hechain")
ARTIFACTS = REPO / "contracts" / "artifacts"


@dataclass
class DevChain:
    """A running `hechain dev` chain."""

    process: subprocess.Popen
    http_url: str
    ws_url: str
    chain_id: int
    accounts: list[dict]  # {"address", "private_key"}
    log_path: Path

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return "(no log)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process by its PID, SIGKILL it if it has not exited after `grace` seconds."""
    if process.poll() is not None:
        return
    try:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


def start_dev_chain(block_time_ms: int = 100, timeout: float = 60.0) -> DevChain:
    if not os.access(HECHAIN_BIN, os.X_OK):
        raise RuntimeError(f"hechain binary not found at {HECHAIN_BIN} (cargo build -p hechain, or set HECHAIN_BIN)")
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="hechain-web3py-", suffix=".log", delete=False)
    args = [HECHAIN_BIN, "--json", "dev", "--rpc-addr", f"127.0.0.1:{port}", "--block-time", str(block_time_ms)]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:  # keeps reading so the pipe never fills
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    out = ""
    deadline = time.monotonic() + timeout
    info = None
    try:
        while info is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"hechain dev printed no JSON within {timeout} s:\n{out}")
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"hechain dev exited early ({process.wait()}):\n{out}\n{Path(log.name).read_text()}")
            out += line
            start = out.find("{")
            if start >= 0:
                try:
                    info = json.loads(out[start:])
                except json.JSONDecodeError:
                    pass
    except BaseException:
        stop(process)
        raise
    http_url = info["rpc_url"].rstrip("/") + "/"
    return DevChain(
        process=process,
        http_url=http_url,
        ws_url=http_url.replace("http://", "ws://", 1),
        chain_id=info["chain_id"],
        accounts=info["accounts"],
        log_path=Path(log.name),
    )


@pytest.fixture(scope="session")
def chain():
    c = start_dev_chain()
    try:
        yield c
    finally:
        stop(c.process)
        try:
            c.log_path.unlink()
        except OSError:
            pass


@pytest.fixture(scope="session")
def token_artifact() -> dict:
    return json.loads((ARTIFACTS / "HechainToken.json").read_text())
