//! The chain of validator sets from the genesis to a certified block ([`EpochProof`]) and the
//! checks every certificate starts with.

use hechain_crypto::{NodePublicKey, Suite};
use hechain_types::smt::Proof;
use hechain_types::{keys, smt, BlockHeader, Codec, Genesis, Membership, Seal, ValidatorInfo, H256};
use serde::{Deserialize, Serialize};

use crate::{invalid, verify_seal, VerifyError};

/// One validator-set change on the way from the genesis to a certified block: the last block
/// of epoch `membership.epoch - 1` (the *boundary block*), sealed by that epoch's set, and the
/// membership epoch `membership.epoch` starts with, proven in the boundary block's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochChange {
    /// Header of the boundary block.
    pub header: BlockHeader,
    /// Its seal: a quorum of the validators of the epoch it ends.
    pub seal: Seal,
    /// The membership of the next epoch (`start_height` = the boundary height + 1).
    pub membership: Membership,
    /// Proof of `membership` under `header.state_root`, at key `gov/epoch/<membership.epoch>`.
    pub membership_proof: Proof,
}

/// The chain of validator sets from the genesis to the set that sealed a certified block.
///
/// The verifier starts from the genesis validators (epoch 0) and takes the `changes` in order,
/// each sealed by the set before it; the certified block must then belong to the epoch reached,
/// which `next_proof` shows: the record of the following epoch (`gov/epoch/<e + 1>`) is absent
/// from the certified block's state, or (when the certified block is itself a boundary block)
/// starts right after it. So a certificate can neither skip a change nor stop before one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochProof {
    /// Every validator-set change since the genesis up to the certified block, in order (empty
    /// on a chain whose validators never changed).
    pub changes: Vec<EpochChange>,
    /// The membership of the epoch after the certified block's, when the certified block ends
    /// its epoch; `None` otherwise.
    pub next_membership: Option<Membership>,
    /// Proof under the certified block's `state_root` of `gov/epoch/<e + 1>` (`e`: the epoch the
    /// changes reach): its absence, or `next_membership`.
    pub next_proof: Proof,
}

/// One epoch change a verified certificate went through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EpochStep {
    /// The epoch that starts.
    pub epoch: u64,
    /// Height of the boundary block (the last block of the previous epoch).
    pub height: u64,
    /// Its hash.
    pub block_hash: H256,
}

/// What verifying a certificate's anchor established.
pub(crate) struct Sealed {
    /// The certified block's epoch.
    pub(crate) epoch: u64,
    /// Names of the validators whose signatures over the certified block were checked.
    pub(crate) signed_by: Vec<String>,
    /// The epoch changes walked through.
    pub(crate) changes: Vec<EpochStep>,
}

/// A validator set's parsed keys: at least one, each valid for the suite, no key twice (a
/// duplicate would let one signer count twice towards a quorum).
fn set_keys(suite: Suite, set: &[ValidatorInfo], epoch: u64) -> Result<Vec<NodePublicKey>, VerifyError> {
    if set.is_empty() {
        return Err(invalid(format!("the validator set of epoch {epoch} is empty")));
    }
    let keys = hechain_types::genesis::parse_node_keys(suite, set, &format!("epoch {epoch} validator"))
        .map_err(|e| invalid(e.to_string()))?;
    if let Some((i, v)) = set.iter().enumerate().find(|(i, _)| keys[..*i].contains(&keys[*i])) {
        return Err(invalid(format!("the validator set of epoch {epoch} lists a key twice ({}, index {i})", v.name)));
    }
    Ok(keys)
}

impl EpochProof {
    pub(crate) fn verify(&self, genesis: &Genesis, header: &BlockHeader, seal: &Seal) -> Result<Sealed, VerifyError> {
        let suite = genesis.suite();
        let h = smt::hasher(suite);
        let mut epoch = 0u64;
        let mut start = 1u64;
        let mut set = genesis.validators.clone();
        let mut keys = set_keys(suite, &set, 0)?;
        let mut steps = Vec::with_capacity(self.changes.len());
        for c in &self.changes {
            let n = epoch + 1;
            let at = c.header.height;
            let fail = |msg: String| invalid(format!("epoch change {n} (block {at}): {msg}"));
            if c.header.chain_id != genesis.chain_id {
                return Err(fail(format!("chain id {} is not the genesis's {}", c.header.chain_id, genesis.chain_id)));
            }
            if at < start {
                return Err(fail(format!("the block is before the start of epoch {epoch} at height {start}")));
            }
            verify_seal(genesis, &keys, &c.header, &c.seal).map_err(|VerifyError::Invalid(m)| fail(m))?;
            let m = &c.membership;
            if m.epoch != n {
                return Err(fail(format!("the membership is of epoch {}", m.epoch)));
            }
            if Some(m.start_height) != at.checked_add(1) {
                return Err(fail(format!("the membership starts at height {}, not after the block", m.start_height)));
            }
            c.membership_proof
                .verify(h, &c.header.state_root.0, &suite.hash(&keys::gov_epoch(n)), Some(&suite.hash(&m.encode())))
                .map_err(|e| fail(format!("the membership is not in the block's state: {e}")))?;
            keys = set_keys(suite, &m.validators, n)?;
            set = m.validators.clone();
            epoch = n;
            start = m.start_height;
            steps.push(EpochStep { epoch: n, height: at, block_hash: c.header.hash(suite) });
        }
        if header.height < start {
            return Err(invalid(format!(
                "block {} is before epoch {epoch}, which the certificate's epoch changes reach (it starts at height {start})",
                header.height
            )));
        }
        // The seal authenticates the header, and so the state root the last check reads.
        let signers = verify_seal(genesis, &keys, header, seal)?;
        let next = epoch + 1;
        let next_key = suite.hash(&keys::gov_epoch(next));
        match &self.next_membership {
            None => self.next_proof.verify(h, &header.state_root.0, &next_key, None).map_err(|e| {
                invalid(format!(
                    "block {} is not shown to be in epoch {epoch}: epoch {next} must be absent from its state ({e}); \
                     an epoch change is missing",
                    header.height
                ))
            })?,
            Some(m) => {
                if m.epoch != next || Some(m.start_height) != header.height.checked_add(1) {
                    return Err(invalid(format!(
                        "the next membership (epoch {}, from height {}) does not start epoch {next} right after block {}",
                        m.epoch, m.start_height, header.height
                    )));
                }
                self.next_proof.verify(h, &header.state_root.0, &next_key, Some(&suite.hash(&m.encode()))).map_err(
                    |e| invalid(format!("the next membership is not in block {}'s state: {e}", header.height)),
                )?
            }
        }
        let signed_by = signers.iter().filter_map(|&i| set.get(i as usize)).map(|v| v.name.clone()).collect();
        Ok(Sealed { epoch, signed_by, changes: steps })
    }
}

/// The checks every certificate starts with: its format, that it names this genesis (suite,
/// hash, chain id, also in the header), that its epoch proof leads from the genesis validators
/// to the block's, and that the header's seal has a quorum of those.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_anchor(
    genesis: &Genesis,
    (format, expected): (&str, &str),
    suite: Suite,
    genesis_hash: H256,
    chain_id: u64,
    header: &BlockHeader,
    seal: &Seal,
    epochs: &EpochProof,
) -> Result<Sealed, VerifyError> {
    if format != expected {
        return Err(invalid(format!("unknown format {format:?} (expected {expected})")));
    }
    if suite != genesis.suite() {
        return Err(invalid(format!("certificate suite {suite} but the genesis is {}", genesis.suite())));
    }
    if genesis_hash != genesis.hash() {
        return Err(invalid(format!(
            "certificate is for genesis {genesis_hash} but this genesis is {}",
            genesis.hash()
        )));
    }
    if chain_id != genesis.chain_id || header.chain_id != genesis.chain_id {
        return Err(invalid(format!("chain id does not match the genesis ({})", genesis.chain_id)));
    }
    epochs.verify(genesis, header, seal)
}
