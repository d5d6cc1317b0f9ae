//! Seeded, deterministic discrete-event simulation of the HotStuff core: random delays (hence
//! reordering), drops, a partition, crashed (and recovering) nodes, whole-cluster crashes (every
//! node down at once, restarted from what it persisted), and Byzantine behaviour (equivocating
//! leader, double voting). Logical time only.
//!
//! Asserts safety (all committed sequences are prefixes of one chain) on every seed, and
//! liveness after GST (every correct node commits `LIVENESS_K` new blocks within
//! `LIVENESS_BOUND_MS` of logical time after drops and partitions stop).

use std::collections::BTreeMap;
use std::time::Instant;

use hechain_consensus::hotstuff::{
    Action, BlockId, Config, Core, HotStuffError, Input, Message, Proposal, QuorumCert, SafetyState, ValidatorSet, Vote,
};
use hechain_crypto::{NodeKey, Suite};
use hechain_types::H256;

const BASE_TIMEOUT_MS: u64 = 100;
const LIVENESS_K: usize = 5;
/// After liveness is shown, keep running (safety under more traffic) until this long after GST.
const RUN_AFTER_GST_MS: u64 = 2_500;
/// Worst case: a timer armed just before GST at the maximum back-off (`BASE * 2^6` = 6.4 s), then
/// up to f consecutive rounds led by faulty nodes, each also at the maximum back-off (it only
/// resets on a QC), then a handful of fast rounds: (f+1) * 6.4 s + ε = 19.2 s + ε for n = 7.
const LIVENESS_BOUND_MS: u64 = 30_000;
const MAX_EVENTS: u64 = 200_000;

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Up to f crashed nodes (some recover before GST), drops and a partition.
    Faults,
    /// One Byzantine node (equivocates as leader, double-votes), plus f-1 crashed nodes.
    Byzantine,
    /// Every node crashes at (nearly) the same moment, one to three times before GST, and
    /// restarts from its persisted safety state, persisted blocks and last commit; drops too.
    ClusterCrash,
}

#[derive(Debug)]
enum Ev {
    Deliver {
        to: u32,
        from: u32,
        msg: Message,
    },
    Timer {
        node: u32,
        round: u64,
        gen: u64,
    },
    Payload {
        node: u32,
        round: u64,
    },
    /// A crashed node comes back, restarted from its persisted safety state.
    Restart {
        node: u32,
    },
    /// Catch-up sync, as the driver does it: a node behind a peer takes the peer's committed
    /// blocks (the driver fetches them with their quorum seals) and re-anchors its core there.
    SyncTick,
}

/// How often nodes compare their progress with their peers'.
const SYNC_EVERY_MS: u64 = 250;
/// A node this many blocks behind a peer syncs at once; a closer one after `SYNC_STALE_MS`
/// without a commit (the driver's `SYNC_LAG` and `SYNC_ANY_GAP_AFTER`, in logical time).
const SYNC_LAG: usize = 3;
const SYNC_STALE_MS: u64 = 1_000;

struct Crash {
    node: u32,
    from: u64,
    until: Option<u64>,
    /// On recovery, restart the core from persisted state (else it just reconnects).
    restart: bool,
}

struct Sim {
    n: usize,
    seed: u64,
    vs: ValidatorSet,
    keys: Vec<NodeKey>,
    cores: Vec<Core>,
    rng: Rng,
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Ev>,
    timer_gen: Vec<u64>,
    commits: Vec<Vec<BlockId>>,
    /// Logical time of each node's last commit (or sync).
    last_commit_at: Vec<u64>,
    syncs: u64,
    /// Last `PersistSafety` per node: the durable state a restart recovers from.
    persisted: Vec<Option<SafetyState>>,
    /// Blocks each node persisted (`PersistBlock`), by id: restored on restart.
    persisted_blocks: Vec<BTreeMap<BlockId, Proposal>>,
    restarts: u64,
    // faults
    gst: u64,
    drop_per_mille: u64,
    max_delay_pre: u64,
    max_delay_post: u64,
    partition: Option<(u64, u64)>,
    crashes: Vec<Crash>,
    byzantine: Option<u32>,
    alt_blocks: BTreeMap<u64, BlockId>,
    /// QCs the Byzantine node has seen, to build forks on stale QCs.
    byz_qcs: BTreeMap<u64, QuorumCert>,
    // stats
    events: u64,
    equivocations: u64,
    bad_inputs: u64,
}

#[derive(Debug)]
struct Outcome {
    events: u64,
    commits_at_gst: usize,
    liveness_ms: u64,
    restarts: u64,
    syncs: u64,
    commits: Vec<Vec<BlockId>>,
    equivocations: u64,
}

impl Sim {
    fn new(n: usize, seed: u64, mode: Mode) -> Self {
        let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ n as u64);
        let keys: Vec<NodeKey> =
            (0..n).map(|i| NodeKey::from_bytes(Suite::Standard, &[i as u8 + 1; 32]).unwrap()).collect();
        let vs = ValidatorSet {
            suite: Suite::Standard,
            chain_tag: H256([0xab; 32]),
            keys: keys.iter().map(NodeKey::public_key).collect(),
        };
        let cores = (0..n)
            .map(|i| {
                let cfg = Config { validators: vs.clone(), me: i as u32, base_timeout_ms: BASE_TIMEOUT_MS };
                Core::new(cfg, keys[i].clone(), None).unwrap()
            })
            .collect();
        let f = vs.f();
        let gst = rng.range(1_000, 4_000);
        let partition = rng.per_mille(700).then(|| {
            let a = rng.below(gst);
            (a, rng.range(a, gst))
        });
        // Distinct faulty nodes.
        let mut faulty: Vec<u32> = (0..n as u32).collect();
        for i in (1..faulty.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            faulty.swap(i, j);
        }
        faulty.truncate(f);
        let byzantine = (mode == Mode::Byzantine).then(|| faulty.remove(0));
        let crashes = match mode {
            Mode::Faults | Mode::Byzantine => faulty
                .into_iter()
                .map(|node| {
                    let from = rng.below(gst);
                    let until = rng.per_mille(500).then(|| rng.range(from, gst));
                    Crash { node, from, until, restart: rng.per_mille(500) }
                })
                .collect(),
            Mode::ClusterCrash => {
                // One to three outages of the whole cluster, each node going down within a few
                // ms of the others (mid-round: some have voted, one may have committed more).
                let mut crashes = Vec::new();
                let outages = rng.range(1, 3);
                let slot = gst / outages;
                for k in 0..outages {
                    let at = k * slot + rng.range(slot / 4, slot / 2);
                    let down = rng.range(20, slot / 3);
                    for node in 0..n as u32 {
                        let from = at + rng.below(15);
                        crashes.push(Crash { node, from, until: Some(from + down), restart: true });
                    }
                }
                crashes
            }
        };
        Sim {
            n,
            seed,
            cores,
            keys,
            vs,
            gst,
            drop_per_mille: rng.below(200),
            max_delay_pre: rng.range(10, 150),
            max_delay_post: rng.range(2, 20),
            partition,
            crashes,
            byzantine,
            rng,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            timer_gen: vec![0; n],
            last_commit_at: vec![0; n],
            syncs: 0,
            commits: vec![Vec::new(); n],
            persisted: vec![None; n],
            persisted_blocks: vec![BTreeMap::new(); n],
            restarts: 0,
            alt_blocks: BTreeMap::new(),
            byz_qcs: BTreeMap::new(),
            events: 0,
            equivocations: 0,
            bad_inputs: 0,
        }
    }

    fn crashed(&self, node: u32, t: u64) -> bool {
        self.crashes.iter().any(|c| c.node == node && t >= c.from && c.until.is_none_or(|u| t < u))
    }

    /// Down and to be restarted from persisted state: the process is gone, so its timers do
    /// not fire either (a crash without restart only cuts the node off the network).
    fn process_down(&self, node: u32, t: u64) -> bool {
        self.crashes.iter().any(|c| c.restart && c.node == node && t >= c.from && c.until.is_none_or(|u| t < u))
    }

    /// Correct = never Byzantine and not crashed at/after GST.
    fn correct(&self, node: u32) -> bool {
        self.byzantine != Some(node)
            && !self.crashed(node, self.gst)
            && !self.crashes.iter().any(|c| c.node == node && c.until.is_none())
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    fn net_send(&mut self, from: u32, to: u32, msg: Message) {
        if from == to || self.crashed(from, self.now) || self.crashed(to, self.now) {
            return;
        }
        let delay = if self.now < self.gst {
            if let Some((a, b)) = self.partition {
                let side = |x: u32| (x as usize) < self.n / 2;
                if self.now >= a && self.now < b && side(from) != side(to) {
                    return;
                }
            }
            if self.rng.per_mille(self.drop_per_mille) {
                return;
            }
            self.rng.range(1, self.max_delay_pre)
        } else {
            self.rng.range(1, self.max_delay_post)
        };
        self.push(self.now + delay, Ev::Deliver { to, from, msg });
    }

    fn apply(&mut self, me: u32, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Broadcast(m) => {
                    let needs = match &m {
                        Message::Timeout(t) => Some(t.round),
                        Message::Proposal(p) => Some(p.block.round),
                        _ => None,
                    };
                    if let Some(r) = needs {
                        self.assert_persisted(me, r);
                    }
                    if self.byzantine == Some(me) {
                        if let Message::Proposal(p) = &m {
                            if p.block.proposer == me {
                                self.equivocate(me, p);
                                continue;
                            }
                        }
                    }
                    for to in 0..self.n as u32 {
                        self.net_send(me, to, m.clone());
                    }
                }
                Action::Send { to, msg } => {
                    if let Message::Vote(v) = &msg {
                        self.assert_persisted(me, v.round);
                        assert!(
                            self.persisted_blocks[me as usize].contains_key(&v.block),
                            "seed {}: node {me} votes for a block it did not persist",
                            self.seed
                        );
                    }
                    if self.byzantine == Some(me) {
                        if let Message::Vote(v) = &msg {
                            self.double_vote(me, to, v);
                            continue;
                        }
                    }
                    self.net_send(me, to, msg);
                }
                Action::PersistSafety(s) => self.persisted[me as usize] = Some(s),
                Action::PersistBlock(p) => {
                    self.persisted_blocks[me as usize].insert(self.vs.block_id(&p.block), *p);
                }
                Action::Commit(ids) => {
                    self.commits[me as usize].extend(ids);
                    self.last_commit_at[me as usize] = self.now;
                }
                Action::ScheduleTimeout { round, duration_ms } => {
                    self.timer_gen[me as usize] += 1;
                    let gen = self.timer_gen[me as usize];
                    self.push(self.now + duration_ms, Ev::Timer { node: me, round, gen });
                }
                Action::RequestPayload { round } => self.push(self.now + 1, Ev::Payload { node: me, round }),
            }
        }
    }

    /// A vote, timeout or own proposal for `round` may only leave after `last_voted_round >= round`
    /// was handed to the driver for persistence.
    fn assert_persisted(&self, me: u32, round: u64) {
        let lvr = self.persisted[me as usize].as_ref().map_or(0, |s| s.last_voted_round);
        assert!(lvr >= round, "seed {}: node {me} sends for round {round} with persisted round {lvr}", self.seed);
    }

    fn restart(&mut self, node: u32) {
        let i = node as usize;
        // What a node executed is durable (the driver's store): its last commit survives.
        let last_committed = self.cores[i].last_committed();
        let cfg = Config { validators: self.vs.clone(), me: node, base_timeout_ms: BASE_TIMEOUT_MS };
        // The driver keeps persisted blocks above its executed head.
        self.persisted_blocks[i].retain(|_, p| p.block.round > last_committed.0);
        let blocks: Vec<Proposal> = self.persisted_blocks[i].values().cloned().collect();
        self.cores[i] = match self.persisted[i].clone() {
            Some(s) => {
                let (core, refused) = Core::recover(cfg, self.keys[i].clone(), s, last_committed, blocks).unwrap();
                assert!(refused.is_empty(), "seed {}: node {node} refused its own blocks: {refused:?}", self.seed);
                core
            }
            None => Core::new(cfg, self.keys[i].clone(), None).unwrap(),
        };
        self.restarts += 1;
        let acts = self.cores[i].start();
        self.apply(node, acts);
    }

    /// Catch-up of `node` from the correct, reachable peer with the most commits.
    fn maybe_sync(&mut self, node: u32) {
        let i = node as usize;
        if self.crashed(node, self.now) {
            return;
        }
        let peer = (0..self.n as u32)
            .filter(|&j| j != node && self.byzantine != Some(j) && !self.crashed(j, self.now))
            .max_by_key(|&j| self.commits[j as usize].len());
        let Some(peer) = peer else { return };
        let (mine, theirs) = (self.commits[i].len(), self.commits[peer as usize].len());
        if theirs <= mine || (theirs < mine + SYNC_LAG && self.now < self.last_commit_at[i] + SYNC_STALE_MS) {
            return;
        }
        assert_eq!(
            self.commits[peer as usize][..mine],
            self.commits[i][..],
            "seed {}: node {node} syncing from {peer}: committed chains differ",
            self.seed
        );
        let synced = self.commits[peer as usize][mine..].to_vec();
        self.commits[i].extend(synced);
        self.last_commit_at[i] = self.now;
        self.syncs += 1;
        // The driver re-anchors the core after the synced head, keeping its safety state and the
        // blocks it holds above it.
        let anchor = self.cores[peer as usize].last_committed();
        if self.cores[i].last_committed().0 >= anchor.0 {
            return;
        }
        let cfg = Config { validators: self.vs.clone(), me: node, base_timeout_ms: BASE_TIMEOUT_MS };
        let core = &self.cores[i];
        let (fresh, refused) =
            Core::recover(cfg, self.keys[i].clone(), core.safety(), anchor, core.blocks_after(anchor.0)).unwrap();
        assert!(refused.is_empty(), "seed {}: node {node} refused its own blocks: {refused:?}", self.seed);
        self.cores[i] = fresh;
        let acts = self.cores[i].start();
        self.apply(node, acts);
    }

    /// Byzantine leader: proposal `p` to half of the others, a conflicting one to the rest; after
    /// a timeout, a fork extending a stale QC to everyone instead.
    fn equivocate(&mut self, me: u32, p: &Proposal) {
        let mut alt_block = p.block.clone();
        alt_block.payload_digest.0[0] ^= 0xff;
        // With a TC, also try to fork: extend a QC older than the TC's highest one (the voting
        // rule must refuse it, or a committed block could be orphaned).
        let mut forking = false;
        if p.tc.is_some() {
            if let Some((_, old)) = self.byz_qcs.range(1..p.block.justify.round.saturating_sub(2).max(1)).next_back() {
                alt_block.justify = old.clone();
                alt_block.parent = old.block;
                forking = true;
            }
        }
        self.alt_blocks.insert(alt_block.round, self.vs.block_id(&alt_block));
        let alt = Proposal::new(&self.vs, alt_block, p.tc.clone(), &self.keys[me as usize]);
        let others: Vec<u32> = (0..self.n as u32).filter(|&i| i != me).collect();
        let half = others.len() / 2;
        for (k, to) in others.into_iter().enumerate() {
            let m = if k < half && !forking { p.clone() } else { alt.clone() };
            self.net_send(me, to, Message::Proposal(Box::new(m)));
        }
    }

    /// Byzantine voter: votes for the block and for a conflicting one, in random order.
    fn double_vote(&mut self, me: u32, to: u32, v: &Vote) {
        let other = match self.alt_blocks.get(&v.round) {
            Some(alt) if *alt != v.block => *alt,
            _ => H256(Suite::Standard.hash(&[v.block.0.as_slice(), b"byz"].concat())),
        };
        let v2 = Vote::new(&self.vs, other, v.round, me, &self.keys[me as usize]);
        let mut pair = [v.clone(), v2];
        if self.rng.per_mille(500) {
            pair.swap(0, 1);
        }
        for vote in pair {
            self.net_send(me, to, Message::Vote(vote));
        }
    }

    fn step(&mut self) -> bool {
        let Some(((at, _), ev)) = self.queue.pop_first() else { return false };
        self.now = at;
        self.events += 1;
        let (node, input) = match ev {
            Ev::Deliver { to, from, msg } => {
                if self.crashed(to, at) {
                    return true;
                }
                if self.byzantine == Some(to) {
                    if let Message::Proposal(p) = &msg {
                        self.byz_qcs.insert(p.block.justify.round, p.block.justify.clone());
                    }
                }
                (to, Input::Message { from, msg })
            }
            Ev::Timer { node, round, gen } => {
                if gen != self.timer_gen[node as usize] || self.process_down(node, at) {
                    return true;
                }
                (node, Input::Timeout { round })
            }
            Ev::Restart { node } => {
                self.restart(node);
                return true;
            }
            Ev::SyncTick => {
                for node in 0..self.n as u32 {
                    self.maybe_sync(node);
                }
                self.push(at + SYNC_EVERY_MS, Ev::SyncTick);
                return true;
            }
            Ev::Payload { node, round } => {
                if self.process_down(node, at) {
                    return true;
                }
                let digest = H256(Suite::Standard.hash(&[&node.to_be_bytes()[..], &round.to_be_bytes()].concat()));
                (node, Input::Payload { round, digest })
            }
        };
        match self.cores[node as usize].handle(input) {
            Ok(actions) => self.apply(node, actions),
            Err(HotStuffError::Equivocation(_)) => self.equivocations += 1,
            Err(HotStuffError::SafetyViolation(e)) => panic!("seed {}: safety violation reported: {e}", self.seed),
            Err(_) => self.bad_inputs += 1,
        }
        true
    }

    fn check_safety(&self) {
        for (i, c) in self.cores.iter().enumerate() {
            assert_eq!(
                c.safety_violations(),
                0,
                "seed {}: node {i} saw a certified fork of its committed chain",
                self.seed
            );
        }
        let longest = self.commits.iter().max_by_key(|c| c.len()).unwrap();
        for (i, c) in self.commits.iter().enumerate() {
            assert_eq!(
                &longest[..c.len()],
                &c[..],
                "seed {}: node {i} committed a sequence that is not a prefix of the longest",
                self.seed
            );
            let mut seen = std::collections::BTreeSet::new();
            assert!(c.iter().all(|id| seen.insert(*id)), "seed {}: node {i} committed a block twice", self.seed);
        }
    }

    fn run(mut self) -> Outcome {
        for i in 0..self.n {
            let acts = self.cores[i].start();
            self.apply(i as u32, acts);
        }
        let restarts: Vec<(u64, u32)> =
            self.crashes.iter().filter(|c| c.restart).filter_map(|c| c.until.map(|u| (u, c.node))).collect();
        for (at, node) in restarts {
            self.push(at, Ev::Restart { node });
        }
        self.push(SYNC_EVERY_MS, Ev::SyncTick);
        while self.now < self.gst {
            assert!(self.step(), "seed {}: event queue ran dry", self.seed);
            assert!(self.events < MAX_EVENTS, "seed {}: event budget exhausted before GST", self.seed);
        }
        self.check_safety();
        let correct: Vec<u32> = (0..self.n as u32).filter(|&i| self.correct(i)).collect();
        assert!(correct.len() >= self.vs.quorum(), "seed {}: too many faults", self.seed);
        let at_gst: Vec<usize> = self.commits.iter().map(Vec::len).collect();
        let deadline = self.gst + LIVENESS_BOUND_MS;
        loop {
            if correct.iter().all(|&i| self.commits[i as usize].len() >= at_gst[i as usize] + LIVENESS_K) {
                break;
            }
            assert!(
                self.now <= deadline && self.events < MAX_EVENTS,
                "seed {}: liveness failed: commits at GST {:?}, now {:?}, t={} gst={} events={} crashes={:?} byz={:?}",
                self.seed,
                at_gst,
                self.commits.iter().map(Vec::len).collect::<Vec<_>>(),
                self.now,
                self.gst,
                self.events,
                self.crashes.iter().map(|c| (c.node, c.from, c.until)).collect::<Vec<_>>(),
                self.byzantine,
            );
            assert!(self.step(), "seed {}: event queue ran dry", self.seed);
        }
        let live_at = self.now;
        while self.now < self.gst + RUN_AFTER_GST_MS && self.events < MAX_EVENTS && self.step() {}
        self.check_safety();
        let _ = self.bad_inputs;
        Outcome {
            events: self.events,
            commits_at_gst: at_gst.iter().sum(),
            liveness_ms: live_at - self.gst,
            commits: self.commits,
            equivocations: self.equivocations,
            restarts: self.restarts,
            syncs: self.syncs,
        }
    }
}

fn run_seeds(n: usize, mode: Mode, seeds: std::ops::Range<u64>) -> (u64, u64) {
    let started = Instant::now();
    let count = seeds.end - seeds.start;
    let (mut events, mut equivocations, mut pre_gst, mut total, mut worst_live) = (0, 0, 0, 0, 0);
    let (mut restarts, mut syncs) = (0, 0);
    for seed in seeds {
        let out = Sim::new(n, seed, mode).run();
        events += out.events;
        equivocations += out.equivocations;
        pre_gst += out.commits_at_gst;
        total += out.commits.iter().map(Vec::len).sum::<usize>();
        worst_live = worst_live.max(out.liveness_ms);
        restarts += out.restarts;
        syncs += out.syncs;
    }
    eprintln!(
        "n={n} {mode:?}: {count} seeds, {events} events ({} per seed), commits (all nodes) {pre_gst} before GST / \
         {total} total, worst time to {LIVENESS_K} commits after GST {worst_live} ms, {equivocations} equivocations \
         detected, {restarts} restarts from persisted state, {syncs} catch-up syncs, {:?}",
        events / count.max(1),
        started.elapsed()
    );
    (events, equivocations)
}

#[test]
fn sim_n4_crashes_drops_partition() {
    run_seeds(4, Mode::Faults, 0..120);
}

#[test]
fn sim_n7_crashes_drops_partition() {
    run_seeds(7, Mode::Faults, 1_000..1_060);
}

#[test]
fn sim_n4_byzantine_equivocation_and_double_votes() {
    let (_, equivocations) = run_seeds(4, Mode::Byzantine, 2_000..2_080);
    assert!(equivocations > 0, "the Byzantine node never got caught");
}

#[test]
fn sim_n7_byzantine_equivocation_and_double_votes() {
    let (_, equivocations) = run_seeds(7, Mode::Byzantine, 3_000..3_040);
    assert!(equivocations > 0, "the Byzantine node never got caught");
}

#[test]
fn sim_n4_whole_cluster_crash_and_restart() {
    run_seeds(4, Mode::ClusterCrash, 4_000..4_100);
}

#[test]
fn sim_n7_whole_cluster_crash_and_restart() {
    run_seeds(7, Mode::ClusterCrash, 5_000..5_040);
}

#[test]
fn sim_is_deterministic() {
    for (n, mode, seed) in [(4, Mode::Faults, 7), (7, Mode::Byzantine, 11)] {
        let a = Sim::new(n, seed, mode).run();
        let b = Sim::new(n, seed, mode).run();
        assert_eq!(a.events, b.events);
        assert_eq!(a.commits, b.commits);
        assert!(a.commits.iter().any(|c| !c.is_empty()));
    }
}
