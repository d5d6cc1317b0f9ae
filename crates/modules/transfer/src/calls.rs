//! The transfer module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};
/// What a transaction asks the transfer module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TransferCall {
    /// Move native balance to another account.
    #[serde(rename = "transfer")]
    Transfer {
        /// Recipient.
        to: Address,
        /// Amount in the smallest unit.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
    },
}

impl ModuleEnum for TransferCall {
    const TYPES: &'static [&'static str] = &["transfer"];
}

/// What the transfer module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TransferEvent {
    /// Native balance moved.
    #[serde(rename = "transfer")]
    Transfer {
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
    },
}

impl ModuleEnum for TransferEvent {
    const TYPES: &'static [&'static str] = &["transfer"];
}
