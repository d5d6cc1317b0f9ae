//! Handlers of the copyright and receivable-voucher routes.

use super::*;

// ------------------------------------------------------------------ copyright (版权)

fn work_id(path: Result<Path<String>, PathRejection>) -> Result<u64, ApiError> {
    parse::decimal("work id", "invalid_id", &path_param(path)?)
}

fn work_not_found(id: u64) -> ApiError {
    ApiError::not_found("work_not_found", format!("no registered work has id {id}"))
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
        let licenses: Vec<s::LicenseInForce> = copyright::licenses(&reader, &w)?
            .into_iter()
            .map(|license| s::LicenseInForce { in_force: license.in_force(now), license })
            .collect();
        reply(&s::CopyrightLicenses { work_id: id, owner: w.owner, as_of_ms: now, licenses })
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
        page: |works, next_after| s::CopyrightWorkPage { works, next_after },
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

pub(crate) fn voucher_path_id(path: Result<Path<String>, PathRejection>, what: &str) -> Result<u64, ApiError> {
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
        reply(&s::VoucherWithParts { voucher: v, live_parts: parts })
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
        reply(&s::VoucherLineage { part_id: id, voucher: v, lineage: chain })
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
        page: |parts, next_after| s::VoucherPartPage { parts, next_after },
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
        page: |vouchers, next_after| s::VoucherPage { vouchers, next_after },
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
