//! The JSON answers of the copyright routes: served by `api`, read back by `cli` and clients.

use hechain_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::{CopyrightLicense, CopyrightWork};

/// A license and whether it is in force now (its schema: `hechain_module::schema::flattened`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LicenseInForce {
    /// The license.
    #[serde(flatten)]
    pub license: CopyrightLicense,
    /// Whether it is in force at `as_of_ms`.
    pub in_force: bool,
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for LicenseInForce {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        hechain_module::schema::flattened::<CopyrightLicense>(vec![("in_force", bool::schema())])
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for LicenseInForce {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        <CopyrightLicense as utoipa::ToSchema>::schemas(schemas);
    }
}

/// The licenses of a work.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyrightLicenses {
    /// The work.
    pub work_id: u64,
    /// Its owner.
    pub owner: Address,
    /// Head block time the `in_force` flags refer to.
    pub as_of_ms: u64,
    /// The licenses, in index order.
    pub licenses: Vec<LicenseInForce>,
}

/// A page of works.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyrightWorkPage {
    /// The works, by id.
    pub works: Vec<CopyrightWork>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
