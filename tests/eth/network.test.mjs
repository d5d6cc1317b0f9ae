// A 4-validator consortium (`hechain init` + `hechain net up`): the ERC-20 flow through node 0's
// JSON-RPC, and the result read back through node 2's JSON-RPC once committed there.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ContractFactory, Contract, JsonRpcProvider, Wallet, parseUnits } from "ethers";
import { contracts, freePortRange, hechain, hechainJson, rpc, tempDir, trackNetDir, untrackNetDir, waitFor } from "./lib/harness.mjs";

const NODES = 4;

describe("4-validator consortium: ERC-20 through node 0, read through node 2", { timeout: 120_000 }, () => {
  let dir, init, rpcUrls, providers, wallet, other, token, tokenAddress, started = false;

  before(async () => {
    contracts();
    dir = tempDir("hechain-eth-net-");
    const base = await freePortRange(2 * NODES);
    const rpcPort = base;
    const p2pPort = base + NODES;
    init = hechainJson([
      "--json", "init",
      "--nodes", String(NODES),
      "--out", dir,
      "--rpc-port", String(rpcPort),
      "--p2p-port", String(p2pPort),
    ]);
    assert.equal(init.nodes?.length, NODES, `init output: ${JSON.stringify(init)}`);
    rpcUrls = init.nodes.map((n) => String(n.rpc).replace(/\/$/, ""));
    assert.deepEqual(
      rpcUrls,
      [...Array(NODES).keys()].map((i) => `http://127.0.0.1:${rpcPort + i}`),
      "init placed the APIs elsewhere than asked",
    );
    assert.ok(init.test_accounts?.length >= 2, "init lists no test accounts");

    trackNetDir(dir);
    started = true;
    const up = hechain(["--json", "net", "up", dir], { timeoutMs: 90_000 });
    trackNetDir(dir);
    if (up.status !== 0) {
      throw new Error(`hechain net up failed (${up.status}):\n${up.stdout}\n${up.stderr}\n${readLogs(dir)}`);
    }
    for (const url of rpcUrls) {
      await waitFor(
        async () => {
          const res = await fetch(`${url}/api/v1/status`);
          return res.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: `${url}/api/v1/status` },
      );
    }
    providers = rpcUrls.map((u) => new JsonRpcProvider(u + "/", undefined, { pollingInterval: 200, cacheTimeout: -1 }));
    wallet = new Wallet(init.test_accounts[0].private_key, providers[0]);
    other = new Wallet(init.test_accounts[1].private_key);
  });

  after(async () => {
    for (const p of providers ?? []) p.destroy();
    if (started) {
      const down = hechain(["--json", "net", "down", dir], { timeoutMs: 60_000 });
      if (down.status !== 0) console.error(`hechain net down failed (${down.status}):\n${down.stdout}\n${down.stderr}`);
      untrackNetDir(dir);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("every node reports the consortium's chain id", async () => {
    for (const p of providers) {
      assert.equal((await p.getNetwork()).chainId, BigInt(init.chain_id));
    }
  });

  it("net_peerCount counts the connected peers; eth_syncing is false once caught up", async () => {
    for (const url of rpcUrls) {
      await waitFor(async () => (await rpc(url, "net_peerCount")).result === `0x${NODES - 1}`, {
        timeoutMs: 30_000,
        what: `${url} to report ${NODES - 1} peers`,
      });
      // A peer may be a block ahead for a moment: then the answer is the standard progress object.
      const s = (await rpc(url, "eth_syncing")).result;
      if (s !== false) {
        assert.deepEqual(Object.keys(s).sort(), ["currentBlock", "highestBlock", "startingBlock"], JSON.stringify(s));
        for (const v of Object.values(s)) assert.match(v, /^0x(0|[1-9a-f][0-9a-f]*)$/);
      }
      await waitFor(async () => (await rpc(url, "eth_syncing")).result === false, { timeoutMs: 30_000, what: `${url} not syncing` });
    }
  });

  it("deploys and transfers through node 0; node 2 sees the committed result", async () => {
    const art = contracts().HechainToken;
    const supply = parseUnits("1000", 18);
    token = await new ContractFactory(art.abi, art.bytecode, wallet).deploy("Net Token", "NET", supply);
    await token.waitForDeployment();
    tokenAddress = await token.getAddress();

    const amount = parseUnits("12.5", 18);
    const rc = await (await token.transfer(other.address, amount)).wait();
    assert.equal(rc.status, 1);
    assert.equal(await token.balanceOf(other.address), amount);

    const logs = await token.queryFilter(token.filters.Transfer(wallet.address, other.address), rc.blockNumber, rc.blockNumber);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].args.value, amount);
    assert.equal(logs[0].transactionHash, rc.hash);

    // Node 2: wait until it has the block, then read the same state and logs there.
    const p2 = providers[2];
    await waitFor(async () => (await p2.getBlockNumber()) >= rc.blockNumber, { timeoutMs: 30_000, what: `node 2 at height ${rc.blockNumber}` });
    const token2 = new Contract(tokenAddress, art.abi, p2);
    assert.equal(await token2.balanceOf(other.address), amount);
    assert.equal(await token2.balanceOf(wallet.address), supply - amount);
    const rc2 = await p2.getTransactionReceipt(rc.hash);
    assert.equal(rc2?.status, 1);
    assert.equal(rc2.blockHash, rc.blockHash);
    const logs2 = await token2.queryFilter("Transfer", rc.blockNumber, rc.blockNumber);
    assert.equal(logs2.length, 1);
    assert.equal(logs2[0].transactionHash, rc.hash);
    const b0 = await providers[0].getBlock(rc.blockNumber);
    const b2 = await p2.getBlock(rc.blockNumber);
    assert.equal(b2.hash, b0.hash);
  });

  it("a transaction sent to node 3 is committed and visible on node 1", async () => {
    const w3 = new Wallet(init.test_accounts[2].private_key, providers[3]);
    const to = Wallet.createRandom().address;
    const tx = await w3.sendTransaction({ to, value: 777n });
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    await waitFor(async () => (await providers[1].getBalance(to)) === 777n, { timeoutMs: 30_000, what: "node 1 to see the transfer" });
  });
});

function readLogs(dir) {
  const logs = path.join(dir, "logs");
  if (!fs.existsSync(logs)) return "(no logs)";
  return fs
    .readdirSync(logs)
    .map((f) => `--- ${f}\n${fs.readFileSync(path.join(logs, f), "utf8").slice(-3000)}`)
    .join("\n");
}
