//! E-certificates and authorised data sharing (电子证照 / 数据共享): agencies issue and revoke
//! certificates committed by field hashes; holders register datasets and grant organisations
//! time-limited access; every use is logged per subject.

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

pub use calls::{EcertCall, EcertEvent};

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError};
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
pub use record::{dataset_text, ecert_text, grant_text, EcertRecord};
pub use types::*;

/// The e-certificate module.
pub struct EcertModule;

impl Module for EcertModule {
    const NAME: &'static str = "ecert";
    const WIRE: Wire = Wire::Flat { calls: 10, events: 10 };
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"ecert/"];
    type Call = EcertCall;
    type Event = EcertEvent;
    type Record = EcertRecord;
}

impl ModuleCall for EcertCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            EcertCall::Issue { cert_type, fields, encrypted_ref, not_before_ms, not_after_ms, .. } => {
                validate_issue(cert_type, fields, encrypted_ref, *not_before_ms, *not_after_ms)
            }
            EcertCall::Revoke { reason, .. } => validate_revoke(reason),
            EcertCall::DatasetRegister { encrypted_ref, description, .. } => {
                validate_dataset(encrypted_ref, description)
            }
            EcertCall::DataGrant { org, purpose, .. } => validate_grant(org, purpose),
            EcertCall::DataGrantRevoke { .. } => Ok(()),
            EcertCall::DataAccess { purpose, .. } => validate_access(purpose),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            EcertCall::Issue { .. }
            | EcertCall::Revoke { .. }
            | EcertCall::DatasetRegister { .. }
            | EcertCall::DataGrant { .. }
            | EcertCall::DataGrantRevoke { .. }
            | EcertCall::DataAccess { .. } => 0,
        }
    }
}

impl ModuleExec for EcertModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &EcertCall,
    ) -> Result<Outcome<EcertEvent>, StateError> {
        exec::apply(host, cx.block, &cx.sender, cx.tx_hash, call)
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for EcertModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for EcertModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for EcertModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<EcertCall, EcertEvent>> {
        Some(evm::spec())
    }
}
