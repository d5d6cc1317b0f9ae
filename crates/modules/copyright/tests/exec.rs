//! The copyright (版权) module over a real store: registration, duplicates, transfers,
//! licenses and their conflicts, every refusal, certificates, and invariants under random
//! operation sequences.

use hechain_types::{CopyrightCall, CopyrightEvent};
use std::collections::BTreeMap;

use hechain_crypto::Suite;
use hechain_execution::certificate::{BuildCertificate, CertifiedRecord, RecordCertificate};
use hechain_execution::{copyright, keys};
use hechain_types::*;
use proptest::prelude::*;

use common::{commit, env, tx, Env};
use hechain_testkit::exec as common;
use hechain_types::copyright::CopyrightRecord;
use hechain_types::modules::ModuleRecords;

fn work_record(w: CopyrightWork) -> CertifiedRecord {
    CertifiedRecord::Module(Box::new(ModuleRecords::Copyright(CopyrightRecord::Work(w))))
}

fn work_mut(r: &mut CertifiedRecord) -> &mut CopyrightWork {
    match r {
        CertifiedRecord::Module(m) => match m.as_mut() {
            ModuleRecords::Copyright(CopyrightRecord::Work(w)) => w,
            other => panic!("not a work: {other:?}"),
        },
    }
}

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

fn register(e: &Env, from: usize, nonce: u64, content: &[u8]) -> SignedTransaction {
    let content_hash = H256(e.genesis.suite().hash(content));
    let payload = Payload::Copyright(CopyrightCall::Register {
        content_hash,
        title: "春江花月夜".into(),
        work_type: "text".into(),
        author: "张若虚".into(),
    });
    tx(e, from, nonce, 0, payload)
}

#[allow(clippy::too_many_arguments)]
fn license(
    e: &Env,
    from: usize,
    nonce: u64,
    work_id: u64,
    to: usize,
    exclusive: bool,
    (start_ms, end_ms): (u64, u64),
    territory: &str,
) -> SignedTransaction {
    let payload = Payload::Copyright(CopyrightCall::License {
        work_id,
        licensee: addr(e, to),
        exclusive,
        start_ms,
        end_ms,
        territory: territory.into(),
    });
    tx(e, from, nonce, 0, payload)
}

fn reason(r: &Receipt) -> &str {
    match &r.status {
        TxStatus::Failed { reason } => reason,
        TxStatus::Success => panic!("expected a refusal, got success: {r:?}"),
    }
}

fn work(e: &Env, id: u64) -> CopyrightWork {
    copyright::work(&e.store.reader().unwrap(), id).unwrap().unwrap()
}

const FAR: u64 = 10_000_000;

#[test]
fn register_duplicate_transfer_and_owner_index() {
    let e = env(Suite::Standard, 0);
    let (out, header) = commit(&e, vec![register(&e, 0, 0, b"poem")]);
    assert_eq!(out.receipts[0].status, TxStatus::Success);
    let h = H256(Suite::Standard.hash(b"poem"));
    assert_eq!(
        out.receipts[0].events,
        vec![Event::Copyright(CopyrightEvent::Registered { id: 1, content_hash: h, owner: addr(&e, 0) })]
    );
    let w = work(&e, 1);
    assert_eq!((w.owner, w.registrant, w.registered.height, w.transfers), (addr(&e, 0), addr(&e, 0), header.height, 0));
    assert_eq!(w.registered.timestamp_ms, header.timestamp_ms);
    assert_eq!(w.registered.tx_hash, out.receipts[0].tx_hash);

    // The same content again, by anyone, is refused and points to the first registration.
    let (out, _) = commit(&e, vec![register(&e, 1, 0, b"poem")]);
    let r = reason(&out.receipts[0]);
    assert!(r.contains(&format!("content hash {h} is already registered: work 1")), "{r}");
    assert!(r.contains(&addr(&e, 0).to_string()), "{r}");

    // Transfers: only the owner, never to itself, unknown works named.
    let t = |from, nonce, work_id, to: usize| {
        tx(&e, from, nonce, 0, Payload::Copyright(CopyrightCall::Transfer { work_id, to: addr(&e, to) }))
    };
    let (out, header) = commit(&e, vec![t(1, 1, 1, 1), t(0, 1, 1, 0), t(0, 2, 9, 1), t(0, 3, 1, 1)]);
    assert!(reason(&out.receipts[0]).contains("only the owner"), "{:?}", out.receipts[0]);
    assert!(reason(&out.receipts[1]).contains("already belongs to"));
    assert!(reason(&out.receipts[2]).contains("no registered work has id 9"));
    assert_eq!(out.receipts[3].status, TxStatus::Success);
    assert_eq!(
        out.receipts[3].events,
        vec![Event::Copyright(CopyrightEvent::Transferred { id: 1, from: addr(&e, 0), to: addr(&e, 1) })]
    );
    let w = work(&e, 1);
    assert_eq!((w.owner, w.registrant, w.transfers, w.updated.height), (addr(&e, 1), addr(&e, 0), 1, header.height));
    let r = e.store.reader().unwrap();
    assert!(r.state_scan(&keys::copyright_owner_prefix(&addr(&e, 0)), None, 10).unwrap().is_empty());
    let owned = r.state_scan(&keys::copyright_owner_prefix(&addr(&e, 1)), None, 10).unwrap();
    assert_eq!(owned.iter().map(|(k, _)| keys::trailing_id(k).unwrap()).collect::<Vec<_>>(), vec![1]);
    // The previous owner can no longer transfer it.
    let (out, _) = commit(&e, vec![t(0, 4, 1, 2)]);
    assert!(reason(&out.receipts[0]).contains("only the owner"));
}

#[test]
fn licenses_conflicts_and_refusals() {
    let e = env(Suite::Standard, 0);
    commit(&e, vec![register(&e, 0, 0, b"song")]);
    let (out, _) = commit(
        &e,
        vec![
            // 1: exclusive in CN.
            license(&e, 0, 1, 1, 1, true, (0, FAR), "CN"),
            // 2: non-exclusive in CN overlapping the exclusive one: refused.
            license(&e, 0, 2, 1, 2, false, (5_000, 6_000), "cn"),
            // 3: non-exclusive in US: fine.
            license(&e, 0, 3, 1, 2, false, (0, FAR), "US"),
            // 4: exclusive worldwide overlaps both: refused.
            license(&e, 0, 4, 1, 3, true, (0, FAR), "worldwide"),
            // 5: exclusive in CN after the first one ends: fine.
            license(&e, 0, 5, 1, 3, true, (FAR, FAR + 5), "CN"),
            // 6: not the owner.
            license(&e, 1, 0, 1, 2, false, (0, FAR), "JP"),
            // 7: licensing the owner itself.
            license(&e, 0, 6, 1, 0, false, (0, FAR), "JP"),
            // 8: a term that has already ended at the block time.
            license(&e, 0, 7, 1, 2, false, (0, 5), "JP"),
            // 9: empty term and empty territory (checked again at execution).
            license(&e, 0, 8, 1, 2, false, (9, 9), "JP"),
            license(&e, 0, 9, 1, 2, false, (0, FAR), " "),
            // 11: unknown work.
            license(&e, 0, 10, 7, 2, false, (0, FAR), "JP"),
        ],
    );
    let ok: Vec<bool> = out.receipts.iter().map(|r| r.status == TxStatus::Success).collect();
    assert_eq!(ok, vec![true, false, true, false, true, false, false, false, false, false, false]);
    assert!(reason(&out.receipts[1]).contains("non-exclusive license conflicts with exclusive license 0 of work 1"));
    assert!(reason(&out.receipts[3]).contains("exclusive license conflicts with exclusive license 0"));
    assert!(reason(&out.receipts[5]).contains("only the owner"));
    assert!(reason(&out.receipts[6]).contains("needs no license"));
    assert!(reason(&out.receipts[7]).contains("before the block time"));
    assert!(reason(&out.receipts[8]).contains("term is empty"));
    assert!(reason(&out.receipts[9]).contains("territory is empty"));
    assert!(reason(&out.receipts[10]).contains("no registered work has id 7"));
    assert_eq!(
        out.receipts[2].events,
        vec![Event::Copyright(CopyrightEvent::Licensed { id: 1, index: 1, licensee: addr(&e, 2), exclusive: false })]
    );

    let w = work(&e, 1);
    assert_eq!(w.licenses, 3);
    let ls = copyright::licenses(&e.store.reader().unwrap(), &w).unwrap();
    assert_eq!(
        ls.iter().map(|l| (l.index, l.territory.as_str())).collect::<Vec<_>>(),
        vec![(0, "CN"), (1, "US"), (2, "CN")]
    );

    // Licenses bind the work: they survive a transfer, and the new owner grants the next ones.
    commit(&e, vec![tx(&e, 0, 11, 0, Payload::Copyright(CopyrightCall::Transfer { work_id: 1, to: addr(&e, 2) }))]);
    let (out, _) = commit(
        &e,
        vec![license(&e, 0, 12, 1, 1, false, (0, FAR), "JP"), license(&e, 2, 0, 1, 1, false, (0, FAR), "JP")],
    );
    assert!(reason(&out.receipts[0]).contains("only the owner"));
    assert_eq!(out.receipts[1].status, TxStatus::Success);
    let w = work(&e, 1);
    assert_eq!(w.licenses, 4);
    assert_eq!(copyright::license(&e.store.reader().unwrap(), 1, 3).unwrap().unwrap().licensor, addr(&e, 2));
}

#[test]
fn certificates_verify_offline_and_detect_tampering() {
    for suite in [Suite::Standard, Suite::Gm] {
        let e = env(suite, 0);
        commit(&e, vec![register(&e, 0, 0, b"film")]);
        commit(&e, vec![license(&e, 0, 1, 1, 1, true, (0, FAR), "CN")]);
        let r = e.store.reader().unwrap();
        let w = copyright::work(&r, 1).unwrap().unwrap();
        let cert = RecordCertificate::build(&r, &e.genesis, work_record(w.clone())).unwrap();
        let v = cert.verify(&e.genesis).unwrap();
        assert_eq!((v.kind, v.height), ("copyright_work", 2), "{suite}");
        assert_eq!(v.signed_by, vec!["v0".to_string()]);
        let json = serde_json::to_string(&cert).unwrap();
        let back: RecordCertificate = serde_json::from_str(&json).unwrap();
        back.verify(&e.genesis).unwrap();

        // Any change to the record, the header or the chain is caught.
        let mut bad = cert.clone();
        work_mut(&mut bad.record).owner = Address([9; 20]);
        assert!(bad.verify(&e.genesis).unwrap_err().to_string().contains("not in the block's state"));
        let mut bad = cert.clone();
        bad.header.state_root = H256([1; 32]);
        assert!(bad.verify(&e.genesis).unwrap_err().to_string().contains("signature"));
        let mut other = e.genesis.clone();
        other.chain_id = 6;
        assert!(cert.verify(&other).is_err());
        // The work record's kind cannot be swapped for a license's.
        let l = copyright::license(&r, 1, 0).unwrap().unwrap();
        let lcert = RecordCertificate::build(
            &r,
            &e.genesis,
            CertifiedRecord::Module(Box::new(ModuleRecords::Copyright(CopyrightRecord::License(l)))),
        )
        .unwrap();
        assert_eq!(lcert.verify(&e.genesis).unwrap().kind, "copyright_license");
        let mut bad = lcert.clone();
        bad.record = cert.record.clone();
        assert!(bad.verify(&e.genesis).is_err());

        // A record that the state no longer holds (stale copy) cannot be certified.
        let mut stale = w.clone();
        stale.transfers = 7;
        assert!(RecordCertificate::build(&r, &e.genesis, work_record(stale)).is_err());
    }
}

/// One random operation: (kind, actor, work, counterparty, start, length, territory, exclusive).
type Op = (u8, usize, u64, usize, u64, u64, usize, bool);

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Random registrations, transfers and licenses from random accounts: every content hash
    /// maps to one work holding it, the owner index lists each work exactly under its owner,
    /// no exclusive license overlaps another license, and the license counters match.
    #[test]
    fn random_operations_keep_the_invariants(ops in proptest::collection::vec(
        (0u8..3, 0usize..4, 1u64..5, 0usize..4, 0u64..3_000, 1u64..3_000, 0usize..3, any::<bool>()), 1..40)
    ) {
        let e = env(Suite::Standard, 0);
        let mut nonces = [0u64; 4];
        let territories = ["CN", "US", "worldwide"];
        let txs: Vec<SignedTransaction> = ops.iter().map(|&(kind, from, work_id, other, start, len, terr, exclusive): &Op| {
            let nonce = nonces[from];
            nonces[from] += 1;
            match kind {
                0 => register(&e, from, nonce, &[(work_id % 3) as u8]),
                1 => tx(&e, from, nonce, 0, Payload::Copyright(CopyrightCall::Transfer { work_id, to: addr(&e, other) })),
                _ => license(&e, from, nonce, work_id, other, exclusive, (start, start + len), territories[terr]),
            }
        }).collect();
        // Spread over a few blocks so that block times move.
        for chunk in txs.chunks(7) {
            commit(&e, chunk.to_vec());
        }
        let r = e.store.reader().unwrap();
        let mut by_owner: BTreeMap<Address, Vec<u64>> = BTreeMap::new();
        let mut id = 1;
        while let Some(w) = copyright::work(&r, id).unwrap() {
            prop_assert_eq!(copyright::work_by_hash(&r, &w.content_hash).unwrap().map(|x| x.id), Some(id));
            by_owner.entry(w.owner).or_default().push(id);
            let ls = copyright::licenses(&r, &w).unwrap();
            prop_assert_eq!(ls.len() as u32, w.licenses);
            for (i, a) in ls.iter().enumerate() {
                prop_assert_eq!(a.index as usize, i);
                for b in &ls[i + 1..] {
                    if a.exclusive || b.exclusive {
                        prop_assert!(!a.overlaps(b.start_ms, b.end_ms, &b.territory), "{:?} overlaps {:?}", a, b);
                    }
                }
            }
            id += 1;
        }
        prop_assert!(id <= 4, "at most three distinct contents exist");
        for k in &e.keys {
            let a = Address(k.address());
            let listed: Vec<u64> = r
                .state_scan(&keys::copyright_owner_prefix(&a), None, 100)
                .unwrap()
                .iter()
                .map(|(k, _)| keys::trailing_id(k).unwrap())
                .collect();
            prop_assert_eq!(listed, by_owner.remove(&a).unwrap_or_default());
        }
        prop_assert!(by_owner.is_empty());
    }
}
