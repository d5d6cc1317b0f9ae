//! The trade-document registry (贸易单据登记), after the PBoC trade-finance platform's
//! defence against double financing: a bank registers the bill of lading, warehouse receipt,
//! invoice or contract it finances under a normalised key (type, issuer, number) and the hash
//! of its content; while that financing is live, no member bank can register the same
//! document again, and no receivable voucher may name it as its underlying reference. The bank
//! releases the registration when the financing is repaid.
//!
//! The whole service is this crate: calls and events ([`TradedocCall`], [`TradedocEvent`]),
//! records ([`TradeDoc`]), state keys ([`keys`]), rules ([`exec`]), the rule on voucher calls
//! ([`TradedocModule`]'s `check_foreign_call`), REST routes (`api`), the precompile (`evm`,
//! `contracts/IHechainTradeDocs.sol`), the `hechain tradedoc` command (`cli`) and the
//! certificate record kind `trade_document`. See `docs/services/tradedoc.md`.

#[cfg(feature = "api")]
mod api;
mod calls;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "evm")]
mod evm;
pub mod exec;
pub mod keys;
mod types;

use std::any::Any;

pub use calls::{TradedocCall, TradedocEvent};
use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::record::ModuleRecord;
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
use hechain_primitives::Codec;
use hechain_voucher::VoucherCall;
pub use types::*;

/// The trade-document registry module.
pub struct TradedocModule;

impl Module for TradedocModule {
    const NAME: &'static str = "tradedoc";
    const WIRE: Wire = Wire::Indexed(29);
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"tdoc/"];
    type Call = TradedocCall;
    type Event = TradedocEvent;
    type Record = TradedocRecord;
}

impl ModuleCall for TradedocCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            TradedocCall::Register { issuer, number, .. } => {
                validate_part("issuer", issuer)?;
                validate_part("number", number)
            }
            TradedocCall::Release { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            TradedocCall::Register { .. } | TradedocCall::Release { .. } => 0,
        }
    }

    fn pool_key(&self) -> Option<hechain_module::PoolKey> {
        match self {
            TradedocCall::Register { doc_type, issuer, number, .. } => {
                let (issuer, number) = (normalize(issuer), normalize(number));
                Some(hechain_module::PoolKey {
                    key: keys::by_key(*doc_type, &issuer, &number),
                    code: "trade_document_financed",
                    what: format!("a registration of {} {issuer} {number}", doc_type.name()),
                })
            }
            TradedocCall::Release { .. } => None,
        }
    }
}

impl ModuleExec for TradedocModule {
    fn admit(view: &dyn StateView, call: &TradedocCall) -> Result<Result<(), hechain_module::Refusal>, StateError> {
        match call {
            TradedocCall::Register { doc_type, issuer, number, .. } => {
                Ok(match exec::live_by_key(view, *doc_type, issuer, number)? {
                    Some(first) => Err(hechain_module::Refusal {
                        code: "trade_document_financed",
                        message: exec::financed_message(&first),
                    }),
                    None => Ok(()),
                })
            }
            TradedocCall::Release { .. } => Ok(Ok(())),
        }
    }

    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &TradedocCall,
    ) -> Result<Outcome<TradedocEvent>, StateError> {
        if let Err(e) = call.validate(&cx.validate) {
            return Ok(Err(e.to_string()));
        }
        match call {
            TradedocCall::Register { doc_type, issuer, number, content_hash, amount } => {
                let new = exec::NewDoc { doc_type: *doc_type, issuer, number, content_hash, amount: *amount };
                exec::register(host, cx.block, &cx.sender, cx.tx_hash, new)
            }
            TradedocCall::Release { doc_id } => exec::release(host, cx.block, &cx.sender, cx.tx_hash, *doc_id),
        }
    }

    fn check_foreign_call(
        view: &dyn StateView,
        _cx: &CallContext,
        module: &'static str,
        call: &dyn Any,
    ) -> Result<Result<(), String>, StateError> {
        // A voucher may not be issued against a document a bank has financed.
        if module != <hechain_voucher::VoucherModule as Module>::NAME {
            return Ok(Ok(()));
        }
        match call.downcast_ref::<VoucherCall>() {
            Some(VoucherCall::Issue { reference, .. }) => exec::check_voucher_reference(view, reference),
            Some(
                VoucherCall::Split { .. }
                | VoucherCall::Pledge { .. }
                | VoucherCall::Release { .. }
                | VoucherCall::Settle { .. },
            )
            | None => Ok(Ok(())),
        }
    }
}

/// What a trade-document certificate proves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum TradedocRecord {
    /// A registration (live or released).
    TradeDocument(TradeDoc),
}

impl ModuleRecord for TradedocRecord {
    const KINDS: &'static [&'static str] = &["trade_document"];

    fn kind(&self) -> &'static str {
        match self {
            TradedocRecord::TradeDocument(_) => "trade_document",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            TradedocRecord::TradeDocument(d) => keys::doc(d.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            TradedocRecord::TradeDocument(d) => d.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            TradedocRecord::TradeDocument(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            TradedocRecord::TradeDocument(_) => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            TradedocRecord::TradeDocument(d) => doc_text(d),
        }
    }
}

/// Human lines about a registration.
pub fn doc_text(d: &TradeDoc) -> String {
    let state = match &d.released {
        Some(r) => format!("released at height {}", r.height),
        None => "FINANCED (live)".to_string(),
    };
    format!(
        "  document      {} {} {} (registration {})\n  bank          {}\n  amount        {}\n  content hash  {}\n  registered    height {} (tx {})\n  state         {state}",
        d.doc_type.name(),
        d.issuer,
        d.number,
        d.id,
        d.bank,
        d.amount,
        d.content_hash,
        d.registered.height,
        d.registered.tx_hash
    )
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for TradedocModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for TradedocModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<TradedocCall, TradedocEvent>> {
        Some(evm::spec())
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for TradedocModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(test)]
mod tests;
