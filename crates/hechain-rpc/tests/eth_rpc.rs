//! The Ethereum JSON-RPC against a real store, pool and solo block producer: the JSON-RPC
//! envelope (batches, notifications, errors), contract deployment and calls through raw
//! transactions, receipts, logs and filters, pending nonces, and the error messages Ethereum
//! clients classify.

use hechain_testkit as common;

use alloy_consensus::{TxEip1559, TxLegacy};
use alloy_primitives::{Address as EvmAddress, TxKind, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use common::TestNode;
use hechain_rpc::RpcConfig;
use hechain_types::{Address, EthTransaction};
use reqwest::StatusCode;
use serde_json::{json, Value};

sol! {
    interface IToken {
        function transfer(address to, uint256 value) external returns (bool);
        function balanceOf(address who) external view returns (uint256);
    }
}

fn token_code() -> Vec<u8> {
    let path = format!("{}/../../contracts/artifacts/HechainToken.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut code = hex::decode(v["bytecode"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    code.extend_from_slice(&("Tok".to_string(), "TOK".to_string(), U256::from(1000u64)).abi_encode_params());
    code
}

fn hexq(v: &Value) -> u128 {
    u128::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

async fn rpc(n: &TestNode, method: &str, params: Value) -> Value {
    let (status, body) =
        n.post_json("/", &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn ok(n: &TestNode, method: &str, params: Value) -> Value {
    let body = rpc(n, method, params).await;
    assert!(body.get("error").is_none(), "{method}: {body}");
    body["result"].clone()
}

async fn err(n: &TestNode, method: &str, params: Value) -> (i64, String, Value) {
    let body = rpc(n, method, params).await;
    let e = &body["error"];
    assert!(e.is_object(), "{method} should fail: {body}");
    (e["code"].as_i64().unwrap(), e["message"].as_str().unwrap().to_string(), e["data"].clone())
}

fn eip1559(n: &TestNode, from: usize, nonce: u64, to: Option<Address>, input: Vec<u8>, gas: u64) -> EthTransaction {
    n.eip1559(from, nonce, to, input, gas)
}

fn raw(t: &EthTransaction) -> Value {
    common::raw_eth(t)
}

#[tokio::test]
async fn envelope_batches_and_protocol_errors() {
    let mut n = TestNode::start().await;
    assert_eq!(ok(&n, "eth_chainId", json!([])).await, json!(format!("{:#x}", common::CHAIN_ID)));
    assert_eq!(ok(&n, "net_version", json!([])).await, json!(common::CHAIN_ID.to_string()));
    assert_eq!(ok(&n, "eth_accounts", json!([])).await, json!([]));
    assert!(ok(&n, "web3_clientVersion", json!([])).await.as_str().unwrap().starts_with("hechain/"));
    // Batch: answers in order, each with its id; an unknown method fails alone.
    let (status, body) = n
        .post_json(
            "/",
            &json!([
                {"jsonrpc": "2.0", "id": "a", "method": "eth_blockNumber"},
                {"jsonrpc": "2.0", "id": 7, "method": "eth_noSuchThing", "params": []},
                {"jsonrpc": "2.0", "method": "eth_chainId"}
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let arr = body.as_array().unwrap();
    assert_eq!(arr.len(), 2, "the notification gets no answer: {body}");
    assert_eq!((arr[0]["id"].clone(), arr[0]["result"].clone()), (json!("a"), json!("0x0")));
    assert_eq!((arr[1]["id"].clone(), arr[1]["error"]["code"].clone()), (json!(7), json!(-32601)));
    // Malformed JSON, wrong envelope, empty batch, bad params.
    let (_, body) = n.post_bytes("/", "{not json").await;
    assert_eq!(body["error"]["code"], json!(-32700));
    let (_, body) = n.post_json("/", &json!({"id": 1, "method": "eth_chainId"})).await;
    assert_eq!(body["error"]["code"], json!(-32600));
    let (_, body) = n.post_json("/", &json!([])).await;
    assert_eq!(body["error"]["code"], json!(-32600));
    let (code, msg, _) = err(&n, "eth_getBalance", json!(["0x1234", "latest"])).await;
    assert_eq!(code, -32602, "{msg}");
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_and_log_range_limits() {
    let opts = common::Options {
        rpc: RpcConfig {
            eth: hechain_rpc::eth::EthLimits { max_batch: 2, max_log_blocks: 3, ..Default::default() },
            ..RpcConfig::default()
        },
        ..common::Options::default()
    };
    let mut n = TestNode::start_with(opts).await;
    let one = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"});
    let (_, body) = n.post_json("/", &json!([one, one, one])).await;
    assert_eq!(body["error"]["code"], json!(-32005), "{body}");
    for _ in 0..5 {
        n.produce_block();
    }
    let (code, msg, _) = err(&n, "eth_getLogs", json!([{"fromBlock": "0x0", "toBlock": "0x5"}])).await;
    assert_eq!(code, -32005);
    assert!(msg.contains("range"), "{msg}");
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn deploy_call_logs_filters_and_receipts() {
    let mut n = TestNode::start().await;
    let alice = n.address(0);
    let bob = n.address(1);
    let log_filter = ok(&n, "eth_newFilter", json!([{"fromBlock": "earliest", "topics": [null]}])).await;
    let block_filter = ok(&n, "eth_newBlockFilter", json!([])).await;

    let deploy = eip1559(&n, 0, 0, None, token_code(), 2_000_000);
    let hash = ok(&n, "eth_sendRawTransaction", json!([raw(&deploy)])).await;
    assert_eq!(hash, json!(deploy.hash()), "the hash is keccak256 of the raw bytes");
    // Pending: visible by hash, counted by the pending nonce only.
    assert_eq!(ok(&n, "eth_getTransactionByHash", json!([hash])).await["blockHash"], Value::Null);
    assert_eq!(ok(&n, "eth_getTransactionCount", json!([alice, "latest"])).await, json!("0x0"));
    assert_eq!(ok(&n, "eth_getTransactionCount", json!([alice, "pending"])).await, json!("0x1"));
    assert_eq!(ok(&n, "eth_getTransactionReceipt", json!([hash])).await, Value::Null);
    // Resubmitting is "already known".
    let (_, msg, _) = err(&n, "eth_sendRawTransaction", json!([raw(&deploy)])).await;
    assert_eq!(msg, "already known");

    n.produce_block();
    let receipt = ok(&n, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
    assert_eq!(receipt["blockNumber"], json!("0x1"));
    let token: Address = serde_json::from_value(receipt["contractAddress"].clone()).unwrap();
    assert!(hexq(&receipt["gasUsed"]) > 100_000);
    assert_eq!(receipt["cumulativeGasUsed"], receipt["gasUsed"]);
    assert_eq!(receipt["logs"].as_array().unwrap().len(), 1, "the mint's Transfer event");
    assert!(ok(&n, "eth_getCode", json!([token, "latest"])).await.as_str().unwrap().len() > 200);

    // eth_call and eth_estimateGas.
    let balance_of = |who: Address| {
        format!("0x{}", hex::encode(IToken::balanceOfCall { who: EvmAddress::from(who.0) }.abi_encode()))
    };
    let out = ok(&n, "eth_call", json!([{"to": token, "data": balance_of(alice)}, "latest"])).await;
    assert_eq!(
        U256::from_be_slice(&hex::decode(out.as_str().unwrap().trim_start_matches("0x")).unwrap()),
        U256::from(1000u64)
    );
    let transfer = IToken::transferCall { to: EvmAddress::from(bob.0), value: U256::from(40u64) }.abi_encode();
    let estimate = hexq(
        &ok(
            &n,
            "eth_estimateGas",
            json!([{"from": alice, "to": token, "data": format!("0x{}", hex::encode(&transfer))}]),
        )
        .await,
    );
    assert!((21_000..100_000).contains(&estimate), "{estimate}");
    // A reverting call: code 3 with the revert data.
    let too_much = IToken::transferCall { to: EvmAddress::from(alice.0), value: U256::from(1u64) }.abi_encode();
    let (code, msg, data) =
        err(&n, "eth_call", json!([{"from": bob, "to": token, "data": format!("0x{}", hex::encode(&too_much))}])).await;
    assert_eq!(code, 3);
    assert_eq!(msg, "execution reverted");
    assert!(data.as_str().unwrap().len() > 10, "custom error data: {data}");

    let send = eip1559(&n, 0, 1, Some(token), transfer, estimate as u64);
    ok(&n, "eth_sendRawTransaction", json!([raw(&send)])).await;
    let b = n.produce_block();
    assert_eq!(b.block.header.height, 2);
    let out = ok(&n, "eth_call", json!([{"to": token, "data": balance_of(bob)}])).await;
    assert!(out.as_str().unwrap().ends_with("28"), "40 tokens: {out}");

    // Logs by address and by topic (Transfer(address,address,uint256) to bob).
    let transfer_topic = format!("0x{}", hex::encode(alloy_primitives::keccak256("Transfer(address,address,uint256)")));
    let bob_topic = format!("0x{}{}", "0".repeat(24), hex::encode(bob.0));
    let logs = ok(
        &n,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "address": token, "topics": [transfer_topic, null, bob_topic]}]),
    )
    .await;
    let logs = logs.as_array().unwrap();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["blockNumber"], json!("0x2"));
    assert_eq!(logs[0]["logIndex"], json!("0x0"));
    assert_eq!(logs[0]["transactionHash"], json!(send.hash()));
    // Filters: both Transfer logs, then nothing new; two new blocks.
    let changes = ok(&n, "eth_getFilterChanges", json!([log_filter])).await;
    assert_eq!(changes.as_array().unwrap().len(), 2, "{changes}");
    assert_eq!(ok(&n, "eth_getFilterChanges", json!([log_filter])).await, json!([]));
    assert_eq!(ok(&n, "eth_getFilterLogs", json!([log_filter])).await.as_array().unwrap().len(), 2);
    assert_eq!(ok(&n, "eth_getFilterChanges", json!([block_filter])).await.as_array().unwrap().len(), 2);
    assert_eq!(ok(&n, "eth_uninstallFilter", json!([block_filter])).await, json!(true));
    let (_, msg, _) = err(&n, "eth_getFilterChanges", json!([block_filter])).await;
    assert_eq!(msg, "filter not found");

    // Blocks: hashes or full transactions, counts, Ethereum fields.
    let block = ok(&n, "eth_getBlockByNumber", json!(["0x2", true])).await;
    assert_eq!(block["transactions"][0]["hash"], json!(send.hash()));
    assert_eq!(block["transactions"][0]["from"], json!(alice));
    assert_eq!(block["transactions"][0]["type"], json!("0x2"));
    assert_eq!(block["baseFeePerGas"], json!("0x1"));
    assert_ne!(block["logsBloom"].as_str().unwrap().trim_start_matches("0x").trim_matches('0'), "");
    let by_hash = ok(&n, "eth_getBlockByHash", json!([block["hash"], false])).await;
    assert_eq!(by_hash["transactions"], json!([send.hash()]));
    assert_eq!(ok(&n, "eth_getBlockTransactionCountByNumber", json!(["0x2"])).await, json!("0x1"));
    assert_eq!(ok(&n, "eth_getBlockByNumber", json!(["0x99", false])).await, Value::Null);
    assert_eq!(ok(&n, "eth_blockNumber", json!([])).await, json!("0x2"));
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn transaction_errors_use_ethereum_wording() {
    let mut n = TestNode::start().await;
    let bob = n.address(1);
    ok(&n, "eth_sendRawTransaction", json!([raw(&eip1559(&n, 0, 0, Some(bob), vec![], 21_000))])).await;
    n.produce_block();
    let (code, msg, _) =
        err(&n, "eth_sendRawTransaction", json!([raw(&eip1559(&n, 0, 0, Some(bob), vec![], 21_000))])).await;
    assert_eq!(code, -32000);
    assert!(msg.starts_with("nonce too low"), "{msg}");
    // A key with no funds.
    let poor = hechain_crypto::AccountKey::from_bytes(hechain_crypto::AccountScheme::Secp256k1, &[0x42; 32]).unwrap();
    let tx = TxEip1559 {
        chain_id: common::CHAIN_ID,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(EvmAddress::from(bob.0)),
        value: U256::from(5u64),
        access_list: Default::default(),
        input: Default::default(),
    };
    let (_, msg, _) = err(&n, "eth_sendRawTransaction", json!([raw(&EthTransaction::sign(tx, &poor).unwrap())])).await;
    assert!(msg.starts_with("insufficient funds for gas * price + value"), "{msg}");
    // Wrong chain id, gas below intrinsic, gas price below the base fee.
    let mut t = TxLegacy {
        chain_id: Some(999),
        nonce: 1,
        gas_price: 1,
        gas_limit: 21_000,
        to: TxKind::Call(EvmAddress::from(bob.0)),
        value: U256::ZERO,
        input: Default::default(),
    };
    let (_, msg, _) =
        err(&n, "eth_sendRawTransaction", json!([raw(&EthTransaction::sign(t.clone(), &n.accounts[0]).unwrap())]))
            .await;
    assert!(msg.contains("chain id"), "{msg}");
    t.chain_id = Some(common::CHAIN_ID);
    t.gas_limit = 20_000;
    let (_, msg, _) =
        err(&n, "eth_sendRawTransaction", json!([raw(&EthTransaction::sign(t.clone(), &n.accounts[0]).unwrap())]))
            .await;
    assert!(msg.starts_with("intrinsic gas too low"), "{msg}");
    t.gas_limit = 21_000;
    t.gas_price = 0;
    let (_, msg, _) =
        err(&n, "eth_sendRawTransaction", json!([raw(&EthTransaction::sign(t, &n.accounts[0]).unwrap())])).await;
    assert!(msg.starts_with("max fee per gas less than block base fee"), "{msg}");
    let (_, msg, _) = err(&n, "eth_sendRawTransaction", json!(["0x02c0"])).await;
    assert!(msg.contains("invalid Ethereum transaction"), "{msg}");
    // Only the latest state is served.
    n.produce_block();
    let (_, msg, _) = err(&n, "eth_getBalance", json!([bob, "0x1"])).await;
    assert!(msg.starts_with("historical state is not available"), "{msg}");
    assert_eq!(ok(&n, "eth_getBalance", json!([Address([0x33; 20]), "latest"])).await, json!("0x0"));
    n.shutdown().await.unwrap();
}
