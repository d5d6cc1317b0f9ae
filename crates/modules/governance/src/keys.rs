//! The governance module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `gov/params` → [`crate::ChainParams`] in force (written at genesis, replaced by
/// governance).
pub const GOV_PARAMS: &[u8] = b"gov/params";

/// The membership in force ([`crate::Membership`]): organisations, validators, observers.
pub const GOV_MEMBERSHIP: &[u8] = b"gov/members";

/// Prefix of the membership each epoch started with (`gov/epoch/<epoch be8>`).
pub const GOV_EPOCH_PREFIX: &[u8] = b"gov/epoch/";

/// `gov/revoked` → [`crate::RevokedCerts`] (absent: none).
pub const GOV_REVOKED: &[u8] = b"gov/revoked";

/// `gov/contract_checks` → [`crate::ContractChecks`] (absent: warn).
pub const GOV_CONTRACT_CHECKS: &[u8] = b"gov/contract_checks";

/// `gov/config` → [`crate::GovConfig`] (absent: governance disabled).
pub const GOV_CONFIG: &[u8] = b"gov/config";

/// `gov/perm` → [`crate::Permissions`] (absent: everything open).
pub const GOV_PERMISSIONS: &[u8] = b"gov/perm";

/// `gov/committee` → [`crate::governance::Committee`].
pub const GOV_COMMITTEE: &[u8] = b"gov/committee";

/// `gov/open` → [`crate::governance::OpenProposals`].
pub const GOV_OPEN: &[u8] = b"gov/open";

/// `gov/next` → next proposal id (big-endian u64; absent = 1).
pub const GOV_NEXT_ID: &[u8] = b"gov/next";

/// `gov/frozen_count` → number of frozen accounts (big-endian u64; absent = 0), so that
/// admission and execution skip the per-sender look-up while nothing is frozen.
pub const GOV_FROZEN_COUNT: &[u8] = b"gov/frozen_count";

/// `gov/prop/` ‖ id (big-endian u64) → [`crate::Proposal`].
pub const GOV_PROPOSAL_PREFIX: &[u8] = b"gov/prop/";

/// `gov/vote/` ‖ proposal id ‖ voter → [`crate::Vote`].
pub const GOV_VOTE_PREFIX: &[u8] = b"gov/vote/";

/// `gov/role/` ‖ address → [`crate::Roles`] (absent: none).
pub const GOV_ROLE_PREFIX: &[u8] = b"gov/role/";

/// `gov/frozen/` ‖ address → [`crate::FreezeRecord`].
pub const GOV_FROZEN_PREFIX: &[u8] = b"gov/frozen/";
/// `gov/setting/` ‖ module ‖ `/` ‖ key → a module setting's value (`Action::SetModuleSetting`).
pub const GOV_SETTING_PREFIX: &[u8] = b"gov/setting/";

/// Key of a proposal.
pub fn gov_proposal(id: u64) -> Vec<u8> {
    join(GOV_PROPOSAL_PREFIX, &[&id.to_be_bytes()])
}

/// Prefix of a proposal's votes.
pub fn gov_votes_prefix(id: u64) -> Vec<u8> {
    join(GOV_VOTE_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a member's vote on a proposal.
pub fn gov_vote(id: u64, voter: &Address) -> Vec<u8> {
    join(GOV_VOTE_PREFIX, &[&id.to_be_bytes(), &voter.0])
}

/// Key of the membership epoch `epoch` started with.
pub fn gov_epoch(epoch: u64) -> Vec<u8> {
    join(GOV_EPOCH_PREFIX, &[&epoch.to_be_bytes()])
}

/// Key of an account's roles.
pub fn gov_roles(a: &Address) -> Vec<u8> {
    join(GOV_ROLE_PREFIX, &[&a.0])
}

/// Key of an account's freeze record.
pub fn gov_frozen(a: &Address) -> Vec<u8> {
    join(GOV_FROZEN_PREFIX, &[&a.0])
}

/// Key of a module setting.
pub fn gov_setting(module: &str, key: &str) -> Vec<u8> {
    join(GOV_SETTING_PREFIX, &[module.as_bytes(), b"/", key.as_bytes()])
}
