//! Copyright registration (版权) records: registered works and the licenses their owners grant.
//!
//! A work is registered once per content hash; ownership moves by transfer; licenses are
//! granted by the current owner for a term and a territory. The rules (who may do what, which
//! licenses conflict) are enforced by `hechain_execution::copyright`; this module holds the
//! records and the stateless field checks shared by the pool and execution.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use hechain_primitives::Codec;
use hechain_primitives::TypesError;
use hechain_primitives::{Address, H256};

/// Longest title or author name, in bytes.
pub const MAX_TEXT_BYTES: usize = 256;
/// Longest work type or territory label, in bytes.
pub const MAX_LABEL_BYTES: usize = 64;
/// The territory label that overlaps every other territory.
pub const WORLDWIDE: &str = "worldwide";

pub use hechain_primitives::Stamp;

/// A registered work.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CopyrightWork {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// Hash of the work's content (the chain's suite hash, computed off chain).
    pub content_hash: H256,
    /// Title.
    pub title: String,
    /// Kind of work: text, music, image, video, software, …
    pub work_type: String,
    /// Author's name as declared by the registrant (a label; the chain does not verify it).
    pub author: String,
    /// Account that registered the work.
    pub registrant: Address,
    /// Current owner of the copyright.
    pub owner: Address,
    /// The registration.
    pub registered: Stamp,
    /// The last change of owner (equal to `registered` until the first transfer).
    pub updated: Stamp,
    /// Number of ownership transfers so far.
    pub transfers: u32,
    /// Number of licenses granted so far (their indexes are `0..licenses`).
    pub licenses: u32,
}

impl Codec for CopyrightWork {}

/// A license granted on a work.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CopyrightLicense {
    /// The work.
    pub work_id: u64,
    /// Position among the work's licenses, starting at 0.
    pub index: u32,
    /// Owner that granted it.
    pub licensor: Address,
    /// Account licensed.
    pub licensee: Address,
    /// Exclusive: no other license may overlap it in time and territory.
    pub exclusive: bool,
    /// Start of the term (ms since the Unix epoch, inclusive).
    pub start_ms: u64,
    /// End of the term (ms since the Unix epoch, exclusive).
    pub end_ms: u64,
    /// Territory label, e.g. `CN`, `CN-GD` or `worldwide`.
    pub territory: String,
    /// The grant.
    pub granted: Stamp,
}

impl Codec for CopyrightLicense {}

impl CopyrightLicense {
    /// Whether this license and a term/territory overlap: their terms intersect and their
    /// territories are equal (ignoring ASCII case) or one of them is [`WORLDWIDE`].
    pub fn overlaps(&self, start_ms: u64, end_ms: u64, territory: &str) -> bool {
        self.start_ms < end_ms && start_ms < self.end_ms && territories_overlap(&self.territory, territory)
    }

    /// Whether the license is in force at `now_ms`.
    pub fn in_force(&self, now_ms: u64) -> bool {
        self.start_ms <= now_ms && now_ms < self.end_ms
    }
}

/// Whether two territory labels overlap (equal ignoring ASCII case, or either is worldwide).
pub fn territories_overlap(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || a.eq_ignore_ascii_case(WORLDWIDE) || b.eq_ignore_ascii_case(WORLDWIDE)
}

pub(crate) use hechain_primitives::check_text_field;

fn check_text(what: &str, v: &str, max: usize) -> Result<(), TypesError> {
    check_text_field(&format!("copyright {what}"), v, max)
}

/// Stateless checks of a registration's fields.
pub fn validate_registration(title: &str, work_type: &str, author: &str) -> Result<(), TypesError> {
    check_text("title", title, MAX_TEXT_BYTES)?;
    check_text("work type", work_type, MAX_LABEL_BYTES)?;
    check_text("author", author, MAX_TEXT_BYTES)
}

/// Stateless checks of a license's fields.
pub fn validate_license(start_ms: u64, end_ms: u64, territory: &str) -> Result<(), TypesError> {
    if end_ms <= start_ms {
        return Err(TypesError::Invalid(format!(
            "license term is empty: it ends ({end_ms}) at or before it starts ({start_ms})"
        )));
    }
    check_text("territory", territory, MAX_LABEL_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(start_ms: u64, end_ms: u64, territory: &str) -> CopyrightLicense {
        let stamp = Stamp { tx_hash: H256::ZERO, height: 1, timestamp_ms: 0 };
        CopyrightLicense {
            work_id: 1,
            index: 0,
            licensor: Address([1; 20]),
            licensee: Address([2; 20]),
            exclusive: true,
            start_ms,
            end_ms,
            territory: territory.into(),
            granted: stamp,
        }
    }

    #[test]
    fn overlap_needs_time_and_territory() {
        let l = lic(100, 200, "CN");
        assert!(l.overlaps(150, 250, "cn"));
        assert!(l.overlaps(0, 101, "Worldwide"));
        assert!(!l.overlaps(200, 300, "CN"), "terms are half-open");
        assert!(!l.overlaps(0, 100, "CN"));
        assert!(!l.overlaps(100, 200, "US"));
        assert!(lic(100, 200, WORLDWIDE).overlaps(100, 200, "US"));
        assert!(l.in_force(100) && l.in_force(199) && !l.in_force(200) && !l.in_force(99));
    }

    #[test]
    fn field_checks_name_the_field() {
        assert!(validate_registration("Song", "music", "Li Bai").is_ok());
        let e = validate_registration(" ", "music", "Li Bai").unwrap_err().to_string();
        assert!(e.contains("title is empty"), "{e}");
        let e = validate_registration("Song", &"x".repeat(65), "Li Bai").unwrap_err().to_string();
        assert!(e.contains("work type is 65 bytes, the limit is 64"), "{e}");
        let e = validate_license(5, 5, "CN").unwrap_err().to_string();
        assert!(e.contains("term is empty"), "{e}");
        assert!(validate_license(5, 6, "").unwrap_err().to_string().contains("territory is empty"));
    }
}
