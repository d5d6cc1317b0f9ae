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

// One concern per file: `start` (building the driver), `check` and `proposer` (payloads and
// proposals), `commit` (ordered blocks to the executor, the journal), `exec` (the executor
// thread), `seal`, `sync`, `epoch`, `status`; `journal`, `safety` and `wire` are the formats.
mod check;
mod commit;
mod epoch;
mod exec;
pub mod journal;
mod proposer;
pub mod safety;
mod seal;
mod start;
mod status;
mod sync;
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
use hechain_network::{AllowedPeer, Inbound, Limits, NetConfig, Transport};
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

pub(crate) use self::epoch::Epoch;
pub(crate) use self::start::start;

use self::check::CheckCtx;
use self::commit::restore_journal;
use self::epoch::{allowed_peer, epoch_anchor, member_cas, member_peers, node_ids};
use self::exec::{CheckedPayload, ExecEvent, ExecJob, Executor};
use self::journal::BlockJournal;
use self::safety::SafetyFile;
use self::seal::SealCollector;
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
/// This node's seal signatures of blocks whose seal is still short of a quorum are sent again
/// this often (signatures in flight are lost when every node stops at once).
const SEAL_RESEND_EVERY: Duration = Duration::from_secs(3);
/// Without a stored block for this long (or four round timeouts, if longer), a node reports
/// why at WARN and in its status.
const STALL_AFTER: Duration = Duration::from_secs(10);
/// Without progress for this long, a node syncs from a peer that is ahead by any gap (closer
/// gaps are otherwise left to consensus).
const SYNC_ANY_GAP_AFTER: Duration = Duration::from_secs(3);
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

struct PeerInfo {
    name: String,
    validator: Option<u32>,
    /// Its stored height as it last told us (0 until its first status message: see `heard`).
    height: u64,
    /// Whether it has told us its height since this node started.
    heard: bool,
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

struct Driver {
    /// Where consensus work runs: never behind client work ([`crate::work`]).
    pool: crate::work::ConsensusPool,
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
    /// The blocks this validator voted for, above the executed head ([`journal`]).
    journal: BlockJournal,
    /// The journal holds nothing at or below this round any more.
    journal_pruned: u64,
    /// Round of the last stored block of the current epoch (0 before its first).
    executed_round: u64,
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
    last_seal_resend: Instant,
    /// When the last block was stored (or the driver started).
    last_progress: Instant,
    /// Why the node makes no progress, when it does not ([`Driver::stall_reason`]).
    stall: Option<String>,
    stall_logged: Option<Instant>,
    status_tx: watch::Sender<serde_json::Value>,
}

/// Builds the validator set the HotStuff core uses in the genesis epoch (epoch 0).
pub fn validator_set(genesis: &Genesis) -> Result<ValidatorSet, NodeError> {
    let keys = genesis
        .validator_keys()
        .map_err(|e| NodeError::BadFile { path: crate::GENESIS_FILE.into(), reason: e.to_string() })?;
    Ok(ValidatorSet::for_epoch(genesis.suite(), genesis.hash(), 0, keys))
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
        self.pool.spawn("decoding a frame", move || match NetMsg::decode(&m.bytes) {
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
                // Client work (these came from clients of other nodes): not on the consensus pool.
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
                    p.heard = true;
                    p.round = round;
                    p.epoch = epoch;
                }
            }
            NetMsg::SyncRequest { from: start, max } => self.serve_sync(from, start, max),
            NetMsg::SyncResponse { blocks } => self.on_sync_response(from, blocks),
        }
    }

    // ------------------------------------------------------------ proposals and payloads

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
                Action::PersistBlock(p) => {
                    if let Err(e) = self.persist_block(&p) {
                        // Voting for a block that is not durable here could leave a certified
                        // block on fewer than a quorum's disks after a restart of everything.
                        tracing::error!(error = %e, round = p.block.round, "cannot journal a consensus block; dropping the actions that depend on it");
                        return;
                    }
                }
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

    /// Writes a block this node is about to vote for (or propose) to the journal, with its
    /// payload (a peer's, checked, or the one this node built).
    fn persist_block(&self, p: &Proposal) -> Result<(), NodeError> {
        let id = self.epoch.vs.block_id(&p.block);
        let encoded = match self.payloads.get(&id).and_then(|(_, _, e)| e.clone()) {
            Some(e) => e,
            None => match &self.own_payload {
                Some((own, e)) if own.digest == p.block.payload_digest => e.clone(),
                _ => return Err(NodeError::Config(format!("no payload for the block of round {}", p.block.round))),
            },
        };
        self.journal.save(&id, p, &encoded)
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

    fn housekeeping(&mut self) {
        self.maybe_build();
        self.maybe_sync();
        let now = Instant::now();
        if now.duration_since(self.last_status) >= STATUS_EVERY {
            self.broadcast_status();
            self.check_stall(now);
            self.prune_journal();
            self.publish_status();
        }
        if now.duration_since(self.last_seal_resend) >= SEAL_RESEND_EVERY {
            self.last_seal_resend = now;
            self.resend_own_seals();
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
}

/// Parses a node id given as hex (`0x` optional) for the genesis suite.
pub fn parse_node_id(suite: Suite, hex_id: &str) -> Result<Vec<u8>, NodeError> {
    NodePublicKey::from_hex(suite, hex_id)
        .map(|k| k.as_bytes().to_vec())
        .map_err(|e| NodeError::Config(format!("node id {hex_id}: {e}")))
}
