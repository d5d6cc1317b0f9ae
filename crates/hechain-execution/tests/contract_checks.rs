//! Contract checks at deployment (合约安全检测) under each governance mode: `warn` (the default)
//! deploys a hazardous contract and logs it, `refuse` fails its deployment with the findings as
//! the reason (fee and nonce charged, no code left behind) while a safe contract deploys, `off`
//! checks nothing. The contracts are `contracts/test/checks/*.sol`, compiled into
//! `contracts/artifacts/`.

use alloy_consensus::TxEip1559;
use alloy_primitives::{TxKind, U256};
use hechain_crypto::Suite;
use hechain_execution::{evm, governance};
use hechain_types::governance::{
    Action, CommitteeMember, ContractChecks, GenesisGovernance, GovConfig, GovernanceCall,
};
use hechain_types::*;

mod common;
use common::Env;

fn artifact(name: &str) -> Vec<u8> {
    let path = format!("{}/../../contracts/artifacts/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    hex::decode(v["bytecode"].as_str().unwrap().trim_start_matches("0x")).unwrap()
}

/// A chain whose committee is key 0 alone (its proposals pass at once), with funded keys.
fn chain() -> Env {
    common::with_genesis(common::env(Suite::Standard, 0), |g| {
        for a in &mut g.accounts {
            a.balance = 10u128.pow(24);
        }
        g.params.base_fee_per_gas = 1;
        g.governance = Some(GenesisGovernance {
            committee: vec![CommitteeMember { address: g.accounts[0].address, weight: 1, org: String::new() }],
            config: GovConfig { threshold_bps: 6_666, voting_period_ms: 3_600_000 },
            roles: vec![],
            permissions: Default::default(),
        });
    })
}

fn set_mode(e: &Env, nonce: u64, mode: ContractChecks) {
    let action = Action::SetContractChecks { mode };
    let tx =
        common::tx(e, 0, nonce, 0, Payload::Governance(GovernanceCall::Propose { action, description: String::new() }));
    let (out, _) = common::commit(e, vec![tx]);
    assert_eq!(out.receipts[0].status, TxStatus::Success, "{:?}", out.receipts[0]);
    assert_eq!(governance::contract_checks(&e.store.reader().unwrap()).unwrap(), mode);
}

/// Deploys artifact `name` from key 1.
fn deploy(e: &Env, nonce: u64, name: &str) -> Receipt {
    let tx = TxEip1559 {
        chain_id: e.genesis.chain_id,
        nonce,
        gas_limit: 3_000_000,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 0,
        to: TxKind::Create,
        value: U256::ZERO,
        access_list: Default::default(),
        input: artifact(name).into(),
    };
    let signed = EthTransaction::sign(tx, &e.keys[1]).unwrap();
    common::commit(e, vec![ChainTx::Ethereum(signed)]).0.receipts.remove(0)
}

fn code_at(e: &Env, r: &Receipt) -> Vec<u8> {
    let addr = r.evm.as_ref().and_then(|o| o.contract_address).expect("a contract address");
    evm::code_of(&e.store.reader().unwrap(), &addr).unwrap()
}

#[test]
fn warn_is_the_default_and_deploys() {
    let e = chain();
    assert_eq!(governance::contract_checks(&e.store.reader().unwrap()).unwrap(), ContractChecks::Warn);
    let r = deploy(&e, 0, "ReentrantVault");
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    assert!(!code_at(&e, &r).is_empty());
}

#[test]
fn refuse_fails_hazardous_deployments_and_lets_safe_ones_through() {
    let e = chain();
    set_mode(&e, 0, ContractChecks::Refuse);
    let sender = Address(e.keys[1].address());
    let balance = |e: &Env| hechain_execution::account_of(&e.store.reader().unwrap(), &sender).unwrap();
    let before = balance(&e);
    for (nonce, (name, hazard)) in [
        ("ReentrantVault", "reentrancy"),
        ("Destructible", "self_destruct"),
        ("OpenDelegator", "caller_chosen_delegatecall"),
        ("UncheckedPayer", "unchecked_call"),
        ("OriginOwned", "tx_origin_auth"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = deploy(&e, nonce as u64, name);
        match &r.status {
            TxStatus::Failed { reason } => {
                assert!(
                    reason.contains("refused by the contract checks") && reason.contains(hazard),
                    "{name}: {reason}"
                )
            }
            s => panic!("{name} deployed under refuse: {s:?}"),
        }
        assert!(r.fee_charged > 0, "{name}: a refused deployment still pays for its gas");
    }
    let after = balance(&e);
    assert_eq!(after.nonce, before.nonce + 5);
    assert!(after.balance < before.balance);

    let safe = deploy(&e, 5, "SafeVault");
    assert_eq!(safe.status, TxStatus::Success, "{safe:?}");
    assert!(!code_at(&e, &safe).is_empty());
}

#[test]
fn off_checks_nothing() {
    let e = chain();
    set_mode(&e, 0, ContractChecks::Off);
    let r = deploy(&e, 0, "Destructible");
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
}
