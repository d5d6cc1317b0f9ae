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
    bad.tx.fee = 99;
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
    assert!(matches!(add(eth(&k, 1, 21_000, 10, 0, false)), Err(AdmitError::NonceAlreadyPending(1))));
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
