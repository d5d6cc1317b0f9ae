//! Request handlers of the JSON routes.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use hechain_execution::certificate::{
    BuildCertificate, CertError, CertifiedRecord, EvidenceCertificate, RecordCertificate, TraceItemHistory,
};
use hechain_execution::{copyright, ecert, evidence, governance, keys, trace, voucher, Overlay};
use hechain_storage::StoreReader;
use hechain_types::{Block, ChainTx, Codec, SignedTransaction, Subject, H256};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::{parse, AppState, RpcContext};

/// Result of a JSON handler.
type ApiResult = Result<Json<Value>, ApiError>;

/// Default page size of list endpoints (capped by `RpcConfig::max_page`).
const DEFAULT_PAGE: usize = 100;

const SUBMIT_SHAPE: &str =
    r#"{"raw":"0x<hex of the encoded signed transaction>"} or {"transaction":<signed transaction JSON>}"#;
const BATCH_SHAPE: &str = r#"{"raw":["0x<hex of an encoded signed transaction>", ...]}"#;

/// Runs storage reads, decoding and signature checks on the blocking pool.
async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::Internal(format!("request worker failed: {e}"))),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(format!("cannot serialise the response: {e}")))
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn block_hash_at(ctx: &RpcContext, reader: &StoreReader, height: u64) -> Result<H256, ApiError> {
    let header = reader
        .header(height)?
        .ok_or_else(|| ApiError::Internal(format!("header of committed height {height} is missing")))?;
    Ok(header.hash(ctx.genesis.suite()))
}

/// `GET /api/v1/status`.
pub(crate) async fn status(State(st): State<AppState>) -> ApiResult {
    let ctx = st.ctx;
    blocking(move || {
        let r = ctx.store.reader()?;
        let head = r.head()?;
        let suite = ctx.genesis.suite();
        // The validators in force (governance may have changed the genesis set).
        let membership = governance::membership(&r)?;
        let validators: Vec<&str> = membership.validators.iter().map(|v| v.name.as_str()).collect();
        Ok(Json(json!({
            "chain_id": ctx.genesis.chain_id,
            "suite": suite,
            "genesis_hash": ctx.genesis.hash(),
            "height": head.height,
            "head_hash": head.hash(suite),
            "head_timestamp_ms": head.timestamp_ms,
            "state_root": head.state_root,
            "pending_txs": ctx.mempool.len(),
            "min_fee": ctx.mempool.params().min_fee,
            "validators": validators,
            "epoch": membership.epoch,
            "version": env!("CARGO_PKG_VERSION"),
            "consensus": ctx.consensus_status.as_ref().map(|s| s.borrow().clone()),
        })))
    })
    .await
}

/// `GET /api/v1/genesis`: the genesis document as the node's `genesis.json` holds it (what
/// offline certificate checks verify against; its hash is `genesis_hash` of the status).
pub(crate) async fn genesis(State(st): State<AppState>) -> ApiResult {
    Ok(Json(to_json(&*st.ctx.genesis)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    #[serde(default)]
    raw: Option<String>,
    #[serde(default)]
    transaction: Option<SignedTransaction>,
}

/// `POST /api/v1/transactions`.
pub(crate) async fn submit_transaction(State(st): State<AppState>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let ctx = st.ctx;
    let body = body.map_err(|r| parse::body_rejection(r, ctx.config.max_body_bytes))?;
    blocking(move || {
        let req: SubmitBody = parse::json_body(&body, SUBMIT_SHAPE)?;
        let tx = match (req.raw, req.transaction) {
            (Some(raw), None) => parse::raw_transaction(&raw)?,
            (None, Some(tx)) => tx,
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "invalid_body",
                    "give either \"raw\" or \"transaction\" in the request body, not both",
                ))
            }
            (None, None) => {
                return Err(ApiError::bad_request(
                    "invalid_body",
                    format!("the request body has neither \"raw\" nor \"transaction\"; expected {SUBMIT_SHAPE}"),
                ))
            }
        };
        match ctx.admit(vec![tx.into()]).into_iter().next() {
            Some(Ok(hash)) => Ok(Json(json!({ "hash": hash }))),
            Some(Err(e)) => Err(e.into()),
            None => Err(ApiError::Internal("the pool returned no admission result".into())),
        }
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    raw: Vec<String>,
}

fn entry_error(code: &str, message: &str) -> Value {
    crate::error::error_body(code, message)
}

/// `POST /api/v1/transactions/batch`: decodes and admits in one blocking task
/// and one `admit_batch` call; one result per input, in order.
pub(crate) async fn submit_batch(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let ctx = st.ctx;
    let body = body.map_err(|r| parse::body_rejection(r, ctx.config.max_body_bytes))?;
    let binary = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/octet-stream"));
    blocking(move || {
        let max = ctx.config.max_batch;
        let too_large = |n: usize| ApiError::TooLarge {
            code: "batch_too_large",
            message: format!("the batch has {n} transactions, the limit is {max}; split it into smaller batches"),
        };
        // Decoding a large batch is CPU work: spread it over rayon.
        let parsed: Vec<Result<SignedTransaction, ApiError>> = if binary {
            let frames = parse::binary_frames(&body)?;
            if frames.len() > max {
                return Err(too_large(frames.len()));
            }
            frames.par_iter().map(|b| parse::canonical_transaction(b)).collect()
        } else {
            let req: BatchBody = parse::json_body(&body, BATCH_SHAPE)?;
            if req.raw.len() > max {
                return Err(too_large(req.raw.len()));
            }
            req.raw.par_iter().map(|raw| parse::raw_transaction(raw)).collect()
        };
        drop(body);
        let mut txs = Vec::with_capacity(parsed.len());
        let mut slots: Vec<Option<Value>> = Vec::with_capacity(parsed.len());
        for p in parsed {
            match p {
                Ok(tx) => {
                    txs.push(tx);
                    slots.push(None);
                }
                Err(e) => slots.push(Some(entry_error(e.code(), &e.to_string()))),
            }
        }
        let admitted = if txs.is_empty() { Vec::new() } else { ctx.admit(txs.into_iter().map(Into::into).collect()) };
        let mut accepted = 0usize;
        let mut admitted = admitted.into_iter();
        let results: Vec<Value> = slots
            .into_iter()
            .map(|slot| match slot {
                Some(err) => err,
                None => match admitted.next() {
                    Some(Ok(hash)) => {
                        accepted += 1;
                        json!({ "hash": hash })
                    }
                    Some(Err(e)) => entry_error(e.code(), &e.to_string()),
                    None => entry_error("internal_error", "the pool returned no admission result"),
                },
            })
            .collect();
        Ok(Json(json!({ "accepted": accepted, "results": results })))
    })
    .await
}

fn path_param(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(p)| p).map_err(parse::path_rejection)
}

/// `GET /api/v1/transactions/{hash}`.
pub(crate) async fn transaction(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let hash = parse::hash("transaction hash", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let committed = |ctx: &RpcContext| -> Result<Option<Value>, ApiError> {
            let reader = ctx.store.reader()?;
            let Some((tx, loc)) = reader.transaction(&hash)? else { return Ok(None) };
            let block_hash = block_hash_at(ctx, &reader, loc.height)?;
            Ok(Some(json!({
                "hash": hash,
                "status": "committed",
                "height": loc.height,
                "index": loc.index,
                "block_hash": block_hash,
                "transaction": tx,
            })))
        };
        if let Some(v) = committed(&ctx)? {
            return Ok(Json(v));
        }
        if ctx.mempool.contains(&hash) {
            return Ok(Json(json!({ "hash": hash, "status": "pending" })));
        }
        // It may have been committed (and left the pool) since the first read.
        if let Some(v) = committed(&ctx)? {
            return Ok(Json(v));
        }
        Err(ApiError::not_found(
            "transaction_not_found",
            format!("transaction {hash} is neither committed nor pending in this node's pool"),
        ))
    })
    .await
}

/// `GET /api/v1/receipts/{hash}`.
pub(crate) async fn receipt(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let hash = parse::hash("transaction hash", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let loc = reader.tx_location(&hash)?;
        let (Some(receipt), Some(loc)) = (loc.map(|l| reader.receipt_at(l)).transpose()?.flatten(), loc) else {
            let why = if ctx.mempool.contains(&hash) { "it is still pending" } else { "it is not committed" };
            return Err(ApiError::not_found("receipt_not_found", format!("no receipt for transaction {hash}: {why}")));
        };
        let block_hash = block_hash_at(&ctx, &reader, loc.height)?;
        let mut v = to_json(&receipt)?;
        if let Value::Object(m) = &mut v {
            m.insert("height".into(), json!(loc.height));
            m.insert("index".into(), json!(loc.index));
            m.insert("block_hash".into(), json!(block_hash));
        }
        Ok(Json(v))
    })
    .await
}

/// Query of the block routes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlockQuery {
    #[serde(default)]
    full: bool,
}

/// A block as JSON: transaction hashes only (read from the stored hash
/// list, no decoding), or full transactions with `full`.
fn block_json(ctx: &RpcContext, reader: &StoreReader, height: u64, full: bool) -> Result<Value, ApiError> {
    let suite = ctx.genesis.suite();
    let missing = || ApiError::Internal(format!("block of committed height {height} is missing"));
    let (header, seal, transactions) = if full {
        let block: Block = reader.block(height)?.ok_or_else(missing)?;
        let txs: Vec<Value> = block
            .transactions
            .iter()
            .map(|t| match t {
                ChainTx::Native(n) => json!({ "hash": t.hash(suite), "tx": n.tx, "signature": n.signature }),
                ChainTx::Ethereum(e) => json!({ "hash": t.hash(suite), "ethereum": e }),
            })
            .collect();
        (block.header, block.seal, txs)
    } else {
        let header = reader.header(height)?.ok_or_else(missing)?;
        // Genesis has no transaction list.
        let hashes = reader.tx_hashes(height)?.unwrap_or_default();
        (header, reader.seal(height)?, hashes.iter().map(|h| json!(h)).collect())
    };
    Ok(json!({
        "hash": header.hash(suite),
        "header": header,
        "seal": seal,
        "transactions": transactions,
    }))
}

/// `GET /api/v1/blocks/latest`.
pub(crate) async fn latest_block(
    State(st): State<AppState>,
    query: Result<Query<BlockQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        Ok(Json(block_json(&ctx, &reader, reader.head_height()?, q.full)?))
    })
    .await
}

/// `GET /api/v1/blocks/{id}` (decimal height or `0x` block hash).
pub(crate) async fn block(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<BlockQuery>, QueryRejection>,
) -> ApiResult {
    let id = path_param(path)?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    enum Id {
        Height(u64),
        Hash(H256),
    }
    let id = if id.starts_with("0x") || id.starts_with("0X") {
        Id::Hash(parse::hash("block hash", &id)?)
    } else {
        Id::Height(id.parse::<u64>().map_err(|_| {
            ApiError::bad_request(
                "invalid_block_id",
                format!(
                    "block id {:?} is neither a decimal height nor a 0x-prefixed 32-byte block hash",
                    crate::error::excerpt(&id)
                ),
            )
        })?)
    };
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let height = match id {
            Id::Height(h) => {
                let head = reader.head_height()?;
                if h > head {
                    return Err(ApiError::not_found(
                        "block_not_found",
                        format!("no block at height {h}: the chain's head is at height {head}"),
                    ));
                }
                h
            }
            Id::Hash(hash) => reader
                .height_of(&hash)?
                .ok_or_else(|| ApiError::not_found("block_not_found", format!("no block with hash {hash}")))?,
        };
        Ok(Json(block_json(&ctx, &reader, height, q.full)?))
    })
    .await
}

/// `GET /api/v1/accounts/{address}`.
pub(crate) async fn account(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let addr = parse::address(&path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let acc = hechain_execution::account_of(&ctx.store.reader()?, &addr)?;
        let pending_nonce = ctx.mempool.pending_nonce(&addr).unwrap_or(acc.nonce);
        Ok(Json(json!({
            "address": addr,
            "nonce": acc.nonce,
            "balance": acc.balance.to_string(),
            "pending_nonce": pending_nonce,
        })))
    })
    .await
}

fn evidence_id(path: Result<Path<String>, PathRejection>) -> Result<u64, ApiError> {
    parse::decimal("evidence id", "invalid_id", &path_param(path)?)
}

/// `GET /api/v1/evidence/{id}`.
pub(crate) async fn evidence_by_id(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = evidence_id(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        match evidence::record(&Overlay::new(&reader), id)? {
            Some(rec) => Ok(Json(to_json(&rec)?)),
            None => Err(ApiError::not_found("evidence_not_found", format!("no evidence record with id {id}"))),
        }
    })
    .await
}

/// `GET /api/v1/evidence/by-hash/{hash}`.
pub(crate) async fn evidence_by_hash(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let hash = parse::hash("content hash", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        match evidence::existing(&reader, &hash)? {
            Some(rec) => Ok(Json(to_json(&rec)?)),
            None => {
                Err(ApiError::not_found("evidence_not_found", format!("no evidence record with content hash {hash}")))
            }
        }
    })
    .await
}

/// Query of paged list routes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

/// The page size a list route uses: `limit`, default [`DEFAULT_PAGE`], at most the server's
/// `max_page`.
fn page_limit(ctx: &RpcContext, limit: Option<usize>) -> Result<usize, ApiError> {
    let max = ctx.config.max_page.max(1);
    let limit = limit.unwrap_or(DEFAULT_PAGE.min(max));
    if limit == 0 || limit > max {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("invalid query string: limit must be between 1 and {max}, got {limit}"),
        ));
    }
    Ok(limit)
}

/// One page of an id index (`prefix ‖ … ‖ id` → empty): the records of up to `limit` ids
/// after the key `after`, loaded by `load`, and the id to continue after when more remain.
fn index_page<T>(
    reader: &StoreReader,
    prefix: &[u8],
    after: Option<Vec<u8>>,
    limit: usize,
    index: &str,
    load: impl Fn(u64) -> Result<Option<T>, hechain_execution::ExecError>,
) -> Result<(Vec<T>, Option<u64>), ApiError> {
    let entries = reader.state_scan(prefix, after.as_deref(), limit + 1)?;
    let mut items = Vec::with_capacity(entries.len().min(limit));
    let mut last = None;
    for (key, _) in entries.iter().take(limit) {
        let id = keys::trailing_id(key)
            .ok_or_else(|| ApiError::Internal(format!("malformed {index} index key {}", hex0x(key))))?;
        items.push(
            load(id)?
                .ok_or_else(|| ApiError::Internal(format!("the {index} index names id {id}, which is missing")))?,
        );
        last = Some(id);
    }
    Ok((items, if entries.len() > limit { last } else { None }))
}

/// A per-address id index served as a paged list route: `GET …/{address}?after=ID&limit=N`
/// answers `{<field>: [records], next_after}`.
struct AddressIndex<T> {
    /// Names the index in errors.
    name: &'static str,
    /// JSON field of the records.
    field: &'static str,
    /// Key prefix of one address's entries.
    prefix: fn(&hechain_types::Address) -> Vec<u8>,
    /// Key of one entry.
    entry: fn(&hechain_types::Address, u64) -> Vec<u8>,
    /// Loads the record an entry names.
    load: fn(&StoreReader, u64) -> Result<Option<T>, hechain_execution::ExecError>,
}

async fn address_index_page<T: serde::Serialize + Send + 'static>(
    st: AppState,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
    index: AddressIndex<T>,
) -> ApiResult {
    let addr = parse::address(&path_param(path)?)?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    let limit = page_limit(&ctx, q.limit)?;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let (items, next_after) = index_page(
            &reader,
            &(index.prefix)(&addr),
            q.after.map(|id| (index.entry)(&addr, id)),
            limit,
            index.name,
            |id| (index.load)(&reader, id),
        )?;
        let mut out = serde_json::Map::new();
        out.insert(index.field.into(), to_json(&items)?);
        out.insert("next_after".into(), json!(next_after));
        Ok(Json(Value::Object(out)))
    })
    .await
}

/// `GET /api/v1/evidence/by-submitter/{address}?after=ID&limit=N`.
pub(crate) async fn evidence_by_submitter(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "evidence submitter",
        field: "records",
        prefix: keys::evidence_submitter_prefix,
        entry: keys::evidence_by_submitter,
        load: |r, id| evidence::record(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/evidence/{id}/certificate`.
pub(crate) async fn evidence_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = evidence_id(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        match EvidenceCertificate::build(&reader, &ctx.genesis, id) {
            Ok(cert) => Ok(Json(to_json(&cert)?)),
            Err(CertError::NotFound(_)) => {
                Err(ApiError::not_found("evidence_not_found", format!("no evidence record with id {id}")))
            }
            Err(CertError::Exec(e)) => Err(e.into()),
            Err(e @ CertError::NotYetCertified { .. }) => {
                Err(ApiError::NotReady { code: "not_yet_certified", message: e.to_string() })
            }
            Err(CertError::Invalid(m)) => {
                Err(ApiError::Internal(format!("cannot build the certificate of evidence {id}: {m}")))
            }
        }
    })
    .await
}

/// Query of the state proof route.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProofQuery {
    key: String,
    height: Option<u64>,
}

/// `GET /api/v1/state/proof?key=0x..&height=N`: the key's *current* value
/// and a proof of its value hash (or absence) under the state root of
/// `height` (default: the head). For a past height the proof covers the
/// value the key had then, which may differ from the current value returned.
pub(crate) async fn state_proof(
    State(st): State<AppState>,
    query: Result<Query<ProofQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let key = parse::hex_bytes("state key", &q.key)?;
    if key.is_empty() {
        return Err(ApiError::bad_request("invalid_query", "invalid query string: key must not be empty"));
    }
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let head = reader.head_height()?;
        let height = q.height.unwrap_or(head);
        if height > head {
            return Err(ApiError::not_found(
                "block_not_found",
                format!("no block at height {height}: the chain's head is at height {head}"),
            ));
        }
        let header = reader
            .header(height)?
            .ok_or_else(|| ApiError::Internal(format!("header of committed height {height} is missing")))?;
        let suite = ctx.genesis.suite();
        let value = reader.state_get(&key)?;
        let proof = reader.state_proof(suite, &header.state_root, &key)?;
        Ok(Json(json!({
            "key": hex0x(&key),
            "key_hash": H256(suite.hash(&key)),
            "height": height,
            "state_root": header.state_root,
            "value": value.as_deref().map(hex0x),
            "proof": proof,
        })))
    })
    .await
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

// ------------------------------------------------------------------ copyright (版权)

fn work_id(path: Result<Path<String>, PathRejection>) -> Result<u64, ApiError> {
    parse::decimal("work id", "invalid_id", &path_param(path)?)
}

fn work_not_found(id: u64) -> ApiError {
    ApiError::not_found("work_not_found", format!("no registered work has id {id}"))
}

/// Maps a record-certificate failure to the API's errors.
fn record_cert_error(what: &str, e: CertError) -> ApiError {
    match e {
        CertError::Exec(e) => e.into(),
        e @ CertError::NotYetCertified { .. } => {
            ApiError::NotReady { code: "not_yet_certified", message: e.to_string() }
        }
        CertError::NotFound(m) | CertError::Invalid(m) => {
            ApiError::Internal(format!("cannot build the certificate of {what}: {m}"))
        }
    }
}

/// Certifies a module record; `what` names it in errors.
fn certify(ctx: &RpcContext, reader: &StoreReader, record: CertifiedRecord, what: &str) -> ApiResult {
    let cert = RecordCertificate::build(reader, &ctx.genesis, record).map_err(|e| record_cert_error(what, e))?;
    Ok(Json(to_json(&cert)?))
}

/// `GET /api/v1/copyright/works/{id}`.
pub(crate) async fn copyright_work(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = work_id(path)?;
    let ctx = st.ctx;
    blocking(move || match copyright::work(&ctx.store.reader()?, id)? {
        Some(w) => Ok(Json(to_json(&w)?)),
        None => Err(work_not_found(id)),
    })
    .await
}

/// `GET /api/v1/copyright/works/by-hash/{hash}`.
pub(crate) async fn copyright_work_by_hash(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let hash = parse::hash("content hash", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || match copyright::work_by_hash(&ctx.store.reader()?, &hash)? {
        Some(w) => Ok(Json(to_json(&w)?)),
        None => Err(ApiError::not_found("work_not_found", format!("no work is registered with content hash {hash}"))),
    })
    .await
}

/// `GET /api/v1/copyright/works/{id}/licenses`: every license of the work, each with whether
/// it is in force at the head block's time.
pub(crate) async fn copyright_licenses(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = work_id(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let w = copyright::work(&reader, id)?.ok_or_else(|| work_not_found(id))?;
        let now = reader.head()?.timestamp_ms;
        let licenses: Vec<Value> = copyright::licenses(&reader, &w)?
            .into_iter()
            .map(|l| {
                let in_force = l.in_force(now);
                let mut v = to_json(&l)?;
                if let Value::Object(m) = &mut v {
                    m.insert("in_force".into(), json!(in_force));
                }
                Ok(v)
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Json(json!({ "work_id": id, "owner": w.owner, "as_of_ms": now, "licenses": licenses })))
    })
    .await
}

/// `GET /api/v1/copyright/by-owner/{address}?after=ID&limit=N`.
pub(crate) async fn copyright_by_owner(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "copyright owner",
        field: "works",
        prefix: keys::copyright_owner_prefix,
        entry: keys::copyright_by_owner,
        load: |r, id| copyright::work(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/copyright/works/{id}/certificate`.
pub(crate) async fn copyright_work_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = work_id(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let w = copyright::work(&reader, id)?.ok_or_else(|| work_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::CopyrightWork(w), &format!("work {id}"))
    })
    .await
}

/// `GET /api/v1/copyright/works/{id}/licenses/{index}/certificate`.
pub(crate) async fn copyright_license_certificate(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult {
    let Path((id, index)) = path.map_err(parse::path_rejection)?;
    let id = parse::decimal("work id", "invalid_id", &id)?;
    let index: u32 = parse::decimal("license index", "invalid_id", &index)?
        .try_into()
        .map_err(|_| ApiError::bad_request("invalid_id", "license index is out of range"))?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let l = copyright::license(&reader, id, index)?.ok_or_else(|| {
            ApiError::not_found("license_not_found", format!("work {id} has no license with index {index}"))
        })?;
        certify(&ctx, &reader, CertifiedRecord::CopyrightLicense(l), &format!("license {index} of work {id}"))
    })
    .await
}

// ------------------------------------------------------------------ receivable vouchers

fn voucher_not_found(id: u64) -> ApiError {
    ApiError::not_found("voucher_not_found", format!("no voucher has id {id}"))
}

fn part_not_found(id: u64) -> ApiError {
    ApiError::not_found("part_not_found", format!("no voucher part has id {id}"))
}

fn voucher_path_id(path: Result<Path<String>, PathRejection>, what: &str) -> Result<u64, ApiError> {
    parse::decimal(what, "invalid_id", &path_param(path)?)
}

/// `GET /api/v1/vouchers/{id}`: the voucher and its live parts.
pub(crate) async fn voucher(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = voucher_path_id(path, "voucher id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let v = voucher::voucher(&reader, id)?.ok_or_else(|| voucher_not_found(id))?;
        let parts = v
            .live_parts
            .iter()
            .map(|p| voucher::part(&reader, *p)?.ok_or_else(|| ApiError::Internal(format!("live part {p} is missing"))))
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(Json(json!({ "voucher": v, "live_parts": parts })))
    })
    .await
}

/// `GET /api/v1/vouchers/parts/{id}`.
pub(crate) async fn voucher_part(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = voucher_path_id(path, "part id")?;
    let ctx = st.ctx;
    blocking(move || match voucher::part(&ctx.store.reader()?, id)? {
        Some(p) => Ok(Json(to_json(&p)?)),
        None => Err(part_not_found(id)),
    })
    .await
}

/// `GET /api/v1/vouchers/parts/{id}/lineage`: the part, its parent, … back to the issued part,
/// with the voucher.
pub(crate) async fn voucher_lineage(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "part id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let chain = voucher::lineage(&reader, id)?.ok_or_else(|| part_not_found(id))?;
        let vid = chain[0].voucher_id;
        let v = voucher::voucher(&reader, vid)?.ok_or_else(|| voucher_not_found(vid))?;
        Ok(Json(json!({ "part_id": id, "voucher": v, "lineage": chain })))
    })
    .await
}

/// `GET /api/v1/vouchers/by-holder/{address}?after=ID&limit=N`: live parts (active or pledged).
pub(crate) async fn vouchers_by_holder(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "voucher holder",
        field: "parts",
        prefix: keys::voucher_holder_prefix,
        entry: keys::voucher_by_holder,
        load: |r, id| voucher::part(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/vouchers/by-issuer/{address}?after=ID&limit=N`.
pub(crate) async fn vouchers_by_issuer(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "voucher issuer",
        field: "vouchers",
        prefix: keys::voucher_issuer_prefix,
        entry: keys::voucher_by_issuer,
        load: |r, id| voucher::voucher(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/vouchers/{id}/certificate`.
pub(crate) async fn voucher_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "voucher id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let v = voucher::voucher(&reader, id)?.ok_or_else(|| voucher_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::Voucher(v), &format!("voucher {id}"))
    })
    .await
}

/// `GET /api/v1/vouchers/parts/{id}/certificate`.
pub(crate) async fn voucher_part_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "part id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let p = voucher::part(&reader, id)?.ok_or_else(|| part_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::VoucherPart(p), &format!("voucher part {id}"))
    })
    .await
}

// ------------------------------------------------------------------ e-certificates (电子证照)

fn ecert_not_found(id: u64) -> ApiError {
    ApiError::not_found("ecert_not_found", format!("no e-certificate has id {id}"))
}

fn dataset_not_found(id: u64) -> ApiError {
    ApiError::not_found("dataset_not_found", format!("no dataset has id {id}"))
}

fn grant_not_found(id: u64) -> ApiError {
    ApiError::not_found("grant_not_found", format!("no grant has id {id}"))
}

/// Query of the verifier routes: the time to check at (default: the head block's time).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AtQuery {
    at: Option<u64>,
}

/// Query of the authorisation routes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthorisationQuery {
    grantee: String,
    at: Option<u64>,
}

/// Query of the audit routes: entries after position `after` (exclusive; from the first when
/// absent), at most `limit`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

/// `GET /api/v1/ecerts/{id}`: the certificate, whether it is valid at the head block's time,
/// and the length of its audit log.
pub(crate) async fn ecert(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = voucher_path_id(path, "certificate id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let c = ecert::certificate(&reader, id)?.ok_or_else(|| ecert_not_found(id))?;
        let now = reader.head()?.timestamp_ms;
        let entries = ecert::audit_len(&reader, &Subject::Certificate(id))?;
        Ok(Json(json!({
            "certificate": c,
            "as_of_ms": now,
            "valid": c.valid_at(now),
            "invalid_reason": c.invalid_reason(now),
            "audit_entries": entries,
        })))
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/verify?at=MS`: whether the certificate is valid at `at`.
pub(crate) async fn ecert_verify(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AtQuery>, QueryRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "certificate id")?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let c = ecert::certificate(&reader, id)?.ok_or_else(|| ecert_not_found(id))?;
        let head = reader.head()?;
        let at = q.at.unwrap_or(head.timestamp_ms);
        Ok(Json(json!({
            "id": id,
            "at_ms": at,
            "valid": c.valid_at(at),
            "reason": c.invalid_reason(at),
            "cert_type": c.cert_type,
            "issuer": c.issuer,
            "holder": c.holder,
            "not_before_ms": c.not_before_ms,
            "not_after_ms": c.not_after_ms,
            "revoked": c.revoked,
            "height": head.height,
        })))
    })
    .await
}

async fn subject_authorisation(
    st: AppState,
    subject: Subject,
    query: Result<Query<AuthorisationQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let grantee = parse::address(&q.grantee)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let exists = match subject {
            Subject::Certificate(id) => ecert::certificate(&reader, id)?.map(|_| ()).ok_or_else(|| ecert_not_found(id)),
            Subject::Dataset(id) => ecert::dataset(&reader, id)?.map(|_| ()).ok_or_else(|| dataset_not_found(id)),
        };
        exists?;
        let head = reader.head()?;
        let at = q.at.unwrap_or(head.timestamp_ms);
        let a = ecert::authorisation(&reader, &subject, &grantee, at)?;
        Ok(Json(json!({
            "subject": subject,
            "grantee": grantee,
            "at_ms": at,
            "authorized": a.authorized,
            "grant_id": a.grant_id,
            "reason": a.reason,
            "height": head.height,
        })))
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/authorization?grantee=ADDR&at=MS`.
pub(crate) async fn ecert_authorization(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuthorisationQuery>, QueryRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "certificate id")?;
    subject_authorisation(st, Subject::Certificate(id), query).await
}

/// `GET /api/v1/datasets/{id}/authorization?grantee=ADDR&at=MS`.
pub(crate) async fn dataset_authorization(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuthorisationQuery>, QueryRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "dataset id")?;
    subject_authorisation(st, Subject::Dataset(id), query).await
}

async fn subject_audit(st: AppState, subject: Subject, query: Result<Query<AuditQuery>, QueryRejection>) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    let limit = page_limit(&ctx, q.limit)?;
    blocking(move || {
        let reader = ctx.store.reader()?;
        match subject {
            Subject::Certificate(id) => {
                ecert::certificate(&reader, id)?.ok_or_else(|| ecert_not_found(id))?;
            }
            Subject::Dataset(id) => {
                ecert::dataset(&reader, id)?.ok_or_else(|| dataset_not_found(id))?;
            }
        }
        let total = ecert::audit_len(&reader, &subject)?;
        let from = q.after.map_or(0, |a| a.saturating_add(1));
        let entries = ecert::audit_page(&reader, &subject, from, limit)?;
        let next_after = match entries.last() {
            Some(last) if last.seq + 1 < total => Some(last.seq),
            _ => None,
        };
        Ok(Json(json!({ "subject": subject, "total": total, "entries": entries, "next_after": next_after })))
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/audit?after=SEQ&limit=N`.
pub(crate) async fn ecert_audit(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "certificate id")?;
    subject_audit(st, Subject::Certificate(id), query).await
}

/// `GET /api/v1/datasets/{id}/audit?after=SEQ&limit=N`.
pub(crate) async fn dataset_audit(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "dataset id")?;
    subject_audit(st, Subject::Dataset(id), query).await
}

/// `GET /api/v1/ecerts/by-holder/{address}?after=ID&limit=N`.
pub(crate) async fn ecerts_by_holder(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "e-certificate holder",
        field: "certificates",
        prefix: keys::ecert_holder_prefix,
        entry: keys::ecert_by_holder,
        load: |r, id| ecert::certificate(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/ecerts/by-issuer/{address}?after=ID&limit=N`.
pub(crate) async fn ecerts_by_issuer(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "e-certificate issuer",
        field: "certificates",
        prefix: keys::ecert_issuer_prefix,
        entry: keys::ecert_by_issuer,
        load: |r, id| ecert::certificate(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/data-grants/by-grantee/{address}?after=ID&limit=N`.
pub(crate) async fn grants_by_grantee(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "grantee",
        field: "grants",
        prefix: keys::ecert_grantee_prefix,
        entry: keys::ecert_by_grantee,
        load: |r, id| ecert::grant(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/datasets/{id}`.
pub(crate) async fn dataset(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = voucher_path_id(path, "dataset id")?;
    let ctx = st.ctx;
    blocking(move || match ecert::dataset(&ctx.store.reader()?, id)? {
        Some(d) => Ok(Json(to_json(&d)?)),
        None => Err(dataset_not_found(id)),
    })
    .await
}

/// `GET /api/v1/data-grants/{id}`: the grant and whether it is live at the head block's time.
pub(crate) async fn data_grant(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = voucher_path_id(path, "grant id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let g = ecert::grant(&reader, id)?.ok_or_else(|| grant_not_found(id))?;
        let now = reader.head()?.timestamp_ms;
        let why = ecert::authorised(&reader, &g, &g.grantee, now)?.err();
        Ok(Json(json!({ "grant": g, "as_of_ms": now, "live": why.is_none(), "reason": why })))
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/certificate`.
pub(crate) async fn ecert_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "certificate id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let c = ecert::certificate(&reader, id)?.ok_or_else(|| ecert_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::Ecert(c), &format!("e-certificate {id}"))
    })
    .await
}

/// `GET /api/v1/datasets/{id}/certificate`.
pub(crate) async fn dataset_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "dataset id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let d = ecert::dataset(&reader, id)?.ok_or_else(|| dataset_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::Dataset(d), &format!("dataset {id}"))
    })
    .await
}

/// `GET /api/v1/data-grants/{id}/certificate`.
pub(crate) async fn data_grant_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = voucher_path_id(path, "grant id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let g = ecert::grant(&reader, id)?.ok_or_else(|| grant_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::DataGrant(g), &format!("grant {id}"))
    })
    .await
}

// ------------------------------------------------------------------ traceability (溯源)

fn batch_not_found(id: u64) -> ApiError {
    ApiError::not_found("batch_not_found", format!("no batch has id {id}"))
}

fn trace_code(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let code = path_param(path)?;
    hechain_types::trace::validate_code(&code).map_err(|e| ApiError::bad_request("invalid_code", e.to_string()))?;
    Ok(code)
}

fn trace_item_of(reader: &StoreReader, code: &str) -> Result<hechain_types::TraceItem, ApiError> {
    trace::item_by_code(reader, code)?
        .ok_or_else(|| ApiError::not_found("item_not_found", format!("no item has code {code:?}")))
}

fn trace_batch_of(reader: &StoreReader, id: u64) -> Result<hechain_types::TraceBatch, ApiError> {
    trace::batch(reader, id)?.ok_or_else(|| batch_not_found(id))
}

/// An item's events, checked against the rolling hash its record commits to.
fn verified_history(
    ctx: &RpcContext,
    reader: &StoreReader,
    item: &hechain_types::TraceItem,
) -> Result<Vec<hechain_types::TraceEvent>, ApiError> {
    let events = trace::events(reader, item)?;
    hechain_types::trace::verify_history(ctx.genesis.suite(), item, &events)
        .map_err(|e| ApiError::Internal(format!("stored history of item {} does not verify: {e}", item.id)))?;
    Ok(events)
}

/// `GET /api/v1/trace/items/{code}`: the consumer-facing answer — the item, its batch, whether
/// it is recalled, its chain of custody and every event in order, checked against the hash
/// chain in the item record.
pub(crate) async fn trace_item(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let code = trace_code(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let item = trace_item_of(&reader, &code)?;
        let batch = trace_batch_of(&reader, item.batch_id)?;
        let events = verified_history(&ctx, &reader, &item)?;
        let custody = trace::custody_chain(batch.producer, &events);
        Ok(Json(json!({
            "code": code,
            "item": to_json(&item)?,
            "batch": to_json(&batch)?,
            "recalled": batch.recall.is_some(),
            "custody_chain": custody,
            "events": to_json(&events)?,
            "history_verified": true,
        })))
    })
    .await
}

/// `GET /api/v1/trace/items/{code}/certificate`: the item record with its whole history and its
/// batch, proven under a quorum-sealed block.
pub(crate) async fn trace_item_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let code = trace_code(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let item = trace_item_of(&reader, &code)?;
        let batch = trace_batch_of(&reader, item.batch_id)?;
        let events = verified_history(&ctx, &reader, &item)?;
        let record = CertifiedRecord::TraceItem(Box::new(TraceItemHistory { item, events, batch }));
        certify(&ctx, &reader, record, &format!("item {code:?}"))
    })
    .await
}

/// `GET /api/v1/trace/batches/{id}`.
pub(crate) async fn trace_batch(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = parse::decimal("batch id", "invalid_id", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || Ok(Json(to_json(&trace_batch_of(&ctx.store.reader()?, id)?)?))).await
}

/// `GET /api/v1/trace/batches/{id}/items?after=ID&limit=N`: `{batch_id, recalled, items,
/// next_after}` in item id order.
pub(crate) async fn trace_batch_items(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let id = parse::decimal("batch id", "invalid_id", &path_param(path)?)?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    let limit = page_limit(&ctx, q.limit)?;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let batch = trace_batch_of(&reader, id)?;
        let (items, next_after) = index_page(
            &reader,
            &keys::trace_batch_items_prefix(id),
            q.after.map(|item| keys::trace_batch_item(id, item)),
            limit,
            "batch item",
            |item| trace::item(&reader, item),
        )?;
        Ok(Json(json!({
            "batch_id": id,
            "recalled": batch.recall.is_some(),
            "items": to_json(&items)?,
            "next_after": next_after,
        })))
    })
    .await
}

/// `GET /api/v1/trace/batches/{id}/certificate`.
pub(crate) async fn trace_batch_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = parse::decimal("batch id", "invalid_id", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let b = trace_batch_of(&reader, id)?;
        certify(&ctx, &reader, CertifiedRecord::TraceBatch(b), &format!("batch {id}"))
    })
    .await
}

/// `GET /api/v1/trace/by-producer/{address}?after=ID&limit=N`: batches a producer registered.
pub(crate) async fn trace_by_producer(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "trace producer",
        field: "batches",
        prefix: keys::trace_producer_prefix,
        entry: keys::trace_by_producer,
        load: |r, id| trace::batch(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/trace/by-custodian/{address}?after=ID&limit=N`: items an account holds now.
pub(crate) async fn trace_by_custodian(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "trace custodian",
        field: "items",
        prefix: keys::trace_custodian_prefix,
        entry: keys::trace_by_custodian,
        load: |r, id| trace::item(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/trace/pending/{address}?after=ID&limit=N`: items offered to an account and not
/// yet accepted, rejected or cancelled.
pub(crate) async fn trace_pending(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "trace pending hand-over",
        field: "items",
        prefix: keys::trace_pending_prefix,
        entry: keys::trace_pending,
        load: |r, id| trace::item(r, id),
    };
    address_index_page(st, path, query, index).await
}

// ------------------------------------------------------------------ governance

/// `GET /api/v1/governance`: the settings, committee, permissions, chain parameters and
/// membership (epoch, organisations, validators, observers) in force, and the open proposals' ids.
pub(crate) async fn governance(State(st): State<AppState>) -> ApiResult {
    let ctx = st.ctx;
    blocking(move || {
        let r = ctx.store.reader()?;
        Ok(Json(json!({
            "height": r.head()?.height,
            "config": governance::config(&r)?,
            "committee": governance::committee(&r)?.members,
            "permissions": governance::permissions(&r)?,
            "params": governance::params(&r)?,
            "membership": governance::membership(&r)?,
            "open_proposals": governance::open_proposals(&r)?.ids,
            "next_proposal_id": governance::next_proposal_id(&r)?,
        })))
    })
    .await
}

/// `GET /api/v1/governance/proposals?after=ID&limit=N`: proposals in id order, paged.
pub(crate) async fn gov_proposals(
    State(st): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    let limit = page_limit(&ctx, q.limit)?;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let (proposals, next_after) =
            index_page(&reader, keys::GOV_PROPOSAL_PREFIX, q.after.map(keys::gov_proposal), limit, "proposal", |id| {
                governance::proposal(&reader, id)
            })?;
        Ok(Json(json!({ "proposals": proposals, "next_after": next_after })))
    })
    .await
}

/// `GET /api/v1/governance/proposals/{id}`: the proposal and every vote on it.
pub(crate) async fn gov_proposal(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = voucher_path_id(path, "proposal id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let p = governance::proposal(&reader, id)?
            .ok_or_else(|| ApiError::not_found("proposal_not_found", format!("no proposal has id {id}")))?;
        // At most one vote per committee member (64).
        let votes = reader
            .state_scan(&keys::gov_votes_prefix(id), None, hechain_types::governance::MAX_COMMITTEE + 1)?
            .into_iter()
            .map(|(k, v)| {
                hechain_types::Vote::decode(&v)
                    .map_err(|e| ApiError::Internal(format!("vote record {} does not decode: {e}", hex0x(&k))))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Json(json!({ "proposal": p, "status": governance::status_word(&p.status), "votes": votes })))
    })
    .await
}

/// `GET /api/v1/governance/accounts/{address}`: roles, committee membership and freeze record.
pub(crate) async fn gov_account(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let addr = parse::address(&path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let r = ctx.store.reader()?;
        Ok(Json(json!({
            "address": addr,
            "roles": governance::roles(&r, &addr)?,
            "committee_member": governance::committee(&r)?.member(&addr),
            "frozen": governance::frozen(&r, &addr)?,
        })))
    })
    .await
}
