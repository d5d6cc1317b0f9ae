//! The governance module's REST routes (under `/api/v1/governance`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::{StateError, StateScan};
use hechain_primitives::Codec;

use crate::views::{GovAccount, GovOverview, ProposalPage, ProposalState, ProposalWithVotes};
use crate::{exec, keys, GovernanceModule, Proposal, Vote, MAX_COMMITTEE};

const PROPOSAL_ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Proposal id (decimal, from 1).",
};

/// The routes.
pub fn routes() -> Vec<Route<GovernanceModule>> {
    vec![
        Route::get(
            "/api/v1/governance",
            "getGovernance",
            "Governance settings, committee, permissions, parameters in force",
            &[],
            Response::Json(schema_ref::<GovOverview>),
            overview,
        ),
        Route::get(
            "/api/v1/governance/proposals",
            "listProposals",
            "Governance proposals, paged",
            &[AFTER, LIMIT],
            Response::Json(schema_ref::<ProposalPage>),
            proposals,
        ),
        Route::get(
            "/api/v1/governance/proposals/{id}",
            "getProposal",
            "A proposal, its state and every vote",
            &[PROPOSAL_ID],
            Response::Json(schema_ref::<ProposalWithVotes>),
            proposal,
        ),
        Route::get(
            "/api/v1/governance/accounts/{address}",
            "getGovAccount",
            "An account's roles, committee seat and freeze record",
            &[ADDRESS],
            Response::Json(schema_ref::<GovAccount>),
            account,
        ),
    ]
}

type Answer = Result<Reply<hechain_module::record::NoRecords>, QueryError>;

fn overview(host: &dyn QueryHost, _p: &Params) -> Answer {
    let s = host.state();
    Reply::json(&GovOverview {
        height: host.head().height,
        config: exec::config(s)?,
        committee: exec::committee(s)?.members,
        permissions: exec::permissions(s)?,
        params: exec::params(s)?,
        membership: exec::membership(s)?,
        contract_checks: exec::contract_checks(s)?,
        revoked_certs: exec::revoked_certs(s)?.certs,
        open_proposals: exec::open_proposals(s)?.ids,
        next_proposal_id: exec::next_proposal_id(s)?,
    })
}

fn must(state: &dyn StateScan, id: u64) -> Result<Proposal, QueryError> {
    exec::proposal(state, id)?
        .ok_or_else(|| QueryError::not_found("proposal_not_found", format!("no proposal has id {id}")))
}

fn proposals(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, keys::GOV_PROPOSAL_PREFIX)?;
    let proposals = ids.into_iter().map(|id| must(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&ProposalPage { proposals, next_after })
}

fn proposal(host: &dyn QueryHost, p: &Params) -> Answer {
    let proposal = must(host.state(), p.id("id")?)?;
    // At most one vote per committee member.
    let votes = host
        .state()
        .scan(&keys::gov_votes_prefix(proposal.id), None, MAX_COMMITTEE + 1)?
        .into_iter()
        .map(|(k, v)| {
            Vote::decode(&v).map_err(|e| StateError::Corrupt {
                key: hechain_module::exec::hex_key(&k),
                reason: format!("vote record does not decode: {e}"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Reply::json(&ProposalWithVotes { status: ProposalState::of(&proposal.status), proposal, votes })
}

fn account(host: &dyn QueryHost, p: &Params) -> Answer {
    let address = p.address("address")?;
    let s = host.state();
    Reply::json(&GovAccount {
        address,
        roles: exec::roles(s, &address)?,
        committee_member: exec::committee(s)?.member(&address).cloned(),
        frozen: exec::frozen(s, &address)?,
    })
}
