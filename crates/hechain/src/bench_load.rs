//! The paced load of `bench transfer` and `bench erc20`.
//!
//! `rate × duration` transactions are planned: transaction `k` is account `k mod A`'s, with
//! that account's next nonce. A blocking thread signs them in order, in chunks, in parallel
//! (rayon), ahead of the schedule: up to [`PRESIGN_LIMIT`] before the load starts (so that
//! signing does not compete with the node for the CPU while it is measured), the rest during the
//! load. The pacer releases transaction `k` at `k / rate` seconds after the start, for
//! `duration` seconds, to the connection that owns its account (so one account's transactions
//! arrive in nonce order); each connection sends what has been released in batches of at most
//! `batch`, and re-sends what the node pushed back (pool or sender queue full). When the load
//! window ends, connections start no new request (a backlog a slower node left them is reported
//! as not offered), and the generator waits (at most `drain_timeout`) for accepted transactions
//! to commit; that drain is reported separately. "Offered" counts transactions sent to the node.
//!
//! Committed throughput is the transactions committed *during* the load window divided by its
//! length; it is withheld when the window is shorter than [`MIN_TPS_WINDOW`] or fewer than
//! [`MIN_TPS_BLOCKS`] blocks with load transactions committed in it (too short to mean a rate).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use hechain_sdk::eth::EthClient;
use hechain_sdk::{BatchResult, Client};
use hechain_types::H256;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;
use tokio::sync::mpsc;

use crate::Cli;

/// Most transactions signed before the load starts (about 200 MB of signed transactions);
/// beyond this the rest is signed while the load runs.
pub(crate) const PRESIGN_LIMIT: u64 = 1_000_000;
/// Transactions signed per parallel chunk.
const CHUNK: u64 = 4_096;
/// How often the pacer releases transactions.
const TICK: Duration = Duration::from_millis(20);
/// After the window closes, connections start no new request later than this (so the last
/// tick's transactions, released at the close, are still sent).
const SEND_GRACE: Duration = Duration::from_millis(50);
/// Shortest load window for which a committed TPS is printed.
pub(crate) const MIN_TPS_WINDOW: Duration = Duration::from_secs(2);
/// Fewest blocks (with load transactions) committed in the window for a TPS to be printed.
pub(crate) const MIN_TPS_BLOCKS: usize = 3;

/// One signed transaction: a binary batch frame (native) or EIP-2718 bytes (Ethereum), and the
/// index of its sending account.
pub(crate) struct Prepared {
    pub(crate) bytes: Vec<u8>,
    pub(crate) account: usize,
}

/// How signed transactions reach the node.
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

/// Signs one transaction: `(account index, nonce)` → submission bytes.
pub(crate) type MakeTx = Arc<dyn Fn(usize, u64) -> Result<Vec<u8>, String> + Send + Sync>;

/// What to offer.
#[derive(Clone, Debug)]
pub(crate) struct LoadPlan {
    /// Length of the load window.
    pub(crate) duration: Duration,
    /// Offered transactions per second (a cap: fewer if signing falls behind).
    pub(crate) rate: u64,
    /// Most transactions per request.
    pub(crate) batch: usize,
    /// Concurrent connections.
    pub(crate) connections: usize,
    /// How long to wait after the load for accepted transactions to commit.
    pub(crate) drain_timeout: Duration,
}

impl LoadPlan {
    /// Checks the numbers (all positive) and builds the plan.
    pub(crate) fn new(
        duration_s: u64,
        rate: u64,
        batch: usize,
        connections: usize,
        drain_timeout_s: u64,
    ) -> anyhow::Result<Self> {
        if duration_s == 0 || rate == 0 || batch == 0 || connections == 0 {
            return Err(anyhow!("--duration, --rate, --batch and --connections must be positive"));
        }
        duration_s
            .checked_mul(rate)
            .filter(|t| *t <= 100_000_000)
            .ok_or_else(|| anyhow!("--rate × --duration is more than 100,000,000 transactions"))?;
        Ok(Self {
            duration: Duration::from_secs(duration_s),
            rate,
            batch,
            connections,
            drain_timeout: Duration::from_secs(drain_timeout_s),
        })
    }

    /// Transactions planned: `rate × duration`.
    pub(crate) fn total(&self) -> u64 {
        self.rate * self.duration.as_secs()
    }

    /// Accounts that send at least one transaction, of `accounts`.
    pub(crate) fn used_accounts(&self, accounts: usize) -> usize {
        accounts.min(usize::try_from(self.total()).unwrap_or(usize::MAX)).max(1)
    }

    /// Most transactions one of `accounts` (used) accounts sends.
    pub(crate) fn per_account(&self, accounts: usize) -> u64 {
        self.total().div_ceil(accounts.max(1) as u64)
    }
}

/// Transactions due `elapsed` into the load.
fn due(rate: u64, elapsed: Duration, total: u64) -> u64 {
    let n = u128::from(rate) * elapsed.as_micros() / 1_000_000;
    u64::try_from(n).unwrap_or(u64::MAX).min(total)
}

/// Signs the planned transactions in order, chunk by chunk, into `out` (stops early when the
/// receiver is gone: the load ended).
fn produce(
    total: u64,
    start_nonces: &[u64],
    make: &MakeTx,
    out: mpsc::Sender<Vec<Prepared>>,
    signed: &AtomicU64,
) -> Result<(), String> {
    let accounts = start_nonces.len() as u64;
    let mut k0 = 0;
    while k0 < total {
        let k1 = (k0 + CHUNK).min(total);
        let chunk: Result<Vec<Prepared>, String> = (k0..k1)
            .into_par_iter()
            .map(|k| {
                let account = (k % accounts) as usize;
                let nonce = start_nonces[account] + k / accounts;
                make(account, nonce).map(|bytes| Prepared { bytes, account })
            })
            .collect();
        let chunk = chunk?;
        if out.blocking_send(chunk).is_err() {
            return Ok(());
        }
        signed.fetch_add(k1 - k0, Ordering::Relaxed);
        k0 = k1;
    }
    Ok(())
}

/// Results of one measured load.
pub(crate) struct LoadReport {
    planned: u64,
    rate: u64,
    /// Sent to the node (at least once).
    offered: u64,
    /// Planned but never released: signing fell behind.
    unsigned: u64,
    /// Released but not sent when the window closed: the node took requests more slowly.
    backlog: u64,
    accepted: usize,
    refused: u64,
    presigned: u64,
    signing_seconds: f64,
    load_seconds: f64,
    committed_in_window: usize,
    blocks_in_window: usize,
    committed: usize,
    drain_seconds: f64,
    drain_timed_out: bool,
    /// Committed transactions per second over the load window, or why none is given.
    tps: Result<f64, String>,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    first_error: Option<String>,
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Why a load window is too short for a TPS to mean anything, if it is.
pub(crate) fn too_short(window: Duration) -> Option<String> {
    (window < MIN_TPS_WINDOW).then(|| {
        format!(
            "the load window ({:.2} s) is shorter than {} s; run with --duration {} or more",
            window.as_secs_f64(),
            MIN_TPS_WINDOW.as_secs(),
            MIN_TPS_WINDOW.as_secs()
        )
    })
}

/// The committed TPS of a load window, or why it would mean nothing.
pub(crate) fn window_tps(committed: usize, blocks: usize, window: Duration) -> Result<f64, String> {
    if let Some(why) = too_short(window) {
        return Err(why);
    }
    if blocks < MIN_TPS_BLOCKS {
        return Err(format!(
            "only {blocks} block(s) with load transactions committed during the load window (fewer than \
             {MIN_TPS_BLOCKS}); run longer or with a shorter block time"
        ));
    }
    Ok(committed as f64 / window.as_secs_f64())
}

impl LoadReport {
    /// Prints the report (with `extra` facts in the JSON form); exit code 1 if nothing committed.
    pub(crate) fn print(&self, cli: &Cli, extra: serde_json::Value) -> anyhow::Result<i32> {
        if let Some(e) = &self.first_error {
            eprintln!("note: first error seen: {e}");
        }
        let not_admitted = self.offered.saturating_sub(self.accepted as u64 + self.refused);
        let offered_rate = self.offered as f64 / self.load_seconds.max(0.001);
        let mut summary = json!({
            "planned": self.planned,
            "rate_cap": self.rate,
            "offered": self.offered,
            "offered_rate": offered_rate.round(),
            "not_offered_signing_behind": self.unsigned,
            "not_offered_node_behind": self.backlog,
            "accepted": self.accepted,
            "refused": self.refused,
            "not_admitted": not_admitted,
            "presigned": self.presigned,
            "signing_seconds": self.signing_seconds,
            "load_seconds": self.load_seconds,
            "committed_in_window": self.committed_in_window,
            "blocks_in_window": self.blocks_in_window,
            "committed": self.committed,
            "drain_seconds": self.drain_seconds,
            "drain_timed_out": self.drain_timed_out,
            "tps": self.tps.as_ref().ok().map(|t| t.round()),
            "tps_withheld": self.tps.as_ref().err(),
            "latency_p50_ms": self.p50.as_millis(),
            "latency_p90_ms": self.p90.as_millis(),
            "latency_p99_ms": self.p99.as_millis(),
        });
        if let (Some(s), Some(e)) = (summary.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        if cli.json {
            println!("{summary}");
            return Ok(if self.committed == 0 { 1 } else { 0 });
        }
        println!(
            "offered    {} transactions in {:.2} s ({offered_rate:.0} tx/s; cap --rate {}, planned {})",
            self.offered, self.load_seconds, self.rate, self.planned
        );
        if self.backlog > 0 {
            println!(
                "           {} not offered: the node took requests more slowly than --rate (the rest waited \
                 at the generator when the window closed)",
                self.backlog
            );
        }
        if self.unsigned > 0 {
            println!("           {} not offered: signing fell behind --rate", self.unsigned);
        }
        println!(
            "accepted   {} (refused {}, not admitted before the window closed {not_admitted})",
            self.accepted, self.refused
        );
        println!(
            "committed  {} during the load window ({} blocks), {} in all; drain after the load {:.2} s{}",
            self.committed_in_window,
            self.blocks_in_window,
            self.committed,
            self.drain_seconds,
            if self.drain_timed_out { " (timed out: some accepted transactions did not commit)" } else { "" }
        );
        match &self.tps {
            Ok(tps) => println!("committed TPS {tps:.0} over the {:.2} s load window", self.load_seconds),
            Err(why) => println!("committed TPS not reported: {why}"),
        }
        println!(
            "submit-to-commit latency p50 {} ms, p90 {} ms, p99 {} ms",
            self.p50.as_millis(),
            self.p90.as_millis(),
            self.p99.as_millis()
        );
        Ok(if self.committed == 0 { 1 } else { 0 })
    }
}

/// Commit times of the transactions in blocks after `start_height`, by hash, and per block.
#[derive(Default)]
struct Commits {
    by_hash: HashMap<H256, Instant>,
    blocks: Vec<(Instant, Vec<H256>)>,
}

/// Follows committed blocks from `start_height` until `stop` is set.
fn spawn_tracker(
    client: Client,
    start_height: u64,
    commits: Arc<Mutex<Commits>>,
    count: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    pb: ProgressBar,
) -> tokio::task::JoinHandle<()> {
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
                let mut c = commits.lock().unwrap_or_else(|e| e.into_inner());
                for h in &b.transactions {
                    c.by_hash.insert(*h, now);
                }
                count.fetch_add(b.transactions.len() as u64, Ordering::Relaxed);
                c.blocks.push((now, b.transactions));
            }
            let n = count.load(Ordering::Relaxed);
            pb.set_message(format!(
                "height {height}, {n} committed, {:.0} tx/s",
                n as f64 / started.elapsed().as_secs_f64().max(0.001)
            ));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

/// Shared counters of the connections.
#[derive(Default)]
struct Submitted {
    /// Transactions sent at least once (in a request the node answered).
    sent: AtomicU64,
    accepted: Mutex<HashMap<H256, Instant>>,
    refused: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Submitted {
    fn error(&self, e: String) {
        self.first_error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
    }
}

/// One connection: sends what the pacer releases to it, in batches, until the pacer is done
/// and its queue is empty, starting no request after the window (plus [`SEND_GRACE`]).
/// Back-pressured transactions are sent again while the window is open; after it closes,
/// back-pressure or a failed request ends the connection.
async fn connection(
    path: SubmitPath,
    mut rx: mpsc::UnboundedReceiver<Prepared>,
    batch: usize,
    window_end: Instant,
    out: Arc<Submitted>,
) {
    let mut pending: VecDeque<Prepared> = VecDeque::new();
    // How many transactions at the front of `pending` were sent before (pushed back).
    let mut resends = 0usize;
    loop {
        while let Ok(p) = rx.try_recv() {
            pending.push_back(p);
        }
        if pending.is_empty() {
            match rx.recv().await {
                Some(p) => {
                    pending.push_back(p);
                    continue;
                }
                None => return,
            }
        }
        if Instant::now() >= window_end + SEND_GRACE {
            return;
        }
        let n = batch.min(pending.len());
        let chunk: Vec<Prepared> = pending.drain(..n).collect();
        let (resent, fresh) = (resends.min(n), n - resends.min(n));
        resends -= resent;
        let sent = Instant::now();
        let results = match path.submit(&chunk).await {
            Ok(r) => r,
            Err(e) => {
                out.error(e);
                if Instant::now() >= window_end {
                    return;
                }
                for p in chunk.into_iter().rev() {
                    pending.push_front(p);
                }
                resends += resent;
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        out.sent.fetch_add(fresh as u64, Ordering::Relaxed);
        let mut retry = Vec::new();
        {
            let mut acc = out.accepted.lock().unwrap_or_else(|e| e.into_inner());
            for (p, r) in chunk.into_iter().zip(results) {
                match r {
                    Admission::Accepted(hash) => {
                        acc.insert(hash, sent);
                    }
                    Admission::Retry => retry.push(p),
                    Admission::Refused(e) => {
                        out.refused.fetch_add(1, Ordering::Relaxed);
                        out.error(e);
                    }
                }
            }
        }
        if !retry.is_empty() {
            if Instant::now() >= window_end {
                return;
            }
            resends += retry.len();
            for p in retry.into_iter().rev() {
                pending.push_front(p);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Offers `plan` (transactions made by `make` from accounts with `start_nonces`) through
/// `path`, follows committed blocks from `start_height`, and measures (see the module docs).
pub(crate) async fn run_load(
    client: &Client,
    path: &SubmitPath,
    plan: &LoadPlan,
    start_nonces: Vec<u64>,
    make: MakeTx,
    start_height: u64,
) -> anyhow::Result<LoadReport> {
    if start_nonces.is_empty() {
        return Err(anyhow!("no sending accounts"));
    }
    let total = plan.total();
    let signed = Arc::new(AtomicU64::new(0));
    let buffer_chunks = usize::try_from(PRESIGN_LIMIT.div_ceil(CHUNK)).unwrap_or(1).max(1);
    let (chunks_tx, chunks_rx) = mpsc::channel::<Vec<Prepared>>(buffer_chunks);
    let producer = {
        let signed = signed.clone();
        tokio::task::spawn_blocking(move || produce(total, &start_nonces, &make, chunks_tx, &signed))
    };

    // Sign ahead: everything, or as much as the buffer holds, before the clock starts.
    let presign_target = total.min(buffer_chunks as u64 * CHUNK);
    let signing = Instant::now();
    let pb = ProgressBar::new(presign_target);
    pb.set_style(
        ProgressStyle::with_template("signing {bar:40} {pos}/{len} txs ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    while signed.load(Ordering::Relaxed) < presign_target && !producer.is_finished() {
        pb.set_position(signed.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pb.finish_and_clear();
    let mut producer = Some(producer);
    if let Some(p) = producer.take_if(|p| p.is_finished()) {
        // Everything is signed (the channel holds it all), or signing failed.
        p.await?.map_err(|e| anyhow!("signing the load: {e}"))?;
    }
    let presigned = signed.load(Ordering::Relaxed);
    let mut report =
        run_window(client, path, plan, chunks_rx, total, presigned, signing.elapsed(), start_height).await?;
    if let Some(p) = producer {
        if let Err(e) = p.await? {
            report.first_error.get_or_insert(format!("signing the load: {e}"));
        }
    }
    Ok(report)
}

/// The measured part: pacing, connections, block tracking, drain.
#[allow(clippy::too_many_arguments)]
async fn run_window(
    client: &Client,
    path: &SubmitPath,
    plan: &LoadPlan,
    mut chunks: mpsc::Receiver<Vec<Prepared>>,
    total: u64,
    presigned: u64,
    signing_time: Duration,
    start_height: u64,
) -> anyhow::Result<LoadReport> {
    eprintln!(
        "signed {presigned} of {total} transactions ahead in {:.1} s; offering up to {} tx/s for {} s over {} connections…",
        signing_time.as_secs_f64(),
        plan.rate,
        plan.duration.as_secs(),
        plan.connections
    );
    let commits = Arc::new(Mutex::new(Commits::default()));
    let commit_count = Arc::new(AtomicU64::new(0));
    let stop_tracking = Arc::new(AtomicBool::new(false));
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    let tracker = spawn_tracker(
        client.clone(),
        start_height,
        commits.clone(),
        commit_count.clone(),
        stop_tracking.clone(),
        pb.clone(),
    );

    let out = Arc::new(Submitted::default());
    let t0 = Instant::now();
    let window_end = t0 + plan.duration;
    let mut senders = Vec::with_capacity(plan.connections);
    let mut workers = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let (tx, rx) = mpsc::unbounded_channel();
        senders.push(tx);
        workers.push(tokio::spawn(connection(path.clone(), rx, plan.batch, window_end, out.clone())));
    }

    // The pacer: transaction k is released k / rate seconds after t0.
    let mut released = 0u64;
    let mut buf: VecDeque<Prepared> = VecDeque::new();
    loop {
        let now = Instant::now();
        let target = due(plan.rate, now.min(window_end).duration_since(t0), total);
        while released < target {
            if buf.is_empty() {
                match chunks.try_recv() {
                    Ok(c) => buf.extend(c),
                    Err(_) => break, // signing is behind (or failed): offer what there is
                }
            }
            let Some(p) = buf.pop_front() else { break };
            // A closed connection (it gave up after the window) just drops the transaction.
            let _ = senders[p.account % senders.len()].send(p);
            released += 1;
        }
        if now >= window_end {
            break;
        }
        tokio::time::sleep_until((now + TICK).min(window_end).into()).await;
    }
    drop(chunks); // stops the signer
    drop(senders);
    for w in workers {
        let _ = w.await;
    }
    let load_end = Instant::now();

    // Drain: wait (bounded) until everything accepted is committed.
    let mut uncommitted: Vec<H256> = out.accepted.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect();
    let drain_deadline = load_end + plan.drain_timeout;
    let drain_timed_out = loop {
        {
            let c = commits.lock().unwrap_or_else(|e| e.into_inner());
            uncommitted.retain(|h| !c.by_hash.contains_key(h));
        }
        if uncommitted.is_empty() {
            break false;
        }
        if Instant::now() > drain_deadline {
            break true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let drain_end = Instant::now();
    stop_tracking.store(true, Ordering::Relaxed);
    let _ = tracker.await;
    pb.finish_and_clear();

    let accepted = std::mem::take(&mut *out.accepted.lock().unwrap_or_else(|e| e.into_inner()));
    let commits = std::mem::take(&mut *commits.lock().unwrap_or_else(|e| e.into_inner()));
    let mut latencies = Vec::with_capacity(accepted.len());
    let mut in_window = 0usize;
    for (h, sent) in &accepted {
        if let Some(c) = commits.by_hash.get(h) {
            latencies.push(c.saturating_duration_since(*sent));
            if *c <= load_end {
                in_window += 1;
            }
        }
    }
    let blocks_in_window = commits
        .blocks
        .iter()
        .filter(|(at, txs)| *at <= load_end && txs.iter().any(|h| accepted.contains_key(h)))
        .count();
    latencies.sort();
    let window = load_end.duration_since(t0);
    let first_error = out.first_error.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let offered = out.sent.load(Ordering::Relaxed);
    Ok(LoadReport {
        planned: total,
        rate: plan.rate,
        offered,
        unsigned: total - released,
        backlog: released.saturating_sub(offered),
        accepted: accepted.len(),
        refused: out.refused.load(Ordering::Relaxed),
        presigned,
        signing_seconds: signing_time.as_secs_f64(),
        load_seconds: window.as_secs_f64(),
        committed_in_window: in_window,
        blocks_in_window,
        committed: latencies.len(),
        drain_seconds: drain_end.duration_since(load_end).as_secs_f64(),
        drain_timed_out,
        tps: window_tps(in_window, blocks_in_window, window),
        p50: percentile(&latencies, 0.50),
        p90: percentile(&latencies, 0.90),
        p99: percentile(&latencies, 0.99),
        first_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_follows_the_rate_and_stops_at_the_total() {
        assert_eq!(due(5000, Duration::ZERO, 50_000), 0);
        assert_eq!(due(5000, Duration::from_millis(20), 50_000), 100);
        assert_eq!(due(5000, Duration::from_secs(10), 50_000), 50_000);
        assert_eq!(due(5000, Duration::from_secs(11), 50_000), 50_000);
        assert_eq!(due(3, Duration::from_millis(500), 100), 1);
    }

    #[test]
    fn plan_counts() {
        let p = LoadPlan::new(10, 5000, 1000, 8, 60).unwrap();
        assert_eq!(p.total(), 50_000);
        assert_eq!(p.used_accounts(2000), 2000);
        assert_eq!(p.per_account(2000), 25);
        let small = LoadPlan::new(2, 100, 1000, 8, 60).unwrap();
        assert_eq!(small.used_accounts(2000), 200);
        assert_eq!(small.per_account(200), 1);
        assert!(LoadPlan::new(0, 5000, 1000, 8, 60).is_err());
        assert!(LoadPlan::new(10, 0, 1000, 8, 60).is_err());
        assert!(LoadPlan::new(u64::MAX, 2, 1000, 8, 60).is_err());
    }

    #[test]
    fn tps_is_withheld_for_short_windows_and_few_blocks() {
        let short = window_tps(900, 5, Duration::from_millis(210));
        assert!(short.unwrap_err().contains("shorter than 2 s"));
        let few = window_tps(900, 2, Duration::from_secs(3));
        assert!(few.unwrap_err().contains("only 2 block(s)"));
        let ok = window_tps(50_000, 50, Duration::from_secs(10)).unwrap();
        assert!((ok - 5000.0).abs() < 1e-9);
    }

    #[test]
    fn producer_plans_round_robin_nonces_in_order() {
        let make: MakeTx = Arc::new(|a, n| Ok(vec![a as u8, n as u8]));
        let (tx, mut rx) = mpsc::channel(16);
        let signed = AtomicU64::new(0);
        produce(7, &[10, 20, 30], &make, tx, &signed).unwrap();
        let mut all = Vec::new();
        while let Ok(c) = rx.try_recv() {
            all.extend(c);
        }
        let got: Vec<(usize, Vec<u8>)> = all.into_iter().map(|p| (p.account, p.bytes)).collect();
        assert_eq!(
            got,
            vec![
                (0, vec![0, 10]),
                (1, vec![1, 20]),
                (2, vec![2, 30]),
                (0, vec![0, 11]),
                (1, vec![1, 21]),
                (2, vec![2, 31]),
                (0, vec![0, 12])
            ]
        );
        assert_eq!(signed.load(Ordering::Relaxed), 7);
    }
}
