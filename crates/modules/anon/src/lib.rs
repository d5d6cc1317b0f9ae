//! Anonymous but accountable signatures (环签名): linkable ring signatures ([`lsag`]) for
//! anonymous votes and whistle-blower reports. A ring is a published set of members (a
//! committee, an organisation's staff) with registered ring keys; the chain checks that a vote or
//! report was signed by one of them without learning which, and refuses a second signature by
//! the same member on the same poll or topic by its link tag.
//!
//! - polls: one vote per ring member, tally public ([`Poll`]);
//! - reports: evidence hashes recorded anonymously, one per member per topic ([`Report`]).
//!
//! Votes and reports pay no fee, so that they can be sent from a one-time account that says
//! nothing about the voter; the pool checks their signatures and link tags against committed
//! state before admitting them. See `docs/services/privacy.md`.

extern crate curve25519_dalek_4 as curve25519_dalek;
#[cfg(feature = "wallet")]
extern crate rand_core_06 as rand_core;

#[cfg(feature = "api")]
mod api;
#[cfg(feature = "cli")]
mod cli;
pub mod exec;
pub mod keys;
pub mod lsag;
mod types;

use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::record::ModuleRecord;
use hechain_module::{Module, ModuleCall, Refusal, TypesError, ValidateContext, Wire};
use hechain_primitives::Codec;
pub use types::*;

/// The secret scalar of ring keys (curve25519-dalek 4's).
pub use curve25519_dalek::scalar::Scalar;

/// The purpose a ring secret is derived for from an account key.
pub const RING_KEY_PURPOSE: &str = "hechain/anon/ring-key/v1";

/// The ring secret of an account, from the 32 bytes its key derives for [`RING_KEY_PURPOSE`].
pub fn ring_secret(derived: &[u8; 32]) -> Scalar {
    Scalar::from_bytes_mod_order(*derived)
}

/// The anonymous-signatures module.
pub struct AnonModule;

impl Module for AnonModule {
    const NAME: &'static str = "anon";
    const WIRE: Wire = Wire::Indexed(33);
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"anon/"];
    type Call = AnonCall;
    type Event = AnonEvent;
    type Record = AnonRecord;
}

impl ModuleCall for AnonCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        let too_long =
            |what: &str, n: usize, max: usize| Err(TypesError::Invalid(format!("{what}: at most {max}, not {n}")));
        match self {
            AnonCall::RegisterKey { ring_key } => lsag::check_key(ring_key).map_err(TypesError::Invalid),
            AnonCall::CreateRing { members, .. } if members.len() > lsag::MAX_RING => {
                too_long("members", members.len(), lsag::MAX_RING)
            }
            AnonCall::CreatePoll { options, .. } if options.len() > exec::MAX_OPTIONS => {
                too_long("options", options.len(), exec::MAX_OPTIONS)
            }
            AnonCall::Vote { signature, .. } | AnonCall::Report { signature, .. }
                if signature.len() > 32 * (lsag::MAX_RING + 1) =>
            {
                too_long("signature bytes", signature.len(), 32 * (lsag::MAX_RING + 1))
            }
            AnonCall::CreateRing { .. }
            | AnonCall::CreatePoll { .. }
            | AnonCall::Vote { .. }
            | AnonCall::Report { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        0
    }

    /// Votes and reports pay no fee: they are sent from one-time accounts that must not be
    /// funded by (and so linked to) the signer. Their ring signature, checked on admission, is
    /// what stands against spam.
    fn fee_exempt(&self) -> bool {
        match self {
            AnonCall::Vote { .. } | AnonCall::Report { .. } => true,
            AnonCall::RegisterKey { .. } | AnonCall::CreateRing { .. } | AnonCall::CreatePoll { .. } => false,
        }
    }
}

impl ModuleExec for AnonModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &AnonCall,
    ) -> Result<Outcome<AnonEvent>, StateError> {
        if let Err(e) = call.validate(&cx.validate) {
            return Ok(Err(e.to_string()));
        }
        match call {
            AnonCall::RegisterKey { ring_key } => exec::register(host, cx, ring_key),
            AnonCall::CreateRing { name, members } => exec::create_ring(host, cx, name, members),
            AnonCall::CreatePoll { ring, title, options, closes_at_ms } => {
                exec::create_poll(host, cx, (*ring, title, options, *closes_at_ms))
            }
            AnonCall::Vote { poll, option, tag, signature } => exec::vote(host, cx, (*poll, *option, tag, signature)),
            AnonCall::Report { ring, topic, content_hash, tag, signature } => {
                exec::report_call(host, cx, (*ring, topic, content_hash, tag, signature))
            }
        }
    }

    /// A fee-exempt vote or report is admitted only if its signature and link tag pass against
    /// committed state (the poll's closing time is checked at execution).
    fn admit(view: &dyn StateView, call: &AnonCall) -> Result<Result<(), Refusal>, StateError> {
        let checked = match call {
            AnonCall::Vote { poll, option, tag, signature } => {
                exec::check_vote(view, None, (*poll, *option, tag, signature))?.map(|_| ())
            }
            AnonCall::Report { ring, topic, content_hash, tag, signature } => {
                exec::check_report(view, (*ring, topic, content_hash, tag, signature))?.map(|_| ())
            }
            AnonCall::RegisterKey { .. } | AnonCall::CreateRing { .. } | AnonCall::CreatePoll { .. } => Ok(()),
        };
        Ok(checked.map_err(|message| Refusal { code: "anon_refused", message }))
    }
}

/// What an anonymous-signatures certificate proves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum AnonRecord {
    /// A poll and its tally.
    AnonPoll(Poll),
    /// An anonymous report.
    AnonReport(Report),
}

impl ModuleRecord for AnonRecord {
    const KINDS: &'static [&'static str] = &["anon_poll", "anon_report"];

    fn kind(&self) -> &'static str {
        match self {
            AnonRecord::AnonPoll(_) => "anon_poll",
            AnonRecord::AnonReport(_) => "anon_report",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            AnonRecord::AnonPoll(p) => keys::poll(p.id),
            AnonRecord::AnonReport(r) => keys::report(r.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            AnonRecord::AnonPoll(p) => p.encode(),
            AnonRecord::AnonReport(r) => r.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            AnonRecord::AnonPoll(_) | AnonRecord::AnonReport(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            AnonRecord::AnonPoll(p) if p.tally.len() != p.options.len() => {
                Err("the tally does not match the options".into())
            }
            AnonRecord::AnonPoll(_) | AnonRecord::AnonReport(_) => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            AnonRecord::AnonPoll(p) => {
                let rows: Vec<String> =
                    p.options.iter().zip(&p.tally).map(|(o, n)| format!("  {n:>6}  {o}")).collect();
                format!("  poll          {} (ring {})\n  question      {}\n{}", p.id, p.ring, p.title, rows.join("\n"))
            }
            AnonRecord::AnonReport(r) => format!(
                "  report        {} (ring {})\n  topic         {}\n  content hash  {}\n  link tag      {}\n  recorded      height {} (tx {})",
                r.id, r.ring, r.topic, r.content_hash, r.tag, r.stamp.height, r.stamp.tx_hash
            ),
        }
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for AnonModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for AnonModule {
    /// Ring signatures are made by wallets; contracts read results through the REST API.
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<AnonCall, AnonEvent>> {
        None
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for AnonModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(test)]
mod tests;
