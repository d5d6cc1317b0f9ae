//! Block headers and the validators' seals over them.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::Suite;
use hechain_primitives::codec::Codec;
use hechain_primitives::primitives::{hex_bytes, H256};
use serde::{Deserialize, Serialize};

/// Domain prefix of the message a validator signs for a block.
pub const BLOCK_SIGNING_DOMAIN: &[u8] = b"hechain/block/v1";

/// Block header. Its hash identifies the block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BlockHeader {
    /// Header format version (1).
    pub version: u32,
    /// Chain id from genesis.
    pub chain_id: u64,
    /// Height; the genesis block is 0.
    pub height: u64,
    /// Hash of the previous header (zero for genesis).
    pub parent_hash: H256,
    /// Proposer's wall-clock time in milliseconds since the Unix epoch; never
    /// smaller than the parent's. The only clock consensus code uses.
    pub timestamp_ms: u64,
    /// Index of the proposing validator in the genesis validator list.
    pub proposer: u32,
    /// Binary Merkle root of the transaction hashes ([`crate::merkle`]).
    pub tx_root: H256,
    /// Binary Merkle root of the receipt hashes.
    pub receipts_root: H256,
    /// Root of the authenticated state after executing this block.
    pub state_root: H256,
    /// Number of transactions.
    pub tx_count: u32,
    /// Consensus round that ordered the block (BFT); equal to `height` under `solo`, 0 for genesis.
    pub round: u64,
    /// Id of the HotStuff block that ordered this block (zero under `solo` and for genesis). With
    /// `round` it lets a node that synced blocks resume consensus after them.
    pub consensus_id: H256,
}

impl Codec for BlockHeader {}

impl BlockHeader {
    /// Block hash: suite hash of the canonical header encoding.
    pub fn hash(&self, suite: Suite) -> H256 {
        H256(suite.hash(&self.encode()))
    }

    /// The bytes validators sign: domain, genesis hash (binds the signature
    /// to one chain) and block hash.
    pub fn signing_message(genesis_hash: &H256, block_hash: &H256) -> Vec<u8> {
        let mut m = Vec::with_capacity(BLOCK_SIGNING_DOMAIN.len() + 64);
        m.extend_from_slice(BLOCK_SIGNING_DOMAIN);
        m.extend_from_slice(&genesis_hash.0);
        m.extend_from_slice(&block_hash.0);
        m
    }
}

/// One validator's signature over a block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidatorSignature {
    /// Index in the validator list.
    pub validator: u32,
    /// Node signature (Ed25519 or SM2) over [`BlockHeader::signing_message`].
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub signature: Vec<u8>,
}

/// The signatures that make a block final. With `solo` consensus this is the
/// one validator's signature; with BFT it is a quorum (2f+1).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// Signatures ordered by validator index, no duplicates.
    pub signatures: Vec<ValidatorSignature>,
}
