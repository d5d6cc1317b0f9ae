//! Packets: committed by the sending chain, received exactly once by the other chain on proof
//! of the commitment, acknowledged back on proof of the acknowledgement, or rolled back on
//! proof that they were not received in time.
//!
//! The proofs are the only trust: anyone may relay, several relayers may race, and a packet is
//! still processed once — the receipt (`xc/receipt/…`, or the next sequence of an ordered
//! channel) makes a second delivery a refusal, and the deleted commitment a second
//! acknowledgement or timeout one.

use hechain_chain::smt::Proof;
use hechain_module::exec::{read, read_u64, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::Codec;

use crate::calls::CrosschainEvent;
use crate::channel::{self, existing, verify_end};
use crate::client::{self, check, refuse, Checked};
use crate::{apps, keys, Ack, Channel, ChannelEnd, ChannelState, Counterparty, Ordering, Packet, MAX_PACKET_DATA};

/// A packet committed and not yet acknowledged or timed out.
pub fn commitment<S: StateView + ?Sized>(s: &S, channel: u64, seq: u64) -> Result<Option<Packet>, StateError> {
    read(s, &keys::commitment(channel, seq))
}

/// An acknowledgement written by this chain.
pub fn ack<S: StateView + ?Sized>(s: &S, channel: u64, seq: u64) -> Result<Option<Ack>, StateError> {
    read(s, &keys::ack(channel, seq))
}

/// The next sequence channel `channel` expects to receive (ordered channels).
pub fn next_recv<S: StateView + ?Sized>(s: &S, channel: u64) -> Result<u64, StateError> {
    Ok(read_u64(s, &keys::recv_seq(channel))?.unwrap_or(1))
}

/// Whether this chain received packet `seq` on `channel`.
pub fn received<S: StateView + ?Sized>(s: &S, channel: u64, seq: u64) -> Result<bool, StateError> {
    Ok(s.get(&keys::receipt(channel, seq))?.is_some())
}

/// Builds the next packet of an open channel of `port` (nothing written: [`commit`] does).
pub(crate) fn prepare<S: StateView + ?Sized>(
    s: &S,
    channel_id: u64,
    port: &str,
    data: Vec<u8>,
    (timeout_height, timeout_ms): (u64, u64),
) -> Checked<(Channel, Packet)> {
    let c = check!(existing(s, channel_id));
    if c.end.port != port {
        refuse!("channel {channel_id} belongs to port {:?}, not {port:?}", c.end.port);
    }
    if c.end.state != ChannelState::Open {
        refuse!("channel {channel_id} is {:?}, not Open", c.end.state);
    }
    let Some(destination_channel) = c.end.counterparty.channel else {
        return Err(StateError::Invariant(format!("open channel {channel_id} without a counterparty channel")));
    };
    if timeout_height == 0 && timeout_ms == 0 {
        refuse!("a packet needs a timeout: a height or a time of the other chain");
    }
    if data.len() > MAX_PACKET_DATA {
        refuse!("packet data is {} bytes, at most {MAX_PACKET_DATA}", data.len());
    }
    let packet = Packet {
        sequence: c.next_send,
        source_port: port.to_string(),
        source_channel: channel_id,
        destination_port: c.end.counterparty.port.clone(),
        destination_channel,
        data,
        timeout_height,
        timeout_ms,
    };
    Ok(Ok((c, packet)))
}

/// Commits a packet [`prepare`] built.
pub(crate) fn commit<H: Host + ?Sized>(host: &mut H, mut c: Channel, packet: &Packet) -> CrosschainEvent {
    host.put(keys::commitment(packet.source_channel, packet.sequence), packet.encode());
    c.next_send += 1;
    channel::store(host, &c);
    CrosschainEvent::PacketSent { channel: packet.source_channel, sequence: packet.sequence }
}

/// The channel a packet arrives on, checked against the packet's addressing.
fn arrival<S: StateView + ?Sized>(s: &S, p: &Packet) -> Checked<Channel> {
    let c = check!(existing(s, p.destination_channel));
    if c.end.state != ChannelState::Open {
        refuse!("channel {} is {:?}, not Open", c.id, c.end.state);
    }
    if c.end.port != p.destination_port
        || c.end.counterparty.port != p.source_port
        || c.end.counterparty.channel != Some(p.source_channel)
    {
        refuse!(
            "the packet is addressed {}/{} → {}/{}, channel {} connects {}/{:?} → {}",
            p.source_port,
            p.source_channel,
            p.destination_port,
            p.destination_channel,
            c.id,
            c.end.counterparty.port,
            c.end.counterparty.channel,
            c.end.port
        );
    }
    Ok(Ok(c))
}

/// `RecvPacket`.
pub(crate) fn recv<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    p: &Packet,
    proof_height: u64,
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let c = check!(arrival(host, p));
    let (chan, seq) = (c.id, p.sequence);
    if received(host, chan, seq)? {
        refuse!("packet {seq} of channel {chan} was already received");
    }
    if c.end.ordering == Ordering::Ordered {
        let next = next_recv(host, chan)?;
        if seq != next {
            refuse!("channel {chan} is ordered and expects packet {next}, not {seq}");
        }
    }
    if p.timed_out_at(cx.block.height, cx.block.timestamp_ms) {
        refuse!(
            "packet {seq} timed out here (timeout height {}, time {} ms; this block is {} at {} ms)",
            p.timeout_height,
            p.timeout_ms,
            cx.block.height,
            cx.block.timestamp_ms
        );
    }
    let value = p.encode();
    check!(client::verify_key(
        host,
        c.client,
        proof_height,
        &keys::commitment(p.source_channel, seq),
        Some(&value),
        proof
    ));
    let (ack, mut events) = match apps::on_recv(host, cx, &c, p)? {
        Ok((data, events)) => (Ack::Success { data }, events),
        Err(reason) => (Ack::Error { reason }, Vec::new()),
    };
    let success = matches!(ack, Ack::Success { .. });
    host.put(keys::receipt(chan, seq), Vec::new());
    host.put(keys::ack(chan, seq), ack.encode());
    if c.end.ordering == Ordering::Ordered {
        host.put(keys::recv_seq(chan), (seq + 1).to_be_bytes().to_vec());
    }
    events.push(CrosschainEvent::PacketReceived { channel: chan, sequence: seq, success });
    Ok(Ok(events))
}

/// The channel a packet left from, with the packet still committed as given.
fn departure<S: StateView + ?Sized>(s: &S, p: &Packet) -> Checked<Channel> {
    let c = check!(existing(s, p.source_channel));
    match commitment(s, p.source_channel, p.sequence)? {
        None => refuse!(
            "packet {} of channel {} is not pending: it was acknowledged or timed out already, or never sent",
            p.sequence,
            p.source_channel
        ),
        Some(sent) if sent != *p => refuse!("packet {} of channel {} differs from the one sent", p.sequence, c.id),
        Some(_) => Ok(Ok(c)),
    }
}

/// `AckPacket`.
pub(crate) fn acknowledge<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (p, ack): (&Packet, &Ack),
    proof_height: u64,
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let mut c = check!(departure(host, p));
    let seq = p.sequence;
    if c.end.ordering == Ordering::Ordered && seq != c.next_ack {
        refuse!("channel {} is ordered and expects the acknowledgement of packet {}, not {seq}", c.id, c.next_ack);
    }
    let value = ack.encode();
    check!(client::verify_key(
        host,
        c.client,
        proof_height,
        &keys::ack(p.destination_channel, seq),
        Some(&value),
        proof
    ));
    let mut events = apps::on_ack(host, cx, &c, p, ack)?;
    host.delete(keys::commitment(c.id, seq));
    if c.end.ordering == Ordering::Ordered {
        c.next_ack += 1;
        channel::store(host, &c);
    }
    let success = matches!(ack, Ack::Success { .. });
    events.push(CrosschainEvent::PacketAcknowledged { channel: c.id, sequence: seq, success });
    Ok(Ok(events))
}

/// What a timeout proves about the receiving end.
pub(crate) struct TimeoutProof<'a> {
    /// Height of the client's header the proofs are under.
    pub(crate) height: u64,
    /// Receipt absent (unordered) or next sequence to receive (ordered).
    pub(crate) proof: &'a Proof,
    /// Ordered: that next sequence.
    pub(crate) next_recv: Option<u64>,
    /// On close: the other end closed.
    pub(crate) closed: Option<&'a Proof>,
}

/// `TimeoutPacket`.
pub(crate) fn timeout<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    p: &Packet,
    t: TimeoutProof<'_>,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let mut c = check!(departure(host, p));
    let seq = p.sequence;
    let dest = p.destination_channel;
    let proven_at = match t.closed {
        Some(closed) => {
            let theirs = ChannelEnd {
                state: ChannelState::Closed,
                ordering: c.end.ordering,
                port: p.destination_port.clone(),
                counterparty: Counterparty {
                    genesis_hash: cx.block.genesis_hash,
                    port: c.end.port.clone(),
                    channel: Some(c.id),
                },
                version: c.end.version.clone(),
            };
            check!(verify_end(host, c.client, dest, &theirs, t.height, closed));
            None
        }
        None => Some(t.height),
    };
    let state = match (c.end.ordering, t.next_recv) {
        (Ordering::Unordered, None) => {
            check!(client::verify_key(host, c.client, t.height, &keys::receipt(dest, seq), None, t.proof))
        }
        (Ordering::Ordered, Some(next)) => {
            if next > seq {
                refuse!("the other chain's next packet to receive is {next}: packet {seq} was received");
            }
            let value = next.to_be_bytes();
            check!(client::verify_key(host, c.client, t.height, &keys::recv_seq(dest), Some(&value), t.proof))
        }
        (Ordering::Unordered, Some(_)) => {
            refuse!("channel {} is unordered: prove the receipt's absence, not a next sequence", c.id)
        }
        (Ordering::Ordered, None) => {
            refuse!("channel {} is ordered: prove the other end's next sequence (next_recv)", c.id)
        }
    };
    if let Some(height) = proven_at {
        if !p.timed_out_at(height, state.timestamp_ms) {
            refuse!(
                "packet {seq} has not timed out at block {height} of the other chain ({} ms): its timeout is height {}, \
                 time {} ms",
                state.timestamp_ms,
                p.timeout_height,
                p.timeout_ms
            );
        }
    }
    let mut events = apps::on_timeout(host, cx, &c, p)?;
    host.delete(keys::commitment(c.id, seq));
    if c.end.ordering == Ordering::Ordered && c.end.state != ChannelState::Closed {
        events.push(channel::close_on_timeout(host, &mut c));
    }
    events.push(CrosschainEvent::PacketTimedOut { channel: c.id, sequence: seq });
    Ok(Ok(events))
}
