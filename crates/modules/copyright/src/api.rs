//! The copyright module's REST routes (under `/api/v1/copyright`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::StateScan;

use crate::views::{CopyrightLicenses, CopyrightWorkPage, LicenseInForce};
use crate::{exec, keys, CopyrightModule, CopyrightRecord, CopyrightWork};

const ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Work id (decimal, from 1).",
};
const INDEX: Param = Param {
    name: "index",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Count,
    description: "License index (from 0).",
};
const HASH: Param =
    Param { name: "hash", at: ParamIn::Path, required: true, kind: ParamKind::Hash, description: "Content hash." };

/// The routes.
pub fn routes() -> Vec<Route<CopyrightModule>> {
    vec![
        Route::get(
            "/api/v1/copyright/works/{id}",
            "getWork",
            "A registered work by id",
            &[ID],
            Response::Json(schema_ref::<CopyrightWork>),
            work,
        ),
        Route::get(
            "/api/v1/copyright/works/by-hash/{hash}",
            "getWorkByHash",
            "A registered work by content hash",
            &[HASH],
            Response::Json(schema_ref::<CopyrightWork>),
            by_hash,
        ),
        Route::get(
            "/api/v1/copyright/works/{id}/licenses",
            "listLicenses",
            "The licenses of a work, in grant order",
            &[ID],
            Response::Json(schema_ref::<CopyrightLicenses>),
            licenses,
        ),
        Route::get(
            "/api/v1/copyright/by-owner/{address}",
            "listWorksByOwner",
            "Works of one owner, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<CopyrightWorkPage>),
            by_owner,
        ),
        Route::get(
            "/api/v1/copyright/works/{id}/certificate",
            "getWorkCertificate",
            "Offline-verifiable certificate of a work (record kind `copyright_work`)",
            &[ID],
            Response::Certificate,
            work_certificate,
        ),
        Route::get(
            "/api/v1/copyright/works/{id}/licenses/{index}/certificate",
            "getLicenseCertificate",
            "Offline-verifiable certificate of a license (record kind `copyright_license`)",
            &[ID, INDEX],
            Response::Certificate,
            license_certificate,
        ),
    ]
}

type Answer = Result<Reply<CopyrightRecord>, QueryError>;

fn must(state: &dyn StateScan, id: u64) -> Result<CopyrightWork, QueryError> {
    exec::work(state, id)?
        .ok_or_else(|| QueryError::not_found("work_not_found", format!("no registered work has id {id}")))
}

fn work(host: &dyn QueryHost, p: &Params) -> Answer {
    Reply::json(&must(host.state(), p.id("id")?)?)
}

fn by_hash(host: &dyn QueryHost, p: &Params) -> Answer {
    let hash = p.hash("hash")?;
    match exec::work_by_hash(host.state(), &hash)? {
        Some(w) => Reply::json(&w),
        None => Err(QueryError::not_found("work_not_found", format!("no work is registered with content hash {hash}"))),
    }
}

fn licenses(host: &dyn QueryHost, p: &Params) -> Answer {
    let w = must(host.state(), p.id("id")?)?;
    let now = host.head().timestamp_ms;
    let licenses = exec::licenses(host.state(), &w)?
        .into_iter()
        .map(|license| LicenseInForce { in_force: license.in_force(now), license })
        .collect();
    Reply::json(&CopyrightLicenses { work_id: w.id, owner: w.owner, as_of_ms: now, licenses })
}

fn by_owner(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, &keys::copyright_owner_prefix(&p.address("address")?))?;
    let works = ids.into_iter().map(|id| must(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&CopyrightWorkPage { works, next_after })
}

fn work_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(CopyrightRecord::Work(must(host.state(), p.id("id")?)?)))
}

fn license_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    let id = p.id("id")?;
    let index = p.count("index")?.unwrap_or_default();
    let index = u32::try_from(index)
        .map_err(|_| QueryError::bad_request("invalid_id", format!("license index {index} is out of range")))?;
    match exec::license(host.state(), id, index)? {
        Some(l) => Ok(Reply::Certificate(CopyrightRecord::License(l))),
        None => Err(QueryError::not_found("license_not_found", format!("work {id} has no license with index {index}"))),
    }
}
