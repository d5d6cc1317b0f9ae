//! End to end: the consortium changes its validator set by governance (issue 5, part 2).
//!
//! Four validators of `hechain init` admit a new organisation (its CA made by `hechain net
//! add-org`) and then a fifth node of it (made by `hechain net add-node`) by proposals and votes.
//! The new node syncs from genesis, becomes a validator when it executes its admission, signs
//! seals and leads rounds. An observer of the new organisation is admitted the same way and
//! follows the chain. The round timeout, a chain parameter, is changed by governance. Then one of
//! the original validators is removed while another is down; consensus continues under the new
//! quorum (3 of the remaining 4); the node that was down restarts, syncs across the epoch change
//! and votes in the new epoch (progress then needs it). Evidence certificates of records from
//! every epoch verify offline against the genesis file alone.

mod common;

use std::time::{Duration, Instant};

use common::net::{write_file, Net};
use common::{cli_env, json_ok};
use serde_json::Value;

/// Proposes `change` with committee member 0 and votes yes with members 1 and 2 (3 of 4:
/// approved), sending each transaction through the matching node of `via`. Returns the height
/// the change applied at.
fn pass_via(net: &Net, via: [usize; 3], change: &[&str]) -> u64 {
    let key0 = net.test_key(0);
    let mut args = vec!["--json", "--key", key0.as_str(), "gov", "propose"];
    args.extend_from_slice(change);
    let p = json_ok(&net.cli(via[0], &args));
    let id = p["events"][0]["id"].as_u64().expect("proposal id").to_string();
    json_ok(&net.cli(via[1], &["--json", "--key", &net.test_key(1), "gov", "vote", &id, "yes"]));
    let v = json_ok(&net.cli(via[2], &["--json", "--key", &net.test_key(2), "gov", "vote", &id, "yes"]));
    assert_eq!(v["events"][1]["type"], "gov_approved", "{v}");
    // The last node answered once it executed the deciding vote; the others may be a block behind.
    let applied_at = v["height"].as_u64().expect("height");
    net.wait_height(&via, applied_at, Duration::from_secs(30));
    let s = json_ok(&net.cli(via[0], &["--json", "gov", "show", &id]));
    assert_eq!(s["status"], "applied", "{s}");
    applied_at
}

/// [`pass_via`] nodes 0, 1 and 2.
fn pass(net: &Net, change: &[&str]) -> u64 {
    pass_via(net, [0, 1, 2], change)
}

fn block(net: &Net, i: usize, height: u64) -> Option<Value> {
    let out = net.cli(i, &["--json", "block", &height.to_string()]);
    out.status.success().then(|| serde_json::from_slice(&out.stdout).ok()).flatten()
}

/// Waits until node `i` stores a block above `from` for which `pred` holds; returns its height.
fn wait_block(net: &Net, i: usize, from: u64, within: Duration, what: &str, pred: impl Fn(&Value) -> bool) -> u64 {
    let deadline = Instant::now() + within;
    let mut h = from + 1;
    loop {
        match block(net, i, h) {
            Some(b) if pred(&b) => return h,
            Some(_) => h += 1,
            None => {
                assert!(Instant::now() < deadline, "no block above {from} on node {i} {what}:\n{}", net.log(i));
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

fn signers(b: &Value) -> Vec<u64> {
    b["seal"]["signatures"]
        .as_array()
        .map(|s| s.iter().filter_map(|x| x["validator"].as_u64()).collect())
        .unwrap_or_default()
}

/// Stores a document's hash through node `i`; returns the evidence id.
fn put(net: &Net, i: usize, name: &str) -> String {
    let doc = write_file(net.dir.path(), name, format!("evidence {name}").as_bytes());
    let p = json_ok(&net.cli(i, &["--json", "--key", &net.test_key(3), "evidence", "put", doc.to_str().unwrap()]));
    p["id"].as_u64().expect("evidence id").to_string()
}

/// Fetches evidence `id`'s certificate from node `i` and verifies it offline with the genesis.
fn verify_offline(net: &Net, i: usize, id: &str) -> Value {
    let cert = net.dir.path().join(format!("cert-{id}.json"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = net.cli(i, &["--json", "evidence", "cert", id, "-o", cert.to_str().unwrap()]);
        if out.status.success() {
            break;
        }
        // The seal completes a round or two after the commit.
        assert!(Instant::now() < deadline, "certificate of {id}: {}", String::from_utf8_lossy(&out.stderr));
        std::thread::sleep(Duration::from_millis(300));
    }
    let genesis = net.genesis();
    let out = cli_env(
        "http://127.0.0.1:9",
        &["--json", "evidence", "verify-cert", cert.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "certificate {id} does not verify: {}", String::from_utf8_lossy(&out.stdout));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

#[test]
fn validators_join_and_leave_by_governance() {
    let mut net = Net::start(4, 0, &[]);
    net.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    let before = put(&net, 0, "before.txt");

    // A new organisation, org5, admitted with its CA certificate.
    let out = net.out().display().to_string();
    let org = json_ok(&cli_env("http://127.0.0.1:9", &["--json", "net", "add-org", &out, "--name", "org5"], &[]));
    let ca = org["ca_cert"].as_str().expect("ca_cert").to_string();
    pass(&net, &["add-org", "org5", "--ca-cert", &ca]);

    // A new node of org5: refused by the others until admitted; it starts anyway and waits.
    let (new, created) = net.add_node("org5", "org5-node4", false);
    let id = created["id"].as_str().expect("node id").to_string();
    net.start_node(new);
    net.wait_api(new);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(net.height(new), 0, "a node that is not a member must not be served blocks");

    let added_at = pass(&net, &["add-validator", "org5-node4", "--id", &id, "--org", "org5"]);
    let g = json_ok(&net.cli(0, &["--json", "gov", "members"]));
    assert_eq!(g["membership"]["epoch"], 1, "{g}");
    assert_eq!(g["membership"]["start_height"].as_u64(), Some(added_at + 1), "{g}");
    assert_eq!(g["membership"]["validators"].as_array().map(|v| v.len()), Some(5), "{g}");

    // The new node syncs the whole chain, becomes validator 4 and takes part: it signs seals
    // and leads rounds (round-robin over five).
    net.wait_height(&[0, 1, 2, 3, new], added_at + 3, Duration::from_secs(90));
    let signed = wait_block(&net, 0, added_at, Duration::from_secs(60), "sealed by the new validator", |b| {
        signers(b).contains(&4)
    });
    let led = wait_block(&net, 0, added_at, Duration::from_secs(60), "proposed by the new validator", |b| {
        b["header"]["proposer"].as_u64() == Some(4)
    });
    let c = net.consensus(new);
    assert_eq!(
        (c["role"].as_str(), c["index"].as_u64(), c["epoch"].as_u64()),
        (Some("validator"), Some(4), Some(1)),
        "{c}"
    );
    // Blocks of the first epoch keep their four-validator seals; blocks of the new one need 4 of 5.
    let first = block(&net, new, added_at).expect("boundary block");
    assert!(signers(&first).iter().all(|v| *v < 4) && signers(&first).len() >= 3, "{first}");
    let later = block(&net, new, signed.max(led)).expect("block");
    assert!(signers(&later).len() >= 4, "a five-validator seal needs 4 signatures: {later}");
    let between = put(&net, new, "between.txt");

    // An observer of org5, admitted by governance (the permission to run one), syncs and follows.
    let (obs, created) = net.add_node("org5", "org5-observer0", true);
    let obs_id = created["id"].as_str().expect("node id").to_string();
    net.start_node(obs);
    net.wait_api(obs);
    pass(&net, &["add-observer", "org5-observer0", "--id", &obs_id, "--org", "org5"]);
    let h = net.height(0);
    net.wait_height(&[obs], h, Duration::from_secs(60));
    let c = net.consensus(obs);
    assert_eq!((c["role"].as_str(), c["epoch"].as_u64()), (Some("observer"), Some(1)), "{c}");

    // The round timeout is a chain parameter: governance changes it on every validator.
    let g = json_ok(&net.cli(0, &["--json", "gov", "members"]));
    let mut params = g["params"].clone();
    params["consensus_timeout_ms"] = 1500.into();
    let file = write_file(net.dir.path(), "params.json", params.to_string().as_bytes());
    let at = pass(&net, &["set-params", file.to_str().unwrap()]);
    net.wait_height(&[0, 1, 2, 3, new], at + 1, Duration::from_secs(30));
    for i in [0, 1, 2, 3, new] {
        assert_eq!(net.consensus(i)["timeout_ms"], 1500, "node {i}");
    }

    // Node 2 goes down and misses the next epoch change: remove org4-node3 (validator 3), a
    // third epoch with validators 0, 1, 2 and the new node.
    net.kill9(2);
    let removed_at = pass_via(&net, [0, 1, new], &["remove-validator", "org4-node3"]);
    let g = json_ok(&net.cli(0, &["--json", "gov", "members"]));
    assert_eq!(g["membership"]["epoch"], 2, "{g}");
    let names: Vec<&str> = g["membership"]["validators"]
        .as_array()
        .expect("validators")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names, ["org1-node0", "org2-node1", "org3-node2", "org5-node4"]);
    net.wait_height(&[0, 1, new, obs], removed_at + 2, Duration::from_secs(60));

    // The last block of epoch 1 needs a seal of 4 of its 5 validators (node 2 is down, so node
    // 3's signature too) before node 3 may go: sync and certificates rely on that seal.
    let deadline = Instant::now() + Duration::from_secs(30);
    while net.seal_len(0, removed_at) < 4 {
        assert!(Instant::now() < deadline, "the epoch's last block never got a quorum seal");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The new quorum is 3 of 4: with the removed node and node 2 down, the rest still commit
    // (under the five-validator set, three nodes could not).
    net.kill9(3);
    let h = net.height(0);
    net.wait_height(&[0, 1, new], h + 3, Duration::from_secs(60));
    let after = put(&net, 1, "after.txt");

    // Node 2 restarts in epoch 1, syncs across the change (the boundary sealed by the old set,
    // then blocks of the new one) and takes part in epoch 2: with node 1 down as well, the chain
    // only moves on if it votes.
    net.start_node(2);
    net.wait_api(2);
    let h = net.height(0);
    net.wait_height(&[2], h, Duration::from_secs(60));
    let c = net.consensus(2);
    assert_eq!(
        (c["role"].as_str(), c["index"].as_u64(), c["epoch"].as_u64()),
        (Some("validator"), Some(2), Some(2)),
        "{c}"
    );
    net.kill9(1);
    let h = net.height(0);
    net.wait_height(&[0, 2, new], h + 3, Duration::from_secs(60));
    let top = net.height(0);
    net.wait_height(&[0, 2, new, obs], top, Duration::from_secs(30));
    net.assert_same_chain(&[0, 2, new, obs], top);

    // Certificates from each epoch verify offline with nothing but the genesis file.
    for id in [&before, &between, &after] {
        let v = verify_offline(&net, new, id);
        assert_eq!(v["valid"], true, "{v}");
        assert_eq!(v["evidence"]["id"].as_u64().map(|x| x.to_string()).as_deref(), Some(id.as_str()), "{v}");
    }
    let v = verify_offline(&net, 0, &after);
    let names: Vec<&str> =
        v["evidence"]["signed_by"].as_array().expect("signed_by").iter().filter_map(|s| s.as_str()).collect();
    assert!(names.len() >= 3 && !names.contains(&"org4-node3"), "sealed by the third epoch's set: {v}");
    let v = verify_offline(&net, 0, &between);
    let names: Vec<&str> =
        v["evidence"]["signed_by"].as_array().expect("signed_by").iter().filter_map(|s| s.as_str()).collect();
    assert!(names.len() >= 4, "sealed by 4 of the second epoch's 5: {v}");
}
