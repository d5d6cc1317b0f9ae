//! The JSON-RPC methods.

use std::time::Instant;

use hechain_execution::evm::{self, CallRequest, CallStatus};
use hechain_execution::BlockContext;
use hechain_mempool::AdmitError;
use hechain_storage::StoreReader;
use hechain_types::{Address, BlockHeader, ChainTx, EthTransaction, Receipt, H256};
use serde_json::{json, Map, Value};

use super::format::{self, qty, TxPlace};
use super::params::{self, at, BlockId};
use super::{Caller, EthState, RpcError};
use crate::RpcContext;

/// Every method served over HTTP and WebSocket (besides [`WS_METHODS`]). This list is what the
/// server answers: [`call`] refuses any other name, and `tests/eth_shapes.rs` checks the answer of
/// each one against the Ethereum execution API's shapes.
pub const METHODS: &[&str] = &[
    "web3_clientVersion",
    "web3_sha3",
    "net_version",
    "net_listening",
    "net_peerCount",
    "eth_chainId",
    "eth_blockNumber",
    "eth_syncing",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
    "eth_feeHistory",
    "eth_getBalance",
    "eth_getTransactionCount",
    "eth_getCode",
    "eth_getStorageAt",
    "eth_call",
    "eth_estimateGas",
    "eth_sendRawTransaction",
    "eth_getTransactionByHash",
    "eth_getTransactionByBlockNumberAndIndex",
    "eth_getTransactionByBlockHashAndIndex",
    "eth_getTransactionReceipt",
    "eth_getBlockByNumber",
    "eth_getBlockByHash",
    "eth_getBlockTransactionCountByNumber",
    "eth_getBlockTransactionCountByHash",
    "eth_getBlockReceipts",
    "eth_getUncleCountByBlockNumber",
    "eth_getUncleCountByBlockHash",
    "eth_getLogs",
    "eth_newFilter",
    "eth_newBlockFilter",
    "eth_getFilterChanges",
    "eth_getFilterLogs",
    "eth_uninstallFilter",
    "eth_accounts",
    "eth_mining",
    "eth_hashrate",
];

/// The methods served over WebSocket only.
pub const WS_METHODS: &[&str] = &["eth_subscribe", "eth_unsubscribe"];

fn unknown_method(method: &str) -> RpcError {
    RpcError { code: -32601, message: format!("the method {method} does not exist/is not available"), data: None }
}

/// The methods whose cost grows with their parameters or with the code they run: they take a
/// turn of [`super::EthLimits::max_concurrent_calls`].
pub(crate) const HEAVY: &[&str] =
    &["eth_call", "eth_estimateGas", "eth_getLogs", "eth_getFilterLogs", "eth_getFilterChanges", "eth_feeHistory"];

/// Dispatches one call.
pub(crate) fn call(
    ctx: &RpcContext,
    eth: &EthState,
    caller: &Caller,
    method: &str,
    p: &Value,
) -> Result<Value, RpcError> {
    if !METHODS.contains(&method) {
        return Err(unknown_method(method));
    }
    let params = &ctx.mempool.params();
    // `…ByHash…` methods name their block by hash: make that explicit for the block resolver.
    let by_hash;
    let p = if method.starts_with("eth_getBlock") && method.ends_with("ByHash")
        || method == "eth_getTransactionByBlockHashAndIndex"
    {
        let mut items = p.as_array().cloned().unwrap_or_default();
        if let Some(first) = items.first_mut() {
            params::hash(first, "block hash")?;
            *first = json!({ "blockHash": first.clone() });
        }
        by_hash = Value::Array(items);
        &by_hash
    } else {
        p
    };
    match method {
        "web3_clientVersion" => Ok(json!(format!("hechain/v{}/rust", env!("CARGO_PKG_VERSION")))),
        "web3_sha3" => Ok(json!(format::data(&hechain_crypto::keccak256(&params::bytes(at(p, 0), "data")?)))),
        "net_version" => Ok(json!(ctx.genesis.chain_id.to_string())),
        "net_listening" => Ok(json!(true)),
        "net_peerCount" => Ok(super::sync::peer_count(ctx.consensus_status.as_ref())),
        "eth_chainId" => Ok(json!(qty(ctx.genesis.chain_id))),
        "eth_blockNumber" => Ok(json!(qty(ctx.store.reader()?.head_height()?))),
        "eth_syncing" => {
            let head = ctx.store.reader()?.head_height()?;
            Ok(super::sync::syncing(ctx.consensus_status.as_ref(), &eth.sync, head))
        }
        "eth_mining" => Ok(json!(false)),
        "eth_hashrate" => Ok(json!("0x0")),
        "eth_accounts" => Ok(json!([])),
        "eth_gasPrice" => Ok(json!(qty(params.base_fee_per_gas))),
        "eth_maxPriorityFeePerGas" => Ok(json!("0x0")),
        "eth_feeHistory" => fee_history(ctx, eth, p),
        "eth_getBalance" => {
            let addr = params::address(at(p, 0), "address")?;
            let reader = latest_state(ctx, at(p, 1))?;
            Ok(json!(qty(hechain_execution::account_of(&reader, &addr)?.balance)))
        }
        "eth_getTransactionCount" => {
            let addr = params::address(at(p, 0), "address")?;
            let pending = params::block_id(at(p, 1))? == BlockId::Pending;
            let reader = latest_state(ctx, at(p, 1))?;
            let committed = hechain_execution::account_of(&reader, &addr)?.nonce;
            let n =
                if pending { ctx.mempool.pending_nonce(&addr).unwrap_or(committed).max(committed) } else { committed };
            Ok(json!(qty(n)))
        }
        "eth_getCode" => {
            let addr = params::address(at(p, 0), "address")?;
            let reader = latest_state(ctx, at(p, 1))?;
            Ok(json!(format::data(&evm::code_of(&reader, &addr)?)))
        }
        "eth_getStorageAt" => {
            let addr = params::address(at(p, 0), "address")?;
            let slot = params::word(at(p, 1), "storage slot")?;
            let reader = latest_state(ctx, at(p, 2))?;
            Ok(json!(format::data(&evm::storage_of(&reader, &addr, &slot)?)))
        }
        "eth_call" => {
            let req = call_request(at(p, 0), eth.limits.call_gas_cap)?;
            let reader = latest_state(ctx, at(p, 1))?;
            reject_overrides(at(p, 2))?;
            let out =
                evm::call(&reader, pending_ctx(ctx, &reader)?, ctx.genesis.chain_id, params, &req, &caller.budget)?;
            match out.status {
                CallStatus::Success => Ok(json!(format::data(&out.output))),
                status => Err(call_error(status, &out.output)),
            }
        }
        "eth_estimateGas" => {
            let req = call_request(at(p, 0), eth.limits.call_gas_cap)?;
            let reader = latest_state(ctx, at(p, 1))?;
            reject_overrides(at(p, 2))?;
            let block = pending_ctx(ctx, &reader)?;
            match evm::estimate_gas(&reader, block, ctx.genesis.chain_id, params, &req, &caller.budget)? {
                Ok(gas) => Ok(json!(qty(gas))),
                Err(out) => Err(match out.status {
                    CallStatus::Halted(m) if m == "out of gas" => RpcError::server(format!(
                        "gas required exceeds allowance ({})",
                        req.gas.unwrap_or(params.max_tx_gas).min(params.max_tx_gas)
                    )),
                    status => call_error(status, &out.output),
                }),
            }
        }
        "eth_sendRawTransaction" => send_raw(ctx, p),
        "eth_getTransactionByHash" => {
            let hash = params::hash(at(p, 0), "transaction hash")?;
            let reader = ctx.store.reader()?;
            if let Some((tx, loc)) = reader.transaction(&hash)? {
                let place = place_at(ctx, &reader, loc.height, loc.index)?;
                return Ok(format::transaction(&tx, &hash, Some(place), params));
            }
            Ok(match ctx.mempool.get(&hash) {
                Some(tx) => format::transaction(&tx, &hash, None, params),
                None => Value::Null,
            })
        }
        "eth_getTransactionByBlockNumberAndIndex" | "eth_getTransactionByBlockHashAndIndex" => {
            let reader = ctx.store.reader()?;
            let Some(height) = resolve_block(&reader, at(p, 0))? else { return Ok(Value::Null) };
            let index = params::quantity(at(p, 1), "index")?;
            let Some(block) = reader.block(height)? else { return Ok(Value::Null) };
            let Some(tx) = usize::try_from(index).ok().and_then(|i| block.transactions.get(i)) else {
                return Ok(Value::Null);
            };
            let place = place_at(ctx, &reader, height, index as u32)?;
            Ok(format::transaction(tx, &tx.hash(ctx.genesis.suite()), Some(place), params))
        }
        "eth_getTransactionReceipt" => {
            let hash = params::hash(at(p, 0), "transaction hash")?;
            let reader = ctx.store.reader()?;
            let Some((tx, loc)) = reader.transaction(&hash)? else { return Ok(Value::Null) };
            let receipts = reader.block_receipts(loc.height)?;
            if receipts.len() <= loc.index as usize {
                return Err(RpcError::internal(format!("receipts of block {} are missing", loc.height)));
            }
            let place = place_at(ctx, &reader, loc.height, loc.index)?;
            Ok(format::receipt(&tx, &receipts, place, params))
        }
        "eth_getBlockReceipts" => {
            let reader = ctx.store.reader()?;
            let Some(height) = resolve_block(&reader, at(p, 0))? else { return Ok(Value::Null) };
            let Some(block) = reader.block(height)? else { return Ok(Value::Null) };
            let receipts = reader.block_receipts(height)?;
            let hash = block.header.hash(ctx.genesis.suite());
            Ok(Value::Array(
                block
                    .transactions
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < receipts.len())
                    .map(|(i, t)| format::receipt(t, &receipts, TxPlace::new(&block.header, hash, i as u32), params))
                    .collect(),
            ))
        }
        "eth_getBlockByNumber" | "eth_getBlockByHash" => {
            let reader = ctx.store.reader()?;
            let Some(height) = resolve_block(&reader, at(p, 0))? else { return Ok(Value::Null) };
            let full = at(p, 1).as_bool().unwrap_or(false);
            block_value(ctx, &reader, height, full)
        }
        "eth_getBlockTransactionCountByNumber" | "eth_getBlockTransactionCountByHash" => {
            let reader = ctx.store.reader()?;
            let Some(height) = resolve_block(&reader, at(p, 0))? else { return Ok(Value::Null) };
            Ok(match reader.header(height)? {
                Some(h) => json!(qty(h.tx_count)),
                None => Value::Null,
            })
        }
        "eth_getUncleCountByBlockNumber" | "eth_getUncleCountByBlockHash" => Ok(json!("0x0")),
        "eth_getLogs" => {
            let f = LogFilter::parse(at(p, 0))?;
            let reader = ctx.store.reader()?;
            Ok(Value::Array(f.query(ctx, eth, &reader)?))
        }
        "eth_newFilter" => {
            let f = LogFilter::parse(at(p, 0))?;
            let head = ctx.store.reader()?.head_height()?;
            install(eth, Installed::new(FilterKind::Logs(f), head, caller.ip))
        }
        "eth_newBlockFilter" => {
            let head = ctx.store.reader()?.head_height()?;
            install(eth, Installed::new(FilterKind::Blocks, head, caller.ip))
        }
        "eth_getFilterChanges" | "eth_getFilterLogs" => {
            let id = filter_id(at(p, 0))?;
            super::expire_filters(&eth.filters);
            let (kind, since) = {
                let mut filters = eth.filters.installed.lock();
                let f = filters
                    .get_mut(&id)
                    .filter(|f| f.owner == caller.ip)
                    .ok_or_else(|| RpcError::server("filter not found"))?;
                f.last_poll = Instant::now();
                (f.kind.clone(), f.last_seen)
            };
            let reader = ctx.store.reader()?;
            let head = reader.head_height()?;
            let result = match (&kind, method) {
                (FilterKind::Logs(f), "eth_getFilterLogs") => f.query(ctx, eth, &reader)?,
                (FilterKind::Logs(f), _) => {
                    let mut window = f.clone();
                    window.from = Some(BlockId::Number(since + 1));
                    window.to = Some(BlockId::Number(head));
                    window.block_hash = None;
                    if since >= head {
                        vec![]
                    } else {
                        window.query(ctx, eth, &reader)?
                    }
                }
                (FilterKind::Blocks, "eth_getFilterLogs") => {
                    return Err(RpcError::server("eth_getFilterLogs needs a log filter, this is a block filter"))
                }
                (FilterKind::Blocks, _) => {
                    let start = (since + 1).max(head.saturating_sub(eth.limits.max_log_blocks));
                    let mut hashes = Vec::new();
                    for h in start..=head {
                        if let Some(header) = reader.header(h)? {
                            hashes.push(json!(header.hash(ctx.genesis.suite())));
                        }
                    }
                    hashes
                }
            };
            if method == "eth_getFilterChanges" {
                if let Some(f) = eth.filters.installed.lock().get_mut(&id) {
                    f.last_seen = f.last_seen.max(head);
                }
            }
            Ok(Value::Array(result))
        }
        "eth_uninstallFilter" => {
            let id = filter_id(at(p, 0))?;
            let mut filters = eth.filters.installed.lock();
            let mine = filters.get(&id).is_some_and(|f| f.owner == caller.ip);
            Ok(json!(mine && filters.remove(&id).is_some()))
        }
        other => Err(RpcError::internal(format!("{other} is listed in METHODS but has no handler"))),
    }
}

/// A reader of the latest state, refusing historical blocks (only the latest state is kept as
/// values; the state tree keeps hashes of older ones).
fn latest_state(ctx: &RpcContext, tag: &Value) -> Result<StoreReader, RpcError> {
    let reader = ctx.store.reader()?;
    let head = reader.head_height()?;
    let ok = match params::block_id(tag)? {
        BlockId::Latest | BlockId::Pending => true,
        BlockId::Number(n) => n == head,
        BlockId::Hash(h) => reader.height_of(&h)? == Some(head),
        BlockId::Earliest => head == 0,
    };
    if !ok {
        return Err(RpcError::server(format!(
            "historical state is not available: this node serves the state of the latest block ({head}) only"
        )));
    }
    Ok(reader)
}

fn reject_overrides(v: &Value) -> Result<(), RpcError> {
    match v {
        Value::Null => Ok(()),
        Value::Object(o) if o.is_empty() => Ok(()),
        _ => Err(RpcError::invalid_params("state overrides are not supported")),
    }
}

/// The context of the next block, for simulations.
fn pending_ctx(ctx: &RpcContext, reader: &StoreReader) -> Result<BlockContext, RpcError> {
    let suite = ctx.genesis.suite();
    let head = reader.head()?;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    Ok(BlockContext {
        suite,
        genesis_hash: ctx.genesis.hash(),
        height: head.height + 1,
        timestamp_ms: now.max(head.timestamp_ms),
        parent_hash: head.hash(suite),
    })
}

/// A call object, its gas lowered to `gas_cap` (absent gas means the cap).
fn call_request(v: &Value, gas_cap: u64) -> Result<CallRequest, RpcError> {
    let o = v.as_object().ok_or_else(|| RpcError::invalid_params("expected a call object"))?;
    let get = |k: &str| o.get(k).filter(|v| !v.is_null());
    let data = match (get("input"), get("data")) {
        (Some(d), _) | (None, Some(d)) => params::bytes(d, "input")?,
        (None, None) => vec![],
    };
    Ok(CallRequest {
        from: get("from").map(|v| params::address(v, "from")).transpose()?,
        to: get("to").map(|v| params::address(v, "to")).transpose()?,
        gas: Some(params::opt_quantity(get("gas"), "gas")?.map_or(gas_cap, |g| g.min(gas_cap))),
        gas_price: match params::opt_quantity_u128(get("gasPrice"), "gasPrice")? {
            Some(p) => Some(p),
            None => params::opt_quantity_u128(get("maxFeePerGas"), "maxFeePerGas")?,
        },
        value: params::opt_quantity_u128(get("value"), "value")?.unwrap_or(0),
        data,
    })
}

fn call_error(status: CallStatus, output: &[u8]) -> RpcError {
    match status {
        CallStatus::Reverted(msg) => RpcError { code: 3, message: msg, data: Some(json!(format::data(output))) },
        CallStatus::Halted(msg) => RpcError::server(msg),
        CallStatus::Stopped(msg) => RpcError::limit(msg),
        CallStatus::Invalid(msg) => RpcError::server(if msg.contains("lack of funds") {
            format!("insufficient funds for gas * price + value ({msg})")
        } else {
            msg
        }),
        CallStatus::Success => RpcError::internal("not an error"),
    }
}

/// Ethereum's wording for pool refusals (ethers and viem classify errors by these words).
fn admit_error(e: AdmitError) -> RpcError {
    RpcError::server(match e {
        AdmitError::NonceTooLow { expected, got } => format!("nonce too low: next nonce {expected}, tx nonce {got}"),
        AdmitError::InsufficientBalance { need, have } => {
            format!("insufficient funds for gas * price + value: balance {have}, tx cost {need}")
        }
        AdmitError::Duplicate(_) => "already known".to_string(),
        AdmitError::WrongChainId { expected, got } => {
            format!("invalid chain id for signer: have {got} want {expected}")
        }
        AdmitError::PoolFull { .. } => "txpool is full".to_string(),
        AdmitError::Oversize { size, max } => format!("oversized data: transaction size {size}, limit {max}"),
        AdmitError::BadSignature(m) => format!("invalid sender: {m}"),
        other => other.to_string(),
    })
}

fn send_raw(ctx: &RpcContext, p: &Value) -> Result<Value, RpcError> {
    send_raw_batch(ctx, std::slice::from_ref(p)).pop().unwrap_or_else(|| Err(RpcError::internal("no result")))
}

/// `eth_sendRawTransaction` for several requests at once (a JSON-RPC batch of them, as load
/// generators and bundlers send): signatures are recovered in parallel and the transactions are
/// admitted to the pool as one batch, which also reaches the other validators as one gossip
/// message. One result per request, in order.
pub(crate) fn send_raw_batch(ctx: &RpcContext, requests: &[Value]) -> Vec<Result<Value, RpcError>> {
    use rayon::prelude::*;
    let decode = |p: &Value| -> Result<EthTransaction, RpcError> {
        let raw = params::bytes(at(p, 0), "raw transaction")?;
        EthTransaction::decode(&raw).map_err(|e| RpcError::server(e.to_string()))
    };
    let decoded: Vec<Result<EthTransaction, RpcError>> = if requests.len() > 16 {
        requests.par_iter().map(decode).collect()
    } else {
        requests.iter().map(decode).collect()
    };
    // Move the decoded transactions into one pool batch; keep, per request, what its answer needs.
    let mut txs = Vec::with_capacity(decoded.len());
    let slots: Vec<Result<(H256, Address, u64), RpcError>> = decoded
        .into_iter()
        .map(|d| {
            d.map(|t| {
                let slot = (t.hash(), t.sender(), t.nonce());
                txs.push(ChainTx::Ethereum(t));
                slot
            })
        })
        .collect();
    let mut admitted = if txs.is_empty() { Vec::new() } else { ctx.admit(txs) }.into_iter();
    slots
        .into_iter()
        .map(|slot| {
            let (hash, sender, nonce) = slot?;
            match admitted.next() {
                Some(Ok(h)) => Ok(json!(h)),
                // Pending: Ethereum's "already known". Committed: its nonce is used (geth's answer).
                Some(Err(AdmitError::Duplicate(h))) if !ctx.mempool.contains(&h) => {
                    let next = ctx
                        .store
                        .reader()
                        .ok()
                        .and_then(|r| hechain_execution::account_of(&r, &sender).ok())
                        .map_or(nonce + 1, |a| a.nonce);
                    Err(RpcError::server(format!("nonce too low: next nonce {next}, tx nonce {nonce}")))
                }
                Some(Err(AdmitError::Duplicate(_))) => Err(RpcError::server("already known")),
                Some(Err(e)) => Err(admit_error(e)),
                None => Err(RpcError::internal(format!("the pool returned no admission result for {hash}"))),
            }
        })
        .collect()
}

fn place_at(ctx: &RpcContext, reader: &StoreReader, height: u64, index: u32) -> Result<TxPlace, RpcError> {
    let header = reader.header(height)?.ok_or_else(|| RpcError::internal(format!("block {height} is missing")))?;
    Ok(TxPlace::new(&header, header.hash(ctx.genesis.suite()), index))
}

/// Height named by a block parameter, `None` if there is no such block.
fn resolve_block(reader: &StoreReader, v: &Value) -> Result<Option<u64>, RpcError> {
    let head = reader.head_height()?;
    Ok(match params::block_id(v)? {
        BlockId::Latest | BlockId::Pending => Some(head),
        BlockId::Earliest => Some(0),
        BlockId::Number(n) => (n <= head).then_some(n),
        BlockId::Hash(h) => reader.height_of(&h)?,
    })
}

fn block_value(ctx: &RpcContext, reader: &StoreReader, height: u64, full: bool) -> Result<Value, RpcError> {
    let Some(block) = reader.block(height)? else { return Ok(Value::Null) };
    let suite = ctx.genesis.suite();
    let hashes = reader.tx_hashes(height)?.unwrap_or_default();
    let receipts = reader.block_receipts(height)?;
    let hash = block.header.hash(suite);
    Ok(format::full_block(&block, &hash, &hashes, &receipts, full, &ctx.mempool.params()))
}

/// `eth_feeHistory`: at most [`super::EthLimits::max_fee_history_blocks`] blocks (more are
/// lowered, as geth does) and [`super::EthLimits::max_reward_percentiles`] percentiles, which
/// must be numbers from 0 to 100 in ascending order.
fn fee_history(ctx: &RpcContext, eth: &EthState, p: &Value) -> Result<Value, RpcError> {
    let count = match at(p, 0) {
        Value::Number(n) => n.as_u64().ok_or_else(|| RpcError::invalid_params("invalid block count"))?,
        v => params::quantity(v, "block count")?,
    }
    .clamp(1, eth.limits.max_fee_history_blocks.max(1));
    let percentiles = reward_percentiles(at(p, 2), eth.limits.max_reward_percentiles)?;
    let reader = ctx.store.reader()?;
    let newest = resolve_block(&reader, at(p, 1))?.ok_or_else(|| RpcError::invalid_params("unknown newest block"))?;
    let oldest = newest.saturating_sub(count - 1);
    let params = &ctx.mempool.params();
    let mut ratios = Vec::new();
    for h in oldest..=newest {
        let used: u64 = reader.block_receipts(h)?.iter().map(format::gas_used).sum();
        ratios.push(json!(used as f64 / params.block_gas_limit.max(1) as f64));
    }
    let n = (newest - oldest + 1) as usize;
    let mut out = json!({
        "oldestBlock": qty(oldest),
        "baseFeePerGas": vec![qty(params.base_fee_per_gas); n + 1],
        "gasUsedRatio": ratios,
        "baseFeePerBlobGas": vec!["0x0"; n + 1],
        "blobGasUsedRatio": vec![0.0; n],
    });
    if percentiles > 0 {
        out["reward"] = json!(vec![vec!["0x0"; percentiles]; n]);
    }
    Ok(out)
}

/// How many reward percentiles `v` asks for (absent or null: none), checked as geth checks them.
fn reward_percentiles(v: &Value, max: usize) -> Result<usize, RpcError> {
    let list = match v {
        Value::Null => return Ok(0),
        Value::Array(a) => a,
        _ => return Err(RpcError::invalid_params("reward percentiles must be an array of numbers")),
    };
    if list.len() > max {
        return Err(RpcError::limit(format!("{} reward percentiles asked for, at most {max} are served", list.len())));
    }
    let mut last = 0.0_f64;
    for (i, item) in list.iter().enumerate() {
        let x = item
            .as_f64()
            .filter(|x| (0.0..=100.0).contains(x))
            .ok_or_else(|| RpcError::invalid_params(format!("reward percentile {i} must be a number from 0 to 100")))?;
        if x < last {
            return Err(RpcError::invalid_params(format!(
                "reward percentiles must ascend: {x} follows {last} (percentile {i})"
            )));
        }
        last = x;
    }
    Ok(list.len())
}

// ---------------------------------------------------------------- logs and filters

/// A log query (`eth_getLogs`, `eth_newFilter`, `logs` subscriptions).
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    pub(crate) from: Option<BlockId>,
    pub(crate) to: Option<BlockId>,
    pub(crate) block_hash: Option<H256>,
    addresses: Vec<Address>,
    /// Per position: any of these topics (`None` = anything).
    topics: Vec<Option<Vec<H256>>>,
}

impl LogFilter {
    /// Parses a filter object.
    pub fn parse(v: &Value) -> Result<Self, RpcError> {
        let empty = Map::new();
        let o = match v {
            Value::Null => &empty,
            Value::Object(o) => o,
            _ => return Err(RpcError::invalid_params("expected a filter object")),
        };
        let get = |k: &str| o.get(k).filter(|v| !v.is_null());
        let block_hash = get("blockHash").map(|v| params::hash(v, "blockHash")).transpose()?;
        let from = get("fromBlock").map(params::block_id).transpose()?;
        let to = get("toBlock").map(params::block_id).transpose()?;
        if block_hash.is_some() && (from.is_some() || to.is_some()) {
            return Err(RpcError::invalid_params("blockHash cannot be combined with fromBlock/toBlock"));
        }
        let addresses = match get("address") {
            None => vec![],
            Some(Value::Array(a)) => a.iter().map(|v| params::address(v, "address")).collect::<Result<_, _>>()?,
            Some(v) => vec![params::address(v, "address")?],
        };
        let topics = match get("topics") {
            None => vec![],
            Some(Value::Array(a)) => {
                if a.len() > 4 {
                    return Err(RpcError::invalid_params("at most 4 topic positions"));
                }
                a.iter()
                    .map(|t| match t {
                        Value::Null => Ok(None),
                        Value::Array(alts) => {
                            alts.iter().map(|x| params::hash(x, "topic")).collect::<Result<Vec<_>, _>>().map(Some)
                        }
                        x => params::hash(x, "topic").map(|h| Some(vec![h])),
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => return Err(RpcError::invalid_params("topics must be an array")),
        };
        Ok(Self { from, to, block_hash, addresses, topics })
    }

    fn matches(&self, l: &hechain_types::Log) -> bool {
        (self.addresses.is_empty() || self.addresses.contains(&l.address))
            && self.topics.iter().enumerate().all(|(i, alts)| match alts {
                None => true,
                Some(alts) => l.topics.get(i).is_some_and(|t| alts.contains(t)),
            })
    }

    /// Matching logs of one block.
    pub(crate) fn logs_of_block(&self, header: &BlockHeader, block_hash: &H256, receipts: &[Receipt]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut log_index = 0usize;
        for (i, r) in receipts.iter().enumerate() {
            let place = TxPlace::new(header, *block_hash, i as u32);
            for l in r.evm.iter().flat_map(|e| &e.logs) {
                if self.matches(l) {
                    out.push(format::log(l, &r.tx_hash, place, log_index));
                }
                log_index += 1;
            }
        }
        out
    }

    fn query(&self, ctx: &RpcContext, eth: &EthState, reader: &StoreReader) -> Result<Vec<Value>, RpcError> {
        let head = reader.head_height()?;
        let suite = ctx.genesis.suite();
        let (from, to) = match self.block_hash {
            Some(h) => {
                let height = reader.height_of(&h)?.ok_or_else(|| RpcError::server(format!("unknown block {h}")))?;
                (height, height)
            }
            None => {
                let resolve = |b: Option<BlockId>| -> Result<u64, RpcError> {
                    Ok(match b {
                        None | Some(BlockId::Latest) | Some(BlockId::Pending) => head,
                        Some(BlockId::Earliest) => 0,
                        Some(BlockId::Number(n)) => n.min(head),
                        Some(BlockId::Hash(h)) => {
                            reader.height_of(&h)?.ok_or_else(|| RpcError::server(format!("unknown block {h}")))?
                        }
                    })
                };
                (resolve(self.from)?, resolve(self.to)?)
            }
        };
        if from > to {
            return Ok(vec![]);
        }
        if to - from + 1 > eth.limits.max_log_blocks {
            return Err(RpcError::limit(format!(
                "query returned more than {} blocks: range {from}..{to} is too wide, split it",
                eth.limits.max_log_blocks
            )));
        }
        let mut out = Vec::new();
        for h in from..=to {
            let receipts = reader.block_receipts(h)?;
            if receipts.iter().all(|r| r.evm.as_ref().is_none_or(|e| e.logs.is_empty())) {
                continue;
            }
            let header = reader.header(h)?.ok_or_else(|| RpcError::internal(format!("block {h} is missing")))?;
            out.extend(self.logs_of_block(&header, &header.hash(suite), &receipts));
            if out.len() > eth.limits.max_logs {
                return Err(RpcError::limit(format!(
                    "query returned more than {} results: narrow the block range or the filter",
                    eth.limits.max_logs
                )));
            }
        }
        Ok(out)
    }
}

#[derive(Clone)]
pub(crate) enum FilterKind {
    Logs(LogFilter),
    Blocks,
}

pub(crate) struct Installed {
    pub(crate) kind: FilterKind,
    /// Highest block already reported.
    pub(crate) last_seen: u64,
    pub(crate) last_poll: Instant,
    /// The address of the client that installed it: only that client may poll or remove it.
    pub(crate) owner: Option<std::net::IpAddr>,
}

impl Installed {
    fn new(kind: FilterKind, head: u64, owner: Option<std::net::IpAddr>) -> Self {
        Self { kind, last_seen: head, last_poll: Instant::now(), owner }
    }
}

fn install(eth: &EthState, f: Installed) -> Result<Value, RpcError> {
    super::expire_filters(&eth.filters);
    let mut filters = eth.filters.installed.lock();
    let limits = &eth.limits;
    let own = filters.values().filter(|i| i.owner == f.owner).count();
    if own >= limits.max_filters_per_client {
        return Err(RpcError::limit(format!(
            "this client has {own} filters installed, the limit per client: uninstall some, or let unpolled ones expire"
        )));
    }
    if filters.len() >= limits.max_filters {
        return Err(RpcError::limit(format!("{} filters are installed, the limit of this node", limits.max_filters)));
    }
    let id = super::random_id()?;
    filters.insert(id.clone(), f);
    Ok(json!(id))
}

/// A filter id as clients send it back, in the form [`super::random_id`] made it.
fn filter_id(v: &Value) -> Result<String, RpcError> {
    let s = v.as_str().ok_or_else(|| RpcError::invalid_params("expected a filter id string"))?;
    let id = s.strip_prefix("0x").and_then(|h| u128::from_str_radix(h, 16).ok());
    id.map(|n| format!("{n:#x}")).ok_or_else(|| RpcError::invalid_params("invalid filter id"))
}
