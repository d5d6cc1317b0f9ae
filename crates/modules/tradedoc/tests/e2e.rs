//! The trade-document registry on a real single-node chain (hechain-testkit): double financing
//! refused across banks, a voucher against a financed document refused (the rule on the voucher
//! module's calls), release, lookup, and the certificate verified offline.

use hechain_testkit::{TestNode, CHAIN_ID, MIN_FEE};
use hechain_tradedoc::{DocType, TradedocCall};
use hechain_types::{Payload, VoucherCall, H256};
use reqwest::StatusCode;
use serde_json::{json, Value};

const BANK_A: usize = 0;
const BANK_B: usize = 1;
const CORE: usize = 2;

async fn run(node: &TestNode, from: usize, nonce: u64, payload: Payload) -> Value {
    let tx = node.sign(from, nonce, MIN_FEE, CHAIN_ID, payload);
    let hash = node.submit(&tx).await;
    node.produce_block();
    let (s, v) = node.get(&format!("/api/v1/receipts/{hash}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn register(issuer: &str, number: &str, content: u8) -> Payload {
    Payload::Tradedoc(TradedocCall::Register {
        doc_type: DocType::BillOfLading,
        issuer: issuer.into(),
        number: number.into(),
        content_hash: H256([content; 32]),
        amount: 1_000_000,
    })
}

fn voucher(node: &TestNode, reference: u8) -> Payload {
    Payload::Voucher(VoucherCall::Issue {
        holder: node.address(BANK_B),
        amount: 500,
        maturity_ms: 4_102_444_800_000, // 2100-01-01
        reference: H256([reference; 32]),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_live_financing_per_document_and_no_voucher_against_it() {
    let mut node = TestNode::start().await;
    let r = run(&node, BANK_A, 0, register("COSCO Shipping", "COSU6182335000", 7)).await;
    assert_eq!(r["status"], "success", "{r}");
    assert_eq!(r["events"][0]["type"], "tradedoc_registered");
    let height_a = r["height"].as_u64().unwrap();

    // Bank B presents the same bill of lading, written differently: refused on arrival, naming
    // bank A's registration (execution refuses it too, see the unit tests).
    let tx = node.sign(BANK_B, 0, MIN_FEE, CHAIN_ID, register("cosco  shipping", "cosu-6182-3350-00", 8));
    let (s, v) = node.post_json("/api/v1/transactions", &hechain_testkit::raw_body(&tx)).await;
    assert_eq!((s, v["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("trade_document_financed")), "{v}");
    let reason = v["error"]["message"].as_str().unwrap();
    for part in
        ["already financed by bank", &node.address(BANK_A).to_string(), "registration 1", &format!("block {height_a}")]
    {
        assert!(reason.contains(part), "{reason} lacks {part}");
    }

    // A receivable voucher whose underlying reference is the financed document: refused.
    let r = run(&node, CORE, 0, voucher(&node, 7)).await;
    assert_eq!(r["status"], "failed", "{r}");
    assert!(r["reason"].as_str().unwrap().contains("financed trade document"), "{r}");
    // Another reference is fine.
    let r = run(&node, CORE, 1, voucher(&node, 9)).await;
    assert_eq!(r["status"], "success", "{r}");

    let path = "/api/v1/tradedocs/lookup?type=bill_of_lading&issuer=COSCO%20Shipping&number=COSU-6182335000";
    let (s, v) = node.get(path).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["financed"], true);
    assert_eq!(v["registration"]["bank"], json!(node.address(BANK_A)));
    let (s, v) = node.get("/api/v1/tradedocs/lookup?type=ship&issuer=a&number=b").await;
    assert_eq!((s, v["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_type")));

    // The certificate of the live registration verifies offline.
    node.produce_block();
    let (s, v) = node.get("/api/v1/tradedocs/1/certificate").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["kind"], "trade_document");
    let cert: hechain_cert::RecordCertificate = serde_json::from_value(v).expect("certificate JSON");
    assert_eq!(cert.verify(&node.genesis).expect("verifies").kind, "trade_document");

    // Repaid: bank A releases; now bank B may finance it, and a voucher may name it again.
    let r = run(&node, BANK_B, 0, Payload::Tradedoc(TradedocCall::Release { doc_id: 1 })).await;
    assert!(r["reason"].as_str().unwrap_or_default().contains("only the bank"), "{r}");
    let r = run(&node, BANK_A, 1, Payload::Tradedoc(TradedocCall::Release { doc_id: 1 })).await;
    assert_eq!(r["status"], "success", "{r}");
    let r = run(&node, BANK_B, 1, register("COSCO Shipping", "COSU6182335000", 7)).await;
    assert_eq!(r["status"], "success", "{r}");
    let (_, v) = node.get(&format!("/api/v1/tradedocs/by-bank/{}", node.address(BANK_A))).await;
    assert!(v["documents"][0]["released"]["height"].as_u64().is_some(), "{v}");
    node.shutdown().await.expect("shutdown");
}

#[test]
fn the_module_owns_wire_tag_29() {
    let call = TradedocCall::Release { doc_id: 2 };
    let bytes = borsh::to_vec(&Payload::Tradedoc(call.clone())).expect("borsh");
    assert_eq!(&bytes[..2], &[29, 1]);
    assert_eq!(borsh::from_slice::<Payload>(&bytes).expect("decode"), Payload::Tradedoc(call));
}
