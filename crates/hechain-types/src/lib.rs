//! Core data types of hechain and their canonical encoding.
//!
//! Everything that is hashed or signed (transactions, headers, receipts,
//! genesis) implements [`Codec`]: one version byte plus borsh, deterministic
//! and with exactly one encoding per value. JSON forms (for the REST API and
//! files) use `0x` hex for bytes and decimal strings for 128-bit amounts.

pub mod block;
pub mod codec;
pub mod copyright;
pub mod ecert;
pub mod eth;
pub mod genesis;
pub mod governance;
pub mod keys;
pub mod merkle;
pub mod primitives;
pub mod smt;
pub mod trace;
pub mod tx;
pub mod voucher;

pub use block::{
    Account, Block, BlockHeader, CommittedBlock, Event, EvidenceRecord, EvmOutcome, Log, Receipt, Seal, TxLocation,
    TxStatus, ValidatorSignature,
};
pub use codec::{Codec, ENCODING_VERSION};
pub use copyright::{CopyrightLicense, CopyrightWork, Stamp};
pub use ecert::{AuditAction, AuditEntry, DataGrant, Dataset, Ecert, FieldCommitment, FieldDisclosure, Subject};
pub use eth::{ChainTx, EthTransaction, NATIVE_TX_GAS};
pub use genesis::{ChainParams, DeployPolicy, Genesis, GenesisAccount, OrgInfo, SuiteTag, ValidatorInfo};
pub use governance::{
    Access, Action, CommitteeMember, FreezeRecord, GenesisGovernance, GovConfig, Membership, Permissions, Proposal,
    ProposalStatus, Role, Roles, Vote,
};
pub use hechain_crypto::Suite;
pub use primitives::{Address, H256};
pub use trace::{
    PendingHandover, TraceBatch, TraceEvent, TraceEventKind, TraceGrant, TraceItem, TraceRecall, TraceTarget,
};
pub use tx::{EvidenceMeta, Payload, SignedTransaction, Transaction, TxSignature};
pub use voucher::{PartStatus, SplitOutput, Voucher, VoucherPart};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum TypesError {
    /// Bytes of the wrong length.
    #[error("invalid {what}: expected {expected} bytes, got {got}")]
    InvalidLength {
        /// What was being parsed.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// Malformed hex.
    #[error("invalid {what} hex: {reason}")]
    InvalidHex {
        /// What was being parsed.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The canonical decoder refused the bytes.
    #[error("cannot decode: {0}")]
    Decode(String),
    /// A value breaks a rule.
    #[error("{0}")]
    Invalid(String),
    /// A signature does not verify.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// A Merkle proof does not verify.
    #[error("invalid proof: {0}")]
    Proof(String),
}
