// Atomic swap (哈希锁定) between a hechain chain and an EVM chain that is not hechain: hechain's
// native `htlc` module on one side (driven with the `hechain` CLI), contracts/HashedTimelock.sol
// on a Hardhat node on the other (driven with ethers v6). One secret, one SHA-256 hash lock:
// claiming on one side publishes the secret that claims the other. Both the claim path and the
// refund path (nobody claims; both senders take their coins back after the deadlines).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ContractFactory, JsonRpcProvider, Wallet, parseEther } from "ethers";
import { REPO, freePort, hechainJson, hechain, rpc, sleep, startDevChain, startProcess, waitFor } from "./lib/harness.mjs";
import fs from "node:fs";

// Hardhat's well-known development accounts #0 and #1.
const HH_BOB = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const HH_ALICE = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

describe("HTLC swap: hechain htlc module ↔ HashedTimelock.sol on a Hardhat node", { timeout: 240_000 }, () => {
  let chain, hardhat, provider, htlcFactory, alice, bob;
  const here = path.dirname(new URL(import.meta.url).pathname);

  before(async () => {
    chain = await startDevChain({ blockTimeMs: 100 });
    const port = await freePort();
    hardhat = startProcess(
      path.join(here, "node_modules/.bin/hardhat"),
      ["--config", "hardhat.config.cjs", "node", "--hostname", "127.0.0.1", "--port", String(port)],
      { cwd: path.join(here, "hardhat"), env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" } },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await rpc(url, "eth_chainId")).result === "0x7a69", { timeoutMs: 60_000, what: "the Hardhat node" })
      .catch((e) => { throw new Error(`${e.message}\n${hardhat.output()}`); });
    provider = new JsonRpcProvider(url, undefined, { pollingInterval: 50, cacheTimeout: -1 });
    alice = { hechain: chain.accounts[0], evm: new Wallet(HH_ALICE, provider) };
    bob = { hechain: chain.accounts[1], evm: new Wallet(HH_BOB, provider) };
    const art = JSON.parse(fs.readFileSync(path.join(REPO, "contracts/artifacts/HashedTimelock.json"), "utf8"));
    htlcFactory = new ContractFactory(art.abi, art.bytecode, bob.evm);
  });

  after(async () => {
    provider?.destroy();
    await hardhat?.stop();
    await chain?.stop();
  });

  const cli = (who, args) => hechainJson(["--rpc", chain.rpcUrl, "--key", who.hechain.private_key, "--json", ...args]);
  const hechainBalance = (who) => BigInt(hechainJson(["--rpc", chain.rpcUrl, "--json", "account", who.hechain.address]).balance);
  const lockedId = (out) => out.events.find((e) => e.type === "htlc_locked").id;
  const deployHtlc = async () => {
    const c = await htlcFactory.deploy();
    await c.waitForDeployment();
    return c;
  };
  const evmLock = async (c, who, to, hash, deadline, value) => {
    const r = await (await c.connect(who).lock(to, hash, deadline, { value })).wait();
    return c.interface.parseLog(r.logs[0]).args.id;
  };
  const now = async () => (await provider.getBlock("latest")).timestamp;
  // The custom error a call reverts with, decoded with the contract's ABI.
  const reverts = async (c, call, name) => {
    const e = await call.then(() => null, (err) => err);
    assert.ok(e, `expected a revert with ${name}`);
    assert.equal(c.interface.parseError(e.data)?.name, name, String(e));
  };

  it("claim path: each side gets the other's coins with one secret", async () => {
    const htlc = await deployHtlc();
    // Alice makes the secret and locks 5000 on hechain for Bob, for ten minutes.
    const { secret, hash_lock: hash } = hechainJson(["--json", "htlc", "secret"]);
    const bobBefore = hechainBalance(bob);
    const lock = cli(alice, ["htlc", "lock", "--to", bob.hechain.address, "--amount", "5000", "--hash", hash, "--deadline-in", "600"]);
    const id = lockedId(lock);
    // Bob finds the lock by its hash, then locks 1 ETH on the EVM chain for Alice, for five minutes.
    const found = hechainJson(["--rpc", chain.rpcUrl, "--json", "htlc", "by-hash", hash]).locks;
    assert.equal(found.length, 1);
    assert.equal(found[0].receiver.toLowerCase(), bob.hechain.address.toLowerCase());
    assert.equal(found[0].amount, "5000");
    const evmId = await evmLock(htlc, bob.evm, alice.evm.address, hash, (await now()) + 300, parseEther("1"));
    // A wrong secret does not open it.
    await reverts(htlc, htlc.connect(alice.evm).claim(evmId, "0x" + "11".repeat(32)), "WrongSecret");
    // Alice claims the ETH with her secret, which publishes it.
    const aliceEth = await provider.getBalance(alice.evm.address);
    const r = await (await htlc.connect(alice.evm).claim(evmId, secret)).wait();
    const gas = r.gasUsed * r.gasPrice;
    assert.equal(await provider.getBalance(alice.evm.address), aliceEth + parseEther("1") - gas);
    // Bob reads the secret from the EVM chain's event and claims on hechain.
    const claimed = htlc.interface.parseLog(r.logs.find((l) => l.topics[0] === htlc.interface.getEvent("Claimed").topicHash));
    const revealed = claimed.args.preimage;
    assert.equal(revealed, secret);
    cli(bob, ["htlc", "claim", String(id), "--secret", revealed]);
    assert.equal(hechainBalance(bob), bobBefore + 5000n);
    const state = hechainJson(["--rpc", chain.rpcUrl, "--json", "htlc", "get", String(id)]).state;
    assert.deepEqual([state.state, state.preimage], ["claimed", secret]);
    // Nothing twice.
    const again = hechain(["--rpc", chain.rpcUrl, "--key", bob.hechain.private_key, "htlc", "claim", String(id), "--secret", revealed]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /was claimed/);
    await reverts(htlc, htlc.connect(alice.evm).claim(evmId, secret), "AlreadySettled");
  });

  it("refund path: nobody claims, both senders take their coins back after the deadlines", async () => {
    const htlc = await deployHtlc();
    const { hash_lock: hash, secret } = hechainJson(["--json", "htlc", "secret"]);
    const aliceBefore = hechainBalance(alice);
    const lock = cli(alice, ["htlc", "lock", "--to", bob.hechain.address, "--amount", "700", "--hash", hash, "--deadline-in", "2"]);
    const id = lockedId(lock);
    assert.equal(hechainBalance(alice), aliceBefore - 700n);
    const evmId = await evmLock(htlc, bob.evm, alice.evm.address, hash, (await now()) + 60, parseEther("0.5"));
    // Too early to refund on either side.
    await reverts(htlc, htlc.connect(bob.evm).refund(evmId), "NotExpired");
    const early = hechain(["--rpc", chain.rpcUrl, "--key", alice.hechain.private_key, "htlc", "refund", String(id)]);
    assert.notEqual(early.status, 0);
    assert.match(early.stderr, /refundable from/);
    // The EVM chain's clock moves past the deadline: a claim is too late, the refund goes through.
    await provider.send("evm_increaseTime", [61]);
    await provider.send("evm_mine", []);
    await reverts(htlc, htlc.connect(alice.evm).claim(evmId, secret), "Expired");
    await reverts(htlc, htlc.connect(alice.evm).refund(evmId), "NotSender");
    const bobEth = await provider.getBalance(bob.evm.address);
    const r = await (await htlc.connect(bob.evm).refund(evmId)).wait();
    assert.equal(await provider.getBalance(bob.evm.address), bobEth + parseEther("0.5") - r.gasUsed * r.gasPrice);
    // On hechain, once a block is past the deadline (the dev chain makes one each idle second).
    await sleep(2500);
    await waitFor(() => {
      const out = hechain(["--rpc", chain.rpcUrl, "--key", alice.hechain.private_key, "--json", "htlc", "refund", String(id)]);
      return out.status === 0;
    }, { timeoutMs: 20_000, what: "the hechain refund" });
    assert.equal(hechainBalance(alice), aliceBefore);
    const late = hechain(["--rpc", chain.rpcUrl, "--key", bob.hechain.private_key, "htlc", "claim", String(id), "--secret", secret]);
    assert.notEqual(late.status, 0);
    assert.match(late.stderr, /was refunded/);
  });
});
