//! Evidence records and their descriptive fields.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_primitives::{Address, Codec, TypesError, H256};
use serde::{Deserialize, Serialize};

/// Optional descriptive fields of an evidence (存证) record.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceMeta {
    /// Human title, e.g. a contract name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Kind of evidence, e.g. "contract", "invoice", "image".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Label of the owner (an organisation or person name, not verified by the chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Reference into an external system (case number, archive id, URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
}

impl EvidenceMeta {
    /// Longest accepted metadata field, in bytes.
    pub const MAX_FIELD_BYTES: usize = 512;

    /// Checks the field length limits, naming the first field that is too long.
    pub fn validate(&self) -> Result<(), TypesError> {
        for (name, v) in
            [("title", &self.title), ("kind", &self.kind), ("owner", &self.owner), ("external_ref", &self.external_ref)]
        {
            if let Some(v) = v {
                if v.len() > Self::MAX_FIELD_BYTES {
                    return Err(TypesError::Invalid(format!(
                        "evidence {name} is {} bytes, the limit is {}",
                        v.len(),
                        Self::MAX_FIELD_BYTES
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A stored evidence (存证) record.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceRecord {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// Hash of the content (suite hash).
    pub content_hash: H256,
    /// Descriptive fields.
    pub meta: EvidenceMeta,
    /// Account that submitted it.
    pub submitter: Address,
    /// Transaction that stored it.
    pub tx_hash: H256,
    /// Block height it was committed in.
    pub height: u64,
    /// Block timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
}

impl Codec for EvidenceRecord {}
