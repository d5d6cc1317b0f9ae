//! The JSON answers of the voucher routes: served by `api`, read back by `cli` and clients.

use serde::{Deserialize, Serialize};

use crate::{Voucher, VoucherPart};

/// A voucher and the parts that hold its value now.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherWithParts {
    /// The voucher.
    pub voucher: Voucher,
    /// The parts that hold its value now.
    pub live_parts: Vec<VoucherPart>,
}

/// A part's lineage back to issuance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherLineage {
    /// The part asked for.
    pub part_id: u64,
    /// Its voucher.
    pub voucher: Voucher,
    /// The part and its ancestors back to issuance.
    pub lineage: Vec<VoucherPart>,
}

/// A page of voucher parts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherPartPage {
    /// The parts, by id.
    pub parts: Vec<VoucherPart>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// A page of vouchers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherPage {
    /// The vouchers, by id.
    pub vouchers: Vec<Voucher>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
