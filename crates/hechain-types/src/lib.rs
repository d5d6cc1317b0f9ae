//! Core data types of hechain and their canonical encoding.
//!
//! Everything that is hashed or signed (transactions, headers, receipts,
//! genesis) implements [`Codec`]: one version byte plus borsh, deterministic
//! and with exactly one encoding per value. JSON forms (for the REST API and
//! files) use `0x` hex for bytes and decimal strings for 128-bit amounts.

pub mod block;
pub mod eth;
pub mod genesis;
pub mod keys;
pub mod modules;
pub mod tx;

pub use hechain_chain::{merkle, smt};

pub use hechain_module::{ModuleCall, ModuleEnum, ValidateContext};
pub use hechain_modules::{copyright, crosschain, ecert, evidence, governance, htlc, trace, transfer, voucher};
pub use hechain_primitives::{codec, display, primitives};

pub use copyright::{CopyrightCall, CopyrightEvent};
pub use ecert::{EcertCall, EcertEvent};
pub use evidence::{EvidenceCall, EvidenceEvent, EvidenceMeta, EvidenceRecord};
pub use governance::{GovernanceCall, GovernanceEvent};
pub use modules::{MODULES, VALIDATE_CONTEXT};
pub use trace::{TraceCall, TraceModuleEvent};
pub use transfer::{TransferCall, TransferEvent};
pub use voucher::{VoucherCall, VoucherEvent};

pub use block::{
    Account, Block, BlockHeader, CommittedBlock, Event, EvmOutcome, Log, Receipt, Seal, TxLocation, TxStatus,
    ValidatorSignature,
};
pub use codec::{Codec, ENCODING_VERSION};
pub use copyright::{CopyrightLicense, CopyrightWork, Stamp};
pub use ecert::{AuditAction, AuditEntry, DataGrant, Dataset, Ecert, FieldCommitment, FieldDisclosure, Subject};
pub use eth::{ChainTx, EthTransaction, NATIVE_TX_GAS};
pub use genesis::{ChainParams, DeployPolicy, Genesis, GenesisAccount, GenesisExt, OrgInfo, SuiteTag, ValidatorInfo};
pub use governance::{
    Access, Action, CommitteeMember, FreezeRecord, GenesisGovernance, GovConfig, Membership, Permissions, Proposal,
    ProposalStatus, Role, Roles, Vote,
};
pub use hechain_crypto::Suite;
pub use primitives::{Address, H256};
pub use trace::{
    PendingHandover, TraceBatch, TraceEvent, TraceEventKind, TraceGrant, TraceItem, TraceRecall, TraceTarget,
};
pub use tx::{Payload, SignedTransaction, Transaction, TxSignature};
pub use voucher::{PartStatus, SplitOutput, Voucher, VoucherPart};

pub use hechain_primitives::TypesError;
