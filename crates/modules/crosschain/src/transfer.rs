//! Cross-chain token transfers (port `transfer`), after IBC's fungible-token transfer.
//!
//! Sending the native token escrows it in the channel's escrow account; the receiving chain
//! mints a voucher whose denomination records the way it came (`xc/<channel>/native`, the
//! receiving chain's channel). A voucher sent back over the channel it came through is burned,
//! and its chain of origin releases the escrowed tokens. Vouchers sent onwards over another
//! channel are escrowed like native tokens and traced one level deeper there. So on every pair
//! of chains, what one chain holds in escrow for a channel equals the vouchers of that channel
//! in existence on the other (tests check it on both chains).

use hechain_module::exec::{read, CallContext, Host, Origin, Outcome, StateError, StateView};
use hechain_primitives::{Address, Codec};

use crate::apps::TRANSFER_PORT;
use crate::calls::CrosschainEvent;
use crate::client::{check, refuse, Checked};
use crate::{keys, packet, validate_denom, voucher_denom, Channel, Packet, TransferData, MAX_DENOM_LEN, NATIVE_DENOM};

/// The account holding what channel `channel` escrows (no key controls it).
pub fn escrow_address(suite: hechain_crypto::Suite, channel: u64) -> Address {
    let h = suite.hash_parts(&[b"hechain/xc/escrow/", &channel.to_be_bytes()]);
    let mut a = [0u8; 20];
    a.copy_from_slice(&h[..20]);
    Address(a)
}

/// A holder's balance of a voucher denomination.
pub fn voucher_balance<S: StateView + ?Sized>(s: &S, holder: &Address, denom: &str) -> Result<u128, StateError> {
    Ok(read::<U128, _>(s, &keys::balance(holder, denom))?.map(|v| v.0).unwrap_or(0))
}

/// Vouchers of a denomination in existence.
pub fn supply<S: StateView + ?Sized>(s: &S, denom: &str) -> Result<u128, StateError> {
    Ok(read::<U128, _>(s, &keys::supply(denom))?.map(|v| v.0).unwrap_or(0))
}

/// A stored amount.
#[derive(borsh::BorshSerialize, borsh::BorshDeserialize)]
struct U128(u128);
impl Codec for U128 {}

fn set_amount<H: Host + ?Sized>(host: &mut H, key: Vec<u8>, v: u128) {
    if v == 0 {
        host.delete(key);
    } else {
        host.put(key, U128(v).encode());
    }
}

fn tokens(action: &str, denom: &str, amount: u128, account: Address) -> CrosschainEvent {
    CrosschainEvent::Tokens { action: action.into(), denom: denom.into(), amount, account }
}

/// Adds `amount` vouchers to `to` (refused if a total would overflow).
fn mint<H: Host + ?Sized>(host: &mut H, to: &Address, denom: &str, amount: u128) -> Checked<CrosschainEvent> {
    let (Some(bal), Some(total)) =
        (voucher_balance(host, to, denom)?.checked_add(amount), supply(host, denom)?.checked_add(amount))
    else {
        refuse!("minting {amount} {denom} would overflow")
    };
    set_amount(host, keys::balance(to, denom), bal);
    set_amount(host, keys::supply(denom), total);
    Ok(Ok(tokens("minted", denom, amount, *to)))
}

/// Moves vouchers between holders (refused when `from` has too few).
fn move_vouchers<H: Host + ?Sized>(
    host: &mut H,
    from: &Address,
    to: &Address,
    denom: &str,
    amount: u128,
) -> Checked<()> {
    let have = voucher_balance(host, from, denom)?;
    if have < amount {
        refuse!("{from} holds {have} {denom}, not {amount}");
    }
    let to_bal = voucher_balance(host, to, denom)?;
    let Some(new_to) = to_bal.checked_add(amount) else { refuse!("{to}'s balance of {denom} would overflow") };
    set_amount(host, keys::balance(from, denom), have - amount);
    set_amount(host, keys::balance(to, denom), new_to);
    Ok(Ok(()))
}

/// `Transfer`: escrow or burn, then commit the packet.
pub(crate) fn send<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (channel, denom, amount, receiver): (u64, &str, u128, Address),
    timeouts: (u64, u64),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    if let Err(e) = validate_denom(denom) {
        refuse!("{e}");
    }
    if amount == 0 {
        refuse!("the amount must be positive");
    }
    if cx.origin != Origin::Transaction {
        refuse!("cross-chain transfers are sent by transactions, not by contracts");
    }
    let sender = cx.sender;
    let data = TransferData { denom: denom.to_string(), amount, sender, receiver }.encode();
    let (c, p) = check!(packet::prepare(host, channel, TRANSFER_PORT, data, timeouts));
    let escrow = escrow_address(cx.block.suite, channel);
    let moved = if denom.starts_with(&format!("xc/{channel}/")) {
        // A voucher going home: burn it.
        let have = voucher_balance(host, &sender, denom)?;
        if have < amount {
            refuse!("{sender} holds {have} {denom}, not {amount}");
        }
        set_amount(host, keys::balance(&sender, denom), have - amount);
        set_amount(host, keys::supply(denom), supply(host, denom)?.saturating_sub(amount));
        tokens("burned", denom, amount, sender)
    } else if denom == NATIVE_DENOM {
        if let Err(reason) = host.transfer(&sender, &escrow, amount)? {
            refuse!("{reason}");
        }
        tokens("escrowed", denom, amount, sender)
    } else {
        check!(move_vouchers(host, &sender, &escrow, denom, amount));
        tokens("escrowed", denom, amount, sender)
    };
    let sent = packet::commit(host, c, &p);
    Ok(Ok(vec![moved, sent]))
}

/// A transfer packet arrived on channel `c`: release what returns home, mint the rest.
pub(crate) fn on_recv<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    c: &Channel,
    p: &Packet,
) -> Checked<(Vec<u8>, Vec<CrosschainEvent>)> {
    let Ok(data) = TransferData::decode(&p.data) else { refuse!("the packet's data is not a transfer") };
    if let Err(e) = validate_denom(&data.denom) {
        refuse!("{e}");
    }
    if data.amount == 0 {
        refuse!("the amount must be positive");
    }
    let event = match data.denom.strip_prefix(&format!("xc/{}/", p.source_channel)) {
        Some(local) => {
            // It left this chain through this channel: release it from escrow.
            let escrow = escrow_address(cx.block.suite, c.id);
            if local == NATIVE_DENOM {
                if let Err(reason) = host.transfer(&escrow, &data.receiver, data.amount)? {
                    refuse!("the escrow of channel {} cannot release {}: {reason}", c.id, data.amount);
                }
            } else {
                check!(move_vouchers(host, &escrow, &data.receiver, local, data.amount));
            }
            tokens("released", local, data.amount, data.receiver)
        }
        None => {
            let local = voucher_denom(c.id, &data.denom);
            if local.len() > MAX_DENOM_LEN {
                refuse!("the voucher denomination would be longer than {MAX_DENOM_LEN} bytes");
            }
            check!(mint(host, &data.receiver, &local, data.amount))
        }
    };
    Ok(Ok((vec![1], vec![event])))
}

/// Gives the sender back what a failed or timed-out transfer took.
pub(crate) fn refund<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    c: &Channel,
    p: &Packet,
) -> Result<Vec<CrosschainEvent>, StateError> {
    let data = TransferData::decode(&p.data).map_err(|e| {
        StateError::Invariant(format!("packet {} of channel {} is not a transfer: {e}", p.sequence, c.id))
    })?;
    let escrow = escrow_address(cx.block.suite, c.id);
    let broken = |reason: String| {
        StateError::Invariant(format!("refund of packet {} of channel {}: {reason}", p.sequence, c.id))
    };
    let event = if data.denom.starts_with(&format!("xc/{}/", c.id)) {
        mint(host, &data.sender, &data.denom, data.amount)?.map_err(broken)?
    } else if data.denom == NATIVE_DENOM {
        host.transfer(&escrow, &data.sender, data.amount)?.map_err(broken)?;
        tokens("released", &data.denom, data.amount, data.sender)
    } else {
        move_vouchers(host, &escrow, &data.sender, &data.denom, data.amount)?.map_err(broken)?;
        tokens("released", &data.denom, data.amount, data.sender)
    };
    Ok(vec![event])
}
