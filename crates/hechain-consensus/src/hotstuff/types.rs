//! Messages, certificates and their signing / verification.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{verify_node_batch, NodeKey, NodePublicKey, NodeSignature, Suite};
use hechain_types::H256;

/// A block identifier: the suite hash of the block's canonical encoding.
pub type BlockId = H256;
/// A validator's index in the validator set.
pub type ValidatorIndex = u32;

const DOMAIN_BLOCK: &[u8] = b"hechain/hotstuff/v1/block\0";
const DOMAIN_PROPOSAL: &[u8] = b"hechain/hotstuff/v1/proposal\0";
const DOMAIN_VOTE: &[u8] = b"hechain/hotstuff/v1/vote\0";
const DOMAIN_TIMEOUT: &[u8] = b"hechain/hotstuff/v1/timeout\0";
const DOMAIN_GENESIS: &[u8] = b"hechain/hotstuff/v1/genesis\0";
const DOMAIN_EPOCH: &[u8] = b"hechain/hotstuff/v1/epoch\0";

/// Errors and rejections of the HotStuff core. Every invalid input maps to one of these; the core
/// never panics on peer input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HotStuffError {
    /// Configuration is unusable.
    #[error("config: {0}")]
    Config(String),
    /// A signature (or a certificate's signatures) did not verify.
    #[error("bad signature: {0}")]
    BadSignature(&'static str),
    /// The message is structurally invalid (wrong leader, index out of range, oversized, ...).
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// Already seen (same sender, same round).
    #[error("duplicate")]
    Duplicate,
    /// Too old or too far in the future to matter.
    #[error("stale or out-of-window round {0}")]
    OutOfWindow(u64),
    /// Provable misbehaviour: two conflicting signed messages from one validator.
    #[error("equivocation: {0:?}")]
    Equivocation(Box<Evidence>),
    /// The committed chain would fork: a bug or more than f Byzantine validators.
    #[error("safety violation: {0}")]
    SafetyViolation(&'static str),
}

/// Proof of misbehaviour: two different signed messages of one kind from one validator in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The leader signed two different proposals for the round.
    DoubleProposal { round: u64, proposer: ValidatorIndex, first: Box<Proposal>, second: Box<Proposal> },
    /// A validator voted for two different blocks in the round.
    DoubleVote { round: u64, voter: ValidatorIndex, first: Box<Vote>, second: Box<Vote> },
}

/// The validator set and chain parameters every core of a network shares.
#[derive(Debug, Clone)]
pub struct ValidatorSet {
    /// Signature / hash suite of the chain.
    pub suite: Suite,
    /// Domain separation between chains (e.g. the genesis hash).
    pub chain_tag: H256,
    /// Validator public keys, index = validator index.
    pub keys: Vec<NodePublicKey>,
}

impl ValidatorSet {
    /// The set of membership epoch `epoch` of the chain with genesis hash `genesis_hash`. Its
    /// `chain_tag` is the genesis hash in epoch 0 and a hash of it with the epoch number after,
    /// so no vote, timeout or proposal of one epoch is valid in another.
    pub fn for_epoch(suite: Suite, genesis_hash: H256, epoch: u64, keys: Vec<NodePublicKey>) -> Self {
        let chain_tag = if epoch == 0 {
            genesis_hash
        } else {
            H256(suite.hash_parts(&[DOMAIN_EPOCH, genesis_hash.as_bytes(), &epoch.to_be_bytes()]))
        };
        ValidatorSet { suite, chain_tag, keys }
    }

    /// Number of validators.
    pub fn n(&self) -> usize {
        self.keys.len()
    }
    /// Tolerated faults `f = (n-1)/3`.
    pub fn f(&self) -> usize {
        self.n().saturating_sub(1) / 3
    }
    /// Quorum size `n - f`.
    pub fn quorum(&self) -> usize {
        self.n() - self.f()
    }
    /// Leader of `round` (round-robin).
    pub fn leader(&self, round: u64) -> ValidatorIndex {
        (round % self.n().max(1) as u64) as ValidatorIndex
    }
    /// Public key of validator `i`.
    pub fn key(&self, i: ValidatorIndex) -> Option<&NodePublicKey> {
        self.keys.get(i as usize)
    }
    /// Id of the genesis block (round 0), certified by [`Self::genesis_qc`].
    pub fn genesis_id(&self) -> BlockId {
        H256(self.suite.hash_parts(&[DOMAIN_GENESIS, self.chain_tag.as_bytes()]))
    }
    /// The implicit quorum certificate of the genesis block (round 0, no signatures).
    pub fn genesis_qc(&self) -> QuorumCert {
        QuorumCert { block: self.genesis_id(), round: 0, votes: Vec::new() }
    }

    /// Message signed by a vote for `block` in `round`.
    pub fn vote_message(&self, block: &BlockId, round: u64) -> Vec<u8> {
        let mut m = Vec::with_capacity(DOMAIN_VOTE.len() + 72);
        m.extend_from_slice(DOMAIN_VOTE);
        m.extend_from_slice(self.chain_tag.as_bytes());
        m.extend_from_slice(&round.to_be_bytes());
        m.extend_from_slice(block.as_bytes());
        m
    }
    /// Message signed by a timeout for `round` carrying a high QC of `high_qc_round`.
    pub fn timeout_message(&self, round: u64, high_qc_round: u64) -> Vec<u8> {
        let mut m = Vec::with_capacity(DOMAIN_TIMEOUT.len() + 48);
        m.extend_from_slice(DOMAIN_TIMEOUT);
        m.extend_from_slice(self.chain_tag.as_bytes());
        m.extend_from_slice(&round.to_be_bytes());
        m.extend_from_slice(&high_qc_round.to_be_bytes());
        m
    }
    /// Message signed by a proposal of block `id`.
    pub fn proposal_message(&self, id: &BlockId) -> Vec<u8> {
        let mut m = Vec::with_capacity(DOMAIN_PROPOSAL.len() + 64);
        m.extend_from_slice(DOMAIN_PROPOSAL);
        m.extend_from_slice(self.chain_tag.as_bytes());
        m.extend_from_slice(id.as_bytes());
        m
    }

    /// Canonical id of `block`.
    pub fn block_id(&self, b: &ProposedBlock) -> BlockId {
        H256(self.suite.hash_parts(&[
            DOMAIN_BLOCK,
            self.chain_tag.as_bytes(),
            &b.round.to_be_bytes(),
            b.parent.as_bytes(),
            &b.justify.round.to_be_bytes(),
            b.justify.block.as_bytes(),
            b.payload_digest.as_bytes(),
            &b.proposer.to_be_bytes(),
        ]))
    }

    /// Verify a quorum certificate: genesis, or `quorum..=n` distinct, sorted signers with valid
    /// signatures (batch verified).
    pub fn verify_qc(&self, qc: &QuorumCert) -> Result<(), HotStuffError> {
        if qc.round == 0 {
            return if qc.block == self.genesis_id() && qc.votes.is_empty() {
                Ok(())
            } else {
                Err(HotStuffError::Malformed("round-0 QC is not the genesis QC"))
            };
        }
        self.check_signers(qc.votes.iter().map(|(i, _)| *i))?;
        let msg = self.vote_message(&qc.block, qc.round);
        let mut items = Vec::with_capacity(qc.votes.len());
        for (i, sig) in &qc.votes {
            let pk = self.key(*i).ok_or(HotStuffError::Malformed("signer out of range"))?;
            items.push((pk, msg.as_slice(), sig));
        }
        verify_node_batch(self.suite, &items).map_err(|_| HotStuffError::BadSignature("QC"))
    }

    /// Verify a timeout certificate (signatures, quorum, and that `high_qc` is the highest QC
    /// reported by the signers).
    pub fn verify_tc(&self, tc: &TimeoutCert) -> Result<(), HotStuffError> {
        if tc.round == 0 {
            return Err(HotStuffError::Malformed("TC for round 0"));
        }
        self.check_signers(tc.signers.iter().map(|s| s.0))?;
        let max = tc.signers.iter().map(|s| s.1).max().unwrap_or(0);
        if max != tc.high_qc.round || tc.signers.iter().any(|s| s.1 >= tc.round) {
            return Err(HotStuffError::Malformed("TC high QC round mismatch"));
        }
        let msgs: Vec<Vec<u8>> = tc.signers.iter().map(|s| self.timeout_message(tc.round, s.1)).collect();
        let mut items = Vec::with_capacity(tc.signers.len());
        for (s, m) in tc.signers.iter().zip(&msgs) {
            let pk = self.key(s.0).ok_or(HotStuffError::Malformed("signer out of range"))?;
            items.push((pk, m.as_slice(), &s.2));
        }
        verify_node_batch(self.suite, &items).map_err(|_| HotStuffError::BadSignature("TC"))?;
        self.verify_qc(&tc.high_qc)
    }

    fn check_signers(&self, signers: impl ExactSizeIterator<Item = ValidatorIndex>) -> Result<(), HotStuffError> {
        let len = signers.len();
        if len < self.quorum() || len > self.n() {
            return Err(HotStuffError::Malformed("certificate signer count"));
        }
        let mut prev: Option<ValidatorIndex> = None;
        for i in signers {
            if i as usize >= self.n() || prev.is_some_and(|p| p >= i) {
                return Err(HotStuffError::Malformed("certificate signers unsorted, duplicate or out of range"));
            }
            prev = Some(i);
        }
        Ok(())
    }
}

/// `2f+1` votes for `block` in `round`. Signers are sorted by index, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct QuorumCert {
    /// Certified block.
    pub block: BlockId,
    /// Round of the certified block.
    pub round: u64,
    /// `(voter, signature)`, sorted by voter.
    pub votes: Vec<(ValidatorIndex, NodeSignature)>,
}

/// `2f+1` timeouts for `round`, with the highest QC any signer reported.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TimeoutCert {
    /// The round that timed out.
    pub round: u64,
    /// `(signer, signer's high QC round, signature)`, sorted by signer.
    pub signers: Vec<(ValidatorIndex, u64, NodeSignature)>,
    /// The highest QC among the signers' (round = max of the reported rounds).
    pub high_qc: QuorumCert,
}

/// A block as ordered by consensus: ids and digests only, no bodies.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ProposedBlock {
    /// Round the block is proposed in.
    pub round: u64,
    /// Parent block id (always `justify.block`).
    pub parent: BlockId,
    /// QC of the parent.
    pub justify: QuorumCert,
    /// Digest of the payload (transactions) the block orders.
    pub payload_digest: H256,
    /// Leader of `round`.
    pub proposer: ValidatorIndex,
}

/// A leader's signed proposal.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    /// The block.
    pub block: ProposedBlock,
    /// TC of the previous round when the leader entered the round by timeout.
    pub tc: Option<TimeoutCert>,
    /// Proposer's signature over [`ValidatorSet::proposal_message`] of the block id.
    pub signature: NodeSignature,
}

impl Proposal {
    /// Sign `block` with `key`.
    pub fn new(vs: &ValidatorSet, block: ProposedBlock, tc: Option<TimeoutCert>, key: &NodeKey) -> Self {
        let signature = key.sign(&vs.proposal_message(&vs.block_id(&block)));
        Proposal { block, tc, signature }
    }
}

/// A vote for a block, sent to the next round's leader.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    /// Voted block.
    pub block: BlockId,
    /// Its round.
    pub round: u64,
    /// Voter index.
    pub voter: ValidatorIndex,
    /// Signature over [`ValidatorSet::vote_message`].
    pub signature: NodeSignature,
}

impl Vote {
    /// Sign a vote.
    pub fn new(vs: &ValidatorSet, block: BlockId, round: u64, voter: ValidatorIndex, key: &NodeKey) -> Self {
        Vote { block, round, voter, signature: key.sign(&vs.vote_message(&block, round)) }
    }
}

/// A signed timeout for a round, broadcast to all.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TimeoutMsg {
    /// The round that timed out.
    pub round: u64,
    /// Sender's highest QC.
    pub high_qc: QuorumCert,
    /// The TC by which the sender entered its round, if any (certificate sync).
    pub last_tc: Option<TimeoutCert>,
    /// Sender index.
    pub sender: ValidatorIndex,
    /// Signature over [`ValidatorSet::timeout_message`].
    pub signature: NodeSignature,
}

/// Messages exchanged between cores.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Message {
    /// Leader's proposal.
    Proposal(Box<Proposal>),
    /// Vote (to the next leader).
    Vote(Vote),
    /// Timeout (to all).
    Timeout(Box<TimeoutMsg>),
    /// Ask peers for a missing block (needed to walk ancestors for a commit).
    BlockRequest(BlockId),
    /// Answer to [`Message::BlockRequest`]: the signed proposal that carried the block.
    BlockResponse(Box<Proposal>),
}

/// State that must be durable before a vote or timeout leaves the node.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SafetyState {
    /// Highest round voted or timed out in; never vote at or below it again.
    pub last_voted_round: u64,
    /// Highest QC known.
    pub high_qc: QuorumCert,
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    pub fn keys(n: usize) -> Vec<NodeKey> {
        (0..n).map(|i| NodeKey::from_bytes(Suite::Standard, &[i as u8 + 1; 32]).unwrap()).collect()
    }

    pub fn vset(keys: &[NodeKey]) -> ValidatorSet {
        ValidatorSet {
            suite: Suite::Standard,
            chain_tag: H256([7; 32]),
            keys: keys.iter().map(|k| k.public_key()).collect(),
        }
    }

    pub fn qc(vs: &ValidatorSet, keys: &[NodeKey], block: BlockId, round: u64, signers: &[u32]) -> QuorumCert {
        let msg = vs.vote_message(&block, round);
        QuorumCert { block, round, votes: signers.iter().map(|&i| (i, keys[i as usize].sign(&msg))).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;

    #[test]
    fn quorum_sizes() {
        for (n, f, q) in [(1, 0, 1), (4, 1, 3), (5, 1, 4), (7, 2, 5), (10, 3, 7)] {
            let vs =
                ValidatorSet { suite: Suite::Standard, chain_tag: H256::ZERO, keys: vec![keys(1)[0].public_key(); n] };
            assert_eq!((vs.f(), vs.quorum()), (f, q), "n={n}");
        }
    }

    #[test]
    fn epochs_do_not_share_signatures() {
        let ks = keys(4);
        let pks: Vec<_> = ks.iter().map(|k| k.public_key()).collect();
        let g = H256([9; 32]);
        let e0 = ValidatorSet::for_epoch(Suite::Standard, g, 0, pks.clone());
        let e1 = ValidatorSet::for_epoch(Suite::Standard, g, 1, pks.clone());
        let e2 = ValidatorSet::for_epoch(Suite::Standard, g, 2, pks);
        assert_eq!(e0.chain_tag, g, "epoch 0 keeps the genesis hash as its tag");
        assert!(e1.chain_tag != g && e1.chain_tag != e2.chain_tag);
        assert!(e0.genesis_id() != e1.genesis_id());
        // The same validators' QC of one epoch does not verify in another.
        let b = H256([1; 32]);
        let q = qc(&e1, &ks, b, 3, &[0, 1, 2]);
        e1.verify_qc(&q).unwrap();
        assert!(matches!(e0.verify_qc(&q), Err(HotStuffError::BadSignature(_))));
        assert!(matches!(e2.verify_qc(&q), Err(HotStuffError::BadSignature(_))));
    }

    #[test]
    fn qc_verification() {
        let ks = keys(4);
        let vs = vset(&ks);
        let b = H256([1; 32]);
        vs.verify_qc(&vs.genesis_qc()).unwrap();
        vs.verify_qc(&qc(&vs, &ks, b, 3, &[0, 1, 2])).unwrap();
        vs.verify_qc(&qc(&vs, &ks, b, 3, &[0, 1, 2, 3])).unwrap();
        // too few, duplicate, unsorted, out of range
        assert!(vs.verify_qc(&qc(&vs, &ks, b, 3, &[0, 1])).is_err());
        let mut dup = qc(&vs, &ks, b, 3, &[0, 1, 2]);
        dup.votes[2] = dup.votes[1];
        assert!(matches!(vs.verify_qc(&dup), Err(HotStuffError::Malformed(_))));
        let mut unsorted = qc(&vs, &ks, b, 3, &[0, 1, 2]);
        unsorted.votes.swap(0, 1);
        assert!(vs.verify_qc(&unsorted).is_err());
        let mut oversized = qc(&vs, &ks, b, 3, &[0, 1, 2, 3]);
        oversized.votes.push((4, oversized.votes[0].1));
        assert!(vs.verify_qc(&oversized).is_err());
        // bad signature / wrong round
        let mut bad = qc(&vs, &ks, b, 3, &[0, 1, 2]);
        bad.votes[1].1 .0[3] ^= 1;
        assert!(matches!(vs.verify_qc(&bad), Err(HotStuffError::BadSignature(_))));
        let mut wrong = qc(&vs, &ks, b, 3, &[0, 1, 2]);
        wrong.round = 4;
        assert!(vs.verify_qc(&wrong).is_err());
        // fake genesis
        assert!(vs.verify_qc(&QuorumCert { block: b, round: 0, votes: vec![] }).is_err());
    }

    #[test]
    fn tc_verification() {
        let ks = keys(4);
        let vs = vset(&ks);
        let hq = qc(&vs, &ks, H256([1; 32]), 2, &[0, 1, 2]);
        let signers: Vec<_> = [(0u32, 2u64), (1, 1), (3, 0)]
            .iter()
            .map(|&(i, r)| (i, r, ks[i as usize].sign(&vs.timeout_message(5, r))))
            .collect();
        let tc = TimeoutCert { round: 5, signers, high_qc: hq };
        vs.verify_tc(&tc).unwrap();
        let mut bad = tc.clone();
        bad.signers[0].1 = 1; // claimed max no longer matches, and signature covers the round
        assert!(vs.verify_tc(&bad).is_err());
        let mut bad = tc.clone();
        bad.round = 6;
        assert!(matches!(vs.verify_tc(&bad), Err(HotStuffError::BadSignature(_))));
        let mut bad = tc;
        bad.signers.pop();
        assert!(vs.verify_tc(&bad).is_err());
    }
}
