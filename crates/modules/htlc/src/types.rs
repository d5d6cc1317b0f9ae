//! The HTLC module's calls, events and records.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
use hechain_primitives::{u128_string, Address, Codec, Stamp, H256};
use serde::{Deserialize, Serialize};

/// What a transaction asks the HTLC module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum HtlcCall {
    /// Lock `amount` of the native token for `receiver` until `deadline_ms`: the receiver may
    /// claim it with the preimage of `hash_lock` before then; the sender may take it back from
    /// then on.
    #[serde(rename = "htlc_lock")]
    Lock {
        /// Who may claim.
        receiver: Address,
        /// SHA-256 of the 32-byte secret (the same hash the Solidity contract checks).
        hash_lock: H256,
        /// Block time (ms since the Unix epoch) from which the lock can only be refunded.
        deadline_ms: u64,
        /// Amount locked.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
    },
    /// Claim a lock with its secret (anyone may submit it; the tokens go to the receiver).
    #[serde(rename = "htlc_claim")]
    Claim {
        /// The lock.
        id: u64,
        /// The secret whose SHA-256 is the hash lock.
        preimage: H256,
    },
    /// Take back a lock whose deadline has passed (the sender).
    #[serde(rename = "htlc_refund")]
    Refund {
        /// The lock.
        id: u64,
    },
}

impl ModuleEnum for HtlcCall {
    const TYPES: &'static [&'static str] = &["htlc_lock", "htlc_claim", "htlc_refund"];
}

/// What the HTLC module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum HtlcEvent {
    /// Tokens were locked.
    #[serde(rename = "htlc_locked")]
    Locked {
        /// Lock id.
        id: u64,
        /// The hash lock.
        hash_lock: H256,
        /// Who may claim.
        receiver: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// Refundable from.
        deadline_ms: u64,
    },
    /// A lock was claimed: the secret is now public.
    #[serde(rename = "htlc_claimed")]
    Claimed {
        /// Lock id.
        id: u64,
        /// The secret.
        preimage: H256,
    },
    /// A lock was refunded to its sender.
    #[serde(rename = "htlc_refunded")]
    Refunded {
        /// Lock id.
        id: u64,
    },
}

impl ModuleEnum for HtlcEvent {
    const TYPES: &'static [&'static str] = &["htlc_locked", "htlc_claimed", "htlc_refunded"];
}

/// Where a lock stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum HtlcState {
    /// Locked, neither claimed nor refunded.
    Locked,
    /// Claimed by the receiver with this secret.
    Claimed {
        /// The secret.
        preimage: H256,
        /// When.
        stamp: Stamp,
    },
    /// Refunded to the sender.
    Refunded {
        /// When.
        stamp: Stamp,
    },
}

/// A hash time-locked contract.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Htlc {
    /// Lock id.
    pub id: u64,
    /// Who locked.
    pub sender: Address,
    /// Who may claim.
    pub receiver: Address,
    /// Amount.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
    /// SHA-256 of the secret.
    pub hash_lock: H256,
    /// Refundable from this block time (ms).
    pub deadline_ms: u64,
    /// Where it stands.
    pub state: HtlcState,
    /// Where it was locked.
    pub locked: Stamp,
}

impl Codec for Htlc {}

/// The hash lock of a secret: SHA-256 of its 32 bytes, whatever the chain's suite (so that the
/// same secret opens a lock on an Ethereum chain, whose contract computes `sha256(secret)`).
pub fn hash_lock(preimage: &H256) -> H256 {
    H256(hechain_crypto::sha256(&preimage.0))
}
