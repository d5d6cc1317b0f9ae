//! `hechain bench …`: load generators.
//!
//! `bench transfer` pre-signs native transfers from many accounts (so the
//! measurement is the node's work, not the client's signing), submits them
//! in batches over the REST API from several connections for `--duration`
//! seconds, follows committed blocks, and reports committed transactions per
//! second and submit-to-commit latency. Without `--rpc` it starts its own
//! dev node in this process, with the bench accounts funded at genesis.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use hechain_crypto::{AccountKey, Suite};
use hechain_node::{dev, Node, NodeConfig};
use hechain_sdk::{BatchResult, Client};
use hechain_types::{Address, Codec, Payload, Transaction, H256};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;
use std::sync::Mutex;

use crate::cmd_key::resolve_signer;
use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Signed native transfers: committed TPS and submit-to-commit latency.
    Transfer(TransferArgs),
    /// Consensus only: n in-process validators (real HotStuff core, mutual TLS, fsynced safety
    /// state) ordering opaque transactions, no execution.
    Consensus(crate::bench_consensus::ConsensusArgs),
}

#[derive(Args, Debug)]
pub struct TransferArgs {
    /// How long to submit load, in seconds.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Number of sending accounts.
    #[arg(long, default_value_t = 2000)]
    pub accounts: usize,
    /// Transactions per HTTP request (binary batch form).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Concurrent HTTP connections (more, smaller requests keep admission evenly busy).
    #[arg(long, default_value_t = 8)]
    pub connections: usize,
    /// Upper bound of the offered load (pre-signed transactions = duration × this).
    #[arg(long, default_value_t = 60_000)]
    pub max_tps: u64,
    /// Own node only: block interval in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub block_time: u64,
    /// Own node only: cryptographic suite.
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
}

pub async fn run(cli: &Cli, cmd: &BenchCmd) -> anyhow::Result<i32> {
    match cmd {
        BenchCmd::Transfer(a) => transfer(cli, a).await,
        BenchCmd::Consensus(a) => crate::bench_consensus::run(cli, a).await,
    }
}

/// One pre-signed transaction, already framed for the binary batch body.
struct Prepared {
    frame: Vec<u8>,
}

fn sink_address(i: usize) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xbe;
    a[12..20].copy_from_slice(&(i as u64).to_be_bytes());
    Address(a)
}

fn pre_sign(
    chain_id: u64,
    fee: u64,
    keys: &[AccountKey],
    start_nonces: &[u64],
    per_account: usize,
) -> Vec<Vec<Prepared>> {
    let pb = ProgressBar::new((keys.len() * per_account) as u64);
    pb.set_style(
        ProgressStyle::with_template("pre-signing {bar:40} {pos}/{len} txs ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let out = keys
        .par_iter()
        .zip(start_nonces.par_iter())
        .enumerate()
        .map(|(i, (key, &start))| {
            let sender = Address(key.address());
            let txs: Vec<Prepared> = (0..per_account as u64)
                .filter_map(|n| {
                    let tx = Transaction {
                        chain_id,
                        nonce: start + n,
                        sender,
                        fee,
                        payload: Payload::Transfer { to: sink_address(i), amount: 1 },
                    }
                    .sign(key)
                    .ok()?;
                    let mut frame = Vec::with_capacity(200);
                    hechain_sdk::frame(&mut frame, &tx);
                    Some(Prepared { frame })
                })
                .collect();
            pb.inc(per_account as u64);
            txs
        })
        .collect();
    pb.finish_and_clear();
    out
}

/// Funds bench accounts on an external node from the signer's account.
async fn fund(
    cli: &Cli,
    client: &Client,
    suite: Suite,
    chain_id: u64,
    fee: u64,
    addrs: &[Address],
    each: u128,
) -> anyhow::Result<()> {
    let funder = resolve_signer(cli, suite, chain_id)?;
    let from = Address(funder.address());
    let mut nonce = client.account(&from).await?.pending_nonce;
    let mut last = None;
    for chunk in addrs.chunks(1000) {
        let mut raw = Vec::new();
        for to in chunk {
            let tx = Transaction {
                chain_id,
                nonce,
                sender: from,
                fee,
                payload: Payload::Transfer { to: *to, amount: each },
            }
            .sign(&funder)?;
            nonce += 1;
            last = Some(tx.hash(suite));
            raw.push(format!("0x{}", hex::encode(tx.encode())));
        }
        for r in client.submit_raw_batch(&raw).await? {
            if let BatchResult::Err { error } = r {
                bail!("funding bench accounts failed: {} ({})", error.message, error.code);
            }
        }
    }
    if let Some(h) = last {
        client.wait_receipt(&h, Duration::from_secs(120)).await.context("waiting for the funding transfers")?;
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn transfer(cli: &Cli, a: &TransferArgs) -> anyhow::Result<i32> {
    if a.accounts == 0 || a.batch == 0 || a.connections == 0 || a.duration == 0 {
        bail!("--accounts, --batch, --connections and --duration must be positive");
    }
    // Either an external node (--rpc / HECHAIN_RPC) or our own.
    let mut own: Option<(Node, tempfile::TempDir)> = None;
    let suite_hint = a.suite;
    let keys: Vec<AccountKey> = (0..a.accounts).map(|i| dev::bench_account_key(suite_hint, i)).collect();
    let url = match &cli.rpc {
        Some(u) => u.clone(),
        None => {
            let dir = tempfile::Builder::new().prefix("hechain-bench-").tempdir()?;
            let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
            dev::prepare_dev_dir(dir.path(), a.suite, &addrs)?;
            let mut cfg = NodeConfig::new(dir.path());
            cfg.rpc_addr = "127.0.0.1:0".parse()?;
            cfg.block_time = Duration::from_millis(a.block_time.max(1));
            let node = Node::start(cfg).await?;
            let u = format!("http://{}", node.rpc_addr);
            eprintln!("started a dev node at {u} (block time {} ms)", a.block_time);
            own = Some((node, dir));
            u
        }
    };
    let client = Client::new(&url)?;
    let status = client.status().await?;
    let suite = status.suite;
    let keys: Vec<AccountKey> =
        if suite == suite_hint { keys } else { (0..a.accounts).map(|i| dev::bench_account_key(suite, i)).collect() };
    let per_account = ((a.duration * a.max_tps) as usize).div_ceil(a.accounts).max(1);
    let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
    if own.is_none() {
        let need = (per_account as u128) * (1 + status.min_fee as u128);
        let bal = client.account(&addrs[0]).await?.balance;
        if bal < need {
            eprintln!("funding {} bench accounts from the signer…", addrs.len());
            fund(cli, &client, suite, status.chain_id, status.min_fee, &addrs, need * 2).await?;
        }
    }
    let mut start_nonces = Vec::with_capacity(addrs.len());
    for ad in &addrs {
        start_nonces.push(client.account(ad).await?.pending_nonce);
    }
    let signing = Instant::now();
    let prepared = {
        let keys = keys.clone();
        let sn = start_nonces.clone();
        let (chain_id, fee) = (status.chain_id, status.min_fee);
        tokio::task::spawn_blocking(move || pre_sign(chain_id, fee, &keys, &sn, per_account)).await?
    };
    eprintln!(
        "pre-signed {} transfers from {} accounts in {:.1}s; submitting for {}s over {} connections…",
        prepared.iter().map(|v| v.len()).sum::<usize>(),
        a.accounts,
        signing.elapsed().as_secs_f64(),
        a.duration,
        a.connections
    );

    // Per connection: its accounts' transactions, round-robin by nonce, in batches.
    let mut queues: Vec<Vec<Prepared>> = (0..a.connections).map(|_| Vec::new()).collect();
    {
        let mut per_conn: Vec<Vec<std::vec::IntoIter<Prepared>>> = (0..a.connections).map(|_| Vec::new()).collect();
        for (i, txs) in prepared.into_iter().enumerate() {
            per_conn[i % a.connections].push(txs.into_iter());
        }
        for (c, mut iters) in per_conn.into_iter().enumerate() {
            loop {
                let mut any = false;
                for it in iters.iter_mut() {
                    if let Some(p) = it.next() {
                        queues[c].push(p);
                        any = true;
                    }
                }
                if !any {
                    break;
                }
            }
        }
    }

    let submitted: Arc<Mutex<HashMap<H256, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let committed: Arc<Mutex<HashMap<H256, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let committed_count = Arc::new(AtomicU64::new(0));
    let rejected = Arc::new(AtomicU64::new(0));
    let stop_tracking = Arc::new(AtomicBool::new(false));
    let first_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));

    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(200));

    // Follow committed blocks.
    let tracker = {
        let client = client.clone();
        let committed = committed.clone();
        let count = committed_count.clone();
        let stop = stop_tracking.clone();
        let pb = pb.clone();
        let mut height = status.height;
        tokio::spawn(async move {
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let head = match client.status().await {
                    Ok(s) => s.height,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                while height < head {
                    // Typed parse: only the hash list is needed.
                    #[derive(serde::Deserialize)]
                    struct Hashes {
                        transactions: Vec<H256>,
                    }
                    let Ok(b) = client.get::<Hashes>(&format!("/blocks/{}", height + 1)).await else { break };
                    let now = Instant::now();
                    height += 1;
                    let mut c = committed.lock().unwrap_or_else(|e| e.into_inner());
                    for h in &b.transactions {
                        c.insert(*h, now);
                    }
                    count.fetch_add(b.transactions.len() as u64, Ordering::Relaxed);
                }
                let n = count.load(Ordering::Relaxed);
                pb.set_message(format!(
                    "height {height}, {n} committed, {:.0} tx/s",
                    n as f64 / started.elapsed().as_secs_f64().max(0.001)
                ));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };

    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(a.duration);
    let mut workers = Vec::new();
    for queue in queues {
        let client = client.clone();
        let submitted = submitted.clone();
        let rejected = rejected.clone();
        let first_error = first_error.clone();
        let batch = a.batch;
        workers.push(tokio::spawn(async move {
            let mut pending: std::collections::VecDeque<Prepared> = queue.into();
            while !pending.is_empty() && Instant::now() < deadline {
                let n = batch.min(pending.len());
                let chunk: Vec<Prepared> = pending.drain(..n).collect();
                let body: Vec<u8> = chunk.iter().flat_map(|p| p.frame.iter().copied()).collect();
                let sent = Instant::now();
                let results = match client.submit_binary_batch(body).await {
                    Ok(r) => r,
                    Err(e) => {
                        first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e.to_string());
                        // Put the batch back and slow down.
                        for p in chunk.into_iter().rev() {
                            pending.push_front(p);
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let mut retry = Vec::new();
                {
                    let mut s = submitted.lock().unwrap_or_else(|e| e.into_inner());
                    for (p, r) in chunk.into_iter().zip(results) {
                        match r {
                            BatchResult::Ok { hash } => {
                                s.insert(hash, sent);
                            }
                            BatchResult::Err { error } if error.code == "pool_full" || error.code == "sender_full" => {
                                retry.push(p)
                            }
                            BatchResult::Err { error } => {
                                rejected.fetch_add(1, Ordering::Relaxed);
                                first_error
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .get_or_insert(format!("{}: {}", error.code, error.message));
                            }
                        }
                    }
                }
                if !retry.is_empty() {
                    for p in retry.into_iter().rev() {
                        pending.push_front(p);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let submit_end = Instant::now();
    // Drain: wait until everything admitted is committed (bounded).
    let drain_deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let total = submitted.lock().unwrap_or_else(|e| e.into_inner()).len() as u64;
        if committed_count.load(Ordering::Relaxed) >= total || Instant::now() > drain_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One more poll cycle so the tracker records the last block.
    tokio::time::sleep(Duration::from_millis(120)).await;
    stop_tracking.store(true, Ordering::Relaxed);
    let _ = tracker.await;
    pb.finish_and_clear();

    let submitted = std::mem::take(&mut *submitted.lock().unwrap_or_else(|e| e.into_inner()));
    let committed = std::mem::take(&mut *committed.lock().unwrap_or_else(|e| e.into_inner()));
    let mut latencies = Vec::with_capacity(submitted.len());
    let mut last_commit = t0;
    for (h, sent) in &submitted {
        if let Some(c) = committed.get(h) {
            latencies.push(c.saturating_duration_since(*sent));
            last_commit = last_commit.max(*c);
        }
    }
    latencies.sort();
    let n = latencies.len();
    let window = last_commit.saturating_duration_since(t0).as_secs_f64().max(0.001);
    let tps = n as f64 / window;
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    if let Some(e) = first_error.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        eprintln!("note: first error seen: {e}");
    }
    if let Some((node, _dir)) = own.take() {
        node.shutdown().await;
    }
    let summary = json!({
        "committed": n,
        "submitted": submitted.len(),
        "rejected": rejected.load(Ordering::Relaxed),
        "submit_seconds": submit_end.duration_since(t0).as_secs_f64(),
        "window_seconds": window,
        "tps": tps.round(),
        "latency_p50_ms": p50.as_millis(),
        "latency_p99_ms": p99.as_millis(),
        "accounts": a.accounts,
        "suite": suite.to_string(),
    });
    if cli.json {
        println!("{summary}");
    } else {
        println!(
            "submitted {} (rejected {}), committed {} in {:.2}s",
            submitted.len(),
            rejected.load(Ordering::Relaxed),
            n,
            window
        );
        println!(
            "committed TPS {:.0}, submit-to-commit latency p50 {} ms, p99 {} ms",
            tps,
            p50.as_millis(),
            p99.as_millis()
        );
    }
    Ok(if n == 0 { 1 } else { 0 })
}
