//! The confidential-amounts module over a real store, through the block executor on both suites:
//! a block's parallel proof pass refuses a transfer whose range proof was altered (fee charged,
//! nothing spent) while the genuine transfer in the same block commits; openings sealed with the
//! suite's AEAD open for the owner only.

use hechain_confidential::exec::{self, FlowKind};
use hechain_confidential::wallet::{build, open, Chain, Pay};
use hechain_confidential::{seal, ConfidentialCall, ConfidentialEvent};
use hechain_crypto::Suite;
use hechain_testkit::exec::{commit, env, tx, Env};
use hechain_types::{Address, Event, Payload, TxStatus};
use rand_chacha_03::rand_core::SeedableRng;

fn call(e: &Env, from: usize, nonce: u64, c: ConfidentialCall) -> hechain_types::SignedTransaction {
    tx(e, from, nonce, 0, Payload::Confidential(c))
}

fn view(e: &Env, i: usize) -> hechain_confidential::Scalar {
    seal::view_secret(&e.keys[i].derive_secret(seal::VIEW_KEY_PURPOSE))
}

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

fn state(e: &Env) -> hechain_storage::StoreReader {
    e.store.reader().unwrap()
}

#[test]
fn a_block_refuses_an_altered_proof_and_commits_the_genuine_one() {
    for suite in Suite::ALL {
        let e = env(suite, 0);
        let mut rng = rand_chacha_03::ChaCha20Rng::seed_from_u64(7);
        let regs: Vec<_> = (0..3)
            .map(|i| call(&e, i, 0, ConfidentialCall::RegisterViewKey { view_key: seal::view_public(&view(&e, i)) }))
            .collect();
        commit(&e, regs);
        let (out, _) =
            commit(&e, vec![call(&e, 0, 1, ConfidentialCall::CreateAsset { name: "line".into(), cap: 900 })]);
        let Event::Confidential(ConfidentialEvent::AssetCreated { reserve, .. }) = &out.receipts[0].events[0] else {
            panic!("{:?}", out.receipts[0])
        };
        let r = state(&e);
        let chain = Chain { genesis: e.genesis.hash(), suite, auditor: None };
        let key = |i: usize| exec::view_key(&r, &addr(&e, i)).unwrap().unwrap();
        let reserve = open(suite, &view(&e, 0), &exec::note(&r, *reserve).unwrap().unwrap(), 900).unwrap();
        let pays = [
            Pay { to: addr(&e, 0), view_key: key(0), value: 500 },
            Pay { to: addr(&e, 1), view_key: key(1), value: 300 },
            Pay { to: addr(&e, 2), view_key: key(2), value: 100 },
        ];
        let flow = build(&chain, (addr(&e, 0), FlowKind::Issue), &[reserve], &pays, &mut rng).unwrap();
        let (out, _) = commit(&e, vec![call(&e, 0, 2, ConfidentialCall::Issue { flow })]);
        assert_eq!(out.receipts[0].status, TxStatus::Success, "{suite}");
        let Event::Confidential(ConfidentialEvent::Moved { created, .. }) = &out.receipts[0].events[0] else {
            panic!()
        };
        let r = state(&e);
        let one = open(suite, &view(&e, 1), &exec::note(&r, created[1]).unwrap().unwrap(), 900).unwrap();
        let two = open(suite, &view(&e, 2), &exec::note(&r, created[2]).unwrap().unwrap(), 900).unwrap();
        assert_eq!((one.value, two.value), (300, 100));
        assert!(open(suite, &view(&e, 2), &one.note, 900).is_err(), "account 2 cannot open account 1's note");

        // Account 1 pays 120 to account 2 with an altered range proof; account 2 pays 100 to account 1
        // genuinely. One block: the first fails with the reason (fee and nonce taken, note
        // unspent), the second commits.
        let mut bad = build(
            &chain,
            (addr(&e, 1), FlowKind::Transfer),
            std::slice::from_ref(&one),
            &[
                Pay { to: addr(&e, 2), view_key: key(2), value: 120 },
                Pay { to: addr(&e, 1), view_key: key(1), value: 180 },
            ],
            &mut rng,
        )
        .unwrap();
        bad.range_proof[40] ^= 0x10;
        let good = build(
            &chain,
            (addr(&e, 2), FlowKind::Transfer),
            &[two],
            &[Pay { to: addr(&e, 1), view_key: key(1), value: 100 }],
            &mut rng,
        )
        .unwrap();
        let (out, _) = commit(
            &e,
            vec![
                tx(&e, 1, 1, 3, Payload::Confidential(ConfidentialCall::Transfer { flow: bad })),
                call(&e, 2, 1, ConfidentialCall::Transfer { flow: good }),
            ],
        );
        match &out.receipts[0].status {
            TxStatus::Failed { reason } => assert!(reason.contains("range proof"), "{suite}: {reason}"),
            TxStatus::Success => panic!("{suite}: an altered range proof was accepted"),
        }
        assert_eq!(out.receipts[0].fee_charged, 3);
        assert_eq!(out.receipts[1].status, TxStatus::Success, "{suite}");
        let r = state(&e);
        assert_eq!(exec::note(&r, one.note.id).unwrap().unwrap().spent, None, "{suite}");
        let held: u64 = [1usize, 2]
            .iter()
            .flat_map(|i| {
                let prefix = hechain_confidential::keys::owner_prefix(&addr(&e, *i));
                hechain_module::exec::StateScan::scan(&r, &prefix, None, 100)
                    .unwrap()
                    .into_iter()
                    .map(move |(k, _)| (*i, u64::from_be_bytes(k[k.len() - 8..].try_into().unwrap())))
            })
            .map(|(i, id)| open(suite, &view(&e, i), &exec::note(&r, id).unwrap().unwrap(), 900).unwrap().value)
            .sum();
        assert_eq!(held, 400, "{suite}: the holdings still add up");
    }
}
