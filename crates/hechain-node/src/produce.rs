//! Block production: the execution and sealing of an ordered block, shared by the solo producer
//! ([`crate::solo`]) and the BFT executor ([`crate::bft`]).

use std::sync::Arc;

use hechain_crypto::NodeKey;
use hechain_execution::{execute_block, BlockContext, Proofs};
use hechain_storage::{BlockCommit, StoreReader};
use hechain_types::{merkle, Block, BlockHeader, ChainTx, CommittedBlock, Genesis, Seal, ValidatorSignature, H256};
use rayon::prelude::*;

/// Errors of block production.
#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
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

/// Where an ordered block came from: the fields of its header that consensus (not execution) decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockOrigin {
    /// Proposer's clock (raised to the parent's timestamp if smaller).
    pub timestamp_ms: u64,
    /// Proposing validator.
    pub proposer: u32,
    /// Consensus round (solo: the height).
    pub round: u64,
    /// HotStuff block id (solo: zero).
    pub consensus_id: H256,
}

/// Executes `txs` on top of the snapshot's head and returns the block (with an empty seal) and
/// everything to commit. Deterministic: every node executing the same ordered block on the same
/// head gets the same header.
pub fn execute_ordered(
    reader: &StoreReader,
    genesis: &Genesis,
    origin: BlockOrigin,
    txs: Vec<(H256, ChainTx)>,
    proofs: Proofs,
) -> Result<BlockCommit, ProduceError> {
    let suite = genesis.suite();
    let parent = reader.head()?;
    let height = parent.height + 1;
    // The block timestamp never goes backwards, whatever the proposer's clock does.
    let timestamp_ms = origin.timestamp_ms.max(parent.timestamp_ms);
    let (tx_hashes, transactions): (Vec<H256>, Vec<ChainTx>) = txs.into_iter().unzip();
    let parent_hash = parent.hash(suite);
    let ctx = BlockContext { suite, genesis_hash: genesis.hash(), height, timestamp_ms, parent_hash };
    let out = execute_block(reader, &parent.state_root, ctx, (genesis.chain_id, proofs), &transactions, &tx_hashes)?;
    let receipt_hashes: Vec<H256> = out.receipts.par_iter().map(|r| r.hash(suite)).collect();
    let header = BlockHeader {
        version: 1,
        chain_id: genesis.chain_id,
        height,
        parent_hash,
        timestamp_ms,
        proposer: origin.proposer,
        tx_root: merkle::root(suite, &tx_hashes),
        receipts_root: merkle::root(suite, &receipt_hashes),
        state_root: out.state_root,
        tx_count: transactions.len() as u32,
        round: origin.round,
        consensus_id: origin.consensus_id,
    };
    let block = Block { header, seal: Seal::default(), transactions };
    Ok(BlockCommit {
        block,
        tx_hashes,
        receipts: out.receipts,
        state_writes: out.state_writes,
        smt_nodes: out.smt_nodes,
    })
}

/// This validator's seal signature over `header`.
pub fn seal_signature(
    key: &NodeKey,
    validator: u32,
    genesis_hash: &H256,
    suite: hechain_crypto::Suite,
    header: &BlockHeader,
) -> ValidatorSignature {
    let sig = key.sign(&BlockHeader::signing_message(genesis_hash, &header.hash(suite)));
    ValidatorSignature { validator, signature: sig.0.to_vec() }
}

/// Executes `txs` on top of the snapshot's head and returns the block sealed by this (solo)
/// validator with everything to commit.
pub fn build_block(
    reader: &StoreReader,
    genesis: &Genesis,
    genesis_hash: &H256,
    key: &NodeKey,
    validator_index: u32,
    timestamp_ms: u64,
    txs: Vec<(H256, ChainTx)>,
) -> Result<BlockCommit, ProduceError> {
    let height = reader.head_height()? + 1;
    let origin = BlockOrigin { timestamp_ms, proposer: validator_index, round: height, consensus_id: H256::ZERO };
    // The solo producer's transactions come from its pool, which checked their proofs.
    let mut commit = execute_ordered(reader, genesis, origin, txs, Proofs::Verified)?;
    let sig = seal_signature(key, validator_index, genesis_hash, genesis.suite(), &commit.block.header);
    commit.block.seal = Seal { signatures: vec![sig] };
    Ok(commit)
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
