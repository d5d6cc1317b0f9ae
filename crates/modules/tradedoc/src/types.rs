//! Trade documents, their normalised keys, and the stateless field checks.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_primitives::{u128_string, Address, Codec, Stamp, TypesError, H256};
use serde::{Deserialize, Serialize};

/// Longest issuer or document number, in bytes, after normalisation.
pub const MAX_PART_BYTES: usize = 128;

/// The kinds of trade document a bank finances against.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// Bill of lading (提单).
    BillOfLading,
    /// Warehouse receipt (仓单).
    WarehouseReceipt,
    /// Commercial invoice (发票).
    Invoice,
    /// Sales or purchase contract (合同).
    Contract,
}

impl DocType {
    /// Every type, in tag order (the tag is the Solidity interface's `uint8 docType`).
    pub const ALL: [DocType; 4] =
        [DocType::BillOfLading, DocType::WarehouseReceipt, DocType::Invoice, DocType::Contract];

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            DocType::BillOfLading => "bill_of_lading",
            DocType::WarehouseReceipt => "warehouse_receipt",
            DocType::Invoice => "invoice",
            DocType::Contract => "contract",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(s: &str) -> Result<DocType, String> {
        DocType::ALL.into_iter().find(|t| t.name() == s).ok_or_else(|| {
            let names: Vec<_> = DocType::ALL.iter().map(|t| t.name()).collect();
            format!("unknown document type {s:?} (one of {})", names.join(", "))
        })
    }

    /// The type with tag `tag` (its position in [`DocType::ALL`]).
    pub fn from_tag(tag: u8) -> Option<DocType> {
        DocType::ALL.get(tag as usize).copied()
    }
}

/// A trade document registered for financing.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TradeDoc {
    /// Sequential registration id, from 1.
    pub id: u64,
    /// Type of document.
    pub doc_type: DocType,
    /// Issuer of the document (carrier, warehouse, seller), normalised.
    pub issuer: String,
    /// Document number, normalised.
    pub number: String,
    /// Hash of the document's content.
    pub content_hash: H256,
    /// Amount financed, in the smallest currency unit.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
    /// The financing bank's account.
    pub bank: Address,
    /// When it was registered.
    pub registered: Stamp,
    /// When the bank released it (financing repaid), if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Stamp>,
}

impl Codec for TradeDoc {}

/// The normalised form of an issuer name or document number: surrounding and inner white
/// space, `-`, `_`, `/` and `.` removed, ASCII letters upper-cased (so that "COSU 6182-3350"
/// and "cosu61823350" are the same document). Other characters (Chinese names) are kept.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '/' | '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks an issuer or number: not empty and at most [`MAX_PART_BYTES`] once normalised.
pub fn validate_part(what: &str, raw: &str) -> Result<(), TypesError> {
    let n = normalize(raw);
    if n.is_empty() {
        return Err(TypesError::Invalid(format!("trade document {what} {raw:?} is empty once normalised")));
    }
    if n.len() > MAX_PART_BYTES {
        return Err(TypesError::Invalid(format!(
            "trade document {what} is {} bytes once normalised, the limit is {MAX_PART_BYTES}",
            n.len()
        )));
    }
    Ok(())
}
