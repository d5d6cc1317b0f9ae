//! Invoice records, issuer authorisations, and the stateless field checks.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_primitives::{u128_string, Address, Codec, Stamp, TypesError, H256};
use serde::{Deserialize, Serialize};

/// Longest invoice code or number, in characters (China's invoice codes are 10–12 digits, the
/// numbers 8 or 20).
pub const MAX_CODE_LEN: usize = 32;
/// Longest issuer name, organisation label, claim reference or cancellation reason, in bytes.
pub const MAX_TEXT_BYTES: usize = 256;

/// An issuer the committee has authorised to issue invoices.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssuerAuth {
    /// The issuer's account.
    pub issuer: Address,
    /// Its registered name.
    pub name: String,
    /// Hash of its tax id (统一社会信用代码), computed off chain with the chain's suite hash.
    pub tax_id_hash: H256,
    /// The committee member that authorised it.
    pub authorized_by: Address,
    /// When.
    pub authorized: Stamp,
    /// When the authorisation was withdrawn, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Stamp>,
}

impl Codec for IssuerAuth {}

/// A red-letter cancellation (红冲) of an invoice by its issuer.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    /// Why.
    pub reason: String,
    /// When.
    pub stamp: Stamp,
}

/// The one reimbursement (报销入账) of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reimbursement {
    /// The account that recorded it (the reimbursing organisation's).
    pub by: Address,
    /// The organisation's name as declared.
    pub org: String,
    /// Its own reference (claim or voucher number in its books).
    pub claim_ref: String,
    /// When.
    pub stamp: Stamp,
}

/// An e-invoice. The content stays off chain; the chain holds its identity, parties, amounts
/// and the hash of its items.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// Sequential id, from 1.
    pub id: u64,
    /// Invoice code (发票代码).
    pub code: String,
    /// Invoice number (发票号码); code and number are unique per chain.
    pub number: String,
    /// The issuing account.
    pub issuer: Address,
    /// Hash of the issuer's tax id (from its authorisation).
    pub issuer_tax_id_hash: H256,
    /// The buyer's account.
    pub buyer: Address,
    /// Hash of the buyer's tax id.
    pub buyer_tax_id_hash: H256,
    /// Amount before tax, in fen (0.01 CNY).
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
    /// Tax, in fen.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub tax: u128,
    /// Date of issue written on the invoice (ms since the Unix epoch).
    pub issued_on_ms: u64,
    /// Hash of the line items document.
    pub items_hash: H256,
    /// When it was recorded.
    pub issued: Stamp,
    /// Its red-letter cancellation, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Cancellation>,
    /// Its reimbursement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reimbursed: Option<Reimbursement>,
}

impl Codec for Invoice {}

/// Checks an invoice code or number: 1–32 ASCII letters or digits.
pub fn validate_code(what: &str, v: &str) -> Result<(), TypesError> {
    if v.is_empty() || v.len() > MAX_CODE_LEN || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TypesError::Invalid(format!(
            "invoice {what} {v:?} must be 1 to {MAX_CODE_LEN} ASCII letters or digits"
        )));
    }
    Ok(())
}

/// Checks a text field: not blank, at most [`MAX_TEXT_BYTES`].
pub fn validate_text(what: &str, v: &str) -> Result<(), TypesError> {
    hechain_primitives::check_text_field(&format!("invoice {what}"), v, MAX_TEXT_BYTES)
}

/// Checks the amounts of an invoice: a positive amount.
pub fn validate_amounts(amount: u128, tax: u128) -> Result<(), TypesError> {
    if amount == 0 {
        return Err(TypesError::Invalid("invoice amount must be positive".into()));
    }
    if amount.checked_add(tax).is_none() {
        return Err(TypesError::Invalid("invoice amount plus tax overflows".into()));
    }
    Ok(())
}
