//! Copyright registration (版权) module: works registered once per content hash, ownership
//! transfers, and licenses granted by the owner for a term and a territory.
//!
//! Rules (each refusal is a failed receipt whose reason says what to do):
//! - a content hash is registered once; a second registration names the first;
//! - only the current owner transfers a work or grants licenses on it;
//! - an exclusive license may not overlap any other license of the work in time and territory;
//!   a non-exclusive one may not overlap an exclusive license (overlap:
//!   [`CopyrightLicense::overlaps`]); licenses that have ended no longer conflict;
//! - licenses bind the work, so they survive a change of owner.

use hechain_module::exec::{read, BlockInfo as BlockContext, Host, StateError, StateView as StateRead};
use hechain_primitives::{Address, Codec, Stamp, H256};

#[allow(unused_imports)]
use crate::{keys, types::*, CopyrightEvent};

fn decode_id(bytes: &[u8], key: &[u8]) -> Result<u64, StateError> {
    let b: [u8; 8] = bytes.try_into().map_err(|_| StateError::Corrupt {
        key: hechain_module::exec::hex_key(key),
        reason: "id is not 8 bytes".into(),
    })?;
    Ok(u64::from_be_bytes(b))
}

/// The work with id `id`.
pub fn work<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<CopyrightWork>, StateError> {
    read(s, &keys::copyright_work(id))
}

/// The work registered for `content_hash`, if any.
pub fn work_by_hash<S: StateRead + ?Sized>(s: &S, content_hash: &H256) -> Result<Option<CopyrightWork>, StateError> {
    let key = keys::copyright_by_hash(content_hash);
    match s.get(&key)? {
        Some(b) => {
            let id = decode_id(&b, &key)?;
            let w = work(s, id)?.ok_or_else(|| StateError::Corrupt {
                key: hechain_module::exec::hex_key(&keys::copyright_work(id)),
                reason: "indexed work missing".into(),
            })?;
            Ok(Some(w))
        }
        None => Ok(None),
    }
}

/// License `index` of a work.
pub fn license<S: StateRead + ?Sized>(s: &S, work_id: u64, index: u32) -> Result<Option<CopyrightLicense>, StateError> {
    read(s, &keys::copyright_license(work_id, index))
}

/// All licenses of a work, in grant order.
pub fn licenses<S: StateRead + ?Sized>(s: &S, w: &CopyrightWork) -> Result<Vec<CopyrightLicense>, StateError> {
    (0..w.licenses)
        .map(|i| {
            license(s, w.id, i)?.ok_or_else(|| StateError::Corrupt {
                key: hechain_module::exec::hex_key(&keys::copyright_license(w.id, i)),
                reason: "license missing".into(),
            })
        })
        .collect()
}

fn next_id<S: StateRead + ?Sized>(s: &S) -> Result<u64, StateError> {
    let key = keys::COPYRIGHT_NEXT_ID;
    s.get(key)?.map_or(Ok(1), |b| decode_id(&b, key))
}

/// The message of the duplicate-registration refusal; it names the first registration.
pub fn duplicate_message(first: &CopyrightWork) -> String {
    format!(
        "content hash {} is already registered: work {} \"{}\", registered by {} in tx {} at height {}",
        first.content_hash, first.id, first.title, first.registrant, first.registered.tx_hash, first.registered.height
    )
}

/// Outcome of a module operation: events, or the refusal reason.
pub type Outcome = Result<Vec<CopyrightEvent>, String>;

/// Registers a work; the sender becomes its owner.
#[allow(clippy::too_many_arguments)]
pub fn register<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    content_hash: &H256,
    title: &str,
    work_type: &str,
    author: &str,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_registration(title, work_type, author) {
        return Ok(Err(e.to_string()));
    }
    if let Some(first) = work_by_hash(o, content_hash)? {
        return Ok(Err(duplicate_message(&first)));
    }
    let id = next_id(o)?;
    let stamp = Stamp { tx_hash, height: ctx.height, timestamp_ms: ctx.timestamp_ms };
    let w = CopyrightWork {
        id,
        content_hash: *content_hash,
        title: title.to_string(),
        work_type: work_type.to_string(),
        author: author.to_string(),
        registrant: *sender,
        owner: *sender,
        registered: stamp,
        updated: stamp,
        transfers: 0,
        licenses: 0,
    };
    o.put(keys::copyright_work(id), w.encode());
    o.put(keys::copyright_by_hash(content_hash), id.to_be_bytes().to_vec());
    o.put(keys::copyright_by_owner(sender, id), Vec::new());
    o.put(keys::COPYRIGHT_NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(Ok(vec![CopyrightEvent::Registered { id, content_hash: *content_hash, owner: *sender }]))
}

/// Loads a work and checks that `sender` owns it.
fn owned<H: Host + ?Sized>(
    o: &H,
    sender: &Address,
    work_id: u64,
    action: &str,
) -> Result<Result<CopyrightWork, String>, StateError> {
    let Some(w) = work(o, work_id)? else {
        return Ok(Err(format!("no registered work has id {work_id}")));
    };
    if w.owner != *sender {
        return Ok(Err(format!(
            "only the owner {} of work {work_id} may {action} it; the sender is {sender}",
            w.owner
        )));
    }
    Ok(Ok(w))
}

/// Transfers a work to `to` (owner only).
pub fn transfer<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    work_id: u64,
    to: &Address,
) -> Result<Outcome, StateError> {
    let mut w = match owned(o, sender, work_id, "transfer")? {
        Ok(w) => w,
        Err(e) => return Ok(Err(e)),
    };
    if to == sender {
        return Ok(Err(format!("work {work_id} already belongs to {to}")));
    }
    o.delete(keys::copyright_by_owner(sender, work_id));
    o.put(keys::copyright_by_owner(to, work_id), Vec::new());
    w.owner = *to;
    w.transfers += 1;
    w.updated = Stamp { tx_hash, height: ctx.height, timestamp_ms: ctx.timestamp_ms };
    o.put(keys::copyright_work(work_id), w.encode());
    Ok(Ok(vec![CopyrightEvent::Transferred { id: work_id, from: *sender, to: *to }]))
}

/// The license a new grant would conflict with, if any.
fn conflict<'a>(
    existing: &'a [CopyrightLicense],
    exclusive: bool,
    start_ms: u64,
    end_ms: u64,
    territory: &str,
) -> Option<&'a CopyrightLicense> {
    existing.iter().find(|l| (exclusive || l.exclusive) && l.overlaps(start_ms, end_ms, territory))
}

/// Grants a license on a work (owner only).
#[allow(clippy::too_many_arguments)]
pub fn grant<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    work_id: u64,
    licensee: &Address,
    exclusive: bool,
    start_ms: u64,
    end_ms: u64,
    territory: &str,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_license(start_ms, end_ms, territory) {
        return Ok(Err(e.to_string()));
    }
    let mut w = match owned(o, sender, work_id, "license")? {
        Ok(w) => w,
        Err(e) => return Ok(Err(e)),
    };
    if licensee == sender {
        return Ok(Err(format!("the owner {sender} needs no license on work {work_id}")));
    }
    if end_ms <= ctx.timestamp_ms {
        return Ok(Err(format!("license term ends ({end_ms}) before the block time ({})", ctx.timestamp_ms)));
    }
    let existing = licenses(o, &w)?;
    if let Some(c) = conflict(&existing, exclusive, start_ms, end_ms, territory) {
        let kind = |x: bool| if x { "exclusive" } else { "non-exclusive" };
        return Ok(Err(format!(
            "{} license conflicts with {} license {} of work {work_id} (licensee {}, territory {}, term {}..{})",
            kind(exclusive),
            kind(c.exclusive),
            c.index,
            c.licensee,
            c.territory,
            c.start_ms,
            c.end_ms
        )));
    }
    let index = w.licenses;
    let lic = CopyrightLicense {
        work_id,
        index,
        licensor: *sender,
        licensee: *licensee,
        exclusive,
        start_ms,
        end_ms,
        territory: territory.to_string(),
        granted: Stamp { tx_hash, height: ctx.height, timestamp_ms: ctx.timestamp_ms },
    };
    w.licenses += 1;
    o.put(keys::copyright_license(work_id, index), lic.encode());
    o.put(keys::copyright_work(work_id), w.encode());
    Ok(Ok(vec![CopyrightEvent::Licensed { id: work_id, index, licensee: *licensee, exclusive }]))
}
