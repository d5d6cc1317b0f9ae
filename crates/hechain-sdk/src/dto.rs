//! What the REST API answers, as the client reads it (the request and response bodies that are
//! not chain types of `hechain-types`).

use super::*;

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

/// A license as listed by the node, with whether it is in force.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListedLicense {
    /// The license.
    #[serde(flatten)]
    pub license: CopyrightLicense,
    /// The head block's time is within its term.
    pub in_force: bool,
}

/// The licenses of a work.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CopyrightLicenses {
    /// The work.
    pub work_id: u64,
    /// Its current owner.
    pub owner: Address,
    /// Head block time `in_force` was evaluated at.
    pub as_of_ms: u64,
    /// The licenses, in grant order.
    pub licenses: Vec<ListedLicense>,
}

/// An item's full history as `GET /api/v1/trace/items/{code}` answers it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceHistory {
    /// The code asked for.
    pub code: String,
    /// The item record.
    pub item: TraceItem,
    /// Its batch.
    pub batch: TraceBatch,
    /// Whether the batch (so the item) is recalled.
    pub recalled: bool,
    /// Producer first, current custodian last.
    pub custody_chain: Vec<Address>,
    /// Every event, in order.
    pub events: Vec<TraceEvent>,
    /// The node checked the events against the item's rolling hash.
    pub history_verified: bool,
}

/// A page of a batch's items.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceBatchItems {
    /// The batch.
    pub batch_id: u64,
    /// Whether it is recalled.
    pub recalled: bool,
    /// The items.
    pub items: Vec<TraceItem>,
    /// Pass as `after` for the next page (`None` on the last page).
    pub next_after: Option<u64>,
}

/// Percent-encodes one URL path segment (everything but ASCII letters, digits and `-._~`), so
/// that any item code, `/` included, is one segment.
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A voucher with the parts that hold its value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VoucherWithParts {
    /// The voucher.
    pub voucher: Voucher,
    /// Its live parts (active or pledged).
    pub live_parts: Vec<VoucherPart>,
}

/// `GET /governance`: the rules in force.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GovOverview {
    /// Head height they were read at.
    pub height: u64,
    /// Threshold and voting period (`None`: the chain has no governance).
    pub config: Option<hechain_types::GovConfig>,
    /// The committee.
    pub committee: Vec<hechain_types::CommitteeMember>,
    /// Permission settings.
    pub permissions: hechain_types::Permissions,
    /// Chain parameters.
    pub params: hechain_types::ChainParams,
    /// The membership in force: epoch, organisations, validators, observers.
    pub membership: hechain_types::Membership,
    /// Ids of the open proposals.
    pub open_proposals: Vec<u64>,
    /// The id the next proposal gets.
    pub next_proposal_id: u64,
}

/// `GET /governance/proposals/{id}`: a proposal and its votes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProposalWithVotes {
    /// The proposal.
    pub proposal: hechain_types::Proposal,
    /// Its state in one word (`open`, `applied`, …).
    pub status: String,
    /// Every vote, the proposer's included.
    pub votes: Vec<hechain_types::Vote>,
}

/// `GET /governance/accounts/{address}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GovAccount {
    /// The account.
    pub address: Address,
    /// Its roles.
    pub roles: hechain_types::Roles,
    /// Its committee seat, if any.
    pub committee_member: Option<hechain_types::CommitteeMember>,
    /// Why it is frozen, if it is.
    pub frozen: Option<hechain_types::FreezeRecord>,
}

/// An e-certificate with whether it is valid at the head block's time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EcertStatus {
    /// The certificate.
    pub certificate: Ecert,
    /// Head block time the status is evaluated at.
    pub as_of_ms: u64,
    /// Valid then (issued, not revoked, within its validity).
    pub valid: bool,
    /// Why not, when not valid.
    pub invalid_reason: Option<String>,
    /// Number of entries in its audit log.
    pub audit_entries: u64,
}

/// Whether an e-certificate is valid at a time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EcertVerdict {
    /// Certificate id.
    pub id: u64,
    /// The time checked.
    pub at_ms: u64,
    /// Valid then.
    pub valid: bool,
    /// Why not, when not valid.
    pub reason: Option<String>,
    /// Its issuer.
    pub issuer: Address,
    /// Its holder.
    pub holder: Address,
    /// Head height the answer was read at.
    pub height: u64,
}

/// Whether a grantee may use a certificate or dataset at a time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Authorization {
    /// The certificate or dataset.
    pub subject: Subject,
    /// The organisation's account.
    pub grantee: Address,
    /// The time checked.
    pub at_ms: u64,
    /// Authorised then.
    pub authorized: bool,
    /// The grant that authorises it.
    pub grant_id: Option<u64>,
    /// Why not, when not.
    pub reason: Option<String>,
    /// Head height the answer was read at.
    pub height: u64,
}

/// A page of an audit log.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditPage {
    /// The certificate or dataset.
    pub subject: Subject,
    /// Entries in the whole log.
    pub total: u64,
    /// This page's entries, oldest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page (`None` on the last page).
    pub next_after: Option<u64>,
}

/// A grant with whether it authorises use at the head block's time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataGrantStatus {
    /// The grant.
    pub grant: DataGrant,
    /// Head block time.
    pub as_of_ms: u64,
    /// Whether it authorises its grantee now.
    pub live: bool,
    /// Why not, when not.
    pub reason: Option<String>,
}

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
