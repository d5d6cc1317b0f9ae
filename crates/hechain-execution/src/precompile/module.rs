//! The precompiles of modules built on the module interface
//! (`hechain_module::evm::ModulePrecompile`), all run by [`run`]: decode the calldata with the
//! module's own decoder; decide a write by applying it, through the module's own rules, to a
//! scratch copy of the state (with this transaction's earlier calls of the module replayed);
//! log it as `ModuleCall(sender, call)` through the EVM journal; and apply the surviving logs
//! for real after the transaction succeeds (`crate::modules::apply_precompile_logs`).

use alloy_sol_types::{sol, SolEvent};
use hechain_module::evm::{PrecompileCall, PrecompileSpec};
use hechain_module::exec::ModuleExec;
use hechain_module::Module;
use hechain_types::{Address, H256};
use revm::context::{ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{Bytes, Log, LogData};

use super::replay::replay_gas;
use super::{evm_address, from_evm_address, permitted, revert_msg};
use crate::state::{ModuleHost, Overlay, StateRead};
use crate::{BlockContext, ExecError};

sol! {
    /// An accepted write of a module precompile: the caller and the module call's canonical
    /// encoding (borsh), applied through the module after the transaction succeeds.
    event ModuleCall(address indexed sender, bytes call);
}

/// The module calls a list of logs records at `address`, in order.
pub(crate) fn calls_in_logs<'l, M: Module>(
    address: [u8; 20],
    logs: impl Iterator<Item = &'l Log>,
) -> Vec<(Address, M::Call)> {
    let addr = evm_address(&Address(address));
    logs.filter(|l| l.address == addr)
        .filter_map(|l| {
            let e = ModuleCall::decode_log_data(&l.data).ok()?;
            let call = borsh::from_slice::<M::Call>(&e.call).ok()?;
            Some((from_evm_address(e.sender), call))
        })
        .collect()
}

fn log(sender: Address, call: &impl borsh::BorshSerialize) -> Result<LogData, ExecError> {
    let bytes = borsh::to_vec(call).map_err(|e| ExecError::Invalid(format!("encoding a module call: {e}")))?;
    Ok(ModuleCall { sender: evm_address(&sender), call: bytes.into() }.encode_log_data())
}

/// Handles a call to module `M`'s precompile.
pub(crate) fn run<M, CTX, D>(
    spec: &PrecompileSpec<M::Call, M::Event>,
    ctx: &mut CTX,
    inputs: &CallInputs,
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    M: ModuleExec,
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    let r = inputs.reservoir;
    if inputs.target_address != inputs.bytecode_address {
        let msg = format!("{} precompile: DELEGATECALL and CALLCODE are not supported", M::NAME);
        return Ok(revert_msg(0, &msg, r));
    }
    let input = inputs.input.bytes(ctx);
    let decoded = match (spec.decode)(&input) {
        Ok(d) => d,
        Err(reason) => return Ok(revert_msg(0, &reason, r)),
    };
    let earlier = calls_in_logs::<M>(spec.address, ctx.journal().logs().iter());
    let base = match &decoded {
        PrecompileCall::Write { gas, .. } | PrecompileCall::View { gas } => *gas,
    };
    let gas = base.saturating_add(replay_gas(earlier.len()));
    if gas > inputs.gas_limit {
        return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
    }
    if matches!(decoded, PrecompileCall::Write { .. }) {
        if inputs.is_static {
            let msg = format!("{} precompile: writes are not allowed in a static call", M::NAME);
            return Ok(revert_msg(gas, &msg, r));
        }
        if let Some(refused) = permitted(ctx, inputs, M::NAME)? {
            return Ok(refused);
        }
    }
    let db = &ctx.db_ref().0;
    let mut scratch = Overlay::new(db);
    for (sender, call) in &earlier {
        if let Err(reason) = decide::<M, _>(&mut scratch, block, *sender, call)? {
            let msg =
                format!("{} precompile: an earlier call of this transaction no longer applies: {reason}", M::NAME);
            return Ok(revert_msg(gas, &msg, r));
        }
    }
    match decoded {
        PrecompileCall::View { .. } => match (spec.view)(&scratch, &block.info(), &input)? {
            Ok(out) => Ok(PrecompileOutput::new(gas, Bytes::from(out), r)),
            Err(reason) => Ok(revert_msg(gas, &reason, r)),
        },
        PrecompileCall::Write { call, .. } => {
            let sender = from_evm_address(inputs.caller);
            let events = match decide::<M, _>(&mut scratch, block, sender, &call)? {
                Ok(events) => events,
                Err(reason) => return Ok(revert_msg(gas, &reason, r)),
            };
            let out = (spec.write_output)(&input, &events);
            let data = log(sender, &call)?;
            ctx.journal_mut().log(Log { address: evm_address(&Address(spec.address)), data });
            Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
        }
    }
}

/// Applies a call to scratch state the way the final replay will: the other modules' rules on
/// it first, then the module's.
fn decide<M: ModuleExec, R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    block: BlockContext,
    sender: Address,
    call: &M::Call,
) -> Result<Result<Vec<M::Event>, String>, ExecError> {
    let cx = block.call(sender, H256::ZERO);
    if let Err(reason) = crate::modules::check_foreign(o, &cx, M::NAME, call)? {
        return Ok(Err(reason));
    }
    let mut host = ModuleHost::new(o);
    Ok(M::apply(&mut host, &cx, call)?)
}
