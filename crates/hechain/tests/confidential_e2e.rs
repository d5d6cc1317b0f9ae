//! Confidential amounts end to end through the real binary on a dev node: view keys, an auditor
//! appointed by governance, an asset issued, paid, split and settled with hidden amounts, each
//! party's wallet opening what it holds, the auditor's balanced audit, refusals with reasons,
//! and no amount in what the node serves.

mod common;

use common::{http_get, json_ok, DevNode};

const ALICE_KEY: &str = "0x3333333333333333333333333333333333333333333333333333333333333333";
const BOB_KEY: &str = "0x4444444444444444444444444444444444444444444444444444444444444444";
const AUDITOR_KEY: &str = "0x5555555555555555555555555555555555555555555555555555555555555555";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Amount of each unspent note in `--json confidential notes`.
fn amounts(v: &serde_json::Value) -> Vec<(u64, String, u64)> {
    v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_u64().unwrap(), n["kind"].as_str().unwrap().to_string(), n["amount"].as_u64().unwrap()))
        .collect()
}

#[test]
fn confidential_voucher_flow() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("data"), &["--block-time", "100"]);
    let as_key = |key: &str, args: &[&str]| {
        let mut a = vec!["--key", key];
        a.extend_from_slice(args);
        node.cli(&a)
    };
    let addr = |key: &str| json_ok(&as_key(key, &["--json", "account"]))["address"].as_str().unwrap().to_string();
    let (alice, bob) = (addr(ALICE_KEY), addr(BOB_KEY));
    for who in [&alice, &bob, &addr(AUDITOR_KEY)] {
        json_ok(&node.cli(&["--json", "transfer", who, "1000000000"]));
    }

    // Paying someone without a view key is refused before anything is proven.
    json_ok(&node.cli(&["--json", "confidential", "register"]));
    json_ok(&node.cli(&[
        "--json",
        "confidential",
        "create-asset",
        "--name",
        "Core Co receivables",
        "--cap",
        "1000000",
    ]));
    let refused = node.cli(&["confidential", "issue", "--asset", "1", "--to", &alice, "--amount", "5"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("has not registered a view key"), "{}", stderr(&refused));
    for key in [ALICE_KEY, BOB_KEY] {
        let r = json_ok(&as_key(key, &["--json", "confidential", "register"]));
        assert_eq!(r["events"][0]["type"], "conf_view_key_registered", "{r}");
    }

    // The committee (the dev account) appoints the auditor by its view key; a value that is not
    // a key is refused when proposed.
    let auditor_key = json_ok(&as_key(AUDITOR_KEY, &["--json", "confidential", "view-key"]))["view_key"]
        .as_str()
        .unwrap()
        .to_string();
    let bad = node.cli(&[
        "gov",
        "propose",
        "set-module-setting",
        "--module",
        "confidential",
        "--setting",
        "auditor",
        "--value",
        "0x01",
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("32 bytes"), "{}", stderr(&bad));
    let p = json_ok(&node.cli(&[
        "--json",
        "gov",
        "propose",
        "set-module-setting",
        "--module",
        "confidential",
        "--setting",
        "auditor",
        "--value",
        &auditor_key,
    ]));
    assert_eq!(p["events"].as_array().unwrap().last().unwrap()["type"], "gov_approved", "{p}");

    // Issue 300,000 to Alice; she pays Bob 120,000; Bob splits and settles 100,000.
    let r =
        json_ok(&node.cli(&["--json", "confidential", "issue", "--asset", "1", "--to", &alice, "--amount", "300000"]));
    assert_eq!(r["events"][0]["type"], "conf_moved", "{r}");
    json_ok(&as_key(
        ALICE_KEY,
        &["--json", "confidential", "transfer", "--asset", "1", "--to", &bob, "--amount", "120000"],
    ));
    let bob_notes = amounts(&json_ok(&as_key(BOB_KEY, &["--json", "confidential", "notes"])));
    assert_eq!(bob_notes.iter().map(|n| n.2).collect::<Vec<_>>(), [120_000]);
    let note = bob_notes[0].0.to_string();
    json_ok(&as_key(BOB_KEY, &["--json", "confidential", "split", &note, "--amounts", "20000,100000"]));
    let bob_notes = amounts(&json_ok(&as_key(BOB_KEY, &["--json", "confidential", "notes"])));
    let big = bob_notes.iter().find(|n| n.2 == 100_000).unwrap().0.to_string();
    let r = json_ok(&as_key(BOB_KEY, &["--json", "confidential", "settle", "--asset", "1", "--notes", &big]));
    assert_eq!(r["events"][0]["kind"], "settle", "{r}");

    // Each wallet opens what it holds.
    let alice_notes = amounts(&json_ok(&as_key(ALICE_KEY, &["--json", "confidential", "notes"])));
    assert_eq!(alice_notes.iter().map(|n| n.2).collect::<Vec<_>>(), [180_000]);
    let bob_notes = amounts(&json_ok(&as_key(BOB_KEY, &["--json", "confidential", "notes"])));
    assert_eq!(bob_notes.iter().map(|n| n.2).collect::<Vec<_>>(), [20_000]);
    let issuer_notes = amounts(&json_ok(&node.cli(&["--json", "confidential", "notes"])));
    assert_eq!(issuer_notes.iter().map(|n| (n.1.as_str(), n.2)).collect::<Vec<_>>(), [("reserve", 700_000)]);
    // The issuer reads what the settlement asks it to pay.
    let owned = amounts(&json_ok(&node.cli(&["--json", "confidential", "notes", "--asset", "1", "--all"])));
    assert!(owned.iter().any(|n| n.1 == "settled" && n.2 == 100_000), "{owned:?}");

    // Overspending is refused with the reason; so is settling a note one does not hold.
    let over = as_key(ALICE_KEY, &["confidential", "transfer", "--asset", "1", "--to", &bob, "--amount", "180001"]);
    assert!(!over.status.success());
    assert!(stderr(&over).contains("less than 180001"), "{}", stderr(&over));

    // The auditor opens every note and finds them balanced: reserve + outstanding + settled = cap.
    let audit = json_ok(&as_key(AUDITOR_KEY, &["--json", "confidential", "audit", "1"]));
    assert_eq!(audit["balanced"], true, "{audit}");
    assert_eq!(
        (audit["reserve"].as_u64(), audit["outstanding"].as_u64(), audit["settled"].as_u64()),
        (Some(700_000), Some(200_000), Some(100_000)),
        "{audit}"
    );
    // Anyone else's key opens nothing.
    let not_auditor = as_key(BOB_KEY, &["--json", "confidential", "audit", "1"]);
    assert_eq!(not_auditor.status.code(), Some(1), "{}", stderr(&not_auditor));

    // What the node serves about a note holds no amount.
    let (code, body) = http_get(&format!("{}/api/v1/confidential/notes/{}", node.url, alice_notes[0].0)).unwrap();
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["owner"].as_str().unwrap().to_lowercase(), alice.to_lowercase(), "{v}");
    assert!(v.get("amount").is_none() && !body.contains("180000"), "{body}");
    let (code, body) = http_get(&format!("{}/api/v1/confidential/params", node.url)).unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(body.contains(&auditor_key), "{body}");

    // A note's certificate verifies offline.
    let cert = dir.path().join("note.json");
    let cert = cert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "confidential", "certificate", &alice_notes[0].0.to_string(), "--out", cert]));
    let checked = node.cli(&["confidential", "verify-cert", cert]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    node.terminate();
}
