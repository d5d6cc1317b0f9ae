//! The invoice module's calls and events (JSON `type`s `invoice_*`).

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

/// What a transaction asks the invoice module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum InvoiceCall {
    /// Authorise an account to issue invoices (sender: a governance committee member).
    #[serde(rename = "invoice_authorize_issuer")]
    AuthorizeIssuer {
        /// The issuer's account.
        issuer: Address,
        /// Its name.
        name: String,
        /// Hash of its tax id.
        tax_id_hash: H256,
    },
    /// Withdraw an issuer's authorisation (sender: a committee member). Its invoices stay valid.
    #[serde(rename = "invoice_revoke_issuer")]
    RevokeIssuer {
        /// The issuer's account.
        issuer: Address,
    },
    /// Issue an invoice (sender: an authorised issuer).
    #[serde(rename = "invoice_issue")]
    Issue {
        /// Invoice code.
        code: String,
        /// Invoice number.
        number: String,
        /// The buyer's account.
        buyer: Address,
        /// Hash of the buyer's tax id.
        buyer_tax_id_hash: H256,
        /// Amount before tax, in fen.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// Tax, in fen.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        tax: u128,
        /// Date of issue on the invoice (ms since the Unix epoch), at most 5 minutes after the
        /// block time.
        issued_on_ms: u64,
        /// Hash of the line items document.
        items_hash: H256,
    },
    /// Cancel an invoice red-letter (sender: its issuer); refused once it is reimbursed.
    #[serde(rename = "invoice_cancel")]
    Cancel {
        /// The invoice.
        invoice_id: u64,
        /// Why.
        reason: String,
    },
    /// Record the reimbursement of an invoice (sender: the reimbursing organisation's account).
    /// Exactly once per invoice across the chain: a second one is refused and names the first.
    #[serde(rename = "invoice_reimburse")]
    Reimburse {
        /// The invoice.
        invoice_id: u64,
        /// The organisation's name.
        org: String,
        /// Its claim reference.
        claim_ref: String,
    },
}

impl ModuleEnum for InvoiceCall {
    const TYPES: &'static [&'static str] =
        &["invoice_authorize_issuer", "invoice_revoke_issuer", "invoice_issue", "invoice_cancel", "invoice_reimburse"];
}

/// What the invoice module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum InvoiceEvent {
    /// An issuer was authorised.
    #[serde(rename = "invoice_issuer_authorized")]
    IssuerAuthorized {
        /// The issuer.
        issuer: Address,
        /// By whom.
        by: Address,
    },
    /// An issuer's authorisation was withdrawn.
    #[serde(rename = "invoice_issuer_revoked")]
    IssuerRevoked {
        /// The issuer.
        issuer: Address,
    },
    /// An invoice was issued.
    #[serde(rename = "invoice_issued")]
    Issued {
        /// Invoice id.
        id: u64,
        /// Code.
        code: String,
        /// Number.
        number: String,
        /// Issuer.
        issuer: Address,
        /// Buyer.
        buyer: Address,
    },
    /// An invoice was cancelled red-letter.
    #[serde(rename = "invoice_cancelled")]
    Cancelled {
        /// Invoice id.
        id: u64,
    },
    /// An invoice's reimbursement was recorded.
    #[serde(rename = "invoice_reimbursed")]
    Reimbursed {
        /// Invoice id.
        id: u64,
        /// The reimbursing account.
        by: Address,
    },
}

impl ModuleEnum for InvoiceEvent {
    const TYPES: &'static [&'static str] = &[
        "invoice_issuer_authorized",
        "invoice_issuer_revoked",
        "invoice_issued",
        "invoice_cancelled",
        "invoice_reimbursed",
    ];
}
