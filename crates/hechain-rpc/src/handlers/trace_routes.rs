//! Handlers of the traceability and governance routes.

use super::*;

// ------------------------------------------------------------------ traceability (溯源)

fn batch_not_found(id: u64) -> ApiError {
    ApiError::not_found("batch_not_found", format!("no batch has id {id}"))
}

fn trace_code(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let code = path_param(path)?;
    hechain_types::trace::validate_code(&code).map_err(|e| ApiError::bad_request("invalid_code", e.to_string()))?;
    Ok(code)
}

fn trace_item_of(reader: &StoreReader, code: &str) -> Result<hechain_types::TraceItem, ApiError> {
    trace::item_by_code(reader, code)?
        .ok_or_else(|| ApiError::not_found("item_not_found", format!("no item has code {code:?}")))
}

fn trace_batch_of(reader: &StoreReader, id: u64) -> Result<hechain_types::TraceBatch, ApiError> {
    trace::batch(reader, id)?.ok_or_else(|| batch_not_found(id))
}

/// An item's events, checked against the rolling hash its record commits to.
fn verified_history(
    ctx: &RpcContext,
    reader: &StoreReader,
    item: &hechain_types::TraceItem,
) -> Result<Vec<hechain_types::TraceEvent>, ApiError> {
    let events = trace::events(reader, item)?;
    hechain_types::trace::verify_history(ctx.genesis.suite(), item, &events)
        .map_err(|e| ApiError::Internal(format!("stored history of item {} does not verify: {e}", item.id)))?;
    Ok(events)
}

/// `GET /api/v1/trace/items/{code}`: the consumer-facing answer — the item, its batch, whether
/// it is recalled, its chain of custody and every event in order, checked against the hash
/// chain in the item record.
pub(crate) async fn trace_item(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let code = trace_code(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let item = trace_item_of(&reader, &code)?;
        let batch = trace_batch_of(&reader, item.batch_id)?;
        let events = verified_history(&ctx, &reader, &item)?;
        let custody = trace::custody_chain(batch.producer, &events);
        reply(&s::TraceItemView {
            code,
            item,
            recalled: batch.recall.is_some(),
            batch,
            custody_chain: custody,
            events,
            history_verified: true,
        })
    })
    .await
}

/// `GET /api/v1/trace/items/{code}/certificate`: the item record with its whole history and its
/// batch, proven under a quorum-sealed block.
pub(crate) async fn trace_item_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let code = trace_code(path)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let item = trace_item_of(&reader, &code)?;
        let batch = trace_batch_of(&reader, item.batch_id)?;
        let events = verified_history(&ctx, &reader, &item)?;
        let record = CertifiedRecord::TraceItem(Box::new(TraceItemHistory { item, events, batch }));
        certify(&ctx, &reader, record, &format!("item {code:?}"))
    })
    .await
}

/// `GET /api/v1/trace/batches/{id}`.
pub(crate) async fn trace_batch(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = parse::decimal("batch id", "invalid_id", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || Ok(Json(to_json(&trace_batch_of(&ctx.store.reader()?, id)?)?))).await
}

/// `GET /api/v1/trace/batches/{id}/items?after=ID&limit=N`: `{batch_id, recalled, items,
/// next_after}` in item id order.
pub(crate) async fn trace_batch_items(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let id = parse::decimal("batch id", "invalid_id", &path_param(path)?)?;
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    let limit = page_limit(&ctx, q.limit)?;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let batch = trace_batch_of(&reader, id)?;
        let (items, next_after) = index_page(
            &reader,
            &keys::trace_batch_items_prefix(id),
            q.after.map(|item| keys::trace_batch_item(id, item)),
            limit,
            "batch item",
            |item| trace::item(&reader, item),
        )?;
        reply(&s::TraceBatchItems { batch_id: id, recalled: batch.recall.is_some(), items, next_after })
    })
    .await
}

/// `GET /api/v1/trace/batches/{id}/certificate`.
pub(crate) async fn trace_batch_certificate(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let id = parse::decimal("batch id", "invalid_id", &path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let b = trace_batch_of(&reader, id)?;
        certify(&ctx, &reader, CertifiedRecord::TraceBatch(b), &format!("batch {id}"))
    })
    .await
}

/// `GET /api/v1/trace/by-producer/{address}?after=ID&limit=N`: batches a producer registered.
pub(crate) async fn trace_by_producer(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "trace producer",
        page: |batches, next_after| s::TraceBatchPage { batches, next_after },
        prefix: keys::trace_producer_prefix,
        entry: keys::trace_by_producer,
        load: |r, id| trace::batch(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/trace/by-custodian/{address}?after=ID&limit=N`: items an account holds now.
pub(crate) async fn trace_by_custodian(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "trace custodian",
        page: |items, next_after| s::TraceItemPage { items, next_after },
        prefix: keys::trace_custodian_prefix,
        entry: keys::trace_by_custodian,
        load: |r, id| trace::item(r, id),
    };
    address_index_page(st, path, query, index).await
}

/// `GET /api/v1/trace/pending/{address}?after=ID&limit=N`: items offered to an account and not
/// yet accepted, rejected or cancelled.
pub(crate) async fn trace_pending(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let index = AddressIndex {
        name: "trace pending hand-over",
        page: |items, next_after| s::TraceItemPage { items, next_after },
        prefix: keys::trace_pending_prefix,
        entry: keys::trace_pending,
        load: |r, id| trace::item(r, id),
    };
    address_index_page(st, path, query, index).await
}

// ------------------------------------------------------------------ governance

/// `GET /api/v1/governance`: the settings, committee, permissions, chain parameters and
/// membership (epoch, organisations, validators, observers) in force, and the open proposals' ids.
pub(crate) async fn governance(State(st): State<AppState>) -> ApiResult {
    let ctx = st.ctx;
    blocking(move || {
        let r = ctx.store.reader()?;
        reply(&s::GovOverview {
            height: r.head()?.height,
            config: governance::config(&r)?,
            committee: governance::committee(&r)?.members,
            permissions: governance::permissions(&r)?,
            params: governance::params(&r)?,
            membership: governance::membership(&r)?,
            open_proposals: governance::open_proposals(&r)?.ids,
            next_proposal_id: governance::next_proposal_id(&r)?,
        })
    })
    .await
}

/// `GET /api/v1/governance/proposals?after=ID&limit=N`: proposals in id order, paged.
pub(crate) async fn gov_proposals(
    State(st): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(parse::query_rejection)?;
    let ctx = st.ctx;
    let limit = page_limit(&ctx, q.limit)?;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let (proposals, next_after) =
            index_page(&reader, keys::GOV_PROPOSAL_PREFIX, q.after.map(keys::gov_proposal), limit, "proposal", |id| {
                governance::proposal(&reader, id)
            })?;
        reply(&s::ProposalPage { proposals, next_after })
    })
    .await
}

/// `GET /api/v1/governance/proposals/{id}`: the proposal and every vote on it.
pub(crate) async fn gov_proposal(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id = path_id(path, "proposal id")?;
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let p = governance::proposal(&reader, id)?
            .ok_or_else(|| ApiError::not_found("proposal_not_found", format!("no proposal has id {id}")))?;
        // At most one vote per committee member (64).
        let votes = reader
            .state_scan(&keys::gov_votes_prefix(id), None, hechain_types::governance::MAX_COMMITTEE + 1)?
            .into_iter()
            .map(|(k, v)| {
                hechain_types::Vote::decode(&v)
                    .map_err(|e| ApiError::Internal(format!("vote record {} does not decode: {e}", hex0x(&k))))
            })
            .collect::<Result<Vec<_>, _>>()?;
        reply(&s::ProposalWithVotes { status: s::ProposalState::of(&p.status), proposal: p, votes })
    })
    .await
}

/// `GET /api/v1/governance/accounts/{address}`: roles, committee membership and freeze record.
pub(crate) async fn gov_account(State(st): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let addr = parse::address(&path_param(path)?)?;
    let ctx = st.ctx;
    blocking(move || {
        let r = ctx.store.reader()?;
        reply(&s::GovAccount {
            address: addr,
            roles: governance::roles(&r, &addr)?,
            committee_member: governance::committee(&r)?.member(&addr).cloned(),
            frozen: governance::frozen(&r, &addr)?,
        })
    })
    .await
}
