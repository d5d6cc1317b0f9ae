//! Confidential amounts (隐藏金额): a confidential variant of the voucher flow. An issuer creates
//! an asset with a public cap; it issues notes to holders, who transfer and split them, and settle
//! them with the issuer at maturity. Every amount on chain is a Pedersen commitment; every issue,
//! transfer, split and settlement carries a Bulletproofs range proof (no output is negative) and
//! a balance proof (the inputs and outputs hold the same total), so the chain verifies that
//! nothing is created or destroyed without seeing any amount. The holder of a note, and the
//! auditor whose view key governance set, open amounts with their view keys.
//!
//! - [`proof`]: commitments, range and balance proofs, as the chain checks them;
//! - [`seal`]: view keys and the sealed openings of outputs;
//! - [`exec`]: the rules; [`wallet`] (feature `wallet`): building calls on the client.
//!
//! See `docs/services/privacy.md` for what is hidden from whom and the assumptions.

extern crate curve25519_dalek_4 as curve25519_dalek;
extern crate rand_chacha_03 as rand_chacha;
#[cfg(feature = "wallet")]
extern crate rand_core_06 as rand_core;

#[cfg(feature = "api")]
mod api;
#[cfg(feature = "cli")]
mod cli;
pub mod exec;
pub mod keys;
pub mod proof;
pub mod seal;
mod types;
#[cfg(feature = "wallet")]
pub mod wallet;

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::record::ModuleRecord;
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
use hechain_primitives::Codec;
pub use types::*;

/// The scalar of openings and view secrets (curve25519-dalek 4's, which `bulletproofs` uses).
pub use curve25519_dalek::scalar::Scalar;

use crate::exec::FlowKind;

/// The confidential-amounts module.
pub struct ConfidentialModule;

impl Module for ConfidentialModule {
    const NAME: &'static str = "confidential";
    const WIRE: Wire = Wire::Indexed(32);
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"conf/"];
    type Call = ConfidentialCall;
    type Event = ConfidentialEvent;
    type Record = ConfidentialRecord;
}

fn invalid(msg: String) -> TypesError {
    TypesError::Invalid(msg)
}

impl Flow {
    /// Field checks: counts and lengths.
    pub fn validate(&self) -> Result<(), TypesError> {
        use crate::proof::{BALANCE_PROOF_LEN, MAX_INPUTS, MAX_OUTPUTS, MAX_RANGE_PROOF};
        use crate::seal::SEALED_LEN;
        if self.inputs.is_empty() || self.inputs.len() > MAX_INPUTS {
            return Err(invalid(format!("inputs: 1 to {MAX_INPUTS} notes, not {}", self.inputs.len())));
        }
        if self.outputs.is_empty() || self.outputs.len() > MAX_OUTPUTS {
            return Err(invalid(format!("outputs: 1 to {MAX_OUTPUTS}, not {}", self.outputs.len())));
        }
        for (i, o) in self.outputs.iter().enumerate() {
            if o.sealed.len() != SEALED_LEN {
                return Err(invalid(format!("outputs[{i}].sealed: {SEALED_LEN} bytes, not {}", o.sealed.len())));
            }
            if !o.sealed_auditor.is_empty() && o.sealed_auditor.len() != SEALED_LEN {
                return Err(invalid(format!(
                    "outputs[{i}].sealed_auditor: empty or {SEALED_LEN} bytes, not {}",
                    o.sealed_auditor.len()
                )));
            }
        }
        if self.range_proof.is_empty() || self.range_proof.len() > MAX_RANGE_PROOF {
            return Err(invalid(format!("range_proof: 1 to {MAX_RANGE_PROOF} bytes, not {}", self.range_proof.len())));
        }
        if self.balance_proof.len() != BALANCE_PROOF_LEN {
            return Err(invalid(format!("balance_proof: {BALANCE_PROOF_LEN} bytes, not {}", self.balance_proof.len())));
        }
        Ok(())
    }

    /// Verifies the range proof over the outputs' commitments.
    pub fn verify_range(&self) -> Result<(), String> {
        let commitments: Vec<_> = self.outputs.iter().map(|o| o.commitment).collect();
        proof::verify_range(&commitments, &self.range_proof)
    }
}

impl ConfidentialCall {
    fn flow(&self) -> Option<(FlowKind, &Flow)> {
        match self {
            ConfidentialCall::Issue { flow } => Some((FlowKind::Issue, flow)),
            ConfidentialCall::Transfer { flow } => Some((FlowKind::Transfer, flow)),
            ConfidentialCall::Settle { flow } => Some((FlowKind::Settle, flow)),
            ConfidentialCall::RegisterViewKey { .. } | ConfidentialCall::CreateAsset { .. } => None,
        }
    }
}

impl ModuleCall for ConfidentialCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            ConfidentialCall::RegisterViewKey { view_key } => {
                seal::check_view_key(view_key).map(|_| ()).map_err(invalid)
            }
            ConfidentialCall::CreateAsset { name, cap } => {
                hechain_primitives::check_text_field("name", name, exec::MAX_NAME)?;
                if *cap == 0 {
                    return Err(invalid("cap: must be positive".into()));
                }
                Ok(())
            }
            ConfidentialCall::Issue { flow }
            | ConfidentialCall::Transfer { flow }
            | ConfidentialCall::Settle { flow } => flow.validate(),
        }
    }

    fn verify_proofs(&self) -> Result<(), TypesError> {
        match self.flow() {
            Some((_, flow)) => flow.verify_range().map_err(invalid),
            None => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        0
    }
}

impl ModuleExec for ConfidentialModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &ConfidentialCall,
    ) -> Result<Outcome<ConfidentialEvent>, StateError> {
        if let Err(e) = call.validate(&cx.validate) {
            return Ok(Err(e.to_string()));
        }
        match call {
            ConfidentialCall::RegisterViewKey { view_key } => exec::register(host, cx, view_key),
            ConfidentialCall::CreateAsset { name, cap } => exec::create_asset(host, cx, name, *cap),
            ConfidentialCall::Issue { flow } => exec::flow(host, cx, FlowKind::Issue, flow),
            ConfidentialCall::Transfer { flow } => exec::flow(host, cx, FlowKind::Transfer, flow),
            ConfidentialCall::Settle { flow } => exec::flow(host, cx, FlowKind::Settle, flow),
        }
    }

    /// A governance proposal of the auditor's view key is checked when proposed.
    fn check_foreign_call(
        _view: &dyn StateView,
        _cx: &CallContext,
        module: &'static str,
        call: &dyn std::any::Any,
    ) -> Result<Result<(), String>, StateError> {
        if module != hechain_governance::GovernanceModule::NAME {
            return Ok(Ok(()));
        }
        Ok(check_setting_proposal(call))
    }
}

fn check_setting_proposal(call: &dyn std::any::Any) -> Result<(), String> {
    use hechain_governance::{Action, GovernanceCall};
    let Some(GovernanceCall::Propose { action: Action::SetModuleSetting { module, key, value }, .. }) =
        call.downcast_ref::<GovernanceCall>()
    else {
        return Ok(());
    };
    if module != ConfidentialModule::NAME {
        return Ok(());
    }
    if key != exec::AUDITOR_SETTING {
        return Err(format!("the confidential module has no setting {key:?} (it has {:?})", exec::AUDITOR_SETTING));
    }
    if value.is_empty() {
        return Ok(());
    }
    let key: [u8; 32] =
        value.as_slice().try_into().map_err(|_| format!("the auditor's view key is 32 bytes, not {}", value.len()))?;
    seal::check_view_key(&hechain_primitives::H256(key)).map(|_| ())
}

/// What a confidential-amounts certificate proves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum ConfidentialRecord {
    /// A note: its owner, commitment and whether it was spent (never its amount).
    ConfNote(Note),
}

impl ModuleRecord for ConfidentialRecord {
    const KINDS: &'static [&'static str] = &["conf_note"];

    fn kind(&self) -> &'static str {
        match self {
            ConfidentialRecord::ConfNote(_) => "conf_note",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            ConfidentialRecord::ConfNote(n) => keys::note(n.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            ConfidentialRecord::ConfNote(n) => n.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            ConfidentialRecord::ConfNote(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            ConfidentialRecord::ConfNote(n) => proof::point(&n.commitment, "the commitment").map(|_| ()),
        }
    }

    fn describe(&self) -> String {
        match self {
            ConfidentialRecord::ConfNote(n) => note_text(n),
        }
    }
}

/// Human lines about a note (without its amount).
pub fn note_text(n: &Note) -> String {
    let state = match &n.spent {
        None => "unspent".to_string(),
        Some(s) => format!("SPENT at height {} (tx {})", s.height, s.tx_hash),
    };
    format!(
        "  note          {} ({:?})\n  asset         {}\n  owner         {}\n  commitment    {}\n  created       height {} (tx {})\n  state         {state}",
        n.id, n.kind, n.asset, n.owner, n.commitment, n.created.height, n.created.tx_hash
    )
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for ConfidentialModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for ConfidentialModule {
    /// Confidential calls carry proofs made by a wallet; a contract cannot make them.
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<ConfidentialCall, ConfidentialEvent>> {
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for ConfidentialModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(test)]
mod tests;
