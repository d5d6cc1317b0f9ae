//! The trade-document registry's calls and events (JSON `type`s `tradedoc_*`).

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

use crate::DocType;

/// What a transaction asks the trade-document registry to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TradedocCall {
    /// Register a document for financing (sender: the financing bank). Refused while the same
    /// document (type, issuer, number, normalised) or the same content is financed anywhere.
    #[serde(rename = "tradedoc_register")]
    Register {
        /// Type of document.
        doc_type: DocType,
        /// Its issuer.
        issuer: String,
        /// Its number.
        number: String,
        /// Hash of its content.
        content_hash: H256,
        /// Amount financed.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
    },
    /// Release a registration once the financing is repaid (sender: the bank that registered it).
    #[serde(rename = "tradedoc_release")]
    Release {
        /// The registration.
        doc_id: u64,
    },
}

impl ModuleEnum for TradedocCall {
    const TYPES: &'static [&'static str] = &["tradedoc_register", "tradedoc_release"];
}

/// What the trade-document registry reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TradedocEvent {
    /// A document was registered for financing.
    #[serde(rename = "tradedoc_registered")]
    Registered {
        /// Registration id.
        id: u64,
        /// The bank.
        bank: Address,
        /// Type of document.
        doc_type: DocType,
        /// Normalised issuer.
        issuer: String,
        /// Normalised number.
        number: String,
    },
    /// A registration was released.
    #[serde(rename = "tradedoc_released")]
    Released {
        /// Registration id.
        id: u64,
    },
}

impl ModuleEnum for TradedocEvent {
    const TYPES: &'static [&'static str] = &["tradedoc_registered", "tradedoc_released"];
}
