//! Blocks, their headers, validator seals and receipts.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::Suite;
use serde::{Deserialize, Serialize};

use crate::codec::Codec;
use crate::eth::ChainTx;
use crate::primitives::{hex_bytes, u128_string, Address, H256};

pub use hechain_chain::header::{BlockHeader, Seal, ValidatorSignature, BLOCK_SIGNING_DOMAIN};

/// A block: header, seal and transactions.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// The header.
    pub header: BlockHeader,
    /// The validators' signatures over the header.
    pub seal: Seal,
    /// Transactions in execution order.
    pub transactions: Vec<ChainTx>,
}

impl Codec for Block {}

/// Outcome of one transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxStatus {
    /// Applied.
    Success,
    /// Not applied (nonce and fee still consumed); the reason says why.
    Failed {
        /// Human-readable reason.
        reason: String,
    },
}

pub use crate::modules::Event;

/// Receipt of one transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    /// The transaction.
    pub tx_hash: H256,
    /// Applied or failed.
    #[serde(flatten)]
    pub status: TxStatus,
    /// Fee taken from the sender.
    pub fee_charged: u64,
    /// Events emitted by native modules.
    pub events: Vec<Event>,
    /// EVM outcome of an Ethereum transaction (absent for native ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evm: Option<EvmOutcome>,
}

impl Codec for Receipt {}

/// An EVM log (Solidity event).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// Emitting contract.
    pub address: Address,
    /// Indexed topics (at most 4).
    pub topics: Vec<H256>,
    /// Non-indexed data.
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub data: Vec<u8>,
}

/// What the EVM reported for an Ethereum transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvmOutcome {
    /// Gas used (after refunds).
    pub gas_used: u64,
    /// Price paid per gas.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub effective_gas_price: u128,
    /// Address of the contract created, for a successful creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_address: Option<Address>,
    /// Logs, in emission order (empty unless successful).
    pub logs: Vec<Log>,
    /// Return data, or the revert data of a reverted transaction.
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub output: Vec<u8>,
}

impl Receipt {
    /// Receipt hash (leaf of the receipts root).
    pub fn hash(&self, suite: Suite) -> H256 {
        H256(suite.hash(&self.encode()))
    }
}

/// Where a transaction sits in the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TxLocation {
    /// Block height.
    pub height: u64,
    /// Index within the block.
    pub index: u32,
}

/// An account's native state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Next expected nonce.
    pub nonce: u64,
    /// Balance in the smallest unit.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub balance: u128,
}

impl Codec for Account {}

/// A block just committed, as announced to subscribers (REST event stream,
/// later JSON-RPC `newHeads`/`logs`).
#[derive(Clone, Debug)]
pub struct CommittedBlock {
    /// Block hash.
    pub hash: H256,
    /// The block.
    pub block: Block,
    /// Hashes of its transactions, in order.
    pub tx_hashes: Vec<H256>,
    /// Its receipts, in order.
    pub receipts: Vec<Receipt>,
}
