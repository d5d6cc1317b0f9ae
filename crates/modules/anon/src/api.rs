//! The anonymous-signatures module's REST routes (under `/api/v1/anon`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_primitives::{Address, H256};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{exec, keys, AnonModule, AnonRecord, Poll, Report, Ring};

/// An account's public ring key.
#[derive(Serialize, ToSchema)]
pub struct RingKey {
    /// The account.
    pub account: Address,
    /// Its public ring key.
    pub ring_key: H256,
}

/// A page of a ring's reports.
#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    /// The reports, by id.
    pub reports: Vec<Report>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

const ID: Param = Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Id." };

/// The routes.
pub fn routes() -> Vec<Route<AnonModule>> {
    vec![
        Route::get(
            "/api/v1/anon/rings/{id}",
            "getAnonRing",
            "A published ring: its members and their ring keys",
            &[ID],
            Response::Json(schema_ref::<Ring>),
            get_ring,
        ),
        Route::get(
            "/api/v1/anon/rings/{id}/reports",
            "listAnonRingReports",
            "The anonymous reports of a ring's members, paged",
            &[ID, AFTER, LIMIT],
            Response::Json(schema_ref::<ReportPage>),
            ring_reports,
        ),
        Route::get(
            "/api/v1/anon/polls/{id}",
            "getAnonPoll",
            "A poll: question, options, public tally, closing time",
            &[ID],
            Response::Json(schema_ref::<Poll>),
            get_poll,
        ),
        Route::get(
            "/api/v1/anon/polls/{id}/certificate",
            "getAnonPollCertificate",
            "Offline-verifiable certificate of a poll and its tally (record kind `anon_poll`)",
            &[ID],
            Response::Certificate,
            poll_certificate,
        ),
        Route::get(
            "/api/v1/anon/reports/{id}",
            "getAnonReport",
            "An anonymous report: ring, topic, evidence hash, link tag, ring signature",
            &[ID],
            Response::Json(schema_ref::<Report>),
            get_report,
        ),
        Route::get(
            "/api/v1/anon/reports/{id}/certificate",
            "getAnonReportCertificate",
            "Offline-verifiable certificate of an anonymous report (record kind `anon_report`)",
            &[ID],
            Response::Certificate,
            report_certificate,
        ),
        Route::get(
            "/api/v1/anon/accounts/{address}/ring-key",
            "getAnonRingKey",
            "An account's registered public ring key",
            &[ADDRESS],
            Response::Json(schema_ref::<RingKey>),
            ring_key,
        ),
    ]
}

fn must_poll(host: &dyn QueryHost, id: u64) -> Result<Poll, QueryError> {
    exec::poll(host.state(), id)?.ok_or_else(|| QueryError::not_found("poll_not_found", format!("no poll {id}")))
}

fn must_report(host: &dyn QueryHost, id: u64) -> Result<Report, QueryError> {
    exec::report(host.state(), id)?.ok_or_else(|| QueryError::not_found("report_not_found", format!("no report {id}")))
}

fn get_ring(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    let id = p.id("id")?;
    let r = exec::ring(host.state(), id)?
        .ok_or_else(|| QueryError::not_found("ring_not_found", format!("no ring {id}")))?;
    Reply::json(&r)
}

fn ring_reports(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    let (ids, next_after) = id_page(host, p, &keys::ring_reports_prefix(p.id("id")?))?;
    let reports = ids.into_iter().map(|id| must_report(host, id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&ReportPage { reports, next_after })
}

fn get_poll(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    Reply::json(&must_poll(host, p.id("id")?)?)
}

fn poll_certificate(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    Ok(Reply::Certificate(AnonRecord::AnonPoll(must_poll(host, p.id("id")?)?)))
}

fn get_report(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    Reply::json(&must_report(host, p.id("id")?)?)
}

fn report_certificate(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    Ok(Reply::Certificate(AnonRecord::AnonReport(must_report(host, p.id("id")?)?)))
}

fn ring_key(host: &dyn QueryHost, p: &Params) -> Result<Reply<AnonRecord>, QueryError> {
    let account = p.address("address")?;
    let key = exec::ring_key(host.state(), &account)?.ok_or_else(|| {
        QueryError::not_found("ring_key_not_found", format!("{account} has not registered a ring key"))
    })?;
    Reply::json(&RingKey { account, ring_key: key })
}
