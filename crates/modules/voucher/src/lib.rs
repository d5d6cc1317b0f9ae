//! Supply-chain finance receivable vouchers (数字凭证): a core enterprise issues a voucher to a
//! supplier; parts split along the chain of suppliers, are pledged to banks, and are settled at
//! maturity.

mod calls;
pub mod exec;
pub mod keys;
mod types;

pub use calls::{VoucherCall, VoucherEvent};
use std::any::Any;

use hechain_module::exec::{BlockInfo, CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use types::*;

/// The voucher module.
pub struct VoucherModule;

impl Module for VoucherModule {
    const NAME: &'static str = "voucher";
    const WIRE: Wire = Wire::Flat { calls: 5, events: 5 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"vch/"];
    type Call = VoucherCall;
    type Event = VoucherEvent;
    type Record = hechain_module::record::NoRecords;
}

impl ModuleCall for VoucherCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            VoucherCall::Issue { amount, .. } => validate_issue(*amount),
            VoucherCall::Split { outputs, .. } => validate_split(outputs),
            VoucherCall::Pledge { .. } | VoucherCall::Release { .. } | VoucherCall::Settle { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            VoucherCall::Issue { .. }
            | VoucherCall::Split { .. }
            | VoucherCall::Pledge { .. }
            | VoucherCall::Release { .. }
            | VoucherCall::Settle { .. } => 0,
        }
    }
}

impl ModuleExec for VoucherModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &VoucherCall,
    ) -> Result<Outcome<VoucherEvent>, StateError> {
        let (b, s, h) = (cx.block, &cx.sender, cx.tx_hash);
        match call {
            VoucherCall::Issue { holder, amount, maturity_ms, reference } => {
                exec::issue(host, b, s, h, holder, *amount, *maturity_ms, reference)
            }
            VoucherCall::Split { part_id, outputs } => exec::split(host, b, s, h, *part_id, outputs),
            VoucherCall::Pledge { part_id, bank } => exec::pledge(host, b, s, *part_id, bank),
            VoucherCall::Release { part_id } => exec::release(host, s, *part_id),
            VoucherCall::Settle { voucher_id } => exec::settle(host, b, s, h, *voucher_id, exec::Payment::Native),
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
impl hechain_module::api::ModuleApi for VoucherModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        // Still served by `hechain-rpc`'s own handlers (ported into this crate by the module-framework work, see `docs/architecture.md`).
        Vec::new()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for VoucherModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<Self::Call, Self::Event>> {
        // Still the node's own precompile in `hechain-execution/src/precompile` (being ported, see `docs/architecture.md`).
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for VoucherModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self::Call>> {
        // Still the binary's own `hechain voucher` command (being ported, see `docs/architecture.md`).
        None
    }
}
