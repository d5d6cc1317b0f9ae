//! The voucher module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use crate::types::*;
/// What a transaction asks the voucher module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum VoucherCall {
    /// Issue a receivable voucher (sender: the core enterprise that owes `amount`).
    #[serde(rename = "voucher_issue")]
    Issue {
        /// The supplier that receives the first part.
        holder: Address,
        /// Face value in the smallest unit.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// Due date (ms since the Unix epoch), after the block time.
        maturity_ms: u64,
        /// Hash of the underlying contract or invoice.
        reference: H256,
    },
    /// Split a part held by the sender into new parts (a transfer is a split with one output).
    #[serde(rename = "voucher_split")]
    Split {
        /// The part.
        part_id: u64,
        /// The new parts; their amounts must sum to the part's.
        outputs: Vec<crate::SplitOutput>,
    },
    /// Pledge a part held by the sender to a bank for financing.
    #[serde(rename = "voucher_pledge")]
    Pledge {
        /// The part.
        part_id: u64,
        /// The bank.
        bank: Address,
    },
    /// Release a pledged part back to its holder (sender: the bank).
    #[serde(rename = "voucher_release")]
    Release {
        /// The part.
        part_id: u64,
    },
    /// Settle a voucher at or after maturity (sender: the issuer), paying every live part.
    #[serde(rename = "voucher_settle")]
    Settle {
        /// The voucher.
        voucher_id: u64,
    },
}

impl ModuleEnum for VoucherCall {
    const TYPES: &'static [&'static str] =
        &["voucher_issue", "voucher_split", "voucher_pledge", "voucher_release", "voucher_settle"];
}

/// What the voucher module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum VoucherEvent {
    /// A receivable voucher was issued.
    #[serde(rename = "voucher_issued")]
    Issued {
        /// Voucher id.
        id: u64,
        /// The issuing core enterprise.
        issuer: Address,
        /// The first holder.
        holder: Address,
        /// Face value.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// The part created for the holder.
        part: u64,
    },
    /// A voucher part was split into new parts.
    #[serde(rename = "voucher_split")]
    Split {
        /// Voucher id.
        voucher: u64,
        /// The spent part.
        part: u64,
        /// The new parts, in output order.
        children: Vec<u64>,
    },
    /// A voucher part was pledged to a bank.
    #[serde(rename = "voucher_pledged")]
    Pledged {
        /// The part.
        part: u64,
        /// The bank.
        bank: Address,
    },
    /// A pledged voucher part was released.
    #[serde(rename = "voucher_released")]
    Released {
        /// The part.
        part: u64,
    },
    /// A voucher was settled.
    #[serde(rename = "voucher_settled")]
    Settled {
        /// Voucher id.
        id: u64,
        /// Total paid.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        paid: u128,
        /// Number of parts paid.
        parts: u32,
    },
}

impl ModuleEnum for VoucherEvent {
    const TYPES: &'static [&'static str] =
        &["voucher_issued", "voucher_split", "voucher_pledged", "voucher_released", "voucher_settled"];
}
