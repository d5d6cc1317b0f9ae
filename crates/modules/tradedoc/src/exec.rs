//! The trade-document registry's rules and queries.
//!
//! - A document is identified by its normalised key (type, issuer, number); while one
//!   registration of it is live (not released), registering it again, at any bank, is refused
//!   and the refusal names the live registration. The same holds for its content hash.
//! - Only the registering bank releases; a released document may be registered again.
//! - A receivable voucher (voucher module) whose `reference` is the content hash of a document
//!   financed here is refused ([`crate::TradedocModule`]'s rule on voucher calls).

use hechain_module::exec::{counter, read, read_u64, BlockInfo, Host, Outcome, StateError, StateView};
use hechain_primitives::{Address, Codec, H256};

use crate::{keys, normalize, DocType, TradeDoc, TradedocEvent};

/// The registration with id `id`.
pub fn doc<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<TradeDoc>, StateError> {
    read(s, &keys::doc(id))
}

fn must_doc<S: StateView + ?Sized>(s: &S, id: u64) -> Result<TradeDoc, StateError> {
    doc(s, id)?.ok_or_else(|| StateError::Corrupt {
        key: hechain_module::exec::hex_key(&keys::doc(id)),
        reason: "indexed trade document missing".into(),
    })
}

/// The live registration of a document (raw issuer and number are normalised here).
pub fn live_by_key<S: StateView + ?Sized>(
    s: &S,
    doc_type: DocType,
    issuer: &str,
    number: &str,
) -> Result<Option<TradeDoc>, StateError> {
    match read_u64(s, &keys::by_key(doc_type, &normalize(issuer), &normalize(number)))? {
        Some(id) => Ok(Some(must_doc(s, id)?)),
        None => Ok(None),
    }
}

/// The live registration of a document with this content hash.
pub fn live_by_hash<S: StateView + ?Sized>(s: &S, content_hash: &H256) -> Result<Option<TradeDoc>, StateError> {
    match read_u64(s, &keys::by_hash(content_hash))? {
        Some(id) => Ok(Some(must_doc(s, id)?)),
        None => Ok(None),
    }
}

/// How a refusal names the live registration.
pub fn financed_message(d: &TradeDoc) -> String {
    format!(
        "{} {} {} is already financed by bank {} (registration {}, block {}, {} ms, tx {})",
        d.doc_type.name(),
        d.issuer,
        d.number,
        d.bank,
        d.id,
        d.registered.height,
        d.registered.timestamp_ms,
        d.registered.tx_hash
    )
}

/// The fields of a registration.
#[derive(Clone, Copy, Debug)]
pub struct NewDoc<'a> {
    /// Type.
    pub doc_type: DocType,
    /// Issuer as given.
    pub issuer: &'a str,
    /// Number as given.
    pub number: &'a str,
    /// Content hash.
    pub content_hash: &'a H256,
    /// Amount financed.
    pub amount: u128,
}

/// Registers a document for financing (sender: the bank).
pub fn register<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    bank: &Address,
    tx_hash: H256,
    new: NewDoc<'_>,
) -> Result<Outcome<TradedocEvent>, StateError> {
    let (issuer, number) = (normalize(new.issuer), normalize(new.number));
    if let Some(first) = live_by_key(o, new.doc_type, &issuer, &number)? {
        return Ok(Err(financed_message(&first)));
    }
    if let Some(first) = live_by_hash(o, new.content_hash)? {
        return Ok(Err(format!("a document with content hash {}: {}", new.content_hash, financed_message(&first))));
    }
    let id = counter(o, keys::NEXT_ID)?;
    let d = TradeDoc {
        id,
        doc_type: new.doc_type,
        issuer,
        number,
        content_hash: *new.content_hash,
        amount: new.amount,
        bank: *bank,
        registered: block.stamp(tx_hash),
        released: None,
    };
    o.put(keys::doc(id), d.encode());
    o.put(keys::by_key(d.doc_type, &d.issuer, &d.number), id.to_be_bytes().to_vec());
    o.put(keys::by_hash(&d.content_hash), id.to_be_bytes().to_vec());
    o.put(keys::by_bank(bank, id), Vec::new());
    o.put(keys::NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(Ok(vec![TradedocEvent::Registered {
        id,
        bank: *bank,
        doc_type: d.doc_type,
        issuer: d.issuer,
        number: d.number,
    }]))
}

/// Releases a registration (sender: its bank).
pub fn release<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    sender: &Address,
    tx_hash: H256,
    id: u64,
) -> Result<Outcome<TradedocEvent>, StateError> {
    let Some(mut d) = doc(o, id)? else {
        return Ok(Err(format!("no trade document registration has id {id}")));
    };
    if d.bank != *sender {
        return Ok(Err(format!("only the bank {} may release registration {id}; the sender is {sender}", d.bank)));
    }
    if let Some(r) = d.released {
        return Ok(Err(format!("registration {id} was already released at height {}", r.height)));
    }
    d.released = Some(block.stamp(tx_hash));
    o.put(keys::doc(id), d.encode());
    o.delete(keys::by_key(d.doc_type, &d.issuer, &d.number));
    o.delete(keys::by_hash(&d.content_hash));
    Ok(Ok(vec![TradedocEvent::Released { id }]))
}

/// The rule on a voucher issue: its reference must not be a document financed here.
pub fn check_voucher_reference<S: StateView + ?Sized>(
    s: &S,
    reference: &H256,
) -> Result<Result<(), String>, StateError> {
    Ok(match live_by_hash(s, reference)? {
        Some(d) => Err(format!(
            "the voucher's reference {reference} is a financed trade document: {}; a document financed by a \
             bank cannot back a receivable voucher until the bank releases it",
            financed_message(&d)
        )),
        None => Ok(()),
    })
}
