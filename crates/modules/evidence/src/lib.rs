//! Evidence (存证): content hashes with descriptive metadata, one record per distinct hash,
//! indexed by id, by hash and by submitter.

#[cfg(feature = "api")]
mod api;
mod calls;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "evm")]
pub mod evm;
pub mod exec;
pub mod keys;
mod types;
pub mod views;

pub use calls::{EvidenceCall, EvidenceEvent};

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError};
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

    fn pool_key(&self) -> Option<hechain_module::PoolKey> {
        match self {
            EvidenceCall::Put { content_hash, .. } => Some(hechain_module::PoolKey {
                key: content_hash.0.to_vec(),
                code: "evidence_exists",
                what: format!("evidence with content hash {content_hash}"),
            }),
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

    fn admit(
        view: &dyn hechain_module::exec::StateView,
        call: &EvidenceCall,
    ) -> Result<Result<(), hechain_module::Refusal>, StateError> {
        match call {
            EvidenceCall::Put { content_hash, .. } => Ok(match exec::existing(view, content_hash)? {
                Some(original) => Err(hechain_module::Refusal {
                    code: "evidence_exists",
                    message: exec::duplicate_message(&original),
                }),
                None => Ok(()),
            }),
        }
    }

    fn genesis() -> Vec<(Vec<u8>, Vec<u8>)> {
        vec![(keys::EVIDENCE_NEXT_ID.to_vec(), 1u64.to_be_bytes().to_vec())]
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for EvidenceModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for EvidenceModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for EvidenceModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<EvidenceCall, EvidenceEvent>> {
        Some(evm::spec())
    }
}
