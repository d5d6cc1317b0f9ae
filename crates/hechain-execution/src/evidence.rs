//! Evidence (存证) module: stores content hashes with metadata, one record per
//! distinct hash, indexed by id, by hash and by submitter.

use hechain_types::{Address, Codec, Event, EvidenceMeta, EvidenceRecord, H256};

use crate::state::{Overlay, StateRead};
use crate::{keys, read, BlockContext, ExecError};

fn decode_id(bytes: &[u8], key: &[u8]) -> Result<u64, ExecError> {
    let b: [u8; 8] = bytes
        .try_into()
        .map_err(|_| ExecError::Corrupt { key: crate::hex_key(key), reason: "id is not 8 bytes".into() })?;
    Ok(u64::from_be_bytes(b))
}

/// Id of the record holding `content_hash`, if any.
pub fn id_by_hash<S: StateRead + ?Sized>(s: &S, content_hash: &H256) -> Result<Option<u64>, ExecError> {
    let key = keys::evidence_by_hash(content_hash);
    s.get(&key)?.map(|b| decode_id(&b, &key)).transpose()
}

/// The record with id `id`.
pub fn record<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<EvidenceRecord>, ExecError> {
    read(s, &keys::evidence_record(id))
}

/// The id the next stored record gets.
pub fn next_id<S: StateRead + ?Sized>(s: &S) -> Result<u64, ExecError> {
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
pub fn put<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    submitter: &Address,
    content_hash: &H256,
    meta: &EvidenceMeta,
    tx_hash: H256,
) -> Result<Result<Vec<Event>, String>, ExecError> {
    if let Err(e) = meta.validate() {
        return Ok(Err(e.to_string()));
    }
    if let Some(id) = id_by_hash(o, content_hash)? {
        let original = record(o, id)?.ok_or_else(|| ExecError::Corrupt {
            key: crate::hex_key(&keys::evidence_record(id)),
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
    Ok(Ok(vec![Event::EvidenceStored { id, content_hash: *content_hash, submitter: *submitter, meta: meta.clone() }]))
}

/// The committed record holding `content_hash`, read from a snapshot.
pub fn existing<R: StateRead + ?Sized>(reader: &R, content_hash: &H256) -> Result<Option<EvidenceRecord>, ExecError> {
    match id_by_hash(reader, content_hash)? {
        Some(id) => record(reader, id),
        None => Ok(None),
    }
}
