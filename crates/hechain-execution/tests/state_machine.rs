//! The state machine over a real redb store: transfers, fees, failures,
//! evidence, certificates, and determinism.

use std::collections::BTreeMap;

use hechain_crypto::Suite;
use hechain_execution::certificate::EvidenceCertificate;
use hechain_execution::{account_of, keys};
use hechain_types::*;
use proptest::prelude::*;

mod common;

use common::{commit, env, tx, Env};

fn balance(e: &Env, i: usize) -> u128 {
    account_of(&e.store.reader().unwrap(), &Address(e.keys[i].address())).unwrap().balance
}

#[test]
fn transfers_fees_and_failures() {
    let e = env(Suite::Standard, 2);
    let to = Address(e.keys[1].address());
    let (out, _) = commit(
        &e,
        vec![
            tx(&e, 0, 0, 2, Payload::Transfer { to, amount: 100 }),
            // Insufficient balance: fails, nonce and fee consumed.
            tx(&e, 0, 1, 2, Payload::Transfer { to, amount: 10_000 }),
            // Wrong nonce: fails without any charge.
            tx(&e, 0, 5, 2, Payload::Transfer { to, amount: 1 }),
            // Fee below minimum: fails without charge.
            tx(&e, 2, 0, 1, Payload::Transfer { to, amount: 1 }),
        ],
    );
    assert_eq!(out.receipts[0].status, TxStatus::Success);
    assert_eq!(out.receipts[0].events, vec![Event::Transfer { from: Address(e.keys[0].address()), to, amount: 100 }]);
    assert!(matches!(&out.receipts[1].status, TxStatus::Failed { reason } if reason.contains("insufficient balance")));
    assert_eq!(out.receipts[1].fee_charged, 2);
    assert!(matches!(&out.receipts[2].status, TxStatus::Failed { reason } if reason.contains("nonce 5")));
    assert_eq!(out.receipts[2].fee_charged, 0);
    assert!(matches!(&out.receipts[3].status, TxStatus::Failed { reason } if reason.contains("below the minimum")));
    assert_eq!(balance(&e, 0), 1_000 - 100 - 2 - 2);
    assert_eq!(balance(&e, 1), 1_100);
    assert_eq!(balance(&e, 2), 1_000);
    let r = e.store.reader().unwrap();
    assert_eq!(account_of(&r, &Address(e.keys[0].address())).unwrap().nonce, 2);
    // The stored hash list, the block's transactions and the tx index agree.
    let block = r.block(1).unwrap().unwrap();
    let hashes: Vec<H256> = block.transactions.iter().map(|t| t.hash(Suite::Standard)).collect();
    assert_eq!(r.tx_hashes(1).unwrap().unwrap(), hashes);
    for (i, h) in hashes.iter().enumerate() {
        assert_eq!(r.tx_location(h).unwrap().unwrap(), TxLocation { height: 1, index: i as u32 });
        assert_eq!(r.receipt(h).unwrap().unwrap(), out.receipts[i]);
    }
    assert_eq!(r.block_receipts(1).unwrap(), out.receipts);
}

#[test]
fn evidence_put_get_duplicate_and_certificate() {
    for suite in [Suite::Standard, Suite::Gm] {
        let e = env(suite, 0);
        let h = H256(suite.hash(b"contract.pdf"));
        let meta = EvidenceMeta { title: Some("合同".into()), ..Default::default() };
        let put = |from, nonce| tx(&e, from, nonce, 0, Payload::EvidencePut { content_hash: h, meta: meta.clone() });
        let (out, header) =
            commit(&e, vec![tx(&e, 3, 0, 0, Payload::Transfer { to: Address([1; 20]), amount: 1 }), put(0, 0)]);
        assert_eq!(out.receipts[1].status, TxStatus::Success, "{suite}");
        // The same hash again, even from someone else, is refused and names record 1.
        let (out2, _) = commit(&e, vec![put(1, 0)]);
        match &out2.receipts[0].status {
            TxStatus::Failed { reason } => assert!(reason.contains("already exists: id 1"), "{reason}"),
            s => panic!("duplicate accepted: {s:?}"),
        }
        let r = e.store.reader().unwrap();
        let rec = hechain_execution::evidence::existing(&r, &h).unwrap().unwrap();
        assert_eq!((rec.id, rec.height, rec.submitter), (1, header.height, Address(e.keys[0].address())));
        let subs = r.state_scan(&keys::evidence_submitter_prefix(&rec.submitter), None, 10).unwrap();
        assert_eq!(subs.len(), 1);

        let cert = EvidenceCertificate::build(&r, &e.genesis, 1).unwrap();
        let v = cert.verify(&e.genesis).unwrap();
        assert_eq!((v.id, v.height), (1, header.height));
        // The certificate survives a JSON round trip and fails on any change.
        let json = serde_json::to_string(&cert).unwrap();
        let back: EvidenceCertificate = serde_json::from_str(&json).unwrap();
        back.verify(&e.genesis).unwrap();
        let mut bad = cert.clone();
        bad.record.meta.title = Some("forged".into());
        assert!(bad.verify(&e.genesis).is_err());
        let mut bad = cert.clone();
        bad.header.timestamp_ms += 1;
        assert!(bad.verify(&e.genesis).unwrap_err().to_string().contains("signature"));
        let mut other = e.genesis.clone();
        other.chain_id = 6;
        assert!(cert.verify(&other).is_err());
    }
}

#[test]
fn state_root_is_deterministic_and_provable() {
    let a = env(Suite::Standard, 0);
    let b = env(Suite::Standard, 0);
    let to = Address([3; 20]);
    let (oa, ha) = commit(&a, vec![tx(&a, 0, 0, 0, Payload::Transfer { to, amount: 7 })]);
    let (ob, hb) = commit(&b, vec![tx(&b, 0, 0, 0, Payload::Transfer { to, amount: 7 })]);
    assert_eq!(oa.state_root, ob.state_root);
    assert_eq!(ha.hash(Suite::Standard), hb.hash(Suite::Standard));
    let r = a.store.reader().unwrap();
    let key = keys::account(&to);
    let value = r.state_get(&key).unwrap().unwrap();
    let proof = r.state_proof(Suite::Standard, &ha.state_root, &key).unwrap();
    proof
        .verify(
            hechain_crypto::sha256,
            &ha.state_root.0,
            &hechain_crypto::sha256(&key),
            Some(&hechain_crypto::sha256(&value)),
        )
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Random transfers with fees: total supply only shrinks by the fees charged,
    /// no balance goes negative, and the root equals a from-scratch recomputation.
    #[test]
    fn transfers_conserve_supply(ops in proptest::collection::vec((0usize..4, 0usize..5, 0u128..700), 1..30)) {
        let e = env(Suite::Standard, 1);
        let mut nonces = [0u64; 4];
        let recipients: Vec<Address> = e.keys.iter().map(|k| Address(k.address())).chain([Address([0xaa; 20])]).collect();
        let txs: Vec<_> = ops.iter().map(|&(from, to, amount)| {
            let t = tx(&e, from, nonces[from], 1, Payload::Transfer { to: recipients[to], amount });
            nonces[from] += 1;
            t
        }).collect();
        let (out, header) = commit(&e, txs);
        let fees: u128 = out.receipts.iter().map(|r| r.fee_charged as u128).sum();
        let r = e.store.reader().unwrap();
        let total: u128 = recipients.iter().map(|a| account_of(&r, a).unwrap().balance).sum();
        prop_assert_eq!(total + fees, 4_000);
        // Recompute the root from the full state with a fresh tree.
        let all = r.state_scan(b"", None, 10_000).unwrap();
        let batch: BTreeMap<[u8; 32], Option<[u8; 32]>> = all
            .iter()
            .map(|(k, v)| (hechain_crypto::sha256(k), Some(hechain_crypto::sha256(v))))
            .collect();
        let empty: BTreeMap<[u8; 32], hechain_storage::smt::Node> = BTreeMap::new();
        let fresh = hechain_storage::smt::apply(hechain_crypto::sha256, &empty, [0u8; 32], &batch).unwrap();
        prop_assert_eq!(fresh.root, header.state_root.0);
    }
}
