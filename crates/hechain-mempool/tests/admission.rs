//! Admission rules: each refusal reason, ordering and back-pressure.

use hechain_types::{EvidenceCall, GovernanceCall, TransferCall};
use std::collections::BTreeMap;

use hechain_crypto::{AccountKey, AccountScheme, Suite};
use hechain_mempool::{AdmitError, Mempool, MempoolConfig, StateSource};
use hechain_types::{
    Account, Address, ChainParams, ChainTx, EvidenceMeta, Payload, SignedTransaction, Transaction, H256,
};

const CHAIN: u64 = 7;

/// Committed state as plain maps (the node uses `StoreState` over redb; this
/// crate's tests only need the trait's contract).
#[derive(Default)]
struct Chain {
    accounts: BTreeMap<Address, Account>,
    /// Module state (the evidence module's records), read by the modules' own admission checks.
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Senders the rules refuse, with the reason.
    refused: BTreeMap<Address, String>,
    params: ChainParams,
}

impl StateSource for Chain {
    fn account(&self, addr: &Address) -> Result<Account, String> {
        Ok(self.accounts.get(addr).copied().unwrap_or_default())
    }
    fn module_refusal(&self, payload: &Payload) -> Result<Option<hechain_module::Refusal>, String> {
        payload.admit(&self.state).map(Result::err).map_err(|e| e.to_string())
    }
    fn policy_refusal(&self, tx: &ChainTx) -> Result<Option<String>, String> {
        Ok(self.refused.get(&tx.sender()).cloned())
    }
    fn params(&self) -> Result<ChainParams, String> {
        Ok(self.params.clone())
    }
}

fn key(i: u8) -> AccountKey {
    AccountKey::from_bytes(AccountScheme::Secp256k1, &[i + 1; 32]).unwrap()
}

fn transfer(k: &AccountKey, nonce: u64, amount: u128) -> SignedTransaction {
    Transaction {
        chain_id: CHAIN,
        nonce,
        sender: Address(k.address()),
        fee: 1,
        payload: Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount }),
    }
    .sign(k)
    .unwrap()
}

fn setup(config: MempoolConfig) -> (Mempool, Chain) {
    let params = ChainParams { max_block_txs: 100, max_tx_bytes: 1024, min_fee: 1, ..ChainParams::default() };
    let pool = Mempool::new(Suite::Standard, CHAIN, params.clone(), config);
    let mut chain = Chain { params, ..Chain::default() };
    for i in 0..4 {
        chain.accounts.insert(Address(key(i).address()), Account { nonce: 0, balance: 1_000 });
    }
    (pool, chain)
}

fn admit(pool: &Mempool, chain: &Chain, tx: SignedTransaction) -> Result<H256, AdmitError> {
    pool.admit_batch(vec![tx.into()], chain).pop().unwrap()
}

#[test]
fn accepts_and_orders_by_nonce() {
    let (pool, chain) = setup(MempoolConfig::default());
    let k = key(0);
    // Out of order arrival: nonce 1 waits for nonce 0.
    admit(&pool, &chain, transfer(&k, 1, 5)).unwrap();
    assert!(pool.ready(10).is_empty());
    admit(&pool, &chain, transfer(&k, 0, 5)).unwrap();
    let ready = pool.ready(10);
    assert_eq!(ready.iter().map(|(_, t)| t.nonce()).collect::<Vec<_>>(), vec![0, 1]);
    assert_eq!(pool.pending_nonce(&Address(k.address())), Some(2));
}

#[test]
fn refusals_are_specific() {
    let (pool, chain) = setup(MempoolConfig { max_nonce_gap: 5, ..MempoolConfig::default() });
    let k = key(0);
    let good = transfer(&k, 0, 5);
    admit(&pool, &chain, good.clone()).unwrap();
    assert!(matches!(admit(&pool, &chain, good.clone()), Err(AdmitError::Duplicate(_))));

    let mut bad_sig = transfer(&k, 1, 5);
    bad_sig.tx.payload = Payload::Transfer(TransferCall::Transfer { to: Address([8; 20]), amount: 5 });
    assert!(matches!(admit(&pool, &chain, bad_sig), Err(AdmitError::BadSignature(_))));

    let other_sender = {
        let mut t = transfer(&key(1), 0, 5);
        t.tx.sender = Address(k.address());
        t
    };
    assert!(matches!(admit(&pool, &chain, other_sender), Err(AdmitError::BadSignature(_))));

    let wrong_chain = Transaction { chain_id: 8, ..transfer(&k, 1, 5).tx }.sign(&k).unwrap();
    assert_eq!(admit(&pool, &chain, wrong_chain), Err(AdmitError::WrongChainId { expected: 7, got: 8 }));

    let low_fee = Transaction { fee: 0, ..transfer(&k, 1, 5).tx }.sign(&k).unwrap();
    assert_eq!(admit(&pool, &chain, low_fee), Err(AdmitError::FeeTooLow { min: 1, got: 0 }));

    assert_eq!(
        admit(&pool, &chain, transfer(&k, 9, 5)),
        Err(AdmitError::NonceGapTooLarge { expected: 0, got: 9, max_gap: 5 })
    );

    let k1 = key(1);
    let mut c2 = Chain::default();
    c2.accounts.insert(Address(k1.address()), Account { nonce: 3, balance: 1_000 });
    assert_eq!(admit(&pool, &c2, transfer(&k1, 2, 5)), Err(AdmitError::NonceTooLow { expected: 3, got: 2 }));

    // Balance covers pending transactions too: 1000 available, 600+1 pending.
    let k2 = key(2);
    admit(&pool, &chain, transfer(&k2, 0, 600)).unwrap();
    assert_eq!(
        admit(&pool, &chain, transfer(&k2, 1, 600)),
        Err(AdmitError::InsufficientBalance { need: 1202, have: 1000 })
    );

    let huge = Transaction {
        payload: Payload::Evidence(EvidenceCall::Put {
            content_hash: H256([1; 32]),
            meta: EvidenceMeta { title: Some("x".repeat(500)), kind: Some("y".repeat(500)), ..Default::default() },
        }),
        ..transfer(&k, 1, 0).tx
    }
    .sign(&k)
    .unwrap();
    assert!(matches!(admit(&pool, &chain, huge), Err(AdmitError::Oversize { max: 1024, .. })));

    let long_meta = Transaction {
        payload: Payload::Evidence(EvidenceCall::Put {
            content_hash: H256([1; 32]),
            meta: EvidenceMeta { title: Some("x".repeat(600)), ..Default::default() },
        }),
        ..transfer(&k, 1, 0).tx
    }
    .sign(&k)
    .unwrap();
    let pool2 = Mempool::new(
        Suite::Standard,
        CHAIN,
        ChainParams { max_block_txs: 100, max_tx_bytes: 4096, min_fee: 1, ..ChainParams::default() },
        MempoolConfig::default(),
    );
    assert!(matches!(admit(&pool2, &chain, long_meta), Err(AdmitError::InvalidPayload(m)) if m.contains("title")));
}

#[test]
fn evidence_duplicates_point_to_the_original() {
    let (pool, mut chain) = setup(MempoolConfig::default());
    let k = key(0);
    let ev = |nonce, h| {
        Transaction {
            chain_id: CHAIN,
            nonce,
            sender: Address(k.address()),
            fee: 1,
            payload: Payload::Evidence(EvidenceCall::Put {
                content_hash: H256([h; 32]),
                meta: EvidenceMeta::default(),
            }),
        }
        .sign(&k)
        .unwrap()
    };
    // Evidence record 3 holds hash 5…5 (the module's own keys and encoding).
    let record = hechain_types::EvidenceRecord {
        id: 3,
        content_hash: H256([5; 32]),
        meta: EvidenceMeta::default(),
        submitter: Address([9; 20]),
        tx_hash: H256([1; 32]),
        height: 2,
        timestamp_ms: 0,
    };
    chain.state.insert(hechain_types::keys::evidence_record(3), hechain_types::Codec::encode(&record));
    chain.state.insert(hechain_types::keys::evidence_by_hash(&H256([5; 32])), 3u64.to_be_bytes().to_vec());
    let err = admit(&pool, &chain, ev(0, 5)).unwrap_err();
    assert_eq!(err.code(), "evidence_exists");
    assert!(err.to_string().contains("id 3"));
    admit(&pool, &chain, ev(0, 6)).unwrap();
    assert_eq!(admit(&pool, &chain, ev(1, 6)).unwrap_err().code(), "evidence_exists");
}

#[test]
fn pool_full_is_back_pressure() {
    let (pool, chain) = setup(MempoolConfig { capacity: 3, ..MempoolConfig::default() });
    let k = key(0);
    for n in 0..3 {
        admit(&pool, &chain, transfer(&k, n, 1)).unwrap();
    }
    let err = admit(&pool, &chain, transfer(&k, 3, 1)).unwrap_err();
    assert_eq!(err, AdmitError::PoolFull { capacity: 3 });
    assert!(err.is_retryable());
    assert_eq!(pool.len(), 3);
}

#[test]
fn commit_removes_used_nonces_and_interleaves_senders() {
    let (pool, mut chain) = setup(MempoolConfig::default());
    let (a, b) = (key(0), key(1));
    let batch: Vec<_> = (0..3).flat_map(|n| [transfer(&a, n, 1), transfer(&b, n, 1)]).collect();
    assert!(pool.admit_batch(batch.into_iter().map(Into::into).collect(), &chain).iter().all(|r| r.is_ok()));
    let ready = pool.ready(4);
    assert_eq!(ready.len(), 4);
    let senders: Vec<_> = ready.iter().map(|(_, t)| t.sender()).collect();
    assert_ne!(senders[0], senders[1], "senders are interleaved");
    // Both senders' nonces 0 and 1 commit.
    for k in [&a, &b] {
        chain.accounts.insert(Address(k.address()), Account { nonce: 2, balance: 990 });
    }
    let included: Vec<_> = ready.iter().map(|(_, t)| (t.sender(), t.nonce())).collect();
    pool.on_committed(&included, &[], &chain);
    assert_eq!(pool.len(), 2);
    let rest = pool.ready(10);
    assert!(rest.iter().all(|(_, t)| t.nonce() == 2));
}

#[test]
fn overflow_is_refused_before_signature_checks() {
    let (pool, chain) = setup(MempoolConfig { capacity: 2, ..MempoolConfig::default() });
    let k = key(0);
    // The third transaction has a bad signature, but the pool is full by then:
    // it is refused as pool_full (cheap), not checked.
    let mut bad = transfer(&k, 2, 1);
    bad.tx.payload = Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount: 77 });
    let r = pool.admit_batch(vec![transfer(&k, 0, 1).into(), transfer(&k, 1, 1).into(), bad.into()], &chain);
    assert!(r[0].is_ok() && r[1].is_ok());
    assert_eq!(r[2], Err(AdmitError::PoolFull { capacity: 2 }));
}

#[test]
fn included_transactions_that_used_no_nonce_are_dropped() {
    let (pool, chain) = setup(MempoolConfig::default());
    let k = key(0);
    admit(&pool, &chain, transfer(&k, 0, 1)).unwrap();
    admit(&pool, &chain, transfer(&k, 1, 1)).unwrap();
    // Nonce 0 was included but failed without effect (account nonce stays 0):
    // it is dropped rather than proposed again; nonce 1 waits for a resubmission.
    pool.on_committed(&[(Address(k.address()), 0)], &[], &chain);
    assert_eq!(pool.len(), 1);
    assert!(pool.ready(10).is_empty());
    admit(&pool, &chain, transfer(&k, 0, 2)).unwrap();
    assert_eq!(pool.ready(10).len(), 2);
}

fn eth(k: &AccountKey, nonce: u64, gas: u64, max_fee: u128, tip: u128, create: bool) -> hechain_types::EthTransaction {
    let tx = alloy_consensus::TxEip1559 {
        chain_id: CHAIN,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: if create {
            alloy_primitives::TxKind::Create
        } else {
            alloy_primitives::TxKind::Call(alloy_primitives::Address::repeat_byte(9))
        },
        value: alloy_primitives::U256::from(1u64),
        access_list: Default::default(),
        input: Default::default(),
    };
    hechain_types::EthTransaction::sign(tx, k).unwrap()
}

/// A copy of `t` that claims another sender (what a Byzantine peer could forward).
fn claiming(t: &hechain_types::EthTransaction, sender: Address) -> ChainTx {
    let mut bytes = borsh::to_vec(&t.raw().to_vec()).unwrap();
    bytes.extend_from_slice(&sender.0);
    ChainTx::Ethereum(<hechain_types::EthTransaction as borsh::BorshDeserialize>::try_from_slice(&bytes).unwrap())
}

#[test]
fn ethereum_rules_and_shared_nonces() {
    let params = ChainParams { base_fee_per_gas: 10, max_tx_gas: 100_000, ..ChainParams::default() };
    let allow = ChainParams {
        deploy: hechain_types::DeployPolicy::AllowList { deployers: vec![Address(key(1).address())] },
        ..params.clone()
    };
    let pool = Mempool::new(Suite::Standard, CHAIN, allow, MempoolConfig::default());
    let mut chain = Chain::default();
    let k = key(0);
    chain.accounts.insert(Address(k.address()), Account { nonce: 0, balance: 1_000_000 });
    let add = |t: hechain_types::EthTransaction| pool.admit_batch(vec![t.into()], &chain).pop().unwrap();
    assert!(
        matches!(add(eth(&k, 0, 20_000, 10, 0, false)), Err(AdmitError::InvalidGas(m)) if m.starts_with("intrinsic gas too low"))
    );
    assert!(
        matches!(add(eth(&k, 0, 200_000, 10, 0, false)), Err(AdmitError::InvalidGas(m)) if m.starts_with("exceeds block gas limit"))
    );
    assert!(matches!(add(eth(&k, 0, 21_000, 9, 0, false)), Err(AdmitError::Underpriced(m)) if m.contains("base fee")));
    assert!(
        matches!(add(eth(&k, 0, 21_000, 10, 11, false)), Err(AdmitError::Underpriced(m)) if m.contains("priority"))
    );
    assert!(matches!(add(eth(&k, 0, 30_000, 10, 0, true)), Err(AdmitError::NotPermitted(_))));
    // gas × max fee + value must be covered: 21,000 × 50 + 1 > 1,000,000.
    assert!(matches!(add(eth(&k, 0, 21_000, 50, 0, false)), Err(AdmitError::InsufficientBalance { .. })));
    add(eth(&k, 0, 21_000, 10, 0, false)).unwrap();
    // Native and Ethereum transactions share the nonce sequence.
    let native = Transaction {
        chain_id: CHAIN,
        nonce: 1,
        sender: Address(k.address()),
        fee: 0,
        payload: Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount: 1 }),
    }
    .sign(&k)
    .unwrap();
    pool.admit_batch(vec![native.into()], &chain).pop().unwrap().unwrap();
    assert_eq!(pool.pending_nonce(&Address(k.address())), Some(2));
    // An Ethereum transaction offering more replaces the fee-0 native one at nonce 1; the same
    // offer again does not.
    add(eth(&k, 1, 21_000, 10, 0, false)).unwrap();
    assert_eq!(pool.len(), 2);
    assert!(matches!(
        add(eth(&k, 1, 21_000, 10, 1, false)),
        Err(AdmitError::ReplacementUnderpriced { nonce: 1, offered: 210_000, required: 231_000 })
    ));
}

fn transfer_with_fee(k: &AccountKey, nonce: u64, fee: u64) -> SignedTransaction {
    Transaction {
        chain_id: CHAIN,
        nonce,
        sender: Address(k.address()),
        fee,
        payload: Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount: 1 }),
    }
    .sign(k)
    .unwrap()
}

#[test]
fn a_higher_fee_replaces_a_pending_transaction() {
    let (pool, chain) = setup(MempoolConfig::default());
    let k = key(0);
    let first = admit(&pool, &chain, transfer_with_fee(&k, 0, 10)).unwrap();
    admit(&pool, &chain, transfer_with_fee(&k, 1, 10)).unwrap();
    // The very same transaction is a duplicate; another with nonce 0 must offer 10% more: 11.
    assert_eq!(admit(&pool, &chain, transfer_with_fee(&k, 0, 10)).unwrap_err().code(), "duplicate");
    let e = admit(&pool, &chain, transfer(&k, 0, 2)).unwrap_err();
    assert_eq!(e, AdmitError::ReplacementUnderpriced { nonce: 0, offered: 1, required: 11 });
    assert_eq!(e.code(), "replacement_underpriced");
    let second = admit(&pool, &chain, transfer_with_fee(&k, 0, 11)).unwrap();
    assert!(!pool.contains(&first) && pool.contains(&second));
    assert_eq!(pool.len(), 2);
    // Both nonces stay ready, in order.
    assert_eq!(pool.ready(10).iter().map(|(_, t)| t.nonce()).collect::<Vec<_>>(), vec![0, 1]);
    // The replaced cost is no longer counted: 1,000 covers (11 + 1) + (10 + 1) + (976 + 1), not
    // another 10 + 1 for the replaced one.
    admit(&pool, &chain, transfer_with_fee(&k, 2, 976)).unwrap();
}

#[test]
fn a_full_pool_evicts_the_cheapest_for_a_better_offer() {
    let (pool, chain) = setup(MempoolConfig { capacity: 3, ..MempoolConfig::default() });
    admit(&pool, &chain, transfer_with_fee(&key(0), 0, 5)).unwrap();
    let cheap = admit(&pool, &chain, transfer_with_fee(&key(1), 0, 1)).unwrap();
    let depends = admit(&pool, &chain, transfer_with_fee(&key(1), 1, 9)).unwrap();
    // An equal offer waits; a better one evicts the cheapest, with the nonce after it.
    let e = admit(&pool, &chain, transfer_with_fee(&key(2), 0, 1)).unwrap_err();
    assert_eq!(e, AdmitError::PoolFull { capacity: 3 });
    let better = admit(&pool, &chain, transfer_with_fee(&key(2), 0, 2)).unwrap();
    assert!(pool.contains(&better) && !pool.contains(&cheap) && !pool.contains(&depends));
    assert_eq!(pool.len(), 2);
}

#[test]
fn a_full_pool_still_takes_replacements() {
    let (pool, chain) = setup(MempoolConfig { capacity: 1, ..MempoolConfig::default() });
    let first = admit(&pool, &chain, transfer_with_fee(&key(0), 0, 1)).unwrap();
    let second = admit(&pool, &chain, transfer_with_fee(&key(0), 0, 2)).unwrap();
    assert!(!pool.contains(&first) && pool.contains(&second));
    assert_eq!(pool.len(), 1);
    assert_eq!(pool.audit(), Ok(()));
}

#[test]
fn queued_transactions_are_capped_and_expire() {
    let config =
        MempoolConfig { max_queued_per_sender: 3, max_queued: 5, queued_lifetime_ms: 50, ..MempoolConfig::default() };
    let (pool, chain) = setup(config);
    let (a, b, c) = (key(0), key(1), key(2));
    // Nonces 1..=3 of `a` wait for nonce 0; a fourth is refused, naming the missing nonce.
    for n in 1..=3 {
        admit(&pool, &chain, transfer(&a, n, 1)).unwrap();
    }
    let e = admit(&pool, &chain, transfer(&a, 4, 1)).unwrap_err();
    assert_eq!(e, AdmitError::QueueFull { queued: 3, limit: 3, ready_end: 0 });
    assert!(e.to_string().contains("send nonce 0 first"), "{e}");
    // Five queued in all.
    admit(&pool, &chain, transfer(&b, 1, 1)).unwrap();
    admit(&pool, &chain, transfer(&b, 2, 1)).unwrap();
    assert_eq!(admit(&pool, &chain, transfer(&c, 1, 1)).unwrap_err().code(), "queue_full");
    // `a`'s nonce 0 makes its four ready: room again.
    admit(&pool, &chain, transfer(&a, 0, 1)).unwrap();
    assert_eq!(pool.ready(10).iter().filter(|(_, t)| t.sender() == Address(a.address())).count(), 4);
    let c1 = admit(&pool, &chain, transfer(&c, 1, 1)).unwrap();
    // Queued ones expire (checked at most once a second); ready ones stay.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    admit(&pool, &chain, transfer(&key(3), 0, 1)).unwrap();
    assert!(!pool.contains(&c1));
    assert_eq!(pool.len(), 5, "a's four and key 3's one");
}

/// The flood that once filled the pool for good: fresh keys with no balance, zero fees, nonces
/// from 1 (never 0). Only a bounded number is held, and a funded sender still gets in.
#[test]
fn a_free_flood_of_future_nonces_cannot_fill_the_pool() {
    let (_, mut chain) = setup(MempoolConfig::default());
    chain.params.min_fee = 0;
    let config = MempoolConfig { capacity: 2000, max_queued: 200, ..MempoolConfig::default() };
    let pool = Mempool::new(Suite::Standard, CHAIN, chain.params.clone(), config);
    let mut held = 0;
    for i in 0..8u8 {
        let k = AccountKey::from_bytes(AccountScheme::Secp256k1, &[100 + i; 32]).unwrap();
        let free = |nonce| {
            let payload = Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount: 0 });
            Transaction { chain_id: CHAIN, nonce, sender: Address(k.address()), fee: 0, payload }.sign(&k).unwrap()
        };
        let flood: Vec<ChainTx> = (1..=100).map(|n| free(n).into()).collect();
        held += pool.admit_batch(flood, &chain).iter().filter(|r| r.is_ok()).count();
    }
    assert_eq!(held, 200, "64 per sender, 200 in all");
    admit(&pool, &chain, transfer(&key(0), 0, 5)).unwrap();
}

#[test]
fn pool_membership_compares_the_claimed_sender() {
    let pool = Mempool::new(
        Suite::Standard,
        CHAIN,
        ChainParams { base_fee_per_gas: 0, ..ChainParams::default() },
        MempoolConfig::default(),
    );
    let (a, b) = (key(0), key(1));
    let mut chain = Chain::default();
    chain.accounts.insert(Address(a.address()), Account { nonce: 0, balance: 1_000_000 });
    let t = eth(&a, 0, 21_000, 0, 0, false);
    pool.admit_batch(vec![t.clone().into()], &chain).pop().unwrap().unwrap();
    let h = t.hash();
    assert!(pool.contains_tx(&h, &ChainTx::Ethereum(t.clone())));
    // The same bytes claiming another sender (what a Byzantine leader could propose) are not the
    // pooled transaction, and their own signature check fails.
    let forged = claiming(&t, Address(b.address()));
    assert_eq!(forged.hash(Suite::Standard), h);
    assert!(!pool.contains_tx(&h, &forged));
    assert!(forged.verify(Suite::Standard).is_err());
    assert_eq!(pool.check_stateless(forged).err(), Some(AdmitError::Duplicate(h)));
}

#[test]
fn recently_committed_copies_are_refused_before_signature_checks() {
    let (pool, mut chain) = setup(MempoolConfig::default());
    let a = key(0);
    let t = transfer(&a, 0, 1);
    let h = admit(&pool, &chain, t.clone()).unwrap();
    chain.accounts.insert(Address(a.address()), Account { nonce: 1, balance: 998 });
    pool.on_committed(&[(Address(a.address()), 0)], &[h], &chain);
    assert!(pool.is_empty());
    assert!(pool.recently_committed(&h));
    // A late copy (gossip behind consensus) is a duplicate, not a second signature check.
    assert_eq!(admit(&pool, &chain, t), Err(AdmitError::Duplicate(h)));
}

#[test]
fn refused_by_the_rules_in_force_and_params_follow_commits() {
    let (pool, mut chain) = setup(MempoolConfig::default());
    let k = key(0);
    chain.refused.insert(Address(k.address()), "account 0x… is frozen by proposal 3: court order".into());
    match admit(&pool, &chain, transfer(&k, 0, 5)) {
        Err(AdmitError::NotPermitted(m)) => assert_eq!(m, "account 0x… is frozen by proposal 3: court order"),
        other => panic!("{other:?}"),
    }
    chain.refused.insert(Address(k.address()), "not permitted: 0x… may not send transactions (requires …)".into());
    let e = admit(&pool, &chain, transfer(&k, 0, 5)).unwrap_err();
    assert_eq!(e.to_string(), "not permitted: 0x… may not send transactions (requires …)");
    assert_eq!(e.code(), "not_permitted");
    assert!(admit(&pool, &chain, transfer(&key(1), 0, 5)).is_ok(), "others are admitted");
    // A governance change of the parameters reaches the pool with the next commit.
    chain.params.min_fee = 50;
    pool.on_committed(&[], &[], &chain);
    assert_eq!(pool.params().min_fee, 50);
    assert!(matches!(admit(&pool, &chain, transfer(&key(2), 0, 5)), Err(AdmitError::FeeTooLow { min: 50, got: 1 })));
}

#[test]
fn governance_transactions_are_exempt_from_the_minimum_fee() {
    let (pool, chain) = setup(MempoolConfig::default());
    let k = key(0);
    let tx = |payload| {
        Transaction { chain_id: CHAIN, nonce: 0, sender: Address(k.address()), fee: 0, payload }.sign(&k).unwrap()
    };
    let low = admit(&pool, &chain, tx(Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount: 1 })));
    assert!(matches!(low, Err(AdmitError::FeeTooLow { min: 1, got: 0 })), "{low:?}");
    assert!(admit(&pool, &chain, tx(Payload::Governance(GovernanceCall::Vote { proposal: 1, approve: true }))).is_ok());
}

mod bookkeeping {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        /// Admit (key, nonce, fee).
        Admit(u8, u64, u64),
        /// The key's committed nonce moves to this, the previous nonce was in the block.
        Commit(u8, u64),
        /// A block takes up to this many ready transactions.
        Ready(usize),
        /// Time passes beyond the queued lifetime.
        Wait,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..3u8, 0..8u64, 0..5u64).prop_map(|(k, n, f)| Op::Admit(k, n, f)),
            2 => (0..3u8, 0..9u64).prop_map(|(k, n)| Op::Commit(k, n)),
            1 => (0..6usize).prop_map(Op::Ready),
            1 => Just(Op::Wait),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever arrives, commits or expires, the pool's indexes agree with its queues and
        /// its limits hold.
        #[test]
        fn indexes_agree_with_the_queues(ops in proptest::collection::vec(op(), 1..40)) {
            let config = MempoolConfig {
                capacity: 10,
                max_queued_per_sender: 2,
                max_queued: 4,
                queued_lifetime_ms: 0,
                ..MempoolConfig::default()
            };
            let (pool, mut chain) = setup(config);
            chain.params.min_fee = 0;
            let mut signed: BTreeMap<(u8, u64, u64), SignedTransaction> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Admit(k, n, f) => {
                        let tx = signed.entry((k, n, f)).or_insert_with(|| transfer_with_fee(&key(k), n, f)).clone();
                        let _ = admit(&pool, &chain, tx);
                    }
                    Op::Commit(k, n) => {
                        let addr = Address(key(k).address());
                        let acc = chain.accounts.get(&addr).copied().unwrap_or_default();
                        if n > acc.nonce {
                            chain.accounts.insert(addr, Account { nonce: n, ..acc });
                            pool.on_committed(&[(addr, n - 1)], &[], &chain);
                        }
                    }
                    Op::Ready(m) => {
                        let got = pool.ready(m);
                        prop_assert!(got.len() <= m);
                    }
                    Op::Wait => std::thread::sleep(std::time::Duration::from_millis(2)),
                }
                prop_assert_eq!(pool.audit(), Ok(()));
                prop_assert!(pool.len() <= 10);
            }
        }
    }
}
