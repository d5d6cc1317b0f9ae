//! Receivable voucher module (供应链金融 数字凭证): issue, split/transfer, pledge/release,
//! settle.
//!
//! Invariants, enforced here and checked by property tests:
//! - until settlement, the amounts of a voucher's live parts (active or pledged) sum to its
//!   face value: a split must hand out exactly the part's amount;
//! - nothing is spent twice: only an active part can be split or pledged, and splitting spends
//!   it (status `spent`, with its children recorded);
//! - a matured voucher cannot move (no split, no pledge): it can only be settled, once;
//! - every part links to its parent, so its lineage back to issuance is a walk up the parents.
//!
//! Each operation checks everything before writing, so a refusal writes nothing.

use hechain_module::exec::{counter, read, BlockInfo as BlockContext, Host, StateError, StateView as StateRead};
use hechain_primitives::{Address, Codec, H256};

#[allow(unused_imports)]
use crate::{keys, types::*, VoucherEvent};

/// Outcome of a module operation: events, or the refusal reason.
pub type Outcome = Result<Vec<VoucherEvent>, String>;

/// The voucher with id `id`.
pub fn voucher<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<Voucher>, StateError> {
    read(s, &keys::voucher(id))
}

/// The part with id `id`.
pub fn part<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<VoucherPart>, StateError> {
    read(s, &keys::voucher_part(id))
}

fn must_part<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<VoucherPart, StateError> {
    part(s, id)?.ok_or_else(|| StateError::Corrupt {
        key: hechain_module::exec::hex_key(&keys::voucher_part(id)),
        reason: "part missing".into(),
    })
}

fn must_voucher<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Voucher, StateError> {
    voucher(s, id)?.ok_or_else(|| StateError::Corrupt {
        key: hechain_module::exec::hex_key(&keys::voucher(id)),
        reason: "voucher missing".into(),
    })
}

/// A part's lineage: the part itself, its parent, …, up to the part created at issuance.
pub fn lineage<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<Vec<VoucherPart>>, StateError> {
    let Some(first) = part(s, id)? else { return Ok(None) };
    let mut chain = vec![first];
    while let Some(parent) = chain.last().and_then(|p| p.parent) {
        chain.push(must_part(s, parent)?);
    }
    Ok(Some(chain))
}

fn put_part<H: Host + ?Sized>(o: &mut H, p: &VoucherPart) {
    o.put(keys::voucher_part(p.id), p.encode());
}

/// Issues a voucher: the sender owes `amount` to `holder`, due at `maturity_ms`.
#[allow(clippy::too_many_arguments)]
pub fn issue<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    issuer: &Address,
    tx_hash: H256,
    holder: &Address,
    amount: u128,
    maturity_ms: u64,
    reference: &H256,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_issue(amount) {
        return Ok(Err(e.to_string()));
    }
    if maturity_ms <= ctx.timestamp_ms {
        return Ok(Err(format!("maturity {maturity_ms} is not after the block time {}", ctx.timestamp_ms)));
    }
    if holder == issuer {
        return Ok(Err(format!("{issuer} cannot issue a voucher to itself")));
    }
    let id = counter(o, keys::VOUCHER_NEXT_ID)?;
    let part_id = counter(o, keys::VOUCHER_NEXT_PART)?;
    let s = ctx.stamp(tx_hash);
    let v = Voucher {
        id,
        issuer: *issuer,
        amount,
        maturity_ms,
        reference: *reference,
        issued: s,
        settled: None,
        live_parts: vec![part_id],
    };
    let p = VoucherPart {
        id: part_id,
        voucher_id: id,
        parent: None,
        holder: *holder,
        amount,
        status: PartStatus::Active,
        created: s,
        closed: None,
        children: vec![],
    };
    o.put(keys::voucher(id), v.encode());
    put_part(o, &p);
    o.put(keys::voucher_by_holder(holder, part_id), Vec::new());
    o.put(keys::voucher_by_issuer(issuer, id), Vec::new());
    o.put(keys::VOUCHER_NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    o.put(keys::VOUCHER_NEXT_PART.to_vec(), (part_id + 1).to_be_bytes().to_vec());
    Ok(Ok(vec![VoucherEvent::Issued { id, issuer: *issuer, holder: *holder, amount, part: part_id }]))
}

/// Loads a part the sender holds and may move (active, voucher not matured or settled).
fn movable<H: Host + ?Sized>(
    o: &H,
    ctx: BlockContext,
    sender: &Address,
    part_id: u64,
    action: &str,
) -> Result<Result<(VoucherPart, Voucher), String>, StateError> {
    let Some(p) = part(o, part_id)? else {
        return Ok(Err(format!("no voucher part has id {part_id}")));
    };
    if p.holder != *sender {
        return Ok(Err(format!(
            "only the holder {} of part {part_id} may {action} it; the sender is {sender}",
            p.holder
        )));
    }
    match &p.status {
        PartStatus::Active => {}
        PartStatus::Pledged { bank } => {
            return Ok(Err(format!("part {part_id} is pledged to {bank}; it moves again once the bank releases it")))
        }
        PartStatus::Spent => {
            return Ok(Err(format!("part {part_id} was already split into parts {:?}: it holds nothing", p.children)))
        }
        PartStatus::Settled { .. } => return Ok(Err(format!("part {part_id} is settled"))),
    }
    let v = must_voucher(o, p.voucher_id)?;
    if ctx.timestamp_ms >= v.maturity_ms {
        return Ok(Err(format!(
            "voucher {} matured at {} ms: its parts can no longer move, only be settled",
            v.id, v.maturity_ms
        )));
    }
    Ok(Ok((p, v)))
}

/// Splits a part held by the sender into new parts (a transfer is a split with one output).
pub fn split<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    part_id: u64,
    outputs: &[SplitOutput],
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_split(outputs) {
        return Ok(Err(e.to_string()));
    }
    let (mut p, mut v) = match movable(o, ctx, sender, part_id, "split")? {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    let total = outputs.iter().try_fold(0u128, |t, out| t.checked_add(out.amount));
    if total != Some(p.amount) {
        return Ok(Err(format!(
            "split outputs sum to {} but part {part_id} holds {}: they must be equal",
            total.map_or_else(|| "more than 2^128".to_string(), |t| t.to_string()),
            p.amount
        )));
    }
    let live_after = v.live_parts.len() - 1 + outputs.len();
    if live_after > crate::MAX_LIVE_PARTS {
        return Ok(Err(format!(
            "voucher {} would have {live_after} live parts, the limit is {}",
            v.id,
            crate::MAX_LIVE_PARTS
        )));
    }
    let first = counter(o, keys::VOUCHER_NEXT_PART)?;
    let s = ctx.stamp(tx_hash);
    let children: Vec<u64> = (first..first + outputs.len() as u64).collect();
    for (id, out) in children.iter().zip(outputs) {
        let c = VoucherPart {
            id: *id,
            voucher_id: v.id,
            parent: Some(part_id),
            holder: out.to,
            amount: out.amount,
            status: PartStatus::Active,
            created: s,
            closed: None,
            children: vec![],
        };
        put_part(o, &c);
        o.put(keys::voucher_by_holder(&out.to, *id), Vec::new());
    }
    o.delete(keys::voucher_by_holder(sender, part_id));
    p.status = PartStatus::Spent;
    p.closed = Some(s);
    p.children = children.clone();
    put_part(o, &p);
    v.live_parts.retain(|x| *x != part_id);
    v.live_parts.extend(&children);
    o.put(keys::voucher(v.id), v.encode());
    o.put(keys::VOUCHER_NEXT_PART.to_vec(), (first + outputs.len() as u64).to_be_bytes().to_vec());
    Ok(Ok(vec![VoucherEvent::Split { voucher: v.id, part: part_id, children }]))
}

/// Pledges a part held by the sender to `bank`.
pub fn pledge<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    part_id: u64,
    bank: &Address,
) -> Result<Outcome, StateError> {
    let (mut p, _) = match movable(o, ctx, sender, part_id, "pledge")? {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    if bank == sender {
        return Ok(Err(format!("{sender} cannot pledge part {part_id} to itself")));
    }
    p.status = PartStatus::Pledged { bank: *bank };
    put_part(o, &p);
    Ok(Ok(vec![VoucherEvent::Pledged { part: part_id, bank: *bank }]))
}

/// Releases a pledged part (sender: the bank it is pledged to).
pub fn release<H: Host + ?Sized>(o: &mut H, sender: &Address, part_id: u64) -> Result<Outcome, StateError> {
    let Some(mut p) = part(o, part_id)? else {
        return Ok(Err(format!("no voucher part has id {part_id}")));
    };
    match p.status {
        PartStatus::Pledged { bank } if bank == *sender => {}
        PartStatus::Pledged { bank } => {
            return Ok(Err(format!("only the bank {bank} may release part {part_id}; the sender is {sender}")))
        }
        _ => return Ok(Err(format!("part {part_id} is not pledged"))),
    }
    p.status = PartStatus::Active;
    put_part(o, &p);
    Ok(Ok(vec![VoucherEvent::Released { part: part_id }]))
}

/// Who moves the money of a settlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payment {
    /// The module pays each live part from the issuer's native balance (a native transaction).
    Native,
    /// The payments were already made, part by part, as EVM value transfers in the same
    /// transaction (the voucher precompile): the module only closes the records, and still
    /// lists one `transfer` event per payment.
    MadeByEvm,
}

/// Settles a voucher at or after maturity (sender: the issuer): pays each live part's amount
/// from the issuer's balance to its holder, or to the bank of a pledged part.
pub fn settle<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    voucher_id: u64,
    payment: Payment,
) -> Result<Outcome, StateError> {
    let Some(mut v) = voucher(o, voucher_id)? else {
        return Ok(Err(format!("no voucher has id {voucher_id}")));
    };
    if v.issuer != *sender {
        return Ok(Err(format!(
            "only the issuer {} may settle voucher {voucher_id}; the sender is {sender}",
            v.issuer
        )));
    }
    if let Some(s) = &v.settled {
        return Ok(Err(format!("voucher {voucher_id} was already settled at height {}", s.height)));
    }
    if ctx.timestamp_ms < v.maturity_ms {
        return Ok(Err(format!(
            "voucher {voucher_id} matures at {} ms; the block time is {}",
            v.maturity_ms, ctx.timestamp_ms
        )));
    }
    let balance = match payment {
        Payment::Native => o.balance(sender)?,
        Payment::MadeByEvm => v.amount,
    };
    if balance < v.amount {
        return Ok(Err(format!(
            "insufficient balance to settle voucher {voucher_id}: {balance} available, {} needed",
            v.amount
        )));
    }
    let s = ctx.stamp(tx_hash);
    let mut events = Vec::new();
    let mut paid = 0u128;
    let mut parts = 0u32;
    for id in std::mem::take(&mut v.live_parts) {
        let mut p = must_part(o, id)?;
        let to = match p.status {
            PartStatus::Pledged { bank } => bank,
            _ => p.holder,
        };
        match payment {
            Payment::Native => match o.transfer(sender, &to, p.amount)? {
                Ok(()) => {}
                // The balance was checked against the face value, which the live parts sum to.
                Err(reason) => return Err(StateError::Invariant(format!("voucher {voucher_id} settlement: {reason}"))),
            },
            Payment::MadeByEvm => o.note_transfer(sender, &to, p.amount),
        }
        paid += p.amount;
        parts += 1;
        o.delete(keys::voucher_by_holder(&p.holder, id));
        p.status = PartStatus::Settled { paid_to: to };
        p.closed = Some(s);
        put_part(o, &p);
    }
    v.settled = Some(s);
    o.put(keys::voucher(voucher_id), v.encode());
    events.push(VoucherEvent::Settled { id: voucher_id, paid, parts });
    Ok(Ok(events))
}
