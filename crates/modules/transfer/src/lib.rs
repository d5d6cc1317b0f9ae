//! Native balance transfers: the `transfer` call moves balance between accounts.
//!
//! Accounts (nonce and balance) are shared by every transaction kind, native and Ethereum; this
//! module owns their key space and the transfer call.

mod calls;
pub mod keys;

pub use calls::{TransferCall, TransferEvent};
use std::any::Any;

use hechain_module::exec::{BlockInfo, CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};

/// The transfer module.
pub struct TransferModule;

impl Module for TransferModule {
    const NAME: &'static str = "transfer";
    const WIRE: Wire = Wire::Flat { calls: 0, events: 0 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"acct/"];
    type Call = TransferCall;
    type Event = TransferEvent;
    type Record = hechain_module::record::NoRecords;
}

impl ModuleCall for TransferCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            TransferCall::Transfer { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            TransferCall::Transfer { amount, .. } => *amount,
        }
    }
}

impl ModuleExec for TransferModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &TransferCall,
    ) -> Result<Outcome<TransferEvent>, StateError> {
        match call {
            TransferCall::Transfer { to, amount } => {
                // The host moves the balance and records the transfer event.
                Ok(host.transfer(&cx.sender, to, *amount)?.map(|()| Vec::new()))
            }
        }
    }

    fn genesis() -> Vec<(Vec<u8>, Vec<u8>)> {
        Vec::new()
    }

    fn end_block<H: Host + ?Sized>(host: &mut H, _block: &BlockInfo) -> Result<(), StateError> {
        let _ = host;
        Ok(())
    }

    fn check_foreign_call(
        _view: &dyn StateView,
        _cx: &CallContext,
        _module: &'static str,
        _call: &dyn Any,
    ) -> Result<Result<(), String>, StateError> {
        // No rule on other modules' calls.
        Ok(Ok(()))
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for TransferModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        // Accounts and transfers are served by the node's core routes (`/api/v1/accounts`, `/api/v1/transactions`).
        Vec::new()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for TransferModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<Self::Call, Self::Event>> {
        // A transfer from Solidity is a plain value transfer: no precompile.
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for TransferModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self::Call>> {
        // Transfers are the core `hechain transfer` command.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hechain_primitives::Address;

    #[test]
    fn calls_and_events_match_their_type_names() {
        let a = Address([1; 20]);
        hechain_module::testing::check_enum(&[TransferCall::Transfer { to: a, amount: u128::MAX }]);
        hechain_module::testing::check_enum(&[TransferEvent::Transfer { from: a, to: a, amount: 5 }]);
    }
}
