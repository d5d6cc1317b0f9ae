//! Tests of the sparse Merkle state tree (unit and property tests).

use super::*;
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::cell::Cell;

fn sha(data: &[u8]) -> Hash32 {
    Sha256::digest(data).into()
}

/// Obviously-correct reference: the canonical root of a sorted set.
fn reference_root(set: &[(Hash32, Hash32)], depth: usize) -> Hash32 {
    match set {
        [] => EMPTY_ROOT,
        [(k, v)] => leaf_hash(sha, k, v),
        _ => {
            assert!(depth < MAX_DEPTH);
            let (l, r): (Vec<_>, Vec<_>) = set.iter().partition(|(k, _)| key_bit(k, depth) == 0);
            internal_hash(sha, &reference_root(&l, depth + 1), &reference_root(&r, depth + 1))
        }
    }
}

fn reference(model: &BTreeMap<Hash32, Hash32>) -> Hash32 {
    let set: Vec<_> = model.iter().map(|(k, v)| (*k, *v)).collect();
    reference_root(&set, 0)
}

fn key_with_bit(base: Hash32, bit: usize) -> Hash32 {
    let mut k = base;
    k[bit / 8] ^= 1 << (7 - bit % 8);
    k
}

/// Applies a batch and commits the new nodes, checking their invariants.
fn apply_commit(store: &mut MemStore, root: Hash32, batch: &BTreeMap<Hash32, Option<Hash32>>) -> Hash32 {
    let up = apply(sha, store, root, batch).expect("apply");
    let mut seen = BTreeMap::new();
    for (hash, node) in &up.new_nodes {
        assert_eq!(*hash, node.hash(sha), "new node stored under its hash");
        assert!(seen.insert(*hash, ()).is_none(), "new_nodes deduplicated");
        if let Node::Internal { left, right } = node {
            assert!(*left != EMPTY_ROOT || *right != EMPTY_ROOT);
        }
    }
    store.commit(&up);
    up.root
}

fn insert_all(pairs: &[(Hash32, Hash32)]) -> (MemStore, Hash32) {
    let mut store = MemStore::new();
    let batch = pairs.iter().map(|(k, v)| (*k, Some(*v))).collect();
    let root = apply_commit(&mut store, EMPTY_ROOT, &batch);
    (store, root)
}

fn check_key(store: &MemStore, root: Hash32, key: &Hash32, expected: Option<&Hash32>) -> Proof {
    assert_eq!(get(store, root, key).unwrap().as_ref(), expected);
    let proof = prove(store, root, key).unwrap();
    proof.verify(sha, &root, key, expected).expect("verify");
    proof
}

#[test]
fn empty_tree_root_is_empty_root() {
    let store = MemStore::new();
    let up = apply(sha, &store, EMPTY_ROOT, &BTreeMap::new()).unwrap();
    assert_eq!(up.root, EMPTY_ROOT);
    assert!(up.new_nodes.is_empty());
    let k = [7u8; 32];
    assert_eq!(get(&store, EMPTY_ROOT, &k).unwrap(), None);
    let p = check_key(&store, EMPTY_ROOT, &k, None);
    assert_eq!(p, Proof { siblings: vec![], leaf: None });
    assert!(p.verify(sha, &EMPTY_ROOT, &k, Some(&[1u8; 32])).is_err());
    // Deleting from the empty tree is a no-op.
    let del = BTreeMap::from([(k, None)]);
    let up = apply(sha, &store, EMPTY_ROOT, &del).unwrap();
    assert_eq!(up.root, EMPTY_ROOT);
    assert!(up.new_nodes.is_empty());
}

#[test]
fn single_key_root_is_leaf_hash() {
    let k = [0xabu8; 32];
    let v = [0x11u8; 32];
    let (store, root) = insert_all(&[(k, v)]);
    let mut pre = vec![0u8];
    pre.extend_from_slice(&k);
    pre.extend_from_slice(&v);
    assert_eq!(root, sha(&pre));
    assert_eq!(root, leaf_hash(sha, &k, &v));
    let p = check_key(&store, root, &k, Some(&v));
    assert!(p.siblings.is_empty());
    // Another key: non-inclusion via the same single leaf.
    let other = [0x01u8; 32];
    let p = check_key(&store, root, &other, None);
    assert_eq!(p.leaf, Some((k, v)));
}

#[test]
fn two_keys_differing_at_bit_0() {
    let a = [0x00u8; 32];
    let b = key_with_bit(a, 0);
    let (va, vb) = ([1u8; 32], [2u8; 32]);
    let (store, root) = insert_all(&[(b, vb), (a, va)]);
    let la = leaf_hash(sha, &a, &va);
    let lb = leaf_hash(sha, &b, &vb);
    let mut pre = vec![1u8];
    pre.extend_from_slice(&la);
    pre.extend_from_slice(&lb);
    assert_eq!(root, sha(&pre));
    let pa = check_key(&store, root, &a, Some(&va));
    assert_eq!(pa.siblings, vec![lb]);
    let pb = check_key(&store, root, &b, Some(&vb));
    assert_eq!(pb.siblings, vec![la]);
}

#[test]
fn two_keys_differing_at_bit_200() {
    let a = [0x5au8; 32];
    let b = key_with_bit(a, 200);
    let (va, vb) = ([3u8; 32], [4u8; 32]);
    let (store, root) = insert_all(&[(a, va), (b, vb)]);
    // a has bit 200 = ?, order children accordingly.
    let la = leaf_hash(sha, &a, &va);
    let lb = leaf_hash(sha, &b, &vb);
    let mut cur = if key_bit(&a, 200) == 0 { internal_hash(sha, &la, &lb) } else { internal_hash(sha, &lb, &la) };
    for d in (0..200).rev() {
        cur = if key_bit(&a, d) == 0 {
            internal_hash(sha, &cur, &EMPTY_ROOT)
        } else {
            internal_hash(sha, &EMPTY_ROOT, &cur)
        };
    }
    assert_eq!(root, cur);
    assert_eq!(store.len(), 2 + 201);
    let pa = check_key(&store, root, &a, Some(&va));
    assert_eq!(pa.siblings.len(), 201);
    assert!(pa.siblings[..200].iter().all(|s| *s == EMPTY_ROOT));
    assert_eq!(pa.siblings[200], lb);
    // A key diverging at bit 100 is absent; its proof ends in an empty
    // subtree at depth 101.
    let c = key_with_bit(a, 100);
    let pc = check_key(&store, root, &c, None);
    assert_eq!(pc.leaf, None);
    assert_eq!(pc.siblings.len(), 101);
    // Deleting one key lifts the other to the root.
    let del = BTreeMap::from([(b, None)]);
    let mut store2 = store.clone();
    let r2 = apply_commit(&mut store2, root, &del);
    assert_eq!(r2, la);
    check_key(&store2, r2, &a, Some(&va));
    check_key(&store2, r2, &b, None);
}

#[test]
fn keys_differing_only_in_last_bit() {
    let a = [0xffu8; 32];
    let b = key_with_bit(a, 255);
    let (store, root) = insert_all(&[(a, [1; 32]), (b, [2; 32])]);
    assert_eq!(root, reference(&BTreeMap::from([(a, [1; 32]), (b, [2; 32])])));
    let p = check_key(&store, root, &a, Some(&[1; 32]));
    assert_eq!(p.siblings.len(), 256);
    check_key(&store, root, &b, Some(&[2; 32]));
}

#[test]
fn deleting_all_keys_returns_empty_root() {
    let pairs: Vec<_> = (0u8..50).map(|i| (sha(&[i]), sha(&[i, i]))).collect();
    let (mut store, root) = insert_all(&pairs);
    assert_ne!(root, EMPTY_ROOT);
    // Delete in two batches, plus absent keys.
    let b1: BTreeMap<_, _> = pairs[..20].iter().map(|(k, _)| (*k, None)).chain([(sha(b"absent"), None)]).collect();
    let r1 = apply_commit(&mut store, root, &b1);
    let model: BTreeMap<_, _> = pairs[20..].iter().copied().collect();
    assert_eq!(r1, reference(&model));
    let b2: BTreeMap<_, _> = pairs[20..].iter().map(|(k, _)| (*k, None)).collect();
    let r2 = apply_commit(&mut store, r1, &b2);
    assert_eq!(r2, EMPTY_ROOT);
    // Old roots still readable.
    check_key(&store, root, &pairs[0].0, Some(&pairs[0].1));
    check_key(&store, r1, &pairs[0].0, None);
}

#[test]
fn noop_batches_create_no_nodes() {
    let pairs: Vec<_> = (0u8..30).map(|i| (sha(&[i]), sha(&[i, 1]))).collect();
    let (store, root) = insert_all(&pairs);
    let batch: BTreeMap<_, _> = pairs
        .iter()
        .step_by(3)
        .map(|(k, v)| (*k, Some(*v)))
        .chain((0u8..10).map(|i| (sha(&[i, 9, 9]), None)))
        .collect();
    let up = apply(sha, &store, root, &batch).unwrap();
    assert_eq!(up.root, root);
    assert!(up.new_nodes.is_empty(), "{:?}", up.new_nodes);
}

#[test]
fn order_and_batching_do_not_matter() {
    let pairs: Vec<_> = (0u16..300).map(|i| (sha(&i.to_be_bytes()), sha(&[i as u8]))).collect();
    let (_, all_at_once) = insert_all(&pairs);
    let mut store = MemStore::new();
    let mut root = EMPTY_ROOT;
    for (k, v) in pairs.iter().rev() {
        root = apply_commit(&mut store, root, &BTreeMap::from([(*k, Some(*v))]));
    }
    assert_eq!(root, all_at_once);
    assert_eq!(root, reference(&pairs.iter().copied().collect()));
}

struct CountingStore<'a> {
    inner: &'a MemStore,
    reads: Cell<usize>,
}

impl NodeReader for CountingStore<'_> {
    fn get_node(&self, hash: &Hash32) -> Result<Option<Node>, SmtError> {
        assert_ne!(*hash, EMPTY_ROOT, "empty hash is never looked up");
        self.reads.set(self.reads.get() + 1);
        self.inner.get_node(hash)
    }
}

#[test]
fn update_touches_only_affected_paths() {
    let pairs: Vec<_> = (0u32..4096).map(|i| (sha(&i.to_be_bytes()), sha(&[1]))).collect();
    let (store, root) = insert_all(&pairs);
    let counting = CountingStore { inner: &store, reads: Cell::new(0) };
    let batch = BTreeMap::from([(pairs[7].0, Some([9u8; 32]))]);
    let up = apply(sha, &counting, root, &batch).unwrap();
    // ~log2(4096) = 12 levels, plus a little slack for unlucky paths.
    assert!(counting.reads.get() <= 30, "reads: {}", counting.reads.get());
    assert!(up.new_nodes.len() <= 31);
    let mut model: BTreeMap<_, _> = pairs.iter().copied().collect();
    model.insert(pairs[7].0, [9u8; 32]);
    assert_eq!(up.root, reference(&model));
}

#[test]
fn missing_node_is_reported() {
    let pairs: Vec<_> = (0u8..4).map(|i| (sha(&[i]), sha(&[i]))).collect();
    let (_, root) = insert_all(&pairs);
    let empty = MemStore::new();
    assert!(matches!(get(&empty, root, &pairs[0].0), Err(SmtError::MissingNode(_))));
    assert!(matches!(apply(sha, &empty, root, &BTreeMap::from([(pairs[0].0, None)])), Err(SmtError::MissingNode(_))));
}

#[test]
fn corrupt_internal_node_is_rejected() {
    let mut store = BTreeMap::new();
    let bad = Node::Internal { left: EMPTY_ROOT, right: EMPTY_ROOT };
    let h = bad.hash(sha);
    store.insert(h, bad);
    let r = apply(sha, &store, h, &BTreeMap::from([([1u8; 32], Some([2u8; 32]))]));
    assert!(matches!(r, Err(SmtError::Corrupt(_))));
}

#[test]
fn node_encoding_roundtrip_and_rejects() {
    let leaf = Node::Leaf { key: [1; 32], value_hash: [2; 32] };
    let int = Node::Internal { left: [3; 32], right: [4; 32] };
    for n in [&leaf, &int] {
        let e = n.encode();
        assert_eq!(e.len(), 65);
        assert_eq!(&Node::decode(&e).unwrap(), n);
        assert_eq!(n.hash(sha), sha(&e));
    }
    assert_eq!(leaf.encode()[0], 0x00);
    assert_eq!(int.encode()[0], 0x01);
    let mut e = leaf.encode();
    e[0] = 2;
    assert!(Node::decode(&e).is_err());
    assert!(Node::decode(&[]).is_err());
    assert!(Node::decode(&leaf.encode()[..64]).is_err());
}

#[test]
fn proof_serde_roundtrip() {
    let pairs: Vec<_> = (0u8..8).map(|i| (sha(&[i]), sha(&[i, 2]))).collect();
    let (store, root) = insert_all(&pairs);
    let p = prove(&store, root, &pairs[3].0).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains(&format!("\"0x{}\"", hex::encode(pairs[3].0))));
    let back: Proof = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    back.verify(sha, &root, &pairs[3].0, Some(&pairs[3].1)).unwrap();
    let absent = prove(&store, root, &[0u8; 32]).unwrap();
    let back: Proof = serde_json::from_str(&serde_json::to_string(&absent).unwrap()).unwrap();
    assert_eq!(back, absent);
    // Malformed input is rejected.
    assert!(serde_json::from_str::<Proof>(r#"{"siblings":["0x12"],"leaf":null}"#).is_err());
    assert!(serde_json::from_str::<Proof>(r#"{"siblings":[],"leaf":null,"x":1}"#).is_err());
    let empty: Proof = serde_json::from_str(r#"{"siblings":[],"leaf":null}"#).unwrap();
    assert!(empty.verify(sha, &EMPTY_ROOT, &[5; 32], None).is_ok());
}

#[test]
fn verify_rejects_forgeries() {
    let a = [0u8; 32];
    let b = key_with_bit(a, 3);
    let c = key_with_bit(a, 1);
    let (va, vb, vc) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    let (store, root) = insert_all(&[(a, va), (b, vb), (c, vc)]);
    let pa = check_key(&store, root, &a, Some(&va));

    // Wrong root, wrong value, claim absence of a present key.
    assert!(pa.verify(sha, &[9; 32], &a, Some(&va)).is_err());
    assert!(pa.verify(sha, &EMPTY_ROOT, &a, Some(&va)).is_err());
    assert!(pa.verify(sha, &root, &a, Some(&vb)).is_err());
    assert!(pa.verify(sha, &root, &a, None).is_err());
    // A's proof presented for B (inclusion or absence).
    assert!(pa.verify(sha, &root, &b, Some(&va)).is_err());
    assert!(pa.verify(sha, &root, &b, None).is_err());

    // Too many siblings.
    let long = Proof { siblings: vec![[1u8; 32]; 257], leaf: Some((a, va)) };
    assert!(matches!(long.verify(sha, &root, &a, Some(&va)), Err(SmtError::InvalidProof(_))));

    // Non-canonical: leaf pushed below its shortcut position with an
    // empty last sibling.
    let mut pushed = pa.clone();
    pushed.siblings.push(EMPTY_ROOT);
    assert!(pushed.verify(sha, &root, &a, Some(&va)).is_err());
    // Even when the root is consistent with the pushed-down shape, the
    // proof is rejected as non-canonical.
    let lone_root = internal_hash(sha, &leaf_hash(sha, &a, &va), &EMPTY_ROOT);
    let pushed = Proof { siblings: vec![EMPTY_ROOT], leaf: Some((a, va)) };
    assert!(pushed.verify(sha, &lone_root, &a, Some(&va)).is_err());
    let empty_end = Proof { siblings: vec![EMPTY_ROOT], leaf: None };
    let r = internal_hash(sha, &EMPTY_ROOT, &EMPTY_ROOT);
    assert!(empty_end.verify(sha, &r, &a, None).is_err());

    // Non-inclusion with a leaf that is not on the key's path.
    let d = key_with_bit(a, 0); // absent, diverges at bit 0
    let pd = check_key(&store, root, &d, None);
    assert_eq!(pd.leaf, None);
    let bogus = Proof { siblings: pd.siblings.clone(), leaf: Some((a, va)) };
    assert!(bogus.verify(sha, &root, &d, None).is_err());
    // Absent key claimed present via an empty-ended proof.
    assert!(pd.verify(sha, &root, &d, Some(&va)).is_err());
}

/// Rough throughput check: `cargo test --release -- --ignored bench_`.
#[test]
#[ignore]
fn bench_apply_blocks_of_5000() {
    let mut store = MemStore::new();
    let base: BTreeMap<_, _> = (0u32..200_000).map(|i| (sha(&i.to_le_bytes()), Some(sha(&i.to_be_bytes())))).collect();
    let t = std::time::Instant::now();
    let mut root = apply_commit(&mut store, EMPTY_ROOT, &base);
    eprintln!("initial 200k keys: {:?}", t.elapsed());
    for block in 0u32..10 {
        let batch: BTreeMap<_, _> = (0u32..5000)
            .map(|i| {
                let k = sha(&(block * 7919 + i * 31).to_le_bytes());
                let v = (i % 10 != 0).then(|| sha(&[block as u8, i as u8]));
                (k, v)
            })
            .collect();
        let t = std::time::Instant::now();
        let up = apply(sha, &store, root, &batch).unwrap();
        eprintln!("block {block}: 5000 ops in {:?}, {} new nodes", t.elapsed(), up.new_nodes.len());
        store.commit(&up);
        root = up.root;
    }
}

// -------------------------------------------------------------------
// Property tests
// -------------------------------------------------------------------

/// Keys from several families so that deep shared prefixes are common.
fn arb_key() -> impl Strategy<Value = Hash32> {
    prop_oneof![
        3 => any::<[u8; 32]>(),
        // Differ only in a few leading bits and the last byte.
        2 => (0u8..4, any::<u8>()).prop_map(|(a, b)| {
            let mut k = [0u8; 32];
            k[0] = a;
            k[31] = b;
            k
        }),
        // Differ only in the last few bits.
        1 => (0u8..8).prop_map(|a| {
            let mut k = [0xffu8; 32];
            k[31] = 0xf8 | a;
            k
        }),
        // Single-bit neighbours of a fixed key.
        1 => (0usize..256).prop_map(|bit| key_with_bit([0x3cu8; 32], bit)),
    ]
}

fn val(v: u8) -> Hash32 {
    [v; 32]
}

type Batches = Vec<Vec<(usize, Option<u8>)>>;

fn arb_scenario() -> impl Strategy<Value = (Vec<Hash32>, Batches, Vec<Hash32>)> {
    (
        prop::collection::vec(arb_key(), 1..48),
        prop::collection::vec(
            prop::collection::vec((any::<usize>(), prop::option::weighted(0.7, 0u8..4)), 0..40),
            1..6,
        ),
        prop::collection::vec(arb_key(), 0..8),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn prop_batches_match_reference((pool, batches, extra) in arb_scenario()) {
        let mut store = MemStore::new();
        let mut model: BTreeMap<Hash32, Hash32> = BTreeMap::new();
        let mut root = EMPTY_ROOT;
        let mut history = vec![(root, model.clone())];
        for ops in &batches {
            let mut batch = BTreeMap::new();
            for (i, op) in ops {
                batch.insert(pool[i % pool.len()], op.map(val));
            }
            for (k, op) in &batch {
                match op {
                    Some(v) => { model.insert(*k, *v); }
                    None => { model.remove(k); }
                }
            }
            root = apply_commit(&mut store, root, &batch);
            prop_assert_eq!(root, reference(&model));
            history.push((root, model.clone()));
        }
        // Every historical root: get, inclusion and non-inclusion proofs,
        // and tampering.
        let mut prev: Option<(&Hash32, &BTreeMap<Hash32, Hash32>)> = None;
        for (r, m) in &history {
            for key in pool.iter().chain(extra.iter()) {
                let expected = m.get(key);
                prop_assert_eq!(get(&store, *r, key).unwrap(), expected.copied());
                let proof = prove(&store, *r, key).unwrap();
                prop_assert!(proof.verify(sha, r, key, expected).is_ok());
                if let Some(last) = proof.siblings.last() {
                    prop_assert_ne!(*last, EMPTY_ROOT);
                }
                // The opposite claim fails.
                match expected {
                    Some(v) => {
                        prop_assert!(proof.verify(sha, r, key, None).is_err());
                        let mut w = *v;
                        w[0] ^= 1;
                        prop_assert!(proof.verify(sha, r, key, Some(&w)).is_err());
                    }
                    None => {
                        prop_assert!(proof.verify(sha, r, key, Some(&val(0))).is_err());
                        prop_assert!(proof.verify(sha, r, key, Some(&val(1))).is_err());
                    }
                }
                // Flip a bit in the first, a middle and the last sibling.
                let n = proof.siblings.len();
                for i in [0, n / 2, n.saturating_sub(1)] {
                    if i < n {
                        let mut t = proof.clone();
                        t.siblings[i][i % 32] ^= 0x80 >> (i % 8);
                        prop_assert!(t.verify(sha, r, key, expected).is_err());
                    }
                }
                // Tamper with the terminal leaf.
                if let Some((lk, lv)) = proof.leaf {
                    let mut t = proof.clone();
                    let mut lv2 = lv;
                    lv2[31] ^= 1;
                    t.leaf = Some((lk, lv2));
                    let claim = if lk == *key { Some(&lv2) } else { None };
                    prop_assert!(t.verify(sha, r, key, claim).is_err());
                    let mut t = proof.clone();
                    t.leaf = None;
                    prop_assert!(t.verify(sha, r, key, None).is_err());
                }
                // Present the proof for another key (swap key).
                let pos = pool.iter().position(|k| k == key).unwrap_or(0);
                let other = &pool[(pos + 1) % pool.len()];
                if other != key {
                    if let Some(v) = expected {
                        prop_assert!(proof.verify(sha, r, other, Some(v)).is_err());
                    }
                    if m.contains_key(other) {
                        prop_assert!(proof.verify(sha, r, other, None).is_err());
                        // (A non-inclusion proof ending at `other`'s leaf
                        // is legitimately an inclusion proof for it.)
                        let ends_at_other = proof.leaf.map(|(k, _)| k) == Some(*other);
                        prop_assert_eq!(
                            proof.verify(sha, r, other, m.get(other)).is_ok(),
                            ends_at_other
                        );
                    }
                }
                // Against the previous root the proof fails unless the
                // key had the same value there.
                if let Some((r2, _)) = prev.filter(|(r2, m2)| *r2 != r && m2.get(key) != expected) {
                    prop_assert!(proof.verify(sha, r2, key, expected).is_err());
                }
            }
            prev = Some((r, m));
        }
        // Deleting everything returns the empty root.
        let del: BTreeMap<_, _> = model.keys().map(|k| (*k, None)).collect();
        let r = apply_commit(&mut store, root, &del);
        prop_assert_eq!(r, EMPTY_ROOT);
    }

    #[test]
    fn prop_root_independent_of_batching(
        pairs in prop::collection::btree_map(arb_key(), 0u8..4, 0..64),
        cuts in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let pairs: Vec<(Hash32, Hash32)> = pairs.into_iter().map(|(k, v)| (k, val(v))).collect();
        let (_, at_once) = insert_all(&pairs);
        // Insert in shuffled chunks (order by a hash of the key).
        let mut order = pairs.clone();
        order.sort_by_key(|(k, _)| sha(k));
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (order.len() + 1)).collect();
        bounds.push(0);
        bounds.push(order.len());
        bounds.sort();
        let mut store = MemStore::new();
        let mut root = EMPTY_ROOT;
        for w in bounds.windows(2) {
            let batch = order[w[0]..w[1]].iter().map(|(k, v)| (*k, Some(*v))).collect();
            root = apply_commit(&mut store, root, &batch);
        }
        prop_assert_eq!(root, at_once);
        prop_assert_eq!(root, reference(&pairs.iter().copied().collect()));
    }

    #[test]
    fn prop_decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..140)) {
        if let Ok(node) = Node::decode(&bytes) {
            prop_assert_eq!(node.encode(), bytes);
        }
    }

    #[test]
    fn prop_node_roundtrip(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), leaf in any::<bool>()) {
        let node = if leaf {
            Node::Leaf { key: a, value_hash: b }
        } else {
            Node::Internal { left: a, right: b }
        };
        prop_assert_eq!(Node::decode(&node.encode()).unwrap(), node);
    }

    #[test]
    fn prop_random_proofs_do_not_verify(
        siblings in prop::collection::vec(any::<[u8; 32]>(), 0..8),
        key in any::<[u8; 32]>(),
        leaf in prop::option::of((any::<[u8; 32]>(), any::<[u8; 32]>())),
    ) {
        // Against a real root, a random proof never verifies either claim.
        let pairs: Vec<_> = (0u8..5).map(|i| (sha(&[i]), sha(&[i]))).collect();
        let (_, root) = insert_all(&pairs);
        let p = Proof { siblings, leaf };
        prop_assert!(p.verify(sha, &root, &key, None).is_err());
        prop_assert!(p.verify(sha, &root, &key, Some(&[0u8; 32])).is_err());
    }
}
