//! Native modules callable from Solidity, at fixed precompile addresses.
//!
//! | address | module | interface |
//! |---|---|---|
//! | `0x0000000000000000000000000000000000001000` | evidence (存证) | `contracts/IHechainEvidence.sol` |
//! | `0x0000000000000000000000000000000000001001` | copyright (版权) | `contracts/IHechainCopyright.sol` ([`copyright`]) |
//! | `0x0000000000000000000000000000000000001002` | receivable vouchers (数字凭证) | `contracts/IHechainVoucher.sol` ([`voucher`]) |
//! | `0x0000000000000000000000000000000000001003` | traceability (溯源) | `contracts/IHechainTrace.sol` ([`trace`]) |
//! | `0x0000000000000000000000000000000000001004` | e-certificates (电子证照) | `contracts/IHechainCertificates.sol` ([`ecert`]) |
//!
//! A precompile cannot write native state directly: a frame that calls it may still revert.
//! So `store` emits its `EvidenceStored` log through the EVM journal (which drops the logs of
//! reverted frames) and returns the id the record will get; after the transaction succeeds the
//! executor applies one native evidence put per surviving log, in order ([`apply_evidence_logs`]).
//! Reads (`exists`, `get`) see committed records, earlier transactions of the block, and the
//! records this transaction has stored so far. The other modules' precompiles share the
//! generalised form of this in [`replay`]; after a successful transaction the executor applies
//! every module's surviving logs with [`apply_module_logs`].

use alloy_sol_types::{sol, SolCall, SolError, SolEvent, SolInterface};
use hechain_types::{Address, Event, EvidenceMeta, H256};
use revm::context::{Cfg, ContextError, ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::handler::{precompile_output_to_interpreter_result, EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, InterpreterResult};
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{hardfork::SpecId, Address as EvmAddress, AddressSet, Bytes, Log};

use crate::state::{Overlay, StateRead};
use crate::{evidence, keys, BlockContext, ExecError};

pub mod copyright;
pub mod ecert;
pub(crate) mod module;
mod replay;
pub mod trace;
pub mod voucher;

sol! {
    /// The evidence (存证) module as seen from Solidity (the same interface ships as
    /// `contracts/IHechainEvidence.sol`).
    interface IHechainEvidence {
        /// A record was stored; `submitter` is the account or contract that called `store`.
        event EvidenceStored(uint64 indexed id, bytes32 indexed contentHash, address indexed submitter, string title, string kind, string owner, string externalRef);
        /// Stores `contentHash` with its metadata; reverts if the hash is already stored or a
        /// field is longer than 512 bytes. Returns the record id.
        function store(bytes32 contentHash, string title, string kind, string owner, string externalRef) external returns (uint64 id);
        /// Whether `contentHash` is stored.
        function exists(bytes32 contentHash) external view returns (bool);
        /// The record of `contentHash`; reverts if there is none.
        function get(bytes32 contentHash) external view returns (uint64 id, address submitter, uint64 height, uint64 timestampMs, string title, string kind, string owner, string externalRef);
    }
}

/// Address of the evidence precompile.
pub const EVIDENCE_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00]);
/// Address of the voucher precompile (native voucher transactions show it as their `to` over
/// JSON-RPC).
pub const VOUCHER_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x02]);
/// Address that native governance transactions show as their `to` over JSON-RPC. Governance is
/// not callable from Solidity (proposals and votes are signed by committee members' accounts);
/// nothing runs there.
pub const GOVERNANCE_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x10]);
/// Address of the e-certificate and data-sharing precompile (native e-certificate and
/// data-sharing transactions show it as their `to` over JSON-RPC).
pub const ECERT_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x04]);
/// Address of the copyright precompile (native copyright transactions show it as their `to`
/// over JSON-RPC).
pub const COPYRIGHT_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01]);
/// Address of the traceability precompile (`contracts/IHechainTrace.sol`); native
/// traceability transactions show it as their `to` over JSON-RPC.
pub const TRACE_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x03]);

/// Gas of `store`: the base covers the four native state writes (like four fresh SSTOREs),
/// plus calldata-like cost per metadata byte.
pub const STORE_GAS: u64 = 80_000;
/// Gas per byte of metadata stored.
pub const STORE_GAS_PER_BYTE: u64 = 16;
/// Gas of `exists`.
pub const EXISTS_GAS: u64 = 2_600;
/// Gas of `get`.
pub const GET_GAS: u64 = 5_000;

/// The native modules callable from Solidity and their precompile addresses (the module names
/// are [`hechain_types::tx::MODULES`]' names, which permission settings use).
pub const MODULE_PRECOMPILES: [(&str, Address); 5] = [
    ("evidence", EVIDENCE_ADDRESS),
    ("copyright", COPYRIGHT_ADDRESS),
    ("voucher", VOUCHER_ADDRESS),
    ("trace", TRACE_ADDRESS),
    ("ecert", ECERT_ADDRESS),
];

/// The address a native module's transactions show as their `to` over JSON-RPC: its precompile,
/// or [`GOVERNANCE_ADDRESS`] for governance; `None` for `transfer`, whose `to` is the recipient.
pub fn module_address(module: &str) -> Option<Address> {
    match module {
        "governance" => Some(GOVERNANCE_ADDRESS),
        m => MODULE_PRECOMPILES
            .iter()
            .copied()
            .chain(crate::modules::precompile_addresses())
            .find(|(name, _)| *name == m)
            .map(|(_, a)| a),
    }
}

/// Ethereum's precompiles plus hechain's native-module precompiles.
#[derive(Debug, Clone)]
pub struct ChainPrecompiles {
    eth: EthPrecompiles,
    warm: AddressSet,
    /// The block being executed (native rules use its millisecond time).
    block: BlockContext,
    /// Whether governance has frozen anything: then every call frame's target is checked.
    any_frozen: bool,
}

impl ChainPrecompiles {
    /// The set for a hardfork, in the block described by `block`.
    pub fn new(spec: SpecId, block: BlockContext, any_frozen: bool) -> Self {
        let eth = EthPrecompiles::new(spec);
        let mut warm = eth.warm_addresses().clone();
        for (_, a) in MODULE_PRECOMPILES.into_iter().chain(crate::modules::precompile_addresses()) {
            warm.insert(evm_address(&a));
        }
        Self { eth, warm, block, any_frozen }
    }
}

pub(crate) fn evm_address(a: &Address) -> EvmAddress {
    EvmAddress::from(a.0)
}

pub(crate) fn from_evm_address(a: EvmAddress) -> Address {
    Address(a.into_array())
}

impl<CTX, D> PrecompileProvider<CTX> for ChainPrecompiles
where
    CTX: ContextTr<Cfg: Cfg<Spec = SpecId>, Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: SpecId) -> bool {
        let changed = <EthPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.eth, spec);
        if changed {
            *self = Self::new(spec, self.block, self.any_frozen);
        }
        changed
    }

    fn run(&mut self, ctx: &mut CTX, inputs: &CallInputs) -> Result<Option<InterpreterResult>, String> {
        // revm asks the precompile provider first for every call frame: a frozen contract is
        // refused here however it is reached (a top-level call is refused before execution).
        if self.any_frozen {
            let db = &ctx.db_ref().0;
            let target = from_evm_address(inputs.target_address);
            let code = from_evm_address(inputs.bytecode_address);
            let out = match crate::governance::Policy::check_call_frame(db, &target, &code) {
                Ok(Ok(())) => None,
                Ok(Err(reason)) => Some(revert_msg(0, &reason, inputs.reservoir)),
                Err(e) => {
                    *ctx.error() = Err(ContextError::Db(e.into()));
                    Some(PrecompileOutput::halt(
                        PrecompileHalt::other_static("native state unavailable"),
                        inputs.reservoir,
                    ))
                }
            };
            if let Some(out) = out {
                return Ok(Some(precompile_output_to_interpreter_result(out, inputs.gas_limit)));
            }
        }
        let result = if let Some((_, result)) = crate::modules::run_precompile(ctx, inputs, self.block) {
            // A module built on the module interface (it checks permissions for its writes).
            result
        } else {
            let Some((module, _)) = MODULE_PRECOMPILES.iter().find(|(_, a)| evm_address(a) == inputs.bytecode_address)
            else {
                return <EthPrecompiles as PrecompileProvider<CTX>>::run(&mut self.eth, ctx, inputs);
            };
            let module = *module;
            match permitted(ctx, inputs, module) {
                Ok(Some(refused)) => Ok(refused),
                Err(e) => Err(e),
                Ok(None) => match module {
                    "evidence" => evidence_precompile(ctx, inputs),
                    "copyright" => copyright::run(ctx, inputs, self.block),
                    "voucher" => voucher::run(ctx, inputs, self.block),
                    "ecert" => ecert::run(ctx, inputs, self.block),
                    "trace" => trace::run(ctx, inputs, self.block),
                    other => Err(ExecError::Invalid(format!("no precompile runs module {other}"))),
                },
            }
        };
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                // A storage failure aborts the whole transaction (and block) with this error.
                *ctx.error() = Err(ContextError::Db(e));
                PrecompileOutput::halt(PrecompileHalt::other_static("native state unavailable"), inputs.reservoir)
            }
        };
        Ok(Some(precompile_output_to_interpreter_result(out, inputs.gas_limit)))
    }

    fn warm_addresses(&self) -> &AddressSet {
        &self.warm
    }
}

/// The governance check of a call that may write through a module's precompile (any call but a
/// static one, which can only read): the caller — an account or a contract — must not be frozen
/// and must be allowed to use the module. `Some(refusal)` if it is not.
pub(crate) fn permitted<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    module: &str,
) -> Result<Option<PrecompileOutput>, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    if inputs.is_static {
        return Ok(None);
    }
    let db = &ctx.db_ref().0;
    let policy = crate::governance::Policy::load(db)?;
    Ok(match policy.check_module_call(db, &from_evm_address(inputs.caller), module)? {
        Ok(()) => None,
        Err(reason) => Some(revert_msg(0, &reason, inputs.reservoir)),
    })
}

/// Decodes a call to a native-module precompile (`module` names it in errors); the refusal to
/// return when it is a DELEGATECALL/CALLCODE or does not decode.
pub(crate) fn decode_call<C: SolInterface, CTX: ContextTr>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    module: &str,
) -> Result<C, PrecompileOutput> {
    let r = inputs.reservoir;
    if inputs.target_address != inputs.bytecode_address {
        return Err(revert_msg(0, &format!("{module} precompile: DELEGATECALL and CALLCODE are not supported"), r));
    }
    let input = inputs.input.bytes(ctx);
    C::abi_decode(&input).map_err(|e| revert_msg(0, &format!("{module} precompile: invalid call: {e}"), r))
}

pub(crate) fn revert_msg(gas: u64, msg: &str, reservoir: u64) -> PrecompileOutput {
    let data = alloy_sol_types::Revert::from(msg.to_string()).abi_encode();
    PrecompileOutput::revert(gas, Bytes::from(data), reservoir)
}

/// The records stored so far by the current transaction (logs of frames that did not revert).
fn pending_puts<CTX: ContextTr>(ctx: &CTX) -> Vec<IHechainEvidence::EvidenceStored> {
    let addr = evm_address(&EVIDENCE_ADDRESS);
    ctx.journal()
        .logs()
        .iter()
        .filter(|l| l.address == addr)
        .filter_map(|l| IHechainEvidence::EvidenceStored::decode_log_data(&l.data).ok())
        .collect()
}

fn evidence_precompile<CTX, D>(ctx: &mut CTX, inputs: &CallInputs) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    let r = inputs.reservoir;
    let call = match decode_call::<IHechainEvidence::IHechainEvidenceCalls, _>(ctx, inputs, "evidence") {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    match call {
        IHechainEvidence::IHechainEvidenceCalls::store(c) => {
            let meta = EvidenceMeta {
                title: non_empty(c.title),
                kind: non_empty(c.kind),
                owner: non_empty(c.owner),
                external_ref: non_empty(c.externalRef),
            };
            let meta_len = [&meta.title, &meta.kind, &meta.owner, &meta.external_ref]
                .iter()
                .map(|f| f.as_ref().map_or(0, |s| s.len() as u64))
                .sum::<u64>();
            let gas = STORE_GAS + STORE_GAS_PER_BYTE * meta_len;
            if gas > inputs.gas_limit {
                return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
            }
            if inputs.is_static {
                return Ok(revert_msg(gas, "evidence precompile: store is not allowed in a static call", r));
            }
            if let Err(e) = meta.validate() {
                return Ok(revert_msg(gas, &e.to_string(), r));
            }
            let content_hash = H256(c.contentHash.0);
            let pending = pending_puts(ctx);
            let db = &ctx.db_ref().0;
            if let Some(id) = evidence::id_by_hash(db, &content_hash)? {
                return Ok(revert_msg(
                    gas,
                    &format!("evidence with content hash {content_hash} already exists: id {id}"),
                    r,
                ));
            }
            if let Some(p) = pending.iter().find(|p| p.contentHash == c.contentHash) {
                return Ok(revert_msg(
                    gas,
                    &format!("evidence with content hash {content_hash} already exists: id {}", p.id),
                    r,
                ));
            }
            let id = evidence::next_id(db)? + pending.len() as u64;
            let event = IHechainEvidence::EvidenceStored {
                id,
                contentHash: c.contentHash,
                submitter: inputs.caller,
                title: meta.title.clone().unwrap_or_default(),
                kind: meta.kind.clone().unwrap_or_default(),
                owner: meta.owner.clone().unwrap_or_default(),
                externalRef: meta.external_ref.clone().unwrap_or_default(),
            };
            ctx.journal_mut().log(Log { address: evm_address(&EVIDENCE_ADDRESS), data: event.encode_log_data() });
            let out = IHechainEvidence::storeCall::abi_encode_returns(&id);
            Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
        }
        IHechainEvidence::IHechainEvidenceCalls::exists(c) => {
            if EXISTS_GAS > inputs.gas_limit {
                return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
            }
            let found = pending_puts(ctx).iter().any(|p| p.contentHash == c.contentHash)
                || evidence::id_by_hash(&ctx.db_ref().0, &H256(c.contentHash.0))?.is_some();
            let out = IHechainEvidence::existsCall::abi_encode_returns(&found);
            Ok(PrecompileOutput::new(EXISTS_GAS, Bytes::from(out), r))
        }
        IHechainEvidence::IHechainEvidenceCalls::get(c) => {
            if GET_GAS > inputs.gas_limit {
                return Ok(PrecompileOutput::halt(PrecompileHalt::OutOfGas, r));
            }
            let content_hash = H256(c.contentHash.0);
            let ret = if let Some(p) = pending_puts(ctx).into_iter().find(|p| p.contentHash == c.contentHash) {
                let block = ctx.block();
                IHechainEvidence::getReturn {
                    id: p.id,
                    submitter: p.submitter,
                    height: revm::context::Block::number(block).saturating_to(),
                    timestampMs: revm::context::Block::timestamp(block).saturating_to::<u64>().saturating_mul(1000),
                    title: p.title,
                    kind: p.kind,
                    owner: p.owner,
                    externalRef: p.externalRef,
                }
            } else {
                let db = &ctx.db_ref().0;
                let Some(id) = evidence::id_by_hash(db, &content_hash)? else {
                    return Ok(revert_msg(GET_GAS, &format!("no evidence with content hash {content_hash}"), r));
                };
                let rec = evidence::record(db, id)?.ok_or_else(|| ExecError::Corrupt {
                    key: crate::hex_key(&keys::evidence_record(id)),
                    reason: "indexed record missing".into(),
                })?;
                IHechainEvidence::getReturn {
                    id: rec.id,
                    submitter: evm_address(&rec.submitter),
                    height: rec.height,
                    timestampMs: rec.timestamp_ms,
                    title: rec.meta.title.unwrap_or_default(),
                    kind: rec.meta.kind.unwrap_or_default(),
                    owner: rec.meta.owner.unwrap_or_default(),
                    externalRef: rec.meta.external_ref.unwrap_or_default(),
                }
            };
            let out = IHechainEvidence::getCall::abi_encode_returns(&ret);
            Ok(PrecompileOutput::new(GET_GAS, Bytes::from(out), r))
        }
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Applies the evidence records a successful transaction stored through the precompile (its
/// surviving `EvidenceStored` logs, in order) as native evidence puts, and returns their events.
pub fn apply_evidence_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    let addr = evm_address(&EVIDENCE_ADDRESS);
    let mut events = Vec::new();
    for log in logs.iter().filter(|l| l.address == addr) {
        let Ok(e) = IHechainEvidence::EvidenceStored::decode_log_data(&log.data) else { continue };
        let meta = EvidenceMeta {
            title: non_empty(e.title),
            kind: non_empty(e.kind),
            owner: non_empty(e.owner),
            external_ref: non_empty(e.externalRef),
        };
        let submitter = Address(e.submitter.into_array());
        let put = |h: &mut crate::state::ModuleHost<'_, '_, R>| {
            evidence::put(h, ctx.info(), &submitter, &H256(e.contentHash.0), &meta, tx_hash)
        };
        match crate::state::run_on_host(o, Event::Evidence, put)? {
            Ok(mut ev) => {
                if !matches!(ev.first(), Some(Event::Evidence(hechain_types::EvidenceEvent::Stored { id, .. })) if *id == e.id)
                {
                    return Err(ExecError::Invalid(format!(
                        "evidence precompile promised id {} but the module assigned another",
                        e.id
                    )));
                }
                events.append(&mut ev);
            }
            Err(reason) => {
                return Err(ExecError::Invalid(format!(
                    "evidence precompile accepted a record the module refuses: {reason}"
                )))
            }
        }
    }
    Ok(events)
}

/// Applies what a successful transaction did through every native-module precompile (its
/// surviving logs), module by module, and returns the modules' events.
pub fn apply_module_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    let mut events = apply_evidence_logs(o, ctx, logs, tx_hash)?;
    events.extend(copyright::apply_copyright_logs(o, ctx, logs, tx_hash)?);
    events.extend(voucher::apply_voucher_logs(o, ctx, logs, tx_hash)?);
    events.extend(trace::apply_trace_logs(o, ctx, logs, tx_hash)?);
    events.extend(ecert::apply_ecert_logs(o, ctx, logs, tx_hash)?);
    events.extend(crate::modules::apply_precompile_logs(o, ctx, logs, tx_hash)?);
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_but_transfer_has_its_own_address() {
        let mut seen = Vec::new();
        for &m in hechain_types::MODULES {
            match module_address(m) {
                None => assert_eq!(m, "transfer"),
                Some(a) => {
                    assert!(!seen.contains(&a), "{m} shares an address");
                    seen.push(a);
                }
            }
        }
        assert_eq!(seen.len(), hechain_types::tx::MODULES.len() - 1);
        assert!(module_address("nonsense").is_none());
    }
}
