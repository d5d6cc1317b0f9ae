//! The applications (ports) channels connect, and their packet callbacks.
//!
//! An application decides what a packet means: on receipt it answers an acknowledgement (or
//! refuses with a reason, which the sender gets back as an error acknowledgement — it then
//! writes nothing), and on the sender's side it settles the acknowledgement or rolls back a
//! timed-out packet. Adding one is adding a port here.
//!
//! Besides these named applications, every account owns the port named by its address
//! ([`crate::ports`]): contracts send and receive through it.

use hechain_module::exec::{CallContext, Host, StateError};

use crate::calls::CrosschainEvent;
use crate::client::Checked;
use crate::{ports, transfer, Ack, Channel, Packet, PacketOutcome};

/// Port of cross-chain token transfers.
pub const TRANSFER_PORT: &str = "transfer";
/// Channel version of cross-chain token transfers.
pub const TRANSFER_VERSION: &str = "xc-transfer-1";

/// The applications, with the channel version each speaks.
pub const PORTS: &[(&str, &str)] = &[(TRANSFER_PORT, TRANSFER_VERSION)];

/// Checks that `port` is an application of this chain and `version` its version (an account
/// port speaks any version its owner chooses).
pub fn check_version(port: &str, version: &str) -> Result<(), String> {
    if ports::owner(port).is_some() {
        return ports::check_version(version);
    }
    match PORTS.iter().find(|(p, _)| *p == port) {
        Some((_, v)) if *v == version => Ok(()),
        Some((_, v)) => Err(format!("port {port:?} speaks version {v:?}, not {version:?}")),
        None => Err(format!(
            "no application on port {port:?}; this chain has {} and account ports (0x and the account's 40 \
             lowercase hex digits)",
            PORTS.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// A packet arrived on `channel`: the acknowledgement data and events, or the reason for an
/// error acknowledgement.
pub(crate) fn on_recv<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    channel: &Channel,
    packet: &Packet,
) -> Checked<(Vec<u8>, Vec<CrosschainEvent>)> {
    match channel.end.port.as_str() {
        TRANSFER_PORT => transfer::on_recv(host, cx, channel, packet),
        port if ports::owner(port).is_some() => Ok(Ok((ports::on_recv(host, channel, packet), Vec::new()))),
        other => Ok(Err(format!("no application on port {other:?}"))),
    }
}

/// The other chain acknowledged a packet sent on `channel`.
pub(crate) fn on_ack<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    channel: &Channel,
    packet: &Packet,
    ack: &Ack,
) -> Result<Vec<CrosschainEvent>, StateError> {
    match channel.end.port.as_str() {
        TRANSFER_PORT => match ack {
            Ack::Success { .. } => Ok(Vec::new()),
            Ack::Error { .. } => transfer::refund(host, cx, channel, packet),
        },
        port if ports::owner(port).is_some() => {
            let outcome = match ack {
                Ack::Success { data } => PacketOutcome::Acknowledged { data: data.clone() },
                Ack::Error { reason } => PacketOutcome::Refused { reason: reason.clone() },
            };
            ports::settle(host, channel, packet, &outcome);
            Ok(Vec::new())
        }
        other => Err(StateError::Invariant(format!("channel {} on unknown port {other:?}", channel.id))),
    }
}

/// A packet sent on `channel` timed out.
pub(crate) fn on_timeout<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    channel: &Channel,
    packet: &Packet,
) -> Result<Vec<CrosschainEvent>, StateError> {
    match channel.end.port.as_str() {
        TRANSFER_PORT => transfer::refund(host, cx, channel, packet),
        port if ports::owner(port).is_some() => {
            ports::settle(host, channel, packet, &PacketOutcome::TimedOut);
            Ok(Vec::new())
        }
        other => Err(StateError::Invariant(format!("channel {} on unknown port {other:?}", channel.id))),
    }
}
