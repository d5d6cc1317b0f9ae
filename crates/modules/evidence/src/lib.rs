//! Evidence (存证): content hashes with descriptive metadata, one record per distinct hash,
//! indexed by id, by hash and by submitter.

mod calls;
pub mod exec;
pub mod keys;
mod types;

pub use calls::{EvidenceCall, EvidenceEvent};
use std::any::Any;

use hechain_module::exec::{BlockInfo, CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use types::{EvidenceMeta, EvidenceRecord};

/// The evidence module.
pub struct EvidenceModule;

impl Module for EvidenceModule {
    const NAME: &'static str = "evidence";
    const WIRE: Wire = Wire::Flat { calls: 1, events: 1 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"evid/"];
    type Call = EvidenceCall;
    type Event = EvidenceEvent;
    type Record = hechain_module::record::NoRecords;
}

impl ModuleCall for EvidenceCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            EvidenceCall::Put { meta, .. } => meta.validate(),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            EvidenceCall::Put { .. } => 0,
        }
    }
}

impl ModuleExec for EvidenceModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &EvidenceCall,
    ) -> Result<Outcome<EvidenceEvent>, StateError> {
        match call {
            EvidenceCall::Put { content_hash, meta } => {
                exec::put(host, cx.block, &cx.sender, content_hash, meta, cx.tx_hash)
            }
        }
    }

    fn genesis() -> Vec<(Vec<u8>, Vec<u8>)> {
        vec![(keys::EVIDENCE_NEXT_ID.to_vec(), 1u64.to_be_bytes().to_vec())]
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
impl hechain_module::api::ModuleApi for EvidenceModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        // Still served by `hechain-rpc`'s own handlers (ported into this crate by the module-framework work, see `docs/architecture.md`).
        Vec::new()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for EvidenceModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<Self::Call, Self::Event>> {
        // Still the node's own precompile in `hechain-execution/src/precompile` (being ported, see `docs/architecture.md`).
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for EvidenceModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self::Call>> {
        // Still the binary's own `hechain evidence` command (being ported, see `docs/architecture.md`).
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hechain_primitives::{Address, H256};

    #[test]
    fn calls_and_events_match_their_type_names() {
        let meta = EvidenceMeta { title: Some("t".into()), ..Default::default() };
        hechain_module::testing::check_enum(&[EvidenceCall::Put { content_hash: H256([2; 32]), meta: meta.clone() }]);
        hechain_module::testing::check_enum(&[EvidenceEvent::Stored {
            id: 1,
            content_hash: H256([2; 32]),
            submitter: Address([1; 20]),
            meta,
        }]);
    }
}
