//! The voucher module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `vch/v/` ‖ id (big-endian u64) → [`crate::Voucher`].
pub const VOUCHER_PREFIX: &[u8] = b"vch/v/";

/// `vch/p/` ‖ part id (big-endian u64) → [`crate::VoucherPart`].
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
