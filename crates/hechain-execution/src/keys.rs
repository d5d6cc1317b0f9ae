//! Layout of the state key space. Every module owns one prefix; keys are
//! raw bytes, and the state tree indexes them by their suite hash.

use hechain_types::{Address, H256};

/// `acct/` ‖ address → [`hechain_types::Account`].
pub const ACCOUNT_PREFIX: &[u8] = b"acct/";
/// `evid/rec/` ‖ id (big-endian u64) → [`hechain_types::EvidenceRecord`].
pub const EVIDENCE_RECORD_PREFIX: &[u8] = b"evid/rec/";
/// `evid/hash/` ‖ content hash → id (big-endian u64).
pub const EVIDENCE_HASH_PREFIX: &[u8] = b"evid/hash/";
/// `evid/sub/` ‖ submitter ‖ id (big-endian) → empty: records by submitter, in id order.
pub const EVIDENCE_SUBMITTER_PREFIX: &[u8] = b"evid/sub/";
/// `evid/next` → next evidence id (big-endian u64).
pub const EVIDENCE_NEXT_ID: &[u8] = b"evid/next";

fn join(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    k.extend_from_slice(prefix);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// Key of an account.
pub fn account(addr: &Address) -> Vec<u8> {
    join(ACCOUNT_PREFIX, &[&addr.0])
}

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

/// Decodes the id at the end of an index key (submitter or owner index).
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// `evm/code/` ‖ address → keccak256(code) ‖ code: a contract's runtime code.
pub const EVM_CODE_PREFIX: &[u8] = b"evm/code/";
/// `evm/slot/` ‖ address ‖ slot (32 bytes) → value (32 bytes, big-endian; absent = zero).
pub const EVM_SLOT_PREFIX: &[u8] = b"evm/slot/";

/// Key of a contract's code.
pub fn evm_code(addr: &Address) -> Vec<u8> {
    join(EVM_CODE_PREFIX, &[&addr.0])
}

/// Key of a contract storage slot.
pub fn evm_slot(addr: &Address, slot: &[u8; 32]) -> Vec<u8> {
    join(EVM_SLOT_PREFIX, &[&addr.0, slot])
}

/// `copy/work/` ‖ id (big-endian u64) → [`hechain_types::CopyrightWork`].
pub const COPYRIGHT_WORK_PREFIX: &[u8] = b"copy/work/";
/// `copy/hash/` ‖ content hash → work id (big-endian u64).
pub const COPYRIGHT_HASH_PREFIX: &[u8] = b"copy/hash/";
/// `copy/owner/` ‖ owner ‖ id (big-endian) → empty: works by current owner, in id order.
pub const COPYRIGHT_OWNER_PREFIX: &[u8] = b"copy/owner/";
/// `copy/lic/` ‖ work id ‖ index (big-endian u32) → [`hechain_types::CopyrightLicense`].
pub const COPYRIGHT_LICENSE_PREFIX: &[u8] = b"copy/lic/";
/// `copy/next` → next work id (big-endian u64; absent = 1).
pub const COPYRIGHT_NEXT_ID: &[u8] = b"copy/next";

/// Key of a registered work.
pub fn copyright_work(id: u64) -> Vec<u8> {
    join(COPYRIGHT_WORK_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the content-hash index entry of a work.
pub fn copyright_by_hash(content_hash: &H256) -> Vec<u8> {
    join(COPYRIGHT_HASH_PREFIX, &[&content_hash.0])
}

/// Prefix of one owner's index entries.
pub fn copyright_owner_prefix(owner: &Address) -> Vec<u8> {
    join(COPYRIGHT_OWNER_PREFIX, &[&owner.0])
}

/// Key of one owner index entry.
pub fn copyright_by_owner(owner: &Address, id: u64) -> Vec<u8> {
    join(COPYRIGHT_OWNER_PREFIX, &[&owner.0, &id.to_be_bytes()])
}

/// Key of a work's license.
pub fn copyright_license(work_id: u64, index: u32) -> Vec<u8> {
    join(COPYRIGHT_LICENSE_PREFIX, &[&work_id.to_be_bytes(), &index.to_be_bytes()])
}

/// `vch/v/` ‖ id (big-endian u64) → [`hechain_types::Voucher`].
pub const VOUCHER_PREFIX: &[u8] = b"vch/v/";
/// `vch/p/` ‖ part id (big-endian u64) → [`hechain_types::VoucherPart`].
pub const VOUCHER_PART_PREFIX: &[u8] = b"vch/p/";
/// `vch/holder/` ‖ holder ‖ part id → empty: live parts (active or pledged) by holder.
pub const VOUCHER_HOLDER_PREFIX: &[u8] = b"vch/holder/";
/// `vch/issuer/` ‖ issuer ‖ voucher id → empty: vouchers by issuer.
pub const VOUCHER_ISSUER_PREFIX: &[u8] = b"vch/issuer/";
/// `vch/next` → next voucher id (absent = 1).
pub const VOUCHER_NEXT_ID: &[u8] = b"vch/next";
/// `vch/pnext` → next part id (absent = 1).
pub const VOUCHER_NEXT_PART: &[u8] = b"vch/pnext";

/// Key of a voucher.
pub fn voucher(id: u64) -> Vec<u8> {
    join(VOUCHER_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a voucher part.
pub fn voucher_part(id: u64) -> Vec<u8> {
    join(VOUCHER_PART_PREFIX, &[&id.to_be_bytes()])
}

/// Prefix of one holder's live parts.
pub fn voucher_holder_prefix(holder: &Address) -> Vec<u8> {
    join(VOUCHER_HOLDER_PREFIX, &[&holder.0])
}

/// Key of one holder index entry.
pub fn voucher_by_holder(holder: &Address, part: u64) -> Vec<u8> {
    join(VOUCHER_HOLDER_PREFIX, &[&holder.0, &part.to_be_bytes()])
}

/// Prefix of one issuer's vouchers.
pub fn voucher_issuer_prefix(issuer: &Address) -> Vec<u8> {
    join(VOUCHER_ISSUER_PREFIX, &[&issuer.0])
}

/// Key of one issuer index entry.
pub fn voucher_by_issuer(issuer: &Address, id: u64) -> Vec<u8> {
    join(VOUCHER_ISSUER_PREFIX, &[&issuer.0, &id.to_be_bytes()])
}

/// `trace/batch/` ‖ id (big-endian u64) → [`hechain_types::TraceBatch`].
pub const TRACE_BATCH_PREFIX: &[u8] = b"trace/batch/";
/// `trace/item/` ‖ id (big-endian u64) → [`hechain_types::TraceItem`].
pub const TRACE_ITEM_PREFIX: &[u8] = b"trace/item/";
/// `trace/code/` ‖ code (UTF-8) → item id (big-endian u64).
pub const TRACE_CODE_PREFIX: &[u8] = b"trace/code/";
/// `trace/ev/` ‖ item id ‖ index (big-endian u32) → [`hechain_types::TraceEvent`].
pub const TRACE_EVENT_PREFIX: &[u8] = b"trace/ev/";
/// `trace/bitem/` ‖ batch id ‖ item id → empty: a batch's items, in id order.
pub const TRACE_BATCH_ITEM_PREFIX: &[u8] = b"trace/bitem/";
/// `trace/prod/` ‖ producer ‖ batch id → empty: batches by producer.
pub const TRACE_PRODUCER_PREFIX: &[u8] = b"trace/prod/";
/// `trace/cust/` ‖ custodian ‖ item id → empty: items by current custodian.
pub const TRACE_CUSTODIAN_PREFIX: &[u8] = b"trace/cust/";
/// `trace/pend/` ‖ receiver ‖ item id → empty: items offered to a receiver, not yet answered.
pub const TRACE_PENDING_PREFIX: &[u8] = b"trace/pend/";
/// `trace/bauth/` ‖ batch id ‖ account → [`hechain_types::TraceGrant`].
pub const TRACE_BATCH_AUTH_PREFIX: &[u8] = b"trace/bauth/";
/// `trace/iauth/` ‖ item id ‖ account → [`hechain_types::TraceGrant`].
pub const TRACE_ITEM_AUTH_PREFIX: &[u8] = b"trace/iauth/";
/// `trace/next_batch` → next batch id (absent = 1).
pub const TRACE_NEXT_BATCH: &[u8] = b"trace/next_batch";
/// `trace/next_item` → next item id (absent = 1).
pub const TRACE_NEXT_ITEM: &[u8] = b"trace/next_item";

/// Key of a batch.
pub fn trace_batch(id: u64) -> Vec<u8> {
    join(TRACE_BATCH_PREFIX, &[&id.to_be_bytes()])
}

/// Key of an item.
pub fn trace_item(id: u64) -> Vec<u8> {
    join(TRACE_ITEM_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the code index entry of an item.
pub fn trace_code(code: &str) -> Vec<u8> {
    join(TRACE_CODE_PREFIX, &[code.as_bytes()])
}

/// Key of an item's event.
pub fn trace_event(item: u64, index: u32) -> Vec<u8> {
    join(TRACE_EVENT_PREFIX, &[&item.to_be_bytes(), &index.to_be_bytes()])
}

/// Prefix of a batch's item index entries.
pub fn trace_batch_items_prefix(batch: u64) -> Vec<u8> {
    join(TRACE_BATCH_ITEM_PREFIX, &[&batch.to_be_bytes()])
}

/// Key of one batch item index entry.
pub fn trace_batch_item(batch: u64, item: u64) -> Vec<u8> {
    join(TRACE_BATCH_ITEM_PREFIX, &[&batch.to_be_bytes(), &item.to_be_bytes()])
}

/// Prefix of one producer's batches.
pub fn trace_producer_prefix(producer: &Address) -> Vec<u8> {
    join(TRACE_PRODUCER_PREFIX, &[&producer.0])
}

/// Key of one producer index entry.
pub fn trace_by_producer(producer: &Address, batch: u64) -> Vec<u8> {
    join(TRACE_PRODUCER_PREFIX, &[&producer.0, &batch.to_be_bytes()])
}

/// Prefix of one custodian's items.
pub fn trace_custodian_prefix(custodian: &Address) -> Vec<u8> {
    join(TRACE_CUSTODIAN_PREFIX, &[&custodian.0])
}

/// Key of one custodian index entry.
pub fn trace_by_custodian(custodian: &Address, item: u64) -> Vec<u8> {
    join(TRACE_CUSTODIAN_PREFIX, &[&custodian.0, &item.to_be_bytes()])
}

/// Prefix of the items offered to one receiver.
pub fn trace_pending_prefix(receiver: &Address) -> Vec<u8> {
    join(TRACE_PENDING_PREFIX, &[&receiver.0])
}

/// Key of one pending-offer index entry.
pub fn trace_pending(receiver: &Address, item: u64) -> Vec<u8> {
    join(TRACE_PENDING_PREFIX, &[&receiver.0, &item.to_be_bytes()])
}

/// Key of a batch authorisation.
pub fn trace_batch_auth(batch: u64, account: &Address) -> Vec<u8> {
    join(TRACE_BATCH_AUTH_PREFIX, &[&batch.to_be_bytes(), &account.0])
}

/// Key of an item authorisation.
pub fn trace_item_auth(item: u64, account: &Address) -> Vec<u8> {
    join(TRACE_ITEM_AUTH_PREFIX, &[&item.to_be_bytes(), &account.0])
}
