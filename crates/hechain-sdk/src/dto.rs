//! What the REST API answers, as the client reads it (the request and response bodies that are
//! not chain types of `hechain-types`).

use super::*;

// The JSON answers of the service modules' routes are the modules' own types.
pub use hechain_types::copyright::views::{CopyrightLicenses, LicenseInForce as ListedLicense};
pub use hechain_types::ecert::views::{AuditPage, Authorization, DataGrantStatus, EcertStatus, EcertVerdict};
pub use hechain_types::governance::views::{GovAccount, GovOverview, ProposalState, ProposalWithVotes};
pub use hechain_types::trace::views::{TraceBatchItems, TraceItemView as TraceHistory};
pub use hechain_types::voucher::views::VoucherWithParts;

/// `GET /status`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Status {
    /// Chain id.
    pub chain_id: u64,
    /// Suite name.
    pub suite: hechain_crypto::Suite,
    /// Genesis hash.
    pub genesis_hash: H256,
    /// Head height.
    pub height: u64,
    /// Head block hash.
    pub head_hash: H256,
    /// Head timestamp.
    pub head_timestamp_ms: u64,
    /// Head state root.
    pub state_root: H256,
    /// Pool size.
    pub pending_txs: u64,
    /// Smallest fee a transaction must offer.
    #[serde(default)]
    pub min_fee: u64,
    /// Consensus and network facts of a networked node (role, round, leader, peers); null
    /// under `solo`.
    #[serde(default)]
    pub consensus: Option<serde_json::Value>,
}

/// `GET /accounts/{address}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountInfo {
    /// Address.
    pub address: Address,
    /// Committed nonce.
    pub nonce: u64,
    /// Balance.
    #[serde(with = "hechain_types::primitives::u128_string")]
    pub balance: u128,
    /// Next nonce counting pending transactions.
    pub pending_nonce: u64,
}

/// Percent-encodes one URL path segment (everything but ASCII letters, digits and `-._~`), so
/// that any item code, `/` included, is one segment.
pub use hechain_types::display::url_component as path_segment;

/// A receipt with its position.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReceiptInfo {
    /// The receipt.
    #[serde(flatten)]
    pub receipt: Receipt,
    /// Block height.
    pub height: u64,
    /// Index in the block.
    pub index: u32,
    /// Block hash.
    pub block_hash: H256,
}

/// Result of one entry of a batch submission.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum BatchResult {
    /// Admitted.
    Ok {
        /// Transaction hash.
        hash: H256,
    },
    /// Refused.
    Err {
        /// Error.
        error: ApiErrorBody,
    },
}

/// The `error` object of an API error.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ApiErrorBody {
    /// Code.
    pub code: String,
    /// Message.
    pub message: String,
}
