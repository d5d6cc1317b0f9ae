//! Parsing of JSON-RPC parameters (quantities, data, addresses, block tags, filters).

use hechain_types::{Address, H256};
use serde_json::Value;

use super::RpcError;

/// The `i`-th positional parameter (`Null` when absent).
pub fn at(params: &Value, i: usize) -> &Value {
    static NULL: Value = Value::Null;
    match params {
        Value::Array(a) => a.get(i).unwrap_or(&NULL),
        _ => &NULL,
    }
}

fn invalid(what: &str, v: &Value, why: &str) -> RpcError {
    RpcError::invalid_params(format!("invalid {what} {v}: {why}"))
}

/// A hex quantity (`0x1a`).
pub fn quantity_u128(v: &Value, what: &str) -> Result<u128, RpcError> {
    let s = v.as_str().ok_or_else(|| invalid(what, v, "expected a 0x-prefixed hex string"))?;
    let h = s.strip_prefix("0x").ok_or_else(|| invalid(what, v, "missing 0x prefix"))?;
    if h.is_empty() {
        return Err(invalid(what, v, "empty quantity"));
    }
    u128::from_str_radix(h, 16).map_err(|e| invalid(what, v, &e.to_string()))
}

/// A hex quantity that fits u64.
pub fn quantity(v: &Value, what: &str) -> Result<u64, RpcError> {
    let n = quantity_u128(v, what)?;
    u64::try_from(n).map_err(|_| invalid(what, v, "too large"))
}

/// Optional quantity (absent or null → None).
pub fn opt_quantity(v: Option<&Value>, what: &str) -> Result<Option<u64>, RpcError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => quantity(v, what).map(Some),
    }
}

/// Optional 128-bit quantity.
pub fn opt_quantity_u128(v: Option<&Value>, what: &str) -> Result<Option<u128>, RpcError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => quantity_u128(v, what).map(Some),
    }
}

/// Hex data.
pub fn bytes(v: &Value, what: &str) -> Result<Vec<u8>, RpcError> {
    let s = v.as_str().ok_or_else(|| invalid(what, v, "expected 0x-prefixed hex data"))?;
    let h = s.strip_prefix("0x").ok_or_else(|| invalid(what, v, "missing 0x prefix"))?;
    hex::decode(h).map_err(|e| invalid(what, v, &e.to_string()))
}

/// A 20-byte address.
pub fn address(v: &Value, what: &str) -> Result<Address, RpcError> {
    let b = bytes(v, what)?;
    Address::from_slice(&b).map_err(|e| invalid(what, v, &e.to_string()))
}

/// A 32-byte hash.
pub fn hash(v: &Value, what: &str) -> Result<H256, RpcError> {
    let b = bytes(v, what)?;
    H256::from_slice(&b).map_err(|e| invalid(what, v, &e.to_string()))
}

/// A 32-byte word given as a quantity or as data (storage slots).
pub fn word(v: &Value, what: &str) -> Result<[u8; 32], RpcError> {
    let s = v.as_str().ok_or_else(|| invalid(what, v, "expected hex"))?;
    let h = s.strip_prefix("0x").ok_or_else(|| invalid(what, v, "missing 0x prefix"))?;
    if h.len() > 64 {
        return Err(invalid(what, v, "longer than 32 bytes"));
    }
    let padded = format!("{h:0>64}");
    let b = hex::decode(padded).map_err(|e| invalid(what, v, &e.to_string()))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&b);
    Ok(out)
}

/// A block named by a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockId {
    /// `latest`, `safe`, `finalized` (BFT blocks are final when committed).
    Latest,
    /// `pending`: the latest block plus the pool.
    Pending,
    /// `earliest`.
    Earliest,
    /// A height.
    Number(u64),
    /// A block hash.
    Hash(H256),
}

/// A block tag / number / EIP-1898 object; absent means `latest`.
pub fn block_id(v: &Value) -> Result<BlockId, RpcError> {
    match v {
        Value::Null => Ok(BlockId::Latest),
        Value::String(s) => match s.as_str() {
            "latest" | "safe" | "finalized" => Ok(BlockId::Latest),
            "pending" => Ok(BlockId::Pending),
            "earliest" => Ok(BlockId::Earliest),
            _ => quantity(v, "block number").map(BlockId::Number),
        },
        Value::Object(o) => {
            if let Some(h) = o.get("blockHash") {
                Ok(BlockId::Hash(hash(h, "block hash")?))
            } else if let Some(n) = o.get("blockNumber") {
                block_id(n)
            } else {
                Err(invalid("block", v, "expected blockHash or blockNumber"))
            }
        }
        _ => Err(invalid("block", v, "expected a tag, a number or an object")),
    }
}
