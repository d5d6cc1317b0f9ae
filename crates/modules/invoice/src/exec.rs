//! The invoice module's state rules and queries.
//!
//! Rules (each refusal is a failed receipt whose reason says what is wrong):
//! - only a governance committee member authorises or revokes an issuer;
//! - only an authorised (not revoked) issuer issues; code and number are unique per chain;
//! - only the issuer cancels, and not once the invoice is reimbursed or already cancelled;
//! - reimbursement is recorded once per invoice across all organisations; a second attempt is
//!   refused with the first's organisation, account, block and time; a cancelled invoice cannot be
//!   reimbursed.

use hechain_module::exec::{counter, read, read_u64, BlockInfo, Host, Outcome, StateError, StateView};
use hechain_primitives::{Address, Codec, H256};

use crate::{keys, Cancellation, Invoice, InvoiceEvent, IssuerAuth, Reimbursement};

/// How far past the block time an invoice's date may be (clocks of issuers differ).
pub const DATE_SKEW_MS: u64 = 5 * 60 * 1000;

/// The invoice with id `id`.
pub fn invoice<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Invoice>, StateError> {
    read(s, &keys::invoice(id))
}

/// The invoice with this code and number.
pub fn by_code<S: StateView + ?Sized>(s: &S, code: &str, number: &str) -> Result<Option<Invoice>, StateError> {
    match read_u64(s, &keys::by_code(code, number))? {
        Some(id) => invoice(s, id),
        None => Ok(None),
    }
}

/// An issuer's authorisation (current or withdrawn).
pub fn issuer<S: StateView + ?Sized>(s: &S, issuer: &Address) -> Result<Option<IssuerAuth>, StateError> {
    read(s, &keys::auth(issuer))
}

/// Whether an invoice is valid for reimbursement now: not cancelled and not yet reimbursed
/// (its issuer was authorised when it was issued; a later revocation does not void it).
/// `Err(reason)` says why not.
pub fn validity(inv: &Invoice) -> Result<(), String> {
    if let Some(c) = &inv.cancelled {
        return Err(format!("invoice {} was cancelled at height {}: {}", inv.id, c.stamp.height, c.reason));
    }
    if let Some(r) = &inv.reimbursed {
        return Err(reimbursed_message(inv, r));
    }
    Ok(())
}

/// The refusal of a second reimbursement: it names the first.
pub fn reimbursed_message(inv: &Invoice, r: &Reimbursement) -> String {
    format!(
        "invoice {} {} (id {}) was already reimbursed by {} ({}, claim {}) in block {} at {} ms (tx {})",
        inv.code, inv.number, inv.id, r.org, r.by, r.claim_ref, r.stamp.height, r.stamp.timestamp_ms, r.stamp.tx_hash
    )
}

fn must_invoice<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Result<Invoice, String>, StateError> {
    Ok(invoice(s, id)?.ok_or_else(|| format!("no invoice has id {id}")))
}

fn committee_member<S: StateView + ?Sized>(s: &S, who: &Address) -> Result<bool, StateError> {
    Ok(hechain_governance::exec::committee(s)?.member(who).is_some())
}

/// Authorises an issuer (sender: a committee member).
pub fn authorize_issuer<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    sender: &Address,
    tx_hash: H256,
    who: &Address,
    name: &str,
    tax_id_hash: &H256,
) -> Result<Outcome<InvoiceEvent>, StateError> {
    if !committee_member(o, sender)? {
        return Ok(Err(format!(
            "not permitted: only governance committee members authorise invoice issuers; {sender} is not one"
        )));
    }
    if let Some(a) = issuer(o, who)? {
        if a.revoked.is_none() {
            return Ok(Err(format!("{who} is already an authorised issuer (since height {})", a.authorized.height)));
        }
    }
    let auth = IssuerAuth {
        issuer: *who,
        name: name.to_string(),
        tax_id_hash: *tax_id_hash,
        authorized_by: *sender,
        authorized: block.stamp(tx_hash),
        revoked: None,
    };
    o.put(keys::auth(who), auth.encode());
    Ok(Ok(vec![InvoiceEvent::IssuerAuthorized { issuer: *who, by: *sender }]))
}

/// Withdraws an issuer's authorisation (sender: a committee member).
pub fn revoke_issuer<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    sender: &Address,
    tx_hash: H256,
    who: &Address,
) -> Result<Outcome<InvoiceEvent>, StateError> {
    if !committee_member(o, sender)? {
        return Ok(Err(format!(
            "not permitted: only governance committee members revoke invoice issuers; {sender} is not one"
        )));
    }
    let Some(mut a) = issuer(o, who)?.filter(|a| a.revoked.is_none()) else {
        return Ok(Err(format!("{who} is not an authorised issuer")));
    };
    a.revoked = Some(block.stamp(tx_hash));
    o.put(keys::auth(who), a.encode());
    Ok(Ok(vec![InvoiceEvent::IssuerRevoked { issuer: *who }]))
}

/// The fields of an invoice being issued.
#[derive(Clone, Copy, Debug)]
pub struct NewInvoice<'a> {
    /// Invoice code.
    pub code: &'a str,
    /// Invoice number.
    pub number: &'a str,
    /// Buyer.
    pub buyer: &'a Address,
    /// Hash of the buyer's tax id.
    pub buyer_tax_id_hash: &'a H256,
    /// Amount before tax.
    pub amount: u128,
    /// Tax.
    pub tax: u128,
    /// Date of issue.
    pub issued_on_ms: u64,
    /// Hash of the items.
    pub items_hash: &'a H256,
}

/// Issues an invoice (sender: an authorised issuer).
pub fn issue<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    sender: &Address,
    tx_hash: H256,
    new: NewInvoice<'_>,
) -> Result<Outcome<InvoiceEvent>, StateError> {
    let auth = match issuer(o, sender)? {
        Some(a) if a.revoked.is_none() => a,
        _ => return Ok(Err(format!("not permitted: {sender} is not an authorised invoice issuer"))),
    };
    if new.issued_on_ms > block.timestamp_ms.saturating_add(DATE_SKEW_MS) {
        return Ok(Err(format!(
            "the invoice date {} ms is after the block time {} ms",
            new.issued_on_ms, block.timestamp_ms
        )));
    }
    if let Some(first) = by_code(o, new.code, new.number)? {
        return Ok(Err(format!(
            "invoice {} {} already exists: id {}, issued by {} in block {}",
            new.code, new.number, first.id, first.issuer, first.issued.height
        )));
    }
    let id = counter(o, keys::NEXT_ID)?;
    let inv = Invoice {
        id,
        code: new.code.to_string(),
        number: new.number.to_string(),
        issuer: *sender,
        issuer_tax_id_hash: auth.tax_id_hash,
        buyer: *new.buyer,
        buyer_tax_id_hash: *new.buyer_tax_id_hash,
        amount: new.amount,
        tax: new.tax,
        issued_on_ms: new.issued_on_ms,
        items_hash: *new.items_hash,
        issued: block.stamp(tx_hash),
        cancelled: None,
        reimbursed: None,
    };
    o.put(keys::invoice(id), inv.encode());
    o.put(keys::by_code(new.code, new.number), id.to_be_bytes().to_vec());
    o.put(keys::by_issuer(sender, id), Vec::new());
    o.put(keys::by_buyer(new.buyer, id), Vec::new());
    o.put(keys::NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(Ok(vec![InvoiceEvent::Issued { id, code: inv.code, number: inv.number, issuer: *sender, buyer: *new.buyer }]))
}

/// Cancels an invoice red-letter (sender: its issuer).
pub fn cancel<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    sender: &Address,
    tx_hash: H256,
    id: u64,
    reason: &str,
) -> Result<Outcome<InvoiceEvent>, StateError> {
    let mut inv = match must_invoice(o, id)? {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    if inv.issuer != *sender {
        return Ok(Err(format!("only the issuer {} may cancel invoice {id}; the sender is {sender}", inv.issuer)));
    }
    if let Some(c) = &inv.cancelled {
        return Ok(Err(format!("invoice {id} was already cancelled at height {}", c.stamp.height)));
    }
    if let Some(r) = &inv.reimbursed {
        return Ok(Err(format!("invoice {id} cannot be cancelled: {}", reimbursed_message(&inv, r))));
    }
    inv.cancelled = Some(Cancellation { reason: reason.to_string(), stamp: block.stamp(tx_hash) });
    o.put(keys::invoice(id), inv.encode());
    Ok(Ok(vec![InvoiceEvent::Cancelled { id }]))
}

/// Records an invoice's one reimbursement (sender: the reimbursing organisation's account).
pub fn reimburse<H: Host + ?Sized>(
    o: &mut H,
    block: BlockInfo,
    sender: &Address,
    tx_hash: H256,
    id: u64,
    org: &str,
    claim_ref: &str,
) -> Result<Outcome<InvoiceEvent>, StateError> {
    let mut inv = match must_invoice(o, id)? {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(r) = &inv.reimbursed {
        return Ok(Err(reimbursed_message(&inv, r)));
    }
    if let Err(e) = validity(&inv) {
        return Ok(Err(format!("invoice {id} cannot be reimbursed: {e}")));
    }
    inv.reimbursed = Some(Reimbursement {
        by: *sender,
        org: org.to_string(),
        claim_ref: claim_ref.to_string(),
        stamp: block.stamp(tx_hash),
    });
    o.put(keys::invoice(id), inv.encode());
    Ok(Ok(vec![InvoiceEvent::Reimbursed { id, by: *sender }]))
}
