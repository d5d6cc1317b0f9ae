//! The JSON answers of the governance routes: served by `api`, read back by clients.

use hechain_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::{
    ChainParams, CommitteeMember, ContractChecks, FreezeRecord, GovConfig, Membership, Permissions, Proposal,
    ProposalStatus, RevokedCert, Roles, Vote,
};

/// The governance settings, committee, permissions, chain parameters and membership in force,
/// and the open proposals.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// What the contract checks do with hazardous deployments.
    #[serde(default)]
    pub contract_checks: ContractChecks,
    /// Revoked node certificates, ordered by fingerprint.
    #[serde(default)]
    pub revoked_certs: Vec<RevokedCert>,
    /// Ids of open proposals.
    pub open_proposals: Vec<u64>,
    /// Id the next proposal gets.
    pub next_proposal_id: u64,
}

/// Status of a proposal, as a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalWithVotes {
    /// The proposal.
    pub proposal: Proposal,
    /// Its status word.
    pub status: ProposalState,
    /// Every vote.
    pub votes: Vec<Vote>,
}

/// An account's roles, committee seat and freeze record.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A page of membership epochs, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpochPage {
    /// Each epoch's membership as it started (organisations and observers admitted later in an
    /// epoch show in the next epoch's record, and in `GET /api/v1/governance`'s current one).
    pub epochs: Vec<crate::Membership>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// A page of governance proposals.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalPage {
    /// The proposals, by id.
    pub proposals: Vec<Proposal>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
