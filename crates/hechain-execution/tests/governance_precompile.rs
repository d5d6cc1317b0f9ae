//! Governance votes through the precompile at `0x…1007` (what a browser wallet signs): a
//! committee member's Ethereum transaction votes exactly as its native `gov_vote` would, and
//! the vote decides the proposal; a non-member, a second vote and a vote on a closed proposal
//! fail with the module's reason and change nothing; `proposalState` reads the proposal.

use alloy_consensus::TxEip1559;
use alloy_primitives::{TxKind, U256};
use alloy_sol_types::SolCall;
use hechain_crypto::Suite;
use hechain_execution::evm::{self, CallRequest, CallStatus};
use hechain_modules::governance::evm::{IHechainGovernance as IGov, ADDRESS};
use hechain_testkit::exec::{commit, env, simulate, tx, with_genesis, Env};
use hechain_types::*;

const GOV: Address = Address(ADDRESS);

/// Keys 0 and 1 are the committee (weight 1 each, two thirds to pass); key 2 is not.
fn chain() -> Env {
    with_genesis(env(Suite::Standard, 0), |g| {
        for a in &mut g.accounts {
            a.balance = 10u128.pow(24);
        }
        let member = |a: &GenesisAccount| CommitteeMember { address: a.address, weight: 1, org: String::new() };
        g.governance = Some(GenesisGovernance {
            committee: vec![member(&g.accounts[0]), member(&g.accounts[1])],
            config: GovConfig { threshold_bps: 6_666, voting_period_ms: 3_600_000 },
            roles: vec![],
            permissions: Permissions::default(),
        });
    })
}

/// An Ethereum transaction of key `i` calling the governance precompile.
fn eth_vote(e: &Env, i: usize, nonce: u64, proposal: u64, approve: bool) -> ChainTx {
    let tx = TxEip1559 {
        chain_id: e.genesis.chain_id,
        nonce,
        gas_limit: 200_000,
        max_fee_per_gas: e.genesis.params.base_fee_per_gas as u128,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(GOV.0.into()),
        value: U256::ZERO,
        access_list: Default::default(),
        input: IGov::voteCall { proposal, approve }.abi_encode().into(),
    };
    ChainTx::Ethereum(EthTransaction::sign::<TxEip1559>(tx, &e.keys[i]).unwrap())
}

fn state_of(e: &Env, proposal: u64) -> Result<IGov::proposalStateReturn, String> {
    let req = CallRequest {
        to: Some(GOV),
        data: IGov::proposalStateCall { proposal }.abi_encode(),
        ..CallRequest::default()
    };
    let out = simulate(&e.store, &e.genesis, &req, &evm::Budget::default());
    match out.status {
        CallStatus::Success => Ok(IGov::proposalStateCall::abi_decode_returns(&out.output).unwrap()),
        other => Err(format!("{other:?}")),
    }
}

fn failed(r: &Receipt, needle: &str) {
    match &r.status {
        TxStatus::Failed { reason } => assert!(reason.contains(needle), "{reason:?} lacks {needle:?}"),
        TxStatus::Success => panic!("succeeded; expected a failure with {needle:?}"),
    }
}

#[test]
fn a_members_ethereum_transaction_votes_like_a_native_vote() {
    let e = chain();
    let outsider = Address(e.keys[2].address());
    // Key 0 proposes to freeze the outsider (its own vote counts: 1 of 2, open).
    let propose = Payload::Governance(GovernanceCall::Propose {
        action: Action::Freeze { account: outsider, reason: "test".into() },
        description: String::new(),
    });
    let (out, _) = commit(&e, vec![tx(&e, 0, 0, 0, propose)]);
    assert_eq!(out.receipts[0].status, TxStatus::Success);
    let s = state_of(&e, 1).unwrap();
    assert_eq!((s.state.as_str(), s.yesWeight, s.totalWeight, s.thresholdBps), ("open", 1, 2, 6_666));

    // The outsider's vote through the precompile: refused with the module's reason.
    let (out, _) = commit(&e, vec![eth_vote(&e, 2, 0, 1, true)]);
    failed(&out.receipts[0], "committee");
    assert_eq!(state_of(&e, 1).unwrap().yesWeight, 1);

    // The proposer voted when it proposed: a second vote, through the precompile, is refused.
    let (out, _) = commit(&e, vec![eth_vote(&e, 0, 1, 1, false)]);
    failed(&out.receipts[0], "already voted yes on proposal 1");

    // Key 1 votes yes with an Ethereum transaction: the proposal passes and applies.
    let (out, _) = commit(&e, vec![eth_vote(&e, 1, 0, 1, true)]);
    assert_eq!(out.receipts[0].status, TxStatus::Success, "{:?}", out.receipts[0]);
    let events = &out.receipts[0].events;
    assert!(events.contains(&Event::Governance(GovernanceEvent::Voted {
        proposal: 1,
        voter: Address(e.keys[1].address()),
        approve: true,
        weight: 1
    })));
    assert!(events.contains(&Event::Governance(GovernanceEvent::Approved { proposal: 1 })));
    let s = state_of(&e, 1).unwrap();
    assert_eq!((s.state.as_str(), s.yesWeight), ("applied", 2));
    let r = e.store.reader().unwrap();
    assert!(hechain_modules::governance::exec::frozen(&r, &outsider).unwrap().is_some(), "the freeze applied");

    // A vote on a closed proposal: refused.
    let (out, _) = commit(&e, vec![eth_vote(&e, 1, 1, 1, false)]);
    failed(&out.receipts[0], "proposal 1 is closed (applied)");
    assert!(matches!(state_of(&e, 9), Err(reason) if reason.contains("no proposal has id 9")));
}

/// The precompile's ABI is the one `crates/modules/governance/contracts/IHechainGovernance.sol` publishes.
#[test]
fn the_solidity_interface_matches_the_precompile() {
    let sol = std::fs::read_to_string(format!(
        "{}/../modules/governance/contracts/IHechainGovernance.sol",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(sol.contains("address constant HECHAIN_GOVERNANCE_ADDRESS = 0x0000000000000000000000000000000000001007;"));
    assert!(sol.contains("function vote(uint64 proposal, bool approve) external returns (bool);"));
    assert!(sol.contains("function proposalState(uint64 proposal) external view returns (string memory state, uint64 yesWeight, uint64 noWeight, uint64 totalWeight, uint32 thresholdBps, uint64 deadlineMs);"));
    assert_eq!(IGov::voteCall::SIGNATURE, "vote(uint64,bool)");
    assert_eq!(IGov::proposalStateCall::SIGNATURE, "proposalState(uint64)");
}
