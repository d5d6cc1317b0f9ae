//! A dev node killed with SIGKILL under load restarts with a consistent
//! chain and loses no committed transaction.

mod common;

use hechain_types::TransferCall;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::DevNode;
use hechain_crypto::Suite;
use hechain_node::dev::dev_account_key;
use hechain_sdk::{BatchResult, Client};
use hechain_types::{Address, Codec, Payload, Transaction, H256};

/// Submits transfers from all dev accounts for `dur`, returning every
/// transaction hash the node admitted.
async fn load(client: &Client, dur: Duration, nonces: &mut [u64]) -> Vec<H256> {
    let keys: Vec<_> = (0..nonces.len()).map(|i| dev_account_key(Suite::Standard, i)).collect();
    let mut admitted = Vec::new();
    let end = Instant::now() + dur;
    while Instant::now() < end {
        let mut raw = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            for _ in 0..20 {
                let tx = Transaction {
                    chain_id: 1337,
                    nonce: nonces[i],
                    sender: Address(k.address()),
                    fee: 0,
                    payload: Payload::Transfer(TransferCall::Transfer { to: Address([0xcc; 20]), amount: 1 }),
                }
                .sign(k)
                .unwrap();
                nonces[i] += 1;
                raw.push(format!("0x{}", hex::encode(tx.encode())));
            }
        }
        match client.submit_raw_batch(&raw).await {
            Ok(results) => {
                // A refused transaction leaves a nonce gap; its successors then
                // never commit, which this test tolerates (it checks only
                // what did commit).
                for r in results {
                    if let BatchResult::Ok { hash } = r {
                        admitted.push(hash);
                    }
                }
            }
            Err(_) => break,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    admitted
}

async fn committed_receipts(client: &Client, hashes: &[H256]) -> BTreeMap<H256, (u64, H256)> {
    let mut out = BTreeMap::new();
    for h in hashes {
        if let Ok(Some(r)) = client.receipt(h).await {
            out.insert(*h, (r.height, r.block_hash));
        }
    }
    out
}

async fn check_chain(client: &Client) -> u64 {
    let head = client.status().await.unwrap().height;
    let mut parent: Option<String> = None;
    for h in 0..=head {
        let b = client.block(&h.to_string(), false).await.unwrap();
        assert_eq!(b["header"]["height"], h);
        if let Some(p) = &parent {
            assert_eq!(b["header"]["parent_hash"].as_str().unwrap(), p, "parent link at height {h}");
        }
        parent = Some(b["hash"].as_str().unwrap().to_string());
    }
    head
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut committed: BTreeMap<H256, (u64, H256)> = BTreeMap::new();
    let mut nonces = vec![0u64; 10];
    for round in 0..3 {
        let node = DevNode::start(&data, &["--block-time", "50"]);
        let client = Client::new(&node.url).unwrap();
        // Everything committed before earlier kills is still there, unchanged.
        let again = committed_receipts(&client, &committed.keys().copied().collect::<Vec<_>>()).await;
        assert_eq!(again, committed, "round {round}: committed transactions changed after restart");
        check_chain(&client).await;
        // Resume from the committed nonces (pending ones died with the process).
        for (i, n) in nonces.iter_mut().enumerate() {
            let a = client.account(&Address(dev_account_key(Suite::Standard, i).address())).await.unwrap();
            *n = a.nonce;
        }
        let admitted = load(&client, Duration::from_millis(1500), &mut nonces).await;
        assert!(!admitted.is_empty());
        // Record what is committed right now, then kill while load may still be in flight.
        let now = committed_receipts(&client, &admitted).await;
        assert!(!now.is_empty(), "round {round}: nothing committed under load");
        committed.extend(now);
        let more = {
            let c = client.clone();
            let mut n2 = nonces.clone();
            tokio::spawn(async move { load(&c, Duration::from_millis(400), &mut n2).await })
        };
        tokio::time::sleep(Duration::from_millis(150 + 70 * round as u64)).await;
        node.kill9();
        let _ = more.await;
    }
    let node = DevNode::start(&data, &["--block-time", "50"]);
    let client = Client::new(&node.url).unwrap();
    let again = committed_receipts(&client, &committed.keys().copied().collect::<Vec<_>>()).await;
    assert_eq!(again, committed);
    let head = check_chain(&client).await;
    // The restarted node keeps producing blocks.
    let k = dev_account_key(Suite::Standard, 0);
    let (_, r) = client
        .send_and_wait(
            &k,
            Payload::Transfer(TransferCall::Transfer { to: Address([1; 20]), amount: 1 }),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(r.height > head);
}
