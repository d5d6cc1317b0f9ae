//! A node whose disk fills up stops cleanly, says why and what to do, and acknowledges no
//! transaction after its first failed write; once space is freed it starts again from its last
//! stored block with every acknowledged-and-committed transaction in place.
//!
//! The disk is a real one: a 24 MiB tmpfs this test mounts (and unmounts), filled to the last
//! byte by a filler file while transactions arrive. Mounting needs root, as the project's CI has.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::DevNode;
use hechain_crypto::Suite;
use hechain_node::dev::dev_account_key;
use hechain_sdk::{BatchResult, Client};
use hechain_types::{Address, Codec, Payload, Transaction, TransferCall, H256};

/// A tmpfs mounted for the test, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(at).output();
        let out = out.expect("run mount");
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs to fill it, which needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system holding `path` to the last byte.
fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let mut byte = [0u8; 1];
    while f.write_all(&byte).is_ok() {
        byte[0] ^= 1;
    }
    let _ = f.sync_all();
}

async fn send(client: &Client, nonce: u64, n: u64) -> Vec<H256> {
    let key = dev_account_key(Suite::Standard, 1);
    let raw: Vec<String> = (0..n)
        .map(|i| {
            let tx = Transaction {
                chain_id: 1337,
                nonce: nonce + i,
                sender: Address(key.address()),
                fee: 0,
                payload: Payload::Transfer(TransferCall::Transfer { to: Address([0xcd; 20]), amount: 1 }),
            }
            .sign(&key)
            .unwrap();
            format!("0x{}", hex::encode(tx.encode()))
        })
        .collect();
    match client.submit_raw_batch(&raw).await {
        Ok(results) => results
            .into_iter()
            .filter_map(|r| if let BatchResult::Ok { hash } = r { Some(hash) } else { None })
            .collect(),
        Err(_) => vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_the_node_cleanly_and_it_resumes_once_freed() {
    let dir = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(&dir.path().join("disk"), "24m");
    let data = disk.0.join("chain");
    let log = dir.path().join("node.log");
    let mut node = DevNode::start_logged(&data, &["--block-time", "50"], &log);
    let client = Client::new(&node.url).unwrap();
    // A first batch commits while there is room.
    let before = send(&client, 0, 200).await;
    assert_eq!(before.len(), 200);
    for h in &before {
        client.wait_receipt(h, Duration::from_secs(30)).await.unwrap();
    }
    let filler = disk.0.join("filler");
    fill(&filler);

    // Transactions keep coming; blocks need room the disk does not have.
    let mut nonce = 200;
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = node.wait_exit(Duration::from_millis(10)) {
            break status;
        }
        assert!(Instant::now() < deadline, "the node neither failed nor stopped with a full disk");
        nonce += send(&client, nonce, 500).await.len() as u64;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!status.success(), "a node that cannot store blocks exits non-zero");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("could not be stored") && text.contains("Free disk space"), "{text}");

    // Space freed, the same data directory starts again, intact up to its last stored block.
    std::fs::remove_file(&filler).unwrap();
    let node = DevNode::start(&data, &[]);
    let client = Client::new(&node.url).unwrap();
    let head = client.status().await.unwrap().height;
    for h in &before {
        let r = client.receipt(h).await.unwrap().expect("committed before the disk filled, still there");
        assert!(r.height <= head);
    }
    // And it commits again.
    let account = client.account(&Address(dev_account_key(Suite::Standard, 1).address())).await.unwrap();
    let next = send(&client, account.nonce, 1).await;
    client.wait_receipt(&next[0], Duration::from_secs(30)).await.unwrap();
    node.terminate();
}
