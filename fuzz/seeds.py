#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (fuzz/corpus/<target>/) from the golden vectors
of the wire format (crates/hechain-types/tests/golden/) and hand-written API requests. Run it
again after a wire-format change; the corpus is committed."""
import hashlib, json, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
golden = os.path.join(here, "..", "crates", "hechain-types", "tests", "golden")
corpus = os.path.join(here, "corpus")

def put(target, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def lines(name):
    with open(os.path.join(golden, name)) as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3:
                yield parts

def unhex(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)

raw_eth = []
for name, field, value in lines("payloads.txt"):
    if field.endswith(".tx"):
        put("native_tx", unhex(value))
for name, field, value in lines("eth_txs.txt"):
    if field == "chaintx":
        put("native_tx", unhex(value))
    if field == "json":
        raw = json.loads(value)["ethereum"]
        raw_eth.append(raw)
        put("eth_tx", unhex(raw))
for name, field, value in lines("blocks.txt"):
    if field == "block":
        put("native_tx", unhex(value))

# p2p frames: version byte 1, then a borsh NetMsg. `Txs` (variant 5) of the golden transactions
# and a block payload (timestamp, transactions).
txs = [unhex(v) for n, f, v in lines("payloads.txt") if f == "standard.tx"][:4]
def u32(n): return n.to_bytes(4, "little")
def u64(n): return n.to_bytes(8, "little")
# ChainTx::Native is variant 0 followed by the signed transaction's borsh bytes.
chain = [b"\x00" + t for t in txs]
put("p2p_frame", b"\x01" + b"\x05" + u32(len(chain)) + b"".join(chain))
put("p2p_frame", u64(1_700_000_000_000) + u32(len(chain)) + b"".join(chain))
put("p2p_frame", b"\x01\x03" + bytes(32))

def rpc(method, params, id=1):
    return json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).encode()

calls = [
    ("eth_chainId", []), ("eth_blockNumber", []),
    ("eth_getBalance", ["0x" + "11" * 20, "latest"]),
    ("eth_call", [{"to": "0x" + "00" * 19 + "01", "data": "0x" + "ab" * 32, "gas": "0x5208"}, "latest"]),
    ("eth_estimateGas", [{"data": "0x6000"}]),
    ("eth_feeHistory", ["0x4", "latest", [10, 50, 90]]),
    ("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "topics": [None, ["0x" + "22" * 32]]}]),
    ("eth_newFilter", [{"fromBlock": "earliest"}]), ("eth_newBlockFilter", []),
    ("eth_getFilterChanges", ["0x1"]), ("eth_getBlockByNumber", ["0x0", True]),
    ("eth_getTransactionReceipt", ["0x" + "33" * 32]),
]
for m, p in calls:
    put("jsonrpc_body", rpc(m, p))
for raw in raw_eth:
    put("jsonrpc_body", rpc("eth_sendRawTransaction", [raw]))
put("jsonrpc_body", b"[" + b",".join(rpc(m, p, i) for i, (m, p) in enumerate(calls[:4])) + b"]")

hex_txs = ["0x" + t.hex() for t in txs]
put("rest_body", b"\x00" + json.dumps({"raw": hex_txs[0]}).encode())
put("rest_body", b"\x01" + json.dumps({"raw": hex_txs}).encode())
put("rest_body", b"\x02" + b"".join(u32(len(t)) + t for t in txs))
print("seeds written to", corpus)
