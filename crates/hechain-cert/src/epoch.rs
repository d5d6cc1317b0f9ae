//! The chain of validator sets from the genesis to a certified block ([`EpochProof`]) and the
//! checks every certificate starts with.

use hechain_chain::{set_keys, verify_epoch_change, verify_in_epoch, EpochSet};
use hechain_crypto::Suite;
use hechain_types::smt::Proof;
use hechain_types::{BlockHeader, Genesis, Membership, Seal, H256};
use serde::{Deserialize, Serialize};

use crate::{invalid, VerifyError};

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

impl EpochProof {
    pub(crate) fn verify(&self, genesis: &Genesis, header: &BlockHeader, seal: &Seal) -> Result<Sealed, VerifyError> {
        let chain = genesis.anchor();
        let suite = chain.suite;
        let mut set = EpochSet { epoch: 0, start_height: 1, keys: set_keys(suite, &genesis.validators, 0)? };
        let mut members = genesis.validators.clone();
        let mut steps = Vec::with_capacity(self.changes.len());
        for c in &self.changes {
            set = verify_epoch_change(&chain, &set, &c.header, &c.seal, &c.membership, &c.membership_proof)?;
            members = c.membership.validators.clone();
            steps.push(EpochStep { epoch: set.epoch, height: c.header.height, block_hash: c.header.hash(suite) });
        }
        let (epoch, start) = (set.epoch, set.start_height);
        if header.height < start {
            return Err(invalid(format!(
                "block {} is before epoch {epoch}, which the certificate's epoch changes reach (it starts at height {start})",
                header.height
            )));
        }
        // The seal authenticates the header, and so the state root the last check reads.
        let signers = hechain_chain::verify_seal(&chain, &set.keys, header, seal)?;
        verify_in_epoch(suite, epoch, header, self.next_membership.as_ref(), &self.next_proof)?;
        let signed_by = signers.iter().filter_map(|&i| members.get(i as usize)).map(|v| v.name.clone()).collect();
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
