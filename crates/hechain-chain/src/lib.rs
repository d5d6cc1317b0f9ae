//! The chain's own structures, below the service modules: the genesis, block headers and the
//! validators' seals over them, the state tree's and the block Merkle trees' proofs, and their
//! verification (the quorum rule, validator-set changes from one epoch to the next).
//!
//! They sit below the module list (`hechain-modules`) so that a module can verify *another*
//! chain: the cross-chain module's light clients check foreign headers, seals, epoch changes
//! and state proofs with exactly the code the node and the offline certificate verifier use.
//! `hechain-types` re-exports everything here under its historical paths
//! (`hechain_types::BlockHeader`, `hechain_types::smt`, …).

pub mod genesis;
pub mod header;
pub mod merkle;
pub mod seal;
pub mod smt;

pub use genesis::{Genesis, GenesisAccount, SuiteTag};
pub use header::{BlockHeader, Seal, ValidatorSignature};
pub use seal::{quorum, set_keys, verify_epoch_change, verify_in_epoch, verify_seal, ChainAnchor, EpochSet, SealError};

impl Genesis {
    /// The anchor of this chain's seals (suite, genesis hash, chain id).
    pub fn anchor(&self) -> ChainAnchor {
        ChainAnchor { suite: self.suite(), genesis_hash: self.hash(), chain_id: self.chain_id }
    }
}
