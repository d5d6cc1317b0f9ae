//! The registry's rules on an in-memory state, and its rule on voucher calls.

use hechain_module::exec::{BlockInfo, CallContext, ModuleExec, StateView};
use hechain_module::testing::{check_enum, MemHost};
use hechain_primitives::{Address, H256};
use hechain_voucher::VoucherCall;

use super::*;

const BANK_A: Address = Address([1; 20]);
const BANK_B: Address = Address([2; 20]);

fn cx(sender: Address, height: u64) -> CallContext {
    CallContext {
        block: BlockInfo {
            suite: hechain_crypto::Suite::Standard,
            genesis_hash: Default::default(),
            height,
            timestamp_ms: 5_000 + height,
        },
        sender,
        tx_hash: H256([height as u8; 32]),
        validate: hechain_module::ValidateContext { modules: &["tradedoc"] },
        origin: hechain_module::exec::Origin::Transaction,
        proofs_checked: false,
    }
}

fn run(h: &mut MemHost, sender: Address, height: u64, call: TradedocCall) -> Result<Vec<TradedocEvent>, String> {
    TradedocModule::apply(h, &cx(sender, height), &call).expect("state")
}

fn bill(number: &str, content: u8) -> TradedocCall {
    TradedocCall::Register {
        doc_type: DocType::BillOfLading,
        issuer: "COSCO Shipping".into(),
        number: number.into(),
        content_hash: H256([content; 32]),
        amount: 1_000_000,
    }
}

#[test]
fn a_document_is_financed_once_across_banks_until_released() {
    let mut h = MemHost::default();
    assert!(matches!(
        &run(&mut h, BANK_A, 1, bill("COSU6182335000", 7)).unwrap()[..],
        [TradedocEvent::Registered { id: 1, .. }]
    ));
    // The same document written differently, at another bank: refused, naming the first.
    let err = run(&mut h, BANK_B, 2, bill("cosu 6182-3350-00", 8)).unwrap_err();
    for part in ["already financed by bank", &BANK_A.to_string(), "registration 1", "block 1"] {
        assert!(err.contains(part), "{err} lacks {part}");
    }
    // The same content under another number: refused too.
    let err = run(&mut h, BANK_B, 2, bill("OTHER1", 7)).unwrap_err();
    assert!(err.contains("content hash"), "{err}");
    // Only the registering bank releases; then the document may be financed again.
    let err = run(&mut h, BANK_B, 3, TradedocCall::Release { doc_id: 1 }).unwrap_err();
    assert!(err.contains("only the bank"), "{err}");
    run(&mut h, BANK_A, 3, TradedocCall::Release { doc_id: 1 }).unwrap();
    assert!(run(&mut h, BANK_A, 4, TradedocCall::Release { doc_id: 1 }).unwrap_err().contains("already released"));
    run(&mut h, BANK_B, 5, bill("COSU6182335000", 7)).unwrap();
    let live = exec::live_by_key(&h, DocType::BillOfLading, "cosco shipping", "COSU-6182335000").unwrap().unwrap();
    assert_eq!((live.id, live.bank, live.issuer.as_str()), (2, BANK_B, "COSCOSHIPPING"));
    assert_eq!(exec::doc(&h, 1).unwrap().unwrap().released.map(|s| s.height), Some(3));
}

#[test]
fn a_voucher_cannot_be_issued_against_a_financed_document() {
    let mut h = MemHost::default();
    run(&mut h, BANK_A, 1, bill("B1", 7)).unwrap();
    let issue = |reference| VoucherCall::Issue { holder: BANK_B, amount: 10, maturity_ms: 9, reference };
    let view: &dyn StateView = &h;
    let refused = TradedocModule::check_foreign_call(view, &cx(BANK_B, 2), "voucher", &issue(H256([7; 32])))
        .unwrap()
        .unwrap_err();
    assert!(refused.contains("financed trade document") && refused.contains("registration 1"), "{refused}");
    let other = TradedocModule::check_foreign_call(view, &cx(BANK_B, 2), "voucher", &issue(H256([9; 32]))).unwrap();
    assert_eq!(other, Ok(()));
    // Other modules' calls and other voucher calls are not its business.
    let settle = VoucherCall::Settle { voucher_id: 1 };
    assert_eq!(TradedocModule::check_foreign_call(view, &cx(BANK_B, 2), "voucher", &settle).unwrap(), Ok(()));
    assert_eq!(
        TradedocModule::check_foreign_call(view, &cx(BANK_B, 2), "evidence", &issue(H256([7; 32]))).unwrap(),
        Ok(())
    );
    // After release the reference is free again.
    run(&mut h, BANK_A, 3, TradedocCall::Release { doc_id: 1 }).unwrap();
    let view: &dyn StateView = &h;
    assert_eq!(
        TradedocModule::check_foreign_call(view, &cx(BANK_B, 4), "voucher", &issue(H256([7; 32]))).unwrap(),
        Ok(())
    );
}

#[test]
fn empty_keys_are_refused() {
    let mut h = MemHost::default();
    let err = run(&mut h, BANK_A, 1, bill(" - / ", 7)).unwrap_err();
    assert!(err.contains("number") && err.contains("empty once normalised"), "{err}");
}

#[test]
fn calls_and_events_keep_their_names() {
    check_enum(&[bill("1", 1), TradedocCall::Release { doc_id: 1 }]);
    check_enum(&[
        TradedocEvent::Registered {
            id: 1,
            bank: BANK_A,
            doc_type: DocType::Contract,
            issuer: "I".into(),
            number: "N".into(),
        },
        TradedocEvent::Released { id: 1 },
    ]);
    assert_eq!(borsh::to_vec(&TradedocCall::Release { doc_id: 1 }).unwrap()[0], 1);
}

#[cfg(feature = "cli")]
#[test]
fn commands_map_to_calls_and_routes() {
    use hechain_module::cli::{CliAction, ModuleCli};
    let spec = TradedocModule::cli().expect("the module has a command");
    let run = |args: &[&str]| {
        let m = spec.command.clone().try_get_matches_from(args).expect("parses");
        crate::cli::action(&m)
    };
    match run(&["tradedoc", "lookup", "--type", "warehouse_receipt", "--issuer", "中储 Co", "--number", "W-1"]) {
        Ok(CliAction::Get(path)) => assert_eq!(
            path,
            "/api/v1/tradedocs/lookup?type=warehouse_receipt&issuer=%E4%B8%AD%E5%82%A8%20Co&number=W-1"
        ),
        other => panic!("{other:?}"),
    }
    match run(&["tradedoc", "release", "4"]) {
        Ok(CliAction::Submit(TradedocCall::Release { doc_id: 4 })) => {}
        other => panic!("{other:?}"),
    }
    assert!(spec
        .command
        .clone()
        .try_get_matches_from(["tradedoc", "lookup", "--type", "ship", "--issuer", "a", "--number", "b"])
        .is_err());
}
