//! The copyright (版权) module as a precompile at `0x…1001` (`contracts/IHechainCopyright.sol`).
//!
//! Operations are decided on a scratch replay of the transaction's earlier operations and
//! applied after the transaction succeeds, by the shared machinery in [`super::replay`].

use alloy_sol_types::{sol, SolCall, SolEvent};
use hechain_types::CopyrightEvent;
use hechain_types::{Address, CopyrightWork, Event, H256};
use revm::context::{ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{Bytes, Log, LogData};

use super::replay::{self, pending_ops, ModuleOp};
use super::{decode_call, evm_address, from_evm_address as ours, revert_msg, COPYRIGHT_ADDRESS};
use crate::copyright;
use crate::state::{run_on_host, Overlay, StateRead};
use crate::{BlockContext, ExecError};

// The generated constructors of the 8-field license event take one argument per field.
#[allow(clippy::too_many_arguments)]
mod abi {
    use super::sol;
    sol! {
        /// The copyright module as seen from Solidity (the same interface ships as
        /// `contracts/IHechainCopyright.sol`).
        interface IHechainCopyright {
            event CopyrightRegistered(uint64 indexed id, bytes32 indexed contentHash, address indexed owner, string title, string workType, string author);
            event CopyrightTransferred(uint64 indexed id, address indexed from, address indexed to);
            event CopyrightLicensed(uint64 indexed id, address indexed licensor, address indexed licensee, uint32 index, bool exclusive, uint64 startMs, uint64 endMs, string territory);
            function register(bytes32 contentHash, string title, string workType, string author) external returns (uint64 id);
            function transfer(uint64 id, address to) external returns (address from);
            function grantLicense(uint64 id, address licensee, bool exclusive, uint64 startMs, uint64 endMs, string territory) external returns (uint32 index);
            function ownerOf(uint64 id) external view returns (address);
            function workOf(bytes32 contentHash) external view returns (uint64 id, address owner, address registrant, uint64 registeredAtMs);
            function licensed(uint64 id, address licensee, string territory) external view returns (bool);
        }
    }
}
use abi::IHechainCopyright;

/// Gas of `register`: the four native writes plus 16 per byte of text.
pub const REGISTER_GAS: u64 = 100_000;
/// Gas of `transfer`.
pub const TRANSFER_GAS: u64 = 40_000;
/// Gas of `grantLicense` (plus 16 per territory byte and 1,000 per existing license checked).
pub const LICENSE_GAS: u64 = 60_000;
/// Gas of a view (plus 1,000 per license scanned by `licensed`).
pub const VIEW_GAS: u64 = 5_000;
/// Gas per byte of stored text.
pub const GAS_PER_BYTE: u64 = 16;
/// Gas per license examined.
pub const GAS_PER_LICENSE: u64 = 1_000;

/// One copyright operation, as its log records it.
enum Op {
    Register {
        sender: Address,
        id: u64,
        content_hash: H256,
        title: String,
        work_type: String,
        author: String,
    },
    Transfer {
        sender: Address,
        id: u64,
        to: Address,
    },
    License {
        sender: Address,
        id: u64,
        licensee: Address,
        exclusive: bool,
        start_ms: u64,
        end_ms: u64,
        territory: String,
    },
}

impl ModuleOp for Op {
    const MODULE: &'static str = "copyright";
    const ADDRESS: Address = COPYRIGHT_ADDRESS;

    fn from_log(data: &LogData) -> Option<Op> {
        use IHechainCopyright::{CopyrightLicensed, CopyrightRegistered, CopyrightTransferred};
        if let Ok(e) = CopyrightRegistered::decode_log_data(data) {
            return Some(Op::Register {
                sender: ours(e.owner),
                id: e.id,
                content_hash: H256(e.contentHash.0),
                title: e.title,
                work_type: e.workType,
                author: e.author,
            });
        }
        if let Ok(e) = CopyrightTransferred::decode_log_data(data) {
            return Some(Op::Transfer { sender: ours(e.from), id: e.id, to: ours(e.to) });
        }
        if let Ok(e) = CopyrightLicensed::decode_log_data(data) {
            return Some(Op::License {
                sender: ours(e.licensor),
                id: e.id,
                licensee: ours(e.licensee),
                exclusive: e.exclusive,
                start_ms: e.startMs,
                end_ms: e.endMs,
                territory: e.territory,
            });
        }
        None
    }

    fn apply<R: StateRead + ?Sized>(
        &self,
        o: &mut Overlay<'_, R>,
        ctx: BlockContext,
        tx_hash: H256,
    ) -> Result<Result<Vec<Event>, String>, ExecError> {
        let b = ctx.info();
        run_on_host(o, Event::Copyright, |h| match self {
            Op::Register { sender, content_hash, title, work_type, author, .. } => {
                copyright::register(h, b, sender, tx_hash, content_hash, title, work_type, author)
            }
            Op::Transfer { sender, id, to } => copyright::transfer(h, b, sender, tx_hash, *id, to),
            Op::License { sender, id, licensee, exclusive, start_ms, end_ms, territory } => {
                copyright::grant(h, b, sender, tx_hash, *id, licensee, *exclusive, *start_ms, *end_ms, territory)
            }
        })
    }

    fn check_replay(&self, events: &[Event]) -> Result<(), String> {
        match (self, events.first()) {
            (Op::Register { id, .. }, Some(Event::Copyright(CopyrightEvent::Registered { id: got, .. })))
                if id != got =>
            {
                Err(format!("promised work id {id} but the module assigned {got}"))
            }
            _ => Ok(()),
        }
    }
}

impl Op {
    /// The log an accepted operation emits, given the events the module produced.
    fn log(&self, events: &[Event]) -> Option<LogData> {
        use IHechainCopyright::{CopyrightLicensed, CopyrightRegistered, CopyrightTransferred};
        let e = |a: &Address| evm_address(a);
        Some(match (self, events.first()?) {
            (
                Op::Register { sender, content_hash, title, work_type, author, .. },
                Event::Copyright(CopyrightEvent::Registered { id, .. }),
            ) => CopyrightRegistered {
                id: *id,
                contentHash: content_hash.0.into(),
                owner: e(sender),
                title: title.clone(),
                workType: work_type.clone(),
                author: author.clone(),
            }
            .encode_log_data(),
            (Op::Transfer { sender, id, to }, Event::Copyright(CopyrightEvent::Transferred { .. })) => {
                CopyrightTransferred { id: *id, from: e(sender), to: e(to) }.encode_log_data()
            }
            (
                Op::License { sender, id, licensee, exclusive, start_ms, end_ms, territory },
                Event::Copyright(CopyrightEvent::Licensed { index, .. }),
            ) => CopyrightLicensed {
                id: *id,
                licensor: e(sender),
                licensee: e(licensee),
                index: *index,
                exclusive: *exclusive,
                startMs: *start_ms,
                endMs: *end_ms,
                territory: territory.clone(),
            }
            .encode_log_data(),
            _ => return None,
        })
    }
}

/// Handles a call to the copyright precompile.
pub(super) fn run<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainCopyright::IHechainCopyrightCalls as Call;
    let r = inputs.reservoir;
    let call = match decode_call::<Call, _>(ctx, inputs, "copyright") {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let caller = ours(inputs.caller);
    let ops: Vec<Op> = pending_ops(ctx);
    let op = match &call {
        Call::register(c) => Op::Register {
            sender: caller,
            id: 0,
            content_hash: H256(c.contentHash.0),
            title: c.title.clone(),
            work_type: c.workType.clone(),
            author: c.author.clone(),
        },
        Call::transfer(c) => Op::Transfer { sender: caller, id: c.id, to: ours(c.to) },
        Call::grantLicense(c) => Op::License {
            sender: caller,
            id: c.id,
            licensee: ours(c.licensee),
            exclusive: c.exclusive,
            start_ms: c.startMs,
            end_ms: c.endMs,
            territory: c.territory.clone(),
        },
        Call::ownerOf(_) | Call::workOf(_) | Call::licensed(_) => return view(ctx, inputs, &call, &ops, block),
    };
    let gas = match &op {
        Op::Register { title, work_type, author, .. } => {
            REGISTER_GAS + GAS_PER_BYTE * (title.len() + work_type.len() + author.len()) as u64
        }
        Op::Transfer { .. } => TRANSFER_GAS,
        Op::License { territory, .. } => LICENSE_GAS + GAS_PER_BYTE * territory.len() as u64,
    };
    let db = &ctx.db_ref().0;
    let (mut o, gas) = match replay::write_scratch(db, &ops, block, inputs, gas)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    // A grant is checked against every license of the work.
    let gas = match &op {
        Op::License { id, .. } => {
            let existing = copyright::work(&o, *id)?.map_or(0, |w| w.licenses as u64);
            gas + GAS_PER_LICENSE * existing
        }
        _ => gas,
    };
    if gas > inputs.gas_limit {
        return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
    }
    let events = match op.apply(&mut o, block, H256::ZERO)? {
        Ok(ev) => ev,
        Err(reason) => return Ok(revert_msg(gas, &reason, r)),
    };
    let data = op.log(&events).ok_or_else(|| ExecError::Invalid("copyright precompile: unexpected event".into()))?;
    let out = match events.first() {
        Some(Event::Copyright(CopyrightEvent::Registered { id, .. })) => {
            IHechainCopyright::registerCall::abi_encode_returns(id)
        }
        Some(Event::Copyright(CopyrightEvent::Licensed { index, .. })) => {
            IHechainCopyright::grantLicenseCall::abi_encode_returns(index)
        }
        Some(Event::Copyright(CopyrightEvent::Transferred { from, .. })) => {
            IHechainCopyright::transferCall::abi_encode_returns(&evm_address(from))
        }
        _ => Vec::new(),
    };
    ctx.journal_mut().log(Log { address: evm_address(&COPYRIGHT_ADDRESS), data });
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

fn view<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    call: &IHechainCopyright::IHechainCopyrightCalls,
    ops: &[Op],
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainCopyright::IHechainCopyrightCalls as Call;
    let r = inputs.reservoir;
    let db = &ctx.db_ref().0;
    let (o, vg) = match replay::view_scratch(db, ops, block, inputs, VIEW_GAS)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let need = |id: u64, o: &Overlay<'_, D>| -> Result<Result<CopyrightWork, String>, ExecError> {
        Ok(copyright::work(o, id)?.ok_or_else(|| format!("no registered work has id {id}")))
    };
    let (gas, out) = match call {
        Call::ownerOf(c) => match need(c.id, &o)? {
            Ok(w) => (vg, IHechainCopyright::ownerOfCall::abi_encode_returns(&evm_address(&w.owner))),
            Err(e) => return Ok(revert_msg(vg, &e, r)),
        },
        Call::workOf(c) => match copyright::work_by_hash(&o, &H256(c.contentHash.0))? {
            Some(w) => (
                vg,
                IHechainCopyright::workOfCall::abi_encode_returns(&IHechainCopyright::workOfReturn {
                    id: w.id,
                    owner: evm_address(&w.owner),
                    registrant: evm_address(&w.registrant),
                    registeredAtMs: w.registered.timestamp_ms,
                }),
            ),
            None => {
                let msg = format!("no work is registered with content hash {}", H256(c.contentHash.0));
                return Ok(revert_msg(vg, &msg, r));
            }
        },
        Call::licensed(c) => match need(c.id, &o)? {
            Ok(w) => {
                let licensee = ours(c.licensee);
                let held = copyright::licenses(&o, &w)?.iter().any(|l| {
                    l.licensee == licensee
                        && l.in_force(block.timestamp_ms)
                        && (l.territory.eq_ignore_ascii_case(&c.territory)
                            || l.territory.eq_ignore_ascii_case(hechain_types::copyright::WORLDWIDE))
                });
                (vg + GAS_PER_LICENSE * w.licenses as u64, IHechainCopyright::licensedCall::abi_encode_returns(&held))
            }
            Err(e) => return Ok(revert_msg(vg, &e, r)),
        },
        _ => return Ok(revert_msg(0, "copyright precompile: not a view", r)),
    };
    if gas > inputs.gas_limit {
        return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
    }
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

/// Applies the copyright operations a successful transaction made through the precompile (its
/// surviving logs, in order) through the native module, and returns their events.
pub fn apply_copyright_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    replay::apply_logs::<Op, R>(o, ctx, logs, tx_hash)
}
