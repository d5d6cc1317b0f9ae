//! Channels: a four-step handshake between an application (port) here and one on the other
//! chain, each step proving the other end's state through the channel's light client, and a
//! two-step close.
//!
//! Every channel end names the other chain by its genesis hash, and each step checks that the
//! other end names *this* chain: a relayer cannot splice an end meant for a third chain into
//! the handshake.
//!
//! | step | where | proves (other end) | this end becomes |
//! |---|---|---|---|
//! | `ChannelOpenInit` | A | — | `Init` |
//! | `ChannelOpenTry` | B | A's end `Init`, counterparty = B | `TryOpen` |
//! | `ChannelOpenAck` | A | B's end `TryOpen`, counterparty = A's channel | `Open` |
//! | `ChannelOpenConfirm` | B | A's end `Open`, counterparty = B's channel | `Open` |
//! | `ChannelClose` | either (owner) | — | `Closed` |
//! | `ChannelCloseConfirm` | the other | the end `Closed` | `Closed` |

use hechain_chain::smt::Proof;
use hechain_module::exec::{counter, read, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::{Codec, H256};

use crate::calls::CrosschainEvent;
use crate::client::{self, check, refuse, Checked};
use crate::{apps, keys, validate_port, Channel, ChannelEnd, ChannelState, Counterparty, Ordering};

/// A channel by id.
pub fn channel<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Channel>, StateError> {
    read(s, &keys::channel(id))
}

/// A channel that exists, or a refusal naming it.
pub(crate) fn existing<S: StateView + ?Sized>(s: &S, id: u64) -> Checked<Channel> {
    match channel(s, id)? {
        Some(c) => Ok(Ok(c)),
        None => Ok(Err(format!("no channel {id}"))),
    }
}

fn save<H: Host + ?Sized>(host: &mut H, c: &Channel) {
    host.put(keys::channel(c.id), c.encode());
    host.put(keys::end(c.id), c.end.encode());
}

fn event(c: &Channel) -> CrosschainEvent {
    CrosschainEvent::Channel { channel: c.id, state: c.end.state, counterparty_channel: c.end.counterparty.channel }
}

/// Checks that the other chain's end of channel `their_id` is `expected`, under the header at
/// `proof_height` of `client`.
pub(crate) fn verify_end<S: StateView + ?Sized>(
    s: &S,
    client: u64,
    their_id: u64,
    expected: &ChannelEnd,
    proof_height: u64,
    proof: &Proof,
) -> Checked<()> {
    let value = expected.encode();
    match client::verify_key(s, client, proof_height, &keys::end(their_id), Some(&value), proof)? {
        Ok(_) => Ok(Ok(())),
        Err(reason) => Ok(Err(format!(
            "the other chain's channel {their_id} is not {:?} as expected (counterparty: this chain, port {:?}): {reason}",
            expected.state, expected.counterparty.port
        ))),
    }
}

/// A new channel (its id taken, its next sequence to receive at 1).
fn new_channel<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    client: u64,
    end: ChannelEnd,
) -> Result<Channel, StateError> {
    let id = counter(host, keys::NEXT_CHANNEL)?;
    host.put(keys::NEXT_CHANNEL.to_vec(), (id + 1).to_be_bytes().to_vec());
    host.put(keys::recv_seq(id), 1u64.to_be_bytes().to_vec());
    // A channel of an account port belongs to the port's owner, whoever relayed its handshake.
    let owner = crate::ports::owner(&end.port).unwrap_or(cx.sender);
    Ok(Channel { id, client, end, next_send: 1, next_ack: 1, owner, created: cx.stamp() })
}

fn usable_client<S: StateView + ?Sized>(s: &S, id: u64) -> Checked<H256> {
    let Some(c) = client::client(s, id)? else { refuse!("no client {id}") };
    if c.frozen.is_some() {
        refuse!("client {id} is frozen");
    }
    Ok(Ok(c.genesis_hash))
}

fn check_app(port: &str, counterparty_port: &str, version: &str) -> Result<(), String> {
    validate_port(port).map_err(|e| e.to_string())?;
    validate_port(counterparty_port).map_err(|e| e.to_string())?;
    apps::check_version(port, version)
}

/// `ChannelOpenInit`.
pub(crate) fn open_init<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (port, client, counterparty_port, ordering, version): (&str, u64, &str, Ordering, &str),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    if let Err(e) = check_app(port, counterparty_port, version) {
        refuse!("{e}");
    }
    if crate::ports::owner(port).is_some_and(|owner| owner != cx.sender) {
        refuse!("only the account {port} opens channels from its port");
    }
    let genesis_hash = check!(usable_client(host, client));
    let end = ChannelEnd {
        state: ChannelState::Init,
        ordering,
        port: port.to_string(),
        counterparty: Counterparty { genesis_hash, port: counterparty_port.to_string(), channel: None },
        version: version.to_string(),
    };
    let c = new_channel(host, cx, client, end)?;
    save(host, &c);
    Ok(Ok(vec![event(&c)]))
}

/// `ChannelOpenTry`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_try<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (port, client, counterparty_port, counterparty_channel, ordering, version): (&str, u64, &str, u64, Ordering, &str),
    proof_height: u64,
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    if let Err(e) = check_app(port, counterparty_port, version) {
        refuse!("{e}");
    }
    let genesis_hash = check!(usable_client(host, client));
    let theirs = ChannelEnd {
        state: ChannelState::Init,
        ordering,
        port: counterparty_port.to_string(),
        counterparty: Counterparty { genesis_hash: cx.block.genesis_hash, port: port.to_string(), channel: None },
        version: version.to_string(),
    };
    check!(verify_end(host, client, counterparty_channel, &theirs, proof_height, proof));
    if crate::ports::owner(port).is_some() {
        check!(crate::ports::take_approval(host, (port, client, counterparty_port, version)));
    }
    let end = ChannelEnd {
        state: ChannelState::TryOpen,
        ordering,
        port: port.to_string(),
        counterparty: Counterparty {
            genesis_hash,
            port: counterparty_port.to_string(),
            channel: Some(counterparty_channel),
        },
        version: version.to_string(),
    };
    let c = new_channel(host, cx, client, end)?;
    save(host, &c);
    Ok(Ok(vec![event(&c)]))
}

/// The other end as this end expects it to be in `state`, naming this channel.
fn their_end(cx: &CallContext, c: &Channel, state: ChannelState) -> ChannelEnd {
    ChannelEnd {
        state,
        ordering: c.end.ordering,
        port: c.end.counterparty.port.clone(),
        counterparty: Counterparty {
            genesis_hash: cx.block.genesis_hash,
            port: c.end.port.clone(),
            channel: Some(c.id),
        },
        version: c.end.version.clone(),
    }
}

/// A handshake step proven from the other side: channel `id` must be in one of `from`, the
/// other end (channel `their_id` when this step learns it, else the one this end knows) must be
/// proven in state `theirs` naming this channel, and this end then becomes `to`.
fn proven_step<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (id, their_id): (u64, Option<u64>),
    (from, theirs, to): (&[ChannelState], ChannelState, ChannelState),
    (proof_height, proof): (u64, &Proof),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let mut c = check!(existing(host, id));
    if !from.contains(&c.end.state) {
        refuse!(
            "channel {id} is {:?}, not {}",
            c.end.state,
            from.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(" or ")
        );
    }
    let Some(their_id) = their_id.or(c.end.counterparty.channel) else {
        refuse!("channel {id} does not know the other end yet");
    };
    let expected = their_end(cx, &c, theirs);
    check!(verify_end(host, c.client, their_id, &expected, proof_height, proof));
    c.end.state = to;
    c.end.counterparty.channel = Some(their_id);
    save(host, &c);
    Ok(Ok(vec![event(&c)]))
}

/// `ChannelOpenAck`: Init → Open, proving the other end TryOpen.
pub(crate) fn open_ack<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (id, counterparty_channel, proof_height): (u64, u64, u64),
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    use ChannelState::*;
    proven_step(host, cx, (id, Some(counterparty_channel)), (&[Init], TryOpen, Open), (proof_height, proof))
}

/// `ChannelOpenConfirm`: TryOpen → Open, proving the other end Open.
pub(crate) fn open_confirm<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (id, proof_height): (u64, u64),
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    use ChannelState::*;
    proven_step(host, cx, (id, None), (&[TryOpen], Open, Open), (proof_height, proof))
}

/// `ChannelClose` (the owner).
pub(crate) fn close<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    id: u64,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let mut c = check!(existing(host, id));
    if c.owner != cx.sender {
        refuse!("only channel {id}'s owner {} may close it", c.owner);
    }
    if c.end.state == ChannelState::Closed {
        refuse!("channel {id} is already closed");
    }
    c.end.state = ChannelState::Closed;
    save(host, &c);
    Ok(Ok(vec![event(&c)]))
}

/// `ChannelCloseConfirm`: any open or opening state → Closed, proving the other end Closed.
pub(crate) fn close_confirm<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (id, proof_height): (u64, u64),
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    use ChannelState::*;
    proven_step(host, cx, (id, None), (&[Init, TryOpen, Open], Closed, Closed), (proof_height, proof))
}

/// Closes an ordered channel whose packet timed out (no later packet may overtake it).
pub(crate) fn close_on_timeout<H: Host + ?Sized>(host: &mut H, c: &mut Channel) -> CrosschainEvent {
    c.end.state = ChannelState::Closed;
    save(host, c);
    event(c)
}

/// Saves a channel's bookkeeping (sequence counters).
pub(crate) fn store<H: Host + ?Sized>(host: &mut H, c: &Channel) {
    save(host, c)
}
