//! The governance module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use crate::action::Action;
/// What a transaction asks the governance module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum GovernanceCall {
    /// Propose a governance change (sender: a committee member).
    #[serde(rename = "gov_propose")]
    Propose {
        /// The change.
        action: crate::Action,
        /// Why (free text, at most 1,024 bytes).
        #[serde(default)]
        description: String,
    },
    /// Vote on an open proposal (sender: a committee member, once per proposal).
    #[serde(rename = "gov_vote")]
    Vote {
        /// The proposal.
        proposal: u64,
        /// Yes or no.
        approve: bool,
    },
}

impl ModuleEnum for GovernanceCall {
    const TYPES: &'static [&'static str] = &["gov_propose", "gov_vote"];
}

/// What the governance module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum GovernanceEvent {
    /// A governance proposal was made.
    #[serde(rename = "gov_proposed")]
    Proposed {
        /// Proposal id.
        id: u64,
        /// The proposing committee member.
        proposer: Address,
        /// Kind of change (`grant_role`, `freeze`, `set_params`, …).
        action: String,
        /// Votes are accepted until this block time (ms).
        deadline_ms: u64,
    },
    /// A committee member voted.
    #[serde(rename = "gov_voted")]
    Voted {
        /// Proposal id.
        proposal: u64,
        /// The member.
        voter: Address,
        /// Yes or no.
        approve: bool,
        /// Its weight.
        weight: u32,
    },
    /// The vote reached the threshold: the change applies at the end of this block.
    #[serde(rename = "gov_approved")]
    Approved {
        /// Proposal id.
        proposal: u64,
    },
    /// The vote made the threshold unreachable.
    #[serde(rename = "gov_rejected")]
    Rejected {
        /// Proposal id.
        proposal: u64,
    },
}

impl ModuleEnum for GovernanceEvent {
    const TYPES: &'static [&'static str] = &["gov_proposed", "gov_voted", "gov_approved", "gov_rejected"];
}
