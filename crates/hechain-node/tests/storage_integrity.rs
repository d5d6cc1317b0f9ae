//! A node's database damaged, emptied, deleted or replaced by an older copy is refused at
//! start-up with the recovery steps — never read as if sound, never taken for a new chain.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hechain_crypto::{NodeKey, Suite};
use hechain_mempool::{Mempool, MempoolConfig};
use hechain_node::solo::{Solo, SoloConfig};
use hechain_node::{open_store, NodeError, DB_FILE};
use hechain_storage::{marker, StorageError};
use hechain_types::*;
use tokio::sync::broadcast;

fn genesis(node: &NodeKey) -> Genesis {
    Genesis {
        chain_id: 9,
        suite: SuiteTag(Suite::Standard),
        timestamp_ms: 5,
        validators: vec![ValidatorInfo {
            name: "v".into(),
            public_key: node.public_key().as_bytes().to_vec(),
            org: String::new(),
        }],
        accounts: vec![],
        params: ChainParams::default(),
        orgs: vec![],
        observers: vec![],
        governance: None,
    }
}

/// A data directory whose chain has `blocks` empty blocks after genesis.
fn chain(dir: &Path, blocks: u64) -> Genesis {
    let node = NodeKey::from_bytes(Suite::Standard, &[3; 32]).unwrap();
    let g = genesis(&node);
    extend(dir, &g, blocks);
    g
}

fn extend(dir: &Path, g: &Genesis, blocks: u64) {
    let node = NodeKey::from_bytes(Suite::Standard, &[3; 32]).unwrap();
    let store = Arc::new(open_store(dir, g).unwrap());
    let pool = Arc::new(Mempool::new(Suite::Standard, 9, g.params.clone(), MempoolConfig::default()));
    let config = SoloConfig { block_time: Duration::ZERO, empty_blocks: true, idle_block: None, max_block_txs: 10 };
    let solo = Solo::new(store.clone(), pool, Arc::new(g.clone()), node, config, broadcast::channel(4).0).unwrap();
    for _ in 0..blocks {
        solo.produce().unwrap().unwrap();
    }
}

fn open_err(dir: &Path, g: &Genesis) -> StorageError {
    match open_store(dir, g) {
        Err(NodeError::Storage(e)) => e,
        Err(other) => panic!("expected a storage error, got {other}"),
        Ok(s) => panic!("opened at height {}", s.reader().unwrap().head_height().unwrap()),
    }
}

fn db(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

#[test]
fn an_emptied_or_deleted_database_is_not_a_new_chain() {
    let dir = tempfile::tempdir().unwrap();
    let g = chain(dir.path(), 3);
    std::fs::File::create(db(dir.path())).unwrap(); // truncated to 0 bytes
    let e = open_err(dir.path(), &g);
    assert!(matches!(e, StorageError::Missing { floor: 0, .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("missing or empty") && msg.contains("backup"), "{msg}");
    std::fs::remove_file(db(dir.path())).unwrap();
    assert!(matches!(open_err(dir.path(), &g), StorageError::Missing { .. }));
}

#[test]
fn a_damaged_database_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let g = chain(dir.path(), 40);
    let path = db(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    // 64 flipped bytes spread over the file past its first pages.
    for i in 1..=64 {
        bytes[8192 + (len - 8192) * i / 65] ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = open_err(dir.path(), &g);
    assert!(matches!(e, StorageError::Damaged { .. }), "{e}");
    assert!(e.to_string().contains("restore it from a backup"), "{e}");
}

#[test]
fn an_older_copy_is_refused_and_a_sound_database_opens() {
    let dir = tempfile::tempdir().unwrap();
    let g = chain(dir.path(), 5);
    let old = std::fs::read(db(dir.path())).unwrap();
    extend(dir.path(), &g, marker::FLOOR_STEP);
    let floor = marker::Marker::read(&marker::path_for(&db(dir.path()))).unwrap().unwrap().height_floor;
    assert!(floor >= marker::FLOOR_STEP, "the floor follows the chain: {floor}");
    let current = std::fs::read(db(dir.path())).unwrap();
    std::fs::write(db(dir.path()), &old).unwrap();
    let e = open_err(dir.path(), &g);
    assert!(matches!(e, StorageError::Behind { head: 5, .. }), "{e}");
    // Put back, it opens; a database from before markers opens and gains one.
    std::fs::write(db(dir.path()), &current).unwrap();
    drop(open_store(dir.path(), &g).unwrap());
    std::fs::remove_file(marker::path_for(&db(dir.path()))).unwrap();
    let head = open_store(dir.path(), &g).unwrap().reader().unwrap().head_height().unwrap();
    let m = marker::Marker::read(&marker::path_for(&db(dir.path()))).unwrap().unwrap();
    assert_eq!((m.genesis, m.height_floor), (g.hash(), head));
}
