//! `hechain bench consensus`: ordering throughput of opaque transactions, without execution.
//!
//! This is the setting of the HotStuff research prototype: `n` validators in this process,
//! each with its own Ed25519/SM2 key, its own HotStuff core (the same `hechain_consensus::hotstuff`
//! state machine the node runs), its own safety file (fsynced before every vote) and its own
//! mutual-TLS transport on 127.0.0.1 (the same `hechain_network` the node uses, with per-org CA
//! certificates). Client load arrives at every validator at `rate / n` transactions per second;
//! each transaction is `--tx-size` opaque bytes stamped with its creation time.
//!
//! Dissemination is separate from ordering (as in Narwhal-style mempools): a validator packs its
//! clients' transactions into batches (at most `--batch-bytes`, or every 10 ms) and sends each
//! batch once to every other validator; a leader proposes the digests of batches it holds that
//! are not yet in a proposal; a replica votes only when it holds every batch a proposal names.
//! Latency is measured at validator 0, from a transaction's creation to the commit of the block
//! that orders its batch.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use borsh::{BorshDeserialize, BorshSerialize};
use clap::Args;
use hechain_consensus::hotstuff::{
    Action, BlockId, Config, Core, Input, Message, Proposal, TimeoutMsg, ValidatorSet, Vote,
};
use hechain_crypto::{NodeKey, Suite};
use hechain_network::{Limits, NetConfig, OrgCa, Transport};
use hechain_node::bft::journal::BlockJournal;
use hechain_node::bft::safety::SafetyFile;
use hechain_types::H256;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::output::emit;
use crate::Cli;

#[derive(Args, Debug)]
pub struct ConsensusArgs {
    /// Number of validators.
    #[arg(long, default_value_t = 4)]
    pub validators: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Offered transactions per second (all validators together).
    #[arg(long, default_value_t = 60_000)]
    pub rate: u64,
    /// Bytes per transaction.
    #[arg(long, default_value_t = 512)]
    pub tx_size: usize,
    /// Largest batch, in bytes.
    #[arg(long, default_value_t = 500_000)]
    pub batch_bytes: usize,
    /// Shortest time between proposals, ms.
    #[arg(long, default_value_t = 100)]
    pub block_time: u64,
    /// Base round timeout, ms.
    #[arg(long, default_value_t = 2_000)]
    pub base_timeout: u64,
    /// Signature suite of the validators.
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
}

#[derive(BorshSerialize, BorshDeserialize)]
enum BMsg {
    Proposal {
        proposal: Proposal,
        batches: Vec<H256>,
    },
    Vote(Vote),
    Timeout(TimeoutMsg),
    BlockRequest(BlockId),
    BlockResponse {
        proposal: Proposal,
        batches: Vec<H256>,
    },
    Batch(Vec<u8>),
    /// Asks the proposer for batches a proposal names that this validator does not hold (a
    /// batch frame can be dropped by a full per-peer queue).
    FetchBatches(Vec<H256>),
}

/// What validator 0 records of committed transactions: their count and latencies.
struct Stats {
    committed: AtomicU64,
    latencies_us: std::sync::Mutex<Vec<u64>>,
}

fn digest_list(suite: Suite, batches: &[H256]) -> H256 {
    let mut parts: Vec<&[u8]> = vec![b"hechain/bench/batches\0"];
    parts.extend(batches.iter().map(|b| &b.as_bytes()[..]));
    H256(suite.hash_parts(&parts))
}

pub async fn run(cli: &Cli, a: &ConsensusArgs) -> anyhow::Result<i32> {
    anyhow::ensure!(a.validators >= 1 && a.tx_size >= 16 && a.rate > 0 && a.duration > 0, "bad arguments");
    let n = a.validators;
    let suite = a.suite;
    let dir = tempfile::Builder::new().prefix("hechain-bench-consensus-").tempdir()?;
    let keys: Vec<NodeKey> = (0..n).map(|_| NodeKey::generate(suite)).collect();
    let ca = OrgCa::generate("bench-org")?;
    let ids: Vec<Vec<u8>> = keys.iter().map(|k| k.public_key().as_bytes().to_vec()).collect();
    let vs = ValidatorSet {
        suite,
        chain_tag: H256(suite.hash(b"hechain bench consensus")),
        keys: keys.iter().map(|k| k.public_key()).collect(),
    };
    let mut transports = Vec::new();
    let mut inbounds = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let cert = ca.issue_node_cert(&format!("v{i}"), id)?;
        let cfg = NetConfig {
            listen_addr: "127.0.0.1:0".parse()?,
            cert_chain_pem: cert.cert_pem,
            key_pem: cert.key_pem,
            ca_certs_pem: vec![ca.cert_pem().to_string()],
            allowed_peers: ids.iter().filter(|x| *x != id).cloned().map(Into::into).collect(),
            limits: Limits { outbound_queue: 8192, inbound_queue: 8192, ..Limits::default() },
        };
        let (t, inbound) = Transport::bind(cfg).await?;
        transports.push(Arc::new(t));
        inbounds.push(inbound);
    }
    for i in 0..n {
        for j in (i + 1)..n {
            transports[i].connect(transports[j].local_addr()).await.context("connecting validators")?;
        }
    }
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stats = Arc::new(Stats { committed: AtomicU64::new(0), latencies_us: std::sync::Mutex::new(Vec::new()) });
    let epoch = Instant::now();
    let load_end = epoch + Duration::from_secs(a.duration);
    let stop_at = load_end + Duration::from_secs(5);
    let submitted = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (i, inbound) in inbounds.into_iter().enumerate() {
        let vdir = dir.path().join(format!("v{i}"));
        std::fs::create_dir_all(&vdir)?;
        let safety = SafetyFile::new(&vdir);
        let journal = BlockJournal::for_epoch(&vdir, 0);
        let core = Core::new(
            Config { validators: vs.clone(), me: i as u32, base_timeout_ms: a.base_timeout },
            keys[i].clone(),
            None,
        )?;
        let v = Validator {
            me: i,
            suite,
            vs: vs.clone(),
            core,
            safety,
            journal,
            transport: transports[i].clone(),
            ids: ids.clone(),
            batches: HashMap::new(),
            unproposed: VecDeque::new(),
            proposed: HashSet::new(),
            block_batches: BTreeMap::new(),
            waiting: Vec::new(),
            timer: None,
            want: None,
            pending_list: None,
            last_proposal: epoch,
            block_time: Duration::from_millis(a.block_time),
            stats: (i == 0).then(|| stats.clone()),
            done: done.clone(),
            epoch,
        };
        let gen = Generator {
            rate: a.rate / n as u64,
            tx_size: a.tx_size,
            batch_bytes: a.batch_bytes,
            epoch,
            load_end,
            submitted: submitted.clone(),
            seq: (i as u64) << 48,
            finished: finished.clone(),
            generators: n,
            is_finished: false,
        };
        tasks.push(tokio::spawn(v.run(inbound, gen, stop_at)));
    }
    eprintln!(
        "{n} validators on 127.0.0.1 (mutual TLS, {} signatures, fsynced safety state); offering {} tx/s of {} bytes for {} s…",
        suite, a.rate, a.tx_size, a.duration
    );
    for t in tasks {
        t.await?;
    }
    for t in &transports {
        t.shutdown();
    }
    let committed = stats.committed.load(Ordering::Relaxed);
    let offered = submitted.load(Ordering::Relaxed);
    let mut lat = std::mem::take(&mut *stats.latencies_us.lock().unwrap_or_else(|e| e.into_inner()));
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
        lat[i] as f64 / 1000.0
    };
    // Withheld for a window too short to mean a rate.
    let tps = match crate::bench_load::too_short(Duration::from_secs(a.duration)) {
        None => Ok(committed as f64 / a.duration as f64),
        Some(why) => Err(why),
    };
    let (p50, p99) = (pct(0.5), pct(0.99));
    emit(
        cli.json,
        &json!({"validators": n, "suite": suite.to_string(), "tx_size": a.tx_size, "rate_cap": a.rate,
                "offered": offered, "committed": committed, "duration_s": a.duration,
                "tps": tps.as_ref().ok().map(|t| t.round()), "tps_withheld": tps.as_ref().err(),
                "p50_ms": p50, "p99_ms": p99}),
        || {
            let tps = match &tps {
                Ok(t) => format!("consensus-only throughput {t:.0} tx/s"),
                Err(why) => format!("consensus-only throughput not reported: {why}"),
            };
            format!(
                "offered {offered} (cap --rate {}), committed {committed} (created during the {} s load window)\n{tps}, creation-to-commit latency p50 {p50:.0} ms, p99 {p99:.0} ms",
                a.rate, a.duration
            )
        },
    );
    Ok(0)
}

struct Generator {
    rate: u64,
    tx_size: usize,
    batch_bytes: usize,
    epoch: Instant,
    load_end: Instant,
    submitted: Arc<AtomicU64>,
    seq: u64,
    /// Generators that have made their last transaction (all are done once this reaches
    /// `generators`), and whether this one has.
    finished: Arc<std::sync::atomic::AtomicUsize>,
    generators: usize,
    is_finished: bool,
}

impl Generator {
    /// Transactions due since `made` (the number created so far), packed into batches.
    fn due(&mut self, made: &mut u64, out: &mut Vec<Vec<u8>>) {
        let now = Instant::now().min(self.load_end);
        let elapsed_us = now.duration_since(self.epoch).as_micros() as u64;
        let target = elapsed_us * self.rate / 1_000_000;
        let per_batch = (self.batch_bytes / self.tx_size).max(1) as u64;
        while *made < target {
            let k = (target - *made).min(per_batch);
            let mut b = Vec::with_capacity(8 + k as usize * self.tx_size);
            b.extend_from_slice(&k.to_be_bytes());
            for _ in 0..k {
                let mut tx = vec![0u8; self.tx_size];
                tx[..8].copy_from_slice(&elapsed_us.to_be_bytes());
                tx[8..16].copy_from_slice(&self.seq.to_be_bytes());
                self.seq += 1;
                b.extend_from_slice(&tx);
            }
            *made += k;
            self.submitted.fetch_add(k, Ordering::SeqCst);
            out.push(b);
        }
        // Past the load window this call made the last transactions due.
        if now == self.load_end && !self.is_finished {
            self.is_finished = true;
            self.finished.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Whether every generator has made its last transaction, so `submitted` is final.
    fn all_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst) >= self.generators
    }
}

struct Validator {
    me: usize,
    suite: Suite,
    vs: ValidatorSet,
    core: Core,
    safety: SafetyFile,
    journal: BlockJournal,
    transport: Arc<Transport>,
    ids: Vec<Vec<u8>>,
    batches: HashMap<H256, Arc<Vec<u8>>>,
    unproposed: VecDeque<H256>,
    proposed: HashSet<H256>,
    block_batches: BTreeMap<BlockId, Vec<H256>>,
    waiting: Vec<(u32, Proposal, Vec<H256>, bool)>,
    timer: Option<(u64, Instant)>,
    want: Option<u64>,
    pending_list: Option<Vec<H256>>,
    last_proposal: Instant,
    block_time: Duration,
    stats: Option<Arc<Stats>>,
    done: Arc<std::sync::atomic::AtomicBool>,
    epoch: Instant,
}

impl Validator {
    async fn run(
        mut self,
        mut inbound: mpsc::Receiver<hechain_network::Inbound>,
        mut gen: Generator,
        stop_at: Instant,
    ) {
        let mut made = 0u64;
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let actions = self.core.start();
        self.act(actions);
        while Instant::now() < stop_at {
            // Stop early once validator 0 has seen every offered transaction committed (only
            // after every generator made its last one: until then `submitted` can still grow).
            if Instant::now() > gen.load_end {
                if let Some(stats) = &self.stats {
                    if gen.all_finished()
                        && stats.committed.load(Ordering::Relaxed) >= gen.submitted.load(Ordering::SeqCst)
                    {
                        self.done.store(true, Ordering::Relaxed);
                    }
                }
                if self.done.load(Ordering::Relaxed) {
                    break;
                }
            }
            let deadline = self.timer.map(|t| t.1).unwrap_or(stop_at).min(stop_at);
            tokio::select! {
                m = inbound.recv() => {
                    let Some(m) = m else { break };
                    let Some(from) = self.ids.iter().position(|i| *i == m.peer_id) else { continue };
                    match BMsg::try_from_slice(&m.bytes) {
                        Ok(msg) => self.on_msg(from as u32, msg),
                        Err(e) => eprintln!("validator {}: bad frame: {e}", self.me),
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    if let Some((round, at)) = self.timer {
                        if Instant::now() >= at {
                            self.timer = None;
                            self.input(Input::Timeout { round });
                        }
                    }
                }
                _ = tick.tick() => {
                    let mut fresh = Vec::new();
                    gen.due(&mut made, &mut fresh);
                    for b in fresh {
                        self.send(None, &BMsg::Batch(b.clone()));
                        self.add_batch(b);
                    }
                    self.maybe_propose();
                }
            }
        }
    }

    fn add_batch(&mut self, b: Vec<u8>) {
        let d = H256(self.suite.hash(&b));
        if self.batches.insert(d, Arc::new(b)).is_none() && !self.proposed.contains(&d) {
            self.unproposed.push_back(d);
        }
        // Proposals that waited for this batch.
        let waiting = std::mem::take(&mut self.waiting);
        for (from, p, list, resp) in waiting {
            self.on_proposal(from, p, list, resp);
        }
    }

    fn on_msg(&mut self, from: u32, msg: BMsg) {
        match msg {
            BMsg::Batch(b) => self.add_batch(b),
            BMsg::Proposal { proposal, batches } => self.on_proposal(from, proposal, batches, false),
            BMsg::BlockResponse { proposal, batches } => self.on_proposal(from, proposal, batches, true),
            BMsg::Vote(v) => self.input(Input::Message { from, msg: Message::Vote(v) }),
            BMsg::Timeout(t) => self.input(Input::Message { from, msg: Message::Timeout(Box::new(t)) }),
            BMsg::BlockRequest(id) => self.input(Input::Message { from, msg: Message::BlockRequest(id) }),
            BMsg::FetchBatches(digests) => {
                for d in digests {
                    if let Some(b) = self.batches.get(&d) {
                        self.send(Some(from), &BMsg::Batch(b.to_vec()));
                    }
                }
            }
        }
    }

    fn on_proposal(&mut self, from: u32, p: Proposal, list: Vec<H256>, response: bool) {
        if digest_list(self.suite, &list) != p.block.payload_digest {
            eprintln!("validator {}: proposal digest mismatch", self.me);
            return;
        }
        let missing: Vec<H256> = list.iter().filter(|d| !self.batches.contains_key(*d)).copied().collect();
        if !missing.is_empty() {
            self.send(Some(from), &BMsg::FetchBatches(missing));
            self.waiting.push((from, p, list, response));
            return;
        }
        for d in &list {
            self.proposed.insert(*d);
        }
        let id = self.vs.block_id(&p.block);
        self.block_batches.insert(id, list);
        let msg = if response { Message::BlockResponse(Box::new(p)) } else { Message::Proposal(Box::new(p)) };
        self.input(Input::Message { from, msg });
    }

    fn input(&mut self, i: Input) {
        if let Ok(actions) = self.core.handle(i) {
            self.act(actions);
        }
    }

    fn maybe_propose(&mut self) {
        let Some(round) = self.want else { return };
        if self.last_proposal.elapsed() < self.block_time {
            return;
        }
        self.unproposed.retain(|d| !self.proposed.contains(d));
        let list: Vec<H256> = self.unproposed.iter().take(256).copied().collect();
        let digest = digest_list(self.suite, &list);
        for d in &list {
            self.proposed.insert(*d);
        }
        self.pending_list = Some(list);
        self.want = None;
        self.last_proposal = Instant::now();
        self.input(Input::Payload { round, digest });
    }

    fn send(&self, to: Option<u32>, m: &BMsg) {
        let frame: Arc<[u8]> = borsh::to_vec(m).unwrap_or_default().into();
        match to {
            Some(t) => {
                let _ = self.transport.send(&self.ids[t as usize], frame);
            }
            None => {
                for (j, id) in self.ids.iter().enumerate() {
                    if j != self.me {
                        let _ = self.transport.send(id, frame.clone());
                    }
                }
            }
        }
    }

    fn act(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::PersistBlock(p) => {
                    // As the node does: the block (its payload here is the batch digests, which
                    // the proposal's digest covers) is durable before the vote.
                    let id = self.vs.block_id(&p.block);
                    let batches = self.block_batches.get(&id).or(self.pending_list.as_ref());
                    let payload = borsh::to_vec(&batches.cloned().unwrap_or_default()).unwrap_or_default();
                    if let Err(e) = self.journal.save(&id, &p, &payload) {
                        eprintln!("validator {}: cannot journal a block: {e}", self.me);
                        return;
                    }
                }
                Action::PersistSafety(s) => {
                    if let Err(e) = self.safety.save(&s) {
                        eprintln!("validator {}: cannot persist safety state: {e}", self.me);
                        return;
                    }
                }
                Action::Broadcast(Message::Proposal(p)) => {
                    let list = self.pending_list.take().unwrap_or_default();
                    self.block_batches.insert(self.vs.block_id(&p.block), list.clone());
                    self.send(None, &BMsg::Proposal { proposal: *p, batches: list });
                }
                Action::Broadcast(m) => {
                    if let Some(b) = self.to_bmsg(m) {
                        self.send(None, &b);
                    }
                }
                Action::Send { to, msg } => {
                    if let Some(b) = self.to_bmsg(msg) {
                        self.send(Some(to), &b);
                    }
                }
                Action::Commit(ids) => self.on_commit(ids),
                Action::ScheduleTimeout { round, duration_ms } => {
                    self.timer = Some((round, Instant::now() + Duration::from_millis(duration_ms)));
                }
                Action::RequestPayload { round } => {
                    self.want = Some(round);
                    self.maybe_propose();
                }
            }
        }
    }

    fn to_bmsg(&self, m: Message) -> Option<BMsg> {
        Some(match m {
            Message::Vote(v) => BMsg::Vote(v),
            Message::Timeout(t) => BMsg::Timeout(*t),
            Message::BlockRequest(id) => BMsg::BlockRequest(id),
            Message::BlockResponse(p) => {
                let batches = self.block_batches.get(&self.vs.block_id(&p.block)).cloned().unwrap_or_default();
                BMsg::BlockResponse { proposal: *p, batches }
            }
            Message::Proposal(_) => return None,
        })
    }

    fn on_commit(&mut self, ids: Vec<BlockId>) {
        let now_us = Instant::now().duration_since(self.epoch).as_micros() as u64;
        for id in ids {
            let Some(list) = self.block_batches.remove(&id) else { continue };
            for d in list {
                let Some(b) = self.batches.remove(&d) else { continue };
                if let Some(stats) = &self.stats {
                    let k = u64::from_be_bytes(b[..8].try_into().unwrap_or([0; 8]));
                    let created = u64::from_be_bytes(b[8..16].try_into().unwrap_or([0; 8]));
                    stats.committed.fetch_add(k, Ordering::Relaxed);
                    let mut l = stats.latencies_us.lock().unwrap_or_else(|e| e.into_inner());
                    for _ in 0..k {
                        l.push(now_us.saturating_sub(created));
                    }
                }
            }
        }
    }
}
