//! Executing and committing blocks over a real store, the way the block producer does: the
//! harness of the state-machine tests (`hechain-execution/tests`) and of the service modules'
//! execution tests (`crates/modules/<name>/tests/exec.rs`).

use hechain_crypto::{AccountKey, NodeKey, Suite};
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

/// Simulates `req` (`eth_call`) on the latest committed state of `store`, as the next block
/// would see it.
pub fn simulate(
    store: &Store,
    genesis: &Genesis,
    req: &hechain_execution::evm::CallRequest,
    budget: &hechain_execution::evm::Budget,
) -> hechain_execution::evm::CallOutcome {
    let r = store.reader().unwrap();
    let head = r.head().unwrap();
    let suite = genesis.suite();
    let ctx = BlockContext {
        suite,
        genesis_hash: genesis.hash(),
        height: head.height + 1,
        timestamp_ms: head.timestamp_ms,
        parent_hash: head.hash(suite),
    };
    hechain_execution::evm::call(&r, ctx, genesis.chain_id, &genesis.params, req, budget).unwrap()
}

/// Executes and commits one block the way the block producer does.
pub fn commit_block(
    store: &Store,
    genesis: &Genesis,
    node: &NodeKey,
    txs: Vec<ChainTx>,
) -> (ExecutionOutput, BlockHeader) {
    commit_block_after(store, genesis, node, txs, 10)
}

/// [`commit_block`] with the block timestamp `advance_ms` after its parent's.
pub fn commit_block_after(
    store: &Store,
    genesis: &Genesis,
    node: &NodeKey,
    txs: Vec<ChainTx>,
    advance_ms: u64,
) -> (ExecutionOutput, BlockHeader) {
    commit_block_sealed(store, genesis, txs, advance_ms, |msg| Seal {
        signatures: vec![ValidatorSignature { validator: 0, signature: node.sign(msg).0.to_vec() }],
    })
}

/// Executes and commits one block, sealed by `seal` (given the message validators sign).
pub fn commit_block_sealed(
    store: &Store,
    genesis: &Genesis,
    txs: Vec<ChainTx>,
    advance_ms: u64,
    seal: impl FnOnce(&[u8]) -> Seal,
) -> (ExecutionOutput, BlockHeader) {
    let suite = genesis.suite();
    let r = store.reader().unwrap();
    let parent = r.head().unwrap();
    let hashes: Vec<H256> = txs.iter().map(|t| t.hash(suite)).collect();
    let ctx = BlockContext {
        suite,
        genesis_hash: genesis.hash(),
        height: parent.height + 1,
        timestamp_ms: parent.timestamp_ms + advance_ms,
        parent_hash: parent.hash(suite),
    };
    let out = execute_block(
        &r,
        &parent.state_root,
        ctx,
        (genesis.chain_id, hechain_execution::Proofs::Verify),
        &txs,
        &hashes,
    )
    .unwrap();
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
    let seal = seal(&BlockHeader::signing_message(&genesis.hash(), &header.hash(suite)));
    let block = Block { header: header.clone(), seal, transactions: txs };
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

/// A one-validator chain with four funded native accounts (balance 1,000 each, chain id 5).
pub struct Env {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub genesis: Genesis,
    pub node: NodeKey,
    pub keys: Vec<AccountKey>,
}

/// A fresh [`Env`] on `suite` with the given minimum fee.
pub fn env(suite: Suite, min_fee: u64) -> Env {
    let node = NodeKey::from_bytes(suite, &[7; 32]).unwrap();
    let keys: Vec<AccountKey> =
        (1..=4u8).map(|i| AccountKey::from_bytes(suite.account_scheme(), &[i; 32]).unwrap()).collect();
    let genesis = Genesis {
        chain_id: 5,
        suite: SuiteTag(suite),
        timestamp_ms: 1_000,
        validators: vec![validator(&node)],
        accounts: keys.iter().map(|k| GenesisAccount { address: Address(k.address()), balance: 1_000 }).collect(),
        params: ChainParams { min_fee, ..ChainParams::default() },
        orgs: vec![],
        observers: vec![],
        governance: None,
    };
    let (dir, store) = open_store(&genesis);
    Env { _dir: dir, store, genesis, node, keys }
}

/// A native transaction of account `from`, signed.
pub fn tx(e: &Env, from: usize, nonce: u64, fee: u64, payload: Payload) -> SignedTransaction {
    let k = &e.keys[from];
    Transaction { chain_id: e.genesis.chain_id, nonce, sender: Address(k.address()), fee, payload }.sign(k).unwrap()
}

/// Executes and commits one block of `txs` on `e`.
pub fn commit<T: Into<ChainTx>>(e: &Env, txs: Vec<T>) -> (ExecutionOutput, BlockHeader) {
    commit_block(&e.store, &e.genesis, &e.node, txs.into_iter().map(Into::into).collect())
}

/// The genesis validator entry of `key` named `name`, of the one organisation of
/// [`consortium`] ("org").
pub fn org_node(name: &str, key: &NodeKey) -> ValidatorInfo {
    ValidatorInfo { name: name.into(), public_key: key.public_key().as_bytes().to_vec(), org: "org".into() }
}

/// Makes `g` a consortium chain of one organisation ("org"): validators `set` (see
/// [`org_node`]), and a governance committee of `committee` (weight 1 each, approval at two
/// thirds of the weight, a one-hour voting period).
pub fn consortium(g: &mut Genesis, set: Vec<ValidatorInfo>, committee: &[Address]) {
    // Only its name matters to execution (it does not parse CA certificates).
    g.orgs = vec![OrgInfo {
        name: "org".into(),
        ca_cert_pem: "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n".into(),
    }];
    g.validators = set;
    g.governance = Some(GenesisGovernance {
        committee: committee.iter().map(|a| CommitteeMember { address: *a, weight: 1, org: String::new() }).collect(),
        config: GovConfig { threshold_bps: 6_666, voting_period_ms: 3_600_000 },
        roles: vec![],
        permissions: Permissions::default(),
    });
}

/// `e` with its genesis changed by `f`, on a fresh store.
pub fn with_genesis(e: Env, f: impl FnOnce(&mut Genesis)) -> Env {
    let mut genesis = e.genesis;
    f(&mut genesis);
    let (dir, store) = open_store(&genesis);
    Env { _dir: dir, store, genesis, node: e.node, keys: e.keys }
}

/// Closes `e`'s store and opens it again from disk (a node restart).
pub fn reopen(e: Env) -> Env {
    reopen_after(e, |_| {})
}

/// Closes `e`'s store, hands its database file to `f` (to change it as another program, an
/// older hechain say, would have), and opens it again.
pub fn reopen_after(e: Env, f: impl FnOnce(&std::path::Path)) -> Env {
    let Env { _dir, store, genesis, node, keys } = e;
    drop(store);
    f(&_dir.path().join("db"));
    let store = Store::open(&_dir.path().join("db"), &genesis, |s| {
        Ok(hechain_execution::genesis_commit(&genesis, &s.reader()?).expect("genesis"))
    })
    .unwrap();
    Env { _dir, store, genesis, node, keys }
}
