//! The JSON answers of the e-certificate, dataset and grant routes: served by `api`, read back
//! by clients.

use hechain_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::{AuditEntry, DataGrant, Ecert, Revocation, Subject};

/// An e-certificate, whether it is valid now, and its audit log length.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EcertStatus {
    /// The certificate.
    pub certificate: Ecert,
    /// Head block time the validity refers to.
    pub as_of_ms: u64,
    /// Whether it is valid then.
    pub valid: bool,
    /// Why not, when not.
    pub invalid_reason: Option<String>,
    /// Length of its audit log.
    pub audit_entries: u64,
}

/// Whether an e-certificate is valid at a time.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EcertVerdict {
    /// Certificate id.
    pub id: u64,
    /// Time checked, ms since the Unix epoch.
    pub at_ms: u64,
    /// Whether it is valid then.
    pub valid: bool,
    /// Why not, when not.
    pub reason: Option<String>,
    /// Certificate type.
    pub cert_type: String,
    /// Issuer.
    pub issuer: Address,
    /// Holder.
    pub holder: Address,
    /// Start of validity.
    pub not_before_ms: u64,
    /// End of validity.
    pub not_after_ms: u64,
    /// Revocation, if revoked.
    pub revoked: Option<Revocation>,
    /// Head height.
    pub height: u64,
}

/// Whether a grantee may use a certificate or dataset at a time.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Authorization {
    /// What the grant is about.
    pub subject: Subject,
    /// The organisation asking.
    pub grantee: Address,
    /// Time checked.
    pub at_ms: u64,
    /// Whether a live grant allows it.
    pub authorized: bool,
    /// That grant.
    pub grant_id: Option<u64>,
    /// Why not, when not.
    pub reason: Option<String>,
    /// Head height.
    pub height: u64,
}

/// A page of an audit log.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    /// What the log is about.
    pub subject: Subject,
    /// Entries in the whole log.
    pub total: u64,
    /// This page's entries.
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// An access grant and whether it is live.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataGrantStatus {
    /// The grant.
    pub grant: DataGrant,
    /// Head block time `live` refers to.
    pub as_of_ms: u64,
    /// Whether the grant is live then.
    pub live: bool,
    /// Why not, when not.
    pub reason: Option<String>,
}

/// A page of e-certificates.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EcertPage {
    /// The certificates, by id.
    pub certificates: Vec<Ecert>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// A page of access grants.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataGrantPage {
    /// The grants, by id.
    pub grants: Vec<DataGrant>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
