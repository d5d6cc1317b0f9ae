//! Account ports: every account — a person's or a contract's — owns the port named by its
//! address (`0x` and 40 lowercase hex digits), so that Solidity contracts (through the
//! precompile, [`crate::evm`]) and accounts send and receive their own packets without a
//! native application written for them.
//!
//! * **Opening.** The owner opens a channel from its port (`xc_port_open`, the handshake's
//!   `Init`); the owner of the port on the other chain consents beforehand
//!   (`xc_port_approve`, naming the client, the initiating port and the version), which the
//!   handshake's `Try` requires and uses up. Relayers carry the rest of the handshake as for any
//!   channel. Channels of an account port belong to the port's owner (who may close them).
//! * **Sending.** `xc_port_send` commits a packet on one of the owner's open channels. Once the
//!   other chain acknowledges it or it times out, its outcome is kept for the sender to read
//!   ([`outcome`]): acknowledged, refused, or timed out.
//! * **Receiving.** A packet delivered to an account port is acknowledged at once (its
//!   delivery is the acknowledgement; the data is empty) and waits in the port's inbox until
//!   the owner consumes it (`xc_port_consume`), which returns its payload and removes it.
//!   Contracts therefore pull their packets: a precompile cannot call into a contract.

use hechain_module::exec::{read, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::{Address, Codec};

use crate::calls::CrosschainEvent;
use crate::channel::{self, existing};
use crate::client::{check, refuse, Checked};
use crate::{keys, packet, validate_port, validate_version, Channel, Ordering, Packet, PacketOutcome};

/// The port an account owns.
pub fn account_port(owner: &Address) -> String {
    format!("0x{}", hex::encode(owner.0))
}

/// The owner of `port` if it is an account port (`0x` and 40 lowercase hex digits).
pub fn owner(port: &str) -> Option<Address> {
    let digits = port.strip_prefix("0x")?;
    if !digits.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let mut out = [0u8; 20];
    hex::decode_to_slice(digits, &mut out).ok()?;
    Some(Address(out))
}

/// Checks the version of a channel of an account port (any the two owners agree on).
pub(crate) fn check_version(version: &str) -> Result<(), String> {
    validate_version(version).map_err(|e| e.to_string())
}

/// A packet waiting in an account port's inbox: its payload.
pub fn inbox<S: StateView + ?Sized>(s: &S, channel: u64, seq: u64) -> Result<Option<Vec<u8>>, StateError> {
    s.get(&keys::inbox(channel, seq))
}

/// What became of a packet an account port sent (`None` while it is pending, or if it was
/// never sent).
pub fn outcome<S: StateView + ?Sized>(s: &S, channel: u64, seq: u64) -> Result<Option<PacketOutcome>, StateError> {
    read(s, &keys::outcome(channel, seq))
}

/// The consent an account port gave to answer an opening, if any: its version.
pub fn approval<S: StateView + ?Sized>(
    s: &S,
    port: &str,
    client: u64,
    counterparty_port: &str,
) -> Result<Option<String>, StateError> {
    Ok(s.get(&keys::approval(port, client, counterparty_port))?.map(|v| String::from_utf8_lossy(&v).into_owned()))
}

/// `ChannelOpenTry` on an account port: uses up the owner's consent to exactly this opening.
pub(crate) fn take_approval<H: Host + ?Sized>(
    host: &mut H,
    (port, client, counterparty_port, version): (&str, u64, &str, &str),
) -> Checked<()> {
    match approval(host, port, client, counterparty_port)? {
        Some(v) if v == version => {
            host.delete(keys::approval(port, client, counterparty_port));
            Ok(Ok(()))
        }
        Some(v) => refuse!(
            "port {port} consented to version {v:?} with {counterparty_port} over client {client}, not {version:?}"
        ),
        None => refuse!(
            "port {port} has not consented to a channel with port {counterparty_port:?} over client {client} \
             (its owner calls xc_port_approve first)"
        ),
    }
}

/// `xc_port_open`: the handshake's `Init` from the sender's port.
pub(crate) fn open<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (client, counterparty_port, ordering, version): (u64, &str, Ordering, &str),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let port = account_port(&cx.sender);
    channel::open_init(host, cx, (&port, client, counterparty_port, ordering, version))
}

/// `xc_port_approve`: the sender's consent to answer an opening from `counterparty_port` of
/// the chain of `client`.
pub(crate) fn approve<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (client, counterparty_port, version): (u64, &str, &str),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    if let Err(e) = validate_port(counterparty_port) {
        refuse!("{e}");
    }
    if let Err(e) = check_version(version) {
        refuse!("{e}");
    }
    if crate::client::client(host, client)?.is_none() {
        refuse!("no client {client}");
    }
    let port = account_port(&cx.sender);
    host.put(keys::approval(&port, client, counterparty_port), version.as_bytes().to_vec());
    Ok(Ok(vec![CrosschainEvent::PortApproved { port, client, counterparty_port: counterparty_port.to_string() }]))
}

/// `xc_port_send`: a packet from the sender's port on one of its open channels.
pub(crate) fn send<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (channel_id, data): (u64, &[u8]),
    timeouts: (u64, u64),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let port = account_port(&cx.sender);
    let (c, p) = check!(packet::prepare(host, channel_id, &port, data.to_vec(), timeouts));
    Ok(Ok(vec![packet::commit(host, c, &p)]))
}

/// `xc_port_consume`: takes packet `seq` out of the inbox of one of the sender's channels.
pub(crate) fn consume<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (channel_id, seq): (u64, u64),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let c = check!(existing(host, channel_id));
    if owner(&c.end.port) != Some(cx.sender) {
        refuse!("channel {channel_id} belongs to port {:?}, not the caller's", c.end.port);
    }
    let Some(data) = inbox(host, channel_id, seq)? else {
        refuse!("no packet {seq} waits in channel {channel_id}'s inbox (not received yet, or consumed)");
    };
    host.delete(keys::inbox(channel_id, seq));
    Ok(Ok(vec![CrosschainEvent::PacketConsumed { channel: channel_id, sequence: seq, data }]))
}

/// A packet arrived for an account port: into the inbox, acknowledged with empty data.
pub(crate) fn on_recv<H: Host + ?Sized>(host: &mut H, channel: &Channel, packet: &Packet) -> Vec<u8> {
    host.put(keys::inbox(channel.id, packet.sequence), packet.data.clone());
    Vec::new()
}

/// A packet an account port sent was settled: its outcome kept for the sender.
pub(crate) fn settle<H: Host + ?Sized>(host: &mut H, channel: &Channel, packet: &Packet, outcome: &PacketOutcome) {
    host.put(keys::outcome(channel.id, packet.sequence), outcome.encode());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ports_name_their_owner() {
        let a = Address([0xab; 20]);
        let port = account_port(&a);
        assert_eq!(port, format!("0x{}", "ab".repeat(20)));
        validate_port(&port).unwrap();
        assert_eq!(owner(&port), Some(a));
        for not in ["transfer", "0x", "0xAB", &format!("0x{}", "AB".repeat(20)), &format!("0x{}", "ab".repeat(21))] {
            assert_eq!(owner(not), None, "{not}");
        }
    }
}
