//! Handlers of the e-certificate, dataset and data-grant routes.

use super::*;

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
    let id = path_id(path, "certificate id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let c = ecert::certificate(&reader, id)?.ok_or_else(|| ecert_not_found(id))?;
        let now = reader.head()?.timestamp_ms;
        let entries = ecert::audit_len(&reader, &Subject::Certificate(id))?;
        reply(&s::EcertStatus {
            as_of_ms: now,
            valid: c.valid_at(now),
            invalid_reason: c.invalid_reason(now),
            audit_entries: entries as u64,
            certificate: c,
        })
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/verify?at=MS`: whether the certificate is valid at `at`.
pub(crate) async fn ecert_verify(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AtQuery>, QueryRejection>,
) -> ApiResult {
    let id = path_id(path, "certificate id")?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let c = ecert::certificate(&reader, id)?.ok_or_else(|| ecert_not_found(id))?;
        let head = reader.head()?;
        let at = q.at.unwrap_or(head.timestamp_ms);
        reply(&s::EcertVerdict {
            id,
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
        reply(&s::Authorization {
            subject,
            grantee,
            at_ms: at,
            authorized: a.authorized,
            grant_id: a.grant_id,
            reason: a.reason,
            height: head.height,
        })
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/authorization?grantee=ADDR&at=MS`.
pub(crate) async fn ecert_authorization(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuthorisationQuery>, QueryRejection>,
) -> ApiResult {
    let id = path_id(path, "certificate id")?;
    subject_authorisation(st, Subject::Certificate(id), query).await
}

/// `GET /api/v1/datasets/{id}/authorization?grantee=ADDR&at=MS`.
pub(crate) async fn dataset_authorization(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuthorisationQuery>, QueryRejection>,
) -> ApiResult {
    let id = path_id(path, "dataset id")?;
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
        reply(&s::AuditPage { subject, total, entries, next_after })
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/audit?after=SEQ&limit=N`.
pub(crate) async fn ecert_audit(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult {
    let id = path_id(path, "certificate id")?;
    subject_audit(st, Subject::Certificate(id), query).await
}

/// `GET /api/v1/datasets/{id}/audit?after=SEQ&limit=N`.
pub(crate) async fn dataset_audit(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult {
    let id = path_id(path, "dataset id")?;
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
        page: |certificates, next_after| s::EcertPage { certificates, next_after },
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
        page: |certificates, next_after| s::EcertPage { certificates, next_after },
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
        page: |grants, next_after| s::DataGrantPage { grants, next_after },
        prefix: keys::ecert_grantee_prefix,
        entry: keys::ecert_by_grantee,
        load: |r, id| ecert::grant(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/datasets/{id}`.
pub(crate) async fn dataset(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = path_id(path, "dataset id")?;
    let ctx = st.ctx;
    blocking(move || match ecert::dataset(&ctx.store.reader()?, id)? {
        Some(d) => Ok(Json(to_json(&d)?)),
        None => Err(dataset_not_found(id)),
    })
    .await
}

/// `GET /api/v1/data-grants/{id}`: the grant and whether it is live at the head block's time.
pub(crate) async fn data_grant(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = path_id(path, "grant id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let g = ecert::grant(&reader, id)?.ok_or_else(|| grant_not_found(id))?;
        let now = reader.head()?.timestamp_ms;
        let why = ecert::authorised(&reader, &g, &g.grantee, now)?.err();
        reply(&s::DataGrantStatus { live: why.is_none(), reason: why, grant: g, as_of_ms: now })
    })
    .await
}

/// `GET /api/v1/ecerts/{id}/certificate`.
pub(crate) async fn ecert_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = path_id(path, "certificate id")?;
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
    let id = path_id(path, "dataset id")?;
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
    let id = path_id(path, "grant id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let g = ecert::grant(&reader, id)?.ok_or_else(|| grant_not_found(id))?;
        certify(&ctx, &reader, CertifiedRecord::DataGrant(g), &format!("grant {id}"))
    })
    .await
}
