//! A small client of the node's Ethereum JSON-RPC (`POST /`): what the CLI's `contract`
//! commands and `hechain bench erc20` need. Full dapps use ethers, viem or web3 instead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hechain_types::{Address, H256};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::SdkError;

/// One JSON-RPC error answer.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcFailure {
    /// JSON-RPC error code (3 = execution reverted, -32000 = refused transaction, …).
    pub code: i64,
    /// Message.
    pub message: String,
    /// Revert data, if any.
    pub data: Option<Value>,
}

impl std::fmt::Display for RpcFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (JSON-RPC error {})", self.message, self.code)
    }
}

/// A JSON-RPC client.
#[derive(Debug)]
pub struct EthClient {
    url: String,
    http: reqwest::Client,
    next_id: AtomicU64,
}

fn hex_u128(v: &Value, what: &str) -> Result<u128, SdkError> {
    let s = v.as_str().ok_or_else(|| SdkError::Decode(format!("{what}: expected a hex quantity, got {v}")))?;
    u128::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|e| SdkError::Decode(format!("{what}: {e}")))
}

fn hex_bytes(v: &Value, what: &str) -> Result<Vec<u8>, SdkError> {
    let s = v.as_str().ok_or_else(|| SdkError::Decode(format!("{what}: expected hex data, got {v}")))?;
    hex::decode(s.trim_start_matches("0x")).map_err(|e| SdkError::Decode(format!("{what}: {e}")))
}

impl EthClient {
    /// A client of the node at `url` (its JSON-RPC is at the root path).
    pub fn new(url: &str) -> Result<Self, SdkError> {
        Ok(Self {
            url: format!("{}/", url.trim_end_matches('/')),
            http: crate::http_client()?,
            next_id: AtomicU64::new(1),
        })
    }

    async fn post(&self, body: &Value) -> Result<Value, SdkError> {
        let resp = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| SdkError::Transport { url: self.url.clone(), reason: e.to_string() })?;
        let bytes =
            resp.bytes().await.map_err(|e| SdkError::Transport { url: self.url.clone(), reason: e.to_string() })?;
        serde_json::from_slice(&bytes).map_err(|e| SdkError::Decode(format!("JSON-RPC answer: {e}")))
    }

    fn split(answer: Value) -> Result<Value, RpcFailure> {
        if let Some(e) = answer.get("error") {
            return Err(RpcFailure {
                code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: e.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string(),
                data: e.get("data").cloned(),
            });
        }
        Ok(answer.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Calls `method`; a JSON-RPC error becomes `Ok(Err(..))`.
    pub async fn try_request(&self, method: &str, params: Value) -> Result<Result<Value, RpcFailure>, SdkError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let answer = self.post(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await?;
        Ok(Self::split(answer))
    }

    /// Calls `method` and decodes its result; a JSON-RPC error is an [`SdkError::Api`].
    pub async fn request<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, SdkError> {
        match self.try_request(method, params).await? {
            Ok(v) => serde_json::from_value(v).map_err(|e| SdkError::Decode(format!("{method}: {e}"))),
            Err(f) => Err(SdkError::Api { status: 200, code: f.code.to_string(), message: f.message }),
        }
    }

    /// Sends several calls in one batch; one result per call, in order.
    pub async fn batch(&self, calls: &[(&str, Value)]) -> Result<Vec<Result<Value, RpcFailure>>, SdkError> {
        let first = self.next_id.fetch_add(calls.len() as u64, Ordering::Relaxed);
        let body: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(i, (m, p))| json!({ "jsonrpc": "2.0", "id": first + i as u64, "method": m, "params": p }))
            .collect();
        let answer = self.post(&Value::Array(body)).await?;
        let Value::Array(items) = answer else {
            // The whole batch was refused (e.g. too large).
            let f = Self::split(answer).err().unwrap_or(RpcFailure {
                code: 0,
                message: "the node did not answer the batch".into(),
                data: None,
            });
            return Err(SdkError::Api { status: 200, code: f.code.to_string(), message: f.message });
        };
        let mut out: Vec<Option<Result<Value, RpcFailure>>> = vec![None; calls.len()];
        for item in items {
            let idx = item.get("id").and_then(Value::as_u64).and_then(|id| id.checked_sub(first)).map(|i| i as usize);
            if let Some(slot) = idx.and_then(|i| out.get_mut(i)) {
                *slot = Some(Self::split(item));
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or(Err(RpcFailure { code: 0, message: "no answer for this call".into(), data: None })))
            .collect())
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64, SdkError> {
        let v: Value = self.request("eth_chainId", json!([])).await?;
        Ok(hex_u128(&v, "chain id")? as u64)
    }

    /// `eth_gasPrice` (the chain's base fee).
    pub async fn gas_price(&self) -> Result<u128, SdkError> {
        let v: Value = self.request("eth_gasPrice", json!([])).await?;
        hex_u128(&v, "gas price")
    }

    /// `eth_getTransactionCount(addr, "pending")`.
    pub async fn pending_nonce(&self, addr: &Address) -> Result<u64, SdkError> {
        let v: Value = self.request("eth_getTransactionCount", json!([addr, "pending"])).await?;
        Ok(hex_u128(&v, "nonce")? as u64)
    }

    /// `eth_estimateGas`; a revert is returned as the failure.
    pub async fn estimate_gas(&self, call: Value) -> Result<Result<u64, RpcFailure>, SdkError> {
        Ok(match self.try_request("eth_estimateGas", json!([call])).await? {
            Ok(v) => Ok(hex_u128(&v, "gas")? as u64),
            Err(f) => Err(f),
        })
    }

    /// `eth_call`; a revert is returned as the failure.
    pub async fn call(&self, call: Value) -> Result<Result<Vec<u8>, RpcFailure>, SdkError> {
        Ok(match self.try_request("eth_call", json!([call, "latest"])).await? {
            Ok(v) => Ok(hex_bytes(&v, "call output")?),
            Err(f) => Err(f),
        })
    }

    /// `eth_sendRawTransaction`.
    pub async fn send_raw(&self, raw: &[u8]) -> Result<H256, SdkError> {
        self.request("eth_sendRawTransaction", json!([format!("0x{}", hex::encode(raw))])).await
    }

    /// `eth_getTransactionReceipt` (null while pending).
    pub async fn receipt(&self, hash: &H256) -> Result<Option<Value>, SdkError> {
        let v: Value = self.request("eth_getTransactionReceipt", json!([hash])).await?;
        Ok((!v.is_null()).then_some(v))
    }

    /// Polls for a receipt.
    pub async fn wait_receipt(&self, hash: &H256, timeout: Duration) -> Result<Value, SdkError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(r) = self.receipt(hash).await? {
                return Ok(r);
            }
            if Instant::now() > deadline {
                return Err(SdkError::Timeout(timeout, format!("the receipt of {hash}")));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
