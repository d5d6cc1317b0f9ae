//! The traceability module's REST routes (under `/api/v1/trace`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::{StateError, StateScan};

use crate::views::{TraceBatchItems, TraceBatchPage, TraceItemPage, TraceItemView};
use crate::{
    exec, keys, validate_code, verify_history, TraceBatch, TraceItem, TraceItemHistory, TraceModule, TraceRecord,
};

const CODE: Param = Param {
    name: "code",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Text,
    description: "Item code (1-200 bytes, URL-encoded).",
};
const BATCH_ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Batch id (decimal, from 1).",
};

/// The routes.
pub fn routes() -> Vec<Route<TraceModule>> {
    vec![
        Route::get(
            "/api/v1/trace/items/{code}",
            "getTraceItem",
            "An item's full verified history by its code",
            &[CODE],
            Response::Json(schema_ref::<TraceItemView>),
            item,
        ),
        Route::get(
            "/api/v1/trace/items/{code}/certificate",
            "getTraceItemCertificate",
            "Offline-verifiable certificate of an item and its history (record kind `trace_item`)",
            &[CODE],
            Response::Certificate,
            item_certificate,
        ),
        Route::get(
            "/api/v1/trace/batches/{id}",
            "getTraceBatch",
            "A product batch",
            &[BATCH_ID],
            Response::Json(schema_ref::<TraceBatch>),
            batch,
        ),
        Route::get(
            "/api/v1/trace/batches/{id}/items",
            "listTraceBatchItems",
            "Items of a batch, paged",
            &[BATCH_ID, AFTER, LIMIT],
            Response::Json(schema_ref::<TraceBatchItems>),
            batch_items,
        ),
        Route::get(
            "/api/v1/trace/batches/{id}/certificate",
            "getTraceBatchCertificate",
            "Offline-verifiable certificate of a batch (record kind `trace_batch`)",
            &[BATCH_ID],
            Response::Certificate,
            batch_certificate,
        ),
        Route::get(
            "/api/v1/trace/by-producer/{address}",
            "listBatchesByProducer",
            "Batches of one producer, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<TraceBatchPage>),
            by_producer,
        ),
        Route::get(
            "/api/v1/trace/by-custodian/{address}",
            "listItemsByCustodian",
            "Items one account holds, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<TraceItemPage>),
            by_custodian,
        ),
        Route::get(
            "/api/v1/trace/pending/{address}",
            "listPendingItems",
            "Items offered to one account and not yet accepted, rejected or cancelled, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<TraceItemPage>),
            pending,
        ),
    ]
}

type Answer = Result<Reply<TraceRecord>, QueryError>;

fn must_batch(state: &dyn StateScan, id: u64) -> Result<TraceBatch, QueryError> {
    exec::batch(state, id)?.ok_or_else(|| QueryError::not_found("batch_not_found", format!("no batch has id {id}")))
}

fn must_item(state: &dyn StateScan, id: u64) -> Result<TraceItem, QueryError> {
    exec::item(state, id)?
        .ok_or_else(|| QueryError::State(StateError::Invariant(format!("indexed item {id} is missing"))))
}

/// The item with its batch and its events, checked against the hash chain its record commits to.
fn history(host: &dyn QueryHost, p: &Params) -> Result<TraceItemHistory, QueryError> {
    let code = p.text("code")?;
    validate_code(code).map_err(|e| QueryError::bad_request("invalid_code", e.to_string()))?;
    let item = exec::item_by_code(host.state(), code)?
        .ok_or_else(|| QueryError::not_found("item_not_found", format!("no item has code {code:?}")))?;
    let batch = must_batch(host.state(), item.batch_id)?;
    let events = exec::events(host.state(), &item)?;
    verify_history(host.head().suite, &item, &events)
        .map_err(|e| StateError::Invariant(format!("stored history of item {} does not verify: {e}", item.id)))?;
    Ok(TraceItemHistory { item, events, batch })
}

fn item(host: &dyn QueryHost, p: &Params) -> Answer {
    let h = history(host, p)?;
    Reply::json(&TraceItemView {
        code: h.item.code.clone(),
        recalled: h.batch.recall.is_some(),
        custody_chain: exec::custody_chain(h.batch.producer, &h.events),
        item: h.item,
        batch: h.batch,
        events: h.events,
        history_verified: true,
    })
}

fn item_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(TraceRecord::Item(Box::new(history(host, p)?))))
}

fn batch(host: &dyn QueryHost, p: &Params) -> Answer {
    Reply::json(&must_batch(host.state(), p.id("id")?)?)
}

fn batch_items(host: &dyn QueryHost, p: &Params) -> Answer {
    let id = p.id("id")?;
    let batch = must_batch(host.state(), id)?;
    let (ids, next_after) = id_page(host, p, &keys::trace_batch_items_prefix(id))?;
    let items = ids.into_iter().map(|i| must_item(host.state(), i)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&TraceBatchItems { batch_id: id, recalled: batch.recall.is_some(), items, next_after })
}

fn batch_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(TraceRecord::Batch(Box::new(must_batch(host.state(), p.id("id")?)?))))
}

fn by_producer(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, &keys::trace_producer_prefix(&p.address("address")?))?;
    let batches = ids.into_iter().map(|id| must_batch(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&TraceBatchPage { batches, next_after })
}

fn items_page(host: &dyn QueryHost, p: &Params, prefix: Vec<u8>) -> Answer {
    let (ids, next_after) = id_page(host, p, &prefix)?;
    let items = ids.into_iter().map(|id| must_item(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&TraceItemPage { items, next_after })
}

fn by_custodian(host: &dyn QueryHost, p: &Params) -> Answer {
    items_page(host, p, keys::trace_custodian_prefix(&p.address("address")?))
}

fn pending(host: &dyn QueryHost, p: &Params) -> Answer {
    items_page(host, p, keys::trace_pending_prefix(&p.address("address")?))
}
