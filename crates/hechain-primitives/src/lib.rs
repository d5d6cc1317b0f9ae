//! The smallest shared vocabulary of hechain, below the core types and every service module:
//! [`Address`] and [`H256`], the canonical versioned encoding ([`Codec`]), the [`Stamp`] that
//! dates every record, the text-field check the modules share, and [`TypesError`].
//!
//! Service modules (`crates/modules/*`) build their call, event and record types from these
//! alone, so that `hechain-types` can gather the modules' types into one transaction payload.

pub mod codec;
pub mod display;
pub mod primitives;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

pub use codec::{Codec, ENCODING_VERSION};
pub use primitives::{hex_bytes, u128_string, Address, H256};

/// Where and when a record was written: the transaction, its block height and the block time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Stamp {
    /// Transaction that wrote it.
    pub tx_hash: H256,
    /// Block height.
    pub height: u64,
    /// Block timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
}

/// Checks a text field is not blank and at most `max` bytes; errors name the field (`what`).
pub fn check_text_field(what: &str, v: &str, max: usize) -> Result<(), TypesError> {
    if v.trim().is_empty() {
        return Err(TypesError::Invalid(format!("{what} is empty")));
    }
    if v.len() > max {
        return Err(TypesError::Invalid(format!("{what} is {} bytes, the limit is {max}", v.len())));
    }
    Ok(())
}

/// Errors of the core types and of the modules' stateless checks.
#[derive(Debug, thiserror::Error)]
pub enum TypesError {
    /// Bytes of the wrong length.
    #[error("invalid {what}: expected {expected} bytes, got {got}")]
    InvalidLength {
        /// What was being parsed.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// Malformed hex.
    #[error("invalid {what} hex: {reason}")]
    InvalidHex {
        /// What was being parsed.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The canonical decoder refused the bytes.
    #[error("cannot decode: {0}")]
    Decode(String),
    /// A value breaks a rule.
    #[error("{0}")]
    Invalid(String),
    /// A signature does not verify.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// A Merkle proof does not verify.
    #[error("invalid proof: {0}")]
    Proof(String),
}
