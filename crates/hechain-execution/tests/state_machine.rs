//! The state machine over a real redb store: transfers, fees, failures,
//! evidence, certificates (also across validator-set changes), and determinism.

use hechain_types::{CopyrightCall, EvidenceCall, GovernanceCall, TransferCall, TransferEvent};
use std::collections::BTreeMap;

use hechain_crypto::{NodeKey, Suite};
use hechain_execution::certificate::{
    BuildCertificate, CertError, CertifiedRecord, EpochProof, EvidenceCertificate, RecordCertificate,
};
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
            tx(&e, 0, 0, 2, Payload::Transfer(TransferCall::Transfer { to, amount: 100 })),
            // Insufficient balance: fails, nonce and fee consumed.
            tx(&e, 0, 1, 2, Payload::Transfer(TransferCall::Transfer { to, amount: 10_000 })),
            // Wrong nonce: fails without any charge.
            tx(&e, 0, 5, 2, Payload::Transfer(TransferCall::Transfer { to, amount: 1 })),
            // Fee below minimum: fails without charge.
            tx(&e, 2, 0, 1, Payload::Transfer(TransferCall::Transfer { to, amount: 1 })),
        ],
    );
    assert_eq!(out.receipts[0].status, TxStatus::Success);
    assert_eq!(
        out.receipts[0].events,
        vec![Event::Transfer(TransferEvent::Transfer { from: Address(e.keys[0].address()), to, amount: 100 })]
    );
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
        let put = |from, nonce| {
            tx(&e, from, nonce, 0, Payload::Evidence(EvidenceCall::Put { content_hash: h, meta: meta.clone() }))
        };
        let (out, header) = commit(
            &e,
            vec![
                tx(&e, 3, 0, 0, Payload::Transfer(TransferCall::Transfer { to: Address([1; 20]), amount: 1 })),
                put(0, 0),
            ],
        );
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
        // The validators never changed: no epoch changes.
        assert!(cert.epochs.changes.is_empty());
        assert_eq!((v.epoch, v.signed_by.clone()), (0, vec!["v0".to_string()]));
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
    let (oa, ha) = commit(&a, vec![tx(&a, 0, 0, 0, Payload::Transfer(TransferCall::Transfer { to, amount: 7 }))]);
    let (ob, hb) = commit(&b, vec![tx(&b, 0, 0, 0, Payload::Transfer(TransferCall::Transfer { to, amount: 7 }))]);
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
            let t = tx(&e, from, nonces[from], 1, Payload::Transfer(TransferCall::Transfer { to: recipients[to], amount }));
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

// ------------------------------------------------------------------ certificates across epochs

/// A chain of four validators (`v0`..`v3`) whose blocks carry real quorum seals, governed by a
/// committee of keys 0, 1 and 2 (two of three pass a proposal).
struct Chain {
    e: Env,
    /// Every node that ever was a validator, by name.
    nodes: Vec<(String, NodeKey)>,
    nonces: [u64; 4],
}

fn node_key(seed: u8) -> NodeKey {
    NodeKey::from_bytes(Suite::Standard, &[seed; 32]).unwrap()
}

use common::org_node as node_info;

impl Chain {
    fn new() -> Chain {
        let nodes: Vec<(String, NodeKey)> = (0..5u8).map(|i| (format!("v{i}"), node_key(10 + i))).collect();
        let e = env(Suite::Standard, 0);
        let committee: Vec<Address> = (0..3).map(|i| Address(e.keys[i].address())).collect();
        let genesis_set: Vec<ValidatorInfo> = nodes[..4].iter().map(|(n, k)| node_info(n, k)).collect();
        let e = common::with_genesis(e, |g| common::consortium(g, genesis_set, &committee));
        Chain { e, nodes, nonces: [0; 4] }
    }

    fn node(&self, name: &str) -> &NodeKey {
        &self.nodes.iter().find(|(n, _)| n == name).expect("known node").1
    }

    fn tx(&mut self, from: usize, payload: Payload) -> ChainTx {
        let nonce = self.nonces[from];
        self.nonces[from] += 1;
        tx(&self.e, from, nonce, 0, payload).into()
    }

    fn put(&mut self, content: u8) -> ChainTx {
        self.tx(3, Payload::Evidence(EvidenceCall::Put { content_hash: H256([content; 32]), meta: Default::default() }))
    }

    /// Proposes `action` (key 0) and approves it (key 1) in one block.
    fn change(&mut self, action: Action) -> [ChainTx; 2] {
        let id = hechain_execution::governance::next_proposal_id(&self.e.store.reader().unwrap()).unwrap();
        [
            self.tx(0, Payload::Governance(GovernanceCall::Propose { action, description: "membership".into() })),
            self.tx(1, Payload::Governance(GovernanceCall::Vote { proposal: id, approve: true })),
        ]
    }

    /// Commits a block of `txs` sealed by the validators at `indexes` of the set in force.
    fn commit(&self, txs: Vec<ChainTx>, indexes: &[u32]) -> BlockHeader {
        let set = hechain_execution::governance::membership(&self.e.store.reader().unwrap()).unwrap().validators;
        let (out, header) = common::commit_block_sealed(&self.e.store, &self.e.genesis, txs, 10, |msg| Seal {
            signatures: indexes
                .iter()
                .map(|&i| ValidatorSignature {
                    validator: i,
                    signature: self.node(&set[i as usize].name).sign(msg).0.to_vec(),
                })
                .collect(),
        });
        for r in &out.receipts {
            assert_eq!(r.status, TxStatus::Success, "{r:?}");
        }
        header
    }

    fn evidence_cert(&self, id: u64) -> EvidenceCertificate {
        EvidenceCertificate::build(&self.e.store.reader().unwrap(), &self.e.genesis, id).unwrap()
    }
}

fn err<E: std::fmt::Display>(result: Result<impl std::fmt::Debug, E>) -> String {
    result.expect_err("the certificate must not verify").to_string()
}

fn has(msg: &str, part: &str) {
    assert!(msg.contains(part), "{msg:?} does not say {part:?}");
}

/// Blocks: 1 evidence 1 (epoch 0); 2 adds `v4` and stores evidence 2 (ends epoch 0); 3 stores
/// evidence 3, sealed by `v0`..`v3` alone (a quorum of epoch 1's five, and also of the genesis
/// set); 4 removes `v0`, sealed with `v4`'s signature (ends epoch 1); 5 stores evidence 4 (epoch
/// 2, set `v1`..`v4`, sealed by `v2`, `v3`, `v4`).
fn epoch_chain() -> (Chain, Vec<BlockHeader>) {
    let mut c = Chain::new();
    let mut headers = vec![c.e.store.reader().unwrap().header(0).unwrap().unwrap()];
    let t = vec![c.put(1)];
    headers.push(c.commit(t, &[0, 1, 2]));
    let v4 = node_info("v4", c.node("v4"));
    let mut t = c.change(Action::AddValidator { node: v4 }).to_vec();
    t.push(c.put(2));
    headers.push(c.commit(t, &[0, 1, 2, 3]));
    let t = vec![c.put(3)];
    headers.push(c.commit(t, &[0, 1, 2, 3]));
    let t = c.change(Action::RemoveValidator { name: "v0".into() }).to_vec();
    headers.push(c.commit(t, &[1, 2, 3, 4]));
    let t = vec![c.put(4)];
    headers.push(c.commit(t, &[1, 2, 3]));
    let m = hechain_execution::governance::membership(&c.e.store.reader().unwrap()).unwrap();
    assert_eq!((m.epoch, m.start_height), (2, 5));
    (c, headers)
}

#[test]
fn certificates_verify_across_validator_set_changes() {
    let (mut c, headers) = epoch_chain();
    let g = &c.e.genesis.clone();
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    // After both changes: two epoch changes, signed by the set of epoch 2.
    let cert = c.evidence_cert(4);
    assert_eq!(cert.epochs.changes.len(), 2);
    assert_eq!(cert.epochs.next_membership, None);
    let v = cert.verify(g).unwrap();
    assert_eq!((v.id, v.height, v.epoch), (4, 5, 2));
    assert_eq!(v.signed_by, names(&["v2", "v3", "v4"]));
    let steps: Vec<(u64, u64, H256)> = v.epoch_changes.iter().map(|s| (s.epoch, s.height, s.block_hash)).collect();
    assert_eq!(
        steps,
        vec![(1, 2, headers[2].hash(Suite::Standard)), (2, 4, headers[4].hash(Suite::Standard))],
        "the boundary blocks, which a verifier can pin"
    );
    let json = serde_json::to_string(&cert).unwrap();
    let back: EvidenceCertificate = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cert);
    back.verify(g).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "hechain-evidence-certificate/2");
    assert_eq!(value["epochs"]["changes"][1]["membership"]["epoch"], 2);

    // Before the first change: no epoch changes, the genesis set.
    let v = c.evidence_cert(1).verify(g).unwrap();
    assert_eq!((v.height, v.epoch, v.epoch_changes.len()), (1, 0, 0));
    assert_eq!(v.signed_by, names(&["v0", "v1", "v2"]));
    assert!(c.evidence_cert(1).epochs.changes.is_empty());

    // In the boundary block itself: still epoch 0, and the block's state shows that epoch 1
    // starts right after it.
    let cert = c.evidence_cert(2);
    assert!(cert.epochs.changes.is_empty());
    assert_eq!(cert.epochs.next_membership.as_ref().map(|m| (m.epoch, m.start_height)), Some((1, 3)));
    let v = cert.verify(g).unwrap();
    assert_eq!((v.height, v.epoch), (2, 0));
    assert_eq!(v.signed_by, names(&["v0", "v1", "v2", "v3"]));
    let mut bad = cert.clone();
    bad.epochs.next_membership = None;
    has(&err(bad.verify(g)), "an epoch change is missing");

    // In epoch 1, sealed by the four genesis validators.
    let cert = c.evidence_cert(3);
    let v = cert.verify(g).unwrap();
    assert_eq!((v.height, v.epoch), (3, 1));
    assert_eq!(v.signed_by, names(&["v0", "v1", "v2", "v3"]));

    // A change of organisations or observers later keeps the epoch and does not stop the
    // certificates of older blocks from being built.
    let t = c.change(Action::AddObserver { node: node_info("obs", &node_key(40)) }).to_vec();
    c.commit(t, &[0, 1, 2]);
    c.evidence_cert(4).verify(g).unwrap();
    c.evidence_cert(3).verify(g).unwrap();
}

#[test]
fn an_epoch_proof_that_is_tampered_with_fails_with_the_reason() {
    let (c, headers) = epoch_chain();
    let g = &c.e.genesis;
    let suite = Suite::Standard;
    let r = c.e.store.reader().unwrap();
    let cert = c.evidence_cert(4);
    cert.verify(g).unwrap();
    let tampered = |f: &dyn Fn(&mut EpochProof)| {
        let mut bad = cert.clone();
        f(&mut bad.epochs);
        err(bad.verify(g))
    };

    // A change's seal: a signature, a missing signature.
    let e = tampered(&|p| p.changes[0].seal.signatures[0].signature[0] ^= 1);
    has(&e, "epoch change 1 (block 2)");
    has(&e, "does not verify");
    let e = tampered(&|p| {
        p.changes[1].seal.signatures.pop();
    });
    has(&e, "epoch change 2 (block 4): seal has 3 signatures, a quorum is 4");
    // A change's header (its seal no longer covers it) or its chain id.
    has(&tampered(&|p| p.changes[0].header.state_root = H256([1; 32])), "epoch change 1 (block 2)");
    has(&tampered(&|p| p.changes[0].header.chain_id = 6), "chain id 6 is not the genesis's 5");
    // A change's membership: an extra validator, another epoch number, another start.
    let e = tampered(&|p| p.changes[0].membership.validators.push(node_info("mallory", &node_key(66))));
    has(&e, "epoch change 1 (block 2): the membership is not in the block's state");
    has(&tampered(&|p| p.changes[1].membership.epoch = 3), "epoch change 2 (block 4): the membership is of epoch 3");
    has(&tampered(&|p| p.changes[1].membership.start_height = 9), "the membership starts at height 9");
    // A change's proof: another key's proof, a changed sibling.
    let e = tampered(&|p| p.changes[1].membership_proof = p.changes[0].membership_proof.clone());
    has(&e, "epoch change 2 (block 4): the membership is not in the block's state");
    let e = tampered(&|p| p.changes[0].membership_proof.siblings[0][0] ^= 1);
    has(&e, "epoch change 1 (block 2): the membership is not in the block's state");
    // Dropping the last change: epoch 1's set did not seal block 5.
    let e = tampered(&|p| {
        p.changes.pop();
    });
    has(&e, "seal has 3 signatures, a quorum is 4");
    // Dropping the first change, reordering, repeating.
    has(&tampered(&|p| drop(p.changes.remove(0))), "epoch change 1 (block 4)");
    has(&tampered(&|p| p.changes.swap(0, 1)), "epoch change 1 (block 4)");
    let e = tampered(&|p| p.changes[1] = p.changes[0].clone());
    has(&e, "epoch change 2 (block 2): the block is before the start of epoch 1 at height 3");
    // A final proof of another block's state.
    let other = c.evidence_cert(1).epochs.next_proof;
    has(&tampered(&|p| p.next_proof = other.clone()), "block 5 is not shown to be in epoch 2");

    // Block 3 (epoch 1) is sealed by v0..v3, which the genesis set would accept: only the final
    // proof stops a certificate that leaves out the change before it.
    let cert3 = c.evidence_cert(3);
    cert3.verify(g).unwrap();
    let genesis_keys = g.validator_keys().unwrap();
    hechain_execution::certificate::verify_seal(g, &genesis_keys, &cert3.header, &cert3.seal).unwrap();
    let claim_epoch0 = |f: &dyn Fn(&mut EpochProof)| {
        let mut bad = cert3.clone();
        bad.epochs.changes.clear();
        f(&mut bad.epochs);
        err(bad.verify(g))
    };
    let e = claim_epoch0(&|_| {});
    has(&e, "block 3 is not shown to be in epoch 0");
    has(&e, "an epoch change is missing");
    // … with the block's real record of epoch 1, presented as absent or as starting after it;
    let epoch1 = r.state_proof(suite, &headers[3].state_root, &hechain_execution::keys::gov_epoch(1)).unwrap();
    has(&claim_epoch0(&|p| p.next_proof = epoch1.clone()), "epoch 1 must be absent from its state");
    let e = claim_epoch0(&|p| {
        p.next_membership = Some(cert.epochs.changes[0].membership.clone());
        p.next_proof = epoch1.clone();
    });
    has(&e, "(epoch 1, from height 3) does not start epoch 1 right after block 3");
    // … or with a proof of absence from another block's state (block 1, before the change).
    let before = c.evidence_cert(1).epochs.next_proof;
    has(&claim_epoch0(&|p| p.next_proof = before.clone()), "an epoch change is missing");
    // And a certificate whose changes go past its block fails too.
    let mut bad = cert3.clone();
    bad.epochs.changes = cert.epochs.changes.clone();
    has(&err(bad.verify(g)), "block 3 is before epoch 2");
}

#[test]
fn certificates_need_a_quorum_of_the_set_that_sealed_each_block() {
    let (c, _) = epoch_chain();
    let r = || c.e.store.reader().unwrap();
    let short = |height: u64, keep: usize| {
        let mut seal = r().seal(height).unwrap();
        seal.signatures.truncate(keep);
        c.e.store.update_seal(height, &seal).unwrap();
    };
    let full3 = r().seal(3).unwrap();
    let full2 = r().seal(2).unwrap();
    // Block 3 has 4 signatures: a quorum of the genesis set, not of epoch 1's five.
    short(3, 3);
    match EvidenceCertificate::build(&r(), &c.e.genesis, 3) {
        Err(CertError::NotYetCertified { height: 3, signatures: 3, quorum: 4 }) => {}
        other => panic!("{other:?}"),
    }
    c.e.store.update_seal(3, &full3).unwrap();
    // A boundary block whose seal is short holds up the certificates of every later epoch.
    short(2, 2);
    match EvidenceCertificate::build(&r(), &c.e.genesis, 4) {
        Err(CertError::NotYetCertified { height: 2, signatures: 2, quorum: 3 }) => {}
        other => panic!("{other:?}"),
    }
    c.evidence_cert(1).verify(&c.e.genesis).unwrap();
    c.e.store.update_seal(2, &full2).unwrap();
    c.evidence_cert(4).verify(&c.e.genesis).unwrap();
}

#[test]
fn record_certificates_carry_the_epoch_proof_too() {
    let (mut c, _) = epoch_chain();
    let t = vec![c.tx(
        2,
        Payload::Copyright(CopyrightCall::Register {
            content_hash: H256([9; 32]),
            title: "t".into(),
            work_type: "text".into(),
            author: "a".into(),
        }),
    )];
    c.commit(t, &[0, 1, 3]);
    let r = c.e.store.reader().unwrap();
    let w = hechain_execution::copyright::work(&r, 1).unwrap().unwrap();
    let cert = RecordCertificate::build(
        &r,
        &c.e.genesis,
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Copyright(
            hechain_types::copyright::CopyrightRecord::Work(w),
        ))),
    )
    .unwrap();
    let v = cert.verify(&c.e.genesis).unwrap();
    assert_eq!((v.height, v.epoch, v.epoch_changes.len()), (6, 2, 2));
    assert_eq!(v.signed_by, vec!["v1".to_string(), "v2".into(), "v4".into()]);
    let mut bad = cert.clone();
    bad.epochs.changes.truncate(1);
    has(&err(bad.verify(&c.e.genesis)), "seal has 3 signatures, a quorum is 4");
    let mut bad = cert.clone();
    bad.epochs.next_proof = c.evidence_cert(4).epochs.next_proof;
    has(&err(bad.verify(&c.e.genesis)), "an epoch change is missing");
    let json = serde_json::to_value(&cert).unwrap();
    assert_eq!(json["format"], "hechain-record-certificate/2");
    let mut extra = json.clone();
    extra["epochs"]["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<RecordCertificate>(extra).is_err(), "unknown fields are refused");
}
