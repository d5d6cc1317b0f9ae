//! The invoice module's state keys, all under `inv/`.

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `inv/i/` ‖ id (big-endian u64) → [`crate::Invoice`].
pub const INVOICE_PREFIX: &[u8] = b"inv/i/";
/// `inv/code/` ‖ code ‖ `/` ‖ number → id: code and number are unique per chain.
pub const CODE_PREFIX: &[u8] = b"inv/code/";
/// `inv/issuer/` ‖ issuer ‖ id → empty: invoices by issuer, in id order.
pub const ISSUER_PREFIX: &[u8] = b"inv/issuer/";
/// `inv/buyer/` ‖ buyer ‖ id → empty: invoices by buyer, in id order.
pub const BUYER_PREFIX: &[u8] = b"inv/buyer/";
/// `inv/auth/` ‖ issuer → [`crate::IssuerAuth`].
pub const AUTH_PREFIX: &[u8] = b"inv/auth/";
/// `inv/next` → next invoice id (absent = 1).
pub const NEXT_ID: &[u8] = b"inv/next";

/// Key of an invoice.
pub fn invoice(id: u64) -> Vec<u8> {
    join(INVOICE_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the code-and-number index (both are ASCII alphanumeric, so `/` separates them).
pub fn by_code(code: &str, number: &str) -> Vec<u8> {
    join(CODE_PREFIX, &[code.as_bytes(), b"/", number.as_bytes()])
}

/// Prefix of one issuer's index.
pub fn issuer_prefix(issuer: &Address) -> Vec<u8> {
    join(ISSUER_PREFIX, &[&issuer.0])
}

/// Key of one issuer index entry.
pub fn by_issuer(issuer: &Address, id: u64) -> Vec<u8> {
    join(ISSUER_PREFIX, &[&issuer.0, &id.to_be_bytes()])
}

/// Prefix of one buyer's index.
pub fn buyer_prefix(buyer: &Address) -> Vec<u8> {
    join(BUYER_PREFIX, &[&buyer.0])
}

/// Key of one buyer index entry.
pub fn by_buyer(buyer: &Address, id: u64) -> Vec<u8> {
    join(BUYER_PREFIX, &[&buyer.0, &id.to_be_bytes()])
}

/// Key of an issuer's authorisation.
pub fn auth(issuer: &Address) -> Vec<u8> {
    join(AUTH_PREFIX, &[&issuer.0])
}
