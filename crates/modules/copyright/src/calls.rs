//! The copyright module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use crate::types::*;
/// What a transaction asks the copyright module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum CopyrightCall {
    /// Register a work's copyright (版权登记); the sender becomes its owner.
    #[serde(rename = "copyright_register")]
    Register {
        /// Hash of the work's content, computed off chain with the chain's suite hash.
        content_hash: H256,
        /// Title.
        title: String,
        /// Kind of work: text, music, image, video, software, …
        work_type: String,
        /// Author's name.
        author: String,
    },
    /// Transfer a work's copyright to another account (owner only).
    #[serde(rename = "copyright_transfer")]
    Transfer {
        /// The work.
        work_id: u64,
        /// New owner.
        to: Address,
    },
    /// Grant a license on a work (owner only).
    #[serde(rename = "copyright_license")]
    License {
        /// The work.
        work_id: u64,
        /// Account licensed.
        licensee: Address,
        /// Exclusive license: refused if any license overlaps it; a non-exclusive one is
        /// refused if an exclusive license overlaps it.
        exclusive: bool,
        /// Start of the term (ms since the Unix epoch, inclusive).
        start_ms: u64,
        /// End of the term (ms since the Unix epoch, exclusive).
        end_ms: u64,
        /// Territory label, e.g. `CN` or `worldwide`.
        territory: String,
    },
}

impl ModuleEnum for CopyrightCall {
    const TYPES: &'static [&'static str] = &["copyright_register", "copyright_transfer", "copyright_license"];
}

/// What the copyright module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum CopyrightEvent {
    /// A work's copyright was registered.
    #[serde(rename = "copyright_registered")]
    Registered {
        /// Work id.
        id: u64,
        /// Content hash.
        content_hash: H256,
        /// Owner (the registrant).
        owner: Address,
    },
    /// A work's copyright changed owner.
    #[serde(rename = "copyright_transferred")]
    Transferred {
        /// Work id.
        id: u64,
        /// Previous owner.
        from: Address,
        /// New owner.
        to: Address,
    },
    /// A license was granted on a work.
    #[serde(rename = "copyright_licensed")]
    Licensed {
        /// Work id.
        id: u64,
        /// License index.
        index: u32,
        /// Account licensed.
        licensee: Address,
        /// Exclusive or not.
        exclusive: bool,
    },
}

impl ModuleEnum for CopyrightEvent {
    const TYPES: &'static [&'static str] = &["copyright_registered", "copyright_transferred", "copyright_licensed"];
}
