//! Ethereum JSON-RPC 2.0 on the node's listener: `POST /` (single or batch) and WebSocket
//! `GET /` (with `eth_subscribe`). Ethereum tools (ethers, viem, web3, Hardhat, Foundry,
//! MetaMask) talk to hechain through it unchanged. Methods are listed in [`METHODS`]; the
//! mapping of hechain onto Ethereum's data model is in `docs/api.md`.

mod format;
mod methods;
mod params;
mod sync;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::{SinkExt, StreamExt};
use hechain_execution::evm::Budget;
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::{AppState, RpcContext};

pub use methods::{METHODS, WS_METHODS};
pub use sync::CATCH_UP_LAG;

/// Limits of the JSON-RPC (`[api.eth]` in a node's configuration file). Every request has a
/// bounded cost: defaults are listed in `docs/api.md`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EthLimits {
    /// Most requests in one batch (default 1000).
    pub max_batch: usize,
    /// Widest `eth_getLogs` block range (default 10 000).
    pub max_log_blocks: u64,
    /// Most logs one `eth_getLogs` returns (default 10 000).
    pub max_logs: usize,
    /// Most installed filters per node (default 4096).
    pub max_filters: usize,
    /// Most installed filters per client address (default 64).
    pub max_filters_per_client: usize,
    /// Most subscriptions per WebSocket connection (default 128).
    pub max_subscriptions: usize,
    /// Highest gas an `eth_call` / `eth_estimateGas` may use (default 50 000 000); a larger
    /// `gas` is lowered to it, as Ethereum nodes do.
    pub call_gas_cap: u64,
    /// Longest an `eth_call` / `eth_estimateGas` may run, in milliseconds (default 5000); the
    /// call is also stopped as soon as its client goes away.
    pub call_timeout_ms: u64,
    /// Most expensive calls (`eth_call`, `eth_estimateGas`, log queries, fee history) running
    /// at once (default 0: the number of CPUs). Others wait up to `call_timeout_ms` for a turn,
    /// so clients can never take every worker thread from consensus.
    pub max_concurrent_calls: usize,
    /// Most blocks one `eth_feeHistory` covers (default 1024).
    pub max_fee_history_blocks: u64,
    /// Most reward percentiles one `eth_feeHistory` asks for (default 100).
    pub max_reward_percentiles: usize,
}

impl Default for EthLimits {
    fn default() -> Self {
        Self {
            max_batch: 1000,
            max_log_blocks: 10_000,
            max_logs: 10_000,
            max_filters: 4096,
            max_filters_per_client: 64,
            max_subscriptions: 128,
            call_gas_cap: 50_000_000,
            call_timeout_ms: 5000,
            max_concurrent_calls: 0,
            max_fee_history_blocks: 1024,
            max_reward_percentiles: 100,
        }
    }
}

impl EthLimits {
    fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.call_timeout_ms.max(1))
    }

    fn concurrent_calls(&self) -> usize {
        match self.max_concurrent_calls {
            0 => std::thread::available_parallelism().map(usize::from).unwrap_or(2),
            n => n,
        }
    }
}

/// Who made a call and how long it may run: the client's address (owner of the filters it
/// installs, unit of the per-client limits) and the call's [`Budget`].
pub(crate) struct Caller {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) budget: Budget,
}

/// Sets a call's cancel flag when the request future is dropped (the client went away), so the
/// blocking worker stops the simulation instead of running it for nobody.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// Code: -32700 parse, -32600 invalid request, -32601 unknown method, -32602 invalid
    /// params, -32603 internal, -32000 server/transaction error, -32005 limit exceeded,
    /// 3 execution reverted (with `data`).
    pub code: i64,
    /// Message.
    pub message: String,
    /// Revert data, when there is some.
    pub data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }
    /// -32602.
    pub fn invalid_params(m: impl Into<String>) -> Self {
        Self::new(-32602, m)
    }
    /// -32000.
    pub fn server(m: impl Into<String>) -> Self {
        Self::new(-32000, m)
    }
    /// -32603.
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(-32603, m)
    }
    /// -32005.
    pub fn limit(m: impl Into<String>) -> Self {
        Self::new(-32005, m)
    }
    fn to_json(&self) -> Value {
        let mut e = json!({ "code": self.code, "message": self.message });
        if let Some(d) = &self.data {
            e["data"] = d.clone();
        }
        e
    }
}

impl From<hechain_storage::StorageError> for RpcError {
    fn from(e: hechain_storage::StorageError) -> Self {
        RpcError::internal(format!("storage: {e}"))
    }
}

impl From<hechain_execution::StateError> for RpcError {
    fn from(e: hechain_execution::StateError) -> Self {
        hechain_execution::ExecError::from(e).into()
    }
}

impl From<hechain_execution::ExecError> for RpcError {
    fn from(e: hechain_execution::ExecError) -> Self {
        RpcError::internal(format!("execution: {e}"))
    }
}

/// Installed polling filters (`eth_newFilter`, `eth_newBlockFilter`) by id: 128 random bits,
/// so that no client can guess (and read or uninstall) another's.
pub(crate) struct Filters {
    pub(crate) installed: Mutex<BTreeMap<String, methods::Installed>>,
}

/// Per-server state of the JSON-RPC.
pub(crate) struct EthState {
    pub(crate) filters: Filters,
    pub(crate) limits: EthLimits,
    /// Where the current catch-up started (`eth_syncing`).
    pub(crate) sync: sync::SyncTracker,
    /// Turns of the expensive calls ([`EthLimits::max_concurrent_calls`]).
    heavy: Arc<tokio::sync::Semaphore>,
}

impl EthState {
    pub(crate) fn new(limits: EthLimits) -> Self {
        Self {
            filters: Filters { installed: Mutex::new(BTreeMap::new()) },
            heavy: Arc::new(tokio::sync::Semaphore::new(limits.concurrent_calls())),
            limits,
            sync: sync::SyncTracker::default(),
        }
    }

    /// Starts following the node's consensus status (for `eth_syncing`'s `startingBlock`), when
    /// there is one and a tokio runtime to run on.
    pub(crate) fn follow_status(self: &Arc<Self>, ctx: &RpcContext) {
        if let (Some(status), Ok(rt)) = (ctx.consensus_status.clone(), tokio::runtime::Handle::try_current()) {
            rt.spawn(sync::follow(status, Arc::downgrade(self)));
        }
    }
}

/// Filters not polled for this long are removed (as Ethereum nodes do).
const FILTER_TTL: Duration = Duration::from_secs(300);

fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(r) => json!({ "jsonrpc": "2.0", "id": id, "result": r }),
        Err(e) => json!({ "jsonrpc": "2.0", "id": id, "error": e.to_json() }),
    }
}

/// A parsed request: its id (`None` for a notification), method and params.
struct Request {
    id: Option<Value>,
    method: String,
    params: Value,
}

fn parse_request(v: Value) -> Result<Request, (Value, RpcError)> {
    let Value::Object(mut o) = v else {
        return Err((Value::Null, RpcError::new(-32600, "invalid request: expected a JSON object")));
    };
    let id = o.remove("id");
    let id_or_null = id.clone().unwrap_or(Value::Null);
    if o.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((id_or_null, RpcError::new(-32600, "invalid request: \"jsonrpc\" must be \"2.0\"")));
    }
    let Some(Value::String(method)) = o.remove("method") else {
        return Err((id_or_null, RpcError::new(-32600, "invalid request: \"method\" must be a string")));
    };
    let params = o.remove("params").unwrap_or(Value::Array(vec![]));
    if !matches!(params, Value::Array(_) | Value::Object(_)) {
        return Err((id_or_null, RpcError::new(-32600, "invalid request: \"params\" must be an array")));
    }
    Ok(Request { id, method, params })
}

/// Runs one call on the blocking pool (storage reads, EVM simulation, signature recovery).
/// Expensive methods first wait for a turn ([`EthLimits::max_concurrent_calls`]) and run within
/// a time budget that also ends when the client goes away (this future is dropped).
async fn call(
    ctx: Arc<RpcContext>,
    eth: Arc<EthState>,
    ip: Option<IpAddr>,
    method: String,
    params: Value,
) -> Result<Value, RpcError> {
    let timeout = eth.limits.call_timeout();
    // The turn goes with the work into the worker: it is given back when the work ends, not
    // when the client stops waiting for it.
    let turn = if methods::HEAVY.contains(&method.as_str()) {
        match tokio::time::timeout(timeout, eth.heavy.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Some(permit),
            Ok(Err(_)) | Err(_) => {
                return Err(RpcError::limit(format!(
                    "the node is busy: {} expensive calls are running and none finished within {} ms; retry later",
                    eth.limits.concurrent_calls(),
                    eth.limits.call_timeout_ms
                )))
            }
        }
    } else {
        None
    };
    let caller = Caller { ip, budget: Budget::lasting(timeout) };
    let _cancel = CancelOnDrop(caller.budget.cancelled.clone());
    let work = move || {
        let answer = methods::call(&ctx, &eth, &caller, &method, &params);
        drop(turn);
        answer
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => r,
        Err(e) => Err(RpcError::internal(format!("request worker failed: {e}"))),
    }
}

/// Handles a JSON-RPC body: one request or a batch. `None` when nothing is to be answered
/// (notifications only).
async fn handle_body(st: &AppState, ip: Option<IpAddr>, body: &[u8]) -> Option<Value> {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(response(Value::Null, Err(RpcError::new(-32700, format!("parse error: {e}"))))),
    };
    match v {
        Value::Array(items) => {
            if items.is_empty() {
                return Some(response(Value::Null, Err(RpcError::new(-32600, "invalid request: empty batch"))));
            }
            if items.len() > st.eth.limits.max_batch {
                return Some(response(
                    Value::Null,
                    Err(RpcError::limit(format!(
                        "batch of {} requests is over the limit of {}",
                        items.len(),
                        st.eth.limits.max_batch
                    ))),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            // Raw transactions of the batch are admitted together (parallel signature recovery,
            // one pool batch, one gossip message); the other calls run one by one.
            let mut raw: Vec<(Option<Value>, Value)> = Vec::new();
            for item in items {
                match parse_request(item) {
                    Ok(req) if req.method == "eth_sendRawTransaction" => raw.push((req.id, req.params)),
                    Ok(req) => out.extend(dispatch(st, ip, req).await),
                    Err((id, e)) => out.push(response(id, Err(e))),
                }
            }
            if !raw.is_empty() {
                let ctx = st.ctx.clone();
                let (ids, params): (Vec<Option<Value>>, Vec<Value>) = raw.into_iter().unzip();
                let results = tokio::task::spawn_blocking(move || methods::send_raw_batch(&ctx, &params))
                    .await
                    .unwrap_or_else(|e| vec![Err(RpcError::internal(format!("request worker failed: {e}")))]);
                let mut results = results.into_iter();
                for id in ids {
                    let r = results.next().unwrap_or_else(|| Err(RpcError::internal("missing result")));
                    if let Some(id) = id {
                        out.push(response(id, r));
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        other => handle_one(st, ip, other).await,
    }
}

async fn handle_one(st: &AppState, ip: Option<IpAddr>, v: Value) -> Option<Value> {
    match parse_request(v) {
        Ok(req) => dispatch(st, ip, req).await,
        Err((id, e)) => Some(response(id, Err(e))),
    }
}

/// Answers one parsed request (`None` for a notification).
async fn dispatch(st: &AppState, ip: Option<IpAddr>, req: Request) -> Option<Value> {
    let result = if WS_METHODS.contains(&req.method.as_str()) {
        Err(RpcError::new(-32601, format!("{} is only available over WebSocket", req.method)))
    } else {
        call(st.ctx.clone(), st.eth.clone(), ip, req.method, req.params).await
    };
    req.id.map(|id| response(id, result))
}

/// The client's address, when the server recorded it (it does for every connection it accepts).
type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

fn peer_ip(peer: &Peer) -> Option<IpAddr> {
    peer.as_ref().map(|Extension(ConnectInfo(a))| a.ip())
}

/// `POST /`.
pub(crate) async fn http(
    State(st): State<AppState>,
    peer: Peer,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            return crate::parse::body_rejection(r, st.ctx.config.max_body_bytes).into_response()
        }
        // A body that stopped arriving (the body timeout) or broke off.
        Err(r) => {
            let e = RpcError::new(-32600, format!("cannot read the request body: {}", r.body_text()));
            return (r.status(), Json(response(Value::Null, Err(e)))).into_response();
        }
    };
    match handle_body(&st, peer_ip(&peer), &body).await {
        Some(v) => Json(v).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    }
}

/// `GET /` with a WebSocket upgrade (a plain GET gets a JSON error saying how to use `/`).
pub(crate) async fn websocket(
    State(st): State<AppState>,
    peer: Peer,
    headers: axum::http::HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        // A browser (or anything that asks for no upgrade) gets the web console's page.
        if st.ctx.config.console {
            return crate::console::index(&headers);
        }
        let body = crate::error::error_body(
            "websocket_upgrade_required",
            "GET / is the Ethereum JSON-RPC WebSocket endpoint: connect with a WebSocket client, or POST JSON-RPC \
             requests to /; the REST API is under /api/v1 (described at /api/v1/openapi.json)",
        );
        return (axum::http::StatusCode::BAD_REQUEST, Json(body)).into_response();
    };
    let limit = st.ctx.config.max_body_bytes;
    let ip = peer_ip(&peer);
    ws.max_message_size(limit).on_upgrade(move |socket| ws_session(socket, st, ip))
}

async fn ws_session(socket: WebSocket, st: AppState, ip: Option<IpAddr>) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Value>(1024);
    let mut subs: BTreeMap<String, tokio::task::JoinHandle<()>> = BTreeMap::new();
    let mut shutdown = st.shutdown.clone();
    let writer = tokio::spawn(async move {
        while let Some(v) = out_rx.recv().await {
            if sink.send(Message::Text(v.to_string().into())).await.is_err() {
                break;
            }
        }
    });
    loop {
        let msg = tokio::select! {
            m = stream.next() => m,
            _ = shutdown.changed() => break,
        };
        let text = match msg {
            Some(Ok(Message::Text(t))) => t.to_string(),
            Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
        };
        let reply = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(o))
                if o.get("method").and_then(Value::as_str).is_some_and(|m| WS_METHODS.contains(&m)) =>
            {
                match parse_request(Value::Object(o)) {
                    Ok(req) => {
                        let result = ws_subscription(&st, &req, &mut subs, &out_tx);
                        req.id.map(|id| response(id, result))
                    }
                    Err((id, e)) => Some(response(id, Err(e))),
                }
            }
            _ => handle_body(&st, ip, text.as_bytes()).await,
        };
        if let Some(r) = reply {
            if out_tx.send(r).await.is_err() {
                break;
            }
        }
    }
    for (_, h) in subs {
        h.abort();
    }
    drop(out_tx);
    let _ = writer.await;
}

fn ws_subscription(
    st: &AppState,
    req: &Request,
    subs: &mut BTreeMap<String, tokio::task::JoinHandle<()>>,
    out: &mpsc::Sender<Value>,
) -> Result<Value, RpcError> {
    if req.method == "eth_unsubscribe" {
        let id = params::at(&req.params, 0)
            .as_str()
            .ok_or_else(|| RpcError::invalid_params("expected a subscription id"))?;
        return Ok(Value::Bool(match subs.remove(id) {
            Some(h) => {
                h.abort();
                true
            }
            None => false,
        }));
    }
    if subs.len() >= st.eth.limits.max_subscriptions {
        return Err(RpcError::limit(format!(
            "this connection has {} subscriptions, the limit",
            st.eth.limits.max_subscriptions
        )));
    }
    let kind = params::at(&req.params, 0).as_str().unwrap_or_default().to_string();
    let filter = match kind.as_str() {
        "newHeads" => None,
        "logs" => Some(methods::LogFilter::parse(params::at(&req.params, 1))?),
        other => {
            return Err(RpcError::invalid_params(format!(
                "unsupported subscription {other:?} (supported: newHeads, logs)"
            )))
        }
    };
    let id = random_id()?;
    let mut blocks = st.ctx.blocks.subscribe();
    let out = out.clone();
    let sub_id = id.clone();
    let params = st.ctx.mempool.params();
    let handle = tokio::spawn(async move {
        loop {
            let b = match blocks.recv().await {
                Ok(b) => b,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(subscription = %sub_id, skipped = n, "subscriber lagged; blocks skipped");
                    continue;
                }
                Err(_) => break,
            };
            let items: Vec<Value> = match &filter {
                None => vec![format::head(&format::full_block(
                    &b.block,
                    &b.hash,
                    &b.tx_hashes,
                    &b.receipts,
                    false,
                    &params,
                ))],
                Some(f) => f.logs_of_block(&b.block.header, &b.hash, &b.receipts),
            };
            for result in items {
                let note = json!({
                    "jsonrpc": "2.0",
                    "method": "eth_subscription",
                    "params": { "subscription": sub_id, "result": result },
                });
                if out.send(note).await.is_err() {
                    return;
                }
            }
        }
    });
    subs.insert(id.clone(), handle);
    Ok(Value::String(id))
}

/// A new filter or subscription id: 128 bits from the operating system's random source, as an
/// Ethereum quantity (`0x` and hex digits without leading zeros, as geth forms them).
pub(crate) fn random_id() -> Result<String, RpcError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| RpcError::internal(format!("no randomness for an id: {e}")))?;
    Ok(format!("{:#x}", u128::from_be_bytes(b)))
}

pub(crate) fn expire_filters(f: &Filters) {
    let now = Instant::now();
    f.installed.lock().retain(|_, i| now.duration_since(i.last_poll) < FILTER_TTL);
}
