//! Consortium governance (联盟治理): the committee, account roles, permissions, frozen accounts,
//! chain parameters and membership, and the proposals and votes by which members change them.

mod action;
#[cfg(feature = "api")]
mod api;
mod calls;
pub mod chain;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "evm")]
pub mod evm;
pub mod exec;
pub mod keys;
mod safeguards;
mod types;
pub mod views;

pub use action::*;
pub use calls::{GovernanceCall, GovernanceEvent};
pub use chain::*;

use hechain_module::exec::{BlockInfo, CallContext, Host, ModuleExec, Outcome, StateError};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use safeguards::*;
pub use types::*;

/// The governance module.
pub struct GovernanceModule;

impl Module for GovernanceModule {
    const NAME: &'static str = "governance";
    const WIRE: Wire = Wire::Flat { calls: 26, events: 24 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"gov/"];
    type Call = GovernanceCall;
    type Event = GovernanceEvent;
    type Record = hechain_module::record::NoRecords;
}

impl ModuleCall for GovernanceCall {
    fn validate(&self, cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            GovernanceCall::Propose { action, description } => {
                validate_description(description)?;
                action.validate(cx)
            }
            GovernanceCall::Vote { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            GovernanceCall::Propose { .. } | GovernanceCall::Vote { .. } => 0,
        }
    }

    /// Governance is exempt from the minimum fee, so that no fee setting can lock the committee
    /// out (only members may send it: `Policy::check_native`).
    fn fee_exempt(&self) -> bool {
        match self {
            GovernanceCall::Propose { .. } | GovernanceCall::Vote { .. } => true,
        }
    }
}

impl ModuleExec for GovernanceModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &GovernanceCall,
    ) -> Result<Outcome<GovernanceEvent>, StateError> {
        match call {
            GovernanceCall::Propose { action, description } => {
                exec::propose(host, &cx.validate, cx.block, &cx.sender, cx.tx_hash, action, description)
            }
            GovernanceCall::Vote { proposal, approve } => {
                exec::vote(host, cx.block, &cx.sender, cx.tx_hash, *proposal, *approve)
            }
        }
    }

    fn end_block<H: Host + ?Sized>(host: &mut H, block: &BlockInfo) -> Result<(), StateError> {
        exec::end_block(host, *block)
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for GovernanceModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<GovernanceCall, GovernanceEvent>> {
        Some(evm::spec())
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for GovernanceModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for GovernanceModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}
