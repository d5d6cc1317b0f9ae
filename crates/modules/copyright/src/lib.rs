//! Copyright registration (版权): works registered once per content hash, ownership transfers,
//! and licenses granted by the owner for a term and a territory.

mod calls;
pub mod exec;
pub mod keys;
mod types;

pub use calls::{CopyrightCall, CopyrightEvent};
use std::any::Any;

use hechain_module::exec::{BlockInfo, CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use types::*;

/// The copyright module.
pub struct CopyrightModule;

impl Module for CopyrightModule {
    const NAME: &'static str = "copyright";
    const WIRE: Wire = Wire::Flat { calls: 2, events: 2 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"copy/"];
    type Call = CopyrightCall;
    type Event = CopyrightEvent;
    type Record = hechain_module::record::NoRecords;
}

impl ModuleCall for CopyrightCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            CopyrightCall::Register { title, work_type, author, .. } => validate_registration(title, work_type, author),
            CopyrightCall::Transfer { .. } => Ok(()),
            CopyrightCall::License { start_ms, end_ms, territory, .. } => {
                validate_license(*start_ms, *end_ms, territory)
            }
        }
    }

    fn spends(&self) -> u128 {
        match self {
            CopyrightCall::Register { .. } | CopyrightCall::Transfer { .. } | CopyrightCall::License { .. } => 0,
        }
    }
}

impl ModuleExec for CopyrightModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &CopyrightCall,
    ) -> Result<Outcome<CopyrightEvent>, StateError> {
        let (b, s, h) = (cx.block, &cx.sender, cx.tx_hash);
        match call {
            CopyrightCall::Register { content_hash, title, work_type, author } => {
                exec::register(host, b, s, h, content_hash, title, work_type, author)
            }
            CopyrightCall::Transfer { work_id, to } => exec::transfer(host, b, s, h, *work_id, to),
            CopyrightCall::License { work_id, licensee, exclusive, start_ms, end_ms, territory } => {
                exec::grant(host, b, s, h, *work_id, licensee, *exclusive, *start_ms, *end_ms, territory)
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
impl hechain_module::api::ModuleApi for CopyrightModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        // Still served by `hechain-rpc`'s own handlers (ported into this crate by the module-framework work, see `docs/architecture.md`).
        Vec::new()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for CopyrightModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<Self::Call, Self::Event>> {
        // Still the node's own precompile in `hechain-execution/src/precompile` (being ported, see `docs/architecture.md`).
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for CopyrightModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self::Call>> {
        // Still the binary's own `hechain copyright` command (being ported, see `docs/architecture.md`).
        None
    }
}
