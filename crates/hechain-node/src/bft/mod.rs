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
//! blocks with quorum seals, checks each seal against the validators in force at its parent, re-executes the
//! block and requires the identical header before storing it. Its consensus core is then
//! re-anchored after the synced head. Observers run only this part: they never vote.
//!
//! **Membership epochs.** The membership (organisations, validators, observers) lives in the
//! chain state and changes by governance at a block end. When the executor reports a change
//! ([`exec::ExecEvent::Membership`]) the driver updates the peers the transport admits (node ids
//! and member CAs); when the validator set changed it starts a new epoch: a fresh core over the
//! new [`ValidatorSet`] (its own chain tag, so nothing signed in one epoch counts in another),
//! anchored at the new epoch's consensus genesis, with its own safety file. What the old core
//! ordered above the epoch's last block is dropped (the executor drops it identically on every
//! node) and proposed again. A node whose key is not (yet) a validator runs as an observer, so
//! a node added by governance starts, syncs, and begins voting when it executes its admission.
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
use hechain_execution::governance;
use hechain_mempool::{Mempool, StoreState};
use hechain_network::{Inbound, Limits, NetConfig, Transport};
use hechain_storage::Store;
use hechain_types::{
    Block, BlockHeader, ChainTx, Codec, CommittedBlock, Genesis, Membership, Seal, ValidatorSignature, H256,
};
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
/// A configured peer with the larger node id is dialled too once it has been unreachable this
/// long (it may not know this node's address, e.g. a node that joined later).
const DIAL_ANYWAY_AFTER: Duration = Duration::from_secs(3);
/// Frames larger than this are decoded on a blocking thread.
const INLINE_DECODE_BYTES: usize = 64 * 1024;

/// What a node does in the network. The membership in the chain state decides it: a node whose
/// key is in the current validator set votes; any other member node observes. The role in a
/// node's configuration file says what the operator expects (a mismatch is logged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Votes and proposes; in the current validator set.
    Validator,
    /// Receives, verifies and serves every block; never votes. In the current observers.
    Observer,
}

/// One membership epoch as the driver and the executor use it: the membership, the consensus
/// validator set (with the epoch's chain tag) and this node's index in it.
#[derive(Clone, Debug)]
pub(crate) struct Epoch {
    pub membership: Membership,
    pub vs: ValidatorSet,
    pub me: Option<u32>,
}

impl Epoch {
    pub(crate) fn new(genesis: &Genesis, membership: Membership, my_key: &NodePublicKey) -> Result<Self, String> {
        let suite = genesis.suite();
        let keys = membership.validator_keys(suite).map_err(|e| e.to_string())?;
        let vs = ValidatorSet::for_epoch(suite, genesis.hash(), membership.epoch, keys);
        let me = vs.keys.iter().position(|k| k == my_key).map(|i| i as u32);
        Ok(Epoch { membership, vs, me })
    }

    fn number(&self) -> u64 {
        self.membership.epoch
    }

    fn role(&self) -> Role {
        if self.me.is_some() {
            Role::Validator
        } else {
            Role::Observer
        }
    }
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

/// Settings of a networked (BFT) node. The round timeout is a chain parameter
/// (`consensus_timeout_ms`), not a node setting.
#[derive(Clone, Debug)]
pub struct BftSettings {
    /// The role the operator expects (the membership decides; a mismatch is logged).
    pub role: Role,
    /// Peer-to-peer listen address.
    pub listen_addr: SocketAddr,
    /// Known peers.
    pub peers: Vec<PeerEntry>,
    /// This node's TLS certificate (PEM), issued by its organisation's CA.
    pub tls_cert_pem: String,
    /// Its TLS private key (PEM).
    pub tls_key_pem: String,
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
        epoch: u64,
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
    epoch: u64,
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
    /// The epoch whose validator set `vs` is.
    epoch: u64,
    mempool: Arc<Mempool>,
    store: Arc<Store>,
    vs: ValidatorSet,
    /// The node's own limit (the chain parameter in force may be lower).
    max_block_txs: usize,
    max_payload_bytes: usize,
}

impl CheckCtx {
    fn new(suite: Suite, epoch: &Epoch, mempool: Arc<Mempool>, store: Arc<Store>, settings: &BftSettings) -> Self {
        CheckCtx {
            suite,
            epoch: epoch.number(),
            mempool,
            store,
            vs: epoch.vs.clone(),
            max_block_txs: settings.max_block_txs,
            max_payload_bytes: settings.max_payload_bytes,
        }
    }

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
    genesis_hash: H256,
    suite: Suite,
    /// The current membership epoch (its validator set orders and seals new blocks).
    epoch: Epoch,
    /// The epoch before it, for the seals of its last blocks.
    prev_epoch: Option<Epoch>,
    my_id: Vec<u8>,
    key: NodeKey,
    settings: BftSettings,
    /// Base round timeout in force (the chain parameter).
    timeout_ms: u64,
    core: Option<Core>,
    data_dir: std::path::PathBuf,
    safety: SafetyFile,
    transport: Arc<Transport>,
    peers: HashMap<Vec<u8>, PeerInfo>,
    /// The current validators' node ids, shared with the gossip task.
    validator_ids: Arc<std::sync::RwLock<Vec<Vec<u8>>>>,
    dial: Vec<PeerEntry>,
    dialing: HashSet<Vec<u8>>,
    /// Configured peers not connected, since when.
    unreachable_since: HashMap<Vec<u8>, Instant>,
    /// Whether the previous epoch's last block has its quorum seal (until then that epoch's
    /// validators stay admitted, removed ones included, so that their signatures arrive).
    boundary_sealed: bool,
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

/// Builds the validator set the HotStuff core uses in the genesis epoch (epoch 0).
pub fn validator_set(genesis: &Genesis) -> Result<ValidatorSet, NodeError> {
    let keys = genesis
        .validator_keys()
        .map_err(|e| NodeError::BadFile { path: crate::GENESIS_FILE.into(), reason: e.to_string() })?;
    Ok(ValidatorSet::for_epoch(genesis.suite(), genesis.hash(), 0, keys))
}

/// The peers of a membership (every member node but this one), with their validator indexes.
fn member_peers(m: &Membership, my_id: &[u8]) -> Vec<(Vec<u8>, String, Option<u32>)> {
    let validators = m.validators.iter().enumerate().map(|(i, v)| (v, Some(i as u32)));
    let observers = m.observers.iter().map(|o| (o, None));
    validators
        .chain(observers)
        .filter(|(n, _)| n.public_key != my_id)
        .map(|(n, i)| (n.public_key.clone(), n.name.clone(), i))
        .collect()
}

/// The member CAs of a membership that parse (a CA that does not is logged and left out, so
/// one bad certificate cannot stop the others from admitting their nodes).
fn member_cas(m: &Membership) -> Vec<String> {
    m.orgs
        .iter()
        .filter(|o| match hechain_network::pki::parse_certs_pem(&o.ca_cert_pem) {
            Ok(c) if !c.is_empty() => true,
            Ok(_) | Err(_) => {
                tracing::error!(org = %o.name, "member CA certificate does not parse; its nodes cannot connect");
                false
            }
        })
        .map(|o| o.ca_cert_pem.clone())
        .collect()
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
    let my_pk = key.public_key();
    let my_id = my_pk.as_bytes().to_vec();
    if genesis.orgs.is_empty() {
        return Err(cfg_err(
            "the genesis lists no member organisations (CAs); create the network with `hechain init`".into(),
        ));
    }
    // The membership in force at the stored head decides this node's role and its peers.
    let reader = store.reader()?;
    let head = reader.head()?;
    let membership = governance::membership(&reader).map_err(|e| cfg_err(e.to_string()))?;
    let prev_membership = match membership.epoch {
        0 => None,
        e => governance::epoch_membership(&reader, e - 1).map_err(|e| cfg_err(e.to_string()))?,
    };
    let epoch = Epoch::new(&genesis, membership, &my_pk).map_err(cfg_err)?;
    let prev_epoch = match prev_membership {
        Some(m) => Some(Epoch::new(&genesis, m, &my_pk).map_err(cfg_err)?),
        None => None,
    };
    let member = epoch.membership.node_by_key(&my_id).is_some();
    if !member {
        tracing::warn!(
            "this node's key is not a member of the consortium at the stored height {}: it runs as an observer; \
             peers admit it once they have executed its admission by governance",
            head.height
        );
    } else if epoch.role() != settings.role {
        tracing::warn!(configured = %settings.role, actual = %epoch.role(), "the membership gives this node another role than its configuration");
    }
    let mut peers = HashMap::new();
    for (id, name, validator) in member_peers(&epoch.membership, &my_id) {
        peers.insert(id, PeerInfo { name, validator, height: 0, round: 0, epoch: 0 });
    }
    // Between two configured peers the smaller id dials; the other one dials too when the peer
    // stays unreachable (it may not know this node's address).
    let dial: Vec<PeerEntry> = settings.peers.iter().filter(|p| p.id != my_id).cloned().collect();
    let net = NetConfig {
        listen_addr: settings.listen_addr,
        cert_chain_pem: settings.tls_cert_pem.clone(),
        key_pem: settings.tls_key_pem.clone(),
        ca_certs_pem: member_cas(&epoch.membership),
        allowed_peers: peers.keys().cloned().collect(),
        limits: settings.limits.clone(),
    };
    let (transport, inbound) = Transport::bind(net).await.map_err(|e| NodeError::Network(e.to_string()))?;
    let transport = Arc::new(transport);
    let p2p_addr = transport.local_addr();

    // Recent blocks whose seals never reached a quorum (the node stopped first) get repaired.
    let mut seals = BTreeMap::new();
    for h in head.height.saturating_sub(64).max(1)..=head.height {
        if let (Some(hd), Ok(seal)) = (reader.header(h)?, reader.seal(h)) {
            let n = governance::membership_at(&reader, h).map(|m| m.validators.len()).unwrap_or(0);
            if seal.signatures.len() < hechain_execution::certificate::quorum(n) {
                let mut c = SealCollector::new();
                c.ours = Some(hd.hash(genesis.suite()));
                seals.insert(h, c);
            }
        }
    }
    drop(reader);
    let boundary_sealed = match epoch.membership.start_height.checked_sub(1) {
        Some(last) if prev_epoch.is_some() => !seals.contains_key(&last),
        _ => true,
    };
    let params = mempool.params();
    let timeout_ms = params.consensus_timeout_ms;
    let anchor = epoch_anchor(&epoch, head.height, head.round, head.consensus_id);
    let safety = SafetyFile::for_epoch(data_dir, epoch.number());
    let mut settings = settings;
    settings.max_block_txs = settings.max_block_txs.max(1);
    let core = match epoch.me {
        Some(index) => {
            let restored =
                safety.load()?.unwrap_or(SafetyState { last_voted_round: 0, high_qc: epoch.vs.genesis_qc() });
            let cfg = CoreConfig { validators: epoch.vs.clone(), me: index, base_timeout_ms: timeout_ms };
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
        key: key.clone(),
        epoch: epoch.clone(),
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
    let validator_ids = Arc::new(std::sync::RwLock::new(node_ids(&epoch.vs)));
    let gossip_task = tokio::spawn(gossip(gossip_rx, transport.clone(), validator_ids.clone(), my_id.clone()));

    let check = Arc::new(CheckCtx::new(genesis.suite(), &epoch, mempool.clone(), store.clone(), &settings));
    let now = Instant::now();
    let mut driver = Driver {
        genesis_hash: genesis.hash(),
        suite: genesis.suite(),
        epoch,
        prev_epoch,
        my_id,
        key,
        settings,
        timeout_ms,
        core,
        data_dir: data_dir.to_path_buf(),
        safety,
        transport: transport.clone(),
        peers,
        validator_ids,
        dial,
        dialing: HashSet::new(),
        unreachable_since: HashMap::new(),
        boundary_sealed,
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
    tracing::info!(
        %p2p_addr,
        role = %driver.epoch.role(),
        index = ?driver.epoch.me,
        epoch = driver.epoch.number(),
        height = head.height,
        "BFT node starting"
    );

    driver.apply_members();
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

/// The node ids of a validator set, in index order.
fn node_ids(vs: &ValidatorSet) -> Vec<Vec<u8>> {
    vs.keys.iter().map(|k| k.as_bytes().to_vec()).collect()
}

/// The last block the core of `epoch` committed (round, consensus id), given the stored head:
/// the epoch's consensus genesis when the head is the previous epoch's last block.
fn epoch_anchor(epoch: &Epoch, head_height: u64, head_round: u64, head_id: BlockId) -> (u64, BlockId) {
    if head_height + 1 == epoch.membership.start_height {
        (0, epoch.vs.genesis_id())
    } else {
        (head_round, head_id)
    }
}

/// Forwards locally admitted transactions to every other validator, coalescing small batches.
async fn gossip(
    mut rx: mpsc::Receiver<Vec<ChainTx>>,
    transport: Arc<Transport>,
    validators: Arc<std::sync::RwLock<Vec<Vec<u8>>>>,
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
        let targets: Vec<Vec<u8>> = match validators.read() {
            Ok(v) => v.iter().filter(|v| **v != me).cloned().collect(),
            Err(_) => return,
        };
        for v in &targets {
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
            Event::Checked { epoch, from, proposal, payload, encoded, response } => {
                if epoch == self.epoch.number() {
                    self.on_checked(from, *proposal, payload, encoded, response)
                }
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
                if self.epoch.me.is_none() {
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
            NetMsg::Status { height, round, epoch } => {
                if let Some(p) = self.peers.get_mut(&from) {
                    p.height = height;
                    p.round = round;
                    p.epoch = epoch;
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
                    epoch: ctx.epoch,
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
        let id = self.epoch.vs.block_id(&proposal.block);
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
        let exclude = self.branch_txs();
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

    /// The transactions of the blocks the next proposal extends and that are not yet handed to
    /// the executor: from the high QC's block back to the last dispatched one. A proposal leaves
    /// them out (they commit with its ancestors). Transactions of proposals off that branch (a
    /// block whose QC never formed, e.g. because the next leader is down) are proposed again at
    /// once; excluding every uncommitted proposal's transactions instead let a transaction that
    /// only a doomed leader ever proposed wait forever.
    fn branch_txs(&self) -> HashSet<H256> {
        let mut out = HashSet::new();
        let Some(core) = &self.core else { return out };
        let mut id = core.high_qc().block;
        while let Some(b) = core.block(&id) {
            if b.round <= self.last_dispatched.0 {
                break;
            }
            if let Some((_, p, _)) = self.payloads.get(&id) {
                out.extend(p.txs.iter().map(|(h, _)| *h));
            }
            id = b.parent;
        }
        out
    }

    fn on_built(&mut self, round: u64, payload: Arc<CheckedPayload>, encoded: Arc<Vec<u8>>) {
        self.building = false;
        if self.want.as_ref().map(|w| w.round) != Some(round) {
            return; // the round moved on while building
        }
        self.want = None;
        self.last_proposal_at = Instant::now();
        tracing::debug!(
            round,
            txs = payload.txs.len(),
            pooled = self.mempool.len(),
            in_proposals = self.inflight_set.len(),
            "payload built"
        );
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
                    self.want = Some(Want { round, earliest, idle_deadline: now + self.idle_interval() });
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
                let id = self.epoch.vs.block_id(&p.block);
                let round = p.block.round;
                let hashes: Vec<H256> = payload.txs.iter().map(|(h, _)| *h).collect();
                self.payloads.insert(id, (round, payload, Some(encoded.clone())));
                self.add_inflight(round, hashes);
                NetMsg::Proposal { proposal: *p, payload: encoded.to_vec() }
            }
            Message::BlockResponse(p) => {
                let id = self.epoch.vs.block_id(&p.block);
                let payload = self.payloads.get(&id).and_then(|(_, _, e)| e.as_ref().map(|e| e.to_vec()));
                NetMsg::BlockResponse { proposal: *p, payload }
            }
            Message::Vote(v) => NetMsg::Vote(v),
            Message::Timeout(t) => NetMsg::Timeout(*t),
            Message::BlockRequest(id) => NetMsg::BlockRequest(id),
        };
        let frame: Arc<[u8]> = msg.encode().into();
        let targets: Vec<&[u8]> = match to {
            Some(i) => self.epoch.vs.key(i).map(|k| k.as_bytes()).into_iter().collect(),
            None => self.other_validators().collect(),
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
                        epoch: self.epoch.number(),
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
                        for v in self.other_validators() {
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
                self.follow_params();
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
                if !self.boundary_sealed && height + 1 == self.epoch.membership.start_height {
                    self.boundary_sealed = true;
                    self.apply_members();
                }
            }
            ExecEvent::SyncRefused { height, reason } => {
                tracing::warn!(height, %reason, "refused a synced block");
                self.sync_inflight = None;
            }
            ExecEvent::Membership(epoch) => self.on_membership(*epoch),
        }
        self.publish_status();
    }

    /// The node ids of the other validators of the epoch.
    fn other_validators(&self) -> impl Iterator<Item = &[u8]> {
        self.epoch.vs.keys.iter().map(|k| k.as_bytes()).filter(|k| *k != self.my_id.as_slice())
    }

    /// Time between empty blocks: the configured interval, but well within the round timeout
    /// (or idle rounds would time out) and no shorter than the block interval.
    fn idle_interval(&self) -> Duration {
        self.settings
            .idle_block_interval
            .min(Duration::from_millis(self.timeout_ms / 2))
            .max(self.settings.block_interval)
    }

    /// Applies a governance change of the consensus timeout (after the block that made it).
    fn follow_params(&mut self) {
        let t = self.mempool.params().consensus_timeout_ms;
        if t != self.timeout_ms {
            tracing::info!(from = self.timeout_ms, to = t, "consensus timeout changed by governance");
            self.timeout_ms = t;
            if let Some(core) = self.core.as_mut() {
                core.set_base_timeout(t);
            }
        }
    }

    /// The executed membership changed: follow it in the peer table and the transport, and
    /// switch to the new epoch when the validator set changed.
    fn on_membership(&mut self, epoch: Epoch) {
        let mut peers = HashMap::new();
        for (id, name, validator) in member_peers(&epoch.membership, &self.my_id) {
            let (height, round, epoch) = self.peers.get(&id).map(|p| (p.height, p.round, p.epoch)).unwrap_or_default();
            peers.insert(id, PeerInfo { name, validator, height, round, epoch });
        }
        self.peers = peers;
        if epoch.number() == self.epoch.number() {
            self.epoch = epoch;
        } else {
            // The old set's signatures on its last block may still be on their way (a removed
            // validator's may be needed for the quorum): its nodes stay admitted until that seal
            // is complete (a synced block came with its seal).
            let last = epoch.membership.start_height.saturating_sub(1);
            self.boundary_sealed = self.seals.get(&last).is_some_and(|c| c.done);
            self.switch_epoch(epoch);
        }
        self.apply_members();
    }

    /// Admits the current member nodes under the current member CAs and, until the previous
    /// epoch's last block is sealed, that epoch's validators too.
    fn apply_members(&self) {
        let mut allowed: Vec<Vec<u8>> = self.peers.keys().cloned().collect();
        if !self.boundary_sealed {
            if let Some(prev) = &self.prev_epoch {
                for k in &prev.vs.keys {
                    let id = k.as_bytes().to_vec();
                    if id != self.my_id && !allowed.contains(&id) {
                        allowed.push(id);
                    }
                }
            }
        }
        if let Err(e) = self.transport.set_members(&member_cas(&self.epoch.membership), &allowed) {
            tracing::error!(error = %e, "cannot apply the membership to the network");
        }
    }

    /// Starts the new epoch's consensus after the last block of the old one was executed.
    fn switch_epoch(&mut self, epoch: Epoch) {
        let was = self.epoch.role();
        tracing::info!(
            epoch = epoch.number(),
            validators = epoch.vs.n(),
            index = ?epoch.me,
            "new membership epoch: consensus restarts with the new validator set"
        );
        if let Ok(mut ids) = self.validator_ids.write() {
            *ids = node_ids(&epoch.vs);
        }
        self.check =
            Arc::new(CheckCtx::new(self.suite, &epoch, self.mempool.clone(), self.store.clone(), &self.settings));
        // What the old core ordered and did not get executed is void: the executor drops it.
        let anchor = (0, epoch.vs.genesis_id());
        self.payloads.clear();
        self.inflight.clear();
        self.inflight_set.clear();
        self.queue.clear();
        self.want = None;
        self.timer = None;
        self.own_payload = None;
        self.last_payload_request = None;
        self.need_sync = false;
        self.last_dispatched = anchor;
        self.safety = SafetyFile::for_epoch(&self.data_dir, epoch.number());
        self.core = None;
        self.prev_epoch = Some(std::mem::replace(&mut self.epoch, epoch));
        if let Some(index) = self.epoch.me {
            let restored = match self.safety.load() {
                Ok(s) => s.unwrap_or(SafetyState { last_voted_round: 0, high_qc: self.epoch.vs.genesis_qc() }),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the new epoch's safety state; not voting in it");
                    return;
                }
            };
            let cfg = CoreConfig { validators: self.epoch.vs.clone(), me: index, base_timeout_ms: self.timeout_ms };
            match Core::recover(cfg, self.key.clone(), restored, anchor) {
                Ok(mut core) => {
                    let actions = core.start();
                    self.core = Some(core);
                    self.run_actions(actions);
                }
                Err(e) => tracing::error!(error = %e, "cannot start consensus in the new epoch"),
            }
        }
        if was != self.epoch.role() {
            tracing::info!(role = %self.epoch.role(), "this node's role changed with the membership");
        }
    }

    /// The validator set that seals block `height` (the current or the previous epoch's).
    fn seal_set(&self, height: u64) -> Option<&ValidatorSet> {
        if height >= self.epoch.membership.start_height {
            return Some(&self.epoch.vs);
        }
        self.prev_epoch.as_ref().filter(|e| height >= e.membership.start_height).map(|e| &e.vs)
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
        let Some(me) = self.epoch.me else { return };
        let cfg = CoreConfig { validators: self.epoch.vs.clone(), me, base_timeout_ms: self.timeout_ms };
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
        if height + 256 < self.head_height || height > self.head_height + 4096 {
            return;
        }
        // The signer's index in the set that seals this height (the previous epoch's for its
        // last blocks).
        let Some(vs) = self.seal_set(height) else { return };
        let Some((i, pk)) = vs.keys.iter().enumerate().find(|(_, k)| k.as_bytes() == from) else {
            tracing::debug!(peer = %self.peer_name(from), height, "seal signature from a non-validator of that height refused");
            return;
        };
        let i = i as u32;
        let msg = BlockHeader::signing_message(&self.genesis_hash, &hash);
        if pk.verify(self.suite, &msg, &signature).is_err() {
            tracing::warn!(peer = %self.peer_name(from), height, "bad seal signature refused");
            return;
        }
        let c = self.seals.entry(height).or_insert_with(SealCollector::new);
        c.sigs.insert(i, (hash, signature));
        self.try_complete_seal(height);
    }

    fn try_complete_seal(&mut self, height: u64) {
        let Some(quorum) = self.seal_set(height).map(|vs| vs.quorum()) else { return };
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
            if !self.boundary_sealed && height + 1 == self.epoch.membership.start_height {
                // The previous epoch's last block is sealed: its removed validators may go now.
                self.boundary_sealed = true;
                self.apply_members();
            }
        }
        let floor = self.head_height.saturating_sub(256);
        self.seals = self.seals.split_off(&floor);
    }

    // ------------------------------------------------------------ catch-up sync

    fn serve_sync(&mut self, to: Vec<u8>, start: u64, max: u32) {
        let store = self.store.clone();
        let transport = self.transport.clone();
        let max = max.clamp(1, SYNC_BATCH) as u64;
        tokio::task::spawn_blocking(move || {
            let read = || -> Result<Vec<Block>, hechain_storage::StorageError> {
                let r = store.reader()?;
                let mut out = Vec::new();
                let mut bytes = 0usize;
                for h in start.max(1)..start.max(1).saturating_add(max) {
                    let Some(b) = r.block(h)? else { break };
                    let sealers = match governance::membership_at(&r, h) {
                        Ok(m) => m.validators.len(),
                        Err(e) => {
                            tracing::error!(error = %e, height = h, "cannot read the membership of a block");
                            break;
                        }
                    };
                    if b.seal.signatures.len() < hechain_execution::certificate::quorum(sealers) {
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
            .map(|(id, p)| (id.clone(), p.height, p.epoch));
        let Some((peer, height, peer_epoch)) = best else { return };
        // Blocks queued for the executor (committed by consensus, or synced earlier) get stored
        // without help: a node that is only busy executing must not fetch them again (under load
        // that was a steady stream of multi-megabyte sync responses). A known gap syncs from the
        // stored head; a queued block that turns out not to extend the chain is refused by the
        // executor and the next request starts from the stored head again.
        let queued = if self.need_sync { 0 } else { self.pending_blocks.load(Ordering::Relaxed) };
        let expected = self.head_height + queued;
        let behind = height > expected;
        // A peer in a newer epoch executed the end of ours: our epoch's consensus will not commit
        // its last blocks any more (the others stopped it), so fetch them at once.
        let want = behind
            && (self.need_sync
                || self.epoch.me.is_none()
                || peer_epoch > self.epoch.number()
                || height >= expected + SYNC_LAG);
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
                if connected.contains(&p.id) {
                    self.unreachable_since.remove(&p.id);
                    continue;
                }
                let since = *self.unreachable_since.entry(p.id.clone()).or_insert(now);
                if self.dialing.contains(&p.id) || (self.my_id > p.id && now.duration_since(since) < DIAL_ANYWAY_AFTER)
                {
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
        let frame: Arc<[u8]> =
            NetMsg::Status { height: self.head_height, round, epoch: self.epoch.number() }.encode().into();
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
        let leader = if self.core.is_some() { Some(self.epoch.vs.leader(round)) } else { None };
        let v = json!({
            "role": self.epoch.role(),
            "index": self.epoch.me,
            "epoch": self.epoch.number(),
            "round": round,
            "leader": leader.and_then(|l| self.epoch.membership.validators.get(l as usize)).map(|v| v.name.clone()),
            "high_qc_round": high_qc,
            "timeout_ms": self.timeout_ms,
            "committed_round": committed,
            "executed_height": self.head_height,
            "syncing": self.need_sync,
            "validators": self.epoch.vs.n(),
            "quorum": self.epoch.vs.quorum(),
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
