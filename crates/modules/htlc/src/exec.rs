//! The HTLC rules.

use hechain_module::exec::{counter, read, CallContext, Host, Origin, Outcome, StateError, StateView};
use hechain_primitives::{Address, Codec, H256};

use crate::{hash_lock, keys, Htlc, HtlcEvent, HtlcState};

/// A lock by id.
pub fn lock<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Htlc>, StateError> {
    read(s, &keys::lock(id))
}

/// The account holding locked tokens (no key controls it).
pub fn escrow_address(suite: hechain_crypto::Suite) -> Address {
    let h = suite.hash(b"hechain/htlc/escrow");
    let mut a = [0u8; 20];
    a.copy_from_slice(&h[..20]);
    Address(a)
}

macro_rules! refuse {
    ($($arg:tt)*) => { return Ok(Err(format!($($arg)*))) };
}

fn contract_refused(cx: &CallContext) -> Option<String> {
    (cx.origin != Origin::Transaction).then(|| "HTLC calls are sent by transactions, not by contracts".to_string())
}

/// `Lock`.
pub(crate) fn lock_tokens<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (receiver, hash, deadline_ms, amount): (Address, H256, u64, u128),
) -> Result<Outcome<HtlcEvent>, StateError> {
    if let Some(r) = contract_refused(cx) {
        return Ok(Err(r));
    }
    if deadline_ms <= cx.block.timestamp_ms {
        refuse!("the deadline {deadline_ms} ms is not after this block's time ({} ms)", cx.block.timestamp_ms);
    }
    let id = counter(host, keys::NEXT_ID)?;
    if let Err(reason) = host.transfer(&cx.sender, &escrow_address(cx.block.suite), amount)? {
        refuse!("{reason}");
    }
    let h = Htlc {
        id,
        sender: cx.sender,
        receiver,
        amount,
        hash_lock: hash,
        deadline_ms,
        state: HtlcState::Locked,
        locked: cx.stamp(),
    };
    host.put(keys::NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    host.put(keys::lock(id), h.encode());
    host.put(keys::by_hash(&hash, id), Vec::new());
    Ok(Ok(vec![HtlcEvent::Locked { id, hash_lock: hash, receiver, amount, deadline_ms }]))
}

fn locked<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Result<Htlc, String>, StateError> {
    match lock(s, id)? {
        None => Ok(Err(format!("no lock {id}"))),
        Some(h) => match &h.state {
            HtlcState::Locked => Ok(Ok(h)),
            HtlcState::Claimed { stamp, .. } => Ok(Err(format!("lock {id} was claimed at height {}", stamp.height))),
            HtlcState::Refunded { stamp } => Ok(Err(format!("lock {id} was refunded at height {}", stamp.height))),
        },
    }
}

/// Pays a lock's amount from the escrow to `to` and records its final `state`.
fn settle<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    h: &mut Htlc,
    to: Address,
    state: HtlcState,
) -> Result<(), StateError> {
    if let Err(reason) = host.transfer(&escrow_address(cx.block.suite), &to, h.amount)? {
        return Err(StateError::Invariant(format!("the HTLC escrow cannot pay lock {} to {to}: {reason}", h.id)));
    }
    h.state = state;
    host.put(keys::lock(h.id), h.encode());
    Ok(())
}

/// `Claim`.
pub(crate) fn claim<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    id: u64,
    preimage: &H256,
) -> Result<Outcome<HtlcEvent>, StateError> {
    if let Some(r) = contract_refused(cx) {
        return Ok(Err(r));
    }
    let mut h = match locked(host, id)? {
        Ok(h) => h,
        Err(r) => return Ok(Err(r)),
    };
    if cx.block.timestamp_ms >= h.deadline_ms {
        refuse!(
            "lock {id} expired at {} ms (this block is at {} ms): only a refund is possible",
            h.deadline_ms,
            cx.block.timestamp_ms
        );
    }
    if hash_lock(preimage) != h.hash_lock {
        refuse!("the secret does not open lock {id}: its SHA-256 is not the hash lock {}", h.hash_lock);
    }
    let to = h.receiver;
    settle(host, cx, &mut h, to, HtlcState::Claimed { preimage: *preimage, stamp: cx.stamp() })?;
    Ok(Ok(vec![HtlcEvent::Claimed { id, preimage: *preimage }]))
}

/// `Refund`.
pub(crate) fn refund<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    id: u64,
) -> Result<Outcome<HtlcEvent>, StateError> {
    if let Some(r) = contract_refused(cx) {
        return Ok(Err(r));
    }
    let mut h = match locked(host, id)? {
        Ok(h) => h,
        Err(r) => return Ok(Err(r)),
    };
    if h.sender != cx.sender {
        refuse!("only lock {id}'s sender {} may refund it", h.sender);
    }
    if cx.block.timestamp_ms < h.deadline_ms {
        refuse!("lock {id} is refundable from {} ms (this block is at {} ms)", h.deadline_ms, cx.block.timestamp_ms);
    }
    let to = h.sender;
    settle(host, cx, &mut h, to, HtlcState::Refunded { stamp: cx.stamp() })?;
    Ok(Ok(vec![HtlcEvent::Refunded { id }]))
}
