//! The copyright module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::{Address, H256};

/// `copy/work/` ‖ id (big-endian u64) → [`crate::CopyrightWork`].
pub const COPYRIGHT_WORK_PREFIX: &[u8] = b"copy/work/";

/// `copy/hash/` ‖ content hash → work id (big-endian u64).
pub const COPYRIGHT_HASH_PREFIX: &[u8] = b"copy/hash/";

/// `copy/owner/` ‖ owner ‖ id (big-endian) → empty: works by current owner, in id order.
pub const COPYRIGHT_OWNER_PREFIX: &[u8] = b"copy/owner/";

/// `copy/lic/` ‖ work id ‖ index (big-endian u32) → [`crate::CopyrightLicense`].
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
