//! The e-certificate and data-sharing module's REST routes (under `/api/v1/ecerts`,
//! `/api/v1/datasets` and `/api/v1/data-grants`).

use hechain_module::api::{
    id_page, page_limit, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route,
    ADDRESS, AFTER, LIMIT,
};
use hechain_module::exec::StateScan;

use crate::views::{AuditPage, Authorization, DataGrantPage, DataGrantStatus, EcertPage, EcertStatus, EcertVerdict};
use crate::{exec, keys, DataGrant, Dataset, Ecert, EcertModule, EcertRecord, Subject};

const fn id(description: &'static str) -> Param {
    Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description }
}
const CERT_ID: Param = id("Certificate id (decimal, from 1).");
const DATASET_ID: Param = id("Dataset id (decimal, from 1).");
const GRANT_ID: Param = id("Grant id (decimal, from 1).");
const AT: Param = Param {
    name: "at",
    at: ParamIn::Query,
    required: false,
    kind: ParamKind::Count,
    description: "Time, ms since the Unix epoch (default: the head block's time).",
};
const GRANTEE: Param = Param {
    name: "grantee",
    at: ParamIn::Query,
    required: true,
    kind: ParamKind::Address,
    description: "The organisation's account.",
};
const AUDIT_AFTER: Param = Param {
    name: "after",
    at: ParamIn::Query,
    required: false,
    kind: ParamKind::Count,
    description: "Return entries after this position (the previous page's `next_after`).",
};

/// The routes.
pub fn routes() -> Vec<Route<EcertModule>> {
    let cert = Response::Certificate;
    vec![
        Route::get(
            "/api/v1/ecerts/{id}",
            "getEcert",
            "An e-certificate, whether it is valid now, and its audit log length",
            &[CERT_ID],
            Response::Json(schema_ref::<EcertStatus>),
            ecert,
        ),
        Route::get(
            "/api/v1/ecerts/{id}/verify",
            "verifyEcert",
            "Whether an e-certificate is valid at a time",
            &[CERT_ID, AT],
            Response::Json(schema_ref::<EcertVerdict>),
            verify,
        ),
        Route::get(
            "/api/v1/ecerts/{id}/authorization",
            "getEcertAuthorization",
            "Whether a grantee may use an e-certificate at a time",
            &[CERT_ID, GRANTEE, AT],
            Response::Json(schema_ref::<Authorization>),
            ecert_authorization,
        ),
        Route::get(
            "/api/v1/ecerts/{id}/audit",
            "getEcertAudit",
            "An e-certificate's audit log, paged",
            &[CERT_ID, AUDIT_AFTER, LIMIT],
            Response::Json(schema_ref::<AuditPage>),
            ecert_audit,
        ),
        Route::get(
            "/api/v1/ecerts/by-holder/{address}",
            "listEcertsByHolder",
            "E-certificates of one holder, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<EcertPage>),
            by_holder,
        ),
        Route::get(
            "/api/v1/ecerts/by-issuer/{address}",
            "listEcertsByIssuer",
            "E-certificates of one issuer, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<EcertPage>),
            by_issuer,
        ),
        Route::get(
            "/api/v1/ecerts/{id}/certificate",
            "getEcertCertificate",
            "Offline-verifiable certificate of an e-certificate (record kind `ecert`)",
            &[CERT_ID],
            cert,
            ecert_certificate,
        ),
        Route::get(
            "/api/v1/datasets/{id}",
            "getDataset",
            "A registered dataset",
            &[DATASET_ID],
            Response::Json(schema_ref::<Dataset>),
            dataset,
        ),
        Route::get(
            "/api/v1/datasets/{id}/authorization",
            "getDatasetAuthorization",
            "Whether a grantee may use a dataset at a time",
            &[DATASET_ID, GRANTEE, AT],
            Response::Json(schema_ref::<Authorization>),
            dataset_authorization,
        ),
        Route::get(
            "/api/v1/datasets/{id}/audit",
            "getDatasetAudit",
            "A dataset's audit log, paged",
            &[DATASET_ID, AUDIT_AFTER, LIMIT],
            Response::Json(schema_ref::<AuditPage>),
            dataset_audit,
        ),
        Route::get(
            "/api/v1/datasets/{id}/certificate",
            "getDatasetCertificate",
            "Offline-verifiable certificate of a dataset (record kind `dataset`)",
            &[DATASET_ID],
            cert,
            dataset_certificate,
        ),
        Route::get(
            "/api/v1/data-grants/{id}",
            "getDataGrant",
            "An access grant and whether it is live",
            &[GRANT_ID],
            Response::Json(schema_ref::<DataGrantStatus>),
            grant,
        ),
        Route::get(
            "/api/v1/data-grants/by-grantee/{address}",
            "listGrantsByGrantee",
            "Grants to one grantee, paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<DataGrantPage>),
            by_grantee,
        ),
        Route::get(
            "/api/v1/data-grants/{id}/certificate",
            "getDataGrantCertificate",
            "Offline-verifiable certificate of a grant (record kind `data_grant`)",
            &[GRANT_ID],
            cert,
            grant_certificate,
        ),
    ]
}

type Answer = Result<Reply<EcertRecord>, QueryError>;

fn must_ecert(state: &dyn StateScan, id: u64) -> Result<Ecert, QueryError> {
    exec::certificate(state, id)?
        .ok_or_else(|| QueryError::not_found("ecert_not_found", format!("no e-certificate has id {id}")))
}

fn must_dataset(state: &dyn StateScan, id: u64) -> Result<Dataset, QueryError> {
    exec::dataset(state, id)?
        .ok_or_else(|| QueryError::not_found("dataset_not_found", format!("no dataset has id {id}")))
}

fn must_grant(state: &dyn StateScan, id: u64) -> Result<DataGrant, QueryError> {
    exec::grant(state, id)?.ok_or_else(|| QueryError::not_found("grant_not_found", format!("no grant has id {id}")))
}

/// The subject, after checking that it exists.
fn existing(state: &dyn StateScan, subject: Subject) -> Result<Subject, QueryError> {
    match subject {
        Subject::Certificate(id) => must_ecert(state, id).map(|_| subject),
        Subject::Dataset(id) => must_dataset(state, id).map(|_| subject),
    }
}

fn ecert(host: &dyn QueryHost, p: &Params) -> Answer {
    let c = must_ecert(host.state(), p.id("id")?)?;
    let now = host.head().timestamp_ms;
    let entries = exec::audit_len(host.state(), &Subject::Certificate(c.id))?;
    Reply::json(&EcertStatus {
        as_of_ms: now,
        valid: c.valid_at(now),
        invalid_reason: c.invalid_reason(now),
        audit_entries: entries,
        certificate: c,
    })
}

fn verify(host: &dyn QueryHost, p: &Params) -> Answer {
    let c = must_ecert(host.state(), p.id("id")?)?;
    let head = host.head();
    let at = p.count("at")?.unwrap_or(head.timestamp_ms);
    Reply::json(&EcertVerdict {
        id: c.id,
        at_ms: at,
        valid: c.valid_at(at),
        reason: c.invalid_reason(at),
        cert_type: c.cert_type.clone(),
        issuer: c.issuer,
        holder: c.holder,
        not_before_ms: c.not_before_ms,
        not_after_ms: c.not_after_ms,
        revoked: c.revoked.clone(),
        height: head.height,
    })
}

fn authorization(host: &dyn QueryHost, p: &Params, subject: Subject) -> Answer {
    let grantee = p.address("grantee")?;
    let subject = existing(host.state(), subject)?;
    let head = host.head();
    let at = p.count("at")?.unwrap_or(head.timestamp_ms);
    let a = exec::authorisation(host.state(), &subject, &grantee, at)?;
    Reply::json(&Authorization {
        subject,
        grantee,
        at_ms: at,
        authorized: a.authorized,
        grant_id: a.grant_id,
        reason: a.reason,
        height: head.height,
    })
}

fn ecert_authorization(host: &dyn QueryHost, p: &Params) -> Answer {
    authorization(host, p, Subject::Certificate(p.id("id")?))
}

fn dataset_authorization(host: &dyn QueryHost, p: &Params) -> Answer {
    authorization(host, p, Subject::Dataset(p.id("id")?))
}

/// Entries after position `after` (exclusive; from the first when absent), at most `limit`.
fn audit(host: &dyn QueryHost, p: &Params, subject: Subject) -> Answer {
    let limit = page_limit(p, host.max_page())?;
    let subject = existing(host.state(), subject)?;
    let total = exec::audit_len(host.state(), &subject)?;
    let from = p.count("after")?.map_or(0, |a| a.saturating_add(1));
    let entries = exec::audit_page(host.state(), &subject, from, limit)?;
    let next_after = match entries.last() {
        Some(last) if last.seq + 1 < total => Some(last.seq),
        Some(_) | None => None,
    };
    Reply::json(&AuditPage { subject, total, entries, next_after })
}

fn ecert_audit(host: &dyn QueryHost, p: &Params) -> Answer {
    audit(host, p, Subject::Certificate(p.id("id")?))
}

fn dataset_audit(host: &dyn QueryHost, p: &Params) -> Answer {
    audit(host, p, Subject::Dataset(p.id("id")?))
}

fn ecerts_page(host: &dyn QueryHost, p: &Params, prefix: Vec<u8>) -> Answer {
    let (ids, next_after) = id_page(host, p, &prefix)?;
    let certificates = ids.into_iter().map(|id| must_ecert(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&EcertPage { certificates, next_after })
}

fn by_holder(host: &dyn QueryHost, p: &Params) -> Answer {
    ecerts_page(host, p, keys::ecert_holder_prefix(&p.address("address")?))
}

fn by_issuer(host: &dyn QueryHost, p: &Params) -> Answer {
    ecerts_page(host, p, keys::ecert_issuer_prefix(&p.address("address")?))
}

fn by_grantee(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, &keys::ecert_grantee_prefix(&p.address("address")?))?;
    let grants = ids.into_iter().map(|id| must_grant(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&DataGrantPage { grants, next_after })
}

fn dataset(host: &dyn QueryHost, p: &Params) -> Answer {
    Reply::json(&must_dataset(host.state(), p.id("id")?)?)
}

fn grant(host: &dyn QueryHost, p: &Params) -> Answer {
    let g = must_grant(host.state(), p.id("id")?)?;
    let now = host.head().timestamp_ms;
    let why = exec::authorised(host.state(), &g, &g.grantee, now)?.err();
    Reply::json(&DataGrantStatus { live: why.is_none(), reason: why, grant: g, as_of_ms: now })
}

fn ecert_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(EcertRecord::Ecert(must_ecert(host.state(), p.id("id")?)?)))
}

fn dataset_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(EcertRecord::Dataset(must_dataset(host.state(), p.id("id")?)?)))
}

fn grant_certificate(host: &dyn QueryHost, p: &Params) -> Answer {
    Ok(Reply::Certificate(EcertRecord::DataGrant(must_grant(host.state(), p.id("id")?)?)))
}
