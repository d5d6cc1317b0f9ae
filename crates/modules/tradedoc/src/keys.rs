//! The trade-document registry's state keys, all under `tdoc/`.

use hechain_module::keys::join;
use hechain_primitives::{Address, H256};

use crate::DocType;

/// `tdoc/d/` ‖ id (big-endian u64) → [`crate::TradeDoc`].
pub const DOC_PREFIX: &[u8] = b"tdoc/d/";
/// `tdoc/key/` ‖ type ‖ issuer length (u16 BE) ‖ issuer ‖ number → id of the live registration.
pub const KEY_PREFIX: &[u8] = b"tdoc/key/";
/// `tdoc/hash/` ‖ content hash → id of the live registration.
pub const HASH_PREFIX: &[u8] = b"tdoc/hash/";
/// `tdoc/bank/` ‖ bank ‖ id → empty: registrations by bank, in id order.
pub const BANK_PREFIX: &[u8] = b"tdoc/bank/";
/// `tdoc/next` → next registration id (absent = 1).
pub const NEXT_ID: &[u8] = b"tdoc/next";

/// Key of a registration.
pub fn doc(id: u64) -> Vec<u8> {
    join(DOC_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the live-registration index of a normalised document key.
pub fn by_key(doc_type: DocType, issuer: &str, number: &str) -> Vec<u8> {
    let len = u16::try_from(issuer.len()).unwrap_or(u16::MAX).to_be_bytes();
    join(KEY_PREFIX, &[&[doc_type as u8], &len, issuer.as_bytes(), number.as_bytes()])
}

/// Key of the live-registration index of a content hash.
pub fn by_hash(content_hash: &H256) -> Vec<u8> {
    join(HASH_PREFIX, &[&content_hash.0])
}

/// Prefix of one bank's index.
pub fn bank_prefix(bank: &Address) -> Vec<u8> {
    join(BANK_PREFIX, &[&bank.0])
}

/// Key of one bank index entry.
pub fn by_bank(bank: &Address, id: u64) -> Vec<u8> {
    join(BANK_PREFIX, &[&bank.0, &id.to_be_bytes()])
}
