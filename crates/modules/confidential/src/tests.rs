//! The confidential-amounts rules on an in-memory host: the voucher flow end to end with hidden
//! amounts, conservation over random moves, tampered and replayed proofs refused, the auditor.

use curve25519_dalek::scalar::Scalar;
use hechain_module::exec::{BlockInfo, CallContext, ModuleExec, Origin};
use hechain_module::testing::{check_enum, MemHost};
use hechain_module::ValidateContext;
use hechain_primitives::{Address, H256};
use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::exec::FlowKind;
use crate::wallet::{build, open, open_as_auditor, Chain, Opened, Pay};
use crate::*;

const SUITE: hechain_crypto::Suite = hechain_crypto::Suite::Standard;
const GENESIS: H256 = H256([0x6e; 32]);
const ISSUER: Address = Address([1; 20]);
const ALICE: Address = Address([2; 20]);
const BOB: Address = Address([3; 20]);
const AUDITOR_SEED: [u8; 32] = [0xa0; 32];

fn view(a: &Address) -> Scalar {
    seal::view_secret(&[a.0[0]; 32])
}

fn cx(sender: Address, height: u64, proofs_checked: bool) -> CallContext {
    CallContext {
        block: BlockInfo { suite: SUITE, genesis_hash: GENESIS, height, timestamp_ms: 1_000 + height },
        sender,
        tx_hash: H256([height as u8; 32]),
        validate: ValidateContext { modules: &["confidential", "governance"] },
        origin: Origin::Transaction,
        proofs_checked,
    }
}

struct World {
    h: MemHost,
    height: u64,
    rng: ChaCha20Rng,
}

impl World {
    fn new(seed: u64) -> Self {
        let mut w = World { h: MemHost::default(), height: 1, rng: ChaCha20Rng::seed_from_u64(seed) };
        for a in [ISSUER, ALICE, BOB] {
            let key = seal::view_public(&view(&a));
            w.apply(a, ConfidentialCall::RegisterViewKey { view_key: key }).unwrap();
        }
        w
    }

    fn apply(&mut self, sender: Address, call: ConfidentialCall) -> Result<Vec<ConfidentialEvent>, String> {
        self.height += 1;
        ConfidentialModule::apply(&mut self.h, &cx(sender, self.height, false), &call).unwrap()
    }

    fn chain(&self) -> Chain {
        Chain { genesis: GENESIS, suite: SUITE, auditor: exec::auditor(&self.h).unwrap() }
    }

    fn opened(&self, owner: Address) -> Vec<Opened> {
        let ids: Vec<u64> = self
            .h
            .state
            .range(keys::owner_prefix(&owner)..)
            .take_while(|(k, _)| k.starts_with(&keys::owner_prefix(&owner)))
            .map(|(k, _)| u64::from_be_bytes(k[k.len() - 8..].try_into().unwrap()))
            .collect();
        ids.into_iter()
            .map(|id| {
                let n = exec::note(&self.h, id).unwrap().unwrap();
                let cap = exec::asset(&self.h, n.asset).unwrap().unwrap().cap;
                open(SUITE, &view(&owner), &n, cap).unwrap()
            })
            .collect()
    }

    fn pay(&self, to: Address, value: u64) -> Pay {
        Pay { to, view_key: exec::view_key(&self.h, &to).unwrap().unwrap(), value }
    }

    fn flow(&mut self, sender: Address, kind: FlowKind, inputs: &[Opened], outputs: &[Pay]) -> Flow {
        let chain = self.chain();
        build(&chain, (sender, kind), inputs, outputs, &mut self.rng).unwrap()
    }

    fn create(&mut self, cap: u64) -> u64 {
        let ev = self.apply(ISSUER, ConfidentialCall::CreateAsset { name: "voucher line".into(), cap }).unwrap();
        match &ev[0] {
            ConfidentialEvent::AssetCreated { asset, .. } => *asset,
            other => panic!("{other:?}"),
        }
    }

    fn issue(&mut self, asset: u64, to: Address, value: u64) -> Result<Vec<ConfidentialEvent>, String> {
        let a = exec::asset(&self.h, asset).unwrap().unwrap();
        let reserve = self.opened(ISSUER).into_iter().find(|o| o.note.id == a.reserve).unwrap();
        let rest = reserve.value - value;
        let outputs = [self.pay(ISSUER, rest), self.pay(to, value)];
        let flow = self.flow(ISSUER, FlowKind::Issue, &[reserve], &outputs);
        self.apply(ISSUER, ConfidentialCall::Issue { flow })
    }

    /// Every note of the asset, opened by its owner: (reserve, unspent holdings, settled).
    fn totals(&self, asset: u64) -> (u64, u64, u64) {
        let a = exec::asset(&self.h, asset).unwrap().unwrap();
        let (mut reserve, mut held, mut settled) = (0, 0, 0);
        for (k, _) in self.h.state.range(keys::asset_notes_prefix(asset)..) {
            if !k.starts_with(&keys::asset_notes_prefix(asset)) {
                break;
            }
            let n = exec::note(&self.h, u64::from_be_bytes(k[k.len() - 8..].try_into().unwrap())).unwrap().unwrap();
            if n.spent.is_some() {
                continue;
            }
            let v = open(SUITE, &view(&n.owner), &n, a.cap).unwrap().value;
            match n.kind {
                NoteKind::Reserve => reserve += v,
                NoteKind::Holding => held += v,
                NoteKind::Settled => settled += v,
            }
        }
        (reserve, held, settled)
    }
}

#[test]
fn enums_are_consistent() {
    let flow = Flow { inputs: vec![1], outputs: vec![], range_proof: vec![1], balance_proof: vec![2] };
    check_enum::<ConfidentialCall>(&[
        ConfidentialCall::RegisterViewKey { view_key: H256([1; 32]) },
        ConfidentialCall::CreateAsset { name: "x".into(), cap: 5 },
        ConfidentialCall::Issue { flow: flow.clone() },
        ConfidentialCall::Transfer { flow: flow.clone() },
        ConfidentialCall::Settle { flow },
    ]);
    check_enum::<ConfidentialEvent>(&[
        ConfidentialEvent::ViewKeyRegistered { account: ALICE, view_key: H256([1; 32]) },
        ConfidentialEvent::AssetCreated { asset: 1, issuer: ISSUER, cap: 5, reserve: 1 },
        ConfidentialEvent::Moved { asset: 1, kind: "issue".into(), spent: vec![1], created: vec![2, 3] },
    ]);
}

#[test]
fn issue_transfer_split_settle_with_hidden_amounts() {
    let mut w = World::new(1);
    let asset = w.create(1_000_000);
    w.issue(asset, ALICE, 300_000).unwrap();
    assert_eq!(w.totals(asset), (700_000, 300_000, 0));
    // Nothing on chain shows an amount: the new notes hold commitments and sealed bytes only.
    let alice = w.opened(ALICE);
    assert_eq!(alice.iter().map(|o| o.value).collect::<Vec<_>>(), vec![300_000]);
    assert!(open(SUITE, &view(&BOB), &alice[0].note, 0).is_err(), "bob cannot open alice's note");

    // Alice pays Bob 120,000 and keeps the change.
    let outputs = [w.pay(BOB, 120_000), w.pay(ALICE, 180_000)];
    let flow = w.flow(ALICE, FlowKind::Transfer, &alice, &outputs);
    w.apply(ALICE, ConfidentialCall::Transfer { flow }).unwrap();
    // Bob splits his note in three.
    let bob = w.opened(BOB);
    let outputs = [w.pay(BOB, 20_000), w.pay(BOB, 60_000), w.pay(BOB, 40_000)];
    let flow = w.flow(BOB, FlowKind::Transfer, &bob, &outputs);
    w.apply(BOB, ConfidentialCall::Transfer { flow }).unwrap();
    assert_eq!(w.totals(asset), (700_000, 300_000, 0));
    // Bob settles two notes (100,000) with the issuer, who learns the amount to pay.
    let mut bob = w.opened(BOB);
    bob.retain(|o| o.value != 20_000);
    let outputs = [w.pay(ISSUER, 100_000)];
    let flow = w.flow(BOB, FlowKind::Settle, &bob, &outputs);
    let ev = w.apply(BOB, ConfidentialCall::Settle { flow }).unwrap();
    let ConfidentialEvent::Moved { created, .. } = &ev[0] else { panic!() };
    let settled = exec::note(&w.h, created[0]).unwrap().unwrap();
    assert_eq!(settled.kind, NoteKind::Settled);
    assert_eq!(open(SUITE, &view(&ISSUER), &settled, 0).unwrap().value, 100_000);
    assert_eq!(w.totals(asset), (700_000, 200_000, 100_000));
    // A settled note is retired.
    let retired = open(SUITE, &view(&ISSUER), &settled, 0).unwrap();
    let outputs = [w.pay(ALICE, 100_000)];
    let flow = w.flow(ISSUER, FlowKind::Transfer, &[retired], &outputs);
    let err = w.apply(ISSUER, ConfidentialCall::Transfer { flow }).unwrap_err();
    assert!(err.contains("settled and can never be spent"), "{err}");
}

#[test]
fn over_issuing_overspending_and_stealing_are_refused() {
    let mut w = World::new(2);
    let asset = w.create(1_000);
    // The prover cannot even make a range proof for a negative reserve (cap − 1,001 wraps).
    let a = exec::asset(&w.h, asset).unwrap().unwrap();
    let reserve = w.opened(ISSUER).into_iter().find(|o| o.note.id == a.reserve).unwrap();
    let chain = w.chain();
    let outputs = [w.pay(ISSUER, 0), w.pay(ALICE, 1_001)];
    assert!(build(&chain, (ISSUER, FlowKind::Issue), std::slice::from_ref(&reserve), &outputs, &mut w.rng).is_err());
    // A forged move: the outputs hold more than the input, with a range proof that holds and a
    // balance proof made with the wrong blinding difference.
    let mut forged = reserve.clone();
    forged.value = 2_000;
    let outputs = [w.pay(ISSUER, 0), w.pay(ALICE, 2_000)];
    let flow = build(&chain, (ISSUER, FlowKind::Issue), &[forged], &outputs, &mut w.rng).unwrap();
    let err = w.apply(ISSUER, ConfidentialCall::Issue { flow }).unwrap_err();
    assert!(err.contains("balance proof does not verify"), "{err}");
    // Only the issuer issues; nobody spends another's note.
    w.issue(asset, ALICE, 400).unwrap();
    let alice = w.opened(ALICE);
    let outputs = [w.pay(BOB, 400)];
    let flow = build(&w.chain(), (BOB, FlowKind::Transfer), &alice, &outputs, &mut w.rng).unwrap();
    let err = w.apply(BOB, ConfidentialCall::Transfer { flow }).unwrap_err();
    assert!(err.contains("belongs to"), "{err}");
    // A transfer cannot draw on the reserve.
    let reserve = w.opened(ISSUER);
    let outputs = [w.pay(BOB, reserve[0].value)];
    let flow = w.flow(ISSUER, FlowKind::Transfer, &reserve, &outputs);
    let err = w.apply(ISSUER, ConfidentialCall::Transfer { flow }).unwrap_err();
    assert!(err.contains("reserve"), "{err}");
    // An owner without a view key cannot be paid.
    let outputs = [Pay { to: Address([9; 20]), view_key: seal::view_public(&Scalar::ONE), value: 400 }];
    let flow = w.flow(ALICE, FlowKind::Transfer, &alice, &outputs);
    let err = w.apply(ALICE, ConfidentialCall::Transfer { flow }).unwrap_err();
    assert!(err.contains("has no view key"), "{err}");
}

#[test]
fn replayed_and_transplanted_proofs_are_refused() {
    let mut w = World::new(3);
    let asset = w.create(10_000);
    w.issue(asset, ALICE, 5_000).unwrap();
    let alice = w.opened(ALICE);
    let outputs = [w.pay(BOB, 5_000)];
    let flow = w.flow(ALICE, FlowKind::Transfer, &alice, &outputs);
    // The same proofs as a settlement: bound to the call's kind.
    let err = w.apply(ALICE, ConfidentialCall::Settle { flow: flow.clone() }).unwrap_err();
    assert!(err.contains("one output, the issuer's"), "{err}");
    // On another chain: bound to the genesis hash.
    let mut other = cx(ALICE, 99, false);
    other.block.genesis_hash = H256([1; 32]);
    let err = ConfidentialModule::apply(&mut w.h.clone(), &other, &ConfidentialCall::Transfer { flow: flow.clone() })
        .unwrap()
        .unwrap_err();
    assert!(err.contains("balance proof does not verify"), "{err}");
    w.apply(ALICE, ConfidentialCall::Transfer { flow: flow.clone() }).unwrap();
    // Replayed: the note is spent.
    let err = w.apply(ALICE, ConfidentialCall::Transfer { flow }).unwrap_err();
    assert!(err.contains("was spent at height"), "{err}");
}

#[test]
fn every_single_byte_change_to_a_proof_or_an_output_is_refused() {
    let mut w = World::new(4);
    let asset = w.create(10_000);
    w.issue(asset, ALICE, 5_000).unwrap();
    let alice = w.opened(ALICE);
    let outputs = [w.pay(BOB, 1_234), w.pay(ALICE, 3_766)];
    let flow = w.flow(ALICE, FlowKind::Transfer, &alice, &outputs);
    assert_eq!(flow.verify_range(), Ok(()));
    let refused = |f: &Flow, w: &World| -> bool {
        let call = ConfidentialCall::Transfer { flow: f.clone() };
        hechain_module::ModuleCall::verify_proofs(&call).is_err()
            || ConfidentialModule::apply(&mut w.h.clone(), &cx(ALICE, 50, true), &call).unwrap().is_err()
    };
    for i in 0..flow.range_proof.len() {
        let mut f = flow.clone();
        f.range_proof[i] ^= 0x01;
        assert!(refused(&f, &w), "range proof byte {i}");
    }
    for i in 0..flow.balance_proof.len() {
        let mut f = flow.clone();
        f.balance_proof[i] ^= 0x80;
        assert!(refused(&f, &w), "balance proof byte {i}");
    }
    for i in 0..32 {
        let mut f = flow.clone();
        f.outputs[0].commitment.0[i] ^= 0x01;
        assert!(refused(&f, &w), "commitment byte {i}");
    }
    for i in 0..seal::SEALED_LEN {
        let mut f = flow.clone();
        f.outputs[1].sealed[i] ^= 0x01;
        assert!(refused(&f, &w), "sealed byte {i}");
    }
    let mut f = flow.clone();
    f.outputs[0].owner = ISSUER;
    assert!(refused(&f, &w), "owner changed");
    assert!(!refused(&flow, &w));
}

#[test]
fn the_auditor_opens_every_amount_set_by_governance() {
    let mut w = World::new(5);
    let asset = w.create(50_000);
    let auditor = seal::view_secret(&AUDITOR_SEED);
    let key = seal::view_public(&auditor);
    w.h.state.insert(hechain_governance::keys::gov_setting("confidential", exec::AUDITOR_SETTING), key.0.to_vec());
    // A move without an opening for the auditor is refused.
    let a = exec::asset(&w.h, asset).unwrap().unwrap();
    let reserve = w.opened(ISSUER).into_iter().find(|o| o.note.id == a.reserve).unwrap();
    let outputs = [w.pay(ISSUER, 40_000), w.pay(ALICE, 10_000)];
    let blind = Chain { auditor: None, ..w.chain() };
    let flow = build(&blind, (ISSUER, FlowKind::Issue), &[reserve], &outputs, &mut w.rng).unwrap();
    let err = w.apply(ISSUER, ConfidentialCall::Issue { flow }).unwrap_err();
    assert!(err.contains("auditor"), "{err}");
    w.issue(asset, ALICE, 10_000).unwrap();
    let alice = w.opened(ALICE);
    let seen = open_as_auditor(SUITE, &auditor, &alice[0].note, a.cap).unwrap();
    assert_eq!(seen.value, 10_000);
    // Someone else's key opens nothing.
    assert!(open_as_auditor(SUITE, &view(&BOB), &alice[0].note, a.cap).is_err());
}

#[test]
fn an_auditor_setting_proposal_is_checked() {
    use hechain_governance::{Action, GovernanceCall};
    let propose = |key: &str, value: Vec<u8>| GovernanceCall::Propose {
        action: Action::SetModuleSetting { module: "confidential".into(), key: key.into(), value },
        description: String::new(),
    };
    let good = seal::view_public(&Scalar::from(7u64)).0.to_vec();
    assert_eq!(check_setting_proposal(&propose("auditor", good.clone())), Ok(()));
    assert_eq!(check_setting_proposal(&propose("auditor", vec![])), Ok(()));
    assert!(check_setting_proposal(&propose("auditor", vec![1; 31])).unwrap_err().contains("32 bytes"));
    assert!(check_setting_proposal(&propose("auditor", vec![0xff; 32])).unwrap_err().contains("not a Ristretto"));
    assert!(check_setting_proposal(&propose("other", good)).unwrap_err().contains("no setting"));
}

/// One random move: who moves, and into how many outputs (split), or a settlement.
#[derive(Clone, Debug)]
enum Move {
    Issue(u64),
    Pay { from_alice: bool, share: u64, parts: usize },
    Settle { alice: bool },
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    prop::collection::vec(
        prop_oneof![
            (1u64..5_000).prop_map(Move::Issue),
            (any::<bool>(), 0u64..=100, 1usize..=3).prop_map(|(from_alice, share, parts)| Move::Pay {
                from_alice,
                share,
                parts
            }),
            any::<bool>().prop_map(|alice| Move::Settle { alice }),
        ],
        1..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Over any sequence of issues, payments, splits and settlements, the opened notes of the
    /// asset always add up to its cap: nothing is created or destroyed.
    #[test]
    fn amounts_are_conserved(seq in moves(), seed in any::<u64>()) {
        let mut w = World::new(seed);
        let cap = 20_000;
        let asset = w.create(cap);
        for m in seq {
            match m {
                Move::Issue(v) => {
                    let (reserve, _, _) = w.totals(asset);
                    if v <= reserve {
                        w.issue(asset, ALICE, v).unwrap();
                    }
                }
                Move::Pay { from_alice, share, parts } => {
                    let (from, to) = if from_alice { (ALICE, BOB) } else { (BOB, ALICE) };
                    let notes: Vec<Opened> = w.opened(from).into_iter().take(4).collect();
                    let total: u64 = notes.iter().map(|o| o.value).sum();
                    if notes.is_empty() {
                        continue;
                    }
                    let pay = total * share / 100;
                    let mut outs = vec![w.pay(to, pay)];
                    let change = total - pay;
                    for i in 0..parts {
                        let part = change / parts as u64 + if i == 0 { change % parts as u64 } else { 0 };
                        outs.push(w.pay(from, part));
                    }
                    let flow = w.flow(from, FlowKind::Transfer, &notes, &outs);
                    w.apply(from, ConfidentialCall::Transfer { flow }).unwrap();
                }
                Move::Settle { alice } => {
                    let holder = if alice { ALICE } else { BOB };
                    let notes: Vec<Opened> = w.opened(holder).into_iter().take(4).collect();
                    if notes.is_empty() {
                        continue;
                    }
                    let total = notes.iter().map(|o| o.value).sum();
                    let outs = [w.pay(ISSUER, total)];
                    let flow = w.flow(holder, FlowKind::Settle, &notes, &outs);
                    w.apply(holder, ConfidentialCall::Settle { flow }).unwrap();
                }
            }
            let (r, h, s) = w.totals(asset);
            prop_assert_eq!(r + h + s, cap);
        }
    }
}
