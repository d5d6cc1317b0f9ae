//! Native balance transfers: the `transfer` call moves balance between accounts.
//!
//! Accounts (nonce and balance) are shared by every transaction kind, native and Ethereum; this
//! module owns their key space and the transfer call.

mod calls;
pub mod keys;

pub use calls::{TransferCall, TransferEvent};

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError};
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
}

hechain_module::no_interface_layers!(
    TransferModule,
    "Transfers are core: the accounts and transactions routes, a plain value transfer from Solidity, and the `hechain transfer` command."
);
