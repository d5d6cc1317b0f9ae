//! The invoice module on a real single-node chain (hechain-testkit): transactions through the
//! REST API, the module's routes, its certificate verified offline, its precompile over
//! `eth_call`, and its place in the payload's wire format.

use alloy_sol_types::{sol, SolCall};
use hechain_invoice::{InvoiceCall, InvoiceModule};
use hechain_testkit::{TestNode, CHAIN_ID, MIN_FEE};
use hechain_types::{Address, CommitteeMember, GenesisGovernance, GovConfig, Payload, Permissions, H256};
use reqwest::StatusCode;
use serde_json::{json, Value};

sol! {
    function issue(string code, string number, address buyer, bytes32 buyerTaxIdHash, uint256 amount, uint256 tax, uint64 issuedOnMs, bytes32 itemsHash) external returns (uint64 id);
    function verify(string code, string number) external view returns (bool exists, bool valid, uint64 id, address issuer, address buyer, uint256 amount, uint256 tax, bool cancelled, bool reimbursed);
}

const COMMITTEE: usize = 0;
const ISSUER: usize = 1;
const ORG_A: usize = 2;
const ORG_B: usize = 3;

async fn node() -> TestNode {
    let mut opts = hechain_testkit::Options::default();
    let committee = hechain_testkit::account_key(COMMITTEE as u8);
    opts.governance = Some(GenesisGovernance {
        committee: vec![CommitteeMember { address: Address(committee.address()), weight: 1, org: "org0".into() }],
        config: GovConfig { threshold_bps: 6_666, voting_period_ms: 3_600_000 },
        roles: vec![],
        permissions: Permissions::default(),
    });
    TestNode::start_with(opts).await
}

/// Submits `call` from account `from` (nonce `nonce`), commits a block, and returns the receipt.
async fn run(node: &TestNode, from: usize, nonce: u64, call: InvoiceCall) -> Value {
    let tx = node.sign(from, nonce, MIN_FEE, CHAIN_ID, Payload::Invoice(call));
    let hash = node.submit(&tx).await;
    node.produce_block();
    let (s, v) = node.get(&format!("/api/v1/receipts/{hash}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn issue_call(node: &TestNode, number: &str) -> InvoiceCall {
    InvoiceCall::Issue {
        code: "044031900111".into(),
        number: number.into(),
        buyer: node.address(ORG_A),
        buyer_tax_id_hash: H256([7; 32]),
        amount: 10_000,
        tax: 1_300,
        issued_on_ms: hechain_testkit::GENESIS_TS,
        items_hash: H256([8; 32]),
    }
}

async fn eth_call(node: &TestNode, from: Address, data: Vec<u8>) -> Value {
    let to = format!("0x{}", hex_of(&hechain_invoice_address()));
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call",
        "params": [{"from": from.to_hex(), "to": to, "data": format!("0x{}", hex_of(&data))}, "latest"]});
    let (s, v) = node.post_json("/", &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn hechain_invoice_address() -> [u8; 20] {
    let mut a = [0u8; 20];
    a[18] = 0x10;
    a[19] = 0x05;
    a
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim_start_matches("0x");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_verify_reimburse_once_and_certify() {
    let mut node = node().await;
    let auth = InvoiceCall::AuthorizeIssuer {
        issuer: node.address(ISSUER),
        name: "Shenzhen Co".into(),
        tax_id_hash: H256([6; 32]),
    };
    // Not a committee member: refused with the reason.
    let r = run(&node, ISSUER, 0, auth.clone()).await;
    assert_eq!(r["status"], "failed", "{r}");
    assert!(r["reason"].as_str().unwrap().contains("only governance committee members"), "{r}");
    let r = run(&node, COMMITTEE, 0, auth).await;
    assert_eq!(r["status"], "success", "{r}");
    assert_eq!(r["events"][0]["type"], "invoice_issuer_authorized");

    let r = run(&node, ISSUER, 1, issue_call(&node, "00000001")).await;
    assert_eq!(r["status"], "success", "{r}");
    assert_eq!(r["events"][0]["type"], "invoice_issued");
    assert_eq!(r["events"][0]["id"], 1);

    let (s, v) = node.get("/api/v1/invoices/verify?code=044031900111&number=00000001").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["exists"].clone(), v["valid"].clone(), v["issuer_authorized"].clone()),
        (json!(true), json!(true), json!(true))
    );
    assert_eq!(v["invoice"]["amount"], "10000");
    let (s, v) = node.get("/api/v1/invoices/verify?code=044031900111&number=99999999").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["exists"], false);
    let (s, v) = node.get("/api/v1/invoices/verify?code=0440-31&number=1").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "invalid_invoice");

    // Reimbursed once; the second organisation is told who did it first, and when.
    let first = InvoiceCall::Reimburse { invoice_id: 1, org: "Org A".into(), claim_ref: "BX-2026-7".into() };
    let r = run(&node, ORG_A, 0, first).await;
    assert_eq!(r["status"], "success", "{r}");
    let height_a = r["height"].as_u64().unwrap();
    // The pool refuses it on arrival (execution would refuse it too, see the unit tests).
    let second = InvoiceCall::Reimburse { invoice_id: 1, org: "Org B".into(), claim_ref: "R-1".into() };
    let tx = node.sign(ORG_B, 0, MIN_FEE, CHAIN_ID, Payload::Invoice(second));
    let (s, v) = node.post_json("/api/v1/transactions", &hechain_testkit::raw_body(&tx)).await;
    assert_eq!((s, v["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("invoice_reimbursed")), "{v}");
    let reason = v["error"]["message"].as_str().unwrap();
    for part in
        ["already reimbursed by Org A", &node.address(ORG_A).to_string(), "BX-2026-7", &format!("in block {height_a}")]
    {
        assert!(reason.contains(part), "{reason} lacks {part}");
    }
    // The same invoice number again: refused on arrival, naming the invoice.
    let tx = node.sign(ISSUER, 2, MIN_FEE, CHAIN_ID, Payload::Invoice(issue_call(&node, "00000001")));
    let (s, v) = node.post_json("/api/v1/transactions", &hechain_testkit::raw_body(&tx)).await;
    assert_eq!((s, v["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("invoice_exists")), "{v}");

    let (s, v) = node.get("/api/v1/invoices/1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["valid"], false);
    assert_eq!(v["invoice"]["reimbursed"]["org"], "Org A");
    let (s, v) = node.get(&format!("/api/v1/invoices/by-buyer/{}?limit=10", node.address(ORG_A))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["invoices"].as_array().map(Vec::len), Some(1));
    let (s, v) = node.get(&format!("/api/v1/invoices/by-issuer/{}?limit=0", node.address(ISSUER))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = node.get("/api/v1/invoices/7").await;
    assert_eq!((s, v["error"]["code"].clone()), (StatusCode::NOT_FOUND, json!("invoice_not_found")));
    let (s, v) = node.get(&format!("/api/v1/invoices/issuers/{}", node.address(ISSUER))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "Shenzhen Co");

    // The certificate verifies offline against the genesis, and says what it proves.
    node.produce_block();
    let (s, v) = node.get("/api/v1/invoices/1/certificate").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["kind"], "invoice");
    let cert: hechain_cert::RecordCertificate = serde_json::from_value(v.clone()).expect("certificate JSON");
    let verified = cert.verify(&node.genesis).expect("certificate verifies");
    assert_eq!(verified.kind, "invoice");
    let text = cert.record.describe();
    assert!(text.contains("REIMBURSED by Org A"), "{text}");
    // A tampered record does not.
    let mut bad = v;
    bad["record"]["amount"] = json!("1");
    let bad: hechain_cert::RecordCertificate = serde_json::from_value(bad).expect("certificate JSON");
    assert!(bad.verify(&node.genesis).is_err());

    // The precompile: a view, and a write simulated by the issuer (the next id).
    let data = verifyCall { code: "044031900111".into(), number: "00000001".into() }.abi_encode();
    let v = eth_call(&node, node.address(ORG_B), data).await;
    let out = verifyCall::abi_decode_returns(&unhex(v["result"].as_str().expect("result"))).expect("ABI");
    assert!(out.exists && !out.valid && out.reimbursed && out.id == 1, "{v}");
    let data = issueCall {
        code: "044031900111".into(),
        number: "00000002".into(),
        buyer: alloy_primitives::Address::from(node.address(ORG_A).0),
        buyerTaxIdHash: [7; 32].into(),
        amount: alloy_primitives::U256::from(5u64),
        tax: alloy_primitives::U256::ZERO,
        issuedOnMs: hechain_testkit::GENESIS_TS,
        itemsHash: [8; 32].into(),
    }
    .abi_encode();
    let v = eth_call(&node, node.address(ISSUER), data.clone()).await;
    assert_eq!(issueCall::abi_decode_returns(&unhex(v["result"].as_str().expect("result"))).expect("ABI"), 2, "{v}");
    let v = eth_call(&node, node.address(ORG_B), data.clone()).await;
    assert!(v["error"]["message"].as_str().unwrap_or_default().contains("not an authorised invoice issuer"), "{v}");

    // The same write as a committed Ethereum transaction: applied through the module afterwards.
    let (_, acct) = node.get(&format!("/api/v1/accounts/{}", node.address(ISSUER))).await;
    let nonce = acct["nonce"].as_u64().expect("nonce");
    let tx = node.eip1559(ISSUER, nonce, Some(Address(hechain_invoice_address())), data, 500_000);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [hechain_testkit::raw_eth(&tx)]});
    let (s, v) = node.post_json("/", &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    node.produce_block();
    let (s, v) = node.get("/api/v1/invoices/verify?code=044031900111&number=00000002").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["exists"].clone(), v["valid"].clone()), (json!(true), json!(true)), "{v}");
    assert_eq!(v["invoice"]["issuer"], json!(node.address(ISSUER)));

    // The OpenAPI document lists the module's routes with their schemas.
    let (_, doc) = node.get("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/invoices/{id}"]["get"]["responses"]["200"].is_object());
    assert!(doc["components"]["schemas"]["InvoiceVerification"].is_object());
    node.shutdown().await.expect("shutdown");
}

#[test]
fn the_module_owns_wire_tag_28() {
    let call = InvoiceCall::Cancel { invoice_id: 3, reason: "r".into() };
    let bytes = borsh::to_vec(&Payload::Invoice(call.clone())).expect("borsh");
    assert_eq!(&bytes[..2], &[28, 3], "module tag, then the module's own variant tag");
    assert_eq!(borsh::from_slice::<Payload>(&bytes).expect("decode"), Payload::Invoice(call.clone()));
    let j = serde_json::to_value(Payload::Invoice(call.clone())).expect("json");
    assert_eq!(j, json!({"type": "invoice_cancel", "invoice_id": 3, "reason": "r"}));
    assert_eq!(serde_json::from_value::<Payload>(j).expect("json"), Payload::Invoice(call));
    assert!(hechain_types::MODULES.contains(&<InvoiceModule as hechain_module::Module>::NAME));
}
