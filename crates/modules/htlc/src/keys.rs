//! The HTLC module's state keys, all under `htlc/`.

use hechain_module::keys::join;
use hechain_primitives::H256;

/// `htlc/l/` ‖ id → [`crate::Htlc`].
pub const LOCK_PREFIX: &[u8] = b"htlc/l/";
/// `htlc/hash/` ‖ hash lock ‖ id → empty: locks by hash lock (the other side of a swap finds
/// the lock with its hash).
pub const HASH_PREFIX: &[u8] = b"htlc/hash/";
/// `htlc/next` → next lock id (absent = 1).
pub const NEXT_ID: &[u8] = b"htlc/next";

/// Key of a lock.
pub fn lock(id: u64) -> Vec<u8> {
    join(LOCK_PREFIX, &[&id.to_be_bytes()])
}

/// Prefix of the locks of one hash lock.
pub fn by_hash_prefix(hash_lock: &H256) -> Vec<u8> {
    join(HASH_PREFIX, &[&hash_lock.0])
}

/// Index key of a lock by its hash lock.
pub fn by_hash(hash_lock: &H256, id: u64) -> Vec<u8> {
    join(HASH_PREFIX, &[&hash_lock.0, &id.to_be_bytes()])
}
