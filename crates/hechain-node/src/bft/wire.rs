//! What validators and observers say to each other, and the block payload format.
//!
//! Every frame is a version byte ([`WIRE_VERSION`]) and the borsh encoding of a [`NetMsg`].
//! Decoding never panics: a frame that does not decode (or has trailing bytes) is refused with
//! an error, logged, and the sender gains nothing. The transport bounds frame sizes.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_consensus::hotstuff::{BlockId, Proposal, TimeoutMsg, Vote};
use hechain_crypto::{NodeSignature, Suite};
use hechain_types::{merkle, Block, ChainTx, H256};

/// Version byte of every frame.
pub const WIRE_VERSION: u8 = 1;
const PAYLOAD_DOMAIN: &[u8] = b"hechain/payload/v1\0";

/// A message between nodes.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum NetMsg {
    /// A leader's proposal with the encoded [`BlockPayload`] it orders.
    Proposal {
        /// The signed proposal.
        proposal: Proposal,
        /// Encoded [`BlockPayload`]; its [`BlockPayload::digest`] is the proposal's payload digest.
        payload: Vec<u8>,
    },
    /// A vote (to the next leader).
    Vote(Vote),
    /// A timeout (to all validators).
    Timeout(TimeoutMsg),
    /// Ask for a consensus block the sender is missing.
    BlockRequest(BlockId),
    /// A requested consensus block, with its payload when the responder still has it.
    BlockResponse {
        /// The proposal that carried the block.
        proposal: Proposal,
        /// Encoded payload, if known.
        payload: Option<Vec<u8>>,
    },
    /// Transactions admitted by the sender, for the other pools (sent once, to every validator).
    Txs(Vec<ChainTx>),
    /// The sender's seal signature over the header it computed for `height`.
    SealSig {
        /// Block height.
        height: u64,
        /// Header hash the signature covers.
        header_hash: H256,
        /// Signature over `BlockHeader::signing_message(genesis hash, header_hash)`.
        signature: NodeSignature,
    },
    /// Periodic progress report (drives catch-up and `hechain net status`).
    Status {
        /// Stored chain height.
        height: u64,
        /// Consensus round (0 for observers).
        round: u64,
        /// Membership epoch of the stored head (a peer in a newer one is synced from at once: the
        /// old epoch's consensus stopped, so it cannot commit the epoch's last blocks any more).
        epoch: u64,
    },
    /// Ask for committed blocks from `from` on, at most `max`.
    SyncRequest {
        /// First height wanted.
        from: u64,
        /// Most blocks wanted.
        max: u32,
    },
    /// Committed blocks with quorum seals, consecutive from the requested height.
    SyncResponse {
        /// The blocks.
        blocks: Vec<Block>,
    },
}

/// Why a frame was refused.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Empty frame or unknown version byte.
    #[error("unknown wire version")]
    Version,
    /// The body does not decode.
    #[error("undecodable message: {0}")]
    Decode(String),
}

impl NetMsg {
    /// Frame bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![WIRE_VERSION];
        // Writing into a Vec cannot fail.
        let _ = borsh::to_writer(&mut out, self);
        out
    }

    /// Parses a frame.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        match bytes.split_first() {
            Some((&WIRE_VERSION, body)) => borsh::from_slice(body).map_err(|e| WireError::Decode(e.to_string())),
            _ => Err(WireError::Version),
        }
    }

    /// Short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            NetMsg::Proposal { .. } => "proposal",
            NetMsg::Vote(_) => "vote",
            NetMsg::Timeout(_) => "timeout",
            NetMsg::BlockRequest(_) => "block-request",
            NetMsg::BlockResponse { .. } => "block-response",
            NetMsg::Txs(_) => "txs",
            NetMsg::SealSig { .. } => "seal-sig",
            NetMsg::Status { .. } => "status",
            NetMsg::SyncRequest { .. } => "sync-request",
            NetMsg::SyncResponse { .. } => "sync-response",
        }
    }
}

/// What one consensus block orders: the leader's timestamp and a batch of transactions.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BlockPayload {
    /// Leader's clock when proposing (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// The transactions, in block order.
    pub txs: Vec<ChainTx>,
}

impl BlockPayload {
    /// Encoded bytes (borsh).
    pub fn encode(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    /// Parses an encoded payload.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        borsh::from_slice(bytes).map_err(|e| WireError::Decode(e.to_string()))
    }

    /// The digest a proposal carries: `hash(domain ‖ timestamp ‖ Merkle root of the tx hashes)`,
    /// so it is computed from hashes the node needs anyway.
    pub fn digest(suite: Suite, timestamp_ms: u64, tx_hashes: &[H256]) -> H256 {
        let root = merkle::root(suite, tx_hashes);
        H256(suite.hash_parts(&[PAYLOAD_DOMAIN, &timestamp_ms.to_be_bytes(), root.as_bytes()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_refusals() {
        let m = NetMsg::Status { height: 7, round: 9, epoch: 2 };
        assert_eq!(NetMsg::decode(&m.encode()).unwrap(), m);
        let m = NetMsg::SyncRequest { from: 1, max: 64 };
        let mut bytes = m.encode();
        assert_eq!(NetMsg::decode(&bytes).unwrap(), m);
        bytes.push(0);
        assert!(matches!(NetMsg::decode(&bytes), Err(WireError::Decode(_))), "trailing byte");
        assert!(matches!(NetMsg::decode(&[]), Err(WireError::Version)));
        assert!(matches!(NetMsg::decode(&[9, 0]), Err(WireError::Version)));
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = NetMsg::decode(&bytes);
            let mut framed = vec![WIRE_VERSION];
            framed.extend_from_slice(&bytes);
            let _ = NetMsg::decode(&framed);
            let _ = BlockPayload::decode(&bytes);
        }
    }
}
