//! Block seals and validator-set changes: the quorum rule, the check of a seal against a
//! validator set, and the check of one epoch change (a boundary block sealed by the old set
//! whose state holds the new set). Offline certificates (`hechain-cert`) and on-chain light
//! clients of other chains (the cross-chain module) are both built from these.

use hechain_crypto::{NodePublicKey, NodeSignature, Suite};
use hechain_governance::{keys, Membership, ValidatorInfo};
use hechain_primitives::codec::Codec;
use hechain_primitives::primitives::H256;

use crate::header::{BlockHeader, Seal};
use crate::smt::{self, Proof};

/// Why a seal or an epoch change does not verify; the message says which check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SealError(pub String);

fn fail(msg: impl Into<String>) -> SealError {
    SealError(msg.into())
}

/// Smallest number of validator signatures that make a block final for a
/// set of `n` validators: `n - f` where `f = (n - 1) / 3` (all of them for
/// n ≤ 3; 2f+1 when n = 3f+1).
pub fn quorum(n: usize) -> usize {
    n - (n.saturating_sub(1)) / 3
}

/// The chain a seal belongs to: its suite and genesis hash (validators sign
/// `domain ‖ genesis hash ‖ block hash`, so a seal of one chain never counts on another).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainAnchor {
    /// The chain's suite.
    pub suite: Suite,
    /// Its genesis hash.
    pub genesis_hash: H256,
    /// Its chain id (every header names it).
    pub chain_id: u64,
}

/// Checks a block seal against a validator set (`validators`, in index order: the set of the
/// block's epoch): at least a quorum of distinct validators, every signature valid. Returns the
/// signers' indexes.
pub fn verify_seal(
    chain: &ChainAnchor,
    validators: &[NodePublicKey],
    header: &BlockHeader,
    seal: &Seal,
) -> Result<Vec<u32>, SealError> {
    if validators.is_empty() {
        return Err(fail("the validator set is empty"));
    }
    let suite = chain.suite;
    let msg = BlockHeader::signing_message(&chain.genesis_hash, &header.hash(suite));
    let mut signers = Vec::new();
    let mut sigs = Vec::new();
    for s in &seal.signatures {
        if signers.last().is_some_and(|&l| s.validator <= l) {
            return Err(fail("seal signatures are not in strictly increasing validator order"));
        }
        let key = validators.get(s.validator as usize).ok_or_else(|| {
            fail(format!("seal names validator {} but the set has {} validators", s.validator, validators.len()))
        })?;
        let sig: [u8; 64] = s
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| fail(format!("signature of validator {} is not 64 bytes", s.validator)))?;
        signers.push(s.validator);
        sigs.push((key, NodeSignature(sig)));
    }
    let need = quorum(validators.len());
    if signers.len() < need {
        return Err(fail(format!("seal has {} signatures, a quorum is {need}", signers.len())));
    }
    let batch: Vec<_> = sigs.iter().map(|(key, sig)| (*key, msg.as_slice(), sig)).collect();
    hechain_crypto::verify_node_batch(suite, &batch)
        .map_err(|e| fail(format!("validator signature over block {} does not verify: {e}", header.height)))?;
    Ok(signers)
}

/// A validator set's parsed keys: at least one, each valid for the suite, no key twice (a
/// duplicate would let one signer count twice towards a quorum).
pub fn set_keys(suite: Suite, set: &[ValidatorInfo], epoch: u64) -> Result<Vec<NodePublicKey>, SealError> {
    if set.is_empty() {
        return Err(fail(format!("the validator set of epoch {epoch} is empty")));
    }
    let keys = hechain_governance::parse_node_keys(suite, set, &format!("epoch {epoch} validator"))
        .map_err(|e| fail(e.to_string()))?;
    if let Some((i, v)) = set.iter().enumerate().find(|(i, _)| keys[..*i].contains(&keys[*i])) {
        return Err(fail(format!("the validator set of epoch {epoch} lists a key twice ({}, index {i})", v.name)));
    }
    Ok(keys)
}

/// The validator set in force: its epoch, the height it starts at, and its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochSet {
    /// The epoch (0 = the genesis set).
    pub epoch: u64,
    /// First height of the epoch (1 for epoch 0).
    pub start_height: u64,
    /// The validators' keys, in index order.
    pub keys: Vec<NodePublicKey>,
}

/// Checks one validator-set change: `header` is the last block of `current`'s epoch (the
/// boundary block), sealed by `current`, and `membership` (the next epoch, starting right after
/// it) is in its state, as `proof` shows. Returns the next epoch's set.
pub fn verify_epoch_change(
    chain: &ChainAnchor,
    current: &EpochSet,
    header: &BlockHeader,
    seal: &Seal,
    membership: &Membership,
    proof: &Proof,
) -> Result<EpochSet, SealError> {
    let n = current.epoch + 1;
    let at = header.height;
    let err = |msg: String| fail(format!("epoch change {n} (block {at}): {msg}"));
    if header.chain_id != chain.chain_id {
        return Err(err(format!("chain id {} is not the genesis's {}", header.chain_id, chain.chain_id)));
    }
    if at < current.start_height {
        return Err(err(format!(
            "the block is before the start of epoch {} at height {}",
            current.epoch, current.start_height
        )));
    }
    verify_seal(chain, &current.keys, header, seal).map_err(|SealError(m)| err(m))?;
    if membership.epoch != n {
        return Err(err(format!("the membership is of epoch {}", membership.epoch)));
    }
    if Some(membership.start_height) != at.checked_add(1) {
        return Err(err(format!("the membership starts at height {}, not after the block", membership.start_height)));
    }
    let suite = chain.suite;
    proof
        .verify(
            smt::hasher(suite),
            &header.state_root.0,
            &suite.hash(&keys::gov_epoch(n)),
            Some(&suite.hash(&membership.encode())),
        )
        .map_err(|e| err(format!("the membership is not in the block's state: {e}")))?;
    Ok(EpochSet { epoch: n, start_height: membership.start_height, keys: set_keys(suite, &membership.validators, n)? })
}

/// Checks that `header` (already authenticated by a seal) still belongs to epoch `epoch`:
/// under its state root, the record of epoch `epoch + 1` is absent (`next = None`), or is
/// `next` and starts right after the block (the block ends its epoch).
pub fn verify_in_epoch(
    suite: Suite,
    epoch: u64,
    header: &BlockHeader,
    next: Option<&Membership>,
    proof: &Proof,
) -> Result<(), SealError> {
    let following = epoch + 1;
    let key = suite.hash(&keys::gov_epoch(following));
    let h = smt::hasher(suite);
    match next {
        None => proof.verify(h, &header.state_root.0, &key, None).map_err(|e| {
            fail(format!(
                "block {} is not shown to be in epoch {epoch}: epoch {following} must be absent from its state ({e}); \
                 an epoch change is missing",
                header.height
            ))
        }),
        Some(m) => {
            if m.epoch != following || Some(m.start_height) != header.height.checked_add(1) {
                return Err(fail(format!(
                    "the next membership (epoch {}, from height {}) does not start epoch {following} right after block {}",
                    m.epoch, m.start_height, header.height
                )));
            }
            proof
                .verify(h, &header.state_root.0, &key, Some(&suite.hash(&m.encode())))
                .map_err(|e| fail(format!("the next membership is not in block {}'s state: {e}", header.height)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quorum;

    #[test]
    fn quorum_sizes() {
        assert_eq!(quorum(1), 1);
        assert_eq!(quorum(2), 2);
        assert_eq!(quorum(3), 3);
        assert_eq!(quorum(4), 3);
        assert_eq!(quorum(7), 5);
        assert_eq!(quorum(10), 7);
    }
}
