//! The governance module's REST routes (under `/api/v1/governance`).

use hechain_module::api::{
    id_page, schema_ref, Method, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route,
    ADDRESS, AFTER, LIMIT,
};
use hechain_module::exec::{StateError, StateScan};
use hechain_primitives::{Address, Codec};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    exec, keys, ChainParams, CommitteeMember, FreezeRecord, GovConfig, GovernanceModule, Membership, Permissions,
    Proposal, ProposalStatus, Roles, Vote, MAX_COMMITTEE,
};

/// The governance settings, committee, permissions, chain parameters and membership in force,
/// and the open proposals.
#[derive(Serialize, ToSchema)]
pub struct GovOverview {
    /// Head height.
    pub height: u64,
    /// Governance settings (null without governance).
    pub config: Option<GovConfig>,
    /// Committee.
    pub committee: Vec<CommitteeMember>,
    /// Permissions.
    pub permissions: Permissions,
    /// Chain parameters.
    pub params: ChainParams,
    /// Organisations, validators and observers in force.
    pub membership: Membership,
    /// Ids of open proposals.
    pub open_proposals: Vec<u64>,
    /// Id the next proposal gets.
    pub next_proposal_id: u64,
}

/// Status of a proposal, as a word.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    /// Open for votes.
    Open,
    /// Approved, applied at the end of the block.
    Approved,
    /// Applied.
    Applied,
    /// Approved but failed to apply.
    Failed,
    /// Rejected.
    Rejected,
    /// Expired.
    Expired,
}

impl ProposalState {
    /// The word of a proposal status.
    pub fn of(s: &ProposalStatus) -> Self {
        match s {
            ProposalStatus::Open => Self::Open,
            ProposalStatus::Approved { .. } => Self::Approved,
            ProposalStatus::Applied { .. } => Self::Applied,
            ProposalStatus::Failed { .. } => Self::Failed,
            ProposalStatus::Rejected { .. } => Self::Rejected,
            ProposalStatus::Expired { .. } => Self::Expired,
        }
    }
}

/// A proposal, its state and every vote.
#[derive(Serialize, ToSchema)]
pub struct ProposalWithVotes {
    /// The proposal.
    pub proposal: Proposal,
    /// Its status word.
    pub status: ProposalState,
    /// Every vote.
    pub votes: Vec<Vote>,
}

/// An account's roles, committee seat and freeze record.
#[derive(Serialize, ToSchema)]
pub struct GovAccount {
    /// The address.
    pub address: Address,
    /// Its roles.
    pub roles: Roles,
    /// Its committee seat, if any.
    pub committee_member: Option<CommitteeMember>,
    /// Its freeze record, if frozen.
    pub frozen: Option<FreezeRecord>,
}

/// A page of governance proposals.
#[derive(Serialize, ToSchema)]
pub struct ProposalPage {
    /// The proposals, by id.
    pub proposals: Vec<Proposal>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

const PROPOSAL_ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Proposal id (decimal, from 1).",
};

/// The routes.
pub fn routes() -> Vec<Route<GovernanceModule>> {
    let get = |path, operation_id, summary, params, response, handler| Route {
        method: Method::Get,
        path,
        operation_id,
        summary,
        params,
        response,
        handler,
    };
    vec![
        get(
            "/api/v1/governance",
            "getGovernance",
            "Governance settings, committee, permissions, parameters in force",
            &[],
            Response::Json(schema_ref::<GovOverview>),
            overview,
        ),
        get(
            "/api/v1/governance/proposals",
            "listProposals",
            "Governance proposals, paged",
            &[AFTER, LIMIT],
            Response::Json(schema_ref::<ProposalPage>),
            proposals,
        ),
        get(
            "/api/v1/governance/proposals/{id}",
            "getProposal",
            "A proposal, its state and every vote",
            &[PROPOSAL_ID],
            Response::Json(schema_ref::<ProposalWithVotes>),
            proposal,
        ),
        get(
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
