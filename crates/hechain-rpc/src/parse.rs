//! Parsing of client input (paths, query strings, bodies) into typed values,
//! with error messages that say what was wrong.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use hechain_types::{Address, Codec, SignedTransaction, H256};
use serde::de::DeserializeOwned;

use crate::error::{excerpt, ApiError};

/// Message of a 413 for a body over `limit` bytes.
pub(crate) fn body_too_large_message(limit: usize) -> String {
    format!("request body is larger than the limit of {limit} bytes")
}

/// Maps the body extractor's rejection (413 when over the limit).
pub(crate) fn body_rejection(r: BytesRejection, limit: usize) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { code: "body_too_large", message: body_too_large_message(limit) }
    } else {
        ApiError::bad_request("invalid_body", format!("cannot read the request body: {}", r.body_text()))
    }
}

/// Maps a path extractor rejection.
pub(crate) fn path_rejection(r: PathRejection) -> ApiError {
    ApiError::bad_request("invalid_path", format!("invalid path parameter: {}", r.body_text()))
}

/// Maps a query extractor rejection.
pub(crate) fn query_rejection(r: QueryRejection) -> ApiError {
    let text = r.body_text();
    let text = text.strip_prefix("Failed to deserialize query string: ").unwrap_or(&text);
    ApiError::bad_request("invalid_query", format!("invalid query string: {text}"))
}

/// Parses a JSON body; `what` describes the expected shape for messages.
pub(crate) fn json_body<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("invalid_body", format!("the request body is empty; expected {what}")));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let code = if e.is_syntax() || e.is_eof() { "invalid_json" } else { "invalid_body" };
        ApiError::bad_request(code, format!("invalid request body: {e} (expected {what})"))
    })
}

fn strip_0x(s: &str) -> &str {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s)
}

/// Hex (with or without `0x`) to bytes.
pub(crate) fn hex_bytes(what: &str, s: &str) -> Result<Vec<u8>, ApiError> {
    hex::decode(strip_0x(s.trim()))
        .map_err(|e| ApiError::bad_request("invalid_hex", format!("{what} is not valid hex: {e}")))
}

/// A 32-byte hash in hex.
pub(crate) fn hash(what: &str, s: &str) -> Result<H256, ApiError> {
    s.parse::<H256>().map_err(|e| {
        ApiError::bad_request("invalid_hash", format!("{what} {:?} is not a 32-byte hex hash: {e}", excerpt(s)))
    })
}

/// A 20-byte address in hex.
pub(crate) fn address(s: &str) -> Result<Address, ApiError> {
    s.parse::<Address>().map_err(|e| {
        ApiError::bad_request("invalid_address", format!("address {:?} is not a 20-byte hex address: {e}", excerpt(s)))
    })
}

/// A decimal `u64` (ids, heights).
pub(crate) fn decimal(what: &str, code: &'static str, s: &str) -> Result<u64, ApiError> {
    s.parse::<u64>().map_err(|e| {
        ApiError::bad_request(
            code,
            format!("{what} must be a non-negative decimal integer, got {:?} ({e})", excerpt(s)),
        )
    })
}

/// A raw transaction: hex of [`SignedTransaction::encode`].
pub(crate) fn raw_transaction(s: &str) -> Result<SignedTransaction, ApiError> {
    canonical_transaction(&hex_bytes("raw transaction", s)?)
}

/// Decodes the canonical bytes of a signed transaction.
pub(crate) fn canonical_transaction(bytes: &[u8]) -> Result<SignedTransaction, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request("invalid_transaction", "raw transaction is empty"));
    }
    SignedTransaction::decode(bytes).map_err(|e| {
        ApiError::bad_request(
            "invalid_transaction",
            format!("raw transaction ({} bytes) is not a canonically encoded signed transaction: {e}", bytes.len()),
        )
    })
}

/// Splits a binary batch body: each transaction is a little-endian `u32`
/// length followed by that many canonical bytes.
pub(crate) fn binary_frames(body: &[u8]) -> Result<Vec<&[u8]>, ApiError> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < body.len() {
        let truncated = || {
            ApiError::bad_request(
                "invalid_body",
                format!("binary batch is truncated at byte {pos}: expected a u32 length then that many bytes"),
            )
        };
        let len: [u8; 4] = body.get(pos..pos + 4).ok_or_else(truncated)?.try_into().map_err(|_| truncated())?;
        let len = u32::from_le_bytes(len) as usize;
        let item = body.get(pos + 4..pos + 4 + len).ok_or_else(truncated)?;
        out.push(item);
        pos += 4 + len;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_frames_split_and_reject_truncation() {
        let body = [2u8, 0, 0, 0, 0xaa, 0xbb, 0, 0, 0, 0, 1, 0, 0, 0, 0xcc];
        let frames = binary_frames(&body).unwrap();
        assert_eq!(frames, vec![&[0xaa, 0xbb][..], &[][..], &[0xcc][..]]);
        assert_eq!(binary_frames(&body[..3]).unwrap_err().code(), "invalid_body");
        assert!(binary_frames(&[5, 0, 0, 0, 1]).unwrap_err().to_string().contains("truncated at byte 0"));
        assert!(binary_frames(&[]).unwrap().is_empty());
    }

    #[test]
    fn hex_errors_are_explained() {
        let e = hex_bytes("raw transaction", "0xzz").unwrap_err();
        assert_eq!(e.code(), "invalid_hex");
        assert!(e.to_string().contains("raw transaction is not valid hex"), "{e}");
        let e = hash("transaction hash", "0x12").unwrap_err();
        assert!(e.to_string().contains("expected 64 hex digits, got 2"), "{e}");
        let e = address("0x12").unwrap_err();
        assert!(e.to_string().contains("expected 40 hex digits"), "{e}");
        let e = raw_transaction("0x0102").unwrap_err();
        assert_eq!(e.code(), "invalid_transaction");
        assert!(raw_transaction("").is_err());
    }

    #[test]
    fn json_errors_are_explained() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct B {
            raw: String,
        }
        let e = json_body::<B>(b"{", "x").unwrap_err();
        assert_eq!(e.code(), "invalid_json");
        let e = json_body::<B>(b"{\"raw\":5}", "x").unwrap_err();
        assert_eq!(e.code(), "invalid_body");
        assert!(e.to_string().contains("invalid type"), "{e}");
        let e = json_body::<B>(b"{\"raw\":\"a\",\"x\":1}", "x").unwrap_err();
        assert!(e.to_string().contains("unknown field `x`"), "{e}");
        let e = json_body::<B>(b"  ", "x").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }
}
