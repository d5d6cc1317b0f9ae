//! The receivable-voucher (数字凭证) module as a precompile at `0x…1002`
//! (`contracts/IHechainVoucher.sol`).
//!
//! Issue, split/transfer, pledge and release are decided on a scratch replay of the
//! transaction's earlier operations and applied after the transaction succeeds, by the shared
//! machinery in [`super::replay`]. Settlement moves money, and money inside a transaction is the
//! EVM's: the precompile pays every live part from the caller's balance as EVM value transfers
//! through the journal (undone with the frame if it reverts), and the final replay only closes
//! the records ([`Payment::MadeByEvm`]). So a contract that issued a voucher can settle it from
//! its own balance, and a wallet can issue and settle through an ordinary Ethereum transaction.

use alloy_sol_types::{sol, SolCall, SolEvent};
use hechain_types::{Address, Event, PartStatus, SplitOutput, H256};
use hechain_types::{TransferEvent, VoucherCall, VoucherEvent};
use revm::context::{ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{Bytes, Log, LogData, U256};

use super::replay::{self, pending_ops, ModuleOp};
use super::{decode_call, evm_address, from_evm_address as ours, revert_msg, VOUCHER_ADDRESS};
use crate::state::{run_on_host, Overlay, StateRead};
use crate::voucher::{self, Payment};
use crate::{BlockContext, ExecError};

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
    SETTLE_GAS + SETTLE_GAS_PER_PART * hechain_types::voucher::MAX_LIVE_PARTS as u64 <= 25_000_000,
    "a voucher with the most live parts must settle within one transaction"
);

/// Gas per part created by `split`/`transfer` (a record write and an index write).
pub const GAS_PER_PART: u64 = 30_000;
/// Gas of a view, plus 100 per live part listed by `voucherOf`.
pub const VIEW_GAS: u64 = 5_000;

/// `partOf`'s `state`: active.
pub const STATE_ACTIVE: u8 = 0;
/// `partOf`'s `state`: pledged (`counterparty` is the bank).
pub const STATE_PLEDGED: u8 = 1;
/// `partOf`'s `state`: spent by a split.
pub const STATE_SPENT: u8 = 2;
/// `partOf`'s `state`: settled (`counterparty` is who was paid).
pub const STATE_SETTLED: u8 = 3;

/// One voucher operation, as its log records it.
enum Op {
    Issue { issuer: Address, id: u64, holder: Address, amount: u128, maturity_ms: u64, reference: H256 },
    Split { holder: Address, part: u64, outputs: Vec<SplitOutput> },
    Pledge { holder: Address, part: u64, bank: Address },
    Release { bank: Address, part: u64 },
    Settle { issuer: Address, id: u64 },
}

impl ModuleOp for Op {
    const MODULE: &'static str = "voucher";
    const ADDRESS: Address = VOUCHER_ADDRESS;

    fn from_log(data: &LogData) -> Option<Op> {
        use IHechainVoucher::{VoucherIssued, VoucherPledged, VoucherReleased, VoucherSettled, VoucherSplit};
        if let Ok(e) = VoucherIssued::decode_log_data(data) {
            return Some(Op::Issue {
                issuer: ours(e.issuer),
                id: e.id,
                holder: ours(e.holder),
                amount: e.amount,
                maturity_ms: e.maturityMs,
                reference: H256(e.invoiceRef.0),
            });
        }
        if let Ok(e) = VoucherSplit::decode_log_data(data) {
            let outputs = e.to.iter().zip(&e.amounts).map(|(t, a)| SplitOutput { to: ours(*t), amount: *a }).collect();
            return Some(Op::Split { holder: ours(e.holder), part: e.part, outputs });
        }
        if let Ok(e) = VoucherPledged::decode_log_data(data) {
            return Some(Op::Pledge { holder: ours(e.holder), part: e.part, bank: ours(e.bank) });
        }
        if let Ok(e) = VoucherReleased::decode_log_data(data) {
            return Some(Op::Release { bank: ours(e.bank), part: e.part });
        }
        if let Ok(e) = VoucherSettled::decode_log_data(data) {
            return Some(Op::Settle { issuer: ours(e.issuer), id: e.id });
        }
        None
    }

    fn apply<R: StateRead + ?Sized>(
        &self,
        o: &mut Overlay<'_, R>,
        ctx: BlockContext,
        tx_hash: H256,
    ) -> Result<Result<Vec<Event>, String>, ExecError> {
        if let Op::Issue { issuer, holder, amount, maturity_ms, reference, .. } = self {
            // Other modules' rules on a voucher issue (the trade-document registry's, for one).
            let call = VoucherCall::Issue {
                holder: *holder,
                amount: *amount,
                maturity_ms: *maturity_ms,
                reference: *reference,
            };
            if let Err(reason) = crate::modules::check_foreign(o, &ctx.call(*issuer, tx_hash), "voucher", &call)? {
                return Ok(Err(reason));
            }
        }
        let b = ctx.info();
        run_on_host(o, Event::Voucher, |h| match self {
            Op::Issue { issuer, holder, amount, maturity_ms, reference, .. } => {
                voucher::issue(h, b, issuer, tx_hash, holder, *amount, *maturity_ms, reference)
            }
            Op::Split { holder, part, outputs } => voucher::split(h, b, holder, tx_hash, *part, outputs),
            Op::Pledge { holder, part, bank } => voucher::pledge(h, b, holder, *part, bank),
            Op::Release { bank, part } => voucher::release(h, bank, *part),
            Op::Settle { issuer, id } => voucher::settle(h, b, issuer, tx_hash, *id, Payment::MadeByEvm),
        })
    }

    fn check_replay(&self, events: &[Event]) -> Result<(), String> {
        match (self, events.first()) {
            (Op::Issue { id, .. }, Some(Event::Voucher(VoucherEvent::Issued { id: got, .. }))) if id != got => {
                Err(format!("promised voucher id {id} but the module assigned {got}"))
            }
            _ => Ok(()),
        }
    }
}

impl Op {
    /// The log an accepted operation emits, given the events the module produced.
    fn log(&self, events: &[Event]) -> Option<LogData> {
        use IHechainVoucher::{VoucherIssued, VoucherPledged, VoucherReleased, VoucherSettled, VoucherSplit};
        let e = |a: &Address| evm_address(a);
        Some(match (self, events.last()?) {
            (
                Op::Issue { issuer, holder, amount, maturity_ms, reference, .. },
                Event::Voucher(VoucherEvent::Issued { id, part, .. }),
            ) => VoucherIssued {
                id: *id,
                issuer: e(issuer),
                holder: e(holder),
                amount: *amount,
                maturityMs: *maturity_ms,
                invoiceRef: reference.0.into(),
                part: *part,
            }
            .encode_log_data(),
            (Op::Split { holder, part, outputs }, Event::Voucher(VoucherEvent::Split { voucher, children, .. })) => {
                VoucherSplit {
                    voucherId: *voucher,
                    part: *part,
                    holder: e(holder),
                    to: outputs.iter().map(|out| e(&out.to)).collect(),
                    amounts: outputs.iter().map(|out| out.amount).collect(),
                    firstChild: *children.first()?,
                }
                .encode_log_data()
            }
            (Op::Pledge { holder, part, bank }, Event::Voucher(VoucherEvent::Pledged { .. })) => {
                VoucherPledged { part: *part, holder: e(holder), bank: e(bank) }.encode_log_data()
            }
            (Op::Release { bank, part }, Event::Voucher(VoucherEvent::Released { .. })) => {
                VoucherReleased { part: *part, bank: e(bank) }.encode_log_data()
            }
            (Op::Settle { issuer, id }, Event::Voucher(VoucherEvent::Settled { paid, parts, .. })) => {
                VoucherSettled { id: *id, issuer: e(issuer), paid: *paid, parts: *parts }.encode_log_data()
            }
            _ => return None,
        })
    }
}

/// Handles a call to the voucher precompile.
pub(super) fn run<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainVoucher::IHechainVoucherCalls as Call;
    let r = inputs.reservoir;
    let call = match decode_call::<Call, _>(ctx, inputs, "voucher") {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let caller = ours(inputs.caller);
    let ops: Vec<Op> = pending_ops(ctx);
    let op = match &call {
        Call::issue(c) => Op::Issue {
            issuer: caller,
            id: 0,
            holder: ours(c.holder),
            amount: c.amount,
            maturity_ms: c.maturityMs,
            reference: H256(c.invoiceRef.0),
        },
        Call::split(c) => {
            if c.to.len() != c.amounts.len() {
                let msg =
                    format!("voucher precompile: split has {} recipients but {} amounts", c.to.len(), c.amounts.len());
                return Ok(revert_msg(SPLIT_GAS, &msg, r));
            }
            let outputs = c.to.iter().zip(&c.amounts).map(|(t, a)| SplitOutput { to: ours(*t), amount: *a }).collect();
            Op::Split { holder: caller, part: c.partId, outputs }
        }
        Call::transfer(c) => {
            // A transfer is a split with one output: the whole part.
            let db = &ctx.db_ref().0;
            let amount = match replay::view_scratch(db, &ops, block, inputs, SPLIT_GAS + GAS_PER_PART)? {
                Ok((o, _)) => match voucher::part(&o, c.partId)? {
                    Some(p) => p.amount,
                    None => return Ok(revert_msg(SPLIT_GAS, &format!("no voucher part has id {}", c.partId), r)),
                },
                Err(refused) => return Ok(refused),
            };
            Op::Split { holder: caller, part: c.partId, outputs: vec![SplitOutput { to: ours(c.to), amount }] }
        }
        Call::pledge(c) => Op::Pledge { holder: caller, part: c.partId, bank: ours(c.bank) },
        Call::release(c) => Op::Release { bank: caller, part: c.partId },
        Call::settle(c) => Op::Settle { issuer: caller, id: c.id },
        Call::voucherOf(_) | Call::partOf(_) => return view(ctx, inputs, &call, &ops, block),
    };
    let base_gas = match &op {
        Op::Issue { .. } => ISSUE_GAS,
        Op::Split { outputs, .. } => SPLIT_GAS + GAS_PER_PART * outputs.len() as u64,
        Op::Pledge { .. } | Op::Release { .. } => PLEDGE_GAS,
        Op::Settle { .. } => SETTLE_GAS,
    };
    let db = &ctx.db_ref().0;
    let (mut o, base_gas) = match replay::write_scratch(db, &ops, block, inputs, base_gas)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let events = match op.apply(&mut o, block, H256::ZERO)? {
        Ok(ev) => ev,
        Err(reason) => return Ok(revert_msg(base_gas, &reason, r)),
    };
    let gas = match &op {
        Op::Settle { .. } => {
            let payments =
                events.iter().filter(|e| matches!(e, Event::Transfer(TransferEvent::Transfer { .. }))).count() as u64;
            base_gas + SETTLE_GAS_PER_PART * payments
        }
        _ => base_gas,
    };
    if gas > inputs.gas_limit {
        return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
    }
    if let Op::Settle { id, .. } = &op {
        if let Some(refused) = pay(ctx, inputs, *id, &events, gas)? {
            return Ok(refused);
        }
    }
    let data = op.log(&events).ok_or_else(|| ExecError::Invalid("voucher precompile: unexpected event".into()))?;
    let out = match events.last() {
        Some(Event::Voucher(VoucherEvent::Issued { id, part, .. })) => {
            IHechainVoucher::issueCall::abi_encode_returns(&IHechainVoucher::issueReturn { id: *id, part: *part })
        }
        Some(Event::Voucher(VoucherEvent::Split { children, .. })) => {
            IHechainVoucher::splitCall::abi_encode_returns(&children.first().copied().unwrap_or_default())
        }
        Some(Event::Voucher(VoucherEvent::Pledged { .. })) => IHechainVoucher::pledgeCall::abi_encode_returns(&true),
        Some(Event::Voucher(VoucherEvent::Released { .. })) => IHechainVoucher::releaseCall::abi_encode_returns(&true),
        Some(Event::Voucher(VoucherEvent::Settled { paid, .. })) => {
            IHechainVoucher::settleCall::abi_encode_returns(paid)
        }
        _ => Vec::new(),
    };
    ctx.journal_mut().log(Log { address: evm_address(&VOUCHER_ADDRESS), data });
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

/// Pays a settlement's `transfer` events from the caller's balance as EVM value transfers.
/// `Some(refusal)` if the balance does not cover them (nothing is paid then: a reverting
/// precompile's journal entries are undone).
fn pay<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    voucher_id: u64,
    events: &[Event],
    gas: u64,
) -> Result<Option<PrecompileOutput>, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    let r = inputs.reservoir;
    let total: u128 = events
        .iter()
        .map(|e| if let Event::Transfer(TransferEvent::Transfer { amount, .. }) = e { *amount } else { 0 })
        .sum::<u128>();
    let balance = ctx.journal_mut().load_account(inputs.caller)?.data.info.balance;
    if balance < U256::from(total) {
        let msg = format!("insufficient balance to settle voucher {voucher_id}: {balance} available, {total} needed");
        return Ok(Some(revert_msg(gas, &msg, r)));
    }
    for e in events {
        if let Event::Transfer(TransferEvent::Transfer { to, amount, .. }) = e {
            if let Some(err) = ctx.journal_mut().transfer(inputs.caller, evm_address(to), U256::from(*amount))? {
                let msg = format!("voucher {voucher_id} settlement: payment to {to} failed: {err:?}");
                return Ok(Some(revert_msg(gas, &msg, r)));
            }
        }
    }
    Ok(None)
}

fn view<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    call: &IHechainVoucher::IHechainVoucherCalls,
    ops: &[Op],
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainVoucher::IHechainVoucherCalls as Call;
    let r = inputs.reservoir;
    let db = &ctx.db_ref().0;
    let (o, vg) = match replay::view_scratch(db, ops, block, inputs, VIEW_GAS)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let (gas, out) = match call {
        Call::voucherOf(c) => match voucher::voucher(&o, c.id)? {
            Some(v) => (
                vg + 100 * v.live_parts.len() as u64,
                IHechainVoucher::voucherOfCall::abi_encode_returns(&IHechainVoucher::voucherOfReturn {
                    issuer: evm_address(&v.issuer),
                    amount: v.amount,
                    maturityMs: v.maturity_ms,
                    invoiceRef: v.reference.0.into(),
                    settled: v.settled.is_some(),
                    liveParts: v.live_parts,
                }),
            ),
            None => return Ok(revert_msg(vg, &format!("no voucher has id {}", c.id), r)),
        },
        Call::partOf(c) => match voucher::part(&o, c.partId)? {
            Some(p) => {
                let (state, counterparty) = match p.status {
                    PartStatus::Active => (STATE_ACTIVE, Address::ZERO),
                    PartStatus::Pledged { bank } => (STATE_PLEDGED, bank),
                    PartStatus::Spent => (STATE_SPENT, Address::ZERO),
                    PartStatus::Settled { paid_to } => (STATE_SETTLED, paid_to),
                };
                (
                    vg,
                    IHechainVoucher::partOfCall::abi_encode_returns(&IHechainVoucher::partOfReturn {
                        voucherId: p.voucher_id,
                        holder: evm_address(&p.holder),
                        amount: p.amount,
                        state,
                        counterparty: evm_address(&counterparty),
                        parent: p.parent.unwrap_or(0),
                    }),
                )
            }
            None => return Ok(revert_msg(vg, &format!("no voucher part has id {}", c.partId), r)),
        },
        _ => return Ok(revert_msg(0, "voucher precompile: not a view", r)),
    };
    if gas > inputs.gas_limit {
        return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
    }
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

/// Applies the voucher operations a successful transaction made through the precompile (its
/// surviving logs, in order) through the native module, and returns their events.
pub fn apply_voucher_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    replay::apply_logs::<Op, R>(o, ctx, logs, tx_hash)
}
