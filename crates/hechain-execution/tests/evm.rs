//! Ethereum transactions on the EVM over a real store: contract creation and calls, logs,
//! reverts with reasons and custom errors, out-of-gas, gas accounting, shared nonces with native
//! transactions, the deploy allow-list, and the evidence precompile. The contracts are the
//! Solidity sources in `contracts/`, compiled by `contracts/build.mjs` (solc) into
//! `contracts/artifacts/`.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_primitives::{Signature, TxKind, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use hechain_crypto::{AccountKey, AccountScheme, NodeKey, Suite};
use hechain_execution::evm::{self, CallRequest, CallStatus};
use hechain_execution::precompile::{
    COPYRIGHT_ADDRESS, ECERT_ADDRESS, EVIDENCE_ADDRESS, TRACE_ADDRESS, VOUCHER_ADDRESS,
};
use hechain_execution::{account_of, copyright, ecert, evidence, trace, voucher};
use hechain_modules::voucher::evm::IHechainVoucher as IVoucher;
use hechain_storage::Store;
use hechain_types::*;
use hechain_types::{
    CopyrightEvent, EcertEvent, EvidenceEvent, TraceModuleEvent, TransferCall, TransferEvent, VoucherEvent,
};

mod common;

sol! {
    interface IToken {
        function transfer(address to, uint256 value) external returns (bool);
        function balanceOf(address who) external view returns (uint256);
    }
    interface INotary {
        function notarize(bytes32 contentHash, string title) external returns (uint64);
        function notarizeAndRevert(bytes32 contentHash, string title) external returns (uint64);
        function isNotarized(bytes32 contentHash) external view returns (bool);
    }
    interface IAgency {
        function register(bytes32 contentHash, string title) external returns (uint64 id);
        function registerLicenseAndSell(bytes32 contentHash, address licensee, address buyer, uint64 untilMs) external returns (uint64 id, uint32 index);
        function registerAndRevert(bytes32 contentHash) external;
        function registerOneOfTwo(bytes32 undone, bytes32 kept) external returns (uint64 id);
        function license(uint64 id, address licensee, bool exclusive, uint64 startMs, uint64 endMs, string territory) external returns (uint32);
        function mayUse(uint64 id, address licensee, string territory) external view returns (bool);
    }
    interface ICopyright {
        function register(bytes32 contentHash, string title, string workType, string author) external returns (uint64 id);
        function ownerOf(uint64 id) external view returns (address);
        function workOf(bytes32 contentHash) external view returns (uint64 id, address owner, address registrant, uint64 registeredAtMs);
    }
    interface ICore {
        function pay(address supplier, uint128 amount, uint64 maturityMs, bytes32 invoice) external returns (uint64 id, uint64 part);
        function payAndRevert(address supplier, uint128 amount, uint64 maturityMs, bytes32 invoice) external;
        function settle(uint64 id) external returns (uint128 paid);
        function settleAndRevert(uint64 id) external;
        function outstanding(uint64 partId) external view returns (uint128);
    }
    interface ICertAgency {
        function issue(address holder, bytes32 nameHash, uint64 untilMs) external returns (uint64 id);
        function revoke(uint64 id) external returns (uint64);
        function issueAndRevert(address holder, bytes32 nameHash, uint64 untilMs) external;
        function issueOneOfTwo(address holder, bytes32 nameHash, uint64 untilMs) external returns (uint64 id);
        function valid(uint64 id, uint64 atMs) external view returns (bool);
        function authorized(uint64 grantId, address grantee, uint64 atMs) external view returns (bool);
        function fieldHash(uint64 id, string name) external view returns (bytes32);
    }
    interface ICerts {
        function grant(bool dataset, uint64 subjectId, address grantee, string org, string purpose, uint64 expiresMs) external returns (uint64 grantId);
        function access(uint64 grantId, string purpose, bytes32 requestHash) external returns (uint64 seq);
        function revoke(uint64 id, string reason) external returns (uint64 revokedId);
        function auditLength(bool dataset, uint64 id) external view returns (uint64);
        function certificateOf(uint64 id) external view returns (address issuer, address holder, string certType, uint64 notBeforeMs, uint64 notAfterMs, bool revoked);
    }
    interface ICarrier {
        function receiveCheckAndForward(string code, address next, uint64 timeMs) external returns (uint32 events);
        function acceptAndRevert(string code) external;
        function produce(string code) external returns (uint64 batchId);
        function canWrite(string code, address account) external view returns (bool);
    }
    interface ITrace {
        function registerBatch(string product, string producerLabel, bytes32 attributes, string metadata, string[] codes) external returns (uint64 batchId);
        function handover(string[] codes, address to) external returns (uint32 count);
        function recall(uint64 batchId, string reason) external returns (bool);
        function itemOf(string code) external view returns (uint64 itemId, uint64 batchId, address custodian, address pendingTo, uint32 events, bool recalled);
    }
    interface IEvidence {
        function get(bytes32 contentHash) external view returns (uint64 id, address submitter, uint64 height, uint64 timestampMs, string title, string kind, string owner, string externalRef);
    }
}

const CHAIN: u64 = 77;
const GWEI: u128 = 1_000_000_000;
const TIP: u128 = 2 * GWEI;
const FUNDS: u128 = 1_000_000 * GWEI * GWEI;

fn artifact(name: &str) -> Vec<u8> {
    let path = format!("{}/../../contracts/artifacts/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    hex::decode(v["bytecode"].as_str().unwrap().trim_start_matches("0x")).unwrap()
}

struct Env {
    _dir: tempfile::TempDir,
    store: Store,
    genesis: Genesis,
    node: NodeKey,
    keys: Vec<AccountKey>,
    tip_to: Address,
}

fn env(deploy: DeployPolicy) -> Env {
    let node = NodeKey::from_bytes(Suite::Standard, &[7; 32]).unwrap();
    let keys: Vec<AccountKey> =
        (1..=3u8).map(|i| AccountKey::from_bytes(AccountScheme::Secp256k1, &[i; 32]).unwrap()).collect();
    let tip_to = Address([0xfe; 20]);
    let genesis = Genesis {
        chain_id: CHAIN,
        suite: SuiteTag(Suite::Standard),
        timestamp_ms: 1_000_000,
        validators: vec![common::validator(&node)],
        accounts: keys.iter().map(|k| GenesisAccount { address: Address(k.address()), balance: FUNDS }).collect(),
        params: ChainParams { fee_recipient: tip_to, deploy, ..ChainParams::default() },
        orgs: vec![],
        observers: vec![],
        governance: None,
    };
    let (dir, store) = common::open_store(&genesis);
    Env { _dir: dir, store, genesis, node, keys, tip_to }
}

fn sign<T: SignableTransaction<Signature>>(tx: T, key: &AccountKey) -> ChainTx
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    ChainTx::Ethereum(EthTransaction::sign(tx, key).unwrap())
}

/// An EIP-1559 transaction from key `i`.
fn eth(e: &Env, i: usize, nonce: u64, to: Option<Address>, input: Vec<u8>, gas: u64) -> ChainTx {
    eth_value(e, i, nonce, to, input, gas, 0)
}

/// An EIP-1559 transaction from key `i` that sends `value` wei.
fn eth_value(e: &Env, i: usize, nonce: u64, to: Option<Address>, input: Vec<u8>, gas: u64, value: u128) -> ChainTx {
    let tx = TxEip1559 {
        chain_id: CHAIN,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: e.genesis.params.base_fee_per_gas as u128 + TIP,
        max_priority_fee_per_gas: TIP,
        to: to.map_or(TxKind::Create, |a| TxKind::Call(a.0.into())),
        value: U256::from(value),
        access_list: Default::default(),
        input: input.into(),
    };
    sign(tx, &e.keys[i])
}

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

fn account(e: &Env, a: &Address) -> Account {
    account_of(&e.store.reader().unwrap(), a).unwrap()
}

fn commit(e: &Env, txs: Vec<ChainTx>) -> Vec<Receipt> {
    common::commit_block(&e.store, &e.genesis, &e.node, txs).0.receipts
}

fn view(e: &Env, to: Address, data: Vec<u8>) -> evm::CallOutcome {
    let req = CallRequest { to: Some(to), data, ..CallRequest::default() };
    simulate(e, &req, &evm::Budget::default())
}

fn simulate(e: &Env, req: &CallRequest, budget: &evm::Budget) -> evm::CallOutcome {
    common::simulate(&e.store, &e.genesis, req, budget)
}

/// An endless loop (`JUMPDEST PUSH1 0 JUMP`) with practically unlimited gas is stopped by the
/// call's time budget, and by its cancel flag, instead of holding its thread for ever.
#[test]
fn endless_simulation_stops_at_its_budget() {
    let e = env(DeployPolicy::Open);
    let req =
        CallRequest { to: None, data: vec![0x5b, 0x60, 0x00, 0x56], gas: Some(u64::MAX / 2), ..Default::default() };
    let started = std::time::Instant::now();
    let out = simulate(&e, &req, &evm::Budget::lasting(std::time::Duration::from_millis(200)));
    assert!(matches!(&out.status, CallStatus::Stopped(m) if m.contains("timed out")), "{:?}", out.status);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    let cancelled = evm::Budget::default();
    cancelled.cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
    let out = simulate(&e, &req, &cancelled);
    assert!(matches!(&out.status, CallStatus::Stopped(m) if m.contains("cancelled")), "{:?}", out.status);
}

fn token_balance(e: &Env, token: Address, who: Address) -> U256 {
    let out = view(e, token, IToken::balanceOfCall { who: who.0.into() }.abi_encode());
    assert_eq!(out.status, CallStatus::Success);
    U256::abi_decode(&out.output).unwrap()
}

fn deploy_token(e: &Env, nonce: u64) -> (Address, Receipt) {
    let mut code = artifact("HechainToken");
    code.extend_from_slice(&("Test".to_string(), "TST".to_string(), U256::from(1_000_000u64)).abi_encode_params());
    let r = commit(e, vec![eth(e, 0, nonce, None, code, 2_000_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let created = r.evm.as_ref().unwrap().contract_address.unwrap();
    (created, r)
}

#[test]
fn erc20_deploy_transfer_logs_and_gas_accounting() {
    let e = env(DeployPolicy::Open);
    let alice = addr(&e, 0);
    let bob = addr(&e, 1);
    let before = account(&e, &alice);
    let (token, deploy) = deploy_token(&e, 0);
    // The CREATE address rule: keccak(rlp(sender, nonce)).
    assert_eq!(token.0, alloy_primitives::Address::from(alice.0).create(0).0 .0);
    let code = evm::code_of(&e.store.reader().unwrap(), &token).unwrap();
    assert!(code.len() > 100, "runtime code stored");
    assert_eq!(token_balance(&e, token, alice), U256::from(1_000_000u64));

    let call = IToken::transferCall { to: bob.0.into(), value: U256::from(250u64) }.abi_encode();
    let r = commit(&e, vec![eth(&e, 0, 1, Some(token), call, 100_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let out = r.evm.as_ref().unwrap();
    assert_eq!(out.logs.len(), 1);
    let log = &out.logs[0];
    assert_eq!(log.address, token);
    assert_eq!(log.topics.len(), 3, "Transfer(address indexed, address indexed, uint256)");
    assert_eq!(&log.topics[2].0[12..], &bob.0);
    assert_eq!(U256::from_be_slice(&log.data), U256::from(250u64));
    assert_eq!(token_balance(&e, token, bob), U256::from(250u64));

    // Gas accounting: the sender paid gas_used × (base fee + tip) for both transactions; the
    // fee recipient got the tips; the nonce advanced once per transaction.
    let price = e.genesis.params.base_fee_per_gas as u128 + TIP;
    let gas = (deploy.evm.as_ref().unwrap().gas_used + out.gas_used) as u128;
    assert_eq!(out.effective_gas_price, price);
    let after = account(&e, &alice);
    assert_eq!(before.balance - after.balance, gas * price);
    assert_eq!(after.nonce, 2);
    assert_eq!(account(&e, &e.tip_to).balance, gas * TIP);
    assert_eq!(r.fee_charged as u128, out.gas_used as u128 * price);
}

#[test]
fn reverts_keep_reasons_and_charge_gas() {
    let e = env(DeployPolicy::Open);
    let (token, _) = deploy_token(&e, 0);
    let bob = addr(&e, 1);
    // Revert string.
    let to_zero = IToken::transferCall { to: alloy_primitives::Address::ZERO, value: U256::from(1u64) }.abi_encode();
    // Custom error InsufficientBalance(uint256,uint256): bob has no tokens.
    let too_much = IToken::transferCall { to: bob.0.into(), value: U256::from(5u64) }.abi_encode();
    // Out of gas: far too little for an SSTORE.
    let oog = IToken::transferCall { to: bob.0.into(), value: U256::from(1u64) }.abi_encode();
    let bob_before = account(&e, &bob);
    let rs = commit(
        &e,
        vec![
            eth(&e, 0, 1, Some(token), to_zero, 100_000),
            eth(&e, 1, 0, Some(token), too_much, 100_000),
            eth(&e, 0, 2, Some(token), oog, 23_000),
        ],
    );
    match &rs[0].status {
        TxStatus::Failed { reason } => assert_eq!(reason, "execution reverted: ERC20: transfer to the zero address"),
        s => panic!("{s:?}"),
    }
    match &rs[1].status {
        TxStatus::Failed { reason } => assert_eq!(reason, "execution reverted"),
        s => panic!("{s:?}"),
    }
    let custom = &rs[1].evm.as_ref().unwrap().output;
    let selector = &alloy_primitives::keccak256("InsufficientBalance(uint256,uint256)")[..4];
    assert_eq!(&custom[..4], selector, "custom error data is kept");
    assert_eq!(rs[2].status, TxStatus::Failed { reason: "out of gas".into() });
    assert_eq!(rs[2].evm.as_ref().unwrap().gas_used, 23_000, "out of gas uses the whole limit");
    // Failed transactions still consume the nonce and pay for gas.
    let bob_after = account(&e, &bob);
    assert_eq!(bob_after.nonce, 1);
    assert!(bob_after.balance < bob_before.balance);
    assert!(rs.iter().all(|r| r.evm.as_ref().unwrap().logs.is_empty()));
    assert_eq!(account(&e, &addr(&e, 0)).nonce, 3);
}

#[test]
fn invalid_transactions_change_nothing_and_nonces_are_shared_with_native() {
    let e = env(DeployPolicy::Open);
    let alice = addr(&e, 0);
    let bob = addr(&e, 1);
    let native = Transaction {
        chain_id: CHAIN,
        nonce: 0,
        sender: alice,
        fee: 0,
        payload: Payload::Transfer(TransferCall::Transfer { to: bob, amount: 5 }),
    }
    .sign(&e.keys[0])
    .unwrap();
    // native nonce 0, Ethereum nonce 1: one account, one nonce sequence.
    let legacy = TxLegacy {
        chain_id: Some(CHAIN),
        nonce: 1,
        gas_price: e.genesis.params.base_fee_per_gas as u128,
        gas_limit: 21_000,
        to: TxKind::Call(bob.0.into()),
        value: U256::from(7u64),
        input: Default::default(),
    };
    let stale = eth(&e, 0, 0, Some(bob), vec![], 21_000); // nonce 0 is used by then
    let rs = commit(&e, vec![native.into(), sign(legacy, &e.keys[0]), stale]);
    assert_eq!(rs[0].status, TxStatus::Success);
    assert_eq!(rs[1].status, TxStatus::Success, "{:?}", rs[1]);
    assert_eq!(rs[1].evm.as_ref().unwrap().gas_used, 21_000);
    match &rs[2].status {
        TxStatus::Failed { reason } => assert!(reason.contains("nonce"), "{reason}"),
        s => panic!("{s:?}"),
    }
    assert_eq!(rs[2].fee_charged, 0);
    let a = account(&e, &alice);
    assert_eq!(a.nonce, 2, "the invalid transaction did not consume a nonce");
    assert_eq!(account(&e, &bob).balance, FUNDS + 5 + 7);
}

#[test]
fn deploy_allow_list_is_enforced() {
    let allowed = DeployPolicy::AllowList {
        deployers: vec![Address(AccountKey::from_bytes(AccountScheme::Secp256k1, &[1; 32]).unwrap().address())],
    };
    let e = env(allowed);
    let mut code = artifact("HechainToken");
    code.extend_from_slice(&("A".to_string(), "A".to_string(), U256::from(1u64)).abi_encode_params());
    let rs = commit(&e, vec![eth(&e, 0, 0, None, code.clone(), 2_000_000), eth(&e, 1, 0, None, code, 2_000_000)]);
    assert_eq!(rs[0].status, TxStatus::Success);
    match &rs[1].status {
        TxStatus::Failed { reason } => assert!(reason.contains("not permitted"), "{reason}"),
        s => panic!("{s:?}"),
    }
    assert_eq!(account(&e, &addr(&e, 1)).nonce, 0);
}

#[test]
fn contracts_store_evidence_through_the_precompile() {
    let e = env(DeployPolicy::Open);
    let r = commit(&e, vec![eth(&e, 0, 0, None, artifact("EvidenceNotary"), 2_000_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let notary = r.evm.unwrap().contract_address.unwrap();
    let h1 = alloy_primitives::B256::repeat_byte(0x11);
    let h2 = alloy_primitives::B256::repeat_byte(0x22);
    let rs = commit(
        &e,
        vec![
            eth(
                &e,
                0,
                1,
                Some(notary),
                INotary::notarizeCall { contentHash: h1, title: "contract A".into() }.abi_encode(),
                500_000,
            ),
            eth(
                &e,
                0,
                2,
                Some(notary),
                INotary::notarizeAndRevertCall { contentHash: h2, title: "x".into() }.abi_encode(),
                500_000,
            ),
            eth(
                &e,
                0,
                3,
                Some(notary),
                INotary::notarizeCall { contentHash: h1, title: "again".into() }.abi_encode(),
                500_000,
            ),
        ],
    );
    assert_eq!(rs[0].status, TxStatus::Success, "{:?}", rs[0]);
    let logs = &rs[0].evm.as_ref().unwrap().logs;
    assert!(logs.iter().any(|l| l.address == EVIDENCE_ADDRESS), "precompile log");
    assert!(logs.iter().any(|l| l.address == notary), "contract's own event");
    assert!(matches!(
        &rs[0].events[..],
        [Event::Evidence(EvidenceEvent::Stored { id: 1, submitter, .. })] if *submitter == notary
    ));
    assert_eq!(rs[1].status, TxStatus::Failed { reason: "execution reverted: rolled back".into() });
    match &rs[2].status {
        TxStatus::Failed { reason } => assert!(reason.contains("already exists"), "{reason}"),
        s => panic!("{s:?}"),
    }
    // Native state: the record exists with the contract as submitter; the reverted one does not.
    let reader = e.store.reader().unwrap();
    let rec = evidence::existing(&reader, &H256(h1.0)).unwrap().expect("record");
    assert_eq!((rec.id, rec.submitter, rec.meta.title.as_deref()), (1, notary, Some("contract A")));
    assert_eq!(rec.tx_hash, rs[0].tx_hash);
    assert!(evidence::existing(&reader, &H256(h2.0)).unwrap().is_none());
    drop(reader);
    // Reads from Solidity.
    let out = view(&e, notary, INotary::isNotarizedCall { contentHash: h1 }.abi_encode());
    assert!(bool::abi_decode(&out.output).unwrap());
    let out = view(&e, EVIDENCE_ADDRESS, IEvidence::getCall { contentHash: h1 }.abi_encode());
    assert_eq!(out.status, CallStatus::Success);
    let got = IEvidence::getCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!(
        (got.id, got.submitter.0 .0, got.title.as_str(), got.kind.as_str()),
        (1, notary.0, "contract A", "contract")
    );
    let missing = view(&e, EVIDENCE_ADDRESS, IEvidence::getCall { contentHash: h2 }.abi_encode());
    assert!(matches!(missing.status, CallStatus::Reverted(ref m) if m.contains("no evidence")), "{missing:?}");
}

#[test]
fn contracts_register_license_and_transfer_through_the_copyright_precompile() {
    use alloy_primitives::B256;
    let e = env(DeployPolicy::Open);
    let r = commit(&e, vec![eth(&e, 0, 0, None, artifact("RightsAgency"), 3_000_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let agency = r.evm.unwrap().contract_address.unwrap();
    let a = |x: &Address| alloy_primitives::Address::from(x.0);
    let h = |b: u8| B256::repeat_byte(b);
    let call = |nonce, input: Vec<u8>| eth(&e, 0, nonce, Some(agency), input, 1_000_000);
    let until = 1_000_000_000_000u64;
    let rs = commit(
        &e,
        vec![
            call(1, IAgency::registerCall { contentHash: h(1), title: "song".into() }.abi_encode()),
            call(2, IAgency::registerAndRevertCall { contentHash: h(2) }.abi_encode()),
            call(3, IAgency::registerOneOfTwoCall { undone: h(3), kept: h(4) }.abi_encode()),
            call(
                4,
                IAgency::registerLicenseAndSellCall {
                    contentHash: h(5),
                    licensee: a(&addr(&e, 1)),
                    buyer: a(&addr(&e, 2)),
                    untilMs: until,
                }
                .abi_encode(),
            ),
            call(5, IAgency::registerCall { contentHash: h(1), title: "again".into() }.abi_encode()),
            call(
                6,
                IAgency::licenseCall {
                    id: 3,
                    licensee: a(&addr(&e, 1)),
                    exclusive: false,
                    startMs: 0,
                    endMs: until,
                    territory: "CN".into(),
                }
                .abi_encode(),
            ),
            // An account calls the precompile directly: it becomes the owner.
            eth(
                &e,
                1,
                0,
                Some(COPYRIGHT_ADDRESS),
                ICopyright::registerCall {
                    contentHash: h(6),
                    title: "photo".into(),
                    workType: "image".into(),
                    author: "me".into(),
                }
                .abi_encode(),
                500_000,
            ),
        ],
    );
    assert_eq!(rs[0].status, TxStatus::Success, "{:?}", rs[0]);
    assert_eq!(
        rs[0].events,
        vec![Event::Copyright(CopyrightEvent::Registered { id: 1, content_hash: H256(h(1).0), owner: agency })]
    );
    assert!(rs[0].evm.as_ref().unwrap().logs.iter().any(|l| l.address == COPYRIGHT_ADDRESS));
    assert_eq!(rs[1].status, TxStatus::Failed { reason: "execution reverted: rolled back".into() });
    assert_eq!(rs[2].status, TxStatus::Success, "{:?}", rs[2]);
    assert_eq!(rs[2].events.len(), 1, "only the kept registration: {:?}", rs[2].events);
    // Register, license and sell in one transaction: each step saw the earlier ones.
    assert_eq!(rs[3].status, TxStatus::Success, "{:?}", rs[3]);
    assert_eq!(
        rs[3].events,
        vec![
            Event::Copyright(CopyrightEvent::Registered { id: 3, content_hash: H256(h(5).0), owner: agency }),
            Event::Copyright(CopyrightEvent::Licensed { id: 3, index: 0, licensee: addr(&e, 1), exclusive: true }),
            Event::Copyright(CopyrightEvent::Transferred { id: 3, from: agency, to: addr(&e, 2) }),
        ]
    );
    match &rs[4].status {
        TxStatus::Failed { reason } => assert!(reason.contains("is already registered: work 1"), "{reason}"),
        s => panic!("{s:?}"),
    }
    match &rs[5].status {
        TxStatus::Failed { reason } => assert!(reason.contains("only the owner"), "{reason}"),
        s => panic!("{s:?}"),
    }
    assert_eq!(rs[6].status, TxStatus::Success, "{:?}", rs[6]);

    // Native state agrees.
    let reader = e.store.reader().unwrap();
    let w = |b| copyright::work_by_hash(&reader, &H256(h(b).0)).unwrap();
    assert!(w(2).is_none() && w(3).is_none(), "reverted registrations are undone");
    assert_eq!(w(4).unwrap().id, 2);
    let sold = copyright::work(&reader, 3).unwrap().unwrap();
    assert_eq!((sold.owner, sold.registrant, sold.transfers, sold.licenses), (addr(&e, 2), agency, 1, 1));
    assert_eq!(sold.registered.tx_hash, rs[3].tx_hash);
    let lic = copyright::license(&reader, 3, 0).unwrap().unwrap();
    assert_eq!((lic.licensor, lic.licensee, lic.exclusive, lic.end_ms), (agency, addr(&e, 1), true, until));
    assert_eq!(w(6).unwrap().owner, addr(&e, 1));
    drop(reader);

    // Views from Solidity and on the precompile.
    let may = |who: usize| {
        let out = view(
            &e,
            agency,
            IAgency::mayUseCall { id: 3, licensee: a(&addr(&e, who)), territory: "CN".into() }.abi_encode(),
        );
        bool::abi_decode(&out.output).unwrap()
    };
    assert!(may(1), "the worldwide exclusive license covers CN");
    assert!(!may(0));
    let out = view(&e, COPYRIGHT_ADDRESS, ICopyright::ownerOfCall { id: 3 }.abi_encode());
    assert_eq!(alloy_primitives::Address::abi_decode(&out.output).unwrap(), a(&addr(&e, 2)));
    let out = view(&e, COPYRIGHT_ADDRESS, ICopyright::workOfCall { contentHash: h(4) }.abi_encode());
    let got = ICopyright::workOfCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!((got.id, got.owner), (2, a(&agency)));
    let out = view(&e, COPYRIGHT_ADDRESS, ICopyright::ownerOfCall { id: 99 }.abi_encode());
    assert!(
        matches!(&out.status, CallStatus::Reverted(m) if m.contains("no registered work has id 99")),
        "{:?}",
        out.status
    );
}

fn failed_with(r: &Receipt, needle: &str) {
    match &r.status {
        TxStatus::Failed { reason } => assert!(reason.contains(needle), "{reason:?} should contain {needle:?}"),
        s => panic!("expected a failure containing {needle:?}, got {s:?}"),
    }
}

#[test]
fn contracts_issue_split_pledge_and_settle_through_the_voucher_precompile() {
    use alloy_primitives::B256;
    let e = env(DeployPolicy::Open);
    let r = commit(&e, vec![eth(&e, 0, 0, None, artifact("CoreEnterprise"), 3_000_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let core = r.evm.unwrap().contract_address.unwrap();
    let a = |x: &Address| alloy_primitives::Address::from(x.0);
    let (supplier, sub, bank) = (addr(&e, 1), Address([0xaa; 20]), addr(&e, 0));
    // Block 1 was at genesis + 10 ms; block 2 is at + 20; the vouchers mature at + 60.
    let maturity = e.genesis.timestamp_ms + 60;
    let pay = |nonce, amount: u128, invoice: u8| {
        let input = ICore::payCall {
            supplier: a(&supplier),
            amount,
            maturityMs: maturity,
            invoice: B256::repeat_byte(invoice),
        };
        eth(&e, 0, nonce, Some(core), input.abi_encode(), 1_000_000)
    };
    let direct = |i, nonce, input: Vec<u8>| eth(&e, i, nonce, Some(VOUCHER_ADDRESS), input, 1_000_000);
    let rs = commit(
        &e,
        vec![
            eth_value(&e, 0, 1, Some(core), vec![], 100_000, 10_000),
            pay(2, 1_000, 1),
            eth(
                &e,
                0,
                3,
                Some(core),
                ICore::payAndRevertCall {
                    supplier: a(&supplier),
                    amount: 5,
                    maturityMs: maturity,
                    invoice: B256::repeat_byte(9),
                }
                .abi_encode(),
                1_000_000,
            ),
            direct(
                1,
                0,
                IVoucher::splitCall { partId: 1, to: vec![a(&sub), a(&supplier)], amounts: vec![600, 400] }
                    .abi_encode(),
            ),
            direct(1, 1, IVoucher::pledgeCall { partId: 3, bank: a(&bank) }.abi_encode()),
            direct(1, 2, IVoucher::splitCall { partId: 1, to: vec![a(&sub)], amounts: vec![1_000] }.abi_encode()),
            direct(1, 3, IVoucher::splitCall { partId: 3, to: vec![a(&sub)], amounts: vec![1, 2] }.abi_encode()),
            eth(&e, 0, 4, Some(core), ICore::settleCall { id: 1 }.abi_encode(), 1_000_000),
            pay(5, 1_000_000, 2),
            // A wallet issues directly: it is the issuer.
            direct(
                2,
                0,
                IVoucher::issueCall {
                    holder: a(&sub),
                    amount: 50,
                    maturityMs: maturity,
                    invoiceRef: B256::repeat_byte(3),
                }
                .abi_encode(),
            ),
        ],
    );
    for (i, r) in rs.iter().enumerate() {
        if ![2, 5, 6, 7].contains(&i) {
            assert_eq!(r.status, TxStatus::Success, "tx {i}: {r:?}");
        }
    }
    assert_eq!(
        rs[1].events,
        vec![Event::Voucher(VoucherEvent::Issued { id: 1, issuer: core, holder: supplier, amount: 1_000, part: 1 })]
    );
    assert!(rs[1].evm.as_ref().unwrap().logs.iter().any(|l| l.address == VOUCHER_ADDRESS));
    assert_eq!(rs[2].status, TxStatus::Failed { reason: "execution reverted: rolled back".into() });
    assert_eq!(rs[3].events, vec![Event::Voucher(VoucherEvent::Split { voucher: 1, part: 1, children: vec![2, 3] })]);
    assert_eq!(rs[4].events, vec![Event::Voucher(VoucherEvent::Pledged { part: 3, bank })]);
    failed_with(&rs[5], "already split into parts [2, 3]");
    failed_with(&rs[6], "split has 1 recipients but 2 amounts");
    failed_with(&rs[7], "matures at");
    assert_eq!(
        rs[8].events,
        vec![Event::Voucher(VoucherEvent::Issued {
            id: 2,
            issuer: core,
            holder: supplier,
            amount: 1_000_000,
            part: 4
        })]
    );
    assert_eq!(
        rs[9].events,
        vec![Event::Voucher(VoucherEvent::Issued { id: 3, issuer: addr(&e, 2), holder: sub, amount: 50, part: 5 })]
    );

    // The sub-supplier passes its part on with `transfer`; views see pledge and lineage.
    let rs = commit(&e, vec![direct(1, 4, IVoucher::transferCall { partId: 1, to: a(&sub) }.abi_encode())]);
    failed_with(&rs[0], "already split");
    let out = view(&e, VOUCHER_ADDRESS, IVoucher::partOfCall { partId: 3 }.abi_encode());
    let p = IVoucher::partOfCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!(
        (p.voucherId, p.holder, p.amount, p.state, p.counterparty, p.parent),
        (1, a(&supplier), 400, 1, a(&bank), 1)
    );
    let out = view(&e, VOUCHER_ADDRESS, IVoucher::voucherOfCall { id: 1 }.abi_encode());
    let v = IVoucher::voucherOfCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!((v.issuer, v.amount, v.settled, v.liveParts), (a(&core), 1_000, false, vec![2, 3]));
    let out = view(&e, core, ICore::outstandingCall { partId: 2 }.abi_encode());
    assert_eq!(u128::abi_decode(&out.output).unwrap(), 600);
    let missing = view(&e, VOUCHER_ADDRESS, IVoucher::partOfCall { partId: 99 }.abi_encode());
    assert!(
        matches!(&missing.status, CallStatus::Reverted(m) if m.contains("no voucher part has id 99")),
        "{missing:?}"
    );

    // Mature (blocks at + 40, + 50, then + 60).
    commit(&e, vec![]);
    commit(&e, vec![]);
    let before = account(&e, &core).balance;
    let rs = commit(
        &e,
        vec![
            eth(&e, 0, 6, Some(core), ICore::settleAndRevertCall { id: 1 }.abi_encode(), 1_000_000),
            eth(&e, 1, 5, Some(core), ICore::settleCall { id: 1 }.abi_encode(), 1_000_000),
            eth(&e, 0, 7, Some(core), ICore::settleCall { id: 2 }.abi_encode(), 1_000_000),
            direct(1, 6, IVoucher::pledgeCall { partId: 4, bank: a(&bank) }.abi_encode()),
            eth(&e, 0, 8, Some(core), ICore::settleCall { id: 1 }.abi_encode(), 1_000_000),
            eth(&e, 0, 9, Some(core), ICore::settleCall { id: 1 }.abi_encode(), 1_000_000),
        ],
    );
    assert_eq!(rs[0].status, TxStatus::Failed { reason: "execution reverted: rolled back".into() });
    assert!(matches!(rs[1].status, TxStatus::Failed { .. }), "only the treasurer: {:?}", rs[1]);
    failed_with(&rs[2], "insufficient balance for this call's payments: 10000 available, 1000000 needed");
    failed_with(&rs[3], "matured");
    assert_eq!(rs[4].status, TxStatus::Success, "{:?}", rs[4]);
    assert_eq!(
        rs[4].events,
        vec![
            Event::Transfer(TransferEvent::Transfer { from: core, to: sub, amount: 600 }),
            Event::Transfer(TransferEvent::Transfer { from: core, to: bank, amount: 400 }),
            Event::Voucher(VoucherEvent::Settled { id: 1, paid: 1_000, parts: 2 }),
        ]
    );
    failed_with(&rs[5], "already settled");
    // Only the successful settlement paid, from the contract's own balance.
    assert_eq!(before, 10_000);
    assert_eq!(account(&e, &core).balance, 9_000);
    assert_eq!(account(&e, &sub).balance, 600);

    // Native records agree: the reverted issuance left nothing, parts are settled.
    let reader = e.store.reader().unwrap();
    assert!(voucher::voucher(&reader, 4).unwrap().is_none(), "three vouchers only");
    let v = voucher::voucher(&reader, 1).unwrap().unwrap();
    assert_eq!(v.settled.map(|s| s.tx_hash), Some(rs[4].tx_hash));
    assert!(v.live_parts.is_empty());
    let p3 = voucher::part(&reader, 3).unwrap().unwrap();
    assert_eq!(p3.status, PartStatus::Settled { paid_to: bank });
    assert_eq!(voucher::lineage(&reader, 2).unwrap().unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), vec![2, 1]);
}

#[test]
fn contracts_issue_grant_and_check_certificates_through_the_ecert_precompile() {
    use alloy_primitives::B256;
    let e = env(DeployPolicy::Open);
    let r = commit(&e, vec![eth(&e, 0, 0, None, artifact("CertificateAgency"), 3_000_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let agency = r.evm.unwrap().contract_address.unwrap();
    let a = |x: &Address| alloy_primitives::Address::from(x.0);
    let h = |b: u8| B256::repeat_byte(b);
    let until = 1_000_000_000_000u64;
    let call = |nonce, input: Vec<u8>| eth(&e, 0, nonce, Some(agency), input, 1_000_000);
    let holder = a(&addr(&e, 1));
    let rs = commit(
        &e,
        vec![
            call(1, ICertAgency::issueCall { holder, nameHash: h(1), untilMs: until }.abi_encode()),
            call(2, ICertAgency::issueAndRevertCall { holder, nameHash: h(2), untilMs: until }.abi_encode()),
            call(3, ICertAgency::issueOneOfTwoCall { holder, nameHash: h(3), untilMs: until }.abi_encode()),
            // The holder (an account) grants account 2 access, calling the precompile directly.
            eth(
                &e,
                1,
                0,
                Some(ECERT_ADDRESS),
                ICerts::grantCall {
                    dataset: false,
                    subjectId: 1,
                    grantee: a(&addr(&e, 2)),
                    org: "Example Bank".into(),
                    purpose: "KYC".into(),
                    expiresMs: until,
                }
                .abi_encode(),
                500_000,
            ),
            eth(
                &e,
                2,
                0,
                Some(ECERT_ADDRESS),
                ICerts::accessCall { grantId: 1, purpose: "KYC check".into(), requestHash: h(9) }.abi_encode(),
                500_000,
            ),
            // Only the issuing contract may revoke.
            eth(&e, 2, 1, Some(ECERT_ADDRESS), ICerts::revokeCall { id: 1, reason: "x".into() }.abi_encode(), 500_000),
        ],
    );
    assert_eq!(rs[0].status, TxStatus::Success, "{:?}", rs[0]);
    assert_eq!(rs[0].events, vec![Event::Ecert(EcertEvent::Issued { id: 1, issuer: agency, holder: addr(&e, 1) })]);
    assert!(rs[0].evm.as_ref().unwrap().logs.iter().any(|l| l.address == ECERT_ADDRESS));
    assert_eq!(rs[1].status, TxStatus::Failed { reason: "execution reverted: rolled back".into() });
    assert_eq!(rs[2].status, TxStatus::Success, "{:?}", rs[2]);
    assert_eq!(rs[2].events, vec![Event::Ecert(EcertEvent::Issued { id: 2, issuer: agency, holder: addr(&e, 1) })]);
    assert_eq!(rs[3].status, TxStatus::Success, "{:?}", rs[3]);
    assert_eq!(rs[4].status, TxStatus::Success, "{:?}", rs[4]);
    assert_eq!(
        rs[4].events,
        vec![Event::Ecert(EcertEvent::DataAccessed {
            grant: 1,
            subject: Subject::Certificate(1),
            grantee: addr(&e, 2),
            seq: 2
        })]
    );
    assert_eq!(u64::abi_decode(&rs[4].evm.as_ref().unwrap().output).unwrap(), 2);
    match &rs[5].status {
        TxStatus::Failed { reason } => assert!(reason.contains("only the issuer"), "{reason}"),
        s => panic!("{s:?}"),
    }

    // Native state agrees: the contract is the issuing agency; the reverted issuance left nothing.
    let reader = e.store.reader().unwrap();
    let c1 = ecert::certificate(&reader, 1).unwrap().unwrap();
    assert_eq!((c1.issuer, c1.holder, c1.fields[0].hash), (agency, addr(&e, 1), H256(h(1).0)));
    assert_eq!(ecert::certificate(&reader, 2).unwrap().unwrap().fields[0].hash, H256(h(3).0));
    assert!(ecert::certificate(&reader, 3).unwrap().is_none());
    assert_eq!(ecert::audit_len(&reader, &Subject::Certificate(1)).unwrap(), 3);
    drop(reader);

    // Views from Solidity and on the precompile.
    let now = e.store.reader().unwrap().head().unwrap().timestamp_ms;
    let boolean = |to, data: Vec<u8>| bool::abi_decode(&view(&e, to, data).output).unwrap();
    assert!(boolean(agency, ICertAgency::validCall { id: 1, atMs: now }.abi_encode()));
    assert!(!boolean(agency, ICertAgency::validCall { id: 1, atMs: until }.abi_encode()), "expired then");
    let authorized = |who: usize| {
        boolean(agency, ICertAgency::authorizedCall { grantId: 1, grantee: a(&addr(&e, who)), atMs: now }.abi_encode())
    };
    assert!(authorized(2) && !authorized(0));
    let out = view(&e, agency, ICertAgency::fieldHashCall { id: 1, name: "name".into() }.abi_encode());
    assert_eq!(B256::abi_decode(&out.output).unwrap(), h(1));
    let out = view(&e, agency, ICertAgency::fieldHashCall { id: 1, name: "age".into() }.abi_encode());
    assert!(matches!(&out.status, CallStatus::Reverted(m) if m.contains("has no field")), "{:?}", out.status);
    let out = view(&e, ECERT_ADDRESS, ICerts::auditLengthCall { dataset: false, id: 1 }.abi_encode());
    assert_eq!(u64::abi_decode(&out.output).unwrap(), 3);

    // The agency revokes: the certificate is no longer valid and the grant no longer authorises.
    let rs = commit(
        &e,
        vec![
            call(4, ICertAgency::revokeCall { id: 1 }.abi_encode()),
            eth(
                &e,
                2,
                2,
                Some(ECERT_ADDRESS),
                ICerts::accessCall { grantId: 1, purpose: "again".into(), requestHash: h(9) }.abi_encode(),
                500_000,
            ),
        ],
    );
    assert_eq!(rs[0].events, vec![Event::Ecert(EcertEvent::Revoked { id: 1 })]);
    match &rs[1].status {
        TxStatus::Failed { reason } => assert!(reason.contains("certificate 1 was revoked"), "{reason}"),
        s => panic!("{s:?}"),
    }
    let now = e.store.reader().unwrap().head().unwrap().timestamp_ms;
    assert!(!boolean(agency, ICertAgency::validCall { id: 1, atMs: now }.abi_encode()));
    assert!(!authorized(2));
    let out = view(&e, ECERT_ADDRESS, ICerts::certificateOfCall { id: 1 }.abi_encode());
    let got = ICerts::certificateOfCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!((got.issuer, got.certType.as_str(), got.revoked), (a(&agency), "diploma", true));
    assert_eq!(ecert::audit_len(&e.store.reader().unwrap(), &Subject::Certificate(1)).unwrap(), 4);
}

#[test]
fn contracts_take_custody_and_log_events_through_the_trace_precompile() {
    let e = env(DeployPolicy::Open);
    let a = |x: &Address| alloy_primitives::Address::from(x.0);
    let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let r = commit(&e, vec![eth(&e, 0, 0, None, artifact("ColdChainCarrier"), 3_000_000)]).remove(0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let carrier = r.evm.unwrap().contract_address.unwrap();
    let producer = addr(&e, 1);
    let direct = |nonce, input: Vec<u8>| eth(&e, 1, nonce, Some(TRACE_ADDRESS), input, 1_000_000);
    let via = |nonce, input: Vec<u8>| eth(&e, 0, nonce, Some(carrier), input, 2_000_000);
    let rs = commit(
        &e,
        vec![
            // An account registers a batch directly on the precompile and offers an item to the carrier.
            direct(
                0,
                ITrace::registerBatchCall {
                    product: "Vaccine lot 7".into(),
                    producerLabel: "Bio Labs".into(),
                    attributes: alloy_primitives::B256::repeat_byte(3),
                    metadata: String::new(),
                    codes: codes(&["V-1", "V-2"]),
                }
                .abi_encode(),
            ),
            direct(1, ITrace::handoverCall { codes: codes(&["V-1"]), to: a(&carrier) }.abi_encode()),
            // Accepting in a frame that reverts leaves custody where it was.
            via(1, ICarrier::acceptAndRevertCall { code: "V-1".into() }.abi_encode()),
            via(
                2,
                ICarrier::receiveCheckAndForwardCall { code: "V-1".into(), next: a(&addr(&e, 2)), timeMs: 1_000_000 }
                    .abi_encode(),
            ),
            // The code is taken: the contract cannot register it again.
            via(3, ICarrier::produceCall { code: "V-2".into() }.abi_encode()),
            // Only the producer recalls: account 0 is not.
            eth(
                &e,
                0,
                4,
                Some(TRACE_ADDRESS),
                ITrace::recallCall { batchId: 1, reason: "x".into() }.abi_encode(),
                1_000_000,
            ),
        ],
    );
    assert_eq!(rs[0].status, TxStatus::Success, "{:?}", rs[0]);
    assert_eq!(
        rs[0].events,
        vec![
            Event::Trace(TraceModuleEvent::BatchRegistered { batch: 1, producer }),
            Event::Trace(TraceModuleEvent::ItemsRegistered { batch: 1, first_item: 1, count: 2 }),
        ]
    );
    assert!(rs[0].evm.as_ref().unwrap().logs.iter().any(|l| l.address == TRACE_ADDRESS));
    assert_eq!(rs[1].status, TxStatus::Success, "{:?}", rs[1]);
    assert_eq!(rs[2].status, TxStatus::Failed { reason: "execution reverted: rolled back".into() });
    assert!(rs[2].events.is_empty());
    assert_eq!(rs[3].status, TxStatus::Success, "{:?}", rs[3]);
    assert_eq!(
        rs[3].events,
        vec![
            Event::Trace(TraceModuleEvent::EventAppended { item: 1, index: 0, author: carrier }),
            Event::Trace(TraceModuleEvent::HandoverClosed {
                item: 1,
                from: producer,
                to: carrier,
                outcome: "accepted".into()
            }),
            Event::Trace(TraceModuleEvent::EventAppended { item: 1, index: 1, author: carrier }),
            Event::Trace(TraceModuleEvent::HandoverOffered { item: 1, from: carrier, to: addr(&e, 2) }),
        ]
    );
    let out = rs[3].evm.as_ref().unwrap().output.clone();
    assert_eq!(u32::abi_decode(&out).unwrap(), 2, "the contract saw its own earlier operations");
    match &rs[4].status {
        TxStatus::Failed { reason } => assert!(reason.contains("\"V-2\" is already registered: item 2"), "{reason}"),
        s => panic!("{s:?}"),
    }
    match &rs[5].status {
        TxStatus::Failed { reason } => assert!(reason.contains("only the producer"), "{reason}"),
        s => panic!("{s:?}"),
    }

    // Native state agrees: the carrier holds V-1, offered on to account 2, with two events.
    let reader = e.store.reader().unwrap();
    let it = trace::item_by_code(&reader, "V-1").unwrap().unwrap();
    assert_eq!((it.custodian, it.pending.as_ref().map(|p| p.to), it.events), (carrier, Some(addr(&e, 2)), 2));
    let evs = trace::events(&reader, &it).unwrap();
    assert_eq!(evs[0].kind, TraceEventKind::Custody { from: producer, to: carrier });
    assert_eq!(evs[1].recorded.tx_hash, rs[3].tx_hash);
    hechain_types::trace::verify_history(Suite::Standard, &it, &evs).unwrap();
    drop(reader);

    // Views.
    let out = view(&e, TRACE_ADDRESS, ITrace::itemOfCall { code: "V-1".into() }.abi_encode());
    let got = ITrace::itemOfCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!((got.custodian, got.pendingTo, got.events, got.recalled), (a(&carrier), a(&addr(&e, 2)), 2, false));
    let can = |who: &Address| {
        let out = view(&e, carrier, ICarrier::canWriteCall { code: "V-1".into(), account: a(who) }.abi_encode());
        bool::abi_decode(&out.output).unwrap()
    };
    assert!(can(&carrier) && !can(&producer));
    let missing = view(&e, TRACE_ADDRESS, ITrace::itemOfCall { code: "NOPE".into() }.abi_encode());
    assert!(matches!(missing.status, CallStatus::Reverted(ref m) if m.contains("no item has code")), "{missing:?}");
}
