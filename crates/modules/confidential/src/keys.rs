//! The confidential-amounts module's state keys, all under `conf/`.

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `conf/a/` ‖ id → [`crate::Asset`].
pub const ASSET_PREFIX: &[u8] = b"conf/a/";
/// `conf/n/` ‖ id → [`crate::Note`].
pub const NOTE_PREFIX: &[u8] = b"conf/n/";
/// `conf/o/` ‖ owner ‖ id → empty: the unspent notes of an owner.
pub const OWNER_PREFIX: &[u8] = b"conf/o/";
/// `conf/an/` ‖ asset ‖ id → empty: every note of an asset (the auditor's list).
pub const ASSET_NOTES_PREFIX: &[u8] = b"conf/an/";
/// `conf/vk/` ‖ account → 32-byte public view key.
pub const VIEW_KEY_PREFIX: &[u8] = b"conf/vk/";
/// `conf/next/asset` → next asset id (absent = 1).
pub const NEXT_ASSET: &[u8] = b"conf/next/asset";
/// `conf/next/note` → next note id (absent = 1).
pub const NEXT_NOTE: &[u8] = b"conf/next/note";

/// Key of an asset.
pub fn asset(id: u64) -> Vec<u8> {
    join(ASSET_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a note.
pub fn note(id: u64) -> Vec<u8> {
    join(NOTE_PREFIX, &[&id.to_be_bytes()])
}

/// Prefix of an owner's unspent notes.
pub fn owner_prefix(owner: &Address) -> Vec<u8> {
    join(OWNER_PREFIX, &[&owner.0])
}

/// Index key of an unspent note of an owner.
pub fn owner_note(owner: &Address, id: u64) -> Vec<u8> {
    join(OWNER_PREFIX, &[&owner.0, &id.to_be_bytes()])
}

/// Prefix of an asset's notes.
pub fn asset_notes_prefix(asset: u64) -> Vec<u8> {
    join(ASSET_NOTES_PREFIX, &[&asset.to_be_bytes()])
}

/// Index key of a note of an asset.
pub fn asset_note(asset: u64, id: u64) -> Vec<u8> {
    join(ASSET_NOTES_PREFIX, &[&asset.to_be_bytes(), &id.to_be_bytes()])
}

/// Key of an account's view key.
pub fn view_key(account: &Address) -> Vec<u8> {
    join(VIEW_KEY_PREFIX, &[&account.0])
}
