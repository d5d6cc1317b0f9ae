// The console against a real 4-validator consortium (`hechain init` + `hechain net up`): the
// network page lists the organisations' validators with their heights and rounds, says the
// network is healthy, and marks a stopped validator within a few seconds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { freePortRange, hechain, hechainJson, tempDir, trackNetDir, untrackNetDir, waitFor } from "../lib/chain.mjs";
import { launch, openPage, shot } from "./lib.mjs";

const NODES = 4;
let dir, init, browser, started = false;

before(async () => {
  dir = tempDir("hechain-console-net-");
  const base = await freePortRange(2 * NODES);
  init = hechainJson(["--json", "init", "--nodes", String(NODES), "--out", dir, "--rpc-port", String(base), "--p2p-port", String(base + NODES)]);
  trackNetDir(dir);
  started = true;
  const up = hechain(["--json", "net", "up", dir], { timeoutMs: 90_000 });
  trackNetDir(dir);
  assert.equal(up.status, 0, `net up: ${up.stdout}\n${up.stderr}`);
  for (const n of init.nodes) {
    await waitFor(async () => (await fetch(`${n.rpc.replace(/\/$/, "")}/api/v1/status`)).ok, { timeoutMs: 60_000, what: `${n.rpc} status` });
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (started) {
    hechain(["--json", "net", "down", dir], { timeoutMs: 60_000 });
    untrackNetDir(dir);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the network page shows every validator and marks a stopped one within seconds", async () => {
  const node0 = init.nodes[0].rpc.replace(/\/$/, "");
  const { page, problems, close } = await openPage(browser);
  await page.goto(`${node0}/#/network`);
  await page.waitForSelector("#nodes tbody tr");
  // All four validators connected, one of them the leader of the current round: healthy.
  await waitFor(async () => (await page.getAttribute("#verdict", "data-level")) === "healthy" &&
    (await page.locator("#nodes tbody tr.down").count()) === 0, { timeoutMs: 20_000, what: "a healthy network" });
  assert.equal(await page.locator("#nodes tbody tr").count(), NODES);
  // The membership history: epoch 0, the genesis validators of the four organisations.
  await page.waitForSelector("#epochs tbody tr");
  assert.equal(await page.locator("#epochs tbody tr").count(), 1);
  assert.match(await page.textContent("#epochs"), /org4-node3 \(org4\)/);
  await shot(page, "network-4-validators");

  // Stop the last validator (by its pid, as `net up` recorded it).
  const last = init.nodes[NODES - 1];
  const pid = Number(fs.readFileSync(path.join(dir, "run", `${last.name}.pid`), "utf8"));
  process.kill(pid, "SIGKILL");
  const stoppedAt = Date.now();
  await page.waitForSelector(`#nodes tr.down[data-node="${last.name}"]`, { timeout: 10_000 });
  const seconds = (Date.now() - stoppedAt) / 1000;
  assert.equal(await page.getAttribute("#verdict", "data-level"), "degraded");
  assert.match(await page.textContent("#verdict"), new RegExp(`${last.name}: validator missing`));
  await shot(page, "network-validator-down");
  console.log(`the page marked ${last.name} down ${seconds.toFixed(1)} s after it stopped`);
  assert.deepEqual(problems, []);
  await close();
});
