//! End-to-end tests of the REST API over real HTTP against a real store,
//! mempool and execution engine.

use hechain_testkit as common;
use hechain_types::GenesisExt;

use hechain_types::TransferCall;
use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use futures::StreamExt;
use hechain_execution::certificate::EvidenceCertificate;
use hechain_execution::{keys, smt_hasher};
use hechain_mempool::MempoolConfig;
use hechain_rpc::{HttpMethod, RpcConfig};
use hechain_storage::smt;
use hechain_types::{Address, Codec, Payload, SignedTransaction, TxSignature, H256};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn hash_of(v: &Value) -> H256 {
    v.as_str().expect("hash string").parse().expect("hash hex")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_the_chain() {
    let node = TestNode::start().await;
    let (status, v) = node.get("/api/v1/status").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["chain_id"], CHAIN_ID);
    assert_eq!(v["suite"], "standard");
    assert_eq!(hash_of(&v["genesis_hash"]), node.genesis.hash());
    assert_eq!(v["height"], 0);
    let head = node.store.reader().unwrap().head().unwrap();
    assert_eq!(hash_of(&v["head_hash"]), head.hash(node.suite()));
    assert_eq!(hash_of(&v["state_root"]), head.state_root);
    assert_eq!(v["head_timestamp_ms"], GENESIS_TS);
    assert_eq!(v["pending_txs"], 0);
    assert_eq!(v["validators"], json!(["test-node0"]));
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesis_is_served_as_written() {
    let node = TestNode::start().await;
    let (status, v) = node.get("/api/v1/genesis").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let served = hechain_types::Genesis::from_json(&v.to_string()).expect("a valid genesis");
    assert_eq!(served, *node.genesis);
    assert_eq!(served.hash(), node.genesis.hash());
    let (_, st) = node.get("/api/v1/status").await;
    assert_eq!(hash_of(&st["genesis_hash"]), served.hash());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_goes_from_pending_to_committed() {
    let node = TestNode::start().await;
    let to = node.address(3);
    let tx = node.transfer(0, 0, to, 12_345);
    let hash = node.submit(&tx).await;

    // Pending.
    let (s, v) = node.get(&format!("/api/v1/transactions/{hash}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "pending");
    assert_eq!(hash_of(&v["hash"]), hash);
    let (s, v) = node.get(&format!("/api/v1/accounts/{}", node.address(0))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["nonce"], 0);
    assert_eq!(v["pending_nonce"], 1);
    assert_eq!(v["balance"], INITIAL_BALANCE.to_string());
    let (_, v) = node.get("/api/v1/status").await;
    assert_eq!(v["pending_txs"], 1);
    let (s, v) = node.get(&format!("/api/v1/receipts/{hash}")).await;
    assert_error(&(s, v), StatusCode::NOT_FOUND, "receipt_not_found", "pending");

    // Committed.
    let block = node.produce_block();
    assert_eq!(block.block.transactions.len(), 1);
    let (s, v) = node.get(&format!("/api/v1/transactions/{hash}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "committed");
    assert_eq!(v["height"], 1);
    assert_eq!(v["index"], 0);
    assert_eq!(hash_of(&v["block_hash"]), block.hash);
    let back: SignedTransaction = serde_json::from_value(v["transaction"].clone()).unwrap();
    assert_eq!(back, tx);

    let (s, v) = node.get(&format!("/api/v1/receipts/{hash}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "success");
    assert_eq!(hash_of(&v["tx_hash"]), hash);
    assert_eq!(v["fee_charged"], MIN_FEE);
    assert_eq!(v["height"], 1);
    assert_eq!(v["index"], 0);
    assert_eq!(hash_of(&v["block_hash"]), block.hash);
    assert_eq!(v["events"][0]["type"], "transfer");
    assert_eq!(v["events"][0]["amount"], "12345");

    let (_, v) = node.get(&format!("/api/v1/accounts/{}", node.address(0))).await;
    assert_eq!(v["nonce"], 1);
    assert_eq!(v["pending_nonce"], 1);
    assert_eq!(v["balance"], (INITIAL_BALANCE - 12_345 - MIN_FEE as u128).to_string());
    // Mixed-case (checksum) and unknown addresses work too.
    let (_, v) = node.get(&format!("/api/v1/accounts/{}", to.to_checksum())).await;
    assert_eq!(v["balance"], (INITIAL_BALANCE + 12_345).to_string());
    let (s, v) = node.get(&format!("/api/v1/accounts/{}", Address([9; 20]))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["nonce"].clone(), v["balance"].clone(), v["pending_nonce"].clone()),
        (json!(0), json!("0"), json!(0))
    );

    // Blocks by height, hash and latest; hashes by default, objects with full=true.
    for path in
        ["/api/v1/blocks/1".to_string(), format!("/api/v1/blocks/{}", block.hash), "/api/v1/blocks/latest".into()]
    {
        let (s, v) = node.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        assert_eq!(hash_of(&v["hash"]), block.hash, "{path}");
        assert_eq!(v["header"]["height"], 1);
        assert_eq!(v["header"]["tx_count"], 1);
        assert_eq!(v["seal"]["signatures"][0]["validator"], 0);
        assert_eq!(v["transactions"], json!([hash.to_hex()]));
    }
    let (s, v) = node.get("/api/v1/blocks/1?full=true").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(hash_of(&v["transactions"][0]["hash"]), hash);
    assert_eq!(v["transactions"][0]["tx"]["payload"]["type"], "transfer");
    assert_eq!(v["transactions"][0]["signature"]["scheme"], "secp256k1");
    let (s, v) = node.get("/api/v1/blocks/0").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["transactions"], json!([]));
    let (s, v) = node.get("/api/v1/blocks/2").await;
    assert_error(&(s, v), StatusCode::NOT_FOUND, "block_not_found", "head is at height 1");
    let (s, v) = node.get(&format!("/api/v1/blocks/{}", H256([7; 32]))).await;
    assert_error(&(s, v), StatusCode::NOT_FOUND, "block_not_found", "no block with hash");

    let (_, v) = node.get("/api/v1/status").await;
    assert_eq!(v["height"], 1);
    assert_eq!(v["pending_txs"], 0);
    assert_eq!(hash_of(&v["head_hash"]), block.hash);

    // Unknown transaction.
    let (s, v) = node.get(&format!("/api/v1/transactions/{}", H256([1; 32]))).await;
    assert_error(&(s, v), StatusCode::NOT_FOUND, "transaction_not_found", "neither committed nor pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_can_be_submitted_as_json() {
    let node = TestNode::start().await;
    let tx = node.transfer(1, 0, node.address(2), 5);
    let body = json!({ "transaction": serde_json::to_value(&tx).unwrap() });
    let (s, v) = node.post_json("/api/v1/transactions", &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(hash_of(&v["hash"]), tx.hash(node.suite()));
    // The same again is a duplicate.
    let got = node.post_json("/api/v1/transactions", &body).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "duplicate", "already pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_returns_one_result_per_input_in_order() {
    let node = TestNode::start().await;
    let a = node.transfer(0, 0, node.address(1), 1);
    let b = node.transfer(0, 1, node.address(1), 2);
    let c = node.transfer(1, 0, node.address(0), 3);
    let mut truncated = raw_hex(&c);
    truncated.truncate(truncated.len() - 10);
    let body = json!({ "raw": [raw_hex(&a), "0xnothex", raw_hex(&b), truncated, raw_hex(&a), raw_hex(&c)] });
    let (s, v) = node.post_json("/api/v1/transactions/batch", &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), 6, "{v}");
    assert_eq!(v["accepted"], 3);
    assert_eq!(hash_of(&results[0]["hash"]), a.hash(node.suite()));
    assert_eq!(results[1]["error"]["code"], "invalid_hex");
    assert!(results[1]["error"]["message"].as_str().unwrap().contains("not valid hex"), "{v}");
    assert_eq!(hash_of(&results[2]["hash"]), b.hash(node.suite()));
    assert_eq!(results[3]["error"]["code"], "invalid_transaction");
    assert_eq!(results[4]["error"]["code"], "duplicate");
    assert_eq!(hash_of(&results[5]["hash"]), c.hash(node.suite()));
    assert_eq!(node.mempool.len(), 3);

    let block = node.produce_block();
    assert_eq!(block.block.transactions.len(), 3);
    let (_, v) = node.get(&format!("/api/v1/accounts/{}", node.address(0))).await;
    assert_eq!(v["nonce"], 2);

    // An empty batch is fine.
    let (s, v) = node.post_json("/api/v1/transactions/batch", &json!({ "raw": [] })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["results"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_lookups_paging_and_certificate() {
    let node = TestNode::start().await;
    let first = node.evidence(0, 0, b"contract #1", "first");
    let second = node.evidence(0, 1, b"contract #2", "second");
    let third = node.evidence(0, 2, b"contract #3", "third");
    let other = node.evidence(1, 0, b"invoice #9", "other");
    for tx in [&first, &second, &third] {
        node.submit(tx).await;
    }
    node.produce_block();
    node.submit(&other).await;
    node.produce_block();

    let content_hash = H256(node.suite().hash(b"contract #1"));
    let (s, rec) = node.get("/api/v1/evidence/1").await;
    assert_eq!(s, StatusCode::OK, "{rec}");
    assert_eq!(rec["id"], 1);
    assert_eq!(hash_of(&rec["content_hash"]), content_hash);
    assert_eq!(rec["meta"]["title"], "first");
    assert_eq!(rec["submitter"], node.address(0).to_hex());
    assert_eq!(hash_of(&rec["tx_hash"]), first.hash(node.suite()));
    assert_eq!(rec["height"], 1);

    let (s, v) = node.get(&format!("/api/v1/evidence/by-hash/{content_hash}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, rec);

    // Paging by submitter.
    let base = format!("/api/v1/evidence/by-submitter/{}", node.address(0));
    let (s, page1) = node.get(&format!("{base}?limit=2")).await;
    assert_eq!(s, StatusCode::OK, "{page1}");
    let ids =
        |p: &Value| p["records"].as_array().unwrap().iter().map(|r| r["id"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(ids(&page1), vec![1, 2]);
    assert_eq!(page1["next_after"], 2);
    let (_, page2) = node.get(&format!("{base}?limit=2&after=2")).await;
    assert_eq!(ids(&page2), vec![3]);
    assert_eq!(page2["next_after"], Value::Null);
    let (_, all) = node.get(&base).await;
    assert_eq!(ids(&all), vec![1, 2, 3]);
    assert_eq!(all["next_after"], Value::Null);
    let (_, theirs) = node.get(&format!("/api/v1/evidence/by-submitter/{}", node.address(1))).await;
    assert_eq!(ids(&theirs), vec![4]);
    let (_, none) = node.get(&format!("/api/v1/evidence/by-submitter/{}", node.address(3))).await;
    assert_eq!(none, json!({ "records": [], "next_after": null }));
    let got = node.get(&format!("{base}?limit=0")).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "limit must be between 1 and 1000");
    let got = node.get(&format!("{base}?limit=1001")).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "limit must be between 1 and 1000");
    let got = node.get(&format!("{base}?page=2")).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "unknown field `page`");

    // Certificate verifies offline against the genesis.
    let (s, v) = node.get("/api/v1/evidence/2/certificate").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let cert: EvidenceCertificate = serde_json::from_value(v).expect("certificate JSON");
    let verified = cert.verify(&node.genesis).expect("certificate verifies");
    assert_eq!(verified.id, 2);
    assert_eq!(verified.content_hash, H256(node.suite().hash(b"contract #2")));
    assert_eq!(verified.signed_by, vec!["test-node0".to_string()]);

    // Not found.
    let got = node.get("/api/v1/evidence/99").await;
    assert_error(&got, StatusCode::NOT_FOUND, "evidence_not_found", "id 99");
    let got = node.get("/api/v1/evidence/99/certificate").await;
    assert_error(&got, StatusCode::NOT_FOUND, "evidence_not_found", "id 99");
    let got = node.get(&format!("/api/v1/evidence/by-hash/{}", H256([3; 32]))).await;
    assert_error(&got, StatusCode::NOT_FOUND, "evidence_not_found", "content hash");
    let got = node.get("/api/v1/evidence/abc").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_id", "evidence record id");

    // A duplicate content hash is refused, naming the original record.
    let dup = node.evidence(2, 0, b"contract #1", "copy");
    let got = node.post_json("/api/v1/transactions", &raw_body(&dup)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "evidence_exists", "id 1");
    // A duplicate of a pending one is refused too.
    let pending = node.evidence(2, 0, b"new", "new");
    node.submit(&pending).await;
    let again = node.evidence(3, 0, b"new", "again");
    let got = node.post_json("/api/v1/transactions", &raw_body(&again)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "evidence_exists", "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_proofs_verify() {
    let node = TestNode::start().await;
    node.submit(&node.transfer(0, 0, node.address(1), 10)).await;
    node.produce_block();
    let suite = node.suite();
    let key = keys::account(&node.address(0));
    let key_hex = format!("0x{}", hex::encode(&key));

    let (s, v) = node.get(&format!("/api/v1/state/proof?key={key_hex}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["height"], 1);
    assert_eq!(v["key"], key_hex);
    let root = hash_of(&v["state_root"]);
    assert_eq!(root, node.store.reader().unwrap().head().unwrap().state_root);
    let value = hex::decode(v["value"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let account = hechain_types::Account::decode(&value).unwrap();
    assert_eq!(account.nonce, 1);
    let proof: smt::Proof = serde_json::from_value(v["proof"].clone()).unwrap();
    assert_eq!(hash_of(&v["key_hash"]).0, suite.hash(&key));
    proof.verify(smt_hasher(suite), &root.0, &suite.hash(&key), Some(&suite.hash(&value))).expect("inclusion proof");

    // At height 0 the proof covers the genesis value.
    let (s, v) = node.get(&format!("/api/v1/state/proof?key={key_hex}&height=0")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let root0 = hash_of(&v["state_root"]);
    let proof: smt::Proof = serde_json::from_value(v["proof"].clone()).unwrap();
    let genesis_value = hechain_types::Account { nonce: 0, balance: INITIAL_BALANCE }.encode();
    proof.verify(smt_hasher(suite), &root0.0, &suite.hash(&key), Some(&suite.hash(&genesis_value))).expect("old value");

    // Absent key: null value, non-inclusion proof.
    let absent = b"nope/nothing".to_vec();
    let (s, v) = node.get(&format!("/api/v1/state/proof?key={}", hex::encode(&absent))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"], Value::Null);
    let proof: smt::Proof = serde_json::from_value(v["proof"].clone()).unwrap();
    proof.verify(smt_hasher(suite), &root.0, &suite.hash(&absent), None).expect("non-inclusion proof");

    let got = node.get(&format!("/api/v1/state/proof?key={key_hex}&height=5")).await;
    assert_error(&got, StatusCode::NOT_FOUND, "block_not_found", "head is at height 1");
    let got = node.get("/api/v1/state/proof").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "missing field `key`");
    let got = node.get("/api/v1/state/proof?key=0xzz").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_hex", "state key is not valid hex");
    let got = node.get("/api/v1/state/proof?key=0x").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "key must not be empty");
    let got = node.get(&format!("/api/v1/state/proof?key={key_hex}&height=-1")).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "height");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_json_errors() {
    let node = TestNode::start_with(Options {
        rpc: RpcConfig { max_body_bytes: 8 * 1024, max_batch: 4, ..RpcConfig::default() },
        ..Options::default()
    })
    .await;
    const TX: &str = "/api/v1/transactions";
    let tx = node.transfer(0, 0, node.address(1), 1);

    // Body shape.
    let got = node.post_bytes(TX, "{\"raw\": ").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_json", "EOF while parsing");
    let got = node.post_bytes(TX, "not json").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_json", "expected");
    let got = node.post_bytes(TX, "").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "body is empty");
    let got = node.post_json(TX, &json!({ "raw": 12 })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "invalid type: integer `12`, expected a string");
    let got = node.post_json(TX, &json!({ "raw": raw_hex(&tx), "extra": 1 })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "unknown field `extra`");
    let got = node.post_json(TX, &json!({})).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "neither \"raw\" nor \"transaction\"");
    let got =
        node.post_json(TX, &json!({ "raw": raw_hex(&tx), "transaction": serde_json::to_value(&tx).unwrap() })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "not both");
    let mut tx_json = serde_json::to_value(&tx).unwrap();
    tx_json["tx"]["sender"] = json!("0x1234");
    let got = node.post_json(TX, &json!({ "transaction": tx_json })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "expected 40 hex digits, got 4");
    let mut tx_json = serde_json::to_value(&tx).unwrap();
    tx_json["tx"]["surprise"] = json!(true);
    let got = node.post_json(TX, &json!({ "transaction": tx_json })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "unknown field `surprise`");

    // Hex and lengths.
    let got = node.post_json(TX, &json!({ "raw": "0xabcg" })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_hex", "invalid character 'g'");
    let got = node.post_json(TX, &json!({ "raw": "0xabc" })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_hex", "odd number of digits");
    let mut short = raw_hex(&tx);
    short.truncate(short.len() - 4);
    let got = node.post_json(TX, &json!({ "raw": short })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_transaction", "not a canonically encoded signed transaction");
    let got = node.post_json(TX, &json!({ "raw": format!("{}00", raw_hex(&tx)) })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_transaction", "not a canonically encoded");
    let got = node.get("/api/v1/transactions/0x1234").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_hash", "expected 64 hex digits, got 4");
    let got = node.get(&format!("/api/v1/receipts/0x{}", "zz".repeat(32))).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_hash", "invalid character");
    let got = node.get("/api/v1/accounts/0xabcdef").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_address", "expected 40 hex digits, got 6");
    let got = node.get("/api/v1/blocks/tip").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_block_id", "neither a decimal height nor");
    let got = node.get("/api/v1/blocks/0x12").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_hash", "block hash");
    let got = node.get("/api/v1/blocks/latest?full=maybe").await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_query", "full");

    // Signatures and admission rules.
    let mut forged = tx.clone();
    if let TxSignature::Secp256k1(sig) = &mut forged.signature {
        sig[10] ^= 0x55;
    }
    let got = node.post_json(TX, &raw_body(&forged)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "bad_signature", "bad signature");
    let mut other_sender = tx.clone();
    other_sender.tx.sender = node.address(2);
    let got = node.post_json(TX, &raw_body(&other_sender)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "bad_signature", "sender");
    let wrong_chain = node.sign(
        0,
        0,
        MIN_FEE,
        CHAIN_ID + 1,
        Payload::Transfer(TransferCall::Transfer { to: node.address(1), amount: 1 }),
    );
    let got = node.post_json(TX, &raw_body(&wrong_chain)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "wrong_chain_id", "this chain is 7, the transaction says 8");
    let cheap =
        node.sign(0, 0, 0, CHAIN_ID, Payload::Transfer(TransferCall::Transfer { to: node.address(1), amount: 1 }));
    let got = node.post_json(TX, &raw_body(&cheap)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "fee_too_low", "minimum is 1");
    let rich = node.transfer(0, 0, node.address(1), INITIAL_BALANCE);
    let got = node.post_json(TX, &raw_body(&rich)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "insufficient_balance", "insufficient balance");
    node.submit(&tx).await;
    node.produce_block();
    let replay = node.transfer(0, 0, node.address(1), 2);
    let got = node.post_json(TX, &raw_body(&replay)).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "nonce_too_low", "next nonce is 1, the transaction has 0");

    // Routing.
    let got = node.get("/api/v1/nothing/here").await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", "/api/v1/nothing/here");
    // `/` is the Ethereum JSON-RPC (POST, or GET with a WebSocket upgrade); a plain GET gets the
    // web console's page (tests/console.rs).
    let resp = node.client.delete(node.url("/api/v1/status")).send().await.unwrap();
    assert_eq!(resp.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET,HEAD"));
    let status = resp.status();
    let got = (status, parse_json(status, &resp.bytes().await.unwrap()));
    assert_error(
        &got,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method DELETE is not allowed on /api/v1/status; allowed: GET",
    );
    let got = node.get(TX).await;
    assert_error(&got, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "allowed: POST");

    // Size limits: declared length, chunked body, and batch count.
    let big = format!("{{\"raw\":\"0x{}\"}}", "00".repeat(8 * 1024));
    let head = format!(
        "POST {TX} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    );
    let got = node.raw_http(&head, big.as_bytes()).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "limit of 8192 bytes");
    // Without a declared length (chunked), the limit applies while reading.
    let mut chunked = Vec::new();
    for c in big.as_bytes().chunks(1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        chunked.extend_from_slice(c);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST {TX} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let got = node.raw_http(&head, &chunked).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "limit of 8192 bytes");
    let five: Vec<String> = (0..5).map(|n| raw_hex(&node.transfer(1, n, node.address(0), 1))).collect();
    let got = node.post_json("/api/v1/transactions/batch", &json!({ "raw": five })).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large", "5 transactions, the limit is 4");
    let got = node.post_json("/api/v1/transactions/batch", &json!({ "raw": "0x00" })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "expected a sequence");
    let got = node.post_json("/api/v1/transactions/batch", &json!({ "raw": [1] })).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_body", "expected a string");

    // Nothing above hurt the server.
    let (s, v) = node.get("/api/v1/status").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["height"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_pool_is_503_with_retry_after() {
    let node = TestNode::start_with(Options {
        mempool: MempoolConfig { capacity: 1, ..MempoolConfig::default() },
        ..Options::default()
    })
    .await;
    node.submit(&node.transfer(0, 0, node.address(1), 1)).await;
    let resp = node
        .client
        .post(node.url("/api/v1/transactions"))
        .json(&raw_body(&node.transfer(1, 0, node.address(0), 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    let status = resp.status();
    let got = (status, parse_json(status, &resp.bytes().await.unwrap()));
    assert_error(&got, StatusCode::SERVICE_UNAVAILABLE, "pool_full", "retry later");
}

/// Reads SSE frames until one with an `event:` field arrives; returns (event, data JSON).
async fn next_event<S>(stream: &mut S, buf: &mut String) -> (String, Value)
where
    S: futures::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin,
{
    loop {
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let mut event = None;
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = Some(e.trim().to_string());
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            if let Some(event) = event {
                return (event, serde_json::from_str(&data).expect("event data is JSON"));
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("an event within 20 s")
            .expect("stream still open")
            .expect("chunk");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_events_stream_committed_blocks() {
    let mut node = TestNode::start().await;
    // The node's own followers (the metrics) subscribe when the server builds its routes: once
    // it answers.
    assert_eq!(node.client.get(node.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    let followers = node.blocks.receiver_count();
    let resp = node.client.get(node.url("/api/v1/events/blocks")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    assert_eq!(node.blocks.receiver_count(), followers + 1, "the handler subscribed before answering");
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();

    node.submit(&node.transfer(0, 0, node.address(1), 1)).await;
    let block = node.produce_block();
    let (event, data) = next_event(&mut stream, &mut buf).await;
    assert_eq!(event, "block");
    assert_eq!(data["height"], 1);
    assert_eq!(hash_of(&data["hash"]), block.hash);
    assert_eq!(data["tx_count"], 1);
    assert_eq!(data["timestamp_ms"], block.block.header.timestamp_ms);
    assert_eq!(hash_of(&data["state_root"]), block.block.header.state_root);

    let block2 = node.produce_block();
    let (event, data) = next_event(&mut stream, &mut buf).await;
    assert_eq!(event, "block");
    assert_eq!(data["height"], 2);
    assert_eq!(hash_of(&data["hash"]), block2.hash);

    // Shutting down ends the stream instead of hanging graceful shutdown.
    node.shutdown().await.expect("serve returns Ok");
    let rest =
        tokio::time::timeout(Duration::from_secs(10), async { while let Some(Ok(_)) = stream.next().await {} }).await;
    assert!(rest.is_ok(), "the event stream ends at shutdown");
}

/// On a single-threaded runtime the handler cannot run while the test
/// commits blocks, so a small broadcast buffer must overflow.
#[tokio::test(flavor = "current_thread")]
async fn lagging_subscribers_get_a_lagged_event_and_continue() {
    let node = TestNode::start_with(Options { broadcast_capacity: 2, ..Options::default() }).await;
    let resp = node.client.get(node.url("/api/v1/events/blocks")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();
    let blocks: Vec<_> = (0..5).map(|_| node.produce_block()).collect();
    let (event, data) = next_event(&mut stream, &mut buf).await;
    assert_eq!(event, "lagged", "{data}");
    assert_eq!(data["missed"], 3);
    assert!(data["message"].as_str().unwrap().contains("missed 3"), "{data}");
    let (event, data) = next_event(&mut stream, &mut buf).await;
    assert_eq!(event, "block");
    assert_eq!(hash_of(&data["hash"]), blocks[3].hash);
    let (_, data) = next_event(&mut stream, &mut buf).await;
    assert_eq!(hash_of(&data["hash"]), blocks[4].hash);
}

/// Replaces path parameters with a placeholder value.
fn concrete(path: &str) -> String {
    path.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_every_served_route() {
    let node = TestNode::start().await;
    let (s, doc) = node.get("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc, hechain_rpc::openapi::document());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");

    let mut listed = BTreeSet::new();
    for r in hechain_rpc::served_routes() {
        let method = r.method.as_str().to_ascii_lowercase();
        let op = &paths.get(r.path).unwrap_or_else(|| panic!("{} missing from the document", r.path))[&method];
        assert!(op.is_object(), "{} {} missing from the document", r.method.as_str(), r.path);
        assert!(op["operationId"].is_string(), "{} {} has no operationId", r.method.as_str(), r.path);
        assert!(op["responses"]["200"].is_object(), "{} has no 200 response", r.path);
        if r.path.contains('{') {
            let params = op["parameters"].as_array().expect("parameters");
            for seg in r.path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    params.iter().any(|p| p["name"] == name && p["in"] == "path"),
                    "{}: path parameter {name} undocumented",
                    r.path
                );
            }
        }
        if r.method == HttpMethod::Post {
            assert!(op["requestBody"].is_object(), "{} has no request body", r.path);
        }
        listed.insert((method, r.path.to_string()));
    }
    // Nothing documented that is not served, and every $ref resolves.
    let mut documented = BTreeSet::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    assert_eq!(documented, listed);
    let text = doc.to_string();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref to {name}");
    }

    // Every listed route is really served (answers something other than the
    // router's 404/405 fallbacks).
    for r in hechain_rpc::served_routes() {
        let url = node.url(&concrete(r.path));
        let req = match r.method {
            HttpMethod::Get => node.client.get(&url),
            HttpMethod::Post => node.client.post(&url).body("{}"),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        if r.path == "/api/v1/events/blocks" {
            assert_eq!(status, StatusCode::OK);
            continue;
        }
        let v = parse_json(status, &resp.bytes().await.unwrap());
        let code = v["error"]["code"].as_str().unwrap_or("");
        assert!(code != "not_found" && code != "method_not_allowed", "{} {}: {v}", r.method.as_str(), r.path);
    }
}
