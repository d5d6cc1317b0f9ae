// The web console against a real dev node, in a real browser: every page renders without
// console errors (in English and in Chinese), blocks appear live, files are hashed and
// certificates verified inside the page (right ones pass, changed ones fail with the reason),
// item pages carry a QR code that decodes to their own address, proposals made with the CLI show
// with their votes, and the block list keeps up with 200 ms blocks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { REPO, startDevChain, hechainJson, tempDir, waitFor } from "../lib/chain.mjs";
import { launch, openPage, shot, decodeQr, installWallet } from "./lib.mjs";

let chain, other, browser, dir, base;
const cli = (...args) => hechainJson(["--json", "--rpc", chain.rpcUrl, ...args]);
const api = async (p) => (await fetch(base + p)).json();

before(async () => {
  chain = await startDevChain({ blockTimeMs: 200 });
  // `hechain dev` prints where the console is.
  base = chain.info.console_url.replace(/\/$/, "");
  assert.equal(base, chain.rpcUrl);
  browser = await launch();
  dir = tempDir("hechain-console-");
  // Something of every service to look at.
  fs.writeFileSync(path.join(dir, "contract.pdf"), "采购合同 2026-001 — the signed contract\n");
  fs.writeFileSync(path.join(dir, "attrs.json"), '{"grade":"特级"}');
  cli("evidence", "put", path.join(dir, "contract.pdf"), "--title", "采购合同");
  cli("trace", "batch", "--product", "龙井茶", "--producer-label", "西湖茶厂", "--attributes", path.join(dir, "attrs.json"), "TEA-0001", "TEA-0002");
  cli("trace", "event", "--stage", "processed", "--location", "杭州", "TEA-0001");
  cli("voucher", "issue", chain.accounts[1].address, "1000", "--maturity", "2030-01-01", "--reference", path.join(dir, "contract.pdf"));
  cli("transfer", chain.accounts[2].address, "5");
  // Cross-chain: light clients of a second (gm) dev chain and of this one on each other, a
  // `transfer` channel between them (the relayer's four handshake steps, every one proven), and
  // a transfer over it left pending (no relayer runs).
  other = await startDevChain({ blockTimeMs: 200, extraArgs: ["--suite", "gm"] });
  cli("relay", "connect", "--a", chain.rpcUrl, "--b", other.rpcUrl);
  cli("xchain", "transfer", "--channel", "1", "--to", chain.accounts[2].address, "--amount", "9");
});

after(async () => {
  await browser?.close();
  await chain?.stop();
  await other?.stop();
});

async function visit(page, hash, selector = "main > *") {
  const url = `${base}/${hash}`;
  // The same address again is no navigation at all (no hashchange): load it afresh.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.waitForSelector(selector, { timeout: 15_000 });
}

test("every page renders without console errors, in both languages", async () => {
  const status = await api("/api/v1/status");
  const block = await api("/api/v1/blocks/latest");
  const tx = (await api("/api/v1/evidence/1")).tx_hash;
  const pages = [
    ["overview", "#/", "#latest-blocks tr"], ["network", "#/network", "#verdict"], ["block", `#/block/${block.header.height}`, "table.kv"],
    ["transaction", `#/tx/${tx}`, ".event"], ["account", `#/account/${chain.accounts[0].address}`, "#account-address"],
    ["evidence", "#/evidence", "#evidence-drop"], ["verify", "#/verify", "#cert-drop"], ["trace", "#/trace/TEA-0001", "#item-qr"],
    ["vouchers", "#/vouchers/1", "#split-tree"], ["copyright", "#/copyright", "#record-id"], ["ecerts", "#/ecerts", "#record-id"],
    ["invoices", "#/invoices", "#record-id"], ["governance", "#/gov", "#proposals"],
    ["xchain", "#/xchain", "#xc-channels tbody tr"], ["xchain-channel", "#/xchain/1", "#xc-pending tbody tr"], ["search", `#/search/${chain.accounts[0].address}`, "#account-address"],
  ];
  for (const locale of ["en-US", "zh-CN"]) {
    const { page, problems, close } = await openPage(browser, { locale });
    for (const [name, hash, selector] of pages) {
      await visit(page, hash, selector);
      assert.equal(await page.locator("main .error").count(), 0, `${locale} ${name}: ${await page.locator("main .error").allTextContents()}`);
      if (locale === "en-US") await shot(page, name);
      else if (name === "overview" || name === "trace") await shot(page, `${name}-zh`);
    }
    // The account page lists what the account sent (evidence, trace, voucher, transfer: 5 or more).
    await visit(page, `#/account/${chain.accounts[0].address}`, "#account-txs tbody tr");
    assert.ok((await page.locator("#account-txs tbody tr").count()) >= 5);
    // The language: Chinese when the browser asks for it, and switchable.
    const nav = await page.locator("#nav a").first().textContent();
    assert.equal(nav, locale === "zh-CN" ? "概览" : "Overview");
    await page.click("#lang");
    assert.equal(await page.locator("#nav a").first().textContent(), locale === "zh-CN" ? "Overview" : "概览");
    assert.deepEqual(problems, [], `${locale}: ${problems.join("\n")}`);
    assert.equal(status.chain_id, 1337);
    await close();
  }
});

test("a block produced after the page opened appears without reload", async () => {
  const { page, problems, close } = await openPage(browser);
  await visit(page, "#/", "#latest-blocks tr");
  const top = Number(await page.locator("#latest-blocks tr").first().getAttribute("data-height"));
  const sent = cli("transfer", chain.accounts[3].address, "7");
  await page.waitForSelector(`#latest-blocks tr[data-height="${sent.height}"]`, { timeout: 10_000 });
  assert.ok(sent.height > top);
  // Its transaction shows among the latest transactions too.
  await page.waitForSelector(`#latest-txs a[href="#/tx/${sent.tx_hash}"]`, { timeout: 10_000 });
  assert.deepEqual(problems, []);
  await close();
});

test("the block list keeps up with 200 ms blocks", async () => {
  const { page, problems, close } = await openPage(browser);
  await visit(page, "#/", "#latest-blocks tr");
  // Load: a transfer every 100 ms for 6 s keeps a block every 200 ms coming.
  const until = Date.now() + 6000;
  while (Date.now() < until) {
    await fetch(base + "/", { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}' });
    cli("transfer", chain.accounts[3].address, "1");
  }
  const head = (await api("/api/v1/status")).height;
  await waitFor(async () => Number(await page.locator("#latest-blocks tr").first().getAttribute("data-height")) >= head, {
    timeoutMs: 3000, what: `the page's newest block to reach the node's height ${head}`,
  });
  assert.deepEqual(problems, []);
  await close();
});

test("a dropped file is hashed in the page and verifies; a one-byte-changed copy does not", async () => {
  const { page, problems, close } = await openPage(browser);
  await visit(page, "#/evidence", "#evidence-drop");
  const file = path.join(dir, "contract.pdf");
  await page.setInputFiles("#evidence-drop-input", file);
  await page.waitForSelector("#evidence-result");
  assert.equal(await page.getAttribute("#evidence-result", "data-found"), "true");
  const stored = await api("/api/v1/evidence/1");
  assert.match(await page.textContent("#file-hash"), new RegExp(stored.content_hash));
  await shot(page, "evidence-verified");
  const changed = Buffer.from(fs.readFileSync(file));
  changed[3] ^= 1;
  const copy = path.join(dir, "contract-changed.pdf");
  fs.writeFileSync(copy, changed);
  await page.setInputFiles("#evidence-drop-input", copy);
  await page.waitForFunction(() => document.querySelector("#evidence-result")?.dataset.found === "false");
  assert.doesNotMatch(await page.textContent("#file-hash"), new RegExp(stored.content_hash));
  assert.deepEqual(problems, []);
  await close();
});

test("with a browser wallet, a file not on chain is registered, signed by the wallet", async () => {
  const { page, problems, close } = await openPage(browser);
  const address = await installWallet(page, base, chain.accounts[4].private_key);
  await visit(page, "#/evidence", "#evidence-drop");
  const file = path.join(dir, "photo.jpg");
  fs.writeFileSync(file, "a photo of the damaged goods, 2026-12-06");
  await page.setInputFiles("#evidence-drop-input", file);
  await page.waitForSelector("#wallet-register");
  await page.fill("#evidence-title", "货损照片");
  await page.click("#wallet-register");
  await page.waitForFunction(() => document.querySelector("#evidence-result")?.dataset.found === "true", null, { timeout: 20_000 });
  const hash = "0x" + crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  const rec = await api(`/api/v1/evidence/by-hash/${hash}`);
  assert.equal(rec.submitter.toLowerCase(), address.toLowerCase());
  assert.equal(rec.meta.title, "货损照片");
  assert.deepEqual(problems, []);
  await close();
});

test("a certificate verifies offline in the page; a tampered one fails with its reason", async () => {
  const certFile = path.join(dir, "evidence-1.cert.json");
  cli("evidence", "cert", "1", "--output", certFile);
  const tampered = path.join(dir, "tampered.cert.json");
  fs.writeFileSync(tampered, fs.readFileSync(certFile, "utf8").replace("采购合同", "销售合同"));
  const { page, problems, close } = await openPage(browser);
  await visit(page, "#/verify", "#cert-drop");
  // No request reaches the node while the file is checked (the genesis is fetched first).
  await page.evaluate(() => fetch("/api/v1/genesis"));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.setInputFiles("#cert-drop-input", certFile);
  await page.waitForSelector("#verify-result");
  assert.equal(await page.getAttribute("#verify-result", "data-valid"), "true", await page.textContent("#verify-out"));
  await shot(page, "certificate-verified");
  await page.setInputFiles("#cert-drop-input", tampered);
  await page.waitForFunction(() => document.querySelector("#verify-result")?.dataset.valid === "false");
  assert.match(await page.textContent("#verify-reason"), /does not match/);
  assert.ok(requests.every((u) => !u.includes("certificate")), `the page sent: ${requests}`);
  // Against another chain's genesis (the user's own file), the right certificate fails too.
  const genesis = await api("/api/v1/genesis");
  const other = path.join(dir, "other-genesis.json");
  fs.writeFileSync(other, JSON.stringify({ ...genesis, chain_id: 4242 }));
  await page.setInputFiles("#genesis-input", other);
  await page.setInputFiles("#cert-drop-input", certFile);
  await page.waitForFunction(() => document.querySelector("#verify-result")?.dataset.valid === "false");
  assert.deepEqual(problems, []);
  await close();
});

test("an item page shows its custody history and a QR code of its own address", async () => {
  const { page, problems, close } = await openPage(browser);
  await visit(page, "#/search/TEA-0001", "#item-qr");
  assert.equal(new URL(page.url()).hash, "#/trace/TEA-0001");
  assert.equal(await page.locator("#custody li").count(), 1);
  assert.match(await page.textContent("#item-events"), /processed/);
  const url = await decodeQr(page.locator("#item-qr"));
  assert.equal(url, `${base}/#/trace/TEA-0001`);
  // Scanning it lands on the same page.
  await visit(page, url.slice(base.length + 1), "#item-qr");
  assert.match(await page.textContent("main"), /龙井茶/);
  assert.deepEqual(problems, []);
  await close();
});

test("a contract's page shows its code hash and its events, decoded once its ABI is dropped", async () => {
  const { keccak256 } = await import("ethers");
  const artifact = path.join(REPO, "contracts/artifacts/HechainToken.json");
  const deployed = cli("contract", "deploy", artifact, "Coin", "CN", "1000000");
  const address = deployed.contract_address ?? deployed.address;
  cli("contract", "send", address, "transfer(address,uint256)", chain.accounts[1].address, "250");
  const code = (await (await fetch(base + "/", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getCode", params: [address, "latest"] }) })).json()).result;
  const { page, problems, close } = await openPage(browser);
  await visit(page, `#/account/${address}`, "#contract-info");
  assert.equal(await page.textContent("#code-hash"), keccak256(code));
  // The mint and the transfer, undecoded (no ABI yet): the Transfer event's topic.
  const transferTopic = keccak256(Buffer.from("Transfer(address,address,uint256)"));
  assert.equal(await page.locator("#contract-events tbody tr").count(), 2);
  assert.match(await page.textContent("#contract-events"), new RegExp(transferTopic));
  await page.setInputFiles("#abi-drop-input", artifact);
  await page.waitForFunction(() => /known|已知/.test(document.querySelector("#abi-state")?.textContent || ""));
  assert.match(await page.textContent("#contract-events"), /Transfer/);
  assert.match(await page.textContent("#contract-events"), /value=250/);
  await shot(page, "contract");
  assert.deepEqual(problems, []);
  await close();
});

test("a proposal created with the CLI appears with its votes", async () => {
  const { page, problems, close } = await openPage(browser);
  await visit(page, "#/gov", "#proposals");
  const before = await page.locator("#proposals tbody tr").count();
  const made = cli("gov", "propose", "grant-role", chain.accounts[1].address, "operator");
  const id = made.events.find((e) => e.type === "gov_proposed").id;
  await visit(page, "#/gov", "#proposals");
  assert.equal(await page.locator("#proposals tbody tr").count(), before + 1);
  await visit(page, `#/gov/${id}`, "#votes");
  assert.equal(await page.locator("#votes tbody tr").count(), 1);
  assert.match(await page.textContent("#votes"), new RegExp(chain.accounts[0].address.slice(2, 10), "i"));
  assert.match(await page.textContent("#proposal-outcome"), /applied/);
  await shot(page, "proposal");
  assert.deepEqual(problems, []);
  await close();
});

// Last: it adds a committee member, after which proposals no longer pass on one vote.
test("with a browser wallet, a committee member votes on an open proposal from its page", async () => {
  cli("gov", "propose", "set-member", chain.accounts[1].address, "1");
  const made = cli("gov", "propose", "grant-role", chain.accounts[5].address, "operator");
  const id = made.events.find((e) => e.type === "gov_proposed").id;
  assert.equal((await api(`/api/v1/governance/proposals/${id}`)).proposal.status.state, "open");
  const { page, problems, close } = await openPage(browser);
  await installWallet(page, base, chain.accounts[1].private_key);
  await visit(page, `#/gov/${id}`, "#vote-yes");
  await page.click("#vote-yes");
  await page.waitForFunction(() => /applied/.test(document.querySelector("#proposal-outcome")?.textContent || ""), null, { timeout: 20_000 });
  assert.equal(await page.locator("#votes tbody tr").count(), 2);
  assert.equal(await page.locator("#vote-yes").count(), 0, "no vote buttons on a closed proposal");
  const roles = await api(`/api/v1/governance/accounts/${chain.accounts[5].address}`);
  assert.ok(JSON.stringify(roles.roles).includes("operator"), JSON.stringify(roles));
  await shot(page, "proposal-voted-with-wallet");
  assert.deepEqual(problems, []);
  await close();
});
