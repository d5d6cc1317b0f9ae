//! The cross-chain module's records: light clients, channels, packets, acknowledgements,
//! cross-chain transfers and recognitions of foreign records.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_chain::{smt::Proof, BlockHeader, Seal};
use hechain_governance::{Membership, ValidatorInfo};
use hechain_primitives::{u128_string, Address, Codec, Stamp, TypesError, H256};
use serde::{Deserialize, Serialize};

/// Longest port name (an application's, or an account port: `0x` and 40 hex digits).
pub const MAX_PORT_LEN: usize = 64;
/// Longest channel version string.
pub const MAX_VERSION_LEN: usize = 64;
/// Longest denomination of a cross-chain transfer.
pub const MAX_DENOM_LEN: usize = 256;
/// Largest packet payload.
pub const MAX_PACKET_DATA: usize = 16 * 1024;
/// Most epoch changes one client update may carry.
pub const MAX_EPOCH_CHANGES: usize = 64;
/// Largest foreign record a recognition may carry.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// The denomination of this chain's native token in cross-chain transfers.
pub const NATIVE_DENOM: &str = "native";

/// A light client of another hechain chain: its identity and where it has got to.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Client id on this chain.
    pub id: u64,
    /// The other chain's id.
    pub chain_id: u64,
    /// The other chain's suite (`standard` or `gm`).
    pub suite: String,
    /// The other chain's genesis hash: its identity, which every seal of it is bound to.
    pub genesis_hash: H256,
    /// The latest validator-set epoch of the other chain the client knows.
    pub epoch: u64,
    /// The highest header it accepted.
    pub latest_height: u64,
    /// Who registered it, and when.
    pub created_by: Address,
    /// Where it was registered.
    pub created: Stamp,
    /// Set when two conflicting headers, each validly sealed, were shown: the client then
    /// verifies nothing more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<Misbehaviour>,
}

impl Codec for Client {}

/// Proof that the other chain's validators signed two different blocks at one height.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Misbehaviour {
    /// The height.
    pub height: u64,
    /// Hash of the header the client held.
    pub held: H256,
    /// Hash of the conflicting header, also sealed by a quorum.
    pub conflicting: H256,
    /// Who showed it, and when.
    pub reported_by: Address,
    /// Where the client was frozen.
    pub stamp: Stamp,
}

/// A validator set of the other chain that a client knows.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EpochRecord {
    /// The epoch (0 = the genesis validators).
    pub epoch: u64,
    /// Its first height.
    pub start_height: u64,
    /// Its validators, in index order.
    pub validators: Vec<ValidatorInfo>,
}

impl Codec for EpochRecord {}

/// A header of the other chain a client accepted: what proofs are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsensusState {
    /// The block's hash.
    pub block_hash: H256,
    /// Its state root.
    pub state_root: H256,
    /// Its timestamp (ms): the other chain's clock, for timeouts.
    pub timestamp_ms: u64,
}

impl Codec for ConsensusState {}

/// One validator-set change of the other chain (see [`hechain_chain::verify_epoch_change`]):
/// the last block of an epoch, its seal, and the next epoch's membership proven in its state.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EpochChangeProof {
    /// The boundary block's header.
    pub header: BlockHeader,
    /// Its seal, by the epoch it ends.
    pub seal: Seal,
    /// The next epoch's membership.
    pub membership: Membership,
    /// Proof of it under the header's state root.
    pub proof: Proof,
}

/// How packets of a channel are delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Ordering {
    /// In sequence order: packet n+1 only after packet n; a timeout closes the channel.
    Ordered,
    /// In any order, each exactly once.
    Unordered,
}

/// Handshake state of a channel end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelState {
    /// Opened on this chain, waiting for the other.
    Init,
    /// Opened on this chain in answer to the other's `Init`.
    TryOpen,
    /// Both ends open: packets flow.
    Open,
    /// Closed: no more packets are sent or received.
    Closed,
}

/// The other end of a channel as a channel end names it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Counterparty {
    /// The other chain's genesis hash.
    pub genesis_hash: H256,
    /// The application there.
    pub port: String,
    /// Its channel id, once known.
    pub channel: Option<u64>,
}

/// What a chain proves about its end of a channel (state key [`crate::keys::end`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelEnd {
    /// Handshake state.
    pub state: ChannelState,
    /// Delivery order.
    pub ordering: Ordering,
    /// The application on this end.
    pub port: String,
    /// The other end.
    pub counterparty: Counterparty,
    /// Application version string agreed by both ends.
    pub version: String,
}

impl Codec for ChannelEnd {}

/// This chain's bookkeeping of a channel.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Channel id on this chain.
    pub id: u64,
    /// The light client of the other chain the channel trusts.
    pub client: u64,
    /// The end (what the other chain verifies).
    pub end: ChannelEnd,
    /// Next sequence number to send.
    pub next_send: u64,
    /// Next sequence to acknowledge (ordered channels).
    pub next_ack: u64,
    /// Who opened or answered the handshake (may close the channel).
    pub owner: Address,
    /// When this end was created.
    pub created: Stamp,
}

impl Codec for Channel {}

/// A packet: committed on the sending chain (state key [`crate::keys::commitment`]) until it is
/// acknowledged or times out.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Packet {
    /// Sequence number on the source channel, from 1.
    pub sequence: u64,
    /// Source port (application).
    pub source_port: String,
    /// Source channel id.
    pub source_channel: u64,
    /// Destination port.
    pub destination_port: String,
    /// Destination channel id.
    pub destination_channel: u64,
    /// The application's payload.
    #[serde(with = "hechain_primitives::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub data: Vec<u8>,
    /// The destination refuses it from this height of the destination chain on (0 = none).
    pub timeout_height: u64,
    /// The destination refuses it from this time of the destination chain on (ms, 0 = none).
    pub timeout_ms: u64,
}

impl Codec for Packet {}

impl Packet {
    /// Whether the destination's block at `height`, `timestamp_ms` is past the packet's timeout.
    pub fn timed_out_at(&self, height: u64, timestamp_ms: u64) -> bool {
        (self.timeout_height != 0 && height >= self.timeout_height)
            || (self.timeout_ms != 0 && timestamp_ms >= self.timeout_ms)
    }
}

/// The receiver's acknowledgement of a packet (state key [`crate::keys::ack`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "result", rename_all = "snake_case", deny_unknown_fields)]
pub enum Ack {
    /// The application accepted the packet.
    Success {
        /// Its answer.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        data: Vec<u8>,
    },
    /// The application refused it; the sender rolls it back.
    Error {
        /// Why.
        reason: String,
    },
}

impl Codec for Ack {}

/// What became of a packet an account port sent, as its sender reads it once the packet is
/// settled (state key [`crate::keys::outcome`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum PacketOutcome {
    /// The other chain acknowledged it: delivered.
    Acknowledged {
        /// The acknowledgement's data.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        data: Vec<u8>,
    },
    /// The other chain refused it.
    Refused {
        /// Why.
        reason: String,
    },
    /// It timed out: the other chain never received it and never will.
    TimedOut,
}

impl Codec for PacketOutcome {}

/// The payload of a cross-chain transfer packet (port `transfer`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferData {
    /// Denomination as the sender knows it: `native`, or a voucher's trace
    /// `xc/<channel>/…/native`.
    pub denom: String,
    /// Amount.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub amount: u128,
    /// Sender on the source chain.
    pub sender: Address,
    /// Receiver on the destination chain.
    pub receiver: Address,
}

impl Codec for TransferData {}

/// Kinds of foreign records this chain recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// An evidence record (存证), by id.
    Evidence,
    /// An electronic certificate (电子证照), by id.
    Ecert,
    /// A registered copyright work (版权), by id.
    CopyrightWork,
}

/// A record of another chain, proven against a header this chain's client of it accepted, and
/// referenced here (e.g. a court chain recognising a notary chain's evidence).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Recognition {
    /// Recognition id on this chain.
    pub id: u64,
    /// The client of the record's chain.
    pub client: u64,
    /// That chain's genesis hash.
    pub source_genesis: H256,
    /// The kind of record.
    pub kind: RecordKind,
    /// Its id on its chain.
    pub record_id: u64,
    /// Height of the header its proof was checked against.
    pub proven_at: u64,
    /// Its canonical encoding, as proven.
    #[serde(with = "hechain_primitives::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub record: Vec<u8>,
    /// A human summary of it.
    pub summary: String,
    /// Who recognised it.
    pub by: Address,
    /// When.
    pub stamp: Stamp,
}

impl Codec for Recognition {}

/// Checks a port name: 1 to [`MAX_PORT_LEN`] lowercase ASCII letters, digits, `-` or `_`.
pub fn validate_port(port: &str) -> Result<(), TypesError> {
    if port.is_empty()
        || port.len() > MAX_PORT_LEN
        || !port.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(TypesError::Invalid(format!(
            "port {port:?} must be 1 to {MAX_PORT_LEN} lowercase letters, digits, '-' or '_'"
        )));
    }
    Ok(())
}

/// Checks a channel version string: 1 to [`MAX_VERSION_LEN`] printable ASCII characters.
pub fn validate_version(version: &str) -> Result<(), TypesError> {
    if version.is_empty() || version.len() > MAX_VERSION_LEN || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(TypesError::Invalid(format!(
            "version {version:?} must be 1 to {MAX_VERSION_LEN} printable ASCII characters without spaces"
        )));
    }
    Ok(())
}

/// Checks a denomination: `native`, or `xc/<channel>/…` ending in one, at most
/// [`MAX_DENOM_LEN`] bytes.
pub fn validate_denom(denom: &str) -> Result<(), TypesError> {
    let bad = || TypesError::Invalid(format!("denomination {denom:?} is not `native` or `xc/<channel>/…/native`"));
    if denom.len() > MAX_DENOM_LEN {
        return Err(TypesError::Invalid(format!("denomination is longer than {MAX_DENOM_LEN} bytes")));
    }
    let mut rest = denom;
    while let Some(tail) = rest.strip_prefix("xc/") {
        let (chan, tail) = tail.split_once('/').ok_or_else(bad)?;
        if chan.is_empty() || chan.parse::<u64>().map(|c| c == 0 || c.to_string() != chan).unwrap_or(true) {
            return Err(bad());
        }
        rest = tail;
    }
    if rest == NATIVE_DENOM {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The voucher denomination minted on a channel for a foreign denomination.
pub fn voucher_denom(channel: u64, denom: &str) -> String {
    format!("xc/{channel}/{denom}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denominations() {
        for ok in ["native", "xc/1/native", "xc/12/xc/3/native"] {
            validate_denom(ok).unwrap();
        }
        for bad in ["", "nat", "xc/0/native", "xc/01/native", "xc//native", "xc/1", "xc/1/", "xc/x/native"] {
            assert!(validate_denom(bad).is_err(), "{bad}");
        }
        assert!(validate_denom(&"xc/1/".repeat(60)).is_err());
    }

    #[test]
    fn ports() {
        validate_port("transfer").unwrap();
        validate_port("0x00000000000000000000000000000000000000ab").unwrap();
        for bad in ["", "Transfer", "a b", &"x".repeat(65)] {
            assert!(validate_port(bad).is_err(), "{bad}");
        }
    }
}
