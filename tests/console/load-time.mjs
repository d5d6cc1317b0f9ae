// Measures how long the console's first page takes to be useful in Debian's chromium: from the
// start of navigation to the overview showing its status cards, latest blocks and latest
// transactions. Prints figures (a measurement, not a test; docs/performance.md records them).
// Then follows the live block list for FOLLOW seconds, sampling twice a second how many blocks the
// page's newest row is behind the node's head.
// Usage: node tests/console/load-time.mjs [URL] [RUNS] [FOLLOW]   (default http://127.0.0.1:8545, 7 runs, 20 s)
import { launch } from "./lib.mjs";

const url = (process.argv[2] || "http://127.0.0.1:8545").replace(/\/$/, "");
const runs = Number(process.argv[3] || 7);
const follow = Number(process.argv[4] || 20);
const status = await (await fetch(`${url}/api/v1/status`)).json();
const browser = await launch();
const times = [];
for (let i = 0; i < runs; i++) {
  // A fresh context each time: nothing cached.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/`);
  // Page time (milliseconds since the navigation started) when all three are on screen, read in
  // the page at that moment.
  const ready = await page.waitForFunction(
    () => document.querySelector("#stat-height") && document.querySelector("#latest-blocks tr") &&
      document.querySelector("#latest-txs[data-loaded]") && performance.now(), null, { timeout: 20_000 });
  const ms = await ready.jsonValue();
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  times.push({ ms, ...nav });
  await context.close();
}
// Following: how far behind the node's head the page's newest block is.
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(`${url}/`);
await page.waitForSelector("#latest-blocks tr");
const lags = [];
const h0 = (await (await fetch(`${url}/api/v1/status`)).json()).height;
for (const end = Date.now() + follow * 1000; Date.now() < end; ) {
  const [top, head] = await Promise.all([
    page.locator("#latest-blocks tr").first().getAttribute("data-height"),
    fetch(`${url}/api/v1/status`).then((r) => r.json()).then((s) => s.height),
  ]);
  lags.push(head - Number(top));
  await new Promise((r) => setTimeout(r, 500));
}
const h1 = (await (await fetch(`${url}/api/v1/status`)).json()).height;
await context.close();
await browser.close();
const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`node ${url}: height ${status.height}, chain ${status.chain_id} (${status.suite})`);
console.log(`first page useful (cards, latest blocks, latest transactions), ${runs} cold loads:`);
console.log(`  median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
console.log(`following for ${follow} s (${h1 - h0} blocks, one per ${((follow * 1000) / Math.max(1, h1 - h0)).toFixed(0)} ms): ` +
  `the page's newest block was behind the node's head by at most ${Math.max(...lags)} (samples: ${lags.length}, ` +
  `behind by 0 or 1 in ${lags.filter((l) => l <= 1).length})`);
console.log(`  DOMContentLoaded median ${times.map((t) => t.domContentLoaded).sort((a, b) => a - b)[Math.floor(runs / 2)].toFixed(0)} ms`);
