//! `hechain relay …`: connect two chains (light clients and a transfer channel), relay packets
//! between them, and have one chain recognise a record of the other.
//!
//! The relayer is untrusted and permissionless (see `docs/services/crosschain.md`); it keeps no
//! state of its own, so restarting it — or running several — is always safe.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use hechain_crosschain::{Ordering, RecordKind};
use hechain_crypto::AccountKey;
use hechain_relayer::rest::RestChain;
use hechain_relayer::{ChainIo, Link, Progress};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use serde_json::json;

use crate::cmd_key::resolve_key;
use crate::output::emit;
use crate::Cli;

/// The two chains and the relayer's key on each.
#[derive(Args, Debug)]
pub struct Chains {
    /// API URL of a node of chain A.
    #[arg(long)]
    pub a: String,
    /// API URL of a node of chain B.
    #[arg(long)]
    pub b: String,
    /// The relayer's key on chain A (hex key, keystore file or address; default on a dev chain:
    /// its first account). It pays the fees of what it submits there.
    #[arg(long, env = "HECHAIN_RELAY_KEY_A")]
    pub key_a: Option<String>,
    /// The relayer's key on chain B.
    #[arg(long, env = "HECHAIN_RELAY_KEY_B")]
    pub key_b: Option<String>,
}

/// A record kind on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Kind {
    /// An evidence record.
    Evidence,
    /// An electronic certificate.
    Ecert,
    /// A copyright work.
    CopyrightWork,
}

#[derive(Subcommand, Debug)]
pub enum RelayCmd {
    /// Register a light client of each chain on the other (or use the ones given) and open a
    /// `transfer` channel between them (the four handshake steps), or finish the handshake of a
    /// channel opened on A (`--channel`: a contract's, through its port); prints the ids.
    Connect {
        #[command(flatten)]
        chains: Chains,
        /// Deliver packets in order (a timeout then closes the channel).
        #[arg(long, conflicts_with = "channel")]
        ordered: bool,
        /// Finish the handshake of this channel of A, in `init` (its client of B is the one it
        /// names).
        #[arg(long)]
        channel: Option<u64>,
        /// A's client of B to use (default: a new one).
        #[arg(long, conflicts_with = "channel")]
        client_on_a: Option<u64>,
        /// B's client of A to use (default: a new one).
        #[arg(long)]
        client_on_b: Option<u64>,
    },
    /// Register a light client of each chain on the other; prints their ids (contracts open
    /// channels over them).
    Clients {
        #[command(flatten)]
        chains: Chains,
    },
    /// Relay packets and acknowledgements over a channel until stopped (Ctrl-C), or until nothing
    /// is pending with `--once`.
    Start {
        #[command(flatten)]
        chains: Chains,
        /// The channel on chain A (its other end and both clients are read from the chains).
        #[arg(long)]
        channel: u64,
        /// Pause between passes when nothing is pending (ms).
        #[arg(long, default_value_t = 500)]
        interval_ms: u64,
        /// Serve Prometheus metrics at http://ADDR/metrics.
        #[arg(long)]
        metrics_addr: Option<SocketAddr>,
        /// Stop once nothing is pending in either direction.
        #[arg(long)]
        once: bool,
    },
    /// Have chain B recognise a record of chain A, proven through B's client of A.
    Recognise {
        #[command(flatten)]
        chains: Chains,
        /// B's client of A.
        #[arg(long)]
        client: u64,
        /// The kind of record.
        #[arg(long, value_enum)]
        kind: Kind,
        /// Its id on A.
        #[arg(long)]
        id: u64,
    },
}

/// Connects to both chains with the relayer's keys.
async fn open(cli: &Cli, c: &Chains) -> anyhow::Result<(RestChain, RestChain)> {
    let mut out = Vec::with_capacity(2);
    for (url, key) in [(&c.a, &c.key_a), (&c.b, &c.key_b)] {
        let client = hechain_sdk::Client::new(url)?;
        let status = client.status().await.with_context(|| format!("chain at {url}"))?;
        let key: AccountKey = resolve_key(cli, key.as_ref(), status.suite, status.chain_id)
            .with_context(|| format!("the relayer's key on {url}"))?;
        out.push(RestChain::new(url, key)?);
    }
    let b = out.pop().context("two chains")?;
    let a = out.pop().context("two chains")?;
    Ok((a, b))
}

pub async fn run(cli: &Cli, cmd: &RelayCmd) -> anyhow::Result<i32> {
    match cmd {
        RelayCmd::Clients { chains } => {
            let (a, b) = open(cli, chains).await?;
            let client_on_a = hechain_relayer::create_client(&a, &b).await?;
            let client_on_b = hechain_relayer::create_client(&b, &a).await?;
            emit(cli.json, &json!({"client_on_a": client_on_a, "client_on_b": client_on_b}), || {
                format!("A's client of B: {client_on_a}; B's client of A: {client_on_b}")
            });
            Ok(0)
        }
        RelayCmd::Connect { chains, ordered, channel, client_on_a, client_on_b } => {
            let (a, b) = open(cli, chains).await?;
            let client_on_b = match client_on_b {
                Some(id) => *id,
                None => hechain_relayer::create_client(&b, &a).await?,
            };
            let link = match channel {
                Some(channel_a) => hechain_relayer::finish_handshake(&a, &b, *channel_a, client_on_b).await?,
                None => {
                    let client_on_a = match client_on_a {
                        Some(id) => *id,
                        None => hechain_relayer::create_client(&a, &b).await?,
                    };
                    let ordering = if *ordered { Ordering::Ordered } else { Ordering::Unordered };
                    hechain_relayer::open_channel(&a, &b, client_on_a, client_on_b, ordering).await?
                }
            };
            let v = json!({
                "channel_a": link.channel_a, "channel_b": link.channel_b,
                "client_on_a": link.client_on_a, "client_on_b": link.client_on_b,
            });
            emit(cli.json, &v, || {
                format!(
                    "connected: channel {} on A ↔ channel {} on B (A's client of B: {}, B's client of A: {})\n\
                     relay with: hechain relay start --a {} --b {} --channel {}",
                    link.channel_a,
                    link.channel_b,
                    link.client_on_a,
                    link.client_on_b,
                    chains.a,
                    chains.b,
                    link.channel_a
                )
            });
            Ok(0)
        }
        RelayCmd::Start { chains, channel, interval_ms, metrics_addr, once } => {
            let (a, b) = open(cli, chains).await?;
            let link = link_of(&a, &b, *channel).await?;
            let metrics = Arc::new(RelayMetrics::new());
            if let Some(addr) = metrics_addr {
                serve_metrics(*addr, metrics.clone()).await?;
            }
            relay_loop(cli, (&a, &b), link, Duration::from_millis(*interval_ms), *once, &metrics).await
        }
        RelayCmd::Recognise { chains, client, kind, id } => {
            let (a, b) = open(cli, chains).await?;
            let kind = match kind {
                Kind::Evidence => RecordKind::Evidence,
                Kind::Ecert => RecordKind::Ecert,
                Kind::CopyrightWork => RecordKind::CopyrightWork,
            };
            let rid = hechain_relayer::recognise(&b, *client, &a, kind, *id).await?;
            emit(cli.json, &json!({"recognition": rid}), || {
                format!("recognised on B as recognition {rid} (see `hechain xchain recognition {rid}`)")
            });
            Ok(0)
        }
    }
}

/// The link of channel `channel` of A: its other end and both clients, read from the chains.
async fn link_of(a: &RestChain, b: &RestChain, channel: u64) -> anyhow::Result<Link> {
    let ca = a.channel(channel).await?;
    let channel_b =
        ca.channel.end.counterparty.channel.with_context(|| {
            format!("channel {channel} on A is {:?}: finish its handshake first", ca.channel.end.state)
        })?;
    let cb = b.channel(channel_b).await?;
    let genesis_a = a.genesis().await?.hash();
    if cb.channel.end.counterparty.channel != Some(channel) || cb.channel.end.counterparty.genesis_hash != genesis_a {
        anyhow::bail!("channel {channel_b} on B is not the other end of channel {channel} on A");
    }
    Ok(Link { channel_a: channel, channel_b, client_on_a: ca.channel.client, client_on_b: cb.channel.client })
}

/// The relayer's metrics.
struct RelayMetrics {
    registry: Registry,
    received: Counter,
    acknowledged: Counter,
    timed_out: Counter,
    raced: Counter,
    updates: Counter,
    errors: Counter,
    pending: Gauge,
    lag_a: Gauge,
    lag_b: Gauge,
}

impl RelayMetrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("hechain_relayer");
        let m = RelayMetrics {
            registry: Registry::default(),
            received: Counter::default(),
            acknowledged: Counter::default(),
            timed_out: Counter::default(),
            raced: Counter::default(),
            updates: Counter::default(),
            errors: Counter::default(),
            pending: Gauge::default(),
            lag_a: Gauge::default(),
            lag_b: Gauge::default(),
        };
        registry.register("packets_received", "Packets delivered", m.received.clone());
        registry.register("packets_acknowledged", "Acknowledgements delivered back", m.acknowledged.clone());
        registry.register("packets_timed_out", "Packets rolled back after their timeout", m.timed_out.clone());
        registry.register("raced", "Deliveries another relayer made first", m.raced.clone());
        registry.register("client_updates", "Light-client updates submitted", m.updates.clone());
        registry.register("errors", "Passes that failed (retried)", m.errors.clone());
        registry.register("pending_packets", "Packets pending in both directions", m.pending.clone());
        registry.register("lag_a_blocks", "Chain A's head minus the height B's client of A holds", m.lag_a.clone());
        registry.register("lag_b_blocks", "Chain B's head minus the height A's client of B holds", m.lag_b.clone());
        RelayMetrics { registry, ..m }
    }

    fn record(&self, p: &Progress) {
        self.received.inc_by(p.received);
        self.acknowledged.inc_by(p.acknowledged);
        self.timed_out.inc_by(p.timed_out);
        self.raced.inc_by(p.raced);
        self.updates.inc_by(p.updates);
        self.pending.set(p.pending as i64);
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "cannot encode the metrics");
        }
        out
    }
}

async fn serve_metrics(addr: SocketAddr, metrics: Arc<RelayMetrics>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("metrics address {addr}"))?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let m = metrics.clone();
            async move { ([("content-type", "text/plain; version=0.0.4")], m.text()) }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    });
    Ok(())
}

/// How far behind each chain's client of the other is, in blocks.
async fn lags(a: &RestChain, b: &RestChain, link: Link) -> anyhow::Result<(u64, u64)> {
    let (head_a, head_b) = (a.head().await?, b.head().await?);
    let on_b = b.client(link.client_on_b).await?.client.latest_height;
    let on_a = a.client(link.client_on_a).await?.client.latest_height;
    Ok((head_a.saturating_sub(on_b), head_b.saturating_sub(on_a)))
}

async fn relay_loop(
    cli: &Cli,
    (a, b): (&RestChain, &RestChain),
    link: Link,
    interval: Duration,
    once: bool,
    metrics: &RelayMetrics,
) -> anyhow::Result<i32> {
    let mut total = Progress::default();
    if !cli.json {
        eprintln!(
            "relaying channel {} (A, {}) ↔ channel {} (B, {}); Ctrl-C stops",
            link.channel_a,
            a.name(),
            link.channel_b,
            b.name()
        );
    }
    let mut failures = 0u32;
    loop {
        let pass = tokio::select! {
            r = hechain_relayer::relay_once(a, b, link) => r,
            _ = tokio::signal::ctrl_c() => break,
        };
        match pass {
            Ok(p) => {
                failures = 0;
                metrics.record(&p);
                total += p;
                let (lag_a, lag_b) = lags(a, b, link).await.unwrap_or_default();
                metrics.lag_a.set(lag_a as i64);
                metrics.lag_b.set(lag_b as i64);
                let moved = p.received + p.acknowledged + p.timed_out;
                if moved > 0 || p.raced > 0 {
                    let v = json!({
                        "received": p.received, "acknowledged": p.acknowledged, "timed_out": p.timed_out,
                        "raced": p.raced, "pending": p.pending, "lag_a": lag_a, "lag_b": lag_b,
                    });
                    emit(cli.json, &v, || {
                        format!(
                            "received {} · acknowledged {} · timed out {} · raced {} · pending {} · lag A {lag_a} / B {lag_b} blocks",
                            p.received, p.acknowledged, p.timed_out, p.raced, p.pending
                        )
                    });
                }
                if once && p.pending == 0 {
                    break;
                }
                if moved == 0 {
                    tokio::time::sleep(interval).await;
                }
            }
            Err(e) => {
                metrics.errors.inc();
                failures += 1;
                tracing::warn!(error = %e, "relaying pass failed; retrying");
                if once && failures >= 20 {
                    return Err(e).context("relaying keeps failing");
                }
                tokio::time::sleep(interval.max(Duration::from_millis(500))).await;
            }
        }
    }
    let v = json!({"received": total.received, "acknowledged": total.acknowledged, "timed_out": total.timed_out, "raced": total.raced});
    emit(cli.json, &v, || {
        format!(
            "done: received {} · acknowledged {} · timed out {} · raced {}",
            total.received, total.acknowledged, total.timed_out, total.raced
        )
    });
    Ok(0)
}
