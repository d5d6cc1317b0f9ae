//! The REST API of a hechain node (axum, under `/api/v1`).
//!
//! Every route is listed once in [`ROUTES`]; [`router`] is built from that
//! list and the OpenAPI document ([`openapi::document`], served at
//! `/api/v1/openapi.json`) is generated from the same list and the Rust types
//! (utoipa), so a route cannot exist undocumented.
//!
//! Conventions:
//! - JSON everywhere; bytes as `0x` hex, 128-bit amounts as decimal strings.
//! - Errors are `{"error":{"code":"snake_case_code","message":"…"}}` with the
//!   statuses listed in [`error`]: refused transactions are **400** with the
//!   pool's code (`nonce_too_low`, `bad_signature`, …); back-pressure
//!   (`pool_full`, `sender_full`, `state_unavailable`) is **503** with
//!   `Retry-After: 1`.
//! - Request bodies are parsed by the handlers themselves so that every
//!   malformed input gets a 400 that says what was wrong; bodies larger than
//!   [`RpcConfig::max_body_bytes`] get a 413.
//! - Storage reads, decoding and signature checks run on tokio's blocking
//!   pool, never on the async workers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod console;
mod deadline;
pub mod error;
pub mod eth;
mod events;
mod guard;
mod handlers;
pub mod metrics;
mod module_routes;
pub mod openapi;
mod parse;
pub mod schema;
mod server;
pub mod tls;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Json, Router};
use hechain_types::{CommittedBlock, Genesis};
use tokio::sync::{broadcast, watch};
use tower_http::limit::RequestBodyLimitLayer;

pub use error::ApiError;
pub use server::ServerLimits;

/// Everything the API reads from: the node's store, pool, genesis and the
/// stream of newly committed blocks.
pub struct RpcContext {
    /// The node's database.
    pub store: Arc<hechain_storage::Store>,
    /// The transaction pool new transactions are admitted to.
    pub mempool: Arc<hechain_mempool::Mempool>,
    /// The chain's genesis.
    pub genesis: Arc<Genesis>,
    /// Announces every newly committed block (feeds `/api/v1/events/blocks`).
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    /// Limits.
    pub config: RpcConfig,
    /// Where newly admitted transactions are handed for gossip to the other nodes (none on a
    /// single-node chain). Bounded: when full, the batch is not gossiped (it still waits in the
    /// local pool for this node's next turn as leader) and a warning is logged.
    pub gossip: Option<tokio::sync::mpsc::Sender<Vec<hechain_types::ChainTx>>>,
    /// Live consensus / network facts (round, leader, peers, role), shown under `consensus` by
    /// `GET /api/v1/status`.
    pub consensus_status: Option<tokio::sync::watch::Receiver<serde_json::Value>>,
}

impl RpcContext {
    /// Admits `txs` to the pool (one result per transaction, in order) and hands the admitted
    /// ones to gossip.
    pub fn admit(
        &self,
        txs: Vec<hechain_types::ChainTx>,
    ) -> Vec<Result<hechain_types::H256, hechain_mempool::AdmitError>> {
        let state = hechain_mempool::StoreState::new(&self.store);
        let Some(gossip) = &self.gossip else {
            return self.mempool.admit_batch(txs, &state);
        };
        let copy = txs.clone();
        let results = self.mempool.admit_batch(txs, &state);
        let admitted: Vec<_> = copy.into_iter().zip(&results).filter(|(_, r)| r.is_ok()).map(|(t, _)| t).collect();
        if !admitted.is_empty() && gossip.try_send(admitted).is_err() {
            tracing::warn!("gossip queue full; admitted transactions wait for this node's turn as leader");
        }
        results
    }
}

/// Limits of the API (the `[api]` section of a node's configuration file; every field has a
/// default, listed in `docs/api.md`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RpcConfig {
    /// Largest accepted request body in bytes (default 16 MiB); larger bodies get 413.
    pub max_body_bytes: usize,
    /// Most transactions in one `POST /api/v1/transactions/batch` (default 10 000); more get 413.
    pub max_batch: usize,
    /// Largest page of list endpoints such as evidence by submitter (default 1000).
    pub max_page: usize,
    /// Limits of the Ethereum JSON-RPC (`[api.eth]`).
    pub eth: eth::EthLimits,
    /// Connection limits and timeouts (`[api.server]`).
    pub server: ServerLimits,
    /// TLS on the API port, optionally mutual (`[api.tls]`); plain HTTP when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<tls::ApiTls>,
    /// SHA-256 (hex) of the API tokens (`[api] token_sha256 = […]`). When set, every request
    /// must carry `Authorization: Bearer <token>` with one of them, else 401. Empty: open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_sha256: Vec<String>,
    /// Web origins whose pages may call the API from a browser (CORS): exact origins,
    /// `scheme://host:*` for any port, or `*`. Empty by default (no page of another origin
    /// may); `hechain dev` allows `http://localhost:*` and `http://127.0.0.1:*`.
    pub cors_origins: Vec<String>,
    /// `GET /readyz` reports not ready when a connected peer is more than this many blocks
    /// ahead (default 5).
    pub ready_max_lag: u64,
    /// Serve `GET /metrics` and count API requests and committed blocks for it (default true).
    pub metrics: bool,
    /// Serve the web console at `/` and `/console/` (default true).
    pub console: bool,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 << 20,
            max_batch: 10_000,
            max_page: 1000,
            eth: eth::EthLimits::default(),
            server: ServerLimits::default(),
            tls: None,
            token_sha256: Vec::new(),
            cors_origins: Vec::new(),
            ready_max_lag: 5,
            metrics: true,
            console: true,
        }
    }
}

/// HTTP method of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET` (also answers `HEAD`).
    Get,
    /// `POST`.
    Post,
}

impl HttpMethod {
    /// Upper-case name, as in a request line.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            HttpMethod::Get => MethodFilter::GET,
            HttpMethod::Post => MethodFilter::POST,
        }
    }
}

/// The handler behind a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Chain and node status.
    Status,
    /// The chain's genesis document.
    Genesis,
    /// Submit one transaction.
    SubmitTransaction,
    /// Submit a batch of raw transactions.
    SubmitBatch,
    /// Look up a transaction (committed or pending).
    Transaction,
    /// Receipt of a committed transaction.
    Receipt,
    /// The newest blocks (summaries), a page at a time.
    Blocks,
    /// The newest block.
    LatestBlock,
    /// A block by height or hash.
    Block,
    /// An account's nonce and balance.
    Account,
    /// The transactions an account sent, a page at a time.
    AccountTransactions,
    /// Offline-verifiable certificate of an evidence record.
    EvidenceCertificate,
    /// Value and state-tree proof of a raw state key.
    StateProof,
    /// Values and proofs of many raw state keys under one height (relayers).
    StateProofs,
    /// Receipts of many transactions (relayers, batch clients).
    Receipts,
    /// Server-sent events: one per committed block.
    BlockEvents,
    /// This API's OpenAPI document.
    OpenApi,
}

/// One route: method, axum/OpenAPI path template and handler.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    /// Method.
    pub method: HttpMethod,
    /// Path template; `{name}` marks a path parameter (same syntax in axum and OpenAPI).
    pub path: &'static str,
    /// Handler.
    pub endpoint: Endpoint,
}

const fn route(method: HttpMethod, path: &'static str, endpoint: Endpoint) -> RouteSpec {
    RouteSpec { method, path, endpoint }
}

/// Every route the API serves. [`router`] is built from this list and the
/// OpenAPI document must describe each entry.
pub const ROUTES: &[RouteSpec] = &[
    route(HttpMethod::Get, "/api/v1/status", Endpoint::Status),
    route(HttpMethod::Get, "/api/v1/genesis", Endpoint::Genesis),
    route(HttpMethod::Post, "/api/v1/transactions", Endpoint::SubmitTransaction),
    route(HttpMethod::Post, "/api/v1/transactions/batch", Endpoint::SubmitBatch),
    route(HttpMethod::Get, "/api/v1/transactions/{hash}", Endpoint::Transaction),
    route(HttpMethod::Get, "/api/v1/receipts/{hash}", Endpoint::Receipt),
    route(HttpMethod::Get, "/api/v1/blocks", Endpoint::Blocks),
    route(HttpMethod::Get, "/api/v1/blocks/latest", Endpoint::LatestBlock),
    route(HttpMethod::Get, "/api/v1/blocks/{id}", Endpoint::Block),
    route(HttpMethod::Get, "/api/v1/accounts/{address}", Endpoint::Account),
    route(HttpMethod::Get, "/api/v1/accounts/{address}/transactions", Endpoint::AccountTransactions),
    route(HttpMethod::Get, "/api/v1/evidence/{id}/certificate", Endpoint::EvidenceCertificate),
    route(HttpMethod::Get, "/api/v1/state/proof", Endpoint::StateProof),
    route(HttpMethod::Post, "/api/v1/state/proofs", Endpoint::StateProofs),
    route(HttpMethod::Post, "/api/v1/receipts", Endpoint::Receipts),
    route(HttpMethod::Get, "/api/v1/events/blocks", Endpoint::BlockEvents),
    route(HttpMethod::Get, "/api/v1/openapi.json", Endpoint::OpenApi),
];

/// A served route: the core's ([`ROUTES`]) and the modules' (from the module list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServedRoute {
    /// Method.
    pub method: HttpMethod,
    /// Path template.
    pub path: &'static str,
}

/// Every route the API serves and documents: [`ROUTES`], then every listed module's routes.
pub fn served_routes() -> Vec<ServedRoute> {
    let core = ROUTES.iter().map(|r| ServedRoute { method: r.method, path: r.path });
    let modules = module_routes::module_routes().into_iter().map(|r| ServedRoute {
        method: match r.method {
            hechain_module::api::Method::Get => HttpMethod::Get,
        },
        path: r.path,
    });
    core.chain(modules).collect()
}

/// Shared state of the handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) ctx: Arc<RpcContext>,
    /// Ethereum JSON-RPC state (installed filters, limits).
    pub(crate) eth: Arc<eth::EthState>,
    /// Becomes `true` when the server shuts down (ends event streams so that
    /// graceful shutdown does not wait on them forever).
    pub(crate) shutdown: watch::Receiver<bool>,
    /// The node's metrics (`GET /metrics`).
    pub(crate) metrics: Arc<metrics::Metrics>,
}

fn endpoint_router(spec: &RouteSpec) -> MethodRouter<AppState> {
    let f = spec.method.filter();
    match spec.endpoint {
        Endpoint::Status => on(f, handlers::status),
        Endpoint::Genesis => on(f, handlers::genesis),
        Endpoint::SubmitTransaction => on(f, handlers::submit_transaction),
        Endpoint::SubmitBatch => on(f, handlers::submit_batch),
        Endpoint::Transaction => on(f, handlers::transaction),
        Endpoint::Receipt => on(f, handlers::receipt),
        Endpoint::Blocks => on(f, handlers::blocks),
        Endpoint::LatestBlock => on(f, handlers::latest_block),
        Endpoint::Block => on(f, handlers::block),
        Endpoint::Account => on(f, handlers::account),
        Endpoint::AccountTransactions => on(f, handlers::account_transactions),
        Endpoint::EvidenceCertificate => on(f, handlers::evidence_certificate),
        Endpoint::StateProof => on(f, handlers::state_proof),
        Endpoint::StateProofs => on(f, handlers::state_proofs),
        Endpoint::Receipts => on(f, handlers::receipts),
        Endpoint::BlockEvents => on(f, events::block_events),
        Endpoint::OpenApi => on(f, handlers::openapi),
    }
}

/// Builds the axum router: every route of [`ROUTES`], JSON 404/405
/// fallbacks, and the body limit of `ctx.config` (413 as JSON). Call it inside a Tokio runtime:
/// it starts the tasks that follow the node for the metrics and the JSON-RPC.
pub fn router(ctx: Arc<RpcContext>) -> Router {
    // No shutdown signal: event streams end only when the client leaves.
    let (_never, shutdown) = watch::channel(false);
    build_router(ctx, shutdown)
}

fn build_router(ctx: Arc<RpcContext>, shutdown: watch::Receiver<bool>) -> Router {
    let limit = ctx.config.max_body_bytes;
    let body_timeout = ctx.config.server.body_timeout();
    let cors = guard::cors(&ctx.config.cors_origins);
    let mut r: Router<AppState> = Router::new();
    for spec in ROUTES {
        r = r.route(spec.path, endpoint_router(spec));
    }
    // The routes of modules built on the module interface.
    for route in module_routes::module_routes() {
        r = r.route(route.path, module_routes::method_router(&route));
    }
    // Ethereum JSON-RPC: POST / (HTTP, single or batch) and GET / (WebSocket); a GET / that
    // asks for no upgrade gets the web console's page.
    r = r.route("/", axum::routing::post(eth::http).get(eth::websocket));
    if ctx.config.console {
        let files = Router::new()
            .route("/console/{*path}", axum::routing::get(console::file))
            .layer(tower_http::compression::CompressionLayer::new());
        r = r.merge(files);
    }
    let eth = Arc::new(eth::EthState::new(ctx.config.eth.clone()));
    eth.follow_status(&ctx);
    // Operations: metrics and health, beside the API.
    r = r.route("/healthz", axum::routing::get(metrics::healthz)).route("/readyz", axum::routing::get(metrics::readyz));
    let node_metrics = Arc::new(metrics::Metrics::new());
    if ctx.config.metrics {
        r = r.route("/metrics", axum::routing::get(metrics::metrics));
        metrics::follow_blocks(node_metrics.clone(), &ctx);
    }
    let r = r
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(guard::typed_posts))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::map_request(move |req: axum::extract::Request| async move {
            deadline::with_deadline(req, body_timeout)
        }))
        .layer(axum::middleware::map_response(move |resp: Response| async move { json_413(resp, limit) }));
    // Only token holders, when the operator set tokens (checked by `check_config` at start).
    let r = match guard::tokens(&ctx.config.token_sha256, &ctx.config.server).ok().flatten() {
        Some(t) => r.layer(axum::middleware::from_fn_with_state(t, guard::require_token)),
        None => r,
    };
    // Before anything else costs work: requests over a client's rate are turned away.
    let r = match guard::rate_limits(&ctx.config.server) {
        Some(l) => r.layer(axum::middleware::from_fn_with_state(l, guard::rate_limit)),
        None => r,
    };
    // Outermost, so that preflights are answered before any other layer looks at them.
    let r = match cors {
        Some(c) => r.layer(c),
        None => r,
    };
    // Outside everything, so that refused requests (401, 429, 415) are counted too.
    let r = match ctx.config.metrics {
        true => r.layer(axum::middleware::from_fn_with_state(node_metrics.clone(), metrics::count_requests)),
        false => r,
    };
    r.with_state(AppState { ctx, eth, shutdown, metrics: node_metrics })
}

/// Rewrites the plain-text 413 of the body-limit layer as a JSON error.
fn json_413(resp: Response, limit: usize) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if resp.status() != StatusCode::PAYLOAD_TOO_LARGE || is_json {
        return resp;
    }
    ApiError::TooLarge { code: "body_too_large", message: parse::body_too_large_message(limit) }.into_response()
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(
        "not_found",
        format!("no route for {method} {}; the API is described at /api/v1/openapi.json", error::excerpt(uri.path())),
    )
}

/// Whether `path` matches a route template (`{x}` matches one segment).
fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let mut allowed: Vec<&str> =
        ROUTES.iter().filter(|r| template_matches(r.path, uri.path())).map(|r| r.method.as_str()).collect();
    allowed.sort_unstable();
    allowed.dedup();
    let message = format!(
        "method {method} is not allowed on {}; allowed: {}",
        error::excerpt(uri.path()),
        if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
    );
    // axum adds the `Allow` header itself.
    (StatusCode::METHOD_NOT_ALLOWED, Json(error::error_body("method_not_allowed", &message))).into_response()
}

/// Checks what of `config` can be wrong (TLS files, token hashes); the TLS acceptor when TLS is
/// on. The node calls it at start-up so that a bad configuration stops the start.
pub fn check_config(config: &RpcConfig) -> Result<Option<tokio_rustls::TlsAcceptor>, String> {
    guard::tokens(&config.token_sha256, &config.server)?;
    config.tls.as_ref().map(|t| t.acceptor().map_err(|e| e.to_string())).transpose()
}

/// Serves the API on `listener` within the connection limits of `ctx.config.server` until
/// `shutdown` resolves, then stops accepting connections, ends open event streams and waits for
/// in-flight requests. The caller binds the listener (and so knows its address).
pub async fn serve(
    listener: tokio::net::TcpListener,
    ctx: Arc<RpcContext>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let limits = ctx.config.server.clone();
    let tls = check_config(&ctx.config).map_err(std::io::Error::other)?;
    let app = build_router(ctx, stopped);
    if let Ok(addr) = listener.local_addr() {
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!(%addr, scheme, "REST API and Ethereum JSON-RPC listening");
    }
    server::run(listener, app, limits, tls, stop, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert!(template_matches("/api/v1/blocks/{id}", "/api/v1/blocks/7"));
        assert!(!template_matches("/api/v1/blocks/{id}", "/api/v1/blocks/"));
        assert!(!template_matches("/api/v1/blocks/{id}", "/api/v1/blocks/7/x"));
        assert!(template_matches("/api/v1/status", "/api/v1/status"));
    }

    #[test]
    fn routes_are_unique() {
        let mut seen: Vec<(&str, &str)> = ROUTES.iter().map(|r| (r.method.as_str(), r.path)).collect();
        seen.sort_unstable();
        let n = seen.len();
        seen.dedup();
        assert_eq!(seen.len(), n);
    }
}
