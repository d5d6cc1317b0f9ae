//! A 4-validator network under a bounded mix of abuse — `eth_feeHistory` and `eth_call` floods,
//! 5,000 idle sockets, a pool flood of unpayable zero-fee transactions and a filter flood, all
//! from one client address (127.0.0.1) against two validators — while a legitimate client
//! (from 127.0.0.2) sends transfers to the validators under attack. Every legitimate transfer
//! must commit (and quickly: the test prints the latency percentiles, and holds p99 to the 2 s
//! bar), and no node's peak memory may reach 1 GiB.

mod common;

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::net::Net;
use hechain_crypto::{AccountKey, AccountScheme, Suite};
use hechain_types::{Address, Codec, Payload, Transaction, TransferCall};
use serde_json::{json, Value};

const ATTACKER: [u8; 4] = [127, 0, 0, 1];
const HONEST: [u8; 4] = [127, 0, 0, 2];
const CHAIN_ID: u64 = 2024;

fn client(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(ip)).timeout(Duration::from_secs(30)).build().unwrap()
}

/// Peak resident memory of a process (VmHWM), bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn raw(tx: &hechain_types::SignedTransaction) -> String {
    format!("0x{}", hex::encode(tx.encode()))
}

/// Runs `f` in a loop until `stop`, counting the requests made.
fn flood<F, Fut>(stop: &Arc<AtomicBool>, count: &Arc<AtomicU64>, f: F) -> tokio::task::JoinHandle<()>
where
    F: Fn(u64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (stop, count) = (stop.clone(), count.clone());
    tokio::spawn(async move {
        let mut i = 0u64;
        while !stop.load(Ordering::Relaxed) {
            f(i).await;
            i += 1;
            count.fetch_add(1, Ordering::Relaxed);
        }
    })
}

async fn rpc(c: &reqwest::Client, url: &str, method: &str, params: Value) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let _ = c.post(url).json(&body).send().await.map(|r| r.bytes());
}

#[test]
fn legitimate_transfers_commit_under_an_abuse_mix() {
    let net = Net::start(4, 0, &[]);
    net.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    let targets: Vec<String> = net.urls[..2].to_vec();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));

    // 5,000 idle sockets (each validator under attack keeps at most its per-address limit).
    let addrs: Vec<SocketAddr> =
        targets.iter().map(|u| u.trim_start_matches("http://").parse().expect("node address")).collect();
    let idle: Vec<TcpStream> = (0..5_000)
        .filter_map(|i| TcpStream::connect_timeout(&addrs[i % addrs.len()], Duration::from_millis(500)).ok())
        .collect();

    let latencies = rt.block_on(async {
        let mut floods = Vec::new();
        for (k, target) in targets.iter().enumerate() {
            let percentiles: Vec<u32> = (1..=100).collect();
            for _ in 0..2 {
                let (c, url, p) = (client(ATTACKER), target.clone(), percentiles.clone());
                floods.push(flood(&stop, &count, move |_| {
                    let (c, url, p) = (c.clone(), url.clone(), p.clone());
                    async move { rpc(&c, &url, "eth_feeHistory", json!(["0x400", "latest", p])).await }
                }));
                let (c, url) = (client(ATTACKER), target.clone());
                floods.push(flood(&stop, &count, move |_| {
                    let (c, url) = (c.clone(), url.clone());
                    async move {
                        let call = json!([{"data": "0x5b600056", "gas": "0xffffffffffffffff"}, "latest"]);
                        rpc(&c, &url, "eth_call", call).await
                    }
                }));
            }
            // Unpayable zero-fee transactions from fresh keys, future nonces, 1,000 a batch.
            let (c, url) = (client(ATTACKER), target.clone());
            floods.push(flood(&stop, &count, move |i| {
                let (c, url) = (c.clone(), url.clone());
                async move {
                    let mut secret = [0x42u8; 32];
                    secret[..8].copy_from_slice(&(i * 2 + k as u64 + 1).to_be_bytes());
                    let key = AccountKey::from_bytes(AccountScheme::Secp256k1, &secret).expect("key");
                    let raw: Vec<String> = (1..=1_000u64)
                        .map(|nonce| {
                            let payload = Payload::Transfer(TransferCall::Transfer { to: Address([1; 20]), amount: 1 });
                            let tx = Transaction {
                                chain_id: CHAIN_ID,
                                nonce,
                                sender: Address(key.address()),
                                fee: 0,
                                payload,
                            };
                            raw(&tx.sign(&key).expect("sign"))
                        })
                        .collect();
                    let url = format!("{url}/api/v1/transactions/batch");
                    let _ = c.post(url).json(&json!({ "raw": raw })).send().await.map(|r| r.bytes());
                }
            }));
            let (c, url) = (client(ATTACKER), target.clone());
            floods.push(flood(&stop, &count, move |_| {
                let (c, url) = (c.clone(), url.clone());
                async move { rpc(&c, &url, "eth_newBlockFilter", json!([])).await }
            }));
        }
        // Let the floods build up before the honest client starts.
        tokio::time::sleep(Duration::from_secs(3)).await;

        // The honest client: 40 transfers, one every 250 ms, to the validators under attack.
        let honest = client(HONEST);
        let key = hechain_node::dev::dev_account_key(Suite::Standard, 5);
        let mut pending = Vec::new();
        for nonce in 0..40u64 {
            let payload = Payload::Transfer(TransferCall::Transfer { to: Address([2; 20]), amount: 1 });
            let tx = Transaction { chain_id: CHAIN_ID, nonce, sender: Address(key.address()), fee: 0, payload }
                .sign(&key)
                .expect("sign");
            let url = &targets[nonce as usize % targets.len()];
            let sent = Instant::now();
            let r = honest
                .post(format!("{url}/api/v1/transactions"))
                .json(&json!({ "raw": raw(&tx) }))
                .send()
                .await
                .expect("the honest client reaches the node");
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            assert!(status.is_success(), "transfer {nonce} refused: {status} {body}");
            // Watched from now on, so that its latency is from submission to commit.
            let (c, hash, url) =
                (honest.clone(), format!("0x{}", hex::encode(tx.hash(Suite::Standard).0)), url.clone());
            pending.push(tokio::spawn(async move {
                loop {
                    let r = c.get(format!("{url}/api/v1/transactions/{hash}")).send().await;
                    let v: Value = match r {
                        Ok(r) => r.json().await.unwrap_or(Value::Null),
                        Err(_) => Value::Null,
                    };
                    if v["status"] == "committed" {
                        return sent.elapsed();
                    }
                    assert!(sent.elapsed() < Duration::from_secs(30), "transfer {hash} not committed after 30 s: {v}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }));
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let mut latencies = Vec::new();
        for p in pending {
            latencies.push(p.await.expect("a transfer was not committed"));
        }
        stop.store(true, Ordering::Relaxed);
        for f in floods {
            let _ = tokio::time::timeout(Duration::from_secs(30), f).await;
        }
        latencies
    });
    let idle_held = idle.len();
    drop(idle);

    let mut sorted = latencies.clone();
    sorted.sort();
    let pct = |p: usize| sorted[(sorted.len() * p / 100).min(sorted.len() - 1)];
    let peaks: Vec<u64> = (0..4).map(|i| net.pid(i).map_or(0, peak_rss)).collect();
    println!(
        "abuse mix: {idle_held} idle sockets opened, {} attack requests; honest transfers p50 {:?} p99 {:?} max {:?}; peak RSS per node (MiB) {:?}",
        count.load(Ordering::Relaxed),
        pct(50),
        pct(99),
        sorted[sorted.len() - 1],
        peaks.iter().map(|b| b / (1 << 20)).collect::<Vec<_>>()
    );
    assert!(peaks.iter().all(|b| *b > 0 && *b < 1 << 30), "a node's memory reached 1 GiB: {peaks:?}");
    assert!(pct(99) <= Duration::from_secs(2), "p99 {:?} over 2 s: {sorted:?}", pct(99));
    // The chain went on for everyone.
    let h = net.height(0);
    net.wait_height(&[0, 1, 2, 3], h + 2, Duration::from_secs(30));
}
