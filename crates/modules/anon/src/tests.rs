//! Linkable ring signatures and the anonymous poll and report rules on an in-memory host.

use hechain_module::exec::{BlockInfo, CallContext, ModuleExec, Origin};
use hechain_module::testing::{check_enum, MemHost};
use hechain_module::ValidateContext;
use hechain_primitives::{Address, H256};
use proptest::prelude::*;
use rand_chacha_03::rand_core::SeedableRng;
use rand_chacha_03::ChaCha20Rng;

use crate::lsag::{link_tag, public_key, sign, verify, RingSignature};
use crate::*;

const CHAIN: H256 = H256([0x6e; 32]);

fn secret(i: u8) -> Scalar {
    ring_secret(&[i + 1; 32])
}

fn addr(i: u8) -> Address {
    Address([i + 1; 20])
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn cx(sender: Address, timestamp_ms: u64) -> CallContext {
    CallContext {
        block: BlockInfo { suite: hechain_crypto::Suite::Standard, genesis_hash: CHAIN, height: 3, timestamp_ms },
        sender,
        tx_hash: H256([9; 32]),
        validate: ValidateContext { modules: &["anon"] },
        origin: Origin::Transaction,
        proofs_checked: false,
    }
}

fn apply(h: &mut MemHost, sender: Address, at: u64, call: AnonCall) -> Result<Vec<AnonEvent>, String> {
    AnonModule::apply(h, &cx(sender, at), &call).unwrap()
}

#[test]
fn enums_are_consistent() {
    let t = H256([1; 32]);
    check_enum::<AnonCall>(&[
        AnonCall::RegisterKey { ring_key: t },
        AnonCall::CreateRing { name: "n".into(), members: vec![addr(0)] },
        AnonCall::CreatePoll { ring: 1, title: "t".into(), options: vec!["a".into(), "b".into()], closes_at_ms: 9 },
        AnonCall::Vote { poll: 1, option: 0, tag: t, signature: vec![1] },
        AnonCall::Report { ring: 1, topic: "x".into(), content_hash: t, tag: t, signature: vec![2] },
    ]);
    check_enum::<AnonEvent>(&[
        AnonEvent::KeyRegistered { account: addr(0), ring_key: t },
        AnonEvent::RingCreated { ring: 1, size: 3 },
        AnonEvent::PollCreated { poll: 1, ring: 1 },
        AnonEvent::Voted { poll: 1, option: 0, tag: t },
        AnonEvent::Reported { id: 1, ring: 1, tag: t },
    ]);
}

#[test]
fn every_member_of_every_ring_size_signs_and_verifies() {
    for n in [1usize, 2, 3, 7] {
        let ring: Vec<H256> = (0..n as u8).map(|i| public_key(&secret(i))).collect();
        for at in 0..n {
            let (tag, sig) = sign(&ring, (at, &secret(at as u8)), b"topic", b"msg", &mut rng(at as u64)).unwrap();
            assert_eq!(tag, link_tag(&secret(at as u8), b"topic"));
            assert_eq!(verify(&ring, b"topic", b"msg", &tag, &sig), Ok(()), "n={n} at={at}");
            let back = RingSignature::from_bytes(&sig.to_bytes(), n).unwrap();
            assert_eq!(back, sig);
            assert!(verify(&ring, b"topic", b"other", &tag, &sig).is_err(), "another message");
            assert!(verify(&ring, b"other", b"msg", &tag, &sig).is_err(), "another topic");
            let other_tag = link_tag(&secret(40), b"topic");
            assert!(verify(&ring, b"topic", b"msg", &other_tag, &sig).is_err(), "another tag");
        }
    }
}

#[test]
fn the_wire_form_is_pinned() {
    // A golden vector: the same ring, secret, topic, message and randomness always give these
    // bytes (any change to the hash domains or the layout changes them).
    let ring: Vec<H256> = (0..3).map(|i| public_key(&secret(i))).collect();
    let (tag, sig) = sign(&ring, (1, &secret(1)), b"hechain", b"vote", &mut rng(42)).unwrap();
    let digest = hechain_crypto::sha256(&[tag.0.as_slice(), &sig.to_bytes()].concat());
    assert_eq!(hex_str(&digest), GOLDEN);
}

const GOLDEN: &str = "44a384c60e9d36d915d693e0ad7bedc05f9c0de6ac15a6470a51080928f368cf";

fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn outsiders_cannot_sign_and_every_byte_change_is_refused() {
    let ring: Vec<H256> = (0..4).map(|i| public_key(&secret(i))).collect();
    assert!(sign(&ring, (2, &secret(9)), b"t", b"m", &mut rng(1)).is_err(), "not the key of member 2");
    let (tag, sig) = sign(&ring, (2, &secret(2)), b"t", b"m", &mut rng(1)).unwrap();
    let bytes = sig.to_bytes();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        let refused = match RingSignature::from_bytes(&b, ring.len()) {
            Err(_) => true,
            Ok(s) => verify(&ring, b"t", b"m", &tag, &s).is_err(),
        };
        assert!(refused, "signature byte {i}");
    }
    for i in 0..32 {
        let mut t = tag;
        t.0[i] ^= 0x01;
        assert!(verify(&ring, b"t", b"m", &t, &sig).is_err(), "tag byte {i}");
    }
    // A ring with one key swapped for an outsider's does not verify either.
    let mut other = ring.clone();
    other[0] = public_key(&secret(9));
    assert!(verify(&other, b"t", b"m", &tag, &sig).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// Linking catches a second signature of the same member on a topic, and never links two
    /// different members (nor one member across topics).
    #[test]
    fn links_exactly_the_same_member_on_the_same_topic(
        a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), t1 in ".{1,20}", t2 in ".{1,20}", seed in any::<u64>()
    ) {
        let (sa, sb) = (ring_secret(&a), ring_secret(&b));
        prop_assume!(sa != sb && sa != Scalar::ZERO && sb != Scalar::ZERO);
        let ring = vec![public_key(&sa), public_key(&sb)];
        let (tag1, _) = sign(&ring, (0, &sa), t1.as_bytes(), b"yes", &mut rng(seed)).unwrap();
        let (tag2, _) = sign(&ring, (0, &sa), t1.as_bytes(), b"no", &mut rng(seed ^ 1)).unwrap();
        prop_assert_eq!(tag1, tag2);
        let (tag3, sig3) = sign(&ring, (1, &sb), t1.as_bytes(), b"yes", &mut rng(seed ^ 2)).unwrap();
        prop_assert_ne!(tag1, tag3);
        prop_assert!(verify(&ring, t1.as_bytes(), b"yes", &tag3, &sig3).is_ok());
        if t1 != t2 {
            prop_assert_ne!(tag1, link_tag(&sa, t2.as_bytes()));
        }
    }
}

/// Three registered members, a ring of them, and a poll closing at 10,000 ms.
fn poll_world() -> MemHost {
    let mut h = MemHost::default();
    for i in 0..4u8 {
        apply(&mut h, addr(i), 1, AnonCall::RegisterKey { ring_key: public_key(&secret(i)) }).unwrap();
    }
    let members = vec![addr(0), addr(1), addr(2)];
    apply(&mut h, addr(0), 1, AnonCall::CreateRing { name: "board".into(), members }).unwrap();
    let options = vec!["approve".into(), "reject".into()];
    let poll = AnonCall::CreatePoll { ring: 1, title: "Admit Org D?".into(), options, closes_at_ms: 10_000 };
    apply(&mut h, addr(0), 1, poll).unwrap();
    h
}

fn vote(i: u8, option: u32, seed: u64) -> AnonCall {
    let ring: Vec<H256> = (0..3).map(|j| public_key(&secret(j))).collect();
    let at = (i as usize).min(2);
    let (tag, sig) =
        sign(&ring, (at, &secret(i)), &exec::poll_topic(&CHAIN, 1), &exec::vote_message(option), &mut rng(seed))
            .unwrap_or_else(|_| {
                // An outsider: a signature made with its own key in the member's place.
                let mut r = ring.clone();
                r[at] = public_key(&secret(i));
                sign(&r, (at, &secret(i)), &exec::poll_topic(&CHAIN, 1), &exec::vote_message(option), &mut rng(seed))
                    .unwrap()
            });
    AnonCall::Vote { poll: 1, option, tag, signature: sig.to_bytes() }
}

#[test]
fn one_anonymous_vote_per_member_public_tally() {
    let mut h = poll_world();
    // Votes are sent from one-time accounts: the sender is nobody in particular.
    let anyone = Address([0xee; 20]);
    assert!(hechain_module::ModuleCall::fee_exempt(&vote(0, 0, 1)));
    apply(&mut h, anyone, 2, vote(0, 0, 1)).unwrap();
    apply(&mut h, anyone, 2, vote(1, 0, 2)).unwrap();
    // A second vote by member 0, for the other option and with fresh randomness, is linked.
    let again = vote(0, 1, 3);
    let refused = AnonModule::admit(&h, &again).unwrap().unwrap_err();
    assert!(refused.message.contains("already voted in poll 1"), "{}", refused.message);
    let err = apply(&mut h, anyone, 2, again).unwrap_err();
    assert!(err.contains("already voted in poll 1"), "{err}");
    // Member 3 registered a key but is not in the ring.
    let err = apply(&mut h, anyone, 2, vote(3, 1, 4)).unwrap_err();
    assert!(err.contains("no member of the ring signed"), "{err}");
    // After closing time, nothing counts.
    let err = apply(&mut h, anyone, 10_000, vote(2, 1, 5)).unwrap_err();
    assert!(err.contains("closed"), "{err}");
    apply(&mut h, anyone, 9_999, vote(2, 1, 6)).unwrap();
    let p = exec::poll(&h, 1).unwrap().unwrap();
    assert_eq!(p.tally, vec![2, 1]);
}

#[test]
fn one_anonymous_report_per_member_per_topic() {
    let mut h = poll_world();
    let ring: Vec<H256> = (0..3).map(|j| public_key(&secret(j))).collect();
    let report = |i: u8, topic: &str, seed: u64| {
        let content_hash = H256([i + 0x40; 32]);
        let (tag, sig) = sign(
            &ring,
            (i as usize, &secret(i)),
            &exec::report_topic(&CHAIN, 1, topic),
            &content_hash.0,
            &mut rng(seed),
        )
        .unwrap();
        AnonCall::Report { ring: 1, topic: topic.into(), content_hash, tag, signature: sig.to_bytes() }
    };
    let anyone = Address([0xee; 20]);
    apply(&mut h, anyone, 2, report(1, "procurement 2026-Q4", 1)).unwrap();
    let err = apply(&mut h, anyone, 2, report(1, "procurement 2026-Q4", 2)).unwrap_err();
    assert!(err.contains("already reported"), "{err}");
    apply(&mut h, anyone, 2, report(2, "procurement 2026-Q4", 3)).unwrap();
    apply(&mut h, anyone, 2, report(1, "travel expenses", 4)).unwrap();
    let r = exec::report(&h, 3).unwrap().unwrap();
    assert_eq!(r.topic, "travel expenses");
}

#[test]
fn a_ring_needs_registered_distinct_members() {
    let mut h = poll_world();
    let err = apply(&mut h, addr(0), 1, AnonCall::CreateRing { name: "x".into(), members: vec![Address([0x77; 20])] })
        .unwrap_err();
    assert!(err.contains("has no ring key"), "{err}");
    let err = apply(&mut h, addr(0), 1, AnonCall::CreateRing { name: "x".into(), members: vec![addr(0), addr(0)] })
        .unwrap_err();
    assert!(err.contains("listed twice"), "{err}");
}
