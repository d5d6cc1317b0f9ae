//! Traceability module (溯源, 一物一码): batches, item codes, lifecycle events, custody
//! hand-overs, authorisations, recalls.
//!
//! Invariants, enforced here and checked by property tests:
//! - every item code names exactly one item, chain-wide; a second registration is refused and
//!   names the item that holds the code;
//! - every item has exactly one custodian (the producer at registration), listed in exactly one
//!   custodian index; custody changes only when the receiver accepts a pending hand-over, and
//!   each change appends a `custody` event;
//! - events are appended only by the item's custodian, an account the batch's producer
//!   authorised for the batch, or an account the *current* custodian authorised for the item
//!   (an item authorisation lapses when custody moves); each event is stamped with its author,
//!   transaction, height and block time, and folded into the item's rolling history hash;
//! - a recall marks the batch, so it covers every item of the batch (present and later ones);
//!   recalled items cannot be offered or accepted, but events may still be appended.
//!
//! Each operation checks everything before writing, so a refusal writes nothing.

use hechain_module::exec::{
    counter, read, read_u64, BlockInfo as BlockContext, Host, StateError, StateView as StateRead,
};
use hechain_primitives::{Address, Codec, Stamp, H256};

#[allow(unused_imports)]
use crate::{keys, types::*, TraceCall, TraceModuleEvent};

/// Outcome of a module operation: events, or the refusal reason.
pub type Outcome = Result<Vec<TraceModuleEvent>, String>;

/// The batch with id `id`.
pub fn batch<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<TraceBatch>, StateError> {
    read(s, &keys::trace_batch(id))
}

/// The item with id `id`.
pub fn item<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<TraceItem>, StateError> {
    read(s, &keys::trace_item(id))
}

/// The id of the item holding `code`.
pub fn item_id_by_code<S: StateRead + ?Sized>(s: &S, code: &str) -> Result<Option<u64>, StateError> {
    read_u64(s, &keys::trace_code(code))
}

/// The item holding `code`.
pub fn item_by_code<S: StateRead + ?Sized>(s: &S, code: &str) -> Result<Option<TraceItem>, StateError> {
    match item_id_by_code(s, code)? {
        Some(id) => Ok(Some(must_item(s, id)?)),
        None => Ok(None),
    }
}

/// Event `index` of item `item_id`.
pub fn event<S: StateRead + ?Sized>(s: &S, item_id: u64, index: u32) -> Result<Option<TraceEvent>, StateError> {
    read(s, &keys::trace_event(item_id, index))
}

/// Every event of an item, in order.
pub fn events<S: StateRead + ?Sized>(s: &S, it: &TraceItem) -> Result<Vec<TraceEvent>, StateError> {
    (0..it.events)
        .map(|i| {
            event(s, it.id, i)?.ok_or_else(|| StateError::Corrupt {
                key: hechain_module::exec::hex_key(&keys::trace_event(it.id, i)),
                reason: "event missing".into(),
            })
        })
        .collect()
}

/// The chain of custody of an item: its producer, then the receiver of each accepted
/// hand-over, in order (the last is the current custodian).
pub fn custody_chain(producer: Address, events: &[TraceEvent]) -> Vec<Address> {
    let mut chain = vec![producer];
    chain.extend(events.iter().filter_map(|e| match e.kind {
        TraceEventKind::Custody { to, .. } => Some(to),
        TraceEventKind::Lifecycle { .. } => None,
    }));
    chain
}

/// An account's authorisation for a whole batch.
pub fn batch_grant<S: StateRead + ?Sized>(
    s: &S,
    batch_id: u64,
    account: &Address,
) -> Result<Option<TraceGrant>, StateError> {
    read(s, &keys::trace_batch_auth(batch_id, account))
}

/// An account's authorisation for one item (as stored; it counts only while its grantor is
/// still the custodian, see [`may_append`]).
pub fn item_grant<S: StateRead + ?Sized>(
    s: &S,
    item_id: u64,
    account: &Address,
) -> Result<Option<TraceGrant>, StateError> {
    read(s, &keys::trace_item_auth(item_id, account))
}

/// Whether `account` may append events to `it`: its custodian, an account authorised for its
/// batch, or an account authorised for it by its current custodian.
pub fn may_append<S: StateRead + ?Sized>(s: &S, it: &TraceItem, account: &Address) -> Result<bool, StateError> {
    if it.custodian == *account || batch_grant(s, it.batch_id, account)?.is_some() {
        return Ok(true);
    }
    Ok(item_grant(s, it.id, account)?
        .is_some_and(|g| g.granted_by == it.custodian && g.custody_epoch == it.custody_changes))
}

fn must_item<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<TraceItem, StateError> {
    item(s, id)?.ok_or_else(|| StateError::Corrupt {
        key: hechain_module::exec::hex_key(&keys::trace_item(id)),
        reason: "item missing".into(),
    })
}

fn must_batch<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<TraceBatch, StateError> {
    batch(s, id)?.ok_or_else(|| StateError::Corrupt {
        key: hechain_module::exec::hex_key(&keys::trace_batch(id)),
        reason: "batch missing".into(),
    })
}

fn stamp(ctx: BlockContext, tx_hash: H256) -> Stamp {
    Stamp { tx_hash, height: ctx.height, timestamp_ms: ctx.timestamp_ms }
}

fn refused<T>(reason: String) -> Result<Result<T, String>, StateError> {
    Ok(Err(reason))
}

/// Checks that none of `codes` is registered yet; the refusal names the item holding one.
fn codes_free<S: StateRead + ?Sized>(s: &S, codes: &[String]) -> Result<Result<(), String>, StateError> {
    for code in codes {
        if let Some(existing) = item_by_code(s, code)? {
            let b = must_batch(s, existing.batch_id)?;
            return refused(format!(
                "item code {code:?} is already registered: item {} of batch {} ({:?} by {}), registered in tx {} at height {}",
                existing.id, b.id, b.product, b.producer, existing.registered.tx_hash, existing.registered.height
            ));
        }
    }
    Ok(Ok(()))
}

/// Registers items for `codes` in batch `b` (already checked free), updating `b.items`.
fn put_items<H: Host + ?Sized>(
    o: &mut H,
    b: &mut TraceBatch,
    codes: &[String],
    s: Stamp,
) -> Result<Option<TraceModuleEvent>, StateError> {
    if codes.is_empty() {
        return Ok(None);
    }
    let first = counter(o, keys::TRACE_NEXT_ITEM)?;
    for (id, code) in (first..).zip(codes) {
        let it = TraceItem {
            id,
            code: code.clone(),
            batch_id: b.id,
            custodian: b.producer,
            custody_changes: 0,
            pending: None,
            events: 0,
            history: H256::ZERO,
            registered: s,
            updated: s,
        };
        o.put(keys::trace_item(id), it.encode());
        o.put(keys::trace_code(code), id.to_be_bytes().to_vec());
        o.put(keys::trace_batch_item(b.id, id), Vec::new());
        o.put(keys::trace_by_custodian(&b.producer, id), Vec::new());
    }
    let count = codes.len() as u64;
    o.put(keys::TRACE_NEXT_ITEM.to_vec(), (first + count).to_be_bytes().to_vec());
    b.items += count;
    Ok(Some(TraceModuleEvent::ItemsRegistered { batch: b.id, first_item: first, count: codes.len() as u32 }))
}

/// Registers a batch produced by the sender, with its first items.
#[allow(clippy::too_many_arguments)]
pub fn register_batch<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    producer: &Address,
    tx_hash: H256,
    product: &str,
    producer_label: &str,
    attributes: &H256,
    metadata: &str,
    codes: &[String],
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_batch(product, producer_label, metadata, codes) {
        return refused(e.to_string());
    }
    if let Err(e) = codes_free(o, codes)? {
        return refused(e);
    }
    let id = counter(o, keys::TRACE_NEXT_BATCH)?;
    let s = stamp(ctx, tx_hash);
    let mut b = TraceBatch {
        id,
        producer: *producer,
        product: product.to_string(),
        producer_label: producer_label.to_string(),
        attributes: *attributes,
        metadata: metadata.to_string(),
        items: 0,
        created: s,
        recall: None,
    };
    let mut events = vec![TraceModuleEvent::BatchRegistered { batch: id, producer: *producer }];
    events.extend(put_items(o, &mut b, codes, s)?);
    o.put(keys::trace_batch(id), b.encode());
    o.put(keys::trace_by_producer(producer, id), Vec::new());
    o.put(keys::TRACE_NEXT_BATCH.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(Ok(events))
}

/// Loads a batch the sender produced.
fn own_batch<S: StateRead + ?Sized>(
    s: &S,
    sender: &Address,
    batch_id: u64,
    action: &str,
) -> Result<Result<TraceBatch, String>, StateError> {
    let Some(b) = batch(s, batch_id)? else {
        return refused(format!("no batch has id {batch_id}"));
    };
    if b.producer != *sender {
        return refused(format!(
            "only the producer {} of batch {batch_id} may {action}; the sender is {sender}",
            b.producer
        ));
    }
    Ok(Ok(b))
}

/// Adds item codes to a batch (sender: its producer). A recalled batch takes no new items.
pub fn add_items<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    batch_id: u64,
    codes: &[String],
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_codes(codes, false) {
        return refused(e.to_string());
    }
    let mut b = match own_batch(o, sender, batch_id, "add items to it")? {
        Ok(b) => b,
        Err(e) => return refused(e),
    };
    if b.recall.is_some() {
        return refused(format!("batch {batch_id} is recalled: it takes no new items"));
    }
    if let Err(e) = codes_free(o, codes)? {
        return refused(e);
    }
    let events: Vec<TraceModuleEvent> = put_items(o, &mut b, codes, stamp(ctx, tx_hash))?.into_iter().collect();
    o.put(keys::trace_batch(batch_id), b.encode());
    Ok(Ok(events))
}

/// Loads the items named by `codes`, refusing the first unknown code.
fn items_of<S: StateRead + ?Sized>(s: &S, codes: &[String]) -> Result<Result<Vec<TraceItem>, String>, StateError> {
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        match item_by_code(s, code)? {
            Some(it) => out.push(it),
            None => return refused(format!("no item has code {code:?}")),
        }
    }
    Ok(Ok(out))
}

/// Appends `kind` to an item's history (author `author`), updating its count, hash and stamp.
fn append<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    it: &mut TraceItem,
    author: &Address,
    kind: TraceEventKind,
    s: Stamp,
) -> TraceModuleEvent {
    let ev = TraceEvent { item_id: it.id, index: it.events, author: *author, kind, recorded: s };
    it.history = chain_history(ctx.suite, &it.history, &ev);
    it.events += 1;
    it.updated = s;
    o.put(keys::trace_event(it.id, ev.index), ev.encode());
    TraceModuleEvent::EventAppended { item: it.id, index: ev.index, author: *author }
}

/// Events of an item that only custody changes may use: lifecycle events stop short of them,
/// so that no one (an authorised account that no longer deals with the item, say) can fill an
/// item's history and block its hand-over.
pub const CUSTODY_RESERVE: u32 = 100;

/// Whether the item has room for one more event: a custody change may use the whole
/// [`MAX_EVENTS_PER_ITEM`], a lifecycle event all but the last [`CUSTODY_RESERVE`].
fn room_for_event(it: &TraceItem, custody: bool) -> Result<(), String> {
    let limit = if custody { MAX_EVENTS_PER_ITEM } else { MAX_EVENTS_PER_ITEM - CUSTODY_RESERVE };
    if it.events >= limit {
        let what = if custody { "events" } else { "events (the last 100 are kept for custody changes)" };
        return Err(format!("item {:?} already has {} events, the limit for {what}", it.code, it.events));
    }
    Ok(())
}

/// Appends a lifecycle event to each item named (sender: custodian or authorised).
#[allow(clippy::too_many_arguments)]
pub fn append_event<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    codes: &[String],
    stage: &str,
    location: &str,
    event_time_ms: u64,
    attachments: &[H256],
    note: &str,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_event(codes, stage, location, attachments, note) {
        return refused(e.to_string());
    }
    if event_time_ms > ctx.timestamp_ms.saturating_add(crate::EVENT_TIME_SKEW_MS) {
        return refused(format!(
            "event time {event_time_ms} is more than {} ms after the block time {}",
            crate::EVENT_TIME_SKEW_MS,
            ctx.timestamp_ms
        ));
    }
    let mut items = match items_of(o, codes)? {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    for it in &items {
        if !may_append(o, it, sender)? {
            return refused(format!(
                "{sender} may not append events to item {:?}: it is held by {} and the sender is not authorised for it \
                 or its batch {}",
                it.code, it.custodian, it.batch_id
            ));
        }
        if let Err(e) = room_for_event(it, false) {
            return refused(e);
        }
    }
    let s = stamp(ctx, tx_hash);
    let mut events = Vec::with_capacity(items.len());
    for it in &mut items {
        let kind = TraceEventKind::Lifecycle {
            stage: stage.to_string(),
            location: location.to_string(),
            event_time_ms,
            attachments: attachments.to_vec(),
            note: note.to_string(),
        };
        events.push(append(o, ctx, it, sender, kind, s));
        o.put(keys::trace_item(it.id), it.encode());
    }
    Ok(Ok(events))
}

/// An authorisation target resolved for one account.
struct Grantee {
    batch_id: u64,
    item_id: Option<u64>,
    /// Key of the grant.
    key: Vec<u8>,
}

/// Resolves an authorisation target for the sender: the batch (sender must be its producer) or
/// the item (sender must be its custodian).
fn target_of<S: StateRead + ?Sized>(
    s: &S,
    sender: &Address,
    target: &TraceTarget,
    account: &Address,
    action: &str,
) -> Result<Result<Grantee, String>, StateError> {
    match target {
        TraceTarget::Batch { batch_id } => match own_batch(s, sender, *batch_id, action)? {
            Ok(b) => Ok(Ok(Grantee { batch_id: b.id, item_id: None, key: keys::trace_batch_auth(b.id, account) })),
            Err(e) => refused(e),
        },
        TraceTarget::Item { code } => {
            if let Err(e) = crate::validate_code(code) {
                return refused(e.to_string());
            }
            let Some(it) = item_by_code(s, code)? else {
                return refused(format!("no item has code {code:?}"));
            };
            if it.custodian != *sender {
                return refused(format!(
                    "only the custodian {} of item {code:?} may {action}; the sender is {sender}",
                    it.custodian
                ));
            }
            Ok(Ok(Grantee { batch_id: it.batch_id, item_id: Some(it.id), key: keys::trace_item_auth(it.id, account) }))
        }
    }
}

/// Authorises `account` to append events to a batch's items or to one item.
pub fn authorize<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    target: &TraceTarget,
    account: &Address,
) -> Result<Outcome, StateError> {
    let Grantee { batch_id, item_id, key } = match target_of(o, sender, target, account, "authorise accounts on it")? {
        Ok(x) => x,
        Err(e) => return refused(e),
    };
    if account == sender {
        return refused(format!("{sender} cannot authorise itself"));
    }
    // An item grant belongs to the custody epoch it was made in.
    let custody_epoch = match item_id {
        Some(id) => must_item(o, id)?.custody_changes,
        None => 0,
    };
    if let Some(g) = read::<TraceGrant, _>(o, &key)? {
        if g.granted_by == *sender && g.custody_epoch == custody_epoch {
            return refused(format!("{account} is already authorised (since height {})", g.granted.height));
        }
    }
    let g = TraceGrant { account: *account, granted_by: *sender, custody_epoch, granted: stamp(ctx, tx_hash) };
    o.put(key, g.encode());
    Ok(Ok(vec![TraceModuleEvent::Authorized { batch: batch_id, item: item_id, account: *account }]))
}

/// Withdraws an authorisation.
pub fn revoke<H: Host + ?Sized>(
    o: &mut H,
    sender: &Address,
    target: &TraceTarget,
    account: &Address,
) -> Result<Outcome, StateError> {
    let Grantee { batch_id, item_id, key } = match target_of(o, sender, target, account, "revoke authorisations on it")?
    {
        Ok(x) => x,
        Err(e) => return refused(e),
    };
    if read::<TraceGrant, _>(o, &key)?.is_none() {
        return refused(format!("{account} is not authorised there"));
    }
    o.delete(key);
    Ok(Ok(vec![TraceModuleEvent::Revoked { batch: batch_id, item: item_id, account: *account }]))
}

/// Whether an item's batch is recalled (the refusal reason when it is).
fn not_recalled<S: StateRead + ?Sized>(s: &S, it: &TraceItem, action: &str) -> Result<Result<(), String>, StateError> {
    let b = must_batch(s, it.batch_id)?;
    match &b.recall {
        Some(r) => refused(format!(
            "item {:?} belongs to batch {}, recalled at height {} ({}): it cannot {action}",
            it.code, b.id, r.recalled.height, r.reason
        )),
        None => Ok(Ok(())),
    }
}

/// Offers items the sender holds to `to` (pending until accepted).
pub fn handover<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    codes: &[String],
    to: &Address,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_codes(codes, false) {
        return refused(e.to_string());
    }
    if to == sender {
        return refused(format!("{sender} cannot hand items over to itself"));
    }
    let mut items = match items_of(o, codes)? {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    for it in &items {
        if it.custodian != *sender {
            return refused(format!(
                "only the custodian {} of item {:?} may hand it over; the sender is {sender}",
                it.custodian, it.code
            ));
        }
        if let Some(p) = &it.pending {
            return refused(format!(
                "item {:?} is already offered to {} (at height {}); cancel that first",
                it.code, p.to, p.offered.height
            ));
        }
        if let Err(e) = not_recalled(o, it, "change hands")? {
            return refused(e);
        }
    }
    let s = stamp(ctx, tx_hash);
    let mut events = Vec::with_capacity(items.len());
    for it in &mut items {
        it.pending = Some(PendingHandover { to: *to, offered: s });
        it.updated = s;
        o.put(keys::trace_item(it.id), it.encode());
        o.put(keys::trace_pending(to, it.id), Vec::new());
        events.push(TraceModuleEvent::HandoverOffered { item: it.id, from: *sender, to: *to });
    }
    Ok(Ok(events))
}

/// How a pending hand-over is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// The receiver accepts: custody moves.
    Accept,
    /// The receiver refuses.
    Reject,
    /// The custodian withdraws the offer.
    Cancel,
}

impl Close {
    fn name(self) -> &'static str {
        match self {
            Close::Accept => "accepted",
            Close::Reject => "rejected",
            Close::Cancel => "cancelled",
        }
    }
}

/// Closes the pending hand-overs of the items named: accept or reject (sender: the receiver),
/// cancel (sender: the custodian).
pub fn close<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    codes: &[String],
    how: Close,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_codes(codes, false) {
        return refused(e.to_string());
    }
    let mut items = match items_of(o, codes)? {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    for it in &items {
        let Some(p) = &it.pending else {
            return refused(format!("item {:?} has no pending hand-over", it.code));
        };
        let (who, role) = match how {
            Close::Accept | Close::Reject => (p.to, "receiver"),
            Close::Cancel => (it.custodian, "custodian"),
        };
        if who != *sender {
            return refused(format!(
                "only the {role} {who} of the hand-over of item {:?} may mark it {}; the sender is {sender}",
                it.code,
                how.name()
            ));
        }
        if how == Close::Accept {
            if let Err(e) = not_recalled(o, it, "change hands")? {
                return refused(e);
            }
            if let Err(e) = room_for_event(it, true) {
                return refused(e);
            }
        }
    }
    let s = stamp(ctx, tx_hash);
    let mut events = Vec::new();
    for it in &mut items {
        let Some(p) = it.pending.take() else { continue };
        let from = it.custodian;
        o.delete(keys::trace_pending(&p.to, it.id));
        if how == Close::Accept {
            o.delete(keys::trace_by_custodian(&from, it.id));
            o.put(keys::trace_by_custodian(&p.to, it.id), Vec::new());
            it.custodian = p.to;
            it.custody_changes += 1;
            events.push(append(o, ctx, it, sender, TraceEventKind::Custody { from, to: p.to }, s));
        }
        it.updated = s;
        o.put(keys::trace_item(it.id), it.encode());
        events.push(TraceModuleEvent::HandoverClosed { item: it.id, from, to: p.to, outcome: how.name().to_string() });
    }
    Ok(Ok(events))
}

/// Recalls a batch (sender: its producer).
pub fn recall<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    batch_id: u64,
    reason: &str,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_recall(reason) {
        return refused(e.to_string());
    }
    let mut b = match own_batch(o, sender, batch_id, "recall it")? {
        Ok(b) => b,
        Err(e) => return refused(e),
    };
    if let Some(r) = &b.recall {
        return refused(format!("batch {batch_id} was already recalled at height {}", r.recalled.height));
    }
    b.recall = Some(TraceRecall { reason: reason.to_string(), recalled: stamp(ctx, tx_hash) });
    o.put(keys::trace_batch(batch_id), b.encode());
    Ok(Ok(vec![TraceModuleEvent::BatchRecalled { batch: batch_id }]))
}

/// Runs a traceability payload sent by `sender` (a native transaction, or an operation a
/// contract made through the precompile); any other payload is refused.
pub fn apply<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    call: &TraceCall,
) -> Result<Outcome, StateError> {
    match call {
        TraceCall::Batch { product, producer_label, attributes, metadata, codes } => {
            register_batch(o, ctx, sender, tx_hash, product, producer_label, attributes, metadata, codes)
        }
        TraceCall::AddItems { batch_id, codes } => add_items(o, ctx, sender, tx_hash, *batch_id, codes),
        TraceCall::Event { codes, stage, location, event_time_ms, attachments, note } => {
            append_event(o, ctx, sender, tx_hash, codes, stage, location, *event_time_ms, attachments, note)
        }
        TraceCall::Authorize { target, account } => authorize(o, ctx, sender, tx_hash, target, account),
        TraceCall::Revoke { target, account } => revoke(o, sender, target, account),
        TraceCall::Handover { codes, to } => handover(o, ctx, sender, tx_hash, codes, to),
        TraceCall::Accept { codes } => close(o, ctx, sender, tx_hash, codes, Close::Accept),
        TraceCall::Reject { codes } => close(o, ctx, sender, tx_hash, codes, Close::Reject),
        TraceCall::Cancel { codes } => close(o, ctx, sender, tx_hash, codes, Close::Cancel),
        TraceCall::Recall { batch_id, reason } => recall(o, ctx, sender, tx_hash, *batch_id, reason),
    }
}
