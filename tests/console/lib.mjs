// The browser side of the console tests: Debian's chromium driven by playwright-core, a page
// that records every console error and uncaught exception, screenshots, and QR decoding.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import { REPO } from "../lib/chain.mjs";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
/** Where screenshots go (docs/console holds the ones the docs show: SCREENSHOT_DIR=docs/console). */
export const SHOTS = path.resolve(REPO, process.env.SCREENSHOT_DIR || "tests/console/out");

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A fresh page (own context: own storage) that collects console errors and page errors. */
export async function openPage(browser, { locale = "en-US" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // The browser logs every 404 answer; from the REST API a 404 is an answer the page expects
    // and shows ("not on chain", search misses). Any other failed load is a problem.
    const url = m.location().url || "";
    if (/status of 404/.test(m.text()) && new URL(url, "http://x").pathname.startsWith("/api/v1/")) return;
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  return { page, problems, close: () => context.close() };
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Gives a page a browser wallet (EIP-1193 `window.ethereum`), as a wallet extension does: it
 * holds `privateKey`, answers the account requests, signs and sends `eth_sendTransaction` (here
 * with ethers in the test process), and forwards every other request to the node's JSON-RPC.
 */
export async function installWallet(page, rpcUrl, privateKey) {
  const { JsonRpcProvider, Wallet } = await import("ethers");
  const wallet = new Wallet(privateKey, new JsonRpcProvider(`${rpcUrl}/`, undefined, { cacheTimeout: -1 }));
  await page.exposeFunction("__walletSend", async (tx) => {
    const sent = await wallet.sendTransaction({ to: tx.to, data: tx.data, value: tx.value ?? 0, gasLimit: tx.gas });
    return sent.hash;
  });
  await page.addInitScript((address) => {
    window.ethereum = {
      isTestWallet: true,
      on() {},
      removeListener() {},
      async request({ method, params = [] }) {
        if (method === "eth_requestAccounts" || method === "eth_accounts") return [address];
        if (method === "eth_sendTransaction") return window.__walletSend(params[0]);
        const r = await fetch("/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
        const body = await r.json();
        if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
        return body.result;
      },
    };
  }, wallet.address);
  return wallet.address;
}

/** Decodes the QR code in an element's screenshot; returns its text (or null). */
export async function decodeQr(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  return code ? code.data : null;
}
