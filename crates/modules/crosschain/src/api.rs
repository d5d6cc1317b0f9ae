//! The cross-chain module's REST routes (under `/api/v1/xchain`): what relayers and users read.

use hechain_module::api::{
    page_limit, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::StateError;
use hechain_primitives::Codec;

use crate::notary::{Attestation, NotaryCommittee};
use crate::views::{
    AckEntry, AckPage, ChannelPage, ChannelView, ClientPage, ClientView, PacketPage, PacketStatus, ReceiptView,
    VoucherBalance,
};
use crate::{
    channel, client, keys, packet, ports, recognise, transfer, validate_denom, Ack, CrosschainModule, CrosschainRecord,
    Packet, Recognition,
};

const ID: Param = Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Id." };
const SEQUENCE: Param =
    Param { name: "sequence", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Packet sequence." };
const DENOM: Param = Param {
    name: "denom",
    at: ParamIn::Query,
    required: true,
    kind: ParamKind::Text,
    description: "Denomination: `native` or a voucher's `xc/<channel>/…`.",
};

const NETWORK: Param = Param {
    name: "network",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Text,
    description: "External network.",
};
const EVENT: Param = Param {
    name: "event",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Text,
    description: "The event's id on the external network (URL-encoded).",
};

type R = Route<CrosschainModule>;

/// The routes.
pub fn routes() -> Vec<R> {
    let json = |f| Response::Json(f);
    vec![
        R::get(
            "/api/v1/xchain/clients",
            "listXchainClients",
            "Light clients of other chains on this chain, paged by id",
            &[AFTER, LIMIT],
            json(schema_ref::<ClientPage>),
            list_clients,
        ),
        R::get(
            "/api/v1/xchain/channels",
            "listXchainChannels",
            "Cross-chain channels on this chain, paged by id",
            &[AFTER, LIMIT],
            json(schema_ref::<ChannelPage>),
            list_channels,
        ),
        R::get(
            "/api/v1/xchain/clients/{id}",
            "getXchainClient",
            "A light client of another chain: its latest validator set and header",
            &[ID],
            json(schema_ref::<ClientView>),
            get_client,
        ),
        R::get(
            "/api/v1/xchain/channels/{id}",
            "getXchainChannel",
            "A cross-chain channel",
            &[ID],
            json(schema_ref::<ChannelView>),
            get_channel,
        ),
        R::get(
            "/api/v1/xchain/channels/{id}/packets",
            "listXchainPendingPackets",
            "Packets sent on a channel and not yet acknowledged or timed out, paged by sequence",
            &[ID, AFTER, LIMIT],
            json(schema_ref::<PacketPage>),
            pending_packets,
        ),
        R::get(
            "/api/v1/xchain/channels/{id}/acks",
            "listXchainAcks",
            "Acknowledgements this chain wrote for packets received on a channel, paged by sequence",
            &[ID, AFTER, LIMIT],
            json(schema_ref::<AckPage>),
            acks,
        ),
        R::get(
            "/api/v1/xchain/channels/{id}/receipts/{sequence}",
            "getXchainReceipt",
            "Whether a packet was received on a channel, and its acknowledgement",
            &[ID, SEQUENCE],
            json(schema_ref::<ReceiptView>),
            receipt,
        ),
        R::get(
            "/api/v1/xchain/channels/{id}/packets/{sequence}",
            "getXchainPacket",
            "A packet of a channel here: pending, its outcome (account ports), received, waiting in an account port's inbox",
            &[ID, SEQUENCE],
            json(schema_ref::<PacketStatus>),
            packet_status,
        ),
        R::get(
            "/api/v1/xchain/vouchers/{address}",
            "getXchainVoucherBalance",
            "A holder's balance of a cross-chain voucher, and its supply",
            &[ADDRESS, DENOM],
            json(schema_ref::<VoucherBalance>),
            voucher,
        ),
        R::get(
            "/api/v1/xchain/recognitions/{id}",
            "getXchainRecognition",
            "A record of another chain recognised here",
            &[ID],
            json(schema_ref::<Recognition>),
            get_recognition,
        ),
        R::get(
            "/api/v1/xchain/notary/{network}",
            "getXchainNotaryCommittee",
            "The notary committee of an external network (set by governance)",
            &[NETWORK],
            json(schema_ref::<NotaryCommittee>),
            notary_committee,
        ),
        R::get(
            "/api/v1/xchain/notary/{network}/events/{event}",
            "getXchainAttestation",
            "An external event accepted on its notaries' word",
            &[NETWORK, EVENT],
            json(schema_ref::<Attestation>),
            attestation,
        ),
        R::get(
            "/api/v1/xchain/recognitions/{id}/certificate",
            "getXchainRecognitionCertificate",
            "Offline-verifiable certificate of a recognition (record kind `xc_recognition`)",
            &[ID],
            Response::Certificate,
            recognition_certificate,
        ),
    ]
}

type Answer = Result<Reply<CrosschainRecord>, QueryError>;

fn get_client(host: &dyn QueryHost, p: &Params) -> Answer {
    let id = p.id("id")?;
    let s = host.state();
    let c =
        client::client(s, id)?.ok_or_else(|| QueryError::not_found("client_not_found", format!("no client {id}")))?;
    let epoch = client::epoch(s, id, c.epoch)?
        .ok_or_else(|| StateError::Invariant(format!("client {id} lacks its epoch {}", c.epoch)))?;
    let latest = client::consensus(s, id, c.latest_height)?;
    Reply::json(&ClientView { client: c, epoch, latest })
}

fn must_channel(host: &dyn QueryHost, id: u64) -> Result<crate::Channel, QueryError> {
    channel::channel(host.state(), id)?
        .ok_or_else(|| QueryError::not_found("channel_not_found", format!("no channel {id}")))
}

fn get_channel(host: &dyn QueryHost, p: &Params) -> Answer {
    let c = must_channel(host, p.id("id")?)?;
    let next_recv = packet::next_recv(host.state(), c.id)?;
    let escrow = transfer::escrow_address(host.head().suite, c.id);
    Reply::json(&ChannelView { channel: c, next_recv, escrow })
}

/// Records under `prefix ‖ id` after id `after`, decoded, and the cursor of the next page.
fn id_page<T: Codec>(host: &dyn QueryHost, p: &Params, prefix: &[u8]) -> Result<(Vec<T>, Option<u64>), QueryError> {
    let (items, next_after) = scan_page(host, p, prefix)?;
    Ok((items.into_iter().map(|(_, v)| v).collect(), next_after))
}

fn list_clients(host: &dyn QueryHost, p: &Params) -> Answer {
    let (clients, next_after) = id_page(host, p, keys::CLIENT_PREFIX)?;
    Reply::json(&ClientPage { clients, next_after })
}

fn list_channels(host: &dyn QueryHost, p: &Params) -> Answer {
    let (channels, next_after) = id_page(host, p, keys::CHANNEL_PREFIX)?;
    Reply::json(&ChannelPage { channels, next_after })
}

/// Sequenced values and the cursor of the next page.
type SeqPage<T> = (Vec<(u64, T)>, Option<u64>);

/// Values under `prefix ‖ channel ‖ sequence`, after `after`, decoded; and the cursor.
fn seq_page<T: Codec>(host: &dyn QueryHost, p: &Params, prefix: &[u8]) -> Result<SeqPage<T>, QueryError> {
    let chan = p.id("id")?;
    must_channel(host, chan)?;
    scan_page(host, p, &[prefix, &chan.to_be_bytes()].concat())
}

/// Values under `base ‖ id` (an 8-byte id last), after id `after`, decoded with their ids; and
/// the cursor of the next page.
fn scan_page<T: Codec>(host: &dyn QueryHost, p: &Params, base: &[u8]) -> Result<SeqPage<T>, QueryError> {
    let limit = page_limit(p, host.max_page())?;
    let after = p.count("after")?.map(|a| [base, &a.to_be_bytes()].concat());
    let entries = host.state().scan(base, after.as_deref(), limit + 1)?;
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        let corrupt = |reason: String| StateError::Corrupt { key: hechain_module::exec::hex_key(&k), reason };
        let id = hechain_module::keys::trailing_id(&k).ok_or_else(|| corrupt("no id".into()))?;
        out.push((id, T::decode(&v).map_err(|e| corrupt(e.to_string()))?));
    }
    let next_after = if out.len() > limit {
        out.truncate(limit);
        out.last().map(|(s, _)| *s)
    } else {
        None
    };
    Ok((out, next_after))
}

fn pending_packets(host: &dyn QueryHost, p: &Params) -> Answer {
    let (items, next_after) = seq_page::<Packet>(host, p, keys::COMMIT_PREFIX)?;
    Reply::json(&PacketPage { packets: items.into_iter().map(|(_, p)| p).collect(), next_after })
}

fn acks(host: &dyn QueryHost, p: &Params) -> Answer {
    let (items, next_after) = seq_page::<Ack>(host, p, keys::ACK_PREFIX)?;
    Reply::json(&AckPage {
        acks: items.into_iter().map(|(sequence, ack)| AckEntry { sequence, ack }).collect(),
        next_after,
    })
}

fn receipt(host: &dyn QueryHost, p: &Params) -> Answer {
    let (chan, seq) = (p.id("id")?, p.id("sequence")?);
    must_channel(host, chan)?;
    let received = packet::received(host.state(), chan, seq)?;
    let ack = packet::ack(host.state(), chan, seq)?;
    Reply::json(&ReceiptView { channel: chan, sequence: seq, received, ack })
}

fn packet_status(host: &dyn QueryHost, p: &Params) -> Answer {
    let (chan, seq) = (p.id("id")?, p.id("sequence")?);
    must_channel(host, chan)?;
    let s = host.state();
    Reply::json(&PacketStatus {
        channel: chan,
        sequence: seq,
        pending: packet::commitment(s, chan, seq)?.is_some(),
        outcome: ports::outcome(s, chan, seq)?,
        received: packet::received(s, chan, seq)?,
        inbox: ports::inbox(s, chan, seq)?.map(|d| format!("0x{}", hex::encode(d))),
    })
}

fn voucher(host: &dyn QueryHost, p: &Params) -> Answer {
    let address = p.address("address")?;
    let denom = p.text("denom")?;
    validate_denom(denom).map_err(|e| QueryError::bad_request("invalid_denom", e.to_string()))?;
    let balance = transfer::voucher_balance(host.state(), &address, denom)?;
    let supply = transfer::supply(host.state(), denom)?;
    Reply::json(&VoucherBalance { address, denom: denom.to_string(), balance, supply })
}

fn must_recognition(host: &dyn QueryHost, id: u64) -> Result<Recognition, QueryError> {
    recognise::recognition(host.state(), id)?
        .ok_or_else(|| QueryError::not_found("recognition_not_found", format!("no recognition {id}")))
}

fn get_recognition(host: &dyn QueryHost, p: &Params) -> Answer {
    Reply::json(&must_recognition(host, p.id("id")?)?)
}

fn recognition_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(CrosschainRecord::XcRecognition(must_recognition(host, p.id("id")?)?)))
}

fn network(p: &Params) -> Result<&str, QueryError> {
    let n = p.text("network")?;
    crate::notary::validate_network(n).map_err(|e| QueryError::bad_request("invalid_network", e.to_string()))?;
    Ok(n)
}

fn notary_committee(host: &dyn QueryHost, p: &Params) -> Answer {
    let n = network(p)?;
    let c = crate::notary::committee(host.state(), n)?.ok_or_else(|| {
        QueryError::not_found("notary_committee_not_found", format!("governance has set no notary committee for {n}"))
    })?;
    Reply::json(&c)
}

fn attestation(host: &dyn QueryHost, p: &Params) -> Answer {
    let (n, e) = (network(p)?, p.text("event")?);
    let a = crate::notary::attestation(host.state(), n, e)?.ok_or_else(|| {
        QueryError::not_found("attestation_not_found", format!("event {e:?} of {n} is not attested here"))
    })?;
    Reply::json(&a)
}
