//! Traceability (溯源, 一物一码): producers register batches with unique item codes; holders
//! append lifecycle events, hand custody over (offer and accept), and producers recall batches.

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

pub use calls::{TraceCall, TraceModuleEvent};

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use record::{batch_text, event_text, history_text, item_text, TraceItemHistory, TraceRecord};
pub use types::*;

/// The traceability module.
pub struct TraceModule;

impl Module for TraceModule {
    const NAME: &'static str = "trace";
    const WIRE: Wire = Wire::Flat { calls: 16, events: 16 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"trace/"];
    type Call = TraceCall;
    type Event = TraceModuleEvent;
    type Record = TraceRecord;
}

impl ModuleCall for TraceCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            TraceCall::Batch { product, producer_label, metadata, codes, .. } => {
                validate_batch(product, producer_label, metadata, codes)
            }
            TraceCall::AddItems { codes, .. }
            | TraceCall::Handover { codes, .. }
            | TraceCall::Accept { codes }
            | TraceCall::Reject { codes }
            | TraceCall::Cancel { codes } => validate_codes(codes, false),
            TraceCall::Event { codes, stage, location, attachments, note, .. } => {
                validate_event(codes, stage, location, attachments, note)
            }
            TraceCall::Authorize { target, .. } | TraceCall::Revoke { target, .. } => validate_target(target),
            TraceCall::Recall { reason, .. } => validate_recall(reason),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            TraceCall::Batch { .. }
            | TraceCall::AddItems { .. }
            | TraceCall::Event { .. }
            | TraceCall::Authorize { .. }
            | TraceCall::Revoke { .. }
            | TraceCall::Handover { .. }
            | TraceCall::Accept { .. }
            | TraceCall::Reject { .. }
            | TraceCall::Cancel { .. }
            | TraceCall::Recall { .. } => 0,
        }
    }
}

impl ModuleExec for TraceModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &TraceCall,
    ) -> Result<Outcome<TraceModuleEvent>, StateError> {
        exec::apply(host, cx.block, &cx.sender, cx.tx_hash, call)
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for TraceModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for TraceModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for TraceModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<TraceCall, TraceModuleEvent>> {
        Some(evm::spec())
    }
}
