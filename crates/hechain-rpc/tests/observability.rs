//! `/metrics`, `/healthz` and `/readyz` on a real node: counters that move with committed
//! blocks, pool refusals and API requests; readiness that follows the consensus facts (quorum
//! in reach, lag behind peers) and a closed pool, with its reason.

use hechain_testkit::{raw_body, Options, TestNode};
use serde_json::{json, Value};

/// The value of a sample line `name{labels} value` (labels as written, `""` for none).
fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = if labels.is_empty() { name.to_string() } else { format!("{name}{{{labels}}}") };
    text.lines().find_map(|l| l.strip_prefix(&key).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.parse().ok()))
}

async fn metrics(n: &TestNode) -> String {
    let r = n.client.get(n.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    r.text().await.unwrap()
}

#[tokio::test]
async fn metrics_follow_blocks_refusals_and_requests() {
    let mut n = TestNode::start().await;
    let before = metrics(&n).await;
    let tx = n.transfer(0, 0, n.address(1), 5);
    let r = n.client.post(n.url("/api/v1/transactions")).json(&raw_body(&tx)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The same again: a duplicate, refused by the pool.
    let r = n.client.post(n.url("/api/v1/transactions")).json(&raw_body(&tx)).send().await.unwrap();
    assert_ne!(r.status(), 200);
    n.produce_block();
    // The block stream is followed by a task: give it a moment.
    let mut after = String::new();
    for _ in 0..50 {
        after = metrics(&n).await;
        if sample(&after, "hechain_transactions_committed_total", "kind=\"transfer\"") == Some(1.0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sample(&after, "hechain_transactions_committed_total", "kind=\"transfer\""), Some(1.0), "{after}");
    assert!(sample(&after, "hechain_block_height", "") > sample(&before, "hechain_block_height", ""));
    assert_eq!(sample(&after, "hechain_pool_refusals_total", "reason=\"duplicate\""), Some(1.0), "{after}");
    assert_eq!(
        sample(&after, "hechain_rpc_requests_total", "route=\"/api/v1/transactions\",status=\"200\""),
        Some(1.0),
        "{after}"
    );
    assert!(sample(&after, "hechain_commit_latency_seconds_count", "").unwrap_or(0.0) >= 1.0);
    assert!(sample(&after, "hechain_storage_bytes", "").unwrap_or(0.0) > 0.0);
    n.shutdown().await.unwrap();
}

async fn ready(n: &TestNode) -> (u16, Value) {
    let r = n.client.get(n.url("/readyz")).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn readiness_follows_quorum_lag_and_the_pool() {
    let status = |connected: bool, peer_height: u64| {
        json!({
            "role": "validator", "epoch": 0, "round": 9, "executed_height": 10, "quorum": 3, "validators": 4,
            "connected_peers": if connected { 3 } else { 0 },
            "peers": (1..4).map(|i| json!({"name": format!("v{i}"), "role": "validator", "connected": connected,
                                             "height": peer_height, "round": 9})).collect::<Vec<_>>(),
            "safety_violations": 0,
        })
    };
    let (tx, rx) = tokio::sync::watch::channel(status(false, 0));
    let mut n = TestNode::start_with(Options { consensus_status: Some(rx), ..Options::default() }).await;
    let healthz = n.client.get(n.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), 200);

    let (code, body) = ready(&n).await;
    assert_eq!(code, 503);
    assert!(body["reason"].as_str().unwrap().contains("no quorum"), "{body}");

    tx.send_replace(status(true, 12));
    assert_eq!(ready(&n).await, (200, json!({"ready": true})));

    tx.send_replace(status(true, 40));
    let (code, body) = ready(&n).await;
    assert_eq!(code, 503);
    assert!(body["reason"].as_str().unwrap().contains("behind"), "{body}");

    tx.send_replace(status(true, 10));
    assert_eq!(ready(&n).await.0, 200);
    n.mempool.close("block 11 could not be stored: disk full".into());
    let (code, body) = ready(&n).await;
    assert_eq!(code, 503);
    assert!(body["reason"].as_str().unwrap().contains("disk full"), "{body}");
    n.shutdown().await.unwrap();
}

/// Every metric the Grafana dashboard in `deploy/` queries is one a node serves.
#[tokio::test]
async fn the_dashboard_queries_served_metrics() {
    let mut n = TestNode::start().await;
    // Labelled families appear with their first sample: a transfer, a refusal, a block, a scrape.
    let tx = n.transfer(0, 0, n.address(1), 5);
    for _ in 0..2 {
        n.client.post(n.url("/api/v1/transactions")).json(&raw_body(&tx)).send().await.unwrap();
    }
    n.produce_block();
    let mut text = String::new();
    for _ in 0..50 {
        text = metrics(&n).await;
        if text.contains("hechain_transactions_committed_total") && text.contains("hechain_rpc_request_duration") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let served: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(|name| name.strip_suffix("_total").unwrap_or(name))
        .collect();
    let path = format!("{}/../../deploy/grafana/hechain-dashboard.json", env!("CARGO_MANIFEST_DIR"));
    let dash: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut queried = Vec::new();
    for panel in dash["panels"].as_array().unwrap() {
        for t in panel["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap();
            let mut rest = expr;
            while let Some(i) = rest.find("hechain_") {
                let name: String = rest[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                rest = &rest[i + name.len()..];
                let base = ["_bucket", "_count", "_sum", "_total"]
                    .iter()
                    .find_map(|s| name.strip_suffix(s))
                    .unwrap_or(&name)
                    .to_string();
                queried.push(base);
            }
        }
    }
    assert!(queried.len() >= 15, "{queried:?}");
    for q in &queried {
        assert!(served.contains(q.as_str()), "the dashboard queries {q}, which no node serves: {served:?}");
    }
    n.shutdown().await.unwrap();
}
