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

    /// A core restarted from durable state: the persisted [`SafetyState`] and the last block the
    /// node committed (round, id), so commits continue after it without repeats.
    pub fn recover(
        config: Config,
        key: NodeKey,
        safety: SafetyState,
        last_committed: (u64, BlockId),
    ) -> Result<Self, HotStuffError> {
        let mut core = Self::new(config, key, Some(safety))?;
        core.last_committed = last_committed;
        Ok(core)
    }

    /// Start: arm the first timer and, if leading, ask for a payload.
    pub fn start(&mut self) -> Vec<Action> {
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
mod tests {
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
        assert!(matches!(
            c[0].handle(msg(1, Message::Timeout(Box::new(t.clone())))),
            Err(HotStuffError::BadSignature(_))
        ));
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
        assert_eq!(
            leader.handle(msg(0, Message::Vote(Vote::new(&vs, id, 1, 0, &ks[0])))),
            Err(HotStuffError::Duplicate)
        );
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
            msg(
                1,
                Message::BlockResponse(Box::new(Proposal::new(&vs, block(&vs, 1, vs.genesis_qc(), 1).1, None, &ks[1]))),
            ),
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
                    last_tc: Some(TimeoutCert {
                        round: max,
                        signers: vec![(0, max - 1, sig); 5],
                        high_qc: big_qc.clone(),
                    }),
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
}
