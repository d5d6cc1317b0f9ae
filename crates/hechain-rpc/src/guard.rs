//! What keeps web pages from using a node through a visitor's browser.
//!
//! A page on any site can make the browser send a "simple" cross-origin POST — a body typed
//! `text/plain`, a form (`application/x-www-form-urlencoded`, `multipart/form-data`) or no type at
//! all — without asking the server first. So every POST must say `Content-Type:
//! application/json` (or `application/octet-stream` for binary transaction batches): a browser
//! sends those cross-origin only after a CORS preflight, which the node answers only for the
//! origins in [`crate::RpcConfig::cors_origins`] (none by default). Others get 415.
//!
//! Ethereum clients (ethers, viem, web3.py, Hardhat, MetaMask) and the SDK already send
//! `application/json`; with curl, pass `-H 'Content-Type: application/json'`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The body types a POST may have.
const ACCEPTED: &[&str] = &["application/json", "application/octet-stream"];

/// Whether a `Content-Type` value names an accepted type (parameters such as `charset` allowed).
fn accepted(content_type: Option<&HeaderValue>) -> bool {
    let Some(v) = content_type.and_then(|v| v.to_str().ok()) else { return false };
    let essence = v.split(';').next().unwrap_or_default().trim();
    ACCEPTED.iter().any(|a| essence.eq_ignore_ascii_case(a))
}

/// Middleware: refuses a POST whose body is not typed as accepted, with 415 (a JSON-RPC error
/// object on `/`, the REST error body elsewhere).
pub(crate) async fn typed_posts(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || accepted(req.headers().get(header::CONTENT_TYPE)) {
        return next.run(req).await;
    }
    let got = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("none");
    let message = format!(
        "POST bodies must have Content-Type: application/json (binary batches: application/octet-stream), not {}; \
         text/plain and form posts are refused so that web pages cannot use the node through a visitor's browser",
        crate::error::excerpt(got)
    );
    refusal(&req, StatusCode::UNSUPPORTED_MEDIA_TYPE, -32600, "unsupported_media_type", &message).into_response()
}

/// The body of a request refused before any handler: a JSON-RPC error object (`rpc_code`) on
/// `/`, where JSON-RPC clients look for one, the REST error body (`rest_code`) elsewhere.
fn refusal(
    req: &Request,
    status: StatusCode,
    rpc_code: i64,
    rest_code: &str,
    message: &str,
) -> (StatusCode, Json<serde_json::Value>) {
    let body = if req.uri().path() == "/" {
        serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": rpc_code, "message": message}})
    } else {
        serde_json::to_value(crate::error::error_body(rest_code, message)).unwrap_or_default()
    };
    (status, Json(body))
}

/// The API tokens a request may carry (`Authorization: Bearer <token>`), by SHA-256, so that the
/// configuration file holds no usable secret ([`crate::RpcConfig::token_sha256`]), and each
/// token's request rate ([`crate::ServerLimits::rate_per_token`]; keyed by the token's index).
pub(crate) struct Tokens {
    hashes: Vec<[u8; 32]>,
    rates: Option<governor::DefaultKeyedRateLimiter<usize>>,
}

/// The token check of `hashes` (hex SHA-256 of each token), or `None` when the list is empty
/// (the API is open). A hash that is not 64 hex digits is an error.
pub(crate) fn tokens(hashes: &[String], limits: &crate::ServerLimits) -> Result<Option<Arc<Tokens>>, String> {
    if hashes.is_empty() {
        return Ok(None);
    }
    let parsed = hashes
        .iter()
        .map(|h| {
            let bytes =
                hex::decode(h.trim().trim_start_matches("0x")).map_err(|e| format!("api.token_sha256 {h:?}: {e}"))?;
            <[u8; 32]>::try_from(bytes).map_err(|_| format!("api.token_sha256 {h:?}: not 32 bytes"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let rates = NonZeroU32::new(limits.rate_per_token).map(|rate| {
        let burst = NonZeroU32::new(limits.rate_burst_per_token).unwrap_or(rate).max(rate);
        governor::RateLimiter::keyed(governor::Quota::per_second(rate).allow_burst(burst))
    });
    Ok(Some(Arc::new(Tokens { hashes: parsed, rates })))
}

/// A request for the console's page (`GET /` with no WebSocket upgrade) or one of its files.
fn is_console_page(req: &Request) -> bool {
    let path = req.uri().path();
    crate::console::is_console_path(path)
        || (path == "/" && req.method() == Method::GET && !req.headers().contains_key(header::UPGRADE))
}

/// Middleware: with tokens configured, every request but a CORS preflight must carry one; else
/// 401 (a JSON-RPC error object on `/`, the REST error body elsewhere).
pub(crate) async fn require_token(State(tokens): State<Arc<Tokens>>, req: Request, next: Next) -> Response {
    use sha2::Digest;
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| <[u8; 32]>::from(sha2::Sha256::digest(t.trim().as_bytes())));
    // Preflights, the liveness/readiness probes (they tell nothing about the chain) and the
    // console's static files (the page asks for a token before it calls the API).
    if req.method() == Method::OPTIONS || matches!(req.uri().path(), "/healthz" | "/readyz") || is_console_page(&req) {
        return next.run(req).await;
    }
    let Some(index) = presented.and_then(|h| tokens.hashes.iter().position(|t| *t == h)) else {
        let message = "this node's API needs a token: send Authorization: Bearer <token> (ask the node's operator)";
        let (status, body) = refusal(&req, StatusCode::UNAUTHORIZED, -32001, "unauthorized", message);
        return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
    };
    if tokens.rates.as_ref().is_none_or(|r| r.check_key(&index).is_ok()) {
        return next.run(req).await;
    }
    let message = "too many requests with this token: slow down and retry after the Retry-After delay";
    let (status, body) = refusal(&req, StatusCode::TOO_MANY_REQUESTS, -32005, "rate_limited", message);
    (status, [(header::RETRY_AFTER, "1")], body).into_response()
}

/// Requests per second per client address ([`crate::ServerLimits::rate_per_ip`]): a token
/// bucket per address (governor), forgotten once full again.
pub(crate) struct RateLimits {
    limiter: governor::DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
    /// Whether loopback clients are limited too.
    loopback: bool,
}

/// The per-address limiter of `limits`, or `None` when the rate is 0 (off).
pub(crate) fn rate_limits(limits: &crate::ServerLimits) -> Option<Arc<RateLimits>> {
    let rate = NonZeroU32::new(limits.rate_per_ip)?;
    let burst = NonZeroU32::new(limits.rate_burst_per_ip).unwrap_or(rate).max(rate);
    let quota = governor::Quota::per_second(rate).allow_burst(burst);
    Some(Arc::new(RateLimits {
        limiter: governor::RateLimiter::keyed(quota),
        checks: AtomicU64::new(0),
        loopback: limits.rate_limit_loopback,
    }))
}

/// Middleware: a client over its rate gets 429 with `Retry-After: 1` (a JSON-RPC error object
/// on `/`, the REST error body elsewhere).
pub(crate) async fn rate_limit(State(limits): State<Arc<RateLimits>>, req: Request, next: Next) -> Response {
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return next.run(req).await;
    };
    if peer.ip().is_loopback() && !limits.loopback {
        return next.run(req).await;
    }
    if limits.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        limits.limiter.retain_recent();
    }
    if limits.limiter.check_key(&peer.ip()).is_ok() {
        return next.run(req).await;
    }
    let message = "too many requests from this address: slow down and retry after the Retry-After delay";
    let (status, body) = refusal(&req, StatusCode::TOO_MANY_REQUESTS, -32005, "rate_limited", message);
    (status, [(header::RETRY_AFTER, "1")], body).into_response()
}

/// The CORS layer for `origins`: exact origins (`https://console.example.com`), an origin with
/// any port (`http://localhost:*`), or `*` for any. `None` when the list is empty: then no CORS
/// header is ever sent and browsers keep other sites' pages from reading answers or sending
/// preflighted requests.
pub(crate) fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let list = origins.to_vec();
    let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        let Ok(origin) = origin.to_str() else { return false };
        list.iter().any(|o| origin_matches(o, origin))
    });
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Whether allow-list entry `pattern` admits `origin`.
fn origin_matches(pattern: &str, origin: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(":*") {
        Some(base) => origin
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
        None => pattern.eq_ignore_ascii_case(origin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let v = |s: &'static str| HeaderValue::from_static(s);
        assert!(accepted(Some(&v("application/json"))));
        assert!(accepted(Some(&v("Application/JSON; charset=utf-8"))));
        assert!(accepted(Some(&v("application/octet-stream"))));
        for bad in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "json"] {
            assert!(!accepted(Some(&v(bad))), "{bad}");
        }
        assert!(!accepted(None));
    }

    #[test]
    fn origins() {
        assert!(origin_matches("*", "https://evil.example"));
        assert!(origin_matches("http://localhost:*", "http://localhost:3000"));
        assert!(!origin_matches("http://localhost:*", "http://localhost.evil.example:3000"));
        assert!(!origin_matches("http://localhost:*", "http://localhost:"));
        assert!(origin_matches("https://console.example.com", "https://console.example.com"));
        assert!(!origin_matches("https://console.example.com", "https://console.example.com.evil"));
    }
}
