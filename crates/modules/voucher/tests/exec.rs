//! Receivable vouchers over a real store: issue, split/transfer, pledge/release, settle, every
//! refusal, lineage, certificates, and the invariants under random operation sequences.

use hechain_crypto::Suite;
use hechain_execution::certificate::{BuildCertificate, CertifiedRecord, RecordCertificate};
use hechain_execution::{account_of, voucher};
use hechain_types::*;
use hechain_types::{VoucherCall, VoucherEvent};
use proptest::prelude::*;

use common::{commit, env, tx, Env};
use hechain_testkit::exec as common;
use hechain_types::modules::ModuleRecords;
use hechain_types::voucher::VoucherRecord;

fn record(r: VoucherRecord) -> CertifiedRecord {
    CertifiedRecord::Module(Box::new(ModuleRecords::Voucher(r)))
}

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

fn out(e: &Env, to: usize, amount: u128) -> SplitOutput {
    SplitOutput { to: addr(e, to), amount }
}

fn reason(r: &Receipt) -> &str {
    match &r.status {
        TxStatus::Failed { reason } => reason,
        TxStatus::Success => panic!("expected a refusal, got success: {r:?}"),
    }
}

fn part(e: &Env, id: u64) -> VoucherPart {
    voucher::part(&e.store.reader().unwrap(), id).unwrap().unwrap()
}

/// Block times in the harness start at 1,010 ms and grow by 10 ms per block.
const MATURITY: u64 = 1_100;

#[test]
fn issue_split_pledge_settle_and_refusals() {
    let e = env(Suite::Standard, 0);
    let issue = Payload::Voucher(VoucherCall::Issue {
        holder: addr(&e, 1),
        amount: 600,
        maturity_ms: MATURITY,
        reference: H256([7; 32]),
    });
    let (o, _) = commit(&e, vec![tx(&e, 0, 0, 0, issue)]);
    assert_eq!(
        o.receipts[0].events,
        vec![Event::Voucher(VoucherEvent::Issued {
            id: 1,
            issuer: addr(&e, 0),
            holder: addr(&e, 1),
            amount: 600,
            part: 1
        })]
    );

    let split = |from, nonce, part_id, outputs| {
        tx(&e, from, nonce, 0, Payload::Voucher(VoucherCall::Split { part_id, outputs }))
    };
    let (o, _) = commit(
        &e,
        vec![
            split(2, 0, 1, vec![out(&e, 2, 600)]),                  // not the holder
            split(1, 0, 1, vec![out(&e, 2, 500)]),                  // sum too small
            split(1, 1, 1, vec![out(&e, 2, 400), out(&e, 1, 200)]), // ok: parts 2, 3
            split(1, 2, 1, vec![out(&e, 2, 600)]),                  // spent already
            split(1, 3, 9, vec![out(&e, 2, 600)]),                  // unknown part
        ],
    );
    assert!(reason(&o.receipts[0]).contains("only the holder"));
    assert!(reason(&o.receipts[1]).contains("sum to 500 but part 1 holds 600"));
    assert_eq!(
        o.receipts[2].events,
        vec![Event::Voucher(VoucherEvent::Split { voucher: 1, part: 1, children: vec![2, 3] })]
    );
    assert!(reason(&o.receipts[3]).contains("already split into parts [2, 3]"));
    assert!(reason(&o.receipts[4]).contains("no voucher part has id 9"));

    // Pledge part 2 to the bank (account 3): it cannot move; only the bank releases it.
    let p = |from, nonce, payload| tx(&e, from, nonce, 0, payload);
    let (o, _) = commit(
        &e,
        vec![
            p(2, 1, Payload::Voucher(VoucherCall::Pledge { part_id: 2, bank: addr(&e, 3) })),
            p(2, 2, Payload::Voucher(VoucherCall::Split { part_id: 2, outputs: vec![out(&e, 1, 400)] })),
            p(1, 4, Payload::Voucher(VoucherCall::Release { part_id: 2 })),
            p(3, 0, Payload::Voucher(VoucherCall::Release { part_id: 3 })),
        ],
    );
    assert_eq!(o.receipts[0].status, TxStatus::Success);
    assert!(reason(&o.receipts[1]).contains("pledged to"));
    assert!(reason(&o.receipts[2]).contains("only the bank"));
    assert!(reason(&o.receipts[3]).contains("is not pledged"));

    // Before maturity nothing settles; the issuer alone settles.
    let settle = |from, nonce| tx(&e, from, nonce, 0, Payload::Voucher(VoucherCall::Settle { voucher_id: 1 }));
    let (o, _) = commit(&e, vec![settle(0, 1), settle(1, 5)]);
    assert!(reason(&o.receipts[0]).contains("matures at 1100"));
    assert!(reason(&o.receipts[1]).contains("only the issuer"));
    // Let it mature: then parts no longer move.
    while e.store.reader().unwrap().head().unwrap().timestamp_ms < MATURITY {
        commit::<ChainTx>(&e, vec![]);
    }
    let (o, _) = commit(&e, vec![split(1, 6, 3, vec![out(&e, 2, 200)])]);
    assert!(reason(&o.receipts[0]).contains("matured"));
    let before: Vec<u128> =
        (0..4).map(|i| account_of(&e.store.reader().unwrap(), &addr(&e, i)).unwrap().balance).collect();
    let (o, _) = commit(&e, vec![settle(0, 2), settle(0, 3)]);
    assert_eq!(o.receipts[0].status, TxStatus::Success, "{:?}", o.receipts[0]);
    assert!(o.receipts[0].events.contains(&Event::Voucher(VoucherEvent::Settled { id: 1, paid: 600, parts: 2 })));
    assert!(reason(&o.receipts[1]).contains("already settled"));
    let after: Vec<u128> =
        (0..4).map(|i| account_of(&e.store.reader().unwrap(), &addr(&e, i)).unwrap().balance).collect();
    // The issuer paid 600: 400 to the bank (pledged part 2), 200 to holder 1 (part 3).
    assert_eq!(
        (before[0] - after[0], after[3] - before[3], after[1] - before[1], after[2] - before[2]),
        (600, 400, 200, 0)
    );
    assert_eq!(part(&e, 2).status, PartStatus::Settled { paid_to: addr(&e, 3) });

    // Lineage of part 3: itself, then the issued part.
    let chain = voucher::lineage(&e.store.reader().unwrap(), 3).unwrap().unwrap();
    assert_eq!(chain.iter().map(|p| p.id).collect::<Vec<_>>(), vec![3, 1]);
}

#[test]
fn issue_refusals_and_insufficient_settlement_balance() {
    let e = env(Suite::Standard, 0);
    let issue = |to: usize, amount, maturity_ms| {
        Payload::Voucher(VoucherCall::Issue { holder: addr(&e, to), amount, maturity_ms, reference: H256::ZERO })
    };
    let (o, _) = commit(
        &e,
        vec![
            tx(&e, 0, 0, 0, issue(0, 5, MATURITY)),
            tx(&e, 0, 1, 0, issue(1, 5, 10)),
            tx(&e, 0, 2, 0, issue(1, 0, MATURITY)),
            tx(&e, 0, 3, 0, issue(1, 5_000, MATURITY)),
        ],
    );
    assert!(reason(&o.receipts[0]).contains("to itself"));
    assert!(reason(&o.receipts[1]).contains("not after the block time"));
    assert!(reason(&o.receipts[2]).contains("must be positive"));
    assert_eq!(o.receipts[3].status, TxStatus::Success);
    while e.store.reader().unwrap().head().unwrap().timestamp_ms < MATURITY {
        commit::<ChainTx>(&e, vec![]);
    }
    // Genesis balance is 1,000: a 5,000 voucher cannot be settled; nothing changes.
    let (o, _) = commit(&e, vec![tx(&e, 0, 4, 0, Payload::Voucher(VoucherCall::Settle { voucher_id: 1 }))]);
    assert!(reason(&o.receipts[0]).contains("insufficient balance to settle voucher 1"));
    assert!(voucher::voucher(&e.store.reader().unwrap(), 1).unwrap().unwrap().settled.is_none());
}

#[test]
fn part_certificates_verify_offline() {
    let e = env(Suite::Gm, 0);
    let issue = Payload::Voucher(VoucherCall::Issue {
        holder: addr(&e, 1),
        amount: 9,
        maturity_ms: MATURITY,
        reference: H256([1; 32]),
    });
    commit(&e, vec![tx(&e, 0, 0, 0, issue)]);
    commit(
        &e,
        vec![tx(
            &e,
            1,
            0,
            0,
            Payload::Voucher(VoucherCall::Split { part_id: 1, outputs: vec![out(&e, 2, 4), out(&e, 1, 5)] }),
        )],
    );
    let r = e.store.reader().unwrap();
    let p = voucher::part(&r, 2).unwrap().unwrap();
    let cert = RecordCertificate::build(&r, &e.genesis, record(VoucherRecord::Part(p))).unwrap();
    assert_eq!(cert.verify(&e.genesis).unwrap().kind, "voucher_part");
    let mut bad = cert.clone();
    match &mut bad.record {
        CertifiedRecord::Module(m) => match m.as_mut() {
            ModuleRecords::Voucher(VoucherRecord::Part(p)) => p.amount = 9,
            other => panic!("not a part: {other:?}"),
        },
    }
    assert!(bad.verify(&e.genesis).is_err());
    let v = voucher::voucher(&r, 1).unwrap().unwrap();
    let vc = RecordCertificate::build(&r, &e.genesis, record(VoucherRecord::Voucher(v))).unwrap();
    assert_eq!(vc.verify(&e.genesis).unwrap().kind, "voucher");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Random splits, transfers, pledges, releases and settlements by random accounts: the live
    /// parts of every voucher always sum to its face value (and to nothing once settled), every
    /// part is live at most once and spent parts hold their children, and native balances are
    /// conserved (settlement only moves value).
    #[test]
    fn random_operations_keep_sums_and_prevent_double_spends(ops in proptest::collection::vec(
        (0u8..5, 0usize..4, 1u64..12, 0usize..4, 1u128..400, 0usize..3), 1..40)
    ) {
        let e = env(Suite::Standard, 0);
        let mut nonces = [0u64; 4];
        let mut next = |from: usize| { let n = nonces[from]; nonces[from] += 1; n };
        let issues = vec![
            tx(&e, 0, next(0), 0, Payload::Voucher(VoucherCall::Issue { holder: addr(&e, 1), amount: 500, maturity_ms: 1_200, reference: H256::ZERO })),
            tx(&e, 3, next(3), 0, Payload::Voucher(VoucherCall::Issue { holder: addr(&e, 2), amount: 300, maturity_ms: 1_060, reference: H256::ZERO })),
        ];
        commit(&e, issues);
        let txs: Vec<SignedTransaction> = ops.iter().map(|&(kind, from, id, other, amount, n_out)| {
            let payload = match kind {
                0 | 1 => {
                    // Split part `id` into n_out+1 outputs: `amount` to `other`, the rest spread.
                    let mut outputs = vec![out(&e, other, amount)];
                    for k in 0..n_out { outputs.push(out(&e, (other + k + 1) % 4, 1 + k as u128)); }
                    Payload::Voucher(VoucherCall::Split { part_id: id, outputs })
                }
                2 => Payload::Voucher(VoucherCall::Pledge { part_id: id, bank: addr(&e, other) }),
                3 => Payload::Voucher(VoucherCall::Release { part_id: id }),
                _ => Payload::Voucher(VoucherCall::Settle { voucher_id: 1 + id % 2 }),
            };
            tx(&e, from, next(from), 0, payload)
        }).collect();
        for chunk in txs.chunks(5) {
            commit(&e, chunk.to_vec());
        }
        let r = e.store.reader().unwrap();
        let balances: u128 = (0..4).map(|i| account_of(&r, &addr(&e, i)).unwrap().balance).sum();
        prop_assert_eq!(balances, 4_000);
        let mut seen_live = std::collections::BTreeSet::new();
        for vid in 1..=2u64 {
            let v = voucher::voucher(&r, vid).unwrap().unwrap();
            let live: Vec<VoucherPart> = v.live_parts.iter().map(|p| voucher::part(&r, *p).unwrap().unwrap()).collect();
            if v.settled.is_some() {
                prop_assert!(live.is_empty());
            } else {
                prop_assert_eq!(live.iter().map(|p| p.amount).sum::<u128>(), v.amount);
            }
            for p in &live {
                prop_assert!(seen_live.insert(p.id), "part {} live twice", p.id);
                let live_state = matches!(p.status, PartStatus::Active | PartStatus::Pledged { .. });
                prop_assert!(live_state, "part {} is live but {:?}", p.id, p.status);
                prop_assert_eq!(p.voucher_id, vid);
            }
        }
        // Every spent part's children sum to it; no live part is also spent.
        let mut id = 1;
        while let Some(p) = voucher::part(&r, id).unwrap() {
            if p.status == PartStatus::Spent {
                let sum: u128 = p.children.iter().map(|c| voucher::part(&r, *c).unwrap().unwrap().amount).sum();
                prop_assert_eq!(sum, p.amount);
                prop_assert!(!seen_live.contains(&p.id));
            }
            id += 1;
        }
    }
}
