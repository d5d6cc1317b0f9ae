//! Hash time-locked contracts (哈希锁定): atomic swaps with chains hechain runs no light client
//! of, such as an Ethereum chain. A sender locks native tokens for a receiver under the SHA-256
//! of a secret and a deadline; the receiver claims them with the secret before the deadline,
//! which makes the secret public; from the deadline on, the sender may take them back. The same
//! contract in Solidity (`contracts/HashedTimelock.sol`) runs on any EVM chain, with the same
//! hash, so one secret opens both sides of a swap. See `docs/services/crosschain.md`.

#[cfg(feature = "api")]
mod api;
#[cfg(feature = "cli")]
mod cli;
pub mod exec;
pub mod keys;
mod types;

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError};
use hechain_module::record::ModuleRecord;
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
use hechain_primitives::Codec;
pub use types::*;

/// The HTLC module.
pub struct HtlcModule;

impl Module for HtlcModule {
    const NAME: &'static str = "htlc";
    const WIRE: Wire = Wire::Indexed(31);
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"htlc/"];
    type Call = HtlcCall;
    type Event = HtlcEvent;
    type Record = HtlcRecord;
}

impl ModuleCall for HtlcCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            HtlcCall::Lock { amount, .. } if *amount == 0 => {
                Err(TypesError::Invalid("the amount locked must be positive".into()))
            }
            HtlcCall::Lock { .. } | HtlcCall::Claim { .. } | HtlcCall::Refund { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            HtlcCall::Lock { amount, .. } => *amount,
            HtlcCall::Claim { .. } | HtlcCall::Refund { .. } => 0,
        }
    }
}

impl ModuleExec for HtlcModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &HtlcCall,
    ) -> Result<Outcome<HtlcEvent>, StateError> {
        if let Err(e) = call.validate(&cx.validate) {
            return Ok(Err(e.to_string()));
        }
        match call {
            HtlcCall::Lock { receiver, hash_lock, deadline_ms, amount } => {
                exec::lock_tokens(host, cx, (*receiver, *hash_lock, *deadline_ms, *amount))
            }
            HtlcCall::Claim { id, preimage } => exec::claim(host, cx, *id, preimage),
            HtlcCall::Refund { id } => exec::refund(host, cx, *id),
        }
    }
}

/// What an HTLC certificate proves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum HtlcRecord {
    /// A lock and where it stands (claimed with its secret, refunded, or locked).
    Htlc(Htlc),
}

impl ModuleRecord for HtlcRecord {
    const KINDS: &'static [&'static str] = &["htlc"];

    fn kind(&self) -> &'static str {
        match self {
            HtlcRecord::Htlc(_) => "htlc",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            HtlcRecord::Htlc(h) => keys::lock(h.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            HtlcRecord::Htlc(h) => h.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            HtlcRecord::Htlc(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            HtlcRecord::Htlc(h) => match &h.state {
                HtlcState::Claimed { preimage, .. } if hash_lock(preimage) != h.hash_lock => {
                    Err("the recorded secret does not open the hash lock".into())
                }
                HtlcState::Claimed { .. } | HtlcState::Locked | HtlcState::Refunded { .. } => Ok(()),
            },
        }
    }

    fn describe(&self) -> String {
        match self {
            HtlcRecord::Htlc(h) => htlc_text(h),
        }
    }
}

/// Human lines about a lock.
pub fn htlc_text(h: &Htlc) -> String {
    let state = match &h.state {
        HtlcState::Locked => "locked".to_string(),
        HtlcState::Claimed { preimage, stamp } => format!("CLAIMED at height {} with secret {preimage}", stamp.height),
        HtlcState::Refunded { stamp } => format!("REFUNDED at height {}", stamp.height),
    };
    format!(
        "  lock          {}\n  sender        {}\n  receiver      {}\n  amount        {}\n  hash lock     {} (SHA-256)\n  deadline      {} ms\n  locked        height {} (tx {})\n  state         {state}",
        h.id, h.sender, h.receiver, h.amount, h.hash_lock, h.deadline_ms, h.locked.height, h.locked.tx_hash
    )
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for HtlcModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for HtlcModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<HtlcCall, HtlcEvent>> {
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for HtlcModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(test)]
mod tests;
