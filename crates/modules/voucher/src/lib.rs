//! Supply-chain finance receivable vouchers (数字凭证): a core enterprise issues a voucher to a
//! supplier; parts split along the chain of suppliers, are pledged to banks, and are settled at
//! maturity.

#[cfg(feature = "api")]
mod api;
mod calls;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "evm")]
pub mod evm;
pub mod exec;
pub mod keys;
mod record;
mod types;
pub mod views;

pub use calls::{VoucherCall, VoucherEvent};

use hechain_module::exec::{CallContext, Host, ModuleExec, Origin, Outcome, StateError};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use record::{part_text, voucher_text, VoucherRecord};
pub use types::*;

/// The voucher module.
pub struct VoucherModule;

impl Module for VoucherModule {
    const NAME: &'static str = "voucher";
    const WIRE: Wire = Wire::Flat { calls: 5, events: 5 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"vch/"];
    type Call = VoucherCall;
    type Event = VoucherEvent;
    type Record = VoucherRecord;
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
            VoucherCall::Settle { voucher_id } => {
                // A contract's settlement is paid by the EVM from the caller's balance.
                let payment = match cx.origin {
                    Origin::Transaction => exec::Payment::Native,
                    Origin::Contract => exec::Payment::MadeByEvm,
                };
                exec::settle(host, b, s, h, *voucher_id, payment)
            }
        }
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for VoucherModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for VoucherModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for VoucherModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<VoucherCall, VoucherEvent>> {
        Some(evm::spec())
    }
}
