//! The ecert module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use crate::types::*;
/// What a transaction asks the ecert module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum EcertCall {
    /// Issue an e-certificate (sender: the issuing agency). Fields are committed by hash only.
    #[serde(rename = "ecert_issue")]
    Issue {
        /// Kind of certificate: business_licence, diploma, id_card, …
        cert_type: String,
        /// The holder.
        holder: Address,
        /// Field commitments ([`crate::field_hash`]), names unique.
        fields: Vec<crate::FieldCommitment>,
        /// Encrypted reference to the off-chain document (opaque ciphertext).
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        encrypted_ref: Vec<u8>,
        /// Start of validity (ms since the Unix epoch, inclusive).
        not_before_ms: u64,
        /// End of validity (ms, exclusive), after the block time.
        not_after_ms: u64,
    },
    /// Revoke an e-certificate (sender: its issuer).
    #[serde(rename = "ecert_revoke")]
    Revoke {
        /// The certificate.
        cert_id: u64,
        /// Why.
        reason: String,
    },
    /// Register a dataset for sharing; the sender becomes its holder.
    #[serde(rename = "dataset_register")]
    DatasetRegister {
        /// Hash of the dataset's content.
        content_hash: H256,
        /// Encrypted reference to where the data lives.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        encrypted_ref: Vec<u8>,
        /// Description.
        description: String,
    },
    /// Grant an organisation time-limited access to a certificate or dataset (sender: its holder).
    #[serde(rename = "data_grant")]
    DataGrant {
        /// The certificate or dataset.
        subject: crate::Subject,
        /// The organisation's account.
        grantee: Address,
        /// The organisation's name.
        org: String,
        /// What the access is for.
        purpose: String,
        /// End of the grant (ms since the Unix epoch, exclusive), after the block time.
        expires_ms: u64,
    },
    /// Revoke a grant before it expires (sender: the holder that granted it).
    #[serde(rename = "data_grant_revoke")]
    DataGrantRevoke {
        /// The grant.
        grant_id: u64,
    },
    /// Log one use of the data under a live grant (sender: the grantee).
    #[serde(rename = "data_access")]
    DataAccess {
        /// The grant.
        grant_id: u64,
        /// What this use is for.
        purpose: String,
        /// Hash of the request (kept off chain by the grantee).
        request_hash: H256,
    },
}

impl ModuleEnum for EcertCall {
    const TYPES: &'static [&'static str] =
        &["ecert_issue", "ecert_revoke", "dataset_register", "data_grant", "data_grant_revoke", "data_access"];
}

/// What the ecert module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum EcertEvent {
    /// An e-certificate was issued.
    #[serde(rename = "ecert_issued")]
    Issued {
        /// Certificate id.
        id: u64,
        /// The issuing agency.
        issuer: Address,
        /// The holder.
        holder: Address,
    },
    /// An e-certificate was revoked.
    #[serde(rename = "ecert_revoked")]
    Revoked {
        /// Certificate id.
        id: u64,
    },
    /// A dataset was registered.
    #[serde(rename = "dataset_registered")]
    DatasetRegistered {
        /// Dataset id.
        id: u64,
        /// Its holder.
        holder: Address,
        /// Content hash.
        content_hash: H256,
    },
    /// Access to a certificate or dataset was granted.
    #[serde(rename = "data_granted")]
    DataGranted {
        /// Grant id.
        grant: u64,
        /// The certificate or dataset.
        subject: crate::Subject,
        /// The organisation's account.
        grantee: Address,
        /// End of the grant.
        expires_ms: u64,
    },
    /// A grant was revoked early.
    #[serde(rename = "data_grant_revoked")]
    DataGrantRevoked {
        /// Grant id.
        grant: u64,
    },
    /// A grantee used the data under a grant.
    #[serde(rename = "data_accessed")]
    DataAccessed {
        /// Grant id.
        grant: u64,
        /// The certificate or dataset.
        subject: crate::Subject,
        /// The grantee.
        grantee: Address,
        /// Position of the use in the subject's audit log.
        seq: u64,
    },
}

impl ModuleEnum for EcertEvent {
    const TYPES: &'static [&'static str] =
        &["ecert_issued", "ecert_revoked", "dataset_registered", "data_granted", "data_grant_revoked", "data_accessed"];
}
