//! The node's metrics, served as `GET /metrics` in the Prometheus text format
//! (`prometheus-client`), and its health: `GET /healthz` (the process answers) and
//! `GET /readyz` (it can serve and take part: synced, and for a validator, a quorum in reach).
//!
//! Where the figures come from, so that nothing on the transaction path waits for them:
//! - **committed blocks** (the block stream every node already announces): height, block
//!   interval and commit latency histograms, transactions committed by kind;
//! - **API requests** (a middleware): requests by route and status, latency by route;
//! - **at scrape time**: pool size and refusals by reason, consensus round and epoch, peers,
//!   sync lag, safety violations, the database size.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use serde_json::{json, Value};

use crate::{AppState, RpcContext};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms … ~33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The metric families of one node.
pub struct Metrics {
    registry: Registry,
    height: Gauge,
    round: Gauge,
    epoch: Gauge,
    peers: Gauge,
    sync_lag: Gauge,
    safety_violations: Gauge,
    pool_size: Gauge,
    storage_bytes: Gauge,
    block_interval: Histogram,
    commit_latency: Histogram,
    committed: Family<KindLabel, Counter>,
    refusals: Family<ReasonLabel, Counter>,
    /// Refusal counts already added to [`Self::refusals`] (the pool counts; this follows).
    refusals_seen: Mutex<BTreeMap<&'static str, u64>>,
    requests: Family<RouteStatus, Counter>,
    request_seconds: HistogramFamily<RouteLabel>,
}

impl Metrics {
    /// The families, registered under the `hechain_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hechain");
        let m = Metrics {
            height: Gauge::default(),
            round: Gauge::default(),
            epoch: Gauge::default(),
            peers: Gauge::default(),
            sync_lag: Gauge::default(),
            safety_violations: Gauge::default(),
            pool_size: Gauge::default(),
            storage_bytes: Gauge::default(),
            block_interval: latency_histogram(),
            commit_latency: latency_histogram(),
            committed: Family::default(),
            refusals: Family::default(),
            refusals_seen: Mutex::new(BTreeMap::new()),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            registry: Registry::default(),
        };
        registry.register("block_height", "Height of the last stored block", m.height.clone());
        registry.register("consensus_round", "Current consensus round (0 on a single-node chain)", m.round.clone());
        registry.register("consensus_epoch", "Current membership epoch", m.epoch.clone());
        registry.register("peers_connected", "Peers connected over the member network", m.peers.clone());
        registry.register(
            "sync_lag_blocks",
            "Highest connected peer's height minus ours (0 when ahead)",
            m.sync_lag.clone(),
        );
        registry.register(
            "safety_violations",
            "Safety-rule violations observed by consensus (must stay 0)",
            m.safety_violations.clone(),
        );
        registry.register("pool_transactions", "Transactions waiting in the pool", m.pool_size.clone());
        registry.register("storage_bytes", "Size of the database file", m.storage_bytes.clone());
        registry.register(
            "block_interval_seconds",
            "Time between consecutive blocks' timestamps",
            m.block_interval.clone(),
        );
        registry.register(
            "commit_latency_seconds",
            "From a block's timestamp (its proposal) to its commit on this node",
            m.commit_latency.clone(),
        );
        registry.register("transactions_committed", "Transactions committed, by kind", m.committed.clone());
        registry.register("pool_refusals", "Transactions the pool refused, by reason", m.refusals.clone());
        registry.register("rpc_requests", "API requests, by route and status", m.requests.clone());
        registry.register("rpc_request_duration_seconds", "API request latency, by route", m.request_seconds.clone());
        Metrics { registry, ..m }
    }

    /// Counts a committed block.
    fn on_block(&self, block: &hechain_types::CommittedBlock, previous_ms: Option<u64>) {
        let h = &block.block.header;
        self.height.set(h.height as i64);
        if let Some(prev) = previous_ms {
            self.block_interval.observe(h.timestamp_ms.saturating_sub(prev) as f64 / 1000.0);
        }
        let now_ms =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        self.commit_latency.observe(now_ms.saturating_sub(h.timestamp_ms) as f64 / 1000.0);
        for tx in &block.block.transactions {
            let kind = match tx {
                hechain_types::ChainTx::Native(t) => t.tx.payload.type_name(),
                hechain_types::ChainTx::Ethereum(_) => "ethereum",
            };
            self.committed.get_or_create(&KindLabel { kind }).inc();
        }
    }

    /// Brings the scrape-time figures up to date and encodes everything.
    fn render(&self, ctx: &RpcContext) -> Result<String, std::fmt::Error> {
        if let Ok(h) = ctx.store.reader().and_then(|r| r.head_height()) {
            self.height.set(h as i64);
        }
        self.pool_size.set(ctx.mempool.len() as i64);
        self.storage_bytes.set(ctx.store.size_bytes() as i64);
        {
            let mut seen = self.refusals_seen.lock();
            for (reason, total) in ctx.mempool.refusals() {
                let before = seen.insert(reason, total).unwrap_or(0);
                self.refusals.get_or_create(&ReasonLabel { reason }).inc_by(total.saturating_sub(before));
            }
        }
        if let Some(status) = ctx.consensus_status.as_ref().map(|s| s.borrow().clone()) {
            let n = |k: &str| status[k].as_u64().unwrap_or(0) as i64;
            self.round.set(n("round"));
            self.epoch.set(n("epoch"));
            self.peers.set(n("connected_peers"));
            self.safety_violations.set(n("safety_violations"));
            self.sync_lag.set(best_peer_height(&status).saturating_sub(n("executed_height") as u64) as i64);
        }
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The highest height a connected peer reported.
fn best_peer_height(status: &Value) -> u64 {
    status["peers"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["connected"] == true).filter_map(|p| p["height"].as_u64()).max())
        .unwrap_or_default()
        .unwrap_or(0)
}

/// Follows the committed blocks into `metrics` (until the block stream ends).
pub(crate) fn follow_blocks(metrics: Arc<Metrics>, ctx: &RpcContext) {
    let mut rx = ctx.blocks.subscribe();
    tokio::spawn(async move {
        let mut previous: Option<u64> = None;
        loop {
            match rx.recv().await {
                Ok(b) => {
                    metrics.on_block(&b, previous);
                    previous = Some(b.block.header.timestamp_ms);
                }
                // Fell behind: the counters miss those blocks; the interval restarts.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => previous = None,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

/// Middleware: counts every API request by route and status and times it.
pub(crate) async fn count_requests(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let resp = next.run(req).await;
    metrics.requests.get_or_create(&RouteStatus { route: route.clone(), status: resp.status().as_u16() }).inc();
    metrics.request_seconds.get_or_create(&RouteLabel { route }).observe(started.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(st): State<AppState>) -> Response {
    match st.metrics.render(&st.ctx) {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode the metrics").into_response(),
    }
}

/// `GET /healthz`: the process is alive and serving.
pub(crate) async fn healthz() -> Response {
    axum::Json(json!({ "status": "alive" })).into_response()
}

/// Why the node is not ready, if it is not: the pool closed after a storage failure; a connected
/// peer has not told its height yet (just after a start, the node cannot know it is behind);
/// more than `max_lag` blocks behind its best connected peer; a validator out of reach of a
/// quorum.
pub(crate) fn not_ready(ctx: &RpcContext) -> Option<String> {
    if let Some(why) = ctx.mempool.closed_reason() {
        return Some(format!("not accepting transactions: {why}"));
    }
    let status = ctx.consensus_status.as_ref()?.borrow().clone();
    consensus_unready(&status, ctx.config.ready_max_lag)
}

/// Why a networked node is not ready, from its consensus status (see [`not_ready`]).
fn consensus_unready(status: &Value, max_lag: u64) -> Option<String> {
    let height = status["executed_height"].as_u64().unwrap_or(0);
    let unheard: Vec<&str> = status["peers"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p["connected"] == true && p["height"].is_null())
                .filter_map(|p| p["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if !unheard.is_empty() {
        return Some(format!("waiting for the heights of connected peers ({})", unheard.join(", ")));
    }
    let best = best_peer_height(status);
    if best > height.saturating_add(max_lag) {
        return Some(format!(
            "behind: stored height {height}, a connected peer is at {best} (more than {max_lag} blocks)"
        ));
    }
    if status["role"] == "validator" {
        let connected = status["peers"]
            .as_array()
            .map_or(0, |ps| ps.iter().filter(|p| p["role"] == "validator" && p["connected"] == true).count());
        let quorum = status["quorum"].as_u64().unwrap_or(1) as usize;
        if connected + 1 < quorum {
            return Some(format!(
                "no quorum in reach: connected to {connected} other validators, {quorum} validators needed"
            ));
        }
    }
    None
}

/// `GET /readyz`: 200 when ready, 503 with the reason when not.
pub(crate) async fn readyz(State(st): State<AppState>) -> Response {
    match not_ready(&st.ctx) {
        None => axum::Json(json!({ "ready": true })).into_response(),
        Some(reason) => {
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({ "ready": false, "reason": reason }))).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::consensus_unready;
    use serde_json::json;

    fn status(peers: serde_json::Value) -> serde_json::Value {
        json!({"executed_height": 10, "role": "validator", "quorum": 3, "peers": peers})
    }

    #[test]
    fn readiness_waits_for_the_heights_of_connected_peers() {
        let peer = |name: &str, connected: bool, height: serde_json::Value| json!({"name": name, "role": "validator", "connected": connected, "height": height});
        // Just started: connected, but no peer has told its height yet.
        let s = status(json!([peer("v1", true, json!(null)), peer("v2", true, json!(12))]));
        assert!(consensus_unready(&s, 5).unwrap().contains("waiting for the heights of connected peers (v1)"));
        // Heard: ready within the lag, not beyond it.
        let s = status(json!([peer("v1", true, json!(13)), peer("v2", true, json!(12))]));
        assert_eq!(consensus_unready(&s, 5), None);
        let s = status(json!([peer("v1", true, json!(16)), peer("v2", true, json!(12))]));
        assert!(consensus_unready(&s, 5).unwrap().contains("behind"));
        // A disconnected peer that never spoke does not hold readiness back; a lost quorum does.
        let s = status(json!([peer("v1", false, json!(null)), peer("v2", true, json!(10))]));
        assert!(consensus_unready(&s, 5).unwrap().contains("no quorum"));
    }
}
