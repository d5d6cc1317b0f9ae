//! Recognition of another chain's records (跨链互认): an evidence record, an electronic
//! certificate or a copyright work of chain A, proven in A's state under a header this chain's
//! client of A accepted, is recorded here once and can be referenced by this chain's users and
//! contracts (e.g. a court chain recognising a notary chain's evidence).

use hechain_chain::smt::Proof;
use hechain_module::exec::{counter, read, read_u64, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::Codec;

use crate::calls::CrosschainEvent;
use crate::client::{self, check, refuse};
use crate::{keys, Recognition, RecordKind, MAX_RECORD_BYTES};

/// A recognition by id.
pub fn recognition<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Recognition>, StateError> {
    read(s, &keys::recognition(id))
}

/// The recognition of a foreign record, if any.
pub fn recognition_of<S: StateView + ?Sized>(
    s: &S,
    client: u64,
    kind: RecordKind,
    record_id: u64,
) -> Result<Option<Recognition>, StateError> {
    match read_u64(s, &keys::recognition_key(client, &record_key(kind, record_id)))? {
        Some(id) => recognition(s, id),
        None => Ok(None),
    }
}

/// The state key of a record on its chain.
pub fn record_key(kind: RecordKind, id: u64) -> Vec<u8> {
    match kind {
        RecordKind::Evidence => hechain_evidence::keys::evidence_record(id),
        RecordKind::Ecert => hechain_ecert::keys::ecert(id),
        RecordKind::CopyrightWork => hechain_copyright::keys::copyright_work(id),
    }
}

/// Decodes a record of `kind`, checks it is record `id`, and summarises it.
pub fn summarise(kind: RecordKind, id: u64, bytes: &[u8]) -> Result<String, String> {
    let (found, text) = match kind {
        RecordKind::Evidence => {
            let r =
                hechain_evidence::EvidenceRecord::decode(bytes).map_err(|e| format!("not an evidence record: {e}"))?;
            let title = r.meta.title.clone().unwrap_or_default();
            (r.id, format!("evidence {} {} {title:?} by {} at height {}", r.id, r.content_hash, r.submitter, r.height))
        }
        RecordKind::Ecert => {
            let c = hechain_ecert::Ecert::decode(bytes).map_err(|e| format!("not an e-certificate: {e}"))?;
            (c.id, format!("e-certificate {} {:?} issued by {} to {}", c.id, c.cert_type, c.issuer, c.holder))
        }
        RecordKind::CopyrightWork => {
            let w =
                hechain_copyright::CopyrightWork::decode(bytes).map_err(|e| format!("not a copyright work: {e}"))?;
            (w.id, format!("copyright work {} {:?} by {} owned by {}", w.id, w.title, w.author, w.owner))
        }
    };
    if found != id {
        return Err(format!("the record is number {found}, not {id}"));
    }
    Ok(text)
}

/// `Recognise`.
pub(crate) fn recognise<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (client_id, kind, record_id, record): (u64, RecordKind, u64, &[u8]),
    proof_height: u64,
    proof: &Proof,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    if record.len() > MAX_RECORD_BYTES {
        refuse!("the record is {} bytes, at most {MAX_RECORD_BYTES}", record.len());
    }
    let key = record_key(kind, record_id);
    if let Some(first) = recognition_of(host, client_id, kind, record_id)? {
        refuse!(
            "{kind:?} {record_id} of client {client_id}'s chain is already recognised here (recognition {})",
            first.id
        );
    }
    let summary = match summarise(kind, record_id, record) {
        Ok(s) => s,
        Err(e) => refuse!("{e}"),
    };
    let source_genesis = check!(client::genesis_of(host, client_id));
    check!(client::verify_key(host, client_id, proof_height, &key, Some(record), proof));
    let id = counter(host, keys::NEXT_RECOGNITION)?;
    let r = Recognition {
        id,
        client: client_id,
        source_genesis,
        kind,
        record_id,
        proven_at: proof_height,
        record: record.to_vec(),
        summary,
        by: cx.sender,
        stamp: cx.stamp(),
    };
    host.put(keys::NEXT_RECOGNITION.to_vec(), (id + 1).to_be_bytes().to_vec());
    host.put(keys::recognition(id), r.encode());
    host.put(keys::recognition_key(client_id, &key), id.to_be_bytes().to_vec());
    Ok(Ok(vec![CrosschainEvent::Recognised { id, client: client_id, kind, record_id }]))
}
