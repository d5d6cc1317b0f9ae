//! Every module precompile (`hechain_module::evm::ModulePrecompile`) is run by [`run`]:
//! decode the calldata with the module's own decoder; decide a write by applying it, through
//! the module's own rules, to a scratch copy of the state (with this transaction's earlier calls
//! of the module replayed); make the payments it noted from the caller's EVM balance; record
//! it as a log, in the module's [`LogFormat`], through the EVM journal; and apply the surviving
//! logs for real after the transaction succeeds ([`crate::modules::apply_precompile_logs`]).
//!
//! A precompile cannot write native state directly, because the frame that calls it may still
//! revert: the journal drops the logs of reverted frames, and with them the writes.

use alloy_sol_types::{sol, SolEvent};
use hechain_module::evm::{LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::ModuleExec;
use hechain_module::Module;
use hechain_types::{Address, Event, TransferEvent, H256};
use revm::context::{ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{Bytes, Log, LogData, U256};

use super::{evm_address, from_evm_address, permitted, revert_msg};
use crate::state::{ModuleHost, Overlay, StateRead};
use crate::{BlockContext, ExecError};

sol! {
    /// An accepted write of a module precompile in [`LogFormat::ModuleCall`]: the caller and
    /// the module call's canonical encoding (borsh), applied through the module after the
    /// transaction succeeds.
    event ModuleCall(address indexed sender, bytes call);
}

/// Gas of replaying a transaction's earlier write through a module's precompile, charged on
/// every call that decides or reads on the scratch state: without it, a transaction could make a
/// long series of cheap calls each re-running everything before it (quadratic work for linear
/// gas).
pub const REPLAY_GAS_PER_OP: u64 = 2_000;

/// [`REPLAY_GAS_PER_OP`] for `n` earlier writes.
fn replay_gas(n: usize) -> u64 {
    REPLAY_GAS_PER_OP.saturating_mul(n as u64)
}

/// One write a precompile log records.
pub(crate) struct LoggedCall<'l, C> {
    pub sender: Address,
    pub call: C,
    pub log: &'l LogData,
}

/// The writes that `logs` record at module `M`'s precompile, in order.
pub(crate) fn calls_in_logs<'l, M: Module>(
    spec: &PrecompileSpec<M::Call, M::Event>,
    logs: impl Iterator<Item = &'l Log>,
) -> Vec<LoggedCall<'l, M::Call>> {
    let addr = evm_address(&Address(spec.address));
    logs.filter(|l| l.address == addr)
        .filter_map(|l| {
            let (sender, call) = match &spec.log {
                LogFormat::ModuleCall => {
                    let e = ModuleCall::decode_log_data(&l.data).ok()?;
                    (from_evm_address(e.sender), borsh::from_slice::<M::Call>(&e.call).ok()?)
                }
                LogFormat::Own { decode, .. } => decode(&l.data)?,
            };
            Some(LoggedCall { sender, call, log: &l.data })
        })
        .collect()
}

/// The log that records a decided write; `None` if the module's log encoder does not recognise
/// the events as the call's.
pub(crate) fn log_of<M: Module>(
    spec: &PrecompileSpec<M::Call, M::Event>,
    sender: Address,
    call: &M::Call,
    events: &[M::Event],
) -> Result<Option<LogData>, ExecError> {
    match &spec.log {
        LogFormat::ModuleCall => {
            let bytes = borsh::to_vec(call).map_err(|e| ExecError::Invalid(format!("encoding a module call: {e}")))?;
            Ok(Some(ModuleCall { sender: evm_address(&sender), call: bytes.into() }.encode_log_data()))
        }
        LogFormat::Own { encode, .. } => Ok(encode(&sender, call, events)),
    }
}

/// A write decided on scratch state: the module's events and the payments it noted.
struct Decided<E> {
    events: Vec<E>,
    payments: Vec<(Address, Address, u128)>,
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
    let earlier = calls_in_logs::<M>(spec, ctx.journal().logs().iter())
        .into_iter()
        .map(|c| (c.sender, c.call))
        .collect::<Vec<_>>();
    let base = match &decoded {
        PrecompileCall::Write { gas, .. } | PrecompileCall::View { gas } => *gas,
    };
    let mut gas = base.saturating_add(replay_gas(earlier.len()));
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
    let mut call = match decoded {
        PrecompileCall::View { .. } => {
            let (out, extra) = match (spec.view)(&scratch, &block.info(), &input)? {
                Ok(answer) => answer,
                Err(reason) => return Ok(revert_msg(gas, &reason, r)),
            };
            let gas = gas.saturating_add(extra);
            if gas > inputs.gas_limit {
                return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
            }
            return Ok(PrecompileOutput::new(gas, Bytes::from(out), r));
        }
        PrecompileCall::Write { call, .. } => call,
    };
    if let Some(prepare) = spec.prepare {
        match prepare(&input, &scratch, &mut call)? {
            Ok(extra) => gas = gas.saturating_add(extra),
            Err(reason) => return Ok(revert_msg(gas, &reason, r)),
        }
        if gas > inputs.gas_limit {
            return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
        }
    }
    let sender = from_evm_address(inputs.caller);
    let decided = match decide::<M, _>(&mut scratch, block, sender, &call)? {
        Ok(d) => d,
        Err(reason) => return Ok(revert_msg(gas, &reason, r)),
    };
    if let Some(result_gas) = spec.result_gas {
        gas = gas.saturating_add(result_gas(&decided.events));
        if gas > inputs.gas_limit {
            return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
        }
    }
    if let Some(refused) = pay::<M, _, _>(ctx, inputs, &decided.payments, gas)? {
        return Ok(refused);
    }
    let out = (spec.write_output)(&input, &decided.events);
    let data = log_of::<M>(spec, sender, &call, &decided.events)?
        .ok_or_else(|| ExecError::Invalid(format!("{} precompile: the call's events have no log", M::NAME)))?;
    ctx.journal_mut().log(Log { address: evm_address(&Address(spec.address)), data });
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

/// Makes the payments a write noted from the caller's EVM balance, as EVM value transfers.
/// `Some(refusal)` if the balance does not cover them (nothing is paid then: a reverting
/// precompile's journal entries are undone).
fn pay<M: Module, CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    payments: &[(Address, Address, u128)],
    gas: u64,
) -> Result<Option<PrecompileOutput>, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    if payments.is_empty() {
        return Ok(None);
    }
    let r = inputs.reservoir;
    let caller = from_evm_address(inputs.caller);
    if let Some((from, _, _)) = payments.iter().find(|(from, _, _)| *from != caller) {
        return Err(ExecError::Invalid(format!(
            "{} precompile: the module noted a payment from {from}, not from the caller {caller}",
            M::NAME
        )));
    }
    let total = payments.iter().try_fold(0u128, |sum, (_, _, amount)| sum.checked_add(*amount));
    let Some(total) = total else {
        return Ok(Some(revert_msg(gas, &format!("{} precompile: the payments overflow", M::NAME), r)));
    };
    let balance = ctx.journal_mut().load_account(inputs.caller)?.data.info.balance;
    if balance < U256::from(total) {
        let msg = format!(
            "{} precompile: insufficient balance for this call's payments: {balance} available, {total} needed",
            M::NAME
        );
        return Ok(Some(revert_msg(gas, &msg, r)));
    }
    for (_, to, amount) in payments {
        if let Some(err) = ctx.journal_mut().transfer(inputs.caller, evm_address(to), U256::from(*amount))? {
            let msg = format!("{} precompile: payment to {to} failed: {err:?}", M::NAME);
            return Ok(Some(revert_msg(gas, &msg, r)));
        }
    }
    Ok(None)
}

/// Applies a call to scratch state the way the final replay will: the other modules' rules on
/// it first, then the module's, as a contract call.
fn decide<M: ModuleExec, R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    block: BlockContext,
    sender: Address,
    call: &M::Call,
) -> Result<Result<Decided<M::Event>, String>, ExecError> {
    let cx = block.contract_call(sender, H256::ZERO);
    if let Err(reason) = crate::modules::check_foreign(o, &cx, M::NAME, call)? {
        return Ok(Err(reason));
    }
    let mut host = ModuleHost::new(o);
    let events = match M::apply(&mut host, &cx, call)? {
        Ok(events) => events,
        Err(reason) => return Ok(Err(reason)),
    };
    let payments = host
        .into_events()
        .into_iter()
        .filter_map(|e| {
            // The host's events are the payments the module made (noted, for a contract call).
            if let Event::Transfer(TransferEvent::Transfer { from, to, amount }) = e {
                Some((from, to, amount))
            } else {
                None
            }
        })
        .collect();
    Ok(Ok(Decided { events, payments }))
}

/// Golden vectors of the precompile log formats: contracts and indexers read these logs, and
/// the node reads its writes back from them, so their bytes are pinned (keccak-256 of the
/// topics and data; the format the first, hand-written precompiles wrote, compared byte for byte
/// with theirs when they were ported), and
/// each must read back as the call it records.
#[cfg(test)]
mod tests {
    use hechain_module::evm::ModulePrecompile;
    use hechain_modules::{copyright, ecert, evidence, trace, voucher};
    use hechain_types::{Codec, Payload};

    use super::*;

    const SENDER: Address = Address([0x11; 20]);
    const OTHER: Address = Address([0x22; 20]);

    fn check<M: ModulePrecompile>(call: M::Call, events: Vec<M::Event>, digest: &str) {
        let spec = M::precompile().expect("precompile");
        let data = log_of::<M>(&spec, SENDER, &call, &events).unwrap().expect("a log");
        let mut bytes: Vec<u8> = data.topics().iter().flat_map(|t| t.0).collect();
        bytes.extend_from_slice(&data.data);
        assert_eq!(revm::primitives::keccak256(&bytes).to_string(), digest, "{} log of {call:?}", M::NAME);
        let log = Log { address: evm_address(&Address(spec.address)), data };
        let back = calls_in_logs::<M>(&spec, std::iter::once(&log));
        assert_eq!(back.len(), 1);
        assert_eq!((back[0].sender, &back[0].call), (SENDER, &call));
    }

    #[test]
    fn evidence_log() {
        let content_hash = H256([1; 32]);
        let meta = evidence::EvidenceMeta {
            title: Some("contract A".into()),
            kind: None,
            owner: Some("org".into()),
            external_ref: None,
        };
        let stored = evidence::EvidenceEvent::Stored { id: 7, content_hash, submitter: SENDER, meta: meta.clone() };
        check::<evidence::EvidenceModule>(
            evidence::EvidenceCall::Put { content_hash, meta },
            vec![stored],
            "0x6cbb1101e70b20879e4bf8d76564cdf47ab222ceeba6f512afebc131d6183e10",
        );
    }

    #[test]
    fn copyright_logs() {
        use copyright::{CopyrightCall as C, CopyrightEvent as E, CopyrightModule as M};
        let content_hash = H256([2; 32]);
        let register =
            C::Register { content_hash, title: "Song".into(), work_type: "music".into(), author: "Li".into() };
        check::<M>(
            register,
            vec![E::Registered { id: 3, content_hash, owner: SENDER }],
            "0x36d62306df2dd6db823fceae8645c31737d0678803c8ca6aaebfde17d61b2b16",
        );
        let transfer = C::Transfer { work_id: 3, to: OTHER };
        check::<M>(
            transfer,
            vec![E::Transferred { id: 3, from: SENDER, to: OTHER }],
            "0x26ee55a96eb7c4c60f2632c670dcda52f0f96c61ea9ba2eba5c7b3a8036481ca",
        );
        let license = C::License {
            work_id: 3,
            licensee: OTHER,
            exclusive: true,
            start_ms: 1_000,
            end_ms: 2_000,
            territory: "CN".into(),
        };
        check::<M>(
            license,
            vec![E::Licensed { id: 3, index: 1, licensee: OTHER, exclusive: true }],
            "0x539ba467bd10425ad50fcf74cdfaf46665e27107a37670fa798028c59d663e36",
        );
    }

    #[test]
    fn voucher_logs() {
        use voucher::{VoucherCall as C, VoucherEvent as E, VoucherModule as M};
        let issue = C::Issue { holder: OTHER, amount: 1_000, maturity_ms: 5_000, reference: H256([3; 32]) };
        let issued = E::Issued { id: 2, issuer: SENDER, holder: OTHER, amount: 1_000, part: 4 };
        check::<M>(issue, vec![issued], "0x2c3c71df9bca8033656706410c4ef409dd70cb6fb004563d03f994b37c8cecf8");
        let outputs =
            vec![voucher::SplitOutput { to: OTHER, amount: 600 }, voucher::SplitOutput { to: SENDER, amount: 400 }];
        let split = E::Split { voucher: 2, part: 4, children: vec![5, 6] };
        check::<M>(
            C::Split { part_id: 4, outputs },
            vec![split],
            "0x6c216515cb9f4f2ff333e998c0d03e84b575da7e1a617609e603385afa8be9bc",
        );
        check::<M>(
            C::Pledge { part_id: 5, bank: OTHER },
            vec![E::Pledged { part: 5, bank: OTHER }],
            "0xe897746b40f752678ee3403daaa0b99ac6b08cf4597b59c5caf2256a37e4fa24",
        );
        check::<M>(
            C::Release { part_id: 5 },
            vec![E::Released { part: 5 }],
            "0x1b9219c84691a01c641d98fa95bbac592fa95e90e428126c9d61a7f79142fa41",
        );
        check::<M>(
            C::Settle { voucher_id: 2 },
            vec![E::Settled { id: 2, paid: 1_000, parts: 2 }],
            "0xa2efb333084c7f2b31856bf3731194e1c8478114ff05039b96352c087300d9b0",
        );
    }

    #[test]
    fn trace_and_ecert_logs_carry_the_payload_encoding() {
        let batch = trace::TraceCall::Batch {
            product: "tea".into(),
            producer_label: "farm".into(),
            attributes: H256([4; 32]),
            metadata: String::new(),
            codes: vec!["A-1".into(), "A-2".into()],
        };
        let registered = trace::TraceModuleEvent::BatchRegistered { batch: 1, producer: SENDER };
        assert_eq!(
            hechain_module::evm::payload_bytes::<trace::TraceModule>(&batch),
            Payload::Trace(batch.clone()).encode()
        );
        check::<trace::TraceModule>(
            batch,
            vec![registered],
            "0x5b1f71a22ee85a85470a91fedeed3b1604f8bf516dca796b40c9607f227aef1a",
        );
        let issue = ecert::EcertCall::Issue {
            cert_type: "license".into(),
            holder: OTHER,
            fields: vec![ecert::FieldCommitment { name: "name".into(), hash: H256([5; 32]) }],
            encrypted_ref: vec![1, 2, 3],
            not_before_ms: 0,
            not_after_ms: 9_000,
        };
        assert_eq!(
            hechain_module::evm::payload_bytes::<ecert::EcertModule>(&issue),
            Payload::Ecert(issue.clone()).encode()
        );
        let issued = ecert::EcertEvent::Issued { id: 5, issuer: SENDER, holder: OTHER };
        check::<ecert::EcertModule>(
            issue,
            vec![issued],
            "0xdc6beacd0872a149b7b1a86cb10311ce91b18d7ade032b7cb98af384b3d0e952",
        );
    }
}
