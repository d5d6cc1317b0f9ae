//! The HTLC module's REST routes (under `/api/v1/htlc`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, AFTER, LIMIT,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{exec, keys, Htlc, HtlcModule, HtlcRecord};

/// The locks of one hash lock.
#[derive(Serialize, ToSchema)]
pub struct HtlcPage {
    /// The locks, by id.
    pub locks: Vec<Htlc>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

const ID: Param = Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Lock id." };
const HASH: Param = Param {
    name: "hash",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Hash,
    description: "Hash lock (SHA-256).",
};

/// The routes.
pub fn routes() -> Vec<Route<HtlcModule>> {
    vec![
        Route::get(
            "/api/v1/htlc/{id}",
            "getHtlc",
            "A hash time-locked contract and where it stands (the secret, once claimed)",
            &[ID],
            Response::Json(schema_ref::<Htlc>),
            get,
        ),
        Route::get(
            "/api/v1/htlc/by-hash/{hash}",
            "listHtlcByHash",
            "The locks under one hash lock (the other side of a swap), paged",
            &[HASH, AFTER, LIMIT],
            Response::Json(schema_ref::<HtlcPage>),
            by_hash,
        ),
        Route::get(
            "/api/v1/htlc/{id}/certificate",
            "getHtlcCertificate",
            "Offline-verifiable certificate of a lock (record kind `htlc`)",
            &[ID],
            Response::Certificate,
            certificate,
        ),
    ]
}

fn must(host: &dyn QueryHost, id: u64) -> Result<Htlc, QueryError> {
    exec::lock(host.state(), id)?.ok_or_else(|| QueryError::not_found("htlc_not_found", format!("no lock {id}")))
}

fn get(host: &dyn QueryHost, p: &Params) -> Result<Reply<HtlcRecord>, QueryError> {
    Reply::json(&must(host, p.id("id")?)?)
}

fn by_hash(host: &dyn QueryHost, p: &Params) -> Result<Reply<HtlcRecord>, QueryError> {
    let (ids, next_after) = id_page(host, p, &keys::by_hash_prefix(&p.hash("hash")?))?;
    let locks = ids.into_iter().map(|id| must(host, id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&HtlcPage { locks, next_after })
}

fn certificate(host: &dyn QueryHost, p: &Params) -> Result<Reply<HtlcRecord>, QueryError> {
    Ok(Reply::Certificate(HtlcRecord::Htlc(must(host, p.id("id")?)?)))
}
