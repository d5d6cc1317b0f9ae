//! `hechain bench xchain`: two chains in this process — single dev nodes, or with `--validators
//! N` two consortia of N validators each (mutual TLS, BFT) — a `transfer` channel between them
//! (light clients on both sides, the four-step handshake), the relayer (`hechain-relayer`, over
//! the nodes' REST APIs, as `hechain relay start` runs it), and a stream of cross-chain transfers
//! sent on chain A. It measures what a user waits for: a packet committed end to end, from the
//! transfer's submission on A to its acknowledgement committed on A (received and minted on B
//! in between), per second and per packet (p50/p99).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use hechain_crosschain::{CrosschainCall, CrosschainEvent, Ordering, NATIVE_DENOM};
use hechain_crypto::{AccountKey, Suite};
use hechain_node::dev;
use hechain_relayer::rest::RestChain;
use hechain_relayer::{create_client, open_channel, relay_once, Link};
use hechain_sdk::Client;
use hechain_types::{Address, Codec, Event, Payload, Transaction, H256};
use serde_json::json;

use crate::bench::{start_own_consortium, start_own_node};
use crate::bench_load::percentile;
use crate::output::emit;
use crate::Cli;

#[derive(Args, Debug)]
pub struct XchainArgs {
    /// How long transfers are sent, in seconds.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Transfers offered per second.
    #[arg(long, default_value_t = 2000)]
    pub rate: u64,
    /// Sending accounts on chain A.
    #[arg(long, default_value_t = 200)]
    pub accounts: usize,
    /// Block interval of both chains (ms).
    #[arg(long, default_value_t = 200)]
    pub block_time: u64,
    /// Seconds to wait after the load for the last acknowledgements.
    #[arg(long, default_value_t = 120)]
    pub drain_timeout: u64,
    /// Cryptographic suite of both chains.
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
    /// Validators of each chain: 1 runs two dev nodes; more runs two consortia (one organisation
    /// per validator up to four, mutual TLS between them) in this process.
    #[arg(long, default_value_t = 1)]
    pub validators: usize,
}

/// What the watcher of chain A's blocks saw.
#[derive(Default)]
struct Seen {
    /// Submission time of each transfer, by transaction hash (filled by the load).
    submitted: HashMap<H256, Instant>,
    /// Submission time of each packet, by sequence (when its send committed).
    sent: HashMap<u64, Instant>,
    /// End-to-end latency of each acknowledged packet.
    latencies: Vec<Duration>,
    first_submit: Option<Instant>,
    last_ack: Option<Instant>,
    refused: u64,
}

pub async fn run(cli: &Cli, a: &XchainArgs) -> anyhow::Result<i32> {
    if a.accounts == 0 || a.rate == 0 || a.duration == 0 {
        bail!("--accounts, --rate and --duration must be positive");
    }
    if cli.rpc.is_some() {
        bail!("bench xchain runs its own two chains; --rpc does not apply");
    }
    if a.validators == 0 {
        bail!("--validators must be positive");
    }
    let keys: Vec<AccountKey> = (0..a.accounts).map(|i| dev::bench_account_key(a.suite, i)).collect();
    let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
    let (nodes_a, _dir_a, url_a, nodes_b, _dir_b, url_b) = if a.validators == 1 {
        let (node_a, dir_a, url_a) = start_own_node(a.suite, &addrs, a.block_time, false).await?;
        let (node_b, dir_b, url_b) = start_own_node(a.suite, &[], a.block_time, false).await?;
        (vec![node_a], dir_a, url_a, vec![node_b], dir_b, url_b)
    } else {
        // Distinct chain ids: each chain's client of the other follows the right chain.
        let (na, da, ua) = start_own_consortium(a.suite, (a.validators, 7101), a.accounts, a.block_time).await?;
        let (nb, db, ub) = start_own_consortium(a.suite, (a.validators, 7102), 0, a.block_time).await?;
        (na, da, ua, nb, db, ub)
    };
    let result = match nodes_a.first() {
        Some(first) => bench(cli, a, (first, &url_a, &url_b), keys).await,
        None => Err(anyhow::anyhow!("chain A has no node")),
    };
    for node in nodes_a.into_iter().chain(nodes_b) {
        node.shutdown().await;
    }
    result
}

async fn bench(
    cli: &Cli,
    a: &XchainArgs,
    (node_a, url_a, url_b): (&hechain_node::Node, &str, &str),
    keys: Vec<AccountKey>,
) -> anyhow::Result<i32> {
    let relayer = || dev::dev_account_key(a.suite, 0);
    let chain_a = RestChain::new(url_a, relayer())?;
    let chain_b = RestChain::new(url_b, relayer())?;
    let client_on_a = create_client(&chain_a, &chain_b).await?;
    let client_on_b = create_client(&chain_b, &chain_a).await?;
    let link = open_channel(&chain_a, &chain_b, client_on_a, client_on_b, Ordering::Unordered).await?;
    eprintln!(
        "channel {} ↔ {} open; sending {} transfers/s for {} s",
        link.channel_a, link.channel_b, a.rate, a.duration
    );

    let seen = Arc::new(Mutex::new(Seen::default()));
    let blocks = node_a.blocks.subscribe();
    let done_loading = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let total = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let load = load(a, url_a, link, keys, seen.clone(), done_loading.clone(), total.clone());
    let relay = relay(&chain_a, &chain_b, link, done_loading.clone());
    let watch = watch(blocks, seen.clone(), done_loading.clone(), total.clone(), Duration::from_secs(a.drain_timeout));
    let (l, r, ()) = tokio::join!(load, relay, watch);
    l?;
    r?;
    let s = seen.lock().map_err(|_| anyhow::anyhow!("bench state poisoned"))?;
    let mut lat = s.latencies.clone();
    lat.sort();
    let acked = lat.len() as u64;
    let window = match (s.first_submit, s.last_ack) {
        (Some(f), Some(l)) => l.duration_since(f),
        _ => Duration::ZERO,
    };
    let pps = if window.is_zero() { 0.0 } else { acked as f64 / window.as_secs_f64() };
    let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    let sent = total.load(std::sync::atomic::Ordering::Relaxed);
    let v = json!({
        "workload": "cross-chain transfers, relayed (send on A → acknowledged on A)",
        "offered": sent, "refused_at_submission": s.refused, "acknowledged": acked,
        "window_s": window.as_secs_f64(), "packets_per_s": pps,
        "p50_ms": p50.as_millis() as u64, "p99_ms": p99.as_millis() as u64,
        "block_time_ms": a.block_time, "suite": a.suite.to_string(), "validators_per_chain": a.validators,
    });
    emit(cli.json, &v, || {
        format!(
            "cross-chain transfers relayed end to end (sent on A → acknowledged on A), {} validator(s) per chain\n  offered       {sent} ({} refused at submission)\n  acknowledged  {acked} in {:.1} s\n  throughput    {pps:.0} packets/s\n  latency       p50 {} ms · p99 {} ms",
            a.validators,
            s.refused,
            window.as_secs_f64(),
            p50.as_millis(),
            p99.as_millis()
        )
    });
    Ok(if acked == sent - s.refused { 0 } else { 1 })
}

/// Sends `rate` transfers a second for `duration` seconds, in batches every 50 ms.
#[allow(clippy::too_many_arguments)]
async fn load(
    a: &XchainArgs,
    url: &str,
    link: Link,
    keys: Vec<AccountKey>,
    seen: Arc<Mutex<Seen>>,
    done: Arc<std::sync::atomic::AtomicBool>,
    total: Arc<std::sync::atomic::AtomicU64>,
) -> anyhow::Result<()> {
    let client = Client::new(url)?;
    let status = client.status().await?;
    let keys = Arc::new(keys);
    let mut nonces = vec![0u64; keys.len()];
    let tick = Duration::from_millis(50);
    let per_tick = (a.rate / 20).max(1) as usize;
    let ticks = a.duration * 20;
    let start = Instant::now();
    let mut next = 0usize;
    for t in 0..ticks {
        let plan: Vec<(usize, u64)> = (0..per_tick)
            .map(|_| {
                let i = next % keys.len();
                next += 1;
                nonces[i] += 1;
                (i, nonces[i] - 1)
            })
            .collect();
        let (k, chain_id, fee, suite) = (keys.clone(), status.chain_id, status.min_fee, status.suite);
        let channel = link.channel_a;
        let (frames, hashes) = tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, Vec<H256>)> {
            let mut frames = Vec::new();
            let mut hashes = Vec::with_capacity(plan.len());
            for (i, nonce) in plan {
                let call = CrosschainCall::Transfer {
                    channel,
                    denom: NATIVE_DENOM.into(),
                    amount: 1,
                    receiver: Address([0xbe; 20]),
                    timeout_height: 0,
                    timeout_ms: u64::MAX / 2,
                };
                let tx = Transaction {
                    chain_id,
                    nonce,
                    sender: Address(k[i].address()),
                    fee,
                    payload: Payload::Crosschain(call),
                }
                .sign(&k[i])?;
                hashes.push(tx.hash(suite));
                frames.extend_from_slice(&(tx.encode().len() as u32).to_le_bytes());
                frames.extend_from_slice(&tx.encode());
            }
            Ok((frames, hashes))
        })
        .await
        .context("signing task")??;
        let now = Instant::now();
        {
            let mut s = seen.lock().map_err(|_| anyhow::anyhow!("bench state poisoned"))?;
            s.first_submit.get_or_insert(now);
            for h in &hashes {
                s.submitted.insert(*h, now);
            }
        }
        let results = client.submit_binary_batch(frames).await?;
        let refused = results.iter().filter(|r| matches!(r, hechain_sdk::BatchResult::Err { .. })).count() as u64;
        if refused > 0 {
            if let Some(hechain_sdk::BatchResult::Err { error }) =
                results.iter().find(|r| matches!(r, hechain_sdk::BatchResult::Err { .. }))
            {
                tracing::warn!(code = %error.code, message = %error.message, "transfers refused at submission");
            }
            seen.lock().map_err(|_| anyhow::anyhow!("bench state poisoned"))?.refused += refused;
        }
        total.fetch_add(hashes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let due = start + tick * (t as u32 + 1);
        tokio::time::sleep_until(due.into()).await;
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// The relayer, until the load is over and nothing is pending.
async fn relay(
    a: &RestChain,
    b: &RestChain,
    link: Link,
    done: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<()> {
    loop {
        let p = relay_once(a, b, link).await?;
        if done.load(std::sync::atomic::Ordering::Relaxed) && p.pending == 0 {
            // One more pass picks up sends committed after the last one looked.
            let p = relay_once(a, b, link).await?;
            if p.pending == 0 && p.received == 0 && p.acknowledged == 0 {
                return Ok(());
            }
        }
        if p.received + p.acknowledged == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Follows chain A's committed blocks: when each packet was sent and acknowledged.
async fn watch(
    mut blocks: tokio::sync::broadcast::Receiver<Arc<hechain_types::CommittedBlock>>,
    seen: Arc<Mutex<Seen>>,
    done: Arc<std::sync::atomic::AtomicBool>,
    total: Arc<std::sync::atomic::AtomicU64>,
    drain: Duration,
) {
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        if done.load(std::sync::atomic::Ordering::Relaxed) {
            let d = *deadline.get_or_insert_with(|| tokio::time::Instant::now() + drain);
            let finished = seen
                .lock()
                .map(|s| s.latencies.len() as u64 + s.refused >= total.load(std::sync::atomic::Ordering::Relaxed));
            if finished.unwrap_or(true) || tokio::time::Instant::now() >= d {
                return;
            }
        }
        let block = match tokio::time::timeout(Duration::from_millis(200), blocks.recv()).await {
            Ok(Ok(b)) => b,
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(n))) => {
                tracing::warn!(missed = n, "the bench fell behind chain A's blocks");
                continue;
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return,
            Err(_) => continue,
        };
        let now = Instant::now();
        let Ok(mut s) = seen.lock() else { return };
        for r in &block.receipts {
            for e in &r.events {
                match e {
                    Event::Crosschain(CrosschainEvent::PacketSent { sequence, .. }) => {
                        if let Some(t) = s.submitted.remove(&r.tx_hash) {
                            s.sent.insert(*sequence, t);
                        }
                    }
                    Event::Crosschain(CrosschainEvent::PacketAcknowledged { sequence, .. }) => {
                        if let Some(t) = s.sent.remove(sequence) {
                            s.latencies.push(now.duration_since(t));
                            s.last_ack = Some(now);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
