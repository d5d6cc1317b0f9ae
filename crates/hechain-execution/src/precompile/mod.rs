//! Native modules callable from Solidity, at fixed precompile addresses.
//!
//! Every listed module with a precompile (`hechain_module::evm::ModulePrecompile`) is run by
//! `module::run` and its writes applied after the transaction by
//! [`apply_module_logs`]; the modules own their addresses, ABI, gas and log formats
//! (`crates/modules/<name>/src/evm.rs`):
//!
//! | address | module | interface |
//! |---|---|---|
//! | `0x0000000000000000000000000000000000001000` | evidence (存证) | `contracts/IHechainEvidence.sol` |
//! | `0x0000000000000000000000000000000000001001` | copyright (版权) | `contracts/IHechainCopyright.sol` |
//! | `0x0000000000000000000000000000000000001002` | receivable vouchers (数字凭证) | `contracts/IHechainVoucher.sol` |
//! | `0x0000000000000000000000000000000000001003` | traceability (溯源) | `contracts/IHechainTrace.sol` |
//! | `0x0000000000000000000000000000000000001004` | e-certificates (电子证照) | `contracts/IHechainCertificates.sol` |
//! | `0x0000000000000000000000000000000000001005` | e-invoices (电子发票) | `contracts/IHechainInvoice.sol` |
//! | `0x0000000000000000000000000000000000001006` | trade documents (贸易单据) | `contracts/IHechainTradeDocs.sol` |
//! | `0x0000000000000000000000000000000000001007` | governance votes (联盟治理) | `contracts/IHechainGovernance.sol` |
//! | `0x0000000000000000000000000000000000001008` | cross-chain packets of a contract's port (跨链) | `contracts/IHechainCrosschain.sol` |
//!
//! This file is what the node adds around them: the provider revm asks for every call frame
//! (Ethereum's precompiles, governance's frozen-contract check, the module precompiles), and
//! the governance check of a write.

use alloy_sol_types::SolError;
use hechain_types::{Address, Event, H256};
use revm::context::{Cfg, ContextError, ContextTr};
use revm::database_interface::WrapDatabaseRef;
use revm::handler::{precompile_output_to_interpreter_result, EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, InterpreterResult};
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::{hardfork::SpecId, Address as EvmAddress, AddressSet, Bytes, Log};

use crate::state::{Overlay, StateRead};
use crate::{BlockContext, ExecError};

pub(crate) mod module;

/// Address of the evidence precompile (the module's, restated for callers of this crate).
pub const EVIDENCE_ADDRESS: Address = Address(hechain_modules::evidence::evm::ADDRESS);
/// Address of the copyright precompile.
pub const COPYRIGHT_ADDRESS: Address = Address(hechain_modules::copyright::evm::ADDRESS);
/// Address of the voucher precompile.
pub const VOUCHER_ADDRESS: Address = Address(hechain_modules::voucher::evm::ADDRESS);
/// Address of the traceability precompile.
pub const TRACE_ADDRESS: Address = Address(hechain_modules::trace::evm::ADDRESS);
/// Address of the e-certificate and data-sharing precompile.
pub const ECERT_ADDRESS: Address = Address(hechain_modules::ecert::evm::ADDRESS);
/// Address that native governance transactions show as their `to` over JSON-RPC. Governance is
/// not callable from Solidity (proposals and votes are signed by committee members' accounts);
/// nothing runs there.
pub const GOVERNANCE_ADDRESS: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x10]);
/// The address a native module's transactions show as their `to` over JSON-RPC: its precompile,
/// or [`GOVERNANCE_ADDRESS`] for governance; `None` for `transfer`, whose `to` is the recipient.
pub fn module_address(module: &str) -> Option<Address> {
    match module {
        "governance" => Some(GOVERNANCE_ADDRESS),
        m => crate::modules::precompile_addresses().iter().find(|(name, _)| *name == m).map(|(_, a)| *a),
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
        for (_, a) in crate::modules::precompile_addresses() {
            warm.insert(evm_address(a));
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
        let Some((_, result)) = crate::modules::run_precompile(ctx, inputs, self.block) else {
            return <EthPrecompiles as PrecompileProvider<CTX>>::run(&mut self.eth, ctx, inputs);
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

pub(crate) fn revert_msg(gas: u64, msg: &str, reservoir: u64) -> PrecompileOutput {
    let data = alloy_sol_types::Revert::from(msg.to_string()).abi_encode();
    PrecompileOutput::revert(gas, Bytes::from(data), reservoir)
}

/// Applies what a successful transaction did through every native-module precompile (its
/// surviving logs), module by module, and returns the modules' events.
pub fn apply_module_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    crate::modules::apply_precompile_logs(o, ctx, logs, tx_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Modules that contracts do not call through a precompile: native transfers are the EVM's
    /// own value transfers; HTLC locks are payments that transactions make (on EVM chains,
    /// `contracts/HashedTimelock.sol` is the same lock as a contract); confidential moves and
    /// anonymous votes carry proofs and signatures that only a wallet can make.
    const WITHOUT_PRECOMPILE: &[&str] = &["transfer", "htlc", "confidential", "anon"];

    #[test]
    fn every_module_with_a_precompile_has_its_own_address() {
        let mut seen = Vec::new();
        for &m in hechain_types::MODULES {
            match module_address(m) {
                None => assert!(WITHOUT_PRECOMPILE.contains(&m), "{m} has no precompile address"),
                Some(a) => {
                    assert!(!seen.contains(&a), "{m} shares an address");
                    seen.push(a);
                }
            }
        }
        assert_eq!(seen.len(), hechain_types::tx::MODULES.len() - WITHOUT_PRECOMPILE.len());
        assert!(module_address("nonsense").is_none());
    }
}
