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
use hechain_sdk::eth::EthClient;
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
    /// ERC-20 transfers signed as Ethereum transactions, through the JSON-RPC, on the EVM.
    Erc20(crate::bench_erc20::Erc20Args),
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
        BenchCmd::Erc20(a) => crate::bench_erc20::run(cli, a).await,
        BenchCmd::Consensus(a) => crate::bench_consensus::run(cli, a).await,
    }
}

/// One pre-signed transaction: a binary batch frame (native) or EIP-2718 bytes (Ethereum).
pub(crate) struct Prepared {
    pub(crate) bytes: Vec<u8>,
}

/// How pre-signed transactions reach the node.
#[derive(Clone)]
pub(crate) enum SubmitPath {
    /// `POST /api/v1/transactions/batch`, binary frames of native transactions.
    NativeBatch(Client),
    /// A JSON-RPC batch of `eth_sendRawTransaction`.
    EthBatch(Arc<EthClient>),
}

/// What the node said about one submitted transaction.
pub(crate) enum Admission {
    Accepted(H256),
    /// Back-pressure (pool or sender queue full): submit again later.
    Retry,
    Refused(String),
}

impl SubmitPath {
    pub(crate) async fn submit(&self, chunk: &[Prepared]) -> Result<Vec<Admission>, String> {
        match self {
            SubmitPath::NativeBatch(client) => {
                let body: Vec<u8> = chunk.iter().flat_map(|p| p.bytes.iter().copied()).collect();
                let results = client.submit_binary_batch(body).await.map_err(|e| e.to_string())?;
                Ok(results
                    .into_iter()
                    .map(|r| match r {
                        BatchResult::Ok { hash } => Admission::Accepted(hash),
                        BatchResult::Err { error } if error.code == "pool_full" || error.code == "sender_full" => {
                            Admission::Retry
                        }
                        BatchResult::Err { error } => Admission::Refused(format!("{}: {}", error.code, error.message)),
                    })
                    .collect())
            }
            SubmitPath::EthBatch(rpc) => {
                let calls: Vec<(&str, serde_json::Value)> = chunk
                    .iter()
                    .map(|p| ("eth_sendRawTransaction", json!([format!("0x{}", hex::encode(&p.bytes))])))
                    .collect();
                let results = rpc.batch(&calls).await.map_err(|e| e.to_string())?;
                Ok(results
                    .into_iter()
                    .map(|r| match r {
                        Ok(v) => match serde_json::from_value::<H256>(v) {
                            Ok(h) => Admission::Accepted(h),
                            Err(e) => Admission::Refused(format!("bad hash in the answer: {e}")),
                        },
                        Err(f) if f.message == "txpool is full" || f.message.starts_with("sender has") => {
                            Admission::Retry
                        }
                        Err(f) => Admission::Refused(f.to_string()),
                    })
                    .collect())
            }
        }
    }
}

fn sink_address(i: usize) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xbe;
    a[12..20].copy_from_slice(&(i as u64).to_be_bytes());
    Address(a)
}

/// Pre-signs `per_account` transactions per key in parallel (with a progress bar): `make(i, key,
/// nonce)` returns the submission bytes of account `i`'s transaction with that nonce.
pub(crate) fn pre_sign_with<F>(
    keys: &[AccountKey],
    start_nonces: &[u64],
    per_account: usize,
    make: F,
) -> Vec<Vec<Prepared>>
where
    F: Fn(usize, &AccountKey, u64) -> Option<Vec<u8>> + Sync,
{
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
            let txs: Vec<Prepared> = (0..per_account as u64)
                .filter_map(|n| make(i, key, start + n))
                .map(|bytes| Prepared { bytes })
                .collect();
            pb.inc(per_account as u64);
            txs
        })
        .collect();
    pb.finish_and_clear();
    out
}

fn pre_sign(
    chain_id: u64,
    fee: u64,
    keys: &[AccountKey],
    start_nonces: &[u64],
    per_account: usize,
) -> Vec<Vec<Prepared>> {
    pre_sign_with(keys, start_nonces, per_account, |i, key, nonce| {
        let tx = Transaction {
            chain_id,
            nonce,
            sender: Address(key.address()),
            fee,
            payload: Payload::Transfer { to: sink_address(i), amount: 1 },
        }
        .sign(key)
        .ok()?;
        let mut bytes = Vec::with_capacity(200);
        hechain_sdk::frame(&mut bytes, &tx);
        Some(bytes)
    })
}

/// Starts a dev node in this process (temporary data directory) with `funded` accounts funded
/// at genesis; returns it, its directory and its URL.
pub(crate) async fn start_own_node(
    suite: Suite,
    funded: &[Address],
    block_time_ms: u64,
) -> anyhow::Result<(Node, tempfile::TempDir, String)> {
    let dir = tempfile::Builder::new().prefix("hechain-bench-").tempdir()?;
    dev::prepare_dev_dir(dir.path(), suite, funded)?;
    let mut cfg = NodeConfig::new(dir.path());
    cfg.rpc_addr = "127.0.0.1:0".parse()?;
    cfg.block_time = Duration::from_millis(block_time_ms.max(1));
    let node = Node::start(cfg).await?;
    let url = format!("http://{}", node.rpc_addr);
    eprintln!("started a dev node at {url} (block time {block_time_ms} ms)");
    Ok((node, dir, url))
}

/// Funds bench accounts on an external node from the signer's account.
pub(crate) async fn fund(
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
            let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
            let (node, dir, u) = start_own_node(a.suite, &addrs, a.block_time).await?;
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

    let path = SubmitPath::NativeBatch(client.clone());
    let report = load_and_measure(&client, &path, prepared, status.height, a.duration, a.batch, a.connections).await;
    if let Some((node, _dir)) = own.take() {
        node.shutdown().await;
    }
    report?.print(cli, json!({ "accounts": a.accounts, "suite": suite.to_string(), "workload": "native transfers" }))
}

/// Results of one measured load.
pub(crate) struct LoadReport {
    committed: usize,
    submitted: usize,
    rejected: u64,
    submit_seconds: f64,
    window_seconds: f64,
    tps: f64,
    p50: Duration,
    p99: Duration,
    first_error: Option<String>,
}

impl LoadReport {
    /// Prints the report (with `extra` facts in the JSON form); exit code 1 if nothing committed.
    pub(crate) fn print(&self, cli: &Cli, extra: serde_json::Value) -> anyhow::Result<i32> {
        if let Some(e) = &self.first_error {
            eprintln!("note: first error seen: {e}");
        }
        let mut summary = json!({
            "committed": self.committed,
            "submitted": self.submitted,
            "rejected": self.rejected,
            "submit_seconds": self.submit_seconds,
            "window_seconds": self.window_seconds,
            "tps": self.tps.round(),
            "latency_p50_ms": self.p50.as_millis(),
            "latency_p99_ms": self.p99.as_millis(),
        });
        if let (Some(s), Some(e)) = (summary.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        if cli.json {
            println!("{summary}");
        } else {
            println!(
                "submitted {} (rejected {}), committed {} in {:.2}s",
                self.submitted, self.rejected, self.committed, self.window_seconds
            );
            println!(
                "committed TPS {:.0}, submit-to-commit latency p50 {} ms, p99 {} ms",
                self.tps,
                self.p50.as_millis(),
                self.p99.as_millis()
            );
        }
        Ok(if self.committed == 0 { 1 } else { 0 })
    }
}

/// Submits pre-signed transactions (one list per sending account, in nonce order) from
/// `connections` concurrent clients for `duration` seconds, follows committed blocks from
/// `start_height`, and measures committed throughput and submit-to-commit latency.
pub(crate) async fn load_and_measure(
    client: &Client,
    path: &SubmitPath,
    prepared: Vec<Vec<Prepared>>,
    start_height: u64,
    duration: u64,
    batch: usize,
    connections: usize,
) -> anyhow::Result<LoadReport> {
    // Per connection: its accounts' transactions, round-robin by nonce, in batches.
    let mut queues: Vec<Vec<Prepared>> = (0..connections).map(|_| Vec::new()).collect();
    {
        let mut per_conn: Vec<Vec<std::vec::IntoIter<Prepared>>> = (0..connections).map(|_| Vec::new()).collect();
        for (i, txs) in prepared.into_iter().enumerate() {
            per_conn[i % connections].push(txs.into_iter());
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
        let mut height = start_height;
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
    let deadline = t0 + Duration::from_secs(duration);
    let mut workers = Vec::new();
    for queue in queues {
        let path = path.clone();
        let submitted = submitted.clone();
        let rejected = rejected.clone();
        let first_error = first_error.clone();

        workers.push(tokio::spawn(async move {
            let mut pending: std::collections::VecDeque<Prepared> = queue.into();
            while !pending.is_empty() && Instant::now() < deadline {
                let n = batch.min(pending.len());
                let chunk: Vec<Prepared> = pending.drain(..n).collect();
                let sent = Instant::now();
                let results = match path.submit(&chunk).await {
                    Ok(r) => r,
                    Err(e) => {
                        first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
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
                            Admission::Accepted(hash) => {
                                s.insert(hash, sent);
                            }
                            Admission::Retry => retry.push(p),
                            Admission::Refused(e) => {
                                rejected.fetch_add(1, Ordering::Relaxed);
                                first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
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
    let first_error = first_error.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(LoadReport {
        committed: n,
        submitted: submitted.len(),
        rejected: rejected.load(Ordering::Relaxed),
        submit_seconds: submit_end.duration_since(t0).as_secs_f64(),
        window_seconds: window,
        tps: n as f64 / window,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        first_error,
    })
}
