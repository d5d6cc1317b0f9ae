//! Consortium governance module (联盟治理): the committee, roles, permissions, frozen accounts,
//! chain parameters, and the proposals and votes that change them.
//!
//! Rules (each refusal is a failed receipt whose reason says what is wrong):
//! - only a committee member proposes or votes; the proposer's own vote counts as yes;
//! - a member votes once per proposal, while it is open and before its deadline;
//! - a proposal passes when the yes weight reaches the threshold (basis points of the committee's
//!   total weight, both as they were when it was proposed) and is refused for good once the no
//!   weight makes that impossible; its electorate is the committee when it was proposed, with
//!   those weights (a member must also still be on the committee when it votes);
//! - an approved change applies at the end of the block of the deciding vote ([`end_block`]),
//!   so every transaction of a block runs under the same rules; a proposal still open at its
//!   deadline is recorded as expired by the first block at or after it;
//! - a change that no longer fits the state when it applies (revoking a role the account no
//!   longer holds, removing the last committee member) is recorded as failed and changes nothing.
//!
//! The rules in force are read by the node's `Policy` (`hechain_execution::policy`), which
//! execution, the pool and the precompiles apply to every transaction: frozen accounts and
//! contracts, who may send, deploy and use each module.

use hechain_module::exec::{
    counter, read, read_u64, BlockInfo as BlockContext, Host, StateError, StateView as StateRead,
};
use hechain_primitives::{Address, Codec, Stamp, H256};

#[allow(unused_imports)]
use crate::{action::*, chain::*, keys, safeguards::*, types::*, GovernanceEvent};

use hechain_crypto::{NodePublicKey, Suite};

/// Outcome of a module operation: events, or the refusal reason.
pub type Outcome = Result<Vec<GovernanceEvent>, String>;

/// The chain parameters in force.
pub fn params<S: StateRead + ?Sized>(s: &S) -> Result<ChainParams, StateError> {
    Ok(read(s, keys::GOV_PARAMS)?.unwrap_or_default())
}

/// The membership in force (organisations, validators, observers).
pub fn membership<S: StateRead + ?Sized>(s: &S) -> Result<Membership, StateError> {
    read(s, keys::GOV_MEMBERSHIP)?
        .ok_or_else(|| StateError::Corrupt { key: "gov/members".into(), reason: "the membership is missing".into() })
}

/// The membership epoch `epoch` started with (`None`: no such epoch yet).
pub fn epoch_membership<S: StateRead + ?Sized>(s: &S, epoch: u64) -> Result<Option<Membership>, StateError> {
    read(s, &keys::gov_epoch(epoch))
}

/// The membership that sealed block `height`, read from a state at or after that block (walks
/// the epoch history back from the membership in force).
pub fn membership_at<S: StateRead + ?Sized>(s: &S, height: u64) -> Result<Membership, StateError> {
    let mut m = membership(s)?;
    while m.start_height > height && m.epoch > 0 {
        let prev = m.epoch - 1;
        m = epoch_membership(s, prev)?.ok_or_else(|| StateError::Corrupt {
            key: hechain_module::exec::hex_key(&keys::gov_epoch(prev)),
            reason: format!("the membership of epoch {prev} is missing"),
        })?;
    }
    Ok(m)
}

/// A service module's setting that governance decided (`Action::SetModuleSetting`), in the
/// module's own encoding; `None` when unset.
pub fn module_setting<S: StateRead + ?Sized>(s: &S, module: &str, key: &str) -> Result<Option<Vec<u8>>, StateError> {
    s.get(&keys::gov_setting(module, key))
}

/// The governance settings (`None`: the chain has no governance).
pub fn config<S: StateRead + ?Sized>(s: &S) -> Result<Option<GovConfig>, StateError> {
    read(s, keys::GOV_CONFIG)
}

/// The committee.
pub fn committee<S: StateRead + ?Sized>(s: &S) -> Result<Committee, StateError> {
    Ok(read(s, keys::GOV_COMMITTEE)?.unwrap_or_default())
}

/// The permission settings.
pub fn permissions<S: StateRead + ?Sized>(s: &S) -> Result<Permissions, StateError> {
    Ok(read(s, keys::GOV_PERMISSIONS)?.unwrap_or_default())
}

/// An account's roles.
pub fn roles<S: StateRead + ?Sized>(s: &S, a: &Address) -> Result<Roles, StateError> {
    Ok(read(s, &keys::gov_roles(a))?.unwrap_or_default())
}

/// The revoked node certificates.
pub fn revoked_certs<S: StateRead + ?Sized>(s: &S) -> Result<RevokedCerts, StateError> {
    Ok(read(s, keys::GOV_REVOKED)?.unwrap_or_default())
}

/// What the contract checks do with hazardous deployments.
pub fn contract_checks<S: StateRead + ?Sized>(s: &S) -> Result<ContractChecks, StateError> {
    Ok(read(s, keys::GOV_CONTRACT_CHECKS)?.unwrap_or_default())
}

/// Why an account is frozen, if it is.
pub fn frozen<S: StateRead + ?Sized>(s: &S, a: &Address) -> Result<Option<FreezeRecord>, StateError> {
    read(s, &keys::gov_frozen(a))
}

/// Proposal `id`.
pub fn proposal<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<Proposal>, StateError> {
    read(s, &keys::gov_proposal(id))
}

/// A member's vote on a proposal.
pub fn vote_of<S: StateRead + ?Sized>(s: &S, id: u64, voter: &Address) -> Result<Option<Vote>, StateError> {
    read(s, &keys::gov_vote(id, voter))
}

/// The ids of the open proposals, ascending.
pub fn open_proposals<S: StateRead + ?Sized>(s: &S) -> Result<OpenProposals, StateError> {
    Ok(read(s, keys::GOV_OPEN)?.unwrap_or_default())
}

/// The id the next proposal gets.
pub fn next_proposal_id<S: StateRead + ?Sized>(s: &S) -> Result<u64, StateError> {
    counter(s, keys::GOV_NEXT_ID)
}

pub fn frozen_count<S: StateRead + ?Sized>(s: &S) -> Result<u64, StateError> {
    Ok(read_u64(s, keys::GOV_FROZEN_COUNT)?.unwrap_or(0))
}

fn set_frozen_count<H: Host + ?Sized>(o: &mut H, n: u64) {
    o.put(keys::GOV_FROZEN_COUNT.to_vec(), n.to_be_bytes().to_vec());
}

/// The governance state a genesis starts with: the chain parameters and the membership always; committee,
/// settings, roles and permissions when the genesis has a governance section.
pub fn genesis_writes(
    params: &ChainParams,
    membership: &Membership,
    governance: Option<&GenesisGovernance>,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let m = membership.encode();
    let mut w = vec![
        (keys::GOV_PARAMS.to_vec(), params.encode()),
        (keys::GOV_MEMBERSHIP.to_vec(), m.clone()),
        (keys::gov_epoch(0), m),
    ];
    if let Some(g) = governance {
        w.push((keys::GOV_CONFIG.to_vec(), g.config.encode()));
        w.push((keys::GOV_COMMITTEE.to_vec(), Committee { members: g.committee.clone() }.encode()));
        w.push((keys::GOV_PERMISSIONS.to_vec(), g.permissions.encode()));
        for r in &g.roles {
            w.push((keys::gov_roles(&r.address), r.roles.encode()));
        }
    }
    w
}

fn put<H: Host + ?Sized, T: Codec>(o: &mut H, key: Vec<u8>, v: &T) {
    o.put(key, v.encode());
}

/// Checks that `action` fits the current state (at proposal time, and again when it applies).
fn fits<S: StateRead + ?Sized>(s: &S, suite: Suite, action: &Action) -> Result<Result<(), String>, StateError> {
    let c = committee(s)?;
    let m = || membership(s);
    Ok(match action {
        Action::GrantRole { account, role } if roles(s, account)?.has(*role) => {
            Err(format!("{account} already holds the role {role}"))
        }
        Action::RevokeRole { account, role } if !roles(s, account)?.has(*role) => {
            Err(format!("{account} does not hold the role {role}"))
        }
        Action::SetCommitteeMember { account, weight: 0, .. } => match c.member(account) {
            None => Err(format!("{account} is not a committee member")),
            Some(_) if c.members.len() == 1 => Err("the last committee member cannot be removed".into()),
            Some(_) => Ok(()),
        },
        Action::SetCommitteeMember { account, .. }
            if c.member(account).is_none() && c.members.len() >= MAX_COMMITTEE =>
        {
            Err(format!("the committee already has the maximum of {MAX_COMMITTEE} members"))
        }
        Action::SetCommitteeMember { account, .. } if frozen(s, account)?.is_some() => {
            Err(format!("{account} is frozen; unfreeze it before it joins the committee"))
        }
        Action::Freeze { account, .. } if frozen(s, account)?.is_some() => Err(format!("{account} is already frozen")),
        Action::Freeze { account, .. } if c.member(account).is_some() => {
            Err(format!("{account} is a committee member; remove it from the committee before freezing it"))
        }
        Action::Unfreeze { account } if frozen(s, account)?.is_none() => Err(format!("{account} is not frozen")),
        Action::AddOrg { org } => {
            let m = m()?;
            if m.orgs.iter().any(|o| o.name == org.name) {
                Err(format!("organisation {} is already a member", org.name))
            } else if m.orgs.len() >= MAX_MEMBERS {
                Err(format!("the consortium already has the maximum of {MAX_MEMBERS} organisations"))
            } else {
                Ok(())
            }
        }
        Action::RemoveOrg { name } => {
            let m = m()?;
            if !m.orgs.iter().any(|o| o.name == *name) {
                Err(format!("organisation {name} is not a member"))
            } else if m.orgs.len() == 1 {
                Err("the last organisation cannot be removed".into())
            } else if let Some(n) = m.validators.iter().chain(&m.observers).find(|n| n.org == *name) {
                Err(format!("organisation {name} still runs node {}; remove its nodes first", n.name))
            } else {
                Ok(())
            }
        }
        Action::AddValidator { node } | Action::AddObserver { node } => node_fits(&m()?, suite, node),
        Action::RemoveValidator { name } => {
            let m = m()?;
            if !m.validators.iter().any(|v| v.name == *name) {
                Err(format!("{name} is not a validator"))
            } else if m.validators.len() == 1 {
                Err("the last validator cannot be removed".into())
            } else {
                Ok(())
            }
        }
        Action::RemoveObserver { name } if !m()?.observers.iter().any(|v| v.name == *name) => {
            Err(format!("{name} is not an observer"))
        }
        Action::RevokeCert { fingerprint, .. } => {
            let r = revoked_certs(s)?;
            if r.contains(fingerprint) {
                Err(format!("certificate {fingerprint} is already revoked"))
            } else if r.certs.len() >= MAX_REVOKED_CERTS {
                Err(format!("the chain already lists the maximum of {MAX_REVOKED_CERTS} revoked certificates"))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    })
}

/// Whether a node may join: a valid key of the chain's suite, a name and key no node has, a
/// member organisation, room in the list.
fn node_fits(m: &Membership, suite: Suite, node: &ValidatorInfo) -> Result<(), String> {
    if m.orgs.is_empty() {
        return Err("this chain has no member organisations (a single-node dev chain): nodes cannot join it".into());
    }
    NodePublicKey::from_bytes(suite, &node.public_key)
        .map_err(|e| format!("node {}: not a {suite} node public key: {e}", node.name))?;
    if m.node(&node.name).is_some() {
        return Err(format!("a node called {} is already a member", node.name));
    }
    if let Some(n) = m.node_by_key(&node.public_key) {
        return Err(format!("node {} already has this public key", n.name));
    }
    if !m.orgs.iter().any(|o| o.name == node.org) {
        return Err(format!("node {} names {:?}, which is not a member organisation", node.name, node.org));
    }
    if m.validators.len().max(m.observers.len()) >= MAX_MEMBERS {
        return Err(format!("the consortium already has the maximum of {MAX_MEMBERS} nodes of this kind"));
    }
    Ok(())
}

/// Proposes `action`; the sender must be a committee member. Its own yes vote is counted.
pub fn propose<H: Host + ?Sized>(
    o: &mut H,
    cx: &hechain_module::ValidateContext,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    action: &Action,
    description: &str,
) -> Result<Outcome, StateError> {
    let Some(cfg) = config(o)? else {
        return Ok(Err("this chain has no governance committee: its rules cannot change".into()));
    };
    let c = committee(o)?;
    let Some(member) = c.member(sender).cloned() else {
        return Ok(Err(format!("not permitted: only committee members may propose; {sender} is not one")));
    };
    if let Err(e) = action.validate(cx).and_then(|_| validate_description(description)) {
        return Ok(Err(e.to_string()));
    }
    if let Err(e) = fits(o, ctx.suite, action)? {
        return Ok(Err(e));
    }
    let mut open = open_proposals(o)?;
    // One member cannot fill every open slot: each may have its share open at once.
    let share = (MAX_OPEN_PROPOSALS / c.members.len().max(1)).max(1);
    let mut own = 0usize;
    for id in &open.ids {
        if proposal(o, *id)?.is_some_and(|p| p.proposer == *sender) {
            own += 1;
        }
    }
    if own >= share {
        return Ok(Err(format!(
            "{sender} already has {own} open proposals, its share of the {MAX_OPEN_PROPOSALS} open at once; \
             wait until some are decided or expire"
        )));
    }
    if open.ids.len() >= MAX_OPEN_PROPOSALS {
        return Ok(Err(format!(
            "{MAX_OPEN_PROPOSALS} proposals are open already; vote on them or wait until they expire"
        )));
    }
    let id = next_proposal_id(o)?;
    let at = ctx.stamp(tx_hash);
    let deadline_ms = ctx.timestamp_ms.saturating_add(cfg.voting_period_ms);
    let p = Proposal {
        id,
        proposer: *sender,
        action: action.clone(),
        description: description.to_string(),
        created: at,
        deadline_ms,
        threshold_bps: cfg.threshold_bps,
        electorate: c.members.clone(),
        total_weight: c.total_weight(),
        yes_weight: 0,
        no_weight: 0,
        votes: 0,
        status: ProposalStatus::Open,
    };
    open.ids.push(id);
    put(o, keys::GOV_OPEN.to_vec(), &open);
    o.put(keys::GOV_NEXT_ID.to_vec(), (id + 1).to_be_bytes().to_vec());
    let mut events =
        vec![GovernanceEvent::Proposed { id, proposer: *sender, action: action.kind().into(), deadline_ms }];
    events.extend(record_vote(o, at, p, member.address, member.weight, true));
    Ok(Ok(events))
}

/// Records a vote on an open proposal, decides it if the vote settles it, and stores it.
fn record_vote<H: Host + ?Sized>(
    o: &mut H,
    at: Stamp,
    mut p: Proposal,
    voter: Address,
    weight: u32,
    approve: bool,
) -> Vec<GovernanceEvent> {
    if approve {
        p.yes_weight += weight as u64;
    } else {
        p.no_weight += weight as u64;
    }
    p.votes += 1;
    let mut events = vec![GovernanceEvent::Voted { proposal: p.id, voter, approve, weight }];
    if p.approved() {
        p.status = ProposalStatus::Approved { at };
        events.push(GovernanceEvent::Approved { proposal: p.id });
    } else if p.defeated() {
        p.status = ProposalStatus::Rejected { at };
        events.push(GovernanceEvent::Rejected { proposal: p.id });
    }
    put(o, keys::gov_vote(p.id, &voter), &Vote { proposal: p.id, voter, approve, weight, at });
    put(o, keys::gov_proposal(p.id), &p);
    events
}

/// Votes on proposal `id`; the sender must be a committee member that has not voted on it.
pub fn vote<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    id: u64,
    approve: bool,
) -> Result<Outcome, StateError> {
    let c = committee(o)?;
    if c.member(sender).is_none() {
        return Ok(Err(format!("not permitted: only committee members may vote; {sender} is not one")));
    }
    let Some(p) = proposal(o, id)? else {
        return Ok(Err(format!("no proposal has id {id}")));
    };
    // Weights are those of the committee the proposal was made to.
    let Some(member) = p.electorate.iter().find(|m| m.address == *sender).cloned() else {
        return Ok(Err(format!(
            "not permitted: {sender} joined the committee after proposal {id} was made, so it does not vote on it"
        )));
    };
    match &p.status {
        ProposalStatus::Open => {}
        ProposalStatus::Approved { .. } => {
            return Ok(Err(format!("proposal {id} is already approved; it applies at the end of this block")))
        }
        other => return Ok(Err(format!("proposal {id} is closed ({})", status_word(other)))),
    }
    if ctx.timestamp_ms >= p.deadline_ms {
        return Ok(Err(format!("proposal {id}'s voting period ended at {} ms", p.deadline_ms)));
    }
    if let Some(v) = vote_of(o, id, sender)? {
        return Ok(Err(format!(
            "{sender} already voted {} on proposal {id} at height {}",
            if v.approve { "yes" } else { "no" },
            v.at.height
        )));
    }
    Ok(Ok(record_vote(o, ctx.stamp(tx_hash), p, member.address, member.weight, approve)))
}

/// One word for a proposal's status.
pub fn status_word(s: &ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Open => "open",
        ProposalStatus::Approved { .. } => "approved",
        ProposalStatus::Applied { .. } => "applied",
        ProposalStatus::Failed { .. } => "failed",
        ProposalStatus::Rejected { .. } => "rejected",
        ProposalStatus::Expired { .. } => "expired",
    }
}

/// Runs after the block's last transaction: applies the proposals approved in this block, in
/// id order, and records open proposals whose deadline has passed as expired.
pub fn end_block<H: Host + ?Sized>(o: &mut H, ctx: BlockContext) -> Result<(), StateError> {
    let open = open_proposals(o)?;
    if open.ids.is_empty() {
        return Ok(());
    }
    let mut still_open = Vec::with_capacity(open.ids.len());
    for id in &open.ids {
        let mut p = proposal(o, *id)?.ok_or_else(|| StateError::Corrupt {
            key: hechain_module::exec::hex_key(&keys::gov_proposal(*id)),
            reason: "open proposal missing".into(),
        })?;
        match p.status {
            ProposalStatus::Approved { at } => {
                p.status = match apply(o, ctx, at, &p)? {
                    Ok(()) => ProposalStatus::Applied { at },
                    Err(reason) => ProposalStatus::Failed { at, reason },
                };
            }
            ProposalStatus::Open if ctx.timestamp_ms >= p.deadline_ms => {
                p.status = ProposalStatus::Expired { height: ctx.height, timestamp_ms: ctx.timestamp_ms };
            }
            ProposalStatus::Open => {
                still_open.push(*id);
                continue;
            }
            // Rejected by a vote of this block.
            _ => {}
        }
        put(o, keys::gov_proposal(*id), &p);
    }
    if still_open != open.ids {
        put(o, keys::GOV_OPEN.to_vec(), &OpenProposals { ids: still_open });
    }
    Ok(())
}

/// Applies an approved proposal's change (`at`: the deciding vote), or says why it no longer
/// fits.
fn apply<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    at: Stamp,
    p: &Proposal,
) -> Result<Result<(), String>, StateError> {
    if let Err(e) = fits(o, ctx.suite, &p.action)? {
        return Ok(Err(e));
    }
    match &p.action {
        Action::GrantRole { account, role } => {
            let r = roles(o, account)?.with(*role);
            put(o, keys::gov_roles(account), &r);
        }
        Action::RevokeRole { account, role } => {
            let r = roles(o, account)?.without(*role);
            if r == Roles::default() {
                o.delete(keys::gov_roles(account));
            } else {
                put(o, keys::gov_roles(account), &r);
            }
        }
        Action::SetCommitteeMember { account, weight, org } => {
            let mut c = committee(o)?;
            match c.members.iter().position(|m| m.address == *account) {
                Some(i) if *weight == 0 => {
                    c.members.remove(i);
                }
                Some(i) => {
                    c.members[i].weight = *weight;
                    c.members[i].org = org.clone();
                }
                None => c.members.push(CommitteeMember { address: *account, weight: *weight, org: org.clone() }),
            }
            put(o, keys::GOV_COMMITTEE.to_vec(), &c);
        }
        Action::Freeze { account, reason } => {
            let rec = FreezeRecord { account: *account, proposal: p.id, reason: reason.clone(), at };
            put(o, keys::gov_frozen(account), &rec);
            let n = frozen_count(o)?;
            set_frozen_count(o, n + 1);
        }
        Action::Unfreeze { account } => {
            o.delete(keys::gov_frozen(account));
            let n = frozen_count(o)?;
            set_frozen_count(o, n.saturating_sub(1));
        }
        Action::SetParams { params } => put(o, keys::GOV_PARAMS.to_vec(), params),
        Action::SetPermissions { permissions } => put(o, keys::GOV_PERMISSIONS.to_vec(), permissions),
        Action::SetConfig { config } => put(o, keys::GOV_CONFIG.to_vec(), config),
        Action::AddOrg { org } => change_membership(o, ctx, |m| m.orgs.push(org.clone()))?,
        Action::RemoveOrg { name } => change_membership(o, ctx, |m| m.orgs.retain(|x| x.name != *name))?,
        Action::AddValidator { node } => change_membership(o, ctx, |m| m.validators.push(node.clone()))?,
        Action::RemoveValidator { name } => change_membership(o, ctx, |m| m.validators.retain(|x| x.name != *name))?,
        Action::AddObserver { node } => change_membership(o, ctx, |m| m.observers.push(node.clone()))?,
        Action::RemoveObserver { name } => change_membership(o, ctx, |m| m.observers.retain(|x| x.name != *name))?,
        Action::RevokeCert { fingerprint, reason } => {
            let mut r = revoked_certs(o)?;
            let rec = RevokedCert { fingerprint: *fingerprint, proposal: p.id, reason: reason.clone(), at };
            let i = r.certs.partition_point(|c| c.fingerprint < *fingerprint);
            r.certs.insert(i, rec);
            put(o, keys::GOV_REVOKED.to_vec(), &r);
        }
        Action::SetContractChecks { mode } => put(o, keys::GOV_CONTRACT_CHECKS.to_vec(), mode),
        Action::SetModuleSetting { module, key, value } if value.is_empty() => o.delete(keys::gov_setting(module, key)),
        Action::SetModuleSetting { module, key, value } => o.put(keys::gov_setting(module, key), value.clone()),
    }
    Ok(Ok(()))
}

/// Changes the membership at the end of block `ctx.height`. A change of the validator set ends
/// the epoch with this block: the next block is the first of the next epoch (several changes
/// in one block make one epoch change). The membership an epoch starts with is kept under
/// `gov/epoch/<n>` for certificates and for sync.
fn change_membership<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    change: impl FnOnce(&mut Membership),
) -> Result<(), StateError> {
    let mut m = membership(o)?;
    let before = m.validators.clone();
    change(&mut m);
    let next = ctx.height.saturating_add(1);
    if m.validators != before && m.start_height != next {
        m.epoch += 1;
        m.start_height = next;
    }
    if m.start_height == next {
        put(o, keys::gov_epoch(m.epoch), &m);
    }
    put(o, keys::GOV_MEMBERSHIP.to_vec(), &m);
    Ok(())
}
