//! Supply-chain finance receivable vouchers (数字凭证 / 应收账款凭证).
//!
//! A core enterprise (the *issuer*, the debtor) issues a voucher for a confirmed payable to a
//! supplier. The voucher's value lives in *parts*: issuance creates one part held by the
//! supplier; a holder splits a part into new parts for itself and others down the supply chain;
//! a holder pledges a part to a bank for financing (the bank releases it when repaid); at or
//! after maturity the issuer settles, paying every live part's holder (or its pledgee) in native
//! balance. The rules live in `hechain_execution::voucher`; this module holds the records.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use hechain_primitives::Codec;
use hechain_primitives::Stamp;
use hechain_primitives::TypesError;
use hechain_primitives::{u128_string, Address, H256};

/// Most outputs of one split.
pub const MAX_SPLIT_OUTPUTS: usize = 16;
/// Most live parts of one voucher (settlement pays each of them).
pub const MAX_LIVE_PARTS: usize = 1_000;

/// An issued voucher.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Voucher {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// The core enterprise that owes the amount.
    pub issuer: Address,
    /// Face value in the smallest unit of the native currency.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
    /// When it falls due (ms since the Unix epoch): from then on it can only be settled.
    pub maturity_ms: u64,
    /// Hash of the underlying contract or invoice.
    pub reference: H256,
    /// The issuance.
    pub issued: Stamp,
    /// The settlement, once settled.
    pub settled: Option<Stamp>,
    /// Parts that hold value now (active or pledged), in creation order; their amounts always
    /// sum to `amount` until settlement.
    pub live_parts: Vec<u64>,
}

impl Codec for Voucher {}

/// Where a part stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum PartStatus {
    /// Held and movable.
    Active,
    /// Pledged to a bank: it cannot move until the bank releases it; settlement pays the bank.
    Pledged {
        /// The bank.
        bank: Address,
    },
    /// Split into `children`: it holds nothing any more.
    Spent,
    /// Paid at settlement (to `paid_to`).
    Settled {
        /// Who received the payment (the holder, or the bank of a pledged part).
        paid_to: Address,
    },
}

/// A part of a voucher's value.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoucherPart {
    /// Sequential id across all vouchers, starting at 1.
    pub id: u64,
    /// The voucher.
    pub voucher_id: u64,
    /// The part it was split from (`None` for the issued part).
    pub parent: Option<u64>,
    /// Holder.
    pub holder: Address,
    /// Value.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
    /// State.
    pub status: PartStatus,
    /// Creation.
    pub created: Stamp,
    /// When it was spent or settled.
    pub closed: Option<Stamp>,
    /// The parts it was split into.
    pub children: Vec<u64>,
}

impl Codec for VoucherPart {}

/// One output of a split: a new part for `to`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SplitOutput {
    /// Holder of the new part (may be the splitting holder itself, for the remainder).
    pub to: Address,
    /// Its value.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
}

/// Stateless checks of a split's outputs.
pub fn validate_split(outputs: &[SplitOutput]) -> Result<(), TypesError> {
    if outputs.is_empty() || outputs.len() > MAX_SPLIT_OUTPUTS {
        return Err(TypesError::Invalid(format!(
            "a split has 1 to {MAX_SPLIT_OUTPUTS} outputs, got {}",
            outputs.len()
        )));
    }
    if let Some(i) = outputs.iter().position(|o| o.amount == 0) {
        return Err(TypesError::Invalid(format!("split output {i} has amount 0")));
    }
    Ok(())
}

/// Stateless checks of an issuance.
pub fn validate_issue(amount: u128) -> Result<(), TypesError> {
    if amount == 0 {
        return Err(TypesError::Invalid("a voucher's amount must be positive".into()));
    }
    Ok(())
}
