//! The cross-chain module's calls and events (JSON `type`s `xc_*`).

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_chain::{smt::Proof, BlockHeader, Genesis, Seal};
use hechain_governance::Membership;
use hechain_module::ModuleEnum;
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

use crate::{Ack, ChannelState, EpochChangeProof, Ordering, Packet, RecordKind};

/// What a transaction asks the cross-chain module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
#[allow(clippy::large_enum_variant)]
pub enum CrosschainCall {
    /// Register a light client of another hechain chain from its genesis (anyone; a channel
    /// chooses which client it trusts).
    #[serde(rename = "xc_create_client")]
    CreateClient {
        /// The other chain's genesis.
        genesis: Genesis,
    },
    /// Show a client a sealed header of its chain (anyone: relayers), with the validator-set
    /// changes since the client's latest epoch. A validly sealed header that conflicts with one
    /// the client holds freezes the client.
    #[serde(rename = "xc_update_client")]
    UpdateClient {
        /// The client.
        client: u64,
        /// The header.
        header: BlockHeader,
        /// Its seal.
        seal: Seal,
        /// The epoch changes after the client's latest epoch up to the header's, in order.
        #[serde(default)]
        epoch_changes: Vec<EpochChangeProof>,
        /// The membership of the epoch after the header's, when the header ends its epoch.
        #[serde(default)]
        next_membership: Option<Membership>,
        /// Proof under the header's state root of that membership, or of its absence (needed
        /// when the header is in the latest epoch the client knows).
        #[serde(default)]
        next_proof: Option<Proof>,
    },
    /// Start opening a channel between `port` here and `counterparty_port` on the client's chain.
    #[serde(rename = "xc_channel_open_init")]
    ChannelOpenInit {
        /// The application here.
        port: String,
        /// The client of the other chain.
        client: u64,
        /// The application there.
        counterparty_port: String,
        /// Delivery order.
        ordering: Ordering,
        /// Application version.
        version: String,
    },
    /// Answer the other chain's `Init`, proving it.
    #[serde(rename = "xc_channel_open_try")]
    ChannelOpenTry {
        /// The application here.
        port: String,
        /// The client of the other chain.
        client: u64,
        /// The application there.
        counterparty_port: String,
        /// The other chain's channel id.
        counterparty_channel: u64,
        /// Delivery order (must be the other end's).
        ordering: Ordering,
        /// Application version (must be the other end's).
        version: String,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of the other end in `Init`.
        proof: Proof,
    },
    /// Complete the handshake on the initiating chain, proving the other end's `TryOpen`.
    #[serde(rename = "xc_channel_open_ack")]
    ChannelOpenAck {
        /// The channel here.
        channel: u64,
        /// The other chain's channel id.
        counterparty_channel: u64,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of the other end in `TryOpen`.
        proof: Proof,
    },
    /// Complete the handshake on the answering chain, proving the other end `Open`.
    #[serde(rename = "xc_channel_open_confirm")]
    ChannelOpenConfirm {
        /// The channel here.
        channel: u64,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of the other end `Open`.
        proof: Proof,
    },
    /// Close a channel (its owner). Packets in flight then time out on close.
    #[serde(rename = "xc_channel_close")]
    ChannelClose {
        /// The channel.
        channel: u64,
    },
    /// Close this end because the other end closed, proving it.
    #[serde(rename = "xc_channel_close_confirm")]
    ChannelCloseConfirm {
        /// The channel here.
        channel: u64,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of the other end `Closed`.
        proof: Proof,
    },
    /// Send tokens over a `transfer` channel: the native token is escrowed, a voucher returning
    /// to its chain is burned, any other voucher is escrowed.
    #[serde(rename = "xc_transfer")]
    Transfer {
        /// The channel.
        channel: u64,
        /// `native` or a voucher denomination.
        denom: String,
        /// Amount.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// Receiver on the other chain.
        receiver: Address,
        /// Height of the other chain from which the transfer is refused there (0 = none).
        #[serde(default)]
        timeout_height: u64,
        /// Time of the other chain (ms) from which it is refused there (0 = none).
        #[serde(default)]
        timeout_ms: u64,
    },
    /// Deliver a packet of the other chain (anyone: relayers), proving its commitment.
    #[serde(rename = "xc_recv_packet")]
    RecvPacket {
        /// The packet.
        packet: Packet,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of its commitment on the sending chain.
        proof: Proof,
    },
    /// Deliver the other chain's acknowledgement of a packet sent here, proving it.
    #[serde(rename = "xc_ack_packet")]
    AckPacket {
        /// The packet, as sent.
        packet: Packet,
        /// The acknowledgement.
        ack: Ack,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of the acknowledgement on the receiving chain.
        proof: Proof,
    },
    /// Roll back a packet the other chain can no longer receive (its timeout passed there, or
    /// its channel end closed), proving it was not received.
    #[serde(rename = "xc_timeout_packet")]
    TimeoutPacket {
        /// The packet, as sent.
        packet: Packet,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Unordered channel: proof that its receipt is absent. Ordered: proof of the receiving
        /// end's next sequence (`next_recv`).
        proof: Proof,
        /// Ordered channel: the receiving end's next sequence to receive, as proven.
        #[serde(default)]
        next_recv: Option<u64>,
        /// Timeout on close: proof that the other end is closed.
        #[serde(default)]
        closed_proof: Option<Proof>,
    },
    /// Recognise a record of the client's chain here, proving it in that chain's state.
    #[serde(rename = "xc_recognise")]
    Recognise {
        /// The client of the record's chain.
        client: u64,
        /// The kind of record.
        kind: RecordKind,
        /// Its id there.
        record_id: u64,
        /// Its canonical encoding.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        record: Vec<u8>,
        /// Height of the client's header the proof is under.
        proof_height: u64,
        /// Proof of the record in that chain's state.
        proof: Proof,
    },
    /// Accept an event of an external network on its notaries' word: `m` signatures of
    /// distinct notaries of the network's committee over [`crate::notary::statement`].
    #[serde(rename = "xc_notary_attest")]
    NotaryAttest {
        /// The external network (its committee is the governance setting `notary/<network>`).
        network: String,
        /// The event's id there.
        event_id: String,
        /// What the event says.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        payload: Vec<u8>,
        /// The notaries' signatures.
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
        signatures: Vec<hechain_crypto::AccountSignature>,
    },
    /// Start opening a channel from the sender's own port (`0x` and its address in lowercase
    /// hex; see [`crate::ports`]) to `counterparty_port` on the client's chain.
    #[serde(rename = "xc_port_open")]
    PortOpen {
        /// The client of the other chain.
        client: u64,
        /// The port there (an application's, or an account's).
        counterparty_port: String,
        /// Delivery order.
        ordering: Ordering,
        /// Version, agreed with the other port's owner.
        version: String,
    },
    /// Consent, as the owner of the sender's port, to answer an opening from
    /// `counterparty_port` of the client's chain with `version` (used up by the opening).
    #[serde(rename = "xc_port_approve")]
    PortApprove {
        /// The client of the other chain.
        client: u64,
        /// The port there that will open the channel.
        counterparty_port: String,
        /// The version it will ask for.
        version: String,
    },
    /// Send a packet from the sender's port on one of its open channels.
    #[serde(rename = "xc_port_send")]
    PortSend {
        /// The channel.
        channel: u64,
        /// The payload.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        data: Vec<u8>,
        /// Height of the other chain from which it is refused there (0 = none).
        #[serde(default)]
        timeout_height: u64,
        /// Time of the other chain (ms) from which it is refused there (0 = none).
        #[serde(default)]
        timeout_ms: u64,
    },
    /// Take a received packet out of the inbox of one of the sender's channels.
    #[serde(rename = "xc_port_consume")]
    PortConsume {
        /// The channel.
        channel: u64,
        /// The packet's sequence.
        sequence: u64,
    },
}

impl ModuleEnum for CrosschainCall {
    const TYPES: &'static [&'static str] = &[
        "xc_create_client",
        "xc_update_client",
        "xc_channel_open_init",
        "xc_channel_open_try",
        "xc_channel_open_ack",
        "xc_channel_open_confirm",
        "xc_channel_close",
        "xc_channel_close_confirm",
        "xc_transfer",
        "xc_recv_packet",
        "xc_ack_packet",
        "xc_timeout_packet",
        "xc_recognise",
        "xc_notary_attest",
        "xc_port_open",
        "xc_port_approve",
        "xc_port_send",
        "xc_port_consume",
    ];
}

/// What the cross-chain module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum CrosschainEvent {
    /// A light client was registered.
    #[serde(rename = "xc_client_created")]
    ClientCreated {
        /// Its id.
        client: u64,
        /// The other chain's id.
        chain_id: u64,
        /// Its genesis hash.
        genesis_hash: H256,
    },
    /// A client accepted a header.
    #[serde(rename = "xc_client_updated")]
    ClientUpdated {
        /// The client.
        client: u64,
        /// The header's height.
        height: u64,
        /// Its epoch.
        epoch: u64,
    },
    /// A client was frozen: two conflicting headers, each sealed by a quorum, were shown.
    #[serde(rename = "xc_client_frozen")]
    ClientFrozen {
        /// The client.
        client: u64,
        /// The height.
        height: u64,
        /// The header it held.
        held: H256,
        /// The conflicting one.
        conflicting: H256,
    },
    /// A channel end changed state.
    #[serde(rename = "xc_channel")]
    Channel {
        /// The channel.
        channel: u64,
        /// Its new state.
        state: ChannelState,
        /// The other end's id, once known.
        counterparty_channel: Option<u64>,
    },
    /// A packet was committed for the other chain.
    #[serde(rename = "xc_packet_sent")]
    PacketSent {
        /// The channel.
        channel: u64,
        /// Its sequence.
        sequence: u64,
    },
    /// A packet of the other chain was received and acknowledged.
    #[serde(rename = "xc_packet_received")]
    PacketReceived {
        /// The channel here.
        channel: u64,
        /// The packet's sequence.
        sequence: u64,
        /// Whether the application accepted it.
        success: bool,
    },
    /// The other chain's acknowledgement of a packet was processed.
    #[serde(rename = "xc_packet_acknowledged")]
    PacketAcknowledged {
        /// The channel.
        channel: u64,
        /// The packet's sequence.
        sequence: u64,
        /// Whether the other chain's application accepted it.
        success: bool,
    },
    /// A packet timed out and was rolled back.
    #[serde(rename = "xc_packet_timed_out")]
    PacketTimedOut {
        /// The channel.
        channel: u64,
        /// The packet's sequence.
        sequence: u64,
    },
    /// Vouchers or native tokens moved by a cross-chain transfer on this chain.
    #[serde(rename = "xc_tokens")]
    Tokens {
        /// What happened: `escrowed`, `released`, `minted`, `burned`.
        action: String,
        /// Denomination on this chain.
        denom: String,
        /// Amount.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// The account it moved from or to.
        account: Address,
    },
    /// A foreign record was recognised.
    #[serde(rename = "xc_recognised")]
    Recognised {
        /// Recognition id.
        id: u64,
        /// The client of its chain.
        client: u64,
        /// The kind of record.
        kind: RecordKind,
        /// Its id there.
        record_id: u64,
    },
    /// An external event was accepted on its notaries' word.
    #[serde(rename = "xc_notary_attested")]
    NotaryAttested {
        /// The external network.
        network: String,
        /// The event's id there.
        event_id: String,
        /// How many notaries signed.
        signers: u32,
    },
    /// An account port consented to answer a channel opening.
    #[serde(rename = "xc_port_approved")]
    PortApproved {
        /// The port.
        port: String,
        /// The client of the other chain.
        client: u64,
        /// The port there.
        counterparty_port: String,
    },
    /// An account port took a received packet out of its inbox.
    #[serde(rename = "xc_packet_consumed")]
    PacketConsumed {
        /// The channel.
        channel: u64,
        /// The packet's sequence.
        sequence: u64,
        /// Its payload.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        data: Vec<u8>,
    },
}

impl ModuleEnum for CrosschainEvent {
    const TYPES: &'static [&'static str] = &[
        "xc_client_created",
        "xc_client_updated",
        "xc_client_frozen",
        "xc_channel",
        "xc_packet_sent",
        "xc_packet_received",
        "xc_packet_acknowledged",
        "xc_packet_timed_out",
        "xc_tokens",
        "xc_recognised",
        "xc_notary_attested",
        "xc_port_approved",
        "xc_packet_consumed",
    ];
}
