//! The JSON answers of the evidence routes: served by `api`, read back by `cli` and clients.

use serde::{Deserialize, Serialize};

use crate::EvidenceRecord;

/// A page of evidence records.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidencePage {
    /// The records, by id.
    pub records: Vec<EvidenceRecord>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
