//! The voucher module's REST routes (under `/api/v1/vouchers`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::{StateError, StateScan};

use crate::views::{VoucherLineage, VoucherPage, VoucherPartPage, VoucherWithParts};
use crate::{exec, keys, Voucher, VoucherModule, VoucherPart, VoucherRecord};

const VOUCHER_ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Voucher id (decimal, from 1).",
};
const PART_ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Part id (decimal, from 1).",
};

/// The routes.
pub fn routes() -> Vec<Route<VoucherModule>> {
    vec![
        Route::get(
            "/api/v1/vouchers/{id}",
            "getVoucher",
            "A voucher and its live parts",
            &[VOUCHER_ID],
            Response::Json(schema_ref::<VoucherWithParts>),
            voucher,
        ),
        Route::get(
            "/api/v1/vouchers/parts/{id}",
            "getVoucherPart",
            "A voucher part",
            &[PART_ID],
            Response::Json(schema_ref::<VoucherPart>),
            part,
        ),
        Route::get(
            "/api/v1/vouchers/parts/{id}/lineage",
            "getVoucherLineage",
            "A part's lineage back to issuance",
            &[PART_ID],
            Response::Json(schema_ref::<VoucherLineage>),
            lineage,
        ),
        Route::get(
            "/api/v1/vouchers/by-holder/{address}",
            "listPartsByHolder",
            "Live parts of one holder, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<VoucherPartPage>),
            by_holder,
        ),
        Route::get(
            "/api/v1/vouchers/by-issuer/{address}",
            "listVouchersByIssuer",
            "Vouchers of one issuer, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<VoucherPage>),
            by_issuer,
        ),
        Route::get(
            "/api/v1/vouchers/{id}/certificate",
            "getVoucherCertificate",
            "Offline-verifiable certificate of a voucher (record kind `voucher`)",
            &[VOUCHER_ID],
            Response::Certificate,
            voucher_certificate,
        ),
        Route::get(
            "/api/v1/vouchers/parts/{id}/certificate",
            "getVoucherPartCertificate",
            "Offline-verifiable certificate of a voucher part (record kind `voucher_part`)",
            &[PART_ID],
            Response::Certificate,
            part_certificate,
        ),
    ]
}

type Answer = Result<Reply<VoucherRecord>, QueryError>;

fn must_voucher(state: &dyn StateScan, id: u64) -> Result<Voucher, QueryError> {
    exec::voucher(state, id)?
        .ok_or_else(|| QueryError::not_found("voucher_not_found", format!("no voucher has id {id}")))
}

fn must_part(state: &dyn StateScan, id: u64) -> Result<VoucherPart, QueryError> {
    exec::part(state, id)?
        .ok_or_else(|| QueryError::not_found("part_not_found", format!("no voucher part has id {id}")))
}

fn voucher(host: &dyn QueryHost, p: &Params) -> Answer {
    let v = must_voucher(host.state(), p.id("id")?)?;
    let live_parts = v
        .live_parts
        .iter()
        .map(|id| {
            exec::part(host.state(), *id)?
                .ok_or_else(|| QueryError::State(StateError::Invariant(format!("live part {id} is missing"))))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Reply::json(&VoucherWithParts { voucher: v, live_parts })
}

fn part(host: &dyn QueryHost, p: &Params) -> Answer {
    Reply::json(&must_part(host.state(), p.id("id")?)?)
}

fn lineage(host: &dyn QueryHost, p: &Params) -> Answer {
    let id = p.id("id")?;
    let chain = exec::lineage(host.state(), id)?
        .ok_or_else(|| QueryError::not_found("part_not_found", format!("no voucher part has id {id}")))?;
    let Some(first) = chain.first() else {
        return Err(QueryError::State(StateError::Invariant(format!("part {id} has an empty lineage"))));
    };
    let v = must_voucher(host.state(), first.voucher_id)?;
    Reply::json(&VoucherLineage { part_id: id, voucher: v, lineage: chain })
}

fn by_holder(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, &keys::voucher_holder_prefix(&p.address("address")?))?;
    let parts = ids.into_iter().map(|id| must_part(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&VoucherPartPage { parts, next_after })
}

fn by_issuer(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, &keys::voucher_issuer_prefix(&p.address("address")?))?;
    let vouchers = ids.into_iter().map(|id| must_voucher(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&VoucherPage { vouchers, next_after })
}

fn voucher_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(VoucherRecord::Voucher(must_voucher(host.state(), p.id("id")?)?)))
}

fn part_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(VoucherRecord::Part(must_part(host.state(), p.id("id")?)?)))
}
