//! The API's HTTP server: an accept loop over hyper (HTTP/1.1 with WebSocket upgrades) that
//! bounds what a client can hold.
//!
//! - **Connections:** at most [`ServerLimits::max_connections`] at once and
//!   [`ServerLimits::max_connections_per_ip`] from one address. Past the global limit the loop
//!   stops accepting (clients wait in the kernel's backlog); past the per-address limit the new
//!   connection is closed at once, so one client cannot take every slot.
//! - **Timeouts:** a request's headers must arrive within [`ServerLimits::header_timeout`], which
//!   is also how long a kept-alive connection may sit idle; a request body must arrive within
//!   [`ServerLimits::body_timeout`] of the request's start (400 otherwise; see `deadline`).
//! - **Accept errors** (out of file descriptors, …) are logged and retried after a pause instead
//!   of ending the server.
//!
//! Every request carries the client's address (axum's `ConnectInfo<SocketAddr>`), which the
//! JSON-RPC uses to own filters and to count per-client limits.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// Connection limits and timeouts of the API listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerLimits {
    /// Most open connections (default 1000). Past it new connections wait to be accepted.
    pub max_connections: usize,
    /// Most open connections from one IP address (default 128); more are closed at once.
    pub max_connections_per_ip: usize,
    /// Time for a request's headers to arrive, and for a kept-alive connection to stay idle, in
    /// milliseconds (default 20 000).
    pub header_timeout_ms: u64,
    /// Time for a request's body to arrive, in milliseconds (default 30 000); then 400.
    pub body_timeout_ms: u64,
    /// Requests per second one client address may make (default 1000; 0: no limit). Over it:
    /// 429 with `Retry-After`. A JSON-RPC batch or a transaction batch is one request.
    pub rate_per_ip: u32,
    /// Requests one address may make at once before the rate applies (default 2000).
    pub rate_burst_per_ip: u32,
    /// Whether the rate applies to loopback addresses too (default `false`: tools on the node's
    /// own host — monitoring, indexers, benchmarks, tests — are not slowed down).
    pub rate_limit_loopback: bool,
    /// Requests per second one API token may make, from any number of addresses (default 0: no
    /// per-token limit). Applies when the node requires tokens (`api.token_sha256`): each client
    /// organisation's token gets its own quota. Over it: 429.
    pub rate_per_token: u32,
    /// Requests one token may make at once before its rate applies (default: its rate).
    pub rate_burst_per_token: u32,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            max_connections_per_ip: 128,
            header_timeout_ms: 20_000,
            body_timeout_ms: 30_000,
            rate_per_ip: 1000,
            rate_burst_per_ip: 2000,
            rate_limit_loopback: false,
            rate_per_token: 0,
            rate_burst_per_token: 0,
        }
    }
}

impl ServerLimits {
    /// [`Self::header_timeout_ms`] as a duration.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms.max(1))
    }

    /// [`Self::body_timeout_ms`] as a duration.
    pub fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.body_timeout_ms.max(1))
    }
}

/// Open connections per client address.
#[derive(Default)]
struct PerIp(Mutex<BTreeMap<IpAddr, usize>>);

impl PerIp {
    /// Counts a new connection from `ip`, unless it already has `max`.
    fn enter(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<IpSlot> {
        let mut open = self.0.lock();
        let n = open.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(IpSlot { table: self.clone(), ip })
    }
}

/// One counted connection; uncounted when dropped.
struct IpSlot {
    table: Arc<PerIp>,
    ip: IpAddr,
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut open = self.table.0.lock();
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// How long in-flight requests get to finish once shutdown begins.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` within `limits` until `shutdown` resolves; then stops accepting,
/// flips `stop` (which ends event streams and WebSocket sessions) and waits up to [`DRAIN`] for
/// open connections.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_ip = Arc::new(PerIp::default());
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout());
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: pause instead of spinning or giving up.
                    tracing::warn!(error = %e, "API: cannot accept a connection; retrying in 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(ip_slot) = per_ip.enter(peer.ip(), limits.max_connections_per_ip) else {
            tracing::debug!(%peer, "API: connection refused, this address holds its limit of connections");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = app.clone().map_request(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let (builder, stopping, tls) = (builder.clone(), stop.subscribe(), tls.clone());
        let handshake_time = limits.header_timeout();
        tokio::spawn(async move {
            let held = (permit, ip_slot);
            match tls {
                None => serve_connection(&builder, stream, svc, stopping, peer).await,
                Some(acceptor) => match tokio::time::timeout(handshake_time, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => serve_connection(&builder, tls, svc, stopping, peer).await,
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "API: TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "API: TLS handshake timed out"),
                },
            }
            drop(held);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: having them all back means all are closed.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("API: connections still open {DRAIN:?} after shutdown began; closing them");
    }
    Ok(())
}

/// Serves one connection (plain or TLS) until it ends, or gracefully once `stopping` flips.
async fn serve_connection<I, S>(
    builder: &hyper::server::conn::http1::Builder,
    io: I,
    svc: S,
    mut stopping: watch::Receiver<bool>,
    peer: std::net::SocketAddr,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: tower::Service<hyper::Request<hyper::body::Incoming>, Response = axum::response::Response>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(svc)).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let ended = tokio::select! {
        r = conn.as_mut() => r,
        _ = async { stopping.wait_for(|s| *s).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(%peer, error = %e, "API connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ip_slots_are_counted_and_released() {
        let t = Arc::new(PerIp::default());
        let ip: IpAddr = [127, 0, 0, 2].into();
        let a = t.enter(ip, 2).unwrap();
        let _b = t.enter(ip, 2).unwrap();
        assert!(t.enter(ip, 2).is_none());
        assert!(t.enter([127, 0, 0, 3].into(), 2).is_some());
        drop(a);
        assert!(t.enter(ip, 2).is_some());
    }
}
