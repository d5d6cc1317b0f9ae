//! End to end through the real binary: the commands of service modules built on the module
//! interface (`hechain invoice …`, `hechain tradedoc …`, gathered from the module list by
//! `modules_cli`): submit, query, refusals with their reasons, certificates saved and verified.

mod common;

use common::{json_ok, DevNode};

const ISSUER_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const ORG_B_KEY: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";

fn text(out: &std::process::Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn invoice_and_tradedoc_commands() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("data"), &["--block-time", "100"]);
    let with_key = |key: &str, args: &[&str]| {
        let mut a = vec!["--key", key];
        a.extend_from_slice(args);
        node.cli(&a)
    };
    let issuer = json_ok(&with_key(ISSUER_KEY, &["--json", "account"]))["address"].as_str().unwrap().to_string();
    let org_b = json_ok(&with_key(ORG_B_KEY, &["--json", "account"]))["address"].as_str().unwrap().to_string();
    for who in [&issuer, &org_b] {
        json_ok(&node.cli(&["--json", "transfer", who, "1000000000"]));
    }
    let h = |b: &str| format!("0x{}", b.repeat(32));

    // The dev chain's first account sits on the governance committee: it authorises the issuer.
    let r = json_ok(&node.cli(&[
        "--json",
        "invoice",
        "authorize-issuer",
        &issuer,
        "--name",
        "Shenzhen Co",
        "--tax-id-hash",
        &h("11"),
    ]));
    assert_eq!(r["events"][0]["type"], "invoice_issuer_authorized", "{r}");
    let issue = [
        "--json",
        "invoice",
        "issue",
        "--code",
        "044031900111",
        "--number",
        "00000001",
        "--buyer",
        &org_b,
        "--buyer-tax-id-hash",
        &h("22"),
        "--amount",
        "10000",
        "--tax",
        "1300",
        "--issued-on-ms",
        "1765000000000",
        "--items-hash",
        &h("33"),
    ];
    let r = json_ok(&with_key(ISSUER_KEY, &issue));
    assert_eq!(r["events"][0]["id"], 1, "{r}");

    let v: serde_json::Value = serde_json::from_str(
        &text(&node.cli(&["invoice", "verify", "--code", "044031900111", "--number", "00000001"])).0,
    )
    .expect("verify prints JSON");
    assert_eq!((v["exists"].clone(), v["valid"].clone()), (serde_json::json!(true), serde_json::json!(true)), "{v}");

    // Reimbursed once (by the dev account's organisation); the second organisation is refused
    // with the first's name, claim and block.
    json_ok(&node.cli(&["--json", "invoice", "reimburse", "1", "--org", "Org A", "--claim-ref", "BX-7"]));
    let second = with_key(ORG_B_KEY, &["invoice", "reimburse", "1", "--org", "Org B", "--claim-ref", "R-1"]);
    let (_, err) = text(&second);
    assert!(!second.status.success());
    assert!(err.contains("already reimbursed by Org A") && err.contains("BX-7"), "{err}");

    // Certificate: saved, then verified offline (exit 0, VALID, what it proves).
    let cert = dir.path().join("invoice-1.json");
    let cert = cert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "invoice", "certificate", "1", "--out", cert]));
    let checked = node.cli(&["invoice", "verify-cert", cert]);
    let (out, err) = text(&checked);
    assert!(checked.status.success(), "{out}{err}");
    assert!(out.contains("VALID") && out.contains("REIMBURSED by Org A"), "{out}");

    // Usage errors are clear and do not reach the chain.
    let bad = node.cli(&["invoice", "verify", "--code", "04&x", "--number", "1"]);
    assert!(!bad.status.success());
    assert!(text(&bad).1.contains("invoice code"), "{}", text(&bad).1);

    // Trade documents: one live financing per document across banks.
    let reg = |key: &str, number: &str| {
        with_key(
            key,
            &[
                "--json",
                "tradedoc",
                "register",
                "--type",
                "bill_of_lading",
                "--issuer",
                "COSCO Shipping",
                "--number",
                number,
                "--content-hash",
                &h(if key == ISSUER_KEY { "44" } else { "55" }),
                "--amount",
                "1000000",
            ],
        )
    };
    json_ok(&reg(ISSUER_KEY, "COSU6182335000"));
    let refused = reg(ORG_B_KEY, "cosu-6182-3350-00");
    assert!(!refused.status.success());
    assert!(text(&refused).1.contains("already financed by bank"), "{}", text(&refused).1);
    let look = node.cli(&[
        "tradedoc",
        "lookup",
        "--type",
        "bill_of_lading",
        "--issuer",
        "cosco shipping",
        "--number",
        "COSU6182335000",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text(&look).0).expect("lookup prints JSON");
    assert_eq!(v["financed"], true, "{v}");
    node.terminate();
}
