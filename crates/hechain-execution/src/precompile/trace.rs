//! The traceability (溯源) module as a precompile at `0x…1003` (`contracts/IHechainTrace.sol`).
//!
//! Like the copyright precompile, it never writes native state itself. Each accepted operation
//! is turned into the native payload it stands for and emitted as a `TraceOperation(sender,
//! payload)` log (the payload's canonical encoding) through the EVM journal, so a reverted frame
//! drops it; after the transaction succeeds [`apply_trace_logs`] replays the surviving logs, in
//! order, through the native module. To decide an operation (and to answer a view) the
//! precompile replays the operations this transaction has made so far onto a scratch overlay
//! and runs the native rule on top of it: the same rules, on the same state, as the final
//! replay. The acting account is the caller.

use alloy_sol_types::{sol, SolCall, SolEvent};
use hechain_types::{Address, Codec, Event, Payload, TraceTarget, H256};
use hechain_types::{TraceCall, TraceModuleEvent};
use revm::context::{ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::PrecompileOutput;
use revm::primitives::{Address as EvmAddress, Bytes, Log, LogData};

use super::replay::{self, pending_ops, ModuleOp};
use super::{decode_call, evm_address, from_evm_address as ours, revert_msg, TRACE_ADDRESS};
use crate::state::{Overlay, StateRead};
use crate::{trace, BlockContext, ExecError};

mod abi {
    use super::sol;
    sol! {
        /// The traceability module as seen from Solidity (the same interface ships as
        /// `contracts/IHechainTrace.sol`).
        interface IHechainTrace {
            event TraceOperation(address indexed sender, bytes payload);
            function registerBatch(string product, string producerLabel, bytes32 attributes, string metadata, string[] codes) external returns (uint64 batchId);
            function addItems(uint64 batchId, string[] codes) external returns (uint64 firstItem);
            function appendEvent(string[] codes, string stage, string location, uint64 eventTimeMs, bytes32[] attachments, string note) external returns (uint32 count);
            function authorizeBatch(uint64 batchId, address account) external returns (bool);
            function revokeBatch(uint64 batchId, address account) external returns (bool);
            function authorizeItem(string code, address account) external returns (bool);
            function revokeItem(string code, address account) external returns (bool);
            function handover(string[] codes, address to) external returns (uint32 count);
            function accept(string[] codes) external returns (uint32 count);
            function reject(string[] codes) external returns (uint32 count);
            function cancel(string[] codes) external returns (uint32 count);
            function recall(uint64 batchId, string reason) external returns (bool);
            function itemOf(string code) external view returns (uint64 itemId, uint64 batchId, address custodian, address pendingTo, uint32 events, bool recalled);
            function mayAppend(string code, address account) external view returns (bool);
        }
    }
}
use abi::IHechainTrace;

/// Base gas of a write operation (the record writes of one item are charged per code).
pub const OP_GAS: u64 = 40_000;
/// Gas per item code an operation names (each touches the item record and an index or event).
pub const GAS_PER_CODE: u64 = 30_000;
/// Gas per byte of the operation's encoding (text, hashes).
pub const GAS_PER_BYTE: u64 = 16;
/// Gas of a view.
pub const VIEW_GAS: u64 = 5_000;

/// One operation: who made it and the native payload it stands for.
struct Op {
    sender: Address,
    payload: Payload,
}

impl ModuleOp for Op {
    const MODULE: &'static str = "trace";
    const ADDRESS: Address = TRACE_ADDRESS;

    fn from_log(data: &LogData) -> Option<Op> {
        let e = IHechainTrace::TraceOperation::decode_log_data(data).ok()?;
        Some(Op { sender: ours(e.sender), payload: Payload::decode(&e.payload).ok()? })
    }

    fn apply<R: StateRead + ?Sized>(
        &self,
        o: &mut Overlay<'_, R>,
        ctx: BlockContext,
        tx_hash: H256,
    ) -> Result<Result<Vec<Event>, String>, ExecError> {
        crate::modules::apply_call(o, &ctx.call(self.sender, tx_hash), &self.payload)
    }
}

impl Op {
    fn log(&self) -> LogData {
        IHechainTrace::TraceOperation { sender: evm_address(&self.sender), payload: self.payload.encode().into() }
            .encode_log_data()
    }

    fn codes(&self) -> usize {
        match &self.payload {
            Payload::Trace(TraceCall::Batch { codes, .. })
            | Payload::Trace(TraceCall::AddItems { codes, .. })
            | Payload::Trace(TraceCall::Event { codes, .. })
            | Payload::Trace(TraceCall::Handover { codes, .. })
            | Payload::Trace(TraceCall::Accept { codes })
            | Payload::Trace(TraceCall::Reject { codes })
            | Payload::Trace(TraceCall::Cancel { codes }) => codes.len(),
            _ => 1,
        }
    }
}

/// The native payload a write call stands for (`None` for views).
fn payload_of(call: &IHechainTrace::IHechainTraceCalls) -> Option<Payload> {
    use IHechainTrace::IHechainTraceCalls as Call;
    Some(match call {
        Call::registerBatch(c) => Payload::Trace(TraceCall::Batch {
            product: c.product.clone(),
            producer_label: c.producerLabel.clone(),
            attributes: H256(c.attributes.0),
            metadata: c.metadata.clone(),
            codes: c.codes.clone(),
        }),
        Call::addItems(c) => Payload::Trace(TraceCall::AddItems { batch_id: c.batchId, codes: c.codes.clone() }),
        Call::appendEvent(c) => Payload::Trace(TraceCall::Event {
            codes: c.codes.clone(),
            stage: c.stage.clone(),
            location: c.location.clone(),
            event_time_ms: c.eventTimeMs,
            attachments: c.attachments.iter().map(|a| H256(a.0)).collect(),
            note: c.note.clone(),
        }),
        Call::authorizeBatch(c) => Payload::Trace(TraceCall::Authorize {
            target: TraceTarget::Batch { batch_id: c.batchId },
            account: ours(c.account),
        }),
        Call::revokeBatch(c) => Payload::Trace(TraceCall::Revoke {
            target: TraceTarget::Batch { batch_id: c.batchId },
            account: ours(c.account),
        }),
        Call::authorizeItem(c) => Payload::Trace(TraceCall::Authorize {
            target: TraceTarget::Item { code: c.code.clone() },
            account: ours(c.account),
        }),
        Call::revokeItem(c) => Payload::Trace(TraceCall::Revoke {
            target: TraceTarget::Item { code: c.code.clone() },
            account: ours(c.account),
        }),
        Call::handover(c) => Payload::Trace(TraceCall::Handover { codes: c.codes.clone(), to: ours(c.to) }),
        Call::accept(c) => Payload::Trace(TraceCall::Accept { codes: c.codes.clone() }),
        Call::reject(c) => Payload::Trace(TraceCall::Reject { codes: c.codes.clone() }),
        Call::cancel(c) => Payload::Trace(TraceCall::Cancel { codes: c.codes.clone() }),
        Call::recall(c) => Payload::Trace(TraceCall::Recall { batch_id: c.batchId, reason: c.reason.clone() }),
        Call::itemOf(_) | Call::mayAppend(_) => return None,
    })
}

/// What a write call returns, from the events the module produced.
fn returns(call: &IHechainTrace::IHechainTraceCalls, events: &[Event]) -> Vec<u8> {
    use IHechainTrace::IHechainTraceCalls as Call;
    let count = |pred: fn(&Event) -> bool| events.iter().filter(|e| pred(e)).count() as u32;
    match call {
        Call::registerBatch(_) => {
            let id = events.iter().find_map(|e| match e {
                Event::Trace(TraceModuleEvent::BatchRegistered { batch, .. }) => Some(*batch),
                _ => None,
            });
            IHechainTrace::registerBatchCall::abi_encode_returns(&id.unwrap_or_default())
        }
        Call::addItems(_) => {
            let first = events.iter().find_map(|e| match e {
                Event::Trace(TraceModuleEvent::ItemsRegistered { first_item, .. }) => Some(*first_item),
                _ => None,
            });
            IHechainTrace::addItemsCall::abi_encode_returns(&first.unwrap_or_default())
        }
        Call::appendEvent(_) => IHechainTrace::appendEventCall::abi_encode_returns(&count(|e| {
            matches!(e, Event::Trace(TraceModuleEvent::EventAppended { .. }))
        })),
        Call::handover(_) => IHechainTrace::handoverCall::abi_encode_returns(&count(|e| {
            matches!(e, Event::Trace(TraceModuleEvent::HandoverOffered { .. }))
        })),
        Call::accept(_) | Call::reject(_) | Call::cancel(_) => {
            IHechainTrace::acceptCall::abi_encode_returns(&count(|e| {
                matches!(e, Event::Trace(TraceModuleEvent::HandoverClosed { .. }))
            }))
        }
        _ => IHechainTrace::recallCall::abi_encode_returns(&true),
    }
}

/// Handles a call to the traceability precompile.
pub(super) fn run<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    let r = inputs.reservoir;
    let call = match decode_call::<IHechainTrace::IHechainTraceCalls, _>(ctx, inputs, "trace") {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let ops: Vec<Op> = pending_ops(ctx);
    let Some(payload) = payload_of(&call) else { return view(ctx, inputs, &call, &ops, block) };
    let op = Op { sender: ours(inputs.caller), payload };
    // An event is stored once per code it names: its text and attachments are paid per copy.
    let per_copy = match &op.payload {
        Payload::Trace(TraceCall::Event { codes, stage, location, attachments, note, .. }) => {
            (stage.len() + location.len() + note.len() + 32 * attachments.len()) as u64 * codes.len() as u64
        }
        _ => 0,
    };
    let gas = OP_GAS + GAS_PER_CODE * op.codes() as u64 + GAS_PER_BYTE * (op.payload.encode().len() as u64 + per_copy);
    let db = &ctx.db_ref().0;
    let (mut o, gas) = match replay::write_scratch(db, &ops, block, inputs, gas)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let events = match crate::modules::apply_call(&mut o, &block.call(op.sender, H256::ZERO), &op.payload)? {
        Ok(ev) => ev,
        Err(reason) => return Ok(revert_msg(gas, &reason, r)),
    };
    let out = returns(&call, &events);
    ctx.journal_mut().log(Log { address: evm_address(&TRACE_ADDRESS), data: op.log() });
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

fn view<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    call: &IHechainTrace::IHechainTraceCalls,
    ops: &[Op],
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainTrace::IHechainTraceCalls as Call;
    let r = inputs.reservoir;
    let db = &ctx.db_ref().0;
    let (o, vg) = match replay::view_scratch(db, ops, block, inputs, VIEW_GAS)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let code = match call {
        Call::itemOf(c) => &c.code,
        Call::mayAppend(c) => &c.code,
        _ => return Ok(revert_msg(0, "trace precompile: not a view", r)),
    };
    let Some(it) = trace::item_by_code(&o, code)? else {
        return Ok(revert_msg(vg, &format!("no item has code {code:?}"), r));
    };
    let out = match call {
        Call::mayAppend(c) => {
            IHechainTrace::mayAppendCall::abi_encode_returns(&trace::may_append(&o, &it, &ours(c.account))?)
        }
        _ => {
            let recalled = trace::batch(&o, it.batch_id)?.is_some_and(|b| b.recall.is_some());
            IHechainTrace::itemOfCall::abi_encode_returns(&IHechainTrace::itemOfReturn {
                itemId: it.id,
                batchId: it.batch_id,
                custodian: evm_address(&it.custodian),
                pendingTo: it.pending.as_ref().map_or(EvmAddress::ZERO, |p| evm_address(&p.to)),
                events: it.events,
                recalled,
            })
        }
    };
    Ok(PrecompileOutput::new(vg, Bytes::from(out), r))
}

/// Applies the trace operations a successful transaction made through the precompile (its
/// surviving logs, in order) through the native module, and returns their events.
pub fn apply_trace_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    replay::apply_logs::<Op, R>(o, ctx, logs, tx_hash)
}
