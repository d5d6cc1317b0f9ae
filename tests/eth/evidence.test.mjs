// The evidence (存证) precompile at 0x…1000, used from a contract (EvidenceNotary) with ethers v6:
// logs, reads, revert rollback, duplicate rejection, and the native REST API seeing the record.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Contract, ContractFactory, Interface, JsonRpcProvider, Wallet, hexlify, randomBytes } from "ethers";
import { EVIDENCE_ADDRESS, contracts, describeError, startDevChain } from "./lib/harness.mjs";

const randomHash = () => hexlify(randomBytes(32));

describe("evidence precompile through EvidenceNotary (ethers v6)", { timeout: 180_000 }, () => {
  let chain, provider, wallet, notary, notaryAddress, evidence, evidenceIface;

  before(async () => {
    const c = contracts();
    evidenceIface = new Interface(c.IHechainEvidence.abi);
    chain = await startDevChain({ blockTimeMs: 100 });
    provider = new JsonRpcProvider(chain.rpcUrl + "/", undefined, { pollingInterval: 100, cacheTimeout: -1 });
    wallet = new Wallet(chain.accounts[0].private_key, provider);
    notary = await new ContractFactory(c.EvidenceNotary.abi, c.EvidenceNotary.bytecode, wallet).deploy();
    await notary.waitForDeployment();
    notaryAddress = await notary.getAddress();
    evidence = new Contract(EVIDENCE_ADDRESS, c.IHechainEvidence.abi, provider);
  });

  after(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  it("the compiled interface has the precompile's ABI", () => {
    const sigs = evidenceIface.fragments.map((f) => f.format("sighash")).sort();
    assert.deepEqual(sigs, [
      "EvidenceStored(uint64,bytes32,address,string,string,string,string)",
      "exists(bytes32)",
      "get(bytes32)",
      "store(bytes32,string,string,string,string)",
    ]);
    assert.equal(
      evidenceIface.getFunction("get").format("full"),
      "function get(bytes32 contentHash) view returns (uint64 id, address submitter, uint64 height, uint64 timestampMs, string title, string kind, string owner, string externalRef)",
    );
  });

  const hash = randomHash();
  let rc, storedId;

  it("notarize stores through the precompile: EvidenceStored and Notarized logs", async () => {
    // eth_call first: returns the id the record would get.
    const simulated = await notary.notarize.staticCall(hash, "contract title");
    assert.equal(typeof simulated, "bigint");
    assert.ok(simulated >= 1n);

    rc = await (await notary.notarize(hash, "contract title")).wait();
    assert.equal(rc.status, 1);
    const precompileLogs = rc.logs.filter((l) => l.address.toLowerCase() === EVIDENCE_ADDRESS);
    assert.equal(precompileLogs.length, 1, `logs: ${JSON.stringify(rc.logs.map((l) => l.address))}`);
    const stored = evidenceIface.parseLog(precompileLogs[0]);
    assert.equal(stored.name, "EvidenceStored");
    assert.equal(stored.args.contentHash, hash);
    assert.equal(stored.args.submitter, notaryAddress);
    assert.equal(stored.args.title, "contract title");
    assert.equal(stored.args.kind, "contract");
    assert.equal(stored.args.owner, "notary");
    assert.equal(stored.args.externalRef, "");
    storedId = stored.args.id;
    assert.equal(storedId, simulated);

    const mine = rc.logs.filter((l) => l.address === notaryAddress).map((l) => notary.interface.parseLog(l));
    assert.equal(mine.length, 1);
    assert.equal(mine[0].name, "Notarized");
    assert.equal(mine[0].args.contentHash, hash);
    assert.equal(mine[0].args.id, storedId);
    // Log order: the precompile's log comes first (it is emitted inside the call).
    assert.ok(precompileLogs[0].index < rc.logs.find((l) => l.address === notaryAddress).index);

    // eth_getLogs by the precompile address and indexed contentHash.
    const logs = await provider.getLogs({
      address: EVIDENCE_ADDRESS,
      topics: [evidenceIface.getEvent("EvidenceStored").topicHash, null, hash],
      fromBlock: 0,
      toBlock: "latest",
    });
    assert.equal(logs.length, 1);
    assert.equal(logs[0].transactionHash, rc.hash);
  });

  it("isNotarized and the precompile's exists/get see the record", async () => {
    assert.equal(await notary.isNotarized(hash), true);
    assert.equal(await evidence.exists(hash), true);
    assert.equal(await evidence.exists(randomHash()), false);
    const r = await evidence.get(hash);
    assert.equal(r.id, storedId);
    assert.equal(r.submitter, notaryAddress);
    assert.equal(r.height, BigInt(rc.blockNumber));
    const block = await provider.getBlock(rc.blockNumber);
    assert.equal(r.timestampMs / 1000n, BigInt(block.timestamp), `timestampMs ${r.timestampMs}, block timestamp ${block.timestamp}`);
    assert.equal(r.title, "contract title");
    assert.equal(r.kind, "contract");
    assert.equal(r.owner, "notary");
    assert.equal(r.externalRef, "");
  });

  it("get of an absent hash reverts", async () => {
    await assert.rejects(evidence.get(randomHash()), (e) => {
      assert.equal(e.code, "CALL_EXCEPTION", describeError(e));
      assert.match(e.reason ?? "", /no evidence/, describeError(e));
      return true;
    });
  });

  it("notarizeAndRevert rejects with 'rolled back' and the store is undone", async () => {
    const h = randomHash();
    // Simulated (eth_estimateGas) rejection.
    await assert.rejects(notary.notarizeAndRevert(h, "gone"), (e) => {
      assert.equal(e.reason, "rolled back", describeError(e));
      return true;
    });
    // Mined with a fixed gas limit: status 0, and nothing stored.
    const tx = await notary.notarizeAndRevert(h, "gone", { gasLimit: 500_000n });
    await assert.rejects(tx.wait(), (e) => {
      assert.equal(e.code, "CALL_EXCEPTION", describeError(e));
      assert.equal(e.receipt?.status, 0);
      return true;
    });
    const txRc = await provider.getTransactionReceipt(tx.hash);
    assert.equal(txRc.status, 0);
    assert.equal(txRc.logs.length, 0, "a reverted transaction has no logs");
    assert.equal(await evidence.exists(h), false);
    assert.equal(await notary.isNotarized(h), false);
    // The hash is still free: it can be stored afterwards.
    const ok = await (await notary.notarize(h, "now")).wait();
    assert.equal(ok.status, 1);
    assert.equal(await evidence.exists(h), true);
  });

  it("notarizing the same hash twice reverts with 'already exists'", async () => {
    let err;
    try {
      await notary.notarize(hash, "again");
    } catch (e) {
      err = e;
    }
    assert.ok(err, "duplicate notarize did not reject");
    assert.equal(err.code, "CALL_EXCEPTION", describeError(err));
    assert.match(err.reason ?? err.shortMessage ?? "", /already exists/, describeError(err));
  });

  it("calling store directly from an account makes the account the submitter", async () => {
    const h = randomHash();
    const direct = new Contract(EVIDENCE_ADDRESS, evidenceIface, wallet);
    const rc2 = await (await direct.store(h, "direct", "file", "me", "ref-1")).wait();
    assert.equal(rc2.status, 1);
    const r = await evidence.get(h);
    assert.equal(r.submitter, wallet.address);
    assert.equal(r.externalRef, "ref-1");
    // A field over 512 bytes is refused.
    await assert.rejects(direct.store(randomHash(), "x".repeat(513), "", "", ""), (e) => {
      assert.equal(e.code, "CALL_EXCEPTION", describeError(e));
      return true;
    });
  });

  it("the REST API sees the record stored from the EVM", async () => {
    const urls = [`${chain.rpcUrl}/api/v1/evidence/by-hash/${hash}`, `${chain.rpcUrl}/api/v1/evidence/${hash}`];
    const tried = [];
    let body;
    for (const url of urls) {
      const res = await fetch(url);
      const text = await res.text();
      tried.push(`${url} -> ${res.status} ${text.slice(0, 500)}`);
      if (res.status === 200) {
        body = JSON.parse(text);
        break;
      }
    }
    assert.ok(body, `no 200 from the REST API:\n${tried.join("\n")}`);
    const show = JSON.stringify(body);
    const rec = body.record ?? body.evidence ?? body;
    assert.ok(rec.submitter !== undefined, `no submitter field: ${show}`);
    assert.equal(String(rec.submitter).toLowerCase(), notaryAddress.toLowerCase(), show);
    if (rec.id !== undefined) assert.equal(BigInt(rec.id), storedId, show);
    if (rec.content_hash !== undefined) assert.equal(String(rec.content_hash).toLowerCase(), hash, show);
    if (rec.height !== undefined) assert.equal(Number(rec.height), rc.blockNumber, show);
    const txHash = rec.tx_hash ?? rec.txHash;
    if (txHash !== undefined) assert.equal(String(txHash).toLowerCase(), rc.hash, show);
    assert.match(show, /contract title/, show);
  });
});
