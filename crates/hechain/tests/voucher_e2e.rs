//! End to end through the real binary: receivable vouchers on `hechain dev` — issue, split,
//! pledge, a refused double spend, REST lineage, a part certificate verified offline, and
//! settlement at maturity paying the holders and the bank.

mod common;

use common::{cli_env, json_ok, DevNode};

const BUYER: &str = "0x00000000000000000000000000000000000000bb";
const BANK: &str = "0x00000000000000000000000000000000000000cc";
const HOLDER_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";

fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let r = reqwest::get(format!("{url}{path}")).await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

fn balance(node: &DevNode, who: &str) -> u128 {
    json_ok(&node.cli(&["--json", "account", who]))["balance"].as_str().unwrap().parse().unwrap()
}

#[test]
fn voucher_issue_split_pledge_settle() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let as_holder = |args: &[&str]| {
        let mut a = vec!["--key", HOLDER_KEY];
        a.extend_from_slice(args);
        node.cli(&a)
    };
    let holder = json_ok(&as_holder(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    json_ok(&node.cli(&["--json", "transfer", &holder, "1000000000"]));

    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let maturity = (now_ms + 5_000).to_string();
    let reference = format!("0x{}", "77".repeat(32));
    let issued = json_ok(&node.cli(&[
        "--json",
        "voucher",
        "issue",
        &holder,
        "1000",
        "--maturity",
        &maturity,
        "--reference",
        &reference,
    ]));
    assert_eq!(issued["events"][0]["type"], "voucher_issued");
    assert_eq!(issued["events"][0]["part"], 1);

    // The supplier passes 600 on and keeps 400, which it pledges to a bank.
    let split =
        json_ok(&as_holder(&["--json", "voucher", "split", "1", &format!("{BUYER}:600"), &format!("{holder}:400")]));
    assert_eq!(split["events"][0]["children"], serde_json::json!([2, 3]));
    json_ok(&as_holder(&["--json", "voucher", "pledge", "3", BANK]));
    // Spending part 1 again is refused: it holds nothing any more.
    let again = as_holder(&["voucher", "split", "1", &format!("{BUYER}:1000")]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already split into parts [2, 3]"));
    let bad_sum = as_holder(&["voucher", "split", "3", &format!("{BUYER}:1")]);
    assert!(
        String::from_utf8_lossy(&bad_sum.stderr).contains("pledged to"),
        "{}",
        String::from_utf8_lossy(&bad_sum.stderr)
    );

    let (s, v) = get(&node.url, "/api/v1/vouchers/1");
    assert_eq!((s, v["live_parts"].as_array().unwrap().len()), (200, 2));
    let (_, l) = get(&node.url, "/api/v1/vouchers/parts/2/lineage");
    let ids: Vec<u64> = l["lineage"].as_array().unwrap().iter().map(|p| p["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, vec![2, 1]);
    let (_, page) = get(&node.url, &format!("/api/v1/vouchers/by-holder/{BUYER}"));
    assert_eq!(page["parts"][0]["amount"], "600");
    let (s, e) = get(&node.url, "/api/v1/vouchers/parts/99");
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("part_not_found")));

    let cert = dir.path().join("part.json");
    let c = cert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "voucher", "cert", "2", "-o", c]));
    let genesis = node.genesis.to_str().unwrap().to_string();

    // Settlement waits for maturity; then the issuer pays 600 to the buyer and 400 to the bank.
    let early = node.cli(&["voucher", "settle", "1"]);
    assert!(String::from_utf8_lossy(&early.stderr).contains("matures at"));
    std::thread::sleep(std::time::Duration::from_millis(5_500));
    let (buyer0, bank0) = (balance(&node, BUYER), balance(&node, BANK));
    let settled = json_ok(&node.cli(&["--json", "voucher", "settle", "1"]));
    assert_eq!(settled["events"].as_array().unwrap().last().unwrap()["paid"], "1000");
    assert_eq!((balance(&node, BUYER) - buyer0, balance(&node, BANK) - bank0), (600, 400));
    let shown = json_ok(&node.cli(&["--json", "voucher", "show", "1"]));
    assert!(shown["voucher"]["settled"].is_object());
    drop(node);

    let ok = cli_env("http://127.0.0.1:9", &["voucher", "verify-cert", c, "--genesis", &genesis], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("part 2 of voucher 1: 600"));

    // The records survive a restart.
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let shown = json_ok(&node.cli(&["--json", "voucher", "show", "1"]));
    assert_eq!(shown["voucher"]["settled"]["height"], settled["height"]);
    let (_, l) = get(&node.url, "/api/v1/vouchers/parts/3/lineage");
    assert_eq!(l["lineage"][0]["status"]["state"], "settled");
    assert_eq!(l["lineage"][0]["status"]["paid_to"].as_str().map(str::to_lowercase).as_deref(), Some(BANK));
}
