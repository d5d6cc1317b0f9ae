//! `solo` consensus: a single validator seals every block.
//!
//! The loop wakes every `block_time`; if the pool has ready transactions
//! (or empty blocks are enabled) it builds, seals and commits a block on a
//! blocking thread, then tells the pool which senders advanced and
//! announces the block. When a block was full, the next one starts at once.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hechain_crypto::NodeKey;
use hechain_mempool::{Mempool, StoreState};
use hechain_storage::Store;
use hechain_types::{Address, CommittedBlock, Genesis, H256};
use tokio::sync::{broadcast, watch};

use crate::produce::{announcement, build_block, ProduceError};

/// Settings of the solo producer.
#[derive(Clone, Debug)]
pub struct SoloConfig {
    /// Interval between blocks.
    pub block_time: Duration,
    /// Produce blocks even when there is nothing to include.
    pub empty_blocks: bool,
    /// Without `empty_blocks`: still produce an empty block when none was produced for this
    /// long. Clients that wait for "a later block" (ethers' `tx.wait()`) then never stall on an
    /// idle chain.
    pub idle_block: Option<Duration>,
    /// Most transactions per block (capped by the genesis parameter).
    pub max_block_txs: usize,
}

/// The solo block producer.
pub struct Solo {
    store: Arc<Store>,
    mempool: Arc<Mempool>,
    genesis: Arc<Genesis>,
    genesis_hash: H256,
    key: NodeKey,
    index: u32,
    config: SoloConfig,
    blocks: broadcast::Sender<Arc<CommittedBlock>>,
    last_block: std::sync::Mutex<Instant>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Solo {
    /// A producer for `genesis`, whose validator set must contain `key`.
    pub fn new(
        store: Arc<Store>,
        mempool: Arc<Mempool>,
        genesis: Arc<Genesis>,
        key: NodeKey,
        config: SoloConfig,
        blocks: broadcast::Sender<Arc<CommittedBlock>>,
    ) -> Result<Self, ProduceError> {
        let keys = genesis.validator_keys().map_err(|e| ProduceError::Config(e.to_string()))?;
        let index = keys
            .iter()
            .position(|k| *k == key.public_key())
            .ok_or_else(|| ProduceError::Config("this node's key is not a validator in the genesis".into()))?;
        if keys.len() != 1 {
            return Err(ProduceError::Config(format!(
                "solo consensus needs exactly one validator, the genesis has {}",
                keys.len()
            )));
        }
        let genesis_hash = genesis.hash();
        let mut config = config;
        // The chain parameter in force (read at each block) is the hard limit; the node setting
        // may only lower it.
        config.max_block_txs = config.max_block_txs.max(1);
        Ok(Self {
            store,
            mempool,
            genesis,
            genesis_hash,
            key,
            index: index as u32,
            config,
            blocks,
            last_block: std::sync::Mutex::new(Instant::now()),
        })
    }

    /// Builds and commits one block if there is something to include (or
    /// empty blocks are on). Blocking: call from a blocking thread.
    pub fn produce(&self) -> Result<Option<Arc<CommittedBlock>>, ProduceError> {
        let t0 = Instant::now();
        let params = self.mempool.params();
        let max_txs = self.config.max_block_txs.min(params.max_block_txs as usize).max(1);
        let txs = self.mempool.ready_excluding(max_txs, params.block_gas_limit, &|_| false);
        let idle_due = || {
            let last = *self.last_block.lock().unwrap_or_else(|e| e.into_inner());
            self.config.idle_block.is_some_and(|d| last.elapsed() >= d)
        };
        if txs.is_empty() && !self.config.empty_blocks && !idle_due() {
            return Ok(None);
        }
        let t_ready = t0.elapsed();
        let reader = self.store.reader()?;
        let commit = build_block(&reader, &self.genesis, &self.genesis_hash, &self.key, self.index, now_ms(), txs)?;
        drop(reader);
        let t_build = t0.elapsed();
        self.store.commit_block(&commit)?;
        *self.last_block.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        let announce = announcement(self.genesis.suite(), commit);
        let t_commit = t0.elapsed();
        let included: Vec<(Address, u64)> =
            announce.block.transactions.iter().map(|t| (t.sender(), t.nonce())).collect();
        self.mempool.on_committed(&included, &announce.tx_hashes, &StoreState::new(&self.store));
        // Nobody listening is fine.
        let _ = self.blocks.send(announce.clone());
        tracing::debug!(
            height = announce.block.header.height,
            txs = announce.tx_hashes.len(),
            ready_ms = t_ready.as_millis() as u64,
            build_ms = (t_build - t_ready).as_millis() as u64,
            commit_ms = (t_commit - t_build).as_millis() as u64,
            pool_ms = (t0.elapsed() - t_commit).as_millis() as u64,
            "block produced"
        );
        Ok(Some(announce))
    }

    /// Runs until `shutdown` becomes true. A block that fails to execute is logged and retried
    /// at the next tick (nothing was committed); a storage failure is reported to `fatal` and
    /// ends the loop ([`crate::fatal`]).
    /// Blocks are produced on a [`ConsensusPool`](crate::work::ConsensusPool) of the loop's
    /// own, never behind API work.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>, fatal: crate::Fatal) {
        let pool = match crate::work::ConsensusPool::new() {
            Ok(p) => p,
            Err(e) => {
                fatal.report(format!("cannot produce blocks: {e}"));
                return;
            }
        };
        loop {
            if *shutdown.borrow() {
                return;
            }
            let started = Instant::now();
            let this = self.clone();
            let full = match pool.run("producing a block", move || this.produce()).await {
                Ok(Ok(Some(b))) => b.tx_hashes.len() >= self.config.max_block_txs,
                Ok(Ok(None)) => false,
                Ok(Err(ProduceError::Storage(e))) => {
                    let next = self.store.reader().and_then(|r| r.head_height()).map_or(0, |h| h + 1);
                    fatal.report(crate::fatal::commit_failure(next, &e));
                    return;
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "block production failed");
                    false
                }
                Err(e) => {
                    tracing::error!(error = %e, "block production task panicked");
                    false
                }
            };
            if full {
                continue;
            }
            let wait = self.config.block_time.saturating_sub(started.elapsed());
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
