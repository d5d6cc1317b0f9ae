//! Consortium governance (联盟治理) records: the committee, account roles, permissions, frozen
//! accounts, and the proposals and votes by which members change them together.
//!
//! No single operator changes the rules of a consortium chain: a committee member proposes a
//! change, members vote with their weights, and the change takes effect at the end of the block
//! in which the approving share of the committee's weight is reached (before the proposal's
//! deadline). Rejected and expired proposals stay on record. The rules live in
//! `hechain_execution::governance`; this module holds the records and the stateless checks.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::action::{check_len, Action};
use crate::chain::{OrgInfo, ValidatorInfo};
use hechain_module::ValidateContext;
use hechain_primitives::Address;
use hechain_primitives::Codec;
use hechain_primitives::Stamp;
use hechain_primitives::TypesError;

/// Basis points: 10,000 = 100 %.
pub const BPS: u32 = 10_000;
/// Most proposals open at once (each block checks the open ones for expiry).
pub const MAX_OPEN_PROPOSALS: usize = 256;
/// Longest proposal description or freeze reason, in bytes.
pub const MAX_TEXT_BYTES: usize = 1_024;
/// Longest organisation or module label, in bytes.
pub const MAX_LABEL_BYTES: usize = 64;
/// Most committee members.
pub const MAX_COMMITTEE: usize = 64;
/// Largest organisation CA certificate (PEM), in bytes.
pub const MAX_CA_PEM_BYTES: usize = 8 * 1024;
/// Most organisations, validators and observers (each).
pub const MAX_MEMBERS: usize = 100;
/// Shortest and longest voting period (1 minute to 90 days).
pub const VOTING_PERIOD_RANGE_MS: (u64, u64) = (60_000, 90 * 24 * 3_600_000);

/// A role an account can hold. Committee membership is not a role: it carries a weight and is
/// changed by [`Action::SetCommitteeMember`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administers an organisation's accounts and nodes.
    OrgAdmin,
    /// Runs nodes and operational services.
    Operator,
    /// May deploy contracts where the deploy policy requires the role.
    Deployer,
    /// An admitted ordinary user (what a members-only chain requires to transact).
    User,
}

impl Role {
    /// Every role, in order.
    pub const ALL: [Role; 4] = [Role::OrgAdmin, Role::Operator, Role::Deployer, Role::User];

    /// The role's bit in a [`Roles`] set.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::Operator => "operator",
            Role::Deployer => "deployer",
            Role::User => "user",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(s: &str) -> Result<Role, TypesError> {
        Role::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
            TypesError::Invalid(format!("unknown role {s:?} (roles: {})", names.join(", ")))
        })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A committee member.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommitteeMember {
    /// The member's account (it signs proposals and votes).
    pub address: Address,
    /// Voting weight (> 0).
    pub weight: u32,
    /// The organisation it represents (a label; a name in the genesis `orgs` on a consortium).
    #[serde(default)]
    pub org: String,
}

impl Codec for CommitteeMember {}

/// The committee: every member with its weight, in the order they joined.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Committee {
    /// The members.
    pub members: Vec<CommitteeMember>,
}

impl Codec for Committee {}

impl Committee {
    /// The member with account `a`.
    pub fn member(&self, a: &Address) -> Option<&CommitteeMember> {
        self.members.iter().find(|m| m.address == *a)
    }

    /// Sum of the weights.
    pub fn total_weight(&self) -> u64 {
        self.members.iter().map(|m| m.weight as u64).sum()
    }
}

/// Ids of the proposals still open (checked for expiry at the end of every block).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenProposals {
    /// Ids, ascending.
    pub ids: Vec<u64>,
}

impl Codec for OpenProposals {}

/// Who may do something.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "access", rename_all = "snake_case", deny_unknown_fields)]
pub enum Access {
    /// Every account.
    #[default]
    Open,
    /// Accounts holding at least one of the roles (committee members always may).
    Roles {
        /// The roles that admit.
        roles: Vec<Role>,
    },
}

impl Access {
    /// Whether an account with `roles` (and committee membership `member`) is admitted.
    pub fn admits(&self, roles: Roles, member: bool) -> bool {
        match self {
            Access::Open => true,
            Access::Roles { roles: need } => member || need.iter().any(|r| roles.has(*r)),
        }
    }

    /// Words for an error message: what the access requires.
    pub fn describe(&self) -> String {
        match self {
            Access::Open => "nothing".into(),
            Access::Roles { roles } => {
                let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                format!("one of the roles [{}] or committee membership", names.join(", "))
            }
        }
    }
}

/// The chain's permission settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Who may send transactions at all (native or Ethereum). Governance transactions of
    /// committee members are always admitted.
    #[serde(default)]
    pub send: Access,
    /// Who may deploy contracts (in addition to the chain parameter `deploy`, which must also
    /// allow the sender).
    #[serde(default)]
    pub deploy: Access,
    /// Per native module (`evidence`, `copyright`, `voucher`, `transfer`, …): who may send its
    /// transactions. A module not listed is open. Sorted by module, each listed once.
    #[serde(default)]
    pub modules: Vec<ModuleAccess>,
}

/// Who may use one native module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ModuleAccess {
    /// Module name, as `hechain_types::Payload::module` names it.
    pub module: String,
    /// Who may use it.
    pub access: Access,
}

impl Codec for Permissions {}

impl Permissions {
    /// The access of a module (open when not listed).
    pub fn module(&self, module: &str) -> &Access {
        const OPEN: Access = Access::Open;
        self.modules.iter().find(|m| m.module == module).map_or(&OPEN, |m| &m.access)
    }

    /// Whether every check is `open` (then admission needs no role look-ups).
    pub fn all_open(&self) -> bool {
        self.send == Access::Open
            && self.deploy == Access::Open
            && self.modules.iter().all(|m| m.access == Access::Open)
    }

    /// Stateless checks: known module names (`cx.modules`), each listed once, non-empty role lists.
    pub fn validate(&self, cx: &ValidateContext) -> Result<(), TypesError> {
        let mut seen: Vec<&str> = Vec::new();
        for m in &self.modules {
            if !cx.modules.contains(&m.module.as_str()) {
                return Err(TypesError::Invalid(format!(
                    "permissions: unknown module {:?} (modules: {})",
                    m.module,
                    cx.modules.join(", ")
                )));
            }
            if seen.contains(&m.module.as_str()) {
                return Err(TypesError::Invalid(format!("permissions: module {:?} is listed twice", m.module)));
            }
            seen.push(&m.module);
        }
        for a in std::iter::once(&self.send).chain([&self.deploy]).chain(self.modules.iter().map(|m| &m.access)) {
            if matches!(a, Access::Roles { roles } if roles.is_empty()) {
                return Err(TypesError::Invalid(
                    "permissions: a role list is empty (use `open`, or name at least one role)".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A set of [`Role`]s (a bit set; the canonical encoding is one byte).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Roles(pub u8);

impl Codec for Roles {}

impl Roles {
    /// Whether the set holds `r`.
    pub fn has(self, r: Role) -> bool {
        self.0 & r.bit() != 0
    }

    /// The set with `r` added.
    pub fn with(self, r: Role) -> Roles {
        Roles(self.0 | r.bit())
    }

    /// The set without `r`.
    pub fn without(self, r: Role) -> Roles {
        Roles(self.0 & !r.bit())
    }

    /// The roles, in order.
    pub fn list(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.has(*r)).collect()
    }
}

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&self.list(), s)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Roles {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <Vec<Role> as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Roles {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push((<Role as utoipa::ToSchema>::name().into(), <Role as utoipa::PartialSchema>::schema()));
    }
}

impl<'de> Deserialize<'de> for Roles {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let list = <Vec<Role> as Deserialize>::deserialize(d)?;
        Ok(list.into_iter().fold(Roles::default(), Roles::with))
    }
}

/// Governance settings.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GovConfig {
    /// Share of the committee's total weight whose approval makes a proposal pass, in basis
    /// points: the yes weight × 10,000 must reach `threshold_bps` × the total weight (6,666 ≈ two
    /// thirds: 2 of 3 and 3 of 4 pass; 5,001 = a simple majority).
    pub threshold_bps: u32,
    /// How long a proposal is open for votes (ms).
    pub voting_period_ms: u64,
}

impl Codec for GovConfig {}

impl Default for GovConfig {
    fn default() -> Self {
        Self { threshold_bps: 6_666, voting_period_ms: 7 * 24 * 3_600_000 }
    }
}

impl GovConfig {
    /// Stateless checks of the settings.
    pub fn validate(&self) -> Result<(), TypesError> {
        if self.threshold_bps <= BPS / 2 || self.threshold_bps > BPS {
            return Err(TypesError::Invalid(format!(
                "governance threshold {} bps must be above 5000 (a majority) and at most 10000",
                self.threshold_bps
            )));
        }
        let (lo, hi) = VOTING_PERIOD_RANGE_MS;
        if !(lo..=hi).contains(&self.voting_period_ms) {
            return Err(TypesError::Invalid(format!(
                "governance voting period {} ms must be between {lo} and {hi} ms",
                self.voting_period_ms
            )));
        }
        Ok(())
    }
}

/// An account granted roles at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GenesisRoles {
    /// The account.
    pub address: Address,
    /// Its roles.
    pub roles: Roles,
}

/// Governance at genesis.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GenesisGovernance {
    /// The committee (at least one member).
    pub committee: Vec<CommitteeMember>,
    /// Threshold and voting period.
    #[serde(default)]
    pub config: GovConfig,
    /// Initial roles.
    #[serde(default)]
    pub roles: Vec<GenesisRoles>,
    /// Permission settings.
    #[serde(default)]
    pub permissions: Permissions,
}

impl GenesisGovernance {
    /// Structural checks: a committee of 1 to [`MAX_COMMITTEE`] distinct members with positive
    /// weights, a valid config and permissions, each role holder listed once.
    pub fn validate(&self, cx: &ValidateContext) -> Result<(), TypesError> {
        if self.committee.is_empty() || self.committee.len() > MAX_COMMITTEE {
            return Err(TypesError::Invalid(format!(
                "governance: the committee must have 1 to {MAX_COMMITTEE} members, it has {}",
                self.committee.len()
            )));
        }
        let mut addrs: Vec<Address> = self.committee.iter().map(|m| m.address).collect();
        addrs.sort();
        if addrs.windows(2).any(|w| w[0] == w[1]) {
            return Err(TypesError::Invalid("governance: a committee member is listed twice".into()));
        }
        if let Some(m) = self.committee.iter().find(|m| m.weight == 0) {
            return Err(TypesError::Invalid(format!("governance: committee member {} has weight 0", m.address)));
        }
        let mut holders: Vec<Address> = self.roles.iter().map(|r| r.address).collect();
        holders.sort();
        if holders.windows(2).any(|w| w[0] == w[1]) {
            return Err(TypesError::Invalid("governance: an account is listed twice in roles".into()));
        }
        self.config.validate()?;
        self.permissions.validate(cx)
    }
}

/// The consortium's membership in force: the member organisations (whose CAs admit nodes to the
/// network), the validators (the consensus set) and the observers. Genesis writes epoch 0;
/// governance changes it at a block end.
///
/// An *epoch* is the run of blocks sealed by one validator set. A block whose changes replace
/// the validator set ends its epoch: the next block is the first of epoch `epoch + 1`, ordered
/// and sealed by the new set. Changes to organisations and observers keep the epoch.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Membership {
    /// Epoch number, 0 at genesis.
    pub epoch: u64,
    /// Height of the first block of the epoch (1 for epoch 0).
    pub start_height: u64,
    /// Member organisations.
    pub orgs: Vec<OrgInfo>,
    /// Validators, in index order (the index a seal signature names).
    pub validators: Vec<ValidatorInfo>,
    /// Observers (admitted to the network; never vote).
    pub observers: Vec<ValidatorInfo>,
}

impl Codec for Membership {}

impl Membership {
    /// Epoch 0: the genesis organisations and nodes (`hechain_types::Genesis::membership`).
    pub fn initial(orgs: Vec<OrgInfo>, validators: Vec<ValidatorInfo>, observers: Vec<ValidatorInfo>) -> Self {
        Membership { epoch: 0, start_height: 1, orgs, validators, observers }
    }

    /// The validators' parsed public keys, in index order.
    pub fn validator_keys(
        &self,
        suite: hechain_crypto::Suite,
    ) -> Result<Vec<hechain_crypto::NodePublicKey>, TypesError> {
        crate::chain::parse_node_keys(suite, &self.validators, "validator")
    }

    /// The node (validator or observer) called `name`.
    pub fn node(&self, name: &str) -> Option<&ValidatorInfo> {
        self.validators.iter().chain(&self.observers).find(|n| n.name == name)
    }

    /// The node (validator or observer) with public key `key`.
    pub fn node_by_key(&self, key: &[u8]) -> Option<&ValidatorInfo> {
        self.validators.iter().chain(&self.observers).find(|n| n.public_key == key)
    }

    /// The epoch of the block at `height`, given that this membership is the one in force
    /// after that block was executed (a block ending its epoch carries the next epoch's
    /// membership in its state).
    pub fn epoch_of_block(&self, height: u64) -> u64 {
        if height < self.start_height {
            self.epoch.saturating_sub(1)
        } else {
            self.epoch
        }
    }
}

/// Stateless checks of a proposal's description.
pub fn validate_description(description: &str) -> Result<(), TypesError> {
    check_len("description", description, MAX_TEXT_BYTES)
}

/// Where a proposal stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProposalStatus {
    /// Open for votes until the deadline.
    Open,
    /// The vote `at` reached the threshold; the change applies at the end of that block (a
    /// proposal is in this state only between the vote and the end of its block).
    Approved {
        /// The deciding vote.
        at: Stamp,
    },
    /// Approved and applied at the end of the block `at` names.
    Applied {
        /// The block (the transaction is the vote that reached the threshold).
        at: Stamp,
    },
    /// Approved, but the change could not be applied (e.g. it would remove the last committee
    /// member); recorded with the reason, nothing changed.
    Failed {
        /// The block.
        at: Stamp,
        /// Why.
        reason: String,
    },
    /// Enough weight voted against that the threshold can no longer be reached.
    Rejected {
        /// The vote that decided it.
        at: Stamp,
    },
    /// The deadline passed without a decision (recorded by the first block at or after it).
    Expired {
        /// Height of the block that recorded the expiry.
        height: u64,
        /// Its timestamp.
        timestamp_ms: u64,
    },
}

/// A proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// Sequential id, from 1.
    pub id: u64,
    /// The committee member that proposed it.
    pub proposer: Address,
    /// The change.
    pub action: Action,
    /// Why (free text).
    pub description: String,
    /// The proposal transaction.
    pub created: Stamp,
    /// Votes are accepted while the block time is before this (ms since the Unix epoch).
    pub deadline_ms: u64,
    /// Threshold in force when it was made (basis points of `total_weight`).
    pub threshold_bps: u32,
    /// The committee when it was made: who may vote on it, with which weight. A member must
    /// also still be on the committee when it votes.
    pub electorate: Vec<CommitteeMember>,
    /// The electorate's total weight.
    pub total_weight: u64,
    /// Weight voted yes (each member's weight when it voted).
    pub yes_weight: u64,
    /// Weight voted no.
    pub no_weight: u64,
    /// Number of votes.
    pub votes: u32,
    /// Where it stands.
    pub status: ProposalStatus,
}

impl Codec for Proposal {}

impl Proposal {
    /// Whether the yes weight reaches the threshold.
    pub fn approved(&self) -> bool {
        self.yes_weight as u128 * BPS as u128 >= self.threshold_bps as u128 * self.total_weight as u128
    }

    /// Whether the no weight makes the threshold unreachable.
    pub fn defeated(&self) -> bool {
        let remaining = self.total_weight.saturating_sub(self.no_weight);
        (remaining as u128) * (BPS as u128) < self.threshold_bps as u128 * self.total_weight as u128
    }
}

/// One member's vote.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// The proposal.
    pub proposal: u64,
    /// The member.
    pub voter: Address,
    /// Yes or no.
    pub approve: bool,
    /// The member's weight when it voted.
    pub weight: u32,
    /// The vote transaction.
    pub at: Stamp,
}

impl Codec for Vote {}

/// Why an account is frozen.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FreezeRecord {
    /// The account or contract.
    pub account: Address,
    /// The proposal that froze it.
    pub proposal: u64,
    /// Its reason.
    pub reason: String,
    /// When it took effect.
    pub at: Stamp,
}

impl Codec for FreezeRecord {}
