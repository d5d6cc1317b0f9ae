//! Block seals: the quorum rule and the check of a seal against a validator set.

use hechain_crypto::{NodePublicKey, NodeSignature};
use hechain_types::{BlockHeader, Genesis, Seal};

use crate::{invalid, VerifyError};

/// Smallest number of validator signatures that make a block final for a
/// set of `n` validators: `n - f` where `f = (n - 1) / 3` (all of them for
/// n ≤ 3; 2f+1 when n = 3f+1).
pub fn quorum(n: usize) -> usize {
    n - (n.saturating_sub(1)) / 3
}

/// Checks a block seal against a validator set (`validators`, in index order: the genesis set
/// or the set of the block's epoch): at least a quorum of distinct validators, every signature
/// valid. Returns the signers' indexes.
pub fn verify_seal(
    genesis: &Genesis,
    validators: &[NodePublicKey],
    header: &BlockHeader,
    seal: &Seal,
) -> Result<Vec<u32>, VerifyError> {
    if validators.is_empty() {
        return Err(invalid("the validator set is empty"));
    }
    let suite = genesis.suite();
    let msg = BlockHeader::signing_message(&genesis.hash(), &header.hash(suite));
    let mut signers = Vec::new();
    let mut sigs = Vec::new();
    for s in &seal.signatures {
        if signers.last().is_some_and(|&l| s.validator <= l) {
            return Err(invalid("seal signatures are not in strictly increasing validator order"));
        }
        let key = validators.get(s.validator as usize).ok_or_else(|| {
            invalid(format!("seal names validator {} but the set has {} validators", s.validator, validators.len()))
        })?;
        let sig: [u8; 64] = s
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| invalid(format!("signature of validator {} is not 64 bytes", s.validator)))?;
        signers.push(s.validator);
        sigs.push((key, NodeSignature(sig)));
    }
    let need = quorum(validators.len());
    if signers.len() < need {
        return Err(invalid(format!("seal has {} signatures, a quorum is {need}", signers.len())));
    }
    let batch: Vec<_> = sigs.iter().map(|(key, sig)| (*key, msg.as_slice(), sig)).collect();
    hechain_crypto::verify_node_batch(suite, &batch)
        .map_err(|e| invalid(format!("validator signature over block {} does not verify: {e}", header.height)))?;
    Ok(signers)
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
