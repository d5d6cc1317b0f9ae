//! Handlers of the receivable-voucher routes.

use super::*;

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
