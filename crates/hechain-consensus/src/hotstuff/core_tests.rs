//! Unit tests of the consensus core.

use super::super::types::test_util::*;
use super::*;

const BASE: u64 = 100;

fn cores(n: usize) -> (Vec<NodeKey>, ValidatorSet, Vec<Core>) {
    let ks = keys(n);
    let vs = vset(&ks);
    let cores = (0..n)
        .map(|i| {
            let cfg = Config { validators: vs.clone(), me: i as u32, base_timeout_ms: BASE };
            Core::new(cfg, ks[i].clone(), None).unwrap()
        })
        .collect();
    (ks, vs, cores)
}

fn block(vs: &ValidatorSet, round: u64, justify: QuorumCert, digest: u8) -> (BlockId, ProposedBlock) {
    let b = ProposedBlock {
        round,
        parent: justify.block,
        justify,
        payload_digest: H256([digest; 32]),
        proposer: vs.leader(round),
    };
    (vs.block_id(&b), b)
}

fn msg(from: u32, m: Message) -> Input {
    Input::Message { from, msg: m }
}

fn prop(p: Proposal) -> Message {
    Message::Proposal(Box::new(p))
}

fn votes_sent(actions: &[Action]) -> Vec<(u32, Vote)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { to, msg: Message::Vote(v) } => Some((*to, v.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn votes_for_safe_proposal_after_persisting() {
    let (ks, vs, mut c) = cores(4);
    let (id, b) = block(&vs, 1, vs.genesis_qc(), 1);
    let p = Proposal::new(&vs, b, None, &ks[1]);
    let out = c[0].handle(msg(1, prop(p.clone()))).unwrap();
    let persist = out.iter().position(|a| matches!(a, Action::PersistSafety(s) if s.last_voted_round == 1));
    let send = out.iter().position(|a| matches!(a, Action::Send { to: 2, msg: Message::Vote(v) } if v.block == id));
    assert!(persist.unwrap() < send.unwrap(), "{out:?}");
    // duplicate delivery
    assert_eq!(c[0].handle(msg(1, prop(p))), Err(HotStuffError::Duplicate));
}

#[test]
fn voting_rule_rejects_gaps_and_uses_tc() {
    let (ks, vs, mut c) = cores(4);
    let (id1, _b1) = block(&vs, 1, vs.genesis_qc(), 1);
    let qc1 = qc(&vs, &ks, id1, 1, &[0, 1, 2]);
    // Round 3 extending a round-1 QC without a TC: valid block, no vote (and core syncs to round 2).
    let (_, b3) = block(&vs, 3, qc1.clone(), 3);
    let out = c[0].handle(msg(3, prop(Proposal::new(&vs, b3.clone(), None, &ks[3])))).unwrap();
    assert!(votes_sent(&out).is_empty());
    assert_eq!(c[0].round(), 2);
    // Same with a TC for round 2 whose high QC is round 1: safe.
    let tsig = |i: usize, r: u64| ks[i].sign(&vs.timeout_message(2, r));
    let tc = TimeoutCert {
        round: 2,
        signers: vec![(0, 1, tsig(0, 1)), (1, 1, tsig(1, 1)), (2, 0, tsig(2, 0))],
        high_qc: qc1,
    };
    let mut b3b = b3;
    b3b.payload_digest = H256([4; 32]);
    let out = c[1].handle(msg(3, prop(Proposal::new(&vs, b3b, Some(tc.clone()), &ks[3])))).unwrap();
    assert_eq!(votes_sent(&out).len(), 1);
    assert_eq!(votes_sent(&out)[0].0, 0); // leader of round 4
                                          // A TC whose high QC is above the proposal's justify: not safe.
    let (id2, b2) = block(&vs, 2, vs.genesis_qc(), 2);
    let _ = b2;
    let qc2 = qc(&vs, &ks, id2, 2, &[0, 1, 2]);
    let tsig3 = |i: usize, r: u64| ks[i].sign(&vs.timeout_message(3, r));
    let tc3 = TimeoutCert {
        round: 3,
        signers: vec![(0, 2, tsig3(0, 2)), (1, 0, tsig3(1, 0)), (2, 0, tsig3(2, 0))],
        high_qc: qc2,
    };
    let (_, b4) = block(&vs, 4, vs.genesis_qc(), 5);
    let out = c[2].handle(msg(0, prop(Proposal::new(&vs, b4, Some(tc3), &ks[0])))).unwrap();
    assert!(votes_sent(&out).is_empty());
    assert_eq!(c[2].round(), 4);
    // After timing out in a round, no vote in it.
    let (_, b) = block(&vs, 1, vs.genesis_qc(), 1);
    let mut c3 = cores(4).2.remove(3);
    c3.handle(Input::Timeout { round: 1 }).unwrap();
    let out = c3.handle(msg(1, prop(Proposal::new(&vs, b, None, &ks[1])))).unwrap();
    assert!(votes_sent(&out).is_empty());
}

#[test]
fn rejects_bad_signatures_wrong_leader_and_equivocation() {
    let (ks, vs, mut c) = cores(4);
    let (_, b) = block(&vs, 1, vs.genesis_qc(), 1);
    let mut bad = Proposal::new(&vs, b.clone(), None, &ks[1]);
    bad.signature.0[0] ^= 1;
    assert!(matches!(c[0].handle(msg(1, prop(bad))), Err(HotStuffError::BadSignature(_))));
    let mut wrong = b.clone();
    wrong.proposer = 2;
    assert!(matches!(
        c[0].handle(msg(2, prop(Proposal::new(&vs, wrong, None, &ks[2])))),
        Err(HotStuffError::Malformed(_))
    ));
    // Forged justify QC.
    let mut forged = b.clone();
    forged.round = 2;
    forged.proposer = 2;
    forged.justify = qc(&vs, &ks, H256([9; 32]), 1, &[0, 1, 2]);
    forged.justify.votes[0].1 = forged.justify.votes[1].1;
    forged.parent = forged.justify.block;
    assert!(matches!(
        c[0].handle(msg(2, prop(Proposal::new(&vs, forged, None, &ks[2])))),
        Err(HotStuffError::BadSignature(_))
    ));
    assert_eq!(c[0].round(), 1);
    // Equivocation: the first proposal wins, the second is evidence.
    c[0].handle(msg(1, prop(Proposal::new(&vs, b.clone(), None, &ks[1])))).unwrap();
    let mut b2 = b;
    b2.payload_digest = H256([2; 32]);
    match c[0].handle(msg(1, prop(Proposal::new(&vs, b2, None, &ks[1])))) {
        Err(HotStuffError::Equivocation(e)) => {
            assert!(matches!(*e, Evidence::DoubleProposal { round: 1, proposer: 1, .. }))
        }
        other => panic!("{other:?}"),
    }
    // Unknown sender, bad timeout signature.
    assert!(c[0].handle(msg(9, Message::BlockRequest(H256::ZERO))).is_err());
    let mut t =
        TimeoutMsg { round: 1, high_qc: vs.genesis_qc(), last_tc: None, sender: 1, signature: ks[1].sign(b"x") };
    assert!(matches!(c[0].handle(msg(1, Message::Timeout(Box::new(t.clone())))), Err(HotStuffError::BadSignature(_))));
    t.round = 0;
    assert!(c[0].handle(msg(1, Message::Timeout(Box::new(t)))).is_err());
}

#[test]
fn qc_formation_and_double_vote() {
    let (ks, vs, mut c) = cores(4);
    let (id, _) = block(&vs, 1, vs.genesis_qc(), 1);
    let leader = &mut c[2];
    leader.handle(msg(0, Message::Vote(Vote::new(&vs, id, 1, 0, &ks[0])))).unwrap();
    let mut bad = Vote::new(&vs, id, 1, 1, &ks[1]);
    bad.signature.0[1] ^= 1;
    assert!(matches!(leader.handle(msg(1, Message::Vote(bad))), Err(HotStuffError::BadSignature(_))));
    assert_eq!(leader.handle(msg(0, Message::Vote(Vote::new(&vs, id, 1, 0, &ks[0])))), Err(HotStuffError::Duplicate));
    match leader.handle(msg(0, Message::Vote(Vote::new(&vs, H256([5; 32]), 1, 0, &ks[0])))) {
        Err(HotStuffError::Equivocation(e)) => {
            assert!(matches!(*e, Evidence::DoubleVote { voter: 0, round: 1, .. }))
        }
        other => panic!("{other:?}"),
    }
    leader.handle(msg(1, Message::Vote(Vote::new(&vs, id, 1, 1, &ks[1])))).unwrap();
    assert_eq!(leader.round(), 1);
    let out = leader.handle(msg(3, Message::Vote(Vote::new(&vs, id, 1, 3, &ks[3])))).unwrap();
    assert_eq!(leader.round(), 2);
    assert_eq!(leader.high_qc().round, 1);
    vs.verify_qc(leader.high_qc()).unwrap();
    assert!(out.contains(&Action::RequestPayload { round: 2 }));
    // A vote sent to a non-leader is rejected.
    assert!(c[0].handle(msg(1, Message::Vote(Vote::new(&vs, id, 1, 1, &ks[1])))).is_err());
}

#[test]
fn tc_formation_and_backoff() {
    let (ks, vs, mut c) = cores(4);
    let core = &mut c[0];
    assert_eq!(core.start(), vec![Action::ScheduleTimeout { round: 1, duration_ms: BASE }]);
    let out = core.handle(Input::Timeout { round: 1 }).unwrap();
    assert!(matches!(&out[0], Action::PersistSafety(s) if s.last_voted_round == 1));
    assert!(matches!(&out[1], Action::Broadcast(Message::Timeout(t)) if t.round == 1 && t.sender == 0));
    assert!(out.contains(&Action::ScheduleTimeout { round: 1, duration_ms: 2 * BASE }));
    // Stale timer: ignored.
    assert!(core.handle(Input::Timeout { round: 7 }).unwrap().is_empty());
    let tmsg = |i: usize, r: u64| {
        let t = TimeoutMsg {
            round: r,
            high_qc: vs.genesis_qc(),
            last_tc: None,
            sender: i as u32,
            signature: ks[i].sign(&vs.timeout_message(r, 0)),
        };
        Message::Timeout(Box::new(t))
    };
    core.handle(msg(1, tmsg(1, 1))).unwrap();
    assert_eq!(core.round(), 1);
    assert_eq!(core.handle(msg(1, tmsg(1, 1))), Err(HotStuffError::Duplicate));
    let out = core.handle(msg(2, tmsg(2, 1))).unwrap();
    assert_eq!(core.round(), 2);
    assert!(out.contains(&Action::ScheduleTimeout { round: 2, duration_ms: 2 * BASE }));
    // Back-off doubles per expiry and is capped at 2^6.
    let mut r = 2;
    let mut expected = 2 * BASE;
    for _ in 0..10 {
        let out = core.handle(Input::Timeout { round: r }).unwrap();
        expected = (expected * 2).min(BASE << MAX_BACKOFF_EXP);
        assert!(out.contains(&Action::ScheduleTimeout { round: r, duration_ms: expected }), "{out:?}");
        for i in [1usize, 2] {
            core.handle(msg(i as u32, tmsg(i, r))).unwrap();
        }
        r += 1;
        assert_eq!(core.round(), r);
    }
    assert_eq!(core.timeout_duration_ms(), BASE << MAX_BACKOFF_EXP);
    // A QC resets it: leader of round r+1 gets votes for round r... use a synced QC instead.
    let (id, b) = block(&vs, r, core.high_qc().clone(), 1);
    let _ = b;
    let q = qc(&vs, &ks, id, r, &[1, 2, 3]);
    let t = TimeoutMsg {
        round: r + 1,
        high_qc: q,
        last_tc: None,
        sender: 1,
        signature: ks[1].sign(&vs.timeout_message(r + 1, r)),
    };
    let out = core.handle(msg(1, Message::Timeout(Box::new(t)))).unwrap();
    assert_eq!(core.round(), r + 1);
    assert!(out.contains(&Action::ScheduleTimeout { round: r + 1, duration_ms: BASE }), "{out:?}");
}

/// Runs `cores` over a lossless FIFO network until `steps` deliveries; returns commits per node.
fn run(cores: &mut [Core], steps: usize) -> Vec<Vec<BlockId>> {
    let mut q: VecDeque<(u32, Input)> = VecDeque::new();
    let mut commits = vec![Vec::new(); cores.len()];
    let n = cores.len() as u32;
    let apply = |me: u32, acts: Vec<Action>, q: &mut VecDeque<(u32, Input)>, commits: &mut Vec<Vec<BlockId>>| {
        for a in acts {
            match a {
                Action::Broadcast(m) => (0..n).filter(|&i| i != me).for_each(|i| {
                    q.push_back((i, Input::Message { from: me, msg: m.clone() }));
                }),
                Action::Send { to, msg } => q.push_back((to, Input::Message { from: me, msg })),
                Action::RequestPayload { round } => {
                    q.push_back((me, Input::Payload { round, digest: H256([round as u8; 32]) }))
                }
                Action::Commit(ids) => commits[me as usize].extend(ids),
                _ => {}
            }
        }
    };
    for (i, c) in cores.iter_mut().enumerate() {
        let acts = c.start();
        apply(i as u32, acts, &mut q, &mut commits);
    }
    for _ in 0..steps {
        let Some((to, input)) = q.pop_front() else { break };
        if let Ok(acts) = cores[to as usize].handle(input) {
            apply(to, acts, &mut q, &mut commits);
        }
    }
    commits
}

#[test]
fn two_chain_commit_in_order() {
    let (_, _, mut c) = cores(4);
    let commits = run(&mut c, 400);
    let longest = commits.iter().map(Vec::len).max().unwrap();
    assert!(longest >= 5, "{commits:?}");
    for cm in &commits {
        assert_eq!(&commits[0][..cm.len().min(commits[0].len())], &cm[..cm.len().min(commits[0].len())]);
        assert!(!cm.is_empty());
    }
    // Committed blocks form a parent chain from genesis with consecutive certified rounds.
    let core = &c[0];
    let mut parent = core.vs.genesis_id();
    for id in &commits[0] {
        let b = core.block(id).unwrap();
        assert_eq!(b.parent, parent);
        parent = *id;
    }
    // Everything was committed exactly once.
    let set: BTreeSet<_> = commits[0].iter().collect();
    assert_eq!(set.len(), commits[0].len());
}

#[test]
fn commit_needs_consecutive_rounds() {
    let (ks, vs, mut c) = cores(4);
    let core = &mut c[0];
    let (id1, b1) = block(&vs, 1, vs.genesis_qc(), 1);
    core.handle(msg(1, prop(Proposal::new(&vs, b1, None, &ks[1])))).unwrap();
    let qc1 = qc(&vs, &ks, id1, 1, &[1, 2, 3]);
    // B3 extends B1 (gap: round 2 timed out) and gets a QC: no commit of B1.
    let (id3, b3) = block(&vs, 3, qc1.clone(), 3);
    let out = core.handle(msg(3, prop(Proposal::new(&vs, b3, None, &ks[3])))).unwrap();
    assert!(!out.iter().any(|a| matches!(a, Action::Commit(_))));
    let qc3 = qc(&vs, &ks, id3, 3, &[1, 2, 3]);
    let (id4, b4) = block(&vs, 4, qc3.clone(), 4);
    let out = core.handle(msg(0, prop(Proposal::new(&vs, b4, None, &ks[0])))).unwrap();
    assert!(!out.iter().any(|a| matches!(a, Action::Commit(_))), "{out:?}");
    // QC for B4 (round 4, parent round 3): commits B1 and B3, ancestor first.
    let (_, b5) = block(&vs, 5, qc(&vs, &ks, id4, 4, &[0, 1, 2]), 5);
    let out = core.handle(msg(1, prop(Proposal::new(&vs, b5, None, &ks[1])))).unwrap();
    let commits: Vec<_> =
        out.iter().filter_map(|a| if let Action::Commit(c) = a { Some(c.clone()) } else { None }).collect();
    assert_eq!(commits, vec![vec![id1, id3]]);
    assert_eq!(core.last_committed(), (3, id3));
}

#[test]
fn restored_safety_state_prevents_double_vote() {
    let (ks, vs, mut c) = cores(4);
    let (_, b) = block(&vs, 1, vs.genesis_qc(), 1);
    c[0].handle(msg(1, prop(Proposal::new(&vs, b.clone(), None, &ks[1])))).unwrap();
    let saved = c[0].safety();
    let cfg = Config { validators: vs.clone(), me: 0, base_timeout_ms: BASE };
    let mut restarted = Core::new(cfg, ks[0].clone(), Some(saved)).unwrap();
    let mut b2 = b;
    b2.payload_digest = H256([2; 32]);
    let out = restarted.handle(msg(1, prop(Proposal::new(&vs, b2, None, &ks[1])))).unwrap();
    assert!(votes_sent(&out).is_empty());
    // Wrong key for the index.
    let cfg = Config { validators: vs, me: 1, base_timeout_ms: BASE };
    assert!(Core::new(cfg, ks[0].clone(), None).is_err());
}

/// The whole-network restart case: a node voted for B1 and B2 (journaled them), the network
/// stopped after QC(B2) formed at the next leader only. Restarted with its journal, the node holds
/// both blocks, commits B1 as soon as it learns QC(B2), answers block requests for them, and
/// emits `PersistBlock` before the safety state of every vote.
#[test]
fn recover_with_journaled_blocks_commits_and_serves_them() {
    let (ks, vs, mut c) = cores(4);
    let (id1, b1) = block(&vs, 1, vs.genesis_qc(), 1);
    let p1 = Proposal::new(&vs, b1, None, &ks[1]);
    let out = c[0].handle(msg(1, prop(p1.clone()))).unwrap();
    let persist_block = out.iter().position(|a| matches!(a, Action::PersistBlock(p) if **p == p1)).unwrap();
    let persist_safety = out.iter().position(|a| matches!(a, Action::PersistSafety(_))).unwrap();
    assert!(persist_block < persist_safety, "{out:?}");
    let qc1 = qc(&vs, &ks, id1, 1, &[0, 1, 2]);
    let (id2, b2) = block(&vs, 2, qc1, 2);
    let p2 = Proposal::new(&vs, b2, None, &ks[2]);
    c[0].handle(msg(2, prop(p2.clone()))).unwrap();
    let saved = c[0].safety();
    assert_eq!(saved.last_voted_round, 2);
    let cfg = || Config { validators: vs.clone(), me: 0, base_timeout_ms: BASE };
    let genesis = (0, vs.genesis_id());

    // Without the journal, QC(B2) cannot commit B1: the node asks its peers and waits.
    let mut bare = Core::recover(cfg(), ks[0].clone(), saved.clone(), genesis, vec![]).unwrap().0;
    bare.start();
    let qc2 = qc(&vs, &ks, id2, 2, &[1, 2, 3]);
    let (_, b3) = block(&vs, 3, qc2.clone(), 3);
    let out = bare.handle(msg(3, prop(Proposal::new(&vs, b3.clone(), None, &ks[3])))).unwrap();
    assert!(!out.iter().any(|a| matches!(a, Action::Commit(_))));
    assert!(!bare.missing_blocks().is_empty());

    // With it, the same QC commits B1, and a peer's request for B2 is answered.
    let mut tampered = p2.clone();
    tampered.signature = ks[3].sign(b"forged");
    let (mut core, refused) =
        Core::recover(cfg(), ks[0].clone(), saved, genesis, vec![p1.clone(), p2.clone(), tampered]).unwrap();
    assert_eq!(refused.len(), 1, "the forged copy is refused");
    assert!(core.block(&id1).is_some() && core.block(&id2).is_some());
    assert_eq!(core.blocks_after(0).len(), 2);
    core.start();
    let out = core.handle(msg(3, prop(Proposal::new(&vs, b3, None, &ks[3])))).unwrap();
    assert!(out.contains(&Action::Commit(vec![id1])), "{out:?}");
    assert_eq!(core.last_committed(), (1, id1));
    let out = core.handle(msg(2, Message::BlockRequest(id2))).unwrap();
    assert!(out.iter().any(|a| matches!(a, Action::Send { to: 2, msg: Message::BlockResponse(p) } if **p == p2)));
}

#[test]
fn extreme_values_never_panic() {
    let (ks, vs, mut c) = cores(4);
    let core = &mut c[0];
    let max = u64::MAX;
    let sig = ks[1].sign(b"junk");
    let big_qc = QuorumCert { block: H256([1; 32]), round: max - 1, votes: vec![(1, sig); 9] };
    let inputs = vec![
        Input::Timeout { round: max },
        Input::Payload { round: max, digest: H256::ZERO },
        msg(1, Message::Vote(Vote { block: H256::ZERO, round: max, voter: 1, signature: sig })),
        msg(1, Message::Vote(Vote { block: H256::ZERO, round: 3, voter: u32::MAX, signature: sig })),
        msg(u32::MAX, Message::BlockRequest(H256::ZERO)),
        msg(1, Message::BlockRequest(H256::ZERO)),
        msg(1, Message::BlockResponse(Box::new(Proposal::new(&vs, block(&vs, 1, vs.genesis_qc(), 1).1, None, &ks[1])))),
        msg(
            1,
            Message::Timeout(Box::new(TimeoutMsg {
                round: max,
                high_qc: big_qc.clone(),
                last_tc: None,
                sender: 1,
                signature: sig,
            })),
        ),
        msg(
            1,
            Message::Timeout(Box::new(TimeoutMsg {
                round: 1,
                high_qc: vs.genesis_qc(),
                last_tc: Some(TimeoutCert { round: max, signers: vec![(0, max - 1, sig); 5], high_qc: big_qc.clone() }),
                sender: 1,
                signature: ks[1].sign(&vs.timeout_message(1, 0)),
            })),
        ),
    ];
    for input in inputs {
        let _ = core.handle(input);
    }
    for (round, proposer) in [(max, vs.leader(max)), (2, 2), (1, 1)] {
        let b = ProposedBlock {
            round,
            parent: big_qc.block,
            justify: big_qc.clone(),
            payload_digest: H256::ZERO,
            proposer,
        };
        let tc = TimeoutCert { round: max, signers: vec![], high_qc: big_qc.clone() };
        let _ = core.handle(msg(proposer, prop(Proposal::new(&vs, b, Some(tc), &ks[proposer as usize]))));
    }
    assert_eq!(core.round(), 1);
    assert_eq!(core.high_qc().round, 0);
}
