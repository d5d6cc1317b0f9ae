//! The HTLC rules on an in-memory host: lock, claim with the right secret only before the
//! deadline, refund only by the sender from the deadline on, nothing twice.

use hechain_module::exec::{BlockInfo, CallContext, ModuleExec, Origin};
use hechain_module::testing::{check_enum, MemHost};
use hechain_module::ValidateContext;
use hechain_primitives::{Address, H256};

use crate::*;

const ALICE: Address = Address([1; 20]);
const BOB: Address = Address([2; 20]);

fn cx(sender: Address, timestamp_ms: u64) -> CallContext {
    CallContext {
        block: BlockInfo {
            suite: hechain_crypto::Suite::Standard,
            genesis_hash: H256::default(),
            height: 5,
            timestamp_ms,
        },
        sender,
        tx_hash: H256([9; 32]),
        validate: ValidateContext { modules: &["htlc"] },
        origin: Origin::Transaction,
        proofs_checked: false,
    }
}

fn apply(h: &mut MemHost, sender: Address, at: u64, call: HtlcCall) -> Result<Vec<HtlcEvent>, String> {
    HtlcModule::apply(h, &cx(sender, at), &call).unwrap()
}

#[test]
fn enums_are_consistent() {
    check_enum::<HtlcCall>(&[
        HtlcCall::Lock { receiver: BOB, hash_lock: H256([1; 32]), deadline_ms: 5, amount: 3 },
        HtlcCall::Claim { id: 1, preimage: H256([2; 32]) },
        HtlcCall::Refund { id: 1 },
    ]);
    check_enum::<HtlcEvent>(&[
        HtlcEvent::Locked { id: 1, hash_lock: H256([1; 32]), receiver: BOB, amount: 3, deadline_ms: 5 },
        HtlcEvent::Claimed { id: 1, preimage: H256([2; 32]) },
        HtlcEvent::Refunded { id: 1 },
    ]);
}

#[test]
fn the_hash_lock_is_sha256_of_the_secret() {
    // sha256 of 32 zero bytes (the value Solidity's sha256(bytes32(0)) returns).
    assert_eq!(
        hash_lock(&H256([0; 32])).to_string(),
        "0x66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    );
}

#[test]
fn claim_before_the_deadline_with_the_secret_refund_after_it_by_the_sender() {
    let mut h = MemHost::default();
    h.balances.insert(ALICE, 1_000);
    let secret = H256([42; 32]);
    let lock = |deadline_ms| HtlcCall::Lock { receiver: BOB, hash_lock: hash_lock(&secret), deadline_ms, amount: 300 };
    assert!(apply(&mut h, ALICE, 100, lock(100)).unwrap_err().contains("not after this block"));
    apply(&mut h, ALICE, 100, lock(1_000)).unwrap();
    assert_eq!(h.balances[&ALICE], 700);
    let wrong = apply(&mut h, BOB, 200, HtlcCall::Claim { id: 1, preimage: H256([41; 32]) }).unwrap_err();
    assert!(wrong.contains("does not open"), "{wrong}");
    let early = apply(&mut h, ALICE, 999, HtlcCall::Refund { id: 1 }).unwrap_err();
    assert!(early.contains("refundable from 1000"), "{early}");
    let late = apply(&mut h, BOB, 1_000, HtlcCall::Claim { id: 1, preimage: secret }).unwrap_err();
    assert!(late.contains("expired"), "{late}");
    // Anyone may submit the claim; the tokens go to the receiver.
    apply(&mut h, ALICE, 999, HtlcCall::Claim { id: 1, preimage: secret }).unwrap();
    assert_eq!(h.balances[&BOB], 300);
    let again = apply(&mut h, BOB, 999, HtlcCall::Claim { id: 1, preimage: secret }).unwrap_err();
    assert!(again.contains("was claimed"), "{again}");
    assert!(apply(&mut h, ALICE, 2_000, HtlcCall::Refund { id: 1 }).unwrap_err().contains("was claimed"));

    apply(&mut h, ALICE, 100, lock(1_000)).unwrap();
    assert!(apply(&mut h, BOB, 1_000, HtlcCall::Refund { id: 2 }).unwrap_err().contains("only lock 2's sender"));
    apply(&mut h, ALICE, 1_000, HtlcCall::Refund { id: 2 }).unwrap();
    assert_eq!(h.balances[&ALICE], 700);
    assert!(apply(&mut h, ALICE, 1_001, HtlcCall::Refund { id: 2 }).unwrap_err().contains("was refunded"));
}

#[test]
fn golden_encoding() {
    let call = HtlcCall::Lock { receiver: BOB, hash_lock: H256([3; 32]), deadline_ms: 1_700_000_000_000, amount: 500 };
    let hex: String = borsh::to_vec(&call).unwrap().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "00020202020202020202020202020202020202020203030303030303030303030303030303030303030303030303030303030303030068e5cf8b010000f4010000000000000000000000000000"
    );
    assert_eq!(serde_json::to_value(&call).unwrap()["type"], "htlc_lock");
}
