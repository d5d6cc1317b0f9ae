//! Anonymous polls and reports end to end through the real binary on a dev node whose minimum
//! fee is not zero: ring keys, a ring, a poll, votes sent from one-time accounts (fee-exempt),
//! a second vote by the same member refused, an outsider refused, the tally, an anonymous report
//! once per topic, and a poll certificate verified offline.

mod common;

use common::{json_ok, DevNode};

const KEYS: [&str; 4] = [
    "0x6161616161616161616161616161616161616161616161616161616161616161",
    "0x6262626262626262626262626262626262626262626262626262626262626262",
    "0x6363636363636363636363636363636363636363636363636363636363636363",
    "0x6464646464646464646464646464646464646464646464646464646464646464",
];

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn anonymous_poll_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("data"), &["--block-time", "100"]);
    let as_key = |key: &str, args: &[&str]| {
        let mut a = vec!["--key", key];
        a.extend_from_slice(args);
        node.cli(&a)
    };
    let addrs: Vec<String> = KEYS
        .iter()
        .map(|k| json_ok(&as_key(k, &["--json", "account"]))["address"].as_str().unwrap().to_string())
        .collect();
    for (k, a) in KEYS.iter().zip(&addrs) {
        json_ok(&node.cli(&["--json", "transfer", a, "1000000000"]));
        json_ok(&as_key(k, &["--json", "anon", "register"]));
    }
    let members = addrs[..3].join(",");
    let r = json_ok(&node.cli(&["--json", "anon", "create-ring", "--name", "board", "--members", &members]));
    assert_eq!(r["events"][0]["size"], 3, "{r}");
    let r = json_ok(&node.cli(&[
        "--json",
        "anon",
        "create-poll",
        "--ring",
        "1",
        "--title",
        "Admit Org D?",
        "--options",
        "approve,reject",
    ]));
    assert_eq!(r["events"][0]["type"], "anon_poll_created", "{r}");

    // A minimum fee is in force: votes still go through from unfunded one-time accounts.
    let mut params = json_ok(&node.cli(&["--json", "gov", "members"]))["params"].clone();
    params["min_fee"] = serde_json::json!(7);
    let pfile = dir.path().join("params.json");
    std::fs::write(&pfile, params.to_string()).unwrap();
    json_ok(&node.cli(&["--json", "gov", "propose", "set-params", pfile.to_str().unwrap()]));
    assert_eq!(json_ok(&node.cli(&["--json", "status"]))["min_fee"], 7);

    // Each vote comes from a one-time account, not from the member's.
    let v = json_ok(&as_key(KEYS[0], &["--json", "anon", "vote", "1", "--option", "approve"]));
    let tx = v["tx_hash"].as_str().unwrap().to_string();
    let t = json_ok(&node.cli(&["--json", "tx", &tx]));
    let sender = t.to_string().to_lowercase();
    for a in &addrs {
        assert!(!sender.contains(&a.to_lowercase()), "the vote names a member: {t}");
    }
    json_ok(&as_key(KEYS[1], &["--json", "anon", "vote", "1", "--option", "1"]));
    let again = as_key(KEYS[1], &["anon", "vote", "1", "--option", "approve"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already voted in poll 1"), "{}", stderr(&again));
    let outsider = as_key(KEYS[3], &["anon", "vote", "1", "--option", "approve"]);
    assert!(!outsider.status.success());
    assert!(stderr(&outsider).contains("is not in ring 1"), "{}", stderr(&outsider));
    json_ok(&as_key(KEYS[2], &["--json", "anon", "vote", "1", "--option", "approve"]));
    let p = json_ok(&node.cli(&["--json", "anon", "poll", "1"]));
    assert_eq!(p["tally"], serde_json::json!([2, 1]), "{p}");

    // An anonymous report, once per member per topic.
    let evidence = dir.path().join("memo.txt");
    std::fs::write(&evidence, "invoice 17 was paid twice").unwrap();
    let ev = evidence.to_str().unwrap();
    let report =
        |k: &str| as_key(k, &["--json", "anon", "report", "--ring", "1", "--topic", "procurement", "--evidence", ev]);
    json_ok(&report(KEYS[2]));
    let twice = report(KEYS[2]);
    assert!(!twice.status.success());
    assert!(stderr(&twice).contains("already reported"), "{}", stderr(&twice));
    let reports = json_ok(&node.cli(&["--json", "anon", "reports", "1"]));
    assert_eq!(reports["reports"].as_array().unwrap().len(), 1, "{reports}");

    // The tally's certificate verifies offline.
    let cert = dir.path().join("poll.json");
    let cert = cert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "anon", "certificate", "--poll", "1", "--out", cert]));
    let checked = node.cli(&["anon", "verify-cert", cert]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    node.terminate();
}
