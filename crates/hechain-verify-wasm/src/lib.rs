//! The web console's cryptography: hechain's own offline verifier ([`hechain_cert`]) and the
//! suite hash ([`hechain_crypto::SuiteHasher`]: SHA-256 or SM3), compiled to WebAssembly.
//!
//! The console verifies certificates and hashes evidence files *in the browser*, with nothing
//! sent to a node. Running the same Rust code as `hechain verify` (rather than a JavaScript
//! re-implementation of the block, transaction, receipt and state-proof formats) means the page
//! and the CLI cannot disagree about what is valid.
//!
//! The WebAssembly module has no imports and a small C ABI (`console/verify.js` wraps it):
//!
//! | export | does |
//! |---|---|
//! | `hc_alloc(len) -> ptr` / `hc_free(ptr, len)` | memory the page writes inputs into |
//! | `hc_hasher_new(suite) -> handle` | a streaming hasher, suite 0 = standard (SHA-256), 1 = gm (SM3); 0 if unknown |
//! | `hc_hasher_update(handle, ptr, len)` | feeds a chunk of the file |
//! | `hc_hasher_finish(handle, out_ptr)` | writes the 32-byte hash, frees the hasher |
//! | `hc_verify(cert_ptr, cert_len, genesis_ptr, genesis_len) -> ptr` | verifies a certificate against a genesis; the answer is a 4-byte little-endian length then that much JSON, freed with `hc_free(ptr, 4 + length)` |
//!
//! The safe functions ([`verify_json`], [`hash`]) hold all the logic and are unit-tested on the
//! host; the exports only move bytes.
//!
//! Build: `console/build-wasm.sh` (target `wasm32-unknown-unknown`, profile `wasm`); the result
//! is committed as `console/verify.wasm` so that a user's `cargo build` needs no WebAssembly
//! toolchain.

use hechain_cert::{EvidenceCertificate, RecordCertificate, CERT_FORMAT, RECORD_CERT_FORMAT};
use hechain_crypto::{Suite, SuiteHasher};
use hechain_types::Genesis;
use serde_json::{json, Value};
use std::alloc::Layout;

/// Verifies a certificate file (evidence or record certificate, told apart by its `format`)
/// against a genesis file. Always answers with JSON: `{"valid": true, "kind", "height",
/// "block_hash", "timestamp_ms", "epoch", "signed_by", "epoch_changes", "suite", "chain_id",
/// "record"}` or `{"valid": false, "reason": "..."}`.
pub fn verify_json(cert: &[u8], genesis: &[u8]) -> Value {
    match verify(cert, genesis) {
        Ok(v) => v,
        Err(reason) => json!({"valid": false, "reason": reason}),
    }
}

fn verify(cert: &[u8], genesis: &[u8]) -> Result<Value, String> {
    let genesis: Genesis =
        serde_json::from_slice(genesis).map_err(|e| format!("the genesis file does not parse: {e}"))?;
    let value: Value = serde_json::from_slice(cert).map_err(|e| format!("the certificate is not JSON: {e}"))?;
    let format = value.get("format").and_then(Value::as_str).unwrap_or_default().to_string();
    let base = json!({"valid": true, "suite": genesis.suite(), "chain_id": genesis.chain_id});
    let mut out = if format == CERT_FORMAT {
        let c: EvidenceCertificate =
            serde_json::from_value(value).map_err(|e| format!("the evidence certificate does not parse: {e}"))?;
        let v = c.verify(&genesis).map_err(|e| e.to_string())?;
        let mut o = serde_json::to_value(&v).map_err(|e| e.to_string())?;
        o["kind"] = json!("evidence");
        o["record"] = serde_json::to_value(&c.record).map_err(|e| e.to_string())?;
        o
    } else if format == RECORD_CERT_FORMAT {
        let c: RecordCertificate =
            serde_json::from_value(value).map_err(|e| format!("the record certificate does not parse: {e}"))?;
        let v = c.verify(&genesis).map_err(|e| e.to_string())?;
        let mut o = serde_json::to_value(&v).map_err(|e| e.to_string())?;
        o["record"] = json!(c.record.describe());
        o
    } else {
        return Err(format!(
            "unknown certificate format {format:?}; this verifier reads {CERT_FORMAT} and {RECORD_CERT_FORMAT}"
        ));
    };
    if let (Some(o), Some(b)) = (out.as_object_mut(), base.as_object()) {
        for (k, v) in b {
            o.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// The suite's hash of `data` (suite code 0 = standard, 1 = gm).
pub fn hash(suite: u32, data: &[u8]) -> Option<[u8; 32]> {
    let mut h = SuiteHasher::new(suite_of(suite)?);
    h.update(data);
    Some(h.finalize())
}

fn suite_of(code: u32) -> Option<Suite> {
    match code {
        0 => Some(Suite::Standard),
        1 => Some(Suite::Gm),
        _ => None,
    }
}

/// Memory for the page to write `len` bytes into (null if it cannot be had; dangling for 0).
#[no_mangle]
pub extern "C" fn hc_alloc(len: usize) -> *mut u8 {
    match Layout::array::<u8>(len) {
        Ok(_) if len == 0 => std::ptr::NonNull::<u8>::dangling().as_ptr(),
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { std::alloc::alloc(layout) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// Frees what [`hc_alloc`] (or [`hc_verify`]) returned.
///
/// # Safety
/// `ptr` and `len` must be exactly a pointer and length handed out by this module, freed once.
#[no_mangle]
pub unsafe extern "C" fn hc_free(ptr: *mut u8, len: usize) {
    if let (Ok(layout), false) = (Layout::array::<u8>(len), len == 0 || ptr.is_null()) {
        // SAFETY: per the contract above, allocated with this layout.
        unsafe { std::alloc::dealloc(ptr, layout) };
    }
}

/// A streaming hasher for `suite` (0 standard, 1 gm); 0 for an unknown suite.
#[no_mangle]
pub extern "C" fn hc_hasher_new(suite: u32) -> usize {
    match suite_of(suite) {
        Some(s) => Box::into_raw(Box::new(SuiteHasher::new(s))) as usize,
        None => 0,
    }
}

/// Feeds `len` bytes at `ptr` to the hasher.
///
/// # Safety
/// `handle` must come from [`hc_hasher_new`] and not be finished; `ptr..ptr+len` readable.
#[no_mangle]
pub unsafe extern "C" fn hc_hasher_update(handle: usize, ptr: *const u8, len: usize) {
    // SAFETY: per the contract above.
    let (h, data) = unsafe { (&mut *(handle as *mut SuiteHasher), std::slice::from_raw_parts(ptr, len)) };
    h.update(data);
}

/// Writes the 32-byte hash to `out` and frees the hasher.
///
/// # Safety
/// `handle` from [`hc_hasher_new`], finished once; `out..out+32` writable.
#[no_mangle]
pub unsafe extern "C" fn hc_hasher_finish(handle: usize, out: *mut u8) {
    // SAFETY: per the contract above.
    let h = unsafe { Box::from_raw(handle as *mut SuiteHasher) };
    let digest = h.finalize();
    // SAFETY: per the contract above.
    unsafe { std::ptr::copy_nonoverlapping(digest.as_ptr(), out, 32) };
}

/// Verifies a certificate against a genesis ([`verify_json`]); returns a buffer of a 4-byte
/// little-endian length and that much JSON, to free with `hc_free(ptr, 4 + length)`.
///
/// # Safety
/// Both ranges readable.
#[no_mangle]
pub unsafe extern "C" fn hc_verify(
    cert: *const u8,
    cert_len: usize,
    genesis: *const u8,
    genesis_len: usize,
) -> *mut u8 {
    // SAFETY: per the contract above.
    let (c, g) =
        unsafe { (std::slice::from_raw_parts(cert, cert_len), std::slice::from_raw_parts(genesis, genesis_len)) };
    let text = verify_json(c, g).to_string().into_bytes();
    let out = hc_alloc(4 + text.len());
    if !out.is_null() {
        // SAFETY: `out` holds 4 + text.len() bytes.
        unsafe {
            std::ptr::copy_nonoverlapping((text.len() as u32).to_le_bytes().as_ptr(), out, 4);
            std::ptr::copy_nonoverlapping(text.as_ptr(), out.add(4), text.len());
        }
    }
    out
}

#[cfg(test)]
mod tests;
