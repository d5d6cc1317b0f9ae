//! The solo producer over a real store and pool.

use hechain_types::TransferCall;
use std::sync::Arc;
use std::time::Duration;

use hechain_crypto::{AccountKey, NodeKey, Suite};
use hechain_mempool::{Mempool, MempoolConfig, StoreState};
use hechain_node::solo::{Solo, SoloConfig};
use hechain_storage::Store;
use hechain_types::*;
use tokio::sync::{broadcast, watch};

struct Env {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    pool: Arc<Mempool>,
    genesis: Arc<Genesis>,
    node: NodeKey,
    user: AccountKey,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let node = NodeKey::from_bytes(Suite::Standard, &[3; 32]).unwrap();
    let user = AccountKey::from_bytes(Suite::Standard.account_scheme(), &[4; 32]).unwrap();
    let genesis = Arc::new(Genesis {
        chain_id: 9,
        suite: SuiteTag(Suite::Standard),
        timestamp_ms: 5,
        validators: vec![ValidatorInfo {
            name: "v".into(),
            public_key: node.public_key().as_bytes().to_vec(),
            org: String::new(),
        }],
        accounts: vec![GenesisAccount { address: Address(user.address()), balance: 1_000_000 }],
        params: ChainParams::default(),
        orgs: vec![],
        observers: vec![],
        governance: None,
    });
    let g = genesis.clone();
    let store = Arc::new(
        Store::open(&dir.path().join("db"), &genesis, |s| {
            Ok(hechain_execution::genesis_commit(&g, &s.reader()?).expect("genesis"))
        })
        .unwrap(),
    );
    let pool = Arc::new(Mempool::new(Suite::Standard, 9, genesis.params.clone(), MempoolConfig::default()));
    Env { _dir: dir, store, pool, genesis, node, user }
}

fn solo(
    e: &Env,
    empty_blocks: bool,
    max: usize,
    block_time: Duration,
) -> (Arc<Solo>, broadcast::Receiver<Arc<CommittedBlock>>) {
    let (tx, rx) = broadcast::channel(16);
    let s = Solo::new(
        e.store.clone(),
        e.pool.clone(),
        e.genesis.clone(),
        e.node.clone(),
        SoloConfig { block_time, empty_blocks, idle_block: None, max_block_txs: max },
        tx,
    )
    .unwrap();
    (Arc::new(s), rx)
}

fn submit(e: &Env, n: u64) {
    let txs = (0..n)
        .map(|nonce| {
            Transaction {
                chain_id: 9,
                nonce,
                sender: Address(e.user.address()),
                fee: 0,
                payload: Payload::Transfer(TransferCall::Transfer { to: Address([1; 20]), amount: 10 }),
            }
            .sign(&e.user)
            .unwrap()
            .into()
        })
        .collect();
    assert!(e.pool.admit_batch(txs, &StoreState::new(&e.store)).iter().all(|r| r.is_ok()));
}

#[test]
fn idle_produces_nothing_unless_empty_blocks() {
    let e = env();
    let (s, _) = solo(&e, false, 100, Duration::from_millis(10));
    assert!(s.produce().unwrap().is_none());
    assert_eq!(e.store.reader().unwrap().head_height().unwrap(), 0);
    let (s, _) = solo(&e, true, 100, Duration::from_millis(10));
    let b = s.produce().unwrap().unwrap();
    assert_eq!((b.block.header.height, b.block.transactions.len()), (1, 0));
}

#[test]
fn blocks_respect_the_size_limit_and_chain_up() {
    let e = env();
    submit(&e, 5);
    let (s, _) = solo(&e, false, 2, Duration::from_millis(10));
    let sizes: Vec<usize> = (0..3).map(|_| s.produce().unwrap().unwrap().block.transactions.len()).collect();
    assert_eq!(sizes, vec![2, 2, 1]);
    assert!(e.pool.is_empty());
    let r = e.store.reader().unwrap();
    for h in 1..=3u64 {
        let (b, parent) = (r.block(h).unwrap().unwrap(), r.header(h - 1).unwrap().unwrap());
        assert_eq!(b.header.parent_hash, parent.hash(Suite::Standard));
        assert!(b.header.timestamp_ms >= parent.timestamp_ms);
        hechain_cert::verify_seal(&e.genesis, &e.genesis.validator_keys().unwrap(), &b.header, &b.seal).unwrap();
    }
    let acc = hechain_execution::account_of(&r, &Address(e.user.address())).unwrap();
    assert_eq!((acc.nonce, acc.balance), (5, 1_000_000 - 50));
}

#[test]
fn refuses_a_key_outside_the_validator_set() {
    let e = env();
    let (tx, _) = broadcast::channel(1);
    let stranger = NodeKey::from_bytes(Suite::Standard, &[8; 32]).unwrap();
    let cfg =
        SoloConfig { block_time: Duration::from_millis(10), empty_blocks: false, idle_block: None, max_block_txs: 10 };
    let err = Solo::new(e.store.clone(), e.pool.clone(), e.genesis.clone(), stranger, cfg, tx).err().unwrap();
    assert!(err.to_string().contains("not a validator"));
}

#[tokio::test]
async fn run_loop_commits_and_stops() {
    let e = env();
    let (s, mut rx) = solo(&e, false, 100, Duration::from_millis(20));
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(s.run(stop_rx, hechain_node::Fatal::default()));
    submit(&e, 3);
    let b = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert_eq!(b.block.transactions.len(), 3);
    assert!(b.receipts.iter().all(|r| r.status == TxStatus::Success));
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task).await.unwrap().unwrap();
}
