// The console on a 国密 (gm) chain: the page hashes a dropped file with SM3 (the same hash the
// CLI stored) and verifies an SM2-sealed certificate offline.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startDevChain, hechainJson, tempDir } from "../lib/chain.mjs";
import { launch, openPage } from "./lib.mjs";

let chain, browser, dir;

before(async () => {
  chain = await startDevChain({ blockTimeMs: 200, extraArgs: ["--suite", "gm"] });
  browser = await launch();
  dir = tempDir("hechain-console-gm-");
});

after(async () => {
  await browser?.close();
  await chain?.stop();
});

test("files are hashed with SM3 and SM2-sealed certificates verify in the page", async () => {
  const file = path.join(dir, "判决书.txt");
  fs.writeFileSync(file, Buffer.alloc(5 << 20, "证")); // 5 MiB: read in two chunks
  const put = hechainJson(["--json", "--rpc", chain.rpcUrl, "evidence", "put", file]);
  const cert = path.join(dir, "cert.json");
  hechainJson(["--json", "--rpc", chain.rpcUrl, "evidence", "cert", String(put.id), "--output", cert]);
  const { page, problems, close } = await openPage(browser, { locale: "zh-CN" });
  await page.goto(`${chain.rpcUrl}/#/evidence`);
  await page.setInputFiles("#evidence-drop-input", file);
  await page.waitForSelector("#evidence-result");
  assert.equal(await page.getAttribute("#evidence-result", "data-found"), "true");
  const shown = await page.textContent("#file-hash");
  assert.match(shown, /SM3/);
  assert.ok(shown.includes(put.content_hash), `${shown} vs ${put.content_hash}`);
  await page.goto(`${chain.rpcUrl}/#/verify`);
  await page.setInputFiles("#cert-drop-input", cert);
  await page.waitForSelector("#verify-result");
  assert.equal(await page.getAttribute("#verify-result", "data-valid"), "true", await page.textContent("#verify-out"));
  assert.match(await page.textContent("#verify-out"), /gm/);
  assert.deepEqual(problems, []);
  await close();
});
