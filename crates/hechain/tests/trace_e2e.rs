//! End to end through the real binary: traceability (溯源, 一物一码) on `hechain dev` — a
//! producer registers a batch, an inspector is authorised and revoked, custody is handed over
//! and accepted, refusals, the consumer query over REST (URL-encoded code), a recall, item and
//! batch certificates verified offline (and a tampered one rejected), and a restart.

mod common;

use common::{cli_env, json_ok, DevNode};

const LOGISTICS_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const INSPECTOR_KEY: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";
/// A GS1 Digital Link style code: the `/` must travel URL-encoded in the REST path.
const CODE: &str = "01/09506000134352/21/A 1";
const CODE2: &str = "QR-000002";

fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let r = reqwest::get(format!("{url}{path}")).await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

fn refused(out: &std::process::Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "expected a refusal containing {needle:?}; stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

#[test]
fn trace_batch_events_handover_recall_certify_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let as_key = |key: &'static str| {
        let node = &node;
        move |args: &[&str]| {
            let mut a = vec!["--key", key];
            a.extend_from_slice(args);
            node.cli(&a)
        }
    };
    let (logistics_cli, inspector_cli) = (as_key(LOGISTICS_KEY), as_key(INSPECTOR_KEY));
    let producer = json_ok(&node.cli(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    let logistics = json_ok(&logistics_cli(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    let inspector = json_ok(&inspector_cli(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    for who in [&logistics, &inspector] {
        json_ok(&node.cli(&["--json", "transfer", who, "1000000000"]));
    }

    // The producer registers a batch with two codes; the attributes document is hashed locally.
    let attrs = dir.path().join("attributes.json");
    std::fs::write(&attrs, br#"{"variety":"Provence","grade":"A"}"#).unwrap();
    let batch = json_ok(&node.cli(&[
        "--json",
        "trace",
        "batch",
        "--product",
        "寿光番茄",
        "--producer-label",
        "Green Farm Co-op",
        "--attributes",
        attrs.to_str().unwrap(),
        CODE,
        CODE2,
    ]));
    assert_eq!(batch["events"][0]["type"], "trace_batch_registered");
    assert_eq!(batch["events"][1]["count"], 2);
    refused(&node.cli(&["trace", "add-items", "1", CODE]), "is already registered: item 1 of batch 1");

    let report = dir.path().join("report.pdf");
    std::fs::write(&report, b"%PDF lab report").unwrap();
    json_ok(&node.cli(&[
        "--json",
        "trace",
        "event",
        CODE,
        "--stage",
        "harvested",
        "--location",
        "Shouguang",
        "--attach",
        report.to_str().unwrap(),
    ]));

    // The inspector may write only while authorised on the batch.
    refused(&inspector_cli(&["trace", "event", CODE, "--stage", "inspected"]), "may not append events");
    json_ok(&node.cli(&["--json", "trace", "authorize", &inspector, "--batch", "1"]));
    json_ok(&inspector_cli(&["--json", "trace", "event", CODE, "--stage", "inspected", "--note", "residue OK"]));
    json_ok(&node.cli(&["--json", "trace", "revoke", &inspector, "--batch", "1"]));
    refused(&inspector_cli(&["trace", "event", CODE, "--stage", "inspected"]), "may not append events");

    // Hand-over: pending until the receiver accepts; no second offer; only the receiver accepts.
    json_ok(&node.cli(&["--json", "trace", "handover", &logistics, CODE]));
    let pending = json_ok(&logistics_cli(&["--json", "trace", "list", "--pending"]));
    assert_eq!(pending["items"][0]["code"], CODE);
    refused(&node.cli(&["trace", "handover", &inspector, CODE]), "is already offered to");
    refused(&inspector_cli(&["trace", "accept", CODE]), "only the receiver");
    json_ok(&logistics_cli(&["--json", "trace", "accept", CODE]));
    refused(&node.cli(&["trace", "event", CODE, "--stage", "late"]), "may not append events");
    json_ok(&logistics_cli(&["--json", "trace", "event", CODE, "--stage", "shipped", "--location", "Beijing"]));

    // The consumer query over REST, the code URL-encoded.
    let path = format!("/api/v1/trace/items/{}", hechain_sdk::path_segment(CODE));
    assert!(path.contains("%2F"), "{path}");
    let (s, h) = get(&node.url, &path);
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["history_verified"], true);
    assert_eq!(h["recalled"], false);
    assert_eq!(h["custody_chain"], serde_json::json!([producer, logistics]));
    let stages: Vec<String> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"]["stage"].as_str().unwrap_or("(custody)").to_string())
        .collect();
    assert_eq!(stages, vec!["harvested", "inspected", "(custody)", "shipped"]);
    assert_eq!(h["events"][1]["author"], inspector.as_str());
    assert_eq!(h["events"][2]["author"], logistics.as_str());
    let (_, held) = get(&node.url, &format!("/api/v1/trace/by-custodian/{logistics}"));
    assert_eq!(held["items"][0]["code"], CODE);
    let (_, items) = get(&node.url, "/api/v1/trace/batches/1/items?limit=1");
    assert_eq!((items["items"].as_array().unwrap().len(), items["next_after"].as_u64()), (1, Some(1)));
    let (s, e) = get(&node.url, "/api/v1/trace/items/NOPE");
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("item_not_found")));
    let (s, e) = get(&node.url, "/api/v1/trace/batches/x");
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_id")));

    // Recall: the producer only; then no hand-over, but a "returned" event is still written.
    refused(&logistics_cli(&["trace", "recall", "1", "--reason", "x"]), "only the producer");
    json_ok(&node.cli(&["--json", "trace", "recall", "1", "--reason", "pesticide residue"]));
    refused(&logistics_cli(&["trace", "handover", &producer, CODE]), "recalled at height");
    json_ok(&logistics_cli(&["--json", "trace", "event", CODE, "--stage", "returned"]));
    let (_, b2) = get(&node.url, &format!("/api/v1/trace/items/{CODE2}"));
    assert_eq!(b2["recalled"], true, "recall covers every item of the batch");
    let text = String::from_utf8_lossy(&node.cli(&["trace", "item", CODE]).stdout).into_owned();
    assert!(text.contains("RECALLED") && text.contains("verified"), "{text}");

    // Certificates of the item (with its history and batch) and of the batch.
    let item_cert = dir.path().join("item.json");
    let batch_cert = dir.path().join("batch.json");
    json_ok(&node.cli(&["--json", "trace", "cert", CODE, "-o", item_cert.to_str().unwrap()]));
    json_ok(&node.cli(&["--json", "trace", "cert", "--batch", "1", "-o", batch_cert.to_str().unwrap()]));
    let genesis = node.genesis.to_str().unwrap().to_string();

    // Restart on the same data: the history is still there.
    drop(node);
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let h = json_ok(&node.cli(&["--json", "trace", "item", CODE]));
    assert_eq!((h["events"].as_array().unwrap().len(), h["recalled"].as_bool()), (5, Some(true)));
    let listed = json_ok(&node.cli(&["--json", "trace", "list", "--produced"]));
    assert_eq!(listed["batches"][0]["product"], "寿光番茄");
    drop(node);

    // Offline: both certificates verify with only the genesis file; a tampered one does not.
    let offline = |p: &std::path::Path| {
        cli_env("http://127.0.0.1:9", &["trace", "verify-cert", p.to_str().unwrap(), "--genesis", &genesis], &[])
    };
    let ok = offline(&item_cert);
    let out = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert_eq!(ok.status.code(), Some(0), "{out}");
    assert!(out.contains("VALID") && out.contains("RECALLED") && out.contains("shipped"), "{out}");
    let ok = offline(&batch_cert);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let tampered = dir.path().join("tampered.json");
    let forged = std::fs::read_to_string(&item_cert).unwrap().replace("\"shipped\"", "\"organic\"");
    std::fs::write(&tampered, forged).unwrap();
    let bad = offline(&tampered);
    let out = String::from_utf8_lossy(&bad.stdout).into_owned();
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(out.contains("INVALID") && out.contains("item history"), "{out}");
}
