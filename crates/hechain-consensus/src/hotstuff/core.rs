//! The sans-IO consensus state machine (safety rules, pacemaker, QC/TC formation, 2-chain commit).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use hechain_crypto::{NodeKey, NodeSignature};
use hechain_types::H256;

use super::types::*;

/// Votes / timeouts further than this many rounds ahead of the local round are dropped (bounds memory).
pub const MAX_ROUNDS_AHEAD: u64 = 1_000;
/// Committed blocks older than this many rounds are pruned from the block store.
pub const PRUNE_WINDOW: u64 = 1_024;
/// The timeout back-off exponent cap: `base * 2^min(consecutive, MAX_BACKOFF_EXP)`.
pub const MAX_BACKOFF_EXP: u32 = 6;

/// Inputs to [`Core::handle`].
#[derive(Debug, Clone)]
pub enum Input {
    /// A message from validator `from` (transport-authenticated sender).
    Message {
        /// Sender index.
        from: ValidatorIndex,
        /// The message.
        msg: Message,
    },
    /// The timer scheduled for `round` expired.
    Timeout {
        /// Round of the timer.
        round: u64,
    },
    /// The payload for this node's proposal in `round` is ready (answer to [`Action::RequestPayload`]).
    Payload {
        /// Round.
        round: u64,
        /// Payload digest.
        digest: H256,
    },
}

/// Outputs of [`Core::handle`], to be executed in order by the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send to every other validator.
    Broadcast(Message),
    /// Send to one validator.
    Send {
        /// Recipient index.
        to: ValidatorIndex,
        /// The message.
        msg: Message,
    },
    /// Durably store this block (with the payload its digest names) before executing any later
    /// action. Emitted for every block this node votes for (its own proposals included), right
    /// before the [`Action::PersistSafety`] of that vote: every certified block is then on the
    /// disks of a quorum, so a whole network restarted at once still holds the blocks that a
    /// commit has to walk (see [`Core::recover`]).
    PersistBlock(Box<Proposal>),
    /// Durably store before executing any later action.
    PersistSafety(SafetyState),
    /// Blocks became final, ancestor first; each id is emitted exactly once.
    Commit(Vec<BlockId>),
    /// (Re)arm the round timer; only the latest one matters.
    ScheduleTimeout {
        /// Round.
        round: u64,
        /// Delay in milliseconds.
        duration_ms: u64,
    },
    /// This node leads `round`: answer with [`Input::Payload`].
    RequestPayload {
        /// Round.
        round: u64,
    },
}

/// Static configuration of a core.
#[derive(Debug, Clone)]
pub struct Config {
    /// Validator set.
    pub validators: ValidatorSet,
    /// This node's index.
    pub me: ValidatorIndex,
    /// Base round timeout in milliseconds.
    pub base_timeout_ms: u64,
}

/// The HotStuff-2 / Jolteon core of one validator.
pub struct Core {
    vs: ValidatorSet,
    me: ValidatorIndex,
    key: NodeKey,
    base_timeout_ms: u64,

    // safety
    last_voted_round: u64,
    high_qc: QuorumCert,
    // pacemaker
    round: u64,
    last_tc: Option<TimeoutCert>,
    consecutive_timeouts: u32,
    proposed_round: u64,
    payload_requested: bool,
    // stores
    blocks: BTreeMap<BlockId, Proposal>,
    first_proposal: BTreeMap<u64, Proposal>,
    votes: BTreeMap<(u64, BlockId), BTreeMap<ValidatorIndex, NodeSignature>>,
    voted_by: BTreeMap<(u64, ValidatorIndex), Vote>,
    timeouts: BTreeMap<u64, BTreeMap<ValidatorIndex, (QuorumCert, NodeSignature)>>,
    verified: BTreeSet<(u64, H256)>,
    requested: BTreeSet<BlockId>,
    // commit
    decided: Option<(u64, BlockId)>,
    last_committed: (u64, BlockId),
    safety_violations: u64,
    // per-handle
    out: Vec<Action>,
    loopback: VecDeque<Message>,
}

impl Core {
    /// A core at round 1 (or, with a restored [`SafetyState`], after its high QC).
    pub fn new(config: Config, key: NodeKey, restored: Option<SafetyState>) -> Result<Self, HotStuffError> {
        let vs = config.validators;
        if vs.n() == 0 || config.me as usize >= vs.n() {
            return Err(HotStuffError::Config("validator index out of range".into()));
        }
        if vs.key(config.me) != Some(&key.public_key()) || key.suite() != vs.suite {
            return Err(HotStuffError::Config("key does not match the validator set".into()));
        }
        let genesis = vs.genesis_qc();
        let (lvr, high_qc) = match restored {
            Some(s) => {
                vs.verify_qc(&s.high_qc)?;
                (s.last_voted_round, s.high_qc)
            }
            None => (0, genesis.clone()),
        };
        Ok(Core {
            round: high_qc.round.saturating_add(1),
            last_voted_round: lvr,
            high_qc,
            last_committed: (0, genesis.block),
            vs,
            me: config.me,
            key,
            base_timeout_ms: config.base_timeout_ms.max(1),
            last_tc: None,
            consecutive_timeouts: 0,
            proposed_round: 0,
            payload_requested: false,
            blocks: BTreeMap::new(),
            first_proposal: BTreeMap::new(),
            votes: BTreeMap::new(),
            voted_by: BTreeMap::new(),
            timeouts: BTreeMap::new(),
            verified: BTreeSet::new(),
            requested: BTreeSet::new(),
            decided: None,
            safety_violations: 0,
            out: Vec::new(),
            loopback: VecDeque::new(),
        })
    }

    /// A core restarted from durable state: the persisted [`SafetyState`], the last block the
    /// node committed (round, id), so commits continue after it without repeats, and the blocks
    /// it persisted ([`Action::PersistBlock`]) above that one. Those blocks are checked like a
    /// block response (a bad one is left out and reported in the error list) and stored, so the
    /// 2-chain walk from a new QC can reach the committed block again and block requests of
    /// peers that lack them can be answered.
    pub fn recover(
        config: Config,
        key: NodeKey,
        safety: SafetyState,
        last_committed: (u64, BlockId),
        blocks: Vec<Proposal>,
    ) -> Result<(Self, Vec<HotStuffError>), HotStuffError> {
        let mut core = Self::new(config, key, Some(safety))?;
        core.last_committed = last_committed;
        let mut refused = Vec::new();
        for p in blocks {
            if p.block.round <= last_committed.0 {
                continue;
            }
            match core.check_proposal(&p, true) {
                Ok(id) => {
                    core.first_proposal.entry(p.block.round).or_insert_with(|| p.clone());
                    core.blocks.insert(id, p);
                }
                Err(e) => refused.push(e),
            }
        }
        Ok((core, refused))
    }

    /// The stored blocks above `round`, in round order (to carry them over when the driver
    /// re-anchors the core).
    pub fn blocks_after(&self, round: u64) -> Vec<Proposal> {
        let mut out: Vec<Proposal> = self.blocks.values().filter(|p| p.block.round > round).cloned().collect();
        out.sort_by_key(|p| p.block.round);
        out
    }

    /// Blocks this node asked its peers for and has not received (a commit waits for them).
    pub fn missing_blocks(&self) -> Vec<BlockId> {
        self.requested.iter().copied().collect()
    }

    /// How many round timers expired in a row without a QC.
    pub fn consecutive_timeouts(&self) -> u32 {
        self.consecutive_timeouts
    }

    /// Start: commit what restored blocks decide, arm the first timer and, if leading, ask for a
    /// payload.
    pub fn start(&mut self) -> Vec<Action> {
        // Restored blocks may already decide a commit (the high QC's 2-chain) that this node had
        // not reached before it stopped.
        let hq = self.high_qc.clone();
        self.check_commit_rule(&hq);
        self.schedule_timer();
        self.maybe_propose();
        self.drain()
    }

    /// Current round.
    pub fn round(&self) -> u64 {
        self.round
    }
    /// Highest QC.
    pub fn high_qc(&self) -> &QuorumCert {
        &self.high_qc
    }
    /// Round and id of the last committed block (genesis at start).
    pub fn last_committed(&self) -> (u64, BlockId) {
        self.last_committed
    }
    /// How often a certified commit target did not extend the committed chain (refused; only
    /// possible with more than f Byzantine validators or a bug). Should stay 0.
    pub fn safety_violations(&self) -> u64 {
        self.safety_violations
    }
    /// A stored block.
    pub fn block(&self, id: &BlockId) -> Option<&ProposedBlock> {
        self.blocks.get(id).map(|p| &p.block)
    }
    /// Current safety state.
    pub fn safety(&self) -> SafetyState {
        SafetyState { last_voted_round: self.last_voted_round, high_qc: self.high_qc.clone() }
    }
    /// Changes the base round timeout (a chain parameter changed by governance); applies from
    /// the next timer armed.
    pub fn set_base_timeout(&mut self, base_timeout_ms: u64) {
        self.base_timeout_ms = base_timeout_ms.max(1);
    }

    /// The timeout for the current back-off level.
    pub fn timeout_duration_ms(&self) -> u64 {
        self.base_timeout_ms.saturating_mul(1u64 << self.consecutive_timeouts.min(MAX_BACKOFF_EXP))
    }

    /// Process one input. `Err` means the input was rejected and changed nothing; `Ok` carries the
    /// actions to execute in order (possibly none, e.g. a valid proposal that is not safe to vote for).
    pub fn handle(&mut self, input: Input) -> Result<Vec<Action>, HotStuffError> {
        self.out.clear();
        self.loopback.clear();
        let res = match input {
            Input::Message { from, msg } => self.on_message(from, msg, true),
            Input::Timeout { round } => {
                self.on_local_timeout(round);
                Ok(())
            }
            Input::Payload { round, digest } => {
                self.on_payload(round, digest);
                Ok(())
            }
        };
        if let Err(e) = res {
            // Every rejection happens before any state change.
            self.out.clear();
            self.loopback.clear();
            return Err(e);
        }
        self.run_loopback();
        Ok(self.drain())
    }

    fn drain(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.out)
    }

    fn run_loopback(&mut self) {
        let mut budget = 64;
        while let Some(m) = self.loopback.pop_front() {
            budget -= 1;
            if budget == 0 {
                break;
            }
            let _ = self.on_message(self.me, m, false);
        }
    }

    fn send(&mut self, to: ValidatorIndex, msg: Message) {
        if to == self.me {
            self.loopback.push_back(msg);
        } else {
            self.out.push(Action::Send { to, msg });
        }
    }

    fn broadcast(&mut self, msg: Message) {
        self.loopback.push_back(msg.clone());
        self.out.push(Action::Broadcast(msg));
    }

    fn on_message(&mut self, from: ValidatorIndex, msg: Message, verify: bool) -> Result<(), HotStuffError> {
        if from as usize >= self.vs.n() {
            return Err(HotStuffError::Malformed("unknown sender"));
        }
        match msg {
            Message::Proposal(p) => self.on_proposal(*p, verify),
            Message::Vote(v) => self.on_vote(v, verify),
            Message::Timeout(t) => self.on_timeout_msg(*t, verify),
            Message::BlockRequest(id) => {
                if let Some(p) = self.blocks.get(&id) {
                    let p = Box::new(p.clone());
                    self.send(from, Message::BlockResponse(p));
                }
                Ok(())
            }
            Message::BlockResponse(p) => self.on_block_response(*p),
        }
    }

    // ---------------------------------------------------------------- certificates

    fn cert_digest_qc(&self, qc: &QuorumCert) -> H256 {
        let mut parts: Vec<&[u8]> = vec![b"qc", qc.block.as_bytes()];
        let r = qc.round.to_be_bytes();
        parts.push(&r);
        let idx: Vec<[u8; 4]> = qc.votes.iter().map(|v| v.0.to_be_bytes()).collect();
        for ((_, s), i) in qc.votes.iter().zip(&idx) {
            parts.push(i);
            parts.push(&s.0);
        }
        H256(self.vs.suite.hash_parts(&parts))
    }

    fn check_qc(&mut self, qc: &QuorumCert) -> Result<(), HotStuffError> {
        if qc.round == 0 {
            return self.vs.verify_qc(qc);
        }
        let d = self.cert_digest_qc(qc);
        if self.verified.contains(&(qc.round, d)) {
            return Ok(());
        }
        self.vs.verify_qc(qc)?;
        self.verified.insert((qc.round, d));
        Ok(())
    }

    fn check_tc(&mut self, tc: &TimeoutCert) -> Result<(), HotStuffError> {
        let mut parts: Vec<Vec<u8>> = vec![b"tc".to_vec(), tc.round.to_be_bytes().to_vec()];
        for (i, r, s) in &tc.signers {
            parts.push(i.to_be_bytes().to_vec());
            parts.push(r.to_be_bytes().to_vec());
            parts.push(s.0.to_vec());
        }
        parts.push(self.cert_digest_qc(&tc.high_qc).0.to_vec());
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        let d = H256(self.vs.suite.hash_parts(&refs));
        if self.verified.contains(&(tc.round, d)) {
            return Ok(());
        }
        self.vs.verify_tc(tc)?;
        self.verified.insert((tc.round, d));
        Ok(())
    }

    /// Adopt a (verified) QC: update the high QC, advance the round, check the commit rule.
    fn process_qc(&mut self, qc: &QuorumCert) {
        if qc.round > self.high_qc.round {
            self.high_qc = qc.clone();
        }
        if qc.round.saturating_add(1) > self.round {
            self.advance_round(qc.round.saturating_add(1), true);
        }
        self.check_commit_rule(qc);
    }

    fn process_tc(&mut self, tc: &TimeoutCert) {
        if tc.high_qc.round > self.high_qc.round {
            self.high_qc = tc.high_qc.clone();
        }
        if self.last_tc.as_ref().is_none_or(|l| l.round < tc.round) {
            self.last_tc = Some(tc.clone());
        }
        if tc.round.saturating_add(1) > self.round {
            self.advance_round(tc.round.saturating_add(1), false);
        }
    }

    // ---------------------------------------------------------------- pacemaker

    fn advance_round(&mut self, round: u64, via_qc: bool) {
        self.round = round;
        // Back-off grows with local timer expiries and resets on progress (a QC).
        if via_qc {
            self.consecutive_timeouts = 0;
        }
        self.payload_requested = false;
        // Prune collectors of rounds that can no longer matter.
        let keep = round.saturating_sub(1);
        self.votes = self.votes.split_off(&(keep, H256::ZERO));
        self.voted_by = self.voted_by.split_off(&(keep, 0));
        self.timeouts = self.timeouts.split_off(&keep);
        self.schedule_timer();
        self.maybe_propose();
    }

    fn schedule_timer(&mut self) {
        let duration_ms = self.timeout_duration_ms();
        self.out.push(Action::ScheduleTimeout { round: self.round, duration_ms });
    }

    fn on_local_timeout(&mut self, round: u64) {
        if round != self.round {
            return;
        }
        // Never vote in a round after timing out in it.
        self.last_voted_round = self.last_voted_round.max(round);
        self.out.push(Action::PersistSafety(self.safety()));
        let high_qc = self.high_qc.clone();
        let signature = self.key.sign(&self.vs.timeout_message(round, high_qc.round));
        let t = TimeoutMsg { round, high_qc, last_tc: self.last_tc.clone(), sender: self.me, signature };
        self.broadcast(Message::Timeout(Box::new(t)));
        // Retransmit on the next expiry, and re-ask for missing blocks.
        self.requested.clear();
        if let Some((_, id)) = self.decided {
            self.try_commit(id);
        }
        self.consecutive_timeouts = self.consecutive_timeouts.saturating_add(1);
        self.schedule_timer();
    }

    fn on_timeout_msg(&mut self, t: TimeoutMsg, verify: bool) -> Result<(), HotStuffError> {
        if t.round == 0 || t.high_qc.round >= t.round {
            return Err(HotStuffError::Malformed("timeout round"));
        }
        if t.round > self.round.saturating_add(MAX_ROUNDS_AHEAD) {
            return Err(HotStuffError::OutOfWindow(t.round));
        }
        if self.timeouts.get(&t.round).is_some_and(|m| m.contains_key(&t.sender)) {
            return Err(HotStuffError::Duplicate);
        }
        if verify {
            let pk = self.vs.key(t.sender).ok_or(HotStuffError::Malformed("sender out of range"))?;
            pk.verify(self.vs.suite, &self.vs.timeout_message(t.round, t.high_qc.round), &t.signature)
                .map_err(|_| HotStuffError::BadSignature("timeout"))?;
            self.check_qc(&t.high_qc)?;
            if let Some(tc) = &t.last_tc {
                self.check_tc(tc)?;
            }
        }
        self.process_qc(&t.high_qc);
        if let Some(tc) = &t.last_tc {
            self.process_tc(tc);
        }
        if t.round < self.round {
            return Ok(()); // certificates synced; the round itself is over
        }
        let entry = self.timeouts.entry(t.round).or_default();
        entry.insert(t.sender, (t.high_qc, t.signature));
        if entry.len() == self.vs.quorum() {
            let high_qc =
                entry.values().map(|(q, _)| q).max_by_key(|q| q.round).cloned().unwrap_or_else(|| self.vs.genesis_qc());
            let signers = entry.iter().map(|(i, (q, s))| (*i, q.round, *s)).collect();
            let tc = TimeoutCert { round: t.round, signers, high_qc };
            self.process_tc(&tc);
        }
        Ok(())
    }

    // ---------------------------------------------------------------- proposals and votes

    fn on_payload(&mut self, round: u64, digest: H256) {
        if round != self.round
            || self.vs.leader(round) != self.me
            || self.proposed_round >= round
            || round <= self.last_voted_round
        {
            return;
        }
        let (justify, tc) = if self.high_qc.round.saturating_add(1) == round {
            (self.high_qc.clone(), None)
        } else {
            match &self.last_tc {
                Some(tc) if tc.round.saturating_add(1) == round => (self.high_qc.clone(), Some(tc.clone())),
                _ => return,
            }
        };
        let block = ProposedBlock { round, parent: justify.block, justify, payload_digest: digest, proposer: self.me };
        let p = Proposal::new(&self.vs, block, tc, &self.key);
        self.proposed_round = round;
        // Process (and vote for) our own proposal first, so `PersistSafety` with
        // `last_voted_round = round` precedes the proposal leaving the node: a restarted leader
        // never proposes twice in a round.
        let _ = self.on_proposal(p.clone(), false);
        self.out.push(Action::Broadcast(Message::Proposal(Box::new(p))));
    }

    fn maybe_propose(&mut self) {
        let r = self.round;
        if self.vs.leader(r) != self.me
            || self.proposed_round >= r
            || self.payload_requested
            || r <= self.last_voted_round
        {
            return;
        }
        let ready = self.high_qc.round.saturating_add(1) == r
            || self.last_tc.as_ref().is_some_and(|tc| tc.round.saturating_add(1) == r);
        if ready {
            self.payload_requested = true;
            self.out.push(Action::RequestPayload { round: r });
        }
    }

    /// Structural + signature checks shared by proposals and block responses.
    fn check_proposal(&mut self, p: &Proposal, verify: bool) -> Result<BlockId, HotStuffError> {
        let b = &p.block;
        if b.proposer as usize >= self.vs.n() || b.proposer != self.vs.leader(b.round) {
            return Err(HotStuffError::Malformed("proposer is not the round leader"));
        }
        if b.parent != b.justify.block || b.round <= b.justify.round {
            return Err(HotStuffError::Malformed("parent / justify mismatch"));
        }
        let id = self.vs.block_id(b);
        if verify {
            let pk = self.vs.key(b.proposer).ok_or(HotStuffError::Malformed("proposer"))?;
            pk.verify(self.vs.suite, &self.vs.proposal_message(&id), &p.signature)
                .map_err(|_| HotStuffError::BadSignature("proposal"))?;
            self.check_qc(&b.justify)?;
            if let Some(tc) = &p.tc {
                self.check_tc(tc)?;
            }
        }
        Ok(id)
    }

    fn on_proposal(&mut self, p: Proposal, verify: bool) -> Result<(), HotStuffError> {
        let r = p.block.round;
        if r > self.round.saturating_add(MAX_ROUNDS_AHEAD) {
            return Err(HotStuffError::OutOfWindow(r));
        }
        if let Some(tc) = &p.tc {
            if tc.round.saturating_add(1) != r {
                return Err(HotStuffError::Malformed("TC is not for the previous round"));
            }
        }
        if self.first_proposal.get(&r) == Some(&p) {
            return Err(HotStuffError::Duplicate);
        }
        let id = self.check_proposal(&p, verify)?;
        if let Some(first) = self.first_proposal.get(&r) {
            return Err(HotStuffError::Equivocation(Box::new(Evidence::DoubleProposal {
                round: r,
                proposer: p.block.proposer,
                first: Box::new(first.clone()),
                second: Box::new(p),
            })));
        }
        if r > self.last_committed.0 {
            self.first_proposal.insert(r, p.clone());
        }
        // Certificate sync first: may advance the round to r.
        let justify = p.block.justify.clone();
        self.process_qc(&justify);
        if let Some(tc) = &p.tc {
            self.process_tc(tc);
        }
        self.store_block(id, p.clone());
        // Voting rule.
        let safe = match &p.tc {
            None => justify.round.saturating_add(1) == r,
            Some(tc) => tc.round.saturating_add(1) == r && justify.round >= tc.high_qc.round,
        };
        if r != self.round || r <= self.last_voted_round || !safe {
            return Ok(()); // valid, stored, but not votable
        }
        self.last_voted_round = r;
        self.out.push(Action::PersistBlock(Box::new(p)));
        self.out.push(Action::PersistSafety(self.safety()));
        let vote = Vote::new(&self.vs, id, r, self.me, &self.key);
        self.send(self.vs.leader(r.saturating_add(1)), Message::Vote(vote));
        Ok(())
    }

    fn on_vote(&mut self, v: Vote, verify: bool) -> Result<(), HotStuffError> {
        if v.voter as usize >= self.vs.n() {
            return Err(HotStuffError::Malformed("voter out of range"));
        }
        if self.vs.leader(v.round.saturating_add(1)) != self.me {
            return Err(HotStuffError::Malformed("vote sent to the wrong leader"));
        }
        if v.round.saturating_add(1) < self.round || v.round > self.round.saturating_add(MAX_ROUNDS_AHEAD) {
            return Err(HotStuffError::OutOfWindow(v.round));
        }
        if let Some(first) = self.voted_by.get(&(v.round, v.voter)) {
            if first.block == v.block {
                return Err(HotStuffError::Duplicate);
            }
            if verify {
                self.verify_vote(&v)?;
            }
            return Err(HotStuffError::Equivocation(Box::new(Evidence::DoubleVote {
                round: v.round,
                voter: v.voter,
                first: Box::new(first.clone()),
                second: Box::new(v),
            })));
        }
        if verify {
            self.verify_vote(&v)?;
        }
        self.voted_by.insert((v.round, v.voter), v.clone());
        let entry = self.votes.entry((v.round, v.block)).or_default();
        entry.insert(v.voter, v.signature);
        if entry.len() == self.vs.quorum() {
            let qc =
                QuorumCert { block: v.block, round: v.round, votes: entry.iter().map(|(i, s)| (*i, *s)).collect() };
            self.process_qc(&qc);
        }
        Ok(())
    }

    fn verify_vote(&self, v: &Vote) -> Result<(), HotStuffError> {
        let pk = self.vs.key(v.voter).ok_or(HotStuffError::Malformed("voter out of range"))?;
        pk.verify(self.vs.suite, &self.vs.vote_message(&v.block, v.round), &v.signature)
            .map_err(|_| HotStuffError::BadSignature("vote"))
    }

    fn on_block_response(&mut self, p: Proposal) -> Result<(), HotStuffError> {
        let id = self.vs.block_id(&p.block);
        if self.blocks.contains_key(&id) {
            return Err(HotStuffError::Duplicate); // several peers answered the request
        }
        if !self.requested.contains(&id) {
            return Err(HotStuffError::Malformed("unsolicited block"));
        }
        self.check_proposal(&p, true)?;
        self.requested.remove(&id);
        let justify = p.block.justify.clone();
        self.store_block(id, p);
        self.process_qc(&justify);
        Ok(())
    }

    fn store_block(&mut self, id: BlockId, p: Proposal) {
        if p.block.round <= self.last_committed.0 {
            return;
        }
        self.blocks.insert(id, p);
        // A stored block may unblock a pending commit.
        let hq = self.high_qc.clone();
        self.check_commit_rule(&hq);
        if let Some((_, d)) = self.decided {
            self.try_commit(d);
        }
    }

    // ---------------------------------------------------------------- commit

    /// 2-chain rule: a QC for B' whose parent B is from the directly preceding round commits B.
    fn check_commit_rule(&mut self, qc: &QuorumCert) {
        if qc.round == 0 {
            return;
        }
        let Some(child) = self.blocks.get(&qc.block) else {
            self.request(qc.block);
            return;
        };
        let parent_round = child.block.justify.round;
        let parent = child.block.parent;
        if parent_round + 1 != qc.round || parent_round == 0 {
            return;
        }
        if parent_round <= self.last_committed.0 || self.decided.is_some_and(|(r, _)| r >= parent_round) {
            return;
        }
        self.decided = Some((parent_round, parent));
        self.try_commit(parent);
    }

    fn request(&mut self, id: BlockId) {
        if self.requested.insert(id) {
            self.out.push(Action::Broadcast(Message::BlockRequest(id)));
        }
    }

    fn try_commit(&mut self, target: BlockId) {
        let mut chain = Vec::new();
        let mut cur = target;
        loop {
            if cur == self.last_committed.1 {
                break;
            }
            let Some(p) = self.blocks.get(&cur) else {
                self.request(cur);
                return;
            };
            if p.block.round <= self.last_committed.0 {
                // Does not extend the committed chain: cannot happen with <= f faults. Refuse to
                // commit, and count it so drivers / tests can alarm.
                self.decided = None;
                self.safety_violations += 1;
                return;
            }
            chain.push((p.block.round, cur));
            cur = p.block.parent;
        }
        if chain.is_empty() {
            return;
        }
        chain.reverse();
        if let Some(&last) = chain.last() {
            self.last_committed = last;
        }
        self.out.push(Action::Commit(chain.into_iter().map(|(_, id)| id).collect()));
        self.prune();
    }

    fn prune(&mut self) {
        let lc = self.last_committed.0;
        let cutoff = lc.saturating_sub(PRUNE_WINDOW);
        if cutoff > 0 {
            self.blocks.retain(|_, p| p.block.round >= cutoff);
        }
        self.first_proposal = self.first_proposal.split_off(&(lc + 1));
        self.verified = self.verified.split_off(&(cutoff, H256::ZERO));
    }
}

#[cfg(test)]
#[path = "core_tests.rs"]
mod tests;
