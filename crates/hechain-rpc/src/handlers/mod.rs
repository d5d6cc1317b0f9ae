//! Request handlers of the JSON routes.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use hechain_execution::certificate::{
    BuildCertificate, CertError, CertifiedRecord, EvidenceCertificate, RecordCertificate,
};
use hechain_execution::governance;
use hechain_storage::StoreReader;
use hechain_types::{Block, ChainTx, SignedTransaction, H256};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::schema as s;
use crate::{parse, AppState, RpcContext};

/// Result of a JSON handler.
pub(crate) type ApiResult = Result<Json<Value>, ApiError>;

const SUBMIT_SHAPE: &str =
    r#"{"raw":"0x<hex of the encoded signed transaction>"} or {"transaction":<signed transaction JSON>}"#;
const BATCH_SHAPE: &str = r#"{"raw":["0x<hex of an encoded signed transaction>", ...]}"#;

/// Runs storage reads, decoding and signature checks on the blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::Internal(format!("request worker failed: {e}"))),
    }
}

/// A JSON response of one of the [`crate::schema`] types (or a `hechain-types` type).
fn reply<T: serde::Serialize>(v: &T) -> ApiResult {
    Ok(Json(to_json(v)?))
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
        let validators: Vec<String> = membership.validators.iter().map(|v| v.name.clone()).collect();
        reply(&s::Status {
            chain_id: ctx.genesis.chain_id,
            suite: hechain_types::SuiteTag(suite),
            genesis_hash: ctx.genesis.hash(),
            height: head.height,
            head_hash: head.hash(suite),
            head_timestamp_ms: head.timestamp_ms,
            state_root: head.state_root,
            pending_txs: ctx.mempool.len() as u64,
            min_fee: ctx.mempool.params().min_fee,
            validators,
            epoch: membership.epoch,
            version: env!("CARGO_PKG_VERSION").to_string(),
            consensus: ctx.consensus_status.as_ref().map(|s| s.borrow().clone()),
        })
    })
    .await
}

/// `GET /api/v1/genesis`: the genesis document as the node's `genesis.json` holds it (what
/// offline certificate checks verify against; its hash is `genesis_hash` of the status).
pub(crate) async fn genesis(State(st): State<AppState>) -> ApiResult {
    Ok(Json(to_json(&*st.ctx.genesis)?))
}

/// `POST /api/v1/transactions`.
pub(crate) async fn submit_transaction(State(st): State<AppState>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let ctx = st.ctx;
    let body = body.map_err(|r| parse::body_rejection(r, ctx.config.max_body_bytes))?;
    blocking(move || {
        let req: s::SubmitRequest = parse::json_body(&body, SUBMIT_SHAPE)?;
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
            Some(Ok(hash)) => reply(&s::SubmitResponse { hash }),
            Some(Err(e)) => Err(e.into()),
            None => Err(ApiError::Internal("the pool returned no admission result".into())),
        }
    })
    .await
}

fn entry_error(code: &str, message: &str) -> s::BatchResult {
    s::BatchResult::Refused(s::ErrorBody::new(code, message))
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
            let req: s::BatchRequest = parse::json_body(&body, BATCH_SHAPE)?;
            if req.raw.len() > max {
                return Err(too_large(req.raw.len()));
            }
            req.raw.par_iter().map(|raw| parse::raw_transaction(&raw.0)).collect()
        };
        drop(body);
        let mut txs = Vec::with_capacity(parsed.len());
        let mut slots: Vec<Option<s::BatchResult>> = Vec::with_capacity(parsed.len());
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
        let mut accepted = 0u64;
        let mut admitted = admitted.into_iter();
        let results: Vec<s::BatchResult> = slots
            .into_iter()
            .map(|slot| match slot {
                Some(err) => err,
                None => match admitted.next() {
                    Some(Ok(hash)) => {
                        accepted += 1;
                        s::BatchResult::Admitted(s::SubmitResponse { hash })
                    }
                    Some(Err(e)) => entry_error(e.code(), &e.to_string()),
                    None => entry_error("internal_error", "the pool returned no admission result"),
                },
            })
            .collect();
        reply(&s::BatchResponse { accepted, results })
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
        let committed = |ctx: &RpcContext| -> Result<Option<s::TransactionLookup>, ApiError> {
            let reader = ctx.store.reader()?;
            let Some((tx, loc)) = reader.transaction(&hash)? else { return Ok(None) };
            let block_hash = block_hash_at(ctx, &reader, loc.height)?;
            Ok(Some(s::TransactionLookup {
                hash,
                status: s::TxState::Committed,
                height: Some(loc.height),
                index: Some(loc.index),
                block_hash: Some(block_hash),
                transaction: Some(tx),
            }))
        };
        if let Some(v) = committed(&ctx)? {
            return reply(&v);
        }
        if ctx.mempool.contains(&hash) {
            let pending = s::TransactionLookup {
                hash,
                status: s::TxState::Pending,
                height: None,
                index: None,
                block_hash: None,
                transaction: None,
            };
            return reply(&pending);
        }
        // It may have been committed (and left the pool) since the first read.
        if let Some(v) = committed(&ctx)? {
            return reply(&v);
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
        reply(&s::ReceiptWithLocation { receipt, height: loc.height, index: loc.index, block_hash })
    })
    .await
}

const RECEIPTS_SHAPE: &str = r#"{"hashes":["0x<transaction hash>", ...]}"#;

/// `POST /api/v1/receipts`: [`receipt`] for many transactions; `null` for one not committed.
pub(crate) async fn receipts(State(st): State<AppState>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let ctx = st.ctx;
    let body = body.map_err(|r| parse::body_rejection(r, ctx.config.max_body_bytes))?;
    let req: s::ReceiptsRequest = parse::json_body(&body, RECEIPTS_SHAPE)?;
    let max = ctx.config.max_batch;
    if req.hashes.len() > max {
        return Err(ApiError::TooLarge {
            code: "batch_too_large",
            message: format!("{} hashes asked, the limit is {max}; split the request", req.hashes.len()),
        });
    }
    blocking(move || {
        let reader = ctx.store.reader()?;
        let mut out = Vec::with_capacity(req.hashes.len());
        for hash in &req.hashes {
            let Some(loc) = reader.tx_location(hash)? else {
                out.push(None);
                continue;
            };
            let receipt = reader
                .receipt_at(loc)?
                .ok_or_else(|| ApiError::Internal(format!("the receipt of committed transaction {hash} is missing")))?;
            let block_hash = block_hash_at(&ctx, &reader, loc.height)?;
            out.push(Some(s::ReceiptWithLocation { receipt, height: loc.height, index: loc.index, block_hash }));
        }
        reply(&s::Receipts { receipts: out })
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
fn block_json(ctx: &RpcContext, reader: &StoreReader, height: u64, full: bool) -> Result<s::BlockResponse, ApiError> {
    let suite = ctx.genesis.suite();
    let missing = || ApiError::Internal(format!("block of committed height {height} is missing"));
    let (header, seal, transactions) = if full {
        let block: Block = reader.block(height)?.ok_or_else(missing)?;
        let txs: Vec<s::BlockTx> = block
            .transactions
            .into_iter()
            .map(|t| {
                let hash = t.hash(suite);
                s::BlockTx::Full(Box::new(match t {
                    ChainTx::Native(n) => s::FullTx::Native { hash, tx: n.tx, signature: n.signature },
                    ChainTx::Ethereum(ethereum) => s::FullTx::Ethereum { hash, ethereum },
                }))
            })
            .collect();
        (block.header, block.seal, txs)
    } else {
        let header = reader.header(height)?.ok_or_else(missing)?;
        // Genesis has no transaction list.
        let hashes = reader.tx_hashes(height)?.unwrap_or_default();
        (header, reader.seal(height)?, hashes.into_iter().map(s::BlockTx::Hash).collect())
    };
    Ok(s::BlockResponse { hash: header.hash(suite), header, seal, transactions })
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
        reply(&block_json(&ctx, &reader, reader.head_height()?, q.full)?)
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
        reply(&block_json(&ctx, &reader, height, q.full)?)
    })
    .await
}

/// Query of `GET /api/v1/blocks`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlocksQuery {
    before: Option<u64>,
    limit: Option<u64>,
}

/// Most items in one page of the explorer's lists (`GET /api/v1/blocks`, an account's
/// transactions).
const MAX_EXPLORER_PAGE: u64 = 100;

/// The `limit` of an explorer list: 20 by default, 1 to [`MAX_EXPLORER_PAGE`].
fn explorer_page(limit: Option<u64>) -> Result<u64, ApiError> {
    match limit.unwrap_or(20) {
        l @ 1..=MAX_EXPLORER_PAGE => Ok(l),
        l => Err(ApiError::bad_request("invalid_limit", format!("limit must be 1 to {MAX_EXPLORER_PAGE}, not {l}"))),
    }
}

/// `GET /api/v1/blocks`: header summaries, newest first (what an explorer's block list needs,
/// without each block's transaction list).
pub(crate) async fn blocks(State(st): State<AppState>, query: Result<Query<BlocksQuery>, QueryRejection>) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let limit = explorer_page(q.limit)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let head = reader.head_height()?;
        // Heights `before - 1` down, at most `limit` of them, never below the genesis block.
        let top = match q.before {
            Some(0) => return reply(&s::BlockList { blocks: Vec::new(), next_before: None }),
            Some(b) => b.saturating_sub(1).min(head),
            None => head,
        };
        let bottom = top.saturating_sub(limit - 1);
        let suite = ctx.genesis.suite();
        let mut blocks = Vec::with_capacity((top - bottom + 1) as usize);
        for height in (bottom..=top).rev() {
            let header = reader
                .header(height)?
                .ok_or_else(|| ApiError::Internal(format!("header of committed height {height} is missing")))?;
            blocks.push(s::BlockSummary {
                height,
                hash: header.hash(suite),
                tx_count: header.tx_count,
                timestamp_ms: header.timestamp_ms,
                proposer: header.proposer,
                round: header.round,
            });
        }
        reply(&s::BlockList { blocks, next_before: (bottom > 0).then_some(bottom) })
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
        reply(&s::AccountView { address: addr, nonce: acc.nonce, balance: acc.balance.to_string(), pending_nonce })
    })
    .await
}

/// Query of `GET /api/v1/accounts/{address}/transactions`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountTxQuery {
    before: Option<String>,
    limit: Option<u64>,
}

/// `GET /api/v1/accounts/{address}/transactions`: what the account sent, newest first.
pub(crate) async fn account_transactions(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AccountTxQuery>, QueryRejection>,
) -> ApiResult {
    let addr = parse::address(&path_param(path)?)?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    let limit = explorer_page(q.limit)?;
    let before = q.before.as_deref().map(parse_position).transpose()?;
    let ctx = st.ctx;
    blocking(move || {
        let page = ctx.store.reader()?.account_transactions(&addr, before, limit as usize)?;
        reply(&s::AccountTxList {
            transactions: page
                .transactions
                .into_iter()
                .map(|(loc, hash)| s::AccountTx { hash, height: loc.height, index: loc.index })
                .collect(),
            next_before: page.next_before.map(|l| format!("{}:{}", l.height, l.index)),
        })
    })
    .await
}

/// `HEIGHT:INDEX`, or `HEIGHT` (before the whole block: index 0).
fn parse_position(s: &str) -> Result<hechain_types::TxLocation, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "invalid_before",
            format!("before {:?} is neither HEIGHT nor HEIGHT:INDEX", crate::error::excerpt(s)),
        )
    };
    let (h, i) = s.split_once(':').unwrap_or((s, "0"));
    Ok(hechain_types::TxLocation { height: h.parse().map_err(|_| bad())?, index: i.parse().map_err(|_| bad())? })
}

fn evidence_id(path: Result<Path<String>, PathRejection>) -> Result<u64, ApiError> {
    parse::decimal("evidence id", "invalid_id", &path_param(path)?)
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
        let mut proofs = proofs_at(&ctx, q.height, &[key])?;
        reply(&proofs.proofs.pop().ok_or_else(|| ApiError::Internal("no proof for the key".into()))?)
    })
    .await
}

/// The values and proofs of `keys` under the state root of block `height` (default: the head).
fn proofs_at(ctx: &RpcContext, height: Option<u64>, keys: &[Vec<u8>]) -> Result<s::StateProofs, ApiError> {
    let reader = ctx.store.reader()?;
    let head = reader.head_height()?;
    let height = height.unwrap_or(head);
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
    let proofs = keys
        .iter()
        .map(|key| {
            Ok(s::StateProof {
                key: hex0x(key),
                key_hash: H256(suite.hash(key)),
                height,
                state_root: header.state_root,
                value: reader.state_get(key)?.as_deref().map(hex0x),
                proof: to_json(&reader.state_proof(suite, &header.state_root, key)?)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(s::StateProofs { height, state_root: header.state_root, proofs })
}

const PROOFS_SHAPE: &str = r#"{"keys":["0x<hex of a state key>", ...],"height":N}"#;

/// `POST /api/v1/state/proofs`: [`state_proof`] for many keys under one height.
pub(crate) async fn state_proofs(State(st): State<AppState>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let ctx = st.ctx;
    let body = body.map_err(|r| parse::body_rejection(r, ctx.config.max_body_bytes))?;
    let req: s::StateProofsRequest = parse::json_body(&body, PROOFS_SHAPE)?;
    let max = ctx.config.max_batch;
    if req.keys.len() > max {
        return Err(ApiError::TooLarge {
            code: "batch_too_large",
            message: format!("{} keys asked, the limit is {max}; split the request", req.keys.len()),
        });
    }
    let keys = req
        .keys
        .iter()
        .map(|k| match parse::hex_bytes("state key", &k.0)? {
            k if k.is_empty() => Err(ApiError::bad_request("invalid_body", "a state key is empty")),
            k => Ok(k),
        })
        .collect::<Result<Vec<_>, _>>()?;
    blocking(move || reply(&proofs_at(&ctx, req.height, &keys)?)).await
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
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
pub(crate) fn certify(ctx: &RpcContext, reader: &StoreReader, record: CertifiedRecord, what: &str) -> ApiResult {
    let cert = RecordCertificate::build(reader, &ctx.genesis, record).map_err(|e| record_cert_error(what, e))?;
    Ok(Json(to_json(&cert)?))
}
