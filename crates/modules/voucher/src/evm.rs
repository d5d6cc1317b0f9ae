//! The receivable-voucher precompile at `0x…1002` (`contracts/IHechainVoucher.sol`). Its logs
//! are its own events (`VoucherIssued`, `VoucherSplit`, `VoucherPledged`, `VoucherReleased`,
//! `VoucherSettled`), which contracts and indexers read: they are the format of its writes and
//! must not change.
//!
//! Settlement moves money, and money inside a transaction is the EVM's: called from a contract
//! the module only notes each part's payment ([`crate::exec::Payment::MadeByEvm`]) and the
//! node pays them from the caller's balance as EVM value transfers (undone with the frame if
//! it reverts). So a contract that issued a voucher settles it from its own balance, and a
//! wallet can issue and settle through an ordinary Ethereum transaction.

use alloy_sol_types::{sol, SolCall, SolEvent, SolInterface};
use hechain_module::evm::{from_evm, to_evm, LogData, LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::{Address, H256};

use crate::{exec, PartStatus, SplitOutput, VoucherCall, VoucherEvent};

// The generated constructors of the 7-field issue event take one argument per field.
#[allow(clippy::too_many_arguments)]
mod abi {
    use super::sol;
    sol! {
        /// The voucher module as seen from Solidity (the same interface ships as
        /// `contracts/IHechainVoucher.sol`).
        interface IHechainVoucher {
            event VoucherIssued(uint64 indexed id, address indexed issuer, address indexed holder, uint128 amount, uint64 maturityMs, bytes32 invoiceRef, uint64 part);
            event VoucherSplit(uint64 indexed voucherId, uint64 indexed part, address indexed holder, address[] to, uint128[] amounts, uint64 firstChild);
            event VoucherPledged(uint64 indexed part, address indexed holder, address indexed bank);
            event VoucherReleased(uint64 indexed part, address indexed bank);
            event VoucherSettled(uint64 indexed id, address indexed issuer, uint128 paid, uint32 parts);
            function issue(address holder, uint128 amount, uint64 maturityMs, bytes32 invoiceRef) external returns (uint64 id, uint64 part);
            function split(uint64 partId, address[] to, uint128[] amounts) external returns (uint64 firstChild);
            function transfer(uint64 partId, address to) external returns (uint64 newPart);
            function pledge(uint64 partId, address bank) external returns (bool);
            function release(uint64 partId) external returns (bool);
            function settle(uint64 id) external returns (uint128 paid);
            function voucherOf(uint64 id) external view returns (address issuer, uint128 amount, uint64 maturityMs, bytes32 invoiceRef, bool settled, uint64[] liveParts);
            function partOf(uint64 partId) external view returns (uint64 voucherId, address holder, uint128 amount, uint8 state, address counterparty, uint64 parent);
        }
    }
}
pub use abi::IHechainVoucher;
use IHechainVoucher::IHechainVoucherCalls as Calls;
use IHechainVoucher::{VoucherIssued, VoucherPledged, VoucherReleased, VoucherSettled, VoucherSplit};

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x02];
/// Gas of `issue`.
pub const ISSUE_GAS: u64 = 100_000;
/// Gas of `split`/`transfer`, plus [`GAS_PER_PART`] per new part.
pub const SPLIT_GAS: u64 = 40_000;
/// Gas of `pledge` and `release`.
pub const PLEDGE_GAS: u64 = 30_000;
/// Gas of `settle`, plus [`SETTLE_GAS_PER_PART`] per part paid.
pub const SETTLE_GAS: u64 = 40_000;
/// Gas per part paid by `settle` (a record write, an index delete and a value transfer). Kept so
/// that a voucher with the most live parts allowed (1,000) settles well within a transaction's
/// 30M gas: a contract issuer can settle only through the precompile.
pub const SETTLE_GAS_PER_PART: u64 = 20_000;
const _: () = assert!(
    SETTLE_GAS + SETTLE_GAS_PER_PART * crate::MAX_LIVE_PARTS as u64 <= 25_000_000,
    "a voucher with the most live parts must settle within one transaction"
);
/// Gas per part created by `split`/`transfer` (a record write and an index write).
pub const GAS_PER_PART: u64 = 30_000;
/// Gas of a view, plus [`GAS_PER_LISTED_PART`] per live part listed by `voucherOf`.
pub const VIEW_GAS: u64 = 5_000;
/// Gas per live part `voucherOf` lists.
pub const GAS_PER_LISTED_PART: u64 = 100;

/// `partOf`'s `state`: active.
pub const STATE_ACTIVE: u8 = 0;
/// `partOf`'s `state`: pledged (`counterparty` is the bank).
pub const STATE_PLEDGED: u8 = 1;
/// `partOf`'s `state`: spent by a split.
pub const STATE_SPENT: u8 = 2;
/// `partOf`'s `state`: settled (`counterparty` is who was paid).
pub const STATE_SETTLED: u8 = 3;

/// The precompile.
pub fn spec() -> PrecompileSpec<VoucherCall, VoucherEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: Some(prepare),
        write_output,
        result_gas: Some(result_gas),
        view,
        log: LogFormat::Own { encode: encode_log, decode: decode_log },
    }
}

fn decode(input: &[u8]) -> Result<PrecompileCall<VoucherCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("voucher precompile: invalid call: {e}"))?;
    let (call, gas) = match call {
        Calls::issue(c) => (
            VoucherCall::Issue {
                holder: from_evm(c.holder),
                amount: c.amount,
                maturity_ms: c.maturityMs,
                reference: H256(c.invoiceRef.0),
            },
            ISSUE_GAS,
        ),
        Calls::split(c) => {
            if c.to.len() != c.amounts.len() {
                return Err(format!(
                    "voucher precompile: split has {} recipients but {} amounts",
                    c.to.len(),
                    c.amounts.len()
                ));
            }
            let outputs: Vec<_> =
                c.to.iter().zip(&c.amounts).map(|(t, a)| SplitOutput { to: from_evm(*t), amount: *a }).collect();
            let gas = SPLIT_GAS + GAS_PER_PART * outputs.len() as u64;
            (VoucherCall::Split { part_id: c.partId, outputs }, gas)
        }
        // A transfer is a split with one output: the whole part, whose amount `prepare` reads.
        Calls::transfer(c) => (
            VoucherCall::Split { part_id: c.partId, outputs: vec![SplitOutput { to: from_evm(c.to), amount: 0 }] },
            SPLIT_GAS + GAS_PER_PART,
        ),
        Calls::pledge(c) => (VoucherCall::Pledge { part_id: c.partId, bank: from_evm(c.bank) }, PLEDGE_GAS),
        Calls::release(c) => (VoucherCall::Release { part_id: c.partId }, PLEDGE_GAS),
        Calls::settle(c) => (VoucherCall::Settle { voucher_id: c.id }, SETTLE_GAS),
        Calls::voucherOf(_) | Calls::partOf(_) => return Ok(PrecompileCall::View { gas: VIEW_GAS }),
    };
    Ok(PrecompileCall::Write { call, gas })
}

/// A transfer moves the whole part: its amount is read from state.
fn prepare(input: &[u8], state: &dyn StateView, call: &mut VoucherCall) -> Result<Result<u64, String>, StateError> {
    if let (Ok(Calls::transfer(c)), VoucherCall::Split { outputs, .. }) = (Calls::abi_decode(input), call) {
        match exec::part(state, c.partId)? {
            Some(p) => outputs.iter_mut().for_each(|o| o.amount = p.amount),
            None => return Ok(Err(format!("no voucher part has id {}", c.partId))),
        }
    }
    Ok(Ok(0))
}

/// A settlement costs [`SETTLE_GAS_PER_PART`] per part paid.
fn result_gas(events: &[VoucherEvent]) -> u64 {
    events
        .iter()
        .map(|e| match e {
            VoucherEvent::Settled { parts, .. } => SETTLE_GAS_PER_PART * *parts as u64,
            VoucherEvent::Issued { .. }
            | VoucherEvent::Split { .. }
            | VoucherEvent::Pledged { .. }
            | VoucherEvent::Released { .. } => 0,
        })
        .sum()
}

fn write_output(_input: &[u8], events: &[VoucherEvent]) -> Vec<u8> {
    match events.last() {
        Some(VoucherEvent::Issued { id, part, .. }) => {
            IHechainVoucher::issueCall::abi_encode_returns(&IHechainVoucher::issueReturn { id: *id, part: *part })
        }
        Some(VoucherEvent::Split { children, .. }) => {
            IHechainVoucher::splitCall::abi_encode_returns(&children.first().copied().unwrap_or_default())
        }
        Some(VoucherEvent::Pledged { .. }) => IHechainVoucher::pledgeCall::abi_encode_returns(&true),
        Some(VoucherEvent::Released { .. }) => IHechainVoucher::releaseCall::abi_encode_returns(&true),
        Some(VoucherEvent::Settled { paid, .. }) => IHechainVoucher::settleCall::abi_encode_returns(paid),
        None => Vec::new(),
    }
}

fn encode_log(sender: &Address, call: &VoucherCall, events: &[VoucherEvent]) -> Option<LogData> {
    Some(match (call, events.last()?) {
        (VoucherCall::Issue { holder, amount, maturity_ms, reference }, VoucherEvent::Issued { id, part, .. }) => {
            VoucherIssued {
                id: *id,
                issuer: to_evm(sender),
                holder: to_evm(holder),
                amount: *amount,
                maturityMs: *maturity_ms,
                invoiceRef: reference.0.into(),
                part: *part,
            }
            .encode_log_data()
        }
        (VoucherCall::Split { part_id, outputs }, VoucherEvent::Split { voucher, children, .. }) => VoucherSplit {
            voucherId: *voucher,
            part: *part_id,
            holder: to_evm(sender),
            to: outputs.iter().map(|out| to_evm(&out.to)).collect(),
            amounts: outputs.iter().map(|out| out.amount).collect(),
            firstChild: *children.first()?,
        }
        .encode_log_data(),
        (VoucherCall::Pledge { part_id, bank }, VoucherEvent::Pledged { .. }) => {
            VoucherPledged { part: *part_id, holder: to_evm(sender), bank: to_evm(bank) }.encode_log_data()
        }
        (VoucherCall::Release { part_id }, VoucherEvent::Released { .. }) => {
            VoucherReleased { part: *part_id, bank: to_evm(sender) }.encode_log_data()
        }
        (VoucherCall::Settle { voucher_id }, VoucherEvent::Settled { paid, parts, .. }) => {
            VoucherSettled { id: *voucher_id, issuer: to_evm(sender), paid: *paid, parts: *parts }.encode_log_data()
        }
        (
            VoucherCall::Issue { .. }
            | VoucherCall::Split { .. }
            | VoucherCall::Pledge { .. }
            | VoucherCall::Release { .. }
            | VoucherCall::Settle { .. },
            _,
        ) => return None,
    })
}

fn decode_log(data: &LogData) -> Option<(Address, VoucherCall)> {
    if let Ok(e) = VoucherIssued::decode_log_data(data) {
        let call = VoucherCall::Issue {
            holder: from_evm(e.holder),
            amount: e.amount,
            maturity_ms: e.maturityMs,
            reference: H256(e.invoiceRef.0),
        };
        return Some((from_evm(e.issuer), call));
    }
    if let Ok(e) = VoucherSplit::decode_log_data(data) {
        let outputs = e.to.iter().zip(&e.amounts).map(|(t, a)| SplitOutput { to: from_evm(*t), amount: *a }).collect();
        return Some((from_evm(e.holder), VoucherCall::Split { part_id: e.part, outputs }));
    }
    if let Ok(e) = VoucherPledged::decode_log_data(data) {
        return Some((from_evm(e.holder), VoucherCall::Pledge { part_id: e.part, bank: from_evm(e.bank) }));
    }
    if let Ok(e) = VoucherReleased::decode_log_data(data) {
        return Some((from_evm(e.bank), VoucherCall::Release { part_id: e.part }));
    }
    if let Ok(e) = VoucherSettled::decode_log_data(data) {
        return Some((from_evm(e.issuer), VoucherCall::Settle { voucher_id: e.id }));
    }
    None
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let call = match Calls::abi_decode(input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("voucher precompile: invalid call: {e}"))),
    };
    Ok(Ok(match call {
        Calls::voucherOf(c) => match exec::voucher(state, c.id)? {
            Some(v) => {
                let extra = GAS_PER_LISTED_PART * v.live_parts.len() as u64;
                let ret = IHechainVoucher::voucherOfReturn {
                    issuer: to_evm(&v.issuer),
                    amount: v.amount,
                    maturityMs: v.maturity_ms,
                    invoiceRef: v.reference.0.into(),
                    settled: v.settled.is_some(),
                    liveParts: v.live_parts,
                };
                (IHechainVoucher::voucherOfCall::abi_encode_returns(&ret), extra)
            }
            None => return Ok(Err(format!("no voucher has id {}", c.id))),
        },
        Calls::partOf(c) => match exec::part(state, c.partId)? {
            Some(p) => {
                let (state, counterparty) = match p.status {
                    PartStatus::Active => (STATE_ACTIVE, Address::ZERO),
                    PartStatus::Pledged { bank } => (STATE_PLEDGED, bank),
                    PartStatus::Spent => (STATE_SPENT, Address::ZERO),
                    PartStatus::Settled { paid_to } => (STATE_SETTLED, paid_to),
                };
                let ret = IHechainVoucher::partOfReturn {
                    voucherId: p.voucher_id,
                    holder: to_evm(&p.holder),
                    amount: p.amount,
                    state,
                    counterparty: to_evm(&counterparty),
                    parent: p.parent.unwrap_or(0),
                };
                (IHechainVoucher::partOfCall::abi_encode_returns(&ret), 0)
            }
            None => return Ok(Err(format!("no voucher part has id {}", c.partId))),
        },
        Calls::issue(_)
        | Calls::split(_)
        | Calls::transfer(_)
        | Calls::pledge(_)
        | Calls::release(_)
        | Calls::settle(_) => return Ok(Err("voucher precompile: not a view".into())),
    }))
}
