//! A whole consortium stopped at once comes back. Four validators run by `hechain net up` are
//! killed together (SIGKILL, transactions in flight) three times, then stopped together by
//! `hechain net down` (transactions in flight) three times; each time `net up` reports the
//! network ready and a transfer commits within 30 s. At the end every node holds the same block at
//! every height, and every transaction that ever committed is still there, in the same block, on
//! every node. With two of the four then down, the others report why they make no progress.
//!
//! Before the consensus journal, the first such restart halted the network for good: the block
//! that only the last leader had committed was in nobody else's memory any more, and every new
//! proposal extended it.

mod common;

use hechain_types::TransferCall;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};

use common::cli_env;
use common::net::Net;
use hechain_crypto::Suite;
use hechain_node::dev::dev_account_key;
use hechain_sdk::{BatchResult, Client};
use hechain_types::{Address, Codec, Payload, Transaction, H256};
use serde_json::Value;

const ALL: [usize; 4] = [0, 1, 2, 3];

/// Sends `n` transfers from test account 1 through node `via` without waiting for them;
/// returns the hashes the node admitted.
async fn in_flight(net: &Net, via: usize, chain_id: u64, n: u64) -> Vec<H256> {
    let client = Client::new(&net.urls[via]).expect("client");
    let key = dev_account_key(Suite::Standard, 1);
    let from = Address(key.address());
    let nonce = client.account(&from).await.expect("account").nonce;
    let raw: Vec<String> = (0..n)
        .map(|i| {
            let tx = Transaction {
                chain_id,
                nonce: nonce + i,
                sender: from,
                fee: 0,
                payload: Payload::Transfer(TransferCall::Transfer { to: Address([0xcd; 20]), amount: 1 }),
            }
            .sign(&key)
            .expect("sign");
            format!("0x{}", hex::encode(tx.encode()))
        })
        .collect();
    let results = client.submit_raw_batch(&raw).await.expect("submit");
    results.into_iter().filter_map(|r| if let BatchResult::Ok { hash } = r { Some(hash) } else { None }).collect()
}

/// Block hash of each listed transaction that committed, as node `i` reports it.
async fn committed(net: &Net, i: usize, hashes: &[H256]) -> BTreeMap<H256, H256> {
    let client = Client::new(&net.urls[i]).expect("client");
    let mut out = BTreeMap::new();
    for h in hashes {
        if let Ok(Some(r)) = client.receipt(h).await {
            out.insert(*h, r.block_hash);
        }
    }
    out
}

/// The PIDs `net up` recorded in `DIR/run/`.
fn recorded_pids(dir: &Path) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir(dir.join("run")) else { return Vec::new() };
    entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).filter_map(|t| t.trim().parse().ok()).collect()
}

/// Kills (SIGKILL) every process `net up` started in `DIR` when dropped, and on demand.
struct Reap(PathBuf);

impl Reap {
    fn kill_all(&self) {
        for pid in recorded_pids(&self.0) {
            // SAFETY: kill(2) on PIDs this test's `net up` started (their pid files).
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            // Wait until it is gone, so its ports are free for the restart.
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::fs::read(format!("/proc/{pid}/stat")).is_ok_and(|s| !String::from_utf8_lossy(&s).contains(") Z"))
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Reap {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// `hechain net up DIR`: must report every node ready.
fn net_up(net: &Net) {
    let dir = net.out().display().to_string();
    let out = cli_env("http://127.0.0.1:9", &["--json", "net", "up", &dir], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert!(out.status.success() && v["ready"] == true, "net up: {v} {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_network_stopped_or_killed_at_once_restarts_and_commits() {
    let mut net = Net::start(4, 0, &[]);
    net.wait_height(&ALL, 2, Duration::from_secs(60));
    // From here on the network is run the way an operator runs it: `net up` / `net down`.
    for i in ALL {
        net.stop(i);
    }
    let reap = Reap(net.out());
    net_up(&net);
    let chain_id = net.init["chain_id"].as_u64().expect("chain id");
    let key0 = net.test_key(0);
    let mut sent: Vec<H256> = Vec::new();
    let mut recorded: BTreeMap<H256, H256> = BTreeMap::new();
    for cycle in 0..6 {
        let kill = cycle < 3;
        let via = cycle % 4;
        // Transactions in flight when the network goes down.
        sent.extend(in_flight(&net, via, chain_id, 40).await);
        tokio::time::sleep(Duration::from_millis(50 + 60 * cycle as u64)).await;
        if kill {
            reap.kill_all();
        } else {
            let down = cli_env("http://127.0.0.1:9", &["--json", "net", "down", &net.out().display().to_string()], &[]);
            assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
        }
        net_up(&net);
        // Everything committed before is still there, in the same block.
        let again = committed(&net, via, &recorded.keys().copied().collect::<Vec<_>>()).await;
        assert_eq!(again, recorded, "cycle {cycle}: committed transactions changed across the restart");
        let started = Instant::now();
        let out =
            net.cli(via, &["--json", "--key", &key0, "transfer", "0x00000000000000000000000000000000000000aa", "5"]);
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "cycle {cycle} ({}): transfer after the restart failed: {}\n{}",
            if kill { "SIGKILL" } else { "SIGTERM" },
            String::from_utf8_lossy(&out.stderr),
            ALL.iter().map(|&i| common::net::tail(&net.log(i), 12)).collect::<Vec<_>>().join("\n----\n")
        );
        assert!(took < Duration::from_secs(30), "cycle {cycle}: the transfer took {took:?}");
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        eprintln!(
            "cycle {cycle} ({}): transfer committed at height {} in {took:?}",
            if kill { "SIGKILL" } else { "SIGTERM" },
            v["height"]
        );
        recorded = committed(&net, via, &sent).await;
    }
    // Every node on the same chain, nothing committed lost, no node stalled.
    let top = ALL.iter().map(|&i| net.height(i)).max().unwrap_or(0);
    net.wait_height(&ALL, top, Duration::from_secs(30));
    net.assert_same_chain(&ALL, top);
    assert!(!recorded.is_empty(), "no in-flight transaction ever committed");
    for i in ALL {
        let theirs = committed(&net, i, &recorded.keys().copied().collect::<Vec<_>>()).await;
        assert_eq!(theirs, recorded, "node {i} differs on committed transactions");
        let c = net.consensus(i);
        assert_eq!(c["safety_violations"], 0, "{c}");
        assert!(c["stalled"].is_null(), "node {i}: {c}");
    }
    // Two of four down: the others cannot make progress and say why, in the status and the log.
    for name in [&net.names[2], &net.names[3]] {
        let pid: i32 = std::fs::read_to_string(net.out().join("run").join(format!("{name}.pid")))
            .expect("pid file")
            .trim()
            .parse()
            .expect("pid");
        // SAFETY: kill(2) on a PID this test's `net up` started.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    let reason = loop {
        let c = net.consensus(0);
        if let Some(r) = c["stalled"].as_str() {
            break r.to_string();
        }
        assert!(Instant::now() < deadline, "node 0 never reported its stall: {c}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(reason.contains("no quorum"), "{reason}");
    let log = net.log(0);
    assert!(log.lines().any(|l| l.contains("WARN") && l.contains("no progress") && l.contains("no quorum")), "{log}");
    let st = net.cli(0, &["net", "status", &net.out().display().to_string()]);
    let text = String::from_utf8_lossy(&st.stdout);
    assert!(text.contains("is not making progress: no quorum"), "{text}");
}
