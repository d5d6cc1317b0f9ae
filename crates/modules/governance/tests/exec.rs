//! Governance over a real store: proposals and votes, thresholds, application at the block
//! end, rejection and expiry, and the rules in force (frozen accounts, send/module/deploy
//! permissions, chain parameters) applied to native and Ethereum transactions; a property test
//! of the tally against a reference model.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_primitives::{Signature, TxKind, U256};
use hechain_crypto::Suite;
use hechain_execution::governance::{self, Policy};
use hechain_execution::{account_of, evidence};
use hechain_types::governance::ModuleAccess;
use hechain_types::*;
use hechain_types::{EvidenceCall, GovernanceCall, GovernanceEvent, TransferCall};
use proptest::prelude::*;

use common::{commit_block_after, tx, Env};
use hechain_testkit::exec as common;

const DAY: u64 = 24 * 3_600_000;

/// Keys 0, 1 and 2 are the committee (weight 1 each, threshold 6,666 bps, one-day votes); key 3
/// is an ordinary account. Balances are 10^24 so that Ethereum gas can be paid.
fn gov_env(weights: &[u32]) -> Env {
    let e = common::env(Suite::Standard, 0);
    let committee: Vec<CommitteeMember> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| CommitteeMember { address: Address(e.keys[i].address()), weight: *w, org: format!("org{i}") })
        .collect();
    common::with_genesis(e, |g| {
        g.governance = Some(GenesisGovernance {
            committee,
            config: GovConfig { threshold_bps: 6_666, voting_period_ms: DAY },
            roles: vec![],
            permissions: Permissions::default(),
        });
        for a in &mut g.accounts {
            a.balance = 1_000_000_000_000_000_000_000_000;
        }
    })
}

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

fn reason(r: &Receipt) -> &str {
    match &r.status {
        TxStatus::Failed { reason } => reason,
        TxStatus::Success => panic!("expected a refusal, got success: {r:?}"),
    }
}

fn ok(r: &Receipt) {
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
}

/// Nonces per key, so that each test reads as a story.
struct Nonces([u64; 4]);

impl Nonces {
    fn next(&mut self, i: usize) -> u64 {
        self.0[i] += 1;
        self.0[i] - 1
    }
}

fn propose(e: &Env, n: &mut Nonces, from: usize, action: Action) -> ChainTx {
    let nonce = n.next(from);
    tx(e, from, nonce, 0, Payload::Governance(GovernanceCall::Propose { action, description: "test".into() })).into()
}

fn vote(e: &Env, n: &mut Nonces, from: usize, proposal: u64, approve: bool) -> ChainTx {
    let nonce = n.next(from);
    tx(e, from, nonce, 0, Payload::Governance(GovernanceCall::Vote { proposal, approve })).into()
}

fn transfer(e: &Env, n: &mut Nonces, from: usize, amount: u128) -> ChainTx {
    let nonce = n.next(from);
    tx(e, from, nonce, 0, Payload::Transfer(TransferCall::Transfer { to: Address([0xaa; 20]), amount })).into()
}

fn commit(e: &Env, txs: Vec<ChainTx>) -> Vec<Receipt> {
    commit_block_after(&e.store, &e.genesis, &e.node, txs, 10).0.receipts
}

fn proposal(e: &Env, id: u64) -> Proposal {
    governance::proposal(&e.store.reader().unwrap(), id).unwrap().unwrap()
}

/// Proposes `action` from key 0 and approves it with key 1 in the same block.
fn pass(e: &Env, n: &mut Nonces, action: Action) -> u64 {
    let id = governance::next_proposal_id(&e.store.reader().unwrap()).unwrap();
    let rs = commit(e, vec![propose(e, n, 0, action), vote(e, n, 1, id, true)]);
    ok(&rs[0]);
    ok(&rs[1]);
    assert!(matches!(proposal(e, id).status, ProposalStatus::Applied { .. }), "{:?}", proposal(e, id));
    id
}

#[test]
fn a_proposal_applies_at_the_end_of_the_block_that_approves_it() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    let grant = Action::GrantRole { account: addr(&e, 3), role: Role::Deployer };
    let rs = commit(&e, vec![propose(&e, &mut n, 0, grant.clone())]);
    ok(&rs[0]);
    assert_eq!(
        rs[0].events,
        vec![
            Event::Governance(GovernanceEvent::Proposed {
                id: 1,
                proposer: addr(&e, 0),
                action: "grant_role".into(),
                deadline_ms: 1_010 + DAY
            }),
            Event::Governance(GovernanceEvent::Voted { proposal: 1, voter: addr(&e, 0), approve: true, weight: 1 }),
        ]
    );
    let p = proposal(&e, 1);
    assert_eq!((p.yes_weight, p.total_weight, p.votes, &p.status), (1, 3, 1, &ProposalStatus::Open));

    let rs = commit(
        &e,
        vec![
            vote(&e, &mut n, 3, 1, true),          // not a member
            vote(&e, &mut n, 0, 1, true),          // voted already (as proposer)
            vote(&e, &mut n, 1, 9, true),          // no such proposal
            vote(&e, &mut n, 1, 1, true),          // 2 of 3: approved
            vote(&e, &mut n, 2, 1, false),         // too late: approved
            propose(&e, &mut n, 3, grant.clone()), // not a member
        ],
    );
    assert_eq!(
        reason(&rs[0]),
        format!("not permitted: only committee members may propose or vote; {} is not one", addr(&e, 3))
    );
    assert!(reason(&rs[1]).contains("already voted yes on proposal 1 at height 1"), "{}", reason(&rs[1]));
    assert_eq!(reason(&rs[2]), "no proposal has id 9");
    assert_eq!(
        rs[3].events,
        vec![
            Event::Governance(GovernanceEvent::Voted { proposal: 1, voter: addr(&e, 1), approve: true, weight: 1 }),
            Event::Governance(GovernanceEvent::Approved { proposal: 1 })
        ]
    );
    assert!(reason(&rs[4]).contains("already approved; it applies at the end of this block"));
    assert!(reason(&rs[5]).contains("only committee members may propose"));
    // Refused governance transactions still use their nonce (like any failed native transaction).
    let r = e.store.reader().unwrap();
    assert!(governance::roles(&r, &addr(&e, 3)).unwrap().has(Role::Deployer));
    let p = governance::proposal(&r, 1).unwrap().unwrap();
    assert!(matches!(p.status, ProposalStatus::Applied { at } if at.height == 2 && at.tx_hash == rs[3].tx_hash));
    assert!(governance::vote_of(&r, 1, &addr(&e, 1)).unwrap().unwrap().approve);
    assert!(governance::open_proposals(&r).unwrap().ids.is_empty());
    // Granting what is held is refused at proposal time.
    drop(r);
    let rs = commit(&e, vec![propose(&e, &mut n, 0, grant)]);
    assert!(reason(&rs[0]).contains("already holds the role deployer"));
}

#[test]
fn rejected_and_expired_proposals_change_nothing() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    let freeze = Action::Freeze { account: addr(&e, 3), reason: "audit".into() };
    let rs = commit(
        &e,
        vec![
            propose(&e, &mut n, 0, freeze.clone()),
            vote(&e, &mut n, 1, 1, false),
            vote(&e, &mut n, 2, 1, false),
            propose(&e, &mut n, 0, freeze.clone()),
        ],
    );
    assert_eq!(rs[2].events.last(), Some(&Event::Governance(GovernanceEvent::Rejected { proposal: 1 })));
    assert!(matches!(proposal(&e, 1).status, ProposalStatus::Rejected { .. }));
    // Proposal 2 stays open until its deadline; the first block at or after it records expiry.
    commit_block_after(&e.store, &e.genesis, &e.node, vec![], DAY - 10);
    assert_eq!(proposal(&e, 2).status, ProposalStatus::Open);
    commit_block_after(&e.store, &e.genesis, &e.node, vec![], 10);
    assert!(matches!(proposal(&e, 2).status, ProposalStatus::Expired { height: 3, .. }), "{:?}", proposal(&e, 2));
    let rs = commit(&e, vec![vote(&e, &mut n, 1, 2, true), vote(&e, &mut n, 2, 1, true)]);
    assert_eq!(reason(&rs[0]), "proposal 2 is closed (expired)");
    assert_eq!(reason(&rs[1]), "proposal 1 is closed (rejected)");
    let r = e.store.reader().unwrap();
    assert!(governance::frozen(&r, &addr(&e, 3)).unwrap().is_none());
    assert!(governance::open_proposals(&r).unwrap().ids.is_empty());
}

#[test]
fn frozen_accounts_cannot_transact_until_unfrozen() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    let rs = commit(&e, vec![propose(&e, &mut n, 0, Action::Freeze { account: addr(&e, 0), reason: "x".into() })]);
    assert!(reason(&rs[0]).contains("is a committee member; remove it from the committee before freezing it"));
    let id = pass(&e, &mut n, Action::Freeze { account: addr(&e, 3), reason: "court order 2026-17".into() });
    let r = e.store.reader().unwrap();
    let policy = Policy::load(&r).unwrap();
    let refusal = policy
        .check_native(&r, &addr(&e, 3), &Payload::Transfer(TransferCall::Transfer { to: addr(&e, 0), amount: 1 }))
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal, format!("account {} is frozen by proposal {id}: court order 2026-17", addr(&e, 3)));
    drop(r);
    let rs = commit(&e, vec![transfer(&e, &mut n, 3, 5)]);
    assert_eq!(reason(&rs[0]), refusal);
    assert_eq!(rs[0].fee_charged, 0);
    assert_eq!(account_of(&e.store.reader().unwrap(), &addr(&e, 3)).unwrap().nonce, 0, "nothing charged");
    n.0[3] = 0;
    // A frozen account cannot send Ethereum transactions either, but it can still be paid.
    let r = e.store.reader().unwrap();
    let frozen_eoa = addr(&e, 3);
    assert!(policy_of(&e).check_eth(&r, &frozen_eoa, None, 0).unwrap().is_err());
    assert!(policy_of(&e).check_eth(&r, &addr(&e, 1), Some(&frozen_eoa), 1).unwrap().is_ok());
    drop(r);
    // A frozen contract cannot be called, directly or from another contract.
    let (n0, n1) = (n.next(0), n.next(0));
    let rs =
        commit(&e, vec![create_with(&e, 0, n0, ONE_BYTE_CONTRACT.to_vec()), create_with(&e, 0, n1, caller_contract())]);
    let contract = rs[0].evm.as_ref().unwrap().contract_address.expect("created");
    let relay = rs[1].evm.as_ref().unwrap().contract_address.expect("created");
    let word = |a: &Address| {
        let mut w = vec![0u8; 12];
        w.extend_from_slice(&a.0);
        w
    };
    let nonce = n.next(0);
    ok(&commit(&e, vec![call(&e, 0, nonce, relay, word(&contract))])[0]);
    let id = pass(&e, &mut n, Action::Freeze { account: contract, reason: "audit".into() });
    let r = e.store.reader().unwrap();
    let refusal = policy_of(&e).check_eth(&r, &addr(&e, 1), Some(&contract), 0).unwrap().unwrap_err();
    assert_eq!(refusal, format!("contract {contract} is frozen by proposal {id}: audit"));
    drop(r);
    let nonce = n.next(0);
    let rs = commit(&e, vec![call(&e, 0, nonce, relay, word(&contract))]);
    assert!(reason(&rs[0]).starts_with("execution reverted"), "the nested call is refused: {:?}", rs[0]);
    pass(&e, &mut n, Action::Unfreeze { account: addr(&e, 3) });
    ok(&commit(&e, vec![transfer(&e, &mut n, 3, 5)])[0]);
    let rs = commit(&e, vec![propose(&e, &mut n, 0, Action::Unfreeze { account: addr(&e, 3) })]);
    assert!(reason(&rs[0]).ends_with("is not frozen"));
}

fn policy_of(e: &Env) -> Policy {
    Policy::load(&e.store.reader().unwrap()).unwrap()
}

#[test]
fn permissions_decide_who_sends_and_uses_modules() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    let members_only = Permissions {
        send: Access::Roles { roles: vec![Role::User] },
        deploy: Access::Open,
        modules: vec![ModuleAccess {
            module: "evidence".into(),
            access: Access::Roles { roles: vec![Role::Operator] },
        }],
    };
    pass(&e, &mut n, Action::SetPermissions { permissions: members_only.clone() });
    let put = |n: &mut Nonces, from| {
        let nonce = n.next(from);
        tx(
            &e,
            from,
            nonce,
            0,
            Payload::Evidence(EvidenceCall::Put { content_hash: H256([from as u8 + 1; 32]), meta: Default::default() }),
        )
        .into()
    };
    let rs = commit(&e, vec![transfer(&e, &mut n, 3, 1), transfer(&e, &mut n, 2, 1), put(&mut n, 2)]);
    assert_eq!(
        reason(&rs[0]),
        format!(
            "not permitted: {} may not send transactions (requires one of the roles [user] or committee membership)",
            addr(&e, 3)
        )
    );
    n.0[3] = 0;
    ok(&rs[1]); // committee members always may send and use every module
    ok(&rs[2]);
    pass(&e, &mut n, Action::GrantRole { account: addr(&e, 3), role: Role::User });
    let rs = commit(&e, vec![transfer(&e, &mut n, 3, 1), put(&mut n, 3)]);
    ok(&rs[0]);
    assert!(reason(&rs[1]).contains("may not use the evidence module (requires one of the roles [operator]"));
    n.0[3] -= 1; // refused by the rules in force: its nonce was not used
    pass(&e, &mut n, Action::GrantRole { account: addr(&e, 3), role: Role::Operator });
    ok(&commit(&e, vec![put(&mut n, 3)])[0]);
    assert!(evidence::existing(&e.store.reader().unwrap(), &H256([4; 32])).unwrap().is_some());
    // Value sent by an Ethereum transaction needs the transfer module's permission too.
    pass(
        &e,
        &mut n,
        Action::SetPermissions {
            permissions: Permissions {
                modules: vec![ModuleAccess {
                    module: "transfer".into(),
                    access: Access::Roles { roles: vec![Role::OrgAdmin] },
                }],
                ..Permissions::default()
            },
        },
    );
    let r = e.store.reader().unwrap();
    let p = policy_of(&e);
    let sink = Address([0xaa; 20]);
    let refused = p.check_eth(&r, &addr(&e, 3), Some(&sink), 1).unwrap().unwrap_err();
    assert!(refused.contains("may not use the transfer module (move value)"), "{refused}");
    assert!(p.check_eth(&r, &addr(&e, 3), Some(&sink), 0).unwrap().is_ok(), "a call without value is fine");
    drop(r);
    let refused = commit(&e, vec![transfer(&e, &mut n, 3, 1)]);
    assert!(reason(&refused[0]).contains("may not use the transfer module"));
    n.0[3] -= 1;
    pass(&e, &mut n, Action::SetPermissions { permissions: members_only });
    // Revoking the last role removes the account's entry.
    pass(&e, &mut n, Action::RevokeRole { account: addr(&e, 3), role: Role::User });
    let rs = commit(&e, vec![transfer(&e, &mut n, 3, 1)]);
    assert!(reason(&rs[0]).contains("may not send transactions"));
}

#[test]
fn governance_changes_parameters_the_committee_and_its_own_threshold() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    let params = ChainParams { min_fee: 5, ..e.genesis.params.clone() };
    pass(&e, &mut n, Action::SetParams { params });
    assert_eq!(governance::params(&e.store.reader().unwrap()).unwrap().min_fee, 5);
    let rs = commit(&e, vec![transfer(&e, &mut n, 3, 1)]);
    assert_eq!(reason(&rs[0]), "fee 0 is below the minimum 5");
    n.0[3] = 0;
    let nonce = n.next(3);
    let rs = commit(
        &e,
        vec![tx(&e, 3, nonce, 5, Payload::Transfer(TransferCall::Transfer { to: addr(&e, 0), amount: 1 })).into()],
    );
    ok(&rs[0]);
    // Governance transactions pay the fee in force too.
    let paid = |n: &mut Nonces, from: usize, payload: Payload| -> ChainTx {
        let nonce = n.next(from);
        tx(&e, from, nonce, 5, payload).into()
    };
    // Add key 3 with weight 3: total 6, so keys 0 and 1 (2 of 6) no longer pass anything alone.
    let add = Action::SetCommitteeMember { account: addr(&e, 3), weight: 3, org: "org3".into() };
    let rs = commit(
        &e,
        vec![
            paid(&mut n, 0, Payload::Governance(GovernanceCall::Propose { action: add, description: String::new() })),
            paid(&mut n, 1, Payload::Governance(GovernanceCall::Vote { proposal: 2, approve: true })),
        ],
    );
    ok(&rs[1]);
    let c = governance::committee(&e.store.reader().unwrap()).unwrap();
    assert_eq!((c.members.len(), c.total_weight()), (4, 6));
    let lower = Action::SetConfig { config: GovConfig { threshold_bps: 5_001, voting_period_ms: DAY } };
    let rs = commit(
        &e,
        vec![
            paid(
                &mut n,
                0,
                Payload::Governance(GovernanceCall::Propose { action: lower, description: "simple majority".into() }),
            ),
            paid(&mut n, 1, Payload::Governance(GovernanceCall::Vote { proposal: 3, approve: true })),
        ],
    );
    ok(&rs[1]);
    assert_eq!(proposal(&e, 3).status, ProposalStatus::Open, "2 of 6 is not two thirds");
    let rs =
        commit(&e, vec![paid(&mut n, 3, Payload::Governance(GovernanceCall::Vote { proposal: 3, approve: true }))]);
    assert_eq!(rs[0].events.last(), Some(&Event::Governance(GovernanceEvent::Approved { proposal: 3 })));
    assert_eq!(governance::config(&e.store.reader().unwrap()).unwrap().unwrap().threshold_bps, 5_001);
    // The last member cannot be removed; invalid settings are refused before any vote.
    let rs = commit(
        &e,
        vec![
            paid(
                &mut n,
                0,
                Payload::Governance(GovernanceCall::Propose {
                    action: Action::SetConfig { config: GovConfig { threshold_bps: 4_000, voting_period_ms: DAY } },
                    description: String::new(),
                }),
            ),
            paid(
                &mut n,
                0,
                Payload::Governance(GovernanceCall::Propose {
                    action: Action::SetCommitteeMember { account: addr(&e, 2), weight: 0, org: String::new() },
                    description: String::new(),
                }),
            ),
        ],
    );
    assert!(reason(&rs[0]).contains("must be above 5000"));
    ok(&rs[1]);
}

#[test]
fn a_chain_without_governance_cannot_change() {
    let e = common::env(Suite::Standard, 0);
    let action = Action::GrantRole { account: addr(&e, 3), role: Role::User };
    let (o, _) = common::commit(
        &e,
        vec![tx(&e, 0, 0, 0, Payload::Governance(GovernanceCall::Propose { action, description: String::new() }))],
    );
    assert_eq!(reason(&o.receipts[0]), "this chain has no governance committee: its rules cannot change");
}

/// Init code that deploys the one-byte runtime code `STOP`: PUSH1 0, PUSH1 0, MSTORE8, PUSH1 1,
/// PUSH1 0, RETURN.
const ONE_BYTE_CONTRACT: [u8; 10] = [0x60, 0x00, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3];

/// Init code of a contract that CALLs the address in its calldata's first word and reverts if
/// that call fails. Runtime: PUSH1 0 ×5 (ret size/offset, args size/offset, value), PUSH1 0,
/// CALLDATALOAD, GAS, CALL, ISZERO, PUSH1 20, JUMPI, STOP, JUMPDEST, PUSH1 0, PUSH1 0, REVERT.
fn caller_contract() -> Vec<u8> {
    let runtime = [
        0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x35, 0x5a, 0xf1, 0x15, 0x60, 0x14,
        0x57, 0x00, 0x5b, 0x60, 0x00, 0x60, 0x00, 0xfd,
    ];
    // PUSH1 len, DUP1, PUSH1 12 (runtime offset), PUSH1 0, CODECOPY, PUSH1 0, RETURN.
    let mut init = vec![0x60, runtime.len() as u8, 0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3, 0x00];
    init.extend_from_slice(&runtime);
    init
}

/// An EIP-1559 call from key `i` to `to` with `input`.
fn call(e: &Env, i: usize, nonce: u64, to: Address, input: Vec<u8>) -> ChainTx {
    let tx = TxEip1559 {
        chain_id: 5,
        nonce,
        gas_limit: 200_000,
        max_fee_per_gas: e.genesis.params.base_fee_per_gas as u128,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(to.0.into()),
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    };
    sign(tx, &e.keys[i])
}

/// An EIP-1559 contract creation (init code `STOP`) from key `i`.
fn create(e: &Env, i: usize, nonce: u64) -> ChainTx {
    create_with(e, i, nonce, vec![0x00])
}

/// An EIP-1559 contract creation with `init` code from key `i`.
fn create_with(e: &Env, i: usize, nonce: u64, init: Vec<u8>) -> ChainTx {
    let tx = TxEip1559 {
        chain_id: 5,
        nonce,
        gas_limit: 100_000,
        max_fee_per_gas: e.genesis.params.base_fee_per_gas as u128,
        max_priority_fee_per_gas: 0,
        to: TxKind::Create,
        value: U256::ZERO,
        access_list: Default::default(),
        input: init.into(),
    };
    sign(tx, &e.keys[i])
}

fn sign<T: SignableTransaction<Signature>>(tx: T, key: &hechain_crypto::AccountKey) -> ChainTx
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    ChainTx::Ethereum(EthTransaction::sign(tx, key).unwrap())
}

#[test]
fn a_revoked_deployer_can_no_longer_deploy() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    let perms = Permissions { deploy: Access::Roles { roles: vec![Role::Deployer] }, ..Permissions::default() };
    pass(&e, &mut n, Action::SetPermissions { permissions: perms });
    let rs = commit(&e, vec![create(&e, 3, 0)]);
    assert_eq!(
        reason(&rs[0]),
        format!(
            "not permitted: {} may not deploy contracts (requires one of the roles [deployer] or committee membership)",
            addr(&e, 3)
        )
    );
    pass(&e, &mut n, Action::GrantRole { account: addr(&e, 3), role: Role::Deployer });
    let rs = commit(&e, vec![create(&e, 3, 0)]);
    ok(&rs[0]);
    assert!(rs[0].evm.as_ref().unwrap().contract_address.is_some());
    pass(&e, &mut n, Action::RevokeRole { account: addr(&e, 3), role: Role::Deployer });
    let rs = commit(&e, vec![create(&e, 3, 1)]);
    assert!(reason(&rs[0]).contains("may not deploy contracts"));
}

/// What the tally should say after `votes` (member index, approve), in order: the status word
/// and the yes weight counted, from first principles.
fn model(weights: &[u32], votes: &[(usize, bool)]) -> (&'static str, u64) {
    let total: u64 = weights.iter().map(|w| *w as u64).sum();
    let passes = |yes: u64| yes * 10_000 >= 6_666 * total;
    let mut yes = weights[0] as u64; // the proposer
    let mut no = 0u64;
    let mut voted = vec![false; weights.len()];
    voted[0] = true;
    if passes(yes) {
        return ("applied", yes);
    }
    for &(m, approve) in votes {
        if voted[m] {
            continue;
        }
        voted[m] = true;
        if approve {
            yes += weights[m] as u64;
        } else {
            no += weights[m] as u64;
        }
        if passes(yes) {
            return ("applied", yes);
        }
        if !passes(total - no) {
            return ("rejected", yes);
        }
    }
    ("open", yes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random committees and vote sequences (repeated votes included): the module's decision and
    /// yes weight equal the reference model's; the change is in force exactly when applied.
    #[test]
    fn tally_matches_the_model(
        weights in prop::collection::vec(1u32..5, 1..=3),
        votes in prop::collection::vec((0usize..3, any::<bool>()), 0..6),
    ) {
        let e = gov_env(&weights);
        let votes: Vec<(usize, bool)> = votes.into_iter().map(|(m, a)| (m % weights.len(), a)).collect();
        let mut n = Nonces([0; 4]);
        let mut txs = vec![propose(&e, &mut n, 0, Action::GrantRole { account: addr(&e, 3), role: Role::User })];
        txs.extend(votes.iter().map(|&(m, a)| vote(&e, &mut n, m, 1, a)));
        // One block per transaction, so every vote sees the previous ones applied.
        for t in txs {
            commit(&e, vec![t]);
        }
        let (want, yes) = model(&weights, &votes);
        let p = proposal(&e, 1);
        prop_assert_eq!(governance::status_word(&p.status), want);
        prop_assert_eq!(p.yes_weight, yes);
        let granted = governance::roles(&e.store.reader().unwrap(), &addr(&e, 3)).unwrap().has(Role::User);
        prop_assert_eq!(granted, want == "applied");
    }
}

#[test]
fn only_the_committee_a_proposal_was_made_to_votes_on_it() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    // Proposal 1 is made to members 0, 1, 2; then member 3 joins with weight 5.
    ok(&commit(&e, vec![propose(&e, &mut n, 0, Action::GrantRole { account: addr(&e, 3), role: Role::User })])[0]);
    pass(&e, &mut n, Action::SetCommitteeMember { account: addr(&e, 3), weight: 5, org: "org3".into() });
    let rs = commit(&e, vec![vote(&e, &mut n, 3, 1, true)]);
    assert!(reason(&rs[0]).contains("joined the committee after proposal 1 was made"), "{}", reason(&rs[0]));
    let p = proposal(&e, 1);
    assert_eq!((p.electorate.len(), p.total_weight, p.yes_weight), (3, 3, 1));
    // Member 1 still decides it with its weight of then.
    let rs = commit(&e, vec![vote(&e, &mut n, 1, 1, true)]);
    assert_eq!(rs[0].events.last(), Some(&Event::Governance(GovernanceEvent::Approved { proposal: 1 })));
}

#[test]
fn no_parameter_change_can_lock_the_committee_out() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    // A transaction limit too small for governance transactions is refused.
    let tiny = ChainParams { max_tx_bytes: 128, ..e.genesis.params.clone() };
    let rs = commit(&e, vec![propose(&e, &mut n, 0, Action::SetParams { params: tiny })]);
    assert!(reason(&rs[0]).contains("max_tx_bytes >= 8192"), "{}", reason(&rs[0]));
    // A prohibitive minimum fee does not stop governance: its transactions are exempt.
    pass(&e, &mut n, Action::SetParams { params: ChainParams { min_fee: u64::MAX, ..e.genesis.params.clone() } });
    let rs = commit(&e, vec![transfer(&e, &mut n, 2, 1)]);
    assert!(reason(&rs[0]).contains("is below the minimum"));
    n.0[2] -= 1;
    pass(&e, &mut n, Action::SetParams { params: e.genesis.params.clone() });
    ok(&commit(&e, vec![transfer(&e, &mut n, 2, 1)])[0]);
}

#[test]
fn one_member_cannot_fill_every_open_slot() {
    let e = gov_env(&[1, 1, 1]);
    let mut n = Nonces([0; 4]);
    // 256 open at once, shared by 3 members: 85 each.
    let share = hechain_types::governance::MAX_OPEN_PROPOSALS / 3;
    let txs: Vec<ChainTx> = (0..=share)
        .map(|i| propose(&e, &mut n, 0, Action::GrantRole { account: Address([i as u8 + 1; 20]), role: Role::User }))
        .collect();
    let rs = commit(&e, txs);
    assert!(rs[..share].iter().all(|r| r.status == TxStatus::Success));
    assert!(reason(&rs[share]).contains("already has 85 open proposals"), "{}", reason(&rs[share]));
    // Another member still can propose.
    ok(&commit(&e, vec![propose(&e, &mut n, 1, Action::GrantRole { account: addr(&e, 3), role: Role::User })])[0]);
}

// ------------------------------------------------------------------ membership

/// A CA certificate as `add_org` checks it (one PEM block; the content is not parsed here).
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

fn org(name: &str) -> OrgInfo {
    OrgInfo { name: name.into(), ca_cert_pem: CA_PEM.into() }
}

/// The public key of node `seed` on the standard suite.
fn node_key(seed: u8) -> Vec<u8> {
    hechain_crypto::NodeKey::from_bytes(Suite::Standard, &[seed; 32]).unwrap().public_key().as_bytes().to_vec()
}

fn node(name: &str, seed: u8, org: &str) -> ValidatorInfo {
    ValidatorInfo { name: name.into(), public_key: node_key(seed), org: org.into() }
}

/// [`gov_env`] on a consortium: organisation `org0` runs the single validator `v0`.
fn member_env() -> Env {
    common::with_genesis(gov_env(&[1, 1, 1]), |g| {
        g.orgs = vec![org("org0")];
        g.validators[0].org = "org0".into();
    })
}

fn membership(e: &Env) -> Membership {
    governance::membership(&e.store.reader().unwrap()).unwrap()
}

fn names(nodes: &[ValidatorInfo]) -> Vec<&str> {
    nodes.iter().map(|n| n.name.as_str()).collect()
}

fn head(e: &Env) -> u64 {
    e.store.reader().unwrap().head_height().unwrap()
}

#[test]
fn adding_a_validator_ends_the_epoch() {
    let e = member_env();
    let mut n = Nonces([0; 4]);
    let m0 = membership(&e);
    assert_eq!((m0.epoch, m0.start_height, names(&m0.validators)), (0, 1, vec!["v0"]));
    // A new organisation keeps the epoch: the validators are unchanged.
    pass(&e, &mut n, Action::AddOrg { org: org("org1") });
    let m = membership(&e);
    assert_eq!((m.epoch, m.start_height, m.orgs.len()), (0, 1, 2));
    assert!(governance::epoch_membership(&e.store.reader().unwrap(), 1).unwrap().is_none());
    commit(&e, vec![]);

    // A node of the new organisation joins the validators at the end of block 3.
    pass(&e, &mut n, Action::AddValidator { node: node("org1-v1", 21, "org1") });
    let boundary = head(&e);
    assert_eq!(boundary, 3);
    let m1 = membership(&e);
    assert_eq!((m1.epoch, m1.start_height), (1, boundary + 1));
    assert_eq!(names(&m1.validators), vec!["v0", "org1-v1"], "the new validator is last in index order");
    assert_eq!(m1.orgs, vec![org("org0"), org("org1")]);
    let r = e.store.reader().unwrap();
    assert_eq!(governance::epoch_membership(&r, 1).unwrap(), Some(m1.clone()), "gov/epoch/1 is stored");
    assert_eq!(governance::epoch_membership(&r, 0).unwrap().unwrap().validators, m0.validators);
    // The boundary block was sealed by the old set, the next one by the new set.
    for h in 1..=boundary {
        let at = governance::membership_at(&r, h).unwrap();
        assert_eq!((at.epoch, names(&at.validators)), (0, vec!["v0"]), "height {h}");
    }
    for h in [boundary + 1, boundary + 100] {
        assert_eq!(governance::membership_at(&r, h).unwrap(), m1, "height {h}");
    }
    assert_eq!(m1.epoch_of_block(boundary), 0);
    assert_eq!(m1.epoch_of_block(boundary + 1), 1);
    drop(r);
    // Later blocks of the epoch keep it.
    commit(&e, vec![]);
    let r = e.store.reader().unwrap();
    assert_eq!(governance::membership(&r).unwrap(), m1);
    assert_eq!(governance::membership_at(&r, boundary).unwrap().epoch, 0);
}

#[test]
fn membership_changes_that_do_not_fit_are_refused_with_the_reason() {
    let e = member_env();
    let mut n = Nonces([0; 4]);
    pass(&e, &mut n, Action::AddObserver { node: node("obs0", 30, "org0") });
    let gm_key = hechain_crypto::NodeKey::from_bytes(Suite::Gm, &[5; 32]).unwrap().public_key().as_bytes().to_vec();
    let mut bad_pem = org("org2");
    bad_pem.ca_cert_pem = format!("{CA_PEM}{CA_PEM}");
    let refusals: Vec<(Action, String)> = vec![
        (
            Action::AddValidator { node: node("v9", 29, "nope") },
            "node v9 names \"nope\", which is not a member organisation".into(),
        ),
        (Action::AddValidator { node: node("v0", 29, "org0") }, "a node called v0 is already a member".into()),
        (Action::AddObserver { node: node("obs0", 29, "org0") }, "a node called obs0 is already a member".into()),
        (Action::AddValidator { node: node("v9", 7, "org0") }, "node v0 already has this public key".into()),
        (Action::AddValidator { node: node("v9", 30, "org0") }, "node obs0 already has this public key".into()),
        (
            Action::AddValidator { node: ValidatorInfo { name: "v9".into(), public_key: gm_key, org: "org0".into() } },
            "node v9: not a standard node public key".into(),
        ),
        (
            Action::AddObserver {
                node: ValidatorInfo { name: "o9".into(), public_key: vec![1, 2, 3], org: "org0".into() },
            },
            "node o9: not a standard node public key".into(),
        ),
        (Action::RemoveValidator { name: "v0".into() }, "the last validator cannot be removed".into()),
        (Action::RemoveValidator { name: "obs0".into() }, "obs0 is not a validator".into()),
        (Action::RemoveValidator { name: "ghost".into() }, "ghost is not a validator".into()),
        (Action::RemoveObserver { name: "v0".into() }, "v0 is not an observer".into()),
        (Action::RemoveOrg { name: "org0".into() }, "the last organisation cannot be removed".into()),
        (Action::RemoveOrg { name: "ghost".into() }, "organisation ghost is not a member".into()),
        (Action::AddOrg { org: org("org0") }, "organisation org0 is already a member".into()),
        (Action::AddOrg { org: bad_pem }, "ca_cert_pem must hold exactly one PEM certificate".into()),
        (Action::AddOrg { org: org("") }, "organisation name is empty".into()),
        (Action::AddValidator { node: node("", 29, "org0") }, "node name is empty".into()),
    ];
    let before = membership(&e);
    let txs: Vec<ChainTx> = refusals.iter().map(|(a, _)| propose(&e, &mut n, 0, a.clone())).collect();
    let rs = commit(&e, txs);
    for ((action, want), r) in refusals.iter().zip(&rs) {
        assert!(reason(r).starts_with(want.as_str()), "{}: {:?} instead of {want:?}", action.kind(), reason(r));
    }
    // An organisation that still runs nodes cannot leave (checked with a second organisation,
    // so that it is not the last one).
    pass(&e, &mut n, Action::AddOrg { org: org("org1") });
    let rs = commit(&e, vec![propose(&e, &mut n, 0, Action::RemoveOrg { name: "org0".into() })]);
    assert_eq!(reason(&rs[0]), "organisation org0 still runs node v0; remove its nodes first");
    pass(&e, &mut n, Action::AddObserver { node: node("obs1", 31, "org1") });
    let rs = commit(&e, vec![propose(&e, &mut n, 0, Action::RemoveOrg { name: "org1".into() })]);
    assert_eq!(reason(&rs[0]), "organisation org1 still runs node obs1; remove its nodes first");
    // Nothing refused changed the membership; only the organisation and observer were added.
    let after = membership(&e);
    assert_eq!((after.epoch, &after.validators), (0, &before.validators));
    assert_eq!(names(&after.observers), vec!["obs0", "obs1"]);
    assert!(governance::open_proposals(&e.store.reader().unwrap()).unwrap().ids.is_empty());
}

#[test]
fn a_change_that_no_longer_fits_when_it_applies_fails_on_record() {
    let e = member_env();
    let mut n = Nonces([0; 4]);
    // Two proposals add the same name; both fit when made, only the first when they apply.
    let rs = commit(
        &e,
        vec![
            propose(&e, &mut n, 0, Action::AddValidator { node: node("v1", 21, "org0") }),
            propose(&e, &mut n, 0, Action::AddValidator { node: node("v1", 22, "org0") }),
        ],
    );
    ok(&rs[0]);
    ok(&rs[1]);
    let rs = commit(&e, vec![vote(&e, &mut n, 1, 1, true), vote(&e, &mut n, 1, 2, true)]);
    ok(&rs[0]);
    ok(&rs[1]);
    assert!(matches!(proposal(&e, 1).status, ProposalStatus::Applied { .. }));
    match proposal(&e, 2).status {
        ProposalStatus::Failed { reason, .. } => assert_eq!(reason, "a node called v1 is already a member"),
        s => panic!("expected failure, got {s:?}"),
    }
    let m = membership(&e);
    assert_eq!((m.epoch, m.start_height, names(&m.validators)), (1, 3, vec!["v0", "v1"]));
    assert_eq!(m.validators[1].public_key, node_key(21));
}

#[test]
fn several_changes_in_one_block_make_one_epoch_change_and_observers_keep_the_epoch() {
    let e = member_env();
    let mut n = Nonces([0; 4]);
    pass(&e, &mut n, Action::AddValidator { node: node("v1", 21, "org0") });
    pass(&e, &mut n, Action::AddValidator { node: node("v2", 22, "org0") });
    let m = membership(&e);
    assert_eq!((m.epoch, m.start_height), (2, 3));
    // Add v3 and remove v1 in block 3: one epoch change, with both applied.
    let rs = commit(
        &e,
        vec![
            propose(&e, &mut n, 0, Action::AddValidator { node: node("v3", 23, "org0") }),
            propose(&e, &mut n, 0, Action::RemoveValidator { name: "v1".into() }),
            vote(&e, &mut n, 1, 3, true),
            vote(&e, &mut n, 1, 4, true),
        ],
    );
    rs.iter().for_each(ok);
    let m3 = membership(&e);
    assert_eq!((m3.epoch, m3.start_height, names(&m3.validators)), (3, 4, vec!["v0", "v2", "v3"]));
    let r = e.store.reader().unwrap();
    assert_eq!(governance::epoch_membership(&r, 3).unwrap(), Some(m3.clone()));
    assert!(governance::epoch_membership(&r, 4).unwrap().is_none());
    assert_eq!(names(&governance::membership_at(&r, 3).unwrap().validators), vec!["v0", "v1", "v2"]);
    drop(r);
    // Observers come and go within the epoch; the epoch's starting record stays as it was.
    pass(&e, &mut n, Action::AddObserver { node: node("obs", 30, "org0") });
    let m = membership(&e);
    assert_eq!((m.epoch, m.start_height, names(&m.observers)), (3, 4, vec!["obs"]));
    pass(&e, &mut n, Action::RemoveObserver { name: "obs".into() });
    let m = membership(&e);
    assert_eq!((m.epoch, m.start_height), (3, 4));
    assert!(m.observers.is_empty());
    let r = e.store.reader().unwrap();
    assert_eq!(governance::epoch_membership(&r, 3).unwrap(), Some(m3));
    assert_eq!(governance::membership_at(&r, head(&e)).unwrap().epoch, 3);
    drop(r);
    // A validator added and removed again in one block still ends the epoch (the set changed
    // during the block), once.
    let rs = commit(
        &e,
        vec![
            propose(&e, &mut n, 0, Action::AddValidator { node: node("v4", 24, "org0") }),
            propose(&e, &mut n, 0, Action::RemoveValidator { name: "v4".into() }),
        ],
    );
    ok(&rs[0]);
    assert_eq!(reason(&rs[1]), "v4 is not a validator", "it is not one until the end of the block");
    let id = governance::next_proposal_id(&e.store.reader().unwrap()).unwrap() - 1;
    let rs = commit(&e, vec![vote(&e, &mut n, 1, id, true)]);
    ok(&rs[0]);
    assert_eq!(membership(&e).epoch, 4);
}

/// Blocks of membership changes: for each, add a fresh validator (`true`) or remove one of those
/// in force, picked by the number.
type MemberOps = Vec<Vec<(bool, u8)>>;

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Random blocks of validator additions and removals: the epoch advances once per block
    /// whose changes applied, each epoch's record starts after its boundary block, and
    /// `membership_at` gives, for every height, the set a reference model says sealed it.
    #[test]
    fn epochs_follow_the_model(blocks in prop::collection::vec(prop::collection::vec((any::<bool>(), 0u8..8), 0..3), 1..6)) {
        let blocks: MemberOps = blocks;
        let e = member_env();
        let mut n = Nonces([0; 4]);
        // Model: the validator names in force, and for every height the set that sealed it.
        let mut set: Vec<String> = vec!["v0".into()];
        let mut sealed_by: Vec<Vec<String>> = vec![vec![]]; // index = height
        let mut epochs = 0u64;
        let mut fresh = 0u8;
        for ops in &blocks {
            let first = governance::next_proposal_id(&e.store.reader().unwrap()).unwrap();
            let mut txs = Vec::new();
            let mut next = set.clone();
            for &(add, k) in ops {
                // Only a validator of the state the proposal is made in can be proposed for
                // removal, and never the last one (then or when it applies).
                let removable: Vec<String> = set.iter().filter(|v| next.contains(*v)).cloned().collect();
                let action = if add || removable.is_empty() || set.len() == 1 || next.len() == 1 {
                    fresh += 1;
                    let name = format!("n{fresh}");
                    next.push(name.clone());
                    Action::AddValidator { node: node(&name, 100 + fresh, "org0") }
                } else {
                    let name = removable[k as usize % removable.len()].clone();
                    next.retain(|v| *v != name);
                    Action::RemoveValidator { name }
                };
                txs.push(propose(&e, &mut n, 0, action));
            }
            // Votes in a second block, so that every proposal fits the state it was made in.
            let rs = commit(&e, txs);
            prop_assert!(rs.iter().all(|r| r.status == TxStatus::Success), "{:?}", rs);
            sealed_by.push(set.clone());
            let votes = (0..ops.len() as u64).map(|i| vote(&e, &mut n, 1, first + i, true)).collect();
            let rs = commit(&e, votes);
            prop_assert!(rs.iter().all(|r| r.status == TxStatus::Success), "{:?}", rs);
            for i in 0..ops.len() as u64 {
                let p = proposal(&e, first + i);
                prop_assert!(matches!(p.status, ProposalStatus::Applied { .. }), "{:?}", p.status);
            }
            sealed_by.push(set.clone());
            if next != set {
                epochs += 1;
            }
            set = next;
        }
        let r = e.store.reader().unwrap();
        let m = governance::membership(&r).unwrap();
        prop_assert_eq!(m.epoch, epochs);
        prop_assert_eq!(names(&m.validators), set.iter().map(String::as_str).collect::<Vec<_>>());
        for ep in 1..=epochs {
            let em = governance::epoch_membership(&r, ep).unwrap().unwrap();
            prop_assert_eq!(em.epoch, ep);
            // The boundary is the block before the start, which the previous set sealed.
            let prev = governance::membership_at(&r, em.start_height - 1).unwrap();
            prop_assert_eq!(prev.epoch, ep - 1);
        }
        for (h, want) in sealed_by.iter().enumerate().skip(1) {
            let at = governance::membership_at(&r, h as u64).unwrap();
            prop_assert_eq!(names(&at.validators), want.iter().map(String::as_str).collect::<Vec<_>>(), "height {}", h);
        }
    }
}
