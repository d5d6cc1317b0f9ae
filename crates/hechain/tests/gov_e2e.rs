//! End to end through the real binary: governance on `hechain dev` (dev account 0 is the whole
//! committee, so its proposals pass at once) — freeze and unfreeze an account, a non-member
//! refused, deploy permission granted and revoked, a chain parameter changed, the audit trail
//! over CLI and REST, and everything still in force after a restart.

mod common;

use common::{json_ok, DevNode};

const BUYER: &str = "0x00000000000000000000000000000000000000bb";
const HOLDER_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const OTHER_KEY: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";

fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let r = reqwest::get(format!("{url}{path}")).await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn artifact() -> String {
    format!("{}/../../contracts/artifacts/HechainToken.json", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn governance_freezes_permits_and_changes_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let as_key = |key: &'static str, args: &[&str]| {
        let mut a = vec!["--key", key];
        a.extend_from_slice(args);
        node.cli(&a)
    };
    let holder = json_ok(&as_key(HOLDER_KEY, &["--json", "account"]))["address"].as_str().unwrap().to_string();
    let other = json_ok(&as_key(OTHER_KEY, &["--json", "account"]))["address"].as_str().unwrap().to_string();
    for who in [&holder, &other] {
        json_ok(&node.cli(&["--json", "transfer", who, "1000000000000000000"]));
    }

    let g = json_ok(&node.cli(&["--json", "gov", "members"]));
    assert_eq!(g["committee"].as_array().unwrap().len(), 1);
    assert_eq!(g["config"]["threshold_bps"], 6666);

    // Freeze: one member is the whole committee, so the proposal applies in its own block.
    let p = json_ok(&node.cli(&["--json", "gov", "propose", "freeze", &holder, "--reason", "court order 2026-17"]));
    let types: Vec<&str> = p["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["gov_proposed", "gov_voted", "gov_approved"]);
    let refused = as_key(HOLDER_KEY, &["transfer", BUYER, "1"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("is frozen by proposal 1: court order 2026-17"), "{}", stderr(&refused));
    let roles = json_ok(&node.cli(&["--json", "gov", "roles", &holder]));
    assert_eq!(roles["frozen"]["proposal"], 1);

    // A non-member can neither propose nor vote.
    let out = as_key(OTHER_KEY, &["gov", "propose", "unfreeze", &holder]);
    assert!(stderr(&out).contains("only committee members may propose"), "{}", stderr(&out));

    // Deploying now needs the deployer role (committee members always may).
    let perms = dir.path().join("perms.json");
    std::fs::write(&perms, r#"{"deploy":{"access":"roles","roles":["deployer"]}}"#).unwrap();
    json_ok(&node.cli(&["--json", "gov", "propose", "set-permissions", perms.to_str().unwrap()]));
    let token = artifact();
    let deploy = |key| as_key(key, &["--json", "contract", "deploy", &token, "Coin", "CN", "1000"]);
    let out = deploy(OTHER_KEY);
    assert!(stderr(&out).contains("may not deploy contracts"), "{}", stderr(&out));
    json_ok(&node.cli(&["--json", "gov", "propose", "grant-role", &other, "deployer", "--description", "ACME"]));
    json_ok(&deploy(OTHER_KEY));
    json_ok(&node.cli(&["--json", "gov", "propose", "revoke-role", &other, "deployer"]));
    let out = deploy(OTHER_KEY);
    assert!(stderr(&out).contains("may not deploy contracts"), "{}", stderr(&out));

    // A chain parameter: the minimum fee. The CLI pays what the node says is in force.
    let mut params = json_ok(&node.cli(&["--json", "gov", "members"]))["params"].clone();
    params["min_fee"] = serde_json::json!(7);
    let pfile = dir.path().join("params.json");
    std::fs::write(&pfile, params.to_string()).unwrap();
    json_ok(&node.cli(&["--json", "gov", "propose", "set-params", pfile.to_str().unwrap()]));
    assert_eq!(json_ok(&node.cli(&["--json", "status"]))["min_fee"], 7);
    json_ok(&node.cli(&["--json", "gov", "propose", "unfreeze", &holder]));
    json_ok(&as_key(HOLDER_KEY, &["--json", "transfer", BUYER, "1"]));

    // The audit trail.
    let all = json_ok(&node.cli(&["--json", "gov", "list", "--all"]));
    let kinds: Vec<&str> =
        all["proposals"].as_array().unwrap().iter().map(|p| p["action"]["action"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["freeze", "set_permissions", "grant_role", "revoke_role", "set_params", "unfreeze"]);
    let show = json_ok(&node.cli(&["--json", "gov", "show", "3"]));
    assert_eq!((show["status"].as_str(), show["proposal"]["description"].as_str()), (Some("applied"), Some("ACME")));
    assert_eq!(show["votes"].as_array().unwrap().len(), 1);
    let (s, e) = get(&node.url, "/api/v1/governance/proposals/99");
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("proposal_not_found")));
    let (s, page) = get(&node.url, "/api/v1/governance/proposals?after=4&limit=1");
    assert_eq!((s, page["proposals"][0]["id"].as_u64(), page["next_after"].as_u64()), (200, Some(5), Some(5)));
    let (_, acct) = get(&node.url, &format!("/api/v1/governance/accounts/{other}"));
    assert_eq!(acct["roles"], serde_json::json!([]));
    assert!(json_ok(&node.cli(&["--json", "gov", "list"]))["proposals"].as_array().unwrap().is_empty());

    // Everything is state: it survives a restart.
    drop(node);
    let node = DevNode::start(&data, &["--block-time", "100"]);
    assert_eq!(json_ok(&node.cli(&["--json", "status"]))["min_fee"], 7);
    let (_, g) = get(&node.url, "/api/v1/governance");
    assert_eq!((g["params"]["min_fee"].as_u64(), g["next_proposal_id"].as_u64()), (Some(7), Some(7)));
    assert_eq!(g["permissions"]["deploy"]["roles"], serde_json::json!(["deployer"]));
}
