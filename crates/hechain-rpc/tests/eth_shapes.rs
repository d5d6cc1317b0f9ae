//! The shape of every answer of every JSON-RPC method the server lists ([`METHODS`] and
//! [`WS_METHODS`]), field by field, as the Ethereum execution API specifies it
//! (ethereum/execution-apis, `src/schemas`): quantities as minimal hex (`0x0`, `0x1a`, never
//! `0x01a`), hashes and 32-byte words as exactly 64 hex digits, addresses as 40, the logs bloom as
//! 512, the block nonce as 16, byte data of even length; objects (blocks, headers, transactions
//! of each type, receipts, logs, fee history, sync status) with their required fields and no
//! fields beyond the specification's and a few listed hechain extensions.
//!
//! The chain holds every kind of transaction (legacy, EIP-2930 with an access list, EIP-1559, a
//! contract creation, a reverted one, native transfers and module operations, a pending one),
//! contract logs, and a stand-in consensus status with peers ahead (for `eth_syncing`'s object).
//! The test walks [`METHODS`] and fails on a method it has no check for, so a method added to
//! the server cannot go unchecked.

use hechain_testkit as common;

use std::collections::BTreeSet;
use std::time::Duration;

use alloy_consensus::{TxEip1559, TxEip2930, TxLegacy};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address as EvmAddress, TxKind, B256, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use common::TestNode;
use futures::{SinkExt, StreamExt};
use hechain_rpc::eth::{METHODS, WS_METHODS};
use hechain_types::{Address, EthTransaction};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

sol! {
    interface IToken {
        function transfer(address to, uint256 value) external returns (bool);
        function balanceOf(address who) external view returns (uint256);
    }
}

// ------------------------------------------------------------------------------ shapes

fn lower_hex(h: &str) -> bool {
    h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn text<'a>(p: &str, v: &'a Value) -> &'a str {
    v.as_str().unwrap_or_else(|| panic!("{p}: expected a string, got {v}"))
}

fn digits<'a>(p: &str, v: &'a Value) -> &'a str {
    let s = text(p, v);
    s.strip_prefix("0x").unwrap_or_else(|| panic!("{p}: {s:?} lacks the 0x prefix"))
}

/// `uint`: `^0x(0|[1-9a-f][0-9a-f]*)$`.
fn qty(p: &str, v: &Value) {
    let h = digits(p, v);
    assert!(
        h == "0" || (!h.is_empty() && !h.starts_with('0') && lower_hex(h)),
        "{p}: {v} is not a quantity (minimal lower-case hex)"
    );
}

/// Exactly `n` lower-case hex digits.
fn fixed(p: &str, v: &Value, n: usize) {
    let h = digits(p, v);
    assert!(h.len() == n && lower_hex(h), "{p}: {v} is not {n} lower-case hex digits ({} digits)", h.len());
}

/// `hash32` / `bytes32`.
fn hash(p: &str, v: &Value) {
    fixed(p, v, 64)
}

/// `bytes256` (the logs bloom).
fn bloom(p: &str, v: &Value) {
    fixed(p, v, 512)
}

/// `bytes8` (the block nonce).
fn bytes8(p: &str, v: &Value) {
    fixed(p, v, 16)
}

/// `address`: `^0x[0-9a-fA-F]{40}$`.
fn addr(p: &str, v: &Value) {
    let h = digits(p, v);
    assert!(h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()), "{p}: {v} is not an address");
}

/// `bytes`: lower-case hex of whole bytes.
fn data(p: &str, v: &Value) {
    let h = digits(p, v);
    assert!(
        h.len().is_multiple_of(2) && lower_hex(h),
        "{p}: {v} is not byte data (even number of lower-case hex digits)"
    );
}

/// `byte`: `^0x[0-9a-f]{1,2}$` (transaction type, `yParity`, typed `v`).
fn byte(p: &str, v: &Value) {
    let h = digits(p, v);
    assert!((1..=2).contains(&h.len()) && lower_hex(h), "{p}: {v} is not a byte");
}

/// `uintDecimal` (`net_version`).
fn decimal(p: &str, v: &Value) {
    let s = text(p, v);
    assert!(
        s == "0" || (!s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit())),
        "{p}: {v} is not a decimal integer string"
    );
}

fn boolean(p: &str, v: &Value) {
    assert!(v.is_boolean(), "{p}: {v} is not a boolean");
}

fn string(p: &str, v: &Value) {
    assert!(!text(p, v).is_empty(), "{p}: empty string");
}

/// `ratio`: a number in [0, 1].
fn ratio(p: &str, v: &Value) {
    let r = v.as_f64().unwrap_or_else(|| panic!("{p}: {v} is not a number"));
    assert!((0.0..=1.0).contains(&r), "{p}: {r} is not a ratio");
}

fn array<'a>(p: &str, v: &'a Value) -> &'a [Value] {
    v.as_array().unwrap_or_else(|| panic!("{p}: expected an array, got {v}"))
}

fn each(p: &str, v: &Value, check: fn(&str, &Value)) {
    for (i, item) in array(p, v).iter().enumerate() {
        check(&format!("{p}[{i}]"), item);
    }
}

fn hashes(p: &str, v: &Value) {
    each(p, v, hash)
}

fn qtys(p: &str, v: &Value) {
    each(p, v, qty)
}

fn addrs(p: &str, v: &Value) {
    each(p, v, addr)
}

fn ratios(p: &str, v: &Value) {
    each(p, v, ratio)
}

fn or_null(p: &str, v: &Value, check: fn(&str, &Value)) {
    if !v.is_null() {
        check(p, v)
    }
}

fn hash_or_null(p: &str, v: &Value) {
    or_null(p, v, hash)
}

fn qty_or_null(p: &str, v: &Value) {
    or_null(p, v, qty)
}

fn addr_or_null(p: &str, v: &Value) {
    or_null(p, v, addr)
}

/// One field of an object: name, whether it must be present, its check.
type Field = (&'static str, bool, fn(&str, &Value));

/// An object with exactly these fields (required ones present, nothing else).
fn object(p: &str, v: &Value, fields: &[Field]) {
    let o = v.as_object().unwrap_or_else(|| panic!("{p}: expected an object, got {v}"));
    for (name, required, _) in fields {
        assert!(!required || o.contains_key(*name), "{p}: required field {name} is missing: {v}");
    }
    for (k, x) in o {
        let (_, _, check) = fields
            .iter()
            .find(|(name, _, _)| name == k)
            .unwrap_or_else(|| panic!("{p}: field {k} is neither in the specification nor a listed extension: {v}"));
        check(&format!("{p}.{k}"), x);
    }
}

/// `Block`, with transactions as hashes or full objects; `header` for `newHeads` notifications
/// (no `transactions`, `uncles`).
fn block_fields(header: bool) -> Vec<Field> {
    let mut f: Vec<Field> = vec![
        ("hash", true, hash),
        ("parentHash", true, hash),
        ("sha3Uncles", true, hash),
        ("miner", true, addr),
        ("stateRoot", true, hash),
        ("transactionsRoot", true, hash),
        ("receiptsRoot", true, hash),
        ("logsBloom", true, bloom),
        ("difficulty", false, qty),
        ("number", true, qty),
        ("gasLimit", true, qty),
        ("gasUsed", true, qty),
        ("timestamp", true, qty),
        ("extraData", true, extra_data),
        ("mixHash", true, hash),
        ("nonce", true, bytes8),
        ("baseFeePerGas", false, qty),
        ("withdrawalsRoot", false, hash),
        ("blobGasUsed", false, qty),
        ("excessBlobGas", false, qty),
        ("parentBeaconBlockRoot", false, hash),
        ("requestsHash", false, hash),
        ("size", !header, qty),
        ("withdrawals", false, withdrawals),
        // Dropped from the specification after the merge; still read by older tools.
        ("totalDifficulty", false, qty),
    ];
    if !header {
        f.push(("transactions", true, |p, v| match array(p, v).first() {
            Some(Value::String(_)) | None => hashes(p, v),
            Some(_) => each(p, v, transaction),
        }));
        f.push(("uncles", true, hashes));
    }
    f
}

fn extra_data(p: &str, v: &Value) {
    data(p, v);
    assert!(digits(p, v).len() <= 64, "{p}: extraData is at most 32 bytes");
}

fn withdrawals(p: &str, v: &Value) {
    each(p, v, |p, w| {
        object(
            p,
            w,
            &[("index", true, qty), ("validatorIndex", true, qty), ("address", true, addr), ("amount", true, qty)],
        )
    })
}

fn block(p: &str, v: &Value) {
    object(p, v, &block_fields(false));
    // The fixed values (one of them once had a stray digit and web3.py refused every block).
    assert_eq!(v["sha3Uncles"], json!(format!("{:#x}", alloy_consensus::constants::EMPTY_OMMER_ROOT_HASH)), "{p}");
    assert_eq!(v["withdrawalsRoot"], json!(format!("{:#x}", alloy_consensus::constants::EMPTY_WITHDRAWALS)), "{p}");
    assert_eq!(v["requestsHash"], json!(format!("{:#x}", alloy_eips::eip7685::EMPTY_REQUESTS_HASH)), "{p}");
}

fn block_or_null(p: &str, v: &Value) {
    or_null(p, v, block)
}

fn header(p: &str, v: &Value) {
    object(p, v, &block_fields(true))
}

fn access_list(p: &str, v: &Value) {
    each(p, v, |p, item| object(p, item, &[("address", true, addr), ("storageKeys", true, hashes)]))
}

/// `TransactionInfo` (a signed transaction of one of the types, with its place; the place is
/// null while pending).
fn transaction(p: &str, v: &Value) {
    let mut f: Vec<Field> = vec![
        ("hash", true, hash),
        ("blockHash", true, hash_or_null),
        ("blockNumber", true, qty_or_null),
        ("blockTimestamp", true, qty_or_null),
        ("transactionIndex", true, qty_or_null),
        ("from", true, addr),
        ("type", true, byte),
        ("nonce", true, qty),
        ("to", true, addr_or_null),
        ("gas", true, qty),
        ("value", true, qty),
        ("input", true, data),
        ("gasPrice", true, qty),
        ("r", true, qty),
        ("s", true, qty),
    ];
    let ty = text(p, &v["type"]);
    match ty {
        "0x0" => f.extend([
            ("chainId", false, qty as fn(&str, &Value)),
            ("v", true, qty),
            // hechain extension: a native transaction shown as a type-0 look-alike.
            ("hechainNative", false, boolean),
        ]),
        "0x1" | "0x2" => {
            f.extend([
                ("chainId", true, qty as fn(&str, &Value)),
                ("v", false, byte),
                ("yParity", true, byte),
                ("accessList", true, access_list),
            ]);
            if ty == "0x2" {
                f.extend([("maxFeePerGas", true, qty as fn(&str, &Value)), ("maxPriorityFeePerGas", true, qty)]);
            }
            assert!(matches!(text(p, &v["yParity"]), "0x0" | "0x1"), "{p}: yParity {}", v["yParity"]);
            if !v["v"].is_null() {
                assert_eq!(v["v"], v["yParity"], "{p}: typed v is yParity");
            }
        }
        other => panic!("{p}: unexpected transaction type {other}"),
    }
    object(p, v, &f);
    let pending = v["blockHash"].is_null();
    for k in ["blockNumber", "blockTimestamp", "transactionIndex"] {
        assert_eq!(v[k].is_null(), pending, "{p}: {k} and blockHash are null together: {v}");
    }
}

fn transaction_or_null(p: &str, v: &Value) {
    or_null(p, v, transaction)
}

/// `Log`.
fn log(p: &str, v: &Value) {
    object(
        p,
        v,
        &[
            ("removed", true, boolean),
            ("logIndex", true, qty),
            ("transactionIndex", true, qty),
            ("transactionHash", true, hash),
            ("blockHash", true, hash),
            ("blockNumber", true, qty),
            ("blockTimestamp", true, qty),
            ("address", true, addr),
            ("data", true, data),
            ("topics", true, hashes),
        ],
    )
}

fn logs(p: &str, v: &Value) {
    each(p, v, log)
}

/// `ReceiptInfo`.
fn receipt(p: &str, v: &Value) {
    object(
        p,
        v,
        &[
            ("type", true, byte),
            ("transactionHash", true, hash),
            ("transactionIndex", true, qty),
            ("blockHash", true, hash),
            ("blockNumber", true, qty),
            ("from", true, addr),
            ("to", true, addr_or_null),
            ("cumulativeGasUsed", true, qty),
            ("gasUsed", true, qty),
            ("blobGasUsed", false, qty),
            ("contractAddress", true, addr_or_null),
            ("logs", true, logs),
            ("logsBloom", true, bloom),
            ("root", false, hash),
            ("status", true, |p, v| assert!(matches!(text(p, v), "0x0" | "0x1"), "{p}: status {v}")),
            ("effectiveGasPrice", true, qty),
            ("blobGasPrice", false, qty),
            // hechain extensions of a failed receipt.
            ("hechainFailure", false, string),
            ("revertData", false, data),
        ],
    );
    assert_eq!(v["hechainFailure"].is_null(), v["status"] == "0x1", "{p}: a failure reason exactly when failed");
}

fn receipt_or_null(p: &str, v: &Value) {
    or_null(p, v, receipt)
}

fn receipts_or_null(p: &str, v: &Value) {
    or_null(p, v, |p, v| each(p, v, receipt))
}

/// `eth_feeHistory`.
fn fee_history(p: &str, v: &Value) {
    object(
        p,
        v,
        &[
            ("oldestBlock", true, qty),
            ("baseFeePerGas", true, qtys),
            ("baseFeePerBlobGas", false, qtys),
            ("gasUsedRatio", true, ratios),
            ("blobGasUsedRatio", false, ratios),
            ("reward", false, |p, v| each(p, v, qtys)),
        ],
    );
    let n = array(p, &v["gasUsedRatio"]).len();
    assert_eq!(array(p, &v["baseFeePerGas"]).len(), n + 1, "{p}: base fees include the next block");
}

/// `SyncingStatus`.
fn syncing(p: &str, v: &Value) {
    if v.is_boolean() {
        assert_eq!(v, &json!(false), "{p}: a boolean sync status is false");
    } else {
        object(p, v, &[("startingBlock", true, qty), ("currentBlock", true, qty), ("highestBlock", true, qty)]);
    }
}

/// `FilterResults`: hashes (block filters) or logs.
fn filter_results(p: &str, v: &Value) {
    match array(p, v).first() {
        Some(Value::String(_)) | None => hashes(p, v),
        Some(_) => logs(p, v),
    }
}

// ------------------------------------------------------------------------------ calls

struct Checker<'a> {
    n: &'a TestNode,
    /// Methods whose answers were checked.
    checked: BTreeSet<&'static str>,
}

impl Checker<'_> {
    async fn raw(&self, method: &str, params: Value) -> Value {
        let (status, body) =
            self.n.post_json("/", &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})).await;
        assert_eq!(status, StatusCode::OK, "{method}: {body}");
        assert!(body.get("error").is_none(), "{method} {params}: {body}");
        body["result"].clone()
    }

    /// Submits a transaction (no check: setting up).
    async fn send(&self, t: &EthTransaction) {
        assert_eq!(self.raw("eth_sendRawTransaction", json!([raw(t)])).await, json!(t.hash()));
    }

    /// Calls `method` and checks its answer; returns the answer.
    async fn check(&mut self, method: &'static str, params: Value, shape: fn(&str, &Value)) -> Value {
        let v = self.raw(method, params.clone()).await;
        shape(&format!("{method}({params})"), &v);
        self.checked.insert(method);
        v
    }
}

fn token_code() -> Vec<u8> {
    let path = format!("{}/../../contracts/artifacts/HechainToken.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("artifact")).expect("artifact JSON");
    let mut code = hex::decode(v["bytecode"].as_str().expect("bytecode").trim_start_matches("0x")).expect("hex");
    code.extend_from_slice(&("Tok".to_string(), "TOK".to_string(), U256::from(1000u64)).abi_encode_params());
    code
}

fn evm(a: Address) -> EvmAddress {
    EvmAddress::from(a.0)
}

fn hexs(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn raw(t: &EthTransaction) -> Value {
    json!(hexs(t.raw()))
}

fn eip1559(n: &TestNode, from: usize, nonce: u64, to: Option<Address>, input: Vec<u8>, gas: u64) -> EthTransaction {
    let tx = TxEip1559 {
        chain_id: common::CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 1,
        to: to.map_or(TxKind::Create, |a| TxKind::Call(evm(a))),
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    };
    EthTransaction::sign(tx, &n.accounts[from]).expect("sign")
}

fn legacy(n: &TestNode, from: usize, nonce: u64, to: Address, value: u64) -> EthTransaction {
    let tx = TxLegacy {
        chain_id: Some(common::CHAIN_ID),
        nonce,
        gas_price: 2,
        gas_limit: 21_000,
        to: TxKind::Call(evm(to)),
        value: U256::from(value),
        input: Default::default(),
    };
    EthTransaction::sign(tx, &n.accounts[from]).expect("sign")
}

/// A WebSocket JSON-RPC connection that keeps notifications aside while waiting for answers.
struct Ws {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    notes: Vec<Value>,
    next_id: u64,
}

impl Ws {
    async fn connect(n: &TestNode) -> Ws {
        let url = format!("ws://{}/", n.base.trim_start_matches("http://"));
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("WebSocket connect");
        Ws { socket, notes: vec![], next_id: 1 }
    }

    async fn next(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("a WebSocket message within 20 s")
                .expect("open socket")
                .expect("WebSocket message");
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).expect("JSON message");
            }
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let req = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.socket.send(Message::Text(req.to_string().into())).await.expect("send");
        loop {
            let m = self.next().await;
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.notes.push(m);
        }
    }

    /// Waits for a notification of subscription `sub`; returns its result.
    async fn note(&mut self, sub: &Value) -> Value {
        loop {
            if let Some(i) = self.notes.iter().position(|m| &m["params"]["subscription"] == sub) {
                let m = self.notes.remove(i);
                assert_eq!(m["method"], "eth_subscription", "{m}");
                return m["params"]["result"].clone();
            }
            let m = self.next().await;
            self.notes.push(m);
        }
    }
}

// ------------------------------------------------------------------------------ the test

#[tokio::test]
async fn every_method_answers_in_the_specified_shapes() {
    let (status_tx, status_rx) = tokio::sync::watch::channel(Value::Null);
    let opts = common::Options { consensus_status: Some(status_rx), ..common::Options::default() };
    let mut n = TestNode::start_with(opts).await;
    let (alice, bob) = (n.address(0), n.address(1));
    let mut c = Checker { n: &n, checked: BTreeSet::new() };

    // Filters installed before anything happens see it all.
    let log_filter = c.raw("eth_newFilter", json!([{"fromBlock": "earliest"}])).await;
    let block_filter = c.raw("eth_newBlockFilter", json!([])).await;

    // Block 1: a contract creation (with the mint's log), a native transfer and a native
    // module operation.
    let deploy = eip1559(&n, 0, 0, None, token_code(), 2_000_000);
    c.send(&deploy).await;
    n.submit(&n.transfer(2, 0, bob, 5)).await;
    n.submit(&n.evidence(3, 0, b"shape test", "shape test")).await;
    n.produce_block();
    let deployed = c.raw("eth_getTransactionReceipt", json!([deploy.hash()])).await;
    let token: Address = serde_json::from_value(deployed["contractAddress"].clone()).expect("contract address");

    // Block 2 (over a WebSocket with newHeads and logs subscriptions): a token transfer (a log),
    // a legacy value transfer, an EIP-2930 call with an access list, a reverted transfer.
    let mut ws = Ws::connect(&n).await;
    let heads = ws.call("eth_subscribe", json!(["newHeads"])).await;
    let log_sub = ws.call("eth_subscribe", json!(["logs", {"address": token}])).await;
    // Subscription ids, like filter ids, are random 128-bit quantities (no leading zeros, as
    // geth writes them): an odd number of digits is fine.
    for (name, sub) in [("newHeads", &heads), ("logs", &log_sub)] {
        qty(&format!("eth_subscribe({name})"), sub);
    }
    let transfer = IToken::transferCall { to: evm(bob), value: U256::from(40u64) }.abi_encode();
    c.send(&eip1559(&n, 0, 1, Some(token), transfer, 100_000)).await;
    c.send(&legacy(&n, 1, 0, alice, 7)).await;
    let with_access_list = TxEip2930 {
        chain_id: common::CHAIN_ID,
        nonce: 1,
        gas_price: 2,
        gas_limit: 100_000,
        to: TxKind::Call(evm(token)),
        value: U256::ZERO,
        access_list: AccessList(vec![AccessListItem { address: evm(token), storage_keys: vec![B256::ZERO] }]),
        input: IToken::balanceOfCall { who: evm(alice) }.abi_encode().into(),
    };
    c.send(&EthTransaction::sign(with_access_list, &n.accounts[1]).expect("sign")).await;
    let too_much = IToken::transferCall { to: evm(bob), value: U256::from(1_000_000u64) }.abi_encode();
    c.send(&eip1559(&n, 0, 2, Some(token), too_much, 100_000)).await;
    n.produce_block();
    header("newHeads notification", &ws.note(&heads).await);
    log("logs notification", &ws.note(&log_sub).await);
    for sub in [&heads, &log_sub] {
        assert_eq!(ws.call("eth_unsubscribe", json!([sub])).await, json!(true));
    }
    c.checked.extend(["eth_subscribe", "eth_unsubscribe"]);

    // What the chain must hold for the checks below to mean something.
    let mut seen = BTreeSet::new();
    for h in 0..=2u64 {
        let b = c.raw("eth_getBlockByNumber", json!([format!("{h:#x}"), true])).await;
        for t in array("transactions", &b["transactions"]) {
            let r = c.raw("eth_getTransactionReceipt", json!([t["hash"]])).await;
            seen.insert(format!("type {}", t["type"]));
            if t["hechainNative"] == true {
                seen.insert("native".into());
            }
            if t["to"].is_null() {
                seen.insert("creation".into());
            }
            if r["status"] == "0x0" {
                seen.insert("failed".into());
            }
            if !array("logs", &r["logs"]).is_empty() {
                seen.insert("logs".into());
            }
            if t["accessList"].as_array().is_some_and(|l| !l.is_empty()) {
                seen.insert("access list".into());
            }
        }
    }
    let want: BTreeSet<String> =
        ["type \"0x0\"", "type \"0x1\"", "type \"0x2\"", "native", "creation", "failed", "logs", "access list"]
            .into_iter()
            .map(String::from)
            .collect();
    assert_eq!(seen, want, "the fixture lacks a kind of transaction");
    let head = 2u64;

    // A transaction left pending.
    let pending = legacy(&n, 1, 2, alice, 1);
    c.send(&pending).await;

    // Every listed method. A method without a check here fails the test.
    let balance_of = hexs(&IToken::balanceOfCall { who: evm(alice) }.abi_encode());
    for &method in METHODS.iter().chain(WS_METHODS) {
        match method {
            "web3_clientVersion" => {
                c.check(method, json!([]), string).await;
            }
            "web3_sha3" => {
                c.check(method, json!(["0x68656c6c6f"]), hash).await;
            }
            "net_version" => {
                c.check(method, json!([]), decimal).await;
            }
            "net_listening" | "eth_mining" => {
                c.check(method, json!([]), boolean).await;
            }
            "net_peerCount" => {
                assert_eq!(c.check(method, json!([]), qty).await, json!("0x0"), "no status yet");
                status_tx.send_replace(json!({
                    "executed_height": head,
                    "connected_peers": 3,
                    "syncing": false,
                    "peers": [
                        {"name": "a", "connected": true, "height": head},
                        {"name": "b", "connected": true, "height": head + 40},
                        {"name": "c", "connected": true, "height": head},
                        {"name": "d", "connected": false, "height": 0},
                    ],
                }));
                assert_eq!(c.check(method, json!([]), qty).await, json!("0x3"));
                status_tx.send_replace(Value::Null);
            }
            "eth_syncing" => {
                assert_eq!(c.check(method, json!([]), syncing).await, json!(false));
                status_tx.send_replace(json!({
                    "executed_height": head,
                    "connected_peers": 1,
                    "peers": [{"name": "a", "connected": true, "height": head + 40}],
                }));
                let s = c.check(method, json!([]), syncing).await;
                assert_eq!(s, json!({"startingBlock": "0x2", "currentBlock": "0x2", "highestBlock": "0x2a"}));
                status_tx.send_replace(Value::Null);
                assert_eq!(c.check(method, json!([]), syncing).await, json!(false));
            }
            "eth_chainId" | "eth_blockNumber" | "eth_gasPrice" | "eth_maxPriorityFeePerGas" | "eth_hashrate" => {
                c.check(method, json!([]), qty).await;
            }
            "eth_feeHistory" => {
                c.check(method, json!(["0x3", "latest", [25, 75]]), fee_history).await;
                c.check(method, json!([10, "latest"]), fee_history).await;
            }
            "eth_getBalance" | "eth_getTransactionCount" => {
                for who in [alice, bob, token, Address([0x77; 20])] {
                    c.check(method, json!([who, "latest"]), qty).await;
                }
                c.check(method, json!([alice, "pending"]), qty).await;
            }
            "eth_getCode" => {
                c.check(method, json!([token, "latest"]), data).await;
                assert_eq!(c.check(method, json!([alice, "latest"]), data).await, json!("0x"));
            }
            "eth_getStorageAt" => {
                for slot in ["0x0", "0x2", format!("0x{}", "f".repeat(64)).as_str()] {
                    c.check(method, json!([token, slot, "latest"]), hash).await;
                }
            }
            "eth_call" => {
                c.check(method, json!([{"to": token, "data": balance_of}, "latest"]), hash).await;
                c.check(method, json!([{"to": bob, "data": "0x"}]), data).await;
            }
            "eth_estimateGas" => {
                c.check(method, json!([{"from": alice, "to": bob, "value": "0x1"}]), qty).await;
                c.check(method, json!([{"from": alice, "to": token, "data": balance_of}]), qty).await;
            }
            "eth_sendRawTransaction" => {
                let next = legacy(&n, 1, 3, alice, 1);
                assert_eq!(c.check(method, json!([raw(&next)]), hash).await, json!(next.hash()));
            }
            "eth_getTransactionByHash" => {
                for height in 0..=head {
                    for t in c.raw("eth_getBlockByNumber", json!([format!("{height:#x}"), false])).await["transactions"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                    {
                        c.check(method, json!([t]), transaction).await;
                    }
                }
                let p = c.check(method, json!([pending.hash()]), transaction).await;
                assert!(p["blockHash"].is_null(), "still pending: {p}");
                assert_eq!(c.check(method, json!([hechain_types::H256::ZERO]), transaction_or_null).await, Value::Null);
            }
            "eth_getTransactionByBlockNumberAndIndex" | "eth_getTransactionByBlockHashAndIndex" => {
                for height in 0..=head {
                    let b = c.raw("eth_getBlockByNumber", json!([format!("{height:#x}"), false])).await;
                    let id = if method.contains("Hash") { b["hash"].clone() } else { b["number"].clone() };
                    let count = array("transactions", &b["transactions"]).len();
                    for i in 0..count {
                        c.check(method, json!([id, format!("{i:#x}")]), transaction).await;
                    }
                    let beyond = c.check(method, json!([id, format!("{count:#x}")]), transaction_or_null).await;
                    assert_eq!(beyond, Value::Null);
                }
            }
            "eth_getTransactionReceipt" => {
                for height in 0..=head {
                    let b = c.raw("eth_getBlockByNumber", json!([format!("{height:#x}"), false])).await;
                    for t in array("transactions", &b["transactions"]) {
                        c.check(method, json!([t]), receipt).await;
                    }
                }
                assert_eq!(c.check(method, json!([pending.hash()]), receipt_or_null).await, Value::Null);
            }
            "eth_getBlockByNumber" | "eth_getBlockByHash" => {
                for height in 0..=head {
                    let id = if method.ends_with("Hash") {
                        c.raw("eth_getBlockByNumber", json!([format!("{height:#x}"), false])).await["hash"].clone()
                    } else {
                        json!(format!("{height:#x}"))
                    };
                    for full in [false, true] {
                        c.check(method, json!([id, full]), block).await;
                    }
                }
                if method == "eth_getBlockByNumber" {
                    for tag in ["latest", "earliest", "pending", "safe", "finalized"] {
                        c.check(method, json!([tag, true]), block).await;
                    }
                    assert_eq!(c.check(method, json!(["0x99", false]), block_or_null).await, Value::Null);
                } else {
                    assert_eq!(
                        c.check(method, json!([hechain_types::H256::ZERO, false]), block_or_null).await,
                        Value::Null
                    );
                }
            }
            "eth_getBlockTransactionCountByNumber"
            | "eth_getBlockTransactionCountByHash"
            | "eth_getUncleCountByBlockNumber"
            | "eth_getUncleCountByBlockHash" => {
                for height in 0..=head {
                    let id = if method.ends_with("Hash") {
                        c.raw("eth_getBlockByNumber", json!([format!("{height:#x}"), false])).await["hash"].clone()
                    } else {
                        json!(format!("{height:#x}"))
                    };
                    c.check(method, json!([id]), qty_or_null).await;
                }
            }
            "eth_getBlockReceipts" => {
                for height in 0..=head {
                    c.check(method, json!([format!("{height:#x}")]), receipts_or_null).await;
                }
                c.check(method, json!(["latest"]), receipts_or_null).await;
            }
            "eth_getLogs" => {
                let all = c.check(method, json!([{"fromBlock": "earliest", "toBlock": "latest"}]), logs).await;
                assert!(array("logs", &all).len() >= 2, "{all}");
                c.check(method, json!([{"address": token, "fromBlock": "0x0"}]), logs).await;
            }
            "eth_newFilter" => {
                c.check(method, json!([{"fromBlock": "latest", "address": [token]}]), qty).await;
            }
            "eth_newBlockFilter" => {
                c.check(method, json!([]), qty).await;
            }
            "eth_getFilterChanges" => {
                let l = c.check(method, json!([log_filter]), filter_results).await;
                assert!(!array("changes", &l).is_empty() && l[0].is_object(), "{l}");
                let b = c.check(method, json!([block_filter]), filter_results).await;
                assert!(!array("changes", &b).is_empty() && b[0].is_string(), "{b}");
            }
            "eth_getFilterLogs" => {
                let l = c.check(method, json!([log_filter]), filter_results).await;
                assert!(!array("logs", &l).is_empty(), "{l}");
            }
            "eth_uninstallFilter" => {
                let f = c.raw("eth_newBlockFilter", json!([])).await;
                assert_eq!(c.check(method, json!([f]), boolean).await, json!(true));
                assert_eq!(c.check(method, json!([f]), boolean).await, json!(false));
            }
            "eth_accounts" => {
                c.check(method, json!([]), addrs).await;
            }
            "eth_subscribe" | "eth_unsubscribe" => {} // over WebSocket, above
            other => panic!("{other} is served but has no shape check: add one to {}", file!()),
        }
    }
    let all: BTreeSet<&str> = METHODS.iter().chain(WS_METHODS).copied().collect();
    assert_eq!(c.checked, all, "methods whose answers were not checked");

    // Only listed methods are served.
    let (_, body) = n.post_json("/", &json!({"jsonrpc": "2.0", "id": 1, "method": "eth_coinbase", "params": []})).await;
    assert_eq!(body["error"]["code"], json!(-32601), "{body}");
    n.shutdown().await.expect("shutdown");
}
