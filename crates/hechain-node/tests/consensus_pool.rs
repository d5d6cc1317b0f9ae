//! A validator's consensus work never waits behind client work: with every thread of rayon's
//! global pool (where the API's batch decoding and signature checks run) taken, a 4-validator
//! network still checks proposals, builds them, executes blocks and commits a transaction.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hechain_mempool::{AdmitError, StoreState};
use hechain_node::config::NodeFile;
use hechain_node::consortium::{init_consortium, InitSpec};
use hechain_node::dev::dev_account_key;
use hechain_node::Node;
use hechain_types::{Address, ChainTx, Payload, Transaction, TransferCall};

/// `n` consecutive free ports on 127.0.0.1.
fn free_ports(n: u16) -> u16 {
    for attempt in 0..500u32 {
        let base = 20_000 + ((std::process::id().wrapping_mul(7919).wrapping_add(attempt * 104_729)) % 30_000) as u16;
        if (0..n).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok()) {
            return base;
        }
    }
    panic!("no free port range");
}

/// Occupies every thread of rayon's global pool until `release` is set (or 60 s pass).
fn take_global_pool(release: &Arc<AtomicBool>) {
    for _ in 0..rayon::current_num_threads() {
        let release = release.clone();
        rayon::spawn(move || {
            let until = Instant::now() + Duration::from_secs(60);
            while !release.load(Ordering::Relaxed) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(5));
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consensus_goes_on_while_client_pools_are_full() {
    let dir = tempfile::tempdir().unwrap();
    let base = free_ports(8);
    let mut spec = InitSpec::new(dir.path().join("net"));
    spec.p2p_port = base;
    spec.rpc_port = base + 4;
    spec.block_time_ms = 100;
    let report = init_consortium(&spec).unwrap();
    let mut nodes = Vec::new();
    for n in &report.nodes {
        let file = NodeFile::read(&n.config).unwrap();
        let config = file.to_node_config(n.config.parent().unwrap()).unwrap();
        nodes.push(Node::start(config).await.unwrap());
    }
    let height = |n: &Node| n.store.reader().and_then(|r| r.head_height()).unwrap_or(0);
    let wait = |what: &str, within: Duration, done: &dyn Fn() -> bool| {
        let until = Instant::now() + within;
        while !done() {
            assert!(Instant::now() < until, "{what} did not happen within {within:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    tokio::task::block_in_place(|| {
        wait("the first block", Duration::from_secs(30), &|| nodes.iter().all(|n| height(n) >= 1))
    });

    let release = Arc::new(AtomicBool::new(false));
    take_global_pool(&release);
    // Transfers (enough that blocks split their work in parallel), offered to every
    // validator's pool (whichever leads proposes them).
    let key = dev_account_key(spec.suite, 0);
    let fee = nodes[0].mempool.params().min_fee;
    let txs: Vec<ChainTx> = (0..40)
        .map(|nonce| {
            let payload = Payload::Transfer(TransferCall::Transfer { to: Address([7; 20]), amount: 5 });
            let tx = Transaction { chain_id: spec.chain_id, nonce, sender: Address(key.address()), fee, payload };
            ChainTx::Native(tx.sign(&key).unwrap())
        })
        .collect();
    let last = txs[39].hash(spec.suite);
    // (In chunks of 10: a pool checks bigger batches in parallel, on the pool taken above.)
    for n in &nodes {
        for chunk in txs.chunks(10) {
            let r = n.mempool.admit_batch(chunk.to_vec(), &StoreState::new(&n.store));
            // (A leader's proposal may have brought them to this pool already.)
            let ok = |r: &Result<_, AdmitError>| matches!(r, Ok(_) | Err(AdmitError::Duplicate(_)));
            assert!(r.iter().all(ok), "{r:?}");
        }
    }
    let committed = |n: &Node| n.store.reader().and_then(|r| r.has_transaction(&last)).unwrap_or(false);
    tokio::task::block_in_place(|| {
        wait("the transfers' commit on every validator", Duration::from_secs(20), &|| nodes.iter().all(committed))
    });
    release.store(true, Ordering::Relaxed);
    for n in nodes {
        n.shutdown().await;
    }
}
