// viem smoke test against a fresh `hechain dev` chain: chain id, balances, deploy, read, write, logs.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPublicClient, createWalletClient, defineChain, http, parseAbiItem, parseEther, webSocket } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { contracts, startDevChain } from "./lib/harness.mjs";

describe("viem: ERC-20 on a dev chain", { timeout: 180_000 }, () => {
  let chain, hechain, publicClient, walletClient, account, other, token;
  const art = () => contracts().HechainToken;
  const SUPPLY = parseEther("1000000");

  before(async () => {
    art();
    chain = await startDevChain({ blockTimeMs: 100 });
    hechain = defineChain({
      id: 1337,
      name: "hechain dev",
      nativeCurrency: { name: "Hechain", symbol: "HEC", decimals: 18 },
      rpcUrls: { default: { http: [chain.rpcUrl + "/"], webSocket: [chain.wsUrl] } },
    });
    account = privateKeyToAccount(chain.accounts[0].private_key);
    other = privateKeyToAccount(chain.accounts[1].private_key);
    publicClient = createPublicClient({ chain: hechain, transport: http(chain.rpcUrl + "/"), pollingInterval: 100 });
    walletClient = createWalletClient({ chain: hechain, account, transport: http(chain.rpcUrl + "/"), pollingInterval: 100 });
  });

  after(async () => {
    await chain?.stop();
  });

  it("getChainId and getBalance", async () => {
    assert.equal(await publicClient.getChainId(), 1337);
    assert.equal(await walletClient.getChainId(), 1337);
    assert.equal(account.address.toLowerCase(), chain.accounts[0].address.toLowerCase());
    const bal = await publicClient.getBalance({ address: account.address });
    assert.ok(bal > parseEther("1000"), `balance ${bal}`);
    assert.ok((await publicClient.getBlockNumber()) >= 0n);
  });

  it("deploys with deployContract and reads with readContract", async () => {
    const hash = await walletClient.deployContract({
      abi: art().abi,
      bytecode: art().bytecode,
      args: ["Viem Token", "VTK", SUPPLY],
    });
    const rc = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 30_000 });
    assert.equal(rc.status, "success");
    assert.ok(rc.contractAddress, "receipt has no contractAddress");
    token = rc.contractAddress;
    assert.equal(await publicClient.getCode({ address: token }), art().deployedBytecode);
    const bal = await publicClient.readContract({ address: token, abi: art().abi, functionName: "balanceOf", args: [account.address] });
    assert.equal(bal, SUPPLY);
    assert.equal(await publicClient.readContract({ address: token, abi: art().abi, functionName: "symbol" }), "VTK");
  });

  it("writeContract transfer, then getLogs / getContractEvents", async () => {
    const amount = 4242n;
    const { request } = await publicClient.simulateContract({
      account,
      address: token,
      abi: art().abi,
      functionName: "transfer",
      args: [other.address, amount],
    });
    const hash = await walletClient.writeContract(request);
    const rc = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 30_000 });
    assert.equal(rc.status, "success");
    assert.equal(
      await publicClient.readContract({ address: token, abi: art().abi, functionName: "balanceOf", args: [other.address] }),
      amount,
    );

    const logs = await publicClient.getLogs({
      address: token,
      event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"),
      args: { to: other.address },
      fromBlock: rc.blockNumber,
      toBlock: rc.blockNumber,
    });
    assert.equal(logs.length, 1);
    assert.equal(logs[0].args.from, account.address);
    assert.equal(logs[0].args.to, other.address);
    assert.equal(logs[0].args.value, amount);
    assert.equal(logs[0].transactionHash, hash);

    const events = await publicClient.getContractEvents({ address: token, abi: art().abi, eventName: "Transfer", fromBlock: 0n });
    assert.equal(events.length, 2, `events: ${events.length}`);
    assert.equal(events[0].args.from, "0x0000000000000000000000000000000000000000");
    assert.equal(events[1].transactionHash, hash);
  });

  it("a reverting simulateContract surfaces the custom error", async () => {
    await assert.rejects(
      publicClient.simulateContract({
        account: other,
        address: token,
        abi: art().abi,
        functionName: "transfer",
        args: [account.address, 10n ** 30n],
      }),
      (e) => {
        const cause = e.walk?.((c) => c.data?.errorName) ?? e;
        assert.equal(cause.data?.errorName, "InsufficientBalance", String(e));
        return true;
      },
    );
  });

  it("sendTransaction (value) and getTransactionReceipt; block has baseFeePerGas", async () => {
    const to = "0x00000000000000000000000000000000000000aa";
    const hash = await walletClient.sendTransaction({ to, value: 12345n });
    const rc = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 30_000 });
    assert.equal(rc.status, "success");
    assert.equal(rc.type, "eip1559");
    assert.equal(await publicClient.getBalance({ address: to }), 12345n);
    const block = await publicClient.getBlock({ blockNumber: rc.blockNumber });
    assert.equal(typeof block.baseFeePerGas, "bigint");
    assert.ok(block.transactions.includes(hash));
    const fees = await publicClient.estimateFeesPerGas();
    assert.equal(typeof fees.maxFeePerGas, "bigint");
  });

  it("watches blocks over WebSocket (eth_subscribe newHeads)", async () => {
    const wsClient = createPublicClient({ chain: hechain, transport: webSocket(chain.wsUrl) });
    try {
      const heads = await new Promise((resolve, reject) => {
        const got = [];
        const timer = setTimeout(() => {
          unwatch();
          reject(new Error(`only ${got.length} block(s) via newHeads in 15 s`));
        }, 15_000);
        const unwatch = wsClient.watchBlocks({
          onBlock: (b) => {
            got.push(b);
            if (got.length >= 2) {
              clearTimeout(timer);
              unwatch();
              resolve(got);
            }
          },
          onError: (e) => {
            clearTimeout(timer);
            unwatch();
            reject(e);
          },
        });
        // Blocks are produced only when there are transactions: make some.
        (async () => {
          for (let i = 0; i < 6 && got.length < 2; i++) {
            await new Promise((r) => setTimeout(r, 300));
            await walletClient.sendTransaction({ to: other.address, value: 1n }).catch(() => {});
          }
        })();
      });
      assert.ok(heads[1].number > heads[0].number);
    } finally {
      await wsClient.transport.getRpcClient?.().then((c) => c.close()).catch(() => {});
    }
  });
});
