//! The JSON answers of the cross-chain routes, shared by the server, the relayer and the CLI.

use hechain_primitives::{u128_string, Address};
use serde::{Deserialize, Serialize};

use crate::{Ack, Channel, Client, ConsensusState, EpochRecord, Packet, PacketOutcome};

/// A light client with its latest validator set and header.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientView {
    /// The client.
    pub client: Client,
    /// The latest validator set it knows.
    pub epoch: EpochRecord,
    /// Its highest accepted header (none before the first update).
    pub latest: Option<ConsensusState>,
}

/// A channel with its receiving side's progress.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelView {
    /// The channel.
    pub channel: Channel,
    /// Next sequence it expects to receive (ordered channels).
    pub next_recv: u64,
    /// The account holding what it escrows.
    pub escrow: Address,
}

/// Packets sent on a channel and still pending (not acknowledged, not timed out).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PacketPage {
    /// The packets, by sequence.
    pub packets: Vec<Packet>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// One acknowledgement this chain wrote.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AckEntry {
    /// The packet's sequence.
    pub sequence: u64,
    /// The acknowledgement.
    pub ack: Ack,
}

/// Acknowledgements written on a channel, by sequence.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AckPage {
    /// The acknowledgements.
    pub acks: Vec<AckEntry>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// Whether a packet was received on a channel here.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptView {
    /// The channel.
    pub channel: u64,
    /// The sequence.
    pub sequence: u64,
    /// Received (exactly once).
    pub received: bool,
    /// The acknowledgement written, when received.
    pub ack: Option<Ack>,
}

/// A holder's balance of a cross-chain voucher.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherBalance {
    /// The holder.
    pub address: Address,
    /// The denomination.
    pub denom: String,
    /// Balance.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub balance: u128,
    /// Vouchers of the denomination in existence on this chain.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub supply: u128,
}

/// A packet of a channel as its ends see it on this chain: sent from here (pending, or the
/// outcome an account port keeps), and received here (waiting in an account port's inbox).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PacketStatus {
    /// The channel.
    pub channel: u64,
    /// The sequence.
    pub sequence: u64,
    /// Sent here and neither acknowledged nor timed out yet.
    pub pending: bool,
    /// What became of it, when an account port sent it and it is settled.
    pub outcome: Option<PacketOutcome>,
    /// Received here (exactly once).
    pub received: bool,
    /// Its payload, while it waits in an account port's inbox (hex).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub inbox: Option<String>,
}

/// Light clients on this chain, by id.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientPage {
    /// The clients.
    pub clients: Vec<Client>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// Channels on this chain, by id.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelPage {
    /// The channels.
    pub channels: Vec<Channel>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
