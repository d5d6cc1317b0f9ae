//! Evidence (存证) module: stores content hashes with metadata, one record per
//! distinct hash, indexed by id, by hash and by submitter.

use hechain_module::exec::{read, BlockInfo as BlockContext, Host, StateError, StateView as StateRead};
use hechain_primitives::{Address, Codec, H256};

/// Outcome of a module operation: events, or the refusal reason.
pub type Outcome = hechain_module::exec::Outcome<EvidenceEvent>;

#[allow(unused_imports)]
use crate::{keys, types::*, EvidenceEvent};

fn decode_id(bytes: &[u8], key: &[u8]) -> Result<u64, StateError> {
    let b: [u8; 8] = bytes.try_into().map_err(|_| StateError::Corrupt {
        key: hechain_module::exec::hex_key(key),
        reason: "id is not 8 bytes".into(),
    })?;
    Ok(u64::from_be_bytes(b))
}

/// Id of the record holding `content_hash`, if any.
pub fn id_by_hash<S: StateRead + ?Sized>(s: &S, content_hash: &H256) -> Result<Option<u64>, StateError> {
    let key = keys::evidence_by_hash(content_hash);
    s.get(&key)?.map(|b| decode_id(&b, &key)).transpose()
}

/// The record with id `id`.
pub fn record<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<EvidenceRecord>, StateError> {
    read(s, &keys::evidence_record(id))
}

/// The id the next stored record gets.
pub fn next_id<S: StateRead + ?Sized>(s: &S) -> Result<u64, StateError> {
    let key = keys::EVIDENCE_NEXT_ID;
    s.get(key)?.map_or(Ok(1), |b| decode_id(&b, key))
}

/// The message of the duplicate error; it names the original record so the
/// submitter can find it.
pub fn duplicate_message(original: &EvidenceRecord) -> String {
    format!(
        "evidence with content hash {} already exists: id {}, stored by {} in tx {} at height {}",
        original.content_hash, original.id, original.submitter, original.tx_hash, original.height
    )
}

/// Stores a new record. `Ok(Err(reason))` when refused.
pub fn put<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    submitter: &Address,
    content_hash: &H256,
    meta: &EvidenceMeta,
    tx_hash: H256,
) -> Result<Result<Vec<EvidenceEvent>, String>, StateError> {
    if let Err(e) = meta.validate() {
        return Ok(Err(e.to_string()));
    }
    if let Some(id) = id_by_hash(o, content_hash)? {
        let original = record(o, id)?.ok_or_else(|| StateError::Corrupt {
            key: hechain_module::exec::hex_key(&keys::evidence_record(id)),
            reason: "indexed record missing".into(),
        })?;
        return Ok(Err(duplicate_message(&original)));
    }
    let id = next_id(o)?;
    let rec = EvidenceRecord {
        id,
        content_hash: *content_hash,
        meta: meta.clone(),
        submitter: *submitter,
        tx_hash,
        height: ctx.height,
        timestamp_ms: ctx.timestamp_ms,
    };
    o.put(keys::evidence_record(id), rec.encode());
    o.put(keys::evidence_by_hash(content_hash), id.to_be_bytes().to_vec());
    o.put(keys::evidence_by_submitter(submitter, id), Vec::new());
    o.put(keys::EVIDENCE_NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(Ok(vec![EvidenceEvent::Stored { id, content_hash: *content_hash, submitter: *submitter, meta: meta.clone() }]))
}

/// The committed record holding `content_hash`, read from a snapshot.
pub fn existing<R: StateRead + ?Sized>(reader: &R, content_hash: &H256) -> Result<Option<EvidenceRecord>, StateError> {
    match id_by_hash(reader, content_hash)? {
        Some(id) => record(reader, id),
        None => Ok(None),
    }
}
