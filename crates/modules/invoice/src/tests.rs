//! The invoice rules on an in-memory state.

use hechain_module::exec::{BlockInfo, CallContext, ModuleExec};
use hechain_module::testing::{check_enum, MemHost};
use hechain_primitives::{Address, Codec, H256};

use super::*;

const COMMITTEE: Address = Address([1; 20]);
const ISSUER: Address = Address([2; 20]);
const BUYER: Address = Address([3; 20]);
const ORG_A: Address = Address([4; 20]);
const ORG_B: Address = Address([5; 20]);

/// A state whose governance committee is [`COMMITTEE`].
fn host() -> MemHost {
    let mut h = MemHost::default();
    let committee = hechain_governance::Committee {
        members: vec![hechain_governance::CommitteeMember { address: COMMITTEE, weight: 1, org: "org0".into() }],
    };
    h.state.insert(hechain_governance::keys::GOV_COMMITTEE.to_vec(), committee.encode());
    h
}

fn cx(sender: Address, height: u64) -> CallContext {
    CallContext {
        block: BlockInfo {
            suite: hechain_crypto::Suite::Standard,
            genesis_hash: Default::default(),
            height,
            timestamp_ms: 1_000_000 + height,
        },
        sender,
        tx_hash: H256([height as u8; 32]),
        validate: hechain_module::ValidateContext { modules: &["invoice"] },
        origin: hechain_module::exec::Origin::Transaction,
        proofs_checked: false,
    }
}

fn run(h: &mut MemHost, sender: Address, height: u64, call: InvoiceCall) -> Result<Vec<InvoiceEvent>, String> {
    InvoiceModule::apply(h, &cx(sender, height), &call).expect("state")
}

fn issue_call(code: &str, number: &str) -> InvoiceCall {
    InvoiceCall::Issue {
        code: code.into(),
        number: number.into(),
        buyer: BUYER,
        buyer_tax_id_hash: H256([7; 32]),
        amount: 10_000,
        tax: 1_300,
        issued_on_ms: 1_000_000,
        items_hash: H256([8; 32]),
    }
}

fn authorised() -> MemHost {
    let mut h = host();
    let auth = InvoiceCall::AuthorizeIssuer { issuer: ISSUER, name: "Shenzhen Co".into(), tax_id_hash: H256([6; 32]) };
    run(&mut h, COMMITTEE, 1, auth).unwrap();
    h
}

#[test]
fn only_the_committee_authorises_and_only_authorised_issuers_issue() {
    let mut h = host();
    let auth = InvoiceCall::AuthorizeIssuer { issuer: ISSUER, name: "Shenzhen Co".into(), tax_id_hash: H256([6; 32]) };
    let err = run(&mut h, ISSUER, 1, auth.clone()).unwrap_err();
    assert!(err.contains("only governance committee members"), "{err}");
    let err = run(&mut h, ISSUER, 1, issue_call("044031900111", "00000001")).unwrap_err();
    assert!(err.contains("not an authorised invoice issuer"), "{err}");
    run(&mut h, COMMITTEE, 2, auth).unwrap();
    let ev = run(&mut h, ISSUER, 3, issue_call("044031900111", "00000001")).unwrap();
    assert!(matches!(&ev[..], [InvoiceEvent::Issued { id: 1, .. }]));
    let inv = exec::by_code(&h, "044031900111", "00000001").unwrap().unwrap();
    assert_eq!((inv.id, inv.issuer, inv.issuer_tax_id_hash, inv.amount), (1, ISSUER, H256([6; 32]), 10_000));
    // Revoked issuers issue no more, but what they issued stays valid.
    run(&mut h, COMMITTEE, 4, InvoiceCall::RevokeIssuer { issuer: ISSUER }).unwrap();
    let err = run(&mut h, ISSUER, 5, issue_call("044031900111", "00000002")).unwrap_err();
    assert!(err.contains("not an authorised invoice issuer"), "{err}");
    assert_eq!(exec::validity(&exec::invoice(&h, 1).unwrap().unwrap()), Ok(()));
}

#[test]
fn code_and_number_are_unique_per_chain() {
    let mut h = authorised();
    run(&mut h, ISSUER, 2, issue_call("044031900111", "00000001")).unwrap();
    let err = run(&mut h, ISSUER, 3, issue_call("044031900111", "00000001")).unwrap_err();
    assert!(err.contains("already exists: id 1"), "{err}");
    run(&mut h, ISSUER, 3, issue_call("044031900111", "00000002")).unwrap();
}

#[test]
fn reimbursement_is_recorded_once_across_organisations_and_names_the_first() {
    let mut h = authorised();
    run(&mut h, ISSUER, 2, issue_call("044031900111", "00000001")).unwrap();
    let first = InvoiceCall::Reimburse { invoice_id: 1, org: "Org A".into(), claim_ref: "BX-2026-7".into() };
    assert_eq!(run(&mut h, ORG_A, 3, first).unwrap(), vec![InvoiceEvent::Reimbursed { id: 1, by: ORG_A }]);
    let second = InvoiceCall::Reimburse { invoice_id: 1, org: "Org B".into(), claim_ref: "R-1".into() };
    let err = run(&mut h, ORG_B, 4, second).unwrap_err();
    for part in ["already reimbursed", "Org A", &ORG_A.to_string(), "BX-2026-7", "in block 3"] {
        assert!(err.contains(part), "{err} lacks {part}");
    }
    // Reimbursed invoices cannot be cancelled.
    let err = run(&mut h, ISSUER, 5, InvoiceCall::Cancel { invoice_id: 1, reason: "error".into() }).unwrap_err();
    assert!(err.contains("cannot be cancelled"), "{err}");
}

#[test]
fn only_the_issuer_cancels_and_cancelled_invoices_are_not_reimbursed() {
    let mut h = authorised();
    run(&mut h, ISSUER, 2, issue_call("044031900111", "00000001")).unwrap();
    let cancel = InvoiceCall::Cancel { invoice_id: 1, reason: "wrong buyer".into() };
    let err = run(&mut h, BUYER, 3, cancel.clone()).unwrap_err();
    assert!(err.contains("only the issuer"), "{err}");
    run(&mut h, ISSUER, 3, cancel.clone()).unwrap();
    assert!(run(&mut h, ISSUER, 4, cancel).unwrap_err().contains("already cancelled"));
    let reimb = InvoiceCall::Reimburse { invoice_id: 1, org: "Org A".into(), claim_ref: "1".into() };
    let err = run(&mut h, ORG_A, 5, reimb).unwrap_err();
    assert!(err.contains("was cancelled at height 3"), "{err}");
}

#[test]
fn bad_fields_are_refused_with_the_field_named() {
    let mut h = authorised();
    let mut bad = issue_call("0440-319", "1");
    let err = run(&mut h, ISSUER, 2, bad.clone()).unwrap_err();
    assert!(err.contains("invoice code"), "{err}");
    if let InvoiceCall::Issue { code, amount, .. } = &mut bad {
        *code = "044031900111".into();
        *amount = 0;
    }
    assert!(run(&mut h, ISSUER, 2, bad).unwrap_err().contains("amount must be positive"));
    let mut late = issue_call("044031900111", "9");
    if let InvoiceCall::Issue { issued_on_ms, .. } = &mut late {
        *issued_on_ms = 1_000_002 + exec::DATE_SKEW_MS + 1;
    }
    assert!(run(&mut h, ISSUER, 2, late).unwrap_err().contains("after the block time"));
}

#[test]
fn calls_events_and_records_keep_their_names() {
    let a = Address([9; 20]);
    let h = H256([1; 32]);
    check_enum(&[
        InvoiceCall::AuthorizeIssuer { issuer: a, name: "n".into(), tax_id_hash: h },
        InvoiceCall::RevokeIssuer { issuer: a },
        issue_call("1", "2"),
        InvoiceCall::Cancel { invoice_id: 1, reason: "r".into() },
        InvoiceCall::Reimburse { invoice_id: 1, org: "o".into(), claim_ref: "c".into() },
    ]);
    check_enum(&[
        InvoiceEvent::IssuerAuthorized { issuer: a, by: a },
        InvoiceEvent::IssuerRevoked { issuer: a },
        InvoiceEvent::Issued { id: 1, code: "1".into(), number: "2".into(), issuer: a, buyer: a },
        InvoiceEvent::Cancelled { id: 1 },
        InvoiceEvent::Reimbursed { id: 1, by: a },
    ]);
}

/// Golden vector: the module's wire form (indexed tag 28) and its JSON.
#[test]
fn golden_encoding() {
    let call = issue_call("044031900111", "00000001");
    let bytes = borsh::to_vec(&call).unwrap();
    assert_eq!(bytes[0], 2, "issue is the module's third call");
    let json = serde_json::to_value(&call).unwrap();
    assert_eq!(json["type"], "invoice_issue");
    assert_eq!(json["amount"], "10000");
}

#[cfg(feature = "cli")]
#[test]
fn commands_map_to_calls_and_routes() {
    use hechain_module::cli::{CliAction, ModuleCli};
    let spec = InvoiceModule::cli().expect("the module has a command");
    let run = |args: &[&str]| {
        let m = spec.command.clone().try_get_matches_from(args).expect("parses");
        crate::cli::action(&m)
    };
    match run(&["invoice", "reimburse", "1", "--org", "Org A", "--claim-ref", "BX-7"]) {
        Ok(CliAction::Submit(InvoiceCall::Reimburse { invoice_id: 1, org, claim_ref })) => {
            assert_eq!((org.as_str(), claim_ref.as_str()), ("Org A", "BX-7"))
        }
        other => panic!("{other:?}"),
    }
    match run(&["invoice", "verify", "--code", "044031900111", "--number", "00000001"]) {
        Ok(CliAction::Get(path)) => assert_eq!(path, "/api/v1/invoices/verify?code=044031900111&number=00000001"),
        other => panic!("{other:?}"),
    }
    assert!(run(&["invoice", "verify", "--code", "04&x=1", "--number", "1"]).unwrap_err().contains("invoice code"));
    match run(&["invoice", "certificate", "3", "--out", "c.json"]) {
        Ok(CliAction::SaveCertificate { path, .. }) => assert_eq!(path, "/api/v1/invoices/3/certificate"),
        other => panic!("{other:?}"),
    }
}
