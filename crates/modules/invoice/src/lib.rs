//! E-invoices (电子发票), after the Shenzhen blockchain e-invoice model: issuers authorised by
//! the consortium's governance committee record invoices (identity, parties, amounts, the hash
//! of the items; the document stays off chain); anyone verifies one; the reimbursing
//! organisation records its reimbursement, which the chain accepts **once** across all member
//! organisations; the issuer cancels red-letter.
//!
//! The whole service is this crate: calls and events ([`InvoiceCall`], [`InvoiceEvent`]), records
//! ([`Invoice`], [`IssuerAuth`]), state keys ([`keys`]), rules ([`exec`]), REST routes (`api`),
//! the precompile (`evm`, `contracts/IHechainInvoice.sol`), the `hechain invoice` command
//! (`cli`) and the certificate record kind `invoice`. See `docs/services/invoice.md`.

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

pub use calls::{InvoiceCall, InvoiceEvent};
use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError, StateView};
use hechain_module::record::ModuleRecord;
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
use hechain_primitives::Codec;
pub use types::*;

/// The invoice module.
pub struct InvoiceModule;

impl Module for InvoiceModule {
    const NAME: &'static str = "invoice";
    const WIRE: Wire = Wire::Indexed(28);
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"inv/"];
    type Call = InvoiceCall;
    type Event = InvoiceEvent;
    type Record = InvoiceRecord;
}

impl ModuleCall for InvoiceCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            InvoiceCall::AuthorizeIssuer { name, .. } => validate_text("issuer name", name),
            InvoiceCall::RevokeIssuer { .. } => Ok(()),
            InvoiceCall::Issue { code, number, amount, tax, .. } => {
                validate_code("code", code)?;
                validate_code("number", number)?;
                validate_amounts(*amount, *tax)
            }
            InvoiceCall::Cancel { reason, .. } => validate_text("cancellation reason", reason),
            InvoiceCall::Reimburse { org, claim_ref, .. } => {
                validate_text("organisation", org)?;
                validate_text("claim reference", claim_ref)
            }
        }
    }

    fn spends(&self) -> u128 {
        match self {
            InvoiceCall::AuthorizeIssuer { .. }
            | InvoiceCall::RevokeIssuer { .. }
            | InvoiceCall::Issue { .. }
            | InvoiceCall::Cancel { .. }
            | InvoiceCall::Reimburse { .. } => 0,
        }
    }

    fn pool_key(&self) -> Option<hechain_module::PoolKey> {
        match self {
            InvoiceCall::Issue { code, number, .. } => Some(hechain_module::PoolKey {
                key: [b"i/", code.as_bytes(), b"/", number.as_bytes()].concat(),
                code: "invoice_exists",
                what: format!("invoice {code} {number}"),
            }),
            InvoiceCall::Reimburse { invoice_id, .. } => Some(hechain_module::PoolKey {
                key: [&b"r/"[..], &invoice_id.to_be_bytes()].concat(),
                code: "invoice_reimbursed",
                what: format!("a reimbursement of invoice {invoice_id}"),
            }),
            InvoiceCall::AuthorizeIssuer { .. } | InvoiceCall::RevokeIssuer { .. } | InvoiceCall::Cancel { .. } => None,
        }
    }
}

impl ModuleExec for InvoiceModule {
    fn admit(view: &dyn StateView, call: &InvoiceCall) -> Result<Result<(), hechain_module::Refusal>, StateError> {
        let refuse = |code, message| Ok(Err(hechain_module::Refusal { code, message }));
        match call {
            InvoiceCall::Issue { code, number, .. } => match exec::by_code(view, code, number)? {
                Some(first) => refuse(
                    "invoice_exists",
                    format!(
                        "invoice {code} {number} already exists: id {}, issued by {} in block {}",
                        first.id, first.issuer, first.issued.height
                    ),
                ),
                None => Ok(Ok(())),
            },
            InvoiceCall::Reimburse { invoice_id, .. } => match exec::invoice(view, *invoice_id)? {
                Some(inv) => match &inv.reimbursed {
                    Some(r) => refuse("invoice_reimbursed", exec::reimbursed_message(&inv, r)),
                    None => Ok(Ok(())),
                },
                None => Ok(Ok(())),
            },
            InvoiceCall::AuthorizeIssuer { .. } | InvoiceCall::RevokeIssuer { .. } | InvoiceCall::Cancel { .. } => {
                Ok(Ok(()))
            }
        }
    }

    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &InvoiceCall,
    ) -> Result<Outcome<InvoiceEvent>, StateError> {
        if let Err(e) = call.validate(&cx.validate) {
            return Ok(Err(e.to_string()));
        }
        let (b, s, h) = (cx.block, &cx.sender, cx.tx_hash);
        match call {
            InvoiceCall::AuthorizeIssuer { issuer, name, tax_id_hash } => {
                exec::authorize_issuer(host, b, s, h, issuer, name, tax_id_hash)
            }
            InvoiceCall::RevokeIssuer { issuer } => exec::revoke_issuer(host, b, s, h, issuer),
            InvoiceCall::Issue { code, number, buyer, buyer_tax_id_hash, amount, tax, issued_on_ms, items_hash } => {
                let new = exec::NewInvoice {
                    code,
                    number,
                    buyer,
                    buyer_tax_id_hash,
                    amount: *amount,
                    tax: *tax,
                    issued_on_ms: *issued_on_ms,
                    items_hash,
                };
                exec::issue(host, b, s, h, new)
            }
            InvoiceCall::Cancel { invoice_id, reason } => exec::cancel(host, b, s, h, *invoice_id, reason),
            InvoiceCall::Reimburse { invoice_id, org, claim_ref } => {
                exec::reimburse(host, b, s, h, *invoice_id, org, claim_ref)
            }
        }
    }
}

/// What an invoice certificate proves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum InvoiceRecord {
    /// An invoice with its cancellation and reimbursement state.
    Invoice(Invoice),
}

impl ModuleRecord for InvoiceRecord {
    const KINDS: &'static [&'static str] = &["invoice"];

    fn kind(&self) -> &'static str {
        match self {
            InvoiceRecord::Invoice(_) => "invoice",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            InvoiceRecord::Invoice(i) => keys::invoice(i.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            InvoiceRecord::Invoice(i) => i.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            InvoiceRecord::Invoice(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            InvoiceRecord::Invoice(_) => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            InvoiceRecord::Invoice(i) => invoice_text(i),
        }
    }
}

/// Human lines about an invoice (CLI output and certificate checks).
pub fn invoice_text(i: &Invoice) -> String {
    let state = match (&i.cancelled, &i.reimbursed) {
        (Some(c), _) => format!("CANCELLED at height {} ({})", c.stamp.height, c.reason),
        (None, Some(r)) => {
            format!("REIMBURSED by {} ({}, claim {}) at height {}", r.org, r.by, r.claim_ref, r.stamp.height)
        }
        (None, None) => "valid, not reimbursed".to_string(),
    };
    format!(
        "  invoice       {} {} (id {})\n  issuer        {}\n  buyer         {}\n  amount        {} fen + tax {} fen\n  items hash    {}\n  recorded      height {} (tx {})\n  state         {state}",
        i.code, i.number, i.id, i.issuer, i.buyer, i.amount, i.tax, i.items_hash, i.issued.height, i.issued.tx_hash
    )
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for InvoiceModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for InvoiceModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<InvoiceCall, InvoiceEvent>> {
        Some(evm::spec())
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for InvoiceModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(test)]
mod tests;
