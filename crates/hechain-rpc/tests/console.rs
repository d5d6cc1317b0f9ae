//! The web console's files as a node serves them: the page at `/` (a WebSocket upgrade there
//! still reaches the JSON-RPC), its files under `/console/`, revalidation by ETag, compression,
//! no token needed for the files on a node with API tokens, and the `api.console` switch.
//! What the page *does* is tested in a real browser (tests/console).

use hechain_rpc::RpcConfig;
use hechain_testkit::{Options, TestNode};

#[tokio::test]
async fn the_page_and_its_files_are_served_with_etags() {
    let mut n = TestNode::start().await;
    let r = n.client.get(n.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("/console/app.js"), "{page}");

    let r = n.client.get(n.url("/console/app.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].clone();
    // Unchanged: 304 without a body.
    let r = n.client.get(n.url("/console/app.js")).header("if-none-match", etag.clone()).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"], etag);
    // Another version's tag: the file again.
    let r = n.client.get(n.url("/console/app.js")).header("if-none-match", "\"00\"").send().await.unwrap();
    assert_eq!(r.status(), 200);

    // The verifier is compressed for browsers that accept gzip.
    let r = n.client.get(n.url("/console/verify.wasm")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(r.headers()["content-encoding"], "gzip");

    // Unknown files and the build scripts: JSON 404.
    for path in ["/console/nothing.js", "/console/build-wasm.sh", "/console/vendor/update.sh"] {
        let r = n.client.get(n.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "not_found", "{path}");
    }
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_websocket_upgrade_on_slash_still_reaches_the_json_rpc() {
    use futures::{SinkExt, StreamExt};
    let mut n = TestNode::start().await;
    let url = n.url("/").replace("http://", "ws://");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let req = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    ws.send(tokio_tungstenite::tungstenite::Message::text(req)).await.unwrap();
    let reply = ws.next().await.unwrap().unwrap().into_text().unwrap();
    assert!(reply.contains("\"result\""), "{reply}");
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn with_api_tokens_the_files_are_public_and_the_api_is_not() {
    use sha2::Digest;
    let rpc = RpcConfig { token_sha256: vec![hex::encode(sha2::Sha256::digest(b"s3cret"))], ..RpcConfig::default() };
    let mut n = TestNode::start_with(Options { rpc, ..Options::default() }).await;
    for path in ["/", "/console/app.js"] {
        assert_eq!(n.client.get(n.url(path)).send().await.unwrap().status(), 200, "{path}");
    }
    assert_eq!(n.client.get(n.url("/api/v1/status")).send().await.unwrap().status(), 401);
    // A WebSocket upgrade on `/` is the JSON-RPC, which needs the token.
    let url = n.url("/").replace("http://", "ws://");
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_console_can_be_switched_off() {
    let rpc = RpcConfig { console: false, ..RpcConfig::default() };
    let mut n = TestNode::start_with(Options { rpc, ..Options::default() }).await;
    let (status, body) = n.get("/").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "websocket_upgrade_required");
    assert_eq!(n.client.get(n.url("/console/app.js")).send().await.unwrap().status(), 404);
    n.shutdown().await.unwrap();
}

/// `GET /api/v1/blocks`: the explorer's block list, newest first, paged with `before`.
#[tokio::test]
async fn block_summaries_page_down_to_the_genesis() {
    let mut n = TestNode::start().await;
    let tx = n.transfer(0, 0, n.address(1), 5);
    n.submit(&tx).await;
    for _ in 0..4 {
        n.produce_block();
    }
    let (status, page) = n.get("/api/v1/blocks?limit=3").await;
    assert_eq!(status, 200, "{page}");
    let heights: Vec<u64> = page["blocks"].as_array().unwrap().iter().map(|b| b["height"].as_u64().unwrap()).collect();
    assert_eq!(heights, [4, 3, 2]);
    assert_eq!(page["next_before"], 2);
    // Block 1 holds the transfer; its summary matches the full block.
    let (_, rest) = n.get("/api/v1/blocks?before=2&limit=3").await;
    let blocks = rest["blocks"].as_array().unwrap();
    assert_eq!(blocks.iter().map(|b| b["height"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 0]);
    assert!(rest.get("next_before").is_none(), "{rest}");
    let (_, full) = n.get("/api/v1/blocks/1").await;
    assert_eq!((blocks[0]["hash"].clone(), blocks[0]["tx_count"].as_u64()), (full["hash"].clone(), Some(1)));
    assert_eq!(blocks[0]["timestamp_ms"], full["header"]["timestamp_ms"]);
    // Past the head: from the head; before=0: nothing; bad limits: 400 with the reason.
    assert_eq!(n.get("/api/v1/blocks?before=99&limit=1").await.1["blocks"][0]["height"], 4);
    assert_eq!(n.get("/api/v1/blocks?before=0").await.1["blocks"], serde_json::json!([]));
    for q in ["limit=0", "limit=101", "limit=x", "after=3"] {
        let (status, body) = n.get(&format!("/api/v1/blocks?{q}")).await;
        assert_eq!(status, 400, "{q}: {body}");
    }
    n.shutdown().await.unwrap();
}

/// `GET /api/v1/accounts/{address}/transactions`: the account page's list, newest first.
#[tokio::test]
async fn an_accounts_transactions_page_newest_first() {
    let mut n = TestNode::start().await;
    let mine: Vec<_> = (0..3).map(|i| n.transfer(0, i, n.address(2), 1)).collect();
    for tx in &mine {
        n.submit(tx).await;
    }
    n.submit(&n.transfer(1, 0, n.address(2), 1)).await;
    n.produce_block();
    let a0 = n.address(0).to_string();
    let (status, page) = n.get(&format!("/api/v1/accounts/{a0}/transactions?limit=2")).await;
    assert_eq!(status, 200, "{page}");
    let hashes = |p: &serde_json::Value| -> Vec<String> {
        p["transactions"].as_array().unwrap().iter().map(|t| t["hash"].as_str().unwrap().to_string()).collect()
    };
    let mut all = hashes(&page);
    let next = page["next_before"].as_str().unwrap().to_string();
    let (_, rest) = n.get(&format!("/api/v1/accounts/{a0}/transactions?limit=2&before={next}")).await;
    all.extend(hashes(&rest));
    assert!(rest.get("next_before").is_none(), "{rest}");
    let expected: Vec<String> = mine.iter().rev().map(|t| t.hash(n.suite()).to_string()).collect();
    assert_eq!(all, expected);
    assert_eq!(page["transactions"][0]["height"], 1);
    // Before block 1 there is nothing; bad cursors and limits are refused with the reason.
    assert_eq!(
        n.get(&format!("/api/v1/accounts/{a0}/transactions?before=1")).await.1["transactions"],
        serde_json::json!([])
    );
    for (q, code) in [("before=x", "invalid_before"), ("before=1:y", "invalid_before"), ("limit=0", "invalid_limit")] {
        let (status, body) = n.get(&format!("/api/v1/accounts/{a0}/transactions?{q}")).await;
        assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (400, Some(code)), "{q}: {body}");
    }
    n.shutdown().await.unwrap();
}
