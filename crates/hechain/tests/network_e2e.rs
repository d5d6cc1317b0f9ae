//! End to end: a consortium of real `hechain start` processes written by `hechain init`,
//! talking mutual TLS on 127.0.0.1. Crash and restart, leader loss, a 2|2 partition (two nodes
//! frozen with SIGSTOP), observers and evidence certificates that verify offline.
//!
//! The scenarios run one after another (a lock) so that the 2-core CI machine is not asked to
//! run three networks at once.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::net::{write_file, Net};
use common::{cli_env, json_ok};
use serde_json::Value;

static SERIAL: Mutex<()> = Mutex::new(());

const SINK: &str = "0x000000000000000000000000000000000000dEaD";

fn balance(net: &Net, i: usize, addr: &str) -> u128 {
    let v = json_ok(&net.cli(i, &["--json", "account", addr]));
    v["balance"].as_str().and_then(|s| s.parse().ok()).or_else(|| v["balance"].as_u64().map(u128::from)).unwrap_or(0)
}

fn wait_balance(net: &Net, nodes: &[usize], addr: &str, want: u128, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let got: Vec<u128> = nodes.iter().map(|&i| balance(net, i, addr)).collect();
        if got.iter().all(|b| *b == want) {
            return;
        }
        assert!(Instant::now() < deadline, "balances {got:?} on nodes {nodes:?}, want {want}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn consortium_commits_survives_crashes_and_serves_observers() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // 4 validators (f = 1) and one observer (node 4).
    let mut net = Net::start(4, 1, &[]);
    let all = [0, 1, 2, 3, 4];
    net.wait_height(&all, 2, Duration::from_secs(60));

    // A transfer sent to one validator is committed and executed identically everywhere,
    // including on the observer.
    let key = net.test_key(0);
    let out = json_ok(&net.cli(1, &["--json", "--key", &key, "transfer", SINK, "7"]));
    assert!(out["height"].as_u64().unwrap_or(0) >= 1, "{out}");
    wait_balance(&net, &all, SINK, 7, Duration::from_secs(30));

    // Evidence stored through one node; its certificate, fetched from the observer, carries a
    // quorum seal and verifies offline against the genesis alone.
    let dir = net.dir.path().to_path_buf();
    let doc = write_file(&dir, "contract.txt", "consortium evidence 共识存证".as_bytes());
    let put = json_ok(&net.cli(2, &["--json", "--key", &key, "evidence", "put", doc.to_str().unwrap()]));
    let id = put["id"].as_u64().expect("evidence id").to_string();
    let height = put["height"].as_u64().expect("height");
    net.wait_height(&[4], height, Duration::from_secs(30));
    let cert = dir.join("cert.json");
    json_ok(&net.cli(4, &["--json", "evidence", "cert", &id, "-o", cert.to_str().unwrap()]));
    let c: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert!(c["seal"]["signatures"].as_array().map(|s| s.len()).unwrap_or(0) >= 3, "quorum seal: {}", c["seal"]);
    let genesis = net.genesis();
    let ok = cli_env(
        "http://127.0.0.1:9",
        &["evidence", "verify-cert", cert.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()],
        &[],
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));

    // Governance across the consortium: org 1's member proposes through node 0, orgs 2 and 3 vote
    // through nodes 1 and 2; the third yes (3 of 4 ≥ two thirds) applies the change on every
    // node, the observer included.
    let sink = SINK.to_lowercase();
    let p = json_ok(&net.cli(0, &["--json", "--key", &key, "gov", "propose", "grant-role", &sink, "user"]));
    assert_eq!(p["events"][0]["type"], "gov_proposed", "{p}");
    let v = json_ok(&net.cli(1, &["--json", "--key", &net.test_key(1), "gov", "vote", "1", "yes"]));
    assert_eq!(v["events"].as_array().map(|e| e.len()), Some(1), "2 of 4 is not enough: {v}");
    let v = json_ok(&net.cli(2, &["--json", "--key", &net.test_key(2), "gov", "vote", "1", "yes"]));
    assert_eq!(v["events"][1]["type"], "gov_approved", "{v}");
    let applied_at = v["height"].as_u64().expect("height");
    net.wait_height(&all, applied_at, Duration::from_secs(30));
    for i in all {
        let r = json_ok(&net.cli(i, &["--json", "gov", "roles", &sink]));
        assert_eq!(r["roles"], serde_json::json!(["user"]), "node {i}: {r}");
        let s = json_ok(&net.cli(i, &["--json", "gov", "show", "1"]));
        assert_eq!(s["status"], "applied", "node {i}: {s}");
    }

    // One validator crashes: the other three keep committing.
    net.kill9(3);
    let h = net.height(0);
    net.wait_height(&[0, 1, 2, 4], h + 3, Duration::from_secs(30));
    json_ok(&net.cli(0, &["--json", "--key", &key, "transfer", SINK, "5"]));
    wait_balance(&net, &[0, 1, 2, 4], SINK, 12, Duration::from_secs(30));

    // It restarts, catches up to the same chain and takes part again.
    net.start_node(3);
    net.wait_api(3);
    let target = net.height(0) + 2;
    net.wait_height(&[0, 1, 2, 3], target, Duration::from_secs(60));
    wait_balance(&net, &[3], SINK, 12, Duration::from_secs(30));
    net.assert_same_chain(&[0, 1, 2, 3, 4], target);
    // Every block the restarted node stores ends up with a quorum seal — also the ones it stored
    // just before it was killed (their seals are repaired from peers).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let short: Vec<u64> = (1..=target).filter(|&h| net.seal_len(3, h) < 3).collect();
        if short.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "blocks {short:?} on the restarted node lack a quorum seal");
        std::thread::sleep(Duration::from_millis(500));
    }

    // The current leader is killed: another leader takes over within the timeout budget
    // (base timeout 1 s, doubling while rounds fail).
    let leader_name = net.consensus(0)["leader"].as_str().unwrap_or_default().to_string();
    let leader = net.names.iter().position(|n| *n == leader_name).expect("leader is a node");
    net.kill9(leader);
    let alive: Vec<usize> = (0..4).filter(|i| *i != leader).collect();
    let h = alive.iter().map(|&i| net.height(i)).max().unwrap_or(0);
    net.wait_height(&alive, h + 3, Duration::from_secs(30));
    json_ok(&net.cli(alive[0], &["--json", "--key", &key, "transfer", SINK, "1"]));
    wait_balance(&net, &alive, SINK, 13, Duration::from_secs(30));
    let upto = alive.iter().map(|&i| net.height(i)).min().unwrap_or(0);
    net.assert_same_chain(&alive, upto);

    // Nothing panicked, and the safety counter stayed at zero.
    for &i in &alive {
        assert!(!net.log(i).contains("panicked"), "{}", net.log(i));
        assert_eq!(net.consensus(i)["safety_violations"], 0);
    }
}

#[test]
fn partition_two_two_halts_then_heals() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let net = Net::start(4, 0, &[]);
    net.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    // Freeze nodes 2 and 3: {0,1} | {2,3}. Neither side has a quorum of 3.
    net.signal(2, libc::SIGSTOP);
    net.signal(3, libc::SIGSTOP);
    std::thread::sleep(Duration::from_secs(2)); // in-flight commits settle
    let before = [net.height(0), net.height(1)];
    std::thread::sleep(Duration::from_secs(5));
    let after = [net.height(0), net.height(1)];
    assert_eq!(before, after, "a minority side committed blocks");
    // Heal: progress resumes and all four converge on one chain.
    net.signal(2, libc::SIGCONT);
    net.signal(3, libc::SIGCONT);
    let target = after[0].max(after[1]) + 3;
    net.wait_height(&[0, 1, 2, 3], target, Duration::from_secs(90));
    net.assert_same_chain(&[0, 1, 2, 3], target);
}

#[test]
fn net_up_status_down_manage_the_processes() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("net");
    let p2p = common::net::free_port_range(2).to_string();
    let rpc = common::net::free_port_range(2).to_string();
    let o = out.to_str().unwrap();
    let offline = "http://127.0.0.1:9";
    json_ok(&cli_env(
        offline,
        &["--json", "init", "--nodes", "1", "--observers", "1", "--out", o, "--p2p-port", &p2p, "--rpc-port", &rpc],
        &[],
    ));
    // A second init into the same directory is refused with a clear message.
    let again = cli_env(offline, &["init", "--nodes", "1", "--out", o], &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    let up_out = cli_env(offline, &["--json", "net", "up", o], &[]);
    let up: Value = serde_json::from_slice(&up_out.stdout).expect("net up prints JSON");
    let pids: Vec<i32> = up["started"].as_array().unwrap().iter().map(|s| s["pid"].as_i64().unwrap() as i32).collect();
    assert_eq!(pids.len(), 2);
    // Make sure they die even if an assertion below fails.
    struct Reap(Vec<i32>);
    impl Drop for Reap {
        fn drop(&mut self) {
            for p in &self.0 {
                // SAFETY: kill(2) on PIDs this test started.
                unsafe {
                    libc::kill(*p, libc::SIGKILL);
                }
            }
        }
    }
    let _reap = Reap(pids.clone());
    // `net up` returns once every node is connected and stores blocks.
    assert!(up_out.status.success(), "{up}");
    assert_eq!(up["ready"], true, "{up}");
    assert!(up["not_ready"].as_array().is_some_and(|a| a.is_empty()), "{up}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let st = json_ok(&cli_env(offline, &["--json", "net", "status", o], &[]));
        let nodes = st["nodes"].as_array().unwrap().clone();
        if nodes.iter().all(|n| n["up"] == true && n["height"].as_u64().unwrap_or(0) >= 2) {
            let validator = nodes.iter().find(|n| n["role"] == "validator").unwrap();
            assert_eq!(validator["leader"], validator["name"], "a single validator leads every round");
            break;
        }
        assert!(Instant::now() < deadline, "network did not come up: {st}");
        std::thread::sleep(Duration::from_millis(300));
    }
    let down = json_ok(&cli_env(offline, &["--json", "net", "down", o], &[]));
    assert_eq!(down["stopped"].as_array().unwrap().len(), 2);
    for p in &pids {
        // SAFETY: signal 0 only checks for existence.
        let alive = unsafe { libc::kill(*p, 0) } == 0
            && std::fs::read(format!("/proc/{p}/cmdline")).is_ok_and(|c| !c.is_empty());
        assert!(!alive, "pid {p} still running after net down");
    }
    let st = json_ok(&cli_env(offline, &["--json", "net", "status", o], &[]));
    assert!(st["nodes"].as_array().unwrap().iter().all(|n| n["up"] == false), "{st}");
}
