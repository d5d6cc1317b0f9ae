//! Shared harness of the execution tests: execute and commit a block over a real store.

use hechain_crypto::NodeKey;
use hechain_execution::{execute_block, BlockContext, ExecutionOutput};
use hechain_storage::{BlockCommit, Store};
use hechain_types::*;

/// The genesis validator entry of `node`.
pub fn validator(node: &NodeKey) -> ValidatorInfo {
    ValidatorInfo { name: "v0".into(), public_key: node.public_key().as_bytes().to_vec(), org: String::new() }
}

/// A fresh store in a temporary directory, initialised with `genesis`.
pub fn open_store(genesis: &Genesis) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), genesis, |s| {
        Ok(hechain_execution::genesis_commit(genesis, &s.reader()?).expect("genesis"))
    })
    .unwrap();
    (dir, store)
}

/// Executes and commits one block the way the block producer does.
pub fn commit(store: &Store, genesis: &Genesis, node: &NodeKey, txs: Vec<ChainTx>) -> (ExecutionOutput, BlockHeader) {
    let suite = genesis.suite();
    let r = store.reader().unwrap();
    let parent = r.head().unwrap();
    let hashes: Vec<H256> = txs.iter().map(|t| t.hash(suite)).collect();
    let ctx = BlockContext {
        suite,
        height: parent.height + 1,
        timestamp_ms: parent.timestamp_ms + 10,
        parent_hash: parent.hash(suite),
    };
    let out = execute_block(&r, &parent.state_root, ctx, genesis.chain_id, &genesis.params, &txs, &hashes).unwrap();
    let receipt_hashes: Vec<H256> = out.receipts.iter().map(|r| r.hash(suite)).collect();
    let header = BlockHeader {
        version: 1,
        chain_id: genesis.chain_id,
        height: ctx.height,
        parent_hash: parent.hash(suite),
        timestamp_ms: ctx.timestamp_ms,
        proposer: 0,
        tx_root: merkle::root(suite, &hashes),
        receipts_root: merkle::root(suite, &receipt_hashes),
        state_root: out.state_root,
        tx_count: txs.len() as u32,
        round: ctx.height,
        consensus_id: H256::ZERO,
    };
    let sig = node.sign(&BlockHeader::signing_message(&genesis.hash(), &header.hash(suite)));
    let block = Block {
        header: header.clone(),
        seal: Seal { signatures: vec![ValidatorSignature { validator: 0, signature: sig.0.to_vec() }] },
        transactions: txs,
    };
    drop(r);
    store
        .commit_block(&BlockCommit {
            block,
            tx_hashes: hashes,
            receipts: out.receipts.clone(),
            state_writes: out.state_writes.clone(),
            smt_nodes: out.smt_nodes.clone(),
        })
        .unwrap();
    (out, header)
}
