//! The evidence module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use crate::types::*;
/// What a transaction asks the evidence module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum EvidenceCall {
    /// Store a content hash as evidence (存证).
    #[serde(rename = "evidence_put")]
    Put {
        /// Hash of the evidence content, computed off chain with the chain's suite hash.
        content_hash: H256,
        /// Optional descriptive fields.
        #[serde(default)]
        meta: EvidenceMeta,
    },
}

impl ModuleEnum for EvidenceCall {
    const TYPES: &'static [&'static str] = &["evidence_put"];
}

/// What the evidence module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum EvidenceEvent {
    /// An evidence record was stored.
    #[serde(rename = "evidence_stored")]
    Stored {
        /// Record id.
        id: u64,
        /// Content hash.
        content_hash: H256,
        /// Submitting account.
        submitter: Address,
        /// Metadata as submitted.
        meta: EvidenceMeta,
    },
}

impl ModuleEnum for EvidenceEvent {
    const TYPES: &'static [&'static str] = &["evidence_stored"];
}
