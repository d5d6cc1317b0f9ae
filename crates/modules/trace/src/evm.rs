//! The traceability precompile at `0x…1003` (`contracts/IHechainTrace.sol`). Its log is
//! `TraceOperation(sender, payload)`, the payload being the call's payload encoding: the
//! format of its writes, which must not change. The acting account is the caller.

use alloy_primitives::Address as EvmAddress;
use alloy_sol_types::{sol, SolCall, SolEvent, SolInterface};
use hechain_module::evm::{
    from_evm, from_payload_bytes, payload_bytes, to_evm, LogData, LogFormat, PrecompileCall, PrecompileSpec,
};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::{Address, H256};

use crate::{exec, TraceCall, TraceModule, TraceModuleEvent, TraceTarget};

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
use IHechainTrace::IHechainTraceCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x03];
/// Base gas of a write (the record writes of one item are charged per code).
pub const OP_GAS: u64 = 40_000;
/// Gas per item code a write names (each touches the item record and an index or event).
pub const GAS_PER_CODE: u64 = 30_000;
/// Gas per byte of the write's payload encoding (text, hashes).
pub const GAS_PER_BYTE: u64 = 16;
/// Gas of a view.
pub const VIEW_GAS: u64 = 5_000;

/// The precompile.
pub fn spec() -> PrecompileSpec<TraceCall, TraceModuleEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: None,
        write_output,
        result_gas: None,
        view,
        log: LogFormat::Own { encode: encode_log, decode: decode_log },
    }
}

/// The call a write stands for (`None` for views).
fn call_of(call: Calls) -> Option<TraceCall> {
    Some(match call {
        Calls::registerBatch(c) => TraceCall::Batch {
            product: c.product,
            producer_label: c.producerLabel,
            attributes: H256(c.attributes.0),
            metadata: c.metadata,
            codes: c.codes,
        },
        Calls::addItems(c) => TraceCall::AddItems { batch_id: c.batchId, codes: c.codes },
        Calls::appendEvent(c) => TraceCall::Event {
            codes: c.codes,
            stage: c.stage,
            location: c.location,
            event_time_ms: c.eventTimeMs,
            attachments: c.attachments.iter().map(|a| H256(a.0)).collect(),
            note: c.note,
        },
        Calls::authorizeBatch(c) => {
            TraceCall::Authorize { target: TraceTarget::Batch { batch_id: c.batchId }, account: from_evm(c.account) }
        }
        Calls::revokeBatch(c) => {
            TraceCall::Revoke { target: TraceTarget::Batch { batch_id: c.batchId }, account: from_evm(c.account) }
        }
        Calls::authorizeItem(c) => {
            TraceCall::Authorize { target: TraceTarget::Item { code: c.code }, account: from_evm(c.account) }
        }
        Calls::revokeItem(c) => {
            TraceCall::Revoke { target: TraceTarget::Item { code: c.code }, account: from_evm(c.account) }
        }
        Calls::handover(c) => TraceCall::Handover { codes: c.codes, to: from_evm(c.to) },
        Calls::accept(c) => TraceCall::Accept { codes: c.codes },
        Calls::reject(c) => TraceCall::Reject { codes: c.codes },
        Calls::cancel(c) => TraceCall::Cancel { codes: c.codes },
        Calls::recall(c) => TraceCall::Recall { batch_id: c.batchId, reason: c.reason },
        Calls::itemOf(_) | Calls::mayAppend(_) => return None,
    })
}

/// How many item codes a call names.
fn codes(call: &TraceCall) -> usize {
    match call {
        TraceCall::Batch { codes, .. }
        | TraceCall::AddItems { codes, .. }
        | TraceCall::Event { codes, .. }
        | TraceCall::Handover { codes, .. }
        | TraceCall::Accept { codes }
        | TraceCall::Reject { codes }
        | TraceCall::Cancel { codes } => codes.len(),
        TraceCall::Authorize { .. } | TraceCall::Revoke { .. } | TraceCall::Recall { .. } => 1,
    }
}

fn decode(input: &[u8]) -> Result<PrecompileCall<TraceCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("trace precompile: invalid call: {e}"))?;
    let Some(call) = call_of(call) else { return Ok(PrecompileCall::View { gas: VIEW_GAS }) };
    // An event is stored once per code it names: its text and attachments are paid per copy.
    let per_copy = match &call {
        TraceCall::Event { codes, stage, location, attachments, note, .. } => {
            (stage.len() + location.len() + note.len() + 32 * attachments.len()) as u64 * codes.len() as u64
        }
        TraceCall::Batch { .. }
        | TraceCall::AddItems { .. }
        | TraceCall::Authorize { .. }
        | TraceCall::Revoke { .. }
        | TraceCall::Handover { .. }
        | TraceCall::Accept { .. }
        | TraceCall::Reject { .. }
        | TraceCall::Cancel { .. }
        | TraceCall::Recall { .. } => 0,
    };
    let bytes = payload_bytes::<TraceModule>(&call).len() as u64;
    let gas = OP_GAS + GAS_PER_CODE * codes(&call) as u64 + GAS_PER_BYTE * (bytes + per_copy);
    Ok(PrecompileCall::Write { call, gas })
}

fn write_output(input: &[u8], events: &[TraceModuleEvent]) -> Vec<u8> {
    let count = |pred: fn(&TraceModuleEvent) -> bool| events.iter().filter(|e| pred(e)).count() as u32;
    match Calls::abi_decode(input) {
        Ok(Calls::registerBatch(_)) => {
            let id = events.iter().find_map(|e| match e {
                TraceModuleEvent::BatchRegistered { batch, .. } => Some(*batch),
                _ => None,
            });
            IHechainTrace::registerBatchCall::abi_encode_returns(&id.unwrap_or_default())
        }
        Ok(Calls::addItems(_)) => {
            let first = events.iter().find_map(|e| match e {
                TraceModuleEvent::ItemsRegistered { first_item, .. } => Some(*first_item),
                _ => None,
            });
            IHechainTrace::addItemsCall::abi_encode_returns(&first.unwrap_or_default())
        }
        Ok(Calls::appendEvent(_)) => IHechainTrace::appendEventCall::abi_encode_returns(&count(|e| {
            matches!(e, TraceModuleEvent::EventAppended { .. })
        })),
        Ok(Calls::handover(_)) => IHechainTrace::handoverCall::abi_encode_returns(&count(|e| {
            matches!(e, TraceModuleEvent::HandoverOffered { .. })
        })),
        Ok(Calls::accept(_) | Calls::reject(_) | Calls::cancel(_)) => {
            IHechainTrace::acceptCall::abi_encode_returns(&count(|e| {
                matches!(e, TraceModuleEvent::HandoverClosed { .. })
            }))
        }
        Ok(
            Calls::authorizeBatch(_)
            | Calls::revokeBatch(_)
            | Calls::authorizeItem(_)
            | Calls::revokeItem(_)
            | Calls::recall(_)
            | Calls::itemOf(_)
            | Calls::mayAppend(_),
        )
        | Err(_) => IHechainTrace::recallCall::abi_encode_returns(&true),
    }
}

fn encode_log(sender: &Address, call: &TraceCall, _events: &[TraceModuleEvent]) -> Option<LogData> {
    let payload = payload_bytes::<TraceModule>(call);
    Some(IHechainTrace::TraceOperation { sender: to_evm(sender), payload: payload.into() }.encode_log_data())
}

fn decode_log(data: &LogData) -> Option<(Address, TraceCall)> {
    let e = IHechainTrace::TraceOperation::decode_log_data(data).ok()?;
    Some((from_evm(e.sender), from_payload_bytes::<TraceModule>(&e.payload)?))
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let call = match Calls::abi_decode(input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("trace precompile: invalid call: {e}"))),
    };
    let (code, may_append) = match call {
        Calls::itemOf(c) => (c.code, None),
        Calls::mayAppend(c) => (c.code, Some(from_evm(c.account))),
        Calls::registerBatch(_)
        | Calls::addItems(_)
        | Calls::appendEvent(_)
        | Calls::authorizeBatch(_)
        | Calls::revokeBatch(_)
        | Calls::authorizeItem(_)
        | Calls::revokeItem(_)
        | Calls::handover(_)
        | Calls::accept(_)
        | Calls::reject(_)
        | Calls::cancel(_)
        | Calls::recall(_) => return Ok(Err("trace precompile: not a view".into())),
    };
    let Some(it) = exec::item_by_code(state, &code)? else {
        return Ok(Err(format!("no item has code {code:?}")));
    };
    let out = match may_append {
        Some(account) => IHechainTrace::mayAppendCall::abi_encode_returns(&exec::may_append(state, &it, &account)?),
        None => {
            let recalled = exec::batch(state, it.batch_id)?.is_some_and(|b| b.recall.is_some());
            IHechainTrace::itemOfCall::abi_encode_returns(&IHechainTrace::itemOfReturn {
                itemId: it.id,
                batchId: it.batch_id,
                custodian: to_evm(&it.custodian),
                pendingTo: it.pending.as_ref().map_or(EvmAddress::ZERO, |p| to_evm(&p.to)),
                events: it.events,
                recalled,
            })
        }
    };
    Ok(Ok((out, 0)))
}
