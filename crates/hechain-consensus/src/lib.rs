//! Consensus: who produces blocks and what makes them final.
//!
//! [`solo`] is the one-validator case used by `hechain dev`: the validator
//! takes ready transactions from the pool, executes them, seals the header
//! with its node key and commits atomically. The HotStuff-family BFT core
//! for multi-validator networks builds on the same block construction
//! ([`build_block`]).

pub mod hotstuff;
pub mod solo;

use std::sync::Arc;

use hechain_crypto::NodeKey;
use hechain_execution::{execute_block, BlockContext};
use hechain_storage::{BlockCommit, StoreReader};
use hechain_types::{
    merkle, Block, BlockHeader, CommittedBlock, Genesis, Seal, SignedTransaction, ValidatorSignature, H256,
};
use rayon::prelude::*;

/// Errors of block production.
#[derive(Debug, thiserror::Error)]
pub enum ConsensusError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] hechain_storage::StorageError),
    /// Execution failed.
    #[error(transparent)]
    Exec(#[from] hechain_execution::ExecError),
    /// Configuration does not fit the genesis.
    #[error("{0}")]
    Config(String),
}

/// Executes `txs` on top of the snapshot's head and returns the sealed
/// block with everything to commit.
pub fn build_block(
    reader: &StoreReader,
    genesis: &Genesis,
    genesis_hash: &H256,
    key: &NodeKey,
    validator_index: u32,
    timestamp_ms: u64,
    txs: Vec<(H256, SignedTransaction)>,
) -> Result<BlockCommit, ConsensusError> {
    let suite = genesis.suite();
    let parent = reader.head()?;
    let height = parent.height + 1;
    // The block timestamp never goes backwards, whatever the local clock does.
    let timestamp_ms = timestamp_ms.max(parent.timestamp_ms);
    let (tx_hashes, transactions): (Vec<H256>, Vec<SignedTransaction>) = txs.into_iter().unzip();
    let ctx = BlockContext { suite, height, timestamp_ms };
    let out = execute_block(
        reader,
        &parent.state_root,
        ctx,
        genesis.chain_id,
        genesis.params.min_fee,
        &transactions,
        &tx_hashes,
    )?;
    let receipt_hashes: Vec<H256> = out.receipts.par_iter().map(|r| r.hash(suite)).collect();
    let header = BlockHeader {
        version: 1,
        chain_id: genesis.chain_id,
        height,
        parent_hash: parent.hash(suite),
        timestamp_ms,
        proposer: validator_index,
        tx_root: merkle::root(suite, &tx_hashes),
        receipts_root: merkle::root(suite, &receipt_hashes),
        state_root: out.state_root,
        tx_count: transactions.len() as u32,
    };
    let hash = header.hash(suite);
    let sig = key.sign(&BlockHeader::signing_message(genesis_hash, &hash));
    let seal = Seal { signatures: vec![ValidatorSignature { validator: validator_index, signature: sig.0.to_vec() }] };
    let block = Block { header, seal, transactions };
    Ok(BlockCommit {
        block,
        tx_hashes,
        receipts: out.receipts,
        state_writes: out.state_writes,
        smt_nodes: out.smt_nodes,
    })
}

/// The announcement of a committed block (moves the block out of the commit).
pub fn announcement(suite: hechain_crypto::Suite, commit: BlockCommit) -> Arc<CommittedBlock> {
    Arc::new(CommittedBlock {
        hash: commit.block.header.hash(suite),
        block: commit.block,
        tx_hashes: commit.tx_hashes,
        receipts: commit.receipts,
    })
}
