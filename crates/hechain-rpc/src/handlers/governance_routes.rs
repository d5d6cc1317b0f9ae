//! Handlers of the governance routes.

use super::*;

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
