//! Genesis: the configuration every node of a chain starts from (the type lives in
//! `hechain-chain`, below the modules; [`GenesisExt`] validates it against the module list).

pub use hechain_chain::genesis::*;

use crate::TypesError;

/// Parsing and validation of a genesis against this build's module list (the governance
/// permissions must name listed modules).
pub trait GenesisExt: Sized {
    /// Parses and validates a genesis JSON document.
    fn from_json(json: &str) -> Result<Self, TypesError>;
    /// Structural checks (see [`Genesis::validate_in`]).
    fn validate(&self) -> Result<(), TypesError>;
}

impl GenesisExt for Genesis {
    fn from_json(json: &str) -> Result<Self, TypesError> {
        Genesis::from_json_in(json, &crate::VALIDATE_CONTEXT)
    }

    fn validate(&self) -> Result<(), TypesError> {
        self.validate_in(&crate::VALIDATE_CONTEXT)
    }
}
