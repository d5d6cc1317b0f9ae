// ethers v6 against a fresh `hechain dev` chain: ERC-20 deploy/transfer/logs/subscriptions,
// reverts (custom error and string), legacy and EIP-1559 transactions, fees, nonces and
// the standard error messages of eth_sendRawTransaction.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContractFactory, Contract, JsonRpcProvider, Wallet, WebSocketProvider, parseEther, parseUnits, ZeroAddress } from "ethers";
import { contracts, describeError, sleep, startDevChain, waitFor } from "./lib/harness.mjs";

describe("ethers v6: ERC-20 on a dev chain", { timeout: 180_000 }, () => {
  let chain, provider, w0, w1, token, tokenAddress;
  const SUPPLY = parseUnits("1000000", 18);

  before(async () => {
    const art = contracts().HechainToken;
    chain = await startDevChain({ blockTimeMs: 100 });
    // cacheTimeout -1: ethers otherwise reuses an identical request's result for 250 ms, which
    // hands out stale nonces when transactions follow each other that quickly.
    provider = new JsonRpcProvider(chain.rpcUrl + "/", undefined, { pollingInterval: 100, cacheTimeout: -1 });
    w0 = new Wallet(chain.accounts[0].private_key, provider);
    w1 = new Wallet(chain.accounts[1].private_key, provider);
    const factory = new ContractFactory(art.abi, art.bytecode, w0);
    token = await factory.deploy("Hechain Token", "HCT", SUPPLY);
    await token.waitForDeployment();
    tokenAddress = await token.getAddress();
  });

  after(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  it("reports chain id 1337 and the dev accounts match their keys", async () => {
    const net = await provider.getNetwork();
    assert.equal(net.chainId, 1337n);
    assert.equal(chain.chainId, 1337);
    assert.equal(w0.address.toLowerCase(), chain.accounts[0].address.toLowerCase());
    assert.equal(w1.address.toLowerCase(), chain.accounts[1].address.toLowerCase());
    assert.ok((await provider.getBalance(w0.address)) > parseEther("1000"));
  });

  it("deployed the token: code, metadata and supply", async () => {
    const code = await provider.getCode(tokenAddress);
    assert.equal(code, contracts().HechainToken.deployedBytecode);
    assert.equal(await token.name(), "Hechain Token");
    assert.equal(await token.symbol(), "HCT");
    assert.equal(await token.decimals(), 18n);
    assert.equal(await token.totalSupply(), SUPPLY);
    assert.equal(await token.balanceOf(w0.address), SUPPLY);
    const deployTx = token.deploymentTransaction();
    const rc = await provider.getTransactionReceipt(deployTx.hash);
    assert.equal(rc.status, 1);
    assert.equal(rc.contractAddress, tokenAddress);
  });

  let transferRc;
  it("transfers, updates balances and returns the Transfer log via eth_getLogs", async () => {
    const amount = parseUnits("1234", 18);
    const tx = await token.transfer(w1.address, amount);
    transferRc = await tx.wait();
    assert.equal(transferRc.status, 1);
    assert.equal(await token.balanceOf(w1.address), amount);
    assert.equal(await token.balanceOf(w0.address), SUPPLY - amount);

    // Receipt logs.
    const parsed = transferRc.logs.map((l) => token.interface.parseLog(l)).filter(Boolean);
    assert.equal(parsed.length, 1);
    assert.equal(parsed[0].name, "Transfer");
    assert.deepEqual([...parsed[0].args], [w0.address, w1.address, amount]);

    // eth_getLogs, by block range and by topic filter.
    const events = await token.queryFilter(token.filters.Transfer(w0.address, w1.address), transferRc.blockNumber, transferRc.blockNumber);
    assert.equal(events.length, 1, `queryFilter returned ${events.length} events`);
    const ev = events[0];
    assert.equal(ev.eventName, "Transfer");
    assert.equal(ev.args.from, w0.address);
    assert.equal(ev.args.to, w1.address);
    assert.equal(ev.args.value, amount);
    assert.equal(ev.transactionHash, transferRc.hash);
    assert.equal(ev.blockHash, transferRc.blockHash);
    assert.equal(ev.address, tokenAddress);

    // All Transfer events since genesis: the mint and this transfer.
    const all = await token.queryFilter("Transfer", 0, "latest");
    assert.equal(all.length, 2);
    assert.equal(all[0].args.from, ZeroAddress);
    // A topic filter that matches nothing.
    const none = await token.queryFilter(token.filters.Transfer(w1.address), 0, "latest");
    assert.equal(none.length, 0);
  });

  it("delivers Transfer events over a WebSocket subscription", async () => {
    const ws = new WebSocketProvider(chain.wsUrl, undefined, { cacheTimeout: -1 });
    try {
      assert.equal((await ws.getNetwork()).chainId, 1337n);
      const tokenWs = new Contract(tokenAddress, contracts().HechainToken.abi, ws);
      const received = [];
      const rawReceived = [];
      await tokenWs.on("Transfer", (from, to, value, payload) => received.push({ from, to, value, payload }));
      // A raw log filter as well (eth_subscribe "logs" with address + topics).
      const topicFilter = { address: tokenAddress, topics: [token.interface.getEvent("Transfer").topicHash] };
      await ws.on(topicFilter, (log) => rawReceived.push(log));
      // ethers sends eth_subscribe asynchronously: a round trip on the same socket, plus a
      // short pause, lets the subscriptions be installed before the transaction.
      await ws.getBlockNumber();
      await sleep(500);

      const amount = 77n;
      const rc = await (await token.transfer(w1.address, amount)).wait();
      await waitFor(() => received.length >= 1 && rawReceived.length >= 1, { timeoutMs: 15_000, what: "WebSocket Transfer events" });
      const ev = received.find((e) => e.payload.log.transactionHash === rc.hash);
      assert.ok(ev, `no subscription event for ${rc.hash}; got ${received.map((e) => e.payload.log.transactionHash)}`);
      assert.equal(ev.from, w0.address);
      assert.equal(ev.to, w1.address);
      assert.equal(ev.value, amount);
      assert.equal(ev.payload.log.blockNumber, rc.blockNumber);
      const raw = rawReceived.find((l) => l.transactionHash === rc.hash);
      assert.ok(raw, "raw log subscription did not deliver the log");
      assert.equal(raw.address, tokenAddress);
      await tokenWs.removeAllListeners();
    } finally {
      await ws.destroy();
    }
  });

  it("decodes the custom error InsufficientBalance", async () => {
    const t1 = token.connect(w1);
    const bal = await t1.balanceOf(w1.address);
    assert.ok(bal > 0n);
    const want = bal + 1n;
    let err;
    try {
      await t1.transfer(w0.address, want);
    } catch (e) {
      err = e;
    }
    assert.ok(err, "transfer of more than the balance did not reject");
    assert.equal(err.code, "CALL_EXCEPTION", describeError(err));
    assert.ok(err.data && err.data.startsWith("0x"), `no revert data: ${describeError(err)}`);
    const parsed = token.interface.parseError(err.data);
    assert.equal(parsed?.name, "InsufficientBalance", describeError(err));
    assert.deepEqual([...parsed.args], [bal, want]);
    assert.equal(err.shortMessage, "execution reverted (unknown custom error)", describeError(err));

    // Through eth_call (staticCall) ethers decodes it with the contract's ABI into `revert`.
    await assert.rejects(t1.transfer.staticCall(w0.address, want), (e) => {
      assert.equal(e.code, "CALL_EXCEPTION", describeError(e));
      assert.equal(e.revert?.name, "InsufficientBalance", describeError(e));
      assert.deepEqual([...e.revert.args], [bal, want]);
      return true;
    });
  });

  it("surfaces a revert string (transfer to the zero address)", async () => {
    let err;
    try {
      await token.transfer(ZeroAddress, 1n);
    } catch (e) {
      err = e;
    }
    assert.ok(err, "transfer to the zero address did not reject");
    assert.equal(err.code, "CALL_EXCEPTION", describeError(err));
    assert.equal(err.reason, "ERC20: transfer to the zero address", describeError(err));
    assert.match(err.shortMessage, /ERC20: transfer to the zero address/, describeError(err));
    assert.equal(err.revert?.name, "Error");
  });

  it("a mined reverting transaction has status 0", async () => {
    const tx = await token.transfer(ZeroAddress, 1n, { gasLimit: 100_000n });
    let err;
    try {
      await tx.wait();
    } catch (e) {
      err = e;
    }
    assert.ok(err, "wait() of a reverted transaction did not reject");
    assert.equal(err.code, "CALL_EXCEPTION", describeError(err));
    assert.equal(err.receipt?.status, 0);
    const rc = await provider.getTransactionReceipt(tx.hash);
    assert.equal(rc.status, 0);
    assert.ok(rc.gasUsed > 21_000n && rc.gasUsed <= 100_000n, `gasUsed ${rc.gasUsed}`);
  });

  it("estimateGas, fee data and the latest block", async () => {
    const plain = await provider.estimateGas({ from: w0.address, to: w1.address, value: 1n });
    assert.equal(plain, 21_000n);
    const erc20 = await token.transfer.estimateGas(w1.address, 1n);
    assert.ok(erc20 > 21_000n && erc20 < 200_000n, `ERC-20 transfer estimate ${erc20}`);

    const block = await provider.getBlock("latest");
    assert.ok(block, "no latest block");
    assert.ok(block.number >= 1);
    assert.equal(typeof block.baseFeePerGas, "bigint", `baseFeePerGas: ${block.baseFeePerGas}`);
    assert.ok(block.gasLimit > 0n);
    assert.match(block.hash, /^0x[0-9a-f]{64}$/);
    const parent = await provider.getBlock(block.number - 1);
    assert.equal(block.parentHash, parent.hash);

    const fee = await provider.getFeeData();
    assert.equal(typeof fee.gasPrice, "bigint");
    assert.equal(typeof fee.maxFeePerGas, "bigint", JSON.stringify(fee, (k, v) => (typeof v === "bigint" ? v.toString() : v)));
    assert.equal(typeof fee.maxPriorityFeePerGas, "bigint");
    assert.ok(fee.maxFeePerGas >= block.baseFeePerGas);
  });

  it("sends a legacy (type 0) transaction", async () => {
    const fee = await provider.getFeeData();
    const tx = await w0.sendTransaction({ type: 0, to: w1.address, value: 1000n, gasPrice: fee.gasPrice });
    assert.equal(tx.type, 0);
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    assert.equal(rc.type, 0);
    const got = await provider.getTransaction(tx.hash);
    assert.equal(got.type, 0);
    assert.equal(got.gasPrice, fee.gasPrice);
    assert.equal(got.chainId, 1337n);
    assert.equal(got.from, w0.address);
  });

  it("sends an EIP-1559 (type 2) transaction, contract call included", async () => {
    const fee = await provider.getFeeData();
    const tx = await token.transfer(w1.address, 5n, {
      type: 2,
      maxFeePerGas: fee.maxFeePerGas,
      maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
    });
    assert.equal(tx.type, 2);
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    assert.equal(rc.type, 2);
    const got = await provider.getTransaction(tx.hash);
    assert.equal(got.type, 2);
    assert.equal(got.maxFeePerGas, fee.maxFeePerGas);
    assert.equal(got.maxPriorityFeePerGas, fee.maxPriorityFeePerGas);
    assert.equal(got.blockNumber, rc.blockNumber);
    // effectiveGasPrice = min(maxFee, baseFee + priority).
    const block = await provider.getBlock(rc.blockNumber);
    const expected = block.baseFeePerGas + fee.maxPriorityFeePerGas < fee.maxFeePerGas ? block.baseFeePerGas + fee.maxPriorityFeePerGas : fee.maxFeePerGas;
    assert.equal(rc.gasPrice, expected, `effectiveGasPrice ${rc.gasPrice}, baseFee ${block.baseFeePerGas}`);
  });

  it("a plain value transfer between wallets moves exactly the value, fee paid by the sender", async () => {
    const to = Wallet.createRandom().address;
    const value = parseEther("1.5");
    const before0 = await provider.getBalance(w0.address);
    const tx = await w0.sendTransaction({ to, value });
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    assert.equal(rc.gasUsed, 21_000n);
    assert.equal(await provider.getBalance(to), value);
    const after0 = await provider.getBalance(w0.address);
    assert.equal(before0 - after0, value + rc.gasUsed * rc.gasPrice, `fee accounting: gasPrice ${rc.gasPrice}`);
  });

  it("getTransactionCount: latest vs pending", async () => {
    const latest0 = await provider.getTransactionCount(w1.address, "latest");
    const pending0 = await provider.getTransactionCount(w1.address, "pending");
    assert.equal(pending0, latest0, "no transaction of w1 is pending");
    const tx = await w1.sendTransaction({ to: w0.address, value: 1n });
    assert.equal(tx.nonce, latest0);
    // Pending or already mined, the pending count includes it.
    assert.equal(await provider.getTransactionCount(w1.address, "pending"), latest0 + 1);
    await tx.wait();
    assert.equal(await provider.getTransactionCount(w1.address, "latest"), latest0 + 1);
    assert.equal(await provider.getTransactionCount(w1.address, "pending"), latest0 + 1);
  });

  /**
   * Signs a 1-wei EIP-1559 transfer from `wallet` with `nonce` and expects `eth_sendRawTransaction` to refuse it
   * with a message matching `pattern`, classified by ethers as `code`.
   */
  async function expectBroadcastRejected(wallet, nonce, to, pattern, code, acceptedMsg) {
    const fee = await provider.getFeeData();
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: 1337n,
      nonce,
      to,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: fee.maxFeePerGas,
      maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
    });
    let err;
    try {
      await provider.broadcastTransaction(raw);
    } catch (e) {
      err = e;
    }
    assert.ok(err, acceptedMsg);
    const serverMsg = err.info?.error?.message ?? "";
    assert.match(serverMsg + " " + err.message, pattern, describeError(err));
    assert.equal(err.code, code, describeError(err));
  }

  it("rejects a raw transaction with an old nonce: nonce too low", async () => {
    const nonce = await provider.getTransactionCount(w0.address, "latest");
    assert.ok(nonce >= 1);
    await expectBroadcastRejected(w0, nonce - 1, w1.address, /nonce too low/i, "NONCE_EXPIRED", "stale nonce was accepted");
  });

  it("rejects a raw transaction from an unfunded wallet: insufficient funds", async () => {
    const poor = Wallet.createRandom().connect(provider);
    assert.equal(await provider.getBalance(poor.address), 0n);
    await expectBroadcastRejected(
      poor,
      0,
      w0.address,
      /insufficient funds/i,
      "INSUFFICIENT_FUNDS",
      "transaction from an unfunded account was accepted",
    );
  });

  it("sendTransaction from an unfunded wallet fails in eth_estimateGas: insufficient funds", async () => {
    // ethers recognises geth's eth_estimateGas message ("insufficient funds for transfer" /
    // "insufficient funds for gas * price + value") and reports INSUFFICIENT_FUNDS.
    const poor = Wallet.createRandom().connect(provider);
    await assert.rejects(poor.sendTransaction({ to: w0.address, value: 1n }), (e) => {
      assert.match(e.info?.error?.message ?? e.message, /insufficient funds/i, describeError(e));
      assert.equal(e.code, "INSUFFICIENT_FUNDS", describeError(e));
      return true;
    });
  });

  it("approve / allowance / transferFrom", async () => {
    const spender = w1;
    await (await token.approve(spender.address, 100n)).wait();
    assert.equal(await token.allowance(w0.address, spender.address), 100n);
    const to = Wallet.createRandom().address;
    const rc = await (await token.connect(spender).transferFrom(w0.address, to, 60n)).wait();
    assert.equal(rc.status, 1);
    assert.equal(await token.balanceOf(to), 60n);
    assert.equal(await token.allowance(w0.address, spender.address), 40n);
    await assert.rejects(token.connect(spender).transferFrom(w0.address, to, 41n), (e) => {
      assert.equal(e.reason, "ERC20: insufficient allowance", describeError(e));
      return true;
    });
  });
});
