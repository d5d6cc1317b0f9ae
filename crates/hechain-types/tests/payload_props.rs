//! Property tests for every payload kind (and every governance action): a random generator per
//! kind, derived from the shape of its fixed sample (`samples/mod.rs`, which the golden test
//! forces to cover every variant — so a new kind gets a generator as soon as it has a sample).
//!
//! How a generator is derived: the sample is turned into its JSON form; each leaf that may change
//! on its own (a number, a hex string of a given length, a decimal string, free text, a list's
//! length) is found by trying one change and decoding; a generated value then changes any subset
//! of those leaves at random (numbers within the width the sample shows, hex of the same length,
//! text of any Unicode, lists cut to any prefix) and keeps the values that decode. Each value must
//! then survive the canonical (borsh) and the JSON round trip, inside a signed transaction too,
//! and its canonical bytes, cut or changed anywhere, must never make the decoder panic.

use hechain_types::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

mod samples;

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Idx(usize),
}

/// What a leaf may become.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A number up to this bound (the width its sample value suggests).
    Number(u64),
    /// `0x` and this many hex digits.
    Hex(usize),
    /// Decimal digits (large integers written as strings), at most this many.
    Decimal(usize),
    Text,
    Bool,
    /// A list that may be cut to a prefix of its length.
    ListLen(usize),
}

#[derive(Clone, Debug)]
struct Leaf {
    path: Vec<Seg>,
    kind: Kind,
}

fn walk(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<Leaf>) {
    let kind = match v {
        Value::Null => None,
        Value::Bool(_) => Some(Kind::Bool),
        Value::Number(n) => {
            let x = n.as_u64().unwrap_or(u64::MAX);
            let bound = [u8::MAX as u64, u16::MAX as u64, u32::MAX as u64, u64::MAX].into_iter().find(|b| x <= *b);
            Some(Kind::Number(bound.unwrap_or(u64::MAX)))
        }
        Value::String(s) => {
            Some(if s.len() > 2 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit()) {
                Kind::Hex(s.len() - 2)
            } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                Kind::Decimal(s.len())
            } else {
                Kind::Text
            })
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Idx(i));
                walk(item, path, out);
                path.pop();
            }
            (!items.is_empty()).then_some(Kind::ListLen(items.len()))
        }
        Value::Object(m) => {
            for (k, item) in m {
                path.push(Seg::Key(k.clone()));
                walk(item, path, out);
                path.pop();
            }
            None
        }
    };
    if let Some(kind) = kind {
        out.push(Leaf { path: path.clone(), kind });
    }
}

fn at<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Idx(i) => v.get_mut(*i),
    })
}

/// A deterministic stream of bytes from a seed (splitmix64), for hex leaves.
fn bytes_from(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

/// Applies a change to one leaf; `seed` and `text` choose the new value.
fn change(v: &mut Value, leaf: &Leaf, seed: u64, text: &str) {
    let Some(slot) = at(v, &leaf.path) else { return };
    let new = match leaf.kind {
        Kind::Bool => Value::Bool(seed & 1 == 1),
        Kind::Number(bound) => Value::from(if bound == u64::MAX { seed } else { seed % (bound + 1) }),
        Kind::Hex(digits) => {
            let b = bytes_from(seed, digits.div_ceil(2));
            Value::from(format!("0x{}", &hex::encode(b)[..digits]))
        }
        Kind::Decimal(max) => {
            let d = (seed % 10u64.pow(max.min(19) as u32)).to_string();
            Value::from(d)
        }
        Kind::Text => Value::from(text.to_string()),
        Kind::ListLen(len) => match &*slot {
            Value::Array(items) => {
                let mut items = items.clone();
                items.truncate((seed as usize) % (len + 1));
                Value::Array(items)
            }
            other => other.clone(),
        },
    };
    *slot = new;
}

/// The leaves of `sample` that may change alone and still decode.
fn changeable(sample: &Value) -> Vec<Leaf> {
    let mut all = Vec::new();
    walk(sample, &mut Vec::new(), &mut all);
    all.into_iter()
        .filter(|leaf| {
            let mut v = sample.clone();
            change(&mut v, leaf, 0x5eed_1234_5678, "变更 text");
            serde_json::from_value::<Payload>(v.clone()).is_ok_and(|p| serde_json::to_value(&p).ok() == Some(v))
        })
        .collect()
}

/// Random payloads of the kind of `sample`.
fn generator(sample: &Payload) -> BoxedStrategy<Payload> {
    let json = serde_json::to_value(sample).expect("sample to JSON");
    let leaves = changeable(&json);
    let n = leaves.len();
    (
        proptest::collection::vec(any::<bool>(), n),
        proptest::collection::vec(any::<u64>(), n),
        proptest::collection::vec(".{0,24}", n),
    )
        .prop_filter_map("decodes", move |(on, seeds, texts)| {
            let mut v = json.clone();
            // Lists last, deepest first, so that their elements are changed before any cut.
            for i in (0..n).rev() {
                if on[i] {
                    change(&mut v, &leaves[i], seeds[i], &texts[i]);
                }
            }
            serde_json::from_value::<Payload>(v).ok()
        })
        .boxed()
}

fn check_payload(p: &Payload, cut: usize, flip: (usize, u8)) -> Result<(), TestCaseError> {
    let bytes = p.encode();
    prop_assert_eq!(&Payload::decode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?, p);
    let json = serde_json::to_string(p).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&serde_json::from_str::<Payload>(&json).map_err(|e| TestCaseError::fail(e.to_string()))?, p);
    // Inside a signed transaction.
    let tx = SignedTransaction {
        tx: Transaction { chain_id: 7, nonce: 3, sender: Address([9; 20]), fee: 1, payload: p.clone() },
        signature: TxSignature::Secp256k1([5; 65]),
    };
    let enc = tx.encode();
    prop_assert_eq!(&SignedTransaction::decode(&enc).map_err(|e| TestCaseError::fail(e.to_string()))?, &tx);
    // Cut and changed bytes: an error or another value, never a panic.
    let _ = Payload::decode(&bytes[..cut % (bytes.len() + 1)]);
    let mut changed = enc.clone();
    let i = flip.0 % changed.len();
    changed[i] ^= flip.1 | 1;
    let _ = SignedTransaction::decode(&changed);
    Ok(())
}

/// Every payload kind, each with its own generator and its own cases (not a random pick among
/// kinds, so that no kind goes untested in a run).
#[test]
fn every_payload_kind_round_trips_and_never_panics_the_decoder() {
    let mut samples = samples::payloads();
    samples.extend(samples::indexed_payloads());
    assert!(samples.len() >= 40, "expected a sample of every payload kind and action, got {}", samples.len());
    let mut thin = Vec::new();
    for sample in &samples {
        let json = serde_json::to_value(sample).expect("JSON");
        let leaves = changeable(&json);
        // A generator that can change nothing is not a generator.
        if leaves.is_empty() {
            thin.push(serde_json::to_string(sample).unwrap_or_default());
        }
        let mut runner = TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() });
        let strategy = (generator(sample), any::<usize>(), (any::<usize>(), any::<u8>()));
        if let Err(e) = runner.run(&strategy, |(p, cut, flip)| check_payload(&p, cut, flip)) {
            panic!("{}: {e}", serde_json::to_string(sample).unwrap_or_default());
        }
    }
    assert!(thin.is_empty(), "samples whose generator changes nothing: {thin:?}");
}

/// The generators really vary what they produce (a generator stuck on its sample would pass
/// the round trips trivially).
#[test]
fn generators_produce_varied_values() {
    for sample in samples::payloads().into_iter().chain(samples::indexed_payloads()) {
        let mut runner = TestRunner::deterministic();
        let g = generator(&sample);
        let distinct: std::collections::BTreeSet<Vec<u8>> =
            (0..16).filter_map(|_| g.new_tree(&mut runner).ok()).map(|t| t.current().encode()).collect();
        assert!(
            distinct.len() >= 4,
            "{}: only {} distinct values",
            serde_json::to_string(&sample).unwrap(),
            distinct.len()
        );
    }
}
