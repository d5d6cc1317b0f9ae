//! The evidence module's REST routes (under `/api/v1/evidence`). The evidence certificate
//! (`/api/v1/evidence/{id}/certificate`), which proves the storing transaction and its receipt
//! besides the record, is served by the node's certificate service (`hechain-cert`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::StateScan;

use crate::views::EvidencePage;
use crate::{exec, keys, EvidenceModule, EvidenceRecord};

const ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Evidence record id (decimal, from 1).",
};
const HASH: Param =
    Param { name: "hash", at: ParamIn::Path, required: true, kind: ParamKind::Hash, description: "Content hash." };

/// The routes.
pub fn routes() -> Vec<Route<EvidenceModule>> {
    vec![
        Route::get(
            "/api/v1/evidence/{id}",
            "getEvidence",
            "An evidence record by id",
            &[ID],
            Response::Json(schema_ref::<EvidenceRecord>),
            by_id,
        ),
        Route::get(
            "/api/v1/evidence/by-hash/{hash}",
            "getEvidenceByHash",
            "An evidence record by content hash",
            &[HASH],
            Response::Json(schema_ref::<EvidenceRecord>),
            by_hash,
        ),
        Route::get(
            "/api/v1/evidence/by-submitter/{address}",
            "listEvidenceBySubmitter",
            "Evidence records of one submitter, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<EvidencePage>),
            by_submitter,
        ),
    ]
}

type Answer = Result<Reply<hechain_module::record::NoRecords>, QueryError>;

fn must(state: &dyn StateScan, id: u64) -> Result<EvidenceRecord, QueryError> {
    exec::record(state, id)?
        .ok_or_else(|| QueryError::not_found("evidence_not_found", format!("no evidence record with id {id}")))
}

fn by_id(host: &dyn QueryHost, p: &Params) -> Answer {
    Reply::json(&must(host.state(), p.id("id")?)?)
}

fn by_hash(host: &dyn QueryHost, p: &Params) -> Answer {
    let hash = p.hash("hash")?;
    match exec::existing(host.state(), &hash)? {
        Some(rec) => Reply::json(&rec),
        None => {
            Err(QueryError::not_found("evidence_not_found", format!("no evidence record with content hash {hash}")))
        }
    }
}

fn by_submitter(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, &keys::evidence_submitter_prefix(&p.address("address")?))?;
    let records = ids.into_iter().map(|id| must(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&EvidencePage { records, next_after })
}
