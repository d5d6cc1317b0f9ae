//! Offline certificates: formats and verification.
//!
//! Offline-verifiable certificates of evidence and module records. This crate holds the formats
//! and everything `verify` needs (seal and quorum checks, epoch-change proofs, state-tree and
//! Merkle proof verification, through `hechain-types`); it has no database, no EVM and no
//! network, so clients (`hechain-sdk`, the CLI) verify without the node's stack. Certificates
//! are *built* from a database snapshot by `hechain_execution::certificate`.
//!
//! A certificate bundles everything needed to prove, with nothing but the
//! chain's genesis file, that a record was committed. Both kinds
//! ([`EvidenceCertificate`], [`RecordCertificate`]) are anchored the same way:
//!
//! 1. the genesis hash, chain id and suite (checked against the genesis file);
//! 2. the block header and its seal: validator signatures over
//!    `domain ‖ genesis hash ‖ block hash`, a quorum of the validator set that
//!    sealed the block;
//! 3. an [`EpochProof`] establishing that set from the genesis. Governance can
//!    change the validators; each change ends an *epoch* with a *boundary
//!    block*, whose state already holds the next epoch's membership
//!    (`gov/epoch/<n>`). For every change since the genesis the certificate
//!    carries the boundary block's header and seal and a state proof of the new
//!    membership under its `state_root`. The verifier starts from the genesis
//!    validators and takes the changes in order, each sealed by a quorum of
//!    the set before it; a proof under the certified block's `state_root`
//!    that the next epoch's record is absent there (or starts right after the
//!    block) shows the block belongs to the epoch reached, so a certificate
//!    cannot stop short of a later change. On a chain whose validators never
//!    changed, the list of changes is empty.
//!
//! An evidence certificate adds the transaction that stored the record (with
//! its sender's signature and a Merkle proof under `tx_root`), its receipt
//! (success, with the `evidence_stored` event, and a Merkle proof under
//! `receipts_root`), and the record with a state proof under `state_root`. A
//! record certificate adds the record and its state proof (plus related
//! records, see [`CertifiedRecord::related`]).
//!
//! Any change to any of these makes `verify` fail with the reason.
//!
//! **Trust.** A certificate is as trustworthy as the keys of every validator
//! set on its chain of epochs: a quorum of keys of a set retired long ago, if
//! leaked, could seal an alternative boundary block and from there an
//! alternative history. The verified summaries list the epoch changes walked
//! through ([`EpochStep`]: epoch, boundary height and block hash), so a
//! verifier that knows a later boundary block can pin it.

mod epoch;
mod evidence;
mod record;

pub use epoch::{EpochChange, EpochProof, EpochStep};
pub use evidence::{EvidenceCertificate, VerifiedEvidence, CERT_FORMAT};
pub use hechain_chain::quorum;
pub use record::{CertifiedRecord, RecordCertificate, VerifiedRecord, RECORD_CERT_FORMAT};

/// Checks a block seal against a validator set of `genesis`'s chain (see
/// [`hechain_chain::verify_seal`]). Returns the signers' indexes.
pub fn verify_seal(
    genesis: &hechain_types::Genesis,
    validators: &[hechain_crypto::NodePublicKey],
    header: &hechain_types::BlockHeader,
    seal: &hechain_types::Seal,
) -> Result<Vec<u32>, VerifyError> {
    hechain_chain::verify_seal(&genesis.anchor(), validators, header, seal).map_err(VerifyError::from)
}

/// Why a certificate (or a seal) does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A check failed; the message says which.
    #[error("certificate invalid: {0}")]
    Invalid(String),
}

impl From<hechain_chain::SealError> for VerifyError {
    fn from(e: hechain_chain::SealError) -> Self {
        VerifyError::Invalid(e.0)
    }
}

fn invalid(msg: impl Into<String>) -> VerifyError {
    VerifyError::Invalid(msg.into())
}
