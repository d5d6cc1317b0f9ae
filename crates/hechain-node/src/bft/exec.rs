//! The executor thread: applies committed blocks to storage, one at a time, in order.
//!
//! Consensus orders payloads; this thread executes each committed one on top of the stored
//! head, signs the resulting header (validators), commits it atomically and announces it. It
//! also applies blocks fetched by catch-up sync (after checking their quorum seal and
//! re-executing them) and stores completed seals. Running on its own thread keeps execution and
//! disk writes off the async reactor and lets consensus run ahead of execution.
//!
//! **Epochs.** The thread tracks the membership in its executed state. A block whose execution
//! changes the validator set ends its epoch: blocks the old epoch's consensus ordered above it
//! are dropped here (their transactions stay in the pools and are proposed again), the next
//! ordered block must extend the new epoch's consensus genesis, synced blocks are checked
//! against the new set, and the driver is told ([`ExecEvent::Membership`]) to switch. Every node
//! drops the same blocks: which block ends an epoch depends on executed state only.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::produce::{announcement, execute_ordered, seal_signature, BlockOrigin};
use hechain_cert::verify_seal;
use hechain_consensus::hotstuff::BlockId;
use hechain_crypto::NodeKey;
use hechain_execution::governance;
use hechain_execution::Proofs;
use hechain_mempool::{Mempool, StoreState};
use hechain_storage::Store;
use hechain_types::{Address, Block, ChainTx, CommittedBlock, Genesis, Seal, ValidatorSignature, H256};

use super::Epoch;
use rayon::prelude::*;
use tokio::sync::broadcast;

/// A payload whose transactions were decoded, hashed and signature-checked.
#[derive(Debug)]
pub(crate) struct CheckedPayload {
    pub timestamp_ms: u64,
    pub txs: Vec<(H256, ChainTx)>,
    pub digest: H256,
}

impl CheckedPayload {
    /// Hashes the transactions of a decoded payload (in parallel) and computes its digest. The
    /// caller compares the digest with the proposal's and is responsible for the signatures.
    pub fn hashed(suite: hechain_crypto::Suite, p: super::wire::BlockPayload) -> Self {
        let txs: Vec<(H256, ChainTx)> = p.txs.into_par_iter().map(|t| (t.hash(suite), t)).collect();
        let hashes: Vec<H256> = txs.iter().map(|(h, _)| *h).collect();
        let digest = super::wire::BlockPayload::digest(suite, p.timestamp_ms, &hashes);
        CheckedPayload { timestamp_ms: p.timestamp_ms, txs, digest }
    }
}

pub(crate) enum ExecJob {
    /// A block committed by consensus in membership epoch `epoch`.
    Ordered { epoch: u64, id: BlockId, round: u64, parent: BlockId, proposer: u32, payload: Arc<CheckedPayload> },
    /// A block fetched from a peer by catch-up sync.
    Synced(Box<Block>),
    /// A completed seal for a stored block.
    Seal { height: u64, seal: Seal },
}

#[derive(Debug)]
pub(crate) enum ExecEvent {
    /// A block was stored.
    Executed {
        height: u64,
        header_hash: H256,
        round: u64,
        consensus_id: BlockId,
        own_sig: Option<ValidatorSignature>,
        /// Came from sync (its seal is already complete).
        synced: bool,
    },
    /// An ordered block does not extend the stored head: blocks are missing, sync them.
    Gap { round: u64 },
    /// A stored block's incomplete seal was replaced by a peer's quorum seal.
    SealRepaired { height: u64 },
    /// A synced block was refused.
    SyncRefused { height: u64, reason: String },
    /// The block just executed changed the membership (a new epoch when the validators changed).
    Membership(Box<Epoch>),
    /// The block just executed revoked certificates: the complete list now in force.
    Revoked(Vec<[u8; 32]>),
}

pub(crate) struct Executor {
    pub store: Arc<Store>,
    pub mempool: Arc<Mempool>,
    pub genesis: Arc<Genesis>,
    pub genesis_hash: H256,
    /// This node's key (it signs seals while the node is a validator of the epoch).
    pub key: NodeKey,
    /// The epoch of the executed head: the set that seals the next block.
    pub epoch: Epoch,
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    /// Block jobs (ordered or synced) sent and not yet processed: the driver counts up, this
    /// thread down, so that catch-up does not fetch again blocks only waiting in this queue.
    pub pending_blocks: Arc<AtomicU64>,
    /// Where a failed write is reported: the executor then stops ([`crate::fatal`]).
    pub fatal: crate::Fatal,
    /// The revoked certificate fingerprints in the executed state.
    pub revoked: Vec<[u8; 32]>,
}

impl Executor {
    /// Runs until the job channel closes or `notify` (which reports each event) returns false.
    pub fn run(mut self, jobs: std::sync::mpsc::Receiver<ExecJob>, notify: impl Fn(ExecEvent) -> bool) {
        while let Ok(job) = jobs.recv() {
            let res = match job {
                ExecJob::Ordered { epoch, id, round, parent, proposer, payload } => {
                    let res = self.ordered(epoch, id, round, parent, proposer, &payload);
                    self.pending_blocks.fetch_sub(1, Ordering::Relaxed);
                    res
                }
                ExecJob::Synced(block) => {
                    let res = self.synced(*block);
                    self.pending_blocks.fetch_sub(1, Ordering::Relaxed);
                    res
                }
                ExecJob::Seal { height, seal } => match self.store.update_seal(height, &seal) {
                    Ok(()) => Ok(None),
                    Err(e) => {
                        self.fatal.report(format!("the seal of block {height} could not be stored: {e}"));
                        Err(e.to_string())
                    }
                },
            };
            let executed = matches!(res, Ok(Some(ExecEvent::Executed { .. })));
            let mut events = Vec::with_capacity(2);
            match res {
                Ok(ev) => events.extend(ev),
                Err(e) => tracing::error!(error = %e, "executor: storage or execution failed"),
            }
            // After a stored block: a membership change is reported right behind it.
            if executed {
                match self.refresh_epoch() {
                    Ok(ev) => events.extend(ev),
                    Err(e) => tracing::error!(error = %e, "executor: cannot read the membership"),
                }
                match self.refresh_revoked() {
                    Ok(ev) => events.extend(ev),
                    Err(e) => tracing::error!(error = %e, "executor: cannot read the revoked certificates"),
                }
            }
            for ev in events {
                if !notify(ev) {
                    return;
                }
            }
            if self.fatal.get().is_some() {
                return;
            }
        }
    }

    /// Reads the membership after a block; reports it when it changed.
    fn refresh_epoch(&mut self) -> Result<Option<ExecEvent>, String> {
        let reader = self.store.reader().map_err(|e| e.to_string())?;
        let m = governance::membership(&reader).map_err(|e| e.to_string())?;
        if m == self.epoch.membership {
            return Ok(None);
        }
        let epoch = Epoch::new(&self.genesis, m, &self.key.public_key())?;
        if epoch.membership.epoch != self.epoch.membership.epoch {
            tracing::info!(
                epoch = epoch.membership.epoch,
                from_height = epoch.membership.start_height,
                validators = epoch.vs.n(),
                "validator set changed: new epoch"
            );
        }
        self.epoch = epoch.clone();
        Ok(Some(ExecEvent::Membership(Box::new(epoch))))
    }

    /// Reads the revoked certificates after a block; reports them when they changed.
    fn refresh_revoked(&mut self) -> Result<Option<ExecEvent>, String> {
        let reader = self.store.reader().map_err(|e| e.to_string())?;
        let now = governance::revoked_certs(&reader).map_err(|e| e.to_string())?.fingerprints();
        if now == self.revoked {
            return Ok(None);
        }
        tracing::warn!(revoked = now.len(), "the chain revoked node certificates");
        self.revoked = now.clone();
        Ok(Some(ExecEvent::Revoked(now)))
    }

    fn ordered(
        &self,
        epoch: u64,
        id: BlockId,
        round: u64,
        parent: BlockId,
        proposer: u32,
        payload: &CheckedPayload,
    ) -> Result<Option<ExecEvent>, String> {
        let reader = self.store.reader().map_err(|e| e.to_string())?;
        if epoch != self.epoch.membership.epoch {
            // Ordered by an epoch that has ended (at a block below this one): dropped on every node.
            tracing::debug!(epoch, round, "block ordered in an ended epoch dropped");
            return Ok(None);
        }
        let head = reader.head().map_err(|e| e.to_string())?;
        let first_of_epoch = head.height + 1 == self.epoch.membership.start_height;
        let expected = if first_of_epoch { self.epoch.vs.genesis_id() } else { head.consensus_id };
        if parent != expected {
            if !first_of_epoch && round <= head.round {
                return Ok(None); // already applied (synced)
            }
            return Ok(Some(ExecEvent::Gap { round }));
        }
        let origin = BlockOrigin { timestamp_ms: payload.timestamp_ms, proposer, round, consensus_id: id };
        // Pipelined leaders can order a transaction twice (in two blocks, or twice in one): only
        // its first occurrence enters the chain. Deterministic: it depends on committed history only.
        let mut seen = HashSet::with_capacity(payload.txs.len());
        let mut txs = Vec::with_capacity(payload.txs.len());
        for (h, t) in &payload.txs {
            if seen.insert(*h) && !reader.has_transaction(h).map_err(|e| e.to_string())? {
                txs.push((*h, t.clone()));
            }
        }
        // An ordered payload was checked before this node voted for it or proposed it (or before
        // it was journaled): its transactions' proofs were verified then.
        let mut commit =
            execute_ordered(&reader, &self.genesis, origin, txs, Proofs::Verified).map_err(|e| e.to_string())?;
        drop(reader);
        let own_sig = self.epoch.me.map(|index| {
            seal_signature(&self.key, index, &self.genesis_hash, self.genesis.suite(), &commit.block.header)
        });
        if let Some(sig) = &own_sig {
            commit.block.seal = Seal { signatures: vec![sig.clone()] };
        }
        self.store_and_announce(commit, own_sig, false)
    }

    fn synced(&self, block: Block) -> Result<Option<ExecEvent>, String> {
        let suite = self.genesis.suite();
        let height = block.header.height;
        let refuse = |reason: String| Ok(Some(ExecEvent::SyncRefused { height, reason }));
        let reader = self.store.reader().map_err(|e| e.to_string())?;
        let head = reader.head().map_err(|e| e.to_string())?;
        if height <= head.height {
            // Already stored (consensus got there first). If our copy's seal never reached a
            // quorum (e.g. we crashed right after storing it), adopt the peer's verified seal.
            return self.repair_seal(&reader, block);
        }
        if height != head.height + 1 {
            return refuse(format!("does not follow the stored head {}", head.height));
        }
        // The set in force at the stored head (the block's parent) seals it.
        if let Err(e) = verify_seal(&self.genesis, &self.epoch.vs.keys, &block.header, &block.seal) {
            return refuse(e.to_string());
        }
        let txs: Vec<(H256, ChainTx)> = block.transactions.into_par_iter().map(|t| (t.hash(suite), t)).collect();
        let h = &block.header;
        let origin = BlockOrigin {
            timestamp_ms: h.timestamp_ms,
            proposer: h.proposer,
            round: h.round,
            consensus_id: h.consensus_id,
        };
        let mut commit =
            execute_ordered(&reader, &self.genesis, origin, txs, Proofs::Verify).map_err(|e| e.to_string())?;
        drop(reader);
        if commit.block.header != block.header {
            return refuse("re-executing the block gives a different header (state diverges)".into());
        }
        commit.block.seal = block.seal;
        self.store_and_announce(commit, None, true)
    }

    fn repair_seal(&self, reader: &hechain_storage::StoreReader, block: Block) -> Result<Option<ExecEvent>, String> {
        let height = block.header.height;
        let Some(stored) = reader.header(height).map_err(|e| e.to_string())? else { return Ok(None) };
        let sealed_by = governance::membership_at(reader, height).map_err(|e| e.to_string())?;
        let keys = sealed_by.validator_keys(self.genesis.suite()).map_err(|e| e.to_string())?;
        let quorum = hechain_cert::quorum(keys.len());
        if stored != block.header || reader.seal(height).map_err(|e| e.to_string())?.signatures.len() >= quorum {
            return Ok(None);
        }
        if verify_seal(&self.genesis, &keys, &block.header, &block.seal).is_err() {
            return Ok(Some(ExecEvent::SyncRefused { height, reason: "offered seal does not verify".into() }));
        }
        self.store.update_seal(height, &block.seal).map_err(|e| e.to_string())?;
        Ok(Some(ExecEvent::SealRepaired { height }))
    }

    /// Commits the block atomically, tells the pool and the subscribers, and reports it.
    fn store_and_announce(
        &self,
        commit: hechain_storage::BlockCommit,
        own_sig: Option<ValidatorSignature>,
        synced: bool,
    ) -> Result<Option<ExecEvent>, String> {
        if let Err(e) = self.store.commit_block(&commit) {
            self.fatal.report(crate::fatal::commit_failure(commit.block.header.height, &e));
            return Err(e.to_string());
        }
        let ann = announcement(self.genesis.suite(), commit);
        let included: Vec<(Address, u64)> = ann.block.transactions.iter().map(|t| (t.sender(), t.nonce())).collect();
        if !included.is_empty() {
            self.mempool.on_committed(&included, &ann.tx_hashes, &StoreState::new(&self.store));
        }
        let _ = self.blocks.send(ann.clone());
        let h = &ann.block.header;
        Ok(Some(ExecEvent::Executed {
            height: h.height,
            header_hash: ann.hash,
            round: h.round,
            consensus_id: h.consensus_id,
            own_sig,
            synced,
        }))
    }
}
