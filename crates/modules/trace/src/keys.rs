//! The trace module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `trace/batch/` ‖ id (big-endian u64) → [`crate::TraceBatch`].
pub const TRACE_BATCH_PREFIX: &[u8] = b"trace/batch/";

/// `trace/item/` ‖ id (big-endian u64) → [`crate::TraceItem`].
pub const TRACE_ITEM_PREFIX: &[u8] = b"trace/item/";

/// `trace/code/` ‖ code (UTF-8) → item id (big-endian u64).
pub const TRACE_CODE_PREFIX: &[u8] = b"trace/code/";

/// `trace/ev/` ‖ item id ‖ index (big-endian u32) → [`crate::TraceEvent`].
pub const TRACE_EVENT_PREFIX: &[u8] = b"trace/ev/";

/// `trace/bitem/` ‖ batch id ‖ item id → empty: a batch's items, in id order.
pub const TRACE_BATCH_ITEM_PREFIX: &[u8] = b"trace/bitem/";

/// `trace/prod/` ‖ producer ‖ batch id → empty: batches by producer.
pub const TRACE_PRODUCER_PREFIX: &[u8] = b"trace/prod/";

/// `trace/cust/` ‖ custodian ‖ item id → empty: items by current custodian.
pub const TRACE_CUSTODIAN_PREFIX: &[u8] = b"trace/cust/";

/// `trace/pend/` ‖ receiver ‖ item id → empty: items offered to a receiver, not yet answered.
pub const TRACE_PENDING_PREFIX: &[u8] = b"trace/pend/";

/// `trace/bauth/` ‖ batch id ‖ account → [`crate::TraceGrant`].
pub const TRACE_BATCH_AUTH_PREFIX: &[u8] = b"trace/bauth/";

/// `trace/iauth/` ‖ item id ‖ account → [`crate::TraceGrant`].
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
