//! The evidence module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::{Address, H256};

/// `evid/rec/` ‖ id (big-endian u64) → [`crate::EvidenceRecord`].
pub const EVIDENCE_RECORD_PREFIX: &[u8] = b"evid/rec/";

/// `evid/hash/` ‖ content hash → id (big-endian u64).
pub const EVIDENCE_HASH_PREFIX: &[u8] = b"evid/hash/";

/// `evid/sub/` ‖ submitter ‖ id (big-endian) → empty: records by submitter, in id order.
pub const EVIDENCE_SUBMITTER_PREFIX: &[u8] = b"evid/sub/";

/// `evid/next` → next evidence id (big-endian u64).
pub const EVIDENCE_NEXT_ID: &[u8] = b"evid/next";

/// Key of an evidence record.
pub fn evidence_record(id: u64) -> Vec<u8> {
    join(EVIDENCE_RECORD_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the content-hash index entry.
pub fn evidence_by_hash(content_hash: &H256) -> Vec<u8> {
    join(EVIDENCE_HASH_PREFIX, &[&content_hash.0])
}

/// Prefix of one submitter's index entries.
pub fn evidence_submitter_prefix(submitter: &Address) -> Vec<u8> {
    join(EVIDENCE_SUBMITTER_PREFIX, &[&submitter.0])
}

/// Key of one submitter index entry.
pub fn evidence_by_submitter(submitter: &Address, id: u64) -> Vec<u8> {
    join(EVIDENCE_SUBMITTER_PREFIX, &[&submitter.0, &id.to_be_bytes()])
}
