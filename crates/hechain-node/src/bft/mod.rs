//! The BFT driver: runs the sans-IO HotStuff core ([`hechain_consensus::hotstuff::Core`]) against
//! the real world — the mutual-TLS network, the pool, the executor thread, the clock and the disk.
//!
//! One tokio task owns all consensus state and reacts to one event at a time:
//!
//! * **Network frames** ([`wire::NetMsg`]): proposals (with their payload), votes, timeouts,
//!   block requests, gossiped transactions, seal signatures, status reports and catch-up sync.
//!   Decoding and checking large frames (payload transaction signatures) runs on blocking
//!   threads, and the result comes back as an event; a bad frame is logged and dropped.
//! * **Core actions**: `PersistSafety` is written to disk ([`safety::SafetyFile`]) before any
//!   later action runs, so no vote or timeout leaves the node before the state that justifies it
//!   is durable; sends go to the validators; `Commit` hands blocks, in order, to the executor
//!   thread ([`exec`]); timers and payload requests are armed here.
//! * **Executor events**: a stored block's header is signed and the signature broadcast
//!   (`SealSig`); `2f+1` matching signatures complete the block's seal, the quorum certificate
//!   that evidence certificates carry.
//!
//! Execution follows ordering: consensus commits payloads; every node executes them in order on
//! its own thread and signs the resulting header. Consensus never waits for execution.
//!
//! **Catch-up.** Every node reports `Status {height, round}` every second (and after each block).
//! A node that is behind (or that finds a gap in what consensus committed) asks a peer for
//! blocks with quorum seals, checks each seal against the genesis validators, re-executes the
//! block and requires the identical header before storing it. Its consensus core is then
//! re-anchored after the synced head. Observers run only this part: they never vote.
//!
//! **Batching.** A leader proposes at most every `block_interval`, with up to `max_block_txs`
//! ready transactions not already in an uncommitted proposal. With nothing to order it proposes
//! an empty block every `idle_block_interval`, which keeps rounds and leader rotation going
//! without timeouts.

mod exec;
pub mod safety;
pub mod wire;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hechain_consensus::hotstuff::{
    Action, BlockId, Config as CoreConfig, Core, HotStuffError, Input, Message, Proposal, SafetyState, ValidatorSet,
};
use hechain_crypto::{NodeKey, NodePublicKey, NodeSignature, Suite};
use hechain_mempool::{Mempool, StoreState};
use hechain_network::{Inbound, Limits, NetConfig, Transport};
use hechain_storage::Store;
use hechain_types::{Block, BlockHeader, ChainTx, Codec, CommittedBlock, Genesis, Seal, ValidatorSignature, H256};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use self::exec::{CheckedPayload, ExecEvent, ExecJob, Executor};
use self::safety::SafetyFile;
use self::wire::{BlockPayload, NetMsg};
use crate::NodeError;

/// A proposal's timestamp may be at most this far ahead of the local clock.
pub const MAX_CLOCK_DRIFT_MS: u64 = 10_000;
/// Blocks per sync response at most.
pub const SYNC_BATCH: u32 = 128;
/// Bytes of blocks per sync response at most (a block larger than this is sent alone).
pub const SYNC_BYTES: usize = 8 * 1024 * 1024;
/// A validator starts catch-up when a peer is this many blocks ahead (closer gaps are normally
/// closed by consensus itself within a round or two).
pub const SYNC_LAG: u64 = 3;
/// A stored block whose seal lacks a quorum this many blocks later is re-fetched from a peer.
const SEAL_REPAIR_LAG: u64 = 8;
/// The core is restarted after synced blocks only when its last commit is this many rounds behind.
const REANCHOR_GAP: u64 = 64;
/// Payloads of committed blocks are kept this many rounds to answer block requests.
const PAYLOAD_KEEP_ROUNDS: u64 = 32;
const HOUSEKEEPING: Duration = Duration::from_millis(10);
const STATUS_EVERY: Duration = Duration::from_secs(1);
const DIAL_EVERY: Duration = Duration::from_secs(1);
const SYNC_TIMEOUT: Duration = Duration::from_secs(3);
/// Frames larger than this are decoded on a blocking thread.
const INLINE_DECODE_BYTES: usize = 64 * 1024;

/// What a node does in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Votes and proposes; listed in the genesis validator set.
    Validator,
    /// Receives, verifies and serves every block; never votes. Listed in the genesis observers.
    Observer,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Validator => "validator",
            Role::Observer => "observer",
        })
    }
}

/// A peer to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerEntry {
    /// Operator name.
    pub name: String,
    /// Node id (public key bytes).
    pub id: Vec<u8>,
    /// Its network address.
    pub addr: SocketAddr,
}

/// Settings of a networked (BFT) node.
#[derive(Clone, Debug)]
pub struct BftSettings {
    /// Validator or observer.
    pub role: Role,
    /// Peer-to-peer listen address.
    pub listen_addr: SocketAddr,
    /// Known peers.
    pub peers: Vec<PeerEntry>,
    /// This node's TLS certificate (PEM), issued by its organisation's CA.
    pub tls_cert_pem: String,
    /// Its TLS private key (PEM).
    pub tls_key_pem: String,
    /// Base round timeout (doubles with consecutive timeouts, up to 64x).
    pub base_timeout_ms: u64,
    /// Shortest time between proposals (transactions arriving meanwhile are batched).
    pub block_interval: Duration,
    /// Time between empty blocks when there is nothing to order.
    pub idle_block_interval: Duration,
    /// Most transactions per block (capped by the genesis parameter).
    pub max_block_txs: usize,
    /// Most payload bytes per block.
    pub max_payload_bytes: usize,
    /// Transport limits.
    pub limits: Limits,
}

impl BftSettings {
    /// Defaults around the given identity and addresses.
    pub fn new(role: Role, listen_addr: SocketAddr, tls_cert_pem: String, tls_key_pem: String) -> Self {
        BftSettings {
            role,
            listen_addr,
            peers: Vec::new(),
            tls_cert_pem,
            tls_key_pem,
            base_timeout_ms: 2_000,
            block_interval: Duration::from_millis(200),
            idle_block_interval: Duration::from_millis(1_000),
            max_block_txs: 50_000,
            max_payload_bytes: 12 * 1024 * 1024,
            limits: Limits::default(),
        }
    }
}

/// What the node keeps of a running BFT driver.
pub(crate) struct BftHandles {
    pub p2p_addr: SocketAddr,
    pub status: watch::Receiver<serde_json::Value>,
    pub gossip: mpsc::Sender<Vec<ChainTx>>,
    pub tasks: Vec<JoinHandle<()>>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Everything the driver learns, in one queue.
enum Event {
    Decoded {
        from: Vec<u8>,
        msg: Box<NetMsg>,
    },
    Checked {
        from: Vec<u8>,
        proposal: Box<Proposal>,
        payload: Arc<CheckedPayload>,
        encoded: Arc<Vec<u8>>,
        response: bool,
    },
    Built {
        round: u64,
        payload: Arc<CheckedPayload>,
        encoded: Arc<Vec<u8>>,
    },
    Exec(ExecEvent),
    Dialed {
        id: Vec<u8>,
        result: Result<Vec<u8>, String>,
    },
}

type KnownPayload = (u64, Arc<CheckedPayload>, Option<Arc<Vec<u8>>>);

struct SealCollector {
    ours: Option<H256>,
    sigs: BTreeMap<u32, (H256, NodeSignature)>,
    done: bool,
    warned: bool,
}

struct PeerInfo {
    name: String,
    validator: Option<u32>,
    height: u64,
    round: u64,
}

struct Committed {
    id: BlockId,
    parent: BlockId,
    proposer: u32,
    payload: Option<Arc<CheckedPayload>>,
}

struct Want {
    round: u64,
    earliest: Instant,
    idle_deadline: Instant,
}

/// Shared, read-only context for payload checks on blocking threads.
struct CheckCtx {
    suite: Suite,
    mempool: Arc<Mempool>,
    store: Arc<Store>,
    vs: ValidatorSet,
    /// The node's own limit (the chain parameter in force may be lower).
    max_block_txs: usize,
    max_payload_bytes: usize,
}

impl CheckCtx {
    fn check(&self, proposal: &Proposal, bytes: &[u8]) -> Result<CheckedPayload, String> {
        let b = &proposal.block;
        let key = self.vs.key(b.proposer).ok_or("proposer index out of range")?;
        key.verify(self.suite, &self.vs.proposal_message(&self.vs.block_id(b)), &proposal.signature)
            .map_err(|_| "bad proposal signature".to_string())?;
        if bytes.len() > self.max_payload_bytes {
            return Err(format!("payload of {} bytes exceeds {}", bytes.len(), self.max_payload_bytes));
        }
        let p = BlockPayload::decode(bytes).map_err(|e| e.to_string())?;
        // The chain parameters in force at this node's last executed block (governance may have
        // changed them; a leader that has not executed the change yet may be refused once).
        let params = self.mempool.params();
        let max_txs = self.max_block_txs.min(params.max_block_txs as usize);
        if p.txs.len() > max_txs {
            return Err(format!("payload has {} transactions, the limit is {max_txs}", p.txs.len()));
        }
        if p.timestamp_ms > now_ms().saturating_add(MAX_CLOCK_DRIFT_MS) {
            return Err(format!("payload timestamp {} is too far in the future", p.timestamp_ms));
        }
        let declared_gas = p.txs.iter().fold(0u64, |g, t| g.saturating_add(t.gas_limit()));
        if declared_gas > params.block_gas_limit {
            return Err(format!(
                "payload declares {declared_gas} gas, the block gas limit is {}",
                params.block_gas_limit
            ));
        }
        let suite = self.suite;
        let txs: Vec<(H256, ChainTx)> = p.txs.into_par_iter().map(|t| (t.hash(suite), t)).collect();
        let hashes: Vec<H256> = txs.iter().map(|(h, _)| *h).collect();
        let digest = BlockPayload::digest(suite, p.timestamp_ms, &hashes);
        if digest != b.payload_digest {
            return Err("payload does not match the proposal's digest".into());
        }
        // Transactions already in the pool passed these checks on admission; the others are
        // checked now and then pooled, so that their gossiped copies are not verified again.
        // "Already in the pool" means the same sender too: an Ethereum transaction's hash does
        // not cover the sender it claims, and a leader must not swap it.
        let checked: Vec<Result<Option<hechain_mempool::Checked>, String>> = txs
            .par_iter()
            .map(|(h, t)| {
                if self.mempool.contains_tx(h, t) {
                    return Ok(None);
                }
                match self.mempool.check_stateless(t.clone()) {
                    Ok(c) => Ok(Some(c)),
                    // Committed already: execution skips it.
                    Err(hechain_mempool::AdmitError::Duplicate(_)) if self.mempool.recently_committed(h) => Ok(None),
                    // Pooled under another claimed sender: this copy must prove its own.
                    Err(hechain_mempool::AdmitError::Duplicate(_)) => {
                        t.verify(self.suite).map(|_| None).map_err(|e| format!("transaction {h}: {e}"))
                    }
                    Err(e) => Err(format!("transaction {h}: {e}")),
                }
            })
            .collect();
        let mut fresh = Vec::new();
        for c in checked {
            if let Some(c) = c? {
                fresh.push(Ok(c));
            }
        }
        if !fresh.is_empty() {
            let _ = self.mempool.insert_checked(fresh, &StoreState::new(&self.store));
        }
        Ok(CheckedPayload { timestamp_ms: p.timestamp_ms, txs, digest })
    }
}

struct Driver {
    genesis: Arc<Genesis>,
    genesis_hash: H256,
    suite: Suite,
    vs: ValidatorSet,
    role: Role,
    me: Option<u32>,
    my_id: Vec<u8>,
    key: NodeKey,
    settings: BftSettings,
    core: Option<Core>,
    safety: SafetyFile,
    transport: Arc<Transport>,
    peers: HashMap<Vec<u8>, PeerInfo>,
    validator_ids: Vec<Vec<u8>>,
    dial: Vec<PeerEntry>,
    dialing: HashSet<Vec<u8>>,
    store: Arc<Store>,
    mempool: Arc<Mempool>,
    check: Arc<CheckCtx>,
    exec_tx: std::sync::mpsc::Sender<ExecJob>,
    /// Blocks (committed or synced) handed to the executor and not yet processed by it.
    pending_blocks: Arc<AtomicU64>,
    events: mpsc::UnboundedSender<Event>,
    timer: Option<(u64, Instant)>,
    want: Option<Want>,
    building: bool,
    last_proposal_at: Instant,
    /// The payload of the proposal this node is making (set only while the core handles it).
    own_payload: Option<(Arc<CheckedPayload>, Arc<Vec<u8>>)>,
    /// Payloads of uncommitted and recently committed blocks: round, checked payload, encoded
    /// bytes (to answer block requests).
    payloads: BTreeMap<BlockId, KnownPayload>,
    inflight: BTreeMap<u64, Vec<H256>>,
    inflight_set: HashSet<H256>,
    queue: BTreeMap<u64, Committed>,
    last_dispatched: (u64, BlockId),
    head_height: u64,
    seals: BTreeMap<u64, SealCollector>,
    need_sync: bool,
    last_payload_request: Option<(BlockId, Instant)>,
    sync_inflight: Option<(Vec<u8>, Instant)>,
    last_status: Instant,
    last_dial: Instant,
    last_repair: Instant,
    status_tx: watch::Sender<serde_json::Value>,
}

/// Builds the validator set the HotStuff core uses from a genesis.
pub fn validator_set(genesis: &Genesis) -> Result<ValidatorSet, NodeError> {
    let keys = genesis
        .validator_keys()
        .map_err(|e| NodeError::BadFile { path: crate::GENESIS_FILE.into(), reason: e.to_string() })?;
    Ok(ValidatorSet { suite: genesis.suite(), chain_tag: genesis.hash(), keys })
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn start(
    settings: BftSettings,
    data_dir: &Path,
    store: Arc<Store>,
    mempool: Arc<Mempool>,
    genesis: Arc<Genesis>,
    key: NodeKey,
    blocks: broadcast::Sender<Arc<CommittedBlock>>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<BftHandles, NodeError> {
    let cfg_err = |reason: String| NodeError::Config(reason);
    let vs = validator_set(&genesis)?;
    let observers = genesis.observer_keys().map_err(|e| cfg_err(e.to_string()))?;
    let my_pk = key.public_key();
    let my_id = my_pk.as_bytes().to_vec();
    let me = vs.keys.iter().position(|k| *k == my_pk).map(|i| i as u32);
    match settings.role {
        Role::Validator if me.is_none() => {
            return Err(cfg_err("role is validator but this node's key is not in the genesis validator set".into()))
        }
        Role::Observer if !observers.contains(&my_pk) => {
            return Err(cfg_err("role is observer but this node's key is not in the genesis observer list".into()))
        }
        _ => {}
    }
    if genesis.orgs.is_empty() {
        return Err(cfg_err(
            "the genesis lists no member organisations (CAs); create the network with `hechain init`".into(),
        ));
    }
    let mut peers = HashMap::new();
    for (i, v) in genesis.validators.iter().enumerate() {
        if v.public_key != my_id {
            peers.insert(
                v.public_key.clone(),
                PeerInfo { name: v.name.clone(), validator: Some(i as u32), height: 0, round: 0 },
            );
        }
    }
    for o in &genesis.observers {
        if o.public_key != my_id {
            peers.insert(o.public_key.clone(), PeerInfo { name: o.name.clone(), validator: None, height: 0, round: 0 });
        }
    }
    // Exactly one side dials: between validators the smaller id, and observers dial validators.
    let mut dial = Vec::new();
    for p in &settings.peers {
        let Some(info) = peers.get(&p.id) else {
            tracing::warn!(peer = %p.name, "configured peer is not a validator or observer in the genesis; ignored");
            continue;
        };
        let dial_it = match (settings.role, info.validator.is_some()) {
            (Role::Validator, true) => my_id < p.id,
            (Role::Observer, true) => true,
            _ => false,
        };
        if dial_it {
            dial.push(p.clone());
        }
    }
    let net = NetConfig {
        listen_addr: settings.listen_addr,
        cert_chain_pem: settings.tls_cert_pem.clone(),
        key_pem: settings.tls_key_pem.clone(),
        ca_certs_pem: genesis.orgs.iter().map(|o| o.ca_cert_pem.clone()).collect(),
        allowed_peers: peers.keys().cloned().collect(),
        limits: settings.limits.clone(),
    };
    let (transport, inbound) = Transport::bind(net).await.map_err(|e| NodeError::Network(e.to_string()))?;
    let transport = Arc::new(transport);
    let p2p_addr = transport.local_addr();

    let reader = store.reader()?;
    let head = reader.head()?;
    // Recent blocks whose seals never reached a quorum (the node stopped first) get repaired.
    let mut seals = BTreeMap::new();
    for h in head.height.saturating_sub(64).max(1)..=head.height {
        if let (Some(hd), Ok(seal)) = (reader.header(h)?, reader.seal(h)) {
            if seal.signatures.len() < vs.quorum() {
                let mut c = SealCollector::new();
                c.ours = Some(hd.hash(genesis.suite()));
                seals.insert(h, c);
            }
        }
    }
    drop(reader);
    let genesis_id = vs.genesis_id();
    let anchor = if head.height == 0 { (0, genesis_id) } else { (head.round, head.consensus_id) };
    let safety = SafetyFile::new(data_dir);
    let mut settings = settings;
    settings.max_block_txs = settings.max_block_txs.max(1);
    // An idle leader must propose well within the round timeout, or idle rounds would time out.
    settings.idle_block_interval = settings
        .idle_block_interval
        .min(Duration::from_millis(settings.base_timeout_ms / 2))
        .max(settings.block_interval);
    let core = match me {
        Some(index) => {
            let restored = safety.load()?.unwrap_or(SafetyState { last_voted_round: 0, high_qc: vs.genesis_qc() });
            let cfg = CoreConfig { validators: vs.clone(), me: index, base_timeout_ms: settings.base_timeout_ms };
            Some(Core::recover(cfg, key.clone(), restored, anchor).map_err(|e| cfg_err(e.to_string()))?)
        }
        None => None,
    };

    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let (exec_tx, exec_rx) = std::sync::mpsc::channel();
    let pending_blocks = Arc::new(AtomicU64::new(0));
    let executor = Executor {
        store: store.clone(),
        mempool: mempool.clone(),
        genesis: genesis.clone(),
        genesis_hash: genesis.hash(),
        validator_keys: vs.keys.clone(),
        signer: me.map(|i| (key.clone(), i)),
        genesis_consensus_id: genesis_id,
        blocks,
        pending_blocks: pending_blocks.clone(),
    };
    let exec_events = events_tx.clone();
    std::thread::Builder::new()
        .name("hechain-exec".into())
        .spawn(move || executor.run(exec_rx, |ev| exec_events.send(Event::Exec(ev)).is_ok()))
        .map_err(|e| NodeError::Config(format!("cannot start the executor thread: {e}")))?;

    let (status_tx, status_rx) = watch::channel(serde_json::Value::Null);
    let (gossip_tx, gossip_rx) = mpsc::channel::<Vec<ChainTx>>(1024);
    let validator_ids: Vec<Vec<u8>> = vs.keys.iter().map(|k| k.as_bytes().to_vec()).collect();
    let gossip_task = tokio::spawn(gossip(gossip_rx, transport.clone(), validator_ids.clone(), my_id.clone()));

    let check = Arc::new(CheckCtx {
        suite: genesis.suite(),
        mempool: mempool.clone(),
        store: store.clone(),
        vs: vs.clone(),
        max_block_txs: settings.max_block_txs,
        max_payload_bytes: settings.max_payload_bytes,
    });
    let now = Instant::now();
    let mut driver = Driver {
        genesis_hash: genesis.hash(),
        suite: genesis.suite(),
        genesis,
        vs,
        role: settings.role,
        me,
        my_id,
        key,
        settings,
        core,
        safety,
        transport: transport.clone(),
        peers,
        validator_ids,
        dial,
        dialing: HashSet::new(),
        store,
        mempool,
        check,
        exec_tx,
        pending_blocks,
        events: events_tx.clone(),
        timer: None,
        want: None,
        building: false,
        last_proposal_at: now,
        own_payload: None,
        payloads: BTreeMap::new(),
        inflight: BTreeMap::new(),
        inflight_set: HashSet::new(),
        queue: BTreeMap::new(),
        last_dispatched: anchor,
        head_height: head.height,
        seals,
        need_sync: false,
        last_payload_request: None,
        sync_inflight: None,
        last_status: now - STATUS_EVERY,
        last_dial: now - DIAL_EVERY,
        last_repair: now,
        status_tx,
    };
    tracing::info!(%p2p_addr, role = %driver.role, index = ?driver.me, height = head.height, "BFT node starting");

    let mut inbound = inbound;
    let main = tokio::spawn(async move {
        if let Some(core) = driver.core.as_mut() {
            let actions = core.start();
            driver.run_actions(actions);
        }
        let mut tick = tokio::time::interval(HOUSEKEEPING);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let deadline = driver.timer.map(|(_, at)| at).unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                _ = shutdown.changed() => {
                    if *shutdown.borrow() { break; }
                }
                m = inbound.recv() => match m {
                    Some(m) => driver.on_frame(m),
                    None => break,
                },
                ev = events_rx.recv() => match ev {
                    Some(ev) => driver.on_event(ev),
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => {
                    if let Some((round, _)) = driver.timer.take() {
                        driver.core_input(Input::Timeout { round });
                    }
                }
                _ = tick.tick() => driver.housekeeping(),
            }
        }
        driver.transport.shutdown();
        tracing::info!("BFT driver stopped");
    });
    Ok(BftHandles { p2p_addr, status: status_rx, gossip: gossip_tx, tasks: vec![main, gossip_task] })
}

/// Forwards locally admitted transactions to every other validator, coalescing small batches.
async fn gossip(
    mut rx: mpsc::Receiver<Vec<ChainTx>>,
    transport: Arc<Transport>,
    validators: Vec<Vec<u8>>,
    me: Vec<u8>,
) {
    const MAX_BATCH: usize = 4096;
    while let Some(mut batch) = rx.recv().await {
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        let frame = match tokio::task::spawn_blocking(move || NetMsg::Txs(batch).encode()).await {
            Ok(f) => Arc::<[u8]>::from(f),
            Err(_) => continue,
        };
        for v in validators.iter().filter(|v| **v != me) {
            if let Err(e) = transport.send(v, frame.clone()) {
                tracing::debug!(error = %e, "transaction gossip not sent");
            }
        }
    }
}

impl Driver {
    fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Decoded { from, msg } => self.on_msg(from, *msg),
            Event::Checked { from, proposal, payload, encoded, response } => {
                self.on_checked(from, *proposal, payload, encoded, response)
            }
            Event::Built { round, payload, encoded } => self.on_built(round, payload, encoded),
            Event::Exec(e) => self.on_exec(e),
            Event::Dialed { id, result } => {
                self.dialing.remove(&id);
                match result {
                    Ok(got) if got == id => tracing::info!(peer = %self.peer_name(&id), "connected"),
                    Ok(got) => {
                        tracing::warn!(expected = %self.peer_name(&id), got = %self.peer_name(&got), "peer address reached another node")
                    }
                    Err(e) => tracing::debug!(peer = %self.peer_name(&id), error = %e, "dial failed"),
                }
            }
        }
    }

    fn peer_name(&self, id: &[u8]) -> String {
        self.peers.get(id).map(|p| p.name.clone()).unwrap_or_else(|| format!("0x{}", hex::encode(id)))
    }

    fn on_frame(&mut self, m: Inbound) {
        if m.bytes.len() <= INLINE_DECODE_BYTES {
            match NetMsg::decode(&m.bytes) {
                Ok(msg) => self.on_msg(m.peer_id, msg),
                Err(e) => tracing::warn!(peer = %self.peer_name(&m.peer_id), error = %e, "refused a frame"),
            }
            return;
        }
        let events = self.events.clone();
        tokio::task::spawn_blocking(move || match NetMsg::decode(&m.bytes) {
            Ok(msg) => {
                let _ = events.send(Event::Decoded { from: m.peer_id, msg: Box::new(msg) });
            }
            Err(e) => tracing::warn!(peer = %hex::encode(&m.peer_id), error = %e, "refused a frame"),
        });
    }

    fn sender_index(&self, from: &[u8], kind: &str) -> Option<u32> {
        let idx = self.peers.get(from).and_then(|p| p.validator);
        if idx.is_none() {
            tracing::warn!(peer = %self.peer_name(from), kind, "consensus message from a non-validator refused");
        }
        idx
    }

    /// Feeds a consensus message to the core if its sender is a validator.
    fn validator_message(&mut self, from: &[u8], kind: &str, msg: Message) {
        if let Some(i) = self.sender_index(from, kind) {
            self.core_input(Input::Message { from: i, msg });
        }
    }

    fn on_msg(&mut self, from: Vec<u8>, msg: NetMsg) {
        match msg {
            NetMsg::Proposal { proposal, payload } => self.check_payload(from, proposal, payload, false),
            NetMsg::BlockResponse { proposal, payload: Some(payload) } => {
                self.check_payload(from, proposal, payload, true)
            }
            NetMsg::BlockResponse { proposal, payload: None } => {
                self.validator_message(&from, "block-response", Message::BlockResponse(Box::new(proposal)))
            }
            NetMsg::Vote(v) => self.validator_message(&from, "vote", Message::Vote(v)),
            NetMsg::Timeout(t) => self.validator_message(&from, "timeout", Message::Timeout(Box::new(t))),
            NetMsg::BlockRequest(id) => self.validator_message(&from, "block-request", Message::BlockRequest(id)),
            NetMsg::Txs(txs) => {
                if self.role == Role::Observer {
                    return;
                }
                let mempool = self.mempool.clone();
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    let n = txs.len();
                    let res = mempool.admit_batch(txs, &StoreState::new(&store));
                    let refused = res.iter().filter(|r| r.is_err()).count();
                    if refused > 0 {
                        tracing::debug!(received = n, refused, "gossiped transactions refused (mostly duplicates)");
                    }
                });
            }
            NetMsg::SealSig { height, header_hash, signature } => {
                self.on_seal_sig(&from, height, header_hash, signature)
            }
            NetMsg::Status { height, round } => {
                if let Some(p) = self.peers.get_mut(&from) {
                    p.height = height;
                    p.round = round;
                }
            }
            NetMsg::SyncRequest { from: start, max } => self.serve_sync(from, start, max),
            NetMsg::SyncResponse { blocks } => self.on_sync_response(from, blocks),
        }
    }

    // ------------------------------------------------------------ proposals and payloads

    fn check_payload(&mut self, from: Vec<u8>, proposal: Proposal, payload: Vec<u8>, response: bool) {
        if self.core.is_none() || self.sender_index(&from, "proposal").is_none() {
            return;
        }
        let ctx = self.check.clone();
        let events = self.events.clone();
        tokio::task::spawn_blocking(move || match ctx.check(&proposal, &payload) {
            Ok(p) => {
                let _ = events.send(Event::Checked {
                    from,
                    proposal: Box::new(proposal),
                    payload: Arc::new(p),
                    encoded: Arc::new(payload),
                    response,
                });
            }
            Err(reason) => tracing::warn!(
                peer = %hex::encode(&from),
                round = proposal.block.round,
                %reason,
                "refused a proposal"
            ),
        });
    }

    fn on_checked(
        &mut self,
        from: Vec<u8>,
        proposal: Proposal,
        payload: Arc<CheckedPayload>,
        encoded: Arc<Vec<u8>>,
        response: bool,
    ) {
        let Some(i) = self.peers.get(&from).and_then(|p| p.validator) else { return };
        let id = self.vs.block_id(&proposal.block);
        let round = proposal.block.round;
        let hashes: Vec<H256> = payload.txs.iter().map(|(h, _)| *h).collect();
        let fresh = !self.payloads.contains_key(&id);
        // A waiting commit may have been missing exactly this payload (e.g. an earlier answer to
        // a block request came without one).
        for c in self.queue.values_mut() {
            if c.id == id && c.payload.is_none() {
                c.payload = Some(payload.clone());
            }
        }
        self.payloads.insert(id, (round, payload, Some(encoded)));
        let msg =
            if response { Message::BlockResponse(Box::new(proposal)) } else { Message::Proposal(Box::new(proposal)) };
        let accepted = self.core_input(Input::Message { from: i, msg });
        // Keep the payload whenever the core holds the block (also when this was a duplicate).
        let known = self.core.as_ref().is_some_and(|c| c.block(&id).is_some());
        if accepted && fresh {
            self.add_inflight(round, hashes);
        } else if fresh && !known {
            self.payloads.remove(&id);
        }
        self.drain_commits();
    }

    fn add_inflight(&mut self, round: u64, hashes: Vec<H256>) {
        if round <= self.last_dispatched.0 {
            return;
        }
        self.inflight_set.extend(hashes.iter().copied());
        self.inflight.entry(round).or_default().extend(hashes);
    }

    fn maybe_build(&mut self) {
        let Some(w) = &self.want else { return };
        if self.building {
            return;
        }
        let now = Instant::now();
        if now < w.earliest {
            return;
        }
        let round = w.round;
        let force = now >= w.idle_deadline || !self.inflight_set.is_empty();
        let has_txs = self.mempool.len() > self.inflight_set.len();
        if !force && !has_txs {
            return;
        }
        self.building = true;
        let mempool = self.mempool.clone();
        let exclude = self.inflight_set.clone();
        let events = self.events.clone();
        let params = self.mempool.params();
        let max_txs = self.settings.max_block_txs.min(params.max_block_txs as usize).max(1);
        let max_gas = params.block_gas_limit;
        let max_bytes = self.settings.max_payload_bytes.saturating_sub(1024);
        let suite = self.suite;
        tokio::task::spawn_blocking(move || {
            let mut txs = mempool.ready_excluding(max_txs, max_gas, &|h| exclude.contains(h));
            let sizes: Vec<usize> = txs.par_iter().map(|(_, t)| t.encode().len() + 8).collect();
            let mut total = 0usize;
            let keep = sizes.iter().take_while(|s| {
                total += **s;
                total <= max_bytes
            });
            let keep = keep.count();
            txs.truncate(keep);
            let timestamp_ms = now_ms();
            let hashes: Vec<H256> = txs.iter().map(|(h, _)| *h).collect();
            let digest = BlockPayload::digest(suite, timestamp_ms, &hashes);
            let body = BlockPayload { timestamp_ms, txs: txs.iter().map(|(_, t)| t.clone()).collect() };
            let encoded = Arc::new(body.encode());
            let payload = Arc::new(CheckedPayload { timestamp_ms, txs, digest });
            let _ = events.send(Event::Built { round, payload, encoded });
        });
    }

    fn on_built(&mut self, round: u64, payload: Arc<CheckedPayload>, encoded: Arc<Vec<u8>>) {
        self.building = false;
        if self.want.as_ref().map(|w| w.round) != Some(round) {
            return; // the round moved on while building
        }
        self.want = None;
        self.last_proposal_at = Instant::now();
        let digest = payload.digest;
        self.own_payload = Some((payload, encoded));
        self.core_input(Input::Payload { round, digest });
        self.own_payload = None;
    }

    // ------------------------------------------------------------ the core

    /// Feeds the core; returns whether the input was accepted.
    fn core_input(&mut self, input: Input) -> bool {
        let Some(core) = self.core.as_mut() else { return false };
        match core.handle(input) {
            Ok(actions) => {
                self.run_actions(actions);
                true
            }
            Err(HotStuffError::Duplicate) | Err(HotStuffError::OutOfWindow(_)) => false,
            Err(e @ HotStuffError::Malformed("unsolicited block")) => {
                // Late answers to a block request that was already satisfied or reset.
                tracing::debug!(error = %e, "block response ignored");
                false
            }
            Err(HotStuffError::Equivocation(ev)) => {
                tracing::warn!(evidence = ?ev, "equivocation detected; message refused");
                false
            }
            Err(e @ HotStuffError::SafetyViolation(_)) => {
                tracing::error!(error = %e, "consensus safety violation refused");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "consensus message refused");
                false
            }
        }
    }

    fn run_actions(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::PersistSafety(s) => {
                    if let Err(e) = self.safety.save(&s) {
                        // Sending anything after an unpersisted vote could break safety on a crash.
                        tracing::error!(error = %e, "cannot persist consensus safety state; dropping the actions that depend on it");
                        return;
                    }
                }
                Action::Broadcast(m) => self.send_consensus(None, m),
                Action::Send { to, msg } => self.send_consensus(Some(to), msg),
                Action::Commit(ids) => self.on_commit(ids),
                Action::ScheduleTimeout { round, duration_ms } => {
                    self.timer = Some((round, Instant::now() + Duration::from_millis(duration_ms)));
                }
                Action::RequestPayload { round } => {
                    let now = Instant::now();
                    let earliest = (self.last_proposal_at + self.settings.block_interval).max(now);
                    self.want = Some(Want { round, earliest, idle_deadline: now + self.settings.idle_block_interval });
                    self.maybe_build();
                }
            }
        }
        self.publish_status();
    }

    fn send_consensus(&mut self, to: Option<u32>, m: Message) {
        let msg = match m {
            Message::Proposal(p) => {
                let Some((payload, encoded)) =
                    self.own_payload.clone().filter(|(own, _)| own.digest == p.block.payload_digest)
                else {
                    tracing::error!(round = p.block.round, "own proposal without a payload; not sent");
                    return;
                };
                let id = self.vs.block_id(&p.block);
                let round = p.block.round;
                let hashes: Vec<H256> = payload.txs.iter().map(|(h, _)| *h).collect();
                self.payloads.insert(id, (round, payload, Some(encoded.clone())));
                self.add_inflight(round, hashes);
                NetMsg::Proposal { proposal: *p, payload: encoded.to_vec() }
            }
            Message::BlockResponse(p) => {
                let id = self.vs.block_id(&p.block);
                let payload = self.payloads.get(&id).and_then(|(_, _, e)| e.as_ref().map(|e| e.to_vec()));
                NetMsg::BlockResponse { proposal: *p, payload }
            }
            Message::Vote(v) => NetMsg::Vote(v),
            Message::Timeout(t) => NetMsg::Timeout(*t),
            Message::BlockRequest(id) => NetMsg::BlockRequest(id),
        };
        let frame: Arc<[u8]> = msg.encode().into();
        let targets: Vec<&Vec<u8>> = match to {
            Some(i) => self.validator_ids.get(i as usize).into_iter().collect(),
            None => self.validator_ids.iter().filter(|v| **v != self.my_id).collect(),
        };
        for t in targets {
            if let Err(e) = self.transport.send(t, frame.clone()) {
                tracing::debug!(peer = %self.peer_name(t), kind = msg.kind(), error = %e, "not sent");
            }
        }
    }

    // ------------------------------------------------------------ commits and execution

    fn on_commit(&mut self, ids: Vec<BlockId>) {
        for id in ids {
            let Some(b) = self.core.as_ref().and_then(|c| c.block(&id)) else {
                self.need_sync = true;
                tracing::debug!("sync needed: committed block unknown to the core");
                continue;
            };
            let (round, parent, proposer) = (b.round, b.parent, b.proposer);
            if round <= self.last_dispatched.0 {
                continue;
            }
            let payload = self.payloads.get(&id).map(|p| p.1.clone());
            self.queue.insert(round, Committed { id, parent, proposer, payload });
        }
        self.drain_commits();
    }

    fn drain_commits(&mut self) {
        while let Some(entry) = self.queue.first_entry() {
            let round = *entry.key();
            if round <= self.last_dispatched.0 {
                entry.remove();
                continue;
            }
            let c = entry.get();
            match &c.payload {
                Some(p) if c.parent == self.last_dispatched.1 => {
                    let job = ExecJob::Ordered {
                        id: c.id,
                        round,
                        parent: c.parent,
                        proposer: c.proposer,
                        payload: p.clone(),
                    };
                    self.last_dispatched = (round, c.id);
                    entry.remove();
                    self.pending_blocks.fetch_add(1, Ordering::Relaxed);
                    if self.exec_tx.send(job).is_err() {
                        tracing::error!("executor thread is gone");
                        return;
                    }
                }
                Some(_) => {
                    // Blocks between are missing: fetch committed blocks from peers.
                    self.need_sync = true;
                    tracing::debug!("sync needed: committed block does not extend the dispatched one");
                    break;
                }
                None => {
                    // The block came without its payload: ask the validators again (answers with a
                    // payload fill it in), and fall back to block sync.
                    let id = c.id;
                    self.need_sync = true;
                    tracing::debug!("sync needed: committed block without its payload");
                    if self.last_payload_request.is_none_or(|(r, at)| r != id || at.elapsed() > SYNC_TIMEOUT) {
                        self.last_payload_request = Some((id, Instant::now()));
                        let frame: Arc<[u8]> = NetMsg::BlockRequest(id).encode().into();
                        for v in self.validator_ids.iter().filter(|v| **v != self.my_id) {
                            let _ = self.transport.send(v, frame.clone());
                        }
                    }
                    break;
                }
            }
        }
        if self.queue.is_empty() {
            self.need_sync = false;
        }
        // Bound memory when far behind: sync brings those blocks anyway.
        while self.queue.len() > 4096 {
            self.queue.pop_last();
        }
        let done = self.last_dispatched.0;
        // Recently committed payloads stay a while to answer peers that lack them.
        self.payloads.retain(|_, p| p.0 + PAYLOAD_KEEP_ROUNDS > done);
        let keep = self.inflight.split_off(&(done + 1));
        for (_, hashes) in std::mem::replace(&mut self.inflight, keep) {
            for h in hashes {
                self.inflight_set.remove(&h);
            }
        }
    }

    fn on_exec(&mut self, e: ExecEvent) {
        match e {
            ExecEvent::Executed { height, header_hash, round, consensus_id, own_sig, synced } => {
                self.head_height = self.head_height.max(height);
                if synced {
                    self.seals.entry(height).or_insert_with(SealCollector::new).done = true;
                    if round > self.last_dispatched.0 {
                        self.last_dispatched = (round, consensus_id);
                    }
                    self.reanchor(round, consensus_id);
                    self.drain_commits();
                } else if let Some(sig) = own_sig {
                    self.on_own_seal(height, header_hash, sig);
                }
                // Observers and lagging peers learn about new blocks at once.
                self.broadcast_status();
            }
            ExecEvent::Gap { round } => {
                tracing::info!(round, "committed block does not extend the stored chain yet; syncing");
                self.need_sync = true;
            }
            ExecEvent::SealRepaired { height } => {
                tracing::info!(height, "block seal completed from a peer");
                self.seals.entry(height).or_insert_with(SealCollector::new).done = true;
            }
            ExecEvent::SyncRefused { height, reason } => {
                tracing::warn!(height, %reason, "refused a synced block");
                self.sync_inflight = None;
            }
        }
        self.publish_status();
    }

    /// After sync stored blocks past what the core committed, restart the core from there (its
    /// safety state is kept), so it does not chase blocks it no longer needs.
    fn reanchor(&mut self, round: u64, id: BlockId) {
        let Some(core) = &self.core else { return };
        // Close behind, the core catches up by itself (fetching the few blocks it lacks); re-anchor
        // only when it is far behind, where the blocks it would need may be pruned at its peers.
        if core.last_committed().0.saturating_add(REANCHOR_GAP) >= round {
            return;
        }
        let Some(me) = self.me else { return };
        let cfg = CoreConfig { validators: self.vs.clone(), me, base_timeout_ms: self.settings.base_timeout_ms };
        match Core::recover(cfg, self.key.clone(), core.safety(), (round, id)) {
            Ok(mut fresh) => {
                let actions = fresh.start();
                self.core = Some(fresh);
                self.want = None;
                self.run_actions(actions);
                tracing::info!(round, "consensus re-anchored after synced blocks");
            }
            Err(e) => tracing::error!(error = %e, "cannot re-anchor consensus"),
        }
    }

    // ------------------------------------------------------------ seals

    fn on_own_seal(&mut self, height: u64, hash: H256, sig: ValidatorSignature) {
        let Ok(signature) = NodeSignature::from_slice(&sig.signature) else { return };
        let c = self.seals.entry(height).or_insert_with(SealCollector::new);
        c.ours = Some(hash);
        c.sigs.insert(sig.validator, (hash, signature));
        let frame: Arc<[u8]> = NetMsg::SealSig { height, header_hash: hash, signature }.encode().into();
        for id in self.transport.peers() {
            let _ = self.transport.send(&id, frame.clone());
        }
        self.try_complete_seal(height);
    }

    fn on_seal_sig(&mut self, from: &[u8], height: u64, hash: H256, signature: NodeSignature) {
        let Some(i) = self.sender_index(from, "seal-sig") else { return };
        if height + 256 < self.head_height || height > self.head_height + 4096 {
            return;
        }
        let msg = BlockHeader::signing_message(&self.genesis_hash, &hash);
        let Some(pk) = self.vs.key(i) else { return };
        if pk.verify(self.suite, &msg, &signature).is_err() {
            tracing::warn!(peer = %self.peer_name(from), height, "bad seal signature refused");
            return;
        }
        let c = self.seals.entry(height).or_insert_with(SealCollector::new);
        c.sigs.insert(i, (hash, signature));
        self.try_complete_seal(height);
    }

    fn try_complete_seal(&mut self, height: u64) {
        let quorum = self.vs.quorum();
        let Some(c) = self.seals.get_mut(&height) else { return };
        let Some(ours) = c.ours else { return };
        if !c.warned {
            if let Some((i, _)) = c.sigs.iter().find(|(_, (h, _))| *h != ours) {
                tracing::error!(height, validator = i, "a validator computed a different block header at this height");
                c.warned = true;
            }
        }
        if c.done {
            return;
        }
        let signatures: Vec<ValidatorSignature> = c
            .sigs
            .iter()
            .filter(|(_, (h, _))| *h == ours)
            .map(|(i, (_, s))| ValidatorSignature { validator: *i, signature: s.0.to_vec() })
            .collect();
        if signatures.len() >= quorum {
            c.done = true;
            let _ = self.exec_tx.send(ExecJob::Seal { height, seal: Seal { signatures } });
        }
        let floor = self.head_height.saturating_sub(256);
        self.seals = self.seals.split_off(&floor);
    }

    // ------------------------------------------------------------ catch-up sync

    fn serve_sync(&mut self, to: Vec<u8>, start: u64, max: u32) {
        let store = self.store.clone();
        let transport = self.transport.clone();
        let quorum = self.vs.quorum();
        let max = max.clamp(1, SYNC_BATCH) as u64;
        tokio::task::spawn_blocking(move || {
            let read = || -> Result<Vec<Block>, hechain_storage::StorageError> {
                let r = store.reader()?;
                let mut out = Vec::new();
                let mut bytes = 0usize;
                for h in start.max(1)..start.max(1).saturating_add(max) {
                    let Some(b) = r.block(h)? else { break };
                    if b.seal.signatures.len() < quorum {
                        break; // not yet certified: the requester retries later
                    }
                    bytes += b.transactions.len() * 200 + 1024;
                    out.push(b);
                    if bytes >= SYNC_BYTES {
                        break;
                    }
                }
                Ok(out)
            };
            match read() {
                Ok(blocks) => {
                    let frame = NetMsg::SyncResponse { blocks }.encode();
                    if let Err(e) = transport.send(&to, frame) {
                        tracing::debug!(error = %e, "sync response not sent");
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot read blocks for a sync request"),
            }
        });
    }

    fn on_sync_response(&mut self, from: Vec<u8>, blocks: Vec<Block>) {
        if self.sync_inflight.as_ref().map(|(p, _)| p) != Some(&from) {
            return; // unsolicited or late
        }
        self.sync_inflight = None;
        if blocks.len() > SYNC_BATCH as usize {
            tracing::warn!(peer = %self.peer_name(&from), "oversized sync response refused");
            return;
        }
        let n = blocks.len();
        for b in blocks {
            self.pending_blocks.fetch_add(1, Ordering::Relaxed);
            if self.exec_tx.send(ExecJob::Synced(Box::new(b))).is_err() {
                return;
            }
        }
        if n > 0 {
            tracing::debug!(peer = %self.peer_name(&from), blocks = n, "synced blocks queued");
        }
    }

    fn maybe_sync(&mut self) {
        if let Some((_, at)) = &self.sync_inflight {
            if at.elapsed() < SYNC_TIMEOUT {
                return;
            }
            self.sync_inflight = None;
        }
        let connected: HashSet<Vec<u8>> = self.transport.peers().into_iter().collect();
        let best = self
            .peers
            .iter()
            .filter(|(id, p)| p.validator.is_some() && connected.contains(*id))
            .max_by_key(|(_, p)| p.height)
            .map(|(id, p)| (id.clone(), p.height));
        let Some((peer, height)) = best else { return };
        // Blocks queued for the executor (committed by consensus, or synced earlier) get stored
        // without help: a node that is only busy executing must not fetch them again (under load
        // that was a steady stream of multi-megabyte sync responses). A known gap syncs from the
        // stored head; a queued block that turns out not to extend the chain is refused by the
        // executor and the next request starts from the stored head again.
        let queued = if self.need_sync { 0 } else { self.pending_blocks.load(Ordering::Relaxed) };
        let expected = self.head_height + queued;
        let behind = height > expected;
        let want = behind && (self.need_sync || self.role == Role::Observer || height >= expected + SYNC_LAG);
        let (from, max) = if want {
            (expected + 1, SYNC_BATCH)
        } else {
            // Seal repair: a stored block whose seal is still short of a quorum a few blocks later
            // (its signatures were lost, e.g. across a restart) is fetched again with its seal.
            if self.last_repair.elapsed() < STATUS_EVERY {
                return;
            }
            match self
                .seals
                .iter()
                .find(|(h, c)| !c.done && c.ours.is_some() && **h + SEAL_REPAIR_LAG < self.head_height)
            {
                Some((h, _)) => {
                    self.last_repair = Instant::now();
                    (*h, 1)
                }
                None => return,
            }
        };
        let frame = NetMsg::SyncRequest { from, max }.encode();
        if self.transport.send(&peer, frame).is_ok() {
            self.sync_inflight = Some((peer, Instant::now()));
        }
    }

    // ------------------------------------------------------------ housekeeping

    fn housekeeping(&mut self) {
        self.maybe_build();
        self.maybe_sync();
        let now = Instant::now();
        if now.duration_since(self.last_status) >= STATUS_EVERY {
            self.broadcast_status();
            self.publish_status();
        }
        if now.duration_since(self.last_dial) >= DIAL_EVERY {
            self.last_dial = now;
            let connected: HashSet<Vec<u8>> = self.transport.peers().into_iter().collect();
            for p in &self.dial {
                if connected.contains(&p.id) || self.dialing.contains(&p.id) {
                    continue;
                }
                self.dialing.insert(p.id.clone());
                let transport = self.transport.clone();
                let events = self.events.clone();
                let (id, addr) = (p.id.clone(), p.addr);
                tokio::spawn(async move {
                    let result = transport.connect(addr).await.map_err(|e| e.to_string());
                    let _ = events.send(Event::Dialed { id, result });
                });
            }
        }
    }

    fn broadcast_status(&mut self) {
        self.last_status = Instant::now();
        let round = self.core.as_ref().map(|c| c.round()).unwrap_or(0);
        let frame: Arc<[u8]> = NetMsg::Status { height: self.head_height, round }.encode().into();
        for id in self.transport.peers() {
            let _ = self.transport.send(&id, frame.clone());
        }
    }

    fn publish_status(&self) {
        let connected: HashSet<Vec<u8>> = self.transport.peers().into_iter().collect();
        let mut peers: Vec<serde_json::Value> = self
            .peers
            .iter()
            .map(|(id, p)| {
                json!({
                    "name": p.name,
                    "role": if p.validator.is_some() { "validator" } else { "observer" },
                    "connected": connected.contains(id),
                    "height": p.height,
                    "round": p.round,
                })
            })
            .collect();
        peers.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        let (round, high_qc, committed) = match &self.core {
            Some(c) => (c.round(), c.high_qc().round, c.last_committed().0),
            None => (0, 0, self.last_dispatched.0),
        };
        let leader = if self.core.is_some() { Some(self.vs.leader(round)) } else { None };
        let v = json!({
            "role": self.role,
            "index": self.me,
            "round": round,
            "leader": leader.and_then(|l| self.genesis.validators.get(l as usize)).map(|v| v.name.clone()),
            "high_qc_round": high_qc,
            "committed_round": committed,
            "executed_height": self.head_height,
            "validators": self.vs.n(),
            "quorum": self.vs.quorum(),
            "connected_peers": connected.len(),
            "peers": peers,
            "dropped_messages": self.transport.dropped_messages(),
            "safety_violations": self.core.as_ref().map(|c| c.safety_violations()).unwrap_or(0),
        });
        self.status_tx.send_replace(v);
    }
}

impl SealCollector {
    fn new() -> Self {
        SealCollector { ours: None, sigs: BTreeMap::new(), done: false, warned: false }
    }
}

/// Parses a node id given as hex (`0x` optional) for the genesis suite.
pub fn parse_node_id(suite: Suite, hex_id: &str) -> Result<Vec<u8>, NodeError> {
    NodePublicKey::from_hex(suite, hex_id)
        .map(|k| k.as_bytes().to_vec())
        .map_err(|e| NodeError::Config(format!("node id {hex_id}: {e}")))
}
