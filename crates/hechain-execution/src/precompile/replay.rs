//! The machinery every write-capable native-module precompile shares.
//!
//! A precompile cannot write native state directly, because the frame that calls it may still
//! revert. So each accepted operation is recorded as a log through the EVM journal (which drops
//! the logs of reverted frames), and after the transaction succeeds [`apply_logs`] replays the
//! surviving logs, in order, through the native module. To decide an operation (and to answer a
//! view) the precompile replays the operations this transaction has made so far onto a scratch
//! overlay ([`scratch`]) and runs the native rule on top of it, with the block's millisecond
//! time: the same rules, on the same state, as the final replay.
//!
//! A module implements [`ModuleOp`] for the operations its log events describe.

use hechain_types::{Address, Event, H256};
use revm::context::{ContextTr, JournalTr};
use revm::interpreter::CallInputs;
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{Log, LogData};

use super::{evm_address, revert_msg};
use crate::state::{Overlay, StateRead};
use crate::{BlockContext, ExecError};

/// One operation of a native module, as a precompile log records it.
pub(crate) trait ModuleOp: Sized {
    /// Module name, for messages.
    const MODULE: &'static str;
    /// The precompile's address (the address of its logs).
    const ADDRESS: Address;

    /// The operation a log describes (`None`: not one of this module's logs).
    fn from_log(data: &LogData) -> Option<Self>;

    /// Runs the operation through the native module.
    fn apply<R: StateRead + ?Sized>(
        &self,
        o: &mut Overlay<'_, R>,
        ctx: BlockContext,
        tx_hash: H256,
    ) -> Result<Result<Vec<Event>, String>, ExecError>;

    /// Checks what the final replay produced against what the precompile promised the caller
    /// (the ids it returned); the message says what differs.
    fn check_replay(&self, _events: &[Event]) -> Result<(), String> {
        Ok(())
    }
}

/// The module's operations of the current transaction so far (logs of frames that did not
/// revert), in order.
pub(crate) fn pending_ops<O: ModuleOp, CTX: ContextTr>(ctx: &CTX) -> Vec<O> {
    let addr = evm_address(&O::ADDRESS);
    ctx.journal().logs().iter().filter(|l| l.address == addr).filter_map(|l| O::from_log(&l.data)).collect()
}

/// The state this transaction sees: committed state, earlier transactions of the block, and
/// this transaction's operations so far. `Ok(Err(reason))` if an earlier accepted operation no
/// longer replays (which the journal's revert rules rule out); the call then reverts rather
/// than failing the block.
pub(crate) fn scratch<'a, O: ModuleOp, D: StateRead + ?Sized>(
    db: &'a D,
    ops: &[O],
    block: BlockContext,
) -> Result<Result<Overlay<'a, D>, String>, ExecError> {
    let mut o = Overlay::new(db);
    for op in ops {
        if let Err(reason) = op.apply(&mut o, block, H256::ZERO)? {
            return Ok(Err(format!(
                "{} precompile: an earlier operation of this transaction no longer applies: {reason}",
                O::MODULE
            )));
        }
    }
    Ok(Ok(o))
}

/// Gas of replaying a transaction's `n` earlier operations of a module, charged on every call
/// that decides or reads on the scratch state: without it, a transaction could make a long
/// series of cheap calls each re-running everything before it (quadratic work for linear gas).
pub const REPLAY_GAS_PER_OP: u64 = 2_000;

/// [`REPLAY_GAS_PER_OP`] for `n` operations.
pub(crate) fn replay_gas(n: usize) -> u64 {
    REPLAY_GAS_PER_OP.saturating_mul(n as u64)
}

/// The scratch state a read (view) is answered on, and the gas of the call: `gas` plus the
/// replay of this transaction's `ops`. `Ok(Err(output))` is what the precompile answers instead
/// (out of gas before any replay work, or a revert).
pub(crate) fn view_scratch<'a, O: ModuleOp, D: StateRead + ?Sized>(
    db: &'a D,
    ops: &[O],
    block: BlockContext,
    inputs: &CallInputs,
    gas: u64,
) -> Result<Result<(Overlay<'a, D>, u64), PrecompileOutput>, ExecError> {
    let r = inputs.reservoir;
    let gas = gas.saturating_add(replay_gas(ops.len()));
    if gas > inputs.gas_limit {
        return Ok(Err(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r)));
    }
    Ok(scratch(db, ops, block)?.map(|o| (o, gas)).map_err(|reason| revert_msg(gas, &reason, r)))
}

/// The scratch state a write operation of `O`'s module is decided on, and the gas of the call
/// (`gas` plus the replay of `ops`), after the checks every write shares: the gas fits the
/// call's limit, and the call is not static. `Ok(Err(output))` is what the precompile answers
/// instead (out of gas, or a revert with the reason).
pub(crate) fn write_scratch<'a, O: ModuleOp, D: StateRead + ?Sized>(
    db: &'a D,
    ops: &[O],
    block: BlockContext,
    inputs: &CallInputs,
    gas: u64,
) -> Result<Result<(Overlay<'a, D>, u64), PrecompileOutput>, ExecError> {
    let total = gas.saturating_add(replay_gas(ops.len()));
    if inputs.is_static && total <= inputs.gas_limit {
        let msg = format!("{} precompile: writes are not allowed in a static call", O::MODULE);
        return Ok(Err(revert_msg(total, &msg, inputs.reservoir)));
    }
    view_scratch(db, ops, block, inputs, gas)
}

/// Applies the operations a successful transaction made through the module's precompile (its
/// surviving logs, in order) through the native module, and returns their events. A refusal
/// here means the precompile accepted what the module refuses: a bug that must not be hidden,
/// so it fails the block.
pub(crate) fn apply_logs<O: ModuleOp, R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    let addr = evm_address(&O::ADDRESS);
    let mut events = Vec::new();
    for op in logs.iter().filter(|l| l.address == addr).filter_map(|l| O::from_log(&l.data)) {
        match op.apply(o, ctx, tx_hash)? {
            Ok(mut ev) => {
                op.check_replay(&ev).map_err(|e| ExecError::Invalid(format!("{} precompile: {e}", O::MODULE)))?;
                events.append(&mut ev);
            }
            Err(reason) => {
                return Err(ExecError::Invalid(format!(
                    "{} precompile accepted an operation the module refuses: {reason}",
                    O::MODULE
                )))
            }
        }
    }
    Ok(events)
}
