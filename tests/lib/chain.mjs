// Shared helpers of the end-to-end tests that drive the hechain binary (tests/eth, tests/console):
// find free ports, run a hechain dev chain or a consortium, and always clean up the processes we
// started. No npm dependencies.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../..");
export const HECHAIN_BIN = process.env.HECHAIN_BIN || path.join(REPO, "target/debug/hechain");
export const EVIDENCE_ADDRESS = "0x0000000000000000000000000000000000001000";

// ---------------------------------------------------------------------------------------------
// Ports

function canBind(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The first port of `n` consecutive free ports on 127.0.0.1 (random base in 20000..50000). */
export async function freePortRange(n) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await canBind(p);
    if (ok) return base;
  }
  throw new Error(`no range of ${n} free consecutive ports found`);
}

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set(); // ChildProcess objects still running
const pidFiles = new Set(); // pid files of detached processes (hechain net up)
const tempDirs = new Set(); // removed on exit

/** A new temporary directory, removed when the process exits (or earlier, by the caller). */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function leftoverPids() {
  const pids = new Set();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) pids.add(c.pid);
  for (const f of pidFiles) {
    try {
      const pid = Number(fs.readFileSync(f, "utf8").trim());
      if (pid > 1) pids.add(pid);
    } catch {}
  }
  return [...pids];
}

function gone(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z"); // exited, not yet reaped
  } catch {
    return true;
  }
}

/** Synchronous last-resort cleanup (exit and signal handlers): SIGTERM every process we started
 * and still runs, wait up to `graceMs` for them to exit (a dev chain then deletes its temporary
 * data directory), SIGKILL the rest. */
function killLeftovers(graceMs = 5000) {
  const pids = leftoverPids();
  if (!pids.length) return;
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !pids.every(gone)) Atomics.wait(nap, 0, 0, 50);
  for (const pid of pids) {
    if (gone(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}
process.on("exit", () => {
  killLeftovers();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    killLeftovers();
    process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
  });
}

function ensureBinary() {
  if (!fs.existsSync(HECHAIN_BIN)) {
    throw new Error(`hechain binary not found at ${HECHAIN_BIN} (build it, or set HECHAIN_BIN)`);
  }
}

/** Stops a child we spawned: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export async function stopProcess(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(child.pid, "SIGTERM");
  } catch {}
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** Spawns `cmd ARGS` (another program a test needs, such as a Hardhat node), tracked like the
 * chains: stopped by PID when the test process exits. Output is collected; `output()` returns it. */
export function startProcess(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  children.add(child);
  let out = "";
  for (const s of [child.stdout, child.stderr]) {
    s.setEncoding("utf8");
    s.on("data", (d) => {
      out += d;
      if (out.length > 200_000) out = out.slice(-100_000);
    });
  }
  return { child, output: () => out, stop: () => stopProcess(child) };
}

/** Runs `hechain ARGS` to completion; returns {status, stdout, stderr, json} (json: parsed stdout, if any). */
export function hechain(args, { timeoutMs = 120_000 } = {}) {
  ensureBinary();
  const r = spawnSync(HECHAIN_BIN, args, { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json, error: r.error };
}

/** Same as hechain() but throws unless it exits 0 with JSON on stdout. */
export function hechainJson(args, opts) {
  const r = hechain(args, opts);
  if (r.status !== 0 || r.json === undefined) {
    throw new Error(
      `hechain ${args.join(" ")} failed (status ${r.status}, signal ${r.signal}, ${r.error ?? ""})\n` +
        `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  }
  return r.json;
}

/** Registers the pid files of a `hechain net up` directory so the nodes are killed if we exit early. */
export function trackNetDir(dir) {
  for (let i = 0; i < 64; i++) pidFiles.add(path.join(dir, "run", `node${i}.pid`));
  const run = path.join(dir, "run");
  if (fs.existsSync(run)) for (const f of fs.readdirSync(run)) if (f.endsWith(".pid")) pidFiles.add(path.join(run, f));
}
export function untrackNetDir(dir) {
  for (const f of [...pidFiles]) if (f.startsWith(path.join(dir, "run") + path.sep)) pidFiles.delete(f);
}

/**
 * Starts `hechain --json dev --rpc-addr 127.0.0.1:PORT --block-time MS [EXTRA…] [--empty-blocks]` and waits
 * for its JSON output. Returns {info, port, rpcUrl, wsUrl, chainId, accounts, child, stop(), output()}.
 *
 * By default the chain runs as `hechain dev` does out of the box: blocks only for transactions,
 * plus an empty block after 1 s idle. That idle block is what keeps ethers v6's `tx.wait()` from
 * stalling (it checks the receipt once, then re-checks only when a *later* block appears), so
 * these tests exercise it.
 */
export async function startDevChain({ blockTimeMs = 100, emptyBlocks = false, timeoutMs = 60_000, extraArgs = [] } = {}) {
  ensureBinary();
  const port = await freePort();
  const args = ["--json", "dev", "--rpc-addr", `127.0.0.1:${port}`, "--block-time", String(blockTimeMs), ...extraArgs];
  if (emptyBlocks) args.push("--empty-blocks");
  const child = spawn(HECHAIN_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stdout.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const output = () => `--- hechain ${args.join(" ")}\nstdout:\n${stdout}\nstderr (tail):\n${stderr.slice(-4000)}`;

  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`hechain dev printed no JSON within ${timeoutMs} ms\n${output()}`)), timeoutMs);
    function done(err, v) {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.off("exit", onExit);
      err ? reject(err) : resolve(v);
    }
    function onData(d) {
      stdout += d;
      const start = stdout.indexOf("{");
      if (start < 0) return;
      try {
        done(null, JSON.parse(stdout.slice(start)));
      } catch {}
    }
    function onExit(code, sig) {
      done(new Error(`hechain dev exited early (code ${code}, signal ${sig})\n${output()}`));
    }
    child.stdout.on("data", onData);
    child.on("exit", onExit);
  }).catch(async (e) => {
    await stopProcess(child);
    throw e;
  });
  child.stdout.on("data", (d) => (stdout += d));

  const rpcUrl = info.rpc_url.replace(/\/$/, "");
  const u = new URL(rpcUrl);
  return {
    info,
    port,
    rpcUrl,
    wsUrl: `ws://${u.host}/`,
    chainId: info.chain_id,
    accounts: info.accounts,
    child,
    output,
    stop: () => stopProcess(child),
  };
}

// ---------------------------------------------------------------------------------------------
// Misc

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws, with the last error). */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 200, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.stack ?? last}` : ""}`);
    }
    await sleep(intervalMs);
  }
}

/** Raw JSON-RPC POST (for diagnostics and requests the libraries do not make). */
export async function rpc(url, method, params = []) {
  const res = await fetch(url + "/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${method}: HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
  return body;
}

/** A compact description of an ethers/viem error for assertion messages. */
export function describeError(e) {
  const seen = new WeakSet();
  const plain = {};
  for (const k of ["name", "code", "message", "shortMessage", "reason", "data", "revert", "info", "details"]) {
    if (e && e[k] !== undefined) plain[k] = e[k];
  }
  return JSON.stringify(
    plain,
    (k, v) => {
      if (typeof v === "bigint") return v.toString();
      if (v && typeof v === "object") {
        if (seen.has(v)) return "[circular]";
        seen.add(v);
      }
      return v;
    },
    2,
  ).slice(0, 4000);
}
